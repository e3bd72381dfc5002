//! Unicode normalisation and tokenisation of names.

use cordon_model::Script;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Folds a name for comparison: NFKC, lower case, Latin diacritics and McCune–Reischauer breves
/// removed (`Chŏng` → `chong`), typographic apostrophes straightened. Hangul and Han are kept
/// as they are (NFKC composes Hangul; decomposing it would destroy syllables).
pub fn fold(s: &str) -> String {
    // ASCII is its own NFKC form: only case and the backtick change (as below).
    if s.is_ascii() {
        return s.bytes().map(|b| if b == b'`' { '\'' } else { b.to_ascii_lowercase() as char }).collect();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc() {
        match c {
            '’' | '‘' | 'ʼ' | 'ʻ' | '`' | '´' | 'ʹ' => out.push('\''),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' | 'ð' => out.push('d'),
            'ł' | 'Ł' => out.push('l'),
            'ı' => out.push('i'),
            'þ' => out.push_str("th"),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            // Cyrillic letters keep their marks: й and ё are letters of their own there.
            c if Script::of_char(c) == Some(Script::Cyrillic) => out.extend(c.to_lowercase()),
            c if matches!(Script::of_char(c), Some(Script::Latin | Script::Greek)) => {
                decompose_canonical(c, |d| {
                    if !is_combining_mark(d) {
                        out.extend(d.to_lowercase())
                    }
                });
            }
            c if is_combining_mark(c) => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// One token of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Folded text, MR apostrophes removed.
    pub text: String,
    /// Script of the token.
    pub script: Script,
    /// The token was joined to the next one by a hyphen (`Jong-Un`): a hint that both are
    /// syllables of one given name.
    pub hyphen_after: bool,
    /// A comma followed the token (`KIM, Jong Un`): the tokens before it are the family name.
    pub comma_after: bool,
}

/// Splits a name into folded tokens. Spaces, commas, hyphens, periods and other punctuation
/// separate tokens; apostrophes inside a token are dropped, so MR aspiration marks disappear
/// (`CH'O'L` → `chol`, `Ch’o’l` → `chol`) while `O'Brien` becomes `obrien`.
pub fn tokens(name: &str) -> Vec<Token> {
    let folded = fold(name);
    let mut out: Vec<Token> = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<Token>| {
        if !cur.is_empty() {
            let script = Script::detect(cur);
            out.push(Token {
                text: std::mem::take(cur),
                script,
                hyphen_after: false,
                comma_after: false,
            });
        }
    };
    for c in folded.chars() {
        if c == '\'' {
            continue;
        }
        if c.is_alphanumeric() {
            // A change between scripts inside a run (김Kim) also separates tokens.
            if let (Some(last), Some(s)) = (cur.chars().last(), Script::of_char(c)) {
                if Script::of_char(last).is_some_and(|ls| ls != s) {
                    flush(&mut cur, &mut out);
                }
            }
            cur.push(c);
            continue;
        }
        flush(&mut cur, &mut out);
        if let Some(last) = out.last_mut() {
            match c {
                '-' | '‐' | '‑' | '–' => last.hyphen_after = true,
                ',' => last.comma_after = true,
                _ => {}
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn folds_diacritics_breves_and_apostrophes() {
        assert_eq!(fold("François Hollande"), "francois hollande");
        assert_eq!(fold("Chŏng Myŏng-ho"), "chong myong-ho");
        assert_eq!(texts("MUN CHO'NG-CH'O'L"), ["mun", "chong", "chol"]);
        assert_eq!(texts("Ch’o’l"), ["chol"]);
        assert_eq!(texts("Straße"), ["strasse"]);
        assert_eq!(fold("ＫＩＭ"), "kim");
    }

    #[test]
    fn keeps_hangul_and_cyrillic_letters() {
        assert_eq!(fold("김정은"), "김정은");
        assert_eq!(texts("Ким Чен Ын"), ["ким", "чен", "ын"]);
        assert_eq!(texts("Рён Хэ"), ["рён", "хэ"]);
    }

    #[test]
    fn marks_hyphens_and_commas() {
        let t = tokens("KIM, Jong-Un");
        assert_eq!(t.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(), ["kim", "jong", "un"]);
        assert!(t[0].comma_after && !t[0].hyphen_after);
        assert!(t[1].hyphen_after);
        assert_eq!(t[0].script, Script::Latin);
    }
}
