//! Screening against imported public lists: the Consolidated Screening List (CSV, JSON) and
//! OpenSanctions FollowTheMoney entities.

use crate::*;

fn list(name: &str) -> String {
    fixture(&format!("lists/{name}"))
        .to_string_lossy()
        .into_owned()
}

#[test]
fn csl_csv_and_json_fail_the_wrapper_dependency() {
    for file in ["csl.csv", "csl.json"] {
        let l = list(file);
        let (code, doc) = check_json("product", &["--entities", &l]);
        assert_eq!(code, 1, "{file}");
        // Lists add up: the built-in list first, then the import.
        assert_eq!(doc["lists"][1]["id"], "csl");
        let wrapper = of(&doc, "av-wrapper");
        assert!(
            // Imported facts are secondary: probable at most (still fails by default).
            wrapper.contains(&("csl-fx-001".into(), "probable".into(), "fail".into())),
            "{file}: {wrapper:?}"
        );
        // The Entity List rows of the fixture also catch the listed Kaspersky entities, as the
        // same entity as the built-in one (same legal name and country): one entity, a match
        // supported by each list.
        let win = decided(&doc, "win-av");
        assert!(
            win.iter()
                .any(|d| d.0 == "kaspersky-labs-limited" && d.1 == "csl" && d.3 == "fail"),
            "{file}: {win:?}"
        );
    }
}

#[test]
fn explicit_format_and_config_lists() {
    let l = list("csl.csv");
    let (code, _) = check_json(
        "product",
        &["--entities", &l, "--entities-format", "csl-csv"],
    );
    assert_eq!(code, 1);
    // The wrong format is a clear error (exit 2) naming the file.
    let r = run(&[
        "--manifest-path",
        &manifest("product"),
        "--offline",
        "--entities",
        &l,
        "--entities-format",
        "opensanctions",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("csl.csv:1:"), "{}", r.stderr);
    // From the configuration, alongside the built-in list.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[lists]\nextra = [{{ path = {:?}, format = \"opensanctions\" }}]\n",
            list("opensanctions.jsonl")
        ),
    )
    .unwrap();
    let (_, doc) = check_json("product", &["--config", cfg.to_str().unwrap()]);
    let ids: Vec<&str> = doc["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["entitycheck-builtin", "opensanctions"]);
    assert!(
        of(&doc, "av-wrapper")
            .iter()
            .any(|(e, c, v)| e == "os-fx-os-1" && c == "probable" && v == "fail")
    );
}

/// A misspelt list format gets the nearest valid name, on the command line and in the
/// configuration (where it is reported with the file and line, among the other problems); the
/// names are case-insensitive in both.
#[test]
fn a_misspelt_list_format_suggests_the_nearest() {
    let l = list("csl.csv");
    let m = manifest("product");
    let r = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--entities",
        &l,
        "--entities-format",
        "csl-cvs",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--entities-format") && r.stderr.contains("'csl-csv'"),
        "{}",
        r.stderr
    );
    let (code, _) = check_json(
        "product",
        &["--entities", &l, "--entities-format", "CSL-CSV"],
    );
    assert_eq!(code, 1);

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    let write = |format: &str| {
        std::fs::write(
            &cfg,
            format!(
                "[lists]\nextra = [\n  {{ path = {:?}, format = {format:?} }},\n]\n\n[policy]\nfail-on = [\"sure\"]\n",
                list("opensanctions.jsonl")
            ),
        )
        .unwrap();
    };
    write("opensanction");
    let r = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{}:3: lists.extra: list format `opensanction` is not one of entitycheck, csl-csv, csl-json, opensanctions: did you mean `opensanctions`?",
            cfg.display()
        )) && r.stderr.contains("policy.fail-on: `sure`"),
        "{}",
        r.stderr
    );
    // Nothing close: the valid names, no guess.
    write("xml");
    let r = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`xml` is not one of") && !r.stderr.contains("did you mean"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_person_name_alone_does_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"by-a-person\"\nversion = \"0.1.0\"\nedition = \"2021\"\nauthors = [\"Ivan Testperson <ivan@example.org>\"]\n",
    )
    .unwrap();
    let m = dir.path().join("Cargo.toml");
    for file in ["opensanctions.jsonl", "csl.csv"] {
        let l = list(file);
        let r = run(&[
            "--manifest-path",
            m.to_str().unwrap(),
            "--offline",
            "--no-cache",
            "--format",
            "json",
            "--entities",
            &l,
        ]);
        assert_eq!(r.code, 0, "{file}: {}", r.stdout);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(of(&doc, "by-a-person")[0].1, "possible", "{file}");
        assert_eq!(of(&doc, "by-a-person")[0].2, "warn", "{file}");
    }
}

#[test]
fn list_command_shows_imported_lists() {
    let r = run(&["list", "--entities", &list("csl.csv"), "--color", "never"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Wrapper Devs Ltd") && r.stdout.contains("89 FR 52362"),
        "{}",
        r.stdout
    );
}

// --- Issue #14: imports add up, keep what their publishers say ----------------------------------

/// A workspace of one `app` depending on one path crate per case (name, extra manifest lines).
pub fn workspace(cases: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut deps = String::new();
    for (name, extra) in cases {
        let d = dir.path().join("crates").join(name);
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::write(d.join("src/lib.rs"), "").unwrap();
        std::fs::write(
            d.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}\n"
            ),
        )
        .unwrap();
        deps.push_str(&format!("{name} = {{ path = \"crates/{name}\" }}\n"));
    }
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"),
    )
    .unwrap();
    dir
}

/// `check --format json` on a generated workspace.
pub fn check_ws(dir: &tempfile::TempDir, extra: &[&str]) -> (i32, serde_json::Value) {
    let m = dir.path().join("Cargo.toml");
    let mut args = vec![
        "--manifest-path",
        m.to_str().unwrap(),
        "--offline",
        "--no-cache",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    (r.code, serde_json::from_str(&r.stdout).unwrap())
}

/// (entity id, identifier's list, confidence, verdict, decided_by) of a package's findings.
pub fn decided(
    doc: &serde_json::Value,
    package: &str,
) -> Vec<(String, String, String, String, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"]["name"] == package)
        .map(|f| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
            (
                s(&f["entity"]["id"]),
                s(&f["identifier"]["list"]),
                s(&f["confidence"]),
                s(&f["verdict"]),
                s(&f["decided_by"]),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn verdicts_of(doc: &serde_json::Value, package: &str) -> Vec<String> {
    let mut v: Vec<String> = decided(doc, package).into_iter().map(|d| d.3).collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn imported_lists_keep_what_their_publishers_say() {
    let ws = workspace(&[
        // Built-in identifiers the CSL does not carry still catch (lists add up).
        ("kav-mail", "authors = [\"SDK <sdk@kaspersky.com>\"]"),
        // Entity List entry listed from 2025-03-01.
        ("wrapper", "homepage = \"https://www.wrapper.example/\""),
        // Denied Persons order that ended on 2023-01-01.
        ("expired", "homepage = \"https://expired-denial.example/\""),
        // Unverified List: due diligence, not denial.
        ("uvl", "homepage = \"https://unverified-trading.example/\""),
        // A person's gmail.com address is no identifier; their own website is weak alone…
        ("gmail-user", "authors = [\"Someone <someone@gmail.com>\"]"),
        (
            "person-site",
            "homepage = \"https://ivan-testperson.example/\"",
        ),
        // …and reaches the failing confidence with a second, independent signal.
        (
            "person-two",
            "authors = [\"Ivan Testperson\"]\nhomepage = \"https://ivan-testperson.example/\"",
        ),
    ]);
    for file in ["csl.json", "csl.csv"] {
        let l = list(file);
        let (code, doc) = check_ws(&ws, &["--entities", &l, "--as-of", "2025-06-01"]);
        assert_eq!(code, 1, "{file}");
        let ids: Vec<&str> = doc["lists"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["entitycheck-builtin", "csl"], "{file}");
        assert_eq!(verdicts_of(&doc, "kav-mail"), ["fail"], "{file}");
        assert!(
            decided(&doc, "kav-mail")
                .iter()
                .all(|d| d.1 == "entitycheck-builtin")
        );
        assert_eq!(
            decided(&doc, "wrapper"),
            [(
                "csl-fx-001".into(),
                "csl".into(),
                "probable".into(),
                "fail".into(),
                "restricted".into()
            )],
            "{file}: imported facts are secondary: probable at most"
        );
        assert_eq!(verdicts_of(&doc, "expired"), ["info"], "{file}");
        assert_eq!(decided(&doc, "expired")[0].4, "listing-ended");
        assert_eq!(verdicts_of(&doc, "uvl"), ["warn"], "{file}");
        assert_eq!(decided(&doc, "uvl")[0].4, "not-in-force");
        assert!(decided(&doc, "gmail-user").is_empty(), "{file}");
        assert_eq!(
            decided(&doc, "person-site"),
            [(
                "csl-fx-005".into(),
                "csl".into(),
                "possible".into(),
                "warn".into(),
                "person-uncorroborated".into()
            )],
            "{file}"
        );
        assert!(
            decided(&doc, "person-two")
                .iter()
                .all(|d| d.2 == "probable" && d.3 == "fail"),
            "{file}: {:?}",
            decided(&doc, "person-two")
        );
        // Not yet listed before its start date.
        let (_, early) = check_ws(&ws, &["--entities", &l, "--as-of", "2024-12-01"]);
        assert_eq!(verdicts_of(&early, "wrapper"), ["info"], "{file}");
        assert_eq!(decided(&early, "wrapper")[0].4, "not-yet-listed");
    }
    // --no-builtin-list replaces the built-in list.
    let (_, doc) = check_ws(
        &ws,
        &[
            "--entities",
            &list("csl.json"),
            "--no-builtin-list",
            "--as-of",
            "2025-06-01",
        ],
    );
    assert_eq!(doc["lists"].as_array().unwrap().len(), 1);
    assert!(decided(&doc, "kav-mail").is_empty());
}

#[test]
fn the_same_entity_in_two_lists_is_one() {
    let ws = workspace(&[
        ("ao-notice", "authors = [\"AO Kaspersky Lab\"]"),
        ("gmbh", "authors = [\"Kaspersky Labs GmbH\"]"),
    ]);
    let (_, doc) = check_ws(
        &ws,
        &["--entities", &list("csl.json"), "--as-of", "2025-06-01"],
    );
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "ao-notice")
        .unwrap();
    assert_eq!(f["entity"]["id"], "ao-kaspersky-lab");
    assert_eq!(f["entity"]["also"][0]["list_id"], "csl");
    assert_eq!(f["entity"]["also"][0]["id"], "csl-fx-002");
    // Both lists support a match on the one entity.
    let lists: Vec<String> = decided(&doc, "ao-notice")
        .into_iter()
        .map(|d| d.1)
        .collect();
    assert!(
        lists.contains(&"entitycheck-builtin".to_string()) && lists.contains(&"csl".to_string()),
        "{lists:?}"
    );
    // The CSL programme (Entity List) counts for the merged entity.
    assert!(f["dates"].as_array().is_some());
    // GmbH is never Kaspersky Labs Limited (conflicting legal forms).
    assert!(
        decided(&doc, "gmbh")
            .iter()
            .all(|d| d.0 != "kaspersky-labs-limited" && d.0 != "csl-fx-004"),
        "{:?}",
        decided(&doc, "gmbh")
    );
}

#[test]
fn opensanctions_targets_and_topics_decide() {
    let ws = workspace(&[
        ("sanctioned", "homepage = \"https://wrapper.example/\""),
        ("weak", "authors = [\"WD\"]"),
        (
            "pep-related",
            "homepage = \"https://research.example.org/\"",
        ),
        (
            "debarred",
            "homepage = \"https://debarred-builders.example/\"",
        ),
    ]);
    let (_, doc) = check_ws(
        &ws,
        &[
            "--entities",
            &list("opensanctions.jsonl"),
            "--as-of",
            "2025-06-01",
        ],
    );
    assert_eq!(verdicts_of(&doc, "sanctioned"), ["fail"]);
    assert!(
        decided(&doc, "weak").is_empty(),
        "weakAlias is never matched"
    );
    assert_eq!(verdicts_of(&doc, "pep-related"), ["info"]);
    assert_eq!(decided(&doc, "pep-related")[0].4, "status-info");
    assert_eq!(verdicts_of(&doc, "debarred"), ["warn"]);
}

#[test]
fn staleness_warns_and_can_fail() {
    let ws = workspace(&[("clean", "")]);
    // The built-in list is 2026-12-03: a year later it is stale.
    let m = ws.path().join("Cargo.toml");
    let r = run(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--offline",
        "--no-cache",
        "--color",
        "never",
        "--as-of",
        "2027-12-04",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("366 days old") && r.stdout.contains("warning: list entitycheck-builtin"),
        "{}",
        r.stdout
    );
    let cfg = ws.path().join("entitycheck.toml");
    std::fs::write(&cfg, "[policy]\nmax-list-age = 180\n").unwrap();
    let (code, doc) = check_ws(
        &ws,
        &["--config", cfg.to_str().unwrap(), "--as-of", "2027-12-04"],
    );
    assert_eq!(code, 1);
    assert_eq!(doc["lists"][0]["stale"], "fail");
    assert_eq!(doc["lists"][0]["age_days"], 366);
    assert_eq!(
        doc["fail_reasons"],
        serde_json::json!([{"kind": "stale-list", "list": "entitycheck-builtin", "age_days": 366, "max_age_days": 180}])
    );
    // Issue 26: the reason given is the list's age, not unscanned packages.
    let r = run(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--offline",
        "--no-cache",
        "--color",
        "never",
        "--config",
        cfg.to_str().unwrap(),
        "--as-of",
        "2027-12-04",
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "FAIL: list entitycheck-builtin is 366 days old, older than policy.max-list-age (180 days): update it (exit 1)"
        ) && !r.stdout.contains("could not be scanned"),
        "{}",
        r.stdout
    );
    let (code, doc) = check_ws(
        &ws,
        &["--config", cfg.to_str().unwrap(), "--as-of", "2027-01-01"],
    );
    assert_eq!(code, 0);
    assert!(doc["lists"][0].get("stale").is_none());
}

#[test]
fn list_shows_provenance_and_diff_shows_changes() {
    let r = run(&["list", "--color", "never"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "<https://www.govinfo.gov/content/pkg/FR-2017-09-19/html/2017-19838.htm> (read 2026-12-03)",
        // A source whose reading was not dated says so, never the list's date.
        "<https://support.kaspersky.com/> (read: date unknown)",
        "<https://www.kaspersky.com/> (read 2026-12-03)",
        "restricts: export-to-entity",
        "exempt (consulting): Kaspersky consulting or advisory services that are purely informational or educational in nature (never executable code)",
        "kaspersky.<country-code suffix> [domains-observed, secondary]",
        "dated by list.updated",
        "covered (anti-virus)",
        "exempt (consulting)",
    ] {
        assert!(r.stdout.contains(needle), "missing {needle:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.toml");
    let new = dir.path().join("new.toml");
    let data = std::fs::read_to_string(fixture("../../data/entities.toml")).unwrap();
    std::fs::write(&old, &data).unwrap();
    std::fs::write(
        &new,
        data.replace("  [[entity.domain]]\n  domain = \"kaspersky.ru\"\n  source = \"domains-observed\"\n  grade = \"secondary\"\n", "")
            .replace("name = \"Kaspersky Labs Limited\"\n  source = \"summaries-2024\"\n  grade = \"secondary\"", "name = \"Kaspersky Labs Limited\"\n  source = \"fr-2024-13695\"\n  grade = \"primary\"")
            // Issue 26: programme changes change verdicts and must show: a moved effective
            // date, a category turned from exempt to covered, a source's read date.
            .replace("date = \"2024-09-29\"", "date = \"2024-10-29\"")
            .replace("[[programme.exempt]]\ncategory = \"security-training\"", "[[programme.covered]]\ncategory = \"security-training\"")
            .replace("url = \"https://www.govinfo.gov/content/pkg/FR-2024-06-24/html/2024-13695.htm\"\nread = \"2026-12-03\"", "url = \"https://www.govinfo.gov/content/pkg/FR-2024-06-24/html/2024-13695.htm\"\nread = \"2026-12-01\""),
    )
    .unwrap();
    let r = run(&[
        "list",
        "--diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let changed = d["changed"].as_array().unwrap();
    let group = changed.iter().find(|c| c["id"] == "kaspersky").unwrap();
    assert!(
        group["removed"][0]
            .as_str()
            .unwrap()
            .starts_with("domain: kaspersky.ru"),
        "{group:#}"
    );
    let icts = d["programmes"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "icts-kaspersky")
        .expect("the determination's changes show");
    let text = icts.to_string();
    for needle in [
        "date: updates-resale-integration: 2024-09-29, gate fail",
        "→ 2024-10-29, gate fail",
        "\"exempt: security-training (Kaspersky Security Training",
        "\"covered: security-training (Kaspersky Security Training",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {icts:#}");
    }
    let read = d["sources"]["changed"][0].to_string();
    assert!(read.contains("read: 2026-12-03 → 2026-12-01"), "{read}");
    let limited = changed
        .iter()
        .find(|c| c["id"] == "kaspersky-labs-limited")
        .unwrap();
    assert!(
        limited["changed"][0]
            .as_str()
            .unwrap()
            .contains("fr-2024-13695 [primary]")
    );
    let r = run(&[
        "list",
        "--diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    assert!(r.stdout.contains("- domain: kaspersky.ru"), "{}", r.stdout);
    assert!(
        r.stdout.contains("changed programme icts-kaspersky"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("programmes: 0 added, 0 removed, 1 changed"),
        "{}",
        r.stdout
    );
}
