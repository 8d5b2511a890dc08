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

/// A language's own line comment beyond `//` and block comments: Python's, Ruby's, PHP's, shell's
/// and Julia's `#`, Lua's `--`; `None` where `//` is the only one.
pub(super) type LineComment = Option<&'static str>;

/// [`commented`], or in a `line_comment` comment.
fn commented_in(head: &str, line_comment: LineComment) -> bool {
    commented(head) || line_comment.is_some_and(|m| head.contains(m))
}

/// The fields one file yields, each (key and value) once.
pub(super) struct Fields<'a> {
    format: MetadataFormat,
    text: &'a str,
    out: &'a mut Vec<FieldHit>,
    seen: HashSet<(String, String)>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(
        format: MetadataFormat,
        text: &'a str,
        out: &'a mut Vec<FieldHit>,
    ) -> Fields<'a> {
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
pub(crate) fn with_words(v: &str) -> String {
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
/// `NewLazyDLL` and `purego.Dlopen`, Lua's `ffi.load`, Dart's `DynamicLibrary.open`, Julia's
/// `ccall((:symbol, "lib"), …)`, Nim's `{.dynlib: "lib".}`, PowerShell's `Add-Type -Path`,
/// Python's `importlib.import_module`/`__import__`): a library named in a string argument
/// (its first, or the one after a leading non-string argument such as `dlmopen`'s namespace or
/// `FFI::cdef`'s declarations). Each is read as the product its file name stands for (see
/// [`super::library_stem`]), integration as a binary's `DT_NEEDED` is: a program that loads a
/// listed product's library at run time cannot work without it. A line that is a comment in
/// the language (`//`, `/*`, `*`, and its `line_comment`: `#`, Lua's `--`) loads nothing.
pub(super) fn dynamic_loads(
    format: MetadataFormat,
    text: &str,
    line_comment: LineComment,
    out: &mut Vec<FieldHit>,
) {
    // The loader calls, one list for both readings below.
    const LOADERS: &str = concat!(
        r#"\b(?:dl[mo]?open|LoadLibrary(?:Ex)?[AW]?|LoadPackagedLibrary|load_library"#,
        r#"|CDLL|WinDLL|OleDLL|PyDLL|find_library|System\.load(?:Library)?|Runtime\.getRuntime\(\)\.load(?:Library)?"#,
        r#"|Native\.load(?:Library)?|NativeLibrary\.(?:Try)?Load|NativeLibrary\.getInstance"#,
        r#"|ffi\.(?:dlopen|load|Library)|koffi\.load|process\.dlopen|Fiddle\.dlopen|Fiddle::Handle\.new"#,
        r#"|ffi_lib|FFI::cdef|(?:Must)?LoadDLL|NewLazy(?:System)?DLL|purego\.Dlopen|Dlopen"#,
        r#"|DynamicLibrary\.open|ccall[ \t]*\([ \t]*\(|dynlib[ \t]*:|Add-Type[ \t]+-(?:Literal)?Path"#,
        r#"|importlib\.import_module|__import__)"#,
    );
    static LOAD: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            // A leading argument that is not a string (`dlmopen(LM_ID_BASE, …)`, `FFI::cdef("…",
            // …)` declarations on the same line), then the library as a string literal.
            r#"{LOADERS}[ \t]*\(?[ \t]*(?:(?:[^'"`()\n]*|"[^"\n]*")[ \t]*,[ \t]*)?[@rbuLR]?['"`]([^'"`\n]+)['"`]"#,
        ))
    });
    // The calls alone, for the libraries they name through a constant or inside an expression.
    static CALL: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"{LOADERS}\b")));
    // ctypes' loaders by attribute: `ctypes.windll.kavsdk` loads `kavsdk.dll`.
    static ATTRIBUTE: LazyLock<Regex> =
        LazyLock::new(|| re(r"\b(?:cdll|windll|oledll|pydll)\.([A-Za-z_]\w*)\b"));
    let mut fields = Fields::new(format, text, out);
    for c in LOAD.captures_iter(text) {
        let (Some(whole), Some(v)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let head = line_before(text, whole.start());
        if commented_in(head, line_comment) {
            continue;
        }
        let stem = super::library_stem(v.as_str());
        if !stem.is_empty() {
            fields.push("dynamic load", I, stem, v.start());
        }
    }
    if format == MetadataFormat::PythonSource {
        for c in ATTRIBUTE.captures_iter(text) {
            let v = c.get(1).expect("group");
            let head = line_before(text, v.start());
            if !head.contains('#') && v.as_str() != "LoadLibrary" {
                fields.push("dynamic load", I, v.as_str().to_string(), v.start());
            }
        }
    }
    indirect_loads(&mut fields, "dynamic load", &CALL, line_comment);
}

/// The libraries load calls (each a match of `call`, the call's name) name other than as their
/// first argument written out: through a name bound in the same file (`dlopen(SDK_LIB, …)` after
/// `#define SDK_LIB "libkavsdk.so.8"`, `System.loadLibrary(LIB)` after `static final String LIB =
/// "kavsdk";`, `[DllImport(Lib)]`, `Library::new(LIB)`), or as a library's file name inside an
/// expression (`CDLL(os.path.join(here, "libkavsdk.so"))`). A name's value is its binding's
/// string (every binding of it in the file: `#ifdef` branches give one each), and any library
/// file named on the binding's line (`path = os.path.join(d, "kavsdk.dll")`). A value that is
/// not a library's file name counts only where the name is the call's whole first argument, as
/// a string there would.
pub(super) fn indirect_loads(
    fields: &mut Fields<'_>,
    key: &str,
    call: &Regex,
    line_comment: LineComment,
) {
    let text = fields.text;
    let mut bound: std::collections::HashMap<&str, Vec<(String, bool)>> =
        std::collections::HashMap::new();
    for m in call.find_iter(text) {
        let head = line_before(text, m.start());
        if commented_in(head, line_comment) {
            continue;
        }
        let line_end = text[m.end()..]
            .find('\n')
            .map_or(text.len(), |n| m.end() + n);
        let rest = text[m.end()..line_end].trim_start();
        for token in arguments(rest.strip_prefix('(').unwrap_or(rest)) {
            match token {
                Token::Literal { value, whole_first } => {
                    if !whole_first && super::library_file(value) {
                        fields.push(key, I, super::library_stem(value), m.start());
                    }
                }
                Token::Name { name, whole_first } => {
                    // Each name is looked up with one search of the file: a file of thousands of
                    // calls through distinct names costs a bounded number of searches.
                    if bound.len() >= MAX_NAMES && !bound.contains_key(name) {
                        continue;
                    }
                    let values = bound
                        .entry(name)
                        .or_insert_with(|| bindings(text, name, line_comment));
                    for (value, direct) in values.iter() {
                        if super::library_file(value) || (*direct && whole_first) {
                            let stem = super::library_stem(value);
                            if !stem.is_empty() {
                                fields.push(key, I, stem, m.start());
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The most distinct names one file's load calls have looked up (see [`indirect_loads`]).
const MAX_NAMES: usize = 64;

/// A string or a name in a call's arguments.
enum Token<'a> {
    /// A string literal's contents; `whole_first` when it is the whole first argument.
    Literal { value: &'a str, whole_first: bool },
    /// A name's last segment (`Config.LIB` → `LIB`), not a function called; `whole_first` as
    /// for a literal.
    Name { name: &'a str, whole_first: bool },
}

/// The strings and names in `args` (a call's arguments after its opening parenthesis, to the
/// end of the line), up to the parenthesis that closes the call.
fn arguments(args: &str) -> Vec<Token<'_>> {
    const PREFIXES: &[&str] = &[
        "L", "r", "R", "b", "u", "u8", "U", "c", "br", "rb", "f", "@",
    ];
    let b = args.as_bytes();
    let first_end = {
        let (mut depth, mut i, mut quote) = (0i32, 0, None::<u8>);
        while i < b.len() {
            match (quote, b[i]) {
                (Some(_), b'\\') => i += 1,
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, c @ (b'"' | b'\'' | b'`')) => quote = Some(c),
                (None, b'(' | b'[' | b'{') => depth += 1,
                (None, b')' | b']' | b'}') if depth == 0 => break,
                (None, b')' | b']' | b'}') => depth -= 1,
                (None, b',') if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        i
    };
    let first = args[..first_end].trim();
    let mut tokens = Vec::new();
    let (mut i, mut depth) = (0usize, 0i32);
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' | b'\'' | b'`' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != c {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(b.len());
                let literal = &args[i..(end + 1).min(b.len())];
                let whole_first = i < first_end
                    && PREFIXES
                        .iter()
                        .copied()
                        .chain([""])
                        .any(|p| first.strip_prefix(p) == Some(literal));
                tokens.push(Token::Literal {
                    value: &args[start..end],
                    whole_first,
                });
                i = end + 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'.'
                        || (b[i] == b':' && b.get(i + 1) == Some(&b':')))
                {
                    i += if b[i] == b':' { 2 } else { 1 };
                }
                let word = &args[start..i];
                let called = args[i..].trim_start().starts_with('(');
                let prefix = matches!(b.get(i), Some(b'"' | b'\'')) && PREFIXES.contains(&word);
                if !called && !prefix {
                    let name = word.rsplit(['.', ':']).next().unwrap_or(word);
                    if !name.is_empty() {
                        tokens.push(Token::Name {
                            name,
                            whole_first: start < first_end && first == word,
                        });
                    }
                }
            }
            _ => i += 1,
        }
    }
    tokens
}

/// The strings `name` is bound to in `text` (C-family, Rust, Java, Go… source) outside `//` and
/// `/*` comments, as [`bindings`] reads them: `const ENGINE: &str = "kavsdk";`, `let lib =
/// "kavsdk";`, `#define LIB "libkavsdk.so"`.
pub(crate) fn bound_strings(text: &str, name: &str) -> Vec<String> {
    bindings(text, name, None)
        .into_iter()
        .map(|(v, _)| v)
        .collect()
}

/// The values `name` is bound to in `text` outside comments: `#define NAME "v"`, `NAME = "v"`
/// with whatever declares it (`const char *NAME =`, `static final String NAME =`, `const NAME:
/// &str =`, `NAME :=`, `$NAME =`), each the string that starts the value (`true`) and any library
/// file named later on its line (`false`).
fn bindings(text: &str, name: &str, line_comment: LineComment) -> Vec<(String, bool)> {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Vec::new();
    }
    let Ok(binding) = regex::Regex::new(&format!(
        r"(?m)(?:^[ \t]*#[ \t]*define[ \t]+{name}[ \t]+|\b{name}\b[^=!<>+\-*/\n(){{}};,]{{0,40}}?:?=[ \t]*)([^=\n][^\n]*)"
    )) else {
        return Vec::new();
    };
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| re(r#"^(?:[LrRbuUc@]|u8|br|rb)?["'`]([^"'`\n]*)["'`]"#));
    static ANY_LITERAL: LazyLock<Regex> = LazyLock::new(|| re(r#"["'`]([^"'`\n]+)["'`]"#));
    let mut values = Vec::new();
    for c in binding.captures_iter(text) {
        let rest = c.get(1).expect("group");
        let head = line_before(text, c.get(0).expect("match").start());
        let define = c
            .get(0)
            .expect("match")
            .as_str()
            .trim_start()
            .starts_with('#');
        // A C `#define` is no comment.
        if commented(head) || (!define && line_comment.is_some_and(|m| head.contains(m))) {
            continue;
        }
        let rest = rest.as_str();
        if let Some(l) = LITERAL.captures(rest.trim_start()) {
            values.push((l[1].to_string(), true));
        }
        for l in ANY_LITERAL.captures_iter(rest) {
            if super::library_file(&l[1]) {
                values.push((l[1].to_string(), false));
            }
        }
    }
    values
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
        // A library the compiler tells the linker to link (MSVC, clang-cl):
        // `#pragma comment(lib, "vendor.lib")`, named as its product would be.
        static PRAGMA_LIB: LazyLock<Regex> = LazyLock::new(|| {
            re(r#"(?m)^[ \t]*#[ \t]*pragma[ \t]+comment[ \t]*\([ \t]*lib[ \t]*,[ \t]*"([^"\n]+)""#)
        });
        for c in PRAGMA_LIB.captures_iter(text) {
            let v = c.get(1).expect("group");
            fields.push(
                "#pragma comment(lib)",
                I,
                with_words(&super::library_stem(v.as_str())),
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
        dynamic_loads(MetadataFormat::CFamilySource, text, None, out);
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
        // The assembly's own version information (`[assembly: AssemblyCompany("…")]` in
        // `Properties/AssemblyInfo.cs`): the company, copyright and trademarks a built DLL's
        // version resource states, as a `.rc` file's `CompanyName` does.
        static ASSEMBLY: LazyLock<Vec<(&str, Regex)>> = LazyLock::new(|| {
            ["AssemblyCompany", "AssemblyCopyright", "AssemblyTrademark"]
                .into_iter()
                .map(|attribute| {
                    let p = format!(
                        r#"\[[ \t]*assembly[ \t]*:[ \t]*(?:System\.Reflection\.)?{attribute}(?:Attribute)?[ \t]*\([ \t]*@?"([^"]+)""#
                    );
                    (attribute, re(&p))
                })
                .collect()
        });
        for (attribute, pattern) in ASSEMBLY.iter() {
            fields.all(pattern, attribute, A, CODE);
        }
        static DLL_CALL: LazyLock<Regex> =
            LazyLock::new(|| re(r"\[[ \t]*(?:DllImport|LibraryImport)\b"));
        indirect_loads(&mut fields, "DllImport", &DLL_CALL, None);
        dynamic_loads(MetadataFormat::CSharpSource, text, None, out);
    }
}

/// Lua, Dart, Julia and Nim sources: the libraries they load at run time (see
/// [`dynamic_loads`]). No other field of theirs is read.
pub struct OtherSource;
impl Recogniser for OtherSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        matches!(f.ext.as_str(), "lua" | "dart" | "jl" | "nim" | "nims")
    }
    fn read(&self, f: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        // Comments: Lua's `--`, Julia's and Nim's `#`, Dart's `//`.
        let line_comment = match f.ext.as_str() {
            "lua" => Some("--"),
            "jl" | "nim" | "nims" => Some("#"),
            _ => None,
        };
        dynamic_loads(MetadataFormat::OtherSource, text, line_comment, out);
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
        dynamic_loads(MetadataFormat::JsSource, text, None, out);
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
        dynamic_loads(MetadataFormat::PythonSource, text, Some("#"), out);
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
        dynamic_loads(MetadataFormat::PhpSource, text, Some("#"), out);
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
        dynamic_loads(MetadataFormat::RubySource, text, Some("#"), out);
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
        dynamic_loads(MetadataFormat::SwiftSource, text, None, out);
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
