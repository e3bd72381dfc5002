//! Bitcoin: bitcoin-etl JSON transaction exports and raw consensus-serialised blocks (a single
//! block, or `blk*.dat` files with their network magic and length prefixes).

use std::io::BufRead;
use std::path::Path;

use bitcoin::consensus::Decodable;
use bitcoin::{Address, Block, Network, Script};

use crate::model::{normalize_address, Input, Output, UtxoTx};
use crate::ChainError;

/// Parses bitcoin-etl transactions (JSON lines, or a JSON array).
pub fn parse_etl(reader: impl BufRead, path: &Path) -> Result<Vec<UtxoTx>, ChainError> {
    let bad = |line: usize, message: String| ChainError::Parse {
        path: path.to_path_buf(),
        position: format!("line {line}"),
        message,
    };
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| ChainError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(i + 1, format!("invalid JSON: {e}")))?;
        out.push(etl_tx(&v).map_err(|m| bad(i + 1, m))?);
    }
    Ok(out)
}

fn etl_tx(v: &serde_json::Value) -> Result<UtxoTx, String> {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let txid = s("hash").ok_or("no `hash`")?;
    let height = v.get("block_number").and_then(|x| x.as_u64()).ok_or("no `block_number`")?;
    let height = u32::try_from(height).map_err(|_| format!("block_number {height} is out of range"))?;
    let coinbase = v.get("is_coinbase").and_then(|x| x.as_bool()).unwrap_or(false);
    let addresses = |o: &serde_json::Value| -> Option<String> {
        let list: Vec<&str> = o.get("addresses")?.as_array()?.iter().filter_map(|a| a.as_str()).collect();
        match list.as_slice() {
            [] => None,
            [one] => Some(normalize_address(one)),
            many => Some(format!("multisig({})", many.join(","))),
        }
    };
    let value = |o: &serde_json::Value| -> Result<Option<u64>, String> {
        match o.get("value") {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(x) => x.as_u64().map(Some).ok_or_else(|| format!("value {x} is not a whole number of satoshi")),
        }
    };
    let mut inputs = Vec::new();
    for inp in v.get("inputs").and_then(|x| x.as_array()).map(Vec::as_slice).unwrap_or(&[]) {
        let prev = inp.get("spent_transaction_hash").and_then(|x| x.as_str()).map(str::to_string);
        let idx = inp.get("spent_output_index").and_then(|x| x.as_u64()).unwrap_or(0) as u32;
        inputs.push(Input {
            prev: prev.map(|p| (p, idx)),
            address: addresses(inp),
            value: value(inp)?,
        });
    }
    let mut outputs = Vec::new();
    for o in v.get("outputs").and_then(|x| x.as_array()).map(Vec::as_slice).unwrap_or(&[]) {
        outputs.push(Output {
            address: addresses(o),
            value: value(o)?.ok_or("an output without a value")?,
            kind: o.get("type").and_then(|x| x.as_str()).unwrap_or("unknown").to_string(),
        });
    }
    if coinbase {
        inputs.clear();
    }
    Ok(UtxoTx {
        txid,
        height,
        coinbase,
        inputs,
        outputs,
    })
}

/// Mainnet magic bytes that start each block of a `blk*.dat` file.
const MAGIC: [u8; 4] = [0xf9, 0xbe, 0xb4, 0xd9];

/// True when the bytes look like a raw block or a `blk*.dat` file (version 1–4 or BIP9 bits).
pub fn looks_raw(head: &[u8]) -> bool {
    if head.len() >= 4 && head[..4] == MAGIC {
        return true;
    }
    head.len() >= 81 && {
        let version = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        (1..=4).contains(&version) || version & 0xe000_0000 == 0x2000_0000
    }
}

/// Parses raw blocks: one consensus-serialised block, or a `blk*.dat` sequence. The height
/// comes from the coinbase (BIP34); a truncated or malformed block is an error naming its
/// byte offset.
pub fn parse_raw(bytes: &[u8], path: &Path) -> Result<Vec<UtxoTx>, ChainError> {
    let bad = |at: usize, message: String| ChainError::Parse {
        path: path.to_path_buf(),
        position: format!("byte {at}"),
        message,
    };
    let mut blocks: Vec<(usize, &[u8])> = Vec::new();
    if bytes.len() >= 4 && bytes[..4] == MAGIC {
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at..].iter().all(|&b| b == 0) {
                break; // blk files are preallocated with zeros
            }
            if bytes.len() < at + 8 || bytes[at..at + 4] != MAGIC {
                return Err(bad(at, "expected the network magic f9beb4d9 and a block length".into()));
            }
            let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
            let end = at + 8 + len;
            if end > bytes.len() {
                return Err(bad(at, format!("truncated block: {len} bytes announced, {} present", bytes.len() - at - 8)));
            }
            blocks.push((at + 8, &bytes[at + 8..end]));
            at = end;
        }
    } else {
        blocks.push((0, bytes));
    }
    let mut out = Vec::new();
    for (offset, raw) in blocks {
        let mut cursor = raw;
        let block = Block::consensus_decode(&mut cursor).map_err(|e| bad(offset, format!("not a valid block: {e}")))?;
        if !cursor.is_empty() {
            return Err(bad(offset + raw.len() - cursor.len(), format!("{} bytes after the block", cursor.len())));
        }
        let height = block
            .bip34_block_height()
            .map_err(|e| bad(offset, format!("no block height in the coinbase (BIP34): {e}")))?;
        let height = u32::try_from(height).map_err(|_| bad(offset, "block height out of range".into()))?;
        for tx in &block.txdata {
            let coinbase = tx.is_coinbase();
            let inputs = if coinbase {
                Vec::new()
            } else {
                tx.input
                    .iter()
                    .map(|i| Input {
                        prev: Some((i.previous_output.txid.to_string(), i.previous_output.vout)),
                        address: spender(&i.script_sig, &i.witness),
                        value: None,
                    })
                    .collect()
            };
            let outputs = tx
                .output
                .iter()
                .map(|o| {
                    let address = Address::from_script(&o.script_pubkey, Network::Bitcoin)
                        .ok()
                        .map(|a| normalize_address(&a.to_string()));
                    Output {
                        address,
                        value: o.value.to_sat(),
                        kind: script_kind(&o.script_pubkey).to_string(),
                    }
                })
                .collect();
            out.push(UtxoTx {
                txid: tx.compute_txid().to_string(),
                height,
                coinbase,
                inputs,
                outputs,
            });
        }
    }
    Ok(out)
}

/// The address an input spends from, read from the input itself: a public key (P2PKH, P2WPKH)
/// or a redeem / witness script (P2SH, P2WSH). `None` when the input does not reveal it
/// (pay-to-pubkey, taproot key spends); then the spent output tells, if it was imported.
fn spender(script_sig: &Script, witness: &bitcoin::Witness) -> Option<String> {
    use bitcoin::script::Instruction;
    let pushes: Vec<&[u8]> = script_sig
        .instructions()
        .filter_map(|i| match i {
            Ok(Instruction::PushBytes(b)) => Some(b.as_bytes()),
            _ => None,
        })
        .collect();
    let addr = if !pushes.is_empty() {
        let last = *pushes.last()?;
        if pushes.len() == 2 && (last.len() == 33 || last.len() == 65) && matches!(last[0], 2..=4) {
            // <sig> <pubkey>: P2PKH.
            let pk = bitcoin::PublicKey::from_slice(last).ok()?;
            Some(Address::p2pkh(pk, Network::Bitcoin))
        } else if pushes.len() >= 2 || !witness.is_empty() {
            // The last push is a redeem script: P2SH (multisig, or nested segwit).
            let redeem = Script::from_bytes(last);
            Address::p2sh(redeem, Network::Bitcoin).ok()
        } else {
            None
        }
    } else if witness.len() == 2 && witness.nth(1).is_some_and(|pk| pk.len() == 33) {
        let pk = bitcoin::CompressedPublicKey::from_slice(witness.nth(1)?).ok()?;
        Some(Address::p2wpkh(&pk, bitcoin::KnownHrp::Mainnet))
    } else if witness.len() > 2 {
        let script = Script::from_bytes(witness.last()?);
        Some(Address::p2wsh(script, bitcoin::KnownHrp::Mainnet))
    } else {
        None
    };
    addr.map(|a| normalize_address(&a.to_string()))
}

fn script_kind(s: &Script) -> &'static str {
    if s.is_p2pkh() {
        "p2pkh"
    } else if s.is_p2sh() {
        "p2sh"
    } else if s.is_p2wpkh() {
        "p2wpkh"
    } else if s.is_p2wsh() {
        "p2wsh"
    } else if s.is_p2tr() {
        "p2tr"
    } else if s.is_p2pk() {
        "pubkey"
    } else if s.is_multisig() {
        "multisig"
    } else if s.is_op_return() {
        "nulldata"
    } else {
        "nonstandard"
    }
}
