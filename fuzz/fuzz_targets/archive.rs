//! Fuzz the archive walker, every format (zip, tar, 7z, cab; gzip, zlib, xz, lzma, lzip, bzip2,
//! zstd) with small limits: never panics, never decodes past them. Seed the corpus with one
//! small archive of each format.
#![no_main]
use cargo_entitycheck::evidence::archive::{
    ArchiveEntry, ArchiveLimits, Format, embedded_zip, sniff, walk_archive,
};
use cargo_entitycheck::evidence::budget::{PackageBudget, PackageLimits};
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
    // A package's budget smaller than the archive's limits, so that both stop walks.
    let budget = PackageBudget::new(&PackageLimits {
        max_unpacked_bytes: 512 * 1024,
        max_decode_seconds: 10,
        max_archive_members: 48,
        max_binaries: 64,
    });
    for format in formats {
        let mut total = 0u64;
        let mut visit = |e: ArchiveEntry<'_>| total += e.bytes.len() as u64;
        let _ = walk_archive("fuzz", data, format, &limits, &budget, &mut visit);
        assert!(total <= limits.max_total_bytes);
        let spent = budget.spent();
        assert!(spent.unpacked_bytes <= 512 * 1024);
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
