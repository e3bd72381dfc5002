use cordon_lists::diff::diff;

use crate::shared_or_skip;
use crate::util::{ofac_2025_11_19, read};

#[test]
fn un_2024_to_2026_is_sane() {
    let old = read(&shared_or_skip!("un/UN_consolidated_2024-05-15.xml"));
    let new = read(&shared_or_skip!("un/UN_consolidated_2026-02-27.xml"));
    let d = diff(&old.entities, &new.entities);
    assert_eq!(
        old.entities.len() as i64 + d.added.len() as i64 - d.removed.len() as i64,
        new.entities.len() as i64
    );
    assert!(!d.added.is_empty() && !d.changed.is_empty());
    // The DPRK section is stable in size (80 + 75 in both) but its entries were updated.
    assert!(
        d.added.iter().chain(&d.removed).all(|id| !id.starts_with("un:KP")),
        "no DPRK entry added or removed"
    );
    assert!(d.changed.iter().all(|c| !c.changes.is_empty()));
}

#[test]
fn ofac_advanced_2025_03_to_11_removes_tornado_cash_wallets() {
    let Some(new) = ofac_2025_11_19() else { return };
    let old = read(&shared_or_skip!("ofac/sdn_advanced_xml/sdn_advanced_2025-03-04.xml.bz2"));
    let d = diff(&old.entities, &new.entities);
    let tornado: Vec<&str> = old
        .entities
        .iter()
        .filter(|e| e.names[0].full.to_uppercase().contains("TORNADO"))
        .map(|e| e.id.as_str())
        .collect();
    assert!(!tornado.is_empty());
    for id in &tornado {
        assert!(d.removed.iter().any(|r| r == id), "{id} removed");
    }
    let tornado_wallets: usize = old.entities.iter().filter(|e| tornado.contains(&e.id.as_str())).map(|e| e.wallets.len()).sum();
    assert!(tornado_wallets > 50, "Tornado Cash carried {tornado_wallets} ETH addresses");
}

#[test]
fn ofac_csv_2022_04_12_to_14_adds_ronin_exploiter() {
    let old = read(&shared_or_skip!("ofac/sdn_csv_gitscrape_jackdwyer/sdn_2022-04-12.csv.gz"));
    let new = read(&shared_or_skip!("ofac/sdn_csv_gitscrape_jackdwyer/sdn_2022-04-14.csv.gz"));
    let d = diff(&old.entities, &new.entities);
    let laz = d.changed.iter().find(|c| c.id == "ofac:27307").expect("LAZARUS GROUP changed");
    assert_eq!(laz.caption, "LAZARUS GROUP");
    let w = laz.changes.iter().find(|c| c.field == "wallets").expect("a wallet change");
    assert_eq!(w.change, "added");
    assert!(w.new.as_deref().unwrap().contains("0x098B716B8Aaf21512996dC57EB0615e2383E2f96"));
}
