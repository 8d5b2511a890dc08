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
    /// A control character that renders as nothing (any below a space but tab, line and page
    /// breaks; DEL) inside a word, between a letter or digit and another (after the control
    /// sequence an ESC starts, if it starts one): `Kas\x01persky` and `Kas\x1b[0mpersky` read
    /// `Kaspersky`, so the line is folded, which drops them. A colour between words, or
    /// ISO-2022-JP's `ESC $ B`, is not.
    Hidden,
}

impl Mark {
    #[inline(always)]
    fn of(b: &[u8], i: usize) -> Option<Mark> {
        match b[i] {
            0x80.. => Some(Mark::NonAscii),
            c if crate::text::is_hidden_ascii(c) && inside_word(b, i) => Some(Mark::Hidden),
            b'%' | b'\\' => Some(Mark::Escape),
            b'&' if b.get(i + 1) == Some(&b'#') => Some(Mark::CharRef),
            b'-' if b.get(i + 1) == Some(&b'\n') => Some(Mark::Break),
            _ => None,
        }
    }
}

/// Whether the control byte at `i` stands inside a word: a letter or digit before it, and
/// one after it and the hidden bytes that follow it (see [`crate::text::hidden_run`]).
#[cold]
#[inline(never)]
fn inside_word(b: &[u8], i: usize) -> bool {
    i.checked_sub(1)
        .is_some_and(|p| b[p].is_ascii_alphanumeric())
        && b.get(i + crate::text::hidden_run(&b[i..(i + 64).min(b.len())]))
            .is_some_and(u8::is_ascii_alphanumeric)
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

    /// Per high nibble (below 8), its class bit: 0 for `0x0_`, 1 for `0x1_`, 2 for `0x2_`
    /// (`%` is 0x25), 3 for `0x5_` (`\` is 0x5c), 4 for `0x7_` (DEL is 0x7f); 0 for the rest.
    const HIGH: [u8; 16] = [1, 2, 4, 0, 0, 8, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0];
    /// Per low nibble, the classes whose marks have it: `0x00`-`0x08` and `0x0e`-`0x0f`
    /// (controls but tab to carriage return), every `0x1_`, `0x25`, `0x5c`, `0x7f`.
    const LOW: [u8; 16] = {
        let mut t = [2u8; 16];
        let mut l = 0;
        while l < 16 {
            if l <= 8 || l >= 0xe {
                t[l] |= 1;
            }
            l += 1;
        }
        t[0x5] |= 4;
        t[0xc] |= 8;
        t[0xf] |= 16;
        t
    };

    /// A 16-entry table in both halves of a vector, for `_mm256_shuffle_epi8`.
    #[target_feature(enable = "avx2")]
    fn nibble_table(t: [u8; 16]) -> __m256i {
        let mut both = [0u8; 32];
        both[..16].copy_from_slice(&t);
        both[16..].copy_from_slice(&t);
        // SAFETY: a 32-byte array is read whole.
        unsafe { _mm256_loadu_si256(both.as_ptr().cast()) }
    }

    /// Blocks of 32 bytes, each compared with its next byte's block (for `&#` and `-\n`);
    /// the last bytes (fewer than 33 left) go byte by byte.
    #[target_feature(enable = "avx2")]
    pub(super) fn for_each(b: &[u8], f: &mut impl FnMut(usize, Mark) -> usize) {
        let splat = |c: u8| _mm256_set1_epi8(c as i8);
        let (amp, hash, dash, nl) = (splat(b'&'), splat(b'#'), splat(b'-'), splat(b'\n'));
        // The bytes that mark themselves below 0x80 (`%`, `\`, the hidden controls), told by
        // their two nibbles: a byte is one when the classes of its high nibble and of its low
        // nibble share a bit (one bit per high nibble that has any). Two table lookups for
        // all of them, instead of a comparison or two per byte or range.
        let (nibble, zero) = (splat(0x0f), _mm256_setzero_si256());
        let (low, high) = (nibble_table(LOW), nibble_table(HIGH));
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
            let lo = _mm256_and_si256(x, nibble);
            let hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble);
            let class =
                _mm256_and_si256(_mm256_shuffle_epi8(low, lo), _mm256_shuffle_epi8(high, hi));
            let none = _mm256_movemask_epi8(eq(class, zero)) as u32;
            // The high bit of every byte: those above ASCII mark themselves.
            let mut bits = (_mm256_movemask_epi8(pairs) | _mm256_movemask_epi8(x)) as u32 | !none;
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

    /// Every byte value, alone among letters (a control inside a word) and after a space (one
    /// that is not), is marked by the vector pass as by the definition.
    #[test]
    fn every_byte_is_classified_as_defined() {
        for v in 0..=255u8 {
            for at in [5usize, 31, 32, 33] {
                let mut b = vec![b'a'; 80];
                b[at] = v;
                assert_eq!(
                    fused(&b, |i, _| i + 1),
                    reference(&b, |i, _| i + 1),
                    "{v:#x} at {at}"
                );
                b[at - 1] = b' ';
                assert_eq!(
                    fused(&b, |i, _| i + 1),
                    reference(&b, |i, _| i + 1),
                    "{v:#x} at {at}"
                );
            }
        }
        let hidden = |t: &[u8]| {
            fused(t, |i, _| i + 1)
                .iter()
                .any(|&(_, m)| m == Mark::Hidden)
        };
        assert!(hidden(
            b"Copyright AO Kas\x01persky Lab, and some more text to fill a block"
        ));
        assert!(hidden(
            b"Copyright AO Kas\x00\x7f\x1fpersky Lab, and more text to fill a block"
        ));
        assert!(hidden(
            b"Copyright AO Kas\x1b[1;31mpersky Lab, and more text to fill a block"
        ));
        assert!(!hidden(
            b"\x1b[31merror\x1b[0m: and a tab\there, CR\r\n, more text to fill it"
        ));
        assert!(!hidden(
            b"ISO-2022-JP: \x1b$B%+%9\x1b(B and the rest of a block of text here"
        ));
    }

    /// The vector pass and the byte-at-a-time definition agree on every mark and every skip,
    /// whatever the length, across block boundaries, with pairs split between blocks.
    #[test]
    fn the_fused_pass_agrees_with_the_definition() {
        let alphabet = b"ab&#%\\-\n \xc3\xa9x\x00\x01\x08\t\r\x0e\x1b\x1f\x7f";
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
