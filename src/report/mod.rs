//! Report stage: the outcome → text on stdout. The one place that prints.
//!
//! `human` is for people (coloured only for a terminal or `--color always`, never when
//! `NO_COLOR` is set); `json` is a stable, documented document for machines.

pub mod escape;
mod github;
pub(crate) mod human;
mod json;
mod locate;
mod markdown;
mod sarif;

use std::io::{self, Write};

use owo_colors::Style;
use serde::Serialize;

use crate::Outcome;
use crate::entity::EntityList;

pub use json::SCHEMA_VERSION;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// For people: grouped by package, coloured on a terminal.
    Human,
    /// One stable JSON document (schema_version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A Markdown summary for $GITHUB_STEP_SUMMARY or a pull-request comment.
    Markdown,
}

/// `--color`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

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

    /// Styles for stdout under a colour choice: `auto` colours a terminal unless `NO_COLOR` is set
    /// (or `CLICOLOR_FORCE` forces it).
    pub fn for_stdout(choice: ColorChoice) -> Styles {
        use std::io::IsTerminal;
        let env_set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty() && v != "0");
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                !env_set("NO_COLOR") && (env_set("CLICOLOR_FORCE") || io::stdout().is_terminal())
            }
        };
        let mut s = Styles::default();
        if on {
            s.colorize();
        }
        s
    }
}

/// Writes the report of a check.
pub fn write_check(
    out: &mut dyn Write,
    outcome: &Outcome,
    format: Format,
    styles: &Styles,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(out, outcome, styles),
        Format::Json => json::write(out, outcome),
        Format::Sarif => sarif::write(out, outcome),
        Format::Github => github::write(out, outcome),
        Format::Markdown => markdown::write(out, outcome),
    }
}

/// Writes the entity list (`cargo entitycheck list`).
pub fn write_list(
    out: &mut dyn Write,
    lists: &[EntityList],
    format: Format,
    styles: &Styles,
) -> io::Result<()> {
    match format {
        // `list` offers human and JSON (cli::ListOutput); the CI formats are about findings.
        Format::Human | Format::Markdown | Format::Github | Format::Sarif => {
            human::write_list(out, lists, styles)
        }
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
    match format {
        Format::Json => json::write_explain(out, outcome),
        _ => human::write_explain(out, outcome, styles),
    }
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

/// A progress bar on stderr while packages are scanned; shown only on a terminal.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub fn new(len: u64, wanted: bool) -> Progress {
        use std::io::IsTerminal;
        if !wanted || !io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} screening [{bar:30}] {pos}/{len} {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Progress(Some(bar))
    }

    pub fn inc(&self, name: &str) {
        if let Some(b) = &self.0 {
            b.set_message(name.to_string());
            b.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Writes an error of the tool or its input to stderr.
pub fn write_error(err: &dyn std::fmt::Display) {
    let mut styles = Styles::default();
    use std::io::IsTerminal;
    if io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        styles.colorize();
    }
    // Messages quote file names and file contents: escaped, so a file cannot drive the terminal.
    let _ = writeln!(
        io::stderr(),
        "{}: {}",
        owo_colors::OwoColorize::style(&"error", styles.fail),
        escape::escape_lines(&err.to_string())
    );
}

/// Writes a note to stderr.
pub fn write_note(msg: &dyn std::fmt::Display) {
    let _ = writeln!(io::stderr(), "{}", escape::escape_lines(&msg.to_string()));
}

/// Writes a warning to stderr.
pub fn write_warning(msg: &dyn std::fmt::Display) {
    let _ = writeln!(
        io::stderr(),
        "warning: {}",
        escape::escape_lines(&msg.to_string())
    );
}
