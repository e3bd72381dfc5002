//! Bad input: every failure names the file and a position, and nothing partial comes back.

use std::io::Write;

use cordon_lists::{read_path, ListError};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

#[test]
fn truncated_un_xml_names_line() {
    let Some(shared) = crate::util::shared() else {
        return;
    };
    let full = std::fs::read(shared.join("un/UN_consolidated_2026-02-27.xml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "un.xml", &full[..full.len() / 2]);
    let err = read_path(&p, None).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ListError::Malformed { .. }), "{msg}");
    assert!(msg.contains("un.xml") && msg.contains("line ") && msg.contains("truncated"), "{msg}");
}

#[test]
fn garbage_and_empty_files_are_unknown() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("g.bin", &b"\x00\x01\x02garbage\xff\xfe"[..]),
        ("e.xml", b""),
        ("h.html", b"<html><body>404</body></html>"),
        ("t.txt", b"hello"),
    ] {
        let p = write(&dir, name, bytes);
        let err = read_path(&p, None).unwrap_err();
        assert!(matches!(err, ListError::UnknownFormat { .. }), "{name}: {err}");
        assert!(err.to_string().contains(name));
    }
}

#[test]
fn broken_xml_and_wrong_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "bad.xml",
        b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><REFERENCE_NUMBER>X</REFERENCE_NUMBER></WRONG>\n",
    );
    let msg = read_path(&p, None).unwrap_err().to_string();
    assert!(msg.contains("line 4"), "{msg}");
    let p = write(&dir, "latin1.xml", b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>J\xe9r\xf4me</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>");
    let err = read_path(&p, None).unwrap_err();
    assert!(matches!(err, ListError::Encoding { .. } | ListError::Malformed { .. }), "{err}");
    let p = write(
        &dir,
        "noref.xml",
        b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
    );
    let msg = read_path(&p, None).unwrap_err().to_string();
    assert!(msg.contains("REFERENCE_NUMBER"), "{msg}");
}

#[test]
fn truncated_gzip_is_an_error() {
    let Some(shared) = crate::util::shared() else {
        return;
    };
    let gz = std::fs::read(shared.join("ofac/sdn_csv_gitscrape_jackdwyer/sdn_2022-04-14.csv.gz")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "sdn.csv.gz", &gz[..gz.len() / 3]);
    assert!(read_path(&p, None).is_err());
}

#[test]
fn forced_wrong_format_fails_cleanly() {
    let Some(shared) = crate::util::shared() else {
        return;
    };
    let err = read_path(
        &shared.join("un/UN_consolidated_2026-02-27_DPRK_only.xml"),
        Some(cordon_model::ListFormat::OfacAdvanced),
    )
    .unwrap_err();
    assert!(err.to_string().contains("expected root element <Sanctions>"), "{err}");
}
