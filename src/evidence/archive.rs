//! Evidence stage, archives: a zip, tar, tar.gz or gz shipped inside a package → its entries'
//! bytes, walked in memory, recursively, within limits.
//!
//! Nothing is ever written to disk, so an entry named `../../etc/passwd` is harmless; it is
//! still scanned and noted. Declared sizes are never trusted: every entry is read through a
//! `take(limit + 1)`, so a zip bomb stops at the limit instead of exhausting memory.

use std::io::{Cursor, Read};

use serde::Serialize;

use super::binary::{FileKind, InspectError, sniff};

/// Limits of one archive walk (nested archives included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveLimits {
    /// Archives inside archives, counting the outermost as 1.
    pub max_depth: u32,
    /// Total unpacked bytes of all entries.
    pub max_total_bytes: u64,
    /// Total entries.
    pub max_entries: u64,
    /// Unpacked bytes of one entry.
    pub max_entry_bytes: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: 3,
            max_total_bytes: 256 * 1024 * 1024,
            max_entries: 10_000,
            max_entry_bytes: 64 * 1024 * 1024,
        }
    }
}

/// One regular file inside an archive.
pub struct ArchiveEntry<'a> {
    /// `outer.tar.gz!inner.zip!include/x.h`.
    pub path: String,
    pub bytes: &'a [u8],
}

/// What a walk saw.
#[derive(Debug, Default)]
pub struct ArchiveStats {
    pub entries: u64,
    pub bytes: u64,
    /// (path, reason): entries not read because of a limit, links, unsupported or corrupt
    /// nested archives, and notes on path-traversal names (those are still scanned).
    pub skipped: Vec<(String, String)>,
}

struct Walk<'l, 'v> {
    limits: &'l ArchiveLimits,
    stats: ArchiveStats,
    visit: &'v mut dyn FnMut(ArchiveEntry<'_>),
    stopped: bool,
}

/// Walks an archive, calling `visit` with every regular file (nested archives expanded).
pub fn walk_archive(
    name: &str,
    bytes: &[u8],
    kind: FileKind,
    limits: &ArchiveLimits,
    visit: &mut dyn FnMut(ArchiveEntry<'_>),
) -> Result<ArchiveStats, InspectError> {
    let mut w = Walk {
        limits,
        stats: ArchiveStats::default(),
        visit,
        stopped: false,
    };
    w.archive(name, bytes, kind, 1)?;
    Ok(w.stats)
}

impl Walk<'_, '_> {
    fn archive(
        &mut self,
        name: &str,
        bytes: &[u8],
        kind: FileKind,
        depth: u32,
    ) -> Result<(), InspectError> {
        match kind {
            FileKind::Zip => self.zip(name, bytes, depth),
            FileKind::Tar => self.tar(name, Cursor::new(bytes), depth),
            FileKind::Gzip => self.gzip(name, bytes, depth),
            _ => Err(InspectError::Malformed {
                kind: "archive",
                detail: format!("{name} is not an archive"),
            }),
        }
    }

    /// Accounts for one entry; false once a limit is reached (and says so once).
    fn admit(&mut self, path: &str) -> bool {
        if self.stopped {
            return false;
        }
        if self.stats.entries >= self.limits.max_entries {
            self.stop(
                path,
                format!(
                    "archive entry limit ({}) reached; the rest was not read",
                    self.limits.max_entries
                ),
            );
            return false;
        }
        self.stats.entries += 1;
        true
    }

    fn stop(&mut self, path: &str, reason: String) {
        self.stopped = true;
        self.stats.skipped.push((path.to_string(), reason));
    }

    /// Reads an entry within the per-entry and total limits; `None` if it is over them.
    fn read(&mut self, path: &str, reader: impl Read) -> Option<Vec<u8>> {
        let left = self.limits.max_total_bytes.saturating_sub(self.stats.bytes);
        let cap = self.limits.max_entry_bytes.min(left);
        let mut buf = Vec::new();
        match reader.take(cap + 1).read_to_end(&mut buf) {
            Ok(_) => {}
            Err(e) => {
                self.stats
                    .skipped
                    .push((path.to_string(), format!("corrupt entry: {e}")));
                return None;
            }
        }
        if buf.len() as u64 > cap {
            if cap < self.limits.max_entry_bytes {
                self.stop(
                    path,
                    format!(
                        "archive unpacked-size limit ({} bytes) reached; the rest was not read",
                        self.limits.max_total_bytes
                    ),
                );
            } else {
                self.stats.skipped.push((
                    path.to_string(),
                    format!(
                        "entry larger than {} bytes unpacked: not read",
                        self.limits.max_entry_bytes
                    ),
                ));
            }
            self.stats.bytes += cap;
            return None;
        }
        self.stats.bytes += buf.len() as u64;
        Some(buf)
    }

    fn entry(&mut self, path: String, bytes: &[u8], depth: u32) {
        let kind = sniff(bytes);
        if matches!(kind, FileKind::Zip | FileKind::Tar | FileKind::Gzip) {
            if depth >= self.limits.max_depth {
                self.stats.skipped.push((
                    path,
                    format!(
                        "archive nested deeper than {} levels: not opened",
                        self.limits.max_depth
                    ),
                ));
                return;
            }
            if let Err(e) = self.archive(&path, bytes, kind, depth + 1) {
                self.stats.skipped.push((path, e.to_string()));
            }
            return;
        }
        (self.visit)(ArchiveEntry { path, bytes });
    }

    fn note_traversal(&mut self, path: &str, raw: &str) {
        let escapes = raw.starts_with('/')
            || raw.starts_with('\\')
            || raw.split(['/', '\\']).any(|c| c == "..")
            || raw.get(1..2) == Some(":");
        if escapes {
            self.stats.skipped.push((
                path.to_string(),
                "path traversal entry name (scanned in memory; never extracted)".into(),
            ));
        }
    }

    fn zip(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), InspectError> {
        let mut z =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| InspectError::Malformed {
                kind: "zip",
                detail: format!("{name}: {e}"),
            })?;
        for i in 0..z.len() {
            let mut f = match z.by_index(i) {
                Ok(f) => f,
                Err(e) => {
                    self.stats
                        .skipped
                        .push((format!("{name}!#{i}"), format!("corrupt entry: {e}")));
                    continue;
                }
            };
            if f.is_dir() {
                continue;
            }
            let raw = f
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(f.name_raw()).into_owned());
            let path = format!("{name}!{raw}");
            if f.is_symlink() {
                self.stats
                    .skipped
                    .push((path, "symbolic link entry: not followed".into()));
                continue;
            }
            if !self.admit(&path) {
                return Ok(());
            }
            self.note_traversal(&path, &raw);
            let Some(data) = self.read(&path, &mut f) else {
                if self.stopped {
                    return Ok(());
                }
                continue;
            };
            drop(f);
            self.entry(path, &data, depth);
        }
        Ok(())
    }

    fn tar(&mut self, name: &str, reader: impl Read, depth: u32) -> Result<(), InspectError> {
        let mut archive = tar::Archive::new(reader);
        let entries = archive.entries().map_err(|e| InspectError::Malformed {
            kind: "tar",
            detail: format!("{name}: {e}"),
        })?;
        for entry in entries {
            let mut e = entry.map_err(|e| InspectError::Malformed {
                kind: "tar",
                detail: format!("{name}: {e}"),
            })?;
            let raw = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let path = format!("{name}!{raw}");
            let t = e.header().entry_type();
            if t.is_symlink() || t.is_hard_link() {
                self.stats
                    .skipped
                    .push((path, "link entry: not followed".into()));
                continue;
            }
            if !t.is_file() {
                continue;
            }
            if !self.admit(&path) {
                return Ok(());
            }
            self.note_traversal(&path, &raw);
            let Some(data) = self.read(&path, &mut e) else {
                if self.stopped {
                    return Ok(());
                }
                continue;
            };
            self.entry(path, &data, depth);
        }
        Ok(())
    }

    fn gzip(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), InspectError> {
        let inner = name
            .strip_suffix(".tgz")
            .map(|s| format!("{s}.tar"))
            .or_else(|| name.strip_suffix(".gz").map(str::to_string))
            .unwrap_or_else(|| format!("{name}!data"));
        if !self.admit(&inner) {
            return Ok(());
        }
        let mut decoder = flate2::read::GzDecoder::new(bytes);
        let Some(data) = self.read(&inner, &mut decoder) else {
            return Ok(());
        };
        if data.is_empty() && bytes.len() > 20 {
            return Err(InspectError::Malformed {
                kind: "gzip",
                detail: format!("{name}: no data"),
            });
        }
        if sniff(&data) == FileKind::Tar {
            // A tar.gz is one archive, not two nested ones.
            return self.tar(name, Cursor::new(&data[..]), depth);
        }
        self.entry(inner, &data, depth);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
