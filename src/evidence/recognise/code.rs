//! Recognisers of build and source files whose assignments name who made a package or what it
//! loads: SPDX tag-value, conan `conanfile.py`, CocoaPods `.podspec`, Ruby `.gemspec`, Python
//! `setup.py`, CMake, Go modules and imports, Java/Kotlin/Scala packages and imports, Rust
//! `#[link(name = "…")]`, wasm-bindgen modules and embedded files.

use std::sync::LazyLock;

use regex::Regex;

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at, re};
use crate::evidence::Shape;

use FieldKind::{Attribution as A, Integration as I};

/// Every match of `pattern` (group 1 the key, group 2 the value) whose key is one of `keys`.
fn assignments(
    format: MetadataFormat,
    text: &str,
    pattern: &Regex,
    keys: &[(&str, FieldKind, Shape)],
    out: &mut Vec<FieldHit>,
) {
    for c in pattern.captures_iter(text) {
        let (Some(k), Some(v)) = (c.get(1), c.get(2)) else {
            continue;
        };
        if let Some((key, kind, shape)) = keys
            .iter()
            .find(|(key, ..)| key.eq_ignore_ascii_case(k.as_str()))
        {
            out.push(FieldHit {
                format,
                key: (*key).to_string(),
                kind: *kind,
                shape: *shape,
                value: v.as_str().to_string(),
                line: line_at(text, v.start()),
            });
        }
    }
}

/// An integration field of `format`: a package or URL the file says it is built from.
fn integration(
    format: MetadataFormat,
    text: &str,
    key: &str,
    shape: Shape,
    value: &str,
    at: usize,
    out: &mut Vec<FieldHit>,
) {
    out.push(FieldHit {
        format,
        key: key.to_string(),
        kind: I,
        shape,
        value: match shape {
            Shape::Text => super::imports::with_words(value),
            _ => value.to_string(),
        },
        line: line_at(text, at),
    });
}

pub struct SpdxTagValue;
impl Recogniser for SpdxTagValue {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        (f.ext == "spdx" || f.ext == "txt") && text.starts_with("SPDXVersion:")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static P: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^([A-Za-z]+):[ \t]*(.+?)\s*$"));
        assignments(
            MetadataFormat::Spdx,
            text,
            &P,
            &[
                ("PackageSupplier", A, Shape::Author),
                ("PackageOriginator", A, Shape::Author),
                ("PackageDownloadLocation", A, Shape::Url),
                ("PackageHomePage", A, Shape::Url),
                ("PackageCopyrightText", A, Shape::Text),
            ],
            out,
        );
        for f in out.iter_mut() {
            for p in ["Organization:", "Person:"] {
                if let Some(rest) = f.value.strip_prefix(p) {
                    f.value = rest.trim().to_string();
                }
            }
        }
        out.retain(|f| f.value != "NOASSERTION" && f.value != "NONE");
        static EXT: LazyLock<Regex> =
            LazyLock::new(|| re(r"(?m)^ExternalRef:\s*\S+\s+\S+\s+(\S+)"));
        for c in EXT.captures_iter(text) {
            let m = c.get(1).expect("group");
            let mut found = Vec::new();
            super::json::purl_fields(
                MetadataFormat::Spdx,
                text,
                "ExternalRef",
                m.as_str(),
                &mut found,
            );
            out.extend(found);
        }
    }
}

/// `key = "value"` / `key = 'value'` assignments, as Python and Ruby write them
/// (`author = "…"`, `s.author = '…'`, `spec.homepage = "…"`).
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?m)^\s*(?:[A-Za-z_]\w*\.)?([A-Za-z_]+)\s*=\s*(?:\{\s*)?["']([^"'\n]+)["']"#)
});

pub struct Conan;
impl Recogniser for Conan {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.base == "conanfile.py" || f.base == "conanfile.txt"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        // What it requires: a reference `name/version[@user/channel]` quoted in a recipe
        // (`requires = "kavsdk/1.0"`, `self.requires("kavsdk/1.0")`, tool and build requires
        // alike) or on its own line under `[requires]` in a conanfile.txt.
        static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
            re(r#"["']([A-Za-z0-9][\w.+-]*)/[\w.+*\[\]<>=~^ ,-]+(?:@[\w./-]+)?["']"#)
        });
        static LISTED: LazyLock<Regex> = LazyLock::new(|| {
            re(r"(?m)^[ \t]*([A-Za-z0-9][\w.+-]*)/[\w.+*\[\]<>=~^,-]+(?:@[\w./-]+)?[ \t]*(?:#.*)?$")
        });
        let mut section_requires = false;
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim();
            if t.starts_with('[') {
                section_requires = t.ends_with("requires]");
            } else if section_requires && let Some(c) = LISTED.captures(line) {
                let v = c.get(1).expect("group");
                integration(
                    MetadataFormat::ConanRecipe,
                    text,
                    "requires",
                    Shape::Text,
                    v.as_str(),
                    at + v.start(),
                    out,
                );
            }
            at += line.len();
        }
        for c in QUOTED.captures_iter(text) {
            let v = c.get(1).expect("group");
            let line_start = text[..v.start()].rfind('\n').map_or(0, |n| n + 1);
            if text[line_start..v.start()].trim_start().starts_with('#') {
                continue;
            }
            integration(
                MetadataFormat::ConanRecipe,
                text,
                "requires",
                Shape::Text,
                v.as_str(),
                v.start(),
                out,
            );
        }
        assignments(
            MetadataFormat::ConanRecipe,
            text,
            &ASSIGN,
            &[
                ("author", A, Shape::Author),
                ("url", A, Shape::Url),
                ("homepage", A, Shape::Url),
            ],
            out,
        );
    }
}

pub struct SetupPy;
impl Recogniser for SetupPy {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.base == "setup.py" || f.base == "setup.cfg" || f.base == "pyproject.toml"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static KW: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?m)\b(author|author_email|maintainer|maintainer_email|url|name|email)\s*[=:]\s*["']?([^"'\n,}]+)"#,
            )
        });
        assignments(
            MetadataFormat::PythonBuild,
            text,
            &KW,
            &[
                ("author", A, Shape::Author),
                ("author_email", A, Shape::Author),
                ("maintainer", A, Shape::Author),
                ("maintainer_email", A, Shape::Author),
                ("email", A, Shape::Author),
                ("url", A, Shape::Url),
            ],
            out,
        );
        // pyproject.toml: `authors = [{ name = "…", email = "…" }]`.
        static ARRAY: LazyLock<Regex> =
            LazyLock::new(|| re(r"(?s)\b(authors|maintainers)\s*=\s*\[(.*?)\]"));
        static ENTRY: LazyLock<Regex> =
            LazyLock::new(|| re(r#"\b(?:name|email)\s*=\s*"([^"\n]+)""#));
        for c in ARRAY.captures_iter(text) {
            let (k, body) = (c.get(1).expect("group"), c.get(2).expect("group"));
            for e in ENTRY.captures_iter(body.as_str()) {
                let v = e.get(1).expect("group");
                out.push(FieldHit {
                    format: MetadataFormat::PythonBuild,
                    key: k.as_str().to_string(),
                    kind: A,
                    shape: Shape::Author,
                    value: v.as_str().to_string(),
                    line: line_at(text, body.start() + v.start()),
                });
            }
        }
        // What it installs: the requirement strings of `dependencies`, `install_requires`,
        // `requires` (build system), `extras_require` and optional-dependency lists, and the
        // keys of Poetry's and PDM's dependency tables; `setup.cfg`'s indented lists too.
        static LIST: LazyLock<Regex> = LazyLock::new(|| re(r"\b([\w-]+)\s*[=:]\s*[\[{]"));
        static REQ: LazyLock<Regex> = LazyLock::new(|| {
            re(r#"["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[=<>!~;@]|["'])"#)
        });
        for c in LIST.captures_iter(text) {
            let (k, open) = (c.get(1).expect("group"), c.get(0).expect("match"));
            let body_start = open.end();
            let body = &text[body_start..bracketed_end(text, open.end() - 1)];
            let key = k.as_str();
            // Not what only the project's own tests and development use, which no installed
            // package carries (`tests_require`, PDM's and uv's `dev-dependencies`, PEP 735's
            // `[dependency-groups]`), as npm's `devDependencies` and Cargo's dev-dependencies.
            let listed = matches!(
                key,
                "dependencies"
                    | "install_requires"
                    | "requires"
                    | "setup_requires"
                    | "extras_require"
                    | "optional-dependencies"
                    // An extension module's native libraries (`Extension(…, libraries=["x"])`,
                    // `[[tool.setuptools.ext-modules]]`): what it links.
                    | "libraries"
            ) || in_section(text, k.start(), &["project.optional-dependencies"]);
            if in_section(
                text,
                k.start(),
                &["dependency-groups", "tool.pdm.dev-dependencies", "tool.uv"],
            ) {
                continue;
            }
            if !listed {
                continue;
            }
            for r in REQ.captures_iter(body) {
                let v = r.get(1).expect("group");
                integration(
                    MetadataFormat::PythonBuild,
                    text,
                    key,
                    Shape::Text,
                    v.as_str(),
                    body_start + v.start(),
                    out,
                );
            }
        }
        // `[tool.poetry.dependencies]`, `[tool.poetry.group.*.dependencies]`: one key per package.
        static KEY: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?m)^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*["'{]"#));
        for c in KEY.captures_iter(text) {
            let v = c.get(1).expect("group");
            if v.as_str() != "python"
                && in_section_where(text, v.start(), |s| {
                    // The main group; `[tool.poetry.group.<g>.dependencies]` are development
                    // groups, not in the package's metadata.
                    s == "tool.poetry.dependencies"
                        || (s.starts_with("tool.poetry.group.main") && s.ends_with("dependencies"))
                })
            {
                integration(
                    MetadataFormat::PythonBuild,
                    text,
                    "dependencies",
                    Shape::Text,
                    v.as_str(),
                    v.start(),
                    out,
                );
            }
        }
        // setup.cfg: `install_requires =` then one requirement per indented line.
        static CFG: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r"(?m)^(install_requires|setup_requires|tests_require)\s*=[ \t]*\n((?:[ \t]+\S.*\n?)+)",
            )
        });
        for c in CFG.captures_iter(text) {
            let (k, body) = (c.get(1).expect("group"), c.get(2).expect("group"));
            let mut at = body.start();
            for line in body.as_str().split_inclusive('\n') {
                if let Some(name) = super::manifests::requirement(line) {
                    integration(
                        MetadataFormat::PythonBuild,
                        text,
                        k.as_str(),
                        Shape::Text,
                        &name,
                        at,
                        out,
                    );
                }
                at += line.len();
            }
        }
    }
}

pub struct Podspec;
impl Recogniser for Podspec {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "podspec"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        ruby_spec(MetadataFormat::CocoaPodsPodspec, text, out);
    }
}

pub struct Gemspec;
impl Recogniser for Gemspec {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "gemspec"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        ruby_spec(MetadataFormat::RubyGemspec, text, out);
    }
}

fn ruby_spec(format: MetadataFormat, text: &str, out: &mut Vec<FieldHit>) {
    // `s.author = 'X'`, `s.authors = ['X', 'Y']`, `s.authors = { 'X' => 'mail' }`,
    // `s.homepage = '…'`, `s.source = { :git => '…' }`, `s.email = '…'`.
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?m)^\s*\w+\.(authors?|homepage|email|source|vendored_frameworks|vendored_libraries|frameworks|libraries)\s*=\s*(.+)$",
        )
    });
    static STR: LazyLock<Regex> = LazyLock::new(|| re(r#"["']([^"'\n]+)["']"#));
    for c in LINE.captures_iter(text) {
        let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
        let (kind, shape) = match k.as_str() {
            "author" | "authors" | "email" => (A, Shape::Author),
            "homepage" | "source" => (A, Shape::Url),
            _ => (I, Shape::Text),
        };
        for s in STR.captures_iter(v.as_str()) {
            let s = s.get(1).expect("group").as_str();
            if s.starts_with(':') {
                continue;
            }
            let value = if kind == I {
                super::library_stem(s)
            } else {
                s.to_string()
            };
            out.push(FieldHit {
                format,
                key: k.as_str().to_string(),
                kind,
                shape,
                value,
                line: line_at(text, v.start()),
            });
        }
    }
    // What it depends on: a gem's `add_dependency`, `add_runtime_dependency`,
    // `add_development_dependency`, a pod's `dependency` (`s.dependency 'KasperskyMobileSDK'`).
    static DEPENDENCY: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r#"(?m)^[ \t]*\w+\.(add_dependency|add_runtime_dependency|add_development_dependency|dependency)[ \t(]+["']([^"'\n]+)["']"#,
        )
    });
    for c in DEPENDENCY.captures_iter(text) {
        let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
        integration(
            format,
            text,
            k.as_str(),
            Shape::Text,
            v.as_str(),
            v.start(),
            out,
        );
    }
}

/// Whether a `#` comes before byte `at` of `text` on its line: the command there is in a CMake
/// comment.
fn after_hash(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    text[start..at].contains('#')
}

/// An argument of a CMake command that is a keyword, a variable, a version or a path, not a
/// package's or a library's name.
fn cmake_keyword(token: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "REQUIRED",
        "QUIET",
        "CONFIG",
        "MODULE",
        "NO_MODULE",
        "COMPONENTS",
        "OPTIONAL_COMPONENTS",
        "EXACT",
        "GLOBAL",
        "IMPORTED_TARGET",
        "NO_CMAKE_PATH",
        "NO_DEFAULT_PATH",
        "NAMES",
        "NAMES_PER_DIR",
        "HINTS",
        "PATHS",
        "PATH_SUFFIXES",
        "DOC",
        "PRIVATE",
        "PUBLIC",
        "INTERFACE",
        "LINK_PRIVATE",
        "LINK_PUBLIC",
        "LINK_INTERFACE_LIBRARIES",
        "debug",
        "optimized",
        "general",
        "SHARED",
        "STATIC",
        "OBJECT",
        "IMPORTED",
        "ALIAS",
        "UNKNOWN",
        "EXCLUDE_FROM_ALL",
    ];
    token.is_empty()
        || token.starts_with('$')
        || token.starts_with('-')
        || token.starts_with('/')
        || token.starts_with(|c: char| c.is_ascii_digit())
        || KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(token))
}

pub struct Cmake;
impl Recogniser for Cmake {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "cmake" || f.base == "CMakeLists.txt"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        // `set(ENGINE_LIB kavsdk)` then `target_link_libraries(app ${ENGINE_LIB})`.
        let text = &*super::vars::cmake_expanded(text);
        static SET: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?mi)set\s*\(\s*(CPACK_PACKAGE_VENDOR|CPACK_PACKAGE_CONTACT|CPACK_DEBIAN_PACKAGE_MAINTAINER|CPACK_RPM_PACKAGE_VENDOR|CPACK_PACKAGE_HOMEPAGE_URL|CPACK_NSIS_PUBLISHER)\s+"?([^")\n]+)"?"#,
            )
        });
        assignments(
            MetadataFormat::Cmake,
            text,
            &SET,
            &[
                ("CPACK_PACKAGE_VENDOR", A, Shape::Text),
                ("CPACK_RPM_PACKAGE_VENDOR", A, Shape::Text),
                ("CPACK_NSIS_PUBLISHER", A, Shape::Text),
                ("CPACK_PACKAGE_CONTACT", A, Shape::Author),
                ("CPACK_DEBIAN_PACKAGE_MAINTAINER", A, Shape::Author),
                ("CPACK_PACKAGE_HOMEPAGE_URL", A, Shape::Url),
            ],
            out,
        );
        // What it downloads and builds in: `FetchContent_Declare`/`ExternalProject_Add`
        // (`GIT_REPOSITORY`, `URL`), CPM (`GITHUB_REPOSITORY org/repo`, `"gh:org/repo@1.0"`)
        // and `file(DOWNLOAD …)`.
        static FETCH: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?i)\b(GIT_REPOSITORY|URL|GITHUB_REPOSITORY|GITLAB_REPOSITORY|DOWNLOAD)\s+"?([^\s")]+)"#,
            )
        });
        static CPM: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?i)\bCPMAddPackage\s*\(\s*"(gh|gl|bb):([\w.-]+/[\w.-]+)"#));
        // What it builds against: the packages `find_package` and `pkg_check_modules` look for,
        // the libraries `find_library`, `target_link_libraries` and `link_libraries` link
        // (`Vendor::sdk`, `libkavsdk.so`), an imported library's name. Argument by argument,
        // past keywords and variables; the first argument of some is the caller's own
        // variable or target.
        static LINKS: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r"(?i)\b(find_package|pkg_check_modules|pkg_search_module|find_library|target_link_libraries|link_libraries|add_library)\s*\(([^)]*)\)",
            )
        });
        for c in LINKS.captures_iter(text) {
            let (k, args) = (c.get(1).expect("group"), c.get(2).expect("group"));
            if after_hash(text, k.start()) {
                continue;
            }
            let command = k.as_str().to_ascii_lowercase();
            let skip_first = matches!(
                command.as_str(),
                "pkg_check_modules"
                    | "pkg_search_module"
                    | "find_library"
                    | "target_link_libraries"
            );
            static ARGUMENT: LazyLock<Regex> = LazyLock::new(|| re(r"\S+"));
            for (n, arg) in ARGUMENT.find_iter(args.as_str()).enumerate() {
                let token = arg.as_str().trim_matches('"');
                if (n == 0 && skip_first) || cmake_keyword(token) {
                    continue;
                }
                let at = args.start() + arg.start();
                // `kaspersky-sdk>=2.0` (a pkg-config module with its version), `libx.so`.
                let name = token.split(['<', '>', '=']).next().unwrap_or(token);
                // `Vendor::sdk`: the namespace and the target, as words.
                let name = super::library_stem(name).replace("::", " ");
                integration(
                    MetadataFormat::Cmake,
                    text,
                    k.as_str(),
                    Shape::Text,
                    &name,
                    at,
                    out,
                );
            }
        }
        for c in FETCH.captures_iter(text) {
            let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            if after_hash(text, k.start()) {
                continue;
            }
            let value = match k.as_str().to_ascii_uppercase().as_str() {
                "GITHUB_REPOSITORY" => format!("https://github.com/{}", v.as_str()),
                "GITLAB_REPOSITORY" => format!("https://gitlab.com/{}", v.as_str()),
                _ if v.as_str().contains("://") || v.as_str().starts_with("git@") => {
                    v.as_str().to_string()
                }
                _ => continue,
            };
            integration(
                MetadataFormat::Cmake,
                text,
                k.as_str(),
                Shape::Url,
                &value,
                v.start(),
                out,
            );
        }
        for c in CPM.captures_iter(text) {
            let (host, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            let host = match host.as_str().to_ascii_lowercase().as_str() {
                "gh" => "github.com",
                "gl" => "gitlab.com",
                _ => "bitbucket.org",
            };
            let value = format!("https://{host}/{}", v.as_str());
            integration(
                MetadataFormat::Cmake,
                text,
                "CPMAddPackage",
                Shape::Url,
                &value,
                v.start(),
                out,
            );
        }
        // Where a vendor's library is imported from (`IMPORTED_LOCATION …/libkavsdk.so`).
        static IMPORTED: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?i)\b(IMPORTED_LOCATION\w*)\s+"?([^\s")]+)"#));
        for c in IMPORTED.captures_iter(text) {
            let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            if after_hash(text, k.start()) {
                continue;
            }
            let stem = super::library_stem(v.as_str());
            integration(
                MetadataFormat::Cmake,
                text,
                k.as_str(),
                Shape::Text,
                &stem,
                v.start(),
                out,
            );
        }
    }
}

pub struct GoModule;
impl Recogniser for GoModule {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.base == "go.mod" || f.base == "go.sum" || f.base == "go.work"
    }
    fn read(&self, f: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static MODULE: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^\s*module\s+(\S+)"));
        static REQ: LazyLock<Regex> =
            LazyLock::new(|| re(r"(?m)^\s*(?:require\s+)?([a-zA-Z0-9.-]+\.[a-z]{2,}/\S*)\s+v\d"));
        if f.base == "go.mod" {
            for c in MODULE.captures_iter(text) {
                let m = c.get(1).expect("group");
                out.push(go_hit("module", A, m.as_str(), text, m.start()));
            }
        }
        for c in REQ.captures_iter(text) {
            let m = c.get(1).expect("group");
            out.push(go_hit("require", I, m.as_str(), text, m.start()));
        }
        // `replace example.org/x => kaspersky.com/x v1.0`: what is built in its place.
        static REPLACE: LazyLock<Regex> =
            LazyLock::new(|| re(r"=>\s*([a-zA-Z0-9.-]+\.[a-z]{2,}/\S*)"));
        for c in REPLACE.captures_iter(text) {
            let m = c.get(1).expect("group");
            out.push(go_hit("replace", I, m.as_str(), text, m.start()));
        }
    }
}

fn go_hit(key: &str, kind: FieldKind, path: &str, text: &str, at: usize) -> FieldHit {
    FieldHit {
        format: MetadataFormat::GoModule,
        key: key.to_string(),
        kind,
        // A module path starts with its host: `kaspersky.com/sdk/go`.
        shape: Shape::Url,
        value: format!("https://{}", path.trim_matches('"')),
        line: line_at(text, at),
    }
}

pub struct GoSource;
impl Recogniser for GoSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        // A `_test.go` file is compiled only into the package's own tests.
        f.ext == "go" && !f.base.ends_with("_test.go")
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
            re(r#"(?m)^\s*(?:import\s+)?(?:\w+\s+)?"([a-zA-Z0-9.-]+\.[a-z]{2,}/[^"]*)""#)
        });
        // cgo's link flags, in the comment above `import "C"`: `#cgo LDFLAGS: -lkavsdk`, or a
        // library's path.
        static CGO: LazyLock<Regex> =
            LazyLock::new(|| re(r"(?m)^[ \t]*//[ \t]*#cgo\b[^:\n]*\bLDFLAGS:([^\n]*)"));
        for c in IMPORT.captures_iter(text) {
            let m = c.get(1).expect("group");
            let mut h = go_hit("import", I, m.as_str(), text, m.start());
            h.format = MetadataFormat::GoSource;
            out.push(h);
        }
        for c in CGO.captures_iter(text) {
            let flags = c.get(1).expect("group");
            for flag in flags.as_str().split_whitespace() {
                let lib = match flag.strip_prefix("-l") {
                    Some(name) => name.to_string(),
                    None if !flag.starts_with('-') => super::library_stem(flag),
                    None => continue,
                };
                if lib.is_empty() || lib.starts_with('$') {
                    continue;
                }
                out.push(FieldHit {
                    format: MetadataFormat::GoSource,
                    key: "#cgo LDFLAGS".into(),
                    kind: I,
                    shape: Shape::Text,
                    value: lib,
                    line: line_at(text, flags.start()),
                });
            }
        }
        super::imports::dynamic_loads(MetadataFormat::GoSource, text, None, out);
    }
}

pub struct JvmSource;
impl Recogniser for JvmSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        matches!(
            f.ext.as_str(),
            "java" | "kt" | "kts" | "scala" | "groovy" | "gradle" | "aidl"
        )
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        // `package com.kaspersky.sdk;` declares whose namespace the code is in; `import
        // com.kaspersky.sdk.Scanner;`, a module's `requires com.kaspersky.sdk;` and a Gradle
        // coordinate `com.kaspersky:sdk:1.0` are code it cannot run without.
        static DECL: LazyLock<Regex> = LazyLock::new(|| {
            // A module declaration's `requires` (`module-info.java`) is an import too.
            re(
                r#"(?m)^\s*(package|import(?:\s+static)?|requires(?:\s+(?:transitive|static))*)\s+([A-Za-z_][\w.]*)"#,
            )
        });
        static GRADLE: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?m)\b(implementation|api|compile|compileOnly|runtimeOnly|classpath)\s*\(?\s*["']([A-Za-z0-9_.-]+):[A-Za-z0-9_.-]+"#,
            )
        });
        for c in DECL.captures_iter(text).chain(GRADLE.captures_iter(text)) {
            let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            let Some(host) = super::reverse_domain(v.as_str()) else {
                continue;
            };
            let kind = if k.as_str() == "package" { A } else { I };
            out.push(FieldHit {
                format: MetadataFormat::JvmSource,
                key: format!("{} (reverse domain {})", k.as_str(), v.as_str()),
                kind,
                shape: Shape::Url,
                value: host,
                line: line_at(text, v.start()),
            });
        }
        super::imports::dynamic_loads(MetadataFormat::JvmSource, text, None, out);
    }
}

/// A Windows resource script (`version.rc`): the version information the compiled binary will
/// carry. `CompanyName`, `LegalCopyright` and `LegalTrademarks` attribute it, as they do in a
/// built binary's VERSIONINFO; a value given through a `#define` in the same file is followed.
pub struct ResourceScript;
impl Recogniser for ResourceScript {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "rc" || f.ext == "rc2"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static VALUE: LazyLock<Regex> = LazyLock::new(|| {
            re(
                r#"(?i)\bVALUE\s+"(CompanyName|LegalCopyright|LegalTrademarks)"\s*,\s*(?:L?"([^"]*)"|([A-Za-z_]\w*))"#,
            )
        });
        static DEFINE: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?m)^\s*#\s*define\s+([A-Za-z_]\w*)\s+L?"([^"]*)""#));
        for c in VALUE.captures_iter(text) {
            let key = c.get(1).expect("group");
            let value = match (c.get(2), c.get(3)) {
                (Some(v), _) => v.as_str().to_string(),
                (None, Some(name)) => {
                    match DEFINE.captures_iter(text).find(|d| &d[1] == name.as_str()) {
                        Some(d) => d[2].to_string(),
                        None => continue,
                    }
                }
                _ => continue,
            };
            out.push(FieldHit {
                format: MetadataFormat::ResourceScript,
                key: canonical_version_key(key.as_str()).to_string(),
                kind: A,
                shape: Shape::Text,
                value: value.trim_end_matches("\\0").to_string(),
                line: line_at(text, key.start()),
            });
        }
    }
}

/// A version-information key as Windows spells it (`companyname` → `CompanyName`).
fn canonical_version_key(k: &str) -> &'static str {
    ["CompanyName", "LegalCopyright", "LegalTrademarks"]
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(k))
        .unwrap_or("CompanyName")
}

/// Whether the line holding byte `at` of `text` is a comment up to there: a `//` comment (doc
/// comments included) or a line of a block comment that starts with `*` or `/*`.
fn commented(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let head = text[start..at].trim_start();
    head.starts_with("//") || head.starts_with("/*") || head.starts_with('*')
}

pub struct RustSource;
impl Recogniser for RustSource {
    fn claims(&self, f: &FileName<'_>, _: &str) -> bool {
        f.ext == "rs"
    }
    fn read(&self, _: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        // `#[link(name = "kavsdk")]`, `#[link(name = "KAVSDK", kind = "framework")]`, the same
        // under a condition (`#[cfg_attr(target_os = "linux", link(name = "kavsdk"))]`, nested
        // or beside other attributes), and `libloading::Library::new("libkavsdk.so")`.
        static ATTRIBUTE: LazyLock<Regex> =
            LazyLock::new(|| re(r"#\s*!?\s*(\[)\s*(?:link|cfg_attr)\s*\("));
        static LINK: LazyLock<Regex> =
            LazyLock::new(|| re(r#"[\[(,]\s*link\s*\([^)]*?\bname\s*=\s*"([^"]+)""#));
        static WASM_LINK: LazyLock<Regex> =
            LazyLock::new(|| re(r#"[\[(,]\s*link\s*\([^)]*?\bwasm_import_module\s*=\s*"([^"]+)""#));
        const LOADERS: &str =
            r"(?:Library::new|load_library|library_filename|dlopen|LoadLibrary\w*)";
        static LOAD: LazyLock<Regex> =
            LazyLock::new(|| re(&format!(r#"{LOADERS}\s*\(\s*(?:&?c?")([^"]+)""#)));
        static CALL: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"\b{LOADERS}\b")));
        // A build script writing the version information of the binary it builds (`winres`,
        // `winresource`, `embed-resource` helpers): `res.set("CompanyName", "AO Kaspersky Lab")`.
        static VERSION: LazyLock<Regex> = LazyLock::new(|| {
            re(r#"\.set\(\s*"(CompanyName|LegalCopyright|LegalTrademarks)"\s*,\s*"([^"]+)""#)
        });
        for c in VERSION.captures_iter(text) {
            let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            if commented(text, k.start()) {
                continue;
            }
            out.push(FieldHit {
                format: MetadataFormat::RustSource,
                key: format!("version information {}", k.as_str()),
                kind: A,
                shape: Shape::Text,
                value: v.as_str().to_string(),
                line: line_at(text, v.start()),
            });
        }
        // A `link` attribute's libraries: the attribute read to its closing bracket, each
        // `link(…)` in it (a `cfg_attr` may carry several).
        let links = ATTRIBUTE.captures_iter(text).flat_map(|c| {
            let open = c.get(1).expect("group").start();
            let span = &text[open..bracketed_end(text, open)];
            LINK.captures_iter(span)
                .map(move |l| (open + l.get(1).expect("group").start(), l[1].to_string()))
        });
        let loads = LOAD.captures_iter(text).map(|c| {
            let m = c.get(1).expect("group");
            (m.start(), m.as_str().to_string())
        });
        for (key, found) in [
            ("#[link(name)]", links.collect::<Vec<_>>()),
            ("dynamic load", loads.collect()),
        ] {
            for (at, name) in found {
                // A comment quoting one (documentation) links nothing.
                if commented(text, at) {
                    continue;
                }
                out.push(FieldHit {
                    format: MetadataFormat::RustSource,
                    key: key.to_string(),
                    kind: I,
                    shape: Shape::Text,
                    value: super::library_stem(&name),
                    line: line_at(text, at),
                });
            }
        }
        // `#[link(wasm_import_module = "kavsdk")]`: the module a WebAssembly build of the
        // `extern` block imports its functions from, read as the module itself is in a built
        // `.wasm` (see `binary::push_wasm_import`).
        let wasm_imports: Vec<(usize, String)> = ATTRIBUTE
            .captures_iter(text)
            .flat_map(|c| {
                let open = c.get(1).expect("group").start();
                let span = &text[open..bracketed_end(text, open)];
                WASM_LINK
                    .captures_iter(span)
                    .map(move |l| (open + l.get(1).expect("group").start(), l[1].to_string()))
            })
            .collect();
        for (at, module) in wasm_imports {
            if commented(text, at) {
                continue;
            }
            if let Some(mut module) = super::js_module(&module) {
                if super::library_file(&module) {
                    module = super::library_stem(&module);
                }
                let shape = if module.contains("://") {
                    Shape::Url
                } else {
                    Shape::Text
                };
                let key = "#[link(wasm_import_module)]";
                integration(
                    MetadataFormat::RustSource,
                    text,
                    key,
                    shape,
                    &module,
                    at,
                    out,
                );
            }
        }
        wasm_bindgen_modules(text, out);
        wasm_bindgen_inline_js(text, out);
        embedded_files(text, out);
        // Through a constant (`const LIB: &str = "libkavsdk.so"; Library::new(LIB)`) or a path
        // built around the file name (`Library::new(dir.join("libkavsdk.so"))`).
        let mut fields = super::imports::Fields::new(MetadataFormat::RustSource, text, out);
        super::imports::indirect_loads(&mut fields, "dynamic load", &CALL, None);
    }
}

/// The JavaScript modules a crate built with wasm-bindgen imports at run time:
/// `#[wasm_bindgen(module = "…")]` and `#[wasm_bindgen(raw_module = "…")]` on an `extern`
/// block, also under a condition (`#[cfg_attr(target_arch = "wasm32", wasm_bindgen(…))]`) or
/// by its path (`#[wasm_bindgen::prelude::wasm_bindgen(…)]`). The generated glue imports the
/// module, and the crate cannot run without it: integration, as a JavaScript import is. A
/// package (`@scope/engine`, `engine`) is read as a JavaScript import of it, a URL as one; a
/// path (`/js/local.js`, `./glue.js`) is the crate's own file, as a relative import is, and a
/// comment imports nothing.
fn wasm_bindgen_modules(text: &str, out: &mut Vec<FieldHit>) {
    static MODULE: LazyLock<Regex> = LazyLock::new(|| {
        re(r##"\bwasm_bindgen\s*\([^()]*?\b(raw_module|module)\s*=\s*r?#?"([^"\n]+)""##)
    });
    for c in MODULE.captures_iter(text) {
        let (which, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
        if commented(text, which.start()) {
            continue;
        }
        let Some(value) = super::js_module(v.as_str()) else {
            continue;
        };
        let value = value.as_str();
        let shape = if value.contains("://") {
            Shape::Url
        } else {
            Shape::Text
        };
        let key = format!("#[wasm_bindgen({})]", which.as_str());
        integration(
            MetadataFormat::RustSource,
            text,
            &key,
            shape,
            value,
            v.start(),
            out,
        );
    }
}

/// The modules the JavaScript of a wasm-bindgen `inline_js` snippet imports
/// (`#[wasm_bindgen(inline_js = "import { scan } from '@scope/engine'; …")]`): the snippet is
/// written out beside the glue and runs with it, so what it imports the crate imports. Its
/// text (a string or raw string literal, escapes resolved) is read as JavaScript source is.
fn wasm_bindgen_inline_js(text: &str, out: &mut Vec<FieldHit>) {
    use super::Recogniser;
    static INLINE: LazyLock<Regex> = LazyLock::new(|| re(r#"\binline_js\s*=\s*(?:r(#*))?""#));
    for c in INLINE.captures_iter(text) {
        let whole = c.get(0).expect("whole");
        if commented(text, whole.start()) {
            continue;
        }
        let rest = &text[whole.end()..];
        let js = match c.get(1) {
            Some(hashes) => {
                let close = format!("\"{}", hashes.as_str());
                rest.find(&close).map(|end| rest[..end].to_string())
            }
            None => unescaped_string(rest),
        };
        let Some(js) = js else { continue };
        let mut found = Vec::new();
        super::imports::JsSource.read(&FileName::new("inline.js"), &js, &mut found);
        let line = line_at(text, whole.end());
        for f in found {
            out.push(FieldHit {
                format: MetadataFormat::RustSource,
                key: format!("#[wasm_bindgen(inline_js)] {}", f.key),
                line: line + f.line.saturating_sub(1),
                ..f
            });
        }
    }
}

/// The contents of a Rust string literal whose opening quote came just before `rest`, its
/// escapes resolved (`\n`, `\t`, `\"`, `\\`, `\'`, a line continuation); `None` when it does
/// not close.
fn unescaped_string(rest: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => {}
                '\n' => {
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// The files a crate compiles into itself: `include_bytes!("…")` and `include_str!("…")`, the
/// path as written (of a `concat!(env!("OUT_DIR"), "/…")`, its last literal, which ends with
/// the file's name). The value is the path; whether its name says it is a listed vendor's code
/// is the deep scan's to judge, as a shipped file's name is (see [`FieldHit::embeds_file`]).
fn embedded_files(text: &str, out: &mut Vec<FieldHit>) {
    static INCLUDE: LazyLock<Regex> =
        LazyLock::new(|| re(r"\b(include_bytes|include_str)\s*!\s*(\()"));
    static LITERAL: LazyLock<Regex> = LazyLock::new(|| re(r#""([^"\n]+)""#));
    for c in INCLUDE.captures_iter(text) {
        let (which, open) = (c.get(1).expect("group"), c.get(2).expect("group"));
        if commented(text, which.start()) {
            continue;
        }
        let span = &text[open.start()..bracketed_end(text, open.start())];
        let Some(path) = LITERAL.captures_iter(span).last().and_then(|l| l.get(1)) else {
            continue;
        };
        out.push(FieldHit {
            format: MetadataFormat::RustSource,
            key: format!("{}!", which.as_str()),
            kind: I,
            shape: Shape::Text,
            value: path.as_str().to_string(),
            line: line_at(text, open.start() + path.start()),
        });
    }
}

/// The TOML table (`[a.b]`, without brackets) byte `at` of `text` lies in, if any.
fn section_at(text: &str, at: usize) -> Option<&str> {
    text[..at]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(['[', ']']).trim())
}

/// Whether byte `at` of `text` lies in one of the TOML tables `sections`.
fn in_section(text: &str, at: usize, sections: &[&str]) -> bool {
    section_at(text, at).is_some_and(|s| sections.contains(&s))
}

/// Whether byte `at` of `text` lies in a TOML table `which` accepts.
fn in_section_where(text: &str, at: usize, which: impl Fn(&str) -> bool) -> bool {
    section_at(text, at).is_some_and(which)
}

/// Where the bracket opened at byte `open` of `text` closes (its byte, or the text's end): the
/// brackets inside quoted strings (`"sdk[extra]>=1"`) do not count.
fn bracketed_end(text: &str, open: usize) -> usize {
    let b = text.as_bytes();
    let (mut depth, mut quote) = (0usize, None::<u8>);
    for (i, &c) in b.iter().enumerate().skip(open) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'[' | b'{' | b'(') => depth += 1,
            (None, b']' | b'}' | b')') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    b.len()
}
