//! Evidence stage, dev-only directories: a dependency's Rust sources → which of its directories no build
//! of a dependent can reach, so that what could not be read there is a note, not a gap.
//!
//! Cargo builds a dependency's `tests/`, `benches/` and `examples/` only for that package's own
//! tests, benchmarks and examples, and a module declared `#[cfg(test)] mod x;` only for its own
//! unit tests. Such a directory is *test-only* unless something a dependent does build names a
//! file in it: an `include_bytes!`/`include_str!`/`include!` in a Rust file outside every
//! test-only directory, or any string in the build script (which may read any file).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use camino::Utf8Path;
use regex::Regex;

use super::{SkipKind, Skipped};

/// What one Rust source file says about reachability.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RustFacts {
    /// The file, relative to the package root.
    pub file: String,
    /// Directories of the modules it declares under `#[cfg(test)]`.
    pub test_mods: Vec<String>,
    /// Paths it includes, resolved against its own directory.
    pub includes: Vec<String>,
    /// For the build script: every string literal that looks like a path.
    pub strings: Vec<String>,
}

/// The directories cargo builds only for a package's own tests, benchmarks and examples.
const DEV_TARGET_DIRS: &[&str] = &["tests", "benches", "examples"];

/// Reads a Rust source's facts (`rel` relative to the package root).
pub fn facts(rel: &str, text: &str) -> RustFacts {
    static TEST_MOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;",
        )
        .expect("a fixed pattern")
    });
    static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^([^\n]*?)include(?:_bytes|_str)?!\s*\(\s*"([^"]+)""#)
            .expect("a fixed pattern")
    });
    static STRING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""([^"\n]*/[^"\n]*)""#).expect("a fixed pattern"));
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let base = rel.rsplit('/').next().unwrap_or(rel);
    // `mod x;` in `lib.rs`, `main.rs` or `mod.rs` lives in `dir/x`; in `foo.rs`, in `dir/foo/x`.
    let mod_dir = match base {
        "lib.rs" | "main.rs" | "mod.rs" => dir.to_string(),
        other => join(dir, other.trim_end_matches(".rs")),
    };
    let mut f = RustFacts {
        file: rel.to_string(),
        ..Default::default()
    };
    for c in TEST_MOD.captures_iter(text) {
        let whole = c.get(0).expect("match").as_str();
        // A `#[path = "…"]` module lives elsewhere: not followed, so not marked.
        if !whole.contains("path") {
            f.test_mods.push(join(&mod_dir, &c[1]));
        }
    }
    for c in INCLUDE.captures_iter(text) {
        // A comment (a doc example is compiled only for the crate's own doctests).
        if c[1].trim_start().starts_with("//") {
            continue;
        }
        f.includes.push(normalise(&join(dir, &c[2])));
    }
    if rel == "build.rs" || base == "build.rs" {
        f.strings = STRING
            .captures_iter(text)
            .map(|c| c[1].trim_start_matches("./").to_string())
            .collect();
    }
    f
}

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

/// `a/b/../c` → `a/c`.
fn normalise(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.join("/")
}

fn under(file: &str, dir: &str) -> bool {
    file.len() > dir.len() && file.starts_with(dir) && file.as_bytes()[dir.len()] == b'/'
}

/// Whether [`relabel`] can change anything: the package is a dependency (a copy cargo unpacked
/// or vendored: `.cargo-ok`, `.cargo-checksum.json`) and something in it was not read.
pub fn may_relabel(root: &Utf8Path, skipped: &[Skipped]) -> bool {
    skipped.iter().any(Skipped::counts_as_unscanned)
        && (root.join(".cargo-ok").exists() || root.join(".cargo-checksum.json").exists())
}

/// Turns what could not be read in a dependency's test-only directory into a note that says why
/// (call it only where [`may_relabel`] holds).
pub fn relabel(facts: &[RustFacts], skipped: &mut [Skipped]) {
    let mut test_dirs: BTreeSet<String> = DEV_TARGET_DIRS.iter().map(|d| d.to_string()).collect();
    test_dirs.extend(facts.iter().flat_map(|f| f.test_mods.iter().cloned()));
    let in_test_dir = |file: &str| test_dirs.iter().find(|d| under(file, d)).cloned();
    // What a dependent's build reaches: includes from files outside every test-only directory,
    // and the build script's paths.
    let mut reached: Vec<String> = Vec::new();
    for f in facts {
        if in_test_dir(&f.file).is_none() {
            reached.extend(f.includes.iter().cloned());
            reached.extend(f.strings.iter().cloned());
        }
    }
    for s in skipped.iter_mut().filter(|s| s.counts_as_unscanned()) {
        let file = s.file.split('!').next().unwrap_or(&s.file).to_string();
        let Some(dir) = in_test_dir(&file) else {
            continue;
        };
        if reached
            .iter()
            .any(|r| *r == file || under(r, &dir) || r.starts_with(&format!("{dir}/")) || *r == dir)
        {
            continue;
        }
        let why = if DEV_TARGET_DIRS.contains(&dir.as_str()) {
            format!(
                "in the dependency's {dir}/ directory, which cargo never builds for a dependent"
            )
        } else {
            format!(
                "in the dependency's test-only module {dir}/ (`#[cfg(test)] mod`), never built for a dependent"
            )
        };
        s.kind = SkipKind::Note;
        s.reason = format!(
            "{}; {why} and nothing a dependent builds includes",
            s.reason
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_of_rust_sources() {
        let f = facts(
            "src/lib.rs",
            "mod a;\n#[cfg(test)]\npub(crate) mod tests;\n#[cfg(test)]\n#[path = \"x.rs\"]\nmod other;\nstatic D: &[u8] = include_bytes!(\"../data/d.bin\");\n/// let z = include_bytes!(\"tests/doc.zip\");\n",
        );
        assert_eq!(f.test_mods, ["src/tests"]);
        assert_eq!(f.includes, ["data/d.bin"]);
        let f = facts("src/read.rs", "#[cfg(test)] mod t;");
        assert_eq!(f.test_mods, ["src/read/t"]);
        let f = facts(
            "build.rs",
            "let p = \"tests/fixtures/x.zip\"; let q = \"plain\";",
        );
        assert_eq!(f.strings, ["tests/fixtures/x.zip"]);
    }

    fn skipped() -> Vec<Skipped> {
        vec![
            Skipped::new("tests/enc.zip!a", SkipKind::Unreadable, "encrypted"),
            Skipped::new(
                "src/tests/read/enc.zip!a",
                SkipKind::Unreadable,
                "encrypted",
            ),
            Skipped::new("src/enc.zip!a", SkipKind::Unreadable, "encrypted"),
        ]
    }

    fn unscanned(s: &[Skipped]) -> Vec<bool> {
        s.iter().map(Skipped::counts_as_unscanned).collect()
    }

    #[test]
    fn only_a_dependencys_test_only_directories_are_notes() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        let lib = facts("src/lib.rs", "#[cfg(test)]\nmod tests;\n");
        let inner = facts(
            "src/tests/read/mod.rs",
            "let d = include_bytes!(\"enc.zip\");",
        );
        // A workspace member: nothing changes.
        assert!(!may_relabel(root, &skipped()));
        std::fs::write(root.join(".cargo-ok"), "").unwrap();
        assert!(may_relabel(root, &skipped()));
        // A dependency: its tests/ and its test-only module cannot ship; src/ can.
        let mut s = skipped();
        relabel(&[lib.clone(), inner.clone()], &mut s);
        assert_eq!(unscanned(&s), [false, false, true]);
        assert!(
            s[1].reason.contains("test-only module src/tests/"),
            "{}",
            s[1].reason
        );
        // Included from code a dependent builds: it can ship.
        let shipped = facts(
            "src/data.rs",
            "pub static Z: &[u8] = include_bytes!(\"tests/read/enc.zip\");",
        );
        let mut s = skipped();
        relabel(&[lib, inner, shipped], &mut s);
        assert_eq!(unscanned(&s), [false, true, true]);
        // Named by the build script.
        let build = facts("build.rs", "std::fs::read(\"tests/enc.zip\")");
        let mut s = skipped();
        relabel(&[build], &mut s);
        assert_eq!(unscanned(&s), [true, true, true]);
    }
}
