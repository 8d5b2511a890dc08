//! Fuzz the list importers (CSL CSV and JSON, OpenSanctions JSON lines).
#![no_main]
use cargo_entitycheck::entity::import::{ListFormat, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for f in [
        ListFormat::CslCsv,
        ListFormat::CslJson,
        ListFormat::Opensanctions,
    ] {
        let _ = parse(text, "fuzz", f);
    }
});
