//! Store behaviour: idempotent imports, activation, atomicity, audit log.

use cordon_model::{Entity, EntityKind, ListFormat};
use cordon_store::{Activation, ImportOutcome, NewVersion, Store};

fn entities(n: usize) -> Vec<Entity> {
    (0..n)
        .map(|i| Entity::new(format!("t:{i}"), if i % 2 == 0 { EntityKind::Person } else { EntityKind::Organization }))
        .collect()
}

fn version<'a>(sha: &'a str, issued: &'a str, es: &'a [Entity]) -> NewVersion<'a> {
    NewVersion {
        source: "un",
        format: ListFormat::UnXml,
        issued: Some(issued),
        sha256: sha,
        origin: "test.xml",
        entities: es,
    }
}

#[test]
fn same_content_twice_is_a_no_op() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::open(home.path()).unwrap();
    let es = entities(10);
    let first = s.import(&version("aa", "2026-01-01", &es), Activation::IfNewest, "test").unwrap();
    let ImportOutcome::Imported(v) = first else { panic!("first import stores") };
    assert!(v.active);
    assert_eq!((v.counts.entities, v.counts.persons, v.counts.organizations), (10, 5, 5));
    let again = s.import(&version("aa", "2026-01-01", &es), Activation::IfNewest, "test").unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyPresent(ref w) if w.id == v.id));
    assert_eq!(s.versions().unwrap().len(), 1);
    assert_eq!(s.audit_log().unwrap().len(), 1, "a no-op is not an import");
}

#[test]
fn older_snapshot_does_not_roll_back() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::open(home.path()).unwrap();
    let es = entities(3);
    s.import(&version("new", "2026-02-27", &es), Activation::IfNewest, "t").unwrap();
    s.import(&version("old", "2024-05-15", &es), Activation::IfNewest, "t").unwrap();
    let active = s.active_version("un").unwrap().unwrap();
    assert_eq!(active.issued.as_deref(), Some("2026-02-27"));
    let old = s.versions().unwrap().into_iter().find(|v| v.sha256 == "old").unwrap();
    s.activate(old.id, "t").unwrap();
    assert_eq!(s.active_version("un").unwrap().unwrap().sha256, "old");
    assert_eq!(s.active_versions().unwrap().len(), 1);
}

#[test]
fn entities_round_trip_and_lookup() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::open(home.path()).unwrap();
    let es = entities(5);
    let ImportOutcome::Imported(v) = s.import(&version("x", "2026-01-01", &es), Activation::Always, "t").unwrap() else {
        panic!()
    };
    assert_eq!(s.entities(v.id).unwrap(), es);
    let (found_v, e) = s.entity("t:3").unwrap().unwrap();
    assert_eq!((found_v.id, e.id.as_str()), (v.id, "t:3"));
    assert!(s.entity("nope").unwrap().is_none());
    s.check_integrity().unwrap();
}

#[test]
fn audit_log_is_append_only() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::open(home.path()).unwrap();
    s.audit("alice", "test", None, &serde_json::json!({"k": 1})).unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(home.path().join("cordon.db")).unwrap();
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    assert!(conn.execute("UPDATE audit_log SET actor = 'mallory'", []).is_err());
    let s = Store::open(home.path()).unwrap();
    assert_eq!(s.audit_log().unwrap()[0].actor, "alice");
}

#[test]
fn refuses_a_newer_schema() {
    let home = tempfile::tempdir().unwrap();
    drop(Store::open(home.path()).unwrap());
    let conn = rusqlite::Connection::open(home.path().join("cordon.db")).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(home.path()).err().expect("refused");
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

#[test]
fn same_day_subset_does_not_replace_the_full_list() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::open(home.path()).unwrap();
    let full = entities(10);
    s.import(&version("full", "2026-02-27", &full), Activation::IfNewest, "t").unwrap();
    s.import(&version("subset", "2026-02-27", &full[..3]), Activation::IfNewest, "t").unwrap();
    assert_eq!(s.active_version("un").unwrap().unwrap().sha256, "full");
    s.import(&version("never", "2027-01-01", &full), Activation::Never, "t").unwrap();
    assert_eq!(s.active_version("un").unwrap().unwrap().sha256, "full");
}
