//! A small pull layer over quick-xml shared by the XML parsers.
//!
//! It yields `Start`/`End` for every element (a self-closing element gives both), keeps the
//! element's local name and attributes, and accumulates the text between the last start tag and
//! the next end tag, with entity references resolved. Namespaces are ignored: every official
//! file uses one default namespace, and matching local names keeps the parsers independent of
//! the namespace URL, which OFAC has changed before.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::ListError;

/// What the pull layer saw.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(crate) enum Ev {
    /// An element opened; see [`XmlPull::name`] and [`XmlPull::attrs`].
    Start,
    /// An element closed; see [`XmlPull::name`] and [`XmlPull::text`].
    End,
    /// The document ended with every element closed.
    Eof,
}

pub(crate) struct XmlPull<R: BufRead> {
    reader: Reader<R>,
    buf: Vec<u8>,
    path: PathBuf,
    /// Local name of the current element.
    pub name: Vec<u8>,
    /// Attributes of the element just opened: (local name, unescaped value).
    pub attrs: Vec<(Vec<u8>, String)>,
    /// Text content accumulated since the last start tag.
    pub text: String,
    depth: usize,
    pending_end: bool,
    seen_root: bool,
}

impl<R: BufRead> XmlPull<R> {
    pub fn new(inner: R, path: &Path) -> Self {
        let mut reader = Reader::from_reader(inner);
        reader.config_mut().trim_text(false);
        reader.config_mut().check_end_names = true;
        XmlPull {
            reader,
            buf: Vec::with_capacity(4096),
            path: path.to_path_buf(),
            name: Vec::new(),
            attrs: Vec::new(),
            text: String::new(),
            depth: 0,
            pending_end: false,
            seen_root: false,
        }
    }

    /// Byte offset of the parser in the content.
    pub fn offset(&self) -> u64 {
        self.reader.buffer_position()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error at the current position.
    pub fn error(&self, message: impl Into<String>) -> ListError {
        ListError::malformed(&self.path, self.offset(), message)
    }

    /// A field error at the current position.
    pub fn field_error(&self, field: &str, message: impl Into<String>) -> ListError {
        ListError::Field {
            path: self.path.clone(),
            position: crate::Position {
                line: None,
                offset: Some(self.offset()),
            },
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The value of an attribute of the element just opened.
    pub fn attr(&self, name: &[u8]) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn next(&mut self) -> Result<Ev, ListError> {
        if self.pending_end {
            self.pending_end = false;
            self.depth -= 1;
            return Ok(Ev::End);
        }
        loop {
            self.buf.clear();
            let ev = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(e) => {
                    let at = self.reader.error_position();
                    return Err(ListError::malformed(&self.path, at, format!("invalid XML: {e}")));
                }
            };
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    self.name.clear();
                    self.name.extend_from_slice(e.local_name().as_ref());
                    self.attrs.clear();
                    for a in e.attributes() {
                        let a = a.map_err(|err| ListError::malformed(&self.path, self.reader.buffer_position(), format!("invalid attribute: {err}")))?;
                        let v = a
                            .unescape_value()
                            .map_err(|err| ListError::malformed(&self.path, self.reader.buffer_position(), format!("invalid attribute value: {err}")))?;
                        self.attrs.push((a.key.local_name().as_ref().to_vec(), v.into_owned()));
                    }
                    self.text.clear();
                    self.depth += 1;
                    self.seen_root = true;
                    self.pending_end = empty;
                    return Ok(Ev::Start);
                }
                Event::End(ref e) => {
                    self.name.clear();
                    self.name.extend_from_slice(e.local_name().as_ref());
                    self.depth -= 1;
                    return Ok(Ev::End);
                }
                Event::Text(ref t) => {
                    let s = t.xml_content().map_err(|_| encoding_error(&self.path, self.reader.buffer_position()))?;
                    self.text.push_str(&s);
                }
                Event::CData(ref t) => {
                    let s = t.decode().map_err(|_| encoding_error(&self.path, self.reader.buffer_position()))?;
                    self.text.push_str(&s);
                }
                Event::GeneralRef(ref r) => {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        self.text.push(c);
                    } else {
                        let name = r.decode().map_err(|_| encoding_error(&self.path, self.reader.buffer_position()))?;
                        let c = match name.as_ref() {
                            "lt" => '<',
                            "gt" => '>',
                            "amp" => '&',
                            "apos" => '\'',
                            "quot" => '"',
                            other => {
                                return Err(ListError::malformed(
                                    &self.path,
                                    self.reader.buffer_position(),
                                    format!("unknown entity &{other};"),
                                ))
                            }
                        };
                        self.text.push(c);
                    }
                }
                Event::Eof => {
                    if self.depth > 0 {
                        return Err(self.error(format!(
                            "unexpected end of file inside <{}> ({} element(s) left open): the file is truncated",
                            String::from_utf8_lossy(&self.name),
                            self.depth
                        )));
                    }
                    if !self.seen_root {
                        return Err(self.error("no XML element found: the file is empty or not XML"));
                    }
                    return Ok(Ev::Eof);
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Skips the rest of the element just opened (after `Start`), whatever it contains.
    pub fn skip_element(&mut self) -> Result<(), ListError> {
        let target = self.depth - 1;
        loop {
            match self.next()? {
                Ev::End if self.depth == target => return Ok(()),
                Ev::Eof => return Err(self.error("unexpected end of file")),
                _ => {}
            }
        }
    }

    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Reads the first start tag and returns its local name (the document's root).
    pub fn root(&mut self) -> Result<String, ListError> {
        match self.next()? {
            Ev::Start => Ok(String::from_utf8_lossy(&self.name).into_owned()),
            _ => Err(self.error("no root element")),
        }
    }
}

/// The local name of the root element of an XML document's head, for format detection.
pub(crate) fn root_name(head: &[u8], path: &Path) -> Option<String> {
    let mut p = XmlPull::new(head, path);
    match p.next() {
        Ok(Ev::Start) => Some(String::from_utf8_lossy(&p.name).into_owned()),
        Ok(_) | Err(_) => None,
    }
}

fn encoding_error(path: &Path, offset: u64) -> ListError {
    ListError::Encoding {
        path: path.to_path_buf(),
        position: crate::Position {
            line: None,
            offset: Some(offset),
        },
    }
}
