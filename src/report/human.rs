//! Report stage, human: the outcome → a report grouped by package, worst first.

use std::collections::BTreeMap;
use std::io::{self, Write};

use owo_colors::OwoColorize;

use super::Styles;
use crate::Outcome;
use crate::entity::{EntityList, short_digest};
use crate::evidence::Evidence;
use crate::graph::{PathStep, SourceKind};
use crate::policy::{Finding, PackageRef, Verdict};

pub fn write(out: &mut dyn Write, o: &Outcome, s: &Styles) -> io::Result<()> {
    for l in &o.lists {
        writeln!(
            out,
            "{} {} packages against {} {} ({}, {}) as of {}",
            "Screened".style(s.bold),
            o.packages_screened,
            l.list.id,
            l.list.version,
            l.list.updated,
            short_digest(&l.list.digest),
            o.policy.as_of
        )?;
    }

    // Group by package, packages ordered by their worst verdict, then name and version.
    let mut groups: BTreeMap<(Verdict, &str, &str, &str), Vec<&Finding>> = BTreeMap::new();
    let mut worst: BTreeMap<&str, Verdict> = BTreeMap::new();
    for f in &o.findings {
        let w = worst.entry(&f.package.id).or_insert(f.verdict);
        *w = (*w).min(f.verdict);
    }
    for f in &o.findings {
        let p = &f.package;
        groups
            .entry((worst[p.id.as_str()], &p.name, &p.version, &p.id))
            .or_default()
            .push(f);
    }
    for findings in groups.values() {
        writeln!(out)?;
        package_header(out, &findings[0].package, s)?;
        for f in findings {
            finding(out, f, s, o.verbose)?;
        }
    }

    if !o.not_scanned.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", "Not scanned:".style(s.warn))?;
        for n in &o.not_scanned {
            writeln!(out, "  {} v{}: {}", n.name, n.version, n.reason)?;
        }
    }

    let count = |v: Verdict| o.findings.iter().filter(|f| f.verdict == v).count();
    writeln!(out)?;
    writeln!(
        out,
        "{} {} packages screened; {} failing, {} warnings, {} exempt, {} informational; {} not scanned; {:.2}s",
        "Summary:".style(s.bold),
        o.packages_screened,
        count(Verdict::Fail),
        count(Verdict::Warn),
        count(Verdict::Exempt),
        count(Verdict::Info),
        o.not_scanned.len(),
        o.elapsed.as_secs_f64()
    )?;
    if o.failed() {
        writeln!(
            out,
            "{} the product integrates software attributed to a listed entity (exit 1)",
            "FAIL:".style(s.fail)
        )
    } else {
        writeln!(out, "{} no failing finding (exit 0)", "PASS:".style(s.ok))
    }
}

fn package_header(out: &mut dyn Write, p: &PackageRef, s: &Styles) -> io::Result<()> {
    let source = match &p.source {
        SourceKind::Workspace => "workspace member".to_string(),
        SourceKind::Path => "path".to_string(),
        SourceKind::Registry { url } => format!("registry {}", registry_name(url)),
        SourceKind::Git { url } => format!("git {}", url.trim_start_matches("git+")),
        SourceKind::Vendored { url } => format!("vendored from {}", registry_name(url)),
    };
    writeln!(
        out,
        "{} {} ({}, {})",
        p.name.style(s.package),
        format!("v{}", p.version).style(s.package),
        source,
        p.kind.as_str()
    )
}

fn registry_name(url: &str) -> &str {
    if url.contains("crates.io") {
        "crates.io"
    } else {
        url
    }
}

fn finding(out: &mut dyn Write, f: &Finding, s: &Styles, verbose: bool) -> io::Result<()> {
    let m = &f.matched;
    let (label, style) = match f.verdict {
        Verdict::Fail => ("error", s.fail),
        Verdict::Warn => ("warning", s.warn),
        Verdict::Exempt => ("exempt", s.dim),
        Verdict::Info => ("note", s.dim),
    };
    let strength = match m.confidence {
        crate::matching::Confidence::Mention => "mention".to_string(),
        c => format!("{} attribution", c.as_str()),
    };
    writeln!(
        out,
        "  {}: {} ({strength})",
        label.style(style),
        m.entity.name.style(s.entity),
    )?;
    let full = verbose || matches!(f.verdict, Verdict::Fail | Verdict::Warn);
    writeln!(out, "    evidence: {}", evidence(&m.evidence))?;
    if full {
        writeln!(
            out,
            "    matched:  {} {}",
            m.rule,
            format!(
                "[{} \"{}\", {}, {}]",
                m.identifier.kind.as_str(),
                m.identifier.value,
                m.identifier.source,
                m.identifier.grade.as_str()
            )
            .style(s.dim)
        )?;
        writeln!(out, "    path:     {}", path(&f.path))?;
    }
    writeln!(out, "    why:      {}", f.reason)
}

fn evidence(e: &Evidence) -> String {
    match &e.location {
        Some(loc) => match loc.line {
            Some(line) => format!("{} at {}:{}: {:?}", e.field, loc.file, line, e.text),
            None => format!("{} in {}: {:?}", e.field, loc.file, e.text),
        },
        None => format!("{} = {:?}", e.field, e.text),
    }
}

/// `app v0.1.0 → wrapper v0.2.0 → sdk-sys v0.3.1 (as sdk) [build]`
pub fn path(steps: &[PathStep]) -> String {
    steps
        .iter()
        .map(|st| {
            let mut s = format!("{} v{}", st.name, st.version);
            if let Some(r) = &st.renamed {
                s.push_str(&format!(" (as {r})"));
            }
            if let Some(k) = st.edge.filter(|k| *k != crate::graph::DepKind::Normal) {
                s.push_str(&format!(" [{}]", k.as_str()));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

pub fn write_list(out: &mut dyn Write, lists: &[EntityList], s: &Styles) -> io::Result<()> {
    for l in lists {
        writeln!(out, "{}", l.list.title.style(s.bold))?;
        writeln!(
            out,
            "  list {} version {} updated {} ({}) from {}",
            l.list.id, l.list.version, l.list.updated, l.list.digest, l.list.origin
        )?;
        writeln!(out)?;
        writeln!(out, "{}", "Programmes".style(s.bold))?;
        for p in &l.programmes {
            let src = l
                .source(&p.source)
                .map(|x| x.citation.as_str())
                .unwrap_or(&p.source);
            writeln!(
                out,
                "  {} — {}{}",
                p.id.style(s.package),
                p.title,
                if p.context { " (context)" } else { "" }
            )?;
            writeln!(out, "    source: {src} [{}]", p.grade.as_str())?;
            for d in &p.dates {
                writeln!(
                    out,
                    "    from {}: {} [{}, {}]",
                    d.date, d.text, d.source, d.grade
                )?;
            }
            for e in &p.exempt {
                writeln!(
                    out,
                    "    exempt ({}): {} [{}, {}]",
                    e.category, e.text, e.source, e.grade
                )?;
            }
        }
        writeln!(out)?;
        writeln!(out, "{}", "Entities".style(s.bold))?;
        for e in &l.entities {
            writeln!(
                out,
                "  {} — {} ({}{}{}) [{}, {}]",
                e.id.style(s.package),
                e.name,
                e.kind,
                e.country
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default(),
                e.group
                    .as_deref()
                    .map(|g| format!(", group {g}"))
                    .unwrap_or_default(),
                e.source,
                e.grade
            )?;
            if !e.programmes.is_empty() {
                writeln!(out, "    programmes: {}", e.programmes.join(", "))?;
            }
            for a in &e.aliases {
                writeln!(
                    out,
                    "    alias:   {}{} [{}, {}]",
                    a.name,
                    if a.strength == crate::entity::Strength::Brand {
                        " (brand)"
                    } else {
                        ""
                    },
                    a.source,
                    a.grade
                )?;
            }
            for d in &e.domains {
                writeln!(
                    out,
                    "    domain:  {}{} [{}, {}]",
                    d.domain,
                    d.category
                        .as_deref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default(),
                    d.source,
                    d.grade
                )?;
            }
            for o in &e.orgs {
                writeln!(
                    out,
                    "    org:     {}/{} [{}, {}]",
                    o.host, o.name, o.source, o.grade
                )?;
            }
            for sg in &e.signers {
                writeln!(
                    out,
                    "    signer:  {} [{}, {}]",
                    sg.subject, sg.source, sg.grade
                )?;
            }
            for p in &e.products {
                writeln!(
                    out,
                    "    product: {} ({}) [{}, {}]",
                    p.name, p.category, p.source, p.grade
                )?;
            }
        }
        writeln!(out)?;
        writeln!(out, "{}", "Sources".style(s.bold))?;
        for src in &l.sources {
            writeln!(
                out,
                "  {} — {}: {} [{}]{}",
                src.id,
                src.title,
                src.citation,
                src.grade,
                src.url
                    .as_deref()
                    .map(|u| format!(" <{u}>"))
                    .unwrap_or_default()
            )?;
        }
    }
    Ok(())
}
