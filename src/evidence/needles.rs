//! Evidence stage, prefilter: the entity list's distinctive words → one multi-pattern search
//! that finds them in raw bytes, as UTF-8 or UTF-16LE, before anything is decoded (through a
//! shared fingerprint of each, see `Finder`).
//!
//! Binaries carry text in both encodings (PE resources are UTF-16LE), and reading every string
//! of a large library through the normaliser would be slow; so bytes are searched for the words
//! first and only the strings around a hit are extracted and matched.

use crate::text::normalize::letter_bit;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, packed};

mod buckets;
mod classes;

/// Where a needle was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// Found in its UTF-16LE form.
    pub utf16: bool,
    /// Found in this legacy encoding (see [`LEGACY`]).
    pub legacy: Option<&'static encoding_rs::Encoding>,
}

/// The compiled needles, in UTF-8, UTF-16LE and the legacy encodings a word outside ASCII is
/// also written in; all are searched under [`fold_ascii_case`], applied alike to patterns and
/// bytes.
pub struct Needles {
    finder: Option<Finder>,
    /// The folded patterns: UTF-8 (`..narrow`), UTF-16LE (`narrow..wide`), then the words with
    /// letters outside ASCII in the legacy encodings of [`LEGACY`] (`wide..`).
    patterns: Vec<Vec<u8>>,
    narrow: usize,
    wide: usize,
    /// The encoding of each legacy pattern.
    encodings: Vec<&'static encoding_rs::Encoding>,
    /// The longest pattern, in bytes: how far consecutive chunks overlap.
    longest: usize,
}

/// How the needles are found.
///
/// Not by the patterns themselves where it can be helped, but by one *fingerprint* of each: a
/// run of [`FINGERPRINT`] bytes inside it, shared by as many patterns as can share one (every
/// `kaspersky…`, `kav…` and UTF-16 `k\0a\0…` pattern has one in common) and, where there is
/// a choice, the run least likely in binaries (not `secu`, which every Windows import
/// library's `Security…` symbols hold, but `.com` of `securelist.com`). The packed search
/// (Teddy) compares only four bytes of each pattern before it verifies, and takes twice the
/// bytes a step with at most 32 patterns as with up to 64: the built-in list's 51 patterns
/// (42 in UTF-8 and UTF-16LE, 9 in legacy code pages) have 32 fingerprints, where the first 42
/// alone had needed the slower form. A fingerprint found is checked against the patterns it
/// stands for, in place. On the import libraries of six Windows crates (155 MiB) a scan took
/// 0.73x-0.83x the CPU it took with the patterns themselves (three rounds of 15 runs).
enum Finder {
    /// The fingerprints, by the packed search, and per fingerprint the patterns it stands for
    /// and where it stands in each.
    Prints {
        searcher: packed::Searcher,
        owners: Vec<Owners>,
    },
    /// The patterns themselves, by an automaton: a list whose fingerprints do not fit the
    /// packed search (more than 64), or a processor it does not run on.
    Whole(AhoCorasick),
}

/// The patterns a fingerprint stands for, each with where the fingerprint stands in it.
type Owners = Vec<(usize, usize)>;

/// How long a fingerprint is: the packed search compares at most four bytes per pattern before
/// it verifies, so a longer one would not find fewer candidates (a list with a shorter pattern
/// gets shorter ones).
const FINGERPRINT: usize = 4;

/// The legacy encodings a needle with letters outside ASCII is also searched in, each for the
/// script it writes: `Касперский` among a Windows program's ANSI strings is one byte a letter
/// in windows-1251, in none of UTF-8's or UTF-16's forms, and the same holds for a Chinese
/// program's GBK or Big5 strings and a Japanese one's Shift_JIS. (KOI8-R, IBM866 and EUC-JP
/// would need more fingerprints than the fast search takes; see the built-in list's test.)
pub const LEGACY: [(&encoding_rs::Encoding, Script); 4] = [
    (encoding_rs::WINDOWS_1251, Script::Cyrillic),
    (encoding_rs::GBK, Script::Han),
    (encoding_rs::BIG5, Script::Han),
    (encoding_rs::SHIFT_JIS, Script::Kana),
];

/// The script a legacy encoding is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Cyrillic,
    Han,
    Kana,
}

impl Script {
    /// Whether every character of `word` outside ASCII is of this script.
    fn writes(self, word: &str) -> bool {
        word.chars().filter(|c| !c.is_ascii()).all(|c| match self {
            Script::Cyrillic => ('\u{0400}'..='\u{04FF}').contains(&c),
            Script::Han => ('\u{4E00}'..='\u{9FFF}').contains(&c),
            Script::Kana => ('\u{3040}'..='\u{30FF}').contains(&c),
        })
    }
}

/// The most fingerprints the packed search takes.
const MAX_PRINTS: usize = 64;

/// The most patterns whose fingerprints are worked out: a list with more of them (thousands of
/// names from a sanctions list) is searched by the automaton, which does not slow down with
/// their number, and the cover is not worth its cost.
const MAX_PRINTED_PATTERNS: usize = 1024;

/// How often a byte is seen in the files a scan reads, as a rank (higher: more often): NUL,
/// `0xff` and space pad binaries, lower-case letters make up identifiers and text (in their
/// order of frequency in English), digits number things, and punctuation and bytes above ASCII
/// are rare outside a few places. Only used to choose between fingerprints.
fn commonness(b: u8) -> u32 {
    const LETTERS: &[u8; 26] = b"etaoinsrhldcumfpgwybvkxjqz";
    match b {
        0 | b' ' | 0xff => 40,
        b'a'..=b'z' => LETTERS
            .iter()
            .position(|&l| l == b)
            .map_or(0, |i| 30 - i as u32),
        b'0'..=b'9' => 20,
        0x80.. => 2,
        _ => 5,
    }
}

/// One fingerprint of `len` bytes per pattern, as few as can be (a greedy cover: the run held
/// by the most patterns not yet covered first; of those, the least common; of those, the
/// first in byte order), each with its owners: the patterns it was chosen for and where it
/// first stands in each. Every pattern is at least `len` bytes long. `None` if more than `max`
/// are needed.
fn fingerprints(
    patterns: &[Vec<u8>],
    len: usize,
    max: usize,
) -> Option<(Vec<Vec<u8>>, Vec<Owners>)> {
    // Every run, with the patterns that hold it.
    let mut holders: std::collections::BTreeMap<&[u8], Vec<usize>> = Default::default();
    for (i, p) in patterns.iter().enumerate() {
        for run in p.windows(len) {
            let h = holders.entry(run).or_default();
            if h.last() != Some(&i) {
                h.push(i);
            }
        }
    }
    let mut covered = vec![false; patterns.len()];
    let mut left = patterns.len();
    let (mut prints, mut owners) = (Vec::new(), Vec::new());
    while left > 0 {
        if prints.len() == max {
            return None;
        }
        let mut best: Option<(&[u8], usize, u32)> = None;
        for (&run, h) in &holders {
            let held = h.iter().filter(|&&j| !covered[j]).count();
            let common = run.iter().map(|&b| commonness(b)).sum();
            if held > 0 && best.is_none_or(|(_, n, c)| held > n || (held == n && common < c)) {
                best = Some((run, held, common));
            }
        }
        let (run, _, _) = best?;
        let mine: Owners = holders[run]
            .iter()
            .filter(|&&j| !covered[j])
            .filter_map(|&j| Some((j, patterns[j].windows(len).position(|w| w == run)?)))
            .collect();
        for &(j, _) in &mine {
            covered[j] = true;
        }
        left -= mine.len();
        prints.push(run.to_vec());
        owners.push(mine);
    }
    Some((prints, owners))
}

impl Finder {
    fn new(patterns: &[Vec<u8>]) -> Option<Finder> {
        let shortest = patterns.iter().map(Vec::len).min()?;
        let prints = (patterns.len() <= MAX_PRINTED_PATTERNS)
            .then(|| fingerprints(patterns, shortest.min(FINGERPRINT), MAX_PRINTS))
            .flatten()
            .and_then(|(prints, owners)| {
                let searcher = packed::Config::new()
                    .match_kind(packed::MatchKind::LeftmostFirst)
                    .builder()
                    .extend(&prints)
                    .build()?;
                Some(Finder::Prints { searcher, owners })
            });
        Some(prints.unwrap_or_else(|| {
            Finder::Whole(
                AhoCorasickBuilder::new()
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(patterns)
                    .expect("needles are plain byte strings"),
            )
        }))
    }

    /// Every pattern in `buf` that starts before `limit`, as (start, pattern), into `found`
    /// (cleared first), in no particular order; at least the leftmost-first non-overlapping
    /// ones.
    fn find(
        &self,
        patterns: &[Vec<u8>],
        buf: &[u8],
        limit: usize,
        found: &mut Vec<(usize, usize)>,
    ) {
        found.clear();
        match self {
            Finder::Prints { searcher, owners } => {
                let mut from = 0;
                while let Some(m) = searcher.find_in(buf, aho_corasick::Span::from(from..buf.len()))
                {
                    from = m.start() + 1;
                    for &(p, at) in &owners[m.pattern().as_usize()] {
                        // A pattern that starts in an earlier chunk was found there; one that
                        // starts past this chunk's end is found in the next.
                        let Some(start) = m.start().checked_sub(at).filter(|&s| s < limit) else {
                            continue;
                        };
                        if buf[start..].starts_with(&patterns[p]) {
                            found.push((start, p));
                        }
                    }
                }
            }
            Finder::Whole(a) => found.extend(
                a.find_iter(buf)
                    .take_while(|m| m.start() < limit)
                    .map(|m| (m.start(), m.pattern().as_usize())),
            ),
        }
    }
}

/// The spellings a word is searched in: lower case, UPPER CASE, Capitalised and Title Case
/// (each word capitalised). Letters outside ASCII have no case fold in the byte search, so
/// their usual spellings are searched each; ASCII letters match in any case.
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

/// `bytes` with ASCII letters lower-cased and every other byte kept (the same length, so
/// offsets stay those of `bytes`): the needles then match ASCII text in any case, with an
/// automaton small enough for its SIMD search (a case-insensitive automaton loses it).
pub fn fold_ascii_case(bytes: &[u8], out: &mut Vec<u8>) {
    map_bytes(bytes, out, |b| {
        b | (u8::from(b.wrapping_sub(b'A') < 26) << 5)
    });
}

/// Bytes folded per chunk (a reused buffer per thread, a bounded size whatever the file's).
const CHUNK: usize = 64 * 1024;

thread_local! {
    /// The folded chunk being searched.
    static FOLDED: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Needles {
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(words: I) -> Needles {
        let (mut narrow, mut wide) = (Vec::new(), Vec::new());
        let mut legacy: Vec<Vec<Vec<u8>>> = vec![Vec::new(); LEGACY.len()];
        let mut folded = Vec::new();
        for w in words {
            let w = w.as_ref().trim();
            if w.is_empty() {
                continue;
            }
            for sp in spellings(w) {
                fold_ascii_case(sp.as_bytes(), &mut folded);
                narrow.push(folded.clone());
                let units: Vec<u8> = sp.encode_utf16().flat_map(u16::to_le_bytes).collect();
                fold_ascii_case(&units, &mut folded);
                wide.push(folded.clone());
                if sp.is_ascii() {
                    continue;
                }
                for ((enc, script), out) in LEGACY.iter().zip(&mut legacy) {
                    let (bytes, _, unmappable) = enc.encode(&sp);
                    if script.writes(&sp) && !unmappable {
                        fold_ascii_case(&bytes, &mut folded);
                        out.push(folded.clone());
                    }
                }
            }
        }
        // A pattern holding another finds nothing the shorter one does not.
        let (narrow, wide) = (minimal(narrow), minimal(wide));
        let (n, w) = (narrow.len(), narrow.len() + wide.len());
        let mut patterns: Vec<Vec<u8>> = narrow.into_iter().chain(wide).collect();
        // A legacy spelling the same as one before it (Big5 and GBK share some ideographs'
        // bytes) is read as the first.
        let mut encodings = Vec::new();
        for ((enc, _), out) in LEGACY.iter().zip(legacy) {
            for p in minimal(out) {
                if !patterns.contains(&p) {
                    patterns.push(p);
                    encodings.push(*enc);
                }
            }
        }
        let longest = patterns.iter().map(Vec::len).max().unwrap_or(0);
        Needles {
            finder: Finder::new(&patterns),
            patterns,
            narrow: n,
            wide: w,
            encodings,
            longest,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.finder.is_none()
    }

    /// Whether any needle occurs, in either encoding.
    pub fn hit(&self, bytes: &[u8]) -> bool {
        let mut found = false;
        self.search(bytes, |_| {
            found = true;
            false
        });
        found
    }

    /// Every (non-overlapping) hit, in order.
    pub fn find_all(&self, bytes: &[u8]) -> Vec<Hit> {
        let mut out = Vec::new();
        self.search(bytes, |h| {
            out.push(h);
            true
        });
        out
    }

    /// Hands each non-overlapping hit to `each` in order, until it returns false. The bytes
    /// are folded and searched a chunk at a time; chunks overlap by the longest pattern less
    /// one byte, and a hit belongs to the chunk it starts in.
    ///
    /// The patterns found in a chunk are taken in order of where they start, each after the end
    /// of the one before (of two that start at one byte, the first in the list): the
    /// leftmost-first, non-overlapping hits of a search for the patterns themselves, however
    /// they were found (see [`Finder`]).
    fn search(&self, bytes: &[u8], mut each: impl FnMut(Hit) -> bool) {
        let Some(finder) = &self.finder else {
            return;
        };
        let overlap = self.longest.saturating_sub(1);
        let mut buf = FOLDED.with(std::cell::Cell::take);
        // The patterns found in a chunk: where they start in it, and which.
        let mut found: Vec<(usize, usize)> = Vec::new();
        let (mut base, mut free) = (0usize, 0usize);
        'chunks: while base < bytes.len() {
            let end = (base + CHUNK + overlap).min(bytes.len());
            fold_ascii_case(&bytes[base..end], &mut buf);
            finder.find(&self.patterns, &buf, CHUNK, &mut found);
            found.sort_unstable();
            for &(start, p) in &found {
                let start = base + start;
                if start < free {
                    continue;
                }
                free = start + self.patterns[p].len();
                let hit = Hit {
                    start,
                    end: free,
                    utf16: (self.narrow..self.wide).contains(&p),
                    legacy: p.checked_sub(self.wide).map(|i| self.encodings[i]),
                };
                if !each(hit) {
                    break 'chunks;
                }
            }
            base += CHUNK;
        }
        FOLDED.with(|c| c.set(buf));
    }
}

/// The text prefilter of the deep scan: which lines of a text file are worth normalising.
///
/// Two stages, so that no spelling on disk decides what is seen. The *fast* stage runs over a
/// copy of the text in which ASCII letters are lower-cased and every other ASCII character is a
/// space (a vectorised byte map; bytes above 0x7f are kept): it finds the needle words in any
/// case, and the first three letters of each spelled out with one to three separator characters
/// between them (`K.a.s`, `k - a - s`), and the rare first or last four letters of a long name
/// (`kasp`, `ersk`: a name split across string literals, `"Kasp" "ersky"`). Lines holding a
/// byte above 0x7f (look-alike letters, invisible characters, Cyrillic, full-width forms…) and
/// lines with a percent-escaped letter are candidates without it. The *skeleton* stage folds
/// each candidate line with [`crate::text::normalize::skeleton`] and searches the folded
/// needles: a line is kept when its skeleton holds one, wherever it is. The normaliser then
/// decides.
pub struct TextPrefilter {
    fast: Option<AhoCorasick>,
    skeleton: Option<AhoCorasick>,
    /// The ASCII letters of each folded needle, one bit per letter (see [`TextPrefilter::may_hold`]).
    letters: Vec<u32>,
    /// The characters of needles that fold to no Latin letters (`卡巴斯基`, `カスペルスキー`): a
    /// non-ASCII line holding one of them may hold such a needle.
    others: Vec<char>,
    /// Per fast pattern: what it finds.
    kind: Vec<Kind>,
    /// The word patterns (a fragment hit where one of them starts is that word's hit).
    word_patterns: Vec<Vec<u8>>,
    /// The longest fast pattern, in bytes.
    longest: usize,
    /// The first three letters of each folded needle looked for spelled out.
    spelled: Vec<[u8; 3]>,
    /// What each character above ASCII counts as in [`TextPrefilter::may_hold`].
    classes: classes::Classes,
}

/// What a fast-stage pattern finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A needle word (mapped or folded).
    Word,
    /// A long name's rare first or last four letters: half of a name split across literals.
    Fragment,
    /// Two letters spelled out with separators (`k  a `).
    Spelled,
}

/// How much of a text the fast stage maps and searches at a time (see
/// [`TextPrefilter::text_hits`]).
pub const FAST_CHUNK: usize = 64 << 10;

/// What verifying a spelled-out run reads past its pattern's end: up to three more separators
/// and the third letter.
const SPELLED_LOOKAHEAD: usize = 4;

/// What verifying a spelled-out run with three separators reads before its pattern's start:
/// the first letter and the first separator.
const SPELLED_BEHIND: usize = 2;

/// Whether a non-ASCII character may fold to a letter (or separate spelled-out letters): Latin,
/// IPA, Greek, Cyrillic, Armenian, phonetic and Latin extensions, general punctuation, letter-like
/// symbols, number forms, enclosed and full-width forms, mathematical letters, invisible
/// characters.
fn may_fold(c: char) -> bool {
    matches!(c,
        '\u{00A0}'..='\u{058F}' | '\u{1D00}'..='\u{1FFF}' | '\u{2000}'..='\u{206F}'
        | '\u{2100}'..='\u{24FF}' | '\u{A720}'..='\u{A7FF}' | '\u{AB30}'..='\u{AB6F}'
        | '\u{FB00}'..='\u{FB4F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'..='\u{FFEF}'
        | '\u{1D400}'..='\u{1D7FF}' | '\u{1F100}'..='\u{1F1FF}' | '\u{E0000}'..='\u{E01EF}')
}

/// The folded form of a needle as the skeleton stage searches it: its skeleton, cut after `sk`
/// or `ck` where a `y` follows (`kaspersky` → `kaspersk`), since the normaliser folds the
/// `-skiy`/`-skij`/`-skii` spellings to `-sky` and a skeleton keeps them as written.
pub fn folded_needle(word: &str) -> String {
    let mut out = String::new();
    let mut at = Vec::new();
    crate::text::normalize::skeleton(word, &mut out, &mut at);
    for ending in ["sky", "cky"] {
        if let Some(i) = out.find(ending)
            && i + 2 >= 5
        {
            out.truncate(i + 2);
        }
    }
    out
}

/// Maps `bytes` for the fast stage: ASCII letters and digits lower-cased, other ASCII bytes a
/// space, bytes above 0x7f unchanged (see `map_bytes`).
pub fn map_ascii(bytes: &[u8], out: &mut Vec<u8>) {
    map_bytes(bytes, out, |x| {
        let upper = x.wrapping_sub(b'A') < 26;
        let l = x | (u8::from(upper) << 5);
        let keep = (l.wrapping_sub(b'a') < 26) | (x.wrapping_sub(b'0') < 10) | (x >= 0x80);
        if keep { l } else { b' ' }
    });
}

/// `out` made `f` of each byte of `bytes`, in one pass into `out`'s reused storage (only bytes
/// past its old length are zeroed first). `f` has no branch, so the loop vectorises; it is
/// built a second time for AVX2 where the processor has it, twice the bytes per instruction of
/// the baseline's SSE2. Both byte maps of the scan run through it: 0.97x the CPU of a cold
/// check on uv against copying and then mapping in place, which had measured 2.3 times faster
/// than collecting from an iterator.
fn map_bytes(bytes: &[u8], out: &mut Vec<u8>, f: impl Fn(u8) -> u8 + Copy) {
    out.resize(bytes.len(), 0);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2, checked just above.
        unsafe { map_bytes_avx2(bytes, out, f) };
        return;
    }
    map_bytes_into(bytes, out, f);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn map_bytes_avx2(bytes: &[u8], out: &mut [u8], f: impl Fn(u8) -> u8 + Copy) {
    map_bytes_into(bytes, out, f);
}

#[inline(always)]
fn map_bytes_into(bytes: &[u8], out: &mut [u8], f: impl Fn(u8) -> u8 + Copy) {
    for (o, &x) in out.iter_mut().zip(bytes) {
        *o = f(x);
    }
}

impl TextPrefilter {
    /// `words`: the needles; `spelled_words`: those also looked for spelled out letter by
    /// letter (see [`crate::matching::Matcher::spelled_needles`]).
    pub fn new<I, S, J, T>(words: I, spelled_words: J) -> TextPrefilter
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
        J: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let mut folded: Vec<String> = Vec::new();
        let mut fast: Vec<Vec<u8>> = Vec::new();
        // Spelled out: the first three letters, one to three separators apart. Searched through
        // the first two letters and the separators between them (`k a `, `k  a `, `k   a `:
        // three short patterns per pair of letters, rare in ordinary text), then the third
        // letter verified (see `TextPrefilter::text_hits`).
        let spelled_words: Vec<(bool, String)> = spelled_words
            .into_iter()
            .map(|w| (w.as_ref().is_ascii(), folded_needle(w.as_ref().trim())))
            .collect();
        let mut spelled: Vec<[u8; 3]> = spelled_words
            .iter()
            .filter_map(|(_, f)| {
                let first: Vec<u8> = f.bytes().take(3).collect();
                (f.is_ascii()
                    && f.chars().count() >= 4
                    && first.len() == 3
                    && first.iter().all(u8::is_ascii_alphabetic))
                .then(|| [first[0], first[1], first[2]])
            })
            .collect();
        for w in words {
            let w = w.as_ref().trim();
            if w.is_empty() {
                continue;
            }
            let f = folded_needle(w);
            if f.chars().count() < 4 {
                continue;
            }
            // The word as the fast stage sees it written plainly, and in its folded form
            // (`Laboratoriya` for a Cyrillic needle, written in Latin letters).
            let mut mapped = Vec::new();
            map_ascii(w.as_bytes(), &mut mapped);
            let mapped: Vec<u8> = String::from_utf8_lossy(&mapped)
                .split(' ')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
                .into_bytes();
            if mapped.is_ascii() && !mapped.is_empty() {
                fast.push(cut_at_sky(mapped));
            }
            if f.is_ascii() {
                fast.push(f.clone().into_bytes());
            }
            folded.push(f);
        }
        // An IDNA label (`xn--…`) decodes to anything: fold its line.
        fast.push(b"xn  ".to_vec());
        let mut fast = minimal(fast);
        let word_patterns = fast.clone();
        let words = fast.len();
        // A name split across string literals (`concat!("Kasp", "ersky")`, `'Kasp' + 'ersky'`)
        // is, once mapped, its two halves with separators between: whatever the split, one
        // half holds the name's first four letters or its last four (for a name of eight or
        // more). Both are searched where they are rare enough not to flood the later stages,
        // and reported apart: such a line is read only through its joined literals. Only a
        // name written in Latin letters: a line holding another script's letters is folded
        // whole anyway.
        let mut fragments: Vec<Vec<u8>> = spelled_words
            .iter()
            .filter(|(ascii, _)| *ascii)
            .flat_map(|(_, f)| split_fragments(f))
            .filter(|f| !fast.contains(f))
            .collect();
        fragments.sort_unstable();
        fragments.dedup();
        let fragment_count = fragments.len();
        fast.extend(fragments);
        spelled.sort_unstable();
        spelled.dedup();
        let mut pairs: Vec<[u8; 2]> = spelled.iter().map(|s| [s[0], s[1]]).collect();
        pairs.sort_unstable();
        pairs.dedup();
        for [x, y] in pairs {
            for gap in 1..=2 {
                let mut p = vec![x];
                p.resize(1 + gap, b' ');
                p.extend([y, b' ']);
                fast.push(p);
            }
            // Three separators: searched from the last two (`  a `), the first separator and the
            // first letter verified behind them. The search keys on a pattern's first four
            // bytes: a letter and three separators (`s   `: a plural, then `);` and a line
            // break) are in every file, three separators and a letter (`   a`: an indented
            // `assert`) nearly as often; two and a lone letter are seven times rarer.
            fast.push(vec![b' ', b' ', y, b' ']);
        }
        fast[words + fragment_count..].sort_unstable();
        fast.dedup();
        // Handed to the packed search in the order that shares its buckets best.
        let order = buckets::order(&fast);
        let kind: Vec<Kind> = order
            .iter()
            .map(|&i| match i {
                i if i < words => Kind::Word,
                i if i < words + fragment_count => Kind::Fragment,
                _ => Kind::Spelled,
            })
            .collect();
        let fast: Vec<Vec<u8>> = order.iter().map(|&i| fast[i].clone()).collect();
        let folded = minimal(folded.into_iter().map(String::into_bytes).collect());
        let build = |patterns: &[Vec<u8>]| {
            (!patterns.is_empty()).then(|| {
                AhoCorasickBuilder::new()
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(patterns)
                    .expect("needles are plain byte strings")
            })
        };
        // A needle that is not all ASCII once folded is found through its own characters, not
        // through Latin letters (`u32::MAX` is a mask no line's letters cover).
        let letters = folded
            .iter()
            .map(|f| {
                if f.is_ascii() {
                    f.iter().fold(0, |m, &b| m | letter_bit(b))
                } else {
                    u32::MAX
                }
            })
            .collect();
        let mut others: Vec<char> = folded
            .iter()
            .filter(|f| !f.is_ascii())
            .flat_map(|f| {
                String::from_utf8_lossy(f)
                    .chars()
                    .filter(|c| !c.is_ascii())
                    .collect::<Vec<_>>()
            })
            .collect();
        others.sort_unstable();
        others.dedup();
        let longest = fast.iter().map(Vec::len).max().unwrap_or(0);
        TextPrefilter {
            longest,
            fast: if folded.is_empty() {
                None
            } else {
                build(&fast)
            },
            skeleton: build(&folded),
            letters,
            others,
            kind,
            word_patterns,
            spelled,
            classes: classes::Classes::new(),
        }
    }

    /// Whether a line with non-ASCII characters may hold a needle once folded: the letters it
    /// may fold to cover some needle's, or it holds a character that may leave one of a
    /// needle's own characters. An accented or full-width letter counts as the ASCII letter it
    /// folds to, an invisible character as nothing (see
    /// [`crate::text::normalize::ascii_letters_of`]), and a character without such an exact
    /// answer (a letter without an ASCII base such as `æ` or `ß`, a Cyrillic or Greek letter, a
    /// mark standing alone) as every letter it may become wherever it stands (see
    /// [`crate::text::normalize::letters_anywhere`]). So accented prose and text read from a
    /// code page that is not its own (a test table of CJK encodings read as windows-1252 is
    /// line after line of Latin-1 letters) are not folded for nothing. Ideographs, emoji and other scripts alone fold to nothing a Latin needle is
    /// made of: skipping those lines keeps the cost of folding to the lines that can hide a
    /// name.
    pub fn may_hold(&self, line: &str) -> bool {
        if self.letters.contains(&0) {
            return true;
        }
        // A `y` may come of an ending folded after `sk` (`-skij` reads `-sky`), whatever the
        // line holds.
        let mut mask = letter_bit(b'y');
        for c in line.chars() {
            if c.is_ascii() {
                mask |= letter_bit(c as u8);
                continue;
            }
            match self.classes.get(c, |c| self.class_of(c)) {
                classes::ANY => return true,
                letters => mask |= letters,
            }
        }
        self.letters.iter().any(|&l| l & !mask == 0)
    }

    /// What the character `c` above ASCII counts as in [`TextPrefilter::may_hold`] (kept per
    /// character by [`classes::Classes`]): [`classes::ANY`] where it may fold to something
    /// other than ASCII letters, else the mask of the letters it folds to.
    fn class_of(&self, c: char) -> u32 {
        if self.others.binary_search(&c).is_ok() {
            classes::ANY
        } else if may_fold(c) {
            crate::text::normalize::ascii_letters_of(c).unwrap_or_else(|| {
                // No exact answer: every letter it may become, wherever it stands.
                let mut own = false;
                let letters = crate::text::normalize::letters_anywhere(c, |left| {
                    own |= self.others.binary_search(&left).is_ok();
                });
                if own { classes::ANY } else { letters }
            })
        } else {
            // A letter of another script the confusables data reads as a Latin one.
            crate::text::confusables::letter(c).map_or(0, letter_bit)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.skeleton.is_none()
    }

    /// Start offsets of fast-stage hits in `text`, appended to `out` in order: the words, and
    /// the first three letters of a needle spelled out with one to three separators between
    /// them, found through the first two and verified at the third. The text is mapped (see
    /// [`map_ascii`]) and searched [`FAST_CHUNK`] bytes at a time in `mapped`, a buffer the caller reuses: each chunk runs
    /// on past its end by the longest pattern and what verifying a spelled-out run reads after
    /// it, so a hit that starts in a chunk is seen whole, and the mapped copy stays the size
    /// of a cache instead of the size of the file.
    pub fn text_hits(&self, text: &[u8], mapped: &mut Vec<u8>, out: &mut Vec<usize>) {
        self.text_hits_apart(text, mapped, out, None);
    }

    /// [`TextPrefilter::text_hits`], with the hits of a name's first or last four letters alone
    /// (half of a name split across string literals) appended to `fragments` where given.
    pub fn text_hits_apart(
        &self,
        text: &[u8],
        mapped: &mut Vec<u8>,
        out: &mut Vec<usize>,
        mut fragments: Option<&mut Vec<usize>>,
    ) {
        if self.fast.is_none() {
            return;
        }
        let run_on = self.longest + SPELLED_LOOKAHEAD + SPELLED_BEHIND;
        let mut from = 0;
        while from < text.len() {
            let end = (from + FAST_CHUNK).min(text.len());
            map_ascii(&text[from..(end + run_on).min(text.len())], mapped);
            self.fast_hits_before(mapped, end - from, from, out, fragments.as_deref_mut());
            from = end;
        }
    }

    /// The hits of one mapped chunk (see [`TextPrefilter::text_hits`]) that start before
    /// `limit`, each offset by `base`.
    fn fast_hits_before(
        &self,
        mapped: &[u8],
        limit: usize,
        base: usize,
        out: &mut Vec<usize>,
        mut fragments: Option<&mut Vec<usize>>,
    ) {
        let Some(a) = &self.fast else {
            return;
        };
        let mut at = 0;
        while at < limit {
            let Some(m) = a.find(aho_corasick::Input::new(mapped).range(at..)) else {
                break;
            };
            let kind = self.kind[m.pattern().as_usize()];
            if kind != Kind::Spelled {
                if m.start() >= limit {
                    break;
                }
                // A fragment where a whole word starts (`kasp` of `kaspersky`) is that word.
                let word = match kind {
                    Kind::Fragment => self
                        .word_patterns
                        .iter()
                        .find(|w| mapped[m.start()..].starts_with(w)),
                    _ => None,
                };
                match (kind, word, fragments.as_deref_mut()) {
                    (Kind::Fragment, None, Some(f)) => f.push(base + m.start()),
                    _ => out.push(base + m.start()),
                }
                at = m.start() + word.map_or(m.len(), Vec::len);
                continue;
            }
            // `x`, 1..=3 separators, `y`, a separator: then up to two more, and the third letter.
            // A pattern that begins with separators has the first of three, and `x`, just before
            // it (not in this chunk when it starts the chunk: a run that begins in the chunk
            // before was seen there, since that chunk's search runs on past its end).
            let behind = if mapped[m.start()] == b' ' {
                SPELLED_BEHIND
            } else {
                0
            };
            let Some(start) = m.start().checked_sub(behind) else {
                at = m.start() + 1;
                continue;
            };
            if start >= limit {
                break;
            }
            if behind > 0 && mapped[start + 1] != b' ' {
                at = m.start() + 1;
                continue;
            }
            let (x, y) = (mapped[start], mapped[m.end() - 2]);
            let after = mapped[m.end() - 1..]
                .iter()
                .take(4)
                .take_while(|&&c| c == b' ')
                .count();
            let z = mapped.get(m.end() - 1 + after).copied();
            if after <= 3 && self.spelled.iter().any(|s| s == &[x, y, z.unwrap_or(0)]) {
                out.push(base + start);
            }
            // The second letter may begin another spelled-out run.
            at = m.start() + 1;
        }
    }

    /// Every folded needle in a skeleton, as byte ranges of the skeleton.
    pub fn skeleton_hits(&self, skeleton: &str) -> Vec<(usize, usize)> {
        self.skeleton
            .iter()
            .flat_map(|a| a.find_iter(skeleton).map(|m| (m.start(), m.end())))
            .collect()
    }
}

/// The fragments that find a folded name split in two (see [`TextPrefilter::new`]): its first
/// four letters and its last four, for a name of at least eight letters (any split then leaves
/// one of them whole in one half). Only a fragment holding a letter that is rare in English and
/// in code (`j k q v x z`, each under 1% of letters) is kept: `kasp` and `ersk` occur on a
/// handful of lines of a large registry, where `secu` and `list` would take every line that says
/// `security` or `list`.
fn split_fragments(folded: &str) -> Vec<Vec<u8>> {
    let b = folded.as_bytes();
    if b.len() < 8 || !b.iter().all(u8::is_ascii_lowercase) {
        return Vec::new();
    }
    [&b[..4], &b[b.len() - 4..]]
        .into_iter()
        .filter(|f| f.iter().any(|c| b"jkqvxz".contains(c)))
        .map(<[u8]>::to_vec)
        .collect()
}

/// `kaspersky` → `kaspersk` (see [`folded_needle`]), on a mapped needle.
fn cut_at_sky(mut w: Vec<u8>) -> Vec<u8> {
    for ending in [&b"sky"[..], b"cky"] {
        if let Some(i) = w.windows(3).position(|x| x == ending)
            && i + 2 >= 5
        {
            w.truncate(i + 2);
        }
    }
    w
}

/// Sorted, deduplicated patterns without those containing another (the shorter one already
/// finds every line the longer would).
fn minimal(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    v.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    v.dedup();
    let mut out: Vec<Vec<u8>> = Vec::new();
    for p in v {
        if !out
            .iter()
            .any(|q| p.windows(q.len()).any(|w| w == q.as_slice()))
        {
            out.push(p);
        }
    }
    out.sort();
    out
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
        // ASCII letters in any case; the UTF-16 forms too.
        assert!(n.hit(b"KaSpErSkY"));
        let mixed: Vec<u8> = "KaSpErSkY"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(n.find_all(&mixed)[0].utf16);
        assert!(n.hit(&wide));
        assert!(n.find_all(&wide)[0].utf16);
        assert!(n.hit("© АО «ЛАБОРАТОРИЯ КАСПЕРСКОГО»".as_bytes()));
        assert!(n.hit("Касперского".as_bytes()));
        assert!(!n.hit(b"kasper skyum"));
        assert!(Needles::new(Vec::<String>::new()).is_empty());
    }

    /// Bytes are searched a chunk at a time: a needle across a chunk boundary is found once,
    /// hits come in order and never overlap, whatever the file's size.
    /// A word outside ASCII is also found in the legacy code pages of its script, each spelling
    /// of it; not in another script's, and an ASCII word has no legacy forms.
    #[test]
    fn legacy_code_pages_of_a_words_script() {
        let n = Needles::new(["kaspersky", "касперск", "卡巴斯基", "カスペルスキー"]);
        let ascii = Needles::new(["kaspersky"]);
        assert!(ascii.encodings.is_empty());
        for (enc, text) in [
            (encoding_rs::WINDOWS_1251, "Лаборатория Касперского"),
            (encoding_rs::WINDOWS_1251, "ЛАБОРАТОРИЯ КАСПЕРСКОГО"),
            (encoding_rs::GBK, "卡巴斯基实验室"),
            (encoding_rs::BIG5, "卡巴斯基實驗室"),
            (encoding_rs::SHIFT_JIS, "株式会社カスペルスキー"),
        ] {
            let bytes = [&b"\0\x01"[..], &enc.encode(text).0, b"\0"].concat();
            let hits = n.find_all(&bytes);
            assert_eq!(hits.len(), 1, "{text}: {hits:?}");
            assert_eq!(hits[0].legacy, Some(enc), "{text}");
            assert_eq!(n.find_all(&bytes), reference(&n, &bytes), "{text}");
        }
        // Cyrillic is not searched in a Chinese code page, nor Han in a Cyrillic one.
        assert!(n.encodings.iter().all(|e| *e != encoding_rs::KOI8_R));
        let gbk_cyrillic = encoding_rs::GBK.encode("Касперского").0.into_owned();
        assert!(n.find_all(&gbk_cyrillic).is_empty());
    }

    #[test]
    fn hits_across_chunk_boundaries_are_found_once_in_order() {
        let n = Needles::new(["kaspersky"]);
        let wide: Vec<u8> = "KASPERSKY"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        for at in [CHUNK - 9, CHUNK - 4, CHUNK - 1, CHUNK, 2 * CHUNK - 3] {
            let mut bytes = vec![b'x'; 3 * CHUNK];
            bytes[at..at + 9].copy_from_slice(b"Kaspersky");
            bytes[at + 2 * CHUNK / 3..at + 2 * CHUNK / 3 + wide.len()].copy_from_slice(&wide);
            let hits = n.find_all(&bytes);
            assert_eq!(hits.len(), 2, "at {at}: {hits:?}");
            assert_eq!(
                (hits[0].start, hits[0].end, hits[0].utf16),
                (at, at + 9, false)
            );
            assert!(hits[1].utf16 && hits[1].start == at + 2 * CHUNK / 3);
            assert!(n.hit(&bytes[at..]));
        }
        assert!(!n.hit(&vec![b'k'; 3 * CHUNK]));
    }

    /// Both byte maps, vectorised (AVX2 where the processor has it), agree with their
    /// definitions for every byte at every position of inputs of every length up to past two
    /// vectors, into a buffer that shrinks and grows between calls.
    #[test]
    fn the_byte_maps_agree_with_their_definitions() {
        let mapped = |x: u8| match x {
            b'A'..=b'Z' => x.to_ascii_lowercase(),
            b'a'..=b'z' | b'0'..=b'9' | 0x80.. => x,
            _ => b' ',
        };
        let (mut out, mut folded) = (Vec::new(), Vec::new());
        for len in [0usize, 1, 15, 16, 31, 32, 33, 63, 64, 65, 256, 70, 3] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            map_ascii(&bytes, &mut out);
            assert_eq!(
                out,
                bytes.iter().map(|&x| mapped(x)).collect::<Vec<_>>(),
                "{len}"
            );
            fold_ascii_case(&bytes, &mut folded);
            let want: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
            assert_eq!(folded, want, "{len}");
        }
        let every: Vec<u8> = (0..=255).collect();
        map_ascii(&every, &mut out);
        assert!(every.iter().zip(&out).all(|(&x, &y)| mapped(x) == y));
    }

    #[test]
    fn split_fragments_are_a_long_names_rare_ends() {
        let f = |w: &str| {
            split_fragments(w)
                .into_iter()
                .map(|v| String::from_utf8(v).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(f("kaspersk"), ["kasp", "ersk"]);
        // Common letters at both ends: `secu` and `list` would take every line on security.
        assert!(f("securelist").is_empty());
        assert!(f("kavsdk").is_empty(), "shorter than eight letters");
        assert!(f("kasperskycom").iter().any(|x| x == "kasp"));
        assert!(f("kav sdk x").is_empty(), "not letters only");
    }

    /// A name split in two across string literals, at every place and with the joins of
    /// several languages, puts its line before the later stages.
    #[test]
    fn a_name_split_across_literals_is_a_candidate_wherever_it_is_split() {
        let p = TextPrefilter::new(["kaspersky"], ["kaspersky"]);
        let mut m = Vec::new();
        let word = "Kaspersky";
        for at in 1..word.len() {
            let (a, b) = word.split_at(at);
            for join in ["\", \"", "\" \"", "\" + \"", "' + '", "\" . \""] {
                let line = format!("x = concat!(\"AO {a}{join}{b} Lab\");");
                let mut out = Vec::new();
                p.text_hits(line.as_bytes(), &mut m, &mut out);
                assert!(!out.is_empty(), "{line}");
            }
        }
        // Halves of other words are not: `secure` and `list` are no name's rare ends.
        let p = TextPrefilter::new(["kaspersky", "securelist"], ["kaspersky", "securelist"]);
        let mut out = Vec::new();
        p.text_hits(b"x = concat!(\"secure\", \"list\");", &mut m, &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    /// The built-in list's needles, UTF-16 forms included, have fingerprints that fit the packed
    /// search's fastest form (Teddy with 8 buckets takes at most 32 patterns), and none of the
    /// fingerprints is in a Windows import library's symbols.
    #[test]
    fn the_built_in_needles_fit_the_fastest_search() {
        let lists = [crate::entity::EntityList::builtin().unwrap()];
        let m = crate::matching::Matcher::new(&lists);
        let n = Needles::new(m.needles());
        assert!(n.patterns.len() > 32, "{} patterns", n.patterns.len());
        let Some(Finder::Prints { owners, .. }) = &n.finder else {
            panic!("the built-in needles are searched by their fingerprints");
        };
        assert!(
            (1..=32).contains(&owners.len()),
            "{} fingerprints",
            owners.len()
        );
        let import_library = b"__imp_SecurityDescriptorToStringSecurityDescriptorW\0\
            RegOpenKeyExW\0GetProcAddress\0__IMPORT_DESCRIPTOR_ADVAPI32\0_head_lib";
        assert!(!n.hit(import_library));
        let mut folded = Vec::new();
        fold_ascii_case(import_library, &mut folded);
        for owners in owners {
            let (p, at) = owners[0];
            let print = &n.patterns[p][at..at + FINGERPRINT];
            assert!(
                !folded.windows(FINGERPRINT).any(|w| w == print),
                "{:?} is in an import library",
                String::from_utf8_lossy(print)
            );
        }
    }

    /// A list with too many fingerprints for the packed search, or too many patterns to work
    /// them out, is searched by the automaton, and finds the same.
    #[test]
    fn a_large_list_is_searched_by_the_automaton() {
        // Names that share a run share its fingerprint: 80 patterns, a few fingerprints.
        let words: Vec<String> = (0..40).map(|i| format!("vendor{i:02}name")).collect();
        let shared = Needles::new(&words);
        assert!(
            matches!(shared.finder, Some(Finder::Prints { ref owners, .. }) if owners.len() <= 4)
        );
        // Sixty names of random letters have no run in common: one fingerprint each.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let distinct: Vec<String> = (0..60)
            .map(|_| {
                (0..9)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        char::from(b'a' + (state % 26) as u8)
                    })
                    .collect()
            })
            .collect();
        assert!(matches!(
            Needles::new(&distinct[..8]).finder,
            Some(Finder::Prints { .. })
        ));
        let many = Needles::new(&distinct);
        assert!(matches!(many.finder, Some(Finder::Whole(_))));
        let mut bytes = b"xx".to_vec();
        bytes.extend_from_slice(distinct[7].to_uppercase().as_bytes());
        let wide: Vec<u8> = distinct[39]
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        bytes.extend_from_slice(&wide);
        assert_eq!(many.find_all(&bytes), reference(&many, &bytes));
        assert_eq!(many.find_all(&bytes).len(), 2);
        bytes.extend_from_slice(b"Vendor17Name");
        assert_eq!(shared.find_all(&bytes), reference(&shared, &bytes));
        assert_eq!(shared.find_all(&bytes).len(), 1);
    }

    /// The built-in list's fast stage stays within the automaton's fastest SIMD search (Teddy
    /// with 8 buckets takes at most 32 patterns; past that it halves its stride): one needle per
    /// name, and spelled-out patterns only for organisations' and products' names.
    #[test]
    fn the_built_in_list_fits_the_fastest_search() {
        let lists = [crate::entity::EntityList::builtin().unwrap()];
        let m = crate::matching::Matcher::new(&lists);
        let p = TextPrefilter::new(m.needles(), m.spelled_needles());
        let fast = p.fast.as_ref().map_or(0, AhoCorasick::patterns_len);
        assert!((1..=32).contains(&fast), "{fast} fast patterns");
    }

    #[test]
    fn spelled_out_letters_are_found_through_the_first_two() {
        let p = TextPrefilter::new(["kaspersky"], ["kaspersky"]);
        let hits = |t: &str| {
            let (mut m, mut out) = (Vec::new(), Vec::new());
            p.text_hits(t.as_bytes(), &mut m, &mut out);
            out
        };
        assert_eq!(hits("x K.a.S y"), vec![2]);
        assert_eq!(hits("k - a - s"), vec![0]);
        assert_eq!(hits("a b k  a   s"), vec![4]);
        assert_eq!(hits("KaSpErSkY").first(), Some(&0));
        assert!(hits("k    a s").is_empty());
        assert!(hits("t a s, k a t").is_empty());
        // A lone letter that fails opens the search for the next one.
        assert_eq!(hits("q a k a s"), vec![4]);
        // Three separators are found from the last two, the first letter verified behind them:
        // at the start of the text, after a word, once when two would also fit, never for
        // another letter or for four separators.
        assert_eq!(hits("k , a s"), vec![0]);
        assert_eq!(hits("see K.-.A:::s"), vec![4]);
        assert_eq!(hits("k  a s"), vec![0]);
        assert!(hits("b   a s").is_empty());
        assert!(hits("  a s").is_empty());
        assert!(hits("k    a   s").is_empty());
        let both = TextPrefilter::new(["kaspersky", "securelist"], ["kaspersky", "securelist"]);
        let (mut m, mut out) = (Vec::new(), Vec::new());
        both.text_hits(b"S - E - C and k / a s", &mut m, &mut out);
        assert_eq!(out, vec![0, 14]);
    }

    /// Lines whose letters, folded, cannot spell a needle are skipped: accented prose, and
    /// Latin-1 letters of a text read in a code page not its own. Accented, full-width and
    /// look-alike spellings, and invisible characters inside a name, are not.
    #[test]
    fn lines_that_cannot_spell_a_needle_are_not_folded() {
        let p = TextPrefilter::new(["kaspersky"], ["kaspersky"]);
        for skipped in [
            "Copyright (c) 2020 Daniel Müller",
            "ãÂ îc ÿÁ",
            "£³ ¶ù",
            "“quoted” — text",
            // Letters without an ASCII base, spacing accents, marks standing alone, and a
            // Cyrillic word whose letters cannot spell it either.
            "Ærø ðþ ß µ ƒ œ ¨´¸ \u{0308}",
            "Жюля",
        ] {
            assert!(!p.may_hold(skipped), "{skipped:?}");
        }
        for kept in [
            "Kåspërsky",
            "ＫＡＳＰＥＲＳＫＹ",
            "Kasp\u{200B}ersky",
            "Kаspersky",
            "Kaßpersky",
            "© Лаборатория Касперского",
        ] {
            assert!(p.may_hold(kept), "{kept:?}");
        }
    }

    /// Where a search for the patterns themselves would give.
    fn reference(n: &Needles, bytes: &[u8]) -> Vec<Hit> {
        let a = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&n.patterns)
            .unwrap();
        let mut folded = Vec::new();
        fold_ascii_case(bytes, &mut folded);
        a.find_iter(&folded)
            .map(|m| {
                let p = m.pattern().as_usize();
                Hit {
                    start: m.start(),
                    end: m.end(),
                    utf16: (n.narrow..n.wide).contains(&p),
                    legacy: p.checked_sub(n.wide).map(|i| n.encodings[i]),
                }
            })
            .collect()
    }

    /// Pieces a haystack is made of: needles in their encodings and cases, parts and
    /// near-misses of them, and noise.
    fn pieces() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = Vec::new();
        for w in [
            "Kaspersky",
            "KAV SDK",
            "kavsdk",
            "securelist.com",
            "Касперский",
            "卡巴斯基",
        ] {
            for form in [w.to_string(), w.to_uppercase(), w.to_lowercase()] {
                let wide: Vec<u8> = form.encode_utf16().flat_map(u16::to_le_bytes).collect();
                let narrow = form.as_bytes().to_vec();
                v.push(narrow[..narrow.len() / 2].to_vec());
                v.push(narrow[narrow.len() / 2..].to_vec());
                v.push(wide[..wide.len() / 2 + 1].to_vec());
                v.push(narrow);
                v.push(wide);
            }
        }
        for noise in [
            "x",
            "\0",
            "secu",
            ".com",
            " ",
            "kas",
            "rsky",
            "\u{ff}",
            "SecurityW",
        ] {
            v.push(noise.as_bytes().to_vec());
        }
        v
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// The fingerprint search gives the hits a search for the patterns themselves gives:
        /// the same starts, ends and encodings, in order, across chunk boundaries too.
        #[test]
        fn fingerprints_find_what_the_patterns_find(
            parts in proptest::collection::vec(0usize..72, 0..40),
            pad in 0usize..200,
            at_boundary in proptest::bool::ANY,
        ) {
            let n = Needles::new(["kaspersky", "kaspersky.com", "kav sdk", "kavsdk",
                "securelist.com", "касперск", "卡巴斯基"]);
            let pieces = pieces();
            let mut bytes = if at_boundary { vec![b'.'; CHUNK - pad] } else { Vec::new() };
            for i in parts {
                bytes.extend_from_slice(&pieces[i % pieces.len()]);
            }
            let want = reference(&n, &bytes);
            proptest::prop_assert_eq!(n.find_all(&bytes), want.clone());
            proptest::prop_assert_eq!(n.hit(&bytes), !want.is_empty());
        }
    }

    proptest::proptest! {
        /// Whatever a line is made of, a line whose skeleton holds a needle is never skipped:
        /// `kaspersky` written letter by letter in any of its forms (ASCII in either case,
        /// accented, full-width, styled, look-alike), with invisible characters or marks between
        /// letters, amid noise.
        #[test]
        fn a_line_whose_skeleton_holds_a_needle_is_kept(
            before in proptest::collection::vec(0usize..NOISE.len(), 0..6),
            forms in proptest::collection::vec(0usize..64, 9),
            between in proptest::collection::vec(0usize..BETWEEN.len(), 9),
            after in proptest::collection::vec(0usize..NOISE.len(), 0..6),
        ) {
            static P: std::sync::LazyLock<TextPrefilter> = std::sync::LazyLock::new(|| {
                TextPrefilter::new(["kaspersky", "securelist"], ["kaspersky"])
            });
            let mut line: String = before.iter().map(|&i| NOISE[i]).collect();
            for (k, letter) in "kaspersky".chars().enumerate() {
                let (_, variants) = FORMS.iter().find(|(l, _)| *l == letter).expect("a form");
                line.push_str(variants[forms[k] % variants.len()]);
                line.push_str(BETWEEN[between[k]]);
            }
            line.extend(after.iter().map(|&i| NOISE[i]));
            let (mut skel, mut at) = (String::new(), Vec::new());
            crate::text::normalize::skeleton(&line, &mut skel, &mut at);
            if !P.skeleton_hits(&skel).is_empty() {
                proptest::prop_assert!(P.may_hold(&line), "{:?} folds to {:?}", line, skel);
            }
        }
    }

    /// Each letter of `kaspersky` in the forms the property writes it in.
    const FORMS: &[(char, &[&str])] = &[
        ('k', &["k", "K", "ķ", "Ｋ", "𝐤", "к", "κ", "ⓚ"]),
        ('a', &["a", "A", "á", "å", "ａ", "𝐚", "а", "α", "ã", "ª"]),
        ('s', &["s", "S", "ś", "ｓ", "ѕ", "ⓢ", "š"]),
        ('p', &["p", "P", "ṕ", "ｐ", "р", "ρ"]),
        ('e', &["e", "E", "é", "ë", "ｅ", "е", "ε", "ê"]),
        ('r', &["r", "R", "ŕ", "ｒ", "г", "ř"]),
        ('y', &["y", "Y", "ý", "ÿ", "ｙ", "у", "ỳ"]),
    ];
    /// What the property puts between letters: mostly nothing.
    const BETWEEN: &[&str] = &[
        "", "", "", "", "", "\u{200B}", "\u{00AD}", "\u{2060}", "\u{0301}", "\u{FE0F}",
    ];
    /// Noise around the name: separators, Latin-1 letters, ideographs, digits.
    const NOISE: &[&str] = &[
        " ", ".", "—", "’", "ã", "Â", "³", "µ", "ﬀ", "卡", "3", "0", "ß", "ø", "©", "x",
    ];

    #[test]
    fn a_hit_across_a_chunk_boundary_is_found_once() {
        let p = TextPrefilter::new(["kaspersky"], ["kaspersky"]);
        for planted in ["Kaspersky", "K.a.s.p", "k   a   s"] {
            for at in FAST_CHUNK - 12..FAST_CHUNK + 3 {
                let mut text = vec![b'x'; FAST_CHUNK * 2 + 100];
                text[at - 1] = b' ';
                text[at..at + planted.len()].copy_from_slice(planted.as_bytes());
                text[at + planted.len()] = b' ';
                let (mut m, mut out) = (Vec::new(), Vec::new());
                p.text_hits(&text, &mut m, &mut out);
                // Found from its start, and nothing outside it (a long name's last four letters
                // are searched too, for a name split across literals: a second hit inside it).
                assert_eq!(out.first(), Some(&at), "{planted:?} at {at}");
                assert!(
                    out.iter().all(|&o| (at..at + planted.len()).contains(&o)),
                    "{planted:?} at {at}: {out:?}"
                );
                assert!(
                    m.len() <= FAST_CHUNK + 64,
                    "mapped {} bytes at once",
                    m.len()
                );
            }
        }
    }
}
