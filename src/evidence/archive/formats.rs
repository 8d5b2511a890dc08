//! Evidence stage, archives: one container of a known format (zip, tar, 7z, cab, or a single
//! compressed stream) → its members, each admitted, decoded within limits and handed to the walk.

use std::io::{Cursor, Read};

use super::{Fail, Flow, Format, MAX_DECODER_MEMORY, Walk, sniff};
use crate::evidence::scan::SkipKind;

thread_local! {
    /// The buffer deflated zip members are decoded into, one per thread, kept at the length of
    /// the largest member decoded so far: libdeflate writes into initialised bytes, and zeroing
    /// every member's size first cost 1.4% of a cold check of yara-x (147 zips of one or two
    /// members each: a buffer per walk would be zeroed as often). Taken while a member is
    /// decoded and walked, so a nested walk on the same thread finds it empty and grows its own.
    static INFLATED: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The largest buffer [`INFLATED`] keeps: a quarter of what the read buffer keeps, as it is a
/// second buffer on every thread (a larger member is decoded into a buffer of its own).
const INFLATED_KEEP: usize = crate::fsio::REUSED_BUFFER_KEEP / 4;

/// Gives a buffer back to [`INFLATED`], unless it grew past [`INFLATED_KEEP`].
pub(super) fn keep_inflated(buf: Vec<u8>) {
    if buf.capacity() <= INFLATED_KEEP {
        INFLATED.with(|b| b.set(buf));
    }
}

impl Walk<'_, '_> {
    /// A deflated zip member decoded in one call into a buffer of its stated size, when that
    /// size is within what the walk may still unpack: libdeflate's whole-buffer decoder takes
    /// about half the time of a streaming inflate (yara-x's 147 zipped test samples: 65 against
    /// 117 ms). The member's CRC-32 is checked as the streaming reader checks it. `None` (the
    /// member is larger than the walk's limits, its stated size or checksum is wrong, its
    /// stream is damaged) leaves it to the streaming reader, whose limits, errors and messages
    /// then apply as before; the time spent here is charged either way.
    fn inflate_whole(
        &mut self,
        z: &mut zip::ZipArchive<Cursor<&[u8]>>,
        bytes: &[u8],
        i: usize,
        method: zip::CompressionMethod,
    ) -> Option<(Vec<u8>, usize)> {
        if method != zip::CompressionMethod::Deflated {
            return None;
        }
        let f = z.by_index_raw(i).ok()?;
        let (size, crc) = (f.size(), f.crc32());
        if size > self.unpack_cap() {
            return None;
        }
        let started = std::time::Instant::now();
        // The member's deflated bytes where they lie in the archive (the reader's offsets are
        // the file's), not a copy.
        let from = usize::try_from(f.data_start()?).ok()?;
        let packed =
            bytes.get(from..from.checked_add(usize::try_from(f.compressed_size()).ok()?)?)?;
        let size = usize::try_from(size).ok()?;
        // Into the thread's reused buffer (see [`INFLATED`]). One too small is replaced, not
        // grown: what it held need not be copied, and a zeroed allocation of fresh pages is
        // not written twice. It grows in powers of two up to what it may keep, so a run of
        // ever larger members replaces it a few times, not once per member.
        let mut out = INFLATED.with(std::cell::Cell::take);
        if out.len() < size {
            out = vec![0; size.next_power_of_two().min(INFLATED_KEEP).max(size)];
        }
        let done = libdeflater::Decompressor::new()
            .deflate_decompress(packed, &mut out[..size])
            .ok();
        self.charge(0, started.elapsed());
        if done == Some(size) && crc32fast::hash(&out[..size]) == crc {
            Some((out, size))
        } else {
            keep_inflated(out);
            None
        }
    }

    pub(super) fn zip(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), Fail> {
        // The reader finds the end-of-central-directory record itself and works out the offset
        // of an archive behind a prefix (a self-extracting executable).
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).map_err(Fail::malformed)?;
        // An Android app's signers are in a block no member holds, just before the directory.
        if let Some(signers) = crate::evidence::apk::signers(bytes, z.central_directory_start()) {
            self.stats.apk_signers.push((name.to_string(), signers));
        }
        // What no member's data holds: the archive's and the members' comments, and bytes
        // between members or before the central directory (an Android signing block, or
        // anything hidden there). Read as members of their own after the real ones.
        let mut comments = Comments::default();
        comments.add(b"", z.comment());
        let mut covered: Vec<(u64, u64)> = Vec::new();
        for i in 0..z.len() {
            let (raw, is_dir, is_link, encrypted, method, stored) = match z.by_index_raw(i) {
                Ok(f) => {
                    comments.add(f.name_raw(), f.comment_raw());
                    let start = f.header_start();
                    let end = f
                        .data_start()
                        .unwrap_or(start)
                        .saturating_add(f.compressed_size());
                    covered.push((start, end));
                    (
                        f.name()
                            .map(|n| n.into_owned())
                            .unwrap_or_else(|_| String::from_utf8_lossy(f.name_raw()).into_owned()),
                        f.is_dir(),
                        f.is_symlink(),
                        f.encrypted(),
                        f.compression(),
                        f.compressed_size() > 0 || f.size() > 0,
                    )
                }
                Err(e) => {
                    self.skip(
                        &format!("{name}!#{i}"),
                        SkipKind::Malformed,
                        format!("zip member #{i} could not be read: {e}"),
                    );
                    continue;
                }
            };
            let path = format!("{name}!{raw}");
            // A "directory" holding data is a member like any other.
            if is_dir && !stored {
                continue;
            }
            if is_link {
                self.skip(
                    &path,
                    SkipKind::Note,
                    "symbolic link member: not followed (it holds a path, not content)".into(),
                );
                continue;
            }
            if encrypted {
                self.skip(
                    &path,
                    SkipKind::Unreadable,
                    "encrypted zip member: not decrypted, not scanned".into(),
                );
                continue;
            }
            if self.stored_only && method != zip::CompressionMethod::Stored {
                self.stats.listed.push(path);
                self.stats.packed += 1;
                continue;
            }
            let flow = if method == zip::CompressionMethod::ZSTD {
                // Zstandard members are decoded here, by the same pure-Rust decoder as .zst
                // files, from the member's raw bytes.
                let mut packed = Vec::new();
                let f = z.by_index_raw(i).map_err(Fail::malformed)?;
                // Compressed bytes are never more than the archive itself.
                let read = f.take(bytes.len() as u64).read_to_end(&mut packed);
                match read {
                    Ok(_) => self.member("zip member", path, &raw, ZstdFrames::new(&packed), depth),
                    Err(e) => {
                        self.skip(
                            &path,
                            SkipKind::Malformed,
                            format!("zstd zip member could not be read: {e}"),
                        );
                        Flow::Go
                    }
                }
            } else if let Some((data, n)) = self.inflate_whole(&mut z, bytes, i, method) {
                self.member_whole(path, &raw, data, n, depth)
            } else {
                match z.by_index(i) {
                    Ok(f) => self.member("zip member", path, &raw, f, depth),
                    Err(e) => {
                        self.skip(
                            &path,
                            SkipKind::Unreadable,
                            format!("zip member stored with method {method}: not decoded: {e}"),
                        );
                        Flow::Go
                    }
                }
            };
            if flow == Flow::Stop {
                return Ok(());
            }
        }
        if !comments.text.is_empty() {
            self.entry(format!("{name}!(zip comments)"), &comments.text, depth);
        }
        // From the first member on (the reader's offsets are the file's): a self-extracting
        // executable's prefix is that file's own bytes, scanned as such.
        let gaps = between(&covered, z.central_directory_start(), bytes);
        if !gaps.is_empty() {
            self.entry(format!("{name}!(bytes outside members)"), &gaps, depth);
        }
        Ok(())
    }

    pub(super) fn tar(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), Fail> {
        let mut archive = tar::Archive::new(bytes);
        // Past a zero block (concatenated tars, or data hidden after the end marker).
        archive.set_ignore_zeros(true);
        let entries = archive.entries().map_err(Fail::malformed)?;
        for entry in entries {
            let mut e = entry.map_err(Fail::malformed)?;
            let raw = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let path = format!("{name}!{raw}");
            let t = e.header().entry_type();
            if t.is_symlink() || t.is_hard_link() {
                // A link has no content of its own; its target, if in the archive, is a member.
                self.skip(&path, SkipKind::Note, "link member: not followed".into());
                continue;
            }
            // Every type that carries data is read: regular ('0', '\0'), contiguous ('7'), GNU
            // sparse, and any vendor type; directories and devices carry none.
            if e.size() == 0 {
                continue;
            }
            // A GNU sparse member's holes are zeros the decoder would write out (a 12 GB file
            // of 1,664 stored bytes in tar's own test data): only its stored bytes are read,
            // straight from the archive, since holes hold nothing to find.
            let flow = if t.is_gnu_sparse() {
                let stored = sparse_data(bytes, &e).ok_or_else(|| {
                    Fail::malformed(format!("sparse member {raw}: its data is cut short"))
                })?;
                self.member("tar member", path, &raw, stored, depth)
            } else {
                self.member("tar member", path, &raw, &mut e, depth)
            };
            if flow == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    pub(super) fn sevenz(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), Fail> {
        let mut r = sevenz_rust2::ArchiveReader::new_with_memory_limit(
            Cursor::new(bytes),
            sevenz_rust2::Password::empty(),
            (MAX_DECODER_MEMORY / 1024) as usize,
        )
        .map_err(sevenz_fail)?;
        r.set_thread_count(1);
        let mut current = String::new();
        let result = r.for_each_entries_with_decision(|entry, reader| {
            if entry.is_anti_item || !entry.has_stream || entry.size == 0 {
                return Ok(sevenz_rust2::EntryDecision::Continue);
            }
            let path = format!("{name}!{}", entry.name);
            current.clone_from(&path);
            Ok(
                match self.member("7z member", path, &entry.name, reader, depth) {
                    Flow::Go => sevenz_rust2::EntryDecision::Continue,
                    Flow::Stop => sevenz_rust2::EntryDecision::Stop,
                },
            )
        });
        result.map_err(|e| {
            let mut f = sevenz_fail(e);
            if !current.is_empty() {
                f.detail = format!("at member {current}: {}", f.detail);
            }
            f
        })
    }

    pub(super) fn cab(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), Fail> {
        let mut cab = cab::Cabinet::new(Cursor::new(bytes)).map_err(Fail::malformed)?;
        let mut names: Vec<String> = Vec::new();
        for folder in cab.folder_entries() {
            for file in folder.file_entries() {
                names.push(file.name().to_string());
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for raw in names {
            let path = format!("{name}!{raw}");
            // The reader opens members by name: a second member of the same name cannot be
            // reached, so it is listed rather than silently shadowed.
            if !seen.insert(raw.clone()) {
                self.skip(
                    &path,
                    SkipKind::Unreadable,
                    "cab member with a duplicate name: cannot be read separately, not scanned"
                        .into(),
                );
                continue;
            }
            let flow = match cab.read_file(&raw) {
                Ok(f) => self.member("cab member", path, &raw, f, depth),
                Err(e) => {
                    let kind = if e.kind() == std::io::ErrorKind::InvalidData {
                        SkipKind::Malformed
                    } else {
                        SkipKind::Unreadable
                    };
                    self.skip(&path, kind, format!("cab member could not be read: {e}"));
                    Flow::Go
                }
            };
            if flow == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    /// A compound file's streams, in the order of its directory: an MSI's tables (its string
    /// pool names files, registry values and URLs), its embedded cabinets (walked in turn) and
    /// `Binary` streams, its summary information and signature. Storages are only folders.
    pub(super) fn cfb(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), Fail> {
        let mut comp = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(Fail::malformed)?;
        // Its header first (the database's parser is another crate meeting hostile input).
        if let Some(Some(header)) =
            crate::evidence::binary::quietly(|| super::installer::read(name, bytes, &mut comp))
        {
            self.stats.installers.push(header);
        }
        let streams: Vec<std::path::PathBuf> = comp
            .walk()
            .filter(|e| e.is_stream())
            .map(|e| e.path().to_path_buf())
            .collect();
        // Windows Installer files pack their stream names (two characters to a code point); a
        // table's name starts with a marker. Decoded only where one is there to say so.
        let installer = streams.iter().any(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(super::installer::MSI_TABLE))
        });
        for stream in streams {
            let shown = stream_name(&stream, installer);
            let path = format!("{name}!{shown}");
            let raw = stream
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let flow = match comp.open_stream(&stream) {
                Ok(s) => self.member("compound-file stream", path, &raw, s, depth),
                Err(e) => {
                    self.skip(
                        &path,
                        SkipKind::Malformed,
                        format!("compound-file stream could not be read: {e}"),
                    );
                    Flow::Go
                }
            };
            if flow == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    /// A single compressed stream: decoded (every member of a multi-member gzip, bzip2, xz,
    /// lzip or zstd stream) within limits, then sniffed again; a tar inside is walked under the
    /// stream's own name (`x.tar.gz!member`), anything else as its one member.
    pub(super) fn stream(
        &mut self,
        name: &str,
        bytes: &[u8],
        format: Format,
        depth: u32,
    ) -> Result<(), Fail> {
        let inner = inner_name(name, format);
        let mem_kb = u32::try_from(MAX_DECODER_MEMORY / 1024).unwrap_or(u32::MAX);
        let reader: Box<dyn Read + '_> = match format {
            Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
            Format::Zlib => Box::new(flate2::read::ZlibDecoder::new(bytes)),
            Format::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(bytes)),
            Format::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(bytes, true, mem_kb)),
            Format::Lzip => Box::new(lzma_rust2::LzipReader::new(bytes)),
            Format::Lzma => Box::new(
                lzma_rust2::LzmaReader::new_mem_limit(bytes, mem_kb, None).map_err(|e| Fail {
                    kind: SkipKind::Limit,
                    detail: format!("{e}"),
                })?,
            ),
            Format::Zstd => Box::new(ZstdFrames::new(bytes)),
            Format::Pbzx => Box::new(Pbzx::new(bytes, mem_kb)),
            Format::Zip
            | Format::Tar
            | Format::SevenZ
            | Format::Cab
            | Format::Cfb
            | Format::Squashfs
            | Format::Pdf
            | Format::Png => {
                return Err(Fail::malformed("not a compressed stream"));
            }
        };
        if !self.admit(&inner) {
            return Ok(());
        }
        let what = format!("{} stream", format.name());
        let Some(data) = self.read(&inner, &what, reader) else {
            return Ok(());
        };
        if sniff(&data) == Some(Format::Tar) {
            // A .tar.gz is one archive, not two nested ones.
            self.open(name, &data, Format::Tar, depth);
        } else {
            self.entry(inner, &data, depth);
        }
        self.recycle(data);
        Ok(())
    }
}

/// Apple's pbzx stream (a macOS installer package's `Payload`): `pbzx` and a flags word, then
/// chunks of (flags, length, bytes), each an xz stream or, where xz would not shrink it, the
/// bytes as they are; bit 24 of a flags word says another chunk follows.
struct Pbzx<'b> {
    rest: &'b [u8],
    current: Option<Box<dyn Read + 'b>>,
    more: bool,
    mem_kb: u32,
}

impl<'b> Pbzx<'b> {
    fn new(bytes: &'b [u8], mem_kb: u32) -> Pbzx<'b> {
        let flags = bytes
            .get(4..12)
            .map_or(0, |f| u64::from_be_bytes(f.try_into().unwrap_or_default()));
        Pbzx {
            rest: bytes.get(12..).unwrap_or_default(),
            current: None,
            more: flags & (1 << 24) != 0,
            mem_kb,
        }
    }
}

impl Read for Pbzx<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(r) = &mut self.current {
                let n = r.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.current = None;
            }
            if !self.more || self.rest.len() < 16 {
                return Ok(0);
            }
            let word = |at: usize| {
                u64::from_be_bytes(self.rest[at..at + 8].try_into().unwrap_or_default())
            };
            let (flags, len) = (word(0), word(8));
            self.more = flags & (1 << 24) != 0;
            let chunk = usize::try_from(len)
                .ok()
                .and_then(|l| self.rest.get(16..16usize.checked_add(l)?))
                .ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "pbzx chunk runs past the end",
                    )
                })?;
            self.rest = &self.rest[16 + chunk.len()..];
            self.current = Some(if chunk.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
                Box::new(lzma_rust2::XzReader::new_mem_limit(
                    chunk,
                    true,
                    self.mem_kb,
                ))
            } else {
                Box::new(chunk)
            });
        }
    }
}

fn sevenz_fail(e: sevenz_rust2::Error) -> Fail {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") || lower.contains("unsupported") {
        Fail::unreadable(text)
    } else if lower.contains("memory") {
        Fail {
            kind: SkipKind::Limit,
            detail: text,
        }
    } else {
        Fail::malformed(text)
    }
}

/// The name of a stream's one member: `notes.txt.gz` → `notes.txt`, `x.tgz` → `x.tar`, and
/// `blob!data` when the name says nothing (formats are recognised by content, not by name).
pub(super) fn inner_name(name: &str, format: Format) -> String {
    let base_start = name.rfind(['/', '!']).map_or(0, |i| i + 1);
    let lower = name[base_start..].to_ascii_lowercase();
    let (exts, tar_exts): (&[&str], &[&str]) = match format {
        Format::Gzip => (&[".gz", ".gzip", ".z"], &[".tgz", ".taz"]),
        Format::Zlib => (&[".zz", ".zlib", ".z"], &[]),
        Format::Bzip2 => (&[".bz2", ".bz"], &[".tbz", ".tbz2", ".tb2"]),
        Format::Xz => (&[".xz"], &[".txz"]),
        Format::Lzma => (&[".lzma"], &[".tlz"]),
        Format::Lzip => (&[".lz"], &[".tlz"]),
        Format::Zstd => (&[".zst", ".zstd"], &[".tzst"]),
        _ => (&[], &[]),
    };
    let cut = |ext: &str| lower.len() > ext.len() && lower.ends_with(ext);
    if let Some(ext) = tar_exts.iter().find(|e| cut(e)) {
        return format!("{}.tar", &name[..name.len() - ext.len()]);
    }
    if let Some(ext) = exts.iter().find(|e| cut(e)) {
        return name[..name.len() - ext.len()].to_string();
    }
    format!("{name}!data")
}

/// A zlib header (RFC 1950) as zlib itself writes it: deflate with a 32 KiB window (0x78), no
/// preset dictionary, one of the four levels' flag bytes, and a valid check.
pub(super) fn zlib_header(cmf: u8, flg: u8) -> bool {
    cmf == 0x78
        && matches!(flg, 0x01 | 0x5e | 0x9c | 0xda)
        && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

/// Whether a zlib stream really begins here: its first 64 bytes decode, or all of it does (a
/// whole stream, or a truncated one, which the walk then lists). Text that merely starts with
/// `x^` fails within a few bytes.
pub(super) fn zlib_decodes(b: &[u8]) -> bool {
    let mut d = flate2::Decompress::new(true);
    let mut out = [0u8; 64];
    match d.decompress(b, &mut out, flate2::FlushDecompress::None) {
        Ok(flate2::Status::StreamEnd) => true,
        Ok(_) => {
            d.total_out() == out.len() as u64
                || (d.total_in() == b.len() as u64 && d.total_out() > 0)
        }
        Err(_) => false,
    }
}

/// Whether the first bytes an LZMA-alone header's stream decoded to (at most 64) fit its stated
/// size: 64 of them, or exactly a stated size below that in a file no longer than such a stream
/// can be (`total` bytes: the header, the size and a little more). Not a stated size of nothing:
/// a table of mostly zeros (`0, 0, 0x40, 0, …` reads as a 16 KiB dictionary and no bytes, `0, 0,
/// 0, 0, 1, 2, 0, …` as 16 MiB and two zero bytes) decodes like that, and an empty stream holds
/// nothing to read.
fn decoded_as_stated(decoded: usize, size: u64, total: usize) -> bool {
    decoded == 64
        || (size > 0 && size == decoded as u64 && total as u64 <= 13 + size + size / 64 + 64)
}

/// A `.lzma` (LZMA-alone) header, which has no magic number: a valid properties byte, a
/// dictionary size an encoder writes (2^n or 2^n + 2^(n-1)), a plausible unpacked size, the
/// range coder's leading zero byte, and first bytes that decode.
pub(super) fn lzma_alone(b: &[u8]) -> bool {
    let Some(h) = b.get(..14) else { return false };
    if h[0] >= 225 || h[13] != 0 {
        return false;
    }
    let dict = u32::from_le_bytes([h[1], h[2], h[3], h[4]]);
    let pow = |d: u32| d.is_power_of_two() || (d.is_multiple_of(3) && (d / 3).is_power_of_two());
    if !(4096..=(1 << 30) + (1 << 29)).contains(&dict) || !pow(dict) {
        return false;
    }
    let size = u64::from_le_bytes([h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12]]);
    if size != u64::MAX && size >= 1 << 48 {
        return false;
    }
    let mem_kb = u32::try_from(MAX_DECODER_MEMORY / 1024).unwrap_or(u32::MAX);
    // Over the memory limit: recognised all the same (and refused by the walk with the reason)
    // if it is one. Its first bytes tell: the first 64 bytes of output can only refer back to
    // themselves, so they decode the same with a 4 KiB window, which needs no memory to speak
    // of. Data that merely looks like the 13-byte header (no magic number) fails here and is
    // read as data, not listed as an archive too large to open.
    let Ok(r) = lzma_rust2::LzmaReader::new_mem_limit(b, mem_kb, None) else {
        if lzma_rust2::lzma_get_memory_usage_by_props(dict, h[0]).is_err() {
            return false;
        }
        let mut probe = b[..b.len().min(64 * 1024)].to_vec();
        probe[1..5].copy_from_slice(&4096u32.to_le_bytes());
        let Ok(r) = lzma_rust2::LzmaReader::new_mem_limit(&probe[..], mem_kb, None) else {
            return false;
        };
        let mut out = Vec::new();
        return match r.take(64).read_to_end(&mut out) {
            Ok(_) => decoded_as_stated(out.len(), size, b.len()),
            Err(e) => e.kind() == std::io::ErrorKind::UnexpectedEof,
        };
    };
    let mut out = Vec::new();
    match r.take(64).read_to_end(&mut out) {
        Ok(_) => decoded_as_stated(out.len(), size, b.len()),
        // A truncated stream is still one (and the walk lists it).
        Err(e) => e.kind() == std::io::ErrorKind::UnexpectedEof,
    }
}

/// Zstandard frames one after another (skippable frames passed over), as one reader.
pub(super) struct ZstdFrames<'a> {
    rest: &'a [u8],
    frame: Option<ruzstd::decoding::StreamingDecoder<&'a [u8], ruzstd::decoding::FrameDecoder>>,
    started: bool,
}

impl<'a> ZstdFrames<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        ZstdFrames {
            rest: input,
            frame: None,
            started: false,
        }
    }
}

impl Read for ZstdFrames<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(frame) = &mut self.frame {
                let n = frame.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                let done = self.frame.take().expect("a frame is open");
                self.rest = done.into_inner();
            }
            if self.rest.is_empty() {
                if !self.started {
                    return Err(std::io::Error::other("zstd: no frame"));
                }
                return Ok(0);
            }
            self.started = true;
            let Some(m) = self
                .rest
                .get(..4)
                .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            else {
                return Err(std::io::Error::other("zstd: truncated frame header"));
            };
            if m & 0xffff_fff0 == 0x184d_2a50 {
                // A skippable frame: its length, then that many bytes of user data.
                let len = self
                    .rest
                    .get(4..8)
                    .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
                    .ok_or_else(|| std::io::Error::other("zstd: truncated skippable frame"))?;
                self.rest = self
                    .rest
                    .get(8 + len..)
                    .ok_or_else(|| std::io::Error::other("zstd: truncated skippable frame"))?;
                continue;
            }
            if m != 0xfd2f_b528 {
                return Err(std::io::Error::other(
                    "zstd: data after the last frame is not a frame",
                ));
            }
            let frame = ruzstd::decoding::StreamingDecoder::new_with_max_window_size(
                self.rest,
                MAX_DECODER_MEMORY,
            )
            .map_err(|e| std::io::Error::other(format!("zstd: {e}")))?;
            self.frame = Some(frame);
        }
    }
}

/// The bytes a GNU sparse tar member stores (its data blocks, holes left out), from the archive
/// in memory: after the member's sparse-map extension blocks, `entry_size` bytes.
fn sparse_data<'a, R: std::io::Read>(bytes: &'a [u8], e: &tar::Entry<'_, R>) -> Option<&'a [u8]> {
    let mut at = usize::try_from(e.raw_file_position()).ok()?;
    let mut extended = e.header().as_gnu().is_some_and(|g| g.is_extended());
    while extended {
        // An extension block: 21 sparse entries of 24 bytes, then its own "extended" flag.
        extended = *bytes.get(at..at + 512)?.get(504)? != 0;
        at += 512;
    }
    let len = usize::try_from(e.header().entry_size().ok()?).ok()?;
    bytes.get(at..at.checked_add(len)?)
}

/// A compound-file stream's path as shown: storages joined with `/`, control characters
/// escaped (`\u{5}SummaryInformation`), and in a Windows Installer file the packed names
/// decoded (`cab1.cab`; a table as `table:_StringData`), as the installer's own tools show them.
pub(crate) fn stream_name(path: &std::path::Path, installer: bool) -> String {
    let mut out = String::new();
    for part in path.components() {
        let std::path::Component::Normal(part) = part else {
            continue;
        };
        if !out.is_empty() {
            out.push('/');
        }
        let part = part.to_string_lossy();
        let decoded = if installer {
            super::installer::stream_name(&part)
        } else {
            part.into_owned()
        };
        for c in decoded.chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// A zip's comments, each on a line of its own (`member: comment`), up to
/// [`Comments::MAX_BYTES`].
#[derive(Default)]
struct Comments {
    text: Vec<u8>,
}

impl Comments {
    /// The most comment bytes read from one archive (a comment is at most 64 KiB, and an
    /// archive may have one per member).
    const MAX_BYTES: usize = 1 << 20;

    fn add(&mut self, member: &[u8], comment: &[u8]) {
        if comment.is_empty() || self.text.len() >= Self::MAX_BYTES {
            return;
        }
        if !member.is_empty() {
            self.text.extend(member);
            self.text.extend(b": ");
        }
        self.text.extend(comment);
        self.text.push(b'\n');
    }
}

/// The smallest gap between members worth reading: a data descriptor (up to 24 bytes) follows
/// a member written in one pass, and holds only sizes and a checksum.
const MIN_GAP: u64 = 25;

/// The bytes of `zip` that no member's header and data cover, from the first member to the
/// central directory at `directory` (gaps of [`MIN_GAP`] bytes or more), one after another.
fn between(covered: &[(u64, u64)], directory: u64, zip: &[u8]) -> Vec<u8> {
    let mut ranges = covered.to_vec();
    ranges.sort_unstable();
    let mut out = Vec::new();
    let Some(&(mut at, _)) = ranges.first() else {
        return out;
    };
    for &(start, end) in ranges.iter().chain([(directory, directory)].iter()) {
        if start >= at.saturating_add(MIN_GAP)
            && let (Ok(from), Ok(to)) = (usize::try_from(at), usize::try_from(start))
            && let Some(gap) = zip.get(from..to.min(zip.len()))
        {
            out.extend(gap);
        }
        at = at.max(end);
    }
    out
}
