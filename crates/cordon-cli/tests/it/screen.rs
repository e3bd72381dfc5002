//! `cordon match` and `cordon screen` against real lists.

use std::path::Path;

use crate::util::{cordon, fails, ok, shared};

fn loaded_home(data: &Path) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let un = data.join("un/UN_consolidated_2026-02-27.xml");
    let ofac = data.join("ofac/sdn_csv_gitscrape_jackdwyer/sdn_2022-04-14.csv.gz");
    ok(&cordon(home.path(), &["lists", "import", un.to_str().unwrap(), ofac.to_str().unwrap()]));
    home
}

fn top(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["entity_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn match_across_scripts_and_romanisations() {
    let Some(data) = shared() else { return };
    let home = loaded_home(&data);
    let h = home.path();
    for q in ["김정은", "金正恩", "Ким Чен Ын", "Jong-un KIM", "Kim Jongun"] {
        let ids = top(&ok(&cordon(h, &["match", q, "--json"])));
        assert_eq!(ids.first().map(String::as_str), Some("ofac:20157"), "{q}: {ids:?}");
    }
    let ids = top(&ok(&cordon(h, &["match", "Kim Jong Il", "--json", "--schema", "person"])));
    assert!(!ids.contains(&"ofac:20157".to_string()), "Kim Jong Il is not Kim Jong Un: {ids:?}");
    // A forged nationality does not hide a name + date of birth match.
    let out = ok(&cordon(h, &["match", "Jong Un Kim", "--dob", "1984-01-08", "--nationality", "China"]));
    assert!(out.contains("ofac:20157") && out.contains("supporting evidence only"), "{out}");
    let err = fails(&cordon(h, &["match", "x", "--dob", "yesterday"]));
    assert!(err.contains("--dob"), "{err}");
    // Arguments out of range and an empty query are errors, not "no match".
    for (args, says) in [
        (&["match", "Kim Jong Un", "--threshold", "1.5"][..], "--threshold"),
        (&["match", "Kim Jong Un", "--limit", "0"][..], "--limit"),
        (&["match", " "][..], "nothing to match"),
    ] {
        let err = fails(&cordon(h, args));
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn screen_a_roster_in_order_with_bad_rows_reported() {
    let Some(data) = shared() else { return };
    let home = loaded_home(&data);
    let h = home.path();
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/roster.csv");
    let out = ok(&cordon(h, &["screen", roster.to_str().unwrap()]));
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 12, "one line per input row");
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids[..3], ["c-001", "c-002", "c-003"], "input order");
    assert_eq!(rows[0]["matches"][0]["entity_id"], "ofac:20157");
    let laz = &rows[9];
    assert_eq!(
        laz["matches"][0]["entity_id"], "ofac:27307",
        "the Ronin exploiter wallet is a direct hit: {laz}"
    );
    assert!(rows[10]["matches"].as_array().unwrap().is_empty(), "John Smith");

    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("people.jsonl");
    std::fs::write(&jsonl, "{\"id\":\"a\",\"name\":\"RI WON HO\",\"dob\":\"1964-07-17\"}\nnot json\n{\"id\":\"b\",\"name\":\"\"}\n{\"id\":\"c\",\"name\":\"Choe Ryong Hae\",\"dob\":\"someday\"}\n").unwrap();
    let out_csv = dir.path().join("out.csv");
    ok(&cordon(h, &["screen", jsonl.to_str().unwrap(), "--output", out_csv.to_str().unwrap()]));
    let mut rdr = csv::Reader::from_path(&out_csv).unwrap();
    let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert!(recs.iter().any(|r| &r[0] == "a" && &r[2] == "un:KPi.033"), "{recs:?}");
    assert!(recs.iter().any(|r| r[7].contains("line 2") && r[7].contains("invalid JSON")), "{recs:?}");
    assert!(recs.iter().any(|r| &r[0] == "b" && r[7].contains("empty name")), "{recs:?}");
    assert!(recs.iter().any(|r| &r[0] == "c" && r[6].contains("not a date")), "{recs:?}");

    // Spreadsheet exports with semicolons (and a byte-order mark) or tabs.
    for (file, text) in [
        ("semicolons.csv", "\u{feff}id;name;dob\nk;Kim Jong Un;1984-01-08\n"),
        ("tabs.tsv", "id\tname\tdob\nk\tKim Jong Un\t1984-01-08\n"),
    ] {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        let out = ok(&cordon(h, &["screen", path.to_str().unwrap()]));
        let row: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
        assert_eq!(row["id"], "k", "{file}: {out}");
        assert_eq!(row["matches"][0]["entity_id"], "ofac:20157", "{file}: {out}");
    }

    let bad = dir.path().join("noname.csv");
    std::fs::write(&bad, "id,fullname\n1,x\n").unwrap();
    let err = fails(&cordon(h, &["screen", bad.to_str().unwrap()]));
    assert!(err.contains("no `name` column"), "{err}");
}
