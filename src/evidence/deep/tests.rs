//! Tests of the deep scan: files, archives, binaries and text lines read as evidence.

use super::text::*;
use super::*;

fn scanner() -> Scanner {
    let words = [
        "kaspersky".to_string(),
        "касперск".to_string(),
        "kaspersky.com".to_string(),
    ];
    Scanner::new(&words, &words, DeepOptions::default())
}

fn text(name: &str, body: &str) -> Vec<(String, Role, Option<u32>, String)> {
    let mut r = FileResult::default();
    scanner().scan_bytes(name, body.as_bytes(), &PackageBudget::default(), &mut r);
    r.evidence
        .into_iter()
        .map(|e| {
            (
                e.field.to_string(),
                e.role,
                e.location.and_then(|l| l.line),
                e.text,
            )
        })
        .collect()
}

/// A directory of the package swapped for a link to a directory outside it, after the walk
/// listed a file below it and before the file is opened: the outside file is never read.
#[cfg(unix)]
#[test]
fn a_directory_swapped_for_a_link_after_the_walk_is_not_followed() {
    let d = tempfile::tempdir().unwrap();
    let base = Utf8Path::from_path(d.path()).unwrap();
    let root = base.join("pkg");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(root.join("docs/notes.txt"), b"nothing here\n").unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(
        base.join("outside/notes.txt"),
        b"Copyright (c) 2024 AO Kaspersky Lab\n",
    )
    .unwrap();

    let s = scanner();
    let beneath = crate::fsio::Beneath::open(root.as_std_path());
    let budget = PackageBudget::default();
    let listed = root.join("docs/notes.txt");
    let before = s.scan_path(&root, &beneath, &listed, false, &budget, true);
    assert!(before.skipped.is_empty() && before.evidence.is_empty());

    std::fs::rename(root.join("docs"), base.join("docs.old")).unwrap();
    std::os::unix::fs::symlink(base.join("outside"), root.join("docs")).unwrap();
    if !beneath.race_free() {
        eprintln!("openat2 is not available here: only the fallback open (no link at the end)");
        return;
    }
    let after = s.scan_path(&root, &beneath, &listed, false, &budget, true);
    assert!(after.evidence.is_empty(), "{:?}", after.evidence);
    assert_eq!(after.skipped.len(), 1, "{:?}", after.skipped);
    assert_eq!(after.skipped[0].file, "docs/notes.txt");
    assert!(
        after.skipped[0].reason.contains("symbolic link"),
        "{:?}",
        after.skipped
    );
}

#[test]
fn corrupt_test_archives_are_noted_and_read_raw() {
    let mut gz = vec![0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff];
    gz.extend_from_slice(b"\xff\xff garbage Copyright AO Kaspersky Lab garbage");
    let mut r = FileResult::default();
    scanner().scan_bytes("tests/corrupt.gz", &gz, &PackageBudget::default(), &mut r);
    assert!(
        r.skipped.iter().all(|s| !s.counts_as_unscanned()),
        "{:?}",
        r.skipped
    );
    assert!(
        r.evidence.iter().any(|e| e.role == Role::Attribution),
        "{:?}",
        r.evidence
    );
    let mut r = FileResult::default();
    scanner().scan_bytes("vendor/corrupt.gz", &gz, &PackageBudget::default(), &mut r);
    assert!(
        r.skipped.iter().any(|s| s.counts_as_unscanned()),
        "{:?}",
        r.skipped
    );
}

#[test]
fn notice_lines_are_attribution_mentions_are_not() {
    let got = text(
        "include/kav.h",
        "/*\n * Copyright (c) 2024 AO Kaspersky Lab\n */\n// engines: Kaspersky, ESET, Sophos\nint x;\n",
    );
    assert_eq!(
        got,
        [
            (
                "notice".into(),
                Role::Attribution,
                Some(2),
                "* Copyright (c) 2024 AO Kaspersky Lab".into()
            ),
            (
                "text".into(),
                Role::Mention,
                Some(4),
                "// engines: Kaspersky, ESET, Sophos".into()
            ),
        ]
    );
}

#[test]
fn proprietary_headers_author_fields_and_author_sections_are_notices() {
    for (name, content, line) in [
        (
            "include/engine.h",
            "/*\n * This software is the confidential and proprietary information of\n * AO Kaspersky Lab (\"Confidential Information\").\n */\n",
            3,
        ),
        (
            "include/engine.h",
            "/* Property of AO Kaspersky Lab. */\n",
            1,
        ),
        (
            "include/engine.h",
            "/**\n * @author AO Kaspersky Lab\n */\n",
            2,
        ),
        ("kav/__init__.py", "__author__ = \"AO Kaspersky Lab\"\n", 1),
        (
            "lib/Engine.pm",
            "=head1 AUTHOR\n\nAO Kaspersky Lab\n\n=cut\n",
            3,
        ),
        (
            "man/kavscan.1",
            ".TH KAVSCAN 1\n.SH AUTHOR\nAO Kaspersky Lab\n",
            3,
        ),
        (
            "include/engine.h",
            "/* \u{24b8} 2024 AO Kaspersky Lab */\n",
            1,
        ),
    ] {
        let got = text(name, content);
        assert_eq!(got.len(), 1, "{name}: {got:?}");
        assert_eq!(
            (got[0].1, got[0].2),
            (Role::Attribution, Some(line)),
            "{content:?}: {got:?}"
        );
    }
    // An author section's heading two blank lines up governs nothing.
    let got = text("lib/Engine.pm", "=head1 AUTHOR\n\n\nSee also: Kaspersky\n");
    assert_eq!(got[0].1, Role::Mention, "{got:?}");
}

#[test]
fn statements_of_absence_thanks_and_tests_quoting_notices_mention() {
    for (name, content) in [
        (
            "THIRD-PARTY-NOTICES.txt",
            "This product no longer contains software developed by AO Kaspersky Lab.\n",
        ),
        (
            "CHANGELOG.md",
            "- Removed the bundled scan engine (Copyright (c) AO Kaspersky Lab).\n",
        ),
        (
            "NOTICE",
            "Build with --features kaspersky for the adapter (not included).\n",
        ),
        (
            "CREDITS.md",
            "- Jane Roe (Kaspersky Lab) for reporting CVE-2024-0001\n",
        ),
        (
            "src/detect.rs",
            "    assert!(is_notice(\"Copyright (c) 2024 AO Kaspersky Lab\"));\n",
        ),
        (
            "tests/detect.test.js",
            "  expect(isNotice('Developed by AO Kaspersky Lab')).toBe(true);\n",
        ),
    ] {
        let got = text(name, content);
        assert!(got.iter().all(|g| g.1 == Role::Mention), "{name}: {got:?}");
    }
    // A notice that merely sits near a test word is still one.
    let got = text(
        "include/kav.h",
        "/* Copyright (c) 2024 AO Kaspersky Lab; see assert.h */\n",
    );
    assert_eq!(got[0].1, Role::Attribution, "{got:?}");
}

#[test]
fn a_licence_reference_names_its_licensor() {
    let got = text(
        "ui/package.json",
        "{\n  \"name\": \"scan-ui\",\n  \"license\": \"LicenseRef-Kaspersky-EULA\",\n  \"description\": \"works with Kaspersky\"\n}\n",
    );
    assert!(
        got.contains(&(
            "notice".into(),
            Role::Attribution,
            Some(3),
            "\"license\": \"LicenseRef-Kaspersky-EULA\",".into()
        )),
        "{got:?}"
    );
    assert!(
        got.iter().any(|g| g.1 == Role::Mention && g.2 == Some(4)),
        "{got:?}"
    );
}

#[test]
fn cyrillic_in_any_case_and_homoglyph_notices_are_found() {
    let got = text(
        "NOTES.txt",
        "© АО «ЛАБОРАТОРИЯ КАСПЕРСКОГО»\nCopyright Kаspersky Lab\n",
    );
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|g| g.1 == Role::Attribution));
}

#[test]
fn every_line_of_a_notice_file_is_attribution() {
    let got = text("THIRD-PARTY-NOTICES.txt", "Portions by Kaspersky Lab\n");
    assert_eq!(got[0].0, "notice file");
    assert!(is_notice_file("vendor/sdk.zip!LICENSE"));
    assert!(is_notice_file("LICENSE-MIT"));
    assert!(!is_notice_file("src/license_check.rs"));
}

/// A statement of absence or thanks is read as one only in prose: appended to a copyright
/// line in code, it changes nothing.
#[test]
fn disclaimers_count_in_prose_only() {
    for name in [
        "CHANGELOG.md",
        "NEWS",
        "docs/notes.rst",
        "NOTICE",
        "sdk.zip!README",
        "AUTHORS",
    ] {
        assert!(is_prose_file(name), "{name}");
    }
    for name in [
        "src/lib.rs",
        "include/api.h",
        "engine.py",
        "configure",
        "lib/x.so",
    ] {
        assert!(!is_prose_file(name), "{name}");
    }
    let line = "Copyright (c) 2024 AO Kaspersky Lab. This product no longer contains it.";
    assert_eq!(text("include/api.h", line)[0].1, Role::Attribution);
    assert_eq!(text("CHANGELOG.md", line)[0].1, Role::Mention);
}

/// A backslash that ends a line inside a word splices it with the next one, as the C
/// preprocessor does: the name is read joined, and only where both sides are a word's letters
/// (a macro's continuations, or one followed by an indented line, are not).
#[test]
fn a_line_splice_inside_a_name_is_read_joined() {
    for eol in ["\n", "\r\n"] {
        let body = format!("const char *n = \"Copyright (c) AO Kasper\\{eol}sky Lab\";{eol}");
        let got = text("include/engine.h", &body);
        assert!(
            got.iter()
                .any(|(_, role, line, t)| t.contains("AO Kaspersky Lab")
                    && *role == Role::Attribution
                    && *line == Some(1)),
            "{got:?}"
        );
    }
    assert!(
        text(
            "include/util.h",
            "#define S(x) \\\n  scan(x)\nchar *s = \"kasper\\\n sky\";\n"
        )
        .is_empty()
    );
}

/// A markup file is also read as it renders: markup inside a word renders nothing.
#[test]
fn markup_is_read_as_it_renders() {
    let html = "<p>\n<b>Kas</b><i>per</i>sky &amp; <!-- x -->Lab</p>\nplain\n";
    assert_eq!(
        rendered("x.html", html).as_deref(),
        Some("\nKaspersky & Lab ")
    );
    assert_eq!(rendered("x.rs", html), None);
    assert_eq!(rendered("x.html", "plain\n"), None);
    assert_eq!(
        rendered("README.md", "a `b` c\nKas**per**sky and snake_case\n").as_deref(),
        Some("\nKaspersky and snake_case")
    );
    // CommonMark reads no emphasis in `snake_case` or `a<b>c` generics, and neither is taken.
    assert_eq!(
        rendered("x.md", "snake_case and Vec<T> and a &amp; b\n"),
        None
    );
    assert!(
        text("docs/NOTICE.md", "Copyright (c) AO Kas`per`sky Lab.\n")
            .iter()
            .any(|(_, role, _, t)| *role == Role::Attribution && t.contains("Kaspersky"))
    );
}

#[test]
fn code_parentheses_are_not_notices() {
    assert!(text("src/x.rs", "let y = f(c) + g(C);\nmatch (c) { _ => {} }\n").is_empty());
    let got = text(
        "src/x.c",
        "/* (c) 2019 Kaspersky Lab */\n/* (C) AO Kaspersky Lab */\n",
    );
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|g| g.1 == Role::Attribution));
}

#[test]
fn long_lines_are_windowed_on_the_hit() {
    let body = format!(
        "{}Copyright Kaspersky Lab{}",
        "x".repeat(5000),
        "y".repeat(5000)
    );
    let got = text("min.js", &body);
    assert_eq!(got.len(), 1);
    assert!(got[0].3.contains("Kaspersky Lab") && got[0].3.len() <= super::super::MAX_TEXT);
}

#[test]
fn kept_matches_are_capped_and_the_rest_counted() {
    let body = "Kaspersky\n".repeat(1000);
    let s = scanner();
    let mut r = FileResult::default();
    s.scan_bytes(
        "table.csv",
        body.as_bytes(),
        &PackageBudget::default(),
        &mut r,
    );
    assert_eq!(r.evidence.len(), 1000, "every matching line is examined");
    let mut scan = PackageScan {
        evidence: r.evidence,
        ..Default::default()
    };
    let kept = s.keep_matches(&mut scan, |e| vec![e.location.clone()]);
    let max = DeepOptions::default().max_hits_per_file;
    assert_eq!((kept.len(), scan.evidence.len()), (max, max));
    assert_eq!(scan.skipped.len(), 1);
    assert_eq!(scan.skipped[0].kind, SkipKind::Truncated);
    assert!(
        scan.skipped[0]
            .reason
            .starts_with(&format!("{} more matching lines not kept", 1000 - max)),
        "{:?}",
        scan.skipped
    );
}

#[test]
fn proximity_decides_attribution() {
    let got = text(
        "dist/ui.min.js",
        "/*! ui | (c) 2024 Example Corp | MIT */var e=[\"Kaspersky\",\"ESET\"];",
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, Role::Mention);
    let got = text(
        "a.c",
        "/* Copyright 2020 Google LLC and AO Kaspersky Lab */",
    );
    assert_eq!(got[0].1, Role::Attribution);
    let got = text("a.c", "AO Kaspersky Lab. All rights reserved.");
    assert_eq!(got[0].1, Role::Attribution);
    let got = text(
        "a.c",
        "/*\n * Copyright (c) 2019-2024\n *   AO Kaspersky Lab\n */",
    );
    assert_eq!((got[0].1, got[0].2), (Role::Attribution, Some(3)));
    let got = text(
        "a.c",
        "// Copyright 2024 Google LLC\n// Kaspersky engine support\n",
    );
    assert_eq!(
        got[0].1,
        Role::Mention,
        "a finished notice does not reach the next line"
    );
}

#[test]
fn every_disguise_reaches_the_normaliser() {
    for line in [
        "KaSpErSkY",
        "K.a.s.p.e.r.s.k.y",
        "K a s p e r s k y",
        "K-A-S-P-E-R-S-K-Y",
        "K . a . s . p . e . r . s . k . y",
        "KasperskyLab",
        "Kas\u{200B}persky",
        "K\u{0430}sp\u{0435}rsky",
        "\u{FF2B}\u{FF41}\u{FF53}\u{FF50}ersky",
        "Kåspërsky",
        "Лаборатория Касперского",
        "Kasperskiy",
        "https://%6Baspersky.com/",
    ] {
        let got = text("x.txt", &format!("int x;\n{line}\nint y;\n"));
        assert_eq!(got.len(), 1, "{line:?}: {got:?}");
        assert_eq!(got[0].2, Some(2));
    }
    assert!(text("x.rs", "let kasper = sky;\nfn risky() {}\n").is_empty());
}

/// A line taken only for half of a split name is read through its joined string literals,
/// never as code: identifiers and operators between the halves name nobody.
#[test]
fn a_split_name_is_read_through_its_literals_only() {
    for (body, found) in [
        (
            "const N: &str = concat!(\"AO Kasp\", \"ersky Lab\");\n",
            true,
        ),
        ("var n = 'Kas' + 'persky Lab';\n", true),
        ("n = (\"K\" \"aspersky Lab\")\n", true),
        ("let kasper = sky;\n", false),
        ("let k = kasp + ersky_total;\n", false),
        ("call(\"kasp\"); other(\"ersky\");\n", false),
    ] {
        let got = text("x.rs", body);
        assert_eq!(!got.is_empty(), found, "{body:?}: {got:?}");
        if found {
            assert!(got[0].3.contains("Kaspersky Lab"), "{got:?}");
        }
    }
}

mod planted {
    use super::*;
    use proptest::prelude::*;

    /// A disguise of `name` (ASCII letters): case, invisible characters, look-alikes and
    /// separators, chosen per letter.
    fn disguise(name: &str, picks: &[(u8, u8)], spelled: Option<&str>) -> String {
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            let (case, glyph) = picks[i % picks.len()];
            let c = match (glyph % 4, c) {
                (1, 'a') => 'а',
                (1, 'e') => 'е',
                (1, 'p') => 'р',
                (1, 'k') => 'к',
                (1, 'y') => 'у',
                _ if case % 2 == 1 => c.to_ascii_uppercase(),
                _ => c,
            };
            out.push(c);
            if let Some(sep) = spelled {
                if i + 1 < name.len() {
                    out.push_str(sep);
                }
            } else if glyph % 5 == 2 && i + 1 < name.len() {
                out.push('\u{200B}');
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn a_planted_name_is_found_whatever_its_disguise(
            picks in proptest::collection::vec((0u8..4, 0u8..10), 9),
            spelled in proptest::option::of(prop_oneof![Just("."), Just(" "), Just("-"), Just(" . "), Just("_")]),
            noise in proptest::collection::vec("[a-zA-Z0-9 (){};=,.]{0,80}", 0..40),
            at in 0usize..40,
            encoding in 0u8..4,
        ) {
            let name = disguise("kaspersky", &picks, spelled);
            let mut lines: Vec<String> = noise;
            let at = at.min(lines.len());
            lines.insert(at, format!("Copyright (c) 2024 AO {name} Lab"));
            let body = lines.join("\n") + "\n";
            let bytes: Vec<u8> = match encoding {
                1 => body.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                2 => body.encode_utf16().flat_map(u16::to_be_bytes).collect(),
                3 => [0xEF, 0xBB, 0xBF].into_iter().chain(body.bytes()).collect(),
                _ => body.into_bytes(),
            };
            let mut r = FileResult::default();
            scanner().scan_bytes("NOTES.txt", &bytes, &PackageBudget::default(), &mut r);
            let line = u32::try_from(at + 1).unwrap();
            prop_assert!(
                r.evidence.iter().any(|e| e.role == Role::Attribution
                    && e.location.as_ref().and_then(|l| l.line) == Some(line)),
                "{name:?} at line {line}: {:?}", r.evidence
            );
        }
    }
}

#[test]
fn names_split_across_string_literals_are_read_joined() {
    // A line the fast stage takes (here for its `©`) is read with its joined literals where
    // they name something the line's words alone do not. (A plain-ASCII line split this way
    // is not a candidate: see docs/src/what-it-screens.md.)
    let line = "pub const C: &str = concat!(\"\u{a9} AO Kasp\", \"ersky Lab\");\n";
    let got = text("src/lib.rs", line);
    assert_eq!(
        got,
        [(
            "notice".to_string(),
            Role::Attribution,
            Some(1),
            "pub const C: &str = concat!(\"\u{a9} AO Kaspersky Lab\");".to_string()
        )]
    );
    let lists = [crate::entity::EntityList::builtin().unwrap()];
    let m = crate::matching::Matcher::new(&lists);
    let s = Scanner::new(m.needles(), m.spelled_needles(), DeepOptions::default());
    let mut r = FileResult::default();
    s.scan_bytes(
        "src/lib.rs",
        line.as_bytes(),
        &PackageBudget::default(),
        &mut r,
    );
    assert_eq!(r.evidence.len(), 1, "{:?}", r.evidence);
    assert!(
        !m.match_evidence(&r.evidence[0]).is_empty(),
        "the joined line is matched: {:?}",
        r.evidence[0]
    );
}

/// The string comparison that finds a path below a package root agrees with the component one.
#[test]
fn strip_root_agrees_with_strip_prefix() {
    use camino::Utf8Path;
    for (root, path) in [
        ("/r/pkg", "/r/pkg/src/lib.rs"),
        ("/r/pkg", "/r/pkg"),
        ("/r/pkg", "/r/pkgx/lib.rs"),
        ("/r/pkg", "/r/pkg//lib.rs"),
        ("/r/pkg", "/r/pkg/./lib.rs"),
        ("/r/pkg", "/r/pkg/a/./b"),
        ("/r/pkg", "/r/pkg/a/"),
        ("/r/pkg/", "/r/pkg/a"),
        ("/r/pkg", "/other/a"),
        ("/r/pkg", "/r/pkg/.hidden/x"),
    ] {
        let (root, path) = (Utf8Path::new(root), Utf8Path::new(path));
        assert_eq!(
            super::strip_root(root, path),
            path.strip_prefix(root).ok(),
            "{root} {path}"
        );
    }
}

/// A table of lines above ASCII that cannot spell a needle is passed over whole; one line that
/// can (a name in look-alike letters, in a script of its own, or spelled by a character
/// reference or an escape) is read, wherever it stands among them.
#[test]
fn a_table_above_ascii_is_read_only_where_a_line_can_name_someone() {
    let p = scanner();
    let table: String = (0..500)
        .map(|i| format!("{}\n", char::from_u32(0x4e00 + i).unwrap()))
        .collect();
    let (lines, _) = candidate_lines(&p.prefilter, &table);
    assert!(lines.is_empty(), "{} lines", lines.len());
    for (name, line) in [
        ("look-alike letters", "Кaspersky Lab"),
        ("Cyrillic", "Лаборатория Касперского"),
        ("a character reference", "&#75;aspersky Lab"),
        ("an escape", "\\x4Baspersky Lab"),
        ("a percent escape", "%4Baspersky Lab"),
    ] {
        for at in [0, 250, 500] {
            let mut rows: Vec<&str> = table.lines().collect();
            rows.insert(at, line);
            let body = rows.join("\n") + "\n";
            let got = text("table.txt", &body);
            assert_eq!(got.len(), 1, "{name} at line {at}: {got:?}");
            assert_eq!(got[0].2, Some(at as u32 + 1), "{name}");
        }
    }
    // A reference among them keeps the lines of its block candidates, and only those; so
    // does a character of a needle that folds to no Latin letters (`卡巴斯基`). A lone Cyrillic
    // letter does not: every letter it may become (`k`, and a folded ending's) spells nothing.
    let words = ["kaspersky".to_string(), "卡巴斯基".to_string()];
    let cjk = Scanner::new(&words, &words, DeepOptions::default());
    for (at, row, kept) in [(10, "caf&eacute;", 64), (300, "卡", 64), (300, "к", 0)] {
        let mut rows: Vec<&str> = table.lines().collect();
        rows[at] = row;
        let (lines, _) = candidate_lines(&cjk.prefilter, &(rows.join("\n") + "\n"));
        assert_eq!(lines.len(), kept, "{row}");
    }
}

/// A WebAssembly module's import modules are its libraries (integration), its strings read as
/// before; a damaged one is a note, and its strings are still read.
#[test]
fn wasm_imports_are_integration_and_a_damaged_module_is_still_read() {
    let run = |bytes: &[u8]| {
        let mut r = FileResult::default();
        scanner().scan_bytes("pkg/engine.wasm", bytes, &PackageBudget::default(), &mut r);
        let ev: Vec<(String, Role, Shape, String)> = r
            .evidence
            .into_iter()
            .map(|e| (e.field.to_string(), e.role, e.shape, e.text))
            .collect();
        (ev, r.skipped, r.binaries.len())
    };
    let module = crate::evidence::testgen::wasm_module(
        &[
            ("env", "abort"),
            ("@kaspersky/scan-engine", "scan"),
            ("https://cdn.kaspersky.com/sdk/scan.mjs", "load"),
        ],
        &[],
    );
    let (ev, skipped, binaries) = run(&module);
    let import = "WebAssembly import module (integration)".to_string();
    assert!(ev.contains(&(
        import.clone(),
        Role::Attribution,
        Shape::Text,
        "@kaspersky/scan-engine".into()
    )));
    assert!(ev.contains(&(
        import,
        Role::Attribution,
        Shape::Url,
        "https://cdn.kaspersky.com/sdk/scan.mjs".into()
    )));
    assert!(skipped.is_empty() && binaries == 1, "{skipped:?}");
    let (ev, skipped, _) = run(b"\0asm\x01\0\0\0\x02\xff\xff\xff\xff\x0f @kaspersky/scan-engine");
    assert!(
        ev.iter().all(|e| e.1 == Role::Mention) && !ev.is_empty(),
        "{ev:?}"
    );
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].kind, SkipKind::Note);
    assert!(
        skipped[0].reason.contains("WebAssembly") && skipped[0].reason.contains("imports"),
        "{skipped:?}"
    );
}

/// A test-data archive through `scan_files`: packed while nothing names it (its compressed
/// notice unread, the inventory saying so, `packed` listing it), unpacked when a file names
/// it, and unpacked too when the package's other files are more than the naming pass reads.
#[test]
fn test_data_archives_are_packed_until_named_or_too_much_to_search() {
    let zip = crate::evidence::testgen::zip(&[(
        "payload/readme.txt",
        b"Copyright (c) 2024 AO Kaspersky Lab\n",
    )]);
    let package = |extra: &[(&str, Vec<u8>)]| {
        let d = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(d.path()).unwrap().to_path_buf();
        std::fs::create_dir_all(root.join("tests/data")).unwrap();
        std::fs::write(root.join("tests/data/blob.zip"), &zip).unwrap();
        for (rel, bytes) in extra {
            crate::evidence::testgen::write_file(root.join(rel), bytes);
        }
        let scan = scanner().scan_files(&root, &[]);
        (d, scan)
    };
    let notices = |scan: &PackageScan| {
        scan.evidence
            .iter()
            .filter(|e| e.text.contains("AO Kaspersky Lab"))
            .count()
    };
    let (_d, scan) = package(&[("src/lib.rs", b"pub fn f() {}\n".to_vec())]);
    assert_eq!(notices(&scan), 0, "{:?}", scan.evidence);
    assert_eq!(scan.packed, ["tests/data/blob.zip"]);
    assert!(
        scan.binaries[0].kind.contains("test data"),
        "{:?}",
        scan.binaries
    );
    let (_d, scan) = package(&[(
        "Makefile",
        b"dist:\n\tcp tests/data/blob.zip out/\n".to_vec(),
    )]);
    assert_eq!(notices(&scan), 1, "{:?}", scan.evidence);
    assert!(scan.packed.is_empty());
    // More than the naming pass reads, in files of at most its per-file size: unpacked.
    let chunk = vec![b'x'; (test_data::MAX_NAMING_FILE - 1) as usize];
    let count = (test_data::MAX_NAMING_BYTES / test_data::MAX_NAMING_FILE + 2) as usize;
    let big: Vec<(String, Vec<u8>)> = (0..count)
        .map(|i| (format!("assets/{i}.dat"), chunk.clone()))
        .collect();
    let big: Vec<(&str, Vec<u8>)> = big.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
    let (_d, scan) = package(&big);
    assert_eq!(notices(&scan), 1);
    assert!(scan.packed.is_empty());
}
