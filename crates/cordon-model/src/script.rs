use serde::{Deserialize, Serialize};

/// Writing system of a name, as ISO 15924 codes.
///
/// Sources label scripts (OFAC's `ScriptValues`); where they do not, [`Script::detect`] decides
/// from the characters, so a UN `NAME_ORIGINAL_SCRIPT` in Hangul is known to be Hangul.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Script {
    /// Latin letters (with or without diacritics).
    #[serde(rename = "Latn")]
    Latin,
    /// Korean Hangul.
    #[serde(rename = "Hang")]
    Hangul,
    /// Han characters (Chinese, Hanja, Kanji), simplified or traditional.
    #[serde(rename = "Hani")]
    Han,
    /// Cyrillic.
    #[serde(rename = "Cyrl")]
    Cyrillic,
    /// Arabic (also Persian, Urdu, Pashto).
    #[serde(rename = "Arab")]
    Arabic,
    /// Greek.
    #[serde(rename = "Grek")]
    Greek,
    /// Hebrew.
    #[serde(rename = "Hebr")]
    Hebrew,
    /// Georgian.
    #[serde(rename = "Geor")]
    Georgian,
    /// Armenian.
    #[serde(rename = "Armn")]
    Armenian,
    /// Japanese kana (names written in kana, possibly mixed with Han).
    #[serde(rename = "Jpan")]
    Japanese,
    /// Thai.
    #[serde(rename = "Thai")]
    Thai,
    /// Any other script, or no letters at all.
    #[serde(rename = "Zyyy")]
    Other,
}

impl Script {
    /// The script of one character, `None` for characters common to all scripts (digits,
    /// punctuation, spaces).
    pub fn of_char(c: char) -> Option<Script> {
        let u = c as u32;
        Some(match u {
            0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
            0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F => Script::Hangul,
            0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Script::Han,
            0x3040..=0x30FF => Script::Japanese,
            0x400..=0x52F | 0x1C80..=0x1C8F => Script::Cyrillic,
            0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
            0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
            0x590..=0x5FF => Script::Hebrew,
            0x10A0..=0x10FF => Script::Georgian,
            0x530..=0x58F => Script::Armenian,
            0xE00..=0xE7F => Script::Thai,
            _ if c.is_alphabetic() => Script::Other,
            _ => return None,
        })
    }

    /// The dominant script of a text: the one most of its letters belong to. Kana anywhere makes
    /// the text Japanese, because Japanese names mix kana and Han.
    pub fn detect(text: &str) -> Script {
        let mut counts = [0usize; 12];
        for c in text.chars() {
            if let Some(s) = Script::of_char(c) {
                counts[s as usize] += 1;
            }
        }
        if counts[Script::Japanese as usize] > 0 {
            return Script::Japanese;
        }
        let (best, n) = counts.iter().enumerate().max_by_key(|(i, n)| (**n, usize::MAX - i)).unwrap();
        if *n == 0 {
            return Script::Other;
        }
        Script::ALL[best]
    }

    /// Maps an ISO 15924 code, or an English script name, to a script. OFAC's `ScriptCode`
    /// attribute mixes both ("Hang", "Cyrl", but "Latin", "Hebrew", "Japanese", "Korean").
    pub fn from_iso15924(code: &str) -> Script {
        match code {
            "Latn" | "Latin" => Script::Latin,
            "Hang" | "Kore" | "Hangul" | "Korean" => Script::Hangul,
            "Hani" | "Hans" | "Hant" | "Han" | "Chinese" | "Chinese Simplified" | "Chinese Traditional" => Script::Han,
            "Cyrl" | "Cyrillic" => Script::Cyrillic,
            "Arab" | "Arabic" => Script::Arabic,
            "Grek" | "Greek" => Script::Greek,
            "Hebr" | "Hebrew" => Script::Hebrew,
            "Geor" | "Georgian" => Script::Georgian,
            "Armn" | "Armenian" => Script::Armenian,
            "Jpan" | "Hira" | "Kana" | "Japanese" => Script::Japanese,
            "Thai" => Script::Thai,
            _ => Script::Other,
        }
    }

    /// The ISO 15924 code.
    pub fn code(self) -> &'static str {
        match self {
            Script::Latin => "Latn",
            Script::Hangul => "Hang",
            Script::Han => "Hani",
            Script::Cyrillic => "Cyrl",
            Script::Arabic => "Arab",
            Script::Greek => "Grek",
            Script::Hebrew => "Hebr",
            Script::Georgian => "Geor",
            Script::Armenian => "Armn",
            Script::Japanese => "Jpan",
            Script::Thai => "Thai",
            Script::Other => "Zyyy",
        }
    }

    const ALL: [Script; 12] = [
        Script::Latin,
        Script::Hangul,
        Script::Han,
        Script::Cyrillic,
        Script::Arabic,
        Script::Greek,
        Script::Hebrew,
        Script::Georgian,
        Script::Armenian,
        Script::Japanese,
        Script::Thai,
        Script::Other,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_scripts() {
        assert_eq!(Script::detect("KIM Jong Un"), Script::Latin);
        assert_eq!(Script::detect("김정은"), Script::Hangul);
        assert_eq!(Script::detect("金正恩"), Script::Han);
        assert_eq!(Script::detect("Ким Чен Ын"), Script::Cyrillic);
        assert_eq!(Script::detect("황금의 삼각주은행"), Script::Hangul);
        assert_eq!(Script::detect("123 -"), Script::Other);
        assert_eq!(Script::detect("トヨタ自動車"), Script::Japanese);
    }

    #[test]
    fn iso_codes_round_trip() {
        for s in Script::ALL {
            assert_eq!(Script::from_iso15924(s.code()), s);
        }
    }
}
