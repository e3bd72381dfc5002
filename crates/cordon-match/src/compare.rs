//! Comparing two analysed names: token alignment, the Korean syllable rule, the score and its
//! explanation.

use cordon_text::korean;

use crate::analyze::{NameForm, NameToken, TokenRole, NO_ID};
use crate::strsim::{jaro_winkler, levenshtein};

/// The default match threshold for name scores: the threshold with the best F1 on the
/// nomenklatura name bench (the dev set; `tests/it/name_bench.rs` prints F1 by threshold).
/// Scores of Korean names whose syllables differ are capped at 0.45, well below it.
pub const DEFAULT_THRESHOLD: f64 = 0.6;

/// The result of comparing two names.
#[derive(Clone, Debug, PartialEq)]
pub struct NameScore {
    /// Score in [0, 1].
    pub score: f64,
    /// One line per finding, for people.
    pub explanation: Vec<String>,
}

/// How two token spans were matched.
#[derive(Clone, Copy, Debug, PartialEq)]
enum How {
    Exact,
    Romanisation,
    Joined,
    Similar,
    Prefix,
    Initial,
    Phonetic,
    Acronym,
    Nickname,
    Mandarin,
    WordForm,
    UnitWord,
}

#[derive(Clone, Debug)]
struct Pair {
    a: (usize, usize),
    b: (usize, usize),
    sim: f64,
    how: How,
}

/// Tokens for an explanation, in capitals; words translated from another language are
/// followed by what they translate (GENERAL BUREAU (CHONGGUK)).
fn upper<'a>(ts: impl IntoIterator<Item = &'a NameToken>) -> String {
    let mut out = String::new();
    let mut pending: Option<&str> = None;
    for t in ts {
        if let Some(src) = pending.filter(|src| *src != t.source) {
            out.push_str(&format!(" ({})", src.to_uppercase()));
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.text.to_uppercase());
        pending = (!t.source.is_empty()).then_some(t.source.as_str());
    }
    if let Some(src) = pending {
        out.push_str(&format!(" ({})", src.to_uppercase()));
    }
    out
}

/// Weight of a token by role; `rarity` scales name tokens (1.0 when unknown).
pub(crate) fn role_weight(t: &NameToken) -> f64 {
    match t.role {
        TokenRole::Name => 1.0,
        TokenRole::Number => 0.4,
        TokenRole::Generic => 0.35,
        TokenRole::Particle => 0.25,
        TokenRole::Legal => 0.15,
        TokenRole::Patronymic => 0.3,
    }
}

/// A memo of token similarities between the tokens of one query name and indexed tokens (by
/// vocabulary id), for the screening of one query: the candidates of a query share many
/// tokens (every alias of an entity repeats its family name), and a token comparison costs
/// more than a lookup. Open addressing in a fixed table small enough for the first-level
/// cache; a new query empties only the slots the last one filled.
pub(crate) struct SimCache {
    /// Per slot, the key with the match kind in its top four bits (or [`EMPTY`]), and the
    /// similarity: eight bytes, so the table fits the first-level cache.
    slots: Vec<(u32, f32)>,
    /// The slots filled for the current query, emptied by [`SimCache::clear`].
    used: Vec<u16>,
}

const CACHE_SLOTS: usize = 1 << 11;
const EMPTY: u32 = u32::MAX;
/// The kind code of "no match" (kinds are indices in [`HOWS`]).
const NO_MATCH: u32 = 14;
const HOWS: [How; 12] = [
    How::Exact,
    How::Romanisation,
    How::Joined,
    How::Similar,
    How::Prefix,
    How::Initial,
    How::Phonetic,
    How::Acronym,
    How::Nickname,
    How::Mandarin,
    How::WordForm,
    How::UnitWord,
];

impl SimCache {
    pub(crate) fn new() -> SimCache {
        SimCache {
            slots: vec![(EMPTY, 0.0); CACHE_SLOTS],
            used: Vec::with_capacity(CACHE_SLOTS / 2),
        }
    }

    /// Forgets everything: the next query's tokens are others.
    pub(crate) fn clear(&mut self) {
        for i in self.used.drain(..) {
            self.slots[i as usize].0 = EMPTY;
        }
    }

    /// The key of a query token and an indexed token, in 28 bits.
    fn key(qi: usize, id: u32, korean_mode: bool) -> Option<u32> {
        (qi < 8 && id < (1 << 24)).then_some(id << 4 | (qi as u32) << 1 | korean_mode as u32)
    }

    fn slot(key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B1) >> 21) as usize & (CACHE_SLOTS - 1)
    }

    fn get(&self, key: u32) -> Option<Option<(f64, How)>> {
        let mut i = Self::slot(key);
        loop {
            let (tag, sim) = self.slots[i];
            if tag == EMPTY {
                return None;
            }
            if tag & 0x0FFF_FFFF == key {
                let how = tag >> 28;
                return Some((how != NO_MATCH).then(|| (sim as f64, HOWS[how as usize])));
            }
            i = (i + 1) & (CACHE_SLOTS - 1);
        }
    }

    fn put(&mut self, key: u32, v: Option<(f64, How)>) {
        // Half full: stop memoising rather than probe long chains.
        if self.used.len() * 2 >= CACHE_SLOTS {
            return;
        }
        let mut i = Self::slot(key);
        while self.slots[i].0 != EMPTY {
            i = (i + 1) & (CACHE_SLOTS - 1);
        }
        let how = v.map_or(NO_MATCH, |x| HOWS.iter().position(|h| *h == x.1).unwrap_or(0) as u32);
        self.slots[i] = (how << 28 | key, v.map_or(0.0, |x| x.0 as f32));
        self.used.push(i as u16);
    }
}

/// [`token_sim`] through the memo when both tokens allow it. The similarity is stored as
/// f32; every score path reads it the same way whether memoised or not.
/// Only when the [`Hot`] fields allow a match are the tokens themselves read.
#[allow(clippy::too_many_arguments)]
fn token_sim_memo(
    cache: &mut Option<&mut SimCache>,
    qi: usize,
    a: &NameToken,
    b: &NameToken,
    hot: (&Hot, &Hot),
    b_id: u32,
    korean_mode: bool,
    is_org: bool,
) -> Option<(f64, How)> {
    let sim = || {
        if !maybe_similar(hot.0, hot.1, korean_mode, is_org) {
            return None;
        }
        token_sim(Tok { h: hot.0, t: a }, Tok { h: hot.1, t: b }, korean_mode, is_org).map(|(s, h)| (s as f32 as f64, h))
    };
    let key = match cache {
        Some(_) if b_id != NO_ID => SimCache::key(qi, b_id, korean_mode),
        _ => None,
    };
    let (Some(key), Some(c)) = (key, cache.as_deref_mut()) else {
        return sim();
    };
    if let Some(v) = c.get(key) {
        return v;
    }
    let v = sim();
    c.put(key, v);
    v
}

/// What a comparison reads of a token before anything else, in one cache line: its weight,
/// role, length, text (when short, as most name words are), letter counts and a few flags.
/// The screener keeps these for its whole vocabulary in one array beside the tokens
/// themselves: most token pairs of a query's candidates are told apart from these alone
/// ([`maybe_similar`], [`maybe_joined`]), and the score is summed from them, so a candidate
/// name that matches nothing costs a read of one cache line per token instead of the several
/// lines and heap strings of a [`NameToken`].
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
pub(crate) struct Hot {
    /// Counts of the letters a–z saturated at 3, in three bits each as 0, 1, 11 or 111: the
    /// bits two such counts do not share are their difference (one instruction for all
    /// letters), at most the true difference, so the bounds on edits stay bounds.
    sig: u128,
    /// The token's weight in a score: rarity by role ([`token_weight`]).
    w: f64,
    /// The first [`HOT_TEXT`] bytes of the text, zero-padded: all of it for most tokens.
    head: [u8; HOT_TEXT],
    /// One bit per Hangul syllable the token may be (by hash): two tokens with no bit in
    /// common share no syllable.
    korean: u32,
    /// The letters the spellings of its Korean syllables start and end with
    /// ([`korean::spelling_edges`]): a word joining syllables starts with one of the first
    /// syllable's and ends with one of the last's.
    initials: u32,
    finals: u32,
    /// Likewise for its Mandarin syllables.
    chinese: u16,
    /// Likewise for the formal given names it is or shortens (only for tokens in the
    /// nickname table): two names related as nicknames share one.
    nick: u16,
    /// The flags below.
    flags: u16,
    /// Hash of the consonant skeleton when it has three letters or more, else 0.
    skel: u16,
    /// Length of the text in bytes and in characters (see [`LONG`]).
    len: u8,
    chars: u8,
    /// The last byte of the text.
    last: u8,
    role: TokenRole,
}

/// Bytes of a token's text kept in its [`Hot`] record.
const HOT_TEXT: usize = 16;
const _: () = assert!(HOT_TEXT == 16, "may_start_with compares the head as a u128");

const _: () = assert!(std::mem::size_of::<Hot>() == 64);

/// Written in Hangul or Hanja ([`NameToken::exact_korean`]).
const EXACT_KOREAN: u16 = 1;
/// May be a Korean syllable.
const KOREAN: u16 = 1 << 1;
/// May be a Mandarin syllable.
const CHINESE: u16 = 1 << 2;
/// May be more than one Mandarin syllable.
const CHINESE_MANY: u16 = 1 << 3;
/// Written in Cyrillic.
const CYRILLIC: u16 = 1 << 4;
/// In the nickname table.
const NICKNAME: u16 = 1 << 5;
/// A word for an organisation's unit ([`UNIT_WORDS`]).
const UNIT: u16 = 1 << 6;
/// ASCII letters only.
const ALPHA: u16 = 1 << 7;
/// ASCII only.
const ASCII: u16 = 1 << 8;
/// A function word initials skip ([`crate::analyze::in_initials`]).
const FUNCTION: u16 = 1 << 9;
/// BIN, IBN, BINT or BEN.
const BIN: u16 = 1 << 10;
/// Longer than 255 bytes: lengths do not fit, so nothing is decided from these fields.
const LONG: u16 = 1 << 11;
/// A name word of two to five ASCII letters (may be an organisation's initials).
const INITIALS: u16 = 1 << 12;
/// A name word of two ASCII letters (may be a person's initials).
const TWO_LETTERS: u16 = 1 << 13;

/// The weight of a token in a score: `rarity` scales name tokens, roles scale all.
fn token_weight(t: &NameToken, rarity: &dyn Fn(&NameToken) -> f64) -> f64 {
    role_weight(t) * if t.role == TokenRole::Name { rarity(t) } else { 1.0 }
}

fn bit_hash(x: u32, bits: u32) -> u32 {
    1 << (x.wrapping_mul(0x9E37_79B1) >> (32 - bits.trailing_zeros()))
}

impl Hot {
    /// The fields of `t`, with its weight from `rarity` ([`token_weight`]).
    pub(crate) fn of(t: &NameToken, rarity: &dyn Fn(&NameToken) -> f64) -> Hot {
        let mut head = [0u8; HOT_TEXT];
        let n = t.text.len().min(HOT_TEXT);
        head[..n].copy_from_slice(&t.text.as_bytes()[..n]);
        let sig = t.letters.iter().enumerate().fold(0u128, |s, (k, &c)| s | thermometer(c) << (3 * k));
        let flag = |on: bool, f: u16| if on { f } else { 0 };
        let text = t.text.as_str();
        let alpha = text.bytes().all(|b| b.is_ascii_alphabetic());
        let flags = flag(t.exact_korean, EXACT_KOREAN)
            | flag(!t.korean.is_empty(), KOREAN)
            | flag(!t.chinese.is_empty(), CHINESE)
            | flag(t.chinese.len() > 1, CHINESE_MANY)
            | flag(!t.cyrillic.is_empty(), CYRILLIC)
            | flag(t.nickname, NICKNAME)
            | flag(UNIT_WORDS.contains(&text), UNIT)
            | flag(alpha, ALPHA)
            | flag(text.is_ascii(), ASCII)
            | flag(!crate::analyze::in_initials(t, true), FUNCTION)
            | flag(matches!(text, "bin" | "ibn" | "bint" | "ben"), BIN)
            | flag(text.len() > 255 || t.chars > 255, LONG)
            | flag(t.role == TokenRole::Name && (2..=5).contains(&t.chars) && alpha, INITIALS)
            | flag(t.role == TokenRole::Name && t.chars == 2 && alpha, TWO_LETTERS);
        let skel = if t.skeleton.len() >= 3 {
            (text_hash(&t.skeleton) >> 16) as u16 | 1
        } else {
            0
        };
        Hot {
            w: token_weight(t, rarity),
            sig,
            head,
            korean: t.korean.iter().fold(0, |m, &c| m | bit_hash(c as u32, 32)),
            initials: t.korean.iter().fold(0, |m, &c| m | korean::spelling_edges(c).0),
            finals: t.korean.iter().fold(0, |m, &c| m | korean::spelling_edges(c).1),
            chinese: t.chinese.iter().fold(0, |m, &c| m | bit_hash(c as u32, 16) as u16),
            nick: if t.nickname {
                cordon_text::nicknames::formals(&t.text).fold(0, |m, f| m | bit_hash(text_hash(f), 16) as u16)
            } else {
                0
            },
            flags,
            skel,
            len: t.text.len().min(255) as u8,
            chars: t.chars.min(255) as u8,
            last: t.text.as_bytes().last().copied().unwrap_or(0),
            role: t.role,
        }
    }

    /// A value read from the record, for loops that only bring records into the cache.
    pub(crate) fn touch(&self) -> usize {
        self.len as usize
    }

    fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }

    /// Whether the text may be `other`'s text (certainly when both are in the record).
    fn may_equal(&self, other: &Hot) -> bool {
        self.len == other.len && self.head == other.head
    }

    /// Whether the text may start with `short`'s text.
    fn may_start_with(&self, short: &Hot) -> bool {
        // The first `n` bytes compared as one integer under a mask, not by a call to memcmp.
        let n = (short.len as usize).min(HOT_TEXT);
        let mask = if n == HOT_TEXT { u128::MAX } else { (1u128 << (8 * n)) - 1 };
        self.len >= short.len && (u128::from_le_bytes(self.head) ^ u128::from_le_bytes(short.head)) & mask == 0
    }
}

/// A letter count saturated at 3 as that many low bits.
fn thermometer(c: u8) -> u128 {
    (1u128 << c.min(3)) - 1
}

fn text_hash(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

/// A token as a comparison reads it: its [`Hot`] record first, the token itself only for
/// what the record does not hold (a long text, syllable sets, the skeleton).
#[derive(Clone, Copy)]
struct Tok<'a> {
    h: &'a Hot,
    t: &'a NameToken,
}

impl<'a> Tok<'a> {
    fn chars(&self) -> usize {
        if self.h.has(LONG) {
            self.t.chars
        } else {
            self.h.chars as usize
        }
    }

    fn text(&self) -> &'a str {
        let n = self.h.len as usize;
        if n <= HOT_TEXT && !self.h.has(LONG) {
            if let Ok(s) = std::str::from_utf8(&self.h.head[..n]) {
                return s;
            }
        }
        &self.t.text
    }
}

/// The sum over letters of the differences of two saturated letter counts: at most the sum
/// of the differences of the true counts.
fn sig_diff(a: u128, b: u128) -> usize {
    (a ^ b).count_ones() as usize
}

/// Saturated letter counts of two texts together: for every letter at once, the sum of two
/// thermometer codes is at least one when either is, at least two when either is or both are
/// at least one, and three when either is, or one is at least two and the other at least one.
fn sig_add(a: u128, b: u128) -> u128 {
    // Bit 0, 1 and 2 of each letter's three bits.
    const B0: u128 = 0o11_1111_1111_1111_1111_1111_1111;
    const B1: u128 = B0 << 1;
    const B2: u128 = B0 << 2;
    let either = a | b;
    let two = (a & b & B0) << 1;
    let three = ((a & (b << 1) & B1) | ((a << 1) & b & B1)) << 1;
    (either & (B0 | B1 | B2)) | two | three
}

/// False only when [`token_sim`] certainly finds nothing: its tests, in its order, on what
/// [`Hot`] keeps. Must stay in step with [`spelling_sim`] and [`token_sim`].
fn maybe_similar(a: &Hot, b: &Hot, korean_mode: bool, is_org: bool) -> bool {
    maybe_spelling(a, b, korean_mode, is_org) || {
        let korean_pair = korean_mode && a.has(KOREAN) && b.has(KOREAN);
        !is_org && a.has(NICKNAME) && b.has(NICKNAME) && a.nick & b.nick != 0 && !korean_pair && !a.has(EXACT_KOREAN) && !b.has(EXACT_KOREAN)
    }
}

fn maybe_spelling(a: &Hot, b: &Hot, korean_mode: bool, is_org: bool) -> bool {
    if a.has(LONG) || b.has(LONG) || a.has(EXACT_KOREAN) && b.has(EXACT_KOREAN) || a.may_equal(b) {
        return true;
    }
    if a.role == TokenRole::Number || b.role == TokenRole::Number {
        return false;
    }
    if (a.role == TokenRole::Patronymic) != (b.role == TokenRole::Patronymic) {
        return false;
    }
    if a.has(KOREAN) && b.has(KOREAN) {
        if a.korean & b.korean != 0 {
            return true;
        }
        if korean_mode {
            return false;
        }
    }
    if a.has(CHINESE) && b.has(CHINESE) && a.chinese & b.chinese != 0 {
        return true;
    }
    let (la, lb) = (a.chars as usize, b.chars as usize);
    let (short, long) = if la <= lb { (a, b) } else { (b, a) };
    let (ls, n) = (la.min(lb), la.max(lb));
    let first_same = a.head[0] == b.head[0];
    if ls == 1 {
        return !is_org && long.len > 1 && long.may_start_with(short);
    }
    // The tests below, evaluated together with `&` and `|` rather than one branch after
    // another: which of them holds depends on the pair, so the processor mispredicted those
    // branches often; computed together they cost a few more instructions and far fewer
    // mispredicts (valgrind's branch simulation, bench/screen_counts.sh).
    let long4 = ls >= 4;
    let prefix = long4 & first_same & long.may_start_with(short) & (ls * 2 + 1 >= n);
    let org_head = is_org
        & long4
        & first_same
        & (u32::from_le_bytes([a.head[0], a.head[1], a.head[2], a.head[3]]) == u32::from_le_bytes([b.head[0], b.head[1], b.head[2], b.head[3]]));
    let units = is_org & a.has(UNIT) & b.has(UNIT);
    let allowed = (2 * n / 7).max(1);
    let diff = sig_diff(a.sig, b.sig);
    let edits = (n - ls).max(diff.div_ceil(2));
    let near = (edits <= allowed) & (ls >= 3) | (edits <= 2) & (allowed == 1) & long4 & first_same;
    let ascii = a.has(ASCII) & b.has(ASCII);
    let anagram = long4 & (la == lb) & (diff == 0) & ascii;
    let skeleton = long4 & (a.skel != 0) & (a.skel == b.skel) & first_same & (n * 2 <= ls * 3);
    if prefix | org_head | units | near | anagram | skeleton {
        return true;
    }
    if ls < 5 || n * 2 > ls * 3 {
        // A mistyped syllable in a Korean name (`spelling_sim`); longer words get to the
        // test below.
        return korean_mode && a.has(KOREAN) != b.has(KOREAN) && ascii && a.role == TokenRole::Name && b.role == TokenRole::Name && n - ls <= 1;
    }
    !ascii || jaro_winkler_reachable((la + lb - diff.min(la + lb)) / 2, la, lb)
}

/// False only when [`joined_sim`] certainly finds nothing; in step with it. The first test
/// decides most pairs and is inlined in the loop over them; the rest is [`maybe_joined_rest`].
#[inline(always)]
fn maybe_joined(single: &Hot, parts: &[Hot], korean_context: bool) -> bool {
    // Syllables (Korean, Mandarin) may join in another spelling; letters joined or spelled
    // alike start alike. Most pairs differ there.
    let first_same = parts[0].head[0] == single.head[0];
    let special = (single.flags | parts.iter().fold(0, |f, p| f | p.flags)) & (LONG | KOREAN | CHINESE) != 0;
    (first_same || special) && maybe_joined_rest(single, parts, korean_context, first_same)
}

/// The tests of [`maybe_joined`] after its first, out of line: few pairs get this far.
#[inline(never)]
fn maybe_joined_rest(single: &Hot, parts: &[Hot], korean_context: bool, first_same: bool) -> bool {
    if single.has(LONG) || parts.iter().any(|p| p.has(LONG)) {
        return true;
    }
    let (lj, ls) = (parts.iter().map(|p| p.len as usize).sum::<usize>(), single.len as usize);
    if lj == ls && single.may_start_with(&parts[0]) {
        return true;
    }
    if korean_context && parts.iter().all(|p| p.has(KOREAN)) {
        // Written in Cyrillic, the word is split on its Cyrillic syllables; else on its
        // letters, which must start and end as the syllables' spellings do.
        let spelled = korean::letter_bit(single.head[0]) & parts[0].initials != 0 && korean::letter_bit(single.last) & parts[parts.len() - 1].finals != 0;
        if single.has(CYRILLIC) || spelled {
            return true;
        }
    }
    let mandarin = single.has(CHINESE) || parts.iter().any(|p| p.has(CHINESE_MANY));
    if mandarin && single.has(ASCII) && parts.iter().all(|p| p.has(CHINESE)) {
        return true;
    }
    if first_same && lj >= 6 && lj.abs_diff(ls) <= 2 {
        if parts[parts.len() - 1].last != single.last {
            return false;
        }
        let sig = parts.iter().fold(0, |s, p| sig_add(s, p.sig));
        let diff = sig_diff(sig, single.sig);
        return jaro_winkler_reachable((lj + ls - diff.min(lj + ls)) / 2, lj, ls);
    }
    false
}

/// Similarity of two words one edit beyond a spelling variant.
const NEAR_MISS: f64 = 0.35;

fn token_sim(a: Tok, b: Tok, korean_mode: bool, is_org: bool) -> Option<(f64, How)> {
    spelling_sim(a, b, korean_mode, is_org).or_else(|| {
        // A nickname (Ted / Theodore) is the same given name to a reader, not to an edit
        // distance. Korean syllables never take this path: they are decided above.
        let (a_text, b_text) = (a.text(), b.text());
        let (a, b) = (a.h, b.h);
        let plain_names = !is_org && a.has(NICKNAME) && b.has(NICKNAME);
        let korean_pair = korean_mode && a.has(KOREAN) && b.has(KOREAN);
        let exact = a.has(EXACT_KOREAN) || b.has(EXACT_KOREAN);
        (plain_names && !korean_pair && !exact && a.nick & b.nick != 0 && cordon_text::nicknames::related(a_text, b_text)).then_some((0.8, How::Nickname))
    })
}

/// Whether one of two words of a Korean name, one a romanised syllable and one not, is the
/// other mistyped: both name words in ASCII, a letter apart. Out of line: few pairs get here.
#[cold]
#[inline(never)]
fn mistyped_syllable(a: Tok, b: Tok) -> bool {
    let (ha, hb) = (a.h, b.h);
    let (la, lb) = (a.chars(), b.chars());
    ha.has(ASCII)
        && hb.has(ASCII)
        && ha.role == TokenRole::Name
        && hb.role == TokenRole::Name
        && la.min(lb) >= 2
        && la.abs_diff(lb) <= 1
        && levenshtein(a.text(), b.text()) == 1
}

/// Whether two ASCII words of `la` and `lb` letters sharing at most `common` letters can reach
/// a Jaro–Winkler similarity of 0.93: Jaro–Winkler ≤ 0.6·jaro + 0.4, and
/// jaro ≤ (m/la + m/lb + 1)/3 where m is at most the letters the two share.
fn jaro_winkler_reachable(common: usize, la: usize, lb: usize) -> bool {
    let m = common as f64;
    (m / la as f64 + m / lb as f64 + 1.0) / 3.0 >= 0.883
}

fn spelling_sim(a: Tok, b: Tok, korean_mode: bool, is_org: bool) -> Option<(f64, How)> {
    // The token records answer first; the tokens themselves are read for syllable sets, the
    // skeleton and long texts. Bounds on edits and shared letters come from the records'
    // saturated letter counts: weaker than the true counts, so they only let more pairs on
    // to the exact measures, which decide.
    let (ha, hb) = (a.h, b.h);
    // Written in Hangul or Hanja on both sides: the syllables themselves decide (김종은 ≠
    // 김정은, although MR without breves writes both "jong").
    if ha.has(EXACT_KOREAN) && hb.has(EXACT_KOREAN) {
        return (a.t.korean == b.t.korean).then_some((1.0, How::Exact));
    }
    let (ta, tb) = (a.text(), b.text());
    if ta == tb {
        return Some((1.0, How::Exact));
    }
    if ha.role == TokenRole::Number || hb.role == TokenRole::Number {
        return None;
    }
    // A father's name is not a given name: OLEKSANDROVYCH is not OLEKSANDR.
    if (ha.role == TokenRole::Patronymic) != (hb.role == TokenRole::Patronymic) {
        return None;
    }
    let both_korean = ha.has(KOREAN) && hb.has(KOREAN);
    if both_korean && ha.korean & hb.korean != 0 && korean::intersects(&a.t.korean, &b.t.korean) {
        return Some((0.97, How::Romanisation));
    }
    // In Korean names, syllables decide: Jong/Jon/Jun differ by one letter and are different
    // syllables, so no edit distance, no initials.
    if korean_mode && both_korean {
        return None;
    }
    // But a word of a Korean name that spells no syllable, a letter from one that does, is
    // that syllable mistyped (JONG-UUN for JONG-UN), not another syllable. (A name with such a
    // word reads as Korean only when the word still splits into syllables, as U-UN does.)
    if korean_mode && ha.has(KOREAN) != hb.has(KOREAN) && mistyped_syllable(a, b) {
        return Some((0.8, How::Similar));
    }
    // One Mandarin syllable in Wade–Giles and in pinyin (HSI / XI, TUNG / DONG).
    if ha.has(CHINESE) && hb.has(CHINESE) && ha.chinese & hb.chinese != 0 && korean::intersects(&a.t.chinese, &b.t.chinese) {
        return Some((0.95, How::Mandarin));
    }
    let (la, lb) = (a.chars(), b.chars());
    let (short, long) = if la <= lb { (ta, tb) } else { (tb, ta) };
    let ls = la.min(lb);
    // An initial stands for a name with that letter (J. / Joachim); in organisation names a
    // lone letter is a word of its own.
    if ls == 1 {
        if is_org {
            return None;
        }
        return (long.starts_with(short) && long.len() > 1).then_some((0.6, How::Initial));
    }
    // A short form of four letters or more covering half the name (Alex / Alexei); three
    // letters (Ali / Aliadan, Abu / Abukar) say too little.
    if ls >= 4 && long.starts_with(short) && ls * 2 >= la.max(lb) - 1 {
        return Some((0.8, How::Prefix));
    }
    // Two forms of one English word in organisation names (TRADE / TRADING, INDUSTRY /
    // INDUSTRIAL, SHIP / SHIPPING).
    if is_org && ls >= 4 && same_stem(short, long) {
        return Some((0.9, How::WordForm));
    }
    // Words English renderings of one organ use in turn for its kind of unit: Office 39 is
    // also Bureau 39, Division 39 and Room 39 (the Korean 실 and 국 have no one translation).
    if is_org && ha.has(UNIT) && hb.has(UNIT) {
        return Some((0.8, How::UnitWord));
    }
    let n = la.max(lb);
    // Edits allowed grow with length; a token of 3–4 letters may differ by one.
    // ⌊n / 3.5⌋ in integers (the same for every n: a multiple of 7 divides exactly).
    let allowed = (2 * n / 7).max(1);
    // Letter counts bound the edit distance from below (each edit fixes at most two count
    // differences), so most pairs never reach the quadratic comparison.
    let count_diff = sig_diff(ha.sig, hb.sig);
    let edits = if n - ls > allowed + 1 || count_diff.div_ceil(2) > allowed + 1 {
        usize::MAX
    } else {
        levenshtein(ta, tb)
    };
    let first_same = ta.as_bytes()[0] == tb.as_bytes()[0];
    if edits <= allowed && ls >= 3 {
        let sim = 1.0 - edits as f64 / (allowed + 1) as f64 * 0.6;
        return Some((sim, How::Similar));
    }
    // One edit more than a spelling variant allows, in words of four letters or more that
    // start alike: a typo or a near miss (Merkel / Merkur, Sechin / Sechev). Weak evidence:
    // enough that the rest of the name decides, never enough alone.
    if edits == 2 && allowed == 1 && ls >= 4 && first_same {
        return Some((NEAR_MISS, How::Similar));
    }
    let ascii = ha.has(ASCII) && hb.has(ASCII);
    // Letters permuted (Putin / nitPu, reversed names).
    if ls >= 4 && la == lb && count_diff == 0 && ascii && crate::analyze::letter_counts(ta) == crate::analyze::letter_counts(tb) {
        return Some((0.75, How::Similar));
    }
    // The same consonants in another transliteration (Muhammad / Mohammed).
    // Only for words of about the same length starting alike: HAMID and AHMAD share HMD, and so
    // does HAMMADOU.
    if ls >= 4 && ha.skel != 0 && ha.skel == hb.skel && first_same && la.max(lb) * 2 <= ls * 3 && a.t.skeleton == b.t.skeleton {
        return Some((0.85, How::Phonetic));
    }
    // Jaro–Winkler ≥ 0.93 is out of reach when lengths differ by more than a third.
    if ls < 5 || la.max(lb) * 2 > ls * 3 {
        return None;
    }
    // Skip pairs that cannot reach 0.93.
    if ascii && !jaro_winkler_reachable((la + lb - count_diff.min(la + lb)) / 2, la, lb) {
        return None;
    }
    let jw = jaro_winkler(ta, tb);
    if jw >= 0.93 {
        return Some((0.6 + (jw - 0.93) * 4.0, How::Similar));
    }
    None
}

/// Words for a unit of an organisation that translations of one name use in turn.
pub(crate) const UNIT_WORDS: [&str; 8] = ["office", "bureau", "division", "department", "room", "section", "directorate", "unit"];

/// Endings of English inflections and derivations that org names vary in.
const ENDINGS: [&str; 20] = [
    "", "e", "s", "es", "ed", "er", "ers", "ing", "ings", "y", "ies", "al", "ial", "ic", "ical", "ics", "ation", "ations", "ment", "ments",
];

/// Whether two ASCII words are one stem of at least four letters with endings of [`ENDINGS`]
/// (a final consonant may double before one: SHIP / SHIPPING).
fn same_stem(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() || a == b {
        return false;
    }
    let p = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    if p < 4 {
        return false;
    }
    let ending = |rest: &str| {
        let undoubled = rest.strip_prefix(&a[p - 1..p]);
        ENDINGS.contains(&rest) || undoubled.is_some_and(|r| ENDINGS.contains(&r))
    };
    ending(&a[p..]) && ending(&b[p..])
}

/// A single token against two consecutive tokens joined (`Jongun` / `Jong Un`).
fn joined_sim(single: Tok, parts: &[Tok], korean_context: bool) -> Option<(f64, How)> {
    let word = single.text();
    let (lj, ls) = (parts.iter().map(|p| p.h.len as usize).sum::<usize>(), word.len());
    // The joined text equals the single token: compare piece by piece, without building it
    // (and only when the lengths agree: most pairs are told apart by that alone).
    let mut rest = word;
    let concatenation = lj == ls
        && parts.iter().all(|p| match rest.strip_prefix(p.text()) {
            Some(r) => {
                rest = r;
                true
            }
            None => false,
        });
    if concatenation {
        return Some((1.0, How::Joined));
    }
    // The parts as tokens (at most three, on the stack), for their syllable sets.
    let cold: [&NameToken; 3] = std::array::from_fn(|k| parts[k.min(parts.len() - 1)].t);
    let cold = &cold[..parts.len()];
    // Just below a one-to-one syllable match, so that wins a tie (RI YONG = LI EN GIL must
    // pair RI/LI, not YONG/LI+EN).
    // Splitting a word into Korean syllables only makes sense for a Korean name: elsewhere
    // it pairs ABDELRAHMAN with ABDEL RAHMANJUMA.
    let syllabic = korean_context && parts.iter().all(|p| p.h.has(KOREAN));
    if syllabic {
        if single.h.has(CYRILLIC) && joined_cyrillic(&single.t.cyrillic, cold) {
            return Some((0.95, How::Joined));
        }
        if joined_syllables(word, cold) {
            return Some((0.95, How::Joined));
        }
    }
    // Mandarin syllables joined in one spelling and split in another, across romanisations.
    let mandarin = single.h.has(CHINESE) || parts.iter().any(|p| p.h.has(CHINESE_MANY));
    if mandarin && single.h.has(ASCII) && parts.iter().all(|p| p.h.has(CHINESE)) && joined_mandarin(word, cold) {
        return Some((0.95, How::Joined));
    }
    // A spelling difference, not a longer word: ABDELRAHMAN is not ABDEL RAHMANJUMA. Not,
    // outside Korean names and organisations' names, for parts that are all Mandarin
    // syllables (LI TIAN): the test above decides those, across romanisations, and a word a
    // letter away from their joined text is another name (LILIAN). Words that only read as
    // Korean syllables keep it (KOANGCHUOL / KOANG CHOL, a South Sudanese name), and a listed
    // Korean name may hold a misspelt syllable (SAEINGP'IL for SAENG PIL).
    let mandarin_only = !korean_context && parts.iter().all(|p| p.h.has(CHINESE));
    if !mandarin_only && lj >= 6 && lj.abs_diff(ls) <= 2 {
        // The same letter-count bound as for single tokens (see `spelling_sim`).
        let sig = parts.iter().fold(0, |s, p| sig_add(s, p.h.sig));
        let diff = sig_diff(sig, single.h.sig);
        if !jaro_winkler_reachable((lj + ls - diff.min(lj + ls)) / 2, lj, ls) {
            return None;
        }
        // Edits as for one token, with both ends fixed: Jaro–Winkler's bonus for a shared
        // start would make ABDULHAQ of ABDUL HAI and AHMADIAN of AHMAD NAZIR.
        let joined: String = parts.iter().map(|t| t.text()).collect();
        let n = lj.max(ls);
        // ⌊n / 4.5⌋.
        let allowed = (2 * n / 9).max(1);
        let ends = joined.as_bytes().first() == word.as_bytes().first() && joined.as_bytes().last() == word.as_bytes().last();
        if ends && levenshtein(&joined, word) <= allowed {
            return Some((0.85, How::Similar));
        }
    }
    None
}

/// True when `word` splits into pieces, each a romanised syllable meeting the corresponding
/// part's syllables.
fn joined_syllables(word: &str, parts: &[&NameToken]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return word.is_empty();
    };
    (1..=word.len().min(8))
        .any(|l| word.is_char_boundary(l) && korean::intersects(korean::syllables(&word[..l]), &first.korean) && joined_syllables(&word[l..], rest))
}

/// As [`joined_syllables`], for a word written in Cyrillic.
fn joined_cyrillic(word: &str, parts: &[&NameToken]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return word.is_empty();
    };
    word.char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain([word.len()])
        .any(|l| korean::intersects(cordon_text::cyrillic::korean_syllables(&word[..l]), &first.korean) && joined_cyrillic(&word[l..], rest))
}

/// True when `word` splits into pinyin syllables, each one of the corresponding part's
/// Mandarin syllables (JINPING / CHIN PING, ZEDONG / TSE TUNG).
fn joined_mandarin(word: &str, parts: &[&NameToken]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return word.is_empty();
    };
    !first.chinese.is_empty()
        && (1..=word.len().min(6)).any(|l| {
            word.is_char_boundary(l)
                && cordon_text::chinese::pinyin_id(&word[..l]).is_some_and(|id| first.chinese.binary_search(&id).is_ok())
                && joined_mandarin(&word[l..], rest)
        })
}

fn candidates(va: &View, vb: &View, korean_mode: bool, korean_context: bool, a_is_org: bool, mut cache: Option<&mut SimCache>, out: &mut Vec<Pair>) {
    let (a, b, ha, hb) = (va.tokens, vb.tokens, va.hot, vb.hot);
    out.clear();
    // Where neither name has a token that may join in another spelling (the flags
    // `maybe_joined` tests first) among the pair's tokens and the next two, and the first
    // letters differ, no joined span from the pair matches, and its four tests are skipped at
    // once.
    let (sa, sb) = (va.joinable, vb.joinable);
    for i in 0..a.len() {
        for j in 0..b.len() {
            if let Some((sim, how)) = token_sim_memo(&mut cache, i, a[i], b[j], (&ha[i], &hb[j]), vb.ids[j], korean_mode, a_is_org) {
                out.push(Pair {
                    a: (i, i + 1),
                    b: (j, j + 1),
                    sim,
                    how,
                });
            }
            // Two or three tokens against one joined token (Jong Un / Jongun, Kum Gang San /
            // Kumgangsan, Bei Jing / Beijing).
            if (sa >> i.min(63)) & 7 == 0 && (sb >> j.min(63)) & 7 == 0 && ha[i].head[0] != hb[j].head[0] {
                continue;
            }
            for len in 2..=3 {
                if i + len <= a.len() && maybe_joined(&hb[j], &ha[i..i + len], korean_context) {
                    let parts: [Tok; 3] = std::array::from_fn(|k| (i + k).min(a.len() - 1)).map(|k| Tok { h: &ha[k], t: a[k] });
                    let parts = &parts[..len];
                    if let Some((sim, how)) = joined_sim(Tok { h: &hb[j], t: b[j] }, parts, korean_context) {
                        out.push(Pair {
                            a: (i, i + len),
                            b: (j, j + 1),
                            sim,
                            how,
                        });
                    }
                }
                if j + len <= b.len() && maybe_joined(&ha[i], &hb[j..j + len], korean_context) {
                    let parts: [Tok; 3] = std::array::from_fn(|k| (j + k).min(b.len() - 1)).map(|k| Tok { h: &hb[k], t: b[k] });
                    let parts = &parts[..len];
                    if let Some((sim, how)) = joined_sim(Tok { h: &ha[i], t: a[i] }, parts, korean_context) {
                        out.push(Pair {
                            a: (i, i + 1),
                            b: (j, j + len),
                            sim,
                            how,
                        });
                    }
                }
            }
        }
    }
    // Initialisms: a token of 2–5 letters spelling the initials of consecutive tokens
    // (PLA / People's Liberation Army, JC / Jean-Claude, US / United States).
    // Persons: two-letter initials only (JC / Jean-Claude); a three-letter person token
    // spelling initials is a name (KIM is not Kahvarin Iradj Mohammadi).
    // Organisations: two letters are the initials of one two-word name in several hundred,
    // so they count for much less than longer ones (MS-13 is not Maria Schneider).
    // Read from the `Hot` fields: an initialism has at most five letters, all in the head.
    let max = if a_is_org { 5 } else { 2 };
    let initials = if a_is_org { INITIALS } else { TWO_LETTERS };
    for (x, y, flip) in [(ha, hb, false), (hb, ha, true)] {
        // Most names have no word the length of initials.
        if (if flip { vb.flags } else { va.flags }) & initials == 0 {
            continue;
        }
        // A person's name that is nothing but initials (AA) identifies no one.
        if !a_is_org && x.iter().filter(|t| t.role == TokenRole::Name).count() < 2 {
            continue;
        }
        let any_legal = y.iter().any(|u| u.role == TokenRole::Legal);
        for (i, xi) in x.iter().enumerate() {
            let n = xi.chars as usize;
            if xi.role != TokenRole::Name || !(2..=max).contains(&n) || !xi.has(ALPHA) || !a_is_org && xi.has(KOREAN) {
                continue;
            }
            let t = &xi.head[..n];
            // Where the initials of the next n tokens from `j` end when they spell the token,
            // skipping function words and, unless `legal`, legal forms (as
            // `crate::analyze::in_initials` says).
            let spelled_from = |j: usize, legal: bool| {
                let mut span = y[j..]
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| !u.has(FUNCTION) && (legal || u.role != TokenRole::Legal))
                    .take(n);
                let mut last = None;
                let spelled = t.iter().all(|&c| {
                    span.next().is_some_and(|(k, u)| {
                        last = Some(k);
                        u.head[0] == c
                    })
                });
                last.filter(|_| spelled)
            };
            for j in 0..y.len() {
                if let Some(k) = spelled_from(j, false).or_else(|| if any_legal { spelled_from(j, true) } else { None }) {
                    let end = j + k + 1;
                    let (pa, pb) = if flip { ((j, end), (i, i + 1)) } else { ((i, i + 1), (j, end)) };
                    out.push(Pair {
                        a: pa,
                        b: pb,
                        sim: if a_is_org && n == 2 { 0.55 } else { 0.85 },
                        how: How::Acronym,
                    });
                }
            }
        }
    }
}

/// Buffers one comparison needs, kept per thread: a screening query compares a hundred names,
/// and allocating these for each was a tenth of its time.
#[derive(Default)]
struct Work {
    cands: Vec<Pair>,
    pairs: Vec<Pair>,
    used_a: Vec<bool>,
    used_b: Vec<bool>,
}

thread_local! {
    static WORK: std::cell::RefCell<Work> = std::cell::RefCell::new(Work::default());
}

/// Aligns token spans greedily, best similarity first, into `work.pairs` (in order of `a`);
/// `work.used_a` / `work.used_b` mark the tokens aligned. False, and nothing aligned, when
/// the score cannot reach `cutoff` ([`score_bound`]).
#[allow(clippy::too_many_arguments)]
fn align(va: &View, vb: &View, korean_mode: bool, korean_context: bool, is_org: bool, cache: Option<&mut SimCache>, cutoff: f64, work: &mut Work) -> bool {
    let (a, b) = (va.tokens, vb.tokens);
    let Work {
        cands,
        pairs: out,
        used_a,
        used_b,
    } = work;
    candidates(va, vb, korean_mode, korean_context, is_org, cache, cands);
    if cutoff > 0.0 && score_bound(va.hot, vb.hot, cands) + 1e-9 < cutoff {
        return false;
    }
    // Best similarity first; among equals, spans covering more tokens, then earlier positions.
    cands.sort_by(|x, y| {
        y.sim
            .partial_cmp(&x.sim)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then((y.a.1 - y.a.0 + y.b.1 - y.b.0).cmp(&(x.a.1 - x.a.0 + x.b.1 - x.b.0)))
            .then(x.a.0.abs_diff(x.b.0).cmp(&y.a.0.abs_diff(y.b.0)))
    });
    used_a.clear();
    used_a.resize(a.len(), false);
    used_b.clear();
    used_b.resize(b.len(), false);
    out.clear();
    for c in cands.drain(..) {
        if (c.a.0..c.a.1).any(|i| used_a[i]) || (c.b.0..c.b.1).any(|j| used_b[j]) {
            continue;
        }
        (c.a.0..c.a.1).for_each(|i| used_a[i] = true);
        (c.b.0..c.b.1).for_each(|j| used_b[j] = true);
        out.push(c);
    }
    out.sort_by_key(|p| p.a.0);
    true
}

/// A bound on the score of any alignment of `cands`: each token counted at the best
/// similarity of the spans holding it (an alignment uses one of them at most, and initials
/// may count for less), in the score's formula ([`finish`]), whose penalties only lower it.
/// Most candidate names of a query fall short of the threshold here, before their spans are
/// sorted and aligned.
fn score_bound(ha: &[Hot], hb: &[Hot], cands: &[Pair]) -> f64 {
    const MAX: usize = 32;
    if ha.len() > MAX || hb.len() > MAX {
        return f64::INFINITY;
    }
    let (mut best_a, mut best_b) = ([0f64; MAX], [0f64; MAX]);
    for c in cands {
        for x in &mut best_a[c.a.0..c.a.1] {
            *x = x.max(c.sim);
        }
        for x in &mut best_b[c.b.0..c.b.1] {
            *x = x.max(c.sim);
        }
    }
    let (wa, wb): (f64, f64) = (ha.iter().map(|t| t.w).sum(), hb.iter().map(|t| t.w).sum());
    let ma: f64 = ha.iter().zip(&best_a).map(|(t, s)| t.w * s).sum();
    let mb: f64 = hb.iter().zip(&best_b).map(|(t, s)| t.w * s).sum();
    0.5 * (ma / wa.max(1e-9)).max(mb / wb.max(1e-9)) + 0.5 * (ma + mb) / (wa + wb).max(1e-9)
}

/// A name reads as Korean when it has two to five name tokens, each a Korean syllable (or a
/// joined given name of two or three syllables), and a Korean family name first or last (or
/// known from Hangul).
pub(crate) fn is_korean(f: &NameForm) -> bool {
    let toks: Vec<&NameToken> = f.name_tokens().collect();
    if toks.len() < 2 || toks.len() > 5 {
        return false;
    }
    let syllabic = |t: &NameToken| !t.korean.is_empty() || korean::segmentations(&t.text, 1).first().is_some_and(|s| (2..=3).contains(&s.len()));
    // A family name is known from the writing (Hangul, Hanja, a comma), from a romanised
    // family-name spelling, or from a syllable that is a family name (Cyrillic Ким, Ли).
    let family = |t: &NameToken| t.family && !t.korean.is_empty() || korean::is_family_name(&t.text) || t.korean.iter().any(|k| korean::is_family_syllable(*k));
    // The family name first: it is cheap to look up and rules out most names, where
    // splitting every word into syllables is not.
    (family(toks[0]) || family(toks[toks.len() - 1]) || toks.iter().any(|t| t.family && family(t))) && toks.iter().all(|t| syllabic(t))
}

/// `X bin Y` is X, son of Y: the same tokens on the other side of `bin` are another person.
fn patronymic_swapped(a: &[Hot], b: &[Hot], pairs: &[Pair]) -> bool {
    let side = |ts: &[Hot], i: usize| -> Option<i32> {
        let k = ts.iter().position(|t| t.has(BIN))?;
        Some(if i < k {
            -1
        } else if i > k {
            1
        } else {
            0
        })
    };
    // Only where BIN sits inside both names; a reordered name (bin Salman Mohammed) has lost
    // the structure and says nothing about who is whose son.
    let inside = |ts: &[Hot]| ts.iter().position(|t| t.has(BIN)).is_some_and(|k| k > 0 && k + 1 < ts.len());
    if !inside(a) || !inside(b) {
        return false;
    }
    pairs.iter().any(|p| match (side(a, p.a.0), side(b, p.b.0)) {
        (Some(x), Some(y)) => x != 0 && y != 0 && x != y,
        _ => false,
    })
}

/// Compares two names. `weight` gives the rarity weight of a name token (1.0 = ordinary;
/// common tokens such as KIM or MOHAMMED weigh less); roles scale it further.
pub fn compare_names(a: &NameForm, b: &NameForm, weight: &dyn Fn(&NameToken) -> f64) -> NameScore {
    compare_forms(a, b, weight, true)
}

/// The score of [`compare_names`] without building the explanation: what screening uses to rank
/// candidates, explaining only the hits it returns.
pub fn name_score(a: &NameForm, b: &NameForm, weight: &dyn Fn(&NameToken) -> f64) -> f64 {
    compare_forms(a, b, weight, false).score
}

fn compare_forms(a: &NameForm, b: &NameForm, weight: &dyn Fn(&NameToken) -> f64, explain: bool) -> NameScore {
    let (ra, rb): (Vec<&NameToken>, Vec<&NameToken>) = (a.tokens.iter().collect(), b.tokens.iter().collect());
    let (ha, hb) = (View::hot_of(&ra, weight), View::hot_of(&rb, weight));
    let (ia, ib) = (vec![NO_ID; ra.len()], vec![NO_ID; rb.len()]);
    compare(&View::of(a, &ra, &ha, &ia), &View::of(b, &rb, &hb, &ib), explain, None, 0.0)
}

/// [`compare_names`] on views: the screener explains a hit on the name as its token table
/// holds it, with the token similarities its scoring memoised (`cache`, as for
/// [`name_score_memo`]): the same values, as both paths round a similarity to `f32`.
pub(crate) fn explain_views(a: &View, b: &View, cache: &mut SimCache) -> NameScore {
    compare(a, b, true, Some(cache), 0.0)
}

/// [`name_score`] with token similarities memoised for the query name `a`; the cache must
/// have been cleared since it last served another query name. A name that cannot score
/// `cutoff` scores 0 (0 or less: exact).
pub(crate) fn name_score_memo(a: &View, b: &View, cache: &mut SimCache, cutoff: f64) -> f64 {
    compare(a, b, false, Some(cache), cutoff).score
}

/// A name as a comparison reads it: its tokens, wherever they are kept (in a [`NameForm`], or
/// in a screener's vocabulary, where each distinct token is kept once), their [`Hot`] fields
/// (with the weights they count with), their vocabulary ids ([`NO_ID`] outside one) and its
/// reading.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    tokens: &'a [&'a NameToken],
    hot: &'a [Hot],
    ids: &'a [u32],
    is_org: bool,
    korean: bool,
    /// The flags of all its tokens together.
    flags: u16,
    /// One bit per token that may join in another spelling (Korean, Mandarin, long), all
    /// bits for names of more than 61 tokens (see [`candidates`]).
    joinable: u64,
}

impl<'a> View<'a> {
    /// A view of `tokens`, with their records `hot` and vocabulary ids `ids`, of a name read
    /// as an organisation's or not, and as Korean or not. What every comparison of the name
    /// would otherwise recount from the records is counted here once.
    pub(crate) fn new(tokens: &'a [&'a NameToken], hot: &'a [Hot], ids: &'a [u32], is_org: bool, korean: bool) -> View<'a> {
        let (flags, joinable) = hot.iter().rev().fold((0u16, 0u64), |(f, m), t| {
            (f | t.flags, m << 1 | (t.flags & (LONG | KOREAN | CHINESE) != 0) as u64)
        });
        View {
            tokens,
            hot,
            ids,
            is_org,
            korean,
            flags,
            joinable: if hot.len() <= 61 { joinable } else { u64::MAX },
        }
    }

    /// The view of a form, through references to its tokens and their fields.
    pub(crate) fn of(f: &NameForm, tokens: &'a [&'a NameToken], hot: &'a [Hot], ids: &'a [u32]) -> View<'a> {
        View::new(tokens, hot, ids, f.is_org, f.korean)
    }

    /// The [`Hot`] fields of tokens weighed by `rarity`.
    pub(crate) fn hot_of(tokens: &[&NameToken], rarity: &dyn Fn(&NameToken) -> f64) -> Vec<Hot> {
        tokens.iter().map(|t| Hot::of(t, rarity)).collect()
    }
}

fn compare<'a>(a: &View<'a>, b: &View<'a>, explain: bool, cache: Option<&mut SimCache>, cutoff: f64) -> NameScore {
    if a.tokens.is_empty() || b.tokens.is_empty() {
        return NameScore {
            score: 0.0,
            explanation: vec!["empty name".into()],
        };
    }
    let korean_mode = a.korean && b.korean;
    // Either name reading as Korean (or written in Hangul/Hanja) allows syllable splits: a
    // joined "Jongun" alone does not make its name Korean.
    let korean_context = a.korean || b.korean || (a.flags | b.flags) & EXACT_KOREAN != 0 || a.is_org && b.is_org;
    WORK.with(|work| {
        let mut work = work.borrow_mut();
        if !align(a, b, korean_mode, korean_context, a.is_org || b.is_org, cache, cutoff, &mut work) {
            return NameScore {
                score: 0.0,
                explanation: Vec::new(),
            };
        }
        let Work { pairs, used_a, used_b, .. } = &*work;
        finish(a, b, explain, korean_mode, pairs, used_a, used_b)
    })
}

/// The score of an alignment, and its explanation when asked for.
#[allow(clippy::too_many_arguments)]
fn finish<'a, 'b>(a: &View<'a>, b: &View<'a>, explain: bool, korean_mode: bool, pairs: &[Pair], used_a: &'b [bool], used_b: &'b [bool]) -> NameScore {
    // The score is summed from the `Hot` fields; the tokens themselves are read for the
    // explanation, and to compare numbers.
    let (ta, tb) = (a.tokens, b.tokens);
    let (ha, hb) = (a.hot, b.hot);
    let mut explanation = Vec::new();
    let (wa, wb): (f64, f64) = (ha.iter().map(|t| t.w).sum(), hb.iter().map(|t| t.w).sum());
    let mut ma = 0.0;
    let mut mb = 0.0;
    let all_names_used = |ts: &[Hot], used: &[bool]| ts.iter().zip(used).all(|(t, u)| *u || t.role != TokenRole::Name);
    for p in pairs {
        let mut spa: f64 = ha[p.a.0..p.a.1].iter().map(|t| t.w).sum();
        let mut spb: f64 = hb[p.b.0..p.b.1].iter().map(|t| t.w).sum();
        // Initials stand for the words they abbreviate only when they are all the other name
        // offers; beside unmatched words (JONG UN KIM / UK NAVIGATOR) they weigh one word.
        let acronym_side_complete = if p.a.1 - p.a.0 == 1 {
            all_names_used(ha, used_a)
        } else {
            all_names_used(hb, used_b)
        };
        if p.how == How::Acronym && !acronym_side_complete {
            let one = spa.min(spb);
            spa = one;
            spb = one;
        }
        ma += p.sim * spa;
        mb += p.sim * spb;
        if explain {
            let (sa, sb) = (upper(ta[p.a.0..p.a.1].iter().copied()), upper(tb[p.b.0..p.b.1].iter().copied()));
            explanation.push(match p.how {
                How::Exact => format!("{sa} = {sb}"),
                How::Romanisation => {
                    format!("{sa} = {sb} (romanisation variant of one Korean syllable)")
                }
                How::Joined => format!("{sa} = {sb} (same syllables, joined/split)"),
                How::Similar => format!("{sa} ≈ {sb} (spelling, {:.2})", p.sim),
                How::Prefix => format!("{sa} ≈ {sb} (short form)"),
                How::Initial => format!("{sa} ≈ {sb} (initial)"),
                How::Phonetic => format!("{sa} ≈ {sb} (transliteration variant)"),
                How::Acronym => format!("{sa} = {sb} (initials)"),
                How::Nickname => format!("{sa} ≈ {sb} (nickname)"),
                How::Mandarin => format!("{sa} = {sb} (Wade–Giles / pinyin)"),
                How::WordForm => format!("{sa} ≈ {sb} (word form)"),
                How::UnitWord => format!("{sa} ≈ {sb} (another word for the unit)"),
            });
        }
    }
    // Unmatched name and number tokens, as an iterator (no allocation per comparison), their
    // roles and the tokens.
    let unmatched = |hs: &'a [Hot], used: &'b [bool]| {
        hs.iter()
            .zip(used)
            .enumerate()
            .filter(|(_, (t, u))| !**u && matches!(t.role, TokenRole::Name | TokenRole::Number))
            .map(|(i, (t, _))| (i, t.role))
    };
    let (ua, ub) = (unmatched(ha, used_a), unmatched(hb, used_b));
    let (ua_empty, ub_empty) = (ua.clone().next().is_none(), ub.clone().next().is_none());
    let coverage = (ma / wa.max(1e-9)).max(mb / wb.max(1e-9));
    let dice = (ma + mb) / (wa + wb).max(1e-9);
    let mut score = 0.5 * coverage + 0.5 * dice;

    // A father's name missing on one side says nothing; two different ones are two people.
    let lone_patronymic = |ts: &'a [Hot], used: &[bool]| ts.iter().zip(used).any(|(t, u)| !*u && t.role == TokenRole::Patronymic);
    let patronymics_differ = lone_patronymic(ha, used_a) && lone_patronymic(hb, used_b);
    if patronymics_differ {
        // As decisive as a different given name, and weighed as little as it is, so the
        // penalty is stronger than a substitution's.
        score *= 0.6;
        if explain {
            explanation.push("father's names differ".into());
        }
    }
    // Both sides keep a name token the other lacks: a substitution, not an omission. Numbers
    // against numbers are judged on their own below.
    let numbers_against_numbers = ua.clone().all(|(_, r)| r == TokenRole::Number) && ub.clone().all(|(_, r)| r == TokenRole::Number);
    let (sa, sb) = (ua.clone().map(|(i, _)| ta[i]), ub.clone().map(|(i, _)| tb[i]));
    if !ua_empty && !ub_empty && !numbers_against_numbers {
        score *= 0.7;
        if explain {
            explanation.push(format!("{} ≠ {}", upper(sa.clone()), upper(sb.clone())));
        }
    } else if (!ua_empty || !ub_empty) && explain {
        let extra = if ua_empty { upper(sb.clone()) } else { upper(sa.clone()) };
        explanation.push(format!("{extra} only in one name"));
    }
    let name_tokens = |ts: &[Hot]| ts.iter().filter(|t| matches!(t.role, TokenRole::Name | TokenRole::Number)).count();
    let (na, nb) = (name_tokens(ha), name_tokens(hb));
    // A one-token name against a longer one identifies little; for a person (TOM against
    // TOM BAKER) less than for a company (FABERLIC against FABERLIC EUROPE).
    // Not when the one token is the other name joined (FridrichBuchenberg / Friedrich
    // Buchenberg): that is the whole name, written together.
    let joined_whole = pairs.iter().any(|p| (p.a.1 - p.a.0 > 1) != (p.b.1 - p.b.0 > 1) && ua_empty && ub_empty);
    if (na == 1) != (nb == 1) && !joined_whole {
        score *= if a.is_org || b.is_org { 0.8 } else { 0.7 };
    }
    // Numbers must agree (Management Company 23 ≠ Management Company).
    let nums = |f: &View<'a>| {
        f.hot
            .iter()
            .zip(f.tokens)
            .filter(|(h, _)| h.role == TokenRole::Number)
            .map(|(_, t)| t.text.as_str())
    };
    let any_number = |f: &View<'a>| f.hot.iter().any(|h| h.role == TokenRole::Number);
    if (any_number(a) || any_number(b)) && !nums(a).eq(nums(b)) {
        score *= 0.95;
        // Numbers on both sides that differ: another series of the same name (Fund VII / Fund
        // VIII, Asia Bridge 1 / 2), worth a reviewer's look, never a strong match.
        if nums(a).next().is_some() && nums(b).next().is_some() {
            score = score.min(0.7);
            // Where the words that agree only say what kind of unit it is (Bureau 53 / Bureau
            // 39, Department 53 / Department 30), the number is the name: another unit.
            let says_what_kind = |t: &Hot| t.role == TokenRole::Generic || t.has(UNIT);
            if pairs.iter().all(|p| ha[p.a.0..p.a.1].iter().all(says_what_kind)) {
                score = score.min(0.5);
            }
        }
        if explain {
            explanation.push("numbers differ".into());
        }
    }
    // Korean names: every syllable must agree. A different syllable is a different person,
    // however close the letters are (JONG UN ≠ JONG IL).
    if patronymic_swapped(ha, hb, pairs) {
        score = score.min(0.5);
        if explain {
            explanation.push("given name and father's name swapped around BIN".into());
        }
    }
    if korean_mode && (!ua_empty || !ub_empty) {
        score = score.min(0.45);
        if explain {
            explanation.push(format!("Korean name syllables differ: {} ≠ {}", upper(sa), upper(sb)));
        }
    }
    NameScore {
        score: score.clamp(0.0, 1.0),
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze;

    #[test]
    fn letter_counts_add_as_saturated_sums() {
        // Every pair of counts 0–3 in each letter position, against the sum counted out.
        for ca in 0..4u8 {
            for cb in 0..4u8 {
                for k in [0usize, 1, 12, 25] {
                    let (a, b) = (thermometer(ca) << (3 * k), thermometer(cb) << (3 * k));
                    let other = thermometer(1) << (3 * ((k + 1) % 26));
                    assert_eq!(sig_add(a | other, b), thermometer(ca + cb) << (3 * k) | other, "{ca} + {cb} at {k}");
                }
            }
        }
    }

    fn s(a: &str, b: &str) -> f64 {
        compare_names(&analyze(a, false), &analyze(b, false), &|_| 1.0).score
    }

    /// Names whose tokens take every path of `token_sim` and `joined_sim`: romanisations,
    /// Hangul, Hanja, Cyrillic, Mandarin, joined given names, nicknames, initials, prefixes,
    /// word forms, unit words, patronymics, numbers, permuted letters, long words.
    const SAMPLE: &[&str] = &[
        "Kim Jong Un",
        "Gim Jeong-eun",
        "KIM Jongun",
        "Kim Jong-uun",
        "Kim Jong Unn",
        "김정은",
        "金正恩",
        "Ким Чен Ын",
        "Kim Jong Il",
        "Ri Je Son",
        "Lee Jae-seon",
        "Rhee Je Sun",
        "Choe Ryong Hae",
        "Чхве Рён Хэ",
        "Choi Ryonghae",
        "Pak Pong Ju",
        "Park Bong-joo",
        "Namgung Min",
        "Xi Jinping",
        "Hsi Chin-ping",
        "习近平",
        "Mao Zedong",
        "Mao Tse-tung",
        "Theodore Roosevelt",
        "Ted Roosevelt",
        "William Gates",
        "Bill Gates",
        "Benjamin Netanyahu",
        "Benny Netanjahu",
        "Muhammad Abdullah",
        "Mohammed Abdalla",
        "Abdelrahman Juma",
        "Abdel Rahman Jumaa",
        "Sergei Lavrov",
        "SergeiLavrov",
        "Sergey Viktorovich Lavrov",
        "Sergey Lavrov Viktorovich",
        "Putin Vladimir",
        "Nitup Vladimir",
        "Alexei Navalny",
        "Alex Navalny",
        "J. Smith",
        "John Smith",
        "Jon Smyth",
        "Osama bin Laden",
        "Laden bin Osama",
        "Korea Trading Bank",
        "Korea Trade Bank",
        "KTB",
        "Korea Oil Exploration Corporation",
        "KOEC",
        "Office 39",
        "Bureau 39",
        "Room 39",
        "Asia Bridge 1",
        "Asia Bridge 2",
        "Korea Kwangson Banking Corp",
        "Choson Kwangson Unhaeng",
        "Supercalifragilisticexpialidocious Trading",
        "Supercalifragilisticexpialidocius Trading",
        "Abdulrahmanovichsky Ivanov",
        "Abdulrahmanovichski Ivanov",
        "Jean-Claude Juncker",
        "JC Juncker",
        // Alike by Jaro–Winkler only (more edits than a spelling variant allows).
        "Ronaldinho Gaucho",
        "Ronaldo Gaucho",
        "Barakhoev Ali",
        "Barkhanoev Ali",
    ];

    /// The screener's fast paths must never reject what the full comparison accepts:
    /// `maybe_similar` / `maybe_joined` may say yes to pairs that do not match, never no to
    /// pairs that do; `score_bound` is never below the score.
    #[test]
    fn filters_and_bounds_never_drop_a_match() {
        let weight = |t: &NameToken| if t.text.len() > 4 { 1.0 } else { 0.6 };
        let forms: Vec<NameForm> = SAMPLE.iter().flat_map(|n| [analyze(n, false), analyze(n, true)]).collect();
        let (mut matches, mut joins, mut scored) = (0, 0, 0);
        for a in &forms {
            for b in forms.iter().filter(|b| b.is_org == a.is_org) {
                let (ra, rb): (Vec<&NameToken>, Vec<&NameToken>) = (a.tokens.iter().collect(), b.tokens.iter().collect());
                let (ha, hb) = (View::hot_of(&ra, &weight), View::hot_of(&rb, &weight));
                for korean_mode in [false, true] {
                    for i in 0..ra.len() {
                        for j in 0..rb.len() {
                            let (x, y) = (Tok { h: &ha[i], t: ra[i] }, Tok { h: &hb[j], t: rb[j] });
                            if token_sim(x, y, korean_mode, a.is_org).is_some() {
                                matches += 1;
                                assert!(maybe_similar(&ha[i], &hb[j], korean_mode, a.is_org), "{} / {}", ra[i].text, rb[j].text);
                            }
                            for len in 2..=3.min(rb.len() - j) {
                                let parts: Vec<Tok> = (j..j + len).map(|k| Tok { h: &hb[k], t: rb[k] }).collect();
                                if joined_sim(x, &parts, korean_mode).is_some() {
                                    joins += 1;
                                    assert!(maybe_joined(&ha[i], &hb[j..j + len], korean_mode), "{} / {:?}", ra[i].text, &rb[j..j + len]);
                                }
                            }
                        }
                    }
                }
                let (ia, ib) = (vec![NO_ID; ra.len()], vec![NO_ID; rb.len()]);
                let (va, vb) = (View::of(a, &ra, &ha, &ia), View::of(b, &rb, &hb, &ib));
                let score = compare(&va, &vb, false, None, 0.0).score;
                if score > 0.0 {
                    scored += 1;
                    assert_eq!(compare(&va, &vb, false, None, score).score, score, "{} / {}", a.original, b.original);
                }
            }
        }
        // The sample does exercise the paths.
        assert!(matches > 1000 && joins > 20 && scored > 500, "{matches} {joins} {scored}");
    }

    #[test]
    fn korean_variants_match() {
        for (a, b) in [
            ("Kim Jong Un", "김정은"),
            ("Kim Jong Un", "金正恩"),
            ("Kim Jong Un", "Ким Чен Ын"),
            ("KIM, Jong Un", "Jong-un Kim"),
            ("Kim Jong Un", "Kim Jongun"),
            ("Kim Jong Un", "Gim Jeong-eun"),
            ("RI JE-SON", "Ri Je-seon"),
            ("RI JE-SON", "Lee Je Son"),
            ("MUN CHO'NG-CH'O'L", "Mun Jeong-cheol"),
            ("MUN CHO'NG-CH'O'L", "Moon Jung-chul"),
            ("CH'OE SO'K MIN", "Choi Suk Min"),
            ("Choe Ryong Hae", "Чхве Рён Хэ"),
            ("Jon Il Chun", "Chon Il Chun"),
            // A mistyped syllable: UUN spells no syllable, and is a letter from UN.
            ("Kim Jong Un", "Kim Jong-uun"),
        ] {
            let x = s(a, b);
            assert!(x >= DEFAULT_THRESHOLD, "{a} / {b}: {x}");
        }
    }

    #[test]
    fn different_syllables_do_not() {
        for (a, b) in [
            ("Kim Jong Un", "Kim Jong Il"),
            ("Kim Jong Un", "Kim Yo Jong"),
            ("PAK YONG-CHUN", "PAK IL KYU"),
            ("MUN CHO'NG-MIN", "MUN CHO'NG-CH'O'L"),
        ] {
            let x = s(a, b);
            assert!(x < DEFAULT_THRESHOLD, "{a} / {b}: {x}");
        }
    }

    fn org(a: &str, b: &str) -> f64 {
        compare_names(&analyze(a, true), &analyze(b, true), &|_| 1.0).score
    }

    #[test]
    fn a_word_a_letter_from_joined_mandarin_syllables_is_another_name() {
        // LILIAN is one letter from LI + TIAN joined, and no spelling of them.
        let pair = |a: &str, b: &str, is_org: bool| {
            let (x, y) = (analyze(a, is_org), analyze(b, is_org));
            compare_names(&x, &y, &|_| 1.0).explanation.join("; ")
        };
        assert!(
            !pair("Lilian", "Li Tian", false).contains("LILIAN ≈ LI TIAN"),
            "{}",
            pair("Lilian", "Li Tian", false)
        );
        // In an organisation's (or a Korean) name a misspelt syllable is still met: OFAC
        // writes SAEINGP'IL for Saengp'il.
        assert!(pair("Saeng Pil Company", "SAEINGP'IL COMPANY", true).contains("SAENG PIL ≈ SAEINGPIL"));
        // Words that read as Korean syllables, not Mandarin, in other names keep it.
        assert!(pair("James Koangchuol", "James Koang Chol", false).contains("KOANGCHUOL ≈ KOANG CHOL"));
    }

    #[test]
    fn other_spellings_of_one_name() {
        for (a, b) in [
            // Nicknames from the generated table.
            ("Ted Doe", "Theodore Doe"),
            ("Ben Netanyahu", "Benjamin Netanyahu"),
            // Wade–Giles and pinyin, split and joined.
            ("Hsi Chin-ping", "Xi Jinping"),
            ("Mao Tse-tung", "Mao Zedong"),
            ("Chen Mei Hsiang", "Chen Mei Xiang"),
            // A patronymic left out on one side.
            ("Sergey Lavrov", "Sergey Viktorovich Lavrov"),
            // One swapped pair of letters, one near miss in a short word.
            ("Appel Inc", "Apple Inc"),
            ("Angela Merkur", "Angela Merkel"),
        ] {
            let x = if a.ends_with("Inc") { org(a, b) } else { s(a, b) };
            assert!(x >= DEFAULT_THRESHOLD, "{a} / {b}: {x}");
        }
        assert!(org("ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ ФОРТУНА", "Fortuna LLC") >= 0.9);
        assert!(org("Korea Samma Shpg Co", "KOREA SAMMA SHIPPING CO") >= 0.9);
        assert!(org("KCST", "Korean Committee for Space Technology") >= DEFAULT_THRESHOLD);
        assert!(org("RGB", "Reconnaissance General Bureau") >= DEFAULT_THRESHOLD);
        // Initials that spell the legal form too.
        assert!(org("KOEC", "Korea Oil Exploration Corporation") >= DEFAULT_THRESHOLD);
        assert!(org("Korea Paekho Trading Corporation", "KPTC") >= DEFAULT_THRESHOLD);
        assert!(org("瑞邦海運股份有限公司", "Jui Pang Shipping Co Ltd") >= DEFAULT_THRESHOLD);
    }

    #[test]
    fn word_forms_and_unit_words_in_organisation_names() {
        for (a, b) in [
            ("trade", "trading"),
            ("industry", "industrial"),
            ("ship", "shipping"),
            ("technology", "technological"),
            ("invest", "investment"),
        ] {
            assert!(same_stem(a, b) && same_stem(b, a), "{a} / {b}");
        }
        for (a, b) in [
            ("korea", "korean"),
            ("mining", "minerals"),
            ("general", "generation"),
            ("trade", "trade"),
            ("kim", "kims"),
        ] {
            assert!(!same_stem(a, b), "{a} / {b}");
        }
        assert!(org("Korea Trading Bank", "Korea Trade Bank") >= 0.95);
        assert!(org("Room 39", "Office 39") >= DEFAULT_THRESHOLD);
        assert!(org("Bureau 53", "Department 53") >= DEFAULT_THRESHOLD);
        assert!(org("Room 39", "Office 121") < DEFAULT_THRESHOLD);
        assert!(org("Bureau 53", "Bureau 39") < DEFAULT_THRESHOLD);
        assert!(org("Department 53", "Department 30") < DEFAULT_THRESHOLD);
        // Persons' names are not English words.
        assert!(s("Marion Trading", "Marion Trade") < org("Marion Trading", "Marion Trade"));
    }

    #[test]
    fn different_people_and_series() {
        // Two different fathers' names, and Oleksandr is not the patronymic Oleksandrovych.
        assert!(s("Sergey Ivanovich Lavrov", "Sergey Viktorovich Lavrov") < DEFAULT_THRESHOLD);
        assert!(s("Oleksandr Zelenskyy", "Volodymyr Oleksandrovych Zelenskyy") < DEFAULT_THRESHOLD);
        // Another series of a fund is worth a look, never a strong match.
        let x = org("Blackstone Capital Partners VII L.P.", "Blackstone Capital Partners VIII L.P.");
        assert!((DEFAULT_THRESHOLD..=0.7).contains(&x), "{x}");
        // Two letters are the initials of too many names to stand for one.
        for (a, b) in [("MS-13", "Maria Schneider"), ("BP", "Beta Platforms")] {
            let x = org(a, b);
            assert!(x < DEFAULT_THRESHOLD, "{a} / {b}: {x}");
        }
        // Near misses need a near-perfect rest of the name, and do not apply to Korean syllables.
        assert!(s("Angelo Cruz", "Angela Merkel") < DEFAULT_THRESHOLD);
        assert!(s("Kim Jong Un", "Kim Jong Ul") < DEFAULT_THRESHOLD);
        // Nicknames do not chain through their formal name (Ron and Erin both shorten Aaron).
        assert!(s("Ron Smith", "Erin Smith") < DEFAULT_THRESHOLD);
    }

    #[test]
    fn symmetric_and_bounded() {
        let names = ["Kim Jong Un", "김정은", "Olaf Scholz", "Deutsche Bank AG", "O", "Ri Je Son", "Jongun Kim"];
        for a in names {
            for b in names {
                let (x, y) = (s(a, b), s(b, a));
                assert!((0.0..=1.0).contains(&x), "{a} {b} {x}");
                assert!((x - y).abs() < 1e-9, "{a} / {b}: {x} vs {y}");
            }
        }
    }
}
