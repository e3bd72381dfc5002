//! Open-loop load generator for `cordon serve`: sends single-query yente `/match` requests at a
//! fixed rate and reports latency percentiles. Latency is measured from when a request was
//! *due*, not when it was sent, so a stalled server cannot hide its queueing (no coordinated
//! omission).
//!
//!   loadgen URL QUERIES.csv RATE SECS [PATH]
//!
//! QUERIES.csv has `name`, optional `dob`, `nationality`, `schema` columns (bench/gen_queries.py).
//! PATH defaults to `/match/default`; `/healthz` gives the HTTP baseline at the same rate.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: loadgen URL QUERIES.csv RATE SECS [PATH]");
        std::process::exit(2);
    }
    let base = args[1].trim_end_matches('/').to_string();
    let rate: f64 = args[3].parse().expect("RATE is requests per second");
    let secs: f64 = args[4].parse().expect("SECS is a duration in seconds");
    let path = args.get(5).cloned().unwrap_or_else(|| "/match/default".into());
    let mut rdr = csv::Reader::from_path(&args[2]).expect("read the queries file");
    let headers = rdr.headers().expect("header").clone();
    let col = |n: &str| headers.iter().position(|h| h == n);
    let (name, dob, nat, schema) = (col("name").expect("a name column"), col("dob"), col("nationality"), col("schema"));
    let bodies: Vec<String> = rdr
        .records()
        .map(|r| {
            let r = r.expect("a CSV row");
            let get = |i: Option<usize>| i.and_then(|i| r.get(i)).filter(|v| !v.is_empty());
            let mut props = serde_json::Map::new();
            props.insert("name".into(), serde_json::json!([r.get(name).unwrap_or("")]));
            if let Some(d) = get(dob) {
                props.insert("birthDate".into(), serde_json::json!([d]));
            }
            if let Some(n) = get(nat) {
                props.insert("nationality".into(), serde_json::json!([n]));
            }
            let schema = match get(schema) {
                Some("organization") => "Organization",
                Some("person") => "Person",
                _ => "LegalEntity",
            };
            serde_json::json!({"queries": {"q": {"schema": schema, "properties": props}}}).to_string()
        })
        .collect();
    let bodies = Arc::new(bodies);
    let total = (rate * secs) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    // Enough workers that a slow answer never delays the next due request.
    let workers = ((rate * 0.05) as usize).clamp(8, 64);
    let next = Arc::new(AtomicUsize::new(0));
    let lat: Arc<Mutex<Vec<f64>>> = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let errors = Arc::new(AtomicUsize::new(0));
    let start = Instant::now() + Duration::from_millis(200);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (bodies, next, lat, errors, base, path) = (bodies.clone(), next.clone(), lat.clone(), errors.clone(), base.clone(), path.clone());
            std::thread::spawn(move || {
                let agent = ureq::Agent::new_with_config(
                    ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .timeout_global(Some(Duration::from_secs(30)))
                        .build(),
                );
                let url = format!("{base}{path}");
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let due = start + interval.mul_f64(i as f64);
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                    let ok = if path.starts_with("/match") {
                        agent
                            .post(&url)
                            .header("Content-Type", "application/json")
                            .send(bodies[i % bodies.len()].as_str())
                            .map(|mut r| r.status().as_u16() == 200 && r.body_mut().read_to_string().is_ok())
                    } else {
                        agent
                            .get(&url)
                            .call()
                            .map(|mut r| r.status().as_u16() == 200 && r.body_mut().read_to_string().is_ok())
                    };
                    if !matches!(ok, Ok(true)) {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    mine.push(due.elapsed().as_secs_f64() * 1000.0);
                }
                lat.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let wall = start.elapsed().as_secs_f64();
    let mut l = lat.lock().unwrap().clone();
    l.sort_by(f64::total_cmp);
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)];
    println!(
        "{path}: {} requests at {rate} req/s target, {:.0} req/s achieved over {wall:.1} s, {} errors; latency ms p50 {:.2} p90 {:.2} p99 {:.2} p99.9 {:.2} max {:.2}",
        l.len(),
        l.len() as f64 / wall,
        errors.load(Ordering::Relaxed),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(0.999),
        l[l.len() - 1]
    );
}
