//! SBOM stage: CycloneDX and SPDX documents → components, each with its evidence (every field
//! that says who made or supplies it) and its path from the product's root, → an [`Outcome`]
//! through the same matcher and policy as a cargo check.
//!
//! The formats are read as JSON values ([`cyclonedx`], [`spdx`]); CycloneDX XML is first turned
//! into the shape of CycloneDX JSON (`xml`), so one reader serves both. No typed model of the
//! whole specification is used: real documents break such models (a missing required field, an
//! unknown enum value, a 1.2 document read by a 1.5 model), and only the attribution fields
//! matter here. What is not an SBOM, or is not well-formed, is an [`InputError`] naming the file
//! and the line.

pub mod cyclonedx;
pub mod spdx;
mod xml;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use camino::{Utf8Path, Utf8PathBuf};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::Request;
use crate::entity::EntityList;
use crate::error::InputError;
use crate::evidence::{Evidence, Field, Role, Shape, clip};
use crate::graph::{DepKind, PathStep, SourceKind};
use crate::matching::Matcher;
use crate::outcome::{Loc, Outcome, ScanTotals};
use crate::policy::{self, Finding, PackageRef, Policy};

/// Which standard and serialisation a document is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    CycloneDxJson { spec: String },
    CycloneDxXml { spec: String },
    Spdx2Json { version: String },
    Spdx2TagValue { version: String },
    Spdx3JsonLd,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Format::CycloneDxJson { spec } => write!(f, "CycloneDX {spec} JSON"),
            Format::CycloneDxXml { spec } => write!(f, "CycloneDX {spec} XML"),
            Format::Spdx2Json { version } => write!(f, "{version} JSON"),
            Format::Spdx2TagValue { version } => write!(f, "{version} tag-value"),
            Format::Spdx3JsonLd => write!(f, "SPDX 3 JSON-LD"),
        }
    }
}

/// One component (or service, or SPDX package or file) of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its reference inside the document (`bom-ref`, `SPDXID`, `spdxId`), or one made from
    /// its position when the document gives none.
    pub key: String,
    pub name: String,
    pub version: String,
    pub purl: Option<String>,
    /// A root of the document (the product it describes).
    pub root: bool,
    /// What the document itself says of its role (`scope: excluded`, our own property), before
    /// the dependency relationships are read.
    pub declared: Option<DepKind>,
    pub evidence: Vec<Evidence>,
    /// Line where it starts, when the serialisation has lines (XML, tag-value).
    pub line: Option<u32>,
}

/// A dependency relationship: `from` needs `to`, in the way `kind` says (normal, build or dev).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: DepKind,
}

/// A parsed document: its components and the relationships between them.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: String,
    pub format: Format,
    pub components: Vec<Component>,
    pub edges: Vec<Edge>,
}

/// A component resolved in its document: how it reaches the product, and the path there.
#[derive(Debug, Clone)]
pub struct Placed {
    pub kind: DepKind,
    pub path: Vec<PathStep>,
}

/// Reads and parses one document.
pub fn read(path: &Utf8Path, limits: &crate::fsio::Limits) -> Result<Document, InputError> {
    let text = crate::fsio::read_text(path, crate::fsio::ReadKind::Metadata, true, limits)
        .map_err(|e| InputError::read(path, e))?;
    parse(&text, path.as_str())
}

/// Parses a document from its text; `file` names it in evidence and errors.
pub fn parse(text: &str, file: &str) -> Result<Document, InputError> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let invalid = |problem: String| InputError::Invalid {
        path: file.to_string(),
        problems: vec![problem],
    };
    if body.starts_with('<') {
        let (value, spec) = xml::to_json(body, file).map_err(invalid)?;
        let mut doc = cyclonedx::read(&value, file, true).map_err(invalid)?;
        doc.format = Format::CycloneDxXml { spec };
        return Ok(doc);
    }
    if body.starts_with('{') {
        let value: Value =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
                invalid(format!(
                    "{file}:{}:{}: not well-formed JSON: {e}",
                    e.line(),
                    e.column()
                ))
            })?;
        if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            return cyclonedx::read(&value, file, false).map_err(invalid);
        }
        if value.get("spdxVersion").is_some() {
            return spdx::read_json(&value, file).map_err(invalid);
        }
        if value.get("@graph").is_some() || value.get("@context").is_some() {
            return spdx::read_jsonld(&value, file).map_err(invalid);
        }
        return Err(invalid(format!(
            "{file}:1: a JSON document that is neither CycloneDX (no `\"bomFormat\": \"CycloneDX\"`) nor SPDX 2 (no `spdxVersion`) nor SPDX 3 (no `@graph`)"
        )));
    }
    if body
        .lines()
        .any(|l| l.trim_start().starts_with("SPDXVersion:"))
    {
        return spdx::read_tag_value(text, file).map_err(invalid);
    }
    let hint = if body.starts_with("spdxVersion:") || body.starts_with("---") {
        " (SPDX YAML is not read: convert it to SPDX JSON, for example with the SPDX tools' `Convert`)"
    } else {
        ""
    };
    Err(invalid(format!(
        "{file}:1: not a CycloneDX (JSON or XML) or SPDX (JSON, tag-value, JSON-LD) document{hint}"
    )))
}

/// Collects a component's evidence: each value trimmed, `NOASSERTION`/`NONE` and empty values
/// left out, clipped to the evidence bound, located in the document.
pub(crate) struct Collector<'a> {
    pub file: &'a str,
    pub out: Vec<Evidence>,
}

impl Collector<'_> {
    /// `at`: a JSON pointer into the document, or the line of the value.
    pub fn add(&mut self, field: &str, role: Role, shape: Shape, text: &str, at: At<'_>) {
        let t = text.trim();
        if t.is_empty() || is_no_assertion(t) {
            return;
        }
        let e = Evidence::new(Field::Sbom(field.to_string()), role, shape, clip(t));
        self.out.push(match at {
            At::Pointer(p) => e.at(format!("{}#{p}", self.file), None),
            At::Line(l) => e.at(self.file, l),
        });
    }

    /// A package URL: its namespace and the qualifiers naming where it comes from are
    /// attribution; a Maven group is its publisher's reversed domain (Maven Central verifies
    /// it), a GitHub namespace its organisation.
    pub fn purl(&mut self, field: &str, purl: &str, at: At<'_>) {
        let Some(p) = Purl::parse(purl) else {
            return;
        };
        if let Some(ns) = &p.namespace {
            self.add(
                &format!("{field} namespace"),
                Role::Attribution,
                Shape::Text,
                ns,
                at,
            );
            match p.kind.as_str() {
                "maven" => {
                    if let Some(host) = reversed_domain(ns) {
                        self.add(
                            &format!("{field} namespace (reversed domain)"),
                            Role::Attribution,
                            Shape::Url,
                            &format!("https://{host}/"),
                            at,
                        );
                    }
                }
                "github" | "gitlab" | "bitbucket" => {
                    let host = format!(
                        "{}.{}",
                        p.kind,
                        if p.kind == "bitbucket" { "org" } else { "com" }
                    );
                    self.add(
                        &format!("{field} namespace"),
                        Role::Attribution,
                        Shape::Url,
                        &format!("https://{host}/{ns}/{}", p.name),
                        at,
                    );
                }
                _ => {}
            }
        }
        // A NuGet id has no namespace: its company prefix is the publisher.
        if p.namespace.is_none()
            && p.kind.eq_ignore_ascii_case("nuget")
            && let Some(company) = crate::evidence::recognise::nuget_company(&p.name)
        {
            self.add(
                &format!("{field} name prefix (nuget)"),
                Role::Attribution,
                Shape::Text,
                company,
                at,
            );
        }
        for (k, v) in &p.qualifiers {
            let where_from = matches!(
                k.as_str(),
                "repository_url" | "download_url" | "vcs_url" | "vendor"
            );
            let shape = if k.ends_with("_url") {
                Shape::Url
            } else {
                Shape::Text
            };
            let role = if where_from {
                Role::Attribution
            } else {
                Role::Mention
            };
            self.add(&format!("{field} qualifier {k}"), role, shape, v, at);
        }
    }

    /// A CPE 2.2 or 2.3 name: the vendor field is attribution, the product a mention.
    pub fn cpe(&mut self, field: &str, cpe: &str, at: At<'_>) {
        let parts: Vec<&str> = if let Some(rest) = cpe.strip_prefix("cpe:2.3:") {
            rest.split(':').collect()
        } else if let Some(rest) = cpe.strip_prefix("cpe:/") {
            rest.split(':').collect()
        } else {
            return;
        };
        let words = |s: &str| s.replace(['_', '\\'], " ");
        if let Some(vendor) = parts.get(1).filter(|v| !matches!(**v, "*" | "-" | "")) {
            self.add(
                &format!("{field} vendor"),
                Role::Attribution,
                Shape::Text,
                &words(vendor),
                at,
            );
        }
        if let Some(product) = parts.get(2).filter(|v| !matches!(**v, "*" | "-" | "")) {
            self.add(
                &format!("{field} product"),
                Role::Mention,
                Shape::Text,
                &words(product),
                at,
            );
        }
    }
}

/// Where a value is in its document.
#[derive(Debug, Clone, Copy)]
pub(crate) enum At<'a> {
    Pointer(&'a str),
    Line(Option<u32>),
}

fn is_no_assertion(t: &str) -> bool {
    t.eq_ignore_ascii_case("NOASSERTION") || t.eq_ignore_ascii_case("NONE")
}

/// `com.example.sdk` → `sdk.example.com`, when it has at least two labels of a host name.
fn reversed_domain(ns: &str) -> Option<String> {
    let labels: Vec<&str> = ns.split('.').collect();
    let ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    ok.then(|| labels.iter().rev().copied().collect::<Vec<_>>().join("."))
}

/// A package URL (`pkg:type/namespace/name@version?qualifiers#subpath`), decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: Vec<(String, String)>,
}

impl Purl {
    pub fn parse(s: &str) -> Option<Purl> {
        let rest = s.trim().strip_prefix("pkg:")?.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
        let (rest, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (kind, path) = rest.split_once('/')?;
        let decode = |x: &str| {
            percent_encoding::percent_decode_str(x)
                .decode_utf8_lossy()
                .to_string()
        };
        let (path, version) = match path.rsplit_once('@') {
            // An npm scope (`@scope/name`) is not a version.
            Some((p, v)) if !p.is_empty() => (p, Some(decode(v))),
            _ => (path, None),
        };
        let path = path.trim_end_matches('/');
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (Some(decode(ns)), decode(n)),
            None => (None, decode(path)),
        };
        let qualifiers = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), decode(v)))
            .collect();
        Some(Purl {
            kind: kind.to_ascii_lowercase(),
            namespace,
            name,
            version,
            qualifiers,
        })
    }
}

/// How each component reaches the product: the strongest way over any path from a root, as
/// cargo's resolution tells what ships from what only builds or tests (normal before build
/// before dev), with the shortest such path. A component no root reaches keeps what the
/// document declares of it and a path of its own.
pub fn place(doc: &Document) -> Vec<Placed> {
    let n = doc.components.len();
    let mut roots: Vec<usize> = (0..n).filter(|&i| doc.components[i].root).collect();
    let mut starts_as = DepKind::Member;
    if roots.is_empty() {
        // No product named: every component nothing depends on starts a path.
        let mut has_parent = vec![false; n];
        for e in &doc.edges {
            has_parent[e.to] = true;
        }
        roots = (0..n).filter(|&i| !has_parent[i]).collect();
        starts_as = DepKind::Normal;
    }
    let mut out: Vec<Option<Placed>> = vec![None; n];
    let mut adj: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); n];
    for e in &doc.edges {
        adj[e.from].push((e.to, e.kind));
    }
    let step = |i: usize, edge: Option<DepKind>| PathStep {
        name: doc.components[i].name.clone(),
        version: doc.components[i].version.clone(),
        renamed: None,
        edge,
    };
    for &r in &roots {
        out[r] = Some(Placed {
            kind: starts_as,
            path: vec![step(r, None)],
        });
    }
    for level in [DepKind::Normal, DepKind::Build, DepKind::Dev] {
        let mut queue: VecDeque<usize> = (0..n).filter(|&i| out[i].is_some()).collect();
        let mut seen: Vec<bool> = (0..n).map(|i| out[i].is_some()).collect();
        while let Some(i) = queue.pop_front() {
            for &(j, kind) in &adj[i] {
                if seen[j] || kind > level {
                    continue;
                }
                seen[j] = true;
                let mut path = out[i].as_ref().map(|p| p.path.clone()).unwrap_or_default();
                path.push(step(j, Some(kind)));
                out[j] = Some(Placed { kind: level, path });
                queue.push_back(j);
            }
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(i, p)| {
            let c = &doc.components[i];
            let mut p = p.unwrap_or_else(|| Placed {
                kind: DepKind::Normal,
                path: vec![step(i, None)],
            });
            if c.root {
                p.kind = DepKind::Member;
            }
            if let Some(k) = c.declared {
                p.kind = k;
            }
            p
        })
        .collect()
}

/// The package a component's findings are reported under: its name and version, identified
/// by document and reference, from the ecosystem its purl names.
pub fn package_ref(doc: &Document, c: &Component, kind: DepKind) -> PackageRef {
    let ecosystem = c
        .purl
        .as_deref()
        .and_then(Purl::parse)
        .map_or_else(|| "sbom".to_string(), |p| format!("pkg:{}", p.kind));
    PackageRef {
        name: c.name.clone(),
        version: c.version.clone(),
        id: format!("{}#{}", doc.file, c.key),
        kind,
        source: SourceKind::Registry { url: ecosystem },
    }
}

/// What screening documents found: findings with their locations, and how many components.
#[derive(Debug, Default)]
pub struct Screened {
    pub components: usize,
    pub findings: Vec<(Finding, Loc)>,
}

/// Screens parsed documents with the lists (compiled in `matcher`) and the policy.
pub fn screen_documents(
    docs: &[Document],
    policy: &Policy,
    lists: &[EntityList],
    matcher: &Matcher,
) -> Screened {
    let mut out = Screened::default();
    for doc in docs {
        let placed = place(doc);
        for (c, p) in doc.components.iter().zip(placed) {
            out.components += 1;
            let matches = c
                .evidence
                .iter()
                .flat_map(|e| matcher.match_evidence(e))
                .collect();
            let package = package_ref(doc, c, p.kind);
            let mut findings = policy::decide_package(policy, lists, package, p.path, matches);
            findings.sort();
            findings.dedup();
            out.findings.extend(findings.into_iter().map(|f| {
                let line = f
                    .matched
                    .evidence
                    .location
                    .as_ref()
                    .and_then(|l| l.line)
                    .or(c.line);
                let loc = Loc {
                    uri: doc.file.clone(),
                    line,
                };
                (f, loc)
            }));
        }
    }
    out.findings.sort();
    out.findings.dedup();
    out
}

/// `cargo entitycheck sbom FILE...`: the documents as a whole outcome, reported like a check.
pub fn check(files: &[Utf8PathBuf], req: Request) -> Result<Outcome, InputError> {
    let started = Instant::now();
    let docs = files
        .iter()
        .map(|f| read(f, &req.limits))
        .collect::<Result<Vec<_>, _>>()?;
    let matcher = Matcher::new(&req.lists);
    let found = screen_documents(&docs, &req.policy, &req.lists, &matcher);
    drop(matcher);
    let root =
        Utf8PathBuf::from_path_buf(std::env::current_dir().unwrap_or_default()).unwrap_or_default();
    let policy_digest = {
        let json = serde_json::to_vec(&(&req.policy, &req.config)).unwrap_or_default();
        format!("sha256:{}", hex::encode(Sha256::digest(json)))
    };
    let (findings, locations) = found.findings.into_iter().unzip();
    let mut package_names: Vec<String> = docs
        .iter()
        .flat_map(|d| d.components.iter().map(|c| c.name.clone()))
        .collect();
    package_names.sort();
    package_names.dedup();
    let bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    Ok(Outcome {
        lists: req.lists,
        policy: req.policy,
        config_origin: req.config.origin,
        packages_screened: found.components,
        findings,
        locations,
        not_scanned: Vec::new(),
        unscanned_locations: Vec::new(),
        binaries: Vec::new(),
        scan: ScanTotals {
            deep: false,
            files: 0,
            bytes,
            cached: 0,
            sbom_documents: files.len(),
            index: None,
        },
        explained: Vec::new(),
        elapsed: started.elapsed(),
        source_root: root.clone(),
        workspace_rel: String::new(),
        workspace_root: root,
        package_dirs: BTreeMap::new(),
        member_manifests: Vec::new(),
        policy_digest,
        // `[[ignore]]` entries name files inside packages, which a document does not have.
        ignores: Vec::new(),
        inventory: Vec::new(),
        edges: Vec::new(),
        // A document's scope is its components: no features, platforms or deep scan to state.
        scope: Default::default(),
        ignored_unscanned: Vec::new(),
        package_names,
        path_sources: Vec::new(),
        target_dir: None,
    })
}

/// Screens SBOM files for a certificate (`certify --sbom`, `verify --sbom`): their findings,
/// located in each document, to merge into the check's outcome with
/// [`crate::pipeline::artefacts::merge`].
pub fn screen_files(
    files: &[Utf8PathBuf],
    policy: &Policy,
    lists: &[EntityList],
    limits: &crate::fsio::Limits,
) -> Result<crate::pipeline::artefacts::Artefacts, InputError> {
    let docs = files
        .iter()
        .map(|f| read(f, limits))
        .collect::<Result<Vec<_>, _>>()?;
    let matcher = Matcher::new(lists);
    let found = screen_documents(&docs, policy, lists, &matcher);
    Ok(crate::pipeline::artefacts::Artefacts {
        screened: found.components,
        findings: found.findings,
        ..Default::default()
    })
}

/// Indexes components by key (the first of a repeated key wins) for the relationship readers.
pub(crate) fn index(components: &[Component]) -> HashMap<&str, usize> {
    let mut m = HashMap::new();
    for (i, c) in components.iter().enumerate() {
        m.entry(c.key.as_str()).or_insert(i);
    }
    m
}

#[cfg(test)]
mod tests;
