//! The registry sweep (#29) through the binary: a local registry's `.crate` swept into an index,
//! merged, signed, and taken by a check instead of the unpacked files; refused when its
//! signature, recogniser or lists do not match; and `sweep diff`.

use std::path::Path;

use crate::sources::{local_registry, registry_workspace};
use crate::*;

const NOTICE: &str = "third_party/engine/NOTICE";

fn keys(dir: &Path, seed: u8) -> (String, String) {
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let k = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let private = dir.join(format!("k{seed}.key.pem"));
    let public = dir.join(format!("k{seed}.pub.pem"));
    std::fs::write(
        &private,
        k.to_pkcs8_pem(Default::default()).unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(
        &public,
        k.verifying_key()
            .to_public_key_pem(Default::default())
            .unwrap(),
    )
    .unwrap();
    (
        private.to_string_lossy().into_owned(),
        public.to_string_lossy().into_owned(),
    )
}

fn sweep(args: &[&str]) -> Run {
    let r: Run = cmd().arg("sweep").args(args).output().unwrap().into();
    r
}

#[test]
fn a_signed_sweep_index_answers_for_registry_packages_in_a_check() {
    let tmp = tempfile::tempdir().unwrap();
    let t = |p: &str| tmp.path().join(p).to_string_lossy().into_owned();
    let registry = tmp.path().join("registry");
    local_registry(
        &registry,
        "av-sdk-bundle",
        &[(
            NOTICE,
            "Copyright (c) 2023 AO Kaspersky Lab. All rights reserved.\n",
        )],
    );
    let ws = registry_workspace(
        tmp.path(),
        &registry,
        "[dependencies]\nav-sdk-bundle = \"1\"\n",
    );
    let manifest = ws.join("Cargo.toml");

    // Two shards (one of them empty), checked against the registry's index, merged, signed.
    for shard in ["0/2", "1/2"] {
        let r = sweep(&[
            &t("registry"),
            "--registry-index",
            &t("registry/index"),
            "--shard",
            shard,
            "-o",
            &t(&format!("shard-{}.jsonl", &shard[..1])),
            "--as-of",
            AS_OF,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = sweep(&[
        "merge",
        &t("shard-0.jsonl"),
        &t("shard-1.jsonl"),
        "-o",
        &t("index.jsonl"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let index = std::fs::read_to_string(t("index.jsonl")).unwrap();
    assert_eq!(index.lines().count(), 1, "{index}");
    let rec: serde_json::Value = serde_json::from_str(index.lines().next().unwrap()).unwrap();
    assert_eq!(rec["name"], "av-sdk-bundle");
    assert_eq!(rec["verified_by"], "registry-index");
    assert_eq!(rec["verdict"], "fail");
    let (private, public) = keys(tmp.path(), 1);
    let (_, other_public) = keys(tmp.path(), 2);
    let r = sweep(&["sign", &t("index.jsonl"), "--key", &private]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(tmp.path().join("index.jsonl.dsse.json").is_file());

    let check = |extra: &[&str]| -> (Run, serde_json::Value) {
        let out = cmd()
            .args(["--manifest-path", manifest.to_str().unwrap()])
            .args(["--format", "json", "--as-of", AS_OF, "--no-cache"])
            .args(extra)
            .env("CARGO_HOME", tmp.path().join("cargo-home"))
            .env("CARGO_TARGET_DIR", tmp.path().join("target"))
            .output()
            .unwrap();
        let r: Run = out.into();
        let doc = serde_json::from_str(&r.stdout).expect(&r.stderr);
        (r, doc)
    };
    let notice_findings = |doc: &serde_json::Value| -> usize {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["evidence"]["location"]["file"] == NOTICE)
            .count()
    };
    // Unpacks the package; then its notice is removed from the unpacked copy, so only the
    // index can still know about it.
    let (plain, doc) = check(&[]);
    assert_eq!(plain.code, 1, "{}", plain.stderr);
    assert_eq!(notice_findings(&doc), 1);
    assert!(doc["summary"]["scan"].get("index").is_none());
    let mut removed = 0;
    for src in std::fs::read_dir(tmp.path().join("cargo-home/registry/src")).unwrap() {
        let f = src.unwrap().path().join("av-sdk-bundle-1.0.0").join(NOTICE);
        if f.exists() {
            std::fs::remove_file(f).unwrap();
            removed += 1;
        }
    }
    assert_eq!(removed, 1);
    let (r, _) = check(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // With the index: the registry package takes the index's scan (the notice it read from
    // the `.crate`), and the report says so.
    let with_index = ["--index", &t("index.jsonl"), "--index-key", &public];
    let (r, doc) = check(&with_index);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(notice_findings(&doc), 1, "{}", doc["findings"]);
    let used = &doc["summary"]["scan"]["index"];
    assert_eq!(used["used"], true, "{used}");
    assert_eq!(used["packages"], 1, "{used}");

    // Refused: another key, other lists, another recogniser (other limits). The check then
    // reads the files itself, and says why.
    let empty = fixture("lists/empty.toml").to_string_lossy().into_owned();
    for (extra, why) in [
        (
            vec!["--index", &t("index.jsonl"), "--index-key", &other_public],
            "its signature does not hold",
        ),
        (
            vec![
                "--index",
                &t("index.jsonl"),
                "--index-key",
                &public,
                "--entities",
                &empty,
            ],
            "made with the lists",
        ),
        (
            vec![
                "--index",
                &t("index.jsonl"),
                "--index-key",
                &public,
                "--max-file-size",
                "1 MiB",
            ],
            "this check recognises with",
        ),
    ] {
        let (r, doc) = check(&extra);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let idx = &doc["summary"]["scan"]["index"];
        assert_eq!(idx["used"], false, "{idx}");
        assert!(idx["refused"].as_str().unwrap().contains(why), "{idx}");
        assert!(
            r.stderr.contains("not used") && r.stderr.contains(why),
            "{}",
            r.stderr
        );
    }
    // The human report says it too.
    let out = cmd()
        .args([
            "--manifest-path",
            manifest.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ])
        .args(with_index)
        .env("CARGO_HOME", tmp.path().join("cargo-home"))
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .output()
        .unwrap();
    let r: Run = out.into();
    assert!(
        r.stdout.contains("1 packages from the sweep index"),
        "{}",
        r.stdout
    );
}

#[test]
fn sweep_usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o.jsonl");
    let r = sweep(&[
        tmp.path().to_str().unwrap(),
        "--shard",
        "2/2",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--shard"), "{}", r.stderr);
    let r = sweep(&["missing-dir", "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("missing-dir"), "{}", r.stderr);
}

const LIST_V1: &str = r#"[list]
id = "corp"
title = "t"
version = "1"
updated = "2026-01-01"

[[source]]
id = "s"
title = "s"
citation = "s"
grade = "primary"

[[entity]]
id = "initech"
kind = "company"
name = "Initech Systems"
source = "s"
grade = "primary"

  [[entity.domain]]
  domain = "initech.example"
  source = "s"
  grade = "primary"
"#;

const LIST_V2_ADDS: &str = r#"
[[entity]]
id = "globex"
kind = "company"
name = "Globex Widgets"
source = "s"
grade = "primary"

  [[entity.domain]]
  domain = "globex.example"
  source = "s"
  grade = "primary"
"#;

/// The day an entity is listed: `list --diff OLD NEW --index` (and `sweep diff`) name the crate
/// versions whose verdict the new entry changes.
#[test]
fn list_diff_on_an_index_names_the_versions_a_new_entry_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let t = |p: &str| tmp.path().join(p).to_string_lossy().into_owned();
    std::fs::write(t("v1.toml"), LIST_V1).unwrap();
    let v2 = format!(
        "{}{LIST_V2_ADDS}",
        LIST_V1.replace("version = \"1\"", "version = \"2\"")
    );
    std::fs::write(t("v2.toml"), v2).unwrap();
    for (name, repo) in [
        ("widgets", "https://git.globex.example/widgets"),
        ("tps", "https://initech.example/tps"),
        ("plain", "https://example.org/plain"),
    ] {
        let dir = tmp.path().join("crates");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{name}-1.0.0.crate"));
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&file).unwrap(),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        let manifest =
            format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nrepository = \"{repo}\"\n");
        let mut h = tar::Header::new_gnu();
        h.set_size(manifest.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(
            &mut h,
            format!("{name}-1.0.0/Cargo.toml"),
            manifest.as_bytes(),
        )
        .unwrap();
        tar.into_inner().unwrap().finish().unwrap();
    }
    let r = sweep(&[
        &t("crates"),
        "--no-builtin-list",
        "--entities",
        &t("v1.toml"),
        "--entities",
        &t("v2.toml"),
        "--as-of",
        AS_OF,
        "-o",
        &t("index.jsonl"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = cmd()
        .args(["list", "--diff", &t("v1.toml"), &t("v2.toml")])
        .args(["--index", &t("index.jsonl"), "--format", "json"])
        .output()
        .unwrap();
    let r: Run = out.into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["records"], 3);
    let changes = doc["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{doc}");
    assert_eq!(changes[0]["name"], "widgets");
    assert_eq!(changes[0]["old"], "clear");
    assert_eq!(changes[0]["entities"][0], "corp:globex");
    let human = cmd()
        .args(["sweep", "diff", &t("index.jsonl"), "--old", &t("v1.toml")])
        .args(["--new", &t("v2.toml"), "--as-of", AS_OF])
        .output()
        .unwrap();
    let r: Run = human.into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("widgets 1.0.0: clear -> "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 verdicts change"), "{}", r.stdout);
}
