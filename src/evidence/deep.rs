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
use super::decode::{self, Decoded};
use super::needles::{Needles, TextPrefilter, map_ascii};
use super::recognise::{self, FileClass};

#[cfg(test)]
mod budget_tests;
mod dev_only;
mod package;
use super::{Evidence, Role, Shape, buildscript, clip};

/// Limits of the deep scan, documented in the README and settable from the command line.
#[derive(Debug, Clone, Serialize)]
pub struct DeepOptions {
    /// Files larger than this are not read; they are listed as not scanned.
    pub max_file_bytes: u64,
    /// Most matching lines kept per file (a data table naming the entity ten thousand times says
    /// no more); the lines dropped are counted in a [`SkipKind::Truncated`] entry.
    pub max_hits_per_file: usize,
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
            archive: ArchiveLimits::default(),
            package: PackageLimits::default(),
        }
    }
}

pub use super::scan::{BinaryItem, PackageScan, SkipKind, Skipped};

/// Notice words that attribute the name written after them (`Copyright (c) 2024 <holder>`).
const NOTICE_BEFORE: &[&str] = &[
    "copyright",
    "(c)",
    "©",
    "licensed by",
    "licensor",
    "авторск",
    "правообладател",
    // Japanese, Chinese (simplified and traditional) and Korean for "copyright".
    "著作権",
    "版权",
    "版權",
    "저작권",
];

/// Notice words that attribute the name written before them (`<holder>. All rights reserved.`).
const NOTICE_AFTER: &[&str] = &[
    "rights reserved",
    "права защищены",
    "版权所有",
    "版權所有",
    "に帰属します",
    "권리 보유",
];

/// Most bytes between a notice word and the name it governs.
const NOTICE_REACH: usize = 160;

/// Most lines per file that hold a listed word once folded (not prefilter candidates: a Unicode
/// table or a test corpus has thousands of those and names nothing); beyond it the file is
/// listed as not fully scanned.
const MAX_HIT_LINES: usize = 20_000;

/// File names (upper-cased, without extension) whose every line is attribution.
const NOTICE_FILES: &[&str] = &[
    "LICENSE",
    "LICENCE",
    "COPYING",
    "NOTICE",
    "COPYRIGHT",
    "AUTHORS",
    "CREDITS",
    "PATENTS",
    "THIRD-PARTY",
    "THIRD_PARTY",
    "THIRDPARTY",
    "THIRD-PARTY-NOTICES",
    "THIRDPARTYNOTICES",
];

/// The compiled prefilters of a scan, built once per run from the entity list.
pub struct Scanner {
    needles: Needles,
    /// Which lines of text files are worth normalising.
    prefilter: TextPrefilter,
    pub options: DeepOptions,
}

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

    /// The scanner of a compiled set of lists.
    pub fn for_matcher(matcher: &crate::matching::Matcher<'_>, options: DeepOptions) -> Scanner {
        Scanner::new(matcher.needles(), matcher.spelled_needles(), options)
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
        let files = self.list_files(root, prune, &mut scan.skipped);
        // The package root, opened once: every file is opened below it (see `fsio::Beneath`).
        let beneath = crate::fsio::Beneath::open(root.as_std_path());
        let budget = PackageBudget::new(&self.options.package);
        let mut results: Vec<FileResult> = files
            .par_iter()
            .map(|path| self.scan_path(root, &beneath, path, &budget))
            .collect();
        if budget.ran_out() {
            // Which files the spent budget cut short depends on how the threads happened to
            // run: the files that spent any of it (each an archive or a binary, so inventoried)
            // are scanned again, one after the other in path order, against a fresh budget, so
            // that every run lists the same ones. A hostile package pays its budget twice.
            let again = PackageBudget::new(&self.options.package);
            for (r, path) in results.iter_mut().zip(&files) {
                if !r.binaries.is_empty() {
                    *r = self.scan_path(root, &beneath, path, &again);
                }
            }
        }

        for r in results {
            scan.files += 1;
            scan.bytes += r.bytes;
            scan.evidence.extend(r.evidence);
            scan.binaries.extend(r.binaries);
            scan.skipped.extend(r.skipped);
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

    fn list_files(
        &self,
        root: &Utf8Path,
        prune: &[Utf8PathBuf],
        skipped: &mut Vec<Skipped>,
    ) -> Vec<Utf8PathBuf> {
        let mut files = Vec::new();
        // Only the pruned directories below this root matter (a string prefix test: the list
        // holds every screened package).
        let pruned: std::collections::HashSet<&str> = prune
            .iter()
            .map(|p| p.as_str())
            .filter(|p| {
                p.len() > root.as_str().len()
                    && p.starts_with(root.as_str())
                    && p[root.as_str().len()..].starts_with(['/', '\\'])
            })
            .collect();
        let mut walk = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
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
                    // the package's content. Listed, never passed over silently.
                    skipped.push(Skipped::new(
                        rel_path(root, path),
                        SkipKind::Note,
                        "git metadata of the package's checkout (HEAD, objects/, refs/): not scanned",
                    ));
                    walk.skip_current_dir();
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
                if !inside {
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

    fn scan_path(
        &self,
        root: &Utf8Path,
        beneath: &crate::fsio::Beneath,
        path: &Utf8Path,
        budget: &PackageBudget,
    ) -> FileResult {
        let rel = rel_path(root, path);
        let mut r = FileResult::default();
        // The thread's read buffer, taken (not borrowed: a nested parallel scan on this thread
        // finds it empty and makes its own) and put back after the scan.
        let mut bytes = READ_BUFFER.with(std::cell::Cell::take);
        // Opened once, below the package root (no link followed on the way or at the end, never
        // blocking, a regular file by its handle): its size is the handle's, so the walk needs no
        // `stat` of its own.
        let max = self.options.max_file_bytes;
        let opened = match path.strip_prefix(root) {
            Ok(inside) => beneath.open_file(inside.as_std_path()),
            Err(_) => Err(crate::fsio::ReadError::Outside),
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
                rel,
                SkipKind::TooLarge,
                format!("{len} bytes, over the {max} byte limit"),
            )),
            Err(e) => r.skipped.push(Skipped::new(
                rel,
                SkipKind::Unreadable,
                format!("unreadable: {e}"),
            )),
        }
        // Keep the buffer's memory bounded across files.
        if bytes.capacity() <= 16 << 20 {
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
    /// by [`Scanner::scan_entry`]); anything else is scanned as itself, and a zip appended to it
    /// (a self-extracting executable) is walked as well.
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
        if archive::embedded_zip(bytes) {
            self.walk_archive(name, bytes, archive::Format::Zip, budget, r);
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
        if !r.binaries.iter().any(|b| b.file == name) {
            r.binaries.push(BinaryItem {
                file: name.to_string(),
                kind: format.name().into(),
                bytes: bytes.len() as u64,
            });
        }
        let mut visit = |entry: archive::ArchiveEntry<'_>| {
            // Nested archives are walked by `walk_archive` itself; here, members are files.
            self.scan_entry(&entry.path, entry.bytes, budget, r);
        };
        let stats = archive::walk_archive(
            name,
            bytes,
            format,
            &self.options.archive,
            budget,
            &mut visit,
        );
        let mut raw_scanned = false;
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
            r.skipped.push(Skipped::new(s.path, s.kind, s.reason));
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
                    format!("{} header {key}", p.kind),
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
                        for s in report.strings {
                            let shape = if s.field.contains("signer")
                                || s.field.contains("certificate subject")
                            {
                                Shape::Subject
                            } else {
                                Shape::Text
                            };
                            let role = if s.attribution {
                                Role::Attribution
                            } else {
                                Role::Mention
                            };
                            r.evidence.push(
                                Evidence::new(s.field, role, shape, clip(s.text.trim()))
                                    .at(name, None),
                            );
                        }
                    }
                    Err(e) => {
                        // A limit (the file's or the package's) stopped the inspection, or the
                        // file is damaged: listed either way.
                        let kind = match e {
                            binary::InspectError::Limit(_) => SkipKind::Limit,
                            binary::InspectError::Malformed { .. } => SkipKind::Malformed,
                        };
                        r.skipped.push(Skipped::new(name, kind, e.to_string()));
                        // Neither must hide the strings: fall back to raw ones (one pass over
                        // bytes already read).
                        self.raw_strings(name, bytes, r);
                    }
                }
            }
            // Recognised as archives before this match (see `scan_bytes`); a stray one is data.
            FileKind::Zip | FileKind::Tar | FileKind::Gzip => self.scan_text(name, bytes, r),
            FileKind::Other => self.scan_text(name, bytes, r),
        }
    }

    /// An archive member: binaries are inspected, everything else scanned as text (archives
    /// inside archives, and zips appended to executables, were already walked by the walker).
    fn scan_entry(&self, name: &str, bytes: &[u8], budget: &PackageBudget, r: &mut FileResult) {
        self.scan_plain(name, bytes, budget, r);
    }

    /// The strings around needle hits in bytes of unknown (or damaged) structure. A notice
    /// among them (`Copyright …`) is attribution, like a notice line in text.
    fn raw_strings(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        if self.needles.is_empty() || !self.needles.hit(bytes) {
            return;
        }
        for s in binary::hit_strings(bytes, &self.needles) {
            let (field, role) = if s.attribution {
                ("binary notice string", Role::Attribution)
            } else {
                ("binary string", Role::Mention)
            };
            r.evidence
                .push(Evidence::new(field, role, Shape::Text, clip(s.text.trim())).at(name, None));
        }
    }

    /// Text (or an unrecognised binary): the lines whose skeleton holds a needle, each read as
    /// attribution when a notice word governs one of its hits, else as a mention.
    fn scan_text(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        let text = match decode::decode(bytes) {
            // An unknown binary format: only the needles, in UTF-8 and UTF-16.
            Decoded::Binary => return self.raw_strings(name, bytes, r),
            Decoded::Text(text, _) => text,
        };
        if self.prefilter.is_empty() {
            return;
        }
        let b = text.as_bytes();
        let lines = candidate_lines(&self.prefilter, b);
        let joined = hyphenated_lines(b);
        if lines.is_empty() && joined.is_empty() {
            return;
        }
        let notice_file = is_notice_file(name);
        let class = recognise::classify(name, &text);
        // Structured metadata first: a field that names someone says what the format defines
        // it to say (a vendor, an author, a load dependency), whatever words stand around it.
        let mut field_lines: std::collections::HashSet<u32> = std::collections::HashSet::new();
        if !lines.is_empty() {
            for f in recognise::fields(name, &text) {
                if !self.text_hits(&f.value) {
                    continue;
                }
                field_lines.insert(f.line);
                r.evidence.push(
                    Evidence::new(f.field_name(), f.role(), f.shape, clip(&f.value))
                        .at(name, Some(f.line)),
                );
            }
        }
        let (mut counted_to, mut line_no) = (0usize, 1usize);
        let mut skel = String::new();
        let mut at: Vec<u32> = Vec::new();
        let mut hit_lines = 0usize;
        let mut seen_lines: std::collections::HashSet<u32> = std::collections::HashSet::new();
        for (start, end) in lines {
            // Character references (`&#75;aspersky`, `Kaspersky&nbsp;Lab`) and percent-escaped
            // letters (`%6Baspersky.com`) are read as the characters they stand for.
            let decoded;
            let line = match decode_line(&text[start..end]) {
                Some(d) => {
                    decoded = d;
                    decoded.as_str()
                }
                None => &text[start..end],
            };
            if !line.is_ascii() && !self.prefilter.may_hold(line) {
                continue;
            }
            crate::text::normalize::skeleton(line, &mut skel, &mut at);
            let hits: Vec<(usize, usize)> = self
                .prefilter
                .skeleton_hits(&skel)
                .into_iter()
                .map(|(s, e)| {
                    let mut he = (at[e - 1] as usize + 1).min(line.len());
                    while !line.is_char_boundary(he) {
                        he += 1;
                    }
                    (at[s] as usize, he)
                })
                .collect();
            if hits.is_empty() {
                continue;
            }
            hit_lines += 1;
            if hit_lines > MAX_HIT_LINES {
                r.skipped.push(Skipped::new(
                    name,
                    SkipKind::Limit,
                    format!(
                        "more than {MAX_HIT_LINES} lines name something listed; only the first {MAX_HIT_LINES} were examined"
                    ),
                ));
                break;
            }
            line_no += memchr::memchr_iter(b'\n', &b[counted_to..start]).count();
            counted_to = start;
            let n = u32::try_from(line_no).unwrap_or(u32::MAX);
            let lineno = Some(n);
            seen_lines.insert(n);
            if field_lines.contains(&n) {
                continue;
            }
            let prev = start
                .checked_sub(1)
                .map(|nl| &text[line_bounds(b, nl, nl).0..nl]);
            let govern = |h: (usize, usize)| governing_notice(line, h.0, h.1, prev);
            let trademark = recognise::is_trademark_statement(line);
            let field = |attributed: bool| line_field(class, notice_file, attributed, trademark);
            let trimmed = line.trim();
            if trimmed.len() <= super::MAX_TEXT {
                let (f, role) = field(hits.iter().any(|&h| govern(h).is_some()));
                r.evidence
                    .push(Evidence::new(f, role, Shape::Text, trimmed).at(name, lineno));
                continue;
            }
            // A long line (minified code): every hit is examined, each in its own window, which
            // starts at the notice word that governs it when one does.
            let mut covered = 0usize;
            for h in hits {
                if h.0 < covered {
                    continue;
                }
                let notice = govern(h);
                let lb = line.as_bytes();
                let w = match notice {
                    Some(n) if h.1 - n <= super::MAX_TEXT => window(lb, n, lb.len(), n),
                    _ => window(lb, 0, lb.len(), h.0),
                };
                let w_start = w.as_ptr() as usize - lb.as_ptr() as usize;
                covered = w_start + w.len();
                let (f, role) = field(notice.is_some());
                r.evidence.push(
                    Evidence::new(f, role, Shape::Text, String::from_utf8_lossy(w).trim())
                        .at(name, lineno),
                );
            }
        }
        // A name hyphenated across a line break (`Kasper-` / ` * sky Lab`), read joined: only
        // where neither line alone named anything.
        for (first, line_no, joined_text) in joined {
            if seen_lines.contains(&line_no) || seen_lines.contains(&(line_no + 1)) {
                continue;
            }
            crate::text::normalize::skeleton(&joined_text, &mut skel, &mut at);
            let hits = self.prefilter.skeleton_hits(&skel);
            if hits.is_empty() {
                continue;
            }
            let prev = first
                .checked_sub(1)
                .map(|nl| &text[line_bounds(b, nl, nl).0..nl]);
            let attributed = hits.iter().any(|&(s, e)| {
                let hs = at[s] as usize;
                let he = (at[e - 1] as usize + 1).min(joined_text.len());
                joined_text.is_char_boundary(he)
                    && governing_notice(&joined_text, hs, he, prev).is_some()
            });
            let trademark = recognise::is_trademark_statement(&joined_text);
            let (f, role) = line_field(class, notice_file, attributed, trademark);
            r.evidence.push(
                Evidence::new(f, role, Shape::Text, clip(joined_text.trim()))
                    .at(name, Some(line_no)),
            );
        }
    }

    /// Whether `s` holds a listed word once folded.
    fn text_hits(&self, s: &str) -> bool {
        let mut skel = String::new();
        let mut at = Vec::new();
        crate::text::normalize::skeleton(s, &mut skel, &mut at);
        !self.prefilter.skeleton_hits(&skel).is_empty()
    }
}

/// The evidence field and role of a line that names something: a notice (a notice word governs
/// the name, or the file is a notice file) attributes, unless the file quotes names (a detection
/// rule, a saved web page) or the line states who owns a trademark; anything else mentions.
fn line_field(
    class: FileClass,
    notice_file: bool,
    attributed: bool,
    trademark: bool,
) -> (&'static str, Role) {
    match class {
        FileClass::DetectionRule | FileClass::WebPage if !notice_file => {
            return (class.field(), Role::Mention);
        }
        _ => {}
    }
    match (notice_file, attributed, trademark) {
        (_, false, true) => ("trademark statement", Role::Mention),
        (true, _, _) => ("notice file", Role::Attribution),
        (false, true, _) => ("notice", Role::Attribution),
        (false, false, false) => ("text", Role::Mention),
    }
}

/// `line` with its character references and percent-escaped letters decoded, if it has any.
fn decode_line(line: &str) -> Option<String> {
    let mut out: Option<String> = None;
    if line.contains('&') && line.contains(';') {
        let d = html_escape::decode_html_entities(line);
        if d != line {
            // A non-breaking or other space from `&nbsp;` separates words as a space does.
            out = Some(d.replace(['\u{a0}', '\u{2007}', '\u{202f}'], " "));
        }
    }
    let cur = out.as_deref().unwrap_or(line);
    if cur.contains('%') {
        let d = percent_encoding::percent_decode_str(cur).decode_utf8_lossy();
        if d != cur {
            out = Some(d.into_owned());
        }
    }
    out
}

/// Lines that end in a word broken by a hyphen and continue on the next line (after comment
/// markers), joined: `(offset of the first line, its 1-based number, the joined text)`.
fn hyphenated_lines(b: &[u8]) -> Vec<(usize, u32, String)> {
    let mut out = Vec::new();
    let mut line_no = 1u32;
    let mut counted = 0usize;
    for p in memchr::memmem::find_iter(b, b"-\n") {
        if p == 0 || !(b[p - 1].is_ascii_alphabetic() || b[p - 1] >= 0x80) {
            continue;
        }
        let ls = memchr::memrchr(b'\n', &b[..p]).map_or(0, |i| i + 1);
        let ns = p + 2;
        let ne = memchr::memchr(b'\n', &b[ns..]).map_or(b.len(), |i| ns + i);
        let next = &b[ns..ne];
        let skip = next
            .iter()
            .position(|c| {
                !matches!(
                    c,
                    b' ' | b'\t' | b'*' | b'#' | b'/' | b';' | b'!' | b'-' | b'\'' | b'"' | b'>'
                )
            })
            .unwrap_or(next.len());
        let rest = &next[skip..];
        if !rest
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c >= 0x80)
        {
            continue;
        }
        let (Ok(head), Ok(tail)) = (std::str::from_utf8(&b[ls..p]), std::str::from_utf8(rest))
        else {
            continue;
        };
        line_no += u32::try_from(memchr::memchr_iter(b'\n', &b[counted..ls]).count()).unwrap_or(0);
        counted = ls;
        out.push((
            ls,
            line_no,
            format!("{head}{}", tail.trim_end_matches('\r')),
        ));
        if out.len() >= 4096 {
            break;
        }
    }
    out
}

/// The lines of `b` (UTF-8 text) worth folding: where the fast stage hits, every line holding a
/// byte above 0x7f, and every line with a percent-escaped letter or digit. Sorted, distinct.
fn candidate_lines(p: &TextPrefilter, b: &[u8]) -> Vec<(usize, usize)> {
    let mut starts: Vec<usize> = Vec::new();
    MAPPED.with(|m| {
        let mut mapped = m.borrow_mut();
        map_ascii(b, &mut mapped);
        p.fast_hits(&mapped, &mut starts);
        // Keep the buffer's memory bounded across files.
        if mapped.capacity() > 16 << 20 {
            *mapped = Vec::new();
        }
    });
    let mut i = 0;
    while let Some(at) = next_non_ascii(b, i) {
        starts.push(at);
        i = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |n| at + n + 1);
    }
    // A character reference can spell any letter (`&#75;aspersky`).
    static CHAR_REF: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"&#"));
    starts.extend(CHAR_REF.find_iter(b));
    for at in memchr::memchr_iter(b'%', b) {
        let hex = |i: usize| b.get(i).and_then(|c| (*c as char).to_digit(16));
        if let (Some(h), Some(l)) = (hex(at + 1), hex(at + 2))
            && ((h * 16 + l) as u8).is_ascii_alphanumeric()
        {
            starts.push(at);
        }
    }
    starts.sort_unstable();
    let mut lines: Vec<(usize, usize)> = Vec::new();
    for s in starts {
        if lines.last().is_some_and(|&(_, e)| s <= e) {
            continue;
        }
        lines.push(line_bounds(b, s, s));
    }
    lines
}

thread_local! {
    /// The bytes of the file being scanned, reused from file to file.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    /// The fast stage's mapped copy of the file being scanned, reused from file to file.
    static MAPPED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The first byte above 0x7f at or after `from`, checked 64 bytes at a time.
fn next_non_ascii(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        let end = (i + 64).min(b.len());
        if !b[i..end].is_ascii() {
            return b[i..end].iter().position(|&x| x >= 0x80).map(|p| i + p);
        }
        i = end;
    }
    None
}

/// `s` with each character lower-cased where that keeps its UTF-8 length, so that byte offsets
/// stay those of `s`.
fn lower_same_len(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) if x.len_utf8() == c.len_utf8() => x,
                _ => c,
            }
        })
        .collect()
}

/// Whether the text between a notice word and a name lets the notice reach the name: no code
/// punctuation (`;`, `=`, braces, brackets, `|`, a comment's end, a string ending in a list) and
/// no sentence ending (`Foo Corp. Bar`) between them.
fn reaches(gap: &str) -> bool {
    if gap.len() > NOTICE_REACH
        || gap.contains([';', '{', '}', '[', ']', '=', '|', '`'])
        || [
            "*/",
            "-->",
            "\",",
            "',",
            "rights reserved",
            "права защищены",
        ]
        .iter()
        .any(|b| gap.contains(b))
    {
        return false;
    }
    // `Example Corp. Kaspersky…`: a full stop after a word of four letters or more, then a
    // capital, ends the notice (`Inc. `, `Ltd. `, initials do not).
    !gap.match_indices(". ").any(|(i, _)| {
        let word = gap[..i]
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let next = gap[i + 2..].trim_start().chars().next();
        word.chars().count() >= 4 && next.is_some_and(char::is_uppercase)
    })
}

/// The start of the notice word that governs the name at `hs..he` of `line`, if one does: a
/// notice word before it on the line with nothing but holder text between (see [`reaches`]),
/// a closing one (`All rights reserved`) right after it, or an unfinished notice at the end of
/// the previous line (`* Copyright (c) 2024` wrapped before the holder) when only filler comes
/// before the name on its own line.
fn governing_notice(line: &str, hs: usize, he: usize, prev: Option<&str>) -> Option<usize> {
    let floor = |s: &str, mut i: usize| {
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let from = floor(line, hs.saturating_sub(NOTICE_REACH + 24));
    let before = lower_same_len(&line[from..hs]);
    let mut best: Option<usize> = None;
    for w in NOTICE_BEFORE {
        for (i, _) in before.match_indices(w) {
            // `(c)` is everywhere in code (`f(c)`): a notice only when a space follows.
            if *w == "(c)" && !before[i + 3..].starts_with([' ', '\t']) {
                continue;
            }
            if reaches(&before[i + w.len()..]) && best.is_none_or(|b| i > b) {
                best = Some(i);
            }
        }
    }
    if let Some(i) = best {
        return Some(from + i);
    }
    let to = floor(line, (he + NOTICE_REACH).min(line.len()));
    let after = lower_same_len(&line[he.min(to)..to]);
    for w in NOTICE_AFTER {
        if let Some(i) = after.find(w)
            && reaches(&after[..i])
        {
            return Some(hs);
        }
    }
    // Wrapped: only comment markers, spaces, years and legal forms before the name here, and an
    // unfinished notice (no holder yet) at the end of the previous line.
    let lead = &line[..hs];
    let filler = lead.len() <= 64
        && lead
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| {
                w.chars().all(|c| c.is_ascii_digit())
                    || crate::text::normalize::is_legal_form(&w.to_lowercase())
                    || matches!(w.to_lowercase().as_str(), "and" | "by" | "the" | "c")
            })
        && reaches(lead);
    let prev = prev?;
    if !filler {
        return None;
    }
    let lp = lower_same_len(prev);
    let (i, w) = NOTICE_BEFORE
        .iter()
        .filter_map(|w| lp.rfind(w).map(|i| (i, *w)))
        .max()?;
    let tail = &lp[i + w.len()..];
    let unfinished = tail
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            w.chars().all(|c| c.is_ascii_digit())
                || matches!(w, "c" | "by" | "and" | "copyright" | "the")
        });
    (unfinished && reaches(tail)).then_some(0)
}

#[derive(Default)]
struct FileResult {
    bytes: u64,
    evidence: Vec<Evidence>,
    binaries: Vec<BinaryItem>,
    skipped: Vec<Skipped>,
}

/// Whether a file (`a/b.zip`, or `outer.tar!inner/c.gz`) lies in a directory that holds a
/// package's own test data: a path component `test`, `tests`, `testdata`, `test_data`,
/// `test-data`, `fixtures`, `corpus` or `testfiles` (any case).
fn is_test_data(name: &str) -> bool {
    let mut comps: Vec<&str> = name.split(['/', '\\', '!']).collect();
    comps.pop();
    comps.iter().any(|c| {
        matches!(
            c.to_ascii_lowercase().as_str(),
            "test"
                | "tests"
                | "testdata"
                | "test_data"
                | "test-data"
                | "fixtures"
                | "corpus"
                | "testfiles"
        )
    })
}

fn rel_path(root: &Utf8Path, path: &Utf8Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .as_str()
        .replace('\\', "/")
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
        FileKind::Zip => "zip",
        FileKind::Tar => "tar",
        FileKind::Gzip => "gzip",
        FileKind::Other => "other",
    }
}

fn is_notice_file(name: &str) -> bool {
    let base = name.rsplit(['/', '!']).next().unwrap_or(name);
    // Notice files are prose: no extension, or a text one (`LICENSE-MIT`, `NOTICE.txt`).
    let ext = base.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if ext
        .as_deref()
        .is_some_and(|e| !matches!(e, "txt" | "md" | "rst" | "html" | "htm" | "text"))
    {
        return false;
    }
    let stem = base.split('.').next().unwrap_or(base).to_ascii_uppercase();
    NOTICE_FILES
        .iter()
        .any(|n| stem == *n || (stem.starts_with(n) && stem[n.len()..].starts_with(['-', '_'])))
}

/// The line containing `start..end`.
fn line_bounds(bytes: &[u8], start: usize, end: usize) -> (usize, usize) {
    let s = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
    let e = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |i| end + i);
    (s, e)
}

/// At most [`super::MAX_TEXT`] bytes of a line, centred on the hit for very long lines
/// (minified files), cut at UTF-8 boundaries.
fn window(bytes: &[u8], start: usize, end: usize, hit: usize) -> &[u8] {
    let max = super::MAX_TEXT;
    if end - start <= max {
        return &bytes[start..end];
    }
    let mut s = hit.saturating_sub(max / 2).max(start);
    let mut e = (s + max).min(end);
    while s < e && (bytes[s] & 0xC0) == 0x80 {
        s += 1;
    }
    while e > s && e < bytes.len() && (bytes[e] & 0xC0) == 0x80 {
        e -= 1;
    }
    &bytes[s..e]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner() -> Scanner {
        let words = [
            "kaspersky".to_string(),
            "касперск".to_string(),
            "kaspersky.com".to_string(),
        ];
        Scanner::new(&words, &words, DeepOptions::default())
    }

    fn text(name: &str, body: &str) -> Vec<(String, Role, Option<u32>, String)> {
        let mut r = FileResult::default();
        scanner().scan_bytes(name, body.as_bytes(), &PackageBudget::default(), &mut r);
        r.evidence
            .into_iter()
            .map(|e| (e.field, e.role, e.location.and_then(|l| l.line), e.text))
            .collect()
    }

    /// A directory of the package swapped for a link to a directory outside it, after the walk
    /// listed a file below it and before the file is opened: the outside file is never read.
    #[cfg(unix)]
    #[test]
    fn a_directory_swapped_for_a_link_after_the_walk_is_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let base = Utf8Path::from_path(d.path()).unwrap();
        let root = base.join("pkg");
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/notes.txt"), b"nothing here\n").unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(
            base.join("outside/notes.txt"),
            b"Copyright (c) 2024 AO Kaspersky Lab\n",
        )
        .unwrap();

        let s = scanner();
        let beneath = crate::fsio::Beneath::open(root.as_std_path());
        let budget = PackageBudget::default();
        let listed = root.join("docs/notes.txt");
        let before = s.scan_path(&root, &beneath, &listed, &budget);
        assert!(before.skipped.is_empty() && before.evidence.is_empty());

        std::fs::rename(root.join("docs"), base.join("docs.old")).unwrap();
        std::os::unix::fs::symlink(base.join("outside"), root.join("docs")).unwrap();
        if !beneath.race_free() {
            eprintln!("openat2 is not available here: only the fallback open (no link at the end)");
            return;
        }
        let after = s.scan_path(&root, &beneath, &listed, &budget);
        assert!(after.evidence.is_empty(), "{:?}", after.evidence);
        assert_eq!(after.skipped.len(), 1, "{:?}", after.skipped);
        assert_eq!(after.skipped[0].file, "docs/notes.txt");
        assert!(
            after.skipped[0].reason.contains("symbolic link"),
            "{:?}",
            after.skipped
        );
    }

    #[test]
    fn test_data_directories() {
        assert!(is_test_data("tests/corrupt-gz-file.bin"));
        assert!(is_test_data("src/deflate/test-data/inflate_buf_error.dat"));
        assert!(is_test_data("tests/data/invalid/x.zip!#0"));
        assert!(!is_test_data("vendor/sdk.zip"));
        assert!(
            !is_test_data("tests"),
            "the file itself is not its directory"
        );
    }

    #[test]
    fn corrupt_test_archives_are_noted_and_read_raw() {
        let mut gz = vec![0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff];
        gz.extend_from_slice(b"\xff\xff garbage Copyright AO Kaspersky Lab garbage");
        let mut r = FileResult::default();
        scanner().scan_bytes("tests/corrupt.gz", &gz, &PackageBudget::default(), &mut r);
        assert!(
            r.skipped.iter().all(|s| !s.counts_as_unscanned()),
            "{:?}",
            r.skipped
        );
        assert!(
            r.evidence.iter().any(|e| e.role == Role::Attribution),
            "{:?}",
            r.evidence
        );
        let mut r = FileResult::default();
        scanner().scan_bytes("vendor/corrupt.gz", &gz, &PackageBudget::default(), &mut r);
        assert!(
            r.skipped.iter().any(|s| s.counts_as_unscanned()),
            "{:?}",
            r.skipped
        );
    }

    #[test]
    fn notice_lines_are_attribution_mentions_are_not() {
        let got = text(
            "include/kav.h",
            "/*\n * Copyright (c) 2024 AO Kaspersky Lab\n */\n// engines: Kaspersky, ESET, Sophos\nint x;\n",
        );
        assert_eq!(
            got,
            [
                (
                    "notice".into(),
                    Role::Attribution,
                    Some(2),
                    "* Copyright (c) 2024 AO Kaspersky Lab".into()
                ),
                (
                    "text".into(),
                    Role::Mention,
                    Some(4),
                    "// engines: Kaspersky, ESET, Sophos".into()
                ),
            ]
        );
    }

    #[test]
    fn cyrillic_in_any_case_and_homoglyph_notices_are_found() {
        let got = text(
            "NOTES.txt",
            "© АО «ЛАБОРАТОРИЯ КАСПЕРСКОГО»\nCopyright Kаspersky Lab\n",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|g| g.1 == Role::Attribution));
    }

    #[test]
    fn every_line_of_a_notice_file_is_attribution() {
        let got = text("THIRD-PARTY-NOTICES.txt", "Portions by Kaspersky Lab\n");
        assert_eq!(got[0].0, "notice file");
        assert!(is_notice_file("vendor/sdk.zip!LICENSE"));
        assert!(is_notice_file("LICENSE-MIT"));
        assert!(!is_notice_file("src/license_check.rs"));
    }

    #[test]
    fn code_parentheses_are_not_notices() {
        assert!(text("src/x.rs", "let y = f(c) + g(C);\nmatch (c) { _ => {} }\n").is_empty());
        let got = text(
            "src/x.c",
            "/* (c) 2019 Kaspersky Lab */\n/* (C) AO Kaspersky Lab */\n",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|g| g.1 == Role::Attribution));
    }

    #[test]
    fn long_lines_are_windowed_on_the_hit() {
        let body = format!(
            "{}Copyright Kaspersky Lab{}",
            "x".repeat(5000),
            "y".repeat(5000)
        );
        let got = text("min.js", &body);
        assert_eq!(got.len(), 1);
        assert!(got[0].3.contains("Kaspersky Lab") && got[0].3.len() <= super::super::MAX_TEXT);
    }

    #[test]
    fn kept_matches_are_capped_and_the_rest_counted() {
        let body = "Kaspersky\n".repeat(1000);
        let s = scanner();
        let mut r = FileResult::default();
        s.scan_bytes(
            "table.csv",
            body.as_bytes(),
            &PackageBudget::default(),
            &mut r,
        );
        assert_eq!(r.evidence.len(), 1000, "every matching line is examined");
        let mut scan = PackageScan {
            evidence: r.evidence,
            ..Default::default()
        };
        let kept = s.keep_matches(&mut scan, |e| vec![e.location.clone()]);
        let max = DeepOptions::default().max_hits_per_file;
        assert_eq!((kept.len(), scan.evidence.len()), (max, max));
        assert_eq!(scan.skipped.len(), 1);
        assert_eq!(scan.skipped[0].kind, SkipKind::Truncated);
        assert!(
            scan.skipped[0]
                .reason
                .starts_with(&format!("{} more matching lines not kept", 1000 - max)),
            "{:?}",
            scan.skipped
        );
    }

    #[test]
    fn proximity_decides_attribution() {
        let got = text(
            "dist/ui.min.js",
            "/*! ui | (c) 2024 Example Corp | MIT */var e=[\"Kaspersky\",\"ESET\"];",
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, Role::Mention);
        let got = text(
            "a.c",
            "/* Copyright 2020 Google LLC and AO Kaspersky Lab */",
        );
        assert_eq!(got[0].1, Role::Attribution);
        let got = text("a.c", "AO Kaspersky Lab. All rights reserved.");
        assert_eq!(got[0].1, Role::Attribution);
        let got = text(
            "a.c",
            "/*\n * Copyright (c) 2019-2024\n *   AO Kaspersky Lab\n */",
        );
        assert_eq!((got[0].1, got[0].2), (Role::Attribution, Some(3)));
        let got = text(
            "a.c",
            "// Copyright 2024 Google LLC\n// Kaspersky engine support\n",
        );
        assert_eq!(
            got[0].1,
            Role::Mention,
            "a finished notice does not reach the next line"
        );
    }

    #[test]
    fn every_disguise_reaches_the_normaliser() {
        for line in [
            "KaSpErSkY",
            "K.a.s.p.e.r.s.k.y",
            "K a s p e r s k y",
            "K-A-S-P-E-R-S-K-Y",
            "K . a . s . p . e . r . s . k . y",
            "KasperskyLab",
            "Kas\u{200B}persky",
            "K\u{0430}sp\u{0435}rsky",
            "\u{FF2B}\u{FF41}\u{FF53}\u{FF50}ersky",
            "Kåspërsky",
            "Лаборатория Касперского",
            "Kasperskiy",
            "https://%6Baspersky.com/",
        ] {
            let got = text("x.txt", &format!("int x;\n{line}\nint y;\n"));
            assert_eq!(got.len(), 1, "{line:?}: {got:?}");
            assert_eq!(got[0].2, Some(2));
        }
        assert!(text("x.rs", "let kasper = sky;\nfn risky() {}\n").is_empty());
    }

    mod planted {
        use super::*;
        use proptest::prelude::*;

        /// A disguise of `name` (ASCII letters): case, invisible characters, look-alikes and
        /// separators, chosen per letter.
        fn disguise(name: &str, picks: &[(u8, u8)], spelled: Option<&str>) -> String {
            let mut out = String::new();
            for (i, c) in name.chars().enumerate() {
                let (case, glyph) = picks[i % picks.len()];
                let c = match (glyph % 4, c) {
                    (1, 'a') => 'а',
                    (1, 'e') => 'е',
                    (1, 'p') => 'р',
                    (1, 'k') => 'к',
                    (1, 'y') => 'у',
                    _ if case % 2 == 1 => c.to_ascii_uppercase(),
                    _ => c,
                };
                out.push(c);
                if let Some(sep) = spelled {
                    if i + 1 < name.len() {
                        out.push_str(sep);
                    }
                } else if glyph % 5 == 2 && i + 1 < name.len() {
                    out.push('\u{200B}');
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn a_planted_name_is_found_whatever_its_disguise(
                picks in proptest::collection::vec((0u8..4, 0u8..10), 9),
                spelled in proptest::option::of(prop_oneof![Just("."), Just(" "), Just("-"), Just(" . "), Just("_")]),
                noise in proptest::collection::vec("[a-zA-Z0-9 (){};=,.]{0,80}", 0..40),
                at in 0usize..40,
                encoding in 0u8..4,
            ) {
                let name = disguise("kaspersky", &picks, spelled);
                let mut lines: Vec<String> = noise;
                let at = at.min(lines.len());
                lines.insert(at, format!("Copyright (c) 2024 AO {name} Lab"));
                let body = lines.join("\n") + "\n";
                let bytes: Vec<u8> = match encoding {
                    1 => body.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                    2 => body.encode_utf16().flat_map(u16::to_be_bytes).collect(),
                    3 => [0xEF, 0xBB, 0xBF].into_iter().chain(body.bytes()).collect(),
                    _ => body.into_bytes(),
                };
                let mut r = FileResult::default();
                scanner().scan_bytes("NOTES.txt", &bytes, &PackageBudget::default(), &mut r);
                let line = u32::try_from(at + 1).unwrap();
                prop_assert!(
                    r.evidence.iter().any(|e| e.role == Role::Attribution
                        && e.location.as_ref().and_then(|l| l.line) == Some(line)),
                    "{name:?} at line {line}: {:?}", r.evidence
                );
            }
        }
    }
}
