//! Evidence stage, deep scan, text: the bytes that make a line worth a second look besides the
//! fast stage's hits, found in one pass: a byte above ASCII, a character reference (`&#`), a
//! percent or backslash escape (`%`, `\`), and a word broken by a hyphen at a line's end
//! (`-` then a newline).
//!
//! Each of these had its own search over the whole text; on a cold check of uv the three
//! searches cost about 5% of the CPU, most of it reading the same bytes three times. One pass
//! compares each 32-byte block against all of them at once (built for AVX2 where the processor
//! has it; plain comparisons elsewhere) and hands every mark to the caller in order.

/// What a mark is, told by its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// A byte above 0x7f.
    NonAscii,
    /// `&#`.
    CharRef,
    /// `%` or `\`.
    Escape,
    /// `-` followed by `\n`.
    Break,
}

impl Mark {
    fn of(b: &[u8], i: usize) -> Option<Mark> {
        match b[i] {
            0x80.. => Some(Mark::NonAscii),
            b'%' | b'\\' => Some(Mark::Escape),
            b'&' if b.get(i + 1) == Some(&b'#') => Some(Mark::CharRef),
            b'-' if b.get(i + 1) == Some(&b'\n') => Some(Mark::Break),
            _ => None,
        }
    }
}

/// Calls `f(offset, mark)` for every mark in `b`, in order of offset. `f` returns the offset
/// from which it wants marks again (marks before it are passed over), or `at + 1` to see the
/// next.
pub(super) fn for_each(b: &[u8], mut f: impl FnMut(usize, Mark) -> usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2, checked just above.
        unsafe { avx2::for_each(b, &mut f) };
        return;
    }
    scalar(b, 0, &mut f);
}

/// From `from` to the end, a byte at a time.
fn scalar(b: &[u8], from: usize, f: &mut impl FnMut(usize, Mark) -> usize) {
    let mut i = from;
    while i < b.len() {
        match Mark::of(b, i) {
            Some(m) => i = f(i, m).max(i + 1),
            None => i += 1,
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Mark, scalar};
    use std::arch::x86_64::*;

    /// Blocks of 32 bytes, each compared with its next byte's block (for `&#` and `-\n`);
    /// the last bytes (fewer than 33 left) go byte by byte.
    #[target_feature(enable = "avx2")]
    pub(super) fn for_each(b: &[u8], f: &mut impl FnMut(usize, Mark) -> usize) {
        let splat = |c: u8| _mm256_set1_epi8(c as i8);
        let (amp, hash, pct, bs, dash, nl) = (
            splat(b'&'),
            splat(b'#'),
            splat(b'%'),
            splat(b'\\'),
            splat(b'-'),
            splat(b'\n'),
        );
        let mut i = 0usize;
        while i + 33 <= b.len() {
            // SAFETY: `i + 33 <= b.len()`: both 32-byte loads lie inside `b`.
            let (x, y) = unsafe {
                (
                    _mm256_loadu_si256(b.as_ptr().add(i).cast()),
                    _mm256_loadu_si256(b.as_ptr().add(i + 1).cast()),
                )
            };
            let eq = _mm256_cmpeq_epi8;
            let pairs = _mm256_or_si256(
                _mm256_and_si256(eq(x, amp), eq(y, hash)),
                _mm256_and_si256(eq(x, dash), eq(y, nl)),
            );
            let singles = _mm256_or_si256(eq(x, pct), eq(x, bs));
            let hits = _mm256_or_si256(pairs, singles);
            // The high bit of every byte: those above ASCII mark themselves.
            let mut bits = (_mm256_movemask_epi8(hits) | _mm256_movemask_epi8(x)) as u32;
            let mut next = i + 32;
            while bits != 0 {
                let at = i + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let Some(m) = Mark::of(b, at) else { continue };
                let want = f(at, m).max(at + 1);
                if want > i + 32 {
                    next = want;
                    break;
                }
                // Marks before `want` in this block are passed over.
                let k = want - i;
                bits = if k >= 32 { 0 } else { bits & (!0u32 << k) };
            }
            i = next;
        }
        scalar(b, i, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every mark, by definition, a byte at a time, with the same skipping.
    fn reference(b: &[u8], skip: impl Fn(usize, Mark) -> usize) -> Vec<(usize, Mark)> {
        let mut out = Vec::new();
        scalar(b, 0, &mut |at, m| {
            out.push((at, m));
            skip(at, m)
        });
        out
    }

    fn fused(b: &[u8], skip: impl Fn(usize, Mark) -> usize) -> Vec<(usize, Mark)> {
        let mut out = Vec::new();
        for_each(b, |at, m| {
            out.push((at, m));
            skip(at, m)
        });
        out
    }

    #[test]
    fn each_kind_is_found_where_it_is() {
        let t = "a&#75;b %4B c\\x4B well-\nknown é &x -x - \n".as_bytes();
        let got = fused(t, |at, _| at + 1);
        let kinds: Vec<Mark> = got.iter().map(|&(_, m)| m).collect();
        assert_eq!(
            kinds,
            [
                Mark::CharRef,
                Mark::Escape,
                Mark::Escape,
                Mark::Break,
                Mark::NonAscii,
                Mark::NonAscii
            ]
        );
        assert_eq!(got[0].0, 1);
        assert_eq!(&t[got[3].0..got[3].0 + 2], b"-\n");
    }

    /// The vector pass and the byte-at-a-time definition agree on every mark and every skip,
    /// whatever the length, across block boundaries, with pairs split between blocks.
    #[test]
    fn the_fused_pass_agrees_with_the_definition() {
        let alphabet = b"ab&#%\\-\n \xc3\xa9x";
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in (0..200).chain([1000, 4099]) {
            for _ in 0..20 {
                let b: Vec<u8> = (0..len)
                    .map(|_| alphabet[(rnd() % alphabet.len() as u64) as usize])
                    .collect();
                // Skips of every size: to the next byte, a few bytes on, past the next newline.
                let hop = (rnd() % 70) as usize;
                let skips: [&dyn Fn(usize, Mark) -> usize; 3] = [
                    &|at, _| at + 1,
                    &|at, m| if m == Mark::Escape { at + hop } else { at + 1 },
                    &|at, m| {
                        if m == Mark::NonAscii {
                            b[at..]
                                .iter()
                                .position(|&c| c == b'\n')
                                .map_or(b.len(), |n| at + n + 1)
                        } else {
                            at
                        }
                    },
                ];
                for skip in skips {
                    assert_eq!(fused(&b, skip), reference(&b, skip), "{len}: {b:?}");
                }
            }
        }
    }
}
