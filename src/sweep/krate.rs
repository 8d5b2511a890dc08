//! Sweep, one `.crate` file: its bytes (a gzipped tar) → the manifest evidence of the
//! `Cargo.toml` inside it and the deep scan of its other files, located relative to the package
//! root exactly as a check locates them in the unpacked package.
//!
//! Read in memory, never unpacked to disk: nothing from the archive is written anywhere, so a
//! hostile name (`../x`, an absolute path, a link) cannot reach outside. The same files are
//! passed over as in a check (cargo's bookkeeping at the root: `Cargo.toml`, `Cargo.toml.orig`,
//! `Cargo.lock`, `.cargo_vcs_info.json`), and the same limits hold (file size, unpacked bytes,
//! entries).

use std::io::Read;

use serde_json::Value;

use crate::evidence::deep::{PackageScan, Scanner, SkipKind, Skipped};
use crate::evidence::{Evidence, Field, Role, Shape, buildscript, clip};

/// What one `.crate` holds.
#[derive(Debug, Default)]
pub struct CrateContents {
    /// `package.name` and `package.version` of its `Cargo.toml` (None: no readable manifest).
    pub manifest_id: Option<(String, String)>,
    /// The manifest's evidence, as a check collects it from `cargo metadata`.
    pub manifest: Vec<Evidence>,
    /// The deep scan of every other file (unfiltered: the caller keeps what matches).
    pub scan: PackageScan,
}

/// The source URL `cargo metadata` reports for a crates.io package.
pub const CRATES_IO_SOURCE: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// Reads the `.crate` `bytes` of `name`-`version` (from its file name): every member under the
/// `name-version/` directory is scanned; anything else is listed.
pub fn read(bytes: &[u8], name: &str, version: &str, scanner: &Scanner) -> CrateContents {
    let mut out = CrateContents::default();
    let prefix = format!("{name}-{version}/");
    let limits = &scanner.options.archive;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            out.scan.not_scanned = Some(format!("not a gzipped tar: {e}"));
            return out;
        }
    };
    let mut manifest_text: Option<String> = None;
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total: u64 = 0;
    let mut count: u64 = 0;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.scan.not_scanned = Some(format!("damaged archive: {e}"));
                return out;
            }
        };
        count += 1;
        if count > limits.max_entries {
            out.scan.skipped.push(Skipped::new(
                "",
                SkipKind::Limit,
                format!(
                    "more than {} entries: the rest not read",
                    limits.max_entries
                ),
            ));
            break;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).replace('\\', "/");
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() {
            continue;
        }
        let Some(rel) = raw.strip_prefix(&prefix).map(str::to_string) else {
            // Cargo never writes such a member; whoever did meant it to be read elsewhere.
            out.scan.skipped.push(Skipped::new(
                raw.clone(),
                SkipKind::Unreadable,
                format!("outside the package directory `{prefix}`: not read"),
            ));
            continue;
        };
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            let (skip, why) = if stays_inside(&rel, &target) {
                (
                    SkipKind::Note,
                    "link to a file inside the package (scanned there)",
                )
            } else {
                (
                    SkipKind::Link,
                    "link leading outside the package: not followed",
                )
            };
            out.scan.skipped.push(Skipped::new(rel, skip, why));
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let size = entry.header().size().unwrap_or(0);
        if size > scanner.options.max_file_bytes {
            out.scan.skipped.push(Skipped::new(
                rel,
                SkipKind::TooLarge,
                format!(
                    "{size} bytes, over the {} byte limit",
                    scanner.options.max_file_bytes
                ),
            ));
            continue;
        }
        total += size;
        if total > limits.max_total_bytes {
            out.scan.skipped.push(Skipped::new(
                rel,
                SkipKind::Limit,
                format!(
                    "over {} unpacked bytes: this file and the rest not read",
                    limits.max_total_bytes
                ),
            ));
            break;
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        if let Err(e) = (&mut entry)
            .take(scanner.options.max_file_bytes + 1)
            .read_to_end(&mut data)
        {
            out.scan.skipped.push(Skipped::new(
                rel,
                SkipKind::Unreadable,
                format!("unreadable: {e}"),
            ));
            continue;
        }
        match rel.as_str() {
            "Cargo.toml" => manifest_text = Some(String::from_utf8_lossy(&data).into_owned()),
            // Cargo's bookkeeping says nothing the manifest does not (as in a check).
            "Cargo.toml.orig" | "Cargo.lock" | ".cargo_vcs_info.json" | ".cargo-ok" => {}
            _ => members.push((rel, data)),
        }
    }
    let mut build_script: Option<String> = None;
    match manifest_text.as_deref().map(toml::from_str::<toml::Table>) {
        Some(Ok(table)) => {
            let json = serde_json::to_value(&table).unwrap_or(Value::Null);
            let package = &json["package"];
            if let (Some(n), Some(v)) = (package["name"].as_str(), package["version"].as_str()) {
                out.manifest_id = Some((n.to_string(), v.to_string()));
            }
            out.manifest = manifest_evidence(package);
            build_script = match &package["build"] {
                Value::String(s) => Some(s.trim_start_matches("./").to_string()),
                Value::Bool(false) => None,
                _ => Some("build.rs".to_string()),
            };
        }
        Some(Err(e)) => {
            out.scan.skipped.push(Skipped::new(
                "Cargo.toml",
                SkipKind::Malformed,
                format!("not valid TOML: {}", e.message()),
            ));
        }
        None => {
            out.scan.skipped.push(Skipped::new(
                "Cargo.toml",
                SkipKind::Unreadable,
                "no Cargo.toml in the package",
            ));
        }
    }
    let skipped = std::mem::take(&mut out.scan.skipped);
    out.scan = scanner.scan_dependency_in_memory(&members, skipped);
    if let Some(bs) = &build_script
        && let Some((rel, data)) = members.iter().find(|(rel, _)| rel == bs)
    {
        out.scan
            .evidence
            .extend(buildscript::scan(rel, &String::from_utf8_lossy(data)));
    }
    out.scan.evidence.sort();
    out.scan.evidence.dedup();
    out.scan.binaries.sort();
    out.scan.skipped.sort();
    out
}

/// Whether a link at `rel` pointing at `target` stays inside the package.
fn stays_inside(rel: &str, target: &str) -> bool {
    if target.starts_with('/') || target.contains(':') {
        return false;
    }
    let mut depth: Vec<&str> = rel.split('/').collect();
    depth.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if depth.pop().is_none() {
                    return false;
                }
            }
            p => depth.push(p),
        }
    }
    true
}

/// The evidence of a `[package]` table, in the fields and roles of
/// [`crate::evidence::manifest::collect`] (which reads the same values from `cargo metadata`).
pub fn manifest_evidence(package: &Value) -> Vec<Evidence> {
    let mut out = Vec::new();
    let mut push = |field: Field, role: Role, shape: Shape, text: &str| {
        let text = text.trim();
        if !text.is_empty() {
            out.push(Evidence::new(field, role, shape, clip(text)));
        }
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    for a in strings(&package["authors"]) {
        push(Field::Authors, Role::Attribution, Shape::Author, &a);
    }
    for (key, field) in [
        ("repository", Field::Repository),
        ("homepage", Field::Homepage),
        ("documentation", Field::Documentation),
    ] {
        if let Some(v) = package[key].as_str() {
            push(field, Role::Attribution, Shape::Url, v);
        }
    }
    push(
        Field::Source,
        Role::Attribution,
        Shape::Url,
        CRATES_IO_SOURCE,
    );
    if let Some(l) = package["links"].as_str() {
        push(Field::Links, Role::Attribution, Shape::Text, l);
    }
    if let Some(n) = package["name"].as_str() {
        push(Field::Name, Role::Mention, Shape::Text, n);
    }
    if let Some(d) = package["description"].as_str() {
        push(Field::Description, Role::Mention, Shape::Text, d);
    }
    for k in strings(&package["keywords"]) {
        push(Field::Keywords, Role::Mention, Shape::Text, &k);
    }
    for c in strings(&package["categories"]) {
        push(Field::Categories, Role::Mention, Shape::Text, &c);
    }
    if let Some(l) = package["license"].as_str() {
        push(Field::License, Role::Mention, Shape::Text, l);
    }
    crate::evidence::manifest::walk_metadata(&mut out, &package["metadata"], None, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_and_outside() {
        assert!(stays_inside("src/a.rs", "b.rs"));
        assert!(stays_inside("src/a.rs", "../README.md"));
        assert!(!stays_inside("src/a.rs", "../../etc/passwd"));
        assert!(!stays_inside("a.rs", "/etc/passwd"));
    }
}
