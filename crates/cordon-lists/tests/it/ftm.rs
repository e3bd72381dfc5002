use cordon_model::ListFormat;

use crate::shared_or_skip;
use crate::util::read;

fn export(list: &cordon_lists::ParsedList) -> Vec<u8> {
    let mut out = Vec::new();
    cordon_lists::ftm::write(&list.entities, &list.source, &mut out).unwrap();
    out
}

#[test]
fn opensanctions_samples_import() {
    let t1 = read(&shared_or_skip!("opensanctions_ftm/yente_t1_entities.ftm.json"));
    assert_eq!(t1.format, ListFormat::Ftm);
    assert_eq!(t1.entities.len(), 6, "2 organisations and 4 persons; the Address folds into its owner");
    let zala = read(&shared_or_skip!("opensanctions_ftm/yente_zala_entities.ftm.json"));
    assert_eq!(zala.entities.len(), 17, "6 persons + 11 companies");
    assert!(zala.entities.iter().any(|e| !e.programs.is_empty()), "Sanction entities fold into programs");
    assert!(
        zala.entities.iter().map(|e| e.relations.len()).sum::<usize>() >= 14 + 4 + 3,
        "ownerships, family, directorships"
    );
}

#[test]
fn export_import_round_trips_identically() {
    let dir = tempfile::tempdir().unwrap();
    for rel in [
        "un/UN_consolidated_2026-02-27.xml",
        "ofac/non_sdn_consolidated_xml_2024-05-06/consolidated.xml",
        "ofac/sdn_csv_2021-07_full",
        "opensanctions_ftm/yente_zala_entities.ftm.json",
    ] {
        let list = read(&shared_or_skip!(rel));
        let first = export(&list);
        let path = dir.path().join("export.ftm.json");
        std::fs::write(&path, &first).unwrap();
        let again = read(&path);
        assert_eq!(again.entities.len(), list.entities.len(), "{rel}");
        let second = export(&again);
        assert!(first == second, "{rel}: export → import → export differs");
        // The entities themselves survive on the fields FtM carries.
        for (a, b) in list.entities.iter().zip(&again.entities) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.kind, b.kind);
            assert_eq!(a.wallets, b.wallets);
            assert_eq!(a.programs, b.programs);
            assert_eq!(a.documents.len(), b.documents.len());
            let sorted = |e: &cordon_model::Entity| {
                let mut v: Vec<String> = e.names.iter().map(|n| n.full.clone()).collect();
                v.sort();
                v
            };
            assert_eq!(sorted(a), sorted(b), "{rel} {}", a.id);
        }
    }
}
