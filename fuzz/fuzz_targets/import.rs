//! Fuzz the list importers: every format of the library's table (CSL CSV and JSON,
//! OpenSanctions JSON lines, and this project's TOML), so a new format is fuzzed when added.
#![no_main]
use cargo_entitycheck::entity::import::{ListFormat, parse};
use cargo_entitycheck::named::Named;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for &f in ListFormat::ALL {
        let _ = parse(text, "fuzz", f);
    }
});
