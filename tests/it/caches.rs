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
            .env("CARGO_ENTITYCHECK_CACHE_DIR", self.cache_dir())
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

    /// The per-user cache directory of these runs: beside the workspace, never in it.
    fn cache_dir(&self) -> PathBuf {
        self.root.with_file_name("cache")
    }

    fn cache(&self) -> PathBuf {
        scan_cache_in(&self.cache_dir())
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
    // `certify` screened afresh and kept nothing: the first check fills the cache.
    assert!(!ws.cache_dir().exists());
    let (_, cold) = ws.check();
    assert_eq!(cold["summary"]["scan"]["cached"], 0);

    // Warm: every package from the cache, the root package too (its directory holds the
    // target directory, which no digest enters).
    let (_, warm) = ws.check();
    assert_eq!(failing(&warm), Vec::<String>::new());
    assert_eq!(warm["summary"]["packages_screened"], 3);
    assert_eq!(warm["summary"]["scan"]["cached"], 3, "{}", warm["summary"]);
    // Nothing new: no cache file is written, so the cache does not grow run after run.
    let stored = cache_files(&ws.cache());
    let (_, again) = ws.check();
    assert_eq!(again["summary"]["scan"]["cached"], 3);
    assert_eq!(cache_files(&ws.cache()), stored);

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
        .env("CARGO_ENTITYCHECK_CACHE_DIR", tmp.path().join("cache"))
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
    let cache: String = cache_files(&scan_cache_in(&tmp.path().join("cache")))
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(!cache.contains("zq7x"));
    assert!(!cache.contains("outside"));
}

/// A cache the project supplies changes no verdict: the old in-project locations
/// (`target/entitycheck/...`) are never read, and a cache directory named inside the workspace
/// is refused with a note. The forged cache used here is effective: put where the user's own
/// cache lives, it turns the failing package into a pass (the cache directory is the user's,
/// which is why nothing the project writes can choose it).
#[test]
fn a_cache_the_project_writes_changes_no_verdict() {
    let ws = Ws::new();
    let with_cache = |dir: &Path| -> (Run, serde_json::Value) {
        let r: Run = cmd()
            .args(["--manifest-path", ws.manifest.to_str().unwrap()])
            .args(["--offline", "--format", "json", "--as-of", AS_OF])
            .env("CARGO_TARGET_DIR", &ws.target)
            .env("CARGO_HOME", ws.root.parent().unwrap().join("cargo-home"))
            .env("CARGO_ENTITYCHECK_CACHE_DIR", dir)
            .output()
            .unwrap()
            .into();
        assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
        let doc = serde_json::from_str(&r.stdout).expect(&r.stderr);
        (r, doc)
    };
    let outside = |name: &str| ws.root.with_file_name(name);
    let scan_files = |dir: &Path| cache_files(&scan_cache_in(dir));
    // The file of the witness (a tree's remembered content digest) of `dir`, and its JSON.
    let witness = |files: &std::collections::BTreeMap<PathBuf, Vec<u8>>, dir: &str| {
        files
            .iter()
            .map(|(p, b)| (p.clone(), serde_json::from_slice::<serde_json::Value>(b)))
            .find_map(|(p, v)| v.ok().filter(|v| v["dir"] == dir).map(|v| (p, v)))
            .expect("a witness of the directory")
    };
    let engine = ws.root.join("engine");
    let engine_key = engine.to_str().unwrap();

    // Clean: its scan and the engine's content digest are remembered.
    let (r, _) = with_cache(&outside("cache-clean"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let clean = scan_files(&outside("cache-clean"));
    // Listed: the engine fails; its tree's stat digest is remembered too.
    write(&engine.join("NOTICE"), LISTED);
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let (r, _) = with_cache(&outside("cache-listed"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let listed = scan_files(&outside("cache-listed"));

    // The forgery: the clean cache, with the engine's tree as it is now said to hold the clean
    // content (the listed tree's stat digest, the clean tree's content digest).
    let mut forged = clean.clone();
    let (file, mut w) = witness(&clean, engine_key);
    w["stat"] = witness(&listed, engine_key).1["stat"].clone();
    assert!(w["content"].is_string());
    forged.insert(file, serde_json::to_vec(&w).unwrap());

    // Committed where the tool once kept its caches: never read.
    let legacy = ws.target.join("entitycheck");
    write_cache_files(&legacy.join("scan-cache"), &forged);
    write(&legacy.join("graph-cache.bin"), "\u{0}");
    write(
        &legacy.join("owners/zlib-vendored.json"),
        r#"{"fetched":"2026-11-22T00:00:00Z","api":"https://crates.io","owners":{"owners":[],"publishers":[]}}"#,
    );
    let (r, doc) = with_cache(&outside("cache-fresh"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(failing(&doc), ["engine"]);

    // A cache directory inside the workspace: refused, said so, and the check fails as it must.
    let inside = ws.root.join(".entitycheck-cache");
    let name = scan_cache_in(&outside("cache-clean"))
        .file_name()
        .unwrap()
        .to_owned();
    write_cache_files(&inside.join(&name), &forged);
    let (r, doc) = with_cache(&inside);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(failing(&doc), ["engine"]);
    assert_eq!(doc["summary"]["scan"]["cached"], 0, "{}", doc["summary"]);
    assert!(
        r.stderr.contains("lies inside the workspace") && r.stderr.contains("nothing is cached"),
        "{}",
        r.stderr
    );
    // Reached through a link from outside: the same.
    #[cfg(unix)]
    {
        let link = outside("cache-link");
        std::os::unix::fs::symlink(&inside, &link).unwrap();
        let (r, doc) = with_cache(&link);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(doc["summary"]["scan"]["cached"], 0, "{}", doc["summary"]);
    }
    std::fs::remove_dir_all(&inside).unwrap();

    // The same bytes where the user's cache lives are believed: the forgery is real, and only
    // where it is kept decides whether it counts.
    let users = outside("cache-user");
    write_cache_files(&users.join(&name), &forged);
    let (r, _) = with_cache(&users);
    assert_eq!(r.code, 0, "the forged cache is effective: {}", r.stderr);
    // `certify` and `verify` never take a cached result: they fail with it in place.
    let cert = outside("cert.json");
    let r: Run = cmd()
        .args(["certify", "--output", cert.to_str().unwrap()])
        .args(["--manifest-path", ws.manifest.to_str().unwrap()])
        .args(["--offline", "--as-of", AS_OF])
        .env("CARGO_TARGET_DIR", &ws.target)
        .env("CARGO_HOME", ws.root.parent().unwrap().join("cargo-home"))
        .env("CARGO_ENTITYCHECK_CACHE_DIR", &users)
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 1, "certify must screen afresh: {}", r.stderr);
    assert!(!cert.exists());
}

/// A second project using the same registry package answers for it from the per-user cache,
/// on its very first run; the member it does not share is scanned.
#[test]
fn registry_scans_are_shared_across_projects() {
    use crate::sources::{local_registry, registry_workspace};
    let tmp = tempfile::tempdir().unwrap();
    let registry = tmp.path().join("registry");
    local_registry(
        &registry,
        "av-sdk-bundle",
        &[(
            "third_party/engine/NOTICE",
            "Copyright (c) 2023 AO Kaspersky Lab. All rights reserved.\n",
        )],
    );
    let deps = "[dependencies]\nav-sdk-bundle = \"1\"\n";
    let one = registry_workspace(&tmp.path().join("one"), &registry, deps);
    let two = registry_workspace(&tmp.path().join("two"), &registry, deps);
    let check = |ws: &Path| -> (Run, serde_json::Value) {
        let r: Run = cmd()
            .args(["--manifest-path", ws.join("Cargo.toml").to_str().unwrap()])
            .args(["--format", "json", "--as-of", AS_OF])
            .env("CARGO_HOME", tmp.path().join("cargo-home"))
            .env("CARGO_TARGET_DIR", ws.join("target"))
            .env("CARGO_ENTITYCHECK_CACHE_DIR", tmp.path().join("cache"))
            .output()
            .unwrap()
            .into();
        assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
        let doc = serde_json::from_str(&r.stdout).expect(&r.stderr);
        (r, doc)
    };
    let (r, first) = check(&one);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(first["summary"]["scan"]["cached"], 0);
    let (r, other) = check(&two);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        other["summary"]["scan"]["cached"], 1,
        "{}",
        other["summary"]
    );
    assert_eq!(other["findings"], first["findings"]);
    // Nothing of it in either project.
    for ws in [&one, &two] {
        assert!(!ws.join("target/entitycheck").exists());
    }
}
