//! Name text for screening.
//!
//! DPRK names reach a screening system in many spellings of one Korean name: McCune–Reischauer
//! as the UN and OFAC write it (`CH'OE SO'K MIN`), Revised Romanization (`Choe Seok-min`),
//! conventional South Korean spellings (`Choi Suk Min`), Hangul (`최석민`), Hanja (`崔錫敏`)
//! and Cyrillic (`Чхве Сок Мин`). This crate turns each into comparable units:
//!
//! - [`normalize`]: NFKC, case folding, Latin diacritics and MR breves removed, MR apostrophes
//!   dropped inside words, tokens with their script and whether a hyphen joined them.
//! - [`hangul`]: syllable decomposition, McCune–Reischauer and Revised romanisation, the
//!   conventional spellings, and family-name detection (including 남궁, 제갈, 선우, 황보, 독고).
//! - [`korean`]: the reverse direction. Every romanised spelling of every Hangul syllable is
//!   generated from the romanisation tables, so any romanised syllable maps to the set of
//!   Hangul syllables it may stand for; two spellings are the same syllable when their sets
//!   meet (`Jong`/`Chong`/`Jeong`/`Chung`, `Ri`/`Lee`/`Yi`/`Rhee`). Joined given names
//!   (`Jongun`) are segmented into syllables.
//! - [`hanja`]: Korean readings of Han characters, from a table generated once from the PyPI
//!   package `hanja` (see `gen/hanja.py`).
//! - [`pinyin`]: Mandarin readings of Han characters, from a table generated once from the PyPI
//!   package `pypinyin` (see `gen/pinyin.py`), for Chinese names and front companies.
//! - [`nicknames`]: English given names and their nicknames (Ted / Theodore), generated once
//!   from the PyPI package `nicknames` (see `gen/nicknames.py`).
//! - [`chinese`]: Wade–Giles read as pinyin (Hsi Chin-ping = Xi Jinping), by rules over the
//!   pinyin syllable inventory.
//! - [`translit`]: Latin readings of Greek, Armenian, Georgian and Japanese kana names.
//! - [`cyrillic`]: the Russian transcription of Korean (Kontsevich system, with the older Soviet
//!   forms such as Чен for 정) read back into Hangul syllables.
//!
//! ```
//! use cordon_text::{hangul, korean};
//! assert_eq!(hangul::romanize_rr("김정은"), "gim jeong eun");
//! assert!(korean::same_syllable("jong", "chung"));
//! assert!(korean::same_syllable("ri", "lee"));
//! assert!(!korean::same_syllable("un", "il"));
//! ```
#![deny(missing_docs)]

pub mod chinese;
pub mod cyrillic;
mod fnv;
pub mod hangul;
pub mod hanja;
pub mod korean;
pub mod nicknames;
pub mod normalize;
pub mod pinyin;
pub mod translit;

pub use normalize::{fold, tokens, Token};
