//! `cordon link`: clusters with explanations and red flags, stable ids across runs, bad rows
//! skipped with their line, sanctions screening of clusters, synthetic evaluation.

use std::path::PathBuf;

use crate::util::{cordon, fails, mini_list as fixture, ok};

const HEADER: &str = "id,name,dob,nationality,email,phone,address,shipping_address,payout_account,wallet,photo_hash,resume_text,github,language,employer\n";

/// 200 honest applicants, and one operator's three personas sharing a payout account and a
/// laptop drop; one persona is a spelling of a listed name.
fn roster(extra: &str) -> String {
    let mut s = String::from(HEADER);
    for i in 0..200 {
        s.push_str(&format!(
            "h{i},Person {i},1990-01-01,US,p{i}@mail.example,+1555000{i:04},{i} Elm Street City,{i} Elm Street City,US00BANK{i:08},,{:016x},,dev{i},en,\n",
            (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ));
    }
    s.push_str(
        "op1,Gim Jeong-eun,1984-01-08,CA,gj@mail.example,+15559990001,1 Oak Ave Town,9 Quiet Lane Unit 2,CN120000111122223333,,a1a1a1a1a1a1a1a1,,gj,ko,\n",
    );
    s.push_str(
        "op2,Daniel Smith,1991-05-05,US,ds@mail.example,+15559990002,2 Pine Rd Town,9 Quiet Lane Unit 2,CN120000111122223333,,a1a1a1a1a1a1a1a3,,dsm,en,\n",
    );
    s.push_str(
        "op3,Laura Novak,1989-03-03,PL,ln@mail.example,+15559990003,3 Birch Rd Town,9 Quiet Lane Unit 2,CN12 0000 1111 2222 3333,,ffff0000ffff0000,,lnv,en,\n",
    );
    s.push_str(extra);
    s
}

#[test]
fn clusters_flags_sanctions_and_stable_ids() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let recs = h.join("records.csv");
    std::fs::write(&recs, roster("broken,row\n")).unwrap();
    let logins = h.join("logins.csv");
    std::fs::write(&logins, "record_id,ts,ip,country,device_id\nop1,1700000000,45.1.2.3,US,lap-1\nop2,1700000120,45.1.2.3,US,lap-1\nop1,1700003000,45.9.9.9,CN,lap-1\nh1,notatime,1.1.1.1,US,x\n").unwrap();
    // Without lists: clusters, flags, a note that screening was skipped.
    let out_file = h.join("clusters.jsonl");
    let report = h.join("report.html");
    let o = cordon(
        h,
        &[
            "link",
            recs.to_str().unwrap(),
            "--logins",
            logins.to_str().unwrap(),
            "-o",
            out_file.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 205") && err.contains("line 5"), "bad rows named by line: {err}");
    assert!(err.contains("screening skipped"), "{err}");
    let clusters: Vec<serde_json::Value> = std::fs::read_to_string(&out_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    let c = &clusters[0];
    assert_eq!(c["members"], serde_json::json!(["op1", "op2", "op3"]));
    let flags: Vec<&str> = c["flags"].as_array().unwrap().iter().map(|f| f["flag"].as_str().unwrap()).collect();
    for f in [
        "laptop_farm",
        "shared_payout",
        "korean_language_non_korean_nationality",
        "impossible_travel",
        "accounts_per_device",
    ] {
        assert!(flags.contains(&f), "{f} not in {flags:?}");
    }
    assert!(c["links"][0]["explanation"].as_str().unwrap().contains("payout account"), "{c}");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<svg") && html.contains("op1"));
    let id = c["id"].as_str().unwrap().to_string();
    let why = ok(&cordon(h, &["link", "explain", &id]));
    assert!(why.contains("laptop_farm") && why.contains("op1"), "{why}");
    assert!(fails(&cordon(h, &["link", "explain", "L999"])).contains("no cluster"));
    // With the lists: the persona with a listed name makes the cluster a sanctions hit.
    ok(&cordon(h, &["lists", "import", &fixture("mini-v1.ftm.json"), "--source", "mini"]));
    // A second, unrelated pair of personas arrives; the first cluster keeps its id.
    let more = "op4,Kenji Tanaka,1990-02-02,JP,kt@mail.example,+15559990004,4 Cedar Rd,8 Farm Rd,GB33BUKB20201555555555,,,,kt,en,\nop5,Emily Walker,1992-02-02,GB,ew@mail.example,+15559990005,5 Cedar Rd,8 Farm Rd,GB33BUKB20201555555555,,,,ew,en,\n";
    std::fs::write(&recs, roster(more)).unwrap();
    let again = ok(&cordon(h, &["link", recs.to_str().unwrap(), "--logins", logins.to_str().unwrap(), "--record"]));
    let clusters: Vec<serde_json::Value> = again.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(clusters.len(), 2);
    let first = clusters.iter().find(|c| c["members"][0] == "op1").unwrap();
    assert_eq!(first["id"], id.as_str(), "ids are stable across runs");
    assert_eq!(first["risk"], 1.0);
    assert_eq!(first["sanctions"][0]["entity_id"], "mini-kju", "{first}");
    assert_ne!(clusters.iter().find(|c| c["members"][0] == "op4").unwrap()["id"], id.as_str());
    // The hit is an alert like a screening alert.
    let alerts = ok(&cordon(h, &["alerts", "list", "--json", "--dataset", "link"]));
    let a: serde_json::Value = alerts
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|a| a["record_id"] == "op1")
        .expect("an alert on op1");
    assert_eq!(a["entity_id"], "mini-kju");
    // The network itself is an alert too, decided like any other.
    let cluster_alert = |status: &str| -> serde_json::Value {
        let list = ok(&cordon(h, &["alerts", "list", "--json", "--dataset", "link", "--status", status]));
        list.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|a| a["record_id"] == format!("cluster:{id}"))
            .unwrap_or(serde_json::Value::Null)
    };
    let ca = cluster_alert("open");
    assert_eq!(ca["entity_id"], "cordon:worker-network", "{ca}");
    assert_eq!(ca["score"], 1.0);
    let shown = ok(&cordon(h, &["alerts", "show", &ca["id"].to_string()]));
    assert!(shown.contains("worker-network cluster") && shown.contains("laptop_farm"), "{shown}");
    ok(&cordon(
        h,
        &[
            "alerts",
            "decide",
            &ca["id"].to_string(),
            "--false-positive",
            "--note",
            "known agency",
            "--by",
            "analyst1",
        ],
    ));
    // The same cluster again: the decision holds.
    let run = |roster_extra: &str| {
        std::fs::write(&recs, roster(roster_extra)).unwrap();
        ok(&cordon(h, &["link", recs.to_str().unwrap(), "--logins", logins.to_str().unwrap(), "--record"]));
    };
    run(more);
    assert_eq!(cluster_alert("false-positive")["id"], ca["id"]);
    // A new persona joins the network (same payout account and laptop drop): reopened, saying why.
    run(&format!(
        "{more}op6,Nina Rossi,1993-03-03,IT,nr@mail.example,+15559990006,6 Ash Rd Town,9 Quiet Lane Unit 2,CN120000111122223333,,,,nr,en,\n"
    ));
    let reopened = cluster_alert("open");
    assert_eq!(reopened["id"], ca["id"], "{reopened}");
    assert!(reopened["reason"].as_str().unwrap().contains("members"), "{reopened}");
}

#[test]
fn synthetic_pool_evaluation() {
    let home = tempfile::tempdir().unwrap();
    let out = ok(&cordon(home.path(), &["link", "synth", "--evaluate", "--honest", "2000", "--operators", "20"]));
    let a: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(a["pair_precision"].as_f64().unwrap() >= 0.95, "{a}");
    assert!(a["pair_recall"].as_f64().unwrap() >= 0.85, "{a}");
    assert!(a["cluster_recall"].as_f64().unwrap() >= 0.9, "{a}");
    // Records registered again under another romanisation of a persona's name, sharing only
    // the name and date of birth, end up with the persona.
    assert!(a["reregistered_found"].as_f64().unwrap() >= 0.9, "{a}");
    let dir = home.path().join("pool");
    ok(&cordon(
        home.path(),
        &["link", "synth", "--out", dir.to_str().unwrap(), "--honest", "300", "--operators", "5"],
    ));
    let text = ok(&cordon(
        home.path(),
        &[
            "link",
            dir.join("records.csv").to_str().unwrap(),
            "--logins",
            dir.join("logins.csv").to_str().unwrap(),
        ],
    ));
    assert!(text.lines().count() >= 4, "{text}");
    // The same run with the login evidence spilled to files (a 1 KiB budget) gives the same
    // clusters and leaves no files behind.
    let other = tempfile::tempdir().unwrap();
    let spilled = ok(&cordon(
        other.path(),
        &[
            "link",
            dir.join("records.csv").to_str().unwrap(),
            "--logins",
            dir.join("logins.csv").to_str().unwrap(),
            "--memory-mb",
            "0",
        ],
    ));
    assert_eq!(spilled, text);
    let left: Vec<String> = std::fs::read_dir(other.path().join("link"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("cordon-spill"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn member_wallets_get_chain_exposure() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let chain = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cordon-chain/tests/data/laundering.csv");
    ok(&cordon(h, &["chain", "import", chain.to_str().unwrap()]));
    let tags = h.join("ronin.txt");
    std::fs::write(&tags, "0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n").unwrap();
    ok(&cordon(
        h,
        &[
            "chain",
            "tags",
            "import",
            tags.to_str().unwrap(),
            "--category",
            "dprk",
            "--label",
            "Ronin exploiter",
        ],
    ));
    // Two personas paid to one wallet that received the Ronin exploiter's funds two hops on.
    let recs = h.join("records.csv");
    let wallet = "0x2222222222222222222222222222222222222222";
    let mut s = String::from(HEADER);
    for i in 0..100 {
        s.push_str(&format!(
            "h{i},Person {i},1990-01-01,US,p{i}@mail.example,+1555000{i:04},{i} Elm Street,{i} Elm Street,US00BANK{i:08},0x{i:040x},,,dev{i},en,\n"
        ));
    }
    s.push_str(&format!(
        "p1,Ann Lee,1990-02-02,US,a@mail.example,+15559990011,1 Oak Ave,9 Quiet Lane,CN990000111122223333,{wallet},,,al,en,\n"
    ));
    s.push_str(&format!(
        "p2,Bo Kim,1991-03-03,US,b@mail.example,+15559990012,2 Pine Rd,9 Quiet Lane,CN990000111122223333,{wallet},,,bk,en,\n"
    ));
    std::fs::write(&recs, s).unwrap();
    let out = ok(&cordon(h, &["link", recs.to_str().unwrap()]));
    let c: serde_json::Value = serde_json::from_str(out.lines().next().expect("a cluster")).unwrap();
    assert_eq!(c["members"], serde_json::json!(["p1", "p2"]));
    assert_eq!(c["chain_exposure"][0]["risk"], "severe", "{c}");
    assert_eq!(c["risk"], 1.0);
}
