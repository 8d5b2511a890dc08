//! Fuzz the binary inspectors (PE, ELF, Mach-O, fat, ar) and the raw-string extractor.
#![no_main]
use std::sync::OnceLock;

use cargo_entitycheck::evidence::binary;
use cargo_entitycheck::evidence::needles::Needles;
use libfuzzer_sys::fuzz_target;

fn needles() -> &'static Needles {
    static N: OnceLock<Needles> = OnceLock::new();
    N.get_or_init(|| Needles::new(["kaspersky", "касперск", "kaspersky.com"]))
}

fuzz_target!(|data: &[u8]| {
    let _ = binary::sniff(data);
    let _ = binary::inspect_binary(data, needles());
    let _ = binary::hit_strings(data, needles());
    let _ = binary::authenticode_subjects(data);
});
