//! Evidence stage, archives: the bytes of an archive or compressed stream shipped inside a
//! package (zip, tar, 7z, cab, compound files such as MSI installers; gzip, zlib, xz, lzma, lzip, bzip2, zstd) → its members' bytes,
//! walked in memory, recursively, within limits.
//!
//! Formats are recognised by their magic bytes, never by a name. The invariant, enforced here by
//! construction: every member of every archive is either handed to `visit` in full, or recorded
//! in [`ArchiveStats::skipped`] with a kind that counts as "not scanned" and a reason naming the
//! container, the member and the cause. Anything recognised as an archive that cannot be opened
//! (corrupt, encrypted, an unsupported method) is recorded the same way, never passed silently.
//!
//! Nothing is ever written to disk, so an entry named `../../etc/passwd` is harmless; it is
//! still scanned and noted. Declared sizes are never trusted: every member is decoded through a
//! `take(limit + 1)`, so a decompression bomb stops at the limit instead of exhausting memory.

use std::io::Read;

use serde::Serialize;

use super::budget::PackageBudget;
use super::scan::SkipKind;

mod formats;
pub mod installer;
mod pdf;
mod pdf_text;
mod png;
mod squashfs;

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
    /// What every archive walk of the run spends together (shared by the clones of these
    /// limits, so by every package of a run).
    #[serde(skip)]
    pub run: RunBudget,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: 5,
            max_total_bytes: 256 * 1024 * 1024,
            max_entries: 10_000,
            max_entry_bytes: 64 * 1024 * 1024,
            run: RunBudget::default(),
        }
    }
}

/// The decoding a whole run may do, across every archive of every package: the limits above
/// bound one archive, and a package of 2,000 small bzip2 bombs (each within them, each half a
/// second to decode) would otherwise cost many minutes. Once the run has decoded
/// [`RunBudget::DEFAULT_BYTES`] or spent [`RunBudget::DEFAULT_TIME`] in decoders (summed over
/// threads), every further archive member is listed as not scanned, with the reason.
#[derive(Clone)]
pub struct RunBudget(std::sync::Arc<RunSpent>);

struct RunSpent {
    bytes: std::sync::atomic::AtomicU64,
    nanos: std::sync::atomic::AtomicU64,
    max_bytes: u64,
    max_nanos: u64,
}

impl RunBudget {
    pub const DEFAULT_BYTES: u64 = 8 * 1024 * 1024 * 1024;
    pub const DEFAULT_TIME: std::time::Duration = std::time::Duration::from_secs(120);

    pub fn new(max_bytes: u64, max_time: std::time::Duration) -> RunBudget {
        RunBudget(std::sync::Arc::new(RunSpent {
            bytes: Default::default(),
            nanos: Default::default(),
            max_bytes,
            max_nanos: u64::try_from(max_time.as_nanos()).unwrap_or(u64::MAX),
        }))
    }

    /// Why nothing more may be decoded, once the budget is spent.
    fn spent(&self) -> Option<String> {
        use std::sync::atomic::Ordering::Relaxed;
        let s = &self.0;
        (s.bytes.load(Relaxed) >= s.max_bytes || s.nanos.load(Relaxed) >= s.max_nanos).then(|| {
            format!(
                "the run's decoding budget ({} bytes unpacked or {} s in decoders, over all archives) is spent: not decoded",
                s.max_bytes,
                s.max_nanos / 1_000_000_000
            )
        })
    }

    fn charge(&self, bytes: u64, time: std::time::Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        self.0.bytes.fetch_add(bytes, Relaxed);
        self.0
            .nanos
            .fetch_add(u64::try_from(time.as_nanos()).unwrap_or(u64::MAX), Relaxed);
    }
}

impl Default for RunBudget {
    fn default() -> Self {
        RunBudget::new(RunBudget::DEFAULT_BYTES, RunBudget::DEFAULT_TIME)
    }
}

/// The bounds only (what is spent is no setting: scan-cache keys digest this).
impl std::fmt::Debug for RunBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunBudget")
            .field("max_bytes", &self.0.max_bytes)
            .field("max_nanos", &self.0.max_nanos)
            .finish()
    }
}

impl PartialEq for RunBudget {
    fn eq(&self, other: &Self) -> bool {
        (self.0.max_bytes, self.0.max_nanos) == (other.0.max_bytes, other.0.max_nanos)
    }
}

impl Eq for RunBudget {}

/// Memory a decoder may reserve for its window or dictionary (xz, lzma, zstd, 7z): a header
/// declaring more is refused (and listed) rather than trusted.
const MAX_DECODER_MEMORY: u64 = 96 * 1024 * 1024;

/// An archive or compressed-stream format, recognised by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    Tar,
    SevenZ,
    Cab,
    /// A Compound File Binary (OLE structured storage): MSI, MSM and MSP installers, old Office
    /// documents. Its members are its streams (an MSI's embedded cabinets among them).
    Cfb,
    /// A SquashFS 4 image (a snap, an AppImage's payload, a root filesystem): its members are
    /// its regular files.
    Squashfs,
    /// A PDF document: its members are its deflated streams (page text, metadata, object
    /// streams, attachments). Found by [`appended`], since the document's own bytes are read
    /// as well.
    Pdf,
    /// A PNG image with text chunks: its members are those chunks (`Copyright: …`), deflated
    /// or not. Found by [`appended`], since the image's own bytes are read as well.
    Png,
    Gzip,
    Zlib,
    Xz,
    Lzma,
    Lzip,
    Bzip2,
    Zstd,
    /// Apple's pbzx: a macOS installer package's payload, in xz chunks.
    Pbzx,
}

impl Format {
    /// The name used in the binaries inventory and in reasons.
    pub fn name(self) -> &'static str {
        match self {
            Format::Zip => "zip",
            Format::Tar => "tar",
            Format::SevenZ => "7z",
            Format::Cab => "cab",
            Format::Cfb => "compound file",
            Format::Squashfs => "squashfs",
            Format::Pdf => "pdf",
            Format::Png => "png",
            Format::Gzip => "gzip",
            Format::Zlib => "zlib",
            Format::Xz => "xz",
            Format::Lzma => "lzma",
            Format::Lzip => "lzip",
            Format::Bzip2 => "bzip2",
            Format::Zstd => "zstd",
            Format::Pbzx => "pbzx",
        }
    }

    /// A single compressed stream (one member), as opposed to an archive of named members.
    fn is_stream(self) -> bool {
        !matches!(
            self,
            Format::Zip
                | Format::Tar
                | Format::SevenZ
                | Format::Cab
                | Format::Cfb
                | Format::Squashfs
                | Format::Pdf
                | Format::Png
        )
    }
}

/// Recognises an archive or compressed stream by the magic bytes at offset 0 (cost: a few byte
/// comparisons; the two formats without a real magic number, zlib and raw lzma, are confirmed
/// by decoding their first bytes, so ordinary files that merely begin alike are not taken).
pub fn sniff(b: &[u8]) -> Option<Format> {
    let f = match b {
        [b'P', b'K', 3, 4, ..]
        | [b'P', b'K', 5, 6, ..]
        | [b'P', b'K', 7, 8, b'P', b'K', 3, 4, ..] => Format::Zip,
        [0x1f, 0x8b, ..] => Format::Gzip,
        [b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c, ..] => Format::SevenZ,
        [b'M', b'S', b'C', b'F', 0, 0, 0, 0, ..] => Format::Cab,
        [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ..] => Format::Cfb,
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Format::Xz,
        [b'h', b's', b'q', b's', ..] if squashfs::is_squashfs(b) => Format::Squashfs,
        [b'L', b'Z', b'I', b'P', ..] => Format::Lzip,
        [b'B', b'Z', b'h', b'1'..=b'9', rest @ ..]
            if rest.starts_with(&[0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
                || rest.starts_with(&[0x17, 0x72, 0x45, 0x38, 0x50, 0x90]) =>
        {
            Format::Bzip2
        }
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Format::Zstd,
        [
            b'p',
            b'b',
            b'z',
            b'x',
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            ..,
        ] => Format::Pbzx,
        // Skippable zstd frames (0x184D2A50..5F) before the first real one.
        [0x50..=0x5f, 0x2a, 0x4d, 0x18, ..] => Format::Zstd,
        [cmf, flg, ..] if formats::zlib_header(*cmf, *flg) && formats::zlib_decodes(b) => {
            Format::Zlib
        }
        [0..=224, _, _, _, _, _, _, _, _, _, _, _, _, ..] if formats::lzma_alone(b) => Format::Lzma,
        _ if is_tar(b) => Format::Tar,
        _ => return None,
    };
    Some(f)
}

/// A tar header: the POSIX/GNU `ustar` magic, or (old V7 archives) a valid header checksum.
fn is_tar(b: &[u8]) -> bool {
    if b.get(257..262) == Some(b"ustar") {
        return true;
    }
    let Some(h) = b.get(..512) else { return false };
    // The checksum field is octal digits ended by NUL or space: most files fail here at once.
    let field = &h[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|c| *c == b' ')
        .take_while(u8::is_ascii_digit)
        .collect();
    if digits.is_empty() || digits.iter().any(|d| *d > b'7') || h[0] == 0 {
        return false;
    }
    let declared = digits.iter().fold(0u32, |a, d| {
        a.saturating_mul(8).saturating_add(u32::from(d - b'0'))
    });
    let sum: u32 = h
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(*c)
            }
        })
        .sum();
    declared == sum
}

/// Whether a zip archive sits at the end of bytes that do not begin with one: a self-extracting
/// executable, or any file with a zip appended. Only the tail is read (the end-of-central-
/// directory record lies within the last 64 KiB + 22 bytes), and the record must account exactly
/// for the bytes after it, so a stray signature is not taken for an archive.
pub fn embedded_zip(b: &[u8]) -> bool {
    if b.len() < 22 || b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        return false;
    }
    let tail_start = b.len().saturating_sub(22 + 0xffff);
    let tail = &b[tail_start..];
    // Searched forwards (the vectorised direction; which record comes first does not matter),
    // with a searcher built once.
    static EOCD: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"PK\x05\x06"));
    EOCD.find_iter(tail).any(|i| {
        let at = tail_start + i;
        let le16 = |o: usize| {
            b.get(at + o..at + o + 2)
                .map(|s| u16::from_le_bytes([s[0], s[1]]))
        };
        let le32 = |o: usize| {
            b.get(at + o..at + o + 4)
                .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        };
        let (Some(comment), Some(cd_size), Some(cd_offset)) = (le16(20), le32(12), le32(16)) else {
            return false;
        };
        // Zip64 archives say 0xFFFFFFFF here; the zip reader finds their real record.
        at + 22 + usize::from(comment) == b.len()
            && (cd_offset == u32::MAX || u64::from(cd_size) <= at as u64)
    })
}

/// An archive appended to a file that does not begin with one, and where it starts: a zip at
/// its end (a self-extracting executable, see [`embedded_zip`]; its reader finds it from the
/// end), a PDF's deflated streams (the document is read as itself too), a PNG's text chunks
/// (so is the image), or a SquashFS image
/// right after an ELF executable's image (an AppImage: its runtime finds its payload where the
/// section header table ends, or where the last segment does).
pub fn appended(b: &[u8]) -> Option<(usize, Format)> {
    if embedded_zip(b) {
        return Some((0, Format::Zip));
    }
    if pdf::is_pdf(b) {
        return Some((0, Format::Pdf));
    }
    if png::has_text(b) {
        return Some((0, Format::Png));
    }
    elf_ends(b)?
        .into_iter()
        .find(|&at| b.get(at..).is_some_and(squashfs::is_squashfs))
        .map(|at| (at, Format::Squashfs))
}

/// Where an ELF file's image may end: past its section header table, and past its last
/// segment's bytes (a file whose section headers were stripped).
fn elf_ends(b: &[u8]) -> Option<[usize; 2]> {
    use object::read::elf::{FileHeader, ProgramHeader};
    fn ends<H: FileHeader<Endian = object::Endianness>>(b: &[u8]) -> Option<[usize; 2]> {
        let h = H::parse(b).ok()?;
        let e = h.endian().ok()?;
        let shoff: u64 = h.e_shoff(e).into();
        let sections =
            shoff.checked_add(u64::from(h.e_shnum(e)).checked_mul(u64::from(h.e_shentsize(e)))?)?;
        let segments = h
            .program_headers(e, b)
            .ok()?
            .iter()
            .filter_map(|p| {
                let (at, size): (u64, u64) = (p.p_offset(e).into(), p.p_filesz(e).into());
                at.checked_add(size)
            })
            .max()
            .unwrap_or(0);
        Some([
            usize::try_from(sections).ok()?,
            usize::try_from(segments).ok()?,
        ])
    }
    match b.get(..5)? {
        [0x7f, b'E', b'L', b'F', 1] => ends::<object::elf::FileHeader32<object::Endianness>>(b),
        [0x7f, b'E', b'L', b'F', 2] => ends::<object::elf::FileHeader64<object::Endianness>>(b),
        _ => None,
    }
}

/// One regular file inside an archive.
pub struct ArchiveEntry<'a> {
    /// `outer.tar.gz!inner.zip!include/x.h`.
    pub path: String,
    pub bytes: &'a [u8],
}

/// A member (or a whole archive) not handed to the scanner, or a note about one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveSkip {
    /// The member's path (`outer.zip!inner.tar!x`), or the container's when it cannot be opened.
    pub path: String,
    pub kind: SkipKind,
    pub reason: String,
}

/// What a walk saw.
#[derive(Debug, Default)]
pub struct ArchiveStats {
    pub entries: u64,
    pub bytes: u64,
    /// Members not read (a limit, a link, an encrypted or undecodable member, a corrupt
    /// container), and notes on path-traversal names (those are still scanned).
    pub skipped: Vec<ArchiveSkip>,
    /// The headers of the Windows Installer files met (the outermost, or one nested).
    pub installers: Vec<installer::Installer>,
    /// The signers of the zips with an APK Signing Block met (each zip's path, and its
    /// certificates' subjects or why they could not be read).
    pub apk_signers: Vec<(String, crate::evidence::apk::Subjects)>,
    /// The members that are archives themselves (opened, or left at the depth limit): they are
    /// not visited as files, but their names are evidence as any member's.
    pub nested: Vec<String>,
    /// In a walk of stored members only ([`walk_stored`]): the members left compressed, named
    /// (their names are evidence as any member's) but not decoded.
    pub listed: Vec<String>,
    /// In such a walk: how many members or containers were left compressed.
    pub packed: u64,
}

struct Walk<'l, 'v> {
    limits: &'l ArchiveLimits,
    /// What the package the archive belongs to may still spend.
    budget: &'l PackageBudget,
    stats: ArchiveStats,
    visit: &'v mut dyn FnMut(ArchiveEntry<'_>),
    /// Set once the entry or total-bytes limit is reached: nothing more is read.
    stopped: bool,
    /// The buffer members are decoded into, reused from member to member (a member holding an
    /// archive takes it while its own members are walked; they then decode into a new one).
    scratch: Vec<u8>,
    /// Read only what is stored as it is (see [`walk_stored`]).
    stored_only: bool,
}

/// Walks an archive or compressed stream of the given format, calling `visit` with every
/// regular file (nested archives expanded). A container that cannot be opened is recorded in the
/// returned stats under `name`. Members and decoding are charged to `budget`, the package's: once
/// it is spent, the rest is recorded as not read (and a spent budget opens nothing).
pub fn walk_archive(
    name: &str,
    bytes: &[u8],
    format: Format,
    limits: &ArchiveLimits,
    budget: &PackageBudget,
    visit: &mut dyn FnMut(ArchiveEntry<'_>),
) -> ArchiveStats {
    walk(name, bytes, format, limits, budget, visit, false)
}

/// [`walk_archive`] without decoding anything: a zip's stored members and an uncompressed
/// container's (tar, compound file) are visited as they lie in its bytes; a compressed member
/// is only named ([`ArchiveStats::listed`]), and a compressed container (a gzip stream, 7-Zip,
/// a cabinet…) is not opened. Each one left so is counted in [`ArchiveStats::packed`]. What a
/// package keeps as test data is walked so (see `deep::is_test_data`): its names and stored
/// bytes cost nothing to read, its decoding a sixth of a check of such a workspace.
pub fn walk_stored(
    name: &str,
    bytes: &[u8],
    format: Format,
    limits: &ArchiveLimits,
    budget: &PackageBudget,
    visit: &mut dyn FnMut(ArchiveEntry<'_>),
) -> ArchiveStats {
    walk(name, bytes, format, limits, budget, visit, true)
}

fn walk(
    name: &str,
    bytes: &[u8],
    format: Format,
    limits: &ArchiveLimits,
    budget: &PackageBudget,
    visit: &mut dyn FnMut(ArchiveEntry<'_>),
    stored_only: bool,
) -> ArchiveStats {
    if let Err(why) = budget.walk_left() {
        return ArchiveStats {
            skipped: vec![ArchiveSkip {
                path: name.to_string(),
                kind: SkipKind::Limit,
                reason: format!("{why}; this {} was not opened", format.name()),
            }],
            ..Default::default()
        };
    }
    let mut visited = 0u64;
    let mut counting = |e: ArchiveEntry<'_>| {
        visited += 1;
        visit(e)
    };
    let mut w = Walk {
        limits,
        budget,
        stats: ArchiveStats::default(),
        visit: &mut counting,
        stopped: false,
        scratch: Vec::new(),
        stored_only,
    };
    w.open(name, bytes, format, 1);
    let mut stats = w.stats;
    // Recognised as an archive, yet it yielded no member and nothing was listed: a damaged
    // directory can say "empty" (or list only directories) of an archive that holds data. Only
    // a container of a few bytes (an empty zip is 22) is taken at its word.
    if visited == 0
        && stats.packed == 0
        && format != Format::Pdf
        && format != Format::Png
        && !stats
            .skipped
            .iter()
            .any(|s| !matches!(s.kind, SkipKind::Note | SkipKind::Truncated))
        && bytes.len() > EMPTY_ARCHIVE_BYTES
    {
        stats.skipped.push(ArchiveSkip {
            path: name.to_string(),
            kind: SkipKind::Malformed,
            reason: format!(
                "{name}: read as {} but no member could be found in its {} bytes: damaged, not scanned",
                format.name(),
                bytes.len()
            ),
        });
    }
    stats
}

/// The most bytes an archive that holds no member may have without being listed.
const EMPTY_ARCHIVE_BYTES: usize = 64;

/// Why a container could not be walked (to the end).
struct Fail {
    kind: SkipKind,
    detail: String,
}

impl Fail {
    fn malformed(detail: impl std::fmt::Display) -> Fail {
        Fail {
            kind: SkipKind::Malformed,
            detail: detail.to_string(),
        }
    }
    fn unreadable(detail: impl std::fmt::Display) -> Fail {
        Fail {
            kind: SkipKind::Unreadable,
            detail: detail.to_string(),
        }
    }
}

impl Walk<'_, '_> {
    /// Opens one container; a failure is recorded against it (members already visited stay
    /// visited, and the reason says the rest was not read).
    fn open(&mut self, name: &str, bytes: &[u8], format: Format, depth: u32) {
        if self.stored_only && !matches!(format, Format::Zip | Format::Tar | Format::Cfb) {
            // Every other container is compressed, or compresses its members.
            self.stats.packed += 1;
            return;
        }
        let before = self.stats.entries;
        // The decoders are other crates meeting hostile input, and not all are panic-free
        // (cab's folder reader indexes out of range on a damaged cabinet, found by the
        // damaged-archives property test): a panic makes the container malformed, never a crash.
        let result = super::binary::quietly(|| match format {
            Format::Zip => self.zip(name, bytes, depth),
            Format::Tar => self.tar(name, bytes, depth),
            Format::SevenZ => self.sevenz(name, bytes, depth),
            Format::Cab => self.cab(name, bytes, depth),
            Format::Cfb => self.cfb(name, bytes, depth),
            Format::Squashfs => self.squashfs(name, bytes, depth),
            Format::Pdf => self.pdf(name, bytes, depth),
            Format::Png => self.png(name, bytes, depth),
            _ => self.stream(name, bytes, format, depth),
        })
        .unwrap_or_else(|| Err(Fail::malformed("its decoder failed on this input")));
        if let Err(f) = result {
            let read = self.stats.entries - before;
            let what = if format.is_stream() {
                "compressed stream"
            } else {
                "archive"
            };
            let rest = if read > 0 && !format.is_stream() {
                format!(" (after {read} members; the rest was not read)")
            } else {
                String::new()
            };
            self.skip(
                name,
                f.kind,
                format!(
                    "{} {what} could not be read{rest}: {}",
                    format.name(),
                    f.detail
                ),
            );
        }
    }

    fn skip(&mut self, path: &str, kind: SkipKind, reason: String) {
        self.stats.skipped.push(ArchiveSkip {
            path: path.to_string(),
            kind,
            reason,
        });
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
                    "archive entry limit ({}) reached; this and the remaining members were not read",
                    self.limits.max_entries
                ),
            );
            return false;
        }
        if let Err(why) = self.budget.take_member() {
            self.stop(
                path,
                format!("{why}; this and the remaining members were not read"),
            );
            return false;
        }
        self.stats.entries += 1;
        true
    }

    fn stop(&mut self, path: &str, reason: String) {
        self.stopped = true;
        self.skip(path, SkipKind::Limit, reason);
    }

    /// Decodes one member within the per-entry and total limits; `None` (recorded) if it is
    /// over them or cannot be decoded. Never holds more than the limit plus one byte.
    /// Takes back a buffer [`Walk::read`] returned, once its bytes are walked, for the next
    /// member to decode into (unless it grew past what a reused buffer may keep).
    fn recycle(&mut self, data: Vec<u8>) {
        if data.capacity() <= crate::fsio::REUSED_BUFFER_KEEP {
            self.scratch = data;
        }
    }

    /// How many bytes one member may still unpack to: the smallest of the archive's per-member
    /// and total limits and the package's budget (0 once any is spent).
    fn unpack_cap(&self) -> u64 {
        if self.limits.run.spent().is_some() {
            return 0;
        }
        let package_left = self.budget.unpacked_left().unwrap_or(0);
        let left = self.limits.max_total_bytes.saturating_sub(self.stats.bytes);
        self.limits.max_entry_bytes.min(left).min(package_left)
    }

    /// Bytes unpacked and time spent decoding, charged to the run's and the package's budgets.
    fn charge(&self, bytes: u64, took: std::time::Duration) {
        self.limits.run.charge(bytes, took);
        self.budget.charge_decoding(bytes, took);
    }

    fn read(&mut self, path: &str, what: &str, reader: impl Read) -> Option<Vec<u8>> {
        if let Some(why) = self.limits.run.spent() {
            self.stop(path, why);
            return None;
        }
        let package_left = match self.budget.unpacked_left() {
            Ok(left) => left,
            Err(why) => {
                self.stop(
                    path,
                    format!("{why}; this and the remaining members were not read"),
                );
                return None;
            }
        };
        let left = self.limits.max_total_bytes.saturating_sub(self.stats.bytes);
        let archive_cap = self.limits.max_entry_bytes.min(left);
        let cap = archive_cap.min(package_left);
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let started = std::time::Instant::now();
        let read = reader.take(cap + 1).read_to_end(&mut buf);
        let took = started.elapsed();
        // At most `cap` is charged: the byte past it only says the member is larger.
        let decoded = (buf.len() as u64).min(cap);
        self.charge(decoded, took);
        if let Err(e) = read {
            let kind = if e.kind() == std::io::ErrorKind::Unsupported {
                SkipKind::Unreadable
            } else {
                SkipKind::Malformed
            };
            self.skip(path, kind, format!("{what} could not be decoded: {e}"));
            return None;
        }
        if buf.len() as u64 > cap {
            if cap < archive_cap {
                let why = self.budget.unpacked_refusal();
                self.stop(
                    path,
                    format!("{why}; this and the remaining members were not read"),
                );
            } else if cap < self.limits.max_entry_bytes {
                self.stop(
                    path,
                    format!(
                        "archive unpacked-size limit ({} bytes) reached; this and the remaining members were not read",
                        self.limits.max_total_bytes
                    ),
                );
            } else {
                self.skip(
                    path,
                    SkipKind::Limit,
                    format!(
                        "{what} larger than {} bytes unpacked: not read",
                        self.limits.max_entry_bytes
                    ),
                );
            }
            self.stats.bytes += cap;
            return None;
        }
        self.stats.bytes += buf.len() as u64;
        Some(buf)
    }

    /// A member read in full: an archive is opened (one level deeper), anything else visited.
    fn entry(&mut self, path: String, bytes: &[u8], depth: u32) {
        // An archive, or one appended to bytes that are scanned as themselves too.
        let found = match sniff(bytes) {
            Some(f) => Some((0, f, false)),
            None => appended(bytes).map(|(at, f)| (at, f, true)),
        };
        if let Some((at, f, behind)) = found {
            if !behind {
                self.stats.nested.push(path.clone());
            }
            if depth >= self.limits.max_depth {
                let what = if behind {
                    format!("{} (after a prefix)", f.name())
                } else {
                    f.name().to_string()
                };
                self.skip(
                    &path,
                    SkipKind::Limit,
                    format!(
                        "{what} nested deeper than {} levels: not opened",
                        self.limits.max_depth
                    ),
                );
            } else {
                self.open(&path, &bytes[at..], f, depth + 1);
            }
            if !behind {
                return;
            }
        }
        // Not an archive, or an executable with an archive appended: its own bytes are scanned
        // too.
        (self.visit)(ArchiveEntry { path, bytes });
    }

    fn note_traversal(&mut self, path: &str, raw: &str) {
        let escapes = raw.starts_with('/')
            || raw.starts_with('\\')
            || raw.split(['/', '\\']).any(|c| c == "..")
            || raw.get(1..2) == Some(":");
        if escapes {
            self.skip(
                path,
                SkipKind::Note,
                "path traversal entry name (scanned in memory; never extracted)".into(),
            );
        }
    }

    /// One named member of an archive: admitted, read within limits, then handed on.
    fn member(
        &mut self,
        what: &str,
        path: String,
        raw: &str,
        reader: impl Read,
        depth: u32,
    ) -> Flow {
        self.member_shown(what, path, raw, reader, depth, |_| None)
    }

    /// [`Walk::member`], whose bytes are handed on as `shown` reads them where it reads them
    /// (a PDF page's content stream as the text it shows), else as they are.
    fn member_shown(
        &mut self,
        what: &str,
        path: String,
        raw: &str,
        reader: impl Read,
        depth: u32,
        shown: impl FnOnce(&[u8]) -> Option<String>,
    ) -> Flow {
        if !self.admit(&path) {
            return Flow::Stop;
        }
        self.note_traversal(&path, raw);
        match self.read(&path, what, reader) {
            Some(data) => {
                match shown(&data) {
                    Some(text) => self.entry(path, text.as_bytes(), depth),
                    None => self.entry(path, &data, depth),
                }
                self.recycle(data);
                Flow::Go
            }
            None if self.stopped => Flow::Stop,
            None => Flow::Go,
        }
    }

    /// A member decoded whole within the walk's limits (see `Walk::inflate_whole`, which
    /// charged the time), its bytes the first `n` of `data`: admitted, its bytes charged as
    /// [`Walk::read`] charges them, then walked like any other, and the buffer given back.
    fn member_whole(
        &mut self,
        path: String,
        raw: &str,
        data: Vec<u8>,
        n: usize,
        depth: u32,
    ) -> Flow {
        if !self.admit(&path) {
            formats::keep_inflated(data);
            return Flow::Stop;
        }
        self.note_traversal(&path, raw);
        self.charge(n as u64, std::time::Duration::ZERO);
        self.stats.bytes += n as u64;
        self.entry(path, &data[..n], depth);
        formats::keep_inflated(data);
        Flow::Go
    }
}

/// Whether an archive walk goes on after a member.
#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

#[cfg(test)]
mod tests;
