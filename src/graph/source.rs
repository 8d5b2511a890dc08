//! Where a package comes from (workspace, path, registry, git, vendored) and the directory that
//! holds its files.

use camino::{Utf8Path, Utf8PathBuf};
use guppy::graph::{PackageMetadata, PackageSource};

use super::model::SourceKind;

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
