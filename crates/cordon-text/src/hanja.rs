//! Korean readings of Han characters (Hanja), for names written in Chinese characters
//! (金正恩 → 김정은).
//!
//! The table is `data/hanja.txt`, generated once by `gen/hanja.py` from the PyPI package
//! `hanja` (27,497 characters with their standard reading) plus surname readings that differ
//! from the standard one (金: 금, as a surname 김). It is parsed on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("../data/hanja.txt");

fn table() -> &'static HashMap<char, Vec<char>> {
    static MAP: OnceLock<HashMap<char, Vec<char>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: HashMap<char, Vec<char>> = HashMap::with_capacity(28_000);
        for line in TABLE.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let (extra, line) = match line.strip_prefix('+') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let Some((hex, readings)) = line.split_once(' ') else {
                continue;
            };
            let Ok(start) = u32::from_str_radix(hex, 16) else {
                continue;
            };
            if extra {
                if let Some(c) = char::from_u32(start) {
                    // Surname readings come first: names are what Cordon reads.
                    let v = map.entry(c).or_default();
                    for (i, r) in readings.chars().enumerate() {
                        v.insert(i, r);
                    }
                }
                continue;
            }
            for (i, r) in readings.chars().enumerate() {
                if r == '*' {
                    continue;
                }
                if let Some(c) = char::from_u32(start + i as u32) {
                    map.entry(c).or_default().push(r);
                }
            }
        }
        map
    })
}

/// Every syllable that is the reading of some Han character: the Sino-Korean syllables.
pub fn all_readings() -> impl Iterator<Item = char> {
    table().values().flatten().copied()
}

/// The Korean readings of a Han character, surname reading first.
pub fn readings(c: char) -> &'static [char] {
    table().get(&c).map(Vec::as_slice).unwrap_or(&[])
}

/// Reads a Han text in Hangul with the first reading of each character (金正恩 → 김정은);
/// characters without a reading are kept.
pub fn to_hangul(text: &str) -> String {
    text.chars().map(|c| readings(c).first().copied().unwrap_or(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dprk_names() {
        assert_eq!(to_hangul("金正恩"), "김정은");
        assert_eq!(to_hangul("金日成"), "김일성");
        assert_eq!(to_hangul("崔龍海"), "최용해");
        assert_eq!(readings('金'), ['김', '금']);
        assert_eq!(to_hangul("朴"), "박");
        assert!(readings('A').is_empty());
    }
}
