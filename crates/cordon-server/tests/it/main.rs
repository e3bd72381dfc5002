//! API tests in-process (tower `oneshot` on the router), over a small hand-made FtM list.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cordon_server::{router, AppState, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn import(home: &Path, file: &str) {
    let mut store = cordon_store::Store::open(home).unwrap();
    let opts = cordon_engine::ImportOptions {
        source: Some("mini".into()),
        actor: "test".into(),
        ..Default::default()
    };
    cordon_engine::import_paths(&mut store, &[data(file)], &opts).unwrap();
}

/// A server state over the v1 list, loaded.
fn state_with(cfg: impl FnOnce(&mut Config)) -> (tempfile::TempDir, Arc<AppState>) {
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), "mini-v1.ftm.json");
    let mut c = Config::new(dir.path().to_path_buf());
    cfg(&mut c);
    let state = AppState::open(c).unwrap();
    assert!(state.reload().unwrap());
    (dir, state)
}

fn state() -> (tempfile::TempDir, Arc<AppState>) {
    state_with(|_| {})
}

async fn call(state: &Arc<AppState>, method: &str, uri: &str, body: Option<Value>, key: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(k) = key {
        req = req.header("authorization", format!("ApiKey {k}"));
    }
    let req = match body {
        Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())).unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    raw(state, req).await
}

async fn raw(state: &Arc<AppState>, req: Request<Body>) -> (StatusCode, Value) {
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, v)
}

fn new_key(state_home: &Path, name: &str) -> String {
    let mut store = cordon_store::Store::open(state_home).unwrap();
    cordon_engine::keys::create_key(&mut store, name, "test").unwrap().1
}

#[tokio::test]
async fn match_answers_yentes_documented_example() {
    let (_d, st) = state();
    // The request of yente's documentation, byte for byte in shape: two queries, names in two
    // alphabets, a birth year, a company with a jurisdiction.
    let body = json!({
        "queries": {
            "query-A": {"schema": "Person", "properties": {"name": ["Arkadiii Romanovich Rotenberg", "Ротенберг Аркадий"], "birthDate": ["1951"]}},
            "query-B": {"schema": "Company", "properties": {"name": ["Stroygazmontazh"], "jurisdiction": ["Russia"]}}
        }
    });
    let (status, v) = call(&st, "POST", "/match/default", Some(body), None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["limit"], 5);
    assert!(v["matcher"].is_object());
    let a = &v["responses"]["query-A"];
    assert_eq!(a["status"], 200);
    assert_eq!(a["query"]["schema"], "Person");
    assert_eq!(a["total"]["relation"], "eq");
    assert_eq!(a["total"]["value"].as_u64().unwrap() as usize, a["results"].as_array().unwrap().len());
    let top = &a["results"][0];
    assert_eq!(top["id"], "mini-rotenberg");
    assert_eq!(top["schema"], "Person");
    assert_eq!(top["match"], true);
    assert!(top["score"].as_f64().unwrap() >= 0.6, "{top}");
    assert_eq!(top["datasets"], json!(["mini"]));
    assert_eq!(top["properties"]["birthDate"], json!(["1951-12-15"]));
    assert!(top["explanations"]["name"].as_str().unwrap().contains("ROTENBERG") || top["explanations"]["name"].as_str().unwrap().contains("Rotenberg"));
    // Each feature's part, from the scorer: the name score, what the birth year added
    // (listed 1951-12-15, asked 1951: consistent, +0.06), filed under its FtM property.
    assert!(top["features"]["name"].as_f64().unwrap() >= 0.5, "{top}");
    assert_eq!(top["features"]["birth_date"].as_f64(), Some(0.06), "{top}");
    assert!(top["explanations"]["birthDate"].as_str().unwrap().contains("1951"), "{top}");
    assert!(top["explanations"].get("other").is_none(), "{top}");
    for k in top["features"].as_object().unwrap().keys() {
        assert!(k == "cordon" || v["matcher"].get(k).is_some(), "feature {k} undocumented in matcher");
    }
    assert!(top["caption"].is_string());
    let b = &v["responses"]["query-B"];
    assert_eq!(b["status"], 200);
    assert_eq!(b["results"][0]["id"], "mini-sgm");
    assert_eq!(b["results"][0]["schema"], "Company");
}

#[tokio::test]
async fn match_finds_korean_spellings_and_keeps_distinct_people_apart() {
    let (_d, st) = state();
    let q = |name: &str| json!({"queries": {"q": {"schema": "Person", "properties": {"name": name, "birthDate": "1984"}}}});
    for name in ["Gim Jeong-eun", "김정은", "Ким Чен Ын", "Kim Jongun"] {
        let (s, v) = call(&st, "POST", "/match/mini?threshold=0.7", Some(q(name)), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["responses"]["q"]["results"][0]["id"], "mini-kju", "{name}: {v}");
        assert_eq!(v["responses"]["q"]["results"][0]["match"], true, "{name}");
    }
    // KIM YO JONG is not KIM JONG UN: if listed at all, not as a match.
    let (_, v) = call(&st, "POST", "/match/default", Some(q("Kim Yo Jong")), None).await;
    for r in v["responses"]["q"]["results"].as_array().unwrap() {
        if r["id"] == "mini-kju" {
            assert_eq!(r["match"], false, "{r}");
        }
    }
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let (_d, st) = state_with(|c| {
        c.max_body_bytes = 2048;
        c.max_queries = 3;
    });
    let detail = |v: &Value| v["detail"].as_str().unwrap_or_default().to_string();
    // Malformed JSON.
    let req = Request::post("/match/default")
        .header("content-type", "application/json")
        .body(Body::from("{\"queries\": "))
        .unwrap();
    let (s, v) = raw(&st, req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(!detail(&v).is_empty(), "{v}");
    // Wrong shape.
    let (s, v) = call(&st, "POST", "/match/default", Some(json!({"queries": {"q": {"properties": {}}}})), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail(&v).contains("schema"), "{v}");
    // Not JSON at all.
    let req = Request::post("/match/default").body(Body::from("name=kim")).unwrap();
    let (s, v) = raw(&st, req).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(!detail(&v).is_empty());
    // Too large a body.
    let big = json!({"queries": {"q": {"schema": "Person", "properties": {"name": "x".repeat(4096)}}}});
    let (s, v) = call(&st, "POST", "/match/default", Some(big), None).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(!detail(&v).is_empty());
    // Too many queries.
    let many: serde_json::Map<String, Value> = (0..4)
        .map(|i| (format!("q{i}"), json!({"schema": "Person", "properties": {"name": "Kim"}})))
        .collect();
    let (s, v) = call(&st, "POST", "/match/default", Some(json!({ "queries": many })), None).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(detail(&v).contains("at most 3"), "{v}");
    // Unknown dataset, endpoint, bad parameters.
    let q = json!({"queries": {"q": {"schema": "Person", "properties": {"name": "Kim Jong Un"}}}});
    let (s, v) = call(&st, "POST", "/match/eu", Some(q.clone()), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(detail(&v).contains("mini"), "{v}");
    let (s, _) = call(&st, "GET", "/nope", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = call(&st, "POST", "/match/default?threshold=7", Some(q.clone()), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = call(&st, "POST", "/match/default?limit=abc", Some(q.clone()), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _) = call(&st, "GET", "/alerts/notanumber", None, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = call(&st, "DELETE", "/healthz", None, None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    // A query without a name answers for itself; the others are still answered.
    let mixed = json!({"queries": {"good": {"schema": "Person", "properties": {"name": "Kim Jong Un"}}, "bad": {"schema": "Person", "properties": {"birthDate": "1984"}}}});
    let (s, v) = call(&st, "POST", "/match/default", Some(mixed), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["responses"]["bad"]["status"], 400);
    assert!(v["responses"]["bad"]["detail"].as_str().unwrap().contains("no name"));
    assert_eq!(v["responses"]["good"]["results"][0]["id"], "mini-kju");
}

#[tokio::test]
async fn search_entities_health_openapi_metrics() {
    let (_d, st) = state();
    let (s, v) = call(&st, "GET", "/search/default?q=Ryonbong", None, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["results"][0]["id"], "mini-ryonbong");
    let (s, v) = call(&st, "GET", "/search/default", None, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "missing q: {v}");
    let (s, v) = call(&st, "GET", "/entities/mini-kju", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["caption"], "KIM JONG UN");
    assert_eq!(v["properties"]["birthDate"], json!(["1984-01-08"]));
    let (s, v) = call(&st, "GET", "/entities/mini-nobody", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["detail"].as_str().unwrap().contains("mini-nobody"));
    assert_eq!(call(&st, "GET", "/healthz", None, None).await.0, StatusCode::OK);
    let (s, v) = call(&st, "GET", "/readyz", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["entities"], 6);
    let (s, v) = call(&st, "GET", "/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/match/{dataset}",
        "/search/{dataset}",
        "/entities/{id}",
        "/alerts",
        "/alerts/{id}/decision",
        "/screen",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(v["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    assert!(v["components"]["schemas"]["MatchRequest"].is_object());
    let (s, v) = call(&st, "GET", "/metrics", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let text = v.as_str().unwrap();
    assert!(
        text.contains("cordon_http_requests_total{route=\"/search/{dataset}\",method=\"GET\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("cordon_http_requests_total{route=\"/entities/{id}\",method=\"GET\",status=\"404\"} 1"),
        "{text}"
    );
    assert!(text.contains("cordon_index_entities 6"));
    assert!(text.contains("cordon_list_version_info{source=\"mini\""));
}

#[tokio::test]
async fn not_ready_until_lists_load() {
    let dir = tempfile::tempdir().unwrap();
    let st = AppState::open(Config::new(dir.path().to_path_buf())).unwrap();
    let (s, v) = call(&st, "GET", "/readyz", None, None).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert!(v["detail"].is_string());
    let q = json!({"queries": {"q": {"schema": "Person", "properties": {"name": "Kim Jong Un"}}}});
    assert_eq!(
        call(&st, "POST", "/match/default", Some(q.clone()), None).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // An empty store without CORDON_LISTS_DIR cannot load: the error says how to load lists.
    std::env::remove_var("CORDON_LISTS_DIR");
    assert!(st.reload().is_err());
    let (_, v) = call(&st, "GET", "/readyz", None, None).await;
    assert!(v["detail"].as_str().unwrap().contains("cordon lists"), "{v}");
    import(dir.path(), "mini-v1.ftm.json");
    assert!(st.reload().unwrap());
    assert_eq!(call(&st, "POST", "/match/default", Some(q), None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn writes_need_a_key_and_decisions_are_recorded() {
    let (dir, st) = state();
    let key = new_key(dir.path(), "analyst-1");
    let records = json!([
        {"id": "emp-1", "name": "Gim Jeong Eun", "dob": "1984-01-08"},
        {"id": "emp-2", "name": "Jane Smith", "dob": "1990-02-02"},
        {"id": "emp-3", "name": ""}
    ]);
    // Screening without recording is a read.
    let (s, v) = call(&st, "POST", "/screen", Some(json!({"records": records})), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["results"][0]["matches"][0]["entity_id"], "mini-kju");
    assert_eq!(v["results"][1]["matches"], json!([]));
    assert!(v["results"][2]["error"].as_str().unwrap().contains("empty name"));
    assert!(v["recorded"].is_null());
    // Recording needs a key, and a valid one.
    let rec = json!({"records": records, "record": true, "dataset": "payroll"});
    let (s, v) = call(&st, "POST", "/screen", Some(rec.clone()), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(v["detail"].as_str().unwrap().contains("cordon keys create"));
    let (s, _) = call(&st, "POST", "/screen", Some(rec.clone()), Some("cdn_wrong0000000000000000000000000000")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = call(&st, "POST", "/screen", Some(rec), Some(&key)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["recorded"]["opened"], 1);
    let (s, v) = call(&st, "GET", "/alerts", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let alerts = v["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1);
    let id = alerts[0]["id"].as_i64().unwrap();
    assert_eq!(alerts[0]["record_id"], "emp-1");
    // Deciding needs a key.
    let d = json!({"decision": "false_positive", "note": "different person: checked passport"});
    assert_eq!(
        call(&st, "POST", &format!("/alerts/{id}/decision"), Some(d.clone()), None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, v) = call(&st, "POST", &format!("/alerts/{id}/decision"), Some(json!({"decision": "maybe"})), Some(&key)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = call(&st, "POST", "/alerts/999/decision", Some(d.clone()), Some(&key)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = call(&st, "POST", &format!("/alerts/{id}/decision"), Some(d), Some(&key)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "false_positive");
    assert_eq!(v["decisions"][0]["actor"], "key:analyst-1");
    // Stored: a fresh connection sees it, and the audit log names the key.
    let store = cordon_store::Store::open(dir.path()).unwrap();
    let a = store.alert(id).unwrap().unwrap();
    assert_eq!(a.decisions.len(), 1);
    assert_eq!(a.decisions[0].note.as_deref(), Some("different person: checked passport"));
    assert!(store
        .audit_log()
        .unwrap()
        .iter()
        .any(|r| r.action == "alert.decide" && r.actor == "key:analyst-1"));
    let (_, v) = call(&st, "GET", "/alerts?status=decided", None, None).await;
    assert_eq!(v["alerts"].as_array().unwrap().len(), 1);
    let (s, _) = call(&st, "GET", "/alerts?status=bogus", None, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A revoked key stops working (after the short cache).
    let mut store = cordon_store::Store::open(dir.path()).unwrap();
    let key2 = new_key(dir.path(), "temp");
    store.revoke_key("temp", "test").unwrap();
    let (s, _) = call(
        &st,
        "POST",
        &format!("/alerts/{id}/decision"),
        Some(json!({"decision": "true_match"})),
        Some(&key2),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reads_can_require_keys() {
    let (dir, st) = state_with(|c| c.keys_for_reads = true);
    let key = new_key(dir.path(), "client");
    let q = json!({"queries": {"q": {"schema": "Person", "properties": {"name": "Kim Jong Un"}}}});
    assert_eq!(call(&st, "POST", "/match/default", Some(q.clone()), None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&st, "GET", "/alerts", None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&st, "POST", "/match/default", Some(q.clone()), Some(&key)).await.0, StatusCode::OK);
    // Other header forms work too.
    let req = Request::post("/match/default")
        .header("content-type", "application/json")
        .header("x-api-key", key.as_str())
        .body(Body::from(q.to_string()))
        .unwrap();
    assert_eq!(raw(&st, req).await.0, StatusCode::OK);
    // Health checks stay open.
    assert_eq!(call(&st, "GET", "/healthz", None, None).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_list_versions_swap_in_without_failing_requests() {
    let (dir, st) = state();
    let before = st.index().unwrap();
    let q = json!({"queries": {"q": {"schema": "Person", "properties": {"name": "Ri Je Son", "birthDate": "1938"}}}});
    let (_, v) = call(&st, "POST", "/match/default", Some(q.clone()), None).await;
    assert_eq!(v["responses"]["q"]["results"], json!([]), "not listed yet");
    // Requests run without pause while the new version is imported and swapped in.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (st, stop, q) = (st.clone(), stop.clone(), q.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (s, v) = call(&st, "POST", "/match/default", Some(q.clone()), None).await;
                assert_eq!(s, StatusCode::OK, "{v}");
                n += 1;
            }
            n
        }));
    }
    let home = dir.path().to_path_buf();
    let st2 = st.clone();
    let swapped = tokio::task::spawn_blocking(move || {
        import(&home, "mini-v2.ftm.json");
        st2.reload().unwrap()
    })
    .await
    .unwrap();
    assert!(swapped);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut served = 0;
    for w in workers {
        served += w.await.unwrap();
    }
    assert!(served > 0);
    let (_, v) = call(&st, "POST", "/match/default", Some(q), None).await;
    assert_eq!(v["responses"]["q"]["results"][0]["id"], "mini-ri-je-son", "{v}");
    // The old index still works for whoever holds it, and a second reload is a no-op.
    assert_eq!(before.len(), 6);
    assert_eq!(st.index().unwrap().len(), 7);
    assert!(!st.reload().unwrap());
    // A failed import leaves the store, and so the served index, as they were.
    let bad = dir.path().join("bad.ftm.json");
    std::fs::write(
        &bad,
        "{\"id\": \"x\", \"schema\": \"Person\", \"properties\": {\"name\": [\"A\"]}}\n{not json\n",
    )
    .unwrap();
    let mut store = cordon_store::Store::open(dir.path()).unwrap();
    let opts = cordon_engine::ImportOptions {
        source: Some("mini".into()),
        ..Default::default()
    };
    assert!(cordon_engine::import_paths(&mut store, &[bad], &opts).is_err());
    assert!(!st.reload().unwrap());
    assert_eq!(st.index().unwrap().len(), 7);
    let (s, _) = call(&st, "GET", "/readyz", None, None).await;
    assert_eq!(s, StatusCode::OK);
}
