//! Evidence stage, build outputs: the target directory after `cargo build` → what each screened
//! package's build script produced (its `OUT_DIR`) and printed (cargo's record of its
//! `cargo:` directives), as evidence of that package.
//!
//! A `-sys` crate that downloads or generates a vendor SDK at build time carries nothing of it
//! in its package: the SDK lands in `OUT_DIR` and its link directives in
//! `target/<profile>/build/<pkg>-<hash>/output`. Build directories are mapped to packages
//! without guessing where cargo says (`--build-messages`, the JSON of
//! `cargo build --message-format=json`); else by the directory layout, saying when it is
//! ambiguous.

use std::collections::{BTreeMap, BTreeSet};

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::evidence::deep::{PackageScan, Scanner};
use crate::evidence::{Evidence, Field, Location, Role, Shape, clip};

/// What `--build-outputs` was given.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildOutputsOptions {
    /// `cargo build --message-format=json` output.
    pub messages: Option<Utf8PathBuf>,
}

/// A screened package that has a build script.
#[derive(Debug, Clone)]
pub struct BuildPackage {
    pub id: String,
    pub name: String,
}

/// One run of a build script, as found in the target directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BuildRun {
    /// `target/<profile>/build/<pkg>-<hash>` (the run's directory).
    pub dir: Utf8PathBuf,
    pub out_dir: Utf8PathBuf,
    /// From a `build-script-executed` message, when the `output` file is not there.
    pub printed: Vec<(String, String)>,
}

/// The build runs of each package (by package id), and notes on how they were mapped.
#[derive(Debug, Default)]
pub struct Located {
    pub runs: BTreeMap<String, Vec<BuildRun>>,
    /// Packages whose runs were mapped by directory name among several candidates.
    pub ambiguous: BTreeSet<String>,
    pub notes: Vec<String>,
}

/// Finds the build runs of `packages` under `target_dir`: from cargo's JSON messages when
/// given, else from the directory layout (every profile, every target triple).
pub fn locate(
    target_dir: &Utf8Path,
    packages: &[BuildPackage],
    messages: Option<&Utf8Path>,
    limits: &crate::fsio::Limits,
) -> Result<Located, InputError> {
    match messages {
        Some(m) => from_messages(m, packages, limits),
        None => Ok(from_layout(target_dir, packages)),
    }
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    package_id: Option<String>,
    #[serde(default)]
    out_dir: Option<Utf8PathBuf>,
    #[serde(default)]
    linked_libs: Vec<String>,
    #[serde(default)]
    linked_paths: Vec<String>,
    #[serde(default)]
    env: Vec<(String, String)>,
}

fn from_messages(
    path: &Utf8Path,
    packages: &[BuildPackage],
    limits: &crate::fsio::Limits,
) -> Result<Located, InputError> {
    // Named by the user (`--build-messages`): a link followed, but a regular file only, and
    // bounded like saved metadata.
    let text = crate::fsio::read_text(path, crate::fsio::ReadKind::Metadata, true, limits)
        .map_err(|e| InputError::read(path, e))?;
    let ids: BTreeSet<&str> = packages.iter().map(|p| p.id.as_str()).collect();
    let mut out = Located::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        // cargo's human messages may be interleaved when stderr was captured too.
        if !line.starts_with('{') {
            continue;
        }
        let m: Message = serde_json::from_str(line).map_err(|e| {
            InputError::Usage(format!("{path}:{}: not a cargo JSON message: {e}", i + 1))
        })?;
        if m.reason != "build-script-executed" {
            continue;
        }
        let (Some(id), Some(out_dir)) = (m.package_id, m.out_dir) else {
            return Err(InputError::Usage(format!(
                "{path}:{}: a build-script-executed message without package_id or out_dir",
                i + 1
            )));
        };
        if !ids.contains(id.as_str()) {
            continue;
        }
        let mut printed = Vec::new();
        printed.extend(
            m.linked_libs
                .into_iter()
                .map(|v| ("rustc-link-lib".into(), v)),
        );
        printed.extend(
            m.linked_paths
                .into_iter()
                .map(|v| ("rustc-link-search".into(), v)),
        );
        printed.extend(
            m.env
                .into_iter()
                .map(|(k, v)| ("rustc-env".into(), format!("{k}={v}"))),
        );
        let dir = out_dir
            .parent()
            .map(Utf8Path::to_path_buf)
            .unwrap_or_else(|| out_dir.clone());
        out.runs.entry(id).or_default().push(BuildRun {
            dir,
            out_dir,
            printed,
        });
    }
    let missing: Vec<&str> = packages
        .iter()
        .filter(|p| !out.runs.contains_key(&p.id))
        .map(|p| p.name.as_str())
        .collect();
    if !missing.is_empty() {
        out.notes.push(format!(
            "{path} has no build-script-executed message for: {} (not built, or built before these messages)",
            missing.join(", ")
        ));
    }
    for runs in out.runs.values_mut() {
        runs.sort();
        runs.dedup();
    }
    Ok(out)
}

/// Directories holding `build/`: `target/<profile>` and `target/<triple>/<profile>`.
fn profile_dirs(target_dir: &Utf8Path) -> Vec<Utf8PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = target_dir.read_dir_utf8() else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path().to_path_buf();
        if !p.is_dir() {
            continue;
        }
        if p.join("build").is_dir() {
            out.push(p.clone());
        }
        // A target triple's directory holds profiles of its own.
        if let Ok(sub) = p.read_dir_utf8() {
            for s in sub.flatten() {
                if s.path().join("build").is_dir() {
                    out.push(s.path().to_path_buf());
                }
            }
        }
    }
    out.sort();
    out
}

/// `name-0123456789abcdef` → `name` (cargo's metadata hash is 16 hex digits).
fn split_hash(dir_name: &str) -> Option<&str> {
    let (name, hash) = dir_name.rsplit_once('-')?;
    (hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) && !name.is_empty())
        .then_some(name)
}

fn from_layout(target_dir: &Utf8Path, packages: &[BuildPackage]) -> Located {
    // Every run directory (one with `out/` or `output`; the script's compile directory has
    // neither), by package name.
    let mut by_name: BTreeMap<String, Vec<BuildRun>> = BTreeMap::new();
    for profile in profile_dirs(target_dir) {
        let Ok(rd) = profile.join("build").read_dir_utf8() else {
            continue;
        };
        for e in rd.flatten() {
            let dir = e.path().to_path_buf();
            let Some(name) = split_hash(e.file_name()) else {
                continue;
            };
            if dir.join("out").is_dir() || dir.join("output").is_file() {
                by_name.entry(name.to_string()).or_default().push(BuildRun {
                    out_dir: dir.join("out"),
                    dir,
                    printed: Vec::new(),
                });
            }
        }
    }
    let mut out = Located::default();
    let mut per_name: BTreeMap<&str, Vec<&BuildPackage>> = BTreeMap::new();
    for p in packages {
        per_name.entry(p.name.as_str()).or_default().push(p);
    }
    let mut none = Vec::new();
    for (name, pkgs) in per_name {
        let Some(runs) = by_name.get(name) else {
            none.push(name);
            continue;
        };
        // One run for one package is the package's; several runs (two versions, two profiles
        // or feature sets, stale builds) cannot be told apart by the layout: all are screened
        // as evidence of every package of that name, and the mapping is said to be ambiguous.
        let ambiguous = runs.len() > 1 || pkgs.len() > 1;
        if ambiguous {
            let dirs: Vec<String> = runs
                .iter()
                .map(|r| r.dir.strip_prefix(target_dir).unwrap_or(&r.dir).to_string())
                .collect();
            out.notes.push(format!(
                "build outputs of `{name}`: {} build directories ({}) for {} screened package(s), mapped by name only: ambiguous, all screened (pass --build-messages for an exact mapping)",
                runs.len(),
                dirs.join(", "),
                pkgs.len()
            ));
        }
        for p in pkgs {
            if ambiguous {
                out.ambiguous.insert(p.id.clone());
            }
            out.runs.insert(p.id.clone(), runs.clone());
        }
    }
    if !none.is_empty() {
        out.notes.push(format!(
            "no build output under {target_dir} for: {} (run `cargo build` first)",
            none.join(", ")
        ));
    }
    out
}

/// Reads cargo's record of what a build script printed (`output`): each `cargo:` / `cargo::`
/// directive that says what is linked or set, as evidence.
pub fn parse_output(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line
            .strip_prefix("cargo::")
            .or_else(|| line.strip_prefix("cargo:"))
        else {
            continue;
        };
        let Some((key, value)) = rest.split_once('=') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match key {
            "rustc-link-lib"
            | "rustc-link-search"
            | "rustc-link-arg"
            | "rustc-link-arg-bins"
            | "rustc-link-arg-bin"
            | "rustc-link-arg-tests"
            | "rustc-link-arg-examples"
            | "rustc-link-arg-benches"
            | "rustc-cdylib-link-arg"
            | "rustc-env"
            | "rustc-flags"
            | "rustc-cfg"
            | "metadata"
            | "warning"
            | "error" => out.push((key.to_string(), value.to_string())),
            // Change tracking says nothing about who made anything.
            "rerun-if-changed" | "rerun-if-env-changed" | "rustc-check-cfg" => {}
            // The old syntax's `cargo:KEY=VALUE` is metadata for dependents (`links`).
            _ if !line.starts_with("cargo::") => {
                out.push(("metadata".to_string(), format!("{key}={value}")))
            }
            _ => {}
        }
    }
    out
}

/// A directive as evidence: what is linked or set is attribution; metadata and messages for
/// the person building only talk about something.
fn directive_evidence(key: &str, value: &str) -> Evidence {
    let role = match key {
        "metadata" | "warning" | "error" | "rustc-cfg" => Role::Mention,
        _ => Role::Attribution,
    };
    // `KIND=NAME` / `KIND=PATH`: the name or path is what identifies the library.
    let text = match key {
        "rustc-link-lib" | "rustc-link-search" => value.rsplit_once('=').map_or(value, |(_, v)| v),
        _ => value,
    };
    Evidence::new(
        Field::BuildPrinted(key.to_string()),
        role,
        Shape::Text,
        clip(text),
    )
}

/// What one package's build runs produced, as evidence (only what matched is kept by the caller).
pub fn scan_runs(
    runs: &[BuildRun],
    ambiguous: bool,
    scanner: &Scanner,
    target_dir: &Utf8Path,
    limits: &crate::fsio::Limits,
) -> PackageScan {
    let mut total = PackageScan::default();
    for run in runs {
        let rel_dir = run
            .dir
            .strip_prefix(target_dir)
            .unwrap_or(&run.dir)
            .to_string();
        let mut printed = run.printed.clone();
        let output = run.dir.join("output");
        // In the target directory, which the project may have committed: the bounded reader
        // (no link, no FIFO or device, at most its bound).
        match crate::fsio::read_bounded(&output, crate::fsio::ReadKind::BuildOutput, limits) {
            Ok(bytes) => printed.extend(parse_output(&String::from_utf8_lossy(&bytes))),
            Err(crate::fsio::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                total.skipped.push(crate::evidence::deep::Skipped {
                    file: format!("{rel_dir}/output"),
                    kind: crate::evidence::deep::SkipKind::Unreadable,
                    reason: format!("build script output unreadable: {e}"),
                });
            }
        }
        for (key, value) in printed {
            let mut e = directive_evidence(&key, &value);
            e.location = Some(Location {
                file: format!("{rel_dir}/output"),
                line: None,
            });
            total.evidence.push(e);
        }
        if run.out_dir.is_dir() {
            let scan = scanner.scan_files(&run.out_dir, &[]);
            total.files += scan.files;
            total.bytes += scan.bytes;
            for mut e in scan.evidence {
                e.field = Field::BuildOutput {
                    ambiguous,
                    inner: Box::new(e.field),
                };
                if let Some(l) = &mut e.location {
                    l.file = format!("OUT_DIR/{}", l.file);
                }
                total.evidence.push(e);
            }
            total
                .binaries
                .extend(scan.binaries.into_iter().map(|mut b| {
                    b.file = format!("OUT_DIR/{}", b.file);
                    b
                }));
            total.skipped.extend(scan.skipped.into_iter().map(|mut s| {
                s.file = format!("{rel_dir}/out/{}", s.file);
                s
            }));
        }
    }
    total.evidence.sort();
    total.evidence.dedup();
    total.binaries.sort();
    total.binaries.dedup();
    total.skipped.sort();
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_directives_both_syntaxes() {
        let text = "cargo:rerun-if-changed=build.rs\n\
                    cargo:rustc-link-search=native=/opt/kaspersky/kavsdk/lib\n\
                    cargo::rustc-link-lib=dylib=kavsdk\n\
                    cargo:rustc-env=SDK_HOME=/opt/kav\n\
                    cargo:root=/tmp/x\n\
                    cargo::metadata=include=/x/include\n\
                    cargo::unknown-new=ignored\n\
                    not a directive\n";
        let got = parse_output(text);
        assert_eq!(
            got,
            [
                (
                    "rustc-link-search".into(),
                    "native=/opt/kaspersky/kavsdk/lib".into()
                ),
                ("rustc-link-lib".into(), "dylib=kavsdk".into()),
                ("rustc-env".into(), "SDK_HOME=/opt/kav".into()),
                ("metadata".into(), "root=/tmp/x".into()),
                ("metadata".into(), "include=/x/include".into()),
            ]
            .map(|(a, b): (String, String)| (a, b))
        );
        let e = directive_evidence("rustc-link-lib", "dylib=kavsdk");
        assert_eq!(
            (e.field.to_string().as_str(), e.text.as_str(), e.role),
            (
                "build script printed rustc-link-lib",
                "kavsdk",
                Role::Attribution
            )
        );
        assert_eq!(directive_evidence("metadata", "a=b").role, Role::Mention);
    }

    #[test]
    fn hashes_split_from_names() {
        assert_eq!(split_hash("kav-sys-0123456789abcdef"), Some("kav-sys"));
        assert_eq!(split_hash("libc-0123456789ABCDEF"), Some("libc"));
        assert_eq!(split_hash("kav-sys-0123"), None);
        assert_eq!(split_hash("-0123456789abcdef"), None);
    }

    fn mkrun(target: &Utf8Path, rel: &str, output: &str) {
        let dir = target.join(rel);
        std::fs::create_dir_all(dir.join("out")).unwrap();
        std::fs::write(dir.join("output"), output).unwrap();
    }

    #[test]
    fn layout_maps_profiles_and_triples_and_says_when_ambiguous() {
        let tmp = tempfile::tempdir().unwrap();
        let t = Utf8Path::from_path(tmp.path()).unwrap();
        mkrun(t, "debug/build/kav-sys-0123456789abcdef", "");
        // The script's compile directory: neither `out/` nor `output`.
        std::fs::create_dir_all(t.join("debug/build/kav-sys-fedcba9876543210")).unwrap();
        mkrun(
            t,
            "x86_64-pc-windows-gnu/release/build/win-av-1111111111111111",
            "",
        );
        mkrun(t, "profiling/build/win-av-2222222222222222", "");
        let pkgs = [
            BuildPackage {
                id: "kav".into(),
                name: "kav-sys".into(),
            },
            BuildPackage {
                id: "win".into(),
                name: "win-av".into(),
            },
            BuildPackage {
                id: "none".into(),
                name: "never-built".into(),
            },
        ];
        let l = locate(t, &pkgs, None, &crate::fsio::Limits::DEFAULT).unwrap();
        assert_eq!(l.runs["kav"].len(), 1);
        assert_eq!(l.runs["win"].len(), 2);
        assert!(!l.ambiguous.contains("kav"));
        assert!(l.ambiguous.contains("win"));
        assert!(!l.runs.contains_key("none"));
        let notes = l.notes.join("\n");
        assert!(notes.contains("`win-av`: 2 build directories"), "{notes}");
        assert!(notes.contains("never-built"), "{notes}");
    }

    #[test]
    fn messages_map_exactly_and_reject_garbage() {
        let tmp = tempfile::tempdir().unwrap();
        let t = Utf8Path::from_path(tmp.path()).unwrap();
        let out_dir = t.join("debug/build/kav-sys-0123456789abcdef/out");
        let json = format!(
            "{{\"reason\":\"compiler-artifact\",\"package_id\":\"x\"}}\n\
             {{\"reason\":\"build-script-executed\",\"package_id\":\"kav\",\"linked_libs\":[\"static=kavsdk\"],\"linked_paths\":[],\"cfgs\":[],\"env\":[[\"K\",\"v\"]],\"out_dir\":\"{out_dir}\"}}\n\
             {{\"reason\":\"build-finished\",\"success\":true}}\n"
        );
        let m = t.join("messages.json");
        std::fs::write(&m, json).unwrap();
        let pkgs = [BuildPackage {
            id: "kav".into(),
            name: "kav-sys".into(),
        }];
        let l = locate(t, &pkgs, Some(&m), &crate::fsio::Limits::DEFAULT).unwrap();
        let runs = &l.runs["kav"];
        assert_eq!(runs[0].out_dir, out_dir);
        assert_eq!(
            runs[0].printed,
            [
                ("rustc-link-lib".to_string(), "static=kavsdk".to_string()),
                ("rustc-env".to_string(), "K=v".to_string())
            ]
        );
        std::fs::write(&m, "{\"reason\": 3\n").unwrap();
        let e = locate(t, &pkgs, Some(&m), &crate::fsio::Limits::DEFAULT)
            .unwrap_err()
            .to_string();
        assert!(e.contains("messages.json:1"), "{e}");
    }
}
