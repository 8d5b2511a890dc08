//! A warm check whose every input is unchanged does not ask cargo again (see
//! `graph::inputs`), and a change to any one input is noticed: cargo runs again and the report
//! follows the change. cargo is a wrapper here that counts its runs.

use std::path::{Path, PathBuf};

use crate::*;

const LISTED: &str = "Copyright (c) 2023 AO Kaspersky Lab.\n";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The cargo the tests run under (cargo sets `CARGO` for them), else the one on `PATH`.
fn real_cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

fn package(dir: &Path, name: &str, deps: &str) {
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"
        ),
    );
    write(&dir.join("src/lib.rs"), "");
}

struct Ws {
    tmp: tempfile::TempDir,
}

impl Ws {
    /// A workspace `ws` (members `crates/*`: `app`, which depends on `engine` outside the
    /// workspace by path), and a cargo wrapper beside it that logs each run.
    fn new() -> Ws {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Ws { tmp };
        write(
            &ws.root().join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        );
        package(
            &ws.root().join("crates/app"),
            "app",
            "engine = { path = \"../../../engine\" }\n",
        );
        package(&ws.tmp.path().join("engine"), "engine", "");
        ws.wrapper("");
        ws
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("ws")
    }

    /// (Re)writes the cargo wrapper; `extra` changes its content (another toolchain).
    fn wrapper(&self, extra: &str) {
        let path = self.tmp.path().join("bin/cargo");
        write(
            &path,
            &format!(
                "#!/bin/sh\n{extra}\necho run >> '{}'\nexec '{}' \"$@\"\n",
                self.log().display(),
                real_cargo().display()
            ),
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    fn log(&self) -> PathBuf {
        self.tmp.path().join("cargo.log")
    }

    fn cargo_runs(&self) -> usize {
        std::fs::read_to_string(self.log())
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    fn check_with(&self, env: &[(&str, &str)]) -> serde_json::Value {
        let mut c = cmd();
        c.args(["--manifest-path"])
            .arg(self.root().join("Cargo.toml"))
            .args(["--offline", "--format", "json", "--as-of", AS_OF])
            .env("CARGO", self.tmp.path().join("bin/cargo"))
            .env("CARGO_TARGET_DIR", self.tmp.path().join("target"))
            .env("CARGO_ENTITYCHECK_CACHE_DIR", self.tmp.path().join("cache"));
        for (k, v) in env {
            c.env(k, v);
        }
        let r: Run = c.output().unwrap().into();
        assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
        serde_json::from_str(&r.stdout).expect(&r.stderr)
    }

    fn check(&self) -> serde_json::Value {
        self.check_with(&[])
    }

    /// Runs the check, changes one input with `change`, and says whether the next check ran
    /// cargo (and returns its report).
    fn after(&self, change: impl FnOnce(&Ws)) -> (bool, serde_json::Value) {
        self.check();
        let before = self.cargo_runs();
        // Unchanged: cargo is not asked.
        self.check();
        assert_eq!(self.cargo_runs(), before, "an unchanged check ran cargo");
        change(self);
        let doc = self.check();
        (self.cargo_runs() > before, doc)
    }
}

/// How many packages the report screened.
fn screened(doc: &serde_json::Value) -> u64 {
    doc["summary"]["packages_screened"].as_u64().unwrap()
}

#[test]
fn an_unchanged_check_does_not_ask_cargo_and_reports_the_same() {
    let ws = Ws::new();
    let mut first = ws.check();
    assert_eq!(ws.cargo_runs(), 1);
    let mut second = ws.check();
    assert_eq!(ws.cargo_runs(), 1, "cargo ran for an unchanged workspace");
    for d in [&mut first, &mut second] {
        let s = d["summary"].as_object_mut().unwrap();
        s.remove("elapsed_ms");
        s.remove("scan");
    }
    assert_eq!(screened(&first), 2);
    assert_eq!(first, second);
}

#[test]
fn a_changed_member_manifest_is_noticed() {
    let ws = Ws::new();
    let (ran, doc) = ws.after(|ws| {
        package(&ws.tmp.path().join("extra"), "extra", "");
        write(&ws.tmp.path().join("extra/NOTICE"), LISTED);
        package(
            &ws.root().join("crates/app"),
            "app",
            "engine = { path = \"../../../engine\" }\nextra = { path = \"../../../extra\" }\n",
        );
    });
    assert!(ran);
    assert_eq!(screened(&doc), 3);
    assert!(!of(&doc, "extra").is_empty(), "the new dependency's notice");
}

#[test]
fn a_changed_path_dependency_manifest_is_noticed() {
    let ws = Ws::new();
    let (ran, doc) = ws.after(|ws| {
        package(&ws.tmp.path().join("dep2"), "dep2", "");
        package(
            &ws.tmp.path().join("engine"),
            "engine",
            "dep2 = { path = \"../dep2\" }\n",
        );
    });
    assert!(ran);
    assert_eq!(screened(&doc), 3);
}

#[test]
fn a_new_member_matching_the_glob_is_noticed() {
    let ws = Ws::new();
    let (ran, doc) = ws.after(|ws| {
        package(&ws.root().join("crates/tool"), "tool", "");
        write(&ws.root().join("crates/tool/NOTICE"), LISTED);
    });
    assert!(ran);
    assert_eq!(screened(&doc), 3);
    assert!(!of(&doc, "tool").is_empty(), "the new member's notice");
}

#[test]
fn a_changed_lockfile_is_noticed() {
    let ws = Ws::new();
    let (ran, _) = ws.after(|ws| {
        let lock = ws.root().join("Cargo.lock");
        let text = std::fs::read_to_string(&lock).unwrap();
        std::fs::write(&lock, format!("{text}\n")).unwrap();
    });
    assert!(ran);
}

#[test]
fn a_new_configuration_file_here_or_above_is_noticed() {
    for at in [".cargo/config.toml", "../.cargo/config.toml"] {
        let ws = Ws::new();
        let (ran, _) = ws.after(|ws| {
            write(&ws.root().join(at), "[net]\nretry = 3\n");
        });
        assert!(ran, "{at}");
    }
}

#[test]
fn a_new_toolchain_file_is_noticed() {
    let ws = Ws::new();
    let (ran, _) = ws.after(|ws| {
        write(&ws.root().join("rust-toolchain.toml"), "[toolchain]\n");
    });
    assert!(ran);
}

#[test]
fn a_new_build_script_or_target_is_noticed() {
    for file in [
        "crates/app/build.rs",
        "crates/app/src/bin/extra.rs",
        "crates/app/examples/e/main.rs",
    ] {
        let ws = Ws::new();
        let (ran, _) = ws.after(|ws| write(&ws.root().join(file), "fn main() {}\n"));
        assert!(ran, "{file}");
    }
}

#[test]
fn another_cargo_or_environment_is_noticed() {
    let ws = Ws::new();
    let (ran, _) = ws.after(|ws| ws.wrapper("# another toolchain"));
    assert!(ran, "another cargo");
    let ws = Ws::new();
    ws.check();
    let before = ws.cargo_runs();
    ws.check_with(&[("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback")]);
    assert!(ws.cargo_runs() > before, "a cargo variable");
    let before = ws.cargo_runs();
    ws.check_with(&[("RUSTUP_TOOLCHAIN", "stable")]);
    assert!(ws.cargo_runs() > before, "a rustup variable");
}

#[test]
fn a_changed_input_with_the_same_answer_is_recorded_again() {
    // A comment in a manifest: cargo's answer is the same, and the run after it need not ask.
    let ws = Ws::new();
    let (ran, _) = ws.after(|ws| {
        let m = ws.root().join("crates/app/Cargo.toml");
        let text = std::fs::read_to_string(&m).unwrap();
        std::fs::write(&m, format!("# a comment\n{text}")).unwrap();
    });
    assert!(ran);
    let before = ws.cargo_runs();
    ws.check();
    assert_eq!(ws.cargo_runs(), before);
}
