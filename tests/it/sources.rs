//! Package sources other than path: a vendored directory source, a local git repository and a
//! local registry standing in for crates.io.

use std::process::Command;

use crate::*;

#[test]
fn vendored_registry_package_is_screened_from_the_vendor_directory() {
    let (code, doc) = check_json("vendored", &["--locked"]);
    assert_eq!(code, 1);
    let f = &doc["findings"][0];
    assert_eq!(f["package"]["name"], "vendored-av");
    assert_eq!(f["package"]["source"]["kind"], "vendored");
    assert_eq!(f["confidence"], "confirmed");
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let st = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .status()
        .expect("git is installed");
    assert!(st.success(), "git {args:?}");
}

/// A git dependency served from a local repository: its source URL names the KasperskyLab
/// organisation only through the repository field, and the git source itself is recorded.
#[test]
fn local_git_dependency() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("scan-engine");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"scan-engine\"\nversion = \"2.0.0\"\nedition = \"2021\"\nrepository = \"ssh://git@github.com/KasperskyLab/scan-engine.git\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("src/lib.rs"), "").unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "init"]);

    let ws = tmp.path().join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    let url = format!("file://{}", repo.display());
    std::fs::write(
        ws.join("Cargo.toml"),
        format!("[package]\nname = \"uses-git\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nscan-engine = {{ git = \"{url}\" }}\n"),
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    let home = tmp.path().join("cargo-home");
    let out = cmd()
        .args([
            "--manifest-path",
            ws.join("Cargo.toml").to_str().unwrap(),
            "--format",
            "json",
            "--as-of",
            AS_OF,
            // A file:// git source is fetched like any other: it needs the network allowed.
            "--allow-network",
        ])
        .env("CARGO_HOME", &home)
        .env("CARGO_NET_GIT_FETCH_WITH_CLI", "false")
        .output()
        .unwrap();
    let r: Run = out.into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "scan-engine" && f["identifier"]["kind"] == "org")
        .expect("org finding");
    assert_eq!(f["package"]["source"]["kind"], "git");
    assert!(
        f["package"]["source"]["url"]
            .as_str()
            .unwrap()
            .starts_with("git+file://")
    );
    assert_eq!(f["verdict"], "fail");
}

/// Writes a one-crate local registry (cargo's `local-registry` source: an index and `.crate`
/// files) holding `name` 1.0.0 with the given extra files.
pub fn local_registry(root: &std::path::Path, name: &str, files: &[(&str, &str)]) {
    use sha2::Digest;
    let mut tarball = Vec::new();
    {
        let gz = flate2::write::GzEncoder::new(&mut tarball, flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\nauthors = [\"SDK Team <sdk@example.org>\"]\n"
        );
        let all = [("Cargo.toml", manifest.as_str()), ("src/lib.rs", "")];
        for (path, text) in all.iter().chain(files) {
            let mut h = tar::Header::new_gnu();
            h.set_size(text.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, format!("{name}-1.0.0/{path}"), text.as_bytes())
                .unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap();
    }
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(root.join(format!("{name}-1.0.0.crate")), &tarball).unwrap();
    let index = root.join("index").join(&name[..2]).join(&name[2..4]);
    std::fs::create_dir_all(&index).unwrap();
    let cksum = hex::encode(sha2::Sha256::digest(&tarball));
    std::fs::write(
        index.join(name),
        format!(
            "{{\"name\":\"{name}\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"{cksum}\",\"features\":{{}},\"yanked\":false}}\n"
        ),
    )
    .unwrap();
}

/// A workspace `product` under `root/ws` whose crates.io source is replaced by the local
/// registry at `registry`, with `deps` (its dependency and feature tables) in its manifest.
pub fn registry_workspace(
    root: &std::path::Path,
    registry: &std::path::Path,
    deps: &str,
) -> std::path::PathBuf {
    let ws = root.join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::create_dir_all(ws.join(".cargo")).unwrap();
    std::fs::write(
        ws.join(".cargo/config.toml"),
        format!(
            "[source.crates-io]\nreplace-with = \"local\"\n\n[source.local]\nlocal-registry = \"{}\"\n",
            registry.display()
        ),
    )
    .unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        format!("[package]\nname = \"product\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{deps}"),
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    ws
}

/// A crates.io package (served offline through a local registry that replaces crates.io): its
/// unpacked source is deep-scanned, and from the second run on it is scanned from the lockfile
/// while `cargo metadata` runs, with the same report; a warm cache then answers for it.
#[test]
fn registry_package_is_deep_scanned_ahead_of_the_graph() {
    let tmp = tempfile::tempdir().unwrap();
    let registry = tmp.path().join("registry");
    local_registry(
        &registry,
        "av-sdk-bundle",
        &[(
            "third_party/engine/NOTICE",
            "Engine core\nCopyright (c) 2023 AO Kaspersky Lab. All rights reserved.\n",
        )],
    );
    let ws = registry_workspace(
        tmp.path(),
        &registry,
        "[dependencies]\nav-sdk-bundle = { version = \"1\", optional = true }\n\n[features]\ndefault = [\"av\"]\nav = [\"dep:av-sdk-bundle\"]\n",
    );
    let manifest = ws.join("Cargo.toml");
    let check_in = |target: &str, extra: &[&str]| -> (Run, serde_json::Value) {
        let out = cmd()
            .args([
                "--manifest-path",
                manifest.to_str().unwrap(),
                "--format",
                "json",
                "--as-of",
                AS_OF,
            ])
            .args(extra)
            .env("CARGO_HOME", tmp.path().join("cargo-home"))
            .env("CARGO_TARGET_DIR", tmp.path().join(target))
            // A cache of its own per target name: `target-2` starts cold.
            .env(
                "CARGO_ENTITYCHECK_CACHE_DIR",
                tmp.path().join(format!("cache-{target}")),
            )
            .env("ENTITYCHECK_TIMINGS", "1")
            .output()
            .unwrap();
        let r: Run = out.into();
        let mut doc: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
        doc["summary"]
            .as_object_mut()
            .unwrap()
            .retain(|k, _| !k.starts_with("elapsed"));
        (r, doc)
    };
    let check = |extra: &[&str]| check_in("target", extra);

    // First run: no lockfile yet, so no head start; cargo unpacks the crate.
    let (first, doc) = check(&["--no-cache"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(
        first.stderr.contains("head start: 0 registry packages"),
        "{}",
        first.stderr
    );
    let f = &doc["findings"][0];
    assert_eq!(f["package"]["name"], "av-sdk-bundle");
    assert_eq!(f["package"]["source"]["kind"], "registry");
    assert_eq!(
        f["package"]["source"]["url"],
        "registry+https://github.com/rust-lang/crates.io-index"
    );
    assert_eq!(f["evidence"]["field"], "notice file");
    assert_eq!(
        f["evidence"]["location"]["file"],
        "third_party/engine/NOTICE"
    );
    assert_eq!(f["evidence"]["location"]["line"], 2);
    assert_eq!(f["verdict"], "fail");

    // Second run: the lockfile pins it and it is unpacked, so it is scanned ahead; same report.
    let (second, doc2) = check(&["--no-cache"]);
    assert!(
        second.stderr.contains("head start: 1 registry packages"),
        "{}",
        second.stderr
    );
    assert_eq!(doc, doc2);

    // With the cache: the first run scans (ahead) and stores, the next answers from the cache
    // (it and the unchanged member) and scans nothing ahead.
    let (_, doc3) = check(&[]);
    let (warm, doc4) = check(&[]);
    assert!(
        warm.stderr.contains("head start: 0 registry packages"),
        "{}",
        warm.stderr
    );
    assert_eq!(doc4["summary"]["scan"]["cached"], 2, "{}", doc4["summary"]);
    assert_eq!(doc3["findings"], doc["findings"]);
    assert_eq!(doc4["findings"], doc["findings"]);

    // A package the lockfile pins but this build leaves out (its feature is off) is scanned
    // ahead all the same; the cache keeps that file pass, so the next run does not scan it
    // again, and a build that does include it reads none of its files.
    let off = ["--no-default-features"];
    let (unscreened, doc5) = check_in("target-2", &off);
    assert_eq!(unscreened.code, 0, "{}", unscreened.stderr);
    assert!(
        unscreened
            .stderr
            .contains("head start: 1 registry packages"),
        "{}",
        unscreened.stderr
    );
    assert_eq!(doc5["findings"], serde_json::json!([]));
    let (again, _) = check_in("target-2", &off);
    assert!(
        again.stderr.contains("head start: 0 registry packages"),
        "{}",
        again.stderr
    );
    let (included, doc6) = check_in("target-2", &[]);
    assert!(
        included.stderr.contains("head start: 0 registry packages"),
        "{}",
        included.stderr
    );
    // Both from the cache: the member as scanned by the earlier runs, the bundle from its kept
    // file pass (scanned afresh, it would not count).
    assert_eq!(doc6["summary"]["scan"]["cached"], 2, "{}", doc6["summary"]);
    assert_eq!(doc6["findings"], doc["findings"]);
}

/// A registry that lets a version be published again (some private ones do): the lockfile's
/// checksum changes with the contents, and the warm cache does not answer for the new ones.
#[test]
fn a_republished_registry_version_is_scanned_again() {
    let tmp = tempfile::tempdir().unwrap();
    let registry = tmp.path().join("registry");
    let notice = "third_party/engine/NOTICE";
    local_registry(
        &registry,
        "av-sdk-bundle",
        &[(
            notice,
            "Copyright (c) 2023 AO Kaspersky Lab. All rights reserved.\n",
        )],
    );
    let ws = registry_workspace(
        tmp.path(),
        &registry,
        "[dependencies]\nav-sdk-bundle = \"1\"\n",
    );
    let home = tmp.path().join("cargo-home");
    let check = || -> (Run, serde_json::Value) {
        let out = cmd()
            .args(["--manifest-path", ws.join("Cargo.toml").to_str().unwrap()])
            .args(["--format", "json", "--as-of", AS_OF])
            .env("CARGO_HOME", &home)
            .env("CARGO_TARGET_DIR", tmp.path().join("target"))
            .env("CARGO_ENTITYCHECK_CACHE_DIR", tmp.path().join("cache"))
            .output()
            .unwrap();
        let r: Run = out.into();
        let doc = serde_json::from_str(&r.stdout).expect(&r.stderr);
        (r, doc)
    };
    let (first, _) = check();
    assert_eq!(first.code, 1, "{}", first.stderr);
    let (warm, doc) = check();
    assert_eq!(warm.code, 1, "{}", warm.stderr);
    assert_eq!(doc["summary"]["scan"]["cached"], 2, "{}", doc["summary"]);

    // Version 1.0.0 again, without the notice: a new checksum. Cargo unpacks it afresh once
    // its old copy is gone and the lockfile records the new checksum.
    local_registry(
        &registry,
        "av-sdk-bundle",
        &[(notice, "Engine core, written by the product team.\n")],
    );
    for src in std::fs::read_dir(home.join("registry/src")).unwrap() {
        let unpacked = src.unwrap().path().join("av-sdk-bundle-1.0.0");
        if unpacked.exists() {
            std::fs::remove_dir_all(unpacked).unwrap();
        }
    }
    std::fs::remove_file(ws.join("Cargo.lock")).unwrap();
    let (republished, doc) = check();
    assert_eq!(
        republished.code, 0,
        "{}\n{}",
        republished.stdout, republished.stderr
    );
    // Answered from the cache, the bundle would still carry the old notice.
    assert_eq!(doc["findings"], serde_json::json!([]));
    // Nothing from the cache: the member's directory holds the new lockfile too.
    assert_eq!(doc["summary"]["scan"]["cached"], 0, "{}", doc["summary"]);
}
