//! Report stage, escaping: any text from the checked project or a list (file, package and
//! archive member names, evidence, paths) → text safe to print on a terminal.
//!
//! A file name holding `ESC[1A ESC[2K` erases report lines; a bidi override (U+202E) shows
//! `kaspersky` as something else; a zero-width space hides a break. Every control character
//! (C0, DEL, C1) and every invisible format character becomes a visible `\u{…}` escape, so
//! what is printed is what is there.

use std::borrow::Cow;
use std::fmt;

/// Whether `c` cannot be shown as itself on a terminal.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'                    // soft hyphen
            | '\u{034F}'                  // combining grapheme joiner
            | '\u{061C}'                  // Arabic letter mark
            | '\u{115F}' | '\u{1160}'     // Hangul fillers
            | '\u{17B4}' | '\u{17B5}'     // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}'     // Mongolian selectors and vowel separator
            | '\u{200B}'..='\u{200F}'     // zero-width space, joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}'     // line and paragraph separators
            | '\u{202A}'..='\u{202E}'     // bidi embeddings and overrides
            | '\u{2060}'..='\u{206F}'     // word joiner, invisible operators, bidi isolates
            | '\u{3164}'                  // Hangul filler
            | '\u{FE00}'..='\u{FE0F}'     // variation selectors
            | '\u{FEFF}'                  // zero-width no-break space (BOM)
            | '\u{FFA0}'                  // halfwidth Hangul filler
            | '\u{FFF9}'..='\u{FFFB}'     // interlinear annotation
            | '\u{1D173}'..='\u{1D17A}'   // musical formatting
            | '\u{E0000}'..='\u{E0FFF}' // tags, variation selectors supplement
        )
}

/// `s` with every hidden character written as `\u{hex}`; borrowed when there is none.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A message of several lines (an error quoting a file): each line escaped, the line breaks
/// kept.
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_hidden(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.split('\n').map(escape).collect::<Vec<_>>().join("\n"))
}

/// Displays its text escaped: `format!("{}", Esc(name))`.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(self.0))
    }
}

/// Text output (human, Markdown) made safe for a CI log, where the runner reads any line of
/// standard output that starts with `::` as a workflow command (GitHub Actions trims the line
/// first) and the older `##[` form anywhere in a line. No line of these reports starts with
/// `::` of the tool's own making, so such a line carries package text: its first colon is
/// written `\u{3a}`, as hidden characters are; every `##[` becomes `#\u{23}[`.
pub fn defuse_text(s: &str) -> Cow<'_, str> {
    let starts_command = |l: &str| l.trim_start().starts_with("::");
    if !s.contains("##[") && !s.split('\n').any(starts_command) {
        return Cow::Borrowed(s);
    }
    let lines: Vec<String> = s
        .split('\n')
        .map(|l| {
            let mut l = l.replace("##[", "#\\u{23}[");
            if starts_command(&l) {
                let at = l.len() - l.trim_start().len();
                l.replace_range(at..at + 1, "\\u{3a}");
            }
            l
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// JSON output (JSON, SARIF) made safe for a terminal and a CI log without changing what it
/// says: every hidden character (bidi overrides, ESC, zero-width ones) that the serialiser
/// left raw inside a string becomes its `\uXXXX` escape, and `##[` becomes `\u0023#[`. Both
/// can occur only inside JSON strings, where the escapes mean the very same characters.
pub fn defuse_json(s: &str) -> Cow<'_, str> {
    // Line breaks and tabs outside strings are the document's layout (inside a string the
    // serialiser has escaped them already).
    let hidden = |c: char| is_hidden(c) && !matches!(c, '\n' | '\r' | '\t');
    if !s.contains("##[") && !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.replace("##[", "\\u0023#[").chars() {
        if hidden(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_cannot_start_from_report_text() {
        let raw = "```text\nAO Kaspersky Lab\n  ::warning file=x::pwned\nok ##[error]y\n```";
        let safe = defuse_text(raw);
        assert_eq!(
            safe,
            "```text\nAO Kaspersky Lab\n  \\u{3a}:warning file=x::pwned\nok #\\u{23}[error]y\n```"
        );
        for line in safe.lines() {
            assert!(!line.trim_start().starts_with("::") && !line.contains("##["));
        }
        assert!(matches!(defuse_text("a: b::c\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_meaning_without_raw_hidden_characters() {
        let doc = serde_json::json!({
            "file": "evil\u{202e}txt.exe",
            "text": "\u{1b}[2K ##[warning]x \u{e0041}",
        });
        let out = serde_json::to_string_pretty(&doc).unwrap();
        assert!(out.contains('\u{202e}'), "serde_json leaves it raw");
        let safe = defuse_json(&out);
        assert!(
            !safe.chars().any(|c| is_hidden(c) && c != '\n') && !safe.contains("##["),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn hidden_characters_become_visible_escapes() {
        for (raw, shown) in [
            ("plain name-1.0/src/lib.rs", "plain name-1.0/src/lib.rs"),
            ("a\u{1b}[1A\u{1b}[2Kb", "a\\u{1b}[1A\\u{1b}[2Kb"),
            ("tab\tnl\ncr\r", "tab\\u{9}nl\\u{a}cr\\u{d}"),
            ("c1\u{9b}31m del\u{7f}", "c1\\u{9b}31m del\\u{7f}"),
            ("\u{202e}ykspersak\u{202c}", "\\u{202e}ykspersak\\u{202c}"),
            ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
            (
                "kas\u{200b}per\u{feff}sky\u{ad}",
                "kas\\u{200b}per\\u{feff}sky\\u{ad}",
            ),
            ("tag\u{e0041}", "tag\\u{e0041}"),
            // Visible non-ASCII stays as it is.
            ("Лаборатория Касперского ©", "Лаборатория Касперского ©"),
        ] {
            assert_eq!(escape(raw), shown, "{raw:?}");
            assert_eq!(Esc(raw).to_string(), shown);
        }
        assert!(matches!(escape("clean"), Cow::Borrowed(_)));
        assert_eq!(escape_lines("a\u{1b}\nb\tc"), "a\\u{1b}\nb\\u{9}c");
        assert!(matches!(escape_lines("two\nlines"), Cow::Borrowed(_)));
    }
}
