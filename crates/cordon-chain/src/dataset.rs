//! The chain dataset on disk, under `<home>/chain/`:
//!
//! - `addresses.txt`, `txs.txt`: interned strings, one per line, id = line number; append-only,
//!   so ids are stable across imports.
//! - `edges-<asset>.bin`: transfers of each asset, 32-byte records (source, target, amount,
//!   height, transaction), append-only; `graph-<asset>.cgr`: the graph built from them
//!   ([`cordon_graph::Graph`], opened by mmap).
//! - `utxo.bin`: UTXO transactions with their input and output addresses and values, for
//!   clustering and for resolving the outputs later inputs spend.
//! - `manifest.json`: the committed length of every file and the imported inputs (by SHA-256).
//!
//! An import parses everything first, then appends, rebuilds the graphs of the assets it
//! touched, and commits by writing the manifest last (atomically). On open, files longer than
//! the manifest says are cut back: a crashed import leaves nothing behind.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use cordon_graph::{EdgeList, Graph};
use serde::{Deserialize, Serialize};

use crate::model::{Parsed, UtxoTx};
use crate::ChainError;

/// No address (an output without one, an input that could not be resolved).
pub const NONE: u32 = u32::MAX;
/// Value not known.
pub const UNKNOWN: u64 = u64::MAX;

/// One input file as committed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ImportRecord {
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// The file as given.
    pub path: String,
    /// Format.
    pub format: String,
    /// Transfers (edges) added.
    pub edges: u64,
    /// UTXO transactions added.
    pub utxo_txs: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    /// Committed byte length per file.
    files: BTreeMap<String, u64>,
    /// Edges per asset.
    assets: BTreeMap<String, u64>,
    imports: Vec<ImportRecord>,
}

/// A UTXO transaction as stored, with interned ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTx {
    /// Transaction id.
    pub tx: u32,
    /// Block height.
    pub height: u32,
    /// Coinbase.
    pub coinbase: bool,
    /// Inputs: (address id or [`NONE`], value or [`UNKNOWN`]).
    pub inputs: Vec<(u32, u64)>,
    /// The output each input spends, as (transaction id, output index), when the input names
    /// it (empty for transactions stored before outpoints were kept).
    pub spends: Vec<Option<(u32, u32)>>,
    /// Outputs: (address id or [`NONE`], value, script type code).
    pub outputs: Vec<(u32, u64, u8)>,
}

/// Script type names by code.
pub const KINDS: &[&str] = &[
    "unknown",
    "p2pkh",
    "p2sh",
    "p2wpkh",
    "p2wsh",
    "p2tr",
    "pubkey",
    "multisig",
    "nulldata",
    "nonstandard",
    "pubkeyhash",
    "scripthash",
    "witness_v0_keyhash",
    "witness_v0_scripthash",
    "witness_v1_taproot",
];

fn kind_code(kind: &str) -> u8 {
    // bitcoin-etl names → the raw-block names, so both compare equal.
    let k = match kind {
        "pubkeyhash" => "p2pkh",
        "scripthash" => "p2sh",
        "witness_v0_keyhash" => "p2wpkh",
        "witness_v0_scripthash" => "p2wsh",
        "witness_v1_taproot" => "p2tr",
        other => other,
    };
    KINDS.iter().position(|x| *x == k).unwrap_or(0) as u8
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportSummary {
    /// Files imported.
    pub files: Vec<ImportRecord>,
    /// Files skipped because the same content was imported before.
    pub already: Vec<String>,
    /// New addresses.
    pub new_addresses: u64,
    /// Inputs whose spent output was not imported and whose script did not reveal an address.
    pub unresolved_inputs: u64,
    /// Assets whose graph was rebuilt.
    pub assets: Vec<String>,
}

/// The chain dataset.
pub struct ChainStore {
    dir: PathBuf,
    addresses: Vec<String>,
    index: HashMap<String, u32>,
    txs: Vec<String>,
    tx_index: HashMap<String, u32>,
    manifest: Manifest,
}

fn asset_file(asset: &str) -> String {
    asset.replace(':', "-")
}

impl ChainStore {
    /// Opens (creating) the dataset in `dir`, cutting files back to their committed length.
    pub fn open(dir: &Path) -> Result<ChainStore, ChainError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ChainError::Io { path: path.clone(), source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mpath = dir.join("manifest.json");
        let manifest: Manifest = match std::fs::read(&mpath) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ChainError::Parse {
                path: mpath.clone(),
                position: "manifest".into(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest {
                version: 1,
                ..Manifest::default()
            },
            Err(e) => return Err(io(&mpath)(e)),
        };
        // Roll back anything written after the last commit.
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let appendable = name.ends_with(".txt") || name.ends_with(".bin");
            if !appendable {
                continue;
            }
            let committed = manifest.files.get(&name).copied().unwrap_or(0);
            let len = entry.metadata().map_err(io(&entry.path()))?.len();
            if len > committed {
                let f = std::fs::OpenOptions::new().write(true).open(entry.path()).map_err(io(&entry.path()))?;
                f.set_len(committed).map_err(io(&entry.path()))?;
            }
        }
        let read_lines = |name: &str| -> Result<Vec<String>, ChainError> {
            let p = dir.join(name);
            match std::fs::File::open(&p) {
                Ok(f) => BufReader::new(f).lines().collect::<Result<_, _>>().map_err(io(&p)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => Err(io(&p)(e)),
            }
        };
        let addresses = read_lines("addresses.txt")?;
        let txs = read_lines("txs.txt")?;
        let index = addresses.iter().enumerate().map(|(i, a)| (a.clone(), i as u32)).collect();
        let tx_index = txs.iter().enumerate().map(|(i, a)| (a.clone(), i as u32)).collect();
        let mut store = ChainStore {
            dir: dir.to_path_buf(),
            addresses,
            index,
            txs,
            tx_index,
            manifest,
        };
        // A graph built by an import that did not commit is rebuilt from the committed edges.
        for (asset, &edges) in store.manifest.assets.clone().iter() {
            let ok = Graph::open(&store.graph_path(asset)).is_ok_and(|g| g.edges() as u64 == edges);
            if !ok {
                store.rebuild(asset)?;
            }
        }
        Ok(store)
    }

    fn graph_path(&self, asset: &str) -> PathBuf {
        self.dir.join(format!("graph-{}.cgr", asset_file(asset)))
    }

    fn edges_path(&self, asset: &str) -> PathBuf {
        self.dir.join(format!("edges-{}.bin", asset_file(asset)))
    }

    /// Number of addresses.
    pub fn address_count(&self) -> u32 {
        self.addresses.len() as u32
    }

    /// The address of an id.
    pub fn address(&self, id: u32) -> &str {
        &self.addresses[id as usize]
    }

    /// The id of an address (normalised first).
    pub fn id(&self, address: &str) -> Option<u32> {
        self.index.get(&crate::normalize_address(address)).copied()
    }

    /// The hash of a transaction id.
    pub fn tx_hash(&self, id: u32) -> &str {
        &self.txs[id as usize]
    }

    /// Assets with their edge counts.
    pub fn assets(&self) -> Vec<(String, u64)> {
        self.manifest.assets.iter().map(|(a, &n)| (a.clone(), n)).collect()
    }

    /// Imported inputs.
    pub fn imports(&self) -> &[ImportRecord] {
        &self.manifest.imports
    }

    /// The graph of an asset (mapped, not read).
    pub fn graph(&self, asset: &str) -> Result<Graph, ChainError> {
        if !self.manifest.assets.contains_key(asset) {
            return Err(ChainError::Invalid(format!(
                "no {asset} transfers imported; assets: {}",
                self.manifest.assets.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        Ok(Graph::open(&self.graph_path(asset))?)
    }

    fn intern(&mut self, a: &str, new: &mut Vec<String>) -> u32 {
        if let Some(&i) = self.index.get(a) {
            return i;
        }
        let i = self.addresses.len() as u32;
        self.addresses.push(a.to_string());
        self.index.insert(a.to_string(), i);
        new.push(a.to_string());
        i
    }

    fn intern_tx(&mut self, t: &str, new: &mut Vec<String>) -> u32 {
        if let Some(&i) = self.tx_index.get(t) {
            return i;
        }
        let i = self.txs.len() as u32;
        self.txs.push(t.to_string());
        self.tx_index.insert(t.to_string(), i);
        new.push(t.to_string());
        i
    }

    /// Every stored UTXO transaction, in import order.
    pub fn utxo_txs(&self) -> Result<Vec<StoredTx>, ChainError> {
        let p = self.dir.join("utxo.bin");
        let bytes = match std::fs::read(&p) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ChainError::Io { path: p, source: e }),
        };
        decode_utxo(&bytes).map_err(|at| ChainError::Parse {
            path: p,
            position: format!("byte {at}"),
            message: "damaged UTXO record".into(),
        })
    }

    /// Imports parsed files: `(path, format name, SHA-256 of the bytes, content)`. All or
    /// nothing: an error before the commit leaves the dataset as it was.
    pub fn import(&mut self, files: Vec<(PathBuf, String, String, Parsed)>, progress: &mut dyn FnMut(&str)) -> Result<ImportSummary, ChainError> {
        let mut summary = ImportSummary::default();
        let (mut new_addr, mut new_tx) = (Vec::new(), Vec::new());
        let mut edges: BTreeMap<String, EdgeList> = BTreeMap::new();
        let mut utxo_out: Vec<u8> = Vec::new();
        let mut seen_now: Vec<String> = Vec::new();
        // Outputs that later inputs may spend: from earlier imports and this one.
        let mut spendable: HashMap<(u32, u32), (u32, u64)> = HashMap::new();
        let has_utxo = files.iter().any(|f| matches!(f.3, Parsed::Utxo(_)));
        if has_utxo {
            for t in self.utxo_txs()? {
                for (i, &(a, v, _)) in t.outputs.iter().enumerate() {
                    spendable.insert((t.tx, i as u32), (a, v));
                }
            }
        }
        for (path, format, sha, parsed) in files {
            if self.manifest.imports.iter().any(|r| r.sha256 == sha) || seen_now.contains(&sha) {
                summary.already.push(path.display().to_string());
                continue;
            }
            seen_now.push(sha.clone());
            progress(&format!("{}: interning", path.display()));
            let mut rec = ImportRecord {
                sha256: sha,
                path: path.display().to_string(),
                format,
                edges: 0,
                utxo_txs: 0,
            };
            match parsed {
                Parsed::Account(transfers) => {
                    for t in transfers {
                        let (s, d) = (self.intern(&t.from, &mut new_addr), self.intern(&t.to, &mut new_addr));
                        let tx = self.intern_tx(&t.tx, &mut new_tx);
                        edges.entry(t.asset).or_default().push(s, d, t.amount, t.height, tx);
                        rec.edges += 1;
                    }
                }
                Parsed::Utxo(txs) => {
                    let list = edges.entry("btc".to_string()).or_default();
                    for t in txs {
                        let stored = self.resolve(&t, &mut spendable, &mut new_addr, &mut new_tx, &mut summary.unresolved_inputs);
                        rec.edges += utxo_edges(&stored, list);
                        rec.utxo_txs += 1;
                        encode_utxo(&stored, &mut utxo_out);
                    }
                }
            }
            summary.files.push(rec);
        }
        summary.new_addresses = new_addr.len() as u64;
        if summary.files.is_empty() {
            return Ok(summary);
        }
        // Append, then rebuild, then commit.
        let mut manifest = self.manifest.clone();
        let mut lines = |name: &str, items: &[String]| -> Result<(), ChainError> {
            let mut buf = Vec::new();
            for s in items {
                buf.extend_from_slice(s.as_bytes());
                buf.push(b'\n');
            }
            let len = self.append(name, &buf)?;
            manifest.files.insert(name.to_string(), len);
            Ok(())
        };
        lines("addresses.txt", &new_addr)?;
        lines("txs.txt", &new_tx)?;
        if !utxo_out.is_empty() {
            let len = self.append("utxo.bin", &utxo_out)?;
            manifest.files.insert("utxo.bin".into(), len);
        }
        for (asset, list) in &edges {
            if list.is_empty() {
                continue;
            }
            let name = format!("edges-{}.bin", asset_file(asset));
            let mut buf = Vec::with_capacity(list.len() * 32);
            for i in 0..list.len() {
                buf.extend_from_slice(&list.src[i].to_le_bytes());
                buf.extend_from_slice(&list.dst[i].to_le_bytes());
                buf.extend_from_slice(&list.amount[i].to_le_bytes());
                buf.extend_from_slice(&list.time[i].to_le_bytes());
                buf.extend_from_slice(&list.tx[i].to_le_bytes());
            }
            let len = self.append(&name, &buf)?;
            manifest.files.insert(name, len);
            *manifest.assets.entry(asset.clone()).or_default() += list.len() as u64;
            summary.assets.push(asset.clone());
        }
        manifest.imports.extend(summary.files.iter().cloned());
        for asset in &summary.assets {
            progress(&format!("building the {asset} graph"));
            self.build_graph(asset, manifest.files.get(&format!("edges-{}.bin", asset_file(asset))).copied().unwrap_or(0))?;
        }
        self.write_manifest(&manifest)?;
        self.manifest = manifest;
        Ok(summary)
    }

    /// Input addresses and values from the spent outputs when known, else from the input.
    fn resolve(
        &mut self,
        t: &UtxoTx,
        spendable: &mut HashMap<(u32, u32), (u32, u64)>,
        new_addr: &mut Vec<String>,
        new_tx: &mut Vec<String>,
        unresolved: &mut u64,
    ) -> StoredTx {
        let tx = self.intern_tx(&t.txid, new_tx);
        let mut inputs = Vec::with_capacity(t.inputs.len());
        // Outpoints are kept even when the spent transaction is not imported (yet): its id is
        // interned, so a later import of it links up.
        let spends: Vec<Option<(u32, u32)>> = if t.coinbase {
            vec![None; t.inputs.len()]
        } else {
            t.inputs.iter().map(|i| i.prev.as_ref().map(|(h, n)| (self.intern_tx(h, new_tx), *n))).collect()
        };
        for i in &t.inputs {
            let prev = i.prev.as_ref().and_then(|(h, n)| self.tx_index.get(h).map(|&id| (id, *n)));
            let known = prev.and_then(|p| spendable.get(&p).copied());
            let (addr, value) = match (known, &i.address) {
                (Some((a, v)), _) if a != NONE => (a, v),
                (_, Some(a)) => (self.intern(a, new_addr), i.value.or(known.map(|k| k.1)).unwrap_or(UNKNOWN)),
                (Some((_, v)), None) => (NONE, v),
                (None, None) => (NONE, i.value.unwrap_or(UNKNOWN)),
            };
            if addr == NONE {
                *unresolved += 1;
            }
            inputs.push((addr, value));
        }
        let outputs: Vec<(u32, u64, u8)> = t
            .outputs
            .iter()
            .map(|o| (o.address.as_ref().map_or(NONE, |a| self.intern(a, new_addr)), o.value, kind_code(&o.kind)))
            .collect();
        for (n, &(a, v, _)) in outputs.iter().enumerate() {
            spendable.insert((tx, n as u32), (a, v));
        }
        StoredTx {
            tx,
            height: t.height,
            coinbase: t.coinbase,
            inputs,
            spends,
            outputs,
        }
    }

    fn append(&self, name: &str, bytes: &[u8]) -> Result<u64, ChainError> {
        let p = self.dir.join(name);
        let io = |source| ChainError::Io { path: p.clone(), source };
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&p).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        f.metadata().map(|m| m.len()).map_err(io)
    }

    fn write_manifest(&self, m: &Manifest) -> Result<(), ChainError> {
        let p = self.dir.join("manifest.json");
        let io = |source| ChainError::Io { path: p.clone(), source };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        tmp.write_all(&serde_json::to_vec_pretty(m).expect("manifest serialises")).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&p).map_err(|e| io(e.error))?;
        Ok(())
    }

    fn rebuild(&mut self, asset: &str) -> Result<(), ChainError> {
        let len = self.manifest.files.get(&format!("edges-{}.bin", asset_file(asset))).copied().unwrap_or(0);
        self.build_graph(asset, len)
    }

    fn build_graph(&self, asset: &str, len: u64) -> Result<(), ChainError> {
        let p = self.edges_path(asset);
        let io = |source| ChainError::Io { path: p.clone(), source };
        let mut bytes = Vec::new();
        std::fs::File::open(&p).map_err(io)?.take(len).read_to_end(&mut bytes).map_err(io)?;
        let mut list = EdgeList::default();
        for r in bytes.chunks_exact(32) {
            let u32_at = |i: usize| u32::from_le_bytes(r[i..i + 4].try_into().expect("4 bytes"));
            list.push(
                u32_at(0),
                u32_at(4),
                u128::from_le_bytes(r[8..24].try_into().expect("16 bytes")),
                u32_at(24),
                u32_at(28),
            );
        }
        let g = Graph::build(self.address_count().max(1), &list)?;
        g.save(&self.graph_path(asset))?;
        Ok(())
    }
}

/// Address-graph edges of a UTXO transaction: every input address pays every output address
/// its share of the output (by input value when all are known, else equally). Amounts round
/// down; payments back to an input address (change to self) are not transfers.
fn utxo_edges(t: &StoredTx, list: &mut EdgeList) -> u64 {
    let ins: Vec<(u32, u64)> = t.inputs.iter().copied().filter(|&(a, _)| a != NONE).collect();
    if t.coinbase || ins.is_empty() {
        return 0;
    }
    let all_known = ins.iter().all(|&(_, v)| v != UNKNOWN);
    let total: u128 = if all_known { ins.iter().map(|&(_, v)| v as u128).sum() } else { 0 };
    let mut n = 0;
    for &(to, value, _) in &t.outputs {
        if to == NONE || value == 0 {
            continue;
        }
        for &(from, iv) in &ins {
            if from == to {
                continue;
            }
            let amount = if all_known && total > 0 {
                value as u128 * iv as u128 / total
            } else {
                value as u128 / ins.len() as u128
            };
            if amount > 0 {
                list.push(from, to, amount, t.height, t.tx);
                n += 1;
            }
        }
    }
    n
}

/// Flag bit of a record's coinbase byte: the record lists the outpoint each input spends.
const HAS_SPENDS: u8 = 2;

fn encode_utxo(t: &StoredTx, out: &mut Vec<u8>) {
    let spends = t.spends.len() == t.inputs.len();
    out.extend_from_slice(&t.tx.to_le_bytes());
    out.extend_from_slice(&t.height.to_le_bytes());
    out.push(t.coinbase as u8 | if spends { HAS_SPENDS } else { 0 });
    out.extend_from_slice(&(t.inputs.len() as u32).to_le_bytes());
    out.extend_from_slice(&(t.outputs.len() as u32).to_le_bytes());
    for &(a, v) in &t.inputs {
        out.extend_from_slice(&a.to_le_bytes());
        out.extend_from_slice(&v.to_le_bytes());
    }
    for &(a, v, k) in &t.outputs {
        out.extend_from_slice(&a.to_le_bytes());
        out.extend_from_slice(&v.to_le_bytes());
        out.push(k);
    }
    if spends {
        for s in &t.spends {
            let (tx, n) = s.unwrap_or((NONE, NONE));
            out.extend_from_slice(&tx.to_le_bytes());
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
}

fn decode_utxo(b: &[u8]) -> Result<Vec<StoredTx>, usize> {
    let mut out = Vec::new();
    let mut at = 0usize;
    let u32_at = |at: usize| -> Result<u32, usize> { b.get(at..at + 4).map(|s| u32::from_le_bytes(s.try_into().expect("4"))).ok_or(at) };
    let u64_at = |at: usize| -> Result<u64, usize> { b.get(at..at + 8).map(|s| u64::from_le_bytes(s.try_into().expect("8"))).ok_or(at) };
    while at < b.len() {
        let start = at;
        let tx = u32_at(at)?;
        let height = u32_at(at + 4)?;
        let flags = *b.get(at + 8).ok_or(start)?;
        let coinbase = flags & 1 != 0;
        let nin = u32_at(at + 9)? as usize;
        let nout = u32_at(at + 13)? as usize;
        at += 17;
        let with_spends = flags & HAS_SPENDS != 0;
        if b.len() < at + nin * 12 + nout * 13 + if with_spends { nin * 8 } else { 0 } {
            return Err(start);
        }
        let mut inputs = Vec::with_capacity(nin);
        for _ in 0..nin {
            inputs.push((u32_at(at)?, u64_at(at + 4)?));
            at += 12;
        }
        let mut outputs = Vec::with_capacity(nout);
        for _ in 0..nout {
            outputs.push((u32_at(at)?, u64_at(at + 4)?, b[at + 12]));
            at += 13;
        }
        let mut spends = Vec::new();
        if with_spends {
            for _ in 0..nin {
                let (tx, n) = (u32_at(at)?, u32_at(at + 4)?);
                spends.push((tx != NONE).then_some((tx, n)));
                at += 8;
            }
        }
        out.push(StoredTx {
            tx,
            height,
            coinbase,
            inputs,
            spends,
            outputs,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utxo_records_round_trip_with_and_without_outpoints() {
        let with = StoredTx {
            tx: 7,
            height: 100,
            coinbase: false,
            inputs: vec![(1, 5000), (NONE, UNKNOWN)],
            spends: vec![Some((3, 1)), None],
            outputs: vec![(2, 4000, 1), (NONE, 900, 0)],
        };
        // Records written before outpoints were kept have no flag and no outpoint block.
        let without = StoredTx {
            spends: Vec::new(),
            ..with.clone()
        };
        let mut bytes = Vec::new();
        encode_utxo(&with, &mut bytes);
        encode_utxo(&without, &mut bytes);
        assert_eq!(decode_utxo(&bytes).unwrap(), vec![with, without]);
        // A cut record is an error at its start.
        let mut cut = Vec::new();
        encode_utxo(
            &StoredTx {
                coinbase: true,
                ..StoredTx::default_for_test()
            },
            &mut cut,
        );
        let whole = cut.len();
        encode_utxo(&StoredTx::default_for_test(), &mut cut);
        cut.pop();
        assert_eq!(decode_utxo(&cut), Err(whole));
    }

    impl StoredTx {
        fn default_for_test() -> StoredTx {
            StoredTx {
                tx: 1,
                height: 1,
                coinbase: false,
                inputs: vec![(1, 1)],
                spends: vec![Some((0, 0))],
                outputs: vec![(1, 1, 1)],
            }
        }
    }
}
