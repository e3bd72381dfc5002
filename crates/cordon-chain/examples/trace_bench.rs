//! Graph and taint throughput on a synthetic background graph (heavy-tailed degrees).
//!
//!   trace_bench [EDGES] [NODES]      # default 10,000,000 edges over EDGES/10 nodes
//!
//! Reports: build time, bytes per edge in memory and on disk, time to open by mmap, poison
//! traversal (time-respecting reach without hop limit, median of five) in edges scanned per
//! second, and the replay by model in transfers per second (the first replay in the process,
//! on fresh memory, apart); baselines in the same process, as ratios: one sequential pass over
//! the columns a traversal reads (memory bandwidth bound), and for the replays a pass that only
//! reads and writes a row at both ends of every edge (`taint::row_traffic_baseline`).
//! CORDON_BENCH_POISON_ONLY=1 stops after the traversal; CORDON_BENCH_QUICK=1 skips the FIFO
//! replay and the bounded traces.

use std::time::Instant;

use cordon_graph::taint::{reach, simulate, Direction, Models};
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
    // Baseline: a sequential pass over the columns a traversal reads (sources, targets, low
    // time bits), which also pages them in from the file as any first traversal must. Timed
    // on the second pass (the first is mostly page faults).
    let mut scan = f64::MAX;
    let mut sum = 0u64;
    for _ in 0..2 {
        let t = Instant::now();
        for ((&s, &d), &lo) in g.sources().iter().zip(g.targets()).zip(g.times_low()) {
            sum = sum.wrapping_add(s as u64 ^ d as u64 ^ lo as u64);
        }
        scan = t.elapsed().as_secs_f64();
    }
    println!(
        "baseline sequential scan of sources, targets and times: {:.0} M edges/s (checksum {sum})",
        edges as f64 / scan / 1e6
    );
    // Poison traversal from the busiest sender at time 0, no hop limit: reaches most of the graph.
    // Five runs; the median is reported (the VM's timings are noisy).
    let start = (0..g.nodes()).max_by_key(|&v| g.out_degree(v)).unwrap();
    let mut runs = Vec::new();
    let mut r = Default::default();
    for _ in 0..5 {
        let t = Instant::now();
        r = reach(&g, &[start], 0, Direction::Forward, u32::MAX, &|_| false);
        runs.push(t.elapsed().as_secs_f64());
    }
    let r: cordon_graph::taint::Reach = r;
    runs.sort_by(f64::total_cmp);
    let poison = runs[2];
    println!(
        "poison reach: {} nodes, {} edges scanned in {poison:.3} s (median of 5; {:.3}-{:.3}): {:.1} M edges/s on one core ({:.2}x the sequential scan)",
        r.len(),
        r.edges_scanned,
        runs[0],
        runs[4],
        r.edges_scanned as f64 / poison / 1e6,
        (r.edges_scanned as f64 / poison) / (edges as f64 / scan)
    );
    // Backward (sources of funds) from the node with the most receipts, no hop limit.
    let sink = (0..g.nodes()).max_by_key(|&v| g.in_degree(v)).unwrap();
    let t = Instant::now();
    let b = reach(&g, &[sink], 0, Direction::Backward, u32::MAX, &|_| false);
    let back = t.elapsed().as_secs_f64();
    println!(
        "backward reach: {} nodes, {} edges scanned in {back:.3} s: {:.1} M edges/s on one core",
        b.len(),
        b.edges_scanned,
        b.edges_scanned as f64 / back / 1e6
    );
    drop(b);
    if std::env::var_os("CORDON_BENCH_POISON_ONLY").is_some() {
        return;
    }
    // CORDON_BENCH_QUICK=1: no FIFO replay (the slow one), no bounded traces.
    let quick = std::env::var_os("CORDON_BENCH_QUICK").is_some();
    // The replay reads the amount columns too: paged in first, untimed, as for the others.
    let mut total = 0u128;
    for e in 0..g.edges() as u32 {
        total = total.wrapping_add(g.amount(e));
    }
    println!("amounts paged in (total {total})");
    let only = |poison, haircut, fifo, edges| Models { poison, haircut, fifo, edges };
    // The first replay in a process writes fresh memory; on a VM, first touches cost extra
    // (the host backs the pages then). Reported apart; the replays after it reuse memory.
    let t = Instant::now();
    let s = simulate(&g, &r, &[(start, 0)], 1, 0, only(false, true, false, false));
    let sim = t.elapsed().as_secs_f64();
    println!(
        "replay, haircut, first in the process (fresh memory): {} transfers in {sim:.2} s: {:.1} M transfers/s on one core",
        s.replayed,
        s.replayed as f64 / sim / 1e6
    );
    drop(s);
    // Baseline for the replays: the same random reads and writes of one row per end of every
    // edge, with nothing else done (the memory-bound part of a replay).
    let t = Instant::now();
    let sum = cordon_graph::taint::row_traffic_baseline(&g);
    let row_base = edges as f64 / t.elapsed().as_secs_f64();
    println!("baseline random row traffic: {:.1} M transfers/s (checksum {sum})", row_base / 1e6);
    // The replay by model: haircut alone (the per-node amounts), haircut with the list of
    // transfers that carried taint (what a trace report shows), and all three models at once.
    for (name, models) in [
        ("haircut", only(false, true, false, false)),
        ("haircut + list of tainted transfers", only(false, true, false, true)),
        ("poison", only(true, false, false, false)),
        ("poison + haircut + FIFO + list", Models::ALL),
    ] {
        if quick && models.fifo {
            continue;
        }
        let t = Instant::now();
        let s = simulate(&g, &r, &[(start, 0)], 1, 0, models);
        let sim = t.elapsed().as_secs_f64();
        println!(
            "replay, {name}: {} transfers in {sim:.2} s: {:.1} M transfers/s on one core ({:.2}x the row traffic baseline; {} listed)",
            s.replayed,
            s.replayed as f64 / sim / 1e6,
            s.replayed as f64 / sim / row_base,
            s.edges.len()
        );
    }
    if quick {
        return;
    }
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
