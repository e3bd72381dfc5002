use cordon_model::{AliasKind, DobValue, EntityKind, ListFormat, NameQuality, Script};

use crate::shared_or_skip;
use crate::util::{entity, read};

#[test]
fn un_2026_02_27_counts_and_kpi_008() {
    let path = shared_or_skip!("un/UN_consolidated_2026-02-27.xml");
    let list = read(&path);
    assert_eq!(list.format, ListFormat::UnXml);
    assert_eq!(list.source, "un");
    assert_eq!(list.issued.as_deref(), Some("2026-02-27"));
    let persons = list.entities.iter().filter(|e| e.kind == EntityKind::Person).count();
    let orgs = list.entities.iter().filter(|e| e.kind == EntityKind::Organization).count();
    assert_eq!((persons, orgs), (730, 273));
    assert_eq!(list.entities.iter().filter(|e| e.id.starts_with("un:KPi.")).count(), 80);
    assert_eq!(list.entities.iter().filter(|e| e.programs.iter().any(|p| p == "DPRK")).count(), 155);

    let ra = entity(&list, "un:KPi.008");
    assert_eq!(ra.names[0].full, "RA KY'ONG-SU");
    assert_eq!(ra.names[0].kind, AliasKind::Primary);
    let aliases: Vec<&str> = ra.names.iter().filter(|n| n.kind == AliasKind::Aka).map(|n| n.full.as_str()).collect();
    assert_eq!(aliases, ["Ra Kyung-Su", "Chang Myong Ho", "Chang Myo’ng-Ho", "Chang Myong-Ho", "Ra Kyong-Su"]);
    assert!(ra.names[1..]
        .iter()
        .all(|n| n.quality == NameQuality::Strong && n.quality_label.as_deref() == Some("Good")));
    assert_eq!(ra.birth_dates[0].to_string(), "1954-06-04");
    assert_eq!(ra.nationalities[0].code(), Some("KP"));
    assert_eq!(ra.documents.len(), 3);
    assert!(ra
        .documents
        .iter()
        .all(|d| d.number == "645120196" && d.country.as_ref().and_then(|c| c.code()) == Some("KP")));
    assert_eq!(ra.listed_on.unwrap().to_string(), "2013-01-22");
    assert_eq!(ra.extra["un:LAST_DAY_UPDATED"], ["2016-03-02", "2022-07-26", "2023-06-29"]);
}

#[test]
fn un_dob_ranges_and_alternatives_are_preserved() {
    let path = shared_or_skip!("un/UN_consolidated_2026-02-27.xml");
    let list = read(&path);
    let ranges = list
        .entities
        .iter()
        .flat_map(|e| &e.birth_dates)
        .filter(|d| matches!(d.value, DobValue::Range(..)))
        .count();
    assert_eq!(ranges, 31, "every BETWEEN date in the file");
    let approx = list.entities.iter().flat_map(|e| &e.birth_dates).filter(|d| d.approximate).count();
    assert!(approx >= 100, "APPROXIMATELY dates kept approximate: {approx}");
    let several = list.entities.iter().filter(|e| e.birth_dates.len() > 1).count();
    assert!(several > 50, "alternative DOBs kept: {several}");
    // Original-script names are names too.
    let originals = list.entities.iter().flat_map(|e| &e.names).filter(|n| n.kind == AliasKind::Original).count();
    assert_eq!(originals, 336 + 42);
    assert!(list
        .entities
        .iter()
        .flat_map(|e| &e.names)
        .any(|n| n.kind == AliasKind::Original && n.script == Script::Arabic));
}

#[test]
fn un_dprk_subset_matches_the_full_file() {
    let full = read(&shared_or_skip!("un/UN_consolidated_2026-02-27.xml"));
    let sub = read(&shared_or_skip!("un/UN_consolidated_2026-02-27_DPRK_only.xml"));
    assert_eq!(sub.entities.len(), 155);
    for e in &sub.entities {
        assert_eq!(e, entity(&full, &e.id), "{} parses the same from both files", e.id);
    }
}
