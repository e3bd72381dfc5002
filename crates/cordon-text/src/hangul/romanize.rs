//! Romanisation of Hangul syllables: Revised Romanization (RR, South Korea 2000),
//! McCune–Reischauer as the DPRK, UN and OFAC write it (apostrophes and breves dropped), and the
//! conventional spellings people actually use in passports and the press.
//!
//! Names are romanised syllable by syllable, without the sound changes across syllable
//! boundaries that RR and MR apply inside ordinary words, because that is how personal names are
//! written (김정은 → Kim Jong Un, not Kim Jongeun with assimilation).

use super::{decompose, Jamo};

/// RR initials, in jamo order.
const RR_INITIAL: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h",
];
/// RR vowels.
const RR_MEDIAL: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
];
/// RR finals (0 = none).
const RR_FINAL: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "p", "t", "t", "p", "t", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// MR initials at the start of a word (voiceless), apostrophes dropped.
const MR_INITIAL: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t", "p", "h",
];
/// MR initials inside a word (voiced between voiced sounds).
const MR_INITIAL_VOICED: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "tch", "ch", "k", "t", "p", "h",
];
/// MR vowels, breves dropped (ŏ → o, ŭ → u).
const MR_MEDIAL: [&str; 21] = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i",
];

/// Other vowel spellings in use (passports, press, older systems).
fn medial_variants(m: u8) -> &'static [&'static str] {
    match m {
        0 => &["a", "ah"],
        1 => &["ae", "ai", "e"],
        2 => &["ya"],
        3 => &["yae", "ye"],
        4 => &["eo", "o", "u", "oh", "uh", "e"],
        5 => &["e", "ae"],
        6 => &["yeo", "yo", "you", "yu", "ye", "yeu"],
        7 => &["ye", "yeh"],
        8 => &["o", "oh", "oo"],
        9 => &["wa", "oa"],
        10 => &["wae", "wai"],
        11 => &["oe", "oi", "we", "wi", "oy"],
        12 => &["yo", "yoh"],
        13 => &["u", "oo", "woo", "ou"],
        14 => &["wo", "weo", "uo", "uh"],
        15 => &["we"],
        16 => &["wi", "wee", "ui"],
        17 => &["yu", "yoo", "you"],
        18 => &["eu", "u", "ue"],
        19 => &["ui", "eui", "i", "ei", "eu", "ee"],
        20 => &["i", "ee"],
        _ => &[],
    }
}

/// Other initial spellings in use.
fn initial_variants(i: u8) -> &'static [&'static str] {
    match i {
        0 => &["g", "k", "gh"],
        1 => &["kk", "gg", "k", "g"],
        2 => &["n"],
        3 => &["d", "t"],
        4 => &["tt", "dd", "t", "d"],
        // 리 → 이 and 로 → 노 are handled by `canonical`, not by dropping letters here.
        5 => &["r", "l"],
        6 => &["m"],
        7 => &["b", "p"],
        8 => &["pp", "bb", "p", "b"],
        9 => &["s", "sh"],
        10 => &["ss", "s", "sh"],
        11 => &[""],
        12 => &["j", "ch", "jh", "dj", "tj", "z"],
        13 => &["jj", "tch", "j", "ch", "zz"],
        14 => &["ch", "chh", "c", "j"],
        15 => &["k", "kh"],
        16 => &["t", "th"],
        17 => &["p", "ph", "f"],
        18 => &["h"],
        _ => &[],
    }
}

/// Other final spellings in use (ㄱ as -g, ㄹ as -r, ㅂ as -b, ㅇ as -ng only).
fn final_variants(f: u8) -> &'static [&'static str] {
    match f {
        0 => &[""],
        1..=3 | 9 | 24 => &["k", "g", "ck"],
        4..=6 => &["n"],
        8 | 11..=13 | 15 => &["l", "r", "ll"],
        10 | 16 => &["m"],
        17 | 18 | 26 | 14 => &["p", "b"],
        21 => &["ng"],
        _ => &["t", "d", "s"],
    }
}

/// Revised Romanization of one syllable (name style: no cross-syllable changes).
pub fn syllable_rr(c: char) -> Option<String> {
    let j = decompose(c)?;
    Some(format!(
        "{}{}{}",
        RR_INITIAL[j.initial as usize], RR_MEDIAL[j.medial as usize], RR_FINAL[j.final_ as usize]
    ))
}

/// McCune–Reischauer of one syllable, apostrophes and breves dropped; `word_initial` selects
/// the voiceless initial (김 → kim at the start, -gim inside a word).
pub fn syllable_mr(c: char, word_initial: bool) -> Option<String> {
    let j = decompose(c)?;
    let init = if word_initial { MR_INITIAL } else { MR_INITIAL_VOICED };
    Some(format!(
        "{}{}{}",
        init[j.initial as usize], MR_MEDIAL[j.medial as usize], RR_FINAL[j.final_ as usize]
    ))
}

fn romanize(hangul: &str, f: impl Fn(char, usize) -> Option<String>) -> String {
    let mut out = String::new();
    let mut pos = 0;
    for c in hangul.chars() {
        match f(c, pos) {
            Some(r) => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(&r);
                pos += 1;
            }
            None => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
                pos = 0;
            }
        }
    }
    out.trim_end().to_string()
}

/// Revised Romanization of a Hangul text, syllables separated by spaces (`김정은` → `gim jeong
/// eun`).
pub fn romanize_rr(hangul: &str) -> String {
    romanize(hangul, |c, _| syllable_rr(c))
}

/// McCune–Reischauer of a Hangul text, syllables separated by spaces; the first syllable of
/// each word takes the voiceless initial (`김정은` → `kim jong un`).
pub fn romanize_mr(hangul: &str) -> String {
    romanize(hangul, |c, pos| syllable_mr(c, pos == 0))
}

/// Every spelling of a syllable Cordon recognises: RR, MR (word-initial and voiced), and the
/// conventional variants of its initial, vowel and final, combined. Deduplicated, sorted.
pub fn syllable_spellings(c: char) -> Vec<String> {
    let Some(j) = decompose(c) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let Jamo { initial, medial, final_ } = j;
    for i in initial_variants(initial).iter().chain([
        &MR_INITIAL[initial as usize],
        &MR_INITIAL_VOICED[initial as usize],
        &RR_INITIAL[initial as usize],
    ]) {
        for m in medial_variants(medial).iter().chain([&MR_MEDIAL[medial as usize], &RR_MEDIAL[medial as usize]]) {
            for f in final_variants(final_) {
                // A vowel spelt with a leading w/y after ㅇ already carries it ("wo", "yu").
                let i = if initial == 11 && (m.starts_with('w') || m.starts_with('y')) { "" } else { i };
                out.push(format!("{i}{m}{f}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rr_and_mr_of_names() {
        assert_eq!(romanize_rr("김정은"), "gim jeong eun");
        assert_eq!(romanize_mr("김정은"), "kim jong un");
        assert_eq!(romanize_mr("최룡해"), "choe ryong hae");
        assert_eq!(romanize_rr("최룡해"), "choe ryong hae");
        assert_eq!(romanize_mr("문정철"), "mun jong chol");
        assert_eq!(romanize_rr("리제선"), "ri je seon");
        assert_eq!(romanize_mr("박 영식"), "pak yong sik");
    }

    #[test]
    fn spellings_cover_conventional_forms() {
        let has = |c: char, s: &str| syllable_spellings(c).iter().any(|x| x == s);
        for s in ["kim", "gim"] {
            assert!(has('김', s), "{s}");
        }
        for s in ["jong", "chong", "jeong", "cheong", "chung", "jung"] {
            assert!(has('정', s), "{s}");
        }
        for s in ["un", "eun"] {
            assert!(has('은', s), "{s}");
        }
        for s in ["pak", "bak"] {
            assert!(has('박', s), "{s}");
        }
        for s in ["choe", "choi", "chwe"] {
            assert!(has('최', s), "{s}");
        }
        for s in ["chol", "cheol", "chul"] {
            assert!(has('철', s), "{s}");
        }
        for s in ["hyon", "hyeon", "hyun"] {
            assert!(has('현', s), "{s}");
        }
        for s in ["sok", "seok", "suk"] {
            assert!(has('석', s), "{s}");
        }
        assert!(!has('은', "il"));
    }
}
