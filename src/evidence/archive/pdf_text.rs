//! Evidence stage, archives: a PDF page's text as it shows.
//!
//! A page's content stream draws text with operators whose strings are not the words a reader
//! sees: a `TJ` array puts kerning between the pieces of a word (`[(Kasp)-30(ersky Lab)] TJ`),
//! as nearly every PDF writer does for proportional type, and letters may be octal or
//! character escapes (`\050c\051`). Read as bytes, such a notice names nobody. The text here is
//! what the operators show: each `TJ` array's strings joined, a space where the kerning is as
//! wide as a space (a thousandth of an em each: over 200 back), a line where a text object
//! ends or the text moves to another line (`T*`, `'`, `"`, or `Td`/`TD`/`Tm` moving it half
//! the font size or more up or down: a `©` TeX raises a little stays on its line).
//!
//! Strings are read one byte a character in Windows-1252 (`/WinAnsiEncoding`, the encoding of
//! nearly every simple font's text); a composite font's two-byte glyph numbers cannot be read
//! without its `/ToUnicode` map, which is not looked up.

/// The text `content` shows, if it is a content stream that shows text (a stream of text
/// operators, without the NUL bytes of a font program or an image); `None` otherwise.
pub(super) fn shown(content: &[u8]) -> Option<String> {
    if memchr::memmem::find(content, b"BT").is_none() || memchr::memchr(0, content).is_some() {
        return None;
    }
    let mut t = Reader {
        b: content,
        i: 0,
        out: String::new(),
        operands: Vec::new(),
        shows: 0,
        in_array: false,
        baseline: None,
        size: 0.0,
        raised: 0.0,
    };
    while let Some(token) = t.next() {
        t.operator(token);
    }
    (t.shows > 0 && t.out.chars().any(char::is_alphabetic)).then_some(t.out)
}

/// An operand or operator of a content stream.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Text(Vec<u8>),
    /// A `[` … `]` array of strings and numbers.
    Array(Vec<Token>),
    Operator(String),
    /// Anything else (names, dictionaries): kept in place, never shown.
    Other,
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    out: String,
    operands: Vec<Token>,
    /// How many strings were shown.
    shows: usize,
    /// An array is being read.
    in_array: bool,
    /// The baseline of the last text matrix (`Tm`).
    baseline: Option<f64>,
    /// The font size (`Tf`).
    size: f64,
    /// How far `Td`/`TD` moved the text up or down since the line began.
    raised: f64,
}

fn is_delimiter(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl Reader<'_> {
    fn next(&mut self) -> Option<Token> {
        loop {
            let c = *self.b.get(self.i)?;
            match c {
                c if c.is_ascii_whitespace() || c == 0 => self.i += 1,
                b'%' => {
                    self.i = memchr::memchr2(b'\n', b'\r', &self.b[self.i..])
                        .map_or(self.b.len(), |n| self.i + n);
                }
                b'(' => return Some(Token::Text(self.literal())),
                b'<' if self.b.get(self.i + 1) == Some(&b'<') => {
                    self.i += 2;
                    return Some(Token::Other);
                }
                b'<' => return Some(Token::Text(self.hex())),
                // Arrays in a content stream are flat (a `TJ` array's strings and numbers); one
                // inside another is passed over, so that no stream nests them deeper than that.
                b'[' if self.in_array => {
                    self.i += 1;
                    return Some(Token::Other);
                }
                b'[' => {
                    self.i += 1;
                    self.in_array = true;
                    let mut items = Vec::new();
                    while let Some(&c) = self.b.get(self.i) {
                        if c == b']' {
                            self.i += 1;
                            break;
                        }
                        match self.next() {
                            Some(Token::Operator(_)) | None => break,
                            Some(t) => items.push(t),
                        }
                    }
                    self.in_array = false;
                    return Some(Token::Array(items));
                }
                b'/' => {
                    self.i += 1;
                    self.word();
                    return Some(Token::Other);
                }
                _ if is_delimiter(c) => {
                    self.i += 1;
                    return Some(Token::Other);
                }
                _ => {
                    let w = self.word();
                    let s = String::from_utf8_lossy(w);
                    return Some(match s.parse::<f64>() {
                        Ok(n) => Token::Number(n),
                        Err(_) => Token::Operator(s.into_owned()),
                    });
                }
            }
        }
    }

    fn word(&mut self) -> &[u8] {
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            if c.is_ascii_whitespace() || is_delimiter(c) || c == 0 {
                break;
            }
            self.i += 1;
        }
        // A byte that is neither (a stray delimiter) is a word of its own; at the end, none.
        if self.i == start && start < self.b.len() {
            self.i += 1;
        }
        &self.b[start..self.i]
    }

    /// A `( … )` string: balanced parentheses, backslash escapes (PDF 32000-1, 7.3.4.2).
    fn literal(&mut self) -> Vec<u8> {
        self.i += 1;
        let (mut out, mut depth) = (Vec::new(), 1usize);
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(&e) = self.b.get(self.i) else { break };
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' | b'f' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.b.get(self.i) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        // A backslash before a line break continues the string.
                        b'\r' => {
                            if self.b.get(self.i) == Some(&b'\n') {
                                self.i += 1;
                            }
                        }
                        b'\n' => {}
                        _ => out.push(e),
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// A `< … >` string of hex digits (a missing last digit is 0).
    fn hex(&mut self) -> Vec<u8> {
        self.i += 1;
        let end = memchr::memchr(b'>', &self.b[self.i..]).map_or(self.b.len(), |n| self.i + n);
        let digits: Vec<u8> = self.b[self.i..end]
            .iter()
            .filter_map(|&c| (c as char).to_digit(16).map(|d| d as u8))
            .collect();
        self.i = (end + 1).min(self.b.len());
        digits
            .chunks(2)
            .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0))
            .collect()
    }

    fn show(&mut self, bytes: &[u8]) {
        self.shows += 1;
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        self.out
            .extend(text.chars().filter(|c| !c.is_control() || *c == '\t'));
    }

    /// Whether a move `dy` up or down (in text space, or scaled by `scale`) is to another line:
    /// half the font size or more (a raised `©` or a superscript is not). Without a size, any
    /// move is.
    fn another_line(&self, dy: f64, scale: f64) -> bool {
        dy.abs() >= 0.5 * self.size * scale && dy != 0.0
    }

    fn newline(&mut self) {
        self.raised = 0.0;
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn operator(&mut self, token: Token) {
        let Token::Operator(op) = token else {
            self.operands.push(token);
            return;
        };
        // The operands are this operator's; their storage is kept for the next one's.
        let mut operands = std::mem::take(&mut self.operands);
        let number = |back: usize| match operands.len().checked_sub(back).map(|i| &operands[i]) {
            Some(Token::Number(n)) => Some(*n),
            _ => None,
        };
        match (op.as_str(), operands.last()) {
            ("Tj", Some(Token::Text(t))) => self.show(t),
            ("'" | "\"", last) => {
                self.newline();
                if let Some(Token::Text(t)) = last {
                    self.show(t);
                }
            }
            ("TJ", Some(Token::Array(items))) => {
                for item in items {
                    match item {
                        Token::Text(t) => self.show(t),
                        Token::Number(n) if *n < -200.0 && !self.out.ends_with([' ', '\n']) => {
                            self.out.push(' ');
                        }
                        _ => {}
                    }
                }
            }
            ("T*" | "ET", _) => self.newline(),
            // Marked content's replacement text (`/Span <</ActualText (…)>> BDC`): what a reader
            // copies for the glyphs it marks.
            ("BDC" | "DP", _) => {
                for t in &operands {
                    if let Token::Text(t) = t {
                        self.show(t);
                        self.out.push(' ');
                    }
                }
            }
            ("Tf", _) => self.size = number(1).map_or(0.0, f64::abs),
            ("Td" | "TD", _) => {
                self.raised += number(1).unwrap_or(0.0);
                if self.another_line(self.raised, 1.0) {
                    self.newline();
                }
            }
            ("Tm", _) => {
                let (d, f) = (number(3).unwrap_or(1.0), number(1));
                let moved = match (self.baseline, f) {
                    (Some(b), Some(f)) => self.another_line(f - b, d.abs()),
                    _ => true,
                };
                if moved {
                    self.newline();
                }
                self.baseline = f;
            }
            _ => {}
        }
        operands.clear();
        self.operands = operands;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kerned_pieces_join_and_wide_gaps_are_spaces() {
        let c =
            b"BT /F1 12 Tf 72 712 Td [(Copyright \\(c\\) 2024 AO Kasp)-30(ersky)-250(Lab.)] TJ ET";
        assert_eq!(
            shown(c).as_deref(),
            Some("Copyright (c) 2024 AO Kaspersky Lab.\n")
        );
        let letters = b"BT [(K)20(a)-15(s)10(p)20(e)-5(r)10(s)15(k)10(y)] TJ ET";
        assert_eq!(shown(letters).as_deref(), Some("Kaspersky\n"));
    }

    /// A `©` set in another font and raised a little (as TeX sets it) stays on its line; a move
    /// of a line's height does not.
    #[test]
    fn a_raised_sign_stays_on_its_line() {
        let c = b"BT /F8 9.96 Tf 91.9 759.9 Td [(Cop)28(yrigh)28(t)]TJ /F12 9.96 Tf 39.2 0 Td [(c)]TJ \
            /F8 9.96 Tf 9.9 0 Td [(2024)-333(AO)-333(Kasp)-28(ersky)]TJ -50 -11.955 Td [(Lab)]TJ ET";
        assert_eq!(
            shown(c).as_deref(),
            Some("Copyrightc2024 AO Kaspersky\nLab\n")
        );
        let raised = b"BT /F1 10 Tf (Copyright) Tj 0 2 Td (c) Tj 0 -2 Td ( AO Kaspersky Lab) Tj ET";
        assert_eq!(
            shown(raised).as_deref(),
            Some("Copyrightc AO Kaspersky Lab\n")
        );
    }

    #[test]
    fn escapes_hex_strings_and_lines() {
        let c = b"BT (AO \\113aspersky) Tj T* <4c6162> Tj 0 -14 Td (next) Tj 5 0 Td (same) Tj ET";
        assert_eq!(shown(c).as_deref(), Some("AO Kaspersky\nLab\nnextsame\n"));
        let tm = b"BT 1 0 0 1 72 700 Tm (Kasp) Tj 1 0 0 1 110 700 Tm (ersky) Tj 1 0 0 1 72 680 Tm (Lab) Tj ET";
        assert_eq!(shown(tm).as_deref(), Some("Kaspersky\nLab\n"));
    }

    #[test]
    fn only_streams_that_show_text_are_rendered() {
        assert_eq!(
            shown(b"BT (Copyright AO Kaspersky Lab) Tj ET").as_deref(),
            Some("Copyright AO Kaspersky Lab\n")
        );
        assert_eq!(
            shown(b"<x:xmpmeta><dc:creator>AO Kaspersky Lab</dc:creator>"),
            None
        );
        assert_eq!(shown(b"q 1 0 0 1 0 0 cm /Im0 Do Q"), None);
        assert_eq!(shown(b"\0\x01BT glyf (Kasp) Tj"), None);
        let marked = b"BT /Span <</ActualText (Kaspersky)>> BDC [(K)(a)] TJ EMC ET";
        assert_eq!(shown(marked).as_deref(), Some("Kaspersky Ka\n"));
    }

    #[test]
    fn damaged_streams_end_where_they_end() {
        for c in [
            &b"BT [(Kasp"[..],
            b"BT (a\\",
            b"BT <4b61",
            b"BT [[[[",
            b"BT ((((",
            b"BT ]]) Tj",
        ] {
            let _ = shown(c);
        }
        // Arrays nested a million deep: read without recursion (the inner ones are passed over,
        // and the first `]` ends the outer one).
        let deep = [
            &b"BT "[..],
            &b"[".repeat(1 << 20),
            b"(Kasp)(ersky)",
            &b"]".repeat(1 << 20),
            b" TJ ET",
        ]
        .concat();
        let _ = shown(&deep);
    }

    proptest::proptest! {
        /// Any bytes after `BT` are read without a panic.
        #[test]
        fn any_stream_is_read(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
                              ops in proptest::collection::vec(0usize..10, 0..40)) {
            const OPS: [&str; 10] = ["(", ")", "[", "]", "<", ">", " TJ ", " Tj ", " 0 -12 Td ", "\\"];
            let mut c = b"BT ".to_vec();
            for (o, b) in ops.iter().zip(body.chunks(5)) {
                c.extend_from_slice(OPS[*o].as_bytes());
                c.extend(b.iter().filter(|&&b| b != 0));
            }
            let _ = shown(&c);
        }
    }
}
