//! Table-driven and property tests of the normaliser.

use super::*;

#[test]
fn normalize_table() {
    #[rustfmt::skip]
    let cases: &[(&str, &str)] = &[
        ("Kaspersky Lab", "kaspersky lab"),
        ("AO Kaspersky Lab", "ao kaspersky lab"),
        ("Ｋａｓｐｅｒｓｋｙ　Ｌａｂ", "kaspersky lab"),                     // full-width
        ("Kas\u{200B}per\u{00AD}sky\u{2060} Lab", "kaspersky lab"),        // zero-width, soft hyphen, word joiner
        ("Kas\u{1}per\u{0}sky\u{7f} Lab", "kaspersky lab"),                 // control characters
        ("Kasp\u{2028}ersky La\u{2029}b", "kaspersky lab"),                 // line and paragraph separators
        ("K\u{1b}aspersky Lab", "kaspersky lab"),                            // ESC
        ("Kas\u{1b}[1;31mper\u{1b}[0msky Lab", "kaspersky lab"),              // colour sequences
        ("\u{1b}[31mKaspersky\u{1b}[0m Lab", "kaspersky lab"),
        ("Kas\u{85}persky Lab", "kaspersky lab"),                            // a C1 control (NEL)
        ("Kas\tpersky\u{c}Lab", "kas persky lab"),                           // tab and page break still separate
        ("\u{202E}Kaspersky\u{202C} Lab", "kaspersky lab"),                 // bidi controls
        ("K\u{0430}sp\u{0435}rsky", "kaspersky"),                           // Cyrillic а, е inside a Latin word
        ("Κaspersky", "kaspersky"),                                         // Greek capital kappa
        ("K.a.s.p.e.r.s.k.y", "kaspersky"),
        ("K-A-S-P-E-R-S-K-Y Lab", "kaspersky lab"),
        ("k a s p e r s k y", "kaspersky"),
        ("A. B. Smith", "a b smith"),                                       // two initials stay apart
        ("Kåspërsky", "kaspersky"),                                         // diacritics
        ("Лаборатория Касперского", "laboratoriya kaspersky"),
        ("АО «Лаборатория Касперского»", "ao laboratoriya kaspersky"),
        ("ООО Касперский", "ooo kaspersky"),
        ("ЗАО", "zao"),
        ("Kasperskiy", "kaspersky"),
        ("Kasperskij", "kaspersky"),
        ("Kasperskii", "kaspersky"),
        ("Laboratoriya Kasperskogo", "laboratoriya kaspersky"),             // genitive, romanised
        ("AO Laboratoriya Kasperskogo", "ao laboratoriya kaspersky"),
        ("Kasperskomu", "kaspersky"),
        ("Kasperskoye Kasperskaya Kasperskim", "kaspersky kaspersky kaspersky"),
        ("Dostoevskogo", "dostoevsky"),
        ("skim milk", "skim milk"),                                         // no stem before `sk`
        ("whiskies", "whiskies"),
        ("brisket", "brisket"),
        ("Kasper Skyum", "kasper skyum"),
        ("KasperSkytte", "kasperskytte"),
        ("kaspa-wallet", "kaspa wallet"),
        ("kas_widgets", "kas widgets"),
        ("Copyright (c) 2024 AO Kaspersky Lab.", "copyright c 2024 ao kaspersky lab"),
        ("", ""),
        ("\u{200B}\u{FEFF}", ""),
        ("Жук Щука Юла", "zhuk shchuka yula"),
        ("risky", "risky"),
        ("whisky", "whisky"),
    ];
    for (input, want) in cases {
        assert_eq!(normalize(input), *want, "normalize({input:?})");
    }
}

#[test]
fn skeleton_holds_what_tokens_hold() {
    let sk = |s: &str| {
        let (mut out, mut at) = (String::new(), Vec::new());
        skeleton(s, &mut out, &mut at);
        assert_eq!(out.len(), at.len());
        out
    };
    for (input, want) in [
        ("Kaspersky Lab", "kasperskylab"),
        ("K.a.s.p.e.r.s.k.y", "kaspersky"),
        ("KaSpErSkY", "kaspersky"),
        ("Kas\u{200B}persky", "kaspersky"),
        ("K\u{0430}sp\u{0435}rsky", "kaspersky"),
        ("Ｋａｓｐｅｒｓｋｙ", "kaspersky"),
        ("Kåspërsky", "kaspersky"),
        ("Лаборатория Касперского", "laboratoriyakaspersky"),
        ("Касперский", "kaspersky"),
        ("© 2024 漢字 😀", "2024漢字"),
    ] {
        assert_eq!(sk(input), want, "skeleton({input:?})");
        assert_eq!(sk(input), tokens(input).concat(), "tokens({input:?})");
    }
}

#[test]
fn legal_forms() {
    let t = |s: &str| strip_legal_forms(&tokens(s));
    assert_eq!(t("AO Kaspersky Lab"), ["kaspersky", "lab"]);
    assert_eq!(t("Kaspersky Labs Limited"), ["kaspersky", "labs"]);
    assert_eq!(t("Kaspersky Lab, Inc."), ["kaspersky", "lab"]);
    assert_eq!(
        t("Акционерное общество «Лаборатория Касперского»"),
        ["laboratoriya", "kaspersky"]
    );
    assert_eq!(t("ООО «Касперский Груп»"), ["kaspersky", "grup"]);
    assert!(is_legal_form("gmbh") && is_legal_form("jsc") && !is_legal_form("lab"));
}

#[test]
fn hosts() {
    assert_eq!(
        normalize_host("Builds.Kaspersky.RU.").as_deref(),
        Some("builds.kaspersky.ru")
    );
    // Punycode of a label with a Cyrillic а: a spoof that decodes to the listed name.
    let spoof = idna::domain_to_ascii("k\u{0430}spersky.com").unwrap();
    assert!(spoof.starts_with("xn--"), "{spoof}");
    assert_eq!(normalize_host(&spoof).as_deref(), Some("kaspersky.com"));
    assert_eq!(
        normalize_host("kaspersky%2Ecom").as_deref(),
        Some("kaspersky.com")
    );
    assert_eq!(
        normalize_host("kaspersky。com").as_deref(),
        Some("kaspersky.com")
    );
    assert_eq!(normalize_host("  "), None);
    assert_eq!(normalize_host("a..b"), None);
    assert!(host_matches("builds.kaspersky.ru", "kaspersky.ru"));
    assert!(host_matches("kaspersky.ru", "kaspersky.ru"));
    assert!(!host_matches("notkaspersky.ru", "kaspersky.ru"));
    assert!(!host_matches(
        "kaspersky.com.mirror.example.org",
        "kaspersky.com"
    ));
}

#[test]
fn urls() {
    let p = |s: &str| parse_url_like(s).map(|(h, segs)| (h, segs.join("/")));
    let want = |h: &str, p: &str| Some((h.to_string(), p.to_string()));
    assert_eq!(
        p("https://github.com/KasperskyLab/repo"),
        want("github.com", "KasperskyLab/repo")
    );
    assert_eq!(
        p("git+https://github.com/KasperskyLab/repo.git?branch=main#abc123"),
        want("github.com", "KasperskyLab/repo")
    );
    assert_eq!(
        p("ssh://git@github.com/KasperskyLab/x.git"),
        want("github.com", "KasperskyLab/x")
    );
    assert_eq!(
        p("git+ssh://git@github.com:22/KasperskyLab/x"),
        want("github.com", "KasperskyLab/x")
    );
    assert_eq!(
        p("git@github.com:KasperskyLab/x.git"),
        want("github.com", "KasperskyLab/x")
    );
    // The scp-like colon after a scheme: a path, unless it is a port (digits only).
    assert_eq!(
        p("ssh://git@github.com:KasperskyLab/x.git"),
        want("github.com", "KasperskyLab/x")
    );
    assert_eq!(
        p("git+ssh://git@github.com:KasperskyLab"),
        want("github.com", "KasperskyLab")
    );
    assert_eq!(
        p("https://github.com:/KasperskyLab/x"),
        want("github.com", "KasperskyLab/x")
    );
    assert_eq!(
        p("git@github.com:/KasperskyLab/x"),
        want("github.com", "KasperskyLab/x")
    );
    assert_eq!(
        p("registry+https://github.com/rust-lang/crates.io-index"),
        want("github.com", "rust-lang/crates.io-index")
    );
    assert_eq!(
        p("sparse+https://index.crates.io/"),
        want("index.crates.io", "")
    );
    assert_eq!(
        p("https://user:pw@kaspersky.com:8443/a%20b"),
        want("kaspersky.com", "a b")
    );
    assert_eq!(p("https://%6Baspersky.com/"), want("kaspersky.com", ""));
    assert_eq!(p("kaspersky.com/sdk"), want("kaspersky.com", "sdk"));
    assert_eq!(p("not a url"), None);
}

#[test]
fn emails() {
    assert_eq!(
        parse_email("Ivan Petrov <ivan@Mail.Kaspersky.com>"),
        Some((
            Some("Ivan Petrov".into()),
            "ivan".into(),
            "mail.kaspersky.com".into()
        ))
    );
    assert_eq!(
        parse_email("ivan@kaspersky.ru"),
        Some((None, "ivan".into(), "kaspersky.ru".into()))
    );
    assert_eq!(parse_email("Just A Name"), None);
    assert_eq!(parse_email("@kaspersky.com"), None);
}

/// For every character it claims to know, `ascii_letters_of` says exactly which letters the
/// skeleton makes of it, alone and after a Latin letter, and the skeleton makes nothing else of
/// it; the prefilter skips lines on its word. The ranges cover every character the prefilter
/// asks about (its `may_fold` ranges) and the Basic Multilingual Plane.
#[test]
fn ascii_letters_of_is_what_the_skeleton_makes() {
    let letters = |s: &str| s.bytes().fold(0u32, |m, b| m | letter_bit(b));
    let (mut skel, mut at) = (String::new(), Vec::new());
    let mut known = 0;
    let ranges = [
        0x80u32..=0xFFFF,
        0x1_D400..=0x1_D7FF,
        0x1_F100..=0x1_F1FF,
        0xE_0000..=0xE_01EF,
    ];
    for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
        let Some(mask) = ascii_letters_of(c) else {
            continue;
        };
        known += 1;
        for context in ["", "k", "k "] {
            let text = format!("{context}{c}");
            skeleton(&text, &mut skel, &mut at);
            let made = skel.strip_prefix(context.trim()).unwrap_or(&skel);
            assert!(
                made.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{c:?} (U+{:04X}) after {context:?}: {skel:?}",
                c as u32
            );
            assert_eq!(
                letters(made),
                mask,
                "{c:?} (U+{:04X}) after {context:?}",
                c as u32
            );
        }
    }
    // Accented and full-width letters, ligatures, invisible characters and separators.
    assert!(known > 1_000, "{known}");
    assert_eq!(ascii_letters_of('é'), Some(1 << 4));
    assert_eq!(ascii_letters_of('Ｋ'), Some(1 << 10));
    assert_eq!(ascii_letters_of('\u{200B}'), Some(0));
    assert_eq!(ascii_letters_of('©'), Some(0));
    // Not known: a Cyrillic look-alike, a letter with no ASCII base, a mark standing alone.
    assert_eq!(ascii_letters_of('а'), None);
    assert_eq!(ascii_letters_of('ß'), None);
    assert_eq!(ascii_letters_of('\u{0301}'), None);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const INVISIBLES: &[char] = &[
        '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{202E}',
        '\u{FE0F}',
    ];
    /// Cyrillic and Greek look-alikes of the letters of "kaspersky".
    fn lookalikes(c: char) -> &'static [char] {
        match c {
            'k' => &['к', 'κ'],
            'a' => &['а', 'α'],
            's' => &['ѕ'],
            'p' => &['р', 'ρ'],
            'e' => &['е', 'ε'],
            'r' => &[],
            'y' => &['у'],
            _ => &[],
        }
    }

    /// Pieces of ASCII text that exercise the rules of [`tokens`].
    const ASCII_PIECES: &[&str] = &[
        "k",
        "A",
        "s",
        "P",
        "e",
        "r",
        "y",
        "i",
        "j",
        "x",
        "Z",
        ".",
        ". ",
        " ",
        "  ",
        "-",
        "_",
        ",",
        "'",
        "\t",
        "\n",
        "(",
        ")",
        "/",
        "0",
        "7",
        "42",
        "2024",
        "a1",
        "1b",
        "sk",
        "ck",
        "iy",
        "ij",
        "ii",
        "IY",
        "skiy",
        "skij",
        "skii",
        "ckiy",
        "Kasperskiy",
        "kasperskij",
        "KASPERSKII",
        "Kasper",
        "sky",
        "Lab",
        "OOO",
        "iy.",
        "sk.i.y",
        "k.a.s.p",
        "K a s p",
        "ab",
        "abc",
        "\u{7f}",
        "\u{0}",
    ];

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = normalize(&s);
            let _ = normalize_host(&s);
            let _ = parse_url_like(&s);
            let _ = parse_email(&s);
        }

        #[test]
        fn idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }

        #[test]
        fn invariant_under_invisibles(positions in proptest::collection::vec((0usize..14, 0usize..INVISIBLES.len()), 0..6)) {
            let mut chars: Vec<char> = "Kaspersky Lab".chars().collect();
            for (pos, inv) in positions {
                chars.insert(pos.min(chars.len()), INVISIBLES[inv]);
            }
            let s: String = chars.into_iter().collect();
            prop_assert_eq!(normalize(&s), "kaspersky lab");
        }

        #[test]
        fn invariant_under_case(mask in proptest::collection::vec(any::<bool>(), 13)) {
            let s: String = "Kaspersky Lab".chars().zip(mask).map(|(c, up)| if up { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect();
            prop_assert_eq!(normalize(&s), "kaspersky lab");
        }

        #[test]
        fn invariant_under_lookalikes(picks in proptest::collection::vec(0usize..3, 9)) {
            // `r` has no look-alike here, so every spelling keeps a Latin letter: a mixed-script word.
            let out: String = "kaspersky"
                .chars()
                .zip(&picks)
                .map(|(c, &pick)| {
                    let alts = lookalikes(c);
                    if pick > 0 && pick <= alts.len() { alts[pick - 1] } else { c }
                })
                .collect();
            prop_assert_eq!(normalize(&format!("{out} Lab")), "kaspersky lab", "input {}", out);
        }

        #[test]
        fn invariant_under_fullwidth(s in "[a-zA-Z0-9 ]{0,30}") {
            let wide: String = s.chars().map(|c| if c == ' ' { '\u{3000}' } else { char::from_u32(c as u32 + 0xFEE0).unwrap() }).collect();
            prop_assert_eq!(normalize(&wide), normalize(&s));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The ASCII path gives, token for token, what the general path gives for the same text.
        #[test]
        fn ascii_path_is_the_general_path(s in "[\\x00-\\x7f]{0,60}") {
            let general = tokens_general(&s);
            prop_assert_eq!(tokens(&s), general.clone(), "tokens({:?})", s);
            prop_assert_eq!(normalize(&s), general.join(" "), "normalize({:?})", s);
        }

        /// The same, on short words and initials (many runs of single letters, of every length).
        #[test]
        fn ascii_path_is_the_general_path_on_initials(s in "([a-zA-Z0-9]{1,3}[ .,_-]{0,2}){0,16}") {
            let general = tokens_general(&s);
            prop_assert_eq!(tokens(&s), general.clone(), "tokens({:?})", s);
            prop_assert_eq!(normalize(&s), general.join(" "), "normalize({:?})", s);
        }

        /// The same, on texts made of the pieces the rules are about: single letters and dots
        /// (spelled-out runs), the `-skiy` endings and their near misses, digits, separators.
        #[test]
        fn ascii_path_is_the_general_path_on_rule_pieces(
            picks in proptest::collection::vec(0usize..ASCII_PIECES.len(), 0..24)
        ) {
            let s: String = picks.iter().map(|&i| ASCII_PIECES[i]).collect();
            let general = tokens_general(&s);
            prop_assert_eq!(tokens(&s), general.clone(), "tokens({:?})", s);
            prop_assert_eq!(normalize(&s), general.join(" "), "normalize({:?})", s);
        }
    }
}

mod host_fast_path {
    use super::super::*;
    use crate::text::web::normalize_host_general;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        /// The ASCII shortcut of `normalize_host` gives what the general path (percent-decoding,
        /// NFKC, IDNA, look-alikes) gives, for any ASCII text.
        #[test]
        fn ascii_hosts_normalise_as_the_general_path(host in "[ -~\\t]{0,40}") {
            prop_assert_eq!(normalize_host(&host), normalize_host_general(&host));
        }

        #[test]
        fn host_like_ascii_normalises_as_the_general_path(
            host in "[ \\[\\]]?([a-zA-Z0-9_*-]{0,8}[.]{0,2}){0,5}[. ]{0,2}"
        ) {
            prop_assert_eq!(normalize_host(&host), normalize_host_general(&host));
        }
    }
}

/// The Russian case rule on forms that no list spells out: every case of the two declension
/// classes reads as the nominative, and words of other classes are left alone.
#[test]
fn russian_names_in_any_case() {
    for (text, want) in [
        ("Лабораторией Касперского", "laboratoriya kaspersky"),
        ("Лаборатории Касперского", "laboratoriya kaspersky"),
        ("Лабораторию Касперского", "laboratoriya kaspersky"),
        ("лабораториями Касперских", "laboratoriya kaspersky"),
        ("Касперскому", "kaspersky"),
        ("Касперским", "kaspersky"),
        ("Касперская", "kaspersky"),
        ("Касперский", "kaspersky"),
        // Other words: unchanged (a stem too short, another class).
        ("Москва", "moskva"),
        ("ия", "iya"),
        ("Каспийское", "kaspiysky"),
    ] {
        assert_eq!(normalize(text), want, "{text}");
    }
}

/// Unspaced scripts are matched per character; their runs are never joined as spelled-out
/// letters, and displayed without spaces.
#[test]
fn unspaced_scripts_are_one_token_per_character() {
    assert_eq!(
        tokens("卡巴斯基实验室"),
        ["卡", "巴", "斯", "基", "实", "验", "室"]
    );
    assert_eq!(
        tokens("カスペルスキー製品"),
        ["カ", "ス", "ペ", "ル", "ス", "キ", "ー", "製", "品"]
    );
    assert_eq!(
        tokens("SDK卡巴斯基v2"),
        ["sdk", "卡", "巴", "斯", "基", "v2"]
    );
    assert_eq!(join_tokens(&tokens("卡巴斯基 sdk")), "卡巴斯基 sdk");
}

/// Where `ascii_letters_of` has no answer, `letters_anywhere` bounds what the skeleton makes:
/// for every such character of the ranges the prefilter asks about, alone, doubled, between
/// Latin, Cyrillic and Greek letters, inside a Russian word whose ending is folded and before a
/// Latin ending that is, every ASCII letter of the skeleton is one its characters may become
/// (or the `y` of a folded ending), and every other character one they may leave.
#[test]
fn letters_anywhere_bounds_what_the_skeleton_makes() {
    let (mut skel, mut at) = (String::new(), Vec::new());
    let bound = |text: &str| {
        let (mut mask, mut left) = (letter_bit(b'y'), std::collections::BTreeSet::new());
        for c in text.chars() {
            if c.is_ascii() {
                mask |= letter_bit(c as u8);
            } else {
                mask |= ascii_letters_of(c).unwrap_or_else(|| {
                    letters_anywhere(c, |l| {
                        left.insert(l);
                    })
                });
                // An exactly known character leaves nothing above ASCII (see the test above).
            }
        }
        (mask, left)
    };
    let contexts = [
        ("", ""),
        ("k", ""),
        ("", "k"),
        ("ab ", " cd"),
        ("к", "к"),
        // Folded endings bring letters the word does not hold: `ого` → `ий`, `ии` → `ия`.
        ("каспер", "ского"),
        ("горизонт", "ии"),
        ("α", "β"),
        ("kasper", "skij"),
        ("x", "x"),
    ];
    let ranges = [
        0x80u32..=0xFFFF,
        0x1_D400..=0x1_D7FF,
        0x1_F100..=0x1_F1FF,
        0xE_0000..=0xE_01EF,
    ];
    let mut asked = 0;
    for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
        if ascii_letters_of(c).is_some() {
            continue;
        }
        asked += 1;
        for (before, after) in contexts {
            for text in [
                format!("{before}{c}{after}"),
                format!("{before}{c}{c}{after}"),
            ] {
                skeleton(&text, &mut skel, &mut at);
                let (mask, left) = bound(&text);
                for o in skel.chars() {
                    if o.is_ascii() {
                        assert!(
                            letter_bit(o as u8) & !mask == 0,
                            "{c:?} (U+{:04X}) in {text:?} makes {o:?}: {skel:?}",
                            c as u32
                        );
                    } else {
                        assert!(
                            left.contains(&o),
                            "{c:?} (U+{:04X}) in {text:?} leaves {o:?}: {skel:?}",
                            c as u32
                        );
                    }
                }
            }
        }
    }
    assert!(asked > 1_000, "{asked}");
    // The Latin-1 letters of a text read in a code page not its own make nothing a Latin name
    // is spelled with but themselves.
    for c in ['æ', 'ß', 'ð', 'ø', '¨', '\u{0308}'] {
        let mut left = Vec::new();
        let mask = letters_anywhere(c, |l| left.push(l));
        assert_eq!(mask & !letter_bit(b'y'), mask, "{c:?}");
        assert!(mask.count_ones() <= 2, "{c:?}: {mask:b}");
    }
    assert_ne!(letters_anywhere('к', |_| {}) & letter_bit(b'k'), 0);
}
