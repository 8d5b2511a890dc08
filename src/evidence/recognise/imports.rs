//! Recognisers of what source code in other languages declares and imports: C and C++ headers,
//! namespaces and qualified names, C# `using` and `[DllImport]`, JavaScript and TypeScript module
//! specifiers, Python imports, PHP `use`, Ruby `require`, Swift and Objective-C module imports;
//! and, in all of them, Java and Go (see [`dynamic_loads`]), libraries loaded at run time.
//!
//! Code declared in a vendor's namespace (`namespace Kaspersky {`, `namespace Kaspersky.Sdk;`)
//! is attributed to it, as a Java `package` is; code that includes, imports or loads a vendor's
//! module (`#include <kaspersky/kav_sdk.h>`, `from kaspersky.sdk import Scanner`,
//! `require("@kaspersky/sdk")`) cannot run without it. A relative import (`./icons/x.svg`,
//! `from . import x`) names the project's own files, and a comment names nothing: neither is read.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at, re};
use crate::evidence::Shape;

use FieldKind::{Attribution as A, Integration as I};

/// Whether byte `at` of `text` is in a comment (`//` before it on its line, or a line of a block
/// comment, starting with `/*` or `*`) or inside a string on its line (an odd number of double
/// quotes before it).
fn quoted_or_commented(text: &str, at: usize) -> bool {
    let head = line_before(text, at);
    commented(head) || head.matches('"').count() % 2 == 1
}

/// The part of `at`'s line of `text` before it.
fn line_before(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    &text[start..at]
}

/// Whether what follows `head` (the start of its line) is in a `//` comment or a line of a block
/// comment (starting with `/*` or `*`).
fn commented(head: &str) -> bool {
    let t = head.trim_start();
    head.contains("//") || t.starts_with("/*") || t.starts_with('*')
}

/// The fields one file yields, each (key and value) once.
struct Fields<'a> {
    format: MetadataFormat,
    text: &'a str,
    out: &'a mut Vec<FieldHit>,
    seen: HashSet<(String, String)>,
}

impl<'a> Fields<'a> {
    fn new(format: MetadataFormat, text: &'a str, out: &'a mut Vec<FieldHit>) -> Fields<'a> {
        Fields {
            format,
            text,
            out,
            seen: HashSet::new(),
        }
    }

    /// The field `key` with `value`, which starts at byte `at` of the text, unless it was pushed
    /// already.
    fn push(&mut self, key: &str, kind: FieldKind, value: String, at: usize) {
        if !self.seen.insert((key.to_string(), value.clone())) {
            return;
        }
        self.out.push(FieldHit {
            format: self.format,
            key: key.to_string(),
            kind,
            shape: Shape::Text,
            value,
            line: line_at(self.text, at),
        });
    }

    /// Every capture of group 1 of `pattern` as the field `key`, but what `skip` leaves out.
    fn all(&mut self, pattern: &Regex, key: &str, kind: FieldKind, skip: Skip) {
        let text = self.text;
        for c in pattern.captures_iter(text) {
            let (Some(whole), Some(v)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if skip.comments && quoted_or_commented(text, whole.start()) {
                continue;
            }
            let value = v.as_str().trim();
            if value.is_empty()
                || (skip.relative && (value.starts_with('.') || value.starts_with('/')))
            {
                continue;
            }
            let value = if skip.library {
                super::library_stem(value)
            } else {
                with_words(value)
            };
            self.push(key, kind, value, v.start());
        }
    }
}

/// `v`, followed by its words in parentheses where it runs words together in camel case
/// (`KasperskyMobileSDK` → `KasperskyMobileSDK (Kaspersky Mobile SDK)`), so that a name written
/// as one identifier is matched as the words it is made of.
pub(super) fn with_words(v: &str) -> String {
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

/// The libraries a source file loads at run time, in any of the languages read here: the
/// loader's own call (`dlopen`, `LoadLibrary(Ex)(A|W)`), each language's binding to it (Java's
/// `System.loadLibrary`/`System.load`, JNA's `Native.load`, .NET's `NativeLibrary.Load`,
/// Python's `ctypes`/`cffi`, Node's `ffi.Library`/`koffi.load`/`process.dlopen`, Ruby's
/// `Fiddle.dlopen`/`ffi_lib`, PHP's `FFI::cdef`, Go's `syscall`/`x/sys/windows` `LoadDLL`/
/// `NewLazyDLL` and `purego.Dlopen`, Lua's `ffi.load`): a library named in a string argument
/// (its first, or the one after a leading non-string argument such as `dlmopen`'s namespace or
/// `FFI::cdef`'s declarations). Each is read as the product its file name stands for (see
/// [`super::library_stem`]), integration as a binary's `DT_NEEDED` is: a program that loads a
/// listed product's library at run time cannot work without it. A line that is a comment in
/// the language (`//`, `/*`, `*`, and `#` where `hash_comments`) loads nothing.
pub(super) fn dynamic_loads(
    format: MetadataFormat,
    text: &str,
    hash_comments: bool,
    out: &mut Vec<FieldHit>,
) {
    static LOAD: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"\b(?:dl[mo]?open|LoadLibrary(?:Ex)?[AW]?|LoadPackagedLibrary|load_library"#,
            r#"|CDLL|WinDLL|OleDLL|PyDLL|System\.load(?:Library)?|Runtime\.getRuntime\(\)\.load(?:Library)?"#,
            r#"|Native\.load(?:Library)?|NativeLibrary\.(?:Try)?Load|NativeLibrary\.getInstance"#,
            r#"|ffi\.(?:dlopen|load|Library)|koffi\.load|process\.dlopen|Fiddle\.dlopen|Fiddle::Handle\.new"#,
            r#"|ffi_lib|FFI::cdef|(?:Must)?LoadDLL|NewLazy(?:System)?DLL|purego\.Dlopen|Dlopen)"#,
            // A leading argument that is not a string (`dlmopen(LM_ID_BASE, …)`, `FFI::cdef("…",
            // …)` declarations on the same line), then the library as a string literal.
            r#"[ \t]*\(?[ \t]*(?:(?:[^'"`()\n]*|"[^"\n]*")[ \t]*,[ \t]*)?[@rbuLR]?['"`]([^'"`\n]+)['"`]"#,
        ))
    });
    let mut fields = Fields::new(format, text, out);
    for c in LOAD.captures_iter(text) {
        let (Some(whole), Some(v)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let head = line_before(text, whole.start());
        if commented(head) || (hash_comments && head.contains('#')) {
            continue;
        }
        let stem = super::library_stem(v.as_str());
        if !stem.is_empty() {
            fields.push("dynamic load", I, stem, v.start());
        }
    }
}

/// What [`Fields::all`] leaves out, and whether the value is a library file name.
#[derive(Clone, Copy)]
struct Skip {
    comments: bool,
    relative: bool,
    library: bool,
}

const CODE: Skip = Skip {
    comments: true,
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
        let mut fields = Fields::new(MetadataFormat::CFamilySource, text, out);
        for c in INCLUDE.captures_iter(text) {
            let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            fields.push(
                &format!("#{}", k.as_str()),
                I,
                with_words(v.as_str()),
                v.start(),
            );
        }
        let include = Skip {
            comments: false,
            ..CODE
        };
        fields.all(&MODULE, "@import", I, include);
        fields.all(&NAMESPACE, "namespace", A, CODE);
        fields.all(&USING, "using namespace", I, CODE);
        fields.all(&QUALIFIED, "qualified name", I, CODE);
        dynamic_loads(MetadataFormat::CFamilySource, text, false, out);
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
        let mut fields = Fields::new(MetadataFormat::CSharpSource, text, out);
        fields.all(&USING, "using", I, CODE);
        fields.all(&NAMESPACE, "namespace", A, CODE);
        let lib = Skip {
            comments: false,
            library: true,
            ..CODE
        };
        fields.all(&DLL, "DllImport", I, lib);
        dynamic_loads(MetadataFormat::CSharpSource, text, false, out);
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
        Fields::new(MetadataFormat::JsSource, text, out).all(&SPEC, "module", I, skip);
        dynamic_loads(MetadataFormat::JsSource, text, false, out);
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
        // A docstring's usage example (`from kaspersky.sdk import Scanner` in prose) imports
        // nothing: triple-quoted strings are blanked first, line breaks kept.
        let blanked = blank_triple_quoted(text);
        let text = blanked.as_str();
        let mut fields = Fields::new(MetadataFormat::PythonSource, text, out);
        for c in IMPORT.captures_iter(text) {
            let v = c.get(1).expect("group");
            for module in v.as_str().split(',') {
                let module = module.split_whitespace().next().unwrap_or("");
                if !module.is_empty() {
                    fields.push("import", I, with_words(module), v.start());
                }
            }
        }
        fields.all(&FROM, "from … import", I, CODE);
        dynamic_loads(MetadataFormat::PythonSource, text, true, out);
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
        let mut fields = Fields::new(MetadataFormat::PhpSource, text, out);
        fields.all(&USE, "use", I, CODE);
        fields.all(&NAMESPACE, "namespace", A, CODE);
        dynamic_loads(MetadataFormat::PhpSource, text, true, out);
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
        Fields::new(MetadataFormat::RubySource, text, out).all(&REQUIRE, "require", I, skip);
        dynamic_loads(MetadataFormat::RubySource, text, true, out);
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
        Fields::new(MetadataFormat::SwiftSource, text, out).all(&IMPORT, "import", I, CODE);
        dynamic_loads(MetadataFormat::SwiftSource, text, false, out);
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
