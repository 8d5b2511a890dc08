//! Recognisers of what source code in other languages declares and imports: C and C++ headers,
//! namespaces and qualified names, C# `using` and `[DllImport]`, JavaScript and TypeScript module
//! specifiers, Python imports and `ctypes` loads, PHP `use`, Ruby `require`, Swift and
//! Objective-C module imports.
//!
//! Code declared in a vendor's namespace (`namespace Kaspersky {`, `namespace Kaspersky.Sdk;`)
//! is attributed to it, as a Java `package` is; code that includes, imports or loads a vendor's
//! module (`#include <kaspersky/kav_sdk.h>`, `from kaspersky.sdk import Scanner`,
//! `require("@kaspersky/sdk")`) cannot run without it. A relative import (`./icons/x.svg`,
//! `from . import x`) names the project's own files, and a comment names nothing: neither is read.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at};
use crate::evidence::Shape;

use FieldKind::{Attribution as A, Integration as I};

fn re(p: &str) -> Regex {
    Regex::new(p).expect("a fixed pattern")
}

/// Whether byte `at` of `text` is in a comment (`//` or, with `hash_comments`, `#` before it on
/// its line; a line of a block comment, starting with `/*` or `*`) or inside a string on its line
/// (an odd number of double quotes before it).
fn quoted_or_commented(text: &str, at: usize, hash_comments: bool) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let head = &text[start..at];
    let t = head.trim_start();
    head.contains("//")
        || t.starts_with("/*")
        || t.starts_with('*')
        || (hash_comments && head.contains('#'))
        || head.matches('"').count() % 2 == 1
}

/// Pushes every capture of group `g` of `pattern` as a field of `format` named `key`, skipping
/// comments, strings (when `strings`), relative specifiers (when `relative`) and values already
/// pushed.
#[allow(clippy::too_many_arguments)]
fn push_all(
    format: MetadataFormat,
    text: &str,
    pattern: &Regex,
    g: usize,
    key: &str,
    kind: FieldKind,
    skip: Skip,
    out: &mut Vec<FieldHit>,
    seen: &mut HashSet<(String, String)>,
) {
    for c in pattern.captures_iter(text) {
        let Some(v) = c.get(g) else { continue };
        let whole = c.get(0).expect("group 0");
        if skip.comments && quoted_or_commented(text, whole.start(), skip.hash_comments) {
            continue;
        }
        let value = v.as_str().trim();
        if value.is_empty() || (skip.relative && (value.starts_with('.') || value.starts_with('/')))
        {
            continue;
        }
        let value = if skip.library {
            super::library_stem(value)
        } else {
            with_words(value)
        };
        if !seen.insert((key.to_string(), value.clone())) {
            continue;
        }
        out.push(FieldHit {
            format,
            key: key.to_string(),
            kind,
            shape: Shape::Text,
            value,
            line: line_at(text, v.start()),
        });
    }
}

/// `v`, followed by its words in parentheses where it runs words together in camel case
/// (`KasperskyMobileSDK` → `KasperskyMobileSDK (Kaspersky Mobile SDK)`), so that a name written
/// as one identifier is matched as the words it is made of.
fn with_words(v: &str) -> String {
    let chars: Vec<char> = v.chars().collect();
    let mut split = String::with_capacity(v.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary {
            split.push(' ');
        }
        split.push(c);
    }
    if split.len() == v.len() {
        v.to_string()
    } else {
        format!("{v} ({split})")
    }
}

/// What [`push_all`] leaves out, and whether the value is a library file name.
#[derive(Clone, Copy, Default)]
struct Skip {
    comments: bool,
    hash_comments: bool,
    relative: bool,
    library: bool,
}

const CODE: Skip = Skip {
    comments: true,
    hash_comments: false,
    relative: false,
    library: false,
};

pub struct CFamilySource;
impl Recogniser for CFamilySource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        matches!(
            f.ext.as_str(),
            "c" | "h"
                | "cc"
                | "cpp"
                | "cxx"
                | "c++"
                | "hpp"
                | "hh"
                | "hxx"
                | "h++"
                | "ipp"
                | "inl"
                | "m"
                | "mm"
        )
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
            re(r#"(?m)^[ \t]*#[ \t]*(include|include_next|import)[ \t]*[<"]([^>"\n]+)[>"]"#)
        });
        static MODULE: LazyLock<Regex> =
            LazyLock::new(|| re(r"(?m)^[ \t]*@import[ \t]+([A-Za-z_][\w.]*)[ \t]*;"));
        static NAMESPACE: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r"(?m)^[ \t]*(?:inline[ \t]+)?namespace[ \t]+([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)[ \t]*(?:\{|$)",
            )
        });
        static USING: LazyLock<Regex> =
            LazyLock::new(|| re(r"\busing[ \t]+namespace[ \t]+([A-Za-z_][\w:]*)[ \t]*;"));
        static QUALIFIED: LazyLock<Regex> =
            LazyLock::new(|| re(r"\b([A-Za-z_]\w*(?:::[A-Za-z_]\w*)+)"));
        let f = MetadataFormat::CFamilySource;
        let mut seen = HashSet::new();
        let include = Skip {
            comments: false,
            ..CODE
        };
        for c in INCLUDE.captures_iter(text) {
            let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            if seen.insert((k.as_str().to_string(), v.as_str().to_string())) {
                out.push(FieldHit {
                    format: f,
                    key: format!("#{}", k.as_str()),
                    kind: I,
                    shape: Shape::Text,
                    value: with_words(v.as_str()),
                    line: line_at(text, v.start()),
                });
            }
        }
        push_all(f, text, &MODULE, 1, "@import", I, include, out, &mut seen);
        push_all(f, text, &NAMESPACE, 1, "namespace", A, CODE, out, &mut seen);
        push_all(
            f,
            text,
            &USING,
            1,
            "using namespace",
            I,
            CODE,
            out,
            &mut seen,
        );
        push_all(
            f,
            text,
            &QUALIFIED,
            1,
            "qualified name",
            I,
            CODE,
            out,
            &mut seen,
        );
    }
}

pub struct CSharpSource;
impl Recogniser for CSharpSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "cs"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static USING: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r"(?m)^[ \t]*(?:global[ \t]+)?using[ \t]+(?:static[ \t]+)?(?:\w+[ \t]*=[ \t]*)?([A-Za-z_][\w.]*)[ \t]*;",
            )
        });
        static NAMESPACE: LazyLock<Regex> =
            LazyLock::new(|| re(r"(?m)^[ \t]*namespace[ \t]+([A-Za-z_][\w.]*)"));
        static DLL: LazyLock<Regex> =
            LazyLock::new(|| re(r#"\[[ \t]*(?:DllImport|LibraryImport)[ \t]*\([ \t]*"([^"]+)""#));
        let f = MetadataFormat::CSharpSource;
        let mut seen = HashSet::new();
        push_all(f, text, &USING, 1, "using", I, CODE, out, &mut seen);
        push_all(f, text, &NAMESPACE, 1, "namespace", A, CODE, out, &mut seen);
        let lib = Skip {
            comments: false,
            library: true,
            ..CODE
        };
        push_all(f, text, &DLL, 1, "DllImport", I, lib, out, &mut seen);
    }
}

pub struct JsSource;
impl Recogniser for JsSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        matches!(
            f.ext.as_str(),
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "vue" | "svelte"
        )
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        // `require("x")`, `import("x")`, `import … from "x"` (also after a multi-line `{ … }`),
        // `import "x"`, `export … from "x"`; not `export const name = "x"`.
        static SPEC: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?:\b(?:require|import)[ \t]*\([ \t]*|(?m:^[ \t]*import[ \t]*)|(?m:^[ \t]*(?:(?:import|export)\b[^'"`;\n]*?|\}[ \t]*)\bfrom[ \t]*))['"`]([^'"`\n]+)['"`]"#,
            )
        });
        let skip = Skip {
            relative: true,
            ..CODE
        };
        let mut seen = HashSet::new();
        push_all(
            MetadataFormat::JsSource,
            text,
            &SPEC,
            1,
            "module",
            I,
            skip,
            out,
            &mut seen,
        );
    }
}

pub struct PythonSource;
impl Recogniser for PythonSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        matches!(f.ext.as_str(), "py" | "pyi" | "pyx" | "pxd")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r"(?m)^[ \t]*import[ \t]+([A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?)*)",
            )
        });
        static FROM: LazyLock<Regex> =
            LazyLock::new(|| re(r"(?m)^[ \t]*from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b"));
        static LOAD: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"\b(?:CDLL|WinDLL|OleDLL|PyDLL|LoadLibrary|load_library)[ \t]*\([ \t]*[rbu]?['"]([^'"]+)['"]"#,
            )
        });
        let f = MetadataFormat::PythonSource;
        let mut seen = HashSet::new();
        // A docstring's usage example (`from kaspersky.sdk import Scanner` in prose) imports
        // nothing: triple-quoted strings are blanked first, line breaks kept.
        let blanked = blank_triple_quoted(text);
        let text = blanked.as_str();
        for c in IMPORT.captures_iter(text) {
            let v = c.get(1).expect("group");
            for module in v.as_str().split(',') {
                let module = module.split_whitespace().next().unwrap_or("");
                if !module.is_empty() && seen.insert(("import".to_string(), module.to_string())) {
                    out.push(FieldHit {
                        format: f,
                        key: "import".into(),
                        kind: I,
                        shape: Shape::Text,
                        value: with_words(module),
                        line: line_at(text, v.start()),
                    });
                }
            }
        }
        let code = Skip {
            hash_comments: true,
            ..CODE
        };
        push_all(f, text, &FROM, 1, "from … import", I, code, out, &mut seen);
        let lib = Skip {
            comments: false,
            library: true,
            ..CODE
        };
        push_all(f, text, &LOAD, 1, "dynamic load", I, lib, out, &mut seen);
    }
}

/// `text` with the insides of its triple-quoted strings (`"""…"""`, `'''…'''`) made spaces,
/// line breaks kept, so that offsets and line numbers stay those of `text`.
fn blank_triple_quoted(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i + 3 <= b.len() {
        let q = &b[i..i + 3];
        if q != b"\"\"\"" && q != b"'''" {
            i += 1;
            continue;
        }
        let close = memchr::memmem::find(&b[i + 3..], q).map_or(b.len(), |n| i + 3 + n);
        for c in &mut out[i + 3..close] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
        i = close + 3;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

pub struct PhpSource;
impl Recogniser for PhpSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "php"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static USE: LazyLock<Regex> = LazyLock::new(|| {
            re(r"(?m)^[ \t]*use[ \t]+(?:function[ \t]+|const[ \t]+)?\\?([A-Za-z_][\w\\]*)")
        });
        static NAMESPACE: LazyLock<Regex> =
            LazyLock::new(|| re(r"(?m)^[ \t]*namespace[ \t]+([A-Za-z_][\w\\]*)"));
        let f = MetadataFormat::PhpSource;
        let mut seen = HashSet::new();
        push_all(f, text, &USE, 1, "use", I, CODE, out, &mut seen);
        push_all(f, text, &NAMESPACE, 1, "namespace", A, CODE, out, &mut seen);
    }
}

pub struct RubySource;
impl Recogniser for RubySource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "rb"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static REQUIRE: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?m)^[ \t]*require[ \t]*\(?[ \t]*['"]([^'"]+)['"]"#));
        let skip = Skip {
            comments: false,
            relative: true,
            ..CODE
        };
        let mut seen = HashSet::new();
        push_all(
            MetadataFormat::RubySource,
            text,
            &REQUIRE,
            1,
            "require",
            I,
            skip,
            out,
            &mut seen,
        );
    }
}

pub struct SwiftSource;
impl Recogniser for SwiftSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "swift"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r"(?m)^[ \t]*(?:@\w+(?:\([^)]*\))?[ \t]+)*import[ \t]+(?:(?:typealias|struct|class|enum|protocol|let|var|func)[ \t]+)?([A-Za-z_][\w.]*)",
            )
        });
        let mut seen = HashSet::new();
        push_all(
            MetadataFormat::SwiftSource,
            text,
            &IMPORT,
            1,
            "import",
            I,
            CODE,
            out,
            &mut seen,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::with_words;

    #[test]
    fn identifiers_are_also_read_as_their_words() {
        assert_eq!(
            with_words("KasperskyMobileSDK"),
            "KasperskyMobileSDK (Kaspersky Mobile SDK)"
        );
        assert_eq!(with_words("SDKScanner"), "SDKScanner (SDK Scanner)");
        assert_eq!(with_words("kaspersky.sdk"), "kaspersky.sdk");
        assert_eq!(with_words("KAVSDK"), "KAVSDK");
        assert_eq!(with_words("Kaspersky::Engine"), "Kaspersky::Engine");
    }
}
