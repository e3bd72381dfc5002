//! Reading an input file whatever its format: detected from content unless given.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::model::Parsed;
use crate::ChainError;

/// Input formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// ethereum-etl `transactions.csv` or `token_transfers.csv`.
    EthereumEtl,
    /// bitcoin-etl transactions JSON lines.
    BitcoinEtl,
    /// Raw consensus-serialised blocks (one block or `blk*.dat`).
    BtcRaw,
}

impl Format {
    /// The CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Format::EthereumEtl => "ethereum-etl",
            Format::BitcoinEtl => "bitcoin-etl",
            Format::BtcRaw => "btc-raw",
        }
    }

    /// Parses a CLI name.
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "ethereum-etl" => Format::EthereumEtl,
            "bitcoin-etl" => Format::BitcoinEtl,
            "btc-raw" => Format::BtcRaw,
            _ => return None,
        })
    }
}

/// The format of some bytes, from their content.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if crate::btc::looks_raw(bytes) && !matches!(first, Some(b'{') | Some(b'[')) && !bytes.is_ascii() {
        return Some(Format::BtcRaw);
    }
    match first {
        Some(b'{') => Some(Format::BitcoinEtl),
        Some(_) => {
            let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
            let header = String::from_utf8_lossy(header);
            let cols: Vec<&str> = header.trim().split(',').map(str::trim).collect();
            crate::eth::table_of(&cols).map(|_| Format::EthereumEtl)
        }
        None => None,
    }
}

/// What reading a file gave: format, SHA-256 of its bytes, content, and notes (skipped rows).
pub struct ReadFile {
    /// Format.
    pub format: Format,
    /// SHA-256 (hex).
    pub sha256: String,
    /// Content.
    pub parsed: Parsed,
    /// What was skipped and why.
    pub notes: Vec<String>,
}

/// Reads and parses one file.
pub fn read_file(path: &Path, format: Option<Format>) -> Result<ReadFile, ChainError> {
    let bytes = std::fs::read(path).map_err(|source| ChainError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let format = match format.or_else(|| detect(&bytes)) {
        Some(f) => f,
        None => return Err(ChainError::Parse {
            path: path.to_path_buf(),
            position: "start".into(),
            message:
                "unknown format: expected an ethereum-etl CSV (transactions or token_transfers), bitcoin-etl JSON lines, or raw Bitcoin blocks; pass --format"
                    .into(),
        }),
    };
    let mut notes = Vec::new();
    let parsed = match format {
        Format::EthereumEtl => {
            let (t, s) = crate::eth::parse(&bytes[..], path)?;
            for (n, why) in [
                (s.zero, "zero-value"),
                (s.no_receiver, "contract-creation"),
                (s.failed, "failed"),
                (s.huge, "value ≥ 2^128 (spam token)"),
            ] {
                if n > 0 {
                    notes.push(format!("{n} {why} rows skipped"));
                }
            }
            Parsed::Account(t)
        }
        Format::BitcoinEtl => Parsed::Utxo(crate::btc::parse_etl(&bytes[..], path)?),
        Format::BtcRaw => Parsed::Utxo(crate::btc::parse_raw(&bytes, path)?),
    };
    Ok(ReadFile { format, sha256, parsed, notes })
}
