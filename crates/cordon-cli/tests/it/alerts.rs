//! Recorded screening: alerts, decisions, suppression, reopening, re-screening on a list
//! change, and the audit export.

use std::path::Path;

use crate::util::{cordon, fails, ok, shared};

const RONIN: &str = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96";

fn alerts(h: &Path, status: &str) -> Vec<serde_json::Value> {
    ok(&cordon(h, &["alerts", "list", "--status", status, "--json"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn alerts_decisions_and_rescreening_on_the_ronin_update() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let dir = data.join("ofac/sdn_csv_gitscrape_jackdwyer");
    ok(&cordon(h, &["lists", "import", dir.join("sdn_2022-04-12.csv.gz").to_str().unwrap()]));

    // A roster: a listed person in another spelling, two innocents, and a payee whose wallet
    // is the Ronin exploiter's (not yet listed on 2022-04-12).
    let roster = h.join("roster.csv");
    write(
        &roster,
        &format!(
            "id,name,dob,wallet\n\
             r1,Jong-un Kim,1984-01-08,\n\
             r2,Maria Schneider,1990-02-03,\n\
             r3,Tom Baker,,\n\
             r4,Blue Ocean Payments,,{RONIN}\n"
        ),
    );
    let run = |args: &[&str]| {
        let mut all = vec!["screen", roster.to_str().unwrap(), "--record", "--dataset", "payroll", "--output"];
        let out = h.join("out.jsonl");
        all.push(out.to_str().unwrap());
        all.extend_from_slice(args);
        let o = cordon(h, &all);
        ok(&o);
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let log = run(&[]);
    assert!(log.contains("recorded 4 records"), "{log}");
    let open = alerts(h, "open");
    assert_eq!(open.len(), 1, "{open:?}");
    let kim = &open[0];
    assert_eq!(kim["record_id"], "r1");
    assert_eq!(kim["entity_id"], "ofac:20157");
    assert!(kim["explanation"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().contains("KIM")));
    let kim_id = kim["id"].as_i64().unwrap().to_string();

    // Decided as a false positive: the same record stays quiet on the next screening.
    ok(&cordon(
        h,
        &[
            "alerts",
            "decide",
            &kim_id,
            "--false-positive",
            "--note",
            "different person, checked passport",
            "--by",
            "analyst1",
        ],
    ));
    let log = run(&[]);
    assert!(log.contains("0 new alerts") && log.contains("1 decided false positives kept quiet"), "{log}");
    assert!(alerts(h, "open").is_empty());
    let shown = ok(&cordon(h, &["alerts", "show", &kim_id]));
    assert!(shown.contains("false_positive by analyst1") && shown.contains("checked passport"), "{shown}");

    // The record changes (new date of birth): the decided alert reopens and says why.
    let text = std::fs::read_to_string(&roster).unwrap().replace("1984-01-08", "1984-01-09");
    write(&roster, &text);
    let log = run(&[]);
    assert!(log.contains("1 reopened"), "{log}");
    let open = alerts(h, "open");
    assert_eq!(open.len(), 1);
    let reason = open[0]["reason"].as_str().unwrap();
    assert!(reason.contains("record changed (dob)"), "{reason}");
    ok(&cordon(h, &["alerts", "decide", &kim_id, "--true-match", "--by", "analyst2"]));

    // OFAC 2022-04-14 adds the Ronin exploiter's address to LAZARUS GROUP: importing it
    // re-screens the stored records and raises exactly one new alert, for the payee.
    let out = ok(&cordon(h, &["lists", "import", dir.join("sdn_2022-04-14.csv.gz").to_str().unwrap()]));
    assert!(out.contains("re-screened 4 stored records") && out.contains("1 new alerts"), "{out}");
    let open = alerts(h, "open");
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["record_id"], "r4");
    assert_eq!(open[0]["entity_id"], "ofac:27307");
    assert!(open[0]["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_str().unwrap().contains("wallet")));
    // The true match stays visible.
    let decided = alerts(h, "decided");
    assert!(decided
        .iter()
        .any(|a| a["id"].as_i64().unwrap().to_string() == kim_id && a["status"] == "true_match"));

    // The audit log tells the story, in both formats.
    let jsonl = ok(&cordon(h, &["audit", "export"]));
    for action in ["import", "screening.start", "alert.open", "alert.decide", "alert.reopen", "screening.finish"] {
        assert!(jsonl.contains(&format!("\"action\":\"{action}\"")), "{action} missing");
    }
    let csv = ok(&cordon(h, &["audit", "export", "--format", "csv"]));
    assert!(csv.starts_with("id,at,actor,action,version_id,detail\n"));
    assert_eq!(csv.lines().count(), jsonl.lines().count() + 1);

    // Bad requests fail clearly.
    let err = fails(&cordon(h, &["alerts", "decide", "99999", "--false-positive"]));
    assert!(err.contains("no alert 99999"), "{err}");
    let err = fails(&cordon(h, &["alerts", "list", "--status", "pending"]));
    assert!(err.contains("unknown status"), "{err}");
}

#[test]
fn removed_entities_close_their_open_alerts() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let adv = data.join("ofac/sdn_advanced_xml");
    ok(&cordon(h, &["lists", "import", adv.join("sdn_advanced_2025-03-04.xml.bz2").to_str().unwrap()]));
    // Tornado Cash was delisted between 2025-03-04 and 2025-11-19.
    let roster = h.join("r.jsonl");
    write(&roster, "{\"id\":\"t1\",\"name\":\"Tornado Cash\",\"schema\":\"organization\"}\n");
    let o = cordon(
        h,
        &["screen", roster.to_str().unwrap(), "--record", "--output", h.join("o.jsonl").to_str().unwrap()],
    );
    ok(&o);
    let open = alerts(h, "open");
    assert!(!open.is_empty(), "Tornado Cash should raise an alert on the 2025-03-04 list");
    let out = ok(&cordon(h, &["lists", "import", adv.join("sdn_advanced_2025-11-19.xml.bz2").to_str().unwrap()]));
    assert!(out.contains("re-screened"), "{out}");
    let closed = alerts(h, "closed");
    assert_eq!(closed.len(), open.len(), "{out}");
    assert!(closed[0]["reason"].as_str().unwrap().contains("entity removed from ofac"));
    assert!(alerts(h, "open").is_empty());
}
