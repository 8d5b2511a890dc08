//! Fuzz the deep scan of one package held in memory, the input its one file: whatever it is
//! (an archive, a compressed stream, a .deb or .rpm, a binary, text) it is walked as the scan
//! walks any file, within small per-archive limits and a small per-package budget. Never panics;
//! never decodes or inspects past the budget; the same bytes list the same things. The corpus
//! starts from the hostile shapes of `testgen::fuzz_seeds` (a compressed ELF of 30,000
//! overlapping sections, a nested fat Mach-O, a tar of 2,000 small bzip2 bombs).
#![no_main]
use std::sync::OnceLock;

use cargo_entitycheck::evidence::archive::{ArchiveLimits, RunBudget};
use cargo_entitycheck::evidence::budget::PackageLimits;
use cargo_entitycheck::evidence::deep::{DeepOptions, Scanner};
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let words = ["kaspersky".to_string(), "касперск".to_string()];
        let options = DeepOptions {
            archive: ArchiveLimits {
                max_depth: 3,
                max_total_bytes: 8 << 20,
                max_entries: 256,
                max_entry_bytes: 4 << 20,
                // The scanner lives for the whole session: a run's budget would run out.
                run: RunBudget::new(u64::MAX, std::time::Duration::MAX),
            },
            package: PackageLimits {
                max_unpacked_bytes: 16 << 20,
                max_decode_seconds: 5,
                max_archive_members: 512,
                max_binaries: 4096,
            },
            ..Default::default()
        };
        Scanner::new(&words, &words, options)
    })
}

fuzz_target!(|data: &[u8]| {
    let files = [("fuzz.bin".to_string(), data.to_vec())];
    let first = scanner().scan_dependency_in_memory(&files, Vec::new());
    // Only the decoding time may differ between two runs: when it did not run out, the same
    // bytes give the same listing.
    if !first
        .skipped
        .iter()
        .any(|s| s.reason.contains("s in decoders"))
    {
        let second = scanner().scan_dependency_in_memory(&files, Vec::new());
        if !second
            .skipped
            .iter()
            .any(|s| s.reason.contains("s in decoders"))
        {
            assert_eq!(first.skipped, second.skipped);
            assert_eq!(first.evidence, second.evidence);
        }
    }
});
