//! Cordon's embedded store: one SQLite file (`cordon.db`) in the Cordon home directory.
//!
//! It holds every imported list version (source, format, issue date, SHA-256 of the content,
//! counts), the entities of each version (as JSON, keyed by version and entity id), which
//! version of each source is active, conditional-GET validators of downloads, and an
//! append-only audit log.
//!
//! Design points:
//! - **WAL mode**, `synchronous=FULL`: a committed import survives a crash, readers never block
//!   the writer.
//! - **One transaction per import**: the version row, all its entities, the activation switch
//!   and the audit record commit together or not at all, so a failed import leaves the store
//!   exactly as it was.
//! - **Content addressing**: a version is identified by the SHA-256 of its content; importing
//!   the same file again is a no-op.
//! - **Case management** ([`alerts`]): screened records, screening runs, alerts and
//!   append-only decisions, each change audited in its own transaction.
//! - **Versioned migrations** in `PRAGMA user_version`; a store written by a newer Cordon is
//!   refused rather than misread.
#![deny(missing_docs)]

pub mod alerts;
mod keys;
mod migrations;
mod tags;
mod time;

pub use alerts::{content_hash, Alert, AlertCounts, AlertFilter, AlertStatus, Decision, HitRow, RecordRow};

use std::path::{Path, PathBuf};

use cordon_model::{Entity, ListFormat, ListVersion, VersionCounts};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

pub use keys::ApiKey;
pub use time::now_rfc3339;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("store {}: {source}", path.display())]
    Sqlite {
        /// Database file.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// The home directory could not be created.
    #[error("cannot create Cordon home {}: {source}", path.display())]
    Home {
        /// Directory.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The store was written by a newer Cordon.
    #[error("store {} has schema version {found}, this Cordon knows up to {known}; upgrade Cordon", path.display())]
    TooNew {
        /// Database file.
        path: PathBuf,
        /// Version found.
        found: i64,
        /// Latest known.
        known: i64,
    },
    /// Stored data could not be decoded (corruption or a manual edit).
    #[error("store {}: corrupt record {what}: {message}", path.display())]
    Corrupt {
        /// Database file.
        path: PathBuf,
        /// Which record.
        what: String,
        /// What is wrong.
        message: String,
    },
    /// A version id that does not exist.
    #[error("no list version {0} in the store; `cordon lists status` shows the versions")]
    NoSuchVersion(String),
    /// An alert id that does not exist.
    #[error("no alert {0} in the store; `cordon alerts list` shows the alerts")]
    NoSuchAlert(i64),
    /// A request the store refuses.
    #[error("{0}")]
    Invalid(String),
}

/// Result of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A list to import: what the parser produced plus where it came from.
pub struct NewVersion<'a> {
    /// The list (`un`, `ofac`, …).
    pub source: &'a str,
    /// File format.
    pub format: ListFormat,
    /// Issue date the file states.
    pub issued: Option<&'a str>,
    /// SHA-256 of the content.
    pub sha256: &'a str,
    /// File name or URL.
    pub origin: &'a str,
    /// The entities.
    pub entities: &'a [Entity],
}

/// When an imported version becomes the active one of its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// Only if no version of the source is active, or it is issued after the active one, or on
    /// the same day with at least as many entities (importing an old snapshot or a subset for
    /// comparison does not replace the list in force).
    IfNewest,
    /// Always (an update that passed its checks, or an explicit choice).
    Always,
    /// Store without activating.
    Never,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new version was stored.
    Imported(ListVersion),
    /// The same content was already stored: nothing changed.
    AlreadyPresent(ListVersion),
}

/// One audit log record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    /// Sequence number.
    pub id: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who (user name or `system`).
    pub actor: String,
    /// What (`import`, `activate`, `update`, …).
    pub action: String,
    /// The list version concerned.
    pub version_id: Option<i64>,
    /// Details as JSON.
    pub detail: serde_json::Value,
}

/// The store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

const VERSION_COLUMNS: &str =
    "id, source, format, issued, sha256, imported_at, active, entities, persons, organizations, vessels, aircraft, names, wallets, origin";

impl Store {
    /// Opens (creating if needed) the store in a Cordon home directory.
    pub fn open(home: &Path) -> Result<Store> {
        std::fs::create_dir_all(home).map_err(|source| StoreError::Home {
            path: home.to_path_buf(),
            source,
        })?;
        Store::open_file(&home.join("cordon.db"))
    }

    /// Opens a store file.
    pub fn open_file(path: &Path) -> Result<Store> {
        let err = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(err)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        migrations::migrate(&mut store.conn, path)?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Stores a list version and its entities in one transaction, activating it per `activation`.
    pub fn import(&mut self, v: &NewVersion<'_>, activation: Activation, actor: &str) -> Result<ImportOutcome> {
        if let Some(existing) = self.version_by_sha(v.sha256)? {
            return Ok(ImportOutcome::AlreadyPresent(existing));
        }
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let counts = VersionCounts::of(v.entities);
        let now = now_rfc3339();
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "INSERT INTO list_version (source, format, issued, sha256, imported_at, active, entities, persons, organizations, vessels, aircraft, names, wallets, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                v.source,
                v.format.as_str(),
                v.issued,
                v.sha256,
                now,
                counts.entities as i64,
                counts.persons as i64,
                counts.organizations as i64,
                counts.vessels as i64,
                counts.aircraft as i64,
                counts.names as i64,
                counts.wallets as i64,
                v.origin
            ],
        )
        .map_err(err)?;
        let version_id = tx.last_insert_rowid();
        {
            let mut stmt = tx
                .prepare("INSERT INTO entity (version_id, id, kind, caption, data) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(err)?;
            let mut buf = Vec::with_capacity(4096);
            for e in v.entities {
                buf.clear();
                serde_json::to_writer(&mut buf, e).expect("entities serialise");
                let json = std::str::from_utf8(&buf).expect("JSON is UTF-8");
                stmt.execute(params![version_id, e.id, e.kind.as_str(), e.caption(), json]).map_err(err)?;
            }
        }
        let activate = match activation {
            Activation::Always => true,
            Activation::Never => false,
            Activation::IfNewest => {
                let current: Option<(Option<String>, i64)> = tx
                    .query_row("SELECT issued, entities FROM list_version WHERE source = ?1 AND active = 1", [v.source], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()
                    .map_err(err)?;
                match current {
                    None => true,
                    Some((issued, entities)) => supersedes(v.issued, counts.entities, issued.as_deref(), entities as u64),
                }
            }
        };
        if activate {
            activate_in(&tx, v.source, version_id).map_err(err)?;
        }
        let detail = serde_json::json!({"source": v.source, "format": v.format.as_str(), "issued": v.issued, "sha256": v.sha256, "origin": v.origin, "entities": counts.entities, "activated": activate});
        audit_in(&tx, actor, "import", Some(version_id), &detail).map_err(err)?;
        tx.commit().map_err(err)?;
        let stored = self.version(version_id)?.ok_or_else(|| StoreError::NoSuchVersion(version_id.to_string()))?;
        Ok(ImportOutcome::Imported(stored))
    }

    /// Makes a stored version the active one of its source.
    pub fn activate(&mut self, version_id: i64, actor: &str) -> Result<ListVersion> {
        let v = self.version(version_id)?.ok_or_else(|| StoreError::NoSuchVersion(version_id.to_string()))?;
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        activate_in(&tx, &v.source, version_id).map_err(err)?;
        audit_in(&tx, actor, "activate", Some(version_id), &serde_json::json!({"source": v.source})).map_err(err)?;
        tx.commit().map_err(err)?;
        self.version(version_id)?.ok_or_else(|| StoreError::NoSuchVersion(version_id.to_string()))
    }

    /// Appends an audit record outside an import (a refused update, a fetch).
    pub fn audit(&mut self, actor: &str, action: &str, version_id: Option<i64>, detail: &serde_json::Value) -> Result<()> {
        let path = self.path.clone();
        audit_in(&self.conn, actor, action, version_id, detail).map_err(|source| StoreError::Sqlite { path, source })
    }

    /// All versions, oldest first.
    pub fn versions(&self) -> Result<Vec<ListVersion>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {VERSION_COLUMNS} FROM list_version ORDER BY id"))
            .map_err(self.err())?;
        let rows = stmt.query_map([], row_to_version).map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// One version.
    pub fn version(&self, id: i64) -> Result<Option<ListVersion>> {
        self.conn
            .query_row(&format!("SELECT {VERSION_COLUMNS} FROM list_version WHERE id = ?1"), [id], row_to_version)
            .optional()
            .map_err(self.err())
    }

    fn version_by_sha(&self, sha: &str) -> Result<Option<ListVersion>> {
        self.conn
            .query_row(&format!("SELECT {VERSION_COLUMNS} FROM list_version WHERE sha256 = ?1"), [sha], row_to_version)
            .optional()
            .map_err(self.err())
    }

    /// The active version of each source.
    pub fn active_versions(&self) -> Result<Vec<ListVersion>> {
        Ok(self.versions()?.into_iter().filter(|v| v.active).collect())
    }

    /// The active version of one source.
    pub fn active_version(&self, source: &str) -> Result<Option<ListVersion>> {
        Ok(self.versions()?.into_iter().find(|v| v.active && v.source == source))
    }

    /// All entities of a version, in import order.
    pub fn entities(&self, version_id: i64) -> Result<Vec<Entity>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, data FROM entity WHERE version_id = ?1 ORDER BY rowid")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([version_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row.map_err(self.err())?;
            out.push(self.decode(&id, &data)?);
        }
        Ok(out)
    }

    fn decode(&self, id: &str, data: &str) -> Result<Entity> {
        serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            what: format!("entity {id}"),
            message: e.to_string(),
        })
    }

    /// An entity by id from the active versions (newest first), with the version it is from.
    pub fn entity(&self, id: &str) -> Result<Option<(ListVersion, Entity)>> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT e.version_id, e.data FROM entity e JOIN list_version v ON v.id = e.version_id WHERE e.id = ?1 ORDER BY v.active DESC, v.id DESC LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())?;
        let Some((vid, data)) = row else {
            return Ok(None);
        };
        let v = self.version(vid)?.ok_or_else(|| StoreError::NoSuchVersion(vid.to_string()))?;
        Ok(Some((v, self.decode(id, &data)?)))
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, at, actor, action, version_id, detail FROM audit_log ORDER BY id")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                let detail: String = r.get(5)?;
                Ok(AuditRecord {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    version_id: r.get(4)?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// Conditional-GET validators stored for a URL: (ETag, Last-Modified).
    pub fn fetch_validators(&self, url: &str) -> Result<(Option<String>, Option<String>)> {
        Ok(self
            .conn
            .query_row("SELECT etag, last_modified FROM fetch_state WHERE url = ?1", [url], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(self.err())?
            .unwrap_or((None, None)))
    }

    /// Remembers validators for a URL (only after its content was imported).
    pub fn set_fetch_validators(&mut self, url: &str, etag: Option<&str>, last_modified: Option<&str>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO fetch_state (url, etag, last_modified, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, fetched_at = excluded.fetched_at",
                params![url, etag, last_modified, now_rfc3339()],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Runs SQLite's integrity check; `Ok(())` when the file is sound.
    pub fn check_integrity(&self) -> Result<()> {
        let r: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(self.err())?;
        if r == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                what: "database".into(),
                message: r,
            })
        }
    }
}

/// Whether a version (issued, entity count) supersedes the active one: issued later, or the
/// same day with at least as many entities.
pub fn supersedes(issued: Option<&str>, entities: u64, active_issued: Option<&str>, active_entities: u64) -> bool {
    let (new, old) = (issued.unwrap_or(""), active_issued.unwrap_or(""));
    new > old || new == old && entities >= active_entities
}

fn activate_in(tx: &Transaction<'_>, source: &str, version_id: i64) -> rusqlite::Result<()> {
    tx.execute("UPDATE list_version SET active = 0 WHERE source = ?1 AND active = 1", [source])?;
    tx.execute("UPDATE list_version SET active = 1 WHERE id = ?1", [version_id])?;
    Ok(())
}

fn audit_in(conn: &Connection, actor: &str, action: &str, version_id: Option<i64>, detail: &serde_json::Value) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, version_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now_rfc3339(), actor, action, version_id, detail.to_string()],
    )?;
    Ok(())
}

fn row_to_version(r: &rusqlite::Row<'_>) -> rusqlite::Result<ListVersion> {
    let format: String = r.get(2)?;
    let n = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)? as u64) };
    Ok(ListVersion {
        id: r.get(0)?,
        source: r.get(1)?,
        format: format
            .parse()
            .map_err(|e: String| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into()))?,
        issued: r.get(3)?,
        sha256: r.get(4)?,
        imported_at: r.get(5)?,
        active: r.get::<_, i64>(6)? != 0,
        counts: VersionCounts {
            entities: n(7)?,
            persons: n(8)?,
            organizations: n(9)?,
            vessels: n(10)?,
            aircraft: n(11)?,
            names: n(12)?,
            wallets: n(13)?,
        },
        origin: r.get(14)?,
    })
}
