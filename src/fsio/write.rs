//! Writing: output files the user named (replaced atomically, or written through a device, a
//! FIFO or a link), reports appended, and files the tool owns replaced atomically.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Writes an output file the user named (`-o`, `init`).
///
/// - A regular file, or a path that does not exist yet, is replaced atomically: a temporary
///   file in the same directory, renamed over it, so a crash never leaves half a report.
/// - Anything else that exists (a device such as `/dev/null`, a FIFO, a symbolic link such as
///   `/dev/stdout`) is written through: opened for writing, never renamed over, since renaming
///   over it would replace the device or link with a regular file.
pub fn write_output(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => replace_atomically(path, bytes),
        Ok(_) => {
            let mut f = OpenOptions::new().write(true).truncate(true).open(path)?;
            f.write_all(bytes)?;
            f.flush()
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace_atomically(path, bytes),
        Err(e) => Err(e),
    }
}

/// Appends a report to a file, creating it if needed: for files several steps write to, such
/// as GitHub's `$GITHUB_STEP_SUMMARY`, where replacing would erase what earlier steps wrote. One
/// `write_all` of the whole report, so it is not interleaved with another writer's line by line.
pub fn append_output(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().append(true).create(true).open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Writes a file so that a crash never leaves half of it: a temporary file beside it, renamed
/// over (for files the tool owns, such as its caches).
pub fn write_atomically(path: &camino::Utf8Path, bytes: &[u8]) -> io::Result<()> {
    replace_atomically(path.as_std_path(), bytes)
}

fn replace_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A new file of its own (never one planted at the temporary name), named with a dot so
    // that cache eviction leaves it alone, and created as `File::create` would (umask applied),
    // so a report or configuration written here is as readable as one written in place.
    let prefix = format!(".{name}.tmp");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    // Renamed over the old file; dropped (and so deleted) when that fails.
    file.persist(path).map(drop).map_err(|e| e.error)
}
