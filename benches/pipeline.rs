//! Micro-benchmarks of the hot parts of the pipeline on synthetic inputs (divan).
//! Run: `cargo bench --bench pipeline`. Whole-tool measurements: `scripts/bench.sh`.

use cargo_entitycheck::entity::EntityList;
use cargo_entitycheck::evidence::deep::DeepOptions;
use cargo_entitycheck::evidence::needles::{Needles, TextPrefilter};
use cargo_entitycheck::evidence::{Evidence, Field, Role, Shape, binary};
use cargo_entitycheck::fsio::Limits;
use cargo_entitycheck::matching::Matcher;
use cargo_entitycheck::text::normalize;
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

/// The built-in list, loaded once.
fn builtin() -> &'static [EntityList] {
    static LISTS: std::sync::OnceLock<Vec<EntityList>> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| vec![EntityList::builtin().unwrap()])
}

fn matcher() -> Matcher<'static> {
    Matcher::new(builtin())
}

/// Source-like text: `lines` lines of Rust, one copyright header per 200 lines.
fn source_text(lines: usize) -> String {
    let mut s = String::new();
    for i in 0..lines {
        if i % 200 == 0 {
            s.push_str(
                "// Copyright (c) 2019 The Example Project Developers. All rights reserved.\n",
            );
        } else {
            s.push_str(
                "    let value = compute_something(input, &mut state).map_err(Error::from)?;\n",
            );
        }
    }
    s
}

#[divan::bench(args = ["Kaspersky Lab", "Jane Doe <jane@example.org>", "АО «Лаборатория Касперского»", "K\u{200b}аsp\u{0435}rsky Ｌａｂ"])]
fn normalize_text(text: &str) -> String {
    normalize::normalize(black_box(text))
}

#[divan::bench(args = [
    ("authors", Shape::Author, "The Tokio Contributors <team@tokio.rs>"),
    ("repository", Shape::Url, "https://github.com/tokio-rs/tokio"),
    ("description", Shape::Text, "An event-driven, non-blocking I/O platform for writing asynchronous I/O backed applications."),
])]
fn match_one_evidence(bencher: Bencher, (field, shape, text): (&str, Shape, &str)) {
    let m = matcher();
    let field = Field::parse(field).expect("a field name");
    let ev = Evidence::new(field, Role::Attribution, shape, text);
    // Afresh: `match_evidence` would answer a repeated miss from its memo after the first call.
    bencher.bench_local(|| m.match_afresh(black_box(&ev)));
}

/// The same evidence again: a miss answered from the matcher's memo.
#[divan::bench]
fn match_remembered_miss(bencher: Bencher) {
    let m = matcher();
    let ev = Evidence::new(
        Field::Source,
        Role::Attribution,
        Shape::Url,
        "registry+https://github.com/rust-lang/crates.io-index",
    );
    m.match_evidence(&ev);
    bencher.bench_local(|| m.match_evidence(black_box(&ev)));
}

#[divan::bench(args = [1_000, 20_000])]
fn scan_text_file(bencher: Bencher, lines: usize) {
    let m = matcher();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.rs"), source_text(lines)).unwrap();
    let root = camino::Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
    let scanner = m.scanner(DeepOptions::default());
    bencher
        .counter(divan::counter::BytesCount::new(source_text(lines).len()))
        .bench_local(|| scanner.scan_package(black_box(&root), None, &[], &Limits::DEFAULT));
}

/// The text prefilter's fast stage alone (byte map, then the automaton) on source-like text.
#[divan::bench(args = [20_000])]
fn text_prefilter_fast_stage(bencher: Bencher, lines: usize) {
    let p = {
        let m = matcher();
        TextPrefilter::new(m.needles(), m.spelled_needles())
    };
    let text = source_text(lines);
    let (mut mapped, mut hits) = (Vec::new(), Vec::new());
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench_local(|| {
            hits.clear();
            p.text_hits(black_box(text.as_bytes()), &mut mapped, &mut hits);
            hits.len()
        });
}

/// The skeleton fold of one non-ASCII line (every such line of a file is folded).
#[divan::bench(args = ["// © 2019 Jörg Müller — Überprüfung der Eingabe", "АО «Лаборатория Касперского», 2024"])]
fn skeleton_line(bencher: Bencher, line: &str) {
    let (mut out, mut at) = (String::new(), Vec::new());
    bencher.bench_local(|| normalize::skeleton(black_box(line), &mut out, &mut at));
}

#[divan::bench(args = [1 << 20, 16 << 20])]
fn raw_strings_in_binary(bencher: Bencher, len: usize) {
    // Pseudo-random bytes with a few printable runs, and one notice at the end.
    let mut bytes = Vec::with_capacity(len);
    let mut x: u32 = 0x1234_5678;
    while bytes.len() < len - 64 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x & 0xff) as u8);
    }
    bytes.extend_from_slice(b"\0Copyright (C) 2024 AO Kaspersky Lab\0");
    let needles = Needles::new(matcher().needles());
    bencher
        .counter(divan::counter::BytesCount::new(bytes.len()))
        .bench_local(|| binary::hit_strings(black_box(&bytes), &needles));
}

#[divan::bench]
fn build_matcher() -> Matcher<'static> {
    matcher()
}
