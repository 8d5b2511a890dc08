//! Evidence stage, build scripts: the text of a build script → the libraries it links, the
//! directories it searches and the URLs it downloads from. The script is read, never run.
//!
//! The manifest may point `build` anywhere (`/dev/zero`, a FIFO, a link leading out of the
//! package, a 1.5 GB file): the script is read only when it is a regular file inside the
//! package, reached without a link, within the build-script bound; otherwise the package lists
//! it as not scanned, with the reason.

use camino::Utf8Path;

use super::field::ScriptItem;
use super::scan::{PackageScan, SkipKind, Skipped};
use super::{Evidence, Field, Role, Shape, clip};
use crate::fsio::{self, ReadError, ReadKind};

/// Adds what the build script at `build_script` (read as text, never run) links and downloads
/// to the scan of the package at `root`, or why it was not read to its skipped files.
pub fn add_to_scan(
    out: &mut PackageScan,
    root: &Utf8Path,
    build_script: Option<&Utf8Path>,
    limits: &fsio::Limits,
) {
    let Some(bs) = build_script else { return };
    if out.not_scanned.is_some() {
        return;
    }
    let rel = bs
        .strip_prefix(root)
        .map(|r| r.as_str().replace('\\', "/"))
        .unwrap_or_else(|_| bs.to_string());
    match fsio::read_within(
        root.as_std_path(),
        bs.as_std_path(),
        ReadKind::BuildScript,
        limits,
    ) {
        Ok(bytes) => out
            .evidence
            .extend(scan(&rel, &String::from_utf8_lossy(&bytes))),
        Err(e) => {
            let kind = match e {
                ReadError::Link | ReadError::Outside => SkipKind::Link,
                ReadError::TooLarge { .. } => SkipKind::TooLarge,
                _ => SkipKind::Unreadable,
            };
            out.skipped.push(Skipped {
                file: rel,
                kind,
                reason: format!("build script not read: {e}"),
            });
        }
    }
    out.evidence.sort();
    out.evidence.dedup();
    out.skipped.sort();
}

/// Extracts link and download directives from build-script source.
///
/// Recognises both instruction syntaxes (`cargo:rustc-link-lib=…` and `cargo::rustc-link-lib=…`)
/// wherever they appear in a string literal, and every `http(s)://` or `ftp://` URL literal.
pub fn scan(file: &str, text: &str) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lineno = Some(u32::try_from(i + 1).unwrap_or(u32::MAX));
        for (directive, field) in [
            ("rustc-link-lib=", ScriptItem::LinkLib),
            ("rustc-link-search=", ScriptItem::LinkSearch),
            ("rustc-link-arg=", ScriptItem::LinkArg),
        ] {
            let mut rest = line;
            while let Some(pos) = rest.find(directive) {
                let before = &rest[..pos];
                rest = &rest[pos + directive.len()..];
                if !(before.ends_with("cargo:") || before.ends_with("cargo::")) {
                    continue;
                }
                let value: String = rest
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | ')' | '`') && !c.is_whitespace())
                    .collect();
                // `KIND=NAME` / `KIND=PATH`: the name or path is what identifies the library.
                let value = value.rsplit_once('=').map(|(_, v)| v).unwrap_or(&value);
                let value = value.trim_matches(|c: char| c == '{' || c == '}');
                if !value.is_empty() {
                    out.push(
                        Evidence::new(
                            Field::BuildScript(field),
                            Role::Attribution,
                            Shape::Text,
                            clip(value),
                        )
                        .at(file, lineno),
                    );
                }
            }
        }
        for scheme in ["https://", "http://", "ftp://"] {
            let mut rest = line;
            while let Some(pos) = rest.find(scheme) {
                let url: String = rest[pos..]
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | ')' | '`' | '>' | ' ' | '\t'))
                    .collect();
                rest = &rest[pos + scheme.len()..];
                out.push(
                    Evidence::new(
                        Field::BuildScript(ScriptItem::Url),
                        Role::Attribution,
                        Shape::Url,
                        clip(&url),
                    )
                    .at(file, lineno),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_directives_and_urls() {
        let src = r#"
fn main() {
    println!("cargo:rustc-link-search=native=/opt/kaspersky/kavsdk/lib");
    println!("cargo::rustc-link-lib=dylib=kavsdk");
    println!("cargo:rustc-link-lib=static={}", name);
    let url = "https://updates.kaspersky.com/sdk/kavsdk-8.tar.gz";
    // not a directive: rustc-link-lib=ignored
}
"#;
        let ev = scan("build.rs", src);
        let got: Vec<(String, &str, Option<u32>)> = ev
            .iter()
            .map(|e| {
                (
                    e.field.to_string(),
                    e.text.as_str(),
                    e.location.as_ref().and_then(|l| l.line),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "build-script rustc-link-search",
                    "/opt/kaspersky/kavsdk/lib",
                    Some(3)
                ),
                ("build-script rustc-link-lib", "kavsdk", Some(4)),
                (
                    "build-script URL",
                    "https://updates.kaspersky.com/sdk/kavsdk-8.tar.gz",
                    Some(6)
                ),
            ]
            .map(|(f, t, l)| (f.to_string(), t, l))
        );
    }
}
