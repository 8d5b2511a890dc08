//! The app, `sweep`: arguments of `cargo entitycheck sweep` (screen `.crate` files of a
//! registry into an index), `sweep merge`, `sweep sign` and `sweep diff`, and `check --index`;
//! each parsed here and handed to `cargo_entitycheck::sweep`.

use std::io::{self, Write};

use camino::{Utf8Path, Utf8PathBuf};
use clap::{Args, Subcommand};

use super::args::{ListOutput, ListSelection};
use cargo_entitycheck::attest::dsse;
use cargo_entitycheck::config;
use cargo_entitycheck::error::InputError;
use cargo_entitycheck::evidence::deep::DeepOptions;
use cargo_entitycheck::sweep::{self, Shard, SweepOptions, index};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub command: Option<SweepCommand>,
    #[command(flatten)]
    pub run: SweepRunArgs,
}

#[derive(Debug, Subcommand)]
pub enum SweepCommand {
    /// Merge shard outputs into one index: sorted by name, version and checksum, deduplicated.
    Merge(MergeArgs),
    /// Sign an index (DSSE over an in-toto statement of its SHA-256, recogniser and lists),
    /// written beside it as INDEX.dsse.json.
    Sign(SignArgs),
    /// Name the crate versions of an index whose verdict changes between two entity lists.
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
pub struct SweepRunArgs {
    /// `.crate` files, or directories searched for them (a mirror, cargo's
    /// ~/.cargo/registry/cache).
    #[arg(value_name = "PATH", required_unless_present = "lists_of_files")]
    pub paths: Vec<Utf8PathBuf>,
    /// A file listing `.crate` paths, one a line, relative to its directory (repeatable).
    #[arg(long = "list", value_name = "FILE")]
    pub lists_of_files: Vec<Utf8PathBuf>,
    /// A crates.io database dump (db-dump.tar.gz): owners and publishers as evidence, and each
    /// version's checksum.
    #[arg(long, value_name = "FILE")]
    pub crates_io_dump: Option<Utf8PathBuf>,
    /// A registry index (crates.io-index layout, or cargo's registry/index/<name>/ with its
    /// .cache) whose checksums each file must have.
    #[arg(long, value_name = "DIR")]
    pub registry_index: Option<Utf8PathBuf>,
    /// Sweep only shard I of N (0-based): crates whose SHA-256 of the lower-cased name, as a
    /// big-endian u64 of its first 8 bytes, is I modulo N.
    #[arg(long, value_name = "I/N", default_value = "0/1")]
    pub shard: String,
    /// The JSON-lines output; versions already in it are not screened again (resumable).
    // An Option only so that `sweep merge` (which has none) can be read: required here.
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    pub output: Option<Utf8PathBuf>,
    /// Threads (default: every core; 1 for a task of a distributed engine that gives one core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Evaluate each record's verdict at this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub lists: ListSelection,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard outputs.
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<Utf8PathBuf>,
    /// The merged index (written atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Utf8PathBuf,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The index.
    #[arg(value_name = "INDEX")]
    pub index: Utf8PathBuf,
    /// The private key (PKCS#8 PEM, ed25519 or ECDSA P-256), as for `certify --sign`.
    #[arg(long, value_name = "KEY.pem")]
    pub key: Utf8PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The index.
    #[arg(value_name = "INDEX")]
    pub index: Utf8PathBuf,
    /// The list before.
    #[arg(long, value_name = "FILE")]
    pub old: Utf8PathBuf,
    /// The list after.
    #[arg(long, value_name = "FILE")]
    pub new: Utf8PathBuf,
    /// Evaluate the verdicts at this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ListOutput,
}

/// `check --index FILE --index-key KEY`.
#[derive(Debug, Args, Default, Clone)]
pub struct IndexArgs {
    /// A signed sweep index: registry packages whose Cargo.lock checksum it holds take its scan
    /// instead of being read again (its signature is read from FILE.dsse.json).
    #[arg(
        long,
        value_name = "FILE",
        requires = "index_key",
        help_heading = "Sweep index"
    )]
    pub index: Option<Utf8PathBuf>,
    /// The public key (SPKI PEM) the index's signature must verify with.
    #[arg(
        long,
        value_name = "PUB.pem",
        requires = "index",
        help_heading = "Sweep index"
    )]
    pub index_key: Option<Utf8PathBuf>,
}

impl IndexArgs {
    /// The index to verify, with its key read now (a wrong key path is an input error).
    pub fn spec(&self) -> Result<Option<index::IndexSpec>, InputError> {
        let (Some(path), Some(key)) = (&self.index, &self.index_key) else {
            return Ok(None);
        };
        let pem = std::fs::read_to_string(key).map_err(|e| InputError::Io {
            path: key.to_string(),
            source: e,
        })?;
        let key = dsse::VerifyingKey::from_pem(&pem).map_err(|e| InputError::Invalid {
            path: key.to_string(),
            problems: vec![format!("{key}: {e}")],
        })?;
        Ok(Some(index::IndexSpec {
            path: path.clone(),
            key,
        }))
    }
}

fn today_or(as_of: Option<&str>) -> Result<chrono::NaiveDate, InputError> {
    match as_of {
        Some(d) => config::parse_date(d, "--as-of"),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

pub fn run(args: SweepArgs) -> Result<u8, InputError> {
    match args.command {
        Some(SweepCommand::Merge(m)) => {
            let n = index::merge(&m.inputs, &m.output)?;
            eprintln!(
                "merged {} shard outputs into {}: {n} records",
                m.inputs.len(),
                m.output
            );
            Ok(0)
        }
        Some(SweepCommand::Sign(s)) => {
            let pem = std::fs::read_to_string(&s.key).map_err(|e| InputError::Io {
                path: s.key.to_string(),
                source: e,
            })?;
            let key = dsse::SigningKey::from_pem(&pem).map_err(|e| InputError::Invalid {
                path: s.key.to_string(),
                problems: vec![format!("{}: {e}", s.key)],
            })?;
            let envelope = index::sign(&s.index, &key)?;
            let out = index::signature_path(&s.index);
            let json = serde_json::to_vec_pretty(&envelope).unwrap_or_default();
            cargo_entitycheck::fsio::write_atomically(&out, &json)
                .map_err(|e| InputError::write(&out, e))?;
            eprintln!("signed {}: {out}", s.index);
            Ok(0)
        }
        Some(SweepCommand::Diff(d)) => diff(&d.index, &d.old, &d.new, d.as_of.as_deref(), d.format),
        None => sweep_run(args.run),
    }
}

/// `sweep diff INDEX --old OLD --new NEW` (and `list --diff OLD NEW --index INDEX`).
pub fn diff(
    index: &Utf8Path,
    old: &Utf8Path,
    new: &Utf8Path,
    as_of: Option<&str>,
    format: ListOutput,
) -> Result<u8, InputError> {
    let load = |p: &Utf8Path| cargo_entitycheck::entity::import::load(p, None);
    let (old, new) = (load(old)?, load(new)?);
    let records = index::read(index)?;
    let policy = cargo_entitycheck::policy::Policy::new(today_or(as_of)?);
    let diff = sweep::diff::diff(&records, index.as_str(), &old, &new, &policy)?;
    let out = &mut io::stdout().lock();
    let written = match format {
        ListOutput::Json => serde_json::to_writer_pretty(&mut *out, &diff)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        ListOutput::Human => diff.write_human(out),
    };
    match written {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(InputError::write("standard output", e))
        }
        _ => Ok(0),
    }
}

fn sweep_run(a: SweepRunArgs) -> Result<u8, InputError> {
    let shard = Shard::parse(&a.shard)?;
    let as_of = today_or(a.as_of.as_deref())?;
    let lists = config::load_lists(&a.lists.overrides(), &config::Config::default())?;
    let opts = SweepOptions {
        paths: a.paths,
        lists_of_files: a.lists_of_files,
        db_dump: a.crates_io_dump,
        registry_index: a.registry_index,
        shard,
        output: a
            .output
            .ok_or_else(|| InputError::Usage("sweep: --output FILE is required".into()))?,
        deep: DeepOptions::default(),
        as_of,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.jobs.unwrap_or(0))
        .build()
        .map_err(|e| InputError::Usage(format!("--jobs: {e}")))?;
    let summary = pool.install(|| sweep::run(&opts, &lists))?;
    for n in &summary.notes {
        super::output::note(n);
    }
    let secs = summary.elapsed.as_secs_f64();
    eprintln!(
        "shard {}/{}: {} .crate files found, {} in this shard, {} already in {}, {} screened ({} not scanned), {:.1} MB read, {:.2}s ({:.1} versions/s)",
        shard.index,
        shard.count,
        summary.found,
        summary.in_shard,
        summary.already_done,
        opts.output,
        summary.written,
        summary.not_scanned,
        summary.bytes as f64 / 1e6,
        secs,
        summary.written as f64 / secs.max(1e-9)
    );
    Ok(0)
}
