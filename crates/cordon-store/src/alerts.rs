//! Case management: screened records, screening runs, alerts and decisions.
//!
//! An alert is one record × one listed entity at or above the threshold. Its life:
//! - **open** when first raised;
//! - **false_positive** or **true_match** when someone decides it (the decision row is
//!   append-only and keeps the record and entity as they were decided);
//! - a decided false positive stays quiet on later screenings while the record and the entity
//!   are unchanged (same content hashes); when either changed it **reopens**, saying what
//!   changed;
//! - **closed** when its entity leaves the list; it reopens if the entity matches again.
//!
//! Every change is written to the audit log in the same transaction as the change itself.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{audit_in, now_rfc3339, Result, Store, StoreError};

/// SHA-256 of a text, lower-case hex: the content hash of records and entities.
pub fn content_hash(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The state of an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Waiting for a decision.
    Open,
    /// Decided: not the listed party.
    FalsePositive,
    /// Decided: the listed party.
    TrueMatch,
    /// The entity left the list.
    Closed,
}

impl AlertStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::FalsePositive => "false_positive",
            AlertStatus::TrueMatch => "true_match",
            AlertStatus::Closed => "closed",
        }
    }

    /// Parses the stored name (also accepts `false-positive`, `true-match`).
    pub fn parse(s: &str) -> Option<AlertStatus> {
        Some(match s.replace('-', "_").as_str() {
            "open" => AlertStatus::Open,
            "false_positive" => AlertStatus::FalsePositive,
            "true_match" => AlertStatus::TrueMatch,
            "closed" => AlertStatus::Closed,
            _ => return None,
        })
    }
}

/// A record as screened: its fields as JSON (fixed key order) and their hash.
#[derive(Clone, Debug)]
pub struct RecordRow {
    /// Dataset (a roster, a customer file) the record belongs to.
    pub dataset: String,
    /// The record's id in its dataset.
    pub record_id: String,
    /// The screened fields, as a JSON object.
    pub data: String,
}

/// One match of a record, to be turned into an alert.
#[derive(Clone, Debug)]
pub struct HitRow {
    /// Store id of the entity.
    pub entity_id: String,
    /// Score.
    pub score: f64,
    /// Explanation lines.
    pub explanation: Vec<String>,
    /// The list version the entity was matched in.
    pub version_id: i64,
    /// Content hash of the entity in that version.
    pub entity_hash: String,
}

/// Counts of what recording a batch did.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct AlertCounts {
    /// Records stored or updated.
    pub records: u64,
    /// New alerts.
    pub opened: u64,
    /// Decided false positives or closed alerts opened again because something changed.
    pub reopened: u64,
    /// Decided false positives kept quiet (record and entity unchanged).
    pub suppressed: u64,
    /// Open or true-match alerts seen again (score and explanation refreshed).
    pub refreshed: u64,
    /// Alerts closed (their entity left the list).
    pub closed: u64,
}

impl AlertCounts {
    /// Adds another batch's counts.
    pub fn add(&mut self, o: &AlertCounts) {
        self.records += o.records;
        self.opened += o.opened;
        self.reopened += o.reopened;
        self.suppressed += o.suppressed;
        self.refreshed += o.refreshed;
        self.closed += o.closed;
    }
}

/// A decision on an alert.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    /// Decision id.
    pub id: i64,
    /// `false_positive` or `true_match`.
    pub decision: AlertStatus,
    /// Free text.
    pub note: Option<String>,
    /// Who decided.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
    /// The list version the decision was made against.
    pub version_id: i64,
}

/// An alert.
#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    /// Alert id.
    pub id: i64,
    /// Dataset of the record.
    pub dataset: String,
    /// Record id.
    pub record_id: String,
    /// Entity id.
    pub entity_id: String,
    /// State.
    pub status: AlertStatus,
    /// Latest score.
    pub score: f64,
    /// Latest explanation.
    pub explanation: Vec<String>,
    /// List version of the latest match.
    pub version_id: i64,
    /// Created (RFC 3339).
    pub created: String,
    /// Last changed (RFC 3339).
    pub updated: String,
    /// Why it was last reopened or closed.
    pub reason: Option<String>,
    /// The record's screened fields as last seen.
    pub record: serde_json::Value,
    /// Decisions, oldest first (filled by [`Store::alert`]).
    pub decisions: Vec<Decision>,
}

/// Which alerts to list.
#[derive(Clone, Debug, Default)]
pub struct AlertFilter {
    /// Only these states (empty: all).
    pub statuses: Vec<AlertStatus>,
    /// Only this dataset.
    pub dataset: Option<String>,
    /// At most this many (0: no limit).
    pub limit: usize,
}

const ALERT_COLUMNS: &str = "a.id, a.dataset, a.record_id, a.entity_id, a.status, a.score, a.explanation, a.version_id, a.created, a.updated, a.reason, r.data";

fn row_to_alert(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    let status: String = r.get(4)?;
    let explanation: String = r.get(6)?;
    let record: Option<String> = r.get(11)?;
    Ok(Alert {
        id: r.get(0)?,
        dataset: r.get(1)?,
        record_id: r.get(2)?,
        entity_id: r.get(3)?,
        status: AlertStatus::parse(&status).unwrap_or(AlertStatus::Open),
        score: r.get(5)?,
        explanation: serde_json::from_str(&explanation).unwrap_or_default(),
        version_id: r.get(7)?,
        created: r.get(8)?,
        updated: r.get(9)?,
        reason: r.get(10)?,
        record: record.and_then(|d| serde_json::from_str(&d).ok()).unwrap_or(serde_json::Value::Null),
        decisions: Vec::new(),
    })
}

/// The fields whose values differ between two JSON objects.
fn changed_fields(old: &str, new: &str) -> Vec<String> {
    let parse = |s: &str| serde_json::from_str::<BTreeMap<String, serde_json::Value>>(s).unwrap_or_default();
    let (a, b) = (parse(old), parse(new));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

impl Store {
    /// Starts a screening run (audited); returns its id.
    pub fn begin_screening(&mut self, actor: &str, kind: &str, dataset: Option<&str>, versions: &[i64], threshold: f64) -> Result<i64> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        let versions_json = serde_json::to_string(versions).expect("ids serialise");
        tx.execute(
            "INSERT INTO screening (started, actor, kind, dataset, versions, threshold) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![now_rfc3339(), actor, kind, dataset, versions_json, threshold],
        )
        .map_err(err)?;
        let id = tx.last_insert_rowid();
        audit_in(
            &tx,
            actor,
            "screening.start",
            None,
            &serde_json::json!({"screening": id, "kind": kind, "dataset": dataset, "versions": versions, "threshold": threshold}),
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(id)
    }

    /// Ends a screening run with its summary (audited).
    pub fn finish_screening(&mut self, id: i64, actor: &str, summary: &serde_json::Value) -> Result<()> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "UPDATE screening SET finished = ?1, summary = ?2 WHERE id = ?3",
            params![now_rfc3339(), summary.to_string(), id],
        )
        .map_err(err)?;
        audit_in(&tx, actor, "screening.finish", None, &serde_json::json!({"screening": id, "summary": summary})).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Stores a batch of screened records and turns their matches into alerts, in one
    /// transaction (see the module documentation for the rules).
    pub fn record_batch(&mut self, screening_id: i64, actor: &str, items: &[(RecordRow, Vec<HitRow>)]) -> Result<AlertCounts> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let now = now_rfc3339();
        let mut counts = AlertCounts::default();
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut get_record = tx
                .prepare_cached("SELECT data, hash FROM record WHERE dataset = ?1 AND record_id = ?2")
                .map_err(err)?;
            let mut put_record = tx
                .prepare_cached(
                    "INSERT INTO record (dataset, record_id, data, hash, first_seen, last_screened) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                     ON CONFLICT (dataset, record_id) DO UPDATE SET data = excluded.data, hash = excluded.hash, last_screened = excluded.last_screened",
                )
                .map_err(err)?;
            let mut get_alert = tx
                .prepare_cached("SELECT id, status, record_hash, entity_hash, version_id FROM alert WHERE dataset = ?1 AND record_id = ?2 AND entity_id = ?3")
                .map_err(err)?;
            let mut new_alert = tx
                .prepare_cached(
                    "INSERT INTO alert (dataset, record_id, entity_id, status, score, explanation, version_id, record_hash, entity_hash, created, updated, screening_id)
                     VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
                )
                .map_err(err)?;
            let mut refresh = tx
                .prepare_cached(
                    "UPDATE alert SET score = ?2, explanation = ?3, version_id = ?4, record_hash = ?5, entity_hash = ?6, screening_id = ?7 WHERE id = ?1",
                )
                .map_err(err)?;
            let mut reopen = tx
                .prepare_cached(
                    "UPDATE alert SET status = 'open', score = ?2, explanation = ?3, version_id = ?4, record_hash = ?5, entity_hash = ?6, screening_id = ?7, updated = ?8, reason = ?9 WHERE id = ?1",
                )
                .map_err(err)?;
            for (rec, hits) in items {
                let hash = content_hash(&rec.data);
                let previous: Option<(String, String)> = get_record
                    .query_row(params![rec.dataset, rec.record_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
                    .map_err(err)?;
                put_record.execute(params![rec.dataset, rec.record_id, rec.data, hash, now]).map_err(err)?;
                counts.records += 1;
                for h in hits {
                    let explanation = serde_json::to_string(&h.explanation).expect("strings serialise");
                    let existing: Option<(i64, String, String, String, i64)> = get_alert
                        .query_row(params![rec.dataset, rec.record_id, h.entity_id], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                        })
                        .optional()
                        .map_err(err)?;
                    let Some((id, status, record_hash, entity_hash, old_version)) = existing else {
                        new_alert
                            .execute(params![
                                rec.dataset,
                                rec.record_id,
                                h.entity_id,
                                h.score,
                                explanation,
                                h.version_id,
                                hash,
                                h.entity_hash,
                                now,
                                screening_id
                            ])
                            .map_err(err)?;
                        let id = tx.last_insert_rowid();
                        audit_in(
                            &tx,
                            actor,
                            "alert.open",
                            Some(h.version_id),
                            &serde_json::json!({"alert": id, "dataset": rec.dataset, "record": rec.record_id, "entity": h.entity_id, "score": h.score, "screening": screening_id}),
                        )
                        .map_err(err)?;
                        counts.opened += 1;
                        continue;
                    };
                    let status = AlertStatus::parse(&status).unwrap_or(AlertStatus::Open);
                    let record_changed = record_hash != hash;
                    let entity_changed = entity_hash != h.entity_hash;
                    let reason = match status {
                        AlertStatus::Open | AlertStatus::TrueMatch => None,
                        AlertStatus::FalsePositive if !record_changed && !entity_changed => {
                            counts.suppressed += 1;
                            continue;
                        }
                        AlertStatus::FalsePositive => {
                            let mut why = Vec::new();
                            if record_changed {
                                let fields = previous.as_ref().map(|(d, _)| changed_fields(d, &rec.data)).unwrap_or_default();
                                why.push(format!("record changed ({})", fields.join(", ")));
                            }
                            if entity_changed {
                                let fields = entity_changes(&tx, &h.entity_id, old_version, h.version_id);
                                why.push(format!("listing changed in version {} ({})", h.version_id, fields.join(", ")));
                            }
                            Some(format!("decided false positive reopened: {}", why.join("; ")))
                        }
                        AlertStatus::Closed => Some(format!("matched again in version {}", h.version_id)),
                    };
                    match reason {
                        None => {
                            refresh
                                .execute(params![id, h.score, explanation, h.version_id, hash, h.entity_hash, screening_id])
                                .map_err(err)?;
                            counts.refreshed += 1;
                        }
                        Some(reason) => {
                            reopen
                                .execute(params![id, h.score, explanation, h.version_id, hash, h.entity_hash, screening_id, now, reason])
                                .map_err(err)?;
                            audit_in(
                                &tx,
                                actor,
                                "alert.reopen",
                                Some(h.version_id),
                                &serde_json::json!({"alert": id, "reason": reason, "screening": screening_id}),
                            )
                            .map_err(err)?;
                            counts.reopened += 1;
                        }
                    }
                }
            }
        }
        tx.commit().map_err(err)?;
        Ok(counts)
    }

    /// Closes the open alerts on entities that left the list, with the reason (audited).
    pub fn close_alerts(&mut self, entity_ids: &[String], reason: &str, version_id: i64, actor: &str) -> Result<u64> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let now = now_rfc3339();
        let tx = self.conn.transaction().map_err(err)?;
        let mut closed = 0;
        {
            let mut find = tx
                .prepare_cached("SELECT id FROM alert WHERE entity_id = ?1 AND status = 'open'")
                .map_err(err)?;
            let mut close = tx
                .prepare_cached("UPDATE alert SET status = 'closed', updated = ?2, reason = ?3 WHERE id = ?1")
                .map_err(err)?;
            for e in entity_ids {
                let ids: Vec<i64> = find.query_map([e], |r| r.get(0)).map_err(err)?.collect::<rusqlite::Result<_>>().map_err(err)?;
                for id in ids {
                    close.execute(params![id, now, reason]).map_err(err)?;
                    audit_in(
                        &tx,
                        actor,
                        "alert.close",
                        Some(version_id),
                        &serde_json::json!({"alert": id, "entity": e, "reason": reason}),
                    )
                    .map_err(err)?;
                    closed += 1;
                }
            }
        }
        tx.commit().map_err(err)?;
        Ok(closed)
    }

    /// Records a decision on an alert (audited, durable when this returns).
    pub fn decide(&mut self, alert_id: i64, decision: AlertStatus, note: Option<&str>, actor: &str) -> Result<Alert> {
        if !matches!(decision, AlertStatus::FalsePositive | AlertStatus::TrueMatch) {
            return Err(StoreError::Invalid(format!(
                "a decision is false_positive or true_match, not {}",
                decision.as_str()
            )));
        }
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        let row: Option<(String, String, i64)> = tx
            .query_row("SELECT record_hash, entity_hash, version_id FROM alert WHERE id = ?1", [alert_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(err)?;
        let Some((record_hash, entity_hash, version_id)) = row else {
            return Err(StoreError::NoSuchAlert(alert_id));
        };
        let now = now_rfc3339();
        tx.execute(
            "INSERT INTO decision (alert_id, decision, note, actor, at, record_hash, entity_hash, version_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![alert_id, decision.as_str(), note, actor, now, record_hash, entity_hash, version_id],
        )
        .map_err(err)?;
        tx.execute(
            "UPDATE alert SET status = ?2, updated = ?3, reason = NULL WHERE id = ?1",
            params![alert_id, decision.as_str(), now],
        )
        .map_err(err)?;
        audit_in(
            &tx,
            actor,
            "alert.decide",
            Some(version_id),
            &serde_json::json!({"alert": alert_id, "decision": decision.as_str(), "note": note}),
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        self.alert(alert_id)?.ok_or(StoreError::NoSuchAlert(alert_id))
    }

    /// Alerts matching a filter, newest first.
    pub fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        let mut sql = format!("SELECT {ALERT_COLUMNS} FROM alert a LEFT JOIN record r ON r.dataset = a.dataset AND r.record_id = a.record_id WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if !filter.statuses.is_empty() {
            let marks: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| {
                    args.push(s.as_str().to_string());
                    format!("?{}", args.len())
                })
                .collect();
            sql.push_str(&format!(" AND a.status IN ({})", marks.join(", ")));
        }
        if let Some(d) = &filter.dataset {
            args.push(d.clone());
            sql.push_str(&format!(" AND a.dataset = ?{}", args.len()));
        }
        sql.push_str(" ORDER BY a.id DESC");
        if filter.limit > 0 {
            sql.push_str(&format!(" LIMIT {}", filter.limit));
        }
        let mut stmt = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_alert).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// One alert with its decisions.
    pub fn alert(&self, id: i64) -> Result<Option<Alert>> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alert a LEFT JOIN record r ON r.dataset = a.dataset AND r.record_id = a.record_id WHERE a.id = ?1");
        let Some(mut a) = self.conn.query_row(&sql, [id], row_to_alert).optional().map_err(self.err())? else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare("SELECT id, decision, note, actor, at, version_id FROM decision WHERE alert_id = ?1 ORDER BY id")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([id], |r| {
                let d: String = r.get(1)?;
                Ok(Decision {
                    id: r.get(0)?,
                    decision: AlertStatus::parse(&d).unwrap_or(AlertStatus::Open),
                    note: r.get(2)?,
                    actor: r.get(3)?,
                    at: r.get(4)?,
                    version_id: r.get(5)?,
                })
            })
            .map_err(self.err())?;
        a.decisions = rows.collect::<rusqlite::Result<_>>().map_err(self.err())?;
        Ok(Some(a))
    }

    /// Number of stored records.
    pub fn record_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM record", [], |r| r.get(0)).map_err(self.err())?;
        Ok(n as u64)
    }

    /// Stored records in storage order, `limit` after the row `after` (0 to start): paging for
    /// re-screening in bounded memory. Returns the rows and the position to continue from.
    pub fn records_page(&self, after: i64, limit: usize) -> Result<(Vec<RecordRow>, i64)> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rowid, dataset, record_id, data FROM record WHERE rowid > ?1 ORDER BY rowid LIMIT ?2")
            .map_err(self.err())?;
        let mut last = after;
        let rows = stmt
            .query_map(params![after, limit as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    RecordRow {
                        dataset: r.get(1)?,
                        record_id: r.get(2)?,
                        data: r.get(3)?,
                    },
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (rowid, rec) = row.map_err(self.err())?;
            last = rowid;
            out.push(rec);
        }
        Ok((out, last))
    }

    /// The stored JSON of every entity of a version, `(id, data)` in import order.
    pub fn entity_rows(&self, version_id: i64) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, data FROM entity WHERE version_id = ?1 ORDER BY rowid")
            .map_err(self.err())?;
        let rows = stmt.query_map([version_id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// The stored JSON of every entity of a version, by id (for diffs and content hashes).
    pub fn entity_data(&self, version_id: i64) -> Result<BTreeMap<String, String>> {
        let mut stmt = self.conn.prepare("SELECT id, data FROM entity WHERE version_id = ?1").map_err(self.err())?;
        let rows = stmt.query_map([version_id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }
}

/// The top-level fields of an entity that differ between two versions (for reopen reasons).
fn entity_changes(tx: &rusqlite::Transaction<'_>, entity_id: &str, old_version: i64, new_version: i64) -> Vec<String> {
    let get = |v: i64| -> Option<String> {
        tx.query_row("SELECT data FROM entity WHERE version_id = ?1 AND id = ?2", params![v, entity_id], |r| r.get(0))
            .optional()
            .ok()
            .flatten()
    };
    match (get(old_version), get(new_version)) {
        (Some(a), Some(b)) => changed_fields(&a, &b),
        _ => Vec::new(),
    }
}
