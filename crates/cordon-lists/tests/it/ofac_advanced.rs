use std::collections::BTreeMap;

use cordon_model::{AliasKind, EntityKind, Gender, ListFormat, NamePartKind, NameQuality, Script};

use crate::util::{entity, ofac_2025_11_19};

#[test]
fn every_distinct_party_and_wallet() {
    let Some(list) = ofac_2025_11_19() else {
        return;
    };
    assert_eq!(list.format, ListFormat::OfacAdvanced);
    assert_eq!(list.source, "ofac");
    assert_eq!(list.issued.as_deref(), Some("2025-11-19"));
    assert_eq!(
        list.sha256, "36c517bd264d8d97eff353eadd8d84427d5eb293505a8ce07271a5bc258c3117",
        "hash of the decompressed file, as OFAC publishes it"
    );
    assert_eq!(list.entities.len(), 18_367);
    let wallets: usize = list.entities.iter().map(|e| e.wallets.len()).sum();
    assert_eq!(wallets, 761);
    let mut by_currency: BTreeMap<&str, usize> = BTreeMap::new();
    for w in list.entities.iter().flat_map(|e| &e.wallets) {
        *by_currency.entry(w.currency.as_str()).or_default() += 1;
    }
    assert!(
        by_currency["XBT"] > 400 && by_currency["ETH"] > 50 && by_currency["USDT"] > 50,
        "{by_currency:?}"
    );
    assert!(list.entities.iter().all(|e| !e.names.is_empty()), "every party has a name");
    assert!(list.entities.iter().all(|e| e.names[0].kind == AliasKind::Primary), "primary name first");
}

#[test]
fn dprk_programs_and_kim_jong_un() {
    let Some(list) = ofac_2025_11_19() else {
        return;
    };
    let kim = entity(list, "ofac:20157");
    assert_eq!(kim.kind, EntityKind::Person);
    assert_eq!(kim.names[0].full, "Kim Jong Un");
    assert_eq!(kim.names[0].parts[0].kind, NamePartKind::Family);
    assert_eq!(kim.birth_dates.len(), 1);
    assert_eq!(kim.birth_dates[0].to_string(), "1984-01-08");
    assert_eq!(kim.programs, ["DPRK3"]);
    assert_eq!(kim.listed_on.unwrap().to_string(), "2016-07-06");
    assert_eq!(kim.titles, ["Chairman of the Workers' Party of Korea"]);
    let dprk = list.entities.iter().filter(|e| e.programs.iter().any(|p| p.starts_with("DPRK"))).count();
    assert_eq!(dprk, 538, "entries carrying a DPRK* program");
    let lazarus = list
        .entities
        .iter()
        .find(|e| e.names[0].full.eq_ignore_ascii_case("LAZARUS GROUP"))
        .expect("Lazarus Group listed");
    assert!(lazarus.programs.iter().any(|p| p == "DPRK3"));
    assert!(lazarus
        .wallets
        .iter()
        .any(|w| w.address == "0x098B716B8Aaf21512996dC57EB0615e2383E2f96" && w.currency == "ETH"));
}

#[test]
fn scripts_qualities_features_documents() {
    let Some(list) = ofac_2025_11_19() else {
        return;
    };
    let gtb = entity(list, "ofac:47148");
    let hangul = gtb.names.iter().find(|n| n.script == Script::Hangul).expect("Hangul name");
    assert_eq!((hangul.full.as_str(), hangul.kind), ("황금의 삼각주은행", AliasKind::Original));
    assert!(gtb.names.iter().any(|n| n.script == Script::Han));
    assert!(gtb.names.iter().any(|n| n.full == "GTB" && n.quality == NameQuality::Weak));
    let weak = list.entities.iter().flat_map(|e| &e.names).filter(|n| n.quality == NameQuality::Weak).count();
    assert!(weak > 1000, "weak aliases: {weak}");
    assert!(list.entities.iter().any(|e| e.gender == Some(Gender::Female)));
    let passports = list.entities.iter().flat_map(|e| &e.documents).filter(|d| d.kind == "Passport").count();
    assert!(passports > 2000, "passports: {passports}");
    let with_nat_code = list.entities.iter().flat_map(|e| &e.nationalities).filter(|c| c.code.is_some()).count();
    let nat = list.entities.iter().flat_map(|e| &e.nationalities).count();
    assert_eq!(with_nat_code, nat, "every nationality resolved to ISO via the file's own country set");
    let rel = list.entities.iter().map(|e| e.relations.len()).sum::<usize>();
    assert!(rel > 1000, "profile relationships: {rel}");
    let vessels = list.entities.iter().filter(|e| e.kind == EntityKind::Vessel).count();
    let aircraft = list.entities.iter().filter(|e| e.kind == EntityKind::Aircraft).count();
    assert!(vessels > 500 && aircraft > 100, "vessels {vessels}, aircraft {aircraft}");
    assert!(list.entities.iter().all(|e| e.listed_on.is_some()), "every entry has a listing date");
}
