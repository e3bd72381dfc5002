//! OFAC SDN_ADVANCED.XML (the "advanced" format; also used for the consolidated advanced list).
//!
//! The file is normalised like a database: `ReferenceValueSets` define every code (feature
//! types, countries, alias types, scripts, name-part types, programs), `Locations` and
//! `IDRegDocuments` are tables referenced by id, `DistinctParties` hold names and features,
//! and `SanctionsEntries` (after the parties) carry programs and listing dates. Every
//! reference is resolved against the file's own sets, never a hard-coded id, so a new feature
//! type OFAC adds is read by its name.
//!
//! The file is read in one streaming pass; only the reference sets, locations, documents and
//! the entities themselves are held in memory (about 100 bytes of state per KB of XML).

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use cordon_model::{
    Address, AliasKind, Country, Dob, DobValue, Entity, EntityKind, Gender, Identifier, Name, NamePart, NamePartKind, NameQuality, PartialDate, Relation,
    Script, Wallet,
};

use crate::xml::{Ev, XmlPull};
use crate::{ListError, ParsedBody};

type Attrs = Vec<(Vec<u8>, String)>;

/// One reference value: its text and attributes.
#[derive(Default)]
struct RefValue {
    text: String,
    attrs: Vec<(Vec<u8>, String)>,
}

impl RefValue {
    fn attr(&self, name: &[u8]) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The file's reference value sets, by element name (`AliasType`, `Country`, …) and id.
#[derive(Default)]
struct Refs {
    sets: HashMap<Vec<u8>, HashMap<u32, RefValue>>,
}

impl Refs {
    fn get(&self, set: &[u8], id: Option<u32>) -> Option<&RefValue> {
        self.sets.get(set)?.get(&id?)
    }

    fn text(&self, set: &[u8], id: Option<u32>) -> Option<&str> {
        self.get(set, id).map(|r| r.text.as_str())
    }

    fn country(&self, id: Option<u32>) -> Option<Country> {
        let r = self.get(b"Country", id)?;
        Some(match r.attr(b"ISO2").filter(|c| c.len() == 2) {
            Some(code) => Country::with_code(code, &r.text),
            None => Country::from_name(&r.text),
        })
    }

    fn area_country(&self, id: Option<u32>) -> Option<Country> {
        let r = self.get(b"AreaCode", id)?;
        let cid = r.attr(b"CountryID").and_then(|c| c.parse().ok());
        self.country(cid).or_else(|| r.attr(b"Description").map(Country::from_name))
    }
}

fn num(x: &XmlPull<impl BufRead>, name: &[u8]) -> Option<u32> {
    x.attr(name).and_then(|v| v.parse().ok())
}

fn req<R: BufRead>(x: &XmlPull<R>, name: &str) -> Result<u32, ListError> {
    num(x, name.as_bytes()).ok_or_else(|| x.field_error(&format!("{}/@{name}", String::from_utf8_lossy(&x.name)), "missing or not a number"))
}

/// A `DatePeriod` or `Date`, reduced to what it says.
#[derive(Default, Clone, Copy)]
struct Period {
    start_from: Option<PartialDate>,
    end_to: Option<PartialDate>,
    approximate: bool,
}

impl Period {
    fn to_dob(self) -> Option<Dob> {
        let a = self.start_from?;
        let b = self.end_to.unwrap_or(a);
        let value = if a == b {
            DobValue::Date(a)
        } else if let Some(d) = collapse(a, b) {
            DobValue::Date(d)
        } else {
            // Whole years on both ends are a year range ("1960 to 1962").
            let (a2, b2) = match (a.month, a.day, b.month, b.day) {
                (Some(1), Some(1), Some(12), Some(31)) => (PartialDate::year(a.year), PartialDate::year(b.year)),
                _ => (a, b),
            };
            DobValue::Range(a2, b2)
        };
        Some(Dob {
            value,
            approximate: self.approximate,
            note: None,
        })
    }

    fn text(self) -> Option<String> {
        self.to_dob().map(|d| d.to_string())
    }
}

/// 1951-01-01..1951-12-31 is "1951"; 1960-03-01..1960-03-31 is "1960-03".
fn collapse(a: PartialDate, b: PartialDate) -> Option<PartialDate> {
    if a.year != b.year || a.day != Some(1) {
        return None;
    }
    let whole_year = a.month == Some(1) && b.month == Some(12) && b.day == Some(31);
    if whole_year {
        return Some(PartialDate::year(a.year));
    }
    let m = a.month?;
    let last = PartialDate {
        year: b.year,
        month: Some(m),
        day: None,
    }
    .latest()
    .2;
    (b.month == Some(m) && b.day == Some(last)).then_some(PartialDate {
        year: a.year,
        month: Some(m),
        day: None,
    })
}

/// Parses an OFAC advanced XML file.
pub fn parse<R: BufRead>(reader: R, path: &Path) -> Result<ParsedBody, ListError> {
    let mut x = XmlPull::new(reader, path);
    let root = x.root()?;
    if root != "Sanctions" {
        return Err(x.error(format!("expected root element <Sanctions> (OFAC advanced XML), found <{root}>")));
    }
    let mut st = State::default();
    let mut issued = None;
    loop {
        match x.next()? {
            Ev::Start => match x.name.as_slice() {
                b"DateOfIssue" => issued = date(&mut x)?.map(|d| d.to_string()),
                b"ReferenceValueSets" => st.reference_sets(&mut x)?,
                b"Locations" => st.locations(&mut x)?,
                b"IDRegDocuments" => st.documents(&mut x)?,
                b"DistinctParties" => st.parties(&mut x)?,
                b"ProfileRelationships" => st.relationships(&mut x)?,
                b"SanctionsEntries" => st.sanctions_entries(&mut x)?,
                _ => x.skip_element()?,
            },
            Ev::End => {}
            Ev::Eof => break,
        }
    }
    if st.refs.sets.is_empty() {
        return Err(x.error("no <ReferenceValueSets>: not a complete OFAC advanced XML file"));
    }
    Ok(ParsedBody {
        issued,
        entities: st.entities,
        warnings: Vec::new(),
    })
}

/// Reads `<Year>`, `<Month>`, `<Day>` children of the element just opened.
fn date<R: BufRead>(x: &mut XmlPull<R>) -> Result<Option<PartialDate>, ListError> {
    let depth = x.depth();
    let (mut y, mut m, mut d) = (None, None, None);
    loop {
        match x.next()? {
            Ev::Start => {}
            Ev::End if x.depth() < depth => break,
            Ev::End => {
                let v: Option<u16> = x.text.trim().parse().ok();
                match x.name.as_slice() {
                    b"Year" => y = v,
                    b"Month" => m = v.map(|v| v as u8),
                    b"Day" => d = v.map(|v| v as u8),
                    _ => {}
                }
            }
            Ev::Eof => return Err(x.error("unexpected end of file in a date")),
        }
    }
    let Some(year) = y else { return Ok(None) };
    let pd = PartialDate { year, month: m, day: m.and(d) };
    Ok(PartialDate::parse(&pd.to_string()))
}

/// Reads a `<DatePeriod>` just opened.
fn period<R: BufRead>(x: &mut XmlPull<R>) -> Result<Period, ListError> {
    let depth = x.depth();
    let mut p = Period::default();
    // Which of Start/End and From/To we are in.
    let (mut in_start, mut in_end) = (false, false);
    loop {
        match x.next()? {
            Ev::Start => match x.name.as_slice() {
                b"Start" => {
                    in_start = true;
                    p.approximate |= x.attr(b"Approximate") == Some("true");
                }
                b"End" => {
                    in_end = true;
                    p.approximate |= x.attr(b"Approximate") == Some("true");
                }
                b"From" if in_start => p.start_from = date(x)?,
                b"To" if in_end => p.end_to = date(x)?,
                b"From" | b"To" => {
                    date(x)?;
                }
                _ => {}
            },
            Ev::End if x.depth() < depth => break,
            Ev::End => match x.name.as_slice() {
                b"Start" => in_start = false,
                b"End" => in_end = false,
                _ => {}
            },
            Ev::Eof => return Err(x.error("unexpected end of file in a date period")),
        }
    }
    Ok(p)
}

#[derive(Default)]
struct State {
    refs: Refs,
    locations: HashMap<u32, Address>,
    documents: HashMap<u32, Vec<Identifier>>,
    entities: Vec<Entity>,
    by_profile: HashMap<u32, usize>,
}

impl State {
    fn reference_sets<R: BufRead>(&mut self, x: &mut XmlPull<R>) -> Result<(), ListError> {
        let depth = x.depth();
        // (set element name, id, attributes) of the value being read.
        let mut current: Option<(Vec<u8>, u32, Attrs)> = None;
        loop {
            match x.next()? {
                Ev::Start if x.depth() == depth + 2 => {
                    let id = req(x, "ID")?;
                    current = Some((x.name.clone(), id, x.attrs.clone()));
                }
                Ev::Start => {}
                Ev::End if x.depth() < depth => return Ok(()),
                Ev::End if x.depth() == depth + 1 => {
                    if let Some((set, id, attrs)) = current.take() {
                        let text = x.text.trim().to_string();
                        self.refs.sets.entry(set).or_default().insert(id, RefValue { text, attrs });
                    }
                }
                Ev::End => {}
                Ev::Eof => return Err(x.error("unexpected end of file in <ReferenceValueSets>")),
            }
        }
    }

    fn locations<R: BufRead>(&mut self, x: &mut XmlPull<R>) -> Result<(), ListError> {
        let depth = x.depth();
        let mut id = 0u32;
        let mut addr = Address::default();
        let mut part_type: Option<String> = None;
        let mut streets: Vec<String> = Vec::new();
        loop {
            match x.next()? {
                Ev::Start => match x.name.as_slice() {
                    b"Location" => {
                        id = req(x, "ID")?;
                        addr = Address::default();
                        streets.clear();
                    }
                    b"LocationCountry" => {
                        if let Some(c) = self.refs.country(num(x, b"CountryID")) {
                            addr.country = Some(c);
                        }
                    }
                    b"LocationAreaCode" if addr.country.is_none() => {
                        addr.country = self.refs.area_country(num(x, b"AreaCodeID"));
                    }
                    b"LocationPart" => part_type = self.refs.text(b"LocPartType", num(x, b"LocPartTypeID")).map(str::to_string),
                    _ => {}
                },
                Ev::End if x.depth() < depth => return Ok(()),
                Ev::End => match x.name.as_slice() {
                    b"Value" => {
                        let v = x.text.trim().to_string();
                        if v.is_empty() {
                            continue;
                        }
                        match part_type.as_deref().unwrap_or("") {
                            "ADDRESS1" | "ADDRESS2" | "ADDRESS3" => streets.push(v),
                            "CITY" => addr.city = Some(v),
                            "STATE/PROVINCE" => addr.region = Some(v),
                            "POSTAL CODE" => addr.postal_code = Some(v),
                            "REGION" => addr.note = Some(v),
                            _ => addr.full = Some(v),
                        }
                    }
                    b"Location" => {
                        if !streets.is_empty() {
                            addr.street = Some(streets.join(", "));
                        }
                        self.locations.insert(id, std::mem::take(&mut addr));
                    }
                    _ => {}
                },
                Ev::Eof => return Err(x.error("unexpected end of file in <Locations>")),
            }
        }
    }

    fn documents<R: BufRead>(&mut self, x: &mut XmlPull<R>) -> Result<(), ListError> {
        let depth = x.depth();
        let mut identity = 0u32;
        let mut doc: Option<Identifier> = None;
        let mut notes: Vec<String> = Vec::new();
        let mut date_type: Option<String> = None;
        loop {
            match x.next()? {
                Ev::Start => match x.name.as_slice() {
                    b"IDRegDocument" => {
                        identity = req(x, "IdentityID")?;
                        notes.clear();
                        if self.refs.text(b"Validity", num(x, b"ValidityID")) == Some("Fraudulent") {
                            notes.push("fraudulent".into());
                        }
                        doc = Some(Identifier {
                            kind: self.refs.text(b"IDRegDocType", num(x, b"IDRegDocTypeID")).unwrap_or("Document").to_string(),
                            number: String::new(),
                            country: self.refs.country(num(x, b"IssuedBy-CountryID")),
                            issued: None,
                            expires: None,
                            note: None,
                        });
                    }
                    b"DocumentDate" => date_type = self.refs.text(b"IDRegDocDateType", num(x, b"IDRegDocDateTypeID")).map(str::to_string),
                    b"DatePeriod" => {
                        let p = period(x)?;
                        if let Some(d) = doc.as_mut() {
                            let when = p.start_from;
                            match date_type.as_deref() {
                                Some("Expiration Date") => d.expires = when,
                                Some("Issue Date") => d.issued = when,
                                other => {
                                    if let Some(t) = p.text() {
                                        notes.push(format!("{}: {t}", other.unwrap_or("date")));
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                },
                Ev::End if x.depth() < depth => return Ok(()),
                Ev::End => {
                    let t = x.text.trim();
                    match x.name.as_slice() {
                        b"IDRegistrationNo" => {
                            if let Some(d) = doc.as_mut() {
                                d.number = t.to_string();
                            }
                        }
                        b"IssuingAuthority" | b"Comment" if !t.is_empty() => notes.push(t.to_string()),
                        b"IDRegDocument" => {
                            if let Some(mut d) = doc.take() {
                                d.note = (!notes.is_empty()).then(|| notes.join("; "));
                                self.documents.entry(identity).or_default().push(d);
                            }
                        }
                        _ => {}
                    }
                }
                Ev::Eof => return Err(x.error("unexpected end of file in <IDRegDocuments>")),
            }
        }
    }

    fn parties<R: BufRead>(&mut self, x: &mut XmlPull<R>) -> Result<(), ListError> {
        let depth = x.depth();
        loop {
            match x.next()? {
                Ev::Start if x.name == b"DistinctParty" => {
                    let fixed = req(x, "FixedRef")?;
                    let e = self.party(x, fixed)?;
                    self.entities.push(e);
                }
                Ev::Start => x.skip_element()?,
                Ev::End if x.depth() < depth => return Ok(()),
                Ev::End => {}
                Ev::Eof => return Err(x.error("unexpected end of file in <DistinctParties>")),
            }
        }
    }

    fn kind_of(&self, subtype: Option<u32>) -> (EntityKind, Option<String>) {
        let Some(st) = self.refs.get(b"PartySubType", subtype) else {
            return (EntityKind::Organization, None);
        };
        let party_type = self.refs.text(b"PartyType", st.attr(b"PartyTypeID").and_then(|v| v.parse().ok())).unwrap_or("");
        match (party_type, st.text.as_str()) {
            ("Individual", _) => (EntityKind::Person, None),
            (_, "Vessel") => (EntityKind::Vessel, None),
            (_, "Aircraft") => (EntityKind::Aircraft, None),
            ("Entity", _) => (EntityKind::Organization, None),
            (other, _) => (EntityKind::Organization, Some(other.to_string())),
        }
    }

    /// One `<DistinctParty>`.
    fn party<R: BufRead>(&mut self, x: &mut XmlPull<R>, fixed: u32) -> Result<Entity, ListError> {
        let depth = x.depth();
        let mut e = Entity::new(format!("ofac:{fixed}"), EntityKind::Organization);
        // Per identity: its aliases' documented names (parts with group ids), and the group → type map.
        struct RawName {
            kind: AliasKind,
            quality: NameQuality,
            script: Option<Script>,
            parts: Vec<(u32, String)>,
            non_primary_identity: bool,
        }
        let mut names: Vec<RawName> = Vec::new();
        let mut group_types: HashMap<u32, NamePartKind> = HashMap::new();
        let mut alias: Option<(AliasKind, NameQuality, bool)> = None;
        let mut identity_primary = true;
        let mut cur_group = 0u32;
        let mut cur_script: Option<Script> = None;
        // Feature state.
        let mut feature: Option<String> = None;
        let mut detail_text: Option<String> = None;
        let mut detail_ref: Option<String> = None;
        let mut location: Option<u32> = None;
        let mut fperiod: Option<Period> = None;
        let mut comment: Option<String> = None;
        let mut in_feature_version = false;
        loop {
            match x.next()? {
                Ev::Start => match x.name.as_slice() {
                    b"Profile" => {
                        let id = req(x, "ID")?;
                        self.by_profile.insert(id, self.entities.len());
                        let (kind, other) = self.kind_of(num(x, b"PartySubTypeID"));
                        e.kind = kind;
                        if let Some(o) = other {
                            e.add_extra("ofac:Party Type", o);
                        }
                        if id != fixed {
                            e.add_extra("ofac:Profile ID", id.to_string());
                        }
                    }
                    b"Identity" => {
                        identity_primary = x.attr(b"Primary") != Some("false");
                        let id = req(x, "ID")?;
                        if let Some(docs) = self.documents.remove(&id) {
                            e.documents.extend(docs);
                        }
                        if x.attr(b"False") == Some("true") {
                            e.add_extra("ofac:False Identity", id.to_string());
                        }
                    }
                    b"Alias" => {
                        let primary = x.attr(b"Primary") == Some("true");
                        let kind = if primary {
                            AliasKind::Primary
                        } else {
                            match self.refs.text(b"AliasType", num(x, b"AliasTypeID")).unwrap_or("") {
                                "F.K.A." => AliasKind::Fka,
                                "N.K.A." => AliasKind::Nka,
                                _ => AliasKind::Aka,
                            }
                        };
                        let quality = if x.attr(b"LowQuality") == Some("true") {
                            NameQuality::Weak
                        } else {
                            NameQuality::Strong
                        };
                        alias = Some((kind, quality, primary));
                    }
                    b"DocumentedName" => {
                        if let Some((kind, quality, _)) = alias {
                            names.push(RawName {
                                kind,
                                quality,
                                script: None,
                                parts: Vec::new(),
                                non_primary_identity: !identity_primary,
                            });
                        }
                    }
                    b"NamePartValue" => {
                        cur_group = num(x, b"NamePartGroupID").unwrap_or(0);
                        cur_script = self
                            .refs
                            .get(b"Script", num(x, b"ScriptID"))
                            .map(|s| Script::from_iso15924(s.attr(b"ScriptCode").unwrap_or("")));
                    }
                    b"NamePartGroup" => {
                        let gid = req(x, "ID")?;
                        let t = self.refs.text(b"NamePartType", num(x, b"NamePartTypeID")).unwrap_or("");
                        group_types.insert(gid, part_kind(t));
                    }
                    b"Feature" => {
                        feature = self.refs.text(b"FeatureType", num(x, b"FeatureTypeID")).map(str::to_string);
                    }
                    b"FeatureVersion" => {
                        in_feature_version = true;
                        detail_text = None;
                        detail_ref = None;
                        location = None;
                        fperiod = None;
                        comment = None;
                    }
                    b"VersionDetail" => {
                        detail_ref = self.refs.text(b"DetailReference", num(x, b"DetailReferenceID")).map(str::to_string);
                    }
                    b"VersionLocation" => location = num(x, b"LocationID"),
                    b"DatePeriod" => fperiod = Some(period(x)?),
                    _ => {}
                },
                Ev::End if x.depth() < depth => break,
                Ev::End => {
                    let t = x.text.trim();
                    match x.name.as_slice() {
                        b"NamePartValue" => {
                            if let Some(n) = names.last_mut() {
                                if n.script.is_none() {
                                    n.script = cur_script;
                                }
                                n.parts.push((cur_group, t.to_string()));
                            }
                        }
                        b"Alias" => alias = None,
                        b"VersionDetail" if !t.is_empty() => detail_text = Some(t.to_string()),
                        b"Comment" if in_feature_version && !t.is_empty() => comment = Some(t.to_string()),
                        b"Comment" if x.depth() == depth && !t.is_empty() => e.remarks.push(t.to_string()),
                        b"FeatureVersion" => {
                            in_feature_version = false;
                            let value = FeatureValue {
                                text: detail_text.take(),
                                reference: detail_ref.take(),
                                location: location.take(),
                                period: fperiod.take(),
                                comment: comment.take(),
                            };
                            self.feature(&mut e, feature.as_deref().unwrap_or("Unknown feature"), value);
                        }
                        _ => {}
                    }
                }
                Ev::Eof => return Err(x.error("unexpected end of file in <DistinctParty>")),
            }
        }
        for raw in names {
            let parts: Vec<NamePart> = raw
                .parts
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(g, v)| NamePart {
                    kind: group_types.get(g).copied().unwrap_or(NamePartKind::Whole),
                    value: v.clone(),
                })
                .collect();
            let full = parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(" ");
            if full.is_empty() {
                continue;
            }
            let mut n = Name::new(full, raw.kind, raw.quality);
            // The file's script label wins over detection, unless it names no script we know.
            if let Some(s) = raw.script.filter(|s| *s != Script::Other) {
                n.script = s;
            }
            if n.kind == AliasKind::Primary && n.script != Script::Latin {
                n.kind = AliasKind::Original;
            }
            if raw.quality == NameQuality::Weak {
                n.quality_label = Some("weak".into());
            }
            if raw.non_primary_identity {
                n.note = Some("non-primary identity".into());
            }
            if parts.len() > 1 || parts.first().is_some_and(|p| p.kind != NamePartKind::Whole) {
                n.parts = parts;
            }
            e.names.push(n);
        }
        // Primary Latin name first, whatever order the file lists aliases in.
        e.names.sort_by_key(|n| n.kind != AliasKind::Primary);
        Ok(e)
    }

    fn feature(&self, e: &mut Entity, name: &str, v: FeatureValue) {
        let loc = v.location.and_then(|id| self.locations.get(&id));
        let text = v.text.clone().or_else(|| v.reference.clone());
        match name {
            "Birthdate" => match v.period.and_then(Period::to_dob) {
                Some(mut d) => {
                    d.note = v.comment;
                    e.birth_dates.push(d);
                }
                None => e.add_extra("ofac:Birthdate", text.unwrap_or_default()),
            },
            "Place of Birth" => {
                if let Some(t) = text {
                    let mut a = Address {
                        full: Some(t.clone()),
                        ..Address::default()
                    };
                    // "Pyongyang, Korea, North": the last comma-separated parts may be a country.
                    a.country = country_suffix(&t);
                    e.birth_places.push(a);
                }
            }
            "Nationality Country" | "Citizenship Country" => {
                let c = loc.and_then(|a| a.country.clone()).or_else(|| text.as_deref().map(Country::from_name));
                if let Some(c) = c {
                    if name.starts_with("Nationality") {
                        e.nationalities.push(c);
                    } else {
                        e.citizenships.push(c);
                    }
                }
            }
            "Gender" => match text.as_deref().and_then(Gender::parse) {
                Some(g) => e.gender = Some(g),
                None => e.add_extra("ofac:Gender", text.unwrap_or_default()),
            },
            "Title" => e.titles.extend(text),
            "Location" => {
                if let Some(a) = loc {
                    if !a.is_empty() {
                        e.addresses.push(a.clone());
                    }
                }
            }
            "Website" => e.websites.extend(text),
            "Email Address" => e.emails.extend(text),
            "Phone Number" => e.phones.extend(text),
            n if n.starts_with("Digital Currency Address - ") => {
                if let Some(address) = text {
                    e.wallets.push(Wallet {
                        currency: n["Digital Currency Address - ".len()..].trim().to_string(),
                        address,
                    });
                }
            }
            other => {
                let value = text
                    .or_else(|| v.period.and_then(Period::text))
                    .or_else(|| loc.map(|a| a.one_line()))
                    .unwrap_or_default();
                let value = match v.comment {
                    Some(c) if value.is_empty() => c,
                    Some(c) => format!("{value} ({c})"),
                    None => value,
                };
                e.add_extra(format!("ofac:{}", other.trim_end_matches([':', ' ', '-'])), value);
            }
        }
    }

    fn relationships<R: BufRead>(&mut self, x: &mut XmlPull<R>) -> Result<(), ListError> {
        let depth = x.depth();
        let mut pending: Option<(u32, Relation)> = None;
        loop {
            match x.next()? {
                Ev::Start if x.name == b"ProfileRelationship" => {
                    let from = req(x, "From-ProfileID")?;
                    let to = req(x, "To-ProfileID")?;
                    let kind = self.refs.text(b"RelationType", num(x, b"RelationTypeID")).unwrap_or("Related to").to_string();
                    let target = self
                        .by_profile
                        .get(&to)
                        .map(|&i| self.entities[i].id.clone())
                        .unwrap_or_else(|| format!("ofac:{to}"));
                    let mut note = Vec::new();
                    if x.attr(b"Former") == Some("true") {
                        note.push("former".to_string());
                    }
                    if let Some(q) = self.refs.text(b"RelationQuality", num(x, b"RelationQualityID")).filter(|q| *q != "Unknown") {
                        note.push(format!("quality: {q}"));
                    }
                    let rel = Relation {
                        kind,
                        target: Some(target),
                        target_name: None,
                        id: None,
                        note: (!note.is_empty()).then(|| note.join("; ")),
                    };
                    pending = Some((from, rel));
                }
                Ev::Start => {}
                Ev::End if x.depth() < depth => return Ok(()),
                Ev::End if x.name == b"Comment" && !x.text.trim().is_empty() => {
                    if let Some((_, r)) = pending.as_mut() {
                        let c = x.text.trim().to_string();
                        r.note = Some(match r.note.take() {
                            Some(n) => format!("{n}; {c}"),
                            None => c,
                        });
                    }
                }
                Ev::End if x.name == b"ProfileRelationship" => {
                    if let Some((from, rel)) = pending.take() {
                        match self.by_profile.get(&from) {
                            Some(&i) => self.entities[i].relations.push(rel),
                            None => {
                                return Err(x.field_error(
                                    "ProfileRelationship/@From-ProfileID",
                                    format!("profile {from} is not defined in <DistinctParties>"),
                                ))
                            }
                        }
                    }
                }
                Ev::End => {}
                Ev::Eof => return Err(x.error("unexpected end of file in <ProfileRelationships>")),
            }
        }
    }

    fn sanctions_entries<R: BufRead>(&mut self, x: &mut XmlPull<R>) -> Result<(), ListError> {
        let depth = x.depth();
        let mut target: Option<usize> = None;
        let mut measure_type: Option<String> = None;
        let mut in_event = false;
        loop {
            match x.next()? {
                Ev::Start => match x.name.as_slice() {
                    b"SanctionsEntry" => {
                        let pid = req(x, "ProfileID")?;
                        target = self.by_profile.get(&pid).copied();
                        if target.is_none() {
                            return Err(x.field_error("SanctionsEntry/@ProfileID", format!("profile {pid} is not defined in <DistinctParties>")));
                        }
                        let i = target.unwrap_or_default();
                        if let Some(list) = self.refs.text(b"List", num(x, b"ListID")).map(str::to_string) {
                            let e = &mut self.entities[i];
                            if !e.extra.get("ofac:List").is_some_and(|v| v.contains(&list)) {
                                e.add_extra("ofac:List", list);
                            }
                        }
                    }
                    b"EntryEvent" => {
                        in_event = true;
                        if let (Some(i), Some(lb)) = (target, self.refs.text(b"LegalBasis", num(x, b"LegalBasisID")).filter(|l| *l != "Unknown")) {
                            let lb = lb.to_string();
                            self.entities[i].add_extra("ofac:Legal Basis", lb);
                        }
                    }
                    b"Date" if in_event => {
                        let d = date(x)?;
                        if let (Some(i), Some(d)) = (target, d) {
                            let e = &mut self.entities[i];
                            e.listed_on = Some(e.listed_on.map_or(d, |old| old.min(d)));
                        }
                    }
                    b"SanctionsMeasure" => {
                        measure_type = self.refs.text(b"SanctionsType", num(x, b"SanctionsTypeID")).map(str::to_string);
                    }
                    b"DatePeriod" => {
                        period(x)?;
                    }
                    _ => {}
                },
                Ev::End if x.depth() < depth => return Ok(()),
                Ev::End => match x.name.as_slice() {
                    b"EntryEvent" => in_event = false,
                    b"Comment" => {
                        let t = x.text.trim();
                        if let (Some(i), Some(mt), false) = (target, measure_type.as_deref(), t.is_empty()) {
                            if mt == "Program" {
                                self.entities[i].add_program(t);
                            } else {
                                let v = format!("{mt}: {t}");
                                self.entities[i].add_extra("ofac:Sanctions Measure", v);
                            }
                        }
                    }
                    b"SanctionsMeasure" => {
                        // A measure without a comment (e.g. "Block") is still a fact about the listing.
                        if let (Some(i), Some(mt)) = (target, measure_type.take()) {
                            if mt != "Program" {
                                let e = &mut self.entities[i];
                                if !e.extra.get("ofac:Sanctions Type").is_some_and(|v| v.contains(&mt)) {
                                    e.add_extra("ofac:Sanctions Type", mt);
                                }
                            }
                        }
                    }
                    _ => {}
                },
                Ev::Eof => return Err(x.error("unexpected end of file in <SanctionsEntries>")),
            }
        }
    }
}

struct FeatureValue {
    text: Option<String>,
    reference: Option<String>,
    location: Option<u32>,
    period: Option<Period>,
    comment: Option<String>,
}

fn part_kind(t: &str) -> NamePartKind {
    match t {
        "Last Name" => NamePartKind::Family,
        "First Name" => NamePartKind::Given,
        "Middle Name" => NamePartKind::Middle,
        "Maiden Name" => NamePartKind::Maiden,
        "Patronymic" => NamePartKind::Patronymic,
        "Matronymic" => NamePartKind::Matronymic,
        "Nickname" => NamePartKind::Nickname,
        _ => NamePartKind::Whole,
    }
}

/// The country at the end of a free-text place ("Pyongyang, Korea, North" → KP).
pub(crate) fn country_suffix(text: &str) -> Option<Country> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    for k in (1..=parts.len().min(3)).rev() {
        let tail = parts[parts.len() - k..].join(", ");
        let c = Country::from_name(&tail);
        if c.code.is_some() {
            return Some(c);
        }
    }
    None
}
