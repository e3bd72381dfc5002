//! Chain data for tracing stolen funds.
#![deny(missing_docs)]

pub mod analysis;
pub mod btc;
pub mod cluster;
pub mod dataset;
pub mod eth;
pub mod model;
mod outputs;
pub mod read;
pub mod synth;
pub mod tags;

pub use model::{normalize_address, Input, Output, Parsed, Transfer, UtxoTx};

/// Errors of chain ingest and analysis.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// A malformed input file.
    #[error("{}: {position}: {message}", path.display())]
    Parse {
        /// The file.
        path: std::path::PathBuf,
        /// Where (line, byte).
        position: String,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The graph layer failed.
    #[error(transparent)]
    Graph(#[from] cordon_graph::GraphError),
    /// A request that cannot be carried out.
    #[error("{0}")]
    Invalid(String),
}
