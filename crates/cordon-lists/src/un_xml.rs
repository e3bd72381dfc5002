//! UN Security Council consolidated list XML (`CONSOLIDATED_LIST`).
//!
//! The file has two sections, `INDIVIDUALS` and `ENTITIES`; each record is flat fields plus
//! repeated groups (`INDIVIDUAL_ALIAS`, `INDIVIDUAL_DATE_OF_BIRTH`, `NATIONALITY/VALUE`, …).
//! The parser collects each child of a record either as a leaf (its text) or as a group (its
//! leaves), then maps it. Children it does not know are kept under `un:<TAG>` in
//! [`Entity::extra`], so a field the UN adds tomorrow is not lost.

use std::io::BufRead;
use std::path::Path;

use cordon_model::{
    Address, AliasKind, Country, Dob, DobValue, Entity, EntityKind, Gender, Identifier, Name, NamePart, NamePartKind, NameQuality, PartialDate,
};

use crate::xml::{Ev, XmlPull};
use crate::{ListError, ParsedBody};

type Fields = Vec<(String, String)>;

/// Parses a UN consolidated list.
pub fn parse<R: BufRead>(reader: R, path: &Path) -> Result<ParsedBody, ListError> {
    let mut x = XmlPull::new(reader, path);
    let root = x.root()?;
    if root != "CONSOLIDATED_LIST" {
        return Err(x.error(format!("expected root element <CONSOLIDATED_LIST>, found <{root}>")));
    }
    let issued = x.attr(b"dateGenerated").and_then(PartialDate::parse).map(|d| d.to_string());
    let mut entities = Vec::new();
    loop {
        match x.next()? {
            Ev::Start => {
                let kind = match x.name.as_slice() {
                    b"INDIVIDUAL" => EntityKind::Person,
                    b"ENTITY" => EntityKind::Organization,
                    b"INDIVIDUALS" | b"ENTITIES" => continue,
                    other => return Err(x.error(format!("expected <INDIVIDUAL> or <ENTITY>, found <{}>", String::from_utf8_lossy(other)))),
                };
                entities.push(record(&mut x, kind)?);
            }
            Ev::End => {}
            Ev::Eof => break,
        }
    }
    Ok(ParsedBody {
        issued,
        entities,
        warnings: Vec::new(),
    })
}

fn record<R: BufRead>(x: &mut XmlPull<R>, kind: EntityKind) -> Result<Entity, ListError> {
    let start_offset = x.offset();
    let depth = x.depth();
    let mut e = Entity::new(String::new(), kind);
    let mut parts: Vec<NamePart> = Vec::new();
    let mut originals: Vec<String> = Vec::new();
    let mut aliases: Vec<Name> = Vec::new();
    // The child currently open and the leaves it has collected.
    let mut group: Fields = Vec::new();
    loop {
        match x.next()? {
            Ev::Start => {
                if x.depth() == depth + 1 {
                    group.clear();
                }
            }
            Ev::End => {
                let d = x.depth();
                if d == depth - 1 {
                    break;
                }
                let name = String::from_utf8_lossy(&x.name).into_owned();
                if d == depth + 1 {
                    // A grandchild closed: a leaf of a group.
                    group.push((name, x.text.trim().to_string()));
                } else if d > depth + 1 {
                    return Err(x.error(format!("unexpected nesting in <{name}>")));
                } else if group.is_empty() {
                    leaf(&mut e, &mut parts, &mut originals, &name, x.text.trim(), kind);
                } else {
                    let fields = std::mem::take(&mut group);
                    child_group(&mut e, &mut aliases, &name, fields);
                }
            }
            Ev::Eof => return Err(x.error("unexpected end of file inside a record")),
        }
    }
    if e.id.is_empty() {
        return Err(ListError::Field {
            path: x.path().to_path_buf(),
            position: crate::Position {
                line: None,
                offset: Some(start_offset),
            },
            field: "REFERENCE_NUMBER".into(),
            message: "record has no reference number".into(),
        });
    }
    let full = parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(" ");
    if !full.is_empty() {
        let mut n = Name::new(full, AliasKind::Primary, NameQuality::Strong);
        if kind == EntityKind::Organization {
            parts.iter_mut().for_each(|p| p.kind = NamePartKind::Whole);
        }
        n.parts = parts;
        e.names.push(n);
    }
    for o in originals {
        e.names.push(Name::new(o, AliasKind::Original, NameQuality::Unspecified));
    }
    e.names.extend(aliases);
    Ok(e)
}

fn leaf(e: &mut Entity, parts: &mut Vec<NamePart>, originals: &mut Vec<String>, name: &str, text: &str, kind: EntityKind) {
    if text.is_empty() {
        return;
    }
    let part = |k| NamePart {
        kind: k,
        value: text.to_string(),
    };
    match name {
        "REFERENCE_NUMBER" => e.id = format!("un:{text}"),
        "FIRST_NAME" => parts.push(part(if kind == EntityKind::Person {
            NamePartKind::UnFirst
        } else {
            NamePartKind::Whole
        })),
        "SECOND_NAME" => parts.push(part(NamePartKind::UnSecond)),
        "THIRD_NAME" => parts.push(part(NamePartKind::UnThird)),
        "FOURTH_NAME" => parts.push(part(NamePartKind::UnFourth)),
        "NAME_ORIGINAL_SCRIPT" => originals.push(text.to_string()),
        "UN_LIST_TYPE" => e.add_program(text),
        "LISTED_ON" => match PartialDate::parse(text) {
            Some(d) => e.listed_on = Some(d),
            None => e.add_extra("un:LISTED_ON", text),
        },
        "GENDER" => match Gender::parse(text) {
            Some(g) => e.gender = Some(g),
            None => e.add_extra("un:GENDER", text),
        },
        "COMMENTS1" => e.remarks.push(text.to_string()),
        "SORT_KEY" | "SORT_KEY_LAST_MOD" => {}
        other => e.add_extra(format!("un:{other}"), text),
    }
}

fn get<'a>(fields: &'a Fields, key: &str) -> Option<&'a str> {
    fields.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.as_str())
}

fn joined(fields: &Fields) -> String {
    fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn child_group(e: &mut Entity, aliases: &mut Vec<Name>, name: &str, fields: Fields) {
    if fields.iter().all(|(_, v)| v.is_empty()) {
        return;
    }
    match name {
        "NATIONALITY" => e.nationalities.extend(values(&fields).map(Country::from_name)),
        "TITLE" => e.titles.extend(values(&fields).map(str::to_string)),
        "DESIGNATION" => e.positions.extend(values(&fields).map(str::to_string)),
        "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => {
            let Some(full) = get(&fields, "ALIAS_NAME") else {
                e.add_extra(format!("un:{name}"), joined(&fields));
                return;
            };
            let label = get(&fields, "QUALITY");
            let (kind, quality) = match label.map(|q| q.to_ascii_lowercase()) {
                Some(q) if q == "good" => (AliasKind::Aka, NameQuality::Strong),
                Some(q) if q == "low" => (AliasKind::Aka, NameQuality::Weak),
                Some(q) if q.starts_with("f.k.a") => (AliasKind::Fka, NameQuality::Unspecified),
                Some(q) if q.starts_with("n.k.a") => (AliasKind::Nka, NameQuality::Unspecified),
                _ => (AliasKind::Aka, NameQuality::Unspecified),
            };
            let mut n = Name::new(full, kind, quality);
            n.quality_label = label.map(str::to_string);
            let rest: Fields = fields.iter().filter(|(k, _)| k != "ALIAS_NAME" && k != "QUALITY").cloned().collect();
            if let Some(d) = get(&fields, "DATE_OF_BIRTH").and_then(Dob::parse_text) {
                e.birth_dates.push(Dob {
                    note: Some(format!("with alias {full}")),
                    ..d
                });
            }
            let note = joined(&rest);
            n.note = (!note.is_empty()).then_some(note);
            aliases.push(n);
        }
        "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => {
            let a = address(&fields);
            if !a.is_empty() {
                e.addresses.push(a);
            }
        }
        "INDIVIDUAL_PLACE_OF_BIRTH" => {
            let a = address(&fields);
            if !a.is_empty() {
                e.birth_places.push(a);
            }
        }
        "INDIVIDUAL_DATE_OF_BIRTH" => match dob(&fields) {
            Some(d) => e.birth_dates.push(d),
            None => e.add_extra("un:INDIVIDUAL_DATE_OF_BIRTH", joined(&fields)),
        },
        "INDIVIDUAL_DOCUMENT" => {
            let kind = [get(&fields, "TYPE_OF_DOCUMENT"), get(&fields, "TYPE_OF_DOCUMENT2")]
                .into_iter()
                .flatten()
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(" / ");
            let country = get(&fields, "ISSUING_COUNTRY").or(get(&fields, "COUNTRY_OF_ISSUE")).map(Country::from_name);
            let mut notes = Vec::new();
            if let Some(c) = get(&fields, "CITY_OF_ISSUE") {
                notes.push(format!("issued in {c}"));
            }
            if let (Some(a), Some(b)) = (get(&fields, "ISSUING_COUNTRY"), get(&fields, "COUNTRY_OF_ISSUE")) {
                if a != b {
                    notes.push(format!("country of issue {b}"));
                }
            }
            let date_text = get(&fields, "DATE_OF_ISSUE");
            let issued = date_text.and_then(PartialDate::parse_text);
            if let (Some(t), None) = (date_text, issued) {
                notes.push(format!("date of issue {t}"));
            }
            if let Some(n) = get(&fields, "NOTE") {
                notes.push(n.to_string());
            }
            e.documents.push(Identifier {
                kind: if kind.is_empty() { "Document".into() } else { kind },
                number: get(&fields, "NUMBER").unwrap_or_default().to_string(),
                country,
                issued,
                expires: None,
                note: (!notes.is_empty()).then(|| notes.join("; ")),
            });
        }
        other if fields.iter().all(|(k, _)| k == "VALUE") => {
            for v in values(&fields) {
                e.add_extra(format!("un:{other}"), v);
            }
        }
        other => e.add_extra(format!("un:{other}"), joined(&fields)),
    }
}

fn values(fields: &Fields) -> impl Iterator<Item = &str> {
    fields.iter().filter(|(k, v)| k == "VALUE" && !v.is_empty()).map(|(_, v)| v.as_str())
}

fn address(fields: &Fields) -> Address {
    let own = |k: &str| get(fields, k).map(str::to_string);
    Address {
        full: None,
        street: own("STREET"),
        city: own("CITY"),
        region: own("STATE_PROVINCE"),
        postal_code: own("ZIP_CODE"),
        country: get(fields, "COUNTRY").map(Country::from_name),
        note: own("NOTE"),
    }
}

fn dob(fields: &Fields) -> Option<Dob> {
    let kind = get(fields, "TYPE_OF_DATE").unwrap_or("").to_ascii_uppercase();
    let note = get(fields, "NOTE").map(str::to_string);
    let date = get(fields, "DATE")
        .and_then(PartialDate::parse)
        .or_else(|| get(fields, "YEAR").and_then(PartialDate::parse));
    let value = match (get(fields, "FROM_YEAR"), get(fields, "TO_YEAR")) {
        (Some(a), Some(b)) => DobValue::Range(PartialDate::parse(a)?, PartialDate::parse(b)?),
        _ => DobValue::Date(date?),
    };
    // A range is BETWEEN by construction; anything else with the APPROXIMATELY type is circa.
    Some(Dob {
        value,
        approximate: kind == "APPROXIMATELY",
        note,
    })
}
