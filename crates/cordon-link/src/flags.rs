//! Red flags of the US advisories on DPRK IT workers (`../shared/data/dprk_it_workers`), each a
//! scored indicator on a cluster of records and its login events.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::norm;
use crate::record::{LoginEvent, Record};

/// A raised red flag.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Flag {
    /// Rule name.
    pub flag: &'static str,
    /// Strength in [0, 1].
    pub score: f64,
    /// What was seen.
    pub detail: String,
}

/// The flags of a group of records (a cluster, or one record).
pub fn flags(records: &[&Record], logins: &[&LoginEvent]) -> Vec<Flag> {
    let mut out = Vec::new();
    let ids: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let logins: Vec<&&LoginEvent> = logins.iter().filter(|l| ids.contains(&*l.record_id)).collect();
    // Several accounts per IP or device ("developers logging into multiple accounts from one IP").
    let mut per_ip: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut per_dev: HashMap<&str, HashSet<&str>> = HashMap::new();
    for l in &logins {
        if let Some(ip) = &l.ip {
            per_ip.entry(ip).or_default().insert(&l.record_id);
        }
        if let Some(d) = &l.device_id {
            per_dev.entry(d).or_default().insert(&l.record_id);
        }
    }
    if let Some((ip, accts)) = per_ip.iter().max_by_key(|(ip, a)| (a.len(), *ip)).filter(|(_, a)| a.len() >= 2) {
        out.push(Flag {
            flag: "accounts_per_ip",
            score: ((accts.len() - 1) as f64 / 4.0).min(1.0),
            detail: format!("{} accounts log in from {ip}", accts.len()),
        });
    }
    if let Some((d, accts)) = per_dev.iter().max_by_key(|(d, a)| (a.len(), *d)).filter(|(_, a)| a.len() >= 2) {
        out.push(Flag {
            flag: "accounts_per_device",
            score: (accts.len() as f64 / 3.0).min(1.0),
            detail: format!("{} accounts use device {d}", accts.len()),
        });
    }
    // Logins from many countries, or from two countries within two hours (impossible travel).
    let mut by_record: HashMap<&str, Vec<(i64, &str)>> = HashMap::new();
    for l in &logins {
        if let Some(c) = &l.country {
            by_record.entry(&l.record_id).or_default().push((l.ts, c));
        }
    }
    let mut travel = Vec::new();
    let mut many = Vec::new();
    for (r, mut ev) in by_record {
        ev.sort();
        let countries: HashSet<&str> = ev.iter().map(|e| e.1).collect();
        if countries.len() >= 3 {
            many.push(format!("{r}: {}", countries.len()));
        }
        if ev.windows(2).any(|w| w[0].1 != w[1].1 && w[1].0 - w[0].0 < 7200) {
            travel.push(r.to_string());
        }
    }
    if !many.is_empty() {
        many.sort();
        out.push(Flag {
            flag: "many_login_countries",
            score: 0.6,
            detail: format!("logins from 3 or more countries ({})", many.join(", ")),
        });
    }
    if !travel.is_empty() {
        travel.sort();
        out.push(Flag {
            flag: "impossible_travel",
            score: 0.7,
            detail: format!("logins from two countries within 2 hours: {}", travel.join(", ")),
        });
    }
    // Laptop farm: shipped somewhere other than home, to an address other records also use.
    let mut ship: HashMap<String, Vec<&str>> = HashMap::new();
    for r in records {
        let home = r.address.as_deref().and_then(norm::postal);
        if let Some(s) = r.shipping_address.as_deref().and_then(norm::postal).filter(|s| Some(s) != home.as_ref()) {
            ship.entry(s).or_default().push(&r.id);
        }
    }
    if let Some((addr, who)) = ship.iter().max_by_key(|(a, w)| (w.len(), *a)).filter(|(_, w)| w.len() >= 2) {
        out.push(Flag {
            flag: "laptop_farm",
            score: (who.len() as f64 / 3.0).min(1.0),
            detail: format!("{} laptops shipped to {addr}, not their holders' homes", who.len()),
        });
    }
    // Payout account or wallet shared, or foreign to the claimed nationality.
    let mut pay: HashMap<String, Vec<&str>> = HashMap::new();
    for r in records {
        for v in [r.payout_account.as_deref().and_then(norm::account), r.wallet.clone()].into_iter().flatten() {
            pay.entry(v).or_default().push(&r.id);
        }
    }
    if let Some((acct, who)) = pay.iter().max_by_key(|(a, w)| (w.len(), *a)).filter(|(_, w)| w.len() >= 2) {
        out.push(Flag {
            flag: "shared_payout",
            score: (who.len() as f64 / 3.0).min(1.0),
            detail: format!("{} records are paid to {acct}", who.len()),
        });
    }
    let foreign: Vec<&str> = records
        .iter()
        .filter_map(|r| {
            let acct = r.payout_account.as_deref().and_then(norm::account)?;
            let nat = cordon_model::Country::from_name(r.nationality.as_deref()?).code?;
            let cc = acct.get(0..2)?;
            // An IBAN starts with its country code and two check digits.
            // (The US and Canada have no IBANs.)
            let iban =
                acct.len() >= 15 && cc.bytes().all(|b| b.is_ascii_uppercase()) && acct[2..4].bytes().all(|b| b.is_ascii_digit()) && cc != "US" && cc != "CA";
            (iban && cc != nat).then_some(r.id.as_str())
        })
        .collect();
    if !foreign.is_empty() {
        out.push(Flag {
            flag: "foreign_payout",
            score: 0.3,
            detail: format!("payout account in another country than the claimed nationality: {}", foreign.join(", ")),
        });
    }
    // Korean language with a non-Korean nationality claimed.
    let korean: Vec<&str> = records
        .iter()
        .filter(|r| {
            let lang = r.language.as_deref().unwrap_or("").to_lowercase();
            let ko = lang == "ko" || lang.starts_with("ko-") || lang.starts_with("ko_") || lang.contains("korean") || lang.contains("한국어");
            let nat = r.nationality.as_deref().and_then(|n| cordon_model::Country::from_name(n).code);
            ko && nat.is_some_and(|c| c != "KR" && c != "KP")
        })
        .map(|r| r.id.as_str())
        .collect();
    if !korean.is_empty() {
        out.push(Flag {
            flag: "korean_language_non_korean_nationality",
            score: 0.8,
            detail: format!("Korean language settings, non-Korean nationality claimed: {}", korean.join(", ")),
        });
    }
    // Identity details that do not fit together ("inconsistency in name spelling, nationality,
    // claimed work location, contact information"): an email in another person's name, a phone
    // from the PRC, Russia or the DPRK (where the advisories place the workers) under another
    // nationality, one name and birth date claiming two nationalities.
    let (why, score) = inconsistencies(records);
    if !why.is_empty() {
        out.push(Flag {
            flag: "identity_inconsistent",
            score,
            detail: why.join("; "),
        });
    }
    // One face, several identities.
    let mut faces: Vec<(u64, &Record)> = records
        .iter()
        .filter_map(|r| Some((r.photo_hash.as_deref().and_then(norm::photo)?, *r)))
        .collect();
    faces.sort_by_key(|f| f.0);
    let mut same_face = Vec::new();
    for (i, a) in faces.iter().enumerate() {
        for b in &faces[i + 1..] {
            if (a.0 ^ b.0).count_ones() <= 4 && (a.1.name != b.1.name || a.1.dob != b.1.dob) {
                same_face.push(format!("{}/{}", a.1.id, b.1.id));
            }
        }
    }
    if !same_face.is_empty() {
        out.push(Flag {
            flag: "one_face_many_identities",
            score: 0.9,
            detail: format!("the same photo under different names or birth dates: {}", same_face.join(", ")),
        });
    }
    out
}

/// The country of an E.164 number among those the advisories place DPRK IT workers in (the PRC,
/// Russia, the DPRK itself); `None` for any other.
fn worker_base_country(phone: &str) -> Option<&'static str> {
    let d = phone.strip_prefix('+')?;
    if d.starts_with("850") {
        Some("KP")
    } else if d.starts_with("86") {
        Some("CN")
    } else if d.starts_with('7') && !d.starts_with("76") && !d.starts_with("77") {
        // +7 6xx and +7 7xx are Kazakhstan.
        Some("RU")
    } else {
        None
    }
}

/// The name an email's local part spells, when it is name-shaped (`first.last`, `first_last`,
/// digits allowed after): its letter runs as words.
fn email_name(email: &str) -> Option<String> {
    let local = email.split('@').next()?.split('+').next()?;
    let has_separator = local.contains(['.', '_', '-']);
    let words: Vec<&str> = local.split(|c: char| !c.is_alphabetic()).filter(|w| w.chars().count() >= 2).collect();
    (has_separator && words.len() >= 2).then(|| words.join(" "))
}

fn inconsistencies(records: &[&Record]) -> (Vec<String>, f64) {
    use cordon_match::{analyze, compare_names};
    let mut why = Vec::new();
    let mut score: f64 = 0.0;
    for r in records {
        let nat = r.nationality.as_deref().and_then(|n| cordon_model::Country::from_name(n).code);
        if let (Some(nat), Some(p)) = (nat.as_deref(), r.phone.as_deref().and_then(norm::phone)) {
            if let Some(c) = worker_base_country(&p).filter(|c| *c != nat) {
                why.push(format!("{}: phone {p} is from {c}, nationality {nat} claimed", r.id));
                score = score.max(0.4);
            }
        }
        if let (Some(name), Some(e)) = (r.name.as_deref(), r.email.as_deref().and_then(email_name)) {
            // Compared as names, so another romanisation of one's own name is no mismatch.
            let s = compare_names(&analyze(&e, false), &analyze(name, false), &|_| 1.0).score;
            if s < 0.5 {
                why.push(format!("{}: email {} is in another name than {name}", r.id, r.email.as_deref().unwrap_or("")));
                score = score.max(0.4);
            }
        }
    }
    // One name and birth date, two nationalities.
    let mut by_person: HashMap<(String, String), HashSet<String>> = HashMap::new();
    for r in records {
        let nat = r.nationality.as_deref().and_then(|n| cordon_model::Country::from_name(n).code);
        if let (Some(n), Some(d), Some(c)) = (r.name.as_deref(), r.dob.as_deref(), nat) {
            by_person.entry((n.to_lowercase(), d.trim().to_string())).or_default().insert(c);
        }
    }
    let mut twice: Vec<String> = by_person
        .into_iter()
        .filter(|(_, c)| c.len() >= 2)
        .map(|((n, d), c)| {
            let mut c: Vec<String> = c.into_iter().collect();
            c.sort();
            format!("{n} ({d}) claims {}", c.join(" and "))
        })
        .collect();
    twice.sort();
    if !twice.is_empty() {
        score = score.max(0.6);
        why.extend(twice);
    }
    (why, score)
}

/// Combined risk of a set of flags: 1 - Π(1 - score).
pub fn risk(flags: &[Flag]) -> f64 {
    1.0 - flags.iter().map(|f| 1.0 - f.score).product::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_flags() {
        let r = |id: &str, nat: &str, lang: &str, ship: &str, acct: &str| Record {
            id: id.into(),
            name: Some(id.into()),
            nationality: Some(nat.into()),
            language: Some(lang.into()),
            address: Some(format!("{id} home street 1")),
            shipping_address: Some(ship.into()),
            payout_account: Some(acct.into()),
            photo_hash: Some("00000000000000ff".into()),
            ..Record::default()
        };
        let a = r("a", "US", "ko-KR", "9 Farm Road", "DE89370400440532013000");
        let b = r("b", "Canada", "en", "9 Farm Rd", "DE89370400440532013000");
        let lg = |id: &str, ts: i64, ip: &str, c: &str| LoginEvent {
            record_id: id.into(),
            ts,
            ip: Some(ip.into()),
            country: Some(c.into()),
            device_id: None,
        };
        let logins = [lg("a", 0, "1.2.3.4", "US"), lg("b", 60, "1.2.3.4", "US"), lg("a", 600, "5.6.7.8", "CN")];
        let f = flags(&[&a, &b], &logins.iter().collect::<Vec<_>>());
        let names: Vec<&str> = f.iter().map(|f| f.flag).collect();
        for want in [
            "accounts_per_ip",
            "impossible_travel",
            "laptop_farm",
            "shared_payout",
            "foreign_payout",
            "korean_language_non_korean_nationality",
            "one_face_many_identities",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        assert!(risk(&f) > 0.99);
        assert!(flags(&[], &[]).is_empty());
        assert!(!names.contains(&"identity_inconsistent"), "{names:?}");
    }

    #[test]
    fn inconsistent_identity_details() {
        let r = |id: &str, name: &str, nat: &str, email: &str, phone: &str| Record {
            id: id.into(),
            name: Some(name.into()),
            dob: Some("1990-01-02".into()),
            nationality: Some(nat.into()),
            email: Some(email.into()),
            phone: Some(phone.into()),
            ..Record::default()
        };
        let flag = |rs: &[&Record]| flags(rs, &[]).into_iter().find(|f| f.flag == "identity_inconsistent");
        // Consistent: own name in the email (also under another romanisation, or as a handle),
        // a US number, a Kazakh +7 7 number.
        let ok = [
            r("a", "Peter Novak", "US", "peter.novak.06@mail.example", "+1 415 555 0100"),
            r("b", "Ri Song Hyok", "KR", "lee.sunghyuk@mail.example", "+82 10 5555 0100"),
            r("c", "Aisha Dubois", "FR", "coolcoder99@mail.example", "+7 701 555 0100"),
        ];
        assert_eq!(flag(&ok.iter().collect::<Vec<_>>()), None);
        // An email in someone else's name, a PRC number under a US nationality.
        let bad = r("d", "Peter Novak", "US", "kim.cholsu@mail.example", "+86 139 5555 0100");
        let f = flag(&[&bad]).unwrap();
        assert!(f.detail.contains("email kim.cholsu") && f.detail.contains("from CN"), "{}", f.detail);
        assert_eq!(f.score, 0.4);
        // One name and birth date with two nationalities across the cluster.
        let (x, y) = (r("e", "John Lee", "US", "", ""), r("f", "John Lee", "Canada", "", ""));
        let f = flag(&[&x, &y]).unwrap();
        assert!(f.detail.contains("claims CA and US"), "{}", f.detail);
        assert_eq!(f.score, 0.6);
    }
}
