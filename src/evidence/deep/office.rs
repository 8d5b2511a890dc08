//! Evidence stage, deep scan, text: an office document's XML read as it renders.
//!
//! A Word, PowerPoint or Excel file (Office Open XML) and an OpenDocument file are zip archives
//! whose text lives in XML, split into runs wherever formatting, a spelling check or an edit
//! session changed (`<w:t>AO Kasp</w:t></w:r><w:r w:rsidR="00A1"><w:t>ersky Lab</w:t>`).
//! Every word processor writes such splits, mid-word included, so a vendor's licence agreement
//! saved as `.docx` names nobody when its XML is read as text. Here a part of such a document
//! (recognised by its namespace, whatever its name) is read as a reader sees it: the text of
//! its elements joined, a paragraph per line, a tab or a line break where the document has one,
//! entities decoded.

use super::rendered::Rendered;

/// The namespaces of the parts whose text renders: WordprocessingML, DrawingML (PowerPoint
/// slides, charts, text boxes), SpreadsheetML (shared strings) and OpenDocument text.
const NAMESPACES: &[&str] = &[
    "schemas.openxmlformats.org/wordprocessingml/2006/main",
    "schemas.openxmlformats.org/drawingml/2006/main",
    "schemas.openxmlformats.org/spreadsheetml/2006/main",
    "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
];

/// How much of a part its root element (and so its namespaces) is looked for in.
const ROOT_WITHIN: usize = 8192;

/// Elements whose end ends a paragraph (a line), by local name.
const PARAGRAPHS: &[&str] = &["p", "h", "si", "tr", "tc"];

/// `text` rendered, if it is an office document's XML part.
pub(super) fn render(text: &str) -> Option<Rendered> {
    let head = &text[..text.floor_char_boundary(ROOT_WITHIN)];
    if !head.trim_start().starts_with('<') || !NAMESPACES.iter().any(|n| head.contains(n)) {
        return None;
    }
    let mut out = Rendered::new();
    let mut line = 1u32;
    let mut rest = text;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            push_text(rest, &mut out, line);
            break;
        };
        push_text(&rest[..open], &mut out, line);
        line += count_lines(&rest[..open]);
        let tag_end = rest[open..].find('>').map_or(rest.len(), |n| open + n + 1);
        let tag = &rest[open..tag_end];
        line += count_lines(tag);
        // A comment, a processing instruction or a declaration shows nothing.
        if !tag.starts_with("<!") && !tag.starts_with("<?") {
            let closing = tag.starts_with("</");
            let name = tag
                .trim_start_matches(['<', '/'])
                .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .next()
                .unwrap_or("");
            let local = name.rsplit(':').next().unwrap_or(name);
            let empty = tag.ends_with("/>");
            let mut shown = |s: &str| {
                out.starts(line);
                out.text.push_str(s);
            };
            match local {
                "tab" if !closing => shown("\t"),
                // OpenDocument's run of spaces.
                "s" if !closing && name.starts_with("text:") => shown(" "),
                "br" | "cr" | "line-break" if !closing => {
                    out.starts(line);
                    out.end_line(line);
                }
                l if PARAGRAPHS.contains(&l)
                    && (closing || empty)
                    && !out.text.is_empty()
                    && !out.text.ends_with('\n') =>
                {
                    out.end_line(line)
                }
                _ => {}
            }
        }
        rest = &rest[tag_end..];
    }
    Some(out)
}

fn count_lines(s: &str) -> u32 {
    memchr::memchr_iter(b'\n', s.as_bytes()).count() as u32
}

/// Character data between tags, its entities decoded, its line breaks (not the document's: the
/// writer's) as spaces.
fn push_text(raw: &str, out: &mut Rendered, line: u32) {
    if raw.trim().is_empty() {
        return;
    }
    out.starts(line + count_lines(&raw[..raw.len() - raw.trim_start().len()]));
    let decoded = html_escape::decode_html_entities(raw);
    out.text.extend(
        decoded
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#;

    #[test]
    fn runs_join_and_paragraphs_are_lines() {
        let doc = format!(
            "{W}<w:body><w:p><w:r><w:t>End User Licence</w:t></w:r></w:p>\n<w:p><w:r><w:t xml:space=\"preserve\">Copyright (c) 2024 AO Kasp</w:t></w:r><w:proofErr w:type=\"spellStart\"/><w:r w:rsidR=\"00A1\"><w:rPr><w:b/></w:rPr><w:t>ersky</w:t></w:r><w:r><w:tab/><w:t>Lab &amp; partners</w:t></w:r></w:p></w:body></w:document>"
        );
        let r = render(&doc).unwrap();
        assert_eq!(
            r.text,
            "End User Licence\nCopyright (c) 2024 AO Kaspersky\tLab & partners\n"
        );
        assert_eq!(r.lines, vec![2, 3, 3]);
    }

    /// A line break inside a paragraph is a rendered line of its own, and the lines after it
    /// still say their source lines.
    #[test]
    fn a_line_break_is_a_line() {
        let doc = format!(
            "{W}<w:p><w:r><w:t>a</w:t><w:br/><w:t>b</w:t></w:r></w:p>\n<w:p><w:r><w:t>c</w:t></w:r></w:p>"
        );
        let r = render(&doc).unwrap();
        assert_eq!(r.text, "a\nb\nc\n");
        assert_eq!(r.lines, vec![2, 2, 3, 3]);
    }

    #[test]
    fn slides_shared_strings_and_opendocument() {
        let slide = r#"<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:p><a:r><a:t>AO Kas</a:t></a:r><a:r><a:t>persky</a:t></a:r></a:p></p:sld>"#;
        assert_eq!(render(slide).unwrap().text, "AO Kaspersky\n");
        let strings = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><r><t>Kasp</t></r><r><t>ersky</t></r></si><si><t>Other</t></si></sst>"#;
        assert_eq!(render(strings).unwrap().text, "Kaspersky\nOther\n");
        let odt = r#"<office:document-content xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><text:p>AO<text:s/>Kas<text:span text:style-name="T1">per</text:span>sky</text:p></office:document-content>"#;
        assert_eq!(render(odt).unwrap().text, "AO Kaspersky\n");
    }

    #[test]
    fn other_xml_is_left_to_its_text() {
        assert_eq!(
            render("<project><name>Kasp</name><name>ersky</name></project>"),
            None
        );
        assert_eq!(
            render("w:p schemas.openxmlformats.org/wordprocessingml/2006/main"),
            None
        );
        // A damaged part renders what it has.
        let cut = format!("{W}<w:p><w:r><w:t>AO Kasp</w:t><w:t>ersky");
        assert_eq!(render(&cut).unwrap().text, "AO Kaspersky");
    }

    proptest::proptest! {
        /// Any text after a WordprocessingML root renders without a panic, with a source line for
        /// each rendered line.
        #[test]
        fn any_part_renders(body in ".{0,400}", tags in proptest::collection::vec(0usize..8, 0..30)) {
            const TAGS: [&str; 9] = ["<w:p>", "</w:p>", "<w:t>", "</w:t>", "<w:tab/>", "<!--", "<", "&#x4b;", "<w:br/>"];
            let mut part = W.to_string();
            for (t, c) in tags.iter().zip(body.chars().collect::<Vec<_>>().chunks(9)) {
                part.push_str(TAGS[*t]);
                part.extend(c);
            }
            let r = render(&part).unwrap();
            // Every rendered line says its source line.
            proptest::prop_assert_eq!(r.lines.len(), r.text.matches('\n').count() + 1);
        }
    }
}
