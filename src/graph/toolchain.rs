//! Graph stage, toolchain: the environment and the project directory → the `cargo` and `rustc`
//! that `cargo metadata` may run, and the command that runs it with nothing of the project's
//! able to start a program.
//!
//! `cargo metadata` asks rustc about the targets (`rustc -vV`, `rustc --print cfg`), and a
//! project's `.cargo/config.toml` can name that rustc (`build.rustc`), wrap it
//! (`build.rustc-wrapper`), hand it flags that load code (`rustflags = ["-Zcodegen-backend=…"]`)
//! or set its environment (`[env] LD_PRELOAD`). The check runs on strangers' pull requests, so
//! each of these is overridden from the environment, which cargo ranks above every config
//! file, and the programs themselves are resolved outside the project.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::InputError;
use crate::fsio::{self, ReadKind};

/// The programs a run may start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    pub cargo: PathBuf,
    pub rustc: PathBuf,
}

/// Finds `cargo` and `rustc` for a project in `project_dir` (where cargo will run).
///
/// - cargo: `$CARGO` (cargo sets it when it runs `cargo entitycheck`), else the one rustup
///   selects for the project (the cargo beside `rustup which rustc`, else `rustup which
///   cargo`: its `rust-toolchain.toml` picks the version, as when the team builds), else the
///   first on `PATH`.
/// - rustc: `$RUSTC`, else rustup's for the project, else the one beside cargo, else `PATH`.
///
/// Only absolute `PATH` entries are searched (a relative one, `.`, would be the project). A
/// program inside the project (a `rust-toolchain.toml` may name a toolchain directory, `path =
/// "tools/tc"`) is refused.
pub fn resolve(project_dir: &Path) -> Result<Toolchain, InputError> {
    let rustup = path_lookup("rustup");
    let (cargo_env, rustc_env) = (env_program("CARGO"), env_program("RUSTC"));
    // rustup's answers for the programs the environment does not name (each a rustup start,
    // under 5 ms of CPU when measured, before `cargo metadata` can start). A toolchain rustup
    // installed holds cargo beside rustc, so one question answers both; rustup is asked for
    // cargo only when the toolchain it picked has none there (a linked toolchain of rustc
    // alone, for which rustup names another toolchain's cargo).
    let ask = |tool: &str| {
        rustup
            .as_deref()
            .and_then(|r| rustup_which(r, tool, project_dir))
    };
    let rustup_rustc = rustc_env.is_none().then(|| ask("rustc")).flatten();
    let rustup_cargo = cargo_env
        .is_none()
        .then(|| {
            rustup_rustc
                .as_deref()
                .map(|rustc| rustc.with_file_name(exe("cargo")))
                .filter(|beside| beside.is_file())
                .or_else(|| ask("cargo"))
        })
        .flatten();
    let cargo = match cargo_env {
        Some(c) => c.ok_or_else(|| InputError::CargoNotFound {
            detail: Some(format!(
                "CARGO={} does not name a program",
                std::env::var_os("CARGO")
                    .unwrap_or_default()
                    .to_string_lossy()
            )),
        })?,
        None => rustup_cargo
            .or_else(|| path_lookup("cargo"))
            .ok_or(InputError::CargoNotFound { detail: None })?,
    };
    let rustc = match rustc_env {
        Some(r) => r.ok_or_else(|| {
            InputError::Usage(format!(
                "RUSTC={} does not name a program",
                std::env::var_os("RUSTC")
                    .unwrap_or_default()
                    .to_string_lossy()
            ))
        })?,
        None => rustup_rustc
            .or_else(|| {
                let beside = cargo.canonicalize().ok()?.with_file_name(exe("rustc"));
                beside.is_file().then_some(beside)
            })
            .or_else(|| path_lookup("rustc"))
            .ok_or_else(|| {
                InputError::Usage(
                    "rustc not found (set RUSTC or put rustc on PATH): `cargo metadata` needs it"
                        .into(),
                )
            })?,
    };
    let root = project_root(project_dir);
    let installed = installed_dirs();
    for program in [&cargo, &rustc] {
        let real = program.canonicalize().unwrap_or_else(|_| program.clone());
        // rustup's and cargo's own directories are the user's, even when the project lies
        // above them (a home directory kept in git).
        if real.starts_with(&root) && !installed.iter().any(|d| real.starts_with(d)) {
            return Err(InputError::Usage(format!(
                "refusing to run {}: it lies inside the project being checked ({}); set CARGO \
                 and RUSTC to a toolchain outside it",
                real.display(),
                root.display()
            )));
        }
    }
    Ok(Toolchain { cargo, rustc })
}

/// `cargo metadata` with `args`, run in `dir`, with the project's means of starting a program
/// overridden.
pub fn metadata_command(
    tc: &Toolchain,
    dir: Option<&Path>,
    args: &[OsString],
    limits: &fsio::Limits,
) -> Command {
    let mut cmd = Command::new(&tc.cargo);
    // `--config` values rank above every config file: they neutralise the project's `[env]`.
    for key in env_keys(dir.unwrap_or(Path::new(".")), limits) {
        cmd.arg("--config").arg(key);
    }
    cmd.args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.env("RUSTC", &tc.rustc)
        // Empty means unset to cargo, and the environment beats `build.rustc-wrapper`.
        .env("RUSTC_WRAPPER", "")
        .env("RUSTC_WORKSPACE_WRAPPER", "")
        // Beats `RUSTFLAGS`, `target.*.rustflags` and `build.rustflags`: no flag of the project's
        // (a codegen backend to load, a plugin) reaches rustc's target queries.
        .env("CARGO_ENCODED_RUSTFLAGS", "")
        // rustup must neither install what a toolchain file asks for nor pick another rustc.
        .env("RUSTUP_AUTO_INSTALL", "0")
        .stdin(Stdio::null());
    cmd
}

/// A program named by an environment variable: `None` when unset or empty; `Some(None)` when
/// it names nothing that exists.
fn env_program(var: &str) -> Option<Option<PathBuf>> {
    let v = std::env::var_os(var).filter(|v| !v.is_empty())?;
    let p = PathBuf::from(&v);
    Some(if p.components().count() == 1 {
        path_lookup(&v.to_string_lossy())
    } else {
        let p = if p.is_relative() {
            std::env::current_dir()
                .ok()
                .map(|d| d.join(&p))
                .unwrap_or(p)
        } else {
            p
        };
        p.is_file().then_some(p)
    })
}

fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The first `name` in an absolute `PATH` directory.
pub fn path_lookup(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(exe(name)))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// `rustup which TOOL` as seen from the project (its toolchain file applies); rustup only
/// reads the file, it runs nothing of the project's.
fn rustup_which(rustup: &Path, tool: &str, dir: &Path) -> Option<PathBuf> {
    let out = Command::new(rustup)
        .args(["which", tool])
        .current_dir(dir)
        .env("RUSTUP_AUTO_INSTALL", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let p = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    (p.is_absolute() && p.is_file()).then_some(p)
}

/// The directory the project controls: the topmost of `dir` and the nearest repository root
/// (a directory with `.git`) above it.
fn project_root(dir: &Path) -> PathBuf {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .unwrap_or(&dir)
        .to_path_buf()
}

/// Where rustup installs toolchains and cargo its binaries (canonical).
fn installed_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let rustup = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".rustup")));
    let cargo = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".cargo")));
    [
        rustup.map(|r| r.join("toolchains")),
        cargo.map(|c| c.join("bin")),
    ]
    .into_iter()
    .flatten()
    .filter_map(|d| d.canonicalize().ok())
    .collect()
}

/// `--config` values neutralising every `[env]` variable the cargo config files cargo will read
/// from `dir` set: an empty value that overrides nothing already in the environment and names no
/// path. (`[env] LD_PRELOAD = { value = "evil.so", relative = true, force = true }` would
/// otherwise load the project's code into rustc.)
fn env_keys(dir: &Path, limits: &fsio::Limits) -> Vec<String> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut keys = std::collections::BTreeMap::new();
    for a in dir.ancestors() {
        for name in [".cargo/config.toml", ".cargo/config"] {
            // Bounded like every configuration file; one that cannot be read is cargo's to
            // report.
            let Ok(text) = fsio::read_text(a.join(name), ReadKind::Config, true, limits) else {
                continue;
            };
            let Ok(table) = text.parse::<toml::Table>() else {
                continue;
            };
            let Some(toml::Value::Table(env)) = table.get("env") else {
                continue;
            };
            for (k, v) in env {
                // The override must have the shape of what it overrides, or cargo refuses to
                // merge them.
                keys.entry(k.clone()).or_insert(v.is_table());
            }
        }
    }
    // One dotted key a value: cargo refuses an inline table on its command line.
    keys.into_iter()
        .flat_map(|(k, table)| {
            let key = toml::Value::String(k).to_string();
            if table {
                vec![
                    format!("env.{key}.value=\"\""),
                    format!("env.{key}.force=false"),
                    format!("env.{key}.relative=false"),
                ]
            } else {
                vec![format!("env.{key}=\"\"")]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_tables_are_neutralised_in_their_own_shape() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("ws/member");
        std::fs::create_dir_all(sub.join(".cargo")).unwrap();
        std::fs::create_dir_all(d.path().join("ws/.cargo")).unwrap();
        std::fs::write(
            sub.join(".cargo/config.toml"),
            "[env]\nLD_PRELOAD = { value = \"evil.so\", relative = true, force = true }\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("ws/.cargo/config"),
            "[env]\n\"WEIRD \\\" KEY\" = \"x\"\n",
        )
        .unwrap();
        let keys = env_keys(&sub, &fsio::Limits::DEFAULT);
        assert_eq!(
            keys,
            [
                "env.\"LD_PRELOAD\".value=\"\"",
                "env.\"LD_PRELOAD\".force=false",
                "env.\"LD_PRELOAD\".relative=false",
                "env.'WEIRD \" KEY'=\"\"",
            ]
        );
    }

    #[test]
    fn project_root_is_the_repository_root() {
        let d = tempfile::tempdir().unwrap();
        let ws = d.path().join("repo/rust/ws");
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(d.path().join("repo/.git")).unwrap();
        assert_eq!(
            project_root(&ws),
            d.path().join("repo").canonicalize().unwrap()
        );
        let plain = d.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        assert_eq!(project_root(&plain), plain.canonicalize().unwrap());
    }
}
