//! Output-level taint of UTXO chains, both directions: taint sits on transaction outputs, not
//! on addresses, and moves through the transactions that spend them, as BlockSci models it.
//!
//! A transaction with tainted inputs passes taint to its outputs by each model at once:
//! **poison** taints every output whole; **haircut** gives each output the tainted share of
//! the inputs' value; **FIFO** lines the inputs' satoshis up in input order and the outputs'
//! in output order, and an output holds the tainted satoshis that fall in its range (the fee
//! is the tail). The start address's outputs, and its inputs (coins it got before the imported
//! history), are tainted whole; their spends from `since` on carry it. An address graph (every
//! input address paying every output address) cannot tell which of an address's coins a
//! transaction spent; outputs can. Backward traces mirror this ([`backward`]).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use crate::analysis::{Model, Stop, TagIndex, TraceEdge, TraceNode, TraceOptions, TraceReport};
use crate::dataset::{ChainStore, StoredTx, NONE, UNKNOWN};
use crate::ChainError;

/// The taint of one output (forward), or what a backward trace asks of it: by each model.
#[derive(Clone, Debug, Default)]
struct Part {
    hop: u32,
    poison: bool,
    haircut: f64,
    /// Satoshi ranges of the output, `[start, end)` from its first satoshi, sorted.
    fifo: Vec<(u64, u64)>,
}

impl Part {
    /// All of an output (or input) of `value`.
    fn whole(hop: u32, value: u64) -> Part {
        Part {
            hop,
            poison: true,
            haircut: value as f64,
            fifo: vec![(0, value)],
        }
    }

    fn fifo_sum(&self) -> u64 {
        self.fifo.iter().map(|r| r.1 - r.0).sum()
    }

    /// The model's amount of an output of `value`.
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

/// The parts of sorted `ranges` inside `window`, from the window's start.
fn clip(ranges: &[(u64, u64)], window: (u64, u64)) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for r in ranges {
        let (a, b) = (r.0.max(window.0), r.1.min(window.1));
        if a < b {
            push_range(&mut out, (a - window.0, b - window.0));
        }
    }
    out
}

/// The stored UTXO transactions with the outpoints their inputs spend.
struct Utxo {
    txs: Vec<StoredTx>,
    /// Position of a transaction id in `txs`.
    pos: HashMap<u32, usize>,
}

impl Utxo {
    /// `None` when the stored transactions do not name the outputs they spend (imported
    /// before outpoints were kept).
    fn load(store: &ChainStore) -> Result<Option<Utxo>, ChainError> {
        let txs = store.utxo_txs()?;
        if !txs.iter().any(|t| !t.spends.is_empty()) {
            return Ok(None);
        }
        let pos = txs.iter().enumerate().map(|(i, t)| (t.tx, i)).collect();
        Ok(Some(Utxo { txs, pos }))
    }

    /// The imported output input `k` of `t` spends: (position, output index).
    fn spent(&self, t: &StoredTx, k: usize) -> Option<(usize, u32)> {
        let (tx, n) = t.spends.get(k).copied().flatten()?;
        self.pos.get(&tx).map(|&q| (q, n))
    }

    /// The value of input `k` of `t`: as stored, else that of the output it spends (0 when
    /// neither is known).
    fn input_value(&self, t: &StoredTx, k: usize) -> u64 {
        match t.inputs[k].1 {
            UNKNOWN => self.spent(t, k).and_then(|(q, n)| self.txs[q].outputs.get(n as usize)).map_or(0, |o| o.1),
            v => v,
        }
    }
}

fn new_report(store: &ChainStore, opts: &TraceOptions, start: u32, asset: &str, direction: &'static str) -> TraceReport {
    TraceReport {
        from: store.address(start).to_string(),
        asset: asset.to_string(),
        model: opts.model,
        direction,
        max_hops: opts.max_hops,
        level: "output",
        nodes: Vec::new(),
        edges: Vec::new(),
        stopped_at: Vec::new(),
        swaps: Vec::new(),
        edges_scanned: 0,
    }
}

/// A stop address other than the start: reported, not followed.
fn stopped(tags: &TagIndex, opts: &TraceOptions, start: u32, a: u32) -> bool {
    a != start && a != NONE && tags.of(a).iter().any(|t| opts.stop.contains(&t.category))
}

/// Per address (nearest hop, amount) and per (transaction, sender, receiver) (amount, block),
/// into the report; a node's share is of `received(address)`.
#[allow(clippy::too_many_arguments)]
fn write_report(
    report: &mut TraceReport,
    store: &ChainStore,
    tags: &TagIndex,
    opts: &TraceOptions,
    start: u32,
    nodes: HashMap<u32, (u32, f64)>,
    edges: BTreeMap<(u32, u32, u32), (f64, u32)>,
    received: impl Fn(u32) -> u64,
) {
    let asset = report.asset.clone();
    for (a, (hop, amount)) in nodes {
        let got = received(a);
        let t = tags.of(a);
        let names = crate::analysis::tag_names(t);
        report.nodes.push(TraceNode {
            address: store.address(a).to_string(),
            asset: asset.clone(),
            hop,
            amount: format!("{amount:.0}"),
            share: if got > 0 { (amount / got as f64).min(1.0) } else { 0.0 },
            tags: names.clone(),
        });
        if stopped(tags, opts, start, a) {
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
            asset: asset.clone(),
            to: store.address(to).to_string(),
            tx: store.tx_hash(tx).to_string(),
            amount: format!("{amount:.0}"),
            block,
        });
    }
    report.nodes.sort_by(|a, b| a.hop.cmp(&b.hop).then_with(|| a.address.cmp(&b.address)));
    report.stopped_at.sort_by(|a, b| a.address.cmp(&b.address));
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
    let Some(utxo) = Utxo::load(store)? else { return Ok(None) };
    let txs = &utxo.txs;
    let mut spender: HashMap<(u32, u32), usize> = HashMap::new();
    for (i, t) in txs.iter().enumerate() {
        for s in t.spends.iter().flatten() {
            spender.insert(*s, i);
        }
    }
    let mut taint: HashMap<(usize, u32), Part> = HashMap::new();
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
                taint.insert((i, n as u32), Part::whole(0, v));
                follow(t, n as u32, 0, &mut queue);
            }
        }
    }
    let mut report = new_report(store, opts, start, asset, "forward");
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
        for (k, &(addr, _)) in t.inputs.iter().enumerate() {
            let value = utxo.input_value(t, k);
            report.edges_scanned += 1;
            let own = (addr == start).then(|| Part::whole(0, value));
            if let Some(ot) = own.as_ref().or_else(|| utxo.spent(t, k).and_then(|key| taint.get(&key))) {
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
            let ot = Part {
                hop,
                poison,
                haircut: value as f64 * share,
                fifo: clip(&fifo, (at, at + value)),
            };
            at += value;
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
                if !stopped(tags, opts, start, addr) {
                    follow(t, n as u32, hop, &mut queue);
                }
            }
        }
    }
    // Shares of what each address received in all stored transactions.
    let mut received: HashMap<u32, u64> = nodes.keys().map(|&a| (a, 0)).collect();
    for t in txs {
        for &(a, v, _) in &t.outputs {
            if let Some(r) = received.get_mut(&a) {
                *r += v;
            }
        }
    }
    write_report(&mut report, store, tags, opts, start, nodes, edges, |a| received.get(&a).copied().unwrap_or(0));
    Ok(Some(report))
}

/// A backward trace of `start`'s receipts at the output level (the mirror of [`forward`]):
/// each output paying the start asks its transaction's inputs for its value; **poison** makes
/// every input a whole source, **haircut** asks each input for its share of the inputs' value,
/// **FIFO** maps the output's satoshis onto the inputs' in order. The asks move on to the
/// outputs those inputs spent, latest transactions first, so an output asked by two later
/// transactions answers both at once.
pub(crate) fn backward(store: &ChainStore, tags: &TagIndex, opts: &TraceOptions, start: u32, asset: &str) -> Result<Option<TraceReport>, ChainError> {
    let Some(utxo) = Utxo::load(store)? else { return Ok(None) };
    let txs = &utxo.txs;
    // What each output is asked for: which of its satoshis reached the start.
    let mut demand: HashMap<(usize, u32), Part> = HashMap::new();
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
                demand.insert((i, n as u32), Part::whole(0, v));
                queue.push((t.height, i));
            }
        }
    }
    let mut report = new_report(store, opts, start, asset, "backward");
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
                asked.push((a, d.amount(opts.model, v)));
            }
            at += v;
        }
        if asked.is_empty() || hop >= opts.max_hops {
            continue;
        }
        let total_in: u64 = (0..t.inputs.len()).map(|k| utxo.input_value(t, k)).sum();
        let asked_total: f64 = asked.iter().map(|a| a.1).sum();
        let mut offset = 0u64;
        for k in 0..t.inputs.len() {
            let (addr, value) = (t.inputs[k].0, utxo.input_value(t, k));
            report.edges_scanned += 1;
            let d = Part {
                hop: hop + 1,
                poison,
                haircut: if total_in > 0 { haircut * value as f64 / total_in as f64 } else { 0.0 },
                fifo: clip(&fifo, (offset, offset + value)),
            };
            offset += value;
            let amount = d.amount(opts.model, value);
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
            if stopped(tags, opts, start, addr) {
                continue;
            }
            // The output this input spent is asked next, if it was imported.
            if let Some(q) = utxo.spent(t, k) {
                let e = demand.entry(q).or_insert_with(|| Part { hop: d.hop, ..Part::default() });
                e.hop = e.hop.min(d.hop);
                e.poison |= d.poison;
                e.haircut += d.haircut;
                merge_ranges(&mut e.fifo, d.fifo);
                queue.push((txs[q.0].height, q.0));
            }
        }
    }
    write_report(&mut report, store, tags, opts, start, nodes, edges, |_| received);
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
