//! Package sources other than path: a vendored directory source and a local git repository.

use std::process::Command;

use crate::*;

#[test]
fn vendored_registry_package_is_screened_from_the_vendor_directory() {
    let (code, doc) = check_json("vendored", &["--locked"]);
    assert_eq!(code, 1);
    let f = &doc["findings"][0];
    assert_eq!(f["package"]["name"], "vendored-av");
    assert_eq!(f["package"]["source"]["kind"], "vendored");
    assert_eq!(f["confidence"], "confirmed");
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let st = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .status()
        .expect("git is installed");
    assert!(st.success(), "git {args:?}");
}

/// A git dependency served from a local repository: its source URL names the KasperskyLab
/// organisation only through the repository field, and the git source itself is recorded.
#[test]
fn local_git_dependency() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("scan-engine");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"scan-engine\"\nversion = \"2.0.0\"\nedition = \"2021\"\nrepository = \"ssh://git@github.com/KasperskyLab/scan-engine.git\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("src/lib.rs"), "").unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "init"]);

    let ws = tmp.path().join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    let url = format!("file://{}", repo.display());
    std::fs::write(
        ws.join("Cargo.toml"),
        format!("[package]\nname = \"uses-git\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nscan-engine = {{ git = \"{url}\" }}\n"),
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    let home = tmp.path().join("cargo-home");
    let out = cmd()
        .args([
            "--manifest-path",
            ws.join("Cargo.toml").to_str().unwrap(),
            "--format",
            "json",
            "--as-of",
            AS_OF,
            // A file:// git source is fetched like any other: it needs the network allowed.
            "--allow-network",
        ])
        .env("CARGO_HOME", &home)
        .env("CARGO_NET_GIT_FETCH_WITH_CLI", "false")
        .output()
        .unwrap();
    let r: Run = out.into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["package"]["name"] == "scan-engine" && f["identifier"]["kind"] == "org")
        .expect("org finding");
    assert_eq!(f["package"]["source"]["kind"], "git");
    assert!(
        f["package"]["source"]["url"]
            .as_str()
            .unwrap()
            .starts_with("git+file://")
    );
    assert_eq!(f["verdict"], "fail");
}
