//! Cyrillic names: a Latin transliteration for comparing Russian, Ukrainian or Belarusian names
//! with their Latin spellings, and the Russian transcription of Korean names (the Kontsevich
//! system, plus the older Soviet forms still used in the press: Ким Чен Ын, Чхве Рён Хэ,
//! Ли Су Ён) read back into Hangul syllables.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::hangul::{self, decompose};

/// Transliterates Cyrillic to Latin for matching (close to BGN/PCGN, without diacritics; Serbian
/// and Macedonian letters as in their Latin alphabets): `Владимир Путин` → `vladimir putin`.
/// Other characters pass through.
pub fn to_latin(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let t = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'ґ' => "g",
            'д' => "d",
            'е' => "e",
            'ё' => "yo",
            'є' => "ye",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'і' => "i",
            'ї' => "yi",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ў' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'э' => "e",
            'ю' => "yu",
            'я' => "ya",
            'ү' => "u",
            'ө' => "o",
            'қ' => "k",
            'ғ' => "gh",
            'ң' => "ng",
            'һ' => "h",
            'ә' => "a",
            // Serbian and Macedonian, as their Latin alphabets write them without diacritics
            // (Вучић = Vucic, Ђоковић = Djokovic).
            'ђ' => "dj",
            'ћ' => "c",
            'џ' => "dz",
            'љ' => "lj",
            'њ' => "nj",
            'ј' => "j",
            'ѓ' => "gj",
            'ќ' => "kj",
            'ѕ' => "dz",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(t);
    }
    out
}

const INITIAL: [&[&str]; 19] = [
    &["к", "г"],
    &["кк", "к"],
    &["н"],
    &["т", "д"],
    &["тт", "т"],
    &["р", "л"],
    &["м"],
    &["п", "б"],
    &["пп", "п"],
    &["с", "ш"],
    &["сс", "с"],
    &[""],
    &["ч", "чж", "дж", "ж"],
    &["чч", "ч"],
    &["чх", "ч"],
    &["кх", "к"],
    &["тх", "т"],
    &["пх", "п"],
    &["х"],
];

const MEDIAL: [&[&str]; 21] = [
    &["а"],
    &["э", "е"],
    &["я"],
    &["йе", "е"],
    &["о", "е", "ё"],
    &["е", "э"],
    &["ё", "е", "йо"],
    &["е", "йе"],
    &["о"],
    &["ва", "оа"],
    &["вэ"],
    &["ве", "вэ", "ой"],
    &["ё", "йо"],
    &["у"],
    &["во"],
    &["ве"],
    &["ви"],
    &["ю"],
    &["ы", "у"],
    &["ый", "ы", "и", "уй"],
    &["и"],
];

fn finals(f: u8) -> &'static [&'static str] {
    match f {
        0 => &[""],
        1..=3 | 9 | 24 => &["к", "г"],
        4..=6 => &["н"],
        8 | 11..=13 | 15 => &["ль", "л"],
        10 | 16 => &["м"],
        14 | 17 | 18 | 26 => &["п", "б"],
        21 => &["н", "нг"],
        _ => &["т", "с"],
    }
}

/// Every Cyrillic spelling of a Hangul syllable.
pub fn syllable_spellings(c: char) -> Vec<String> {
    let Some(j) = decompose(c) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in INITIAL[j.initial as usize] {
        for m in MEDIAL[j.medial as usize] {
            for f in finals(j.final_) {
                out.push(format!("{i}{m}{f}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn index() -> &'static HashMap<String, Vec<char>> {
    static INDEX: OnceLock<HashMap<String, Vec<char>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: HashMap<String, Vec<char>> = HashMap::new();
        for i in 0..hangul::COUNT {
            let c = char::from_u32(hangul::FIRST + i).expect("Hangul syllable");
            let k = hangul::canonical(c);
            for s in syllable_spellings(c) {
                if !s.is_empty() {
                    m.entry(s).or_default().push(k);
                }
            }
        }
        for v in m.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        m
    })
}

/// The canonical Hangul syllables a Cyrillic syllable may transcribe (`чен` → 정, 전, …).
/// `s` must be lower case.
pub fn korean_syllables(s: &str) -> &'static [char] {
    index().get(s).map(Vec::as_slice).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::korean;

    #[test]
    fn transliterates_russian() {
        assert_eq!(to_latin("Владимир Путин"), "vladimir putin");
        assert_eq!(to_latin("Аляксандр Лукашэнка"), "alyaksandr lukashenka");
        assert_eq!(to_latin("Щукин"), "shchukin");
    }

    #[test]
    fn transliterates_serbian_letters() {
        // Ч is read as in Russian (ch), whatever the language.
        assert_eq!(to_latin("Александар Вучић"), "aleksandar vuchic");
        assert_eq!(to_latin("Ђоковић Јелена Љубичић Њего"), "djokovic jelena ljubichic njego");
    }

    #[test]
    fn reads_korean_names_in_cyrillic() {
        let same = |cyr: &str, rom: &str| korean::intersects(korean_syllables(cyr), korean::syllables(rom));
        for (cyr, rom) in [
            ("ким", "kim"),
            ("чен", "jong"),
            ("ын", "un"),
            ("чхве", "choe"),
            ("рён", "ryong"),
            ("хэ", "hae"),
            ("ли", "ri"),
            ("ли", "lee"),
            ("су", "su"),
            ("ён", "yong"),
            ("пак", "park"),
        ] {
            assert!(same(cyr, rom), "{cyr} ~ {rom}");
        }
        assert!(!same("ын", "il"));
        assert!(korean_syllables("владимир").is_empty());
    }
}
