//! Address clustering for UTXO chains, every merge with its evidence.
//!
//! - **multi-input**: the addresses that sign one transaction's inputs are controlled by one
//!   wallet, except in CoinJoins, where several wallets sign one transaction on purpose.
//!   CoinJoins are recognised by their output patterns: Whirlpool (5 inputs, 5 equal outputs of
//!   a pool denomination), Wasabi (10 or more equal outputs and as many inputs) and
//!   JoinMarket (3 or more equal outputs, at least as many inputs, at most one change output
//!   per participant).
//! - **change** (optional): in a two-output payment, the output that goes back to the payer:
//!   an address never seen before while the other was (one-time change), else the only
//!   non-round amount when the other is round, provided the address type agrees with the
//!   inputs' when that tells anything.
//!
//! Each merge that joined two clusters is kept as (transaction, heuristic, address, address):
//! a spanning forest of evidence, enough to explain any cluster and to rebuild it with a
//! heuristic switched off.

use std::collections::HashMap;

use cordon_graph::UnionFind;
use serde::Serialize;

use crate::dataset::{StoredTx, NONE};

/// Which heuristics to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heuristics {
    /// Common-input ownership.
    pub multi_input: bool,
    /// Change-output detection.
    pub change: bool,
}

impl Heuristics {
    /// Parses `multi-input,change`.
    pub fn parse(s: &str) -> Result<Heuristics, String> {
        let mut h = Heuristics {
            multi_input: false,
            change: false,
        };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "multi-input" | "multi_input" => h.multi_input = true,
                "change" => h.change = true,
                other => return Err(format!("unknown heuristic {other:?}: multi-input, change")),
            }
        }
        Ok(h)
    }
}

/// One merge and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Merge {
    /// The transaction.
    pub tx: u32,
    /// `multi-input`, `change:one-time`, `change:round-amount`.
    pub heuristic: &'static str,
    /// One address.
    pub a: u32,
    /// The other.
    pub b: u32,
}

/// The result of clustering.
#[derive(Clone, Debug, Default)]
pub struct Clustering {
    /// Cluster id (smallest member address id) per address id.
    pub roots: Vec<u32>,
    /// Merges that joined clusters.
    pub merges: Vec<Merge>,
    /// CoinJoins left out: (transaction, pattern).
    pub coinjoins: Vec<(u32, &'static str)>,
    /// Transactions examined.
    pub txs: u64,
}

impl Clustering {
    /// Addresses per cluster id, for the addresses that took part in UTXO transactions.
    pub fn sizes(&self) -> HashMap<u32, u32> {
        let mut m = HashMap::new();
        for &r in &self.roots {
            *m.entry(r).or_default() += 1;
        }
        m
    }
}

/// Whirlpool pool denominations in satoshi.
const WHIRLPOOL: [u64; 4] = [100_000, 1_000_000, 5_000_000, 50_000_000];

/// The CoinJoin pattern a transaction matches, if any.
pub fn coinjoin(t: &StoredTx) -> Option<&'static str> {
    let (nin, nout) = (t.inputs.len(), t.outputs.len());
    if t.coinbase || nin < 2 || nout < 2 {
        return None;
    }
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for &(_, v, _) in &t.outputs {
        *counts.entry(v).or_default() += 1;
    }
    let (&value, &equal) = counts.iter().max_by_key(|(v, c)| (**c, **v))?;
    if nin == 5 && nout == 5 && equal == 5 && WHIRLPOOL.contains(&value) {
        return Some("whirlpool");
    }
    if equal >= 10 && nin >= 10 {
        return Some("wasabi");
    }
    if equal >= 3 && nin >= equal && nout <= 2 * equal + 1 {
        return Some("joinmarket");
    }
    None
}

/// Script type from a Bitcoin address's form, for the address-type change rule: 1 P2PKH,
/// 2 P2SH, 3 P2WPKH, 4 P2WSH, 5 P2TR, 0 unknown.
pub fn address_kind(a: &str) -> u8 {
    match a.as_bytes() {
        [b'1', ..] => 1,
        [b'3', ..] => 2,
        _ if a.starts_with("bc1q") && a.len() == 42 => 3,
        _ if a.starts_with("bc1q") => 4,
        _ if a.starts_with("bc1p") => 5,
        _ => 0,
    }
}

fn is_round(v: u64) -> bool {
    v > 0 && v.is_multiple_of(100_000)
}

/// Clusters the addresses of `txs` (in chain order) over `n` address ids.
pub fn cluster(txs: &[StoredTx], n: u32, h: Heuristics, kind: &dyn Fn(u32) -> u8) -> Clustering {
    let mut uf = UnionFind::new(n);
    let mut out = Clustering {
        txs: txs.len() as u64,
        ..Clustering::default()
    };
    let mut seen = vec![false; n as usize];
    for t in txs {
        let cj = coinjoin(t);
        if let Some(p) = cj {
            out.coinjoins.push((t.tx, p));
        }
        let ins: Vec<u32> = t.inputs.iter().map(|&(a, _)| a).filter(|&a| a != NONE).collect();
        if cj.is_none() && !t.coinbase {
            if h.multi_input {
                if let Some((&first, rest)) = ins.split_first() {
                    for &a in rest {
                        if uf.union(first, a) {
                            out.merges.push(Merge {
                                tx: t.tx,
                                heuristic: "multi-input",
                                a: first,
                                b: a,
                            });
                        }
                    }
                }
            }
            if h.change && t.outputs.len() == 2 && !ins.is_empty() {
                if let Some((change, rule)) = change_output(t, &ins, &seen, kind) {
                    if uf.union(ins[0], change) {
                        out.merges.push(Merge {
                            tx: t.tx,
                            heuristic: rule,
                            a: ins[0],
                            b: change,
                        });
                    }
                }
            }
        }
        for &a in &ins {
            seen[a as usize] = true;
        }
        for &(a, _, _) in &t.outputs {
            if a != NONE {
                seen[a as usize] = true;
            }
        }
    }
    out.roots = uf.roots();
    out
}

fn change_output(t: &StoredTx, ins: &[u32], seen: &[bool], kind: &dyn Fn(u32) -> u8) -> Option<(u32, &'static str)> {
    let outs: Vec<(u32, u64)> = t.outputs.iter().map(|&(a, v, _)| (a, v)).collect();
    if outs.iter().any(|&(a, _)| a == NONE || ins.contains(&a)) || outs[0].0 == outs[1].0 {
        return None;
    }
    // Address type: inputs all of one type, exactly one output of that type.
    let in_kind = kind(ins[0]);
    let same_type: Vec<usize> = if in_kind != 0 && ins.iter().all(|&a| kind(a) == in_kind) {
        (0..2).filter(|&i| kind(outs[i].0) == in_kind).collect()
    } else {
        vec![0, 1]
    };
    let agrees = |i: usize| same_type.contains(&i);
    let fresh: Vec<usize> = (0..2).filter(|&i| !seen[outs[i].0 as usize]).collect();
    if let [i] = fresh.as_slice() {
        return agrees(*i).then_some((outs[*i].0, "change:one-time"));
    }
    let non_round: Vec<usize> = (0..2).filter(|&i| !is_round(outs[i].1)).collect();
    if let [i] = non_round.as_slice() {
        return agrees(*i).then_some((outs[*i].0, "change:round-amount"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(id: u32, ins: &[u32], outs: &[(u32, u64)]) -> StoredTx {
        StoredTx {
            tx: id,
            height: id,
            coinbase: false,
            inputs: ins.iter().map(|&a| (a, 1000)).collect(),
            spends: Vec::new(),
            outputs: outs.iter().map(|&(a, v)| (a, v, 1)).collect(),
        }
    }

    #[test]
    fn multi_input_merges_with_evidence_and_skips_coinjoins() {
        let addr = |_: u32| 1u8;
        let whirlpool = tx(
            2,
            &[10, 11, 12, 13, 14],
            &[(20, 1_000_000), (21, 1_000_000), (22, 1_000_000), (23, 1_000_000), (24, 1_000_000)],
        );
        let txs = vec![tx(0, &[3, 1], &[(5, 7)]), tx(1, &[4, 3], &[(6, 9)]), whirlpool];
        let c = cluster(
            &txs,
            40,
            Heuristics {
                multi_input: true,
                change: false,
            },
            &addr,
        );
        assert_eq!(c.roots[4], 1);
        assert_eq!(c.roots[3], 1);
        assert_eq!(c.roots[10], 10, "CoinJoin inputs stay apart");
        assert_eq!(c.coinjoins, vec![(2, "whirlpool")]);
        assert_eq!(c.merges.len(), 2);
        assert!(c.merges.iter().all(|m| m.heuristic == "multi-input"));
        // JoinMarket-like: 3 equal outputs, 3 change, 3 inputs.
        let jm = tx(9, &[1, 2, 3], &[(4, 50_000), (5, 50_000), (6, 50_000), (7, 123), (8, 456), (9, 789)]);
        assert_eq!(coinjoin(&jm), Some("joinmarket"));
        // A plain payment is not a CoinJoin.
        assert_eq!(coinjoin(&tx(3, &[1, 2], &[(3, 500_000), (4, 12_345)])), None);
    }

    #[test]
    fn change_by_one_time_address_or_round_amount() {
        let addr = |_: u32| 1u8;
        let h = Heuristics {
            multi_input: true,
            change: true,
        };
        // 5 was seen before (tx 0); in tx 1, 6 is new: change.
        let txs = vec![tx(0, &[1], &[(5, 100_000), (2, 5)]), tx(1, &[3], &[(5, 200_000), (6, 12_345)])];
        let c = cluster(&txs, 10, h, &addr);
        assert_eq!(c.roots[6], 3);
        assert!(c.merges.iter().any(|m| m.heuristic == "change:one-time" && m.b == 6));
        // With the heuristic off, no merge.
        let c = cluster(
            &txs,
            10,
            Heuristics {
                multi_input: true,
                change: false,
            },
            &addr,
        );
        assert_eq!(c.roots[6], 6);
    }
}
