//! The graph stage's types: the options a request resolves with, how and from where a package
//! reaches the build, the screened set and the owned form the later stages get.

use std::collections::{BTreeSet, HashMap};

use camino::Utf8PathBuf;
use guppy::PackageId;
use guppy::graph::{BuildTargetId, PackageGraph, PackageMetadata};
use serde::{Deserialize, Serialize};

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
    /// Every member's directory, screened or not (`-p` selects some).
    pub fn member_dirs(&self) -> impl Iterator<Item = Utf8PathBuf> + '_ {
        self.member_manifests
            .iter()
            .filter_map(|m| m.parent().map(camino::Utf8Path::to_path_buf))
    }

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
    pub(super) members: BTreeSet<&'g PackageId>,
    /// Reverse edges of the resolved build (dev edges included): package → who depends on it.
    pub(super) parents: HashMap<&'g PackageId, Vec<(&'g PackageId, &'g str, DepKind)>>,
}
