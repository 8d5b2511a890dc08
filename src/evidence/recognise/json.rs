//! Recognisers of JSON manifests: npm `package.json` and lockfiles, vcpkg `vcpkg.json`, Composer
//! `composer.json`, CocoaPods `*.podspec.json`, and CycloneDX / SPDX documents shipped inside a
//! package.

use serde_json::Value;

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at};
use crate::evidence::Shape;

use FieldKind::{Attribution as A, Integration as I};

/// The line where `value` is written in `text` (the first place its JSON spelling occurs, else
/// where the key is), so that a finding points at the field.
fn line_of(text: &str, key: &str, value: &str) -> u32 {
    let spelled = serde_json::to_string(value).unwrap_or_default();
    let at = text
        .find(&spelled)
        .or_else(|| text.find(value))
        .or_else(|| text.find(&format!("\"{key}\"")))
        .unwrap_or(0);
    line_at(text, at)
}

struct Out<'a, 't> {
    format: MetadataFormat,
    text: &'t str,
    out: &'a mut Vec<FieldHit>,
}

impl Out<'_, '_> {
    fn push(&mut self, key: &str, kind: FieldKind, shape: Shape, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        self.out.push(FieldHit {
            format: self.format,
            key: key.to_string(),
            kind,
            shape,
            value: value.to_string(),
            line: line_of(self.text, key, value),
        });
    }

    /// A person or organisation: a string (`Name <mail> (url)`), an object with `name`,
    /// `email`, `url`, or an array of either.
    fn party(&mut self, key: &str, v: &Value) {
        match v {
            Value::String(s) => self.push(key, A, Shape::Author, s),
            Value::Array(items) => {
                for i in items {
                    self.party(key, i);
                }
            }
            Value::Object(o) => {
                for (sub, shape) in [
                    ("name", Shape::Author),
                    ("email", Shape::Author),
                    ("url", Shape::Url),
                    ("organization", Shape::Text),
                ] {
                    match o.get(sub) {
                        Some(Value::String(s)) => self.push(&format!("{key}.{sub}"), A, shape, s),
                        Some(Value::Array(urls)) => {
                            for u in urls.iter().filter_map(Value::as_str) {
                                self.push(&format!("{key}.{sub}"), A, shape, u);
                            }
                        }
                        Some(Value::Object(_)) if sub == "organization" => {
                            self.party(&format!("{key}.{sub}"), &o[sub]);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn url(&mut self, key: &str, v: &Value) {
        match v {
            Value::String(s) => self.push(key, A, Shape::Url, s),
            Value::Object(o) => {
                if let Some(Value::String(s)) = o.get("url") {
                    self.push(&format!("{key}.url"), A, Shape::Url, s);
                }
            }
            _ => {}
        }
    }

    /// The commands a manifest's `scripts` hold (a string, or a list of them): what each
    /// downloads and installs, read as a script's lines (see `script::commands`), at the line
    /// of the command.
    fn commands(&mut self, key: &str, v: &Value) {
        match v {
            Value::String(command) => {
                let mut hits = Vec::new();
                super::script::commands(self.format, command, &mut hits);
                let line = line_of(self.text, key, command);
                for h in hits {
                    self.out.push(FieldHit {
                        key: format!("{key} {}", h.key),
                        line,
                        ..h
                    });
                }
            }
            Value::Array(items) => {
                for i in items {
                    self.commands(key, i);
                }
            }
            _ => {}
        }
    }

    /// What a dependency's version specifier says it is installed from, beyond its name: a URL
    /// (`"sdk": "https://…/sdk.tgz"`, `git+ssh://…`), a hosting shorthand (`github:Owner/repo`,
    /// `gitlab:…`, `bitbucket:…`, and `Owner/repo#tag`, which npm and Bower read as GitHub's), or
    /// another package under an alias (`npm:@scope/engine@^4`, `jsr:@scope/engine`),
    /// whose scope then counts as the dependency's own.
    fn spec(&mut self, key: &str, spec: &str) {
        let spec = spec.trim();
        if spec.contains("://") || spec.starts_with("git+") {
            self.push(key, I, Shape::Url, spec);
            return;
        }
        if let Some(aliased) = spec
            .strip_prefix("npm:")
            .or_else(|| spec.strip_prefix("jsr:"))
        {
            self.scope(
                &format!("{key} (alias)"),
                aliased.trim_start_matches('/'),
                I,
            );
            return;
        }
        let (host, path) = match spec.split_once(':') {
            Some(("github", p)) => ("github.com", p),
            Some(("gitlab", p)) => ("gitlab.com", p),
            Some(("bitbucket", p)) => ("bitbucket.org", p),
            Some(_) => return,
            None => ("github.com", spec),
        };
        let repo = path.split('#').next().unwrap_or(path);
        let shorthand = repo.split('/').count() == 2
            && !repo.starts_with(['@', '.', '/', '~'])
            && repo.split('/').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            });
        if shorthand {
            self.push(key, I, Shape::Url, &format!("https://{host}/{repo}"));
        }
    }

    /// An npm package name's scope (`@kaspersky/sdk` → `@kaspersky`): the scope belongs to the
    /// organisation or user that owns it on the registry, unlike the name after it.
    fn scope(&mut self, key: &str, name: &str, kind: FieldKind) {
        if let Some(scope) = npm_scope(name) {
            self.push(
                &format!("{key} (npm scope @{scope})"),
                kind,
                Shape::Text,
                scope,
            );
        }
    }
}

fn npm_scope(name: &str) -> Option<&str> {
    let rest = name.rsplit("node_modules/").next().unwrap_or(name);
    let rest = rest.strip_prefix('@')?;
    rest.split('/').next().filter(|s| !s.is_empty())
}

fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()
}

pub struct PackageJson;
impl Recogniser for PackageJson {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.base == "package.json" || f.base == "bower.json"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let Some(Value::Object(o)) = parse(text) else {
            return;
        };
        let mut w = Out {
            format: MetadataFormat::NpmPackageJson,
            text,
            out,
        };
        for key in [
            "author",
            "contributors",
            "maintainers",
            "publisher",
            "authors",
        ] {
            if let Some(v) = o.get(key) {
                w.party(key, v);
            }
        }
        for key in ["repository", "homepage", "bugs", "funding"] {
            if let Some(v) = o.get(key) {
                w.url(key, v);
            }
        }
        if let Some(Value::String(n)) = o.get("name") {
            w.scope("name", n, A);
        }
        // Where an installed copy came from, as npm (before v7) recorded in
        // `node_modules/<name>/package.json`: `"_resolved": "https://…/engine-1.0.tgz"`,
        // `"_from": "github:Owner/repo#tag"`.
        for key in ["_resolved", "_from"] {
            if let Some(Value::String(v)) = o.get(key) {
                w.spec(key, v);
            }
        }
        // What its lifecycle scripts fetch and install (`"postinstall": "curl -fsSL https://…
        // | tar xz"`): npm runs them when the package is installed or built.
        if let Some(Value::Object(scripts)) = o.get("scripts") {
            for (name, command) in scripts {
                w.commands(&format!("scripts.{name}"), command);
            }
        }
        for deps in [
            "dependencies",
            "peerDependencies",
            "optionalDependencies",
            "bundledDependencies",
        ] {
            if let Some(Value::Object(d)) = o.get(deps) {
                for (name, spec) in d {
                    w.scope(deps, name, I);
                    if let Some(spec) = spec.as_str() {
                        w.spec(&format!("{deps}.{name}"), spec);
                    }
                }
            }
        }
    }
}

pub struct NpmLock;
impl Recogniser for NpmLock {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        // `node_modules/.package-lock.json`: npm's record of what it installed there.
        matches!(
            f.base,
            "package-lock.json" | "npm-shrinkwrap.json" | ".package-lock.json"
        )
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let Some(Value::Object(o)) = parse(text) else {
            return;
        };
        let mut w = Out {
            format: MetadataFormat::NpmLockfile,
            text,
            out,
        };
        for section in ["packages", "dependencies"] {
            if let Some(Value::Object(p)) = o.get(section) {
                for (name, entry) in p {
                    w.scope(section, name, I);
                    if let Some(Value::String(r)) = entry.get("resolved") {
                        w.push(&format!("{section}.{name}.resolved"), I, Shape::Url, r);
                    }
                }
            }
        }
    }
}

/// An installed Python distribution's `*.dist-info/direct_url.json` (PEP 610), and pip's
/// `origin.json` of a cached wheel: the URL it was installed from (an archive, a VCS
/// repository or a directory), where its code came from.
pub struct DirectUrl;
impl Recogniser for DirectUrl {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        f.base == "direct_url.json"
            // pip's wheel cache records the same beside each wheel it built.
            // What conda recorded of an installed package (`conda-meta/<name>.json`, a
            // package's `info/repodata_record.json`): the URL it was downloaded from.
            || f.base == "repodata_record.json"
            || (f.ends_with(&format!("conda-meta/{}", f.base)) && f.ext == "json")
            || (f.base == "origin.json"
                && ["archive_info", "vcs_info", "dir_info"]
                    .iter()
                    .any(|k| text.contains(k)))
    }
    fn read(&self, f: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let Some(Value::Object(o)) = parse(text) else {
            return;
        };
        let mut w = Out {
            format: if f.ext == "json" && matches!(f.base, "direct_url.json" | "origin.json") {
                MetadataFormat::PythonMetadata
            } else {
                MetadataFormat::PackageManifest
            },
            text,
            out,
        };
        if let Some(Value::String(url)) = o.get("url") {
            let key = match f.base {
                "direct_url.json" | "origin.json" => format!("{} url", f.base),
                _ => "conda record url".to_string(),
            };
            w.push(&key, I, Shape::Url, url);
        }
    }
}

pub struct VcpkgJson;
impl Recogniser for VcpkgJson {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.base == "vcpkg.json" || f.base == "conandata.yml.json"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let Some(Value::Object(o)) = parse(text) else {
            return;
        };
        let mut w = Out {
            format: MetadataFormat::VcpkgManifest,
            text,
            out,
        };
        if let Some(v) = o.get("maintainers") {
            w.party("maintainers", v);
        }
        for key in ["homepage", "documentation"] {
            if let Some(v) = o.get(key) {
                w.url(key, v);
            }
        }
        // The ports it installs: names, or objects with a `name`.
        if let Some(Value::Array(deps)) = o.get("dependencies") {
            for d in deps {
                let name = d.as_str().or_else(|| d.get("name").and_then(Value::as_str));
                if let Some(n) = name {
                    w.push("dependencies", I, Shape::Text, n);
                }
            }
        }
    }
}

pub struct ComposerJson;
impl Recogniser for ComposerJson {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.base == "composer.json" || f.base.ends_with(".podspec.json")
    }
    fn read(&self, f: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let Some(Value::Object(o)) = parse(text) else {
            return;
        };
        let format = if f.base == "composer.json" {
            MetadataFormat::ComposerManifest
        } else {
            MetadataFormat::CocoaPodsPodspec
        };
        let mut w = Out { format, text, out };
        for key in ["authors", "author", "maintainers", "support"] {
            if let Some(v) = o.get(key) {
                w.party(key, v);
            }
        }
        if let Some(Value::Object(a)) = o.get("authors") {
            // CocoaPods: `{"Name": "mail"}`.
            for (name, mail) in a {
                w.push("authors", A, Shape::Author, name);
                if let Some(m) = mail.as_str() {
                    w.push("authors", A, Shape::Author, m);
                }
            }
        }
        for key in ["homepage", "source"] {
            match o.get(key) {
                Some(Value::Object(s)) => {
                    for (k, v) in s {
                        if let Some(u) = v.as_str().filter(|u| u.contains("://") || u.contains('@'))
                        {
                            w.push(&format!("{key}.{k}"), A, Shape::Url, u);
                        }
                    }
                }
                Some(v) => w.url(key, v),
                None => {}
            }
        }
        if let Some(Value::String(n)) = o.get("name")
            && let Some((vendor, _)) = n.split_once('/')
            && format == MetadataFormat::ComposerManifest
        {
            // Packagist names are `vendor/package`; the vendor part is the owner's namespace.
            w.push("name (vendor)", A, Shape::Text, vendor);
        }
        if format == MetadataFormat::ComposerManifest {
            // What it installs (`"kaspersky/scan-engine": "^2.0"`), and the repositories it
            // installs from.
            for key in ["require", "require-dev"] {
                if let Some(Value::Object(r)) = o.get(key) {
                    for name in r.keys() {
                        w.push(key, I, Shape::Text, name);
                    }
                }
            }
            // Its scripts' commands (`"post-install-cmd": ["curl -O https://…"]`).
            if let Some(Value::Object(scripts)) = o.get("scripts") {
                for (name, command) in scripts {
                    w.commands(&format!("scripts.{name}"), command);
                }
            }
            if let Some(Value::Array(repos)) = o.get("repositories") {
                for r in repos {
                    if let Some(Value::String(u)) = r.get("url") {
                        w.push("repositories.url", I, Shape::Url, u);
                    }
                }
            }
        }
    }
}

/// CycloneDX and SPDX documents in JSON, shipped inside a package (a vendored SDK's own SBOM).
pub struct SbomJson;
impl Recogniser for SbomJson {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        (f.ext == "json" || f.ext == "jsonld") && {
            let head = &text[..text.floor_char_boundary(4096)];
            head.contains("\"bomFormat\"")
                || head.contains("\"spdxVersion\"")
                || head.contains("spdx.org/rdf/3")
        }
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let Some(v) = parse(text) else {
            return;
        };
        let format = if v.get("spdxVersion").is_some() || v.get("@graph").is_some() {
            MetadataFormat::Spdx
        } else {
            MetadataFormat::CycloneDx
        };
        let mut w = Out { format, text, out };
        walk(&mut w, &v, 0);
        spdx3(&mut w, &v);
    }
}

/// An SPDX 3 document (JSON-LD): its elements in `@graph`, who supplied or made a package
/// given by reference to an agent element (`"suppliedBy": "urn:…:org-1"` →
/// `{"type": "Organization", "spdxId": "urn:…:org-1", "name": "…"}`), and its `software_`
/// locations and copyright.
fn spdx3(w: &mut Out<'_, '_>, v: &Value) {
    let Some(Value::Array(graph)) = v.get("@graph") else {
        return;
    };
    let agents: std::collections::HashMap<&str, &str> = graph
        .iter()
        .filter(|e| {
            matches!(
                e.get("type").and_then(Value::as_str),
                Some("Organization" | "Person" | "Agent" | "SoftwareAgent")
            )
        })
        .filter_map(|e| {
            Some((
                e.get("spdxId").and_then(Value::as_str)?,
                e.get("name").and_then(Value::as_str)?,
            ))
        })
        .collect();
    let mut element = |e: &Value| {
        for key in ["suppliedBy", "originatedBy", "createdBy"] {
            let ids: Vec<&str> = match e.get(key) {
                Some(Value::String(id)) => vec![id.as_str()],
                Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).collect(),
                _ => continue,
            };
            for id in ids {
                // An agent not described in the document is known only by its identifier.
                w.push(key, A, Shape::Author, agents.get(id).copied().unwrap_or(id));
            }
        }
        for key in ["software_downloadLocation", "software_homePage"] {
            if let Some(u) = e.get(key).and_then(Value::as_str) {
                w.push(key, A, Shape::Url, u);
            }
        }
        if let Some(c) = e.get("software_copyrightText").and_then(Value::as_str) {
            w.push("software_copyrightText", A, Shape::Text, c);
        }
        if let Some(Value::Array(ids)) = e.get("externalIdentifier") {
            for i in ids {
                if let Some(s) = i.get("identifier").and_then(Value::as_str) {
                    purl_or_cpe(w, "externalIdentifier", s);
                }
            }
        }
    };
    for e in graph {
        element(e);
        // A creation information nested in an element says who created the document.
        if let Some(ci) = e.get("creationInfo").filter(|c| c.is_object()) {
            element(ci);
        }
    }
}

/// Every who-made field of an SBOM, at any depth (components inside components, services).
fn walk(w: &mut Out<'_, '_>, v: &Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match k.as_str() {
                    "supplier" | "manufacturer" | "manufacture" | "provider" | "publisher"
                    | "author" | "authors" | "originator" | "organization" => match v {
                        // SPDX: `Organization: Name (mail)`, `Person: …`.
                        Value::String(s) => {
                            let s = s
                                .strip_prefix("Organization:")
                                .or_else(|| s.strip_prefix("Person:"))
                                .unwrap_or(s);
                            if s.trim() != "NOASSERTION" {
                                w.push(k, A, Shape::Author, s.trim());
                            }
                        }
                        other => w.party(k, other),
                    },
                    "downloadLocation" | "homepage" => {
                        if let Some(s) = v.as_str().filter(|s| *s != "NOASSERTION" && *s != "NONE")
                        {
                            w.push(k, A, Shape::Url, s);
                        }
                    }
                    "copyrightText" | "copyright" => {
                        if let Some(s) = v.as_str().filter(|s| *s != "NOASSERTION") {
                            w.push(k, A, Shape::Text, s);
                        }
                    }
                    "group" => {
                        // Maven coordinates: the group is a reverse domain (`com.kaspersky`).
                        if let Some(s) = v.as_str() {
                            match super::reverse_domain(s) {
                                Some(host) => w.push(
                                    &format!("group (reverse domain {s})"),
                                    A,
                                    Shape::Url,
                                    &host,
                                ),
                                None => w.push(k, A, Shape::Text, s),
                            }
                        }
                    }
                    "purl" | "referenceLocator" => {
                        if let Some(s) = v.as_str() {
                            purl_or_cpe(w, k, s);
                        }
                    }
                    "externalReferences" | "externalRefs" => {
                        if let Value::Array(refs) = v {
                            for r in refs {
                                if let Some(u) = r.get("url").and_then(Value::as_str) {
                                    w.push("externalReferences.url", A, Shape::Url, u);
                                }
                                if let Some(l) = r.get("referenceLocator").and_then(Value::as_str) {
                                    purl_or_cpe(w, "externalRefs.referenceLocator", l);
                                }
                            }
                        }
                    }
                    _ => walk(w, v, depth + 1),
                }
            }
        }
        Value::Array(items) => {
            for i in items {
                walk(w, i, depth + 1);
            }
        }
        _ => {}
    }
}

/// A package URL's namespace (`pkg:maven/com.kaspersky/sdk@1` → `com.kaspersky`) or a CPE's
/// vendor field (`cpe:2.3:a:kaspersky:anti-virus:…` → `kaspersky`).
fn purl_or_cpe(w: &mut Out<'_, '_>, key: &str, s: &str) {
    if let Some(rest) = s.strip_prefix("pkg:") {
        let path = rest.split(['@', '?', '#']).next().unwrap_or(rest);
        let mut parts = path.split('/');
        let kind = parts.next().unwrap_or("");
        let segs: Vec<&str> = parts.collect();
        // A NuGet id has no namespace: its company prefix is the publisher (`nuget_company`).
        if kind.eq_ignore_ascii_case("nuget")
            && let [id] = segs.as_slice()
            && let Some(company) = super::nuget_company(id)
        {
            w.push(
                &format!("{key} name prefix ({kind})"),
                A,
                Shape::Text,
                company,
            );
        }
        if segs.len() >= 2 {
            let ns = percent_encoding::percent_decode_str(segs[0]).decode_utf8_lossy();
            match super::reverse_domain(&ns) {
                Some(host) => w.push(
                    &format!("{key} namespace ({kind} {ns})"),
                    A,
                    Shape::Url,
                    &host,
                ),
                None => w.push(
                    &format!("{key} namespace ({kind})"),
                    A,
                    Shape::Text,
                    ns.trim_start_matches('@'),
                ),
            }
        }
        // Qualifiers that say where it comes from: `?repository_url=…`, `download_url=…`.
        if let Some((_, q)) = s.split_once('?') {
            for kv in q.split('&') {
                if let Some((k, v)) = kv.split_once('=')
                    && matches!(k, "repository_url" | "download_url" | "vcs_url")
                {
                    let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
                    w.push(&format!("{key} qualifier {k}"), A, Shape::Url, &v);
                }
            }
        }
    } else if let Some(rest) = s
        .strip_prefix("cpe:2.3:")
        .or_else(|| s.strip_prefix("cpe:/"))
    {
        let vendor = rest.split(':').nth(1).unwrap_or("");
        if !vendor.is_empty() && vendor != "*" {
            w.push(
                &format!("{key} (CPE vendor)"),
                A,
                Shape::Text,
                &vendor.replace('_', " "),
            );
        }
    }
}

pub(super) fn purl_fields(
    format: MetadataFormat,
    text: &str,
    key: &str,
    s: &str,
    out: &mut Vec<FieldHit>,
) {
    let mut w = Out { format, text, out };
    purl_or_cpe(&mut w, key, s);
}
