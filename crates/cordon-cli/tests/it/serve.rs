//! `cordon serve` over a real socket: an end-to-end request, a list update picked up while
//! serving, and durability of acknowledged decisions when the server is killed with SIGKILL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::util::{cordon, mini_list as fixture, ok};

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cordon serve` on a free port and waits until it is ready.
fn start(home: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cordon"))
        .arg("--home")
        .arg(home)
        .args(["serve", "--addr", "127.0.0.1:0", "--reload-secs", "1"])
        .env_remove("CORDON_LISTS_DIR")
        .env("CORDON_NO_FETCH", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start cordon serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("cordon serve exited before listening").unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let server = Server { child, base };
    let t = Instant::now();
    while get(&server, "/readyz").0 != 200 {
        assert!(t.elapsed() < Duration::from_secs(60), "not ready after 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    )
}

fn get(s: &Server, path: &str) -> (u16, String) {
    match agent().get(&format!("{}{path}", s.base)).call() {
        Ok(mut r) => (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default()),
        Err(_) => (0, String::new()),
    }
}

fn post(agent: &ureq::Agent, url: &str, key: Option<&str>, body: &Value) -> Result<(u16, Value), ureq::Error> {
    let mut req = agent.post(url);
    if let Some(k) = key {
        req = req.header("Authorization", &format!("ApiKey {k}"));
    }
    let mut r = req.header("Content-Type", "application/json").send(body.to_string())?;
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string()?;
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok((status, v))
}

#[test]
fn serves_yente_requests_and_picks_up_a_new_list_version() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(&cordon(h, &["lists", "import", &fixture("mini-v1.ftm.json"), "--source", "mini"]));
    let server = start(h);
    let body = json!({"queries": {"q1": {"schema": "Person", "properties": {"name": ["Ri Je-son"], "birthDate": ["1938"]}},
                                  "q2": {"schema": "Person", "properties": {"name": ["김정은"]}}}});
    let url = format!("{}/match/default", server.base);
    let (s, v) = post(&agent(), &url, None, &body).unwrap();
    assert_eq!(s, 200);
    assert_eq!(v["responses"]["q2"]["results"][0]["id"], "mini-kju", "{v}");
    assert_eq!(v["responses"]["q1"]["results"], json!([]));
    // A new version imported by another process is served within a few seconds.
    ok(&cordon(h, &["lists", "import", &fixture("mini-v2.ftm.json"), "--source", "mini"]));
    let t = Instant::now();
    loop {
        let (_, v) = post(&agent(), &url, None, &body).unwrap();
        if v["responses"]["q1"]["results"][0]["id"] == "mini-ri-je-son" {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(30), "new version not served: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (s, text) = get(&server, "/metrics");
    assert_eq!(s, 200);
    assert!(text.contains("cordon_index_loads_total 2"), "{text}");
}

#[test]
fn acknowledged_decisions_survive_sigkill() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(&cordon(h, &["lists", "import", &fixture("mini-v1.ftm.json"), "--source", "mini"]));
    // 400 payroll records, each a spelling of a listed name: 400 open alerts.
    let spellings = ["Kim Jong Un", "Gim Jeong-eun", "Kim Jongun", "KIM Jong-Un"];
    let mut csv = String::from("id,name,dob\n");
    for i in 0..400 {
        csv.push_str(&format!("emp-{i},{},1984-01-08\n", spellings[i % spellings.len()]));
    }
    let roster = h.join("roster.csv");
    std::fs::write(&roster, csv).unwrap();
    let out = h.join("out.jsonl");
    ok(&cordon(
        h,
        &[
            "screen",
            roster.to_str().unwrap(),
            "--record",
            "--dataset",
            "payroll",
            "--output",
            out.to_str().unwrap(),
        ],
    ));
    let ids: Vec<i64> = ok(&cordon(h, &["alerts", "list", "--json"]))
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 400);
    let key = ok(&cordon(h, &["keys", "create", "reviewer"])).trim().to_string();

    let mut server = start(h);
    let acked: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut clients = Vec::new();
    for part in ids.chunks(ids.len() / 4) {
        let (part, acked, key, base) = (part.to_vec(), acked.clone(), key.clone(), server.base.clone());
        clients.push(std::thread::spawn(move || {
            let agent = agent();
            for id in part {
                let body = json!({"decision": "false_positive", "note": format!("checked {id}")});
                match post(&agent, &format!("{base}/alerts/{id}/decision"), Some(&key), &body) {
                    Ok((200, _)) => acked.lock().unwrap().push(id),
                    Ok((s, v)) => panic!("decision on {id}: {s} {v}"),
                    // The server was killed: this one was never acknowledged.
                    Err(_) => return,
                }
            }
        }));
    }
    // Kill the server mid-stream, without warning.
    let t = Instant::now();
    while acked.lock().unwrap().len() < 60 {
        assert!(t.elapsed() < Duration::from_secs(120), "decisions too slow");
        std::thread::sleep(Duration::from_millis(2));
    }
    server.child.kill().unwrap(); // SIGKILL on Unix
    server.child.wait().unwrap();
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 60 && acked.len() < 400, "{} acknowledged", acked.len());

    // Every acknowledged decision is there after the crash, and the store is sound.
    let store = cordon_store::Store::open(h).unwrap();
    store.check_integrity().unwrap();
    for id in &acked {
        let a = store.alert(*id).unwrap().unwrap();
        assert_eq!(a.status, cordon_store::AlertStatus::FalsePositive, "alert {id}");
        assert_eq!(a.decisions.len(), 1, "alert {id}");
        assert_eq!(a.decisions[0].note.as_deref(), Some(format!("checked {id}").as_str()));
    }
    // A restarted server serves the same state.
    drop(store);
    let server = start(h);
    let (s, body) = get(&server, "/alerts?status=decided&limit=1000");
    assert_eq!(s, 200);
    let decided = serde_json::from_str::<Value>(&body).unwrap()["alerts"].as_array().unwrap().len();
    assert!(decided >= acked.len(), "{decided} decided, {} acknowledged", acked.len());
    eprintln!("SIGKILL test: {} decisions acknowledged before the kill, {decided} stored", acked.len());
}
