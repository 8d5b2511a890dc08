//! Evidence stage, scan cache: what the deep scan found per package, kept between runs so a
//! second run re-reads nothing that did not change.
//!
//! Registry packages are keyed by source, name, version and the checksum `Cargo.lock` records
//! for their `.crate` (crates.io versions are immutable; some private registries let a version
//! be published again), git packages by the commit they are pinned to (the `#sha` of their
//! source URL), and vendored packages by cargo's checksum of their contents. Path and workspace
//! packages change under the developer's hands, so they are keyed by a fingerprint of every
//! file's path, size and modification time: a `stat`, not a read. Every key also includes the
//! tool version and a digest of the prefilter and limits, so a new entity list or tool version
//! rescans.
//!
//! The cache is one JSON file under cargo's target directory, replaced atomically. It is an
//! optimisation: an unreadable or corrupt cache is ignored and rebuilt.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::deep::PackageScan;
use crate::graph::SourceKind;

/// Bumped whenever [`PackageScan`] or the key scheme changes.
const FORMAT: u32 = 2;
/// Entries kept at most; the oldest-keyed beyond this are dropped.
const MAX_ENTRIES: usize = 50_000;

#[derive(Serialize, Deserialize, Default)]
struct File {
    format: u32,
    entries: BTreeMap<String, PackageScan>,
}

pub struct Cache {
    path: Option<Utf8PathBuf>,
    salt: String,
    /// The lockfile's checksums of registry packages, by [`Cache::checksum_key`].
    checksums: HashMap<String, String>,
    old: BTreeMap<String, PackageScan>,
    new: Mutex<BTreeMap<String, PackageScan>>,
}

impl Cache {
    /// A cache stored at `path` (none: caching off). `salt` distinguishes scanner settings.
    pub fn open(path: Option<Utf8PathBuf>, salt: &str) -> Cache {
        let old = path
            .as_deref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<File>(&b).ok())
            .filter(|f| f.format == FORMAT)
            .map(|f| f.entries)
            .unwrap_or_default();
        Cache {
            path,
            salt: format!("{}:{FORMAT}:{salt}", env!("CARGO_PKG_VERSION")),
            old,
            new: Mutex::new(BTreeMap::new()),
            checksums: HashMap::new(),
        }
    }

    /// Keys registry packages by their lockfile checksum too (name, version and checksum), so
    /// a registry that lets a version be published again (some private ones do) rescans it.
    pub fn with_checksums(mut self, checksums: HashMap<String, String>) -> Cache {
        self.checksums = checksums;
        self
    }

    /// How [`Cache::with_checksums`] looks a package up.
    pub fn checksum_key(name: &str, version: &str, source: &str) -> String {
        format!("{name} {version} {source}")
    }

    pub fn enabled(&self) -> bool {
        self.path.is_some()
    }

    /// The key of a package's contents, or `None` when it cannot be known cheaply.
    pub fn key(
        &self,
        name: &str,
        version: &str,
        source: &SourceKind,
        dir: &Utf8Path,
    ) -> Option<String> {
        if !self.enabled() {
            return None;
        }
        let identity = match source {
            SourceKind::Registry { url } => {
                let checksum = self.checksums.get(&Cache::checksum_key(name, version, url));
                format!("registry:{url}:{}", checksum.map_or("-", String::as_str))
            }
            SourceKind::Git { url } if url.contains('#') => format!("git:{url}"),
            SourceKind::Vendored { url } => {
                let sum = std::fs::read(dir.join(".cargo-checksum.json")).ok()?;
                #[derive(Deserialize)]
                struct Checksum {
                    package: Option<String>,
                }
                let c: Checksum = serde_json::from_slice(&sum).ok()?;
                format!("vendored:{url}:{}", c.package?)
            }
            _ => format!("tree:{dir}:{}", fingerprint(dir)?),
        };
        let mut h = Sha256::new();
        for part in [self.salt.as_str(), identity.as_str(), name, version] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        Some(hex::encode(h.finalize()))
    }

    /// The key under which the file pass of a package is kept on its own, without its build
    /// script: what the head start scanned for a package the graph then did not screen (another
    /// platform's, an unused feature's), so the next run neither rescans it ahead nor, if the
    /// package is screened then, reads its files again.
    pub fn files_key(key: &str) -> String {
        format!("{key}:files")
    }

    /// Whether the cache read from disk holds `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.old.contains_key(key)
    }

    /// Whether this cache is the one stored at `path`.
    pub fn is_at(&self, path: Option<&Utf8Path>) -> bool {
        self.path.as_deref() == path
    }

    pub fn get(&self, key: &str) -> Option<PackageScan> {
        self.old.get(key).cloned()
    }

    pub fn put(&self, key: String, scan: &PackageScan) {
        if let Ok(mut new) = self.new.lock() {
            new.insert(key, scan.clone());
        }
    }

    /// Writes the cache if anything new was scanned: to a temporary file, then renamed over the
    /// old one, so a crash never leaves half a cache.
    pub fn save(self) -> std::io::Result<()> {
        let Some(path) = self.path else { return Ok(()) };
        let new = self.new.into_inner().unwrap_or_default();
        if new.is_empty() {
            return Ok(());
        }
        let mut entries = self.old;
        entries.extend(new);
        while entries.len() > MAX_ENTRIES {
            entries.pop_first();
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(
            &tmp,
            serde_json::to_vec(&File {
                format: FORMAT,
                entries,
            })?,
        )?;
        std::fs::rename(&tmp, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

/// A digest of every file's relative path, size and modification time below `dir`, pruning
/// what the deep scan prunes (`.git`, nested packages). `None` if the tree cannot be walked.
fn fingerprint(dir: &Utf8Path) -> Option<String> {
    let mut h = Sha256::new();
    let mut walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            if entry.depth() > 0
                && (entry.file_name() == ".git" || entry.path().join("Cargo.toml").is_file())
            {
                walk.skip_current_dir();
            }
            continue;
        }
        let meta = entry.metadata().ok()?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        h.update(entry.path().as_os_str().as_encoded_bytes());
        h.update(meta.len().to_le_bytes());
        h.update(mtime.to_le_bytes());
    }
    Some(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_salt() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("c.json")).unwrap();
        let src = SourceKind::Registry {
            url: "registry+https://example/index".into(),
        };
        let c = Cache::open(Some(path.clone()), "s1");
        let key = c
            .key("a", "1.0.0", &src, Utf8Path::new("/nowhere"))
            .unwrap();
        let scan = PackageScan {
            files: 3,
            ..Default::default()
        };
        c.put(key.clone(), &scan);
        c.save().unwrap();
        let c = Cache::open(Some(path.clone()), "s1");
        assert_eq!(c.get(&key).unwrap().files, 3);
        // Another salt (entity list, limits) never sees it.
        let c2 = Cache::open(Some(path), "s2");
        let key2 = c2
            .key("a", "1.0.0", &src, Utf8Path::new("/nowhere"))
            .unwrap();
        assert_ne!(key, key2);
        assert!(c2.get(&key2).is_none());
    }

    #[test]
    fn registry_keys_carry_the_lockfile_checksum() {
        let url = "registry+https://example/index";
        let src = SourceKind::Registry { url: url.into() };
        let with = |sum: Option<&str>| {
            let sums = sum
                .map(|s| HashMap::from([(Cache::checksum_key("a", "1.0.0", url), s.to_string())]))
                .unwrap_or_default();
            let c = Cache::open(Some("/nowhere/c.json".into()), "s").with_checksums(sums);
            c.key("a", "1.0.0", &src, Utf8Path::new("/nowhere"))
                .unwrap()
        };
        assert_eq!(with(Some("aa")), with(Some("aa")));
        assert_ne!(
            with(Some("aa")),
            with(Some("bb")),
            "republished: another key"
        );
        assert_ne!(with(Some("aa")), with(None));
        // Another package's checksum does not change this one's key.
        let c = Cache::open(Some("/nowhere/c.json".into()), "s").with_checksums(HashMap::from([(
            Cache::checksum_key("b", "1.0.0", url),
            "aa".to_string(),
        )]));
        assert_eq!(
            c.key("a", "1.0.0", &src, Utf8Path::new("/nowhere"))
                .unwrap(),
            with(None)
        );
    }

    #[test]
    fn tree_fingerprint_changes_with_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        std::fs::write(root.join("a.txt"), "one").unwrap();
        let a = fingerprint(&root).unwrap();
        std::fs::write(root.join("a.txt"), "one two").unwrap();
        let b = fingerprint(&root).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn corrupt_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("c.json")).unwrap();
        std::fs::write(&path, "{not json").unwrap();
        let c = Cache::open(Some(path), "s");
        assert!(c.old.is_empty());
    }
}
