//! Multi-input clustering throughput: union-find over the input address sets of transactions.
//!
//!   cluster_bench INPUT.bin [MAPPING_OUT.bin]
//!
//! INPUT.bin (little-endian u32): max address id, transaction count, then per transaction its
//! input count and input address ids (bench/cluster.py writes it, and feeds the same input to
//! graphsense-clustering). Prints transactions per second and bytes per address; writes the
//! cluster id of every address (u32 each) for diffing.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).expect("read the input");
    let words: Vec<u32> = bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    let (max_id, txs) = (words[0], words[1] as usize);
    let t = Instant::now();
    let mut uf = cordon_graph::UnionFind::new(max_id + 1);
    let mut at = 2usize;
    for _ in 0..txs {
        let k = words[at] as usize;
        let ins = &words[at + 1..at + 1 + k];
        if let Some((&first, rest)) = ins.split_first() {
            for &a in rest {
                uf.union(first, a);
            }
        }
        at += 1 + k;
    }
    let roots = uf.roots();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "cordon: {txs} transactions, {} addresses in {secs:.3} s: {:.2} M tx/s; {} bytes per address",
        max_id as u64 + 1,
        txs as f64 / secs / 1e6,
        cordon_graph::UnionFind::BYTES_PER_ELEMENT
    );
    if let Some(out) = args.get(2) {
        let mut b = Vec::with_capacity(roots.len() * 4);
        for r in roots {
            b.extend_from_slice(&r.to_le_bytes());
        }
        std::fs::write(out, b).expect("write the mapping");
    }
}
