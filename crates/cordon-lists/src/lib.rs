//! Parsers of the official sanctions list formats, list diffs, and fetching updates.
//!
//! | format | function | what it reads |
//! |---|---|---|
//! | `un-xml` | [`un_xml::parse`] | UN Security Council consolidated list XML |
//! | `ofac-advanced` | [`ofac_advanced::parse`] | OFAC SDN_ADVANCED.XML |
//! | `ofac-csv` | [`ofac_csv::parse_set`] | OFAC sdn.csv (+ add.csv, alt.csv, sdn_comments.csv) |
//! | `ofac-xml` | [`ofac_xml::parse`] | OFAC sdn.xml-family XML (`sdnList`), SDN or consolidated |
//! | `ftm` | [`ftm::parse`] / [`ftm::write`] | FollowTheMoney JSON lines |
//!
//! [`read_path`] is the entry point: it takes a file (plain, `.bz2` or `.gz`, recognised by
//! content) or a directory holding an OFAC CSV set, detects the format from the content,
//! parses it completely and returns a [`ParsedList`] with the SHA-256 of the content. A parse
//! either returns the whole list or an error naming the file and position; there are no
//! partial results, which is what lets the store keep good data when a file is bad.
//!
//! XML is read as a stream (quick-xml over a buffered reader), so memory is bounded by the
//! entities themselves, not the file size.
//!
//! ```no_run
//! let list = cordon_lists::read_path("UN_consolidated.xml".as_ref(), None).unwrap();
//! println!("{} entities issued {:?}", list.entities.len(), list.issued);
//! ```
#![deny(missing_docs)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use cordon_model::{Entity, ListFormat};

pub mod diff;
mod error;
pub mod fetch;
pub mod ftm;
mod id_types;
pub mod input;
pub mod ofac_advanced;
pub mod ofac_csv;
pub mod ofac_xml;
mod remarks;
pub mod un_xml;
mod xml;

pub use error::{ListError, Position};

/// What a parser returns: the entities and the issue date the file states.
#[derive(Debug, Default)]
pub struct ParsedBody {
    /// Issue/publication date the file states (`YYYY-MM-DD`), if any.
    pub issued: Option<String>,
    /// Every entity, in file order.
    pub entities: Vec<Entity>,
    /// Problems that did not stop the parse (rows of a CSV set that could not be placed).
    pub warnings: Vec<String>,
}

/// A list read completely from a file or directory.
#[derive(Debug)]
pub struct ParsedList {
    /// Which list: `un`, `ofac`, `ofac-cons`, `ftm`.
    pub source: String,
    /// The format it was read in.
    pub format: ListFormat,
    /// Issue date the file states, else one in the file name, else `None`.
    pub issued: Option<String>,
    /// SHA-256 (hex) of the decompressed content (of all files of a CSV set, in a fixed order).
    pub sha256: String,
    /// Bytes of decompressed content read.
    pub bytes: u64,
    /// The entities.
    pub entities: Vec<Entity>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
    /// Where it came from.
    pub origin: PathBuf,
}

/// Detects the format of a file from its first bytes (decompressed).
pub fn detect_format(head: &[u8], path: &Path) -> Result<ListFormat, ListError> {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let trimmed = text.iter().position(|b| !b.is_ascii_whitespace()).map_or(&text[..0], |i| &text[i..]);
    if trimmed.starts_with(b"<") {
        return match xml::root_name(text, path).as_deref() {
            Some("CONSOLIDATED_LIST") => Ok(ListFormat::UnXml),
            Some("Sanctions") => Ok(ListFormat::OfacAdvanced),
            Some("sdnList") => Ok(ListFormat::OfacXml),
            Some(other) => Err(ListError::UnknownFormat {
                path: path.into(),
                detail: format!("XML with root element <{other}>"),
            }),
            None => Err(ListError::UnknownFormat {
                path: path.into(),
                detail: "XML without a readable root element".into(),
            }),
        };
    }
    if trimmed.starts_with(b"{") {
        return Ok(ListFormat::Ftm);
    }
    if ofac_csv::looks_like_sdn_csv(trimmed) {
        return Ok(ListFormat::OfacCsv);
    }
    if trimmed.is_empty() {
        return Err(ListError::UnknownFormat {
            path: path.into(),
            detail: "the file is empty".into(),
        });
    }
    // Invalid UTF-8 inside the head (not just a character cut at its end) is binary.
    if matches!(std::str::from_utf8(&trimmed[..trimmed.len().min(512)]), Err(e) if e.error_len().is_some()) {
        return Err(ListError::UnknownFormat {
            path: path.into(),
            detail: "binary content".into(),
        });
    }
    let first_line = String::from_utf8_lossy(trimmed.split(|b| *b == b'\n').next().unwrap_or_default());
    let shown: String = first_line.chars().take(60).collect();
    Err(ListError::UnknownFormat {
        path: path.into(),
        detail: format!("text starting {shown:?}"),
    })
}

/// Which list a file belongs to, from its format, content and name.
fn source_of(format: ListFormat, path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    match format {
        ListFormat::UnXml => "un".into(),
        ListFormat::Ftm => "ftm".into(),
        // OFAC publishes the non-SDN consolidated list in the same formats as the SDN list; only
        // the file names tell them apart (consolidated.xml, cons_advanced.xml, cons_prim.csv).
        _ if name.starts_with("cons") => "ofac-cons".into(),
        _ => "ofac".into(),
    }
}

/// A `YYYY-MM-DD` date in a file name (`sdn_2022-04-12.csv.gz`), for formats whose content
/// carries no issue date.
fn date_in_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let s = &name[i..i + 10];
        cordon_model::PartialDate::parse(s).filter(|d| d.day.is_some()).map(|d| d.to_string())
    })
}

/// Reads a list from a file or a directory holding an OFAC CSV set, detecting the format
/// unless one is given.
pub fn read_path(path: &Path, format: Option<ListFormat>) -> Result<ParsedList, ListError> {
    let meta = std::fs::metadata(path).map_err(|e| ListError::io(path, e))?;
    let mut result = if meta.is_dir() {
        if format.is_some_and(|f| f != ListFormat::OfacCsv) {
            return Err(ListError::UnknownFormat {
                path: path.into(),
                detail: "a directory can only hold an OFAC CSV set".into(),
            });
        }
        ofac_csv::parse_dir(path)
    } else {
        read_file(path, format)
    };
    if let Err(e) = result.as_mut() {
        if let Some(p) = error_path(e) {
            input::add_line_number(&p, e);
        }
    }
    let mut list = result?;
    check_unique_ids(&list)?;
    if list.issued.is_none() {
        list.issued = date_in_name(path);
    }
    Ok(list)
}

fn error_path(e: &ListError) -> Option<PathBuf> {
    match e {
        ListError::Malformed { path, .. } | ListError::Field { path, .. } | ListError::Encoding { path, .. } => Some(path.clone()),
        _ => None,
    }
}

fn read_file(path: &Path, format: Option<ListFormat>) -> Result<ParsedList, ListError> {
    let format = match format {
        Some(f) => f,
        None => detect_format(&input::peek(path, 8192)?, path)?,
    };
    let mut reader = input::open_list(path)?;
    let body = match format {
        ListFormat::UnXml => un_xml::parse(&mut reader, path)?,
        ListFormat::OfacAdvanced => ofac_advanced::parse(&mut reader, path)?,
        ListFormat::OfacXml => ofac_xml::parse(&mut reader, path)?,
        ListFormat::Ftm => ftm::parse(&mut reader, path)?,
        ListFormat::OfacCsv => ofac_csv::parse_set(ofac_csv::CsvSet::sdn_only(&mut reader, path))?,
    };
    let (sha256, bytes) = input::finish(path, reader)?;
    Ok(ParsedList {
        source: source_of(format, path),
        format,
        issued: body.issued,
        sha256,
        bytes,
        entities: body.entities,
        warnings: body.warnings,
        origin: path.to_path_buf(),
    })
}

fn check_unique_ids(list: &ParsedList) -> Result<(), ListError> {
    let mut seen = HashSet::with_capacity(list.entities.len());
    for e in &list.entities {
        if !seen.insert(e.id.as_str()) {
            return Err(ListError::Field {
                path: list.origin.clone(),
                position: Position::default(),
                field: "id".into(),
                message: format!("entity id {} appears twice", e.id),
            });
        }
    }
    Ok(())
}

/// Parses bytes in a given format, for fuzzing and tests: the same code paths as
/// [`read_path`], without files.
pub fn parse_bytes(format: ListFormat, data: &[u8]) -> Result<ParsedBody, ListError> {
    let path = Path::new("<memory>");
    match format {
        ListFormat::UnXml => un_xml::parse(data, path),
        ListFormat::OfacAdvanced => ofac_advanced::parse(data, path),
        ListFormat::OfacXml => ofac_xml::parse(data, path),
        ListFormat::Ftm => ftm::parse(data, path),
        ListFormat::OfacCsv => ofac_csv::parse_set(ofac_csv::CsvSet::sdn_only(data, path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_names() {
        assert_eq!(date_in_name(Path::new("x/sdn_2022-04-12.csv.gz")).as_deref(), Some("2022-04-12"));
        assert_eq!(date_in_name(Path::new("sdn.csv")), None);
    }

    #[test]
    fn detects_formats() {
        let p = Path::new("t");
        assert_eq!(
            detect_format(b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"x\">", p).unwrap(),
            ListFormat::UnXml
        );
        assert_eq!(detect_format(b"<sdnList xmlns=\"x\"><publshInformation>", p).unwrap(), ListFormat::OfacXml);
        assert_eq!(detect_format(b"<Sanctions Version=\"3\">", p).unwrap(), ListFormat::OfacAdvanced);
        assert_eq!(detect_format(b"{\"id\":\"x\"}", p).unwrap(), ListFormat::Ftm);
        assert_eq!(
            detect_format(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n", p).unwrap(),
            ListFormat::OfacCsv
        );
        assert!(matches!(detect_format(b"<html><body>", p), Err(ListError::UnknownFormat { .. })));
        assert!(matches!(detect_format(b"hello world", p), Err(ListError::UnknownFormat { .. })));
        assert!(matches!(detect_format(b"", p), Err(ListError::UnknownFormat { .. })));
    }
}
