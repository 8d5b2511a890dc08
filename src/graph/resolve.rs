//! Resolving the screened set from the package graph, the way cargo resolves a build: once
//! without dev-dependencies (what ships) and once with them.

use std::collections::{BTreeSet, HashMap};

use guppy::PackageId;
use guppy::graph::cargo::{CargoOptions, CargoResolverVersion, CargoSet};
use guppy::graph::feature::FeatureSet;
use guppy::graph::{DependencyDirection, PackageGraph};
use guppy::platform::PlatformSpec;

use super::model::{DepKind, GraphOptions, PathStep, Screened, ScreenedPackage};
use super::paths::{bfs, edges};
use super::select::{check_features, feature_filter, platform_spec, spec_matches};
use super::source::{cargo_home, place};
use crate::error::InputError;

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
