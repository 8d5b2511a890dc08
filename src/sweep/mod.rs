//! Sweep: `.crate` files (a directory of them, a mirror's or cargo's cache layout, a list) and
//! optionally a crates.io database dump and registry index → one JSON line per crate version
//! ([`record::Record`]) in a deterministic shard, resumable; and the index's life after that:
//! merged ([`index::merge`]), signed ([`index::sign`]), reused by a check ([`index::Trusted`]),
//! and compared across list versions ([`diff`]).
//!
//! A sweep is the unit of work a distributed engine schedules (see `contrib/ray/`): it needs no
//! workspace, no network and no state beyond its output file, so a task that dies can simply be
//! run again. Shards are disjoint and cover every crate: crate `name` belongs to shard
//! `u64::from_be_bytes(sha256(lowercase(name))[..8]) mod N` (see [`shard_of`]), so every
//! version of a crate (and every copy of one file) lands in the same shard.

pub mod checksums;
pub mod diff;
pub mod index;
pub mod krate;
pub mod record;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use chrono::NaiveDate;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::beyond::owners;
use crate::entity::EntityList;
use crate::error::InputError;
use crate::evidence::deep::{DeepOptions, Scanner};
use crate::graph::{DepKind, SourceKind};
use crate::matching::Matcher;
use crate::policy::{self, PackageRef, Policy};
use record::{ListRef, MatchRef, Record, VerifiedBy};

/// Largest `.crate` file read (crates.io's own upload limit is 10 MiB; a few have more).
pub const MAX_CRATE_BYTES: u64 = 256 * 1024 * 1024;

/// Files screened between two writes of the output (what a killed task loses at most).
const BATCH: usize = 256;

/// A shard: `index` of `count` (`--shard I/N`, 0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N` (0 ≤ I < N).
    pub fn parse(s: &str) -> Result<Shard, InputError> {
        let bad = || InputError::Usage(format!("--shard `{s}`: expected I/N with 0 <= I < N"));
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    pub fn holds(&self, name: &str) -> bool {
        shard_of(name, self.count) == self.index
    }
}

/// The shard of crate `name` among `count`: the first eight bytes of the SHA-256 of its
/// lower-cased name, big-endian, modulo `count`. Stable across machines, versions and runs
/// (crates.io names are unique ignoring case).
pub fn shard_of(name: &str, count: u64) -> u64 {
    let h = Sha256::digest(name.to_ascii_lowercase().as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&h[..8]);
    u64::from_be_bytes(first) % count.max(1)
}

/// What a sweep reads and how.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// `.crate` files, or directories searched (recursively) for them.
    pub paths: Vec<Utf8PathBuf>,
    /// Files listing `.crate` paths, one a line (relative to the list's directory).
    pub lists_of_files: Vec<Utf8PathBuf>,
    /// A crates.io database dump: owners and publishers, and checksums.
    pub db_dump: Option<Utf8PathBuf>,
    /// A registry index (crates.io-index layout, or cargo's cache of it): checksums.
    pub registry_index: Option<Utf8PathBuf>,
    pub shard: Shard,
    /// The JSON-lines output, appended to (resumable).
    pub output: Utf8PathBuf,
    pub deep: DeepOptions,
    /// The date the default policy is evaluated at for each record's verdict.
    pub as_of: NaiveDate,
}

/// What a sweep did.
#[derive(Debug, Default)]
pub struct SweepSummary {
    /// `.crate` files found in the inputs, and in this shard.
    pub found: usize,
    pub in_shard: usize,
    /// Versions already in the output (a resumed run), not screened again.
    pub already_done: usize,
    /// Records written by this run.
    pub written: usize,
    pub not_scanned: usize,
    pub bytes: u64,
    pub elapsed: Duration,
    /// For the person running it (files whose name is not `name-version.crate`…).
    pub notes: Vec<String>,
}

/// One `.crate` file found: the name and version its file name gives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CrateFile {
    pub name: String,
    pub version: String,
    pub path: Utf8PathBuf,
}

/// `name-version` of a `.crate` file name: the version is the first `-`-separated tail that is
/// a valid semantic version (`foo-2d-1.0.0-rc.1` is `foo-2d` 1.0.0-rc.1).
pub fn split_file_name(file_name: &str) -> Option<(String, String)> {
    let stem = file_name.strip_suffix(".crate")?;
    for (i, _) in stem.match_indices('-') {
        let (name, version) = (&stem[..i], &stem[i + 1..]);
        if !name.is_empty() && semver::Version::parse(version).is_ok() {
            return Some((name.to_string(), version.to_string()));
        }
    }
    None
}

/// Every `.crate` file of the inputs, sorted by name, version and path; and notes on what was
/// passed over.
pub fn find_crates(
    paths: &[Utf8PathBuf],
    lists: &[Utf8PathBuf],
) -> Result<(Vec<CrateFile>, Vec<String>), InputError> {
    let mut files: Vec<Utf8PathBuf> = Vec::new();
    let mut notes = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| InputError::Io {
            path: p.to_string(),
            source: e,
        })?;
        if meta.is_file() {
            files.push(p.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(p)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| InputError::Io {
                path: e
                    .path()
                    .map(|x| x.display().to_string())
                    .unwrap_or_else(|| p.to_string()),
                source: e.into(),
            })?;
            if entry.file_type().is_file()
                && entry.file_name().to_string_lossy().ends_with(".crate")
            {
                match Utf8Path::from_path(entry.path()) {
                    Some(f) => files.push(f.to_path_buf()),
                    None => notes.push(format!(
                        "{}: path is not UTF-8, not swept",
                        entry.path().display()
                    )),
                }
            }
        }
    }
    for list in lists {
        let text = std::fs::read_to_string(list).map_err(|e| InputError::Io {
            path: list.to_string(),
            source: e,
        })?;
        let base = list.parent().unwrap_or(Utf8Path::new("."));
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            files.push(base.join(line));
        }
    }
    let mut out = Vec::new();
    for path in files {
        let name = path.file_name().unwrap_or_default();
        match split_file_name(name) {
            Some((name, version)) => out.push(CrateFile {
                name,
                version,
                path,
            }),
            None => notes.push(format!(
                "{path}: not named `<name>-<version>.crate`, not swept"
            )),
        }
    }
    out.sort();
    out.dedup();
    Ok((out, notes))
}

/// The versions an output already holds, after cutting a last line left unfinished by a task
/// that died while writing it.
pub fn resume(output: &Utf8Path) -> Result<BTreeSet<(String, String)>, InputError> {
    let mut done = BTreeSet::new();
    let Ok(bytes) = std::fs::read(output) else {
        return Ok(done);
    };
    let mut good = 0usize;
    let mut at = 0usize;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let end = at + line.len();
        let complete = line.ends_with(b"\n");
        let parsed = complete
            .then(|| serde_json::from_slice::<serde_json::Value>(line).ok())
            .flatten();
        match parsed {
            Some(v) => {
                if let (Some(n), Some(ver)) = (v["name"].as_str(), v["version"].as_str()) {
                    done.insert((n.to_string(), ver.to_string()));
                }
                good = end;
            }
            // The unfinished last line of a task that died writing it (a complete line that is
            // not a record is not ours to cut).
            None if end == bytes.len() && !complete => break,
            None => {
                let line_no = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(InputError::Usage(format!(
                    "{output}:{line_no}: not a sweep record (only the last line may be unfinished)"
                )));
            }
        }
        at = end;
    }
    if good < bytes.len() {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(output)
            .map_err(|e| InputError::write(output, e))?;
        f.set_len(good as u64)
            .map_err(|e| InputError::write(output, e))?;
    }
    Ok(done)
}

/// Sweeps the shard: screens every version not yet in the output and appends its record.
pub fn run(opts: &SweepOptions, lists: &[EntityList]) -> Result<SweepSummary, InputError> {
    let started = Instant::now();
    let mut summary = SweepSummary::default();
    let (files, notes) = find_crates(&opts.paths, &opts.lists_of_files)?;
    summary.notes.extend(notes);
    summary.found = files.len();
    let files: Vec<CrateFile> = files
        .into_iter()
        .filter(|f| opts.shard.holds(&f.name))
        .collect();
    summary.in_shard = files.len();
    let done = resume(&opts.output)?;
    let (skipped, todo): (Vec<CrateFile>, Vec<CrateFile>) = files
        .into_iter()
        .partition(|f| done.contains(&(f.name.clone(), f.version.clone())));
    summary.already_done = skipped
        .iter()
        .map(|f| (&f.name, &f.version))
        .collect::<BTreeSet<_>>()
        .len();
    let wanted: BTreeMap<String, BTreeSet<String>> =
        todo.iter().fold(BTreeMap::new(), |mut m, f| {
            m.entry(f.name.clone())
                .or_default()
                .insert(f.version.clone());
            m
        });
    let expected = checksums::Expected::load(
        opts.registry_index.as_deref(),
        opts.db_dump.as_deref(),
        &wanted,
    )?;
    let owners = match &opts.db_dump {
        Some(d) if !wanted.is_empty() => owners::read_dump(d, &wanted)?,
        _ => Default::default(),
    };
    let matcher = Matcher::new(lists);
    let scanner = matcher.scanner(opts.deep.clone());
    let ctx = Ctx {
        lists,
        list_refs: ListRef::of(lists),
        recogniser: record::recogniser(&opts.deep),
        policy: Policy::new(opts.as_of),
        matcher: &matcher,
        scanner: &scanner,
        expected: &expected,
        owners: &owners,
    };
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&opts.output)
        .map_err(|e| InputError::write(&opts.output, e))?;
    // The same version twice (two registries' caches, a mirror and a list) is one group.
    let mut groups: Vec<Vec<&CrateFile>> = Vec::new();
    for f in &todo {
        match groups.last_mut() {
            Some(g) if g[0].name == f.name && g[0].version == f.version => g.push(f),
            _ => groups.push(vec![f]),
        }
    }
    for batch in groups.chunks(BATCH) {
        let records: Vec<Vec<Record>> = batch.par_iter().map(|g| ctx.screen(g)).collect();
        let mut buf = Vec::new();
        for r in records.iter().flatten() {
            summary.written += 1;
            summary.not_scanned += usize::from(r.verdict == "not-scanned");
            summary.bytes += r.scan.bytes;
            serde_json::to_writer(&mut buf, r)
                .map_err(|e| InputError::write(&opts.output, e.into()))?;
            buf.push(b'\n');
        }
        out.write_all(&buf)
            .and_then(|()| out.flush())
            .map_err(|e| InputError::write(&opts.output, e))?;
    }
    drop(out);
    // A resumed run over inputs that changed may have appended out of order.
    index::sort_file(&opts.output)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// What screening one version needs.
struct Ctx<'a> {
    lists: &'a [EntityList],
    list_refs: Vec<ListRef>,
    recogniser: String,
    policy: Policy,
    matcher: &'a Matcher<'a>,
    scanner: &'a Scanner,
    expected: &'a checksums::Expected,
    owners: &'a std::collections::HashMap<String, owners::CrateOwners>,
}

impl Ctx<'_> {
    /// The records of one version: one per distinct file content.
    fn screen(&self, group: &[&CrateFile]) -> Vec<Record> {
        let mut seen: BTreeMap<String, Record> = BTreeMap::new();
        for f in group {
            let len = std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
            let read = if len > MAX_CRATE_BYTES {
                Err(format!(
                    "{}: {len} bytes, over the {MAX_CRATE_BYTES} byte limit",
                    f.path
                ))
            } else {
                std::fs::read(&f.path).map_err(|e| format!("{}: unreadable: {e}", f.path))
            };
            let bytes = match read {
                Ok(b) => b,
                Err(why) => {
                    let r = self.unread(f, String::new(), why);
                    seen.entry(String::new()).or_insert(r);
                    continue;
                }
            };
            let checksum = hex::encode(Sha256::digest(&bytes));
            if seen.contains_key(&checksum) {
                continue; // the same file again: screened once
            }
            let r = self.screen_bytes(f, &bytes, checksum.clone());
            seen.insert(checksum, r);
        }
        seen.into_values().collect()
    }

    fn base(&self, f: &CrateFile, checksum: String) -> Record {
        Record {
            name: f.name.clone(),
            version: f.version.clone(),
            checksum,
            verified_by: VerifiedBy::Unverified,
            recogniser: self.recogniser.clone(),
            lists: self.list_refs.clone(),
            verdict: "not-scanned".into(),
            as_of: self.policy.as_of.to_string(),
            matches: Vec::new(),
            manifest: Vec::new(),
            owners: Vec::new(),
            scan: Default::default(),
            not_scanned: Vec::new(),
        }
    }

    fn unread(&self, f: &CrateFile, checksum: String, why: String) -> Record {
        let mut r = self.base(f, checksum);
        r.scan.not_scanned = Some(why.clone());
        r.not_scanned.push(why);
        r
    }

    fn screen_bytes(&self, f: &CrateFile, bytes: &[u8], checksum: String) -> Record {
        let verified = match self.expected.verify(&f.name, &f.version, &checksum) {
            Ok(v) => v,
            Err(why) => return self.unread(f, checksum, why),
        };
        let contents = krate::read(bytes, &f.name, &f.version, self.scanner);
        let mut r = self.base(f, checksum);
        r.verified_by = verified;
        if let Some((n, v)) = &contents.manifest_id
            && (n != &f.name || v != &f.version)
        {
            let why = format!(
                "{}: its Cargo.toml says {n} {v}, its file name {} {}",
                f.path, f.name, f.version
            );
            r.scan.not_scanned = Some(why.clone());
            r.not_scanned.push(why);
            return r;
        }
        let mut matches = Vec::new();
        for e in &contents.manifest {
            let found = self.matcher.match_evidence(e);
            if !found.is_empty() {
                r.manifest.push(e.clone());
                matches.extend(found);
            }
        }
        let mut scan = contents.scan;
        matches.extend(
            self.scanner
                .keep_matches(&mut scan, |e| self.matcher.match_evidence(e)),
        );
        if let Some(o) = self.owners.get(&f.name) {
            for e in owners::evidence(o, &f.version) {
                let found = self.matcher.match_evidence(&e);
                if !found.is_empty() {
                    r.owners.push(e);
                    matches.extend(found);
                }
            }
        }
        if let Some(why) = &scan.not_scanned {
            r.not_scanned.push(why.clone());
        }
        r.not_scanned.extend(
            scan.skipped
                .iter()
                .filter(|s| s.counts_as_unscanned())
                .map(|s| format!("{}: {}", s.file, s.reason)),
        );
        r.matches = matches.iter().map(MatchRef::of).collect();
        r.matches.sort();
        r.matches.dedup();
        r.verdict = match verdict(&self.policy, self.lists, &f.name, &f.version, matches) {
            // Nothing matched, but not everything was read: not known to be clear.
            v if v == "clear" && !r.not_scanned.is_empty() => "not-scanned".into(),
            _ if scan.not_scanned.is_some() => "not-scanned".into(),
            v => v,
        };
        r.scan = scan;
        r
    }
}

/// The policy's worst verdict for a crates.io version's matches (`clear` without any).
pub fn verdict(
    policy: &Policy,
    lists: &[EntityList],
    name: &str,
    version: &str,
    matches: Vec<crate::matching::Match>,
) -> String {
    let package = PackageRef {
        name: name.to_string(),
        version: version.to_string(),
        id: format!("{name} {version} ({})", krate::CRATES_IO_SOURCE),
        kind: DepKind::Normal,
        source: SourceKind::Registry {
            url: krate::CRATES_IO_SOURCE.to_string(),
        },
    };
    policy::decide_package(policy, lists, package, Vec::new(), matches)
        .iter()
        .map(|f| f.verdict)
        .min()
        .map_or_else(|| "clear".to_string(), |v| v.as_str().to_string())
}

#[cfg(test)]
mod tests;
