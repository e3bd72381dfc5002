//! Prometheus metrics, kept by hand: request counts and latency histograms per route, plus
//! gauges about the loaded lists. A mutex per observation is cheap next to a screening.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request metrics.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    /// Counts one request.
    pub fn observe(&self, route: &str, method: &str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        *self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let mut lat = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        let h = lat.entry((route.to_string(), method.to_string())).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// The request metrics in the Prometheus text format.
    pub fn render(&self, out: &mut String) {
        out.push_str("# HELP cordon_http_requests_total HTTP requests by route, method and status.\n");
        out.push_str("# TYPE cordon_http_requests_total counter\n");
        for ((route, method, status), n) in self.requests.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(
                out,
                "cordon_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP cordon_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE cordon_http_request_duration_seconds histogram\n");
        for ((route, method), h) in self.latency.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let labels = format!("route=\"{route}\",method=\"{method}\"");
            for (b, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(out, "cordon_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {n}");
            }
            let _ = writeln!(out, "cordon_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "cordon_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(out, "cordon_http_request_duration_seconds_count{{{labels}}} {}", h.count);
        }
    }
}

/// Escapes a label value.
pub fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.observe("/match/{dataset}", "POST", 200, Duration::from_micros(800));
        m.observe("/match/{dataset}", "POST", 200, Duration::from_millis(30));
        m.observe("/match/{dataset}", "POST", 400, Duration::from_micros(100));
        let mut s = String::new();
        m.render(&mut s);
        assert!(s.contains("cordon_http_requests_total{route=\"/match/{dataset}\",method=\"POST\",status=\"200\"} 2"));
        assert!(s.contains("le=\"0.001\"} 2"), "{s}");
        assert!(s.contains("le=\"0.05\"} 3"), "{s}");
        assert!(s.contains("le=\"+Inf\"} 3"), "{s}");
    }
}
