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

/// `package.metadata` is free-form; every string in it is a mention under its dotted path.
/// `path`: the dotted path below `metadata` (`None`: `metadata` itself).
fn walk_metadata(out: &mut Vec<Evidence>, v: &Value, path: Option<&str>, depth: usize) {
    if depth > MAX_METADATA_DEPTH {
        return;
    }
    match v {
        Value::String(s) => push(
            out,
            Field::Metadata(path.map(str::to_string)),
            Role::Mention,
            Shape::Text,
            s,
        ),
        Value::Array(items) => {
            for item in items {
                walk_metadata(out, item, path, depth + 1);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
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
    use super::license_refs;

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
