//! Synthetic chains with planted laundering and ground truth, to measure tracing.
//!
//! Background: users whose activity is heavy-tailed (Pareto weights, so a few addresses carry
//! most transfers), payment hubs, exchanges with one deposit address per customer swept into
//! a hot wallet, a mixer pool with fixed denominations used by ordinary users too.
//!
//! Each hack: a bridge pays the loot to a fresh hack address, which splits it over branches,
//! each laundered by one pattern through fresh addresses: a **peel chain** (each hop peels a
//! small payment to an exchange deposit address and passes the rest on), a **fan-out/fan-in**
//! (split over many addresses, consolidated again, deposited), a **mixer** (fixed-denomination
//! deposits; later withdrawals to fresh addresses that deposit at exchanges), a **bridge hop**
//! (sent to a bridge contract, leaving the chain), and direct **consolidation** into an
//! exchange deposit address; and a **DEX swap**: ether sent to a decentralised exchange pool
//! comes back as a token in the same transaction and is laundered on in the token (ordinary
//! users swap at the pool too). Times (block heights) increase along every path.
//!
//! Ground truth per hack: every address that received stolen funds before a service, split
//! into what a trace must find (`laundering`) and the mixer withdrawals (`via_mixer`), which
//! no trace can tell from ordinary users' withdrawals without demixing heuristics.

use cordon_model::{Tag, TagCategory};
use serde::Serialize;

/// SplitMix64: small, fast, good enough for synthetic data, and the same on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in [lo, hi].
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

/// Sizes of a synthetic chain.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Ordinary users.
    pub users: u32,
    /// Background transfers.
    pub transfers: u64,
    /// Exchanges.
    pub exchanges: u32,
    /// Payment hubs.
    pub hubs: u32,
    /// Blocks the chain spans.
    pub blocks: u32,
    /// Hacks planted.
    pub hacks: u32,
    /// Seed.
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            users: 20_000,
            transfers: 200_000,
            exchanges: 5,
            hubs: 20,
            blocks: 100_000,
            hacks: 3,
            seed: 1,
        }
    }
}

/// Ground truth of one hack.
#[derive(Clone, Debug, Default, Serialize)]
pub struct HackTruth {
    /// The hack address (trace start).
    pub hack: String,
    /// Block of the theft.
    pub block: u32,
    /// Addresses that received stolen funds and that a trace must find: laundering addresses,
    /// the exchange deposit addresses and bridge they paid, the mixer pool.
    pub laundering: Vec<String>,
    /// Fresh addresses the hacker withdrew to from the mixer (and deposited from).
    pub via_mixer: Vec<String>,
    /// Laundering transfers per pattern.
    pub patterns: std::collections::BTreeMap<String, u32>,
}

/// A synthetic chain.
#[derive(Clone, Debug, Default)]
pub struct Synth {
    /// Address strings by id.
    pub addresses: Vec<String>,
    /// Ether transfers: (from, to, amount in wei, block, transaction number), in block order.
    pub transfers: Vec<(u32, u32, u128, u32, u64)>,
    /// Token transfers of [`TOKEN`] (6 decimals), the same shape; a swap's two legs share a
    /// transaction number.
    pub token_transfers: Vec<(u32, u32, u128, u32, u64)>,
    /// Attribution tags (exchanges, hubs as services, the mixer, the bridge, the hackers).
    pub tags: Vec<Tag>,
    /// Ground truth.
    pub truth: Vec<HackTruth>,
}

const ETH: u128 = 1_000_000_000_000_000_000;

/// The token contract of synthetic chains (a stablecoin with 6 decimals, 2,000 per ether).
pub const TOKEN: &str = "0x00000000000000000000000000000000000005d7";

/// Token units (6 decimals) for an amount of wei at 2,000 tokens per ether.
fn to_token(wei: u128) -> u128 {
    wei / 1_000_000_000_000 * 2_000
}

struct Builder {
    rng: Rng,
    s: Synth,
    /// Ids below this are ordinary users.
    users: u32,
    /// Transaction numbers given so far.
    txs: u64,
}

impl Builder {
    fn address(&mut self) -> u32 {
        let id = self.s.addresses.len() as u32;
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        let c = self.rng.next_u64() as u32;
        self.s.addresses.push(format!("0x{a:016x}{b:016x}{c:08x}"));
        id
    }

    fn tag(&mut self, id: u32, label: &str, category: TagCategory) {
        self.s.tags.push(Tag {
            address: self.s.addresses[id as usize].clone(),
            label: label.to_string(),
            category,
            actor: None,
            confidence: Some(1.0),
            source: "cordon chain synth".into(),
        });
    }

    fn send(&mut self, from: u32, to: u32, amount: u128, block: u32) {
        if amount > 0 {
            self.txs += 1;
            self.s.transfers.push((from, to, amount, block, self.txs));
        }
    }

    /// A token transfer in its own transaction.
    fn send_token(&mut self, from: u32, to: u32, amount: u128, block: u32) {
        if amount > 0 {
            self.txs += 1;
            self.s.token_transfers.push((from, to, amount, block, self.txs));
        }
    }

    /// A swap at `pool`: ether in, tokens out to `to`, in one transaction.
    fn swap(&mut self, from: u32, pool: u32, to: u32, wei: u128, block: u32) {
        if wei > 0 {
            self.txs += 1;
            self.s.transfers.push((from, pool, wei, block, self.txs));
            self.s.token_transfers.push((pool, to, to_token(wei), block, self.txs));
        }
    }
}

/// Generates a chain.
pub fn generate(o: &SynthOptions) -> Synth {
    let mut b = Builder {
        rng: Rng::new(o.seed),
        s: Synth::default(),
        users: o.users.max(10),
        txs: 0,
    };
    let users: Vec<u32> = (0..o.users.max(10)).map(|_| b.address()).collect();
    // Heavy-tailed activity: Pareto(1.2) weights, sampled by binary search on their sums.
    let mut cum = Vec::with_capacity(users.len());
    let mut total = 0.0;
    for _ in &users {
        total += (1.0 - b.rng.f64()).powf(-1.0 / 1.2);
        cum.push(total);
    }
    let hubs: Vec<u32> = (0..o.hubs).map(|_| b.address()).collect();
    for (i, &h) in hubs.iter().enumerate() {
        b.tag(h, &format!("Payment hub {i}"), TagCategory::Service);
    }
    // Exchanges: a hot wallet each; deposit addresses made on demand, one per customer.
    let hot: Vec<u32> = (0..o.exchanges.max(1)).map(|_| b.address()).collect();
    for (i, &h) in hot.iter().enumerate() {
        b.tag(h, &format!("Exchange {i} hot wallet"), TagCategory::Exchange);
    }
    let mut deposit_of: std::collections::HashMap<(u32, usize), u32> = Default::default();
    let mixer = b.address();
    b.tag(mixer, "Mixer pool", TagCategory::Mixer);
    let bridge = b.address();
    b.tag(bridge, "Cross-chain bridge", TagCategory::Bridge);
    let dex = b.address();
    b.tag(dex, "DEX pool ETH/TOKEN", TagCategory::Dex);
    let blocks = o.blocks.max(100);
    let pick = |rng: &mut Rng| -> usize {
        let x = rng.f64() * total;
        cum.partition_point(|&c| c < x).min(cum.len() - 1)
    };
    // Background transfers, in block order.
    let mut bg: Vec<(u32, u32, u128, u32)> = Vec::with_capacity(o.transfers as usize);
    let mut swaps: Vec<(u32, u128, u32)> = Vec::new();
    let mut token_bg: Vec<(u32, u32, u128, u32)> = Vec::new();
    for _ in 0..o.transfers {
        let block = b.rng.range(1, blocks as u64) as u32;
        let amount = (10f64.powf(15.0 + b.rng.f64() * 5.0)) as u128;
        let from = users[pick(&mut b.rng)];
        let r = b.rng.f64();
        let to = if r < 0.15 && !hubs.is_empty() {
            hubs[b.rng.below(hubs.len() as u64) as usize]
        } else if r < 0.25 {
            // A deposit at the user's exchange, swept to the hot wallet a little later.
            let ex = b.rng.below(hot.len() as u64) as usize;
            let dep = *deposit_of.entry((from, ex)).or_insert_with(|| {
                let id = b.s.addresses.len() as u32;
                b.s.addresses
                    .push(format!("0x{:016x}{:016x}{:08x}", b.rng.next_u64(), b.rng.next_u64(), b.rng.next_u64() as u32));
                id
            });
            bg.push((dep, hot[ex], amount, block + 1));
            dep
        } else if r < 0.32 {
            // An exchange withdrawal to a user.
            bg.push((hot[b.rng.below(hot.len() as u64) as usize], from, amount, block));
            continue;
        } else if r < 0.36 {
            // Ordinary swaps at the DEX pool, and token payments between users.
            if r < 0.35 {
                swaps.push((from, amount, block));
            } else {
                token_bg.push((from, users[pick(&mut b.rng)], to_token(amount), block));
            }
            continue;
        } else if r < 0.38 {
            // Ordinary use of the mixer: fixed denominations in and out.
            let w = users[pick(&mut b.rng)];
            bg.push((mixer, w, 10 * ETH, block + b.rng.range(10, 2000) as u32));
            bg.push((from, mixer, 10 * ETH, block));
            continue;
        } else {
            users[pick(&mut b.rng)]
        };
        if to != from {
            bg.push((from, to, amount, block));
        }
    }
    for t in bg {
        b.send(t.0, t.1, t.2, t.3);
    }
    for (from, wei, block) in swaps {
        b.swap(from, dex, from, wei, block);
    }
    for t in token_bg {
        if t.0 != t.1 {
            b.send_token(t.0, t.1, t.2, t.3);
        }
    }
    // Deposit addresses are attributed to their exchange (as exchange clustering does).
    let deps: Vec<((u32, usize), u32)> = deposit_of.iter().map(|(k, v)| (*k, *v)).collect();
    for ((_, ex), dep) in deps {
        b.tag(dep, &format!("Exchange {ex} deposit"), TagCategory::Exchange);
    }
    for h in 0..o.hacks {
        let truth = plant_hack(&mut b, h, blocks, &hot, mixer, bridge, dex);
        b.s.truth.push(truth);
    }
    b.s.transfers.sort_by_key(|t| t.3);
    b.s.token_transfers.sort_by_key(|t| t.3);
    b.s
}

/// An ordinary user (addresses made before the first hack are users, hubs, exchanges).
fn users_any(b: &mut Builder) -> u32 {
    b.rng.below(b.users as u64) as u32
}

fn plant_hack(b: &mut Builder, n: u32, blocks: u32, hot: &[u32], mixer: u32, bridge: u32, dex: u32) -> HackTruth {
    let victim = b.address();
    b.tag(victim, &format!("Bridge victim {n}"), TagCategory::Other);
    let hack = b.address();
    b.tag(hack, &format!("Hacker {n}"), TagCategory::Dprk);
    let start = (blocks / 2 + n * 97).min(blocks.saturating_sub(1000).max(1));
    let loot: u128 = 100_000 * ETH;
    let mut t = HackTruth {
        hack: b.s.addresses[hack as usize].clone(),
        block: start,
        ..HackTruth::default()
    };
    b.send(victim, hack, loot, start);
    let mut found: Vec<u32> = Vec::new();
    let mut via_mixer: Vec<u32> = Vec::new();
    let mut sweeps: Vec<(u32, u32)> = Vec::new();
    let count = |t: &mut HackTruth, p: &str| *t.patterns.entry(p.to_string()).or_default() += 1;
    let branches = 10u128;
    let part = loot / branches;
    for i in 0..branches as u32 {
        let mut block = start + 1 + i;
        let first = b.address();
        found.push(first);
        b.send(hack, first, part, block);
        count(&mut t, "split");
        // A fresh deposit address of the hacker's at an exchange, swept into the hot wallet.
        // One in ten is not attributed (tag coverage is never complete): a trace then goes on
        // to the hot wallet, which is.
        let deposit = |b: &mut Builder, sweeps: &mut Vec<(u32, u32)>| -> u32 {
            let ex = b.rng.below(hot.len() as u64) as usize;
            let d = b.address();
            if b.rng.below(10) != 0 {
                b.tag(d, &format!("Exchange {ex} deposit"), TagCategory::Exchange);
            }
            sweeps.push((d, hot[ex]));
            d
        };
        match i % 5 {
            0 => {
                // Peel chain.
                let mut at = first;
                let mut left = part;
                for hop in 0..b.rng.range(5, 8) {
                    block += b.rng.range(1, 20) as u32;
                    let peel = left / b.rng.range(20, 50) as u128;
                    let d = deposit(b, &mut sweeps);
                    found.push(d);
                    b.send(at, d, peel, block);
                    let next = b.address();
                    found.push(next);
                    if hop == 0 {
                        // A time trap: this hop was used before the hack, paying ordinary users;
                        // those payments carry no stolen funds.
                        let (u1, u2, u3) = (users_any(b), users_any(b), users_any(b));
                        b.send(u1, next, ETH, start.saturating_sub(500).max(1));
                        b.send(next, u2, ETH / 2, start.saturating_sub(400).max(1));
                        b.send(next, u3, ETH / 4, start.saturating_sub(300).max(1));
                    }
                    b.send(at, next, left - peel, block);
                    count(&mut t, "peel");
                    left -= peel;
                    at = next;
                }
                let d = deposit(b, &mut sweeps);
                found.push(d);
                b.send(at, d, left, block + 3);
            }
            1 => {
                // Fan-out, fan-in.
                let m = b.rng.range(5, 12) as u32;
                let merge = b.address();
                found.push(merge);
                // Clean funds mixed in: an ordinary payment into the consolidation address.
                let u = users_any(b);
                b.send(u, merge, 5 * ETH, block + 3);
                for _ in 0..m {
                    let x = b.address();
                    found.push(x);
                    b.send(first, x, part / m as u128, block + 2);
                    let later = block + 5 + b.rng.range(0, 20) as u32;
                    b.send(x, merge, part / m as u128, later);
                    count(&mut t, "fan");
                }
                let d = deposit(b, &mut sweeps);
                found.push(d);
                b.send(merge, d, part / m as u128 * m as u128, block + 40);
            }
            2 => {
                // Mixer: fixed 10 ETH deposits, withdrawals later to fresh addresses.
                found.push(mixer);
                let k = (part / (10 * ETH)).min(40) as u32;
                for j in 0..k {
                    b.send(first, mixer, 10 * ETH, block + 2 + j);
                    count(&mut t, "mixer");
                }
                let mut outs: Vec<u32> = Vec::new();
                for j in 0..k {
                    if j % 5 == 0 {
                        outs.push(b.address());
                    }
                    let w = *outs.last().expect("one withdrawal address");
                    b.send(mixer, w, 10 * ETH, block + 300 + j * 7);
                }
                for &w in &outs {
                    let d = deposit(b, &mut sweeps);
                    via_mixer.push(w);
                    via_mixer.push(d);
                    b.send(w, d, 50 * ETH, block + 700);
                }
            }
            3 if i >= 5 => {
                // DEX hop: swapped into the token, then moved on in the token through two
                // fresh addresses to an exchange deposit.
                found.push(dex);
                b.swap(first, dex, first, part, block + 3);
                count(&mut t, "dex");
                let (x1, x2) = (b.address(), b.address());
                let ex = b.rng.below(hot.len() as u64) as usize;
                let d = b.address();
                b.tag(d, &format!("Exchange {ex} deposit"), TagCategory::Exchange);
                found.extend([x1, x2, d]);
                let tokens = to_token(part);
                b.send_token(first, x1, tokens, block + 6);
                b.send_token(x1, x2, tokens, block + 9);
                b.send_token(x2, d, tokens, block + 12);
            }
            3 => {
                // Bridge hop: off this chain.
                found.push(bridge);
                b.send(first, bridge, part, block + 3);
                count(&mut t, "bridge");
            }
            _ => {
                // Straight consolidation into an exchange deposit address, in pieces.
                let d = deposit(b, &mut sweeps);
                found.push(d);
                for j in 0..4 {
                    b.send(first, d, part / 4, block + 2 + j);
                    count(&mut t, "consolidation");
                }
            }
        }
    }
    // Sweeps of the hacker's deposits: what an untagged deposit passed on reached the hot wallet.
    let sweep_block = start + 2_000;
    let tagged: std::collections::HashSet<String> = b.s.tags.iter().map(|t| t.address.clone()).collect();
    for (d, h) in sweeps {
        let amount: u128 = b.s.transfers.iter().filter(|t| t.1 == d).map(|t| t.2).sum();
        b.send(d, h, amount, sweep_block);
        if !tagged.contains(&b.s.addresses[d as usize]) {
            if via_mixer.contains(&d) {
                via_mixer.push(h);
            } else {
                found.push(h);
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    via_mixer.sort_unstable();
    via_mixer.dedup();
    t.laundering = found.iter().map(|&a| b.s.addresses[a as usize].clone()).collect();
    t.via_mixer = via_mixer.iter().map(|&a| b.s.addresses[a as usize].clone()).collect();
    t
}

/// Precision and recall of a trace against the truth of one hack.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Score {
    /// Addresses the trace flagged (start excluded).
    pub flagged: usize,
    /// Flagged addresses that received stolen funds (laundering or via the mixer).
    pub true_positives: usize,
    /// Laundering addresses (the trace must find these).
    pub truth: usize,
    /// Of them, found.
    pub found: usize,
    /// Mixer withdrawals and their deposits (found only by demixing).
    pub via_mixer: usize,
    /// Of them, found.
    pub via_mixer_found: usize,
}

impl Score {
    /// Flagged addresses that received stolen funds.
    pub fn precision(&self) -> f64 {
        if self.flagged == 0 {
            1.0
        } else {
            self.true_positives as f64 / self.flagged as f64
        }
    }

    /// Laundering addresses found.
    pub fn recall(&self) -> f64 {
        if self.truth == 0 {
            1.0
        } else {
            self.found as f64 / self.truth as f64
        }
    }

    /// Adds another hack's counts.
    pub fn add(&mut self, o: &Score) {
        self.flagged += o.flagged;
        self.true_positives += o.true_positives;
        self.truth += o.truth;
        self.found += o.found;
        self.via_mixer += o.via_mixer;
        self.via_mixer_found += o.via_mixer_found;
    }
}

/// Scores the addresses a trace flagged against a hack's truth.
pub fn score(truth: &HackTruth, flagged: &[String]) -> Score {
    let laundering: std::collections::HashSet<&str> = truth.laundering.iter().map(String::as_str).collect();
    let mixer: std::collections::HashSet<&str> = truth.via_mixer.iter().map(String::as_str).collect();
    let flagged: std::collections::HashSet<&str> = flagged.iter().map(String::as_str).filter(|a| *a != truth.hack).collect();
    Score {
        flagged: flagged.len(),
        true_positives: flagged.iter().filter(|a| laundering.contains(*a) || mixer.contains(*a)).count(),
        truth: laundering.len(),
        found: laundering.iter().filter(|a| flagged.contains(*a)).count(),
        via_mixer: mixer.len(),
        via_mixer_found: mixer.iter().filter(|a| flagged.contains(*a)).count(),
    }
}

/// Writes the tags as a GraphSense TagPack.
pub fn write_tagpack(s: &Synth, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "title: cordon chain synth\ncreator: cordon\nsource: cordon chain synth\ncurrency: ETH\ntags:"
    )?;
    for t in &s.tags {
        writeln!(
            out,
            "  - address: '{}'\n    label: '{}'\n    category: {}",
            t.address,
            t.label,
            t.category.as_str()
        )?;
    }
    Ok(())
}

/// Writes transfers as an ethereum-etl `transactions.csv`.
pub fn write_etl_csv(s: &Synth, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(out);
    writeln!(
        w,
        "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp"
    )?;
    for &(f, t, a, blk, tx) in &s.transfers {
        writeln!(
            w,
            "0x{tx:064x},0,0x,{blk},0,{},{},{a},21000,1,0x,{}",
            s.addresses[f as usize],
            s.addresses[t as usize],
            1_438_269_988u64 + blk as u64 * 12
        )?;
    }
    w.flush()
}

/// Writes token transfers as an ethereum-etl `token_transfers.csv` (a swap's token leg has the
/// transaction hash of its ether leg in `transactions.csv`).
pub fn write_token_csv(s: &Synth, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(out);
    writeln!(w, "token_address,from_address,to_address,value,transaction_hash,log_index,block_number")?;
    for &(f, t, a, blk, tx) in &s.token_transfers {
        writeln!(w, "{TOKEN},{},{},{a},0x{tx:064x},0,{blk}", s.addresses[f as usize], s.addresses[t as usize])?;
    }
    w.flush()
}

/// A background graph of `edges` transfers over `nodes` addresses with heavy-tailed degrees,
/// as an edge list (for benchmarks of the graph itself; no address strings).
pub fn background_edges(nodes: u32, edges: u64, seed: u64) -> cordon_graph::EdgeList {
    use rayon::prelude::*;
    let chunks = 64u64;
    let per = edges.div_ceil(chunks);
    let parts: Vec<cordon_graph::EdgeList> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut rng = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(c));
            let mut l = cordon_graph::EdgeList::default();
            let n = per.min(edges.saturating_sub(c * per));
            for i in 0..n {
                // Zipf-like endpoints: squaring a uniform concentrates on low ids.
                let s = ((rng.f64().powi(3)) * nodes as f64) as u32 % nodes;
                let d = ((rng.f64().powi(2)) * nodes as f64) as u32 % nodes;
                let amount = (10f64.powf(15.0 + rng.f64() * 6.0)) as u128;
                let t = ((c * per + i) * 1_000_000 / edges.max(1)) as u32;
                l.push(s, d, amount, t, (c * per + i) as u32);
            }
            l
        })
        .collect();
    let mut all = cordon_graph::EdgeList::default();
    for p in parts {
        all.extend(&p);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_time_ordered() {
        let o = SynthOptions {
            users: 500,
            transfers: 2_000,
            blocks: 5_000,
            hacks: 2,
            ..SynthOptions::default()
        };
        let a = generate(&o);
        let b = generate(&o);
        assert_eq!(a.transfers, b.transfers);
        assert!(a.transfers.windows(2).all(|w| w[0].3 <= w[1].3));
        assert_eq!(a.truth.len(), 2);
        assert!(a.truth[0].laundering.len() > 30);
        assert!(!a.truth[0].via_mixer.is_empty());
    }
}
