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

    /// A virtual workspace of `members` (directories), each an empty library named by its
    /// directory's last part.
    fn members(members: &[&str]) -> Ws {
        let ws = Ws {
            dir: tempfile::tempdir().unwrap(),
        };
        let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
        ws.write(
            "Cargo.toml",
            format!(
                "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
                list.join(", ")
            )
            .as_bytes(),
        );
        for m in members {
            let name = m.rsplit('/').next().unwrap();
            ws.write(
                &format!("{m}/Cargo.toml"),
                format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
                    .as_bytes(),
            );
            ws.write(&format!("{m}/src/lib.rs"), b"");
        }
        ws
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

/// Each failing finding's package and file, sorted, once each.
fn failing_at(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap().to_string(),
                f["evidence"]["location"]["file"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
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
        r.stderr.contains("entitycheck.toml:2:") && r.stderr.contains("fail_on"),
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
    let cache = tempfile::tempdir().unwrap();
    let before: Vec<_> = walkdir::WalkDir::new(ws.dir.path())
        .into_iter()
        .map(|e| e.unwrap().path().to_path_buf())
        .collect();
    let m = ws.path("Cargo.toml");
    let r: Run = cmd()
        .args(["--manifest-path", m.to_str().unwrap(), "--as-of", AS_OF])
        .env("CARGO_TARGET_DIR", target.path())
        .env("CARGO_ENTITYCHECK_CACHE_DIR", cache.path())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!marker.exists(), "the build script must never run");
    // The project tree is unchanged but for the Cargo.lock cargo metadata writes; the caches
    // went to the per-user cache directory, none to the target directory.
    let after: Vec<_> = walkdir::WalkDir::new(ws.dir.path())
        .into_iter()
        .map(|e| e.unwrap().path().to_path_buf())
        .collect();
    let added: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
    assert!(added.iter().all(|p| p.ends_with("Cargo.lock")), "{added:?}");
    assert!(!target.path().join("entitycheck").exists());
    // What the cache directory holds: the scan cache's directory and the graph cache, nothing
    // else (by the first part of each file's path; graph files by their extension).
    let mut ours: Vec<String> = walkdir::WalkDir::new(cache.path())
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(cache.path()).unwrap();
            let top = rel.iter().next().unwrap().to_string_lossy().into_owned();
            match top.as_str() {
                "graph" => format!(
                    "graph/*.{}",
                    e.path().extension().unwrap().to_string_lossy()
                ),
                t if t.starts_with("scan-v") => "scan-v*".to_string(),
                other => other.to_string(),
            }
        })
        .collect();
    ours.sort();
    ours.dedup();
    assert_eq!(ours, ["graph/*.bin", "scan-v*"]);
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

// --- issue #15: a hostile project can run nothing, hang nothing, exhaust nothing -----------------

/// Memory a bounded run may map (RLIMIT_AS, inherited by cargo and rustc): far below what
/// reading any of the huge files below whole would take.
const RUN_AS_BYTES: u64 = 3 << 30;
/// Seconds a bounded run may take (cargo metadata included) before it counts as hung.
const RUN_SECS: u64 = 60;

/// Runs `c` under a memory limit and a deadline; panics when the deadline passes (after killing
/// it), so a hang is a failure, never a stuck suite.
fn bounded(mut c: std::process::Command) -> Run {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        c.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: RUN_AS_BYTES as libc::rlim_t,
                rlim_max: RUN_AS_BYTES as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained on threads, so a large output cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).unwrap();
        v
    });
    let e = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).unwrap();
        v
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed().as_secs() > RUN_SECS {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the check did not finish within {RUN_SECS} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let (stdout, stderr) = (o.join().unwrap(), e.join().unwrap());
    assert!(
        !String::from_utf8_lossy(&stderr).contains("memory allocation"),
        "ran out of memory"
    );
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

impl Ws {
    fn cmd(&self, extra: &[&str]) -> std::process::Command {
        let m = self.path("Cargo.toml");
        let mut c = cmd();
        c.args([
            "--manifest-path",
            m.to_str().unwrap(),
            "--no-cache",
            "--as-of",
            AS_OF,
        ]);
        c.args(extra);
        c
    }

    fn bounded(&self, extra: &[&str]) -> Run {
        bounded(self.cmd(extra))
    }
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

fn sparse(p: &Path, len: u64) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::File::create(p).unwrap().set_len(len).unwrap();
}

fn script(ws: &Ws, rel: &str, marker: &Path, then: &str) {
    use std::os::unix::fs::PermissionsExt;
    ws.write(
        rel,
        format!("#!/bin/sh\necho {rel} >> '{}'\n{then}\n", marker.display()).as_bytes(),
    );
    std::fs::set_permissions(ws.path(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `.cargo/config.toml` names a rustc, wrappers, flags and an environment from the repository;
/// `cargo metadata` must run none of them, and the check still works.
#[test]
fn cargo_config_cannot_make_the_check_run_the_projects_programs() {
    let ws = Ws::new("");
    let marker = ws.path("PROGRAM_RAN");
    // Each script records that it ran, then behaves like rustc so that cargo would succeed.
    for tool in ["tools/rustc", "tools/wrap", "tools/wswrap"] {
        let then = if tool == "tools/rustc" {
            "exec rustc \"$@\""
        } else {
            "shift; exec rustc \"$@\""
        };
        script(&ws, tool, &marker, then);
    }
    script(&ws, "tools/run", &marker, "exec \"$@\"");
    script(&ws, "tools/link", &marker, "exec cc \"$@\"");
    ws.write(
        ".cargo/config.toml",
        br#"[build]
rustc = "tools/rustc"
rustc-wrapper = "tools/wrap"
rustc-workspace-wrapper = "tools/wswrap"
rustflags = ["--cfg", "from_build_rustflags"]

[target.'cfg(all())']
runner = "tools/run"
linker = "tools/link"
rustflags = ["--cfg", "from_target_rustflags"]

[env]
PLAIN_VALUE = "x"
LD_PRELOAD = { value = "tools/evil.so", relative = true, force = true }
"#,
    );
    let r = ws.bounded(&["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !marker.exists(),
        "ran: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["packages_screened"], 1, "{}", r.stdout);
    assert!(!r.stderr.contains("LD_PRELOAD"), "{}", r.stderr);
}

/// A toolchain inside the repository (a `rust-toolchain.toml` may name one) is never run.
#[test]
fn a_cargo_inside_the_project_is_refused() {
    let ws = Ws::new("");
    let marker = ws.path("PROGRAM_RAN");
    script(&ws, "tc/bin/cargo", &marker, "exit 0");
    let r = ws.bounded_env(&[], &[("CARGO", ws.path("tc/bin/cargo").to_str().unwrap())]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("refusing to run"), "{}", r.stderr);
    assert!(r.stderr.contains("inside the project"), "{}", r.stderr);
    assert!(!marker.exists());
}

impl Ws {
    fn bounded_env(&self, extra: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = self.cmd(extra);
        for (k, v) in env {
            c.env(k, v);
        }
        bounded(c)
    }
}

#[test]
fn a_missing_or_failing_cargo_says_so() {
    let ws = Ws::new("");
    let m = ws.path("Cargo.toml");
    let r = ws.bounded_env(&[], &[("CARGO", "/bin/false")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "error: `cargo metadata` failed (exit status 1) for {}:\nit printed nothing",
            m.display()
        )
    );
    let tools = tempfile::tempdir().unwrap();
    let fake = tools.path().join("cargo");
    std::fs::write(&fake, "#!/bin/sh\necho 'boom: no such thing' >&2\nexit 3\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = ws.bounded_env(&[], &[("CARGO", fake.to_str().unwrap())]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("failed (exit status 3)") && r.stderr.contains("boom: no such thing"),
        "{}",
        r.stderr
    );
    let mut c = ws.cmd(&[]);
    c.env_remove("CARGO")
        .env("PATH", tools.path().join("nothing-here"));
    let r = bounded(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        "error: cargo not found (set CARGO or put cargo on PATH)"
    );
}

/// `build =` pointing at a device, a FIFO, a 1.5 GB sparse file, or through a link out of the
/// package: never read, listed as not scanned with the reason, and the check ends in seconds.
#[test]
fn special_huge_and_linked_build_scripts_are_not_read() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.rs"),
        "fn main() { println!(\"cargo:rustc-link-lib=kavsdk\"); let u = \"https://updates.kaspersky.com/sdk\"; }\n",
    )
    .unwrap();
    type Make<'a> = Box<dyn Fn(&Ws) + 'a>;
    let cases: Vec<(&str, Make, &str)> = vec![
        ("/dev/zero", Box::new(|_| {}), "it lies outside the package"),
        (
            "build.rs",
            Box::new(|ws| mkfifo(&ws.path("build.rs"))),
            "it is a FIFO, not a regular file",
        ),
        (
            "build.rs",
            Box::new(|ws| sparse(&ws.path("build.rs"), 1_500_000_000)),
            "it is larger than the 4 MiB limit for a build script",
        ),
        (
            "build.rs",
            Box::new(|ws| {
                std::os::unix::fs::symlink(outside.path().join("secret.rs"), ws.path("build.rs"))
                    .unwrap()
            }),
            "it is a symbolic link (not followed)",
        ),
        (
            "sub/build.rs",
            Box::new(|ws| std::os::unix::fs::symlink(outside.path(), ws.path("sub")).unwrap()),
            "it is a symbolic link (not followed)",
        ),
    ];
    for (build, make, reason) in cases {
        let ws = Ws::new(&format!("build = {}", toml_string(build)));
        if build == "sub/build.rs" {
            std::fs::copy(
                outside.path().join("secret.rs"),
                outside.path().join("build.rs"),
            )
            .unwrap();
        }
        make(&ws);
        let r = ws.bounded(&["--format", "json"]);
        assert_eq!(r.code, 0, "{build}: {}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let reasons = not_scanned(&doc);
        assert_eq!(reasons.len(), 1, "{build}: {reasons:?}");
        assert_eq!(reasons.len(), 1, "{build}: {reasons:?}");
        // `explain` lists every file not read with its own reason.
        let m = ws.path("Cargo.toml");
        let r = bounded({
            let mut c = cmd();
            c.args(["explain", "victim", "--color", "never", "--no-cache"])
                .args(["--manifest-path", m.to_str().unwrap(), "--as-of", AS_OF]);
            c
        });
        assert_eq!(r.code, 0, "{build}: {}", r.stderr);
        let line = format!("    {build}: build script not read: {reason}");
        assert!(
            r.stdout.lines().any(|l| l.starts_with(&line)),
            "{build}: no line {line:?} in\n{}",
            r.stdout
        );
        // What lies outside is never the package's evidence.
        assert!(fail_fields(&doc).is_empty(), "{build}: {}", r.stdout);
    }
}

#[test]
fn huge_special_and_linked_configuration_and_lists_fail_fast_naming_the_file() {
    // A 300 MB configuration: refused by its size, in one short message.
    let ws = Ws::new("");
    sparse(&ws.path("entitycheck.toml"), 300_000_000);
    let r = ws.bounded(&[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let cfg = ws.path("entitycheck.toml");
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "error: cannot read {}: it is larger than the 4 MiB limit for a configuration file (4194304 bytes)",
            cfg.display()
        )
    );
    // Within the bound but one 3 MB line of nonsense: the diagnostic quotes a few hundred
    // characters of it, not the line.
    let ws = Ws::new("");
    let mut junk = b"[policy]\nfail-on = ".to_vec();
    junk.extend(std::iter::repeat_n(b'@', 3_000_000));
    ws.write("entitycheck.toml", &junk);
    let r = ws.bounded(&[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("invalid TOML in"), "{}", r.stderr);
    assert!(
        r.stderr.len() < 2_000,
        "{} bytes of diagnostics",
        r.stderr.len()
    );
    // A linked configuration is not followed; named with --config it is.
    let ws = Ws::new("");
    let real = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(real.path(), "[policy]\nfail-on = [\"confirmed\"]\n").unwrap();
    std::os::unix::fs::symlink(real.path(), ws.path("entitycheck.toml")).unwrap();
    let r = ws.bounded(&[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("it is a symbolic link (not followed)"),
        "{}",
        r.stderr
    );
    let link = ws.path("entitycheck.toml");
    let r = ws.bounded(&["--config", link.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Entity lists: a FIFO must not hang, a 1 GB list must not abort; both exit 2 naming it.
    let ws = Ws::new("");
    let fifo = ws.path("list.toml");
    mkfifo(&fifo);
    let r = ws.bounded(&["--entities", fifo.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "error: cannot read {}: it is a FIFO, not a regular file",
            fifo.display()
        )
    );
    let big = ws.path("big.toml");
    sparse(&big, 1 << 30);
    let r = ws.bounded(&["--entities", big.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "error: cannot read {}: it is larger than the 256 MiB limit for an entity list (268435456 bytes)",
            big.display()
        )
    );
    // A list named in the configuration is the project's: no link followed.
    let ws = Ws::new("");
    std::os::unix::fs::symlink("/dev/zero", ws.path("zero.toml")).unwrap();
    ws.write("entitycheck.toml", b"[lists]\nextra = [\"zero.toml\"]\n");
    let r = ws.bounded(&[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("zero.toml: it is a symbolic link"),
        "{}",
        r.stderr
    );

    // Saved metadata and certificates named on the command line: devices and FIFOs refused.
    let r = bounded({
        let mut c = cmd();
        c.args(["--metadata-path", "/dev/zero"]);
        c
    });
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        "error: cannot read /dev/zero: it is a character device, not a regular file"
    );
    let ws = Ws::new("");
    let cert = ws.path("cert.json");
    mkfifo(&cert);
    let r = bounded({
        let mut c = cmd();
        c.args(["verify", cert.to_str().unwrap()]);
        c
    });
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("it is a FIFO, not a regular file"),
        "{}",
        r.stderr
    );
}

/// `-o` never renames over what is not a regular file: a link stays a link (its target gets
/// the report), a FIFO gets the report, a full device says "cannot write", `-` is stdout.
#[test]
fn outputs_are_written_through_devices_fifos_and_links() {
    let ws = Ws::new("");
    let target = ws.path("real.json");
    std::fs::write(&target, "old").unwrap();
    let link = ws.path("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let r = ws.bounded(&["--format", "json", "-o", link.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(doc["summary"]["packages_screened"], 1);

    let fifo = ws.path("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let r = ws.bounded(&["--format", "json", "-o", fifo.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got = reader.join().unwrap();
    assert!(got.contains("\"packages_screened\": 1"), "{got}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    let r = ws.bounded(&["--format", "json", "-o", "/dev/null"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    if Path::new("/dev/full").exists() {
        let r = ws.bounded(&["--format", "json", "-o", "/dev/full"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(
            r.stderr.trim_end(),
            "error: cannot write /dev/full: No space left on device (os error 28)"
        );
    }
    let r = ws.bounded(&["--format", "json", "-o", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["packages_screened"], 1);
    let r = ws.bounded(&["--format", "json", "-o", "/nonexistent-dir/report.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: cannot write /nonexistent-dir/report.json: "),
        "{}",
        r.stderr
    );
}

/// File names, evidence and not-scanned paths holding terminal escapes or bidi overrides are
/// printed as visible escapes in every terminal format.
#[test]
fn printed_names_are_escaped_in_every_terminal_format() {
    let ws = Ws::new("");
    let evil = "notes\u{1b}[1A\u{1b}[2K\u{202e}txt.md";
    ws.write(
        evil,
        b"Copyright (c) AO Kaspersky Lab. All rights reserved.\n",
    );
    // A link out of the package with an escape in its name: listed as not scanned.
    std::os::unix::fs::symlink("/etc/hostname", ws.path("gone\u{1b}]0;title\u{7}")).unwrap();
    for format in ["human", "github"] {
        let r = ws.bounded(&["--format", format, "--color", "never"]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        for out in [&r.stdout, &r.stderr] {
            assert!(
                !out.chars()
                    .any(|c| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c)),
                "{format}: raw control characters in {out:?}"
            );
        }
        assert!(
            r.stdout
                .contains("notes\\u{1b}[1A\\u{1b}[2K\\u{202e}txt.md"),
            "{format}: {}",
            r.stdout
        );
        assert!(
            r.stdout.contains("gone\\u{1b}]0;title\\u{7}"),
            "{format}: {}",
            r.stdout
        );
    }
    let m = ws.path("Cargo.toml");
    let r = bounded({
        let mut c = cmd();
        c.args(["explain", "victim", "--color", "never", "--no-cache"])
            .args(["--manifest-path", m.to_str().unwrap(), "--as-of", AS_OF]);
        c
    });
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.stdout);
    assert!(r.stdout.contains("notes\\u{1b}[1A"), "{}", r.stdout);
}

/// The bounds are set from the environment (the CI's), never from the project's configuration.
#[test]
fn read_bounds_come_from_the_environment() {
    let ws = Ws::new("");
    ws.write("entitycheck.toml", b"[policy]\nfail-on = [\"confirmed\"]\n");
    let r = ws.bounded_env(&[], &[("ENTITYCHECK_MAX_CONFIG_SIZE", "16")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("it is larger than the 16 byte limit for a configuration file"),
        "{}",
        r.stderr
    );
    let r = ws.bounded_env(&[], &[("ENTITYCHECK_MAX_CONFIG_SIZE", "1 MiB")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = ws.bounded_env(&[], &[("ENTITYCHECK_MAX_CONFIG_SIZE", "lots")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        "error: ENTITYCHECK_MAX_CONFIG_SIZE=`lots` is not a size (bytes, or e.g. \"64 MiB\")"
    );
}

/// Saved metadata names packages by path: a root without its Cargo.toml (here a directory of
/// "secrets"), or one under /proc, is an error naming the package (exit 2), never a tree to walk
/// and quote.
#[test]
fn saved_metadata_cannot_point_the_scan_at_any_directory() {
    let ws = Ws::new("");
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(ws.path("Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let real = String::from_utf8(out.stdout).unwrap();
    let manifest = ws.path("Cargo.toml").to_str().unwrap().to_string();
    let secrets = tempfile::tempdir().unwrap();
    std::fs::write(
        secrets.path().join("passwd"),
        "root:x:0:0:Copyright (c) 2023 AO Kaspersky Lab.:/root:/bin/sh\n",
    )
    .unwrap();
    for (to, says) in [
        (
            secrets
                .path()
                .join("Cargo.toml")
                .to_str()
                .unwrap()
                .to_string(),
            "has no Cargo.toml (a directory without its manifest is never walked)".to_string(),
        ),
        (
            "/proc/self/Cargo.toml".to_string(),
            "lies under /proc, which is never read".to_string(),
        ),
    ] {
        let saved = ws.path("metadata.json");
        std::fs::write(&saved, real.replace(&manifest, &to)).unwrap();
        let r = bounded({
            let mut c = cmd();
            c.args(["--metadata-path", saved.to_str().unwrap(), "--no-cache"]);
            c
        });
        assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("package `victim 0.1.0`") && r.stderr.contains(&says),
            "{}",
            r.stderr
        );
        assert!(!r.stdout.contains("Kaspersky") && !r.stderr.contains("root:x"));
    }
}

/// A FIFO or socket in a package is never opened (the check does not hang) and is listed as
/// not scanned.
#[test]
fn special_files_in_a_package_are_listed_not_opened() {
    let ws = Ws::new("");
    std::fs::create_dir_all(ws.path("data")).unwrap();
    mkfifo(&ws.path("data/pipe"));
    let r = bounded(ws.cmd(&["--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let reasons = not_scanned(&doc);
    assert!(
        reasons.len() == 1 && reasons[0].contains("data/pipe"),
        "{reasons:?}"
    );
}

/// Package text cannot reach a CI log as a workflow command, nor any report as a raw control
/// or bidi character, in any format written to standard output: an author string with line
/// breaks, `::warning` and `##[error]` in it, and a not-scanned file whose name carries ESC and
/// U+202E.
#[test]
fn no_format_lets_package_text_start_a_workflow_command() {
    let author =
        "AO Kaspersky Lab\n::warning file=src/lib.rs::pwned\n##[error]forged \u{202e}gpj.exe";
    let ws = Ws::new(&format!("authors = [{}]", toml_string(author)));
    std::fs::create_dir_all(ws.path("data")).unwrap();
    // A FIFO is listed as not scanned, by its name.
    mkfifo(&ws.path("data/pipe\u{1b}[2K\u{202e}txt"));
    for format in ["human", "json", "sarif", "github", "markdown"] {
        let r = ws.bounded(&["--format", format, "--color", "never"]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        for line in r.stdout.lines() {
            let t = line.trim_start();
            assert!(
                !t.starts_with("::warning file=src/lib.rs") && !line.contains("##["),
                "{format}: a workflow command from package text: {line:?}"
            );
            if format != "github" {
                assert!(!t.starts_with("::"), "{format}: {line:?}");
            }
        }
        assert!(
            !r.stdout
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\t')
                    || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{format}: a raw control or bidi character in {:?}",
            r.stdout
        );
        // JSON still says exactly what is there, once parsed.
        let doc = serde_json::from_str::<serde_json::Value>(&r.stdout);
        if format == "json" {
            let text = doc.unwrap().to_string();
            assert!(text.contains("##[error]forged \u{202e}gpj.exe"), "{text}");
        } else if format == "sarif" {
            assert!(doc.is_ok(), "{}", r.stdout);
        }
    }
}

/// The project chooses no blind spot: `build.target-dir = "src"` does not make the sources go
/// unscanned, and a file committed under `target/` that a source pulls in with `include_str!`
/// is screened; what no source names there stays build output.
#[test]
fn the_target_directory_hides_nothing_a_build_reads() {
    let listed = b"Copyright (c) 2023 AO Kaspersky Lab. All rights reserved.\n";
    let check = |ws: &Ws| -> (i32, serde_json::Value) {
        let m = ws.path("Cargo.toml");
        let r: Run = cmd()
            // The project's own target directory, as in CI.
            .env_remove("CARGO_TARGET_DIR")
            .args(["--manifest-path", m.to_str().unwrap(), "--no-cache"])
            .args(["--as-of", AS_OF, "--format", "json", "--fail-on-unscanned"])
            .output()
            .unwrap()
            .into();
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        (r.code, serde_json::from_str(&r.stdout).unwrap())
    };
    let files = |doc: &serde_json::Value| -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["verdict"] == "fail")
            .map(|f| {
                f["evidence"]["location"]["file"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };

    let ws = Ws::new("");
    ws.write(".cargo/config.toml", b"[build]\ntarget-dir = \"src\"\n");
    ws.write("src/lib.rs", &[&listed[..], b"pub fn f() {}\n"].concat());
    let (code, doc) = check(&ws);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(files(&doc), ["src/lib.rs"]);

    let ws = Ws::new("");
    ws.write("target/notice.txt", listed);
    ws.write("target/debug/unrelated.txt", listed);
    let (code, doc) = check(&ws);
    assert_eq!(code, 0, "unreferenced build output: {doc}");
    ws.write(
        "src/lib.rs",
        b"pub const NOTICE: &str = include_str!(\"../target/notice.txt\");\n",
    );
    let (code, doc) = check(&ws);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(files(&doc), ["target/notice.txt"]);
}

/// A list whose one name is a short word repeated 60,000 times compiles in linear time: the
/// check ends well within the suite's deadline.
#[test]
fn a_name_of_one_word_repeated_compiles_in_linear_time() {
    let ws = Ws::new("");
    let name = vec!["lab"; 60_000].join(" ");
    ws.write(
        "list.toml",
        format!(
            "[list]\nid = \"q\"\ntitle = \"Q\"\nversion = \"1\"\nupdated = \"2026-01-01\"\n\n[[source]]\nid = \"x\"\ntitle = \"X\"\ncitation = \"c\"\npublisher = \"p\"\nurl = \"https://example.org\"\nread = \"2026-01-01\"\ngrade = \"primary\"\n\n[[entity]]\nid = \"q\"\nkind = \"company\"\nname = \"{name}\"\ncountry = \"RU\"\nprogrammes = []\nsource = \"x\"\ngrade = \"primary\"\n"
        )
        .as_bytes(),
    );
    let list = ws.path("list.toml");
    let started = std::time::Instant::now();
    let r = ws.bounded(&["--no-builtin-list", "--entities", list.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

// --- a package's budget: thousands of pieces, each within the per-file limits -------------------

const LISTED_NOTICE: &[u8] = b"Copyright (c) 2024 AO Kaspersky Lab\n";

/// `count` small `.tar.gz` files under `assets/`, each a `NOTICE` and three other members.
fn small_archives(ws: &Ws, count: usize, notice: &[u8]) {
    for i in 0..count {
        let mut tar = tar::Builder::new(Vec::new());
        for (name, body) in [
            ("NOTICE", notice),
            ("a.txt", b"a"),
            ("b.txt", b"b"),
            ("c.txt", b"c"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, name, body).unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar.into_inner().unwrap()).unwrap();
        ws.write(&format!("assets/a{i:03}.tar.gz"), &gz.finish().unwrap());
    }
}

/// A package of many small archives, each within every per-archive limit, stops at the
/// package's budget: what is left is listed as not scanned, naming the budget and its size, and
/// `--fail-on-unscanned` fails on it. The same package within the default budget is read whole.
#[test]
fn many_small_archives_stop_at_the_packages_budget() {
    let ws = Ws::new("");
    small_archives(&ws, 30, LISTED_NOTICE);
    // Within the defaults: every archive read (each names the entity), nothing listed.
    let (code, doc) = ws.json(&["--fail-on-unscanned"]);
    assert_eq!(code, 1, "{doc}");
    assert!(not_scanned(&doc).is_empty(), "{:?}", not_scanned(&doc));
    let notices = |doc: &serde_json::Value| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["verdict"] == "fail")
            .count()
    };
    assert_eq!(notices(&doc), 30, "{doc}");

    // Five members each (the gzip stream, the tar's four): 50 members read ten of them.
    ws.write(
        "entitycheck.toml",
        b"[deep]\npackage-max-archive-members = 50\n",
    );
    let (code, doc) = ws.json(&["--fail-on-unscanned"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(notices(&doc), 10, "{doc}");
    let reasons = not_scanned(&doc);
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].starts_with("assets/a010.tar.gz")
            && reasons[0].contains(
                "the package's budget of 50 archive members (deep.package-max-archive-members) is spent"
            )
            && reasons[0].ends_with("(and 19 more files)"),
        "{reasons:?}"
    );
    // Not scanned fails the build on its own, with nothing found.
    let ws = Ws::new("");
    small_archives(&ws, 30, b"Copyright (c) 2024 Example Corp\n");
    ws.write(
        "entitycheck.toml",
        b"[deep]\npackage-max-archive-members = 50\n",
    );
    let r = ws.run(&["--fail-on-unscanned"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = ws.run(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The budgets come from the environment (the CI's): the project's configuration may lower
/// them, never raise them.
#[test]
fn package_budgets_come_from_the_environment() {
    let ws = Ws::new("");
    small_archives(&ws, 6, LISTED_NOTICE);
    let env = [("ENTITYCHECK_PACKAGE_MAX_ARCHIVE_MEMBERS", "10")];
    let r = ws.bounded_env(&["--format", "json"], &env);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let reasons = not_scanned(&doc);
    assert!(
        reasons.len() == 1
            && reasons[0].starts_with("assets/a002.tar.gz")
            && reasons[0].contains("budget of 10 archive members"),
        "{reasons:?}"
    );
    ws.write(
        "entitycheck.toml",
        b"[deep]\npackage-max-archive-members = 11\n",
    );
    let r = ws.bounded_env(&[], &env);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "deep.package-max-archive-members = 11 is above the budget in force (10): the configuration may lower a package's budget, never raise it (set ENTITYCHECK_PACKAGE_MAX_ARCHIVE_MEMBERS instead)"
        ),
        "{}",
        r.stderr
    );
    let r = ws.bounded_env(&[], &[("ENTITYCHECK_PACKAGE_MAX_BINARIES", "many")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        "error: ENTITYCHECK_PACKAGE_MAX_BINARIES=`many` is not a whole number"
    );
}

/// A virtual workspace's root is no package, yet a pull request can put the project's own
/// files there: the `.cargo/config.toml` every member's build reads, a release script, a CI
/// workflow. They are screened, reported in the first member by name at paths relative to it;
/// the members' own files are not read twice, and the target directory not at all.
#[test]
fn a_virtual_workspace_root_is_screened() {
    // A workspace of its own: no `[package]` at the root.
    let ws = Ws::members(&["crates/app", "crates/core"]);
    let write = |rel: &str, text: &str| {
        ws.write(rel, text.as_bytes());
    };
    let run = || ws.json(&[]);
    // Clean: nothing at the root names anyone.
    write("README.md", "A product.\n");
    let (code, doc) = run();
    assert_eq!(code, 0, "{doc}");
    // The root's cargo configuration links the vendor's library into every member; a release
    // workflow downloads its SDK.
    write(
        ".cargo/config.toml",
        "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-l\", \"kavsdk\", \"-L\", \"/opt/kaspersky/kav-sdk/lib\"]\n",
    );
    write(
        ".github/workflows/release.yml",
        "on: push\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -fsSLO https://download.kaspersky.com/sdk/kav-sdk-8.1.tgz\n",
    );
    let (code, doc) = run();
    assert_eq!(code, 1, "{doc}");
    assert_eq!(
        failing_at(&doc),
        [
            ("app".to_string(), "../../.cargo/config.toml".to_string()),
            (
                "app".to_string(),
                "../../.github/workflows/release.yml".to_string()
            ),
        ]
    );
    // A member's own file is its own finding, not the root's too.
    write(
        "crates/core/NOTICE",
        "Copyright (c) 2024 AO Kaspersky Lab\n",
    );
    std::fs::remove_dir_all(ws.path(".cargo")).unwrap();
    std::fs::remove_dir_all(ws.path(".github")).unwrap();
    let (_, doc) = run();
    let files: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["package"]["name"].as_str().unwrap(),
                f["evidence"]["location"]["file"].as_str().unwrap()
            )
        })
        .collect();
    assert!(files.iter().all(|f| f == "core NOTICE"), "{files:?}");
    assert!(!files.is_empty());
}

/// A pull request can make any directory the target directory (`build.target-dir` in the
/// project's `.cargo/config.toml`), which the deep scan does not walk. What the sources name in
/// it is read, a directory too: the libraries below a build script's link search path are, but
/// cargo's own output there (a profile's directory) is not.
#[test]
fn a_directory_made_the_target_directory_is_read_where_the_build_looks() {
    let ws = Ws::new("build = \"build.rs\"");
    ws.write(".cargo/config.toml", b"[build]\ntarget-dir = \"vendor\"\n")
        .write(
            "build.rs",
            b"fn main() {\n    println!(\"cargo:rustc-link-search=native=vendor/lib\");\n    println!(\"cargo:rustc-link-lib=dylib=engine\");\n}\n",
        )
        .write(
            "vendor/lib/NOTICE",
            b"Copyright (c) 2024 AO Kaspersky Lab. All rights reserved.\n",
        );
    // Cargo's own output in the same directory is never read.
    ws.write("vendor/debug/.fingerprint/x/y", b"").write(
        "vendor/debug/build/NOTICE",
        b"Copyright (c) 2024 AO Kaspersky Lab\n",
    );
    let (code, doc) = target_dir_json(&ws);
    assert_eq!(code, 1, "{doc}");
    let files: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| f["evidence"]["location"]["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["vendor/lib/NOTICE"], "{doc}");
    // The project's cargo configuration names it just as well.
    ws.write("build.rs", b"fn main() {}\n").write(
        ".cargo/config.toml",
        b"[build]\ntarget-dir = \"vendor\"\nrustflags = [\"-L\", \"vendor/lib\", \"-l\", \"engine\"]\n",
    );
    let (code, doc) = target_dir_json(&ws);
    assert_eq!(code, 1, "{doc}");
    // The configuration that moves the target directory into the sources names it: what is
    // in it but cargo's output is read.
    ws.write(".cargo/config.toml", b"[build]\ntarget-dir = \"vendor\"\n");
    let (code, doc) = target_dir_json(&ws);
    assert_eq!(code, 1, "{doc}");
    // The default target directory, named by nothing, stays unread: the build does not look
    // there.
    std::fs::remove_dir_all(ws.path(".cargo")).unwrap();
    std::fs::rename(ws.path("vendor"), ws.path("target")).unwrap();
    let (code, doc) = target_dir_json(&ws);
    assert_eq!(code, 0, "{doc}");
}

/// The workspace's own packages are scanned while the build is resolved, before the check
/// knows which packages it screens, so each such scan passes over every package of the graph
/// inside it. A package whose nested package is then not screened (`-p`) must read the nested
/// package's files as its own: the scan made ahead is not taken, and nothing is lost, with or
/// without a scan cache.
#[test]
fn a_package_scanned_ahead_reads_what_its_check_reads() {
    let ws = Ws::members(&["outer", "outer/inner"]);
    ws.write(
        "outer/inner/NOTICE",
        b"Copyright (c) 2024 AO Kaspersky Lab\n",
    );
    let pair = |p: &str, f: &str| vec![(p.to_string(), f.to_string())];
    // Both screened: the nested package's file is its own.
    let (code, doc) = ws.json(&[]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(failing_at(&doc), pair("inner", "NOTICE"));
    // Only `outer` screened: its scan enters `inner`.
    let (code, doc) = ws.json(&["-p", "outer"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(failing_at(&doc), pair("outer", "inner/NOTICE"));
    // The same with a scan cache that holds nothing yet (scanned ahead), then with the one
    // that run left (cached scans answer; nothing is scanned ahead).
    let cache = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let m = ws.path("Cargo.toml");
        let r: Run = cmd()
            .args([
                "--manifest-path",
                m.to_str().unwrap(),
                "--format",
                "json",
                "--as-of",
                AS_OF,
                "-p",
                "outer",
            ])
            .env("CARGO_ENTITYCHECK_CACHE_DIR", cache.path())
            .output()
            .unwrap()
            .into();
        assert_eq!(r.code, 1, "{}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(failing_at(&doc), pair("outer", "inner/NOTICE"));
    }
}

/// `check --format json` of `ws` with cargo choosing the target directory from the project's
/// own configuration (the tests' `CARGO_TARGET_DIR` removed).
fn target_dir_json(ws: &Ws) -> (i32, serde_json::Value) {
    let m = ws.path("Cargo.toml");
    let out = cmd()
        .env_remove("CARGO_TARGET_DIR")
        .args([
            "--manifest-path",
            m.to_str().unwrap(),
            "--no-cache",
            "--offline",
        ])
        .args(["--as-of", AS_OF, "--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

/// A pull request can move a vendor's SDK into a member's test data and have the workspace's
/// own packaging take it from there: the member's test-data archive is unpacked once the
/// workspace's build or packaging files name it, with the scan cache on as well (a cached
/// packed reading of the member is not trusted against a Dockerfile that now names it).
#[test]
fn a_members_test_data_named_by_the_workspaces_packaging_is_unpacked() {
    let ws = Ws::members(&["crates/engine"]);
    let write = |rel: &str, bytes: &[u8]| {
        ws.write(rel, bytes);
    };
    write(
        "crates/engine/tests/data/blob.zip",
        &crate::testgen::zip(&[(
            "payload/readme.txt",
            b"Copyright (c) 2024 AO Kaspersky Lab\n",
        )]),
    );
    let cache = tempfile::tempdir().unwrap();
    let check = |cached: bool| -> i32 {
        let m = ws.path("Cargo.toml");
        let mut c = cmd();
        c.args(["--manifest-path", m.to_str().unwrap(), "--as-of", AS_OF]);
        if cached {
            c.env("CARGO_ENTITYCHECK_CACHE_DIR", cache.path());
        } else {
            c.arg("--no-cache");
        }
        let r: Run = c.output().unwrap().into();
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        r.code
    };
    // Named by nothing: packed, with and without the cache (the second cached run reads it
    // from the cache).
    assert_eq!(check(false), 0);
    assert_eq!(check(true), 0);
    assert_eq!(check(true), 0);
    for (rel, text) in [
        (
            "Dockerfile",
            "FROM debian:12\nCOPY crates/engine/tests/data/blob.zip /opt/engine/\n",
        ),
        (
            ".github/workflows/release.yml",
            "jobs:\n  r:\n    steps:\n      - run: cp crates/engine/tests/data/*.zip dist/\n",
        ),
    ] {
        write(rel, text.as_bytes());
        assert_eq!(check(false), 1, "{rel}");
        assert_eq!(check(true), 1, "{rel}, cached");
        std::fs::remove_file(ws.path(rel)).unwrap();
    }
    // A document at the root names nothing.
    write(
        "README.md",
        b"The samples are in crates/engine/tests/data/blob.zip.\n",
    );
    assert_eq!(check(true), 0);
}

/// The same archive taken by another member of the workspace: its source includes it, or its
/// build script copies the directory. The other members' files are read for names too (but
/// their tests and documents, and a build script's bare directory names, which are about its
/// own package's directories).
#[test]
fn a_members_test_data_named_by_another_member_is_unpacked() {
    let ws = Ws::members(&["crates/engine", "crates/app"]);
    let write = |rel: &str, bytes: &[u8]| {
        ws.write(rel, bytes);
    };
    write(
        "crates/engine/tests/data/blob.zip",
        &crate::testgen::zip(&[(
            "payload/readme.txt",
            b"Copyright (c) 2024 AO Kaspersky Lab\n",
        )]),
    );
    let check = |extra: &[&str]| -> i32 {
        let r = ws.run(extra);
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        r.code
    };
    assert_eq!(check(&[]), 0);
    for (rel, text) in [
        (
            "crates/app/src/lib.rs",
            "pub static SDK: &[u8] = include_bytes!(\"../../engine/tests/data/blob.zip\");\n",
        ),
        (
            "crates/app/build.rs",
            "fn main() {\n    let from = std::path::Path::new(\"../engine/tests/data/\");\n    let _ = from;\n}\n",
        ),
    ] {
        write(rel, text.as_bytes());
        assert_eq!(check(&[]), 1, "{rel}");
        // Only the member that holds it is screened: the other's files still name it.
        assert_eq!(check(&["-p", "engine"]), 1, "{rel}, -p engine");
        write(rel, b"fn main() {}\n");
    }
    // The other member's tests and documents, its build script's bare `"tests"`, and a path
    // that does not lead out of it (its own `tests/data/blob.zip`), name nothing.
    for (rel, text) in [
        (
            "crates/app/src/lib.rs",
            "pub static S: &[u8] = include_bytes!(\"../tests/data/blob.zip\");\n",
        ),
        (
            "crates/app/tests/it.rs",
            "const S: &[u8] = include_bytes!(\"../../engine/tests/data/blob.zip\");\n",
        ),
        (
            "crates/app/README.md",
            "See ../engine/tests/data/blob.zip.\n",
        ),
        (
            "crates/app/build.rs",
            "fn main() {\n    println!(\"cargo:rerun-if-changed={}\", \"tests\");\n}\n",
        ),
    ] {
        write(rel, text.as_bytes());
        assert_eq!(check(&[]), 0, "{rel}");
        if rel.ends_with("lib.rs") {
            write(rel, b"");
        } else {
            std::fs::remove_file(ws.path(rel)).unwrap();
        }
    }
}
