//! Evidence stage, payloads embedded as text: a blob written out in a source or data file (an
//! archive, a library or a notice as `UEsDBBQ…` in base64, as a run of hex digits, or as a byte
//! array: `xxd -i`'s `unsigned char sdk[] = {0x4d, 0x5a, …}`, Rust's `[0x4D, 0x5A, …]` or `[77,
//! 90, …]`, Java's signed `{77, 90, -112, …}`), then decoded at build or run time, as
//! `include_str!("sdk.b64")`, `include!("sdk_blob.rs")` or a `const BLOB` does, is the bytes it
//! encodes. A grep sees letters and digits; the deep scan reads the decoded bytes as it reads any
//! file.
//!
//! Found by sampling: every [`STRIDE`] bytes, a window of [`WINDOW`] bytes is tested for the
//! base64 alphabet (and at most two line breaks: blobs are wrapped at 64 or 76 characters, word
//! lists break every few), or for a byte array's characters (digits, `0x`, commas and spaces,
//! and enough commas and digits). Ordinary text fails within a few bytes, so the cost is a few
//! bytes read per [`STRIDE`] (a sample every 1 KiB measured 3% of a check's CPU on uv, every 4 KiB
//! within noise). A blob of [`STRIDE`] + [`WINDOW`] characters or more (an SDK's library or
//! archive is far longer) is always sampled; a shorter one of at least [`MIN_BLOB`] characters
//! (base64, hex) or [`MIN_ARRAY`] bytes (an array) when a sample falls in it.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Distance between samples (see the module).
pub const STRIDE: usize = 4096;
/// Bytes tested at each sample.
pub const WINDOW: usize = 64;
/// The fewest base64 or hex characters taken as a blob.
pub const MIN_BLOB: usize = 1024;
/// The fewest elements a byte array is taken as a blob at.
pub const MIN_ARRAY: usize = 256;
/// Blobs decoded from one file, at most.
pub const MAX_BLOBS: usize = 16;

/// How a blob was written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Base64,
    /// Hex digits, two to a byte, with no separators (`4d5a9000…`, `xxd -p`).
    Hex,
    /// Numbers separated by commas or spaces, each one byte (`0x4d`, `77`, `-112`).
    Array,
    /// A firmware image's records, the whole file (see [`super::firmware`]).
    Firmware(super::firmware::Format),
}

impl Form {
    const ALL: [Form; 5] = [
        Form::Base64,
        Form::Hex,
        Form::Array,
        Form::Firmware(super::firmware::Format::IntelHex),
        Form::Firmware(super::firmware::Format::SRecord),
    ];

    /// How the blob is named after its file (`file!array@line`).
    pub fn name(self) -> &'static str {
        match self {
            Form::Base64 => "base64",
            Form::Hex => "hex",
            Form::Array => "array",
            Form::Firmware(super::firmware::Format::IntelHex) => "ihex",
            Form::Firmware(super::firmware::Format::SRecord) => "srec",
        }
    }

    /// The form of the blob a scanned name stands for (`src/x.rs!array@12`), if it is one
    /// (not a member of an archive decoded from one, `x.b64!base64@1!inner.exe`).
    pub fn of_name(name: &str) -> Option<Form> {
        let last = name.rsplit('!').next()?;
        let (form, line) = last.split_once('@')?;
        (name.contains('!') && line.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Form::ALL.into_iter().find(|f| f.name() == form))
            .flatten()
    }
}

/// A blob found in a file: where its text starts, how it was written, and its bytes.
#[derive(Debug)]
pub struct Blob {
    pub at: usize,
    pub form: Form,
    pub bytes: Vec<u8>,
}

/// Byte classes, looked up: the window tests and the runs read a byte at a time.
const ALPHABET: u8 = 1;
const IN_BLOB: u8 = 2;
const IN_ARRAY: u8 = 4;

const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let alphabet = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_');
        if alphabet {
            t[i] |= ALPHABET | IN_BLOB;
        }
        if matches!(c, b'\n' | b'\r' | b'=') {
            t[i] |= IN_BLOB;
        }
        // A byte array's elements and separators, Rust's `u8`/`i8` suffixes and Java's
        // `(byte)` casts included.
        if c.is_ascii_hexdigit()
            || matches!(
                c,
                b'x' | b'X'
                    | b','
                    | b' '
                    | b'\t'
                    | b'\r'
                    | b'\n'
                    | b'-'
                    | b'u'
                    | b'i'
                    | b'('
                    | b')'
                    | b'y'
                    | b't'
            )
        {
            t[i] |= IN_ARRAY;
        }
        i += 1;
    }
    t
};

fn alphabet(c: u8) -> bool {
    CLASSES[c as usize] & ALPHABET != 0
}

fn in_blob(c: u8) -> bool {
    CLASSES[c as usize] & IN_BLOB != 0
}

fn in_array(c: u8) -> bool {
    CLASSES[c as usize] & IN_ARRAY != 0
}

/// What separates an array's elements: white space and commas.
fn separator(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',')
}

/// Whether a window of text looks like the inside of a base64 or hex blob.
fn base64_window(w: &[u8]) -> bool {
    w.iter().all(|&c| in_blob(c))
        && w.iter().filter(|&&c| c == b'\n').count() <= 2
        && w.iter().any(|&c| alphabet(c))
}

/// Whether a window of text looks like the inside of a byte array: nothing but numbers and
/// their separators, with a comma or a space between every few digits.
fn array_window(w: &[u8]) -> bool {
    w.iter().all(|&c| in_array(c))
        && w.iter().filter(|&&c| c == b',').count() >= 4
        && w.iter().filter(|&&c| c.is_ascii_digit()).count() >= 4
}

/// The blobs of `b` (see the module), in order: at most [`MAX_BLOBS`], and at most
/// `max_bytes` decoded bytes each.
pub fn blobs(b: &[u8], max_bytes: u64) -> Vec<Blob> {
    let mut out = Vec::new();
    // A file shorter than the stride is sampled in its middle (a `.b64` file is all blob).
    let mut p = (STRIDE - 1).min(b.len().saturating_sub(WINDOW) / 2);
    // Where the last run ended: no run reaches back past it, so every byte is read by at most
    // one run, however many samples fall in a long stretch that decodes to nothing.
    let mut floor = 0;
    while p + WINDOW <= b.len() && out.len() < MAX_BLOBS {
        let w = &b[p..p + WINDOW];
        let (blob, end) = if base64_window(w) {
            base64_run(b, p, floor, max_bytes)
        } else if array_window(w) {
            array_run(b, p, floor, max_bytes)
        } else {
            p += STRIDE;
            continue;
        };
        out.extend(blob);
        floor = end.max(p + WINDOW);
        p = floor + STRIDE;
    }
    out
}

/// The base64 (or hex) run around the sample at `p` (not before `floor`), decoded, and where
/// the run ends.
fn base64_run(b: &[u8], p: usize, floor: usize, max_bytes: u64) -> (Option<Blob>, usize) {
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let mut start = p;
    while start > floor && in_blob(b[start - 1]) {
        start -= 1;
    }
    let mut end = p + WINDOW;
    while end < b.len() && in_blob(b[end]) {
        end += 1;
    }
    while start < end && !alphabet(b[start]) {
        start += 1;
    }
    // PEM armour (`-----BEGIN …-----`, `-----END …`) is in the URL-safe alphabet, not in
    // the blob.
    let mut run = &b[start..end];
    if let Some(i) = memchr::memmem::find(run, b"-----")
        && let Some(nl) = memchr::memchr(b'\n', &run[i..])
    {
        run = &run[i + nl + 1..];
    }
    if let Some(i) = memchr::memmem::find(run, b"-----") {
        run = &run[..i];
    }
    let clean: Vec<u8> = run.iter().copied().filter(|&c| alphabet(c)).collect();
    if clean.len() < MIN_BLOB {
        return (None, end);
    }
    // Hex digits alone are hex, two to a byte, not base64.
    if clean.iter().all(u8::is_ascii_hexdigit) {
        let decoded = (clean.len() as u64 / 2 <= max_bytes)
            .then(|| hex::decode(&clean).ok())
            .flatten();
        return (
            decoded.map(|bytes| Blob {
                at: start,
                form: Form::Hex,
                bytes,
            }),
            end,
        );
    }
    if clean.len() as u64 / 4 * 3 > max_bytes {
        return (None, end);
    }
    let engine = if clean.iter().any(|&c| c == b'-' || c == b'_') {
        GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG)
    } else {
        GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG)
    };
    let blob = engine.decode(&clean).ok().map(|bytes| Blob {
        at: start,
        form: Form::Base64,
        bytes,
    });
    (blob, end)
}

/// How far before a stretch of numbers the bracket that opens its array is looked for (comments
/// between the elements, `/* 0x0010 */`, end a stretch).
const BRACKET_REACH: usize = 64 << 10;

/// The byte array around the sample at `p` (not before `floor`), decoded, and where it ends.
///
/// The elements after the sample's first comma are read first: where they stop at a number
/// that is no byte, the numbers are a table of wider ones and nothing more is read (a file of
/// them costs a few bytes a sample). Otherwise the array is read from the bracket that opens it
/// (`{`, `[` or `(`: the nearest before the sample's stretch of numbers, since an array's
/// elements hold none), or, where that reading stops before the sample (a bracket in a comment
/// between them), from the stretch's first element.
fn array_run(b: &[u8], p: usize, floor: usize, max_bytes: u64) -> (Option<Blob>, usize) {
    let first = memchr::memchr(b',', &b[p..p + WINDOW]).map_or(p, |i| p + i + 1);
    // Only whether fewer than MIN_ARRAY elements stop at a wider number matters here: the
    // probe reads no more than that, and the array is read whole below.
    let probe = read_array(b, first, MIN_ARRAY as u64);
    let stopped_at = b[probe.end..].iter().find(|&&c| !separator(c));
    if probe.bytes.len() < MIN_ARRAY && stopped_at.is_some_and(|c| c.is_ascii_digit() || *c == b'-')
    {
        return (None, probe.end.max(p + WINDOW));
    }
    let mut start = p;
    while start > floor && in_array(b[start - 1]) {
        start -= 1;
    }
    let reach = start.saturating_sub(BRACKET_REACH).max(floor);
    let opened = memchr::memrchr3(b'{', b'[', b'(', &b[reach..start]).map(|i| reach + i + 1);
    let from = opened.unwrap_or(start);
    let mut read = read_array(b, from, max_bytes);
    if read.end <= p && from != start {
        read = read_array(b, start, max_bytes);
    }
    let end = read.end.max(p + WINDOW);
    if read.bytes.len() < MIN_ARRAY || read.bytes.len() as u64 > max_bytes {
        return (None, end);
    }
    (
        Some(Blob {
            at: read.first,
            form: Form::Array,
            bytes: read.bytes,
        }),
        end,
    )
}

/// What [`read_array`] read: the bytes, where the first element starts and where the last ends.
struct ArrayRead {
    bytes: Vec<u8>,
    first: usize,
    end: usize,
}

/// The bytes an array's elements from `from` on spell, and where the elements end: numbers of
/// one byte each (`0x4d` or `0X4D`, `77`, a signed `-112`, with a Rust `u8`/`i8` suffix or a
/// Java `(byte)` cast), separated by commas or white space, with comments between them. Reading
/// stops at anything else (the closing bracket) or at a number that is not one byte (a table of
/// wider numbers is not an array of bytes), and past `max_bytes` + 1 bytes.
fn read_array(b: &[u8], from: usize, max_bytes: u64) -> ArrayRead {
    let cap = usize::try_from(max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let mut out = Vec::new();
    let mut i = from;
    let (mut first, mut end) = (from, from);
    while out.len() < cap {
        while i < b.len() && separator(b[i]) {
            i += 1;
        }
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            i += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            continue;
        }
        if rest.starts_with(b"/*") {
            match memchr::memmem::find(&rest[2..], b"*/") {
                Some(n) => i += n + 4,
                None => break,
            }
            continue;
        }
        if rest.starts_with(b"(byte)") {
            i += 6;
            while matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
        }
        let negative = b.get(i) == Some(&b'-');
        let digits_at = i + usize::from(negative);
        let Some((value, len)) = number(&b[digits_at..]) else {
            break;
        };
        let mut next = digits_at + len;
        if matches!(b.get(next..next + 2), Some(b"u8" | b"i8")) {
            next += 2;
        }
        // A number ends where a separator, a comment or the closing bracket starts.
        if b.get(next)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'_')
        {
            break;
        }
        let byte = match (negative, value) {
            (false, 0..=255) => value as u8,
            (true, 1..=128) => (256 - value) as u8,
            _ => break,
        };
        if out.is_empty() {
            first = i;
        }
        out.push(byte);
        i = next;
        end = next;
    }
    ArrayRead {
        bytes: out,
        first,
        end,
    }
}

/// A number at the start of `b`: `0x` and one or two hex digits, or one to three decimal
/// digits, and its length; more digits than that make it no byte.
fn number(b: &[u8]) -> Option<(u32, usize)> {
    let (radix, skip) = match b {
        [b'0', b'x' | b'X', ..] => (16, 2),
        _ => (10, 0),
    };
    let (mut value, mut n) = (0u32, 0usize);
    while let Some(d) = b.get(skip + n).and_then(|&c| (c as char).to_digit(radix)) {
        if n == if radix == 16 { 2 } else { 3 } {
            return None;
        }
        value = value * radix + d;
        n += 1;
    }
    (n > 0).then_some((value, skip + n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrapped(data: &[u8], width: usize) -> String {
        let s = base64::engine::general_purpose::STANDARD.encode(data);
        s.as_bytes()
            .chunks(width)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The forms and bytes of what `blobs` finds, the bytes as their length and digest (a failed
    /// comparison prints those, not kilobytes).
    fn found(text: &str, max: u64) -> Vec<(Form, usize, String)> {
        blobs(text.as_bytes(), max)
            .into_iter()
            .map(|b| summary(b.form, &b.bytes))
            .collect()
    }

    fn summary(form: Form, bytes: &[u8]) -> (Form, usize, String) {
        use sha2::Digest;
        (form, bytes.len(), hex::encode(sha2::Sha256::digest(bytes)))
    }

    fn payload(n: u32) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn blobs_in_code_and_wrapped_files_are_decoded() {
        let payload = payload(6000);
        let inline = format!(
            "fn f() {{}}\npub const BLOB: &str = \"{}\";\n",
            base64::engine::general_purpose::STANDARD.encode(&payload)
        );
        let got = blobs(inline.as_bytes(), 1 << 20);
        assert_eq!(got.len(), 1);
        assert!(got[0].form == Form::Base64 && got[0].bytes == payload);
        assert_eq!(got[0].at, inline.find("\"").unwrap() + 1);
        let pem = format!(
            "-----BEGIN DATA-----\n{}\n-----END DATA-----\n",
            wrapped(&payload, 64)
        );
        assert_eq!(found(&pem, 1 << 20), [summary(Form::Base64, &payload)]);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&payload);
        assert_eq!(found(&url, 1 << 20), [summary(Form::Base64, &payload)]);
    }

    #[test]
    fn a_file_that_is_one_short_blob_is_read() {
        let payload = vec![3u8; 1200];
        let file = wrapped(&payload, 76);
        assert_eq!(found(&file, 1 << 20), [summary(Form::Base64, &payload)]);
    }

    #[test]
    fn numbers_of_one_byte() {
        assert_eq!(number(b"0x4d,"), Some((0x4d, 4)));
        assert_eq!(number(b"0XF}"), Some((15, 3)));
        assert_eq!(number(b"255 "), Some((255, 3)));
        assert_eq!(number(b"0,"), Some((0, 1)));
        assert_eq!(number(b"0x4E02"), None);
        assert_eq!(number(b"1000"), None);
        assert_eq!(number(b"0x,"), None);
        assert_eq!(number(b"x1"), None);
        assert_eq!(
            number(b"999"),
            Some((999, 3)),
            "read_array tells it is no byte"
        );
    }

    #[test]
    fn a_blobs_name_says_its_form() {
        assert_eq!(Form::of_name("src/x.rs!array@12"), Some(Form::Array));
        assert_eq!(Form::of_name("a.b64!base64@1"), Some(Form::Base64));
        assert_eq!(Form::of_name("a.b64!base64@1!inner.exe"), None);
        assert_eq!(Form::of_name("array@12"), None);
        assert_eq!(Form::of_name("x.zip!hex@a"), None);
    }

    #[test]
    fn runs_of_hex_digits_are_hex() {
        let payload = payload(3000);
        let inline = format!("const SDK: &str = \"{}\";\n", hex::encode(&payload));
        assert_eq!(found(&inline, 1 << 20), [summary(Form::Hex, &payload)]);
        // `xxd -p`: 60 digits a line.
        let plain: Vec<String> = hex::encode(&payload)
            .as_bytes()
            .chunks(60)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        assert_eq!(
            found(&plain.join("\n"), 1 << 20),
            [summary(Form::Hex, &payload)]
        );
        let odd = format!("\"{}a\"", "0123456789abcdef".repeat(400));
        assert!(found(&odd, 1 << 20).is_empty(), "an odd count is no bytes");
    }

    /// A C header as `xxd -i` writes it.
    fn xxd(data: &[u8]) -> String {
        let lines: Vec<String> = data
            .chunks(12)
            .map(|c| {
                let parts: Vec<String> = c.iter().map(|b| format!("0x{b:02x}")).collect();
                format!("  {}", parts.join(", "))
            })
            .collect();
        format!(
            "unsigned char sdk_so[] = {{\n{}\n}};\nunsigned int sdk_so_len = {};\n",
            lines.join(",\n"),
            data.len()
        )
    }

    #[test]
    fn byte_arrays_of_every_language_are_decoded() {
        let payload = payload(5000);
        let header = xxd(&payload);
        let got = blobs(header.as_bytes(), 1 << 20);
        assert_eq!(got.len(), 1);
        assert!(got[0].form == Form::Array && got[0].bytes == payload);
        assert_eq!(got[0].at, header.find("0x").unwrap());
        let rust_hex = format!(
            "pub static SDK: [u8; {}] = [{}];\n",
            payload.len(),
            payload
                .iter()
                .map(|b| format!("0x{b:02X}u8"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert_eq!(found(&rust_hex, 1 << 20), [summary(Form::Array, &payload)]);
        let decimal = format!(
            "const SDK = new Uint8Array([{}]);\n",
            payload
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(found(&decimal, 1 << 20), [summary(Form::Array, &payload)]);
        // Java's bytes are signed.
        let java = format!(
            "static final byte[] SDK = {{{}}};\n",
            payload
                .iter()
                .map(|&b| (b as i8).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert_eq!(found(&java, 1 << 20), [summary(Form::Array, &payload)]);
        let cast = format!(
            "static final byte[] SDK = new byte[] {{{}}};\n",
            payload
                .iter()
                .map(|b| format!("(byte) 0x{b:02X}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert_eq!(found(&cast, 1 << 20), [summary(Form::Array, &payload)]);
        // bin2c with an offset comment on each line, and a bracket inside the first.
        let commented: String = payload
            .chunks(16)
            .enumerate()
            .map(|(i, c)| {
                let parts: Vec<String> = c.iter().map(|b| format!("0x{b:02x},")).collect();
                format!("  /* [{:#06x}] */ {}\n", i * 16, parts.join(" "))
            })
            .collect();
        let bin2c = format!("static const uint8_t sdk[] = {{\n{commented}}};\n");
        let got = blobs(bin2c.as_bytes(), 1 << 20);
        assert_eq!(got.len(), 1);
        assert!(
            payload.ends_with(&got[0].bytes) && got[0].bytes.len() > payload.len() - 4096,
            "read from the sample on: {} of {} bytes",
            got[0].bytes.len(),
            payload.len()
        );
    }

    #[test]
    fn tables_of_wider_numbers_prose_and_short_arrays_are_not_blobs() {
        let crc = format!(
            "static CRC: [u32; 1000] = [{}];\n",
            (0..1000u32)
                .map(|i| format!("0x{:08x}", i.wrapping_mul(2654435761)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert!(found(&crc, 1 << 20).is_empty());
        let wide = format!(
            "static T: [u16; 2000] = [{}];\n",
            (0..2000u32)
                .map(|i| (i * 37 % 60000 + 256).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert!(found(&wide, 1 << 20).is_empty());
        let prose = "The quick brown fox jumps over the lazy dog. ".repeat(200);
        assert!(found(&prose, 1 << 20).is_empty());
        let words: String = (0..3000).map(|i| format!("word{i}\n")).collect();
        assert!(found(&words, 1 << 20).is_empty());
        let short = format!(
            "{}[{}]",
            "x ".repeat(2000),
            [1u8; 200].map(|b| b.to_string()).join(", ")
        );
        assert!(found(&short, 1 << 20).is_empty(), "under MIN_ARRAY");
        let big = format!("[{}]", vec!["0x10"; 6000].join(", "));
        assert!(found(&big, 100).is_empty(), "over the size bound");
    }

    #[test]
    fn no_run_reads_back_past_the_last() {
        // Every sample of a long stretch of numbers passes the window test. Had each read back
        // to the stretch's start (or to its bracket), a file of them would cost the square of
        // its length: a run starts at the floor the last one left at the latest.
        let head = format!("[{}];\n[", "7, ".repeat(3000));
        let text = format!("{head}{}]", "300, ".repeat(3000));
        let b = text.as_bytes();
        let floor = head.len() + 100;
        let p = floor + 4000;
        let (blob, end) = array_run(b, p, floor, 1 << 20);
        assert!(blob.is_none(), "numbers over 255 are no bytes");
        assert!(
            end < p + 2 * WINDOW,
            "a table of wider numbers is not read on"
        );
        let (blob, _) = array_run(b, head.len() - 200, 0, 1 << 20);
        assert_eq!(blob.map(|b| b.bytes.len()), Some(3000));
        let (blob, _) = array_run(b, head.len() - 200, 1000, 1 << 20);
        let blob = blob.expect("the bytes after the floor");
        assert!(blob.at >= 1000 && blob.bytes.len() < 3000);
        let (blob, end) = base64_run(b"AAAA".repeat(2000).as_slice(), 4000, 3000, 1 << 20);
        assert_eq!((blob.map(|b| b.at), end), (Some(3000), 8000));
    }

    #[test]
    fn short_and_oversized_base64_is_not_a_blob() {
        let short = format!(
            "{}\"{}\"",
            "x ".repeat(600),
            base64::engine::general_purpose::STANDARD.encode([7u8; 600])
        );
        assert!(found(&short, 1 << 20).is_empty(), "under MIN_BLOB");
        let payload = vec![9u8; 6000];
        let big = base64::engine::general_purpose::STANDARD.encode(&payload);
        assert!(found(&big, 100).is_empty(), "over the size bound");
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_without_panicking(
            text in proptest::collection::vec(proptest::sample::select(b"0123456789abcdefxX,- \n[]{}()/*u8ibyte".to_vec()), 0..20000)
        ) {
            for b in blobs(&text, 1 << 20) {
                proptest::prop_assert!(b.at < text.len());
            }
        }
    }
}
