//! Graph stage, graph cache: the last run's resolved build, kept with the exact `cargo metadata`
//! output it was resolved from. A run whose `cargo metadata` prints the same bytes, under the
//! same key (graph options, cargo home, tool binary), skips parsing that output, building the
//! package graph and resolving features, which is most of a warm run's own time.
//!
//! It holds no scan result and no verdict: every package's files are still checked against the
//! scan cache (path packages by a `stat` of each file), every piece of evidence is matched, and
//! policy decides afresh. `explain` and `--metadata-path` never use it.
//!
//! The file is `graph/<digest of the workspace path>.bin` in the per-user cache directory
//! (never in the project: see `crate::cache::dir`): the length of the metadata (8 bytes,
//! little-endian), the metadata, then a JSON document; replaced atomically. What it answers is
//! bound to its content: the stored build is used only when this run's `cargo metadata`
//! printed exactly the bytes it was resolved from, so a forged or stale file is never believed
//! about a build it does not describe. Unreadable, corrupt
//! or stale, or larger than [`MAX_BYTES`] (never read past that bound), it is ignored and
//! rewritten.

use camino::{Utf8Path, Utf8PathBuf};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::graph::Resolved;
use crate::graph::inputs::Inputs;

/// Bumped whenever the document or [`Resolved`] changes shape.
const FORMAT: u32 = 3;

#[derive(Serialize, Deserialize)]
struct Doc<T> {
    format: u32,
    key: String,
    resolved: Resolved,
    /// What the caller keeps beside each resolved build (per-package manifest evidence).
    extra: T,
    /// What `cargo metadata`'s answer depended on, when it could be recorded.
    #[serde(default)]
    inputs: Option<Inputs>,
}

/// A graph cache read from disk, not yet compared with this run's metadata.
pub struct Stored<T> {
    metadata: Vec<u8>,
    doc: Doc<T>,
}

/// Where the graph cache of the workspace at `root` lives in the cache directory `cache_dir`:
/// one file per workspace, named by a digest of its path.
pub fn path(cache_dir: &Utf8Path, root: &Utf8Path) -> Utf8PathBuf {
    use sha2::{Digest, Sha256};
    let name = hex::encode(&Sha256::digest(root.as_str().as_bytes())[..16]);
    cache_dir.join("graph").join(format!("{name}.bin"))
}

/// The most the graph caches of every workspace may hold together; past it, the least
/// recently used are deleted.
pub const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;

/// The most the graph cache file may hold (the metadata of a very large workspace and its
/// resolved build fit many times over); a larger one is not read at all, and rebuilt.
pub const MAX_BYTES: u64 = 512 * 1024 * 1024;

/// Reads the graph cache at `path`; `None` when there is none or it cannot be read (not a
/// regular file, a symbolic link, over [`MAX_BYTES`], corrupt).
pub fn read<T: DeserializeOwned>(path: &Utf8Path) -> Option<Stored<T>> {
    read_bounded(path, MAX_BYTES)
}

fn read_bounded<T: DeserializeOwned>(path: &Utf8Path, max_bytes: u64) -> Option<Stored<T>> {
    let bytes = crate::fsio::read_regular(path, crate::fsio::ReadKind::Cache, max_bytes).ok()?;
    let len = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
    let metadata = bytes.get(8..8usize.checked_add(len)?)?;
    let doc: Doc<T> = serde_json::from_slice(&bytes[8 + len..]).ok()?;
    // Used: the last to be evicted.
    super::dir::touch(path);
    (doc.format == FORMAT).then(|| Stored {
        metadata: metadata.to_vec(),
        doc,
    })
}

impl<T> Stored<T> {
    /// What the stored answer depended on, when it was recorded.
    pub fn inputs(&self) -> Option<&Inputs> {
        self.doc.inputs.as_ref()
    }

    /// The stored build, if it was resolved from exactly `metadata` under exactly `key`.
    pub fn take(self, metadata: &str, key: &str) -> Option<(Resolved, T)> {
        (self.metadata == metadata.as_bytes() && self.doc.key == key)
            .then_some((self.doc.resolved, self.doc.extra))
    }

    /// The stored build and the metadata it was resolved from, without asking cargo: if it was
    /// stored under exactly `key` and `unchanged` finds every input it recorded as it was (see
    /// [`crate::graph::inputs`]). Otherwise the stored cache is handed back.
    pub fn take_unchanged(
        self,
        key: &str,
        unchanged: impl FnOnce(&Inputs) -> bool,
    ) -> Result<(String, Resolved, T), Box<Self>> {
        if self.doc.key != key || !self.doc.inputs.as_ref().is_some_and(unchanged) {
            return Err(Box::new(self));
        }
        match String::from_utf8(self.metadata) {
            Ok(metadata) => Ok((metadata, self.doc.resolved, self.doc.extra)),
            Err(e) => Err(Box::new(Stored {
                metadata: e.into_bytes(),
                doc: self.doc,
            })),
        }
    }
}

/// Saves the graph cache of the workspace at `root` in the cache directory `cache_dir` (at
/// [`path`]), with what this answer of `cargo metadata` depended on (`inputs`, if recorded).
pub fn save<T: Serialize>(
    cache_dir: &Utf8Path,
    root: &Utf8Path,
    metadata: &str,
    key: &str,
    resolved: &Resolved,
    extra: &T,
    inputs: Option<&Inputs>,
) -> std::io::Result<()> {
    write(
        &path(cache_dir, root),
        metadata,
        key,
        resolved,
        extra,
        inputs,
    )
}

/// Writes the graph cache: to a temporary file, then renamed over the old one.
fn write<T: Serialize>(
    path: &Utf8Path,
    metadata: &str,
    key: &str,
    resolved: &Resolved,
    extra: &T,
    inputs: Option<&Inputs>,
) -> std::io::Result<()> {
    let doc = serde_json::to_vec(&Doc {
        format: FORMAT,
        key: key.to_string(),
        resolved: resolved.clone(),
        extra,
        inputs: inputs.cloned(),
    })?;
    let mut bytes = Vec::with_capacity(8 + metadata.len() + doc.len());
    bytes.extend((metadata.len() as u64).to_le_bytes());
    bytes.extend(metadata.as_bytes());
    bytes.extend(doc);
    if let Some(dir) = path.parent() {
        super::dir::create(dir)?;
    }
    crate::fsio::write_atomically(path, &bytes)?;
    if let Some(dir) = path.parent() {
        super::dir::evict(dir, MAX_TOTAL_BYTES);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{DepKind, SourceKind, Subject};

    fn resolved() -> Resolved {
        Resolved {
            root: "/ws".into(),
            target_dir: "/ws/target".into(),
            member_manifests: vec!["/ws/Cargo.toml".into()],
            subjects: vec![Subject {
                name: "a".into(),
                version: "1.0.0".into(),
                id: "a 1.0.0 (path+file:///ws)".into(),
                kind: DepKind::Member,
                source: SourceKind::Workspace,
                dir: "/ws".into(),
                path: vec![],
                build_script: None,
                targets: vec!["/ws/src/lib.rs".into()],
            }],
            edges: Vec::new(),
        }
    }

    #[test]
    fn answers_only_for_the_same_metadata_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let target = Utf8Path::from_path(dir.path()).unwrap();
        let p = path(target, Utf8Path::new("/ws"));
        write(
            &p,
            "{\"packages\":[]}",
            "k1",
            &resolved(),
            &vec![7u32],
            None,
        )
        .unwrap();
        let got = read::<Vec<u32>>(&p)
            .unwrap()
            .take("{\"packages\":[]}", "k1");
        let (r, extra) = got.unwrap();
        assert_eq!(r.subjects[0].name, "a");
        assert_eq!(extra, vec![7]);
        // One byte of metadata, or another key: no answer.
        assert!(
            read::<Vec<u32>>(&p)
                .unwrap()
                .take("{\"packages\":[ ]}", "k1")
                .is_none()
        );
        assert!(
            read::<Vec<u32>>(&p)
                .unwrap()
                .take("{\"packages\":[]}", "k2")
                .is_none()
        );
    }

    #[test]
    fn each_workspace_has_its_own_file_in_the_cache_directory() {
        let c = Utf8Path::new("/cache");
        let a = path(c, Utf8Path::new("/work/a"));
        let b = path(c, Utf8Path::new("/work/b"));
        assert_ne!(a, b);
        assert!(a.starts_with("/cache/graph"));
        assert_eq!(a, path(c, Utf8Path::new("/work/a")));
    }

    #[test]
    fn truncated_or_corrupt_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = Utf8PathBuf::from_path_buf(dir.path().join("g.bin")).unwrap();
        for bytes in [
            &b""[..],
            &b"\x05\x00\x00"[..],
            &b"\xff\xff\xff\xff\xff\xff\xff\xff{}"[..],
            &b"\x02\x00\x00\x00\x00\x00\x00\x00{}not json"[..],
        ] {
            std::fs::write(&p, bytes).unwrap();
            assert!(read::<Vec<u32>>(&p).is_none());
        }
        assert!(read::<Vec<u32>>(Utf8Path::new("/nonexistent/g.bin")).is_none());
    }

    #[test]
    fn oversized_linked_or_special_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let target = Utf8Path::from_path(dir.path()).unwrap();
        let p = path(target, Utf8Path::new("/ws"));
        write(&p, "{}", "k", &resolved(), &0u32, None).unwrap();
        let len = std::fs::metadata(&p).unwrap().len();
        assert!(read_bounded::<u32>(&p, len).is_some());
        assert!(read_bounded::<u32>(&p, len - 1).is_none(), "over the bound");
        #[cfg(unix)]
        {
            let link = target.join("link.bin");
            std::os::unix::fs::symlink(&p, &link).unwrap();
            assert!(read::<u32>(&link).is_none(), "a link is not followed");
            assert!(read::<u32>(target).is_none(), "a directory");
            assert!(
                read::<u32>(Utf8Path::new("/dev/zero")).is_none(),
                "a device"
            );
        }
    }
}
