//! CI formats (SARIF, GitHub annotations, Markdown, JSON), `--output`, and certificates.

use std::path::Path;

use crate::*;

/// A report on a fixture, its locations relative to the fixture (`--sarif-base`), so they do
/// not depend on where the checkout is (locations from the repository root: tests/it/ci.rs).
fn report(format: &str, fixture_name: &str) -> Run {
    let m = manifest(fixture_name);
    let base = fixture(fixture_name);
    run(&[
        "--sarif-base",
        base.to_str().unwrap(),
        "--manifest-path",
        &m,
        "--offline",
        "--no-cache",
        "--as-of",
        AS_OF,
        "--format",
        format,
    ])
}

fn redact(s: &str) -> String {
    s.replace(env!("CARGO_MANIFEST_DIR"), "[repo]")
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    // The published schema's `language` patterns, `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`,
    // have a stray `]` that the draft-07 meta-schema rejects as a regex. Our logs never set
    // `language`; the patterns are replaced in memory by their evident meaning so the rest of
    // the schema can be compiled and enforced.
    const BROKEN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    let text = include_str!("../schemas/sarif-schema-2.1.0.json");
    assert_eq!(text.matches(BROKEN).count(), 2);
    let schema: serde_json::Value =
        serde_json::from_str(&text.replace(BROKEN, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#)).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for fixture_name in ["deep", "policy", "product"] {
        let r = report("sarif", fixture_name);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{fixture_name}: {errors:#?}");
        // Every result has a rule, a level, a relative location and a fingerprint.
        for res in log["runs"][0]["results"].as_array().unwrap() {
            assert!(res["ruleId"].is_string() && res["level"].is_string());
            let uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(!uri.starts_with('/'), "relative: {uri}");
            assert!(res["partialFingerprints"]["entitycheckFinding/v1"].is_string());
        }
    }
    // A schema violation is detected (the test can fail).
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn sarif_locations_point_at_files_and_cargo_lock() {
    let r = report("sarif", "deep");
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let locs: Vec<(String, Option<u64>)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error")
        .map(|r| {
            let p = &r["locations"][0]["physicalLocation"];
            (
                p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                p["region"]["startLine"].as_u64(),
            )
        })
        .collect();
    assert!(
        locs.contains(&(
            "crates/kav-headers-sys/vendor/kav/include/kav.h".into(),
            Some(3)
        )),
        "{locs:?}"
    );
    assert!(
        // A file-level finding (an archive) is at line 1: GitHub needs a region.
        locs.contains(&("crates/sdk-bundle/assets/sdk.zip".into(), Some(1))),
        "{locs:?}"
    );
    // Manifest evidence points at the manifest line.
    let r = report("sarif", "policy");
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let first = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        first["artifactLocation"]["uri"],
        "crates/engine-sys/Cargo.toml"
    );
    assert_eq!(first["region"]["startLine"], 6);
    // Fingerprints are stable between runs.
    let again: serde_json::Value = serde_json::from_str(&report("sarif", "policy").stdout).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["partialFingerprints"],
        again["runs"][0]["results"][0]["partialFingerprints"]
    );
}

#[test]
fn sarif_waived_results_are_suppressed() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[[waiver]]\npackage = \"engine-sys\"\nreason = \"accepted for the 1.x line\"\n",
    )
    .unwrap();
    let m = manifest("policy");
    let r = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--no-cache",
        "--as-of",
        AS_OF,
        "--format",
        "sarif",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0);
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let res = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["verdict"] == "waived")
        .unwrap();
    assert_eq!(res["ruleId"], "entity-attribution");
    assert_eq!(res["suppressions"][0]["kind"], "external");
    assert!(
        res["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("accepted for the 1.x line")
    );
}

#[test]
fn snapshots_of_every_format() {
    insta::assert_snapshot!("policy_sarif", redact(&report("sarif", "policy").stdout));
    insta::assert_snapshot!("deep_github", redact(&report("github", "deep").stdout));
    insta::assert_snapshot!("deep_markdown", redact(&report("markdown", "deep").stdout));
    let json = report("json", "policy").stdout;
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    doc["summary"]["elapsed_ms"] = 0.into();
    insta::assert_snapshot!(
        "policy_json",
        redact(&serde_json::to_string_pretty(&doc).unwrap())
    );
}

#[test]
fn github_annotations_are_escaped_workflow_commands() {
    let out = report("github", "deep").stdout;
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error ")).collect();
    assert!(errors.len() >= 6, "{out}");
    for l in &errors {
        let (props, message) = l.trim_start_matches("::error ").split_once("::").unwrap();
        assert!(props.starts_with("file="), "{l}");
        // Commas and colons inside property values are escaped, newlines in messages too.
        let title = props.split(",title=").nth(1).unwrap();
        assert!(!title.contains(':') && !title.contains(','), "{title}");
        assert!(!message.contains('\n'));
    }
    assert!(
        out.contains("file=crates/kav-headers-sys/vendor/kav/include/kav.h,line=3,"),
        "{out}"
    );
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with("::notice title=cargo-entitycheck::FAIL")
    );
}

#[test]
fn output_file_gets_the_report_and_the_terminal_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let m = manifest("deep");
    let r = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--no-cache",
        "--format",
        "sarif",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(r.stdout.contains("Summary:") && r.stdout.contains("FAIL:"));
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

/// A copy of the demo project in a temporary directory, so tests may change it.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&src).unwrap();
        if rel.starts_with("target") {
            continue;
        }
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

#[test]
fn certify_then_verify_round_trip() {
    let dir = demo_copy();
    let m = dir.path().join("Cargo.toml");
    let m = m.to_str().unwrap();
    // The demo fails with the built-in list: no certificate without --record-failure.
    let cert = dir.path().join("entitycheck.cert.json");
    let cert_s = cert.to_str().unwrap();
    let r = run(&[
        "certify",
        "--manifest-path",
        m,
        "--offline",
        "--no-cache",
        "--output",
        cert_s,
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no certificate written"), "{}", r.stderr);
    assert!(!cert.exists());
    let r = run(&[
        "certify",
        "--manifest-path",
        m,
        "--offline",
        "--no-cache",
        "--output",
        cert_s,
        "--record-failure",
    ]);
    assert_eq!(r.code, 1);
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    assert_eq!(st["predicate"]["result"], "fail");

    // A clean product (the demo screened against an empty list) certifies and verifies.
    let empty = fixture("lists/empty.toml");
    let empty = empty.to_str().unwrap();
    let r = run(&[
        "certify",
        "--manifest-path",
        m,
        "--offline",
        "--no-cache",
        "--no-builtin-list",
        "--entities",
        empty,
        "--narrowed-scope",
        "the demo against an empty list",
        "--certifier",
        "Jane Doe <jane@example.org>",
        "--output",
        cert_s,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        st["predicateType"],
        "https://docs.rs/crate/cargo-entitycheck/latest/source/docs/src/predicate-v3.md"
    );
    let names: Vec<&str> = st["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // The lockfile, the root manifest, and every file of every path package screened.
    assert_eq!(
        names,
        [
            "Cargo.lock",
            "Cargo.toml",
            "deps/av-engine-sys/Cargo.toml",
            "deps/av-engine-sys/LICENSE.txt",
            "deps/av-engine-sys/src/lib.rs",
            "deps/kaspa-rates/Cargo.toml",
            "deps/kaspa-rates/src/lib.rs",
            "deps/upload-guard/Cargo.toml",
            "deps/upload-guard/src/lib.rs",
            "photo-backup/Cargo.toml",
            "photo-backup/src/main.rs"
        ]
    );
    assert_eq!(
        st["predicate"]["narrowings"],
        serde_json::json!(["the built-in entity list left out"])
    );
    assert_eq!(
        st["predicate"]["narrowedBecause"],
        "the demo against an empty list"
    );
    assert_eq!(st["predicate"]["certifier"], "Jane Doe <jane@example.org>");
    assert_eq!(st["predicate"]["result"], "pass");
    assert!(
        st["predicate"]["policy"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let r = run(&[
        "verify",
        cert_s,
        "--manifest-path",
        m,
        "--offline",
        "--no-cache",
        "--no-builtin-list",
        "--entities",
        empty,
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("PASS"));

    // Change the lock file: verification fails and names it.
    let lock = dir.path().join("Cargo.lock");
    let mut text = std::fs::read_to_string(&lock).unwrap();
    text.push_str("\n# edited\n");
    std::fs::write(&lock, text).unwrap();
    let r = run(&[
        "verify",
        cert_s,
        "--manifest-path",
        m,
        "--offline",
        "--no-cache",
        "--no-builtin-list",
        "--entities",
        empty,
    ]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("FAIL Cargo.lock changed since it was certified"),
        "{}",
        r.stdout
    );

    // Screening against the built-in list now gives another result.
    let r = run(&[
        "verify",
        cert_s,
        "--manifest-path",
        m,
        "--offline",
        "--no-cache",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("re-screening gives `fail` (certified: `pass`)"),
        "{}",
        r.stdout
    );

    // A list older than allowed.
    let r = run(&[
        "verify",
        cert_s,
        "--manifest-path",
        m,
        "--offline",
        "--no-cache",
        "--no-builtin-list",
        "--entities",
        empty,
        "--max-age",
        "1",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("days old (limit 1)"), "{}", r.stdout);

    // Not a certificate: exit 2, naming the file.
    std::fs::write(&cert, "{\"hello\": 1}").unwrap();
    let r = run(&["verify", cert_s, "--manifest-path", m]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("entitycheck.cert.json"), "{}", r.stderr);
}
