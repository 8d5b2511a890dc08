//! Recognisers of XML manifests: NuGet `.nuspec`, MSBuild project files, Maven `pom.xml`, Apple
//! `Info.plist`, Android `AndroidManifest.xml`, and CycloneDX documents in XML.
//!
//! Only a handful of elements are read, by name, so a small tolerant reader does: the text inside
//! `<tag>…</tag>` (nested markup and CDATA removed, character references resolved) and one
//! attribute of an element.

use std::sync::LazyLock;

use regex::Regex;

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at};
use crate::evidence::Shape;

use FieldKind::{Attribution as A, Integration as I};

/// The text of every `<tag …>…</tag>` element (namespace prefixes ignored), with its offset.
fn elements(text: &str, tag: &str) -> Vec<(String, usize)> {
    raw_elements(text, tag)
        .into_iter()
        .map(|(inner, at)| (plain(inner), at))
        .collect()
}

/// The markup inside every `<tag …>…</tag>` element, with its offset.
fn raw_elements<'t>(text: &'t str, tag: &str) -> Vec<(&'t str, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = find_open(text, tag, from) {
        let Some(gt) = text[i..].find('>').map(|g| i + g) else {
            break;
        };
        from = gt + 1;
        if text[..gt].ends_with('/') {
            continue;
        }
        let Some(end) = find_close(text, tag, gt + 1) else {
            break;
        };
        out.push((&text[gt + 1..end], gt + 1));
        from = end;
    }
    out
}

/// `<tag` or `<ns:tag` followed by whitespace, `>` or `/`.
fn find_open(text: &str, tag: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = text[at..].find('<').map(|i| at + i) {
        let rest = &text[i + 1..];
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        let local = name.rsplit(':').next().unwrap_or(name);
        if local.eq_ignore_ascii_case(tag) && !name.starts_with('/') {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

fn find_close(text: &str, tag: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = text[at..].find("</").map(|i| at + i) {
        let rest = &text[i + 2..];
        let name_end = rest.find('>').unwrap_or(rest.len());
        let name = rest[..name_end].trim();
        if name
            .rsplit(':')
            .next()
            .unwrap_or(name)
            .eq_ignore_ascii_case(tag)
        {
            return Some(i);
        }
        at = i + 2;
    }
    None
}

/// Markup removed, CDATA unwrapped, character references resolved, white space folded.
pub(super) fn plain(inner: &str) -> String {
    let mut s = String::with_capacity(inner.len());
    let mut rest = inner;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = r.find("]]>").unwrap_or(r.len());
            s.push_str(&r[..end]);
            rest = r.get(end + 3..).unwrap_or("");
        } else if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            s.push(' ');
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            s.push_str(&html_escape::decode_html_entities(&rest[..end]));
            rest = &rest[end..];
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of `attr` on every `<tag …>` element.
fn attributes(text: &str, tag: &str, attr: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = find_open(text, tag, from) {
        let end = text[i..].find('>').map_or(text.len(), |g| i + g);
        let head = &text[i..end];
        from = end.max(i + 1);
        let mut at = 0;
        while let Some(p) = head[at..].find(attr).map(|p| at + p) {
            at = p + attr.len();
            let before_ok =
                p > 0 && head.as_bytes()[p - 1].is_ascii_whitespace() || head[..p].ends_with(':');
            let after = head[at..].trim_start();
            if before_ok && let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                if let Some(q) = v.chars().next().filter(|q| *q == '"' || *q == '\'')
                    && let Some(e) = v[1..].find(q)
                {
                    out.push((
                        html_escape::decode_html_entities(&v[1..1 + e]).into_owned(),
                        i + p,
                    ));
                    break;
                }
            }
        }
    }
    out
}

fn push_all(
    format: MetadataFormat,
    text: &str,
    found: Vec<(String, usize)>,
    key: &str,
    kind: FieldKind,
    shape: Shape,
    out: &mut Vec<FieldHit>,
) {
    for (value, at) in found {
        out.push(FieldHit {
            format,
            key: key.to_string(),
            kind,
            shape,
            value,
            line: line_at(text, at),
        });
    }
}

/// Every `<tag>` element's text as an attribution field of the shape given with it.
fn push_elements(
    format: MetadataFormat,
    text: &str,
    tags: &[(&str, Shape)],
    out: &mut Vec<FieldHit>,
) {
    for &(tag, shape) in tags {
        push_all(
            format,
            text,
            elements(text, tag),
            &format!("<{tag}>"),
            A,
            shape,
            out,
        );
    }
}

pub struct NuSpec;
impl Recogniser for NuSpec {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "nuspec"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let fmt = MetadataFormat::NuGetNuspec;
        push_elements(
            fmt,
            text,
            &[
                ("authors", Shape::Author),
                ("owners", Shape::Author),
                ("copyright", Shape::Text),
                ("projectUrl", Shape::Url),
                ("licenseUrl", Shape::Url),
            ],
            out,
        );
        push_all(
            fmt,
            text,
            attributes(text, "repository", "url"),
            "<repository url>",
            A,
            Shape::Url,
            out,
        );
        // The package's own id, where it is `Company.Product`: the company (see
        // `nuget_company`).
        let prefixes = elements(text, "id")
            .into_iter()
            .filter_map(|(id, at)| Some((super::nuget_company(&id)?.to_string(), at)))
            .collect();
        push_all(fmt, text, prefixes, "<id> prefix", A, Shape::Text, out);
        // The packages it depends on, as an MSBuild project's package references.
        push_all(
            fmt,
            text,
            attributes(text, "dependency", "id"),
            "<dependency id>",
            I,
            Shape::Text,
            out,
        );
    }
}

pub struct MsBuild;
impl Recogniser for MsBuild {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        matches!(
            f.ext.as_str(),
            "csproj" | "vbproj" | "fsproj" | "vcxproj" | "props" | "targets"
        )
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let fmt = MetadataFormat::MsBuildProject;
        push_elements(
            fmt,
            text,
            &[
                ("Company", Shape::Text),
                ("Authors", Shape::Author),
                ("Copyright", Shape::Text),
                ("PackageProjectUrl", Shape::Url),
                ("RepositoryUrl", Shape::Url),
            ],
            out,
        );
        // A library it links or references from the listed vendor.
        push_all(
            fmt,
            text,
            attributes(text, "Reference", "Include"),
            "<Reference Include>",
            I,
            Shape::Text,
            out,
        );
        push_all(
            fmt,
            text,
            elements(text, "AdditionalDependencies"),
            "<AdditionalDependencies>",
            I,
            Shape::Text,
            out,
        );
        // A prebuilt library it links or copies beside its output: `<NativeLibrary Include>`, a
        // reference's `<HintPath>`, and a `<None>`/`<Content>` item that is a library file
        // (`runtimes/linux-x64/native/libvendor.so`).
        push_all(
            fmt,
            text,
            attributes(text, "NativeLibrary", "Include"),
            "<NativeLibrary Include>",
            I,
            Shape::Text,
            out,
        );
        push_all(
            fmt,
            text,
            elements(text, "HintPath"),
            "<HintPath>",
            I,
            Shape::Text,
            out,
        );
        for item in ["None", "Content"] {
            let libraries = attributes(text, item, "Include")
                .into_iter()
                .filter(|(path, _)| super::library_file(path))
                .collect();
            push_all(
                fmt,
                text,
                libraries,
                &format!("<{item} Include>"),
                I,
                Shape::Text,
                out,
            );
        }
        for f in out.iter_mut().filter(|f| f.kind == I) {
            f.value = f
                .value
                .split([';', ','])
                .map(super::library_stem)
                .collect::<Vec<_>>()
                .join(" ");
        }
        // The NuGet packages it installs (`<PackageReference Include="Kaspersky.ScanEngine">`,
        // central versions in `Directory.Packages.props`): package ids, not file names.
        for tag in ["PackageReference", "PackageVersion", "PackageDownload"] {
            let mut found = Vec::new();
            push_all(
                fmt,
                text,
                attributes(text, tag, "Include"),
                &format!("<{tag} Include>"),
                I,
                Shape::Text,
                &mut found,
            );
            for f in &mut found {
                f.value = super::imports::with_words(&f.value);
            }
            out.extend(found);
        }
    }
}

pub struct MavenPom;
impl Recogniser for MavenPom {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.base == "pom.xml" || f.ext == "pom" || f.base == "pom.properties"
    }
    fn read(&self, f: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let fmt = MetadataFormat::MavenPom;
        // A JAR's `META-INF/maven/<groupId>/<artifactId>/`: the coordinates of the library it
        // ships, in the directory's name and in `pom.properties` (`groupId=…`), a reverse domain
        // as `pom.xml`'s `<groupId>` is.
        let mut groups: Vec<(String, &str, usize)> = Vec::new();
        if let Some(group) = maven_directory_group(f.path) {
            groups.push((group.to_string(), "META-INF/maven/<groupId> directory", 0));
        }
        let properties_file = f.base == "pom.properties";
        if properties_file {
            for (value, at) in properties(text, "groupId") {
                groups.push((value, "pom.properties groupId", at));
            }
        }
        for (value, key, at) in groups {
            if let Some(host) = super::reverse_domain(&value) {
                out.push(hit(
                    fmt,
                    &format!("{key} (reverse domain {value})"),
                    A,
                    Shape::Url,
                    host,
                    text,
                    at,
                ));
            }
        }
        if properties_file {
            return;
        }
        // The organisation and developers say who made it; a groupId is a reverse domain.
        for (value, at) in elements(text, "organization") {
            out.push(hit(fmt, "<organization>", A, Shape::Text, value, text, at));
        }
        for (value, at) in elements(text, "developer") {
            out.push(hit(fmt, "<developer>", A, Shape::Author, value, text, at));
        }
        for (value, at) in elements(text, "url") {
            out.push(hit(fmt, "<url>", A, Shape::Url, value, text, at));
        }
        // A dependency taken from a file of the project (`<scope>system</scope>`): the jar.
        for (value, at) in elements(text, "systemPath") {
            let stem = super::library_stem(&value);
            let stem = stem.strip_suffix(".jar").unwrap_or(&stem).to_string();
            out.push(hit(fmt, "<systemPath>", I, Shape::Text, stem, text, at));
        }
        // Not what a build leaves out (`<exclusions>`) or uses only for the project's own tests
        // (`<scope>test</scope>`): neither ships.
        static EXCLUSION: LazyLock<Regex> =
            LazyLock::new(|| super::re(r"(?s)<exclusion\b.*?</exclusion\s*>"));
        static DEPENDENCY: LazyLock<Regex> =
            LazyLock::new(|| super::re(r"(?s)<dependency\b.*?</dependency\s*>"));
        static TEST_SCOPE: LazyLock<Regex> =
            LazyLock::new(|| super::re(r"<scope>\s*test\s*</scope>"));
        let unshipped: Vec<std::ops::Range<usize>> = EXCLUSION
            .find_iter(text)
            .chain(
                DEPENDENCY
                    .find_iter(text)
                    .filter(|d| TEST_SCOPE.is_match(d.as_str())),
            )
            .map(|m| m.range())
            .collect();
        for (value, at) in elements(text, "groupId") {
            if unshipped.iter().any(|r| r.contains(&at)) {
                continue;
            }
            if let Some(host) = super::reverse_domain(&value) {
                out.push(hit(
                    fmt,
                    &format!("<groupId> (reverse domain {value})"),
                    A,
                    Shape::Url,
                    host,
                    text,
                    at,
                ));
            }
        }
    }
}

/// The group of a file under a JAR's `META-INF/maven/<groupId>/<artifactId>/` (where Maven puts
/// the `pom.xml` and `pom.properties` of the library it packages).
fn maven_directory_group(path: &str) -> Option<&str> {
    let path = path.trim_start_matches(['/', '\\']);
    let at = path
        .match_indices("META-INF/maven/")
        .map(|(i, _)| i)
        .find(|&i| i == 0 || path[..i].ends_with('/'))?;
    let mut parts = path[at + "META-INF/maven/".len()..].split('/');
    let group = parts.next().filter(|g| !g.is_empty())?;
    // Below it, the artifact's directory, then the file.
    parts.next().filter(|a| !a.is_empty())?;
    parts.next()?;
    Some(group)
}

/// The values of `key` in a Java properties file (`key=value`, `key: value`, `key value`;
/// `#` and `!` lines are comments), with their offsets.
fn properties(text: &str, key: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let t = line.trim_start();
        let Some(rest) = t.strip_prefix(key) else {
            continue;
        };
        let Some(sep) = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '=' | ':' | ' ' | '\t'))
        else {
            continue;
        };
        let value = rest[sep.len_utf8()..]
            .trim_start_matches([' ', '\t', '=', ':'])
            .trim_end();
        if !value.is_empty() {
            out.push((value.to_string(), start + (line.len() - t.len())));
        }
    }
    out
}

fn hit(
    format: MetadataFormat,
    key: &str,
    kind: FieldKind,
    shape: Shape,
    value: String,
    text: &str,
    at: usize,
) -> FieldHit {
    FieldHit {
        format,
        key: key.to_string(),
        kind,
        shape,
        value,
        line: line_at(text, at),
    }
}

/// A macOS flat installer package's `PackageInfo` (`<pkg-info identifier="com.vendor.agent">`)
/// and `Distribution` (`<pkg-ref id="com.vendor.agent">`, `<product id=…>`): the identifiers of
/// the packages it installs, reverse domains read as the hosts they name, as a bundle's
/// `CFBundleIdentifier` is.
pub struct MacInstaller;
impl Recogniser for MacInstaller {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        (f.base == "PackageInfo" && text.contains("<pkg-info"))
            || (f.base == "Distribution" && text.contains("<installer-"))
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            super::re(
                r#"<(pkg-info|pkg-ref|product)\b[^>]*?\s(?:identifier|id)\s*=\s*["']([^"']+)["']"#,
            )
        });
        let mut seen = std::collections::HashSet::new();
        for c in ID.captures_iter(text) {
            let (tag, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            let Some(host) = super::reverse_domain(v.as_str()) else {
                continue;
            };
            if seen.insert(host.clone()) {
                out.push(hit(
                    MetadataFormat::MacInstaller,
                    &format!("<{}> (reverse domain {})", tag.as_str(), v.as_str()),
                    A,
                    Shape::Url,
                    host,
                    text,
                    v.start(),
                ));
            }
        }
    }
}

pub struct InfoPlist;
impl Recogniser for InfoPlist {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        f.ext == "plist" && text.contains("<plist")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let fmt = MetadataFormat::AppleInfoPlist;
        // `<key>K</key>` then the next `<string>V</string>`.
        for (key, at) in elements(text, "key") {
            let after = &text[at..];
            let Some(s) = find_open(after, "string", 0) else {
                continue;
            };
            // The value must follow its key directly (only the key's end and white space between).
            let between = &after[..s];
            if between.matches('<').count() > 1 {
                continue;
            }
            let Some(value) = elements(&after[s..], "string").into_iter().next() else {
                continue;
            };
            let v = value.0;
            match key.as_str() {
                "CFBundleIdentifier" => {
                    if let Some(host) = super::reverse_domain(&v) {
                        out.push(hit(
                            fmt,
                            &format!("CFBundleIdentifier (reverse domain {v})"),
                            A,
                            Shape::Url,
                            host,
                            text,
                            at,
                        ));
                    }
                }
                "NSHumanReadableCopyright"
                | "CFBundleGetInfoString"
                | "NSHumanReadableDescription" => {
                    out.push(hit(fmt, &key, A, Shape::Text, v, text, at));
                }
                _ => {}
            }
        }
    }
}

pub struct AndroidManifest;
impl Recogniser for AndroidManifest {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        f.base == "AndroidManifest.xml" && text.contains("<manifest")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        for (value, at) in attributes(text, "manifest", "package") {
            if let Some(host) = super::reverse_domain(&value) {
                out.push(hit(
                    MetadataFormat::AndroidManifest,
                    &format!("package (reverse domain {value})"),
                    A,
                    Shape::Url,
                    host,
                    text,
                    at,
                ));
            }
        }
    }
}

pub struct SbomXml;
impl Recogniser for SbomXml {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        f.ext == "xml" && text[..text.len().min(4096)].contains("cyclonedx.org/schema/bom")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let fmt = MetadataFormat::CycloneDx;
        for tag in [
            "supplier",
            "manufacturer",
            "manufacture",
            "provider",
            "organization",
        ] {
            for (inner, at) in raw_elements(text, tag) {
                // `<supplier><name>X</name><url>…</url></supplier>`: the name, else all its text.
                let value = elements(inner, "name")
                    .into_iter()
                    .next()
                    .map_or_else(|| plain(inner), |n| n.0);
                out.push(hit(
                    fmt,
                    &format!("<{tag}>"),
                    A,
                    Shape::Author,
                    value,
                    text,
                    at,
                ));
            }
        }
        for tag in ["author", "publisher", "copyright"] {
            for (value, at) in elements(text, tag) {
                out.push(hit(
                    fmt,
                    &format!("<{tag}>"),
                    A,
                    Shape::Author,
                    value,
                    text,
                    at,
                ));
            }
        }
        for (value, at) in elements(text, "group") {
            if let Some(host) = super::reverse_domain(&value) {
                out.push(hit(
                    fmt,
                    &format!("<group> (reverse domain {value})"),
                    A,
                    Shape::Url,
                    host,
                    text,
                    at,
                ));
            } else {
                out.push(hit(fmt, "<group>", A, Shape::Text, value, text, at));
            }
        }
        for (value, at) in elements(text, "purl") {
            let mut found = Vec::new();
            super::json::purl_fields(fmt, text, "<purl>", &value, &mut found);
            for mut f in found {
                f.line = line_at(text, at);
                out.push(f);
            }
        }
        // External references, and the URLs of suppliers and manufacturers.
        for (value, at) in elements(text, "url") {
            out.push(hit(fmt, "<url>", A, Shape::Url, value, text, at));
        }
    }
}
