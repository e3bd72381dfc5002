//! English given names and their nicknames (Theodore / Ted, Benjamin / Ben, Margaret / Peggy),
//! for matching a person listed under the formal name with one who signs with the short one.
//!
//! The table is `data/nicknames.txt`, generated once by `gen/nicknames.py` from the PyPI
//! package `nicknames` (a hand-curated list, 2,600 pairs). It is parsed on first use.

use crate::fnv::FnvMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("../data/nicknames.txt");

struct Table {
    /// Formal name → its nicknames.
    nicks: FnvMap<&'static str, Vec<&'static str>>,
    /// Nickname → the formal names it shortens.
    formals: FnvMap<&'static str, Vec<&'static str>>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut nicks: FnvMap<&str, Vec<&str>> = FnvMap::default();
        let mut formals: FnvMap<&str, Vec<&str>> = FnvMap::default();
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let mut words = line.split(' ').filter(|w| !w.is_empty());
            let Some(formal) = words.next() else { continue };
            for n in words {
                nicks.entry(formal).or_default().push(n);
                formals.entry(n).or_default().push(formal);
            }
        }
        Table { nicks, formals }
    })
}

/// True when one name is a nickname of the other (`ted` / `theodore`), or both are nicknames
/// of one formal name that start alike (`ben` / `benny`). Two nicknames of one name that do not
/// start alike are not related: `ron` and `erin` both shorten Aaron in the table, and are
/// different people. Input is folded lower-case ASCII.
pub fn related(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let t = table();
    let direct = |x: &str, y: &str| t.nicks.get(x).is_some_and(|v| v.contains(&y));
    if direct(a, b) || direct(b, a) {
        return true;
    }
    if a.get(..2).is_none() || a.get(..2) != b.get(..2) {
        return false;
    }
    match (t.formals.get(a), t.formals.get(b)) {
        (Some(x), Some(y)) => y.iter().any(|f| x.contains(f)),
        _ => false,
    }
}

/// The names directly related to `a` in the table: its nicknames when it is a formal name, the
/// formal names it shortens when it is a nickname (`william` → `bill`, `will`, …; `bill` →
/// `william`). Each of them is [`related`] to `a`. Input is folded lower-case ASCII.
pub fn variants(a: &str) -> impl Iterator<Item = &'static str> {
    let t = table();
    let nicks = t.nicks.get(a).into_iter().flatten();
    let formals = t.formals.get(a).into_iter().flatten();
    nicks.chain(formals).copied()
}

/// The formal names `a` is or shortens: itself, and the formal names of the table it is a
/// nickname of. Two [`related`] names always have one in common.
pub fn formals(a: &str) -> impl Iterator<Item = &str> {
    let t = table();
    std::iter::once(a).chain(t.formals.get(a).into_iter().flatten().copied())
}

/// True when the name is in the table, formal or nickname.
pub fn is_known(a: &str) -> bool {
    let t = table();
    t.nicks.contains_key(a) || t.formals.contains_key(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs() {
        assert!(related("ted", "theodore"));
        assert!(related("theodore", "ted"));
        assert!(related("ben", "benjamin"));
        assert!(related("ben", "benny"));
        assert!(!related("ron", "erin"));
        assert!(!related("ted", "ted"));
        assert!(!related("john", "mohammed"));
        assert!(is_known("peggy"));
        assert!(variants("william").any(|v| v == "bill"));
        assert!(variants("bill").any(|v| v == "william"));
        for name in ["william", "peggy", "bob", "theodore"] {
            assert!(variants(name).all(|v| related(name, v)), "{name}");
        }
        assert_eq!(variants("mohammed").count(), 0);
    }

    /// Every related pair of the table shares a formal name: what lets a matcher rule out
    /// unrelated pairs by their formal names alone.
    #[test]
    fn related_names_share_a_formal_name() {
        let t = table();
        let names: Vec<&str> = t.nicks.keys().chain(t.formals.keys()).copied().collect();
        let mut pairs = 0;
        for a in &names {
            for b in variants(a).chain(t.formals.get(a).into_iter().flatten().flat_map(|f| variants(f))) {
                if related(a, b) {
                    pairs += 1;
                    assert!(formals(a).any(|f| formals(b).any(|g| g == f)), "{a} / {b}");
                }
            }
        }
        assert!(pairs > 2000, "{pairs}");
        assert!(formals("ted").any(|f| f == "theodore"));
    }
}
