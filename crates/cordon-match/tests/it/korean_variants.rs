//! Cordon's own Korean variant set: names generated from Hangul through the MR and RR tables
//! (and the Cyrillic table), plus hand-checked spellings from `tests/data/korean_variants.tsv`.

use cordon_match::{analyze, compare_names, DEFAULT_THRESHOLD};
use cordon_text::{cyrillic, hangul};

fn score(a: &str, b: &str) -> f64 {
    compare_names(&analyze(a, false), &analyze(b, false), &|_| 1.0).score
}

fn names() -> Vec<&'static str> {
    include_str!("../data/korean_names.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect()
}

/// Spellings of a Hangul name generated from the tables.
fn generated(hangul_name: &str) -> Vec<String> {
    let (family, given) = hangul::split_family_name(hangul_name);
    let cap = |s: &str| {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    };
    let fam_mr: String = hangul::romanize_mr(family).split(' ').collect();
    let fam_rr: String = hangul::romanize_rr(family).split(' ').collect();
    let giv_mr: Vec<String> = given.chars().filter_map(|c| hangul::syllable_mr(c, false)).collect();
    let giv_rr: Vec<String> = given.chars().filter_map(hangul::syllable_rr).collect();
    let giv_cyr: Vec<String> = given
        .chars()
        .map(|c| cyrillic::syllable_spellings(c).into_iter().next().unwrap_or_default())
        .collect();
    let fam_cyr: String = family
        .chars()
        .map(|c| cyrillic::syllable_spellings(c).into_iter().next().unwrap_or_default())
        .collect();
    let hyph = |v: &[String]| cap(&v.join("-").to_lowercase());
    vec![
        // UN/OFAC style: FAMILY GIVEN-NAME, upper case.
        format!("{} {}", fam_mr.to_uppercase(), giv_mr.join("-").to_uppercase()),
        // MR, syllables spaced.
        format!("{} {}", cap(&fam_mr), giv_mr.iter().map(|s| cap(s)).collect::<Vec<_>>().join(" ")),
        // RR with a hyphen, and joined; family name last.
        format!("{} {}", cap(&fam_rr), hyph(&giv_rr)),
        format!("{} {}", cap(&giv_rr.concat()), cap(&fam_rr)),
        // Comma order.
        format!("{}, {}", fam_mr.to_uppercase(), hyph(&giv_mr)),
        // Cyrillic.
        format!("{} {}", cap(&fam_cyr), giv_cyr.iter().map(|s| cap(s)).collect::<Vec<_>>().join(" ")),
    ]
}

#[test]
fn generated_variants_match_their_hangul() {
    let mut failures = Vec::new();
    let mut n = 0;
    for h in names() {
        for v in generated(h) {
            n += 1;
            let s = score(h, &v);
            if s < DEFAULT_THRESHOLD {
                failures.push(format!("{h} / {v}: {s:.2}"));
            }
        }
    }
    println!("generated Korean variants: {}/{n} match", n - failures.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn one_different_syllable_is_another_person() {
    let mut failures = Vec::new();
    let mut n = 0;
    for h in names() {
        let (family, given) = hangul::split_family_name(h);
        if given.is_empty() {
            continue;
        }
        // Replace the last given syllable by another common one (일 or 수).
        let last = given.chars().last().unwrap();
        let other = if last == '일' { '수' } else { '일' };
        let changed: String = family.chars().chain(given.chars().take(given.chars().count() - 1)).chain([other]).collect();
        for v in generated(&changed) {
            n += 1;
            let s = score(h, &v);
            if s >= DEFAULT_THRESHOLD {
                failures.push(format!("{h} / {v}: {s:.2}"));
            }
        }
    }
    println!("one-syllable changes rejected: {}/{n}", n - failures.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn hand_checked_spellings() {
    let mut failures = Vec::new();
    let rows: Vec<Vec<&str>> = include_str!("../data/korean_variants.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    for r in &rows {
        let (h, v, expect) = (r[0], r[1], r[2] == "match");
        let s = score(h, v);
        if (s >= DEFAULT_THRESHOLD) != expect {
            failures.push(format!("{h} / {v}: {s:.2}, expected {}", r[2]));
        }
    }
    println!("hand-checked Korean spellings: {}/{} as expected", rows.len() - failures.len(), rows.len());
    assert!(failures.is_empty(), "{failures:#?}");
}
