//! Report stage: an outcome → text, written to any `io::Write`. Pure views: they read no file
//! and decide nothing (verdicts, counts and fingerprints come from the outcome).
//!
//! `human` is for people (styled as the caller asks: the default [`Styles`] is plain); `json` is
//! a stable, documented document for machines; `sarif`, `github` and `markdown` serve CI;
//! `html` is a self-contained page for auditors; `cyclonedx` a bill of materials with the
//! verdicts.
//!
//! A new format is one entry in the table of [`Format`] (its name and `--help` line), one
//! module here, and then whatever the compiler asks for: its writer in [`write_check`], how it
//! is made safe in `defused`, and whether it is complete ([`Format::is_complete`]).

pub mod cyclonedx;
pub mod escape;
mod fmt;
pub mod github;
pub mod html;
pub(crate) mod human;
mod json;
pub mod markdown;
pub mod sarif;

use std::io::{self, Write};

use owo_colors::Style;
use serde::Serialize;

use crate::Outcome;
pub use crate::config::{CiOptions, Format, Verbosity};
use crate::entity::EntityList;

pub use json::SCHEMA_VERSION;

/// What a pass means (defined beside the outcome, which certificates read it from too).
pub use crate::outcome::LIMITS;

/// Every style the human report uses. The default is plain; [`Styles::colorize`] turns colour on.
#[derive(Debug, Clone, Default)]
pub struct Styles {
    pub fail: Style,
    pub warn: Style,
    pub ok: Style,
    pub dim: Style,
    pub bold: Style,
    pub package: Style,
    pub entity: Style,
}

impl Styles {
    pub fn colorize(&mut self) {
        self.fail = Style::new().red().bold();
        self.warn = Style::new().yellow().bold();
        self.ok = Style::new().green().bold();
        self.dim = Style::new().dimmed();
        self.bold = Style::new().bold();
        self.package = Style::new().cyan().bold();
        self.entity = Style::new().magenta();
    }
}

impl Format {
    /// Whether a report in this format is complete, so that the views cut short (annotations,
    /// the Markdown summary) can point to it when it is written to a file.
    pub fn is_complete(self) -> bool {
        match self {
            Format::Sarif | Format::Json | Format::Human | Format::Html => true,
            Format::Github | Format::Markdown | Format::Cyclonedx => false,
        }
    }
}

/// Writes the report of a check.
pub fn write_check(
    out: &mut dyn Write,
    outcome: &Outcome,
    format: Format,
    styles: &Styles,
    verbosity: Verbosity,
    ci: &CiOptions,
) -> io::Result<()> {
    let mut buf = Vec::new();
    match format {
        Format::Human => human::write(&mut buf, outcome, styles, verbosity),
        Format::Json => json::write(&mut buf, outcome),
        Format::Sarif => sarif::write(&mut buf, outcome, ci),
        Format::Github => github::write(&mut buf, outcome, ci),
        Format::Markdown => markdown::write(&mut buf, outcome, ci),
        Format::Cyclonedx => cyclonedx::write(&mut buf, outcome),
        Format::Html => html::write(&mut buf, outcome),
    }?;
    out.write_all(&defused(format, buf))
}

/// A report as written, made safe for every channel it may go to (a terminal, a CI log):
/// whatever package text it quotes cannot start a workflow command or carry a raw control or
/// bidi character (see [`escape::defuse_text`], [`escape::defuse_json`]). The GitHub format is
/// written as workflow commands and escapes its data itself.
fn defused(format: Format, buf: Vec<u8>) -> Vec<u8> {
    let text = match String::from_utf8(buf) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let safe = match format {
        Format::Github => std::borrow::Cow::Borrowed(text.as_str()),
        Format::Json | Format::Sarif | Format::Cyclonedx => escape::defuse_json(&text),
        Format::Human | Format::Markdown | Format::Html => escape::defuse_text(&text),
    };
    safe.into_owned().into_bytes()
}

/// Writes the entity list (`cargo entitycheck list`).
pub fn write_list(
    out: &mut dyn Write,
    lists: &[EntityList],
    format: Format,
    styles: &Styles,
) -> io::Result<()> {
    match format {
        // `list` offers human and JSON (`config::ListOutput`); the CI formats are about findings.
        Format::Human
        | Format::Markdown
        | Format::Github
        | Format::Sarif
        | Format::Html
        | Format::Cyclonedx => human::write_list(out, lists, styles),
        Format::Json => {
            #[derive(Serialize)]
            struct Lists<'a> {
                schema_version: u32,
                lists: &'a [EntityList],
            }
            serde_json::to_writer_pretty(
                &mut *out,
                &Lists {
                    schema_version: SCHEMA_VERSION,
                    lists,
                },
            )?;
            writeln!(out)
        }
    }
}

/// Writes `explain`'s report.
pub fn write_explain(
    out: &mut dyn Write,
    outcome: &Outcome,
    format: Format,
    styles: &Styles,
) -> io::Result<()> {
    let mut buf = Vec::new();
    match format {
        Format::Json => json::write_explain(&mut buf, outcome),
        _ => human::write_explain(&mut buf, outcome, styles),
    }?;
    let format = if format == Format::Json {
        Format::Json
    } else {
        Format::Human
    };
    out.write_all(&defused(format, buf))
}

/// Writes what `verify` checked.
pub fn write_verify(
    out: &mut dyn Write,
    file: &str,
    checks: &[crate::attest::Check],
    s: &Styles,
) -> io::Result<()> {
    use owo_colors::OwoColorize;
    writeln!(out, "Verifying {}", escape::Esc(file))?;
    for c in checks {
        if c.ok {
            writeln!(out, "  {} {}", "ok  ".style(s.ok), escape::Esc(&c.what))?;
        } else {
            writeln!(out, "  {} {}", "FAIL".style(s.fail), escape::Esc(&c.what))?;
        }
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    writeln!(out, "{}", LIMITS.style(s.dim))?;
    if failed == 0 {
        writeln!(
            out,
            "{} the certificate holds for this tree (exit 0)",
            "PASS:".style(s.ok)
        )
    } else {
        writeln!(
            out,
            "{} {failed} of {} checks failed (exit 1)",
            "FAIL:".style(s.fail),
            checks.len()
        )
    }
}
