//! String similarity measures on token text.

/// Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    // Names are short and mostly ASCII: work on bytes without allocating when possible.
    if a.is_ascii() && b.is_ascii() && a.len() <= 64 && b.len() <= 64 {
        return jaro_winkler_slices(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    jaro_winkler_slices(&a, &b)
}

fn jaro_winkler_slices<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_buf = [false; 64];
    let mut b_buf = [false; 64];
    let (mut a_heap, mut b_heap);
    let (a_match, b_match): (&mut [bool], &mut [bool]) = if a.len() <= 64 && b.len() <= 64 {
        (&mut a_buf[..a.len()], &mut b_buf[..b.len()])
    } else {
        a_heap = vec![false; a.len()];
        b_heap = vec![false; b.len()];
        (&mut a_heap[..], &mut b_heap[..])
    };
    let mut matches = 0usize;
    for i in 0..a.len() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && a[i] == b[j] {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut t = 0usize;
    let mut k = 0usize;
    for i in 0..a.len() {
        if a_match[i] {
            while !b_match[k] {
                k += 1;
            }
            if a[i] != b[k] {
                t += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - t as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b.iter()).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Edit distance in characters, counting a swap of two adjacent letters as one edit (optimal
/// string alignment): `appel` / `apple` is one typo, not two.
pub fn levenshtein(a: &str, b: &str) -> usize {
    if a.is_ascii() && b.is_ascii() && a.len() <= 64 {
        return osa_bits(a.as_bytes(), b.as_bytes());
    }
    if a.is_ascii() && b.is_ascii() && b.len() < 64 {
        // Bytes and three rows on the stack: no allocation for ordinary name tokens.
        return osa(a.as_bytes(), b.as_bytes(), &mut [0usize; 64], &mut [0usize; 64], &mut [0usize; 64]);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let n = b.len() + 1;
    osa(&a, &b, &mut vec![0; n], &mut vec![0; n], &mut vec![0; n])
}

/// [`osa`] of ASCII texts, `a` of at most 64 bytes, with one machine word per column of the
/// table (Hyyrö's bit-vector form of the optimal-string-alignment distance): a few dozen
/// instructions per letter of `b` instead of a pass over `a` for each.
fn osa_bits(a: &[u8], b: &[u8]) -> usize {
    let m = a.len();
    if m == 0 {
        return b.len();
    }
    debug_assert!(m <= 64);
    // Where each letter occurs in `a`, as bits.
    let mut peq = [0u64; 128];
    for (i, &c) in a.iter().enumerate() {
        peq[(c & 0x7f) as usize] |= 1 << i;
    }
    let last = 1u64 << (m - 1);
    // Vertical differences of the current column (+1 in `vp`, −1 in `vn`), the diagonal
    // zero-differences `d0`, and the previous letter's occurrences (for transpositions).
    let (mut vp, mut vn, mut d0, mut pm_prev) = (!0u64, 0u64, 0u64, 0u64);
    let mut dist = m;
    for &c in b {
        let pm = peq[(c & 0x7f) as usize];
        // Swapped neighbours: rows where `a` has this letter one row up and the previous
        // letter of `b` here, and the diagonal step there was not free; the swap costs one.
        let tr = ((!d0 & pm) << 1) & pm_prev;
        d0 = (((pm & vp).wrapping_add(vp)) ^ vp) | pm | vn | tr;
        let hp = vn | !(d0 | vp);
        let hn = d0 & vp;
        if hp & last != 0 {
            dist += 1;
        } else if hn & last != 0 {
            dist -= 1;
        }
        let x = (hp << 1) | 1;
        vn = x & d0;
        vp = (hn << 1) | !(x | d0);
        pm_prev = pm;
    }
    dist
}

fn osa<'r, T: PartialEq>(a: &[T], b: &[T], mut prev2: &'r mut [usize], mut prev: &'r mut [usize], mut cur: &'r mut [usize]) -> usize {
    for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *p = j;
    }
    for i in 0..a.len() {
        cur[0] = i + 1;
        for j in 0..b.len() {
            let mut d = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + usize::from(a[i] != b[j]));
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                d = d.min(prev2[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        // Rotate: the row before last becomes scratch for the next row.
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// 1 − distance / longer length.
pub fn levenshtein_ratio(a: &str, b: &str) -> f64 {
    let n = a.chars().count().max(b.chars().count());
    if n == 0 {
        return 1.0;
    }
    1.0 - levenshtein(a, b) as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("abc", "abc"), 1.0);
        assert_eq!(jaro_winkler("", "x"), 0.0);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("appel", "apple"), 1);
        assert_eq!(levenshtein("ca", "abc"), 3);
        assert_eq!(levenshtein("чен", "чэн"), 1);
        assert_eq!(levenshtein_ratio("", ""), 1.0);
    }

    /// The bit-vector distance is the table's, on every pair of short words over a small
    /// alphabet (where repeats and swaps are common) and on long ones.
    #[test]
    fn bit_vector_osa_is_the_table() {
        let mut words = vec![String::new()];
        for len in 1..=5 {
            let mut next = Vec::new();
            for w in words.iter().filter(|w| w.len() == len - 1) {
                for c in ['a', 'b', 'c'] {
                    next.push(format!("{w}{c}"));
                }
            }
            words.extend(next);
        }
        words.push("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl".into());
        words.push("bacdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijlk".into());
        words.push("mohammed".into());
        words.push("muhammad".into());
        for a in &words {
            for b in &words {
                let (x, y) = (a.as_bytes(), b.as_bytes());
                let n = y.len() + 1;
                let table = osa(x, y, &mut vec![0; n], &mut vec![0; n], &mut vec![0; n]);
                assert_eq!(osa_bits(x, y), table, "{a} {b}");
            }
        }
    }

    #[test]
    fn symmetric_and_bounded() {
        let words = ["kim", "gim", "jongun", "jong", "mohammed", "muhammad", "", "a"];
        for a in words {
            for b in words {
                let (x, y) = (jaro_winkler(a, b), jaro_winkler(b, a));
                assert!((x - y).abs() < 1e-12 && (0.0..=1.0).contains(&x), "{a} {b}");
                assert_eq!(levenshtein(a, b), levenshtein(b, a));
            }
        }
    }
}
