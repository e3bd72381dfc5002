//! Login evidence within a memory budget.
//!
//! Login files are the large input (ten and more events per record, and they grow with
//! every day of history), so they are never held whole. Pass one streams the file and keeps,
//! per event, an identifier entry per IP and device (24 bytes and the value's text) and a
//! compact copy of the event. Entries stay in memory until they pass the budget; from then on
//! they go to partition files by the value's hash, so every value's holders sit in one
//! partition, and the partitions are read back and linked one at a time. The compact events
//! go to a spool file the same way and are read back once the clusters are known, keeping only
//! the events of clustered records (for the red flags).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::link::{hash64_lower, Entry, Kind};
use crate::record::{LoginEvent, Record};
use crate::LinkError;

/// Longest value text kept for display (IPs and device ids are far shorter; the hash is of the
/// whole value).
const MAX_TEXT: usize = 255;

/// Bytes of an entry row in a partition file, before its text.
const ROW: usize = 8 + 8 + 4 + 1;

/// Identifier entries of login events, in memory or in partition files.
pub(crate) struct LoginEntries {
    budget: usize,
    base: PathBuf,
    dir: Option<tempfile::TempDir>,
    /// Rows in memory: entries whose `src` is the offset of their text in `text`.
    entries: Vec<Entry>,
    /// Length-prefixed value texts.
    text: Vec<u8>,
    parts: Vec<BufWriter<File>>,
    /// Input bytes expected and read so far, to size the partitions at the first spill.
    expected: u64,
    read: u64,
    events: Spool,
    /// Whether the compact events are kept (the in-memory path has its events already).
    keep_events: bool,
    /// One event's bytes, reused (no allocation per event).
    scratch: Vec<u8>,
    /// Bits of the login kinds each record has (for `N_t`).
    pub seen: Vec<u16>,
    /// Events accepted.
    pub count: u64,
}

impl LoginEntries {
    /// Entries for `records` records; `expected` input bytes (0 if unknown); `keep_events`:
    /// also keep a compact copy of each event for [`LoginEvents::of`].
    pub(crate) fn new(records: usize, budget: usize, base: &Path, expected: u64, keep_events: bool) -> LoginEntries {
        LoginEntries {
            // Text offsets are 32-bit: at most 2 GiB in memory at once.
            budget: budget.clamp(1 << 10, 2 << 30),
            base: base.to_path_buf(),
            dir: None,
            entries: Vec::new(),
            text: Vec::new(),
            parts: Vec::new(),
            expected,
            read: 0,
            events: Spool::new(budget.min(2 << 30) / 4),
            keep_events,
            scratch: Vec::with_capacity(64),
            seen: vec![0; records],
            count: 0,
        }
    }

    fn io(&self, source: std::io::Error) -> LinkError {
        LinkError::Io {
            path: self.dir.as_ref().map_or(self.base.clone(), |d| d.path().to_path_buf()),
            source,
        }
    }

    fn dir(&mut self) -> Result<PathBuf, LinkError> {
        if self.dir.is_none() {
            std::fs::create_dir_all(&self.base).map_err(|e| self.io(e))?;
            let d = tempfile::Builder::new()
                .prefix("cordon-spill-")
                .tempdir_in(&self.base)
                .map_err(|e| self.io(e))?;
            self.dir = Some(d);
        }
        Ok(self.dir.as_ref().expect("just made").path().to_path_buf())
    }

    /// Adds one event of record `record`; `bytes` is its size in the input (for sizing).
    pub(crate) fn push(&mut self, record: u32, ts: i64, ip: Option<&str>, country: Option<&str>, device: Option<&str>, bytes: u64) -> Result<(), LinkError> {
        self.count += 1;
        self.read += bytes;
        for (kind, raw) in [(Kind::Ip, ip), (Kind::Device, device)] {
            let Some(v) = raw.map(str::trim).filter(|v| !v.is_empty()) else { continue };
            let t = &v.as_bytes()[..v.len().min(MAX_TEXT)];
            let e = Entry::new(kind, hash64_lower(v), record, ts, self.text.len() as u32);
            self.seen[record as usize] |= 1 << (e.key >> 60);
            self.entries.push(e);
            self.text.push(t.len() as u8);
            self.text.extend_from_slice(t);
        }
        if self.keep_events {
            let mut ev = std::mem::take(&mut self.scratch);
            ev.clear();
            ev.extend_from_slice(&record.to_le_bytes());
            ev.extend_from_slice(&ts.to_le_bytes());
            for v in [ip, country, device] {
                let v = v.map_or(&b""[..], |v| &v.as_bytes()[..v.len().min(MAX_TEXT)]);
                ev.push(v.len() as u8);
                ev.extend_from_slice(v);
            }
            let full = self.events.write(&ev).map_err(|e| self.io(e));
            self.scratch = ev;
            if full? {
                let dir = self.dir()?;
                self.events.spill(&dir).map_err(|e| self.io(e))?;
            }
        }
        if self.entries.len() * std::mem::size_of::<Entry>() + self.text.len() > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Moves the rows in memory to the partition files.
    fn spill(&mut self) -> Result<(), LinkError> {
        if self.parts.is_empty() {
            let dir = self.dir()?;
            // Enough partitions that each holds about half the budget at the end (estimated
            // from the share of the input read so far), 16 to 256 (open files stay well under
            // the usual limit of 1,024; past 128 budgets of evidence a partition outgrows the
            // budget: 32 GiB at the default), with write buffers that together stay within it.
            let share = if self.expected > self.read && self.read > 0 {
                self.expected as f64 / self.read as f64
            } else {
                4.0
            };
            let p = ((2.0 * share).ceil() as usize).clamp(16, 256);
            let buffer = (self.budget / p).clamp(4 << 10, 64 << 10);
            for i in 0..p {
                let f = File::create(dir.join(format!("part-{i}"))).map_err(|e| self.io(e))?;
                self.parts.push(BufWriter::with_capacity(buffer, f));
            }
        }
        let p = self.parts.len() as u64;
        for e in &self.entries {
            let t = text(&self.text, e.src);
            let w = &mut self.parts[(e.hash() % p) as usize];
            let r = w
                .write_all(&e.key.to_le_bytes())
                .and_then(|_| w.write_all(&e.ts.to_le_bytes()))
                .and_then(|_| w.write_all(&e.record.to_le_bytes()))
                .and_then(|_| w.write_all(&[t.len() as u8]))
                .and_then(|_| w.write_all(t));
            if let Err(err) = r {
                return Err(LinkError::Io {
                    path: self.base.clone(),
                    source: err,
                });
            }
        }
        self.entries.clear();
        self.text.clear();
        Ok(())
    }

    /// Whether the entries went to disk.
    pub(crate) fn spilled(&self) -> bool {
        !self.parts.is_empty()
    }

    /// Calls `f` with each partition's entries (unsorted) and texts, one partition in memory
    /// at a time; then hands back the events.
    pub(crate) fn each_partition(mut self, mut f: impl FnMut(&mut Vec<Entry>, &[u8])) -> Result<LoginEvents, LinkError> {
        if self.parts.is_empty() {
            let (mut entries, text) = (std::mem::take(&mut self.entries), std::mem::take(&mut self.text));
            f(&mut entries, &text);
        } else {
            self.spill()?;
            let dir = self.dir()?;
            let n = self.parts.len();
            for w in std::mem::take(&mut self.parts) {
                w.into_inner().map_err(|e| LinkError::Io {
                    path: dir.clone(),
                    source: e.into_error(),
                })?;
            }
            let (mut entries, mut text) = (Vec::new(), Vec::new());
            for i in 0..n {
                let path = dir.join(format!("part-{i}"));
                let io = |source| LinkError::Io { path: path.clone(), source };
                let bytes = std::fs::read(&path).map_err(io)?;
                std::fs::remove_file(&path).map_err(io)?;
                entries.clear();
                text.clear();
                let mut at = 0;
                while at + ROW <= bytes.len() {
                    let u64_at = |o: usize| u64::from_le_bytes(bytes[o..o + 8].try_into().expect("8 bytes"));
                    let key = u64_at(at);
                    let ts = u64_at(at + 8) as i64;
                    let record = u32::from_le_bytes(bytes[at + 16..at + 20].try_into().expect("4 bytes"));
                    let len = bytes[at + 20] as usize;
                    let t = &bytes[at + ROW..(at + ROW + len).min(bytes.len())];
                    entries.push(Entry {
                        key,
                        ts,
                        record,
                        src: text.len() as u32,
                    });
                    text.push(t.len() as u8);
                    text.extend_from_slice(t);
                    at += ROW + len;
                }
                drop(bytes);
                f(&mut entries, &text);
            }
        }
        Ok(LoginEvents {
            spool: self.events,
            _dir: self.dir,
            count: self.count,
        })
    }
}

/// The text of an entry.
pub(crate) fn text(buf: &[u8], src: u32) -> &[u8] {
    let at = src as usize;
    let len = buf[at] as usize;
    &buf[at + 1..at + 1 + len]
}

/// Bytes written in order, in memory up to a limit and then in a file.
struct Spool {
    limit: usize,
    buf: Vec<u8>,
    file: Option<(PathBuf, BufWriter<File>)>,
}

impl Spool {
    fn new(limit: usize) -> Spool {
        Spool {
            limit: limit.max(1 << 10),
            buf: Vec::new(),
            file: None,
        }
    }

    /// Appends; true when the memory part is over the limit and should be spilled.
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<bool> {
        match &mut self.file {
            Some((_, w)) => w.write_all(bytes).map(|_| false),
            None => {
                self.buf.extend_from_slice(bytes);
                Ok(self.buf.len() > self.limit)
            }
        }
    }

    fn spill(&mut self, dir: &Path) -> std::io::Result<()> {
        let path = dir.join("events");
        let mut w = BufWriter::with_capacity(1 << 16, File::create(&path)?);
        w.write_all(&self.buf)?;
        self.buf = Vec::new();
        self.file = Some((path, w));
        Ok(())
    }
}

/// The login events of a run, kept compactly (in memory or spooled to disk) until the clusters
/// are known.
pub struct LoginEvents {
    spool: Spool,
    _dir: Option<tempfile::TempDir>,
    /// Events read.
    pub count: u64,
}

impl LoginEvents {
    /// The events of the records for which `keep(index)` holds, with their record ids.
    pub fn of(self, records: &[Record], keep: impl Fn(u32) -> bool) -> Result<Vec<LoginEvent>, LinkError> {
        let mut texts = crate::record::Interner::default();
        let mut out = Vec::new();
        let mut take = |bytes: &[u8]| {
            let mut at = 0;
            while at + 12 < bytes.len() {
                let record = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
                let ts = i64::from_le_bytes(bytes[at + 4..at + 12].try_into().expect("8 bytes"));
                at += 12;
                let mut field = || {
                    let len = bytes[at] as usize;
                    let v = &bytes[at + 1..at + 1 + len];
                    at += 1 + len;
                    (len > 0).then(|| String::from_utf8_lossy(v))
                };
                let (ip, country, device) = (field(), field(), field());
                if keep(record) {
                    out.push(LoginEvent {
                        record_id: texts.get(&records[record as usize].id),
                        ts,
                        ip: ip.map(|v| texts.get(&v)),
                        country: country.map(|v| texts.get(&v.to_uppercase())),
                        device_id: device.map(|v| texts.get(&v)),
                    });
                }
            }
        };
        match self.spool.file {
            None => take(&self.spool.buf),
            Some((path, w)) => {
                let io = |source| LinkError::Io { path: path.clone(), source };
                w.into_inner().map_err(|e| io(e.into_error()))?;
                let mut r = BufReader::with_capacity(1 << 20, File::open(&path).map_err(io)?);
                // Whole events per chunk: read a chunk, hand over the complete events in it and
                // carry the incomplete tail to the next.
                let mut chunk = Vec::new();
                let mut buf = vec![0u8; 1 << 22];
                loop {
                    let n = r.read(&mut buf).map_err(io)?;
                    if n == 0 {
                        break;
                    }
                    chunk.extend_from_slice(&buf[..n]);
                    let whole = complete(&chunk);
                    take(&chunk[..whole]);
                    chunk.drain(..whole);
                }
            }
        }
        Ok(out)
    }
}

/// Length of the complete events at the start of `bytes`.
fn complete(bytes: &[u8]) -> usize {
    let mut at = 0;
    loop {
        let mut end = at + 12;
        for _ in 0..3 {
            if end >= bytes.len() {
                return at;
            }
            end += 1 + bytes[end] as usize;
        }
        if end > bytes.len() {
            return at;
        }
        at = end;
    }
}
