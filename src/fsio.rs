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
use std::io::{self, Read, Write};
use std::path::{Component, Path};

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

/// A directory below which files are opened without a race: a package root, opened once (one
/// `open` per package, not per file), then each of its files opened *relative to that handle*.
///
/// [`open_regular`] refuses a link at the last component of a path only: a directory of the
/// package swapped for a link between the walk that listed a file and the open would still lead
/// the read out of the package. On Linux (5.6 and later) each file is opened with `openat2`
/// and `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS`: the kernel resolves the
/// whole relative path below the root's handle, refusing any link (a swapped directory
/// included), `..` out of it and `/proc` magic links, in the same call that opens the file,
/// without blocking and never following a link at its end either. Where `openat2` is missing
/// (an older kernel, a sandbox that refuses the call, another system) it falls back to
/// [`open_regular`] on the joined path, which still refuses a FIFO, a device or a link at the end.
pub struct Beneath {
    root: std::path::PathBuf,
    #[cfg(target_os = "linux")]
    dir: Option<std::os::fd::OwnedFd>,
}

impl Beneath {
    /// Opens `root` (a directory the caller chose, followed if it is a link) for the opens below
    /// it. A root that cannot be opened is not an error here: each open then takes the fallback
    /// and reports its own failure.
    pub fn open(root: &Path) -> Beneath {
        Beneath {
            root: root.to_path_buf(),
            #[cfg(target_os = "linux")]
            dir: beneath::open_root(root),
        }
    }

    /// Whether files are opened race-free (`openat2` below the root's handle) on this machine.
    pub fn race_free(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.dir.is_some() && beneath::available()
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// Opens `rel` (relative to the root, no `..`) for reading as [`open_regular`] does, and,
    /// where the system allows, without following a link anywhere on the way (see the type).
    pub fn open_file(&self, rel: &Path) -> Result<(File, fs::Metadata), ReadError> {
        #[cfg(target_os = "linux")]
        if let Some(dir) = &self.dir
            && let Some(opened) = beneath::open_below(dir, rel)
        {
            let file = opened?;
            let meta = file.metadata()?;
            if let Some(what) = not_regular(meta.file_type()) {
                return Err(ReadError::NotRegular(what));
            }
            return Ok((file, meta));
        }
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(ReadError::Outside);
        }
        open_regular(&self.root.join(rel), false)
    }

    /// Reads `rel` within `bound` (see [`Beneath::open_file`] and [`read_handle`]).
    pub fn read(&self, rel: &Path, bound: u64) -> Result<Vec<u8>, ReadError> {
        let (file, meta) = self.open_file(rel)?;
        read_handle(file, &meta, ReadKind::PackageFile, bound)
    }
}

#[cfg(target_os = "linux")]
mod beneath {
    use std::fs::File;
    use std::os::fd::OwnedFd;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

    use rustix::fs::{Mode, OFlags, ResolveFlags};
    use rustix::io::Errno;

    use super::ReadError;

    /// Cleared once the kernel says it has no `openat2` (ENOSYS): every later open falls back
    /// at once instead of asking again.
    static AVAILABLE: AtomicBool = AtomicBool::new(true);

    pub(super) fn available() -> bool {
        AVAILABLE.load(Relaxed)
    }

    pub(super) fn open_root(root: &Path) -> Option<OwnedFd> {
        rustix::fs::open(
            root,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .ok()
    }

    /// `rel` opened below `dir` with `openat2`; `None` where `openat2` cannot be used (the
    /// caller falls back).
    pub(super) fn open_below(dir: &OwnedFd, rel: &Path) -> Option<Result<File, ReadError>> {
        if !available() {
            return None;
        }
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let resolve =
            ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        // EAGAIN: a rename elsewhere raced with the lookup, which the kernel then refuses to
        // trust; asked again a few times.
        let mut tries = 0;
        let opened = loop {
            match rustix::fs::openat2(dir, rel, flags, Mode::empty(), resolve) {
                Err(Errno::AGAIN) if tries < 3 => tries += 1,
                other => break other,
            }
        };
        match opened {
            Ok(fd) => Some(Ok(File::from(fd))),
            Err(Errno::NOSYS) => {
                AVAILABLE.store(false, Relaxed);
                None
            }
            // A seccomp filter that does not know the call (older container runtimes) answers
            // EPERM: this open falls back, and the next one asks again.
            Err(Errno::PERM) => None,
            Err(Errno::LOOP) => Some(Err(ReadError::LinkOnTheWay)),
            Err(Errno::XDEV) => Some(Err(ReadError::Outside)),
            Err(e) => Some(Err(ReadError::Io(e.into()))),
        }
    }
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
    file.take(bound.saturating_add(1)).read_to_end(buf)?;
    if buf.len() as u64 > bound {
        buf.clear();
        return Err(ReadError::TooLarge { kind, bound });
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("64 MiB"), Some(64 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("1 TB"), None);
        assert_eq!(parse_size("99999999999999999999 GiB"), None);
    }

    #[test]
    fn regular_file_within_its_bound_is_read() {
        let d = tmp();
        let p = d.path().join("a.toml");
        fs::write(&p, b"x = 1\n").unwrap();
        assert_eq!(
            read_bounded(&p, ReadKind::Config, &Limits::DEFAULT).unwrap(),
            b"x = 1\n"
        );
        assert_eq!(
            read_text(&p, ReadKind::Config, false, &Limits::DEFAULT).unwrap(),
            "x = 1\n"
        );
    }

    #[test]
    fn over_the_bound_is_refused_without_reading_it() {
        let d = tmp();
        let p = d.path().join("big");
        // Sparse: the size is what counts, not the blocks.
        let f = File::create(&p).unwrap();
        f.set_len(5 * MIB).unwrap();
        let e = read_bounded(&p, ReadKind::Config, &Limits::DEFAULT).unwrap_err();
        assert!(
            matches!(e, ReadError::TooLarge { bound, .. } if bound == 4 * MIB),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "it is larger than the 4 MiB limit for a configuration file (4194304 bytes)"
        );
        // Exactly at the bound is fine.
        fs::write(&p, b"12345").unwrap();
        assert_eq!(read_with(&p, ReadKind::Config, 5, false).unwrap(), b"12345");
        assert!(matches!(
            read_with(&p, ReadKind::Config, 4, false),
            Err(ReadError::TooLarge { bound: 4, .. })
        ));
    }

    #[test]
    fn not_utf8_text_is_an_error() {
        let d = tmp();
        let p = d.path().join("bin");
        fs::write(&p, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(
            read_text(&p, ReadKind::EntityList, false, &Limits::DEFAULT),
            Err(ReadError::NotUtf8)
        ));
    }

    #[test]
    fn directories_are_not_regular_files() {
        let d = tmp();
        let e = read_bounded(d.path(), ReadKind::Config, &Limits::DEFAULT).unwrap_err();
        assert_eq!(e.to_string(), "it is a directory, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_never_opened() {
        let e = read_bounded("/dev/zero", ReadKind::BuildScript, &Limits::DEFAULT).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is a character device, not a regular file"
        );
        let e = read_named("/dev/null", ReadKind::EntityList, &Limits::DEFAULT).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular("a character device")));
        let d = tmp();
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Would block forever if opened; returns at once.
        let e = read_named(&fifo, ReadKind::EntityList, &Limits::DEFAULT).unwrap_err();
        assert_eq!(e.to_string(), "it is a FIFO, not a regular file");
        // The open itself does not block either (O_NONBLOCK), and what it opened is refused.
        let f = open_read(&fifo, false).unwrap();
        assert!(not_regular(f.metadata().unwrap().file_type()).is_some());
        assert!(matches!(
            read_listed(&fifo, ReadKind::PackageFile, 10),
            Err(ReadError::NotRegular("a FIFO"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_when_named() {
        let d = tmp();
        let target = d.path().join("real.toml");
        fs::write(&target, b"a = 1").unwrap();
        let link = d.path().join("link.toml");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(
            read_bounded(&link, ReadKind::Config, &Limits::DEFAULT),
            Err(ReadError::Link)
        ));
        assert_eq!(
            read_named(&link, ReadKind::Config, &Limits::DEFAULT).unwrap(),
            b"a = 1"
        );
        // A file listed, then swapped for a link before it is opened: the link is not followed.
        assert!(matches!(
            read_listed(&link, ReadKind::PackageFile, 100),
            Err(ReadError::Link)
        ));
        assert_eq!(
            read_listed(&target, ReadKind::PackageFile, 100).unwrap(),
            b"a = 1"
        );
        assert!(matches!(
            read_listed(&target, ReadKind::PackageFile, 4),
            Err(ReadError::TooLarge { bound: 4, .. })
        ));
        // Named, the link leads to a device: still refused.
        let dev = d.path().join("dev");
        std::os::unix::fs::symlink("/dev/zero", &dev).unwrap();
        assert!(matches!(
            read_named(&dev, ReadKind::Config, &Limits::DEFAULT),
            Err(ReadError::NotRegular(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn within_refuses_escapes_and_links_on_the_way() {
        let d = tmp();
        let root = d.path().join("pkg");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/build.rs"), b"fn main() {}").unwrap();
        fs::write(d.path().join("secret"), b"s").unwrap();
        assert_eq!(
            read_within(
                &root,
                &root.join("sub/../sub/build.rs"),
                ReadKind::BuildScript,
                &Limits::DEFAULT
            )
            .unwrap(),
            b"fn main() {}"
        );
        for bad in [
            root.join("../secret"),
            root.join("sub/../../secret"),
            d.path().join("secret"),
            "/dev/zero".into(),
        ] {
            assert!(
                matches!(
                    read_within(&root, &bad, ReadKind::BuildScript, &Limits::DEFAULT),
                    Err(ReadError::Outside)
                ),
                "{}",
                bad.display()
            );
        }
        std::os::unix::fs::symlink(d.path(), root.join("up")).unwrap();
        assert!(matches!(
            read_within(
                &root,
                &root.join("up/secret"),
                ReadKind::BuildScript,
                &Limits::DEFAULT
            ),
            Err(ReadError::Link)
        ));
        std::os::unix::fs::symlink(d.path().join("secret"), root.join("build.rs")).unwrap();
        assert!(matches!(
            read_within(
                &root,
                &root.join("build.rs"),
                ReadKind::BuildScript,
                &Limits::DEFAULT
            ),
            Err(ReadError::Link)
        ));
    }

    /// Below a root opened once: files read; `..`, absolute paths, FIFOs and links refused; a
    /// directory swapped for a link after the root was opened not followed.
    #[cfg(unix)]
    #[test]
    fn beneath_follows_no_link_on_the_way() {
        let d = tmp();
        let root = d.path().join("pkg");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.txt"), b"inside").unwrap();
        fs::write(d.path().join("secret"), b"outside").unwrap();
        fs::create_dir_all(d.path().join("elsewhere")).unwrap();
        fs::write(d.path().join("elsewhere/a.txt"), b"outside").unwrap();
        let b = Beneath::open(&root);
        assert_eq!(b.read(Path::new("sub/a.txt"), 100).unwrap(), b"inside");
        assert!(matches!(
            b.read(Path::new("sub/a.txt"), 3),
            Err(ReadError::TooLarge { bound: 3, .. })
        ));
        for bad in ["../secret", "sub/../../secret"] {
            assert!(
                matches!(b.read(Path::new(bad), 100), Err(ReadError::Outside)),
                "{bad}"
            );
        }
        let fifo = root.join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            b.read(Path::new("pipe"), 100),
            Err(ReadError::NotRegular("a FIFO"))
        ));
        std::os::unix::fs::symlink(d.path().join("secret"), root.join("link")).unwrap();
        assert!(matches!(
            b.read(Path::new("link"), 100),
            Err(ReadError::Link | ReadError::LinkOnTheWay)
        ));
        // The directory swapped for a link to one outside.
        fs::rename(root.join("sub"), d.path().join("sub.old")).unwrap();
        std::os::unix::fs::symlink(d.path().join("elsewhere"), root.join("sub")).unwrap();
        let swapped = b.read(Path::new("sub/a.txt"), 100);
        if b.race_free() {
            assert!(
                matches!(swapped, Err(ReadError::LinkOnTheWay)),
                "{swapped:?}"
            );
            assert_eq!(
                swapped.unwrap_err().to_string(),
                "it, or a directory on its way from the package root, is a symbolic link (not followed)"
            );
        } else {
            // The fallback refuses a link at the end only.
            eprintln!("openat2 is not available here: the fallback followed {swapped:?}");
        }
    }

    #[test]
    fn write_output_replaces_regular_files_and_creates_new_ones() {
        let d = tmp();
        let p = d.path().join("report.json");
        write_output(&p, b"one").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        write_output(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        // No temporary file left behind.
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
        let e = write_output(&d.path().join("missing/dir/out"), b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn write_output_writes_through_links_and_devices() {
        let d = tmp();
        let target = d.path().join("target.txt");
        fs::write(&target, b"old").unwrap();
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_output(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new");
        // A device stays a device.
        write_output(Path::new("/dev/null"), b"gone").unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        if Path::new("/dev/full").exists() {
            let e = write_output(Path::new("/dev/full"), b"x").unwrap_err();
            assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
        }
    }
}
