//! Fuzz the archive walker (zip, tar, gzip) with small limits: never panics, never exceeds them.
#![no_main]
use cargo_entitycheck::evidence::archive::{ArchiveLimits, walk_archive};
use cargo_entitycheck::evidence::binary::{FileKind, sniff};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ArchiveLimits {
        max_depth: 3,
        max_total_bytes: 1 << 20,
        max_entries: 64,
        max_entry_bytes: 1 << 18,
    };
    let kind = match sniff(data) {
        k @ (FileKind::Zip | FileKind::Tar | FileKind::Gzip) => k,
        _ => FileKind::Zip,
    };
    let mut total = 0u64;
    let mut visit =
        |e: cargo_entitycheck::evidence::archive::ArchiveEntry<'_>| total += e.bytes.len() as u64;
    let _ = walk_archive("fuzz.zip", data, kind, &limits, &mut visit);
    assert!(total <= limits.max_total_bytes);
});
