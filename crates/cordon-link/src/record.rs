//! Input records (applicants, contractors) and login events, from CSV or JSON lines, with a
//! configurable field mapping. A malformed row is reported with its line and skipped.

use std::path::Path;

use serde::Serialize;

use crate::LinkError;

/// One applicant or contractor record.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Record {
    /// Record id (unique in the file).
    pub id: String,
    /// Name as given.
    pub name: Option<String>,
    /// Date of birth as given.
    pub dob: Option<String>,
    /// Claimed nationality.
    pub nationality: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Residence address.
    pub address: Option<String>,
    /// Where the company laptop is shipped.
    pub shipping_address: Option<String>,
    /// Bank or payment account wages go to.
    pub payout_account: Option<String>,
    /// Crypto wallet wages go to.
    pub wallet: Option<String>,
    /// 64-bit perceptual hash of the profile photo, hex.
    pub photo_hash: Option<String>,
    /// Resume or profile text.
    pub resume_text: Option<String>,
    /// Code-host handle.
    pub github: Option<String>,
    /// Interface / preferred language.
    pub language: Option<String>,
    /// Employer or client.
    pub employer: Option<String>,
}

/// The fields of a record, in order.
pub const FIELDS: &[&str] = &[
    "id",
    "name",
    "dob",
    "nationality",
    "email",
    "phone",
    "address",
    "shipping_address",
    "payout_account",
    "wallet",
    "photo_hash",
    "resume_text",
    "github",
    "language",
    "employer",
];

impl Record {
    fn set(&mut self, field: &str, value: String) {
        let v = Some(value).filter(|v| !v.trim().is_empty());
        match field {
            "id" => self.id = v.unwrap_or_default(),
            "name" => self.name = v,
            "dob" => self.dob = v,
            "nationality" => self.nationality = v,
            "email" => self.email = v,
            "phone" => self.phone = v,
            "address" => self.address = v,
            "shipping_address" => self.shipping_address = v,
            "payout_account" => self.payout_account = v,
            "wallet" => self.wallet = v,
            "photo_hash" => self.photo_hash = v,
            "resume_text" => self.resume_text = v,
            "github" => self.github = v,
            "language" => self.language = v,
            "employer" => self.employer = v,
            _ => {}
        }
    }
}

/// Column names per field: `field=column` pairs override the default (the field's own name).
#[derive(Clone, Debug, Default)]
pub struct Mapping(Vec<(String, String)>);

impl Mapping {
    /// Parses `field=column` pairs.
    pub fn parse(pairs: &[String]) -> Result<Mapping, String> {
        let mut m = Vec::new();
        for p in pairs {
            let (f, c) = p.split_once('=').ok_or_else(|| format!("{p:?}: expected field=column"))?;
            if !FIELDS.contains(&f.trim()) {
                return Err(format!("unknown field {f:?}; fields: {}", FIELDS.join(", ")));
            }
            m.push((f.trim().to_string(), c.trim().to_string()));
        }
        Ok(Mapping(m))
    }

    fn column<'a>(&'a self, field: &'a str) -> &'a str {
        self.0.iter().find(|(f, _)| f == field).map_or(field, |(_, c)| c.as_str())
    }
}

/// A row that could not be read.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RowError {
    /// Line in the file.
    pub line: u64,
    /// Why.
    pub message: String,
}

/// The header row, trimmed and lower-cased.
fn header<R: std::io::Read>(rdr: &mut csv::Reader<R>, path: &Path) -> Result<Vec<String>, LinkError> {
    Ok(rdr
        .headers()
        .map_err(|e| LinkError::Input {
            path: path.to_path_buf(),
            message: format!("cannot read the header: {e}"),
        })?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect())
}

/// Reads records from CSV (with a header) or JSON lines (detected from the first character).
pub fn read_records(path: &Path, mapping: &Mapping) -> Result<(Vec<Record>, Vec<RowError>), LinkError> {
    let io = |source| LinkError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Streamed, not read whole: the file can be larger than the records it makes.
    let open = || std::fs::File::open(path).map(|f| std::io::BufReader::with_capacity(1 << 20, f)).map_err(io);
    let mut first = open()?;
    let json = loop {
        use std::io::BufRead;
        let buf = first.fill_buf().map_err(io)?;
        if buf.is_empty() {
            break false;
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break buf[i] == b'{',
            None => {
                let n = buf.len();
                first.consume(n);
            }
        }
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut accept = |r: Record, line: u64, out: &mut Vec<Record>, errors: &mut Vec<RowError>| {
        if r.id.trim().is_empty() {
            errors.push(RowError { line, message: "no id".into() });
        } else if !seen.insert(r.id.clone()) {
            errors.push(RowError {
                line,
                message: format!("duplicate id {:?}", r.id),
            });
        } else {
            out.push(r);
        }
    };
    if json {
        use std::io::BufRead;
        for (i, line) in open()?.lines().enumerate() {
            let line = match line {
                Ok(l) => l,
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    errors.push(RowError {
                        line: i as u64 + 1,
                        message: "not UTF-8".into(),
                    });
                    continue;
                }
                Err(e) => return Err(io(e)),
            };
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&line) {
                Ok(obj) => {
                    let mut r = Record::default();
                    for f in FIELDS {
                        if let Some(v) = obj.get(mapping.column(f)) {
                            let s = match v {
                                serde_json::Value::String(s) => s.clone(),
                                serde_json::Value::Null => continue,
                                other => other.to_string(),
                            };
                            r.set(f, s);
                        }
                    }
                    accept(r, i as u64 + 1, &mut out, &mut errors);
                }
                Err(e) => errors.push(RowError {
                    line: i as u64 + 1,
                    message: format!("invalid JSON: {e}"),
                }),
            }
        }
        return Ok((out, errors));
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(open()?);
    let headers = header(&mut rdr, path)?;
    let cols: Vec<(usize, &str)> = FIELDS
        .iter()
        .filter_map(|f| headers.iter().position(|h| h == &mapping.column(f).to_lowercase()).map(|i| (i, *f)))
        .collect();
    if !cols.iter().any(|(_, f)| *f == "id") {
        return Err(LinkError::Input {
            path: path.to_path_buf(),
            message: format!("no id column (columns: {}); map one with --map id=COLUMN", headers.join(", ")),
        });
    }
    for row in rdr.records() {
        match row {
            Ok(row) => {
                let line = row.position().map_or(0, |p| p.line());
                if row.len() != headers.len() {
                    errors.push(RowError {
                        line,
                        message: format!("{} fields, the header has {}", row.len(), headers.len()),
                    });
                    continue;
                }
                let mut r = Record::default();
                for &(i, f) in &cols {
                    r.set(f, row.get(i).unwrap_or("").to_string());
                }
                accept(r, line, &mut out, &mut errors);
            }
            Err(e) => errors.push(RowError {
                line: e.position().map_or(0, |p| p.line()),
                message: e.to_string(),
            }),
        }
    }
    Ok((out, errors))
}

/// One login of a record's account.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginEvent {
    /// The record.
    pub record_id: Text,
    /// Seconds since the Unix epoch.
    pub ts: i64,
    /// IP address.
    pub ip: Option<Text>,
    /// Country of the IP (ISO code).
    pub country: Option<Text>,
    /// Device id.
    pub device_id: Option<Text>,
}

/// Shared text of login events: a record's id, IPs, country and devices repeat over its
/// logins, so each distinct value is stored once (ten million logins held 2.3 GB of separate
/// strings, a third of it at 72 bytes an event).
pub type Text = std::sync::Arc<str>;

/// Distinct values of a login file.
#[derive(Default)]
pub(crate) struct Interner(std::collections::HashSet<Text>);

impl Interner {
    pub(crate) fn get(&mut self, s: &str) -> Text {
        if let Some(t) = self.0.get(s) {
            return t.clone();
        }
        let t: Text = s.into();
        self.0.insert(t.clone());
        t
    }
}

/// A login row as read, borrowing the reader's buffer.
#[derive(Clone, Copy, Debug)]
pub struct LoginRow<'a> {
    /// The record.
    pub record_id: &'a str,
    /// Seconds since the Unix epoch.
    pub ts: i64,
    /// IP address.
    pub ip: Option<&'a str>,
    /// Country code, as written.
    pub country: Option<&'a str>,
    /// Device id.
    pub device_id: Option<&'a str>,
}

/// Streams a login file (CSV: `record_id, ts, ip, country, device_id`; `ts` in seconds or RFC
/// 3339 `YYYY-MM-DDTHH:MM:SSZ`): `f` gets every good row and its size in bytes; the rows that
/// cannot be read come back with their lines. One row is in memory at a time.
pub fn each_login(path: &Path, mut f: impl FnMut(LoginRow<'_>, u64)) -> Result<Vec<RowError>, LinkError> {
    let io = |source| LinkError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let headers = header(&mut rdr, path)?;
    let col = |n: &str| headers.iter().position(|h| h == n);
    let (Some(rid), Some(tsc)) = (col("record_id"), col("ts")) else {
        return Err(LinkError::Input {
            path: path.to_path_buf(),
            message: "a login file needs record_id and ts columns (and ip, country, device_id)".into(),
        });
    };
    let (ipc, cc, dc) = (col("ip"), col("country"), col("device_id"));
    let mut errors = Vec::new();
    let mut row = csv::StringRecord::new();
    let mut at = rdr.position().byte();
    loop {
        match rdr.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // A broken row (bad UTF-8, unbalanced quotes) is skipped; an I/O error ends the file.
                if let csv::ErrorKind::Io(_) = e.kind() {
                    return Err(io(std::io::Error::other(e.to_string())));
                }
                errors.push(RowError {
                    line: e.position().map_or(0, |p| p.line()),
                    message: e.to_string(),
                });
                continue;
            }
        }
        let end = rdr.position().byte();
        let bytes = end - at;
        at = end;
        let line = row.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(str::trim).filter(|v| !v.is_empty());
        let Some(ts) = get(Some(tsc)).and_then(parse_ts) else {
            errors.push(RowError {
                line,
                message: format!("ts {:?} is not seconds since 1970 or YYYY-MM-DDTHH:MM:SSZ", row.get(tsc).unwrap_or("")),
            });
            continue;
        };
        let Some(record_id) = get(Some(rid)) else {
            errors.push(RowError {
                line,
                message: "no record_id".into(),
            });
            continue;
        };
        f(
            LoginRow {
                record_id,
                ts,
                ip: get(ipc),
                country: get(cc),
                device_id: get(dc),
            },
            bytes,
        );
    }
    Ok(errors)
}

/// Reads a whole login file into memory (see [`each_login`]; for large files,
/// [`crate::link::link_file`] streams instead).
pub fn read_logins(path: &Path) -> Result<(Vec<LoginEvent>, Vec<RowError>), LinkError> {
    let mut out = Vec::new();
    let mut texts = Interner::default();
    let errors = each_login(path, |r, _| {
        out.push(LoginEvent {
            record_id: texts.get(r.record_id),
            ts: r.ts,
            ip: r.ip.map(|v| texts.get(v)),
            country: r.country.map(|c| texts.get(&c.to_uppercase())),
            device_id: r.device_id.map(|v| texts.get(v)),
        })
    })?;
    Ok((out, errors))
}

/// Seconds since the epoch, or an RFC 3339 UTC timestamp.
pub fn parse_ts(t: &str) -> Option<i64> {
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    // YYYY-MM-DDTHH:MM:SS(Z)
    let b = t.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, m, d, hh, mm, ss) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_mapping_and_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        std::fs::write(
            &p,
            "applicant,full_name,email\na1,Jo,jo@x.com\na2,Al\n,No Id,n@x.com\na1,Dup,d@x.com\na3,Bo,bo@x.com\n",
        )
        .unwrap();
        let m = Mapping::parse(&["id=applicant".into(), "name=full_name".into()]).unwrap();
        let (r, e) = read_records(&p, &m).unwrap();
        assert_eq!(r.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a1", "a3"]);
        assert_eq!(e.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4, 5]);
        assert!(read_records(&p, &Mapping::default()).is_err());
        assert_eq!(parse_ts("1970-01-02T00:00:01Z"), Some(86_401));
        assert_eq!(parse_ts("2024-03-01T00:00:00Z"), Some(1_709_251_200));
    }
}
