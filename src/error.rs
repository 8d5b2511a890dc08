//! Errors of the tool and of its inputs (never findings: a finding is data, see `policy`).
//!
//! Every variant names the file it is about, and the line where there is one, because the
//! person reading it has to go and fix that file.

use std::fmt;

/// A problem with something the user gave us: a manifest, config, entity list, saved metadata.
/// Maps to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// TOML syntax or shape error; `message` from the toml crate already carries line, column and key.
    #[error("invalid TOML in {path}: {message}")]
    Toml { path: String, message: String },
    /// Semantic problems, every one found, each prefixed with `file:line:`.
    #[error("{path} is invalid:\n{}", Bullets(problems))]
    Invalid { path: String, problems: Vec<String> },
    /// `cargo metadata` failed; its stderr is shown as is.
    #[error("`cargo metadata` failed{}:\n{stderr}", manifest.as_deref().map(|m| format!(" for {m}")).unwrap_or_default())]
    Metadata {
        manifest: Option<String>,
        stderr: String,
    },
    /// Saved metadata or a package graph that guppy cannot build.
    #[error("cannot build the dependency graph from {origin}: {message}")]
    Graph { origin: String, message: String },
    /// A command-line value that does not make sense.
    #[error("{0}")]
    Usage(String),
}

struct Bullets<'a>(&'a [String]);

impl fmt::Display for Bullets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {p}")?;
        }
        Ok(())
    }
}
