//! Differences between two versions of a list: entities added, removed, and changed with the
//! fields that changed.
//!
//! Field-level changes are computed generically from the entities' JSON form, so every field of
//! the model (and every `extra` key) is compared without a hand-written case per field: a list
//! field reports the values added and removed (a wallet, a program, an alias), a single-valued
//! field reports old and new.

use std::collections::{BTreeMap, HashMap};

use cordon_model::Entity;
use serde::Serialize;
use serde_json::Value;

/// One changed field of one entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Field name (`names`, `wallets`, `programs`, `extra.ofac:remark`, …).
    pub field: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// The value before (removed, changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The value after (added, changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// All changes of one entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntityChange {
    /// Entity id.
    pub id: String,
    /// Caption in the new version.
    pub caption: String,
    /// Field changes.
    pub changes: Vec<FieldChange>,
}

/// The difference between two versions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListDiff {
    /// Ids only in the new version.
    pub added: Vec<String>,
    /// Ids only in the old version.
    pub removed: Vec<String>,
    /// Entities in both whose content differs.
    pub changed: Vec<EntityChange>,
}

/// Compares two versions; ids are sorted in each part.
pub fn diff(old: &[Entity], new: &[Entity]) -> ListDiff {
    let old_by: HashMap<&str, &Entity> = old.iter().map(|e| (e.id.as_str(), e)).collect();
    let new_by: HashMap<&str, &Entity> = new.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut d = ListDiff::default();
    for e in new {
        match old_by.get(e.id.as_str()) {
            None => d.added.push(e.id.clone()),
            Some(o) if *o != e => d.changed.push(EntityChange {
                id: e.id.clone(),
                caption: e.caption().to_string(),
                changes: diff_entity(o, e),
            }),
            Some(_) => {}
        }
    }
    d.removed = old.iter().filter(|e| !new_by.contains_key(e.id.as_str())).map(|e| e.id.clone()).collect();
    d.added.sort();
    d.removed.sort();
    d.changed.sort_by(|a, b| a.id.cmp(&b.id));
    d
}

fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn fields(e: &Entity) -> BTreeMap<String, Value> {
    let Value::Object(map) = serde_json::to_value(e).expect("entities serialise") else {
        unreachable!("an entity is an object")
    };
    let mut out = BTreeMap::new();
    for (k, v) in map {
        if k == "extra" {
            if let Value::Object(extra) = v {
                for (ek, ev) in extra {
                    out.insert(format!("extra.{ek}"), ev);
                }
            }
        } else {
            out.insert(k, v);
        }
    }
    out
}

/// Field-level changes between two versions of one entity.
pub fn diff_entity(old: &Entity, new: &Entity) -> Vec<FieldChange> {
    let (a, b) = (fields(old), fields(new));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let (va, vb) = (a.get(k), b.get(k));
        if va == vb {
            continue;
        }
        let as_list = |v: Option<&Value>| -> Option<Vec<String>> {
            match v {
                None => Some(Vec::new()),
                Some(Value::Array(xs)) => Some(xs.iter().map(render).collect()),
                Some(_) => None,
            }
        };
        match (as_list(va), as_list(vb)) {
            (Some(xs), Some(ys)) => {
                let mut count: HashMap<&str, i64> = HashMap::new();
                for x in &xs {
                    *count.entry(x).or_default() -= 1;
                }
                for y in &ys {
                    *count.entry(y).or_default() += 1;
                }
                for x in &xs {
                    if let Some(c) = count.get_mut(x.as_str()) {
                        if *c < 0 {
                            *c += 1;
                            out.push(FieldChange {
                                field: k.clone(),
                                change: "removed",
                                old: Some(x.clone()),
                                new: None,
                            });
                        }
                    }
                }
                for y in &ys {
                    if let Some(c) = count.get_mut(y.as_str()) {
                        if *c > 0 {
                            *c -= 1;
                            out.push(FieldChange {
                                field: k.clone(),
                                change: "added",
                                old: None,
                                new: Some(y.clone()),
                            });
                        }
                    }
                }
                if xs.len() == ys.len() && out.last().is_none_or(|c| c.field != *k) {
                    // Same values in another order.
                    out.push(FieldChange {
                        field: k.clone(),
                        change: "changed",
                        old: Some("(order)".into()),
                        new: Some("(order)".into()),
                    });
                }
            }
            _ => out.push(FieldChange {
                field: k.clone(),
                change: "changed",
                old: va.map(render),
                new: vb.map(render),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_model::{EntityKind, Wallet};

    #[test]
    fn reports_added_wallet() {
        let mut a = Entity::new("ofac:27307", EntityKind::Organization);
        a.programs.push("DPRK3".into());
        let mut b = a.clone();
        b.wallets.push(Wallet {
            currency: "ETH".into(),
            address: "0x098B".into(),
        });
        let gone = Entity::new("ofac:1", EntityKind::Person);
        let new = Entity::new("ofac:2", EntityKind::Person);
        let d = diff(&[a, gone], &[b, new]);
        assert_eq!(d.added, ["ofac:2"]);
        assert_eq!(d.removed, ["ofac:1"]);
        assert_eq!(d.changed.len(), 1);
        let c = &d.changed[0].changes;
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].field.as_str(), c[0].change), ("wallets", "added"));
        assert!(c[0].new.as_ref().unwrap().contains("0x098B"));
    }

    #[test]
    fn single_fields_change() {
        let a = Entity::new("x", EntityKind::Person);
        let mut b = a.clone();
        b.kind = EntityKind::Organization;
        let c = diff_entity(&a, &b);
        assert_eq!(
            c,
            [FieldChange {
                field: "kind".into(),
                change: "changed",
                old: Some("person".into()),
                new: Some("organization".into())
            }]
        );
    }
}
