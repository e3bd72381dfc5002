//! Chain workflows: import chain data, tags (files, TagPacks, the sanctions lists' wallets),
//! clustering, traces and exposure. Chain data lives in `<home>/chain/`, tags in the store.

use std::io::Write;
use std::path::{Path, PathBuf};

use cordon_chain::analysis::{ExposureReport, Model, TagIndex, TraceOptions, TraceReport};
use cordon_chain::cluster::{address_kind, cluster, Clustering, Heuristics};
use cordon_chain::dataset::{ChainStore, ImportSummary};
use cordon_chain::read::{read_file, Format};
use cordon_chain::tags::{read_tags, TagDefaults};
use cordon_model::{Tag, TagCategory};
use cordon_store::Store;
use serde::Serialize;

use crate::{EngineError, Result};

/// The chain data directory of a home.
pub fn chain_dir(home: &Path) -> PathBuf {
    home.join("chain")
}

/// What `chain import` did.
#[derive(Debug, Serialize)]
pub struct ChainImport {
    /// The dataset's summary.
    #[serde(flatten)]
    pub summary: ImportSummary,
    /// Rows skipped while parsing, per file.
    pub notes: Vec<String>,
}

/// Imports chain files: all parsed first (a bad file fails the whole command before anything is
/// written), then appended and committed at once.
pub fn import_chain(
    store: &mut Store,
    home: &Path,
    paths: &[PathBuf],
    format: Option<Format>,
    actor: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<ChainImport> {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for p in crate::expand_paths(paths)? {
        progress(&format!("reading {}", p.display()));
        let r = read_file(&p, format)?;
        for n in &r.notes {
            notes.push(format!("{}: {n}", p.display()));
        }
        files.push((p, r.format.name().to_string(), r.sha256, r.parsed));
    }
    let mut chain = ChainStore::open(&chain_dir(home))?;
    let summary = chain.import(files, progress)?;
    store.audit(actor, "chain.import", None, &serde_json::to_value(&summary).expect("summary serialises"))?;
    Ok(ChainImport { summary, notes })
}

/// Imports tag files (TagPack YAML, or address lists with the defaults).
pub fn import_tags(store: &mut Store, paths: &[PathBuf], defaults: &TagDefaults, actor: &str) -> Result<(usize, u64)> {
    let mut tags = Vec::new();
    for p in crate::expand_paths(paths)? {
        tags.extend(read_tags(&p, defaults)?);
    }
    let new = store.add_tags(&tags, actor, "files")?;
    Ok((tags.len(), new))
}

/// Tags every wallet of the active list versions: `sanctioned` (and `dprk` when the listing's
/// programs are DPRK ones), labelled with the listed party, its entity id as the actor.
pub fn tags_from_lists(store: &mut Store, actor: &str) -> Result<(usize, u64)> {
    let mut tags = Vec::new();
    for v in store.active_versions()? {
        for e in store.entities(v.id)? {
            let dprk = e
                .programs
                .iter()
                .any(|p| p.to_ascii_uppercase().contains("DPRK") || p.to_ascii_uppercase().contains("NKSPEA"));
            for w in &e.wallets {
                let mut add = |category| {
                    tags.push(Tag {
                        address: cordon_chain::normalize_address(&w.address),
                        label: e.caption().to_string(),
                        category,
                        actor: Some(e.id.clone()),
                        confidence: Some(1.0),
                        source: format!("{} list version {} ({})", v.source, v.id, v.issued.as_deref().unwrap_or("?")),
                    })
                };
                add(TagCategory::Sanctioned);
                if dprk {
                    add(TagCategory::Dprk);
                }
            }
        }
    }
    let new = store.add_tags(&tags, actor, "lists")?;
    Ok((tags.len(), new))
}

/// What clustering did.
#[derive(Debug, Serialize)]
pub struct ClusterSummary {
    /// Heuristics applied.
    pub heuristics: String,
    /// UTXO transactions examined.
    pub txs: u64,
    /// Addresses in UTXO transactions.
    pub addresses: u64,
    /// Clusters among them.
    pub clusters: u64,
    /// Largest cluster.
    pub largest: u64,
    /// Merges by heuristic.
    pub merges: std::collections::BTreeMap<String, u64>,
    /// CoinJoins left out, by pattern.
    pub coinjoins: std::collections::BTreeMap<String, u64>,
    /// Seconds clustering took (without reading).
    pub secs: f64,
}

/// Clusters the UTXO addresses and writes `address,cluster_id` (cluster id = smallest member
/// address id) to `out`, and the evidence of every merge to `<home>/chain/cluster-evidence.csv`.
pub fn cluster_addresses(home: &Path, heuristics: Heuristics, out: &mut dyn Write) -> Result<(ClusterSummary, Clustering)> {
    let chain = ChainStore::open(&chain_dir(home))?;
    let txs = chain.utxo_txs()?;
    if txs.is_empty() {
        return Err(EngineError::Invalid(
            "no UTXO transactions imported: `cordon chain import` a bitcoin-etl export or raw blocks first".into(),
        ));
    }
    let n = chain.address_count();
    let kinds: Vec<u8> = (0..n).map(|i| address_kind(chain.address(i))).collect();
    let t = std::time::Instant::now();
    let c = cluster(&txs, n, heuristics, &|a| kinds[a as usize]);
    let secs = t.elapsed().as_secs_f64();
    let mut used = vec![false; n as usize];
    for t in &txs {
        for &(a, _) in &t.inputs {
            if a != cordon_chain::dataset::NONE {
                used[a as usize] = true;
            }
        }
        for &(a, _, _) in &t.outputs {
            if a != cordon_chain::dataset::NONE {
                used[a as usize] = true;
            }
        }
    }
    let io = |e: std::io::Error| EngineError::Io {
        path: "<output>".into(),
        source: e,
    };
    writeln!(out, "address,cluster_id").map_err(io)?;
    let mut sizes: std::collections::HashMap<u32, u64> = Default::default();
    for a in 0..n {
        if used[a as usize] {
            writeln!(out, "{},{}", chain.address(a), c.roots[a as usize]).map_err(io)?;
            *sizes.entry(c.roots[a as usize]).or_default() += 1;
        }
    }
    let ev_path = chain_dir(home).join("cluster-evidence.csv");
    let mut ev = String::from("tx,heuristic,address_a,address_b\n");
    let mut merges = std::collections::BTreeMap::new();
    for m in &c.merges {
        ev.push_str(&format!(
            "{},{},{},{}\n",
            chain.tx_hash(m.tx),
            m.heuristic,
            chain.address(m.a),
            chain.address(m.b)
        ));
        *merges.entry(m.heuristic.to_string()).or_default() += 1;
    }
    std::fs::write(&ev_path, ev).map_err(|e| EngineError::Io {
        path: ev_path.clone(),
        source: e,
    })?;
    let mut coinjoins = std::collections::BTreeMap::new();
    for (_, p) in &c.coinjoins {
        *coinjoins.entry(p.to_string()).or_default() += 1;
    }
    let summary = ClusterSummary {
        heuristics: [("multi-input", heuristics.multi_input), ("change", heuristics.change)]
            .iter()
            .filter(|x| x.1)
            .map(|x| x.0)
            .collect::<Vec<_>>()
            .join(","),
        txs: c.txs,
        addresses: sizes.values().sum(),
        clusters: sizes.len() as u64,
        largest: sizes.values().copied().max().unwrap_or(0),
        merges,
        coinjoins,
        secs,
    };
    Ok((summary, c))
}

/// The merges that built the cluster of an address, from the last `cordon chain cluster`.
pub fn explain_cluster(home: &Path, address: &str) -> Result<Vec<String>> {
    let p = chain_dir(home).join("cluster-evidence.csv");
    let text = std::fs::read_to_string(&p).map_err(|_| EngineError::Invalid("no clustering yet: run `cordon chain cluster` first".into()))?;
    let address = cordon_chain::normalize_address(address);
    // Grow the cluster from the address over the evidence edges.
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .filter(|r: &Vec<&str>| r.len() == 4)
        .collect();
    let mut members = std::collections::HashSet::from([address.clone()]);
    let mut used = vec![false; rows.len()];
    let mut out = Vec::new();
    loop {
        let mut grew = false;
        for (i, r) in rows.iter().enumerate() {
            if !used[i] && (members.contains(r[2]) || members.contains(r[3])) {
                used[i] = true;
                grew = true;
                members.insert(r[2].to_string());
                members.insert(r[3].to_string());
                out.push(format!("{} and {} share {} (tx {})", r[2], r[3], r[1], r[0]));
            }
        }
        if !grew {
            break;
        }
    }
    Ok(out)
}

fn tag_index(store: &Store, chain: &ChainStore) -> Result<TagIndex> {
    Ok(TagIndex::new(chain, store.tags()?))
}

/// Traces funds from or into an address.
pub fn trace(store: &Store, home: &Path, opts: &TraceOptions) -> Result<TraceReport> {
    let chain = ChainStore::open(&chain_dir(home))?;
    let tags = tag_index(store, &chain)?;
    Ok(cordon_chain::analysis::trace(&chain, &tags, opts)?)
}

/// Exposure of an address to tagged categories.
pub fn exposure(store: &Store, home: &Path, address: &str, asset: Option<&str>, max_hops: u32) -> Result<ExposureReport> {
    let chain = ChainStore::open(&chain_dir(home))?;
    let tags = tag_index(store, &chain)?;
    Ok(cordon_chain::analysis::exposure(&chain, &tags, address, asset, max_hops)?)
}

/// Parses a model name.
pub fn model(name: &str) -> Result<Model> {
    Model::parse(name).ok_or_else(|| EngineError::Invalid(format!("unknown model {name:?}: poison, haircut, fifo")))
}

/// Writes a synthetic chain to `dir`: `transactions.csv` and `token_transfers.csv`
/// (ethereum-etl), `tags.yaml` (TagPack), `truth.json`.
pub fn synth_write(o: &cordon_chain::synth::SynthOptions, dir: &Path) -> Result<cordon_chain::synth::Synth> {
    let s = cordon_chain::synth::generate(o);
    std::fs::create_dir_all(dir).map_err(|e| EngineError::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let io = |p: PathBuf| move |e| EngineError::Io { path: p.clone(), source: e };
    let p = dir.join("transactions.csv");
    let mut f = std::fs::File::create(&p).map_err(io(p.clone()))?;
    cordon_chain::synth::write_etl_csv(&s, &mut f).map_err(io(p.clone()))?;
    let p = dir.join("token_transfers.csv");
    let mut f = std::fs::File::create(&p).map_err(io(p.clone()))?;
    cordon_chain::synth::write_token_csv(&s, &mut f).map_err(io(p.clone()))?;
    let p = dir.join("tags.yaml");
    let mut f = std::fs::File::create(&p).map_err(io(p.clone()))?;
    cordon_chain::synth::write_tagpack(&s, &mut f).map_err(io(p.clone()))?;
    let p = dir.join("truth.json");
    std::fs::write(&p, serde_json::to_vec_pretty(&s.truth).expect("truth serialises")).map_err(io(p.clone()))?;
    Ok(s)
}

/// Tracing quality of one model on a synthetic chain.
#[derive(Debug, Serialize)]
pub struct ModelScore {
    /// Model.
    pub model: Model,
    /// Precision: flagged addresses that received stolen funds.
    pub precision: f64,
    /// Recall of the laundering addresses.
    pub recall: f64,
    /// Recall of the addresses behind the mixer (needs demixing; traces stop at mixers).
    pub via_mixer_recall: f64,
    /// Counts.
    pub counts: cordon_chain::synth::Score,
    /// Seconds for all traces of this model.
    pub secs: f64,
}

/// Generates a synthetic chain, imports it into a scratch home with its tags, traces every
/// hack forward with each model (`max_hops`, stopping at services and mixers) and scores the
/// flagged addresses against the planted truth. Flagged: a taint share of at least
/// `min_share` of what the address received (poison flags every reached address).
pub fn synth_evaluate(o: &cordon_chain::synth::SynthOptions, max_hops: u32, min_share: f64) -> Result<Vec<ModelScore>> {
    let scratch = tempfile::tempdir().map_err(|e| EngineError::Io {
        path: std::env::temp_dir(),
        source: e,
    })?;
    let home = scratch.path();
    let data = home.join("synth");
    let s = synth_write(o, &data)?;
    let mut store = Store::open(home)?;
    import_chain(
        &mut store,
        home,
        &[data.join("transactions.csv"), data.join("token_transfers.csv")],
        Some(Format::EthereumEtl),
        "synth",
        &mut |_| {},
    )?;
    import_tags(&mut store, &[data.join("tags.yaml")], &TagDefaults::default(), "synth")?;
    let chain = ChainStore::open(&chain_dir(home))?;
    let tags = tag_index(&store, &chain)?;
    let mut out = Vec::new();
    for model in [Model::Poison, Model::Haircut, Model::Fifo] {
        let t = std::time::Instant::now();
        let mut total = cordon_chain::synth::Score::default();
        for truth in &s.truth {
            let opts = TraceOptions {
                from: truth.hack.clone(),
                asset: Some("eth".into()),
                model,
                direction: cordon_graph::taint::Direction::Forward,
                max_hops,
                since: truth.block,
                stop: vec![TagCategory::Exchange, TagCategory::Service, TagCategory::Mixer],
            };
            let r = cordon_chain::analysis::trace(&chain, &tags, &opts)?;
            let flagged: Vec<String> = r
                .nodes
                .iter()
                .filter(|n| model == Model::Poison || n.share >= min_share)
                .map(|n| n.address.clone())
                .collect();
            total.add(&cordon_chain::synth::score(truth, &flagged));
        }
        out.push(ModelScore {
            model,
            precision: total.precision(),
            recall: total.recall(),
            via_mixer_recall: if total.via_mixer == 0 {
                1.0
            } else {
                total.via_mixer_found as f64 / total.via_mixer as f64
            },
            counts: total,
            secs: t.elapsed().as_secs_f64(),
        });
    }
    Ok(out)
}
