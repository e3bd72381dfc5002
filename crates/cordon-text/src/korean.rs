//! Romanised Korean: which Hangul syllables a romanised syllable may stand for.
//!
//! The index is generated, not listed: every one of the 11,172 Hangul syllables is romanised
//! with RR, MR (word-initial and voiced forms) and the conventional variants of its initial,
//! vowel and final ([`crate::hangul::syllable_spellings`]), plus the conventional family-name
//! spellings ([`crate::hangul::FAMILY_NAMES`]). Each spelling maps to the *canonical* syllables
//! (initial-sound rule undone, [`crate::hangul::canonical`]) it can come from. Two romanised
//! syllables are the same Korean syllable when those sets meet.
//!
//! The index is built on first use (about 0.2 s) and shared.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::hangul;

/// Longest spelling of one syllable in the index, in bytes.
const MAX_SPELLING: usize = 8;

struct Index {
    /// By spelling packed into a word ([`pack`]): name matching looks up every prefix of a
    /// joined given name, and hashing strings was a good part of that.
    by_spelling: HashMap<u64, Vec<char>, BuildHasherDefault<WordHasher>>,
    /// By canonical syllable, the letters its spellings start and end with ([`letter_bit`]).
    edges: HashMap<char, (u32, u32)>,
}

/// A spelling of at most [`MAX_SPELLING`] bytes as one word (bytes in order, zero padded;
/// spellings hold no zero byte); `None` for a longer one, which the index cannot hold.
fn pack(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() > MAX_SPELLING {
        return None;
    }
    let mut w = [0u8; 8];
    w[..b.len()].copy_from_slice(b);
    Some(u64::from_le_bytes(w))
}

/// A hasher for keys that are one word: a multiply spreads the bytes over the high bits.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(26);
    }
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut by_spelling: HashMap<u64, Vec<char>, BuildHasherDefault<WordHasher>> = HashMap::with_capacity_and_hasher(1 << 16, Default::default());
        let names = name_syllables();
        for i in 0..hangul::COUNT {
            let c = char::from_u32(hangul::FIRST + i).expect("Hangul syllable");
            let k = hangul::canonical(c);
            // Only syllables names are made of: with all 11,172, REID and LUIS both read as
            // some unheard-of syllable with a final ㄷ and "match" as Korean.
            if !names.contains(&k) {
                continue;
            }
            for s in hangul::syllable_spellings(c) {
                if let Some(w) = pack(&s).filter(|_| !s.is_empty()) {
                    by_spelling.entry(w).or_default().push(k);
                }
            }
        }
        for (h, spellings) in hangul::FAMILY_NAMES {
            let mut chars = h.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                for s in *spellings {
                    let w = pack(s).expect("family-name spellings are short");
                    by_spelling.entry(w).or_default().push(hangul::canonical(c));
                }
            }
        }
        let mut edges: HashMap<char, (u32, u32)> = HashMap::new();
        for (w, v) in by_spelling.iter_mut() {
            v.sort_unstable();
            v.dedup();
            let bytes = w.to_le_bytes();
            let n = bytes.iter().position(|&b| b == 0).unwrap_or(8);
            for &k in v.iter() {
                let e = edges.entry(k).or_default();
                e.0 |= letter_bit(bytes[0]);
                e.1 |= letter_bit(bytes[n - 1]);
            }
        }
        Index { by_spelling, edges }
    })
}

/// Syllables found in Korean names, canonical: the Sino-Korean syllables (readings of Hanja,
/// which given and family names are nearly always built from), the family names, and the
/// native syllables common in given names (하늘, 아름, 슬기, 한빛, 솔).
fn name_syllables() -> std::collections::HashSet<char> {
    const NATIVE: &str = "늘름빛솔샘봄잎꽃슬얀별롬랑";
    let mut set: std::collections::HashSet<char> = crate::hanja::all_readings().chain(NATIVE.chars()).map(hangul::canonical).collect();
    for (h, _) in hangul::FAMILY_NAMES {
        set.extend(h.chars().map(hangul::canonical));
    }
    set
}

/// A bit for a byte of a spelling: bits 0–25 for `a`–`z`, bit 31 for anything else.
pub fn letter_bit(b: u8) -> u32 {
    if b.is_ascii_lowercase() {
        1 << (b - b'a')
    } else {
        1 << 31
    }
}

/// The letters ([`letter_bit`]) the spellings of a canonical syllable start and end with: a
/// word whose first letter is not among the first is not that syllable, nor a run of
/// syllables starting with it.
pub fn spelling_edges(c: char) -> (u32, u32) {
    index().edges.get(&c).copied().unwrap_or((0, 0))
}

/// The canonical Hangul syllables a romanised syllable may stand for (empty if it is not a
/// Korean syllable in any system). `s` must be folded (lower case ASCII).
pub fn syllables(s: &str) -> &'static [char] {
    pack(s).and_then(|w| index().by_spelling.get(&w)).map_or(&[], Vec::as_slice)
}

/// True when `s` is a romanised spelling of a Korean family name (`kim`, `lee`, `park`,
/// `choe`, `namgung`), systematic or conventional.
pub fn is_family_name(s: &str) -> bool {
    static FAMILY: OnceLock<crate::fnv::FnvSet<String>> = OnceLock::new();
    FAMILY
        .get_or_init(|| {
            let mut set = crate::fnv::FnvSet::default();
            for (h, spellings) in hangul::FAMILY_NAMES {
                set.extend(spellings.iter().map(|s| s.to_string()));
                let mut one = h.chars();
                if let (Some(c), None) = (one.next(), one.next()) {
                    set.extend(hangul::syllable_spellings(c).into_iter().filter(|s| s.len() >= 2));
                }
            }
            set
        })
        .contains(s)
}

/// True when a canonical Hangul syllable is a one-syllable Korean family name (김, 이, 박, 최…).
pub fn is_family_syllable(c: char) -> bool {
    hangul::FAMILY_NAMES.iter().any(|(h, _)| {
        let mut it = h.chars();
        matches!((it.next(), it.next()), (Some(f), None) if hangul::canonical(f) == c)
    })
}

/// True when `s` spells some Korean syllable.
pub fn is_syllable(s: &str) -> bool {
    !syllables(s).is_empty()
}

/// True when two romanised syllables can be the same Korean syllable (`jong`/`chung`,
/// `ri`/`lee`, `kim`/`gim`); false when either is not a Korean syllable.
pub fn same_syllable(a: &str, b: &str) -> bool {
    a == b && is_syllable(a) || intersects(syllables(a), syllables(b))
}

/// True when two sorted sets meet: Hangul syllable sets here, and any other sorted ids (the
/// Mandarin syllable ids of [`crate::chinese`]).
pub fn intersects<T: Ord>(a: &[T], b: &[T]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The ways a word splits into romanised Korean syllables (`jongun` → `jong un`, `jon gun`),
/// fewest syllables first, at most `limit`.
pub fn segmentations(word: &str, limit: usize) -> Vec<Vec<&str>> {
    let n = word.len();
    if n == 0 || !word.is_ascii() {
        return Vec::new();
    }
    // reach[i]: the word's suffix from i can be split.
    let mut reach = vec![false; n + 1];
    reach[n] = true;
    for i in (0..n).rev() {
        reach[i] = (1..=MAX_SPELLING.min(n - i)).any(|l| reach[i + l] && is_syllable(&word[i..i + l]));
    }
    let mut out = Vec::new();
    if !reach[0] {
        return out;
    }
    let mut stack: Vec<(usize, Vec<&str>)> = vec![(0, Vec::new())];
    while let Some((i, parts)) = stack.pop() {
        if i == n {
            out.push(parts);
            if out.len() >= limit * 4 {
                break;
            }
            continue;
        }
        for l in 1..=MAX_SPELLING.min(n - i) {
            if reach[i + l] && is_syllable(&word[i..i + l]) {
                let mut p = parts.clone();
                p.push(&word[i..i + l]);
                stack.push((i + l, p));
            }
        }
    }
    out.sort_by_key(|p| p.len());
    out.truncate(limit);
    out
}

/// True when a joined word (`jongun`) splits into syllables that match `parts` one to one
/// (`["jong", "un"]`): how a passport's joined given name is compared with a list's split one.
pub fn joined_matches(word: &str, parts: &[&str]) -> bool {
    fn go(word: &str, parts: &[&str]) -> bool {
        let Some((first, rest)) = parts.split_first() else {
            return word.is_empty();
        };
        (1..=MAX_SPELLING.min(word.len())).any(|l| word.is_char_boundary(l) && same_syllable(&word[..l], first) && go(&word[l..], rest))
    }
    !parts.is_empty() && go(word, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romanisation_classes() {
        for (a, b) in [
            ("kim", "gim"),
            ("ri", "lee"),
            ("ri", "yi"),
            ("ri", "rhee"),
            ("li", "i"),
            ("pak", "park"),
            ("park", "bak"),
            ("paek", "baek"),
            ("choe", "choi"),
            ("choi", "chwe"),
            ("jong", "chong"),
            ("jong", "jeong"),
            ("jong", "cheong"),
            ("chung", "jung"),
            ("un", "eun"),
            ("un", "woon"),
            ("chol", "cheol"),
            ("cheol", "chul"),
            ("kwang", "gwang"),
            ("sok", "seok"),
            ("seok", "suk"),
            ("hyon", "hyeon"),
            ("hyeon", "hyun"),
            ("jon", "chon"),
            ("jeon", "chun"),
            ("chun", "jun"),
            ("ryong", "yong"),
        ] {
            assert!(same_syllable(a, b), "{a} ~ {b}");
        }
        for (a, b) in [("un", "il"), ("jong", "il"), ("kim", "pak"), ("chol", "nam"), ("yo", "un")] {
            assert!(!same_syllable(a, b), "{a} !~ {b}");
        }
        assert!(!is_syllable("x"));
        for f in ["kim", "lee", "park", "choi", "choe", "namgung", "ri", "pak", "jong"] {
            assert!(is_family_name(f), "{f}");
        }
        assert!(!is_family_name("merkel") && !is_family_name("angela"));
        assert!(!same_syllable("vladimir", "vladimir"), "not Korean");
    }

    #[test]
    fn joined_given_names() {
        assert!(joined_matches("jongun", &["jong", "un"]));
        assert!(joined_matches("jongeun", &["jong", "un"]));
        assert!(joined_matches("chongchol", &["jeong", "cheol"]));
        assert!(!joined_matches("jongil", &["jong", "un"]));
        let segs = segmentations("jongun", 8);
        assert!(segs.iter().any(|s| s == &["jong", "un"]), "{segs:?}");
        assert!(segmentations("smith", 4).is_empty() || segmentations("smith", 4).iter().all(|s| s.len() > 1));
    }
}
