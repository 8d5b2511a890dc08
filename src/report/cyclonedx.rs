//! Report stage, CycloneDX: an outcome's inventory and findings → a CycloneDX 1.6 JSON bill of
//! materials. Every screened package is a component (`pkg:cargo` purl, the `Cargo.lock`
//! checksum, its manifest's authors and references, its registry owners as supplier when
//! `--owners` read them), the resolved dependency graph, the screening's verdict in
//! `cargo-entitycheck:` properties, and each finding as a VEX-style vulnerability analysis.
//!
//! Deterministic: no clock (the timestamp is the as-of date), no random serial number (it is
//! derived from the content), components and findings in the outcome's sorted order.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Outcome;
use crate::evidence::{Field, Shape};
use crate::graph::{DepKind, SourceKind};
use crate::outcome::{Inventoried, fingerprint};
use crate::policy::{Finding, Rule, Verdict};
use crate::sbom::cyclonedx::PROPERTY_PREFIX;

/// Writes the bill of materials.
pub fn write(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &bom(o))?;
    writeln!(out)
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({"name": format!("{PROPERTY_PREFIX}{name}"), "value": value.into()})
}

/// The package URL of a crate: its registry or git repository as a qualifier when it is not
/// crates.io.
fn purl(p: &crate::policy::PackageRef) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let base = format!("pkg:cargo/{}@{}", p.name, p.version);
    let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    match &p.source {
        SourceKind::Registry { url } | SourceKind::Vendored { url }
            if !url.contains("github.com/rust-lang/crates.io-index")
                && !url.contains("index.crates.io") =>
        {
            let url = url
                .trim_start_matches("registry+")
                .trim_start_matches("sparse+");
            format!("{base}?repository_url={}", enc(url))
        }
        SourceKind::Git { url } => format!("{base}?vcs_url={}", enc(url)),
        _ => base,
    }
}

fn source_name(s: &SourceKind) -> &'static str {
    match s {
        SourceKind::Workspace => "workspace",
        SourceKind::Path => "path",
        SourceKind::Registry { .. } => "registry",
        SourceKind::Git { .. } => "git",
        SourceKind::Vendored { .. } => "vendored",
    }
}

/// `Name <email>` → a CycloneDX organisational contact.
fn contact(text: &str) -> Value {
    match text.rsplit_once('<') {
        Some((name, rest)) if rest.ends_with('>') => {
            let email = rest.trim_end_matches('>').trim();
            let name = name.trim();
            let mut c = serde_json::Map::new();
            if !name.is_empty() {
                c.insert("name".into(), name.into());
            }
            if !email.is_empty() {
                c.insert("email".into(), email.into());
            }
            Value::Object(c)
        }
        _ => json!({"name": text.trim()}),
    }
}

/// What a finding says in VEX terms: the analysis state, a standard justification where one
/// fits, and ours.
fn analysis(f: &Finding) -> Option<(&'static str, Option<&'static str>, &'static str)> {
    Some(match f.verdict {
        Verdict::Fail => ("exploitable", None, "restricted"),
        Verdict::Warn if f.decided_by == Rule::DevOnly => {
            ("not_affected", Some("code_not_present"), "dev-only")
        }
        Verdict::Warn => ("in_triage", None, "warning"),
        Verdict::Waived => ("not_affected", None, "waived"),
        Verdict::Exempt => ("not_affected", None, "exempt"),
        Verdict::Ignored => ("not_affected", Some("code_not_present"), "ignored"),
        Verdict::Info => return None,
    })
}

fn component(
    c: &Inventoried,
    bom_ref: &str,
    findings: &[&Finding],
) -> serde_json::Map<String, Value> {
    let p = &c.package;
    let mut m = serde_json::Map::new();
    let kind = if p.kind == DepKind::Member {
        "application"
    } else {
        "library"
    };
    m.insert("type".into(), kind.into());
    m.insert("bom-ref".into(), bom_ref.into());
    m.insert("name".into(), p.name.clone().into());
    m.insert("version".into(), p.version.clone().into());
    let field = |f: Field| c.evidence.iter().filter(move |e| e.field == f);
    let authors: Vec<Value> = field(Field::Authors).map(|e| contact(&e.text)).collect();
    // The registry's owners publish the crate: its supplier, when `--owners` read them.
    let owner_names: Vec<&str> = c
        .evidence
        .iter()
        .filter(|e| e.field.registry().is_some_and(|r| r.name))
        .map(|e| e.text.as_str())
        .collect();
    let owner_urls: Vec<&str> = c
        .evidence
        .iter()
        .filter(|e| e.field.registry().is_some() && e.shape == Shape::Url)
        .map(|e| e.text.as_str())
        .collect();
    if !owner_names.is_empty() || !owner_urls.is_empty() {
        let mut s = serde_json::Map::new();
        if !owner_names.is_empty() {
            s.insert("name".into(), owner_names.join(", ").into());
        }
        let urls: Vec<&str> = owner_urls
            .iter()
            .copied()
            .filter(|u| u.contains("://"))
            .collect();
        if !urls.is_empty() {
            s.insert("url".into(), json!(urls));
        }
        m.insert("supplier".into(), Value::Object(s));
    }
    if !authors.is_empty() {
        m.insert("authors".into(), Value::Array(authors));
    }
    if let Some(d) = field(Field::Description).next() {
        m.insert("description".into(), d.text.clone().into());
    }
    if p.kind == DepKind::Dev {
        m.insert("scope".into(), "excluded".into());
    } else {
        m.insert("scope".into(), "required".into());
    }
    if let Some(sum) = &c.checksum {
        m.insert("hashes".into(), json!([{"alg": "SHA-256", "content": sum}]));
    }
    if let Some(l) = field(Field::License).next() {
        m.insert("licenses".into(), json!([{"expression": l.text}]));
    }
    m.insert("purl".into(), purl(p).into());
    let mut refs: Vec<Value> = Vec::new();
    for (f, ty) in [
        (Field::Repository, "vcs"),
        (Field::Homepage, "website"),
        (Field::Documentation, "documentation"),
    ] {
        for e in field(f) {
            refs.push(json!({"type": ty, "url": e.text}));
        }
    }
    if let SourceKind::Git { url } = &p.source {
        refs.push(json!({"type": "vcs", "url": url}));
    }
    if matches!(&p.source, SourceKind::Registry { url } if url.contains("crates.io")) {
        refs.push(json!({
            "type": "distribution",
            "url": format!("https://crates.io/crates/{}/{}", p.name, p.version)
        }));
    }
    refs.dedup();
    if !refs.is_empty() {
        m.insert("externalReferences".into(), Value::Array(refs));
    }
    // Notice lines found in the package's files are copyright evidence.
    let mut notices: Vec<&str> = findings
        .iter()
        .filter(|f| matches!(f.matched.evidence.field, Field::Notice))
        .map(|f| f.matched.evidence.text.as_str())
        .collect();
    notices.sort();
    notices.dedup();
    if !notices.is_empty() {
        let texts: Vec<Value> = notices.iter().map(|t| json!({"text": t})).collect();
        m.insert("evidence".into(), json!({"copyright": texts}));
    }
    let worst = findings.iter().map(|f| f.verdict).min();
    let mut entities: Vec<&str> = findings
        .iter()
        .map(|f| f.matched.entity.id.as_str())
        .collect();
    entities.sort();
    entities.dedup();
    let mut props = vec![
        prop("kind", p.kind.as_str()),
        prop("source", source_name(&p.source)),
        prop("verdict", worst.map_or("clear", Verdict::as_str)),
    ];
    if !entities.is_empty() {
        props.push(prop("entities", entities.join(",")));
    }
    m.insert("properties".into(), Value::Array(props));
    m
}

fn bom(o: &Outcome) -> Value {
    // References: the purl, made unique when two packages share a name and version.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let refs: Vec<String> = o
        .inventory
        .iter()
        .map(|c| {
            let base = purl(&c.package);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}#{n}") }
        })
        .collect();
    let by_id: BTreeMap<&str, usize> = o
        .inventory
        .iter()
        .enumerate()
        .map(|(i, c)| (c.package.id.as_str(), i))
        .collect();
    let mut findings_of: Vec<Vec<&Finding>> = vec![Vec::new(); o.inventory.len()];
    for f in &o.findings {
        if let Some(&i) = by_id.get(f.package.id.as_str()) {
            findings_of[i].push(f);
        }
    }
    let members: Vec<usize> = (0..o.inventory.len())
        .filter(|&i| o.inventory[i].package.kind == DepKind::Member)
        .collect();
    let mut deps: Vec<Vec<&str>> = vec![Vec::new(); o.inventory.len()];
    for &(from, to, _) in &o.edges {
        if let (Some(d), Some(r)) = (deps.get_mut(from), refs.get(to)) {
            d.push(r.as_str());
        }
    }
    let mut components = Vec::new();
    let mut dependencies = Vec::new();
    // One member is the product; several are parts of a workspace product.
    let root: Value = match members.as_slice() {
        [one] => Value::Object(component(
            &o.inventory[*one],
            &refs[*one],
            &findings_of[*one],
        )),
        _ => {
            let name = o
                .workspace_root
                .file_name()
                .unwrap_or("workspace")
                .to_string();
            let member_refs: Vec<&str> = members.iter().map(|&i| refs[i].as_str()).collect();
            dependencies.push(json!({"ref": "workspace", "dependsOn": member_refs}));
            json!({"type": "application", "bom-ref": "workspace", "name": name})
        }
    };
    for (i, c) in o.inventory.iter().enumerate() {
        if !(members.len() == 1 && members[0] == i) {
            components.push(Value::Object(component(c, &refs[i], &findings_of[i])));
        }
        let mut d = deps[i].clone();
        d.sort();
        d.dedup();
        dependencies.push(json!({"ref": refs[i], "dependsOn": d}));
    }
    let mut vulnerabilities = Vec::new();
    for f in &o.findings {
        let Some((state, justification, ours)) = analysis(f) else {
            continue;
        };
        let Some(&i) = by_id.get(f.package.id.as_str()) else {
            continue;
        };
        let m = &f.matched;
        let fp = fingerprint(f);
        let mut a = serde_json::Map::new();
        a.insert("state".into(), state.into());
        if let Some(j) = justification {
            a.insert("justification".into(), j.into());
        }
        a.insert("detail".into(), f.reason.clone().into());
        vulnerabilities.push(json!({
            "bom-ref": format!("finding-{fp}"),
            "id": format!("{}/{}", m.entity.list_id, m.entity.id),
            "source": {"name": "cargo-entitycheck"},
            "description": format!(
                "{} attribution to {} ({} `{}`) in {} `{}`",
                m.confidence.as_str(),
                m.entity.name,
                m.identifier.kind.as_str(),
                m.identifier.value,
                m.evidence.field,
                m.evidence.text
            ),
            "analysis": Value::Object(a),
            "affects": [{"ref": refs[i]}],
            "properties": [
                prop("verdict", f.verdict.as_str()),
                prop("justification", ours),
                prop("fingerprint", fp),
                prop("evidence-field", m.evidence.field.to_string()),
            ],
        }));
    }
    let digest = {
        let mut h = Sha256::new();
        h.update(o.policy_digest.as_bytes());
        for r in &refs {
            h.update(r.as_bytes());
            h.update([0]);
        }
        for f in &o.findings {
            h.update(fingerprint(f).as_bytes());
            h.update(f.verdict.as_str().as_bytes());
        }
        hex::encode(h.finalize())
    };
    // A name-based UUID (version 5 layout) of the content: the same product, the same serial.
    let serial = format!(
        "urn:uuid:{}-{}-5{}-{}{}-{}",
        &digest[0..8],
        &digest[8..12],
        &digest[13..16],
        ["8", "9", "a", "b"][usize::from(digest.as_bytes()[16] % 4)],
        &digest[17..20],
        &digest[20..32]
    );
    let lists: Vec<String> = o
        .lists
        .iter()
        .map(|l| format!("{} {}", l.list.id, l.list.version))
        .collect();
    let mut meta_props = vec![
        prop("as-of", o.policy.as_of.to_string()),
        prop("result", if o.failed() { "fail" } else { "pass" }),
        prop("lists", lists.join(", ")),
        prop("policy-digest", o.policy_digest.clone()),
    ];
    meta_props.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let mut doc = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": format!("{}T00:00:00Z", o.policy.as_of),
            "tools": {"components": [{
                "type": "application",
                "name": "cargo-entitycheck",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
            "component": root,
            "properties": meta_props,
        },
        "components": components,
        "dependencies": dependencies,
    });
    if !vulnerabilities.is_empty() {
        doc["vulnerabilities"] = Value::Array(vulnerabilities);
    }
    doc
}
