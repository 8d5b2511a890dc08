//! Report stage, HTML: the outcome → one self-contained page for auditors and compliance teams,
//! who do not read JSON or terminal output: the verdict and the scope it holds for first, what a
//! pass does not mean, then every finding with its evidence (file and line), dependency path, the
//! list entry and its source, and the waiver or ignore entry that decided it.
//!
//! The page loads nothing: no script, no stylesheet or font or image from anywhere (the style is
//! inline, and a Content-Security-Policy of `default-src 'none'` forbids the rest), so it reads
//! the same offline, attached to an e-mail or printed to PDF. Text from the checked project or a
//! list (names, evidence, paths, reasons) is escaped for HTML, with control and invisible
//! characters made visible first, so a dependency's LICENSE cannot become markup; URLs from
//! lists are shown as text, not links.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape;
use crate::Outcome;
use crate::policy::{Finding, Verdict};

/// `s` made visible (control and invisible characters escaped) and safe as HTML text or a
/// quoted attribute value.
pub fn esc(s: &str) -> String {
    let s = escape::escape(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin:0 0 .4rem}
.verdict{font-size:1.3rem;font-weight:700;padding:.6rem 1rem;border-radius:.3rem;display:inline-block}
.pass{background:#e3f4e1;color:#1d5e1a;border:1px solid #8cc788}.fail{background:#fbe3e1;color:#8a1c12;border:1px solid #e59a92}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;font-weight:600}
code,pre{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.4rem .6rem;white-space:pre-wrap;word-break:break-word;margin:.2rem 0}
.finding{border:1px solid #ccc;border-left-width:.4rem;border-radius:.2rem;padding:.6rem .9rem;margin:.8rem 0;break-inside:avoid}
.finding.v-fail{border-left-color:#c0392b}.finding.v-warn{border-left-color:#d68910}.finding.v-waived,.finding.v-ignored{border-left-color:#7f8c8d}.finding.v-exempt,.finding.v-info{border-left-color:#2e86c1}
.tag{font-size:.8rem;font-weight:700;text-transform:uppercase;padding:.05rem .4rem;border-radius:.2rem;background:#eee;margin-right:.4rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:.3rem 0}dt{font-weight:600;color:#444}dd{margin:0}
.notice{background:#fff8e1;border:1px solid #f0d58c;padding:.6rem 1rem;border-radius:.3rem}
.narrowed{background:#fbe3e1;border:1px solid #e59a92;padding:.4rem .8rem;border-radius:.3rem}
footer{margin-top:2rem;color:#666;font-size:.85rem}
@media print{body{margin:0;max-width:none}.finding{page-break-inside:avoid}}
";

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Fail => "v-fail",
        Verdict::Warn => "v-warn",
        Verdict::Waived => "v-waived",
        Verdict::Ignored => "v-ignored",
        Verdict::Exempt => "v-exempt",
        Verdict::Info => "v-info",
    }
}

/// `text` with every path under `root` made relative to it (a waiver's `at`, a reason quoting
/// it), so the page names files as the repository does and says nothing about the machine it
/// was made on.
fn rel(root: &camino::Utf8Path, text: &str) -> String {
    let root = root.as_str().trim_end_matches(['/', '\\']);
    if root.is_empty() {
        return text.to_string();
    }
    text.replace(&format!("{root}/"), "")
        .replace(&format!("{root}\\"), "")
}

/// What the statement every pass must be read with ([`super::LIMITS`], the same words as every
/// other report and the certificate) means in detail.
const PASS_LIMITS: &[&str] = &[
    "It is not a determination under any regulation: it reports what the screening found against the entity lists named above, as of the date above.",
    "It covers only the scope above: the packages in this dependency graph, on the platforms and with the features screened. Software fetched or installed at run time, services the product calls, and files outside the graph were not screened.",
    "It finds software only by what identifies its maker (manifests, notices, repository and e-mail addresses, signatures and version resources in binaries). Software stripped of such marks, or published under another name, is not found.",
    "It knows only the entities on the lists used. An entity missing from them, or an identifier the lists do not carry, is not matched.",
    "Packages listed as not scanned, findings waived or ignored, and anything the scope leaves out were not held against the product: each is listed in this report with its reason.",
];

/// Writes the page.
pub fn write(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    let mut s = String::new();
    let sum = o.summary();
    let failed = o.failed();
    let verdict = if failed { "FAIL" } else { "PASS" };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>cargo-entitycheck: {verdict}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = writeln!(s, "<h1>Entity screening report</h1>");
    let _ = writeln!(
        s,
        "<p class=\"verdict {}\">{verdict}: {}</p>",
        if failed { "fail" } else { "pass" },
        if failed {
            "the product integrates software attributed to a listed entity, or a check the policy requires did not hold"
        } else {
            "no finding fails the policy"
        }
    );
    let _ = writeln!(
        s,
        "<p>{} packages screened as of {}: {} failing, {} warnings, {} waived, {} ignored, {} exempt, {} informational; {} not scanned.</p>",
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

    scope(&mut s, o);

    let _ = writeln!(
        s,
        "<h2>What a pass does not mean</h2>\n<div class=\"notice\"><ul>"
    );
    let _ = writeln!(s, "<li>{}</li>", esc(super::LIMITS));
    for l in PASS_LIMITS {
        let _ = writeln!(s, "<li>{}</li>", esc(l));
    }
    let _ = writeln!(s, "</ul></div>");

    let _ = writeln!(s, "<h2>Findings ({})</h2>", o.findings.len());
    if o.findings.is_empty() {
        let _ = writeln!(s, "<p>No evidence matched a listed entity.</p>");
    }
    for (i, f) in o.findings.iter().enumerate() {
        finding(&mut s, o, i, f);
    }

    let _ = writeln!(s, "<h2>Not scanned ({})</h2>", o.not_scanned.len());
    if o.not_scanned.is_empty() {
        let _ = writeln!(s, "<p>Every screened package's files were read.</p>");
    } else {
        let _ = writeln!(
            s,
            "<table><tr><th>package</th><th>version</th><th>why</th></tr>"
        );
        for n in &o.not_scanned {
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&n.name),
                esc(&n.version),
                esc(&rel(&o.workspace_root, &n.reason.to_string()))
            );
        }
        let _ = writeln!(s, "</table>");
    }
    if !o.ignored_unscanned.is_empty() {
        let _ = writeln!(
            s,
            "<p>Not scanned, but covered by <code>[[ignore]]</code> entries (not counted):</p>\n<table><tr><th>package</th><th>version</th><th>why</th><th>ignored at</th></tr>"
        );
        for n in &o.ignored_unscanned {
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&n.name),
                esc(&n.version),
                esc(&rel(&o.workspace_root, &n.reason.to_string())),
                esc(&rel(&o.workspace_root, &n.at))
            );
        }
        let _ = writeln!(s, "</table>");
    }
    let _ = writeln!(
        s,
        "<footer>Made by {} {}. This page loads nothing and runs no script.</footer>\n</body>\n</html>",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
    );
    out.write_all(s.as_bytes())
}

fn scope(s: &mut String, o: &Outcome) {
    let sc = &o.scope;
    let _ = writeln!(s, "<h2>Scope</h2>");
    let narrowings = sc.narrowings();
    if !narrowings.is_empty() {
        let _ = writeln!(
            s,
            "<div class=\"narrowed\"><strong>Narrower than a full screening:</strong><ul>"
        );
        for n in &narrowings {
            let _ = writeln!(s, "<li>{}</li>", esc(n));
        }
        let _ = writeln!(s, "</ul></div>");
    }
    let _ = writeln!(s, "<table>");
    let row = |s: &mut String, k: &str, v: String| {
        let _ = writeln!(s, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    let list = |v: &[String], none: &str| {
        if v.is_empty() {
            none.to_string()
        } else {
            v.iter()
                .map(|x| format!("<code>{}</code>", esc(x)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    row(s, "Evaluated as of", o.policy.as_of.to_string());
    for l in &o.lists {
        row(
            s,
            "Entity list",
            format!(
                "<code>{}</code> version {} (updated {}), digest <code>{}</code>",
                esc(&l.list.id),
                esc(&l.list.version),
                l.list.updated,
                esc(&l.list.digest)
            ),
        );
    }
    let d = &sc.deep;
    row(
        s,
        "Deep scan",
        if o.scan.deep {
            let limits = if d.max_file_size > 0 {
                format!(
                    "; files over {} bytes, archives nested deeper than {} or holding more than {} entries or {} bytes are listed as not scanned",
                    d.max_file_size,
                    d.archive_max_depth,
                    d.archive_max_entries,
                    d.archive_max_total_size
                )
            } else {
                String::new()
            };
            let test_data = if d.unpack_test_data {
                "; every archive kept as test data unpacked"
            } else {
                "; archives kept as test data unpacked only where something outside the test data names them (the others' names and stored members read)"
            };
            format!(
                "on: {} files ({} bytes) read{limits}{test_data}",
                o.scan.files, o.scan.bytes
            )
        } else {
            "<strong>off</strong>: only the manifests were read".to_string()
        },
    );
    row(s, "Platforms", list(&sc.targets, "every platform"));
    let f = &sc.features;
    row(
        s,
        "Features",
        format!(
            "{}{}",
            if f.all_features {
                "every feature".to_string()
            } else if f.no_default_features {
                "default features off".to_string()
            } else {
                "default features".to_string()
            },
            if f.features.is_empty() {
                String::new()
            } else {
                format!(", and {}", list(&f.features, ""))
            }
        ),
    );
    row(s, "Members", list(&sc.packages, "the whole workspace"));
    if !sc.exclude.is_empty() {
        row(s, "Members left out", list(&sc.exclude, ""));
    }
    row(
        s,
        "Packages screened",
        format!(
            "{}{}",
            o.packages_screened,
            if sc.packages_digest.is_empty() {
                String::new()
            } else {
                format!(" (digest <code>{}</code>)", esc(&sc.packages_digest))
            }
        ),
    );
    row(
        s,
        "Fails on",
        format!(
            "{} attribution{}{}",
            o.policy
                .fail_on
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if o.policy.dev_dependencies_fail {
                "; dev-dependencies too"
            } else {
                ""
            },
            if o.policy.fail_on_unscanned {
                "; a package not fully scanned"
            } else {
                ""
            }
        ),
    );
    row(
        s,
        "Configuration",
        match &o.config_origin {
            Some(c) => format!("<code>{}</code>", esc(&rel(&o.workspace_root, c))),
            None => "none (the defaults)".into(),
        },
    );
    let _ = writeln!(s, "</table>");
}

fn finding(s: &mut String, o: &Outcome, i: usize, f: &Finding) {
    let m = &f.matched;
    let _ = writeln!(
        s,
        "<section class=\"finding {}\">\n<h3><span class=\"tag\">{}</span><code>{} v{}</code> → {}</h3>\n<dl>",
        verdict_class(f.verdict),
        f.verdict.as_str(),
        esc(&f.package.name),
        esc(&f.package.version),
        esc(&m.entity.name)
    );
    let dd = |s: &mut String, k: &str, v: String| {
        let _ = writeln!(s, "<dt>{k}</dt><dd>{v}</dd>");
    };
    dd(s, "Why", esc(&rel(&o.workspace_root, &f.reason)));
    dd(
        s,
        "Confidence",
        format!(
            "{} ({} {})",
            m.confidence.as_str(),
            m.identifier.kind.as_str(),
            format_args!("<code>{}</code>", esc(&m.identifier.value))
        ),
    );
    let at = match o.locations.get(i) {
        Some(l) => match l.line {
            Some(n) => format!("<code>{}</code> line {n}", esc(&l.uri)),
            None => format!("<code>{}</code>", esc(&l.uri)),
        },
        None => "(no file)".into(),
    };
    dd(
        s,
        "Evidence",
        format!(
            "{} in {at}<pre>{}</pre>",
            format_args!("<code>{}</code>", esc(&m.evidence.field.name())),
            esc(&m.evidence.text)
        ),
    );
    dd(
        s,
        "Dependency path",
        format!("<code>{}</code>", esc(&super::fmt::path(&f.path))),
    );
    // The list entry, and the source its identifier rests on.
    let entry = format!(
        "<code>{}</code> in list <code>{}</code>",
        esc(&m.entity.id),
        esc(&m.entity.list_id)
    );
    let source = o
        .lists
        .iter()
        .filter(|l| l.list.id == m.identifier.list)
        .flat_map(|l| &l.sources)
        .find(|src| src.id == m.identifier.source);
    let source = match source {
        Some(src) => format!(
            "{}{}{}{}",
            esc(&src.title),
            if src.citation.is_empty() {
                String::new()
            } else {
                format!(", {}", esc(&src.citation))
            },
            src.url
                .as_deref()
                .map(|u| format!(", <code>{}</code>", esc(u)))
                .unwrap_or_default(),
            src.read.map(|d| format!(" (read {d})")).unwrap_or_default()
        ),
        None => format!("<code>{}</code>", esc(&m.identifier.source)),
    };
    dd(s, "List entry", entry);
    dd(s, "Source", source);
    if let Some(w) = &f.waiver {
        let kind = if f.verdict == Verdict::Ignored {
            "Ignored by"
        } else if w.expired {
            "Expired waiver"
        } else {
            "Waiver"
        };
        dd(
            s,
            kind,
            format!(
                "<code>{}</code>: {}; approved by {}; {}",
                esc(&rel(&o.workspace_root, &w.at)),
                esc(&w.reason),
                w.approved_by
                    .as_deref()
                    .map(esc)
                    .unwrap_or_else(|| "<strong>nobody named</strong>".into()),
                w.expires
                    .map(|d| format!("expires {d}"))
                    .unwrap_or_else(|| "no expiry".into())
            ),
        );
    }
    let _ = writeln!(s, "</dl>\n</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("a\u{202e}b"), "a\\u{202e}b");
    }
}
