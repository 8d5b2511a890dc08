//! Policy: configuration, waivers, the determination's dates, exemptions, `explain`, `init`.

use std::path::PathBuf;

use crate::*;

fn with_config(toml: &str, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("entitycheck.toml");
    std::fs::write(&cfg, toml).unwrap();
    let m = manifest("policy");
    let mut args = vec![
        "--manifest-path",
        &m,
        "--offline",
        "--format",
        "json",
        "--no-cache",
        "--config",
        cfg.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    let doc = serde_json::from_str(&r.stdout).unwrap_or(serde_json::Value::Null);
    (r.code, doc, r.stderr)
}

fn verdict_of(doc: &serde_json::Value, package: &str) -> Vec<String> {
    of(doc, package).into_iter().map(|(_, _, v)| v).collect()
}

#[test]
fn exempt_categories_are_reported_not_failed() {
    let (code, doc) = check_json("policy", &[]);
    assert_eq!(code, 1, "engine-sys fails");
    assert_eq!(verdict_of(&doc, "engine-sys"), ["fail"]);
    assert_eq!(verdict_of(&doc, "ti-client"), ["exempt"]);
    assert_eq!(verdict_of(&doc, "research-feed"), ["exempt"]);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "ti-client")
        .unwrap();
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains("Threat Intelligence products and services are outside icts-kaspersky"),
        "{f:#}"
    );
}

#[test]
fn as_of_around_the_two_dates() {
    let at = |date: &str| {
        let (code, doc) = check_json("policy", &["--as-of", date]);
        let f = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["package"]["name"] == "engine-sys")
            .unwrap()
            .clone();
        (
            code,
            f["verdict"].as_str().unwrap().to_string(),
            f["reason"].as_str().unwrap().to_string(),
        )
    };
    let (code, v, why) = at("2024-06-01");
    assert_eq!((code, v.as_str()), (0, "warn"), "{why}");
    assert!(why.contains("nothing in force yet"), "{why}");
    // Entity List listing (2024-06-24) and new-business ban (2024-07-20) warn; integration fails from 2024-09-29.
    let (code, v, why) = at("2024-07-20");
    assert_eq!((code, v.as_str()), (0, "warn"), "{why}");
    assert!(
        why.contains("new-business since 2024-07-20")
            && why.contains("fails the build from 2024-09-29"),
        "{why}"
    );
    let (code, v, _) = at("2024-09-28");
    assert_eq!((code, v.as_str()), (0, "warn"));
    let (code, v, _) = at("2024-09-29");
    assert_eq!((code, v.as_str()), (1, "fail"));
    // Every finding carries the dates that apply.
    let (_, doc) = check_json("policy", &["--as-of", "2024-08-01"]);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "engine-sys")
        .unwrap();
    let dates: Vec<(String, bool)> = f["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["in_force"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        dates,
        [
            ("2024-06-24".into(), true),
            ("2024-07-20".into(), true),
            ("2024-09-29".into(), false)
        ]
    );
}

#[test]
fn waiver_matching_applies_and_keeps_the_finding_visible() {
    let (code, doc, stderr) = with_config(
        "[[waiver]]\npackage = \"engine-sys\"\nversion = \"^1.2\"\nentity = \"kaspersky\"\nreason = \"legacy build, removal tracked in TICKET-1\"\napproved-by = \"Jane Doe <jane@example.org>\"\nexpires = \"2099-01-01\"\n",
        &["--as-of", AS_OF],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(verdict_of(&doc, "engine-sys"), ["waived"]);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "engine-sys")
        .unwrap();
    assert_eq!(f["waiver"]["approved_by"], "Jane Doe <jane@example.org>");
    // What the waiver overrode is data, not prose in the reason.
    assert_eq!(f["would_be"], "fail");
    assert!(
        f["waiver"]["at"]
            .as_str()
            .unwrap()
            .ends_with("entitycheck.toml:2")
    );
    assert_eq!(doc["summary"]["waived"], 1);
}

#[test]
fn expired_waiver_no_longer_applies_and_says_so() {
    let (code, doc, _) = with_config(
        "[[waiver]]\npackage = \"engine-sys\"\nreason = \"temporary\"\nexpires = \"2025-01-01\"\n",
        &["--as-of", AS_OF],
    );
    assert_eq!(code, 1);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "engine-sys")
        .unwrap();
    assert_eq!(f["verdict"], "fail");
    assert_eq!(f["waiver"]["expired"], true);
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains("expired on 2025-01-01")
    );
}

#[test]
fn waiver_with_a_version_range_that_does_not_match_is_unused() {
    let (code, doc, stderr) = with_config(
        "[[waiver]]\npackage = \"engine-sys\"\nversion = \">=2\"\nreason = \"only the new major\"\n\n[[waiver]]\npackage = \"not-a-dependency\"\nreason = \"stale\"\n",
        &["--as-of", AS_OF],
    );
    assert_eq!(code, 1);
    assert_eq!(verdict_of(&doc, "engine-sys"), ["fail"]);
    let unused: Vec<&str> = doc["unused_waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["package"].as_str().unwrap())
        .collect();
    assert_eq!(unused, ["engine-sys", "not-a-dependency"]);
    assert!(
        stderr.contains("waiver for `not-a-dependency` matched no finding"),
        "{stderr}"
    );
}

#[test]
fn fail_on_setting_and_dev_dependencies() {
    // Only confirmed attribution fails; our engine-sys match is confirmed, so still failing.
    let (code, _, _) = with_config("[policy]\nfail-on = [\"confirmed\"]\n", &["--as-of", AS_OF]);
    assert_eq!(code, 1);
    // An empty list: nothing fails (everything is a warning).
    let (code, doc, _) = with_config("[policy]\nfail-on = []\n", &["--as-of", AS_OF]);
    assert_eq!(code, 0);
    assert_eq!(verdict_of(&doc, "engine-sys"), ["warn"]);
    // dev-dependencies-fail turns the product fixture's dev-only finding into a failure.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[policy]\ndev-dependencies-fail = true\n").unwrap();
    let (_, doc) = check_json("product", &["--config", cfg.to_str().unwrap()]);
    assert_eq!(
        of(&doc, "test-harness"),
        [("ao-kaspersky-lab".into(), "confirmed".into(), "fail".into())]
    );
}

#[test]
fn config_errors_name_file_line_and_key() {
    let (code, _, stderr) = with_config(
        "[policy]\nfail-on = [\"confirmed\"]\ndev-dependencies = true\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("entitycheck.toml:3:") && stderr.contains("dev-dependencies"),
        "{stderr}"
    );
    let (code, _, stderr) = with_config(
        "[deep]\nmax-file-size = \"huge\"\n\n[[waiver]]\npackage = \"x\"\nreason = \"r\"\nexpires = \"someday\"\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("entitycheck.toml:2: deep.max-file-size `huge`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("entitycheck.toml:7: waiver.expires `someday`"),
        "{stderr}"
    );
    let (code, _, stderr) = with_config("[[waiver]]\npackage = \"x\"\n", &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("reason"), "{stderr}");
}

#[test]
fn workspace_metadata_table_is_read_and_its_errors_located() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"solo\"\nversion = \"0.1.0\"\nedition = \"2021\"\nauthors = [\"AO Kaspersky Lab\"]\n\n[package.metadata.entitycheck]\n[[package.metadata.entitycheck.waiver]]\npackage = \"solo\"\nreason = \"we are testing\"\n",
    )
    .unwrap();
    let m = dir.path().join("Cargo.toml");
    let r = run(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--offline",
        "--format",
        "json",
        "--no-cache",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        doc["config"]
            .as_str()
            .unwrap()
            .contains("[package.metadata.entitycheck]")
    );
    assert_eq!(doc["summary"]["waived"], 1);
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"solo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.entitycheck.output]\nformat = \"xml\"\n").unwrap();
    let r = run(&["--manifest-path", m.to_str().unwrap(), "--offline"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Cargo.toml:7:") && r.stderr.contains("xml"),
        "{}",
        r.stderr
    );
}

#[test]
fn command_line_wins_over_config() {
    let (code, doc, _) = with_config(
        "[output]\nformat = \"human\"\n\n[policy]\nas-of = \"2024-06-01\"\n",
        &["--as-of", AS_OF],
    );
    assert_eq!(code, 1);
    assert_eq!(doc["policy"]["as_of"], AS_OF);
}

#[test]
fn init_writes_a_commented_default_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let m = dir.path().join("Cargo.toml");
    let r = run(&["init", "--manifest-path", m.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = std::fs::read_to_string(dir.path().join("entitycheck.toml")).unwrap();
    assert!(written.contains("[[waiver]]") && written.contains("fail-on"));
    let r = run(&["init", "--manifest-path", m.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already exists"));
    // The written default is itself a valid configuration.
    let r = run(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--offline",
        "--no-cache",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn quiet_and_verbose() {
    let m = manifest("policy");
    let quiet = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--no-cache",
        "-q",
        "--as-of",
        AS_OF,
    ]);
    assert!(
        quiet.stdout.contains("engine-sys") && !quiet.stdout.contains("ti-client"),
        "{}",
        quiet.stdout
    );
    assert!(!quiet.stdout.contains("Screened"));
    let verbose = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--no-cache",
        "-v",
        "--as-of",
        AS_OF,
    ]);
    assert!(verbose.stdout.contains("matched:") && verbose.stdout.contains("securelist.com"));
    let summary = verbose
        .stdout
        .lines()
        .find(|l| l.starts_with("Summary:"))
        .unwrap();
    for part in [
        "packages screened",
        "1 failing",
        "2 exempt",
        "not scanned",
        "list entitycheck-builtin",
    ] {
        assert!(summary.contains(part), "{summary}");
    }
}

#[test]
fn explain_shows_evidence_matches_paths_and_decision() {
    let m = manifest("policy");
    let r = run(&[
        "explain",
        "engine-sys@1.2.3",
        "--manifest-path",
        &m,
        "--offline",
        "--no-cache",
        "--color",
        "never",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let text = r.stdout.replace(env!("CARGO_MANIFEST_DIR"), "[repo]");
    let text: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("id:") {
                "  id:        [package id]"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("explain_engine_sys", text);
    let r = run(&[
        "explain",
        "nope",
        "--manifest-path",
        &m,
        "--offline",
        "--no-cache",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no package `nope`"));
}

#[test]
fn explain_json() {
    let m = manifest("policy");
    let r = run(&[
        "explain",
        "ti-client",
        "--manifest-path",
        &m,
        "--offline",
        "--no-cache",
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(r.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let e = &doc["explained"][0];
    assert_eq!(e["package"]["name"], "ti-client");
    assert_eq!(e["paths"][0][0]["name"], "app");
    assert_eq!(e["findings"][0]["verdict"], "exempt");
    assert!(e["evidence"].as_array().unwrap().len() >= 2);
    let _ = PathBuf::new();
}

/// Issue #14: exemption is a property of the package, decided from all its evidence; country
/// domains match. (package, manifest lines, expected verdicts, expected deciding rules).
#[test]
fn exemption_by_product_table() {
    use crate::lists::{check_ws, decided, workspace};
    #[rustfmt::skip]
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        // Bindings to the AV SDK whose author and homepage are on the threat-intelligence blog:
        // a covered product is named, so the exempt-category domain exempts nothing.
        ("kav-sdk-securelist",
         "description = \"Rust bindings to the Kaspersky Anti-Virus SDK\"\nauthors = [\"Research <research@securelist.com>\"]\nhomepage = \"https://securelist.com/\"",
         &["fail", "info"], &["mention", "restricted"]),
        // A Threat Data Feeds client published by the organisation: exempt, and the
        // organisation tie is shown with the reason.
        ("tdf-client",
         "description = \"Client for Kaspersky Threat Data Feeds\"\nrepository = \"https://github.com/KasperskyLab/tdf-client\"",
         &["exempt"], &["exempt-product"]),
        // Threat feeds and the Security Network: KSN is covered, no exemption.
        ("tdf-and-ksn",
         "description = \"Kaspersky Threat Data Feeds and Kaspersky Security Network client\"\nrepository = \"https://github.com/KasperskyLab/tdf-ksn\"",
         &["fail", "info"], &["mention", "restricted"]),
        // Security Training and consulting are exempt categories too (data, not code).
        ("training", "description = \"Kaspersky Security Training exercises\"\nhomepage = \"https://securelist.com/training\"",
         &["exempt"], &["exempt-product"]),
        ("advisory", "description = \"Reports from Kaspersky advisory services\"\nrepository = \"https://github.com/KasperskyLab/reports\"",
         &["exempt"], &["exempt-product"]),
        // Country domains: the label `kaspersky` under any public suffix.
        ("fr-site", "homepage = \"https://www.kaspersky.fr/sdk\"", &["fail"], &["restricted"]),
        ("jp-mail", "authors = [\"Taro <taro@kaspersky.co.jp>\"]", &["fail"], &["restricted"]),
        ("br-site", "homepage = \"https://kaspersky.com.br/\"", &["fail"], &["restricted"]),
        ("lookalike", "homepage = \"https://kaspersky.fr.example.net/\"", &[], &[]),
    ];
    let ws = workspace(&cases.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>());
    let (code, doc) = check_ws(&ws, &["--as-of", "2024-10-01"]);
    assert_eq!(code, 1);
    for (name, _, verdicts, rules) in cases {
        let d = decided(&doc, name);
        let mut v: Vec<&str> = d.iter().map(|x| x.3.as_str()).collect();
        v.sort();
        v.dedup();
        let mut r: Vec<&str> = d.iter().map(|x| x.4.as_str()).collect();
        r.sort();
        r.dedup();
        assert_eq!((&v[..], &r[..]), (*verdicts, *rules), "{name}: {d:?}");
    }
    let org = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "tdf-client" && f["identifier"]["kind"] == "org")
        .expect("the organisation tie stays visible");
    let reason = org["reason"].as_str().unwrap();
    assert!(
        reason.contains("Kaspersky Threat Data Feeds") && reason.contains("stays visible"),
        "{reason}"
    );
    let fail = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "kav-sdk-securelist" && f["verdict"] == "fail")
        .unwrap();
    assert!(
        fail["reason"].as_str().unwrap().contains("no exemption"),
        "{fail:#}"
    );
}

/// A person's name, however many times it is written, does not fail with `fail-on =
/// ["possible"]` unless a second, independent kind of signal agrees.
#[test]
fn person_identifiers_never_confirm_alone() {
    use crate::lists::{check_ws, decided, workspace};
    let ws = workspace(&[
        ("name-only", "authors = [\"Ivan Testperson\"]"),
        (
            "site-only",
            "homepage = \"https://ivan-testperson.example/\"",
        ),
    ]);
    let l = fixture("lists/csl.json");
    let cfg = ws.path().join("entitycheck.toml");
    std::fs::write(
        &cfg,
        "[policy]\nfail-on = [\"confirmed\", \"probable\", \"possible\"]\n",
    )
    .unwrap();
    let (code, doc) = check_ws(
        &ws,
        &[
            "--entities",
            l.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--as-of",
            "2025-06-01",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    for p in ["name-only", "site-only"] {
        let d = decided(&doc, p);
        assert!(
            !d.is_empty()
                && d.iter()
                    .all(|x| x.2 == "possible" && x.3 == "warn" && x.4 == "person-uncorroborated"),
            "{p}: {d:?}"
        );
    }
}
