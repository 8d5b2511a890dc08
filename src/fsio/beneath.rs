//! Opening a package's files below its root without a race: `openat2` relative to a handle on
//! the root where the kernel has it, the bounded path open elsewhere.

use std::fs::{self, File};
use std::path::{Component, Path};

use super::{ReadError, ReadKind, not_regular, open_regular, read_handle};

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
            dir: sys::open_root(root),
        }
    }

    /// Whether files are opened race-free (`openat2` below the root's handle) on this machine.
    pub fn race_free(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.dir.is_some() && sys::available()
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
            && let Some(opened) = sys::open_below(dir, rel)
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
mod sys {
    use std::fs::File;
    use std::os::fd::OwnedFd;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

    use rustix::fs::{Mode, OFlags, ResolveFlags};
    use rustix::io::Errno;

    use super::super::ReadError;

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
