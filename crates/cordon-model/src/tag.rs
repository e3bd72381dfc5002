//! Attribution tags on chain addresses.

use serde::{Deserialize, Serialize};

/// What kind of party an address belongs to. Tracing stops at services (exchanges), whose
/// pooled funds are not the depositor's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagCategory {
    /// On a sanctions list.
    Sanctioned,
    /// Attributed to the DPRK (Lazarus Group, TraderTraitor, APT38).
    Dprk,
    /// A mixer or tumbler.
    Mixer,
    /// An exchange.
    Exchange,
    /// Another custodial service (payment processor, gambling, hosted wallet).
    Service,
    /// A cross-chain bridge.
    Bridge,
    /// A decentralised exchange (pool or router): funds sent in come back in another asset in
    /// the same transaction, which traces follow.
    Dex,
    /// Anything else.
    Other,
}

impl TagCategory {
    /// All categories, most severe first.
    pub const ALL: [TagCategory; 8] = [
        TagCategory::Sanctioned,
        TagCategory::Dprk,
        TagCategory::Mixer,
        TagCategory::Bridge,
        TagCategory::Dex,
        TagCategory::Exchange,
        TagCategory::Service,
        TagCategory::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TagCategory::Sanctioned => "sanctioned",
            TagCategory::Dprk => "dprk",
            TagCategory::Mixer => "mixer",
            TagCategory::Exchange => "exchange",
            TagCategory::Service => "service",
            TagCategory::Bridge => "bridge",
            TagCategory::Dex => "dex",
            TagCategory::Other => "other",
        }
    }

    /// Reads a category name, including GraphSense TagPack taxonomy names (`mixing_service`,
    /// `defi_bridge`, `hosted_wallet`, …) and `lazarus`.
    pub fn parse(s: &str) -> Option<TagCategory> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Some(match s.as_str() {
            "sanctioned" | "sanction" | "sanctions" | "ofac" => TagCategory::Sanctioned,
            "dprk" | "lazarus" | "dprk/lazarus" | "north_korea" => TagCategory::Dprk,
            "mixer" | "mixing_service" | "mixing" | "tumbler" | "coinjoin" => TagCategory::Mixer,
            "exchange" | "exchange/service" => TagCategory::Exchange,
            "service" | "hosted_wallet" | "payment_processor" | "gambling" | "market" | "marketplace" | "miner" | "mining_service" => TagCategory::Service,
            "bridge" | "defi_bridge" => TagCategory::Bridge,
            "dex" | "defi_dex" | "dex_aggregator" | "decentralized_exchange" => TagCategory::Dex,
            "other" | "perpetrator" | "scam" | "hacker" | "" => TagCategory::Other,
            _ => return None,
        })
    }

    /// A service whose pooled funds end a trace.
    pub fn is_service(self) -> bool {
        matches!(self, TagCategory::Exchange | TagCategory::Service)
    }
}

/// One attribution of an address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// The address (normalised: lower-case for 0x and bech32).
    pub address: String,
    /// Label (`Lazarus Group`, `Binance deposit`).
    pub label: String,
    /// Category.
    pub category: TagCategory,
    /// The actor behind it, if known (`lazarus`, an entity id such as `ofac:27307`).
    pub actor: Option<String>,
    /// Confidence in [0, 1], if given.
    pub confidence: Option<f64>,
    /// Where the attribution comes from (file, list version, URL).
    pub source: String,
}

/// Normalises a chain address for lookups: Ethereum-style hex addresses and bech32 addresses
/// are case-insensitive (lower-cased); base58 addresses are case-sensitive (kept).
pub fn normalize_address(a: &str) -> String {
    let a = a.trim();
    let lower = a.to_ascii_lowercase();
    let is_hex = lower.len() == 42 && lower.starts_with("0x") && lower[2..].bytes().all(|b| b.is_ascii_hexdigit());
    let is_bech32 = ["bc1", "tb1", "ltc1", "bcrt1"].iter().any(|p| lower.starts_with(p));
    if is_hex || is_bech32 {
        lower
    } else {
        a.to_string()
    }
}
