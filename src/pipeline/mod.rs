//! The pipeline: a validated [`Request`] → an [`Outcome`], as load → screen → collect.
//!
//! - **load** (`warm.rs`): `cargo metadata` and the package graph, or the build as resolved last
//!   time (graph cache); meanwhile the head start scans the registry packages the lockfile pins.
//! - **screen** (`package.rs`): every screened package, in parallel, from evidence to findings.
//! - **collect**: findings, unscanned packages and binaries gathered, sorted and totalled.
//!
//! Progress and timings go to an [`Observer`]; the pipeline itself prints nothing.

pub mod artefacts;
mod locate;
mod package;
mod warm;

use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::Request;
use crate::error::InputError;
use crate::evidence::deep::Skipped;
use crate::graph::SourceKind;
use crate::matching::Matcher;
use crate::outcome::{
    DeepScope, Explained, FeatureScope, IgnoredUnscanned, Inventoried, InventoriedBinary,
    NotScanned, Outcome, ScanTotals, Scope, Unscanned,
};
use package::{Deep, PackageResult};

/// Receives what happens while a check runs. Every method defaults to nothing.
pub trait Observer: Sync {
    /// Screening of `packages` packages begins (`deep`: their files are read).
    fn screening(&self, _packages: u64, _deep: bool) {}
    /// One package is done.
    fn screened(&self, _package: &str) {}
    /// Every package is done.
    fn screened_all(&self) {}
    /// A stage ended, `at` after the start.
    fn lap(&self, _what: &str, _at: Duration) {}
    /// Something worth telling the user that is not a finding (an old owners cache, an
    /// ambiguous build directory).
    fn note(&self, _note: &str) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

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
pub fn check(request: Request, observer: &dyn Observer) -> Result<Outcome, InputError> {
    run(request, None, observer)
}

/// Runs the pipeline and keeps everything about the packages `spec` names.
pub fn explain(
    request: Request,
    spec: &ExplainSpec,
    observer: &dyn Observer,
) -> Result<Outcome, InputError> {
    let outcome = run(request, Some(spec), observer)?;
    if outcome.explained.is_empty() {
        let known = outcome.package_names.contains(&spec.name);
        let hint = if known {
            // The name is there, the version is not.
            format!(" (`{}` is, at another version)", spec.name)
        } else {
            crate::diag::did_you_mean(&spec.name, outcome.package_names.iter().map(String::as_str))
                .map(|g| format!(": did you mean `{g}`?"))
                .unwrap_or_default()
        };
        return Err(InputError::Usage(format!(
            "no package `{}{}` in the screened dependency graph{hint}",
            spec.name,
            spec.version
                .as_deref()
                .map(|v| format!("@{v}"))
                .unwrap_or_default()
        )));
    }
    Ok(outcome)
}

fn run(
    req: Request,
    spec: Option<&ExplainSpec>,
    observer: &dyn Observer,
) -> Result<Outcome, InputError> {
    let started = Instant::now();
    let lap = |what: &str| observer.lap(what, started.elapsed());
    lap("start (configuration and entity lists read)");
    let matcher = Matcher::new(&req.lists);
    lap("entity lists compiled");
    let scanner = req
        .deep
        .enabled
        .then(|| matcher.scanner(req.deep.options.clone()));

    // load
    let loaded = warm::load(&req, spec, &matcher, scanner.as_ref(), &lap)?;

    // screen
    let warm::Loaded {
        resolved,
        pending,
        explain_paths,
        cache,
        head,
        ahead,
        notes,
    } = loaded;
    for n in &notes {
        observer.note(n);
    }
    let target_dir = resolved.target_dir.clone();
    // `--index`: a signed sweep index, verified against this run's lists and recogniser.
    let (index_use, trusted) = open_index(&req, &resolved.root, scanner.is_some(), observer);
    let hits = trusted.as_ref().map(|(t, checksums)| package::IndexHits {
        trusted: t,
        checksums: checksums.clone(),
    });
    // Never entered by a package's scan: the target directory, and every screened package's
    // own directory (a package nested in another is screened as itself, not twice). The
    // project names the target directory (`build.target-dir`), so it is passed over only when
    // it holds no package and no target's source (`target-dir = "src"` is scanned as sources);
    // even then, what the sources name inside it is screened (`evidence::reach`).
    let target_is_output = target_dir_is_output(
        &target_dir,
        resolved
            .subjects
            .iter()
            .map(|s| (s.dir.as_path(), s.targets.clone())),
    );
    let prune: Vec<Utf8PathBuf> = target_is_output
        .then(|| target_dir.clone())
        .into_iter()
        .chain(resolved.subjects.iter().map(|s| s.dir.clone()))
        .collect();
    // Evidence beyond the packages' files (registry owners, build outputs): one pass before
    // the parallel screening, since the owners lookup is rate-limited.
    let extra = if req.beyond.any() {
        let extra = crate::beyond::collect(
            &resolved.subjects,
            &target_dir,
            &req.beyond,
            req.deep
                .cache_dir
                .as_deref()
                .filter(|d| !crate::cache::dir::inside(d, &resolved.root)),
            scanner.as_ref(),
            &matcher,
            &req.deep.options,
            &req.limits,
        )?;
        for n in &extra.notes {
            observer.note(n);
        }
        lap("registry owners and build outputs");
        extra
    } else {
        crate::beyond::Extra {
            evidence: vec![Vec::new(); resolved.subjects.len()],
            ..Default::default()
        }
    };
    let crate::beyond::Extra {
        evidence: mut extra_evidence,
        unread: extra_unread,
        ..
    } = extra;
    let mut root_scan = scanner
        .as_ref()
        .and_then(|scanner| workspace_root_scan(scanner, &resolved, &prune, &ahead, &matcher));
    if let Some((i, scan)) = &mut root_scan {
        extra_evidence[*i].append(&mut scan.evidence);
        lap("virtual workspace root");
    }
    // What a bill of materials says of each package: its manifest's evidence and its owners.
    let manifests: Vec<Vec<crate::evidence::Evidence>> =
        pending.iter().map(|p| p.manifest().to_vec()).collect();
    let owners: Vec<Vec<crate::evidence::Evidence>> = extra_evidence
        .iter()
        .map(|v| {
            v.iter()
                .filter(|e| e.field.registry().is_some())
                .cloned()
                .collect()
        })
        .collect();
    // What the workspace's own build and packaging files name among its packages' test data:
    // read once, by the first package that left an archive packed.
    let workspace_files = package::WorkspaceFiles::new(
        &resolved.root,
        resolved
            .subjects
            .iter()
            .filter(|s| {
                matches!(
                    s.source,
                    crate::graph::SourceKind::Workspace | crate::graph::SourceKind::Path
                )
            })
            .map(|s| s.dir.clone())
            // Every member, screened or not (`-p`): the workspace's own files.
            .chain(resolved.member_dirs())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        &prune,
    );
    observer.screening(resolved.subjects.len() as u64, scanner.is_some());
    let results: Vec<PackageResult> = resolved
        .subjects
        .par_iter()
        .zip(pending)
        .zip(explain_paths)
        .zip(extra_evidence)
        .map(|(((subject, pending), explain), extra)| {
            let deep = scanner.as_ref().map(|scanner| Deep {
                scanner,
                cache: &cache,
                head: &head,
                ahead: &ahead,
                target_dir: &target_dir,
                prune: &prune,
                index: hits.as_ref(),
                workspace_files: &workspace_files,
            });
            let r = package::screen(subject, pending, &req, &matcher, deep, explain, extra);
            observer.screened(&subject.name);
            r
        })
        .collect();
    observer.screened_all();
    lap("evidence, matching and policy");

    // collect
    let mut findings = Vec::new();
    let mut not_scanned = Vec::new();
    let mut ignored_unscanned = Vec::new();
    let mut binaries = Vec::new();
    let mut explained: Vec<Explained> = Vec::new();
    let mut totals = ScanTotals {
        deep: scanner.is_some(),
        ..Default::default()
    };
    let mut indexed = 0;
    for (i, (subject, mut r)) in resolved.subjects.iter().zip(results).enumerate() {
        // The virtual root's files count in the member it is reported in.
        if let (Some(scan), Some((_, root))) =
            (r.scan.as_mut(), root_scan.take_if(|(at, _)| *at == i))
        {
            scan.files += root.files;
            scan.bytes += root.bytes;
            scan.binaries.extend(root.binaries);
            scan.skipped.extend(root.skipped);
        }
        findings.extend(r.findings);
        explained.extend(r.explained);
        if r.cached {
            totals.cached += 1;
        }
        if r.indexed {
            indexed += 1;
        }
        let Some(scan) = r.scan else { continue };
        totals.files += scan.files;
        totals.bytes += scan.bytes;
        binaries.extend(scan.binaries.into_iter().map(|item| InventoriedBinary {
            package: subject.name.clone(),
            version: subject.version.clone(),
            item,
        }));
        // What an `[[ignore]]` entry covers (test data that does not ship) is listed apart.
        let ignores: Vec<&crate::policy::ignore::Ignore> = req
            .config
            .ignores
            .iter()
            .filter(|i| i.in_force(req.policy.as_of))
            .collect();
        let covering = |file: &str| {
            let file = file.split_once('!').map_or(file, |(a, _)| a);
            ignores.iter().find(|i| i.covers(&subject.name, file))
        };
        let whole = ignores.iter().find(|i| i.covers_package(&subject.name));
        let (silenced, unread): (Vec<Skipped>, Vec<Skipped>) = scan
            .skipped
            .into_iter()
            .filter(|k| k.counts_as_unscanned())
            .partition(|k| whole.is_some() || covering(&k.file).is_some());
        let whole_reason = scan.not_scanned;
        let (whole_reason, whole_ignored) = match (whole_reason, whole) {
            (Some(why), Some(i)) => (None, Some((why, i.at.clone()))),
            (why, _) => (why, None),
        };
        if let Some((reason, at)) = whole_ignored {
            ignored_unscanned.push(IgnoredUnscanned {
                name: subject.name.clone(),
                version: subject.version.clone(),
                reason: Unscanned::Package(reason),
                at,
            });
        }
        if let Some(reason) = Unscanned::of(None, &silenced) {
            let at = whole
                .or_else(|| silenced.first().and_then(|k| covering(&k.file)))
                .map(|i| i.at.clone())
                .unwrap_or_default();
            ignored_unscanned.push(IgnoredUnscanned {
                name: subject.name.clone(),
                version: subject.version.clone(),
                reason,
                at,
            });
        }
        if let Some(reason) = Unscanned::of(whole_reason, &unread) {
            not_scanned.push(NotScanned {
                name: subject.name.clone(),
                version: subject.version.clone(),
                reason,
            });
        }
    }
    for (i, first) in extra_unread {
        let reason = Unscanned::BuildOutput(first);
        let s = &resolved.subjects[i];
        if let Some(entry) = req
            .config
            .ignores
            .iter()
            .find(|e| e.in_force(req.policy.as_of) && e.covers_package(&s.name))
        {
            ignored_unscanned.push(IgnoredUnscanned {
                name: s.name.clone(),
                version: s.version.clone(),
                reason,
                at: entry.at.clone(),
            });
            continue;
        }
        not_scanned.push(NotScanned {
            name: s.name.clone(),
            version: s.version.clone(),
            reason,
        });
    }
    totals.index = index_use.map(|mut u| {
        u.packages = indexed;
        u
    });
    findings.sort();
    findings.dedup();
    not_scanned.sort();
    ignored_unscanned.sort();
    binaries.sort();
    explained.sort_by(|a, b| {
        (&a.package.name, &a.package.version).cmp(&(&b.package.name, &b.package.version))
    });
    warm::save(cache, head);
    lap("cache saved");

    let policy_digest = {
        let json = serde_json::to_vec(&(&req.policy, &req.config.content())).unwrap_or_default();
        format!("sha256:{}", hex::encode(Sha256::digest(json)))
    };
    let package_dirs = resolved
        .subjects
        .iter()
        .map(|s| (s.id.clone(), s.dir.clone()))
        .collect();
    let source_root = locate::source_root(&resolved.root, req.sarif_base.as_deref())?;
    let locator = locate::Locator::new(&resolved.root, &source_root, &package_dirs, &req.limits);
    let workspace_rel = locator.workspace_rel().to_string();
    let locations = findings.iter().map(|f| locator.finding(f)).collect();
    let unscanned_locations = not_scanned
        .iter()
        .map(|n| locator.lock_entry(&n.name, &n.version))
        .collect();
    drop(locator);
    let checksums = lock_checksums(&resolved.root, &req.limits);
    let inventory = resolved
        .subjects
        .iter()
        .zip(manifests)
        .zip(owners)
        .map(|((s, mut evidence), owners)| {
            evidence.extend(owners);
            Inventoried {
                package: crate::policy::PackageRef {
                    name: s.name.clone(),
                    version: s.version.clone(),
                    id: s.id.clone(),
                    kind: s.kind,
                    source: s.source.clone(),
                },
                evidence,
                checksum: checksums.get(&(s.name.clone(), s.version.clone())).cloned(),
            }
        })
        .collect();
    let edges = resolved.edges.clone();
    let scope = scope_of(&req, &resolved.subjects);
    let path_sources = resolved
        .subjects
        .iter()
        .filter(|s| matches!(s.source, SourceKind::Workspace | SourceKind::Path))
        .map(|s| s.dir.clone())
        .collect();
    let mut package_names: Vec<String> = resolved.subjects.iter().map(|s| s.name.clone()).collect();
    package_names.sort();
    package_names.dedup();
    let outcome = Outcome {
        inventory,
        edges,
        package_names,
        ignored_unscanned,
        scope,
        path_sources,
        target_dir: Some(resolved.target_dir.clone()),
        workspace_root: resolved.root.clone(),
        source_root,
        workspace_rel,
        package_dirs,
        locations,
        unscanned_locations,
        member_manifests: resolved.member_manifests.clone(),
        policy_digest,
        ignores: req.config.ignores.clone(),
        packages_screened: resolved.subjects.len(),
        lists: req.lists,
        policy: req.policy,
        config_origin: req.config.origin,
        findings,
        not_scanned,
        binaries,
        scan: totals,
        explained,
        elapsed: started.elapsed(),
    };
    drop_later(resolved);
    Ok(outcome)
}

/// Verifies `--index` for this run: what to report about it, and (when it holds) the index
/// with the checksums the lockfile at `root` records. A refusal is a note, never an error: the
/// check then scans every package itself.
#[allow(clippy::type_complexity)]
fn open_index(
    req: &Request,
    root: &camino::Utf8Path,
    deep: bool,
    observer: &dyn Observer,
) -> (
    Option<crate::sweep::index::IndexUse>,
    Option<(
        crate::sweep::index::Trusted,
        std::collections::HashMap<String, String>,
    )>,
) {
    use crate::sweep::index::{IndexUse, Trusted};
    let Some(spec) = &req.index else {
        return (None, None);
    };
    let mut report = IndexUse {
        file: spec.path.to_string(),
        ..Default::default()
    };
    let locked = crate::cache::early::read_lockfile(&root.join("Cargo.lock")).unwrap_or_default();
    let checksums = crate::cache::early::checksums(&locked);
    // Only the records of the packages the lockfile pins are read in full.
    let wanted: std::collections::HashSet<(String, String, String)> = locked
        .into_iter()
        .filter_map(|e| Some((e.name, e.version, e.checksum?.to_ascii_lowercase())))
        .collect();
    let loaded = if deep {
        Trusted::load_for(
            &spec.path,
            &spec.key,
            &req.lists,
            &req.deep.options,
            Some(&wanted),
        )
        .map_err(|e| e.to_string())
    } else {
        Err("the deep scan is off (--no-deep): there is nothing to take from it".to_string())
    };
    match loaded {
        Ok(t) => {
            report.used = true;
            (Some(report), Some((t, checksums)))
        }
        Err(why) => {
            observer.note(&format!("sweep index {} not used: {why}", spec.path));
            report.refused = Some(why);
            (Some(report), None)
        }
    }
}

/// The `.crate` checksums `Cargo.lock` records, by (name, version); empty when there is no
/// readable lockfile (saved metadata).
fn lock_checksums(
    root: &camino::Utf8Path,
    limits: &crate::fsio::Limits,
) -> std::collections::HashMap<(String, String), String> {
    let mut out = std::collections::HashMap::new();
    let Ok(text) = crate::fsio::read_text(
        root.join("Cargo.lock"),
        crate::fsio::ReadKind::Manifest,
        false,
        limits,
    ) else {
        return out;
    };
    let Ok(lock) = text.parse::<toml::Table>() else {
        return out;
    };
    for p in lock
        .get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = |k: &str| p.get(k).and_then(toml::Value::as_str).map(str::to_string);
        if let (Some(n), Some(v), Some(c)) = (field("name"), field("version"), field("checksum")) {
            out.insert((n, v), c);
        }
    }
    out
}

/// What a request screens, and which packages it screened.
fn scope_of(req: &Request, subjects: &[crate::graph::Subject]) -> Scope {
    let mut lines: Vec<String> = subjects
        .iter()
        .map(|s| {
            let source = match &s.source {
                SourceKind::Workspace => "workspace",
                SourceKind::Path => "path",
                SourceKind::Registry { url }
                | SourceKind::Git { url }
                | SourceKind::Vendored { url } => url.as_str(),
            };
            format!("{} {} {source}\n", s.name, s.version)
        })
        .collect();
    lines.sort();
    Scope {
        packages_screened: subjects.len(),
        packages_digest: format!("sha256:{}", hex::encode(Sha256::digest(lines.concat()))),
        ..requested_scope(req)
    }
}

/// What a request asks to screen (no package screened yet).
pub fn requested_scope(req: &Request) -> Scope {
    let builtin = format!(
        "sha256:{}",
        hex::encode(Sha256::digest(crate::entity::BUILTIN_TOML.as_bytes()))
    );
    let g = &req.graph;
    Scope {
        deep: DeepScope::of(req.deep.enabled, &req.deep.options),
        targets: g.targets.clone(),
        features: FeatureScope {
            features: g.features.features.clone(),
            all_features: g.features.all_features,
            no_default_features: g.features.no_default_features,
        },
        packages: g.packages.clone(),
        exclude: g.exclude.clone(),
        builtin_list: req.lists.iter().any(|l| l.list.digest == builtin),
        registry_owners: req.beyond.owners.is_some(),
        build_outputs: req.beyond.build_outputs.is_some(),
        packages_screened: 0,
        packages_digest: String::new(),
    }
}

/// Makes a request screen exactly `scope` (deep scan and its limits, platforms, features,
/// members): `verify` re-screens with what the certificate covered.
pub fn apply_scope(req: &mut Request, scope: &Scope) {
    let d = &scope.deep;
    req.deep.enabled = d.enabled;
    let o = &mut req.deep.options;
    o.max_file_bytes = d.max_file_size;
    o.max_hits_per_file = d.max_hits_per_file;
    o.archive.max_depth = d.archive_max_depth;
    o.archive.max_total_bytes = d.archive_max_total_size;
    o.archive.max_entries = d.archive_max_entries;
    o.archive.max_entry_bytes = d.archive_max_entry_size;
    o.unpack_test_data = d.unpack_test_data;
    let g = &mut req.graph;
    g.targets = scope.targets.clone();
    g.features.features = scope.features.features.clone();
    g.features.all_features = scope.features.all_features;
    g.features.no_default_features = scope.features.no_default_features;
    g.packages = scope.packages.clone();
    g.exclude = scope.exclude.clone();
}

/// Whether the target directory holds build output only, so that the scan may pass over it:
/// it holds no package (given as its directory and its targets' root sources) and no target's
/// source. The project names the directory (`build.target-dir = "src"`), so this is decided
/// from where the sources are, never from the name.
pub(crate) fn target_dir_is_output<'p>(
    target_dir: &Utf8Path,
    packages: impl IntoIterator<Item = (&'p Utf8Path, Vec<Utf8PathBuf>)>,
) -> bool {
    !packages.into_iter().any(|(dir, targets)| {
        dir.starts_with(target_dir) || targets.iter().any(|t| t.starts_with(target_dir))
    })
}

/// Frees a large structure on another thread: a process that exits right after the report does
/// not wait for it, and a long-lived caller still gets the memory back.
fn drop_later<T: Send + 'static>(t: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(t));
}

/// The files of a virtual workspace's root, which is no package yet holds the project's own:
/// the `.cargo/config.toml` every member's build reads, the CI workflows and release scripts
/// that build and ship the members, a vendored directory outside them. Screened once, every
/// member's and screened package's directory and the target directory passed over (as in a
/// package's scan), and reported in the first member by name, at paths relative to its directory
/// (`../../.cargo/config.toml`): the index of that member and the scan, its evidence those that
/// match. `None` when the root is a package (its scan reads them) or nothing is a member.
fn workspace_root_scan(
    scanner: &crate::evidence::deep::Scanner,
    resolved: &crate::graph::Resolved,
    prune: &[Utf8PathBuf],
    ahead: &package::Ahead,
    matcher: &Matcher,
) -> Option<(usize, crate::evidence::scan::PackageScan)> {
    let root = &resolved.root;
    if resolved.subjects.iter().any(|s| &s.dir == root) {
        return None;
    }
    let (i, member) = resolved
        .subjects
        .iter()
        .enumerate()
        .find(|(_, s)| s.kind == crate::graph::DepKind::Member)?;
    // Every member's directory too, screened or not.
    let prune: Vec<Utf8PathBuf> = prune
        .iter()
        .cloned()
        .chain(resolved.member_dirs())
        .collect();
    let mut scan = ahead
        .take(root, &prune)
        .unwrap_or_else(|| scanner.scan_files(root, &prune));
    if scan.not_scanned.is_some() {
        return None;
    }
    package::keep_matching(scanner, &mut scan, matcher);
    let up = member
        .dir
        .strip_prefix(root)
        .ok()
        .map(|rel| "../".repeat(rel.components().count()));
    let place = |file: &mut String| {
        *file = match &up {
            Some(up) => format!("{up}{file}"),
            None => format!("{root}/{file}"),
        };
    };
    for e in &mut scan.evidence {
        if let Some(l) = e.location.as_mut() {
            place(&mut l.file);
        }
    }
    for k in &mut scan.skipped {
        place(&mut k.file);
    }
    for b in &mut scan.binaries {
        place(&mut b.file);
    }
    Some((i, scan))
}
