//! Evidence stage, deep scan: a package's files on disk → notices, build-script directives and
//! vendor metadata of the binaries and archives it ships.
//!
//! Every file is read once and decoded (UTF-8, UTF-16, legacy code pages: see `decode`). A
//! prefilter that sees through case, separators, invisible characters and look-alikes (see
//! [`TextPrefilter`]) picks the few lines worth normalising; everything else is skipped at memory
//! speed. Whether a line is attribution is decided by proximity: a notice word (`Copyright`,
//! `©`, `All rights reserved`…) attributes the name it governs, not every name on its line.
//! Binaries are recognised by their magic bytes, never their extension, and archives are walked
//! in memory within limits.

use camino::{Utf8Path, Utf8PathBuf};
use rayon::prelude::*;
use serde::Serialize;

use super::archive::{self, ArchiveLimits};
use super::binary::{self, FileKind};
use super::budget::{PackageBudget, PackageLimits};
use super::needles::{Needles, TextPrefilter};

#[cfg(test)]
mod budget_tests;
mod dev_only;
mod marks;
mod names;
mod office;
mod package;
mod rendered;
mod rtf;
pub mod test_data;
#[cfg(test)]
mod tests;
mod text;
use super::{Evidence, Field, Role, Shape, buildscript, clip};
use test_data::is_test_data;

/// The directories of `prune` that a scan of `root` passes over: those strictly below it (a
/// string prefix test: the list holds every screened package, most of them elsewhere). Two
/// scans of `root` whose lists agree on these read the same files.
pub fn pruned_below<'p>(
    root: &'p Utf8Path,
    prune: &'p [Utf8PathBuf],
) -> impl Iterator<Item = &'p str> + 'p {
    let root = root.as_str();
    prune.iter().map(|p| p.as_str()).filter(move |p| {
        p.len() > root.len() && p.starts_with(root) && p[root.len()..].starts_with(['/', '\\'])
    })
}

/// Limits of the deep scan, documented in the README and settable from the command line.
#[derive(Debug, Clone, Serialize)]
pub struct DeepOptions {
    /// Files larger than this are not read; they are listed as not scanned.
    pub max_file_bytes: u64,
    /// Most matching lines kept per file (a data table naming the entity ten thousand times says
    /// no more); the lines dropped are counted in a [`SkipKind::Truncated`] entry.
    pub max_hits_per_file: usize,
    /// Unpack a package's test-data archives even when nothing outside its test data names
    /// them (see [`Scanner::scan_files`]); off, their stored bytes and member names are read
    /// and their compressed members are listed in a note.
    pub unpack_test_data: bool,
    #[serde(skip)]
    pub archive: ArchiveLimits,
    /// What all the files of one package may spend together (see [`PackageBudget`]).
    #[serde(skip)]
    pub package: PackageLimits,
}

impl Default for DeepOptions {
    fn default() -> Self {
        DeepOptions {
            max_file_bytes: 64 * 1024 * 1024,
            max_hits_per_file: 64,
            unpack_test_data: false,
            archive: ArchiveLimits::default(),
            package: PackageLimits::default(),
        }
    }
}

pub use super::scan::{BinaryItem, PackageScan, SkipKind, Skipped};

/// The compiled prefilters of a scan, built once per run from the entity list.
pub struct Scanner {
    needles: Needles,
    /// Which lines of text files are worth normalising.
    prefilter: TextPrefilter,
    pub options: DeepOptions,
}

/// What a damaged archive's or binary's listing adds once its bytes were read as a plain file
/// (the container or the format could not be read, so it is still listed).
const READ_AS_PLAIN: &str = "its bytes were read as a plain file";

impl Scanner {
    /// `needle_words`: what to look for; `spelled`: those of them also looked for spelled out
    /// letter by letter (see [`crate::matching::Matcher::spelled_needles`]).
    pub fn new(needle_words: &[String], spelled: &[String], options: DeepOptions) -> Scanner {
        Scanner {
            needles: Needles::new(needle_words),
            prefilter: TextPrefilter::new(needle_words, spelled),
            options,
        }
    }

    /// Keeps the evidence of `scan` that `judge` finds matches in, at most
    /// [`DeepOptions::max_hits_per_file`] per file (in file and line order); the matching
    /// evidence dropped is counted per file as a [`SkipKind::Truncated`] entry. Returns the
    /// matches of the evidence kept. Both the pipeline and the head start call it on a fresh scan.
    pub fn keep_matches<M>(
        &self,
        scan: &mut PackageScan,
        mut judge: impl FnMut(&Evidence) -> Vec<M>,
    ) -> Vec<M> {
        let mut order: Vec<usize> = (0..scan.evidence.len()).collect();
        order.sort_by(|&a, &b| {
            let key = |e: &Evidence| {
                e.location
                    .as_ref()
                    .map(|l| (l.file.clone(), l.line))
                    .unwrap_or_default()
            };
            key(&scan.evidence[a]).cmp(&key(&scan.evidence[b]))
        });
        let mut keep = vec![false; scan.evidence.len()];
        let mut per_file: std::collections::BTreeMap<String, (usize, usize)> =
            std::collections::BTreeMap::new();
        let mut out = Vec::new();
        for i in order {
            let e = &scan.evidence[i];
            let found = judge(e);
            if found.is_empty() {
                continue;
            }
            let file = e
                .location
                .as_ref()
                .map(|l| l.file.clone())
                .unwrap_or_default();
            let (kept, dropped) = per_file.entry(file).or_default();
            if *kept < self.options.max_hits_per_file {
                *kept += 1;
                keep[i] = true;
                out.extend(found);
            } else {
                *dropped += 1;
            }
        }
        let mut it = keep.into_iter();
        scan.evidence.retain(|_| it.next().unwrap_or(false));
        for (file, (_, dropped)) in per_file {
            if dropped > 0 {
                scan.skipped.push(Skipped::new(
                    file,
                    SkipKind::Truncated,
                    format!(
                        "{dropped} more matching lines not kept (deep.max-hits-per-file = {})",
                        self.options.max_hits_per_file
                    ),
                ));
            }
        }
        scan.skipped.sort();
        out
    }

    /// Scans the files of one package. `prune` are directories never entered: the workspace
    /// target directory and the directory of every other screened package (each is screened on
    /// its own). Any other sub-directory belongs to the package around it, even with a
    /// `Cargo.toml` of its own: the crate can `include_str!` or link what is inside it.
    pub fn scan_package(
        &self,
        root: &Utf8Path,
        build_script: Option<&Utf8Path>,
        prune: &[Utf8PathBuf],
        limits: &crate::fsio::Limits,
    ) -> PackageScan {
        let mut scan = self.scan_files(root, prune);
        buildscript::add_to_scan(&mut scan, root, build_script, limits);
        scan
    }

    /// The file pass of [`Scanner::scan_package`]: every file below `root`, without the build
    /// script's directives (which need the path `cargo metadata` gives).
    pub fn scan_files(&self, root: &Utf8Path, prune: &[Utf8PathBuf]) -> PackageScan {
        let mut scan = PackageScan::default();
        if !root.is_dir() {
            scan.not_scanned = Some(format!("no source directory on disk at {root}"));
            return scan;
        }
        let mut links = Vec::new();
        let files = self.list_files(root, prune, &mut scan.skipped, &mut links);
        // The package root, opened once: every file is opened below it (see `fsio::Beneath`).
        let beneath = crate::fsio::Beneath::open(root.as_std_path());
        let budget = PackageBudget::new(&self.options.package);
        // Which files' paths may name something listed (see `names`), told for all at once.
        let named = self.names_may_hold(
            files
                .iter()
                .map(|p| strip_root(root, p).map_or(p.as_str(), Utf8Path::as_str)),
        );
        let pack = !self.options.unpack_test_data;
        let mut results: Vec<FileResult> = files
            .par_iter()
            .zip(&named)
            .map(|(path, &named)| self.scan_path(root, &beneath, path, named, &budget, pack))
            .collect();
        self.unpack_named_test_data(root, &beneath, &files, &links, &budget, &mut results);
        if budget.ran_out() {
            // Which files the spent budget cut short depends on how the threads happened to
            // run: the files that spent any of it (each an archive or a binary, so inventoried)
            // are scanned again, one after the other in path order, against a fresh budget, so
            // that every run lists the same ones. A hostile package pays its budget twice. A
            // test-data archive stays as the naming pass left it (unpacked once named).
            let again = PackageBudget::new(&self.options.package);
            for ((r, path), &named) in results.iter_mut().zip(&files).zip(&named) {
                if !r.binaries.is_empty() {
                    *r = self.scan_path(root, &beneath, path, named, &again, r.pack_test_data);
                }
            }
        }

        for (r, path) in results.into_iter().zip(&files) {
            if r.packed {
                scan.packed.push(rel_path(root, path));
            }
            scan.files += 1;
            scan.bytes += r.bytes;
            scan.evidence.extend(r.evidence);
            scan.binaries.extend(r.binaries);
            scan.skipped.extend(r.skipped);
        }
        // A link's name is a name the package ships (`libkavsdk.so -> libengine.so.8`, as an
        // SDK's tarball lays out its libraries), whatever its target is called.
        if !links.is_empty() {
            let rels: Vec<String> = links.iter().map(|p| rel_path(root, p)).collect();
            let named = self.names_may_hold(rels.iter().map(String::as_str));
            let mut r = FileResult::default();
            for (rel, named) in rels.iter().zip(named) {
                if named {
                    self.named_evidence(rel, 0, false, &mut r);
                }
            }
            scan.evidence.extend(r.evidence);
        }
        // Rare (a dependency with content it could not read): only then are its Rust sources
        // read again, for what they say about which directories a dependent's build reaches.
        if dev_only::may_relabel(root, &scan.skipped) {
            let rust: Vec<dev_only::RustFacts> = files
                .iter()
                .filter(|p| p.extension() == Some("rs"))
                .filter_map(|p| {
                    let rel = p.strip_prefix(root).ok()?;
                    let bytes = beneath
                        .read(rel.as_std_path(), self.options.max_file_bytes)
                        .ok()?;
                    Some(dev_only::facts(
                        &rel_path(root, p),
                        &String::from_utf8_lossy(&bytes),
                    ))
                })
                .collect();
            dev_only::relabel(&rust, &mut scan.skipped);
        }
        scan.evidence.sort();
        scan.evidence.dedup();
        scan.binaries.sort();
        scan.skipped.sort();
        scan
    }

    /// Scans again, unpacked, each test-data archive the first pass left packed that a file
    /// of the package outside its test data names (see [`test_data`]): by its file name, by
    /// one of its test-data directories written as a directory, or, in a build script, by
    /// one of those directories' names as a string.
    fn unpack_named_test_data(
        &self,
        root: &Utf8Path,
        beneath: &crate::fsio::Beneath,
        files: &[Utf8PathBuf],
        links: &[Utf8PathBuf],
        budget: &PackageBudget,
        results: &mut [FileResult],
    ) {
        let packed: Vec<usize> = (0..results.len()).filter(|&i| results[i].packed).collect();
        if packed.is_empty() {
            return;
        }
        let rels: Vec<String> = packed.iter().map(|&i| rel_path(root, &files[i])).collect();
        let mut naming = test_data::Naming::new(&rels);
        let bound = self.options.max_file_bytes.min(test_data::MAX_NAMING_FILE);
        // Read again, the package's other files may cost as much as unpacking: past
        // `MAX_NAMING_BYTES` every packed archive is unpacked instead, as if named.
        let mut read = 0u64;
        let mut all_named = false;
        for path in files {
            let rel = rel_path(root, path);
            if is_test_data(&rel) {
                continue;
            }
            let Some(inside) = strip_root(root, path) else {
                continue;
            };
            // Unreadable or too large: nothing a build takes a file by is in it.
            if let Ok(bytes) = beneath.read(inside.as_std_path(), bound) {
                read += bytes.len() as u64;
                if read > test_data::MAX_NAMING_BYTES {
                    all_named = true;
                    break;
                }
                naming.read(&rel, &bytes);
            }
        }
        // A link outside the test data to an archive in it (`vendor/sdk.zip ->
        // ../tests/data/sdk.zip`): a build taking the link takes the archive.
        for link in links {
            let rel = rel_path(root, link);
            if let (false, Ok(target)) = (is_test_data(&rel), std::fs::read_link(link)) {
                naming.read(&rel, target.to_string_lossy().as_bytes());
            }
        }
        let (named, rels): (Vec<usize>, Vec<String>) = packed
            .into_iter()
            .zip(rels)
            .zip(naming.named())
            .filter(|&(_, named)| named || all_named)
            .map(|(at, _)| at)
            .unzip();
        for (i, r) in named
            .into_iter()
            .zip(self.scan_unpacked(root, beneath, budget, &rels))
        {
            results[i] = r;
        }
    }

    /// Each of `rels` (files of the package at `root`) scanned again with its test data
    /// unpacked.
    fn scan_unpacked(
        &self,
        root: &Utf8Path,
        beneath: &crate::fsio::Beneath,
        budget: &PackageBudget,
        rels: &[String],
    ) -> Vec<FileResult> {
        let may_name = self.names_may_hold(rels.iter().map(String::as_str));
        rels.iter()
            .zip(may_name)
            .map(|(rel, may_name)| {
                self.scan_path(root, beneath, &root.join(rel), may_name, budget, false)
            })
            .collect()
    }

    /// Unpacks each archive `scan` (the package at `root`) left packed that one of `files`
    /// names (see [`test_data`]): files from outside the package, such as the workspace's
    /// Dockerfile or release workflow (`COPY crates/engine/tests/data/sdk.zip`), each with its
    /// path, and the files of the workspace's other packages (`others`, see
    /// [`test_data::package_files`]; `None`, too many to read: every archive counts as named)
    /// that name the package's directory too (`../engine/tests/data/x.zip`), or any of them
    /// for the package at the workspace's root (`../../tests/data/x.zip`): another package's
    /// `tests/data/x.zip` is its own.
    /// Returns what the unpacked readings found that `scan` does not hold yet; `scan`'s
    /// inventory and notes of those archives are replaced by theirs.
    pub fn unpack_named_by(
        &self,
        root: &Utf8Path,
        workspace_root: &Utf8Path,
        files: &[(String, Vec<u8>)],
        others: Option<&[test_data::PackageFile]>,
        scan: &mut PackageScan,
    ) -> PackageScan {
        let mut extra = PackageScan::default();
        if scan.packed.is_empty() {
            return extra;
        }
        let mut naming = test_data::Naming::new(&scan.packed);
        for (rel, bytes) in files {
            naming.read(rel, bytes);
        }
        // Its own files were read by its own scan (with its build script's rules).
        let dir_name = root
            .file_name()
            .filter(|_| root != workspace_root)
            .map(|n| memchr::memmem::Finder::new(n.as_bytes()));
        for f in others.into_iter().flatten().filter(|f| f.package != root) {
            if dir_name.as_ref().is_none_or(|n| n.find(&f.bytes).is_some()) {
                naming.read_other(&f.rel, &f.bytes);
            }
        }
        let all = others.is_none();
        let named: Vec<String> = scan
            .packed
            .iter()
            .zip(naming.named())
            .filter(|&(_, named)| named || all)
            .map(|(rel, _)| rel.clone())
            .collect();
        if named.is_empty() {
            return extra;
        }
        let beneath = crate::fsio::Beneath::open(root.as_std_path());
        let budget = PackageBudget::new(&self.options.package);
        // What the packed reading listed of a file (`x.zip`, `x.zip!member`).
        let of = |file: &str| {
            named
                .iter()
                .any(|rel| file.split('!').next() == Some(rel.as_str()))
        };
        scan.binaries.retain(|b| !of(&b.file));
        scan.skipped.retain(|s| !of(&s.file));
        for r in self.scan_unpacked(root, &beneath, &budget, &named) {
            extra.evidence.extend(
                r.evidence
                    .into_iter()
                    .filter(|e| !scan.evidence.contains(e)),
            );
            scan.binaries.extend(r.binaries);
            scan.skipped.extend(r.skipped);
        }
        scan.packed.retain(|p| !named.contains(p));
        scan.binaries.sort();
        scan.skipped.sort();
        extra.evidence.sort();
        extra.evidence.dedup();
        extra
    }

    /// The regular files below `root` to scan, in path order (no directory of
    /// [`pruned_below`] entered); the symbolic links that stay
    /// inside the package are added to `links` (never followed: their names are read).
    fn list_files(
        &self,
        root: &Utf8Path,
        prune: &[Utf8PathBuf],
        skipped: &mut Vec<Skipped>,
        links: &mut Vec<Utf8PathBuf>,
    ) -> Vec<Utf8PathBuf> {
        let mut files = Vec::new();
        let pruned: std::collections::HashSet<&str> = pruned_below(root, prune).collect();
        let mut walk = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by(crate::fsio::by_name)
            .into_iter();
        while let Some(entry) = walk.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let file = e
                        .path()
                        .map(|p| rel_path(root, &Utf8PathBuf::from(p.to_string_lossy().as_ref())))
                        .unwrap_or_default();
                    let kind = if e.loop_ancestor().is_some() {
                        SkipKind::Link
                    } else {
                        SkipKind::Unreadable
                    };
                    skipped.push(Skipped::new(file, kind, format!("unreadable: {e}")));
                    continue;
                }
            };
            let Some(path) = Utf8Path::from_path(entry.path()) else {
                skipped.push(Skipped::new(
                    entry.path().to_string_lossy(),
                    SkipKind::Unreadable,
                    "path is not UTF-8",
                ));
                continue;
            };
            let ft = entry.file_type();
            if ft.is_dir() {
                if entry.depth() > 0 && pruned.contains(path.as_str()) {
                    walk.skip_current_dir();
                } else if entry.depth() == 1
                    && entry.file_name() == ".git"
                    && is_git_metadata(root, path)
                {
                    // The repository a path or git package is checked out of: its history, not
                    // the package's content. Listed, never passed over silently. Its `config`
                    // is read: the remotes say where the checkout comes from (a clone of a
                    // vendor's repository), as a package's `repository` does.
                    skipped.push(Skipped::new(
                        rel_path(root, path),
                        SkipKind::Note,
                        "git metadata of the package's checkout (HEAD, objects/, refs/): not scanned but for its config's remote URLs",
                    ));
                    walk.skip_current_dir();
                    let config = path.join("config");
                    if std::fs::symlink_metadata(&config).is_ok_and(|m| m.is_file()) {
                        files.push(config);
                    }
                }
                continue;
            }
            if ft.is_symlink() {
                // Never followed. A link to a file inside the package is harmless (the file is
                // scanned where it is); one leading outside, broken or looping hides content.
                let inside = path
                    .canonicalize_utf8()
                    .ok()
                    .zip(root.canonicalize_utf8().ok())
                    .is_some_and(|(t, r)| t.starts_with(r));
                if inside {
                    links.push(path.to_path_buf());
                } else {
                    skipped.push(Skipped::new(
                        rel_path(root, path),
                        SkipKind::Link,
                        "symbolic link outside the package, broken or looping: not followed",
                    ));
                }
                continue;
            }
            if !ft.is_file() {
                // A FIFO, socket or device: never opened (a FIFO blocks, a device never ends),
                // and listed, since what it would hold is not screened.
                skipped.push(Skipped::new(
                    rel_path(root, path),
                    SkipKind::Unreadable,
                    "not a regular file (a FIFO, socket or device): not read",
                ));
                continue;
            }
            // The manifest and cargo's own bookkeeping at the package root say what `cargo
            // metadata` already reported (and the manifest stage read): scanning them again
            // would only repeat that evidence as text.
            if entry.depth() == 1
                && matches!(
                    entry.file_name().to_str(),
                    Some(
                        "Cargo.toml"
                            | "Cargo.toml.orig"
                            | "Cargo.lock"
                            | ".cargo_vcs_info.json"
                            | ".cargo-checksum.json"
                            | ".cargo-ok"
                    )
                )
            {
                continue;
            }
            // Its size is read from the handle it is read through (see `scan_path`).
            files.push(path.to_path_buf());
        }
        files
    }

    /// Scans one file (a shipped artefact), its findings located at `name` (and `name!entry`
    /// inside archives). A file over the size limit is skipped, as in a package.
    pub fn scan_file(&self, path: &Utf8Path, name: &str) -> PackageScan {
        let mut scan = PackageScan::default();
        // Opened once (no link followed, never blocking, a regular file by its handle); its
        // size and bytes both come from that handle.
        let opened = crate::fsio::open_regular(path.as_std_path(), false);
        let len = opened.as_ref().map_or(0, |(_, meta)| meta.len());
        if len > self.options.max_file_bytes {
            scan.skipped.push(Skipped::new(
                name,
                SkipKind::TooLarge,
                format!(
                    "{len} bytes, over the {} byte limit",
                    self.options.max_file_bytes
                ),
            ));
            return scan;
        }
        let mut r = FileResult::default();
        let budget = PackageBudget::new(&self.options.package);
        let read = opened.and_then(|(file, meta)| {
            crate::fsio::read_handle(
                file,
                &meta,
                crate::fsio::ReadKind::PackageFile,
                self.options.max_file_bytes,
            )
        });
        match read {
            Ok(bytes) => {
                r.bytes = len.max(bytes.len() as u64);
                self.scan_bytes(name, &bytes, &budget, &mut r);
            }
            Err(e) => r.skipped.push(Skipped::new(
                name,
                SkipKind::Unreadable,
                format!("unreadable: {e}"),
            )),
        }
        // The file's own name, not the directories it was found in (they are the user's).
        self.name_evidence(
            name,
            name.rfind(['/', '\\']).map_or(0, |i| i + 1),
            false,
            &mut r,
        );
        scan.files = 1;
        scan.bytes = r.bytes;
        scan.evidence = r.evidence;
        scan.binaries = r.binaries;
        scan.skipped = r.skipped;
        scan
    }

    /// Scans the files of a dependency already in memory (the members of a `.crate` the
    /// registry sweep reads: path relative to the package root, bytes), as
    /// [`Scanner::scan_files`] scans an unpacked copy, with the same rule for what could not be
    /// read in its test-only directories (applied to `skipped` too: what reading the archive
    /// passed over).
    pub fn scan_dependency_in_memory(
        &self,
        files: &[(String, Vec<u8>)],
        skipped: Vec<Skipped>,
    ) -> PackageScan {
        let mut scan = PackageScan {
            skipped,
            ..Default::default()
        };
        // One file after the other: what a spent budget cuts short is the same on every run.
        let budget = PackageBudget::new(&self.options.package);
        for (rel, bytes) in files {
            let mut r = FileResult {
                bytes: bytes.len() as u64,
                ..Default::default()
            };
            self.scan_bytes(rel, bytes, &budget, &mut r);
            self.name_evidence(rel, 0, false, &mut r);
            scan.files += 1;
            scan.bytes += r.bytes;
            scan.evidence.extend(r.evidence);
            scan.binaries.extend(r.binaries);
            scan.skipped.extend(r.skipped);
        }
        // A `.crate` is always a dependency (see `dev_only::may_relabel` for an unpacked one).
        if scan.skipped.iter().any(Skipped::counts_as_unscanned) {
            let rust: Vec<dev_only::RustFacts> = files
                .iter()
                .filter(|(rel, _)| rel.ends_with(".rs"))
                .map(|(rel, bytes)| dev_only::facts(rel, &String::from_utf8_lossy(bytes)))
                .collect();
            dev_only::relabel(&rust, &mut scan.skipped);
        }
        scan.evidence.sort();
        scan.evidence.dedup();
        scan.binaries.sort();
        scan.skipped.sort();
        scan
    }

    /// Scans one listed file. `pack_test_data`: a test-data archive is walked for what it stores
    /// only (see [`archive::walk_stored`]), as the options ask unless it was named.
    fn scan_path(
        &self,
        root: &Utf8Path,
        beneath: &crate::fsio::Beneath,
        path: &Utf8Path,
        named: bool,
        budget: &PackageBudget,
        pack_test_data: bool,
    ) -> FileResult {
        let rel = rel_path(root, path);
        let mut r = FileResult {
            pack_test_data,
            ..FileResult::default()
        };
        // The thread's read buffer, taken (not borrowed: a nested parallel scan on this thread
        // finds it empty and makes its own) and put back after the scan.
        let mut bytes = READ_BUFFER.with(std::cell::Cell::take);
        // Opened once, below the package root (no link followed on the way or at the end, never
        // blocking, a regular file by its handle): its size is the handle's, so the walk needs no
        // `stat` of its own.
        let max = self.options.max_file_bytes;
        let opened = match strip_root(root, path) {
            Some(inside) => beneath.open_file(inside.as_std_path()),
            None => Err(crate::fsio::ReadError::Outside),
        };
        let read = opened.and_then(|(file, meta)| {
            if meta.len() > max {
                return Ok(Some(meta.len()));
            }
            crate::fsio::read_handle_into(
                file,
                &meta,
                crate::fsio::ReadKind::PackageFile,
                max,
                &mut bytes,
            )
            .map(|()| None)
        });
        match read {
            Ok(None) => {
                r.bytes = bytes.len() as u64;
                self.scan_read(&rel, &bytes, budget, &mut r);
            }
            Ok(Some(len)) => r.skipped.push(Skipped::new(
                rel.clone(),
                SkipKind::TooLarge,
                format!("{len} bytes, over the {max} byte limit"),
            )),
            Err(e) => r.skipped.push(Skipped::new(
                rel.clone(),
                SkipKind::Unreadable,
                format!("unreadable: {e}"),
            )),
        }
        if named {
            self.named_evidence(&rel, 0, false, &mut r);
        }
        // Keep the buffer's memory bounded across files.
        if bytes.capacity() <= crate::fsio::REUSED_BUFFER_KEEP {
            READ_BUFFER.with(|b| b.set(bytes));
        }
        r
    }

    fn scan_read(&self, rel: &str, bytes: &[u8], budget: &PackageBudget, r: &mut FileResult) {
        // A certificate or report this tool wrote quotes evidence; it is never evidence itself.
        if let Some(what) = super::own::own_output(bytes) {
            r.skipped.push(Skipped::new(
                rel,
                SkipKind::Note,
                format!(
                    "cargo-entitycheck's own output ({what}): never evidence about the product, not scanned"
                ),
            ));
            return;
        }
        self.scan_bytes(rel, bytes, budget, r);
    }

    /// Scans one file's bytes: an archive or compressed stream is walked (its members scanned
    /// by [`Scanner::scan_entry`]); anything else is scanned as itself, and an archive appended
    /// to it (a self-extracting executable's zip, an AppImage's SquashFS image) is walked as well.
    fn scan_bytes(&self, name: &str, bytes: &[u8], budget: &PackageBudget, r: &mut FileResult) {
        if let Some(members) = package::members(bytes) {
            self.walk_package(name, bytes, members, budget, r);
            return;
        }
        if let Some(format) = archive::sniff(bytes) {
            self.walk_archive(name, bytes, format, budget, r);
            return;
        }
        self.scan_plain(name, bytes, budget, r);
        if let Some((at, format)) = archive::appended(bytes) {
            self.walk_archive(name, &bytes[at..], format, budget, r);
        }
    }

    fn walk_archive(
        &self,
        name: &str,
        bytes: &[u8],
        format: archive::Format,
        budget: &PackageBudget,
        r: &mut FileResult,
    ) {
        // An image with text chunks is no binary of the inventory's.
        if format != archive::Format::Png && !r.binaries.iter().any(|b| b.file == name) {
            r.binaries.push(BinaryItem {
                file: name.to_string(),
                kind: format.name().into(),
                bytes: bytes.len() as u64,
            });
        }
        // A file on disk in a test-data directory: only what it stores is read, until
        // something outside the test data names it (see `unpack_named_test_data`).
        let stored_only = r.pack_test_data && !name.contains('!') && is_test_data(name);
        let mut visit = |entry: archive::ArchiveEntry<'_>| {
            // Nested archives are walked by `walk_archive` itself; here, members are files.
            self.scan_entry(&entry.path, entry.bytes, budget, r);
        };
        let walk = if stored_only {
            archive::walk_stored
        } else {
            archive::walk_archive
        };
        let stats = walk(
            name,
            bytes,
            format,
            &self.options.archive,
            budget,
            &mut visit,
        );
        for path in &stats.nested {
            self.member_name_evidence(path, true, r);
        }
        for path in &stats.listed {
            self.member_name_evidence(path, false, r);
        }
        if stats.packed > 0 {
            r.packed = true;
            let container = stats.listed.is_empty() && stats.entries == 0;
            if container {
                // Not opened at all (a compressed container): its bytes as a plain file's.
                self.scan_plain(name, bytes, budget, r);
            }
            let left = if container {
                format!("{} not unpacked", format.name())
            } else {
                format!(
                    "{} compressed member{} named but not unpacked",
                    stats.packed,
                    if stats.packed == 1 { "" } else { "s" }
                )
            };
            r.skipped.push(Skipped::new(
                name,
                SkipKind::Note,
                format!(
                    "{} in a test-data directory that nothing outside the test data names: its stored bytes and member names were read, {left} (--unpack-test-data unpacks them)",
                    format.name()
                ),
            ));
            // The inventory says so too (notes are not reported).
            if let Some(item) = r.binaries.iter_mut().find(|b| b.file == name) {
                item.kind = format!("{}, test data: {left}", format.name());
            }
        }
        for header in stats.installers {
            self.installer_evidence(header, r);
        }
        for (path, signers) in stats.apk_signers {
            match signers {
                Ok(subjects) => push_binary_strings(
                    &path,
                    binary::subject_strings(super::field::SignatureScheme::Apk, subjects),
                    r,
                ),
                Err(e) => r.skipped.push(Skipped::new(
                    path,
                    SkipKind::Malformed,
                    format!("APK signing block could not be read: {e}"),
                )),
            }
        }
        // An archive that is damaged (it cannot be opened, or its stream or one of its own
        // members cannot be decoded) is read as a plain file too: as text, or for the strings
        // of an unknown binary. Its first bytes said "archive", and that is all that is known
        // of them: a notice behind a zip, gzip, xz, zstd, 7-Zip or compound-file signature was
        // otherwise never read (it is listed as malformed either way).
        let own = |path: &str| {
            path == name
                || path
                    .strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('!'))
                    .is_some_and(|member| !member.contains('!'))
        };
        // The container itself also when it is refused as unsupported (a 7-Zip signature
        // with a version no reader knows).
        let damaged = |s: &archive::ArchiveSkip| {
            (s.kind == SkipKind::Malformed && own(&s.path))
                || (s.kind == SkipKind::Unreadable && s.path == name)
        };
        let unopened = stats.skipped.iter().any(damaged);
        if unopened {
            self.scan_plain(name, bytes, budget, r);
        }
        let mut raw_scanned = unopened;
        // A member that was not read (encrypted, over a limit, a link) still has the name the
        // archive lists it under: `sdk.zip!lib/kavsdk.dll` behind a password is still named so.
        for s in &stats.skipped {
            if s.path != name && s.path.contains('!') {
                self.member_name_evidence(&s.path, false, r);
            }
        }
        for s in stats.skipped {
            // A corrupt archive kept as a package's own test data (a compression library's
            // `tests/corrupt.gz`) holds nothing any decoder can unpack: its bytes are searched
            // as raw data, like any unknown binary, and it is listed as a note. Encrypted
            // members, unsupported methods and limits stay not scanned.
            if s.kind == SkipKind::Malformed && is_test_data(name) {
                if !raw_scanned {
                    self.raw_strings(name, bytes, r);
                    raw_scanned = true;
                }
                r.skipped.push(Skipped::new(
                    s.path,
                    SkipKind::Note,
                    format!(
                        "{}; corrupt test data: its bytes were searched as raw data",
                        s.reason
                    ),
                ));
                continue;
            }
            let reason = if damaged(&s) {
                format!("{}; {READ_AS_PLAIN}", s.reason)
            } else {
                s.reason
            };
            r.skipped.push(Skipped::new(s.path, s.kind, reason));
        }
    }

    /// A Windows Installer file's header as evidence: who it says made it (`msi header
    /// Manufacturer`…, attribution as a package's authors are) and who signed it (the signer's
    /// certificate subject, as a signed executable's); its inventory entry named for its kind.
    fn installer_evidence(&self, header: archive::installer::Installer, r: &mut FileResult) {
        let archive::installer::Installer {
            path,
            kind,
            fields,
            signature,
        } = header;
        match r.binaries.iter_mut().find(|b| b.file == path) {
            Some(item) => item.kind = kind.into(),
            None => r.binaries.push(BinaryItem {
                file: path.clone(),
                kind: kind.into(),
                bytes: 0,
            }),
        }
        for (key, value) in fields {
            let shape = if key.starts_with("ARPURL") || key == "ARPHELPLINK" {
                Shape::Url
            } else {
                Shape::Author
            };
            r.evidence.push(
                Evidence::new(
                    Field::PackageHeader {
                        kind: kind.to_string(),
                        key: key.to_string(),
                    },
                    Role::Attribution,
                    shape,
                    clip(&value),
                )
                .at(&path, None),
            );
        }
        let Some(der) = signature else { return };
        match binary::signature_strings(super::field::SignatureScheme::Authenticode, &der) {
            Ok(strings) => push_binary_strings(&path, strings, r),
            Err(e) => r.skipped.push(Skipped::new(
                format!("{path}!\\u{{5}}DigitalSignature"),
                SkipKind::Malformed,
                format!("{kind} signature could not be read: {e}"),
            )),
        }
    }

    /// A package format that is an archive by another name (`.deb`, `.rpm`, a cpio payload): its
    /// header fields as evidence, and every member scanned as a file of its own.
    fn walk_package(
        &self,
        name: &str,
        bytes: &[u8],
        p: package::Package<'_>,
        budget: &PackageBudget,
        r: &mut FileResult,
    ) {
        r.binaries.push(BinaryItem {
            file: name.to_string(),
            kind: p.kind.into(),
            bytes: bytes.len() as u64,
        });
        for (key, value) in p.fields {
            r.evidence.push(
                Evidence::new(
                    Field::PackageHeader {
                        kind: p.kind.to_string(),
                        key: key.to_string(),
                    },
                    Role::Attribution,
                    if key == "URL" {
                        Shape::Url
                    } else {
                        Shape::Author
                    },
                    clip(value.trim()),
                )
                .at(name, None),
            );
        }
        if let Some(problem) = p.problem {
            r.skipped
                .push(Skipped::new(name, SkipKind::Malformed, problem));
        }
        if !p.signers.is_empty() {
            let strings = binary::subject_strings(super::field::SignatureScheme::Xar, p.signers);
            push_binary_strings(name, strings, r);
        }
        // Members are scanned as files; a package nested in a package is walked again only
        // within the archive depth limit.
        let depth = name.matches('!').count() as u32;
        for (member, data) in p.members {
            let inner = format!("{name}!{member}");
            if let Err(why) = budget.take_member() {
                r.skipped.push(Skipped::new(
                    inner,
                    SkipKind::Limit,
                    format!("{why}; this and the remaining members were not read"),
                ));
                break;
            }
            if depth + 1 >= self.options.archive.max_depth {
                self.scan_plain(&inner, data, budget, r);
            } else {
                self.scan_bytes(&inner, data, budget, r);
            }
            self.member_name_evidence(&inner, false, r);
        }
    }

    /// One file that is not an archive (`name` may be `outer.zip!inner/path`).
    fn scan_plain(&self, name: &str, bytes: &[u8], budget: &PackageBudget, r: &mut FileResult) {
        if name.matches('!').count() < self.options.archive.max_depth as usize
            && let Some(members) = package::members(bytes)
        {
            self.walk_package(name, bytes, members, budget, r);
            return;
        }
        let kind = binary::sniff(bytes);
        match kind {
            FileKind::Pe
            | FileKind::Elf
            | FileKind::MachO
            | FileKind::MachOFat
            | FileKind::StaticArchive => {
                r.binaries.push(BinaryItem {
                    file: name.to_string(),
                    kind: kind_name(kind).into(),
                    bytes: bytes.len() as u64,
                });
                match binary::inspect_binary(bytes, &self.needles, budget) {
                    Ok(report) => {
                        let go = report
                            .strings
                            .iter()
                            .any(|s| super::gobuild::looks_like_record(&s.text));
                        push_binary_strings(name, self.run_paths(report.strings), r);
                        self.static_member_names(name, &report.member_names, r);
                        if go {
                            self.scan_go_build(name, bytes, r);
                        }
                    }
                    Err(e) => {
                        // A limit (the file's or the package's) stopped the inspection, or the
                        // file is damaged: listed either way.
                        let limit = matches!(e, binary::InspectError::Limit(_));
                        let (kind, reason) = if limit {
                            (SkipKind::Limit, e.to_string())
                        } else if super::embedded::Form::of_name(name).is_some() {
                            // A blob written out in a source file is as often a fragment (a
                            // parser's test header) as a whole binary: all its bytes are read
                            // either way, so a damaged one is a note, not a file unscanned.
                            (
                                SkipKind::Note,
                                format!("{e}; written out in text: {READ_AS_PLAIN}"),
                            )
                        } else {
                            (SkipKind::Malformed, format!("{e}; {READ_AS_PLAIN}"))
                        };
                        r.skipped.push(Skipped::new(name, kind, reason));
                        // Neither must hide the strings: fall back to raw ones (one pass over
                        // bytes already read). A damaged "binary" is read as text where it is
                        // text (see `decode`): an ELF, Mach-O or `ar` signature in front of a
                        // notice does not keep its look-alike letters from being folded.
                        if limit {
                            self.raw_strings(name, bytes, r);
                        } else {
                            self.scan_text(name, bytes, r);
                        }
                    }
                }
            }
            // Recognised as archives before this match (see `scan_bytes`); a stray one is data.
            FileKind::Zip | FileKind::Tar | FileKind::Gzip => self.scan_text(name, bytes, r),
            FileKind::Other | FileKind::Wasm => {
                if kind == FileKind::Wasm {
                    self.scan_wasm(name, bytes, budget, r);
                }
                self.scan_signature(name, bytes, r);
                self.scan_bytecode(name, bytes, r);
                self.scan_text(name, bytes, r);
                self.scan_firmware(name, bytes, budget, r);
                self.scan_embedded(name, bytes, budget, r);
            }
        }
    }

    /// A WebAssembly binary: the modules it imports and the libraries it needs, as a binary's
    /// libraries, and its run path (see [`binary::inspect_binary`]); its bytes are then read as
    /// any other file's (its custom sections' text, its data), which is all a damaged one
    /// gets, with a note.
    fn scan_wasm(&self, name: &str, bytes: &[u8], budget: &PackageBudget, r: &mut FileResult) {
        r.binaries.push(BinaryItem {
            file: name.to_string(),
            kind: kind_name(FileKind::Wasm).into(),
            bytes: bytes.len() as u64,
        });
        match binary::inspect_binary(bytes, &self.needles, budget) {
            Ok(report) => push_binary_strings(name, self.run_paths(report.strings), r),
            Err(e) => {
                let kind = if matches!(e, binary::InspectError::Limit(_)) {
                    SkipKind::Limit
                } else {
                    SkipKind::Note
                };
                r.skipped.push(Skipped::new(
                    name,
                    kind,
                    format!("{e}; its imports were not read, {READ_AS_PLAIN}"),
                ));
            }
        }
    }

    /// A Go binary's module records (see [`super::gobuild`]): its main module (attribution, as
    /// a `go.mod`'s `module`) and the modules compiled in or replacing one (integration, as a
    /// `require`), each once, those that name something listed.
    fn scan_go_build(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        use super::gobuild::Record;
        use crate::evidence::recognise::{FieldKind, MetadataFormat};
        let mut seen = std::collections::BTreeSet::new();
        for m in super::gobuild::modules(bytes) {
            let value = format!("https://{}", m.path);
            if !seen.insert((m.record.key(), m.path)) || !self.text_hits(&value) {
                continue;
            }
            let kind = if m.record == Record::Main {
                FieldKind::Attribution
            } else {
                FieldKind::Integration
            };
            let key = m.record.key().to_string();
            push_compiled_name(name, MetadataFormat::GoBuildInfo, key, kind, value, r);
        }
    }

    /// Compiled JVM code (a class file, a dex file): the packages of the classes it defines
    /// (attribution, as a source file's `package`) and refers to (integration, as an `import`),
    /// each package once, those that name something listed (see [`super::bytecode`]).
    fn scan_bytecode(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        use crate::evidence::recognise::{FieldKind, MetadataFormat};
        let Some(classes) = super::bytecode::class_names(bytes) else {
            return;
        };
        let mut seen = std::collections::BTreeSet::new();
        let defined = classes.defined.iter().map(|c| (c, FieldKind::Attribution));
        let referenced = classes
            .referenced
            .iter()
            .map(|c| (c, FieldKind::Integration));
        for (class, kind) in defined.chain(referenced) {
            let Some(package) = super::bytecode::package(class) else {
                continue;
            };
            if !seen.insert(package.clone()) {
                continue;
            }
            let Some(host) = crate::evidence::recognise::reverse_domain(&package) else {
                continue;
            };
            if !self.text_hits(&host) {
                continue;
            }
            let what = if kind == FieldKind::Attribution {
                "class"
            } else {
                "reference"
            };
            let key = format!("{what} (reverse domain {package})");
            push_compiled_name(name, MetadataFormat::JvmBytecode, key, kind, host, r);
        }
    }

    /// A detached signature (a JAR's `META-INF/*.RSA`, a `.p7s`, a catalog, an Apple
    /// `_CodeSignature/CodeSignature`): who signed what it sits beside, as a signed
    /// executable's signer is (its bytes are searched as text's besides). One that does not
    /// parse is only text.
    fn scan_signature(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        let Some((scheme, der)) = binary::detached_signature(bytes) else {
            return;
        };
        let Ok(strings) = binary::signature_strings(scheme, der) else {
            return;
        };
        r.binaries.push(BinaryItem {
            file: name.to_string(),
            kind: "signature".into(),
            bytes: bytes.len() as u64,
        });
        push_binary_strings(name, strings, r);
    }

    /// The blobs written out in a file (base64, hex digits, byte arrays: see
    /// [`super::embedded`]), each scanned as a file of its own named `file!base64@line`,
    /// `file!hex@line` or `file!array@line`, within the archive depth limit and the package's
    /// budget of decoded bytes.
    fn scan_embedded(&self, name: &str, bytes: &[u8], budget: &PackageBudget, r: &mut FileResult) {
        if bytes.len() < super::embedded::MIN_BLOB
            || name.matches('!').count() + 1 >= self.options.archive.max_depth as usize
        {
            return;
        }
        let Ok(left) = budget.unpacked_left() else {
            return;
        };
        let started = std::time::Instant::now();
        let blobs = super::embedded::blobs(bytes, left.min(self.options.max_file_bytes));
        let decoded: u64 = blobs.iter().map(|b| b.bytes.len() as u64).sum();
        budget.charge_decoding(decoded, started.elapsed());
        for blob in blobs {
            let line = memchr::memchr_iter(b'\n', &bytes[..blob.at]).count() + 1;
            let form = blob.form.name();
            self.scan_bytes(&format!("{name}!{form}@{line}"), &blob.bytes, budget, r);
        }
    }

    /// A firmware image written as text (see [`super::firmware`]): the bytes its records load,
    /// scanned as a file named `file!ihex@1` (or `!srec@1`), within the package's budget. Lines
    /// that are not records are a note: they were read as the file's text, not as the image. An
    /// image in a test-data directory (see [`is_test_data`]) is a note and is not decoded, until
    /// something outside the test data names it.
    fn scan_firmware(&self, name: &str, bytes: &[u8], budget: &PackageBudget, r: &mut FileResult) {
        if name.matches('!').count() + 1 >= self.options.archive.max_depth as usize {
            return;
        }
        // Its first byte (after a byte-order mark and white space) alone rules most files out.
        let Some(format) = super::firmware::sniff(bytes) else {
            return;
        };
        if r.pack_test_data && is_test_data(name) {
            // A package's own test inputs (yara-x keeps every sample it parses as Intel HEX):
            // nobody's build input unless something outside the test data names them (see
            // `unpack_named_test_data`), and decoding them cost a quarter of a check of such
            // a workspace. Listed, so that nothing is passed over silently.
            r.packed = true;
            r.skipped.push(Skipped::new(
                name,
                SkipKind::Note,
                format!(
                    "{} image in a test-data directory that nothing outside the test data names: its text was scanned, its records not decoded (--unpack-test-data decodes them)",
                    super::embedded::Form::Firmware(format).name()
                ),
            ));
            return;
        }
        let Ok(left) = budget.unpacked_left() else {
            return;
        };
        let started = std::time::Instant::now();
        let Some(image) = super::firmware::decode(bytes, left.min(self.options.max_file_bytes))
        else {
            return;
        };
        budget.charge_decoding(image.bytes.len() as u64, started.elapsed());
        let form = super::embedded::Form::Firmware(image.format).name();
        let inner = format!("{name}!{form}@1");
        if image.bad_lines > 0 {
            r.skipped.push(Skipped::new(
                &inner,
                SkipKind::Note,
                format!(
                    "{} lines are not {form} records: read as the file's text, not as the image",
                    image.bad_lines
                ),
            ));
        }
        self.scan_bytes(&inner, &image.bytes, budget, r);
    }

    /// An archive member: binaries are inspected, everything else scanned as text (archives
    /// inside archives, and zips appended to executables, were already walked by the walker).
    fn scan_entry(&self, name: &str, bytes: &[u8], budget: &PackageBudget, r: &mut FileResult) {
        self.scan_plain(name, bytes, budget, r);
        self.member_name_evidence(name, false, r);
    }

    /// The names of a static archive's members (see [`binary::BinaryReport::member_names`]),
    /// read as a zip's members' are (`libengine.a!kavsdk_engine.o`): an object file is shipped
    /// code whatever its name, as a member archive is. One pass of the fast stage over them all.
    fn static_member_names(&self, name: &str, members: &[(String, bool)], r: &mut FileResult) {
        if members.is_empty() {
            return;
        }
        let may = self.names_may_hold(members.iter().map(|(m, _)| m.as_str()));
        for ((member, object), may) in members.iter().zip(may) {
            if may {
                let inner = format!("{name}!{member}");
                let from = inner.rfind('!').map_or(0, |i| i + 1);
                self.named_evidence(&inner, from, *object, r);
            }
        }
    }

    /// [`Scanner::name_evidence`] of an archive member `outer!path`: its path in the archive.
    fn member_name_evidence(&self, name: &str, archive: bool, r: &mut FileResult) {
        self.name_evidence(name, name.rfind('!').map_or(0, |i| i + 1), archive, r);
    }
}

/// A name compiled into a binary (a JVM class's package, a Go module's path), read as the
/// metadata field it stands for: a host, attributing or integrating as `kind` says.
fn push_compiled_name(
    name: &str,
    format: crate::evidence::recognise::MetadataFormat,
    key: String,
    kind: crate::evidence::recognise::FieldKind,
    value: String,
    r: &mut FileResult,
) {
    let hit = crate::evidence::recognise::FieldHit {
        format,
        key,
        kind,
        shape: Shape::Url,
        value,
        line: 0,
    };
    r.evidence
        .push(Evidence::new(hit.field(), hit.role(), hit.shape, hit.value).at(name, None));
}

/// A binary's strings (its inspection's, or a signature's subjects) as evidence at `name`: a
/// certificate subject is read as one, anything else as text; a string that says who made
/// the file attributes, any other mentions.
fn push_binary_strings(name: &str, strings: Vec<binary::BinaryString>, r: &mut FileResult) {
    for s in strings {
        let shape = if s.field.part.is_subject() {
            Shape::Subject
        } else if s.field.part.holds_url(&s.text) {
            Shape::Url
        } else {
            Shape::Text
        };
        let role = if s.attribution {
            Role::Attribution
        } else {
            Role::Mention
        };
        r.evidence.push(
            Evidence::new(Field::Binary(s.field), role, shape, clip(s.text.trim())).at(name, None),
        );
    }
}

thread_local! {
    /// The bytes of the file being scanned, reused from file to file.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    /// The fast stage's mapped copy of a chunk of the file being scanned, reused from chunk to
    /// chunk and file to file.
    static MAPPED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[derive(Default)]
struct FileResult {
    bytes: u64,
    evidence: Vec<Evidence>,
    binaries: Vec<BinaryItem>,
    skipped: Vec<Skipped>,
    /// Asked: a test-data archive is walked for what it stores only.
    pack_test_data: bool,
    /// Found: such an archive left something compressed (or a firmware image in test data
    /// was left undecoded).
    packed: bool,
}

fn rel_path(root: &Utf8Path, path: &Utf8Path) -> String {
    strip_root(root, path)
        .unwrap_or(path)
        .as_str()
        .replace('\\', "/")
}

/// `path` below `root`, as [`Utf8Path::strip_prefix`] gives it, told first by comparing the
/// strings (a walk's paths are the root joined with names, and comparing component by
/// component for every file of a large graph cost 1% of a check).
fn strip_root<'a>(root: &Utf8Path, path: &'a Utf8Path) -> Option<&'a Utf8Path> {
    let fast = path
        .as_str()
        .strip_prefix(root.as_str())
        .and_then(|rest| rest.strip_prefix(std::path::MAIN_SEPARATOR))
        .filter(|rest| {
            // Only clean names: what components would drop (`.`, an empty one) goes the slow way.
            !root.as_str().ends_with(std::path::MAIN_SEPARATOR)
                && rest
                    .split(std::path::MAIN_SEPARATOR)
                    .all(|c| !c.is_empty() && c != ".")
        });
    match fast {
        Some(rest) => Some(Utf8Path::new(rest)),
        None => path.strip_prefix(root).ok(),
    }
}

/// Whether `dir` (a `.git` directly below a package root) is a real repository's metadata:
/// `HEAD`, `objects/` and `refs/`, in a package that is not an unpacked registry or vendored
/// one (cargo writes `.cargo-ok` and `.cargo-checksum.json` there; a `.git` shipped inside a
/// published package is content like any other).
fn is_git_metadata(root: &Utf8Path, dir: &Utf8Path) -> bool {
    dir.join("HEAD").is_file()
        && dir.join("objects").is_dir()
        && dir.join("refs").is_dir()
        && !root.join(".cargo-ok").exists()
        && !root.join(".cargo-checksum.json").exists()
}

fn kind_name(k: FileKind) -> &'static str {
    match k {
        FileKind::Pe => "pe",
        FileKind::Elf => "elf",
        FileKind::MachO => "mach-o",
        FileKind::MachOFat => "mach-o-fat",
        FileKind::StaticArchive => "static-archive",
        FileKind::Wasm => "wasm",
        FileKind::Zip => "zip",
        FileKind::Tar => "tar",
        FileKind::Gzip => "gzip",
        FileKind::Other => "other",
    }
}
