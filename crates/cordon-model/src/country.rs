use std::fmt;

use serde::{Deserialize, Serialize};

#[path = "country_table.rs"]
mod table;

/// A country as a list names it, with its ISO 3166-1 alpha-2 code when the name is known.
///
/// Lists write the same country many ways ("Democratic People's Republic of Korea", "Korea,
/// North", "North Korea"); all resolve to `KP`. Names that denote no current ISO country
/// ("former Soviet Union", "Region: Crimea") keep their text and have no code, so nothing is
/// guessed and nothing is lost.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code, upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The name as the source wrote it.
    pub name: String,
}

impl Country {
    /// Resolves a country name (or an alpha-2/alpha-3 code) as a list writes it.
    pub fn from_name(name: &str) -> Country {
        let name = name.trim();
        Country {
            code: lookup(name).map(str::to_string),
            name: name.to_string(),
        }
    }

    /// A country from a code the source gives explicitly, with the source's name for it.
    pub fn with_code(code: &str, name: &str) -> Country {
        Country {
            code: Some(code.to_ascii_uppercase()),
            name: name.trim().to_string(),
        }
    }

    /// The ISO alpha-2 code, if known.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(c) => write!(f, "{} ({c})", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The short English name of an ISO alpha-2 code (`KP` → "North Korea").
pub fn country_name(code: &str) -> Option<&'static str> {
    let code = code.to_ascii_uppercase();
    table::CODES.binary_search_by(|(c, _)| (*c).cmp(code.as_str())).ok().map(|i| table::CODES[i].1)
}

fn lookup(name: &str) -> Option<&'static str> {
    if name.len() == 2 && name.bytes().all(|b| b.is_ascii_alphabetic()) {
        let up = name.to_ascii_uppercase();
        return table::CODES.binary_search_by(|(c, _)| (*c).cmp(up.as_str())).ok().map(|i| table::CODES[i].0);
    }
    let key = fold(name);
    table::NAMES.binary_search_by(|(n, _)| (*n).cmp(key.as_str())).ok().map(|i| table::NAMES[i].1)
}

/// Lower case, Latin diacritics removed, typographic apostrophes straightened, spaces folded:
/// the same folding the generator applies to the table's names.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        let c = match c {
            '’' | '‘' | '`' => '\'',
            'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' => 'a',
            'Ç' | 'ç' | 'Ć' | 'ć' | 'Č' | 'č' => 'c',
            'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => 'e',
            'Ì'..='Ï' | 'ì'..='ï' | 'İ' | 'ı' => 'i',
            'Ñ' | 'ñ' | 'Ń' | 'ń' => 'n',
            'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' => 'o',
            'Ù'..='Ü' | 'ù'..='ü' | 'Ū' | 'ū' => 'u',
            'Ý' | 'ý' | 'ÿ' => 'y',
            'Ş' | 'ş' | 'Š' | 'š' => 's',
            'Ž' | 'ž' => 'z',
            'Ğ' | 'ğ' => 'g',
            c => c,
        };
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_list_spellings() {
        for n in [
            "Democratic People's Republic of Korea",
            "Korea, North",
            "North Korea",
            "KP",
            "PRK",
            "Democratic People’s Republic of Korea",
        ] {
            assert_eq!(Country::from_name(n).code(), Some("KP"), "{n}");
        }
        assert_eq!(Country::from_name("Türkiye").code(), Some("TR"));
        assert_eq!(Country::from_name("Iran (Islamic Republic of)").code(), Some("IR"));
        assert_eq!(Country::from_name("China").code(), Some("CN"));
        assert_eq!(Country::from_name("Korea, South").code(), Some("KR"));
        assert_eq!(Country::from_name("former Soviet Union").code(), None);
        assert_eq!(country_name("kp"), Some("North Korea"));
    }

    #[test]
    fn tables_are_sorted() {
        assert!(table::NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(table::CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(table::NAMES.iter().all(|(_, c)| country_name(c).is_some()), "every code named");
    }
}
