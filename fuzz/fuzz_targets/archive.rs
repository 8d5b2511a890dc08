//! Fuzz the archive walker, every format (zip, tar, 7z, cab; gzip, zlib, xz, lzma, lzip, bzip2,
//! zstd) with small limits: never panics, never decodes past them. Seed the corpus with one
//! small archive of each format.
#![no_main]
use cargo_entitycheck::evidence::archive::{
    ArchiveEntry, ArchiveLimits, Format, embedded_zip, sniff, walk_archive,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ArchiveLimits {
        max_depth: 3,
        max_total_bytes: 1 << 20,
        max_entries: 64,
        max_entry_bytes: 1 << 18,
        ..Default::default()
    };
    // Recognised data as what it is; anything else forced through each decoder in turn, so
    // every format's parser sees arbitrary input.
    let formats: Vec<Format> = match sniff(data) {
        Some(f) => vec![f],
        None if embedded_zip(data) => vec![Format::Zip],
        None => {
            let i = data.first().copied().unwrap_or(0) as usize % ALL.len();
            vec![ALL[i]]
        }
    };
    for format in formats {
        let mut total = 0u64;
        let mut visit = |e: ArchiveEntry<'_>| total += e.bytes.len() as u64;
        let _ = walk_archive("fuzz", data, format, &limits, &mut visit);
        assert!(total <= limits.max_total_bytes);
    }
});

const ALL: [Format; 11] = [
    Format::Zip,
    Format::Tar,
    Format::SevenZ,
    Format::Cab,
    Format::Gzip,
    Format::Zlib,
    Format::Xz,
    Format::Lzma,
    Format::Lzip,
    Format::Bzip2,
    Format::Zstd,
];
