//! How a file's lines read when the file is of a kind that quotes names rather than claims
//! them: detection rules (YARA, Sigma, Snort/Suricata, ClamAV) and saved web pages (an article's
//! footer names who wrote the article, not who made the package's software); and statements of
//! trademark ownership, which say who owns a mark.

use super::FileName;

/// What kind of text a file is, where that changes what its lines say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileClass {
    /// Its lines are read as usual: a notice attributes, anything else mentions.
    Plain,
    /// A detection rule: its strings and comments quote what it looks for.
    DetectionRule,
    /// A saved web page (HTML with a `<head>` or `<body>`): a notice in it is the page's.
    WebPage,
}

impl FileClass {
    /// The evidence field of a line in a file of this class, which stays a mention.
    pub fn field(self) -> crate::evidence::Field {
        use crate::evidence::Field;
        match self {
            FileClass::Plain => Field::Text,
            FileClass::DetectionRule => Field::DetectionRule,
            FileClass::WebPage => Field::WebPage,
        }
    }
}

/// The class of `text`, a file named `name`.
pub fn classify(name: &str, text: &str) -> FileClass {
    let f = FileName::new(name);
    let head = &text[..floor(text, 16 * 1024)];
    let rule_ext = matches!(
        f.ext.as_str(),
        "yar" | "yara" | "yarac" | "rules" | "ndb" | "ldb" | "hdb" | "hsb" | "sigma"
    );
    let yara = head.contains("condition:") && (head.contains("rule ") || head.contains("strings:"));
    let sigma = matches!(f.ext.as_str(), "yml" | "yaml")
        && head.contains("detection:")
        && head.contains("logsource:");
    let snort = f.ext == "rules" && (head.contains("alert ") || head.contains("msg:"));
    if (rule_ext && (yara || snort || matches!(f.ext.as_str(), "ndb" | "ldb" | "hdb" | "hsb")))
        || yara && matches!(f.ext.as_str(), "" | "txt" | "yar" | "yara")
        || sigma
    {
        return FileClass::DetectionRule;
    }
    if matches!(f.ext.as_str(), "html" | "htm" | "xhtml" | "mht" | "mhtml") {
        let lower = head.to_ascii_lowercase();
        if (lower.contains("<html") || lower.contains("<!doctype html"))
            && (lower.contains("<head") || lower.contains("<body"))
        {
            return FileClass::WebPage;
        }
    }
    FileClass::Plain
}

/// Whether `line` states who owns a trademark (`X is a registered trademark of AO Kaspersky
/// Lab`, `… are trademarks of their respective owners`, `™`/`®` after the name), or disclaims a
/// tie (`not affiliated with`, `not endorsed by`): a mention of the owner, not a notice of who
/// made the thing.
pub fn is_trademark_statement(line: &str) -> bool {
    let l = line.to_lowercase();
    [
        "trademark of",
        "trademarks of",
        "trade mark of",
        "trade marks of",
        "registered trademark",
        "is a trademark",
        "are trademarks",
        "товарный знак",
        "товарные знаки",
        "not affiliated with",
        "not endorsed by",
        "no affiliation with",
        "not associated with",
        "tested with",
        "compatible with",
    ]
    .iter()
    .any(|p| l.contains(p))
}

/// Whether `line` says the thing it names is *not* there, or thanks someone rather than
/// crediting a maker: a compliance statement (`this product no longer contains software
/// developed by <maker>`, `Removed the bundled engine (Copyright (c) <maker>)`, `(not
/// included)`) or an acknowledgement (`Jane Roe (<maker>) for reporting CVE-…`). Such a line
/// mentions, even in a notice file or with a notice word in it.
pub fn is_disclaimer(line: &str) -> bool {
    let l = line.to_lowercase();
    [
        "no longer contain",
        "no longer include",
        "no longer ship",
        "no longer bundle",
        "no longer use",
        "does not contain",
        "do not contain",
        "doesn't contain",
        "does not include",
        "doesn't include",
        "does not ship",
        "not included",
        "removed the",
        "was removed",
        "were removed",
        "been removed",
        "for reporting",
        "reported",
        "thanks to",
        "больше не содержит",
    ]
    .iter()
    .any(|p| l.contains(p))
}

/// Whether `line` is a test's assertion whose string literal holds a notice word
/// (`assert!(is_notice("Copyright (c) 2024 <maker>"))`, `expect(f("Developed by <maker>"))`):
/// a test's input, quoted, not a notice of the file it is in.
pub fn is_asserted_literal(line: &str) -> bool {
    let l = line.to_lowercase();
    let Some(quote) = l.find(['"', '\'', '`']) else {
        return false;
    };
    ["assert", "expect(", ".should", "check_eq", "require."]
        .iter()
        .any(|t| l[..quote].contains(t))
        && crate::evidence::notice::NOTICE_BEFORE
            .iter()
            .any(|w| l[quote..].contains(w))
}

fn floor(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
