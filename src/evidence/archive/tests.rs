//! Archives and compressed streams of every supported format, made here with the formats' own
//! writers, walked: members found in full, or listed with the reason.

use std::io::Write;

use proptest::prelude::*;

use super::*;
use crate::evidence::testgen;

const NOTICE: &[u8] = b"// Copyright (c) AO Kaspersky Lab\n";

fn walk(
    name: &str,
    bytes: &[u8],
    limits: &ArchiveLimits,
) -> (Vec<(String, Vec<u8>)>, ArchiveStats) {
    let mut seen = Vec::new();
    let format = sniff(bytes)
        .or_else(|| embedded_zip(bytes).then_some(Format::Zip))
        .unwrap_or_else(|| panic!("{name} not recognised"));
    let stats = walk_archive(
        name,
        bytes,
        format,
        limits,
        &PackageBudget::default(),
        &mut |e| seen.push((e.path, e.bytes.to_vec())),
    );
    (seen, stats)
}

fn walk_default(name: &str, bytes: &[u8]) -> (Vec<(String, Vec<u8>)>, ArchiveStats) {
    walk(name, bytes, &ArchiveLimits::default())
}

fn reasons(stats: &ArchiveStats) -> Vec<String> {
    stats
        .skipped
        .iter()
        .map(|s| format!("{} [{:?}] {}", s.path, s.kind, s.reason))
        .collect()
}

// --- writers --------------------------------------------------------------------------------

pub(super) fn gzip(data: &[u8]) -> Vec<u8> {
    testgen::gzip(data)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn lzma(data: &[u8]) -> Vec<u8> {
    let opts = lzma_rust2::LzmaOptions::with_preset(1);
    let mut w =
        lzma_rust2::LzmaWriter::new_use_header(Vec::new(), &opts, Some(data.len() as u64)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn sevenz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = sevenz_rust2::ArchiveWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
    for (name, data) in entries {
        w.push_archive_entry(sevenz_rust2::ArchiveEntry::new_file(name), Some(*data))
            .unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn cab(entries: &[(&str, &[u8])], ctype: cab::CompressionType) -> Vec<u8> {
    let mut b = cab::CabinetBuilder::new();
    let folder = b.add_folder(ctype);
    for (name, _) in entries {
        folder.add_file(*name);
    }
    let mut w = b.build(std::io::Cursor::new(Vec::new())).unwrap();
    let mut i = 0;
    while let Some(mut f) = w.next_file().unwrap() {
        f.write_all(entries[i].1).unwrap();
        i += 1;
    }
    w.finish().unwrap().into_inner()
}

fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A one-member stored zip rewritten in place: `method` in both headers, `flags` or'ed in.
fn patched_zip(name: &str, stored: &[u8], method: u16, flags: u16) -> Vec<u8> {
    let mut z = zip_with(&[(name, stored)], zip::CompressionMethod::Stored);
    let local = 0;
    let central = memchr::memmem::find(&z, b"PK\x01\x02").unwrap();
    for (at, flag_off, method_off) in [(local, 6, 8), (central, 8, 10)] {
        let f = u16::from_le_bytes([z[at + flag_off], z[at + flag_off + 1]]) | flags;
        z[at + flag_off..at + flag_off + 2].copy_from_slice(&f.to_le_bytes());
        z[at + method_off..at + method_off + 2].copy_from_slice(&method.to_le_bytes());
    }
    z
}

fn tar_typed(name: &str, data: &[u8], t: tar::EntryType) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(t);
    h.set_path(name).unwrap();
    h.set_cksum();
    b.append(&h, data).unwrap();
    b.into_inner().unwrap()
}

/// One archive of each format, holding `inner/notice.h` = `NOTICE` (streams: their one member).
fn every_format() -> Vec<(&'static str, Vec<u8>)> {
    let one: &[(&str, &[u8])] = &[("inner/notice.h", NOTICE)];
    vec![
        ("a.zip", testgen::zip(one)),
        ("a.tar", testgen::tar(one)),
        ("a.7z", sevenz(one)),
        ("a.cab", cab(one, cab::CompressionType::MsZip)),
        ("notice.h.gz", gzip(NOTICE)),
        ("notice.h.zz", zlib(NOTICE)),
        ("notice.h.xz", xz(NOTICE)),
        ("notice.h.lzma", lzma(NOTICE)),
        ("notice.h.bz2", bzip2(NOTICE)),
        ("notice.h.zst", zstd(NOTICE)),
    ]
}

// --- every format, found in full --------------------------------------------------------------

#[test]
fn every_format_is_recognised_and_its_member_read_in_full() {
    for (name, bytes) in every_format() {
        let (seen, stats) = walk_default(name, &bytes);
        assert_eq!(seen.len(), 1, "{name}: {:?}", reasons(&stats));
        assert_eq!(seen[0].1, NOTICE, "{name}");
        assert!(
            seen[0]
                .0
                .starts_with(name.trim_end_matches(|c| c != '.').trim_end_matches('.'))
                || seen[0].0.starts_with(name),
            "{name}: {}",
            seen[0].0
        );
        assert!(stats.skipped.is_empty(), "{name}: {:?}", reasons(&stats));
    }
}

#[test]
fn ordinary_files_are_not_archives() {
    for text in [
        &b"x^2 + y^2 = z^2, a formula on the first line of a text file\n"[..],
        b"]\0\0\x80\0 not lzma at all",
        b"fn main() {}\n",
        b"",
        b"PK",
        &[0x78, 0x9c, 0xff, 0xff, 0xff, 0xff],
    ] {
        assert_eq!(sniff(text), None, "{text:?}");
        assert!(!embedded_zip(text));
    }
}

#[test]
fn nested_zip_inside_tar_gz() {
    let inner = testgen::zip(&[("include/kav.h", NOTICE)]);
    let outer = gzip(&testgen::tar(&[
        ("sdk/readme.txt", b"hello"),
        ("sdk/sdk.zip", &inner),
    ]));
    let (seen, stats) = walk_default("vendor/sdk.tar.gz", &outer);
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "vendor/sdk.tar.gz!sdk/readme.txt",
            "vendor/sdk.tar.gz!sdk/sdk.zip!include/kav.h"
        ]
    );
    assert!(stats.skipped.is_empty(), "{:?}", reasons(&stats));
}

#[test]
fn compressed_tars_of_every_stream_format() {
    let t = testgen::tar(&[("sdk/notice.h", NOTICE)]);
    for (name, bytes) in [
        ("s.tar.xz", xz(&t)),
        ("s.tar.bz2", bzip2(&t)),
        ("s.tar.zst", zstd(&t)),
        ("s.tgz", gzip(&t)),
        ("s.tar.lzma", lzma(&t)),
        ("s.tar.zz", zlib(&t)),
    ] {
        let (seen, stats) = walk_default(name, &bytes);
        assert_eq!(
            seen,
            [(format!("{name}!sdk/notice.h"), NOTICE.to_vec())],
            "{:?}",
            reasons(&stats)
        );
    }
}

#[test]
fn every_member_of_multi_member_and_multi_frame_streams() {
    let mut gz = gzip(b"first member\n");
    gz.extend(gzip(NOTICE));
    let mut bz = bzip2(b"first member\n");
    bz.extend(bzip2(NOTICE));
    let mut zs = zstd(b"first frame\n");
    // A skippable frame between the two.
    zs.extend([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    zs.extend(zstd(NOTICE));
    let mut x = xz(b"first stream\n");
    x.extend(xz(NOTICE));
    for (name, bytes) in [("n.gz", gz), ("n.bz2", bz), ("n.zst", zs), ("n.xz", x)] {
        let (seen, stats) = walk_default(name, &bytes);
        assert_eq!(seen.len(), 1, "{name}: {:?}", reasons(&stats));
        assert!(
            seen[0].1.ends_with(NOTICE) && seen[0].1.starts_with(b"first"),
            "{name}: {:?}",
            String::from_utf8_lossy(&seen[0].1)
        );
    }
}

#[test]
fn every_tar_file_type_with_data_is_read() {
    for t in [
        tar::EntryType::Regular,
        tar::EntryType::Continuous,
        tar::EntryType::new(b'\0'),
        tar::EntryType::new(b'Z'),
    ] {
        let bytes = tar_typed("engine/notice.h", NOTICE, t);
        let (seen, stats) = walk_default("t.tar", &bytes);
        assert_eq!(seen.len(), 1, "{t:?}: {:?}", reasons(&stats));
        assert_eq!(seen[0].1, NOTICE);
    }
    // Data hidden after the end-of-archive marker is still read.
    let mut two = testgen::tar(&[("a.txt", b"a")]);
    two.extend(testgen::tar(&[("b.h", NOTICE)]));
    let (seen, _) = walk_default("two.tar", &two);
    assert_eq!(seen.len(), 2);
}

/// A GNU sparse tar holding `name`: a hole of `hole` bytes, then `data` (padded to a block),
/// its sparse map in the header or, with `extended`, in an extension block after it.
fn sparse_tar(name: &str, hole: u64, data: &[u8], extended: bool) -> Vec<u8> {
    let stored = data.len().div_ceil(512) * 512;
    let octal = |field: &mut [u8], v: u64| {
        let s = format!("{v:0w$o}\0", w = field.len() - 1);
        field.copy_from_slice(s.as_bytes());
    };
    let mut h = tar::Header::new_gnu();
    h.set_path(name).unwrap();
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::GNUSparse);
    h.set_size(stored as u64);
    let mut ext = [0u8; 512];
    let g = h.as_gnu_mut().unwrap();
    octal(&mut g.realsize, hole + stored as u64);
    if extended {
        g.isextended[0] = 1;
        octal(&mut ext[0..12], hole);
        octal(&mut ext[12..24], stored as u64);
    } else {
        octal(&mut g.sparse[0].offset, hole);
        octal(&mut g.sparse[0].numbytes, stored as u64);
    }
    h.set_cksum();
    let mut out = h.as_bytes().to_vec();
    if extended {
        out.extend(ext);
    }
    out.extend(data);
    out.resize(out.len() + stored - data.len() + 1024, 0);
    out
}

#[test]
fn sparse_tar_members_are_read_without_their_holes() {
    // Four GiB of hole and one notice: the notice is read, and no zero of the hole (before,
    // the hole was written out up to the member limit and the member listed as too large).
    for extended in [false, true] {
        let bytes = sparse_tar("engine/notice.h", 4 << 30, NOTICE, extended);
        let (seen, stats) = walk_default("s.tar", &bytes);
        assert!(stats.skipped.is_empty(), "{:?}", reasons(&stats));
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, "s.tar!engine/notice.h");
        assert!(seen[0].1.starts_with(NOTICE), "extended {extended}");
        assert!(seen[0].1.len() <= 512);
    }
    // A sparse member whose stored data the archive cuts short is listed, not passed over.
    let mut cut = sparse_tar("engine/notice.h", 4 << 30, NOTICE, false);
    cut.truncate(512 + 100);
    let (_, stats) = walk_default("cut.tar", &cut);
    assert!(!stats.skipped.is_empty());
}

#[test]
fn zip_behind_an_executable_prefix() {
    let z = testgen::zip(&[("payload/notice.h", NOTICE)]);
    let mut sfx = testgen::elf_object(b"self-extractor stub");
    sfx.extend(&z);
    assert!(sniff(&sfx).is_none() && embedded_zip(&sfx));
    let (seen, stats) = walk_default("setup.bin", &sfx);
    // The stub is handed over too: it is scanned as the executable it is.
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["setup.bin!payload/notice.h"],
        "{:?}",
        reasons(&stats)
    );
    // Nested: an executable with a zip appended, inside a tar.
    let t = testgen::tar(&[("bin/setup.exe", &sfx)]);
    let (seen, _) = walk_default("t.tar", &t);
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "t.tar!bin/setup.exe!payload/notice.h",
            "t.tar!bin/setup.exe"
        ]
    );
}

#[test]
fn zip_members_of_every_decodable_method() {
    for method in [
        zip::CompressionMethod::Stored,
        zip::CompressionMethod::Deflated,
        zip::CompressionMethod::Bzip2,
        zip::CompressionMethod::Xz,
    ] {
        let z = zip_with(&[("m/notice.h", NOTICE)], method);
        let (seen, stats) = walk_default("m.zip", &z);
        assert_eq!(seen.len(), 1, "{method:?}: {:?}", reasons(&stats));
        assert_eq!(seen[0].1, NOTICE, "{method:?}");
    }
    // Zstandard (method 93), decoded from the member's raw bytes.
    let z = patched_zip("m/notice.h", &zstd(NOTICE), 93, 0);
    let (seen, stats) = walk_default("zstd.zip", &z);
    assert_eq!(seen.len(), 1, "{:?}", reasons(&stats));
    assert_eq!(seen[0].1, NOTICE);
}

/// Deflated members are decoded whole into a buffer of their stated size; when the stated size
/// or checksum is wrong or the stream is damaged, the streaming reader reads them as it always
/// did: the walk yields exactly what `zip`'s own reader yields, or lists the member.
#[test]
fn deflated_members_with_lying_headers_read_as_the_streaming_reader_does() {
    let data: Vec<u8> = NOTICE.iter().copied().cycle().take(40_000).collect();
    let good = zip_with(&[("m/notice.h", &data)], zip::CompressionMethod::Deflated);
    let central = memchr::memmem::find(&good, b"PK\x01\x02").unwrap();
    // Header fields as (offset in the local header, offset in the central one).
    let patch = |z: &mut Vec<u8>, (local, cent): (usize, usize), value: u32| {
        z[local..local + 4].copy_from_slice(&value.to_le_bytes());
        z[central + cent..central + cent + 4].copy_from_slice(&value.to_le_bytes());
    };
    let (crc, size) = ((14, 16), (22, 24));
    let mut cases = vec![("good", good.clone())];
    for (what, field, value) in [
        ("wrong checksum", crc, 0xdead_beef),
        ("size stated smaller", size, 100),
        ("size stated larger", size, 50_000),
        ("size stated zero", size, 0),
    ] {
        let mut z = good.clone();
        patch(&mut z, field, value);
        cases.push((what, z));
    }
    let mut damaged = good.clone();
    damaged[60..68].fill(0xa5);
    cases.push(("damaged stream", damaged));
    for (what, z) in cases {
        let streamed = zip::ZipArchive::new(std::io::Cursor::new(&z[..]))
            .ok()
            .and_then(|mut a| {
                let mut out = Vec::new();
                let mut f = a.by_index(0).ok()?;
                f.read_to_end(&mut out).ok().map(|_| out)
            });
        let (seen, stats) = walk_default("m.zip", &z);
        match streamed {
            Some(out) => {
                assert_eq!(seen.len(), 1, "{what}: {:?}", reasons(&stats));
                assert!(
                    seen[0].1 == out,
                    "{what}: not what the streaming reader reads"
                );
            }
            None => {
                assert!(seen.is_empty(), "{what}");
                assert!(
                    stats.skipped.iter().any(|s| s.kind == SkipKind::Malformed),
                    "{what}: {:?}",
                    reasons(&stats)
                );
            }
        }
    }
}

#[test]
fn encrypted_and_undecodable_zip_members_are_listed() {
    let enc = patched_zip("secret/notice.h", b"\x01\x02\x03 ciphertext", 0, 1);
    let (seen, stats) = walk_default("enc.zip", &enc);
    assert!(seen.is_empty());
    assert_eq!(stats.skipped.len(), 1, "{:?}", reasons(&stats));
    assert_eq!(stats.skipped[0].path, "enc.zip!secret/notice.h");
    assert_eq!(stats.skipped[0].kind, SkipKind::Unreadable);
    assert!(stats.skipped[0].reason.contains("encrypted"));

    // Method 97 (WavPack) is not decoded: listed as not read, with the method.
    let odd = patched_zip("x/notice.h", NOTICE, 97, 0);
    let (seen, stats) = walk_default("odd.zip", &odd);
    assert!(seen.is_empty());
    assert_eq!(stats.skipped[0].path, "odd.zip!x/notice.h");
    assert_eq!(
        stats.skipped[0].kind,
        SkipKind::Unreadable,
        "{:?}",
        reasons(&stats)
    );
}

#[test]
fn corrupt_archives_of_every_format_are_listed_against_the_container() {
    for (name, bytes) in every_format() {
        for damaged in [bytes[..bytes.len() * 2 / 3].to_vec(), {
            // The middle of the payload overwritten.
            let mut b = bytes.clone();
            let mid = b.len() / 2;
            let end = (mid + 8).min(b.len());
            b[mid..end].fill(0xa5);
            b
        }] {
            let Some(format) = sniff(&damaged) else {
                continue;
            };
            let mut seen = Vec::new();
            let stats = walk_archive(
                name,
                &damaged,
                format,
                &ArchiveLimits::default(),
                &PackageBudget::default(),
                &mut |e| seen.push(e.bytes.to_vec()),
            );
            // Either the member comes out whole (the damage hit slack, or a format without a
            // checksum decoded it as it now is) or the container or member is listed.
            let intact = !seen.is_empty();
            let listed = stats.skipped.iter().any(|s| {
                matches!(
                    s.kind,
                    SkipKind::Malformed | SkipKind::Unreadable | SkipKind::Limit
                ) && s.path.starts_with(name.split('.').next().unwrap())
            });
            assert!(intact || listed, "{name}: {seen:?} {:?}", reasons(&stats));
            if !intact {
                assert!(
                    stats
                        .skipped
                        .iter()
                        .any(|s| s.reason.contains(format.name()) || s.reason.contains("member")),
                    "{name}: the reason names the container: {:?}",
                    reasons(&stats)
                );
            }
        }
    }
}

#[test]
fn decompression_bombs_stop_at_the_limits() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let limits = ArchiveLimits {
        max_entry_bytes: 1024 * 1024,
        ..Default::default()
    };
    for (name, bomb) in [
        ("z.xz", xz(&zeros)),
        ("z.bz2", bzip2(&zeros)),
        ("z.zst", zstd(&zeros)),
        ("z.gz", gzip(&zeros)),
        ("z.7z", sevenz(&[("zeros.bin", &zeros)])),
        (
            "z.cab",
            cab(&[("zeros.bin", &zeros)], cab::CompressionType::MsZip),
        ),
        (
            "z.zip",
            zip_with(&[("zeros.bin", &zeros)], zip::CompressionMethod::Bzip2),
        ),
    ] {
        assert!(bomb.len() < 256 * 1024, "{name}: {}", bomb.len());
        let (seen, stats) = walk(name, &bomb, &limits);
        assert!(seen.is_empty(), "{name}");
        assert_eq!(stats.skipped.len(), 1, "{name}: {:?}", reasons(&stats));
        assert_eq!(stats.skipped[0].kind, SkipKind::Limit);
        assert!(stats.skipped[0].reason.contains("larger than"), "{name}");
        assert!(stats.bytes <= limits.max_entry_bytes);
    }
    let total = ArchiveLimits {
        max_total_bytes: 1024 * 1024,
        ..Default::default()
    };
    let bomb = testgen::zip(&[("zeros.bin", &zeros), ("after.txt", b"ok")]);
    let (seen, stats) = walk("bomb.zip", &bomb, &total);
    assert!(seen.is_empty());
    assert!(
        stats.skipped[0].reason.contains("unpacked-size limit"),
        "{:?}",
        reasons(&stats)
    );
}

/// Many small bombs, each within the per-archive limits, stop at the run's budget: once spent,
/// every further archive is listed with the reason instead of decoded.
#[test]
fn many_small_bombs_stop_at_the_runs_budget() {
    let zeros = vec![0u8; 1024 * 1024];
    let bomb = bzip2(&zeros);
    let limits = ArchiveLimits {
        run: RunBudget::new(3 * 1024 * 1024, std::time::Duration::from_secs(600)),
        ..Default::default()
    };
    // The budget is shared by the clones the packages of a run hold.
    let clones: Vec<ArchiveLimits> = (0..6).map(|_| limits.clone()).collect();
    let mut decoded = 0;
    let mut refused = Vec::new();
    for (i, l) in clones.iter().enumerate() {
        let (seen, stats) = walk(&format!("b{i}.bz2"), &bomb, l);
        decoded += seen.len();
        refused.extend(stats.skipped.into_iter().map(|s| s.reason));
    }
    assert_eq!(decoded, 3, "{refused:?}");
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(
        refused
            .iter()
            .all(|r| r.contains("the run's decoding budget"))
    );
    // A new run has a budget of its own; the bounds, not what was spent, make up its identity.
    assert_eq!(ArchiveLimits::default(), ArchiveLimits::default());
    assert_eq!(
        format!("{:?}", limits.run),
        format!(
            "{:?}",
            RunBudget::new(3 * 1024 * 1024, std::time::Duration::from_secs(600))
        )
    );
}

#[test]
fn entry_count_and_depth_limits() {
    let many: Vec<(String, Vec<u8>)> = (0..20).map(|i| (format!("f{i}"), vec![b'x'])).collect();
    let refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let z = testgen::zip(&refs);
    let (seen, stats) = walk(
        "many.zip",
        &z,
        &ArchiveLimits {
            max_entries: 5,
            ..Default::default()
        },
    );
    assert_eq!(seen.len(), 5);
    assert!(
        stats
            .skipped
            .iter()
            .any(|s| s.reason.contains("entry limit"))
    );

    let mut nested = testgen::zip(&[("core.txt", b"deep")]);
    for level in 0..5 {
        nested = testgen::zip(&[(&format!("level{level}.zip"), &nested)]);
    }
    let (seen, stats) = walk_default("nest.zip", &nested);
    assert!(seen.is_empty());
    assert!(
        stats
            .skipped
            .iter()
            .any(|s| s.reason.contains("nested deeper") && s.kind == SkipKind::Limit),
        "{:?}",
        reasons(&stats)
    );
}

#[test]
fn nested_tar_xz_in_zip_in_multi_member_gzip() {
    let txz = xz(&testgen::tar(&[("sdk/notice.h", NOTICE)]));
    let z = testgen::zip(&[("pkg/sdk.tar.xz", &txz)]);
    let mut gz = gzip(b"");
    gz.extend(gzip(&z));
    let (seen, stats) = walk_default("bundle.zip.gz", &gz);
    assert_eq!(
        seen,
        [(
            "bundle.zip!pkg/sdk.tar.xz!sdk/notice.h".to_string(),
            NOTICE.to_vec()
        )],
        "{:?}",
        reasons(&stats)
    );
}

#[test]
fn traversal_names_are_scanned_in_memory_and_noted() {
    let t = testgen::tar(&[("../../etc/evil.txt", b"Copyright Kaspersky Lab")]);
    let (seen, stats) = walk_default("x.tar", &t);
    assert_eq!(seen.len(), 1);
    assert!(stats.skipped[0].reason.contains("path traversal"));
    assert_eq!(stats.skipped[0].kind, SkipKind::Note);
}

#[test]
fn stream_member_names() {
    assert_eq!(formats_inner("x/notes.txt.gz", Format::Gzip), "x/notes.txt");
    assert_eq!(formats_inner("sdk.TGZ", Format::Gzip), "sdk.tar");
    assert_eq!(formats_inner("blob", Format::Xz), "blob!data");
    assert_eq!(formats_inner("a.zip!b.zst", Format::Zstd), "a.zip!b");
}

fn formats_inner(name: &str, f: Format) -> String {
    formats::inner_name(name, f)
}

// --- the invariant under damage ---------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Truncated or bit-flipped archives of every format: no panic, limits kept, and the walk
    /// either yields members or lists something as not scanned (never a silent nothing).
    #[test]
    fn damaged_archives_never_pass_silently(
        which in 0usize..10,
        cut in 1usize..4096,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..4),
    ) {
        let all = every_format();
        let (name, bytes) = all[which].clone();
        walk_damaged(name, bytes, cut, &flips)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Truncated or bit-flipped installers (a compound file, its database and an embedded
    /// cabinet): no panic, limits kept, and the walk yields streams or lists the file.
    #[test]
    fn damaged_installers_never_pass_silently(
        cut in 1usize..65536,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..6),
    ) {
        static MSI: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
            let cabinet = cab(&[("kavsdk/notice.h", NOTICE)], cab::CompressionType::MsZip);
            testgen::msi(
                Some("Example Widgets Ltd."),
                &[("Manufacturer", "AO Kaspersky Lab")],
                &[("cab1.cab", &cabinet)],
                Some(&testgen::signed_data("CN=Kaspersky Lab,O=AO Kaspersky Lab,C=RU", None)),
            )
        });
        walk_damaged("p.msi", MSI.clone(), cut, &flips)?;
    }
}

/// `bytes` cut short at `cut` (without flips) or with bits flipped.
fn damage(mut bytes: Vec<u8>, cut: usize, flips: &[(prop::sample::Index, u8)]) -> Vec<u8> {
    let len = bytes.len();
    if flips.is_empty() {
        bytes.truncate(1 + cut % (len - 1));
    }
    for (at, bit) in flips {
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
    }
    bytes
}

/// The small limits damaged archives are walked within.
fn damaged_limits() -> ArchiveLimits {
    ArchiveLimits {
        max_total_bytes: 1 << 20,
        max_entry_bytes: 1 << 18,
        ..Default::default()
    }
}

/// `bytes` cut short at `cut` (without flips) or with bits flipped, walked: limits kept, and
/// the walk yields members or lists something as not scanned (never a silent nothing).
fn walk_damaged(
    name: &str,
    bytes: Vec<u8>,
    cut: usize,
    flips: &[(prop::sample::Index, u8)],
) -> Result<(), TestCaseError> {
    let bytes = damage(bytes, cut, flips);
    let limits = damaged_limits();
    let Some(format) = sniff(&bytes) else {
        return Ok(());
    };
    let mut total = 0u64;
    let mut seen = 0usize;
    let budget = PackageBudget::default();
    let stats = walk_archive(name, &bytes, format, &limits, &budget, &mut |e| {
        total += e.bytes.len() as u64;
        seen += 1;
    });
    prop_assert!(total <= limits.max_total_bytes);
    let listed = stats
        .skipped
        .iter()
        .any(|s| !matches!(s.kind, SkipKind::Note | SkipKind::Truncated));
    prop_assert!(
        seen > 0 || listed,
        "{name}: nothing found and nothing listed"
    );
    Ok(())
}

/// A stream whose header asks for more decoder memory than allowed is still recognised when it
/// is one (and refused with the reason), while data that only looks like the 13-byte header
/// (as zlib-rs's `inflate_buf_error.dat` does) is not taken for an archive.
#[test]
fn over_the_memory_limit_is_recognised_only_when_it_decodes() {
    let mut real = lzma(NOTICE);
    // 512 MiB: over the limit; the first bytes still decode with a small window.
    real[1..5].copy_from_slice(&(512u32 << 20).to_le_bytes());
    assert_eq!(sniff(&real), Some(Format::Lzma));
    let mut fake = vec![0x0a, 0, 0, 0, 6, 0, 0, 0, 0, 0, 1, 0, 0];
    fake.extend_from_slice(&[0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 16, 0, 6, 0, 0, 0]);
    fake.extend(std::iter::repeat_n(0u8, 4096));
    assert_eq!(sniff(&fake), None);
    // A zeroed table: properties 0, a 16 KiB dictionary, a stated size of nothing, and bytes
    // that "decode" to nothing (icu_collections' `planes.rs`, written out as an array).
    let mut table = vec![0u8, 0, 0x40, 0, 0];
    table.extend(std::iter::repeat_n(0u8, 2000));
    assert_eq!(sniff(&table), None);
    // Two zero bytes stated, in a table of a thousand (pest's `script.rs`).
    let mut table = vec![0u8, 0, 0, 0, 1, 2];
    table.extend(std::iter::repeat_n(0u8, 1000));
    assert_eq!(sniff(&table), None);
    // A real stream of a few bytes is one.
    assert_eq!(sniff(&lzma(b"ab")), Some(Format::Lzma));
}

// --- compound files: Windows Installer packages -------------------------------------------------

#[test]
fn an_installers_streams_are_walked_and_its_cabinet_opened() {
    let cabinet = cab(&[("kavsdk/notice.h", NOTICE)], cab::CompressionType::MsZip);
    let bytes = testgen::msi(
        Some("Example Widgets Ltd."),
        &[
            ("Manufacturer", "AO Kaspersky Lab"),
            ("ProductName", "Widget"),
        ],
        &[("cab1.cab", &cabinet), ("Binary.helper", b"helper bytes")],
        None,
    );
    assert_eq!(sniff(&bytes), Some(Format::Cfb));
    let (seen, stats) = walk_default("setup.msi", &bytes);
    assert!(reasons(&stats).is_empty(), "{:?}", reasons(&stats));
    let names: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    assert!(
        names.contains(&"setup.msi!cab1.cab!kavsdk/notice.h"),
        "{names:?}"
    );
    assert!(names.contains(&"setup.msi!Binary.helper"), "{names:?}");
    assert!(names.contains(&"setup.msi!table:_StringData"), "{names:?}");
    assert!(
        names.contains(&"setup.msi!\\u{5}SummaryInformation"),
        "{names:?}"
    );
    let member = seen.iter().find(|(p, _)| p.ends_with("notice.h")).unwrap();
    assert_eq!(member.1, NOTICE);
    // The string pool holds the property values, as written.
    let pool = seen
        .iter()
        .find(|(p, _)| p.ends_with("_StringData"))
        .unwrap();
    assert!(pool.1.windows(16).any(|w| w == b"AO Kaspersky Lab"));
    // The header, read from the database.
    assert_eq!(stats.installers.len(), 1);
    let h = &stats.installers[0];
    assert_eq!((h.path.as_str(), h.kind), ("setup.msi", "msi"));
    assert_eq!(
        h.fields,
        [
            ("Author", "Example Widgets Ltd.".to_string()),
            ("Manufacturer", "AO Kaspersky Lab".to_string())
        ]
    );
    assert_eq!(h.signature, None);
}

#[test]
fn an_installer_inside_a_zip_gives_its_header_and_signature() {
    let der = testgen::signed_data("CN=Kaspersky Lab,O=AO Kaspersky Lab,C=RU", None);
    let inner = testgen::msi(
        None,
        &[("ARPHELPLINK", "https://support.example")],
        &[],
        Some(&der),
    );
    let bytes = testgen::zip(&[("dist/product.msi", &inner)]);
    let (_, stats) = walk_default("bundle.zip", &bytes);
    assert!(reasons(&stats).is_empty(), "{:?}", reasons(&stats));
    assert_eq!(stats.installers.len(), 1);
    let h = &stats.installers[0];
    assert_eq!(h.path, "bundle.zip!dist/product.msi");
    assert_eq!(
        h.fields,
        [("ARPHELPLINK", "https://support.example".to_string())]
    );
    assert_eq!(h.signature.as_deref(), Some(der.as_slice()));
}

#[test]
fn a_compound_file_that_is_no_installer_is_walked_without_a_header() {
    let mut comp = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    comp.create_storage("/ObjectPool").unwrap();
    comp.create_stream("/ObjectPool/WordDocument")
        .unwrap()
        .write_all(NOTICE)
        .unwrap();
    comp.flush().unwrap();
    let bytes = comp.into_inner().into_inner();
    let (seen, stats) = walk_default("report.doc", &bytes);
    assert!(reasons(&stats).is_empty(), "{:?}", reasons(&stats));
    assert_eq!(
        seen,
        [(
            "report.doc!ObjectPool/WordDocument".to_string(),
            NOTICE.to_vec()
        )]
    );
    assert!(stats.installers.is_empty());
}

#[test]
fn installer_stream_names_decode_as_the_installer_writes_them() {
    // The names the installer library itself encodes, read back through the walk.
    for name in ["cab1.cab", "Binary.CustomAction_1", "A.b_c9", "x"] {
        let bytes = testgen::msi(None, &[], &[(name, b"data")], None);
        let (seen, _) = walk_default("p.msi", &bytes);
        let want = format!("p.msi!{name}");
        assert!(seen.iter().any(|(p, _)| *p == want), "{name}: {:?}", seen);
    }
}

#[test]
fn a_truncated_compound_file_is_listed_as_malformed() {
    let cabinet = cab(&[("kavsdk/notice.h", NOTICE)], cab::CompressionType::MsZip);
    let bytes = testgen::msi(None, &[], &[("cab1.cab", &cabinet)], None);
    let (_, stats) = walk_default("setup.msi", &bytes[..bytes.len() / 2]);
    let r = reasons(&stats);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        r[0].contains("setup.msi") && r[0].contains("compound file"),
        "{r:?}"
    );
}

#[test]
fn an_installers_header_is_not_read_from_oversized_tables() {
    // A string pool past its bound (17 MiB of string data): the streams are walked, the
    // database's rows are not materialised.
    let big = "x".repeat(17 << 20);
    let bytes = testgen::msi(
        None,
        &[("Manufacturer", "AO Kaspersky Lab"), ("Padding", &big)],
        &[],
        None,
    );
    let limits = ArchiveLimits {
        max_entry_bytes: 32 << 20,
        ..Default::default()
    };
    let (seen, stats) = walk("big.msi", &bytes, &limits);
    assert!(stats.installers.is_empty());
    assert!(seen.iter().any(|(p, _)| p.ends_with("table:Property")));
    // Within bounds, the same reader reads it.
    let small = testgen::msi(None, &[("Manufacturer", "AO Kaspersky Lab")], &[], None);
    let (_, stats) = walk_default("small.msi", &small);
    assert_eq!(stats.installers.len(), 1);
}

// --- SquashFS images and AppImages --------------------------------------------------------------

/// Files of an SDK as a snap or an AppImage would carry them.
const SDK_FILES: &[(&str, &[u8])] = &[
    ("usr/share/doc/sdk/NOTICE", NOTICE),
    ("usr/lib/libsdk.so", b"\x7fELF not really a library\n"),
    ("README", b"a readme\n"),
];

fn sorted(mut seen: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    seen.sort();
    seen
}

#[test]
fn a_squashfs_image_yields_its_regular_files() {
    let image = testgen::squashfs(SDK_FILES);
    assert_eq!(sniff(&image), Some(Format::Squashfs));
    let (seen, stats) = walk_default("sdk.snap", &image);
    assert!(reasons(&stats).is_empty(), "{:?}", reasons(&stats));
    let want: Vec<(String, Vec<u8>)> = SDK_FILES
        .iter()
        .map(|(p, b)| (format!("sdk.snap!{p}"), b.to_vec()))
        .collect();
    assert_eq!(sorted(seen), sorted(want));
}

#[test]
fn an_appimages_payload_is_found_after_its_runtime() {
    let app = testgen::appimage(SDK_FILES);
    assert_eq!(sniff(&app), None, "an ELF executable first");
    let (at, format) = appended(&app).expect("an image after the runtime");
    assert_eq!(format, Format::Squashfs);
    let (seen, stats) = walk_default("sdk.AppImage", &app[at..]);
    assert!(reasons(&stats).is_empty(), "{:?}", reasons(&stats));
    assert_eq!(seen.len(), SDK_FILES.len());
    // An executable with nothing appended, or something else appended, has no payload.
    let runtime = &app[..at];
    assert_eq!(appended(runtime), None);
    assert_eq!(
        appended(&[runtime, b"hsqs and then some text".repeat(8).as_slice()].concat()),
        None
    );
}

#[test]
fn an_image_in_a_compression_not_read_is_listed() {
    let mut image = testgen::squashfs(SDK_FILES);
    // The superblock's compressor id: 3 is LZO.
    image[20..22].copy_from_slice(&3u16.to_le_bytes());
    let (seen, stats) = walk_default("sdk.snap", &image);
    assert!(seen.is_empty());
    let listed = &stats.skipped;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].kind, SkipKind::Unreadable);
    assert!(listed[0].reason.contains("LZO"), "{listed:?}");
}

#[test]
fn text_that_begins_like_an_image_is_text() {
    assert_eq!(sniff(&b"hsqs: a word, then prose ".repeat(8)), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Truncated or bit-flipped SquashFS images: no panic, limits kept, and the walk yields
    /// files or lists the image.
    #[test]
    fn damaged_squashfs_images_never_pass_silently(
        cut in 1usize..4096,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..6),
    ) {
        static IMAGE: std::sync::LazyLock<Vec<u8>> =
            std::sync::LazyLock::new(|| testgen::squashfs(SDK_FILES));
        walk_damaged("sdk.snap", IMAGE.clone(), cut, &flips)?;
    }
}

// --- PDF documents -----------------------------------------------------------------------------

fn walk_pdf(name: &str, bytes: &[u8]) -> (Vec<(String, Vec<u8>)>, ArchiveStats) {
    assert_eq!(sniff(bytes), None, "a PDF is read as itself too");
    let (at, format) = appended(bytes).expect("a PDF");
    assert_eq!((at, format), (0, Format::Pdf));
    let mut seen = Vec::new();
    let stats = walk_archive(
        name,
        bytes,
        format,
        &ArchiveLimits::default(),
        &PackageBudget::default(),
        &mut |e| seen.push((e.path, e.bytes.to_vec())),
    );
    (seen, stats)
}

#[test]
fn a_pdfs_deflated_streams_are_its_members() {
    let zipped = zip_with(
        &[("kavsdk/notice.h", NOTICE)],
        zip::CompressionMethod::Deflated,
    );
    let doc = testgen::pdf(
        &["Engine SDK", "Copyright (c) 2024 AO Kaspersky Lab."],
        "AO Kaspersky Lab",
        &[("sdk.zip", &zipped)],
    );
    assert!(!doc.windows(9).any(|w| w.eq_ignore_ascii_case(b"kaspersky")));
    let (seen, stats) = walk_pdf("manual.pdf", &doc);
    assert!(reasons(&stats).is_empty(), "{:?}", reasons(&stats));
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    // The object stream (catalog and document information), the page's text, the attachment
    // walked as the zip it is; the cross-reference stream's binary rows too.
    assert_eq!(
        names,
        [
            "manual.pdf!object 3",
            "manual.pdf!object 6",
            "manual.pdf!object 8!kavsdk/notice.h",
            "manual.pdf!object 9",
        ]
    );
    let text = |i: usize| String::from_utf8_lossy(&seen[i].1).into_owned();
    assert!(
        text(0).contains("/Author (AO Kaspersky Lab)"),
        "{}",
        text(0)
    );
    // The page's content stream, as the text it shows.
    assert_eq!(
        text(1),
        "Engine SDK\nCopyright (c) 2024 AO Kaspersky Lab.\n",
        "{}",
        text(1)
    );
    assert_eq!(seen[2].1, NOTICE);
}

/// A page's text kerned into pieces (`[(Kasp)-30(ersky Lab.)] TJ`, as nearly every PDF writer
/// sets proportional type), or written with escapes, reads as it shows, deflated or not.
#[test]
fn a_pdf_pages_text_reads_as_it_shows() {
    let kerned = "[(Copyright \\(c\\) 2024 AO Kasp)-30(ersky)-250(Lab.)]";
    let escaped = "[(AO \\113as)20(p)-10(ersky L)15(ab)]";
    let doc = testgen::pdf(&[kerned, escaped], "Example", &[]);
    assert!(!doc.windows(9).any(|w| w.eq_ignore_ascii_case(b"kaspersky")));
    let (seen, _) = walk_pdf("eula.pdf", &doc);
    let page = seen
        .iter()
        .find(|(n, _)| n == "eula.pdf!object 6")
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap();
    assert_eq!(
        page,
        "Copyright (c) 2024 AO Kaspersky Lab.\nAO Kaspersky Lab\n"
    );
    // Stored as it is (no filter): the file's bytes hold the pieces, the member the text.
    let plain = "%PDF-1.4\n1 0 obj\n<< /Length 60 >>\nstream\nBT [(AO Kasp)-30(ersky Lab)] TJ ET\nendstream\nendobj\n%%EOF\n";
    let (seen, _) = walk_pdf("plain.pdf", plain.as_bytes());
    assert_eq!(
        seen.iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect::<Vec<_>>(),
        ["AO Kaspersky Lab\n"]
    );
}

#[test]
fn pdf_streams_are_found_by_their_keywords_and_filters() {
    let deflated = |b: &[u8]| {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    let text = deflated(b"(AO Kaspersky Lab) Tj");
    let mut doc =
        b"%PDF-1.4\n1 0 obj\n<< /Length 5 >>\nstream\nplain\nendstream\nendobj\n".to_vec();
    // Prose that says `upstream`, an image (another filter), a predictor (cross-reference rows).
    doc.extend(b"% the upstream stream of objects\n");
    for (n, dict) in [
        (2, "/Filter /FlateDecode"),
        (3, "/Filter [/FlateDecode]"),
        (4, "/Filter /DCTDecode"),
        (5, "/Filter [/ASCII85Decode /FlateDecode]"),
        (
            6,
            "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 5 >>",
        ),
    ] {
        doc.extend(
            format!(
                "{n} 0 obj\r\n<< {dict} /Length {} >>\r\nstream\r\n",
                text.len()
            )
            .into_bytes(),
        );
        doc.extend(&text);
        doc.extend(b"\r\nendstream\r\nendobj\r\n");
    }
    // A stream whose checksum is wrong and whose data ends in stray bytes: read as far as its
    // deflate data goes, as PDF readers read it.
    doc.extend(b"7 0 obj << /Filter /FlateDecode >> stream\n");
    doc.extend(&text[..text.len() - 4]);
    doc.extend(b"garbage\nendstream endobj\n%%EOF\n");
    let (seen, stats) = walk_pdf("doc.pdf", &doc);
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["doc.pdf!object 2", "doc.pdf!object 3", "doc.pdf!object 7"]
    );
    assert!(
        seen.iter()
            .all(|(_, b)| b.starts_with(b"(AO Kaspersky Lab)")),
        "{seen:?}"
    );
    assert!(stats.skipped.is_empty(), "{:?}", stats.skipped);
    // A PDF without a deflated stream is a document, not a damaged archive.
    let plain =
        b"%PDF-1.4\n1 0 obj\n<< /Length 5 >>\nstream\nplain\nendstream\nendobj\n%%EOF\n".repeat(4);
    let (seen, stats) = walk_pdf("plain.pdf", &plain);
    assert!(
        seen.is_empty() && stats.skipped.is_empty(),
        "{:?}",
        stats.skipped
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Truncated or bit-flipped PDFs: no panic, limits kept.
    #[test]
    fn damaged_pdfs_are_read_without_panic(
        cut in 1usize..4096,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..6),
    ) {
        static DOC: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
            testgen::pdf(&["Copyright (c) AO Kaspersky Lab"], "AO Kaspersky Lab", &[("a.txt", NOTICE)])
        });
        let bytes = damage(DOC.clone(), cut, &flips);
        let limits = damaged_limits();
        let mut total = 0u64;
        walk_archive("p.pdf", &bytes, Format::Pdf, &limits, &PackageBudget::default(), &mut |e| {
            total += e.bytes.len() as u64;
        });
        prop_assert!(total <= limits.max_total_bytes);
    }
}

// --- what a zip holds outside its members -------------------------------------------------------

#[test]
fn a_zips_comments_and_the_bytes_between_its_members_are_read() {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("a.c", opts).unwrap();
    w.write_all(b"int a;\n").unwrap();
    w.set_comment("Engine SDK. Copyright (c) AO Kaspersky Lab.")
        .unwrap();
    let plain = w.finish().unwrap().into_inner();
    let (seen, _) = walk_default("sdk.zip", &plain);
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["sdk.zip!a.c", "sdk.zip!(zip comments)"]);
    assert_eq!(seen[1].1, b"Engine SDK. Copyright (c) AO Kaspersky Lab.\n");

    // A payload hidden between the last member and the central directory, as an Android
    // signing block sits there.
    let apk = testgen::apk_v2_signed(&[("a.c", b"int a;\n")], &["CN=Example,O=Example,C=GB"]);
    let (seen, _) = walk_default("app.apk", &apk);
    let outside: Vec<&(String, Vec<u8>)> = seen
        .iter()
        .filter(|(n, _)| n == "app.apk!(bytes outside members)")
        .collect();
    assert_eq!(outside.len(), 1, "{seen:?}");
    assert!(outside[0].1.ends_with(b"APK Sig Block 42"));
    // Behind an executable prefix (the reader's offsets are the file's): the same gap, and not
    // the prefix, which is the file's own bytes.
    let sfx = [
        b"\x7fELF stub: unpacks the payload below\n".repeat(20),
        apk.clone(),
    ]
    .concat();
    let (seen, _) = walk_default("app.run", &sfx);
    let gap: Vec<&Vec<u8>> = seen
        .iter()
        .filter(|(n, _)| n == "app.run!(bytes outside members)")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(gap, [&outside[0].1]);

    // An ordinary zip, members written with data descriptors: nothing outside them.
    let (seen, _) = walk_default("x.zip", &testgen::zip(&[("a", NOTICE), ("b", NOTICE)]));
    assert_eq!(
        seen.len(),
        2,
        "{:?}",
        seen.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
}

/// Apple's pbzx: chunks of xz or stored bytes, read as one stream whatever their mix.
#[test]
fn pbzx_chunks_are_read_as_one_stream() {
    let first = b"first chunk, compressed; ".repeat(50);
    let second = b"second chunk, stored".to_vec();
    let mut xz =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    std::io::Write::write_all(&mut xz, &first).unwrap();
    let xz = xz.finish().unwrap();
    let mut b = b"pbzx".to_vec();
    b.extend((1u64 << 24).to_be_bytes());
    b.extend((1u64 << 24).to_be_bytes());
    b.extend((xz.len() as u64).to_be_bytes());
    b.extend(&xz);
    b.extend(0u64.to_be_bytes());
    b.extend((second.len() as u64).to_be_bytes());
    b.extend(&second);
    assert_eq!(sniff(&b), Some(Format::Pbzx));
    let (got, _) = walk_default("Payload", &b);
    let bytes: Vec<Vec<u8>> = got.into_iter().map(|(_, b)| b).collect();
    assert_eq!(bytes, [[first.as_slice(), second.as_slice()].concat()]);
    // A chunk that runs past the end is a malformed stream, not a silent pass.
    let (_, stats) = walk_default("Payload", &b[..b.len() - 4]);
    assert!(!stats.skipped.is_empty(), "{:?}", reasons(&stats));
}

#[test]
fn a_stored_walk_reads_what_is_stored_and_names_what_is_compressed() {
    let stored_only = |name: &str, bytes: &[u8]| {
        let mut seen = Vec::new();
        let format = sniff(bytes).unwrap();
        let stats = walk_stored(
            name,
            bytes,
            format,
            &ArchiveLimits::default(),
            &PackageBudget::default(),
            &mut |e| seen.push(e.path),
        );
        (seen, stats)
    };
    // A zip's stored member is visited, a deflated one named; a stored member that is itself
    // compressed is named (nested) and left packed.
    let inner_gz = gzip(NOTICE);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("a.txt", stored).unwrap();
    w.write_all(NOTICE).unwrap();
    w.start_file("b.txt", deflated).unwrap();
    w.write_all(NOTICE).unwrap();
    w.start_file("c.gz", stored).unwrap();
    w.write_all(&inner_gz).unwrap();
    let z = w.finish().unwrap().into_inner();
    let (seen, stats) = stored_only("t.zip", &z);
    assert_eq!(seen, ["t.zip!a.txt"]);
    assert_eq!(stats.listed, ["t.zip!b.txt"]);
    assert_eq!(stats.nested, ["t.zip!c.gz"]);
    assert_eq!(stats.packed, 2);
    assert!(reasons(&stats).is_empty(), "{:?}", reasons(&stats));
    // The same zip walked as ever: everything.
    let (seen, stats) = walk_default("t.zip", &z);
    let seen: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(seen, ["t.zip!a.txt", "t.zip!b.txt", "t.zip!c"]);
    assert_eq!((stats.listed.len(), stats.packed), (0, 0));
    // An uncompressed tar is read; a compressed stream is not opened, and is not "damaged".
    let t = tar_typed("x/notice.txt", NOTICE, tar::EntryType::Regular);
    assert_eq!(stored_only("t.tar", &t).0, ["t.tar!x/notice.txt"]);
    let (seen, stats) = stored_only("t.gz", &inner_gz);
    assert!(seen.is_empty());
    assert_eq!(stats.packed, 1);
    assert!(stats.skipped.is_empty(), "{:?}", reasons(&stats));
}
