//! Evidence stage, prefilter: the entity list's distinctive words → one multi-pattern automaton
//! that finds them in raw bytes, as UTF-8 or UTF-16LE, before anything is decoded.
//!
//! Binaries carry text in both encodings (PE resources are UTF-16LE), and reading every string
//! of a large library through the normaliser would be slow; so bytes are searched for the words
//! first and only the strings around a hit are extracted and matched.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Where a needle was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// Found in its UTF-16LE form.
    pub utf16: bool,
}

/// The compiled needles. Patterns `0..narrow` are UTF-8, the rest UTF-16LE.
pub struct Needles {
    automaton: Option<AhoCorasick>,
    narrow: usize,
}

/// The spellings a word is searched in: lower case, UPPER CASE, Capitalised and Title Case
/// (each word capitalised). The automata are case-sensitive on purpose: an ASCII
/// case-insensitive automaton loses its SIMD prefilter and scans about four times slower, and
/// these four spellings are how names and notices are written. (Manifest fields and binaries'
/// vendor fields are compared case-insensitively in full, whatever their case.)
pub fn spellings(w: &str) -> Vec<String> {
    let lower = w.to_lowercase();
    let upper = w.to_uppercase();
    let capitalise = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
            .unwrap_or_default()
    };
    let cap = capitalise(&lower);
    let title = lower
        .split(' ')
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ");
    let mut v = vec![lower, upper, cap, title];
    v.sort();
    v.dedup();
    v
}

impl Needles {
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(words: I) -> Needles {
        let mut narrow: Vec<Vec<u8>> = Vec::new();
        for w in words {
            let w = w.as_ref().trim();
            if !w.is_empty() {
                narrow.extend(spellings(w).into_iter().map(String::into_bytes));
            }
        }
        narrow.sort();
        narrow.dedup();
        let wide: Vec<Vec<u8>> = narrow
            .iter()
            .map(|w| {
                String::from_utf8_lossy(w)
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect()
            })
            .collect();
        let n = narrow.len();
        let patterns: Vec<Vec<u8>> = narrow.into_iter().chain(wide).collect();
        let automaton = (!patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .match_kind(MatchKind::LeftmostFirst)
                .build(&patterns)
                .expect("needles are plain byte strings")
        });
        Needles {
            automaton,
            narrow: n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.automaton.is_none()
    }

    /// Whether any needle occurs, in either encoding.
    pub fn hit(&self, bytes: &[u8]) -> bool {
        self.automaton.as_ref().is_some_and(|a| a.is_match(bytes))
    }

    /// Every (non-overlapping) hit.
    pub fn find_all(&self, bytes: &[u8]) -> Vec<Hit> {
        let Some(a) = &self.automaton else {
            return Vec::new();
        };
        a.find_iter(bytes)
            .map(|m| Hit {
                start: m.start(),
                end: m.end(),
                utf16: m.pattern().as_usize() >= self.narrow,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_encoding_and_case() {
        let n = Needles::new(["kaspersky", "касперск"]);
        let wide: Vec<u8> = "xxKASPERSKY LAByy"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        for spelled in [
            &b"kaspersky"[..],
            b"KASPERSKY",
            b"Kaspersky",
            b"KasperskyLab",
        ] {
            assert!(n.hit(spelled), "{}", String::from_utf8_lossy(spelled));
        }
        // The documented limit: other mixed-case spellings are not prefiltered.
        assert!(!n.hit(b"KaSpErSkY"));
        assert!(n.hit(&wide));
        assert!(n.find_all(&wide)[0].utf16);
        assert!(n.hit("© АО «ЛАБОРАТОРИЯ КАСПЕРСКОГО»".as_bytes()));
        assert!(n.hit("Касперского".as_bytes()));
        assert!(!n.hit(b"kasper skyum"));
        assert!(Needles::new(Vec::<String>::new()).is_empty());
    }
}
