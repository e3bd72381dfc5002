//! The transfer graph: edges in time order, with compressed sparse rows in both directions.
//!
//! An edge's id is its place in time order (time, then transaction, then input order), so
//! "every transfer after t" is a suffix of the edge ids and a time-respecting traversal can
//! be one sequential pass (see [`crate::taint`]). Per edge: source and target (4 + 4 bytes),
//! the amount (10: a `u64` and a `u16` for bits 64–79; amounts of 2⁸⁰ or more go to a small
//! side table), the low 16 bits of the time (2; the high bits change at most 65,536 times in
//! time order and are kept as runs), the transaction (4), and one entry in each direction's
//! index (4 + 4): 32 bytes per edge in all. Nodes cost 16 bytes (two `u64` offsets).
//!
//! A node's out-edges and in-edges are listed in time order, so a traversal can skip to the
//! first edge at or after a time by binary search over edge ids.

use rayon::prelude::*;

use crate::buf::Buf;
use crate::GraphError;

/// An exact amount in the smallest unit of its asset (satoshi, wei, token base unit).
pub type Amount = u128;

/// Marks an amount of 2⁸⁰ or more, kept in the side table.
pub(crate) const BIG: u16 = u16::MAX;

/// Edges to build a graph from, one column per attribute.
#[derive(Clone, Debug, Default)]
pub struct EdgeList {
    /// Source node per edge.
    pub src: Vec<u32>,
    /// Target node per edge.
    pub dst: Vec<u32>,
    /// Amount per edge.
    pub amount: Vec<Amount>,
    /// Time per edge (seconds since the Unix epoch).
    pub time: Vec<u32>,
    /// Transaction id per edge.
    pub tx: Vec<u32>,
}

impl EdgeList {
    /// Adds an edge.
    pub fn push(&mut self, src: u32, dst: u32, amount: Amount, time: u32, tx: u32) {
        self.src.push(src);
        self.dst.push(dst);
        self.amount.push(amount);
        self.time.push(time);
        self.tx.push(tx);
    }

    /// Number of edges.
    pub fn len(&self) -> usize {
        self.src.len()
    }

    /// True when there is no edge.
    pub fn is_empty(&self) -> bool {
        self.src.is_empty()
    }

    /// Appends another list.
    pub fn extend(&mut self, other: &EdgeList) {
        self.src.extend_from_slice(&other.src);
        self.dst.extend_from_slice(&other.dst);
        self.amount.extend_from_slice(&other.amount);
        self.time.extend_from_slice(&other.time);
        self.tx.extend_from_slice(&other.tx);
    }
}

/// The transfer graph.
pub struct Graph {
    pub(crate) nodes: u32,
    /// Per edge, in time order.
    pub(crate) src: Buf<u32>,
    pub(crate) dst: Buf<u32>,
    pub(crate) amt_lo: Buf<u64>,
    pub(crate) amt_hi: Buf<u16>,
    pub(crate) time_lo: Buf<u16>,
    pub(crate) tx: Buf<u32>,
    /// (first edge, high 16 bits of the time) wherever the high bits change, in edge order.
    pub(crate) time_hi: Vec<(u32, u32)>,
    /// Per block of 2¹⁶ edges, the time run its first edge is in: finding an edge's run is
    /// then a lookup and a step or two, not a binary search.
    pub(crate) run_at: Vec<u32>,
    /// Out-edges of each node: `out_edge[out_off[v]..out_off[v + 1]]`, in time order.
    pub(crate) out_off: Buf<u64>,
    pub(crate) out_edge: Buf<u32>,
    /// In-edges of each node, likewise.
    pub(crate) in_off: Buf<u64>,
    pub(crate) in_edge: Buf<u32>,
    /// Amounts of 2⁸⁰ or more: (edge id, amount), sorted by edge id.
    pub(crate) big: Vec<(u32, Amount)>,
}

impl Graph {
    /// Builds the graph from an edge list on all cores. `nodes` must exceed every node id.
    pub fn build(nodes: u32, edges: &EdgeList) -> Result<Graph, GraphError> {
        let m = edges.len();
        if m >= u32::MAX as usize {
            return Err(GraphError::TooLarge(format!("{m} edges; at most {} fit u32 edge ids", u32::MAX - 1)));
        }
        if let Some(bad) = edges.src.par_iter().chain(edges.dst.par_iter()).find_any(|&&v| v >= nodes) {
            return Err(GraphError::Invalid(format!("edge endpoint {bad} is not below the node count {nodes}")));
        }
        // Time order: by time, then transaction, then input order (the order of transfers
        // within one transaction, as logged). The keys are packed into one u128 per edge so
        // the sort reads memory in order instead of fetching columns per comparison.
        let mut keys: Vec<u128> = (0..m)
            .into_par_iter()
            .map(|i| ((edges.time[i] as u128) << 64) | ((edges.tx[i] as u128) << 32) | i as u128)
            .collect();
        keys.par_sort_unstable();
        let perm: Vec<u32> = keys.par_iter().map(|&k| k as u32).collect();
        drop(keys);
        let gather = |col: &[u32]| -> Vec<u32> { perm.par_iter().map(|&i| col[i as usize]).collect() };
        let src = gather(&edges.src);
        let dst = gather(&edges.dst);
        let tx = gather(&edges.tx);
        let time = gather(&edges.time);
        let amt_lo: Vec<u64> = perm.par_iter().map(|&i| edges.amount[i as usize] as u64).collect();
        let amt_hi: Vec<u16> = perm.par_iter().map(|&i| (edges.amount[i as usize] >> 64).min(BIG as u128) as u16).collect();
        let big: Vec<(u32, Amount)> = amt_hi
            .par_iter()
            .enumerate()
            .filter(|(_, &h)| h == BIG)
            .map(|(e, _)| (e as u32, edges.amount[perm[e] as usize]))
            .collect();
        drop(perm);
        let time_lo: Vec<u16> = time.par_iter().map(|&t| t as u16).collect();
        let mut time_hi: Vec<(u32, u32)> = Vec::new();
        for (e, &t) in time.iter().enumerate() {
            if time_hi.last().is_none_or(|&(_, hi)| hi != t >> 16) {
                time_hi.push((e as u32, t >> 16));
            }
        }
        time_hi.shrink_to_fit();
        let run_at = runs_by_block(&time_hi, m);
        drop(time);
        let (out_off, out_edge) = index(nodes, &src);
        let (in_off, in_edge) = index(nodes, &dst);
        Ok(Graph {
            nodes,
            src: src.into(),
            dst: dst.into(),
            amt_lo: amt_lo.into(),
            amt_hi: amt_hi.into(),
            time_lo: time_lo.into(),
            tx: tx.into(),
            time_hi,
            run_at,
            out_off: out_off.into(),
            out_edge: out_edge.into(),
            in_off: in_off.into(),
            in_edge: in_edge.into(),
            big,
        })
    }

    /// Number of nodes.
    pub fn nodes(&self) -> u32 {
        self.nodes
    }

    /// Number of edges.
    pub fn edges(&self) -> usize {
        self.dst.len()
    }

    /// The amount of an edge.
    #[inline]
    pub fn amount(&self, e: u32) -> Amount {
        let hi = self.amt_hi[e as usize];
        if hi == BIG {
            return self.big_amount(e);
        }
        ((hi as u128) << 64) | self.amt_lo[e as usize] as u128
    }

    /// Amounts of 2⁸⁰ and more, kept aside; out of line so the common case inlines.
    #[cold]
    #[inline(never)]
    fn big_amount(&self, e: u32) -> Amount {
        let i = self.big.binary_search_by_key(&e, |&(id, _)| id).expect("big amounts are in the side table");
        self.big[i].1
    }

    /// Time of an edge (seconds since the Unix epoch).
    #[inline]
    pub fn time(&self, e: u32) -> u32 {
        let mut run = self.run_at[(e >> BLOCK) as usize] as usize;
        while self.time_hi.get(run + 1).is_some_and(|&(first, _)| first <= e) {
            run += 1;
        }
        (self.time_hi[run].1 << 16) | self.time_lo[e as usize] as u32
    }

    /// The first edge at or after time `t` (the edge count when there is none): edges from it
    /// on are exactly those at or after `t`.
    pub fn first_edge_at(&self, t: u32) -> u32 {
        let hi = t >> 16;
        // The run holding time t's high bits, if any: edges before it are earlier.
        let run = self.time_hi.partition_point(|&(_, h)| h < hi);
        let Some(&(start, h)) = self.time_hi.get(run) else {
            return self.edges() as u32;
        };
        if h > hi {
            return start;
        }
        let end = self.time_hi.get(run + 1).map_or(self.edges(), |&(e, _)| e as usize);
        let lo = &self.time_lo[start as usize..end];
        start + lo.partition_point(|&x| (x as u32) < (t & 0xffff)) as u32
    }

    /// The edges at the same time as `e`: `first..end`.
    pub fn same_time(&self, e: u32) -> std::ops::Range<u32> {
        let t = self.time(e);
        let first = self.first_edge_at(t);
        let end = if t == u32::MAX { self.edges() as u32 } else { self.first_edge_at(t + 1) };
        first..end
    }

    /// Transaction of an edge.
    #[inline]
    pub fn tx(&self, e: u32) -> u32 {
        self.tx[e as usize]
    }

    /// Target of an edge.
    #[inline]
    pub fn target(&self, e: u32) -> u32 {
        self.dst[e as usize]
    }

    /// Source of an edge.
    #[inline]
    pub fn source(&self, e: u32) -> u32 {
        self.src[e as usize]
    }

    /// Edge ids leaving `v`, in time order.
    #[inline]
    pub fn out_edges(&self, v: u32) -> &[u32] {
        &self.out_edge[self.out_off[v as usize] as usize..self.out_off[v as usize + 1] as usize]
    }

    /// Edge ids leaving `v` at or after `t`.
    pub fn out_edges_from(&self, v: u32, t: u32) -> &[u32] {
        let all = self.out_edges(v);
        let first = self.first_edge_at(t);
        &all[all.partition_point(|&e| e < first)..]
    }

    /// Edges entering `v`, in time order: `(source, edge id)`.
    pub fn in_edges(&self, v: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let (a, b) = (self.in_off[v as usize] as usize, self.in_off[v as usize + 1] as usize);
        self.in_edge[a..b].iter().map(|&e| (self.src[e as usize], e))
    }

    /// Number of edges entering `v`.
    pub fn in_degree(&self, v: u32) -> usize {
        (self.in_off[v as usize + 1] - self.in_off[v as usize]) as usize
    }

    /// Number of edges leaving `v`.
    pub fn out_degree(&self, v: u32) -> usize {
        (self.out_off[v as usize + 1] - self.out_off[v as usize]) as usize
    }

    /// Targets of every edge, in time order (for sequential passes).
    pub fn targets(&self) -> &[u32] {
        &self.dst
    }

    /// Sources of every edge, in time order (for sequential passes).
    pub fn sources(&self) -> &[u32] {
        &self.src
    }

    /// Low 16 bits of every edge's time, in time order (for sequential passes).
    pub fn times_low(&self) -> &[u16] {
        &self.time_lo
    }

    /// Every edge as an edge list, in time order (to extend a graph and build it again).
    pub fn to_edge_list(&self) -> EdgeList {
        let mut out = EdgeList::default();
        for e in 0..self.edges() as u32 {
            out.push(self.source(e), self.target(e), self.amount(e), self.time(e), self.tx(e));
        }
        out
    }

    /// Bytes of edge and node arrays held in memory (0 for a mapped graph's arrays).
    pub fn heap_bytes(&self) -> usize {
        self.src.heap_bytes()
            + self.dst.heap_bytes()
            + self.amt_lo.heap_bytes()
            + self.amt_hi.heap_bytes()
            + self.time_lo.heap_bytes()
            + self.tx.heap_bytes()
            + self.time_hi.capacity() * 8
            + self.run_at.capacity() * 4
            + self.out_off.heap_bytes()
            + self.out_edge.heap_bytes()
            + self.in_off.heap_bytes()
            + self.in_edge.heap_bytes()
            + self.big.capacity() * std::mem::size_of::<(u32, Amount)>()
    }
}

/// Edges per block of [`Graph::run_at`] (as a shift).
const BLOCK: u32 = 16;

/// The time run of the first edge of each block of 2^[`BLOCK`] edges.
pub(crate) fn runs_by_block(time_hi: &[(u32, u32)], edges: usize) -> Vec<u32> {
    let blocks = edges.div_ceil(1 << BLOCK);
    let mut out = Vec::with_capacity(blocks);
    let mut run = 0usize;
    for b in 0..blocks {
        let e = (b << BLOCK) as u32;
        while time_hi.get(run + 1).is_some_and(|&(first, _)| first <= e) {
            run += 1;
        }
        out.push(run as u32);
    }
    out
}

/// A CSR index over edge ids by one endpoint column: offsets per node and the edge ids of
/// each node in increasing order (so in time order). A counting sort: two passes over the
/// column, no comparison sort.
fn index(nodes: u32, column: &[u32]) -> (Vec<u64>, Vec<u32>) {
    let mut off = vec![0u64; nodes as usize + 1];
    for &v in column {
        off[v as usize + 1] += 1;
    }
    for i in 0..nodes as usize {
        off[i + 1] += off[i];
    }
    let mut next = off.clone();
    let mut edge = vec![0u32; column.len()];
    for (e, &v) in column.iter().enumerate() {
        let at = &mut next[v as usize];
        edge[*at as usize] = e as u32;
        *at += 1;
    }
    (off, edge)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Graph {
        let mut e = EdgeList::default();
        e.push(0, 1, 10, 100, 0);
        e.push(0, 2, u128::MAX, 50, 1);
        e.push(1, 2, 1 << 70, 200, 2);
        e.push(2, 0, 5, 300, 3);
        e.push(0, 1, 7, 20, 4);
        Graph::build(3, &e).unwrap()
    }

    #[test]
    fn both_directions_and_exact_amounts() {
        let g = sample();
        assert_eq!(g.edges(), 5);
        // Out-edges of 0 in time order: t=20, 50, 100.
        let out: Vec<(u32, u32, Amount)> = g.out_edges(0).iter().map(|&e| (g.target(e), g.time(e), g.amount(e))).collect();
        assert_eq!(out, vec![(1, 20, 7), (2, 50, u128::MAX), (1, 100, 10)]);
        assert_eq!(g.amount(g.out_edges(1)[0]), 1 << 70);
        let into2: Vec<(u32, u32)> = g.in_edges(2).map(|(s, e)| (s, g.time(e))).collect();
        assert_eq!(into2, vec![(0, 50), (1, 200)]);
        assert_eq!(g.out_edges_from(0, 50).len(), 2);
        assert_eq!(g.out_edges_from(0, 101).len(), 0);
        for v in 0..3 {
            for &e in g.out_edges(v) {
                assert_eq!(g.source(e), v);
            }
        }
        let back = Graph::build(3, &g.to_edge_list()).unwrap();
        assert_eq!(back.to_edge_list().amount, g.to_edge_list().amount);
    }

    #[test]
    fn edge_ids_follow_time_across_high_bits() {
        // Times on both sides of several 2^16 boundaries, inserted out of order, with ties
        // broken by transaction then input order; amounts on both sides of 2^64 and 2^80.
        let mut e = EdgeList::default();
        let times = [70_000u32, 5, 65_535, 65_536, 1 << 20, 70_000, 5, u32::MAX];
        for (i, &t) in times.iter().enumerate() {
            e.push(i as u32 % 3, (i as u32 + 1) % 3, (1u128 << (60 + 3 * i)) + i as u128, t, 10 - i as u32 % 2);
        }
        let g = Graph::build(3, &e).unwrap();
        let got: Vec<u32> = (0..8).map(|k| g.time(k)).collect();
        assert_eq!(got, vec![5, 5, 65_535, 65_536, 70_000, 70_000, 1 << 20, u32::MAX]);
        // Two transfers at time 5: transaction 9 (input 1) before transaction 10 (input 6).
        assert_eq!((g.tx(0), g.tx(1)), (9, 10));
        for (i, &t) in times.iter().enumerate() {
            let k = (0..8).find(|&k| g.amount(k) == (1u128 << (60 + 3 * i)) + i as u128).unwrap();
            assert_eq!(g.time(k), t);
        }
        assert_eq!(g.first_edge_at(0), 0);
        assert_eq!(g.first_edge_at(6), 2);
        assert_eq!(g.first_edge_at(65_536), 3);
        assert_eq!(g.first_edge_at(65_537), 4);
        assert_eq!(g.first_edge_at(70_001), 6);
        assert_eq!(g.first_edge_at(u32::MAX), 7);
        assert_eq!(g.same_time(5), 4..6);
        assert_eq!(g.same_time(7), 7..8);
        let big = Graph::build(3, &e).unwrap();
        assert_eq!(big.big.len(), 1, "only 2^81 + 7 needs the side table");
    }

    #[test]
    fn rejects_bad_endpoints() {
        let mut e = EdgeList::default();
        e.push(0, 5, 1, 1, 0);
        assert!(Graph::build(3, &e).is_err());
    }

    #[test]
    fn memory_is_32_bytes_per_edge_plus_offsets() {
        let mut e = EdgeList::default();
        for i in 0..10_000u32 {
            e.push(i % 100, (i * 7) % 100, i as u128, i, i);
        }
        let g = Graph::build(100, &e).unwrap();
        // Besides the edges: two offsets per node, the time runs (at most 2^16 of 8 bytes) and
        // their lookup table (4 bytes per 2^16 edges).
        let per_edge = (g.heap_bytes() - 2 * 101 * 8 - 8 * g.time_hi.len() - 4 * g.run_at.len()) as f64 / 10_000.0;
        assert!(per_edge <= 32.0, "{per_edge} bytes per edge");
    }
}
