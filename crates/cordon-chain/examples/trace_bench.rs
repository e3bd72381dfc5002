//! Graph and taint throughput on a synthetic background graph (heavy-tailed degrees).
//!
//!   trace_bench [EDGES] [NODES]      # default 10,000,000 edges over EDGES/10 nodes
//!
//! Reports: build time, bytes per edge in memory and on disk, time to open by mmap, poison
//! traversal (time-respecting reach without hop limit) in edges scanned per second, and the
//! haircut/FIFO/poison replay in transfers per second; baseline in the same process: one
//! sequential pass over the target column (memory bandwidth bound), as a ratio.

use std::time::Instant;

use cordon_graph::taint::{reach, simulate, Direction};
use cordon_graph::Graph;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let edges: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000_000);
    let nodes: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or((edges / 10).max(1000) as u32);
    let threads = rayon::current_num_threads();
    println!("synthetic graph: {edges} edges over {nodes} nodes; {threads} threads");
    let t = Instant::now();
    let list = cordon_chain::synth::background_edges(nodes, edges, 42);
    println!("generate: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let g = Graph::build(nodes, &list).unwrap();
    let build = t.elapsed().as_secs_f64();
    drop(list);
    let bytes = g.heap_bytes() as f64;
    println!(
        "build: {build:.2} s ({:.1} M edges/s); memory {:.1} bytes/edge ({:.1} with node offsets)",
        edges as f64 / build / 1e6,
        (bytes - 16.0 * (nodes as f64 + 1.0)) / edges as f64,
        bytes / edges as f64
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.cgr");
    let t = Instant::now();
    g.save(&path).unwrap();
    let save = t.elapsed().as_secs_f64();
    drop(g);
    let t = Instant::now();
    let g = Graph::open(&path).unwrap();
    println!(
        "save {save:.2} s, open (mmap) {:.4} s, file {:.1} bytes/edge",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&path).unwrap().len() as f64 / edges as f64
    );
    // Baseline: a sequential pass over every target (pages the file in, as traversals must).
    let t = Instant::now();
    let mut sum = 0u64;
    for v in 0..g.nodes() {
        for &d in g.out_targets(v) {
            sum = sum.wrapping_add(d as u64);
        }
    }
    let scan = t.elapsed().as_secs_f64();
    println!("baseline sequential scan: {:.0} M edges/s (checksum {sum})", edges as f64 / scan / 1e6);
    // Poison traversal from the busiest sender at time 0, no hop limit: reaches most of the graph.
    let start = (0..g.nodes()).max_by_key(|&v| g.out_degree(v)).unwrap();
    let t = Instant::now();
    let r = reach(&g, &[start], 0, Direction::Forward, u32::MAX, &|_| false);
    let poison = t.elapsed().as_secs_f64();
    println!(
        "poison reach: {} nodes, {} edges scanned in {poison:.2} s: {:.1} M edges/s on one core ({:.2}x the sequential scan)",
        r.len(),
        r.edges_scanned,
        r.edges_scanned as f64 / poison / 1e6,
        (r.edges_scanned as f64 / poison) / (edges as f64 / scan)
    );
    if std::env::var_os("CORDON_BENCH_POISON_ONLY").is_some() {
        return;
    }
    let t = Instant::now();
    let s = simulate(&g, &r, &[(start, 0)], 1, 0);
    let sim = t.elapsed().as_secs_f64();
    println!(
        "haircut + FIFO + poison replay: {} transfers in {sim:.2} s: {:.1} M transfers/s ({} threads for the sort, one for the replay); {} carried taint",
        s.replayed,
        s.replayed as f64 / sim / 1e6,
        threads,
        s.edges.len()
    );
    // Bounded traces, as an investigator runs them: 10 hops from 10 random senders.
    let mut rng = cordon_chain::synth::Rng::new(9);
    let t = Instant::now();
    let mut scanned = 0u64;
    for _ in 0..10 {
        let v = rng.below(g.nodes() as u64) as u32;
        scanned += reach(&g, &[v], 0, Direction::Forward, 10, &|_| false).edges_scanned;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "10 forward traces of 10 hops from random senders: {:.3} s each, {:.1} M edges/s",
        secs / 10.0,
        scanned as f64 / secs / 1e6
    );
}
