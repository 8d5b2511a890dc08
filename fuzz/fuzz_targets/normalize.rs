//! Fuzz the normaliser: never panics, and normalising is idempotent.
#![no_main]
use cargo_entitycheck::text::normalize;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let once = normalize::normalize(text);
    assert_eq!(normalize::normalize(&once), once, "idempotent");
    let _ = normalize::strip_legal_forms(&normalize::tokens(text));
    let _ = normalize::normalize_host(text);
    let _ = normalize::parse_url_like(text);
    let _ = normalize::parse_email(text);
});
