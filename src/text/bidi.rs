//! Text as it is displayed, where directional formatting characters reorder it: a line holding
//! `U+202E` (right-to-left override) followed by `baL yksrepsaK OA` shows `AO Kaspersky Lab`
//! (the "Trojan Source" trick). Dropping the invisible controls leaves the letters reversed; the
//! Unicode Bidirectional Algorithm (UAX #9, `unicode-bidi`) gives the order a reader sees.

/// The explicit directional formatting characters: embeddings, overrides, isolates and their
/// terminators (`U+202A`–`U+202E`, `U+2066`–`U+2069`).
pub fn is_directional_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `line` in display order, when it holds a directional formatting character (`None`
/// otherwise: without one, Latin text displays as stored). A left-to-right paragraph, as a
/// source file or notice is shown.
pub fn displayed(line: &str) -> Option<String> {
    // Every directional formatting character is encoded `E2 80 xx` or `E2 81 xx` in UTF-8: a
    // line without the byte needs no character walk.
    if memchr::memchr(0xe2, line.as_bytes()).is_none() || !line.chars().any(is_directional_control)
    {
        return None;
    }
    let info = unicode_bidi::BidiInfo::new(line, Some(unicode_bidi::Level::ltr()));
    let mut out = String::with_capacity(line.len());
    for para in &info.paragraphs {
        out.push_str(&info.reorder_line(para, para.range.clone()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_shows_reversed_letters_in_reading_order() {
        let shown = displayed("/* Copyright (c) \u{202E}dtL stegdiW elpmaxE\u{202C} */").unwrap();
        assert!(
            crate::text::normalize::normalize(&shown).contains("example widgets ltd"),
            "{shown:?}"
        );
        // Inside an isolate too; an isolate alone leaves Latin letters in their order.
        let isolate = displayed("x = \u{2067}\u{202E}stegdiW\u{202C}\u{2069};").unwrap();
        assert!(isolate.contains("Widgets"), "{isolate:?}");
        let plain = displayed("x = \u{2067}Widgets\u{2069};").unwrap();
        assert!(plain.contains("Widgets"), "{plain:?}");
        // No control: nothing to reorder.
        assert_eq!(displayed("Copyright (c) Example Ltd"), None);
        // Hebrew displays right to left without any control; stored order is not changed here.
        assert_eq!(displayed("שלום Kaspersky"), None);
    }
}
