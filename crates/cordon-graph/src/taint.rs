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

use std::collections::{HashMap, VecDeque};

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
    index: HashMap<u32, u32>,
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
        self.index.get(&node).map(|&i| &self.nodes[i as usize])
    }

    /// Local index of a node.
    pub fn local(&self, node: u32) -> Option<u32> {
        self.index.get(&node).copied()
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
    let mut r = Reach::default();
    let forward = direction == Direction::Forward;
    let mut frontier: Vec<u32> = Vec::new();
    for &s in starts {
        if s < g.nodes() && !r.index.contains_key(&s) {
            r.index.insert(s, r.nodes.len() as u32);
            r.nodes.push(Reached {
                node: s,
                hop: 0,
                time: if forward { since } else { u32::MAX },
                stopped: false,
                parent: u32::MAX,
                via: u32::MAX,
            });
            frontier.push(s);
        }
    }
    let mut next: Vec<u32> = Vec::new();
    for hop in 1..=max_hops {
        if frontier.is_empty() {
            break;
        }
        for &v in &frontier {
            let at = r.nodes[r.index[&v] as usize].time;
            if forward {
                let edges = g.out_edges_from(v, at);
                r.edges_scanned += edges.len() as u64;
                for e in edges {
                    visit(&mut r, &mut next, (v, e), g.target(e), hop, g.time(e), true, stop);
                }
            } else {
                for (src, e) in g.in_edges(v) {
                    let t = g.time(e);
                    r.edges_scanned += 1;
                    if t > at {
                        // In-edges are in time order: the rest are later still.
                        break;
                    }
                    visit(&mut r, &mut next, (v, e), src, hop, t, false, stop);
                }
            }
        }
        std::mem::swap(&mut frontier, &mut next);
        next.clear();
    }
    r
}

fn visit(r: &mut Reach, next: &mut Vec<u32>, from: (u32, u32), node: u32, hop: u32, t: u32, forward: bool, stop: &dyn Fn(u32) -> bool) {
    match r.index.get(&node) {
        None => {
            let stopped = stop(node);
            r.index.insert(node, r.nodes.len() as u32);
            r.nodes.push(Reached {
                node,
                hop,
                time: t,
                stopped,
                parent: from.0,
                via: from.1,
            });
            if !stopped {
                next.push(node);
            }
        }
        Some(&i) => {
            let e = &mut r.nodes[i as usize];
            let better = if forward { t < e.time } else { t > e.time };
            if better && e.hop > 0 {
                e.time = t;
                if !e.stopped {
                    next.push(node);
                }
            }
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
    /// Per reached node (same order as [`Reach::nodes`]).
    pub nodes: Vec<NodeTaint>,
    /// Transfers that carried taint, in time order.
    pub edges: Vec<TaintedEdge>,
    /// Transfers replayed.
    pub replayed: u64,
}

/// Per-node state during a replay.
struct State {
    balance: f64,
    tainted: Vec<f64>,
    /// FIFO lots: amount and label (`u8::MAX` = clean).
    lots: VecDeque<(Amount, u8)>,
    /// Poisoned by these labels since this time.
    poison: u64,
    /// Sources: every transfer out is tainted by their label.
    source: Option<u8>,
}

/// Replays, in time order, every transfer into or out of the reached nodes that are followed
/// (not stopped), carrying taint from `sources` (node, label) from time `since` on. Labels are
/// at most 64. Sources send only tainted funds (a hack address's outflows are the loot).
/// Balances a node had before the replayed window count as clean: a node that sends more
/// than it was seen to receive is topped up with clean funds first.
pub fn simulate(g: &Graph, reach: &Reach, sources: &[(u32, u8)], labels: usize, since: u32) -> Simulation {
    assert!(labels <= 64, "at most 64 labels");
    let mut states: Vec<State> = reach
        .nodes
        .iter()
        .map(|_| State {
            balance: 0.0,
            tainted: vec![0.0; labels],
            lots: VecDeque::new(),
            poison: 0,
            source: None,
        })
        .collect();
    for &(node, label) in sources {
        if let Some(i) = reach.local(node) {
            states[i as usize].source = Some(label);
        }
    }
    // The transfers to replay: every edge into or out of a followed node.
    let mut events: Vec<(u32, u32, u32)> = Vec::new(); // (time, tx, edge)
    let mut seen_out = std::collections::HashSet::new();
    for r in reach.nodes.iter().filter(|r| !r.stopped) {
        for e in g.out_edges(r.node) {
            seen_out.insert(e);
            events.push((g.time(e), g.tx(e), e));
        }
    }
    for r in reach.nodes.iter().filter(|r| !r.stopped) {
        for (_, e) in g.in_edges(r.node) {
            if !seen_out.contains(&e) {
                events.push((g.time(e), g.tx(e), e));
            }
        }
    }
    events.sort_unstable();
    let mut out = Simulation {
        nodes: vec![
            NodeTaint {
                received: 0,
                poison: vec![0; labels],
                haircut: vec![0.0; labels],
                fifo: vec![0; labels],
            };
            reach.len()
        ],
        ..Simulation::default()
    };
    let mut carried = vec![0.0f64; labels];
    let mut fifo_carried: Vec<(Amount, u8)> = Vec::new();
    for &(t, _, e) in &events {
        let src = g.source(e);
        let dst = g.target(e);
        let amount = g.amount(e);
        let (si, di) = (reach.local(src), reach.local(dst));
        out.replayed += 1;
        carried.iter_mut().for_each(|c| *c = 0.0);
        fifo_carried.clear();
        let mut poison = 0u64;
        if let Some(si) = si {
            let s = &mut states[si as usize];
            match s.source {
                Some(label) if t >= since => {
                    carried[label as usize] = amount as f64;
                    fifo_carried.push((amount, label));
                    poison = 1 << label;
                }
                _ => {
                    // Haircut: the transfer takes the tainted share of the balance.
                    let a = amount as f64;
                    if s.balance < a {
                        s.balance = a; // top up with clean funds of unknown origin
                    }
                    for (c, tv) in carried.iter_mut().zip(s.tainted.iter_mut()) {
                        if *tv > 0.0 {
                            *c = a * (*tv / s.balance);
                            *tv -= *c;
                        }
                    }
                    s.balance -= a;
                    // FIFO: spend the oldest lots first; a shortfall is clean.
                    let mut need = amount;
                    while need > 0 {
                        let Some(front) = s.lots.front_mut() else { break };
                        let take = front.0.min(need);
                        if front.1 != u8::MAX {
                            fifo_carried.push((take, front.1));
                        }
                        front.0 -= take;
                        need -= take;
                        if front.0 == 0 {
                            s.lots.pop_front();
                        }
                    }
                    poison = s.poison;
                }
            }
        }
        if let Some(di) = di {
            let d = &mut states[di as usize];
            let n = &mut out.nodes[di as usize];
            n.received += amount;
            d.balance += amount as f64;
            let mut clean = amount;
            for &(a, label) in &fifo_carried {
                n.fifo[label as usize] += a;
                clean -= a.min(clean);
                push_lot(&mut d.lots, a, label);
            }
            if clean > 0 {
                push_lot(&mut d.lots, clean, u8::MAX);
            }
            for (l, &c) in carried.iter().enumerate() {
                d.tainted[l] += c;
                n.haircut[l] += c;
            }
            for l in 0..labels {
                if poison & (1 << l) != 0 {
                    n.poison[l] += amount;
                }
            }
            d.poison |= poison;
        }
        let haircut: f64 = carried.iter().sum();
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

fn push_lot(lots: &mut VecDeque<(Amount, u8)>, amount: Amount, label: u8) {
    match lots.back_mut() {
        Some(last) if last.1 == label => last.0 += amount,
        _ => lots.push_back((amount, label)),
    }
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
        let at = |v: u32| &s.nodes[r.local(v).unwrap() as usize];
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
