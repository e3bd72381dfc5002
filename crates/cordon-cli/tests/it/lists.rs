use crate::util::{cordon, fails, ok, shared, snapshot, status};

#[test]
fn import_status_show_export_and_diff() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let un = data.join("un/UN_consolidated_2026-02-27.xml");
    let out = ok(&cordon(h, &["lists", "import", un.to_str().unwrap()]));
    assert!(out.contains("1003 entities"), "{out}");
    // Same file twice: no new version.
    let again = ok(&cordon(h, &["lists", "import", un.to_str().unwrap()]));
    assert!(again.contains("already stored"), "{again}");
    let s = status(h);
    let v = &s["versions"][0];
    assert_eq!(s["versions"].as_array().unwrap().len(), 1);
    assert_eq!(
        (v["source"].as_str(), v["format"].as_str(), v["issued"].as_str()),
        (Some("un"), Some("un-xml"), Some("2026-02-27"))
    );
    assert_eq!(
        (v["persons"].as_u64(), v["organizations"].as_u64(), v["active"].as_bool()),
        (Some(730), Some(273), Some(true))
    );
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);

    let show: serde_json::Value = serde_json::from_str(&ok(&cordon(h, &["entity", "show", "un:KPi.008", "--json"]))).unwrap();
    assert_eq!(show["entity"]["names"].as_array().unwrap().len(), 6);
    let text = ok(&cordon(h, &["entity", "show", "un:KPi.008"]));
    assert!(text.contains("Chang Myo’ng-Ho"), "{text}");
    let missing = fails(&cordon(h, &["entity", "show", "un:NOPE"]));
    assert!(missing.contains("no entity"), "{missing}");

    // FtM export of the store → import as a file → export again: identical.
    let ftm = h.join("un.ftm.json");
    ok(&cordon(h, &["lists", "export", "--format", "ftm", "--output", ftm.to_str().unwrap()]));
    let home2 = tempfile::tempdir().unwrap();
    ok(&cordon(home2.path(), &["lists", "import", ftm.to_str().unwrap()]));
    let first = std::fs::read(&ftm).unwrap();
    let second = cordon(home2.path(), &["lists", "export", "--format", "ftm"]);
    assert!(first == second.stdout, "FtM round trip through the store differs");
    let csv = ok(&cordon(h, &["lists", "export", "--format", "csv"]));
    let rows = csv::Reader::from_reader(csv.as_bytes()).records().count();
    assert_eq!(rows, 1003, "one row per entity");

    // Diff of a stored version against an older file.
    let old = data.join("un/UN_consolidated_2024-05-15.xml");
    let d: serde_json::Value = serde_json::from_str(&ok(&cordon(h, &["lists", "diff", old.to_str().unwrap(), "1", "--json"]))).unwrap();
    assert!(!d["added"].as_array().unwrap().is_empty());
    assert!(d["changed"][0]["changes"].as_array().is_some());
}

#[test]
fn ronin_exploiter_diff_from_the_cli() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let dir = data.join("ofac/sdn_csv_gitscrape_jackdwyer");
    let out = ok(&cordon(
        home.path(),
        &[
            "lists",
            "diff",
            dir.join("sdn_2022-04-12.csv.gz").to_str().unwrap(),
            dir.join("sdn_2022-04-14.csv.gz").to_str().unwrap(),
        ],
    ));
    assert!(out.contains("~ ofac:27307  LAZARUS GROUP"), "{out}");
    assert!(
        out.contains("+ wallets: ") && out.contains("0x098B716B8Aaf21512996dC57EB0615e2383E2f96"),
        "{out}"
    );
}

#[test]
fn bad_input_leaves_the_store_unchanged() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(&cordon(
        h,
        &["lists", "import", data.join("un/UN_consolidated_2026-02-27_DPRK_only.xml").to_str().unwrap()],
    ));
    let before = snapshot(h);
    let bad = h.join("bad.xml");
    let full = std::fs::read(data.join("un/UN_consolidated_2026-02-27.xml")).unwrap();
    std::fs::write(&bad, &full[..full.len() / 3]).unwrap();
    // A good file and a truncated one in one command: nothing is imported.
    let err = fails(&cordon(
        h,
        &[
            "lists",
            "import",
            data.join("ofac/non_sdn_consolidated_xml_2024-05-06/consolidated.xml").to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    ));
    assert!(err.contains("bad.xml") && err.contains("line"), "{err}");
    let garbage = h.join("garbage.dat");
    std::fs::write(&garbage, b"\x00\xffnot a list").unwrap();
    let err = fails(&cordon(h, &["lists", "import", garbage.to_str().unwrap()]));
    assert!(err.contains("unknown list format"), "{err}");
    assert_eq!(snapshot(h), before);
}

#[test]
fn empty_store_says_how_to_load_lists() {
    let home = tempfile::tempdir().unwrap();
    let err = fails(&cordon(home.path(), &["entity", "show", "ofac:20157"]));
    assert!(
        err.contains("cordon lists update") && err.contains("cordon lists import") && err.contains("CORDON_LISTS_DIR"),
        "{err}"
    );
    assert!(!err.contains("downloading"), "no download attempted with CORDON_NO_FETCH: {err}");
}

#[test]
fn lists_dir_loads_an_empty_store() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cordon"))
        .args(["--home", home.path().to_str().unwrap(), "entity", "show", "un:KPi.033"])
        .env("CORDON_LISTS_DIR", data.join("un"))
        .env("CORDON_NO_FETCH", "1")
        .output()
        .unwrap();
    let out = ok(&o);
    assert!(out.contains("KPi.033"), "{out}");
}
