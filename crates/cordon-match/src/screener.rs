//! The `Screener`: an index over listed entities and the entity-level score.
//!
//! Retrieval is by keys, not by scanning: every name token contributes keys (its folded text,
//! its consonant skeleton, its first and last three letters, and for tokens that may be Korean
//! syllables one key per canonical Hangul syllable), so a query reaches the entities sharing a
//! spelling, a sound or a Korean syllable with it. Candidates are ranked by the rarity-weighted
//! keys they share and the best are scored in full. `tests/it/recall.rs` checks that this finds
//! what a brute-force scan with the same scorer finds.
//!
//! The entity score is the best name score over the entity's names, then adjusted by the other
//! features: date of birth (exact, year, range, day–month swap), gender, identification numbers,
//! wallet addresses, and nationality, which is supporting evidence only: it can add a little,
//! never take away, because a forged nationality is exactly what DPRK workers present.

use std::collections::HashMap;

use cordon_model::{AliasKind, DobValue, Entity, EntityKind, Gender, NameQuality, PartialDate};
use cordon_text::korean;

use crate::analyze::{analyze, institution, NameForm, NameToken, TokenRole, NO_ID};
use crate::compare::{explain_views, name_score_memo, Hot, SimCache, View, DEFAULT_THRESHOLD, UNIT_WORDS};

/// What is screened: a name and optional supporting details.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// The name.
    pub name: String,
    /// Date of birth, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub dob: Option<PartialDate>,
    /// Claimed nationality, ISO alpha-2.
    pub nationality: Option<String>,
    /// Person or organisation; `None` screens against both.
    pub schema: Option<Schema>,
    /// Gender.
    pub gender: Option<Gender>,
    /// An identification number (passport, national id).
    pub id_number: Option<String>,
    /// A wallet address.
    pub wallet: Option<String>,
}

/// What kind of party a query is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    /// A natural person.
    Person,
    /// An organisation (also matches vessels and aircraft).
    Organization,
}

/// One match.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Store id of the entity (`un:KPi.033`, `ofac:20157`).
    pub entity_id: String,
    /// Its primary name.
    pub caption: String,
    /// Score in [0, 1].
    pub score: f64,
    /// One line per feature (the texts of `features`, in order).
    pub explanation: Vec<String>,
    /// What each feature contributed, and why.
    pub features: Vec<FeatureScore>,
}

/// A feature of a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feature {
    /// The name (best of the entity's names).
    Name,
    /// A listed wallet address.
    Wallet,
    /// An identity document number.
    IdNumber,
    /// Date of birth.
    BirthDate,
    /// Gender.
    Gender,
    /// Nationality (supporting evidence only).
    Nationality,
}

impl Feature {
    /// Short name (`name`, `wallet`, `id_number`, `birth_date`, `gender`, `nationality`).
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Name => "name",
            Feature::Wallet => "wallet",
            Feature::IdNumber => "id_number",
            Feature::BirthDate => "birth_date",
            Feature::Gender => "gender",
            Feature::Nationality => "nationality",
        }
    }

    /// The FollowTheMoney property it is about.
    pub fn property(self) -> &'static str {
        match self {
            Feature::Name => "name",
            Feature::Wallet => "publicKey",
            Feature::IdNumber => "idNumber",
            Feature::BirthDate => "birthDate",
            Feature::Gender => "gender",
            Feature::Nationality => "nationality",
        }
    }
}

/// One feature's part in a score.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureScore {
    /// Which feature.
    pub feature: Feature,
    /// The name score for [`Feature::Name`]; for the others what they added to or took from
    /// it (a wallet or id match sets a floor: 1.0 and 0.95).
    pub score: f64,
    /// In words.
    pub text: String,
}

/// The analysed names of one entity, each with its index key groups ([`key_groups`]) and the
/// position of the listed name it reads (a name with a parenthesis gives several readings).
type AnalysedNames = Vec<(NameForm, Vec<Vec<u64>>, usize)>;

/// A name and, when it ends in a parenthesis, the name without it and what the parenthesis
/// holds: lists and registries put acronyms and other names there (DAEDONG CREDIT BANK (DCB),
/// KOREA KWANGSON BANKING CORPORATION (KKBC)), and a query may give either part alone.
pub(crate) fn name_variants(name: &str) -> Vec<&str> {
    let mut out = vec![name];
    let t = name.trim_end();
    if let (Some(body), Some(open)) = (t.strip_suffix(')'), t.rfind('(')) {
        let base = t[..open].trim();
        let inner = body[open + 1..].trim();
        if base.chars().any(char::is_alphanumeric) && inner.chars().any(char::is_alphabetic) && !inner.contains(['(', ')']) {
            out.push(base);
            out.push(inner);
        }
    }
    out
}

/// Names scored in full per query, best by shared keys first. Retrieval is per name, not
/// per entity: an entity with forty aliases is scored on the few that share keys with the
/// query, and its other aliases do not lift it into the candidate list. On the bench's
/// 1,000 queries, 100 candidates find 0.893 of what the scan finds and 150 find 0.914, at
/// about 1.3× the cost.
const CANDIDATES: usize = 100;

/// The query read as a person's and as an organisation's name; only the readings the
/// query's schema needs are made.
struct Forms {
    person: Option<NameForm>,
    org: Option<NameForm>,
}

/// The views of a query's forms ([`Forms`]) that scoring reads.
struct Views<'a> {
    person: Option<View<'a>>,
    org: Option<View<'a>>,
}

impl<'a> Views<'a> {
    fn for_kind(&self, kind: EntityKind) -> Option<&View<'a>> {
        if kind == EntityKind::Person {
            self.person.as_ref()
        } else {
            self.org.as_ref()
        }
    }
}

/// One indexed name (its tokens are in the screener's token table, see [`Slim`]).
struct IndexedName {
    entity: u32,
    /// The name as listed (a part is shown, and held out, as the name it is part of).
    original: String,
    label: &'static str,
}

struct Indexed {
    id: String,
    caption: String,
    kind: EntityKind,
    /// Its names: a range of `Screener::names`.
    names: std::ops::Range<u32>,
    dobs: Vec<DobValue>,
    nationalities: Vec<String>,
    gender: Option<Gender>,
    ids: Vec<(String, String)>,
    wallets: Vec<(String, String)>,
}

/// An index of listed entities for screening.
pub struct Screener {
    entities: Vec<Indexed>,
    names: Vec<IndexedName>,
    /// Key → ids of the names holding it.
    postings: KeyMap<Posting>,
    token_df: KeyMap<u32>,
    wallets: HashMap<String, Vec<u32>>,
    ids: HashMap<String, Vec<u32>>,
    /// Token ([`NameToken::vocab_key`]) → id, for every token of the indexed names.
    vocab: HashMap<String, u32>,
    /// Per name, the key weight it could share at most (see [`Screener::norm`]).
    norms: Vec<f32>,
    /// Every distinct token of the indexed names once, by vocabulary id: what scoring reads.
    tokens: Vec<NameToken>,
    /// What scoring reads of each token first ([`Hot`]), by vocabulary id: one cache line
    /// or less per token, where the token itself is several and its strings more.
    hot: Vec<Hot>,
    /// The vocabulary ids of each name's tokens, name after name (see [`Slim`]).
    name_tokens: Vec<u32>,
    /// Per name, what scoring needs (see [`Slim`]).
    slim: Vec<Slim>,
    /// This index among those built by the process: a thread's retrieval slots, seeded from
    /// one index's norms, are seeded again for another (even of as many names).
    instance: u64,
}

/// Indexes built so far, numbering them ([`Screener::instance`]).
static INSTANCES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// What scoring reads of an indexed name, packed beside the other names'. Screening scores a
/// hundred-odd names per query picked all over the index; read through each name's own
/// `NameForm` that was a dozen cache misses per name (its token array, each token's strings),
/// half the time of a query. Here a name is a few ids into one shared token table, whose
/// common tokens stay in the cache from query to query.
#[derive(Clone, Copy)]
struct Slim {
    /// Its tokens: `name_tokens[start..start + len]`.
    start: u32,
    len: u32,
    is_org: bool,
    korean: bool,
    weak: bool,
    /// The entity's kind.
    kind: EntityKind,
    entity: u32,
}

// Four records to a cache line.
const _: () = assert!(std::mem::size_of::<Slim>() == 16);
const _: () = assert!(std::mem::size_of::<Slot>() == 16);

/// The names holding a key, and the key's weight (computed once the index is built).
#[derive(Default)]
struct Posting {
    weight: f64,
    names: Vec<u32>,
    /// For a long list (read in the second pass of [`Screener::candidates`]), the same names
    /// as bits: ANDed with the names a query has touched, a word at a time, instead of
    /// reading thousands of entries to find the few touched.
    bits: Vec<u64>,
}

/// Per-thread scratch over name ids, reused between queries: clearing the few slots a query
/// touched is cheaper than zeroing arrays the size of the index.
#[derive(Default)]
struct Scratch {
    /// Per name, what retrieval accumulates, in one slot of sixteen bytes (one read per
    /// posting entry, and as many slots to a cache line as fit).
    slots: Vec<Slot>,
    /// The index the slots were seeded from ([`Screener::instance`]).
    screener: u64,
    /// The touched names as bits, when the long posting lists of the second pass are read
    /// through their bitmaps (all zeros otherwise): small enough for the L1 cache, so those
    /// lists skip untouched names without reading their slots.
    seen: Vec<u64>,
    touched: Vec<u32>,
    /// The touched names' ranking keys: kept, as a query touches hundreds of names, and a
    /// buffer that size from glibc's allocator each time made it consolidate the arena's small
    /// free blocks first.
    scored: Vec<u64>,
}

#[derive(Clone, Copy, Default)]
#[repr(align(16))]
struct Slot {
    acc: f32,
    /// The query's key groups already credited.
    mask: u32,
    /// The name's norm ([`Screener::norm`]), set once: read with the slot it costs no
    /// other cache miss when the name is ranked.
    norm: f32,
    /// The name's entity and whether it is a person ([`Candidate`]), set once: the ranked
    /// names' slots are in the cache, where their [`Slim`] records, wanted for the same
    /// two facts, were a cache miss each (about 42 of a person query's 100 candidates are
    /// organisations or vessels, now dropped without that read).
    entity: Candidate,
}

/// The entity of a name retrieval found and whether the entity is a person, as one number
/// (`entity << 1 | person`): sorted by it, an entity's names are together.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Candidate(u32);

impl Candidate {
    fn of(entity: u32, kind: EntityKind) -> Candidate {
        Candidate(entity << 1 | (kind == EntityKind::Person) as u32)
    }

    fn entity(self) -> u32 {
        self.0 >> 1
    }

    fn person(self) -> bool {
        self.0 & 1 == 1
    }
}

/// Posting lists longer than this are read in the second pass of [`Screener::candidates`].
const LONG_POSTINGS: usize = 1000;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
    /// Token-similarity memos for the person and the organisation reading of a query.
    static MEMO: std::cell::RefCell<[SimCache; 2]> = std::cell::RefCell::new([SimCache::new(), SimCache::new()]);
}

/// Normalises an identification number: letters and digits only, upper case.
pub fn normalize_id(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// Normalises a wallet address for lookup. EVM addresses (0x + 40 hex) are case-insensitive
/// (the case is only a checksum); base58 and bech32m addresses are case-sensitive and kept.
pub fn normalize_wallet(s: &str) -> String {
    let s = s.trim();
    let evm = s.len() == 42 && s.starts_with("0x") && s[2..].chars().all(|c| c.is_ascii_hexdigit());
    let bech32 = s.to_ascii_lowercase().starts_with("bc1") || s.to_ascii_lowercase().starts_with("ltc1");
    if evm || bech32 {
        s.to_ascii_lowercase()
    } else {
        s.to_string()
    }
}

/// An index key: a tag and some text, hashed (FNV-1a, 64 bits). Keys only route candidates to
/// the scorer, so a rare hash collision adds a candidate and changes no score.
#[derive(Clone, Copy)]
struct Key(u64);

impl Key {
    fn new(tag: u8, parts: impl IntoIterator<Item = char>) -> Key {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |b: u8| {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        };
        eat(tag);
        let mut buf = [0u8; 4];
        for c in parts {
            for b in c.encode_utf8(&mut buf).bytes() {
                eat(b);
            }
        }
        Key(h)
    }
}

/// Keys are already hashes: the map uses them as they are.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ *b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<KeyHasher>>;

fn keys(t: &NameToken, out: &mut Vec<u64>) {
    if matches!(t.role, TokenRole::Legal | TokenRole::Particle | TokenRole::Number) {
        return;
    }
    out.push(Key::new(b't', t.text.chars()).0);
    // Mandarin syllables, so a Wade–Giles spelling reaches the pinyin one.
    for c in &t.chinese {
        out.push(Key::new(b'c', char::from_u32(0xE000 + *c as u32)).0);
    }
    for k in &t.korean {
        out.push(Key::new(b'k', [*k]).0);
    }
    if !t.exact_korean {
        let n = t.text.chars().count();
        if n >= 4 {
            if t.skeleton.len() >= 2 {
                out.push(Key::new(b's', t.skeleton.chars()).0);
            }
            // Prefixes, not suffixes: names ending alike (-MED, -ULLAH, -OVA) are legion, and
            // crowded the candidates of a query with names sharing nothing else. A word
            // joining the query's words is looked up whole instead (`query_groups`).
            out.push(Key::new(b'p', t.text.chars().take(3)).0);
            // Letters in any order (reversed or scrambled names).
            let mut sorted: Vec<char> = t.text.chars().collect();
            sorted.sort_unstable();
            out.push(Key::new(b'g', sorted).0);
        }
    }
}

/// A joined given name reaches the names holding its syllables (`mangon` → 만 + 곤): one key
/// group per syllable position, so a name holding both syllables shares two groups with it.
fn syllable_groups(t: &NameToken, out: &mut Vec<Vec<u64>>) {
    if t.exact_korean || !t.korean.is_empty() || t.text.len() < 4 || matches!(t.role, TokenRole::Legal | TokenRole::Particle | TokenRole::Number) {
        return;
    }
    for seg in korean::segmentations(&t.text, 2) {
        if seg.len() > 3 {
            continue;
        }
        for (i, piece) in seg.into_iter().enumerate() {
            while out.len() <= i {
                out.push(Vec::new());
            }
            out[i].extend(korean::syllables(piece).iter().map(|k| Key::new(b'k', [*k]).0));
        }
    }
}

/// The keys of a query grouped by what they come from: one group per token, one for initials.
fn key_groups(f: &NameForm) -> Vec<Vec<u64>> {
    let mut groups: Vec<Vec<u64>> = Vec::with_capacity(f.tokens.len() + 1);
    let korean_like = f.korean || f.tokens.iter().any(|t| !t.korean.is_empty() || t.exact_korean);
    for t in &f.tokens {
        let mut g = Vec::new();
        keys(t, &mut g);
        if (2..=5).contains(&t.text.len()) && t.text.chars().all(|c| c.is_ascii_alphabetic()) {
            g.push(Key::new(b'a', t.text.chars()).0);
        }
        groups.push(g);
        // Splitting a word into Korean syllables serves names that can be Korean: written in
        // Hangul or holding a romanised syllable (KIM JONGUN). Elsewhere (ISAAC SCHEPOIRS)
        // its pieces mostly crowd the candidates with Korean names that share one syllable;
        // joined words of other names are split on listed words instead (`query_groups`).
        if korean_like {
            let mut pieces = Vec::new();
            syllable_groups(t, &mut pieces);
            groups.extend(pieces);
        }
    }
    for g in &mut groups {
        g.sort_unstable();
        g.dedup();
    }
    groups.retain(|g| !g.is_empty());
    // Initials without legal forms and, when the name has one, with them (KOEC = Korea Oil
    // Exploration Corporation), as the scorer reads them.
    let mut g = Vec::new();
    let legal = f.tokens.iter().any(|t| t.role == TokenRole::Legal);
    for with_legal in [false, true].into_iter().take(1 + legal as usize) {
        let initials: Vec<char> = f
            .tokens
            .iter()
            .filter(|t| crate::analyze::in_initials(t, with_legal))
            .filter_map(|t| t.text.chars().next())
            .collect();
        for i in 0..initials.len() {
            for j in i + 2..=(i + 5).min(initials.len()) {
                g.push(Key::new(b'a', initials[i..j].iter().copied()).0);
            }
        }
    }
    g.sort_unstable();
    g.dedup();
    groups.push(g);
    groups
}

/// The shortest part [`Screener::query_groups`] splits a joined word into (words of fewer
/// than six letters are not split).
const MIN_PART: usize = 2;

/// All keys of a name's groups, once each: what the name is posted under.
fn group_keys(groups: &[Vec<u64>]) -> Vec<u64> {
    let mut out: Vec<u64> = groups.iter().flatten().copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Screener {
    /// Indexes entities.
    pub fn new<'a>(entities: impl IntoIterator<Item = &'a Entity>) -> Screener {
        let entities: Vec<&Entity> = entities.into_iter().collect();
        // An entity's number shares a word with a bit ([`Candidate`]).
        assert!(entities.len() < 1 << 31, "more entities than a screener indexes");
        let mut s = Screener {
            entities: Vec::with_capacity(entities.len()),
            names: Vec::new(),
            postings: KeyMap::default(),
            token_df: KeyMap::default(),
            wallets: HashMap::new(),
            ids: HashMap::new(),
            vocab: HashMap::new(),
            norms: Vec::new(),
            tokens: Vec::new(),
            hot: Vec::new(),
            name_tokens: Vec::new(),
            slim: Vec::new(),
            instance: INSTANCES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        // Analysing names is the expensive part and independent per entity: done on all
        // cores, in chunks; the index is then filled in entity order, as if sequentially.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        let chunk = entities.len().div_ceil(threads).max(1);
        let analysed: Vec<Vec<AnalysedNames>> = std::thread::scope(|scope| {
            let handles: Vec<_> = entities
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|e| {
                                let is_org = e.kind != EntityKind::Person;
                                let mut out: AnalysedNames = Vec::new();
                                for (i, n) in e.names.iter().enumerate() {
                                    for v in name_variants(&n.full) {
                                        let mut form = analyze(v, is_org);
                                        // A part is shown, and held out, as the name it is part of.
                                        form.original = n.full.clone();
                                        let groups = key_groups(&form);
                                        out.push((form, groups, i));
                                    }
                                }
                                out
                            })
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("analysis thread")).collect()
        });
        // Key groups per name, kept until the name norms are known (they need every posting).
        let mut name_groups: Vec<Vec<Vec<u64>>> = Vec::new();
        // The analysed names, until their tokens are in the token table.
        let mut name_forms: Vec<(NameForm, NameQuality)> = Vec::new();
        for (e, forms) in entities.iter().zip(analysed.into_iter().flatten()) {
            let idx = s.entities.len() as u32;
            let first_name = s.names.len() as u32;
            for (form, groups, i) in forms {
                let n = &e.names[i];
                let name_id = s.names.len() as u32;
                for k in group_keys(&groups) {
                    s.postings.entry(k).or_default().names.push(name_id);
                }
                let mut seen: Vec<&str> = Vec::new();
                for t in &form.tokens {
                    if !seen.contains(&t.text.as_str()) {
                        seen.push(&t.text);
                        *s.token_df.entry(Key::new(b't', t.text.chars()).0).or_default() += 1;
                    }
                }
                let label = match n.kind {
                    AliasKind::Primary => "name",
                    AliasKind::Original => "original-script name",
                    AliasKind::Fka => "former name",
                    _ if n.quality == NameQuality::Weak => "weak alias",
                    _ => "alias",
                };
                name_groups.push(groups);
                s.names.push(IndexedName {
                    entity: idx,
                    original: form.original.clone(),
                    label,
                });
                name_forms.push((form, n.quality));
            }
            for w in &e.wallets {
                s.wallets.entry(normalize_wallet(&w.address)).or_default().push(idx);
            }
            let mut ids = Vec::new();
            for d in &e.documents {
                let n = normalize_id(&d.number);
                if n.len() >= 5 {
                    s.ids.entry(n.clone()).or_default().push(idx);
                    ids.push((n, d.kind.clone()));
                }
            }
            s.entities.push(Indexed {
                id: e.id.clone(),
                caption: e.caption().to_string(),
                kind: e.kind,
                names: first_name..s.names.len() as u32,
                dobs: e.birth_dates.iter().map(|d| d.value.clone()).collect(),
                nationalities: e.nationalities.iter().chain(&e.citizenships).filter_map(|c| c.code.clone()).collect(),
                gender: e.gender,
                ids,
                wallets: e.wallets.iter().map(|w| (normalize_wallet(&w.address), w.currency.clone())).collect(),
            });
        }
        // Rarity weights are known once every name is counted; store them on the tokens so
        // comparisons do not look them up.
        let mut vocab = std::mem::take(&mut s.vocab);
        for (n, (form, quality)) in s.names.iter().zip(name_forms) {
            let start = s.name_tokens.len() as u32;
            let len = form.tokens.len() as u32;
            for mut t in form.tokens {
                t.weight = s.rarity(&t);
                let next = vocab.len() as u32;
                t.id = *vocab.entry(t.vocab_key()).or_insert(next);
                s.name_tokens.push(t.id);
                if t.id == next {
                    s.hot.push(Hot::of(&t, &|t| t.weight));
                    s.tokens.push(t);
                }
            }
            s.slim.push(Slim {
                start,
                len,
                is_org: form.is_org,
                korean: form.korean,
                weak: quality == NameQuality::Weak,
                kind: s.entities[n.entity as usize].kind,
                entity: n.entity,
            });
        }
        s.vocab = vocab;
        let all = s.names.len() as f64;
        let n = s.names.len();
        for p in s.postings.values_mut() {
            p.weight = ((all + 1.0) / (p.names.len() as f64 + 1.0)).ln();
            if p.names.len() > LONG_POSTINGS && p.names.len() <= n / 4 + 50 {
                p.bits = vec![0u64; n.div_ceil(64)];
                for &e in &p.names {
                    p.bits[e as usize >> 6] |= 1 << (e & 63);
                }
            }
        }
        s.norms = name_groups.iter().map(|g| s.norm(g)).collect();
        s
    }

    fn weigh(&self, form: &mut NameForm) {
        for t in &mut form.tokens {
            t.weight = self.rarity(t);
        }
    }

    fn analyze_query(&self, name: &str, is_org: bool) -> NameForm {
        let mut f = analyze(name, is_org);
        self.weigh(&mut f);
        for t in &mut f.tokens {
            t.id = self.vocab.get(&t.vocab_key()).copied().unwrap_or(crate::analyze::NO_ID);
        }
        f
    }

    /// Number of indexed entities.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// Rarity weight of a token: 1.0 for rare tokens, down to 0.35 for the most common
    /// (KIM, MOHAMMED, TRADING), from document frequencies over the indexed names.
    fn rarity(&self, t: &NameToken) -> f64 {
        let df = *self.token_df.get(&Key::new(b't', t.text.chars()).0).unwrap_or(&0) as f64;
        let n = self.names.len().max(1) as f64;
        let idf = ((n + 1.0) / (df + 1.0)).ln() / (n + 1.0).ln();
        (0.35 + 0.65 * idf * 1.6).min(1.0)
    }

    /// The most key weight a name can share: per token, its heaviest key. Candidates rank by
    /// shared weight over the two names' norms as the scorer ranks names by shared token
    /// weight: half coverage (of the query or of the name), half Dice coefficient.
    fn norm(&self, groups: &[Vec<u64>]) -> f32 {
        let tokens = &groups[..groups.len().saturating_sub(1)];
        // Keys the index lacks are shared by no name: they bound nothing.
        tokens
            .iter()
            .map(|g| g.iter().filter_map(|k| self.postings.get(k)).map(|p| p.weight).fold(0.0, f64::max))
            .sum::<f64>() as f32
    }

    /// The `max` names sharing most with the query, with their entities, in order: an entity's
    /// names together, and the entities in order.
    fn candidates(&self, q: &NameForm, max: usize) -> Vec<(Candidate, u32)> {
        self.candidates_with(q, max, true)
    }

    /// [`Screener::candidates`], reading long posting lists through their bitmaps or, for the
    /// tests that compare the two, entry by entry.
    fn candidates_with(&self, q: &NameForm, max: usize, bitmaps: bool) -> Vec<(Candidate, u32)> {
        // Each query token (and the initials) counts once per name, with the weight of the
        // rarest key it shares with it: a name sharing one rare word ranks above one sharing
        // the prefixes and skeletons of common words. Dense arrays over name ids: cheaper than
        // hashing on long posting lists.
        //
        // Long posting lists (KIM, MOHAMMED, a common prefix) are most of the work and rarely
        // decide who is a candidate: they are read after the others and then only add weight
        // to names already found, unless too few were found to fill the list. Their keys weigh
        // less than any rarer key of the same token, so a token credited in the first pass
        // needs nothing from the second.
        let n = self.names.len();
        let mut groups = key_groups(q);
        // The query's norm sums its tokens' groups (not the initials, last here, nor the
        // alternatives appended after them).
        let norm_groups = groups.len() - 1;
        self.query_groups(q, &mut groups);
        // Each key looked up once: its postings serve both passes and the query's norm (the
        // same sum as [`Screener::norm`], which indexing uses for the names).
        let mut lists: Vec<(usize, &Posting)> = Vec::new();
        let mut qn = 0.0f64;
        for (g, group) in groups.iter().enumerate() {
            let mut heaviest = 0.0f64;
            let first = lists.len();
            for p in group.iter().filter_map(|k| self.postings.get(k)) {
                heaviest = heaviest.max(p.weight);
                if g < 32 {
                    lists.push((g, p));
                }
            }
            // Heaviest first: the first key of a group to reach a name is the one it counts
            // with, and the group's bit then closes the name to the group's other keys.
            lists[first..].sort_by(|x, y| y.1.weight.total_cmp(&x.1.weight));
            if g < norm_groups {
                qn += heaviest;
            }
        }
        let qn = qn as f32;
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let Scratch {
                slots,
                screener,
                seen,
                touched,
                scored,
            } = &mut *scratch;
            if *screener != self.instance {
                *screener = self.instance;
                *slots = self
                    .norms
                    .iter()
                    .zip(&self.slim)
                    .map(|(&norm, slim)| Slot {
                        norm,
                        entity: Candidate::of(slim.entity, slim.kind),
                        ..Slot::default()
                    })
                    .collect();
                *seen = vec![0u64; n.div_ceil(64)];
            }
            touched.clear();
            // Whether `seen` holds the touched names: only the bitmaps of long lists read it,
            // and only once no name can be added, so it is filled then, from `touched`.
            let mut marked = false;
            for long_pass in [false, true] {
                let open = !long_pass || touched.len() < max;
                let closed = long_pass && !open;
                for run in lists.chunk_by(|x, y| x.0 == y.0) {
                    let bit = 1u32 << run[0].0;
                    for &(_, p) in run {
                        // Keys shared by a large part of the index (a common syllable) rank nothing.
                        if p.names.len() > n / 4 + 50 || (p.names.len() > LONG_POSTINGS) != long_pass {
                            continue;
                        }
                        let w = p.weight as f32;
                        if closed && bitmaps {
                            if !marked {
                                for &e in touched.iter() {
                                    seen[e as usize >> 6] |= 1 << (e & 63);
                                }
                                marked = true;
                            }
                            // Only touched names can gain: the list's names among them, by bits
                            // (in the list's order, as below).
                            for (k, (&x, &t)) in p.bits.iter().zip(seen.iter()).enumerate() {
                                let mut x = x & t;
                                while x != 0 {
                                    let i = k * 64 + x.trailing_zeros() as usize;
                                    x &= x - 1;
                                    let slot = &mut slots[i];
                                    if slot.mask & bit != 0 || slot.acc == 0.0 {
                                        continue;
                                    }
                                    slot.acc += w;
                                    slot.mask |= bit;
                                }
                            }
                            continue;
                        }
                        for &e in &p.names {
                            let i = e as usize;
                            let slot = &mut slots[i];
                            if slot.mask & bit != 0 || closed && slot.acc == 0.0 {
                                continue;
                            }
                            if slot.acc == 0.0 {
                                touched.push(e);
                            }
                            slot.acc += w;
                            slot.mask |= bit;
                        }
                    }
                }
            }
            if marked {
                for &e in touched.iter() {
                    seen[e as usize >> 6] = 0;
                }
            }
            // Best score first, then lower id, as one integer to sort on: the scores are
            // positive, so their bits order as they do.
            scored.clear();
            scored.extend(touched.iter().map(|&e| {
                let i = e as usize;
                let slot = &mut slots[i];
                // The scorer's formula on key weights: half the better coverage of either
                // name, half the Dice coefficient. Dice alone put a long listed name that
                // holds all of the query below short names sharing one word of it, where
                // the scorer puts it above. The better coverage divides by the smaller norm:
                // the same value, as rounding keeps order, for one division fewer per name.
                let (shared, norm) = (slot.acc, slot.norm);
                let s = 0.5 * (shared / (qn.min(norm) + 1e-3)) + shared / (qn + norm + 1e-3);
                slot.acc = 0.0;
                slot.mask = 0;
                (!s.to_bits() as u64) << 32 | e as u64
            }));
            // The best `max`, in no order: all of them are scored.
            if scored.len() > max {
                scored.select_nth_unstable(max);
                scored.truncate(max);
            }
            let mut ids: Vec<(Candidate, u32)> = scored.iter().map(|&k| (slots[k as u32 as usize].entity, k as u32)).collect();
            ids.sort_unstable();
            ids
        })
    }

    /// Key groups only a query gets, appended after its initials group, because they depend
    /// on what the index holds or would double the names' postings. They are other ways to
    /// meet a token, not more of the query, so they add nothing to the query's norm:
    /// - a word that is two listed words joined (SERGEILAVROV, JPMORGAN, MUSTAFAMUHAMMAD)
    ///   reaches names holding both words, one group per part as for Korean syllables;
    /// - a given name reaches the listed nicknames and formal names of the nickname table
    ///   (WILLIAM → BILL), which share no letters the other keys could meet on;
    /// - a word for an organisation's unit reaches the others (ROOM 39 → OFFICE 39);
    /// - two or three of the query's words joined reach a listed word they spell
    ///   (J P MORGAN → JPMORGAN).
    fn query_groups(&self, q: &NameForm, groups: &mut Vec<Vec<u64>>) {
        let words = |t: &&NameToken| t.role == TokenRole::Name && t.text.is_ascii();
        for (i, _) in q.tokens.iter().enumerate().filter(|(_, t)| words(t)) {
            // The key of the joined text, hashed from the words without building it.
            let span = q.tokens[i..].iter().take(3).take_while(words).count();
            for len in 2..=span {
                let k = Key::new(b't', q.tokens[i..i + len].iter().flat_map(|t| t.text.chars())).0;
                if self.postings.contains_key(&k) {
                    groups.push(vec![k]);
                }
            }
        }
        for t in &q.tokens {
            if t.role != TokenRole::Name || !t.text.is_ascii() {
                continue;
            }
            if t.nickname {
                let g: Vec<u64> = cordon_text::nicknames::variants(&t.text).map(|v| Key::new(b't', v.chars()).0).collect();
                if !g.is_empty() {
                    groups.push(g);
                }
            }
            if UNIT_WORDS.contains(&t.text.as_str()) {
                // The others only: the word itself is in the token's own group.
                groups.push(UNIT_WORDS.iter().filter(|w| **w != t.text).map(|w| Key::new(b't', w.chars()).0).collect());
            }
            // Korean words are split on syllables (`syllable_groups`).
            if t.text.len() < 2 * MIN_PART + 2 || !t.korean.is_empty() || t.exact_korean {
                continue;
            }
            let (mut left, mut right) = (Vec::new(), Vec::new());
            for i in MIN_PART..=t.text.len() - MIN_PART {
                let (a, b) = (Key::new(b't', t.text[..i].chars()).0, Key::new(b't', t.text[i..].chars()).0);
                if self.postings.contains_key(&a) && self.postings.contains_key(&b) {
                    left.push(a);
                    right.push(b);
                }
            }
            if !left.is_empty() {
                groups.push(left);
                groups.push(right);
            }
        }
    }

    /// Reads the [`Hot`] record of every token of the pool's names, in one loop of
    /// independent loads, before scoring reads them one name at a time. The tokens of a
    /// query's candidates are scattered over a table of tens of thousands; read here together,
    /// their cache misses overlap (the processor has many loads in flight) instead of each
    /// stalling a comparison in turn.
    /// Names of a kind the query's schema does not take are skipped: scoring never reads them
    /// (retrieval has dropped them already; a listed wallet or document number brings in all
    /// the names of its entity, whatever its kind).
    fn touch(&self, pool: &[(u32, u32)], schema: Option<Schema>) {
        let mut sink = 0usize;
        for &(_, n) in pool {
            let slim = self.slim[n as usize];
            if !answers(schema, slim.kind) {
                continue;
            }
            for &id in &self.name_tokens[slim.start as usize..slim.start as usize + slim.len as usize] {
                sink = sink.wrapping_add(self.hot[id as usize].touch());
            }
        }
        std::hint::black_box(sink);
    }

    /// Runs `f` on the view of an indexed name through the shared token table.
    fn with_view<R>(&self, slim: Slim, f: impl FnOnce(View) -> R) -> R {
        let ids = &self.name_tokens[slim.start as usize..slim.start as usize + slim.len as usize];
        let view = |tokens, hot| View::new(tokens, hot, ids, slim.is_org, slim.korean);
        const INLINE: usize = 12;
        if ids.is_empty() {
            return f(view(&[], &[]));
        }
        if ids.len() <= INLINE {
            // On the stack: no allocation per name scored. The references are addresses in
            // the token table, not yet read.
            let at = |k: usize| ids[k.min(ids.len() - 1)] as usize;
            let refs: [&NameToken; INLINE] = std::array::from_fn(|k| &self.tokens[at(k)]);
            // Most names have four tokens or fewer: four records are copied for them, not
            // twelve.
            if ids.len() <= 4 {
                let hot: [Hot; 4] = std::array::from_fn(|k| self.hot[at(k)]);
                return f(view(&refs[..ids.len()], &hot[..ids.len()]));
            }
            let hot: [Hot; INLINE] = std::array::from_fn(|k| self.hot[at(k)]);
            f(view(&refs[..ids.len()], &hot[..ids.len()]))
        } else {
            let refs: Vec<&NameToken> = ids.iter().map(|&id| &self.tokens[id as usize]).collect();
            let hot: Vec<Hot> = ids.iter().map(|&id| self.hot[id as usize]).collect();
            f(view(&refs, &hot))
        }
    }

    /// The query analysed as the kinds of name its schema allows, once per query.
    fn forms(&self, q: &Query) -> Forms {
        let org = (q.schema != Some(Schema::Person)).then(|| self.analyze_query(&q.name, true));
        // A name with a legal form (Ltd, LLC, 有限公司, 会社) or a word for an institution
        // (University, Ministry) is an organisation's when the query does not say: read as a
        // person's it would match people (a Chinese company name read syllable by syllable as
        // a Korean person's name, KIM IL SUNG UNIVERSITY as KIM SONG), and it would fetch
        // candidates by that reading.
        let org_only = q.schema.is_none()
            && org
                .as_ref()
                .is_some_and(|f| f.tokens.iter().any(|t| t.role == TokenRole::Legal || institution(&t.text)));
        Forms {
            person: (q.schema != Some(Schema::Organization) && !org_only).then(|| self.analyze_query(&q.name, false)),
            org,
        }
    }

    /// The candidate names of a query as `(entity, name)`, sorted: an entity's names together.
    fn candidate_entities(&self, forms: &Forms, schema: Option<Schema>, skip: impl Fn(&IndexedName) -> bool) -> Vec<(u32, u32)> {
        let form = forms.person.as_ref().or(forms.org.as_ref()).expect("a query has a reading");
        let mut ids = self.candidates(form, CANDIDATES);
        // Read as an organisation's, a name may have other words than read as a person's
        // (CHONGCHAL CHONGGUK is RECONNAISSANCE GENERAL BUREAU, TONGBANG UNHAENG is EAST
        // BANK): organisations are then also looked up by those.
        if let (Some(p), Some(o)) = (&forms.person, &forms.org) {
            if !p.tokens.iter().map(|t| &t.text).eq(o.tokens.iter().map(|t| &t.text)) {
                ids.extend(self.candidates(o, CANDIDATES));
                ids.sort_unstable();
                ids.dedup();
            }
        }
        // Names of entities the query's kind does not take are dropped here (scoring would drop
        // them unread); the others are kept, an entity's names together.
        ids.into_iter()
            .filter(|&(c, i)| answers_person(schema, c.person()) && !skip(&self.names[i as usize]))
            .map(|(c, i)| (c.entity(), i))
            .collect()
    }

    /// Screens a query: matches at or above `threshold`, best first, at most `limit`.
    pub fn screen(&self, q: &Query, threshold: f64, limit: usize) -> Vec<Hit> {
        self.each_variant(q, limit, |q| self.screen_name(q, threshold, limit, |_| false))
    }

    /// Runs `f` on the query and, when its name ends in a parenthesis, on each part
    /// ([`name_variants`]), keeping each entity's best hit.
    fn each_variant(&self, q: &Query, limit: usize, f: impl Fn(&Query) -> Vec<Hit>) -> Vec<Hit> {
        let variants = name_variants(&q.name);
        if variants.len() == 1 {
            return f(q);
        }
        let mut hits: Vec<Hit> = Vec::new();
        for v in variants {
            let part = Query {
                name: v.to_string(),
                ..q.clone()
            };
            for h in f(&part) {
                match hits.iter_mut().find(|x| x.entity_id == h.entity_id) {
                    Some(x) if x.score >= h.score => {}
                    Some(x) => *x = h,
                    None => hits.push(h),
                }
            }
        }
        best_first(&mut hits, limit);
        hits
    }

    /// Screens one name variant; names for which `skip` holds are left out of the index
    /// (only [`Screener::screen_without_name`] leaves any out).
    fn screen_name(&self, q: &Query, threshold: f64, limit: usize, skip: impl Fn(&IndexedName) -> bool + Copy) -> Vec<Hit> {
        let forms = self.forms(q);
        // A name of only legal forms and generic words ("Ltd", "有限公司", "Trading Co.") names
        // nobody: it is not matched by name (a listed wallet or document still finds).
        let says_who = |f: &Option<NameForm>| {
            f.as_ref().is_some_and(|f| {
                f.tokens
                    .iter()
                    .any(|t| !matches!(t.role, TokenRole::Legal | TokenRole::Generic | TokenRole::Particle))
            })
        };
        let mut pool = if says_who(&forms.person) || says_who(&forms.org) {
            self.candidate_entities(&forms, q.schema, skip)
        } else {
            Vec::new()
        };
        // Entities found by a listed wallet or document number are scored on all their names.
        let direct = q.wallet.iter().flat_map(|w| self.wallets.get(&normalize_wallet(w)).into_iter().flatten());
        let direct = direct.chain(q.id_number.iter().flat_map(|id| self.ids.get(&normalize_id(id)).into_iter().flatten()));
        let direct: Vec<u32> = direct.copied().collect();
        if !direct.is_empty() {
            pool.retain(|(e, _)| !direct.contains(e));
            for &e in &direct {
                pool.extend(
                    self.entities[e as usize]
                        .names
                        .clone()
                        .filter(|&n| !skip(&self.names[n as usize]))
                        .map(|n| (e, n)),
                );
            }
            pool.sort_unstable();
            pool.dedup();
        }
        self.rank(q, &forms, pool, threshold, limit)
    }

    /// Screens as if one entity did not have one of its names: for leave-one-alias-out
    /// evaluation (query with the held-out alias, see whether the entity is still found).
    pub fn screen_without_name(&self, q: &Query, threshold: f64, limit: usize, entity_id: &str, held_out: &str) -> Vec<Hit> {
        let skip = |n: &IndexedName| n.original == held_out && self.entities[n.entity as usize].id == entity_id;
        // The same path as `screen`, so that what the evaluation measures is what screening does.
        self.each_variant(q, limit, |q| self.screen_name(q, threshold, limit, skip))
    }

    /// Screens by scoring every name of every entity: the reference the index is tested
    /// against.
    pub fn screen_all(&self, q: &Query, threshold: f64, limit: usize) -> Vec<Hit> {
        self.each_variant(q, limit, |q| {
            let forms = self.forms(q);
            let pool = (0..self.entities.len() as u32)
                .flat_map(|e| self.entities[e as usize].names.clone().map(move |n| (e, n)))
                .collect();
            self.rank(q, &forms, pool, threshold, limit)
        })
    }

    /// Scores the entities of `pool` (`(entity, name)` pairs, an entity's names together) on
    /// those names.
    fn rank(&self, q: &Query, forms: &Forms, pool: Vec<(u32, u32)>, threshold: f64, limit: usize) -> Vec<Hit> {
        type Parts<'a> = Option<(Vec<&'a NameToken>, Vec<Hot>, Vec<u32>)>;
        fn parts(f: &Option<NameForm>) -> Parts<'_> {
            f.as_ref().map(|f| {
                let refs: Vec<&NameToken> = f.tokens.iter().collect();
                let hot = View::hot_of(&refs, &|t| t.weight);
                (refs, hot, vec![NO_ID; f.tokens.len()])
            })
        }
        fn view<'a>(f: &'a Option<NameForm>, p: &'a Parts<'a>) -> Option<View<'a>> {
            f.as_ref().zip(p.as_ref()).map(|(f, (r, h, i))| View::of(f, r, h, i))
        }
        let (person, org) = (parts(&forms.person), parts(&forms.org));
        self.touch(&pool, q.schema);
        let views = Views {
            person: view(&forms.person, &person),
            org: view(&forms.org, &org),
        };
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            memo.iter_mut().for_each(SimCache::clear);
            let mut hits: Vec<Hit> = pool
                .chunk_by(|x, y| x.0 == y.0)
                .filter_map(|names| self.score(q, &views, names, threshold, &mut memo))
                .collect();
            best_first(&mut hits, limit);
            hits
        })
    }

    /// Scores an entity; the explanation is built only for a hit at or above `threshold`.
    #[allow(clippy::too_many_arguments)]
    fn score(&self, q: &Query, views: &Views, names: &[(u32, u32)], threshold: f64, memo: &mut [SimCache; 2]) -> Option<Hit> {
        let (score, _) = self.evaluate(q, views, names, Some(threshold), memo)?;
        if score < threshold {
            return None;
        }
        let (score, features) = self.evaluate(q, views, names, None, memo)?;
        let e = &self.entities[names[0].0 as usize];
        Some(Hit {
            entity_id: e.id.clone(),
            caption: e.caption.clone(),
            score,
            explanation: features.iter().map(|f| f.text.clone()).collect(),
            features,
        })
    }

    /// The entity score from the given names of one entity (`(entity, name)`: the candidates
    /// retrieval found) and the other features. With a `threshold`, only whether the score
    /// reaches it is wanted: an entity whose name score cannot is not read any further (its
    /// record is another cache miss), and nothing is explained. Without one, the score is
    /// explained.
    fn evaluate(&self, q: &Query, views: &Views, names: &[(u32, u32)], threshold: Option<f64>, memo: &mut [SimCache; 2]) -> Option<(f64, Vec<FeatureScore>)> {
        let explain = threshold.is_none();
        let kind = self.slim[names.first()?.1 as usize].kind;
        if !answers(q.schema, kind) {
            return None;
        }
        // The query is read as the entity's kind: a person's name against persons.
        let query = views.for_kind(kind)?;
        // What the other features can add at most (a listed wallet or document number can
        // lift any name score); the margin covers rounding in the sums below.
        let bonus = if q.dob.is_some() { 0.12 } else { 0.0 } + if q.nationality.is_some() { 0.03 } else { 0.0 };
        let direct = q.wallet.is_some() || q.id_number.is_some();
        // Names that cannot reach the threshold with the bonus are not scored in full.
        let cutoff = match threshold {
            Some(t) if !direct => t - bonus - 1e-9,
            _ => 0.0,
        };
        let mut best: Option<(f64, u32)> = None;
        for &(_, i) in names {
            let cache = &mut memo[(kind != EntityKind::Person) as usize];
            let slim = self.slim[i as usize];
            let s = self.with_view(slim, |v| name_score_memo(query, &v, cache, cutoff));
            // A weak alias alone identifies less.
            let s = if slim.weak { s * 0.92 } else { s };
            if best.is_none_or(|b| s > b.0) {
                best = Some((s, i));
            }
        }
        let mut score = best.map_or(0.0, |b| b.0);
        if threshold.is_some_and(|t| !direct && score + bonus + 1e-9 < t) {
            return Some((score, Vec::new()));
        }
        let e = &self.entities[names[0].0 as usize];
        let mut explanation = Vec::new();
        if explain {
            if let Some((s, i)) = best {
                let n = &self.names[i as usize];
                let cache = &mut memo[(kind != EntityKind::Person) as usize];
                let why = self.with_view(self.slim[i as usize], |v| explain_views(query, &v, cache));
                explanation.push(FeatureScore {
                    feature: Feature::Name,
                    score: s,
                    text: format!("{} {:?}: {}", n.label, n.original, why.explanation.join("; ")),
                });
            }
        }
        // The text is built only when the score is explained: most entities scored are not.
        let mut note = |feature: Feature, score: f64, text: &dyn Fn() -> String| {
            if explain {
                explanation.push(FeatureScore { feature, score, text: text() });
            }
        };
        // Direct identifiers.
        if let Some(w) = &q.wallet {
            let w = normalize_wallet(w);
            if let Some((_, cur)) = e.wallets.iter().find(|(x, _)| *x == w) {
                score = 1.0;
                note(Feature::Wallet, 1.0, &|| format!("wallet {w} is listed ({cur})"));
            }
        }
        if let Some(id) = &q.id_number {
            let id = normalize_id(id);
            if let Some((_, kind)) = e.ids.iter().find(|(x, _)| *x == id) {
                score = score.max(0.95);
                note(Feature::IdNumber, 0.95, &|| format!("{kind} {id} matches"));
            }
        }
        // Date of birth.
        if let Some(d) = q.dob {
            if !e.dobs.is_empty() {
                let best_dob = e.dobs.iter().map(|v| dob_match(d, v)).max_by_key(|m| *m as u8).unwrap_or(DobMatch::None);
                let (adj, text) = match best_dob {
                    DobMatch::Exact => (0.12, "date of birth matches"),
                    DobMatch::Swapped => (0.08, "date of birth matches with day and month swapped"),
                    DobMatch::Partial => (0.06, "date of birth consistent (year/month or range)"),
                    DobMatch::Near => (0.0, "year of birth within one year"),
                    DobMatch::None => (-0.2, "date of birth differs"),
                };
                score += adj;
                note(Feature::BirthDate, adj, &|| format!("{text} ({d})"));
            }
        }
        if let (Some(g), Some(eg)) = (q.gender, e.gender) {
            if g != eg {
                score -= 0.1;
                note(Feature::Gender, -0.1, &|| "gender differs".into());
            }
        }
        // Nationality is supporting evidence only: it never lowers a score.
        if let Some(c) = &q.nationality {
            let c = c.to_ascii_uppercase();
            if e.nationalities.contains(&c) {
                score += 0.03;
                note(Feature::Nationality, 0.03, &|| format!("nationality {c} matches"));
            } else if !e.nationalities.is_empty() {
                note(Feature::Nationality, 0.0, &|| {
                    format!(
                        "nationality {c} differs from {} (supporting evidence only; not penalised)",
                        e.nationalities.join(", ")
                    )
                });
            } else {
                note(Feature::Nationality, 0.0, &|| {
                    format!("nationality {c}: the listing states none (supporting evidence only)")
                });
            }
        }
        Some((score.clamp(0.0, 1.0), explanation))
    }
}

/// Whether an entity of `kind` answers a query of `schema`: a person a query for a person, the
/// others one for an organisation; any entity a query of no schema.
fn answers(schema: Option<Schema>, kind: EntityKind) -> bool {
    answers_person(schema, kind == EntityKind::Person)
}

/// [`answers`] by whether the entity is a person: a query for an organisation takes every
/// other kind (organisations, vessels, aircraft, wallets).
fn answers_person(schema: Option<Schema>, person: bool) -> bool {
    match schema {
        None => true,
        Some(Schema::Person) => person,
        Some(Schema::Organization) => !person,
    }
}

/// Sorts hits best first (ties by id, so output is stable) and keeps `limit`.
fn best_first(hits: &mut Vec<Hit>, limit: usize) {
    hits.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.entity_id.cmp(&b.entity_id))
    });
    hits.truncate(limit);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DobMatch {
    None = 0,
    Near = 1,
    Partial = 2,
    Swapped = 3,
    Exact = 4,
}

fn dob_match(q: PartialDate, listed: &DobValue) -> DobMatch {
    let within = |lo: (u16, u8, u8), hi: (u16, u8, u8), d: PartialDate| d.earliest() <= hi && d.latest() >= lo;
    match listed {
        DobValue::Date(l) => {
            if q == *l {
                return DobMatch::Exact;
            }
            if let (Some(qm), Some(qd), Some(lm), Some(ld)) = (q.month, q.day, l.month, l.day) {
                if q.year == l.year && qm == ld && qd == lm {
                    return DobMatch::Swapped;
                }
            }
            if within(l.earliest(), l.latest(), q) {
                return DobMatch::Partial;
            }
            if q.year.abs_diff(l.year) <= 1 {
                return DobMatch::Near;
            }
            DobMatch::None
        }
        DobValue::Range(a, b) => {
            if within(a.earliest(), b.latest(), q) {
                DobMatch::Partial
            } else if q.year + 1 >= a.year && q.year <= b.year + 1 {
                DobMatch::Near
            } else {
                DobMatch::None
            }
        }
    }
}

/// Default number of hits returned.
pub const DEFAULT_LIMIT: usize = 5;

/// The default threshold for entity scores (the name threshold).
pub const SCREEN_THRESHOLD: f64 = DEFAULT_THRESHOLD;

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_model::{Country, Dob, Name, Wallet};

    fn person(id: &str, name: &str, dob: &str, nat: &str) -> Entity {
        let mut e = Entity::new(id, EntityKind::Person);
        e.names.push(Name::new(name, AliasKind::Primary, NameQuality::Strong));
        e.birth_dates.push(Dob::on(PartialDate::parse(dob).unwrap()));
        e.nationalities.push(Country::from_name(nat));
        e
    }

    /// A thread that screened against one index ranks candidates of another, of as many
    /// names, by that index's name norms, not the first one's (retrieval's per-thread slots
    /// hold the norms).
    #[test]
    fn a_thread_ranks_a_second_index_by_its_own_norms() {
        let index = |first: &str, second: &str| {
            let mut entities = vec![person("a", first, "1960", "KP"), person("b", second, "1960", "KP")];
            for i in 0..20 {
                entities.push(person(&format!("f{i}"), &format!("Ivan Petrov{i}"), "1960", "RU"));
            }
            Screener::new(&entities)
        };
        let (short, long) = ("Kim Jong", "Kim Jong Un Pak Chol Ryong Hae");
        let (one, other) = (index(short, long), index(long, short));
        let query = |s: &Screener| s.candidates(&s.analyze_query("Kim Jong Un", false), 1);
        // On a fresh thread, the second index alone.
        let alone = std::thread::scope(|scope| scope.spawn(|| query(&other)).join().expect("thread"));
        // Here, after the first: its slots are for as many names.
        assert_eq!(one.names.len(), other.names.len());
        let first = query(&one);
        assert_ne!(first, alone, "the two indexes rank differently, or the test shows nothing");
        assert_eq!(query(&other), alone);
    }

    /// A query of no stated kind whose words read otherwise in an organisation's name (Korean
    /// words of institutions, in English in the lists) finds the organisation, among
    /// persons whose names share its syllables.
    #[test]
    fn an_organisation_is_found_by_its_translated_words() {
        let mut entities: Vec<Entity> = (0..300)
            .map(|i| person(&format!("p{i}"), ["Chong Chol", "Chong Kuk Chol", "Chon Gang Guk"][i % 3], "1960", "KP"))
            .collect();
        // Listed first, a name with the same word translated: its token must not lend the
        // other listing its source word.
        let mut other = Entity::new("other", EntityKind::Organization);
        other.names.push(Name::new("Chongchal Muyok", AliasKind::Primary, NameQuality::Strong));
        entities.insert(0, other);
        let mut org = Entity::new("rgb", EntityKind::Organization);
        org.names
            .push(Name::new("Reconnaissance General Bureau", AliasKind::Primary, NameQuality::Strong));
        entities.push(org);
        let s = Screener::new(&entities);
        for query in ["Chongch'al Ch'ongguk", "JEONGCHAL CHONGGUK"] {
            let hits = s.screen(
                &Query {
                    name: query.into(),
                    ..Query::default()
                },
                DEFAULT_THRESHOLD,
                1,
            );
            assert_eq!(hits.first().map(|h| h.entity_id.as_str()), Some("rgb"), "{query}");
            // The explanation says which words were read from Korean, on the query's side only.
            let why = &hits[0].explanation[0];
            assert!(why.contains("RECONNAISSANCE (") && why.contains("= RECONNAISSANCE;"), "{why}");
        }
    }

    /// A joined word reaches the name holding both its parts, a formal given name the name
    /// listed with its nickname, and a unit word the unit under another word, ahead of many
    /// names sharing one word with the query.
    #[test]
    fn joined_words_nicknames_and_unit_words_reach_their_names() {
        // Names sharing one word with the queries, with commoner other words than the
        // targets' (a smaller norm): one shared word ranks them above the targets.
        let mut entities = Vec::new();
        for i in 0..8 {
            entities.push(person(&format!("s{i}"), "Sergei Petrov", "1960", "RU"));
            entities.push(person(&format!("o{i}"), "Oleg Petrov", "1960", "RU"));
            entities.push(person(&format!("l{i}"), "Ivan Lavrov", "1960", "RU"));
            entities.push(person(&format!("g{i}"), "Tom Gates", "1960", "US"));
            entities.push(person(&format!("t{i}"), "Tom Hanks", "1960", "US"));
        }
        let org = |id: &str, name: &str| {
            let mut e = Entity::new(id, EntityKind::Organization);
            e.names.push(Name::new(name, AliasKind::Primary, NameQuality::Strong));
            e
        };
        for i in 0..8 {
            entities.push(org(&format!("r{i}"), "Room Service Trading"));
            entities.push(org(&format!("m{i}"), "Morgan Tanaka"));
        }
        // Listed last: ties go to the first listed.
        entities.push(person("target", "Sergei Lavrov", "1950", "RU"));
        entities.push(person("bill", "Bill Gates", "1955", "US"));
        entities.push(org("office", "Office 39"));
        entities.push(org("jpm", "Jpmorgan"));
        let s = Screener::new(&entities);
        for (query, want, is_org) in [
            ("Sergeilavrov", "target", false),
            ("SERGEI LAVROV", "target", false),
            ("William Gates", "bill", false),
            ("Room 39", "office", true),
            // A listed word the query's words join into.
            ("J P Morgan", "jpm", true),
        ] {
            let first = s.candidates(&s.analyze_query(query, is_org), 1);
            let got = &s.entities[first[0].0.entity() as usize].id;
            assert_eq!(got, want, "{query}");
        }
    }

    /// Long posting lists read through their bitmaps give the candidates reading them entry by
    /// entry gives, on an index where common family names fill lists past [`LONG_POSTINGS`].
    #[test]
    fn bitmaps_read_long_lists_as_entries_do() {
        let families = ["Kim", "Park", "Lee", "Choe", "Smith", "Ivanov", "Haddad", "Tanaka"];
        let given = [
            "Jong Un", "Yo Jong", "Chol", "Song Il", "John", "Maria", "Anna", "Omar", "Yuki", "Sergei", "Hae Won", "Min Ho", "Peter", "Layla", "Dmitri",
            "Kenji", "Su Bin", "Rami", "Olga", "Ji Hoon",
        ];
        let mut entities = Vec::new();
        for i in 0..6_000usize {
            // Kim and Park in about 1,200 names each: long lists, under the cut of a quarter.
            let f = if i % 5 == 0 {
                "Kim"
            } else if i % 5 == 1 {
                "Park"
            } else {
                families[2 + i % 6]
            };
            let g = given[(i * 7 + i / 13) % given.len()];
            let mut e = Entity::new(format!("e{i}"), EntityKind::Person);
            e.names.push(Name::new(
                format!("{f} {g} {}", ["A", "Bo", "Cy", "Dee"][i % 4]),
                AliasKind::Primary,
                NameQuality::Strong,
            ));
            entities.push(e);
        }
        let s = Screener::new(&entities);
        assert!(s.postings.values().filter(|p| !p.bits.is_empty()).count() >= 2, "long lists");
        let mut compared = 0;
        for f in families {
            for g in given {
                let q = s.analyze_query(&format!("{f} {g}"), false);
                for max in [5, CANDIDATES] {
                    assert_eq!(s.candidates_with(&q, max, true), s.candidates_with(&q, max, false), "{f} {g}");
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, families.len() * given.len() * 2);
    }

    #[test]
    fn nationality_never_lowers_a_match() {
        let es = [person("ofac:20157", "KIM, Jong Un", "1984-01-08", "KP")];
        let s = Screener::new(&es);
        let q = Query {
            name: "Jong-un Kim".into(),
            dob: PartialDate::parse("1984-01-08"),
            nationality: Some("CN".into()),
            ..Query::default()
        };
        let with_forged = s.screen(&q, SCREEN_THRESHOLD, 5);
        let q2 = Query {
            nationality: None,
            ..q.clone()
        };
        let without = s.screen(&q2, SCREEN_THRESHOLD, 5);
        assert_eq!(with_forged.len(), 1);
        assert!((with_forged[0].score - without[0].score).abs() < 1e-9);
        assert!(with_forged[0].explanation.iter().any(|l| l.contains("supporting evidence only")));
    }

    /// Screens `query` (of no stated kind) against one listed person and one listed
    /// organisation, and checks it finds the organisation first and never the person. The
    /// screener is returned for more checks.
    fn read_as_organisation(org: (&str, &str), someone: (&str, &str), query: &str) -> Screener {
        let mut e = Entity::new(org.0, EntityKind::Organization);
        e.names.push(Name::new(org.1, AliasKind::Primary, NameQuality::Strong));
        let es = [person(someone.0, someone.1, "1960-01-01", "KP"), e];
        let s = Screener::new(&es);
        let hits = s.screen(
            &Query {
                name: query.into(),
                ..Query::default()
            },
            0.0,
            5,
        );
        assert!(hits.iter().all(|h| h.entity_id != someone.0), "{query}: {hits:?}");
        assert_eq!(hits.first().map(|h| h.entity_id.as_str()), Some(org.0), "{query}: {hits:?}");
        s
    }

    #[test]
    fn a_name_with_a_legal_form_is_read_as_an_organisation() {
        // OFAC lists 大连宁联船务有限公司 (Dalian Global Unity Shipping); read syllable by
        // syllable as a Korean person's name, it looked like persons on the DPRK lists.
        let org = ("ofac:22624", "DALIAN GLOBAL UNITY SHIPPING CO., LTD.");
        let s = read_as_organisation(org, ("ofac:20124", "Cho Yon Chun"), "大连宁联船务有限公司");
        // Said to be a person, it is still compared as one.
        let p = Query {
            name: "大连宁联船务有限公司".into(),
            schema: Some(Schema::Person),
            ..Query::default()
        };
        assert!(s.screen(&p, 0.0, 5).iter().all(|h| h.entity_id != org.0));
    }

    #[test]
    fn a_name_with_a_word_for_an_institution_is_read_as_an_organisation() {
        // OFAC lists "Kim Il-Sung University Automation University" for Pyongyang University
        // of Automation; read as a person's name it covered all of the listed KIM SONG.
        let org = ("ofac:43336", "Pyongyang University of Automation");
        let s = read_as_organisation(org, ("ofac:23508", "Kim Song"), "Kim Il Sung University of Automation");
        // Without such a word the name is still read both ways.
        let q = Query {
            name: "Kim Il Sung".into(),
            ..Query::default()
        };
        assert!(s.screen(&q, 0.0, 5).iter().any(|h| h.entity_id == "ofac:23508"));
    }

    #[test]
    fn a_name_of_legal_forms_only_names_nobody() {
        let mut e = Entity::new("ofac:23406", EntityKind::Organization);
        e.names.push(Name::new("Eleven Eighty Eight Limited", AliasKind::Primary, NameQuality::Strong));
        let s = Screener::new([&e]);
        for name in ["Ltd", "有限公司", "Trading Co., Ltd."] {
            let q = Query {
                name: name.into(),
                ..Query::default()
            };
            assert!(s.screen(&q, 0.0, 5).is_empty(), "{name}");
        }
        let q = Query {
            name: "Eleven Eighty Eight Ltd".into(),
            ..Query::default()
        };
        assert_eq!(s.screen(&q, SCREEN_THRESHOLD, 5).len(), 1);
    }

    #[test]
    fn a_parenthesis_is_another_name() {
        assert_eq!(
            name_variants("DAEDONG CREDIT BANK (DCB)"),
            ["DAEDONG CREDIT BANK (DCB)", "DAEDONG CREDIT BANK", "DCB"]
        );
        assert_eq!(name_variants("(DCB)"), ["(DCB)"]);
        assert_eq!(name_variants("KIM Jong Un"), ["KIM Jong Un"]);
        let mut e = Entity::new("un:KPe.025", EntityKind::Organization);
        e.names
            .push(Name::new("KOREA KWANGSON BANKING CORPORATION (KKBC)", AliasKind::Primary, NameQuality::Strong));
        let mut other = Entity::new("un:KPe.026", EntityKind::Organization);
        other
            .names
            .push(Name::new("KOREA KWANGSONG TRADING CORPORATION", AliasKind::Primary, NameQuality::Strong));
        let s = Screener::new([&e, &other]);
        for name in ["KKBC", "Korea Kwangson Banking Corp"] {
            let q = Query {
                name: name.into(),
                schema: Some(Schema::Organization),
                ..Query::default()
            };
            let hits = s.screen(&q, SCREEN_THRESHOLD, 5);
            assert_eq!(hits.first().map(|h| h.entity_id.as_str()), Some("un:KPe.025"), "{name}: {hits:?}");
        }
    }

    #[test]
    fn dob_day_month_swap_and_mismatch() {
        assert_eq!(
            dob_match(
                PartialDate::parse("1984-08-01").unwrap(),
                &DobValue::Date(PartialDate::parse("1984-01-08").unwrap())
            ),
            DobMatch::Swapped
        );
        assert_eq!(
            dob_match(
                PartialDate::parse("1961").unwrap(),
                &DobValue::Range(PartialDate::year(1960), PartialDate::year(1962))
            ),
            DobMatch::Partial
        );
        assert_eq!(
            dob_match(PartialDate::parse("1990-01-01").unwrap(), &DobValue::Date(PartialDate::year(1960))),
            DobMatch::None
        );
    }

    #[test]
    fn wallet_is_a_direct_hit_and_evm_case_is_ignored() {
        let mut e = Entity::new("ofac:27307", EntityKind::Organization);
        e.names.push(Name::new("LAZARUS GROUP", AliasKind::Primary, NameQuality::Strong));
        e.wallets.push(Wallet {
            currency: "ETH".into(),
            address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96".into(),
        });
        let s = Screener::new([&e]);
        let q = Query {
            name: "unknown sender".into(),
            wallet: Some("0x098b716b8aaf21512996dc57eb0615e2383e2f96".into()),
            ..Query::default()
        };
        let hits = s.screen(&q, SCREEN_THRESHOLD, 5);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].score, 1.0);
        assert_eq!(
            normalize_wallet("1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
            "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
            "base58 keeps its case"
        );
    }
}
