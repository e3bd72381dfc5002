//! Clusters of records run by one operator: records joined by links of at least a threshold
//! score, with ids that stay stable across runs.
//!
//! **Stable ids.** A run is given the clusters of the previous run (id → member record ids).
//! Each new cluster takes the id of the previous cluster it shares the most members with
//! (largest overlap first; each old id is used once), so adding records does not renumber
//! existing clusters; when two old clusters merge, the merged cluster keeps the id of the one
//! it overlaps most and the other id retires. Clusters that overlap none get fresh ids.

use std::collections::{BTreeMap, HashMap};

use cordon_graph::UnionFind;
use serde::{Deserialize, Serialize};

use crate::link::Link;
use crate::record::Record;

/// The clusters of a run, kept for the next one.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ClusterState {
    /// Cluster id → member record ids.
    pub clusters: BTreeMap<String, Vec<String>>,
    /// The next fresh id number.
    pub next: u64,
}

/// One cluster.
#[derive(Clone, Debug, Serialize)]
pub struct Cluster {
    /// Stable id (`L17`).
    pub id: String,
    /// Member record indexes.
    #[serde(skip)]
    pub members: Vec<u32>,
    /// Member record ids.
    pub member_ids: Vec<String>,
    /// Links inside the cluster at or above the threshold (indexes into the run's links).
    #[serde(skip)]
    pub links: Vec<usize>,
}

/// Groups records whose links score at least `threshold` bits; clusters of one are left out.
pub fn clusters(records: &[Record], links: &[Link], threshold: f64, previous: &ClusterState) -> (Vec<Cluster>, ClusterState) {
    let mut uf = UnionFind::new(records.len() as u32);
    for l in links.iter().filter(|l| l.score >= threshold) {
        uf.union(l.a, l.b);
    }
    let roots = uf.roots();
    let mut groups: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (i, &r) in roots.iter().enumerate() {
        groups.entry(r).or_default().push(i as u32);
    }
    let mut list: Vec<Vec<u32>> = groups.into_values().filter(|g| g.len() > 1).collect();
    list.sort_by_key(|g| g[0]);
    // Overlaps with the previous clusters.
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for (id, members) in &previous.clusters {
        for m in members {
            owner.insert(m.as_str(), id.as_str());
        }
    }
    let mut overlaps: Vec<(usize, usize, String)> = Vec::new(); // (overlap, cluster index, old id)
    for (ci, g) in list.iter().enumerate() {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for &m in g {
            if let Some(o) = owner.get(records[m as usize].id.as_str()) {
                *count.entry(o).or_default() += 1;
            }
        }
        for (o, c) in count {
            overlaps.push((c, ci, o.to_string()));
        }
    }
    overlaps.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut ids: Vec<Option<String>> = vec![None; list.len()];
    let mut used: std::collections::HashSet<String> = Default::default();
    for (_, ci, old) in overlaps {
        if ids[ci].is_none() && !used.contains(&old) {
            used.insert(old.clone());
            ids[ci] = Some(old);
        }
    }
    // Each link goes to the cluster holding both its records (one pass over the links).
    let mut cluster_of: HashMap<u32, usize> = HashMap::new();
    for (ci, g) in list.iter().enumerate() {
        for &m in g {
            cluster_of.insert(m, ci);
        }
    }
    let mut inner: Vec<Vec<usize>> = vec![Vec::new(); list.len()];
    for (i, l) in links.iter().enumerate() {
        if l.score >= threshold {
            if let (Some(&x), Some(&y)) = (cluster_of.get(&l.a), cluster_of.get(&l.b)) {
                if x == y {
                    inner[x].push(i);
                }
            }
        }
    }
    let mut next = previous.next.max(1);
    let mut state = ClusterState::default();
    let mut out = Vec::new();
    for (ci, g) in list.into_iter().enumerate() {
        let id = ids[ci].take().unwrap_or_else(|| {
            let id = format!("L{next}");
            next += 1;
            id
        });
        let member_ids: Vec<String> = g.iter().map(|&m| records[m as usize].id.clone()).collect();
        state.clusters.insert(id.clone(), member_ids.clone());
        out.push(Cluster {
            id,
            members: g,
            member_ids,
            links: std::mem::take(&mut inner[ci]),
        });
    }
    state.next = next;
    (out, state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{Evidence, Kind};

    fn recs(n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| Record {
                id: format!("r{i}"),
                ..Record::default()
            })
            .collect()
    }

    fn l(a: u32, b: u32, score: f64) -> Link {
        Link {
            a,
            b,
            score,
            evidence: vec![Evidence {
                kind: Kind::Wallet,
                value: "w".into(),
                weight: score,
                detail: String::new(),
            }],
        }
    }

    #[test]
    fn ids_survive_new_records_and_merges() {
        let rs = recs(10);
        let (c1, s1) = clusters(&rs, &[l(0, 1, 12.0), l(2, 3, 12.0), l(4, 5, 3.0)], 8.0, &ClusterState::default());
        assert_eq!(c1.len(), 2, "the weak link does not cluster");
        assert_eq!(s1.clusters["L1"], ["r0", "r1"]);
        // A new record joins the second cluster; a new cluster appears before both in id order.
        let (c2, s2) = clusters(&rs, &[l(0, 1, 12.0), l(2, 3, 12.0), l(3, 9, 12.0), l(6, 7, 9.0)], 8.0, &s1);
        let by_id: BTreeMap<&str, &Vec<String>> = c2.iter().map(|c| (c.id.as_str(), &c.member_ids)).collect();
        assert_eq!(by_id["L1"], &vec!["r0".to_string(), "r1".into()]);
        assert_eq!(by_id["L2"], &vec!["r2".to_string(), "r3".into(), "r9".into()]);
        assert_eq!(by_id["L3"], &vec!["r6".to_string(), "r7".into()]);
        // L1 and L2 merge: the larger overlap keeps its id.
        let (c3, _) = clusters(&rs, &[l(0, 1, 12.0), l(2, 3, 12.0), l(3, 9, 12.0), l(1, 2, 12.0)], 8.0, &s2);
        assert_eq!(c3.len(), 1);
        assert_eq!(c3[0].id, "L2");
    }
}
