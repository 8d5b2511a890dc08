//! cargo-entitycheck: tell a team, before it ships, whether its Rust product integrates software
//! made by an entity it may not deal with.
//!
//! One pipeline, one module per stage, each a plain function from a typed input to a typed output:
//!
//! ```text
//!  cargo metadata ──▶ graph ──▶ evidence ──▶ matching ──▶ policy ──▶ report
//!   (guppy)          screened   per package   × entity     verdicts   human / json
//!                    packages   signals       lists (data/)           + exit code
//! ```
//!
//! - [`graph`]: resolve the dependency graph as cargo would (features, platforms, dev/build edges),
//!   and keep the resolved build for a next run whose `cargo metadata` says the same.
//! - [`evidence`]: who made each package and what it bundles (manifest fields, source URLs).
//! - [`entity`]: the entity list, validated ([`entity::BUILTIN_TOML`] is the default).
//! - [`matching`]: normalised, whole-token comparison of evidence and identifiers.
//! - [`policy`]: what fails the build and why.
//! - [`report`]: the only module that writes output.

pub mod attest;
pub mod cli;
pub mod entity;
pub mod error;
pub mod evidence;
pub mod graph;
pub mod matching;
pub mod policy;
pub mod report;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cli::{CheckPlan, Verbosity};
use crate::entity::EntityList;
use crate::error::InputError;
use crate::evidence::Evidence;
use crate::evidence::cache::Cache;
use crate::evidence::deep::{BinaryItem, PackageScan, Scanner, Skipped};
use crate::evidence::early::HeadStart;
use crate::graph::PathStep;
use crate::matching::{Match, Matcher};
use crate::policy::config::Waiver;
use crate::policy::{Finding, PackageRef, Policy, Verdict};

/// A package whose files could not all be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct NotScanned {
    pub name: String,
    pub version: String,
    pub reason: String,
}

/// A binary or archive found in a package (inventoried whether or not it is a finding).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InventoriedBinary {
    pub package: String,
    pub version: String,
    #[serde(flatten)]
    pub item: BinaryItem,
}

/// Totals of the deep scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanTotals {
    pub deep: bool,
    pub files: u64,
    pub bytes: u64,
    /// Packages answered from the scan cache.
    pub cached: usize,
}

/// Everything known about one package, for `explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    pub package: PackageRef,
    pub dir: String,
    /// Every path from a workspace member (up to a limit), shortest first.
    pub paths: Vec<Vec<PathStep>>,
    pub paths_truncated: bool,
    pub evidence: Vec<Evidence>,
    pub findings: Vec<Finding>,
    pub binaries: Vec<BinaryItem>,
    pub skipped: Vec<Skipped>,
    pub not_scanned: Option<String>,
}

/// The result of a check: data for the report and the exit code.
pub struct Outcome {
    pub lists: Vec<EntityList>,
    pub policy: Policy,
    pub config_origin: Option<String>,
    pub packages_screened: usize,
    /// Sorted: verdict, package, match.
    pub findings: Vec<Finding>,
    pub not_scanned: Vec<NotScanned>,
    pub binaries: Vec<InventoriedBinary>,
    pub unused_waivers: Vec<Waiver>,
    pub scan: ScanTotals,
    pub explained: Vec<Explained>,
    pub elapsed: Duration,
    pub verbosity: Verbosity,
    /// The workspace root (where Cargo.lock and the configuration live).
    pub workspace_root: Utf8PathBuf,
    /// Package id → its directory, for report locations.
    pub package_dirs: std::collections::BTreeMap<String, Utf8PathBuf>,
    /// The workspace members' manifests, for certificates.
    pub member_manifests: Vec<Utf8PathBuf>,
    /// `sha256:` of the effective policy and configuration.
    pub policy_digest: String,
}

impl Outcome {
    /// Whether the build fails: a failing finding, or (if the policy says so) an unscanned package.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.verdict == Verdict::Fail)
            || (self.policy.fail_on_unscanned && !self.not_scanned.is_empty())
            || self
                .lists
                .iter()
                .any(|l| l.list.stale == Some(Verdict::Fail))
    }
}

/// Which package `explain` is about.
#[derive(Debug, Clone)]
pub struct ExplainSpec {
    pub name: String,
    pub version: Option<String>,
}

impl ExplainSpec {
    pub fn parse(spec: &str) -> ExplainSpec {
        match spec.split_once('@') {
            Some((n, v)) => ExplainSpec {
                name: n.to_string(),
                version: Some(v.to_string()),
            },
            None => ExplainSpec {
                name: spec.to_string(),
                version: None,
            },
        }
    }

    fn matches(&self, name: &str, version: &str) -> bool {
        self.name == name && self.version.as_deref().is_none_or(|v| v == version)
    }
}

/// The most paths `explain` lists for one package.
const MAX_EXPLAIN_PATHS: usize = 32;

/// Runs the pipeline: graph → evidence → match → policy.
pub fn check(plan: CheckPlan) -> Result<Outcome, InputError> {
    run(plan, None)
}

/// Runs the pipeline and keeps everything about the packages `spec` names.
pub fn explain(plan: CheckPlan, spec: &ExplainSpec) -> Result<Outcome, InputError> {
    let outcome = run(plan, Some(spec))?;
    if outcome.explained.is_empty() {
        return Err(InputError::Usage(format!(
            "no package `{}{}` in the screened dependency graph",
            spec.name,
            spec.version
                .as_deref()
                .map(|v| format!("@{v}"))
                .unwrap_or_default()
        )));
    }
    Ok(outcome)
}

/// What the pipeline produced for one package.
struct PackageResult {
    findings: Vec<Finding>,
    scan: Option<PackageScan>,
    cached: bool,
    explained: Option<Explained>,
}

fn run(plan: CheckPlan, spec: Option<&ExplainSpec>) -> Result<Outcome, InputError> {
    let started = Instant::now();
    let timings = std::env::var_os("ENTITYCHECK_TIMINGS").is_some();
    let lap = |what: &str| {
        if timings {
            report::write_note(&format_args!(
                "timing: {what} at {:.3}s",
                started.elapsed().as_secs_f64()
            ));
        }
    };
    let plan_exit_after = plan.exit_after;
    let matcher = Matcher::new(&plan.lists);
    let scanner = plan
        .deep
        .enabled
        .then(|| Scanner::new(matcher.needles(), plan.deep.options.clone()));
    let salt = scan_salt(&matcher, &plan);
    // A warm run whose `cargo metadata` prints the same bytes skips resolving the build again
    // (see `graph::cache`); not for `explain`, which walks the graph, nor for saved metadata.
    let graph_key = (plan.deep.cache && spec.is_none() && plan.graph.metadata_path.is_none())
        .then(|| graph_cache_key(&plan, &salt));
    // While `cargo metadata` runs, the registry packages the lockfile pins are scanned on the
    // other cores (see `evidence::early`), and the graph cache is read; a wrong guess costs only
    // that idle time.
    let cancel = AtomicBool::new(false);
    let guess = Guess::of(&plan);
    let (loaded, early) = std::thread::scope(|s| {
        let early = scanner
            .as_ref()
            .filter(|_| plan.graph.metadata_path.is_none())
            .map(|scanner| {
                s.spawn(|| head_start(scanner, &matcher, &plan, &salt, &guess, &cancel))
            });
        let stored = graph_key.as_ref().and(guess.target_dir.clone()).map(|t| {
            s.spawn(move || graph::cache::read::<Vec<Vec<Evidence>>>(&graph::cache::path(&t)))
        });
        // The graph is built while the head start may still be scanning.
        let loaded = graph::metadata_json(&plan.graph).and_then(|(metadata, origin)| {
            let from_cache = stored
                .and_then(|h| h.join().ok())
                .flatten()
                .zip(graph_key.as_deref())
                .and_then(|(stored, key)| stored.take(&metadata, key))
                .filter(|(resolved, manifests)| resolved.subjects.len() == manifests.len());
            let loaded = match from_cache {
                Some((resolved, manifests)) => Loaded::Cached(resolved, manifests),
                None => Loaded::Graph(Box::new(graph::from_json(&metadata, &origin)?)),
            };
            Ok((metadata, loaded))
        });
        if loaded.is_err() {
            cancel.store(true, Ordering::Relaxed);
        }
        (loaded, early.and_then(|h| h.join().ok()))
    });
    let (metadata, loaded) = loaded?;
    let cached_graph = matches!(loaded, Loaded::Cached(..));
    lap(if cached_graph {
        "metadata (the build as resolved last time: same metadata)"
    } else {
        "metadata and package graph"
    });
    if let Some(e) = &early {
        lap(&format!(
            "head start: {} registry packages scanned while cargo metadata ran",
            e.head.scanned
        ));
    }
    // The scan cache: the head start's if it guessed the target directory and the lockfile.
    let open = |target_dir: &Utf8Path, root: &Utf8Path, early: Option<Early>| {
        let real_cache = scan_cache_path(target_dir, &plan);
        let lockfile = root.join("Cargo.lock");
        let guessed = guess.lockfile.as_ref() == Some(&lockfile);
        match early {
            Some(Early { cache, head }) if guessed && cache.is_at(real_cache.as_deref()) => {
                (cache, head)
            }
            Some(Early { head, .. }) => (open_cache(real_cache, &salt, &lockfile), head),
            None => (
                open_cache(real_cache, &salt, &lockfile),
                HeadStart::default(),
            ),
        }
    };
    let (resolved, pending, explain_paths, cache, head) = match loaded {
        Loaded::Cached(resolved, manifests) => {
            let (cache, head) = open(&resolved.target_dir, &resolved.root, early);
            let explain_paths = vec![None; manifests.len()];
            let pending = manifests.into_iter().map(Pending::Manifest).collect();
            (resolved, pending, explain_paths, cache, head)
        }
        Loaded::Graph(graph) => {
            let (cache, head) = open(
                graph.workspace().target_directory(),
                graph.workspace().root(),
                early,
            );
            // What needs no resolved build (manifest evidence and its matches, cached scans)
            // is prepared for every package on one core while the other resolves features
            // and paths.
            let (screened, mut all) = rayon::join(
                || graph::screen(&graph, &plan.graph),
                || prepare_all(&graph, &matcher, scanner.as_ref().map(|_| &cache)),
            );
            let screened = screened?;
            let resolved = graph::Resolved::of(&screened);
            let mut pending = Vec::with_capacity(screened.packages.len());
            let mut explain_paths = Vec::with_capacity(screened.packages.len());
            for (pkg, subject) in screened.packages.iter().zip(&resolved.subjects) {
                pending.push(match all.remove(pkg.meta.id()) {
                    Some(prep) => Pending::Ready(prep),
                    None => Pending::Manifest(evidence::manifest::collect(&pkg.meta)),
                });
                explain_paths.push(
                    spec.filter(|s| s.matches(&subject.name, &subject.version))
                        .map(|_| screened.all_paths(pkg.meta.id(), MAX_EXPLAIN_PATHS)),
                );
            }
            if let Some(key) = graph_key.as_deref().filter(|_| cache.enabled()) {
                // The caches are an optimisation: failing to write one never fails the check.
                let manifests: Vec<&[Evidence]> = pending.iter().map(Pending::manifest).collect();
                let path = graph::cache::path(&resolved.target_dir);
                let _ = graph::cache::write(&path, &metadata, key, &resolved, &manifests);
            }
            drop(screened);
            if plan_exit_after {
                // Freeing a large graph takes time the process is about to give back anyway.
                std::mem::forget(graph);
            }
            lap("feature resolution and paths, manifest evidence and cached scans");
            (resolved, pending, explain_paths, cache, head)
        }
    };
    let target_dir = resolved.target_dir.clone();
    let prune = vec![target_dir.clone()];
    let progress = report::Progress::new(
        resolved.subjects.len() as u64,
        scanner.is_some() && plan.verbosity != Verbosity::Quiet,
    );

    let results: Vec<PackageResult> = resolved
        .subjects
        .par_iter()
        .zip(pending)
        .zip(explain_paths)
        .map(|((subject, pending), explain)| {
            let deep = scanner.as_ref().map(|scanner| Deep {
                scanner,
                cache: &cache,
                head: &head,
                target_dir: &target_dir,
                prune: &prune,
            });
            let prep = match pending {
                Pending::Ready(prep) => prep,
                Pending::Manifest(evidence) => {
                    let cache = deep.as_ref().map(|d| d.cache);
                    let key = cache.and_then(|c| {
                        c.key(
                            &subject.name,
                            &subject.version,
                            &subject.source,
                            &subject.dir,
                        )
                    });
                    prepare(evidence, key, &matcher, cache)
                }
            };
            let r = screen_package(subject, prep, &plan, &matcher, deep, explain);
            progress.inc(&subject.name);
            r
        })
        .collect();
    progress.finish();
    lap("evidence, matching and policy");

    let mut findings = Vec::new();
    let mut not_scanned = Vec::new();
    let mut binaries = Vec::new();
    let mut explained = Vec::new();
    let mut totals = ScanTotals {
        deep: scanner.is_some(),
        ..Default::default()
    };
    for (subject, r) in resolved.subjects.iter().zip(results) {
        findings.extend(r.findings);
        explained.extend(r.explained);
        if r.cached {
            totals.cached += 1;
        }
        let Some(scan) = r.scan else { continue };
        totals.files += scan.files;
        totals.bytes += scan.bytes;
        let (name, version) = (subject.name.clone(), subject.version.clone());
        for item in scan.binaries {
            binaries.push(InventoriedBinary {
                package: name.clone(),
                version: version.clone(),
                item,
            });
        }
        let unread: Vec<&Skipped> = scan
            .skipped
            .iter()
            .filter(|s| s.counts_as_unscanned())
            .collect();
        let reason = match (&scan.not_scanned, unread.as_slice()) {
            (Some(why), _) => Some(why.clone()),
            (None, []) => None,
            (None, [one]) => Some(format!("{}: {}", one.file, one.reason)),
            (None, [first, rest @ ..]) => Some(format!(
                "{}: {} (and {} more files)",
                first.file,
                first.reason,
                rest.len()
            )),
        };
        if let Some(reason) = reason {
            not_scanned.push(NotScanned {
                name,
                version,
                reason,
            });
        }
    }
    findings.sort();
    findings.dedup();
    not_scanned.sort();
    binaries.sort();
    explained.sort_by(|a, b| {
        (&a.package.name, &a.package.version).cmp(&(&b.package.name, &b.package.version))
    });
    if cache.enabled() {
        head.keep_unused(&cache);
        let _ = cache.save();
    }
    lap("cache saved");
    let unused_waivers = plan.policy.unused_waivers().into_iter().cloned().collect();
    let package_dirs = resolved
        .subjects
        .iter()
        .map(|s| (s.id.clone(), s.dir.clone()))
        .collect();
    let policy_digest = {
        let json = serde_json::to_vec(&(&plan.policy, &plan.config)).unwrap_or_default();
        format!("sha256:{}", hex::encode(Sha256::digest(json)))
    };
    let outcome = Outcome {
        workspace_root: resolved.root.clone(),
        package_dirs,
        member_manifests: resolved.member_manifests.clone(),
        policy_digest,
        packages_screened: resolved.subjects.len(),
        lists: plan.lists,
        policy: plan.policy,
        config_origin: plan.config.origin,
        findings,
        not_scanned,
        binaries,
        unused_waivers,
        scan: totals,
        explained,
        elapsed: started.elapsed(),
        verbosity: plan.verbosity,
    };
    if plan_exit_after {
        std::mem::forget(resolved);
        std::mem::forget(metadata);
    }
    Ok(outcome)
}

/// The resolved build: from the graph cache (with each subject's manifest evidence), or a
/// package graph to resolve it from.
enum Loaded {
    Cached(graph::Resolved, Vec<Vec<Evidence>>),
    Graph(Box<guppy::graph::PackageGraph>),
}

/// What the deep scan of one package needs.
struct Deep<'a> {
    scanner: &'a Scanner,
    cache: &'a Cache,
    head: &'a HeadStart,
    target_dir: &'a Utf8Path,
    prune: &'a [Utf8PathBuf],
}

/// What the head start left: the cache it opened (keyed with the checksums of the guessed
/// lockfile) and the packages it scanned.
struct Early {
    cache: Cache,
    head: HeadStart,
}

/// Where the scan cache of a target directory lives (none: caching off).
fn scan_cache_path(target_dir: &Utf8Path, plan: &CheckPlan) -> Option<Utf8PathBuf> {
    plan.deep
        .cache
        .then(|| target_dir.join("entitycheck").join("scan-cache.json"))
}

/// What a resolved build depends on besides `cargo metadata`'s output: the graph options, the
/// cargo home (it tells registry from vendored sources) and the tool itself (`salt`).
fn graph_cache_key(plan: &CheckPlan, salt: &str) -> String {
    let options = graph::GraphOptions {
        metadata_path: None,
        ..plan.graph.clone()
    };
    format!("{options:?}\n{:?}\n{salt}", graph::cargo_home())
}

/// Where the lockfile and the target directory probably are, before `cargo metadata` says.
struct Guess {
    lockfile: Option<Utf8PathBuf>,
    target_dir: Option<Utf8PathBuf>,
}

impl Guess {
    fn of(plan: &CheckPlan) -> Guess {
        let lockfile = evidence::early::find_lockfile(plan.graph.manifest_path.as_deref());
        let target_dir = lockfile.as_deref().and_then(|l| early_target_dir(plan, l));
        Guess {
            lockfile,
            target_dir,
        }
    }
}

/// Where the target directory probably is: `CARGO_TARGET_DIR`, or `target` beside the lockfile.
fn early_target_dir(plan: &CheckPlan, lockfile: &Utf8Path) -> Option<Utf8PathBuf> {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => {
            let t = Utf8PathBuf::from_path_buf(t.into()).ok()?;
            if t.is_relative() {
                // cargo metadata runs in the manifest's directory (see `graph::metadata_json`).
                let base = match &plan.graph.manifest_path {
                    Some(m) => m.canonicalize_utf8().ok()?.parent()?.to_path_buf(),
                    None => Utf8PathBuf::from_path_buf(std::env::current_dir().ok()?).ok()?,
                };
                base.join(t)
            } else {
                t
            }
        }
        None => lockfile.parent()?.join("target"),
    };
    Some(target)
}

fn head_start(
    scanner: &Scanner,
    matcher: &Matcher,
    plan: &CheckPlan,
    salt: &str,
    guess: &Guess,
    cancel: &AtomicBool,
) -> Early {
    let entries = guess
        .lockfile
        .as_deref()
        .and_then(evidence::early::read_lockfile)
        .unwrap_or_default();
    let path = guess
        .target_dir
        .as_deref()
        .and_then(|t| scan_cache_path(t, plan));
    let cache = Cache::open(path, salt).with_checksums(evidence::early::checksums(&entries));
    let locked = graph::cargo_home()
        .and_then(|home| evidence::early::locked_registry_packages(&entries, &home));
    let head = match locked {
        Some(locked) => evidence::early::scan(locked, scanner, matcher, &cache, cancel),
        None => HeadStart::default(),
    };
    Early { cache, head }
}

/// The scan cache at `path`, keyed with the checksums of `lockfile`.
fn open_cache(path: Option<Utf8PathBuf>, salt: &str, lockfile: &Utf8Path) -> Cache {
    let checksums = match path {
        Some(_) => evidence::early::read_lockfile(lockfile)
            .map(|entries| evidence::early::checksums(&entries))
            .unwrap_or_default(),
        None => Default::default(),
    };
    Cache::open(path, salt).with_checksums(checksums)
}

/// A screened package's manifest evidence, matched and looked up in the scan cache (beside
/// feature resolution), or not yet (taken from the graph cache).
enum Pending {
    Ready(Prepared),
    Manifest(Vec<Evidence>),
}

impl Pending {
    fn manifest(&self) -> &[Evidence] {
        match self {
            Pending::Ready(p) => &p.evidence,
            Pending::Manifest(m) => m,
        }
    }
}

/// What is known of a package before the build is resolved.
struct Prepared {
    /// Its manifest evidence, and what of it matched.
    evidence: Vec<Evidence>,
    matches: Vec<Match>,
    /// Its scan-cache key, and its cached scan when there is one.
    key: Option<String>,
    hit: Option<PackageScan>,
}

/// [`prepare`]s every package of the graph, screened or not, in parallel.
fn prepare_all<'g>(
    graph: &'g guppy::graph::PackageGraph,
    matcher: &Matcher,
    cache: Option<&Cache>,
) -> HashMap<&'g guppy::PackageId, Prepared> {
    let cargo_home = graph::cargo_home();
    let packages: Vec<_> = graph.packages().collect();
    packages
        .into_par_iter()
        .map(|meta| {
            let (source, dir) = graph::place(&meta, cargo_home.as_deref());
            let version = meta.version().to_string();
            let key = cache.and_then(|c| c.key(meta.name(), &version, &source, &dir));
            let evidence = evidence::manifest::collect(&meta);
            (meta.id(), prepare(evidence, key, matcher, cache))
        })
        .collect()
}

/// Matches `evidence` and looks the package's scan-cache `key` up.
fn prepare(
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

/// Deep-scans one package (or takes its scan from the cache or the head start), matches its
/// evidence and decides each match. `explain`: the paths to list when it is being explained.
fn screen_package(
    pkg: &graph::Subject,
    prep: Prepared,
    plan: &CheckPlan,
    matcher: &Matcher,
    deep: Option<Deep<'_>>,
    explain: Option<(Vec<Vec<PathStep>>, bool)>,
) -> PackageResult {
    let Prepared {
        mut evidence,
        mut matches,
        key,
        hit,
    } = prep;
    let mut cached = false;
    let scan = deep.map(|deep| {
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
            .unwrap_or_else(|| deep.scanner.scan_files(&pkg.dir, deep.prune));
        deep.scanner
            .add_build_script(&mut scan, &pkg.dir, pkg.build_script.as_deref());
        // Notice lines are collected generously (a disguised name only shows once normalised);
        // keep those that match an identifier, so the cache and `explain` stay small.
        scan.evidence.retain(|e| {
            let found = matcher.match_evidence(e);
            let keep = !found.is_empty();
            matches.extend(found);
            keep
        });
        if let Some(k) = key {
            deep.cache.put(k, &scan);
        }
        scan
    });
    if let Some(scan) = &scan {
        evidence.extend(scan.evidence.iter().cloned());
    }
    let package = PackageRef {
        name: pkg.name.clone(),
        version: pkg.version.clone(),
        id: pkg.id.clone(),
        kind: pkg.kind,
        source: pkg.source.clone(),
    };
    let mut findings: Vec<Finding> = policy::decide_package(
        &plan.policy,
        &plan.lists,
        package.clone(),
        pkg.path.clone(),
        matches,
    );
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
        explained,
    }
}

/// What makes cached scans comparable: the prefilter words and every limit.
fn scan_salt(matcher: &Matcher, plan: &CheckPlan) -> String {
    let mut h = Sha256::new();
    // Cached evidence is what matched these lists: another list (or version) rescans.
    for l in &plan.lists {
        h.update(l.list.digest.as_bytes());
    }
    for n in matcher.needles() {
        h.update(n.as_bytes());
        h.update([0]);
    }
    h.update(format!("{:?}", plan.deep.options).as_bytes());
    // The scanner itself: a rebuilt binary (a development build, a patched release) rescans.
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        h.update(meta.len().to_le_bytes());
        if let Ok(t) = meta
            .modified()
            .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
        {
            h.update(t.as_nanos().to_le_bytes());
        }
    }
    hex::encode(h.finalize())
}

/// Writes a file so that a crash never leaves half of it: a temporary file beside it, renamed over.
pub fn write_atomically(path: &camino::Utf8Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp{}",
        path.file_name().unwrap_or("out"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
