//! Latin transliteration of alphabets with regular letter-to-sound tables: Greek, Armenian,
//! Georgian, and Japanese kana (Hepburn). Enough to compare a name written in them with its
//! Latin spelling (Բարակ Օբամա, ბარაკ ობამა, バラク・オバマ → barak obama); not a
//! linguistic transcription.

use cordon_model::Script;

fn greek(c: char) -> Option<&'static str> {
    Some(match c {
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' => "i",
        'θ' => "th",
        'ι' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' => "o",
        _ => return None,
    })
}

fn armenian(c: char) -> Option<&'static str> {
    Some(match c {
        'ա' => "a",
        'բ' => "b",
        'գ' => "g",
        'դ' => "d",
        'ե' => "e",
        'զ' => "z",
        'է' => "e",
        'ը' => "y",
        'թ' => "t",
        'ժ' => "zh",
        'ի' => "i",
        'լ' => "l",
        'խ' => "kh",
        'ծ' => "ts",
        'կ' => "k",
        'հ' => "h",
        'ձ' => "dz",
        'ղ' => "gh",
        'ճ' => "ch",
        'մ' => "m",
        'յ' => "y",
        'ն' => "n",
        'շ' => "sh",
        'ո' => "o",
        'չ' => "ch",
        'պ' => "p",
        'ջ' => "j",
        'ռ' => "r",
        'ս' => "s",
        'վ' => "v",
        'տ' => "t",
        'ր' => "r",
        'ց' => "ts",
        'ւ' => "u",
        'փ' => "p",
        'ք' => "k",
        'օ' => "o",
        'ֆ' => "f",
        'և' => "ev",
        _ => return None,
    })
}

fn georgian(c: char) -> Option<&'static str> {
    Some(match c {
        'ა' => "a",
        'ბ' => "b",
        'გ' => "g",
        'დ' => "d",
        'ე' => "e",
        'ვ' => "v",
        'ზ' => "z",
        'თ' => "t",
        'ი' => "i",
        'კ' => "k",
        'ლ' => "l",
        'მ' => "m",
        'ნ' => "n",
        'ო' => "o",
        'პ' => "p",
        'ჟ' => "zh",
        'რ' => "r",
        'ს' => "s",
        'ტ' => "t",
        'უ' => "u",
        'ფ' => "p",
        'ქ' => "k",
        'ღ' => "gh",
        'ყ' => "q",
        'შ' => "sh",
        'ჩ' => "ch",
        'ც' => "ts",
        'ძ' => "dz",
        'წ' => "ts",
        'ჭ' => "ch",
        'ხ' => "kh",
        'ჯ' => "j",
        'ჰ' => "h",
        _ => return None,
    })
}

/// Kana (hiragana folded to katakana) to Hepburn, including the small-ya/yu/yo combinations.
fn kana(s: &str) -> String {
    const BASE: &[(char, &str)] = &[
        ('ア', "a"),
        ('イ', "i"),
        ('ウ', "u"),
        ('エ', "e"),
        ('オ', "o"),
        ('カ', "ka"),
        ('キ', "ki"),
        ('ク', "ku"),
        ('ケ', "ke"),
        ('コ', "ko"),
        ('ガ', "ga"),
        ('ギ', "gi"),
        ('グ', "gu"),
        ('ゲ', "ge"),
        ('ゴ', "go"),
        ('サ', "sa"),
        ('シ', "shi"),
        ('ス', "su"),
        ('セ', "se"),
        ('ソ', "so"),
        ('ザ', "za"),
        ('ジ', "ji"),
        ('ズ', "zu"),
        ('ゼ', "ze"),
        ('ゾ', "zo"),
        ('タ', "ta"),
        ('チ', "chi"),
        ('ツ', "tsu"),
        ('テ', "te"),
        ('ト', "to"),
        ('ダ', "da"),
        ('ヂ', "ji"),
        ('ヅ', "zu"),
        ('デ', "de"),
        ('ド', "do"),
        ('ナ', "na"),
        ('ニ', "ni"),
        ('ヌ', "nu"),
        ('ネ', "ne"),
        ('ノ', "no"),
        ('ハ', "ha"),
        ('ヒ', "hi"),
        ('フ', "fu"),
        ('ヘ', "he"),
        ('ホ', "ho"),
        ('バ', "ba"),
        ('ビ', "bi"),
        ('ブ', "bu"),
        ('ベ', "be"),
        ('ボ', "bo"),
        ('パ', "pa"),
        ('ピ', "pi"),
        ('プ', "pu"),
        ('ペ', "pe"),
        ('ポ', "po"),
        ('マ', "ma"),
        ('ミ', "mi"),
        ('ム', "mu"),
        ('メ', "me"),
        ('モ', "mo"),
        ('ヤ', "ya"),
        ('ユ', "yu"),
        ('ヨ', "yo"),
        ('ラ', "ra"),
        ('リ', "ri"),
        ('ル', "ru"),
        ('レ', "re"),
        ('ロ', "ro"),
        ('ワ', "wa"),
        ('ヲ', "o"),
        ('ン', "n"),
        ('ヴ', "vu"),
        ('ァ', "a"),
        ('ィ', "i"),
        ('ゥ', "u"),
        ('ェ', "e"),
        ('ォ', "o"),
    ];
    let mut out = String::new();
    let chars: Vec<char> = s
        .chars()
        // Hiragana are katakana shifted by 0x60.
        .map(|c| {
            if ('\u{3041}'..='\u{3096}').contains(&c) {
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            } else {
                c
            }
        })
        .collect();
    let mut i = 0;
    let mut double_next = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            'ッ' => double_next = true,
            'ー' => {
                if let Some(v) = out.chars().last() {
                    out.push(v);
                }
            }
            'ャ' | 'ュ' | 'ョ' => {
                // キャ → kya, シャ → sha: drop the preceding i.
                let v = match c {
                    'ャ' => "a",
                    'ュ' => "u",
                    _ => "o",
                };
                if out.ends_with("shi") || out.ends_with("chi") || out.ends_with("ji") {
                    out.pop();
                    out.push_str(v);
                } else if out.ends_with('i') {
                    out.pop();
                    out.push('y');
                    out.push_str(v);
                }
            }
            _ => {
                if let Some((_, r)) = BASE.iter().find(|(k, _)| *k == c) {
                    if double_next {
                        if let Some(f) = r.chars().next() {
                            out.push(f);
                        }
                        double_next = false;
                    }
                    out.push_str(r);
                } else {
                    out.push(c);
                }
            }
        }
        i += 1;
    }
    out
}

/// The Latin reading of a token in one of these scripts, or `None` for other scripts.
pub fn to_latin(token: &str, script: Script) -> Option<String> {
    let table: fn(char) -> Option<&'static str> = match script {
        Script::Greek => greek,
        Script::Armenian => armenian,
        Script::Georgian => georgian,
        Script::Japanese => return Some(kana(token)),
        _ => return None,
    };
    // Folded first: Greek accents go (ό → ο), case too.
    let folded = crate::normalize::fold(token);
    Some(folded.chars().map(|c| table(c).map(str::to_string).unwrap_or_else(|| c.to_string())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_obama_everywhere() {
        assert_eq!(to_latin("Բարակ", Script::Armenian).unwrap(), "barak");
        assert_eq!(to_latin("Օբամա", Script::Armenian).unwrap(), "obama");
        assert_eq!(to_latin("ბარაკ", Script::Georgian).unwrap(), "barak");
        assert_eq!(to_latin("バラク", Script::Japanese).unwrap(), "baraku");
        assert_eq!(to_latin("オバマ", Script::Japanese).unwrap(), "obama");
        assert_eq!(to_latin("キャロル", Script::Japanese).unwrap(), "kyaroru");
        assert_eq!(to_latin("Παπαδόπουλος", Script::Greek).unwrap(), "papadopoylos");
        assert_eq!(to_latin("Kim", Script::Latin), None);
    }
}
