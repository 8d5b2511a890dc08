//! Fuzz the bounded reader and the parsers behind it: any bytes written to a file → read back
//! within a bound (never more), then parsed as configuration, entity lists and imports, with
//! every diagnostic clipped to a bounded size.
#![no_main]
use cargo_entitycheck::config;
use cargo_entitycheck::entity::EntityList;
use cargo_entitycheck::entity::import::{ListFormat, parse};
use cargo_entitycheck::fsio::{self, ReadError, ReadKind};
use libfuzzer_sys::fuzz_target;

fn check_message(e: &cargo_entitycheck::error::InputError) {
    // 50 lines of 300 characters, plus the path and the framing.
    let shown = e.to_string();
    assert!(
        shown.chars().count() < 60 * 400,
        "{} characters",
        shown.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&b, body)) = data.split_first() else {
        return;
    };
    let bound = u64::from(b) * 16;
    let path = std::env::temp_dir().join(format!("entitycheck-fuzz-{}", std::process::id()));
    std::fs::write(&path, body).unwrap();
    match fsio::read_regular(&path, ReadKind::Config, bound) {
        Ok(bytes) => {
            assert!(bytes.len() as u64 <= bound);
            assert_eq!(bytes, body);
        }
        Err(ReadError::TooLarge { .. }) => assert!(body.len() as u64 > bound),
        Err(e) => panic!("a regular file refused: {e}"),
    }
    let text = fsio::read_text(&path, ReadKind::Config, false, &fsio::Limits::DEFAULT);
    let _ = std::fs::remove_file(&path);
    let Ok(text) = text else { return };
    for r in [
        config::parse(&text, "entitycheck.toml").map(drop),
        config::parse_manifest(&text, "Cargo.toml").map(drop),
        EntityList::parse(&text, "list.toml").map(drop),
        parse(&text, "list.csv", ListFormat::CslCsv).map(drop),
        parse(&text, "list.json", ListFormat::CslJson).map(drop),
        parse(&text, "list.jsonl", ListFormat::Opensanctions).map(drop),
    ] {
        if let Err(e) = r {
            check_message(&e);
        }
    }
});
