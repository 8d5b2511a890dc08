//! The scan cache cannot be fooled: a vendored package edited after a clean run (its
//! `.cargo-checksum.json` map emptied, or left as it was), a path package's file replaced by one
//! of the same size and modification time, and a lockfile that points the head start outside
//! the registry. Also: the root package (whose directory holds the target directory and the
//! cache) answers from the cache, and a warm run does not rewrite the cache.

use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::*;

const CLEAN: &str = "Copyright (c) 2023 Example Ltd Corp.\n";
const LISTED: &str = "Copyright (c) 2023 AO Kaspersky Lab.\n";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Writes `vendor/<name>/.cargo-checksum.json` as `cargo vendor` does: every file's SHA-256.
fn checksum_map(pkg: &Path, files: &[&str], package: &str) {
    let map: serde_json::Map<String, serde_json::Value> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(pkg.join(f)).unwrap();
            (
                f.to_string(),
                hex::encode(sha2::Sha256::digest(bytes)).into(),
            )
        })
        .collect();
    let doc = serde_json::json!({ "files": map, "package": package });
    std::fs::write(pkg.join(".cargo-checksum.json"), doc.to_string()).unwrap();
}

/// A workspace `app` (the root package: its directory holds the target directory) with a path
/// dependency `engine` and a vendored registry dependency `zlib-vendored`, every notice clean.
fn workspace(root: &Path) -> PathBuf {
    write(
        &root.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nengine = { path = \"engine\" }\nzlib-vendored = \"1\"\n",
    );
    write(&root.join("src/lib.rs"), "");
    write(
        &root.join(".cargo/config.toml"),
        "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n[source.vendored-sources]\ndirectory = \"vendor\"\n",
    );
    write(
        &root.join("engine/Cargo.toml"),
        "[package]\nname = \"engine\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(&root.join("engine/src/lib.rs"), "");
    write(&root.join("engine/NOTICE"), CLEAN);
    let v = root.join("vendor/zlib-vendored");
    write(
        &v.join("Cargo.toml"),
        "[package]\nname = \"zlib-vendored\"\nversion = \"1.0.0\"\nedition = \"2021\"\nauthors = [\"zlib authors\"]\nlicense = \"Zlib\"\n",
    );
    write(&v.join("src/lib.rs"), "");
    write(&v.join("NOTICE"), CLEAN);
    checksum_map(
        &v,
        &["Cargo.toml", "src/lib.rs", "NOTICE"],
        &"ab".repeat(32),
    );
    root.join("Cargo.toml")
}

struct Ws {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    manifest: PathBuf,
    target: PathBuf,
}

impl Ws {
    fn new() -> Ws {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        let manifest = workspace(&root);
        // The target directory inside the root package, as by default.
        let target = root.join("target");
        // Files changed within the last clock seconds are hashed on every run (a second edit
        // in the same tick would leave their stat as it was); let the fixture age past that so
        // the runs below use the stat digests they remember, as a developer's warm runs do.
        std::thread::sleep(std::time::Duration::from_millis(3100));
        Ws {
            _tmp: tmp,
            root,
            manifest,
            target,
        }
    }

    fn run(&self, sub: Option<&str>, extra: &[&str]) -> Run {
        let mut c = cmd();
        if let Some(sub) = sub {
            c.arg(sub);
        }
        c.args(extra)
            .args(["--manifest-path", self.manifest.to_str().unwrap()])
            .arg("--offline")
            // `verify` takes its date from the certificate (and refuses --as-of).
            .args(if sub == Some("verify") {
                &[][..]
            } else {
                &["--as-of", AS_OF][..]
            })
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_HOME", self.root.parent().unwrap().join("cargo-home"))
            .output()
            .unwrap()
            .into()
    }

    fn check(&self) -> (Run, serde_json::Value) {
        let r = self.run(None, &["--format", "json"]);
        assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
        let doc = serde_json::from_str(&r.stdout).expect(&r.stderr);
        (r, doc)
    }

    fn cache(&self) -> PathBuf {
        self.target.join("entitycheck/scan-cache.json")
    }
}

fn failing(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| f["package"]["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Replaces a file's bytes in place, keeping its size and modification time.
fn swap_keeping_size_and_mtime(path: &Path, text: &str) {
    let before = std::fs::metadata(path).unwrap();
    assert_eq!(before.len(), text.len() as u64);
    std::fs::write(path, text).unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    let after = std::fs::metadata(path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap()),
        (before.len(), before.modified().unwrap())
    );
}

#[test]
fn edits_after_a_clean_run_are_never_answered_from_the_cache() {
    let ws = Ws::new();
    // Beside the workspace: written into the root package, it would be one of its files.
    let cert = ws.root.with_file_name("entitycheck.cert.json");
    let cert_s = cert.to_str().unwrap();
    let r = ws.run(Some("certify"), &["--output", cert_s]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Warm: every package from the cache, the root package too (its directory holds the
    // target directory and the cache, which no digest enters).
    let (_, warm) = ws.check();
    assert_eq!(failing(&warm), Vec::<String>::new());
    assert_eq!(warm["summary"]["packages_screened"], 3);
    assert_eq!(warm["summary"]["scan"]["cached"], 3, "{}", warm["summary"]);
    // Nothing new: the cache file is not rewritten, so it does not grow run after run.
    let stored = std::fs::read(ws.cache()).unwrap();
    let (_, again) = ws.check();
    assert_eq!(again["summary"]["scan"]["cached"], 3);
    assert_eq!(std::fs::read(ws.cache()).unwrap(), stored);

    // A path package's file replaced in place by one of the same size and mtime.
    let notice = ws.root.join("engine/NOTICE");
    swap_keeping_size_and_mtime(&notice, LISTED);
    let (r, doc) = ws.check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(failing(&doc), ["engine"]);
    // The same bytes back: the earlier clean scan answers again (keyed by content).
    swap_keeping_size_and_mtime(&notice, CLEAN);
    let (r, doc) = ws.check();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(doc["summary"]["scan"]["cached"], 3, "{}", doc["summary"]);

    // A vendored file edited, the checksum map emptied (cargo then checks nothing).
    let v = ws.root.join("vendor/zlib-vendored");
    write(&v.join("NOTICE"), LISTED);
    std::fs::write(
        v.join(".cargo-checksum.json"),
        format!("{{\"files\":{{}},\"package\":\"{}\"}}", "ab".repeat(32)),
    )
    .unwrap();
    let (r, doc) = ws.check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(failing(&doc), ["zlib-vendored"]);
    // `verify` re-screens with the same cache and does not inherit the clean result.
    let r = ws.run(Some("verify"), &[cert_s]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("re-screening gives `fail` (certified: `pass`)"),
        "{}",
        r.stdout
    );

    // The map kept as `cargo vendor` wrote it, the file edited all the same, or a file added
    // that the map does not list: neither is taken from the clean scan either.
    write(&v.join("NOTICE"), CLEAN);
    checksum_map(
        &v,
        &["Cargo.toml", "src/lib.rs", "NOTICE"],
        &"ab".repeat(32),
    );
    let (r, _) = ws.check();
    assert_eq!(r.code, 0, "{}", r.stderr);
    write(&v.join("NOTICE"), LISTED);
    let (r, doc) = ws.check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(failing(&doc), ["zlib-vendored"]);
    write(&v.join("NOTICE"), CLEAN);
    write(&v.join("third_party/COPYING"), LISTED);
    let (r, doc) = ws.check();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(failing(&doc), ["zlib-vendored"]);
}

/// A lockfile entry named like a path (`<tmp>/outside/dir`, `../../x`) with a registry source
/// does not make the head start read outside the registry, and nothing from there reaches the
/// report or the scan cache.
#[test]
fn a_hostile_lockfile_cannot_point_the_head_start_outside_the_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("cargo-home");
    std::fs::create_dir_all(home.join("registry/src/index.crates.io-1949cf8c6b5b557f")).unwrap();
    let marker = "Copyright (c) 2023 AO Kaspersky Lab. Outside marker zq7x.\n";
    let outside = tmp.path().join("outside");
    for dir in [
        outside.join("dir-1.0.0"),
        // `../../x` from `registry/src/<registry>/`.
        home.join("registry/x-1.0.0"),
    ] {
        write(&dir.join("Cargo.toml"), "");
        write(&dir.join("NOTICE"), marker);
    }
    let ws = tmp.path().join("ws");
    write(
        &ws.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(&ws.join("src/lib.rs"), "");
    let src = "registry+https://github.com/rust-lang/crates.io-index";
    write(
        &ws.join("Cargo.lock"),
        &format!(
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"{}\"\nversion = \"1.0.0\"\nsource = \"{src}\"\n\n[[package]]\nname = \"../../x\"\nversion = \"1.0.0\"\nsource = \"{src}\"\n",
            outside.join("dir").display()
        ),
    );
    // cargo drops the bogus entries when it rewrites the lockfile; the head start reads it
    // first, while `cargo metadata` starts. A `cargo` that waits a moment makes that certain.
    let real_cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let slow = tmp.path().join("slow-cargo");
    write(
        &slow,
        &format!("#!/bin/sh\nsleep 1\nexec '{real_cargo}' \"$@\"\n"),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let target = tmp.path().join("target");
    let r: Run = cmd()
        .args(["--manifest-path", ws.join("Cargo.toml").to_str().unwrap()])
        .args(["--offline", "--format", "json", "--as-of", AS_OF])
        .env("CARGO", &slow)
        .env("CARGO_HOME", &home)
        .env("CARGO_TARGET_DIR", &target)
        .env("ENTITYCHECK_TIMINGS", "1")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("head start: 0 registry packages"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("zq7x"), "{}", r.stdout);
    let cache = std::fs::read_to_string(target.join("entitycheck/scan-cache.json")).unwrap();
    assert!(!cache.contains("zq7x"));
    assert!(!cache.contains("outside"));
}
