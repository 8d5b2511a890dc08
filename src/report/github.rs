//! Report stage, GitHub Actions: the outcome → workflow commands (`::error file=…,line=…::…`)
//! that show as annotations on the pull request.

use std::io::{self, Write};

use crate::Outcome;
use crate::policy::Verdict;

/// Escapes a workflow-command message (`%`, CR, LF), and every other control or invisible
/// character as a visible `\u{…}` (the log is shown on a terminal-like page and in raw logs).
pub fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    super::escape::escape(&s).into_owned()
}

/// Escapes a workflow-command property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    for (f, loc) in o.findings.iter().zip(&o.locations) {
        let command = match f.verdict {
            Verdict::Fail => "error",
            Verdict::Warn => "warning",
            // Waived, exempt and informational findings are in the other reports, not annotations.
            _ => continue,
        };
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
        let line = loc.line.map(|l| format!(",line={l}")).unwrap_or_default();
        writeln!(
            out,
            "::warning file={}{line},title={}::{}",
            escape_property(&loc.uri),
            escape_property(&format!(
                "entitycheck: {} v{} not fully scanned",
                n.name, n.version
            )),
            escape_data(&n.reason)
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
