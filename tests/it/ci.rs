//! CI use (issue #16): SARIF resolved from the repository root and within GitHub's documented
//! subset, annotation cap, Markdown that cannot be hijacked, several reports from one run,
//! cargo's conventions (colour, -vv, -p name@version, --exclude, CI=true → --locked, lockfile
//! changes), configuration problems at once, and `[[ignore]]`.

use std::path::{Path, PathBuf};

use crate::*;

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// A git repository (made with `git init`) holding the demo workspace at `examples/demo`.
fn demo_in_repo() -> (tempfile::TempDir, PathBuf) {
    let repo = tempfile::tempdir().unwrap();
    let ws = repo.path().join("examples/demo");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo"),
        &ws,
    );
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(repo.path())
        .status()
        .unwrap()
        .success();
    assert!(ok, "git init");
    (repo, ws)
}

/// A member: name, version, and its files `(path, content)`.
type Member<'a> = (&'a str, &'a str, Vec<(String, String)>);

/// A workspace of members.
fn workspace(dir: &Path, members: &[Member<'_>]) -> String {
    let names: Vec<String> = members.iter().map(|m| format!("\"{}\"", m.0)).collect();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
            names.join(", ")
        ),
    )
    .unwrap();
    for (name, version, files) in members {
        let d = dir.join(name);
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::write(
            d.join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n"),
        )
        .unwrap();
        std::fs::write(d.join("src/lib.rs"), "").unwrap();
        for (f, content) in files {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
    }
    dir.join("Cargo.toml").to_string_lossy().into_owned()
}

/// `n` notice files, each a failing attribution with `extra` on the same line.
fn notices(n: usize, extra: &str) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("vendor/sdk{i}/LICENSE.txt"),
                format!("Copyright (c) 2024 AO Kaspersky Lab. {extra} {i}\n"),
            )
        })
        .collect()
}

fn args<'a>(m: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "--manifest-path",
        m,
        "--offline",
        "--no-cache",
        "--as-of",
        AS_OF,
    ];
    a.extend_from_slice(extra);
    a
}

fn sarif_validator() -> jsonschema::Validator {
    // The published schema's `language` patterns have a stray `]` (see formats.rs).
    const BROKEN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    let text = include_str!("../schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&text.replace(BROKEN, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#)).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// GitHub's documented SARIF subset ("SARIF support for code scanning"): the properties code
/// scanning requires or uses, and its limits. Returns every violation.
fn github_subset_problems(log: &serde_json::Value) -> Vec<String> {
    let mut p = Vec::new();
    if log["version"] != "2.1.0" {
        p.push("version is not 2.1.0".into());
    }
    let runs = log["runs"].as_array().cloned().unwrap_or_default();
    if runs.is_empty() || runs.len() > 20 {
        p.push(format!("{} runs (1..=20)", runs.len()));
    }
    for run in &runs {
        let driver = &run["tool"]["driver"];
        if !driver["name"].is_string() {
            p.push("tool.driver.name missing".into());
        }
        let rules = driver["rules"].as_array().cloned().unwrap_or_default();
        if rules.len() > 25_000 {
            p.push("more than 25,000 rules".into());
        }
        for r in &rules {
            for key in ["id", "name"] {
                if !r[key].is_string() {
                    p.push(format!("rule without {key}: {r}"));
                }
            }
            for key in ["shortDescription", "fullDescription"] {
                if r[key]["text"].as_str().is_none_or(str::is_empty) {
                    p.push(format!("rule {} without {key}.text", r["id"]));
                }
            }
            if !(r["help"]["text"].is_string() && r["help"]["markdown"].is_string()) {
                p.push(format!("rule {} without help text and markdown", r["id"]));
            }
            let level = r["defaultConfiguration"]["level"].as_str().unwrap_or("");
            if !["error", "warning", "note", "none"].contains(&level) {
                p.push(format!("rule {} level {level}", r["id"]));
            }
        }
        let id = run["automationDetails"]["id"].as_str().unwrap_or("");
        if id.is_empty() {
            p.push("no automationDetails.id".into());
        }
        if run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .is_none_or(|u| !u.ends_with('/'))
        {
            p.push("originalUriBaseIds.%SRCROOT%.uri missing or not a directory".into());
        }
        let results = run["results"].as_array().cloned().unwrap_or_default();
        if results.len() > 25_000 {
            p.push("more than 25,000 results".into());
        }
        for res in &results {
            let rule = res["ruleId"].as_str().unwrap_or("");
            if !rules.iter().any(|r| r["id"] == rule) {
                p.push(format!("result with unknown ruleId {rule}"));
            }
            if !res["message"]["text"].is_string() {
                p.push("result without message.text".into());
            }
            let level = res["level"].as_str().unwrap_or("");
            if !["error", "warning", "note", "none"].contains(&level) {
                p.push(format!("result level {level}"));
            }
            let locs = res["locations"].as_array().cloned().unwrap_or_default();
            if locs.is_empty() || locs.len() > 10 {
                p.push(format!("{} locations", locs.len()));
            }
            for l in &locs {
                let a = &l["physicalLocation"]["artifactLocation"];
                let uri = a["uri"].as_str().unwrap_or("");
                if uri.is_empty() || uri.starts_with('/') || uri.contains("://") {
                    p.push(format!("uri not relative: {uri:?}"));
                }
                if a["uriBaseId"] != "%SRCROOT%" {
                    p.push(format!("uri {uri} without uriBaseId %SRCROOT%"));
                }
                if l["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .is_none_or(|n| n < 1)
                {
                    p.push(format!("{uri}: no region.startLine"));
                }
            }
            if res["partialFingerprints"]
                .as_object()
                .is_none_or(|o| o.is_empty())
            {
                p.push("result without partialFingerprints".into());
            }
        }
    }
    p
}

#[test]
fn sarif_in_a_subdirectory_resolves_from_the_repository_root() {
    let (repo, ws) = demo_in_repo();
    let m = ws.join("Cargo.toml");
    let m = m.to_str().unwrap();
    let r = run(&args(m, &["--format", "sarif"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(github_subset_problems(&log), Vec::<String>::new());
    let run0 = &log["runs"][0];
    assert_eq!(
        run0["automationDetails"]["id"],
        "entitycheck/examples/demo/"
    );
    let results = run0["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("examples/demo/"), "{uri}");
        assert!(repo.path().join(uri).is_file(), "{uri} does not exist");
    }
    // The subset check can fail: an absolute URI and a missing region are caught.
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"] =
        serde_json::json!({"artifactLocation": {"uri": "/abs/x"}});
    assert_eq!(github_subset_problems(&bad).len(), 3);

    // --category and --sarif-base.
    let r = run(&args(
        m,
        &[
            "--format",
            "sarif",
            "--category",
            "supply-chain/demo",
            "--sarif-base",
            ws.to_str().unwrap(),
        ],
    ));
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        "supply-chain/demo/"
    );
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("deps/"), "{uri}");
    // Annotations use the same repository-relative paths.
    let r = run(&args(m, &["--format", "github"]));
    assert!(
        r.stdout
            .contains("file=examples/demo/deps/av-engine-sys/LICENSE.txt,line=1"),
        "{}",
        r.stdout
    );
}

#[test]
fn waived_findings_are_notes_and_can_be_left_out() {
    let (_repo, ws) = demo_in_repo();
    std::fs::write(
        ws.join("entitycheck.toml"),
        "[[waiver]]\npackage = \"av-engine-sys\"\nreason = \"replaced in Q3\"\napproved-by = \"CISO <c@example.org>\"\n",
    )
    .unwrap();
    let m = ws.join("Cargo.toml");
    let m = m.to_str().unwrap();
    let r = run(&args(m, &["--format", "sarif"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let waived: Vec<_> = results
        .iter()
        .filter(|r| r["properties"]["verdict"] == "waived")
        .collect();
    assert!(!waived.is_empty());
    for w in &waived {
        assert_eq!(w["level"], "note", "{w}");
    }
    assert!(
        results
            .iter()
            .all(|r| r["level"] != "error" && r["level"] != "warning")
    );
    let r = run(&args(m, &["--format", "sarif", "--sarif-omit-suppressed"]));
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["properties"]["verdict"] != "waived")
    );
    // Markdown shows the waiver's reason and approver.
    let r = run(&args(m, &["--format", "markdown"]));
    assert!(
        r.stdout.contains("replaced in Q3") && r.stdout.contains("CISO <c@example.org>"),
        "{}",
        r.stdout
    );
}

#[test]
fn annotations_stop_at_ten_per_level_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let m = workspace(dir.path(), &[("app", "0.1.0", notices(15, "SDK"))]);
    let r = run(&args(&m, &["--format", "github"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let errors = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .count();
    assert_eq!(errors, 10, "{}", r.stdout);
    let notice = r
        .stdout
        .lines()
        .find(|l| l.contains("more findings"))
        .unwrap_or_else(|| panic!("no notice:\n{}", r.stdout));
    assert!(notice.starts_with("::notice "), "{notice}");
    assert!(notice.contains("5 more errors"), "{notice}");
    // With a full report written, the notice names it.
    let sarif = dir.path().join("out.sarif");
    let out = format!("sarif={}", sarif.display());
    let r = run(&args(&m, &["--format", "github", "--output", &out]));
    assert!(
        r.stdout.contains(&sarif.display().to_string()),
        "{}",
        r.stdout
    );
}

/// Every link, image and raw HTML a CommonMark renderer finds in `md`.
fn live_elements(md: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut found = Vec::new();
    for ev in Parser::new_ext(md, Options::all()) {
        match ev {
            Event::Start(Tag::Link { dest_url, .. }) => found.push(format!("link {dest_url}")),
            Event::Start(Tag::Image { dest_url, .. }) => found.push(format!("image {dest_url}")),
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.trim();
                // The report's own tags, and nothing else.
                let ours = [
                    "<details",
                    "</details>",
                    "<summary>",
                    "</summary>",
                    "<code>",
                    "</code>",
                ];
                let rest = ours.iter().fold(h.to_string(), |s, t| s.replace(t, ""));
                if rest.contains('<') || h.contains("evil") {
                    found.push(format!("html {h}"));
                }
            }
            _ => {}
        }
    }
    found
}

#[test]
fn markdown_cannot_be_hijacked_and_stays_under_the_size_bound() {
    let hostile = "[terms](https://evil.example/t) ![x](https://evil.example/x.png) <img src=https://evil.example/i> ``` `` <details> **bold** https://evil.example/auto";
    let dir = tempfile::tempdir().unwrap();
    let mut files = notices(3, hostile);
    files.push((
        "vendor/[click](https:evil.example)/LICENSE.txt".into(),
        format!("Copyright AO Kaspersky Lab {hostile}\n"),
    ));
    let m = workspace(dir.path(), &[("app", "0.1.0", files)]);
    let r = run(&args(&m, &["--format", "markdown"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("evil.example"), "{}", r.stdout);
    assert_eq!(
        live_elements(&r.stdout),
        Vec::<String>::new(),
        "{}",
        r.stdout
    );
    // The check itself sees a link when there is one.
    assert_eq!(live_elements("[a](https://x.example)").len(), 1);

    // Many long findings: cut under the bound, with a pointer to the full report.
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(300);
    let m = workspace(
        dir.path(),
        &[
            ("app", "0.1.0", notices(250, &long)),
            ("other", "0.1.0", notices(50, &long)),
        ],
    );
    let r = run(&args(&m, &["--format", "markdown", "--output", "json=-"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json = dir.path().join("full.json");
    let out = format!("json={}", json.display());
    let r = run(&args(&m, &["--format", "markdown", "--output", &out]));
    assert!(r.stdout.len() < 65_536, "{} bytes", r.stdout.len());
    assert!(r.stdout.contains("not shown"), "{}", r.stdout);
    assert!(r.stdout.contains(&json.display().to_string()));
    assert_eq!(live_elements(&r.stdout), Vec::<String>::new());
}

#[test]
fn one_run_writes_every_report() {
    let (_repo, ws) = demo_in_repo();
    let m = ws.join("Cargo.toml");
    let m = m.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("r.sarif");
    let md = dir.path().join("summary.md");
    let (o1, o2) = (
        format!("sarif={}", sarif.display()),
        format!("markdown={}", md.display()),
    );
    // As the action runs it: annotations on stdout, SARIF and the step summary in files.
    let r = run(&args(
        m,
        &["--output", &o1, "--output", &o2, "--format", "github"],
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.starts_with("::error "), "{}", r.stdout);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .starts_with("## cargo-entitycheck")
    );
    // `FORMAT=-` is stdout; two reports on stdout is a usage error; a failed write says so.
    let r = run(&args(m, &["--output", "json=-"]));
    assert!(r.stdout.trim_start().starts_with('{'), "{}", r.stdout);
    let r = run(&args(m, &["-o", "-", "--output", "json=-"]));
    assert_eq!(r.code, 2);
    let r = run(&args(m, &["--output", "sarif=/nonexistent-dir/x.sarif"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
}

#[test]
fn colour_follows_cargo_term_color_and_verbosity_counts() {
    let m = manifest("policy");
    let a = args(&m, &[]);
    let coloured = |envs: &[(&str, &str)], extra: &[&str]| {
        let mut c = cmd();
        c.args(&a).args(extra);
        for (k, v) in envs {
            c.env(k, v);
        }
        let r: Run = c.output().unwrap().into();
        r.stdout.contains('\u{1b}')
    };
    assert!(coloured(&[("CARGO_TERM_COLOR", "always")], &[]));
    assert!(!coloured(&[], &[]), "not a terminal");
    assert!(!coloured(
        &[("CARGO_TERM_COLOR", "never"), ("CLICOLOR_FORCE", "1")],
        &[]
    ));
    assert!(!coloured(
        &[("CARGO_TERM_COLOR", "always")],
        &["--color", "never"]
    ));
    assert!(coloured(&[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")], &[]));
    // -vv: accepted, with each stage's timing.
    let r = run(&args(&m, &["-vv"]));
    assert!(r.code == 1 || r.code == 0, "{}", r.stderr);
    assert!(r.stderr.contains("timing:"), "{}", r.stderr);
}

#[test]
fn package_specs_and_exclude() {
    let dir = tempfile::tempdir().unwrap();
    let m = workspace(
        dir.path(),
        &[
            ("app", "0.1.0", notices(1, "")),
            ("tool", "2.3.4", Vec::new()),
        ],
    );
    let screened = |extra: &[&str]| -> (i32, Vec<String>) {
        let r = run(&args(&m, &[&["--format", "json"], extra].concat()));
        if r.code == 2 {
            return (2, vec![r.stderr]);
        }
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let mut names: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["package"]["name"].as_str().unwrap().to_string())
            .collect();
        names.dedup();
        (r.code, names)
    };
    assert_eq!(screened(&["-p", "app@0.1.0"]), (1, vec!["app".to_string()]));
    assert_eq!(screened(&["-p", "tool@2.3"]), (0, vec![]));
    assert_eq!(screened(&["-p", "tool@2"]).0, 0);
    let (code, err) = screened(&["-p", "tool@2.4"]);
    assert_eq!(code, 2);
    assert!(err[0].contains("tool@2.3.4"), "{err:?}");
    assert_eq!(screened(&["--workspace", "--exclude", "app"]), (0, vec![]));
    assert_eq!(screened(&["--workspace", "--exclude", "tool"]).0, 1);
    // --exclude needs --workspace, as in cargo.
    assert_eq!(screened(&["--exclude", "app"]).0, 2);
}

#[test]
fn configuration_problems_all_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let m = workspace(dir.path(), &[("app", "0.1.0", Vec::new())]);
    std::fs::write(
        dir.path().join("entitycheck.toml"),
        "[policy]\nfail-harder = true\nas-of = \"someday\"\n\n[graph]\ntargets = [\"no such triple!\"]\n\n[[ignore]]\npackage = \"app\"\npaths = [\"a/[\"]\nreason = \"\"\n",
    )
    .unwrap();
    let r = run(&args(&m, &[]));
    assert_eq!(r.code, 2);
    for needle in [
        "entitycheck.toml:2: unknown key `policy.fail-harder`",
        "entitycheck.toml:3: policy.as-of",
        "entitycheck.toml:6: graph.targets",
        "entitycheck.toml:10: ignore.paths",
        "entitycheck.toml:11: ignore.reason",
    ] {
        assert!(
            r.stderr.contains(needle),
            "missing {needle} in\n{}",
            r.stderr
        );
    }
}

#[test]
fn lockfile_is_never_rewritten_silently() {
    let dir = tempfile::tempdir().unwrap();
    let m = workspace(dir.path(), &[("app", "0.1.0", Vec::new())]);
    let lock = dir.path().join("Cargo.lock");
    // No lockfile yet: cargo writes one, and the run says so.
    let r = run(&args(&m, &[]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(lock.is_file());
    assert!(r.stderr.contains("updated the lockfile"), "{}", r.stderr);
    // Unchanged: nothing said.
    let r = run(&args(&m, &[]));
    assert!(!r.stderr.contains("updated the lockfile"), "{}", r.stderr);
    // A stale lockfile under CI=true: --locked by default, cargo refuses, exit 2.
    std::fs::write(
        dir.path().join("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.2.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let before = std::fs::read(&lock).unwrap();
    let r: Run = cmd()
        .args(args(&m, &[]))
        .env("CI", "true")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--locked"), "{}", r.stderr);
    assert_eq!(std::fs::read(&lock).unwrap(), before);
    // The message says where --locked came from and what to do, and not --allow-network.
    assert!(
        r.stderr.contains("--locked was not on the command line")
            && r.stderr.contains("CI environment variable")
            && r.stderr.contains("Commit Cargo.lock"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("--allow-network"), "{}", r.stderr);
    // No lockfile at all under CI: the same advice.
    std::fs::remove_file(&lock).unwrap();
    let r: Run = cmd()
        .args(args(&m, &[]))
        .env("CI", "true")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--locked was not on the command line")
            && r.stderr.contains("CI environment variable")
            && r.stderr.contains("Commit Cargo.lock")
            && r.stderr.contains("cargo generate-lockfile")
            && r.stderr.contains("CI=false"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("--allow-network"), "{}", r.stderr);
    assert!(!lock.exists());
    // The README and the manual's CI chapter say so before anyone hits it.
    for doc in ["README.md", "docs/src/in-ci.md"] {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc)).unwrap();
        assert!(text.contains("**Commit `Cargo.lock`"), "{doc}");
    }
    // --locked given by the user: no word about CI.
    let r = run(&args(&m, &["--locked"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("CI environment"), "{}", r.stderr);
    assert!(r.stderr.contains("Cargo.lock must exist"), "{}", r.stderr);
}

#[test]
fn ignored_test_data_is_reported_never_hidden_and_unused_entries_warned() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![(
        "tests/data/LICENSE.txt".to_string(),
        "Copyright (c) 2024 AO Kaspersky Lab.\n".to_string(),
    )];
    files.extend(notices(1, "shipped"));
    let m = workspace(dir.path(), &[("app", "0.1.0", files)]);
    std::fs::write(
        dir.path().join("entitycheck.toml"),
        "[[ignore]]\npackage = \"app\"\npaths = [\"tests/\"]\nreason = \"test data, not shipped\"\napproved-by = \"QA\"\n\n[[ignore]]\npackage = \"app\"\npaths = [\"fixtures/**\"]\nreason = \"stale\"\n",
    )
    .unwrap();
    let r = run(&args(&m, &["--format", "json"]));
    // The vendored notice still fails: only tests/ is ignored.
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let by_file = |verdict: &str| -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["verdict"] == verdict)
            .map(|f| {
                f["evidence"]["location"]["file"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    assert!(by_file("ignored").iter().all(|f| f.starts_with("tests/")));
    assert!(!by_file("ignored").is_empty());
    assert!(by_file("fail").iter().all(|f| f.starts_with("vendor/")));
    assert!(doc["summary"]["ignored"].as_u64().unwrap() >= 1);
    assert_eq!(doc["summary"]["unused_ignores"], 1);
    assert!(
        r.stderr
            .contains("entitycheck.toml:8: ignore entry for `app`"),
        "{}",
        r.stderr
    );
    // Every format says so.
    let r = run(&args(&m, &["--format", "sarif"]));
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["properties"]["verdict"] == "ignored")
            .all(|r| r["level"] == "note")
    );
    let r = run(&args(&m, &[]));
    assert!(r.stdout.contains("ignored"), "{}", r.stdout);
    let r = run(&args(&m, &["--format", "markdown"]));
    assert!(r.stdout.contains("test data, not shipped"), "{}", r.stdout);
}

/// The manual under `docs/` is one book: every chapter is in `SUMMARY.md`, and every relative
/// link in the manual and the README names a file that exists (an anchor's heading included).
#[test]
fn the_manual_is_whole_and_its_links_resolve() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("docs/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let mut pages = vec![root.join("README.md")];
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            assert!(
                name == "SUMMARY.md" || summary.contains(&format!("]({name})")),
                "{name} is not in docs/src/SUMMARY.md"
            );
            pages.push(p);
        }
    }
    let slug = |t: &str| -> String {
        t.trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '-' || *c == ' ' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect()
    };
    let anchors = |md: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut heading: Option<String> = None;
        for ev in Parser::new_ext(md, Options::all()) {
            match ev {
                Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
                Event::Text(t) | Event::Code(t) => {
                    if let Some(h) = heading.as_mut() {
                        h.push_str(&t)
                    }
                }
                Event::End(pulldown_cmark::TagEnd::Heading(_)) => {
                    out.push(slug(&heading.take().unwrap_or_default()))
                }
                _ => {}
            }
        }
        out
    };
    let mut broken = Vec::new();
    for page in &pages {
        let md = std::fs::read_to_string(page).unwrap();
        for ev in Parser::new_ext(&md, Options::all()) {
            let Event::Start(Tag::Link { dest_url, .. }) = ev else {
                continue;
            };
            if dest_url.contains("://") || dest_url.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = dest_url.split_once('#').unwrap_or((&dest_url, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            if !target.exists() {
                broken.push(format!("{}: {dest_url}", page.display()));
                continue;
            }
            if !anchor.is_empty() && target.extension().is_some_and(|x| x == "md") {
                let text = std::fs::read_to_string(&target).unwrap();
                if !anchors(&text).iter().any(|a| a == anchor) {
                    broken.push(format!("{}: {dest_url} (no such heading)", page.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn step_summaries_are_appended_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let m = workspace(dir.path(), &[("app", "0.1.0", Vec::new())]);
    let summary = dir.path().join("step_summary.md");
    std::fs::write(&summary, "## Tests\n\nall passed\n").unwrap();
    let out = format!("markdown={}", summary.display());
    let r: Run = cmd()
        .args(args(&m, &["--output", &out]))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("## Tests\n\nall passed\n"), "{text}");
    assert!(text.contains("## cargo-entitycheck: ✅ **PASS**"), "{text}");
    // `+PATH` appends anywhere; a plain path is replaced.
    let other = dir.path().join("report.md");
    std::fs::write(&other, "before\n").unwrap();
    let plus = format!("markdown=+{}", other.display());
    assert_eq!(run(&args(&m, &["--output", &plus])).code, 0);
    assert_eq!(run(&args(&m, &["--output", &plus])).code, 0);
    let text = std::fs::read_to_string(&other).unwrap();
    assert!(text.starts_with("before\n"), "{text}");
    assert_eq!(text.matches("## cargo-entitycheck").count(), 2, "{text}");
    let plain = format!("markdown={}", other.display());
    assert_eq!(run(&args(&m, &["--output", &plain])).code, 0);
    let text = std::fs::read_to_string(&other).unwrap();
    assert!(text.starts_with("## cargo-entitycheck"), "{text}");
}

#[test]
fn not_scanned_files_can_be_ignored_like_findings() {
    let dir = tempfile::tempdir().unwrap();
    let big = ("tests/data/big.bin".to_string(), "x".repeat(5000));
    let m = workspace(dir.path(), &[("app", "0.1.0", vec![big])]);
    let (code, doc) = {
        let r = run(&args(&m, &["--max-file-size", "1000", "--format", "json"]));
        (
            r.code,
            serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap(),
        )
    };
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["not_scanned"], 1, "{doc}");
    std::fs::write(
        dir.path().join("entitycheck.toml"),
        "[[ignore]]\npackage = \"app\"\npaths = [\"tests/\"]\nreason = \"test data, not shipped\"\n",
    )
    .unwrap();
    let r = run(&args(&m, &["--max-file-size", "1000", "--format", "json"]));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["not_scanned"], 0, "{doc}");
    assert!(!r.stderr.contains("matched no finding"), "{}", r.stderr);
    // The human report still lists it, with the entry that covers it.
    let r = run(&args(&m, &["--max-file-size", "1000"]));
    assert!(
        r.stdout.contains("covered by [[ignore]] entries")
            && r.stdout.contains("tests/data/big.bin")
            && r.stdout.contains("entitycheck.toml:"),
        "{}",
        r.stdout
    );
    // SARIF has no package-not-scanned result for it.
    let r = run(&args(&m, &["--max-file-size", "1000", "--format", "sarif"]));
    assert!(
        !r.stdout.contains("\"ruleId\": \"package-not-scanned\""),
        "{}",
        r.stdout
    );
}

/// tests/fixtures/ignored-unscanned: test data an `[[ignore]]` entry covers and an asset none
/// does, both over the size bound. The JSON report lists the ignored one apart, marked ignored
/// with its entry, as it lists ignored findings; only the other counts as not scanned.
#[test]
fn json_lists_ignored_not_scanned_packages_with_their_entry() {
    let (code, doc) = check_json("ignored-unscanned", &["--max-file-size", "1000"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["not_scanned"], 1, "{doc}");
    assert_eq!(doc["summary"]["ignored_not_scanned"], 1, "{doc}");
    let unscanned = doc["not_scanned"].as_array().unwrap();
    assert_eq!(unscanned.len(), 1);
    assert!(
        unscanned[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("assets/large.txt"),
        "{doc}"
    );
    let ignored = doc["ignored_not_scanned"].as_array().unwrap();
    assert_eq!(ignored.len(), 1, "{doc}");
    let n = &ignored[0];
    assert_eq!(
        (&n["name"], &n["version"]),
        (&"app".into(), &"0.1.0".into())
    );
    assert!(
        n["reason"]
            .as_str()
            .unwrap()
            .starts_with("tests/data/large.txt"),
        "{n}"
    );
    assert_eq!(n["verdict"], "ignored");
    assert_eq!(n["ignore"]["reason"], "test data, not shipped");
    assert_eq!(n["ignore"]["approved_by"], "QA <qa@example.org>");
    assert_eq!(n["ignore"]["expires"], "2099-12-31");
    assert!(
        n["ignore"]["at"]
            .as_str()
            .unwrap()
            .ends_with("entitycheck.toml:2"),
        "{n}"
    );
    // The entry covered something: it is not reported as unused.
    assert_eq!(doc["unused_ignores"].as_array().unwrap().len(), 0, "{doc}");
}

#[test]
fn sarif_links_its_help_and_names_files_repository_relative() {
    let dir = tempfile::tempdir().unwrap();
    let m = workspace(dir.path(), &[("app", "0.1.0", notices(1, "shipped"))]);
    std::fs::write(
        dir.path().join("entitycheck.toml"),
        "[[waiver]]\npackage = \"app\"\nreason = \"accepted\"\napproved-by = \"QA\"\n",
    )
    .unwrap();
    let r = run(&args(&m, &["--format", "sarif"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // Only the base the relative paths resolve against names this machine's directory.
    let root = dir.path().to_str().unwrap();
    let results = log["runs"][0]["results"].to_string();
    assert!(!results.contains(root), "{results}");
    let driver = &log["runs"][0]["tool"]["driver"];
    let manual = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src");
    let chapter = |uri: &str| {
        let name = uri.rsplit_once("/docs/src/").unwrap().1;
        assert!(manual.join(name).is_file(), "{uri} names no chapter");
    };
    chapter(driver["informationUri"].as_str().unwrap());
    for rule in driver["rules"].as_array().unwrap() {
        chapter(rule["helpUri"].as_str().unwrap());
    }
    let res = &log["runs"][0]["results"][0];
    let why = res["suppressions"][0]["justification"].as_str().unwrap();
    assert!(why.contains("(entitycheck.toml:"), "{why}");
    assert!(why.contains("approved by QA"), "{why}");
}
