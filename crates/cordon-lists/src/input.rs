//! Opening list files: transparent bzip2/gzip decompression (by magic bytes, not by name),
//! SHA-256 of the decompressed content computed while it streams through the parser, and line
//! numbers for errors that only know a byte offset.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::ListError;

/// How a file is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Plain.
    None,
    /// bzip2 (`BZh`).
    Bzip2,
    /// gzip (`1f 8b`).
    Gzip,
}

/// Looks at the first bytes of a file.
pub fn compression_of(head: &[u8]) -> Compression {
    if head.starts_with(b"BZh") {
        Compression::Bzip2
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else {
        Compression::None
    }
}

/// A reader that hashes everything read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps a reader.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }

    /// Hex SHA-256 and length of what has been read so far.
    pub fn finish(self) -> (String, u64) {
        (hex(&self.hasher.finalize()), self.count)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// Opens a file, decompressing it if needed.
pub fn open_decompressed(path: &Path) -> Result<Box<dyn Read + Send>, ListError> {
    let mut f = File::open(path).map_err(|e| ListError::io(path, e))?;
    let mut head = [0u8; 4];
    let n = read_full(&mut f, &mut head).map_err(|e| ListError::io(path, e))?;
    let chained = io::Cursor::new(head[..n].to_vec()).chain(f);
    Ok(match compression_of(&head[..n]) {
        Compression::None => Box::new(chained),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(chained)),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(chained)),
    })
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Reads the first `n` decompressed bytes of a file, for format detection.
pub fn peek(path: &Path, n: usize) -> Result<Vec<u8>, ListError> {
    let mut r = open_decompressed(path)?;
    let mut buf = vec![0u8; n];
    let k = read_full(&mut r, &mut buf).map_err(|e| ListError::io(path, e))?;
    buf.truncate(k);
    Ok(buf)
}

/// A buffered, hashing reader over a file's decompressed content.
pub type ListReader = BufReader<HashingReader<Box<dyn Read + Send>>>;

/// Opens a file for parsing.
pub fn open_list(path: &Path) -> Result<ListReader, ListError> {
    Ok(BufReader::with_capacity(256 * 1024, HashingReader::new(open_decompressed(path)?)))
}

/// Drains what the parser left unread (trailing whitespace) so the hash covers the whole file,
/// then returns it.
pub fn finish(path: &Path, mut reader: ListReader) -> Result<(String, u64), ListError> {
    io::copy(&mut reader, &mut io::sink()).map_err(|e| ListError::io(path, e))?;
    Ok(reader.into_inner().finish())
}

/// Fills in the line number of an error that carries only a byte offset, by counting newlines
/// in the decompressed file up to that offset. Only done on the error path, so parsing never
/// pays for line counting.
pub fn add_line_number(path: &Path, err: &mut ListError) {
    let Some(pos) = err.position_mut() else {
        return;
    };
    let (None, Some(offset)) = (pos.line, pos.offset) else {
        return;
    };
    let Ok(reader) = open_decompressed(path) else {
        return;
    };
    let mut reader = BufReader::new(reader.take(offset));
    let mut lines = 1u64;
    loop {
        let buf = match reader.fill_buf() {
            Ok([]) | Err(_) => break,
            Ok(b) => b,
        };
        lines += memchr::memchr_iter(b'\n', buf).count() as u64;
        let n = buf.len();
        reader.consume(n);
    }
    pos.line = Some(lines);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_what_passes() {
        let mut r = HashingReader::new(&b"abc"[..]);
        io::copy(&mut r, &mut io::sink()).unwrap();
        let (h, n) = r.finish();
        assert_eq!(n, 3);
        assert_eq!(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn detects_compression() {
        assert_eq!(compression_of(b"BZh91AY"), Compression::Bzip2);
        assert_eq!(compression_of(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(compression_of(b"<?xml"), Compression::None);
    }
}
