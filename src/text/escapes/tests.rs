use super::*;

#[test]
fn every_form_reads_as_its_character() {
    let cases = [
        (r"\x4b\x61spersky Lab", "Kaspersky Lab"),
        (r"\x4B\x41SPERSKY", "KASPERSKY"),
        (r"\113aspersky", "Kaspersky"),
        (
            r"\u{41a}\u{430}\u{441}\u{43f}\u{435}\u{440}\u{441}\u{43a}\u{438}\u{439}",
            "Касперский",
        ),
        (
            r"\u041a\u0430\u0441\u043f\u0435\u0440\u0441\u043a\u0438\u0439",
            "Касперский",
        ),
        (r"\U0000041A\U00000430", "Ка"),
        (r"\xd0\x9a\xd0\xb0\xd1\x81", "Кас"),
        (r"caf\xe9 Lab", "café Lab"),
        (r"\ud83d\ude00 ok", "\u{1f600} ok"),
        (r"\ud83d x", "\u{fffd} x"),
        (r"© \u{a9} 2024", "© © 2024"),
    ];
    for (raw, want) in cases {
        assert_eq!(unescape(raw).as_deref(), Some(want), "{raw}");
    }
}

#[test]
fn lines_without_escapes_and_escaped_backslashes_stay() {
    for raw in [
        "plain text",
        r"a\nb\tc",
        r"C:\\x41\\dir",
        r"\0 \1 \x \u12 \u{} \u{110000} \xzz",
        "ends with \\",
    ] {
        assert_eq!(unescape(raw), None, "{raw}");
    }
    // Escaped backslash then a real escape.
    assert_eq!(unescape(r"\\\x41").as_deref(), Some(r"\\A"));
}

#[test]
fn only_escapes_that_can_spell_a_name_are_found() {
    for yes in [
        &br"\u{430}"[..],
        br"\u0430",
        br"\U00000430",
        br"\113",
        br"\xd0",
        br"\ud83d",
    ] {
        assert!(spells(yes, 0), "{}", String::from_utf8_lossy(yes));
    }
    for no in [
        &br"\x20"[..],
        br"\u{2d}",
        br"\u002d",
        br"\000",
        br"\n",
        br"\x",
        br"\8",
    ] {
        assert!(!spells(no, 0), "{}", String::from_utf8_lossy(no));
    }
}

proptest::proptest! {
    /// Any line, escapes and quotes of every kind in it: decoding and joining never panic,
    /// and a line with no backslash is never changed.
    #[test]
    fn any_line_decodes_and_joins(line in r#"[\\ux{}0-9a-fA-FKк'"`+.,~&| ]{0,40}"#) {
        let d = unescape(&line);
        if !line.contains('\\') {
            proptest::prop_assert!(d.is_none());
        }
        let _ = crate::text::literals::join_literals(d.as_deref().unwrap_or(&line));
    }
}
