//! Evidence stage, scan cache: what the deep scan found per package, kept between runs so a
//! second run re-reads nothing that did not change. Input: a package's source, name, version and
//! directory; output: its cached [`PackageScan`], or a key to store a new one under.
//!
//! Registry packages are keyed by source, name, version and the checksum `Cargo.lock` records
//! for their `.crate` (crates.io versions are immutable; some private registries let a version
//! be published again), git packages by the commit they are pinned to (the `#sha` of their
//! source URL). Everything else can be edited in place, so it is keyed by its *content*: a
//! digest of every file's relative path and SHA-256 (a symbolic link's target, a special file's
//! type). Vendored packages are keyed that way whatever their `.cargo-checksum.json` says: cargo
//! verifies only the files the map lists, and emptying the map is the usual way to patch a
//! vendored crate, so the map is never trusted. Hashing every file on every run would cost as
//! much as scanning, so each tree's content digest is remembered beside a *stat digest* of the
//! tree (every file's path, type, device, inode, size, modification time and status-change time):
//! while that digest is unchanged the content digest is reused without reading a byte. The
//! status-change time (ctime) cannot be set back by `touch`, `tar --mtime` or any other
//! unprivileged call, so a file replaced by one of the same size and mtime changes the stat
//! digest, and the tree is hashed again. A fresh checkout (new inodes) is hashed once and then
//! hits the cache. Every key also includes the tool version and a digest of the prefilter and
//! limits, so a new entity list or tool version rescans.
//!
//! The directories the deep scan never enters (the target directory, [`Cache::with_prune`]) and
//! the cache file itself never enter a digest; otherwise the root package would never hit.
//!
//! The cache is a directory in the per-user cache directory ([`path`]; never in the project,
//! whose files are the input under check: see `crate::cache::dir`), shared by every project the
//! user checks: a registry package screened for one project is not read again for the next.
//! Each package's scan is a file of its own named by its key (and each tree's witness by a
//! digest of its directory), read only when a run asks for that package: a run costs what its
//! own packages cost, however many projects the cache holds (one shared file had to be parsed
//! whole, 19 MB and 70 ms after a few large workspaces). Files are written to a temporary name
//! and renamed, so concurrent runs never see half an entry and lose nothing but a race to write
//! the same key with the same scan; readers take no lock, and a torn, foreign or misplaced file
//! is simply not believed. A file's modification time is its entry's last use; when the
//! directory grows past its size bound ([`DEFAULT_MAX_BYTES`]) the least recently used entries
//! are deleted. It is an optimisation: a missing, unreadable, oversized or corrupt entry is
//! ignored and rebuilt, never an error.
//!
//! A key is a digest of what identifies the content, so an entry can only answer for the
//! content it was made from: forging one that sticks means writing the user's cache directory
//! *and* describing a package whose checksum (or content digest) is that of the real content.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::sync::Mutex;

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::evidence::deep::PackageScan;
use crate::graph::SourceKind;

/// Bumped whenever [`PackageScan`], the key scheme or the layout on disk changes.
const FORMAT: u32 = 5;
/// The default bound on the cache directory's size: past it, the least recently used entries
/// are deleted. One entry larger than the bound is not read.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// An entry used again is re-dated (its file's modification time set to now) only when its date
/// is older than this, so a warm run that found everything in the cache writes nothing.
const REDATE_SECS: u64 = 3600;
/// Files larger than this enter a content digest by their stat (inode, size, times) instead of
/// their bytes: the scanner lists them as too large to read without reading them, and hashing a
/// sparse multi-gigabyte file would cost more than the scan it saves.
const HASH_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// A tree with an entry changed this recently (by the status-change time) is not remembered as
/// hashed: timestamps advance by clock ticks, so an edit in the same tick as the stat that
/// preceded it would go unseen (git's "racily clean" files).
const RACY_SECS: u64 = 2;

/// One package's scan, in a file of its own named by its key (the date it was last stored or
/// used is the file's modification time).
#[derive(Serialize, Deserialize)]
struct Entry {
    /// The key again: a file renamed or copied under another key's name is not believed.
    key: String,
    scan: PackageScan,
}

/// The content digest of a tree, valid while its stat digest is unchanged; in a file named by
/// a digest of the directory.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
struct Witness {
    dir: String,
    stat: String,
    content: String,
    /// When it was last confirmed (seconds since the Unix epoch): the file's date on disk.
    #[serde(skip)]
    used: u64,
}

/// Where the scan cache lives in the cache directory `cache_dir`: a directory named by the
/// format, so tool versions that disagree on it keep their own instead of rebuilding each
/// other's.
pub fn path(cache_dir: &Utf8Path) -> Utf8PathBuf {
    cache_dir.join(format!("scan-v{FORMAT}"))
}

/// The file of the entry `key` below the cache directory `root` (256 subdirectories by the
/// key's first two hexadecimal digits; `:` is not a character every file system allows).
fn entry_path(root: &Utf8Path, key: &str) -> Utf8PathBuf {
    let name = key.replace(':', "_");
    let shard = name.get(..2).unwrap_or("__");
    root.join("e").join(shard).join(name)
}

/// The file of the witness of directory `dir` below `root`.
fn witness_path(root: &Utf8Path, dir: &str) -> Utf8PathBuf {
    let name = hex::encode(Sha256::digest(dir.as_bytes()));
    root.join("w").join(&name[..2]).join(name)
}

/// The file that keeps the directory's approximate size between sweeps.
fn size_path(root: &Utf8Path) -> Utf8PathBuf {
    root.join("size")
}

pub struct Cache {
    path: Option<Utf8PathBuf>,
    salt: String,
    /// The lockfile's checksums of registry packages, by [`Cache::checksum_key`].
    checksums: HashMap<String, String>,
    /// Directories no digest enters (those the deep scan prunes).
    prune: Vec<Utf8PathBuf>,
    max_bytes: u64,
    now: u64,
    /// Entries read from disk so far, by key (`None`: not there, or not believed), with their
    /// date.
    old: Mutex<HashMap<String, Option<(PackageScan, u64)>>>,
    /// Witnesses read from disk so far, by directory.
    old_witnesses: Mutex<HashMap<String, Option<Witness>>>,
    new: Mutex<BTreeMap<String, PackageScan>>,
    /// Keys of old entries used by this run.
    used: Mutex<HashSet<String>>,
    /// Content digests computed or re-confirmed by this run, by directory.
    new_witnesses: Mutex<BTreeMap<String, Witness>>,
}

impl Cache {
    /// A cache stored at `path` (none: caching off). `salt` distinguishes scanner settings.
    pub fn open(path: Option<Utf8PathBuf>, salt: &str) -> Cache {
        Cache::open_bounded(path, salt, DEFAULT_MAX_BYTES)
    }

    /// [`Cache::open`] with another bound on the directory's size than [`DEFAULT_MAX_BYTES`].
    /// Nothing is read until a package's entry is asked for: a run reads only its own.
    pub fn open_bounded(path: Option<Utf8PathBuf>, salt: &str, max_bytes: u64) -> Cache {
        Cache {
            path,
            salt: format!("{}:{FORMAT}:{salt}", env!("CARGO_PKG_VERSION")),
            checksums: HashMap::new(),
            prune: Vec::new(),
            max_bytes,
            now: now(),
            old: Mutex::new(HashMap::new()),
            old_witnesses: Mutex::new(HashMap::new()),
            new: Mutex::new(BTreeMap::new()),
            used: Mutex::new(HashSet::new()),
            new_witnesses: Mutex::new(BTreeMap::new()),
        }
    }

    /// Keys registry packages by their lockfile checksum too (name, version and checksum), so
    /// a registry that lets a version be published again (some private ones do) rescans it.
    pub fn with_checksums(mut self, checksums: HashMap<String, String>) -> Cache {
        self.checksums = checksums;
        self
    }

    /// Directories that no content digest enters: those the deep scan never enters (the
    /// target directory). Whatever changes there changes no key.
    pub fn with_prune(mut self, prune: Vec<Utf8PathBuf>) -> Cache {
        self.prune = prune;
        self
    }

    /// How [`Cache::with_checksums`] looks a package up.
    pub fn checksum_key(name: &str, version: &str, source: &str) -> String {
        format!("{name} {version} {source}")
    }

    pub fn enabled(&self) -> bool {
        self.path.is_some()
    }

    /// The key of a package's contents, or `None` when it cannot be known (a tree that cannot
    /// be walked): such a package is scanned every time.
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
                match self.checksums.get(&Cache::checksum_key(name, version, url)) {
                    Some(checksum) => format!("registry:{url}:{checksum}"),
                    // No checksum to bind the entry to (an old lockfile, a registry that
                    // records none): its content, as for a path package.
                    None => format!("registry-tree:{url}:{dir}:{}", self.content_digest(dir)?),
                }
            }
            SourceKind::Git { url } if url.contains('#') => format!("git:{url}"),
            SourceKind::Vendored { url } => {
                format!("vendored:{url}:{dir}:{}", self.content_digest(dir)?)
            }
            _ => format!("tree:{dir}:{}", self.content_digest(dir)?),
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

    /// Whether the cache on disk holds `key`.
    pub fn contains(&self, key: &str) -> bool {
        let found = self.with_old(key, |e| e.is_some());
        if found {
            self.mark_used(key);
        }
        found
    }

    /// Whether this cache is the one stored at `path`.
    pub fn is_at(&self, path: Option<&Utf8Path>) -> bool {
        self.path.as_deref() == path
    }

    pub fn get(&self, key: &str) -> Option<PackageScan> {
        let scan = self.with_old(key, |e| e.map(|(scan, _)| scan.clone()))?;
        self.mark_used(key);
        Some(scan)
    }

    /// `f` of the entry `key` as on disk, read once per run.
    fn with_old<T>(&self, key: &str, f: impl FnOnce(Option<&(PackageScan, u64)>) -> T) -> T {
        let Some(root) = self.path.as_deref() else {
            return f(None);
        };
        if let Ok(old) = self.old.lock()
            && let Some(e) = old.get(key)
        {
            return f(e.as_ref());
        }
        // Read without the lock held: other threads look up other packages meanwhile.
        let read = read_entry(root, key, self.max_bytes);
        match self.old.lock() {
            Ok(mut old) => f(old.entry(key.to_string()).or_insert(read).as_ref()),
            Err(_) => f(read.as_ref()),
        }
    }

    fn mark_used(&self, key: &str) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key.to_string());
        }
    }

    pub fn put(&self, key: String, scan: &PackageScan) {
        if let Ok(mut new) = self.new.lock() {
            new.insert(key, scan.clone());
        }
    }

    /// The witness of `dir` on disk, read once per run.
    fn old_witness(&self, dir: &str) -> Option<Witness> {
        let root = self.path.as_deref()?;
        if let Ok(old) = self.old_witnesses.lock()
            && let Some(w) = old.get(dir)
        {
            return w.clone();
        }
        let read = read_witness(root, dir, self.max_bytes);
        if let Ok(mut old) = self.old_witnesses.lock() {
            old.insert(dir.to_string(), read.clone());
        }
        read
    }

    /// The content digest of the tree at `dir` (see the module documentation): the remembered
    /// one while the tree's stat digest is unchanged, else computed by reading every file.
    fn content_digest(&self, dir: &Utf8Path) -> Option<String> {
        let tree = walk(dir, &self.prune, self.path.as_deref())?;
        let stat = stat_digest(&tree);
        let known = self
            .new_witnesses
            .lock()
            .ok()
            .and_then(|w| w.get(dir.as_str()).cloned())
            .or_else(|| self.old_witness(dir.as_str()))
            .filter(|w| w.stat == stat);
        let content = match known {
            Some(w) if w.used + REDATE_SECS >= self.now => return Some(w.content),
            Some(w) => w.content,
            None => {
                let content = content_digest(&tree)?;
                if tree
                    .iter()
                    .any(|n| changed_secs(&n.meta) + RACY_SECS >= self.now)
                {
                    // Changed just now: a second change within the clock's tick could leave
                    // every stat field as it is, so this tree is hashed again next time.
                    return Some(content);
                }
                content
            }
        };
        if let Ok(mut w) = self.new_witnesses.lock() {
            w.insert(
                dir.to_string(),
                Witness {
                    dir: dir.to_string(),
                    stat,
                    content: content.clone(),
                    used: self.now,
                },
            );
        }
        Some(content)
    }

    /// Writes what this run learnt: each new entry and witness in a file of its own, written
    /// to a temporary file and renamed over any old one (a crash never leaves half an entry;
    /// concurrent runs each write their own files, and the last of two writing one key wins
    /// with an equally valid scan); entries used again have their date renewed. Then, if the
    /// directory may have grown past its bound, the least recently used entries are deleted
    /// until it fits (see `sweep`).
    pub fn save(self) -> std::io::Result<()> {
        let Some(root) = self.path else { return Ok(()) };
        let now = self.now;
        let new = self.new.into_inner().unwrap_or_default();
        let used = self.used.into_inner().unwrap_or_default();
        let new_witnesses = self.new_witnesses.into_inner().unwrap_or_default();
        let old = self.old.into_inner().unwrap_or_default();
        let mut written = 0u64;
        let mut write = |path: Utf8PathBuf, bytes: Vec<u8>| -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                crate::cache::dir::create(dir)?;
            }
            written += bytes.len() as u64;
            crate::fsio::write_atomically(&path, &bytes)
        };
        for (key, scan) in new {
            let entry = Entry { key, scan };
            write(entry_path(&root, &entry.key), serde_json::to_vec(&entry)?)?;
        }
        for (dir, w) in new_witnesses {
            write(witness_path(&root, &dir), serde_json::to_vec(&w)?)?;
        }
        for key in &used {
            if let Some(Some((_, date))) = old.get(key)
                && date + REDATE_SECS < now
            {
                // Re-dated in place; an entry deleted meanwhile is simply gone.
                let _ = touch(&entry_path(&root, key), now);
            }
        }
        if written > 0 {
            sweep_if_due(&root, self.max_bytes, written, now)?;
        }
        Ok(())
    }
}

/// The entry `key` below `root` with its date, if it is there, within `max_bytes`, and what it
/// says it is.
fn read_entry(root: &Utf8Path, key: &str, max_bytes: u64) -> Option<(PackageScan, u64)> {
    let path = entry_path(root, key);
    let bytes = read_bounded(&path, max_bytes)?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    (entry.key == key).then(|| (entry.scan, date_of(&path)))
}

/// The witness of `dir` below `root`, if it is there and names that directory.
fn read_witness(root: &Utf8Path, dir: &str, max_bytes: u64) -> Option<Witness> {
    let path = witness_path(root, dir);
    let bytes = read_bounded(&path, max_bytes)?;
    let mut w: Witness = serde_json::from_slice(&bytes).ok()?;
    w.used = date_of(&path);
    (w.dir == dir).then_some(w)
}

/// A file's modification time in seconds since the epoch (0 if unknown: the oldest).
fn date_of(path: &Utf8Path) -> u64 {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// Sets a cache file's date to `now` (never through a link).
fn touch(path: &Utf8Path, now: u64) -> std::io::Result<()> {
    let (file, _) = crate::fsio::open_regular(path.as_std_path(), false)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now))
}

/// After a run wrote `written` bytes: sweeps the directory when its recorded size, with them,
/// passes `max_bytes`, or when the last sweep is an hour old (concurrent runs may each have
/// added to a size the other did not see). Listing every entry costs about as much as reading
/// a few hundred, so it is not done on every run.
fn sweep_if_due(root: &Utf8Path, max_bytes: u64, written: u64, now: u64) -> std::io::Result<()> {
    let size_file = size_path(root);
    let recorded = read_bounded(&size_file, 64)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.trim().parse::<u64>().ok());
    let stale = date_of(&size_file) + REDATE_SECS < now;
    let total = match recorded {
        Some(size) if !stale && size.saturating_add(written) <= max_bytes => {
            size.saturating_add(written)
        }
        _ => {
            remove_older_formats(root, now);
            sweep(root, max_bytes)?
        }
    };
    crate::fsio::write_atomically(&size_file, total.to_string().as_bytes())
}

/// How long an older format's cache may go unwritten before a sweep deletes it: a week.
const OLDER_FORMAT_SECS: u64 = 7 * 86_400;

/// Deletes, beside the cache directory `root`, the single-file caches of the formats before
/// this one (`scan-v1.json` to `scan-v4.json`, up to 64 MiB each) once no run has written them
/// for [`OLDER_FORMAT_SECS`]: a version still in use keeps its own (it rewrites it), one
/// upgraded from stops leaving its file behind. Regular files only, never through a link.
fn remove_older_formats(root: &Utf8Path, now: u64) {
    let Some(dir) = root.parent() else { return };
    for format in 1..=4 {
        let path = dir.join(format!("scan-v{format}.json"));
        let Ok(meta) = path.symlink_metadata() else {
            continue;
        };
        if meta.is_file() && date_of(&path) + OLDER_FORMAT_SECS < now {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Deletes the least recently used entries and witnesses below `root` (oldest first; among
/// equally old, the largest first, then by name) until what is left fits in `max_bytes`, or in
/// seven eighths of it once any had to go (so that the next runs do not each sweep again).
/// Returns the size left.
fn sweep(root: &Utf8Path, max_bytes: u64) -> std::io::Result<u64> {
    let mut files: Vec<(u64, u64, Utf8PathBuf)> = Vec::new();
    for kind in ["e", "w"] {
        let Ok(shards) = root.join(kind).read_dir_utf8() else {
            continue;
        };
        for shard in shards.flatten() {
            let Ok(entries) = shard.path().read_dir_utf8() else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(meta) = e.path().symlink_metadata() else {
                    continue;
                };
                let date = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_secs());
                files.push((date, meta.len(), e.into_path()));
            }
        }
    }
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    if total <= max_bytes {
        return Ok(total);
    }
    let target = max_bytes / 8 * 7;
    files.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    for (_, len, path) in files {
        if total <= target {
            break;
        }
        // Gone already (another run swept): as good as deleted.
        let _ = std::fs::remove_file(&path);
        total = total.saturating_sub(len);
    }
    Ok(total)
}

/// Reads the regular file at `path` if it holds at most `max_bytes`: never through a symbolic
/// link, never a FIFO or device, and never more than `max_bytes` (+1) bytes whatever the file
/// claims. `None` otherwise: for a cache, a reason to rebuild it.
pub(crate) fn read_bounded(path: &Utf8Path, max_bytes: u64) -> Option<Vec<u8>> {
    // The one bounded reader (regular files only, no links, never more than the bound).
    crate::fsio::read_regular(path, crate::fsio::ReadKind::Cache, max_bytes).ok()
}

/// Whether two looks at a path saw the same file (it was not swapped in between).
#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// When an entry's status last changed, in whole seconds (0 where unknown).
fn changed_secs(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        u64::try_from(meta.ctime()).unwrap_or(0)
    }
    #[cfg(not(unix))]
    {
        u64::try_from(nanos(meta.modified()) / 1_000_000_000).unwrap_or(0)
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// One entry of a tree below a package directory (not a directory itself).
struct Node {
    /// Relative to the package directory, as bytes (paths need not be UTF-8).
    rel: Vec<u8>,
    path: std::path::PathBuf,
    meta: std::fs::Metadata,
}

/// Every entry below `dir` but directories, sorted by path, leaving out the directories in
/// `prune` and the cache directory. Links are never followed. `None` if some part of the tree
/// cannot be read: the package is then never answered from the cache.
fn walk(dir: &Utf8Path, prune: &[Utf8PathBuf], cache: Option<&Utf8Path>) -> Option<Vec<Node>> {
    let mut nodes = Vec::new();
    let mut walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by(crate::fsio::by_name)
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.ok()?;
        let path = entry.path();
        if entry.file_type().is_dir() {
            if entry.depth() > 0
                && (prune.iter().any(|p| p.as_std_path() == path)
                    || cache.is_some_and(|c| c.as_std_path() == path))
            {
                walk.skip_current_dir();
            }
            continue;
        }
        let rel = path.strip_prefix(dir).ok()?.as_os_str().as_encoded_bytes();
        nodes.push(Node {
            rel: rel.to_vec(),
            path: path.to_path_buf(),
            meta: entry.metadata().ok()?,
        });
    }
    Some(nodes)
}

/// A tag for an entry's type, so that a file turned into a link of the same name differs.
fn type_tag(meta: &std::fs::Metadata) -> u8 {
    let t = meta.file_type();
    if t.is_file() {
        b'f'
    } else if t.is_symlink() {
        b'l'
    } else {
        b'o'
    }
}

fn nanos(t: std::io::Result<std::time::SystemTime>) -> i128 {
    t.ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Every field of an entry's status that a change to its content changes, in particular the
/// status-change time, which no unprivileged call sets back.
fn stat_fields(meta: &std::fs::Metadata, h: &mut Sha256) {
    h.update(meta.len().to_le_bytes());
    h.update(nanos(meta.modified()).to_le_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        h.update(meta.dev().to_le_bytes());
        h.update(meta.ino().to_le_bytes());
        h.update(meta.mode().to_le_bytes());
        h.update(meta.ctime().to_le_bytes());
        h.update(meta.ctime_nsec().to_le_bytes());
    }
}

/// The stat digest of a tree: a `stat` of every entry, no read.
fn stat_digest(tree: &[Node]) -> String {
    let mut h = Sha256::new();
    for n in tree {
        h.update((n.rel.len() as u64).to_le_bytes());
        h.update(&n.rel);
        h.update([type_tag(&n.meta)]);
        stat_fields(&n.meta, &mut h);
    }
    hex::encode(h.finalize())
}

/// The content digest of a tree: every entry's relative path and type, and a regular file's
/// SHA-256 (its stat when it is too large to hash), a link's target. Special files (FIFOs,
/// devices) are never opened: their path and type is all the scan can see of them. `None` if
/// a file cannot be read.
fn content_digest(tree: &[Node]) -> Option<String> {
    use rayon::prelude::*;
    let per_node: Vec<Option<Vec<u8>>> = tree
        .par_iter()
        .map(|n| {
            let mut h = Sha256::new();
            let t = n.meta.file_type();
            if t.is_symlink() {
                let target = std::fs::read_link(&n.path).ok()?;
                h.update(target.as_os_str().as_encoded_bytes());
            } else if t.is_file() && n.meta.len() > HASH_MAX_FILE_BYTES {
                h.update(b"stat");
                stat_fields(&n.meta, &mut h);
            } else if t.is_file() {
                // The one way in: never blocking, no link followed, a regular file by its
                // handle, and the very file the walk saw.
                let (mut file, opened) = crate::fsio::open_regular(&n.path, false).ok()?;
                if !same_file(&n.meta, &opened) {
                    return None;
                }
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let read = file.read(&mut buf).ok()?;
                    if read == 0 {
                        break;
                    }
                    h.update(&buf[..read]);
                }
            }
            Some(h.finalize().to_vec())
        })
        .collect();
    let mut h = Sha256::new();
    for (n, digest) in tree.iter().zip(per_node) {
        h.update((n.rel.len() as u64).to_le_bytes());
        h.update(&n.rel);
        h.update([type_tag(&n.meta)]);
        h.update(digest?);
    }
    Some(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_salt() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("c")).unwrap();
        // Pinned to a commit: keyed without reading a directory.
        let src = SourceKind::Git {
            url: "git+https://example/repo#0123abcd".into(),
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
        // Without a checksum, a directory that cannot be read has no key at all (nothing to
        // bind an entry to); one that can is keyed by its content.
        assert!(
            Cache::open(Some("/nowhere/c.json".into()), "s")
                .key("a", "1.0.0", &src, Utf8Path::new("/nowhere"))
                .is_none()
        );
        // Another package's checksum does not change this one's key.
        let c = Cache::open(Some("/nowhere/c.json".into()), "s").with_checksums(HashMap::from([(
            Cache::checksum_key("b", "1.0.0", url),
            "aa".to_string(),
        )]));
        assert!(
            c.key("a", "1.0.0", &src, Utf8Path::new("/nowhere"))
                .is_none()
        );
    }

    fn tree() -> (tempfile::TempDir, Utf8PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        std::fs::create_dir_all(root.join("pkg/src")).unwrap();
        std::fs::write(root.join("pkg/src/lib.rs"), "pub fn f() {}\n").unwrap();
        std::fs::write(root.join("pkg/NOTICE"), "written by us\n").unwrap();
        (dir, root)
    }

    /// A cache at `root/target/entitycheck/c.json`, pruning `root/target`, that sees the files
    /// written by the test as older than the racy window (its clock is a minute ahead).
    fn cache_in(root: &Utf8Path) -> Cache {
        let mut c = Cache::open(Some(root.join("target/entitycheck/c.json")), "s")
            .with_prune(vec![root.join("target")]);
        c.now += 60;
        c
    }

    fn path_key(c: &Cache, dir: &Utf8Path) -> String {
        c.key("pkg", "0.1.0", &SourceKind::Path, dir).unwrap()
    }

    #[test]
    fn a_path_file_replaced_with_the_same_size_and_mtime_changes_the_key() {
        let (_d, root) = tree();
        let pkg = root.join("pkg");
        let c = cache_in(&root);
        let before = path_key(&c, &pkg);
        c.put(before.clone(), &PackageScan::default());
        c.save().unwrap();
        let notice = pkg.join("NOTICE");
        let mtime = std::fs::metadata(&notice).unwrap().modified().unwrap();
        // In place, same length, modification time set back: only ctime tells (a clock tick
        // later than the first write, as any real edit is).
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&notice, "written by KL\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&notice)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_eq!(
            std::fs::metadata(&notice).unwrap().modified().unwrap(),
            mtime
        );
        let c = cache_in(&root);
        let after = path_key(&c, &pkg);
        assert_ne!(before, after);
        assert!(c.get(&after).is_none());
        // Back to the old bytes: the old key (content, not stat), so the old scan answers.
        std::fs::write(&notice, "written by us\n").unwrap();
        let c = cache_in(&root);
        assert_eq!(path_key(&c, &pkg), before);
        assert!(c.get(&before).is_some());
    }

    #[test]
    fn the_content_digest_is_reused_only_while_every_stat_field_holds() {
        let (_d, root) = tree();
        let pkg = root.join("pkg");
        let c = cache_in(&root);
        let key = path_key(&c, &pkg);
        c.save().unwrap();
        // Forge the remembered content digest: a key computed from it proves no file was read.
        let file = witness_path(&root.join("target/entitycheck/c.json"), pkg.as_str());
        let mut doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        doc["content"] = "forged".into();
        std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
        assert_ne!(
            path_key(&cache_in(&root), &pkg),
            key,
            "remembered, not re-read"
        );
        // Any status change (here: a chmod to the same mode still moves ctime) re-reads.
        let lib = pkg.join("src/lib.rs");
        let perms = std::fs::metadata(&lib).unwrap().permissions();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::set_permissions(&lib, perms).unwrap();
        assert_eq!(path_key(&cache_in(&root), &pkg), key);
        // Within the racy window nothing is remembered: every run hashes again.
        let racy = Cache::open(Some(root.join("target/entitycheck/r.json")), "s");
        assert_eq!(path_key(&racy, &pkg), key);
        assert!(racy.new_witnesses.lock().unwrap().is_empty());
    }

    #[test]
    fn a_vendored_package_is_keyed_by_its_files_not_its_checksum_map() {
        let (_d, root) = tree();
        let pkg = root.join("pkg");
        let vendored = SourceKind::Vendored {
            url: "registry+https://github.com/rust-lang/crates.io-index".into(),
        };
        let key = |c: &Cache| c.key("pkg", "1.0.0", &vendored, &pkg).unwrap();
        let sum = pkg.join(".cargo-checksum.json");
        std::fs::write(&sum, r#"{"files":{},"package":"abc"}"#).unwrap();
        let clean = key(&cache_in(&root));
        assert_eq!(key(&cache_in(&root)), clean);
        // Edited with the map left empty (or listing nothing): another key.
        std::fs::write(pkg.join("NOTICE"), "written by KL\n").unwrap();
        assert_ne!(key(&cache_in(&root)), clean);
        std::fs::write(pkg.join("NOTICE"), "written by us\n").unwrap();
        assert_eq!(key(&cache_in(&root)), clean);
        // A file the map does not list: another key.
        std::fs::write(pkg.join("src/extra.h"), "").unwrap();
        assert_ne!(key(&cache_in(&root)), clean);
    }

    #[test]
    fn the_target_directory_and_the_cache_never_enter_a_digest() {
        let (_d, root) = tree();
        // The root package's directory holds the target directory and the cache.
        let c = cache_in(&root);
        let key = path_key(&c, &root);
        c.put(key.clone(), &PackageScan::default());
        c.save().unwrap();
        assert!(root.join("target/entitycheck/c.json").is_dir());
        std::fs::write(root.join("target/build.log"), "new").unwrap();
        let c = cache_in(&root);
        assert_eq!(path_key(&c, &root), key);
        assert!(c.get(&key).is_some(), "the root package hits");
        // Without the target directory pruned, the cache file itself is still left out.
        let c = Cache::open(Some(root.join("c.json")), "s");
        let k1 = path_key(&c, &root);
        c.put(k1.clone(), &PackageScan::default());
        c.save().unwrap();
        let c = Cache::open(Some(root.join("c.json")), "s");
        assert_eq!(path_key(&c, &root), k1);
    }

    fn scan_of(files: u64) -> PackageScan {
        PackageScan {
            files,
            ..Default::default()
        }
    }

    /// Pinned to a commit: keyed without reading a directory.
    fn git() -> SourceKind {
        SourceKind::Git {
            url: "git+https://example/repo#0123abcd".into(),
        }
    }

    /// The key of package `name` 1.0.0 pinned to a commit.
    fn git_key(c: &Cache, name: &str) -> String {
        c.key(name, "1.0.0", &git(), Utf8Path::new("/x")).unwrap()
    }

    fn cache_dir() -> (tempfile::TempDir, Utf8PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("c")).unwrap();
        (dir, path)
    }

    /// Every file below the cache directory (temporary ones included), by name.
    fn files_below(root: &Utf8Path) -> Vec<String> {
        let mut v: Vec<String> = walkdir::WalkDir::new(root)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn eviction_drops_the_least_recently_used_until_the_directory_fits() {
        let (_d, root) = cache_dir();
        let c = Cache::open(Some(root.clone()), "s");
        let keys: Vec<String> = ["new", "old", "mid"]
            .iter()
            .map(|n| git_key(&c, n))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            c.put(k.clone(), &scan_of(i as u64));
        }
        c.save().unwrap();
        // Dated by their files: `old` a day ago, `mid` an hour ago, `new` now.
        let now = now();
        for (k, age) in keys.iter().zip([0, 86_400, 3_600]) {
            touch(&entry_path(&root, k), now - age).unwrap();
        }
        let all = sweep(&root, u64::MAX).unwrap();
        let one = std::fs::metadata(entry_path(&root, &keys[0]))
            .unwrap()
            .len();
        // One entry too many: the oldest goes (and the sweep leaves an eighth free).
        assert_eq!(sweep(&root, all - one / 2).unwrap(), all - one);
        let c = Cache::open(Some(root.clone()), "s");
        assert!(c.get(&keys[0]).is_some() && c.get(&keys[2]).is_some());
        assert!(c.get(&keys[1]).is_none(), "the least recently used went");
        // Too small for anything: everything goes.
        assert_eq!(sweep(&root, 10).unwrap(), 0);
        assert!(Cache::open(Some(root), "s").get(&keys[0]).is_none());
    }

    /// An older format's file goes once unwritten for a week; a recent one (a version still in
    /// use), a link and other files stay.
    #[test]
    fn a_sweep_deletes_older_formats_left_unwritten() {
        let (d, root) = cache_dir();
        let dir = root.parent().unwrap().to_owned();
        std::fs::create_dir_all(&dir).unwrap();
        let now = now();
        for (name, age) in [
            ("scan-v4.json", OLDER_FORMAT_SECS + 60),
            ("scan-v3.json", 60),
            ("notes.json", OLDER_FORMAT_SECS + 60),
        ] {
            std::fs::write(dir.join(name), "{}").unwrap();
            touch(&dir.join(name), now - age).unwrap();
        }
        #[cfg(unix)]
        {
            let outside = d.path().join("outside.json");
            std::fs::write(&outside, "{}").unwrap();
            std::os::unix::fs::symlink(&outside, dir.join("scan-v2.json")).unwrap();
        }
        let c = Cache::open(Some(root.clone()), "s");
        c.put(git_key(&c, "a"), &scan_of(1));
        c.save().unwrap();
        assert!(!dir.join("scan-v4.json").exists(), "unwritten for a week");
        assert!(dir.join("scan-v3.json").exists(), "written a minute ago");
        assert!(dir.join("notes.json").exists(), "not a cache of ours");
        #[cfg(unix)]
        assert!(
            d.path().join("outside.json").exists()
                && dir.join("scan-v2.json").symlink_metadata().is_ok()
        );
    }

    #[test]
    fn a_used_entry_is_redated_and_survives_eviction() {
        let (_d, path) = cache_dir();
        let c = Cache::open(Some(path.clone()), "s");
        let ka = git_key(&c, "a");
        let kb = git_key(&c, "b");
        c.put(ka.clone(), &scan_of(1));
        c.put(kb.clone(), &scan_of(2));
        c.save().unwrap();
        // Both written two days ago; a day later `a` is used (not `b`): its date is renewed.
        let now = now();
        for k in [&ka, &kb] {
            touch(&entry_path(&path, k), now - 2 * 86_400).unwrap();
        }
        let mut c = Cache::open(Some(path.clone()), "s");
        c.now = now - 86_400;
        assert!(c.get(&ka).is_some());
        c.save().unwrap();
        assert_eq!(date_of(&entry_path(&path, &ka)), now - 86_400);
        assert_eq!(date_of(&entry_path(&path, &kb)), now - 2 * 86_400);
        // Used again within the hour: not written again.
        let mut c = Cache::open(Some(path.clone()), "s");
        c.now = now - 86_400 + 60;
        assert!(c.get(&ka).is_some());
        c.save().unwrap();
        assert_eq!(date_of(&entry_path(&path, &ka)), now - 86_400);
        // A new entry pushes the directory past its bound: the least recently used goes.
        let size = sweep(&path, u64::MAX).unwrap();
        let c = Cache::open_bounded(Some(path.clone()), "s", size + size / 4);
        let kc = git_key(&c, "c");
        c.put(kc.clone(), &scan_of(3));
        c.save().unwrap();
        let c = Cache::open(Some(path.clone()), "s");
        assert!(c.get(&ka).is_some() && c.get(&kc).is_some());
        assert!(c.get(&kb).is_none(), "the least recently used went");
        assert!(sweep(&path, u64::MAX).unwrap() <= size + size / 4);
    }

    #[test]
    fn an_oversized_or_linked_entry_is_not_read() {
        let (d, path) = cache_dir();
        let c = Cache::open(Some(path.clone()), "s");
        let k = git_key(&c, "a");
        c.put(k.clone(), &scan_of(1));
        c.save().unwrap();
        let size = std::fs::metadata(entry_path(&path, &k)).unwrap().len();
        assert!(Cache::open_bounded(Some(path.clone()), "s", size).contains(&k));
        assert!(!Cache::open_bounded(Some(path.clone()), "s", size - 1).contains(&k));
        #[cfg(unix)]
        {
            let other = Utf8PathBuf::from_path_buf(d.path().join("other")).unwrap();
            let link = entry_path(&other, &k);
            std::fs::create_dir_all(link.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(entry_path(&path, &k), &link).unwrap();
            assert!(
                !Cache::open(Some(other), "s").contains(&k),
                "links are not followed"
            );
        }
    }

    #[test]
    fn concurrent_runs_keep_each_others_entries() {
        let (_d, path) = cache_dir();
        // Both open the (missing) cache, each scans another package, both save.
        let a = Cache::open(Some(path.clone()), "s");
        let b = Cache::open(Some(path.clone()), "s");
        let ka = git_key(&a, "a");
        let kb = git_key(&b, "b");
        a.put(ka.clone(), &scan_of(1));
        b.put(kb.clone(), &scan_of(2));
        a.save().unwrap();
        b.save().unwrap();
        let c = Cache::open(Some(path.clone()), "s");
        assert_eq!(c.get(&ka).unwrap().files, 1);
        assert_eq!(c.get(&kb).unwrap().files, 2);
        // No temporary file is left behind: two entries and the recorded size.
        assert_eq!(files_below(&path).len(), 3, "{:?}", files_below(&path));
    }

    #[test]
    fn the_cache_lives_in_the_cache_directory_named_by_its_format() {
        assert_eq!(
            path(Utf8Path::new("/home/u/.cache/cargo-entitycheck")),
            format!("/home/u/.cache/cargo-entitycheck/scan-v{FORMAT}")
        );
    }

    #[test]
    fn a_corrupt_or_misplaced_entry_is_not_believed() {
        let (_d, path) = cache_dir();
        let c = Cache::open(Some(path.clone()), "s");
        let ka = git_key(&c, "a");
        let kb = git_key(&c, "b");
        c.put(ka.clone(), &scan_of(1));
        c.save().unwrap();
        // `a`'s scan copied under `b`'s name answers for neither `b` nor anything else.
        let eb = entry_path(&path, &kb);
        std::fs::create_dir_all(eb.parent().unwrap()).unwrap();
        std::fs::copy(entry_path(&path, &ka), &eb).unwrap();
        assert!(Cache::open(Some(path.clone()), "s").get(&kb).is_none());
        std::fs::write(entry_path(&path, &ka), "{not json").unwrap();
        assert!(Cache::open(Some(path.clone()), "s").get(&ka).is_none());
        // And the run that rescans rewrites it.
        let c = Cache::open(Some(path.clone()), "s");
        c.put(ka.clone(), &scan_of(5));
        c.save().unwrap();
        assert_eq!(Cache::open(Some(path), "s").get(&ka).unwrap().files, 5);
    }
}
