//! Schema migrations, applied in order; `PRAGMA user_version` records how many ran.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// Each entry upgrades the schema by one version. Never edit a released entry: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: list versions, entities, audit log, download validators.
    "CREATE TABLE list_version (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        format TEXT NOT NULL,
        issued TEXT,
        sha256 TEXT NOT NULL UNIQUE,
        imported_at TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 0,
        entities INTEGER NOT NULL,
        persons INTEGER NOT NULL,
        organizations INTEGER NOT NULL,
        vessels INTEGER NOT NULL,
        aircraft INTEGER NOT NULL,
        names INTEGER NOT NULL,
        wallets INTEGER NOT NULL,
        origin TEXT NOT NULL
    );
    CREATE UNIQUE INDEX one_active_per_source ON list_version (source) WHERE active = 1;
    CREATE TABLE entity (
        version_id INTEGER NOT NULL REFERENCES list_version (id),
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        caption TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (version_id, id)
    );
    CREATE INDEX entity_by_id ON entity (id);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        version_id INTEGER,
        detail TEXT NOT NULL
    );
    -- The audit log is append-only: the database itself refuses edits and deletions.
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE fetch_state (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        fetched_at TEXT NOT NULL
    );",
    // 2: screened records, screening runs, alerts and their decisions.
    "CREATE TABLE record (
        dataset TEXT NOT NULL,
        record_id TEXT NOT NULL,
        data TEXT NOT NULL,
        hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_screened TEXT NOT NULL,
        PRIMARY KEY (dataset, record_id)
    );
    CREATE TABLE screening (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        dataset TEXT,
        versions TEXT NOT NULL,
        threshold REAL NOT NULL,
        summary TEXT
    );
    CREATE TABLE alert (
        id INTEGER PRIMARY KEY,
        dataset TEXT NOT NULL,
        record_id TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'false_positive', 'true_match', 'closed')),
        score REAL NOT NULL,
        explanation TEXT NOT NULL,
        version_id INTEGER NOT NULL REFERENCES list_version (id),
        record_hash TEXT NOT NULL,
        entity_hash TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        screening_id INTEGER NOT NULL REFERENCES screening (id),
        reason TEXT,
        UNIQUE (dataset, record_id, entity_id)
    );
    CREATE INDEX alert_by_status ON alert (status);
    CREATE INDEX alert_by_entity ON alert (entity_id);
    CREATE TABLE decision (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL REFERENCES alert (id),
        decision TEXT NOT NULL,
        note TEXT,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        record_hash TEXT NOT NULL,
        entity_hash TEXT NOT NULL,
        version_id INTEGER NOT NULL
    );
    CREATE INDEX decision_by_alert ON decision (alert_id);
    -- Decisions are evidence: never edited, never deleted.
    CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
    CREATE TRIGGER decision_no_delete BEFORE DELETE ON decision BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;",
    // 3: API keys of the HTTP server, stored as SHA-256 digests only.
    "CREATE TABLE api_key (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        digest TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        created_by TEXT NOT NULL,
        revoked TEXT
    );",
    // 4: attribution tags of chain addresses.
    "CREATE TABLE chain_tag (
        address TEXT NOT NULL,
        label TEXT NOT NULL,
        category TEXT NOT NULL,
        actor TEXT,
        confidence REAL,
        source TEXT NOT NULL,
        added TEXT NOT NULL,
        PRIMARY KEY (address, label, category, source)
    );
    CREATE INDEX chain_tag_by_category ON chain_tag (category);",
];

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let err = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: current,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction().map_err(err)?;
        tx.execute_batch(sql).map_err(err)?;
        tx.pragma_update(None, "user_version", i as i64 + 1).map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(())
}
