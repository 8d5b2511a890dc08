//! Report stage, Markdown: the outcome → a summary for `$GITHUB_STEP_SUMMARY` or a pull-request
//! comment: the verdict, a table of findings with their dependency paths, the list version.

use std::io::{self, Write};

use crate::Outcome;
use crate::entity::short_digest;
use crate::policy::Verdict;

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn write(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    let sum = o.summary();
    let verdict = if o.failed() {
        "❌ **FAIL**"
    } else {
        "✅ **PASS**"
    };
    writeln!(out, "## cargo-entitycheck: {verdict}\n")?;
    writeln!(
        out,
        "{} packages screened as of {}: {} failing, {} warnings, {} waived, {} exempt, {} informational, {} not scanned.\n",
        o.packages_screened,
        o.policy.as_of,
        sum.fail,
        sum.warn,
        sum.waived,
        sum.exempt,
        sum.info,
        o.not_scanned.len()
    )?;
    for l in &o.lists {
        writeln!(
            out,
            "Entity list: `{}` version {} (updated {}, `{}`).",
            l.list.id,
            l.list.version,
            l.list.updated,
            short_digest(&l.list.digest)
        )?;
    }
    let shown: Vec<_> = o
        .findings
        .iter()
        .filter(|f| matches!(f.verdict, Verdict::Fail | Verdict::Warn | Verdict::Waived))
        .collect();
    if !shown.is_empty() {
        writeln!(
            out,
            "\n| Verdict | Package | Entity | Evidence | Dependency path |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for f in shown {
            let m = &f.matched;
            let ev = match &m.evidence.location {
                Some(l) => format!(
                    "{} in `{}`: {}",
                    m.evidence.field,
                    cell(&l.file),
                    cell(&m.evidence.text)
                ),
                None => format!("{}: {}", m.evidence.field, cell(&m.evidence.text)),
            };
            writeln!(
                out,
                "| {} | `{} v{}` ({}) | {} ({}) | {} | {} |",
                f.verdict.as_str(),
                cell(&f.package.name),
                cell(&f.package.version),
                f.package.kind.as_str(),
                cell(&m.entity.name),
                m.confidence.as_str(),
                ev,
                cell(&super::fmt::path(&f.path))
            )?;
        }
    }
    if !o.not_scanned.is_empty() {
        writeln!(
            out,
            "\n<details><summary>Not scanned ({})</summary>\n",
            o.not_scanned.len()
        )?;
        for n in &o.not_scanned {
            writeln!(
                out,
                "- `{} v{}`: {}",
                cell(&n.name),
                cell(&n.version),
                cell(&n.reason)
            )?;
        }
        writeln!(out, "\n</details>")?;
    }
    let notes = sum.exempt + sum.info;
    if notes > 0 {
        writeln!(
            out,
            "\n{notes} exempt or informational findings are in the JSON and SARIF reports (`cargo entitycheck explain <package>` shows each)."
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_are_escaped() {
        assert_eq!(super::cell("a|b`c\nd<e>"), "a\\|b'c d&lt;e&gt;");
    }
}
