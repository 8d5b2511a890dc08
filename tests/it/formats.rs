//! CI formats (SARIF, GitHub annotations, Markdown, JSON), `--output`, and certificates.

use std::path::Path;
use std::process::{Command, Output};

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
    insta::assert_snapshot!("policy_html", redact(&report("html", "policy").stdout));
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
        "https://docs.rs/crate/cargo-entitycheck/latest/source/docs/src/predicate-v4.md"
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

/// The browser the HTML report is checked in: `chromium` (Debian's package; `.ci/run` installs
/// it), or `None` when it is not installed and `ENTITYCHECK_REQUIRE_BROWSER` does not say it
/// must be.
fn chromium() -> Option<&'static str> {
    for name in ["chromium", "chromium-browser"] {
        if Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(name);
        }
    }
    assert!(
        std::env::var_os("ENTITYCHECK_REQUIRE_BROWSER").is_none(),
        "ENTITYCHECK_REQUIRE_BROWSER is set but chromium is not installed"
    );
    eprintln!(
        "SKIPPED: chromium is not installed (apt-get install chromium); the HTML report was not checked in a browser"
    );
    None
}

/// Runs headless chromium on `page` with `what` (`--print-to-pdf=…`, `--dump-dom`…), offline.
fn headless(browser: &str, profile: &Path, page: &Path, what: &str) -> Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1200,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(what)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

#[test]
fn html_report_is_self_contained_escaped_and_renders_in_a_browser() {
    let dir = demo_copy();
    // Package text that would be markup, a script and a remote image if it were not escaped.
    let license = dir.path().join("deps/av-engine-sys/LICENSE.txt");
    std::fs::write(
        &license,
        "Copyright (c) 2024 AO Kaspersky Lab <script>alert(1)</script><img src=\"https://evil.example/x.png\">\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("entitycheck.toml"),
        "[[waiver]]\npackage = \"av-engine-sys\"\nreason = \"legacy <b>engine</b>, TICKET-7\"\napproved-by = \"Jane Doe <jane@example.org>\"\nexpires = \"2099-01-01\"\n",
    )
    .unwrap();
    let m = dir.path().join("Cargo.toml");
    let page = dir.path().join("report.html");
    let r = run(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--offline",
        "--no-cache",
        "--as-of",
        AS_OF,
        "--output",
        &format!("html={}", page.display()),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    let lower = html.to_lowercase();
    // Nothing runs and nothing is loaded.
    assert!(!lower.contains("<script"), "{html}");
    // (The package's own `src="…"` is in the page as escaped text: `src=&quot;`.)
    for attr in ["src=\"", "src='", "href=\"", "href='", "@import", "url("] {
        assert!(!lower.contains(attr), "`{attr}` in the page");
    }
    assert!(html.contains("default-src 'none'"));
    // The package's text is there, as text.
    assert!(
        html.contains("AO Kaspersky Lab &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;https://evil.example/x.png&quot;&gt;"),
        "{html}"
    );
    assert!(html.contains("legacy &lt;b&gt;engine&lt;/b&gt;, TICKET-7"));
    // Verdict and scope first, then the limits of a pass, then the findings with their evidence,
    // path, list entry, source and waiver; no absolute path of this machine.
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("no `{needle}`"));
    assert!(at("PASS: no finding fails the policy") < at("<h2>Scope</h2>"));
    assert!(at("<h2>Scope</h2>") < at("What a pass does not mean"));
    assert!(
        html.contains("it is not legal advice, and white-labelled"),
        "the limits line every report carries"
    );
    assert!(at("What a pass does not mean") < at("<h2>Findings (3)</h2>"));
    for needle in [
        "deps/av-engine-sys/LICENSE.txt</code> line 1",
        "photo-backup v1.4.0 → upload-guard v0.9.2 → av-engine-sys v0.3.1",
        "<dt>List entry</dt>",
        "<dt>Source</dt>",
        "entitycheck.toml:2</code>: legacy",
        "approved by Jane Doe &lt;jane@example.org&gt;; expires 2099-01-01",
        "<th>Deep scan</th><td>on:",
        "<th>Platforms</th><td>every platform",
    ] {
        assert!(html.contains(needle), "no `{needle}` in\n{html}");
    }
    assert!(
        !html.contains(dir.path().to_str().unwrap()),
        "an absolute path in\n{html}"
    );

    let Some(browser) = chromium() else { return };
    let profile = tempfile::tempdir().unwrap();
    // It renders: the DOM the browser built has the verdict and no script element.
    let dom = headless(browser, profile.path(), &page, "--dump-dom");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("PASS: no finding fails the policy"), "{dom}");
    assert!(!dom.to_lowercase().contains("<script"), "{dom}");
    assert!(!dom.contains("<img"), "{dom}");
    assert!(dom.contains("&lt;script&gt;alert(1)"), "{dom}");
    // It prints.
    let pdf = dir.path().join("report.pdf");
    let o = headless(
        browser,
        profile.path(),
        &page,
        &format!("--print-to-pdf={}", pdf.display()),
    );
    let bytes = std::fs::read(&pdf)
        .unwrap_or_else(|e| panic!("no PDF ({e}): {}", String::from_utf8_lossy(&o.stderr)));
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    assert!(bytes.len() > 10_000, "a PDF of {} bytes", bytes.len());
    // And it draws (a screenshot, kept when ENTITYCHECK_KEEP_SCREENSHOT names a file).
    let png = dir.path().join("report.png");
    headless(
        browser,
        profile.path(),
        &page,
        &format!("--screenshot={}", png.display()),
    );
    let shot = std::fs::read(&png).unwrap();
    assert!(shot.starts_with(b"\x89PNG"));
    if let Some(keep) = std::env::var_os("ENTITYCHECK_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
}
