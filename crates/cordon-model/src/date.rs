use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date that may be known only to the year or the month, as lists give birth dates
/// ("1951", "Jan 1960", "08 Jan 1984").
///
/// Stored and shown as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    /// Year, e.g. 1984.
    pub year: u16,
    /// Month 1–12, when known.
    pub month: Option<u8>,
    /// Day 1–31, when known (only with a month).
    pub day: Option<u8>,
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

impl PartialDate {
    /// A date known to the day. Returns `None` for impossible dates.
    pub fn ymd(year: u16, month: u8, day: u8) -> Option<PartialDate> {
        let d = PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        };
        d.is_valid().then_some(d)
    }

    /// A date known to the year only.
    pub fn year(year: u16) -> PartialDate {
        PartialDate { year, month: None, day: None }
    }

    fn is_valid(&self) -> bool {
        if !(1..=9999).contains(&self.year) {
            return false;
        }
        match (self.month, self.day) {
            (None, None) => true,
            (Some(m), None) => (1..=12).contains(&m),
            (Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in_month(self.year, m),
            (None, Some(_)) => false,
        }
    }

    /// Parses the ISO-like forms `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (a trailing time is ignored).
    pub fn parse(s: &str) -> Option<PartialDate> {
        let s = s.trim();
        let s = s.split(['T', ' ']).next().unwrap_or(s);
        let mut it = s.split('-');
        let year: u16 = parse_digits(it.next()?, 4)?;
        let month = match it.next() {
            Some(m) => Some(parse_digits::<u8>(m, 2)?),
            None => None,
        };
        let day = match it.next() {
            Some(d) => Some(parse_digits::<u8>(d, 2)?),
            None => None,
        };
        if it.next().is_some() {
            return None;
        }
        let d = PartialDate { year, month, day };
        d.is_valid().then_some(d)
    }

    /// Parses the English forms OFAC uses in remarks and in `sdn.xml`: `08 Jan 1984`,
    /// `Jan 1984`, `1984`, and also the ISO forms and `DD/MM/YYYY`.
    pub fn parse_text(s: &str) -> Option<PartialDate> {
        let s = s.trim().trim_end_matches('.');
        if let Some(d) = PartialDate::parse(s) {
            return Some(d);
        }
        let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        let d = match words.as_slice() {
            [d, m, y] => PartialDate {
                year: y.parse().ok()?,
                month: Some(month_of(m)?),
                day: Some(d.parse().ok()?),
            },
            [m, y] => PartialDate {
                year: y.parse().ok()?,
                month: Some(month_of(m)?),
                day: None,
            },
            [one] if one.contains('/') => {
                let p: Vec<&str> = one.split('/').collect();
                match p.as_slice() {
                    [d, m, y] => PartialDate {
                        year: y.parse().ok()?,
                        month: Some(m.parse().ok()?),
                        day: Some(d.parse().ok()?),
                    },
                    [m, y] => PartialDate {
                        year: y.parse().ok()?,
                        month: Some(m.parse().ok()?),
                        day: None,
                    },
                    _ => return None,
                }
            }
            _ => return None,
        };
        d.is_valid().then_some(d)
    }

    /// The first day this date may denote (`1951` → 1951-01-01).
    pub fn earliest(&self) -> (u16, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The last day this date may denote (`1951` → 1951-12-31).
    pub fn latest(&self) -> (u16, u8, u8) {
        let m = self.month.unwrap_or(12);
        (self.year, m, self.day.unwrap_or_else(|| days_in_month(self.year, m)))
    }
}

fn month_of(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| w.starts_with(m)).map(|i| i as u8 + 1)
}

fn parse_digits<T: FromStr>(s: &str, len: usize) -> Option<T> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Days in a month of the proleptic Gregorian calendar.
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PartialDate::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid date {s:?}")))
    }
}

/// What a source says about a date of birth.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DobValue {
    /// One date, known to the day, month or year.
    Date(PartialDate),
    /// Born between two dates, inclusive (UN `BETWEEN`, OFAC "1960 to 1962").
    Range(PartialDate, PartialDate),
}

/// A date of birth as a list states it. A person often has several, each a [`Dob`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dob {
    /// The date or range.
    pub value: DobValue,
    /// The source marks it approximate ("circa", UN `APPROXIMATELY`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
    /// Free text the source attaches ("from false passport").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Dob {
    /// An exact (or year/month-only) date of birth.
    pub fn on(date: PartialDate) -> Dob {
        Dob {
            value: DobValue::Date(date),
            approximate: false,
            note: None,
        }
    }

    /// Parses OFAC's textual forms: `08 Jan 1984`, `1951`, `circa 1951`, `1960 to 1962`,
    /// `Jan 1960`, `between 1960 and 1962`.
    pub fn parse_text(text: &str) -> Option<Dob> {
        let t = text.trim().trim_end_matches('.');
        let lower = t.to_ascii_lowercase();
        let (approximate, rest) = match lower.strip_prefix("circa ").or_else(|| lower.strip_prefix("approximately ")) {
            Some(r) => (true, r.to_string()),
            None => (false, lower.clone()),
        };
        let rest = rest.strip_prefix("between ").unwrap_or(&rest).to_string();
        for sep in [" to ", " and ", " - "] {
            if let Some((a, b)) = rest.split_once(sep) {
                let (a, b) = (PartialDate::parse_text(a)?, PartialDate::parse_text(b)?);
                return Some(Dob {
                    value: DobValue::Range(a, b),
                    approximate,
                    note: None,
                });
            }
        }
        let d = PartialDate::parse_text(&rest)?;
        Some(Dob {
            value: DobValue::Date(d),
            approximate,
            note: None,
        })
    }
}

impl fmt::Display for Dob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.approximate {
            f.write_str("circa ")?;
        }
        match &self.value {
            DobValue::Date(d) => write!(f, "{d}")?,
            DobValue::Range(a, b) => write!(f, "{a} to {b}")?,
        }
        if let Some(n) = &self.note {
            write!(f, " ({n})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates() {
        assert_eq!(PartialDate::parse("1984-01-08"), PartialDate::ymd(1984, 1, 8));
        assert_eq!(PartialDate::parse("1951").unwrap().to_string(), "1951");
        assert_eq!(PartialDate::parse("1951-07").unwrap().to_string(), "1951-07");
        assert!(PartialDate::parse("1951-02-30").is_none());
        assert!(PartialDate::parse("19511").is_none());
        assert_eq!(PartialDate::parse_text("08 Jan 1984"), PartialDate::ymd(1984, 1, 8));
        assert_eq!(PartialDate::parse_text("Sep 1977").unwrap().to_string(), "1977-09");
        assert_eq!(PartialDate::parse_text("24/06/1965"), PartialDate::ymd(1965, 6, 24));
        assert_eq!(PartialDate::parse_text("1972").unwrap().latest(), (1972, 12, 31));
    }

    #[test]
    fn dob_text_forms() {
        let d = Dob::parse_text("circa 1951").unwrap();
        assert!(d.approximate);
        assert_eq!(d.value, DobValue::Date(PartialDate::year(1951)));
        let r = Dob::parse_text("1960 to 1962").unwrap();
        assert_eq!(r.value, DobValue::Range(PartialDate::year(1960), PartialDate::year(1962)));
        assert_eq!(r.to_string(), "1960 to 1962");
        assert!(Dob::parse_text("unknown").is_none());
    }

    #[test]
    fn serde_round_trip() {
        let d = Dob {
            value: DobValue::Range(PartialDate::year(1960), PartialDate::ymd(1962, 3, 1).unwrap()),
            approximate: true,
            note: Some("x".into()),
        };
        let j = serde_json::to_string(&d).unwrap();
        assert_eq!(j, r#"{"value":{"range":["1960","1962-03-01"]},"approximate":true,"note":"x"}"#);
        assert_eq!(serde_json::from_str::<Dob>(&j).unwrap(), d);
    }
}
