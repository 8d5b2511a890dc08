//! Evidence stage, deep scan: a package's files on disk → notices, build-script directives and
//! vendor metadata of the binaries and archives it ships.
//!
//! Every file is read once. A multi-pattern prefilter (the entity list's distinctive words, plus
//! notice keywords such as `copyright` and `©`) picks the few lines and strings worth
//! normalising; everything else is skipped at memory speed. Binaries are recognised by their
//! magic bytes, never their extension, and archives are walked in memory within limits.

use std::io::Read;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use camino::{Utf8Path, Utf8PathBuf};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::archive::{self, ArchiveLimits};
use super::binary::{self, FileKind};
use super::needles::Needles;
use super::{Evidence, Role, Shape, buildscript, clip};

/// Limits of the deep scan, documented in the README and settable from the command line.
#[derive(Debug, Clone, Serialize)]
pub struct DeepOptions {
    /// Files larger than this are not read; they are listed as not scanned.
    pub max_file_bytes: u64,
    /// Most hit lines kept per file (a data table naming the entity ten thousand times says no more).
    pub max_hits_per_file: usize,
    #[serde(skip)]
    pub archive: ArchiveLimits,
}

impl Default for DeepOptions {
    fn default() -> Self {
        DeepOptions {
            max_file_bytes: 64 * 1024 * 1024,
            max_hits_per_file: 64,
            archive: ArchiveLimits::default(),
        }
    }
}

/// A binary found in a package: inventoried whether or not it carries evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BinaryItem {
    pub file: String,
    pub kind: String,
    pub bytes: u64,
}

/// Why a file was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipKind {
    /// Could not be opened or read.
    Unreadable,
    /// Larger than the file-size limit.
    TooLarge,
    /// A binary or archive that is truncated or corrupt.
    Malformed,
    /// An archive limit (depth, entries, unpacked bytes) stopped the walk.
    Limit,
    /// A symbolic link leading outside the package, broken, or looping: not followed.
    Link,
    /// Read, but only the first matching lines were kept.
    Truncated,
    /// Informational (an archive entry with a path-traversal name, scanned anyway).
    Note,
}

/// A file (or archive entry) that could not be read or inspected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    pub file: String,
    pub kind: SkipKind,
    pub reason: String,
}

impl Skipped {
    fn new(file: impl Into<String>, kind: SkipKind, reason: impl Into<String>) -> Skipped {
        Skipped {
            file: file.into(),
            kind,
            reason: reason.into(),
        }
    }

    /// Whether some content went unread because of it (so the package is "not scanned").
    pub fn counts_as_unscanned(&self) -> bool {
        !matches!(self.kind, SkipKind::Truncated | SkipKind::Note)
    }
}

/// What the deep scan of one package found.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PackageScan {
    pub evidence: Vec<Evidence>,
    pub files: u64,
    pub bytes: u64,
    pub binaries: Vec<BinaryItem>,
    pub skipped: Vec<Skipped>,
    /// Set when the package as a whole could not be scanned (no files on disk…).
    pub not_scanned: Option<String>,
}

/// Words that make a line a copyright or attribution notice.
const NOTICE_WORDS: &[&str] = &[
    "copyright",
    "(c)",
    "©",
    "all rights reserved",
    "rights reserved",
    "licensed by",
    "licensor",
    "авторск",
    "все права защищены",
];

/// The notice words the prefilter searches every file for: the distinctive ones. (`licensed
/// by`, `licensor` and `all …` begin with letters common in code — `public`, `call` — and slow
/// the scan by half; a line holding them is still classified as a notice when a needle picks it.)
const PREFILTER_NOTICE_WORDS: &[&str] = &[
    "copyright",
    "(c)",
    "©",
    "rights reserved",
    "авторск",
    "все права защищены",
];

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
    /// Needle words and notice words over UTF-8 text, ASCII case-insensitive.
    text: AhoCorasick,
    /// Index in `text` from which patterns are notice words.
    first_notice: usize,
    pub options: DeepOptions,
}

impl Scanner {
    pub fn new(needle_words: &[String], options: DeepOptions) -> Scanner {
        let mut patterns: Vec<String> = Vec::new();
        for w in needle_words {
            patterns.extend(super::needles::spellings(w));
        }
        patterns.sort();
        patterns.dedup();
        let first_notice = patterns.len();
        for w in PREFILTER_NOTICE_WORDS {
            patterns.extend(super::needles::spellings(w));
        }
        // A case-sensitive DFA over a few spellings of each word: every byte of every file goes
        // through it, and unlike an ASCII case-insensitive one it keeps its SIMD prefilter.
        let text = AhoCorasickBuilder::new()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostFirst)
            .build(&patterns)
            .expect("patterns are plain strings");
        Scanner {
            needles: Needles::new(needle_words),
            text,
            first_notice,
            options,
        }
    }

    /// Scans the files of one package. `prune` are directories never entered (the workspace
    /// target directory); sub-directories holding their own `Cargo.toml` are other packages and
    /// are skipped as `cargo package` skips them.
    pub fn scan_package(
        &self,
        root: &Utf8Path,
        build_script: Option<&Utf8Path>,
        prune: &[Utf8PathBuf],
    ) -> PackageScan {
        let mut scan = self.scan_files(root, prune);
        self.add_build_script(&mut scan, root, build_script);
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
        let results: Vec<FileResult> = files
            .par_iter()
            .map(|(path, len)| self.scan_path(root, path, *len))
            .collect();
        for r in results {
            scan.files += 1;
            scan.bytes += r.bytes;
            scan.evidence.extend(r.evidence);
            scan.binaries.extend(r.binaries);
            scan.skipped.extend(r.skipped);
        }
        scan.evidence.sort();
        scan.evidence.dedup();
        scan.binaries.sort();
        scan.skipped.sort();
        scan
    }

    /// Adds what the build script at `build_script` (read as text, never run) links and
    /// downloads to the scan of the package at `root`.
    pub fn add_build_script(
        &self,
        scan: &mut PackageScan,
        root: &Utf8Path,
        build_script: Option<&Utf8Path>,
    ) {
        let Some(bs) = build_script else { return };
        if scan.not_scanned.is_some() {
            return;
        }
        let rel = rel_path(root, bs);
        match std::fs::read(bs) {
            Ok(bytes) => scan
                .evidence
                .extend(buildscript::scan(&rel, &String::from_utf8_lossy(&bytes))),
            Err(e) => scan.skipped.push(Skipped::new(
                rel,
                SkipKind::Unreadable,
                format!("build script unreadable: {e}"),
            )),
        }
        scan.evidence.sort();
        scan.evidence.dedup();
        scan.skipped.sort();
    }

    fn list_files(
        &self,
        root: &Utf8Path,
        prune: &[Utf8PathBuf],
        skipped: &mut Vec<Skipped>,
    ) -> Vec<(Utf8PathBuf, u64)> {
        let mut files = Vec::new();
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
                if entry.depth() > 0
                    && (entry.file_name() == ".git"
                        || prune.iter().any(|p| p == path)
                        || path.join("Cargo.toml").is_file())
                {
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
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if len > self.options.max_file_bytes {
                skipped.push(Skipped::new(
                    rel_path(root, path),
                    SkipKind::TooLarge,
                    format!(
                        "{len} bytes, over the {} byte limit",
                        self.options.max_file_bytes
                    ),
                ));
                continue;
            }
            files.push((path.to_path_buf(), len));
        }
        files
    }

    /// Scans one file (a shipped artefact), its findings located at `name` (and `name!entry`
    /// inside archives). A file over the size limit is skipped, as in a package.
    pub fn scan_file(&self, path: &Utf8Path, name: &str) -> PackageScan {
        let mut scan = PackageScan::default();
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
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
        match read_limited(path, self.options.max_file_bytes) {
            Ok(bytes) => {
                r.bytes = len.max(bytes.len() as u64);
                self.scan_bytes(name, &bytes, &mut r);
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

    fn scan_path(&self, root: &Utf8Path, path: &Utf8Path, len: u64) -> FileResult {
        let rel = rel_path(root, path);
        let mut r = FileResult::default();
        let bytes = match read_limited(path, self.options.max_file_bytes) {
            Ok(b) => b,
            Err(e) => {
                r.skipped.push(Skipped::new(
                    rel,
                    SkipKind::Unreadable,
                    format!("unreadable: {e}"),
                ));
                return r;
            }
        };
        r.bytes = len.max(bytes.len() as u64);
        self.scan_bytes(&rel, &bytes, &mut r);
        r
    }

    /// Scans one file's bytes: an archive or compressed stream is walked (its members scanned
    /// by [`Scanner::scan_entry`]); anything else is scanned as itself, and a zip appended to it
    /// (a self-extracting executable) is walked as well.
    fn scan_bytes(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        if let Some(format) = archive::sniff(bytes) {
            self.walk_archive(name, bytes, format, r);
            return;
        }
        self.scan_plain(name, bytes, r);
        if archive::embedded_zip(bytes) {
            self.walk_archive(name, bytes, archive::Format::Zip, r);
        }
    }

    fn walk_archive(&self, name: &str, bytes: &[u8], format: archive::Format, r: &mut FileResult) {
        if !r.binaries.iter().any(|b| b.file == name) {
            r.binaries.push(BinaryItem {
                file: name.to_string(),
                kind: format.name().into(),
                bytes: bytes.len() as u64,
            });
        }
        let mut visit = |entry: archive::ArchiveEntry<'_>| {
            // Nested archives are walked by `walk_archive` itself; here, members are files.
            self.scan_entry(&entry.path, entry.bytes, r);
        };
        let stats = archive::walk_archive(name, bytes, format, &self.options.archive, &mut visit);
        for s in stats.skipped {
            r.skipped.push(Skipped::new(s.path, s.kind, s.reason));
        }
    }

    /// One file that is not an archive (`name` may be `outer.zip!inner/path`).
    fn scan_plain(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
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
                match binary::inspect_binary(bytes, &self.needles) {
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
                        r.skipped
                            .push(Skipped::new(name, SkipKind::Malformed, e.to_string()));
                        // A damaged header must not hide the strings: fall back to raw ones.
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
    fn scan_entry(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        self.scan_plain(name, bytes, r);
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

    /// Text (or an unrecognised binary): the lines holding a needle or a notice word.
    fn scan_text(&self, name: &str, bytes: &[u8], r: &mut FileResult) {
        let looks_binary = bytes[..bytes.len().min(8192)].contains(&0);
        if looks_binary {
            // An unknown binary format: only the needles, in UTF-8 and UTF-16.
            self.raw_strings(name, bytes, r);
            return;
        }
        let notice_file = is_notice_file(name);
        // Matches come in increasing order: remember the last line reported, and count newlines
        // incrementally (never from the start of the file again).
        let mut last_line_start = usize::MAX;
        let (mut counted_to, mut line_no) = (0usize, 1usize);
        let mut kept = 0usize;
        for m in self.text.find_iter(bytes) {
            let is_needle = m.pattern().as_usize() < self.first_notice;
            // `(c)` is everywhere in code (`f(c)`, `(C)`): it starts a notice only when a year
            // or a capitalised name follows (`(c) 2024 …`, `(C) Example Ltd`).
            if !is_needle
                && bytes[m.start()..m.end()].eq_ignore_ascii_case(b"(c)")
                && !starts_notice(&bytes[m.end()..])
            {
                continue;
            }
            let (start, end) = line_bounds(bytes, m.start(), m.end());
            if start == last_line_start {
                continue;
            }
            last_line_start = start;
            let line_bytes = window(bytes, start, end, m.start());
            let line = String::from_utf8_lossy(line_bytes);
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            // A notice word matched is a notice; a needle's line may hold one further along.
            let notice = notice_file || !is_needle || contains_notice_word(line);
            line_no += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
            counted_to = start;
            let lineno = Some(u32::try_from(line_no).unwrap_or(u32::MAX));
            let (field, role) = if notice_file {
                ("notice file", Role::Attribution)
            } else if notice {
                ("notice", Role::Attribution)
            } else {
                ("text", Role::Mention)
            };
            r.evidence
                .push(Evidence::new(field, role, Shape::Text, clip(line)).at(name, lineno));
            kept += 1;
            if kept >= self.options.max_hits_per_file {
                r.skipped.push(Skipped::new(
                    name,
                    SkipKind::Truncated,
                    format!(
                        "more than {} matching lines; only the first were kept",
                        self.options.max_hits_per_file
                    ),
                ));
                break;
            }
        }
    }
}

#[derive(Default)]
struct FileResult {
    bytes: u64,
    evidence: Vec<Evidence>,
    binaries: Vec<BinaryItem>,
    skipped: Vec<Skipped>,
}

fn read_limited(path: &Utf8Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0).min(limit);
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1);
    // A file may grow between the walk and the read: never read past the limit.
    f.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

fn rel_path(root: &Utf8Path, path: &Utf8Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .as_str()
        .replace('\\', "/")
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

/// Whether the bytes after a `(c)` look like the rest of a notice: spaces, then a digit, an
/// upper-case letter or a non-ASCII letter.
fn starts_notice(after: &[u8]) -> bool {
    let rest = after
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .map(|i| &after[i..]);
    let spaced = after.first().is_some_and(|b| matches!(b, b' ' | b'\t'));
    matches!(rest.and_then(|r| r.first()), Some(b) if spaced && (b.is_ascii_digit() || b.is_ascii_uppercase() || *b >= 0x80))
}

fn contains_notice_word(line: &str) -> bool {
    let lower = line.to_lowercase();
    NOTICE_WORDS.iter().any(|w| lower.contains(w))
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
        Scanner::new(
            &[
                "kaspersky".to_string(),
                "касперск".to_string(),
                "kaspersky.com".to_string(),
            ],
            DeepOptions::default(),
        )
    }

    fn text(name: &str, body: &str) -> Vec<(String, Role, Option<u32>, String)> {
        let mut r = FileResult::default();
        scanner().scan_bytes(name, body.as_bytes(), &mut r);
        r.evidence
            .into_iter()
            .map(|e| (e.field, e.role, e.location.and_then(|l| l.line), e.text))
            .collect()
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
        assert!(
            starts_notice(b" 2024 x")
                && starts_notice(b"  Acme")
                && !starts_notice(b"2024")
                && !starts_notice(b" + 1")
        );
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
    fn hits_per_file_are_capped() {
        let body = "Kaspersky\n".repeat(1000);
        let mut r = FileResult::default();
        scanner().scan_bytes("table.csv", body.as_bytes(), &mut r);
        assert_eq!(r.evidence.len(), DeepOptions::default().max_hits_per_file);
        assert_eq!(r.skipped.len(), 1);
    }
}
