//! Evidence stage, head start: scan the registry packages that `Cargo.lock` names while
//! `cargo metadata` is still running.
//!
//! `cargo metadata` takes a good part of a second on a large workspace and leaves a core idle;
//! the registry packages it will report are, almost always, the ones the lockfile pins, already
//! unpacked under `$CARGO_HOME/registry/src/`. Their file pass (the expensive part of the deep
//! scan) does not depend on anything the graph says, so it can start first.
//!
//! Nothing here is trusted: a head-start scan is used only for a package that `cargo metadata`
//! then reports with the same name, version, registry source and directory, and whose directory
//! does not hold the target directory. Everything else (a lockfile cargo rewrites, packages of
//! platforms or features not screened, a registry directory that is ambiguous or missing) is
//! scanned the normal way or thrown away. The build script's directives are added afterwards,
//! from the path `cargo metadata` gives.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use camino::{Utf8Path, Utf8PathBuf};
use rayon::prelude::*;
use serde::Deserialize;

use super::scan::Cache;
use crate::evidence::deep::{PackageScan, Scanner};
use crate::graph::SourceKind;

/// A registry package pinned by the lockfile, with its unpacked directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub name: String,
    pub version: String,
    /// The lockfile's `source`, as `cargo metadata` reports it (`registry+https://…`).
    pub source: String,
    pub dir: Utf8PathBuf,
}

/// The scans made ahead of the graph, by package directory.
#[derive(Default)]
pub struct HeadStart {
    scans: Mutex<HashMap<Utf8PathBuf, (Locked, PackageScan)>>,
    /// How many packages were scanned ahead.
    pub scanned: usize,
}

impl HeadStart {
    /// The head-start scan of the package at `dir`, if one was made for exactly this package.
    pub fn take(
        &self,
        name: &str,
        version: &str,
        source: &SourceKind,
        dir: &Utf8Path,
        target_dir: &Utf8Path,
    ) -> Option<PackageScan> {
        let SourceKind::Registry { url } = source else {
            return None;
        };
        if target_dir.starts_with(dir) {
            return None; // the normal scan prunes the target directory; this one did not
        }
        let mut scans = self.scans.lock().ok()?;
        let (locked, _) = scans.get(dir)?;
        if locked.name != name || locked.version != version || &locked.source != url {
            return None;
        }
        scans.remove(dir).map(|(_, scan)| scan)
    }

    /// Keeps the file passes nobody took in `cache`, under [`Cache::files_key`].
    pub fn keep_unused(self, cache: &Cache) {
        let scans = self.scans.into_inner().unwrap_or_default();
        for (locked, scan) in scans.into_values() {
            let source = SourceKind::Registry { url: locked.source };
            if let Some(key) = cache.key(&locked.name, &locked.version, &source, &locked.dir) {
                cache.put(Cache::files_key(&key), &scan);
            }
        }
    }
}

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<LockedEntry>,
}

/// A package as `Cargo.lock` pins it.
#[derive(Debug, Clone, Deserialize)]
pub struct LockedEntry {
    pub name: String,
    pub version: String,
    pub source: Option<String>,
    /// The SHA-256 of the registry's `.crate` file (lockfile format 2 and later).
    pub checksum: Option<String>,
}

/// The largest lockfile the head start reads (a lockfile of thousands of packages is well
/// under a megabyte); a larger one only means no head start.
const MAX_LOCKFILE_BYTES: u64 = 64 * 1024 * 1024;

/// The packages `lockfile` pins. `None` if it cannot be read (not a regular file, a link, over
/// 64 MiB) or is not a lockfile.
pub fn read_lockfile(lockfile: &Utf8Path) -> Option<Vec<LockedEntry>> {
    let bytes = super::scan::read_bounded(lockfile, MAX_LOCKFILE_BYTES)?;
    let text = std::str::from_utf8(&bytes).ok()?;
    toml::from_str::<Lockfile>(text).ok().map(|l| l.package)
}

/// Whether `name` is a name cargo accepts for a package: ASCII letters, digits, `-` and `_`,
/// starting with a letter or `_`, at most 64 characters. Nothing else may become part of a path.
pub fn valid_package_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether `version` is a semantic version (as every registry version is).
pub fn valid_version(version: &str) -> bool {
    semver::Version::parse(version).is_ok()
}

/// The checksums the lockfile records, for [`Cache::with_checksums`].
pub fn checksums(entries: &[LockedEntry]) -> HashMap<String, String> {
    entries
        .iter()
        .filter_map(|e| {
            let key = Cache::checksum_key(&e.name, &e.version, e.source.as_deref()?);
            Some((key, e.checksum.clone()?))
        })
        .collect()
}

/// The lockfile cargo will use for `manifest_path` (or the current directory): the first
/// `Cargo.lock` found going up from the manifest's directory.
pub fn find_lockfile(manifest_path: Option<&Utf8Path>) -> Option<Utf8PathBuf> {
    let start = crate::graph::start_dir(manifest_path)?;
    start
        .ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|p| p.is_file())
}

/// The registry packages of a lockfile, each with the one directory under
/// `cargo_home/registry/src/*/` that holds it unpacked. Packages not unpacked yet, or unpacked
/// under more than one registry, are left out. `None` if there are no registry sources.
///
/// The lockfile is the project's, so hostile: an entry is used only if its name is a valid
/// package name and its version a valid semantic version, and its directory is a real directory
/// (not a link) directly inside the registry's source directory, checked on the canonical
/// paths. Anything else (`name = "/elsewhere"`, `"../../x"`, a link out) is ignored.
pub fn locked_registry_packages(
    entries: &[LockedEntry],
    cargo_home: &Utf8Path,
) -> Option<Vec<Locked>> {
    let registries: Vec<(Utf8PathBuf, Utf8PathBuf)> =
        std::fs::read_dir(cargo_home.join("registry").join("src"))
            .ok()?
            .filter_map(|e| {
                let dir = Utf8PathBuf::from_path_buf(e.ok()?.path()).ok()?;
                let canonical = dir.canonicalize_utf8().ok()?;
                canonical.is_dir().then_some((dir, canonical))
            })
            .collect();
    let mut out = Vec::new();
    for p in entries {
        let Some(source) = &p.source else { continue };
        if !(source.starts_with("registry+") || source.starts_with("sparse+")) {
            continue;
        }
        if !valid_package_name(&p.name) || !valid_version(&p.version) {
            continue;
        }
        let unpacked = format!("{}-{}", p.name, p.version);
        let mut dirs = registries
            .iter()
            .filter_map(|(r, canonical)| unpacked_inside(r, canonical, &unpacked));
        let (Some(dir), None) = (dirs.next(), dirs.next()) else {
            continue;
        };
        out.push(Locked {
            name: p.name.clone(),
            version: p.version.clone(),
            source: source.clone(),
            dir,
        });
    }
    Some(out)
}

/// `registry/unpacked` if it is a real directory (not a link) holding a real `Cargo.toml`, and
/// its canonical path is directly inside `canonical` (the registry's).
fn unpacked_inside(
    registry: &Utf8Path,
    canonical: &Utf8Path,
    unpacked: &str,
) -> Option<Utf8PathBuf> {
    let dir = registry.join(unpacked);
    // Cheapest first: most lockfile entries are unpacked under one registry only.
    if !std::fs::symlink_metadata(&dir).ok()?.file_type().is_dir() {
        return None;
    }
    let manifest = std::fs::symlink_metadata(dir.join("Cargo.toml")).ok()?;
    let real = dir.canonicalize_utf8().ok()?;
    (manifest.file_type().is_file() && real.parent() == Some(canonical)).then_some(dir)
}

/// Scans the file pass of every package in `locked` that `cache` does not already hold (whole
/// or as a file pass alone), stopping early when `cancel` is set (`cargo metadata` failed).
/// `keep` trims each scan as the run would (the pipeline's rule: only evidence that matches).
pub fn scan(
    locked: Vec<Locked>,
    scanner: &Scanner,
    keep: &(dyn Fn(&mut PackageScan) + Sync),
    cache: &Cache,
    cancel: &AtomicBool,
) -> HeadStart {
    let scans: HashMap<Utf8PathBuf, (Locked, PackageScan)> = locked
        .into_par_iter()
        .filter_map(|l| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let source = SourceKind::Registry {
                url: l.source.clone(),
            };
            let cached = cache
                .key(&l.name, &l.version, &source, &l.dir)
                .is_some_and(|k| cache.contains(&k) || cache.contains(&Cache::files_key(&k)));
            if cached {
                return None;
            }
            let mut scan = scanner.scan_files(&l.dir, &[]);
            keep(&mut scan);
            Some((l.dir.clone(), (l, scan)))
        })
        .collect();
    HeadStart {
        scanned: scans.len(),
        scans: Mutex::new(scans),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Utf8Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn finds_unpacked_registry_packages_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(tmp.path()).unwrap();
        let home = root.join("cargo-home");
        let src = home.join("registry/src");
        write(&src.join("index.crates.io-1/alpha-1.0.0/Cargo.toml"), "");
        write(&src.join("index.crates.io-1/both-2.0.0/Cargo.toml"), "");
        write(&src.join("other.example-2/both-2.0.0/Cargo.toml"), "");
        let ws = root.join("ws");
        write(&ws.join("member/Cargo.toml"), "");
        write(
            &ws.join("Cargo.lock"),
            r#"version = 4

[[package]]
name = "alpha"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "both"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "not-unpacked"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "from-git"
version = "0.1.0"
source = "git+https://example.org/x.git#0123456789abcdef"

[[package]]
name = "member"
version = "0.1.0"
"#,
        );
        let lock = find_lockfile(Some(&ws.join("member/Cargo.toml"))).unwrap();
        assert_eq!(lock, ws.canonicalize_utf8().unwrap().join("Cargo.lock"));
        let entries = read_lockfile(&lock).unwrap();
        let locked = locked_registry_packages(&entries, &home).unwrap();
        assert_eq!(
            locked,
            vec![Locked {
                name: "alpha".into(),
                version: "1.0.0".into(),
                source: "registry+https://github.com/rust-lang/crates.io-index".into(),
                dir: src.join("index.crates.io-1/alpha-1.0.0"),
            }]
        );
        // A lockfile that is not TOML, or a cargo home without registry sources: no head start.
        assert_eq!(
            locked_registry_packages(&entries, &root.join("nowhere")),
            None
        );
        write(&ws.join("Cargo.lock"), "[[package]\n");
        assert!(read_lockfile(&lock).is_none());
    }

    #[test]
    fn package_names_and_versions_are_validated() {
        for ok in [
            "a",
            "_a",
            "serde_json",
            "winapi-x86_64-pc-windows-gnu",
            &"a".repeat(64),
        ] {
            assert!(valid_package_name(ok), "{ok}");
        }
        for bad in [
            "",
            "1a",
            "-a",
            "/tmp/outside/dir",
            "../../x",
            "a/b",
            "a.b",
            "..",
            "a\\b",
            "é",
            &"a".repeat(65),
        ] {
            assert!(!valid_package_name(bad), "{bad}");
        }
        assert!(valid_version("1.0.0") && valid_version("0.1.0-alpha.1+build.5"));
        for bad in ["", "1", "1.0", "1.0.0/../..", "../1.0.0", "1.0.0+.."] {
            assert!(!valid_version(bad), "{bad}");
        }
    }

    /// A hostile lockfile cannot point the head start outside the registry: not by an
    /// absolute or `..` name, nor by a link planted where a package would be unpacked.
    #[test]
    fn lockfile_entries_never_lead_outside_the_registry() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(tmp.path()).unwrap();
        let home = root.join("cargo-home");
        let reg = home.join("registry/src/index.crates.io-1");
        write(&reg.join("alpha-1.0.0/Cargo.toml"), "");
        let outside = root.join("outside");
        write(&outside.join("dir-1.0.0/Cargo.toml"), "");
        write(&home.join("registry/x-1.0.0/Cargo.toml"), "");
        write(&home.join("x-1.0.0/Cargo.toml"), "");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.join("dir-1.0.0"), reg.join("linked-1.0.0")).unwrap();
        let src = "registry+https://github.com/rust-lang/crates.io-index";
        let entry = |name: &str, version: &str| LockedEntry {
            name: name.into(),
            version: version.into(),
            source: Some(src.into()),
            checksum: None,
        };
        let entries = [
            entry(outside.join("dir").as_str(), "1.0.0"),
            entry("../../x", "1.0.0"),
            entry("../x", "1.0.0"),
            entry("linked", "1.0.0"),
            entry("alpha", "1.0.0"),
        ];
        let locked = locked_registry_packages(&entries, &home).unwrap();
        let names: Vec<&str> = locked.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["alpha"]);
        assert_eq!(locked[0].dir, reg.join("alpha-1.0.0"));
    }

    #[test]
    fn a_head_start_scan_is_used_only_for_the_same_package() {
        let dir = Utf8PathBuf::from("/home/u/.cargo/registry/src/i-1/alpha-1.0.0");
        let url = "registry+https://github.com/rust-lang/crates.io-index".to_string();
        let locked = Locked {
            name: "alpha".into(),
            version: "1.0.0".into(),
            source: url.clone(),
            dir: dir.clone(),
        };
        let scan = PackageScan {
            files: 7,
            ..Default::default()
        };
        let hs = HeadStart {
            scans: Mutex::new(HashMap::from([(dir.clone(), (locked, scan))])),
            scanned: 1,
        };
        let reg = SourceKind::Registry { url: url.clone() };
        let target = Utf8Path::new("/work/ws/target");
        assert!(hs.take("alpha", "1.0.1", &reg, &dir, target).is_none());
        assert!(hs.take("beta", "1.0.0", &reg, &dir, target).is_none());
        let other = SourceKind::Registry {
            url: "sparse+https://other.example/".into(),
        };
        assert!(hs.take("alpha", "1.0.0", &other, &dir, target).is_none());
        let git = SourceKind::Git { url };
        assert!(hs.take("alpha", "1.0.0", &git, &dir, target).is_none());
        // A target directory inside the package: the head start did not prune it.
        assert!(
            hs.take("alpha", "1.0.0", &reg, &dir, &dir.join("target"))
                .is_none()
        );
        assert_eq!(
            hs.take("alpha", "1.0.0", &reg, &dir, target).unwrap().files,
            7
        );
        assert!(
            hs.take("alpha", "1.0.0", &reg, &dir, target).is_none(),
            "taken once"
        );
    }
}
