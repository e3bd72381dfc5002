//! ethereum-etl CSV exports: `transactions.csv` (ether transfers) and `token_transfers.csv`
//! (ERC-20/721 `Transfer` events), told apart by their header.

use std::io::Read;
use std::path::Path;

use crate::model::{normalize_address, Transfer};
use crate::ChainError;

/// Which ethereum-etl table a header belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EthTable {
    /// `transactions.csv`.
    Transactions,
    /// `token_transfers.csv`.
    TokenTransfers,
}

/// The table of a header row, if it is one of the two.
pub fn table_of(header: &[&str]) -> Option<EthTable> {
    let has = |c: &str| header.contains(&c);
    if has("token_address") && has("from_address") && has("to_address") && has("value") && has("transaction_hash") {
        Some(EthTable::TokenTransfers)
    } else if has("hash") && has("from_address") && has("to_address") && has("value") && has("block_number") {
        Some(EthTable::Transactions)
    } else {
        None
    }
}

/// What parsing skipped, by reason (kept with the import report).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Zero-value transfers (no funds move).
    pub zero: u64,
    /// Contract creations (no receiver).
    pub no_receiver: u64,
    /// Failed transactions (`receipt_status` 0).
    pub failed: u64,
    /// Values of 2¹²⁸ or more (spam tokens).
    pub huge: u64,
}

/// Parses an ethereum-etl CSV; a malformed row is an error naming its line and column.
pub fn parse(reader: impl Read, path: &Path) -> Result<(Vec<Transfer>, Skipped), ChainError> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(reader);
    let bad = |line: u64, what: String| ChainError::Parse {
        path: path.to_path_buf(),
        position: format!("line {line}"),
        message: what,
    };
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| bad(1, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let table = table_of(&names).ok_or_else(|| {
        bad(
            1,
            format!("not an ethereum-etl transactions or token_transfers table (columns: {})", names.join(",")),
        )
    })?;
    let col = |n: &str| names.iter().position(|h| *h == n);
    let need = |n: &str| col(n).ok_or_else(|| bad(1, format!("no `{n}` column")));
    let (from_c, to_c, value_c, block_c) = (need("from_address")?, need("to_address")?, need("value")?, need("block_number")?);
    let (tx_c, token_c) = match table {
        EthTable::Transactions => (need("hash")?, None),
        EthTable::TokenTransfers => (need("transaction_hash")?, Some(need("token_address")?)),
    };
    let status_c = col("receipt_status");
    let mut out = Vec::new();
    let mut skipped = Skipped::default();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(bad(line, e.to_string()));
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize, name: &str| -> Result<&str, ChainError> { rec.get(i).map(str::trim).ok_or_else(|| bad(line, format!("missing `{name}`"))) };
        if let Some(sc) = status_c {
            if rec.get(sc).map(str::trim) == Some("0") {
                skipped.failed += 1;
                continue;
            }
        }
        let value = field(value_c, "value")?;
        let amount: u128 = match value.parse::<u128>() {
            Ok(v) => v,
            Err(_) if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                skipped.huge += 1;
                continue;
            }
            Err(_) => return Err(bad(line, format!("value {value:?} is not a whole number"))),
        };
        let to = field(to_c, "to_address")?;
        if to.is_empty() {
            skipped.no_receiver += 1;
            continue;
        }
        if amount == 0 {
            skipped.zero += 1;
            continue;
        }
        let from = field(from_c, "from_address")?;
        let check = |a: &str, name: &str| -> Result<String, ChainError> {
            let n = normalize_address(a);
            if n.len() == 42 && n.starts_with("0x") {
                Ok(n)
            } else {
                Err(bad(line, format!("{name} {a:?} is not a 0x address")))
            }
        };
        let block = field(block_c, "block_number")?;
        let height: u32 = block.parse().map_err(|_| bad(line, format!("block_number {block:?} is not a block height")))?;
        let asset = match token_c {
            None => "eth".to_string(),
            Some(c) => format!("erc20:{}", check(field(c, "token_address")?, "token_address")?),
        };
        out.push(Transfer {
            asset,
            from: check(from, "from_address")?,
            to: check(to, "to_address")?,
            amount,
            height,
            tx: field(tx_c, "hash")?.to_ascii_lowercase(),
        });
    }
    Ok((out, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_errors() {
        let csv = "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp\n\
                   0xaa,1,0xb,47218,0,0x1406854d149e081ac09cb4ca560da463f3123059,0xA0E74AE010D51894734C308D612131056BB721AD,110000000000000000000,1,1,0x,1\n\
                   0xab,1,0xb,47218,1,0x1406854d149e081ac09cb4ca560da463f3123059,,5,1,1,0x,1\n\
                   0xac,1,0xb,47218,2,0x1406854d149e081ac09cb4ca560da463f3123059,0xa0e74ae010d51894734c308d612131056bb721ad,0,1,1,0x,1\n";
        let (t, s) = parse(csv.as_bytes(), Path::new("tx.csv")).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].amount, 110_000_000_000_000_000_000);
        assert_eq!(t[0].to, "0xa0e74ae010d51894734c308d612131056bb721ad");
        assert_eq!((s.no_receiver, s.zero), (1, 1));
        let broken = csv.replace("110000000000000000000", "11x");
        let e = parse(broken.as_bytes(), Path::new("tx.csv")).unwrap_err().to_string();
        assert!(e.contains("tx.csv") && e.contains("line 2") && e.contains("11x"), "{e}");
    }
}
