//! Hostile input and evasion, end to end: nothing crashes the tool, nothing slips past it,
//! nothing is lost. Every case asserts the exact outcome (message and exit code, or finding).

use std::path::{Path, PathBuf};

use crate::*;

/// A one-package workspace in a temporary directory.
struct Ws {
    dir: tempfile::TempDir,
}

impl Ws {
    fn new(manifest_extra: &str) -> Ws {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            format!("[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{manifest_extra}\n"),
        )
        .unwrap();
        Ws { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        self
    }

    fn run(&self, extra: &[&str]) -> Run {
        let m = self.path("Cargo.toml");
        let mut args = vec![
            "--manifest-path",
            m.to_str().unwrap(),
            "--no-cache",
            "--as-of",
            AS_OF,
        ];
        args.extend_from_slice(extra);
        run(&args)
    }

    fn json(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        let r = self.run(&args);
        assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        (r.code, serde_json::from_str(&r.stdout).unwrap())
    }
}

/// A TOML basic string for any text (invisible characters included).
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn fail_fields(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| {
            format!(
                "{} {}",
                f["entity"]["id"].as_str().unwrap(),
                f["evidence"]["field"].as_str().unwrap()
            )
        })
        .collect()
}

fn not_scanned(doc: &serde_json::Value) -> Vec<String> {
    doc["not_scanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["reason"].as_str().unwrap().to_string())
        .collect()
}

// --- bad input: a clear error and exit 2 ---------------------------------------------------------

#[test]
fn malformed_cargo_lock_shows_cargo_stderr() {
    let ws = Ws::new("");
    ws.write("Cargo.lock", b"this is not [ a lock file");
    let r = ws.run(&[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("`cargo metadata` failed") && r.stderr.contains("Cargo.lock"),
        "{}",
        r.stderr
    );
}

#[test]
fn offline_by_default_with_a_hint() {
    let ws = Ws::new("[dependencies]\nsurely-not-a-cached-crate-xyz = \"1\"\n");
    let r = ws.run(&[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--allow-network"), "{}", r.stderr);
}

#[test]
fn unknown_config_key_and_bad_list_name_file_line_key() {
    let ws = Ws::new("");
    ws.write("entitycheck.toml", b"[policy]\nfail_on = [\"confirmed\"]\n");
    let r = ws.run(&[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("entitycheck.toml")
            && r.stderr.contains("line 2")
            && r.stderr.contains("fail_on"),
        "{}",
        r.stderr
    );
    let ws = Ws::new("");
    ws.write("list.toml", b"[list]\nid = \"x\"\ntitle = \"t\"\nversion = \"1\"\nupdated = \"2026-01-01\"\n\n[[entity]]\nid = \"a\"\nkind = \"starship\"\nname = \"A\"\nsource = \"s\"\ngrade = \"primary\"\n");
    let list = ws.path("list.toml");
    let r = ws.run(&["--entities", list.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("list.toml")
            && r.stderr.contains("line 9")
            && r.stderr.contains("starship"),
        "{}",
        r.stderr
    );
}

#[test]
fn non_utf8_contents_and_paths() {
    let ws = Ws::new("");
    ws.write(
        "vendor/latin1.h",
        b"/* Copyright (c) 2024 AO Kaspersky Lab \xe9\xff\xfe */\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"vendor/bad-\xff-name.txt");
        std::fs::write(ws.dir.path().join(name), b"hello").unwrap();
    }
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 1);
    assert_eq!(fail_fields(&doc), ["ao-kaspersky-lab notice"]);
    #[cfg(unix)]
    assert!(
        not_scanned(&doc)[0].contains("path is not UTF-8"),
        "{:?}",
        not_scanned(&doc)
    );
}

#[test]
fn corrupt_binaries_are_listed_not_scanned_never_a_crash() {
    let ws = Ws::new("");
    let mut dll = std::fs::read(fixture("deep/crates/win-engine/bin/engine.dll")).unwrap();
    dll.truncate(300);
    ws.write("bin/truncated.dll", &dll);
    let mut so = std::fs::read(fixture("deep/crates/so-engine/lib/libscan.so")).unwrap();
    let n = so.len();
    so[n - 64..].fill(0xff); // section headers destroyed
    ws.write("lib/corrupt.so", &so);
    ws.write("lib/fake.dylib", &[0xcf, 0xfa, 0xed, 0xfe, 1, 2, 3]);
    let (code, doc) = ws.json(&[]);
    // The damaged ELF's notice is still found, by the raw-string fallback.
    assert_eq!(code, 1);
    assert_eq!(fail_fields(&doc), ["ao-kaspersky-lab binary notice string"]);
    let reasons = not_scanned(&doc);
    assert_eq!(reasons.len(), 1, "one package");
    assert!(
        reasons[0].contains("truncated or malformed") && reasons[0].contains("and 2 more files"),
        "{reasons:?}"
    );
    // Without a finding, --fail-on-unscanned alone fails the build.
    let empty = fixture("lists/empty.toml");
    let (code, _) = ws.json(&["--no-builtin-list", "--entities", empty.to_str().unwrap()]);
    assert_eq!(code, 0);
    let (code, _) = ws.json(&[
        "--no-builtin-list",
        "--entities",
        empty.to_str().unwrap(),
        "--fail-on-unscanned",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn hostile_archives() {
    let ws = Ws::new("");
    // A zip bomb: 70 MiB of zeros (over the default 64 MiB entry limit) compress to ~70 KiB.
    let mut big = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    big.start_file("zeros.bin", opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..70 {
        std::io::Write::write_all(&mut big, &chunk).unwrap();
    }
    big.start_file("../../../../etc/notice.txt", opts).unwrap();
    std::io::Write::write_all(&mut big, b"Copyright (c) 2024 AO Kaspersky Lab").unwrap();
    let bomb = big.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 << 20);
    ws.write("assets/bomb.zip", &bomb);
    let (code, doc) = ws.json(&[]);
    // The oversized entry is skipped (and reported); the traversal entry is still scanned in memory.
    assert_eq!(code, 1);
    // (its name ends in notice.txt: a notice file)
    assert_eq!(fail_fields(&doc), ["ao-kaspersky-lab notice file"]);
    assert!(
        not_scanned(&doc)[0].contains("larger than"),
        "{:?}",
        not_scanned(&doc)
    );
    // Nothing was extracted anywhere.
    assert!(!Path::new("/etc/notice.txt").exists());
}

#[test]
fn symlinks_are_not_followed_out_of_the_package() {
    #[cfg(unix)]
    {
        let ws = Ws::new("");
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(
            outside.path().join("secret.txt"),
            "Copyright (c) AO Kaspersky Lab",
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), ws.path("escape.txt"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.path("escape-dir")).unwrap();
        std::fs::create_dir_all(ws.path("loop")).unwrap();
        std::os::unix::fs::symlink(ws.path("loop"), ws.path("loop/again")).unwrap();
        std::os::unix::fs::symlink(ws.path("src/lib.rs"), ws.path("inside-link.rs")).unwrap();
        let (code, doc) = ws.json(&[]);
        assert_eq!(code, 0, "the outside file is never read");
        assert!(fail_fields(&doc).is_empty());
        let reasons = not_scanned(&doc);
        assert!(
            reasons[0].contains("symbolic link") && reasons[0].contains("and 1 more files"),
            "{reasons:?}"
        );
    }
}

#[test]
fn enormous_file_is_not_read() {
    let ws = Ws::new("");
    let f = std::fs::File::create(ws.path("huge.bin")).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap(); // sparse: 200 MiB on paper
    let (_, doc) = ws.json(&[]);
    assert!(
        not_scanned(&doc)[0].contains("over the 67108864 byte limit"),
        "{:?}",
        not_scanned(&doc)
    );
}

// --- evasion: still caught ----------------------------------------------------------------------

fn authors_case(author: &str) -> Vec<String> {
    let ws = Ws::new(&format!("authors = [{}]", toml_string(author)));
    fail_fields(&ws.json(&[]).1)
}

#[test]
fn lookalike_invisible_fullwidth_and_punctuation_names() {
    for author in [
        "\u{41e}\u{41e}\u{41e} Kaspersky Group",    // Cyrillic ООО
        "AO Ka\u{0455}persky Lab",                  // Cyrillic dze for s
        "AO Kasp\u{03b5}rsky Lab",                  // Greek epsilon
        "AO Kas\u{200b}per\u{200d}sky\u{feff} Lab", // zero-width characters
        "AO \u{ff2b}\u{ff41}\u{ff53}\u{ff50}\u{ff45}\u{ff52}\u{ff53}\u{ff4b}\u{ff59} Lab", // full-width
        "AO K.a.s.p.e.r.s.k.y Lab",
        "AO kAsPeRsKy LAB",
        "АО «Лаборатория Касперского»",
        "Kasperskiy Lab ZAO",
    ] {
        let got = authors_case(author);
        assert_eq!(got.len(), 1, "{author:?}: {got:?}");
        assert!(got[0].ends_with(" authors"), "{author:?}: {got:?}");
    }
}

#[test]
fn punycode_percent_encoded_and_ssh_urls() {
    // kаspersky.com with a Cyrillic а, as punycode.
    let spoof = format!(
        "https://{}/sdk",
        idna::domain_to_ascii("k\u{0430}spersky.com").unwrap()
    );
    assert!(spoof.contains("xn--"));
    for repo in [
        spoof.as_str(),
        "https://%6Baspersky.com/sdk",
        "git+ssh://git@github.com/KasperskyLab/engine.git",
        "ssh://git@github.com:22/KasperskyLab/engine",
        "ssh://git@github.com:KasperskyLab/engine",
        "git@github.com:KasperskyLab/engine.git",
    ] {
        let ws = Ws::new(&format!("repository = {}", toml_string(repo)));
        let got = fail_fields(&ws.json(&[]).1);
        assert_eq!(got, ["kaspersky repository"], "{repo}");
    }
}

#[test]
fn entity_only_in_utf16_strings_and_only_in_a_compressed_archive() {
    let ws = Ws::new("");
    // The ELF fixture's notice re-encoded: a UTF-16 copyright string only.
    let wide: Vec<u8> = "Copyright (C) AO Kaspersky Lab"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut blob = b"DATA: an unknown binary format".to_vec();
    blob.extend([0u8; 16]);
    blob.extend(&wide);
    ws.write("data/blob.bin", &blob);
    let (_, doc) = ws.json(&[]);
    let texts: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["evidence"]["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"Copyright (C) AO Kaspersky Lab"),
        "{texts:?}"
    );

    let ws = Ws::new("");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(
        &mut gz,
        b"NOTICE: Copyright (c) 2024 Kaspersky Labs Limited\n",
    )
    .unwrap();
    ws.write("third_party/NOTICE.gz", &gz.finish().unwrap());
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 1);
    assert_eq!(fail_fields(&doc), ["kaspersky-labs-limited notice file"]);
}

// --- safety -------------------------------------------------------------------------------------

#[test]
fn never_runs_the_projects_code_and_writes_only_its_cache() {
    let ws = Ws::new("build = \"build.rs\"");
    let marker = ws.path("BUILD_SCRIPT_RAN");
    ws.write(
        "build.rs",
        format!(
            "fn main() {{ std::fs::write({:?}, \"ran\").unwrap(); }}\n",
            marker
        )
        .as_bytes(),
    );
    let target = tempfile::tempdir().unwrap();
    let before: Vec<_> = walkdir::WalkDir::new(ws.dir.path())
        .into_iter()
        .map(|e| e.unwrap().path().to_path_buf())
        .collect();
    let m = ws.path("Cargo.toml");
    let r: Run = cmd()
        .args(["--manifest-path", m.to_str().unwrap(), "--as-of", AS_OF])
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!marker.exists(), "the build script must never run");
    // The project tree is unchanged but for the Cargo.lock cargo metadata writes; the cache went
    // to the target directory.
    let after: Vec<_> = walkdir::WalkDir::new(ws.dir.path())
        .into_iter()
        .map(|e| e.unwrap().path().to_path_buf())
        .collect();
    let added: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
    assert!(added.iter().all(|p| p.ends_with("Cargo.lock")), "{added:?}");
    let mut ours: Vec<_> = walkdir::WalkDir::new(target.path().join("entitycheck"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ours.sort();
    assert_eq!(ours, ["graph-cache.bin", "scan-cache.json"]);
}

/// The PE files `cargo fuzz run binary` found pelite crashing or misbehaving on, shipped in a
/// package: the check finishes, lists them as not scanned, and prints no panic.
#[test]
fn pe_files_found_by_fuzzing_never_crash_the_check() {
    let ws = Ws::new("");
    let testdata =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/evidence/binary/testdata");
    let mut names: Vec<String> = std::fs::read_dir(&testdata)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    for name in &names {
        ws.write(
            &format!("bin/{name}"),
            &std::fs::read(testdata.join(name)).unwrap(),
        );
    }
    let r = ws.run(&["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let reasons = not_scanned(&doc);
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].contains("truncated or malformed PE"),
        "{reasons:?}"
    );
}
