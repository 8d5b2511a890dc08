//! Escape sequences of string literals read as the characters they stand for: `\x4B` and `\113`
//! (C, Rust, Python, shell), `\u{41A}` (Rust, Swift), `\u041A` (Java, JavaScript, JSON, C#, with
//! surrogate pairs) and `\U0000041A` (C, Python). A name written through them
//! (`"\x4B\x61spersky Lab"`, `"\u{41a}\u{430}\u{441}..."`) is the name; a grep for it is blind.

/// What one escape stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A byte (`\xHH`, `\NNN`): runs of them are read as UTF-8 together, else as Latin-1.
    Byte(u8),
    Char(char),
    /// Half of a UTF-16 surrogate pair (`\uD83D`).
    Surrogate(u16),
}

/// The value of 1 to 8 hex digits.
fn hex(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    s.iter()
        .try_fold(0u32, |v, &c| Some(v << 4 | (c as char).to_digit(16)?))
}

/// The escape at the start of `s` (which starts with a backslash) and its length in bytes.
fn parse(s: &[u8]) -> Option<(Unit, usize)> {
    match *s.get(1)? {
        b'x' => {
            let v = hex(s.get(2..4)?)?;
            Some((Unit::Byte(u8::try_from(v).ok()?), 4))
        }
        b'u' if s.get(2) == Some(&b'{') => {
            let close = s.iter().take(10).position(|&c| c == b'}')?;
            let c = char::from_u32(hex(&s[3..close])?)?;
            Some((Unit::Char(c), close + 1))
        }
        b'u' => {
            let v = hex(s.get(2..6)?)?;
            Some((
                match char::from_u32(v) {
                    Some(c) => Unit::Char(c),
                    None => Unit::Surrogate(u16::try_from(v).ok()?),
                },
                6,
            ))
        }
        b'U' => Some((Unit::Char(char::from_u32(hex(s.get(2..10)?)?)?), 10)),
        // Octal takes three digits here: `\0` alone (NUL) is everywhere and spells nothing.
        b'0'..=b'7' => {
            let d = s.get(1..4)?;
            if !d.iter().all(|c| (b'0'..=b'7').contains(c)) {
                return None;
            }
            let v = d.iter().fold(0u32, |v, c| v * 8 + u32::from(c - b'0'));
            Some((Unit::Byte(u8::try_from(v).ok()?), 4))
        }
        _ => None,
    }
}

/// Whether the backslash at `at` in `b` begins an escape that stands for an ASCII letter or
/// digit, or for something above ASCII (a letter of another script, a byte of one): the escapes
/// that can spell a name. `\n`, `\t`, `\x1b`, `\0` and the like cannot.
pub fn spells(b: &[u8], at: usize) -> bool {
    match b.get(at..).and_then(parse) {
        Some((Unit::Byte(x), _)) => x.is_ascii_alphanumeric() || x >= 0x80,
        Some((Unit::Char(c), _)) => c.is_ascii_alphanumeric() || !c.is_ascii(),
        Some((Unit::Surrogate(_), _)) => true,
        None => false,
    }
}

/// `line` with its escapes replaced by what they stand for, or `None` when it has none. Runs of
/// byte escapes are read as UTF-8 (`\xd0\x9a` is `К`) or, when they are not UTF-8, one
/// Latin-1 character each; a surrogate pair is one character and a lone half U+FFFD. Escaped
/// backslashes stay as written.
pub fn unescape(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut high: Option<u16> = None;
    let mut changed = false;
    let (mut lit, mut i) = (0usize, 0usize);
    while let Some(p) = memchr::memchr(b'\\', &b[i..]).map(|p| i + p) {
        if b.get(p + 1) == Some(&b'\\') {
            i = p + 2;
            continue;
        }
        let Some((unit, len)) = parse(&b[p..]) else {
            i = p + 1;
            continue;
        };
        if !changed {
            out.reserve(line.len());
            changed = true;
        }
        if lit < p {
            flush(&mut out, &mut bytes, &mut high);
            out.push_str(&line[lit..p]);
        }
        match unit {
            Unit::Byte(x) => {
                if high.take().is_some() {
                    out.push(char::REPLACEMENT_CHARACTER);
                }
                bytes.push(x);
            }
            Unit::Char(c) => {
                flush(&mut out, &mut bytes, &mut high);
                out.push(c);
            }
            Unit::Surrogate(s) => {
                flush_bytes(&mut out, &mut bytes);
                match (high.take(), s) {
                    (None, 0xD800..=0xDBFF) => high = Some(s),
                    (Some(h), 0xDC00..=0xDFFF) => out.push(
                        char::from_u32(
                            0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(s) - 0xDC00),
                        )
                        .unwrap_or(char::REPLACEMENT_CHARACTER),
                    ),
                    (Some(_), 0xD800..=0xDBFF) => {
                        out.push(char::REPLACEMENT_CHARACTER);
                        high = Some(s);
                    }
                    (prev, _) => {
                        if prev.is_some() {
                            out.push(char::REPLACEMENT_CHARACTER);
                        }
                        out.push(char::REPLACEMENT_CHARACTER);
                    }
                }
            }
        }
        i = p + len;
        lit = i;
    }
    if !changed {
        return None;
    }
    flush(&mut out, &mut bytes, &mut high);
    out.push_str(&line[lit..]);
    Some(out)
}

fn flush(out: &mut String, bytes: &mut Vec<u8>, high: &mut Option<u16>) {
    flush_bytes(out, bytes);
    if high.take().is_some() {
        out.push(char::REPLACEMENT_CHARACTER);
    }
}

fn flush_bytes(out: &mut String, bytes: &mut Vec<u8>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => out.extend(bytes.iter().map(|&x| char::from(x))),
    }
    bytes.clear();
}

#[cfg(test)]
mod tests;
