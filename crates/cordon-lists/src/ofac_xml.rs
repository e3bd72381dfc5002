//! OFAC `sdn.xml`-family XML (`<sdnList>`): the format of `sdn.xml` and of the non-SDN
//! `consolidated.xml`.
//!
//! Each `<sdnEntry>` has flat fields (`uid`, `firstName`, `lastName`, `sdnType`, `remarks`)
//! and lists of items (`akaList/aka`, `idList/id`, `addressList/address`,
//! `dateOfBirthList/dateOfBirthItem`, …). `<id>` items use the same type labels as the CSV
//! remarks (`Passport`, `Digital Currency Address - XBT`, `Email Address`), so both formats
//! share [`crate::remarks::apply_labelled`].

use std::io::BufRead;
use std::path::Path;

use cordon_model::{Address, AliasKind, Country, Dob, Entity, EntityKind, Name, NamePart, NamePartKind, NameQuality, PartialDate};

use crate::xml::{Ev, XmlPull};
use crate::{ListError, ParsedBody};

type Fields = Vec<(String, String)>;

/// Parses an sdn.xml-family file.
pub fn parse<R: BufRead>(reader: R, path: &Path) -> Result<ParsedBody, ListError> {
    let mut x = XmlPull::new(reader, path);
    let root = x.root()?;
    if root != "sdnList" {
        return Err(x.error(format!("expected root element <sdnList>, found <{root}>")));
    }
    let mut issued = None;
    let mut entities = Vec::new();
    let mut declared: Option<usize> = None;
    loop {
        match x.next()? {
            Ev::Start if x.name == b"sdnEntry" => entities.push(entry(&mut x)?),
            Ev::Start => {}
            Ev::End => match x.name.as_slice() {
                // MM/DD/YYYY
                b"Publish_Date" => {
                    let t = x.text.trim().to_string();
                    let p: Vec<&str> = t.split('/').collect();
                    issued = match p.as_slice() {
                        [m, d, y] => PartialDate::parse(&format!("{y}-{m:0>2}-{d:0>2}")).map(|d| d.to_string()),
                        _ => PartialDate::parse(&t).map(|d| d.to_string()),
                    };
                }
                b"Record_Count" => declared = x.text.trim().parse().ok(),
                _ => {}
            },
            Ev::Eof => break,
        }
    }
    if let Some(n) = declared {
        if n != entities.len() {
            return Err(x.error(format!(
                "<Record_Count> says {n} entries but the file holds {}: the file is incomplete",
                entities.len()
            )));
        }
    }
    Ok(ParsedBody {
        issued,
        entities,
        warnings: Vec::new(),
    })
}

fn get<'a>(f: &'a Fields, key: &str) -> Option<&'a str> {
    f.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.as_str())
}

fn entry<R: BufRead>(x: &mut XmlPull<R>) -> Result<Entity, ListError> {
    let depth = x.depth();
    let mut flat: Fields = Vec::new();
    let mut item: Fields = Vec::new();
    let mut items: Vec<(String, Fields)> = Vec::new();
    loop {
        match x.next()? {
            Ev::Start => {
                if x.depth() == depth + 2 {
                    item.clear();
                }
            }
            Ev::End => {
                let d = x.depth();
                if d < depth {
                    break;
                }
                let name = String::from_utf8_lossy(&x.name).into_owned();
                let text = x.text.trim().to_string();
                match d - depth {
                    0 if !matches!(name.as_str(), "programList" | "vesselInfo") || !text.is_empty() => {
                        if !name.ends_with("List") {
                            flat.push((name, text));
                        }
                    }
                    0 => {}
                    // Inside a list item, or a direct child of vesselInfo / programList.
                    1 => {
                        if item.is_empty() {
                            flat.push((name, text));
                        } else {
                            items.push((name, std::mem::take(&mut item)));
                        }
                    }
                    2 => item.push((name, text)),
                    _ => return Err(x.error(format!("unexpected nesting in <{name}>"))),
                }
            }
            Ev::Eof => return Err(x.error("unexpected end of file in <sdnEntry>")),
        }
    }
    let uid = get(&flat, "uid").ok_or_else(|| x.field_error("sdnEntry/uid", "missing"))?;
    let kind = match get(&flat, "sdnType").map(str::to_ascii_lowercase).as_deref() {
        Some("individual") => EntityKind::Person,
        Some("vessel") => EntityKind::Vessel,
        Some("aircraft") => EntityKind::Aircraft,
        _ => EntityKind::Organization,
    };
    let mut e = Entity::new(format!("ofac:{uid}"), kind);
    let primary = name(get(&flat, "firstName"), get(&flat, "lastName"), kind, AliasKind::Primary, NameQuality::Strong)
        .ok_or_else(|| x.field_error("sdnEntry/lastName", format!("entry {uid} has no name")))?;
    e.names.push(primary);
    for (k, v) in &flat {
        if v.is_empty() {
            continue;
        }
        match k.as_str() {
            "uid" | "firstName" | "lastName" | "sdnType" => {}
            "program" => e.add_program(v),
            "title" => e.titles.push(v.clone()),
            "remarks" => e.remarks.push(v.clone()),
            "callSign" => e.add_extra("ofac:Vessel Call Sign", v.as_str()),
            "vesselType" => e.add_extra("ofac:VESSEL TYPE", v.as_str()),
            "vesselFlag" => e.add_extra("ofac:Vessel Flag", v.as_str()),
            "vesselOwner" => e.add_extra("ofac:Vessel Owner", v.as_str()),
            "tonnage" => e.add_extra("ofac:Vessel Tonnage", v.as_str()),
            "grossRegisteredTonnage" => e.add_extra("ofac:Vessel Gross Registered Tonnage", v.as_str()),
            other => e.add_extra(format!("ofac:{other}"), v.as_str()),
        }
    }
    for (kind_name, f) in items {
        match kind_name.as_str() {
            "aka" => {
                let ak = match get(&f, "type").map(str::to_ascii_lowercase).as_deref() {
                    Some("f.k.a.") => AliasKind::Fka,
                    Some("n.k.a.") => AliasKind::Nka,
                    _ => AliasKind::Aka,
                };
                let cat = get(&f, "category");
                let q = match cat.map(str::to_ascii_lowercase).as_deref() {
                    Some("weak") => NameQuality::Weak,
                    Some("strong") => NameQuality::Strong,
                    _ => NameQuality::Unspecified,
                };
                if let Some(mut n) = name(get(&f, "firstName"), get(&f, "lastName"), kind, ak, q) {
                    n.quality_label = cat.map(str::to_string);
                    e.names.push(n);
                }
            }
            "id" => {
                let (Some(t), Some(num)) = (get(&f, "idType"), get(&f, "idNumber")) else {
                    continue;
                };
                let before = e.documents.len();
                if crate::remarks::apply_labelled(&mut e, t, num, get(&f, "idCountry")) {
                    if e.documents.len() > before {
                        let d = e.documents.last_mut().expect("just pushed");
                        d.issued = d.issued.or(get(&f, "issueDate").and_then(PartialDate::parse_text));
                        d.expires = d.expires.or(get(&f, "expirationDate").and_then(PartialDate::parse_text));
                    }
                } else {
                    let v = match get(&f, "idCountry") {
                        Some(c) => format!("{num} ({c})"),
                        None => num.to_string(),
                    };
                    e.add_extra(format!("ofac:{}", t.trim_end_matches([':', ' ', '-'])), v);
                }
            }
            "address" => {
                let streets: Vec<&str> = ["address1", "address2", "address3"].iter().filter_map(|k| get(&f, k)).collect();
                let a = Address {
                    full: None,
                    street: (!streets.is_empty()).then(|| streets.join(", ")),
                    city: get(&f, "city").map(str::to_string),
                    region: get(&f, "stateOrProvince").or(get(&f, "region")).map(str::to_string),
                    postal_code: get(&f, "postalCode").map(str::to_string),
                    country: get(&f, "country").map(Country::from_name),
                    note: None,
                };
                if !a.is_empty() {
                    e.addresses.push(a);
                }
            }
            "nationality" => e.nationalities.extend(get(&f, "country").map(Country::from_name)),
            "citizenship" => e.citizenships.extend(get(&f, "country").map(Country::from_name)),
            "dateOfBirthItem" => {
                if let Some(t) = get(&f, "dateOfBirth") {
                    match Dob::parse_text(t) {
                        Some(d) => e.birth_dates.push(d),
                        None => e.add_extra("ofac:DOB", t),
                    }
                }
            }
            "placeOfBirthItem" => {
                if let Some(t) = get(&f, "placeOfBirth") {
                    e.birth_places.push(Address {
                        full: Some(t.to_string()),
                        country: crate::ofac_advanced::country_suffix(t),
                        ..Address::default()
                    });
                }
            }
            other => {
                let v = f
                    .iter()
                    .filter(|(k, v)| k != "uid" && !v.is_empty())
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                e.add_extra(format!("ofac:{other}"), v);
            }
        }
    }
    Ok(e)
}

fn name(first: Option<&str>, last: Option<&str>, kind: EntityKind, alias: AliasKind, q: NameQuality) -> Option<Name> {
    let full = match (first, last) {
        (Some(f), Some(l)) => format!("{l}, {f}"),
        (None, Some(l)) => l.to_string(),
        (Some(f), None) => f.to_string(),
        (None, None) => return None,
    };
    let mut n = Name::new(full, alias, q);
    if kind == EntityKind::Person {
        n.parts = [(NamePartKind::Family, last), (NamePartKind::Given, first)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| NamePart { kind: k, value: v.to_string() }))
            .collect();
    }
    Some(n)
}
