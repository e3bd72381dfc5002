//! Korean family names and their conventional romanisations.
//!
//! The romanisation tables generate the systematic spellings (김 → kim, gim); family names also
//! have spellings no system produces (이 → Lee, Rhee; 박 → Park; 최 → Choi), listed here.

/// Family names (Hangul) with conventional Latin spellings beyond the systematic ones, most
/// common first. Two-syllable family names are included.
pub const FAMILY_NAMES: &[(&str, &[&str])] = &[
    ("김", &["kim", "gim"]),
    ("이", &["lee", "yi", "rhee", "i", "ri", "li", "rie", "ree", "leigh"]),
    ("박", &["park", "pak", "bak", "bahk", "pag"]),
    ("최", &["choi", "choe", "chwe", "choy"]),
    ("정", &["jung", "jeong", "chung", "chong", "joung", "jeung"]),
    ("강", &["kang", "gang"]),
    ("조", &["cho", "jo", "joe", "chough"]),
    ("윤", &["yoon", "yun"]),
    ("장", &["jang", "chang"]),
    ("임", &["lim", "im", "rim", "yim", "lym"]),
    ("한", &["han"]),
    ("오", &["oh", "o"]),
    ("서", &["seo", "suh", "so", "sur"]),
    ("신", &["shin", "sin"]),
    ("권", &["kwon", "gwon", "kwan"]),
    ("황", &["hwang", "whang"]),
    ("안", &["ahn", "an"]),
    ("송", &["song"]),
    ("류", &["ryu", "yoo", "yu", "ryoo", "rheu", "lyu", "you"]),
    ("유", &["yoo", "yu", "you"]),
    ("전", &["jeon", "jun", "chun", "chon", "jon"]),
    ("홍", &["hong"]),
    ("고", &["ko", "go", "koh"]),
    ("문", &["moon", "mun"]),
    ("양", &["yang", "ryang"]),
    ("손", &["son", "sohn"]),
    ("배", &["bae", "pae", "bai"]),
    ("백", &["baek", "paek", "paik", "baik", "back"]),
    ("허", &["heo", "hur", "huh", "ho", "her"]),
    ("남", &["nam"]),
    ("심", &["shim", "sim"]),
    ("노", &["noh", "roh", "no", "ro", "rho"]),
    ("하", &["ha"]),
    ("곽", &["kwak", "gwak"]),
    ("성", &["sung", "seong", "song"]),
    ("차", &["cha"]),
    ("주", &["joo", "ju", "chu", "choo"]),
    ("우", &["woo", "u"]),
    ("구", &["koo", "gu", "ku"]),
    ("민", &["min"]),
    ("진", &["jin", "chin"]),
    ("나", &["na", "ra"]),
    ("지", &["ji", "chi"]),
    ("엄", &["eom", "um", "om", "uhm"]),
    ("채", &["chae", "chai"]),
    ("원", &["won", "weon"]),
    ("천", &["cheon", "chun", "chon"]),
    ("방", &["bang", "pang"]),
    ("공", &["kong", "gong"]),
    ("현", &["hyun", "hyeon", "hyon"]),
    ("함", &["ham"]),
    ("변", &["byun", "byeon", "pyon", "byon"]),
    ("염", &["yeom", "yum", "yom", "ryom"]),
    ("여", &["yeo", "yuh", "yo", "ryo"]),
    ("추", &["choo", "chu"]),
    ("도", &["do", "doh", "to"]),
    ("석", &["seok", "suk", "sok"]),
    ("선", &["sun", "seon", "son"]),
    ("설", &["seol", "sul", "sol"]),
    ("마", &["ma"]),
    ("길", &["gil", "kil"]),
    ("연", &["yeon", "yun", "yon", "ryon"]),
    ("위", &["wi", "wee"]),
    ("표", &["pyo"]),
    ("명", &["myung", "myeong", "myong"]),
    ("기", &["ki", "gi"]),
    ("반", &["ban", "pan"]),
    ("왕", &["wang"]),
    ("금", &["geum", "keum", "kum"]),
    ("옥", &["ok"]),
    ("육", &["yook", "yuk", "ryuk"]),
    ("인", &["in"]),
    ("맹", &["maeng"]),
    ("제", &["je", "che"]),
    ("모", &["mo"]),
    ("탁", &["tak"]),
    ("국", &["kook", "guk", "kuk"]),
    ("어", &["eo", "o"]),
    ("은", &["eun", "un"]),
    ("편", &["pyun", "pyeon", "pyon"]),
    ("용", &["yong", "ryong"]),
    ("예", &["ye", "yeh"]),
    ("경", &["kyung", "gyeong", "kyong"]),
    ("봉", &["bong", "pong"]),
    ("사", &["sa"]),
    ("부", &["boo", "bu", "pu"]),
    ("계", &["kye", "gye"]),
    ("태", &["tae"]),
    ("리", &["ri", "lee", "li", "rhee", "yi"]),
    ("림", &["rim", "lim", "im"]),
    ("량", &["ryang", "yang"]),
    ("로", &["ro", "roh", "no", "noh"]),
    ("황보", &["hwangbo"]),
    ("남궁", &["namgung", "namkung"]),
    ("제갈", &["jegal", "chegal"]),
    ("선우", &["sunwoo", "seonu", "sonu", "sunu"]),
    ("독고", &["dokgo", "tokko", "dokko"]),
    ("사공", &["sagong", "sakong"]),
    ("서문", &["seomun", "somun"]),
    ("동방", &["dongbang", "tongbang"]),
    ("어금", &["eogeum"]),
    ("망절", &["mangjeol"]),
];

/// Two-syllable family names.
fn two_syllable() -> impl Iterator<Item = &'static str> {
    FAMILY_NAMES.iter().map(|(h, _)| *h).filter(|h| h.chars().count() == 2)
}

/// Splits a Hangul name written without spaces into family and given name: a known
/// two-syllable family name is taken whole (남궁민수 → 남궁 + 민수), otherwise the first
/// syllable (김정은 → 김 + 정은). Names of one syllable have no given part.
pub fn split_family_name(name: &str) -> (&str, &str) {
    let name = name.trim();
    if name.chars().count() >= 3 {
        if let Some(f) = two_syllable().find(|f| name.starts_with(f)) {
            return (&name[..f.len()], &name[f.len()..]);
        }
    }
    match name.char_indices().nth(1) {
        Some((i, _)) => (&name[..i], &name[i..]),
        None => (name, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_family_names() {
        assert_eq!(split_family_name("김정은"), ("김", "정은"));
        assert_eq!(split_family_name("남궁민수"), ("남궁", "민수"));
        assert_eq!(split_family_name("제갈량"), ("제갈", "량"));
        assert_eq!(split_family_name("황보"), ("황", "보"), "two syllables alone: family + given");
        assert_eq!(split_family_name("김"), ("김", ""));
    }
}
