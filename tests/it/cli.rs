//! The command line itself: help, exit codes, errors, `list`.

use crate::*;

#[test]
fn help_documents_exit_codes() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    insta::assert_snapshot!("help", r.stdout);
}

#[test]
fn runs_without_the_cargo_subcommand_word() {
    let r: Run = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-entitycheck"))
        .arg("--version")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("cargo-entitycheck "));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let r = run(&["--frobnicate"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--frobnicate"));
}

#[test]
fn bad_as_of_date_is_a_usage_error() {
    let r = run(&["--as-of", "yesterday"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--as-of `yesterday` is not a date"),
        "{}",
        r.stderr
    );
}

#[test]
fn malformed_manifest_names_file_and_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \n",
    )
    .unwrap();
    let m = dir.path().join("Cargo.toml");
    let r = run(&["--manifest-path", m.to_str().unwrap(), "--offline"]);
    assert_eq!(r.code, 2);
    // Read (for its configuration tables) before cargo runs: the error names the file and line.
    assert!(r.stderr.contains("Cargo.toml"), "{}", r.stderr);
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn missing_manifest_names_the_file() {
    let r = run(&["--manifest-path", "/nonexistent/Cargo.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--manifest-path `/nonexistent/Cargo.toml`: no such file"),
        "{}",
        r.stderr
    );
    // A directory: the flag named, and the path it should have been.
    let dir = fixture("product");
    let r = run(&["--manifest-path", dir.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--manifest-path") && r.stderr.contains("is a directory"),
        "{}",
        r.stderr
    );
}

#[test]
fn mistyped_names_get_a_suggestion() {
    let m = manifest("product");
    let r = run(&[
        "explain",
        "upload-gaurd",
        "--manifest-path",
        &m,
        "--offline",
    ]);
    assert_eq!(r.code, 2);
    let names = {
        let (_, doc) = check_json("product", &[]);
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["package"]["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // A name one letter off a package of the fixture is suggested.
    let real = names
        .first()
        .expect("the product fixture has findings")
        .clone();
    let typo = format!("{real}x");
    let r = run(&["explain", &typo, "--manifest-path", &m, "--offline"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("did you mean `{real}`?")),
        "{}",
        r.stderr
    );
    // A flag: clap's suggestion.
    let r = run(&["--no-dep"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--no-deep"), "{}", r.stderr);
}

#[test]
fn entity_list_from_file_and_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("list.toml");
    std::fs::write(
        &good,
        r#"[list]
id = "acme-list"
title = "Test list"
version = "1"
updated = "2026-01-01"

[[source]]
id = "s"
title = "t"
citation = "c"
grade = "primary"

[[programme]]
id = "p"
title = "t"
authority = "a"
scope = "s"
source = "s"
grade = "primary"

[[entity]]
id = "wrapper-devs"
kind = "company"
name = "Wrapper Devs"
programmes = ["p"]
source = "s"
grade = "primary"

  [[entity.alias]]
  name = "Wrapper Devs"
  source = "s"
  grade = "primary"
"#,
    )
    .unwrap();
    let m = manifest("product");
    let r = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--no-builtin-list",
        "--entities",
        good.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["lists"][0]["id"], "acme-list");
    assert_eq!(
        verdicts(&doc),
        [(
            "av-wrapper".into(),
            "wrapper-devs".into(),
            "confirmed".into(),
            "fail".into()
        )]
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[list]\nid = \"x\"\ntitle = \"t\"\nversion = \"1\"\nupdated = \"2026-01-01\"\n\n[[entity]]\nid = 3\n").unwrap();
    let r = run(&["--manifest-path", &m, "--entities", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.toml"), "{}", r.stderr);
    assert!(r.stderr.contains("line 8"), "{}", r.stderr);
}

#[test]
fn list_prints_the_builtin_list_with_sources() {
    let r = run(&["list", "--color", "never"]);
    assert_eq!(r.code, 0);
    for needle in [
        "AO Kaspersky Lab",
        "OOO Kaspersky Group",
        "Kaspersky Labs Limited",
        "89 FR 52434-52437",
        "89 FR 52362-52364",
        "from 2024-07-20",
        "from 2024-09-29",
        "exempt (threat-intelligence)",
        "github.com/KasperskyLab",
    ] {
        assert!(r.stdout.contains(needle), "missing {needle}");
    }
    let j = run(&["list", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(doc["lists"][0]["entities"].as_array().unwrap().len(), 5);
}

#[test]
fn broken_pipe_is_not_an_error() {
    use std::fmt::Write as _;
    use std::io::Read;
    // A list large enough (well past a pipe buffer) that the reader closing early hits the writer.
    let mut text = String::from(
        "[list]\nid = \"big\"\ntitle = \"t\"\nversion = \"1\"\nupdated = \"2026-01-01\"\n\n[[source]]\nid = \"s\"\ntitle = \"t\"\ncitation = \"c\"\ngrade = \"primary\"\n",
    );
    for i in 0..4000 {
        write!(
            text,
            "\n[[entity]]\nid = \"e{i}\"\nkind = \"company\"\nname = \"Entity number {i}\"\nsource = \"s\"\ngrade = \"primary\"\n"
        )
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    std::fs::write(&path, text).unwrap();
    let mut child = cmd()
        .args(["list", "--entities", path.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 8];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The CI examples use only flags the tool has, and the shell snippet is valid bash.
#[test]
fn ci_examples_match_the_command_line() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    let st = std::process::Command::new("bash")
        .arg("-n")
        .arg(root.join("pre-commit.sh"))
        .status()
        .unwrap();
    assert!(st.success());
    let help = run(&["--help"]).stdout;
    for file in ["github-actions.yml", "pre-commit.sh"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for line in text.lines().filter(|l| l.contains("cargo entitycheck")) {
            for flag in line.split_whitespace().filter(|w| w.starts_with("--")) {
                assert!(help.contains(flag), "{file}: {flag} is not in --help");
            }
        }
    }
}
