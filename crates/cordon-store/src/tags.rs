//! Attribution tags of chain addresses.

use cordon_model::{Tag, TagCategory};
use rusqlite::params;

use crate::{audit_in, now_rfc3339, Result, Store, StoreError};

impl Store {
    /// Adds tags (one transaction, audited); a tag already present (same address, label,
    /// category and source) is updated. Returns how many were new.
    pub fn add_tags(&mut self, tags: &[Tag], actor: &str, what: &str) -> Result<u64> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        let now = now_rfc3339();
        let mut new = 0;
        {
            let mut exists = tx
                .prepare("SELECT 1 FROM chain_tag WHERE address = ?1 AND label = ?2 AND category = ?3 AND source = ?4")
                .map_err(err)?;
            let mut put = tx
                .prepare(
                    "INSERT INTO chain_tag (address, label, category, actor, confidence, source, added) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (address, label, category, source) DO UPDATE SET actor = ?4, confidence = ?5",
                )
                .map_err(err)?;
            for t in tags {
                if !exists.exists(params![t.address, t.label, t.category.as_str(), t.source]).map_err(err)? {
                    new += 1;
                }
                put.execute(params![t.address, t.label, t.category.as_str(), t.actor, t.confidence, t.source, now])
                    .map_err(err)?;
            }
        }
        audit_in(
            &tx,
            actor,
            "chain.tags",
            None,
            &serde_json::json!({"what": what, "tags": tags.len(), "new": new}),
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(new)
    }

    /// Every tag.
    pub fn tags(&self) -> Result<Vec<Tag>> {
        let mut stmt = self
            .conn
            .prepare("SELECT address, label, category, actor, confidence, source FROM chain_tag ORDER BY address, label")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                let category: String = r.get(2)?;
                Ok(Tag {
                    address: r.get(0)?,
                    label: r.get(1)?,
                    category: TagCategory::parse(&category).unwrap_or(TagCategory::Other),
                    actor: r.get(3)?,
                    confidence: r.get(4)?,
                    source: r.get(5)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_added_once_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let t = Tag {
            address: "0xabc".into(),
            label: "Lazarus Group".into(),
            category: TagCategory::Dprk,
            actor: Some("lazarus".into()),
            confidence: None,
            source: "fbi".into(),
        };
        assert_eq!(s.add_tags(std::slice::from_ref(&t), "me", "test").unwrap(), 1);
        assert_eq!(s.add_tags(std::slice::from_ref(&t), "me", "test").unwrap(), 0);
        assert_eq!(s.tags().unwrap(), vec![t]);
        assert_eq!(s.audit_log().unwrap().len(), 2);
    }
}
