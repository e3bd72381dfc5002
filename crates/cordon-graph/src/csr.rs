//! The transfer graph in compressed sparse row form, both directions.
//!
//! Per edge: the target (4 bytes), the amount (12: a `u64` and a `u32` for bits 64–95, amounts
//! of 2⁹⁶ or more go to a small side table), time (4) and transaction (4) in the forward
//! arrays; the source (4) and the forward edge id (4) in the reverse arrays. 32 bytes per edge
//! in all, whatever the direction a traversal takes. Nodes cost 16 bytes (two `u64` offsets).
//!
//! Out-edges of a node are ordered by time, then transaction, so time-respecting traversals
//! can skip to the first edge at or after a time by binary search.

use rayon::prelude::*;

use crate::buf::Buf;
use crate::GraphError;

/// An exact amount in the smallest unit of its asset (satoshi, wei, token base unit).
pub type Amount = u128;

/// Marks an amount of 2⁹⁶ or more, kept in the side table.
pub(crate) const BIG: u32 = u32::MAX;

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
    pub(crate) out_off: Buf<u64>,
    pub(crate) out_dst: Buf<u32>,
    pub(crate) amt_lo: Buf<u64>,
    pub(crate) amt_hi: Buf<u32>,
    pub(crate) time: Buf<u32>,
    pub(crate) tx: Buf<u32>,
    pub(crate) in_off: Buf<u64>,
    pub(crate) in_src: Buf<u32>,
    pub(crate) in_edge: Buf<u32>,
    /// Amounts of 2⁹⁶ or more: (edge id, amount), sorted by edge id.
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
        // Forward order: by source, then time, then transaction (a stable order for FIFO). The
        // sort keys are packed into one u128 per edge first, so the sort reads memory in
        // order instead of fetching three columns per comparison.
        let mut keys: Vec<u128> = (0..m)
            .into_par_iter()
            .map(|i| ((edges.src[i] as u128) << 96) | ((edges.time[i] as u128) << 64) | ((edges.tx[i] as u128) << 32) | i as u128)
            .collect();
        keys.par_sort_unstable();
        let perm: Vec<u32> = keys.par_iter().map(|&k| k as u32).collect();
        drop(keys);
        let gather = |col: &[u32]| -> Vec<u32> { perm.par_iter().map(|&i| col[i as usize]).collect() };
        let out_dst = gather(&edges.dst);
        let time = gather(&edges.time);
        let tx = gather(&edges.tx);
        let src_sorted = gather(&edges.src);
        let amt_lo: Vec<u64> = perm.par_iter().map(|&i| edges.amount[i as usize] as u64).collect();
        let amt_hi: Vec<u32> = perm
            .par_iter()
            .map(|&i| {
                let hi = edges.amount[i as usize] >> 64;
                if hi >= BIG as u128 {
                    BIG
                } else {
                    hi as u32
                }
            })
            .collect();
        let big: Vec<(u32, Amount)> = amt_hi
            .par_iter()
            .enumerate()
            .filter(|(_, &h)| h == BIG)
            .map(|(e, _)| (e as u32, edges.amount[perm[e] as usize]))
            .collect();
        drop(perm);
        let out_off = offsets(nodes, &src_sorted);
        // Reverse order: by target, then time, over the forward edge ids.
        let mut rkeys: Vec<u128> = (0..m)
            .into_par_iter()
            .map(|e| ((out_dst[e] as u128) << 64) | ((time[e] as u128) << 32) | e as u128)
            .collect();
        rkeys.par_sort_unstable();
        let rev: Vec<u32> = rkeys.par_iter().map(|&k| k as u32).collect();
        drop(rkeys);
        let in_src: Vec<u32> = rev.par_iter().map(|&e| src_sorted[e as usize]).collect();
        let dst_sorted: Vec<u32> = rev.par_iter().map(|&e| out_dst[e as usize]).collect();
        let in_off = offsets(nodes, &dst_sorted);
        Ok(Graph {
            nodes,
            out_off: out_off.into(),
            out_dst: out_dst.into(),
            amt_lo: amt_lo.into(),
            amt_hi: amt_hi.into(),
            time: time.into(),
            tx: tx.into(),
            in_off: in_off.into(),
            in_src: in_src.into(),
            in_edge: rev.into(),
            big,
        })
    }

    /// Number of nodes.
    pub fn nodes(&self) -> u32 {
        self.nodes
    }

    /// Number of edges.
    pub fn edges(&self) -> usize {
        self.out_dst.len()
    }

    /// The amount of an edge.
    #[inline]
    pub fn amount(&self, e: u32) -> Amount {
        let hi = self.amt_hi[e as usize];
        if hi == BIG {
            let i = self.big.binary_search_by_key(&e, |&(id, _)| id).expect("big amounts are in the side table");
            return self.big[i].1;
        }
        ((hi as u128) << 64) | self.amt_lo[e as usize] as u128
    }

    /// Time of an edge.
    #[inline]
    pub fn time(&self, e: u32) -> u32 {
        self.time[e as usize]
    }

    /// Transaction of an edge.
    #[inline]
    pub fn tx(&self, e: u32) -> u32 {
        self.tx[e as usize]
    }

    /// Target of an edge.
    #[inline]
    pub fn target(&self, e: u32) -> u32 {
        self.out_dst[e as usize]
    }

    /// Source of an edge (a binary search over the offsets).
    pub fn source(&self, e: u32) -> u32 {
        let e = e as u64;
        (self.out_off.partition_point(|&o| o <= e) - 1) as u32
    }

    /// Forward edge ids leaving `v`, by time.
    #[inline]
    pub fn out_edges(&self, v: u32) -> std::ops::Range<u32> {
        self.out_off[v as usize] as u32..self.out_off[v as usize + 1] as u32
    }

    /// Forward edge ids leaving `v` at or after `t`.
    pub fn out_edges_from(&self, v: u32, t: u32) -> std::ops::Range<u32> {
        let r = self.out_edges(v);
        let times = &self.time[r.start as usize..r.end as usize];
        r.start + times.partition_point(|&x| x < t) as u32..r.end
    }

    /// Targets of the edges leaving `v` (for fast untimed traversal).
    #[inline]
    pub fn out_targets(&self, v: u32) -> &[u32] {
        let r = self.out_edges(v);
        &self.out_dst[r.start as usize..r.end as usize]
    }

    /// Edges entering `v`, by time: `(source, forward edge id)`.
    pub fn in_edges(&self, v: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let (a, b) = (self.in_off[v as usize] as usize, self.in_off[v as usize + 1] as usize);
        self.in_src[a..b].iter().copied().zip(self.in_edge[a..b].iter().copied())
    }

    /// Number of edges entering `v`.
    pub fn in_degree(&self, v: u32) -> usize {
        (self.in_off[v as usize + 1] - self.in_off[v as usize]) as usize
    }

    /// Number of edges leaving `v`.
    pub fn out_degree(&self, v: u32) -> usize {
        (self.out_off[v as usize + 1] - self.out_off[v as usize]) as usize
    }

    /// Every edge as an edge list (to extend a graph and build it again).
    pub fn to_edge_list(&self) -> EdgeList {
        let mut out = EdgeList::default();
        for v in 0..self.nodes {
            for e in self.out_edges(v) {
                out.push(v, self.target(e), self.amount(e), self.time(e), self.tx(e));
            }
        }
        out
    }

    /// Bytes of edge and node arrays held in memory (0 for a mapped graph's arrays).
    pub fn heap_bytes(&self) -> usize {
        self.out_off.heap_bytes()
            + self.out_dst.heap_bytes()
            + self.amt_lo.heap_bytes()
            + self.amt_hi.heap_bytes()
            + self.time.heap_bytes()
            + self.tx.heap_bytes()
            + self.in_off.heap_bytes()
            + self.in_src.heap_bytes()
            + self.in_edge.heap_bytes()
            + self.big.capacity() * std::mem::size_of::<(u32, Amount)>()
    }
}

/// CSR offsets from a sorted column of node ids.
fn offsets(nodes: u32, sorted: &[u32]) -> Vec<u64> {
    let mut off = vec![0u64; nodes as usize + 1];
    for &v in sorted {
        off[v as usize + 1] += 1;
    }
    for i in 0..nodes as usize {
        off[i + 1] += off[i];
    }
    off
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
        let out: Vec<(u32, u32, Amount)> = g.out_edges(0).map(|e| (g.target(e), g.time(e), g.amount(e))).collect();
        assert_eq!(out, vec![(1, 20, 7), (2, 50, u128::MAX), (1, 100, 10)]);
        assert_eq!(g.amount(g.out_edges(1).start), 1 << 70);
        let into2: Vec<(u32, u32)> = g.in_edges(2).map(|(s, e)| (s, g.time(e))).collect();
        assert_eq!(into2, vec![(0, 50), (1, 200)]);
        assert_eq!(g.out_edges_from(0, 50).len(), 2);
        assert_eq!(g.out_edges_from(0, 101).len(), 0);
        for v in 0..3 {
            for e in g.out_edges(v) {
                assert_eq!(g.source(e), v);
            }
        }
        let back = Graph::build(3, &g.to_edge_list()).unwrap();
        assert_eq!(back.to_edge_list().amount, g.to_edge_list().amount);
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
        let per_edge = (g.heap_bytes() - 2 * 101 * 8) as f64 / 10_000.0;
        assert!(per_edge <= 32.0, "{per_edge} bytes per edge");
    }
}
