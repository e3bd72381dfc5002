//! Hangul: syllable decomposition, romanisation, family names.
//!
//! A precomposed Hangul syllable (U+AC00–U+D7A3) is `0xAC00 + (initial * 21 + medial) * 28 +
//! final`, with 19 initial consonants, 21 vowels and 28 finals (0 = none). Everything here works
//! on those three indices.

mod family;
mod romanize;

pub use family::{split_family_name, FAMILY_NAMES};
pub use romanize::{romanize_mr, romanize_rr, syllable_mr, syllable_rr, syllable_spellings};

/// First precomposed syllable, 가.
pub const FIRST: u32 = 0xAC00;
/// Number of precomposed syllables.
pub const COUNT: u32 = 11_172;

/// The jamo indices of a syllable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Jamo {
    /// Initial consonant, 0–18 (ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ).
    pub initial: u8,
    /// Vowel, 0–20 (ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ).
    pub medial: u8,
    /// Final consonant, 0 (none) – 27.
    pub final_: u8,
}

/// True for a precomposed Hangul syllable.
pub fn is_syllable(c: char) -> bool {
    (FIRST..FIRST + COUNT).contains(&(c as u32))
}

/// Splits a syllable into its jamo indices.
pub fn decompose(c: char) -> Option<Jamo> {
    let i = (c as u32).checked_sub(FIRST).filter(|i| *i < COUNT)?;
    Some(Jamo {
        initial: (i / (21 * 28)) as u8,
        medial: (i % (21 * 28) / 28) as u8,
        final_: (i % 28) as u8,
    })
}

/// Builds a syllable from jamo indices.
pub fn compose(j: Jamo) -> Option<char> {
    if j.initial > 18 || j.medial > 20 || j.final_ > 27 {
        return None;
    }
    char::from_u32(FIRST + (j.initial as u32 * 21 + j.medial as u32) * 28 + j.final_ as u32)
}

/// The syllable with the "initial sound rule" (두음법칙) undone in the direction both Koreas
/// agree on: ㄹ before i/y vowels is ㅇ in the South (리 → 이, 류 → 유), elsewhere ㄴ (로 → 노);
/// ㄴ before i/y vowels is ㅇ (녀 → 여). The North writes the ㄹ/ㄴ forms, so the same person is
/// 리 in Pyongyang and 이 in Seoul; comparing canonical syllables makes them one.
pub fn canonical(c: char) -> char {
    let Some(mut j) = decompose(c) else { return c };
    // ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ
    let iy = matches!(j.medial, 2 | 3 | 6 | 7 | 12 | 17 | 20);
    match j.initial {
        5 if iy => j.initial = 11,
        5 => j.initial = 2,
        2 if iy => j.initial = 11,
        _ => {}
    }
    compose(j).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompose_compose_round_trip() {
        for i in 0..COUNT {
            let c = char::from_u32(FIRST + i).unwrap();
            assert_eq!(compose(decompose(c).unwrap()), Some(c));
        }
        assert_eq!(
            decompose('김'),
            Some(Jamo {
                initial: 0,
                medial: 20,
                final_: 16
            })
        );
        assert_eq!(decompose('A'), None);
    }

    #[test]
    fn initial_sound_rule() {
        assert_eq!(canonical('리'), '이');
        assert_eq!(canonical('류'), '유');
        assert_eq!(canonical('로'), '노');
        assert_eq!(canonical('녀'), '여');
        assert_eq!(canonical('림'), '임');
        assert_eq!(canonical('김'), '김');
    }
}
