use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Country, Dob, PartialDate, Script};

/// What kind of party a listing is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A natural person (UN INDIVIDUAL, OFAC Individual).
    Person,
    /// A company, group, government body or other organisation (UN ENTITY, OFAC Entity).
    Organization,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
    /// A listing that is only a crypto wallet (FtM `CryptoWallet` without a holder).
    Wallet,
}

impl EntityKind {
    /// Lower-case name, as used in JSON and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Vessel => "vessel",
            EntityKind::Aircraft => "aircraft",
            EntityKind::Wallet => "wallet",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a name relates to the entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AliasKind {
    /// The primary (listed) name.
    Primary,
    /// "also known as".
    Aka,
    /// "formerly known as".
    Fka,
    /// "now known as".
    Nka,
    /// The name in its original script (UN `NAME_ORIGINAL_SCRIPT`, OFAC non-Latin
    /// documented names of the primary alias).
    Original,
}

/// How much a source trusts a name for screening.
///
/// OFAC marks weak aliases (`LowQuality="true"`, the `weak` category of `sdn.xml`, the quoted
/// a.k.a.s in CSV remarks); the UN marks aliases `Good` or `Low`. Both map here, and the
/// source's own word is kept in [`Name::quality_label`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameQuality {
    /// A strong alias (OFAC strong, UN "Good"), or a primary name.
    Strong,
    /// A weak alias (OFAC weak/low quality, UN "Low"): screen with care, it alone does not
    /// identify.
    Weak,
    /// The source says nothing.
    Unspecified,
}

/// The role of one part of a structured name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamePartKind {
    /// Given (first) name.
    Given,
    /// Family (last) name.
    Family,
    /// Middle name.
    Middle,
    /// Patronymic.
    Patronymic,
    /// Matronymic.
    Matronymic,
    /// Maiden name.
    Maiden,
    /// Nickname.
    Nickname,
    /// Whole name of an organisation, vessel or aircraft.
    Whole,
    /// UN `FIRST_NAME`: the UN does not say whether it is a given or family name (for Korean
    /// entries it is the family name).
    UnFirst,
    /// UN `SECOND_NAME`.
    UnSecond,
    /// UN `THIRD_NAME`.
    UnThird,
    /// UN `FOURTH_NAME`.
    UnFourth,
}

/// One part of a structured name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamePart {
    /// Role of the part.
    pub kind: NamePartKind,
    /// Text as the source gives it.
    pub value: String,
}

/// A name or alias of an entity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Name {
    /// The whole name as the source writes it ("KIM, Jong Un", "RA KY'ONG-SU").
    pub full: String,
    /// Primary name or kind of alias.
    pub kind: AliasKind,
    /// Screening quality.
    pub quality: NameQuality,
    /// The source's own quality label ("Good", "Low", "strong", "weak"), kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_label: Option<String>,
    /// Writing system.
    pub script: Script,
    /// Structured parts, where the source gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<NamePart>,
    /// Free text attached to the alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Name {
    /// A name with the script detected from its text and no parts.
    pub fn new(full: impl Into<String>, kind: AliasKind, quality: NameQuality) -> Name {
        let full = full.into();
        let script = Script::detect(&full);
        Name {
            full,
            kind,
            quality,
            quality_label: None,
            script,
            parts: Vec::new(),
            note: None,
        }
    }
}

/// An identification document or registration number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// Document type as the source names it ("Passport", "National Identification Number",
    /// "Tax ID No.").
    pub kind: String,
    /// The number as written.
    pub number: String,
    /// Issuing country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Issue date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<PartialDate>,
    /// Expiry date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<PartialDate>,
    /// The source marks the document fraudulent or otherwise annotates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Identifier {
    /// True for passports (incl. diplomatic, service passports), whatever the language
    /// ("Numéro de passeport", "Número de pasaporte").
    pub fn is_passport(&self) -> bool {
        let k = self.kind.to_lowercase();
        k.contains("passport") || k.contains("passeport") || k.contains("pasaporte")
    }
}

/// A postal address, as structured as the source gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// The address as one text, when the source gives it unstructured ("Foca,
    /// Bosnia-Herzegovina").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    /// Street lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State, province or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Free text ("as of early 2016").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Address {
    /// True when the address says nothing.
    pub fn is_empty(&self) -> bool {
        *self == Address::default()
    }

    /// One-line rendering, most specific part first.
    pub fn one_line(&self) -> String {
        let country = self.country.as_ref().map(|c| c.name.clone());
        [&self.full, &self.street, &self.city, &self.region, &self.postal_code, &country]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A crypto-currency address a listing names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Wallet {
    /// Currency code as OFAC writes it: XBT, ETH, USDT, XMR, TRX, …
    pub currency: String,
    /// The address exactly as listed (case is significant for base58 and bech32m).
    pub address: String,
}

impl fmt::Display for Wallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.address)
    }
}

/// A link from this entity to another party (OFAC ProfileRelationships, "Linked To:" remarks,
/// FtM Ownership/Directorship/Family…).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Relation {
    /// Relationship type as the source names it ("Associate Of", "Linked To", "Ownership").
    pub kind: String,
    /// Id of the other entity when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Name of the other party when the source gives only a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    /// The source's own id of the relationship record (FtM), so exports keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Role or free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Gender as lists give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Gender {
    /// Parses "Male"/"Female"/"m"/"f" in any case.
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim().to_ascii_lowercase().as_str() {
            "male" | "m" => Some(Gender::Male),
            "female" | "f" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// One listed party, as one list version publishes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id: `un:KPi.033`, `ofac:20157`, or an FtM id.
    pub id: String,
    /// Person, organisation, vessel, aircraft or wallet.
    pub kind: EntityKind,
    /// Primary name first, then aliases in source order.
    pub names: Vec<Name>,
    /// Dates of birth (or registration/build dates for non-persons, in `extra`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<Dob>,
    /// Places of birth, as text with a country when one is recognisable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_places: Vec<Address>,
    /// Nationalities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<Country>,
    /// Citizenships.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citizenships: Vec<Country>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Titles ("Chairman of the Workers' Party of Korea", "Colonel").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<String>,
    /// Positions or designations (UN `DESIGNATION`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<String>,
    /// Identification documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Identifier>,
    /// Addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Crypto wallets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wallets: Vec<Wallet>,
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Websites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// Sanctions programs (OFAC `DPRK3`, `CYBER2`; UN list type `DPRK`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// Date of listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<PartialDate>,
    /// Links to other parties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Free-text remarks and comments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<String>,
    /// Everything else the source states, under source-specific keys (`ofac:Vessel Call Sign`,
    /// `un:LAST_DAY_UPDATED`, `ftm:topics`), values verbatim.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

impl Entity {
    /// An entity with an id and kind and nothing else yet.
    pub fn new(id: impl Into<String>, kind: EntityKind) -> Entity {
        Entity {
            id: id.into(),
            kind,
            names: Vec::new(),
            birth_dates: Vec::new(),
            birth_places: Vec::new(),
            nationalities: Vec::new(),
            citizenships: Vec::new(),
            gender: None,
            titles: Vec::new(),
            positions: Vec::new(),
            documents: Vec::new(),
            addresses: Vec::new(),
            wallets: Vec::new(),
            emails: Vec::new(),
            websites: Vec::new(),
            phones: Vec::new(),
            programs: Vec::new(),
            listed_on: None,
            relations: Vec::new(),
            remarks: Vec::new(),
            extra: BTreeMap::new(),
        }
    }

    /// The name to show: the primary name, else the first name, else the id.
    pub fn caption(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == AliasKind::Primary)
            .or(self.names.first())
            .map(|n| n.full.as_str())
            .unwrap_or(&self.id)
    }

    /// Adds a value under an `extra` key.
    pub fn add_extra(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.extra.entry(key.into()).or_default().push(value.into());
    }

    /// Adds a program unless already present (sources repeat programs across measures).
    pub fn add_program(&mut self, program: &str) {
        let p = program.trim();
        if !p.is_empty() && !self.programs.iter().any(|x| x == p) {
            self.programs.push(p.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caption_prefers_primary() {
        let mut e = Entity::new("ofac:1", EntityKind::Person);
        assert_eq!(e.caption(), "ofac:1");
        e.names.push(Name::new("X", AliasKind::Aka, NameQuality::Weak));
        e.names.push(Name::new("KIM, Jong Un", AliasKind::Primary, NameQuality::Strong));
        assert_eq!(e.caption(), "KIM, Jong Un");
    }

    #[test]
    fn json_is_compact_and_round_trips() {
        let mut e = Entity::new("un:KPi.001", EntityKind::Person);
        e.names.push(Name::new("김정은", AliasKind::Original, NameQuality::Unspecified));
        e.wallets.push(Wallet {
            currency: "ETH".into(),
            address: "0xAbC".into(),
        });
        let j = serde_json::to_string(&e).unwrap();
        assert!(j.contains(r#""script":"Hang""#), "{j}");
        assert!(!j.contains("birth_dates"), "empty fields are omitted: {j}");
        assert_eq!(serde_json::from_str::<Entity>(&j).unwrap(), e);
    }
}
