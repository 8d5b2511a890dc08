//! Finding and reading the configuration: `--config FILE`, `entitycheck.toml` at the workspace
//! root, or the root manifest's metadata table.

use camino::{Utf8Path, Utf8PathBuf};

use super::read::from_str_all;
use super::schema::{Manifest, RawConfig};
use super::validate::validate;
use super::{Config, FILE_NAME};
use crate::error::InputError;

/// Finds the configuration for a project: `explicit` if given, else `entitycheck.toml` at the
/// workspace root, else the root manifest's `[workspace.metadata.entitycheck]` or
/// `[package.metadata.entitycheck]`. No configuration at all is fine.
pub fn discover(
    explicit: Option<&Utf8Path>,
    manifest: Option<&Utf8Path>,
    limits: &crate::fsio::Limits,
) -> Result<Config, InputError> {
    if let Some(path) = explicit {
        let text = read(path, true, limits)?;
        return parse(&text, path.as_str());
    }
    let Some(root) = workspace_root(manifest, limits) else {
        return Ok(Config::default());
    };
    let file = root.join(FILE_NAME);
    if file.is_file() {
        let text = read(&file, false, limits)?;
        return parse(&text, file.as_str());
    }
    let cargo_toml = root.join("Cargo.toml");
    let text = read(&cargo_toml, false, limits)?;
    parse_manifest(&text, cargo_toml.as_str())
}

/// A configuration file, bounded; a link is followed only when the user `named` the file.
fn read(path: &Utf8Path, named: bool, limits: &crate::fsio::Limits) -> Result<String, InputError> {
    crate::fsio::read_text(path, crate::fsio::ReadKind::Config, named, limits)
        .map_err(|e| InputError::read(path, e))
}

/// The workspace root: the nearest ancestor of the manifest (or the current directory) whose
/// Cargo.toml has a `[workspace]` table, else the directory of the nearest Cargo.toml.
pub fn workspace_root(
    manifest: Option<&Utf8Path>,
    limits: &crate::fsio::Limits,
) -> Option<Utf8PathBuf> {
    let start = crate::graph::start_dir(manifest)?;
    let mut nearest = None;
    for dir in start.ancestors() {
        let toml = dir.join("Cargo.toml");
        // A probe: links followed (cargo follows them), but never a FIFO or a huge file.
        let Ok(text) = crate::fsio::read_text(&toml, crate::fsio::ReadKind::Manifest, true, limits)
        else {
            continue;
        };
        if nearest.is_none() {
            nearest = Some(dir.to_path_buf());
        }
        if text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.contains_key("workspace"))
        {
            return Some(dir.to_path_buf());
        }
    }
    nearest
}

/// Parses an `entitycheck.toml`.
pub fn parse(text: &str, origin: &str) -> Result<Config, InputError> {
    let (raw, unknown, types): (RawConfig, _, _) = from_str_all(text, origin)?;
    validate(raw, text, origin, &unknown, &types, "")
}

/// Parses the metadata table of a Cargo.toml (workspace first, then package).
pub fn parse_manifest(text: &str, origin: &str) -> Result<Config, InputError> {
    let (m, unknown, types): (Manifest, Vec<String>, _) = from_str_all(text, origin)?;
    let (raw, table, prefix) = match (
        m.workspace
            .and_then(|w| w.metadata)
            .and_then(|m| m.entitycheck),
        m.package
            .and_then(|p| p.metadata)
            .and_then(|m| m.entitycheck),
    ) {
        (Some(raw), _) => (
            raw,
            "[workspace.metadata.entitycheck]",
            "workspace.metadata.entitycheck.",
        ),
        (None, Some(raw)) => (
            raw,
            "[package.metadata.entitycheck]",
            "package.metadata.entitycheck.",
        ),
        (None, None) => return Ok(Config::default()),
    };
    // Only keys inside our table are ours to judge; the rest of the manifest is cargo's.
    let unknown: Vec<String> = unknown
        .into_iter()
        .filter(|k| k.starts_with(prefix))
        .collect();
    let mut c = validate(raw, text, origin, &unknown, &types, prefix)?;
    c.origin = Some(format!("{origin} {table}"));
    Ok(c)
}
