//! Fuzz the entity-list parser and validator: any text gives a list or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cargo_entitycheck::entity::EntityList::parse(text, "fuzz.toml");
    }
});
