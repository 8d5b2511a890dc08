//! Integration tests: the real binary on fixture workspaces under `tests/fixtures/`.
//!
//! Everything is offline: path dependencies, a vendored directory source, and a local git
//! repository and a local registry standing in for crates.io, both made at test time. All modules compile into this one test binary.

mod archives;
mod attribution;
mod beyond;
mod caches;
mod certify;
mod check;
mod ci;
mod cli;
mod deep;
mod disguise;
mod formats;
mod hostile;
mod lists;
mod policy;
mod sbom;
mod sources;
mod sweep;
mod unchanged;

/// Generators of test binaries and archives, shared by the modules that plant them.
#[allow(dead_code)]
#[path = "../../src/evidence/testgen.rs"]
mod testgen;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixed date the tests evaluate the policy at, so reports do not change with the calendar.
pub const AS_OF: &str = "2026-11-22";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn manifest(name: &str) -> String {
    fixture(name)
        .join("Cargo.toml")
        .to_string_lossy()
        .into_owned()
}

/// A command for the binary, as cargo would invoke it (`cargo-entitycheck entitycheck …`),
/// with a clean colour environment.
pub fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-entitycheck"));
    c.arg("entitycheck");
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    // Cargo's colour setting and CI's `--locked` default are tested where they are meant.
    c.env_remove("CARGO_TERM_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CI");
    // Keep build output out of the fixtures, and the caches out of the user's own cache
    // directory (tests that look at a cache name their own).
    c.env(
        "CARGO_TARGET_DIR",
        std::env::temp_dir().join("cargo-entitycheck-it-target"),
    );
    c.env(
        "CARGO_ENTITYCHECK_CACHE_DIR",
        std::env::temp_dir().join("cargo-entitycheck-it-cache"),
    );
    c
}

/// The scan cache in a cache directory (the directory `scan-v<format>`: the format is the
/// tool's).
pub fn scan_cache_in(dir: &Path) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("scan-v"))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one scan cache in {}: {found:?}",
        dir.display()
    );
    found.pop().unwrap()
}

/// Every file of a scan cache directory, by its path relative to it.
pub fn cache_files(cache: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(cache)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(cache).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Writes `files` (as [`cache_files`] reads them) as a scan cache directory at `cache`.
pub fn write_cache_files(cache: &Path, files: &std::collections::BTreeMap<PathBuf, Vec<u8>>) {
    for (rel, bytes) in files {
        let path = cache.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub fn run(args: &[&str]) -> Run {
    cmd().args(args).output().expect("run the binary").into()
}

/// `check --format json` on a fixture, parsed.
pub fn check_json(fixture_name: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let m = manifest(fixture_name);
    // No scan cache: each run reads the fixture afresh.
    let mut args = vec![
        "--manifest-path",
        &m,
        "--offline",
        "--format",
        "json",
        "--no-cache",
    ];
    if !extra.contains(&"--as-of") {
        args.extend(["--as-of", AS_OF]);
    }
    args.extend_from_slice(extra);
    let r = run(&args);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    let v =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}", r.stdout));
    (r.code, v)
}

/// (package, entity id, confidence, verdict) of every finding, sorted.
pub fn verdicts(doc: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap().to_string(),
                f["entity"]["id"].as_str().unwrap().to_string(),
                f["confidence"].as_str().unwrap().to_string(),
                f["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The verdicts of one package, mentions (informational) left out.
pub fn of(doc: &serde_json::Value, package: &str) -> Vec<(String, String, String)> {
    verdicts(doc)
        .into_iter()
        .filter(|(p, _, _, v)| p == package && v != "info")
        .map(|(_, e, c, v)| (e, c, v))
        .collect()
}

/// The evidence fields of one package's informational (mention) findings.
pub fn mentions(doc: &serde_json::Value, package: &str) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"]["name"] == package && f["verdict"] == "info")
        .map(|f| f["evidence"]["field"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Replaces the run time at the end of a human report's summary line, so it can be snapshotted.
pub fn redact_elapsed(s: &str) -> String {
    s.lines()
        .map(|l| match l.rfind("; ") {
            Some(i) if l.starts_with("Summary:") && l.ends_with('s') => {
                format!("{}; [elapsed]", &l[..i])
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
