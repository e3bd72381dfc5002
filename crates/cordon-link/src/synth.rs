//! Synthetic applicant pools with ground truth: operators running several personas over shared
//! infrastructure, among honest applicants, some of whom share innocently.
//!
//! Honest applicants have their own email, phone, home, payout account, device and home IP;
//! innocent sharing: couples share a home (and sometimes a payout account), a coworking space
//! is the shipping address of a few, a corporate VPN and a carrier NAT give hundreds one IP,
//! a popular resume template is reused by strangers with different wording.
//!
//! An operator runs 3 to 8 personas with different names, birth dates, emails, phones and
//! nationalities, but wages go to one or two payout accounts or a wallet, laptops go to a
//! facilitator's address, the personas log in from the operator's 2 or 3 VPN endpoints and
//! devices within minutes of each other, photos are the same face re-encoded (a few bits
//! apart), resumes come from one template with the name swapped; some personas set Korean as
//! their language. Not every persona carries every trait (each is dropped with some chance),
//! so links are partial, as in real cases. Some operators also register one person twice,
//! under two romanisations of one Korean name with one date of birth and nothing else shared.

use serde::Serialize;

use crate::record::{LoginEvent, Record};

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "James", "Maria", "Wei", "Olena", "Carlos", "Aisha", "John", "Emily", "Ravi", "Sofia", "Daniel", "Mei", "Ahmed", "Laura", "Kenji", "Anna", "Peter",
    "Grace", "Luca", "Nina",
];
const LAST: &[&str] = &[
    "Smith", "Garcia", "Chen", "Kowalski", "Brown", "Khan", "Miller", "Rossi", "Tanaka", "Novak", "Silva", "Patel", "Müller", "Johnson", "Lee", "Martin",
    "Dubois", "Ivanova", "Nguyen", "Walker",
];
const NATIONS: &[&str] = &["US", "CA", "GB", "JP", "PL", "UA", "IT", "US", "US", "SG"];
const SKILLS: &[&str] = &[
    "react",
    "node",
    "python",
    "rust",
    "kubernetes",
    "solidity",
    "django",
    "flutter",
    "golang",
    "aws",
    "postgres",
    "graphql",
];

/// Sizes of a synthetic pool.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Honest applicants.
    pub honest: usize,
    /// Operators.
    pub operators: usize,
    /// Seed.
    pub seed: u64,
    /// Mean login events per honest applicant.
    pub logins_per_record: f64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            honest: 5_000,
            operators: 40,
            seed: 1,
            logins_per_record: 3.5,
        }
    }
}

/// A pool with truth.
#[derive(Clone, Debug, Default)]
pub struct SynthPool {
    /// Records.
    pub records: Vec<Record>,
    /// Login events.
    pub logins: Vec<LoginEvent>,
    /// Operator of each record (`None`: honest).
    pub operator: Vec<Option<u32>>,
    /// Records registered again under another spelling of a persona's name: (the persona,
    /// the new record).
    pub reregistered: Vec<(u32, u32)>,
}

fn resume(rng: &mut Rng, name: &str, template: Option<u64>) -> String {
    // A template fixes the wording; honest applicants write their own.
    let mut r = match template {
        Some(t) => Rng(t),
        None => Rng(rng.next()),
    };
    let mut words = vec![format!("Hi, I am {name}.")];
    for _ in 0..30 {
        words.push(r.pick(SKILLS).to_string());
        words.push(["expert", "engineer", "delivered", "built", "scaled", "led", "shipped", "designed"][r.below(8) as usize].to_string());
    }
    words.join(" ")
}

/// Generates a pool.
pub fn generate(o: &SynthOptions) -> SynthPool {
    let mut rng = Rng(o.seed ^ 0x5eed);
    let mut p = SynthPool::default();
    let t0: i64 = 1_700_000_000;
    let vpn_ips: Vec<String> = (0..3).map(|i| format!("198.51.100.{i}")).collect();
    let coworking = "1 Innovation Way, Suite 100, Austin";
    let popular_template = rng.next();
    let mut n = 0usize;
    let id = |n: &mut usize| {
        *n += 1;
        format!("A{:06}", *n)
    };
    // Honest applicants.
    let mut homes: Vec<String> = Vec::new();
    for h in 0..o.honest {
        let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
        let rid = id(&mut n);
        // Couples: one in ten shares a home (and sometimes the payout account) with an earlier one.
        let (home, acct) = if h > 0 && rng.chance(0.1) {
            let j = rng.below(homes.len() as u64) as usize;
            let acct = if rng.chance(0.3) { p.records[j].payout_account.clone() } else { None };
            (homes[j].clone(), acct)
        } else {
            (format!("{} {} Street, City {}", rng.below(900) + 1, rng.pick(LAST), rng.below(500)), None)
        };
        homes.push(home.clone());
        let ship = if rng.chance(0.02) { coworking.to_string() } else { home.clone() };
        let template = rng.chance(0.05).then_some(popular_template);
        p.records.push(Record {
            id: rid.clone(),
            name: Some(name.clone()),
            dob: Some(format!("{}-{:02}-{:02}", 1970 + rng.below(35), rng.below(12) + 1, rng.below(28) + 1)),
            nationality: Some(rng.pick(NATIONS).into()),
            email: Some(format!("{}.{}{}@mail.example", name.to_lowercase().replace(' ', "."), h, rng.below(100))),
            phone: Some(format!("+1{:010}", rng.below(10_000_000_000))),
            address: Some(home),
            shipping_address: Some(ship),
            payout_account: acct.or_else(|| Some(format!("US{:02}BANK{:012}", rng.below(100), rng.below(1_000_000_000_000)))),
            wallet: None,
            photo_hash: Some(format!("{:016x}", rng.next())),
            resume_text: Some(resume(&mut rng, &name, template)),
            github: Some(format!("dev-{h}-{}", rng.below(1000))),
            language: Some("en".into()),
            employer: None,
        });
        p.operator.push(None);
        // Logins from home (own IP and device), plus the corporate VPN or carrier NAT for some.
        let own_ip = format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256));
        let dev = format!("dev-{}", rng.next() % 1_000_000_000);
        let spread = ((2.0 * o.logins_per_record - 1.0).round() as u64).max(1);
        for _ in 0..rng.below(spread) + 1 {
            let shared = rng.chance(0.15);
            p.logins.push(LoginEvent {
                record_id: rid.as_str().into(),
                ts: t0 + rng.below(180 * 86_400) as i64,
                ip: Some(if shared { vpn_ips[rng.below(3) as usize].as_str() } else { own_ip.as_str() }.into()),
                country: Some("US".into()),
                device_id: Some(dev.as_str().into()),
            });
        }
    }
    // Operators.
    for op in 0..o.operators as u32 {
        let personas = 3 + rng.below(6) as usize;
        let accounts: Vec<String> = (0..1 + rng.below(2))
            .map(|_| format!("CN{:02}{:016}", rng.below(100), rng.below(10_000_000_000_000_000)))
            .collect();
        let wallet = format!("0x{:016x}{:016x}{:08x}", rng.next(), rng.next(), rng.next() as u32);
        let farm = format!("{} Quiet Lane, Unit {}, Town {}", rng.below(900) + 1, rng.below(50), rng.below(100));
        let ips: Vec<String> = (0..2 + rng.below(2))
            .map(|_| format!("45.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256)))
            .collect();
        let devices: Vec<String> = (0..2).map(|_| format!("op-dev-{}", rng.next() % 1_000_000_000)).collect();
        let face = rng.next();
        let template = rng.next();
        let session_start = t0 + rng.below(150 * 86_400) as i64;
        for _ in 0..personas {
            let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
            let rid = id(&mut n);
            let keep = |rng: &mut Rng, p: f64| rng.chance(p);
            let photo = keep(&mut rng, 0.6).then(|| {
                let mut f = face;
                for _ in 0..rng.below(3) {
                    f ^= 1 << rng.below(64);
                }
                f
            });
            p.records.push(Record {
                id: rid.clone(),
                name: Some(name.clone()),
                dob: Some(format!("{}-{:02}-{:02}", 1980 + rng.below(20), rng.below(12) + 1, rng.below(28) + 1)),
                nationality: Some(rng.pick(NATIONS).into()),
                email: Some(format!("{}{}@mail.example", name.to_lowercase().replace(' ', ""), rng.below(10_000))),
                phone: Some(format!("+1{:010}", rng.below(10_000_000_000))),
                address: Some(format!("{} {} Avenue, City {}", rng.below(900) + 1, rng.pick(LAST), rng.below(500))),
                shipping_address: keep(&mut rng, 0.6).then(|| farm.clone()),
                payout_account: keep(&mut rng, 0.7).then(|| accounts[rng.below(accounts.len() as u64) as usize].clone()),
                wallet: keep(&mut rng, 0.3).then(|| wallet.clone()),
                photo_hash: Some(format!("{:016x}", photo.unwrap_or_else(|| rng.next()))),
                resume_text: {
                    let t = keep(&mut rng, 0.6).then_some(template);
                    Some(resume(&mut rng, &name, t))
                },
                github: Some(format!("{}-{}", name.to_lowercase().replace(' ', "-"), rng.below(1000))),
                language: Some(if keep(&mut rng, 0.3) { "ko".into() } else { "en".into() }),
                employer: None,
            });
            p.operator.push(Some(op));
            // The operator works the personas side by side: logins minutes apart from the
            // same endpoints and devices.
            if keep(&mut rng, 0.8) {
                for s in 0..rng.below(8) + 2 {
                    p.logins.push(LoginEvent {
                        record_id: rid.as_str().into(),
                        ts: session_start + s as i64 * 86_400 + rng.below(300) as i64,
                        ip: Some(ips[rng.below(ips.len() as u64) as usize].as_str().into()),
                        country: Some("US".into()),
                        device_id: Some(devices[rng.below(2) as usize].as_str().into()),
                    });
                }
            }
        }
        // Some operators, blocked once, register one of their personas again under the same
        // Korean name in another romanisation (McCune–Reischauer, then Revised with the given
        // name hyphenated) and the same date of birth, with nothing else shared: only the name
        // links the new record to the operator.
        if rng.chance(0.3) {
            let hangul: Vec<char> = [FAMILY_SYLLABLES, GIVEN_SYLLABLES, GIVEN_SYLLABLES]
                .iter()
                .map(|set| set.chars().nth(rng.below(set.chars().count() as u64) as usize).unwrap_or('김'))
                .collect();
            let mr = |c: char, initial: bool| cordon_text::hangul::syllable_mr(c, initial).unwrap_or_default();
            let rr = |c: char| cordon_text::hangul::syllable_rr(c).unwrap_or_default();
            let cap = |w: String| w[..1].to_uppercase() + &w[1..];
            let spellings = [
                format!("{} {} {}", cap(mr(hangul[0], true)), cap(mr(hangul[1], false)), cap(mr(hangul[2], false))),
                format!("{} {}-{}", cap(rr(hangul[0])), cap(rr(hangul[1])), rr(hangul[2])),
            ];
            let dob = format!("{}-{:02}-{:02}", 1980 + rng.below(20), rng.below(12) + 1, rng.below(28) + 1);
            let [first, again] = spellings;
            if let Some(last) = p.records.last_mut() {
                last.name = Some(first);
                last.dob = Some(dob.clone());
            }
            {
                let name = again;
                let rid = id(&mut n);
                p.reregistered.push((p.records.len() as u32 - 1, p.records.len() as u32));
                p.records.push(Record {
                    id: rid,
                    name: Some(name.clone()),
                    dob: Some(dob.clone()),
                    nationality: Some(rng.pick(NATIONS).into()),
                    email: Some(format!("{}{}@mail.example", name.to_lowercase().replace([' ', '-'], ""), rng.below(10_000))),
                    phone: Some(format!("+1{:010}", rng.below(10_000_000_000))),
                    address: Some(format!("{} {} Avenue, City {}", rng.below(900) + 1, rng.pick(LAST), rng.below(500))),
                    photo_hash: Some(format!("{:016x}", rng.next())),
                    language: Some("en".into()),
                    ..Record::default()
                });
                p.operator.push(Some(op));
            }
        }
    }
    p
}

/// Hangul family names and given-name syllables for the re-registered personas.
const FAMILY_SYLLABLES: &str = "김리박최정강조윤장림한오신서권황안송전홍";
const GIVEN_SYLLABLES: &str = "철성영명광혁남호수진일정용국춘학현민경순";

/// Pairwise and cluster-level agreement of predicted clusters with the truth.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Agreement {
    /// Predicted same-cluster pairs that are one operator's.
    pub pair_precision: f64,
    /// One operator's pairs predicted in one cluster.
    pub pair_recall: f64,
    /// Harmonic mean.
    pub pair_f1: f64,
    /// Predicted clusters whose members are all one operator's.
    pub cluster_precision: f64,
    /// Operators with most of their personas (more than half) in one predicted cluster without
    /// honest applicants.
    pub cluster_recall: f64,
    /// Honest applicants put in a cluster.
    pub honest_flagged: usize,
    /// Predicted clusters.
    pub clusters: usize,
    /// Records registered again under another spelling of a persona's name that landed in
    /// the persona's cluster (linked by name and date of birth alone).
    pub reregistered_found: f64,
}

/// Scores clusters (lists of record indexes) against the pool's truth.
pub fn agreement(pool: &SynthPool, clusters: &[Vec<u32>]) -> Agreement {
    let op = |i: u32| pool.operator[i as usize];
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut pure = 0;
    let mut honest = 0;
    for c in clusters {
        for (x, &a) in c.iter().enumerate() {
            for &b in &c[x + 1..] {
                match (op(a), op(b)) {
                    (Some(p), Some(q)) if p == q => tp += 1,
                    _ => fp += 1,
                }
            }
        }
        let first = op(c[0]);
        if first.is_some() && c.iter().all(|&m| op(m) == first) {
            pure += 1;
        }
        honest += c.iter().filter(|&&m| op(m).is_none()).count();
    }
    let mut per_op: std::collections::HashMap<u32, u64> = Default::default();
    for o in pool.operator.iter().flatten() {
        *per_op.entry(*o).or_default() += 1;
    }
    let true_pairs: u64 = per_op.values().map(|&k| k * (k - 1) / 2).sum();
    let mut found_ops = 0;
    for (&o, &k) in &per_op {
        if clusters
            .iter()
            .any(|c| c.iter().all(|&m| op(m).is_some()) && c.iter().filter(|&&m| op(m) == Some(o)).count() as u64 * 2 > k)
        {
            found_ops += 1;
        }
    }
    let mut cluster_of: std::collections::HashMap<u32, usize> = Default::default();
    for (k, c) in clusters.iter().enumerate() {
        c.iter().for_each(|&m| {
            cluster_of.insert(m, k);
        });
    }
    let again = pool
        .reregistered
        .iter()
        .filter(|(a, b)| cluster_of.get(a).is_some_and(|x| cluster_of.get(b) == Some(x)))
        .count();
    let precision = if tp + fp == 0 { 1.0 } else { tp as f64 / (tp + fp) as f64 };
    let recall = if true_pairs == 0 { 1.0 } else { tp as f64 / true_pairs as f64 };
    Agreement {
        pair_precision: precision,
        pair_recall: recall,
        pair_f1: if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        },
        cluster_precision: if clusters.is_empty() { 1.0 } else { pure as f64 / clusters.len() as f64 },
        cluster_recall: if per_op.is_empty() { 1.0 } else { found_ops as f64 / per_op.len() as f64 },
        honest_flagged: honest,
        clusters: clusters.len(),
        reregistered_found: if pool.reregistered.is_empty() {
            1.0
        } else {
            again as f64 / pool.reregistered.len() as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{clusters, ClusterState};
    use crate::link::{link, LinkOptions};

    #[test]
    fn operators_are_found_among_honest_applicants() {
        let pool = generate(&SynthOptions {
            honest: 2_000,
            operators: 25,
            seed: 3,
            ..SynthOptions::default()
        });
        let links = link(&pool.records, &pool.logins, &LinkOptions::default());
        let (cs, _) = clusters(&pool.records, &links, crate::cluster_threshold(), &ClusterState::default());
        let a = agreement(&pool, &cs.iter().map(|c| c.members.clone()).collect::<Vec<_>>());
        eprintln!("{a:?}");
        assert!(a.pair_precision >= 0.95, "{a:?}");
        assert!(a.pair_recall >= 0.80, "{a:?}");
        assert!(a.cluster_recall >= 0.85, "{a:?}");
    }
}
