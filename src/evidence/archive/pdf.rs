//! Evidence stage, archives: a PDF document → its compressed streams, each decoded and read as
//! a member of its own (`manual.pdf!object 12`).
//!
//! A PDF's page text, its XMP metadata, the objects packed into object streams (the document
//! information dictionary with its `/Author` among them) and its attachments are stored
//! deflated (`/FlateDecode`): a byte search of the file finds none of them. The uncompressed
//! rest (a classic information dictionary, uncompressed streams) is read as the file's own
//! bytes, as any other file's are.
//!
//! Streams are found the way forensic tools find them, by their `stream` and `endstream`
//! keywords rather than through the cross-reference table, so that a damaged file, an
//! incrementally updated one or one whose table lies still shows every stream it holds. A
//! stream whose only filter is `/FlateDecode` is decoded; one with another filter (images,
//! fonts in other encodings) holds no text worth reading and is passed over.

use super::{Flow, Walk};

/// Where a PDF header may start: the format allows up to 1 KiB of anything before it.
const HEADER_WITHIN: usize = 1024;

/// How far before a stream its dictionary is looked for.
const DICTIONARY_WITHIN: usize = 4096;

/// Whether `b` is a PDF document (`%PDF-` within its first KiB).
pub(super) fn is_pdf(b: &[u8]) -> bool {
    let head = &b[..b.len().min(HEADER_WITHIN)];
    // Asked of every file: a byte search first, the header only where a `%` is.
    memchr::memchr_iter(b'%', head).any(|i| head[i..].starts_with(b"%PDF-"))
}

/// One stream of a PDF: the object it belongs to (`object 12`, or its offset where no `obj`
/// header precedes it), its dictionary and its raw data.
struct Stream<'a> {
    label: String,
    dictionary: &'a [u8],
    data: &'a [u8],
}

/// Every stream of `b`, in file order.
fn streams(b: &[u8]) -> Vec<Stream<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&b[from..], b"stream") {
        let at = from + i;
        from = at + 6;
        // `endstream` contains `stream`; a keyword is preceded by the dictionary's `>>`
        // (and white space), not by letters.
        if at >= 3 && &b[at - 3..at] == b"end" {
            continue;
        }
        let before = trim_end(&b[..at]);
        if !before.ends_with(b">>") {
            continue;
        }
        // The data starts after the end of the keyword's line (CR LF or LF).
        let mut start = at + 6;
        if b.get(start) == Some(&b'\r') {
            start += 1;
        }
        if b.get(start) == Some(&b'\n') {
            start += 1;
        }
        let Some(len) = memchr::memmem::find(&b[start..], b"endstream") else {
            break;
        };
        let end = start + len;
        let data = trim_eol(&b[start..end]);
        let window = &before[before.len().saturating_sub(DICTIONARY_WITHIN)..];
        let (label, dictionary) = match memchr::memmem::rfind(window, b" obj") {
            Some(o) => (object_label(&window[..o]), &window[o + 4..]),
            None => (format!("stream at byte {at}"), window),
        };
        out.push(Stream {
            label,
            dictionary,
            data,
        });
        from = end + 9;
    }
    out
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &b[..n]
}

/// `data` without the end-of-line that precedes `endstream`.
fn trim_eol(data: &[u8]) -> &[u8] {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    data.strip_suffix(b"\r").unwrap_or(data)
}

/// `object 12` from the bytes before an `obj` keyword (`… 12 0`).
fn object_label(before: &[u8]) -> String {
    let words: Vec<&[u8]> = before
        .rsplit(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .take(2)
        .collect();
    match words.as_slice() {
        [generation, number]
            if number.iter().all(u8::is_ascii_digit)
                && generation.iter().all(u8::is_ascii_digit) =>
        {
            format!("object {}", String::from_utf8_lossy(number))
        }
        _ => "object".to_string(),
    }
}

/// Whether a stream's only filter is `/FlateDecode` (`/Filter /FlateDecode`, or an array of
/// that one filter). A predictor (cross-reference streams) leaves bytes that are no text.
fn deflated(dictionary: &[u8]) -> bool {
    let has = |w: &[u8]| memchr::memmem::find(dictionary, w).is_some();
    has(b"/FlateDecode")
        && !has(b"/Predictor")
        && [
            b"/ASCIIHexDecode".as_slice(),
            b"/ASCII85Decode",
            b"/LZWDecode",
            b"/RunLengthDecode",
            b"/DCTDecode",
            b"/JPXDecode",
            b"/JBIG2Decode",
            b"/CCITTFaxDecode",
            b"/Crypt",
        ]
        .iter()
        .all(|f| !has(f))
}

/// The deflate data of a `/FlateDecode` stream: after its zlib header where it has one (some
/// writers leave it out). Decoded as raw deflate, so that the checksum after it, and the stray
/// bytes a writer leaves before `endstream`, are not read: a stream decodes as far as its data
/// goes, as PDF readers decode it.
fn deflate_data(data: &[u8]) -> &[u8] {
    match data {
        [cmf, flg, rest @ ..]
            if cmf & 0x0f == 8
                && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
                && flg & 0x20 == 0 =>
        {
            rest
        }
        _ => data,
    }
}

impl Walk<'_, '_> {
    /// A PDF's deflated streams, each decoded and handed on as a member (an attached archive
    /// is walked in turn).
    pub(super) fn pdf(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), super::Fail> {
        for s in streams(bytes) {
            let path = || format!("{name}!{}", s.label);
            if !deflated(s.dictionary) {
                // A page's content stream stored as it is: its bytes are read with the file's,
                // and what it shows as a member of its own (see `pdf_text`).
                if memchr::memmem::find(s.dictionary, b"/Filter").is_none()
                    && let Some(text) = super::pdf_text::shown(trim_eol(s.data))
                {
                    let path = path();
                    if !self.admit(&path) {
                        break;
                    }
                    self.note_traversal(&path, &s.label);
                    self.entry(path, text.as_bytes(), depth);
                }
                continue;
            }
            // A page's content stream is read as the text it shows: its strings joined where
            // kerning split them, its escapes decoded (see `pdf_text`). Any other stream is
            // read as its bytes.
            let reader = flate2::read::DeflateDecoder::new(deflate_data(s.data));
            let shown = super::pdf_text::shown;
            if self.member_shown("pdf stream", path(), &s.label, reader, depth, shown) == Flow::Stop
            {
                break;
            }
        }
        Ok(())
    }
}
