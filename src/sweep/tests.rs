//! The sweep on `.crate` files, registry indexes and a database dump generated here.

use std::collections::BTreeSet;

use camino::{Utf8Path, Utf8PathBuf};
use sha2::{Digest, Sha256};

use super::*;
use crate::attest::dsse;
use crate::entity::EntityList;

/// A `.crate` (gzipped tar) of `name` `version` holding a Cargo.toml and `files`.
pub fn make_crate(
    name: &str,
    version: &str,
    extra_manifest: &str,
    files: &[(&str, &str)],
) -> Vec<u8> {
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n{extra_manifest}"
    );
    tarball(&format!("{name}-{version}"), &manifest, files)
}

/// A gzipped tar of `dir/Cargo.toml` (`manifest`), `dir/src/lib.rs` and `files` under `dir/`.
fn tarball(dir: &str, manifest: &str, files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    let gz = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let all = [("Cargo.toml", manifest), ("src/lib.rs", "pub fn f() {}\n")];
    for (path, text) in all.iter().chain(files) {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, format!("{dir}/{path}"), text.as_bytes())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    out
}

const NOTICE: &str = "Copyright (c) 2023 AO Kaspersky Lab. All rights reserved.\n";

fn tmp() -> (tempfile::TempDir, Utf8PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let p = Utf8PathBuf::from_path_buf(t.path().to_path_buf()).unwrap();
    (t, p)
}

fn builtin() -> Vec<EntityList> {
    vec![EntityList::builtin().unwrap()]
}

fn opts(root: &Utf8Path, out: &str) -> SweepOptions {
    SweepOptions {
        paths: vec![root.join("crates")],
        lists_of_files: Vec::new(),
        db_dump: None,
        registry_index: None,
        shard: Shard::ALL,
        output: root.join(out),
        deep: DeepOptions::default(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    }
}

/// Writes `crates/<name>-<version>.crate` and returns its SHA-256.
fn put(root: &Utf8Path, name: &str, version: &str, files: &[(&str, &str)]) -> String {
    let bytes = make_crate(name, version, "", files);
    std::fs::create_dir_all(root.join("crates")).unwrap();
    std::fs::write(root.join(format!("crates/{name}-{version}.crate")), &bytes).unwrap();
    hex::encode(Sha256::digest(&bytes))
}

fn lines(path: &Utf8Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn file_names_split_at_the_first_semantic_version() {
    let s = |f: &str| split_file_name(f);
    assert_eq!(
        s("serde-1.0.0.crate"),
        Some(("serde".into(), "1.0.0".into()))
    );
    assert_eq!(
        s("foo-2d-1.0.0-rc.1.crate"),
        Some(("foo-2d".into(), "1.0.0-rc.1".into()))
    );
    assert_eq!(
        s("a-b-c-0.1.0+meta.crate"),
        Some(("a-b-c".into(), "0.1.0+meta".into()))
    );
    assert_eq!(s("noversion.crate"), None);
    assert_eq!(s("x-1.0.0.tar.gz"), None);
}

#[test]
fn shards_partition_crates_by_name_deterministically() {
    assert!(Shard::parse("3/3").is_err() && Shard::parse("1/0").is_err());
    assert!(Shard::parse("x").is_err());
    assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
    // The documented rule, computed independently: SHA-256 of the lower-cased name.
    let h = Sha256::digest(b"serde");
    let want = u64::from_be_bytes(h[..8].try_into().unwrap()) % 7;
    assert_eq!(shard_of("Serde", 7), want);
    let names: Vec<String> = (0..200).map(|i| format!("crate-{i}")).collect();
    let mut seen = BTreeSet::new();
    for i in 0..4 {
        let shard = Shard { index: i, count: 4 };
        let here: Vec<&String> = names.iter().filter(|n| shard.holds(n)).collect();
        assert!(!here.is_empty(), "shard {i} is empty");
        for n in here {
            assert!(seen.insert(n.clone()), "{n} in two shards");
        }
    }
    assert_eq!(seen.len(), names.len());
}

#[test]
fn sweeps_a_directory_into_sorted_records_and_resumes() {
    let (_t, root) = tmp();
    put(
        &root,
        "zeta-engine",
        "1.0.0",
        &[("third_party/NOTICE", NOTICE)],
    );
    put(&root, "alpha", "0.1.0", &[("README.md", "A parser.\n")]);
    put(&root, "alpha", "0.2.0", &[("README.md", "A parser.\n")]);
    // The same file in a second registry's cache: screened once.
    std::fs::create_dir_all(root.join("crates/other-registry")).unwrap();
    std::fs::copy(
        root.join("crates/alpha-0.1.0.crate"),
        root.join("crates/other-registry/alpha-0.1.0.crate"),
    )
    .unwrap();
    std::fs::write(root.join("crates/not-a-crate.crate"), b"x").unwrap();
    let o = opts(&root, "out.jsonl");
    let s = run(&o, &builtin()).unwrap();
    assert_eq!((s.found, s.written), (4, 3), "{s:?}");
    assert!(
        s.notes.iter().any(|n| n.contains("not-a-crate.crate")),
        "{:?}",
        s.notes
    );
    let recs = lines(&o.output);
    let keys: Vec<(&str, &str)> = recs
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["version"].as_str().unwrap()))
        .collect();
    assert_eq!(
        keys,
        [
            ("alpha", "0.1.0"),
            ("alpha", "0.2.0"),
            ("zeta-engine", "1.0.0")
        ]
    );
    assert_eq!(recs[0]["verdict"], "clear");
    assert_eq!(recs[0]["verified_by"], "unverified");
    let z = &recs[2];
    assert_eq!(z["verdict"], "fail", "{z}");
    let m = &z["matches"][0];
    assert_eq!(m["evidence"]["role"], "attribution");
    assert_eq!(m["evidence"]["location"]["file"], "third_party/NOTICE");
    assert_eq!(m["list"], "entitycheck-builtin");
    assert!(m["grade"].is_string() && m["confidence"].is_string());
    assert_eq!(z["lists"][0]["id"], "entitycheck-builtin");
    assert!(
        z["recogniser"]
            .as_str()
            .unwrap()
            .starts_with("cargo-entitycheck/")
    );

    // A rerun writes nothing new; a task killed mid-line leaves a line that is cut and
    // rewritten, and the versions before it are not screened again.
    let again = run(&o, &builtin()).unwrap();
    assert_eq!((again.already_done, again.written), (3, 0));
    let full = std::fs::read_to_string(&o.output).unwrap();
    let keep: String = full.lines().take(1).map(|l| format!("{l}\n")).collect();
    let cut = &full.lines().nth(1).unwrap()[..40];
    std::fs::write(&o.output, format!("{keep}{cut}")).unwrap();
    let resumed = run(&o, &builtin()).unwrap();
    assert_eq!((resumed.already_done, resumed.written), (1, 2));
    assert_eq!(std::fs::read_to_string(&o.output).unwrap(), full);

    // A complete line that is not a record is an error naming the file and line, and the
    // file is left as it was.
    for text in [format!("garbage\n{full}"), format!("{full}garbage\n")] {
        std::fs::write(&o.output, &text).unwrap();
        let err = run(&o, &builtin()).unwrap_err().to_string();
        assert!(err.contains("out.jsonl:"), "{err}");
        assert_eq!(std::fs::read_to_string(&o.output).unwrap(), text);
    }
}

#[test]
fn shards_cover_the_whole_sweep_once() {
    let (_t, root) = tmp();
    for i in 0..12 {
        put(&root, &format!("c{i}"), "1.0.0", &[]);
    }
    let mut all = opts(&root, "all.jsonl");
    run(&all, &builtin()).unwrap();
    let mut outs = Vec::new();
    for i in 0..3 {
        all.shard = Shard { index: i, count: 3 };
        all.output = root.join(format!("s{i}.jsonl"));
        run(&all, &builtin()).unwrap();
        outs.push(all.output.clone());
    }
    let merged = root.join("merged.jsonl");
    assert_eq!(index::merge(&outs, &merged).unwrap(), 12);
    // Same records as one unsharded run (the elapsed time is not part of a record).
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap(),
        std::fs::read_to_string(root.join("all.jsonl")).unwrap()
    );
}

#[test]
fn checksums_are_verified_against_an_index_and_a_dump() {
    let (_t, root) = tmp();
    let good = put(&root, "good-crate", "1.0.0", &[]);
    let _bad = put(&root, "bad-crate", "1.0.0", &[]);
    put(&root, "unknown-crate", "1.0.0", &[]);
    // A registry index in the crates.io-index layout (the bad crate's checksum differs), and
    // one in cargo's cache format (binary header, NUL-separated pairs).
    let index = root.join("index");
    let write_index = |name: &str, body: &[u8]| {
        let p = index.join(checksums::index_path(name));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    };
    write_index(
        "good-crate",
        format!("{{\"name\":\"good-crate\",\"vers\":\"1.0.0\",\"cksum\":\"{good}\"}}\n").as_bytes(),
    );
    let mut cache = vec![3u8, 2, 0, 0, 0];
    cache.extend_from_slice(b"etag\x001.0.0\x00");
    cache.extend_from_slice(
        format!(
            "{{\"name\":\"bad-crate\",\"vers\":\"1.0.0\",\"cksum\":\"{}\"}}\x00",
            "0".repeat(64)
        )
        .as_bytes(),
    );
    let p = index
        .join(".cache")
        .join(checksums::index_path("bad-crate"));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, cache).unwrap();

    let mut o = opts(&root, "out.jsonl");
    o.registry_index = Some(index);
    run(&o, &builtin()).unwrap();
    let recs = lines(&o.output);
    let by = |n: &str| recs.iter().find(|r| r["name"] == n).unwrap().clone();
    assert_eq!(by("good-crate")["verified_by"], "registry-index");
    assert_eq!(by("good-crate")["verdict"], "clear");
    let bad = by("bad-crate");
    assert_eq!(bad["verdict"], "not-scanned");
    assert!(
        bad["not_scanned"][0]
            .as_str()
            .unwrap()
            .contains("checksum mismatch"),
        "{bad}"
    );
    let unknown = by("unknown-crate");
    assert_eq!(unknown["verdict"], "not-scanned");
    assert!(
        unknown["not_scanned"][0]
            .as_str()
            .unwrap()
            .contains("not in the registry index")
    );

    // The database dump: checksums and owners. `good-crate` is owned by a listed team.
    let dump = root.join("db-dump.tar.gz");
    write_dump(
        &dump,
        &[("good-crate", &good), ("bad-crate", &"1".repeat(64))],
    );
    let mut o = opts(&root, "dump.jsonl");
    o.db_dump = Some(dump);
    run(&o, &builtin()).unwrap();
    let recs = lines(&o.output);
    let by = |n: &str| recs.iter().find(|r| r["name"] == n).unwrap().clone();
    let g = by("good-crate");
    assert_eq!(g["verified_by"], "db-dump");
    assert_eq!(g["owners"][0]["text"], "github:kasperskylab:core", "{g}");
    assert_eq!(g["verdict"], "fail");
    assert!(
        by("bad-crate")["not_scanned"][0]
            .as_str()
            .unwrap()
            .contains("database dump says")
    );
}

/// A crates.io database dump (`<date>/data/<table>.csv` in a gzipped tar): `crates` with
/// their checksums at 1.0.0; the first is owned by a team of a listed entity's organisation.
fn write_dump(path: &Utf8Path, crates: &[(&str, &str)]) {
    let t = "2026-11-01 10:00:00.123456";
    let mut versions = String::from(
        "crate_id,crate_size,created_at,downloads,features,id,license,num,published_by,tar_sha256,updated_at,yanked\n",
    );
    let mut rows = String::from(
        "created_at,description,documentation,homepage,id,max_features,max_upload_size,name,readme,repository,updated_at\n",
    );
    for (i, (name, sum)) in crates.iter().enumerate() {
        versions.push_str(&format!(
            "{i},1000,{t},10,{{}},{},MIT,1.0.0,,\\x{sum},{t},f\n",
            100 + i
        ));
        rows.push_str(&format!("{t},x,,,{i},,,{name},,,{t}\n"));
    }
    let files = [
        ("metadata.json", "{\"timestamp\":\"2026-11-29T02:00:02Z\",\"crates_io_commit\":\"x\"}\n".to_string()),
        // Versions before crates, as a dump may order them: read in a second pass.
        ("data/versions.csv", versions),
        ("data/crate_owners.csv", format!("crate_id,created_at,created_by,owner_id,owner_kind\n0,{t},,3,1\n")),
        ("data/users.csv", "created_at,gh_id,id,name,username\n".to_string()),
        ("data/crates.csv", rows),
        (
            "data/teams.csv",
            "avatar,github_id,id,login,name,org_id\nhttps://a.example/x,30,3,github:kasperskylab:core,core,300\n".to_string(),
        ),
    ];
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    for (name, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, format!("2026-11-29-020002/{name}"), text.as_bytes())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

#[test]
fn a_crate_whose_contents_disagree_with_its_file_name_is_not_trusted() {
    let (_t, root) = tmp();
    std::fs::create_dir_all(root.join("crates")).unwrap();
    let put_raw =
        |file: &str, bytes: Vec<u8>| std::fs::write(root.join("crates").join(file), bytes).unwrap();
    put_raw(
        "innocent-1.0.0.crate",
        make_crate("innocent", "1.0.0", "", &[]),
    );
    // Another version's tarball, renamed: nothing is under `other-3.0.0/`.
    put_raw("other-3.0.0.crate", make_crate("other", "2.0.0", "", &[]));
    // The right directory, but a manifest naming another version.
    put_raw(
        "spoof-1.0.0.crate",
        tarball(
            "spoof-1.0.0",
            "[package]\nname = \"spoof\"\nversion = \"9.9.9\"\n",
            &[],
        ),
    );
    let o = opts(&root, "out.jsonl");
    run(&o, &builtin()).unwrap();
    let recs = lines(&o.output);
    assert_eq!(recs[0]["verdict"], "clear");
    let other = &recs[1];
    assert_eq!(other["verdict"], "not-scanned", "{other}");
    assert!(
        other["not_scanned"]
            .to_string()
            .contains("outside the package directory `other-3.0.0/`"),
        "{other}"
    );
    let spoof = &recs[2];
    assert_eq!(spoof["verdict"], "not-scanned", "{spoof}");
    assert!(
        spoof["not_scanned"][0]
            .as_str()
            .unwrap()
            .contains("its Cargo.toml says spoof 9.9.9"),
        "{spoof}"
    );
}

fn key(seed: u8) -> dsse::SigningKey {
    dsse::SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
}

#[test]
fn a_signed_index_is_trusted_only_for_its_key_content_recogniser_and_lists() {
    let (_t, root) = tmp();
    let sum = put(&root, "engine", "1.0.0", &[("NOTICE", NOTICE)]);
    let o = opts(&root, "index.jsonl");
    let lists = builtin();
    run(&o, &lists).unwrap();
    let envelope = index::sign(&o.output, &key(1)).unwrap();
    let sig = index::signature_path(&o.output);
    std::fs::write(&sig, serde_json::to_vec(&envelope).unwrap()).unwrap();
    let deep = DeepOptions::default();
    let good = index::Trusted::load(&o.output, &key(1).verifying_key(), &lists, &deep).unwrap();
    let scan = good
        .get("engine", "1.0.0", &sum.to_ascii_uppercase())
        .unwrap();
    assert_eq!(scan.evidence[0].location.as_ref().unwrap().file, "NOTICE");
    assert!(good.get("engine", "1.0.0", &"0".repeat(64)).is_none());
    // A check reads in full only the records its lockfile pins.
    let pinned: std::collections::HashSet<(String, String, String)> =
        [("engine".into(), "1.0.0".into(), sum.clone())].into();
    let vk = key(1).verifying_key();
    let some = index::Trusted::load_for(&o.output, &vk, &lists, &deep, Some(&pinned)).unwrap();
    assert_eq!(some.len(), 1);
    let none = index::Trusted::load_for(&o.output, &vk, &lists, &deep, Some(&Default::default()));
    assert!(none.unwrap().is_empty());

    // Another key.
    let e = index::Trusted::load(&o.output, &key(2).verifying_key(), &lists, &deep).unwrap_err();
    assert!(matches!(e, index::Refusal::BadSignature(_)), "{e}");
    // Another recogniser (other limits).
    let other = DeepOptions {
        max_file_bytes: 1024,
        ..DeepOptions::default()
    };
    let e = index::Trusted::load(&o.output, &key(1).verifying_key(), &lists, &other).unwrap_err();
    assert!(matches!(e, index::Refusal::Recogniser { .. }), "{e}");
    // Other lists (a list added).
    let mut more = builtin();
    more.push(
        EntityList::parse(
            include_str!("../../tests/fixtures/lists/empty.toml"),
            "empty.toml",
        )
        .unwrap(),
    );
    let e = index::Trusted::load(&o.output, &key(1).verifying_key(), &more, &deep).unwrap_err();
    assert!(e.to_string().contains("empty 1"), "{e}");
    // An edited index (a verdict cleared by hand).
    let text = std::fs::read_to_string(&o.output).unwrap();
    std::fs::write(&o.output, text.replace("\"fail\"", "\"clear\"")).unwrap();
    let e = index::Trusted::load(&o.output, &key(1).verifying_key(), &lists, &deep).unwrap_err();
    assert!(matches!(e, index::Refusal::WrongSubject(_)), "{e}");
    // No signature at all.
    std::fs::remove_file(&sig).unwrap();
    let e = index::Trusted::load(&o.output, &key(1).verifying_key(), &lists, &deep).unwrap_err();
    assert!(matches!(e, index::Refusal::NoSignature(..)), "{e}");
}

#[test]
fn merge_refuses_shards_of_different_lists() {
    let (_t, root) = tmp();
    put(&root, "a", "1.0.0", &[]);
    let one = opts(&root, "one.jsonl");
    run(&one, &builtin()).unwrap();
    let two = opts(&root, "two.jsonl");
    let empty = EntityList::parse(
        include_str!("../../tests/fixtures/lists/empty.toml"),
        "empty.toml",
    )
    .unwrap();
    run(&two, &[empty]).unwrap();
    let err = index::merge(&[one.output, two.output], &root.join("m.jsonl"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("other lists"), "{err}");
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

#[test]
fn diff_names_the_versions_whose_verdict_a_new_entry_changes() {
    let (_t, root) = tmp();
    let v1 = EntityList::parse(LIST_V1, "v1.toml").unwrap();
    let v2_text = format!(
        "{}{LIST_V2_ADDS}",
        LIST_V1.replace("version = \"1\"", "version = \"2\"")
    );
    let v2 = EntityList::parse(&v2_text, "v2.toml").unwrap();
    std::fs::create_dir_all(root.join("crates")).unwrap();
    let write = |name: &str, manifest: &str| {
        std::fs::write(
            root.join(format!("crates/{name}-1.0.0.crate")),
            make_crate(name, "1.0.0", manifest, &[]),
        )
        .unwrap();
    };
    write(
        "widgets",
        "repository = \"https://git.globex.example/widgets\"\n",
    );
    write(
        "tps-reports",
        "repository = \"https://initech.example/tps\"\n",
    );
    write("plain", "");
    let o = opts(&root, "index.jsonl");
    let policy = Policy::new(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    // Swept with the old list only: the new list's evidence may be missing, so no answer.
    run(&o, std::slice::from_ref(&v1)).unwrap();
    let records = index::read(&o.output).unwrap();
    let err = diff::diff(&records, "index.jsonl", &v1, &v2, &policy).unwrap_err();
    assert!(
        err.to_string().contains("sweep again with both lists"),
        "{err}"
    );
    // Swept with both.
    std::fs::remove_file(&o.output).unwrap();
    run(&o, &[v1.clone(), v2.clone()]).unwrap();
    let records = index::read(&o.output).unwrap();
    let d = diff::diff(&records, "index.jsonl", &v1, &v2, &policy).unwrap();
    assert_eq!(d.records, 3);
    assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
    let c = &d.changes[0];
    assert_eq!((c.name.as_str(), c.old.as_str()), ("widgets", "clear"));
    assert_ne!(c.new, "clear");
    assert_eq!(c.entities, ["corp:globex"]);
    let mut human = Vec::new();
    d.write_human(&mut human).unwrap();
    assert!(
        String::from_utf8(human)
            .unwrap()
            .contains("widgets 1.0.0: clear -> ")
    );
}

#[test]
fn what_a_dependency_never_builds_is_a_note_as_in_a_check() {
    let (_t, root) = tmp();
    let big = "x".repeat(300);
    put(&root, "in-tests", "1.0.0", &[("tests/data/big.txt", &big)]);
    put(&root, "in-src", "1.0.0", &[("src/big.txt", &big)]);
    // Included from outside tests/: it can ship, so it stays not scanned.
    put(
        &root,
        "included",
        "1.0.0",
        &[
            ("tests/data/big.txt", &big),
            (
                "src/data.rs",
                "static D: &str = include_str!(\"../tests/data/big.txt\");\n",
            ),
        ],
    );
    let mut o = opts(&root, "out.jsonl");
    o.deep.max_file_bytes = 200;
    run(&o, &builtin()).unwrap();
    let recs = lines(&o.output);
    let by = |n: &str| recs.iter().find(|r| r["name"] == n).unwrap().clone();
    assert_eq!(by("in-tests")["verdict"], "clear", "{}", by("in-tests"));
    assert_eq!(by("in-tests")["scan"]["skipped"][0]["kind"], "note");
    assert_eq!(by("in-src")["verdict"], "not-scanned");
    assert_eq!(
        by("included")["verdict"],
        "not-scanned",
        "{}",
        by("included")
    );
}
