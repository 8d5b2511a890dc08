//! Evidence stage, archives: a SquashFS image (version 4, as `mksquashfs` writes it: snap
//! packages, AppImage payloads, live and firmware root filesystems) → its regular files, each
//! admitted and read within the walk's limits.
//!
//! The image is read by backhand, with this crate's own decoders (the ones every other format
//! is read with) for its blocks: zlib ("gzip"), xz, lzma, zstd and lz4; an image compressed
//! with LZO is listed as not read. An image is opened on a thread of its own with a large
//! stack, because backhand follows nested directories by recursion, and with a bound on the
//! metadata it may decode, so that a hostile image of a few kilobytes can neither exhaust the
//! stack nor the memory.

use std::cell::Cell;
use std::io::{Cursor, Read};

use backhand::compression::{CompressionAction, Compressor};
use backhand::kind::Kind;
use backhand::{BackhandError, FilesystemCompressor, FilesystemReader, InnerNode, SuperBlock};

use super::{Fail, Flow, MAX_DECODER_MEMORY, Walk};
use crate::evidence::scan::SkipKind;

/// The SquashFS 4 magic, little-endian (`hsqs`), and the version it must declare.
const MAGIC: &[u8; 4] = b"hsqs";
const VERSION_MAJOR: u16 = 4;

/// The most one block decodes to: a data block is at most 1 MiB, a metadata block 8 KiB.
const MAX_BLOCK: u64 = 1 << 20;

/// The most compressed metadata (inode, directory, fragment and id tables) an image may decode
/// to while it is opened: a snap of tens of thousands of files holds a few MiB of it.
const MAX_METADATA: u64 = 8 << 20;

/// Stack reserved per byte of metadata the image can hold. backhand reads the directory tree
/// recursively, one call per level: measured, 2,044 nested directories ran on 1 MiB of stack
/// and overflowed 256 KiB (under 512 bytes a level), and a level costs its image at least its
/// inode and its listing (about 50 bytes of metadata).
const STACK_PER_METADATA_BYTE: usize = 12;

/// The stack an image of `len` bytes is opened on: enough for as many levels as its metadata
/// can describe ([`MAX_METADATA`] decoded, or the image's own bytes stored uncompressed).
/// Reserved, not used: only the pages a deep tree touches are ever mapped. Where the system
/// refuses the reservation, the image is listed as not read.
fn open_stack(len: usize) -> usize {
    (MAX_METADATA as usize)
        .saturating_add(len)
        .saturating_mul(STACK_PER_METADATA_BYTE)
        .saturating_add(8 << 20)
}

thread_local! {
    /// Metadata decoded so far by the image being opened on this thread (`None`: not counting).
    static METADATA: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Whether `b` begins a SquashFS 4 image.
pub(super) fn is_squashfs(b: &[u8]) -> bool {
    b.len() >= 96 && &b[..4] == MAGIC && b.get(28..30) == Some(&VERSION_MAJOR.to_le_bytes())
}

/// The block decoders backhand calls: each block bounded by [`MAX_BLOCK`], and while an image is
/// opened, the metadata by [`MAX_METADATA`].
struct Decoders;

static DECODERS: Decoders = Decoders;

fn corrupt(why: impl std::fmt::Display) -> BackhandError {
    BackhandError::StdIo(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        why.to_string(),
    ))
}

impl CompressionAction for Decoders {
    type Error = BackhandError;
    type Compressor = Compressor;
    type FilesystemCompressor = FilesystemCompressor;
    type SuperBlock = SuperBlock;

    fn decompress(
        &self,
        bytes: &[u8],
        out: &mut Vec<u8>,
        compressor: Compressor,
    ) -> Result<(), BackhandError> {
        let mem_kb = u32::try_from(MAX_DECODER_MEMORY / 1024).unwrap_or(u32::MAX);
        let before = out.len();
        let reader: Box<dyn Read + '_> = match compressor {
            Compressor::Uncompressed => Box::new(bytes),
            Compressor::Gzip => Box::new(flate2::read::ZlibDecoder::new(bytes)),
            Compressor::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(bytes, true, mem_kb)),
            Compressor::Lzma => Box::new(
                lzma_rust2::LzmaReader::new_mem_limit(bytes, mem_kb, None).map_err(corrupt)?,
            ),
            Compressor::Zstd => Box::new(super::formats::ZstdFrames::new(bytes)),
            Compressor::Lz4 => {
                out.resize(before + MAX_BLOCK as usize, 0);
                let n =
                    lz4_flex::block::decompress_into(bytes, &mut out[before..]).map_err(corrupt)?;
                out.truncate(before + n);
                return count_metadata(n as u64);
            }
            Compressor::Lzo => {
                return Err(BackhandError::UnsupportedCompression(
                    "LZO (not supported: the image was not read)".into(),
                ));
            }
        };
        let n = reader.take(MAX_BLOCK + 1).read_to_end(out)?;
        if n as u64 > MAX_BLOCK {
            return Err(corrupt("a block decodes to more than 1 MiB"));
        }
        count_metadata(n as u64)
    }

    fn compress(
        &self,
        _bytes: &[u8],
        _fc: FilesystemCompressor,
        _block_size: u32,
    ) -> Result<Vec<u8>, BackhandError> {
        Err(BackhandError::UnsupportedCompression(
            "images are only read".into(),
        ))
    }
}

/// Adds `n` decoded bytes to the image being opened on this thread, if one is.
fn count_metadata(n: u64) -> Result<(), BackhandError> {
    match METADATA.get() {
        Some(so_far) if so_far.saturating_add(n) > MAX_METADATA => {
            Err(BackhandError::InternalState(METADATA_LIMIT.into()))
        }
        Some(so_far) => {
            METADATA.set(Some(so_far + n));
            Ok(())
        }
        None => Ok(()),
    }
}

const METADATA_LIMIT: &str = "its tables decode to more than 8 MiB";

/// Opens the image at the start of `bytes` (see the module's notes on the thread it runs on).
fn open(bytes: &[u8]) -> Result<FilesystemReader<'_>, Fail> {
    let opened = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("squashfs".into())
            .stack_size(open_stack(bytes.len()))
            .spawn_scoped(s, || {
                METADATA.set(Some(0));
                let kind = Kind::new_v4(&DECODERS);
                let fs = crate::evidence::binary::quietly(|| {
                    FilesystemReader::from_reader_with_offset_and_kind(Cursor::new(bytes), 0, kind)
                });
                METADATA.set(None);
                fs
            })
            .map(|h| h.join().ok().flatten())
    });
    match opened {
        Err(e) => Err(Fail::unreadable(format!("no thread to open it on: {e}"))),
        Ok(None) => Err(Fail::malformed("its reader failed on this input")),
        Ok(Some(Err(BackhandError::InternalState(why)))) if why == METADATA_LIMIT => Err(Fail {
            kind: SkipKind::Limit,
            detail: why,
        }),
        Ok(Some(Err(e @ BackhandError::UnsupportedCompression(_)))) => Err(Fail::unreadable(e)),
        Ok(Some(Err(e))) => Err(Fail::malformed(e)),
        Ok(Some(Ok(fs))) => Ok(fs),
    }
}

impl Walk<'_, '_> {
    /// A SquashFS image's regular files, in the order of its directory tree. Links, devices
    /// and directories hold no bytes of their own.
    pub(super) fn squashfs(&mut self, name: &str, bytes: &[u8], depth: u32) -> Result<(), Fail> {
        let started = std::time::Instant::now();
        let fs = open(bytes)?;
        self.charge(0, started.elapsed());
        for node in fs.files() {
            let InnerNode::File(file) = &node.inner else {
                continue;
            };
            let raw = node.fullpath.to_string_lossy();
            let shown = raw.trim_start_matches('/');
            let path = format!("{name}!{shown}");
            let flow = match fs.file(file).reader_checked() {
                Ok(reader) => self.member("squashfs file", path, shown, reader, depth),
                Err(e) => {
                    self.skip(
                        &path,
                        SkipKind::Malformed,
                        format!("squashfs file could not be read: {e}"),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_images_metadata_is_counted_only_while_it_is_opened_and_bounded() {
        METADATA.set(None);
        assert!(count_metadata(MAX_METADATA * 2).is_ok(), "not counting");
        METADATA.set(Some(MAX_METADATA - 10));
        assert!(count_metadata(10).is_ok());
        assert!(matches!(
            count_metadata(1),
            Err(BackhandError::InternalState(why)) if why == METADATA_LIMIT
        ));
        METADATA.set(None);
    }

    #[test]
    fn a_block_that_decodes_past_the_largest_block_is_refused() {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; MAX_BLOCK as usize + 1]).unwrap();
        let bomb = e.finish().unwrap();
        let mut out = Vec::new();
        assert!(
            DECODERS
                .decompress(&bomb, &mut out, Compressor::Gzip)
                .is_err()
        );
        let ok = {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(b"a block").unwrap();
            e.finish().unwrap()
        };
        let mut out = Vec::new();
        DECODERS
            .decompress(&ok, &mut out, Compressor::Gzip)
            .unwrap();
        assert_eq!(out, b"a block");
    }
}
