//! Evidence stage, deep scan, names: what a file's own path says.
//!
//! A vendor library whose strings were stripped, or whose bytes are packed or encrypted, still
//! ships under the name it was given: `kavsdk.dll`, `libKasperskyScanEngine.so.12`,
//! `third_party/kaspersky-sdk/lib/libengine.so`. A file or directory named for something listed
//! is evidence of its own:
//!
//! - a **file name** attributes (as a library's own `DT_SONAME` does) when the file is shipped
//!   code or a package of it (a binary or archive the scan inventoried, or a file whose extension
//!   says it is one: `.dll`, `.so.1`, `.jar`, `.nupkg`…, since a packed library has no magic
//!   bytes to be known by) and the name begins with what is listed (`kavsdk.dll`,
//!   `KasperskyLab.Antivirus.dll`; `MultiScan.Engines.Kaspersky.dll`, an adapter named for the
//!   engine it drives, only mentions it, as a NuGet id's later segment does). Any other file
//!   named so (`docs/kaspersky.md`, `src/kaspersky.rs`) mentions;
//! - a **directory name** that begins with what is listed attributes the shipped code below it
//!   (the directory a vendor SDK is unpacked into, `#include "kaspersky/…"`'s counterpart on
//!   disk); over other files it says nothing their contents do not.
//!
//! The same rules judge paths a package names rather than ships: a binary's run paths (the
//! directories its loader searches, [`Scanner::run_paths`]) and the files a Rust source
//! compiles in ([`Scanner::embedded_name`]).
//!
//! Names are read as words: separators and camel case split (`KasperskyScanEngine` reads
//! `Kaspersky Scan Engine`), a library's `lib` prefix and version suffix dropped, so the matcher
//! compares whole words as everywhere else (`kasperskytte.dll` names nobody). A directory's
//! evidence is placed at the directory itself, once however many binaries it holds.
//!
//! The cost is one pass of the text fast stage over each path (most hold no needle, and stop
//! there); a name with letters outside ASCII is folded as a text line is, so look-alike letters
//! do not hide it.

use heck::ToTitleCase;

use super::super::binary::BinaryString;
use super::super::field::BinaryPart;
use super::super::{Evidence, Field, Role, Shape, clip};
use super::{FileResult, MAPPED, Scanner};

/// Extensions of files that are programs, libraries, or packages and archives of them.
const SHIPPED: &[&str] = &[
    "7z",
    "a",
    "aar",
    "apk",
    "appx",
    "bin",
    "bundle",
    "bz2",
    "cab",
    "deb",
    "dll",
    "dylib",
    "efi",
    "exe",
    "framework",
    "gz",
    "jar",
    "jmod",
    "ko",
    "lib",
    "msi",
    "msix",
    "node",
    "nupkg",
    "o",
    "obj",
    "ocx",
    "pyd",
    "rpm",
    "so",
    "sys",
    "tar",
    "tgz",
    "war",
    "wasm",
    "whl",
    "xcframework",
    "xpi",
    "xz",
    "zip",
    "zst",
];

/// Whether a file's name says it is shipped code or a package of it (see [`SHIPPED`]);
/// `libfoo.so.1.2` counts by its `.so`.
pub(super) fn shipped_extension(base: &str) -> bool {
    let lower = base.to_ascii_lowercase();
    lower.contains(".so.")
        || lower
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && SHIPPED.contains(&ext))
}

/// A file's name without what says its type: a library's `lib` and version suffix
/// (`libKav.so.12` → `Kav`), else its last extension (`kaspersky-notes.md` → `kaspersky-notes`).
fn file_stem(name: &str) -> String {
    let stem = crate::evidence::recognise::library_stem(name);
    if stem != name {
        return stem;
    }
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

/// A name as the matcher reads it: the words of its `stem` (camel case and separators split),
/// then the name as written where that differs, so both readings are matched (`KasperskyOS` is
/// the product as written and `Kaspersky Os` as words).
fn words_of(name: &str, stem: &str) -> String {
    let words = stem.to_title_case();
    if words.is_empty() || words == name {
        name.to_string()
    } else {
        format!("{words} ({name})")
    }
}

impl Scanner {
    /// Whether each of `names` (paths) may hold a listed word: the text fast stage over all of
    /// them at once (one search of the joined names, not one per file), and the text prefilter
    /// and the folded form over a name with characters outside ASCII.
    pub(super) fn names_may_hold<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Vec<bool> {
        let mut joined = String::new();
        let mut ends = Vec::new();
        let mut out = Vec::new();
        for name in names {
            out.push(!name.is_ascii() && self.prefilter.may_hold(name) && self.text_hits(name));
            joined.push_str(name);
            joined.push('\n');
            ends.push(joined.len());
        }
        let mut starts = Vec::new();
        MAPPED.with(|m| {
            self.prefilter
                .text_hits(joined.as_bytes(), &mut m.borrow_mut(), &mut starts)
        });
        for at in starts {
            // The name the hit starts in (a hit across two names is checked again per name).
            out[ends.partition_point(|&end| end <= at)] = true;
        }
        out
    }

    /// The evidence of a file's path `name` (as reported: `dir/file`, `outer.zip!dir/file`),
    /// read from byte `from` on (an archive member's own path; the rest was read as the outer
    /// file's). Called once the file was scanned, so `r` knows whether it is an inventoried
    /// binary; `archive` says it is shipped code that is not inventoried (a member archive, an
    /// object file inside a static library).
    pub(super) fn name_evidence(&self, name: &str, from: usize, archive: bool, r: &mut FileResult) {
        let own = &name[from..];
        if !own.is_empty() && self.names_may_hold([own])[0] {
            self.named_evidence(name, from, archive, r);
        }
    }

    /// [`Scanner::name_evidence`] of a name already found to hold a listed word (see
    /// [`Scanner::names_may_hold`]).
    pub(super) fn named_evidence(
        &self,
        name: &str,
        from: usize,
        archive: bool,
        r: &mut FileResult,
    ) {
        let own = &name[from..];
        let base_at = own.rfind(['/', '\\']).map_or(0, |i| i + 1);
        let base = &own[base_at..];
        let shipped =
            archive || shipped_extension(base) || r.binaries.iter().any(|b| b.file == name);
        let mut at = from;
        for comp in own.split(['/', '\\']) {
            let end = at + comp.len();
            let last = end == name.len();
            let stem = if last {
                file_stem(comp)
            } else {
                comp.to_string()
            };
            let leads = (last || shipped).then(|| self.leading_hit(&stem)).flatten();
            match leads {
                Some(leads) if last => {
                    let role = if shipped && leads {
                        Role::Attribution
                    } else {
                        Role::Mention
                    };
                    let text = words_of(comp, &stem);
                    r.evidence.push(
                        Evidence::new(Field::FileName, role, Shape::Text, clip(&text))
                            .at(name, None),
                    );
                }
                Some(true) => r.evidence.push(
                    Evidence::new(
                        Field::DirectoryName,
                        Role::Attribution,
                        Shape::Text,
                        clip(&words_of(comp, comp)),
                    )
                    .at(&name[..end], None),
                ),
                _ => {}
            }
            at = end + 1;
        }
    }

    /// A binary's strings (see [`BinaryString`]) with its run paths judged: a
    /// directory the loader searches for the libraries the binary loads is read as the
    /// directory of a shipped file is, one component at a time. Where a listed word leads a
    /// component (`/opt/kaspersky/lib`, `$ORIGIN/../kavsdk/lib`,
    /// `@loader_path/../Frameworks/KAVSDK.framework`), the binary loads code from the vendor's
    /// directory: integration, its text that component's words and the path. One a listed word
    /// only appears in (`/opt/multiscan-kaspersky/lib`, an adapter's directory) stays a mention.
    pub(super) fn run_paths(&self, mut strings: Vec<BinaryString>) -> Vec<BinaryString> {
        for s in &mut strings {
            let BinaryPart::RunPath { table, .. } = s.field.part else {
                continue;
            };
            if let Some(comp) = s
                .text
                .split(['/', '\\'])
                .find(|c| !c.is_empty() && self.leading_hit(c) == Some(true))
            {
                s.text = format!("{} ({})", comp.to_title_case(), s.text);
                s.attribution = true;
                s.field.part = BinaryPart::RunPath {
                    table,
                    integration: true,
                };
            }
        }
        strings
    }

    /// The path of a file a source compiles into itself (`include_bytes!`), judged by the rules
    /// of the names of a file the package ships: where the file is code by its extension
    /// (`libkavsdk.so`, `engine.dll`, `scan.wasm`) and a listed word leads its name
    /// (`vendor/bin/libkavsdk.so`), the words of the name; else where one leads a directory
    /// above it (`third_party/kaspersky-sdk/lib/engine.so`), that directory's words and the
    /// path. `None` for any other file (`assets/logo.png`, `docs/kaspersky.txt`) or a name a
    /// listed word only appears in (`MultiScan.Engines.Kaspersky.dll`).
    pub(super) fn embedded_name(&self, path: &str) -> Option<String> {
        let path = path.trim().replace('\\', "/");
        let (dirs, base) = path.rsplit_once('/').unwrap_or(("", &path));
        if !shipped_extension(base) {
            return None;
        }
        let stem = file_stem(base);
        if self.leading_hit(&stem) == Some(true) {
            return Some(words_of(base, &stem));
        }
        dirs.split('/')
            .find(|c| !c.is_empty() && self.leading_hit(c) == Some(true))
            .map(|c| format!("{} ({path})", c.to_title_case()))
    }

    /// Whether a listed word begins `s` once folded (`Kaspersky.Engine`, `kav_sdk`, `Kаspersky`
    /// with a Cyrillic `а`) rather than only appearing in it (`MultiScan.Engines.Kaspersky`, an
    /// adapter named for the engine it drives, as a NuGet id's later segment is); `None` where
    /// none appears.
    fn leading_hit(&self, s: &str) -> Option<bool> {
        let mut skel = String::new();
        let mut at = Vec::new();
        crate::text::normalize::skeleton(s, &mut skel, &mut at);
        let hits = self.prefilter.skeleton_hits(&skel);
        (!hits.is_empty()).then(|| hits.iter().any(|&(start, _)| start == 0))
    }
}

#[cfg(test)]
mod tests {
    use super::super::DeepOptions;
    use super::*;
    use camino::Utf8Path;

    fn scanner() -> Scanner {
        let words = ["kaspersky".to_string(), "kavsdk".to_string()];
        Scanner::new(&words, &words, DeepOptions::default())
    }

    /// (field, role, location, text) of every piece of name evidence of a package of `files`.
    fn names(files: &[(&str, &[u8])]) -> Vec<(String, Role, String, String)> {
        let d = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(d.path()).unwrap();
        for (path, bytes) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        scanner()
            .scan_files(root, &[])
            .evidence
            .into_iter()
            .filter(|e| matches!(e.field, Field::FileName | Field::DirectoryName))
            .map(|e| {
                (
                    e.field.to_string(),
                    e.role,
                    e.location.unwrap().file,
                    e.text,
                )
            })
            .collect()
    }

    #[test]
    fn the_batch_finds_each_name_that_holds_a_word() {
        let s = scanner();
        assert_eq!(
            s.names_may_hold(["src/lib.rs", "bin/KavSdk.dll", "a/b", "x/Kаspersky/e.so"]),
            [false, true, false, true]
        );
        assert!(s.names_may_hold(Vec::<&str>::new()).is_empty());
    }

    #[test]
    fn shipped_code_named_for_the_vendor_attributes() {
        let junk: &[u8] = &[0x8f, 0x13, 0x77, 0xa0, 0x00, 0x5c];
        let got = names(&[
            ("bin/kavsdk.dll", junk),
            ("lib/libKasperskyScanEngine.so.12", junk),
            ("plugins/MultiScan.Engines.Kaspersky.dll", junk),
            ("docs/kaspersky-notes.md", b"notes\n"),
            ("bin/KasperSkyline.dll", junk),
            ("src/lib.rs", b"fn main() {}\n"),
        ]);
        let a = Role::Attribution;
        let m = Role::Mention;
        let row = |f: &str, r: Role, at: &str, t: &str| (f.into(), r, at.into(), t.into());
        assert_eq!(
            got,
            [
                // Evidence: whether it names anybody is the matcher's (whole words: nobody).
                row(
                    "file name",
                    a,
                    "bin/KasperSkyline.dll",
                    "Kasper Skyline (KasperSkyline.dll)"
                ),
                row(
                    "file name",
                    a,
                    "lib/libKasperskyScanEngine.so.12",
                    "Kaspersky Scan Engine (libKasperskyScanEngine.so.12)"
                ),
                row("file name", a, "bin/kavsdk.dll", "Kavsdk (kavsdk.dll)"),
                row(
                    "file name",
                    m,
                    "docs/kaspersky-notes.md",
                    "Kaspersky Notes (kaspersky-notes.md)"
                ),
                row(
                    "file name",
                    m,
                    "plugins/MultiScan.Engines.Kaspersky.dll",
                    "Multi Scan Engines Kaspersky (MultiScan.Engines.Kaspersky.dll)"
                ),
            ]
        );
    }

    #[test]
    fn an_encrypted_members_name_is_still_read() {
        let mut z = crate::evidence::testgen::zip(&[("lib/kavsdk.dll", &[0x8f, 0x13, 0x77])]);
        // The "encrypted" flag, in the local header and in the central directory's entry.
        z[6] |= 1;
        let cd = memchr::memmem::find(&z, b"PK\x01\x02").unwrap();
        z[cd + 8] |= 1;
        let got = names(&[("dist/sdk.zip", &z)]);
        assert_eq!(
            got,
            [(
                "file name".to_string(),
                Role::Attribution,
                "dist/sdk.zip!lib/kavsdk.dll".to_string(),
                "Kavsdk (kavsdk.dll)".to_string()
            )]
        );
    }

    /// A static library's members are named as a zip's are: an object file is shipped code
    /// whatever its name says, another member only by its extension.
    #[test]
    fn a_static_librarys_member_names_are_read() {
        use crate::evidence::testgen;
        let obj = testgen::elf_object(b"int scan;");
        let a = testgen::ar(&[
            ("kavsdk_engine.o", &obj),
            ("KasperskyScan", &obj),
            ("kaspersky.txt", b"notes\n"),
            ("scan.o", &obj),
        ]);
        let got = names(&[("prebuilt/libengine.a", &a)]);
        let row = |r: Role, at: &str, t: &str| ("file name".to_string(), r, at.into(), t.into());
        assert_eq!(
            got,
            [
                row(
                    Role::Attribution,
                    "prebuilt/libengine.a!KasperskyScan",
                    "Kaspersky Scan (KasperskyScan)"
                ),
                row(
                    Role::Attribution,
                    "prebuilt/libengine.a!kavsdk_engine.o",
                    "Kavsdk Engine (kavsdk_engine.o)"
                ),
                row(
                    Role::Mention,
                    "prebuilt/libengine.a!kaspersky.txt",
                    "Kaspersky (kaspersky.txt)"
                ),
            ]
        );
        // One named for nobody says nothing.
        let a = testgen::ar(&[("scan.o", &obj), ("engine.o", &obj)]);
        assert!(names(&[("prebuilt/libengine.a", &a)]).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_inside_the_package_is_a_name_it_ships() {
        let d = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(d.path()).unwrap();
        std::fs::create_dir_all(root.join("lib")).unwrap();
        std::fs::write(root.join("lib/libengine.so.8"), [0x8f, 0x13, 0x77]).unwrap();
        std::os::unix::fs::symlink("libengine.so.8", root.join("lib/libkavsdk.so")).unwrap();
        let got: Vec<(String, Role, String)> = scanner()
            .scan_files(root, &[])
            .evidence
            .into_iter()
            .map(|e| (e.field.to_string(), e.role, e.location.unwrap().file))
            .collect();
        assert_eq!(
            got,
            [(
                "file name".to_string(),
                Role::Attribution,
                "lib/libkavsdk.so".to_string()
            )]
        );
    }

    #[test]
    fn a_vendor_directory_attributes_the_shipped_code_below_it_once() {
        let junk: &[u8] = &[0x8f, 0x13, 0x77, 0xa0, 0x00, 0x5c];
        let got = names(&[
            ("third_party/kaspersky-sdk/lib/libengine.so", junk),
            ("third_party/kaspersky-sdk/lib/libupdate.so", junk),
            ("third_party/kaspersky-sdk/README.txt", b"engine\n"),
            ("src/parsers/kaspersky/mod.rs", b"pub fn parse() {}\n"),
            ("vendor/K\u{430}spersky/engine.dll", junk),
            ("plugins/multiscan-kaspersky/engine.dll", junk),
        ]);
        let dirs: Vec<(&str, Role, &str)> = got
            .iter()
            .filter(|g| g.0 == "directory name")
            .map(|g| (g.2.as_str(), g.1, g.3.as_str()))
            .collect();
        assert_eq!(
            dirs,
            [
                (
                    "third_party/kaspersky-sdk",
                    Role::Attribution,
                    "Kaspersky Sdk (kaspersky-sdk)"
                ),
                (
                    "vendor/K\u{430}spersky",
                    Role::Attribution,
                    "K\u{430}spersky"
                ),
            ]
        );
    }

    /// A run path is read as a shipped file's directory: integration where a listed word leads
    /// one of its directories, a mention where one only appears in it, nothing where none does.
    #[test]
    fn a_run_path_led_by_a_listed_word_is_integration() {
        use crate::evidence::testgen;
        use object::macho::{LC_ID_DYLIB, LC_RPATH};
        let so = testgen::elf_shared_object_with(
            b"x",
            "GCC",
            "libscan.so",
            &[],
            &[
                (
                    29,
                    "$ORIGIN/../lib:/usr/lib:/opt/kaspersky/kav-sdk/lib:/opt/multiscan-kaspersky/lib",
                ),
                (15, "$ORIGIN/../kavsdk/lib"),
            ],
        );
        let dylib = testgen::macho_dylib(&[
            (LC_ID_DYLIB, "@rpath/libscan.dylib"),
            (LC_RPATH, "@loader_path/../Frameworks/KAVSDK.framework"),
            (LC_RPATH, "@loader_path/../lib"),
            (LC_RPATH, "/opt/acme-av-compare/notes-on-kaspersky"),
            // Led by the name, whatever follows: as `third_party/kaspersky-sdk` is.
            (LC_RPATH, "/opt/acme-av-compare/kaspersky-notes"),
        ]);
        let d = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(d.path()).unwrap();
        std::fs::create_dir_all(root.join("prebuilt")).unwrap();
        std::fs::write(root.join("prebuilt/libscan.so"), so).unwrap();
        std::fs::write(root.join("prebuilt/libscan.dylib"), dylib).unwrap();
        let mut got: Vec<(String, Role, String)> = scanner()
            .scan_files(root, &[])
            .evidence
            .into_iter()
            // Those naming nobody (`$ORIGIN/../lib`) are mentions the matcher finds nothing in.
            .filter(|e| {
                e.field.to_string().contains("PATH") && e.text.to_lowercase().contains("ka")
            })
            .map(|e| (e.field.to_string(), e.role, e.text))
            .collect();
        got.sort();
        let row = |f: &str, r: Role, t: &str| (f.to_string(), r, t.to_string());
        assert_eq!(
            got,
            [
                row(
                    "ELF DT_RPATH (integration)",
                    Role::Attribution,
                    "Kavsdk ($ORIGIN/../kavsdk/lib)"
                ),
                row(
                    "ELF DT_RUNPATH",
                    Role::Mention,
                    "/opt/multiscan-kaspersky/lib"
                ),
                row(
                    "ELF DT_RUNPATH (integration)",
                    Role::Attribution,
                    "Kaspersky (/opt/kaspersky/kav-sdk/lib)"
                ),
                row(
                    "Mach-O LC_RPATH",
                    Role::Mention,
                    "/opt/acme-av-compare/notes-on-kaspersky"
                ),
                row(
                    "Mach-O LC_RPATH (integration)",
                    Role::Attribution,
                    "Kaspersky Notes (/opt/acme-av-compare/kaspersky-notes)"
                ),
                row(
                    "Mach-O LC_RPATH (integration)",
                    Role::Attribution,
                    "Kavsdk Framework (@loader_path/../Frameworks/KAVSDK.framework)"
                ),
            ]
        );
    }

    /// A file compiled in (`include_bytes!`) is judged by its name as a shipped file is: code
    /// named for a listed vendor, or below a directory a listed word leads, is integration; a
    /// name a listed word only appears in, or a file that is not code, leaves the line a mention.
    #[test]
    fn an_embedded_file_is_judged_by_its_name() {
        let src = concat!(
            "static A: &[u8] = include_bytes!(\"../vendor/bin/libkavsdk.so\");\n",
            "static B: &[u8] = include_bytes!(\"../third_party/kaspersky-sdk/engine.dll\");\n",
            "static C: &[u8] = include_bytes!(\"../plugins/MultiScan.Engines.Kaspersky.dll\");\n",
            "static D: &str = include_str!(\"../docs/kaspersky.txt\");\n",
            "static E: &[u8] = include_bytes!(\"../assets/logo.png\");\n",
        );
        let d = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(d.path()).unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/embed.rs"), src).unwrap();
        let got: Vec<(String, Role, Option<u32>, String)> = scanner()
            .scan_files(root, &[])
            .evidence
            .into_iter()
            .map(|e| {
                (
                    e.field.to_string(),
                    e.role,
                    e.location.unwrap().line,
                    e.text,
                )
            })
            .collect();
        let inc = "Rust source include_bytes! (integration)".to_string();
        assert!(
            got.contains(&(
                inc.clone(),
                Role::Attribution,
                Some(1),
                "Kavsdk (libkavsdk.so)".into()
            )),
            "{got:?}"
        );
        assert!(
            got.contains(&(
                inc,
                Role::Attribution,
                Some(2),
                "Kaspersky Sdk (../third_party/kaspersky-sdk/engine.dll)".into()
            )),
            "{got:?}"
        );
        for line in [3, 4] {
            assert!(
                got.iter()
                    .any(|g| g.2 == Some(line) && g.0 == "text" && g.1 == Role::Mention),
                "{line}: {got:?}"
            );
        }
        assert_eq!(got.len(), 4, "{got:?}");
    }

    #[test]
    fn shipped_extensions() {
        for yes in [
            "kavsdk.dll",
            "libengine.so",
            "libengine.so.12.1",
            "Engine.JAR",
            "x.nupkg",
            "a.tar",
        ] {
            assert!(shipped_extension(yes), "{yes}");
        }
        for no in [
            "kaspersky.md",
            "kaspersky.rs",
            ".so",
            "so",
            "notes.solution",
            "a.sob",
        ] {
            assert!(!shipped_extension(no), "{no}");
        }
    }

    #[test]
    fn names_read_as_words() {
        assert_eq!(
            words_of("libKasperskyScanEngine.so.12", "KasperskyScanEngine"),
            "Kaspersky Scan Engine (libKasperskyScanEngine.so.12)"
        );
        assert_eq!(
            words_of("kaspersky-sdk", "kaspersky-sdk"),
            "Kaspersky Sdk (kaspersky-sdk)"
        );
        assert_eq!(words_of("Kaspersky", "Kaspersky"), "Kaspersky");
        assert_eq!(file_stem("libKav.so.12"), "Kav");
        assert_eq!(file_stem("kaspersky-notes.md"), "kaspersky-notes");
        assert_eq!(file_stem("Kaspersky.Engine.nupkg"), "Kaspersky.Engine");
        assert_eq!(file_stem(".kaspersky"), ".kaspersky");
    }
}
