//! OFAC's "remarks" encoding, shared by the legacy CSV (`sdn.csv` remarks column) and the
//! `sdn.xml` family (typed `<id>` entries carry the same labels).
//!
//! Remarks are `; `-separated items such as `DOB 08 Jan 1984`, `alt. POB Pyongyang, Korea,
//! North`, `nationality Korea, North`, `Passport 645120196 (Korea, North) issued 01 Jan 2010
//! expires 01 Jan 2015`, `Digital Currency Address - ETH 0x098B…`, `a.k.a. 'HIDDEN COBRA'`,
//! `Linked To: LAZARUS GROUP`. Each recognised item becomes a typed field; every other item is
//! kept verbatim under `ofac:remark` so nothing is lost. The raw remarks text is also kept in
//! [`Entity::remarks`].

use cordon_model::{Address, AliasKind, Country, Dob, Entity, Gender, Identifier, Name, NameQuality, PartialDate, Relation, Wallet};

use crate::id_types::ID_TYPES;
use crate::ofac_advanced::country_suffix;

/// Splits remarks into items. Semicolons inside single-quoted aliases are not separators.
fn items(remarks: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = remarks.as_bytes();
    let mut start = 0;
    let mut in_quote = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            // A quote opens after "a.k.a. " and closes before ';' or the end; apostrophes
            // inside words (O'BRIEN) are neither.
            b'\'' => {
                let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                let next = bytes.get(i + 1).copied().unwrap_or(b';');
                if !in_quote && prev == b' ' {
                    in_quote = true;
                } else if in_quote && (next == b';' || next == b'.' && bytes.get(i + 2).is_none_or(|c| *c == b';' || *c == b' ') || i + 1 == bytes.len()) {
                    in_quote = false;
                }
            }
            b';' if !in_quote => {
                out.push(&remarks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&remarks[start..]);
    out.into_iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect()
}

/// Applies parsed remarks to an entity.
pub(crate) fn apply(e: &mut Entity, remarks: &str) {
    let n = items(remarks);
    let last = n.len().saturating_sub(1);
    for (i, item) in n.into_iter().enumerate() {
        // The whole remarks end with a period, which belongs to the last item only.
        let item = if i == last { item.strip_suffix('.').unwrap_or(item) } else { item };
        apply_item(e, item);
    }
}

fn apply_item(e: &mut Entity, item: &str) {
    let body = item.strip_prefix("alt. ").unwrap_or(item);
    for (prefix, kind) in [("a.k.a. ", AliasKind::Aka), ("f.k.a. ", AliasKind::Fka), ("n.k.a. ", AliasKind::Nka)] {
        if let Some(rest) = body.strip_prefix(prefix) {
            let name = rest.trim().trim_matches('\'').trim();
            if !name.is_empty() {
                let mut n = Name::new(name, kind, NameQuality::Weak);
                n.quality_label = Some("weak".into());
                e.names.push(n);
                return;
            }
        }
    }
    if let Some(rest) = body.strip_prefix("Linked To: ") {
        e.relations.push(Relation {
            kind: "Linked To".into(),
            target: None,
            target_name: Some(rest.trim().to_string()),
            id: None,
            note: None,
        });
        return;
    }
    if let Some((label, value)) = split_label(body) {
        if apply_labelled(e, label, value, None) {
            return;
        }
    }
    e.add_extra("ofac:remark", item);
}

/// Splits `LABEL value` where LABEL is one of the labels OFAC uses.
fn split_label(item: &str) -> Option<(&str, &str)> {
    const LABELS: &[&str] = &[
        "DOB",
        "POB",
        "nationality",
        "citizen",
        "Gender",
        "Email Address",
        "Website",
        "Phone Number",
        "Title",
    ];
    for l in LABELS {
        if let Some(rest) = item.strip_prefix(l) {
            if let Some(v) = rest.strip_prefix(' ') {
                return Some((l, v.trim()));
            }
        }
    }
    if let Some(rest) = item.strip_prefix("Digital Currency Address - ") {
        let (cur, addr) = rest.split_once(' ')?;
        return Some((&item[..("Digital Currency Address - ".len() + cur.len())], addr.trim()));
    }
    for t in ID_TYPES {
        if let Some(rest) = item.strip_prefix(t) {
            if let Some(v) = rest.strip_prefix(' ') {
                return Some((t, v.trim()));
            }
        }
    }
    None
}

/// Applies one labelled value (a remarks item or an sdn.xml `<id>`). Returns false when the
/// label is not one Cordon types, so the caller keeps the text.
pub(crate) fn apply_labelled(e: &mut Entity, label: &str, value: &str, country: Option<&str>) -> bool {
    if value.is_empty() {
        return false;
    }
    match label {
        "DOB" => match Dob::parse_text(value) {
            Some(d) => e.birth_dates.push(d),
            None => e.add_extra("ofac:DOB", value),
        },
        "POB" => e.birth_places.push(Address {
            full: Some(value.to_string()),
            country: country_suffix(value),
            ..Address::default()
        }),
        "nationality" => e.nationalities.push(Country::from_name(value)),
        "citizen" => e.citizenships.push(Country::from_name(value)),
        "Gender" => match Gender::parse(value) {
            Some(g) => e.gender = Some(g),
            None => return false,
        },
        "Email Address" => e.emails.push(value.to_string()),
        "Website" => e.websites.push(value.to_string()),
        "Phone Number" => e.phones.push(value.to_string()),
        "Title" => e.titles.push(value.to_string()),
        l if l.starts_with("Digital Currency Address - ") => {
            let currency = l["Digital Currency Address - ".len()..].trim().to_string();
            let address = value.split_whitespace().next().unwrap_or(value).to_string();
            e.wallets.push(Wallet { currency, address });
        }
        l if ID_TYPES.contains(&l) => e.documents.push(document(l, value, country)),
        _ => return false,
    }
    true
}

/// `645120196 (Korea, North) issued 01 Jan 2010 expires 01 Jan 2015` → a document.
fn document(kind: &str, value: &str, country: Option<&str>) -> Identifier {
    let mut rest = value;
    let mut notes = Vec::new();
    let mut issued = None;
    let mut expires = None;
    for (key, slot) in [(" expires ", &mut expires), (" issued ", &mut issued)] {
        if let Some(i) = rest.find(key) {
            let date = &rest[i + key.len()..];
            match PartialDate::parse_text(date) {
                Some(d) => *slot = Some(d),
                None => notes.push(format!("{}{date}", key.trim_start())),
            }
            rest = &rest[..i];
        }
    }
    let mut number = rest.trim();
    let mut doc_country = country.map(Country::from_name);
    if let Some(open) = number.rfind(" (") {
        if number.ends_with(')') {
            let inner = &number[open + 2..number.len() - 1];
            doc_country = Some(Country::from_name(inner));
            number = number[..open].trim();
        }
    }
    Identifier {
        kind: kind.to_string(),
        number: number.to_string(),
        country: doc_country,
        issued,
        expires,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_model::EntityKind;

    #[test]
    fn parses_remarks() {
        let mut e = Entity::new("ofac:1", EntityKind::Person);
        apply(
            &mut e,
            "DOB 08 Jan 1984; alt. DOB circa 1982; POB Pyongyang, Korea, North; nationality Korea, North; Gender Male; \
             Passport 645120196 (Korea, North) issued 01 Jan 2010 expires 01 Jan 2015; Digital Currency Address - ETH 0x098B716B8Aaf21512996dC57EB0615e2383E2f96; \
             Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; a.k.a. 'HIDDEN COBRA'; a.k.a. 'O'BRIEN; X'; Linked To: LAZARUS GROUP.",
        );
        assert_eq!(e.birth_dates.len(), 2);
        assert!(e.birth_dates[1].approximate);
        assert_eq!(e.birth_places[0].country.as_ref().unwrap().code(), Some("KP"));
        assert_eq!(e.nationalities[0].code(), Some("KP"));
        assert_eq!(e.gender, Some(Gender::Male));
        let p = &e.documents[0];
        assert_eq!((p.kind.as_str(), p.number.as_str()), ("Passport", "645120196"));
        assert_eq!(p.country.as_ref().unwrap().code(), Some("KP"));
        assert_eq!(p.expires.unwrap().to_string(), "2015-01-01");
        assert_eq!(e.wallets[0].currency, "ETH");
        assert_eq!(e.names.iter().map(|n| n.full.as_str()).collect::<Vec<_>>(), ["HIDDEN COBRA", "O'BRIEN; X"]);
        assert_eq!(e.relations[0].target_name.as_deref(), Some("LAZARUS GROUP"));
        assert_eq!(
            e.extra["ofac:remark"],
            ["Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210"]
        );
    }
}
