//! Entity resolution on the shared benchmarks (FEBRL, fake_1000, historical_50k): quality floors computed
//! against the files' own truth.

use std::path::PathBuf;

fn er_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CORDON_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("er");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: shared data not found at {} (set CORDON_SHARED_DATA)", dir.display());
        None
    }
}

fn f1(files: &[&str], truth: &str) -> f64 {
    let dir = er_dir().expect("checked");
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let t = cordon_link::er::read_table(&refs, Some(truth)).unwrap();
    let r = cordon_link::er::resolve(&t, cordon_link::er::DEFAULT_THRESHOLD);
    let q = r.quality.unwrap();
    eprintln!("{files:?}: P {:.4} R {:.4} F1 {:.4}", q.precision, q.recall, q.f1);
    q.f1
}

#[test]
fn febrl_and_fake_1000() {
    if er_dir().is_none() {
        return;
    }
    assert!(f1(&["febrl3.csv"], "febrl") >= 0.998);
    assert!(f1(&["febrl4a.csv", "febrl4b.csv"], "febrl") >= 0.998);
    assert!(f1(&["fake_1000.csv"], "cluster") >= 0.90);
    assert!(f1(&["historical_50k.csv"], "cluster") >= 0.85);
}
