//! Fuzz the binary inspectors (PE, ELF, Mach-O, fat, ar, WebAssembly) and the raw-string
//! extractor. The corpus starts from the generated fixtures and the hostile shapes of
//! `testgen::fuzz_seeds` (nested fat Mach-Os, ELFs whose sections all cover the whole file).
#![no_main]
use std::sync::OnceLock;

use cargo_entitycheck::evidence::binary;
use cargo_entitycheck::evidence::budget::{PackageBudget, PackageLimits};
use cargo_entitycheck::evidence::needles::Needles;
use libfuzzer_sys::fuzz_target;

fn needles() -> &'static Needles {
    static N: OnceLock<Needles> = OnceLock::new();
    N.get_or_init(|| Needles::new(["kaspersky", "касперск", "kaspersky.com"]))
}

/// A package budget below the per-file bound, so that both stop inspections.
const MAX_BINARIES: u64 = 20_000;

fuzz_target!(|data: &[u8]| {
    let budget = PackageBudget::new(&PackageLimits {
        max_binaries: MAX_BINARIES,
        ..Default::default()
    });
    let _ = binary::sniff(data);
    let _ = binary::inspect_binary(data, needles(), &budget);
    // One refused inspection ends the file's.
    assert!(budget.spent().binaries <= MAX_BINARIES + 1);
    let _ = binary::hit_strings(data, needles());
    let _ = binary::authenticode_subjects(data);
});
