//! Evidence stage, manifest part: a package's `cargo metadata` record → evidence items.
//!
//! Everything here comes from what cargo already resolved: no file is opened.

use guppy::graph::{PackageMetadata, PackageSource};
use serde_json::Value;

use super::{Evidence, Field, Role, Shape, clip};

/// Deepest `package.metadata` nesting we walk; deeper values are ignored (they are mentions anyway).
const MAX_METADATA_DEPTH: usize = 8;

/// Collects the manifest evidence of one package, in a stable order.
pub fn collect(pkg: &PackageMetadata<'_>) -> Vec<Evidence> {
    let mut out = Vec::new();
    for author in pkg.authors() {
        push(
            &mut out,
            Field::Authors,
            Role::Attribution,
            Shape::Author,
            author,
        );
    }
    for (field, value) in [
        (Field::Repository, pkg.repository()),
        (Field::Homepage, pkg.homepage()),
        (Field::Documentation, pkg.documentation()),
    ] {
        if let Some(v) = value {
            push(&mut out, field, Role::Attribution, Shape::Url, v);
        }
    }
    match pkg.source() {
        PackageSource::External(s) => {
            push(&mut out, Field::Source, Role::Attribution, Shape::Url, s)
        }
        // A path is chosen by whoever vendored the crate: a mention, not an attribution.
        PackageSource::Path(p) => push(
            &mut out,
            Field::SourcePath,
            Role::Mention,
            Shape::Text,
            p.as_str(),
        ),
        PackageSource::Workspace(_) => {}
    }
    if let Some(links) = pkg.links() {
        // `links` names the native library the crate binds: what it bundles or links.
        push(
            &mut out,
            Field::Links,
            Role::Attribution,
            Shape::Text,
            links,
        );
    }
    push(
        &mut out,
        Field::Name,
        Role::Mention,
        Shape::Text,
        pkg.name(),
    );
    if let Some(d) = pkg.description() {
        push(&mut out, Field::Description, Role::Mention, Shape::Text, d);
    }
    for k in pkg.keywords() {
        push(&mut out, Field::Keywords, Role::Mention, Shape::Text, k);
    }
    for c in pkg.categories() {
        push(&mut out, Field::Categories, Role::Mention, Shape::Text, c);
    }
    if let Some(license) = pkg.license() {
        push(
            &mut out,
            Field::License,
            Role::Mention,
            Shape::Text,
            license,
        );
        // An SPDX licence reference (`LicenseRef-<vendor>-EULA`, `DocumentRef-x:LicenseRef-…`)
        // names terms of the licensor's own: it attributes, as `licensed by` in a notice does.
        for id in license_refs(license) {
            push(
                &mut out,
                Field::License,
                Role::Attribution,
                Shape::Text,
                &id,
            );
        }
    }
    walk_metadata(&mut out, pkg.metadata_table(), None, 0);
    out
}

/// The custom licences an SPDX expression refers to, as words (`MIT OR LicenseRef-Acme-EULA` →
/// `Acme EULA`), each with the reference as written.
fn license_refs(expression: &str) -> Vec<String> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|id| {
            let id = id.rsplit(':').next().unwrap_or(id);
            let rest = id
                .get(..11)
                .filter(|p| p.eq_ignore_ascii_case("LicenseRef-"))
                .map(|_| &id[11..])?;
            let words = rest.replace(['-', '.', '_'], " ");
            (!words.trim().is_empty()).then(|| format!("{} ({id})", words.trim()))
        })
        .collect()
}

fn push(out: &mut Vec<Evidence>, field: Field, role: Role, shape: Shape, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        out.push(Evidence::new(field, role, shape, clip(text)));
    }
}

/// How a packaging tool reads a field of its `package.metadata` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Packaging {
    /// Who makes the package it builds (a `.deb`'s `Maintainer`, an MSI's `Manufacturer`, a
    /// bundle's copyright): attribution, as `authors` is.
    Maker,
    /// The reverse-domain identifier of what it builds (a bundle's `CFBundleIdentifier`):
    /// attribution of the host it names, as an `Info.plist`'s is.
    Identifier,
    /// What the package it builds needs installed or linked (a `.deb`'s `Depends`, an RPM's
    /// `Requires`, a pkg-config module): integration. A table's keys are the packages.
    Requires,
}

/// The fields of `package.metadata` that packaging tools build an installer's vendor fields and
/// dependencies from: (the tool's table, the key, how it reads). The key counts at any depth
/// under the tool's table (`deb.variants.<name>.depends`, `packager.deb.depends`); an empty key
/// is the tool's table itself. Every other string under `package.metadata` is a mention.
const PACKAGING: &[(&str, &str, Packaging)] = {
    use Packaging::{Identifier as Id, Maker as M, Requires as R};
    &[
        // cargo-deb
        ("deb", "maintainer", M),
        ("deb", "copyright", M),
        ("deb", "depends", R),
        ("deb", "pre-depends", R),
        ("deb", "recommends", R),
        // cargo-generate-rpm
        ("generate-rpm", "vendor", M),
        ("generate-rpm", "packager", M),
        ("generate-rpm", "requires", R),
        ("generate-rpm", "pre_req", R),
        ("generate-rpm", "recommends", R),
        // cargo-wix
        ("wix", "manufacturer", M),
        // cargo-bundle
        ("bundle", "copyright", M),
        ("bundle", "identifier", Id),
        // cargo-packager
        ("packager", "publisher", M),
        ("packager", "copyright", M),
        ("packager", "authors", M),
        ("packager", "identifier", Id),
        ("packager", "depends", R),
        // cargo-aur
        ("aur", "depends", R),
        // system-deps: each key is a pkg-config module the build script links.
        ("system-deps", "", R),
    ]
};

/// How the packaging tool whose table `path` (dotted, below `metadata`) is in reads it.
fn packaging(path: &str) -> Option<Packaging> {
    let tool = path.split('.').next().unwrap_or(path);
    let key = path.rsplit('.').next().unwrap_or(path);
    PACKAGING
        .iter()
        .find(|(t, k, _)| *t == tool && (*k == key && path != tool || k.is_empty() && path == tool))
        .map(|&(_, _, how)| how)
}

/// `package.metadata` is free-form: every string in it is a mention under its dotted path, but
/// what a packaging tool builds an installer's vendor fields and dependencies from (see
/// [`PACKAGING`]). `path`: the dotted path below `metadata` (`None`: `metadata` itself).
pub(crate) fn walk_metadata(out: &mut Vec<Evidence>, v: &Value, path: Option<&str>, depth: usize) {
    if depth > MAX_METADATA_DEPTH {
        return;
    }
    let field = || Field::Metadata(path.map(str::to_string));
    let how = path.and_then(packaging);
    match v {
        Value::String(s) => match how {
            None => push(out, field(), Role::Mention, Shape::Text, s),
            Some(Packaging::Maker | Packaging::Requires) => {
                push(out, field(), Role::Attribution, Shape::Text, s)
            }
            Some(Packaging::Identifier) => {
                push(out, field(), Role::Mention, Shape::Text, s);
                if let Some(host) = super::recognise::reverse_domain(s) {
                    push(out, field(), Role::Attribution, Shape::Url, &host);
                }
            }
        },
        Value::Array(items) => {
            for item in items {
                walk_metadata(out, item, path, depth + 1);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                if how == Some(Packaging::Requires) {
                    push(out, field(), Role::Attribution, Shape::Text, k);
                }
                let path = match path {
                    Some(p) => format!("{p}.{k}"),
                    None => k.clone(),
                };
                walk_metadata(out, item, Some(&path), depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{Evidence, Role, license_refs, walk_metadata};

    /// (field, role, text) of the evidence `package.metadata` (as TOML) gives.
    fn metadata(toml_text: &str) -> Vec<(String, Role, String)> {
        let v: serde_json::Value = toml::from_str(toml_text).unwrap();
        let mut out: Vec<Evidence> = Vec::new();
        walk_metadata(&mut out, &v, None, 0);
        let mut got: Vec<_> = out
            .into_iter()
            .map(|e| (e.field.to_string(), e.role, e.text.to_string()))
            .collect();
        got.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
        got
    }

    #[test]
    fn packaging_tools_vendor_fields_and_dependencies_attribute() {
        let got = metadata(
            r#"
[deb]
maintainer = "AO Kaspersky Lab <deb@example.org>"
depends = "$auto, kaspersky-scan-engine (>= 8.1)"
extended-description = "Works with Kaspersky engines"
[deb.variants.lite]
depends = "kav-lite"
[generate-rpm]
requires = { kaspersky-scan-engine = ">= 8.1" }
summary = "scanner"
[wix]
manufacturer = "AO Kaspersky Lab"
[bundle]
identifier = "com.kaspersky.scanagent"
copyright = "Copyright (c) AO Kaspersky Lab 2024"
[system-deps]
kavsdk = "8.1"
[docs.rs]
features = ["kavsdk"]
[other]
depends = "kaspersky"
"#,
        );
        let a = |f: &str, t: &str| (format!("metadata.{f}"), Role::Attribution, t.to_string());
        let m = |f: &str, t: &str| (format!("metadata.{f}"), Role::Mention, t.to_string());
        assert_eq!(
            got,
            [
                a("bundle.copyright", "Copyright (c) AO Kaspersky Lab 2024"),
                m("bundle.identifier", "com.kaspersky.scanagent"),
                a("bundle.identifier", "scanagent.kaspersky.com"),
                a("deb.depends", "$auto, kaspersky-scan-engine (>= 8.1)"),
                m("deb.extended-description", "Works with Kaspersky engines"),
                a("deb.maintainer", "AO Kaspersky Lab <deb@example.org>"),
                a("deb.variants.lite.depends", "kav-lite"),
                m("docs.rs.features", "kavsdk"),
                a("generate-rpm.requires", "kaspersky-scan-engine"),
                m("generate-rpm.requires.kaspersky-scan-engine", ">= 8.1"),
                m("generate-rpm.summary", "scanner"),
                m("other.depends", "kaspersky"),
                a("system-deps", "kavsdk"),
                m("system-deps.kavsdk", "8.1"),
                a("wix.manufacturer", "AO Kaspersky Lab"),
            ]
        );
    }

    #[test]
    fn licence_references_are_read_as_words() {
        assert_eq!(
            license_refs("MIT OR (Apache-2.0 AND LicenseRef-Acme-EULA)"),
            ["Acme EULA (LicenseRef-Acme-EULA)"]
        );
        assert_eq!(
            license_refs("DocumentRef-spdx-tool:licenseref-AcmeLabs.SDK"),
            ["AcmeLabs SDK (licenseref-AcmeLabs.SDK)"]
        );
        assert!(license_refs("MIT OR Apache-2.0").is_empty());
        assert!(license_refs("LicenseRef-").is_empty());
        assert!(license_refs("LicenseRé").is_empty());
    }
}
