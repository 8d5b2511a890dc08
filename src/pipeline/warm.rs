//! Pipeline, warm start: everything that lets a run reuse work — the graph cache (the build as
//! resolved last time), the scan cache, the guess of the lockfile made before `cargo metadata`
//! answers, and the head start that scans locked registry packages while it runs. A wrong
//! guess costs only idle time; a cache never decides a verdict.
//!
//! Every cache lives in the per-user cache directory ([`crate::cache::dir`]), never in the
//! project or its target directory, and every cached result is bound to the content it
//! describes (see `cache::scan`, `cache::graph`): one that does not match is recomputed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use camino::{Utf8Path, Utf8PathBuf};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::package::{Ahead, Pending, Prepared, keep_matching, prepare};
use super::{ExplainSpec, MAX_EXPLAIN_PATHS};
use crate::cache::early::HeadStart;
use crate::cache::scan::Cache;
use crate::config::Request;
use crate::error::InputError;
use crate::evidence::deep::{Scanner, pruned_below};
use crate::evidence::{self, Evidence};
use crate::graph::{self, PathStep};
use crate::matching::Matcher;

/// What loading leaves for screening: the resolved build, each screened package's manifest
/// evidence (prepared or not), the paths `explain` lists, and the caches.
pub(super) struct Loaded {
    pub resolved: graph::Resolved,
    pub pending: Vec<Pending>,
    pub explain_paths: Vec<Option<(Vec<Vec<PathStep>>, bool)>>,
    pub cache: Cache,
    pub head: HeadStart,
    pub ahead: Ahead,
    /// What the user should hear about (a lockfile cargo rewrote).
    pub notes: Vec<String>,
}

/// Loads the build: `cargo metadata` and the package graph, or the graph cache; the head start
/// scans beside it.
pub(super) fn load(
    req: &Request,
    spec: Option<&ExplainSpec>,
    matcher: &Matcher,
    scanner: Option<&Scanner>,
    lap: &dyn Fn(&str),
) -> Result<Loaded, InputError> {
    let salt = scan_salt(matcher, req);
    let guess = Guess::of(req);
    let mut notes = Vec::new();
    // The cache directory, unless it lies inside the workspace (the project's to write).
    let early_root = guess.lockfile.as_deref().and_then(Utf8Path::parent);
    let early_cache_dir = cache_dir_for(req, early_root, &mut notes);
    // A warm run whose `cargo metadata` prints the same bytes skips resolving the build again
    // (see `cache::graph`); not for `explain`, which walks the graph, nor for saved metadata.
    let graph_key =
        (early_cache_dir.is_some() && spec.is_none() && req.graph.metadata_path.is_none())
            .then(|| graph_cache_key(req, &salt));
    // While `cargo metadata` runs, the registry packages the lockfile pins are scanned on the
    // other cores (see `evidence::early`), and the graph cache is read; a wrong guess costs only
    // that idle time.
    let cancel = AtomicBool::new(false);
    // The graph outlives the scope the head start runs in: the build resolved from it borrows it.
    let graph_slot = std::cell::OnceCell::new();
    // Whether the workspace's own packages are scanned while the build is resolved: when no
    // earlier scan can answer for them (no scan cache, or none yet), so the work is never lost.
    let ahead_wanted = scanner.is_some()
        && early_cache_dir.is_none_or(|dir| !crate::cache::scan::path(dir).exists());
    let (loaded, early) = std::thread::scope(|s| {
        let early = scanner
            .filter(|_| req.graph.metadata_path.is_none())
            .map(|scanner| {
                s.spawn(|| head_start(scanner, matcher, &salt, &guess, early_cache_dir, &cancel))
            });
        let stored = graph_key
            .as_ref()
            .and(early_cache_dir.zip(early_root))
            .map(|(dir, root)| {
                let path = crate::cache::graph::path(dir, root);
                s.spawn(move || crate::cache::graph::read::<Vec<Vec<Evidence>>>(&path))
            });
        // The graph is built while the head start may still be scanning.
        let loaded = (|| {
            let plan = match req.graph.metadata_path {
                Some(_) => None,
                None => Some(graph::MetadataPlan::new(&req.graph, &req.limits)?),
            };
            let mut stored = stored.and_then(|h| h.join().ok()).flatten();
            // Every input of the last run's `cargo metadata` as it was: its answer, and the
            // build resolved from it, without asking cargo again (see `graph::inputs`).
            if let (Some(st), Some(key), Some(plan)) = (stored.take(), graph_key.as_deref(), &plan)
            {
                match st.take_unchanged(key, |inputs| inputs.unchanged(plan)) {
                    Ok((metadata, resolved, manifests))
                        if resolved.subjects.len() == manifests.len() =>
                    {
                        return Ok((metadata, Build::Unchanged(resolved, manifests), None, None));
                    }
                    Ok(_) => {}
                    Err(st) => stored = Some(*st),
                }
            }
            let (metadata, origin, note) = match &plan {
                Some(plan) => plan.run()?,
                None => graph::metadata_json(&req.graph, &req.limits)?,
            };
            if let Some(n) = note {
                notes.push(n);
            }
            // Inputs recorded last time that differ now although cargo's answer may not: taken
            // again if it is the same answer.
            let stale = stored.as_ref().and_then(|s| s.inputs().cloned());
            let from_cache = stored
                .zip(graph_key.as_deref())
                .and_then(|(stored, key)| stored.take(&metadata, key))
                .filter(|(resolved, manifests)| resolved.subjects.len() == manifests.len());
            let loaded = match from_cache {
                Some((resolved, manifests)) => Build::Cached(resolved, manifests),
                None => {
                    let g = graph::from_json(&metadata, &origin)?;
                    if req.graph.metadata_path.is_some() {
                        graph::check_saved_roots(&g, &origin)?;
                    }
                    let g = graph_slot.get_or_init(|| g);
                    // Features and paths need only the graph: resolved on this thread while
                    // the workspace's packages are scanned on the others (and the head start
                    // finishes, yielding to both), instead of after, with a core idle.
                    let ahead = scanner
                        .filter(|_| ahead_wanted)
                        .map(|scanner| s.spawn(move || scan_ahead(g, scanner)));
                    let screened = graph::screen(g, &req.graph)?;
                    let ahead = ahead.and_then(|h| h.join().ok()).unwrap_or_default();
                    Build::Graph(g, Box::new(screened), ahead)
                }
            };
            let stale = stale.filter(|_| matches!(loaded, Build::Cached(..)));
            Ok((metadata, loaded, plan, stale))
        })();
        if loaded.is_err() {
            cancel.store(true, Ordering::Relaxed);
        }
        (loaded, early.and_then(|h| h.join().ok()))
    });
    let (metadata, loaded, plan, stale) = loaded?;
    lap(match loaded {
        Build::Unchanged(..) => {
            "metadata (the build as resolved last time: every input unchanged, cargo not asked)"
        }
        Build::Cached(..) => "metadata (the build as resolved last time: same metadata)",
        Build::Graph(..) => "metadata, package graph, features and paths",
    });
    if let Some(e) = &early {
        lap(&format!(
            "head start: {} registry packages scanned while cargo metadata ran",
            e.head.scanned
        ));
    }
    // The scan cache: the head start's if it guessed the lockfile.
    let mut late_notes = Vec::new();
    let mut open = |target_dir: &Utf8Path, root: &Utf8Path, early: Option<Early>, output: bool| {
        // No digest enters the directories the scan does not enter (else the root package
        // would never hit), and only those (else an edit there would go unseen).
        let prune: Vec<Utf8PathBuf> = output
            .then(|| target_dir.to_path_buf())
            .into_iter()
            .collect();
        let cache_dir = cache_dir_for(req, Some(root), &mut late_notes);
        let real_cache = cache_dir.map(crate::cache::scan::path);
        let lockfile = root.join("Cargo.lock");
        let guessed = guess.lockfile.as_ref() == Some(&lockfile);
        let (cache, head) = match early {
            Some(Early { cache, head }) if guessed && cache.is_at(real_cache.as_deref()) => {
                (cache.with_prune(prune), head)
            }
            Some(Early { head, .. }) => (open_cache(real_cache, &salt, &lockfile, prune), head),
            None => (
                open_cache(real_cache, &salt, &lockfile, prune),
                HeadStart::default(),
            ),
        };
        (cache, head, cache_dir)
    };
    let (resolved, pending, explain_paths, cache, head, ahead) = match loaded {
        Build::Cached(resolved, manifests) | Build::Unchanged(resolved, manifests) => {
            let output = super::target_dir_is_output(
                &resolved.target_dir,
                resolved
                    .subjects
                    .iter()
                    .map(|s| (s.dir.as_path(), s.targets.clone())),
            );
            let (cache, head, cache_dir) =
                open(&resolved.target_dir, &resolved.root, early, output);
            if let (Some(old), Some(plan), Some(key), Some(dir)) =
                (stale, plan.as_ref(), graph_key.as_deref(), cache_dir)
            {
                // The caches are an optimisation: failing to write one never fails the check.
                let evidence: Vec<&[Evidence]> = manifests.iter().map(Vec::as_slice).collect();
                let inputs = old.refreshed(plan);
                let _ = crate::cache::graph::save(
                    dir,
                    &resolved.root,
                    &metadata,
                    key,
                    &resolved,
                    &evidence,
                    inputs.as_ref(),
                );
            }
            let explain_paths = vec![None; manifests.len()];
            let pending = manifests.into_iter().map(Pending::Manifest).collect();
            (
                resolved,
                pending,
                explain_paths,
                cache,
                head,
                Ahead::default(),
            )
        }
        Build::Graph(graph, screened, ahead) => {
            let target_dir = graph.workspace().target_directory();
            // Over every package of the graph, not only those screened: a stricter rule, so the
            // digests never pass over a directory the scan enters.
            let output = target_dir_is_output_for_all(graph);
            let (cache, head, cache_dir) =
                open(target_dir, graph.workspace().root(), early, output);
            // Manifest evidence and its matches, and cached scans, for every package.
            let mut all = prepare_all(graph, matcher, scanner.map(|_| &cache));
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
            if let Some((key, dir)) = graph_key.as_deref().zip(cache_dir) {
                // The caches are an optimisation: failing to write one never fails the check.
                let manifests: Vec<&[Evidence]> = pending.iter().map(Pending::manifest).collect();
                // What this answer depended on: every package whose content the lockfile does
                // not pin (members, path and vendored packages).
                let home = graph::cargo_home();
                let pinned = |p: &Utf8Path| {
                    home.as_deref().is_some_and(|h| {
                        p.starts_with(h.join("registry")) || p.starts_with(h.join("git"))
                    })
                };
                let inputs = plan.as_ref().and_then(|plan| {
                    graph::inputs::Inputs::record(
                        plan,
                        &resolved.root,
                        home.as_deref(),
                        graph
                            .packages()
                            .map(|p| p.manifest_path())
                            .filter(|m| !pinned(m)),
                    )
                });
                let _ = crate::cache::graph::save(
                    dir,
                    &resolved.root,
                    &metadata,
                    key,
                    &resolved,
                    &manifests,
                    inputs.as_ref(),
                );
            }
            drop(screened);
            lap("manifest evidence and cached scans");
            (resolved, pending, explain_paths, cache, head, ahead)
        }
    };
    super::drop_later(metadata);
    // Freeing a large graph takes time a process about to exit would give back anyway.
    if let Some(graph) = graph_slot.into_inner() {
        super::drop_later(graph);
    }
    for n in late_notes {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    Ok(Loaded {
        resolved,
        pending,
        explain_paths,
        cache,
        head,
        ahead,
        notes,
    })
}

/// Saves the scan cache (with the head start's scans of packages this build left out).
pub(super) fn save(cache: Cache, head: HeadStart) {
    if cache.enabled() {
        head.keep_unused(&cache);
        // The caches are an optimisation: failing to write one never fails the check.
        let _ = cache.save();
    }
}

/// The resolved build: from the graph cache (with each subject's manifest evidence), or a
/// package graph to resolve it from.
enum Build<'g> {
    Cached(graph::Resolved, Vec<Vec<Evidence>>),
    /// As `Cached`, with `cargo metadata` not run at all: every input it read was unchanged.
    Unchanged(graph::Resolved, Vec<Vec<Evidence>>),
    /// The graph `cargo metadata` answered, the build resolved from it, and the workspace's
    /// own packages scanned meanwhile.
    Graph(
        &'g guppy::graph::PackageGraph,
        Box<graph::Screened<'g>>,
        Ahead,
    ),
}

/// [`super::target_dir_is_output`] over every package of `graph`, screened or not.
fn target_dir_is_output_for_all(graph: &guppy::graph::PackageGraph) -> bool {
    super::target_dir_is_output(
        graph.workspace().target_directory(),
        graph.packages().map(|p| {
            (
                p.manifest_path().parent().unwrap_or(p.manifest_path()),
                p.build_targets().map(|t| t.path().to_path_buf()).collect(),
            )
        }),
    )
}

/// The workspace's packages scanned ahead (see [`Ahead`]).
fn scan_ahead(graph: &guppy::graph::PackageGraph, scanner: &Scanner) -> Ahead {
    let target_dir = graph.workspace().target_directory();
    let root = graph.workspace().root();
    let cargo_home = graph::cargo_home();
    let packages: Vec<(graph::SourceKind, Utf8PathBuf)> = graph
        .packages()
        .map(|p| graph::place(&p, cargo_home.as_deref()))
        .collect();
    // As strict as the screening's rule over the screened packages, or stricter.
    let prune: Vec<Utf8PathBuf> = target_dir_is_output_for_all(graph)
        .then(|| target_dir.to_path_buf())
        .into_iter()
        .chain(packages.iter().map(|(_, dir)| dir.clone()))
        .collect();
    let mut dirs: Vec<&Utf8Path> = packages
        .iter()
        .filter(|(source, _)| {
            matches!(
                source,
                graph::SourceKind::Workspace | graph::SourceKind::Path
            )
        })
        .map(|(_, dir)| dir.as_path())
        .chain(std::iter::once(root))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let scans = dirs
        .into_par_iter()
        .map(|dir| {
            let below = pruned_below(dir, &prune).map(str::to_string).collect();
            (dir.to_path_buf(), (below, scanner.scan_files(dir, &prune)))
        })
        .collect();
    Ahead::new(scans)
}

/// What the head start left: the cache it opened (keyed with the checksums of the guessed
/// lockfile) and the packages it scanned.
struct Early {
    cache: Cache,
    head: HeadStart,
}

/// The cache directory of a run on the workspace at `root` (none: caching off): the one the
/// request names, unless it lies inside the workspace, where the project could write it.
fn cache_dir_for<'r>(
    req: &'r Request,
    root: Option<&Utf8Path>,
    notes: &mut Vec<String>,
) -> Option<&'r Utf8Path> {
    let dir = req.deep.cache_dir.as_deref()?;
    if let Some(root) = root
        && crate::cache::dir::inside(dir, root)
    {
        let n = format!(
            "cache directory {dir} lies inside the workspace {root}: the project could write it, so nothing is cached (choose one outside with --cache-dir or CARGO_ENTITYCHECK_CACHE_DIR)"
        );
        if !notes.contains(&n) {
            notes.push(n);
        }
        return None;
    }
    Some(dir)
}

/// What a resolved build depends on besides `cargo metadata`'s output: the graph options, the
/// cargo home (it tells registry from vendored sources) and the tool itself (`salt`).
fn graph_cache_key(req: &Request, salt: &str) -> String {
    let options = graph::GraphOptions {
        metadata_path: None,
        ..req.graph.clone()
    };
    format!("{options:?}\n{:?}\n{salt}", graph::cargo_home())
}

/// Where the lockfile probably is, before `cargo metadata` says.
struct Guess {
    lockfile: Option<Utf8PathBuf>,
}

impl Guess {
    fn of(req: &Request) -> Guess {
        Guess {
            lockfile: crate::cache::early::find_lockfile(req.graph.manifest_path.as_deref()),
        }
    }
}

fn head_start(
    scanner: &Scanner,
    matcher: &Matcher,
    salt: &str,
    guess: &Guess,
    cache_dir: Option<&Utf8Path>,
    cancel: &AtomicBool,
) -> Early {
    let entries = guess
        .lockfile
        .as_deref()
        .and_then(crate::cache::early::read_lockfile)
        .unwrap_or_default();
    // The registry packages it scans hold no target directory (`HeadStart::take` checks), so
    // there is nothing to prune.
    let cache = Cache::open(cache_dir.map(crate::cache::scan::path), salt)
        .with_checksums(crate::cache::early::checksums(&entries));
    let locked = graph::cargo_home()
        .and_then(|home| crate::cache::early::locked_registry_packages(&entries, &home));
    let head = match locked {
        Some(locked) => {
            let keep = |scan: &mut _| {
                keep_matching(scanner, scan, matcher);
            };
            let scan = || crate::cache::early::scan(locked, scanner, &keep, &cache, cancel);
            match yielding_pool() {
                Some(pool) => pool.install(scan),
                None => scan(),
            }
        }
        None => HeadStart::default(),
    };
    Early { cache, head }
}

/// How far the head start's threads lower their priority (added to their nice value).
/// Enough for the scheduler to leave `cargo metadata` a core of its own: weight 1024 against
/// 423 for each scanning thread.
const HEAD_START_NICENESS: i32 = 4;

/// The threads the head start scans on: as many as the global pool's, each at a lower priority
/// (Linux, where a priority is a thread's; elsewhere `None`, and the head start runs on the
/// global pool). The head start is work done early, not the critical path: `cargo metadata`
/// is, and the graph, the workspace's own packages and the verdict wait for it. On two cores
/// the head start's two threads took a third of its core from it, so `cargo metadata` ran 0.6 s
/// instead of 0.4 on uv, and whichever finished first left a core idle. At a lower priority
/// cargo finishes first, and the head start has every core after it: a cold check of uv
/// 0.93x the wall time, the CPU unchanged. The threads end with the pool; the rest of the run
/// keeps its priority.
#[cfg(target_os = "linux")]
fn yielding_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .thread_name(|i| format!("head-start-{i}"))
        .start_handler(|_| {
            // `None`: the calling thread (a Linux thread has its own priority), lowered from
            // the one it inherited (a check run under `nice` stays below it). A refusal (a
            // sandbox) leaves it as it was: only slower, never wrong.
            use rustix::process::{getpriority_process, setpriority_process};
            if let Ok(now) = getpriority_process(None) {
                let _ = setpriority_process(None, (now + HEAD_START_NICENESS).min(19));
            }
        })
        .build()
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn yielding_pool() -> Option<rayon::ThreadPool> {
    None
}

/// The scan cache at `path`, keyed with the checksums of `lockfile`, no digest entering `prune`.
fn open_cache(
    path: Option<Utf8PathBuf>,
    salt: &str,
    lockfile: &Utf8Path,
    prune: Vec<Utf8PathBuf>,
) -> Cache {
    let checksums = match path {
        Some(_) => crate::cache::early::read_lockfile(lockfile)
            .map(|entries| crate::cache::early::checksums(&entries))
            .unwrap_or_default(),
        None => Default::default(),
    };
    Cache::open(path, salt)
        .with_prune(prune)
        .with_checksums(checksums)
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

/// What makes cached scans comparable: the prefilter words and every limit.
fn scan_salt(matcher: &Matcher, req: &Request) -> String {
    let mut h = Sha256::new();
    // Cached evidence is what matched these lists: another list (or version) rescans.
    for l in &req.lists {
        h.update(l.list.digest.as_bytes());
    }
    for n in matcher.needles() {
        h.update(n.as_bytes());
        h.update([0]);
    }
    for n in matcher.spelled_needles() {
        h.update(n.as_bytes());
        h.update([1]);
    }
    h.update(format!("{:?}", req.deep.options).as_bytes());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::scan::PackageScan;

    /// A scan made ahead answers only a scan of the same directory that passes over the same
    /// directories below it (whatever else its list holds), and only once.
    #[test]
    fn a_scan_made_ahead_is_taken_only_for_the_same_pruning() {
        let ahead = || {
            Ahead::new(HashMap::from([(
                Utf8PathBuf::from("/w/a"),
                (
                    std::collections::BTreeSet::from(["/w/a/b".to_string()]),
                    PackageScan::default(),
                ),
            )]))
        };
        let paths =
            |ps: &[&str]| -> Vec<Utf8PathBuf> { ps.iter().map(Utf8PathBuf::from).collect() };
        let same = ahead();
        let prune = paths(&["/w/c", "/w/a", "/w/ab", "/w/a/b", "/w/a/b"]);
        assert!(same.take(Utf8Path::new("/w/a"), &prune).is_some());
        assert!(
            same.take(Utf8Path::new("/w/a"), &prune).is_none(),
            "taken once"
        );
        for other in [
            &[][..],
            &["/w/a/c"],
            &["/w/a/b", "/w/a/b/c"],
            &["/w/a/b", "/w/a/target"],
        ] {
            assert!(
                ahead().take(Utf8Path::new("/w/a"), &paths(other)).is_none(),
                "{other:?}"
            );
        }
        assert!(ahead().take(Utf8Path::new("/w/x"), &prune).is_none());
    }

    /// The head start's threads run at the lower priority; the thread that started them (and
    /// the `cargo metadata` it spawns) keeps its own.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_head_start_yields_to_cargo() {
        use rustix::process::getpriority_process;
        let before = getpriority_process(None).unwrap();
        let pool = super::yielding_pool().expect("a pool");
        let inside = pool.install(|| {
            let (a, b) = rayon::join(
                || getpriority_process(None).unwrap(),
                || getpriority_process(None).unwrap(),
            );
            (a, b)
        });
        let want = (before + super::HEAD_START_NICENESS).min(19);
        assert_eq!(inside, (want, want));
        assert_eq!(getpriority_process(None).unwrap(), before);
    }
}
