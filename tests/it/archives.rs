//! Archives and compressed streams end to end: a notice inside any supported format (nested,
//! renamed, behind an executable prefix) fails the build; a corrupt or over-limit one is listed
//! as not scanned; archives holding only mentions or other parties' notices stay clean.

use std::io::{Cursor, Write};

use crate::*;

const NOTICE: &[u8] = b"/*\n * Copyright (c) 2024 AO Kaspersky Lab. All rights reserved.\n */\n";
/// Mentions and another party's notice: must stay clean.
const CONTROL: &[u8] = b"// Copyright (c) 2023 Example Widgets Ltd.\n\
// Supported engines: Kaspersky, ESET, Sophos, Bitdefender, Avast\n\
static ENGINES: &[&str] = &[\"kaspersky\", \"eset\", \"sophos\"];\n";

/// A one-package workspace in a temporary directory.
struct Ws {
    dir: tempfile::TempDir,
}

impl Ws {
    fn new() -> Ws {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"archived\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .unwrap();
        Ws { dir }
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> &Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        self
    }

    fn json(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        let m = self.dir.path().join("Cargo.toml");
        let mut args = vec![
            "--manifest-path",
            m.to_str().unwrap(),
            "--no-cache",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let r = run(&args);
        assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        (r.code, serde_json::from_str(&r.stdout).unwrap())
    }
}

/// (entity, field, file) of every failing finding.
fn fails(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| {
            (
                f["entity"]["id"].as_str().unwrap().to_string(),
                f["evidence"]["field"].as_str().unwrap().to_string(),
                f["evidence"]["location"]["file"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The kinds of the inventoried binaries and archives.
fn kinds(doc: &serde_json::Value) -> Vec<&str> {
    doc["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
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

// --- writers --------------------------------------------------------------------------------

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar(entries: &[(&str, &[u8])], t: tar::EntryType) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(t);
        h.set_path(name).unwrap();
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn lzma(data: &[u8]) -> Vec<u8> {
    let opts = lzma_rust2::LzmaOptions::with_preset(1);
    let mut w =
        lzma_rust2::LzmaWriter::new_use_header(Vec::new(), &opts, Some(data.len() as u64)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn sevenz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = sevenz_rust2::ArchiveWriter::new(Cursor::new(Vec::new())).unwrap();
    for (name, data) in entries {
        w.push_archive_entry(sevenz_rust2::ArchiveEntry::new_file(name), Some(*data))
            .unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn cab(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = cab::CabinetBuilder::new();
    let folder = b.add_folder(cab::CompressionType::MsZip);
    for (name, _) in entries {
        folder.add_file(*name);
    }
    let mut w = b.build(Cursor::new(Vec::new())).unwrap();
    let mut i = 0;
    while let Some(mut f) = w.next_file().unwrap() {
        f.write_all(entries[i].1).unwrap();
        i += 1;
    }
    w.finish().unwrap().into_inner()
}

/// A Windows Installer package whose files are in an embedded cabinet, as installers ship them.
fn msi_with_cab(entries: &[(&str, &[u8])]) -> Vec<u8> {
    testgen::msi(
        Some("Example Widgets Ltd."),
        &[
            ("Manufacturer", "Example Widgets Ltd."),
            ("ProductName", "Widget"),
        ],
        &[("cab1.cab", &cab(entries))],
        None,
    )
}

/// An executable stub (an ELF header and some code-like bytes) with a zip appended.
fn self_extracting(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut stub = b"\x7fELF\x02\x01\x01\0".to_vec();
    stub.extend([0u8; 56]);
    stub.extend(b"self-extractor stub: unpacks the payload below".repeat(20));
    stub.extend(zip(entries));
    stub
}

/// One file of each format holding `body` (as `sdk/notice.h` where members are named), under a
/// name that says nothing of its format.
fn every_format(body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let one: &[(&str, &[u8])] = &[("sdk/notice.h", body)];
    vec![
        ("zip", zip(one)),
        ("zip-sfx", self_extracting(one)),
        ("tar", tar(one, tar::EntryType::Regular)),
        ("tar-contiguous", tar(one, tar::EntryType::Continuous)),
        ("tar.xz", xz(&tar(one, tar::EntryType::Regular))),
        ("tar.bz2", bzip2(&tar(one, tar::EntryType::Regular))),
        ("tar.zst", zstd(&tar(one, tar::EntryType::Regular))),
        ("7z", sevenz(one)),
        ("cab", cab(one)),
        ("msi", msi_with_cab(one)),
        ("squashfs", testgen::squashfs(one)),
        ("appimage", testgen::appimage(one)),
        ("gzip-multi", [gzip(b"/* header */\n"), gzip(body)].concat()),
        ("zlib", zlib(body)),
        ("xz", xz(body)),
        ("lzma", lzma(body)),
        ("bzip2", bzip2(body)),
        ("zstd", zstd(body)),
    ]
}

// --- a notice in any format fails the build ---------------------------------------------------

#[test]
fn a_notice_inside_every_format_fails_the_build() {
    for (label, bytes) in every_format(NOTICE) {
        let ws = Ws::new();
        ws.write(&format!("assets/{label}.dat"), &bytes);
        let (code, doc) = ws.json(&[]);
        assert_eq!(code, 1, "{label}: {:?}", not_scanned(&doc));
        let got = fails(&doc);
        assert!(
            got.iter().any(|(e, _, file)| e == "ao-kaspersky-lab"
                && file.starts_with(&format!("assets/{label}.dat!"))),
            "{label}: {got:?}"
        );
        assert!(
            not_scanned(&doc).is_empty(),
            "{label}: {:?}",
            not_scanned(&doc)
        );
    }
}

#[test]
fn nested_tar_xz_inside_a_zip_inside_a_multi_member_gzip() {
    let txz = xz(&tar(
        &[("engine/notice.h", NOTICE)],
        tar::EntryType::Regular,
    ));
    let z = zip(&[("bundle/engine.tar.xz", &txz)]);
    let gz = [gzip(b""), gzip(&z)].concat();
    let ws = Ws::new();
    ws.write("third_party/bundle.zip.gz", &gz);
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 1, "{:?}", not_scanned(&doc));
    assert_eq!(
        fails(&doc),
        [(
            "ao-kaspersky-lab".to_string(),
            "notice".to_string(),
            "third_party/bundle.zip!bundle/engine.tar.xz!engine/notice.h".to_string()
        )]
    );
}

/// A vendor SDK shipped the way Linux applications are: a snap (a SquashFS image) or an
/// AppImage (its runtime with the image appended). Its blocks are compressed, so the notice is
/// nowhere in the file's own bytes: only reading the image finds it.
#[test]
fn a_vendor_sdk_inside_a_snap_or_an_appimage_fails_the_build() {
    let mut readme = b"Engine SDK: scanning API reference.\n".repeat(200);
    readme.extend(NOTICE);
    readme.extend(b"Scanning API, continued.\n".repeat(200));
    let files: &[(&str, &[u8])] = &[("opt/sdk/README", &readme)];
    for (name, bytes) in [
        ("vendor/sdk.snap", testgen::squashfs(files)),
        ("vendor/Sdk-x86_64.AppImage", testgen::appimage(files)),
    ] {
        assert!(
            !bytes
                .windows(9)
                .any(|w| w.eq_ignore_ascii_case(b"kaspersky")),
            "{name}: compressed"
        );
        let ws = Ws::new();
        ws.write(name, &bytes);
        let (code, doc) = ws.json(&[]);
        assert_eq!(code, 1, "{name}: {:?}", not_scanned(&doc));
        assert_eq!(
            fails(&doc),
            [(
                "ao-kaspersky-lab".to_string(),
                "notice".to_string(),
                format!("{name}!opt/sdk/README")
            )],
            "{name}"
        );
    }
}

/// A vendor's manual as PDF writers write one: the page text, the document information and the
/// attachments deflated, so the file's own bytes name no one. The notice on the page fails the
/// build, as does an SDK attached to the document; a manual that only mentions the name, by
/// another author, stays clean and is not listed as unread.
#[test]
fn a_notice_or_an_sdk_inside_a_pdf_fails_the_build() {
    let notice = testgen::pdf(
        &[
            "Engine SDK Manual",
            "Copyright (c) 2024 AO Kaspersky Lab. All rights reserved.",
        ],
        "Technical Writing",
        &[],
    );
    let attached = testgen::pdf(
        &["Engine SDK Manual", "The SDK is attached to this document."],
        "Technical Writing",
        &[("sdk.zip", &zip(&[("kavsdk/notice.h", NOTICE)]))],
    );
    let control = testgen::pdf(
        &[
            "Supported engines: Kaspersky, ESET, Sophos.",
            "Copyright (c) 2023 Example Widgets Ltd.",
        ],
        "Example Widgets Ltd.",
        &[("engines.txt", CONTROL)],
    );
    for (bytes, want) in [
        (&notice, Some("docs/manual.pdf!object 6")),
        (&attached, Some("docs/manual.pdf!object 8!kavsdk/notice.h")),
        (&control, None),
    ] {
        assert!(
            !bytes
                .windows(9)
                .any(|w| w.eq_ignore_ascii_case(b"kaspersky"))
        );
        let ws = Ws::new();
        ws.write("docs/manual.pdf", bytes);
        let (code, doc) = ws.json(&["--fail-on-unscanned"]);
        assert!(not_scanned(&doc).is_empty(), "{:?}", not_scanned(&doc));
        match want {
            Some(path) => {
                assert_eq!(code, 1, "{path}");
                assert_eq!(
                    fails(&doc),
                    [(
                        "ao-kaspersky-lab".to_string(),
                        "notice".to_string(),
                        path.to_string()
                    )]
                );
            }
            None => assert_eq!(code, 0, "{:?}", fails(&doc)),
        }
    }
}

// --- what cannot be opened is listed, never passed -------------------------------------------

#[test]
fn a_corrupt_file_of_every_format_is_not_scanned() {
    let empty = fixture("lists/empty.toml");
    let empty = empty.to_str().unwrap();
    for (label, bytes) in every_format(NOTICE) {
        // The second half destroyed: headers survive (the format is still recognised), the
        // payload does not.
        let mut bad = bytes.clone();
        let half = bad.len() / 2;
        bad.truncate(half + 4);
        if label == "zip-sfx" {
            // The end record must survive to find the archive: damage the member's data instead
            // (after its 30-byte header and 12-byte name).
            bad = bytes.clone();
            let at = bad.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
            bad[at + 42..at + 52].fill(0);
        }
        if label == "squashfs" || label == "appimage" {
            // An image is padded to 4 KiB: halve what its superblock says it uses.
            let at = bytes.windows(4).position(|w| w == b"hsqs").unwrap();
            let used = u64::from_le_bytes(bytes[at + 40..at + 48].try_into().unwrap());
            bad = bytes[..at + usize::try_from(used).unwrap() / 2].to_vec();
        }
        let ws = Ws::new();
        ws.write(&format!("assets/{label}.dat"), &bad);
        let (code, doc) = ws.json(&["--no-builtin-list", "--entities", empty]);
        let reasons = not_scanned(&doc);
        assert_eq!(code, 0, "{label}: no entity list, no finding");
        assert_eq!(reasons.len(), 1, "{label}: {reasons:?}");
        assert!(
            reasons[0].contains(&format!("assets/{label}.dat")),
            "{label}: the reason names the file: {reasons:?}"
        );
        let (code, _) = ws.json(&[
            "--no-builtin-list",
            "--entities",
            empty,
            "--fail-on-unscanned",
        ]);
        assert_eq!(code, 1, "{label}: --fail-on-unscanned fails the build");
    }
}

#[test]
fn decompression_bombs_are_listed_as_over_the_limit() {
    let zeros = vec![0u8; 70 * 1024 * 1024];
    let ws = Ws::new();
    ws.write("assets/zeros.xz", &xz(&zeros));
    ws.write("assets/zeros.zst", &zstd(&zeros[..65 * 1024 * 1024]));
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 0);
    let reasons = not_scanned(&doc);
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].contains("larger than 67108864 bytes unpacked")
            && reasons[0].contains("and 1 more files"),
        "{reasons:?}"
    );
}

// --- controls --------------------------------------------------------------------------------

#[test]
fn archives_holding_only_mentions_and_other_notices_stay_clean() {
    let ws = Ws::new();
    for (label, bytes) in every_format(CONTROL) {
        ws.write(&format!("assets/{label}.dat"), &bytes);
    }
    // Ordinary text that begins like a stream's header is scanned as text, not listed.
    ws.write("docs/formula.txt", b"x^2 + y^2: not a zlib stream\n");
    let (code, doc) = ws.json(&["--fail-on-unscanned"]);
    assert_eq!(code, 0, "{:?} {:?}", fails(&doc), not_scanned(&doc));
    assert!(fails(&doc).is_empty());
    assert!(not_scanned(&doc).is_empty(), "{:?}", not_scanned(&doc));
    // …but the archives are inventoried, as what they are.
    let kinds = kinds(&doc);
    for k in [
        "7z", "cab", "msi", "squashfs", "xz", "zstd", "bzip2", "lzma", "zlib", "gzip", "tar", "zip",
    ] {
        assert!(kinds.contains(&k), "{k}: {kinds:?}");
    }
}

// --- installers: who the package says made it, who signed it ----------------------------------

#[test]
fn an_installers_manufacturer_and_signer_are_attribution() {
    let ws = Ws::new();
    // Nothing inside names anyone: the header alone says who made it.
    let made = testgen::msi(
        Some("Product Team"),
        &[
            ("Manufacturer", "AO Kaspersky Lab"),
            ("ProductName", "Endpoint Agent"),
        ],
        &[("cab1.cab", &cab(&[("agent.txt", b"an agent\n")]))],
        None,
    );
    ws.write("installers/agent.msi", &made);
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 1, "{:?}", not_scanned(&doc));
    assert_eq!(
        fails(&doc),
        [(
            "ao-kaspersky-lab".to_string(),
            "msi header Manufacturer".to_string(),
            "installers/agent.msi".to_string()
        )]
    );
    let kinds = kinds(&doc);
    assert!(kinds.contains(&"msi"), "{kinds:?}");

    // Signed by the vendor, shipped inside a zip, its header naming someone else.
    let der = testgen::signed_data("CN=Kaspersky Lab,O=AO Kaspersky Lab,C=RU", None);
    let signed = testgen::msi(
        Some("Example Widgets Ltd."),
        &[("Manufacturer", "Example Widgets Ltd.")],
        &[],
        Some(&der),
    );
    let ws = Ws::new();
    ws.write("dist/bundle.zip", &zip(&[("setup/product.msi", &signed)]));
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 1, "{}", doc["findings"]);
    let got = fails(&doc);
    assert!(
        got.iter().any(|(e, field, file)| e == "ao-kaspersky-lab"
            && field == "Authenticode signer subject"
            && file == "dist/bundle.zip!setup/product.msi"),
        "{got:?}"
    );
}

#[test]
fn an_installer_that_only_mentions_a_vendor_stays_clean() {
    let ws = Ws::new();
    let bytes = testgen::msi(
        Some("Example Widgets Ltd."),
        &[
            ("Manufacturer", "Example Widgets Ltd."),
            (
                "ARPHELPLINK",
                "https://support.example.com/kaspersky-compatibility",
            ),
            ("SupportedEngines", "Kaspersky, ESET, Sophos"),
        ],
        &[("cab1.cab", &cab(&[("readme.txt", CONTROL)]))],
        None,
    );
    ws.write("installers/widget.msi", &bytes);
    let (code, doc) = ws.json(&["--fail-on-unscanned"]);
    assert_eq!(code, 0, "{:?} {:?}", fails(&doc), not_scanned(&doc));
    assert!(not_scanned(&doc).is_empty(), "{:?}", not_scanned(&doc));
}

// --- a package's test data --------------------------------------------------------------------

/// Whether the inventory lists `file` as test data left packed.
fn packed(doc: &serde_json::Value, file: &str) -> bool {
    doc["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["file"] == file && b["kind"].as_str().unwrap().contains("test data"))
}

#[test]
fn a_test_data_archive_is_unpacked_once_something_outside_the_test_data_names_it() {
    let blob = zip(&[("payload/readme.txt", NOTICE)]);
    let file = "tests/fixtures/blob.zip";
    let fixture = || {
        let ws = Ws::new();
        ws.write(file, &blob);
        ws
    };
    // Nothing outside the test data names it: its compressed member is named, not unpacked,
    // and the inventory says so.
    let ws = fixture();
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 0, "{:?}", fails(&doc));
    assert!(packed(&doc, file), "{:?}", doc["binaries"]);
    assert!(not_scanned(&doc).is_empty(), "{:?}", not_scanned(&doc));
    // Asked for, every test-data archive is unpacked: on the command line or in the
    // configuration.
    let (code, doc) = ws.json(&["--unpack-test-data"]);
    assert_eq!(code, 1);
    assert!(!packed(&doc, file));
    assert_eq!(
        fails(&doc),
        [(
            "ao-kaspersky-lab".to_string(),
            "notice".to_string(),
            format!("{file}!payload/readme.txt")
        )]
    );
    let ws = fixture();
    ws.write("entitycheck.toml", b"[deep]\nunpack-test-data = true\n");
    assert_eq!(ws.json(&[]).0, 1);
    // Whatever outside the test data names it, by its file name or its directory, may take
    // it into the product: a build script, a packaging step, an included file, a makefile
    // copying the directory, a build script joining the directory's name.
    for (rel, text) in [
        (
            "build.rs",
            "fn main() { std::fs::copy(\"tests/fixtures/blob.zip\", out()); }",
        ),
        (
            "Dockerfile",
            "FROM scratch\nCOPY tests/fixtures/blob.zip /opt/engine/\n",
        ),
        (
            "src/lib.rs",
            "pub static B: &[u8] = include_bytes!(\"../tests/fixtures/blob.zip\");",
        ),
        ("Makefile", "dist:\n\tcp -r tests/fixtures/ dist/\n"),
        (
            "scripts/pack.sh",
            "for z in tests/fixtures/*.zip; do unzip \"$z\"; done\n",
        ),
        (
            "build.rs",
            "fn main() { let d = Path::new(\"tests\").join(\"fixtures\"); }",
        ),
    ] {
        let ws = fixture();
        ws.write(rel, text.as_bytes());
        let (code, doc) = ws.json(&[]);
        assert_eq!(code, 1, "{rel}: {text}");
        assert!(!packed(&doc, file), "{rel}");
    }
    // Its test code, and words that only look alike, name nothing.
    for (rel, text) in [
        (
            "tests/unpack.rs",
            "#[test] fn t() { open(\"tests/fixtures/blob.zip\"); }",
        ),
        (
            "src/lib.rs",
            "#[cfg(test)]\nmod tests;\n// the fixtures are built by tests\n",
        ),
        ("README.md", "Run the tests: `cargo test`.\n"),
    ] {
        let ws = fixture();
        ws.write(rel, text.as_bytes());
        let (code, doc) = ws.json(&[]);
        assert_eq!(code, 0, "{rel}: {:?}", fails(&doc));
        assert!(packed(&doc, file), "{rel}");
    }
}

#[test]
fn what_a_test_data_archive_stores_and_names_is_read_packed() {
    // A member's name, a stored member, a member of an uncompressed tar: read without
    // decoding anything, so they fail the build packed as they would unpacked.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("engine/notice.txt", stored).unwrap();
    w.write_all(NOTICE).unwrap();
    let stored = w.finish().unwrap().into_inner();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "tests/data/named.zip",
            zip(&[("bin/kavsdk.dll", b"MZ\x90\x00")]),
            "tests/data/named.zip!bin/kavsdk.dll",
        ),
        (
            "tests/data/stored.zip",
            stored,
            "tests/data/stored.zip!engine/notice.txt",
        ),
        (
            "tests/data/plain.tar",
            tar(&[("engine/notice.txt", NOTICE)], tar::EntryType::Regular),
            "tests/data/plain.tar!engine/notice.txt",
        ),
    ];
    for (file, bytes, at) in cases {
        let ws = Ws::new();
        ws.write(file, &bytes);
        let (code, doc) = ws.json(&[]);
        assert_eq!(code, 1, "{file}: {:?}", doc["findings"]);
        assert!(
            fails(&doc).iter().any(|(_, _, f)| f == at),
            "{file}: {:?}",
            fails(&doc)
        );
    }
    // A compressed stream kept as test data is not decoded; its bytes are read as a file's.
    let ws = Ws::new();
    ws.write("tests/data/notice.txt.gz", &gzip(NOTICE));
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 0, "{:?}", fails(&doc));
    assert!(packed(&doc, "tests/data/notice.txt.gz"));
    // Outside the test data, the same archives are unpacked as ever.
    let ws = Ws::new();
    ws.write("vendor/blob.zip", &zip(&[("payload/readme.txt", NOTICE)]));
    ws.write("assets/notice.txt.gz", &gzip(NOTICE));
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 1);
    assert_eq!(fails(&doc).len(), 2, "{:?}", fails(&doc));
}
