//! Following funds through the graph, respecting time: a transfer made before tainted funds
//! reached its sender carries no taint.
//!
//! Two steps:
//! 1. [`reach`]: which nodes tainted funds can reach (forward) or come from (backward) within
//!    a number of hops: a time-respecting breadth-first search. This is the **poison** model's
//!    node set, and the region the amounts are computed on.
//! 2. [`simulate`]: replays every transfer touching that region in time order and carries
//!    taint by three models at once, per label (a hack, a category): **poison** (any taint
//!    taints the whole transfer), **haircut** (a transfer takes the sender's tainted share of
//!    its balance) and **FIFO** (a transfer spends the sender's oldest funds first).
//!
//! Services (exchanges) can be stop nodes: reached and credited, never followed further, as
//! Chainalysis does, because their pooled funds are not the depositor's.

use std::collections::VecDeque;

use rayon::prelude::*;

use crate::csr::{Amount, Graph};

/// Which way to follow funds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Where funds went.
    Forward,
    /// Where funds came from.
    Backward,
}

/// A node reached by a traversal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reached {
    /// The node.
    pub node: u32,
    /// Fewest hops from a start node (0 for start nodes).
    pub hop: u32,
    /// Forward: earliest time funds from a start node arrived. Backward: latest time the node
    /// could have sent funds that reached a start node.
    pub time: u32,
    /// Not followed further (a service).
    pub stopped: bool,
    /// The node it was first reached from (`u32::MAX` for start nodes), and by which edge:
    /// following parents gives a shortest path back to a start node.
    pub parent: u32,
    /// The edge from (forward) or to (backward) the parent.
    pub via: u32,
}

/// The result of [`reach`].
#[derive(Clone, Debug, Default)]
pub struct Reach {
    /// Reached nodes, in the order found (start nodes first).
    pub nodes: Vec<Reached>,
    /// Local index + 1 per graph node (0: not reached). Dense: one `u32` per node, allocated
    /// zeroed (the OS hands out zero pages lazily), so lookups on the hot path are array reads.
    index: Vec<u32>,
    /// Edges examined (for throughput measurements).
    pub edges_scanned: u64,
}

impl Reach {
    /// The path from a start node to `node` (forward) or from `node` to a start node
    /// (backward), as edge ids in the order funds moved.
    pub fn path(&self, node: u32, direction: Direction) -> Vec<u32> {
        let mut edges = Vec::new();
        let mut at = node;
        while let Some(r) = self.get(at) {
            if r.parent == u32::MAX || edges.len() > self.nodes.len() {
                break;
            }
            edges.push(r.via);
            at = r.parent;
        }
        if direction == Direction::Forward {
            edges.reverse();
        }
        edges
    }

    /// The entry of a node, if reached.
    pub fn get(&self, node: u32) -> Option<&Reached> {
        self.local(node).map(|i| &self.nodes[i as usize])
    }

    /// Local index of a node.
    pub fn local(&self, node: u32) -> Option<u32> {
        match self.index.get(node as usize) {
            Some(&i) if i > 0 => Some(i - 1),
            _ => None,
        }
    }

    /// Number of nodes reached.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when nothing was reached.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Time-respecting breadth-first search from `starts`, at most `max_hops` edges deep.
///
/// Forward, a node's funds can move on only by transfers at or after the time they arrived;
/// backward, a node can only have contributed by transfers at or before the time its
/// recipient passed them on. A node reached again by an earlier (forward) or later
/// (backward) time is expanded again, so a longer but earlier path is not lost.
pub fn reach(g: &Graph, starts: &[u32], since: u32, direction: Direction, max_hops: u32, stop: &dyn Fn(u32) -> bool) -> Reach {
    let n = g.nodes() as usize;
    let forward = direction == Direction::Forward;
    // Per node, one word: 0 when unreached, else (key << 32) | (local index + 1), where the
    // key is the arrival time forward and its complement backward, so smaller is better both
    // ways. One random read per edge on the hot path.
    let mut slot: Vec<u64> = vec![0; n];
    // The next hop's frontier as a bitmap (a node improved twice in one hop is expanded once,
    // and reading the bits in order gives the frontier sorted, as the sweep below wants), and
    // the stop nodes, never expanded. Both stay in cache where a per-node word would not.
    let words = n.div_ceil(64);
    let mut next_bits: Vec<u64> = vec![0; words];
    let mut stopped_bits: Vec<u64> = vec![0; words];
    let mut r = Reach::default();
    let mut frontier: Vec<u32> = Vec::new();
    for &s in starts {
        if (s as usize) < n && slot[s as usize] == 0 {
            let t = if forward { since } else { u32::MAX };
            // Key 0 for starts: nothing improves on them (their time is kept in the node list).
            slot[s as usize] = r.nodes.len() as u64 + 1;
            r.nodes.push(Reached {
                node: s,
                hop: 0,
                time: t,
                stopped: false,
                parent: u32::MAX,
                via: u32::MAX,
            });
            frontier.push(s);
        }
    }
    let mut scanned = 0u64;
    let mut bins = Bins::new(n);
    for hop in 1..=max_hops {
        if frontier.is_empty() {
            break;
        }
        // Expanded in node order: the edge lists are then read in one sweep through the CSR
        // arrays instead of jumping between them, and the lists of nodes a few places ahead
        // are fetched while this one is handled.
        for (k, &v) in frontier.iter().enumerate() {
            if let Some(&ahead) = frontier.get(k + PREFETCH_NODES) {
                let start = g.out_off[ahead as usize] as usize;
                if forward {
                    prefetch(&g.out_dst, start);
                    prefetch(&g.time, start);
                }
                prefetch(&slot, ahead as usize);
            }
            let cur = slot[v as usize];
            let at = if cur >> 32 == 0 {
                r.nodes[(cur as u32 - 1) as usize].time
            } else {
                let key = (cur >> 32) as u32;
                if forward {
                    key
                } else {
                    u32::MAX - key
                }
            };
            if forward {
                let edges = g.out_edges_from(v, at);
                scanned += edges.len() as u64;
                let (a, b) = (edges.start as usize, edges.end as usize);
                // Relaxations are not applied here but binned by target block (propagation
                // blocking): applied block by block below, the random reads of node state stay
                // within a range that fits the cache. A target's candidates keep their scan
                // order, so the result is the one of relaxing as scanned; nodes improved in
                // this hop are expanded in the next.
                for (i, (&d, &t)) in g.out_dst[a..b].iter().zip(&g.time[a..b]).enumerate() {
                    bins.push(d, t, v, (a + i) as u32);
                }
                if bins.len >= BIN_CHUNK {
                    bins.apply(|d, t, v, e| relax(&mut r, &mut slot, &mut stopped_bits, &mut next_bits, (v, e), d, hop, t, t, stop));
                }
            } else {
                for (src, e) in g.in_edges(v) {
                    let t = g.time(e);
                    scanned += 1;
                    if t > at {
                        // In-edges are in time order: the rest are later still.
                        break;
                    }
                    relax(&mut r, &mut slot, &mut stopped_bits, &mut next_bits, (v, e), src, hop, u32::MAX - t, t, stop);
                }
            }
        }
        bins.apply(|d, t, v, e| relax(&mut r, &mut slot, &mut stopped_bits, &mut next_bits, (v, e), d, hop, t, t, stop));
        frontier.clear();
        for (w, bits) in next_bits.iter_mut().enumerate() {
            let mut b = std::mem::take(bits);
            while b != 0 {
                frontier.push((w * 64) as u32 + b.trailing_zeros());
                b &= b - 1;
            }
        }
    }
    r.edges_scanned = scanned;
    for n in r.nodes.iter_mut().filter(|n| n.hop > 0) {
        let key = (slot[n.node as usize] >> 32) as u32;
        n.time = if forward { key } else { u32::MAX - key };
    }
    r.index = slot.iter().map(|&x| x as u32).collect();
    r
}

/// Pending relaxations binned by target block: (target, time, source, edge).
struct Bins {
    bins: Vec<Vec<(u32, u32, u32, u32)>>,
    len: usize,
}

/// Nodes per block: 2¹⁵ nodes' state (256 KiB of keys) stays in cache while a block is applied.
const BLOCK_BITS: u32 = 15;

/// Pending relaxations applied at once (64 MiB of them at most).
const BIN_CHUNK: usize = 1 << 22;

impl Bins {
    fn new(nodes: usize) -> Bins {
        Bins {
            bins: (0..(nodes >> BLOCK_BITS) + 1).map(|_| Vec::new()).collect(),
            len: 0,
        }
    }

    #[inline]
    fn push(&mut self, d: u32, t: u32, v: u32, e: u32) {
        self.bins[(d >> BLOCK_BITS) as usize].push((d, t, v, e));
        self.len += 1;
    }

    /// Applies and empties every bin, block by block, each in the order it was filled.
    fn apply(&mut self, mut f: impl FnMut(u32, u32, u32, u32)) {
        if self.len == 0 {
            return;
        }
        for bin in &mut self.bins {
            for &(d, t, v, e) in bin.iter() {
                f(d, t, v, e);
            }
            bin.clear();
        }
        self.len = 0;
    }
}

/// How many events ahead the replay fetches node state.
const PREFETCH_EVENTS: usize = 16;

/// How many frontier nodes ahead their edge lists are fetched.
const PREFETCH_NODES: usize = 8;

/// Hints the CPU to load `slice[i]` into cache; no effect on results.
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch<T>(slice: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(i) {
        // SAFETY: a prefetch is only a hint: it never faults and reads nothing into the
        // program; the pointer comes from a live reference. SSE is baseline on x86_64.
        unsafe { std::arch::x86_64::_mm_prefetch(x as *const T as *const i8, std::arch::x86_64::_MM_HINT_T0) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}

#[inline]
fn relax(
    r: &mut Reach,
    slot: &mut [u64],
    stopped_bits: &mut [u64],
    next_bits: &mut [u64],
    from: (u32, u32),
    node: u32,
    hop: u32,
    key: u32,
    t: u32,
    stop: &dyn Fn(u32) -> bool,
) {
    let cur = slot[node as usize];
    if cur == 0 {
        let stopped = stop(node);
        slot[node as usize] = ((key as u64) << 32) | (r.nodes.len() as u64 + 1);
        r.nodes.push(Reached {
            node,
            hop,
            time: t,
            stopped,
            parent: from.0,
            via: from.1,
        });
        let (w, bit) = (node as usize / 64, 1u64 << (node % 64));
        if stopped {
            stopped_bits[w] |= bit;
        } else {
            next_bits[w] |= bit;
        }
    } else if key < (cur >> 32) as u32 {
        // Start nodes have key 0 and are never improved. The better time is kept in the slot
        // and copied to the node list at the end.
        slot[node as usize] = ((key as u64) << 32) | (cur & 0xffff_ffff);
        let (w, bit) = (node as usize / 64, 1u64 << (node % 64));
        if stopped_bits[w] & bit == 0 {
            next_bits[w] |= bit;
        }
    }
}

/// Taint of one node after a simulation, per label.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeTaint {
    /// Everything the node received in the replayed transfers.
    pub received: Amount,
    /// Poison: received by transfers from a tainted sender, per label.
    pub poison: Vec<Amount>,
    /// Haircut: tainted amount received, per label.
    pub haircut: Vec<f64>,
    /// FIFO: tainted amount received, per label.
    pub fifo: Vec<Amount>,
}

/// One transfer that carried taint.
#[derive(Clone, Debug, PartialEq)]
pub struct TaintedEdge {
    /// Edge id.
    pub edge: u32,
    /// Sender.
    pub src: u32,
    /// Receiver.
    pub dst: u32,
    /// Amount of the transfer.
    pub amount: Amount,
    /// Labels whose poison it carried (bit per label).
    pub poison: u64,
    /// Haircut taint carried, all labels.
    pub haircut: f64,
    /// FIFO taint carried, all labels.
    pub fifo: Amount,
}

/// The result of [`simulate`].
#[derive(Clone, Debug, Default)]
pub struct Simulation {
    labels: usize,
    /// Per reached node: received, then poison per label, then FIFO per label.
    amounts: Vec<Amount>,
    /// Per reached node: haircut per label.
    haircut: Vec<f64>,
    /// Transfers that carried taint, in time order.
    pub edges: Vec<TaintedEdge>,
    /// Transfers replayed.
    pub replayed: u64,
}

impl Simulation {
    /// The taint of the reached node with local index `i` (as in [`Reach::nodes`]).
    pub fn node(&self, i: usize) -> NodeTaint {
        let l = self.labels;
        let a = &self.amounts[i * (1 + 2 * l)..(i + 1) * (1 + 2 * l)];
        NodeTaint {
            received: a[0],
            poison: a[1..1 + l].to_vec(),
            fifo: a[1 + l..].to_vec(),
            haircut: self.haircut[i * l..(i + 1) * l].to_vec(),
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.haircut.len() / self.labels.max(1)
    }

    /// True when no node was replayed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Per-node state during a replay, in one row so an event touches few cache lines.
#[derive(Clone, Default)]
struct State {
    balance: f64,
    /// Poisoned by these labels.
    poison: u64,
    /// A source: every transfer out is tainted by this label (`u8::MAX`: not a source).
    source: u8,
    /// FIFO lots.
    lots: Lots,
}

/// FIFO lots of a node, oldest first: amount and label (`u8::MAX` = clean). The only lot
/// is kept inline (the common case: one kind of funds), so most events touch no heap memory.
#[derive(Clone, Default)]
struct Lots {
    one: (Amount, u8),
    more: VecDeque<(Amount, u8)>,
}

impl Lots {
    fn push(&mut self, amount: Amount, label: u8) {
        if self.more.is_empty() {
            if self.one.0 == 0 {
                self.one = (amount, label);
                return;
            }
            if self.one.1 == label {
                self.one.0 += amount;
                return;
            }
            self.more.push_back(self.one);
            self.one = (0, 0);
        }
        match self.more.back_mut() {
            Some(last) if last.1 == label => last.0 += amount,
            _ => self.more.push_back((amount, label)),
        }
    }

    /// Takes `need` from the oldest lots, reporting the tainted parts.
    fn spend(&mut self, mut need: Amount, tainted: &mut Vec<(Amount, u8)>) {
        while need > 0 {
            let front = if self.more.is_empty() {
                if self.one.0 == 0 {
                    return;
                }
                &mut self.one
            } else {
                self.more.front_mut().expect("not empty")
            };
            let take = front.0.min(need);
            if front.1 != u8::MAX {
                tainted.push((take, front.1));
            }
            front.0 -= take;
            need -= take;
            if front.0 == 0 && !self.more.is_empty() {
                self.more.pop_front();
            }
        }
    }
}

/// Replays, in time order, every transfer into or out of the reached nodes that are followed
/// (not stopped), carrying taint from `sources` (node, label) from time `since` on. Labels are
/// at most 64. Sources send only tainted funds (a hack address's outflows are the loot).
/// Balances a node had before the replayed window count as clean: a node that sends more
/// than it was seen to receive is topped up with clean funds first.
pub fn simulate(g: &Graph, reach: &Reach, sources: &[(u32, u8)], labels: usize, since: u32) -> Simulation {
    assert!((1..=64).contains(&labels), "1 to 64 labels");
    let n = reach.len();
    let l = labels;
    let mut states: Vec<State> = vec![
        State {
            source: u8::MAX,
            ..State::default()
        };
        n
    ];
    // Tainted balance per node and label.
    let mut tainted: Vec<f64> = vec![0.0; n * l];
    for &(node, label) in sources {
        if let Some(i) = reach.local(node) {
            states[i as usize].source = label;
        }
    }
    // The transfers to replay: every edge out of a followed node, and every edge into one from
    // a node that is not followed (the others are already among the out-edges). Packed as
    // (time, tx, edge, source) in a u128 so one sort orders them.
    let t_collect = std::time::Instant::now();
    // Followed nodes as a bitmap over the graph's nodes: the in-edge test below is one cached
    // bit instead of two random reads (it ran once per in-edge of every reached node and was
    // most of the collection), and the collection runs on all cores.
    let mut followed_bits = vec![0u64; (g.nodes() as usize).div_ceil(64)];
    for r in reach.nodes.iter().filter(|r| !r.stopped) {
        followed_bits[r.node as usize / 64] |= 1 << (r.node % 64);
    }
    let followed = |v: u32| followed_bits[v as usize / 64] & (1 << (v % 64)) != 0;
    let pack = |e: u32, src: u32| ((g.time(e) as u128) << 96) | ((g.tx(e) as u128) << 64) | ((e as u128) << 32) | src as u128;
    let mut events: Vec<u128> = reach
        .nodes
        .par_iter()
        .filter(|r| !r.stopped)
        .flat_map_iter(|r| {
            let out = g.out_edges(r.node).map(move |e| pack(e, r.node));
            let inc = g.in_edges(r.node).filter(|&(src, _)| !followed(src)).map(move |(src, e)| pack(e, src));
            out.chain(inc)
        })
        .collect();
    events.par_sort_unstable();
    let debug = std::env::var_os("CORDON_REPLAY_TIMES").is_some();
    if debug {
        eprintln!(
            "replay: {} events collected and sorted in {:.2} s",
            events.len(),
            t_collect.elapsed().as_secs_f64()
        );
    }
    let row = 1 + 2 * l;
    let mut out = Simulation {
        labels: l,
        amounts: vec![0; n * row],
        haircut: vec![0.0; n * l],
        // Most replayed transfers carry taint when a hack reaches far: reserved once rather
        // than doubled (and copied) a dozen times.
        edges: Vec::with_capacity(events.len()),
        ..Simulation::default()
    };
    let mut carried = vec![0.0f64; l];
    let mut fifo_carried: Vec<(Amount, u8)> = Vec::new();
    // What each event touches, looked up on all cores before the replay: the lookups are
    // random reads, independent of each other, while the replay must go in order.
    // 12 bytes an event (the amount is read in the replay, fetched ahead like the rest).
    let looked_up: Vec<(u32, u32, u32)> = events
        .par_iter()
        .map(|&ev| {
            let dst = g.target((ev >> 32) as u32);
            let local = |v: u32| reach.local(v).unwrap_or(u32::MAX);
            (local(ev as u32), local(dst), dst)
        })
        .collect();
    if debug {
        eprintln!("replay: looked up at {:.2} s", t_collect.elapsed().as_secs_f64());
    }
    for (k, &ev) in events.iter().enumerate() {
        // The state of the nodes a few events ahead is fetched while this one is replayed.
        if let (Some(&(sa, da, _)), Some(&ahead)) = (looked_up.get(k + PREFETCH_EVENTS), events.get(k + PREFETCH_EVENTS)) {
            let e_ahead = (ahead >> 32) as u32 as usize;
            prefetch(&g.amt_lo, e_ahead);
            prefetch(&g.amt_hi, e_ahead);
            for x in [sa, da] {
                if x != u32::MAX {
                    prefetch(&states, x as usize);
                    prefetch(&tainted, x as usize * l);
                }
            }
            if da != u32::MAX {
                prefetch(&out.amounts, da as usize * row);
                prefetch(&out.haircut, da as usize * l);
            }
        }
        let t = (ev >> 96) as u32;
        let e = (ev >> 32) as u32;
        let src = ev as u32;
        let (si_ahead, di_ahead, dst) = looked_up[k];
        let amount = g.amount(e);
        out.replayed += 1;
        let mut any_haircut = false;
        fifo_carried.clear();
        let mut poison = 0u64;
        if si_ahead != u32::MAX {
            let si = si_ahead as usize;
            let s = &mut states[si];
            if s.source != u8::MAX && t >= since {
                carried.iter_mut().for_each(|c| *c = 0.0);
                carried[s.source as usize] = amount as f64;
                any_haircut = true;
                fifo_carried.push((amount, s.source));
                poison = 1 << s.source;
            } else {
                // Haircut: the transfer takes the tainted share of the balance.
                let a = amount as f64;
                if s.balance < a {
                    s.balance = a; // top up with clean funds of unknown origin
                }
                for (c, tv) in carried.iter_mut().zip(&mut tainted[si * l..(si + 1) * l]) {
                    if *tv > 0.0 {
                        *c = a * (*tv / s.balance);
                        *tv -= *c;
                        any_haircut = true;
                    } else {
                        *c = 0.0;
                    }
                }
                s.balance -= a;
                // FIFO: spend the oldest lots first; a shortfall is clean.
                s.lots.spend(amount, &mut fifo_carried);
                poison = s.poison;
            }
        }
        if di_ahead != u32::MAX {
            let di = di_ahead as usize;
            let d = &mut states[di];
            d.balance += amount as f64;
            d.poison |= poison;
            let mut clean = amount;
            for &(a, label) in &fifo_carried {
                clean -= a.min(clean);
                d.lots.push(a, label);
            }
            if clean > 0 {
                d.lots.push(clean, u8::MAX);
            }
            let amts = &mut out.amounts[di * row..(di + 1) * row];
            amts[0] += amount;
            for &(a, label) in &fifo_carried {
                amts[1 + l + label as usize] += a;
            }
            if poison != 0 {
                for (lab, p) in amts[1..1 + l].iter_mut().enumerate() {
                    if poison & (1 << lab) != 0 {
                        *p += amount;
                    }
                }
            }
            if any_haircut {
                for (lab, &c) in carried.iter().enumerate() {
                    tainted[di * l + lab] += c;
                    out.haircut[di * l + lab] += c;
                }
            }
        }
        let haircut: f64 = if any_haircut { carried.iter().sum() } else { 0.0 };
        let fifo: Amount = fifo_carried.iter().map(|&(a, _)| a).sum();
        if poison != 0 || haircut > 0.0 || fifo > 0 {
            out.edges.push(TaintedEdge {
                edge: e,
                src,
                dst,
                amount,
                poison,
                haircut,
                fifo,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::EdgeList;

    /// 0 is the hack. 3 → 1 clean 100 at t=5; 1 → 6: 10 at t=1 (before any funds were seen,
    /// so from an older clean balance); 0 → 1: 100 at t=10; 1 → 4: 50 at t=20; 1 → 5: 140 at
    /// t=30; 4 → 7: 50 at t=40.
    fn sample() -> Graph {
        let mut e = EdgeList::default();
        e.push(3, 1, 100, 5, 0);
        e.push(1, 6, 10, 1, 1);
        e.push(0, 1, 100, 10, 2);
        e.push(1, 4, 50, 20, 3);
        e.push(1, 5, 140, 30, 4);
        e.push(4, 7, 50, 40, 5);
        Graph::build(8, &e).unwrap()
    }

    #[test]
    fn forward_reach_respects_time_and_hops() {
        let g = sample();
        let r = reach(&g, &[0], 0, Direction::Forward, 10, &|_| false);
        let mut nodes: Vec<u32> = r.nodes.iter().map(|n| n.node).collect();
        nodes.sort();
        // 6 got funds from 1 before the hack's funds arrived; 3 only sent.
        assert_eq!(nodes, vec![0, 1, 4, 5, 7]);
        assert_eq!(r.get(7).unwrap().hop, 3);
        let r2 = reach(&g, &[0], 0, Direction::Forward, 2, &|_| false);
        assert!(r2.get(7).is_none());
        // A stop node is reached but not followed.
        let r3 = reach(&g, &[0], 0, Direction::Forward, 10, &|v| v == 4);
        assert!(r3.get(4).unwrap().stopped);
        assert!(r3.get(7).is_none());
    }

    #[test]
    fn backward_reach_respects_time() {
        let g = sample();
        let r = reach(&g, &[7], 0, Direction::Backward, 10, &|_| false);
        let mut nodes: Vec<u32> = r.nodes.iter().map(|n| n.node).collect();
        nodes.sort();
        assert_eq!(nodes, vec![0, 1, 3, 4, 7]);
    }

    #[test]
    fn poison_haircut_fifo_amounts() {
        let g = sample();
        let r = reach(&g, &[0], 0, Direction::Forward, 10, &|_| false);
        let s = simulate(&g, &r, &[(0, 0)], 1, 0);
        let at = |v: u32| s.node(r.local(v).unwrap() as usize);
        // Node 1 holds 100 clean and 100 tainted when it sends (the 10 it sent at t=1 came from
        // an older balance).
        assert_eq!(at(1).poison[0], 100);
        assert_eq!(at(1).fifo[0], 100);
        // Poison: everything 1 sent after the hack is tainted.
        assert_eq!(at(4).poison[0], 50);
        assert_eq!(at(5).poison[0], 140);
        // Haircut: 1 has 200, 100 tainted: the 50 carries 25; then 150 with 75 tainted: the 140
        // carries 70; 5 tainted stay at 1.
        assert!((at(4).haircut[0] - 25.0).abs() < 1e-9);
        assert!((at(5).haircut[0] - 70.0).abs() < 1e-9);
        assert!((at(7).haircut[0] - 25.0).abs() < 1e-9);
        // FIFO: 1's lots are 100 clean then 100 tainted: the 50 is clean, the 140 is 50 clean
        // and 90 tainted.
        assert_eq!(at(4).fifo[0], 0);
        assert_eq!(at(5).fifo[0], 90);
        assert_eq!(at(7).fifo[0], 0);
        // Transfers that carried taint: 0→1, 1→4, 1→5, 4→7 (haircut).
        assert_eq!(s.edges.len(), 4);
    }
}
