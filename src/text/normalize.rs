//! Normalisation: raw text (evidence or identifiers) → canonical tokens and legal forms; hosts,
//! URLs and e-mail addresses are read in `web.rs` and re-exported here.
//!
//! Evidence is written by people who may disguise a name, or by tools that mangle it: full-width
//! forms, zero-width characters, Cyrillic letters that look Latin, Russian spelling, dotted
//! letters. Both the evidence and the list's identifiers go through [`normalize`], so comparing
//! them is comparing tokens. The rules are deliberately narrow: they undo disguises without
//! merging words that are really different (`kaspa`, `kas`, `Kasper Skyum`, `KasperSkytte`).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::chars::{homoglyph, is_invisible};
pub use super::web::{host_matches, host_suffixes, normalize_host, parse_email, parse_url_like};

/// Latin letters whose diacritics are stripped (ASCII and the Latin-1 to Latin Extended-B blocks).
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{00C0}'..='\u{024F}')
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}')
}

fn is_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}')
}

/// The Latin letter (lower case) a letter of another script imitates, by the Unicode
/// confusables data (Cherokee `Ꮶ`, Lisu `ꓗ`, Coptic `Ⲕ`, Runic `ᛕ` → `k`). Read before lower
/// case is taken, which would turn `Ꮶ` into `ꮶ`, a letter nothing imitates. Latin, Cyrillic and
/// Greek letters are not read here: they decompose, transliterate or map inside mixed words.
fn other_script_letter(c: char) -> Option<char> {
    if c.is_ascii() || is_latin(c) || is_cyrillic(c) || is_greek(c) {
        return None;
    }
    super::confusables::letter(c).map(char::from)
}

/// Russian, Ukrainian and Belarusian letters (lower case) to Latin, one fixed scheme chosen so
/// that the usual English spellings come out (`Касперский` → `kaspersky`, see [`translit_word`]).
fn translit(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        'ў' => "u",
        _ => "",
    }
}

/// Transliterates an all-Cyrillic lower-case word. Word-final `ий`/`ый`/`ій` become `y`, as in
/// the English spellings of Russian surnames (`Касперский` → `kaspersky`).
fn translit_word(word: &str, out: &mut String) {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        if i + 2 == n && matches!(chars[i], 'и' | 'ы' | 'і') && chars[i + 1] == 'й' {
            out.push('y');
            return;
        }
        let t = translit(chars[i]);
        if t.is_empty() && !matches!(chars[i], 'ъ' | 'ь') {
            // Not a Russian letter (another Cyrillic language's): keep a look-alike if there is one.
            if let Some(l) = homoglyph(chars[i]) {
                out.push(l);
            }
        } else {
            out.push_str(t);
        }
        i += 1;
    }
}

/// Adjectival endings of `-ский`/`-цкий` words in every case, gender and number, longest first.
const ADJECTIVAL: &[&str] = &[
    "ими", "ого", "ому", "ую", "ая", "ое", "ой", "ом", "им", "ие", "их", "ый", "ий", "ою",
];

/// Case endings of nouns in `-ия` (`Лаборатория`), longest first.
const IYA_NOUN: &[&str] = &["иями", "иях", "иям", "ией", "иею", "ии", "ию", "ия"];

/// A Russian word in any grammatical case, read as its nominative for the two declension
/// classes the listed names are made of, so that a name matches whichever case a sentence puts
/// it in (`Лабораторией Касперского`, `Лаборатории Касперского` are `Лаборатория Касперский`):
/// - adjectival surnames and brands in `-ский`/`-цкий` (`Касперского`, `Касперскому`,
///   `Касперским`, `Касперская` → `Касперский`), the stem before `ск`/`цк` at least three letters;
/// - feminine nouns in `-ия` (`Лаборатории`, `Лабораторию`, `Лабораторией` → `Лаборатория`), the
///   stem at least four letters.
///
/// Both the list's names and the text are read through it, so the rule needs no list of forms;
/// other words are left as they are.
fn fold_russian_case(word: &str) -> std::borrow::Cow<'_, str> {
    for mid in ["ск", "цк"] {
        for end in ADJECTIVAL {
            if let Some(stem) = word.strip_suffix(end)
                && let Some(base) = stem.strip_suffix(mid)
                && base.chars().count() >= 3
            {
                return format!("{base}{mid}ий").into();
            }
        }
    }
    for end in IYA_NOUN {
        if let Some(stem) = word.strip_suffix(end)
            && stem.chars().count() >= 4
        {
            return format!("{stem}ия").into();
        }
    }
    word.into()
}

/// Folds the Latin transliterations of a `-ский`/`-цкий` adjective's endings, in every case,
/// gender and number and in the usual romanisations (BGN/PCGN, ISO 9, scholarly), to the
/// nominative's `y`: `Kasperskiy`, `Kasperskij`, `Kasperskii`, and `Kasperskogo` (genitive, as
/// in `Laboratoriya Kasperskogo`), `Kasperskomu`, `Kasperskim`, `Kasperskaya`, `Kasperskoye`…,
/// as [`fold_russian_case`] does for Cyrillic words. Deliberately narrow: only those endings,
/// only after `sk`/`ck` with three letters or more before them, so that no ordinary English
/// word changes.
fn fold_latin_ending(word: &mut String) {
    /// Longest first.
    const ENDINGS: &[&str] = &[
        "ikh", "ykh", "imi", "ymi", "ogo", "omu", "aya", "aja", "aia", "oye", "oje", "uyu", "uju",
        "uiu", "iye", "ije", "iy", "ij", "ii", "yy", "yj", "yi", "im", "ym", "om", "oy", "oj",
        "oi", "oe", "ie", "ix",
    ];
    // Every ending is at most three letters after `sk`/`ck`: most words end without either.
    let b = word.as_bytes();
    let tail = &b[b.len().saturating_sub(5)..];
    if b.len() < 7 || !tail.windows(2).any(|w| w == b"sk" || w == b"ck") {
        return;
    }
    for ending in ENDINGS {
        if word.len() > ending.len() + 4 && word.ends_with(ending) {
            let stem = &word[..word.len() - ending.len()];
            if stem.ends_with("sk") || stem.ends_with("ck") {
                word.truncate(word.len() - ending.len());
                word.push('y');
                return;
            }
        }
    }
}

/// Canonical form of free text: lower-case Latin tokens separated by single spaces.
///
/// Steps: NFKC; invisible characters removed; diacritics stripped (NFD, combining marks dropped);
/// lower case; in words mixing Latin with Cyrillic or Greek, the look-alikes mapped to Latin;
/// all-Cyrillic words transliterated; all-Greek words mapped letter by letter where they look
/// Latin; `-skiy/-skij/-skii` folded to `-sky`; punctuation and symbols become separators; a run
/// of three or more single letters is joined into one word (`K.a.s.p.e.r.s.k.y`,
/// `K a s p e r s k y` → `kaspersky`; two initials stay apart).
pub fn normalize(text: &str) -> String {
    let text = &*without_controls(text);
    if text.is_ascii() {
        let mut out = String::with_capacity(text.len());
        ascii_tokens(text, |t| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
        });
        return out;
    }
    tokens_general(text).join(" ")
}

/// [`normalize`], as tokens.
pub fn tokens(text: &str) -> Vec<String> {
    let text = &*without_controls(text);
    if text.is_ascii() {
        let mut out = Vec::new();
        ascii_tokens(text, |t| out.push(t.to_string()));
        return out;
    }
    tokens_general(text)
}

/// `text` without its ASCII control characters that render as nothing and the control
/// sequences a terminal shows as nothing (see [`super::chars::hidden_run`]); borrowed when it
/// has none, the common case. `Kas\x01persky` and `Kas\x1b[0mpersky` are the word `kaspersky`,
/// as [`skeleton`] reads them.
fn without_controls(text: &str) -> std::borrow::Cow<'_, str> {
    use super::chars::{hidden_run, is_hidden_ascii};
    if !text.bytes().any(is_hidden_ascii) {
        return std::borrow::Cow::Borrowed(text);
    }
    // What is dropped is ASCII, so every cut falls between characters.
    let b = text.as_bytes();
    let (mut out, mut kept, mut i) = (String::with_capacity(text.len()), 0, 0);
    while i < b.len() {
        let n = hidden_run(&b[i..]);
        if n == 0 {
            i += 1;
            continue;
        }
        out.push_str(&text[kept..i]);
        i += n;
        kept = i;
    }
    out.push_str(&text[kept..]);
    std::borrow::Cow::Owned(out)
}

/// [`tokens`] of plain ASCII text, each token handed to `emit` in order, in one pass and
/// without a String per word: lower case, letters and digits make words, everything else
/// separates, a run of three or more single letters is joined, and `-skiy/-skij/-skii` is
/// folded, exactly as [`tokens_general`] reads the same text (a property test holds them equal).
fn ascii_tokens(text: &str, mut emit: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    // The pending run of single letters, and the current word (lower case).
    let mut run = String::new();
    let mut word = String::new();
    let flush_run = |run: &mut String, emit: &mut dyn FnMut(&str)| {
        if run.len() >= 3 {
            fold_latin_ending(run);
            emit(run);
        } else {
            for i in 0..run.len() {
                emit(&run[i..i + 1]);
            }
        }
        run.clear();
    };
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i - start == 1 && bytes[start].is_ascii_alphabetic() {
            run.push(char::from(bytes[start].to_ascii_lowercase()));
            continue;
        }
        flush_run(&mut run, &mut emit);
        word.clear();
        word.push_str(&text[start..i]);
        word.make_ascii_lowercase();
        fold_latin_ending(&mut word);
        emit(&word);
    }
    flush_run(&mut run, &mut emit);
}

/// [`tokens`] of any text (the path of all non-ASCII text; ASCII text takes [`ascii_tokens`],
/// which gives the same tokens).
fn tokens_general(text: &str) -> Vec<String> {
    let text = &*without_controls(text);
    // Plain ASCII needs no Unicode work (the reference that `ascii_tokens` is tested against).
    let cleaned: String = if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        let nfkc: String = text.nfkc().filter(|c| !is_invisible(*c)).collect();
        // Strip diacritics from Latin letters only (`å` → `a`); Cyrillic `й` must stay `й`.
        let mut base_is_latin = false;
        nfkc.nfd()
            .filter(|&c| {
                if is_combining_mark(c) {
                    !base_is_latin
                } else {
                    base_is_latin = is_latin(c);
                    true
                }
            })
            .collect::<String>()
            .nfc()
            .flat_map(|c| {
                let letter = other_script_letter(c);
                letter
                    .into_iter()
                    .chain(c.to_lowercase().filter(move |_| letter.is_none()))
            })
            .collect()
    };

    // Split into words (letters and digits; everything else separates). Scripts written without
    // spaces (Chinese, Japanese, Korean) have no word boundaries to find: each of their
    // characters is a word of its own, so a name in them is found as a run of characters.
    let words: Vec<&str> = cleaned
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(split_unspaced)
        .collect();

    // A run of three or more single letters is a spelled-out word, whatever separated them
    // (`K.a.s.p.e.r.s.k.y`, `k a s p e r s k y`). The run is joined *before* it is made
    // canonical, so that a look-alike letter among Latin ones is read as the Latin letter it
    // imitates (`k.a.s.р.e.r…` with a Cyrillic `р`), as inside a word.
    // Which words are single letters is decided on their canonical form, so that the function
    // stays idempotent (its own output separates with spaces).
    let single = |w: &str| {
        let mut cs = w.chars();
        matches!((cs.next(), cs.next()), (Some(c), None) if c.is_alphabetic() && !is_combining_mark(c) && !is_unspaced(c))
    };
    // Words that vanish (a lone `ъ`) separate nothing: dropped before runs are found.
    let (words, mut canon): (Vec<&str>, Vec<String>) = words
        .iter()
        .map(|w| (*w, canonical_word(w)))
        .filter(|(_, c)| !c.is_empty())
        .unzip();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        while j < words.len() && single(&canon[j]) {
            j += 1;
        }
        if j - i >= 3 {
            out.push(canonical_word(&words[i..j].concat()));
            i = j;
        } else {
            out.push(std::mem::take(&mut canon[i]));
            i += 1;
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

/// Whether `c` belongs to a script written without spaces between words: Han ideographs,
/// Hiragana, Katakana (with its prolonged-sound mark) and Hangul.
pub fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF // Hiragana, Katakana
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // half-width Katakana
        | 0x1100..=0x11FF // Hangul Jamo
        | 0x3130..=0x318F // Hangul compatibility Jamo
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0x20000..=0x3134F // CJK extensions B–H
    )
}

/// Tokens joined for display: by spaces, except between two characters of an unspaced script
/// (`卡 巴 斯 基` is shown as `卡巴斯基`).
pub fn join_tokens(toks: &[String]) -> String {
    let mut out = String::new();
    for (i, t) in toks.iter().enumerate() {
        let glued = i > 0 && t.chars().all(is_unspaced) && toks[i - 1].chars().all(is_unspaced);
        if i > 0 && !glued {
            out.push(' ');
        }
        out.push_str(t);
    }
    out
}

/// A word split so that each character of an unspaced script stands alone
/// (`卡巴斯基sdk` → `卡`, `巴`, `斯`, `基`, `sdk`).
fn split_unspaced(word: &str) -> Vec<&str> {
    if word.is_ascii() || !word.chars().any(is_unspaced) {
        return vec![word];
    }
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if is_unspaced(c) {
            if start < i {
                out.push(&word[start..i]);
            }
            out.push(&word[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

/// One lower-case word → its canonical Latin spelling.
fn canonical_word(w: &str) -> String {
    if w.is_ascii() {
        let mut s = w.to_string();
        fold_latin_ending(&mut s);
        return s;
    }
    let has_latin = w.chars().any(|c| c.is_ascii_alphabetic());
    let has_cyr = w.chars().any(is_cyrillic);
    let has_greek = w.chars().any(is_greek);
    let mut s = String::with_capacity(w.len());
    if has_cyr && !has_latin && !has_greek {
        translit_word(&fold_russian_case(w), &mut s);
    } else {
        for c in w.chars() {
            if c.is_ascii() {
                s.push(c);
            } else if let Some(l) = homoglyph(c) {
                s.push(l);
            } else if is_cyrillic(c) {
                s.push_str(translit(c));
            } else {
                s.push(c);
            }
        }
    }
    // Look-alike mapping can put a combining mark after a Latin letter: strip it, as the
    // diacritics of Latin letters were stripped before.
    if s.chars().any(is_combining_mark) {
        let mut prev_latin = false;
        s = s
            .chars()
            .filter(|&c| {
                let keep = !(is_combining_mark(c) && prev_latin);
                if !is_combining_mark(c) {
                    prev_latin = is_latin(c);
                }
                keep
            })
            .collect();
    }
    fold_latin_ending(&mut s);
    s
}

/// Characters [`skeleton`] takes as written instead of decomposing them.
fn taken_as_is(c: char) -> bool {
    matches!(c,
        '\u{0370}'..='\u{052F}'            // Greek, Cyrillic: made canonical per word
        | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' // CJK ideographs
        | '\u{AC00}'..='\u{D7A3}'           // Hangul syllables (NFKC recomposes them)
        | '\u{2190}'..='\u{23FF}' | '\u{2500}'..='\u{27BF}' // arrows, boxes, dingbats
        | '\u{1F300}'..='\u{1FAFF}'         // emoji
    )
}

/// Bit of an ASCII letter (either case) in a letter mask (`a` = bit 0); 0 for any other byte.
/// The one definition of the masks [`ascii_letters_of`] gives and the prefilter compares.
pub fn letter_bit(b: u8) -> u32 {
    let l = b | 0x20;
    if l.is_ascii_lowercase() {
        1 << (l - b'a')
    } else {
        0
    }
}

/// What [`skeleton`] makes of the non-ASCII character `c`, when that is known to be ASCII
/// letters at most: the letters, as a mask of [`letter_bit`]s. `Some(0)`: none (an invisible
/// character, a separator, a digit such as `³`). `None`: it may make something else (a script
/// taken as written, a letter without an ASCII base such as `ß`, a mark standing alone), and
/// only the whole skeleton says. `é` gives `e`, `Ｋ` gives `k`, `ﬀ` gives `f`. The prefilter
/// uses it to skip lines whose letters cannot spell a needle without folding them.
pub fn ascii_letters_of(c: char) -> Option<u32> {
    if is_invisible(c) {
        return Some(0);
    }
    if c.is_ascii() || taken_as_is(c) {
        return None;
    }
    // As `skeleton` pushes each piece of the decomposition: ASCII letters and digits join the
    // word, a combining mark right after a Latin letter is dropped, anything neither
    // alphanumeric nor a mark separates words; any other piece is not known here.
    let (mut mask, mut known, mut after_letter) = (0u32, true, false);
    unicode_normalization::char::decompose_compatible(c, |d| {
        if !known || is_invisible(d) {
            return;
        }
        if d.is_ascii_alphabetic() {
            mask |= letter_bit(d as u8);
            after_letter = true;
        } else if d.is_ascii_digit() {
            after_letter = false;
        } else if is_combining_mark(d) {
            known = after_letter;
        } else if d.is_alphanumeric() {
            known = false;
        } else {
            after_letter = false;
        }
    });
    known.then_some(mask)
}

/// Every ASCII letter [`skeleton`] may make of the non-ASCII character `c`, wherever it stands,
/// as a mask of [`letter_bit`]s; each character above ASCII it may leave in its place is handed
/// to `leaves`. A bound where [`ascii_letters_of`] has no exact answer: whatever its neighbours,
/// `c` becomes its decomposition's ASCII letters, a letter of another script the confusables
/// data reads as Latin, or, once lower-cased, a look-alike or a transliteration; or it stays
/// as written. A Cyrillic letter also counts the letters of the nominative endings a Russian
/// word is read in (`-ий`, `-ия`: `i`, `y`, `a`). So a line whose letters with these cannot
/// spell a needle, and which leaves none of a needle's own characters, has no needle in its
/// skeleton (`æ`, `ß`, `ð`, `µ`, a spacing accent: the Latin-1 letters of a text read in a code
/// page not its own).
pub fn letters_anywhere(c: char, mut leaves: impl FnMut(char)) -> u32 {
    let mut mask = 0u32;
    let mut letters = |s: &str| {
        for b in s.bytes() {
            mask |= letter_bit(b);
        }
    };
    let mut piece = |d: char| {
        if is_invisible(d) {
            return;
        }
        if d.is_ascii() {
            letters(d.encode_utf8(&mut [0; 4]));
            return;
        }
        leaves(d);
        if let Some(l) = other_script_letter(d) {
            letters(l.encode_utf8(&mut [0; 4]));
        }
        for l in d.to_lowercase() {
            if l.is_ascii() {
                letters(l.encode_utf8(&mut [0; 4]));
                continue;
            }
            leaves(l);
            match homoglyph(l) {
                Some(h) if h.is_ascii() => letters(h.encode_utf8(&mut [0; 4])),
                Some(h) => leaves(h),
                None => {}
            }
            letters(translit(l));
            if is_cyrillic(l) {
                letters("iya");
            }
        }
    };
    if taken_as_is(c) {
        piece(c);
    } else {
        unicode_normalization::char::decompose_compatible(c, piece);
    }
    mask
}

/// The skeleton of a text: its normalised words concatenated, with nothing between them
/// (`K.a.s.p.e.r.s.k.y`, `Kaspersky Lab`, `KASPERSKYLAB`, `Kаsp\u{200B}ersky` all give a string
/// holding `kaspersky`). It is what the deep scan's prefilter searches, so that no spelling on
/// disk decides what reaches [`tokens`]: whenever `tokens(text)` holds a name's tokens in a row,
/// `skeleton(text)` holds their concatenation (the `-skiy` ending aside, which the prefilter's
/// needles leave out). `at[i]` is the byte offset in `text` of the word or character that gave
/// byte `i` of `out`.
///
/// Per character, without the whole-string NFKC of [`tokens`]: ASCII is lower-cased, invisible
/// characters dropped, other characters decomposed (compatibility, so full-width and styled
/// letters become ASCII) with the marks on Latin letters dropped; Cyrillic and Greek letters are
/// kept and each word is then made canonical as [`tokens`] does (look-alikes inside Latin words,
/// transliteration of Cyrillic words). Ideographs, Hangul and emoji are taken as they are.
pub fn skeleton(text: &str, out: &mut String, at: &mut Vec<u32>) {
    out.clear();
    at.clear();
    let mut word = String::new();
    let mut word_start = 0u32;
    let mut word_ascii = true;
    let mut word_at: Vec<u32> = Vec::new();
    let flush = |word: &mut String,
                 word_at: &mut Vec<u32>,
                 word_ascii: &mut bool,
                 word_start: u32,
                 out: &mut String,
                 at: &mut Vec<u32>| {
        if word.is_empty() {
            return;
        }
        if *word_ascii || word_at.len() <= 4 && word.chars().nth(1).is_none() {
            // ASCII, or a single letter (which may be one of a spelled-out run: see
            // `tokens`): taken as written here, made canonical with its neighbours below.
            out.push_str(word);
            at.extend_from_slice(word_at);
        } else {
            let c = canonical_word(word);
            at.extend(std::iter::repeat_n(word_start, c.len()));
            out.push_str(&c);
        }
        word.clear();
        word_at.clear();
        *word_ascii = true;
    };
    let mut prev_latin = false;
    // The end of the run of hidden bytes (controls, control sequences) being passed over.
    let mut hidden_to = 0usize;
    for (i, c) in text.char_indices() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        if (i as usize) < hidden_to {
            continue;
        }
        if c.is_ascii() {
            // A control character, or a control sequence, renders as nothing: the word goes
            // on across it.
            if super::chars::is_hidden_ascii(c as u8) {
                hidden_to = i as usize + super::chars::hidden_run(&text.as_bytes()[i as usize..]);
                continue;
            }
            if c.is_ascii_alphanumeric() {
                if word.is_empty() {
                    word_start = i;
                }
                word.push(c.to_ascii_lowercase());
                word_at.push(i);
                prev_latin = c.is_ascii_alphabetic();
            } else {
                flush(
                    &mut word,
                    &mut word_at,
                    &mut word_ascii,
                    word_start,
                    out,
                    at,
                );
                prev_latin = false;
            }
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        let push = |d: char,
                    word: &mut String,
                    word_at: &mut Vec<u32>,
                    word_ascii: &mut bool,
                    out: &mut String,
                    at: &mut Vec<u32>,
                    word_start: &mut u32,
                    prev_latin: &mut bool| {
            if is_combining_mark(d) {
                if *prev_latin || word.is_empty() {
                    return;
                }
            } else if !d.is_alphanumeric() {
                flush(word, word_at, word_ascii, *word_start, out, at);
                *prev_latin = false;
                return;
            }
            if word.is_empty() {
                *word_start = i;
            }
            if let Some(l) = other_script_letter(d) {
                *prev_latin = true;
                word.push(l);
                word_at.push(i);
                return;
            }
            *prev_latin = is_latin(d);
            for l in d.to_lowercase() {
                if l.is_ascii() {
                    word.push(l);
                    word_at.push(i);
                } else {
                    let mut b = [0u8; 4];
                    let s = l.encode_utf8(&mut b);
                    word.push_str(s);
                    word_at.extend(std::iter::repeat_n(i, s.len()));
                    *word_ascii = false;
                }
            }
        };
        if taken_as_is(c) {
            push(
                c,
                &mut word,
                &mut word_at,
                &mut word_ascii,
                out,
                at,
                &mut word_start,
                &mut prev_latin,
            );
        } else {
            unicode_normalization::char::decompose_compatible(c, |d| {
                if !is_invisible(d) {
                    push(
                        d,
                        &mut word,
                        &mut word_at,
                        &mut word_ascii,
                        out,
                        at,
                        &mut word_start,
                        &mut prev_latin,
                    );
                }
            });
        }
    }
    flush(
        &mut word,
        &mut word_at,
        &mut word_ascii,
        word_start,
        out,
        at,
    );
    // Single Cyrillic or Greek letters left as written: spelled-out letters, read as the Latin
    // letter they imitate next to Latin ones, transliterated otherwise (as `tokens` reads the
    // joined run).
    if !out.is_ascii() && out.chars().any(|c| is_cyrillic(c) || is_greek(c)) {
        let chars: Vec<(usize, char)> = out.char_indices().collect();
        let (mut o, mut a) = (
            String::with_capacity(out.len()),
            Vec::with_capacity(at.len()),
        );
        for (k, &(i, c)) in chars.iter().enumerate() {
            let latin_near = [k.checked_sub(1), Some(k + 1)]
                .into_iter()
                .flatten()
                .filter_map(|n| chars.get(n))
                .any(|&(_, n)| n.is_ascii_alphabetic());
            let mapped: String = if !(is_cyrillic(c) || is_greek(c)) {
                c.to_string()
            } else if latin_near && let Some(l) = homoglyph(c) {
                l.to_string()
            } else if is_cyrillic(c) {
                translit(c).to_string()
            } else {
                homoglyph(c).map_or_else(|| c.to_string(), |l| l.to_string())
            };
            a.extend(std::iter::repeat_n(at[i], mapped.len()));
            o.push_str(&mapped);
        }
        *out = o;
        *at = a;
    }
}

/// Legal-form tokens (after normalisation, so `АО` arrives as `ao`).
const LEGAL_FORMS: &[&str] = &[
    "ao",
    "zao",
    "oao",
    "pao",
    "ooo",
    "jsc",
    "cjsc",
    "ojsc",
    "pjsc",
    "llc",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "gmbh",
    "ag",
    "plc",
    "sa",
    "sarl",
    "bv",
    "nv",
    "ab",
    "oy",
    "kk",
    "llp",
    "lp",
    "pte",
    "pty",
    "srl",
    "spa",
    "sro",
    "kft",
    "zrt",
    "sp",
    "zoo",
];

/// Spelled-out Russian legal forms, as tokens after transliteration.
const LEGAL_PHRASES: &[&[&str]] = &[
    &["zakrytoe", "aktsionernoe", "obshchestvo"],
    &["otkrytoe", "aktsionernoe", "obshchestvo"],
    &["publichnoe", "aktsionernoe", "obshchestvo"],
    &["aktsionernoe", "obshchestvo"],
    &["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
    &["joint", "stock", "company"],
    &["limited", "liability", "company"],
];

/// Whether a normalised token is a legal form (`ao`, `ooo`, `ltd`, `gmbh`…).
pub fn is_legal_form(token: &str) -> bool {
    legal_form_id(token).is_some()
}

/// A legal-form token as a small number ([`legal_form`] gives it back). A table look-up: every
/// word of every name of a whole screening list is asked about several times.
pub fn legal_form_id(token: &str) -> Option<u16> {
    static INDEX: std::sync::OnceLock<
        std::collections::HashMap<&'static str, u16, foldhash::fast::FixedState>,
    > = std::sync::OnceLock::new();
    // Legal forms are short: longer words never need the table.
    if token.len() > MAX_LEGAL_FORM_LEN {
        return None;
    }
    INDEX
        .get_or_init(|| {
            LEGAL_FORMS
                .iter()
                .enumerate()
                .map(|(i, f)| (*f, i as u16))
                .collect()
        })
        .get(token)
        .copied()
}

/// The length of the longest legal-form token.
const MAX_LEGAL_FORM_LEN: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < LEGAL_FORMS.len() {
        if LEGAL_FORMS[i].len() > max {
            max = LEGAL_FORMS[i].len();
        }
        i += 1;
    }
    max
};

/// The legal-form token of a [`legal_form_id`].
pub fn legal_form(id: u16) -> &'static str {
    LEGAL_FORMS.get(usize::from(id)).copied().unwrap_or("")
}

/// Removes legal-form tokens and spelled-out legal forms wherever they occur.
pub fn strip_legal_forms(tokens: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    'outer: while i < tokens.len() {
        for phrase in LEGAL_PHRASES {
            if tokens.len() - i >= phrase.len()
                && tokens[i..i + phrase.len()]
                    .iter()
                    .zip(phrase.iter())
                    .all(|(a, b)| a == b)
            {
                i += phrase.len();
                continue 'outer;
            }
        }
        if !is_legal_form(&tokens[i]) {
            out.push(tokens[i].clone());
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests;
