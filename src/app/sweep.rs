//! The app, `sweep`: `cargo entitycheck sweep` (screen `.crate` files of a registry into an
//! index), `sweep merge`, `sweep sign` and `sweep diff`, and `check --index`; their arguments
//! (in `args`) handed to `cargo_entitycheck::sweep`.

use std::io::{self, Write};

use camino::Utf8Path;

use super::args::{IndexArgs, SweepArgs, SweepCommand, SweepRunArgs};
use cargo_entitycheck::attest::dsse;
use cargo_entitycheck::config::{self, ListOutput};
use cargo_entitycheck::error::InputError;
use cargo_entitycheck::evidence::deep::DeepOptions;
use cargo_entitycheck::fsio::Limits;
use cargo_entitycheck::sweep::{self, Shard, SweepOptions, index};

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

pub fn run(args: SweepArgs, limits: &Limits) -> Result<u8, InputError> {
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
        Some(SweepCommand::Diff(d)) => diff(
            &d.index,
            &d.old,
            &d.new,
            d.as_of.as_deref(),
            d.format,
            limits,
        ),
        None => sweep_run(args.run, limits),
    }
}

/// `sweep diff INDEX --old OLD --new NEW` (and `list --diff OLD NEW --index INDEX`).
pub fn diff(
    index: &Utf8Path,
    old: &Utf8Path,
    new: &Utf8Path,
    as_of: Option<&str>,
    format: ListOutput,
    limits: &Limits,
) -> Result<u8, InputError> {
    let load = |p: &Utf8Path| cargo_entitycheck::entity::import::load(p, None, limits);
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

fn sweep_run(a: SweepRunArgs, limits: &Limits) -> Result<u8, InputError> {
    let shard = Shard::parse(&a.shard)?;
    let as_of = today_or(a.as_of.as_deref())?;
    let lists = config::load_lists(&a.lists.overrides(), &config::Config::default(), limits)?;
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
