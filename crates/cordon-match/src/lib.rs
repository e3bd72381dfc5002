//! Name matching for sanctions screening.
//!
//! A name is analysed once into a [`NameForm`]: folded tokens, each with the Korean syllables it
//! may stand for (from romanised Latin, Hangul, Hanja or Cyrillic), legal forms and particles
//! marked. Two forms are compared by aligning their tokens ([`compare_names`]):
//!
//! - tokens match exactly, as romanisation variants of one Korean syllable (KIM = GIM,
//!   RI = LEE), as a joined given name against its split syllables (JONGUN = JONG UN), or by
//!   edit similarity for longer tokens;
//! - the alignment is order-independent (family name first or last);
//! - when both names read as Korean, every given-name syllable must agree: a different syllable
//!   (JONG UN ≠ JONG IL) is a strong mismatch, whatever the edit distance says;
//! - tokens carry weights (rarity; legal forms and particles weigh little), and the score in
//!   [0, 1] blends how much of the shorter name is covered with how much of both is matched.
//!
//! Every comparison returns an explanation a compliance analyst can read.
#![deny(missing_docs)]

mod analyze;
mod compare;
mod screener;
pub mod strsim;

pub use analyze::{analyze, skeleton, NameForm, NameToken, TokenRole};
pub use compare::{compare_names, name_score, NameScore, DEFAULT_THRESHOLD};
pub use screener::{normalize_id, normalize_wallet, Feature, FeatureScore, Hit, Query, Schema, Screener, DEFAULT_LIMIT, SCREEN_THRESHOLD};
