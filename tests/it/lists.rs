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
        assert_eq!(doc["lists"][0]["id"], "csl");
        let wrapper = of(&doc, "av-wrapper");
        assert!(
            wrapper.contains(&("csl-fx-001".into(), "confirmed".into(), "fail".into())),
            "{file}: {wrapper:?}"
        );
        // The Entity List rows of the fixture also catch the listed Kaspersky entities.
        assert!(
            of(&doc, "win-av")
                .iter()
                .any(|(e, _, v)| e == "csl-fx-004" && v == "fail")
                || file == "csl.json"
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
            .any(|(e, c, v)| e == "os-fx-os-1" && c == "confirmed" && v == "fail")
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
