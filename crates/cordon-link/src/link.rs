//! Links between records that share infrastructure, each with its evidence and a weight
//! estimated from the data.
//!
//! **Weights.** A shared value is evidence in proportion to how unlikely it is that two
//! records share it by chance: `weight = log2(m / u)` bits, Fellegi–Sunter style, where
//! `u = n_v / N_t` is the chance that another record holds the value (`n_v` records hold it,
//! `N_t` records have a value of this kind at all) and `m` the chance that two personas of one
//! operator share a value of this kind (a prior per kind, [`Kind::m`]). A payout account held
//! by 2 of 10,000 records weighs `log2(0.5 · 10,000 / 2) ≈ 11.3` bits; a corporate VPN address
//! held by 500 of them weighs 3.3 bits; a value held by more than [`LinkOptions::max_group`]
//! records is not used (noise, and all its pairs would cost n²). For photos and resumes the
//! chance `u` of two random records being that close is estimated by sampling random pairs.
//!
//! **Logins.** Two records using one IP within `simultaneous_secs` of each other (two accounts
//! worked side by side) add [`SIMULTANEOUS_BONUS`] bits; within a day, 1 bit. IPs are
//! reassigned, so use a week or more apart keeps only a fifth of the weight (half within a
//! week).
//!
//! **Several values of one kind** (two shared IPs) are not independent: a pair scores the
//! strongest value of each kind plus one bit per further value, at most 3.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::record::{LoginEvent, Record, RowError};
use crate::spill::{self, LoginEntries, LoginEvents};
use crate::{norm, LinkError};
use rayon::prelude::*;

/// Kinds of shared identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Payout bank or payment account.
    PayoutAccount,
    /// Crypto wallet.
    Wallet,
    /// Device id (from logins).
    Device,
    /// Login IP.
    Ip,
    /// Laptop shipping address (also matched against residences).
    ShippingAddress,
    /// Residence address.
    Address,
    /// Email.
    Email,
    /// Phone.
    Phone,
    /// Code-host handle.
    Github,
    /// Profile photo within a few bits.
    Photo,
    /// Resume text from one template.
    Resume,
    /// The same name in another spelling (or the same) with the same date of birth.
    Name,
}

impl Kind {
    /// Prior chance that two personas of one operator share a value of this kind.
    pub fn m(self) -> f64 {
        match self {
            Kind::PayoutAccount | Kind::Wallet | Kind::Device | Kind::ShippingAddress | Kind::Resume | Kind::Name => 0.5,
            // Low: strangers behind one NAT share IPs too; simultaneity adds the rest.
            Kind::Ip => 0.1,
            Kind::Photo | Kind::Address | Kind::Phone => 0.3,
            Kind::Email | Kind::Github => 0.2,
        }
    }

    /// Words for explanations.
    pub fn words(self) -> &'static str {
        match self {
            Kind::PayoutAccount => "payout account",
            Kind::Wallet => "wallet",
            Kind::Device => "device",
            Kind::Ip => "login IP",
            Kind::ShippingAddress => "shipping address",
            Kind::Address => "address",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Github => "code-host handle",
            Kind::Photo => "photo",
            Kind::Resume => "resume template",
            Kind::Name => "name and date of birth",
        }
    }
}

/// Rarity needs a population: below this many records with a value of a kind, this many are
/// assumed, so a payout account shared by two of five applicants an analyst checks still
/// links them (by the data alone, a value two of two records hold would be no evidence).
pub const MIN_POPULATION: usize = 100;

/// Bits added when two records used one IP within the simultaneity window.
pub const SIMULTANEOUS_BONUS: f64 = 3.0;

/// Settings of linking.
#[derive(Clone, Debug)]
pub struct LinkOptions {
    /// Values held by more records than this are noise and not used.
    pub max_group: usize,
    /// Photos at most this many bits apart match (at most 4: the multi-index uses 5 chunks).
    pub photo_bits: u32,
    /// Resumes with at least this estimated Jaccard similarity match.
    pub resume_jaccard: f64,
    /// Logins this close in time count as simultaneous.
    pub simultaneous_secs: i64,
    /// Bytes of login evidence held in memory by [`link_file`]; beyond it, evidence goes to
    /// partition files and is linked one partition at a time.
    pub memory_budget: usize,
    /// Where partition files go (the system's temporary folder if `None`).
    pub spill_dir: Option<PathBuf>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            max_group: 200,
            photo_bits: 4,
            resume_jaccard: 0.8,
            simultaneous_secs: 600,
            memory_budget: 256 << 20,
            spill_dir: None,
        }
    }
}

/// One shared value.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Evidence {
    /// Kind.
    pub kind: Kind,
    /// The value (shortened).
    pub value: String,
    /// Bits.
    pub weight: f64,
    /// How many records hold it, timing, distance.
    pub detail: String,
}

/// A link between two records.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Link {
    /// Record index.
    pub a: u32,
    /// Record index.
    pub b: u32,
    /// Bits of evidence.
    pub score: f64,
    /// What they share.
    pub evidence: Vec<Evidence>,
}

impl Link {
    /// The evidence in words: "share payout account DE89…, photos 3 bits apart, …".
    pub fn explain(&self) -> String {
        self.evidence
            .iter()
            .map(|e| format!("{} {} ({}; {:.1} bits)", e.kind.words(), e.value, e.detail, e.weight))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn short(v: &str) -> String {
    if v.chars().count() > 40 {
        format!("{}…", v.chars().take(40).collect::<String>())
    } else {
        v.to_string()
    }
}

/// All links with at least one piece of evidence, the login events given in memory (tests,
/// synthetic pools); [`link_file`] streams a login file within a memory budget.
pub fn link(records: &[Record], logins: &[LoginEvent], o: &LinkOptions) -> Vec<Link> {
    let index_of = record_index(records);
    // The events are in memory already: their evidence stays there too, up to 2 GiB (beyond,
    // it goes to the temporary folder, and failing to write there is fatal).
    let mut entries = LoginEntries::new(records.len(), usize::MAX, &std::env::temp_dir(), 0, false);
    let spill = "cannot write login evidence to the temporary folder";
    for l in logins {
        let Some(&i) = index_of.get(&*l.record_id) else { continue };
        entries
            .push(i, l.ts, l.ip.as_deref(), l.country.as_deref(), l.device_id.as_deref(), 0)
            .expect(spill);
    }
    link_entries(records, entries, o).expect(spill).0
}

/// What [`link_file`] read of the login file.
pub struct LoginRead {
    /// The events, kept compactly until the clusters are known.
    pub events: LoginEvents,
    /// Rows that could not be read.
    pub errors: Vec<RowError>,
    /// Events naming a record that is not in the records.
    pub unknown_records: u64,
    /// Whether the login evidence went to disk (over [`LinkOptions::memory_budget`]).
    pub spilled: bool,
}

/// All links, the login events streamed from a file (if any): memory for the login evidence
/// stays within [`LinkOptions::memory_budget`], the rest goes to files under
/// [`LinkOptions::spill_dir`] that are removed when done.
pub fn link_file(records: &[Record], logins: Option<&Path>, o: &LinkOptions) -> Result<(Vec<Link>, LoginRead), LinkError> {
    let index_of = record_index(records);
    let base = o.spill_dir.clone().unwrap_or_else(std::env::temp_dir);
    let size = logins.and_then(|p| std::fs::metadata(p).ok()).map_or(0, |m| m.len());
    let mut entries = LoginEntries::new(records.len(), o.memory_budget, &base, size, true);
    let mut errors = Vec::new();
    let mut unknown = 0u64;
    if let Some(path) = logins {
        let mut failed = None;
        errors = crate::record::each_login(path, |row, bytes| {
            if failed.is_some() {
                return;
            }
            let Some(&i) = index_of.get(row.record_id) else {
                unknown += 1;
                return;
            };
            if let Err(e) = entries.push(i, row.ts, row.ip, row.country, row.device_id, bytes) {
                failed = Some(e);
            }
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
    }
    let spilled = entries.spilled();
    let (links, events) = link_entries(records, entries, o)?;
    Ok((
        links,
        LoginRead {
            events,
            errors,
            unknown_records: unknown,
            spilled,
        },
    ))
}

fn record_index(records: &[Record]) -> HashMap<&str, u32, Fx> {
    records.iter().enumerate().map(|(i, r)| (r.id.as_str(), i as u32)).collect()
}

/// What the value groups of every kind need to weigh a shared value.
struct Groups<'a> {
    records: &'a [Record],
    o: &'a LinkOptions,
    /// Records with a value per kind (`N_t`).
    having: HashMap<Kind, usize, Fx>,
    /// Residences by value hash, to match shipping addresses against other records' homes.
    residences: HashMap<u64, Vec<u32>, Fx>,
}

fn link_entries(records: &[Record], logins: LoginEntries, o: &LinkOptions) -> Result<(Vec<Link>, LoginEvents), LinkError> {
    let mut pairs: HashMap<(u32, u32), Vec<Evidence>, Fx> = HashMap::default();
    let mut add = |a: u32, b: u32, e: Evidence| {
        let key = if a < b { (a, b) } else { (b, a) };
        pairs.entry(key).or_default().push(e);
    };
    // Every identifier value as (kind, hash of the normalised value, record, login time,
    // source), sorted so that one value's holders are adjacent: no map of strings, and a
    // value's text is rebuilt from its source only when a link shows it.
    let mut entries: Vec<Entry> = records
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, r)| {
            RECORD_KINDS
                .into_iter()
                .filter_map(move |kind| record_value(r, kind).map(|v| Entry::new(kind, hash64(&v), i as u32, 0, NO_LOGIN)))
        })
        .collect();
    entries.par_sort_unstable_by_key(|e| (e.key, e.record, e.ts));
    let mut having: HashMap<Kind, usize, Fx> = HashMap::default();
    {
        // One bit per kind and record (a list of pairs took 8 bytes per entry); the login kinds
        // were marked as the events streamed by.
        let mut seen = logins.seen.clone();
        for e in &entries {
            seen[e.record as usize] |= 1 << (e.key >> 60);
        }
        for (i, k) in KINDS.iter().enumerate() {
            let count = seen.iter().filter(|b| *b & (1 << i) != 0).count();
            if count > 0 {
                *having.entry(*k).or_default() += count;
            }
        }
    }
    // A shipping address is rare among all shipping addresses, including those that are the
    // holder's home (those are not indexed, as they link nobody).
    let ships = records
        .iter()
        .filter(|r| r.shipping_address.as_deref().and_then(norm::postal).is_some())
        .count();
    having.insert(Kind::ShippingAddress, ships);
    let mut residences: HashMap<u64, Vec<u32>, Fx> = HashMap::default();
    for e in entries.iter().filter(|e| e.kind() == Kind::Address) {
        residences.entry(e.hash()).or_default().push(e.record);
    }
    let groups = Groups {
        records,
        o,
        having,
        residences,
    };
    groups.link(
        &entries,
        &|e: &Entry| record_value(&records[e.record as usize], e.kind()).unwrap_or_default(),
        &mut add,
    );
    drop(entries);
    let events = logins.each_partition(|part, text| {
        part.par_sort_unstable_by_key(|e| (e.key, e.record, e.ts));
        let display = |e: &Entry| norm::plain(&String::from_utf8_lossy(spill::text(text, e.src))).unwrap_or_default();
        groups.link(part, &display, &mut add);
    })?;
    photos(records, o, &mut add);
    resumes(records, o, &mut add);
    names(records, o, &mut add);
    let mut out: Vec<Link> = pairs
        .into_iter()
        .map(|((a, b), mut ev)| {
            // Strongest first; ties in a fixed order, whatever order the values were found in.
            ev.sort_by(|x, y| y.weight.total_cmp(&x.weight).then_with(|| (x.kind, &x.value).cmp(&(y.kind, &y.value))));
            // Strongest value per kind, plus a bit per further value of that kind (at most 3).
            // A household (one residence) explains a shared account, IP or device: those weigh
            // half, and the residence itself links nobody.
            let household = ev.iter().any(|e| e.kind == Kind::Address);
            let mut score = 0.0;
            let mut per_kind: HashMap<Kind, usize, Fx> = HashMap::default();
            for e in &ev {
                let c = per_kind.entry(e.kind).or_default();
                let w = match e.kind {
                    Kind::Address => 0.0,
                    Kind::PayoutAccount | Kind::Wallet | Kind::Ip | Kind::Device | Kind::Phone if household => e.weight / 2.0,
                    _ => e.weight,
                };
                score += if *c == 0 {
                    w
                } else if *c <= 3 {
                    1.0
                } else {
                    0.0
                };
                *c += 1;
            }
            Link { a, b, score, evidence: ev }
        })
        .collect();
    out.sort_by_key(|x| (x.a, x.b));
    Ok((out, events))
}

impl Groups<'_> {
    /// Links the holders of each value in `entries` (sorted by key, record, time).
    fn link(&self, entries: &[Entry], display: &dyn Fn(&Entry) -> String, add: &mut dyn FnMut(u32, u32, Evidence)) {
        let (n, o) = (self.records.len(), self.o);
        let mut at = 0;
        while at < entries.len() {
            let mut end = at + 1;
            while end < entries.len() && entries[end].key == entries[at].key {
                end += 1;
            }
            let group = &entries[at..end];
            at = end;
            let kind = group[0].kind();
            // Holders, each with its login times (sorted) for IPs.
            let mut holders: Vec<(u32, usize, usize)> = Vec::new(); // (record, start, end) in group
            for (j, e) in group.iter().enumerate() {
                match holders.last_mut() {
                    Some(h) if h.0 == e.record => h.2 = j + 1,
                    _ => holders.push((e.record, j, j + 1)),
                }
            }
            if kind == Kind::ShippingAddress {
                if let Some(homes) = self.residences.get(&group[0].hash()) {
                    for &h in homes {
                        if !holders.iter().any(|x| x.0 == h) {
                            holders.push((h, 0, 0));
                        }
                    }
                }
            }
            if holders.len() < 2 || holders.len() > o.max_group {
                continue;
            }
            let nt = self.having.get(&kind).copied().unwrap_or(n).max(MIN_POPULATION) as f64;
            let base = (kind.m() * nt / holders.len() as f64).log2();
            if base <= 0.0 {
                continue;
            }
            let value = short(&display(&group[0]));
            let ts = |h: &(u32, usize, usize)| -> Vec<i64> { group[h.1..h.2].iter().map(|e| e.ts).collect() };
            for x in 0..holders.len() {
                for y in x + 1..holders.len() {
                    let (a, b) = (holders[x].0, holders[y].0);
                    let mut weight = base;
                    let mut detail = format!("{} records hold it", holders.len());
                    if kind == Kind::Ip {
                        let (ta, tb) = (ts(&holders[x]), ts(&holders[y]));
                        // Addresses are reassigned (dynamic IPs, carrier NAT): use far apart in
                        // time says little, use side by side says much.
                        let gap = min_gap(&ta, &tb);
                        if gap <= o.simultaneous_secs {
                            weight += SIMULTANEOUS_BONUS;
                            detail = format!(
                                "{} records use it; {} and {} logins, {gap} s apart at the closest",
                                holders.len(),
                                ta.len(),
                                tb.len()
                            );
                        } else if gap <= 86_400 {
                            weight += 1.0;
                            detail = format!("{} records use it; logins {} h apart at the closest", holders.len(), gap / 3600);
                        } else if gap <= 7 * 86_400 {
                            weight *= 0.5;
                            detail = format!("{} records use it; logins {} days apart at the closest", holders.len(), gap / 86_400);
                        } else {
                            weight *= 0.2;
                            detail = format!("{} records use it; logins {} days apart at the closest", holders.len(), gap / 86_400);
                        }
                    }
                    add(
                        a,
                        b,
                        Evidence {
                            kind,
                            value: value.clone(),
                            weight,
                            detail,
                        },
                    );
                }
            }
        }
    }
}

/// A fast hasher for integer keys (Fx, as in rustc): the default SipHash guards against
/// adversarial keys, which record ids and indexes here are not.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type Fx = std::hash::BuildHasherDefault<FxHasher>;

/// One identifier value of a record or login: 24 bytes, as there are tens of millions (the
/// kind sits in the top 4 bits of the key, above 60 bits of the value's hash, so sorting by
/// key groups by kind, then value).
pub(crate) struct Entry {
    pub(crate) key: u64,
    pub(crate) ts: i64,
    pub(crate) record: u32,
    /// Where the value's text is: the record's field, or an offset in a login text buffer.
    pub(crate) src: u32,
}

/// Every kind, in declaration (and sort) order.
const KINDS: [Kind; 12] = [
    Kind::PayoutAccount,
    Kind::Wallet,
    Kind::Device,
    Kind::Ip,
    Kind::ShippingAddress,
    Kind::Address,
    Kind::Email,
    Kind::Phone,
    Kind::Github,
    Kind::Photo,
    Kind::Resume,
    Kind::Name,
];

impl Entry {
    pub(crate) fn new(kind: Kind, hash: u64, record: u32, ts: i64, src: u32) -> Entry {
        Entry {
            key: (kind as u64) << 60 | hash >> 4,
            ts,
            record,
            src,
        }
    }
    fn kind(&self) -> Kind {
        KINDS[(self.key >> 60) as usize]
    }
    /// The value's hash (60 bits), the same for one value whatever its kind.
    pub(crate) fn hash(&self) -> u64 {
        self.key & ((1 << 60) - 1)
    }
}

const NO_LOGIN: u32 = u32::MAX;

const RECORD_KINDS: [Kind; 7] = [
    Kind::PayoutAccount,
    Kind::Wallet,
    Kind::Email,
    Kind::Phone,
    Kind::Github,
    Kind::Address,
    Kind::ShippingAddress,
];

/// The normalised value of a record field of a kind.
fn record_value(r: &Record, kind: Kind) -> Option<String> {
    match kind {
        Kind::PayoutAccount => r.payout_account.as_deref().and_then(norm::account),
        Kind::Wallet => r.wallet.as_deref().map(cordon_model::normalize_address).filter(|w| w.len() >= 20),
        Kind::Email => r.email.as_deref().and_then(norm::email),
        Kind::Phone => r.phone.as_deref().and_then(norm::phone),
        Kind::Github => r.github.as_deref().and_then(norm::handle),
        Kind::Address => r.address.as_deref().and_then(norm::postal),
        // Laptops shipped somewhere else than home: the shipping address is its own kind; it
        // is also compared with other records' residences (the facilitator's home).
        Kind::ShippingAddress => {
            let home = r.address.as_deref().and_then(norm::postal);
            r.shipping_address.as_deref().and_then(norm::postal).filter(|s| Some(s) != home.as_ref())
        }
        _ => None,
    }
}

/// [`hash64`] of the lower-cased string, without allocating it.
pub(crate) fn hash64_lower(s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    if s.is_ascii() {
        // The common case (IPs, device ids), without the per-character case tables.
        for b in s.bytes() {
            h = (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(0x100_0000_01b3);
        }
        return mix(h);
    }
    let mut buf = [0u8; 4];
    for c in s.chars().flat_map(char::to_lowercase) {
        for b in c.encode_utf8(&mut buf).bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    mix(h)
}

/// 64-bit FNV-1a then a finaliser: collisions among a few million values are negligible.
fn hash64(s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in s.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    mix(h)
}

fn min_gap(a: &[i64], b: &[i64]) -> i64 {
    let (mut i, mut j, mut best) = (0, 0, i64::MAX);
    while i < a.len() && j < b.len() {
        best = best.min((a[i] - b[j]).abs());
        if a[i] < b[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    best
}

/// A small deterministic generator for sampling.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Bits for a match found in `hits` of `samples` random pairs (Laplace-smoothed).
fn sampled_weight(kind: Kind, hits: usize, samples: usize) -> f64 {
    (kind.m() * (samples as f64 + 1.0) / (hits as f64 + 1.0)).log2().max(0.0)
}

/// Photos within `photo_bits` by multi-index hashing: 5 chunks of 13 bits, so two hashes at
/// most 4 bits apart agree on at least one chunk (pigeonhole); only those candidates are
/// compared.
fn photos(records: &[Record], o: &LinkOptions, add: &mut dyn FnMut(u32, u32, Evidence)) {
    let hashes: Vec<(u32, u64)> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.photo_hash.as_deref().and_then(norm::photo).map(|h| (i as u32, h)))
        .collect();
    if hashes.len() < 2 {
        return;
    }
    let bits = o.photo_bits.min(4);
    let mut hits = 0;
    let samples = 20_000.min(hashes.len() * (hashes.len() - 1) / 2);
    for s in 0..samples as u64 {
        let (x, y) = (mix(s * 2) as usize % hashes.len(), mix(s * 2 + 1) as usize % hashes.len());
        if x != y && (hashes[x].1 ^ hashes[y].1).count_ones() <= bits {
            hits += 1;
        }
    }
    let weight = sampled_weight(Kind::Photo, hits, samples);
    // One photo held by more than `max_group` records is a stock picture or an avatar: it
    // links nobody, like any other over-shared value.
    let mut by_hash: Vec<(u64, usize)> = hashes.iter().enumerate().map(|(k, h)| (h.1, k)).collect();
    by_hash.sort_unstable();
    let mut shared = vec![false; hashes.len()];
    for run in by_hash.chunk_by(|x, y| x.0 == y.0) {
        if run.len() > o.max_group {
            run.iter().for_each(|&(_, k)| shared[k] = true);
        }
    }
    // Two hashes within 4 bits agree exactly on one of 5 chunks (pigeonhole). Each chunk's
    // runs of equal values are checked pair by pair as they come, and a pair is taken in the
    // first chunk it agrees on: no table of candidate pairs (at a million photos that table
    // held hundreds of millions of pairs).
    let chunk = |h: u64, c: u32| (h >> (c * 13)) & 0x1fff;
    let mut keyed: Vec<(u64, usize)> = Vec::with_capacity(hashes.len());
    for c in 0..5u32 {
        keyed.clear();
        keyed.extend(hashes.iter().enumerate().filter(|(k, _)| !shared[*k]).map(|(k, h)| (chunk(h.1, c), k)));
        keyed.sort_unstable();
        for run in keyed.chunk_by(|x, y| x.0 == y.0) {
            for x in 0..run.len() {
                for y in x + 1..run.len() {
                    let (p, q) = (run[x].1, run[y].1);
                    let (hp, hq) = (hashes[p].1, hashes[q].1);
                    let d = (hp ^ hq).count_ones();
                    if d > bits || (0..c).any(|e| chunk(hp, e) == chunk(hq, e)) {
                        continue;
                    }
                    add(
                        hashes[p].0,
                        hashes[q].0,
                        Evidence {
                            kind: Kind::Photo,
                            value: format!("{:016x}", hp),
                            weight,
                            detail: format!("{d} bits apart"),
                        },
                    );
                }
            }
        }
    }
}

/// The same person under another spelling of the name (KIM JONG UN / Gim Jeong-eun, Jon /
/// John) with the same date of birth: a persona registered again after a block, or one
/// identity spread over platforms. Candidates share the date of birth and, for two of their
/// name tokens, a spelling key (a Hangul syllable the romanised token may stand for, or its
/// consonant skeleton); cordon-match then compares the names. The weight says how unlikely
/// such a coincidence is: two people with a common name share a birthday often enough (a
/// name held by `c` records, where two records share a birth date by chance once in `D`
/// pairs: log2(m · D / c)), while a rare name with the same date of birth is as strong as a
/// shared account.
fn names(records: &[Record], o: &LinkOptions, add: &mut dyn FnMut(u32, u32, Evidence)) {
    use cordon_match::{analyze, compare_names, skeleton};
    let tokens = |name: &str| -> Vec<String> {
        cordon_text::fold(name)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .take(4)
            .map(str::to_string)
            .collect()
    };
    // Spelling keys of one token.
    let keys = |t: &str| -> Vec<u64> {
        let mut k: Vec<u64> = cordon_text::korean::syllables(t).iter().map(|c| 1 << 40 | *c as u64).collect();
        let sk = skeleton(t);
        k.push(hash64(if sk.len() >= 2 { &sk } else { t }));
        k
    };
    let dob_of = |r: &Record| -> Option<u32> {
        let d: String = r.dob.as_deref()?.chars().filter(|c| c.is_ascii_digit()).collect();
        (d.len() == 8).then(|| d.parse().ok()).flatten()
    };
    // (date, key of two tokens' keys, record), on all cores.
    let mut entries: Vec<(u32, u64, u32)> = records
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, r)| {
            let mut out = Vec::new();
            if let (Some(d), Some(name)) = (dob_of(r), r.name.as_deref()) {
                let ks: Vec<Vec<u64>> = tokens(name).iter().map(|t| keys(t)).collect();
                for x in 0..ks.len() {
                    for y in x + 1..ks.len() {
                        for a in &ks[x] {
                            for b in &ks[y] {
                                out.push((d, mix(a.min(b) ^ mix(*a.max(b))), i as u32));
                            }
                        }
                    }
                }
            }
            out
        })
        .collect();
    entries.par_sort_unstable();
    entries.dedup();
    // Two records share a birth date by chance with probability Σ n_d(n_d − 1) / N(N − 1)
    // over the dates d held by n_d of the N records; `dates` is its inverse (about 18,000
    // for ages spread over fifty years), capped at a century of days.
    let dates = {
        let mut born: Vec<u32> = records.iter().filter(|r| r.name.is_some()).filter_map(dob_of).collect();
        born.sort_unstable();
        let n = born.len() as f64;
        let same: f64 = born.chunk_by(|a, b| a == b).map(|r| r.len() as f64 * (r.len() as f64 - 1.0)).sum();
        if same > 0.0 {
            (n * (n - 1.0) / same).min(36_500.0)
        } else {
            36_500.0
        }
    };
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for run in entries.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        if run.len() < 2 || run.len() > o.max_group {
            continue;
        }
        for x in 0..run.len() {
            for y in x + 1..run.len() {
                pairs.push((run[x].2.min(run[y].2), run[x].2.max(run[y].2)));
            }
        }
    }
    drop(entries);
    pairs.par_sort_unstable();
    pairs.dedup();
    if pairs.is_empty() {
        return;
    }
    // How many records hold each name (tokens folded and sorted).
    let name_key = |r: &Record| {
        let mut t = tokens(r.name.as_deref().unwrap_or(""));
        t.sort_unstable();
        hash64(&t.join(" "))
    };
    let mut counts: HashMap<u64, u32, Fx> = HashMap::default();
    for r in records.iter().filter(|r| r.name.is_some()) {
        *counts.entry(name_key(r)).or_default() += 1;
    }
    // Each record in a candidate pair is analysed once, however many pairs it is in.
    let mut members: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    members.par_sort_unstable();
    members.dedup();
    let forms: Vec<cordon_match::NameForm> = members
        .par_iter()
        .map(|&i| analyze(records[i as usize].name.as_deref().unwrap_or(""), false))
        .collect();
    let form = |i: u32| &forms[members.binary_search(&i).expect("a member")];
    let scored: Vec<(u32, u32, f64, f64)> = pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let (ra, rb) = (&records[a as usize], &records[b as usize]);
            let s = compare_names(form(a), form(b), &|_| 1.0).score;
            if s < NAME_SCORE {
                return None;
            }
            let c = counts[&name_key(ra)].max(counts[&name_key(rb)]) as f64;
            let weight = (Kind::Name.m() * dates / c).log2();
            (weight > 0.0).then_some((a, b, s, weight))
        })
        .collect();
    for (a, b, s, weight) in scored {
        let (ra, rb) = (&records[a as usize], &records[b as usize]);
        add(
            a,
            b,
            Evidence {
                kind: Kind::Name,
                value: short(&format!("{} / {}", ra.name.as_deref().unwrap_or(""), rb.name.as_deref().unwrap_or(""))),
                weight,
                detail: format!("born {}; names {:.0} % alike", ra.dob.as_deref().unwrap_or(""), s * 100.0),
            },
        );
    }
}

/// Name score from which two records with one date of birth are taken as one person.
const NAME_SCORE: f64 = 0.8;

/// Resumes from one template: word 3-shingles without the record's own name, one-permutation
/// MinHash (32 bins) with 8 bands of 4 for candidates, then the estimated Jaccard similarity.
fn resumes(records: &[Record], o: &LinkOptions, add: &mut dyn FnMut(u32, u32, Evidence)) {
    const H: usize = 32;
    let sigs: Vec<(u32, [u64; H])> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let text = r.resume_text.as_deref()?;
            let own: Vec<u64> = r.name.as_deref().unwrap_or("").split_whitespace().map(hash64_lower).collect();
            // Word hashes, the record's own name left out (templates with the name swapped in).
            let words: Vec<u64> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(hash64_lower)
                .filter(|h| !own.contains(h))
                .collect();
            if words.len() < 8 {
                return None;
            }
            // One-permutation MinHash: each 3-word shingle's hash picks a bin and competes
            // for its minimum; empty bins borrow the next filled one (densification).
            let mut sig = [u64::MAX; H];
            for w in words.windows(3) {
                let h = mix(w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42));
                let bin = (h % H as u64) as usize;
                sig[bin] = sig[bin].min(h / H as u64);
            }
            for b in 0..H {
                if sig[b] == u64::MAX {
                    if let Some(k) = (1..H).map(|d| (b + d) % H).find(|&k| sig[k] != u64::MAX) {
                        sig[b] = sig[k] ^ (b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                    }
                }
            }
            Some((i as u32, sig))
        })
        .collect();
    if sigs.len() < 2 {
        return;
    }
    let sim = |a: &[u64; H], b: &[u64; H]| a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / H as f64;
    let samples = 20_000.min(sigs.len() * (sigs.len() - 1) / 2);
    let hits = (0..samples as u64)
        .filter(|&s| {
            let (x, y) = (mix(s * 2) as usize % sigs.len(), mix(s * 2 + 1) as usize % sigs.len());
            x != y && sim(&sigs[x].1, &sigs[y].1) >= o.resume_jaccard
        })
        .count();
    // A template many strangers use is weak evidence: the weight falls with the size of the
    // largest band bucket the pair shares (how many records are that close), and is capped by
    // the chance of a random match.
    let cap = sampled_weight(Kind::Resume, hits, samples);
    let nt = sigs.len() as f64;
    // Bands of 4 bins: records agreeing on a band are candidates. Each band's records are
    // sorted by the band's hash, so its buckets are runs (a hash map of a million buckets per
    // band took most of the memory of a million-record run); a pair is taken in the first
    // band it shares within `max_group`, with the largest such bucket's size.
    const BANDS: usize = H / 4;
    let band_hash =
        |sig: &[u64; H], b: usize| mix(sig[b * 4] ^ sig[b * 4 + 1].rotate_left(16) ^ sig[b * 4 + 2].rotate_left(32) ^ sig[b * 4 + 3].rotate_left(48));
    let same_band = |x: &[u64; H], y: &[u64; H], b: usize| x[b * 4..b * 4 + 4] == y[b * 4..b * 4 + 4];
    let n = sigs.len();
    let mut bands: Vec<Vec<(u64, u32)>> = Vec::with_capacity(BANDS);
    // Per band and record, the size of its bucket.
    let mut size = vec![0u32; BANDS * n];
    for b in 0..BANDS {
        let mut keyed: Vec<(u64, u32)> = sigs.iter().enumerate().map(|(k, (_, sig))| (band_hash(sig, b), k as u32)).collect();
        keyed.sort_unstable();
        for run in keyed.chunk_by(|x, y| x.0 == y.0) {
            run.iter().for_each(|&(_, k)| size[b * n + k as usize] = run.len() as u32);
        }
        bands.push(keyed);
    }
    let usable = |b: usize, p: usize, q: usize| same_band(&sigs[p].1, &sigs[q].1, b) && size[b * n + p] as usize <= o.max_group;
    let mut pairs: Vec<((usize, usize), usize)> = Vec::new();
    for (b, keyed) in bands.iter().enumerate() {
        for run in keyed.chunk_by(|x, y| x.0 == y.0) {
            if run.len() < 2 || run.len() > o.max_group {
                continue;
            }
            for x in 0..run.len() {
                for y in x + 1..run.len() {
                    let (p, q) = (run[x].1.min(run[y].1) as usize, run[x].1.max(run[y].1) as usize);
                    if !same_band(&sigs[p].1, &sigs[q].1, b) || (0..b).any(|e| usable(e, p, q)) {
                        continue;
                    }
                    let g = (b..BANDS)
                        .filter(|&e| usable(e, p, q))
                        .map(|e| size[e * n + p] as usize)
                        .max()
                        .unwrap_or(run.len());
                    pairs.push(((p, q), g));
                }
            }
        }
    }
    drop(bands);
    pairs.sort_unstable();
    for ((p, q), g) in pairs {
        let s = sim(&sigs[p].1, &sigs[q].1);
        if s >= o.resume_jaccard {
            let weight = (Kind::Resume.m() * nt / g as f64).log2().min(cap);
            if weight > 0.0 {
                add(
                    sigs[p].0,
                    sigs[q].0,
                    Evidence {
                        kind: Kind::Resume,
                        value: "template".into(),
                        weight,
                        detail: format!("{:.0} % similar with the names taken out; {g} resumes this close", s * 100.0),
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str) -> Record {
        Record {
            id: id.into(),
            ..Record::default()
        }
    }

    #[test]
    fn one_person_under_two_spellings() {
        // A rare Korean name in two romanisations with one date of birth links; so does
        // nothing else here. Thirty people named John Smith, two born the same day, are a
        // coincidence and weigh little.
        // Distinct names and birth dates (letters from the index; 336 dates a year).
        let word = |mut i: usize| {
            let mut w = String::from("Q");
            for _ in 0..4 {
                w.push((b'a' + (i % 26) as u8) as char);
                i /= 26;
            }
            w
        };
        let mut rs: Vec<Record> = (0..5000).map(|i| rec(&format!("r{i}"))).collect();
        for (i, r) in rs.iter_mut().enumerate() {
            r.name = Some(format!("{} {}x", word(i), word(i * 7 + 3)));
            r.dob = Some(format!("{}-{:02}-{:02}", 1950 + i / 336, 1 + i / 28 % 12, 1 + i % 28));
        }
        rs[1].name = Some("Ri Song Hyok".into());
        rs[2].name = Some("Lee Seong-hyeok".into());
        rs[2].dob = rs[1].dob.clone();
        rs[3].name = Some("Ri Song Chol".into());
        rs[3].dob = rs[1].dob.clone();
        for r in &mut rs[100..130] {
            r.name = Some("John Smith".into());
        }
        rs[101].dob = rs[100].dob.clone();
        let links = link(&rs, &[], &LinkOptions::default());
        let strong: Vec<(u32, u32)> = links.iter().filter(|l| l.score >= 10.0).map(|l| (l.a, l.b)).collect();
        assert_eq!(strong, [(1, 2)]);
        let smiths = links.iter().find(|l| (l.a, l.b) == (100, 101)).map_or(0.0, |l| l.score);
        assert!(smiths < 10.0, "{smiths}");
        let e = &links.iter().find(|l| (l.a, l.b) == (1, 2)).unwrap().evidence[0];
        assert_eq!(e.kind, Kind::Name);
        assert!(e.value.contains("Ri Song Hyok") && e.detail.contains("alike"), "{e:?}");
    }

    #[test]
    fn kinds_are_listed_in_declaration_order() {
        for (i, k) in KINDS.iter().enumerate() {
            assert_eq!(*k as usize, i);
            let e = Entry::new(*k, u64::MAX, 0, 0, 0);
            assert_eq!(e.kind(), *k);
        }
    }

    #[test]
    fn rare_values_weigh_more_and_common_ones_are_noise() {
        let mut rs: Vec<Record> = (0..1000).map(|i| rec(&format!("r{i}"))).collect();
        for r in rs.iter_mut() {
            r.payout_account = Some(format!("ACCT{}", r.id));
        }
        rs[1].payout_account = Some("acct-shared-1".into());
        rs[2].payout_account = Some("ACCT SHARED 1".into());
        let logins: Vec<LoginEvent> = (0..300)
            .map(|i| LoginEvent {
                record_id: format!("r{i}").into(),
                ts: i * 100_000,
                ip: Some("10.0.0.1".into()),
                country: None,
                device_id: None,
            })
            .collect();
        let links = link(&rs, &logins, &LinkOptions::default());
        let l = links.iter().find(|l| (l.a, l.b) == (1, 2)).unwrap();
        assert_eq!(l.evidence[0].kind, Kind::PayoutAccount);
        // log2(0.5 · 1000 / 2) ≈ 8 bits.
        assert!(l.score > 7.9, "{}", l.score);
        // The VPN address held by 300 records (more than max_group) links nobody.
        assert!(links.iter().all(|l| l.evidence.iter().all(|e| e.kind != Kind::Ip)));
    }

    #[test]
    fn a_login_file_over_the_budget_links_as_in_memory() {
        // 400 records; logins over 60 shared IPs and 30 devices at varied times, some rows
        // broken, some naming unknown records: a 1 KiB budget forces partition files and a
        // spooled event file, and the links, counts and kept events must equal the in-memory run.
        let rs: Vec<Record> = (0..400).map(|i| rec(&format!("r{i}"))).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logins.csv");
        let mut csv = String::from("record_id,ts,ip,country,device_id\n");
        for i in 0..3000u64 {
            let r = mix(i) % 420; // some beyond the 400 records
            let ts = 1_700_000_000 + (mix(i + 7) % 2_000_000) as i64;
            let ip = format!("10.0.{}.{}", mix(i + 1) % 3, mix(i + 2) % 20);
            let dev = if i % 3 == 0 { format!("DEV-{}", mix(i + 3) % 30) } else { String::new() };
            let cc = ["us", "kr", "cn"][(i % 3) as usize];
            csv.push_str(&format!("r{r},{ts},{ip},{cc},{dev}\n"));
            if i % 1000 == 5 {
                csv.push_str("r1,yesterday,10.0.0.1,US,\n");
            }
        }
        std::fs::write(&path, csv).unwrap();
        let (all, errors) = crate::record::read_logins(&path).unwrap();
        assert_eq!(errors.len(), 3);
        let memory = link(&rs, &all, &LinkOptions::default());
        assert!(memory.iter().any(|l| l.evidence.iter().any(|e| e.kind == Kind::Device)));
        let o = LinkOptions {
            memory_budget: 1,
            spill_dir: Some(dir.path().to_path_buf()),
            ..LinkOptions::default()
        };
        let (streamed, read) = link_file(&rs, Some(&path), &o).unwrap();
        assert!(read.spilled);
        assert_eq!(read.errors, errors);
        let known = all.iter().filter(|l| l.record_id[1..].parse::<u32>().unwrap() < 400).count();
        assert_eq!(read.unknown_records as usize, all.len() - known);
        assert_eq!(read.events.count as usize, known);
        assert_eq!(streamed, memory);
        // The events of the kept records, in file order.
        let kept = read.events.of(&rs, |i| i % 2 == 0).unwrap();
        let expected: Vec<&LoginEvent> = all
            .iter()
            .filter(|l| l.record_id[1..].parse::<u32>().unwrap() % 2 == 0 && l.record_id[1..].parse::<u32>().unwrap() < 400)
            .collect();
        assert_eq!(kept.iter().collect::<Vec<_>>(), expected);
        // The partition files are gone.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_small_file_still_links() {
        // Two records sharing an account: by the data alone (2 of 2 hold it) no evidence; with
        // the population floor, log2(0.5 · 100 / 2) ≈ 4.6 bits.
        let mut rs = vec![rec("a"), rec("b")];
        for r in rs.iter_mut() {
            r.payout_account = Some("DE89370400440532013000".into());
        }
        let links = link(&rs, &[], &LinkOptions::default());
        assert_eq!(links.len(), 1);
        assert!((links[0].score - (0.5f64 * MIN_POPULATION as f64 / 2.0).log2()).abs() < 1e-9);
    }

    #[test]
    fn photos_resumes_and_simultaneous_logins() {
        let mut rs: Vec<Record> = (0..50).map(|i| rec(&format!("r{i}"))).collect();
        for (i, r) in rs.iter_mut().enumerate() {
            r.photo_hash = Some(format!("{:016x}", mix(i as u64)));
            r.name = Some(format!("Person{i} Surname{i}"));
            r.resume_text = Some(format!(
                "unique words {} {} {} about things {} and more {}",
                mix(i as u64),
                i * 7,
                i * 13,
                i * 3,
                i * 11
            ));
        }
        rs[3].photo_hash = Some(format!("{:016x}", mix(4) ^ 0b1010_0000));
        let template = |name: &str| {
            format!("Hello I am {name} a senior full stack engineer with ten years of experience in react node and cloud systems for fintech clients")
        };
        rs[5].resume_text = Some(template("Person5 Surname5"));
        rs[6].resume_text = Some(template("Person6 Surname6"));
        let login = |r: &str, ts: i64| LoginEvent {
            record_id: r.into(),
            ts,
            ip: Some("203.0.113.9".into()),
            country: Some("US".into()),
            device_id: None,
        };
        let mut logins = vec![login("r7", 1000), login("r8", 1200), login("r9", 9_000_000)];
        for i in 10..50 {
            logins.push(LoginEvent {
                ip: Some(format!("10.0.0.{i}").into()),
                ..login(&format!("r{i}"), i)
            });
        }
        let links = link(&rs, &logins, &LinkOptions::default());
        let get = |a, b| links.iter().find(|l| (l.a, l.b) == (a, b));
        assert_eq!(get(3, 4).unwrap().evidence[0].kind, Kind::Photo);
        assert_eq!(get(3, 4).unwrap().evidence[0].detail, "2 bits apart");
        assert_eq!(get(5, 6).unwrap().evidence[0].kind, Kind::Resume);
        // r7/r8 minutes apart: the bonus; r7/r9 months apart: a fifth of the base weight.
        let sim = get(7, 8).unwrap().score;
        let apart = get(7, 9).unwrap().score;
        let base = sim - SIMULTANEOUS_BONUS;
        assert!((apart - base * 0.2).abs() < 1e-9, "{sim} {apart}");
    }
}
