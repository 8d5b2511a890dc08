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

fn floor(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
