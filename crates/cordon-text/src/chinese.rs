//! Mandarin romanisations: Hanyu Pinyin and Wade–Giles.
//!
//! Taiwanese passports, Hong Kong registries and older lists write Mandarin names in
//! Wade–Giles (Hsi Chin-p'ing, Mao Tse-tung, Jui Pang Shipping); the mainland and most
//! sanctions entries use pinyin (Xi Jinping, Mao Zedong, Ruibang). The syllable inventory is
//! the set of readings in the pinyin table (`data/pinyin.txt`); each pinyin syllable is
//! converted to Wade–Giles by the standard rules below, with apostrophes and umlauts dropped as
//! they are in practice, and the conversion is inverted so a Wade–Giles syllable yields the
//! pinyin syllables it may stand for (CHIN → jin, qin; TSE → ze, ce).

use std::sync::OnceLock;

use crate::fnv::FnvMap;

/// The Wade–Giles spelling (no apostrophes, no umlauts) of a toneless pinyin syllable.
pub fn pinyin_to_wade_giles(p: &str) -> String {
    // Whole syllables that the initial/final rules below do not produce.
    let special = match p {
        "zi" | "ci" => Some("tzu"),
        "si" => Some("ssu"),
        "zhi" | "chi" => Some("chih"),
        "shi" => Some("shih"),
        "ri" => Some("jih"),
        "er" => Some("erh"),
        "yi" => Some("i"),
        "you" => Some("yu"),
        "yu" => Some("yu"),
        "yan" => Some("yen"),
        "ye" => Some("yeh"),
        "yue" => Some("yueh"),
        "yong" => Some("yung"),
        "yuan" => Some("yuan"),
        "yun" => Some("yun"),
        "ge" => Some("ko"),
        "ke" => Some("ko"),
        "he" => Some("ho"),
        "e" => Some("o"),
        _ => None,
    };
    if let Some(s) = special {
        return s.to_string();
    }
    let initials = [
        "zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w",
    ];
    let ini = initials.iter().find(|i| p.starts_with(*i)).copied().unwrap_or("");
    let fin = &p[ini.len()..];
    let wg_ini = match ini {
        "b" => "p",
        "d" => "t",
        "g" => "k",
        "j" | "q" | "zh" => "ch",
        "x" => "hs",
        "r" => "j",
        "z" | "c" => "ts",
        other => other,
    };
    let wg_fin = match fin {
        "ong" => "ung".to_string(),
        "ian" => "ien".to_string(),
        "ie" => "ieh".to_string(),
        "ue" => "ueh".to_string(),
        "uo" if matches!(ini, "g" | "k" | "h" | "sh") => "uo".to_string(),
        "uo" => "o".to_string(),
        "ui" if matches!(ini, "g" | "k") => "uei".to_string(),
        f => f.to_string(),
    };
    format!("{wg_ini}{wg_fin}")
}

struct Inventory {
    /// Pinyin syllable → id.
    pinyin: FnvMap<&'static str, u16>,
    /// Wade–Giles spelling → the pinyin syllables it stands for.
    wade_giles: FnvMap<String, Vec<u16>>,
}

fn inventory() -> &'static Inventory {
    static INV: OnceLock<Inventory> = OnceLock::new();
    INV.get_or_init(|| {
        let mut syllables: Vec<&'static str> = crate::pinyin::syllables().collect();
        syllables.sort_unstable();
        syllables.dedup();
        let pinyin: FnvMap<&'static str, u16> = syllables.iter().enumerate().map(|(i, s)| (*s, i as u16)).collect();
        let mut wade_giles: FnvMap<String, Vec<u16>> = FnvMap::default();
        for (s, id) in &pinyin {
            wade_giles.entry(pinyin_to_wade_giles(s)).or_default().push(*id);
        }
        for v in wade_giles.values_mut() {
            v.sort_unstable();
        }
        Inventory { pinyin, wade_giles }
    })
}

/// The id of a pinyin syllable, if the word is one.
pub fn pinyin_id(word: &str) -> Option<u16> {
    inventory().pinyin.get(word).copied()
}

/// True when the word is a Wade–Giles spelling and not a pinyin syllable (HSI, CHIN, TSE,
/// TUNG, JUI): a name holding one is written in Wade–Giles.
pub fn is_wade_giles_only(word: &str) -> bool {
    let inv = inventory();
    !inv.pinyin.contains_key(word) && inv.wade_giles.contains_key(word)
}

/// The pinyin syllables (ids, sorted) a word may stand for: itself if it is pinyin, and when
/// `wade_giles` is set (the name is written in Wade–Giles), the syllables it spells there.
pub fn syllable_ids(word: &str, wade_giles: bool) -> Vec<u16> {
    let inv = inventory();
    let mut out: Vec<u16> = Vec::new();
    if wade_giles {
        if let Some(v) = inv.wade_giles.get(word) {
            out.extend(v);
        }
    }
    if let Some(id) = inv.pinyin.get(word) {
        out.push(*id);
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        for (p, w) in [
            ("xi", "hsi"),
            ("jin", "chin"),
            ("ping", "ping"),
            ("mao", "mao"),
            ("ze", "tse"),
            ("dong", "tung"),
            ("rui", "jui"),
            ("bang", "pang"),
            ("xiang", "hsiang"),
            ("zhou", "chou"),
            ("guo", "kuo"),
            ("zuo", "tso"),
            ("gui", "kuei"),
            ("jiang", "chiang"),
            ("zi", "tzu"),
            ("shi", "shih"),
            ("lian", "lien"),
        ] {
            assert_eq!(pinyin_to_wade_giles(p), w, "{p}");
        }
    }

    #[test]
    fn reverse() {
        assert!(is_wade_giles_only("hsi") && is_wade_giles_only("tung") && is_wade_giles_only("jui"));
        assert!(!is_wade_giles_only("ping") && !is_wade_giles_only("kim") && !is_wade_giles_only("xi"));
        let chin = syllable_ids("chin", true);
        assert!(chin.contains(&pinyin_id("jin").unwrap()) && chin.contains(&pinyin_id("qin").unwrap()));
        assert_eq!(syllable_ids("ping", false), vec![pinyin_id("ping").unwrap()]);
    }
}
