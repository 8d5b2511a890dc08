//! Running `cargo metadata` (or reading the saved JSON `--metadata-path` names), and what its
//! failures say.

use camino::{Utf8Path, Utf8PathBuf};
use guppy::MetadataCommand;

use super::model::GraphOptions;
use super::toolchain;
use crate::error::InputError;
use crate::fsio::Limits;

/// The directory cargo starts from for a manifest path: the manifest's directory, or the
/// current directory. Where the lockfile, the configuration and the target directory are
/// looked for; worked out here only.
pub fn start_dir(manifest_path: Option<&Utf8Path>) -> Option<Utf8PathBuf> {
    match manifest_path {
        Some(m) => Some(m.canonicalize_utf8().ok()?.parent()?.to_path_buf()),
        None => Utf8PathBuf::from_path_buf(std::env::current_dir().ok()?).ok(),
    }
}

/// `cargo metadata`'s JSON for `opts` (run once, never building anything), or the saved file
/// `--metadata-path` names; with where it came from, for messages.
///
/// The lockfile is never rewritten silently: the third value is a note naming each `Cargo.lock`
/// (of the project directory and its ancestors) whose bytes `cargo metadata` changed.
pub fn metadata_json(
    opts: &GraphOptions,
    limits: &Limits,
) -> Result<(String, String, Option<String>), InputError> {
    if let Some(path) = &opts.metadata_path {
        // Named by the user: a link is followed, but only a regular file within the bound is read.
        let json = crate::fsio::read_text(path, crate::fsio::ReadKind::Metadata, true, limits)
            .map_err(|e| InputError::read(path, e))?;
        return Ok((json, path.to_string(), None));
    }
    MetadataPlan::new(opts, limits)?.run()
}

/// How `cargo metadata` runs for a request: where, with which programs and arguments. Worked
/// out before it runs, so that what its answer depends on can be compared with the last run's
/// (see [`inputs`](super::inputs)).
pub struct MetadataPlan {
    /// Where cargo runs (the manifest's directory, or the current one).
    pub project_dir: std::path::PathBuf,
    /// The programs it runs.
    pub toolchain: toolchain::Toolchain,
    dir: Option<std::path::PathBuf>,
    args: Vec<std::ffi::OsString>,
    opts: GraphOptions,
    /// The bounds of the files read around the run (lockfiles, manifests, cargo's
    /// configuration).
    pub(super) limits: Limits,
}

impl MetadataPlan {
    pub fn new(opts: &GraphOptions, limits: &Limits) -> Result<MetadataPlan, InputError> {
        let mut cmd = MetadataCommand::new();
        let mut dir = None;
        if let Some(m) = &opts.manifest_path {
            let m = &m.canonicalize_utf8().map_err(|e| InputError::Io {
                path: m.to_string(),
                source: e,
            })?;
            cmd.manifest_path(m);
            // Run where the project lives, so its own `.cargo/config.toml` (source replacement
            // for vendored sources, registries) applies as it does when the team builds it.
            dir = m
                .parent()
                .filter(|d| !d.as_str().is_empty())
                .map(|d| d.as_std_path().to_path_buf());
        }
        let mut extra = Vec::new();
        let offline = opts.offline || opts.frozen || !opts.allow_network;
        for (on, flag) in [
            (opts.locked, "--locked"),
            (offline, "--offline"),
            (opts.frozen, "--frozen"),
        ] {
            if on {
                extra.push(flag.to_string());
            }
        }
        cmd.other_options(extra);
        // The project's config could otherwise name the rustc (or a wrapper) cargo runs:
        // pinned, see `toolchain`.
        let project_dir = match &dir {
            Some(d) => d.clone(),
            None => std::env::current_dir().map_err(|e| InputError::Io {
                path: ".".into(),
                source: e,
            })?,
        };
        let toolchain = toolchain::resolve(&project_dir)?;
        let args: Vec<std::ffi::OsString> = cmd
            .cargo_command()
            .get_args()
            .map(|a| a.to_os_string())
            .collect();
        Ok(MetadataPlan {
            project_dir,
            toolchain,
            dir,
            args,
            opts: opts.clone(),
            limits: *limits,
        })
    }

    /// Runs `cargo metadata` (see [`metadata_json`]).
    pub fn run(&self) -> Result<(String, String, Option<String>), InputError> {
        let (opts, tc, dir, args) = (&self.opts, &self.toolchain, &self.dir, &self.args);
        let limits = &self.limits;
        // The lockfiles cargo could write (the workspace root is the project directory or above).
        let lockfiles: Vec<(std::path::PathBuf, Option<Vec<u8>>)> = self
            .project_dir
            .ancestors()
            .map(|d| d.join("Cargo.lock"))
            .map(|p| {
                let bytes =
                    crate::fsio::read_bounded(&p, crate::fsio::ReadKind::Manifest, limits).ok();
                (p, bytes)
            })
            .collect();
        // As `cargo_metadata` runs it, keeping the text: the JSON is the line that starts with `{`.
        let failed = |status: Option<String>, stderr: String| metadata_error(status, stderr, opts);
        let output = toolchain::metadata_command(tc, dir.as_deref(), args, limits)
            .output()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    InputError::CargoNotFound {
                        detail: Some(format!("{}: {e}", tc.cargo.display())),
                    }
                } else {
                    failed(None, format!("could not run {}: {e}", tc.cargo.display()))
                }
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(failed(
                Some(exit_status(&output.status)),
                if stderr.is_empty() {
                    "it printed nothing".into()
                } else {
                    stderr
                },
            ));
        }
        let stdout = String::from_utf8(output.stdout).map_err(|_| {
            failed(
                None,
                "cargo metadata printed output that is not UTF-8".into(),
            )
        })?;
        let start = stdout
            .lines()
            .find(|l| l.starts_with('{'))
            .map(|l| l.as_ptr() as usize - stdout.as_ptr() as usize)
            .ok_or_else(|| failed(None, "cargo metadata printed no JSON".into()))?;
        let mut json = stdout;
        json.drain(..start);
        if let Some(end) = json.find('\n') {
            json.truncate(end);
        }
        let changed: Vec<String> = lockfiles
            .into_iter()
            .filter(|(p, before)| {
                crate::fsio::read_bounded(p, crate::fsio::ReadKind::Manifest, limits).ok()
                    != *before
            })
            .map(|(p, before)| {
                format!(
                    "{} {}",
                    p.display(),
                    if before.is_none() {
                        "was created"
                    } else {
                        "was changed"
                    }
                )
            })
            .collect();
        let note = (!changed.is_empty()).then(|| {
            format!(
                "cargo metadata updated the lockfile: {} (pass --locked to refuse that; it is the default when CI is set)",
                changed.join(", ")
            )
        });
        Ok((json, "cargo metadata".into(), note))
    }
}

/// `exit status 1`, or the signal that ended the process.
fn exit_status(status: &std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    status.to_string()
}

fn metadata_error(status: Option<String>, mut stderr: String, opts: &GraphOptions) -> InputError {
    let lock_refused = stderr.contains("--locked was passed");
    if lock_refused && opts.locked_by_ci {
        // On lines of their own: a message line is clipped at `error::MAX_LINE_CHARS`.
        stderr.push_str(
            "\n\nhint: --locked was not on the command line: cargo-entitycheck passes it by default\n\
             because the CI environment variable is set, so a check in CI screens exactly the\n\
             Cargo.lock that ships. Commit Cargo.lock (recommended for anything you ship), or create\n\
             it in an earlier step (`cargo generate-lockfile`, which may use the network);\n\
             CI=false turns the default off.",
        );
    } else if lock_refused {
        stderr.push_str(
            "\n\nhint: with --locked, Cargo.lock must exist and be up to date: commit it, or run \
             `cargo generate-lockfile` (or `cargo update`) first",
        );
    } else if !opts.allow_network && !opts.offline && !opts.frozen && stderr.contains("offline") {
        stderr.push_str(
            "\n\nhint: cargo-entitycheck runs `cargo metadata` offline unless allowed to use the network: \
             run `cargo fetch` first, or pass --allow-network",
        );
    }
    InputError::Metadata {
        manifest: opts.manifest_path.as_ref().map(|m| m.to_string()),
        status,
        stderr,
    }
}
