//! What the parsers produce: transfers of account chains and transactions of UTXO chains.

/// One transfer on an account chain (a value transaction or a token transfer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// `eth`, or `erc20:0x…` for a token.
    pub asset: String,
    /// Sender (normalised).
    pub from: String,
    /// Receiver (normalised).
    pub to: String,
    /// Exact amount in the asset's smallest unit.
    pub amount: u128,
    /// Block height.
    pub height: u32,
    /// Transaction hash.
    pub tx: String,
}

/// An input of a UTXO transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The output it spends: (transaction id, output index).
    pub prev: Option<(String, u32)>,
    /// The spending address when the input itself tells it (exports that resolved it, or a
    /// public key / redeem script in the input).
    pub address: Option<String>,
    /// The spent value when known.
    pub value: Option<u64>,
}

/// An output of a UTXO transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Receiving address; `None` for scripts without one (OP_RETURN, non-standard).
    pub address: Option<String>,
    /// Value in satoshi.
    pub value: u64,
    /// Script type (`p2pkh`, `p2sh`, `p2wpkh`, `p2wsh`, `p2tr`, `pubkey`, `multisig`, …).
    pub kind: String,
}

/// A transaction of a UTXO chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UtxoTx {
    /// Transaction id (hex, as explorers show it).
    pub txid: String,
    /// Block height.
    pub height: u32,
    /// A coinbase (newly mined coins, no real inputs).
    pub coinbase: bool,
    /// Inputs.
    pub inputs: Vec<Input>,
    /// Outputs.
    pub outputs: Vec<Output>,
}

/// The content of one input file.
#[derive(Clone, Debug)]
pub enum Parsed {
    /// Account-chain transfers.
    Account(Vec<Transfer>),
    /// UTXO transactions of an asset (`btc`).
    Utxo(Vec<UtxoTx>),
}

pub use cordon_model::normalize_address;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_normalise_by_chain_rules() {
        assert_eq!(
            normalize_address("0x098B716B8Aaf21512996dC57EB0615e2383E2f96"),
            "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
        );
        assert_eq!(normalize_address("1BK769SseNefb6fe9QuFEi8W4KGbtP8gi3"), "1BK769SseNefb6fe9QuFEi8W4KGbtP8gi3");
        assert_eq!(normalize_address(" BC1QXY "), "bc1qxy");
    }
}
