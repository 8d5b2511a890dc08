//! Characters that disguise text: those that render as nothing, and the look-alikes of Latin
//! letters. Shared by the normaliser and host-name reading.

/// Characters that render as nothing (or nearly) and are stripped: control characters other
/// than the white space that breaks a line or a word (tab, line and page breaks), so a NUL, an
/// ESC or a C1 control inside `Kas\x01persky` (which `cat` shows as `Kaspersky`) joins the
/// word; Unicode format characters (category Cf: zero-width space/joiners, word joiner, BOM,
/// bidi controls, soft hyphen, tags), variation selectors, the combining grapheme joiner,
/// Hangul fillers and Mongolian separators; and the Unicode line and paragraph separators, which
/// `grep`, `git diff` and most editors show as nothing inside one line.
pub(super) fn is_invisible(c: char) -> bool {
    if c.is_ascii() {
        return is_hidden_ascii(c as u8);
    }
    matches!(c,
        '\u{0080}'..='\u{009F}'
        | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2028}' | '\u{2029}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}' | '\u{110CD}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}'
    )
}

/// The ASCII bytes `is_invisible` strips: the control characters but tab, line feed,
/// vertical tab, form feed and carriage return.
#[inline]
pub fn is_hidden_ascii(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0e..=0x1f | 0x7f)
}

/// How many bytes of `b`, which starts with ESC, a terminal shows as nothing: a whole control
/// sequence (`ESC [`, parameter bytes `0`-`?`, intermediate bytes ` `-`/`, a final byte `@`-`~`,
/// as colours are written: `Kas\x1b[0mpersky` shows `Kaspersky`), else the ESC alone.
fn escape_len(b: &[u8]) -> usize {
    if b.get(1) != Some(&b'[') {
        return 1;
    }
    let mut i = 2;
    while i < b.len().min(32) && (0x30..=0x3f).contains(&b[i]) {
        i += 1;
    }
    while i < b.len().min(32) && (0x20..=0x2f).contains(&b[i]) {
        i += 1;
    }
    match b.get(i) {
        Some(0x40..=0x7e) => i + 1,
        _ => 1,
    }
}

/// The length of the run at the start of `b` that renders as nothing: control bytes
/// ([`is_hidden_ascii`]) and whole control sequences (`ESC [` … a final byte, as colours are
/// written); 0 if `b` does not start with one.
pub fn hidden_run(b: &[u8]) -> usize {
    let mut i = 0;
    while i < b.len() && is_hidden_ascii(b[i]) {
        i += if b[i] == 0x1b { escape_len(&b[i..]) } else { 1 };
    }
    i
}

/// Cyrillic and Greek letters (lower case) that look like a Latin letter, and other Latin-looking
/// symbols. Used inside mixed-script words, where they can only be a disguise.
pub(super) fn homoglyph(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'ё' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'ѕ' => 's',
        'і' => 'i',
        'ї' => 'i',
        'ј' => 'j',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'һ' => 'h',
        'ӏ' => 'l',
        'ɡ' => 'g',
        'ү' => 'y',
        'ց' => 'g',
        'օ' => 'o',
        'ս' => 'u',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ω' => 'w',
        'ς' => 's',
        'σ' => 'o',
        'γ' => 'y',
        'ϲ' => 'c',
        'ϳ' => 'j',
        'ζ' => 'z',
        // Latin-looking letters of other blocks
        'ı' => 'i',
        'ȷ' => 'j',
        'ℓ' => 'l',
        'ſ' => 's',
        'ɑ' => 'a',
        'ɩ' => 'i',
        'ʏ' => 'y',
        'ᴋ' => 'k',
        // Any other character the Unicode confusables data reads as one Latin letter.
        _ => return super::confusables::letter(c).map(char::from),
    })
}
