//! The deep scan against disguise (issue #13, text side): caps that count matches, directories
//! that belong to their package, names written in any case, with invisible characters,
//! look-alikes, separators, joined, in legacy encodings or UTF-16, hosting URLs of a listed
//! organisation, and attribution decided by proximity. Each case fails the build; the controls
//! stay clean.

use std::path::PathBuf;

use crate::*;

/// A one-package workspace in a temporary directory.
struct Ws {
    dir: tempfile::TempDir,
}

impl Ws {
    fn new() -> Ws {
        let dir = tempfile::tempdir().unwrap();
        let ws = Ws { dir };
        ws.write("src/lib.rs", b"");
        ws.write(
            "Cargo.toml",
            b"[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        ws
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> &Ws {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        self
    }

    fn json(&self) -> (i32, serde_json::Value) {
        let m = self.path("Cargo.toml");
        let r = run(&[
            "--manifest-path",
            m.to_str().unwrap(),
            "--no-cache",
            "--offline",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]);
        assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        (r.code, serde_json::from_str(&r.stdout).unwrap())
    }
}

/// (file, field) of every failing finding.
fn failing(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| {
            (
                f["evidence"]["location"]["file"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                f["evidence"]["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Asserts the workspace fails the build on a finding located in `file`.
fn fails_on(ws: &Ws, file: &str) {
    let (code, doc) = ws.json();
    let f = failing(&doc);
    assert_eq!(code, 1, "expected a failing finding in {file}: {f:?}");
    assert!(f.iter().any(|(loc, _)| loc == file), "{file} not in {f:?}");
}

/// Asserts the workspace passes, with no failing finding.
fn clean(ws: &Ws) -> serde_json::Value {
    let (code, doc) = ws.json();
    assert_eq!((code, failing(&doc)), (0, vec![]));
    doc
}

fn ordinary_notices(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "Copyright (c) {} Example Project {i} Developers. All rights reserved.\nPermission is hereby granted, free of charge.\n\n",
                2000 + i % 24
            )
        })
        .collect()
}

// --- caps count matches, and every hit of a line is examined ---------------------------------

#[test]
fn notice_after_many_ordinary_notices_is_found() {
    let ws = Ws::new();
    let body = ordinary_notices(200) + "Copyright (c) 2024 AO Kaspersky Lab\n";
    ws.write("THIRD-PARTY-NOTICES.txt", body.as_bytes());
    fails_on(&ws, "THIRD-PARTY-NOTICES.txt");
}

#[test]
fn control_many_ordinary_notices_stay_clean() {
    let ws = Ws::new();
    ws.write("THIRD-PARTY-NOTICES.txt", ordinary_notices(200).as_bytes());
    clean(&ws);
}

#[test]
fn second_banner_on_a_minified_line_is_found() {
    let ws = Ws::new();
    let line = format!(
        "/*! widgets v2 | (c) 2023 Example Corp | MIT */{}/*! engine | Copyright (c) 2024 AO Kaspersky Lab */{}\n",
        "var a=1;".repeat(400),
        "var b=2;".repeat(400)
    );
    ws.write("static/app.min.js", line.as_bytes());
    fails_on(&ws, "static/app.min.js");
}

#[test]
fn lines_beyond_the_cap_are_counted_and_listed() {
    let ws = Ws::new();
    ws.write(
        "data/engines.txt",
        "Copyright (c) 2024 AO Kaspersky Lab\n"
            .repeat(100)
            .as_bytes(),
    );
    let (code, doc) = ws.json();
    assert_eq!(code, 1);
    // The cap (64 by default) bounds the lines kept, each a finding; the 36 others are counted
    // in the scan's truncation entry (shown by `explain`).
    assert_eq!(doc["summary"]["fail"], 64, "{}", doc["summary"]);
}

// --- directories ------------------------------------------------------------------------------

#[test]
fn a_directory_with_a_stray_manifest_belongs_to_the_package() {
    let ws = Ws::new();
    ws.write("vendor/sdk/Cargo.toml", b"");
    ws.write(
        "vendor/sdk/NOTICE",
        "Copyright (c) 2024 AO Kaspersky Lab\n".as_bytes(),
    );
    fails_on(&ws, "vendor/sdk/NOTICE");
}

#[test]
fn a_plain_git_directory_is_scanned() {
    let ws = Ws::new();
    ws.write(".git/NOTICE", b"Copyright (c) 2024 AO Kaspersky Lab\n");
    fails_on(&ws, ".git/NOTICE");
}

/// A package that is a clone of the vendor's repository: its history is not scanned, but its
/// remote says where the checkout comes from; a token written into the URL is never reported.
#[test]
fn a_checkouts_remote_is_read_though_its_history_is_not() {
    let ws = Ws::new();
    ws.write(".git/HEAD", b"ref: refs/heads/main\n");
    ws.write(
        ".git/refs/heads/main",
        b"0123456789abcdef0123456789abcdef01234567\n",
    );
    ws.write(".git/objects/info/packs", b"");
    // In the history: not read.
    ws.write(
        ".git/objects/ab/NOTICE",
        b"Copyright (c) 2024 AO Kaspersky Lab\n",
    );
    ws.write(
        ".git/config",
        b"[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://ci:ghp_token@github.com/KasperskyLab/scan-sdk.git\n",
    );
    let (code, doc) = ws.json();
    assert_eq!(code, 1);
    assert_eq!(
        failing(&doc),
        [(".git/config".into(), "git config remote.origin.url".into())]
    );
    let text = doc.to_string();
    assert!(!text.contains("ghp_token"), "{text}");
    // Another organisation's clone passes.
    ws.write(
        ".git/config",
        b"[remote \"origin\"]\n\turl = https://github.com/acme/scanner.git\n",
    );
    clean(&ws);
}

/// A package distributed under a vendor's own terms says so in its SPDX expression.
#[test]
fn a_licence_reference_in_the_manifest_names_its_licensor() {
    let ws = Ws::new();
    ws.write(
        "Cargo.toml",
        b"[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT OR LicenseRef-Kaspersky-EULA\"\n",
    );
    let (code, doc) = ws.json();
    assert_eq!(code, 1);
    assert!(
        failing(&doc).iter().any(|(_, field)| field == "license"),
        "{:?}",
        failing(&doc)
    );
    // Another licensor's terms pass.
    ws.write(
        "Cargo.toml",
        b"[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"LicenseRef-Acme-Proprietary\"\n",
    );
    clean(&ws);
}

/// A vendor SDK copied in with its repository: the nested checkout's remote attributes it.
#[test]
fn a_vendored_checkouts_remote_attributes_it() {
    let ws = Ws::new();
    ws.write("vendor/engine/src/scan.c", b"int scan(void);\n");
    ws.write(
        "vendor/engine/.git/config",
        b"[remote \"origin\"]\n\turl = git@github.com:KasperskyLab/scan-sdk.git\n",
    );
    fails_on(&ws, "vendor/engine/.git/config");
}

#[test]
fn control_nested_av_product_table_is_a_mention() {
    let ws = Ws::new();
    ws.write("tools/av/Cargo.toml", b"");
    ws.write(
        "tools/av/engines.csv",
        b"engine,vendor\nKaspersky Anti-Virus,Kaspersky\nESET NOD32,ESET\nSophos,Sophos\n",
    );
    clean(&ws);
}

// --- spelling on disk -------------------------------------------------------------------------

#[test]
fn invisible_character_inside_the_name_in_a_notice_file() {
    let ws = Ws::new();
    ws.write(
        "NOTICE",
        "Portions by AO Kas\u{200B}persky Lab\n".as_bytes(),
    );
    fails_on(&ws, "NOTICE");
}

#[test]
fn cyrillic_lookalike_inside_the_name_in_authors() {
    let ws = Ws::new();
    ws.write("AUTHORS", "AO K\u{0430}spersky Lab\n".as_bytes());
    fails_on(&ws, "AUTHORS");
}

#[test]
fn spelled_out_letters() {
    for (i, spelled) in [
        "K.a.s.p.e.r.s.k.y",
        "K a s p e r s k y",
        "K-A-S-P-E-R-S-K-Y",
    ]
    .iter()
    .enumerate()
    {
        let ws = Ws::new();
        let file = format!("src/engine{i}.c");
        ws.write(
            &file,
            format!("/*\n * Copyright (c) 2024 {spelled} Lab\n */\n").as_bytes(),
        );
        fails_on(&ws, &file);
    }
}

#[test]
fn joined_words() {
    let ws = Ws::new();
    ws.write("src/x.h", b"// Copyright 2024 KasperskyLab\n");
    fails_on(&ws, "src/x.h");
}

#[test]
fn mixed_case_in_a_line_without_a_notice_word() {
    let ws = Ws::new();
    ws.write("THIRD_PARTY.md", b"- engine: made by KaSpErSkY LaB\n");
    fails_on(&ws, "THIRD_PARTY.md");
}

#[test]
fn legacy_cyrillic_code_pages() {
    let text = "Авторские права принадлежат АО Лаборатория Касперского. Все права защищены законом Российской Федерации.\n";
    for (name, enc) in [
        ("cp1251", encoding_rs::WINDOWS_1251),
        ("koi8", encoding_rs::KOI8_R),
    ] {
        let ws = Ws::new();
        let (bytes, _, _) = enc.encode(text);
        let file = format!("docs/readme-{name}.txt");
        ws.write(&file, &bytes);
        fails_on(&ws, &file);
    }
}

#[test]
fn control_russian_text_without_the_entity() {
    let ws = Ws::new();
    let text = "Библиотека для разбора конфигурационных файлов. Все права защищены.\nАвторские права (c) 2024 ООО «Пример».\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    ws.write("docs/readme.txt", &bytes);
    clean(&ws);
}

#[test]
fn utf16_text_files() {
    let text = "Copyright (c) 2024 AO Kaspersky Lab\r\n";
    for (name, le) in [("le", true), ("be", false)] {
        let ws = Ws::new();
        let bytes: Vec<u8> = text
            .encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect();
        let file = format!("res/notice-{name}.txt");
        ws.write(&file, &bytes);
        fails_on(&ws, &file);
    }
}

#[test]
fn build_script_downloads_from_the_raw_host_of_a_listed_org() {
    let ws = Ws::new();
    ws.write(
        "build.rs",
        b"fn main() {\n    let url = \"https://raw.githubusercontent.com/KasperskyLab/sdk/main/libkav.a\";\n    println!(\"cargo:warning={url}\");\n}\n",
    );
    let m = std::fs::read_to_string(ws.path("Cargo.toml")).unwrap();
    ws.write("Cargo.toml", (m + "build = \"build.rs\"\n").as_bytes());
    fails_on(&ws, "build.rs");
}

// --- attribution by proximity -----------------------------------------------------------------

#[test]
fn control_minified_av_list_under_another_banner_is_a_mention() {
    let ws = Ws::new();
    let line = format!(
        "/*! scanner-ui v1.4.2 | (c) 2024 Example Corp | MIT License */var e={};var engines=[\"Kaspersky\",\"ESET\",\"Sophos\",\"Avast\"];{}\n",
        "function f(a){return a+1}",
        "var z=0;".repeat(10)
    );
    ws.write("dist/ui.min.js", line.as_bytes());
    let doc = clean(&ws);
    assert!(
        mentions(&doc, "victim").contains(&"text".to_string()),
        "{doc}"
    );
}

#[test]
fn notice_anywhere_on_a_long_line_is_attribution() {
    let ws = Ws::new();
    let line = format!(
        "{}/* Copyright (c) 2024 AO Kaspersky Lab */{}\n",
        "var a=[1,2,3];".repeat(200),
        "var b=[4,5,6];".repeat(200)
    );
    ws.write("dist/engine.min.js", line.as_bytes());
    fails_on(&ws, "dist/engine.min.js");
}

#[test]
fn holder_on_the_wrapped_line_of_a_comment_block() {
    let ws = Ws::new();
    ws.write(
        "include/engine.h",
        b"/*\n * Copyright (c) 2019-2024\n *   AO Kaspersky Lab\n */\nint scan(void);\n",
    );
    fails_on(&ws, "include/engine.h");
}
