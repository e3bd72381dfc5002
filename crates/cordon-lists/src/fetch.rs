//! Downloading list files from the official URLs, with conditional GET.
//!
//! A download goes to a file the caller names (a temporary file next to the store); it is
//! checked against the announced `Content-Length`, so a connection cut half-way is an error,
//! never a truncated list handed to a parser. The caller imports the file and only then
//! activates it.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use crate::ListError;

/// The UN Security Council consolidated list (XML).
pub const UN_URL: &str = "https://scsanctions.un.org/resources/xml/en/consolidated.xml";
/// OFAC's SDN list in the advanced XML format.
pub const OFAC_URL: &str = "https://sanctionslistservice.ofac.treas.gov/api/download/SDN_ADVANCED.XML";

/// The official URL of a source, if Cordon knows one.
pub fn default_url(source: &str) -> Option<&'static str> {
    match source {
        "un" => Some(UN_URL),
        "ofac" => Some(OFAC_URL),
        _ => None,
    }
}

/// Validators from an earlier download, for a conditional GET.
#[derive(Clone, Debug, Default)]
pub struct Validators {
    /// `ETag` the server sent.
    pub etag: Option<String>,
    /// `Last-Modified` the server sent.
    pub last_modified: Option<String>,
}

/// What a fetch did.
#[derive(Debug)]
pub enum FetchOutcome {
    /// The server says the file has not changed since the validators were issued (HTTP 304).
    NotModified,
    /// The file was written to the destination.
    Downloaded {
        /// Bytes written.
        bytes: u64,
        /// The new validators.
        validators: Validators,
    },
}

/// Downloads `url` into `dest` (created or truncated). `progress(done, total)` is called as
/// bytes arrive.
pub fn fetch(url: &str, previous: &Validators, dest: &Path, progress: &mut dyn FnMut(u64, Option<u64>)) -> Result<FetchOutcome, ListError> {
    let err = |m: String| ListError::Fetch {
        url: url.to_string(),
        message: m,
    };
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(120)))
        .timeout_recv_body(Some(Duration::from_secs(600)))
        .user_agent(concat!("cordon/", env!("CARGO_PKG_VERSION")))
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let mut req = agent.get(url);
    if let Some(e) = &previous.etag {
        req = req.header("If-None-Match", e);
    }
    if let Some(l) = &previous.last_modified {
        req = req.header("If-Modified-Since", l);
    }
    let resp = req.call().map_err(|e| err(e.to_string()))?;
    let status = resp.status();
    if status.as_u16() == 304 {
        return Ok(FetchOutcome::NotModified);
    }
    if !status.is_success() {
        return Err(err(format!("HTTP {} {}", status.as_u16(), status.canonical_reason().unwrap_or(""))));
    }
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let validators = Validators {
        etag: header("etag"),
        last_modified: header("last-modified"),
    };
    let total: Option<u64> = header("content-length").and_then(|v| v.parse().ok());
    let mut body = resp.into_body().into_reader();
    let mut out = std::fs::File::create(dest).map_err(|e| ListError::io(dest, e))?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut done = 0u64;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => return Err(err(format!("connection failed after {done} bytes: {e}"))),
        };
        out.write_all(&buf[..n]).map_err(|e| ListError::io(dest, e))?;
        done += n as u64;
        progress(done, total);
    }
    out.sync_all().map_err(|e| ListError::io(dest, e))?;
    if let Some(t) = total {
        if t != done {
            return Err(err(format!("truncated download: {done} of {t} bytes")));
        }
    }
    Ok(FetchOutcome::Downloaded { bytes: done, validators })
}
