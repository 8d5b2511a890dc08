//! SBOM stage, SPDX: an SPDX 2.2/2.3 document (JSON or tag-value) or an SPDX 3 JSON-LD graph →
//! components (packages, and files that carry attribution) with their evidence and the
//! dependency relationships.
//!
//! Evidence is named by the SPDX 2 tag whatever the serialisation (`PackageSupplier`,
//! `PackageOriginator`, `PackageDownloadLocation`, `PackageHomePage`, `PackageCopyrightText`,
//! `ExternalRef purl namespace`, `ExternalRef cpe vendor`, `FileCopyrightText`,
//! `FileContributor`), so one waiver covers a JSON and a tag-value document alike; SPDX 3
//! properties keep their own names (`suppliedBy`, `originatedBy`, …).

use std::collections::HashSet;

use serde_json::Value;

use super::{At, Collector, Component, Document, Edge, Format, index};
use crate::evidence::{Role, Shape};
use crate::graph::DepKind;

/// A package or file being read: its reference, name, version, values with where they are.
struct Item {
    key: String,
    name: String,
    version: String,
    is_file: bool,
    line: Option<u32>,
    purl: Option<String>,
    col: Vec<crate::evidence::Evidence>,
}

/// Adds the evidence one SPDX 2 tag carries.
fn tag(col: &mut Collector<'_>, tag: &str, value: &str, at: At<'_>) {
    match tag {
        "PackageSupplier" | "PackageOriginator" => {
            let (text, shape) = agent(value);
            col.add(tag, Role::Attribution, shape, &text, at);
        }
        "PackageDownloadLocation" | "PackageHomePage" => {
            col.add(tag, Role::Attribution, Shape::Url, value, at);
        }
        "PackageCopyrightText"
        | "FileCopyrightText"
        | "PackageAttributionText"
        | "FileAttributionText"
        | "FileNotice" => {
            col.add(tag, Role::Attribution, Shape::Text, value, at);
        }
        "FileContributor" => col.add(tag, Role::Attribution, Shape::Author, value, at),
        "ExternalRef" => {
            let mut parts = value.split_whitespace();
            let (_category, ty, locator) = (parts.next(), parts.next(), parts.next());
            external_ref(col, ty.unwrap_or(""), locator.unwrap_or(""), at);
        }
        "PackageName" | "PackageDescription" | "PackageSummary" | "PackageComment" => {
            col.add(tag, Role::Mention, Shape::Text, value, at);
        }
        _ => {}
    }
}

/// An external reference: a purl or CPE by its parts; a VCS or website locator says where the
/// package is made; anything else only mentions.
fn external_ref(col: &mut Collector<'_>, ty: &str, locator: &str, at: At<'_>) {
    match ty {
        "purl" | "packageUrl" => col.purl("ExternalRef purl", locator, at),
        "cpe23Type" | "cpe22Type" | "cpe23" | "cpe22" => col.cpe("ExternalRef cpe", locator, at),
        "vcs" | "website" | "repository" | "distribution" | "mavenCentral" | "npm" | "nuget"
        | "bower" | "swh" | "gitoid" => {
            let shape = if locator.contains("://") || locator.contains('@') {
                Shape::Url
            } else {
                Shape::Text
            };
            col.add(
                &format!("ExternalRef {ty}"),
                Role::Attribution,
                shape,
                locator,
                at,
            );
        }
        _ => col.add(
            &format!("ExternalRef {ty}"),
            Role::Mention,
            Shape::Text,
            locator,
            at,
        ),
    }
}

/// `Organization: Name (email)` or `Person: Name (email)` → `Name <email>` (an author), else
/// the text after the type.
fn agent(value: &str) -> (String, Shape) {
    let v = value.trim();
    let rest = ["Organization:", "Person:", "Tool:"]
        .iter()
        .find_map(|p| v.strip_prefix(p))
        .unwrap_or(v)
        .trim();
    if let Some(open) = rest.rfind('(')
        && rest.ends_with(')')
    {
        let email = rest[open + 1..rest.len() - 1].trim();
        let name = rest[..open].trim();
        if email.contains('@') {
            return (format!("{name} <{email}>"), Shape::Author);
        }
    }
    (rest.to_string(), Shape::Text)
}

/// How an SPDX 2 relationship type reads as a dependency edge: whether it points from the
/// dependent (`false`) or to it (`true`), and how the dependency reaches the product.
fn relationship(ty: &str) -> Option<(bool, DepKind)> {
    Some(match ty {
        "DEPENDS_ON" | "CONTAINS" | "DYNAMIC_LINK" | "STATIC_LINK" | "HAS_PREREQUISITE"
        | "GENERATED_FROM" => (false, DepKind::Normal),
        "DEPENDENCY_OF"
        | "CONTAINED_BY"
        | "RUNTIME_DEPENDENCY_OF"
        | "OPTIONAL_DEPENDENCY_OF"
        | "PROVIDED_DEPENDENCY_OF"
        | "PREREQUISITE_FOR"
        | "PACKAGE_OF"
        | "GENERATES"
        | "OPTIONAL_COMPONENT_OF" => (true, DepKind::Normal),
        "BUILD_DEPENDENCY_OF" | "BUILD_TOOL_OF" => (true, DepKind::Build),
        "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" | "DEV_TOOL_OF" | "TEST_TOOL_OF" | "TEST_OF" => {
            (true, DepKind::Dev)
        }
        _ => return None,
    })
}

/// Builds the document: files without evidence are left out (they add nothing to screen),
/// relationships between known elements become edges, described elements become roots.
fn finish(
    file: &str,
    format: Format,
    items: Vec<Item>,
    rels: Vec<(String, String, String)>,
    mut roots: Vec<String>,
) -> Document {
    let mut components: Vec<Component> = items
        .into_iter()
        .filter(|i| !i.is_file || !i.col.is_empty())
        .map(|i| Component {
            key: i.key,
            name: i.name,
            version: i.version,
            purl: i.purl,
            root: false,
            declared: None,
            evidence: i.col,
            line: i.line,
        })
        .collect();
    let mut edges = Vec::new();
    {
        let keys = index(&components);
        for (a, ty, b) in &rels {
            if ty == "DESCRIBES" {
                roots.push(b.clone());
                continue;
            }
            if ty == "DESCRIBED_BY" {
                roots.push(a.clone());
                continue;
            }
            let Some((reverse, kind)) = relationship(ty) else {
                continue;
            };
            let (from, to) = if reverse { (b, a) } else { (a, b) };
            if let (Some(&from), Some(&to)) = (keys.get(from.as_str()), keys.get(to.as_str())) {
                edges.push(Edge { from, to, kind });
            }
        }
    }
    let roots: HashSet<String> = roots.into_iter().collect();
    for c in &mut components {
        c.root = roots.contains(&c.key);
    }
    edges.sort_by_key(|e| (e.from, e.to, e.kind));
    edges.dedup();
    Document {
        file: file.to_string(),
        format,
        components,
        edges,
    }
}

fn str_at<'v>(o: &'v Value, key: &str) -> &'v str {
    o.get(key).and_then(Value::as_str).unwrap_or("")
}

/// SPDX 2.2/2.3 JSON.
pub fn read_json(v: &Value, file: &str) -> Result<Document, String> {
    let version = str_at(v, "spdxVersion").to_string();
    if !version.starts_with("SPDX-2.") {
        return Err(format!(
            "{file}: spdxVersion `{version}`: only SPDX 2.x JSON has `spdxVersion` (SPDX 3 is JSON-LD)"
        ));
    }
    let mut items = Vec::new();
    let mut rels = Vec::new();
    let list = |key: &str| -> Result<Vec<Value>, String> {
        match v.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(_) => Err(format!("{file}: /{key}: expected an array")),
        }
    };
    let json_tags: &[(&str, &str)] = &[
        ("supplier", "PackageSupplier"),
        ("originator", "PackageOriginator"),
        ("downloadLocation", "PackageDownloadLocation"),
        ("homepage", "PackageHomePage"),
        ("copyrightText", "PackageCopyrightText"),
        ("name", "PackageName"),
        ("description", "PackageDescription"),
        ("summary", "PackageSummary"),
    ];
    for (k, p) in list("packages")?.iter().enumerate() {
        let at = format!("/packages/{k}");
        if !p.is_object() {
            return Err(format!("{file}: {at}: expected a package object"));
        }
        let mut col = Collector {
            file,
            out: Vec::new(),
        };
        for (key, t) in json_tags {
            if let Some(val) = p.get(*key).and_then(Value::as_str) {
                tag(&mut col, t, val, At::Pointer(&format!("{at}/{key}")));
            }
        }
        if let Some(Value::Array(texts)) = p.get("attributionTexts") {
            for (j, t) in texts.iter().enumerate() {
                let ap = format!("{at}/attributionTexts/{j}");
                tag(
                    &mut col,
                    "PackageAttributionText",
                    t.as_str().unwrap_or(""),
                    At::Pointer(&ap),
                );
            }
        }
        let mut purl = None;
        if let Some(Value::Array(refs)) = p.get("externalRefs") {
            for (j, r) in refs.iter().enumerate() {
                let rp = format!("{at}/externalRefs/{j}/referenceLocator");
                let ty = str_at(r, "referenceType");
                let loc = str_at(r, "referenceLocator");
                if ty == "purl" && purl.is_none() {
                    purl = Some(loc.to_string());
                }
                external_ref(&mut col, ty, loc, At::Pointer(&rp));
            }
        }
        let key = str_at(p, "SPDXID").to_string();
        if let Some(Value::Array(files)) = p.get("hasFiles") {
            for f in files.iter().filter_map(Value::as_str) {
                rels.push((key.clone(), "CONTAINS".to_string(), f.to_string()));
            }
        }
        items.push(Item {
            key: if key.is_empty() {
                format!("#{at}")
            } else {
                key
            },
            name: str_at(p, "name").to_string(),
            version: str_at(p, "versionInfo").to_string(),
            is_file: false,
            line: None,
            purl,
            col: col.out,
        });
    }
    for (k, f) in list("files")?.iter().enumerate() {
        let at = format!("/files/{k}");
        let mut col = Collector {
            file,
            out: Vec::new(),
        };
        if let Some(t) = f.get("copyrightText").and_then(Value::as_str) {
            tag(
                &mut col,
                "FileCopyrightText",
                t,
                At::Pointer(&format!("{at}/copyrightText")),
            );
        }
        if let Some(t) = f.get("noticeText").and_then(Value::as_str) {
            tag(
                &mut col,
                "FileNotice",
                t,
                At::Pointer(&format!("{at}/noticeText")),
            );
        }
        if let Some(Value::Array(cs)) = f.get("fileContributors") {
            for (j, c) in cs.iter().enumerate() {
                let cp = format!("{at}/fileContributors/{j}");
                tag(
                    &mut col,
                    "FileContributor",
                    c.as_str().unwrap_or(""),
                    At::Pointer(&cp),
                );
            }
        }
        items.push(Item {
            key: str_at(f, "SPDXID").to_string(),
            name: str_at(f, "fileName").to_string(),
            version: String::new(),
            is_file: true,
            line: None,
            purl: None,
            col: col.out,
        });
    }
    for r in list("relationships")? {
        rels.push((
            str_at(&r, "spdxElementId").to_string(),
            str_at(&r, "relationshipType").to_string(),
            str_at(&r, "relatedSpdxElement").to_string(),
        ));
    }
    let roots = list("documentDescribes")?
        .iter()
        .filter_map(|d| d.as_str().map(str::to_string))
        .collect();
    Ok(finish(
        file,
        Format::Spdx2Json { version },
        items,
        rels,
        roots,
    ))
}

/// SPDX 2.2/2.3 tag-value. Packages and files start with `PackageName:` and `FileName:`; a file
/// after a package is in it (as the specification reads files that follow a package).
pub fn read_tag_value(text: &str, file: &str) -> Result<Document, String> {
    let mut version = String::new();
    let mut items: Vec<Item> = Vec::new();
    let mut rels = Vec::new();
    let mut current: Option<usize> = None;
    let mut last_package: Option<usize> = None;
    // Implicit `CONTAINS` relationships whose file key is known only after its SPDXID line.
    let mut pending_file_rel: Vec<(usize, usize)> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, raw)) = lines.next() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((t, value)) = line.split_once(':') else {
            return Err(format!(
                "{file}:{n}: not a `Tag: value` line: `{}`",
                crate::evidence::clip(line)
            ));
        };
        let t = t.trim();
        let mut value = value.trim().to_string();
        if let Some(start) = value.strip_prefix("<text>") {
            let mut v = start.to_string();
            while !v.contains("</text>") {
                match lines.next() {
                    Some((_, more)) => {
                        v.push('\n');
                        v.push_str(more);
                    }
                    None => {
                        return Err(format!(
                            "{file}:{n}: `{t}` opens <text> that is never closed"
                        ));
                    }
                }
            }
            value = v[..v.find("</text>").unwrap_or(v.len())].to_string();
        }
        match t {
            "SPDXVersion" => version = value.clone(),
            "PackageName" | "FileName" => {
                let is_file = t == "FileName";
                items.push(Item {
                    key: format!("#line-{n}"),
                    name: value.clone(),
                    version: String::new(),
                    is_file,
                    line: Some(n),
                    purl: None,
                    col: Vec::new(),
                });
                let me = items.len() - 1;
                current = Some(me);
                if is_file {
                    if let Some(p) = last_package {
                        rels.push((items[p].key.clone(), "CONTAINS".into(), String::new()));
                        // The file's own key is set by its SPDXID line: patched below.
                        let r = rels.len() - 1;
                        pending_file_rel.push((r, me));
                    }
                } else {
                    last_package = Some(me);
                }
            }
            "SnippetSPDXID" | "LicenseID" => current = None,
            "SPDXID" => {
                if let Some(c) = current {
                    items[c].key = value.clone();
                }
            }
            "PackageVersion" => {
                if let Some(c) = current {
                    items[c].version = value.clone();
                }
            }
            "Relationship" => {
                let mut p = value.split_whitespace();
                if let (Some(a), Some(ty), Some(b)) = (p.next(), p.next(), p.next()) {
                    rels.push((a.to_string(), ty.to_string(), b.to_string()));
                } else {
                    return Err(format!(
                        "{file}:{n}: a Relationship needs `A TYPE B`, found `{}`",
                        crate::evidence::clip(&value)
                    ));
                }
            }
            _ => {}
        }
        if let Some(c) = current {
            if t == "ExternalRef" {
                let mut p = value.split_whitespace();
                if let (Some(_), Some("purl"), Some(loc)) = (p.next(), p.next(), p.next())
                    && items[c].purl.is_none()
                {
                    items[c].purl = Some(loc.to_string());
                }
            }
            let mut col = Collector {
                file,
                out: std::mem::take(&mut items[c].col),
            };
            tag(&mut col, t, &value, At::Line(Some(n)));
            items[c].col = col.out;
        }
    }
    if version.is_empty() {
        return Err(format!("{file}:1: no SPDXVersion"));
    }
    for (r, me) in pending_file_rel {
        rels[r].2 = items[me].key.clone();
    }
    Ok(finish(
        file,
        Format::Spdx2TagValue { version },
        items,
        rels,
        Vec::new(),
    ))
}

/// SPDX 3 JSON-LD: `software_Package` and `software_File` elements, their agents
/// (`suppliedBy`, `originatedBy`) by name, and `Relationship` elements.
pub fn read_jsonld(v: &Value, file: &str) -> Result<Document, String> {
    let graph = match v.get("@graph") {
        Some(Value::Array(g)) => g.as_slice(),
        Some(_) => return Err(format!("{file}: /@graph: expected an array")),
        None => std::slice::from_ref(v),
    };
    let id = |e: &Value| -> String {
        e.get("spdxId")
            .or_else(|| e.get("@id"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let ty = |e: &Value| -> String {
        e.get("type")
            .or_else(|| e.get("@type"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let agents: std::collections::HashMap<String, String> = graph
        .iter()
        .filter(|e| {
            matches!(
                ty(e).as_str(),
                "Organization" | "Person" | "Agent" | "SoftwareAgent"
            )
        })
        .map(|e| (id(e), str_at(e, "name").to_string()))
        .collect();
    let mut items = Vec::new();
    let mut rels = Vec::new();
    let mut roots = Vec::new();
    for (k, e) in graph.iter().enumerate() {
        let at = format!("/@graph/{k}");
        let t = ty(e);
        match t.as_str() {
            "software_Package" | "software_File" => {}
            "SpdxDocument" | "software_Sbom" => {
                if let Some(Value::Array(r)) = e.get("rootElement") {
                    roots.extend(r.iter().filter_map(Value::as_str).map(str::to_string));
                }
                continue;
            }
            "Relationship" | "LifecycleScopedRelationship" => {
                let from = str_at(e, "from").to_string();
                let rty = str_at(e, "relationshipType");
                let scope = str_at(e, "scope");
                let to: Vec<String> = match e.get("to") {
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                    Some(Value::String(s)) => vec![s.clone()],
                    _ => Vec::new(),
                };
                let spdx2 = match (rty, scope) {
                    ("describes", _) => "DESCRIBES",
                    ("dependsOn", "development" | "test") => "DEV_DEPENDS_ON",
                    ("dependsOn", "build") => "BUILD_DEPENDS_ON",
                    (
                        "dependsOn"
                        | "contains"
                        | "hasDynamicLink"
                        | "hasStaticLink"
                        | "hasPrerequisite"
                        | "hasOptionalDependency"
                        | "hasProvidedDependency"
                        | "generates",
                        _,
                    ) => "DEPENDS_ON",
                    _ => continue,
                };
                for b in to {
                    match spdx2 {
                        // A dev or build dependency, as the SPDX 2 reading of its reverse.
                        "DEV_DEPENDS_ON" => {
                            rels.push((b, "DEV_DEPENDENCY_OF".into(), from.clone()))
                        }
                        "BUILD_DEPENDS_ON" => {
                            rels.push((b, "BUILD_DEPENDENCY_OF".into(), from.clone()))
                        }
                        "DEPENDS_ON" if rty == "generates" => {
                            rels.push((b, "DEPENDS_ON".into(), from.clone()))
                        }
                        other => rels.push((from.clone(), other.to_string(), b)),
                    }
                }
                continue;
            }
            _ => continue,
        }
        let mut col = Collector {
            file,
            out: Vec::new(),
        };
        let p = |key: &str| format!("{at}/{key}");
        let agent_name = |a: &Value| -> String {
            match a {
                Value::String(s) => agents.get(s).cloned().unwrap_or_default(),
                Value::Object(_) => str_at(a, "name").to_string(),
                _ => String::new(),
            }
        };
        if let Some(a) = e.get("suppliedBy") {
            col.add(
                "suppliedBy",
                Role::Attribution,
                Shape::Text,
                &agent_name(a),
                At::Pointer(&p("suppliedBy")),
            );
        }
        if let Some(a) = e.get("originatedBy") {
            let list: Vec<&Value> = match a {
                Value::Array(l) => l.iter().collect(),
                other => vec![other],
            };
            for a in list {
                col.add(
                    "originatedBy",
                    Role::Attribution,
                    Shape::Text,
                    &agent_name(a),
                    At::Pointer(&p("originatedBy")),
                );
            }
        }
        for key in [
            "software_downloadLocation",
            "software_homePage",
            "software_sourceInfo",
        ] {
            let role = if key == "software_sourceInfo" {
                Role::Mention
            } else {
                Role::Attribution
            };
            col.add(key, role, Shape::Url, str_at(e, key), At::Pointer(&p(key)));
        }
        col.add(
            "software_copyrightText",
            Role::Attribution,
            Shape::Text,
            str_at(e, "software_copyrightText"),
            At::Pointer(&p("software_copyrightText")),
        );
        let mut purl = Some(str_at(e, "software_packageUrl").to_string()).filter(|s| !s.is_empty());
        if let Some(u) = &purl {
            col.purl(
                "software_packageUrl",
                u,
                At::Pointer(&p("software_packageUrl")),
            );
        }
        if let Some(Value::Array(ids)) = e.get("externalIdentifier") {
            for (j, x) in ids.iter().enumerate() {
                let xp = format!("{at}/externalIdentifier/{j}/identifier");
                let xt = str_at(x, "externalIdentifierType");
                let ident = str_at(x, "identifier");
                if xt == "packageUrl" && purl.is_none() {
                    purl = Some(ident.to_string());
                }
                external_ref(&mut col, xt, ident, At::Pointer(&xp));
            }
        }
        if let Some(Value::Array(refs)) = e.get("externalRef") {
            for (j, r) in refs.iter().enumerate() {
                let rp = format!("{at}/externalRef/{j}/locator");
                let rt = str_at(r, "externalRefType");
                let locs: Vec<&str> = match r.get("locator") {
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                    Some(Value::String(s)) => vec![s.as_str()],
                    _ => Vec::new(),
                };
                for l in locs {
                    let role = if matches!(
                        rt,
                        "vcs"
                            | "altWebPage"
                            | "altDownloadLocation"
                            | "mavenCentral"
                            | "npm"
                            | "nuget"
                            | "bower"
                            | "releaseHistory"
                            | "issueTracker"
                            | "support"
                    ) {
                        Role::Attribution
                    } else {
                        Role::Mention
                    };
                    col.add(
                        &format!("externalRef {rt}"),
                        role,
                        Shape::Url,
                        l,
                        At::Pointer(&rp),
                    );
                }
            }
        }
        for key in ["name", "summary", "description"] {
            col.add(
                key,
                Role::Mention,
                Shape::Text,
                str_at(e, key),
                At::Pointer(&p(key)),
            );
        }
        items.push(Item {
            key: id(e),
            name: str_at(e, "name").to_string(),
            version: str_at(e, "software_packageVersion").to_string(),
            is_file: t == "software_File",
            line: None,
            purl,
            col: col.out,
        });
    }
    Ok(finish(file, Format::Spdx3JsonLd, items, rels, roots))
}
