//! Cordon's HTTP API on axum.
//!
//! - **yente-compatible matching**: `POST /match/{dataset}` takes and answers the same JSON as
//!   OpenSanctions yente, so existing clients work unchanged; `GET /search/{dataset}`,
//!   `GET /entities/{id}`.
//! - **Cases**: `GET /alerts`, `GET /alerts/{id}`, `POST /alerts/{id}/decision`, and
//!   `POST /screen` (a batch of records, recorded as alerts on request).
//! - **Operations**: `/healthz`, `/readyz`, `/metrics` (Prometheus), `/openapi.json`
//!   (generated from the handlers' annotations).
//!
//! Every workflow is a call into `cordon-engine`; this crate only speaks HTTP. The screening
//! index lives behind an `Arc` that a background task replaces when the store's active list
//! versions change: requests in flight finish on the index they started with.
#![deny(missing_docs)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use cordon_engine::index::ListIndex;
use cordon_store::{ApiKey, Store};

mod api;
mod error;
mod metrics;

pub use api::ApiDoc;
pub use error::ApiError;

/// Server settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The Cordon home (store and downloads).
    pub home: PathBuf,
    /// Read endpoints (`/match`, `/search`, `/entities`, `GET /alerts`) need a key too.
    pub keys_for_reads: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Most queries in one `/match` request.
    pub max_queries: usize,
    /// Most records in one `/screen` request.
    pub max_records: usize,
    /// How often the store is checked for new list versions.
    pub reload_every: Duration,
    /// Threads screening a `/screen` batch.
    pub threads: usize,
}

impl Config {
    /// Defaults for a home directory.
    pub fn new(home: PathBuf) -> Config {
        Config {
            home,
            keys_for_reads: false,
            max_body_bytes: 8 << 20,
            max_queries: 100,
            max_records: 10_000,
            reload_every: Duration::from_secs(10),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] cordon_store::StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// How long a verified key is trusted before the store is asked again (a revoked key stops
/// working within this time).
const KEY_CACHE_TTL: Duration = Duration::from_secs(5);

/// Shared state of the server.
pub struct AppState {
    cfg: Config,
    store: Mutex<Store>,
    index: RwLock<Option<Arc<ListIndex>>>,
    /// Why the lists are not loaded, while they are not.
    load_error: Mutex<Option<String>>,
    reload_lock: Mutex<()>,
    reloads: std::sync::atomic::AtomicU64,
    loaded_at: Mutex<Option<std::time::SystemTime>>,
    keys: Mutex<HashMap<String, (ApiKey, Instant)>>,
    metrics: metrics::Metrics,
}

impl AppState {
    /// Opens the store; the lists are loaded by [`AppState::reload`].
    pub fn open(cfg: Config) -> Result<Arc<AppState>, ServerError> {
        let store = Store::open(&cfg.home)?;
        Ok(Arc::new(AppState {
            cfg,
            store: Mutex::new(store),
            index: RwLock::new(None),
            load_error: Mutex::new(Some("the lists are loading".into())),
            reload_lock: Mutex::new(()),
            reloads: Default::default(),
            loaded_at: Mutex::new(None),
            keys: Mutex::new(HashMap::new()),
            metrics: Default::default(),
        }))
    }

    /// The current index, if the lists are loaded.
    pub fn index(&self) -> Option<Arc<ListIndex>> {
        self.index.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Loads the active lists if they changed since the index was built (blocking: run it off
    /// the async workers). The new index is built beside the old one, on its own store
    /// connection, and swapped in whole; requests keep the index they started with. Returns
    /// whether the index was replaced; on failure the old index stays.
    pub fn reload(&self) -> Result<bool, cordon_engine::EngineError> {
        let _one_at_a_time = self.reload_lock.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(current) = self.index() {
            if current.is_current(&self.store())? {
                return Ok(false);
            }
        }
        let mut store = Store::open(&self.cfg.home)?;
        match ListIndex::load(&mut store, &self.cfg.home) {
            Ok(ix) => {
                *self.index.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(ix));
                *self.load_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
                *self.loaded_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(std::time::SystemTime::now());
                self.reloads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(true)
            }
            Err(e) => {
                if self.index().is_none() {
                    *self.load_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                }
                Err(e)
            }
        }
    }

    /// The key sent with a request, checked against the store. `Ok(None)` when the endpoint
    /// is open and no key was sent.
    fn authorize(&self, headers: &HeaderMap, write: bool) -> Result<Option<ApiKey>, ApiError> {
        let needed = write || self.cfg.keys_for_reads;
        let Some(secret) = presented_key(headers) else {
            return match needed {
                true => Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "this endpoint needs an API key: send `Authorization: ApiKey <key>` (create one with `cordon keys create NAME`)",
                )),
                false => Ok(None),
            };
        };
        let digest = cordon_store::content_hash(&secret);
        if let Some((key, at)) = self.keys.lock().unwrap_or_else(|p| p.into_inner()).get(&digest) {
            if at.elapsed() < KEY_CACHE_TTL {
                return Ok(Some(key.clone()));
            }
        }
        match self.store().verify_key(&secret)? {
            Some(key) => {
                self.keys
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(digest, (key.clone(), Instant::now()));
                Ok(Some(key))
            }
            None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "the API key is unknown or revoked")),
        }
    }
}

/// The key in `Authorization: ApiKey K`, `Authorization: Bearer K` or `X-API-Key: K`.
fn presented_key(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(v.trim().to_string());
    }
    let auth = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, key) = auth.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("apikey") || scheme.eq_ignore_ascii_case("bearer")).then(|| key.trim().to_string())
}

/// The router with all endpoints, limits and metrics.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.cfg.max_body_bytes;
    api::routes()
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), track))
        .fallback(|| async { ApiError::not_found("no such endpoint; GET /openapi.json lists them") })
        .method_not_allowed_fallback(|| async { ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this endpoint") })
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error (a bug: please report it)").into_response()
        }))
        .with_state(state)
}

async fn track(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("other", |p| p.as_str()).to_string();
    let method = req.method().to_string();
    let t = Instant::now();
    let resp = next.run(req).await;
    state.metrics.observe(&route, &method, resp.status().as_u16(), t.elapsed());
    resp
}

/// Serves until Ctrl-C or SIGTERM: binds, loads the lists in the background (`/readyz` says
/// when they are in), and checks for new list versions every `reload_every`.
pub async fn serve(state: Arc<AppState>, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(ServerError::Serve)?;
    ready(local);
    let reloader = state.clone();
    tokio::spawn(async move {
        loop {
            let s = reloader.clone();
            match tokio::task::spawn_blocking(move || s.reload()).await {
                Ok(Ok(true)) => {
                    if let Some(ix) = reloader.index() {
                        let lists: Vec<String> = ix
                            .versions
                            .iter()
                            .map(|v| format!("{} {} (version {})", v.source, v.issued.as_deref().unwrap_or("?"), v.id))
                            .collect();
                        eprintln!("cordon serve: screening against {} entities: {}", ix.len(), lists.join(", "));
                    }
                }
                Ok(Ok(false)) => {}
                Ok(Err(e)) => eprintln!("cordon serve: lists not (re)loaded: {e}"),
                Err(e) => eprintln!("cordon serve: list loading failed: {e}"),
            }
            tokio::time::sleep(reloader.cfg.reload_every).await;
        }
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(ServerError::Serve)
}

/// [`serve`] on a runtime of its own, for callers that are not async (the CLI).
pub fn run(state: Arc<AppState>, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<(), ServerError> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ServerError::Serve)?;
    rt.block_on(serve(state, addr, ready))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
