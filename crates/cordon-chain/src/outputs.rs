//! Output-level taint of UTXO chains (forward): taint sits on transaction outputs, not on
//! addresses, and moves through the transactions that spend them, as BlockSci models it.
//!
//! A transaction with tainted inputs passes taint to its outputs by each model at once:
//! **poison** taints every output whole; **haircut** gives each output the tainted share of
//! the inputs' value; **FIFO** lines the inputs' satoshis up in input order and the outputs'
//! in output order, and an output holds the tainted satoshis that fall in its range (the fee
//! is the tail). The start address's outputs, and its inputs (coins it got before the imported
//! history), are tainted whole; their spends from `since` on carry it. An address graph (every input address paying every output address) cannot tell
//! which of an address's coins a transaction spent; outputs can.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use crate::analysis::{Model, Stop, TagIndex, TraceEdge, TraceNode, TraceOptions, TraceReport};
use crate::dataset::{ChainStore, StoredTx, NONE, UNKNOWN};
use crate::ChainError;

/// Taint of one output.
#[derive(Clone, Debug)]
struct OutTaint {
    hop: u32,
    poison: bool,
    haircut: f64,
    /// Tainted satoshi ranges of the output, `[start, end)` from its first satoshi, sorted.
    fifo: Vec<(u64, u64)>,
}

impl OutTaint {
    fn fifo_sum(&self) -> u64 {
        self.fifo.iter().map(|r| r.1 - r.0).sum()
    }

    /// The model's tainted amount of an output of `value`.
    fn amount(&self, model: Model, value: u64) -> f64 {
        match model {
            Model::Poison => {
                if self.poison {
                    value as f64
                } else {
                    0.0
                }
            }
            Model::Haircut => self.haircut,
            Model::Fifo => self.fifo_sum() as f64,
        }
    }
}

/// Most ranges kept per output: beyond, the nearest are merged (a little taint is then
/// over-counted rather than the trace slowed by coin dust).
const MAX_RANGES: usize = 64;

fn push_range(v: &mut Vec<(u64, u64)>, r: (u64, u64)) {
    if r.1 <= r.0 {
        return;
    }
    match v.last_mut() {
        Some(last) if last.1 >= r.0 => last.1 = last.1.max(r.1),
        _ => v.push(r),
    }
    if v.len() > MAX_RANGES {
        // Merge the pair with the smallest gap.
        let i = (0..v.len() - 1).min_by_key(|&i| v[i + 1].0 - v[i].1).expect("two ranges");
        v[i].1 = v[i + 1].1;
        v.remove(i + 1);
    }
}

/// Adds ranges to a sorted list of ranges, keeping it sorted and merged.
fn merge_ranges(into: &mut Vec<(u64, u64)>, add: Vec<(u64, u64)>) {
    let mut all: Vec<(u64, u64)> = std::mem::take(into);
    all.extend(add);
    all.sort_unstable();
    for r in all {
        push_range(into, r);
    }
}

/// A forward trace of `start`'s coins at the output level, or `None` when the stored
/// transactions do not name the outputs they spend (imported before outpoints were kept).
pub(crate) fn forward(store: &ChainStore, tags: &TagIndex, opts: &TraceOptions, start: u32, asset: &str) -> Result<Option<TraceReport>, ChainError> {
    let txs = store.utxo_txs()?;
    if !txs.iter().any(|t| !t.spends.is_empty()) {
        return Ok(None);
    }
    let pos: HashMap<u32, usize> = txs.iter().enumerate().map(|(i, t)| (t.tx, i)).collect();
    let mut spender: HashMap<(u32, u32), usize> = HashMap::new();
    for (i, t) in txs.iter().enumerate() {
        for s in t.spends.iter().flatten() {
            spender.insert(*s, i);
        }
    }
    let stopped = |a: u32| a != start && a != NONE && tags.of(a).iter().any(|t| opts.stop.contains(&t.category));
    let mut taint: HashMap<(usize, u32), OutTaint> = HashMap::new();
    let mut queue: BinaryHeap<Reverse<(u32, usize)>> = BinaryHeap::new();
    let follow = |tx: &StoredTx, n: u32, hop: u32, queue: &mut BinaryHeap<Reverse<(u32, usize)>>| {
        if hop >= opts.max_hops {
            return;
        }
        if let Some(&sp) = spender.get(&(tx.tx, n)) {
            if txs[sp].height >= opts.since {
                queue.push(Reverse((txs[sp].height, sp)));
            }
        }
    };
    for (i, t) in txs.iter().enumerate() {
        // The start's coins received before the imported history are spent by inputs that
        // name it: those transactions carry taint too.
        if t.height >= opts.since && t.inputs.iter().any(|&(a, _)| a == start) {
            queue.push(Reverse((t.height, i)));
        }
        for (n, &(a, v, _)) in t.outputs.iter().enumerate() {
            if a == start {
                taint.insert(
                    (i, n as u32),
                    OutTaint {
                        hop: 0,
                        poison: true,
                        haircut: v as f64,
                        fifo: vec![(0, v)],
                    },
                );
                follow(t, n as u32, 0, &mut queue);
            }
        }
    }
    let mut report = TraceReport {
        from: store.address(start).to_string(),
        asset: asset.to_string(),
        model: opts.model,
        direction: "forward",
        max_hops: opts.max_hops,
        level: "output",
        nodes: Vec::new(),
        edges: Vec::new(),
        stopped_at: Vec::new(),
        swaps: Vec::new(),
        edges_scanned: 0,
    };
    // Per address: (nearest hop, tainted amount); per (from, to, tx): amount.
    let mut nodes: HashMap<u32, (u32, f64)> = HashMap::new();
    let mut edges: BTreeMap<(u32, u32, u32), (f64, u32)> = BTreeMap::new();
    let mut done: HashSet<usize> = HashSet::new();
    while let Some(Reverse((_, p))) = queue.pop() {
        if !done.insert(p) {
            continue;
        }
        let t = &txs[p];
        // Inputs in order: value, and the taint of the output each spends.
        let mut total_in = 0u64;
        let mut hop = u32::MAX;
        let (mut poison, mut haircut) = (false, 0.0f64);
        let mut fifo: Vec<(u64, u64)> = Vec::new();
        let mut from: Vec<(u32, f64)> = Vec::new(); // tainted input address, tainted amount
        for (k, &(addr, value)) in t.inputs.iter().enumerate() {
            let spent = t.spends.get(k).copied().flatten();
            let prev = spent.and_then(|(tx, n)| pos.get(&tx).map(|&q| (q, n)));
            let value = if value != UNKNOWN {
                value
            } else {
                prev.and_then(|(q, n)| txs[q].outputs.get(n as usize)).map_or(0, |o| o.1)
            };
            report.edges_scanned += 1;
            let own = (addr == start).then(|| OutTaint {
                hop: 0,
                poison: true,
                haircut: value as f64,
                fifo: vec![(0, value)],
            });
            if let Some(ot) = own.as_ref().or_else(|| prev.and_then(|key| taint.get(&key))) {
                hop = hop.min(ot.hop + 1);
                poison |= ot.poison;
                haircut += ot.haircut;
                for r in &ot.fifo {
                    push_range(&mut fifo, (total_in + r.0, total_in + r.1));
                }
                from.push((addr, ot.amount(opts.model, value)));
            }
            total_in += value;
        }
        if from.is_empty() || hop > opts.max_hops {
            continue;
        }
        let share = if total_in > 0 { haircut / total_in as f64 } else { 0.0 };
        let from_total: f64 = from.iter().map(|f| f.1).sum();
        let mut at = 0u64;
        for (n, &(addr, value, _)) in t.outputs.iter().enumerate() {
            let range = (at, at + value);
            at += value;
            let mut out_fifo = Vec::new();
            for r in &fifo {
                let (a, b) = (r.0.max(range.0), r.1.min(range.1));
                if a < b {
                    push_range(&mut out_fifo, (a - range.0, b - range.0));
                }
            }
            let ot = OutTaint {
                hop,
                poison,
                haircut: value as f64 * share,
                fifo: out_fifo,
            };
            let amount = ot.amount(opts.model, value);
            if amount >= 0.5 && addr != NONE && addr != start {
                let e = nodes.entry(addr).or_insert((hop, 0.0));
                e.0 = e.0.min(hop);
                e.1 += amount;
                for &(f, part) in &from {
                    if f != NONE && f != addr && from_total > 0.0 {
                        let x = edges.entry((t.tx, f, addr)).or_insert((0.0, t.height));
                        x.0 += amount * part / from_total;
                    }
                }
            }
            let tainted = ot.poison || ot.haircut >= 0.5 || !ot.fifo.is_empty();
            if tainted {
                taint.insert((p, n as u32), ot);
                if !stopped(addr) {
                    follow(t, n as u32, hop, &mut queue);
                }
            }
        }
    }
    // Shares of what each address received in all stored transactions.
    let mut received: HashMap<u32, u64> = nodes.keys().map(|&a| (a, 0)).collect();
    for t in &txs {
        for &(a, v, _) in &t.outputs {
            if let Some(r) = received.get_mut(&a) {
                *r += v;
            }
        }
    }
    let mut list: Vec<(u32, (u32, f64))> = nodes.into_iter().collect();
    list.sort_by_key(|&(a, (hop, _))| (hop, a));
    for (a, (hop, amount)) in list {
        let got = received.get(&a).copied().unwrap_or(0);
        let t = tags.of(a);
        let names = crate::analysis::tag_names(t);
        report.nodes.push(TraceNode {
            address: store.address(a).to_string(),
            asset: asset.to_string(),
            hop,
            amount: format!("{amount:.0}"),
            share: if got > 0 { (amount / got as f64).min(1.0) } else { 0.0 },
            tags: names.clone(),
        });
        if stopped(a) {
            report.stopped_at.push(Stop {
                address: store.address(a).to_string(),
                reason: crate::analysis::stop_reason(t, &opts.stop),
                tags: names,
            });
        }
    }
    for ((tx, f, to), (amount, block)) in edges {
        report.edges.push(TraceEdge {
            from: store.address(f).to_string(),
            asset: asset.to_string(),
            to: store.address(to).to_string(),
            tx: store.tx_hash(tx).to_string(),
            amount: format!("{amount:.0}"),
            block,
        });
    }
    report.nodes.sort_by(|a, b| a.hop.cmp(&b.hop).then_with(|| a.address.cmp(&b.address)));
    Ok(Some(report))
}

/// What a backward trace asks of one output: which of its satoshis reached the start.
#[derive(Clone, Debug, Default)]
struct Demand {
    hop: u32,
    poison: bool,
    haircut: f64,
    /// `[start, end)` from the output's first satoshi, sorted.
    fifo: Vec<(u64, u64)>,
}

/// A backward trace of `start`'s receipts at the output level (the mirror of [`forward`]):
/// each output paying the start asks its transaction's inputs for its value; **poison** makes
/// every input a whole source, **haircut** asks each input for its share of the inputs' value,
/// **FIFO** maps the output's satoshis onto the inputs' in order. The asks move on to the
/// outputs those inputs spent, latest transactions first, so an output asked by two later
/// transactions answers both at once.
pub(crate) fn backward(store: &ChainStore, tags: &TagIndex, opts: &TraceOptions, start: u32, asset: &str) -> Result<Option<TraceReport>, ChainError> {
    let txs = store.utxo_txs()?;
    if !txs.iter().any(|t| !t.spends.is_empty()) {
        return Ok(None);
    }
    let pos: HashMap<u32, usize> = txs.iter().enumerate().map(|(i, t)| (t.tx, i)).collect();
    let stopped = |a: u32| a != start && a != NONE && tags.of(a).iter().any(|t| opts.stop.contains(&t.category));
    let mut demand: HashMap<(usize, u32), Demand> = HashMap::new();
    let mut queue: BinaryHeap<(u32, usize)> = BinaryHeap::new();
    let mut received = 0u64;
    for (i, t) in txs.iter().enumerate() {
        // Change paid back to the start is its own money, not a receipt.
        if t.inputs.iter().any(|&(a, _)| a == start) {
            continue;
        }
        for (n, &(a, v, _)) in t.outputs.iter().enumerate() {
            if a == start {
                received += v;
                demand.insert(
                    (i, n as u32),
                    Demand {
                        hop: 0,
                        poison: true,
                        haircut: v as f64,
                        fifo: vec![(0, v)],
                    },
                );
                queue.push((t.height, i));
            }
        }
    }
    let mut report = TraceReport {
        from: store.address(start).to_string(),
        asset: asset.to_string(),
        model: opts.model,
        direction: "backward",
        max_hops: opts.max_hops,
        level: "output",
        nodes: Vec::new(),
        edges: Vec::new(),
        stopped_at: Vec::new(),
        swaps: Vec::new(),
        edges_scanned: 0,
    };
    let mut nodes: HashMap<u32, (u32, f64)> = HashMap::new();
    let mut edges: BTreeMap<(u32, u32, u32), (f64, u32)> = BTreeMap::new();
    let mut done: HashSet<usize> = HashSet::new();
    while let Some((_, p)) = queue.pop() {
        if !done.insert(p) {
            continue;
        }
        let t = &txs[p];
        if t.coinbase {
            continue;
        }
        // The outputs asked for, in the transaction's satoshi order.
        let (mut poison, mut haircut, mut hop) = (false, 0.0f64, u32::MAX);
        let mut fifo: Vec<(u64, u64)> = Vec::new();
        let mut asked: Vec<(u32, f64)> = Vec::new(); // output address, what it asks (model)
        let mut at = 0u64;
        for (n, &(a, v, _)) in t.outputs.iter().enumerate() {
            if let Some(d) = demand.get(&(p, n as u32)) {
                poison |= d.poison;
                haircut += d.haircut;
                hop = hop.min(d.hop);
                for r in &d.fifo {
                    push_range(&mut fifo, (at + r.0, at + r.1));
                }
                let ask = match opts.model {
                    Model::Poison => v as f64,
                    Model::Haircut => d.haircut,
                    Model::Fifo => d.fifo.iter().map(|r| r.1 - r.0).sum::<u64>() as f64,
                };
                asked.push((a, ask));
            }
            at += v;
        }
        if asked.is_empty() || hop >= opts.max_hops {
            continue;
        }
        let value_of = |k: usize| -> u64 {
            let v = t.inputs[k].1;
            if v != UNKNOWN {
                return v;
            }
            t.spends
                .get(k)
                .copied()
                .flatten()
                .and_then(|(tx, n)| pos.get(&tx).and_then(|&q| txs[q].outputs.get(n as usize)))
                .map_or(0, |o| o.1)
        };
        let total_in: u64 = (0..t.inputs.len()).map(value_of).sum();
        let asked_total: f64 = asked.iter().map(|a| a.1).sum();
        let mut offset = 0u64;
        for k in 0..t.inputs.len() {
            let (addr, value) = (t.inputs[k].0, value_of(k));
            let range = (offset, offset + value);
            offset += value;
            report.edges_scanned += 1;
            let mut d = Demand {
                hop: hop + 1,
                poison,
                haircut: if total_in > 0 { haircut * value as f64 / total_in as f64 } else { 0.0 },
                fifo: Vec::new(),
            };
            for r in &fifo {
                let (a, b) = (r.0.max(range.0), r.1.min(range.1));
                if a < b {
                    push_range(&mut d.fifo, (a - range.0, b - range.0));
                }
            }
            let amount = match opts.model {
                Model::Poison => value as f64,
                Model::Haircut => d.haircut,
                Model::Fifo => d.fifo.iter().map(|r| r.1 - r.0).sum::<u64>() as f64,
            };
            // The start's own coins are already asked for as its receipts.
            if amount < 0.5 || addr == NONE || addr == start {
                continue;
            }
            let e = nodes.entry(addr).or_insert((d.hop, 0.0));
            e.0 = e.0.min(d.hop);
            e.1 += amount;
            for &(to, ask) in &asked {
                if to != NONE && to != addr && asked_total > 0.0 {
                    let x = edges.entry((t.tx, addr, to)).or_insert((0.0, t.height));
                    x.0 += amount * ask / asked_total;
                }
            }
            if stopped(addr) {
                continue;
            }
            // The output this input spent is asked next, if it was imported.
            if let Some(q) = t.spends.get(k).copied().flatten().and_then(|(tx, n)| pos.get(&tx).map(|&q| (q, n))) {
                let e = demand.entry(q).or_insert_with(|| Demand {
                    hop: d.hop,
                    ..Demand::default()
                });
                e.hop = e.hop.min(d.hop);
                e.poison |= d.poison;
                e.haircut += d.haircut;
                merge_ranges(&mut e.fifo, d.fifo);
                queue.push((txs[q.0].height, q.0));
            }
        }
    }
    let mut list: Vec<(u32, (u32, f64))> = nodes.into_iter().collect();
    list.sort_by_key(|&(a, (hop, _))| (hop, a));
    for (a, (hop, amount)) in list {
        let t = tags.of(a);
        let names = crate::analysis::tag_names(t);
        report.nodes.push(TraceNode {
            address: store.address(a).to_string(),
            asset: asset.to_string(),
            hop,
            amount: format!("{amount:.0}"),
            share: if received > 0 { (amount / received as f64).min(1.0) } else { 0.0 },
            tags: names.clone(),
        });
        if stopped(a) {
            report.stopped_at.push(Stop {
                address: store.address(a).to_string(),
                reason: crate::analysis::stop_reason(t, &opts.stop),
                tags: names,
            });
        }
    }
    for ((tx, f, to), (amount, block)) in edges {
        report.edges.push(TraceEdge {
            from: store.address(f).to_string(),
            asset: asset.to_string(),
            to: store.address(to).to_string(),
            tx: store.tx_hash(tx).to_string(),
            amount: format!("{amount:.0}"),
            block,
        });
    }
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_stay_bounded() {
        let mut v = Vec::new();
        push_range(&mut v, (0, 10));
        push_range(&mut v, (10, 20));
        assert_eq!(v, [(0, 20)]);
        for i in 0..200u64 {
            push_range(&mut v, (100 + i * 10, 105 + i * 10));
        }
        assert!(v.len() <= MAX_RANGES);
        assert_eq!(v.first(), Some(&(0, 20)));
        assert_eq!(v.last().map(|r| r.1), Some(100 + 199 * 10 + 5));
        let mut m = vec![(20, 30)];
        merge_ranges(&mut m, vec![(0, 10), (25, 40)]);
        assert_eq!(m, [(0, 10), (20, 40)]);
    }
}
