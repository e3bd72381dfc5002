//! Unmasking forged-identity worker networks: one operator runs many personas with different
//! names, birth dates and emails, but they share infrastructure — payout accounts, wallets,
//! devices, login IPs, laptop shipping addresses, photos, resume templates. This crate links
//! applicant and contractor records by what they share, weighs each shared value by how
//! rare it is in the data, clusters the records, explains every link, and raises the red
//! flags of the US advisories on DPRK IT workers.
#![deny(missing_docs)]

pub mod cluster;
pub mod er;
pub mod flags;
pub mod link;
pub mod norm;
pub mod record;
pub mod report;
mod spill;
pub mod synth;

pub use record::{LoginEvent, Record};
pub use spill::LoginEvents;

/// Errors of record linking.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// An input file cannot be used at all.
    #[error("{}: {message}", path.display())]
    Input {
        /// The file.
        path: std::path::PathBuf,
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
}

/// Bits of evidence from which two records are put in one cluster. One rare shared payout
/// account, device or wallet passes alone (about 10–12 bits in a pool of thousands); a shared
/// VPN address or a popular template does not, but adds up with other evidence.
pub fn cluster_threshold() -> f64 {
    10.0
}
