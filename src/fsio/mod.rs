//! Input/output boundary: a path the tool opens → its bytes, read within a bound per kind of
//! file; bytes the tool writes → a file replaced atomically, or a device, FIFO or link written
//! through.
//!
//! The project being checked is hostile input (CI runs the check on strangers' pull requests),
//! so every file the tool reads goes through [`read_bounded`]: only regular files are opened
//! (a FIFO would block forever, `/dev/zero` never ends), a symbolic link is followed only when
//! the user named the path on the command line, and never more than the kind's bound is read
//! into memory, whatever the file claims its size is.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Component, Path};

mod beneath;
mod write;

pub use beneath::Beneath;
pub use write::{append_output, write_atomically, write_output};

/// What a file is for; each kind has its own size bound ([`Limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// A package's build script (read as text, never run).
    BuildScript,
    /// `entitycheck.toml`, or a Cargo.toml read for its metadata table.
    Config,
    /// A Cargo.toml or Cargo.lock read for something else than configuration.
    Manifest,
    /// An entity list (`--entities`, `[lists] extra`).
    EntityList,
    /// A cache file the tool wrote in an earlier run.
    Cache,
    /// Saved `cargo metadata` JSON (`--metadata-path`).
    Metadata,
    /// A certificate read by `verify`.
    Certificate,
    /// A file of a package read by the deep scan (bound: the scan's file-size limit, given by
    /// the caller).
    PackageFile,
    /// A build script's `output` file under the target directory (`--build-outputs`).
    BuildOutput,
}

impl ReadKind {
    /// How the kind is named in messages and in the README's table.
    pub fn name(self) -> &'static str {
        match self {
            ReadKind::BuildScript => "build script",
            ReadKind::Config => "configuration file",
            ReadKind::Manifest => "manifest or lockfile",
            ReadKind::EntityList => "entity list",
            ReadKind::Cache => "cache file",
            ReadKind::Metadata => "metadata file",
            ReadKind::Certificate => "certificate",
            ReadKind::PackageFile => "package file",
            ReadKind::BuildOutput => "build script output",
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// The size bound of each kind of file, in bytes. The defaults are generous for real files
/// (the largest public sanctions list, the consolidated screening list, is about 30 MiB as
/// CSV; a 100-crate workspace's metadata is a few MiB) and small enough that a run never holds
/// more than a few hundred MiB because of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    pub build_script: u64,
    pub config: u64,
    pub manifest: u64,
    pub entity_list: u64,
    pub cache: u64,
    pub metadata: u64,
    pub certificate: u64,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        build_script: 4 * MIB,
        config: 4 * MIB,
        manifest: 16 * MIB,
        entity_list: 256 * MIB,
        cache: 256 * MIB,
        metadata: 512 * MIB,
        certificate: 16 * MIB,
    };

    pub fn bound(&self, kind: ReadKind) -> u64 {
        match kind {
            ReadKind::BuildScript => self.build_script,
            ReadKind::Config => self.config,
            ReadKind::Manifest => self.manifest,
            ReadKind::EntityList => self.entity_list,
            ReadKind::Cache => self.cache,
            ReadKind::Metadata => self.metadata,
            ReadKind::Certificate => self.certificate,
            // Bounded by the caller (the deep scan's `--max-file-size`).
            ReadKind::PackageFile => u64::MAX,
            // Directives a build script printed: a few KiB in practice.
            ReadKind::BuildOutput => 16 * MIB,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

impl Limits {
    /// The environment variable that sets each kind's bound.
    pub const VARS: [(ReadKind, &'static str); 7] = [
        (ReadKind::BuildScript, "ENTITYCHECK_MAX_BUILD_SCRIPT_SIZE"),
        (ReadKind::Config, "ENTITYCHECK_MAX_CONFIG_SIZE"),
        (ReadKind::Manifest, "ENTITYCHECK_MAX_MANIFEST_SIZE"),
        (ReadKind::EntityList, "ENTITYCHECK_MAX_ENTITY_LIST_SIZE"),
        (ReadKind::Cache, "ENTITYCHECK_MAX_CACHE_SIZE"),
        (ReadKind::Metadata, "ENTITYCHECK_MAX_METADATA_SIZE"),
        (ReadKind::Certificate, "ENTITYCHECK_MAX_CERTIFICATE_SIZE"),
    ];

    fn bound_mut(&mut self, kind: ReadKind) -> Option<&mut u64> {
        match kind {
            ReadKind::BuildScript => Some(&mut self.build_script),
            ReadKind::Config => Some(&mut self.config),
            ReadKind::Manifest => Some(&mut self.manifest),
            ReadKind::EntityList => Some(&mut self.entity_list),
            ReadKind::Cache => Some(&mut self.cache),
            ReadKind::Metadata => Some(&mut self.metadata),
            ReadKind::Certificate => Some(&mut self.certificate),
            ReadKind::PackageFile | ReadKind::BuildOutput => None,
        }
    }

    /// The defaults, with the bounds the environment sets (`ENTITYCHECK_MAX_<KIND>_SIZE`, in
    /// bytes or as `64 MiB`). From the environment, not the configuration: the bounds protect
    /// the run from the project, whose configuration must not be able to lift them.
    pub fn from_env() -> Result<Limits, String> {
        let mut l = Limits::DEFAULT;
        for (kind, var) in Limits::VARS {
            if let Some(v) = std::env::var_os(var)
                && let Some(bound) = l.bound_mut(kind)
            {
                let v = v.to_string_lossy();
                *bound = parse_size(&v).ok_or_else(|| {
                    format!("{var}=`{v}` is not a size (bytes, or e.g. \"64 MiB\")")
                })?;
            }
        }
        Ok(l)
    }
}

/// A size as people write it → bytes: `512`, `64 KiB`, `64 MiB`, `10MB`, `1.5 GiB` (binary and
/// decimal units, any case). The one parser of sizes: configuration, environment variables and
/// budgets all read sizes through it.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let v = n * mult;
    (v.is_finite() && v >= 0.0 && v < u64::MAX as f64).then_some(v as u64)
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed.
    Io(io::Error),
    /// A FIFO, device, socket or directory: never opened (a FIFO blocks, a device never ends).
    NotRegular(&'static str),
    /// A symbolic link, not followed (it may lead anywhere on the machine).
    Link,
    /// The file, or a directory on the way to it from the directory it must stay below, is a
    /// symbolic link (swapped in since the walk listed it): not followed.
    LinkOnTheWay,
    /// The path leads outside the directory it must stay in.
    Outside,
    /// Larger than the kind's bound.
    TooLarge { kind: ReadKind, bound: u64 },
    /// Not UTF-8 text.
    NotUtf8,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            ReadError::Link => write!(f, "it is a symbolic link (not followed)"),
            ReadError::LinkOnTheWay => write!(
                f,
                "it, or a directory on its way from the package root, is a symbolic link (not followed)"
            ),
            ReadError::Outside => write!(f, "it lies outside the package"),
            ReadError::TooLarge { kind, bound } => write!(
                f,
                "it is larger than the {} limit for {} {} ({bound} bytes)",
                human_size(*bound),
                if kind.name().starts_with(['a', 'e']) {
                    "an"
                } else {
                    "a"
                },
                kind.name()
            ),
            ReadError::NotUtf8 => write!(f, "it is not UTF-8 text"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} byte")
    }
}

/// Reads a file the project supplies (or the tool found): a regular file only, no symbolic
/// link followed, at most the kind's bound in `limits`.
pub fn read_bounded(
    path: impl AsRef<Path>,
    kind: ReadKind,
    limits: &Limits,
) -> Result<Vec<u8>, ReadError> {
    read_with(path.as_ref(), kind, limits.bound(kind), false)
}

/// Reads a file within an explicit `bound` (a regular file, no link followed): for readers
/// with a limit of their own, such as the deep scan's file-size limit.
pub fn read_regular(
    path: impl AsRef<Path>,
    kind: ReadKind,
    bound: u64,
) -> Result<Vec<u8>, ReadError> {
    read_with(path.as_ref(), kind, bound, false)
}

/// Reads a file the user named on the command line: as [`read_bounded`], but a symbolic link
/// is followed (the user chose it).
pub fn read_named(
    path: impl AsRef<Path>,
    kind: ReadKind,
    limits: &Limits,
) -> Result<Vec<u8>, ReadError> {
    read_with(path.as_ref(), kind, limits.bound(kind), true)
}

/// [`read_bounded`] (or [`read_named`] when `named`), as UTF-8 text.
pub fn read_text(
    path: impl AsRef<Path>,
    kind: ReadKind,
    named: bool,
    limits: &Limits,
) -> Result<String, ReadError> {
    let bytes = read_with(path.as_ref(), kind, limits.bound(kind), named)?;
    String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)
}

/// A path the user named on the command line, for the readers that follow no link: the link's
/// target when the path itself is a symbolic link (the user chose it), else the path unchanged.
pub fn resolve_named(path: &camino::Utf8Path) -> camino::Utf8PathBuf {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && let Ok(real) = path.canonicalize_utf8() {
        return real;
    }
    path.to_path_buf()
}

/// Reads `path`, which must lie inside `root` (lexically, `..` resolved) with no symbolic link
/// on the way from `root` to it: a package's build script, which the manifest may point
/// anywhere (`build = "/dev/zero"`, `build = "../../secret"`) or reach through a link.
pub fn read_within(
    root: &Path,
    path: &Path,
    kind: ReadKind,
    limits: &Limits,
) -> Result<Vec<u8>, ReadError> {
    let rel = path.strip_prefix(root).map_err(|_| ReadError::Outside)?;
    let mut here = root.to_path_buf();
    let mut depth = 0usize;
    let mut parts = rel.components().peekable();
    while let Some(c) = parts.next() {
        match c {
            Component::Normal(name) => {
                here.push(name);
                depth += 1;
                // Every directory on the way: a link there would lead the rest of the path out.
                if parts.peek().is_some() && fs::symlink_metadata(&here)?.file_type().is_symlink() {
                    return Err(ReadError::Link);
                }
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return Err(ReadError::Outside);
                }
                here.pop();
                depth -= 1;
            }
            Component::RootDir | Component::Prefix(_) => return Err(ReadError::Outside),
        }
    }
    if depth == 0 {
        return Err(ReadError::NotRegular("a directory"));
    }
    read_with(&here, kind, limits.bound(kind), false)
}

/// What a file type is called in messages, or `None` for a regular file.
fn not_regular(ft: fs::FileType) -> Option<&'static str> {
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a FIFO");
        }
        if ft.is_char_device() {
            return Some("a character device");
        }
        if ft.is_block_device() {
            return Some("a block device");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

fn read_with(path: &Path, kind: ReadKind, bound: u64, follow: bool) -> Result<Vec<u8>, ReadError> {
    // Looked at before opening, so that a device is not even opened (opening some has effects).
    let before = if follow {
        fs::metadata(path)?
    } else {
        fs::symlink_metadata(path)?
    };
    if before.file_type().is_symlink() {
        return Err(ReadError::Link);
    }
    if let Some(what) = not_regular(before.file_type()) {
        return Err(ReadError::NotRegular(what));
    }
    if before.len() > bound {
        return Err(ReadError::TooLarge { kind, bound });
    }
    let (file, meta) = open_regular(path, follow)?;
    read_handle(file, &meta, kind, bound)
}

/// Reads a file the caller has just listed as a regular file (the deep scan's walk): no second
/// look before opening, since [`open_regular`] checks what it opened, which is what counts
/// should the path have been swapped since the listing.
pub fn read_listed(path: &Path, kind: ReadKind, bound: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path, false)?;
    read_handle(file, &meta, kind, bound)
}

/// Opens `path` for reading, the one way every reader opens a file: without waiting
/// (`O_NONBLOCK`: a FIFO swapped in does not block the open), without following a symbolic
/// link at the path's end unless `follow` (`O_NOFOLLOW`), and then checks the *handle*
/// (`fstat`) is a regular file. Whatever the path names by the time it is read, only this
/// handle is read from.
pub fn open_regular(path: &Path, follow: bool) -> Result<(File, fs::Metadata), ReadError> {
    let file = open_read(path, follow).map_err(|e| {
        if !follow && is_link_refusal(&e) {
            ReadError::Link
        } else {
            ReadError::Io(e)
        }
    })?;
    let meta = file.metadata()?;
    if let Some(what) = not_regular(meta.file_type()) {
        return Err(ReadError::NotRegular(what));
    }
    Ok((file, meta))
}

/// Reads at most `bound` bytes from a file [`open_regular`] opened (`meta`: its `fstat`):
/// more is an error, whatever the file claimed its size was when it was opened.
pub fn read_handle(
    file: File,
    meta: &fs::Metadata,
    kind: ReadKind,
    bound: u64,
) -> Result<Vec<u8>, ReadError> {
    // Read once: exactly the file's size (and the byte that says it grew), not rounded up.
    let mut buf = Vec::with_capacity(
        usize::try_from(meta.len().min(bound))
            .unwrap_or(0)
            .saturating_add(1),
    );
    read_handle_into(file, meta, kind, bound, &mut buf)?;
    Ok(buf)
}

/// The order a walk lists a directory's entries in: by name, byte by byte, as walkdir's
/// `sort_by_file_name` orders them. Entries of one directory share their parent's path, so
/// their whole paths compare as their names do, without finding each name in its path (which
/// walkdir's own comparison does on every comparison: 1.4% of a cold check of yara-x).
pub fn by_name(a: &walkdir::DirEntry, b: &walkdir::DirEntry) -> std::cmp::Ordering {
    a.path().as_os_str().cmp(b.path().as_os_str())
}

/// What a buffer reused from file to file may keep between uses: [`make_room`] rounds up to it.
pub const REUSED_BUFFER_KEEP: usize = 16 << 20;

/// Empties `buf` and makes room for `len` bytes without copying what it held. A buffer reused
/// from file to file grows in powers of two (from 64 KiB) up to [`REUSED_BUFFER_KEEP`], so it
/// is reallocated a handful of times in a run instead of once for every larger file, and each
/// time the old block is freed before the new one is taken: the allocator hands the same
/// memory back instead of the kernel zeroing fresh pages. Beyond that size, exactly `len`.
pub fn make_room(buf: &mut Vec<u8>, len: usize) {
    buf.clear();
    if buf.capacity() >= len {
        return;
    }
    let want = if len <= REUSED_BUFFER_KEEP {
        len.next_power_of_two().clamp(64 << 10, REUSED_BUFFER_KEEP)
    } else {
        len
    };
    *buf = Vec::new();
    buf.reserve_exact(want);
}

/// [`read_handle`] into `buf` (cleared first), so that a caller reading file after file reuses
/// one buffer's memory instead of faulting in fresh pages for each.
pub fn read_handle_into(
    file: File,
    meta: &fs::Metadata,
    kind: ReadKind,
    bound: u64,
    buf: &mut Vec<u8>,
) -> Result<(), ReadError> {
    buf.clear();
    if meta.len() > bound {
        return Err(ReadError::TooLarge { kind, bound });
    }
    // The file's size and the byte that says it grew.
    make_room(
        buf,
        usize::try_from(meta.len()).unwrap_or(0).saturating_add(1),
    );
    // A file may grow while it is read: one byte past the bound says so, without holding more.
    read_to_end_sized(file, meta.len(), bound, buf)?;
    if buf.len() as u64 > bound {
        buf.clear();
        return Err(ReadError::TooLarge { kind, bound });
    }
    Ok(())
}

/// Reads the regular file `file`, `expected` bytes long by its handle, to its end into `buf`,
/// which has room for them and one more; at most `bound` + 1 bytes in all.
///
/// A regular file reads short only at its end: once it has given the size its handle stated, a
/// read that did not fill the buffer was the last, and the read that would return nothing is
/// saved (one system call of the three a file costs, on tens of thousands of files). A file
/// that grew fills the buffer and is read on; one that shrank, or a short read before the
/// stated size, reads on until a read returns nothing, as `read_to_end` does.
#[cfg(target_os = "linux")]
fn read_to_end_sized(file: File, expected: u64, bound: u64, buf: &mut Vec<u8>) -> io::Result<()> {
    use rustix::buffer::spare_capacity;
    let limit = usize::try_from(bound.saturating_add(1)).unwrap_or(usize::MAX);
    while buf.len() < limit {
        if buf.len() == buf.capacity() {
            buf.reserve_exact(buf.len().max(8 << 10).min(limit - buf.len()));
        }
        match rustix::io::read(&file, spare_capacity(buf)) {
            Ok(0) => break,
            Ok(_) if buf.len() as u64 == expected && buf.len() < buf.capacity() => break,
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // Never more than the limit, whatever the buffer had room for.
    buf.truncate(limit);
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn read_to_end_sized(file: File, _expected: u64, bound: u64, buf: &mut Vec<u8>) -> io::Result<()> {
    use std::io::Read;
    file.take(bound.saturating_add(1))
        .read_to_end(buf)
        .map(drop)
}

#[cfg(unix)]
fn open_read(path: &Path, follow: bool) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: should a FIFO be swapped in after the check, opening it does not wait for a
    // writer (and the type check after opening refuses it). O_NOFOLLOW: nor a link.
    let mut flags = libc::O_NONBLOCK;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    OpenOptions::new().read(true).custom_flags(flags).open(path)
}

#[cfg(not(unix))]
fn open_read(path: &Path, _follow: bool) -> io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn is_link_refusal(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_link_refusal(_e: &io::Error) -> bool {
    false
}

#[cfg(test)]
mod tests;
