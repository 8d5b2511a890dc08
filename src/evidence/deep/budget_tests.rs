//! The per-package budget met by the hostile shapes of `testgen` (many small archives, nested
//! fat Mach-Os, ELFs of overlapping sections, many small bzip2 bombs): each stops at its budget
//! and what was left is listed, never passed; a normal package spends a sliver of it. Asserted
//! on what is listed and what was spent, never on time.

use proptest::prelude::*;

use super::*;
use crate::evidence::budget::Spent;
use crate::evidence::testgen;

fn scanner_with(package: PackageLimits) -> Scanner {
    let words = ["kaspersky".to_string()];
    Scanner::new(
        &words,
        &words,
        DeepOptions {
            package,
            ..Default::default()
        },
    )
}

/// `files` scanned one after the other against one budget: what was listed, found and spent.
fn scan(s: &Scanner, files: &[(String, Vec<u8>)]) -> (Vec<Skipped>, Vec<Evidence>, Spent) {
    let budget = PackageBudget::new(&s.options.package);
    let mut r = FileResult::default();
    for (name, bytes) in files {
        s.scan_bytes(name, bytes, &budget, &mut r);
    }
    (r.skipped, r.evidence, budget.spent())
}

/// The files (the part before any `!`) of the entries listed for budget `key`.
fn listed_for(skipped: &[Skipped], key: &str) -> std::collections::BTreeSet<String> {
    skipped
        .iter()
        .filter(|s| s.kind == SkipKind::Limit && s.reason.contains(key))
        .map(|s| s.file.split('!').next().unwrap_or_default().to_string())
        .collect()
}

/// The files evidence was found in.
fn found_in(evidence: &[Evidence]) -> std::collections::BTreeSet<String> {
    evidence
        .iter()
        .filter_map(|e| e.location.as_ref())
        .map(|l| l.file.split('!').next().unwrap_or_default().to_string())
        .collect()
}

const NOTICE: &[u8] = b"Copyright (c) 2024 AO Kaspersky Lab\n";

/// `count` small `.tar.gz` files, each of four members, one of them a notice.
fn small_archives(count: usize) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|i| {
            let tar = testgen::tar(&[
                ("NOTICE", NOTICE),
                ("a.txt", b"a"),
                ("b.txt", b"b"),
                ("c.txt", b"c"),
            ]);
            (format!("assets/a{i:03}.tar.gz"), testgen::gzip(&tar))
        })
        .collect()
}

#[test]
fn many_small_archives_past_the_members_budget_are_listed() {
    let s = scanner_with(PackageLimits {
        max_archive_members: 60,
        ..Default::default()
    });
    let files = small_archives(40);
    let (skipped, evidence, spent) = scan(&s, &files);
    // Each file costs five members: its gzip stream and the tar's four.
    let read = found_in(&evidence);
    let listed = listed_for(
        &skipped,
        "60 archive members (deep.package-max-archive-members)",
    );
    assert_eq!(read.len(), 12, "{read:?}");
    assert_eq!(listed.len(), 28, "{skipped:?}");
    // Every file is either read or listed, and the first in order are the ones read.
    assert!(read.iter().all(|f| f.as_str() < "assets/a012.tar.gz"));
    assert!(read.is_disjoint(&listed));
    assert_eq!(read.len() + listed.len(), files.len());
    assert!(spent.archive_members <= 60 + 1, "{spent:?}");
    // The same package within a budget of its size: everything read, nothing listed.
    let s = scanner_with(PackageLimits {
        max_archive_members: 200,
        ..Default::default()
    });
    let (skipped, evidence, _) = scan(&s, &files);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(found_in(&evidence).len(), 40);
}

#[test]
fn a_spent_decoding_time_budget_decodes_nothing_more() {
    let s = scanner_with(PackageLimits {
        max_decode_seconds: 0,
        ..Default::default()
    });
    let (skipped, evidence, spent) = scan(&s, &small_archives(3));
    assert!(evidence.is_empty(), "{evidence:?}");
    assert_eq!(
        listed_for(
            &skipped,
            "0 s in decoders (deep.package-max-decode-seconds)"
        )
        .len(),
        3,
        "{skipped:?}"
    );
    assert_eq!(spent.unpacked_bytes, 0);
}

#[test]
fn a_nested_fat_macho_stops_at_the_packages_binaries() {
    // 32 slices four levels deep: a million inspections asked for by one small file.
    let fat = testgen::nested_fat_macho(4, 32);
    let s = scanner_with(PackageLimits {
        max_binaries: 2_000,
        ..Default::default()
    });
    let (skipped, evidence, spent) = scan(&s, &[("lib/universal.dylib".into(), fat)]);
    let listed = listed_for(
        &skipped,
        "2000 binaries inspected (deep.package-max-binaries)",
    );
    assert_eq!(listed.len(), 1, "{skipped:?}");
    assert!(spent.binaries <= 2_001, "{spent:?}");
    // What was inspected before it ran out, and the raw strings, are still evidence.
    assert!(!evidence.is_empty());
}

#[test]
fn an_elf_of_overlapping_sections_stops_at_its_files_bound() {
    // 20,000 section headers, each covering the whole file, compressed to a few KiB.
    let elf =
        testgen::elf_overlapping_sections(&[NOTICE, &vec![0u8; 64 * 1024][..]].concat(), 20_000);
    let gz = testgen::gzip(&elf);
    assert!(gz.len() < 64 * 1024, "{}", gz.len());
    let (skipped, evidence, spent) = scan(
        &scanner_with(PackageLimits::default()),
        &[("lib/libx.so.gz".into(), gz)],
    );
    let limited: Vec<&Skipped> = skipped
        .iter()
        .filter(|s| s.kind == SkipKind::Limit && s.reason.contains("its sections overlap"))
        .collect();
    assert_eq!(limited.len(), 1, "{skipped:?}");
    // The stream's one member is named after it (`x.so.gz` holds `x.so`).
    assert_eq!(limited[0].file, "lib/libx.so");
    assert_eq!(spent.binaries, 1);
    assert_eq!(spent.unpacked_bytes, elf.len() as u64);
    // Its raw strings were read once.
    assert!(
        evidence.iter().any(|e| e.role == Role::Attribution),
        "{evidence:?}"
    );
}

/// Every fuzzing seed (`testgen::fuzz_seeds`) stops at a bound, within the package budget the
/// `package` fuzz target gives it, and says so.
#[test]
fn every_fuzz_seed_stops_at_a_bound_and_is_listed() {
    let limits = PackageLimits {
        max_unpacked_bytes: 16 << 20,
        max_decode_seconds: 600,
        max_archive_members: 512,
        max_binaries: 4096,
    };
    let s = scanner_with(limits.clone());
    for (target, name, bytes) in testgen::fuzz_seeds() {
        let (skipped, _, spent) = scan(&s, &[(format!("{target}/{name}"), bytes)]);
        assert!(
            skipped.iter().any(|s| s.kind == SkipKind::Limit),
            "{target}/{name}: {skipped:?}"
        );
        assert!(spent.unpacked_bytes <= limits.max_unpacked_bytes, "{name}");
        assert!(
            spent.archive_members <= limits.max_archive_members + 1,
            "{name}"
        );
        assert!(spent.binaries <= limits.max_binaries + 1, "{name}");
    }
}

#[test]
fn a_normal_package_spends_a_sliver_of_its_budget() {
    let d = tempfile::tempdir().unwrap();
    let root = Utf8Path::from_path(d.path()).unwrap();
    let write = |rel: &str, bytes: &[u8]| testgen::write_file(root.join(rel), bytes);
    write("src/lib.rs", b"pub fn f() {}\n");
    write("LICENSE", NOTICE);
    for (name, bytes) in small_archives(20) {
        write(&name, &bytes);
    }
    write(
        "lib/libclean.a",
        &testgen::ar(&[("a.o", &testgen::elf_object(b"Kaspersky plain"))]),
    );
    write("lib/fat.dylib", &testgen::nested_fat_macho(2, 4));
    write(
        "lib/sdk.zip",
        &testgen::zip(&[("include/x.h", NOTICE), ("README", b"SDK")]),
    );
    let s = scanner_with(PackageLimits::default());
    let scan = s.scan_files(root, &[]);
    assert!(
        scan.skipped.iter().all(|s| !s.counts_as_unscanned()),
        "{:?}",
        scan.skipped
    );
    // Every archive and binary was read.
    let found = found_in(&scan.evidence);
    assert_eq!(found.len(), 2 + 20 + 2, "{found:?}");
}

/// Files are scanned in parallel; which of them a spent budget cuts short must not depend on
/// how the threads ran: every run lists the same files, the last in path order.
#[test]
fn a_spent_budget_lists_the_same_files_every_run() {
    let d = tempfile::tempdir().unwrap();
    let root = Utf8Path::from_path(d.path()).unwrap();
    for (name, bytes) in small_archives(60) {
        testgen::write_file(root.join(name), bytes);
    }
    let s = scanner_with(PackageLimits {
        max_archive_members: 100,
        ..Default::default()
    });
    let key = "deep.package-max-archive-members";
    let expected: std::collections::BTreeSet<String> =
        (20..60).map(|i| format!("assets/a{i:03}.tar.gz")).collect();
    for _ in 0..4 {
        let scan = s.scan_files(root, &[]);
        assert_eq!(listed_for(&scan.skipped, key), expected);
        assert_eq!(found_in(&scan.evidence).len(), 20);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Nested fat Mach-Os, several files of them: never more inspections than the budget (one
    /// refused per file at most), and what the budget refused is listed, naming it.
    #[test]
    fn nested_fat_machos_never_inspect_past_the_budget(
        depth in 1u32..=3,
        slices in 1u32..=12,
        files in 1usize..=5,
        max in 1u64..=1_500,
    ) {
        let fat = testgen::nested_fat_macho(depth, slices);
        let input: Vec<(String, Vec<u8>)> =
            (0..files).map(|i| (format!("lib/f{i}.dylib"), fat.clone())).collect();
        let s = scanner_with(PackageLimits { max_binaries: max, ..Default::default() });
        let (skipped, _, spent) = scan(&s, &input);
        let needed = testgen::nested_fat_inspections(depth, slices) * files as u64;
        prop_assert!(spent.binaries <= max + files as u64, "{spent:?}");
        let listed = listed_for(&skipped, "deep.package-max-binaries");
        if needed <= max {
            prop_assert!(skipped.is_empty(), "{skipped:?}");
        } else {
            // The files past the budget, in order: from the one it ran out in to the last.
            let first = usize::try_from(max / testgen::nested_fat_inspections(depth, slices)).unwrap();
            let expected: std::collections::BTreeSet<String> =
                (first..files).map(|i| format!("lib/f{i}.dylib")).collect();
            prop_assert_eq!(listed, expected);
        }
    }

    /// Many small bzip2 bombs: exactly as many decoded as the unpacked-size budget holds, the
    /// rest listed, and never a byte decoded past the budget.
    #[test]
    fn small_bzip2_bombs_never_decode_past_the_budget(
        count in 1usize..=40,
        each_kib in 1usize..=192,
        budget_kib in 1u64..=2048,
    ) {
        let each = each_kib * 1024;
        let bomb = testgen::bzip2(&vec![0u8; each]);
        let input: Vec<(String, Vec<u8>)> =
            // No extension: the stream's one member is then `data/bNN!data`.
            (0..count).map(|i| (format!("data/b{i:02}"), bomb.clone())).collect();
        let max = budget_kib * 1024;
        let s = scanner_with(PackageLimits { max_unpacked_bytes: max, ..Default::default() });
        let (skipped, _, spent) = scan(&s, &input);
        prop_assert!(spent.unpacked_bytes <= max, "{spent:?}");
        let decoded = usize::try_from(max / each as u64).unwrap().min(count);
        let expected: std::collections::BTreeSet<String> =
            (decoded..count).map(|i| format!("data/b{i:02}")).collect();
        prop_assert_eq!(listed_for(&skipped, "deep.package-max-unpacked-size"), expected);
        prop_assert_eq!(skipped.len(), count - decoded, "{:?}", skipped);
    }
}

/// A test-data archive something names is unpacked, and stays so when a spent budget has the
/// package's archives scanned again: the rescan does not pack it again.
#[test]
fn a_named_test_data_archive_stays_unpacked_when_the_budget_runs_out() {
    let d = tempfile::tempdir().unwrap();
    let root = Utf8Path::from_path(d.path()).unwrap();
    let write = |rel: &str, bytes: &[u8]| testgen::write_file(root.join(rel), bytes);
    write(
        "tests/data/blob.zip",
        &testgen::zip(&[("readme.txt", b"Copyright (c) 2024 AO Kaspersky Lab\n")]),
    );
    write("Makefile", b"dist:\n\tcp tests/data/blob.zip out/\n");
    // After it in path order, more members than the budget allows.
    write(
        "z/other.zip",
        &testgen::zip(&[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")]),
    );
    let s = scanner_with(PackageLimits {
        max_archive_members: 2,
        ..Default::default()
    });
    let scan = s.scan_files(root, &[]);
    assert!(
        scan.evidence
            .iter()
            .any(|e| e.text.contains("AO Kaspersky Lab")),
        "{:?}",
        scan.evidence
    );
    assert!(scan.packed.is_empty(), "{:?}", scan.packed);
    assert!(
        !listed_for(&scan.skipped, "members").is_empty(),
        "{:?}",
        scan.skipped
    );
}
