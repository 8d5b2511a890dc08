//! Evidence stage, deep scan, text: which lines of a file name something listed, and whether a
//! notice word governs the name (attribution) or the line only mentions it.

use super::super::binary;
use super::super::decode::{self, Decoded};
use super::super::needles::TextPrefilter;
use super::super::recognise::{self, FileClass};
use super::super::{Evidence, Field, Role, Shape, clip};
use super::marks::{self, Mark};
use super::{FileResult, MAPPED, Scanner, SkipKind, Skipped};
use crate::evidence::notice::NOTICE_BEFORE;

/// Notice words that attribute the name written before them (`<holder>. All rights reserved.`).
pub(super) const NOTICE_AFTER: &[&str] = &[
    "rights reserved",
    "права защищены",
    "版权所有",
    "版權所有",
    "に帰属します",
    "권리 보유",
];

/// Most bytes between a notice word and the name it governs.
pub(super) const NOTICE_REACH: usize = 160;

/// Most lines per file that hold a listed word once folded (not prefilter candidates: a Unicode
/// table or a test corpus has thousands of those and names nothing); beyond it the file is
/// listed as not fully scanned.
pub(super) const MAX_HIT_LINES: usize = 20_000;

/// File names (upper-cased, without extension) whose every line is attribution.
pub(super) const NOTICE_FILES: &[&str] = &[
    "LICENSE",
    "LICENCE",
    "COPYING",
    "NOTICE",
    "COPYRIGHT",
    "AUTHORS",
    "CREDITS",
    "PATENTS",
    "THIRD-PARTY",
    "THIRD_PARTY",
    "THIRDPARTY",
    "THIRD-PARTY-NOTICES",
    "THIRDPARTYNOTICES",
];

impl Scanner {
    /// The strings around needle hits in bytes of unknown (or damaged) structure. A notice
    /// among them (`Copyright …`) is attribution, like a notice line in text.
    pub(super) fn raw_strings(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        if self.needles.is_empty() || !self.needles.hit(bytes) {
            return;
        }
        for s in binary::hit_strings(bytes, &self.needles) {
            let (field, role) = if s.attribution {
                (Field::RawString { notice: true }, Role::Attribution)
            } else {
                (Field::RawString { notice: false }, Role::Mention)
            };
            r.evidence
                .push(Evidence::new(field, role, Shape::Text, clip(s.text.trim())).at(name, None));
        }
    }

    /// Text (or an unrecognised binary): the lines whose skeleton holds a needle, each read as
    /// attribution when a notice word governs one of its hits, else as a mention.
    pub(super) fn scan_text(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        // Bytes written out in a text file (see `embedded`) that are not UTF-8 are data (a table,
        // a binary's fragment): their needles are searched, in the legacy code pages too, and no
        // code page is guessed for them.
        if crate::evidence::embedded::Form::of_name(name).is_some()
            && simdutf8::basic::from_utf8(bytes).is_err()
        {
            return self.raw_strings(name, bytes, r);
        }
        let text = match decode::decode(bytes) {
            // An unknown binary format: only the needles, in UTF-8 and UTF-16.
            Decoded::Binary => return self.raw_strings(name, bytes, r),
            Decoded::Text(text, encoding) => {
                if encoding.starts_with("UTF-16") {
                    // A byte-order mark, or NULs on one side, decided UTF-16: lines of the
                    // bytes that are UTF-8 without a NUL (a notice after the mark, or after a
                    // run of UTF-16-looking bytes) are read as UTF-8 as well. Real UTF-16 text
                    // has a NUL or a byte above ASCII in every line.
                    if let Some(utf8) = decode::utf8_lines(bytes) {
                        self.scan_decoded(name, &utf8, &utf8, r);
                    }
                } else if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
                    // Text with NUL bytes but no other control byte (see `decode`): read as
                    // text, and for the strings a binary holds too (UTF-16 among NULs).
                    self.raw_strings(name, bytes, r);
                }
                text
            }
        };
        self.scan_decoded(name, &text, &text, r);
        // A markup file is also read as it renders, where that differs from its source: a
        // file of the kind its source is (a saved web page stays one).
        // Lines the source reading already took are not read again.
        if let Some(shown) = rendered(name, &text) {
            let taken: std::collections::HashSet<u32> = r
                .evidence
                .iter()
                .filter_map(|e| e.location.as_ref())
                .filter(|l| l.file == name)
                .filter_map(|l| l.line)
                .collect();
            let shown: String = shown
                .split_inclusive('\n')
                .zip(1u32..)
                .map(|(line, n)| {
                    if taken.contains(&n) {
                        if line.ends_with('\n') { "\n" } else { "" }
                    } else {
                        line
                    }
                })
                .collect();
            self.scan_decoded(name, &shown, &text, r);
        }
        // Build-time code is also read as it runs, where it decodes a literal (a base64 URL, a
        // reversed host; see `recognise::as_run`): what the same lines already gave is not
        // added again.
        // Its own source: the recognisers read what it runs. Its lines are the file's.
        if let Some(run) = recognise::as_run(name, &text) {
            self.scan_reading(name, &run, &run, None, r);
        }
        // An RTF document, or an office document's XML part, is also read as it renders
        // (escapes decoded in their code pages, formatting and runs inside words dropped; see
        // `rtf` and `office`).
        if let Some(shown) = super::rtf::render(bytes).or_else(|| super::office::render(&text)) {
            self.scan_reading(name, &shown.text, &text, Some(&shown.lines), r);
        }
    }

    /// Reads the file a second way (`text`: a document as it renders, build-time code as it
    /// runs; `source`: what its kind is judged by, see [`Scanner::scan_decoded`]); each finding
    /// placed on the source line that line `n` of `text` comes from, `lines[n - 1]` (none: the
    /// same line); what the readings before found already is not added again.
    fn scan_reading(
        &self,
        name: &str,
        text: &str,
        source: &str,
        lines: Option<&[u32]>,
        r: &mut FileResult,
    ) {
        let before = r.evidence.len();
        self.scan_decoded(name, text, source, r);
        let mut found = r.evidence.split_off(before);
        if let Some(lines) = lines {
            for e in &mut found {
                if let Some(l) = e.location.as_mut().filter(|l| l.file == name) {
                    l.line = l
                        .line
                        .and_then(|n| lines.get((n as usize).checked_sub(1)?).copied());
                }
            }
        }
        found.retain(|e| !r.evidence.contains(e));
        r.evidence.append(&mut found);
    }

    /// [`Scanner::scan_text`] of text already decoded; `source`: the text whose kind the file
    /// is (see [`recognise::classify`]), `text` itself or the source it renders from.
    fn scan_decoded(&self, name: &str, text: &str, source: &str, r: &mut FileResult) {
        if self.prefilter.is_empty() {
            return;
        }
        let b = text.as_bytes();
        let (lines, breaks) = candidate_lines(&self.prefilter, text);
        let joined = hyphenated_lines(b, &breaks);
        if lines.is_empty() && joined.is_empty() {
            return;
        }
        let notice_file = is_notice_file(name);
        // A statement of absence or thanks is read as one in prose only: in source code, a
        // script or a binary's strings, a copyright line stays one whatever is appended to it.
        let prose = is_prose_file(name);
        let class = recognise::classify(name, source);
        // Structured metadata first: a field that names someone says what the format defines
        // it to say (a vendor, an author, a load dependency), whatever words stand around it.
        // Read once a line of the file names something: where every candidate line folds to
        // nothing (accented prose, escape tables), no field can.
        let mut field_lines: Option<std::collections::HashSet<u32>> = None;
        let (mut counted_to, mut line_no) = (0usize, 1usize);
        let mut skel = String::new();
        let mut at: Vec<u32> = Vec::new();
        let mut hit_lines = 0usize;
        let mut seen_lines: std::collections::HashSet<u32> = std::collections::HashSet::new();
        for Candidate {
            start,
            end,
            literals_only,
        } in lines
        {
            // Character references (`&#75;aspersky`, `Kaspersky&nbsp;Lab`), percent-escaped
            // letters (`%6Baspersky.com`) and string escapes (`\x4Baspersky`) are read as the
            // characters they stand for.
            let decoded = decode_line(&text[start..end]);
            let line = decoded.as_deref().unwrap_or(&text[start..end]);
            // Folded only if its letters can spell a needle: checked for every line with
            // non-ASCII characters and every decoded one (escape tables are common, names in
            // them rare); a plain ASCII line is here because the fast stage found a needle in it.
            if (decoded.is_some() || !line.is_ascii() || has_hidden_control(line))
                && !self.prefilter.may_hold(line)
            {
                continue;
            }
            let mut hits = if literals_only {
                Vec::new()
            } else {
                self.line_hits(line, &mut skel, &mut at)
            };
            // Directional overrides (`U+202E` before reversed letters) are read in the order a
            // reader sees them.
            let shown = if hits.is_empty() && !literals_only {
                crate::text::bidi::displayed(line)
            } else {
                None
            };
            let line = self.read_as(line, shown.as_deref(), &mut hits, &mut skel, &mut at);
            // A name split across string literals (`"AO Kasp" "ersky Lab"`) is read joined: the
            // fold sees through the split, the matcher's whole words do not.
            let joined = if line.contains(['"', '\'', '`']) {
                crate::text::literals::join_literals(line)
            } else {
                None
            };
            let line = self.read_as(line, joined.as_deref(), &mut hits, &mut skel, &mut at);
            if hits.is_empty() {
                continue;
            }
            hit_lines += 1;
            if hit_lines > MAX_HIT_LINES {
                r.skipped.push(Skipped::new(
                    name,
                    SkipKind::Limit,
                    format!(
                        "more than {MAX_HIT_LINES} lines name something listed; only the first {MAX_HIT_LINES} were examined"
                    ),
                ));
                break;
            }
            line_no += memchr::memchr_iter(b'\n', &b[counted_to..start]).count();
            counted_to = start;
            let n = u32::try_from(line_no).unwrap_or(u32::MAX);
            let lineno = Some(n);
            seen_lines.insert(n);
            if field_lines
                .get_or_insert_with(|| self.fields_of(name, text, source, r))
                .contains(&n)
            {
                continue;
            }
            let prev = previous_line(text, start);
            let quoted = recognise::is_asserted_literal(&text[start..end]);
            let govern =
                |h: (usize, usize)| governing_notice(line, h.0, h.1, prev).filter(|_| !quoted);
            let trademark = recognise::is_trademark_statement(line);
            let disclaimer = prose && recognise::is_disclaimer(line);
            let field = |attributed: bool| {
                line_field(class, notice_file, attributed, trademark, disclaimer)
            };
            let trimmed = line.trim();
            if trimmed.len() <= crate::evidence::MAX_TEXT {
                let (f, role) = field(hits.iter().any(|&h| govern(h).is_some()));
                r.evidence
                    .push(Evidence::new(f, role, Shape::Text, trimmed).at(name, lineno));
                continue;
            }
            // A long line (minified code): every hit is examined, each in its own window, which
            // starts at the notice word that governs it when one does.
            let mut covered = 0usize;
            for h in hits {
                if h.0 < covered {
                    continue;
                }
                let notice = govern(h);
                let lb = line.as_bytes();
                let w = match notice {
                    Some(n) if h.1 - n <= crate::evidence::MAX_TEXT => window(lb, n, lb.len(), n),
                    _ => window(lb, 0, lb.len(), h.0),
                };
                let w_start = w.as_ptr() as usize - lb.as_ptr() as usize;
                covered = w_start + w.len();
                let (f, role) = field(notice.is_some());
                r.evidence.push(
                    Evidence::new(f, role, Shape::Text, String::from_utf8_lossy(w).trim())
                        .at(name, lineno),
                );
            }
        }
        // A name hyphenated across a line break (`Kasper-` / ` * sky Lab`), read joined: only
        // where neither line alone named anything.
        for (first, line_no, joined_text) in joined {
            if seen_lines.contains(&line_no) || seen_lines.contains(&(line_no + 1)) {
                continue;
            }
            crate::text::normalize::skeleton(&joined_text, &mut skel, &mut at);
            let hits = self.prefilter.skeleton_hits(&skel);
            if hits.is_empty() {
                continue;
            }
            field_lines.get_or_insert_with(|| self.fields_of(name, text, source, r));
            let prev = previous_line(text, first);
            let attributed = hits.iter().any(|&(s, e)| {
                let hs = at[s] as usize;
                let he = (at[e - 1] as usize + 1).min(joined_text.len());
                joined_text.is_char_boundary(he)
                    && governing_notice(&joined_text, hs, he, prev).is_some()
            });
            let trademark = recognise::is_trademark_statement(&joined_text);
            let disclaimer = prose && recognise::is_disclaimer(&joined_text);
            let (f, role) = line_field(class, notice_file, attributed, trademark, disclaimer);
            r.evidence.push(
                Evidence::new(f, role, Shape::Text, clip(joined_text.trim()))
                    .at(name, Some(line_no)),
            );
        }
    }

    /// [`Scanner::field_evidence`] of `text`, unless it is a rendering of `source` (whose
    /// fields the reading of the source took).
    fn fields_of(
        &self,
        name: &str,
        text: &str,
        source: &str,
        r: &mut FileResult,
    ) -> std::collections::HashSet<u32> {
        if std::ptr::eq(text, source) {
            self.field_evidence(name, text, r)
        } else {
            std::collections::HashSet::new()
        }
    }

    /// The evidence of the recognised fields of `text` (a file named `name`) that name
    /// something listed, pushed to `r`; the lines they are on.
    fn field_evidence(
        &self,
        name: &str,
        text: &str,
        r: &mut FileResult,
    ) -> std::collections::HashSet<u32> {
        let mut lines = std::collections::HashSet::new();
        for mut f in recognise::fields(name, text) {
            if f.embeds_file() {
                // The name of a file compiled in, judged as a shipped file's.
                match self.embedded_name(&f.value) {
                    Some(words) => f.value = words,
                    None => continue,
                }
            }
            if !self.text_hits(&f.value) {
                continue;
            }
            lines.insert(f.line);
            r.evidence.push(
                Evidence::new(f.field(), f.role(), f.shape, clip(&f.value)).at(name, Some(f.line)),
            );
        }
        lines
    }

    /// `other`, another reading of `line` (in display order, its literals joined), when it
    /// names something: its hits replace `hits`. Otherwise `line`, and `hits` as they were.
    fn read_as<'l>(
        &self,
        line: &'l str,
        other: Option<&'l str>,
        hits: &mut Vec<(usize, usize)>,
        skel: &mut String,
        at: &mut Vec<u32>,
    ) -> &'l str {
        let Some(other) = other else { return line };
        let h = self.line_hits(other, skel, at);
        if h.is_empty() {
            return line;
        }
        *hits = h;
        other
    }

    /// The byte ranges of `line` whose folded form is a needle (`skel` and `at` are buffers
    /// reused from line to line).
    fn line_hits(&self, line: &str, skel: &mut String, at: &mut Vec<u32>) -> Vec<(usize, usize)> {
        crate::text::normalize::skeleton(line, skel, at);
        self.prefilter
            .skeleton_hits(skel)
            .into_iter()
            .map(|(s, e)| {
                let mut he = (at[e - 1] as usize + 1).min(line.len());
                while !line.is_char_boundary(he) {
                    he += 1;
                }
                (at[s] as usize, he)
            })
            .collect()
    }

    /// Whether `s` holds a listed word once folded.
    pub(super) fn text_hits(&self, s: &str) -> bool {
        let mut skel = String::new();
        let mut at = Vec::new();
        crate::text::normalize::skeleton(s, &mut skel, &mut at);
        !self.prefilter.skeleton_hits(&skel).is_empty()
    }
}

/// The evidence field and role of a line that names something: a notice (a notice word governs
/// the name, or the file is a notice file) attributes, unless the file quotes names (a detection
/// rule, a saved web page) or the line states who owns a trademark; anything else mentions.
pub(super) fn line_field(
    class: FileClass,
    notice_file: bool,
    attributed: bool,
    trademark: bool,
    disclaimer: bool,
) -> (Field, Role) {
    match class {
        FileClass::DetectionRule | FileClass::WebPage if !notice_file => {
            return (class.field(), Role::Mention);
        }
        _ => {}
    }
    // A line saying the thing is not there, or thanking someone, mentions wherever it is.
    if disclaimer {
        return (Field::Text, Role::Mention);
    }
    match (notice_file, attributed, trademark) {
        (_, false, true) => (Field::TrademarkStatement, Role::Mention),
        (true, _, _) => (Field::NoticeFile, Role::Attribution),
        (false, true, _) => (Field::Notice, Role::Attribution),
        (false, false, false) => (Field::Text, Role::Mention),
    }
}

/// `line` with its character references, percent-escaped letters and string-literal escapes
/// (see [`crate::text::escapes`]) decoded, if it has any.
pub(super) fn decode_line(line: &str) -> Option<String> {
    let mut out: Option<String> = None;
    if line.contains('&') && line.contains(';') {
        let d = html_escape::decode_html_entities(line);
        if d != line {
            // A non-breaking or other space from `&nbsp;` separates words as a space does.
            out = Some(d.replace(['\u{a0}', '\u{2007}', '\u{202f}'], " "));
        }
    }
    let cur = out.as_deref().unwrap_or(line);
    if cur.contains('%') {
        let d = percent_encoding::percent_decode_str(cur).decode_utf8_lossy();
        if d != cur {
            out = Some(d.into_owned());
        }
    }
    let cur = out.as_deref().unwrap_or(line);
    if let Some(d) = crate::text::escapes::unescape(cur) {
        out = Some(d);
    }
    out
}

/// Lines that end in a word broken by a hyphen and continue on the next line (after comment
/// markers), or in a word continued by a backslash (on the next line as it is), joined:
/// `(offset of the first line, its 1-based number, the joined text)`. `breaks`: where `-` or
/// `\` then a newline stands in `b`, in order.
pub(super) fn hyphenated_lines(b: &[u8], breaks: &[usize]) -> Vec<(usize, u32, String)> {
    let mut out = Vec::new();
    let mut line_no = 1u32;
    let mut counted = 0usize;
    for &p in breaks {
        if p == 0 || !(b[p - 1].is_ascii_alphabetic() || b[p - 1] >= 0x80) {
            continue;
        }
        let spliced = b[p] == b'\\';
        let ls = memchr::memrchr(b'\n', &b[..p]).map_or(0, |i| i + 1);
        let ns = p + memchr::memchr(b'\n', &b[p..]).map_or(b.len() - p, |i| i + 1);
        let ne = memchr::memchr(b'\n', &b[ns..]).map_or(b.len(), |i| ns + i);
        let next = &b[ns..ne];
        // A spliced line goes on as it is; a hyphenated word after the comment markers.
        let skip = if spliced {
            0
        } else {
            next.iter()
                .position(|c| {
                    !matches!(
                        c,
                        b' ' | b'\t'
                            | b'*'
                            | b'#'
                            | b'/'
                            | b';'
                            | b'!'
                            | b'-'
                            | b'\''
                            | b'"'
                            | b'>'
                    )
                })
                .unwrap_or(next.len())
        };
        let rest = &next[skip..];
        if !rest
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c >= 0x80)
        {
            continue;
        }
        let (Ok(head), Ok(tail)) = (std::str::from_utf8(&b[ls..p]), std::str::from_utf8(rest))
        else {
            continue;
        };
        line_no += u32::try_from(memchr::memchr_iter(b'\n', &b[counted..ls]).count()).unwrap_or(0);
        counted = ls;
        out.push((
            ls,
            line_no,
            format!("{head}{}", tail.trim_end_matches('\r')),
        ));
        if out.len() >= 4096 {
            break;
        }
    }
    out
}

/// The lines of `b` (UTF-8 text) worth folding: where the fast stage hits, every line holding a
/// byte above 0x7f, and every line with a character reference, a percent-escaped letter or digit
/// or a string-literal escape that spells one (or a character above ASCII). Sorted, distinct.
/// With them, where a word is broken by a hyphen at a line's end (`-` then a newline), for
/// [`hyphenated_lines`].
pub(super) fn candidate_lines(p: &TextPrefilter, text: &str) -> (Vec<Candidate>, Vec<usize>) {
    let b = text.as_bytes();
    let mut starts: Vec<usize> = Vec::new();
    let mut non_ascii: Vec<usize> = Vec::new();
    let mut fragments: Vec<usize> = Vec::new();
    MAPPED.with(|m| {
        p.text_hits_apart(b, &mut m.borrow_mut(), &mut starts, Some(&mut fragments));
    });
    // The other reasons, and the hyphen breaks, in one pass (see [`marks`]). A line already
    // taken needs no second reason: the pass resumes at its end (at its last byte if that is a
    // hyphen, which may begin a break).
    let mut breaks: Vec<usize> = Vec::new();
    let mut escapes_from = 0usize;
    let line_end = |at: usize| match memchr::memchr(b'\n', &b[at..]) {
        Some(n) if n > 1 && b[at + n - 1] == b'-' => at + n - 1,
        Some(n) => at + n,
        None => b.len(),
    };
    marks::for_each(b, |at, mark| match mark {
        Mark::Break => {
            breaks.push(at);
            at + 1
        }
        // A character above ASCII (see below), or a control character that hides inside a
        // word (`Kas\x01persky`): read as one above ASCII is.
        Mark::NonAscii | Mark::Hidden => {
            non_ascii.push(at);
            line_end(at)
        }
        // A character reference, which can spell any letter (`&#75;aspersky`).
        Mark::CharRef => {
            starts.push(at);
            line_end(at)
        }
        // So can a percent escape (`%4B`) or an escape in a string literal (`\x4B`, `\u{41a}`).
        Mark::Escape if at < escapes_from => at + 1,
        // A backslash that ends a line inside a word continues it (C and C++ splice the lines
        // before anything else, so `"Kasper\` / `sky"` is one string; shells, Python and
        // makefiles join them too): read joined, as a hyphenated word is.
        Mark::Escape
            if b[at] == b'\\'
                && at > 0
                && b[at - 1].is_ascii_alphanumeric()
                && matches!(b.get(at + 1..), Some([b'\n', c, ..] | [b'\r', b'\n', c, ..]) if c.is_ascii_alphanumeric()) =>
        {
            breaks.push(at);
            at + 1
        }
        Mark::Escape => {
            let spells = if b[at] == b'%' {
                let hex = |i: usize| b.get(i).and_then(|c| (*c as char).to_digit(16));
                matches!((hex(at + 1), hex(at + 2)), (Some(h), Some(l)) if ((h * 16 + l) as u8).is_ascii_alphanumeric())
            } else if b.get(at + 1) == Some(&b'\\') {
                // An escaped backslash (`\\x41` is a backslash, then `x41`): both passed over.
                escapes_from = at + 2;
                false
            } else {
                crate::text::escapes::spells(b, at)
            };
            if spells {
                starts.push(at);
                line_end(at)
            } else {
                at + 1
            }
        }
    });
    // A line taken for its characters above ASCII is read only if its letters can spell a
    // needle once folded (see `TextPrefilter::may_hold`). A file of thousands (a test table of
    // CJK text: encoding_rs's cost 60 ms of CPU a check, line by line) is asked a block of
    // lines at a time first: a block's letters are a superset of each of its lines', so a
    // block that cannot spell one has no line that can, as long as nothing in it decodes to
    // other characters (no `&`, `%` or `\`) and no other mark was passed over for its lines
    // (none of those is there to be).
    if non_ascii.len() > MANY_LINES {
        for block in non_ascii.chunks(MANY_LINES) {
            let (start, _) = line_bounds(b, block[0], block[0]);
            let last = block[block.len() - 1];
            let (_, end) = line_bounds(b, last, last);
            let span = &text[start..end];
            if memchr::memchr3(b'&', b'%', b'\\', span.as_bytes()).is_some() || p.may_hold(span) {
                starts.extend_from_slice(block);
            }
        }
    } else {
        starts.append(&mut non_ascii);
    }
    // A start whose only reason is half of a split name: `false` sorts first, so a line's
    // first start says whether it has another reason.
    let mut all: Vec<(usize, bool)> = starts.into_iter().map(|s| (s, false)).collect();
    all.extend(fragments.into_iter().map(|s| (s, true)));
    all.sort_unstable();
    let mut lines: Vec<Candidate> = Vec::new();
    for (s, fragment) in all {
        if let Some(last) = lines.last_mut()
            && s <= last.end
        {
            last.literals_only &= fragment;
            continue;
        }
        let (start, end) = line_bounds(b, s, s);
        lines.push(Candidate {
            start,
            end,
            literals_only: fragment,
        });
    }
    (lines, breaks)
}

/// Inline HTML elements: a tag of one of them between two letters renders nothing between them.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
    "time", "tt", "u", "var", "wbr",
];

/// The text of a markup file (HTML, Markdown) as it renders, line by line, where a line renders
/// differently from its source (the other lines left empty, so line numbers hold), or `None`
/// for any other file or where nothing differs. A name split by markup
/// renders whole: `Kas<span>per</span>sky`, `Kas<!-- -->persky`, `Kas&shy;persky`,
/// `Kas**per**sky`. Comments and inline elements' tags render as nothing, other tags as a
/// space, character references as their characters, and in Markdown, emphasis, strike-through
/// and code marks between letters as nothing. Only lines where such markup stands inside a
/// word are taken: elsewhere the source reading already separates the words as they render.
pub(super) fn rendered(name: &str, text: &str) -> Option<String> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    let markdown = matches!(ext.as_str(), "md" | "markdown" | "mdx");
    if !markdown && !matches!(ext.as_str(), "html" | "htm" | "xhtml") {
        return None;
    }
    // Only the lines where a `<`, `&` or Markdown mark follows a letter are looked at (found by
    // a search of the whole text, not line by line); the rendering is built from the first
    // line that renders differently, with every other line left empty.
    let b = text.as_bytes();
    let after_word = |i: usize| i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] >= 0x80);
    let mut hits: Vec<usize> = memchr::memchr2_iter(b'<', b'&', b)
        .filter(|&i| after_word(i))
        .collect();
    if markdown {
        hits.extend(memchr::memchr3_iter(b'*', b'`', b'~', b).filter(|&i| after_word(i)));
        hits.sort_unstable();
    }
    let mut out: Option<String> = None;
    let (mut copied, mut line_end) = (0usize, 0usize);
    for at in hits {
        if at < line_end {
            continue;
        }
        let start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |n| n + 1);
        line_end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |n| at + n);
        let line = &text[start..line_end];
        let Some(shown) = render_line(line, markdown).filter(|shown| shown != line) else {
            continue;
        };
        let out = out.get_or_insert_with(|| String::with_capacity(text.len() / 4));
        out.extend(std::iter::repeat_n(
            '\n',
            memchr::memchr_iter(b'\n', &b[copied..start]).count(),
        ));
        out.push_str(&shown);
        copied = line_end;
    }
    out
}

/// The runs of Markdown marks that render as nothing inside a word (`*`, `~`, `` ` ``; not `_`,
/// which CommonMark leaves as written there) standing between two letters or digits of `s`,
/// as byte ranges, in order.
fn marks_inside_words(s: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let b = s.as_bytes();
    let mark = |c: u8| matches!(c, b'*' | b'`' | b'~');
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(n) = memchr::memchr3(b'*', b'`', b'~', &b[from..]) {
            let i = from + n;
            let j = i + b[i..].iter().take_while(|&&c| mark(c)).count();
            from = j;
            if ends_in_word(&s[..i]) && s[j..].chars().next().is_some_and(char::is_alphanumeric) {
                return Some(i..j);
            }
        }
        None
    })
}

/// Whether a letter or digit ends `s`.
fn ends_in_word(s: &str) -> bool {
    s.chars().next_back().is_some_and(char::is_alphanumeric)
}

/// Whether `s` starts with a letter or digit, or with more markup (`<`, `&`).
fn starts_word(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '<' || c == '&')
}

/// `line` as it renders (see [`rendered`]), or `None` where no markup inside a word renders as
/// nothing (a tag or comment between words reads as the separator it already is).
fn render_line(line: &str, markdown: bool) -> Option<String> {
    let md = markdown && marks_inside_words(line).next().is_some();
    if !md && memchr::memchr2(b'<', b'&', line.as_bytes()).is_none() {
        return None;
    }
    let mut joined = md;
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix('&') {
            // A character reference inside a word (`Kas&shy;persky`): decoded below.
            let entity = after
                .find(';')
                .filter(|&n| (1..=32).contains(&n))
                .filter(|&n| {
                    after[..n]
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'#')
                });
            if let Some(n) = entity {
                joined |= ends_in_word(&out) && starts_word(&after[n + 1..]);
            }
            out.push('&');
            rest = after;
            continue;
        }
        if let Some(body) = tail.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            joined |= ends_in_word(&out) && starts_word(rest);
            continue;
        }
        let close = usize::from(tail[1..].starts_with('/'));
        let name_len = tail[1 + close..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tail.len() - 1 - close);
        let tag = tail[1 + close..1 + close + name_len].to_ascii_lowercase();
        match tail.find('>') {
            Some(end) if tag.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                rest = &tail[end + 1..];
                if INLINE_TAGS.contains(&tag.as_str()) {
                    joined |= ends_in_word(&out) && starts_word(rest);
                } else {
                    out.push(' ');
                }
            }
            _ => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    if !joined {
        return None;
    }
    out.push_str(rest);
    if out.contains('&') {
        out = html_escape::decode_html_entities(&out).into_owned();
    }
    if md {
        // Emphasis, strike-through and code marks standing between two letters.
        let mut kept = String::with_capacity(out.len());
        let mut copied = 0;
        for run in marks_inside_words(&out) {
            kept.push_str(&out[copied..run.start]);
            copied = run.end;
        }
        kept.push_str(&out[copied..]);
        out = kept;
    }
    Some(out)
}

/// Whether `line` holds a control character that renders as nothing (see [`marks::Mark::Hidden`]).
fn has_hidden_control(line: &str) -> bool {
    line.bytes().any(crate::text::is_hidden_ascii)
}

/// Lines above ASCII from which [`candidate_lines`] first asks blocks of this many lines
/// whether they can hold a needle (fewer cost less to read one by one than the question).
const MANY_LINES: usize = 64;

/// A line worth folding (see [`candidate_lines`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Candidate {
    pub start: usize,
    pub end: usize,
    /// Taken only for half of a name split across string literals: read only through its
    /// joined literals, never as code (`let kasper = sky;` folds to a name, and says none).
    pub literals_only: bool,
}

/// `s` with each character lower-cased where that keeps its UTF-8 length, so that byte offsets
/// stay those of `s`.
pub(super) fn lower_same_len(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) if x.len_utf8() == c.len_utf8() => x,
                _ => c,
            }
        })
        .collect()
}

/// Whether the text between a notice word and a name lets the notice reach the name: no code
/// punctuation (`;`, `=`, braces, brackets, `|`, a comment's end, a string ending in a list) and
/// no sentence ending (`Foo Corp. Bar`) between them.
pub(super) fn reaches(gap: &str) -> bool {
    if gap.len() > NOTICE_REACH
        || gap.contains([';', '{', '}', '[', ']', '=', '|', '`'])
        || [
            "*/",
            "-->",
            "\",",
            "',",
            "rights reserved",
            "права защищены",
        ]
        .iter()
        .any(|b| gap.contains(b))
    {
        return false;
    }
    // `Example Corp. Kaspersky…`: a full stop after a word of four letters or more, then a
    // capital, ends the notice (`Inc. `, `Ltd. `, initials do not).
    !gap.match_indices(". ").any(|(i, _)| {
        let word = gap[..i]
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let next = gap[i + 2..].trim_start().chars().next();
        word.chars().count() >= 4 && next.is_some_and(char::is_uppercase)
    })
}

/// The start of the notice word that governs the name at `hs..he` of `line`, if one does: a
/// notice word before it on the line with nothing but holder text between (see [`reaches`]),
/// a closing one (`All rights reserved`) right after it, or an unfinished notice at the end of
/// the previous line (`* Copyright (c) 2024` wrapped before the holder) when only filler comes
/// before the name on its own line.
pub(super) fn governing_notice(
    line: &str,
    hs: usize,
    he: usize,
    prev: Option<&str>,
) -> Option<usize> {
    let floor = |s: &str, mut i: usize| {
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let from = floor(line, hs.saturating_sub(NOTICE_REACH + 24));
    let before = lower_same_len(&line[from..hs]);
    let mut best: Option<usize> = None;
    for w in NOTICE_BEFORE {
        for (i, _) in before.match_indices(w) {
            // `(c)` is everywhere in code (`f(c)`): a notice only when a space follows.
            if *w == "(c)" && !before[i + 3..].starts_with([' ', '\t']) {
                continue;
            }
            // `Property of <holder>`, `is the property of`, `intellectual property of`; not
            // prose's `a property of <product>'s heuristics`.
            if *w == "property of" {
                let lead = before[..i].trim_end();
                let word = lead
                    .rsplit(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or("");
                let ends_in_word = lead.ends_with(|c: char| c.is_alphanumeric());
                if ends_in_word && !matches!(word, "the" | "intellectual" | "exclusive" | "sole") {
                    continue;
                }
            }
            if reaches(&before[i + w.len()..]) && best.is_none_or(|b| i > b) {
                best = Some(i);
            }
        }
    }
    if let Some(i) = best {
        return Some(from + i);
    }
    let to = floor(line, (he + NOTICE_REACH).min(line.len()));
    let after = lower_same_len(&line[he.min(to)..to]);
    for w in NOTICE_AFTER {
        if let Some(i) = after.find(w)
            && reaches(&after[..i])
        {
            return Some(hs);
        }
    }
    // Wrapped: only comment markers, spaces, years and legal forms before the name here, and an
    // unfinished notice (no holder yet) at the end of the previous line.
    let lead = &line[..hs];
    let filler = lead.len() <= 64
        && lead
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| {
                w.chars().all(|c| c.is_ascii_digit())
                    || crate::text::normalize::is_legal_form(&w.to_lowercase())
                    || matches!(w.to_lowercase().as_str(), "and" | "by" | "the" | "c")
            })
        && reaches(lead);
    let prev = prev?;
    if !filler {
        return None;
    }
    let lp = lower_same_len(prev);
    let (i, w) = NOTICE_BEFORE
        .iter()
        .filter_map(|w| lp.rfind(w).map(|i| (i, *w)))
        .max()?;
    let tail = &lp[i + w.len()..];
    let unfinished = tail
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            w.chars().all(|c| c.is_ascii_digit())
                || matches!(w, "c" | "by" | "and" | "copyright" | "the")
        });
    (unfinished && reaches(tail)).then_some(0)
}

/// The line before the one starting at `start`, passing over one blank line (a POD
/// `=head1 AUTHOR`, a blank line, then the holder).
fn previous_line(text: &str, start: usize) -> Option<&str> {
    let b = text.as_bytes();
    let mut end = start.checked_sub(1)?;
    for _ in 0..2 {
        let s = line_bounds(b, end, end).0;
        let line = &text[s..end];
        if !line.trim().is_empty() || s == 0 {
            return Some(line);
        }
        end = s.checked_sub(1)?;
    }
    Some(&text[line_bounds(b, end, end).0..end])
}

pub(super) fn is_notice_file(name: &str) -> bool {
    let base = name.rsplit(['/', '!']).next().unwrap_or(name);
    // Notice files are prose: no extension, or a text one (`LICENSE-MIT`, `NOTICE.txt`).
    let ext = base.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if ext
        .as_deref()
        .is_some_and(|e| !matches!(e, "txt" | "md" | "rst" | "html" | "htm" | "text"))
    {
        return false;
    }
    let stem = base.split('.').next().unwrap_or(base).to_ascii_uppercase();
    NOTICE_FILES
        .iter()
        .any(|n| stem == *n || (stem.starts_with(n) && stem[n.len()..].starts_with(['-', '_'])))
}

/// Whether the file named `name` is prose a person reads (documentation, a changelog, a notice
/// or credits file), where a line can state that something is absent or thank someone (see
/// [`recognise::is_disclaimer`]): a text or markup extension, or none with a documentation
/// name (`NOTICE`, `AUTHORS`, `CHANGELOG`, `NEWS`…).
pub(super) fn is_prose_file(name: &str) -> bool {
    const DOCS: &[&str] = &[
        "CHANGELOG",
        "CHANGES",
        "HISTORY",
        "NEWS",
        "README",
        "THANKS",
        "CONTRIBUTORS",
        "ACKNOWLEDGEMENTS",
        "ACKNOWLEDGMENTS",
        "RELEASE-NOTES",
        "RELEASE_NOTES",
    ];
    let base = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((_, ext)) => {
            super::test_data::is_document(base)
                || ["txt", "text"].iter().any(|e| ext.eq_ignore_ascii_case(e))
        }
        None => {
            is_notice_file(name)
                || DOCS.iter().any(|d| {
                    base.get(..d.len())
                        .is_some_and(|b| b.eq_ignore_ascii_case(d))
                        && base[d.len()..]
                            .chars()
                            .all(|c| matches!(c, '-' | '_') || c.is_ascii_alphanumeric())
                })
        }
    }
}

/// The line containing `start..end`.
pub(super) fn line_bounds(bytes: &[u8], start: usize, end: usize) -> (usize, usize) {
    let s = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
    let e = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |i| end + i);
    (s, e)
}

/// At most [`crate::evidence::MAX_TEXT`] bytes of a line, centred on the hit for very long lines
/// (minified files), cut at UTF-8 boundaries.
pub(super) fn window(bytes: &[u8], start: usize, end: usize, hit: usize) -> &[u8] {
    let max = crate::evidence::MAX_TEXT;
    if end - start <= max {
        return &bytes[start..end];
    }
    let mut s = hit.saturating_sub(max / 2).max(start);
    let mut e = (s + max).min(end);
    while s < e && (bytes[s] & 0xC0) == 0x80 {
        s += 1;
    }
    while e > s && e < bytes.len() && (bytes[e] & 0xC0) == 0x80 {
        e -= 1;
    }
    &bytes[s..e]
}
