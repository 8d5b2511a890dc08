//! Report stage, Markdown: the outcome → a summary for `$GITHUB_STEP_SUMMARY` or a pull-request
//! comment: the verdict, the totals, a `<details>` section per package with each finding, its
//! evidence and dependency path, and waived or ignored rows with their reason and approver.
//!
//! Third-party text (package names, file names, evidence, reasons quoting them) is never
//! Markdown: it goes into code spans or fenced code blocks whose fence is longer than any
//! backtick run inside, and into HTML only escaped, so a dependency's LICENSE cannot become a
//! live link, a remote image or a forged verdict. The whole report stays under [`MAX_BYTES`]
//! (a pull-request comment stops at 65,536 characters): packages beyond it are counted, with a
//! pointer to the full report.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::Outcome;
use crate::config::CiOptions;
use crate::entity::short_digest;
use crate::policy::{Finding, Verdict};

/// The most the report may take, in bytes (so also in characters), leaving room under GitHub's
/// 65,536-character comment limit for what a workflow adds around it.
pub const MAX_BYTES: usize = 60_000;

/// The most of one piece of third-party text shown (the rest is in the other reports).
const MAX_TEXT: usize = 400;

/// Control and invisible characters made visible (line breaks too, unless `lines`), long text
/// cut.
fn clean_with(s: &str, lines: bool) -> String {
    let s: std::borrow::Cow<'_, str> = if lines {
        super::escape::escape_lines(s)
    } else {
        super::escape::escape(s)
    };
    if s.chars().count() > MAX_TEXT {
        let cut: String = s.chars().take(MAX_TEXT).collect();
        format!("{cut} …")
    } else {
        s.into_owned()
    }
}

fn clean(s: &str) -> String {
    clean_with(s, false)
}

/// The longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// `s` as an inline code span: on one line (a blank line would end the span and let the rest
/// be read as Markdown), delimited by more backticks than any run inside.
pub fn code(s: &str) -> String {
    let s = clean(s).replace(['\r', '\n'], " ");
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    // Padding keeps a leading or trailing backtick from joining the delimiter.
    format!("{ticks} {s} {ticks}")
}

/// `s` as a fenced code block, fenced by more backticks than any run inside (at least three).
pub fn code_block(s: &str) -> String {
    let s = clean_with(s, true);
    let fence = "`".repeat((longest_backtick_run(&s) + 1).max(3));
    format!("{fence}text\n{s}\n{fence}\n")
}

/// `s` escaped for HTML text (inside `<summary>`, where Markdown is not read).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).replace(['\r', '\n'], " ").chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Markdown emphasis and links inside HTML blocks are not read, but a renderer that
            // does read them finds nothing to act on.
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            '`' => out.push_str("&#96;"),
            c => out.push(c),
        }
    }
    out
}

fn shown(f: &Finding) -> bool {
    matches!(
        f.verdict,
        Verdict::Fail | Verdict::Warn | Verdict::Waived | Verdict::Ignored
    )
}

fn icon(v: Verdict) -> &'static str {
    match v {
        Verdict::Fail => "❌",
        Verdict::Warn => "⚠️",
        Verdict::Waived => "☑️",
        Verdict::Ignored => "🧪",
        Verdict::Exempt | Verdict::Info => "ℹ️",
    }
}

/// One package's section: a `<details>` with its findings, as many as fit in `budget` bytes
/// (the rest counted); with how many findings it shows.
fn package_section(findings: &[&Finding], budget: usize) -> (String, usize) {
    let first = findings[0];
    let mut s = String::new();
    let worst = findings
        .iter()
        .map(|f| f.verdict)
        .min()
        .unwrap_or(Verdict::Info);
    let count = |v: Verdict| findings.iter().filter(|f| f.verdict == v).count();
    let counts: Vec<String> = [
        (Verdict::Fail, "failing"),
        (Verdict::Warn, "warnings"),
        (Verdict::Waived, "waived"),
        (Verdict::Ignored, "ignored"),
    ]
    .iter()
    .filter(|(v, _)| count(*v) > 0)
    .map(|(v, what)| format!("{} {what}", count(*v)))
    .collect();
    let _ = writeln!(
        s,
        "<details{}><summary>{} <code>{} v{}</code> ({}): {}</summary>\n",
        if worst == Verdict::Fail { " open" } else { "" },
        icon(worst),
        html(&first.package.name),
        html(&first.package.version),
        first.package.kind.as_str(),
        counts.join(", ")
    );
    let closing = "</details>\n\n";
    let mut n_shown = 0;
    for f in findings {
        let before = s.len();
        let m = &f.matched;
        let _ = writeln!(
            s,
            "- {} **{}** → {} ({}), matched {} {}",
            icon(f.verdict),
            f.verdict.as_str(),
            code(&m.entity.name),
            m.confidence.as_str(),
            m.identifier.kind.as_str(),
            code(&m.identifier.value),
        );
        let at = match &m.evidence.location {
            Some(l) => match l.line {
                Some(line) => format!(" in {} line {line}", code(&l.file)),
                None => format!(" in {}", code(&l.file)),
            },
            None => String::new(),
        };
        let _ = writeln!(s, "- evidence: {}{at}:\n", code(&m.evidence.field.name()));
        s.push_str(&code_block(&m.evidence.text));
        let _ = writeln!(
            s,
            "\n- dependency path: {}",
            code(&super::fmt::path(&f.path))
        );
        let _ = writeln!(s, "- why: {}", code(&f.reason));
        if let Some(w) = &f.waiver {
            let _ = writeln!(
                s,
                "- {} {}{}{}{}{}",
                if f.verdict == Verdict::Ignored {
                    "ignored by"
                } else if w.expired {
                    "expired waiver"
                } else {
                    "waiver"
                },
                code(&w.at),
                format_args!(", reason: {}", code(&w.reason)),
                w.basis
                    .as_deref()
                    .map(|b| format!(", basis: {}", code(b)))
                    .unwrap_or_default(),
                w.approved_by
                    .as_deref()
                    .map(|a| format!(", approved by {}", code(a)))
                    .unwrap_or_else(|| ", approved by nobody named".into()),
                w.expires
                    .map(|d| format!(", expires {d}"))
                    .unwrap_or_default()
            );
        }
        s.push('\n');
        // Room for the closing and the count of the rest.
        if s.len() + closing.len() + 120 > budget {
            s.truncate(before);
            break;
        }
        n_shown += 1;
    }
    if n_shown < findings.len() {
        let _ = writeln!(
            s,
            "**{} more findings of this package are not shown.**\n",
            findings.len() - n_shown
        );
    }
    s.push_str(closing);
    (s, n_shown)
}

pub fn write(out: &mut dyn Write, o: &Outcome, ci: &CiOptions) -> io::Result<()> {
    let sum = o.summary();
    let mut head = String::new();
    let verdict = if o.failed() {
        "❌ **FAIL**"
    } else {
        "✅ **PASS**"
    };
    let _ = writeln!(head, "## cargo-entitycheck: {verdict}\n");
    for why in o.fail_reasons() {
        let _ = writeln!(head, "- fails: {}", code(&why.to_string()));
    }
    if o.failed() {
        head.push('\n');
    }
    let _ = writeln!(
        head,
        "{} packages screened as of {} (a day in US Eastern time): {} failing, {} warnings, {} waived, {} ignored, {} exempt, {} informational, {} not scanned.\n",
        o.packages_screened,
        o.policy.as_of,
        sum.fail,
        sum.warn,
        sum.waived,
        sum.ignored,
        sum.exempt,
        sum.info,
        o.not_scanned.len()
    );
    for l in &o.lists {
        let _ = writeln!(
            head,
            "Entity list: {} version {} (updated {}, {}).",
            code(&l.list.id),
            code(&l.list.version),
            l.list.updated,
            code(short_digest(&l.list.digest))
        );
    }
    head.push('\n');
    let _ = writeln!(head, "_{}_\n", super::LIMITS);

    // Packages in the outcome's order (worst verdict first), each once.
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    for f in o.findings.iter().filter(|f| shown(f)) {
        match groups.iter_mut().find(|g| g[0].package.id == f.package.id) {
            Some(g) => g.push(f),
            None => groups.push(vec![f]),
        }
    }
    let mut tail = String::new();
    if !o.not_scanned.is_empty() {
        let _ = writeln!(
            tail,
            "<details><summary>Not scanned ({})</summary>\n",
            o.not_scanned.len()
        );
        for n in &o.not_scanned {
            let _ = writeln!(
                tail,
                "- {}: {}",
                code(&format!("{} v{}", n.name, n.version)),
                code(&n.reason.to_string())
            );
        }
        tail.push_str("\n</details>\n\n");
    }
    let notes = sum.exempt + sum.info;
    if notes > 0 {
        let _ = writeln!(
            tail,
            "{notes} exempt or informational findings are in the JSON and SARIF reports (`cargo entitycheck explain <package>` shows each)."
        );
    }
    let whereto = if ci.full_reports.is_empty() {
        "run `cargo entitycheck` or write a report with `--output json=FILE`".to_string()
    } else {
        format!("the full report is in {}", ci.full_reports.join(", "))
    };
    // Room for the cut notice (its numbers and paths) beyond the tail.
    let cut_room = 300 + whereto.len();
    let budget = MAX_BYTES.saturating_sub(head.len() + cut_room);
    let mut body = String::new();
    let mut left_out = (0usize, 0usize);
    let mut tail_fits = head.len() + tail.len() + cut_room <= MAX_BYTES;
    let mut cut = false;
    for g in &groups {
        let room = if tail_fits {
            budget.saturating_sub(tail.len())
        } else {
            budget
        };
        let left = room.saturating_sub(body.len());
        // A section needs room for its heading and at least one finding.
        if left_out.0 == 0 && left > 2_000 {
            let (section, n) = package_section(g, left);
            if n > 0 {
                cut |= n < g.len();
                body.push_str(&section);
                continue;
            }
        }
        left_out.0 += 1;
        left_out.1 += g.len();
    }
    if left_out.0 > 0 || cut {
        let _ = writeln!(
            body,
            "**{} more packages with {} findings are not shown** (this summary is kept under {} characters); {}.\n",
            left_out.0, left_out.1, MAX_BYTES, whereto
        );
    }
    if head.len() + body.len() + tail.len() > MAX_BYTES {
        tail_fits = false;
    }
    out.write_all(head.as_bytes())?;
    out.write_all(body.as_bytes())?;
    if tail_fits {
        out.write_all(tail.as_bytes())?;
    } else {
        writeln!(
            out,
            "{} packages were not fully scanned; {whereto}.",
            o.not_scanned.len()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outrun_backticks_and_stay_on_one_line() {
        assert_eq!(code("a``b"), "``` a``b ```");
        assert_eq!(code("x\n\n[y](z)"), "` x\\u{a}\\u{a}[y](z) `");
        assert_eq!(code_block("a\nb"), "```text\na\nb\n```\n");
        assert!(code_block("```\n[x](y)").starts_with("````text\n"));
        assert_eq!(
            html("<a href=\"x\">[t]"),
            "&lt;a href=&quot;x&quot;&gt;&#91;t&#93;"
        );
    }
}
