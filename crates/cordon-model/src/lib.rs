//! Domain types of Cordon.
//!
//! An [`Entity`] is one listed party (person, organisation, vessel, aircraft or bare wallet) as a
//! sanctions list publishes it. The model is *lossless* in the sense that matters for screening and
//! audit: every name and alias with its quality and script, every date of birth in the form the
//! source gives it (exact, year, month, range, approximate), every document, address, wallet and
//! program. What a source carries that the typed fields do not hold goes into [`Entity::extra`]
//! under a source-prefixed key, so nothing a list says is silently dropped.
//!
//! Ids are stable across list versions: `un:<REFERENCE_NUMBER>` (`un:KPi.033`), `ofac:<UID>`
//! (`ofac:20157`), FollowTheMoney ids as given.
//!
//! This crate does no I/O; it only defines types, small parsers of textual values (dates,
//! countries) and script detection, so every other crate can share them.
//!
//! ```
//! use cordon_model::{Country, PartialDate};
//! assert_eq!(Country::from_name("Korea, North").code(), Some("KP"));
//! assert_eq!(PartialDate::parse("1984-01-08").unwrap().to_string(), "1984-01-08");
//! ```
#![deny(missing_docs)]

mod country;
mod date;
mod entity;
mod script;
mod tag;
mod version;

pub use country::{country_name, Country};
pub use date::{Dob, DobValue, PartialDate};
pub use entity::{Address, AliasKind, Entity, EntityKind, Gender, Identifier, Name, NamePart, NamePartKind, NameQuality, Relation, Wallet};
pub use script::Script;
pub use tag::{normalize_address, Tag, TagCategory};
pub use version::{ListFormat, ListVersion, VersionCounts};
