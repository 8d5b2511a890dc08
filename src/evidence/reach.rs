//! Evidence stage, reach: a package's Rust sources → the files inside a directory the deep scan
//! skips (the target directory) that those sources name, so that nothing a build reads can
//! hide in a skipped place.
//!
//! The target directory is cargo's build output: gigabytes of it after a build, so the deep scan
//! does not walk it. But the project chooses what is in it (a committed `target/`) and the
//! compiler reads from it whatever a source names: `include_str!("../target/notice.txt")`,
//! `include!`, `#[path = "…"]`, a `mod` whose file lies there. This pass reads the package's
//! `.rs` files (and the target roots `cargo metadata` lists, and its cargo configuration), takes
//! every string literal (and the value of a `key=value` or `-L` one) and every `mod name;` as a
//! path the compiler or linker might open, and returns those that lead to a regular file inside
//! the skipped directory, or every file below a directory there (a build script's
//! `rustc-link-search=vendor/lib`), but cargo's own output; a reached `.rs` file is read the
//! same way in turn. A
//! literal that is not a path costs one lexical comparison; a false hit costs one scanned file.

use std::collections::{BTreeSet, VecDeque};

use camino::{Utf8Component, Utf8Path, Utf8PathBuf};

/// The most `.rs` files read for references in one package, and the most bytes of each.
const MAX_SOURCES: usize = 20_000;
const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

/// The regular files inside `skipped` (a directory below `pkg_dir` the deep scan does not
/// enter) that the package's sources name; sorted. `targets`: the root source files of the
/// package's targets, which may lie inside `skipped` themselves.
pub fn reached(
    pkg_dir: &Utf8Path,
    skipped: &Utf8Path,
    targets: &[Utf8PathBuf],
) -> Vec<Utf8PathBuf> {
    let mut found = BTreeSet::new();
    if !skipped.starts_with(pkg_dir) || skipped == pkg_dir || !skipped.is_dir() {
        return Vec::new();
    }
    let mut queue: VecDeque<Utf8PathBuf> = VecDeque::new();
    for t in targets {
        let t = normalize(t);
        let inside = t.starts_with(skipped);
        // A root inside the skipped directory is itself reached; every root is read.
        if !inside || (is_file(&t) && found.insert(t.clone())) {
            queue.push_back(t);
        }
    }
    // Every `.rs` file outside the skipped directory: a module not listed as a target root
    // still names files (and the deep scan reads it anyway).
    let mut walk = walkdir::WalkDir::new(pkg_dir)
        .follow_links(false)
        .into_iter();
    while let Some(Ok(entry)) = walk.next() {
        if entry.file_type().is_dir() && entry.path() == skipped.as_std_path() {
            walk.skip_current_dir();
            continue;
        }
        if entry.file_type().is_file()
            && entry.path().extension().is_some_and(|e| e == "rs")
            && let Some(p) = Utf8Path::from_path(entry.path())
        {
            queue.push_back(p.to_path_buf());
        }
    }
    // The package's cargo configuration: its `rustflags` (`"-L", "vendor/lib"`) name where the
    // linker looks, as a build script's directives do.
    for config in [".cargo/config.toml", ".cargo/config"] {
        let c = pkg_dir.join(config);
        if is_file(&c) {
            queue.push_back(c);
        }
    }
    let mut read = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    while let Some(src) = queue.pop_front() {
        if read.len() >= MAX_SOURCES {
            break;
        }
        if !read.insert(src.clone()) {
            continue;
        }
        let Ok(bytes) = crate::fsio::read_listed(
            src.as_std_path(),
            crate::fsio::ReadKind::PackageFile,
            MAX_SOURCE_BYTES,
        ) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for candidate in candidates(pkg_dir, &src, &text) {
            let c = normalize(&candidate);
            if !c.starts_with(skipped) {
                continue;
            }
            if is_file(&c) {
                if found.insert(c.clone()) && c.extension() == Some("rs") {
                    queue.push_back(c);
                }
            } else if is_dir(&c) && dirs.insert(c.clone()) {
                // A directory a source names (a build script's `rustc-link-search=vendor/lib`,
                // where the linker finds libraries): every file below it, but cargo's own
                // output, is read.
                files_below(&c, &mut found);
            }
        }
    }
    found.into_iter().collect()
}

/// The most files taken from the directories sources name inside the skipped one.
const MAX_DIR_FILES: usize = 10_000;

/// Adds the regular files below `dir` to `found` (links not followed), passing over the
/// directories of cargo's own output: a profile's (`debug/`, `release/`, a custom one's), known
/// by its `.fingerprint/`, and `doc/`, `tmp/` and `package/` beside them.
fn files_below(dir: &Utf8Path, found: &mut BTreeSet<Utf8PathBuf>) {
    let output = |p: &std::path::Path| {
        p.join(".fingerprint").is_dir()
            || (p
                .parent()
                .is_some_and(|parent| parent.join("CACHEDIR.TAG").is_file())
                && p.file_name()
                    .is_some_and(|n| n == "doc" || n == "tmp" || n == "package"))
    };
    let mut walk = walkdir::WalkDir::new(dir).follow_links(false).into_iter();
    let mut taken = 0usize;
    while let Some(Ok(entry)) = walk.next() {
        if entry.file_type().is_dir() && output(entry.path()) {
            walk.skip_current_dir();
            continue;
        }
        if entry.file_type().is_file()
            && let Some(p) = Utf8Path::from_path(entry.path())
        {
            found.insert(p.to_path_buf());
            taken += 1;
            if taken >= MAX_DIR_FILES {
                break;
            }
        }
    }
}

/// Whether `p` is a directory (a link is not).
fn is_dir(p: &Utf8Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

/// Whether `p` is a regular file (a link is not: the deep scan never follows one).
fn is_file(p: &Utf8Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// The paths a source file at `src` may make the compiler open: each string literal (relative
/// to the file's directory, and to the package root for `concat!(env!("CARGO_MANIFEST_DIR"),
/// …)`), and each `mod name;`'s possible files.
fn candidates(pkg_dir: &Utf8Path, src: &Utf8Path, text: &str) -> Vec<Utf8PathBuf> {
    let dir = src.parent().unwrap_or(pkg_dir);
    let mut out = Vec::new();
    for lit in string_literals(text) {
        if lit.is_empty() || lit.len() > 4096 || lit.contains('\0') || lit.contains('\n') {
            continue;
        }
        // The literal, and the value of a `key=value` it holds (`cargo:rustc-link-search=
        // native=vendor/lib`, `-Lnative=vendor/lib`) or of a `-L` flag.
        let value = lit.rsplit('=').next().unwrap_or(&lit);
        let value = value.strip_prefix("-L").unwrap_or(value);
        let forms: &[&str] = if value.len() < lit.len() {
            &[&lit, value]
        } else {
            &[&lit]
        };
        for lit in forms.iter().filter(|l| !l.is_empty()) {
            let p = Utf8Path::new(lit);
            if p.is_absolute() {
                out.push(p.to_path_buf());
                out.push(pkg_dir.join(lit.trim_start_matches('/')));
            } else {
                out.push(dir.join(p));
                out.push(pkg_dir.join(p));
            }
        }
    }
    let stem = src.file_stem().unwrap_or("");
    let nested = !matches!(stem, "mod" | "lib" | "main");
    for name in mod_names(text) {
        out.push(dir.join(format!("{name}.rs")));
        out.push(dir.join(&name).join("mod.rs"));
        if nested {
            out.push(dir.join(stem).join(format!("{name}.rs")));
            out.push(dir.join(stem).join(&name).join("mod.rs"));
        }
    }
    out
}

/// The contents of every `"…"` and `r#"…"#` literal, with `\\` and `\"` undone (enough for
/// paths; other escapes are kept as written).
fn string_literals(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'r' && (i == 0 || !is_ident(b[i - 1])) {
            // Raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            while j < b.len() && b[j] == b'#' {
                j += 1;
            }
            if j < b.len() && b[j] == b'"' {
                let hashes = j - i - 1;
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                let start = j + 1;
                if let Some(end) = memchr::memmem::find(&b[start..], &close) {
                    out.push(String::from_utf8_lossy(&b[start..start + end]).into_owned());
                    i = start + end + close.len();
                    continue;
                }
            }
        }
        if b[i] == b'"' {
            let mut s = Vec::new();
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                if b[j] == b'\\' && j + 1 < b.len() && matches!(b[j + 1], b'\\' | b'"') {
                    s.push(b[j + 1]);
                    j += 2;
                    continue;
                }
                s.push(b[j]);
                j += 1;
            }
            out.push(String::from_utf8_lossy(&s).into_owned());
            i = j + 1;
            continue;
        }
        i += 1;
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The names of `mod name;` declarations (not `mod name { … }`).
fn mod_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("mod ") {
        if at > 0 && is_ident(text.as_bytes()[at - 1]) {
            continue;
        }
        let rest = text[at + 4..].trim_start();
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && rest[name.len()..].trim_start().starts_with(';') {
            out.push(name.trim_start_matches("r#").to_string());
        }
    }
    out
}

/// `p` with `.` and `..` resolved lexically (no link is followed to decide).
fn normalize(p: &Utf8Path) -> Utf8PathBuf {
    let mut out = Utf8PathBuf::new();
    for c in p.components() {
        match c {
            Utf8Component::CurDir => {}
            Utf8Component::ParentDir => {
                out.pop();
            }
            c => out.push(c.as_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Utf8Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn files_in_the_skipped_directory_named_by_sources_are_reached() {
        let d = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(d.path()).unwrap();
        let target = root.join("target");
        write(
            &root.join("src/lib.rs"),
            "const N: &str = include_str!(\"../target/notice.txt\");\nmod gen;\n#[path = r#\"../target/debug/x.rs\"#] mod x;\nconst M: &[u8] = include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/target/blob.bin\"));\n",
        );
        write(&target.join("notice.txt"), "n");
        write(
            &target.join("debug/x.rs"),
            "const Y: &str = include_str!(\"y.txt\");\n",
        );
        write(&target.join("debug/y.txt"), "y");
        write(&target.join("blob.bin"), "b");
        write(&target.join("debug/unrelated.rlib"), "r");
        write(&root.join("src/gen.rs"), "");
        let got = reached(root, &target, &[root.join("src/lib.rs")]);
        let rel: Vec<_> = got
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().as_str())
            .collect();
        assert_eq!(
            rel,
            [
                "target/blob.bin",
                "target/debug/x.rs",
                "target/debug/y.txt",
                "target/notice.txt"
            ]
        );
    }

    #[test]
    fn a_target_root_inside_the_skipped_directory_is_reached_with_its_modules() {
        let d = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(d.path()).unwrap();
        // `build.target-dir = "src"`.
        let skipped = root.join("src");
        write(&skipped.join("main.rs"), "mod engine;\nfn main() {}\n");
        write(&skipped.join("engine.rs"), "");
        write(&skipped.join("debug/out.rlib"), "");
        let got = reached(root, &skipped, &[skipped.join("main.rs")]);
        assert_eq!(got, [skipped.join("engine.rs"), skipped.join("main.rs")]);
        // Nothing is reached when the directory is not below the package, or missing.
        assert!(reached(root, &root.join("nowhere"), &[]).is_empty());
        assert!(reached(&skipped, root, &[]).is_empty());
    }

    #[test]
    fn literals_and_modules_are_lexed() {
        assert_eq!(
            string_literals(r###"a "x\"y" r#"q"z"# br"b" "\\" "###),
            ["x\"y", "q\"z", "b", "\\"]
        );
        assert_eq!(
            mod_names("mod a;\npub mod b ;\nmod c { }\nsubmod d;"),
            ["a", "b"]
        );
    }
}
