//! The order the fast stage's patterns are handed to the packed search in, which decides how
//! they share its buckets.
//!
//! aho-corasick's Teddy search puts each pattern in one of 8 buckets (16 past 32 patterns) and
//! finds candidates by nibble masks: a byte is a candidate for a bucket at a position when its
//! low nibble is the low nibble of one of the bucket's patterns there and its high nibble the
//! high nibble of one of them. Patterns sharing a bucket thus also match every mix of their
//! nibbles, and each such false candidate is verified against the bucket's patterns. Which
//! bucket a pattern gets follows from its place in the list (the bucket is `7 - place % 8` for a
//! pattern whose low-nibble prefix is new, the same bucket as before for one whose is not), so
//! the list's order decides how much is verified. Sorted alphabetically, the built-in list's
//! buckets let 425,000 false candidates through in 40 MiB of registry sources, and one more
//! pattern could triple that (a bucket holding `rsko`, `s e ` and `  a ` takes every ` as `);
//! in the order chosen here, 30,000 to 70,000, whatever patterns the list brings: the search ran
//! at 2.7 GB/s instead of 1.5–2.4.
//!
//! The order is chosen by a model of the text searched: bytes independent, with the frequencies
//! the fast stage's mapped text has in the registry's sources (a third of it separators). The
//! expected count of a bucket's false candidates is the product over the fingerprint's
//! positions of the frequency of the bytes its nibble masks admit there; pair swaps that lower
//! the sum over buckets are kept until none does. Deterministic, and under a millisecond for
//! the 20–30 patterns of a list (0.8 ms builds the built-in list's whole prefilter, order
//! included).

/// Frequencies, in parts per 10,000, of the fast stage's mapped bytes (separators as a space,
/// letters lower-cased) in the registry sources of a large workspace (uv's, 588 MiB); all bytes
/// above 0x7f together are 38.
const MAPPED: &[(u8, u32)] = &[
    (b' ', 3603),
    (b'0', 44),
    (b'1', 47),
    (b'2', 78),
    (b'3', 62),
    (b'4', 23),
    (b'5', 17),
    (b'6', 23),
    (b'7', 12),
    (b'8', 21),
    (b'9', 12),
    (b'a', 357),
    (b'b', 125),
    (b'c', 288),
    (b'd', 230),
    (b'e', 695),
    (b'f', 200),
    (b'g', 94),
    (b'h', 98),
    (b'i', 413),
    (b'j', 9),
    (b'k', 44),
    (b'l', 240),
    (b'm', 176),
    (b'n', 407),
    (b'o', 400),
    (b'p', 234),
    (b'q', 14),
    (b'r', 417),
    (b's', 445),
    (b't', 531),
    (b'u', 281),
    (b'v', 64),
    (b'w', 118),
    (b'x', 42),
    (b'y', 81),
    (b'z', 17),
];

/// A model of the bytes searched: the frequency of each byte, by its high nibble, then its low.
type Frequencies = [[f64; 16]; 16];

/// The frequency of each byte in mapped text.
fn mapped_frequencies() -> Frequencies {
    let mut f = [[0.0; 16]; 16];
    for &(b, n) in MAPPED {
        f[usize::from(b >> 4)][usize::from(b & 15)] = f64::from(n) / 10_000.0;
    }
    for b in 0x80..=0xffu8 {
        f[usize::from(b >> 4)][usize::from(b & 15)] = 38.0 / 10_000.0 / 128.0;
    }
    f
}

/// The buckets the packed search gives `patterns` in this order (see the module's text).
#[cfg(test)]
fn buckets(patterns: &[&[u8]], mask_len: usize) -> Vec<usize> {
    let keys: Vec<u32> = patterns.iter().map(|p| low_key(p, mask_len)).collect();
    let order: Vec<usize> = (0..patterns.len()).collect();
    let mut out = vec![0; patterns.len()];
    assign(&order, &keys, &mut out);
    out
}

/// A pattern's fingerprint's low nibbles, packed.
fn low_key(p: &[u8], mask_len: usize) -> u32 {
    p[..mask_len]
        .iter()
        .fold(0, |k, &b| (k << 4) | u32::from(b & 15))
}

/// The bucket of each pattern (by index into `keys`) when given in `order`.
fn assign(order: &[usize], keys: &[u32], out: &mut [usize]) {
    let n = if order.len() > 32 { 16 } else { 8 };
    let mut first: Vec<(u32, usize)> = Vec::with_capacity(order.len());
    for (id, &i) in order.iter().enumerate() {
        let bucket = match first.iter().find(|(k, _)| *k == keys[i]) {
            Some(&(_, b)) => b,
            None => {
                let b = (n - 1) - id % n;
                first.push((keys[i], b));
                b
            }
        };
        out[i] = bucket;
    }
}

/// A pattern's fingerprint as nibble bits: per position, its high nibble's and its low
/// nibble's bit.
type Nibbles = [(u16, u16); 4];

fn nibbles(p: &[u8], mask_len: usize) -> Nibbles {
    let mut m = [(0u16, 0u16); 4];
    for (j, &b) in p[..mask_len].iter().enumerate() {
        m[j] = (1 << (b >> 4), 1 << (b & 15));
    }
    m
}

/// The expected false candidates per byte of text of patterns with these fingerprints
/// (`nibbles`) in these buckets.
fn cost_of(nibbles: &[Nibbles], buckets: &[usize], mask_len: usize, freq: &Frequencies) -> f64 {
    let mut masks = [[(0u16, 0u16); 4]; 16];
    let mut used = 0u16;
    for (m, &b) in nibbles.iter().zip(buckets) {
        used |= 1 << b;
        for j in 0..mask_len {
            masks[b][j].0 |= m[j].0;
            masks[b][j].1 |= m[j].1;
        }
    }
    (0..16)
        .filter(|b| used & (1 << b) != 0)
        .map(|b| {
            masks[b][..mask_len]
                .iter()
                .map(|&(high, low)| {
                    let mut sum = 0.0;
                    let mut h = high;
                    while h != 0 {
                        let hi = h.trailing_zeros() as usize;
                        h &= h - 1;
                        let mut l = low;
                        while l != 0 {
                            sum += freq[hi][l.trailing_zeros() as usize];
                            l &= l - 1;
                        }
                    }
                    sum
                })
                .product::<f64>()
        })
        .sum()
}

/// The expected false candidates per byte of text of `patterns` in this order.
#[cfg(test)]
fn cost(patterns: &[&[u8]], mask_len: usize, freq: &Frequencies) -> f64 {
    let n: Vec<Nibbles> = patterns.iter().map(|p| nibbles(p, mask_len)).collect();
    cost_of(&n, &buckets(patterns, mask_len), mask_len, freq)
}

/// The order of `patterns` (as indices into it) that the packed search should be given, for
/// the fewest false candidates in mapped text; the given order where none is better.
pub(super) fn order(patterns: &[Vec<u8>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..patterns.len()).collect();
    let Some(mask_len) = patterns.iter().map(Vec::len).min().map(|m| m.min(4)) else {
        return order;
    };
    if mask_len == 0 {
        return order;
    }
    let freq = mapped_frequencies();
    let keys: Vec<u32> = patterns.iter().map(|p| low_key(p, mask_len)).collect();
    let nib: Vec<Nibbles> = patterns.iter().map(|p| nibbles(p, mask_len)).collect();
    let mut assigned = vec![0; patterns.len()];
    let mut of = |o: &[usize]| -> f64 {
        assign(o, &keys, &mut assigned);
        cost_of(&nib, &assigned, mask_len, &freq)
    };
    let mut best = of(&order);
    // Pair swaps while one lowers the cost; a few passes settle it.
    for _ in 0..8 {
        let mut improved = false;
        for i in 0..order.len() {
            for j in i + 1..order.len() {
                order.swap(i, j);
                let c = of(&order);
                if c < best * (1.0 - 1e-9) {
                    best = c;
                    improved = true;
                } else {
                    order.swap(i, j);
                }
            }
        }
        if !improved {
            break;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn buckets_follow_the_place_and_the_low_nibble_prefix() {
        let p = pats(&["aaaa", "bbbb", "aaaa", "qqqq"]);
        let refs: Vec<&[u8]> = p.iter().map(|v| &v[..]).collect();
        // `q` (0x71) has the low nibble of `a` (0x61): same bucket as the first pattern.
        assert_eq!(buckets(&refs, 4), vec![7, 6, 7, 7]);
    }

    /// The chosen order is a permutation that costs no more than the given one, and keeps apart
    /// what the alphabetical order put together: lone-letter runs and words.
    #[test]
    fn the_order_is_a_permutation_that_lowers_the_cost() {
        let p = pats(&[
            "aleksandrovich",
            "andrei",
            "dukhvalov",
            "ersk",
            "gennadyevich",
            "kasp",
            "kav sdk",
            "kavsdk",
            "mikhaylovich",
            "mikhaylovna",
            "rsko",
            "securelist com",
            "securelistcom",
            "sergeyevich",
            "vladimirovich",
            "vladimirovna",
            "xn  ",
            "yuryevich",
            "  a ",
            "  e ",
            "k  a ",
            "k a ",
            "s  e ",
            "s e ",
        ]);
        let o = order(&p);
        let mut sorted = o.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..p.len()).collect::<Vec<_>>());
        let freq = mapped_frequencies();
        let refs = |o: &[usize]| o.iter().map(|&i| &p[i][..]).collect::<Vec<_>>();
        let given = cost(&refs(&(0..p.len()).collect::<Vec<_>>()), 4, &freq);
        let chosen = cost(&refs(&o), 4, &freq);
        assert!(chosen * 4.0 < given, "{chosen} against {given}");
        assert_eq!(o, order(&p), "deterministic");
    }

    #[test]
    fn empty_and_short_lists() {
        assert!(order(&[]).is_empty());
        assert_eq!(order(&pats(&["ab"])), vec![0]);
    }
}
