//! What [`super::TextPrefilter::may_hold`] makes of each character above ASCII, worked out once
//! per block of 256 characters the first time a line holds one of them.
//!
//! Working it out means decomposing the character and looking it up in the Unicode tables
//! (alphabetic, combining marks, confusables), a few hundred nanoseconds each time. A text read
//! in a code page not its own, a test table of an encoding or a Unicode data file asks it for
//! hundreds of thousands of characters drawn from a few blocks: on yara-x's registry sources
//! that was 3–5% of a cold check. The answer of a block is kept for the prefilter's life, so
//! the same character is worked out once, and a project without such text fills no block.

use std::sync::OnceLock;

/// The class of a character that may fold to something other than ASCII letters (a needle's
/// own character, a letter without an ASCII base, a script the skeleton takes as written): a
/// line holding one is folded whatever its letters.
pub(super) const ANY: u32 = u32::MAX;

/// Characters in a block.
const BLOCK: u32 = 256;

/// Blocks kept: the Basic Multilingual Plane and the Supplementary Multilingual Plane, where
/// the letters, look-alikes and styled forms are. A character above them is worked out each
/// time (tags and variation selectors, which are invisible, and ideographs).
const BLOCKS: usize = 0x20000 / BLOCK as usize;

/// The classes of the characters above ASCII, block by block.
pub(super) struct Classes {
    blocks: Box<[OnceLock<Box<[u32; BLOCK as usize]>>]>,
}

impl Classes {
    pub(super) fn new() -> Classes {
        Classes {
            blocks: (0..BLOCKS).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The class of `c` ([`ANY`], or the mask of the ASCII letters it folds to) as `work_out`
    /// gives it; `work_out` must be a function of the character alone.
    #[inline]
    pub(super) fn get(&self, c: char, work_out: impl Fn(char) -> u32) -> u32 {
        let code = u32::from(c);
        let Some(block) = self.blocks.get((code / BLOCK) as usize) else {
            return work_out(c);
        };
        let classes = block.get_or_init(|| {
            let first = code - code % BLOCK;
            Box::new(std::array::from_fn(|i| {
                // A surrogate code point is no character: nothing to fold.
                char::from_u32(first + i as u32).map_or(0, &work_out)
            }))
        });
        classes[(code % BLOCK) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each character gets its own answer, whichever character filled its block, in every
    /// block kept and above them; the surrogates of a block are nothing.
    #[test]
    fn a_character_gets_its_own_class() {
        let classes = Classes::new();
        let code = |c: char| u32::from(c);
        for first in [
            0x80u32, 0xFF, 0x100, 0xD7FF, 0xE000, 0xFFFF, 0x1D400, 0x1FFFF, 0x20000,
        ] {
            for c in (first..first + 600).filter_map(char::from_u32) {
                assert_eq!(classes.get(c, code), code(c), "U+{:04X}", code(c));
            }
        }
        let other = Classes::new();
        assert_eq!(other.get('\u{D7FF}', code), 0xD7FF);
        assert!(
            other.blocks[0xD8].get().is_none(),
            "a block is filled when asked"
        );
        assert_eq!(other.blocks[0xD7].get().unwrap()[0xFF], 0xD7FF);
        assert_eq!(other.get('\u{E000}', |_| 7), 7);
        assert_eq!(other.get(char::MAX, |_| 9), 9);
    }
}
