//! Pipeline, locations: findings and unscanned packages → where in the repository each belongs
//! (for SARIF and GitHub annotations), resolved once before any view renders. A finding inside
//! the repository points at its file (and line); a finding in a registry or git package points
//! at the package's entry in `Cargo.lock`.
//!
//! Locations are relative to the *repository* root (the nearest directory holding `.git`, a
//! directory or, in worktrees and submodules, a file), or to `--sarif-base`: GitHub resolves
//! SARIF URIs and annotation paths from the repository root, so a workspace in a subdirectory
//! must say where it is.

use std::collections::HashMap;

use camino::{Utf8Path, Utf8PathBuf};

pub use crate::outcome::Loc;
use crate::policy::Finding;

/// The directory locations are relative to: `base` if given (it must contain the workspace),
/// else the nearest ancestor of the workspace root holding `.git`, else the workspace root.
pub fn source_root(
    workspace_root: &Utf8Path,
    base: Option<&Utf8Path>,
) -> Result<Utf8PathBuf, crate::error::InputError> {
    let ws = workspace_root
        .canonicalize_utf8()
        .unwrap_or_else(|_| workspace_root.to_path_buf());
    if let Some(base) = base {
        let b = base
            .canonicalize_utf8()
            .map_err(|e| crate::error::InputError::Io {
                path: base.to_string(),
                source: e,
            })?;
        if !ws.starts_with(&b) {
            return Err(crate::error::InputError::Usage(format!(
                "--sarif-base {base}: the workspace {ws} is not inside it"
            )));
        }
        return Ok(b);
    }
    Ok(ws
        .ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .unwrap_or(&ws)
        .to_path_buf())
}

/// `path` relative to `root`, `/`-separated (`""` when they are the same directory).
pub fn relative(path: &Utf8Path, root: &Utf8Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Line lookups in Cargo.lock and manifests, read once per report.
pub struct Locator<'o> {
    /// The workspace root relative to the source root (`""` at the root), canonical.
    ws_rel: String,
    /// The source root, canonical.
    base: Utf8PathBuf,
    package_dirs: &'o std::collections::BTreeMap<String, Utf8PathBuf>,
    /// (name, version) → line of `name = "…"` in Cargo.lock.
    lock: HashMap<(String, String), u32>,
    manifests: std::cell::RefCell<HashMap<Utf8PathBuf, Option<String>>>,
    limits: crate::fsio::Limits,
}

impl<'o> Locator<'o> {
    pub fn new(
        root: &'o Utf8Path,
        base: &Utf8Path,
        package_dirs: &'o std::collections::BTreeMap<String, Utf8PathBuf>,
        limits: &crate::fsio::Limits,
    ) -> Locator<'o> {
        let canon = root
            .canonicalize_utf8()
            .unwrap_or_else(|_| root.to_path_buf());
        let ws_rel = relative(&canon, base).unwrap_or_default();
        let mut lock = HashMap::new();
        if let Ok(text) = crate::fsio::read_text(
            root.join("Cargo.lock"),
            crate::fsio::ReadKind::Manifest,
            false,
            limits,
        ) {
            let lines: Vec<&str> = text.lines().collect();
            for (i, l) in lines.iter().enumerate() {
                if let (Some(name), Some(next)) = (quoted_value(l, "name"), lines.get(i + 1))
                    && let Some(version) = quoted_value(next, "version")
                {
                    lock.insert(
                        (name.to_string(), version.to_string()),
                        u32::try_from(i + 1).unwrap_or(u32::MAX),
                    );
                }
            }
        }
        Locator {
            ws_rel,
            base: base.to_path_buf(),
            package_dirs,
            lock,
            manifests: Default::default(),
            limits: *limits,
        }
    }

    /// The location of a finding.
    pub fn finding(&self, f: &Finding) -> Loc {
        let dir = self.package_dirs.get(&f.package.id);
        // Any package whose files are in the repository (a member, or a path dependency beside
        // the workspace) points at its file; others at their Cargo.lock entry.
        let inside = dir.and_then(|d| {
            let d = d.canonicalize_utf8().unwrap_or_else(|_| d.clone());
            relative(&d, &self.base)
        });
        match inside {
            Some(rel_dir) => {
                let join = |file: &str| {
                    let file = file.replace('\\', "/");
                    if rel_dir.is_empty() {
                        file
                    } else {
                        format!("{rel_dir}/{file}")
                    }
                };
                match &f.matched.evidence.location {
                    Some(loc) => {
                        // Inside an archive: the archive file itself, with no line.
                        match loc.file.split_once('!') {
                            Some((archive, _)) => Loc {
                                uri: join(archive),
                                line: None,
                            },
                            None => Loc {
                                uri: join(&loc.file),
                                line: loc.line,
                            },
                        }
                    }
                    None => {
                        let manifest = dir.map(|d| d.join("Cargo.toml")).unwrap_or_default();
                        Loc {
                            uri: join("Cargo.toml"),
                            line: self
                                .manifest_line(&manifest, &f.matched.evidence.field.manifest_key()),
                        }
                    }
                }
            }
            None => self.lock_entry(&f.package.name, &f.package.version),
        }
    }

    /// The `Cargo.lock` entry of a package (or the root manifest if there is no lock file).
    pub fn lock_entry(&self, name: &str, version: &str) -> Loc {
        match self.lock.get(&(name.to_string(), version.to_string())) {
            Some(&line) => Loc {
                uri: self.in_workspace("Cargo.lock"),
                line: Some(line),
            },
            None => Loc {
                uri: self.in_workspace("Cargo.toml"),
                line: None,
            },
        }
    }

    fn in_workspace(&self, file: &str) -> String {
        if self.ws_rel.is_empty() {
            file.to_string()
        } else {
            format!("{}/{file}", self.ws_rel)
        }
    }

    /// The workspace root relative to the source root (`""` at the root).
    pub fn workspace_rel(&self) -> &str {
        &self.ws_rel
    }

    fn manifest_line(&self, manifest: &Utf8Path, key: &str) -> Option<u32> {
        let mut cache = self.manifests.borrow_mut();
        let text = cache.entry(manifest.to_path_buf()).or_insert_with(|| {
            crate::fsio::read_text(
                manifest,
                crate::fsio::ReadKind::Manifest,
                false,
                &self.limits,
            )
            .ok()
        });
        let text = text.as_deref()?;
        text.lines()
            .position(|l| {
                let t = l.trim_start();
                t.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX))
    }
}

/// `key = "value"` → `value`.
fn quoted_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .trim()
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_lines_and_keys() {
        assert_eq!(quoted_value("name = \"serde\"", "name"), Some("serde"));
        assert_eq!(
            quoted_value("version = \"1.0.0\"", "version"),
            Some("1.0.0")
        );
        assert_eq!(quoted_value("names = \"x\"", "name"), None);
    }
}
