//! Scores name pairs one by one with Cordon's pairwise scorer, the way a peer's pairwise matcher
//! is timed (nomenklatura's `bench_matcher`): each pair is analysed and compared from scratch,
//! nothing is indexed or cached between pairs.
//!
//!     cargo run --release -p cordon-match --example pair_scores -- PAIRS.csv [ROUNDS]
//!
//! PAIRS.csv has the columns `schema,name1,name2` and optionally `is_match` (`true`/`false`),
//! as the nomenklatura name bench does (extra columns are ignored, headers are matched by
//! name). Prints the time per pair (best of ROUNDS passes, default 5) and, when labels are
//! present, precision, recall and F1 at the default threshold.

use std::time::Instant;

use cordon_match::{analyze, compare_names, DEFAULT_THRESHOLD};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: pair_scores PAIRS.csv [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5).max(1);
    let mut rdr = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let headers = rdr.headers().expect("a header row").clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(cs), Some(c1), Some(c2)) = (col("schema"), col("name1"), col("name2")) else {
        panic!("{path}: needs the columns schema, name1, name2");
    };
    let label = col("is_match");
    let mut pairs: Vec<(bool, String, String, Option<bool>)> = Vec::new();
    for (line, r) in rdr.records().enumerate() {
        let r = r.unwrap_or_else(|e| panic!("{path}: record {}: {e}", line + 1));
        pairs.push((r[cs] != *"Person", r[c1].to_string(), r[c2].to_string(), label.map(|c| &r[c] == "true")));
    }
    let mut best = f64::INFINITY;
    let mut scores = Vec::with_capacity(pairs.len());
    for _ in 0..rounds {
        scores.clear();
        let t = Instant::now();
        for (is_org, a, b, _) in &pairs {
            let s = compare_names(&analyze(a, *is_org), &analyze(b, *is_org), &|_| 1.0).score;
            scores.push(std::hint::black_box(s));
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "cordon: {} pairs, {:.2} µs per pair (best of {rounds} passes, one thread)",
        pairs.len(),
        best * 1e6 / pairs.len().max(1) as f64
    );
    if pairs.iter().all(|p| p.3.is_some()) && !pairs.is_empty() {
        let (mut tp, mut fp, mut fn_) = (0u32, 0u32, 0u32);
        for (p, s) in pairs.iter().zip(&scores) {
            match (p.3 == Some(true), *s >= DEFAULT_THRESHOLD) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
        let p = tp as f64 / (tp + fp).max(1) as f64;
        let r = tp as f64 / (tp + fn_).max(1) as f64;
        println!(
            "cordon: threshold {DEFAULT_THRESHOLD}: P {p:.3} R {r:.3} F1 {:.3}",
            if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
        );
    }
}
