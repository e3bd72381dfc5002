//! The candidate index must find what a brute-force scan with the same scorer finds above the
//! threshold (goal ≥ 99.9 %), on the dev set: every `name2` indexed as an entity, every `name1`
//! queried.

use cordon_match::{Query, Schema, Screener, SCREEN_THRESHOLD};
use cordon_model::{AliasKind, Entity, EntityKind, Name, NameQuality};

#[test]
fn index_recall_against_brute_force() {
    let Some(dir) = crate::shared() else { return };
    let mut rdr = csv::Reader::from_path(dir.join("names/nomenklatura_name_bench_cases.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let entities: Vec<Entity> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut e = Entity::new(
                format!("dev:{i}"),
                if &r[1] == "Person" { EntityKind::Person } else { EntityKind::Organization },
            );
            e.names.push(Name::new(&r[3], AliasKind::Primary, NameQuality::Strong));
            e
        })
        .collect();
    let s = Screener::new(&entities);
    let (mut want, mut found) = (0usize, 0usize);
    let mut missed = Vec::new();
    for r in &rows {
        let q = Query {
            name: r[2].to_string(),
            schema: Some(if &r[1] == "Person" { Schema::Person } else { Schema::Organization }),
            ..Query::default()
        };
        let all = s.screen_all(&q, SCREEN_THRESHOLD, usize::MAX);
        let idx = s.screen(&q, SCREEN_THRESHOLD, usize::MAX);
        for h in &all {
            want += 1;
            if idx.iter().any(|x| x.entity_id == h.entity_id) {
                found += 1;
            } else {
                missed.push(format!("{} → {}", &r[2], h.caption));
            }
        }
    }
    let recall = found as f64 / want.max(1) as f64;
    println!("index recall vs brute force: {found}/{want} = {recall:.4}; missed: {missed:?}");
    assert!(recall >= 0.999, "index recall {recall:.4} < 0.999; missed {missed:?}");
}
