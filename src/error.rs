//! Errors of the tool and of its inputs (never findings: a finding is data, see `policy`).
//!
//! Every variant names the file it is about, and the line where there is one, because the
//! person reading it has to go and fix that file.

use std::fmt;

pub use crate::fsio::ReadError;

/// Longest line of a diagnostic echoed from an input (characters): enough to see the problem,
/// never the whole of a hostile one-line file.
pub const MAX_LINE_CHARS: usize = 300;
/// Most lines of one diagnostic, and most problems listed for one file.
pub const MAX_LINES: usize = 50;

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
    /// A file refused or cut short by the bounded reader (not a regular file, a link, too large).
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: ReadError,
    },
    /// An output that could not be written (`-o`, `init`, standard output).
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// TOML syntax or shape error; `message` from the toml crate already carries line, column and
    /// key (and a snippet of the line, clipped: one line of a hostile file may be 300 MB long).
    #[error("invalid TOML in {path}: {}", Clipped(message))]
    Toml { path: String, message: String },
    /// Semantic problems, every one found, each prefixed with `file:line:`.
    #[error("{path} is invalid:\n{}", Bullets(problems))]
    Invalid { path: String, problems: Vec<String> },
    /// `cargo metadata` failed: its exit status and stderr.
    #[error("`cargo metadata` failed{}{}:\n{}",
        status.as_deref().map(|s| format!(" ({s})")).unwrap_or_default(),
        manifest.as_deref().map(|m| format!(" for {m}")).unwrap_or_default(),
        Clipped(stderr))]
    Metadata {
        manifest: Option<String>,
        /// `exit status 1`, `killed by signal 9`; `None` when cargo did not run to the end.
        status: Option<String>,
        stderr: String,
    },
    /// No cargo to run.
    #[error("cargo not found (set CARGO or put cargo on PATH){}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    CargoNotFound { detail: Option<String> },
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
        for (i, p) in self.0.iter().take(MAX_LINES).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {}", Clipped(p))?;
        }
        if self.0.len() > MAX_LINES {
            write!(f, "\n  … and {} more problems", self.0.len() - MAX_LINES)?;
        }
        Ok(())
    }
}

/// Text from an input, echoed in a message: at most [`MAX_LINES`] lines of at most
/// [`MAX_LINE_CHARS`] characters each.
pub struct Clipped<'a>(pub &'a str);

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines = self.0.split('\n');
        for (i, line) in lines.by_ref().take(MAX_LINES).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let mut chars = line.char_indices();
            match chars.nth(MAX_LINE_CHARS) {
                None => f.write_str(line)?,
                Some((cut, _)) => {
                    let rest = line[cut..].chars().count();
                    write!(f, "{}… ({rest} more characters)", &line[..cut])?;
                }
            }
        }
        let more = lines.count();
        if more > 0 {
            write!(f, "\n… ({more} more lines)")?;
        }
        Ok(())
    }
}

impl InputError {
    /// A file the bounded reader refused or could not read.
    pub fn read(path: impl fmt::Display, source: ReadError) -> InputError {
        InputError::Read {
            path: path.to_string(),
            source,
        }
    }

    /// An output that could not be written.
    pub fn write(path: impl fmt::Display, source: std::io::Error) -> InputError {
        InputError::Write {
            path: path.to_string(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_input_is_clipped_in_width_and_length() {
        let long = "x".repeat(10_000_000);
        let e = InputError::Toml {
            path: "big.toml".into(),
            message: format!("TOML parse error at line 1, column 3\n  |\n1 | {long}\n  |   ^\n"),
        };
        let shown = e.to_string();
        assert!(shown.len() < 1000, "{}", shown.len());
        assert!(shown.contains("… (9999704 more characters)"), "{shown}");
        assert!(
            shown.starts_with("invalid TOML in big.toml: TOML parse error at line 1, column 3")
        );

        let many: Vec<String> = (0..100_000).map(|i| format!("f:{i}: bad")).collect();
        let shown = InputError::Invalid {
            path: "f".into(),
            problems: many,
        }
        .to_string();
        assert_eq!(shown.lines().count(), 1 + MAX_LINES + 1);
        assert!(shown.ends_with("… and 99950 more problems"), "{shown}");

        let lines = "l\n".repeat(1000);
        let shown = Clipped(&lines).to_string();
        assert_eq!(shown.lines().count(), MAX_LINES + 1);
        assert!(shown.ends_with("… (951 more lines)"), "{shown}");
        // Multi-byte characters are cut on a character boundary.
        let wide = "й".repeat(400);
        assert!(
            Clipped(&wide)
                .to_string()
                .ends_with("… (100 more characters)")
        );
    }
}
