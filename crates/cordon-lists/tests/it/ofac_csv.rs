use cordon_model::{EntityKind, ListFormat, NameQuality};

use crate::shared_or_skip;
use crate::util::{entity, read};

#[test]
fn csv_set_2021_07() {
    let dir = shared_or_skip!("ofac/sdn_csv_2021-07_full");
    let list = read(&dir);
    assert_eq!(list.format, ListFormat::OfacCsv);
    assert_eq!(list.source, "ofac");
    assert_eq!(list.entities.len(), 8_976);
    assert_eq!(list.entities.iter().filter(|e| e.programs.iter().any(|p| p.starts_with("DPRK"))).count(), 414);
    let kim = entity(&list, "ofac:20157");
    assert_eq!(kim.names[0].full, "KIM, Jong Un");
    assert_eq!(kim.kind, EntityKind::Person);
    assert_eq!(kim.birth_dates[0].to_string(), "1984-01-08");
    assert!(list.entities.iter().any(|e| e.addresses.len() > 1), "add.csv joined");
    assert!(
        list.entities
            .iter()
            .flat_map(|e| &e.names)
            .any(|n| n.quality == NameQuality::Strong && n.quality_label.as_deref() == Some("strong")),
        "alt.csv joined"
    );
    assert!(
        list.entities.iter().flat_map(|e| &e.names).filter(|n| n.quality == NameQuality::Weak).count() > 1000,
        "remarks a.k.a.s"
    );
    // sdn_comments.csv continues remarks: entry 28264 carries its phone numbers only there.
    assert!(entity(&list, "ofac:28264").phones.contains(&"8618004121000".to_string()));
}

#[test]
fn gzipped_sdn_csv_snapshot() {
    let path = shared_or_skip!("ofac/sdn_csv_gitscrape_jackdwyer/sdn_2022-04-14.csv.gz");
    let list = read(&path);
    assert_eq!(list.format, ListFormat::OfacCsv);
    assert_eq!(list.issued.as_deref(), Some("2022-04-14"), "date from the file name");
    let laz = entity(&list, "ofac:27307");
    assert_eq!(laz.wallets[0].address, "0x098B716B8Aaf21512996dC57EB0615e2383E2f96");
    assert!(laz.names.iter().any(|n| n.full == "HIDDEN COBRA"));
}

#[test]
fn tiny_and_consolidated_fixtures() {
    let tiny = read(&shared_or_skip!("ofac/sdn_csv_tiny_fixture"));
    assert_eq!(tiny.entities.len(), 17);
    assert!(
        !tiny.warnings.is_empty() && tiny.warnings.iter().all(|w| w.contains("row skipped")),
        "the fixture's alt/add rows for entries outside its sdn.csv"
    );
    let cons = read(&shared_or_skip!("ofac/non_sdn_consolidated_csv"));
    assert_eq!(cons.source, "ofac-cons");
    assert_eq!(cons.entities.len(), 442);
}
