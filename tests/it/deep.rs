//! The deep scan on the `deep` fixture: vendored notices, build scripts, binaries, archives,
//! and the negative controls that must not fail.

use crate::*;

fn fails(doc: &serde_json::Value, package: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"]["name"] == package && f["verdict"] == "fail")
        .map(|f| {
            (
                f["entity"]["id"].as_str().unwrap().to_string(),
                f["evidence"]["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn location(doc: &serde_json::Value, package: &str, field: &str) -> String {
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == package && f["evidence"]["field"] == field)
        .unwrap_or_else(|| panic!("no {field} finding in {package}"));
    let loc = &f["evidence"]["location"];
    match loc["line"].as_u64() {
        Some(l) => format!("{}:{l}", loc["file"].as_str().unwrap()),
        None => loc["file"].as_str().unwrap().to_string(),
    }
}

fn pair(e: &str, f: &str) -> (String, String) {
    (e.to_string(), f.to_string())
}

#[test]
fn vendored_header_notice_in_a_sys_crate() {
    let (code, doc) = check_json("deep", &[]);
    assert_eq!(code, 1);
    assert!(fails(&doc, "kav-headers-sys").contains(&pair("ao-kaspersky-lab", "notice")));
    assert_eq!(
        location(&doc, "kav-headers-sys", "notice"),
        "vendor/kav/include/kav.h:3"
    );
}

#[test]
fn pe_company_name_only() {
    let (_, doc) = check_json("deep", &[]);
    assert_eq!(
        fails(&doc, "win-engine"),
        [pair("ao-kaspersky-lab", "PE VERSIONINFO CompanyName")]
    );
    assert_eq!(
        location(&doc, "win-engine", "PE VERSIONINFO CompanyName"),
        "bin/engine.dll"
    );
}

#[test]
fn authenticode_signer_subject() {
    let (_, doc) = check_json("deep", &[]);
    assert!(
        fails(&doc, "signed-tool")
            .contains(&pair("ao-kaspersky-lab", "Authenticode signer subject"))
    );
}

#[test]
fn elf_rodata_notice() {
    let (_, doc) = check_json("deep", &[]);
    assert_eq!(
        fails(&doc, "so-engine"),
        [pair("ao-kaspersky-lab", "ELF .rodata string")]
    );
}

#[test]
fn notice_inside_a_zip() {
    let (_, doc) = check_json("deep", &[]);
    assert_eq!(
        fails(&doc, "sdk-bundle"),
        [pair("kaspersky-labs-limited", "notice")]
    );
    assert_eq!(
        location(&doc, "sdk-bundle", "notice"),
        "assets/sdk.zip!include/notice.h:1"
    );
}

#[test]
fn hidden_ignored_vendored_directory() {
    let (_, doc) = check_json("deep", &[]);
    assert_eq!(
        fails(&doc, "hidden-vendor"),
        [pair("ooo-kaspersky-group", "notice file")]
    );
    assert_eq!(
        location(&doc, "hidden-vendor", "notice file"),
        ".vendor/engine/NOTICE:1"
    );
}

#[test]
fn build_script_at_a_custom_path_and_link_directives() {
    let (_, doc) = check_json("deep", &[]);
    assert_eq!(
        fails(&doc, "custom-build"),
        [pair("kaspersky", "build-script URL")]
    );
    assert_eq!(
        location(&doc, "custom-build", "build-script URL"),
        "scripts/fetch.rs:3"
    );
    // The -sys crate's build script links `kavbase`: recorded as evidence (it matches nothing).
    let (_, doc) = run_explain("kav-headers-sys");
    let fields: Vec<&str> = doc["explained"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"notice"), "{fields:?}");
}

#[test]
fn negative_controls_do_not_fail() {
    let (_, doc) = check_json("deep", &[]);
    assert!(fails(&doc, "av-tables").is_empty());
    // Its YARA rule quotes the vendor: a detection rule, read as mentions.
    assert_eq!(mentions(&doc, "av-tables"), ["detection rule", "text"]);
    assert!(of(&doc, "win-import-libs").is_empty());
    assert!(mentions(&doc, "win-import-libs").is_empty());
    // …but their binaries are inventoried.
    let inventoried: Vec<&str> = doc["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["package"] == "win-import-libs")
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(inventoried, ["pe", "static-archive"]);
}

#[test]
fn no_deep_reads_only_manifests() {
    let (code, doc) = check_json("deep", &["--no-deep"]);
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["scan"]["deep"], false);
    assert!(doc["binaries"].as_array().unwrap().is_empty());
}

#[test]
fn size_limit_lists_packages_as_not_scanned_and_can_fail_the_build() {
    let (_, doc) = check_json("deep", &["--max-file-size", "600"]);
    let names: Vec<&str> = doc["not_scanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"win-engine"), "{names:?}");
    assert!(
        doc["not_scanned"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("over the 600 byte limit")
    );
    // Without the failing findings, an unscanned package alone fails only when asked to.
    let (code, _) = check_json(
        "deep",
        &[
            "--max-file-size",
            "600",
            "-p",
            "app",
            "--no-builtin-list",
            "--entities",
            &fixture("lists/empty.toml").to_string_lossy(),
        ],
    );
    assert_eq!(code, 0);
    let (code, _) = check_json(
        "deep",
        &[
            "--max-file-size",
            "600",
            "--fail-on-unscanned",
            "--no-builtin-list",
            "--entities",
            &fixture("lists/empty.toml").to_string_lossy(),
        ],
    );
    assert_eq!(code, 1);
}

#[test]
fn second_run_reads_from_the_cache() {
    let target = tempfile::tempdir().unwrap();
    let m = manifest("deep");
    let go = || -> serde_json::Value {
        let out = cmd()
            .args([
                "--manifest-path",
                &m,
                "--offline",
                "--format",
                "json",
                "--as-of",
                AS_OF,
            ])
            .env("CARGO_ENTITYCHECK_CACHE_DIR", target.path())
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let first = go();
    assert_eq!(first["summary"]["scan"]["cached"], 0);
    assert!(scan_cache_in(target.path()).is_dir());
    let second = go();
    assert_eq!(
        second["summary"]["scan"]["cached"],
        second["summary"]["packages_screened"]
    );
    assert_eq!(first["findings"], second["findings"]);
}

/// `explain --format json` for one package of the deep fixture.
pub fn run_explain(package: &str) -> (i32, serde_json::Value) {
    let m = manifest("deep");
    let r = run(&[
        "explain",
        package,
        "--manifest-path",
        &m,
        "--offline",
        "--format",
        "json",
        "--as-of",
        AS_OF,
        "--no-cache",
    ]);
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", r.stdout, r.stderr));
    (r.code, v)
}

/// `check --format json` with the caches in `target`, and the timing laps on stderr; the
/// summary's elapsed time and cache count left out (they differ from run to run).
fn cached_json(
    manifest: &str,
    target: &std::path::Path,
    extra: &[&str],
) -> (String, serde_json::Value) {
    let out = cmd()
        .args(["--manifest-path", manifest, "--offline", "--format", "json"])
        .args(["--as-of", AS_OF])
        .args(extra)
        .env("CARGO_ENTITYCHECK_CACHE_DIR", target)
        .env("ENTITYCHECK_TIMINGS", "1")
        .output()
        .unwrap();
    let r: Run = out.into();
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    let mut doc: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    let summary = doc["summary"].as_object_mut().unwrap();
    summary.retain(|k, _| !k.starts_with("elapsed"));
    summary["scan"].as_object_mut().unwrap().remove("cached");
    (r.stderr, doc)
}

fn from_graph_cache(stderr: &str) -> bool {
    stderr.contains("as resolved last time")
}

/// A run whose `cargo metadata` prints the same bytes under the same options takes the resolved
/// build from the graph cache and reports exactly what resolving it again reports; other
/// options, or a damaged cache file, resolve it again.
#[test]
fn graph_cache_answers_only_for_the_same_metadata_and_options() {
    let target = tempfile::tempdir().unwrap();
    let m = manifest("product");
    let (_, fresh) = cached_json(&m, target.path(), &["--no-cache"]);
    let (e1, first) = cached_json(&m, target.path(), &[]);
    assert!(!from_graph_cache(&e1), "{e1}");
    let graph_cache = || {
        let mut files: Vec<_> = std::fs::read_dir(target.path().join("graph"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "one file for the one workspace");
        files.pop().unwrap()
    };
    assert!(graph_cache().is_file());
    let (e2, second) = cached_json(&m, target.path(), &[]);
    assert!(from_graph_cache(&e2), "{e2}");
    assert_eq!(first, fresh);
    assert_eq!(second, fresh);

    // One target platform (without the fixture's Windows-only dependency): another key, so
    // resolved again, and that build kept instead.
    let linux = ["--target", "x86_64-unknown-linux-gnu"];
    let (_, fresh_linux) = cached_json(&m, target.path(), &[&["--no-cache"][..], &linux].concat());
    let (e3, on_linux) = cached_json(&m, target.path(), &linux);
    assert!(!from_graph_cache(&e3), "{e3}");
    assert_eq!(on_linux, fresh_linux);
    assert_ne!(on_linux, fresh, "the Windows-only dependency is left out");
    let (e4, again) = cached_json(&m, target.path(), &[]);
    assert!(!from_graph_cache(&e4), "{e4}");
    assert_eq!(again, fresh);

    // A damaged file is ignored and rewritten.
    std::fs::write(graph_cache(), b"\x10\0\0\0\0\0\0\0{").unwrap();
    let (e5, damaged) = cached_json(&m, target.path(), &[]);
    assert!(!from_graph_cache(&e5), "{e5}");
    assert_eq!(damaged, fresh);
    let (e6, _) = cached_json(&m, target.path(), &[]);
    assert!(from_graph_cache(&e6), "{e6}");
}

/// The graph cache never answers for a package's files: a notice added to a path dependency
/// after the build was cached is found on the next run, which still takes the build from it.
#[test]
fn graph_cache_still_checks_every_path_package() {
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nengine = { path = \"engine\" }\n",
    );
    write("src/lib.rs", "");
    write(
        "engine/Cargo.toml",
        "[package]\nname = \"engine\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write("engine/src/lib.rs", "");
    write("engine/NOTICE", "Engine, written by the app team.\n");
    let target = tempfile::tempdir().unwrap();
    let m = root.join("Cargo.toml");
    let m = m.to_str().unwrap();
    let (_, clean) = cached_json(m, target.path(), &[]);
    assert_eq!(clean["findings"], serde_json::json!([]));
    let (e, _) = cached_json(m, target.path(), &[]);
    assert!(from_graph_cache(&e), "{e}");

    write(
        "engine/NOTICE",
        "Engine core\nCopyright (c) 2023 AO Kaspersky Lab. All rights reserved.\n",
    );
    let (e, doc) = cached_json(m, target.path(), &[]);
    assert!(from_graph_cache(&e), "{e}");
    let found: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap(),
                f["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [("engine", "fail")]);
}
