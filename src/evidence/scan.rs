//! Evidence stage, the deep scan's result types: what one package's files yielded (evidence,
//! binaries inventoried, files passed over and why). A leaf the scanner, the archive walker and
//! the build-script reader all build, so none of them depends on another for its output type.

use serde::{Deserialize, Serialize};

use super::Evidence;

/// A binary found in a package: inventoried whether or not it carries evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BinaryItem {
    pub file: String,
    pub kind: String,
    pub bytes: u64,
}

/// Why a file was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipKind {
    /// Could not be opened or read.
    Unreadable,
    /// Larger than the file-size limit.
    TooLarge,
    /// A binary or archive that is truncated or corrupt.
    Malformed,
    /// An archive limit (depth, entries, unpacked bytes) stopped the walk.
    Limit,
    /// A symbolic link leading outside the package, broken, or looping: not followed.
    Link,
    /// Read in full, but only the first matching lines were kept (the rest are counted).
    Truncated,
    /// Informational (an archive entry with a path-traversal name, scanned anyway).
    Note,
}

/// A file (or archive entry) that could not be read or inspected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    pub file: String,
    pub kind: SkipKind,
    pub reason: String,
}

impl Skipped {
    pub(crate) fn new(
        file: impl Into<String>,
        kind: SkipKind,
        reason: impl Into<String>,
    ) -> Skipped {
        Skipped {
            file: file.into(),
            kind,
            reason: reason.into(),
        }
    }

    /// Whether some content went unread because of it (so the package is "not scanned").
    pub fn counts_as_unscanned(&self) -> bool {
        !matches!(self.kind, SkipKind::Truncated | SkipKind::Note)
    }
}

/// What the deep scan of one package found.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PackageScan {
    pub evidence: Vec<Evidence>,
    pub files: u64,
    pub bytes: u64,
    pub binaries: Vec<BinaryItem>,
    pub skipped: Vec<Skipped>,
    /// Set when the package as a whole could not be scanned (no files on disk…).
    pub not_scanned: Option<String>,
    /// The test-data archives (and firmware images) left packed because nothing in the package
    /// outside its test data names them, relative to its root: the workspace's own build and
    /// packaging files may still name them (see `Scanner::unpack_named_by`).
    #[serde(default)]
    pub packed: Vec<String>,
}
