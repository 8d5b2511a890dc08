//! Pipeline, one package: a screened package (its manifest evidence, its files, or its cached
//! scan) → its findings. The deep scan's notice lines are kept only when they match an
//! identifier: that rule lives here and nowhere else.

use std::collections::{BTreeSet, HashMap};

use camino::{Utf8Path, Utf8PathBuf};

use crate::cache::early::HeadStart;
use crate::cache::scan::Cache;
use crate::config::Request;
use crate::evidence::Evidence;
use crate::evidence::deep::{PackageScan, Scanner, SkipKind, Skipped, pruned_below, test_data};
use crate::graph::{self, PathStep};
use crate::matching::{Match, Matcher};
use crate::outcome::Explained;
use crate::policy::{self, Finding, PackageRef};

/// The rule for deep-scan evidence: notice lines and strings are collected generously (a
/// disguised name only shows once normalised), and only those that match an identifier are
/// kept, at most `deep.max-hits-per-file` per file with the rest counted, so the cache and
/// `explain` stay small. Returns their matches.
pub(super) fn keep_matching(
    scanner: &Scanner,
    scan: &mut PackageScan,
    matcher: &Matcher,
) -> Vec<Match> {
    scanner.keep_matches(scan, |e| matcher.match_evidence(e))
}

/// A verified sweep index and the checksums `Cargo.lock` records, which select its records.
pub(super) struct IndexHits<'a> {
    pub trusted: &'a crate::sweep::index::Trusted,
    /// [`Cache::checksum_key`] → the lockfile's checksum.
    pub checksums: std::collections::HashMap<String, String>,
}

impl IndexHits<'_> {
    /// The index's scan of a registry package whose lockfile checksum it holds.
    fn take(&self, pkg: &graph::Subject) -> Option<PackageScan> {
        let graph::SourceKind::Registry { url } = &pkg.source else {
            return None;
        };
        let checksum = self
            .checksums
            .get(&Cache::checksum_key(&pkg.name, &pkg.version, url))?;
        self.trusted.get(&pkg.name, &pkg.version, checksum)
    }
}

/// What the pipeline produced for one package.
pub(super) struct PackageResult {
    pub findings: Vec<Finding>,
    pub scan: Option<PackageScan>,
    pub cached: bool,
    /// Its scan was taken from the sweep index.
    pub indexed: bool,
    pub explained: Option<Explained>,
}

/// What the deep scan of one package needs.
pub(super) struct Deep<'a> {
    pub scanner: &'a Scanner,
    pub cache: &'a Cache,
    pub head: &'a HeadStart,
    /// The file passes of the workspace's packages made while the build was resolved.
    pub ahead: &'a Ahead,
    pub target_dir: &'a Utf8Path,
    pub prune: &'a [Utf8PathBuf],
    pub index: Option<&'a IndexHits<'a>>,
    /// The workspace's own build and packaging files (see `test_data::workspace_files`).
    pub workspace_files: &'a WorkspaceFiles<'a>,
}

/// The file passes of the workspace's own packages (members and path packages) and of its root,
/// made while the build was resolved, before the directories a scan passes over were known:
/// each made with every package of the graph passed over, and the target directory where no
/// package of the graph holds sources in it. One is taken only by a scan that would pass over
/// exactly the same directories below it (see [`pruned_below`]), so it reads what that scan
/// would; any other is scanned again.
#[derive(Default)]
pub(super) struct Ahead {
    scans: std::sync::Mutex<HashMap<Utf8PathBuf, (BTreeSet<String>, PackageScan)>>,
}

impl Ahead {
    /// The scans made ahead, by directory, each with the directories below it that it passed
    /// over ([`pruned_below`]).
    pub(super) fn new(scans: HashMap<Utf8PathBuf, (BTreeSet<String>, PackageScan)>) -> Ahead {
        Ahead {
            scans: std::sync::Mutex::new(scans),
        }
    }

    /// The file pass of `dir` made ahead, if it passed over the same directories below `dir`
    /// as `prune` does.
    pub(super) fn take(&self, dir: &Utf8Path, prune: &[Utf8PathBuf]) -> Option<PackageScan> {
        let mut scans = self.scans.lock().ok()?;
        let (below, _) = scans.get(dir)?;
        let now: BTreeSet<&str> = pruned_below(dir, prune).collect();
        if !now.iter().copied().eq(below.iter().map(String::as_str)) {
            return None;
        }
        scans.remove(dir).map(|(_, scan)| scan)
    }
}

/// The workspace's own build and packaging files, and its packages' files, read when first
/// asked for (most runs have no test-data archive left packed in a workspace package, and never
/// read them).
pub(super) struct WorkspaceFiles<'a> {
    root: &'a Utf8Path,
    /// The directories of the workspace's packages (members and path packages).
    packages: Vec<Utf8PathBuf>,
    prune: &'a [Utf8PathBuf],
    files: std::sync::OnceLock<Vec<(String, Vec<u8>)>>,
    package_files: std::sync::OnceLock<Option<Vec<test_data::PackageFile>>>,
}

impl<'a> WorkspaceFiles<'a> {
    pub(super) fn new(
        root: &'a Utf8Path,
        packages: Vec<Utf8PathBuf>,
        prune: &'a [Utf8PathBuf],
    ) -> WorkspaceFiles<'a> {
        WorkspaceFiles {
            root,
            packages,
            prune,
            files: std::sync::OnceLock::new(),
            package_files: std::sync::OnceLock::new(),
        }
    }

    fn get(&self) -> &[(String, Vec<u8>)] {
        self.files
            .get_or_init(|| test_data::workspace_files(self.root))
    }

    /// See [`test_data::package_files`]: `None` when there was too much to read.
    fn packages(&self) -> Option<&[test_data::PackageFile]> {
        self.package_files
            .get_or_init(|| test_data::package_files(&self.packages, self.prune))
            .as_deref()
    }
}

/// A screened package's manifest evidence, matched and looked up in the scan cache (beside
/// feature resolution), or not yet (taken from the graph cache).
pub(super) enum Pending {
    Ready(Prepared),
    Manifest(Vec<Evidence>),
}

impl Pending {
    pub fn manifest(&self) -> &[Evidence] {
        match self {
            Pending::Ready(p) => &p.evidence,
            Pending::Manifest(m) => m,
        }
    }
}

/// What is known of a package before the build is resolved.
pub(super) struct Prepared {
    /// Its manifest evidence, and what of it matched.
    evidence: Vec<Evidence>,
    matches: Vec<Match>,
    /// Its scan-cache key, and its cached scan when there is one.
    key: Option<String>,
    hit: Option<PackageScan>,
}

/// Matches `evidence` and looks the package's scan-cache `key` up.
pub(super) fn prepare(
    evidence: Vec<Evidence>,
    key: Option<String>,
    matcher: &Matcher,
    cache: Option<&Cache>,
) -> Prepared {
    let matches = evidence
        .iter()
        .flat_map(|e| matcher.match_evidence(e))
        .collect();
    let hit = cache.zip(key.as_deref()).and_then(|(c, k)| c.get(k));
    Prepared {
        evidence,
        matches,
        key,
        hit,
    }
}

/// What [`screen_reached`] needs of the deep scan.
struct Reach<'a> {
    scanner: &'a Scanner,
    target_dir: &'a Utf8Path,
    prune: &'a [Utf8PathBuf],
}

/// Screens the files inside the target directory that `pkg`'s sources name (see
/// `evidence::reach`), when that directory lies inside the package, and notes that the rest of
/// it is not scanned; adds them to `scan` and returns their matches.
fn screen_reached(
    pkg: &graph::Subject,
    deep: &Reach<'_>,
    matcher: &Matcher,
    scan: &mut PackageScan,
) -> Vec<Match> {
    let target = deep.target_dir;
    if !target.starts_with(&pkg.dir) || target == pkg.dir || !target.is_dir() {
        return Vec::new();
    }
    let rel = |p: &Utf8Path| {
        p.strip_prefix(&pkg.dir)
            .unwrap_or(p)
            .as_str()
            .replace('\\', "/")
    };
    let reached = crate::evidence::reach::reached(&pkg.dir, target, &pkg.targets);
    let mut extra = PackageScan::default();
    for file in &reached {
        let s = deep.scanner.scan_file(file, &rel(file));
        extra.files += s.files;
        extra.bytes += s.bytes;
        extra.evidence.extend(s.evidence);
        extra.binaries.extend(s.binaries);
        extra.skipped.extend(s.skipped);
    }
    let matches = keep_matching(deep.scanner, &mut extra, matcher);
    scan.files += extra.files;
    scan.bytes += extra.bytes;
    scan.evidence.extend(extra.evidence);
    scan.binaries.extend(extra.binaries);
    scan.skipped.extend(extra.skipped);
    scan.skipped.push(Skipped::new(
        format!("{}/", rel(target)),
        SkipKind::Note,
        format!(
            "the target directory (cargo's build output) is not scanned; the {} files in it that the package's sources name are",
            reached.len()
        ),
    ));
    scan.evidence.sort();
    scan.evidence.dedup();
    scan.binaries.sort();
    scan.skipped.sort();
    matches
}

/// Deep-scans one package (or takes its scan from the cache or the head start), matches its
/// evidence and decides each match. `explain`: the paths to list when it is being explained.
pub(super) fn screen(
    pkg: &graph::Subject,
    pending: Pending,
    req: &Request,
    matcher: &Matcher,
    deep: Option<Deep<'_>>,
    explain: Option<(Vec<Vec<PathStep>>, bool)>,
    extra: Vec<Evidence>,
) -> PackageResult {
    let prep = match pending {
        Pending::Ready(prep) => prep,
        Pending::Manifest(evidence) => {
            let cache = deep.as_ref().map(|d| d.cache);
            let key = cache.and_then(|c| c.key(&pkg.name, &pkg.version, &pkg.source, &pkg.dir));
            prepare(evidence, key, matcher, cache)
        }
    };
    let Prepared {
        mut evidence,
        mut matches,
        key,
        hit,
    } = prep;
    let mut cached = false;
    let mut indexed = false;
    let workspace_files = deep.as_ref().map(|d| d.workspace_files);
    let deep_for_reach = deep.as_ref().map(|d| (d.scanner, d.target_dir, d.prune));
    let deep_for_reach = deep_for_reach.map(|(scanner, target_dir, prune)| Reach {
        scanner,
        target_dir,
        prune,
    });
    let scan = deep.map(|deep| {
        // A verified sweep index answers for the exact `.crate` the lockfile pins; its scan
        // already holds the build script's directives (read from the `.crate`).
        if let Some(mut scan) = deep.index.and_then(|i| i.take(pkg)) {
            indexed = true;
            matches.extend(keep_matching(deep.scanner, &mut scan, matcher));
            return scan;
        }
        if let Some(hit) = hit {
            cached = true;
            for e in &hit.evidence {
                matches.extend(matcher.match_evidence(e));
            }
            return hit;
        }
        // The file pass: kept from an earlier run's head start, made by this run's, or now.
        let kept = key
            .as_deref()
            .filter(|_| matches!(pkg.source, graph::SourceKind::Registry { .. }))
            .filter(|_| !deep.target_dir.starts_with(&pkg.dir))
            .and_then(|k| deep.cache.get(&Cache::files_key(k)));
        cached = kept.is_some();
        let mut scan = kept
            .or_else(|| {
                deep.head.take(
                    &pkg.name,
                    &pkg.version,
                    &pkg.source,
                    &pkg.dir,
                    deep.target_dir,
                )
            })
            .or_else(|| {
                matches!(
                    pkg.source,
                    graph::SourceKind::Workspace | graph::SourceKind::Path
                )
                .then(|| deep.ahead.take(&pkg.dir, deep.prune))
                .flatten()
            })
            .unwrap_or_else(|| deep.scanner.scan_files(&pkg.dir, deep.prune));
        crate::evidence::buildscript::add_to_scan(
            &mut scan,
            &pkg.dir,
            pkg.build_script.as_deref(),
            &req.limits,
        );
        matches.extend(keep_matching(deep.scanner, &mut scan, matcher));
        if let Some(k) = key {
            deep.cache.put(k, &scan);
        }
        scan
    });
    // The target directory inside this package, which the file pass does not enter: what the
    // package's sources name there is screened (never cached: the key does not cover it).
    let scan = match (scan, &deep_for_reach) {
        (Some(mut scan), Some(deep)) if deep.prune.iter().any(|p| p == deep.target_dir) => {
            matches.extend(screen_reached(pkg, deep, matcher, &mut scan));
            Some(scan)
        }
        (scan, _) => scan,
    };
    // A test-data archive of a workspace package that the workspace's build or packaging
    // files name (a root Dockerfile's `COPY crates/engine/tests/data/sdk.zip`): unpacked here,
    // never cached (the package's key does not cover those files).
    let scan = match (scan, &deep_for_reach, workspace_files) {
        (Some(mut scan), Some(deep), Some(workspace_files))
            if !scan.packed.is_empty()
                && matches!(
                    pkg.source,
                    graph::SourceKind::Workspace | graph::SourceKind::Path
                ) =>
        {
            let mut extra = deep.scanner.unpack_named_by(
                &pkg.dir,
                workspace_files.root,
                workspace_files.get(),
                workspace_files.packages(),
                &mut scan,
            );
            matches.extend(keep_matching(deep.scanner, &mut extra, matcher));
            scan.evidence.append(&mut extra.evidence);
            scan.evidence.sort();
            Some(scan)
        }
        (scan, _, _) => scan,
    };
    if let Some(scan) = &scan {
        evidence.extend(scan.evidence.iter().cloned());
    }
    // Registry owners and build outputs (`beyond`), never cached with the package's scan.
    for e in &extra {
        matches.extend(matcher.match_evidence(e));
    }
    evidence.extend(extra);
    let package = PackageRef {
        name: pkg.name.clone(),
        version: pkg.version.clone(),
        id: pkg.id.clone(),
        kind: pkg.kind,
        source: pkg.source.clone(),
    };
    let mut findings: Vec<Finding> = policy::decide_package(
        &req.policy,
        &req.lists,
        package.clone(),
        pkg.path.clone(),
        matches,
    );
    // Findings in files that do not ship (`[[ignore]]`): still reported, never failing.
    policy::ignore::apply(&mut findings, &req.config.ignores, req.policy.as_of);
    findings.sort();
    findings.dedup();
    let explained = explain.map(|(paths, paths_truncated)| Explained {
        package: package.clone(),
        dir: pkg.dir.to_string(),
        paths,
        paths_truncated,
        evidence: evidence.clone(),
        findings: findings.clone(),
        binaries: scan
            .as_ref()
            .map(|s| s.binaries.clone())
            .unwrap_or_default(),
        skipped: scan.as_ref().map(|s| s.skipped.clone()).unwrap_or_default(),
        not_scanned: scan.as_ref().and_then(|s| s.not_scanned.clone()),
    });
    PackageResult {
        findings,
        scan,
        cached,
        indexed,
        explained,
    }
}
