//! OFAC legacy CSV set: `sdn.csv` (primary records), `add.csv` (addresses), `alt.csv` (strong
//! aliases) and `sdn_comments.csv` (the continuation of remarks too long for `sdn.csv`); the
//! consolidated list uses the same layout as `cons_prim.csv`, `cons_add.csv`, `cons_alt.csv`,
//! `cons_comments.csv`.
//!
//! The files have no header; `-0-` is OFAC's null. Weak aliases live only in the remarks, as
//! quoted `a.k.a.` items, which [`crate::remarks`] turns into names.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use cordon_model::{Address, AliasKind, Country, Entity, EntityKind, ListFormat, Name, NamePart, NamePartKind, NameQuality};
use sha2::{Digest, Sha256};

use crate::input::{self, HashingReader};
use crate::{ListError, ParsedBody, ParsedList, Position};

/// One file of a set: a reader and the path to name in errors.
pub struct CsvPart<'a> {
    reader: Box<dyn Read + 'a>,
    path: PathBuf,
}

impl<'a> CsvPart<'a> {
    /// A part from any reader.
    pub fn new(reader: impl Read + 'a, path: &Path) -> Self {
        CsvPart {
            reader: Box::new(reader),
            path: path.to_path_buf(),
        }
    }
}

/// The files of one CSV set; only the primary file is required.
pub struct CsvSet<'a> {
    /// `sdn.csv` / `cons_prim.csv`.
    pub sdn: CsvPart<'a>,
    /// `add.csv`.
    pub add: Option<CsvPart<'a>>,
    /// `alt.csv`.
    pub alt: Option<CsvPart<'a>>,
    /// `sdn_comments.csv`.
    pub comments: Option<CsvPart<'a>>,
}

impl<'a> CsvSet<'a> {
    /// A set of just the primary file.
    pub fn sdn_only(reader: impl Read + 'a, path: &Path) -> Self {
        CsvSet {
            sdn: CsvPart::new(reader, path),
            add: None,
            alt: None,
            comments: None,
        }
    }
}

/// True when bytes look like the start of `sdn.csv`: a number, then a quoted name.
pub fn looks_like_sdn_csv(head: &[u8]) -> bool {
    let digits = head.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && head[digits..].starts_with(b",\"")
}

fn null(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty() && t != "-0-").then_some(t)
}

/// Reads all rows of one file, each as owned UTF-8 fields with its line number.
fn rows(part: CsvPart<'_>, min_fields: usize) -> Result<Vec<(u64, Vec<String>)>, ListError> {
    let path = part.path.clone();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(part.reader);
    let mut out = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line());
                return Err(ListError::Malformed {
                    path,
                    position: Position {
                        line,
                        offset: e.position().map(|p| p.byte()),
                    },
                    message: format!("invalid CSV: {e}"),
                });
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        // OFAC ends its files with a DOS end-of-file byte (0x1A) on a line of its own.
        if rec.len() == 1 && rec[0].iter().all(|b| *b == 0x1a || b.is_ascii_whitespace()) {
            continue;
        }
        if rec.len() < min_fields {
            return Err(ListError::Malformed {
                path,
                position: Position {
                    line: Some(line),
                    offset: None,
                },
                message: format!("expected at least {min_fields} fields, found {}", rec.len()),
            });
        }
        let mut fields = Vec::with_capacity(rec.len());
        for (i, f) in rec.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    return Err(ListError::Field {
                        path,
                        position: Position {
                            line: Some(line),
                            offset: None,
                        },
                        field: format!("column {}", i + 1),
                        message: "invalid UTF-8".into(),
                    })
                }
            }
        }
        out.push((line, fields));
    }
    Ok(out)
}

fn ent_num(path: &Path, line: u64, s: &str) -> Result<u64, ListError> {
    s.trim().parse().map_err(|_| ListError::Field {
        path: path.to_path_buf(),
        position: Position {
            line: Some(line),
            offset: None,
        },
        field: "ent_num (column 1)".into(),
        message: format!("{s:?} is not an entry number"),
    })
}

/// Parses a CSV set.
pub fn parse_set(set: CsvSet<'_>) -> Result<ParsedBody, ListError> {
    let sdn_path = set.sdn.path.clone();
    let mut entities = Vec::new();
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut remarks: Vec<String> = Vec::new();
    for (line, f) in rows(set.sdn, 12)? {
        let num = ent_num(&sdn_path, line, &f[0])?;
        let kind = match null(&f[2]).map(str::to_ascii_lowercase).as_deref() {
            Some("individual") => EntityKind::Person,
            Some("vessel") => EntityKind::Vessel,
            Some("aircraft") => EntityKind::Aircraft,
            None | Some("entity") => EntityKind::Organization,
            Some(other) => {
                return Err(ListError::Field {
                    path: sdn_path,
                    position: Position {
                        line: Some(line),
                        offset: None,
                    },
                    field: "SDN_Type (column 3)".into(),
                    message: format!("unknown type {other:?}"),
                })
            }
        };
        let mut e = Entity::new(format!("ofac:{num}"), kind);
        let Some(name) = null(&f[1]) else {
            return Err(ListError::Field {
                path: sdn_path,
                position: Position {
                    line: Some(line),
                    offset: None,
                },
                field: "SDN_Name (column 2)".into(),
                message: "empty name".into(),
            });
        };
        e.names.push(structured_name(name, kind, AliasKind::Primary, NameQuality::Strong));
        if let Some(p) = null(&f[3]) {
            for prog in p.split("] [") {
                e.add_program(prog.trim_matches(['[', ']', ' ']));
            }
        }
        if let Some(t) = null(&f[4]) {
            e.titles.push(t.to_string());
        }
        for (i, key) in [
            (5, "Vessel Call Sign"),
            (6, "VESSEL TYPE"),
            (7, "Vessel Tonnage"),
            (8, "Vessel Gross Registered Tonnage"),
            (9, "Vessel Flag"),
            (10, "Vessel Owner"),
        ] {
            if let Some(v) = null(&f[i]) {
                e.add_extra(format!("ofac:{key}"), v);
            }
        }
        // Not trimmed: sdn_comments.csv continues the text exactly where this cuts off.
        remarks.push(if null(&f[11]).is_some() { f[11].clone() } else { String::new() });
        if index.insert(num, entities.len()).is_some() {
            return Err(ListError::Field {
                path: sdn_path,
                position: Position {
                    line: Some(line),
                    offset: None,
                },
                field: "ent_num (column 1)".into(),
                message: format!("entry {num} appears twice"),
            });
        }
        entities.push(e);
    }
    // A row of a secondary file whose entry is not in the primary file cannot be placed. OFAC's
    // own sets are consistent; a subset or a mismatched set is read with a warning per row.
    let mut warnings = Vec::new();
    let mut lookup = |path: &Path, line: u64, s: &str| -> Result<Option<usize>, ListError> {
        let n = ent_num(path, line, s)?;
        let found = index.get(&n).copied();
        if found.is_none() {
            warnings.push(format!(
                "{}: line {line}: entry {n} is not in {}; row skipped",
                path.display(),
                sdn_path.display()
            ));
        }
        Ok(found)
    };
    if let Some(part) = set.comments {
        let path = part.path.clone();
        for (line, f) in rows(part, 2)? {
            let Some(i) = lookup(&path, line, &f[0])? else {
                continue;
            };
            if null(&f[1]).is_some() {
                remarks[i].push_str(&f[1]);
            }
        }
    }
    for (e, r) in entities.iter_mut().zip(&remarks) {
        let r = r.trim();
        if !r.is_empty() {
            crate::remarks::apply(e, r);
            e.remarks.push(r.to_string());
        }
    }
    if let Some(part) = set.alt {
        let path = part.path.clone();
        for (line, f) in rows(part, 4)? {
            let Some(i) = lookup(&path, line, &f[0])? else {
                continue;
            };
            let Some(name) = null(&f[3]) else { continue };
            let kind = match null(&f[2]).map(str::to_ascii_lowercase).as_deref() {
                Some("fka") => AliasKind::Fka,
                Some("nka") => AliasKind::Nka,
                _ => AliasKind::Aka,
            };
            let ek = entities[i].kind;
            let mut n = structured_name(name, ek, kind, NameQuality::Strong);
            n.quality_label = Some("strong".into());
            n.note = f.get(4).and_then(|s| null(s)).map(str::to_string);
            entities[i].names.push(n);
        }
    }
    if let Some(part) = set.add {
        let path = part.path.clone();
        for (line, f) in rows(part, 5)? {
            let Some(i) = lookup(&path, line, &f[0])? else {
                continue;
            };
            let a = Address {
                full: None,
                street: null(&f[2]).map(str::to_string),
                city: null(&f[3]).map(str::to_string),
                region: None,
                postal_code: None,
                country: null(&f[4]).map(Country::from_name),
                note: f.get(5).and_then(|s| null(s)).map(str::to_string),
            };
            if !a.is_empty() {
                entities[i].addresses.push(a);
            }
        }
    }
    Ok(ParsedBody {
        issued: None,
        entities,
        warnings,
    })
}

/// "KIM, Jong Un" for a person is family name KIM, given name Jong Un.
fn structured_name(full: &str, kind: EntityKind, alias: AliasKind, quality: NameQuality) -> Name {
    let mut n = Name::new(full, alias, quality);
    if kind == EntityKind::Person {
        if let Some((family, given)) = full.split_once(", ") {
            n.parts = vec![
                NamePart {
                    kind: NamePartKind::Family,
                    value: family.trim().to_string(),
                },
                NamePart {
                    kind: NamePartKind::Given,
                    value: given.trim().to_string(),
                },
            ];
        }
    }
    n
}

const SDN_FILES: [&str; 4] = ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"];
const CONS_FILES: [&str; 4] = ["cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"];

/// Reads a directory holding a CSV set (`sdn.csv` … or `cons_prim.csv` …).
pub fn parse_dir(dir: &Path) -> Result<ParsedList, ListError> {
    let find = |name: &str| -> Option<PathBuf> {
        [name.to_string(), format!("{name}.gz"), format!("{name}.bz2"), name.to_uppercase()]
            .into_iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    };
    let (names, source) = if find(SDN_FILES[0]).is_some() {
        (SDN_FILES, "ofac")
    } else if find(CONS_FILES[0]).is_some() {
        (CONS_FILES, "ofac-cons")
    } else {
        return Err(ListError::UnknownFormat {
            path: dir.to_path_buf(),
            detail: "a directory without sdn.csv or cons_prim.csv (directories are read as OFAC CSV sets)".into(),
        });
    };
    let paths: Vec<Option<PathBuf>> = names.iter().map(|n| find(n)).collect();
    let mut readers = Vec::new();
    for p in &paths {
        readers.push(match p {
            Some(p) => Some((HashingReader::new(input::open_decompressed(p)?), p.clone())),
            None => None,
        });
    }
    // Parse through the hashing readers, then fold the four hashes into one, each under its role.
    let mut hashes: Vec<Option<(String, u64)>> = Vec::new();
    let body = {
        let mut parts = readers.iter_mut().map(|slot| slot.as_mut().map(|(r, p)| CsvPart::new(r, p)));
        let sdn = parts.next().flatten().expect("primary file found above");
        let set = CsvSet {
            sdn,
            add: parts.next().flatten(),
            alt: parts.next().flatten(),
            comments: parts.next().flatten(),
        };
        parse_set(set)?
    };
    let mut bytes = 0;
    for r in readers {
        hashes.push(match r {
            Some((mut r, p)) => {
                std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| ListError::io(&p, e))?;
                let (h, n) = r.finish();
                bytes += n;
                Some((h, n))
            }
            None => None,
        });
    }
    let mut combined = Sha256::new();
    for (name, h) in names.iter().zip(&hashes) {
        if let Some((h, _)) = h {
            combined.update(format!("{name}:{h}\n"));
        }
    }
    Ok(ParsedList {
        source: source.into(),
        format: ListFormat::OfacCsv,
        issued: None,
        sha256: input::hex(&combined.finalize()),
        bytes,
        entities: body.entities,
        warnings: body.warnings,
        origin: dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_joins_files() {
        let sdn = "27307,\"LAZARUS GROUP\",-0- ,\"DPRK3\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Digital Currency Address - ETH 0x098B716B8Aaf21512996dC57EB0615e2383E2f96; a.k.a. 'HIDDEN\"\r\n\
                   20157,\"KIM, Jong Un\",\"individual\",\"DPRK] [DPRK3\",\"Chairman\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 08 Jan 1984.\"\r\n\x1a";
        let comments = "27307,\" COBRA'.\"\r\n";
        let alt = "20157,1,\"aka\",\"KIM, Jong-un\",-0- \r\n";
        let add = "27307,2,-0- ,\"Pyongyang\",\"Korea, North\",-0- \r\n";
        let p = Path::new("sdn.csv");
        let set = CsvSet {
            sdn: CsvPart::new(sdn.as_bytes(), p),
            add: Some(CsvPart::new(add.as_bytes(), Path::new("add.csv"))),
            alt: Some(CsvPart::new(alt.as_bytes(), Path::new("alt.csv"))),
            comments: Some(CsvPart::new(comments.as_bytes(), Path::new("sdn_comments.csv"))),
        };
        let body = parse_set(set).unwrap();
        let [laz, kim] = body.entities.as_slice() else { panic!("two entities") };
        assert_eq!(laz.wallets[0].address, "0x098B716B8Aaf21512996dC57EB0615e2383E2f96");
        assert_eq!(laz.names[1].full, "HIDDEN COBRA", "remarks continued in sdn_comments.csv");
        assert_eq!(laz.addresses[0].country.as_ref().unwrap().code(), Some("KP"));
        assert_eq!(kim.kind, EntityKind::Person);
        assert_eq!(kim.programs, ["DPRK", "DPRK3"]);
        assert_eq!(kim.names[0].parts[0].value, "KIM");
        assert_eq!(kim.names[1].full, "KIM, Jong-un");
        assert_eq!(kim.birth_dates[0].to_string(), "1984-01-08");
    }

    #[test]
    fn reports_line_of_bad_rows() {
        let sdn = "1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n2,\"B\",-0-\n";
        let err = parse_set(CsvSet::sdn_only(sdn.as_bytes(), Path::new("sdn.csv"))).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let bad = "x1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let err = parse_set(CsvSet::sdn_only(bad.as_bytes(), Path::new("sdn.csv"))).unwrap_err();
        assert!(err.to_string().contains("ent_num"), "{err}");
    }
}
