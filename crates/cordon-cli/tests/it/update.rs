//! `cordon lists update` against a loopback HTTP server serving the shared files, a 404, a
//! truncated body, garbage, and conditional GET.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::util::{cordon, fails, ok, shared, snapshot, status};

/// What the server answers for a path.
#[derive(Clone)]
enum Reply {
    File(Vec<u8>, &'static str),
    NotFound,
    /// Announces the full length but sends only part, then closes.
    Cut(Vec<u8>),
}

/// A minimal HTTP/1.1 server on 127.0.0.1 for the duration of a test. Honors If-None-Match.
struct Server {
    port: u16,
    routes: Arc<Mutex<Vec<(String, Reply)>>>,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes: Arc<Mutex<Vec<(String, Reply)>>> = Arc::default();
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, h) = (routes.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let mut reader = BufReader::new(s.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut inm = None;
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).unwrap_or(0) == 0 || l == "\r\n" {
                        break;
                    }
                    if let Some(v) = l.to_ascii_lowercase().strip_prefix("if-none-match:") {
                        inm = Some(v.trim().to_string());
                    }
                }
                h.lock().unwrap().push(format!("{path} inm={}", inm.clone().unwrap_or_default()));
                let reply = r
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map(|(_, r)| r.clone())
                    .unwrap_or(Reply::NotFound);
                let _ = match reply {
                    Reply::File(_, etag) if inm.as_deref() == Some(etag) => s.write_all(b"HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n"),
                    Reply::File(body, etag) => {
                        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n", body.len());
                        s.write_all(head.as_bytes()).and_then(|_| s.write_all(&body))
                    }
                    Reply::NotFound => s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found"),
                    Reply::Cut(body) => {
                        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                        s.write_all(head.as_bytes()).and_then(|_| s.write_all(&body[..body.len() / 2]))
                    }
                };
                let _ = s.flush();
                let _ = s.shutdown(std::net::Shutdown::Both);
                let mut sink = Vec::new();
                let _ = reader.read_to_end(&mut sink);
            }
        });
        Server { port, routes, hits }
    }

    fn route(&self, path: &str, reply: Reply) {
        let mut r = self.routes.lock().unwrap();
        r.retain(|(p, _)| p != path);
        r.push((path.to_string(), reply));
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

#[test]
fn update_activates_checks_and_refuses_bad_downloads() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let srv = Server::start();
    let un = std::fs::read(data.join("un/UN_consolidated_2026-02-27.xml")).unwrap();
    let dprk = std::fs::read(data.join("un/UN_consolidated_2026-02-27_DPRK_only.xml")).unwrap();
    srv.route("/un.xml", Reply::File(un.clone(), "\"v1\""));

    let out = ok(&cordon(h, &["lists", "update", "--source", "un", "--url", &srv.url("/un.xml")]));
    assert!(out.contains("activated version 1"), "{out}");
    assert_eq!(status(h)["versions"][0]["entities"].as_u64(), Some(1003));

    // Conditional GET: the server sees the ETag and answers 304.
    let out = ok(&cordon(h, &["lists", "update", "--source", "un", "--url", &srv.url("/un.xml")]));
    assert!(out.contains("not modified"), "{out}");
    assert!(srv.hits.lock().unwrap().last().unwrap().contains("inm=\"v1\""));

    let before = snapshot(h);
    // 404, cut connection, garbage, a truncated XML body served whole: each fails, nothing changes.
    let err = fails(&cordon(h, &["lists", "update", "--source", "un", "--url", &srv.url("/missing.xml")]));
    assert!(err.contains("404"), "{err}");
    srv.route("/cut.xml", Reply::Cut(un.clone()));
    let err = fails(&cordon(h, &["lists", "update", "--source", "un", "--url", &srv.url("/cut.xml")]));
    assert!(err.contains("truncated") || err.contains("connection"), "{err}");
    srv.route("/garbage", Reply::File(b"<html><body>Service unavailable</body></html>".to_vec(), "\"g\""));
    let err = fails(&cordon(h, &["lists", "update", "--source", "un", "--url", &srv.url("/garbage")]));
    assert!(err.contains("unknown list format"), "{err}");
    srv.route("/half.xml", Reply::File(un[..un.len() / 2].to_vec(), "\"h\""));
    let err = fails(&cordon(h, &["lists", "update", "--source", "un", "--url", &srv.url("/half.xml")]));
    assert!(err.contains("truncated"), "{err}");
    // A real but much smaller list (the DPRK subset: 155 of 1003) fails the sanity check…
    srv.route("/small.xml", Reply::File(dprk.clone(), "\"s\""));
    let err = fails(&cordon(h, &["lists", "update", "--source", "un", "--url", &srv.url("/small.xml")]));
    assert!(err.contains("--force") && err.contains("drop"), "{err}");
    assert_eq!(snapshot(h), before, "failed updates changed nothing");
    // …and is accepted with --force.
    let out = ok(&cordon(h, &["lists", "update", "--source", "un", "--url", &srv.url("/small.xml"), "--force"]));
    assert!(out.contains("activated version 2"), "{out}");
    let s = status(h);
    assert_eq!(s["versions"][1]["active"].as_bool(), Some(true));
    assert_eq!(s["versions"][0]["active"].as_bool(), Some(false));
}

#[test]
fn update_of_ofac_advanced_from_loopback() {
    let Some(data) = shared() else { return };
    let home = tempfile::tempdir().unwrap();
    let srv = Server::start();
    // Served compressed: the importer recognises bzip2 by content.
    srv.route(
        "/SDN_ADVANCED.XML",
        Reply::File(
            std::fs::read(data.join("ofac/sdn_advanced_xml/sdn_advanced_2025-03-04.xml.bz2")).unwrap(),
            "\"a\"",
        ),
    );
    let out = ok(&cordon(
        home.path(),
        &["lists", "update", "--source", "ofac", "--url", &srv.url("/SDN_ADVANCED.XML")],
    ));
    assert!(out.contains("ofac: activated"), "{out}");
    assert_eq!(status(home.path())["versions"][0]["issued"].as_str(), Some("2025-03-04"));
}
