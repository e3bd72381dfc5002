//! Chain ingest, clustering, tracing and exposure on the shared real samples and on small
//! hand-made and synthetic chains.

use std::path::{Path, PathBuf};

use cordon_chain::analysis::{exposure, trace, Model, TagIndex, TraceOptions};
use cordon_chain::dataset::ChainStore;
use cordon_chain::read::{read_file, Format};
use cordon_chain::Parsed;
use cordon_graph::taint::Direction;
use cordon_model::{Tag, TagCategory};

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("CORDON_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: shared data not found at {} (set CORDON_SHARED_DATA)", dir.display());
        None
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn import(store: &mut ChainStore, paths: &[PathBuf]) -> Result<cordon_chain::dataset::ImportSummary, cordon_chain::ChainError> {
    let mut files = Vec::new();
    for p in paths {
        let r = read_file(p, None)?;
        files.push((p.clone(), r.format.name().to_string(), r.sha256, r.parsed));
    }
    store.import(files, &mut |_| {})
}

const HACK: &str = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96";
const ETH: u128 = 1_000_000_000_000_000_000;

fn tag(address: &str, label: &str, category: TagCategory) -> Tag {
    Tag {
        address: cordon_chain::normalize_address(address),
        label: label.into(),
        category,
        actor: None,
        confidence: None,
        source: "test".into(),
    }
}

fn laundering() -> (tempfile::TempDir, ChainStore, TagIndex) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ChainStore::open(dir.path()).unwrap();
    import(&mut store, &[fixture("laundering.csv")]).unwrap();
    let tags = TagIndex::new(
        &store,
        vec![
            tag(HACK, "Ronin exploiter (Lazarus Group)", TagCategory::Dprk),
            tag("0x4444444444444444444444444444444444444444", "Exchange deposit", TagCategory::Exchange),
        ],
    );
    (dir, store, tags)
}

fn opts(model: Model, direction: Direction, from: &str) -> TraceOptions {
    TraceOptions {
        from: from.into(),
        asset: None,
        model,
        direction,
        max_hops: 10,
        since: 0,
        stop: vec![TagCategory::Exchange, TagCategory::Service],
    }
}

fn amount_of(r: &cordon_chain::analysis::TraceReport, addr: &str) -> Option<u128> {
    r.nodes.iter().find(|n| n.address == addr).map(|n| n.amount.parse().unwrap())
}

#[test]
fn raw_block_413567_has_1557_transactions() {
    let Some(data) = shared() else { return };
    let r = read_file(&data.join("blockchain/bitcoin_raw/block413567.raw"), None).unwrap();
    assert_eq!(r.format, Format::BtcRaw);
    let Parsed::Utxo(txs) = r.parsed else { panic!("UTXO expected") };
    assert_eq!(txs.len(), 1557);
    assert!(txs[0].coinbase);
    assert!(txs.iter().all(|t| t.height == 413_567));
    // Most inputs reveal their address (public key or redeem script in the input).
    let inputs: Vec<_> = txs.iter().flat_map(|t| &t.inputs).collect();
    let revealed = inputs.iter().filter(|i| i.address.is_some()).count();
    assert!(revealed as f64 > 0.9 * inputs.len() as f64, "{revealed} of {}", inputs.len());
    // A truncated copy fails with a position, and a wrong length too.
    let bytes = std::fs::read(data.join("blockchain/bitcoin_raw/block413567.raw")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.raw");
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    let e = read_file(&cut, Some(Format::BtcRaw)).err().unwrap().to_string();
    assert!(e.contains("cut.raw") && e.contains("byte"), "{e}");
}

#[test]
fn bitcoin_etl_and_ethereum_etl_samples() {
    let Some(data) = shared() else { return };
    let b = data.join("blockchain/bitcoin-etl_test_resources/test_export_blocks_job/bitcoin/block_with_transactions/expected_transactions.json");
    let Parsed::Utxo(txs) = read_file(&b, None).unwrap().parsed else { panic!() };
    assert_eq!(txs.len(), 4);
    assert_eq!(txs[0].outputs[0].value, 5_000_000_000);
    assert_eq!(txs[0].outputs[0].address.as_deref(), Some("1PkqKGbNLDdDJGveCcNUMV9CEFH77ADrPQ"));
    let e = data.join("blockchain/ethereum-etl_test_resources/test_export_blocks_job/blocks_with_transactions/expected_transactions.csv");
    let Parsed::Account(t) = read_file(&e, None).unwrap().parsed else { panic!() };
    // 110 ETH in wei does not fit 64 bits; it is kept exactly.
    assert_eq!(t[0].amount, 110 * ETH);
    assert_eq!(t[0].asset, "eth");
    let tt = data.join("blockchain/ethereum-etl_test_resources/test_export_token_transfers_job/block_with_transfers/expected_token_transfers.csv");
    let Parsed::Account(t) = read_file(&tt, None).unwrap().parsed else { panic!() };
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].asset, "erc20:0xf4eced2f682ce333f96f2d8966c613ded8fc95dd");
    assert_eq!(t[0].amount, 100_000);
}

#[test]
fn a_failed_import_changes_nothing_and_a_crash_is_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ChainStore::open(dir.path()).unwrap();
    import(&mut store, &[fixture("laundering.csv")]).unwrap();
    let before = (store.address_count(), store.assets());
    // A second import with a malformed file fails before anything is written.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp\n0x1,0,0x,5,0,0x1111111111111111111111111111111111111111,0x2222222222222222222222222222222222222222,12abc,1,1,0x,1\n").unwrap();
    let e = import(&mut store, &[fixture("laundering.csv"), bad.clone()]).err().unwrap().to_string();
    assert!(e.contains("bad.csv") && e.contains("line 2") && e.contains("12abc"), "{e}");
    // The same file again is a no-op.
    let s = import(&mut store, &[fixture("laundering.csv")]).unwrap();
    assert_eq!(s.already.len(), 1);
    assert_eq!((store.address_count(), store.assets()), before);
    // Bytes appended after the last commit (a crash mid-import) are cut off on open.
    drop(store);
    let mut f = std::fs::OpenOptions::new().append(true).open(dir.path().join("addresses.txt")).unwrap();
    std::io::Write::write_all(&mut f, b"0xhalfwritten\n").unwrap();
    let store = ChainStore::open(dir.path()).unwrap();
    assert_eq!((store.address_count(), store.assets()), before);
    // A graph file of the older layout (or a damaged one) is rebuilt from the committed
    // edges when the store opens, and traces give what they gave.
    let tags = TagIndex::new(&store, vec![tag(HACK, "hack", TagCategory::Dprk)]);
    let want = serde_json::to_value(trace(&store, &tags, &opts(Model::Haircut, Direction::Forward, HACK)).unwrap()).unwrap();
    drop((store, tags));
    let graphs: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "cgr"))
        .collect();
    assert!(!graphs.is_empty());
    for g in &graphs {
        let mut old = b"CORDONG1".to_vec();
        old.extend_from_slice(&[0u8; 64]);
        std::fs::write(g, old).unwrap();
    }
    let store = ChainStore::open(dir.path()).unwrap();
    let tags = TagIndex::new(&store, vec![tag(HACK, "hack", TagCategory::Dprk)]);
    let got = serde_json::to_value(trace(&store, &tags, &opts(Model::Haircut, Direction::Forward, HACK)).unwrap()).unwrap();
    assert_eq!(got, want);
    for g in &graphs {
        assert_eq!(&std::fs::read(g).unwrap()[..8], b"CORDONG2");
    }
}

#[test]
fn forward_trace_by_model_respects_time_and_stops_at_services() {
    let (_d, store, tags) = laundering();
    let p = trace(&store, &tags, &opts(Model::Poison, Direction::Forward, HACK)).unwrap();
    let addrs: Vec<&str> = p.nodes.iter().map(|n| n.address.as_str()).collect();
    // 0x3333 was paid by 0x1111 before the stolen funds arrived; 0x6666 is behind the exchange.
    assert!(!addrs.contains(&"0x3333333333333333333333333333333333333333"), "{addrs:?}");
    assert!(!addrs.contains(&"0x6666666666666666666666666666666666666666"), "{addrs:?}");
    assert_eq!(p.stopped_at.len(), 1);
    assert_eq!(p.stopped_at[0].reason, "service");
    assert_eq!(amount_of(&p, "0x2222222222222222222222222222222222222222"), Some(6 * ETH));
    assert_eq!(amount_of(&p, "0x4444444444444444444444444444444444444444"), Some(6 * ETH));
    // Haircut: 0x1111 holds 0.5 clean + 9 stolen when it pays 6, then 3.5 with the rest.
    let h = trace(&store, &tags, &opts(Model::Haircut, Direction::Forward, HACK)).unwrap();
    let to2 = amount_of(&h, "0x2222222222222222222222222222222222222222").unwrap() as f64;
    assert!((to2 / ETH as f64 - 6.0 * 9.0 / 9.5).abs() < 1e-6, "{to2}");
    let to5 = amount_of(&h, "0x5555555555555555555555555555555555555555").unwrap() as f64;
    assert!((to5 / ETH as f64 - 3.5 * (9.0 - 6.0 * 9.0 / 9.5) / 3.5).abs() < 1e-6, "{to5}");
    // FIFO: the 6 spends the 0.5 clean first.
    let f = trace(&store, &tags, &opts(Model::Fifo, Direction::Forward, HACK)).unwrap();
    assert_eq!(amount_of(&f, "0x2222222222222222222222222222222222222222"), Some(55 * ETH / 10));
    assert_eq!(amount_of(&f, "0x5555555555555555555555555555555555555555"), Some(35 * ETH / 10));
    // The JSON has the documented fields.
    let j = serde_json::to_value(&f).unwrap();
    for k in ["from", "model", "direction", "nodes", "edges", "stopped_at"] {
        assert!(j.get(k).is_some(), "{k}");
    }
    for k in ["address", "hop", "amount", "share", "tags"] {
        assert!(j["nodes"][0].get(k).is_some(), "{k}");
    }
    for k in ["from", "to", "tx", "amount"] {
        assert!(j["edges"][0].get(k).is_some(), "{k}");
    }
    assert_eq!(j["model"], "fifo");
}

#[test]
fn backward_trace_finds_sources_of_funds() {
    let (_d, store, tags) = laundering();
    let r = trace(
        &store,
        &tags,
        &opts(Model::Haircut, Direction::Backward, "0x5555555555555555555555555555555555555555"),
    )
    .unwrap();
    let hack = r.nodes.iter().find(|n| n.address == cordon_chain::normalize_address(HACK)).unwrap();
    assert_eq!(hack.hop, 2);
    // 0x1111 held 0.5 of 0xaa's funds and 9 of the hack's when it paid 6 and then 3.5:
    // 0x5555's 3.5 is 9/9.5 the hack's.
    let aa = r.nodes.iter().find(|n| n.address.ends_with("aa")).unwrap();
    assert!((hack.share - 9.0 / 9.5).abs() < 1e-9, "{}", hack.share);
    assert!((aa.share - 0.5 / 9.5).abs() < 1e-9, "{}", aa.share);
    // FIFO: 0x5555's 3.5 came after the first 6.5 of 0x1111's inflows: all the hack's.
    let f = trace(
        &store,
        &tags,
        &opts(Model::Fifo, Direction::Backward, "0x5555555555555555555555555555555555555555"),
    )
    .unwrap();
    assert!(f.nodes.iter().all(|n| !n.address.ends_with("aa")), "{:?}", f.nodes);
}

#[test]
fn exposure_direct_indirect_and_none() {
    let (_d, store, tags) = laundering();
    let e = exposure(&store, &tags, "0x2222222222222222222222222222222222222222", None, 6).unwrap();
    assert_eq!(e.risk, "severe");
    let dprk = e.exposure.iter().find(|x| x.category == TagCategory::Dprk).unwrap();
    assert_eq!(dprk.hops, 2);
    assert_eq!(dprk.direct, "0");
    assert!(dprk.share > 0.9, "{}", dprk.share);
    assert_eq!(dprk.path.len(), 3, "{:?}", dprk.path);
    assert!(e.explanation[0].contains("dprk"));
    let none = exposure(&store, &tags, "0x3333333333333333333333333333333333333333", None, 6).unwrap();
    assert_eq!(none.risk, "none", "{none:?}");
    let direct = exposure(&store, &tags, "0x1111111111111111111111111111111111111111", None, 6).unwrap();
    assert_ne!(direct.exposure[0].direct, "0");
}

#[test]
fn clustering_the_raw_block_with_evidence() {
    let Some(data) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut store = ChainStore::open(dir.path()).unwrap();
    import(&mut store, &[data.join("blockchain/bitcoin_raw/block413567.raw")]).unwrap();
    let txs = store.utxo_txs().unwrap();
    assert_eq!(txs.len(), 1557);
    let n = store.address_count();
    let kinds: Vec<u8> = (0..n).map(|i| cordon_chain::cluster::address_kind(store.address(i))).collect();
    let h = |s: &str| cordon_chain::cluster::Heuristics::parse(s).unwrap();
    let mi = cordon_chain::cluster::cluster(&txs, n, h("multi-input"), &|a| kinds[a as usize]);
    let both = cordon_chain::cluster::cluster(&txs, n, h("multi-input,change"), &|a| kinds[a as usize]);
    // Cluster ids are the smallest member ids.
    for (a, &r) in mi.roots.iter().enumerate() {
        assert!(r as usize <= a);
        assert_eq!(mi.roots[r as usize], r);
    }
    // Every multi-input merge joins two inputs of one transaction, and rebuilding from the
    // evidence gives the same clusters.
    let mut uf = cordon_graph::UnionFind::new(n);
    for m in &mi.merges {
        assert_eq!(m.heuristic, "multi-input");
        let t = txs.iter().find(|t| t.tx == m.tx).unwrap();
        assert!(t.inputs.iter().any(|i| i.0 == m.a) && t.inputs.iter().any(|i| i.0 == m.b));
        uf.union(m.a, m.b);
    }
    assert_eq!(uf.roots(), mi.roots);
    // The change heuristic only merges more.
    let count = |c: &cordon_chain::cluster::Clustering| c.sizes().len();
    assert!(count(&both) < count(&mi));
    assert!(both.merges.len() > mi.merges.len());
}

#[test]
fn synthetic_laundering_is_traced() {
    // Precision and recall of forward traces from planted hacks; see `cordon chain synth`.
    let o = cordon_chain::synth::SynthOptions {
        users: 3_000,
        transfers: 30_000,
        hacks: 4,
        seed: 7,
        ..Default::default()
    };
    let s = cordon_chain::synth::generate(&o);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("transactions.csv");
    cordon_chain::synth::write_etl_csv(&s, &mut std::fs::File::create(&csv).unwrap()).unwrap();
    let tokens = dir.path().join("token_transfers.csv");
    cordon_chain::synth::write_token_csv(&s, &mut std::fs::File::create(&tokens).unwrap()).unwrap();
    let mut store = ChainStore::open(&dir.path().join("chain")).unwrap();
    import(&mut store, &[csv, tokens]).unwrap();
    let tags = TagIndex::new(&store, s.tags.clone());
    for model in [Model::Poison, Model::Haircut, Model::Fifo] {
        let mut total = cordon_chain::synth::Score::default();
        for t in &s.truth {
            let mut o = opts(model, Direction::Forward, &t.hack);
            o.since = t.block;
            o.stop.push(TagCategory::Mixer);
            let r = trace(&store, &tags, &o).unwrap();
            // Each hack's DEX branch is swapped into the token and laundered on in it: the
            // trace follows the swap, and the token-side addresses are in the truth.
            let token = format!("erc20:{}", cordon_chain::synth::TOKEN);
            assert!(
                r.swaps.iter().any(|x| x.asset_in == "eth" && x.asset_out == token),
                "{model:?}: no swap followed"
            );
            assert!(r.nodes.iter().any(|n| n.asset == token && t.laundering.contains(&n.address)));
            let flagged: Vec<String> = r
                .nodes
                .iter()
                .filter(|n| model == Model::Poison || n.share >= 0.01)
                .map(|n| n.address.clone())
                .collect();
            total.add(&cordon_chain::synth::score(t, &flagged));
        }
        assert!(total.recall() >= 0.99, "{model:?}: {total:?}");
        assert!(total.precision() >= 0.95, "{model:?}: {total:?}");
    }
    // Exposure looks through the swaps too: the exchange deposits the hackers paid in the token
    // (after swapping stolen ether at the DEX) hold DPRK funds, found behind the swap.
    let exchange: std::collections::HashSet<&str> = s
        .tags
        .iter()
        .filter(|t| t.category == TagCategory::Exchange)
        .map(|t| t.address.as_str())
        .collect();
    let deposits: Vec<&str> = s
        .token_transfers
        .iter()
        .map(|t| s.addresses[t.1 as usize].as_str())
        .filter(|a| exchange.contains(a))
        .collect();
    assert_eq!(deposits.len(), s.truth.len());
    for d in deposits {
        let e = cordon_chain::analysis::exposure(&store, &tags, d, None, 10).unwrap();
        let dprk = e
            .exposure
            .iter()
            .find(|c| c.category == TagCategory::Dprk)
            .expect("DPRK exposure behind the swap");
        assert!(dprk.share > 0.99, "{e:?}");
        assert!(dprk.sources.iter().all(|x| x.contains("via a swap at")), "{e:?}");
        assert_eq!(e.risk, "severe");
        // Traced back, the deposit's funds come from the hacker, behind the swap.
        let mut o = opts(Model::Haircut, Direction::Backward, d);
        o.max_hops = 10;
        let back = trace(&store, &tags, &o).unwrap();
        assert!(back.swaps.iter().any(|x| x.asset_in == "eth"), "{:?}", back.swaps);
        let hacker = back
            .nodes
            .iter()
            .find(|n| n.asset == "eth" && s.truth.iter().any(|t| t.hack == n.address))
            .expect("the hacker behind the swap");
        assert!(hacker.share > 0.99, "{hacker:?}");
        // The path runs from the hacker through the swap to the deposit.
        assert_eq!(dprk.path.last().map(String::as_str), Some(d));
        assert!(s.truth.iter().any(|t| dprk.path.first() == Some(&t.hack)), "{:?}", dprk.path);
    }
}

#[test]
fn tagpack_and_lazarus_files() {
    let Some(data) = shared() else { return };
    let d = cordon_chain::tags::TagDefaults {
        category: Some(TagCategory::Dprk),
        label: Some("Lazarus Group (FBI)".into()),
        actor: Some("lazarus".into()),
    };
    let t = cordon_chain::tags::read_tags(&data.join("crypto/lazarus/fbi_psa250226_bybit_tradertraitor_eth.txt"), &d).unwrap();
    assert!(t.len() > 40, "{}", t.len());
    assert!(t.iter().all(|x| x.address.starts_with("0x") && x.address == x.address.to_lowercase()));
    let _ = Path::new("");
}

#[test]
fn utxo_taint_moves_with_outputs() {
    // Hand-made bitcoin-etl transactions (tests/data/utxo_taint.jsonl): the hack address gets
    // two outputs (6,000 and 4,000 sat); tx b spends the 6,000 with 5,000 clean sat and pays
    // 1B 7,000 and 1C 3,500 (fee 500); tx d spends 1B's output: 1D 2,000, the exchange 1Ex
    // 4,900; tx e spends the 4,000: change 3,000 back to 1Hack and 1E 1,000; tx f spends the
    // change to 1F; tx c moves the exchange's coins on (not followed: a service); tx 1 spends
    // 2,500 sat the hack address got before the imported history, to 1H.
    let dir = tempfile::tempdir().unwrap();
    let mut store = ChainStore::open(&dir.path().join("chain")).unwrap();
    import(&mut store, &[fixture("utxo_taint.jsonl")]).unwrap();
    let tags = TagIndex::new(&store, vec![tag("1Ex", "Exchange", TagCategory::Exchange)]);
    let run = |model, since| {
        let mut o = opts(model, Direction::Forward, "1Hack");
        o.since = since;
        trace(&store, &tags, &o).unwrap()
    };
    let amounts =
        |r: &cordon_chain::analysis::TraceReport| -> Vec<(String, u128)> { r.nodes.iter().map(|n| (n.address.clone(), n.amount.parse().unwrap())).collect() };
    let owned = |v: &[(&str, u128)]| -> Vec<(String, u128)> {
        let mut v: Vec<(String, u128)> = v.iter().map(|(a, x)| (a.to_string(), *x)).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<(String, u128)>| {
        v.sort();
        v
    };
    let p = run(Model::Poison, 0);
    assert_eq!(p.level, "output");
    // Poison: every output of a transaction with a tainted input.
    assert_eq!(
        sorted(amounts(&p)),
        owned(&[
            ("1B", 7000),
            ("1C", 3500),
            ("1D", 2000),
            ("1E", 1000),
            ("1Ex", 4900),
            ("1F", 3000),
            ("1H", 2500)
        ])
    );
    // Haircut: tx b's inputs are 6,000 / 11,000 tainted, and so is each of its outputs.
    let h = run(Model::Haircut, 0);
    assert_eq!(
        sorted(amounts(&h)),
        owned(&[
            ("1B", 3818),
            ("1C", 1909),
            ("1D", 1091),
            ("1E", 1000),
            ("1Ex", 2673),
            ("1F", 3000),
            ("1H", 2500)
        ])
    );
    // FIFO: the hack's 6,000 sat come first in tx b and all land in 1B's 7,000; none in 1C.
    // 1B's first 6,000 then fill 1D's 2,000 and 4,000 of the exchange's 4,900.
    let f = run(Model::Fifo, 0);
    assert_eq!(
        sorted(amounts(&f)),
        owned(&[("1B", 6000), ("1D", 2000), ("1E", 1000), ("1Ex", 4000), ("1F", 3000), ("1H", 2500)])
    );
    // Hops: 1F is paid by the hack address itself (its change), one hop like 1B; 1D two; the
    // exchange is reported where the trace stopped, and 1G, paid by it, is not reached.
    let hop = |a: &str| p.nodes.iter().find(|n| n.address == a).unwrap().hop;
    assert_eq!((hop("1B"), hop("1F"), hop("1D"), hop("1H")), (1, 1, 2, 1));
    assert!(p.stopped_at.iter().any(|s| s.address == "1Ex" && s.reason == "service"));
    assert!(p.nodes.iter().all(|n| n.address != "1G"));
    // Edges name the spending transaction; 1B -> 1D carries 1D's whole poison amount.
    let e = p.edges.iter().find(|e| e.from == "1B" && e.to == "1D").unwrap();
    assert_eq!((e.amount.as_str(), e.block), ("2000", 120));
    assert!(e.tx.starts_with("dddd"));
    // Time: from block 125 on only the spend of the 4,000 (tx e, block 130) carries taint.
    // Backward from 1D (2,000 sat from tx d, which spent 1B's 7,000): poison names every input
    // behind it whole; haircut asks tx b's inputs for 2,000 by value (6,000 / 11,000 of it from
    // the hack's coins, which came from 1Victim); FIFO maps 1D's first 2,000 sat onto the hack's.
    let back = |model| {
        let o = opts(model, Direction::Backward, "1D");
        trace(&store, &tags, &o).unwrap()
    };
    let b = back(Model::Poison);
    assert_eq!(b.level, "output");
    assert_eq!(
        sorted(amounts(&b)),
        owned(&[("1B", 7000), ("1Clean", 5000), ("1Hack", 6000), ("1Other", 5000), ("1Victim", 10000)])
    );
    assert_eq!(
        sorted(amounts(&back(Model::Haircut))),
        owned(&[("1B", 2000), ("1Clean", 909), ("1Hack", 1091), ("1Other", 909), ("1Victim", 1091)])
    );
    assert_eq!(sorted(amounts(&back(Model::Fifo))), owned(&[("1B", 2000), ("1Hack", 2000), ("1Victim", 2000)]));
    let hop = |a: &str| b.nodes.iter().find(|n| n.address == a).unwrap().hop;
    assert_eq!((hop("1B"), hop("1Hack"), hop("1Victim")), (1, 2, 3));
    // The hack address's own change is not a receipt: its only source is the victim's 10,000.
    let own = trace(&store, &tags, &opts(Model::Haircut, Direction::Backward, "1Hack")).unwrap();
    assert_eq!(sorted(amounts(&own)), owned(&[("1Victim", 10000)]));
    let late = run(Model::Poison, 125);
    assert_eq!(sorted(amounts(&late)), owned(&[("1E", 1000), ("1F", 3000), ("1H", 2500)]));
}
