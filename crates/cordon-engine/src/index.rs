//! The screening index over the active list versions, built once and shared: by the CLI for
//! one command, by the HTTP server until a new list version replaces it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use cordon_match::Screener;
use cordon_model::{Entity, ListVersion};
use cordon_store::{content_hash, Store};

use crate::cases::EntityInfo;
use crate::{ensure_lists, EngineError, Result};

/// A screener over the active list versions, with the entities it was built from.
pub struct ListIndex {
    /// The screener.
    pub screener: Screener,
    /// The list versions, one per source.
    pub versions: Vec<ListVersion>,
    entities: Vec<Entity>,
    /// Index into `versions` per entity.
    version_of: Vec<u32>,
    by_id: HashMap<String, u32>,
    pub(crate) info: Arc<EntityInfo>,
}

impl ListIndex {
    /// Builds the index over every active version, loading lists first if the store is empty
    /// (`CORDON_LISTS_DIR`).
    pub fn load(store: &mut Store, home: &Path) -> Result<ListIndex> {
        let versions = ensure_lists(store, home)?;
        ListIndex::of_versions(store, versions)
    }

    /// Builds the index over the given versions.
    pub fn of_versions(store: &Store, versions: Vec<ListVersion>) -> Result<ListIndex> {
        let mut entities = Vec::new();
        let mut version_of = Vec::new();
        let mut hashes = HashMap::new();
        for (vi, v) in versions.iter().enumerate() {
            for (id, data) in store.entity_rows(v.id)? {
                let e: Entity = serde_json::from_str(&data).map_err(|e| EngineError::Invalid(format!("stored entity {id} is unreadable: {e}")))?;
                hashes.insert(id, (v.id, content_hash(&data)));
                entities.push(e);
                version_of.push(vi as u32);
            }
        }
        let by_id = entities.iter().enumerate().map(|(i, e)| (e.id.clone(), i as u32)).collect();
        Ok(ListIndex {
            screener: Screener::new(&entities),
            versions,
            entities,
            version_of,
            by_id,
            info: Arc::new(EntityInfo(hashes)),
        })
    }

    /// An entity by store id, with its list version.
    pub fn entity(&self, id: &str) -> Option<(&ListVersion, &Entity)> {
        let i = *self.by_id.get(id)? as usize;
        Some((&self.versions[self.version_of[i] as usize], &self.entities[i]))
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// True when no entity is indexed.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The store ids of the indexed versions, sorted.
    pub fn version_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.versions.iter().map(|v| v.id).collect();
        ids.sort_unstable();
        ids
    }

    /// True when the store's active versions are still the indexed ones.
    pub fn is_current(&self, store: &Store) -> Result<bool> {
        let mut active: Vec<i64> = store.active_versions()?.iter().map(|v| v.id).collect();
        active.sort_unstable();
        Ok(active == self.version_ids())
    }

    /// Every indexed entity id.
    pub fn entity_ids(&self) -> impl Iterator<Item = &str> {
        self.entities.iter().map(|e| e.id.as_str())
    }

    /// The sources indexed (`un`, `ofac`, …).
    pub fn sources(&self) -> Vec<&str> {
        self.versions.iter().map(|v| v.source.as_str()).collect()
    }
}
