//! Evidence stage, a package's test data: which files are its test data, and which of the
//! test-data archives the deep scan left packed something outside the test data names.
//!
//! A package's test inputs (a parser's zipped samples, a compression library's corrupt
//! streams) are nobody's build input, and decoding them is costly: yara-x keeps 147 zipped
//! executables (16 MiB, 48 MiB unpacked), a sixth of a check of that workspace. Such an
//! archive is first walked for what it stores as it is (its member names, comments and
//! stored members; see [`crate::evidence::archive::walk_stored`]). It is unpacked like any
//! other once a file outside the test data names it: a build script, a makefile, a
//! packaging step or a Rust source could take it into the product.

use aho_corasick::{AhoCorasick, MatchKind};

/// Whether a file (`a/b.zip`, or `outer.tar!inner/c.gz`) lies in a directory that holds a
/// package's own test data: a path component `test`, `tests`, `testdata`, `test_data`,
/// `test-data`, `fixtures`, `corpus` or `testfiles` (any case).
pub(super) fn is_test_data(name: &str) -> bool {
    let mut comps: Vec<&str> = name.split(['/', '\\', '!']).collect();
    comps.pop();
    comps.iter().any(|c| is_test_dir(c))
}

fn is_test_dir(component: &str) -> bool {
    matches!(
        component.to_ascii_lowercase().as_str(),
        "test"
            | "tests"
            | "testdata"
            | "test_data"
            | "test-data"
            | "fixtures"
            | "corpus"
            | "testfiles"
    )
}

/// Directories of a workspace's root whose files build, package or release it (CI pipelines,
/// scripts, container builds), read whole by [`workspace_files`].
const WORKSPACE_BUILD_DIRS: &[&str] = &[
    ".github",
    ".gitlab",
    ".circleci",
    ".buildkite",
    ".ci",
    "ci",
    ".cargo",
    "scripts",
    "script",
    "docker",
    "packaging",
    "release",
];

/// The most files [`workspace_files`] reads below those directories.
const WORKSPACE_FILES_MAX: usize = 2_000;

/// The workspace's own build and packaging files, each with its path from `root`: the regular
/// files at its root (a Dockerfile, a makefile, a justfile, `Cargo.toml`) and those below its
/// CI, script and packaging directories ([`WORKSPACE_BUILD_DIRS`]), but documents, test data
/// and files of 4 MiB or more. A member's test-data archive that one of them names (a root
/// Dockerfile's `COPY crates/engine/tests/data/sdk.zip`) is unpacked (see
/// `Scanner::unpack_named_by`).
pub fn workspace_files(root: &camino::Utf8Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let read = |path: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>| {
        let Ok(rel) = path.strip_prefix(root.as_std_path()) else {
            return;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if is_test_data(&rel) || is_document(&rel) {
            return;
        }
        if let Ok(bytes) =
            crate::fsio::read_regular(path, crate::fsio::ReadKind::PackageFile, MAX_NAMING_FILE)
        {
            out.push((rel, bytes));
        }
    };
    let Ok(entries) = std::fs::read_dir(root) else {
        return out;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(kind) = e.file_type() else { continue };
        let name = e.file_name();
        if kind.is_file() {
            read(&e.path(), &mut out);
        } else if kind.is_dir() && WORKSPACE_BUILD_DIRS.iter().any(|d| name == *d) {
            let walk = walkdir::WalkDir::new(e.path())
                .follow_links(false)
                .sort_by(crate::fsio::by_name)
                .into_iter()
                .flatten()
                .filter(|f| f.file_type().is_file())
                .take(WORKSPACE_FILES_MAX);
            for f in walk {
                read(f.path(), &mut out);
            }
        }
    }
    out
}

/// The files of the workspace's own packages (members and path packages, at `dirs`) outside
/// their test data, for the archives one package's test data holds that another's build may
/// take (`include_bytes!("../../engine/tests/data/sdk.zip")` in a member's source, a sibling's
/// build script copying `../engine/tests/data/`): each with its package's directory and its
/// path. Passed over: the directories in `prune` below a package (the target directory, nested
/// packages, read as themselves), `.git`, test data, documents and files of 4 MiB or more.
/// `None` past [`MAX_NAMING_BYTES`] in all: reading on would cost about what unpacking every
/// packed archive does, which is then what happens.
pub fn package_files(
    dirs: &[camino::Utf8PathBuf],
    prune: &[camino::Utf8PathBuf],
) -> Option<Vec<PackageFile>> {
    let mut out = Vec::new();
    let mut read = 0u64;
    for dir in dirs {
        let below: std::collections::HashSet<&str> =
            crate::evidence::deep::pruned_below(dir, prune).collect();
        let mut walk = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by(crate::fsio::by_name)
            .into_iter();
        while let Some(Ok(entry)) = walk.next() {
            let Some(path) = camino::Utf8Path::from_path(entry.path()) else {
                continue;
            };
            let rel = path
                .strip_prefix(dir)
                .map_or(path.as_str(), camino::Utf8Path::as_str)
                .replace('\\', "/");
            if entry.file_type().is_dir() {
                if entry.depth() > 0
                    && (below.contains(path.as_str())
                        || entry.file_name() == ".git"
                        || is_test_data(&format!("{rel}/")))
                {
                    walk.skip_current_dir();
                }
                continue;
            }
            if !entry.file_type().is_file() || is_test_data(&rel) || is_document(&rel) {
                continue;
            }
            let Ok(bytes) = crate::fsio::read_regular(
                path.as_std_path(),
                crate::fsio::ReadKind::PackageFile,
                MAX_NAMING_FILE,
            ) else {
                continue;
            };
            read += bytes.len() as u64;
            if read > MAX_NAMING_BYTES {
                return None;
            }
            out.push(PackageFile {
                package: dir.clone(),
                rel,
                bytes,
            });
        }
    }
    Some(out)
}

/// A file of a workspace package (see [`package_files`]).
pub struct PackageFile {
    /// The directory of the package it belongs to.
    pub package: camino::Utf8PathBuf,
    /// Its path in that package.
    pub rel: String,
    pub bytes: Vec<u8>,
}

/// The most bytes of a package's other files read again for names of its packed test data;
/// past it, every packed archive of the package is unpacked (reading on would cost about what
/// unpacking does). yara-x's `lib/` reads 5.2 MiB.
pub(super) const MAX_NAMING_BYTES: u64 = 32 << 20;

/// Files larger than this are not searched for names of test data: what takes a file into a
/// build (a build script, a makefile, a manifest, a packaging script) is smaller.
pub(super) const MAX_NAMING_FILE: u64 = 4 << 20;

/// How a text names an archive.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Its file name, when that has no extension to find it by.
    File,
    /// The extension of file names (`.zip`): each one's whole name is then compared with the
    /// text before it (one pattern per extension keeps the search a fast one; yara-x's
    /// samples are 144 names, one extension).
    Extension,
    /// One of its test-data directories by a path of two or more parts, as a directory:
    /// `tests/data/`, `"tests/data"`, `tests/data/*.zip`, `tests/data ` (not `tests/data/x.bin`).
    Path,
    /// A test-data directory at the package root by its one name: only quoted or with a
    /// slash and no name after it (`"tests"`, `tests/*`), never as a word (`mod tests;`).
    Word,
}

/// Texts (a file name, a directory), each with the archives (their indices) it names.
type Names = Vec<(String, Vec<usize>)>;

/// What would name each packed archive, searched for in the package's other files.
pub(super) struct Naming {
    /// Per pattern: how it names, and the archives it names (for an extension, the file
    /// names that end with it, each with its archives).
    patterns: Vec<(Kind, Names)>,
    search: Option<AhoCorasick>,
    /// The names of test-data directories (`tests`, `data`) a build script may join into a
    /// path (`Path::new("tests").join("data")`), each with the archives below it.
    components: Names,
    /// Per archive: its directory, relative to the package root.
    dirs: Vec<String>,
    named: Vec<bool>,
}

impl Naming {
    /// `archives`: the packed archives' paths, relative to the package root.
    pub(super) fn new(archives: &[String]) -> Naming {
        use std::collections::BTreeMap;
        let mut by_text: BTreeMap<(String, Kind), BTreeMap<String, Vec<usize>>> = BTreeMap::new();
        let mut components: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, rel) in archives.iter().enumerate() {
            let comps: Vec<&str> = rel.split('/').collect();
            let (base, dirs) = comps.split_last().expect("split yields one part at least");
            let key = match base.rfind('.').filter(|&at| at + 1 < base.len()) {
                Some(at) => (base[at..].to_string(), Kind::Extension),
                None => (base.to_string(), Kind::File),
            };
            let names = by_text.entry(key).or_default();
            names.entry(base.to_string()).or_default().push(i);
            let first = dirs.iter().position(|c| is_test_dir(c)).unwrap_or(0);
            for end in first + 1..=dirs.len() {
                let kind = if end == 1 { Kind::Word } else { Kind::Path };
                let text = dirs[..end].join("/");
                by_text
                    .entry((text.clone(), kind))
                    .or_default()
                    .entry(text)
                    .or_default()
                    .push(i);
            }
            for c in &dirs[first..] {
                components.entry(c.to_string()).or_default().push(i);
            }
        }
        let (texts, patterns): (Vec<String>, Vec<_>) = by_text
            .into_iter()
            .map(|((text, kind), names)| (text, (kind, names.into_iter().collect())))
            .unzip();
        let search = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&texts)
            .ok();
        Naming {
            search,
            patterns,
            components: components.into_iter().collect(),
            dirs: archives
                .iter()
                .map(|a| a.rsplit_once('/').map_or("", |(d, _)| d).to_string())
                .collect(),
            named: vec![false; archives.len()],
        }
    }

    /// Reads one file outside the test data (`rel` relative to the package root). Documents
    /// (Markdown, reStructuredText, AsciiDoc, Org, HTML) take nothing into a build: a README's
    /// "the samples are in tests/" names nothing.
    pub(super) fn read(&mut self, rel: &str, bytes: &[u8]) {
        if is_document(rel) {
            return;
        }
        self.read_names(bytes, true);
        self.read_build_script(rel, bytes);
    }

    /// Reads one file of another package (see [`package_files`]): for the archives' names and
    /// test-data paths of two parts or more only. A bare directory name (`"tests"`), and a
    /// build script's directory names and walks, are about its own package's directories.
    pub(super) fn read_other(&mut self, rel: &str, bytes: &[u8]) {
        if !is_document(rel) {
            self.read_names(bytes, false);
        }
    }

    /// Marks the archives `bytes` names by file name or by a test-data path (by a bare
    /// directory name too where `words`).
    fn read_names(&mut self, bytes: &[u8], words: bool) {
        if let Some(search) = &self.search {
            for m in search.find_overlapping_iter(bytes) {
                let (kind, names) = &self.patterns[m.pattern().as_usize()];
                let (before, after) = (&bytes[..m.start()], &bytes[m.end()..]);
                for (name, who) in names {
                    let hit = match kind {
                        Kind::File => true,
                        Kind::Extension => bytes[..m.end()].ends_with(name.as_bytes()),
                        Kind::Path => names_directory(after),
                        Kind::Word => words && names_word(before, after),
                    };
                    if hit {
                        for &i in who {
                            self.named[i] = true;
                        }
                    }
                }
            }
        }
    }

    /// In the package's build script: its test-data directories named as strings, walks and
    /// globs from above them.
    fn read_build_script(&mut self, rel: &str, bytes: &[u8]) {
        let file = rel.rsplit('/').next().unwrap_or(rel);
        if file == "build.rs" {
            let text = String::from_utf8_lossy(bytes);
            for (c, who) in &self.components {
                if quoted(&text, c) {
                    for &i in who {
                        self.named[i] = true;
                    }
                }
            }
            // A walk or glob from a directory above the archive (`WalkDir::new(".")`,
            // `glob("src/**/*.zip")`): it may reach it without naming it.
            static STRING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
                regex::Regex::new(r#""((?:[^"\\\n]|\\.)*)""#).expect("a fixed pattern")
            });
            for m in STRING.captures_iter(&text) {
                let literal = &m[1];
                for (i, dir) in self.dirs.iter().enumerate() {
                    if reaches_below(literal, dir) {
                        self.named[i] = true;
                    }
                }
            }
        }
    }

    /// Per archive, in the order given: whether a file read names it.
    pub(super) fn named(self) -> Vec<bool> {
        self.named
    }
}

/// Whether a file is a document by its extension: Markdown, reStructuredText, AsciiDoc, Org,
/// HTML (plain `.txt` is not: `CMakeLists.txt`, `requirements.txt`).
pub(super) fn is_document(rel: &str) -> bool {
    let ext = rel.rsplit_once('.').map_or("", |(_, e)| e);
    [
        "md", "markdown", "mdx", "rst", "adoc", "asciidoc", "org", "html", "htm", "xhtml",
    ]
    .iter()
    .any(|e| ext.eq_ignore_ascii_case(e))
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Whether what follows a directory's path in a text ends the path there, or goes on into
/// the directory with a pattern rather than a name (`/*.zip`, `/{a,b}`, `/` then a quote).
fn names_directory(after: &[u8]) -> bool {
    match after {
        [] => true,
        [b'/' | b'\\', rest @ ..] => rest.first().is_none_or(|&b| !name_byte(b)),
        [b, ..] => !name_byte(*b),
    }
}

/// Whether a directory's one name is written as a path: quoted (`"tests"`, `'tests/'`), or
/// followed by a slash and no name (`tests/*`, `tests/ `), after no name or path byte.
fn names_word(before: &[u8], after: &[u8]) -> bool {
    let quote = |b: Option<&u8>| matches!(b, Some(b'"' | b'\'' | b'`'));
    if before.last().is_some_and(|&b| name_byte(b) || b == b'/') {
        return false;
    }
    match after {
        [b'/' | b'\\', ..] => names_directory(after),
        _ => quote(before.last()) && quote(after.first()),
    }
}

/// Whether a build script's string is a directory at or above `dir` (the package root: `.`,
/// `./`, an empty string), or a glob from one (`src/**`, `tests/*/x.zip`): a walk or glob
/// from it may reach what lies in `dir`. A path ending in a file name, or a glob from a
/// directory beside `dir`, does not.
fn reaches_below(literal: &str, dir: &str) -> bool {
    // A leading `format!` argument (`{}/protos/*.rs`, `{out_dir}/x`) is some root (the output
    // directory, the manifest's): what follows it is read from the package root.
    let mut literal = literal;
    while let Some(rest) = literal.strip_prefix('{') {
        match rest.split_once("}/") {
            Some((arg, after)) if arg.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                literal = after;
            }
            _ => break,
        }
    }
    // Only what reads as a path: a slash and no white space, or the package root, or a glob
    // from it (`""` and `"{}.{}"` are strings of other kinds).
    let path_like = matches!(literal, "." | "./")
        || literal.starts_with('*')
        || (literal.contains('/') && !literal.contains(char::is_whitespace));
    if !path_like {
        return false;
    }
    let literal = literal.trim_start_matches("./");
    if literal.is_empty() || literal == "." {
        return true;
    }
    let (fixed, glob) = match literal.find(['*', '?', '[', '{']) {
        Some(at) => (&literal[..at], true),
        None => (literal, false),
    };
    // The directory part of the fixed prefix (`src/mod` of `src/mod*/x` is only `src`).
    let base = if glob || fixed.ends_with('/') {
        fixed.rsplit_once('/').map_or("", |(d, _)| d)
    } else {
        fixed
    };
    if base.is_empty() {
        return glob;
    }
    dir == base
        || dir
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `text` holds `name` as a string of its own, or as a path's first or last part:
/// `"tests"`, `"tests/`, `/tests"`.
fn quoted(text: &str, name: &str) -> bool {
    ["\"", "'"].iter().any(|q| {
        text.contains(&format!("{q}{name}{q}"))
            || text.contains(&format!("{q}{name}/"))
            || text.contains(&format!("/{name}{q}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_data_directories() {
        assert!(is_test_data("tests/corrupt-gz-file.bin"));
        assert!(is_test_data("src/deflate/test-data/inflate_buf_error.dat"));
        assert!(is_test_data("tests/data/invalid/x.zip!#0"));
        assert!(!is_test_data("vendor/sdk.zip"));
        assert!(!is_test_data("tests"), "a file named so is no directory");
    }

    fn named(archives: &[&str], files: &[(&str, &str)]) -> Vec<bool> {
        let archives: Vec<String> = archives.iter().map(|a| a.to_string()).collect();
        let mut n = Naming::new(&archives);
        for (rel, text) in files {
            n.read(rel, text.as_bytes());
        }
        n.named()
    }

    #[test]
    fn an_archive_is_named_by_its_file_name() {
        let a = ["src/pe/tests/testdata/0885.in.zip", "tests/data/sdk.zip"];
        assert_eq!(named(&a, &[]), [false, false]);
        assert_eq!(
            named(&a, &[("src/lib.rs", "const X: &str = \"no name\";")]),
            [false, false]
        );
        // Copied by a packaging step, included by a source.
        assert_eq!(
            named(&a, &[("Dockerfile", "COPY tests/data/sdk.zip /opt/\n")]),
            [false, true]
        );
        assert_eq!(
            named(
                &a,
                &[(
                    "src/x.rs",
                    "static S: &[u8] = include_bytes!(\"pe/tests/testdata/0885.in.zip\");"
                )]
            ),
            [true, false]
        );
    }

    #[test]
    fn a_directory_is_named_as_one_not_by_a_file_inside_it() {
        let a = ["tests/data/sdk.zip", "tests/data/other.zip"];
        // A path into the directory names that file only.
        assert_eq!(
            named(&a, &[("benches/b.rs", "read(\"tests/data/sdk.zip\")")]),
            [true, false]
        );
        assert_eq!(
            named(&a, &[("benches/b.rs", "read(\"tests/data/notes.txt\")")]),
            [false, false]
        );
        // The directory itself, or a pattern in it.
        for text in [
            "for f in glob(\"tests/data/*.zip\")",
            "unzip -o tests/data/\\*",
            "let d = \"tests/data\";",
            "cp -r tests/data/ out",
            "walk(\"tests\")",
            "tar czf t.tgz tests/",
        ] {
            assert_eq!(named(&a, &[("Makefile", text)]), [true, true], "{text}");
        }
        // Not a path: a word, a file beside the directory, a module.
        for text in [
            "cp tests/database.txt .",
            "#[cfg(test)]\nmod tests;",
            "run the tests: cargo test",
            "see src/tests/ for more",
        ] {
            assert_eq!(named(&a, &[("src/lib.rs", text)]), [false, false], "{text}");
        }
        // A document names nothing; a CMake list (`.txt`) is no document.
        let text = "The samples are in tests/data/, see tests/data/sdk.zip.";
        assert_eq!(named(&a, &[("README.md", text)]), [false, false]);
        assert_eq!(named(&a, &[("CMakeLists.txt", text)]), [true, true]);
    }

    #[test]
    fn the_workspaces_build_and_packaging_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = camino::Utf8Path::from_path(dir.path()).unwrap();
        for rel in [
            "Dockerfile",
            "README.md",
            ".github/workflows/release.yml",
            "scripts/pack.sh",
            "scripts/tests/fixture.sh",
            "crates/engine/build.rs",
            "docs/packaging.txt",
        ] {
            crate::evidence::testgen::write_file(root.join(rel), rel);
        }
        let got: Vec<String> = workspace_files(root).into_iter().map(|(r, _)| r).collect();
        assert_eq!(
            got,
            [
                ".github/workflows/release.yml",
                "Dockerfile",
                "scripts/pack.sh"
            ]
        );
    }

    #[test]
    fn the_workspaces_package_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = camino::Utf8Path::from_path(dir.path()).unwrap();
        for rel in [
            "app/build.rs",
            "app/src/lib.rs",
            "app/README.md",
            "app/tests/it.rs",
            "app/src/fixtures/x.rs",
            "app/.git/config",
            "app/target/out.rs",
            "app/nested/src/lib.rs",
            "engine/src/lib.rs",
        ] {
            crate::evidence::testgen::write_file(root.join(rel), rel);
        }
        let dirs = [root.join("app"), root.join("engine")];
        let prune = [root.join("app/target"), root.join("app/nested")];
        let got: Vec<(String, String)> = package_files(&dirs, &prune)
            .unwrap()
            .into_iter()
            .map(|f| (f.package.file_name().unwrap().to_string(), f.rel))
            .collect();
        let want: Vec<(String, String)> = [
            ("app", "build.rs"),
            ("app", "src/lib.rs"),
            ("engine", "src/lib.rs"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    /// Another package's file names an archive by its name or a test-data path of two parts,
    /// never by a bare directory name (its own `"tests"`).
    #[test]
    fn another_packages_file_names_by_name_and_path_only() {
        let archives = vec!["tests/data/blob.zip".to_string()];
        for (text, want) in [
            ("include_bytes!(\"../engine/tests/data/blob.zip\")", true),
            ("copy(\"../engine/tests/data/\", out)", true),
            ("let d = \"tests\";", false),
        ] {
            let mut n = Naming::new(&archives);
            n.read_other("src/lib.rs", text.as_bytes());
            assert_eq!(n.named(), [want], "{text}");
        }
    }

    #[test]
    fn a_build_script_walking_from_above_names_it() {
        let a = ["src/modules/pe/tests/testdata/x.zip"];
        for text in [
            "for e in WalkDir::new(\".\") {}",
            "glob(\"src/**/*.zip\")",
            "glob(\"src/modules/*/tests/testdata/*\")",
            "read_dir(\"src/modules/pe/tests\")",
            "glob(\"**/*.zip\")",
            "glob(\"*.zip\")",
            "glob(format!(\"{root}/src/**\"))",
            "glob(format!(\"{}/**/*.zip\", root))",
        ] {
            assert_eq!(named(&a, &[("build.rs", text)]), [true], "{text}");
        }
        for text in [
            "glob(\"src/modules/protos/**\")",
            "glob(format!(\"{}/protos/*.rs\", out_dir))",
            "let p = \"src/lib.rs\";",
            "read_dir(\"src/modules/p\")",
            "println!(\"cargo:rerun-if-changed=build.rs\");",
            "let s = String::from(\"\"); format!(\"{}.{}\", a, b); println!(\"`{:?}`\", x);",
        ] {
            assert_eq!(named(&a, &[("build.rs", text)]), [false], "{text}");
        }
        assert!(reaches_below("src/", "src/a"));
        assert!(!reaches_below("src/a.rs", "src"));
    }

    #[test]
    fn a_build_script_joining_the_directory_names_it() {
        let a = ["tests/fixtures/blob.zip"];
        let joined = "let p = Path::new(env!(\"CARGO_MANIFEST_DIR\")).join(\"fixtures\").join(x);";
        assert_eq!(named(&a, &[("build.rs", joined)]), [true]);
        // The same words in another source, or not as a string, name nothing.
        assert_eq!(named(&a, &[("src/lib.rs", joined)]), [false]);
        assert_eq!(
            named(
                &a,
                &[("build.rs", "// the fixtures are generated\nfn main() {}")]
            ),
            [false]
        );
    }
}
