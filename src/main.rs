//! The `cargo-entitycheck` binary: parse arguments, run the library, map the outcome to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use cargo_entitycheck::cli::{self, Command};
use cargo_entitycheck::error::InputError;
use cargo_entitycheck::policy::config;
use cargo_entitycheck::report::{self, Styles};

/// Exit codes, documented in `--help` and the README.
const PASS: u8 = 0;
const FAIL: u8 = 1;
const INPUT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match cli::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { INPUT_ERROR } else { PASS });
        }
    };
    let result = match cli.command {
        Some(Command::List(args)) => list(args),
        Some(Command::Check(args)) => check(args),
        Some(Command::Explain(args)) => explain(args),
        Some(Command::Init(args)) => init(args),
        Some(Command::Certify(args)) => certify(args),
        Some(Command::Verify(args)) => verify(args),
        None => check(cli.check),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report::write_error(&e);
            ExitCode::from(INPUT_ERROR)
        }
    }
}

fn check(args: cli::CheckArgs) -> Result<u8, InputError> {
    let mut plan = args.plan()?;
    plan.exit_after = true;
    let format = plan.format;
    let output = plan.output.clone();
    let styles = Styles::for_stdout(plan.color);
    let outcome = cargo_entitycheck::check(plan)?;
    for w in &outcome.unused_waivers {
        report::write_warning(&format_args!(
            "{}: waiver for `{}` matched no finding",
            w.at, w.package
        ));
    }
    match output {
        Some(path) => {
            // The machine report goes to the file, whole or not at all; people still see the
            // human report.
            let mut buf = Vec::new();
            report::write_check(&mut buf, &outcome, format, &Styles::default()).map_err(|e| {
                InputError::Io {
                    path: path.to_string(),
                    source: e,
                }
            })?;
            cargo_entitycheck::write_atomically(&path, &buf).map_err(|e| InputError::Io {
                path: path.to_string(),
                source: e,
            })?;
            finish(report::write_check(
                &mut io::stdout().lock(),
                &outcome,
                report::Format::Human,
                &styles,
            ))?;
        }
        None => finish(report::write_check(
            &mut io::stdout().lock(),
            &outcome,
            format,
            &styles,
        ))?,
    }
    Ok(if outcome.failed() { FAIL } else { PASS })
}

fn explain(args: cli::ExplainArgs) -> Result<u8, InputError> {
    let spec = cargo_entitycheck::ExplainSpec::parse(&args.spec);
    let mut plan = args.check.plan()?;
    plan.exit_after = true;
    let format = plan.format;
    let styles = Styles::for_stdout(plan.color);
    let outcome = cargo_entitycheck::explain(plan, &spec)?;
    finish(report::write_explain(
        &mut io::stdout().lock(),
        &outcome,
        format,
        &styles,
    ))?;
    // Like `check`, but only about this package: 1 when one of its findings fails.
    let fails = outcome
        .explained
        .iter()
        .flat_map(|e| &e.findings)
        .any(|f| f.verdict == cargo_entitycheck::policy::Verdict::Fail);
    Ok(if fails { FAIL } else { PASS })
}

fn certify(args: cli::CertifyArgs) -> Result<u8, InputError> {
    let mut plan = args.check.plan()?;
    plan.exit_after = true;
    let output = plan.output.clone();
    let styles = Styles::for_stdout(plan.color);
    let outcome = cargo_entitycheck::check(plan)?;
    if outcome.failed() && !args.record_failure {
        finish(report::write_check(
            &mut io::stderr().lock(),
            &outcome,
            report::Format::Human,
            &Styles::default(),
        ))?;
        report::write_error(
            &"the product fails the check: no certificate written (pass --record-failure to certify the failure)",
        );
        return Ok(FAIL);
    }
    let statement =
        cargo_entitycheck::attest::certify(&outcome, args.certifier, chrono::Utc::now())?;
    let mut json = serde_json::to_vec_pretty(&statement).unwrap_or_default();
    json.push(b'\n');
    match output {
        Some(path) => {
            cargo_entitycheck::write_atomically(&path, &json).map_err(|e| InputError::Io {
                path: path.to_string(),
                source: e,
            })?;
            finish(report::write_check(
                &mut io::stdout().lock(),
                &outcome,
                report::Format::Human,
                &styles,
            ))?;
            report::write_note(&format_args!(
                "certificate written to {path} (result: {})",
                statement.predicate.result
            ));
        }
        None => finish(io::stdout().lock().write_all(&json))?,
    }
    Ok(if outcome.failed() { FAIL } else { PASS })
}

fn verify(args: cli::VerifyArgs) -> Result<u8, InputError> {
    let text = std::fs::read_to_string(&args.certificate).map_err(|e| InputError::Io {
        path: args.certificate.to_string(),
        source: e,
    })?;
    let statement = cargo_entitycheck::attest::parse(&text, args.certificate.as_str())?;
    let mut check = args.check;
    // Verifying must not change what it verifies: cargo may not rewrite Cargo.lock.
    check.graph.locked = true;
    // Re-screen as of the certified date, so the comparison is about the tree, not the calendar.
    if check.as_of.is_none() {
        check.as_of = Some(statement.predicate.as_of.to_string());
    }
    let mut plan = check.plan()?;
    plan.exit_after = true;
    let styles = Styles::for_stdout(plan.color);
    let outcome = cargo_entitycheck::check(plan)?;
    let builtin = cargo_entitycheck::entity::EntityList::builtin()?;
    let today = chrono::Local::now().date_naive();
    let checks =
        cargo_entitycheck::attest::verify(&statement, &outcome, &builtin, today, args.max_age)?;
    finish(report::write_verify(
        &mut io::stdout().lock(),
        args.certificate.as_str(),
        &checks,
        &styles,
    ))?;
    Ok(if checks.iter().all(|c| c.ok) {
        PASS
    } else {
        FAIL
    })
}

fn list(args: cli::ListArgs) -> Result<u8, InputError> {
    if let [old, new] = args.diff.as_slice() {
        let load = |p: &camino::Utf8Path| {
            cargo_entitycheck::entity::import::load(p, args.lists.entities_format)
        };
        let d = cargo_entitycheck::entity::diff::ListDiff::new(&load(old)?, &load(new)?);
        let out = &mut io::stdout().lock();
        finish(match args.format {
            cli::ListOutput::Json => serde_json::to_writer_pretty(&mut *out, &d)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out)),
            cli::ListOutput::Human => d.write_human(out),
        })?;
        return Ok(PASS);
    }
    let config = config::discover(None, None)?;
    let mut lists = cli::load_lists(&args.lists, &config)?;
    // Each list's age, on today's date and with the configuration's thresholds.
    let mut policy = cargo_entitycheck::policy::Policy::new(chrono::Local::now().date_naive());
    policy.list_warn_age = config.list_warn_age.unwrap_or(policy.list_warn_age);
    policy.max_list_age = config.max_list_age;
    policy.date_lists(&mut lists);
    let styles = Styles::for_stdout(args.color);
    finish(report::write_list(
        &mut io::stdout().lock(),
        &lists,
        args.format.into(),
        &styles,
    ))?;
    Ok(PASS)
}

fn init(args: cli::InitArgs) -> Result<u8, InputError> {
    let root = config::workspace_root(args.manifest_path.as_deref()).ok_or_else(|| {
        InputError::Usage(
            "no Cargo.toml here or above: run in a Cargo project or pass --manifest-path".into(),
        )
    })?;
    let path = root.join(config::FILE_NAME);
    if path.exists() && !args.force {
        return Err(InputError::Usage(format!(
            "{path} already exists (use --force to overwrite)"
        )));
    }
    cargo_entitycheck::write_atomically(&path, config::DEFAULT_TOML.as_bytes()).map_err(|e| {
        InputError::Io {
            path: path.to_string(),
            source: e,
        }
    })?;
    report::write_note(&format_args!("wrote {path}"));
    Ok(PASS)
}

/// A closed pipe (`| head`) is not an error; any other write failure is.
fn finish(r: io::Result<()>) -> Result<(), InputError> {
    match r.and_then(|()| io::stdout().flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(InputError::Io {
            path: "<stdout>".into(),
            source: e,
        }),
        Ok(()) => Ok(()),
    }
}
