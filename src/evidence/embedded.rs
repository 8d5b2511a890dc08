//! Evidence stage, payloads embedded as text: a base64 blob in a source or data file (an archive,
//! a library or a notice written out as `UEsDBBQ…`, then decoded at build or run time, as
//! `include_str!("sdk.b64")` or a `const BLOB: &str = "…"` does) is the bytes it encodes. A grep
//! sees letters; the deep scan reads the decoded bytes as it reads any file.
//!
//! Found by sampling: every [`STRIDE`] bytes, a window of [`WINDOW`] bytes is tested for the
//! base64 alphabet (and at most two line breaks: blobs are wrapped at 64 or 76 characters, word
//! lists break every few). Ordinary text fails within a few bytes, so the cost is a few bytes
//! read per [`STRIDE`] (a sample every 1 KiB measured 3% of a check's CPU on uv, every 4 KiB
//! within noise). A blob of [`STRIDE`] + [`WINDOW`] characters or more (an SDK's library or
//! archive is far longer) is always sampled; a shorter one of at least [`MIN_BLOB`] when a sample
//! falls in it.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Distance between samples (see the module).
pub const STRIDE: usize = 4096;
/// Bytes tested at each sample.
pub const WINDOW: usize = 64;
/// The fewest base64 characters taken as a blob.
pub const MIN_BLOB: usize = 1024;
/// Blobs decoded from one file, at most.
pub const MAX_BLOBS: usize = 16;

fn alphabet(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_')
}

fn in_blob(c: u8) -> bool {
    alphabet(c) || matches!(c, b'\n' | b'\r' | b'=')
}

/// The base64 blobs of `b` of at least [`MIN_BLOB`] characters that decode: `(offset of the
/// blob, its bytes)`, at most [`MAX_BLOBS`] and at most `max_bytes` decoded bytes each. A run of
/// hex digits only is hex, not base64, and is left alone.
pub fn base64_blobs(b: &[u8], max_bytes: u64) -> Vec<(usize, Vec<u8>)> {
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    let url_safe = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    let mut out = Vec::new();
    // A file shorter than the stride is sampled in its middle (a `.b64` file is all blob).
    let mut p = (STRIDE - 1).min(b.len().saturating_sub(WINDOW) / 2);
    while p + WINDOW <= b.len() && out.len() < MAX_BLOBS {
        let w = &b[p..p + WINDOW];
        if !(w.iter().all(|&c| in_blob(c))
            && w.iter().filter(|&&c| c == b'\n').count() <= 2
            && w.iter().any(|&c| alphabet(c)))
        {
            p += STRIDE;
            continue;
        }
        let mut start = p;
        while start > 0 && in_blob(b[start - 1]) {
            start -= 1;
        }
        let mut end = p + WINDOW;
        while end < b.len() && in_blob(b[end]) {
            end += 1;
        }
        while start < end && !alphabet(b[start]) {
            start += 1;
        }
        p = end + STRIDE;
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
        if clean.len() < MIN_BLOB
            || clean.iter().all(u8::is_ascii_hexdigit)
            || clean.len() as u64 / 4 * 3 > max_bytes
        {
            continue;
        }
        let engine = if clean.iter().any(|&c| c == b'-' || c == b'_') {
            &url_safe
        } else {
            &standard
        };
        if let Ok(decoded) = engine.decode(&clean) {
            out.push((start, decoded));
        }
    }
    out
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

    #[test]
    fn blobs_in_code_and_wrapped_files_are_decoded() {
        let payload: Vec<u8> = (0..6000u32).map(|i| (i * 7 % 251) as u8).collect();
        let inline = format!(
            "fn f() {{}}\npub const BLOB: &str = \"{}\";\n",
            base64::engine::general_purpose::STANDARD.encode(&payload)
        );
        let got = base64_blobs(inline.as_bytes(), 1 << 20);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, payload);
        assert_eq!(got[0].0, inline.find("\"").unwrap() + 1);
        let pem = format!(
            "-----BEGIN DATA-----\n{}\n-----END DATA-----\n",
            wrapped(&payload, 64)
        );
        assert_eq!(base64_blobs(pem.as_bytes(), 1 << 20)[0].1, payload);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&payload);
        assert_eq!(base64_blobs(url.as_bytes(), 1 << 20)[0].1, payload);
    }

    #[test]
    fn a_file_that_is_one_short_blob_is_read() {
        let payload = vec![3u8; 1200];
        let file = wrapped(&payload, 76);
        assert_eq!(base64_blobs(file.as_bytes(), 1 << 20)[0].1, payload);
    }

    #[test]
    fn text_hex_word_lists_and_short_blobs_are_not_blobs() {
        let prose = "The quick brown fox jumps over the lazy dog. ".repeat(200);
        assert!(base64_blobs(prose.as_bytes(), 1 << 20).is_empty());
        let hex = "0123456789abcdef".repeat(400);
        assert!(base64_blobs(hex.as_bytes(), 1 << 20).is_empty());
        let words: String = (0..3000).map(|i| format!("word{i}\n")).collect();
        assert!(base64_blobs(words.as_bytes(), 1 << 20).is_empty());
        let short = format!(
            "{}\"{}\"",
            "x ".repeat(600),
            base64::engine::general_purpose::STANDARD.encode([7u8; 600])
        );
        assert!(
            base64_blobs(short.as_bytes(), 1 << 20).is_empty(),
            "under MIN_BLOB"
        );
        let payload = vec![9u8; 6000];
        let big = base64::engine::general_purpose::STANDARD.encode(&payload);
        assert!(
            base64_blobs(big.as_bytes(), 100).is_empty(),
            "over the size bound"
        );
    }
}
