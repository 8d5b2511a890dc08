//! Warm start, where the caches live: the user's choice (`--cache-dir`,
//! `CARGO_ENTITYCHECK_CACHE_DIR`) or the platform's per-user cache directory → one directory
//! outside every project, holding the scan cache, the graph caches and the registry owners.
//!
//! Nothing the project supplies chooses it: not `entitycheck.toml`, not `.cargo/config.toml`,
//! not the target directory. The project is the input under check (in CI, a stranger's pull
//! request), so a cache inside it would be state the input writes and the tool believes. A
//! directory the user names that lies inside the workspace is refused for the same reason
//! ([`inside`]); the run then caches nothing and says so.

use camino::{Utf8Path, Utf8PathBuf};

/// The directory's name under the platform's cache directory.
const NAME: &str = "cargo-entitycheck";

/// The per-user cache directory by the platform's convention, as cargo's own tools place
/// theirs: `$XDG_CACHE_HOME/cargo-entitycheck` (else `~/.cache/cargo-entitycheck`) on Linux
/// and the BSDs, `~/Library/Caches/cargo-entitycheck` on macOS, `%LOCALAPPDATA%\cargo-entitycheck`
/// on Windows. `None` when no home is known: the run then caches nothing.
pub fn default_dir() -> Option<Utf8PathBuf> {
    let env_dir = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .and_then(|v| Utf8PathBuf::from_path_buf(v.into()).ok())
            // A relative XDG directory is invalid by the specification and ignored.
            .filter(|p| p.is_absolute())
    };
    let base = if cfg!(windows) {
        env_dir("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env_dir("HOME").map(|h| h.join("Library/Caches"))
    } else {
        env_dir("XDG_CACHE_HOME").or_else(|| env_dir("HOME").map(|h| h.join(".cache")))
    };
    base.map(|b| b.join(NAME))
}

/// `dir` made absolute (against the current directory), for a directory the user named.
pub fn absolute(dir: &Utf8Path) -> Utf8PathBuf {
    if dir.is_absolute() {
        return dir.to_path_buf();
    }
    std::env::current_dir()
        .ok()
        .and_then(|d| Utf8PathBuf::from_path_buf(d).ok())
        .map_or_else(|| dir.to_path_buf(), |d| d.join(dir))
}

/// Whether the cache directory `cache` lies inside the workspace at `root` (after resolving
/// links of the parts that exist): a cache there is the project's to write, so it is not used.
pub fn inside(cache: &Utf8Path, root: &Utf8Path) -> bool {
    let real = |p: &Utf8Path| -> Utf8PathBuf {
        // The nearest existing ancestor, resolved, with the rest appended.
        let mut base = p.to_path_buf();
        let mut rest = Vec::new();
        loop {
            if let Ok(r) = base.canonicalize_utf8() {
                let mut r = r;
                for part in rest.iter().rev() {
                    r.push(part);
                }
                return r;
            }
            match (base.file_name().map(str::to_string), base.parent()) {
                (Some(name), Some(parent)) => {
                    rest.push(name);
                    base = parent.to_path_buf();
                }
                _ => return p.to_path_buf(),
            }
        }
    };
    real(cache).starts_with(real(root))
}

/// Creates the cache directory `dir` if missing, readable by its owner
/// only where the platform says so: what other users could write there, they could make the
/// tool believe.
pub fn create(dir: &Utf8Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Keeps the files directly in `dir` within `max_bytes` together, deleting the least recently
/// used first (by modification time, which readers renew with [`touch`]). For the caches kept
/// as one file per item (graph caches, registry owners); errors are ignored, as everywhere in a
/// cache.
pub fn evict(dir: &Utf8Path, max_bytes: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, u64, std::path::PathBuf)> = entries
        .filter_map(Result::ok)
        // Not another run's temporary file, about to be renamed into place.
        .filter(|e| !e.file_name().as_encoded_bytes().starts_with(b"."))
        .filter_map(|e| {
            let m = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
            Some((m.modified().ok()?, m.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    if total <= max_bytes {
        return;
    }
    files.sort();
    for (_, len, path) in files {
        if total <= max_bytes {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(len);
        }
    }
}

/// Marks a cache file as just used (its modification time), for [`evict`].
pub fn touch(path: &Utf8Path) {
    if let Ok(f) = std::fs::OpenOptions::new().write(true).open(path) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eviction_drops_the_least_recently_used_files_until_they_fit() {
        let d = tempfile::tempdir().unwrap();
        let dir = Utf8Path::from_path(d.path()).unwrap();
        let t0 = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for (i, name) in ["old", "mid", "new"].iter().enumerate() {
            let p = dir.join(name);
            std::fs::write(&p, [0u8; 100]).unwrap();
            let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
            f.set_modified(t0 + std::time::Duration::from_secs(60 * i as u64))
                .unwrap();
        }
        // `old` used just now: `mid` is the least recently used.
        touch(&dir.join("old"));
        evict(dir, 300);
        assert_eq!(
            std::fs::read_dir(dir).unwrap().count(),
            3,
            "within the bound"
        );
        evict(dir, 250);
        let mut left: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["new", "old"]);
    }

    #[test]
    fn a_cache_inside_the_workspace_is_recognised_through_links_and_missing_parts() {
        let d = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(d.path().join("ws")).unwrap();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        assert!(inside(&root.join("target/entitycheck"), &root));
        assert!(inside(&root.join("sub/../x"), &root));
        assert!(!inside(
            &Utf8PathBuf::from_path_buf(d.path().join("cache")).unwrap(),
            &root
        ));
        #[cfg(unix)]
        {
            let link = Utf8PathBuf::from_path_buf(d.path().join("elsewhere")).unwrap();
            std::os::unix::fs::symlink(&root, &link).unwrap();
            assert!(inside(&link.join("c"), &root), "a link into the workspace");
        }
    }

    #[test]
    fn the_default_is_absolute_and_named_for_the_tool() {
        if let Some(d) = default_dir() {
            assert!(d.is_absolute());
            assert_eq!(d.file_name(), Some(NAME));
        }
    }
}
