//! Screening with a memory: records and alerts in the store, decisions, and re-screening of
//! the stored records when a list changes.

use std::collections::HashMap;

use cordon_match::{Hit, Query, Screener, SCREEN_THRESHOLD};
use cordon_model::{Entity, ListVersion};
use cordon_store::{content_hash, AlertCounts, AlertStatus, HitRow, RecordRow, Store};
use serde::Serialize;

use crate::index::ListIndex;
use crate::screen::query_from_fields;
use crate::{EngineError, Result};

/// Matches kept per record when re-screening.
const RESCREEN_LIMIT: usize = 10;

/// Records per transaction.
const PAGE: usize = 4096;

/// Where each matched entity comes from: its list version and content hash.
pub(crate) struct EntityInfo(pub(crate) HashMap<String, (i64, String)>);

impl EntityInfo {
    fn hit_row(&self, h: &Hit) -> Option<HitRow> {
        let (version_id, hash) = self.0.get(&h.entity_id)?;
        Some(HitRow {
            entity_id: h.entity_id.clone(),
            score: h.score,
            explanation: h.explanation.clone(),
            version_id: *version_id,
            entity_hash: hash.clone(),
        })
    }
}

/// Records a batch screening in the store: every record with an id, and alerts for its matches.
pub struct Recorder<'a> {
    store: &'a mut Store,
    info: std::sync::Arc<EntityInfo>,
    screening: i64,
    actor: String,
    dataset: String,
    /// What recording did so far.
    pub counts: AlertCounts,
    /// Rows screened but not recorded because they have no id.
    pub without_id: u64,
}

impl<'a> Recorder<'a> {
    /// Starts a recorded screening of `dataset` against the lists of `index`.
    pub fn start(store: &'a mut Store, index: &ListIndex, dataset: &str, threshold: f64, actor: &str) -> Result<Recorder<'a>> {
        if dataset.trim().is_empty() {
            return Err(EngineError::Invalid("the dataset name is empty".into()));
        }
        let info = index.info.clone();
        let ids = index.version_ids();
        let screening = store.begin_screening(actor, "batch", Some(dataset), &ids, threshold)?;
        Ok(Recorder {
            store,
            info,
            screening,
            actor: actor.to_string(),
            dataset: dataset.to_string(),
            counts: AlertCounts::default(),
            without_id: 0,
        })
    }

    /// Stores one batch: `(record id, screened fields as JSON, matches)`.
    pub(crate) fn batch(&mut self, rows: Vec<(Option<String>, String, &[Hit])>) -> Result<()> {
        let mut items = Vec::with_capacity(rows.len());
        for (id, data, hits) in rows {
            let Some(id) = id else {
                self.without_id += 1;
                continue;
            };
            let rec = RecordRow {
                dataset: self.dataset.clone(),
                record_id: id,
                data,
            };
            items.push((rec, hits.iter().filter_map(|h| self.info.hit_row(h)).collect()));
        }
        let c = self.store.record_batch(self.screening, &self.actor, &items)?;
        self.counts.add(&c);
        Ok(())
    }

    /// Stores rows whose alerts are not list matches (a worker-network cluster's risk): the
    /// hit rows are given as they are stored.
    pub(crate) fn batch_rows(&mut self, items: Vec<(RecordRow, Vec<HitRow>)>) -> Result<()> {
        let c = self.store.record_batch(self.screening, &self.actor, &items)?;
        self.counts.add(&c);
        Ok(())
    }

    /// Ends the screening, writing its summary to the audit log.
    pub fn finish(self, rows: u64) -> Result<AlertCounts> {
        let summary = serde_json::json!({"rows": rows, "without_id": self.without_id, "alerts": self.counts});
        self.store.finish_screening(self.screening, &self.actor, &summary)?;
        Ok(self.counts)
    }
}

/// The alert states a status filter names: `open`, `decided` (false positive or true match),
/// `false-positive`, `true-match`, `closed`, or `all` (every state: an empty list).
pub fn status_filter(name: &str) -> Result<Vec<AlertStatus>> {
    match name {
        "all" => Ok(Vec::new()),
        "decided" => Ok(vec![AlertStatus::FalsePositive, AlertStatus::TrueMatch]),
        other => AlertStatus::parse(other)
            .map(|s| vec![s])
            .ok_or_else(|| EngineError::Invalid(format!("unknown status {other:?}: open, decided, false-positive, true-match, closed, all"))),
    }
}

/// What re-screening the stored records after a list change did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RescreenReport {
    /// The new version.
    pub version_id: i64,
    /// Entities added, changed, removed since the previous active version.
    pub added: usize,
    /// Changed entities.
    pub changed: usize,
    /// Removed entities.
    pub removed: usize,
    /// Stored records screened.
    pub records: u64,
    /// Alert changes.
    pub alerts: AlertCounts,
}

/// Screens every stored record against the entities a new version added or changed, and closes
/// the open alerts on the entities it removed. Nothing to do when no record is stored.
pub fn rescreen_after_change(store: &mut Store, previous: Option<&ListVersion>, new: &ListVersion, actor: &str) -> Result<Option<RescreenReport>> {
    if store.record_count()? == 0 || previous.is_some_and(|p| p.id == new.id) {
        return Ok(None);
    }
    let new_data = store.entity_data(new.id)?;
    let old_data = match previous {
        Some(p) => store.entity_data(p.id)?,
        None => Default::default(),
    };
    let mut report = RescreenReport {
        version_id: new.id,
        ..RescreenReport::default()
    };
    let mut entities: Vec<Entity> = Vec::new();
    let mut info = HashMap::new();
    for (id, data) in &new_data {
        match old_data.get(id) {
            Some(old) if old == data => continue,
            Some(_) => report.changed += 1,
            None => report.added += 1,
        }
        let e: Entity = serde_json::from_str(data).map_err(|e| EngineError::Invalid(format!("stored entity {id} is unreadable: {e}")))?;
        entities.push(e);
        info.insert(id.clone(), (new.id, content_hash(data)));
    }
    let removed: Vec<String> = old_data.keys().filter(|id| !new_data.contains_key(*id)).cloned().collect();
    report.removed = removed.len();
    let info = EntityInfo(info);
    let screening = store.begin_screening(actor, "rescreen", None, &[new.id], SCREEN_THRESHOLD)?;
    if !entities.is_empty() {
        let screener = Screener::new(&entities);
        let mut after = 0;
        loop {
            let (page, last) = store.records_page(after, PAGE)?;
            if page.is_empty() {
                break;
            }
            after = last;
            let mut items = Vec::new();
            for rec in page {
                report.records += 1;
                let Some(q) = stored_query(&rec.data) else {
                    continue;
                };
                let hits: Vec<HitRow> = screener
                    .screen(&q, SCREEN_THRESHOLD, RESCREEN_LIMIT)
                    .iter()
                    .filter_map(|h| info.hit_row(h))
                    .collect();
                if !hits.is_empty() {
                    items.push((rec, hits));
                }
            }
            let c = store.record_batch(screening, actor, &items)?;
            // Records were only re-stored as they were; count alerts, not records.
            report.alerts.add(&AlertCounts { records: 0, ..c });
        }
    }
    if !removed.is_empty() {
        let reason = format!(
            "entity removed from {} in version {} (issued {})",
            new.source,
            new.id,
            new.issued.as_deref().unwrap_or("?")
        );
        report.alerts.closed += store.close_alerts(&removed, &reason, new.id, actor)?;
    }
    store.finish_screening(screening, actor, &serde_json::to_value(&report).expect("report serialises"))?;
    Ok(Some(report))
}

/// The query of a stored record.
fn stored_query(data: &str) -> Option<Query> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(data).ok()?;
    let get = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
    query_from_fields(&get)
}
