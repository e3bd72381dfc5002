//! Entity-resolution quality and time on the shared benchmarks.
//!
//!   er_bench DATA_DIR [THRESHOLD]
//!
//! DATA_DIR is `../shared/data/er`. Prints, per dataset, records, candidate pairs, pairwise
//! precision / recall / F1 of the resulting clusters against the truth, and seconds.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&args[1]);
    let threshold: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(cordon_link::er::DEFAULT_THRESHOLD);
    let sets: &[(&str, &[&str], &str)] = &[
        ("febrl1", &["febrl1.csv"], "febrl"),
        ("febrl2", &["febrl2.csv"], "febrl"),
        ("febrl3", &["febrl3.csv"], "febrl"),
        ("febrl4 (4a + 4b)", &["febrl4a.csv", "febrl4b.csv"], "febrl"),
        ("fake_1000", &["fake_1000.csv"], "cluster"),
        ("historical_50k", &["historical_50k.csv"], "cluster"),
    ];
    for (name, files, truth) in sets {
        let paths: Vec<std::path::PathBuf> = files.iter().map(|f| dir.join(f)).collect();
        let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
        let t0 = std::time::Instant::now();
        let table = cordon_link::er::read_table(&refs, Some(truth)).expect("read");
        let read = t0.elapsed().as_secs_f64();
        let r = cordon_link::er::resolve(&table, threshold);
        let q = r.quality.clone().expect("truth");
        println!(
            "{name:<18} {:>6} records {:>8} candidates  P {:.4}  R {:.4}  F1 {:.4}  {:.2} s (+{read:.2} s reading)",
            r.records, r.candidates, q.precision, q.recall, q.f1, r.secs
        );
    }
}
