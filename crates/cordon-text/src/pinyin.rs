//! Mandarin readings (pinyin without tones) of Han characters, for Chinese names and the
//! Chinese front companies DPRK networks use (北京成兴贸易有限公司 → bei jing cheng xing …).
//!
//! The table is `data/pinyin.txt`, generated once by `gen/pinyin.py` from the PyPI package
//! `pypinyin` (first reading of 41,923 characters). It is parsed on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("../data/pinyin.txt");

fn table() -> &'static HashMap<char, &'static str> {
    static MAP: OnceLock<HashMap<char, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::with_capacity(42_000);
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.split(' ');
            let Some(start) = parts.next().and_then(|h| u32::from_str_radix(h, 16).ok()) else {
                continue;
            };
            for (i, syl) in parts.enumerate() {
                if syl != "*" {
                    if let Some(c) = char::from_u32(start + i as u32) {
                        map.insert(c, syl);
                    }
                }
            }
        }
        map
    })
}

/// The pinyin of a Han character.
pub fn reading(c: char) -> Option<&'static str> {
    table().get(&c).copied()
}

/// Every syllable the table reads some character as: the pinyin syllable inventory.
pub fn syllables() -> impl Iterator<Item = &'static str> {
    table().values().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names() {
        let read = |s: &str| s.chars().filter_map(reading).collect::<Vec<_>>().join(" ");
        assert_eq!(read("习近平"), "xi jin ping");
        assert_eq!(read("北京成兴贸易有限公司"), "bei jing cheng xing mao yi you xian gong si");
        assert_eq!(read("丹东"), "dan dong");
        assert_eq!(reading('A'), None);
    }
}
