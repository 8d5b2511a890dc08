//! Recognisers of `Key: value` header formats: Java `META-INF/MANIFEST.MF`, Python wheel
//! `METADATA` and sdist `PKG-INFO`, Debian `control` and DEP-5 `copyright`, RPM `.spec` files.

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at};
use crate::evidence::Shape;

/// One header: its key, its value (continuation lines joined) and the offset of the key.
struct Header<'t> {
    key: &'t str,
    value: String,
    at: usize,
}

/// The headers of `text` up to the first blank line (or all of it when `whole`), continuation
/// lines (starting with a space or tab) joined to the header before: by a space, or directly
/// when `glued` (the Java manifest wraps at 72 bytes in the middle of words).
fn headers(text: &str, glued: bool, whole: bool) -> Vec<Header<'_>> {
    let mut out: Vec<Header<'_>> = Vec::new();
    let mut at = 0usize;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let start = at;
        at += raw.len();
        if line.trim().is_empty() {
            if whole {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(h) = out.last_mut() {
                let cont = if glued { &line[1..] } else { line.trim() };
                if !glued {
                    h.value.push(' ');
                }
                h.value.push_str(cont);
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim();
            if !k.is_empty() && !k.contains(' ') {
                out.push(Header {
                    key: k,
                    value: v.trim().to_string(),
                    at: start,
                });
            }
        }
    }
    out
}

fn emit(
    format: MetadataFormat,
    text: &str,
    hs: Vec<Header<'_>>,
    keys: &[(&str, FieldKind, Shape)],
    out: &mut Vec<FieldHit>,
) {
    for h in hs {
        if let Some((_, kind, shape)) = keys.iter().find(|(k, ..)| k.eq_ignore_ascii_case(h.key)) {
            out.push(FieldHit {
                format,
                key: h.key.to_string(),
                kind: *kind,
                shape: *shape,
                value: h.value,
                line: line_at(text, h.at),
            });
        }
    }
}

use FieldKind::{Attribution as A, Integration as I};

pub struct JavaManifest;
impl Recogniser for JavaManifest {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ends_with("META-INF/MANIFEST.MF")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let hs = headers(text, true, true);
        emit(
            MetadataFormat::JavaManifest,
            text,
            hs,
            &[
                ("Implementation-Vendor", A, Shape::Text),
                ("Implementation-Vendor-Id", A, Shape::Text),
                ("Specification-Vendor", A, Shape::Text),
                ("Bundle-Vendor", A, Shape::Text),
                ("Bundle-Copyright", A, Shape::Text),
                ("Bundle-ContactAddress", A, Shape::Author),
                ("Bundle-DocURL", A, Shape::Url),
                ("Implementation-URL", A, Shape::Url),
                ("Built-By", A, Shape::Author),
                ("Bundle-Developers", A, Shape::Author),
            ],
            out,
        );
        // Identifiers in the entity's reverse domain: `Bundle-SymbolicName: com.kaspersky.sdk`.
        // Packages it imports from that domain are code it cannot run without.
        for h in headers(text, true, true) {
            let is = |keys: &[&str]| keys.iter().any(|k| k.eq_ignore_ascii_case(h.key));
            let kind = if is(&["Bundle-SymbolicName", "Automatic-Module-Name", "Main-Class"]) {
                A
            } else if is(&["Import-Package", "Require-Bundle", "Export-Package"]) {
                if is(&["Export-Package"]) { A } else { I }
            } else {
                continue;
            };
            for item in split_clauses(&h.value) {
                let value = item.split(';').next().unwrap_or("").trim();
                if let Some(host) = super::reverse_domain(value) {
                    out.push(FieldHit {
                        format: MetadataFormat::JavaManifest,
                        key: format!("{} (reverse domain {value})", h.key),
                        kind,
                        shape: Shape::Url,
                        value: host,
                        line: line_at(text, h.at),
                    });
                }
            }
        }
    }
}

pub struct PythonMetadata;
impl Recogniser for PythonMetadata {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        (f.base == "PKG-INFO" || f.base == "METADATA")
            && text
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("metadata-version")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let hs = headers(text, false, false);
        emit(
            MetadataFormat::PythonMetadata,
            text,
            hs,
            &[
                ("Author", A, Shape::Author),
                ("Author-email", A, Shape::Author),
                ("Maintainer", A, Shape::Author),
                ("Maintainer-email", A, Shape::Author),
                ("Home-page", A, Shape::Url),
                ("Download-URL", A, Shape::Url),
                ("Project-URL", A, Shape::Url),
            ],
            out,
        );
        // `Project-URL: Homepage, https://…`: the URL is after the label.
        for f in out
            .iter_mut()
            .filter(|f| f.key.eq_ignore_ascii_case("Project-URL"))
        {
            if let Some((_, url)) = f.value.split_once(',') {
                f.value = url.trim().to_string();
            }
        }
        // What it requires to run: `Requires-Dist: kav-sdk (>=1.0); extra == "x"`, and the
        // older `Requires` and `Requires-External`.
        let mut requires = Vec::new();
        emit(
            MetadataFormat::PythonMetadata,
            text,
            headers(text, false, false),
            &[
                ("Requires-Dist", I, Shape::Text),
                ("Requires", I, Shape::Text),
                ("Requires-External", I, Shape::Text),
            ],
            &mut requires,
        );
        for mut f in requires {
            // The distribution's name: what comes before its version, extras or marker.
            let end = f
                .value
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
                .unwrap_or(f.value.len());
            f.value = super::imports::with_words(&f.value[..end]);
            out.push(f);
        }
    }
}

pub struct DebianControl;
impl Recogniser for DebianControl {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        f.base == "control"
            && (f.ends_with("debian/control")
                || f.ends_with("DEBIAN/control")
                || f.path == "control"
                || f.path.ends_with("/control"))
            && (text.starts_with("Package:") || text.starts_with("Source:"))
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        emit(
            MetadataFormat::DebianControl,
            text,
            headers(text, false, true),
            &[
                ("Maintainer", A, Shape::Author),
                ("Uploaders", A, Shape::Author),
                ("Original-Maintainer", A, Shape::Author),
                ("XSBC-Original-Maintainer", A, Shape::Author),
                ("Homepage", A, Shape::Url),
                ("Vcs-Git", A, Shape::Url),
                ("Vcs-Browser", A, Shape::Url),
            ],
            out,
        );
    }
}

pub struct DebianCopyright;
impl Recogniser for DebianCopyright {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        f.base == "copyright" && text.starts_with("Format:")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        emit(
            MetadataFormat::DebianCopyright,
            text,
            headers(text, false, true),
            &[
                ("Copyright", A, Shape::Text),
                ("Upstream-Contact", A, Shape::Author),
                ("Upstream-Name", A, Shape::Text),
                ("Source", A, Shape::Url),
            ],
            out,
        );
    }
}

pub struct RpmSpec;
impl Recogniser for RpmSpec {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "spec"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        emit(
            MetadataFormat::RpmSpec,
            text,
            headers(text, false, true),
            &[
                ("Vendor", A, Shape::Text),
                ("Packager", A, Shape::Author),
                ("URL", A, Shape::Url),
                ("Source", A, Shape::Url),
                ("Source0", A, Shape::Url),
            ],
            out,
        );
    }
}

/// A pkg-config file (`kavsdk.pc`): what a build links when it asks pkg-config for the library.
/// `Name` and `URL` say whose library it is, `Libs` (`-lkavsdk`) and `Requires` what it loads.
/// Variables (`vendor=kaspersky`, then `URL: https://${vendor}.com`) are expanded first.
pub struct PkgConfig;
impl Recogniser for PkgConfig {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        // A source tree ships the template the build fills in (`scanner.pc.in`, `@prefix@`).
        f.ext == "pc" || (f.ext == "in" && f.base.to_ascii_lowercase().ends_with(".pc.in"))
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let mut vars: Vec<(String, String)> = Vec::new();
        let expand = |v: &str, vars: &[(String, String)]| {
            let mut v = v.to_string();
            // Each variable once, latest definition first: no recursion to loop on.
            for (k, val) in vars.iter().rev() {
                v = v.replace(&format!("${{{k}}}"), val);
            }
            v
        };
        let mut at = 0usize;
        for raw in text.split_inclusive('\n') {
            let start = at;
            at += raw.len();
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // `name=value` defines a variable, `Key: value` a field (whichever comes first).
            let (eq, colon) = (line.find('='), line.find(':'));
            if let Some(i) = eq.filter(|&i| colon.is_none_or(|c| i < c)) {
                let (k, v) = (line[..i].trim(), line[i + 1..].trim());
                if !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                {
                    let v = expand(v, &vars);
                    vars.push((k.to_string(), v));
                }
                continue;
            }
            let Some(c) = colon else { continue };
            let (key, value) = (line[..c].trim(), expand(line[c + 1..].trim(), &vars));
            let line = line_at(text, start);
            let mut push = |key: &str, kind, shape, value: String| {
                out.push(FieldHit {
                    format: MetadataFormat::PkgConfig,
                    key: key.to_string(),
                    kind,
                    shape,
                    value,
                    line,
                })
            };
            match key.to_ascii_lowercase().as_str() {
                "name" => push("Name", A, Shape::Text, value),
                "url" => push("URL", A, Shape::Url, value),
                "libs" | "libs.private" => {
                    for lib in value
                        .split_whitespace()
                        .filter_map(|w| w.strip_prefix("-l"))
                    {
                        push(key, I, Shape::Text, super::library_stem(lib));
                    }
                }
                "requires" | "requires.private" => {
                    // `zlib >= 1.2, kavbase`: a module, then optionally an operator and a version.
                    let mut version_next = false;
                    for w in value.split([',', ' ', '\t']).filter(|w| !w.is_empty()) {
                        if std::mem::take(&mut version_next) {
                            continue;
                        }
                        if matches!(w, "=" | "<" | ">" | "<=" | ">=" | "!=") {
                            version_next = true;
                        } else if w.chars().next().is_some_and(char::is_alphanumeric) {
                            push(key, I, Shape::Text, w.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The comma-separated clauses of an OSGi header, commas inside quotes left alone
/// (`a.b;version="[1,2)",c.d`).
fn split_clauses(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in v.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&v[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&v[start..]);
    out
}
