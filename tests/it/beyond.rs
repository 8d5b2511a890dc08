//! Evidence beyond a package's own files (#17): registry owners from a local server speaking
//! the crates.io owners API (127.0.0.1 only) and from a database dump built here, build-script
//! outputs in the target directory, and shipped artefacts (`scan`, `certify --artefact`).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::sources::{local_registry, registry_workspace};
use crate::*;

use crate::testgen;

/// A one-thread HTTP server on 127.0.0.1 answering `GET /api/v1/crates/{name}/owners` from
/// `owners` (name → JSON body), 404 otherwise. Serves `max` requests, then stops listening.
/// Returns its base URL and the request lines and User-Agents it saw.
fn owners_server(
    owners: Vec<(&'static str, String)>,
    max: usize,
) -> (String, Arc<Mutex<Vec<String>>>, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if line.to_ascii_lowercase().starts_with("user-agent:") {
                    log.lock().unwrap().push(line.trim().to_string());
                }
                line.clear();
            }
            log.lock().unwrap().push(request.trim().to_string());
            let path = request.split_whitespace().nth(1).unwrap_or("");
            let body = owners
                .iter()
                .find(|(n, _)| path == format!("/api/v1/crates/{n}/owners"))
                .map(|(_, b)| b.clone());
            let (status, body) = match body {
                Some(b) => ("200 OK", b),
                None => ("404 Not Found", "{\"errors\":[]}".to_string()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen, handle)
}

/// A product depending on `av-core` 1.0.0 from crates.io (replaced by a local registry): a
/// neutral name, no authors of note, nothing listed in its files.
fn neutral_registry_product(tmp: &Path) -> PathBuf {
    let registry = tmp.join("registry");
    local_registry(
        &registry,
        "av-core",
        &[("README.md", "A scanning engine.\n")],
    );
    registry_workspace(tmp, &registry, "[dependencies]\nav-core = \"1\"\n").join("Cargo.toml")
}

fn check_with(tmp: &Path, manifest: &Path, extra: &[&str]) -> (Run, serde_json::Value) {
    let out = cmd()
        .args(["--manifest-path", manifest.to_str().unwrap()])
        .args(["--format", "json", "--as-of", AS_OF])
        .args(extra)
        .env("CARGO_HOME", tmp.join("cargo-home"))
        .env("CARGO_TARGET_DIR", tmp.join("target"))
        .env("CARGO_ENTITYCHECK_CACHE_DIR", tmp.join("cache"))
        .output()
        .unwrap();
    let r: Run = out.into();
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    let doc = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    (r, doc)
}

/// The failing findings as (package, evidence field, evidence text).
fn failing(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap().to_string(),
                f["evidence"]["field"].as_str().unwrap().to_string(),
                f["evidence"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

const TEAM_OWNED: &str = r#"{"users":[{"id":1,"login":"github:kasperskylab:core","kind":"team","name":"core","url":"https://github.com/kasperskylab","avatar":null},{"id":2,"login":"jdoe","kind":"user","name":"J. Doe","url":"https://github.com/jdoe","avatar":null}]}"#;

#[test]
fn owners_from_the_registry_api_then_from_its_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = neutral_registry_product(tmp.path());

    // Without --owners: nothing in the package names anyone listed.
    let (r, doc) = check_with(tmp.path(), &manifest, &["--offline"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(failing(&doc).is_empty());

    let (api, seen, server) = owners_server(vec![("av-core", TEAM_OWNED.to_string())], 1);
    let (r, doc) = check_with(tmp.path(), &manifest, &["--crates-io-api", &api]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        failing(&doc),
        [(
            "av-core".to_string(),
            "crates.io owner team".to_string(),
            "github:kasperskylab:core".to_string()
        )]
    );
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["verdict"] == "fail")
        .unwrap();
    assert_eq!(f["identifier"]["kind"], "org");
    assert_eq!(f["confidence"], "confirmed");
    server.join().unwrap();
    let seen = seen.lock().unwrap().clone();
    // One request, for the one crates.io package only, saying who is asking.
    assert_eq!(
        seen.iter()
            .filter(|l| l.starts_with("GET "))
            .collect::<Vec<_>>(),
        ["GET /api/v1/crates/av-core/owners HTTP/1.1"]
    );
    assert!(
        seen.iter()
            .any(|l| l.contains("cargo-entitycheck/") && l.contains("(+http")),
        "{seen:?}"
    );

    // The server is gone. A fresh cache answers without asking; an old one is used because the
    // registry cannot be reached, with a note saying how old it is.
    let cache = tmp.path().join("cache/owners/av-core.json");
    let mut entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).expect("cache written")).unwrap();
    entry["fetched"] = "2026-10-01T00:00:00Z".into();
    std::fs::write(&cache, entry.to_string()).unwrap();
    let (r, doc) = check_with(
        tmp.path(),
        &manifest,
        &["--owners", "--crates-io-api", &api],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(failing(&doc).len(), 1);
    assert!(
        r.stderr
            .contains("taken from the cache, fetched: av-core (")
            && r.stderr.contains("days ago, on 2026-10-01"),
        "{}",
        r.stderr
    );
}

/// A CSV file of the dump.
fn csv(header: &str, rows: &[&str]) -> String {
    let mut s = format!("{header}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

/// A crates.io database dump in the real layout (`<date>/data/<table>.csv`, gzipped tar), with
/// the owners and publisher tables written before `crates.csv` (a table may come before the one
/// it refers to).
fn write_dump(path: &Path) {
    let t = "2026-11-01 10:00:00.123456";
    let files = [
        (
            "metadata.json",
            "{\"timestamp\":\"2026-11-29T02:00:02Z\",\"crates_io_commit\":\"x\"}\n".to_string(),
        ),
        (
            "data/versions.csv",
            csv(
                "crate_id,crate_size,created_at,downloads,features,id,license,num,published_by,tar_sha256,updated_at,yanked",
                &[
                    &format!(
                        "7,1000,{t},10,{{}},70,MIT,1.0.0,5,\\x{},{t},f",
                        "ab".repeat(32)
                    ),
                    &format!(
                        "8,1000,{t},10,{{}},80,MIT,1.0.0,6,\\x{},{t},f",
                        "cd".repeat(32)
                    ),
                ],
            ),
        ),
        (
            "data/crate_owners.csv",
            csv(
                "crate_id,created_at,created_by,owner_id,owner_kind",
                &[
                    &format!("7,{t},,3,1"),
                    &format!("7,{t},,5,0"),
                    &format!("8,{t},,6,0"),
                ],
            ),
        ),
        (
            "data/users.csv",
            csv(
                "created_at,gh_id,id,name,username",
                &[
                    &format!("{t},50,5,Jane Roe,jroe"),
                    &format!("{t},60,6,,someone-else"),
                ],
            ),
        ),
        (
            "data/crates.csv",
            csv(
                "created_at,description,documentation,homepage,id,max_features,max_upload_size,name,readme,repository,updated_at",
                &[
                    &format!("{t},An engine,,,7,,,av-core,,,{t}"),
                    &format!("{t},Other,,,8,,,unrelated,,,{t}"),
                ],
            ),
        ),
        (
            "data/teams.csv",
            csv(
                "avatar,github_id,id,login,name,org_id",
                &["https://a.example/x,30,3,github:kasperskylab:core,core,300"],
            ),
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
fn owners_from_a_database_dump_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = neutral_registry_product(tmp.path());
    let dump = tmp.path().join("db-dump.tar.gz");
    write_dump(&dump);
    // No API is reachable at all: the dump is the only source.
    let (r, doc) = check_with(
        tmp.path(),
        &manifest,
        &["--offline", "--crates-io-dump", dump.to_str().unwrap()],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        failing(&doc),
        [(
            "av-core".to_string(),
            "crates.io owner team".to_string(),
            "github:kasperskylab:core".to_string()
        )]
    );
    let fields: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["evidence"]["field"].as_str().unwrap())
        .collect();
    assert!(
        !fields.iter().any(|f| f.contains("publisher")),
        "{fields:?}"
    );
    assert!(
        r.stderr.contains("read from the database dump"),
        "{}",
        r.stderr
    );

    // A damaged dump is an input error naming the file.
    std::fs::write(&dump, b"not a dump").unwrap();
    let out = cmd()
        .args(["--manifest-path", manifest.to_str().unwrap(), "--offline"])
        .args(["--crates-io-dump", dump.to_str().unwrap()])
        .env("CARGO_HOME", tmp.path().join("cargo-home"))
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .output()
        .unwrap();
    let r: Run = out.into();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("db-dump.tar.gz"), "{}", r.stderr);
}

/// A workspace whose path dependency `engine-sys` has a build script (never run here).
fn build_script_product(tmp: &Path) -> PathBuf {
    let ws = tmp.join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::create_dir_all(ws.join("engine-sys/src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"product\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nengine-sys = { path = \"engine-sys\" }\n",
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    std::fs::write(
        ws.join("engine-sys/Cargo.toml"),
        "[package]\nname = \"engine-sys\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n",
    )
    .unwrap();
    std::fs::write(ws.join("engine-sys/src/lib.rs"), "").unwrap();
    // Fetches "an SDK" from a neutral mirror: nothing listed in the package itself.
    std::fs::write(
        ws.join("engine-sys/build.rs"),
        "fn main() { let _ = std::env::var(\"SDK_MIRROR\"); println!(\"cargo:rustc-link-lib=dylib=engine\"); }\n",
    )
    .unwrap();
    ws.join("Cargo.toml")
}

/// What the build script produced: a vendor header in OUT_DIR and cargo's record of what it
/// printed, at `dir` (a build run's directory).
fn fake_build_run(dir: &Path) {
    std::fs::create_dir_all(dir.join("out/sdk/include")).unwrap();
    std::fs::write(
        dir.join("out/sdk/include/engine.h"),
        "/* Copyright (c) 2024 AO Kaspersky Lab. All rights reserved. */\n#define ENGINE 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("output"),
        "cargo:rerun-if-changed=build.rs\ncargo:rustc-link-search=native=/opt/kavsdk/lib\ncargo::rustc-link-lib=dylib=kavsdk\n",
    )
    .unwrap();
}

#[test]
fn build_outputs_from_the_target_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = build_script_product(tmp.path());
    fake_build_run(
        &tmp.path()
            .join("target/debug/build/engine-sys-0123456789abcdef"),
    );

    let (r, doc) = check_with(tmp.path(), &manifest, &["--offline", "--no-cache"]);
    assert_eq!(r.code, 0, "sources alone pass: {}", r.stdout);
    assert!(failing(&doc).is_empty());

    let (r, doc) = check_with(
        tmp.path(),
        &manifest,
        &["--offline", "--no-cache", "--build-outputs"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let fails = failing(&doc);
    assert!(
        fails
            .iter()
            .all(|(p, field, _)| p == "engine-sys" && field.starts_with("build ")),
        "{fails:?}"
    );
    assert!(
        fails
            .iter()
            .any(|(_, field, text)| field == "build output notice"
                && text.contains("AO Kaspersky Lab")),
        "{fails:?}"
    );
    let header = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["evidence"]["field"] == "build output notice")
        .unwrap();
    assert_eq!(
        header["evidence"]["location"]["file"],
        "OUT_DIR/sdk/include/engine.h"
    );

    // A second build directory of the same package (another profile): both screened, and the
    // mapping is said to be ambiguous.
    fake_build_run(
        &tmp.path()
            .join("target/x86_64-pc-windows-gnu/release/build/engine-sys-fedcba9876543210"),
    );
    let (r, doc) = check_with(
        tmp.path(),
        &manifest,
        &["--offline", "--no-cache", "--build-outputs"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("ambiguous"), "{}", r.stderr);
    assert!(
        failing(&doc)
            .iter()
            .any(|(_, field, _)| field == "build output (ambiguous mapping) notice"),
        "{:?}",
        failing(&doc)
    );
}

#[test]
fn build_outputs_mapped_by_cargo_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = build_script_product(tmp.path());
    // Where the run is has no layout meaning: only the message maps it to the package.
    let run = tmp.path().join("elsewhere/engine-run");
    fake_build_run(&run);
    let meta = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(&manifest)
        .env("CARGO_HOME", tmp.path().join("cargo-home"))
        .output()
        .unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    let id = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "engine-sys")
        .unwrap()["id"]
        .clone();
    let messages = tmp.path().join("build.json");
    let out_dir = serde_json::Value::from(run.join("out").to_str().unwrap());
    std::fs::write(
        &messages,
        format!(
            "{{\"reason\":\"compiler-artifact\",\"package_id\":{id}}}\n{{\"reason\":\"build-script-executed\",\"package_id\":{id},\"linked_libs\":[],\"linked_paths\":[],\"cfgs\":[],\"env\":[],\"out_dir\":{out_dir}}}\n{{\"reason\":\"build-finished\",\"success\":true}}\n"
        ),
    )
    .unwrap();
    let (r, doc) = check_with(
        tmp.path(),
        &manifest,
        &["--offline", "--no-cache", "--build-outputs"],
    );
    assert_eq!(r.code, 0, "the layout does not know this run: {}", r.stdout);
    assert!(failing(&doc).is_empty());
    let (r, doc) = check_with(
        tmp.path(),
        &manifest,
        &[
            "--offline",
            "--no-cache",
            "--build-messages",
            messages.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let fails = failing(&doc);
    assert!(fails.iter().all(|(p, _, _)| p == "engine-sys"), "{fails:?}");
    assert!(
        fails
            .iter()
            .any(|(_, field, _)| field == "build output notice"),
        "{fails:?}"
    );
    assert!(!r.stderr.contains("ambiguous"), "{}", r.stderr);
}

/// A `dist/` folder with a neutral executable and, optionally, a DLL signed by the vendor.
fn dist(root: &Path, vendor_dll: bool) -> PathBuf {
    let d = root.join("dist");
    std::fs::create_dir_all(d.join("bin")).unwrap();
    std::fs::write(
        d.join("bin/app.dll"),
        testgen::pe_dll(&[("CompanyName", "Example Corp")], b"", None),
    )
    .unwrap();
    std::fs::write(d.join("README.txt"), "Example product\n").unwrap();
    if vendor_dll {
        let sd = testgen::signed_data("CN=Kaspersky Lab,O=AO Kaspersky Lab,C=RU", None);
        std::fs::write(
            d.join("bin/avengine.dll"),
            testgen::pe_dll(&[("CompanyName", "Neutral Engines Ltd")], b"", Some(&sd)),
        )
        .unwrap();
    }
    d
}

#[test]
fn scan_shipped_artefacts() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = dist(&tmp.path().join("clean"), false);
    let r = run(&["scan", clean.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let dirty = dist(&tmp.path().join("dirty"), true);
    let report = tmp.path().join("report.json");
    let r = run(&[
        "scan",
        dirty.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["verdict"] == "fail")
        .expect("a failing finding");
    assert_eq!(f["package"]["name"], dirty.to_str().unwrap());
    assert_eq!(f["evidence"]["location"]["file"], "bin/avengine.dll");
    assert_eq!(f["evidence"]["field"], "Authenticode signer subject");
    // The human report went to the terminal.
    assert!(r.stdout.contains("avengine.dll"), "{}", r.stdout);

    // One file on its own, and a missing path (exit 2).
    let dll = dirty.join("bin/avengine.dll");
    let r = run(&["scan", dll.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let r = run(&["scan", tmp.path().join("missing").to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn certify_covers_artefacts() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = build_script_product(tmp.path());
    let clean = dist(&tmp.path().join("clean"), false);
    let out = cmd()
        .args(["certify", "--manifest-path", manifest.to_str().unwrap()])
        .args([
            "--offline",
            "--as-of",
            AS_OF,
            "--artefact",
            clean.to_str().unwrap(),
        ])
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .output()
        .unwrap();
    let r: Run = out.into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let names: Vec<&str> = st["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let dll = format!("{}/bin/app.dll", clean.to_str().unwrap());
    assert!(names.contains(&dll.as_str()), "{names:?}");
    let sha = st["subject"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == dll.as_str())
        .unwrap()["digest"]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    use sha2::Digest;
    assert_eq!(
        sha,
        hex::encode(sha2::Sha256::digest(std::fs::read(&dll).unwrap()))
    );

    // `verify --artefact` screens the artefact again and compares it by digest.
    let cert = tmp.path().join("cert.json");
    std::fs::write(&cert, &r.stdout).unwrap();
    let verify = |artefact: bool| -> Run {
        let mut c = cmd();
        c.args(["verify", cert.to_str().unwrap()])
            .args(["--manifest-path", manifest.to_str().unwrap(), "--offline"])
            .env("CARGO_TARGET_DIR", tmp.path().join("target"));
        if artefact {
            c.args(["--artefact", clean.to_str().unwrap()]);
        }
        c.output().unwrap().into()
    };
    let v = verify(true);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    let v = verify(false);
    assert_eq!(
        v.code, 1,
        "without the artefact it is missing: {}",
        v.stdout
    );
    assert!(
        v.stdout
            .contains("was certified but is not in the tree now"),
        "{}",
        v.stdout
    );
    std::fs::write(&dll, b"MZ replaced").unwrap();
    let v = verify(true);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(
        v.stdout.contains("app.dll changed since it was certified"),
        "{}",
        v.stdout
    );

    // A vendor-signed artefact fails the certification like a dependency would.
    let dirty = dist(&tmp.path().join("dirty"), true);
    let out = cmd()
        .args(["certify", "--manifest-path", manifest.to_str().unwrap()])
        .args([
            "--offline",
            "--as-of",
            AS_OF,
            "--artefact",
            dirty.to_str().unwrap(),
        ])
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .output()
        .unwrap();
    assert_eq!(Run::from(out).code, 1);
}
