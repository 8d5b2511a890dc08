//! Report stage, GitHub Actions: the outcome → workflow commands (`::error file=…,line=…::…`)
//! that show as annotations on the pull request.
//!
//! GitHub shows at most 10 error and 10 warning annotations per step and drops the rest without
//! a word: this view writes at most [`MAX_PER_LEVEL`] of each (failing findings first, in the
//! outcome's order), then one notice saying how many more there are and where to read them.

use std::io::{self, Write};

use crate::Outcome;
use crate::config::CiOptions;
use crate::policy::Verdict;

/// GitHub's per-step limit for each of error and warning annotations.
pub const MAX_PER_LEVEL: usize = 10;

/// Escapes a workflow-command message (`%`, CR, LF), and every other control or invisible
/// character as a visible `\u{…}` (the log is shown on a terminal-like page and in raw logs);
/// the older command form `##[` is written `#\u{23}[`, so no runner reads one inside the data.
pub fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace("##[", "#\\u{23}[");
    super::escape::escape(&s).into_owned()
}

/// Escapes a workflow-command property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(out: &mut dyn Write, o: &Outcome, ci: &CiOptions) -> io::Result<()> {
    let (mut errors, mut warnings) = (0usize, 0usize);
    let (mut more_errors, mut more_warnings) = (0usize, 0usize);
    for (f, loc) in o.findings.iter().zip(&o.locations) {
        let command = match f.verdict {
            Verdict::Fail => "error",
            Verdict::Warn => "warning",
            // Waived, exempt, ignored and informational findings are in the other reports.
            _ => continue,
        };
        let (shown, more) = if command == "error" {
            (&mut errors, &mut more_errors)
        } else {
            (&mut warnings, &mut more_warnings)
        };
        if *shown >= MAX_PER_LEVEL {
            *more += 1;
            continue;
        }
        *shown += 1;
        let m = &f.matched;
        let title = format!(
            "entitycheck: {} v{} → {}",
            f.package.name, f.package.version, m.entity.name
        );
        let message = format!(
            "{} attribution: {} {:?}\nmatched {} {} ({})\npath: {}\n{}",
            m.confidence.as_str(),
            m.evidence.field,
            m.evidence.text,
            m.identifier.kind.as_str(),
            m.identifier.value,
            m.identifier.source,
            super::fmt::path(&f.path),
            f.reason
        );
        let line = loc.line.map(|l| format!(",line={l}")).unwrap_or_default();
        writeln!(
            out,
            "::{command} file={}{line},title={}::{}",
            escape_property(&loc.uri),
            escape_property(&title),
            escape_data(&message)
        )?;
    }
    for (n, loc) in o.not_scanned.iter().zip(&o.unscanned_locations) {
        let unscanned_fails = o.policy.fail_on_unscanned;
        let (command, shown, more) = if unscanned_fails {
            ("error", &mut errors, &mut more_errors)
        } else {
            ("warning", &mut warnings, &mut more_warnings)
        };
        if *shown >= MAX_PER_LEVEL {
            *more += 1;
            continue;
        }
        *shown += 1;
        let line = loc.line.map(|l| format!(",line={l}")).unwrap_or_default();
        writeln!(
            out,
            "::{command} file={}{line},title={}::{}",
            escape_property(&loc.uri),
            escape_property(&format!(
                "entitycheck: {} v{} not fully scanned",
                n.name, n.version
            )),
            escape_data(&n.reason.to_string())
        )?;
    }
    if more_errors + more_warnings > 0 {
        let whereto = if ci.full_reports.is_empty() {
            "run `cargo entitycheck` (or write a report with `--output sarif=FILE`) to see them all"
                .to_string()
        } else {
            format!("every finding is in {}", ci.full_reports.join(", "))
        };
        writeln!(
            out,
            "::notice title=cargo-entitycheck (more findings)::{}",
            escape_data(&format!(
                "{more_errors} more errors and {more_warnings} more warnings are not annotated (GitHub shows {MAX_PER_LEVEL} of each per step); {whereto}"
            ))
        )?;
    }
    let sum = o.summary();
    writeln!(
        out,
        "::notice title=cargo-entitycheck::{}",
        escape_data(&format!(
            "{}: {} packages screened, {} failing, {} warnings, {} waived; list {}",
            if o.failed() { "FAIL" } else { "PASS" },
            o.packages_screened,
            sum.fail,
            sum.warn,
            sum.waived,
            o.lists
                .iter()
                .map(|l| format!("{} {}", l.list.id, l.list.version))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% done\nnext\r"), "50%25 done%0Anext%0D");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(
            escape_data("x\u{1b}[2K\u{202e}y\nz"),
            "x\\u{1b}[2K\\u{202e}y%0Az"
        );
    }
}
