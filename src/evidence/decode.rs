//! Evidence stage, text decoding: a file's bytes → its text as UTF-8, whatever encoding it was
//! written in (UTF-8 with or without a byte-order mark, UTF-16LE/BE, legacy code pages).
//!
//! A notice written in Windows-1251 or KOI8-R, or saved as UTF-16 by a Windows editor, says the
//! same as one in UTF-8: the deep scan reads all of them as text, so that no encoding on disk
//! decides what is seen. Legacy code pages are recognised by a real detector (`chardetng`) and
//! decoded with `encoding_rs`.

use std::borrow::Cow;

/// What a file's bytes are, as far as text goes.
pub enum Decoded<'a> {
    /// Text, as UTF-8 (borrowed when it already was), with the encoding it was read from.
    Text(Cow<'a, str>, &'static str),
    /// Not text: NUL bytes outside a UTF-16 pattern.
    Binary,
}

/// Decodes `bytes` as text: a byte-order mark decides; else UTF-16 is recognised by its NUL
/// bytes on every other position; else valid UTF-8 is taken as it is; else the detector names
/// the legacy encoding, in which the lines that are not valid UTF-8 are read (see `legacy`).
/// NUL bytes alone do not make a file binary: with no other control byte, it is text (see
/// `binary_controls`).
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF")
        && let Ok(s) = std::str::from_utf8(rest)
    {
        return Decoded::Text(Cow::Borrowed(s), "UTF-8");
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return utf16(&bytes[2..], true);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return utf16(&bytes[2..], false);
    }
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        if let Some(le) = utf16_order(head) {
            return utf16(bytes, le);
        }
        // A notice with a NUL byte put in front of it is still a notice (and UTF-32 text of
        // ASCII letters is UTF-8 with NULs between them): binary only where other control
        // bytes say so too. Checked from the start, so a binary file, which has them within
        // its first bytes, costs next to nothing.
        if binary_controls(bytes) {
            return Decoded::Binary;
        }
    }
    // Validated 32 bytes at a time (simdutf8; std's validation was 2.4% of a cold check of uv).
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Decoded::Text(Cow::Borrowed(s), "UTF-8");
    }
    let enc = guess(bytes);
    Decoded::Text(Cow::Owned(legacy(bytes, enc)), enc.name())
}

/// The lines of `bytes` that are valid UTF-8 with no NUL (but those they start with) and a
/// letter, each in its place (the others left empty, so line numbers hold), or `None` when
/// there are none: what a file read as UTF-16 also says in UTF-8 (see `Scanner::scan_text`).
pub fn utf8_lines(bytes: &[u8]) -> Option<String> {
    let bytes = bytes
        .strip_prefix(b"\xFF\xFE")
        .or_else(|| bytes.strip_prefix(b"\xFE\xFF"))
        .unwrap_or(bytes);
    let mut out = String::new();
    let mut any = false;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        // The NUL of a UTF-16 line feed before it is not the line's.
        let from = line.iter().position(|&b| b != 0).unwrap_or(line.len());
        match std::str::from_utf8(&line[from..]) {
            Ok(s) if !s.contains('\0') && s.chars().any(char::is_alphabetic) => {
                out.push_str(s);
                any = true;
            }
            _ => out.extend(line.ends_with(b"\n").then_some('\n')),
        }
    }
    any.then_some(out)
}

/// Whether `bytes` hold a control byte that text does not (any below a space but NUL, tab,
/// line and page breaks and ESC), which every executable, image or archive holds within its
/// first bytes.
fn binary_controls(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| matches!(b, 0x01..=0x08 | 0x0e..=0x1a | 0x1c..=0x1f))
}

/// `bytes` (not valid UTF-8) read in `enc`, except the lines that are valid UTF-8 with a
/// character above ASCII, which are read as UTF-8. A line of legacy text with a byte above
/// ASCII is almost never valid UTF-8 (a Cyrillic or accented letter in a single-byte code page
/// is a lead byte followed by ASCII, or a continuation byte alone), while one invalid byte
/// anywhere made the whole file legacy text, and a name written in UTF-8 then read as
/// mojibake (`Kаspersky` with a Cyrillic `а` as `KÐ°spersky`). Files with no such line are
/// decoded whole.
fn legacy(bytes: &[u8], enc: &'static encoding_rs::Encoding) -> String {
    let utf8_line = |line: &[u8]| !line.is_ascii() && std::str::from_utf8(line).is_ok();
    if !bytes.split(|&b| b == b'\n').any(utf8_line) {
        return enc.decode_without_bom_handling(bytes).0.into_owned();
    }
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) => out.push_str(s),
            Err(_) => out.push_str(&enc.decode_without_bom_handling(line).0),
        }
    }
    out
}

/// Most bytes of a file the detector reads. It weighs the bytes above ASCII and their
/// neighbours, and reads about 25 MB/s: a whole file of legacy text (a 100 KB test table) costs
/// milliseconds, while a few kilobytes of its non-ASCII lines already name the encoding.
const DETECTOR_SAMPLE: usize = 16 * 1024;

/// How often the detector is asked for its guess while it reads the sample, in bytes fed.
const DETECTOR_STEP: usize = 4 * 1024;

/// How many times in a row the guess must stay what it was for the rest of the sample to go
/// unread: three guesses alike (at 4, 8 and 12 KiB) decided as the whole 16 KiB did on 614
/// files of Debian's translated message catalogues re-encoded in their legacy code pages (603
/// right either way; two alike: 602), for three quarters of the detector's reading.
const DETECTOR_SETTLED: u32 = 2;

/// The legacy encoding of `bytes` (not UTF-8), as the detector guesses it from the lines that
/// hold a byte above ASCII, in order, up to [`DETECTOR_SAMPLE`] bytes of them, or fewer once its
/// guess has settled ([`DETECTOR_SETTLED`]): ASCII lines say nothing of a code page, so padding
/// a file with them does not dilute what the others say.
///
/// The sample holds whole lines. A line cut at the sample's size could end inside a character
/// of a multi-byte encoding (Shift_JIS, EUC-KR, GBK, Big5), and the detector, told the stream
/// ends there, counts the broken character against the right encoding: on 569 files of
/// translated messages in their legacy encodings (Debian's catalogues in 34 languages), cut
/// lines had the encoding wrong for 23, whole lines for 9 (Greek ISO-8859-7 read as
/// windows-1253, Hungarian and Estonian read as windows-1252: code pages that differ in a few
/// letters). A single line longer than the sample is cut after its last byte below `0`, which
/// no multi-byte encoding uses inside a character.
fn guess(bytes: &[u8]) -> &'static encoding_rs::Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let (mut fed, mut from) = (0usize, 0usize);
    // The guess after every DETECTOR_STEP bytes fed, and how many times in a row it was the
    // one before.
    let (mut checked, mut last, mut same) = (0usize, None, 0u32);
    while fed < DETECTOR_SAMPLE
        && let Some(at) = next_non_ascii(bytes, from)
    {
        let start = memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |n| from + n + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n + 1);
        // A line that is valid UTF-8 is read as UTF-8 (see [`legacy`]): it says nothing of
        // the code page of the others.
        if std::str::from_utf8(&bytes[start..end]).is_ok() {
            from = end;
            continue;
        }
        let room = DETECTOR_SAMPLE - fed;
        if end - start > room {
            let part = &bytes[start..start + room];
            let cut = part.iter().rposition(|&b| b < b'0').map_or(0, |i| i + 1);
            det.feed(&part[..cut], false);
            break;
        }
        det.feed(&bytes[start..end], false);
        fed += end - start;
        from = end;
        if fed >= checked + DETECTOR_STEP {
            checked = fed;
            let now = det.guess(None, chardetng::Utf8Detection::Deny);
            same = if last == Some(now) { same + 1 } else { 0 };
            if same == DETECTOR_SETTLED {
                return now;
            }
            last = Some(now);
        }
    }
    det.feed(&[], true);
    det.guess(None, chardetng::Utf8Detection::Deny)
}

/// The first byte above 0x7f at or after `from`, checked 64 bytes at a time.
fn next_non_ascii(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        let end = (i + 64).min(b.len());
        if !b[i..end].is_ascii() {
            return b[i..end].iter().position(|&x| x >= 0x80).map(|p| i + p);
        }
        i = end;
    }
    None
}

/// Whether `head` (no byte-order mark) looks like UTF-16 text: `Some(true)` little-endian,
/// `Some(false)` big-endian. Text in a Latin or Cyrillic script has a zero (or a small) high
/// byte in most code units: the zeros fall on one parity and nearly none on the other.
fn utf16_order(head: &[u8]) -> Option<bool> {
    let units = head.len() / 2;
    if units < 2 {
        return None;
    }
    // Per parity: zero bytes, and bytes that can be the high byte of a Latin, Greek or Cyrillic
    // code unit (0x00–0x05).
    let (mut zero, mut high) = ([0usize; 2], [0usize; 2]);
    for pair in head.chunks_exact(2) {
        for k in 0..2 {
            zero[k] += usize::from(pair[k] == 0);
            high[k] += usize::from(pair[k] <= 0x05);
        }
    }
    // Text: at least 60% of units with a small high byte on one side, almost no zero on the other.
    if high[1] * 10 >= units * 6 && zero[0] * 20 <= units {
        Some(true)
    } else if high[0] * 10 >= units * 6 && zero[1] * 20 <= units {
        Some(false)
    } else {
        None
    }
}

fn utf16(bytes: &[u8], le: bool) -> Decoded<'_> {
    let units = bytes.chunks_exact(2).map(|p| {
        if le {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Decoded::Text(Cow::Owned(text), if le { "UTF-16LE" } else { "UTF-16BE" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: &[u8]) -> (String, &'static str) {
        match decode(b) {
            Decoded::Text(t, e) => (t.into_owned(), e),
            Decoded::Binary => panic!("read as binary"),
        }
    }

    #[test]
    fn every_encoding_reads_as_the_same_text() {
        let s = "© АО «Лаборатория Касперского», 2024. Все права защищены.";
        let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(text(&le), (s.to_string(), "UTF-16LE"));
        assert_eq!(text(&be), (s.to_string(), "UTF-16BE"));
        let bom: Vec<u8> = [0xFF, 0xFE].into_iter().chain(le.clone()).collect();
        assert_eq!(text(&bom).0, s);
        let ascii_le: Vec<u8> = "Copyright Kaspersky Lab\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(text(&ascii_le).0, "Copyright Kaspersky Lab\n");
        let russian = "Авторские права принадлежат АО Лаборатория Касперского. Все права защищены законом Российской Федерации.";
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(russian);
        assert_eq!(text(&cp1251), (russian.to_string(), "windows-1251"));
        let (koi8, _, _) = encoding_rs::KOI8_R.encode(russian);
        let (got, enc) = text(&koi8);
        assert_eq!(got, russian, "read as {enc}");
        assert!(matches!(decode(b"\x7fELF\0\0\0\x01\x02"), Decoded::Binary));
        assert_eq!(text(b"plain\n"), ("plain\n".to_string(), "UTF-8"));
        assert_eq!(text("caf\u{e9}\n".as_bytes()).1, "UTF-8");
        assert_eq!(text(b"\xEF\xBB\xBFplain").1, "UTF-8");
    }

    /// A NUL byte alone makes no text binary: a notice with one in front, UTF-32 text of ASCII
    /// letters, a code-page notice with one. NULs with other control bytes do (every
    /// executable, image and archive has them).
    #[test]
    fn nul_bytes_alone_do_not_make_a_file_binary() {
        let notice = "\0\nCopyright (c) AO K\u{430}spersky Lab.\n";
        assert_eq!(text(notice.as_bytes()), (notice.to_string(), "UTF-8"));
        let utf32: Vec<u8> = "Kaspersky Lab\n"
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        assert_eq!(text(&utf32).0.replace('\0', ""), "Kaspersky Lab\n");
        let russian =
            "\0\nАвторские права принадлежат АО Лаборатория Касперского. Все права защищены.\n";
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(russian);
        assert_eq!(text(&cp1251), (russian.to_string(), "windows-1251"));
        for binary in [
            &b"\x7fELF\x02\x01\x01\0\0\0"[..],
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            b"\x1f\x8b\x08\0\0\0\0\0\0\x03\xcb\x48",
        ] {
            assert!(matches!(decode(binary), Decoded::Binary), "{binary:?}");
        }
    }

    /// In a file that is not UTF-8, the lines that are valid UTF-8 (with a character above
    /// ASCII) are read as UTF-8, the others in the code page the detector names: one stray
    /// byte does not turn a UTF-8 name into mojibake.
    #[test]
    fn lines_that_are_utf8_stay_utf8_in_a_legacy_file() {
        let mut b = b"\xff stray byte\n".to_vec();
        b.extend("Copyright AO K\u{430}spersky Lab\n".as_bytes());
        let (got, _) = text(&b);
        assert!(got.ends_with("Copyright AO K\u{430}spersky Lab\n"), "{got}");
        let (b, _, _) = encoding_rs::WINDOWS_1251.encode("// Привет, как дела у всех сегодня?\n");
        let mut b = b.into_owned();
        b.extend("// © АО «Лаборатория Касперского»\n".as_bytes());
        let (got, enc) = text(&b);
        assert_eq!(
            got, "// Привет, как дела у всех сегодня?\n// © АО «Лаборатория Касперского»\n",
            "read as {enc}"
        );
    }

    /// What a file read as UTF-16 also says in UTF-8: its lines that are UTF-8 with a letter
    /// and no NUL, in their places; nothing for real UTF-16 text.
    #[test]
    fn utf8_lines_of_a_file_read_as_utf16() {
        let mut b = b"\xFF\xFE".to_vec();
        b.extend(b"x\0x\0\n\0Copyright AO Kaspersky Lab\n");
        assert_eq!(
            utf8_lines(&b).as_deref(),
            Some("\nCopyright AO Kaspersky Lab\n")
        );
        let real: Vec<u8> = "\u{feff}Copyright AO Kaspersky Lab\nline two\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(matches!(decode(&real), Decoded::Text(_, "UTF-16LE")));
        assert_eq!(utf8_lines(&real), None);
    }

    /// The detector reads the lines above ASCII, however much ASCII comes first, and only a
    /// sample of them; the whole file is then decoded, the lines past the sample too.
    #[test]
    fn the_detector_reads_a_sample_of_the_lines_above_ascii() {
        let padding = "fn main() { println!(\"hello\"); }\n".repeat(20_000);
        let russian = "Все права защищены законом Российской Федерации.\n".repeat(1_000);
        let notice = "Авторские права принадлежат АО Лаборатория Касперского.\n";
        let s = format!("{padding}{russian}{notice}");
        assert!(russian.len() > DETECTOR_SAMPLE);
        for enc in [encoding_rs::WINDOWS_1251, encoding_rs::KOI8_R] {
            let (bytes, _, _) = enc.encode(&s);
            // KOI8-R text reads the same as KOI8-U, the name the detector gives it.
            let (got, name) = text(&bytes);
            assert!(got.ends_with(notice), "read as {name}");
            assert_eq!(got, s);
        }
    }

    /// Text in a multi-byte legacy encoding whose sample would end inside a character is read
    /// in its encoding: the sample stops at a line's end, or, in one long line, after a byte
    /// that no such encoding uses inside a character.
    #[test]
    fn the_sample_never_ends_inside_a_character() {
        let texts = [
            (
                encoding_rs::GBK,
                "// 卡巴斯基实验室的版权声明，保留所有权利。这是测试文本。",
            ),
            (
                encoding_rs::BIG5,
                "// 卡巴斯基實驗室的版權聲明，保留所有權利。這是測試文本。",
            ),
            (
                encoding_rs::SHIFT_JIS,
                "// カスペルスキー研究所の著作権表示。無断転載を禁じます。",
            ),
            (
                encoding_rs::EUC_KR,
                "// 카스퍼스키 연구소의 저작권 고지입니다. 모든 권리 보유.",
            ),
        ];
        for (enc, line) in texts {
            let long = format!("{line}\n").repeat(2_000);
            let one_line = long.replace('\n', " ");
            for text in [&long, &one_line] {
                let (bytes, _, lossy) = enc.encode(text);
                assert!(!lossy, "{}", enc.name());
                // Every cut of the sample's end: each line start shifted a byte at a time.
                for pad in 0..4 {
                    let mut b = b" ".repeat(pad);
                    b.extend_from_slice(&bytes);
                    let got = guess(&b);
                    assert_eq!(
                        got.decode_without_bom_handling(&b).0,
                        enc.decode_without_bom_handling(&b).0,
                        "{} read as {}",
                        enc.name(),
                        got.name()
                    );
                }
            }
        }
    }
}
