//! Graph stage, unchanged inputs: what `cargo metadata`'s answer depends on, recorded beside
//! the graph cache, so that a run whose inputs are all as they were need not ask cargo again.
//!
//! A stale graph would be a silent pass, so the record errs towards asking cargo: it holds the
//! content digest of every file cargo reads to answer (every manifest that is not an immutable
//! registry or git package, the lockfile, every configuration and toolchain file cargo looks
//! for from where it runs, present or not), the listing of every directory whose entries decide
//! what cargo finds (workspace member globs, each path package's target directories), the
//! programs it runs (path, size and modification time), and the environment that steers cargo
//! and rustup. Any difference, any file that cannot be read, a member glob this module cannot
//! follow (`**`) or a record over [`MAX_ENTRIES`], and cargo is asked as before.

use std::path::{Path, PathBuf};

use camino::Utf8Path;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::metadata::MetadataPlan;
use crate::fsio::Limits;

/// The most entries a record holds; a larger workspace is answered by cargo each time.
pub const MAX_ENTRIES: usize = 50_000;

/// What one run's `cargo metadata` answer depended on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    kind: Kind,
    path: PathBuf,
    /// What [`Kind::digest`] says of `path` (`absent` when there is nothing there).
    digest: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Kind {
    /// A file's content.
    File,
    /// A directory's entries: names and types.
    Dir,
    /// A program: its real path, size and modification time.
    Program,
    /// The environment variables that steer cargo and rustup (`path` is empty).
    Env,
    /// The directory cargo runs in (`path`), as a value.
    RunsIn,
}

impl Kind {
    /// The digest of a file or directory; `None`: it could not be read (then nothing can be
    /// shown unchanged). The other kinds are taken from the plan (see `Inputs::take`).
    fn digest(self, path: &Path, limits: &Limits) -> Option<String> {
        match self {
            Kind::File => file_digest(path, limits),
            Kind::Dir => dir_digest(path),
            Kind::Program | Kind::Env | Kind::RunsIn => None,
        }
    }
}

const ABSENT: &str = "absent";

fn file_digest(path: &Path, limits: &Limits) -> Option<String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(ABSENT.into()),
        Err(_) => return None,
        Ok(_) => {}
    }
    // Followed like cargo follows it (a linked manifest is read through the link), bounded.
    let bytes = crate::fsio::read_bounded(path, crate::fsio::ReadKind::Manifest, limits)
        .or_else(|_| crate::fsio::read_named(path, crate::fsio::ReadKind::Manifest, limits))
        .ok()?;
    Some(hex::encode(Sha256::digest(bytes)))
}

fn dir_digest(path: &Path) -> Option<String> {
    let rd = match std::fs::read_dir(path) {
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound) => return Some(ABSENT.into()),
        // A file where a directory was: a listing of its own kind.
        Err(_) if path.is_file() => return Some("file".into()),
        Err(_) => return None,
        Ok(rd) => rd,
    };
    let mut names: Vec<String> = Vec::new();
    for e in rd {
        let e = e.ok()?;
        let t = e.file_type().ok()?;
        let kind = if t.is_dir() {
            'd'
        } else if t.is_symlink() {
            'l'
        } else {
            'f'
        };
        names.push(format!("{kind}{}", e.file_name().to_string_lossy()));
    }
    names.sort_unstable();
    let mut h = Sha256::new();
    for n in names {
        h.update(n.as_bytes());
        h.update([0]);
    }
    Some(hex::encode(h.finalize()))
}

fn program_digest(path: &Path) -> Option<String> {
    let real = path.canonicalize().ok()?;
    let meta = std::fs::metadata(&real).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {} {}",
        real.display(),
        meta.len(),
        mtime.as_nanos()
    ))
}

/// Whether an environment variable may change what `cargo metadata` answers or which cargo
/// answers: cargo's and rustup's own, rustc's, and the home directory their defaults hang on.
fn steers_cargo(name: &str) -> bool {
    ["CARGO", "RUSTUP", "RUSTC", "RUST"]
        .iter()
        .any(|p| name.starts_with(p))
        || matches!(name, "HOME" | "USERPROFILE")
}

fn env_digest() -> String {
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| {
            let k = k.to_string_lossy().into_owned();
            steers_cargo(&k).then(|| (k, v.to_string_lossy().into_owned()))
        })
        .collect();
    vars.sort_unstable();
    let mut h = Sha256::new();
    for (k, v) in vars {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// Directories of a path package whose entries decide which targets cargo finds in it
/// (`build.rs`, `src/main.rs`, `src/bin/*`, `examples/*`, `tests/*`, `benches/*`, and the
/// `main.rs` of each of their subdirectories).
fn target_dirs(pkg: &Path, out: &mut Vec<PathBuf>) {
    out.push(pkg.to_path_buf());
    out.push(pkg.join("src"));
    for d in ["src/bin", "examples", "tests", "benches"] {
        let d = pkg.join(d);
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    out.push(e.path());
                }
            }
        }
        out.push(d);
    }
}

/// The directories a workspace member glob (`crates/*`) is matched in, and the manifests it may
/// find; `None` for a glob this module does not follow (`**`).
fn glob_places(
    root: &Path,
    pattern: &str,
    dirs: &mut Vec<PathBuf>,
    files: &mut Vec<PathBuf>,
) -> Option<()> {
    let mut level = vec![root.to_path_buf()];
    for c in pattern
        .split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
    {
        if c == "**" {
            return None;
        }
        if c.contains(['*', '?', '[']) {
            let mut next = Vec::new();
            for d in &level {
                dirs.push(d.clone());
                if let Ok(rd) = std::fs::read_dir(d) {
                    next.extend(
                        rd.flatten()
                            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                            .map(|e| e.path()),
                    );
                }
            }
            level = next;
        } else {
            level = level.iter().map(|d| d.join(c)).collect();
        }
        if level.len() > MAX_ENTRIES {
            return None;
        }
    }
    files.extend(level.into_iter().map(|d| d.join("Cargo.toml")));
    Some(())
}

/// The workspace's member globs (`members`, `default-members`, `exclude`), from its root
/// manifest; `None` when it cannot be read.
fn member_globs(root_manifest: &Path, limits: &Limits) -> Option<Vec<String>> {
    let text = crate::fsio::read_text(root_manifest, crate::fsio::ReadKind::Manifest, true, limits)
        .ok()?;
    let doc: toml::Table = text.parse().ok()?;
    let Some(ws) = doc.get("workspace").and_then(toml::Value::as_table) else {
        return Some(Vec::new());
    };
    Some(
        ["members", "default-members", "exclude"]
            .iter()
            .filter_map(|k| ws.get(*k).and_then(toml::Value::as_array))
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

impl Inputs {
    /// Records what the answer of `plan`'s `cargo metadata` for the workspace at `root`
    /// depended on, right after it ran. `manifests`: the manifest of every package whose
    /// content is not pinned by the lockfile (workspace members, path and vendored packages).
    /// `None` when something cannot be recorded (the shortcut is then not taken).
    pub fn record<'a>(
        plan: &MetadataPlan,
        root: &Utf8Path,
        cargo_home: Option<&Utf8Path>,
        manifests: impl IntoIterator<Item = &'a Utf8Path>,
    ) -> Option<Inputs> {
        let root = root.as_std_path();
        let mut files: Vec<PathBuf> = vec![root.join("Cargo.toml"), root.join("Cargo.lock")];
        let mut dirs: Vec<PathBuf> = Vec::new();
        // Configuration and toolchain files cargo and rustup look for, from where cargo runs and
        // from the workspace root (a workspace is looked for upwards too).
        let run_dir = run_dir(plan);
        for start in [run_dir.as_path(), root] {
            for a in start.ancestors() {
                for name in [
                    ".cargo/config.toml",
                    ".cargo/config",
                    "rust-toolchain.toml",
                    "rust-toolchain",
                    "Cargo.toml",
                ] {
                    files.push(a.join(name));
                }
            }
        }
        if let Some(home) = cargo_home {
            files.push(home.join("config.toml").into_std_path_buf());
            files.push(home.join("config").into_std_path_buf());
        }
        for glob in member_globs(&root.join("Cargo.toml"), &plan.limits)? {
            glob_places(root, &glob, &mut dirs, &mut files)?;
        }
        for m in manifests {
            files.push(m.as_std_path().to_path_buf());
            if let Some(pkg) = m.parent() {
                target_dirs(pkg.as_std_path(), &mut dirs);
            }
        }
        files.sort_unstable();
        files.dedup();
        dirs.sort_unstable();
        dirs.dedup();
        if files.len() + dirs.len() > MAX_ENTRIES {
            return None;
        }
        let paths = files
            .into_iter()
            .map(|p| (Kind::File, p))
            .chain(dirs.into_iter().map(|p| (Kind::Dir, p)));
        Inputs::take(plan, paths)
    }

    /// The record of `paths` (each read as its kind), with where `plan` runs cargo, the
    /// environment and the programs it starts: `None` when something cannot be read.
    fn take(
        plan: &MetadataPlan,
        paths: impl IntoIterator<Item = (Kind, PathBuf)>,
    ) -> Option<Inputs> {
        let mut entries = vec![
            Entry {
                kind: Kind::RunsIn,
                path: run_dir(plan),
                digest: String::new(),
            },
            Entry {
                kind: Kind::Env,
                path: PathBuf::new(),
                digest: env_digest(),
            },
        ];
        for program in [&plan.toolchain.cargo, &plan.toolchain.rustc] {
            entries.push(Entry {
                kind: Kind::Program,
                digest: program_digest(program)?,
                path: program.clone(),
            });
        }
        for (kind, path) in paths {
            entries.push(Entry {
                kind,
                digest: kind.digest(&path, &plan.limits)?,
                path,
            });
        }
        Some(Inputs { entries })
    }

    /// The same record taken again now: after a run whose `cargo metadata` printed what it
    /// printed last time although an input changed (a comment in a manifest), the packages and
    /// so the inputs to record are the same ones, with their new digests.
    pub fn refreshed(&self, plan: &MetadataPlan) -> Option<Inputs> {
        let paths = self
            .entries
            .iter()
            .filter(|e| matches!(e.kind, Kind::File | Kind::Dir))
            .map(|e| (e.kind, e.path.clone()));
        Inputs::take(plan, paths)
    }

    /// Whether every input is as recorded, for a run that would start cargo as `plan` does
    /// (in the same directory, with the same programs).
    pub fn unchanged(&self, plan: &MetadataPlan) -> bool {
        self.refreshed(plan).as_ref() == Some(self)
    }
}

/// Where `plan` runs cargo, as a real path.
fn run_dir(plan: &MetadataPlan) -> PathBuf {
    plan.project_dir
        .canonicalize()
        .unwrap_or_else(|_| plan.project_dir.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_list_the_directories_they_match_in() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("crates/a")).unwrap();
        std::fs::create_dir_all(d.path().join("crates/b/nested")).unwrap();
        let (mut dirs, mut files) = (Vec::new(), Vec::new());
        glob_places(d.path(), "crates/*", &mut dirs, &mut files).unwrap();
        assert_eq!(dirs, vec![d.path().join("crates")]);
        files.sort();
        assert_eq!(
            files,
            vec![
                d.path().join("crates/a/Cargo.toml"),
                d.path().join("crates/b/Cargo.toml")
            ]
        );
        assert!(glob_places(d.path(), "crates/**", &mut dirs, &mut files).is_none());
    }

    #[test]
    fn digests_tell_absent_from_present_and_listings_apart() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("Cargo.toml");
        let file_digest = |p: &Path| file_digest(p, &Limits::DEFAULT);
        assert_eq!(file_digest(&f).as_deref(), Some(ABSENT));
        std::fs::write(&f, "a").unwrap();
        let one = file_digest(&f).unwrap();
        std::fs::write(&f, "b").unwrap();
        assert_ne!(file_digest(&f).unwrap(), one);
        let before = dir_digest(d.path()).unwrap();
        std::fs::create_dir(d.path().join("src")).unwrap();
        assert_ne!(dir_digest(d.path()).unwrap(), before);
        assert_eq!(dir_digest(&d.path().join("none")).as_deref(), Some(ABSENT));
    }

    #[test]
    fn cargo_and_rustup_variables_steer_and_others_do_not() {
        for v in [
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "RUSTUP_TOOLCHAIN",
            "RUSTC",
            "RUSTFLAGS",
            "HOME",
        ] {
            assert!(steers_cargo(v), "{v}");
        }
        for v in ["PATH", "TERM", "GITHUB_SHA"] {
            assert!(!steers_cargo(v), "{v}");
        }
    }
}
