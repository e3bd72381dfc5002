//! API keys of the HTTP server.
//!
//! A key is shown once, when it is created; the store keeps only its SHA-256 digest and a short
//! prefix to tell keys apart in listings. Keys are long random strings, so a plain digest (not
//! a slow password hash) is enough: there is nothing to guess by brute force.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::{audit_in, content_hash, now_rfc3339, Result, Store, StoreError};

/// A stored API key (without the key itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// Store id.
    pub id: i64,
    /// Unique name (who or what uses it).
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    /// When it was created.
    pub created: String,
    /// Who created it.
    pub created_by: String,
    /// When it was revoked, if it was.
    pub revoked: Option<String>,
}

const KEY_COLUMNS: &str = "id, name, prefix, created, created_by, revoked";

fn key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiKey> {
    Ok(ApiKey {
        id: r.get(0)?,
        name: r.get(1)?,
        prefix: r.get(2)?,
        created: r.get(3)?,
        created_by: r.get(4)?,
        revoked: r.get(5)?,
    })
}

impl Store {
    /// Stores a new key under a unique name (audited). `secret` is the key as given to its user.
    pub fn create_key(&mut self, name: &str, secret: &str, actor: &str) -> Result<ApiKey> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a key needs a name".into()));
        }
        if secret.len() < 32 {
            return Err(StoreError::Invalid("an API key must be at least 32 characters".into()));
        }
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        let taken: bool = tx
            .query_row("SELECT 1 FROM api_key WHERE name = ?1", [name], |_| Ok(true))
            .optional()
            .map_err(err)?
            .unwrap_or(false);
        if taken {
            return Err(StoreError::Invalid(format!("a key named {name:?} exists; revoke it or choose another name")));
        }
        let prefix: String = secret.chars().take(12).collect();
        tx.execute(
            "INSERT INTO api_key (name, prefix, digest, created, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, prefix, content_hash(secret), now_rfc3339(), actor],
        )
        .map_err(err)?;
        audit_in(&tx, actor, "key.create", None, &serde_json::json!({"name": name, "prefix": prefix})).map_err(err)?;
        tx.commit().map_err(err)?;
        self.key(name)?.ok_or_else(|| StoreError::Invalid(format!("key {name:?} vanished")))
    }

    /// A key by name.
    pub fn key(&self, name: &str) -> Result<Option<ApiKey>> {
        self.conn
            .query_row(&format!("SELECT {KEY_COLUMNS} FROM api_key WHERE name = ?1"), [name], key_row)
            .optional()
            .map_err(self.err())
    }

    /// All keys, revoked ones included.
    pub fn keys(&self) -> Result<Vec<ApiKey>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {KEY_COLUMNS} FROM api_key ORDER BY id"))
            .map_err(self.err())?;
        let rows = stmt.query_map([], key_row).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// The live (not revoked) key with this secret.
    pub fn verify_key(&self, secret: &str) -> Result<Option<ApiKey>> {
        self.conn
            .query_row(
                &format!("SELECT {KEY_COLUMNS} FROM api_key WHERE digest = ?1 AND revoked IS NULL"),
                [content_hash(secret)],
                key_row,
            )
            .optional()
            .map_err(self.err())
    }

    /// Revokes a key by name (audited); revoking twice is an error.
    pub fn revoke_key(&mut self, name: &str, actor: &str) -> Result<ApiKey> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        let n = tx
            .execute(
                "UPDATE api_key SET revoked = ?2 WHERE name = ?1 AND revoked IS NULL",
                params![name, now_rfc3339()],
            )
            .map_err(err)?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("no live key named {name:?}")));
        }
        audit_in(&tx, actor, "key.revoke", None, &serde_json::json!({"name": name})).map_err(err)?;
        tx.commit().map_err(err)?;
        self.key(name)?.ok_or_else(|| StoreError::Invalid(format!("key {name:?} vanished")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stored_hashed_and_revocable() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let secret = "cdn_0123456789abcdef0123456789abcdef";
        let k = store.create_key("ci", secret, "alice").unwrap();
        assert_eq!(k.prefix, "cdn_01234567");
        assert_eq!(store.verify_key(secret).unwrap().unwrap().name, "ci");
        assert!(store.verify_key("cdn_0123456789abcdef0123456789abcdeX").unwrap().is_none());
        assert!(store.create_key("ci", "cdn_ffffffffffffffffffffffffffffffff", "alice").is_err());
        assert!(store.create_key("short", "abc", "alice").is_err());
        // The secret itself is nowhere in the database.
        let stored: String = store.conn.query_row("SELECT digest FROM api_key", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, secret);
        store.revoke_key("ci", "alice").unwrap();
        assert!(store.verify_key(secret).unwrap().is_none());
        assert!(store.revoke_key("ci", "alice").is_err());
        let actions: Vec<String> = store.audit_log().unwrap().into_iter().map(|a| a.action).collect();
        assert_eq!(actions, ["key.create", "key.revoke"]);
    }
}
