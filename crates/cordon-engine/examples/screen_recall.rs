//! Recall of the candidate index against a brute-force scan with the same scorer, on real lists
//! and a real query file, and the time of each (a ratio, measured in one process):
//!
//!     cargo run --release -p cordon-engine --example screen_recall -- HOME QUERIES.csv [N]
//!
//! HOME is a Cordon home with lists loaded; QUERIES.csv has a `name` column (bench/gen_queries.py).

use std::time::Instant;

/// The allocator the `cordon` binary uses (built with `--features mimalloc`, as bench/screen.sh
/// does; without it, the system's).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cordon_match::{Query, Schema, SCREEN_THRESHOLD};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let home = std::path::PathBuf::from(&args[1]);
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(300);
    let store = cordon_store::Store::open(&home).expect("store");
    let t = Instant::now();
    let versions = store.active_versions().expect("versions");
    let mut entities = Vec::new();
    for v in &versions {
        entities.extend(store.entities(v.id).expect("entities"));
    }
    let t_load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let screener = cordon_match::Screener::new(&entities);
    println!(
        "loaded {} entities in {t_load:.2} s; index built in {:.2} s",
        entities.len(),
        t.elapsed().as_secs_f64()
    );
    let mut rdr = csv::Reader::from_path(&args[2]).expect("queries");
    let queries: Vec<Query> = rdr
        .records()
        .take(n)
        .map(|r| {
            let r = r.expect("row");
            Query {
                name: r[1].to_string(),
                schema: Some(Schema::Person),
                ..Query::default()
            }
        })
        .collect();
    let t = Instant::now();
    let fast: Vec<_> = queries.iter().map(|q| screener.screen(q, SCREEN_THRESHOLD, usize::MAX)).collect();
    let t_index = t.elapsed().as_secs_f64();
    if std::env::var_os("CORDON_BENCH_NO_SCAN").is_some() {
        // More passes over the same queries, in this process: this VM's speed drifts from run
        // to run, and the spread of several passes shows how much.
        let passes: usize = std::env::var("CORDON_BENCH_PASSES").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
        let mut rates = vec![queries.len() as f64 / t_index];
        for _ in 1..passes {
            let t = Instant::now();
            let again: usize = queries.iter().map(|q| screener.screen(q, SCREEN_THRESHOLD, usize::MAX).len()).sum();
            rates.push(queries.len() as f64 / t.elapsed().as_secs_f64());
            assert_eq!(again, fast.iter().map(Vec::len).sum::<usize>(), "a pass found other hits");
        }
        if passes == 1 {
            println!("{} queries: index {:.0} q/s (one thread)", queries.len(), rates[0]);
        } else {
            let each: Vec<String> = rates.iter().map(|r| format!("{r:.0}")).collect();
            rates.sort_by(f64::total_cmp);
            println!(
                "{} queries, {passes} passes: index median {:.0} q/s (one thread; passes {})",
                queries.len(),
                rates[passes / 2],
                each.join(", ")
            );
        }
        return;
    }
    let t = Instant::now();
    let full: Vec<_> = queries.iter().map(|q| screener.screen_all(q, SCREEN_THRESHOLD, usize::MAX)).collect();
    let t_scan = t.elapsed().as_secs_f64();
    let (mut want, mut found) = (0, 0);
    let mut missed = Vec::new();
    for ((f, a), q) in fast.iter().zip(&full).zip(&queries) {
        for h in a {
            want += 1;
            if f.iter().any(|x| x.entity_id == h.entity_id) {
                found += 1;
            } else {
                missed.push(format!("{:.3} {} -> {} [{}]", h.score, q.name, h.caption, h.explanation.join("; ")));
            }
        }
    }
    if std::env::var_os("CORDON_BENCH_ERRORS").is_some() {
        missed.iter().for_each(|m| println!("missed {m}"));
    }
    println!(
        "{} queries: index recall {found}/{want} = {:.4}; index {:.0} q/s, brute force {:.1} q/s (one thread), speed-up {:.0}x",
        queries.len(),
        found as f64 / want.max(1) as f64,
        queries.len() as f64 / t_index,
        queries.len() as f64 / t_scan,
        t_scan / t_index
    );
}
