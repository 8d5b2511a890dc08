//! Evidence stage, build scripts: the text of a build script → the libraries it links, the
//! directories it searches and the URLs it downloads from. The script is read, never run.
//!
//! The manifest may point `build` anywhere (`/dev/zero`, a FIFO, a link leading out of the
//! package, a 1.5 GB file): the script is read only when it is a regular file inside the
//! package, reached without a link, within the build-script bound; otherwise the package lists
//! it as not scanned, with the reason.

use std::sync::LazyLock;

use camino::Utf8Path;
use regex::Regex;

use super::field::ScriptItem;
use super::recognise::{self, rustc_library};
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
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            out.evidence.extend(scan(&rel, &text));
            // What it decodes when it runs (`STANDARD.decode("aHR0cHM6…")`, a reversed URL),
            // whatever the script is named,
            // is read as if written out.
            if let Some(run) = recognise::as_run("build.rs", &text) {
                out.evidence.extend(scan(&rel, &run));
            }
        }
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

/// Extracts what a build script links and downloads from its source.
///
/// - The link instructions it prints, in both syntaxes (`cargo:rustc-link-lib=…`,
///   `cargo::rustc-link-lib=…`), wherever they appear in a string literal: `rustc-link-lib`
///   (the library's name), `rustc-link-search` (the directory), every `rustc-link-arg` variant
///   (`-bins`, `-bin=NAME=`, `-cdylib`…; the libraries the arguments link, by
///   [`recognise::linker_libraries`], else the argument) and `rustc-flags` (its `-l` and `-L`).
///   A value formatted from a name (`dylib={ENGINE}`, `dylib={}", lib`) is that name's string
///   in the same file (`const ENGINE: &str = "kavsdk";`).
/// - The libraries it finds or builds in: a pkg-config or vcpkg probe
///   (`pkg_config::Config::new().probe("kavsdk")`, `vcpkg::find_package("kavsdk")`), an object
///   or archive a `cc` build links in (`.object("lib/libkavsdk.a")`), the linker arguments of a
///   `cc` flag (`.flag("-lkavsdk")`), and the header `bindgen` generates bindings to.
/// - Every `http(s)://` or `ftp://` URL literal, but one that only queries a service (see
///   `recognise::service_call`).
///
/// A line or the part of one that is a `//` comment says none of it.
pub fn scan(file: &str, text: &str) -> Vec<Evidence> {
    let mut out = Vec::new();
    let push = |out: &mut Vec<Evidence>, item: ScriptItem, value: &str, line: usize| {
        let value = value.trim();
        if !value.is_empty() {
            out.push(
                Evidence::new(
                    Field::BuildScript(item),
                    Role::Attribution,
                    Shape::Text,
                    clip(value),
                )
                .at(file, Some(u32::try_from(line).unwrap_or(u32::MAX))),
            );
        }
    };
    for (i, line) in text.lines().enumerate() {
        for (at, key, value) in directives(line) {
            if commented(line, at) {
                continue;
            }
            let values = formatted(text, line, at, value);
            for value in values.iter().map(String::as_str) {
                match key {
                    "rustc-link-lib" => {
                        push(&mut out, ScriptItem::LinkLib, rustc_library(value), i + 1)
                    }
                    "rustc-link-search" => {
                        let dir = value.rsplit_once('=').map_or(value, |(_, d)| d);
                        push(&mut out, ScriptItem::LinkSearch, dir, i + 1);
                    }
                    "rustc-flags" => {
                        let (libs, dirs) = recognise::rustc_links([value]);
                        for l in libs {
                            push(&mut out, ScriptItem::LinkLib, &l, i + 1);
                        }
                        for d in dirs {
                            push(&mut out, ScriptItem::LinkSearch, &d, i + 1);
                        }
                    }
                    // `rustc-link-arg-bin=NAME=FLAG`: the flag.
                    _ => {
                        let arg = match key {
                            "rustc-link-arg-bin" => value.split_once('=').map_or("", |(_, f)| f),
                            _ => value,
                        };
                        let libs = recognise::linker_libraries([arg]);
                        if libs.is_empty() {
                            push(&mut out, ScriptItem::LinkArg, arg, i + 1);
                        }
                        for l in libs {
                            push(&mut out, ScriptItem::LinkArg, &l, i + 1);
                        }
                    }
                }
            }
        }
        for scheme in ["https://", "http://", "ftp://"] {
            let mut from = 0;
            while let Some(pos) = line[from..].find(scheme).map(|p| from + p) {
                let url: String = line[pos..]
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | ')' | '`' | '>' | ' ' | '\t'))
                    .collect();
                from = pos + scheme.len();
                // A URL formatted from names (`format!("https://{host}/sdk.tgz")`) is each URL
                // their strings in the file make, as a link instruction's value is.
                for url in formatted(text, line, pos, &url) {
                    // A service asked for an answer (a threat-intelligence API's verdict) is no
                    // download: the line is still read as text.
                    if recognise::service_call(&url, line) {
                        continue;
                    }
                    out.push(
                        Evidence::new(
                            Field::BuildScript(ScriptItem::Url),
                            Role::Attribution,
                            Shape::Url,
                            clip(&url),
                        )
                        .at(file, Some(u32::try_from(i + 1).unwrap_or(u32::MAX))),
                    );
                }
            }
        }
    }
    for (item, line, value) in calls(text) {
        push(&mut out, item, &value, line);
    }
    out
}

/// The cargo instructions in a line of source: (byte of the instruction's `cargo:`, its key,
/// its value to the end of the string literal).
fn directives(line: &str) -> Vec<(usize, &str, &str)> {
    static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
        recognise::re(
            r#"cargo::?(rustc-link-lib|rustc-link-search|rustc-flags|rustc-cdylib-link-arg|rustc-link-arg(?:-bins|-bin|-tests|-examples|-benches|-cdylib)?)=([^"`\n]*)"#,
        )
    });
    DIRECTIVE
        .captures_iter(line)
        .map(|c| {
            let value = c.get(2).expect("group").as_str();
            // A string's escaped line break ends the instruction.
            let value = value.split("\\n").next().unwrap_or(value);
            (
                c.get(0).expect("match").start(),
                c.get(1).expect("group").as_str(),
                value,
            )
        })
        .collect()
}

/// `value` (at byte `at` of `line` of `text`) with its format placeholders put in place: a name
/// (`{ENGINE}`) by its strings in the file, `{}` and `{0}` by the format arguments after the
/// string on its line (a string, or a name bound in the file). A value without placeholders, or
/// one whose placeholder nothing binds, is itself (without braces); each binding gives one.
fn formatted(text: &str, line: &str, at: usize, value: &str) -> Vec<String> {
    let Some(open) = value.find('{') else {
        return vec![value.to_string()];
    };
    let Some(close) = value[open..].find('}').map(|c| open + c) else {
        return vec![value.to_string()];
    };
    let inner = value[open + 1..close]
        .split(':')
        .next()
        .unwrap_or_default()
        .trim();
    let (head, tail) = (&value[..open], &value[close + 1..]);
    let names: Vec<String> = if inner.is_empty() || inner.bytes().all(|b| b.is_ascii_digit()) {
        // Positional: the argument after the string, by its index.
        let index = inner
            .parse::<usize>()
            .unwrap_or_else(|_| value[..open].matches('{').count());
        format_arguments(&line[at..])
            .get(index)
            .map(|a| vec![a.clone()])
            .unwrap_or_default()
    } else {
        vec![inner.to_string()]
    };
    let mut out: Vec<String> = names
        .iter()
        .flat_map(|n| match n.strip_prefix('"') {
            Some(literal) => vec![literal.trim_end_matches('"').to_string()],
            None => recognise::bound_strings(text, n.rsplit(['.', ':']).next().unwrap_or(n)),
        })
        .map(|v| format!("{head}{v}{tail}"))
        .collect();
    if out.is_empty() {
        out.push(format!("{head}{inner}{tail}"));
    }
    out
}

/// The arguments after the format string that `rest` starts in (`…={}", lib)` → `lib`): each a
/// name, or a string literal with its quotes.
fn format_arguments(rest: &str) -> Vec<String> {
    let Some(end) = rest.find('"') else {
        return Vec::new();
    };
    let after = &rest[end + 1..];
    let after = after[..after.find(')').unwrap_or(after.len())].trim_start();
    let Some(args) = after.strip_prefix(',') else {
        return Vec::new();
    };
    args.split(',')
        .map(|a| a.trim().trim_start_matches('&').to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The libraries a build script's crate calls find or build in, with their lines: pkg-config
/// and vcpkg probes, `cc` objects and flags, `bindgen` headers (see [`scan`]). An argument may be
/// a string or a name bound in the file. Each reading needs its crate named in the file, so that
/// another `.probe(…)` or `.object(…)` is not taken for it.
fn calls(text: &str) -> Vec<(ScriptItem, usize, String)> {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        recognise::re(
            r#"(?:\.|::)(probe|probe_library|find_package|object|flag|flag_if_supported|header)\s*\(\s*&?\s*(r#*"[^"\n]*"|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w:.]*)"#,
        )
    });
    let crate_named = |c: &str| text.contains(c);
    let mut out = Vec::new();
    for c in CALL.captures_iter(text) {
        let (call, arg) = (c.get(1).expect("group"), c.get(2).expect("group"));
        let item = match call.as_str() {
            "probe" | "probe_library" if crate_named("pkg_config") => ScriptItem::Probe,
            "find_package" if crate_named("vcpkg") => ScriptItem::Probe,
            "object" | "flag" | "flag_if_supported" if crate_named("cc::") => {
                if call.as_str() == "object" {
                    ScriptItem::Object
                } else {
                    ScriptItem::LinkArg
                }
            }
            "header" if crate_named("bindgen") => ScriptItem::Header,
            _ => continue,
        };
        let line_start = text[..call.start()].rfind('\n').map_or(0, |n| n + 1);
        if commented(&text[line_start..], call.start() - line_start) {
            continue;
        }
        let arg = arg.as_str();
        let values = match arg.find('"') {
            Some(q) => vec![arg[q + 1..].trim_end_matches(['"', '#']).to_string()],
            None => recognise::bound_strings(text, arg.rsplit(['.', ':']).next().unwrap_or(arg)),
        };
        let line = recognise::line_at(text, call.start()) as usize;
        for v in values {
            match item {
                ScriptItem::LinkArg => {
                    for lib in recognise::linker_libraries([v.as_str()]) {
                        out.push((item, line, lib));
                    }
                }
                ScriptItem::Object if recognise::library_file(&v) => {
                    out.push((item, line, recognise::library_stem(&v)))
                }
                _ => out.push((item, line, v)),
            }
        }
    }
    out
}

/// Whether byte `at` of `line` is in a `//` comment (outside a string before it) or on a line
/// of a block comment.
fn commented(line: &str, at: usize) -> bool {
    let head = &line[..at.min(line.len())];
    let t = head.trim_start();
    if t.starts_with("/*") || t.starts_with('*') {
        return true;
    }
    let mut quoted = false;
    let b = head.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'/' if !quoted && b.get(i + 1) == Some(&b'/') => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_a_build_script_asks_is_no_download() {
        let src = "fn main() {\n    println!(\"cargo:rustc-env=TIP=https://tip.example.com/api/v1/search/hash\");\n    let rel = \"https://api.github.com/repos/vendor/sdk/releases/latest\";\n    let dl = \"https://dl.example.com/sdk/download?v=8.1&os=linux\";\n}\n";
        let urls: Vec<String> = scan("build.rs", src)
            .into_iter()
            .filter(|e| e.field == Field::BuildScript(ScriptItem::Url))
            .map(|e| e.text)
            .collect();
        assert_eq!(
            urls,
            [
                "https://api.github.com/repos/vendor/sdk/releases/latest",
                "https://dl.example.com/sdk/download?v=8.1&os=linux"
            ]
        );
    }

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
        // A URL is matched as one (its host), every other value as text.
        assert!(
            ev.iter().all(|e| (e.shape == Shape::Url)
                == matches!(e.field, Field::BuildScript(ScriptItem::Url)))
        );
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

    /// (field, value, line) of what `src` links.
    fn read(src: &str) -> Vec<(String, String, u32)> {
        let mut got: Vec<_> = scan("build.rs", src)
            .into_iter()
            .map(|e| {
                (
                    e.field.to_string(),
                    e.text.to_string(),
                    e.location.and_then(|l| l.line).unwrap_or(0),
                )
            })
            .collect();
        got.sort();
        got
    }

    #[test]
    fn linker_arguments_name_the_libraries_they_link() {
        let src = r#"fn main() {
    println!("cargo:rustc-link-arg=-lkavsdk");
    println!("cargo:rustc-link-arg=-l kavsdk2");
    println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-lkavsdk3");
    println!("cargo::rustc-link-arg=/opt/x/libkavsdk4.so.8");
    println!("cargo:rustc-link-arg-bin=scanner=-l:libkavsdk5.so");
    println!("cargo:rustc-link-arg=-Wl,-rpath,/opt/vendor/lib");
    println!("cargo:rustc-flags=-l dylib=kavsdk6 -L /opt/vendor/lib");
    println!("cargo:rustc-link-lib=static:+whole-archive=kavsdk7:kav");
}"#;
        let arg = |v: &str, l| ("build-script rustc-link-arg".to_string(), v.to_string(), l);
        let lib = |v: &str, l| ("build-script rustc-link-lib".to_string(), v.to_string(), l);
        let mut want = vec![
            arg("kavsdk", 2),
            arg("kavsdk2", 3),
            arg("kavsdk3", 4),
            arg("kavsdk4", 5),
            arg("kavsdk5", 6),
            arg("-Wl,-rpath,/opt/vendor/lib", 7),
            lib("kavsdk6", 8),
            (
                "build-script rustc-link-search".into(),
                "/opt/vendor/lib".into(),
                8,
            ),
            lib("kavsdk7", 9),
        ];
        want.sort();
        assert_eq!(read(src), want);
    }

    #[test]
    fn names_formatted_in_are_their_strings_in_the_file() {
        let src = r#"const ENGINE: &str = "kavsdk";
fn main() {
    let other = "kavsdk_net";
    println!("cargo:rustc-link-lib=dylib={ENGINE}");
    println!("cargo:rustc-link-lib=dylib={}", other);
    println!("cargo:rustc-link-lib={0}", "kavsdk_lit");
    println!("cargo:rustc-link-lib={unbound}");
}"#;
        let got: Vec<String> = read(src).into_iter().map(|g| g.1).collect();
        assert_eq!(got, ["kavsdk", "kavsdk_lit", "kavsdk_net", "unbound"]);
    }

    #[test]
    fn probes_cc_and_bindgen_name_what_they_link() {
        let src = r#"const LIB: &str = "kavsdk_probe";
fn main() {
    pkg_config::Config::new().atleast_version("8.1").probe("kavsdk").unwrap();
    pkg_config::probe_library(LIB).unwrap();
    vcpkg::find_package("kavsdk_vcpkg").unwrap();
    cc::Build::new()
        .file("src/shim.c")
        .object("third_party/lib/libkavsdk_obj.a")
        .flag("-lkavsdk_flag")
        .flag("-O2")
        .compile("shim");
    let b = bindgen::Builder::default().header("/opt/vendor/include/kavsdk.h");
    // pkg_config::probe_library("kavsdk_old");
    // println!("cargo:rustc-link-lib=kavsdk_old");
}"#;
        let got: Vec<(String, String)> = read(src).into_iter().map(|g| (g.0, g.1)).collect();
        let want = [
            ("bindgen header", "/opt/vendor/include/kavsdk.h"),
            ("library probe", "kavsdk"),
            ("library probe", "kavsdk_probe"),
            ("library probe", "kavsdk_vcpkg"),
            ("linked object", "kavsdk_obj"),
            ("rustc-link-arg", "kavsdk_flag"),
        ]
        .map(|(f, v)| (format!("build-script {f}"), v.to_string()));
        assert_eq!(got, want);
        // Without its crate named, another `.probe(…)` or `.object(…)` is not one.
        assert!(
            read("fn main() { sensor.probe(\"kavsdk\"); json.object(\"libkavsdk.a\"); }")
                .is_empty()
        );
    }
}
