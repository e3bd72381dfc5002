use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Runs `cordon --home HOME ARGS…` with a clean environment for Cordon's variables.
pub fn cordon(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cordon"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env_remove("CORDON_HOME")
        .env_remove("CORDON_LISTS_DIR")
        .env_remove("CORDON_UN_URL")
        .env_remove("CORDON_OFAC_URL")
        // Tests never reach the official servers: an empty store must not start a download.
        .env("CORDON_NO_FETCH", "1")
        .output()
        .expect("run cordon")
}

pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "cordon failed: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn fails(o: &Output) -> String {
    assert!(!o.status.success(), "expected failure, got: {}", String::from_utf8_lossy(&o.stdout));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn status(home: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&cordon(home, &["lists", "status", "--json"]))).unwrap()
}

/// The store file's bytes of every table that matters, to prove a failed command changed nothing.
pub fn snapshot(home: &Path) -> String {
    let s = status(home);
    let entities = ok(&cordon(home, &["lists", "export", "--format", "csv"]));
    format!("{s}\n{}", entities.len())
}

/// A hand-made FtM list of the server's tests (`mini-v1.ftm.json`, `mini-v2.ftm.json`).
pub fn mini_list(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../cordon-server/tests/data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}
