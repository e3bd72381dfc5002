//! Workflows that join Cordon's parts, so the CLI and the HTTP server call the same code.
//!
//! - [`import_paths`]: parse list files completely, then store them; a bad file fails the
//!   whole command before anything is written.
//! - [`update_source`]: download an official list (conditional GET), parse it, check it is
//!   sane, and only then store and activate it.
//! - [`ensure_lists`]: what commands that need lists call first; loads `CORDON_LISTS_DIR` into
//!   an empty store or says exactly how to load lists.
//! - [`load_entities`]: a version by store id or a file, for diffs.
//! - [`screen`]: the screening workflow over the active lists (one query, or a file streamed in
//!   batches on all cores).
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use cordon_lists::fetch::{FetchOutcome, Validators};
use cordon_lists::{ListError, ParsedList};
use cordon_model::{Entity, ListFormat, ListVersion};
use cordon_store::{Activation, ImportOutcome, NewVersion, Store, StoreError};

pub mod cases;
pub mod chain;
pub mod index;
pub mod keys;
pub mod link;
pub mod screen;

/// Errors of Cordon workflows.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Reading a list failed.
    #[error(transparent)]
    List(#[from] ListError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A new version failed a sanity check and was not activated.
    #[error("{source_name}: new version has {new} entities, the active version {old_id} has {old}: a drop of {drop_pct:.1} % (limit {limit_pct} %). Nothing was changed; pass --force to accept it")]
    SanityCheck {
        /// The list.
        source_name: String,
        /// Active version id.
        old_id: i64,
        /// Entities in the active version.
        old: u64,
        /// Entities in the new version.
        new: u64,
        /// Drop in percent.
        drop_pct: f64,
        /// Allowed drop in percent.
        limit_pct: f64,
    },
    /// A command needs lists and the store has none.
    #[error("no sanctions lists are loaded in {home}.\nLoad them with one of:\n  cordon lists update                    download the official UN and OFAC lists\n  cordon lists import PATH...            import local copies (UN XML, OFAC SDN_ADVANCED.XML, sdn.csv, sdn.xml, FtM JSON; .gz/.bz2 work)\n  CORDON_LISTS_DIR=DIR cordon ...        load every list file in DIR on first use (offline sites)")]
    NoLists {
        /// The Cordon home.
        home: String,
    },
    /// A version argument is neither a file nor a stored version id.
    #[error("{0:?} is neither a list file nor a stored version id; `cordon lists status` shows the versions")]
    NoSuchVersion(String),
    /// A source without a known official URL.
    #[error("no official URL is known for source {0:?}; pass --url")]
    NoUrl(String),
    /// An input file for screening cannot be used at all (no `name` column, unreadable).
    #[error("{}: {message}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A request that cannot be carried out as given.
    #[error("{0}")]
    Invalid(String),
    /// Chain data failed.
    #[error(transparent)]
    Chain(#[from] cordon_chain::ChainError),
    /// I/O outside the parsers (temporary download files).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Result of workflows.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// The largest drop of entity count between the active and a new version of a list that is
/// accepted without `--force`. Real lists shrink by a few percent at most between releases;
/// a larger drop means a partial or wrong file.
pub const MAX_DROP_PCT: f64 = 20.0;

/// The Cordon home: `--home`, else `CORDON_HOME`, else `./.cordon`.
pub fn home_dir(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| std::env::var_os("CORDON_HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(".cordon"))
}

/// Options of an import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Format to force; detected from the content when `None`.
    pub format: Option<ListFormat>,
    /// Source name to force (`un`, `ofac`, …); from the format and file name when `None`.
    pub source: Option<String>,
    /// Accept a version that fails the sanity checks.
    pub force: bool,
    /// Who is importing, for the audit log.
    pub actor: String,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            source: None,
            force: false,
            actor: default_actor(),
        }
    }
}

/// The user running Cordon, for audit records.
pub fn default_actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// What importing one file did.
#[derive(Debug)]
pub struct ImportReport {
    /// The file or directory.
    pub path: PathBuf,
    /// The stored version (new or already present).
    pub version: ListVersion,
    /// False when the same content was already stored.
    pub new: bool,
    /// Parser warnings.
    pub warnings: Vec<String>,
    /// Seconds spent parsing.
    pub parse_secs: f64,
    /// Seconds spent storing.
    pub store_secs: f64,
    /// Re-screening of the stored records when this version became active.
    pub rescreen: Option<cases::RescreenReport>,
}

/// Expands the command-line paths: a directory holding an OFAC CSV set is one list; any other
/// directory contributes the list files in it (sorted, not recursive).
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() && !is_csv_set(p) {
            let rd = std::fs::read_dir(p).map_err(|source| EngineError::Io { path: p.clone(), source })?;
            let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|f| f.is_file() && !is_hidden(f)).collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn is_hidden(p: &Path) -> bool {
    p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

fn is_csv_set(dir: &Path) -> bool {
    ["sdn.csv", "sdn.csv.gz", "cons_prim.csv", "SDN.CSV"].iter().any(|n| dir.join(n).is_file())
}

/// Parses every path completely, then stores each list. If any file fails to parse, nothing
/// is stored.
pub fn import_paths(store: &mut Store, paths: &[PathBuf], opts: &ImportOptions) -> Result<Vec<ImportReport>> {
    let mut parsed = Vec::new();
    for p in expand_paths(paths)? {
        let t = Instant::now();
        let mut list = cordon_lists::read_path(&p, opts.format)?;
        if let Some(s) = &opts.source {
            list.source = s.clone();
        }
        parsed.push((list, t.elapsed().as_secs_f64()));
    }
    // Decide activation per list (and check what would be activated) before writing anything.
    let mut plan = Vec::new();
    for (list, _) in &parsed {
        let activate = would_activate(store, list, &parsed)?;
        if activate {
            check_sanity(store, list, opts.force)?;
        }
        plan.push(activate);
    }
    let mut reports = Vec::new();
    for ((list, parse_secs), activate) in parsed.into_iter().zip(plan) {
        let t = Instant::now();
        let previous = store.active_version(&list.source)?;
        let (version, new) = store_list(store, &list, if activate { Activation::IfNewest } else { Activation::Never }, &opts.actor)?;
        let rescreen = if new && version.active {
            cases::rescreen_after_change(store, previous.as_ref(), &version, &opts.actor)?
        } else {
            None
        };
        reports.push(ImportReport {
            rescreen,
            path: list.origin.clone(),
            version,
            new,
            warnings: list.warnings,
            parse_secs,
            store_secs: t.elapsed().as_secs_f64(),
        });
    }
    Ok(reports)
}

fn store_list(store: &mut Store, list: &ParsedList, activation: Activation, actor: &str) -> Result<(ListVersion, bool)> {
    let origin = list.origin.display().to_string();
    let nv = NewVersion {
        source: &list.source,
        format: list.format,
        issued: list.issued.as_deref(),
        sha256: &list.sha256,
        origin: &origin,
        entities: &list.entities,
    };
    Ok(match store.import(&nv, activation, actor)? {
        ImportOutcome::Imported(v) => (v, true),
        ImportOutcome::AlreadyPresent(v) => (v, false),
    })
}

/// Whether a parsed list will become active: it supersedes the active version of its source
/// and no other list of the same source in the same command supersedes it.
fn would_activate(store: &Store, list: &ParsedList, batch: &[(ParsedList, f64)]) -> Result<bool> {
    let n = list.entities.len() as u64;
    let beats_store = match store.active_version(&list.source)? {
        None => true,
        Some(a) => a.sha256 == list.sha256 || cordon_store::supersedes(list.issued.as_deref(), n, a.issued.as_deref(), a.counts.entities),
    };
    let beaten = batch.iter().any(|(o, _)| {
        let m = o.entities.len() as u64;
        o.source == list.source
            && o.sha256 != list.sha256
            && cordon_store::supersedes(o.issued.as_deref(), m, list.issued.as_deref(), n)
            && !(o.issued == list.issued && m == n)
    });
    Ok(beats_store && !beaten)
}

/// Refuses a list that would replace the active version of its source with far fewer entities.
fn check_sanity(store: &Store, list: &ParsedList, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    let Some(active) = store.active_version(&list.source)? else {
        return Ok(());
    };
    if active.sha256 == list.sha256 {
        return Ok(());
    }
    let (old, new) = (active.counts.entities, list.entities.len() as u64);
    if old > 0 && new < old {
        let drop_pct = (old - new) as f64 * 100.0 / old as f64;
        if drop_pct > MAX_DROP_PCT {
            return Err(EngineError::SanityCheck {
                source_name: list.source.clone(),
                old_id: active.id,
                old,
                new,
                drop_pct,
                limit_pct: MAX_DROP_PCT,
            });
        }
    }
    Ok(())
}

/// What an update did.
#[derive(Debug)]
pub enum UpdateOutcome {
    /// The server reported no change since the last download.
    NotModified,
    /// The content was downloaded but is already stored (and active).
    Unchanged(ListVersion),
    /// A new version was stored and activated (and the stored records re-screened).
    Activated(ListVersion, Option<cases::RescreenReport>),
}

/// Downloads, checks and activates the current version of one list. On any failure the store
/// and the active versions are unchanged (the attempt is recorded in the audit log).
pub fn update_source(
    store: &mut Store,
    home: &Path,
    source: &str,
    url: Option<&str>,
    force: bool,
    actor: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<UpdateOutcome> {
    let env_key = format!("CORDON_{}_URL", source.to_uppercase().replace('-', "_"));
    let env_url = std::env::var(&env_key).ok();
    let url = url
        .or(env_url.as_deref())
        .or(cordon_lists::fetch::default_url(source))
        .ok_or_else(|| EngineError::NoUrl(source.to_string()))?
        .to_string();
    let downloads = home.join("downloads");
    std::fs::create_dir_all(&downloads).map_err(|e| EngineError::Io {
        path: downloads.clone(),
        source: e,
    })?;
    let tmp = downloads.join(format!("{source}.part"));
    let result = update_inner(store, &url, &tmp, source, force, actor, progress);
    let _ = std::fs::remove_file(&tmp);
    if let Err(e) = &result {
        store.audit(
            actor,
            "update-failed",
            None,
            &serde_json::json!({"source": source, "url": url, "error": e.to_string()}),
        )?;
    }
    result
}

fn update_inner(
    store: &mut Store,
    url: &str,
    tmp: &Path,
    source: &str,
    force: bool,
    actor: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<UpdateOutcome> {
    let (etag, last_modified) = store.fetch_validators(url)?;
    // Validators only help while the version they describe is still stored and active.
    let previous = if store.active_version(source)?.is_some() {
        Validators { etag, last_modified }
    } else {
        Validators::default()
    };
    let validators = match cordon_lists::fetch::fetch(url, &previous, tmp, progress)? {
        FetchOutcome::NotModified => {
            store.audit(
                actor,
                "update",
                None,
                &serde_json::json!({"source": source, "url": url, "result": "not modified"}),
            )?;
            return Ok(UpdateOutcome::NotModified);
        }
        FetchOutcome::Downloaded { validators, .. } => validators,
    };
    let mut list = cordon_lists::read_path(tmp, None)?;
    list.source = source.to_string();
    list.origin = PathBuf::from(url);
    check_sanity(store, &list, force)?;
    let previous = store.active_version(source)?;
    let (version, new) = store_list(store, &list, Activation::Always, actor)?;
    let version = if version.active { version } else { store.activate(version.id, actor)? };
    store.set_fetch_validators(url, validators.etag.as_deref(), validators.last_modified.as_deref())?;
    store.audit(
        actor,
        "update",
        Some(version.id),
        &serde_json::json!({"source": source, "url": url, "result": if new { "activated" } else { "unchanged" }}),
    )?;
    Ok(if new {
        let rescreen = cases::rescreen_after_change(store, previous.as_ref(), &version, actor)?;
        UpdateOutcome::Activated(version, rescreen)
    } else {
        UpdateOutcome::Unchanged(version)
    })
}

/// Makes sure lists are loaded: if the store has no active version, imports `CORDON_LISTS_DIR`
/// when set, else fails with instructions.
pub fn ensure_lists(store: &mut Store, home: &Path) -> Result<Vec<ListVersion>> {
    let active = store.active_versions()?;
    if !active.is_empty() {
        return Ok(active);
    }
    if let Some(dir) = std::env::var_os("CORDON_LISTS_DIR") {
        import_paths(store, &[PathBuf::from(dir)], &ImportOptions::default())?;
        let active = store.active_versions()?;
        if !active.is_empty() {
            return Ok(active);
        }
    }
    Err(EngineError::NoLists {
        home: home.display().to_string(),
    })
}

/// The entities of a version given as a stored version id or a list file.
pub fn load_entities(store: &Store, spec: &str) -> Result<(String, Vec<Entity>)> {
    let p = Path::new(spec);
    if p.exists() {
        let list = cordon_lists::read_path(p, None)?;
        return Ok((
            format!("{} ({} {})", p.display(), list.source, list.issued.as_deref().unwrap_or("undated")),
            list.entities,
        ));
    }
    let id: i64 = spec.parse().map_err(|_| EngineError::NoSuchVersion(spec.to_string()))?;
    let v = store.version(id)?.ok_or_else(|| EngineError::NoSuchVersion(spec.to_string()))?;
    Ok((
        format!("version {} ({} {})", v.id, v.source, v.issued.as_deref().unwrap_or("undated")),
        store.entities(id)?,
    ))
}

/// Entities to export: one version, or every active version.
pub fn export_entities(store: &mut Store, home: &Path, version: Option<i64>) -> Result<Vec<(ListVersion, Vec<Entity>)>> {
    let versions = match version {
        Some(id) => vec![store.version(id)?.ok_or_else(|| EngineError::NoSuchVersion(id.to_string()))?],
        None => ensure_lists(store, home)?,
    };
    versions.into_iter().map(|v| Ok((v.clone(), store.entities(v.id)?))).collect()
}
