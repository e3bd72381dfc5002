//! Following funds through the graph, respecting time: a transfer made before tainted funds
//! reached its sender carries no taint.
//!
//! Two steps:
//! 1. [`reach`]: which nodes tainted funds can reach (forward) or come from (backward) within
//!    a number of hops, with the fewest hops to each. This is the **poison** model's node
//!    set, and the region the amounts are computed on.
//! 2. [`simulate`]: replays every transfer touching that region in time order and carries
//!    taint by up to three models at once, per label (a hack, a category): **poison** (any
//!    taint taints the whole transfer), **haircut** (a transfer takes the sender's tainted
//!    share of its balance) and **FIFO** (a transfer spends the sender's oldest funds first).
//!
//! Both are single passes over the edges, because edge ids are in time order (see
//! [`Graph`]): no queue, no sort, and the only random reads are of per-node state.
//!
//! Order within a time: transfers of one time (a block) are ordered by transaction, as the
//! chain executed them when transaction ids follow block order (as imports assign them): a
//! later transaction can pass on what an earlier one brought, not the reverse. Transfers of
//! one transaction (a contract's internal hops) chain in any order.
//!
//! Services (exchanges) can be stop nodes: reached and credited, never followed further, as
//! Chainalysis does, because their pooled funds are not the depositor's.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

/// A node reached by a traversal (12 bytes: millions are listed when a trace reaches far).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reached {
    /// The node.
    pub node: u32,
    /// The edge it was first reached by (`u32::MAX` for start nodes): from its parent
    /// (forward) or to it (backward). Following these gives a time-respecting path back to a
    /// start node ([`Reach::path`]); its time is the node's ([`Reach::time`]).
    pub via: u32,
    /// Fewest hops from a start node (0 for start nodes).
    pub hop: u16,
    /// Not followed further (a service).
    pub stopped: bool,
}

impl Reached {
    /// The node it was first reached from (`None` for start nodes).
    pub fn parent(&self, g: &Graph, direction: Direction) -> Option<u32> {
        match (self.via, direction) {
            (u32::MAX, _) => None,
            (e, Direction::Forward) => Some(g.source(e)),
            (e, Direction::Backward) => Some(g.target(e)),
        }
    }
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
    /// The start nodes' time: `since` forward, the end of time backward.
    start_time: u32,
}

impl Reach {
    /// The path from a start node to `node` (forward) or from `node` to a start node
    /// (backward), as edge ids in the order funds moved.
    pub fn path(&self, g: &Graph, node: u32, direction: Direction) -> Vec<u32> {
        let mut edges = Vec::new();
        let mut at = node;
        while let Some(r) = self.get(at) {
            let Some(parent) = r.parent(g, direction) else {
                break;
            };
            if edges.len() > self.nodes.len() {
                break;
            }
            edges.push(r.via);
            at = parent;
        }
        if direction == Direction::Forward {
            edges.reverse();
        }
        edges
    }

    /// Forward: the earliest time funds from a start node arrived at `n`. Backward: the
    /// latest time `n` could have sent funds that reached a start node. (The time of the
    /// edge it was first reached by.)
    pub fn time(&self, g: &Graph, n: &Reached) -> u32 {
        if n.via == u32::MAX {
            self.start_time
        } else {
            g.time(n.via)
        }
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

/// Most hops a traversal counts.
pub const MAX_HOPS: u32 = u16::MAX as u32;

/// A node's hop byte: not reached yet.
const UNREACHED: u8 = u8::MAX;

/// A node's hop byte: reached and a stop node, never followed (hops kept aside).
const STOPPED: u8 = u8::MAX - 1;

/// A node's hop byte: reached by no fewer than `FAR` hops (the count kept aside). One byte
/// per node keeps the array a traversal reads at random small enough for the cache; paths
/// this long are rare.
const FAR: u8 = u8::MAX - 2;

/// Time-respecting reach from `starts`, at most `max_hops` edges deep (at most
/// [`MAX_HOPS`]).
///
/// Forward, a node's funds can move on only by later transfers than the one that brought
/// them (time, then transaction order; see the module notes); backward, a node can only have
/// contributed by earlier transfers than the one its recipient passed them on by.
///
/// Edge ids are in time order, so this is one pass over the edges from `since` on (forward)
/// or from the starts' last receipt back (backward), with one byte of state per node (the
/// fewest hops so far; counts of 253 or more are kept aside): an edge passes funds on if its
/// sender (receiver, backward) was reached by then, which the pass order guarantees, within
/// the hop limit. Hops are the fewest over all such paths; a node's time is when it was first
/// reached (forward: the earliest arrival; backward: the latest time it could have sent funds
/// on), by its `via` edge, so `via` edges give a time-respecting path. The transfers of a
/// transaction of several are passed again while any of them improves a node.
pub fn reach(g: &Graph, starts: &[u32], since: u32, direction: Direction, max_hops: u32, stop: &dyn Fn(u32) -> bool) -> Reach {
    let n = g.nodes() as usize;
    let forward = direction == Direction::Forward;
    let lim = max_hops.min(MAX_HOPS) as u16;
    // On 2 MiB pages where the OS allows: the pass reads this at random, and with 4 KiB pages
    // most reads of a large graph's array also miss the TLB.
    let mut hop: Vec<u8> = Vec::with_capacity(n);
    huge_pages(hop.spare_capacity_mut());
    hop.resize(n, UNREACHED);
    let mut r = Reach {
        index: vec![0; n],
        start_time: if forward { since } else { u32::MAX },
        ..Reach::default()
    };
    for &s in starts {
        if (s as usize) < n && hop[s as usize] == UNREACHED {
            hop[s as usize] = 0;
            r.index[s as usize] = r.nodes.len() as u32 + 1;
            r.nodes.push(Reached {
                node: s,
                hop: 0,
                stopped: false,
                via: u32::MAX,
            });
        }
    }
    // The edges that can matter: forward, those at or after `since`; backward, those up to the
    // starts' last receipt (and the rest of its time).
    let range = if forward {
        g.first_edge_at(since)..g.edges() as u32
    } else {
        let last = r
            .nodes
            .iter()
            .filter_map(|s| {
                let (a, b) = (g.in_off[s.node as usize] as usize, g.in_off[s.node as usize + 1] as usize);
                g.in_edge[a..b].last().copied()
            })
            .max();
        match last {
            Some(e) => 0..g.same_time(e).end,
            None => 0..0,
        }
    };
    if lim > 0 && !range.is_empty() {
        let base = r.nodes.len();
        // Room for every node, reserved but not touched: no copying as the list grows.
        r.nodes.reserve(n - base);
        let progress = AtomicUsize::new(0);
        let done = AtomicBool::new(false);
        let mut pass = Pass {
            g,
            hop: &mut hop,
            lim,
            fast: lim.min(FAR as u16 - 1) as u8,
            stop,
            nodes: std::mem::take(&mut r.nodes),
            stopped_hops: HashMap::new(),
            far: HashMap::new(),
            progress: &progress,
        };
        // The node list's memory is faulted in by another core, a little ahead of the pass
        // (first touches of fresh pages were a tenth of a far-reaching pass). The list never
        // grows past what was reserved, so its memory stays where it is.
        let spare = pass.nodes.spare_capacity_mut();
        let region = (spare.as_ptr() as usize, std::mem::size_of_val(spare));
        std::thread::scope(|scope| {
            // Not worth a thread for a small graph: its list fits a few megabytes.
            if region.1 >= 4 * POPULATE_AHEAD {
                scope.spawn(|| populate_ahead(region, std::mem::size_of::<Reached>(), &progress, &done));
            }
            if forward {
                pass.run::<true>(range.clone());
            } else {
                pass.run::<false>(range.clone());
            }
            done.store(true, Ordering::Release);
        });
        let (stopped_hops, far) = (pass.stopped_hops, pass.far);
        r.nodes = pass.nodes;
        // Hops improved after a node was first reached, and the index, on all cores: for
        // millions of nodes these random reads and writes are a good part of the work.
        let hop = &hop;
        r.nodes[base..].par_iter_mut().for_each(|x| {
            x.hop = match hop[x.node as usize] {
                STOPPED => stopped_hops[&x.node],
                FAR => far[&x.node],
                h => h as u16,
            };
        });
        // Each core writes the index entries of one range of nodes.
        let chunk = n.div_ceil(rayon::current_num_threads()).max(1 << 16);
        let nodes = &r.nodes[base..];
        r.index.par_chunks_mut(chunk).enumerate().for_each(|(c, slots)| {
            let lo = (c * chunk) as u32;
            for (i, x) in nodes.iter().enumerate() {
                if x.node.wrapping_sub(lo) < slots.len() as u32 {
                    slots[(x.node - lo) as usize] = (base + i) as u32 + 1;
                }
            }
        });
    }
    r.edges_scanned = range.len() as u64;
    r
}

/// One traversal pass over a range of edges.
struct Pass<'a> {
    g: &'a Graph,
    /// Per node: the fewest hops so far, [`UNREACHED`], [`STOPPED`] or [`FAR`].
    hop: &'a mut [u8],
    lim: u16,
    /// Tails with fewer hops than this pass funds on without looking aside: `lim`, capped so
    /// that one more hop is still below [`FAR`].
    fast: u8,
    stop: &'a dyn Fn(u32) -> bool,
    /// Nodes in the order first reached (their hops are set when the pass is done).
    nodes: Vec<Reached>,
    /// The fewest hops of the stop nodes reached (their hop byte says only "stopped").
    stopped_hops: HashMap<u32, u16>,
    /// The fewest hops of nodes reached by [`FAR`] hops or more.
    far: HashMap<u32, u16>,
    /// Nodes listed so far (published now and then for [`populate_ahead`]).
    progress: &'a AtomicUsize,
}

impl Pass<'_> {
    /// Passes over `range` in time order (forward) or against it. An edge alone in its
    /// transaction is handled at once; the edges of one transaction are passed over again
    /// while any of them improved a node, so hops within a transaction chain in any order.
    fn run<const FORWARD: bool>(&mut self, range: std::ops::Range<u32>) {
        let (a, b) = (range.start as usize, range.end as usize);
        let txs = &self.g.tx[..];
        let (tails, heads): (&[u32], &[u32]) = if FORWARD { (&self.g.src, &self.g.dst) } else { (&self.g.dst, &self.g.src) };
        if FORWARD {
            // The hop bytes of the edge a few places ahead are fetched while this one is
            // handled: they are the only random reads.
            let mut k = a;
            while k < b {
                if let (Some(&t), Some(&h)) = (tails.get(k + PREFETCH_EDGES), heads.get(k + PREFETCH_EDGES)) {
                    prefetch(self.hop, t as usize);
                    prefetch(self.hop, h as usize);
                }
                if k + 1 < b && txs[k + 1] == txs[k] {
                    let end = k + 1 + txs[k + 1..b].iter().take_while(|&&t| t == txs[k]).count();
                    self.transaction::<true>(k, end);
                    k = end;
                } else {
                    self.edge(tails[k], heads[k], k as u32);
                    k += 1;
                }
            }
        } else {
            let mut end = b;
            while end > a {
                let k = end - 1;
                if let Some(ahead) = k.checked_sub(PREFETCH_EDGES).filter(|&x| x >= a) {
                    prefetch(self.hop, tails[ahead] as usize);
                    prefetch(self.hop, heads[ahead] as usize);
                }
                if k > a && txs[k - 1] == txs[k] {
                    let start = k - txs[a..k].iter().rev().take_while(|&&t| t == txs[k]).count();
                    self.transaction::<false>(start, end);
                    end = start;
                } else {
                    self.edge(tails[k], heads[k], k as u32);
                    end = k;
                }
            }
        }
    }

    /// One edge: passes the tail's reach on to the head; true when a followed node improved.
    #[inline(always)]
    fn edge(&mut self, tail: u32, head: u32, e: u32) -> bool {
        let h = self.hop[tail as usize];
        if h < self.fast {
            let cur = self.hop[head as usize];
            if h + 1 >= cur {
                return false;
            }
            if cur < FAR {
                // Fewer hops to a node already reached and followed: the common improvement,
                // handled here.
                self.hop[head as usize] = h + 1;
                return true;
            }
            self.offer(head, h as u16 + 1, e)
        } else if self.lim >= FAR as u16 && (h == FAR - 1 || h == FAR) {
            // A long path: counted exactly aside.
            let exact = if h == FAR { self.far[&tail] } else { h as u16 };
            exact < self.lim && self.offer(head, exact + 1, e)
        } else {
            false
        }
    }

    /// The edges `a..b` of one transaction, passed over until nothing improves.
    fn transaction<const FORWARD: bool>(&mut self, a: usize, b: usize) {
        let (tails, heads): (&[u32], &[u32]) = if FORWARD { (&self.g.src, &self.g.dst) } else { (&self.g.dst, &self.g.src) };
        loop {
            let mut improved = false;
            for k in a..b {
                let k = if FORWARD { k } else { a + b - 1 - k };
                improved |= self.edge(tails[k], heads[k], k as u32);
            }
            if !improved {
                return;
            }
        }
    }

    /// Offers `node` a path of `hops` by edge `via`; true when it improved a
    /// followed node (whose transfers may now pass more on).
    #[inline(never)]
    fn offer(&mut self, node: u32, hops: u16, via: u32) -> bool {
        let cur = self.hop[node as usize];
        // The byte for `hops` and whether the count goes aside.
        let (byte, aside) = if hops >= FAR as u16 { (FAR, true) } else { (hops as u8, false) };
        match cur {
            UNREACHED => {
                let stopped = (self.stop)(node);
                self.nodes.push(Reached { node, via, hop: 0, stopped });
                if self.nodes.len().is_multiple_of(4096) {
                    self.progress.fetch_add(4096, Ordering::Relaxed);
                }
                if stopped {
                    self.hop[node as usize] = STOPPED;
                    self.stopped_hops.insert(node, hops);
                    return false;
                }
                self.hop[node as usize] = byte;
                if aside {
                    self.far.insert(node, hops);
                }
                true
            }
            STOPPED => {
                let h = self.stopped_hops.get_mut(&node).expect("stopped nodes have hops");
                *h = (*h).min(hops);
                false
            }
            FAR if aside => {
                let h = self.far.get_mut(&node).expect("far nodes have hops");
                let better = hops < *h;
                *h = (*h).min(hops);
                better
            }
            _ if hops < cur as u16 => {
                self.hop[node as usize] = byte;
                true
            }
            _ => false,
        }
    }
}

/// How many edges ahead a traversal fetches hop bytes.
const PREFETCH_EDGES: usize = 32;

/// How many edges ahead the replay fetches node state.
const PREFETCH_EVENTS: usize = 24;

/// Asks the OS to back `v` with 2 MiB pages where it can: random reads over hundreds of
/// megabytes of node state otherwise miss the TLB on almost every access. Only a hint.
#[allow(unsafe_code)]
fn huge_pages<T>(v: &[T]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 1 << 21;
        let (p, len) = (v.as_ptr() as usize, std::mem::size_of_val(v));
        let start = p.next_multiple_of(HUGE);
        let end = (p + len) / HUGE * HUGE;
        if start < end {
            // SAFETY: madvise only advises the kernel about a range of our own live
            // allocation (whole pages inside it); MADV_HUGEPAGE changes no contents.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// How far ahead of a growing list [`populate_ahead`] keeps its memory faulted in (bytes).
const POPULATE_AHEAD: usize = 8 << 20;

/// Keeps the pages of `region` (start address, bytes: spare capacity of a list another
/// thread is appending to, or an array it writes) faulted in a few megabytes ahead of
/// `progress` items of `size` bytes (or all of it, in order, when `progress` covers it),
/// until `done`. Only asks the kernel to populate page tables (`MADV_POPULATE_WRITE`:
/// contents are unchanged), so it never touches the memory itself; stops quietly where the
/// kernel lacks it.
#[allow(unsafe_code)]
fn populate_ahead(region: (usize, usize), size: usize, progress: &AtomicUsize, done: &AtomicBool) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let (start, len) = region;
        let end = start + len;
        let mut populated = start / PAGE * PAGE;
        while !done.load(Ordering::Acquire) && populated < end {
            let written = start + progress.load(Ordering::Relaxed) * size;
            // In steps of at most a few megabytes, so that `done` is seen soon.
            let want = (written + POPULATE_AHEAD)
                .min(populated + POPULATE_AHEAD)
                .min(end)
                .next_multiple_of(PAGE)
                .min(end.next_multiple_of(PAGE));
            if want > populated {
                // SAFETY: the range lies within (or on the pages of) the list's or array's
                // own allocation, which outlives this thread (a scoped thread, joined before
                // it is used otherwise) and is never reallocated meanwhile; populating page
                // tables changes no byte of it.
                let rc = unsafe { libc::madvise(populated as *mut libc::c_void, want - populated, libc::MADV_POPULATE_WRITE) };
                if rc != 0 {
                    return;
                }
                populated = want;
            } else {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (region, size, progress, done);
}

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

/// One transfer that carried taint (its ends, amount and time are the edge's, in the graph:
/// not copied, as a far trace lists tens of millions).
#[derive(Clone, Debug, PartialEq)]
pub struct TaintedEdge {
    /// Edge id.
    pub edge: u32,
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
    /// The one-label replay's rows, read when asked (gathering them for millions of nodes
    /// took as long as a tenth of the replay).
    rows: Option<Rows>,
    /// Transfers that carried taint, in time order.
    pub edges: Vec<TaintedEdge>,
    /// Transfers replayed.
    pub replayed: u64,
}

/// Rows of the one-label replay, by graph node.
#[derive(Clone, Debug, Default)]
struct Rows {
    flat: Vec<u64>,
    /// Where the first row starts in `flat` (rows are aligned to cache lines).
    base: usize,
    /// Graph node per reached node.
    nodes: Vec<u32>,
    /// FIFO taint received per reached node (when asked).
    fifo_in: Vec<Amount>,
}

impl Rows {
    fn row(&self, v: u32) -> &[u64] {
        let at = self.base + v as usize * ROW;
        &self.flat[at..at + ROW]
    }
}

/// An amount as a float; the common case (below 2⁶⁴) without the out-of-line 128-bit
/// conversion.
#[inline(always)]
fn as_f64(a: Amount) -> f64 {
    if a >> 64 == 0 {
        a as u64 as f64
    } else {
        a as f64
    }
}

/// An exact amount from two row words.
fn amount_of(row: &[u64], w: usize) -> Amount {
    row[w] as u128 | (row[w + 1] as u128) << 64
}

impl Simulation {
    /// The taint of the reached node with local index `i` (as in [`Reach::nodes`]).
    pub fn node(&self, i: usize) -> NodeTaint {
        if let Some(rows) = &self.rows {
            let row = rows.row(rows.nodes[i]);
            return NodeTaint {
                received: amount_of(row, RECEIVED),
                poison: vec![amount_of(row, POISON_IN)],
                fifo: vec![rows.fifo_in.get(i).copied().unwrap_or(0)],
                haircut: vec![f64::from_bits(row[HAIRCUT_IN])],
            };
        }
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
        match &self.rows {
            Some(rows) => rows.nodes.len(),
            None => self.haircut.len() / self.labels.max(1),
        }
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

/// Which models a replay computes, and whether it lists the transfers that carried taint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Models {
    /// Poison amounts.
    pub poison: bool,
    /// Haircut amounts.
    pub haircut: bool,
    /// FIFO amounts (per-node lots of funds: the costliest model).
    pub fifo: bool,
    /// The list of transfers that carried taint ([`Simulation::edges`]).
    pub edges: bool,
}

impl Models {
    /// Every model, and the transfers.
    pub const ALL: Models = Models {
        poison: true,
        haircut: true,
        fifo: true,
        edges: true,
    };
}

/// Replays, in time order, every transfer into or out of the reached nodes that are followed
/// (not stopped), carrying taint from `sources` (node, label) from time `since` on. Labels are
/// at most 64. Sources send only tainted funds (a hack address's outflows are the loot).
/// Balances a node had before the replayed window count as clean: a node that sends more
/// than it was seen to receive is topped up with clean funds first.
///
/// Amounts of the models not asked for in `models` are zero. With one label, the replay
/// keeps one 64-byte row per node (everything an edge touches at either end in one cache
/// line, fetched ahead); with more, per-label arrays.
pub fn simulate(g: &Graph, reach: &Reach, sources: &[(u32, u8)], labels: usize, since: u32, models: Models) -> Simulation {
    assert!((1..=64).contains(&labels), "1 to 64 labels");
    if labels == 1 {
        return replay_one(g, reach, sources, since, models);
    }
    replay_labels(g, reach, sources, labels, since, models)
}

/// A benchmark's baseline for [`simulate`]: one pass over the edges that reads and writes a
/// 64-byte row at each end of every edge (fetched ahead as the replay does) and does nothing
/// else. A replay of the whole graph cannot beat it; the ratio says what the models cost
/// beyond the memory traffic. Returns a checksum (so the work is not optimised away).
pub fn row_traffic_baseline(g: &Graph) -> u64 {
    let nodes = g.nodes() as usize;
    let (mut flat, base) = row_array(nodes);
    let rows = &mut flat[base..base + nodes * ROW];
    let (srcs, dsts) = (&g.src[..], &g.dst[..]);
    let mut sum = 0u64;
    for k in 0..srcs.len() {
        if let (Some(&sa), Some(&da)) = (srcs.get(k + PREFETCH_EVENTS), dsts.get(k + PREFETCH_EVENTS)) {
            prefetch(rows, sa as usize * ROW);
            prefetch(rows, da as usize * ROW);
        }
        let (a, b) = (srcs[k] as usize * ROW, dsts[k] as usize * ROW);
        rows[a] = rows[a].wrapping_sub(1);
        rows[a + 1] = rows[a + 1].wrapping_add(rows[a] >> 3);
        rows[b] = rows[b].wrapping_add(1);
        rows[b + 2] = rows[b + 2].wrapping_add(rows[a + 1]);
        sum = sum.wrapping_add(rows[b + 1]);
    }
    sum
}

/// The general replay: any number of labels, every model.
fn replay_labels(g: &Graph, reach: &Reach, sources: &[(u32, u8)], labels: usize, since: u32, models: Models) -> Simulation {
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
    // The transfers to replay: every edge into or out of a followed node. Edge ids are in
    // time order, so this is one pass over the edges, testing each one's ends against a
    // bitmap of the followed nodes (which stays in cache; most edges of a large graph are
    // skipped by it when the reach is small).
    let mut followed_bits = vec![0u64; (g.nodes() as usize).div_ceil(64)];
    for r in reach.nodes.iter().filter(|r| !r.stopped) {
        followed_bits[r.node as usize / 64] |= 1 << (r.node % 64);
    }
    let followed = |v: u32| followed_bits[v as usize / 64] & (1 << (v % 64)) != 0;
    let row = 1 + 2 * l;
    let mut out = Simulation {
        labels: l,
        amounts: vec![0; n * row],
        haircut: vec![0.0; n * l],
        ..Simulation::default()
    };
    let mut carried = vec![0.0f64; l];
    let mut fifo_carried: Vec<(Amount, u8)> = Vec::new();
    let local = |v: u32| reach.local(v).unwrap_or(u32::MAX);
    let (srcs, dsts) = (&g.src[..], &g.dst[..]);
    let m = g.edges();
    for k in 0..m {
        // The state of the nodes a few edges ahead is fetched while this one is replayed.
        if let (Some(&sa), Some(&da)) = (srcs.get(k + PREFETCH_EVENTS), dsts.get(k + PREFETCH_EVENTS)) {
            for x in [sa, da] {
                if followed(x) {
                    if let Some(i) = reach.local(x) {
                        prefetch(&states, i as usize);
                    }
                }
            }
        }
        let (src, dst) = (srcs[k], dsts[k]);
        if !followed(src) && !followed(dst) {
            continue;
        }
        let t = g.time(k as u32);
        let e = k as u32;
        let (si_ahead, di_ahead) = (local(src), local(dst));
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
                carried[s.source as usize] = as_f64(amount);
                any_haircut = true;
                fifo_carried.push((amount, s.source));
                poison = 1 << s.source;
            } else {
                // Haircut: the transfer takes the tainted share of the balance.
                let a = as_f64(amount);
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
            d.balance += as_f64(amount);
            d.poison |= poison;
            let mut clean = amount;
            for &(a, label) in &fifo_carried {
                clean -= a.min(clean);
                d.lots.push(a, label);
            }
            if clean > 0 {
                d.lots.push(clean, u8::MAX);
            }
            // The state of every model moves on; only the amounts asked for are reported.
            let amts = &mut out.amounts[di * row..(di + 1) * row];
            amts[0] += amount;
            if models.fifo {
                for &(a, label) in &fifo_carried {
                    amts[1 + l + label as usize] += a;
                }
            }
            if poison != 0 && models.poison {
                for (lab, p) in amts[1..1 + l].iter_mut().enumerate() {
                    if poison & (1 << lab) != 0 {
                        *p += amount;
                    }
                }
            }
            if any_haircut {
                for (lab, &c) in carried.iter().enumerate() {
                    tainted[di * l + lab] += c;
                    if models.haircut {
                        out.haircut[di * l + lab] += c;
                    }
                }
            }
        }
        let haircut: f64 = if any_haircut && models.haircut { carried.iter().sum() } else { 0.0 };
        let fifo: Amount = if models.fifo { fifo_carried.iter().map(|&(a, _)| a).sum() } else { 0 };
        let poison = if models.poison { poison } else { 0 };
        if models.edges && (poison != 0 || haircut > 0.0 || fifo > 0) {
            out.edges.push(TaintedEdge {
                edge: e,
                poison,
                haircut,
                fifo,
            });
        }
    }
    out
}

/// Words of a replay row (64 bytes: one cache line).
const ROW: usize = 8;

/// Row words: received (two words, exact), poison received (two), haircut balance, haircut
/// tainted balance, haircut received, flags.
const RECEIVED: usize = 0;
const POISON_IN: usize = 2;
const BALANCE: usize = 4;
const TAINTED: usize = 5;
const HAIRCUT_IN: usize = 6;
const FLAGS: usize = 7;

/// Row flags: a source (every transfer out is tainted from `since` on), poisoned; and, when
/// the reach covers nearly the whole graph, not reached and stopped (see [`replay_one`]).
const SOURCE: u64 = 1;
const POISONED: u64 = 2;
const ROW_UNREACHED: u64 = 4;
const ROW_STOPPED: u64 = 8;

/// Node marks: followed (reached and not stopped), reached.
const FOLLOWED: u64 = 1;
const REACHED: u64 = 2;

/// The one-label replay. Rows are indexed by graph node, not by reached node: an edge's
/// rows are found from its ends without a lookup (the rows of nodes never reached are never
/// touched, and the OS never backs them with memory).
///
/// Whether an edge's ends were reached is known from a 2-bit mark per node. When nearly all
/// nodes were reached (as from a large hack or a busy service), the marks are kept in the
/// rows instead (a flag on the few nodes not reached): the rows are fetched for nearly every
/// edge anyway, and the mark array's lines were a fifth of the pass's cache misses.
fn replay_one(g: &Graph, reach: &Reach, sources: &[(u32, u8)], since: u32, models: Models) -> Simulation {
    let nodes = g.nodes() as usize;
    // Two bits per node, side by side so one read answers both.
    let mut marks = vec![0u64; nodes.div_ceil(32)];
    for r in &reach.nodes {
        let (w, b) = (r.node as usize / 32, 2 * (r.node % 32));
        marks[w] |= (2 | !r.stopped as u64) << b;
    }
    let (mut flat, base) = row_array(nodes);
    let rows = &mut flat[base..base + nodes * ROW];
    for &(v, _) in sources {
        if reach.local(v).is_some() {
            rows[v as usize * ROW + FLAGS] |= SOURCE;
        }
    }
    let mut out = Simulation {
        labels: 1,
        ..Simulation::default()
    };
    let dense = dense(nodes, reach.len());
    if dense {
        for v in 0..nodes as u32 {
            if mark(&marks, v) & REACHED == 0 {
                rows[v as usize * ROW + FLAGS] |= ROW_UNREACHED;
            }
        }
        for r in reach.nodes.iter().filter(|r| r.stopped) {
            rows[r.node as usize * ROW + FLAGS] |= ROW_STOPPED;
        }
    }
    // First touches of fresh memory are costly (on this project's VM, a third of a replay
    // over 10 M nodes), so another core faults in what the pass will write: in a dense
    // replay all rows, in order (the pass touches them at random); then the list of tainted
    // transfers, a few megabytes ahead of it. The list gets room for one transfer per edge
    // up front (address space only; at most one is listed per edge, so it never moves), if
    // the system grants that much.
    let rows_region = (rows.as_ptr() as usize, if dense { std::mem::size_of_val(rows) } else { 0 });
    let list_region = if models.edges && out.edges.try_reserve_exact(g.edges()).is_ok() {
        let spare = out.edges.spare_capacity_mut();
        (spare.as_ptr() as usize, std::mem::size_of_val(spare))
    } else {
        (0, 0)
    };
    let (all, listed, done) = (AtomicUsize::new(rows_region.1), AtomicUsize::new(0), AtomicBool::new(false));
    let fifo_in = std::thread::scope(|scope| {
        if rows_region.1.max(list_region.1) >= 4 * POPULATE_AHEAD {
            scope.spawn(|| {
                populate_ahead(rows_region, 1, &all, &done);
                populate_ahead(list_region, std::mem::size_of::<TaintedEdge>(), &listed, &done);
            });
        }
        let fifo_in = if dense {
            replay_pass::<true>(g, reach, since, models, &marks, rows, &mut out, &listed)
        } else {
            replay_pass::<false>(g, reach, since, models, &marks, rows, &mut out, &listed)
        };
        done.store(true, Ordering::Release);
        fifo_in
    });
    // Give back the address space the list did not use.
    out.edges.shrink_to_fit();
    let nodes = reach.nodes.par_iter().map(|r| r.node).collect();
    out.rows = Some(Rows { flat, base, nodes, fifo_in });
    out
}

/// Room for one replay row per node: zeroed (lazily, by the OS), on 2 MiB pages where
/// allowed, and the word where the rows start so that each row is one cache line.
fn row_array(nodes: usize) -> (Vec<u64>, usize) {
    let flat = vec![0u64; (nodes + 1) * ROW];
    huge_pages(&flat);
    let base = (64 - flat.as_ptr() as usize % 64) % 64 / 8;
    (flat, base)
}

/// Whether a replay keeps the marks in the rows: when at most one node in sixteen was not
/// reached.
fn dense(nodes: usize, reached: usize) -> bool {
    (nodes - reached) * 16 <= nodes
}

/// The 2-bit mark of node `v`.
#[inline(always)]
fn mark(marks: &[u64], v: u32) -> u64 {
    (marks[v as usize / 32] >> (2 * (v % 32))) & 3
}

/// The mark of node `v` from the flags of its row (dense replays).
#[inline(always)]
fn row_mark(rows: &[u64], v: u32) -> u64 {
    let f = rows[v as usize * ROW + FLAGS];
    let reached = f & ROW_UNREACHED == 0;
    (reached as u64) << 1 | (reached && f & ROW_STOPPED == 0) as u64
}

/// How often the replay tells the thread faulting its list in how far it got (transfers).
const LISTED_STEP: usize = 1 << 14;

/// The pass of [`replay_one`] over the edges; returns the FIFO taint received per reached
/// node. `DENSE`: the marks are read from the rows. `listed` is kept near the length of the
/// list of tainted transfers.
#[allow(clippy::too_many_arguments)]
fn replay_pass<const DENSE: bool>(
    g: &Graph,
    reach: &Reach,
    since: u32,
    models: Models,
    marks: &[u64],
    rows: &mut [u64],
    out: &mut Simulation,
    listed: &AtomicUsize,
) -> Vec<Amount> {
    // FIFO lots (only when asked: lots are the costliest state), by reached node; in a dense
    // replay by graph node, which spares a random read of the reach's index per end (the
    // arrays are about as long either way).
    let slots = if DENSE { g.nodes() as usize } else { reach.len() };
    let slot = |v: u32| if DENSE { v as usize } else { reach.local(v).expect("reached") as usize };
    let mut lots: Vec<Lots> = if models.fifo { vec![Lots::default(); slots] } else { Vec::new() };
    let mut fifo_in: Vec<Amount> = if models.fifo { vec![0; slots] } else { Vec::new() };
    let mut fifo_carried: Vec<(Amount, u8)> = Vec::new();
    let (srcs, dsts) = (&g.src[..], &g.dst[..]);
    let get = |row: &[u64], w: usize| f64::from_bits(row[w]);
    for k in 0..g.edges() {
        // The rows of the edge a few places ahead are fetched while this one is replayed, and
        // (unless dense) the marks of one further ahead, which say whether its rows are wanted.
        if DENSE {
            if let (Some(&sa), Some(&da)) = (srcs.get(k + PREFETCH_EVENTS), dsts.get(k + PREFETCH_EVENTS)) {
                prefetch(rows, sa as usize * ROW);
                prefetch(rows, da as usize * ROW);
                if models.fifo {
                    prefetch(&lots, sa as usize);
                    prefetch(&lots, da as usize);
                }
            }
        } else {
            if let (Some(&sa), Some(&da)) = (srcs.get(k + 2 * PREFETCH_EVENTS), dsts.get(k + 2 * PREFETCH_EVENTS)) {
                prefetch(marks, sa as usize / 32);
                prefetch(marks, da as usize / 32);
            }
            if let (Some(&sa), Some(&da)) = (srcs.get(k + PREFETCH_EVENTS), dsts.get(k + PREFETCH_EVENTS)) {
                if (mark(marks, sa) | mark(marks, da)) & FOLLOWED != 0 {
                    prefetch(rows, sa as usize * ROW);
                    prefetch(rows, da as usize * ROW);
                }
            }
        }
        let (src, dst) = (srcs[k], dsts[k]);
        let (ms, md) = if DENSE {
            (row_mark(rows, src), row_mark(rows, dst))
        } else {
            (mark(marks, src), mark(marks, dst))
        };
        if (ms | md) & FOLLOWED == 0 {
            continue;
        }
        out.replayed += 1;
        let e = k as u32;
        let amount = g.amount(e);
        let a = as_f64(amount);
        let mut carried = 0.0f64;
        let mut any_haircut = false;
        let mut poison = false;
        fifo_carried.clear();
        if ms & REACHED != 0 {
            let row = &mut rows[src as usize * ROW..src as usize * ROW + ROW];
            if row[FLAGS] & SOURCE != 0 && g.time(e) >= since {
                carried = a;
                any_haircut = true;
                poison = true;
                if models.fifo {
                    fifo_carried.push((amount, 0));
                }
            } else {
                if models.haircut {
                    // The transfer takes the tainted share of the balance.
                    let mut balance = get(row, BALANCE);
                    if balance < a {
                        balance = a; // topped up with clean funds of unknown origin
                    }
                    let tainted = get(row, TAINTED);
                    if tainted > 0.0 {
                        carried = a * (tainted / balance);
                        row[TAINTED] = (tainted - carried).to_bits();
                        any_haircut = true;
                    }
                    row[BALANCE] = (balance - a).to_bits();
                }
                if models.fifo {
                    lots[slot(src)].spend(amount, &mut fifo_carried);
                }
                poison = row[FLAGS] & POISONED != 0;
            }
        }
        if md & REACHED != 0 {
            let row = &mut rows[dst as usize * ROW..dst as usize * ROW + ROW];
            let received = amount_of(row, RECEIVED) + amount;
            row[RECEIVED] = received as u64;
            row[RECEIVED + 1] = (received >> 64) as u64;
            if models.haircut {
                row[BALANCE] = (get(row, BALANCE) + a).to_bits();
                if any_haircut {
                    row[TAINTED] = (get(row, TAINTED) + carried).to_bits();
                    row[HAIRCUT_IN] = (get(row, HAIRCUT_IN) + carried).to_bits();
                }
            }
            if poison {
                row[FLAGS] |= POISONED;
                if models.poison {
                    let p = amount_of(row, POISON_IN) + amount;
                    row[POISON_IN] = p as u64;
                    row[POISON_IN + 1] = (p >> 64) as u64;
                }
            }
            if models.fifo {
                let i = slot(dst);
                let mut clean = amount;
                for &(f, _) in &fifo_carried {
                    clean -= f.min(clean);
                    lots[i].push(f, 0);
                    fifo_in[i] += f;
                }
                if clean > 0 {
                    lots[i].push(clean, u8::MAX);
                }
            }
        }
        let haircut = if any_haircut && models.haircut { carried } else { 0.0 };
        let fifo: Amount = fifo_carried.iter().map(|&(f, _)| f).sum();
        if models.edges && ((poison && models.poison) || haircut > 0.0 || fifo > 0) {
            out.edges.push(TaintedEdge {
                edge: e,
                poison: (poison && models.poison) as u64,
                haircut,
                fifo,
            });
            if out.edges.len().is_multiple_of(LISTED_STEP) {
                listed.store(out.edges.len(), Ordering::Relaxed);
            }
        }
    }
    if DENSE && models.fifo {
        // Back to the order of the reached nodes.
        return reach.nodes.par_iter().map(|r| fifo_in[r.node as usize]).collect();
    }
    fifo_in
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
    fn transfers_at_one_time_chain_whatever_their_order() {
        // One block (time 7, one transaction): 2 → 3 is listed before 1 → 2, yet 1's funds
        // reach 3; 3 → 4 an instant earlier does not carry them.
        let mut e = EdgeList::default();
        e.push(3, 4, 5, 6, 0);
        e.push(2, 3, 5, 7, 1);
        e.push(1, 2, 5, 7, 1);
        let g = Graph::build(5, &e).unwrap();
        let r = reach(&g, &[1], 0, Direction::Forward, 10, &|_| false);
        assert_eq!((r.get(3).map(|x| x.hop), r.get(4)), (Some(2), None));
        let b = reach(&g, &[3], 0, Direction::Backward, 10, &|_| false);
        assert_eq!(b.get(1).map(|x| x.hop), Some(2));
        assert!(b.get(4).is_none());
    }

    #[test]
    fn hop_limits_apply_per_path_in_time() {
        // 0 → 1 → 2 → 3 early; 3 → 4 next; 0 → 3 directly later; 3 → 5 last.
        let mut e = EdgeList::default();
        for (i, (a, b)) in [(0, 1), (1, 2), (2, 3), (3, 4), (0, 3), (3, 5)].into_iter().enumerate() {
            e.push(a, b, 1, i as u32 + 1, i as u32);
        }
        let g = Graph::build(6, &e).unwrap();
        // Within 2 hops 3 is reached only by the late direct transfer, after it paid 4.
        let r = reach(&g, &[0], 0, Direction::Forward, 2, &|_| false);
        let hops = |r: &Reach| (0..6).map(|v| r.get(v).map(|x| x.hop)).collect::<Vec<_>>();
        assert_eq!(hops(&r), vec![Some(0), Some(1), Some(2), Some(1), None, Some(2)]);
        // Within 4, the long early path reaches 4; 3's fewest hops stay 1, its time the early one.
        let r = reach(&g, &[0], 0, Direction::Forward, 4, &|_| false);
        assert_eq!(hops(&r), vec![Some(0), Some(1), Some(2), Some(1), Some(4), Some(2)]);
        assert_eq!(r.time(&g, r.get(3).unwrap()), 3);
        assert_eq!(r.path(&g, 4, Direction::Forward).len(), 4);
    }

    /// The one-label replay must give what the general one gives, for every model.
    #[test]
    fn one_label_replay_matches_the_general_replay() {
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut modes = [0; 2];
        for round in 0..20 {
            let nodes = 50 + next(150) as u32;
            let mut e = EdgeList::default();
            for i in 0..(nodes * 15) {
                // Skewed ends, times with ties, transactions of one to three transfers.
                let s = (next(nodes as u64) * next(nodes as u64) / nodes as u64) as u32;
                let d = next(nodes as u64) as u32;
                e.push(s, d, 1 + next(1_000_000) as u128 * (1 << next(70)), next(500) as u32, i / (1 + next(3) as u32));
            }
            let g = Graph::build(nodes, &e).unwrap();
            // Every third round with one stop and no hop limit from time 0: the reach covers
            // (nearly) all nodes and the replay keeps its marks in the rows.
            let far = round % 3 == 0;
            let stop = |v: u32| if far { v == 5 } else { v % 17 == 3 };
            let since = if far { 0 } else { next(400) as u32 };
            let hops = if far { u32::MAX } else { 1 + round % 4 };
            let r = reach(&g, &[0, 1], since, Direction::Forward, hops, &stop);
            modes[dense(nodes as usize, r.len()) as usize] += 1;
            let want = replay_labels(&g, &r, &[(0, 0), (1, 0)], 1, since, Models::ALL);
            let got = simulate(&g, &r, &[(0, 0), (1, 0)], 1, since, Models::ALL);
            assert!(!want.edges.is_empty(), "round {round}: nothing tainted");
            assert_eq!(got.replayed, want.replayed, "round {round}");
            assert_eq!(got.edges, want.edges, "round {round}");
            for i in 0..r.len() {
                assert_eq!(got.node(i), want.node(i), "round {round}, node {}", r.nodes[i].node);
            }
            // One model at a time, listed or not: both replays report the same, and nothing
            // of the models not asked for.
            for (poison, haircut, fifo) in [(true, false, false), (false, true, false), (false, false, true)] {
                let models = Models {
                    poison,
                    haircut,
                    fifo,
                    edges: true,
                };
                let want = replay_labels(&g, &r, &[(0, 0), (1, 0)], 1, since, models);
                let got = simulate(&g, &r, &[(0, 0), (1, 0)], 1, since, models);
                assert_eq!(got.edges, want.edges, "round {round}, {models:?}");
                for i in 0..r.len() {
                    assert_eq!(got.node(i), want.node(i), "round {round}, {models:?}");
                }
            }
            // One model alone gives that model's amounts.
            let haircut = simulate(
                &g,
                &r,
                &[(0, 0), (1, 0)],
                1,
                since,
                Models {
                    poison: false,
                    haircut: true,
                    fifo: false,
                    edges: false,
                },
            );
            for i in 0..r.len() {
                assert_eq!(haircut.node(i).haircut, want.node(i).haircut);
                assert_eq!(haircut.node(i).fifo, vec![0]);
            }
        }
        assert!(modes[0] > 0 && modes[1] > 0, "both ways of marking nodes tested: {modes:?}");
    }

    /// Large enough that another thread faults the node list in ahead of the pass.
    #[test]
    fn a_far_reach_over_millions_of_nodes() {
        let n = 3_000_000u32;
        let mut e = EdgeList::default();
        // A binary tree: v pays 2v + 1 and 2v + 2 at time depth(v).
        for v in 0..n / 2 {
            let depth = 32 - (v + 1).leading_zeros();
            for c in [2 * v + 1, 2 * v + 2] {
                if c < n {
                    e.push(v, c, 1, depth, v);
                }
            }
        }
        let g = Graph::build(n, &e).unwrap();
        assert!((n as usize) * std::mem::size_of::<Reached>() >= 4 * POPULATE_AHEAD);
        let r = reach(&g, &[0], 0, Direction::Forward, u32::MAX, &|_| false);
        assert_eq!(r.len(), n as usize);
        for v in [1, 2, 1000, 2_999_999] {
            let x = r.get(v).unwrap();
            assert_eq!(x.hop as u32, 32 - (v + 1).leading_zeros() - 1);
            assert_eq!(x.parent(&g, Direction::Forward), Some((v - 1) / 2));
        }
        // Large enough that another thread faults the replay's rows and list in while it
        // runs: the same answers as the general replay.
        let models = Models { fifo: false, ..Models::ALL };
        let got = simulate(&g, &r, &[(0, 0)], 1, 0, models);
        assert!(got.edges.len() * std::mem::size_of::<TaintedEdge>() >= 4 * POPULATE_AHEAD);
        let want = replay_labels(&g, &r, &[(0, 0)], 1, 0, models);
        assert_eq!(got.edges.len(), want.edges.len());
        if let Some(i) = (0..got.edges.len()).find(|&i| got.edges[i] != want.edges[i]) {
            panic!("first difference at {i}: {:?} != {:?}", got.edges[i], want.edges[i]);
        }
        for i in (0..r.len()).step_by(9973) {
            assert_eq!(got.node(i), want.node(i));
        }
    }

    #[test]
    fn long_paths_count_every_hop() {
        // A chain of 300 hops, and a shortcut at the end from hop 10 to the last node.
        let mut e = EdgeList::default();
        for i in 0..300u32 {
            e.push(i, i + 1, 1, i, i);
        }
        let g = Graph::build(302, &e).unwrap();
        let r = reach(&g, &[0], 0, Direction::Forward, u32::MAX, &|_| false);
        assert_eq!(r.get(300).map(|x| x.hop), Some(300));
        assert_eq!(r.get(253).map(|x| x.hop), Some(253));
        let r = reach(&g, &[0], 0, Direction::Forward, 260, &|_| false);
        assert_eq!((r.get(260).map(|x| x.hop), r.get(261)), (Some(260), None));
        let b = reach(&g, &[300], 0, Direction::Backward, u32::MAX, &|_| false);
        assert_eq!(b.get(0).map(|x| x.hop), Some(300));
        let mut e2 = e.clone();
        e2.push(10, 300, 1, 400, 400);
        e2.push(300, 301, 1, 401, 401);
        let g = Graph::build(302, &e2).unwrap();
        let r = reach(&g, &[0], 0, Direction::Forward, u32::MAX, &|_| false);
        assert_eq!((r.get(300).map(|x| x.hop), r.get(301).map(|x| x.hop)), (Some(11), Some(12)));
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
        let s = simulate(&g, &r, &[(0, 0)], 1, 0, Models::ALL);
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
