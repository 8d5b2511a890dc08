//! Evidence stage, firmware images written as text: an Intel HEX (`:10000000…`) or Motorola
//! S-record (`S1130000…`) file is the bytes its data records load, two hex digits to a byte,
//! a line at a time, with an address and a checksum around them. A grep sees hex digits; a
//! notice, a vendor's library or an archive flashed from such a file is invisible to it. Embedded
//! crates ship them (a radio stack, a bootloader, a co-processor's firmware).
//!
//! A file is one when its first non-empty line is a valid record of either format (checksum
//! included): the first byte alone (`:`, `S`) decides whether to try, so other files cost one
//! comparison. Its data records are joined in file order (S-records' `S0` header text too),
//! addresses aside: what is searched is what the records hold, not the memory image, so a gap
//! between two regions never puts bytes of one inside a name of the other. A line that is not a
//! record (a comment, a damaged record) is counted and passed over, never the end of the image:
//! one bad line must not hide the records after it.

/// The format of a firmware image written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    IntelHex,
    SRecord,
}

/// A decoded image: its format, the bytes its data records hold, and how many non-empty lines
/// were not records of its format.
#[derive(Debug)]
pub struct Image {
    pub format: Format,
    pub bytes: Vec<u8>,
    pub bad_lines: usize,
}

/// The format of the image `text` is, if it is one: its first non-empty line is a valid record
/// (only that line is read).
pub fn sniff(text: &[u8]) -> Option<Format> {
    let (format, mut lines) = records(text)?;
    read_record(format, lines.next()?, &mut Vec::new(), &mut Vec::new()).then_some(format)
}

/// The format `text`'s first byte says it may be, and its non-empty lines, trimmed.
fn records(text: &[u8]) -> Option<(Format, impl Iterator<Item = &[u8]>)> {
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let format = match text[start] {
        b':' => Format::IntelHex,
        b'S' | b's' => Format::SRecord,
        _ => return None,
    };
    let lines = text[start..]
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .filter(|l| !l.is_empty());
    Some((format, lines))
}

/// The image `text` holds, if it is one (see the module), with at most `max` bytes decoded.
pub fn decode(text: &[u8], max: u64) -> Option<Image> {
    let (format, mut lines) = records(text)?;
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut image = Image {
        format,
        bytes: Vec::new(),
        bad_lines: 0,
    };
    let mut record = Vec::with_capacity(MAX_RECORD);
    // The first line decides: a valid record, or no image at all.
    if !read_record(format, lines.next()?, &mut record, &mut image.bytes) {
        return None;
    }
    for line in lines {
        if image.bytes.len() >= max {
            break;
        }
        if !read_record(format, line, &mut record, &mut image.bytes) {
            image.bad_lines += 1;
        }
    }
    image.bytes.truncate(max);
    Some(image)
}

/// Each byte's value as a hex digit, or `0x10` for a byte that is not one (either case).
const NIBBLE: [u8; 256] = {
    let mut t = [0x10u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// The longest record either format has: a count byte, at most 255 more.
const MAX_RECORD: usize = 256;

/// Whether `line` is a valid record of `format` (its length byte and checksum right); its data,
/// if any, appended to `out`. `record` is a buffer reused from line to line.
///
/// Read here rather than with the `ihex` and `srec` crates (the tests check this reader against
/// their writers): they build a string and a vector per record, which on yara-x's test data
/// (its samples are stored as Intel HEX) cost a quarter of a whole check's CPU.
fn read_record(format: Format, line: &[u8], record: &mut Vec<u8>, out: &mut Vec<u8>) -> bool {
    let (digits, kind) = match format {
        Format::IntelHex => (line.strip_prefix(b":"), 0),
        Format::SRecord => match line {
            [b'S' | b's', kind @ b'0'..=b'9', rest @ ..] => (Some(rest), *kind),
            _ => (None, 0),
        },
    };
    let Some(digits) = digits else { return false };
    if digits.len() % 2 != 0 || digits.len() / 2 > MAX_RECORD || digits.len() < 2 {
        return false;
    }
    record.clear();
    let mut sum = 0u8;
    let mut bad = 0u8;
    for pair in digits.chunks_exact(2) {
        let (hi, lo) = (NIBBLE[usize::from(pair[0])], NIBBLE[usize::from(pair[1])]);
        bad |= (hi | lo) & 0x10;
        let b = (hi << 4) | (lo & 0x0f);
        sum = sum.wrapping_add(b);
        record.push(b);
    }
    if bad != 0 {
        return false;
    }
    match format {
        // `LL AAAA TT data CC`: the bytes sum to zero.
        Format::IntelHex => {
            if record.len() < 5 || usize::from(record[0]) != record.len() - 5 || sum != 0 {
                return false;
            }
            match record[3] {
                0 => {
                    out.extend_from_slice(&record[4..record.len() - 1]);
                    true
                }
                1..=5 => true,
                _ => false,
            }
        }
        // `CC address data SS`: the count is what follows it, and the bytes sum to 0xFF.
        Format::SRecord => {
            let address = match kind {
                b'0' | b'1' | b'5' | b'9' => 2,
                b'2' | b'6' | b'8' => 3,
                b'3' | b'7' => 4,
                _ => return false,
            };
            if record.len() < 2 + address
                || usize::from(record[0]) != record.len() - 1
                || sum != 0xff
            {
                return false;
            }
            if kind <= b'3' {
                out.extend_from_slice(&record[1 + address..record.len() - 1]);
            }
            true
        }
    }
}

#[cfg(test)]
mod tests;
