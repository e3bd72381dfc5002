use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A file format Cordon reads lists from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ListFormat {
    /// UN Security Council consolidated list XML (`CONSOLIDATED_LIST`).
    #[serde(rename = "un-xml")]
    UnXml,
    /// OFAC SDN_ADVANCED.XML (and the consolidated advanced file).
    #[serde(rename = "ofac-advanced")]
    OfacAdvanced,
    /// OFAC legacy CSV set: sdn.csv, add.csv, alt.csv, sdn_comments.csv.
    #[serde(rename = "ofac-csv")]
    OfacCsv,
    /// OFAC sdn.xml-family XML (`sdnList`).
    #[serde(rename = "ofac-xml")]
    OfacXml,
    /// FollowTheMoney JSON lines.
    #[serde(rename = "ftm")]
    Ftm,
}

impl ListFormat {
    /// All formats, for help texts and tests.
    pub const ALL: [ListFormat; 5] = [
        ListFormat::UnXml,
        ListFormat::OfacAdvanced,
        ListFormat::OfacCsv,
        ListFormat::OfacXml,
        ListFormat::Ftm,
    ];

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ListFormat::UnXml => "un-xml",
            ListFormat::OfacAdvanced => "ofac-advanced",
            ListFormat::OfacCsv => "ofac-csv",
            ListFormat::OfacXml => "ofac-xml",
            ListFormat::Ftm => "ftm",
        }
    }
}

impl fmt::Display for ListFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ListFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ListFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown list format {s:?}; expected one of un-xml, ofac-advanced, ofac-csv, ofac-xml, ftm"))
    }
}

/// Counts of what a list version holds, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionCounts {
    /// All entities.
    pub entities: u64,
    /// Persons.
    pub persons: u64,
    /// Organisations.
    pub organizations: u64,
    /// Vessels.
    pub vessels: u64,
    /// Aircraft.
    pub aircraft: u64,
    /// Names and aliases over all entities.
    pub names: u64,
    /// Crypto wallets over all entities.
    pub wallets: u64,
}

impl VersionCounts {
    /// Counts a set of entities.
    pub fn of<'a>(entities: impl IntoIterator<Item = &'a crate::Entity>) -> VersionCounts {
        let mut c = VersionCounts::default();
        for e in entities {
            c.entities += 1;
            match e.kind {
                crate::EntityKind::Person => c.persons += 1,
                crate::EntityKind::Organization => c.organizations += 1,
                crate::EntityKind::Vessel => c.vessels += 1,
                crate::EntityKind::Aircraft => c.aircraft += 1,
                crate::EntityKind::Wallet => {}
            }
            c.names += e.names.len() as u64;
            c.wallets += e.wallets.len() as u64;
        }
        c
    }
}

/// One imported version of one list, as the store records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVersion {
    /// Store id of the version.
    pub id: i64,
    /// The list: `un`, `ofac` (SDN), `ofac-cons` (OFAC non-SDN consolidated), `ftm`, …
    pub source: String,
    /// File format it was read from.
    pub format: ListFormat,
    /// Issue or publication date the file states, `YYYY-MM-DD`.
    pub issued: Option<String>,
    /// SHA-256 of the (decompressed) content, hex.
    pub sha256: String,
    /// When it was imported (UTC, RFC 3339).
    pub imported_at: String,
    /// Whether this is the version screening uses for its source.
    pub active: bool,
    /// What it holds.
    #[serde(flatten)]
    pub counts: VersionCounts,
    /// Where it was read from (file name or URL).
    pub origin: String,
}
