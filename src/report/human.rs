//! Report stage, human: the outcome → a report grouped by package, worst first.

use std::collections::BTreeMap;
use std::io::{self, Write};

use owo_colors::OwoColorize;

use super::Styles;
use super::escape::{Esc, escape};
use super::fmt::path;
use crate::Outcome;
use crate::config::Verbosity;
use crate::entity::{EntityList, short_digest};
use crate::evidence::Evidence;
use crate::graph::SourceKind;
use crate::policy::{Finding, PackageRef, Verdict};

pub fn write(out: &mut dyn Write, o: &Outcome, s: &Styles, verbosity: Verbosity) -> io::Result<()> {
    let quiet = verbosity == Verbosity::Quiet;
    if !quiet {
        header(out, o, s)?;
    }

    // Group by package, packages ordered by their worst verdict, then name and version.
    let mut worst: BTreeMap<&str, Verdict> = BTreeMap::new();
    for f in &o.findings {
        let w = worst.entry(&f.package.id).or_insert(f.verdict);
        *w = (*w).min(f.verdict);
    }
    let mut groups: BTreeMap<(Verdict, &str, &str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in o
        .findings
        .iter()
        .filter(|f| !quiet || f.verdict == Verdict::Fail)
    {
        let p = &f.package;
        groups
            .entry((worst[p.id.as_str()], &p.name, &p.version, &p.id))
            .or_default()
            .push(f);
    }
    for findings in groups.values() {
        writeln!(out)?;
        package_header(out, &findings[0].package, s)?;
        // Findings sharing a verdict, a confidence and the evidence are shown together.
        let mut blocks: Vec<Vec<&Finding>> = Vec::new();
        for f in findings {
            match blocks.iter_mut().find(|b| {
                b[0].verdict == f.verdict
                    && b[0].matched.confidence == f.matched.confidence
                    && b[0].matched.evidence == f.matched.evidence
            }) {
                Some(b) => b.push(f),
                None => blocks.push(vec![f]),
            }
        }
        for b in &blocks {
            finding(out, b, s, verbosity == Verbosity::Verbose)?;
        }
    }

    if !o.not_scanned.is_empty() && (!quiet || o.policy.fail_on_unscanned) {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            "Not scanned (files that could not be read):".style(s.warn)
        )?;
        for n in &o.not_scanned {
            writeln!(
                out,
                "  {} v{}: {}",
                Esc(&n.name),
                Esc(&n.version),
                Esc(&n.reason.to_string())
            )?;
        }
    }
    if !o.ignored_unscanned.is_empty() && !quiet {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            "Not scanned, covered by [[ignore]] entries (not counted):".style(s.dim)
        )?;
        for n in &o.ignored_unscanned {
            writeln!(
                out,
                "  {} v{}: {} (ignored at {})",
                Esc(&n.name),
                Esc(&n.version),
                Esc(&n.reason.to_string()),
                Esc(&n.at)
            )?;
        }
    }
    let unused_ignores = o.unused_ignores();
    if !unused_ignores.is_empty() && !quiet {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            "Unused ignore entries (they matched no finding; remove them or fix them):"
                .style(s.warn)
        )?;
        for i in unused_ignores {
            writeln!(
                out,
                "  {}: package {}, paths {}",
                Esc(&i.at),
                Esc(&i.package),
                Esc(&i.paths.join(", "))
            )?;
        }
    }
    let unused = o.unused_waivers();
    if !unused.is_empty() && !quiet {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            "Unused waivers (they matched no finding; remove them or fix them):".style(s.warn)
        )?;
        for w in unused {
            writeln!(
                out,
                "  {}: package {}{}{}{}",
                Esc(&w.at),
                Esc(&w.package),
                w.version
                    .as_deref()
                    .map(|v| format!(" {}", Esc(v)))
                    .unwrap_or_default(),
                w.entity
                    .as_deref()
                    .map(|e| format!(", entity {}", Esc(e)))
                    .unwrap_or_default(),
                w.evidence
                    .as_deref()
                    .map(|e| format!(", evidence {}", Esc(e)))
                    .unwrap_or_default(),
            )?;
        }
    }
    if verbosity == Verbosity::Verbose && !o.binaries.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            "Binaries and archives inventoried:".style(s.bold)
        )?;
        for b in &o.binaries {
            writeln!(
                out,
                "  {} v{}: {} ({}, {} bytes)",
                Esc(&b.package),
                Esc(&b.version),
                Esc(&b.item.file),
                b.item.kind,
                b.item.bytes
            )?;
        }
    }

    writeln!(out)?;
    summary(out, o, s)?;
    writeln!(out, "{}", super::LIMITS.style(s.dim))?;
    if o.failed() {
        let why: Vec<String> = o.fail_reasons().iter().map(ToString::to_string).collect();
        writeln!(out, "{} {} (exit 1)", "FAIL:".style(s.fail), why.join("; "))
    } else {
        writeln!(out, "{} no failing finding (exit 0)", "PASS:".style(s.ok))
    }
}

fn header(out: &mut dyn Write, o: &Outcome, s: &Styles) -> io::Result<()> {
    for l in &o.lists {
        writeln!(
            out,
            "{} {} packages against {} {} ({}, {}{}) as of {} (US Eastern)",
            "Screened".style(s.bold),
            o.packages_screened,
            l.list.id,
            l.list.version,
            l.list.updated,
            short_digest(&l.list.digest),
            list_age(&l.list),
            o.policy.as_of
        )?;
        if let Some(v) = l.list.stale {
            writeln!(
                out,
                "{} list {} is {} (dated by {}): update it{}",
                if v == crate::entity::Stale::Fail {
                    "FAIL:".style(s.fail)
                } else {
                    "warning:".style(s.warn)
                },
                l.list.id,
                list_age(&l.list).trim_start_matches(", "),
                l.list.dated_by,
                if v == crate::entity::Stale::Fail {
                    " (policy.max-list-age)"
                } else {
                    ""
                }
            )?;
        }
    }
    if let Some(c) = &o.config_origin {
        writeln!(out, "{} {}", "Configuration:".style(s.dim), Esc(c))?;
    }
    Ok(())
}

/// `, 12 days old` (empty when the age is unknown; `undated` when the list carries no date).
fn list_age(l: &crate::entity::ListMeta) -> String {
    match l.age_days {
        _ if l.updated == chrono::NaiveDate::MIN => ", undated".into(),
        Some(d) if d < 0 => ", dated after the as-of date".into(),
        Some(1) => ", 1 day old".into(),
        Some(d) => format!(", {d} days old"),
        None => String::new(),
    }
}

fn summary(out: &mut dyn Write, o: &Outcome, s: &Styles) -> io::Result<()> {
    let sum = o.summary();
    let lists: Vec<String> = o
        .lists
        .iter()
        .map(|l| format!("{} {}", l.list.id, l.list.version))
        .collect();
    let scan = if o.scan.deep {
        format!(
            "{} files ({}) deep-scanned, {} packages from cache, {} binaries",
            o.scan.files,
            human_bytes(o.scan.bytes),
            o.scan.cached,
            o.binaries.len()
        )
    } else if o.scan.sbom_documents > 0 {
        match o.scan.sbom_documents {
            1 => "1 bill of materials read".to_string(),
            n => format!("{n} bills of materials read"),
        }
    } else {
        "manifest only (--no-deep)".to_string()
    };
    // `--index`: said only when one was given, so the line stays as it was otherwise.
    let scan = match &o.scan.index {
        Some(i) if i.used => format!("{scan}, {} packages from the sweep index", i.packages),
        Some(i) => format!(
            "{scan}; sweep index not used ({})",
            i.refused.as_deref().unwrap_or("refused")
        ),
        None => scan,
    };
    writeln!(
        out,
        "{} {} packages screened; {} failing, {} warnings, {} waived, {}{} exempt, {} informational; {} not scanned; {scan}; list {}; {:.2}s",
        "Summary:".style(s.bold),
        o.packages_screened,
        sum.fail,
        sum.warn,
        sum.waived,
        // Shown once there are any, so the line stays as it was for projects without ignores.
        if sum.ignored > 0 {
            format!("{} ignored (test data), ", sum.ignored)
        } else {
            String::new()
        },
        sum.exempt,
        sum.info,
        o.not_scanned.len(),
        lists.join(", "),
        o.elapsed.as_secs_f64()
    )
}

fn human_bytes(b: u64) -> String {
    match b {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

fn package_header(out: &mut dyn Write, p: &PackageRef, s: &Styles) -> io::Result<()> {
    let source = match &p.source {
        SourceKind::Workspace => "workspace member".to_string(),
        SourceKind::Path => "path".to_string(),
        SourceKind::Registry { url } => format!("registry {}", Esc(registry_name(url))),
        SourceKind::Git { url } => format!("git {}", Esc(url.trim_start_matches("git+"))),
        SourceKind::Vendored { url } => format!("vendored from {}", Esc(registry_name(url))),
    };
    writeln!(
        out,
        "{} {} ({}, {})",
        escape(&p.name).style(s.package),
        format!("v{}", Esc(&p.version)).style(s.package),
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

/// One piece of evidence with every identifier it matched under one verdict: printed once,
/// so a certificate subject naming both a company and its group is one block, not three.
fn finding(out: &mut dyn Write, group: &[&Finding], s: &Styles, verbose: bool) -> io::Result<()> {
    let f = group[0];
    let m = &f.matched;
    let (label, style) = match f.verdict {
        Verdict::Fail => ("error", s.fail),
        Verdict::Warn => ("warning", s.warn),
        Verdict::Waived => ("waived", s.dim),
        Verdict::Exempt => ("exempt", s.dim),
        Verdict::Info => ("note", s.dim),
        Verdict::Ignored => ("ignored", s.dim),
    };
    let strength = match m.confidence {
        crate::matching::Confidence::Mention => "mention".to_string(),
        c => format!("{} attribution", c.as_str()),
    };
    let mut entities: Vec<std::borrow::Cow<'_, str>> = group
        .iter()
        .map(|g| escape(&g.matched.entity.name))
        .collect();
    entities.dedup();
    writeln!(
        out,
        "  {}: {} ({strength})",
        label.style(style),
        entities.join(", ").style(s.entity)
    )?;
    let full = verbose
        || matches!(
            f.verdict,
            Verdict::Fail | Verdict::Warn | Verdict::Waived | Verdict::Ignored
        );
    writeln!(out, "    evidence: {}", evidence(&m.evidence))?;
    if full {
        for (i, g) in group.iter().enumerate() {
            let id = &g.matched.identifier;
            writeln!(
                out,
                "    {} {} {}",
                if i == 0 { "matched: " } else { "         " },
                g.matched.rule,
                format!(
                    "[{} \"{}\", {}, {}]",
                    id.kind.as_str(),
                    Esc(&id.value),
                    Esc(&id.source),
                    id.grade.as_str()
                )
                .style(s.dim)
            )?;
        }
        writeln!(out, "    path:     {}", path(&f.path))?;
    }
    let mut reasons: Vec<&str> = group.iter().map(|g| g.reason.as_str()).collect();
    reasons.sort();
    reasons.dedup();
    for r in reasons {
        writeln!(out, "    why:      {}", Esc(r))?;
    }
    Ok(())
}

fn evidence(e: &Evidence) -> String {
    // The field (`metadata.<key>`), the file and the text all come from the package.
    let text = format!("{:?}", e.text);
    let field = e.field.name();
    let (field, text) = (Esc(&field), Esc(&text));
    match &e.location {
        Some(loc) => match loc.line {
            Some(line) => format!("{field} at {}:{line}: {text}", Esc(&loc.file)),
            None => format!("{field} in {}: {text}", Esc(&loc.file)),
        },
        None => format!("{field} = {text}"),
    }
}

pub fn write_list(out: &mut dyn Write, lists: &[EntityList], s: &Styles) -> io::Result<()> {
    for l in lists {
        writeln!(out, "{}", l.list.title.style(s.bold))?;
        writeln!(
            out,
            "  list {} version {} updated {}{} (dated by {}) ({}) from {}",
            l.list.id,
            l.list.version,
            l.list.updated,
            list_age(&l.list),
            l.list.dated_by,
            l.list.digest,
            l.list.origin
        )?;
        if let Some(v) = l.list.stale {
            writeln!(out, "  {}: older than the policy allows", v.as_str())?;
        }
        for n in &l.list.notes {
            writeln!(out, "  note: {n}")?;
        }
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
            writeln!(out, "    restricts: {}", p.restricts)?;
            for d in &p.dates {
                writeln!(
                    out,
                    "    from {}: {} [{}, {}]",
                    d.date, d.text, d.source, d.grade
                )?;
            }
            if p.dates.is_empty() && p.gate != crate::entity::Gate::Fail {
                writeln!(out, "    a listing here: {:?} at most", p.gate)?;
            }
            for e in &p.covered {
                writeln!(
                    out,
                    "    covered ({}): {} [{}, {}]",
                    e.category, e.text, e.source, e.grade
                )?;
            }
            for e in &p.exempt {
                writeln!(
                    out,
                    "    exempt ({}): {}{} [{}, {}]",
                    e.category,
                    e.text,
                    if e.executable {
                        ""
                    } else {
                        " (never executable code)"
                    },
                    e.source,
                    e.grade
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
            if !e.status.is_empty() {
                let st = &e.status;
                let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
                let parts: Vec<String> = [
                    // An imported entry without a listing date says so: never a guessed date.
                    Some(d(st.from).map_or_else(
                        || "listing date unknown".to_string(),
                        |x| format!("listed from {x}"),
                    )),
                    d(st.until).map(|x| format!("until {x}")),
                    d(st.last_seen).map(|x| format!("last seen {x}")),
                    st.why.as_deref().map(str::to_string),
                    st.licence.clone().map(|x| format!("licence: {x}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                writeln!(out, "    status:  {}", parts.join("; "))?;
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
            for d in &e.domain_labels {
                writeln!(
                    out,
                    "    domain:  {}.<country-code suffix> [{}, {}]",
                    d.label, d.source, d.grade
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
                "  {} — {}: {} [{}]{}{}",
                src.id,
                src.title,
                src.citation,
                src.grade,
                src.url
                    .as_deref()
                    .map(|u| format!(" <{u}>"))
                    .unwrap_or_default(),
                // A source whose reading was not dated says so: never the list's own date.
                src.read.map_or_else(
                    || " (read: date unknown)".to_string(),
                    |d| format!(" (read {d})")
                )
            )?;
        }
    }
    Ok(())
}

/// `explain`: everything about the named package(s).
pub fn write_explain(out: &mut dyn Write, o: &Outcome, s: &Styles) -> io::Result<()> {
    header(out, o, s)?;
    for e in &o.explained {
        writeln!(out)?;
        write!(out, "{} ", "Package".style(s.bold))?;
        package_header(out, &e.package, s)?;
        writeln!(out, "  id:        {}", Esc(&e.package.id))?;
        writeln!(out, "  directory: {}", Esc(e.dir.as_str()))?;
        writeln!(
            out,
            "\n  {} ({}{})",
            "Paths into the build".style(s.bold),
            e.paths.len(),
            if e.paths_truncated {
                ", more not shown"
            } else {
                ""
            }
        )?;
        for p in &e.paths {
            writeln!(out, "    {}", path(p))?;
        }
        writeln!(
            out,
            "\n  {} ({})",
            "Evidence".style(s.bold),
            e.evidence.len()
        )?;
        for ev in &e.evidence {
            let role = match ev.role {
                crate::evidence::Role::Attribution => "attribution",
                crate::evidence::Role::Mention => "mention",
            };
            writeln!(out, "    [{role}] {}", evidence(ev))?;
        }
        writeln!(
            out,
            "\n  {} ({})",
            "Matches".style(s.bold),
            e.findings.len()
        )?;
        if e.findings.is_empty() {
            writeln!(
                out,
                "    none: no evidence matched an identifier of the lists in use"
            )?;
        }
        for f in &e.findings {
            let m = &f.matched;
            let style = match f.verdict {
                Verdict::Fail => s.fail,
                Verdict::Warn => s.warn,
                _ => s.dim,
            };
            writeln!(
                out,
                "    {} {} ({}, list {})",
                f.verdict.as_str().to_uppercase().style(style),
                escape(&m.entity.name).style(s.entity),
                m.confidence.as_str(),
                m.entity.list_id
            )?;
            writeln!(out, "      evidence:   {}", evidence(&m.evidence))?;
            writeln!(
                out,
                "      normalised: {}",
                Esc(&format!("{:?}", m.normalized))
            )?;
            writeln!(
                out,
                "      identifier: {} {} (matched {}) [{}, {}]",
                m.identifier.kind.as_str(),
                Esc(&format!("{:?}", m.identifier.value)),
                Esc(&format!("{:?}", m.matched)),
                m.identifier.source,
                m.identifier.grade
            )?;
            if let Some(c) = &m.identifier.category {
                writeln!(out, "      category:   {c}")?;
            }
            writeln!(out, "      rule:       {}", m.rule)?;
            for d in &f.dates {
                writeln!(
                    out,
                    "      date:       {} {} from {} ({} once in force): {}",
                    d.programme,
                    d.effect,
                    d.date,
                    match d.gate {
                        crate::entity::Gate::Fail => "fails",
                        crate::entity::Gate::Warn => "warns",
                        crate::entity::Gate::Info => "informs",
                    },
                    if d.in_force { "in force" } else { "not yet" }
                )?;
            }
            if let Some(w) = &f.waiver {
                writeln!(
                    out,
                    "      waiver:     {}{}: {}{}{}{}",
                    Esc(&w.at),
                    if w.expired { " (expired)" } else { "" },
                    Esc(&w.reason),
                    w.basis
                        .as_deref()
                        .map(|b| format!(", basis: {}", Esc(b)))
                        .unwrap_or_default(),
                    w.approved_by
                        .as_deref()
                        .map(|a| format!(", approved by {}", Esc(a)))
                        .unwrap_or_default(),
                    w.expires
                        .map(|d| format!(", expires {d}"))
                        .unwrap_or_default()
                )?;
            }
            writeln!(out, "      decision:   {}", Esc(&f.reason))?;
        }
        if !e.binaries.is_empty() {
            writeln!(
                out,
                "\n  {} ({})",
                "Binaries and archives".style(s.bold),
                e.binaries.len()
            )?;
            for b in &e.binaries {
                writeln!(out, "    {} ({}, {} bytes)", Esc(&b.file), b.kind, b.bytes)?;
            }
        }
        if e.not_scanned.is_some() || !e.skipped.is_empty() {
            writeln!(out, "\n  {}", "Not read".style(s.bold))?;
            if let Some(n) = &e.not_scanned {
                writeln!(out, "    {}", Esc(n))?;
            }
            for k in &e.skipped {
                writeln!(out, "    {}: {}", Esc(&k.file), Esc(&k.reason))?;
            }
        }
    }
    Ok(())
}
