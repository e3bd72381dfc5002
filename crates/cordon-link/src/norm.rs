//! Normalising identifiers so that the same value written two ways compares equal.

/// An email: lower-cased; for Gmail, dots and `+tags` in the local part are dropped (Gmail
/// ignores them, and operators use them to mint "new" addresses).
pub fn email(s: &str) -> Option<String> {
    let s = s.trim().to_lowercase();
    let (local, domain) = s.split_once('@')?;
    if local.is_empty() || !domain.contains('.') {
        return None;
    }
    let domain = if domain == "googlemail.com" { "gmail.com" } else { domain };
    let local = local.split('+').next().unwrap_or(local);
    let local = if domain == "gmail.com" { local.replace('.', "") } else { local.to_string() };
    Some(format!("{local}@{domain}"))
}

/// A phone number as E.164 digits: `+` and the digits; `00` international prefix read as `+`.
/// Numbers without a country code keep their digits (compared as written).
pub fn phone(s: &str) -> Option<String> {
    let t = s.trim();
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 6 {
        return None;
    }
    if t.starts_with('+') {
        Some(format!("+{digits}"))
    } else if let Some(rest) = digits.strip_prefix("00") {
        Some(format!("+{rest}"))
    } else {
        Some(digits)
    }
}

/// A bank or payment account: upper-case, separators removed (IBANs, account numbers,
/// PayPal-style handles lower-cased when they hold an `@`).
pub fn account(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if t.contains('@') {
        return email(t);
    }
    let v: String = t.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
    (v.len() >= 4).then_some(v)
}

/// A postal address: lower-cased, punctuation removed, common words abbreviated, so
/// "123 Main Street, Apt. 4" = "123 main st apt 4".
pub fn postal(s: &str) -> Option<String> {
    let lower = s.to_lowercase();
    let words: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            match w {
                "street" => "st",
                "avenue" => "ave",
                "road" => "rd",
                "boulevard" => "blvd",
                "drive" => "dr",
                "lane" => "ln",
                "apartment" | "apt" | "unit" | "no" | "number" => "apt",
                "suite" => "ste",
                "north" => "n",
                "south" => "s",
                "east" => "e",
                "west" => "w",
                other => other,
            }
            .to_string()
        })
        .collect();
    (words.len() >= 2).then(|| words.join(" "))
}

/// A GitHub (or other code host) handle: lower-cased, URL prefix removed.
pub fn handle(s: &str) -> Option<String> {
    let t = s.trim().trim_end_matches('/').to_lowercase();
    let t = t.trim_start_matches("https://").trim_start_matches("http://").trim_start_matches("www.");
    let t = t.strip_prefix("github.com/").unwrap_or(t);
    let t = t.trim_start_matches('@');
    (!t.is_empty()).then(|| t.to_string())
}

/// A 64-bit perceptual hash in hex.
pub fn photo(s: &str) -> Option<u64> {
    let t = s.trim().trim_start_matches("0x");
    u64::from_str_radix(t, 16).ok()
}

/// A device id or IP: trimmed, lower-cased.
pub fn plain(s: &str) -> Option<String> {
    let t = s.trim().to_lowercase();
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_values_written_differently() {
        assert_eq!(email("John.Smith+jobs@GMail.com"), email("johnsmith@gmail.com"));
        assert_ne!(email("john.smith@corp.com"), email("johnsmith@corp.com"));
        assert_eq!(phone("+1 (555) 010-9999"), phone("001 555 010 9999"));
        assert_eq!(account("DE89 3704 0044 0532 0130 00"), account("de89370400440532013000"));
        assert_eq!(postal("123 Main Street, Apt. 4"), postal("123 MAIN ST APT 4"));
        assert_eq!(handle("https://github.com/JP-Smart/"), Some("jp-smart".into()));
        assert_eq!(photo("ffd8a1b2c3d4e5f6"), Some(0xffd8_a1b2_c3d4_e5f6));
    }
}
