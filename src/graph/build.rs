//! From `cargo metadata`'s JSON to guppy's package graph, and the checks saved metadata's
//! package roots must pass before they are read.

use camino::Utf8Path;
use guppy::CargoMetadata;
use guppy::graph::PackageGraph;

use crate::error::InputError;

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
