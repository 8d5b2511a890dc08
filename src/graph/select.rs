//! What cargo's selection flags pick: package id specs (`-p`, `--exclude`), features
//! (`--features`, `--all-features`, `--no-default-features`) and target platforms (`--target`).

use std::collections::BTreeSet;

use guppy::PackageId;
use guppy::graph::PackageGraph;
use guppy::graph::feature::{FeatureFilter, FeatureFilterFn, FeatureLabel, StandardFeatures};
use guppy::platform::{Platform, PlatformSpec, TargetFeatures};

use super::model::FeatureSelection;
use crate::error::InputError;

/// `--features` values must exist somewhere, as cargo would insist.
pub(super) fn check_features(
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
pub(super) fn feature_filter<'g, 'a>(
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

pub(super) fn platform_spec(targets: &[String]) -> Result<PlatformSpec, InputError> {
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
