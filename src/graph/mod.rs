//! Graph stage: `cargo metadata` (or saved metadata JSON) → guppy `PackageGraph` → the screened set.
//!
//! The screened set is every package the resolved build can include, resolved the way cargo
//! resolves it (features, target platforms, optional dependencies), computed twice: once without
//! dev-dependencies (what ships) and once with them (what the workspace's tests pull in), so the
//! policy can tell the two apart. Nothing is compiled and no build script runs. The later stages
//! get it as owned [`Resolved`] [`Subject`]s, which [`crate::cache::graph`] keeps for the next run.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use camino::{Utf8Path, Utf8PathBuf};
use guppy::graph::BuildTargetId;
use guppy::graph::cargo::{CargoOptions, CargoResolverVersion, CargoSet};
use guppy::graph::feature::{
    FeatureFilter, FeatureFilterFn, FeatureLabel, FeatureSet, StandardFeatures,
};
use guppy::graph::{
    DependencyDirection, PackageGraph, PackageLink, PackageMetadata, PackageSource,
};
use guppy::platform::{Platform, PlatformSpec, TargetFeatures};
use guppy::{CargoMetadata, MetadataCommand, PackageId};
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::fsio::Limits;

pub mod inputs;
pub mod toolchain;

/// Which features to enable on the selected workspace members (as cargo's flags do).
#[derive(Debug, Clone, Default)]
pub struct FeatureSelection {
    /// `--features`: `name` for the selected members, or `package/name`.
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
}

/// Where the graph comes from and how to resolve it.
#[derive(Debug, Clone, Default)]
pub struct GraphOptions {
    pub manifest_path: Option<Utf8PathBuf>,
    /// Saved `cargo metadata --format-version 1 --all-features` output, instead of running cargo.
    pub metadata_path: Option<Utf8PathBuf>,
    /// `-p`: screen only these members (default: the whole workspace): `name`, `name@version`
    /// or `name@1.2` (a partial version, as in cargo's package id specs).
    pub packages: Vec<String>,
    /// `--exclude`: screen every member but these (same spec syntax).
    pub exclude: Vec<String>,
    pub features: FeatureSelection,
    /// `--target` triples; empty = every platform, since a product ships to any of them.
    pub targets: Vec<String>,
    pub locked: bool,
    /// `locked` came from the `CI` environment variable, not from the command line (messages
    /// say so).
    pub locked_by_ci: bool,
    pub offline: bool,
    pub frozen: bool,
    /// Let `cargo metadata` use the network. Off by default: a check never touches the network
    /// unless asked to.
    pub allow_network: bool,
}

/// The directory cargo starts from for a manifest path: the manifest's directory, or the
/// current directory. Where the lockfile, the configuration and the target directory are
/// looked for; worked out here only.
pub fn start_dir(manifest_path: Option<&Utf8Path>) -> Option<Utf8PathBuf> {
    match manifest_path {
        Some(m) => Some(m.canonicalize_utf8().ok()?.parent()?.to_path_buf()),
        None => Utf8PathBuf::from_path_buf(std::env::current_dir().ok()?).ok(),
    }
}

/// `cargo metadata`'s JSON for `opts` (run once, never building anything), or the saved file
/// `--metadata-path` names; with where it came from, for messages.
///
/// The lockfile is never rewritten silently: the third value is a note naming each `Cargo.lock`
/// (of the project directory and its ancestors) whose bytes `cargo metadata` changed.
pub fn metadata_json(
    opts: &GraphOptions,
    limits: &Limits,
) -> Result<(String, String, Option<String>), InputError> {
    if let Some(path) = &opts.metadata_path {
        // Named by the user: a link is followed, but only a regular file within the bound is read.
        let json = crate::fsio::read_text(path, crate::fsio::ReadKind::Metadata, true, limits)
            .map_err(|e| InputError::read(path, e))?;
        return Ok((json, path.to_string(), None));
    }
    MetadataPlan::new(opts, limits)?.run()
}

/// How `cargo metadata` runs for a request: where, with which programs and arguments. Worked
/// out before it runs, so that what its answer depends on can be compared with the last run's
/// (see [`inputs`]).
pub struct MetadataPlan {
    /// Where cargo runs (the manifest's directory, or the current one).
    pub project_dir: std::path::PathBuf,
    /// The programs it runs.
    pub toolchain: toolchain::Toolchain,
    dir: Option<std::path::PathBuf>,
    args: Vec<std::ffi::OsString>,
    opts: GraphOptions,
    /// The bounds of the files read around the run (lockfiles, manifests, cargo's
    /// configuration).
    limits: Limits,
}

impl MetadataPlan {
    pub fn new(opts: &GraphOptions, limits: &Limits) -> Result<MetadataPlan, InputError> {
        let mut cmd = MetadataCommand::new();
        let mut dir = None;
        if let Some(m) = &opts.manifest_path {
            let m = &m.canonicalize_utf8().map_err(|e| InputError::Io {
                path: m.to_string(),
                source: e,
            })?;
            cmd.manifest_path(m);
            // Run where the project lives, so its own `.cargo/config.toml` (source replacement
            // for vendored sources, registries) applies as it does when the team builds it.
            dir = m
                .parent()
                .filter(|d| !d.as_str().is_empty())
                .map(|d| d.as_std_path().to_path_buf());
        }
        let mut extra = Vec::new();
        let offline = opts.offline || opts.frozen || !opts.allow_network;
        for (on, flag) in [
            (opts.locked, "--locked"),
            (offline, "--offline"),
            (opts.frozen, "--frozen"),
        ] {
            if on {
                extra.push(flag.to_string());
            }
        }
        cmd.other_options(extra);
        // The project's config could otherwise name the rustc (or a wrapper) cargo runs:
        // pinned, see `toolchain`.
        let project_dir = match &dir {
            Some(d) => d.clone(),
            None => std::env::current_dir().map_err(|e| InputError::Io {
                path: ".".into(),
                source: e,
            })?,
        };
        let toolchain = toolchain::resolve(&project_dir)?;
        let args: Vec<std::ffi::OsString> = cmd
            .cargo_command()
            .get_args()
            .map(|a| a.to_os_string())
            .collect();
        Ok(MetadataPlan {
            project_dir,
            toolchain,
            dir,
            args,
            opts: opts.clone(),
            limits: *limits,
        })
    }

    /// Runs `cargo metadata` (see [`metadata_json`]).
    pub fn run(&self) -> Result<(String, String, Option<String>), InputError> {
        let (opts, tc, dir, args) = (&self.opts, &self.toolchain, &self.dir, &self.args);
        let limits = &self.limits;
        // The lockfiles cargo could write (the workspace root is the project directory or above).
        let lockfiles: Vec<(std::path::PathBuf, Option<Vec<u8>>)> = self
            .project_dir
            .ancestors()
            .map(|d| d.join("Cargo.lock"))
            .map(|p| {
                let bytes =
                    crate::fsio::read_bounded(&p, crate::fsio::ReadKind::Manifest, limits).ok();
                (p, bytes)
            })
            .collect();
        // As `cargo_metadata` runs it, keeping the text: the JSON is the line that starts with `{`.
        let failed = |status: Option<String>, stderr: String| metadata_error(status, stderr, opts);
        let output = toolchain::metadata_command(tc, dir.as_deref(), args, limits)
            .output()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    InputError::CargoNotFound {
                        detail: Some(format!("{}: {e}", tc.cargo.display())),
                    }
                } else {
                    failed(None, format!("could not run {}: {e}", tc.cargo.display()))
                }
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(failed(
                Some(exit_status(&output.status)),
                if stderr.is_empty() {
                    "it printed nothing".into()
                } else {
                    stderr
                },
            ));
        }
        let stdout = String::from_utf8(output.stdout).map_err(|_| {
            failed(
                None,
                "cargo metadata printed output that is not UTF-8".into(),
            )
        })?;
        let start = stdout
            .lines()
            .find(|l| l.starts_with('{'))
            .map(|l| l.as_ptr() as usize - stdout.as_ptr() as usize)
            .ok_or_else(|| failed(None, "cargo metadata printed no JSON".into()))?;
        let mut json = stdout;
        json.drain(..start);
        if let Some(end) = json.find('\n') {
            json.truncate(end);
        }
        let changed: Vec<String> = lockfiles
            .into_iter()
            .filter(|(p, before)| {
                crate::fsio::read_bounded(p, crate::fsio::ReadKind::Manifest, limits).ok()
                    != *before
            })
            .map(|(p, before)| {
                format!(
                    "{} {}",
                    p.display(),
                    if before.is_none() {
                        "was created"
                    } else {
                        "was changed"
                    }
                )
            })
            .collect();
        let note = (!changed.is_empty()).then(|| {
            format!(
                "cargo metadata updated the lockfile: {} (pass --locked to refuse that; it is the default when CI is set)",
                changed.join(", ")
            )
        });
        Ok((json, "cargo metadata".into(), note))
    }
}

/// Builds a graph from saved metadata JSON (tests and `--metadata-path`).
pub fn from_json(json: &str, origin: &str) -> Result<PackageGraph, InputError> {
    let metadata = CargoMetadata::parse_json(json).map_err(|e| InputError::Graph {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    metadata.build_graph().map_err(|e| InputError::Graph {
        origin: origin.to_string(),
        message: e.to_string(),
    })
}

/// Saved metadata (`--metadata-path`) names every package by the path of its manifest, and
/// the deep scan walks the directory that holds it: such paths are read as described or not at
/// all. A manifest path that is not a `Cargo.toml`, a package root that exists without its
/// `Cargo.toml` (`/etc`, a home directory), or anything under `/proc`, `/sys` or `/dev` is an
/// error naming the package; a root that does not exist on this machine (metadata saved
/// elsewhere) is left to the scan, which lists it as not scanned.
pub fn check_saved_roots(graph: &PackageGraph, origin: &str) -> Result<(), InputError> {
    let mut problems = Vec::new();
    for p in graph.packages() {
        let m = p.manifest_path();
        let who = format!("package `{} {}`", p.name(), p.version());
        if m.file_name() != Some("Cargo.toml") || !m.is_absolute() {
            problems.push(format!(
                "{who}: manifest_path `{m}` is not the absolute path of a Cargo.toml"
            ));
            continue;
        }
        if let Some(tree) = special_tree(m) {
            problems.push(format!(
                "{who}: manifest_path `{m}` lies under {tree}, which is never read"
            ));
            continue;
        }
        let Some(dir) = m.parent() else { continue };
        match std::fs::metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Ok(d) if d.is_dir() => match std::fs::symlink_metadata(m) {
                Ok(f) if f.is_file() => {}
                Ok(_) => problems.push(format!(
                    "{who}: `{m}` is not a regular file (a package root is read only with its manifest)"
                )),
                Err(_) => problems.push(format!(
                    "{who}: the package root `{dir}` has no Cargo.toml (a directory without its manifest is never walked)"
                )),
            },
            Ok(_) => problems.push(format!("{who}: the package root `{dir}` is not a directory")),
            Err(e) => problems.push(format!("{who}: the package root `{dir}`: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(InputError::Invalid {
            path: origin.to_string(),
            problems,
        })
    }
}

/// `/proc`, `/sys` or `/dev` when `path` lies in one of them (kernel and device trees: endless,
/// changing, or with effects when read).
fn special_tree(path: &Utf8Path) -> Option<&'static str> {
    let mut parts = path.components();
    if !matches!(parts.next(), Some(camino::Utf8Component::RootDir)) {
        return None;
    }
    match parts.next() {
        Some(camino::Utf8Component::Normal("proc")) => Some("/proc"),
        Some(camino::Utf8Component::Normal("sys")) => Some("/sys"),
        Some(camino::Utf8Component::Normal("dev")) => Some("/dev"),
        _ => None,
    }
}

/// `exit status 1`, or the signal that ended the process.
fn exit_status(status: &std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    status.to_string()
}

fn metadata_error(status: Option<String>, mut stderr: String, opts: &GraphOptions) -> InputError {
    let lock_refused = stderr.contains("--locked was passed");
    if lock_refused && opts.locked_by_ci {
        // On lines of their own: a message line is clipped at `error::MAX_LINE_CHARS`.
        stderr.push_str(
            "\n\nhint: --locked was not on the command line: cargo-entitycheck passes it by default\n\
             because the CI environment variable is set, so a check in CI screens exactly the\n\
             Cargo.lock that ships. Commit Cargo.lock (recommended for anything you ship), or create\n\
             it in an earlier step (`cargo generate-lockfile`, which may use the network);\n\
             CI=false turns the default off.",
        );
    } else if lock_refused {
        stderr.push_str(
            "\n\nhint: with --locked, Cargo.lock must exist and be up to date: commit it, or run \
             `cargo generate-lockfile` (or `cargo update`) first",
        );
    } else if !opts.allow_network && !opts.offline && !opts.frozen && stderr.contains("offline") {
        stderr.push_str(
            "\n\nhint: cargo-entitycheck runs `cargo metadata` offline unless allowed to use the network: \
             run `cargo fetch` first, or pass --allow-network",
        );
    }
    InputError::Metadata {
        manifest: opts.manifest_path.as_ref().map(|m| m.to_string()),
        status,
        stderr,
    }
}

/// How a package reaches the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DepKind {
    /// A workspace member itself.
    Member,
    /// Compiled into the product.
    Normal,
    /// Runs at build time on the host (build dependencies, proc macros and what they use).
    Build,
    /// Only a dev-dependency of a member: tests, examples, benchmarks. Not shipped.
    Dev,
}

impl DepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Member => "member",
            DepKind::Normal => "normal",
            DepKind::Build => "build",
            DepKind::Dev => "dev",
        }
    }
}

/// Where a package's files come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SourceKind {
    /// A member of the screened workspace.
    Workspace,
    /// A path dependency outside the workspace.
    Path,
    /// A registry (crates.io or another index), unpacked in cargo's cache.
    Registry { url: String },
    /// A git dependency, checked out in cargo's cache.
    Git { url: String },
    /// A registry or git package whose files cargo reads from a vendored directory.
    Vendored { url: String },
}

/// One step of a dependency path, from a member down to the package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PathStep {
    pub name: String,
    pub version: String,
    /// The name the dependent uses for it, when renamed (`foo = { package = "bar" }`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed: Option<String>,
    /// The kind of the edge that leads to this step (none for the first step, a member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<DepKind>,
}

/// A package in the screened set.
#[derive(Debug, Clone)]
pub struct ScreenedPackage<'g> {
    pub meta: PackageMetadata<'g>,
    pub kind: DepKind,
    pub source: SourceKind,
    /// The package root (directory of its Cargo.toml).
    pub dir: Utf8PathBuf,
    /// The shortest path from a workspace member, preferring what ships.
    pub path: Vec<PathStep>,
}

impl ScreenedPackage<'_> {
    /// Shipped in the product: members, normal and build dependencies.
    pub fn shipped(&self) -> bool {
        self.kind != DepKind::Dev
    }
}

/// A screened package as the later stages need it, owned (it outlives the package graph in
/// the graph cache).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    pub version: String,
    /// Cargo's package id.
    pub id: String,
    pub kind: DepKind,
    pub source: SourceKind,
    pub dir: Utf8PathBuf,
    pub path: Vec<PathStep>,
    /// The build script, as `cargo metadata` gives it (it is not always `build.rs`).
    pub build_script: Option<Utf8PathBuf>,
    /// The root source file of every target (library, binaries, examples, tests, benches, the
    /// build script): where the compiler starts reading.
    #[serde(default)]
    pub targets: Vec<Utf8PathBuf>,
}

impl Subject {
    pub fn of(pkg: &ScreenedPackage<'_>) -> Subject {
        Subject {
            name: pkg.meta.name().to_string(),
            version: pkg.meta.version().to_string(),
            id: pkg.meta.id().repr().to_string(),
            kind: pkg.kind,
            source: pkg.source.clone(),
            dir: pkg.dir.clone(),
            path: pkg.path.clone(),
            build_script: pkg
                .meta
                .build_target(&BuildTargetId::BuildScript)
                .map(|t| t.path().to_path_buf()),
            targets: pkg
                .meta
                .build_targets()
                .map(|t| t.path().to_path_buf())
                .collect(),
        }
    }
}

/// What the rest of a run needs of the workspace and its resolved build.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resolved {
    pub root: Utf8PathBuf,
    pub target_dir: Utf8PathBuf,
    /// The members' manifests, sorted.
    pub member_manifests: Vec<Utf8PathBuf>,
    /// In the order of [`Screened::packages`].
    pub subjects: Vec<Subject>,
    /// The resolved build's dependency edges, dev edges included, as indices into `subjects`:
    /// (dependent, dependency, kind), sorted. For bills of materials.
    #[serde(default)]
    pub edges: Vec<(usize, usize, DepKind)>,
}

impl Resolved {
    pub fn of(screened: &Screened<'_>) -> Resolved {
        let workspace = screened.graph.workspace();
        let mut member_manifests: Vec<Utf8PathBuf> = workspace
            .iter()
            .map(|m| m.manifest_path().to_path_buf())
            .collect();
        member_manifests.sort();
        Resolved {
            root: workspace.root().to_path_buf(),
            target_dir: workspace.target_directory().to_path_buf(),
            member_manifests,
            subjects: screened.packages.iter().map(Subject::of).collect(),
            edges: screened.edges(),
        }
    }
}

/// The resolved set of packages to screen.
pub struct Screened<'g> {
    pub graph: &'g PackageGraph,
    pub root: Utf8PathBuf,
    /// Sorted by name, then version, then id.
    pub packages: Vec<ScreenedPackage<'g>>,
    members: BTreeSet<&'g PackageId>,
    /// Reverse edges of the resolved build (dev edges included): package → who depends on it.
    parents: HashMap<&'g PackageId, Vec<(&'g PackageId, &'g str, DepKind)>>,
}

impl<'g> Screened<'g> {
    /// The dependency edges between screened packages, as indices into `packages`: (dependent,
    /// dependency, kind), sorted and without repeats.
    pub fn edges(&self) -> Vec<(usize, usize, DepKind)> {
        let at: HashMap<&PackageId, usize> = self
            .packages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.meta.id(), i))
            .collect();
        let mut out: Vec<(usize, usize, DepKind)> = self
            .parents
            .iter()
            .flat_map(|(child, parents)| {
                let at = &at;
                parents.iter().filter_map(move |(parent, _, kind)| {
                    Some((*at.get(parent)?, *at.get(child)?, *kind))
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Every path from a workspace member down to `id` (no package twice in a path), shortest
    /// first, at most `limit`; the flag says whether there were more.
    pub fn all_paths(&self, id: &PackageId, limit: usize) -> (Vec<Vec<PathStep>>, bool) {
        let mut found: Vec<Vec<RawStep<'g>>> = Vec::new();
        let mut truncated = false;
        let Some(start) = self.graph.metadata(id).ok().map(|m| m.id()) else {
            return (Vec::new(), false);
        };
        // Depth-first, upwards: `stack` holds the path from `start` up to the current package.
        let mut stack: Vec<RawStep<'g>> = vec![RawStep {
            id: start,
            via: None,
        }];
        self.walk_up(&mut stack, &mut found, limit * 4, &mut truncated);
        let mut paths: Vec<Vec<PathStep>> = found
            .into_iter()
            .map(|p| p.iter().map(|s| s.render(self.graph)).collect())
            .collect();
        paths.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        paths.dedup();
        if paths.len() > limit {
            paths.truncate(limit);
            truncated = true;
        }
        (paths, truncated)
    }

    fn walk_up(
        &self,
        stack: &mut Vec<RawStep<'g>>,
        found: &mut Vec<Vec<RawStep<'g>>>,
        budget: usize,
        truncated: &mut bool,
    ) {
        if found.len() >= budget {
            *truncated = true;
            return;
        }
        let top = stack.last().map(|s| s.id).expect("never empty");
        if self.members.contains(top) {
            // Member → … → package order; each step already carries the edge leading into it
            // (set when its parent was pushed), and the member none.
            let mut path: Vec<RawStep<'g>> = stack.iter().rev().cloned().collect();
            path[0].via = None;
            found.push(path);
            return;
        }
        let Some(parents) = self.parents.get(top) else {
            return;
        };
        for &(parent, dep_name, kind) in parents {
            if stack.iter().any(|s| s.id == parent) {
                continue;
            }
            if let Some(last) = stack.last_mut() {
                last.via = Some((dep_name, kind));
            }
            stack.push(RawStep {
                id: parent,
                via: None,
            });
            self.walk_up(stack, found, budget, truncated);
            stack.pop();
        }
    }
}

/// Resolves which packages the build can include.
pub fn screen<'g>(
    graph: &'g PackageGraph,
    opts: &GraphOptions,
) -> Result<Screened<'g>, InputError> {
    let workspace = graph.workspace();
    let members = if opts.packages.is_empty() && opts.exclude.is_empty() {
        graph.resolve_workspace()
    } else {
        let all: Vec<(&str, &semver::Version)> =
            workspace.iter().map(|m| (m.name(), m.version())).collect();
        let matching = |spec: &str| -> Result<Vec<&str>, InputError> {
            let found: Vec<&str> = all
                .iter()
                .filter(|(n, v)| spec_matches(spec, n, v))
                .map(|(n, _)| *n)
                .collect();
            if found.is_empty() {
                let known: Vec<String> = all.iter().map(|(n, v)| format!("{n}@{v}")).collect();
                return Err(InputError::Usage(format!(
                    "package `{spec}` is not a member of the workspace (members: {})",
                    known.join(", ")
                )));
            }
            Ok(found)
        };
        let mut names: BTreeSet<&str> = if opts.packages.is_empty() {
            all.iter().map(|(n, _)| *n).collect()
        } else {
            let mut s = BTreeSet::new();
            for p in &opts.packages {
                s.extend(matching(p)?);
            }
            s
        };
        for x in &opts.exclude {
            for n in matching(x)? {
                names.remove(n);
            }
        }
        if names.is_empty() {
            return Err(InputError::Usage(
                "--exclude leaves no workspace member to screen".into(),
            ));
        }
        graph
            .resolve_workspace_names(names)
            .map_err(|e| InputError::Usage(e.to_string()))?
    };
    let member_ids: BTreeSet<&PackageId> =
        members.package_ids(DependencyDirection::Forward).collect();

    check_features(graph, &member_ids, &opts.features)?;
    let filter = feature_filter(&member_ids, &opts.features);
    let initials = members.to_feature_set(filter);

    let platform = platform_spec(&opts.targets)?;
    let mut cargo_opts = CargoOptions::new();
    cargo_opts
        .set_resolver(CargoResolverVersion::V2)
        .set_target_platform(platform)
        .set_host_platform(PlatformSpec::Any);
    let mut with_dev = cargo_opts.clone();
    with_dev.set_include_dev(true);
    cargo_opts.set_include_dev(false);
    // The two resolutions are independent: one per core.
    let (shipped, full) = rayon::join(
        || cargo_set(&initials, &cargo_opts),
        || cargo_set(&initials, &with_dev),
    );
    let (shipped, full) = (shipped?, full?);

    let shipped_ids = package_ids(&shipped);
    let target_ids: BTreeSet<&PackageId> = shipped
        .target_features()
        .to_package_set()
        .package_ids(DependencyDirection::Forward)
        .collect();

    // Shortest paths: first over what ships, then over everything for the dev-only rest.
    let full_edges = edges(&full);
    let mut paths = bfs(&member_ids, &edges(&shipped));
    for (id, p) in bfs(&member_ids, &full_edges) {
        paths.entry(id).or_insert(p);
    }

    let cargo_home = cargo_home();
    let root = workspace.root().to_path_buf();
    let mut packages = Vec::new();
    for id in package_ids(&full) {
        let meta = graph.metadata(id).map_err(|e| InputError::Graph {
            origin: "package graph".into(),
            message: e.to_string(),
        })?;
        let kind = if member_ids.contains(id) {
            DepKind::Member
        } else if !shipped_ids.contains(id) {
            DepKind::Dev
        } else if target_ids.contains(id) {
            DepKind::Normal
        } else {
            DepKind::Build
        };
        let path = paths
            .get(id)
            .map(|steps| steps.iter().map(|s| s.render(graph)).collect())
            .unwrap_or_else(|| {
                vec![PathStep {
                    name: meta.name().to_string(),
                    version: meta.version().to_string(),
                    renamed: None,
                    edge: None,
                }]
            });
        let (source, dir) = place(&meta, cargo_home.as_deref());
        packages.push(ScreenedPackage {
            source,
            meta,
            kind,
            dir,
            path,
        });
    }
    packages.sort_by(|a, b| {
        (a.meta.name(), a.meta.version(), a.meta.id()).cmp(&(
            b.meta.name(),
            b.meta.version(),
            b.meta.id(),
        ))
    });
    let mut parents: HashMap<&PackageId, Vec<(&PackageId, &str, DepKind)>> = HashMap::new();
    for (from, out) in full_edges {
        for e in out {
            parents
                .entry(e.link.to().id())
                .or_default()
                .push((from, e.link.dep_name(), e.kind));
        }
    }
    for v in parents.values_mut() {
        v.sort();
        v.dedup();
    }
    Ok(Screened {
        graph,
        root,
        packages,
        members: member_ids,
        parents,
    })
}

fn cargo_set<'g>(
    initials: &FeatureSet<'g>,
    opts: &CargoOptions<'_>,
) -> Result<CargoSet<'g>, InputError> {
    initials
        .clone()
        .into_cargo_set(opts)
        .map_err(|e| InputError::Graph {
            origin: "feature resolution".into(),
            message: e.to_string(),
        })
}

fn package_ids<'g>(set: &CargoSet<'g>) -> BTreeSet<&'g PackageId> {
    let mut ids: BTreeSet<&PackageId> = set
        .target_features()
        .to_package_set()
        .package_ids(DependencyDirection::Forward)
        .collect();
    ids.extend(
        set.host_features()
            .to_package_set()
            .package_ids(DependencyDirection::Forward),
    );
    ids
}

/// `--features` values must exist somewhere, as cargo would insist.
fn check_features(
    graph: &PackageGraph,
    members: &BTreeSet<&PackageId>,
    sel: &FeatureSelection,
) -> Result<(), InputError> {
    for f in sel.features.iter().filter(|f| !f.is_empty()) {
        let ok = match f.split_once('/') {
            Some((pkg, feat)) => graph
                .packages()
                .filter(|p| p.name() == pkg)
                .any(|p| p.named_features().any(|n| n == feat)),
            None => members.iter().any(|id| {
                graph
                    .metadata(id)
                    .is_ok_and(|p| p.named_features().any(|n| n == f))
            }),
        };
        if !ok {
            return Err(InputError::Usage(format!(
                "none of the selected packages has a feature `{f}`"
            )));
        }
    }
    Ok(())
}

/// A feature filter equivalent to cargo's `--features/--all-features/--no-default-features`.
fn feature_filter<'g, 'a>(
    members: &'a BTreeSet<&'g PackageId>,
    sel: &'a FeatureSelection,
) -> impl FeatureFilter<'g> + 'a {
    let mut base = if sel.all_features {
        StandardFeatures::All
    } else if sel.no_default_features {
        StandardFeatures::None
    } else {
        StandardFeatures::Default
    };
    FeatureFilterFn::new(move |fg, fid| {
        if base.accept(fg, fid) {
            return true;
        }
        let name = match fid.label() {
            FeatureLabel::Named(n) => n,
            FeatureLabel::OptionalDependency(n) => n,
            FeatureLabel::Base => return false,
        };
        sel.features.iter().any(|f| match f.split_once('/') {
            Some((pkg, feat)) => {
                feat == name
                    && fg
                        .package_graph()
                        .metadata(fid.package_id())
                        .is_ok_and(|p| p.name() == pkg)
            }
            None => f == name && members.contains(fid.package_id()),
        })
    })
}

/// Whether a package id spec (`name`, `name@1`, `name@1.2`, `name@1.2.3`, also `name:1.2.3`)
/// names a package: a partial version matches every version that starts with it.
pub fn spec_matches(spec: &str, name: &str, version: &semver::Version) -> bool {
    let (n, v) = match spec.split_once(['@', ':']) {
        Some((n, v)) => (n, Some(v)),
        None => (spec, None),
    };
    if n != name {
        return false;
    }
    let Some(v) = v else { return true };
    let parts: Vec<&str> = v.splitn(3, '.').collect();
    let num = |i: usize| parts.get(i).map(|p| p.parse::<u64>());
    match (num(0), num(1), parts.len()) {
        (Some(Ok(major)), None, 1) => version.major == major,
        (Some(Ok(major)), Some(Ok(minor)), 2) => version.major == major && version.minor == minor,
        _ => semver::Version::parse(v).is_ok_and(|full| &full == version),
    }
}

fn platform_spec(targets: &[String]) -> Result<PlatformSpec, InputError> {
    if targets.is_empty() {
        return Ok(PlatformSpec::Any);
    }
    let mut platforms = Vec::new();
    for t in targets {
        let p = Platform::new(t.clone(), TargetFeatures::Unknown)
            .map_err(|e| InputError::Usage(format!("--target {t}: {e}")))?;
        platforms.push(p);
    }
    Ok(PlatformSpec::platforms(platforms))
}

/// An edge of the resolved build, remembered by what BFS needs.
struct Edge<'g> {
    link: PackageLink<'g>,
    kind: DepKind,
}

fn edges<'g>(set: &CargoSet<'g>) -> HashMap<&'g PackageId, Vec<Edge<'g>>> {
    let mut out: HashMap<&PackageId, Vec<Edge<'g>>> = HashMap::new();
    let mut add = |link: PackageLink<'g>, kind: DepKind| {
        out.entry(link.from().id())
            .or_default()
            .push(Edge { link, kind });
    };
    for l in set.target_links() {
        let kind = if l.normal().is_present() {
            DepKind::Normal
        } else {
            DepKind::Dev
        };
        add(l, kind);
    }
    for l in set.host_links() {
        add(l, DepKind::Build);
    }
    for l in set.build_dep_links() {
        add(l, DepKind::Build);
    }
    for l in set.proc_macro_links() {
        add(l, DepKind::Build);
    }
    for v in out.values_mut() {
        // Deterministic paths: visit dependencies in name order.
        v.sort_by(|a, b| {
            (a.link.to().name(), a.link.to().version())
                .cmp(&(b.link.to().name(), b.link.to().version()))
        });
    }
    out
}

/// A step as found by BFS, rendered later.
#[derive(Clone)]
struct RawStep<'g> {
    id: &'g PackageId,
    via: Option<(&'g str, DepKind)>,
}

impl RawStep<'_> {
    fn render(&self, graph: &PackageGraph) -> PathStep {
        let (name, version) = graph
            .metadata(self.id)
            .map(|m| (m.name().to_string(), m.version().to_string()))
            .unwrap_or_else(|_| (self.id.repr().to_string(), String::new()));
        PathStep {
            renamed: self.via.and_then(|(dep, _)| {
                (dep != name && dep.replace('-', "_") != name.replace('-', "_"))
                    .then(|| dep.to_string())
            }),
            edge: self.via.map(|(_, k)| k),
            name,
            version,
        }
    }
}

fn bfs<'g>(
    members: &BTreeSet<&'g PackageId>,
    edges: &HashMap<&'g PackageId, Vec<Edge<'g>>>,
) -> BTreeMap<&'g PackageId, Vec<RawStep<'g>>> {
    let mut paths: BTreeMap<&PackageId, Vec<RawStep<'g>>> = BTreeMap::new();
    let mut queue = VecDeque::new();
    for &m in members {
        paths.insert(m, vec![RawStep { id: m, via: None }]);
        queue.push_back(m);
    }
    while let Some(id) = queue.pop_front() {
        let Some(out) = edges.get(id) else { continue };
        for e in out {
            let to = e.link.to().id();
            if paths.contains_key(to) {
                continue;
            }
            let mut p = paths[id].clone();
            p.push(RawStep {
                id: to,
                via: Some((e.link.dep_name(), e.kind)),
            });
            paths.insert(to, p);
            queue.push_back(to);
        }
    }
    paths
}

/// Cargo's home directory (`CARGO_HOME`, or `~/.cargo`).
pub fn cargo_home() -> Option<Utf8PathBuf> {
    if let Some(h) = std::env::var_os("CARGO_HOME") {
        return Utf8PathBuf::from_path_buf(h.into()).ok();
    }
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Utf8PathBuf::from_path_buf(std::path::PathBuf::from(home).join(".cargo")).ok()
}

/// Where a package comes from and the directory that holds it (that of its `Cargo.toml`).
/// `cargo_home` is [`cargo_home`], looked up once by the caller.
pub fn place(
    meta: &PackageMetadata<'_>,
    cargo_home: Option<&Utf8Path>,
) -> (SourceKind, Utf8PathBuf) {
    let dir = meta
        .manifest_path()
        .parent()
        .map(Utf8Path::to_path_buf)
        .unwrap_or_default();
    (source_kind(meta, &dir, cargo_home), dir)
}

fn source_kind(
    meta: &PackageMetadata<'_>,
    dir: &Utf8Path,
    cargo_home: Option<&Utf8Path>,
) -> SourceKind {
    match meta.source() {
        PackageSource::Workspace(_) => SourceKind::Workspace,
        PackageSource::Path(_) => SourceKind::Path,
        PackageSource::External(url) => {
            let in_cache = cargo_home.is_some_and(|h| dir.starts_with(h));
            if !in_cache {
                SourceKind::Vendored {
                    url: url.to_string(),
                }
            } else if url.starts_with("git+") {
                SourceKind::Git {
                    url: url.to_string(),
                }
            } else {
                SourceKind::Registry {
                    url: url.to_string(),
                }
            }
        }
    }
}
