//! `cordon chain`: import, tags (files and the sanctions lists), traces, exposure, clustering,
//! synthetic evaluation.

use std::path::PathBuf;

use crate::util::{cordon, fails, ok, shared};

const RONIN: &str = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96";

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../cordon-chain/tests/data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn ronin_funds_traced_and_exposure_from_the_ofac_listing() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // The OFAC update that listed the Ronin exploiter's address, then the chain data.
    let sdn = data.join("ofac/sdn_csv_gitscrape_jackdwyer/sdn_2022-04-14.csv.gz");
    ok(&cordon(h, &["lists", "import", sdn.to_str().unwrap()]));
    let out = ok(&cordon(h, &["chain", "tags", "import", "--from-lists"]));
    assert!(out.contains("tags from the sanctions lists' wallets"), "{out}");
    let tags = ok(&cordon(h, &["chain", "tags", "list"]));
    let ronin = RONIN.to_lowercase();
    assert!(tags.lines().any(|l| l.starts_with(&ronin) && l.contains("\tsanctioned\t")), "{tags}");
    assert!(
        tags.lines().any(|l| l.starts_with(&ronin) && l.contains("\tdprk\t") && l.contains("LAZARUS")),
        "{tags}"
    );
    ok(&cordon(h, &["chain", "import", &fixture("laundering.csv")]));
    // Importing it again changes nothing.
    assert!(ok(&cordon(h, &["chain", "import", &fixture("laundering.csv")])).contains("already imported"));
    let j: serde_json::Value = serde_json::from_str(&ok(&cordon(h, &["chain", "trace", "--from", RONIN, "--model", "fifo", "--json"]))).unwrap();
    assert_eq!(j["model"], "fifo");
    assert_eq!(j["direction"], "forward");
    let two = j["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["address"] == "0x2222222222222222222222222222222222222222")
        .unwrap();
    assert_eq!(two["amount"], "5500000000000000000");
    assert_eq!(two["hop"], 2);
    let exp: serde_json::Value = serde_json::from_str(&ok(&cordon(h, &["chain", "exposure", "0x5555555555555555555555555555555555555555", "--json"]))).unwrap();
    assert_eq!(exp["risk"], "severe", "{exp}");
    let cats: Vec<&str> = exp["exposure"].as_array().unwrap().iter().map(|e| e["category"].as_str().unwrap()).collect();
    assert!(cats.contains(&"sanctioned"), "{cats:?}");
    let text = ok(&cordon(h, &["chain", "exposure", "0x3333333333333333333333333333333333333333"]));
    assert!(text.contains("risk NONE"), "{text}");
    // Errors name what is wrong.
    let e = fails(&cordon(h, &["chain", "trace", "--from", "0xdeadbeef00000000000000000000000000000000"]));
    assert!(e.contains("not in the imported chain data"), "{e}");
    let e = fails(&cordon(h, &["chain", "trace", "--from", RONIN, "--model", "lifo"]));
    assert!(e.contains("poison, haircut, fifo"), "{e}");
}

#[test]
fn import_cluster_and_explain_the_raw_block() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let raw = data.join("blockchain/bitcoin_raw/block413567.raw");
    let out = ok(&cordon(h, &["chain", "import", raw.to_str().unwrap()]));
    assert!(out.contains("1557 UTXO transactions"), "{out}");
    let csv = h.join("clusters.csv");
    ok(&cordon(
        h,
        &["chain", "cluster", "--heuristics", "multi-input,change", "--output", csv.to_str().unwrap()],
    ));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("address,cluster_id\n"));
    // Pick an address in a multi-address cluster and explain it.
    let mut count = std::collections::HashMap::new();
    for l in text.lines().skip(1) {
        let c = l.rsplit(',').next().unwrap().to_string();
        *count.entry(c).or_insert(0) += 1;
    }
    let big = text.lines().skip(1).find(|l| count[l.rsplit(',').next().unwrap()] > 2).unwrap();
    let addr = big.split(',').next().unwrap();
    let why = ok(&cordon(h, &["chain", "cluster", "--explain", addr]));
    assert!(why.contains("share multi-input") || why.contains("share change"), "{why}");
    // A file of unknown format is refused with its name.
    let junk = h.join("junk.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    let e = fails(&cordon(h, &["chain", "import", junk.to_str().unwrap()]));
    assert!(e.contains("junk.txt") && e.contains("unknown format"), "{e}");
}

#[test]
fn synthetic_evaluation_reports_scores() {
    let home = tempfile::tempdir().unwrap();
    let out = ok(&cordon(
        home.path(),
        &["chain", "synth", "--evaluate", "--users", "2000", "--transfers", "20000", "--hacks", "2"],
    ));
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert!(l["recall"].as_f64().unwrap() >= 0.99, "{l}");
        assert!(l["precision"].as_f64().unwrap() >= 0.95, "{l}");
    }
}
