//! Evidence stage, archives: a PNG image → its text chunks, each read as a member of its own
//! (`logo.png!zTXt Copyright`), as `Copyright: (c) …`.
//!
//! A PNG keeps its metadata (copyright, author, software, and the EXIF or XMP profiles image
//! tools write there) in text chunks: `tEXt` (Latin-1), `iTXt` (UTF-8) and `zTXt`, and `iTXt`
//! may be deflated. A byte search of the file finds none of the deflated ones, and reads the
//! others without their keyword (`Copyright`, then a NUL, then the text). The image's own bytes
//! are read as well, as any file's are.

use super::{Flow, Walk};

/// The PNG signature.
const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// A text chunk: its type, keyword, whether its text is deflated, and the text's bytes.
struct TextChunk<'a> {
    kind: &'static str,
    keyword: &'a [u8],
    deflated: bool,
    utf8: bool,
    text: &'a [u8],
}

/// Whether `b` is a PNG image holding a text chunk (only the chunk headers are read).
pub(super) fn has_text(b: &[u8]) -> bool {
    b.starts_with(SIGNATURE) && chunks(b).any(|(kind, _)| text_kind(kind).is_some())
}

fn text_kind(kind: &[u8]) -> Option<&'static str> {
    match kind {
        b"tEXt" => Some("tEXt"),
        b"zTXt" => Some("zTXt"),
        b"iTXt" => Some("iTXt"),
        _ => None,
    }
}

/// The chunks of a PNG after its signature: type and data, up to `IEND` or to where a chunk
/// runs past the file's end (the CRCs are not checked: a damaged chunk still says what it says).
fn chunks(b: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut at = SIGNATURE.len();
    std::iter::from_fn(move || {
        let len = usize::try_from(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?)).ok()?;
        let kind = b.get(at + 4..at + 8)?;
        let data = b.get(at + 8..(at + 8).checked_add(len)?)?;
        at = at + 12 + len;
        if kind == b"IEND" {
            at = b.len();
        }
        Some((kind, data))
    })
}

/// A text chunk's parts, or `None` for another chunk or one too short to hold them.
fn text_chunk<'a>(kind: &[u8], data: &'a [u8]) -> Option<TextChunk<'a>> {
    let kind = text_kind(kind)?;
    let nul = memchr::memchr(0, data)?;
    let (keyword, rest) = (&data[..nul], &data[nul + 1..]);
    let (deflated, utf8, text) = match kind {
        "tEXt" => (false, false, rest),
        // The compression method (0, deflate), then the text.
        "zTXt" => (true, false, rest.get(1..)?),
        // The compression flag and method, a language tag and a translated keyword, each
        // ended by a NUL, then the text.
        _ => {
            let flag = *rest.first()?;
            let rest = rest.get(2..)?;
            let lang = memchr::memchr(0, rest)?;
            let rest = &rest[lang + 1..];
            let translated = memchr::memchr(0, rest)?;
            (flag == 1, true, &rest[translated + 1..])
        }
    };
    Some(TextChunk {
        kind,
        keyword,
        deflated,
        utf8,
        text,
    })
}

/// A text chunk as a line of text: `Keyword: text`.
fn line(keyword: &[u8], text: &[u8], utf8: bool) -> String {
    let decode = |b: &[u8]| {
        if utf8 {
            String::from_utf8_lossy(b).into_owned()
        } else {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(b)
                .0
                .into_owned()
        }
    };
    format!("{}: {}\n", decode(keyword), decode(text))
}

impl Walk<'_, '_> {
    /// A PNG's text chunks, each a member (see the module).
    pub(super) fn png(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), super::Fail> {
        for (i, (kind, data)) in chunks(bytes).enumerate() {
            let Some(c) = text_chunk(kind, data) else {
                continue;
            };
            let label = format!("{} {}", c.kind, String::from_utf8_lossy(c.keyword));
            let path = format!("{name}!{label}");
            let keyword = c.keyword;
            let shown = |text: &[u8]| Some(line(keyword, text, c.utf8));
            let flow = if c.deflated {
                let reader = flate2::read::ZlibDecoder::new(c.text);
                self.member_shown("png text", path, &label, reader, depth, shown)
            } else {
                self.member_shown("png text", path, &label, c.text, depth, shown)
            };
            if flow == Flow::Stop || i > 100_000 {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend(kind);
        c.extend(data);
        c.extend(crc32fast::hash(&[kind, data].concat()).to_be_bytes());
        c
    }

    fn zlib(b: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    fn texts(png: &[u8]) -> Vec<(String, bool, String)> {
        chunks(png)
            .filter_map(|(k, d)| text_chunk(k, d))
            .map(|c| {
                let text = if c.deflated {
                    use std::io::Read;
                    let mut out = Vec::new();
                    flate2::read::ZlibDecoder::new(c.text)
                        .read_to_end(&mut out)
                        .unwrap();
                    out
                } else {
                    c.text.to_vec()
                };
                (
                    c.kind.to_string(),
                    c.deflated,
                    line(c.keyword, &text, c.utf8),
                )
            })
            .collect()
    }

    #[test]
    fn every_kind_of_text_chunk_is_read() {
        let mut png = SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"Author\0J\xfcrgen"));
        png.extend(chunk(
            b"zTXt",
            &[b"Copyright\0\0".as_slice(), &zlib(b"(c) Example")].concat(),
        ));
        png.extend(chunk(
            b"iTXt",
            &[
                b"Title\0\x01\0en\0Titel\0".as_slice(),
                &zlib("Größe".as_bytes()),
            ]
            .concat(),
        ));
        png.extend(chunk(b"iTXt", "Comment\0\0\0\0\0plain ©".as_bytes()));
        png.extend(chunk(b"IEND", b""));
        png.extend(chunk(b"tEXt", b"After\0the end"));
        assert!(has_text(&png));
        assert_eq!(
            texts(&png),
            [
                ("tEXt".into(), false, "Author: Jürgen\n".into()),
                ("zTXt".into(), true, "Copyright: (c) Example\n".into()),
                ("iTXt".into(), true, "Title: Größe\n".into()),
                ("iTXt".into(), false, "Comment: plain ©\n".into()),
            ]
        );
    }

    #[test]
    fn images_without_text_and_damaged_chunks_are_not_read() {
        let mut png = SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"IDAT", &zlib(&[0; 4])));
        assert!(!has_text(&png));
        let mut cut = png.clone();
        cut.extend(chunk(b"tEXt", b"Copyright\0(c) Example"));
        cut.truncate(cut.len() - 10);
        assert!(!has_text(&cut), "a chunk running past the end");
        assert!(!has_text(b"GIF89a tEXt"));
        assert!(text_chunk(b"iTXt", b"Key\0\x01").is_none());
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_after_the_signature_are_read_without_panicking(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)
        ) {
            let mut png = SIGNATURE.to_vec();
            png.extend(body);
            for (k, d) in chunks(&png) {
                let _ = text_chunk(k, d);
            }
        }
    }
}
