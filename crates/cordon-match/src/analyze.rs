//! Name analysis: from a raw name to tokens ready for comparison.

use cordon_model::Script;
use cordon_text::{chinese, cyrillic, hangul, hanja, korean, tokens};

/// What a token is in a name; roles decide weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRole {
    /// An ordinary name token.
    Name,
    /// A legal form (LLC, JSC, Ltd, GmbH), canonicalised.
    Legal,
    /// A word common in organisation names (trading, group, international).
    Generic,
    /// A name particle (al, bin, van, de).
    Particle,
    /// Digits.
    Number,
    /// A father's name in East Slavic or Turkic style (Viktorovich, Oleksandrivna, Ogly): many
    /// documents leave it out, so it weighs little and compares only with another patronymic.
    Patronymic,
}

/// One analysed token.
#[derive(Clone, Debug, PartialEq)]
pub struct NameToken {
    /// Comparison text: folded Latin (Cyrillic transliterated, Hangul romanised MR).
    pub text: String,
    /// The canonical Hangul syllables the token may stand for, sorted; empty when it cannot be a
    /// Korean syllable.
    pub korean: Vec<char>,
    /// The syllable is known exactly (the name was written in Hangul or Hanja).
    pub exact_korean: bool,
    /// Role.
    pub role: TokenRole,
    /// A hyphen joined it to the next token.
    pub hyphen_after: bool,
    /// The token is (part of) a family name known from the writing (Hangul family name, or the
    /// part before a comma).
    pub family: bool,
    /// Consonant skeleton ([`skeleton`]), computed once.
    pub skeleton: String,
    /// Rarity weight in (0, 1]; 1.0 unless an index sets it from document frequencies.
    pub weight: f64,
    /// The token as written in Cyrillic (lower case), when it was: joined Korean names are
    /// split on the Cyrillic syllables (Джегал → Дже + гал), not on the transliteration.
    pub cyrillic: String,
    /// The Mandarin syllables (pinyin ids, sorted) the token may stand for: its own when it is
    /// pinyin, and in a name written in Wade–Giles also the ones it spells there (CHIN → jin,
    /// qin), so Hsi Chin-ping meets Xi Jinping.
    pub chinese: Vec<u16>,
    /// The token is a given name or nickname of the nickname table
    /// ([`cordon_text::nicknames`]): only such tokens are looked up there.
    pub nickname: bool,
    /// Counts of the letters a–z in `text`: cheap bounds before edit distances.
    pub letters: [u8; 26],
    /// Length of `text` in characters.
    pub chars: usize,
    /// The word of another language this token translates (a romanised Korean word of an
    /// organisation's name, or a Chinese or Korean term), shown in explanations; empty for a
    /// token as written.
    pub source: String,
    /// Id of the token in a screener's vocabulary ([`NO_ID`] outside one): equal ids are
    /// tokens that compare alike with any other (see [`NameToken::vocab_key`]), so
    /// similarities are memoised by id.
    pub id: u32,
}

impl NameToken {
    /// What decides how the token compares: its text, role and Korean syllables (two tokens
    /// romanised alike may be different syllables: 정 and 종 both read JONG).
    pub fn vocab_key(&self) -> String {
        let mut k = String::with_capacity(self.text.len() + 8);
        k.push_str(&self.text);
        k.push('\u{0}');
        k.push(if self.exact_korean { 'x' } else { '-' });
        k.push(match self.role {
            TokenRole::Name => 'n',
            TokenRole::Legal => 'l',
            TokenRole::Generic => 'g',
            TokenRole::Particle => 'p',
            TokenRole::Number => 'd',
            TokenRole::Patronymic => 'f',
        });
        k.extend(self.korean.iter());
        k.push('\u{0}');
        k.push_str(&self.cyrillic);
        // Not for comparing: so that an explanation shows the token as that name wrote it.
        k.push('\u{0}');
        k.push_str(&self.source);
        for c in &self.chinese {
            k.push(char::from_u32(0xE000 + *c as u32).unwrap_or('?'));
        }
        k
    }
}

/// Whether an initialism spells the token. Function words never are (KCST = Korean Committee
/// for Space Technology). Legal forms mostly are left out too (MPS = Ministry of People's
/// Security) but sometimes spelled (KOEC = Korea Oil Exploration Corporation), so initials are
/// read both ways, `with_legal` or not: by the scorer and by the index's keys alike.
pub(crate) fn in_initials(t: &NameToken, with_legal: bool) -> bool {
    !matches!(t.text.as_str(), "of" | "for" | "the" | "and" | "de" | "du" | "des" | "la" | "le") && (with_legal || t.role != TokenRole::Legal)
}

/// The id of a token no vocabulary holds.
pub const NO_ID: u32 = u32::MAX;

/// Counts of the letters a–z.
pub(crate) fn letter_counts(text: &str) -> [u8; 26] {
    let mut c = [0u8; 26];
    for b in text.bytes() {
        if b.is_ascii_lowercase() {
            c[(b - b'a') as usize] = c[(b - b'a') as usize].saturating_add(1);
        }
    }
    c
}

/// An analysed name.
#[derive(Clone, Debug, PartialEq)]
pub struct NameForm {
    /// The name as given.
    pub original: String,
    /// Tokens in order.
    pub tokens: Vec<NameToken>,
    /// Analysed as an organisation name.
    pub is_org: bool,
    /// The name reads as Korean (see `compare`): syllables decide its comparisons.
    pub korean: bool,
}

impl NameForm {
    /// Tokens that carry the name (not legal forms or particles).
    pub fn name_tokens(&self) -> impl Iterator<Item = &NameToken> {
        self.tokens.iter().filter(|t| matches!(t.role, TokenRole::Name | TokenRole::Number))
    }
}

/// A consonant skeleton for spotting transliteration variants of one name (Muhammad /
/// Mohammed → `mhmd`, Husayn / Hussein → `hsn`, Ahmadinezhad / Ahmadinejad → `hmdnjd`): vowels
/// and doubled letters dropped, sounds that alphabets write differently merged.
pub fn skeleton(word: &str) -> String {
    let b = word.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        // Digraphs that alphabets write as one letter.
        let (c, step) = match (b[i], next) {
            (b'z', Some(b'h')) | (b'd', Some(b'j')) => ('j', 2),
            (b'p', Some(b'h')) => ('f', 2),
            (b'k', Some(b'h')) => ('h', 2),
            (b'g', Some(b'h')) => ('g', 2),
            (b'c', Some(b'k')) => ('k', 2),
            (b'c', Some(b'h')) => ('c', 2),
            (b's', Some(b'h')) => ('s', 2),
            (b't', Some(b'h')) => ('t', 2),
            (b'd', Some(b'h')) => ('d', 2),
            (b'q', _) | (b'x', _) => ('k', 1),
            (b'z', _) => ('s', 1),
            (b'w', _) => ('v', 1),
            (x, _) => (x as char, 1),
        };
        i += step;
        if !c.is_ascii_alphabetic() || "aeiouy".contains(c) || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Multi-word legal forms, folded, and their canonical token.
const LEGAL_PHRASES: &[(&str, &str)] = &[
    // Russian and Ukrainian forms, in Cyrillic and as the lists transliterate them (OOO, ZAO,
    // AO spelled out): longer phrases first, as they contain the shorter ones.
    ("общество с ограниченной ответственностью", "llc"),
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("obshchestvo s ogranichennoi otvetstvennostyu", "llc"),
    ("товариство з обмеженою відповідальністю", "llc"),
    ("tovarystvo z obmezhenoyu vidpovidalnistyu", "llc"),
    ("закрытое акционерное общество", "cjsc"),
    ("zakrytoe aktsionernoe obshchestvo", "cjsc"),
    ("открытое акционерное общество", "ojsc"),
    ("otkrytoe aktsionernoe obshchestvo", "ojsc"),
    ("публичное акционерное общество", "pjsc"),
    ("publichnoe aktsionernoe obshchestvo", "pjsc"),
    ("акционерное общество", "jsc"),
    ("aktsionernoe obshchestvo", "jsc"),
    // The country's long form, written out in many DPRK body names and left out in others:
    // one generic word.
    ("of the democratic peoples republic of korea", "dprk"),
    ("of democratic peoples republic of korea", "dprk"),
    ("democratic peoples republic of korea", "dprk"),
    ("автономная некоммерческая организация", "ano"),
    ("open joint stock company", "ojsc"),
    ("closed joint stock company", "cjsc"),
    ("public joint stock company", "pjsc"),
    ("private joint stock company", "cjsc"),
    ("joint stock company", "jsc"),
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("limited partnership", "lp"),
    ("public limited company", "plc"),
    ("societatea cu raspundere limitata", "srl"),
    ("societe anonyme", "sa"),
    ("sociedad anonima", "sa"),
    ("aktiengesellschaft", "ag"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("company limited", "co ltd"),
    ("sp z o o", "spzoo"),
    ("sp z oo", "spzoo"),
    ("spolka z ograniczona odpowiedzialnoscia", "spzoo"),
];

/// Single-word legal forms and their canonical form.
fn legal(word: &str) -> Option<&'static str> {
    Some(match word {
        "ltd" | "limited" => "ltd",
        "llc" | "ooo" | "tov" => "llc",
        "inc" | "incorporated" => "inc",
        "corp" | "corporation" => "corp",
        "co" | "company" => "co",
        "plc" => "plc",
        "jsc" | "ao" => "jsc",
        "ojsc" | "oao" => "ojsc",
        "cjsc" | "zao" => "cjsc",
        "pjsc" | "pao" => "pjsc",
        "sa" => "sa",
        "ag" => "ag",
        "gmbh" => "gmbh",
        "srl" => "srl",
        "sarl" => "sarl",
        "spa" => "spa",
        "bv" => "bv",
        "nv" => "nv",
        "pte" => "pte",
        "pty" => "pty",
        "lp" => "lp",
        "llp" => "llp",
        "kg" => "kg",
        "ab" => "ab",
        "oy" => "oy",
        "kk" => "kk",
        "sdn" => "sdn",
        "bhd" => "bhd",
        "fze" => "fze",
        "fzco" => "fzco",
        "fzc" => "fzc",
        "jv" => "jv",
        "spzoo" => "spzoo",
        "sas" => "sas",
        "as" => "as",
        "ano" => "ano",
        _ => return None,
    })
}

fn generic(word: &str) -> bool {
    matches!(
        word,
        "trading"
            | "trade"
            | "group"
            | "holding"
            | "holdings"
            | "international"
            | "industries"
            | "industry"
            | "enterprise"
            | "enterprises"
            | "services"
            | "general"
            | "and"
            | "the"
            | "of"
            | "for"
            | "muyeok"
            | "corporation"
            | "development"
            | "investment"
            | "import"
            | "export"
            | "dprk"
    )
}

/// Words for a kind of institution, which no person's name holds: a name with one of them
/// is an organisation's, whatever else it holds (KIM IL SUNG UNIVERSITY is not KIM SONG).
/// Only words that are not also surnames or given names: BANK and PLANT are not here.
pub(crate) fn institution(word: &str) -> bool {
    matches!(
        word,
        "university"
            | "ministry"
            | "bureau"
            | "academy"
            | "company"
            | "corporation"
            | "department"
            | "committee"
            | "commission"
            | "institute"
            | "college"
            | "association"
            | "agency"
            | "administration"
            | "factory"
            | "shipping"
            | "trading"
            | "enterprise"
            | "enterprises"
            | "industries"
    )
}

fn particle(word: &str) -> bool {
    matches!(
        word,
        "al" | "el" | "bin" | "ibn" | "bint" | "de" | "del" | "della" | "der" | "den" | "van" | "von" | "da" | "dos" | "das" | "du" | "la" | "le" | "y" | "ul" | "ud" | "abd"
            // Titles and honorifics say nothing about who it is.
            | "mr" | "mrs" | "ms" | "dr" | "sir" | "president" | "monsieur" | "madame" | "sheikh" | "shaykh" | "haji" | "hajji" | "mullah" | "maulavi" | "qari" | "general" | "colonel"
    )
}

/// Number words and ordinals as digits (`forty` → 40, `first`/`1st` → 1), for names such as
/// "Brigade Forty-Four" / "Brigade 44".
fn number_word(word: &str) -> Option<u32> {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const ORD: [&str; 13] = [
        "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
    ];
    const TENS: [(&str, u32); 9] = [
        ("twenty", 20),
        ("thirty", 30),
        ("forty", 40),
        ("fourty", 40),
        ("fifty", 50),
        ("sixty", 60),
        ("seventy", 70),
        ("eighty", 80),
        ("ninety", 90),
    ];
    if let Some(i) = ONES.iter().position(|w| *w == word) {
        return Some(i as u32);
    }
    if let Some(i) = ORD.iter().position(|w| *w == word) {
        return Some(i as u32);
    }
    if let Some((_, v)) = TENS.iter().find(|(w, _)| *w == word) {
        return Some(*v);
    }
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && matches!(suffix, "st" | "nd" | "rd" | "th") {
        return digits.parse().ok();
    }
    None
}

/// Roman numerals as fund and trust series use them (II, IV, XV).
fn is_roman_numeral(word: &str) -> bool {
    word.len() <= 5 && word.len() >= 2 && word.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

/// Undoes digit-for-letter substitutions in a token that mixes both (`sech1n` → `sechin`).
fn unleet(word: &str) -> String {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let digits = word.chars().filter(|c| c.is_ascii_digit()).count();
    if letters == 0 || digits == 0 || letters < digits || number_word(word).is_some() {
        return word.to_string();
    }
    word.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            '8' => 'b',
            '9' => 'g',
            c => c,
        })
        .collect()
}

/// Collapses dotted abbreviations (`l.l.c.` → `llc`, `p.l.c.` → `plc`) and `&` → `and`.
fn pre_normalise(name: &str) -> String {
    // A McCune–Reischauer apostrophe followed by a space and a lower-case letter is one word
    // broken by a typesetting slip ("Myo' ng-ch'o' l" = Myo'ng-ch'o'l): names start upper-case.
    let raw: Vec<char> = name.chars().collect();
    let mut mended = String::with_capacity(name.len());
    for (i, &c) in raw.iter().enumerate() {
        let slip = c == ' '
            && i >= 2
            && matches!(raw[i - 1], '\'' | '’' | '‘' | 'ʼ' | '`')
            && raw[i - 2].is_alphabetic()
            && raw.get(i + 1).is_some_and(|n| n.is_lowercase());
        if !slip {
            mended.push(c);
        }
    }
    let folded = cordon_text::fold(&mended);
    let mut out = String::with_capacity(folded.len());
    let chars: Vec<char> = folded.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // A single letter followed by '.' and another single letter: drop the dot.
        if c == '.'
            && i > 0
            && chars[i - 1].is_alphabetic()
            && (i < 2 || !chars[i - 2].is_alphabetic())
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
            && chars.get(i + 2).is_none_or(|n| !n.is_alphabetic())
        {
            i += 1;
            continue;
        }
        if c == '&' {
            out.push_str(" and ");
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Analyses a name. `is_org` selects organisation handling (legal forms, generic words).
pub fn analyze(name: &str, is_org: bool) -> NameForm {
    let mut text = pre_normalise(name);
    if is_org {
        // Legal-form phrases are matched on whole words, punctuation ignored ("Sp. z o.o.").
        // Apostrophes join (Qa'ida, People's); other punctuation separates.
        let text_no_apostrophe: String = text.chars().filter(|c| *c != '\'').collect();
        let words: Vec<&str> = text_no_apostrophe
            .split(|c: char| !c.is_alphanumeric() && c != '&')
            .filter(|w| !w.is_empty())
            .collect();
        let mut spaced = format!(" {} ", words.join(" "));
        for (phrase, canon) in LEGAL_PHRASES {
            let p = format!(" {phrase} ");
            if spaced.contains(&p) {
                spaced = spaced.replace(&p, &format!(" {canon} "));
            }
        }
        text = spaced.trim().to_string();
    }
    let raw = tokens(&text);
    let comma_at = raw.iter().position(|t| t.comma_after);
    let mut out: Vec<NameToken> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let before_comma = comma_at.is_some_and(|c| i <= c) && !is_org;
        match t.script {
            Script::Hangul => push_hangul(&mut out, &t.text, is_org),
            Script::Han => push_han(&mut out, &t.text, is_org),
            Script::Greek | Script::Armenian | Script::Georgian | Script::Japanese => {
                let latin = cordon_text::translit::to_latin(&t.text, t.script).unwrap_or_else(|| t.text.clone());
                let mut tok = plain(&latin, is_org);
                tok.hyphen_after = t.hyphen_after;
                tok.family = before_comma;
                out.push(tok);
            }
            Script::Cyrillic => {
                let mut tok = plain(&cyrillic::to_latin(&t.text), is_org);
                tok.korean = cyrillic::korean_syllables(&t.text).to_vec();
                tok.cyrillic = t.text.clone();
                tok.hyphen_after = t.hyphen_after;
                tok.family = before_comma;
                out.push(tok);
            }
            _ if is_org && korean_org_word(&t.text).is_some() => {
                // A romanised Korean organisation word read in English, as the lists give the
                // same body both ways (CHOSON TAESONG UNHAENG = KOREA DAESONG BANK).
                for w in korean_org_word(&t.text).unwrap_or_default().split(' ') {
                    let mut tok = plain(w, is_org);
                    tok.family = before_comma;
                    tok.source = t.text.clone();
                    if !out.iter().any(|m| m.text == tok.text && m.role == tok.role) {
                        out.push(tok);
                    }
                }
                if let Some(last) = out.last_mut() {
                    last.hyphen_after = t.hyphen_after;
                }
            }
            _ => {
                let mut tok = plain(&unleet(&t.text), is_org);
                tok.hyphen_after = t.hyphen_after;
                tok.family = before_comma;
                // A Latin word repeated verbatim (Sergey Sergey Shoigu) is one token. Korean
                // syllables written in Hangul or Cyrillic may repeat in a name (전일일) and stay.
                if !out.iter().any(|m| m.text == tok.text && m.role == tok.role) {
                    out.push(tok);
                }
            }
        }
    }
    // Number words become digits; adjacent tens and ones combine (forty four → 44).
    let mut merged: Vec<NameToken> = Vec::with_capacity(out.len());
    for t in out {
        let value = number_word(&t.text).or_else(|| {
            (t.role == TokenRole::Number && t.text.chars().all(|c| c.is_ascii_digit()))
                .then(|| t.text.parse().ok())
                .flatten()
        });
        if let Some(v) = value {
            if let Some(prev) = merged.last_mut() {
                if prev.role == TokenRole::Number {
                    if let Ok(p) = prev.text.parse::<u32>() {
                        if p % 10 == 0 && p >= 20 && v < 10 {
                            prev.text = (p + v).to_string();
                            continue;
                        }
                    }
                }
            }
            merged.push(NameToken {
                text: v.to_string(),
                korean: Vec::new(),
                exact_korean: false,
                role: TokenRole::Number,
                hyphen_after: t.hyphen_after,
                family: false,
                skeleton: String::new(),
                weight: 1.0,
                cyrillic: String::new(),
                chinese: Vec::new(),
                nickname: false,
                letters: [0; 26],
                chars: 0,
                source: String::new(),
                id: NO_ID,
            });
            continue;
        }
        merged.push(t);
    }
    if !is_org && merged.iter().filter(|t| t.role == TokenRole::Name).count() >= 3 {
        // Not the first token: that is the given name or the family name.
        for t in merged.iter_mut().skip(1) {
            if t.role == TokenRole::Name && is_patronymic(&t.text) {
                t.role = TokenRole::Patronymic;
            }
        }
    }
    if is_org {
        // A lone I, V or X after the name is a series number (Partners V, Fund X, Trust I).
        for t in merged.iter_mut().skip(1) {
            if t.role == TokenRole::Name && matches!(t.text.as_str(), "i" | "v" | "x") {
                t.role = TokenRole::Number;
                t.korean.clear();
            }
        }
    }
    // A name with a syllable only Wade–Giles spells (HSI, TUNG, JUI) is read in Wade–Giles
    // throughout; other names keep their syllables as written.
    let wade_giles = merged
        .iter()
        .any(|t| t.role == TokenRole::Name && !t.exact_korean && chinese::is_wade_giles_only(&t.text));
    for t in merged
        .iter_mut()
        .filter(|t| !t.exact_korean && matches!(t.role, TokenRole::Name | TokenRole::Generic))
    {
        t.chinese = chinese::syllable_ids(&t.text, wade_giles);
    }
    for t in &mut merged {
        t.nickname = !is_org && t.role == TokenRole::Name && cordon_text::nicknames::is_known(&t.text);
        t.letters = letter_counts(&t.text);
        t.chars = t.text.chars().count();
    }
    let mut form = NameForm {
        original: name.to_string(),
        tokens: merged,
        is_org,
        korean: false,
    };
    form.korean = !is_org && crate::compare::is_korean(&form);
    form
}

/// East Slavic patronymics as transliterated (Viktorovich, Sergeyevna, Oleksandrovych,
/// Ivanivna, Ilyinichna) and the Turkic `ogly` / `kyzy` words.
fn is_patronymic(word: &str) -> bool {
    const ENDINGS: [&str; 10] = ["ovich", "evich", "ovitch", "evitch", "ovych", "evych", "ovna", "evna", "ivna", "ichna"];
    matches!(word, "ogly" | "oglu" | "kyzy" | "gyzy") || word.len() >= 7 && ENDINGS.iter().any(|e| word.ends_with(e))
}

/// Abbreviations of organisation words as registries and lists write them (Korea Samma Shpg
/// Co / Korea Samma Shipping Co).
fn org_abbreviation(word: &str) -> Option<&'static str> {
    Some(match word {
        "shpg" | "shpng" => "shipping",
        "intl" | "intnl" => "international",
        "mfg" => "manufacturing",
        "svcs" | "svc" | "serv" => "services",
        "grp" => "group",
        "mgmt" | "mgt" => "management",
        "natl" => "national",
        "assn" | "assoc" => "association",
        "bros" => "brothers",
        "engg" => "engineering",
        "dept" => "department",
        "univ" => "university",
        "inst" => "institute",
        "trdg" => "trading",
        "invt" | "invest" => "investment",
        "dev" | "devt" => "development",
        "tech" => "technology",
        _ => return None,
    })
}

fn plain(text: &str, is_org: bool) -> NameToken {
    let text = match is_org.then(|| org_abbreviation(text)).flatten() {
        Some(full) => full,
        None => text,
    };
    let role = if text.chars().all(|c| c.is_ascii_digit()) || is_org && is_roman_numeral(text) {
        TokenRole::Number
    } else if is_org && legal(text).is_some() {
        TokenRole::Legal
    } else if is_org && generic(text) {
        TokenRole::Generic
    } else if !is_org && particle(text) {
        TokenRole::Particle
    } else {
        TokenRole::Name
    };
    let text = match role {
        TokenRole::Legal => legal(text).unwrap_or(text).to_string(),
        _ => text.to_string(),
    };
    let korean = if role == TokenRole::Name {
        korean::syllables(&text).to_vec()
    } else {
        Vec::new()
    };
    let skeleton = skeleton(&text);
    NameToken {
        text,
        korean,
        exact_korean: false,
        role,
        hyphen_after: false,
        family: false,
        skeleton,
        weight: 1.0,
        cyrillic: String::new(),
        chinese: Vec::new(),
        nickname: false,
        letters: [0; 26],
        chars: 0,
        source: String::new(),
        id: NO_ID,
    }
}

/// A token of an organisation's name in English, translating `source`.
fn translated(text: &str, source: &str) -> NameToken {
    let mut t = plain(text, true);
    t.source = source.to_string();
    t
}

/// A token for one Hangul syllable, written `text` in Latin letters.
fn syllable_token(c: char, text: String, family: bool, hyphen_after: bool) -> NameToken {
    NameToken {
        skeleton: skeleton(&text),
        text,
        korean: vec![hangul::canonical(c)],
        exact_korean: true,
        role: TokenRole::Name,
        hyphen_after,
        family,
        weight: 1.0,
        cyrillic: String::new(),
        chinese: Vec::new(),
        nickname: false,
        letters: [0; 26],
        chars: 0,
        source: String::new(),
        id: NO_ID,
    }
}

/// A Hangul word: for a person, family name then one token per given-name syllable; for an
/// organisation, the word romanised whole.
fn push_hangul(out: &mut Vec<NameToken>, word: &str, is_org: bool) {
    if is_org {
        // Organisation words are translated (은행 → bank, 무역 → trading), the rest kept as
        // syllables, so 화려은행 meets "Hwaryo Bank".
        for piece in org_terms(word) {
            match piece {
                Piece::Term(term, words) => out.extend(words.split(' ').map(|w| translated(w, term))),
                Piece::Rest(rest) => {
                    for c in rest.chars() {
                        let rr = hangul::syllable_rr(c).unwrap_or_else(|| c.to_string());
                        out.push(syllable_token(c, rr, false, false));
                    }
                }
            }
        }
        return;
    }
    let (family, given) = if out.is_empty() { hangul::split_family_name(word) } else { ("", word) };
    // One token per family-name syllable (제갈 → je, gal), so a joined spelling (Jegal) or a
    // split one (Je Gal) both meet it syllable by syllable.
    let fam_len = family.chars().count();
    for (i, c) in family.chars().enumerate() {
        let mr = hangul::syllable_mr(c, i == 0).unwrap_or_else(|| c.to_string());
        out.push(syllable_token(c, mr, true, i + 1 < fam_len));
    }
    let n = given.chars().count();
    for (i, c) in given.chars().enumerate() {
        // Given names follow the family name, so MR voices their initials (Kim Jong Un): the
        // DPRK's own spelling, and the one the UN and OFAC lists use.
        let mr = hangul::syllable_mr(c, false).unwrap_or_else(|| c.to_string());
        out.push(syllable_token(c, mr, false, i + 1 < n));
    }
}

/// Words of organisation names in Chinese and Korean, with their English equivalents
/// (legal forms and generic words then weigh as they do in English names).
/// Romanised Korean words of organisation names (MR without apostrophes and RR) and their
/// English, as DPRK bodies are listed under both: CHOSON TAESONG UNHAENG / KOREA DAESONG BANK.
fn korean_org_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "unhaeng" | "eunhaeng" => "bank",
        "hoesa" | "hoisa" => "company",
        "muyok" | "muyeok" => "trading",
        "kongsa" | "gongsa" => "corporation",
        "chonghoesa" | "chonghoisa" => "general corporation",
        "chongguk" | "chongkuk" => "general bureau",
        "kiop" | "gieop" => "enterprise",
        "kukche" | "gukje" => "international",
        "choson" | "chosun" | "joseon" => "korea",
        "yonhap" | "yeonhap" => "united",
        "hapyong" | "habyeong" => "joint venture",
        "kongjang" | "gongjang" => "factory",
        "taehak" | "daehak" => "university",
        "kwahakwon" | "gwahagwon" => "academy of sciences",
        "haeun" => "shipping",
        "kaebal" | "gaebal" => "development",
        "tuja" => "investment",
        "chawon" | "jawon" => "resources",
        "kisul" | "gisul" => "technology",
        "sanop" | "saneop" => "industry",
        "yonguso" | "yeonguso" => "research institute",
        "wiwonhoe" => "committee",
        // Words of the names of DPRK institutions and their trading arms.
        "chongchal" | "jeongchal" => "reconnaissance",
        "chayon" | "jayeon" => "natural",
        "kukpang" | "gukbang" => "national defense",
        "kwahak" | "gwahak" => "science",
        "tongbang" | "dongbang" => "east",
        "kigye" | "gigye" => "machinery",
        "sinyong" | "shinyong" => "credit",
        "sangop" | "sangeop" => "commercial",
        "kwangop" | "gwangeop" => "mining",
        "konsol" | "geonseol" => "construction",
        "chonja" | "jeonja" => "electronics",
        "hwahak" => "chemical",
        "kyongje" | "gyeongje" => "economic",
        "taeoe" | "daeoe" => "external",
        "haeyang" => "ocean",
        "pohom" | "boheom" => "insurance",
        "kyoyuk" | "gyoyuk" => "education",
        "munhwa" => "cultural",
        _ => return None,
    })
}

const ORG_TERMS: &[(&str, &str)] = &[
    ("股份有限公司", "co ltd"),
    ("有限责任公司", "llc"),
    ("有限責任公司", "llc"),
    ("有限公司", "co ltd"),
    ("进出口", "import export"),
    ("進出口", "import export"),
    ("무역회사", "trading co"),
    ("합영회사", "joint venture co"),
    ("公司", "co"),
    ("贸易", "trading"),
    ("貿易", "trading"),
    // Korea as Chinese documents name the DPRK (its companies' names start so, as CHOSON
    // does in Korean), and the Korean word for a company.
    ("朝鲜", "korea"),
    ("朝鮮", "korea"),
    ("会社", "co"),
    ("會社", "co"),
    ("联合", "united"),
    ("聯合", "united"),
    ("机械", "machinery"),
    ("機械", "machinery"),
    ("商贸", "trading"),
    ("国际", "international"),
    ("國際", "international"),
    ("集团", "group"),
    ("集團", "group"),
    ("银行", "bank"),
    ("銀行", "bank"),
    ("海运", "shipping"),
    ("海運", "shipping"),
    ("航运", "shipping"),
    ("船务", "shipping"),
    ("科技", "technology"),
    ("实业", "industrial"),
    ("物流", "logistics"),
    ("发展", "development"),
    ("投资", "investment"),
    ("工业", "industry"),
    ("矿业", "mining"),
    ("控股", "holdings"),
    // Traditional forms (Hong Kong and Taiwan registrations) and more words of front-company
    // names.
    ("船務", "shipping"),
    ("航運", "shipping"),
    ("技術", "technology"),
    ("技术", "technology"),
    ("船舶管理", "ship management"),
    ("船舶", "ship"),
    ("管理", "management"),
    ("香港", "hong kong"),
    ("网络", "network"),
    ("網絡", "network"),
    ("文化", "cultural"),
    ("传播", "media"),
    ("傳播", "media"),
    ("动漫", "animation"),
    ("動漫", "animation"),
    ("设计", "design"),
    ("設計", "design"),
    ("工作室", "studio"),
    ("發展", "development"),
    ("實業", "industrial"),
    ("投資", "investment"),
    ("工業", "industry"),
    ("礦業", "mining"),
    ("金属", "metal"),
    ("金屬", "metal"),
    ("材料", "materials"),
    ("电子", "electronics"),
    ("電子", "electronics"),
    ("能源", "energy"),
    ("石油", "petroleum"),
    ("化工", "chemical"),
    ("机械", "machinery"),
    ("機械", "machinery"),
    ("设备", "equipment"),
    ("設備", "equipment"),
    ("钢铁", "steel"),
    ("鋼鐵", "steel"),
    ("经贸", "economic trade"),
    ("經貿", "economic trade"),
    ("商务", "business"),
    ("商務", "business"),
    ("咨询", "consulting"),
    ("諮詢", "consulting"),
    ("服务", "services"),
    ("服務", "services"),
    ("代理", "agency"),
    ("运输", "transport"),
    ("運輸", "transport"),
    ("渔业", "fishery"),
    ("漁業", "fishery"),
    ("股份", "joint stock"),
    ("총회사", "general corporation"),
    ("조선", "korea"),
    ("회사", "co"),
    ("무역", "trading"),
    ("은행", "bank"),
    ("총국", "general bureau"),
    ("공사", "corp"),
    ("그룹", "group"),
    ("해운", "shipping"),
    ("기술", "technology"),
    ("개발", "development"),
    ("투자", "investment"),
    ("연합", "united"),
    ("상사", "trading co"),
];

enum Piece<'a> {
    /// A term and its English.
    Term(&'static str, &'static str),
    Rest(&'a str),
}

/// Splits a word into known organisation terms (longest first) and the rest.
fn org_terms(word: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest_start = 0;
    let mut i = 0;
    while i < word.len() {
        if let Some((term, en)) = ORG_TERMS.iter().filter(|(t, _)| word[i..].starts_with(t)).max_by_key(|(t, _)| t.len()) {
            if rest_start < i {
                out.push(Piece::Rest(&word[rest_start..i]));
            }
            out.push(Piece::Term(term, en));
            i += term.len();
            rest_start = i;
        } else {
            i += word[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if rest_start < word.len() {
        out.push(Piece::Rest(&word[rest_start..]));
    }
    out
}

/// A word in Han characters: one token per character, its pinyin as text and its Korean
/// (Hanja) readings as syllables, so 金正恩 meets both "Kim Jong Un" and "Jin Zhengen", and
/// 习近平 meets "Xi Jinping". Organisation terms are translated first.
fn push_han(out: &mut Vec<NameToken>, word: &str, is_org: bool) {
    let pieces = if is_org { org_terms(word) } else { vec![Piece::Rest(word)] };
    for piece in pieces {
        match piece {
            Piece::Term(term, words) => out.extend(words.split(' ').map(|w| translated(w, term))),
            Piece::Rest(rest) => {
                for c in rest.chars() {
                    let text = cordon_text::pinyin::reading(c).map(str::to_string).unwrap_or_else(|| c.to_string());
                    let mut korean: Vec<char> = hanja::readings(c).iter().map(|h| hangul::canonical(*h)).collect();
                    korean.sort_unstable();
                    korean.dedup();
                    let family = !is_org && out.is_empty();
                    let role = if is_org { plain(&text, true).role } else { TokenRole::Name };
                    out.push(NameToken {
                        skeleton: skeleton(&text),
                        text,
                        korean,
                        exact_korean: false,
                        role,
                        hyphen_after: false,
                        family,
                        weight: 1.0,
                        cyrillic: String::new(),
                        chinese: Vec::new(),
                        nickname: false,
                        letters: [0; 26],
                        chars: 0,
                        source: String::new(),
                        id: NO_ID,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(f: &NameForm) -> Vec<&str> {
        f.tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn korean_writings() {
        let h = analyze("김정은", false);
        assert_eq!(texts(&h), ["kim", "jong", "un"]);
        assert!(h.tokens[0].family && h.tokens[1].hyphen_after && h.tokens.iter().all(|t| t.exact_korean));
        assert_eq!(texts(&analyze("金正恩", false)), ["jin", "zheng", "en"]);
        assert!(analyze("金正恩", false).tokens[0].korean.contains(&'김'));
        assert_eq!(
            texts(&analyze("北京成兴贸易有限公司", true)),
            ["bei", "jing", "cheng", "xing", "trading", "co", "ltd"]
        );
        // A DPRK company as Chinese documents write it: Korea, its name, trading company.
        assert_eq!(texts(&analyze("朝鲜玉流贸易会社", true)), ["korea", "yu", "liu", "trading", "co"]);
        assert_eq!(texts(&analyze("화려은행", true)), ["hwa", "ryeo", "bank"]);
        let c = analyze("Ким Чен Ын", false);
        assert_eq!(texts(&c), ["kim", "chen", "yn"]);
        assert!(c.tokens.iter().all(|t| !t.korean.is_empty()));
        let m = analyze("MUN CHO'NG-CH'O'L", false);
        assert_eq!(texts(&m), ["mun", "chong", "chol"]);
        assert!(m.tokens[1].hyphen_after);
        assert!(analyze("KIM, Jong Un", false).tokens[0].family);
        // A space slipped in after an MR apostrophe (OFAC: "Chang Myo' ng-ch'o' l").
        assert_eq!(texts(&analyze("Chang Myo' ng-ch'o' l", false)), ["chang", "myong", "chol"]);
        assert_eq!(texts(&analyze("O' Neil", false)), ["o", "neil"]);
    }

    #[test]
    fn organisations() {
        let f = analyze("Open Joint Stock Company Gasprom", true);
        assert_eq!(texts(&f), ["ojsc", "gasprom"]);
        assert_eq!(f.tokens[0].role, TokenRole::Legal);
        assert_eq!(texts(&analyze("Goldman Sachs & Co. L.L.C.", true)), ["goldman", "sachs", "and", "co", "llc"]);
        assert_eq!(texts(&analyze("HSBC Holdings p.l.c.", true)), ["hsbc", "holdings", "plc"]);
    }
}
