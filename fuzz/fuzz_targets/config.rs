//! Fuzz the configuration parser (entitycheck.toml and the Cargo.toml metadata table).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cargo_entitycheck::config::parse(text, "entitycheck.toml");
        let _ = cargo_entitycheck::config::parse_manifest(text, "Cargo.toml");
        let _ = cargo_entitycheck::config::parse_size(text);
    }
});
