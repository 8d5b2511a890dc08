//! `check` on the `product` fixture: every kind of evidence and edge the graph stage must handle.

use crate::*;

fn t(e: &str, c: &str, v: &str) -> (String, String, String) {
    (e.to_string(), c.to_string(), v.to_string())
}

#[test]
fn product_fails_with_exit_1_and_reports_every_listed_entity() {
    let (code, doc) = check_json("product", &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["verdict"], "fail");
    assert_eq!(doc["lists"][0]["id"], "entitycheck-builtin");
    assert!(
        doc["lists"][0]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let entities: std::collections::BTreeSet<String> = verdicts(&doc)
        .into_iter()
        .filter(|x| x.3 == "fail")
        .map(|x| x.1)
        .collect();
    for e in ["ao-kaspersky-lab", "kaspersky-labs-limited", "kaspersky"] {
        assert!(entities.contains(e), "{e} missing from {entities:?}");
    }
}

#[test]
fn transitive_repository_under_kasperskylab_org_fails_with_its_path() {
    let (_, doc) = check_json("product", &[]);
    assert!(of(&doc, "kav-sys").contains(&t("kaspersky", "confirmed", "fail")));
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "kav-sys" && f["identifier"]["kind"] == "org")
        .expect("org finding");
    let path: Vec<&str> = f["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(path, ["app", "av-wrapper", "kav-sys"]);
    assert_eq!(f["evidence"]["field"], "repository");
    assert_eq!(f["identifier"]["value"], "github.com/KasperskyLab");
}

#[test]
fn author_email_domain_in_a_renamed_dependency() {
    let (_, doc) = check_json("product", &[]);
    assert_eq!(
        of(&doc, "lab-scanner"),
        [t("kaspersky", "probable", "fail")]
    );
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "lab-scanner")
        .unwrap();
    assert_eq!(f["path"][1]["renamed"], "scanner", "{f:#}");
    assert_eq!(f["identifier"]["kind"], "domain");
}

#[test]
fn legal_names_in_latin_and_cyrillic() {
    let (_, doc) = check_json("product", &[]);
    // Cyrillic «АО «Лаборатория Касперского»» in a build dependency.
    assert_eq!(
        of(&doc, "build-helper"),
        [t("ao-kaspersky-lab", "probable", "fail")]
    );
    assert_eq!(of(&doc, "ru-notice"), [t("kaspersky", "probable", "fail")]);
    // Kaspersky Labs Limited (United Kingdom), a target-specific dependency.
    assert_eq!(
        of(&doc, "win-av"),
        [t("kaspersky-labs-limited", "probable", "fail")]
    );
}

#[test]
fn look_alike_and_invisible_characters_are_caught() {
    let (_, doc) = check_json("product", &[]);
    assert_eq!(
        of(&doc, "homoglyph-sdk"),
        [t("kaspersky", "confirmed", "fail")]
    );
    assert_eq!(
        of(&doc, "invisible-sdk"),
        [t("kaspersky", "confirmed", "fail")]
    );
}

#[test]
fn build_dependency_fails_dev_dependency_only_warns() {
    let (_, doc) = check_json("product", &[]);
    let build = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "build-helper")
        .unwrap();
    assert_eq!(build["package"]["kind"], "build");
    assert_eq!(
        of(&doc, "test-harness"),
        [t("ao-kaspersky-lab", "confirmed", "warn")]
    );
    let dev = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "test-harness")
        .unwrap();
    assert_eq!(dev["package"]["kind"], "dev");
    assert!(dev["reason"].as_str().unwrap().contains("not shipped"));
}

#[test]
fn optional_dependency_only_with_its_feature() {
    let (_, off) = check_json("product", &[]);
    assert!(of(&off, "group-telemetry").is_empty());
    let (_, on) = check_json("product", &["--features", "telemetry"]);
    assert_eq!(
        of(&on, "group-telemetry"),
        [t("ooo-kaspersky-group", "probable", "fail")]
    );
    let (_, all) = check_json("product", &["--all-features"]);
    assert_eq!(
        of(&all, "group-telemetry"),
        [t("ooo-kaspersky-group", "probable", "fail")]
    );
}

#[test]
fn target_specific_dependency_follows_target() {
    let (_, linux) = check_json("product", &["--target", "x86_64-unknown-linux-gnu"]);
    assert!(of(&linux, "win-av").is_empty());
    let (_, windows) = check_json("product", &["--target", "x86_64-pc-windows-msvc"]);
    assert_eq!(
        of(&windows, "win-av"),
        [t("kaspersky-labs-limited", "probable", "fail")]
    );
}

#[test]
fn look_alikes_pass() {
    let (_, doc) = check_json("product", &["--all-features"]);
    for p in ["kaspa-wallet", "kas-widgets"] {
        assert!(of(&doc, p).is_empty(), "{p}: {:?}", of(&doc, p));
    }
    // The description and keywords only mention Kaspersky: informational, never failing.
    assert!(
        of(&doc, "lookalikes").is_empty(),
        "{:?}",
        of(&doc, "lookalikes")
    );
    // Kasper Skyum, KasperSkytte, notkaspersky.example, kaspersky.com.mirror.example.org match
    // nothing at all: the only mentions are the description and the keyword.
    assert_eq!(mentions(&doc, "lookalikes"), ["description", "keywords"]);
}

#[test]
fn findings_are_sorted_and_deterministic() {
    let (_, a) = check_json("product", &[]);
    let (_, b) = check_json("product", &[]);
    let strip = |mut v: serde_json::Value| {
        v["summary"]["elapsed_ms"] = 0.into();
        v
    };
    assert_eq!(strip(a.clone()), strip(b));
    let order: Vec<&str> = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["verdict"].as_str().unwrap())
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|v| {
        ["fail", "warn", "exempt", "info"]
            .iter()
            .position(|x| x == v)
    });
    assert_eq!(order, sorted);
}

#[test]
fn package_selection_narrows_the_workspace() {
    let r = run(&[
        "--manifest-path",
        &manifest("product"),
        "--offline",
        "-p",
        "nope",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`nope` is not a member"), "{}", r.stderr);
    let (_, doc) = check_json("product", &["-p", "app"]);
    assert!(doc["summary"]["packages_screened"].as_u64().unwrap() > 5);
}

#[test]
fn demo_project_fails_with_a_path() {
    let m = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/Cargo.toml");
    let r = run(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--offline",
        "--color",
        "never",
        "--as-of",
        AS_OF,
        "--no-cache",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("demo_human", redact_elapsed(&r.stdout));
}

#[test]
fn human_report_colour_follows_the_flag_and_no_color() {
    let m = manifest("product");
    let always = run(&["--manifest-path", &m, "--offline", "--color", "always"]);
    assert!(always.stdout.contains("\u{1b}["), "colour expected");
    let piped = run(&["--manifest-path", &m, "--offline"]);
    assert!(!piped.stdout.contains("\u{1b}["), "no colour into a pipe");
    let no_color = cmd()
        .args(["--manifest-path", &m, "--offline"])
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains("\u{1b}["));
}
