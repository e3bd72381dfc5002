//! Chain-agnostic transfer graph for tracing funds.
//!
//! - [`Graph`]: compressed sparse rows in both directions with columnar edge attributes
//!   (exact amounts, time, transaction), 32 bytes per edge; built on all cores from an
//!   [`EdgeList`]; saved to and opened from a file by mmap.
//! - [`UnionFind`]: 4 bytes per element, roots are smallest members.
//! - [`taint`]: time-respecting reach (poison) and a replay carrying poison, haircut and FIFO
//!   taint per label in one pass.
#![deny(missing_docs)]

mod buf;
mod csr;
mod file;
pub mod taint;
mod unionfind;

pub use csr::{Amount, EdgeList, Graph};
pub use unionfind::UnionFind;

/// Errors of graph building and files.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Input that cannot form a graph.
    #[error("{0}")]
    Invalid(String),
    /// Beyond the sizes the format supports.
    #[error("too large: {0}")]
    TooLarge(String),
    /// Reading or writing a graph file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A graph file is damaged.
    #[error("{}: {what}", path.display())]
    Corrupt {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        what: String,
    },
}
