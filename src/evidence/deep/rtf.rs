//! Evidence stage, deep scan, text: an RTF document read as it renders.
//!
//! A vendor's licence agreement often ships as RTF, and what RTF writers store is not the text a
//! reader sees: letters outside ASCII are escapes (`\'ca\'e0\'f1` in the document's code page,
//! or in the code page of the font's character set; `\u1050?` for a Unicode character), a word
//! may be split by formatting (`Kas{\b per}sky`) or by an optional hyphen (`Kas\-persky`), and
//! the writer breaks source lines wherever it likes. Read as bytes, `© АО «Лаборатория
//! Касперского»` written by WordPad holds no letter of the name; `rg -i` finds nothing either.
//!
//! No crate on the registry this project uses does this without pulling in a browser binding
//! layer, and what is needed is small (RTF 1.9.1, "Conventions of an RTF Reader"): text,
//! escapes, code pages, and skipping the groups that hold no text (font and colour tables,
//! style sheets, pictures, embedded objects, and `\*` destinations a reader may ignore). The
//! document information group (`\info`: title, author, company) is kept: it says who wrote it.

use std::collections::HashMap;

use encoding_rs::Encoding;

use super::rendered::Rendered;

/// The groups that hold no text a reader sees (RTF 1.9.1 destinations), when they open a group.
const SKIPPED: &[&str] = &[
    "colortbl",
    "stylesheet",
    "listtable",
    "listoverridetable",
    "revtbl",
    "rsidtbl",
    "filetbl",
    "pict",
    "object",
    "objdata",
    "datastore",
    "themedata",
    "colorschememapping",
    "latentstyles",
    "xmlnstbl",
    "fldinst",
];

/// The code page of an RTF character set (`\fcharsetN`), where it is not the document's.
fn charset(n: i32) -> Option<&'static Encoding> {
    Some(match n {
        128 => encoding_rs::SHIFT_JIS,
        129 => encoding_rs::EUC_KR,
        134 => encoding_rs::GBK,
        136 => encoding_rs::BIG5,
        161 => encoding_rs::WINDOWS_1253,
        162 => encoding_rs::WINDOWS_1254,
        163 => encoding_rs::WINDOWS_1258,
        177 => encoding_rs::WINDOWS_1255,
        178 => encoding_rs::WINDOWS_1256,
        186 => encoding_rs::WINDOWS_1257,
        204 => encoding_rs::WINDOWS_1251,
        222 => encoding_rs::WINDOWS_874,
        238 => encoding_rs::WINDOWS_1250,
        _ => return None,
    })
}

/// The encoding of a Windows code page (`\ansicpgN`).
fn code_page(n: i32) -> &'static Encoding {
    u16::try_from(n)
        .ok()
        .and_then(codepage::to_encoding)
        .unwrap_or(encoding_rs::WINDOWS_1252)
}

/// Whether `b` begins a two-byte character in `cp` (Shift_JIS's single-byte katakana do not).
fn double_byte_lead(cp: &'static Encoding, b: u8) -> bool {
    if cp == encoding_rs::SHIFT_JIS {
        matches!(b, 0x81..=0x9f | 0xe0..=0xfc)
    } else {
        [encoding_rs::GBK, encoding_rs::BIG5, encoding_rs::EUC_KR].contains(&cp) && b >= 0x81
    }
}

/// What a group sets, restored when it closes.
#[derive(Clone, Copy)]
struct Group {
    /// Characters to pass over after a `\uN` (`\ucN`).
    uc: usize,
    /// The code page of `\'hh` bytes and of bytes above ASCII.
    cp: &'static Encoding,
    /// Nothing in it renders.
    hidden: bool,
    /// The font table: its fonts' character sets are read, its text is not shown.
    fonts: bool,
}

/// `bytes` rendered, if they are an RTF document (`{\rtf`): its paragraphs one per line.
pub(super) fn render(bytes: &[u8]) -> Option<Rendered> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let bytes = bytes[start..]
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes[start..]);
    if !bytes.starts_with(b"{\\rtf") {
        return None;
    }
    let mut r = Reader {
        out: Rendered::new(),
        pending: Vec::new(),
        lead: false,
        line: 1,
        skip: 0,
        doc_cp: encoding_rs::WINDOWS_1252,
        fonts: HashMap::new(),
        font_defined: None,
    };
    let mut stack: Vec<Group> = Vec::new();
    let mut g = Group {
        uc: 1,
        cp: encoding_rs::WINDOWS_1252,
        hidden: false,
        fonts: false,
    };
    // Whether the last token opened a group (a destination's control word comes first in it).
    let mut opened = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            b'{' => {
                r.flush(&g);
                stack.push(g);
                opened = true;
                continue;
            }
            b'}' => {
                r.flush(&g);
                if let Some(outer) = stack.pop() {
                    g = outer;
                }
                r.skip = 0;
            }
            b'\n' => r.line += 1,
            b'\r' => {}
            b'\\' => {
                let Some(&c) = bytes.get(i) else { break };
                if c.is_ascii_alphabetic() {
                    let word_end = bytes[i..]
                        .iter()
                        .position(|b| !b.is_ascii_alphabetic())
                        .map_or(bytes.len(), |n| i + n);
                    let word = std::str::from_utf8(&bytes[i..word_end]).unwrap_or("");
                    let mut j = word_end;
                    let negative = bytes.get(j) == Some(&b'-');
                    if negative {
                        j += 1;
                    }
                    let digits = bytes[j..]
                        .iter()
                        .take(10)
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    let param = std::str::from_utf8(&bytes[j..j + digits])
                        .ok()
                        .and_then(|s| s.parse::<i32>().ok())
                        .map(|n| if negative { -n } else { n });
                    i = if digits > 0 { j + digits } else { word_end };
                    // One space ends a control word and is part of it.
                    if bytes.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    if word == "bin" {
                        // Binary data follows: passed over whole.
                        let n = param.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
                        r.line += memchr::memchr_iter(b'\n', &bytes[i..(i + n).min(bytes.len())])
                            .count() as u32;
                        i = i.saturating_add(n);
                    } else {
                        r.control(word, param, &mut g, opened);
                    }
                } else {
                    i += 1;
                    match c {
                        b'\'' => {
                            // Two hex digits (`from_str_radix` alone takes `+a` for 0x0a).
                            let hex = bytes
                                .get(i..i + 2)
                                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                                .and_then(|h| {
                                    u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
                                });
                            if let Some(byte) = hex {
                                i += 2;
                                // An escaped line break is a space of the text: lines are the
                                // document's own, each rendered line saying its source line.
                                let byte = if byte == b'\n' || byte == b'\r' {
                                    b' '
                                } else {
                                    byte
                                };
                                r.byte(byte, &g);
                            }
                        }
                        // An ignorable destination: a reader that does not know it skips it.
                        b'*' if opened => g.hidden = true,
                        b'\\' | b'{' | b'}' => r.byte(c, &g),
                        b'~' => r.byte(b' ', &g),
                        b'_' => r.byte(b'-', &g),
                        // An optional hyphen renders as nothing inside a word.
                        b'-' => {}
                        b'\n' | b'\r' => {
                            if c == b'\n' {
                                r.line += 1;
                            }
                            r.par(&g);
                        }
                        _ => {}
                    }
                }
            }
            // A tab in the source renders as one.
            b'\t' => r.byte(b'\t', &g),
            _ => r.byte(b, &g),
        }
        opened = false;
    }
    r.flush(&g);
    Some(r.out)
}

struct Reader {
    out: Rendered,
    /// Bytes of the current code page not yet decoded (a multi-byte character's bytes come
    /// as separate escapes).
    pending: Vec<u8>,
    /// The last pending byte begins a double-byte character.
    lead: bool,
    /// The source line being read.
    line: u32,
    /// Characters still to pass over after a `\uN`.
    skip: usize,
    doc_cp: &'static Encoding,
    /// Each font's code page, from the font table.
    fonts: HashMap<i32, &'static Encoding>,
    /// The font the font table is defining.
    font_defined: Option<i32>,
}

impl Reader {
    fn shown(g: &Group) -> bool {
        !g.hidden && !g.fonts
    }

    /// A byte of text: ASCII, or one of the current code page's.
    fn byte(&mut self, b: u8, g: &Group) {
        if !Self::shown(g) {
            return;
        }
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        self.out.starts(self.line);
        // A double-byte code page's character whose second byte is ASCII may be written as an
        // escape and a plain character (`\'83J` is Shift_JIS `カ`).
        if b.is_ascii() && !self.lead {
            self.flush(g);
            self.out.text.push(char::from(b));
        } else {
            self.lead = !self.lead && double_byte_lead(g.cp, b);
            self.pending.push(b);
        }
    }

    fn flush(&mut self, g: &Group) {
        self.lead = false;
        if !self.pending.is_empty() {
            let (text, _) = g.cp.decode_without_bom_handling(&self.pending);
            self.out.text.push_str(&text);
            self.pending.clear();
        }
    }

    fn push(&mut self, c: char, g: &Group) {
        if Self::shown(g) {
            self.out.starts(self.line);
            self.flush(g);
            self.out.text.push(c);
        }
    }

    fn par(&mut self, g: &Group) {
        if Self::shown(g) {
            self.flush(g);
            self.out.end_line(self.line);
        }
    }

    fn control(&mut self, word: &str, param: Option<i32>, g: &mut Group, opened: bool) {
        if opened && SKIPPED.contains(&word) {
            self.flush(g);
            g.hidden = true;
            return;
        }
        match (word, param) {
            ("fonttbl", _) => {
                self.flush(g);
                g.fonts = true;
            }
            ("ansicpg", Some(n)) => {
                self.flush(g);
                self.doc_cp = code_page(n);
                g.cp = self.doc_cp;
            }
            ("f", Some(n)) if g.fonts => self.font_defined = Some(n),
            ("fcharset", Some(n)) if g.fonts => {
                if let (Some(f), Some(cp)) = (self.font_defined, charset(n)) {
                    self.fonts.insert(f, cp);
                }
            }
            ("f", Some(n)) => {
                self.flush(g);
                g.cp = self.fonts.get(&n).copied().unwrap_or(self.doc_cp);
            }
            ("uc", Some(n)) => g.uc = usize::try_from(n).unwrap_or(0),
            ("u", Some(n)) => {
                // A signed 16-bit value; the characters after it are a fallback for readers
                // without Unicode.
                let unit = if n < 0 { n + 65536 } else { n };
                if let Some(c) = u32::try_from(unit).ok().and_then(char::from_u32) {
                    self.push(c, g);
                }
                self.skip = g.uc;
            }
            ("par" | "line" | "sect" | "page" | "row", _) => self.par(g),
            ("tab" | "cell", _) => self.push('\t', g),
            ("emdash", _) => self.push('—', g),
            ("endash", _) => self.push('–', g),
            ("lquote", _) => self.push('‘', g),
            ("rquote", _) => self.push('’', g),
            ("ldblquote", _) => self.push('“', g),
            ("rdblquote", _) => self.push('”', g),
            ("bullet", _) => self.push('•', g),
            // The document information's fields are read as lines of their own.
            (
                "title" | "subject" | "author" | "operator" | "company" | "manager" | "doccomm",
                _,
            ) => self.par(g),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(rtf: &str) -> String {
        render(rtf.as_bytes()).unwrap().text
    }

    #[test]
    fn only_rtf_is_rendered() {
        assert_eq!(render(b"Copyright AO Kaspersky Lab"), None);
        assert!(render(b"\n{\\rtf1 x}").is_some());
        assert!(render(b"\xEF\xBB\xBF{\\rtf1 x}").is_some());
    }

    #[test]
    fn escapes_render_in_the_code_page_they_are_in() {
        let name = "© АО «Лаборатория Касперского»";
        let hexed: String = encoding_rs::WINDOWS_1251
            .encode(name)
            .0
            .iter()
            .map(|&b| {
                if b >= 0x80 {
                    format!("\\'{b:02x}")
                } else {
                    char::from(b).to_string()
                }
            })
            .collect();
        // The document's code page.
        let doc = format!("{{\\rtf1\\ansi\\ansicpg1251\\deff0 {hexed}\\par}}");
        assert_eq!(text(&doc).trim(), name);
        // The font's character set, in a document whose code page is another.
        let font = format!(
            "{{\\rtf1\\ansi\\ansicpg1252{{\\fonttbl{{\\f0 Arial;}}{{\\f1\\fcharset204 Arial CYR;}}}}\\f1 {hexed}\\par}}"
        );
        assert_eq!(text(&font).trim(), name);
        // Unicode escapes, with their fallback characters passed over.
        let uni: String = name
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("\\u{}?", c as u32)
                }
            })
            .collect();
        assert_eq!(text(&format!("{{\\rtf1\\ansi {uni}}}")), name);
        let uc2 = "{\\rtf1\\uc2 Kas\\u1087\\'3f\\'3fersky}";
        assert_eq!(text(uc2), "Kasпersky");
        // A double-byte code page's characters, each in two escapes.
        let gbk = "{\\rtf1\\ansi\\ansicpg936 \\'bf\\'a8\\'b0\\'cd\\'cb\\'b9\\'bb\\'f9}";
        assert_eq!(text(gbk), "卡巴斯基");
        // A second byte written as a plain character.
        let sjis = "{\\rtf1\\ansi\\ansicpg932 \\'83J\\'83X\\'83y\\'83\\'8b\\'83X\\'83L\\'81[ Lab}";
        assert_eq!(text(sjis), "カスペルスキー Lab");
    }

    #[test]
    fn formatting_inside_a_word_renders_as_nothing() {
        assert_eq!(
            text("{\\rtf1 Copyright (c) AO Kas{\\b per}sky\\~Lab, Kas\\-persky\\par}"),
            "Copyright (c) AO Kaspersky Lab, Kaspersky\n"
        );
        // A source line break is not a break in the text.
        assert_eq!(text("{\\rtf1 AO Kasper\r\nsky Lab}"), "AO Kaspersky Lab");
    }

    #[test]
    fn groups_without_text_are_passed_over_and_information_is_kept() {
        let doc = "{\\rtf1{\\fonttbl{\\f0 Kaspersky Sans;}}{\\colortbl;\\red0;}\
            {\\*\\generator Riched20 Kaspersky;}{\\pict\\pngblip 4b6173706572736b79}\
            {\\info{\\author AO Kaspersky Lab}{\\company Example}}\
            Body\\bin3 a}b text}";
        let t = text(doc);
        assert!(
            !t.contains("Sans") && !t.contains("Riched") && !t.contains("4b61"),
            "{t:?}"
        );
        assert!(t.contains("AO Kaspersky Lab"), "{t:?}");
        assert!(t.contains("Example"), "{t:?}");
        assert!(t.ends_with("Body text"), "{t:?}");
    }

    #[test]
    fn each_rendered_line_says_its_source_line() {
        let r = render(b"{\\rtf1\n\\pard First\\par\nSecond\n part\\par\nThird}").unwrap();
        assert_eq!(r.text, "First\nSecond part\nThird");
        assert_eq!(r.lines, vec![2, 3, 5]);
    }

    #[test]
    fn damaged_documents_end_where_they_end() {
        for doc in [
            "{\\rtf1 Kas\\",
            "{\\rtf1 \\'4",
            "{\\rtf1 \\u",
            "{\\rtf1 }}}}",
            "{\\rtf1 \\bin99 x",
        ] {
            let _ = render(doc.as_bytes()).unwrap();
        }
    }

    #[test]
    fn escaped_line_breaks_and_false_hex_keep_lines_in_step() {
        for doc in [
            "{\\rtf1 a\\'0ab\\'0dc}",
            "{\\rtf1 {{\\'+a}",
            "{\\rtf1 \\'-1 x}",
        ] {
            let r = render(doc.as_bytes()).unwrap();
            assert_eq!(
                r.lines.len(),
                r.text.matches('\n').count() + 1,
                "{doc}: {r:?}"
            );
        }
    }

    proptest::proptest! {
        /// Whatever follows the `{\\rtf` start, rendering ends without a panic, and each
        /// rendered line says a source line within the document.
        #[test]
        fn any_document_renders(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
                                words in proptest::collection::vec(0usize..12, 0..40)) {
            const PIECES: [&str; 12] = ["{", "}", "\\'", "\\u-", "\\uc2 ", "\\bin5 ", "\\par\n",
                "\\fonttbl", "\\f1", "\\fcharset204 ", "\\*", "\\ansicpg932 "];
            let mut doc = b"{\\rtf1 ".to_vec();
            for (w, b) in words.iter().zip(body.chunks(7)) {
                doc.extend_from_slice(PIECES[*w].as_bytes());
                doc.extend_from_slice(b);
            }
            let lines = 1 + doc.iter().filter(|&&b| b == b'\n').count() as u32;
            let r = render(&doc).unwrap();
            proptest::prop_assert!(r.lines.iter().all(|&l| (1..=lines).contains(&l)));
            proptest::prop_assert_eq!(r.lines.len(), r.text.matches('\n').count() + 1);
        }
    }
}
