//! cargo's own configuration (`.cargo/config.toml`, `.cargo/config`), in a package or above it:
//! the flags it gives rustc and the libraries it links in place of a build script are linked
//! into every crate it builds, as a build script's `rustc-link-lib` is, in a file a review often
//! passes over.
//!
//! Read: `rustflags` of `[build]`, `[host]` and every `[target.<triple or cfg>]` (an array or a
//! string: `-l kavsdk`, `-lkavsdk`, `-C link-arg=-lkavsdk` name the library, by
//! [`super::rustc_links`]; `-L` its directory), and each `links` override
//! (`[target.<triple>.<links>]`: its name, `rustc-link-lib`, `rustc-link-search`, `rustc-flags`
//! and the link arguments). Every one is integration, and so is every package source it
//! configures: a registry's index (`[registries.<name>] index`, `[registry] index`) and a
//! source replacement's `registry` or `git` (`[source.<name>]`), where the build downloads
//! crates from. Anything else (aliases, `[env]`) is not read.

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at};
use crate::evidence::Shape;

pub struct CargoConfig;

impl Recogniser for CargoConfig {
    fn claims(&self, file: &FileName<'_>, _text: &str) -> bool {
        file.ends_with(".cargo/config.toml") || file.ends_with(".cargo/config")
    }

    fn read(&self, _file: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let Ok(doc) = text.parse::<toml::Table>() else {
            return;
        };
        // Where crates come from: `[registries.<name>]`, `[registry]`, `[source.<name>]`.
        let mut sources: Vec<(&str, &str)> = Vec::new();
        let tables = |key: &str| {
            doc.get(key)
                .and_then(toml::Value::as_table)
                .into_iter()
                .flat_map(|t| t.values().filter_map(toml::Value::as_table))
        };
        for r in tables("registries") {
            sources.extend(
                r.get("index")
                    .and_then(toml::Value::as_str)
                    .map(|v| ("registries index", v)),
            );
        }
        if let Some(r) = doc.get("registry").and_then(toml::Value::as_table) {
            sources.extend(
                r.get("index")
                    .and_then(toml::Value::as_str)
                    .map(|v| ("registry index", v)),
            );
        }
        for r in tables("source") {
            for key in ["registry", "git"] {
                sources.extend(r.get(key).and_then(toml::Value::as_str).map(|v| (key, v)));
            }
        }
        for (key, raw) in sources {
            // cargo's protocol prefixes (`sparse+https://…`) are not part of the URL.
            let url = raw
                .strip_prefix("sparse+")
                .or_else(|| raw.strip_prefix("registry+"))
                .or_else(|| raw.strip_prefix("git+"))
                .unwrap_or(raw);
            out.push(FieldHit {
                format: MetadataFormat::CargoConfig,
                key: key.to_string(),
                kind: FieldKind::Integration,
                shape: Shape::Url,
                value: url.to_string(),
                line: line_of(text, &[raw], raw),
            });
        }
        let mut hit = |key: &str, value: &str, raw: &[&str]| {
            out.push(FieldHit {
                format: MetadataFormat::CargoConfig,
                key: key.to_string(),
                kind: FieldKind::Integration,
                shape: Shape::Text,
                value: value.to_string(),
                line: line_of(text, raw, value),
            });
        };
        for table in ["build", "host"] {
            if let Some(t) = doc.get(table).and_then(toml::Value::as_table) {
                let raw = strings(t.get("rustflags"));
                flags("rustflags", &raw, &mut hit);
            }
        }
        let Some(targets) = doc.get("target").and_then(toml::Value::as_table) else {
            return;
        };
        for target in targets.values().filter_map(toml::Value::as_table) {
            let raw = strings(target.get("rustflags"));
            flags("rustflags", &raw, &mut hit);
            // A `links` override: a table under the target, named by the `links` value of the
            // package whose build script it replaces.
            for (links, o) in target.iter() {
                let Some(o) = o.as_table() else { continue };
                hit("links override", links, &[links]);
                for l in strings(o.get("rustc-link-lib")) {
                    hit("rustc-link-lib", super::rustc_library(l), &[l]);
                }
                for d in strings(o.get("rustc-link-search")) {
                    let dir = d.rsplit_once('=').map_or(d, |(_, p)| p);
                    hit("rustc-link-search", dir, &[d]);
                }
                let raw = strings(o.get("rustc-flags"));
                flags("rustc-flags", &raw, &mut hit);
                for key in ["rustc-link-arg", "rustc-cdylib-link-arg"] {
                    let raw = strings(o.get(key));
                    for l in super::linker_libraries(raw.iter().copied()) {
                        hit(key, &l, &raw);
                    }
                }
            }
        }
    }
}

/// The libraries and directories of rustc flags `raw`, as the field `key` and `<key> -L`.
fn flags(key: &str, raw: &[&str], hit: &mut dyn FnMut(&str, &str, &[&str])) {
    let (libs, dirs) = super::rustc_links(raw.iter().copied());
    for l in libs {
        hit(key, &l, raw);
    }
    for d in dirs {
        hit(&format!("{key} -L"), &d, raw);
    }
}

/// The strings of a value that is a string or an array of them.
fn strings(v: Option<&toml::Value>) -> Vec<&str> {
    match v {
        Some(toml::Value::String(s)) => vec![s.as_str()],
        Some(toml::Value::Array(items)) => items.iter().filter_map(toml::Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The line of the first string of `raw` (as written in `text`, quoted) that holds `value`,
/// else of the first of them, else 1.
fn line_of(text: &str, raw: &[&str], value: &str) -> u32 {
    let quoted = |s: &str| {
        ['"', '\'']
            .iter()
            .find_map(|q| text.find(&format!("{q}{s}{q}")))
            .or_else(|| text.find(s))
    };
    raw.iter()
        .filter(|r| r.contains(value))
        .chain(raw.iter())
        .find_map(|r| quoted(r))
        .map_or(1, |at| line_at(text, at))
}
