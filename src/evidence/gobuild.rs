//! Evidence stage, Go build information: a Go binary → the modules it was built from.
//!
//! Every Go binary since Go 1.13 carries the module records its linker wrote (what `go version
//! -m` prints): the main module (`mod`), each module compiled in (`dep`) and what replaced one
//! (`=>`), as lines of text between two fixed 16-byte sentinels. They survive stripping, since
//! the runtime reads them (`debug.ReadBuildInfo`). A module path starts with its host
//! (`github.com/KasperskyLab/…`, `kaspersky.com/sdk/go`), read as a `go.mod`'s is: the main
//! module is whose code the binary is, a dependency code it holds.
//!
//! The records are looked for only in a binary where the needle search found a line that
//! starts like one (see [`looks_like_record`]): the sentinel search is then a pass over that
//! one file.

/// What starts the module records (`infoStart` of Go's `debug/buildinfo`; `testgen` writes the
/// same bytes).
const START: &[u8; 16] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
/// What ends them (`infoEnd`).
const END: &[u8; 16] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";
/// The most record blocks read from one binary (a fat Mach-O holds one per slice).
const MAX_BLOCKS: usize = 8;
/// The most bytes of records read from one block.
const MAX_BLOCK: usize = 1 << 20;

/// What a module record says of the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// `mod`: the module the binary's main package is in.
    Main,
    /// `dep`: a module compiled into it.
    Dependency,
    /// `=>`: the module built in place of the `dep` before it.
    Replacement,
}

impl Record {
    pub fn key(self) -> &'static str {
        match self {
            Record::Main => "mod",
            Record::Dependency => "dep",
            Record::Replacement => "replace",
        }
    }
}

/// A module record: what it says, the module path and its version (empty for a replacement by
/// a directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub record: Record,
    pub path: String,
    pub version: String,
}

/// Whether a string found in a binary starts like a module record line.
pub fn looks_like_record(s: &str) -> bool {
    ["path\t", "mod\t", "dep\t", "=>\t"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// The module records in `bytes`, in order (a block without its end sentinel is read to
/// `MAX_BLOCK` bytes). Paths are those of modules (a host, a `/`), not the local directories a
/// replacement may name.
pub fn modules(bytes: &[u8]) -> Vec<Module> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(bytes, START).take(MAX_BLOCKS) {
        let body = &bytes[at + START.len()..];
        let body = &body[..body.len().min(MAX_BLOCK)];
        let body = memchr::memmem::find(body, END).map_or(body, |end| &body[..end]);
        for line in body.split(|&b| b == b'\n') {
            let Ok(line) = std::str::from_utf8(line) else {
                continue;
            };
            let mut fields = line.split('\t');
            let record = match fields.next() {
                Some("mod") => Record::Main,
                Some("dep") => Record::Dependency,
                Some("=>") => Record::Replacement,
                _ => continue,
            };
            let Some(path) = fields.next().filter(|p| is_module_path(p)) else {
                continue;
            };
            out.push(Module {
                record,
                path: path.to_string(),
                version: fields.next().unwrap_or_default().to_string(),
            });
        }
    }
    out
}

/// A module path: a host with a dot, then a `/` (`github.com/x/y`, `kaspersky.com/sdk`), of
/// characters a path may hold; not a directory (`./fork`, `/src/x`).
fn is_module_path(p: &str) -> bool {
    let Some((host, _)) = p.split_once('/') else {
        return false;
    };
    host.contains('.')
        && !host.starts_with('.')
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/+!".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testgen::go_build_records as records;

    #[test]
    fn records_between_the_sentinels_are_read() {
        let mut bin = b"\x7fELF\x02\x01\x01\0 some code \xff Go buildinf:\x08\x02".to_vec();
        bin.extend(records(
            "example.com/agent",
            &[
                ("github.com/KasperskyLab/ksc-go", "v1.2.0"),
                ("golang.org/x/sys", "v0.20.0"),
            ],
        ));
        bin.extend(b"\ndep\tgithub.com/after/end\tv1\n");
        let got = modules(&bin);
        assert_eq!(
            got.iter()
                .map(|m| (m.record, m.path.as_str(), m.version.as_str()))
                .collect::<Vec<_>>(),
            [
                (Record::Main, "example.com/agent", "(devel)"),
                (
                    Record::Dependency,
                    "github.com/KasperskyLab/ksc-go",
                    "v1.2.0"
                ),
                (Record::Dependency, "golang.org/x/sys", "v0.20.0"),
            ]
        );
    }

    #[test]
    fn replacements_by_module_count_and_local_directories_do_not() {
        let mut bin = START.to_vec();
        bin.extend(
            b"mod\texample.com/a\t(devel)\t\ndep\texample.com/b\tv1.0.0\t\n=>\tgithub.com/KasperskyLab/b\tv1.0.1\th1:x=\ndep\texample.com/c\tv1.0.0\t\n=>\t./fork/c\t(devel)\t\n",
        );
        let got: Vec<_> = modules(&bin)
            .into_iter()
            .map(|m| (m.record, m.path))
            .collect();
        assert_eq!(
            got,
            [
                (Record::Main, "example.com/a".to_string()),
                (Record::Dependency, "example.com/b".to_string()),
                (Record::Replacement, "github.com/KasperskyLab/b".to_string()),
                (Record::Dependency, "example.com/c".to_string()),
            ]
        );
    }

    #[test]
    fn text_without_the_sentinel_holds_no_records() {
        assert!(modules(b"mod\tgithub.com/KasperskyLab/x\tv1\t\n").is_empty());
        assert!(looks_like_record("dep\tgithub.com/KasperskyLab/x\tv1"));
        assert!(!looks_like_record("depends on github.com/KasperskyLab/x"));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_after_a_sentinel_are_read_without_panicking(
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000)
        ) {
            let mut bin = START.to_vec();
            bin.extend(tail);
            for m in modules(&bin) {
                proptest::prop_assert!(is_module_path(&m.path));
            }
        }
    }
}
