//! FollowTheMoney (FtM) JSON lines, the format of OpenSanctions exports: import and export.
//!
//! FtM spreads one listing over several entities: a `Person` or `Company`, `Sanction` entities
//! pointing at it (`entity`), `Passport`/`Identification` (`holder`), `CryptoWallet`
//! (`holder`), `Address` entities it points at (`addressEntity`), and relationship entities
//! (`Ownership`, `Directorship`, `Family`, …). Import folds them back into one [`Entity`] each;
//! export unfolds an entity the same way. Properties Cordon has no field for are kept under
//! `ftm:<property>` in [`Entity::extra`] and written back, so export → import → export gives
//! the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::path::Path;

use cordon_model::{
    Address, AliasKind, Country, Dob, DobValue, Entity, EntityKind, Gender, Identifier, Name, NamePart, NamePartKind, NameQuality, PartialDate, Relation,
    Wallet,
};
use serde::{Deserialize, Serialize};

use crate::{ListError, ParsedBody, Position};

/// One FtM entity as it appears on a line.
#[derive(Debug, Serialize, Deserialize)]
struct FtmEntity {
    id: String,
    schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, Vec<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    datasets: Vec<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, serde_json::Value>,
}

type Props = BTreeMap<String, Vec<String>>;

/// Relationship schemas: (schema, property of the side that carries the link, property of the
/// other side).
const LINKS: &[(&str, &str, &str)] = &[
    ("Ownership", "owner", "asset"),
    ("Directorship", "director", "organization"),
    ("Family", "person", "relative"),
    ("Associate", "person", "associate"),
    ("Membership", "member", "organization"),
    ("Employment", "employee", "employer"),
    ("Representation", "agent", "client"),
    ("Succession", "predecessor", "successor"),
    ("UnknownLink", "subject", "object"),
];

fn thing_kind(schema: &str) -> Option<EntityKind> {
    Some(match schema {
        "Person" => EntityKind::Person,
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => EntityKind::Organization,
        "Vessel" => EntityKind::Vessel,
        "Airplane" => EntityKind::Aircraft,
        _ => return None,
    })
}

fn default_schema(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "Person",
        EntityKind::Organization => "Organization",
        EntityKind::Vessel => "Vessel",
        EntityKind::Aircraft => "Airplane",
        EntityKind::Wallet => "CryptoWallet",
    }
}

/// Parses FtM JSON lines.
pub fn parse<R: BufRead>(reader: R, path: &Path) -> Result<ParsedBody, ListError> {
    let mut raw: Vec<(FtmEntity, Props)> = Vec::new();
    for (i, line) in reader.split(b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let line = line.map_err(|e| ListError::io(path, e))?;
        let pos = || Position {
            line: Some(line_no),
            offset: None,
        };
        let text = std::str::from_utf8(&line).map_err(|_| ListError::Encoding {
            path: path.into(),
            position: pos(),
        })?;
        if text.trim().is_empty() {
            continue;
        }
        let e: FtmEntity = serde_json::from_str(text).map_err(|err| ListError::Malformed {
            path: path.into(),
            position: pos(),
            message: format!("invalid FtM JSON: {err}"),
        })?;
        if e.id.is_empty() {
            return Err(ListError::Field {
                path: path.into(),
                position: pos(),
                field: "id".into(),
                message: "empty entity id".into(),
            });
        }
        let mut props = Props::new();
        for (k, vs) in &e.properties {
            let mut out = Vec::with_capacity(vs.len());
            for v in vs {
                match v {
                    serde_json::Value::String(s) => out.push(s.clone()),
                    // Nested exports put whole entities where a reference would be.
                    serde_json::Value::Object(o) => match o.get("id").and_then(|v| v.as_str()) {
                        Some(id) => out.push(id.to_string()),
                        None => {
                            return Err(ListError::Field {
                                path: path.into(),
                                position: pos(),
                                field: format!("properties.{k}"),
                                message: "nested value without an id".into(),
                            })
                        }
                    },
                    other => out.push(other.to_string()),
                }
            }
            props.insert(k.clone(), out);
        }
        raw.push((e, props));
    }
    fold(raw)
}

fn take(p: &mut Props, k: &str) -> Vec<String> {
    p.remove(k).unwrap_or_default()
}

fn fold(raw: Vec<(FtmEntity, Props)>) -> Result<ParsedBody, ListError> {
    let mut entities: Vec<Entity> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut addresses: HashMap<String, Address> = HashMap::new();
    let mut address_refs: Vec<(usize, Vec<String>)> = Vec::new();
    let mut attachments: Vec<(FtmEntity, Props)> = Vec::new();
    for (fe, mut p) in raw {
        let holder_wallet = fe.schema == "CryptoWallet" && p.contains_key("holder");
        let kind = match thing_kind(&fe.schema) {
            Some(k) => k,
            None if fe.schema == "CryptoWallet" && !holder_wallet => EntityKind::Wallet,
            None if fe.schema == "Address" => {
                addresses.insert(fe.id.clone(), address_from(&mut p));
                continue;
            }
            None => {
                attachments.push((fe, p));
                continue;
            }
        };
        let mut e = Entity::new(fe.id.clone(), kind);
        if fe.schema != default_schema(kind) {
            e.add_extra("ftm:@schema", fe.schema.as_str());
        }
        if !fe.datasets.is_empty() {
            e.extra.insert("ftm:@datasets".into(), fe.datasets.clone());
        }
        let names = take(&mut p, "name");
        for (i, n) in names.iter().enumerate() {
            let mut name = Name::new(n.as_str(), AliasKind::Primary, NameQuality::Strong);
            if i > 0 {
                name.kind = if name.script == cordon_model::Script::Latin {
                    AliasKind::Aka
                } else {
                    AliasKind::Original
                };
            }
            e.names.push(name);
        }
        let parts: Vec<NamePart> = [
            ("firstName", NamePartKind::Given),
            ("middleName", NamePartKind::Middle),
            ("fatherName", NamePartKind::Patronymic),
            ("motherName", NamePartKind::Matronymic),
            ("lastName", NamePartKind::Family),
        ]
        .into_iter()
        .flat_map(|(k, kind)| take(&mut p, k).into_iter().map(move |v| NamePart { kind, value: v }))
        .collect();
        if let Some(primary) = e.names.first_mut() {
            primary.parts = parts;
        }
        for (k, kind, q) in [
            ("alias", AliasKind::Aka, NameQuality::Strong),
            ("weakAlias", AliasKind::Aka, NameQuality::Weak),
            ("previousName", AliasKind::Fka, NameQuality::Strong),
        ] {
            for v in take(&mut p, k) {
                e.names.push(Name::new(v, kind, q));
            }
        }
        for v in take(&mut p, "birthDate") {
            match PartialDate::parse(&v) {
                Some(d) => e.birth_dates.push(Dob::on(d)),
                None => e.add_extra("ftm:birthDate", v),
            }
        }
        e.birth_places = take(&mut p, "birthPlace")
            .into_iter()
            .map(|t| Address {
                full: Some(t),
                ..Address::default()
            })
            .collect();
        e.nationalities = take(&mut p, "nationality").iter().map(|c| Country::from_name(c)).collect();
        e.citizenships = take(&mut p, "citizenship").iter().map(|c| Country::from_name(c)).collect();
        for g in take(&mut p, "gender") {
            match Gender::parse(&g) {
                Some(g) => e.gender = Some(g),
                None => e.add_extra("ftm:gender", g),
            }
        }
        e.titles = take(&mut p, "title");
        e.positions = take(&mut p, "position");
        e.remarks = take(&mut p, "notes");
        e.emails = take(&mut p, "email");
        e.websites = take(&mut p, "website");
        e.phones = take(&mut p, "phone");
        e.programs = take(&mut p, "program");
        if kind == EntityKind::Wallet {
            let currency = take(&mut p, "currency").into_iter().next().unwrap_or_default();
            for k in take(&mut p, "publicKey") {
                e.wallets.push(Wallet {
                    currency: currency.clone(),
                    address: k,
                });
            }
        }
        for pn in take(&mut p, "passportNumber") {
            e.documents.push(Identifier {
                kind: "Passport".into(),
                number: pn,
                country: None,
                issued: None,
                expires: None,
                note: None,
            });
        }
        let refs = take(&mut p, "addressEntity");
        if !refs.is_empty() {
            address_refs.push((entities.len(), refs));
        }
        for v in take(&mut p, "address") {
            e.addresses.push(Address {
                full: Some(v),
                ..Address::default()
            });
        }
        for (k, vs) in p {
            e.extra.insert(format!("ftm:{k}"), vs);
        }
        index.insert(fe.id.clone(), entities.len());
        entities.push(e);
    }
    for (i, refs) in address_refs {
        for r in refs {
            if let Some(a) = addresses.get(&r) {
                entities[i].addresses.push(a.clone());
            }
        }
    }
    for (fe, mut p) in attachments {
        let first = |p: &Props, k: &str| p.get(k).and_then(|v| v.first()).cloned();
        match fe.schema.as_str() {
            "Sanction" => {
                for target in take(&mut p, "entity") {
                    let Some(&i) = index.get(&target) else {
                        continue;
                    };
                    let e = &mut entities[i];
                    for prog in p.get("program").into_iter().flatten().chain(p.get("programId").into_iter().flatten()) {
                        e.add_program(prog);
                    }
                    for d in p.get("listingDate").into_iter().flatten().filter_map(|d| PartialDate::parse(d)) {
                        e.listed_on = Some(e.listed_on.map_or(d, |old| old.min(d)));
                    }
                }
            }
            "Passport" | "Identification" => {
                let Some(&i) = first(&p, "holder").and_then(|h| index.get(&h)) else {
                    continue;
                };
                let number = first(&p, "number").or_else(|| first(&p, "passportNumber")).unwrap_or_default();
                let kind = first(&p, "type").unwrap_or_else(|| fe.schema.clone());
                entities[i].documents.push(Identifier {
                    kind,
                    number,
                    country: first(&p, "country").map(|c| Country::from_name(&c)),
                    issued: first(&p, "startDate").and_then(|d| PartialDate::parse(&d)),
                    expires: first(&p, "endDate").and_then(|d| PartialDate::parse(&d)),
                    note: first(&p, "summary"),
                });
            }
            "CryptoWallet" => {
                let Some(&i) = first(&p, "holder").and_then(|h| index.get(&h)) else {
                    continue;
                };
                let currency = first(&p, "currency").unwrap_or_default();
                for k in p.get("publicKey").into_iter().flatten() {
                    entities[i].wallets.push(Wallet {
                        currency: currency.clone(),
                        address: k.clone(),
                    });
                }
            }
            schema => {
                let Some(&(_, from, to)) = LINKS.iter().find(|(s, _, _)| *s == schema) else {
                    continue;
                };
                let (Some(a), Some(b)) = (first(&p, from), first(&p, to)) else {
                    continue;
                };
                let Some(&i) = index.get(&a) else { continue };
                entities[i].relations.push(Relation {
                    kind: schema.to_string(),
                    target: Some(b),
                    target_name: None,
                    id: Some(fe.id.clone()),
                    note: first(&p, "role"),
                });
            }
        }
    }
    Ok(ParsedBody {
        issued: None,
        entities,
        warnings: Vec::new(),
    })
}

fn address_from(p: &mut Props) -> Address {
    let one = |p: &mut Props, k: &str| take(p, k).into_iter().next();
    Address {
        full: one(p, "full"),
        street: one(p, "street"),
        city: one(p, "city"),
        region: one(p, "region").or_else(|| one(p, "state")),
        postal_code: one(p, "postalCode"),
        country: one(p, "country").map(|c| Country::from_name(&c)),
        note: one(p, "remarks"),
    }
}

fn country_value(c: &Country) -> String {
    c.code.as_deref().map(str::to_ascii_lowercase).unwrap_or_else(|| c.name.clone())
}

/// Writes entities as FtM JSON lines: each entity, then the entities it unfolds into.
pub fn write(entities: &[Entity], source: &str, out: &mut impl Write) -> std::io::Result<()> {
    for e in entities {
        for fe in unfold(e, source) {
            serde_json::to_writer(&mut *out, &fe)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// One entity as a nested FtM object, the shape yente's API returns: the entities it unfolds
/// into (addresses, identity documents, relations) sit inside its properties instead of
/// being separate lines.
pub fn nested(e: &Entity, source: &str) -> serde_json::Value {
    let mut parts = unfold(e, source).into_iter();
    let Some(mut main) = parts.next() else {
        return serde_json::Value::Null;
    };
    for part in parts {
        let id = serde_json::Value::String(part.id.clone());
        let slot = main.properties.values_mut().flat_map(|vs| vs.iter_mut()).find(|v| **v == id);
        match slot {
            // The main entity refers to it (addressEntity): put the object in place of the id.
            Some(v) => *v = serde_json::to_value(&part).expect("entities serialise"),
            // It refers to the main entity (a document's holder, a relation): list it under its
            // schema name, as FtM's reverse properties do.
            None => {
                let mut key = part.schema.clone();
                if let Some(first) = key.get_mut(0..1) {
                    first.make_ascii_lowercase();
                }
                main.properties
                    .entry(key)
                    .or_default()
                    .push(serde_json::to_value(&part).expect("entities serialise"));
            }
        }
    }
    serde_json::to_value(&main).expect("entities serialise")
}

fn strings(v: Vec<String>) -> Vec<serde_json::Value> {
    v.into_iter().map(serde_json::Value::String).collect()
}

fn unfold(e: &Entity, source: &str) -> Vec<FtmEntity> {
    let datasets = e.extra.get("ftm:@datasets").cloned().unwrap_or_else(|| vec![source.to_string()]);
    let mut props = Props::new();
    let mut put = |k: &str, vs: Vec<String>| {
        if !vs.is_empty() {
            props.entry(k.to_string()).or_default().extend(vs);
        }
    };
    let names_of = |f: &dyn Fn(&Name) -> bool| e.names.iter().filter(|n| f(n)).map(|n| n.full.clone()).collect::<Vec<_>>();
    // Import reads extra `name` values in a non-Latin script as original-script names and the
    // rest as aliases, so a Latin "original" name is written as an alias to keep the round trip.
    let original_latin = |n: &Name| n.kind == AliasKind::Original && n.script == cordon_model::Script::Latin;
    put(
        "name",
        names_of(&|n| n.kind == AliasKind::Primary || n.kind == AliasKind::Original && !original_latin(n)),
    );
    put(
        "alias",
        names_of(&|n| matches!(n.kind, AliasKind::Aka | AliasKind::Nka) && n.quality != NameQuality::Weak || original_latin(n)),
    );
    put(
        "weakAlias",
        names_of(&|n| matches!(n.kind, AliasKind::Aka | AliasKind::Nka) && n.quality == NameQuality::Weak),
    );
    put("previousName", names_of(&|n| n.kind == AliasKind::Fka));
    if let Some(primary) = e.names.iter().find(|n| n.kind == AliasKind::Primary) {
        for (k, kind) in [
            ("firstName", NamePartKind::Given),
            ("middleName", NamePartKind::Middle),
            ("fatherName", NamePartKind::Patronymic),
            ("motherName", NamePartKind::Matronymic),
            ("lastName", NamePartKind::Family),
        ] {
            put(k, primary.parts.iter().filter(|p| p.kind == kind).map(|p| p.value.clone()).collect());
        }
    }
    put(
        "birthDate",
        e.birth_dates
            .iter()
            .flat_map(|d| match &d.value {
                DobValue::Date(d) => vec![d.to_string()],
                DobValue::Range(a, b) => vec![a.to_string(), b.to_string()],
            })
            .collect(),
    );
    put("birthPlace", e.birth_places.iter().map(Address::one_line).collect());
    put("nationality", e.nationalities.iter().map(country_value).collect());
    put("citizenship", e.citizenships.iter().map(country_value).collect());
    put(
        "gender",
        e.gender
            .iter()
            .map(|g| if *g == Gender::Male { "male".to_string() } else { "female".to_string() })
            .collect(),
    );
    put("title", e.titles.clone());
    put("position", e.positions.clone());
    let mut notes = e.remarks.clone();
    notes.extend(
        e.relations
            .iter()
            .filter(|r| r.target.is_none())
            .filter_map(|r| r.target_name.as_ref().map(|n| format!("{}: {n}", r.kind))),
    );
    put("notes", notes);
    put("email", e.emails.clone());
    put("website", e.websites.clone());
    put("phone", e.phones.clone());
    if e.kind == EntityKind::Wallet {
        put("currency", e.wallets.first().map(|w| w.currency.clone()).into_iter().collect());
        put("publicKey", e.wallets.iter().map(|w| w.address.clone()).collect());
    }
    let mut out = Vec::new();
    let addr_ids: Vec<String> = (0..e.addresses.len()).map(|i| format!("{}-addr-{i}", e.id)).collect();
    put("addressEntity", addr_ids.clone());
    for (k, vs) in &e.extra {
        if let Some(prop) = k.strip_prefix("ftm:").filter(|p| !p.starts_with('@')) {
            put(prop, vs.clone());
        }
    }
    let schema = e
        .extra
        .get("ftm:@schema")
        .and_then(|v| v.first())
        .cloned()
        .unwrap_or_else(|| default_schema(e.kind).to_string());
    let mk = |id: String, schema: &str, props: Props| FtmEntity {
        id,
        schema: schema.to_string(),
        caption: None,
        properties: props.into_iter().map(|(k, v)| (k, strings(v))).collect(),
        datasets: datasets.clone(),
        rest: BTreeMap::new(),
    };
    let mut main = mk(e.id.clone(), &schema, props);
    main.caption = Some(e.caption().to_string());
    out.push(main);
    for (a, id) in e.addresses.iter().zip(addr_ids) {
        let mut p = Props::new();
        for (k, v) in [
            ("full", &a.full),
            ("street", &a.street),
            ("city", &a.city),
            ("region", &a.region),
            ("postalCode", &a.postal_code),
            ("remarks", &a.note),
        ] {
            if let Some(v) = v {
                p.insert(k.into(), vec![v.clone()]);
            }
        }
        if let Some(c) = &a.country {
            p.insert("country".into(), vec![country_value(c)]);
        }
        out.push(mk(id, "Address", p));
    }
    for (i, d) in e.documents.iter().enumerate() {
        let mut p = Props::new();
        p.insert("holder".into(), vec![e.id.clone()]);
        p.insert("number".into(), vec![d.number.clone()]);
        p.insert("type".into(), vec![d.kind.clone()]);
        if let Some(c) = &d.country {
            p.insert("country".into(), vec![country_value(c)]);
        }
        if let Some(x) = d.issued {
            p.insert("startDate".into(), vec![x.to_string()]);
        }
        if let Some(x) = d.expires {
            p.insert("endDate".into(), vec![x.to_string()]);
        }
        if let Some(n) = &d.note {
            p.insert("summary".into(), vec![n.clone()]);
        }
        let schema = if d.is_passport() { "Passport" } else { "Identification" };
        out.push(mk(format!("{}-doc-{i}", e.id), schema, p));
    }
    if e.kind != EntityKind::Wallet {
        for (i, w) in e.wallets.iter().enumerate() {
            let p = Props::from([
                ("holder".into(), vec![e.id.clone()]),
                ("currency".into(), vec![w.currency.clone()]),
                ("publicKey".into(), vec![w.address.clone()]),
            ]);
            out.push(mk(format!("{}-wallet-{i}", e.id), "CryptoWallet", p));
        }
    }
    if !e.programs.is_empty() || e.listed_on.is_some() {
        let mut p = Props::from([("entity".into(), vec![e.id.clone()])]);
        if !e.programs.is_empty() {
            p.insert("program".into(), e.programs.clone());
        }
        if let Some(d) = e.listed_on {
            p.insert("listingDate".into(), vec![d.to_string()]);
        }
        out.push(mk(format!("{}-sanction", e.id), "Sanction", p));
    }
    for (i, r) in e.relations.iter().enumerate() {
        let Some(target) = &r.target else { continue };
        let (schema, from, to) = LINKS
            .iter()
            .find(|(s, _, _)| *s == r.kind)
            .copied()
            .unwrap_or(("UnknownLink", "subject", "object"));
        let mut p = Props::from([(from.into(), vec![e.id.clone()]), (to.into(), vec![target.clone()])]);
        let role = if schema == r.kind { r.note.clone() } else { Some(r.kind.clone()) };
        if let Some(role) = role {
            p.insert("role".into(), vec![role]);
        }
        out.push(mk(r.id.clone().unwrap_or_else(|| format!("{}-rel-{i}", e.id)), schema, p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_attachments() {
        let lines = r#"{"id":"p1","schema":"Person","properties":{"name":["KIM Jong Un","김정은"],"birthDate":["1984-01-08"],"nationality":["kp"],"addressEntity":["a1"]},"datasets":["x"]}
{"id":"a1","schema":"Address","properties":{"full":["Pyongyang"],"country":["kp"]}}
{"id":"s1","schema":"Sanction","properties":{"entity":["p1"],"program":["DPRK"],"listingDate":["2016-07-06"]}}
{"id":"w1","schema":"CryptoWallet","properties":{"holder":["p1"],"currency":["ETH"],"publicKey":["0xabc"]}}
{"id":"o1","schema":"Ownership","properties":{"owner":["p1"],"asset":["c1"],"role":["shareholder"]}}
"#;
        let body = parse(lines.as_bytes(), Path::new("t.json")).unwrap();
        let [p] = body.entities.as_slice() else { panic!("{body:?}") };
        assert_eq!(p.names[1].kind, AliasKind::Original);
        assert_eq!(p.programs, ["DPRK"]);
        assert_eq!(p.wallets[0].address, "0xabc");
        assert_eq!(p.addresses[0].country.as_ref().unwrap().code(), Some("KP"));
        assert_eq!(p.relations[0].target.as_deref(), Some("c1"));
        let mut out = Vec::new();
        write(&body.entities, "ftm", &mut out).unwrap();
        let again = parse(&out[..], Path::new("t.json")).unwrap();
        let mut out2 = Vec::new();
        write(&again.entities, "ftm", &mut out2).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(out2).unwrap());
    }

    #[test]
    fn bad_line_is_located() {
        let err = parse("{\"id\":\"a\",\"schema\":\"Person\"}\n{oops\n".as_bytes(), Path::new("t.json")).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
