//! Generic entity resolution (records of the same person under different spellings), for the
//! standard benchmarks (FEBRL, Splink's fake_1000 and historical_50k) and for deduplicating
//! applicant files: blocking, field comparisons in levels, Fellegi–Sunter weights with `u`
//! from random pairs and `m` by expectation–maximisation on the blocked pairs (no labels), a
//! posterior threshold, and clusters as connected components.

use std::collections::HashMap;
use std::path::Path;

use cordon_graph::UnionFind;
use cordon_match::strsim::{jaro_winkler, levenshtein};
use rayon::prelude::*;
use serde::Serialize;

use crate::LinkError;

/// How a column is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FieldKind {
    /// A given name.
    FirstName,
    /// A family name (or a full name).
    Surname,
    /// A date (any digits).
    Date,
    /// An identifier number.
    Id,
    /// A postcode.
    Postcode,
    /// An email.
    Email,
    /// A few values (gender, state).
    Category,
    /// Free text (street, town, occupation).
    Text,
}

impl FieldKind {
    /// The kind a column name suggests.
    pub fn of_column(name: &str) -> Option<FieldKind> {
        let n = name.trim().to_lowercase();
        Some(match n.as_str() {
            "rec_id" | "unique_id" | "id" | "cluster" | "source_dataset" => return None,
            "first_and_surname" | "full_name" => return None,
            _ if n.contains("given") || n.contains("first") => FieldKind::FirstName,
            _ if n.contains("surname") || n.contains("last_name") || n == "name" => FieldKind::Surname,
            _ if n.contains("dob") || n.contains("birth") && n.contains("date") => FieldKind::Date,
            _ if n.contains("soc_sec") || n.ends_with("_id") || n.contains("passport") => FieldKind::Id,
            _ if n.contains("postcode") || n.contains("zip") => FieldKind::Postcode,
            _ if n.contains("email") => FieldKind::Email,
            _ if n == "gender" || n == "state" || n == "sex" => FieldKind::Category,
            _ => FieldKind::Text,
        })
    }

    fn levels(self) -> usize {
        match self {
            FieldKind::FirstName | FieldKind::Surname | FieldKind::Date => 4,
            FieldKind::Id | FieldKind::Email | FieldKind::Text | FieldKind::Postcode => 3,
            FieldKind::Category => 2,
        }
    }
}

/// A table of records to resolve.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Compared columns: (name, kind).
    pub columns: Vec<(String, FieldKind)>,
    /// Record ids.
    pub ids: Vec<String>,
    /// Values per record and column (normalised; `None` when empty).
    pub values: Vec<Vec<Option<String>>>,
    /// True entity per record, when the file has it.
    pub truth: Option<Vec<String>>,
}

/// Reads a CSV; `truth` names the column with the true entity (`cluster`), or `febrl` takes
/// it from FEBRL record ids (`rec-123-dup-0` is entity 123).
pub fn read_table(paths: &[&Path], truth: Option<&str>) -> Result<Table, LinkError> {
    let mut t = Table::default();
    let mut truths = Vec::new();
    for path in paths {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| LinkError::Input {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| LinkError::Input {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let id_col = headers
            .iter()
            .position(|h| h == "rec_id" || h == "unique_id" || h == "id")
            .ok_or_else(|| LinkError::Input {
                path: path.to_path_buf(),
                message: "no id column (rec_id, unique_id or id)".into(),
            })?;
        let cols: Vec<(usize, String, FieldKind)> = headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| FieldKind::of_column(h).map(|k| (i, h.clone(), k)))
            .collect();
        if t.columns.is_empty() {
            t.columns = cols.iter().map(|(_, h, k)| (h.clone(), *k)).collect();
        }
        let truth_col = truth.filter(|c| *c != "febrl").and_then(|c| headers.iter().position(|h| h == c));
        for row in rdr.records() {
            let Ok(row) = row else { continue };
            let id = row.get(id_col).unwrap_or("").to_string();
            let vals = t
                .columns
                .iter()
                .map(|(name, _)| {
                    let i = headers.iter().position(|h| h == name)?;
                    let v = row.get(i)?.trim().to_lowercase();
                    (!v.is_empty()).then_some(v)
                })
                .collect();
            if truth == Some("febrl") {
                truths.push(id.split('-').nth(1).unwrap_or("").to_string());
            } else if let Some(c) = truth_col {
                truths.push(row.get(c).unwrap_or("").to_string());
            }
            t.ids.push(id);
            t.values.push(vals);
        }
    }
    if truth.is_some() {
        t.truth = Some(truths);
    }
    Ok(t)
}

/// The comparison level of two values (0 = exact; higher is less alike).
fn level(kind: FieldKind, a: &str, b: &str) -> usize {
    if a == b {
        return 0;
    }
    match kind {
        FieldKind::FirstName | FieldKind::Surname => {
            let jw = jaro_winkler(a, b);
            if jw >= 0.92 {
                1
            } else if jw >= 0.8 {
                2
            } else {
                3
            }
        }
        FieldKind::Date => {
            // Dates are mostly digits already: no copies then.
            let (da, db) = (digits(a), digits(b));
            if da.len() == 8 && db.len() == 8 && (levenshtein(&da, &db) <= 1 || transposed(&da, &db) || swapped_day_month(&da, &db)) {
                1
            } else if da.len() >= 4 && db.len() >= 4 && da[..4] == db[..4] {
                2
            } else {
                3
            }
        }
        FieldKind::Id | FieldKind::Postcode => {
            if levenshtein(a, b) <= 1 {
                1
            } else {
                2
            }
        }
        FieldKind::Email => {
            let la = a.split('@').next().unwrap_or(a);
            let lb = b.split('@').next().unwrap_or(b);
            if la == lb || jaro_winkler(la, lb) >= 0.9 {
                1
            } else {
                2
            }
        }
        FieldKind::Text => {
            if jaro_winkler(a, b) >= 0.9 {
                1
            } else {
                2
            }
        }
        FieldKind::Category => 1,
    }
}

/// The digits of a date; dates are mostly digits already, and then not copied.
fn digits(x: &str) -> std::borrow::Cow<'_, str> {
    if x.bytes().all(|c| c.is_ascii_digit()) {
        x.into()
    } else {
        x.chars().filter(|c| c.is_ascii_digit()).collect::<String>().into()
    }
}

/// Two adjacent characters swapped (a typing slip).
fn transposed(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let diff: Vec<usize> = (0..a.len().min(b.len())).filter(|&i| a[i] != b[i]).collect();
    a.len() == b.len() && diff.len() == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]
}

fn swapped_day_month(a: &str, b: &str) -> bool {
    a[..4] == b[..4] && a[4..6] == b[6..8] && a[6..8] == b[4..6]
}

/// Candidate pairs from blocking keys: every id, date and email exactly; family name with the
/// first letter of the given name; given name with the birth year; postcode with the first two
/// letters of the family name; family name with the birth year. Keys shared by more than
/// `max_block` records are too common to help and are skipped. Each pair comes with the
/// columns every rule that produced it requires to agree: those say nothing about the pair
/// and are left out when the model is fitted (as Splink does per blocking rule).
pub fn block(t: &Table, max_block: usize) -> Vec<((u32, u32), u32)> {
    let col = |k: FieldKind| t.columns.iter().position(|c| c.1 == k);
    let (first, sur, date, post) = (
        col(FieldKind::FirstName),
        col(FieldKind::Surname),
        col(FieldKind::Date),
        col(FieldKind::Postcode),
    );
    let bit = |c: Option<usize>| c.map_or(0u32, |c| 1 << c);
    // (rule, key) → records; the rule's value is the mask of columns it fixes.
    let mut keys: HashMap<(u32, String), Vec<u32>> = HashMap::new();
    for (i, v) in t.values.iter().enumerate() {
        let get = |c: Option<usize>| c.and_then(|c| v[c].as_deref());
        let mut put = |mask: u32, k: Option<String>| {
            if let Some(k) = k {
                keys.entry((mask, k)).or_default().push(i as u32);
            }
        };
        for (c, (_, kind)) in t.columns.iter().enumerate() {
            if matches!(kind, FieldKind::Id | FieldKind::Date | FieldKind::Email) {
                put(1 << c, v[c].clone());
            }
        }
        let year = get(date).map(|d| d.chars().filter(|c| c.is_ascii_digit()).take(4).collect::<String>());
        // Distinct marker bits (above the columns) keep rules apart when they fix the same column.
        put(
            bit(sur) | 1 << 24,
            get(sur).zip(get(first)).map(|(s, f)| format!("{s}|{}", f.chars().next().unwrap_or(' '))),
        );
        put(bit(first) | 1 << 25, get(first).zip(year.clone()).map(|(f, y)| format!("{f}|{y}")));
        put(
            bit(post) | 1 << 26,
            get(post).zip(get(sur)).map(|(p, s)| format!("{p}|{}", s.chars().take(2).collect::<String>())),
        );
        put(bit(sur) | 1 << 27, get(sur).zip(year).map(|(s, y)| format!("{s}|{y}")));
    }
    // Every (pair, rule) once, then sorted: a pair's runs merge by intersecting the columns
    // fixed (a sort of packed integers is several times faster than a hash map of pairs).
    let lists: Vec<(&Vec<u32>, u32)> = keys
        .iter()
        .filter(|(_, list)| list.len() >= 2 && list.len() <= max_block)
        .map(|((mask, _), list)| (list, mask & 0x00ff_ffff))
        .collect();
    let mut all: Vec<(u64, u32)> = lists
        .par_iter()
        .flat_map_iter(|(list, fixed)| {
            (0..list.len()).flat_map(move |x| {
                (x + 1..list.len()).map(move |y| {
                    let (a, b) = (list[x].min(list[y]), list[x].max(list[y]));
                    ((a as u64) << 32 | b as u64, *fixed)
                })
            })
        })
        .collect();
    all.par_sort_unstable();
    let mut v: Vec<((u32, u32), u32)> = Vec::with_capacity(all.len());
    for (key, fixed) in all {
        let pair = ((key >> 32) as u32, key as u32);
        match v.last_mut() {
            Some((last, mask)) if *last == pair => *mask &= fixed,
            _ => v.push((pair, fixed)),
        }
    }
    v
}

/// How common each record's value of each column is (share of the records that have the
/// column), looked up once per record so pairs read a number instead of hashing a string.
#[derive(Clone, Debug)]
pub struct Frequencies {
    columns: usize,
    /// Per record and column; 0 when the record lacks the column.
    per_record: Vec<f64>,
}

fn frequencies(t: &Table) -> Frequencies {
    let columns = t.columns.len();
    let mut per_record = vec![0.0; t.values.len() * columns];
    for c in 0..columns {
        let mut counts: HashMap<&str, u32> = HashMap::new();
        let mut n = 0.0;
        for v in t.values.iter().filter_map(|v| v[c].as_deref()) {
            *counts.entry(v).or_default() += 1;
            n += 1.0;
        }
        for (r, v) in t.values.iter().enumerate() {
            if let Some(x) = v[c].as_deref() {
                per_record[r * columns + c] = counts[x] as f64 / n;
            }
        }
    }
    Frequencies { columns, per_record }
}

/// Term-frequency adjusted `u` of an exact agreement: agreeing on a common value ("london",
/// "john") is likelier by chance than on a rare one, so the value's own frequency is used
/// when it exceeds the column's average chance of exact agreement.
fn exact_u(freq: &Frequencies, a: u32, c: usize, u0: f64) -> f64 {
    let f = freq.per_record[a as usize * freq.columns + c];
    if f > 0.0 {
        f.max(u0)
    } else {
        u0
    }
}

/// Comparison vector of a pair into `out`: a level per column, `u8::MAX` when either value
/// is missing.
fn compare_into(t: &Table, a: u32, b: u32, out: &mut [u8]) {
    let (va, vb) = (&t.values[a as usize], &t.values[b as usize]);
    let col = |k: FieldKind| t.columns.iter().position(|c| c.1 == k);
    for (c, (_, kind)) in t.columns.iter().enumerate() {
        out[c] = match (&va[c], &vb[c]) {
            (Some(x), Some(y)) => level(*kind, x, y) as u8,
            _ => u8::MAX,
        };
    }
    // Given and family names written in each other's place.
    if let (Some(f), Some(s)) = (col(FieldKind::FirstName), col(FieldKind::Surname)) {
        if let (Some(fa), Some(sa), Some(fb), Some(sb)) = (&va[f], &va[s], &vb[f], &vb[s]) {
            if fa == sb && sa == fb && fa != sa {
                out[f] = 1;
                out[s] = 1;
            }
        }
    }
}

/// A fitted model: per column and level, log2(m/u).
#[derive(Clone, Debug, Serialize)]
pub struct Model {
    /// Prior log-odds of a match among the blocked pairs.
    pub prior: f64,
    /// Weights per column and level.
    pub weights: Vec<Vec<f64>>,
    /// `m` per column and level.
    pub m: Vec<Vec<f64>>,
    /// `u` per column and level.
    pub u: Vec<Vec<f64>>,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Fits `u` on random pairs and `m` (and the prior) by EM on the blocked pairs' comparisons;
/// `fixed[i]` masks the columns pair `i`'s blocking fixed, left out of its fit; exact
/// agreements use term-frequency adjusted `u`.
pub fn fit(t: &Table, pairs: &[(u32, u32)], comparisons: &[u8], fixed: &[u32], freq: &Frequencies) -> Model {
    let stride = t.columns.len().max(1);
    let n = t.ids.len().max(2) as u64;
    let levels: Vec<usize> = t.columns.iter().map(|c| c.1.levels()).collect();
    let smooth = |counts: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        counts
            .into_iter()
            .map(|c| {
                let total: f64 = c.iter().sum::<f64>() + c.len() as f64 * 0.5;
                c.iter().map(|x| (x + 0.5) / total).collect()
            })
            .collect()
    };
    // u from 200,000 random pairs (fixed seeds: the same sample every run), counted on all
    // cores; the counts are whole numbers, so the sum does not depend on the split.
    let zero = || levels.iter().map(|&l| vec![0.0; l]).collect::<Vec<Vec<f64>>>();
    let ucount = (0..200_000u64)
        .into_par_iter()
        .fold(
            || (zero(), vec![0u8; stride]),
            |(mut counts, mut cmp), s| {
                let (a, b) = ((mix(2 * s) % n) as u32, (mix(2 * s + 1) % n) as u32);
                if a != b {
                    compare_into(t, a, b, &mut cmp);
                    for (c, &lv) in cmp.iter().enumerate() {
                        if lv != u8::MAX {
                            counts[c][lv as usize] += 1.0;
                        }
                    }
                }
                (counts, cmp)
            },
        )
        .map(|x| x.0)
        .reduce(zero, |mut a, b| {
            for (x, y) in a.iter_mut().zip(&b) {
                x.iter_mut().zip(y).for_each(|(p, q)| *p += q);
            }
            a
        });
    let u = smooth(ucount);
    // EM for m and the prior, u fixed. With u fixed, a pair's log-odds is the part that
    // depends on m through its pattern of levels (the columns its blocking did not fix),
    // minus a part from u that EM never changes: both are computed once, and the iterations
    // only sum probabilities per pattern. A pattern fits in a u64 (4 bits a column).
    const UNUSED: u64 = 0xF;
    let columns = levels.len().min(16);
    let keyed: Vec<(u64, f64)> = comparisons
        .par_chunks(stride)
        .zip(fixed)
        .zip(pairs)
        .map(|((cmp, &fix), &(a, _))| {
            let mut key = 0u64;
            let mut log_u = 0.0;
            for (c, &lv) in cmp.iter().enumerate().take(columns) {
                let used = lv != u8::MAX && fix & (1 << c) == 0;
                key |= if used { lv as u64 } else { UNUSED } << (4 * c);
                if used {
                    log_u += if lv == 0 { exact_u(freq, a, c, u[c][0]) } else { u[c][lv as usize] }.log2();
                }
            }
            (key, log_u)
        })
        .collect();
    let mut patterns: Vec<u64> = keyed.iter().map(|k| k.0).collect();
    patterns.par_sort_unstable();
    patterns.dedup();
    let pattern_of: Vec<u32> = keyed.par_iter().map(|k| patterns.binary_search(&k.0).unwrap_or(0) as u32).collect();
    let level_of = |key: u64, c: usize| ((key >> (4 * c)) & UNUSED) as usize;
    let mut m: Vec<Vec<f64>> = levels
        .iter()
        .map(|&l| (0..l).map(|i| if i == 0 { 0.8 } else { 0.2 / (l - 1) as f64 }).collect())
        .collect();
    let mut lambda = 0.1f64;
    for _ in 0..15 {
        let prior = (lambda / (1.0 - lambda)).log2();
        let log_m: Vec<f64> = patterns
            .iter()
            .map(|&key| {
                (0..columns)
                    .filter(|&c| level_of(key, c) != UNUSED as usize)
                    .map(|c| m[c][level_of(key, c)].log2())
                    .sum()
            })
            .collect();
        let zero = || vec![0.0f64; patterns.len()];
        let sums = keyed
            .par_iter()
            .zip(&pattern_of)
            .fold(zero, |mut acc, (&(_, log_u), &pat)| {
                acc[pat as usize] += 1.0 / (1.0 + (-(prior + log_m[pat as usize] - log_u)).exp2());
                acc
            })
            .reduce(zero, |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            });
        let mut mcount: Vec<Vec<f64>> = levels.iter().map(|&l| vec![0.0; l]).collect();
        for (&key, &p) in patterns.iter().zip(&sums) {
            for (c, counts) in mcount.iter_mut().enumerate().take(columns) {
                let lv = level_of(key, c);
                if lv != UNUSED as usize {
                    counts[lv] += p;
                }
            }
        }
        let total: f64 = sums.iter().sum();
        lambda = (total / pairs.len().max(1) as f64).clamp(1e-6, 1.0 - 1e-6);
        m = smooth(mcount);
    }
    let weights = m
        .iter()
        .zip(&u)
        .map(|(mc, uc)| mc.iter().zip(uc).map(|(a, b)| (a / b).log2()).collect())
        .collect();
    Model {
        prior: (lambda / (1.0 - lambda)).log2(),
        weights,
        m,
        u,
    }
}

/// Match probability of a pair's comparison vector (`a` is one of the pair, for term
/// frequencies).
pub fn probability(model: &Model, freq: &Frequencies, a: u32, cmp: &[u8]) -> f64 {
    let mut log = model.prior;
    for (c, &lv) in cmp.iter().enumerate() {
        if lv == 0 {
            log += (model.m[c][0] / exact_u(freq, a, c, model.u[c][0])).log2();
        } else if lv != u8::MAX {
            log += model.weights[c][lv as usize];
        }
    }
    1.0 / (1.0 + 2f64.powf(-log))
}

/// Match probability from which two records are one entity. High on purpose: the model
/// treats columns as independent, but names, dates and places of one person are correlated,
/// so posterior probabilities are overconfident and 0.5 would accept weak pairs. Measured on
/// the shared benchmarks at 0.99, 0.999 and 0.9999 (README); this value is the best of
/// those for the noisiest set (historical_50k) and loses nothing on FEBRL.
pub const DEFAULT_THRESHOLD: f64 = 0.9999;

/// Result of resolving a table.
#[derive(Clone, Debug, Serialize)]
pub struct Resolution {
    /// Records.
    pub records: usize,
    /// Blocked candidate pairs.
    pub candidates: usize,
    /// Pairs at or above the threshold.
    pub matches: usize,
    /// Cluster id (smallest member index) per record.
    #[serde(skip)]
    pub clusters: Vec<u32>,
    /// Agreement with the truth, when known.
    pub quality: Option<Quality>,
    /// Seconds.
    pub secs: f64,
}

/// Pairwise precision, recall and F1 of the pairs implied by clusters.
#[derive(Clone, Debug, Serialize)]
pub struct Quality {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

/// Blocks, fits, scores and clusters; scores against the truth when the table has it.
pub fn resolve(t: &Table, threshold: f64) -> Resolution {
    let start = std::time::Instant::now();
    let phase = |what: &str| {
        if std::env::var_os("CORDON_ER_TIMES").is_some() {
            eprintln!("{what}: {:.3} s", start.elapsed().as_secs_f64());
        }
    };
    let blocked = block(t, 1000);
    phase("block");
    let pairs: Vec<(u32, u32)> = blocked.iter().map(|b| b.0).collect();
    let fixed: Vec<u32> = blocked.iter().map(|b| b.1).collect();
    // One level per column per pair, flat: two million small vectors were a tenth of the time.
    let stride = t.columns.len().max(1);
    let mut comparisons = vec![0u8; pairs.len() * stride];
    comparisons
        .par_chunks_mut(stride)
        .zip(&pairs)
        .for_each(|(out, &(a, b))| compare_into(t, a, b, out));
    phase("compare");
    let freq = frequencies(t);
    let model = fit(t, &pairs, &comparisons, &fixed, &freq);
    phase("fit");
    // Clusters from the matched pairs, strongest first. A record joins a cluster on one
    // match, but two clusters join only when at least half the records of the smaller one
    // match into the larger: people's records match densely among themselves, while a few
    // spurious matches between two people would otherwise chain them together.
    let mut matched: Vec<(f64, u32, u32)> = pairs
        .par_iter()
        .zip(comparisons.par_chunks(stride))
        .map(|(&(a, b), cmp)| (probability(&model, &freq, a, cmp), a, b))
        .filter(|m| m.0 >= threshold)
        .collect();
    phase("score");
    matched.sort_by(|x, y| y.0.total_cmp(&x.0));
    let matches = matched.len();
    let n = t.ids.len();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(_, a, b) in &matched {
        adj[a as usize].push(b);
        adj[b as usize].push(a);
    }
    let mut uf = UnionFind::new(n as u32);
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let mut refused: std::collections::HashSet<(u32, u32, usize, usize)> = Default::default();
    for &(_, a, b) in &matched {
        let (ra, rb) = (uf.find(a), uf.find(b));
        if ra == rb {
            continue;
        }
        let (small, big) = if members[ra as usize].len() <= members[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let (ns, nb) = (members[small as usize].len(), members[big as usize].len());
        if ns > 1 {
            // Same two clusters, same sizes: the answer has not changed.
            let key = (small.min(big), small.max(big), ns, nb);
            if refused.contains(&key) {
                continue;
            }
            let mut joined = 0;
            for &m in &members[small as usize] {
                if adj[m as usize].iter().any(|&x| uf.find(x) == big) {
                    joined += 1;
                }
            }
            if joined * 2 < ns {
                refused.insert(key);
                continue;
            }
        }
        uf.union(small, big);
        let root = uf.find(small);
        let other = if root == small { big } else { small };
        let moved = std::mem::take(&mut members[other as usize]);
        members[root as usize].extend(moved);
    }
    let clusters = uf.roots();
    let secs = start.elapsed().as_secs_f64();
    let quality = t.truth.as_ref().map(|truth| quality(&clusters, truth));
    Resolution {
        records: t.ids.len(),
        candidates: pairs.len(),
        matches,
        clusters,
        quality,
        secs,
    }
}

/// Pairwise agreement of predicted clusters with true entities (contingency counts, no pair
/// enumeration).
pub fn quality(pred: &[u32], truth: &[String]) -> Quality {
    let c2 = |n: u64| n * n.saturating_sub(1) / 2;
    let mut both: HashMap<(u32, &str), u64> = HashMap::new();
    let mut p: HashMap<u32, u64> = HashMap::new();
    let mut q: HashMap<&str, u64> = HashMap::new();
    for (x, t) in pred.iter().zip(truth) {
        *both.entry((*x, t.as_str())).or_default() += 1;
        *p.entry(*x).or_default() += 1;
        *q.entry(t.as_str()).or_default() += 1;
    }
    let tp: u64 = both.values().map(|&n| c2(n)).sum();
    let pp: u64 = p.values().map(|&n| c2(n)).sum();
    let tt: u64 = q.values().map(|&n| c2(n)).sum();
    let precision = if pp == 0 { 1.0 } else { tp as f64 / pp as f64 };
    let recall = if tt == 0 { 1.0 } else { tp as f64 / tt as f64 };
    Quality {
        precision,
        recall,
        f1: if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_by_contingency() {
        let pred = [0, 0, 0, 3];
        let truth: Vec<String> = ["a", "a", "b", "b"].iter().map(|s| s.to_string()).collect();
        let q = quality(&pred, &truth);
        // Predicted pairs: 3 (one true); true pairs: 2.
        assert!((q.precision - 1.0 / 3.0).abs() < 1e-9);
        assert!((q.recall - 0.5).abs() < 1e-9);
    }

    #[test]
    fn levels() {
        assert_eq!(level(FieldKind::Date, "19560409", "19560490"), 1);
        assert_eq!(level(FieldKind::Date, "19560409", "19560904"), 1);
        assert_eq!(level(FieldKind::Date, "19560409", "19561231"), 2);
        assert_eq!(level(FieldKind::Surname, "mccarthy", "mccarty"), 1);
    }
}
