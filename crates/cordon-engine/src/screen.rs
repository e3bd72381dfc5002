//! Screening workflows: one query, or a file of records streamed through the screener in
//! batches on all cores, written in input order.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::Instant;

use cordon_match::{Hit, Query, Schema, Screener};
use cordon_model::{Gender, PartialDate};
use serde::Serialize;

use crate::index::ListIndex;
use crate::{EngineError, Result};

/// Input file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// One JSON object per input row, in input order.
    Jsonl,
    /// One CSV row per match (a row without matches gives one row with empty match fields).
    Csv,
}

/// Options of a batch screening.
#[derive(Clone, Debug)]
pub struct ScreenOptions {
    /// Minimum score.
    pub threshold: f64,
    /// Matches per row.
    pub limit: usize,
    /// Output format.
    pub output: OutputFormat,
    /// Worker threads (default: available cores).
    pub threads: usize,
}

/// What a batch screening did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScreenSummary {
    /// Rows read.
    pub rows: u64,
    /// Rows with at least one match.
    pub matched: u64,
    /// Rows that could not be read (reported in the output).
    pub errors: u64,
    /// Seconds.
    pub secs: f64,
}

/// One input record.
#[derive(Clone, Debug, Default)]
struct Record {
    id: Option<String>,
    name: String,
    query: Query,
    warnings: Vec<String>,
    /// The screened fields as given, as a JSON object with sorted keys: what is stored for a
    /// recorded screening, and hashed to notice a changed record.
    fields: String,
}

/// The fields a record is screened on, each with the column names it may come under.
const FIELDS: &[(&str, &[&str])] = &[
    ("name", &["name"]),
    ("dob", &["dob", "birth_date", "date_of_birth"]),
    ("nationality", &["nationality", "country"]),
    ("gender", &["gender"]),
    ("id_number", &["id_number", "passport"]),
    ("wallet", &["wallet"]),
    ("schema", &["schema", "type"]),
];

/// A field by its canonical name, under any of its column names.
fn field(get: &dyn Fn(&str) -> Option<String>, canon: &str) -> Option<String> {
    let (_, names) = FIELDS.iter().find(|(c, _)| *c == canon)?;
    names.iter().find_map(|n| get(n)).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn fields_json(get: &dyn Fn(&str) -> Option<String>) -> String {
    let map: std::collections::BTreeMap<&str, String> = FIELDS.iter().filter_map(|(canon, _)| Some((*canon, field(get, canon)?))).collect();
    serde_json::to_string(&map).expect("strings serialise")
}

/// The query of a record given by its fields (`name`, `dob`, … as in an input file); `None`
/// when it has neither name nor wallet.
pub(crate) fn query_from_fields(get: &dyn Fn(&str) -> Option<String>) -> Option<Query> {
    build(None, get("name"), get).ok().map(|r| r.query)
}

/// The query of one party given by its fields (`name`, `dob`, `nationality`, `gender`,
/// `id_number`, `wallet`, `schema`, under any of their column names), with warnings about
/// values that could not be used; an error when it has neither name nor wallet.
pub fn query_of(get: &dyn Fn(&str) -> Option<String>) -> std::result::Result<(Query, Vec<String>), String> {
    build(None, get("name"), get).map(|r| (r.query, r.warnings))
}

/// Screens several readings of one party (one per name it goes by) and keeps each entity's
/// best hit, best first.
pub fn screen_any(screener: &Screener, queries: &[Query], threshold: f64, limit: usize) -> Vec<Hit> {
    let mut best: Vec<Hit> = Vec::new();
    for q in queries {
        for h in screener.screen(q, threshold, limit) {
            match best.iter_mut().find(|b| b.entity_id == h.entity_id) {
                Some(b) if b.score >= h.score => {}
                Some(b) => *b = h,
                None => best.push(h),
            }
        }
    }
    best.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entity_id.cmp(&b.entity_id)));
    best.truncate(limit);
    best
}

/// One screened row of a batch given as JSON objects.
#[derive(Clone, Debug)]
pub struct RowResult {
    /// The row's `id`.
    pub id: Option<String>,
    /// The screened name.
    pub name: String,
    /// Matches, best first.
    pub hits: Vec<Hit>,
    /// Values that could not be used.
    pub warnings: Vec<String>,
    /// Why the row could not be screened.
    pub error: Option<String>,
}

/// Screens rows given as JSON objects (fields as in an input file), in order, on `threads`
/// threads, recording them when a recorder is given. A row that cannot be screened gets an
/// error and does not stop the others.
pub fn screen_objects(
    index: &ListIndex,
    rows: &[serde_json::Map<String, serde_json::Value>],
    opts: &ScreenOptions,
    recorder: Option<&mut crate::cases::Recorder<'_>>,
) -> Result<Vec<RowResult>> {
    let batch: Vec<Parsed> = rows
        .iter()
        .enumerate()
        .map(|(i, obj)| {
            let get = |k: &str| json_field(obj, k);
            let id = get("id");
            build(id.clone(), get("name"), &get).map_err(|e| (id, format!("row {}: {e}", i + 1)))
        })
        .collect();
    let results = screen_and_record(&index.screener, &batch, opts, recorder)?;
    Ok(batch
        .into_iter()
        .zip(results)
        .map(|(rec, hits)| match rec {
            Ok(r) => RowResult {
                id: r.id,
                name: r.name,
                hits,
                warnings: r.warnings,
                error: None,
            },
            Err((id, e)) => RowResult {
                id,
                name: String::new(),
                hits: Vec::new(),
                warnings: Vec::new(),
                error: Some(e),
            },
        })
        .collect())
}

#[derive(Serialize)]
struct OutMatch<'a> {
    entity_id: &'a str,
    caption: &'a str,
    score: f64,
    explanation: &'a [String],
}

#[derive(Serialize)]
struct OutRow<'a> {
    id: Option<&'a str>,
    name: &'a str,
    matches: Vec<OutMatch<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// A field of a JSON object as text: strings as they are, numbers and booleans written out,
/// null as absent.
fn json_field(obj: &serde_json::Map<String, serde_json::Value>, k: &str) -> Option<String> {
    obj.get(k).and_then(|v| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    })
}

/// The delimiter of a CSV file from its first line (as far as `head` holds it): whichever of
/// comma, tab, semicolon and bar occurs most outside double quotes; a comma when none does.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [0usize; 4];
    const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    // The first of the most frequent: a comma wins ties.
    let best = (0..4).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    CANDIDATES[best]
}

/// The input format of a file: by extension, else by its first byte (`{` is JSON lines).
pub fn detect_input(path: &Path) -> Result<InputFormat> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" => return Ok(InputFormat::Csv),
        "jsonl" | "ndjson" | "json" => return Ok(InputFormat::Jsonl),
        _ => {}
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).map_err(|e| EngineError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    Ok(if head[..n].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        InputFormat::Jsonl
    } else {
        InputFormat::Csv
    })
}

fn build(id: Option<String>, name: Option<String>, get: &dyn Fn(&str) -> Option<String>) -> std::result::Result<Record, String> {
    let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let mut r = Record { id, ..Record::default() };
    let wallet = field(get, "wallet");
    let id_number = field(get, "id_number");
    let Some(name) = name.or_else(|| wallet.clone().map(|_| String::new())) else {
        return Err("empty name".into());
    };
    r.name = name.clone();
    r.query.name = name;
    if let Some(d) = field(get, "dob") {
        match PartialDate::parse_text(&d) {
            Some(d) => r.query.dob = Some(d),
            None => r
                .warnings
                .push(format!("dob {d:?} is not a date (YYYY, YYYY-MM, YYYY-MM-DD, DD Mon YYYY); screened without it")),
        }
    }
    if let Some(c) = field(get, "nationality") {
        match cordon_model::Country::from_name(&c).code {
            Some(code) => r.query.nationality = Some(code),
            None => r.warnings.push(format!("nationality {c:?} is not a known country; screened without it")),
        }
    }
    if let Some(g) = field(get, "gender") {
        r.query.gender = Gender::parse(&g);
    }
    if let Some(s) = field(get, "schema") {
        r.query.schema = match s.to_ascii_lowercase().as_str() {
            "person" | "individual" => Some(Schema::Person),
            "organization" | "organisation" | "company" | "entity" | "legalentity" => Some(Schema::Organization),
            _ => {
                r.warnings.push(format!("schema {s:?} unknown; screened against all entities"));
                None
            }
        };
    }
    r.query.id_number = id_number;
    r.query.wallet = wallet;
    r.fields = fields_json(get);
    Ok(r)
}

/// Counts bytes read, for progress.
struct Counting<R> {
    inner: R,
    n: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.fetch_add(k as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(k)
    }
}

type Parsed = std::result::Result<Record, (Option<String>, String)>;

/// Screens a file of records, writing results in input order. Memory is bounded by one batch;
/// rows that cannot be read are reported in the output and counted, never abort the run.
pub fn screen_file(
    screener: &Screener,
    input: &Path,
    format: InputFormat,
    out: &mut dyn Write,
    opts: &ScreenOptions,
    mut recorder: Option<&mut crate::cases::Recorder<'_>>,
    progress: &mut dyn FnMut(u64, u64, u64),
) -> Result<ScreenSummary> {
    let t = Instant::now();
    let io = |e: std::io::Error| EngineError::Io {
        path: input.to_path_buf(),
        source: e,
    };
    let file = std::fs::File::open(input).map_err(io)?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut reader = BufReader::with_capacity(1 << 16, Counting { inner: file, n: read.clone() });
    let mut summary = ScreenSummary::default();
    let as_csv = opts.output == OutputFormat::Csv;
    if as_csv {
        out.write_all(b"id,name,entity_id,caption,score,explanation,warnings,error\n").map_err(io)?;
    }
    let mut emit = |batch: Vec<Parsed>, summary: &mut ScreenSummary, out: &mut dyn Write| -> Result<()> {
        let results = screen_and_record(screener, &batch, opts, recorder.as_deref_mut())?;
        let mut csv_out = as_csv.then(|| csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new()));
        for (rec, hits) in batch.iter().zip(results) {
            summary.rows += 1;
            match rec {
                Ok(r) => {
                    if !hits.is_empty() {
                        summary.matched += 1;
                    }
                    write_row(out, csv_out.as_mut(), r.id.as_deref(), &r.name, &hits, &r.warnings, None)?;
                }
                Err((id, e)) => {
                    summary.errors += 1;
                    write_row(out, csv_out.as_mut(), id.as_deref(), "", &[], &[], Some(e))?;
                }
            }
        }
        if let Some(w) = csv_out {
            let buf = w.into_inner().map_err(|e| EngineError::Io {
                path: input.to_path_buf(),
                source: e.into_error(),
            })?;
            out.write_all(&buf).map_err(|e| EngineError::Io {
                path: input.to_path_buf(),
                source: e,
            })?;
        }
        progress(summary.rows, read.load(std::sync::atomic::Ordering::Relaxed), total);
        Ok(())
    };
    const BATCH: usize = 4096;
    match format {
        InputFormat::Csv => {
            // Spreadsheets export with the delimiter of their locale (`;` where the comma is
            // the decimal mark) or tabs (.tsv): the header line says which.
            let delimiter = sniff_delimiter(reader.fill_buf().map_err(io)?);
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .trim(csv::Trim::All)
                .from_reader(reader);
            let headers: Vec<String> = rdr
                .headers()
                .map_err(|e| EngineError::Input {
                    path: input.to_path_buf(),
                    message: format!("cannot read the CSV header: {e}"),
                })?
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect();
            let col = |name: &str| headers.iter().position(|h| h == name);
            if col("name").is_none() && col("wallet").is_none() {
                return Err(EngineError::Input {
                    path: input.to_path_buf(),
                    message: format!(
                        "no `name` column (columns: {}); expected id, name, dob, nationality, gender, id_number, wallet, schema",
                        headers.join(", ")
                    ),
                });
            }
            let mut batch: Vec<Parsed> = Vec::with_capacity(BATCH);
            let mut rec = csv::ByteRecord::new();
            loop {
                match rdr.read_byte_record(&mut rec) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = rec.position().map_or(0, |p| p.line());
                        let field = |name: &str| -> Option<String> {
                            col(name)
                                .and_then(|i| rec.get(i))
                                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                                .filter(|s| !s.is_empty())
                        };
                        let id = field("id");
                        if rec.iter().any(|f| std::str::from_utf8(f).is_err()) {
                            batch.push(Err((id, format!("line {line}: invalid UTF-8"))));
                        } else {
                            batch.push(build(id.clone(), field("name"), &field).map_err(|e| (id, format!("line {line}: {e}"))));
                        }
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        batch.push(Err((None, format!("line {line}: {e}"))));
                        if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }) {
                            // An I/O error ends the input; what was read is still reported.
                            break;
                        }
                    }
                }
                if batch.len() == BATCH {
                    emit(std::mem::take(&mut batch), &mut summary, out)?;
                }
            }
            emit(batch, &mut summary, out)?;
        }
        InputFormat::Jsonl => {
            let mut batch: Vec<Parsed> = Vec::with_capacity(BATCH);
            for (i, line) in reader.split(b'\n').enumerate() {
                let line = line.map_err(io)?;
                let text = String::from_utf8_lossy(&line);
                if text.trim().is_empty() {
                    continue;
                }
                let parsed = match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text) {
                    Ok(obj) => {
                        let get = |k: &str| json_field(&obj, k);
                        let id = get("id");
                        build(id.clone(), get("name"), &get).map_err(|e| (id, format!("line {}: {e}", i + 1)))
                    }
                    Err(e) => Err((None, format!("line {}: invalid JSON: {e}", i + 1))),
                };
                batch.push(parsed);
                if batch.len() == BATCH {
                    emit(std::mem::take(&mut batch), &mut summary, out)?;
                }
            }
            emit(batch, &mut summary, out)?;
        }
    }
    out.flush().map_err(io)?;
    summary.secs = t.elapsed().as_secs_f64();
    Ok(summary)
}

/// Screens a batch and, when recording, stores the readable rows with their matches.
fn screen_and_record(screener: &Screener, batch: &[Parsed], opts: &ScreenOptions, recorder: Option<&mut crate::cases::Recorder<'_>>) -> Result<Vec<Vec<Hit>>> {
    let results = run_batch(screener, batch, opts);
    if let Some(r) = recorder {
        let rows = batch
            .iter()
            .zip(&results)
            .filter_map(|(rec, hits)| rec.as_ref().ok().map(|rec| (rec.id.clone(), rec.fields.clone(), hits.as_slice())))
            .collect();
        r.batch(rows)?;
    }
    Ok(results)
}

fn run_batch(screener: &Screener, batch: &[Parsed], opts: &ScreenOptions) -> Vec<Vec<Hit>> {
    let threads = opts.threads.max(1);
    let chunk = batch.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|r| match r {
                            Ok(r) => screener.screen(&r.query, opts.threshold, opts.limit),
                            Err(_) => Vec::new(),
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("screening thread")).collect()
    })
}

fn write_row(
    out: &mut dyn Write,
    csv_out: Option<&mut csv::Writer<Vec<u8>>>,
    id: Option<&str>,
    name: &str,
    hits: &[Hit],
    warnings: &[String],
    error: Option<&str>,
) -> Result<()> {
    let io = |e: std::io::Error| EngineError::Io {
        path: "<output>".into(),
        source: e,
    };
    match csv_out {
        None => {
            let row = OutRow {
                id,
                name,
                matches: hits
                    .iter()
                    .map(|h| OutMatch {
                        entity_id: &h.entity_id,
                        caption: &h.caption,
                        score: (h.score * 1000.0).round() / 1000.0,
                        explanation: &h.explanation,
                    })
                    .collect(),
                warnings,
                error,
            };
            serde_json::to_writer(&mut *out, &row).map_err(|e| io(e.into()))?;
            out.write_all(b"\n").map_err(io)?;
        }
        Some(w) => {
            let warn = warnings.join("; ");
            let csv_err = |e: csv::Error| io(e.into());
            if hits.is_empty() {
                w.write_record([id.unwrap_or(""), name, "", "", "", "", &warn, error.unwrap_or("")])
                    .map_err(csv_err)?;
            }
            for h in hits {
                w.write_record([
                    id.unwrap_or(""),
                    name,
                    &h.entity_id,
                    &h.caption,
                    &format!("{:.3}", h.score),
                    &h.explanation.join(" | "),
                    &warn,
                    "",
                ])
                .map_err(csv_err)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sniff_delimiter;

    #[test]
    fn the_header_line_says_the_delimiter() {
        assert_eq!(sniff_delimiter(b"id,name,dob\n1,a,b\n"), b',');
        assert_eq!(sniff_delimiter(b"\xef\xbb\xbfid;name;dob\n1;a;b\n"), b';');
        assert_eq!(sniff_delimiter(b"id\tname\n1\ta"), b'\t');
        assert_eq!(sniff_delimiter(b"id|name"), b'|');
        // Delimiters inside quotes do not count; a lone column is read with commas.
        assert_eq!(sniff_delimiter(b"\"id;x;y\",name\n"), b',');
        assert_eq!(sniff_delimiter(b"name\nKim; Jong Un\n"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
    }
}
