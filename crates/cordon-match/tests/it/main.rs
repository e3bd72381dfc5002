//! Measured quality of the name matcher: the labelled dev set, index recall against a
//! brute-force scan, and leave-one-alias-out on the DPRK entries of the UN and OFAC lists.

mod korean_variants;
mod leave_one_out;
mod name_bench;
mod recall;

use std::path::PathBuf;

/// The shared data folder, or `None` (and a skip message) when it is absent.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("CORDON_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: shared data not found at {} (set CORDON_SHARED_DATA)", dir.display());
        None
    }
}
