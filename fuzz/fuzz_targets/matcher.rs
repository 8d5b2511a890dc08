//! Fuzz the matcher against the built-in list with every evidence shape and role.
#![no_main]
use std::sync::OnceLock;

use cargo_entitycheck::entity::EntityList;
use cargo_entitycheck::evidence::{Evidence, Field, Role, Shape};
use cargo_entitycheck::matching::Matcher;
use libfuzzer_sys::fuzz_target;

fn matcher() -> &'static Matcher<'static> {
    static LISTS: OnceLock<Vec<EntityList>> = OnceLock::new();
    static M: OnceLock<Matcher<'static>> = OnceLock::new();
    M.get_or_init(|| {
        Matcher::new(LISTS.get_or_init(|| vec![EntityList::builtin().expect("built-in list")]))
    })
}

fuzz_target!(|text: &str| {
    for shape in [Shape::Author, Shape::Url, Shape::Subject, Shape::Text] {
        for role in [Role::Attribution, Role::Mention] {
            let _ = matcher().match_evidence(&Evidence::new(Field::Text, role, shape, text));
        }
    }
});
