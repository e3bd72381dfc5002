use std::path::PathBuf;
use std::sync::OnceLock;

use cordon_lists::ParsedList;

/// The shared data folder: `CORDON_SHARED_DATA`, else `../shared/data` from the workspace root.
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

/// Reads a shared file, or returns from the test with a skip message when the data is absent.
#[macro_export]
macro_rules! shared_or_skip {
    ($rel:expr) => {
        match $crate::util::shared() {
            Some(d) => d.join($rel),
            None => return,
        }
    };
}

pub fn read(path: &std::path::Path) -> ParsedList {
    cordon_lists::read_path(path, None).unwrap_or_else(|e| panic!("{e}"))
}

/// The 2025-11-19 SDN_ADVANCED file parsed once per test binary (it is 121 MB).
pub fn ofac_2025_11_19() -> Option<&'static ParsedList> {
    static CELL: OnceLock<Option<ParsedList>> = OnceLock::new();
    CELL.get_or_init(|| shared().map(|d| read(&d.join("ofac/sdn_advanced_xml/sdn_advanced_2025-11-19.xml.bz2"))))
        .as_ref()
}

pub fn entity<'a>(list: &'a ParsedList, id: &str) -> &'a cordon_model::Entity {
    list.entities.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} not found"))
}
