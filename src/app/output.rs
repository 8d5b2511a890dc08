//! The app, output: colour decisions for the terminal, messages on stderr, and the progress bar
//! and timings the library reports through its `Observer`.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use cargo_entitycheck::config::ColorChoice;
use cargo_entitycheck::pipeline::Observer;
use cargo_entitycheck::report::Styles;
use cargo_entitycheck::report::escape::escape_lines;

/// Whether to colour a stream under a colour choice, as cargo does: `--color`/`[output] color`
/// `always` or `never` decide; under `auto`, `CARGO_TERM_COLOR` (`always`, `never`, `auto`),
/// then `NO_COLOR`, then `CLICOLOR_FORCE`, then `CLICOLOR=0`, and finally a terminal that is not
/// `TERM=dumb` (read by `anstyle-query`, the detection anstream uses).
pub fn color_on(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => return true,
        ColorChoice::Never => return false,
        ColorChoice::Auto => {}
    }
    match std::env::var("CARGO_TERM_COLOR").as_deref().map(str::trim) {
        Ok("always") => return true,
        Ok("never") => return false,
        _ => {}
    }
    if anstyle_query::no_color() {
        return false;
    }
    if anstyle_query::clicolor_force() {
        return true;
    }
    if anstyle_query::clicolor() == Some(false) {
        return false;
    }
    terminal && anstyle_query::term_supports_color()
}

/// Styles for stdout under a colour choice (see [`color_on`]).
pub fn styles_for_stdout(choice: ColorChoice) -> Styles {
    let mut s = Styles::default();
    if color_on(choice, io::stdout().is_terminal()) {
        s.colorize();
    }
    s
}

/// Writes an error of the tool or its input to stderr.
pub fn error(err: &dyn std::fmt::Display) {
    let mut styles = Styles::default();
    if color_on(ColorChoice::Auto, io::stderr().is_terminal()) {
        styles.colorize();
    }
    // Messages quote file names and file contents: escaped, so a file cannot drive the terminal.
    let _ = writeln!(
        io::stderr(),
        "{}: {}",
        owo_colors::OwoColorize::style(&"error", styles.fail),
        escape_lines(&err.to_string())
    );
}

/// Writes a note to stderr.
pub fn note(msg: &dyn std::fmt::Display) {
    let _ = writeln!(io::stderr(), "{}", escape_lines(&msg.to_string()));
}

/// Writes a warning to stderr.
pub fn warning(msg: &dyn std::fmt::Display) {
    let _ = writeln!(io::stderr(), "warning: {}", escape_lines(&msg.to_string()));
}

/// What the app shows while the library screens: a progress bar on a terminal (deep scans only,
/// not with `--quiet`), and each stage's time with `-vv` or when `ENTITYCHECK_TIMINGS` is set.
pub struct Progress {
    quiet: bool,
    wanted: bool,
    timings: bool,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Progress {
    /// `wanted`: not `--quiet` (no bar, no notes); `timings`: `-vv`.
    pub fn new(wanted: bool, timings: bool) -> Progress {
        Progress {
            quiet: !wanted,
            wanted: wanted && io::stderr().is_terminal(),
            timings: timings || std::env::var_os("ENTITYCHECK_TIMINGS").is_some(),
            bar: std::sync::OnceLock::new(),
        }
    }
}

impl Observer for Progress {
    fn screening(&self, packages: u64, deep: bool) {
        if !self.wanted || !deep {
            return;
        }
        let bar = indicatif::ProgressBar::new(packages);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} screening [{bar:30}] {pos}/{len} {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        let _ = self.bar.set(bar);
    }

    fn screened(&self, package: &str) {
        if let Some(b) = self.bar.get() {
            b.set_message(package.to_string());
            b.inc(1);
        }
    }

    fn screened_all(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }

    fn note(&self, n: &str) {
        if !self.quiet {
            note(&format_args!("note: {n}"));
        }
    }

    fn lap(&self, what: &str, at: Duration) {
        if self.timings {
            let peak = peak_memory()
                .map(|kib| format!(" (peak memory {} MiB)", kib / 1024))
                .unwrap_or_default();
            note(&format_args!(
                "timing: {what} at {:.3}s{peak}",
                at.as_secs_f64()
            ));
        }
    }
}

/// The process's peak resident memory so far, in KiB, where the system says (Linux).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
