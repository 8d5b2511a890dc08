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
    use cargo_entitycheck::attest;
    // The key is read before the screening, so a wrong path costs nothing.
    let key = match &args.sign {
        None => None,
        Some(path) => {
            let pem = read_text(path)?;
            Some(
                attest::dsse::SigningKey::from_pem(&pem).map_err(|e| InputError::Invalid {
                    path: path.to_string(),
                    problems: vec![format!("{path}: {e}")],
                })?,
            )
        }
    };
    let mut check = args.screen.into_check(args.as_of);
    check.verbose = args.verbose;
    check.quiet = args.quiet;
    let mut plan = check.plan()?;
    plan.exit_after = true;
    let output = args.output;
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
    let now = chrono::Local::now().fixed_offset();
    let statement = attest::certify(&outcome, args.certifier, now, args.valid_for)?;
    let mut json = serde_json::to_vec_pretty(&statement).unwrap_or_default();
    if let Some(key) = &key {
        // The payload is the compact Statement; the envelope around it is pretty-printed.
        let payload = serde_json::to_vec(&statement).unwrap_or_default();
        json = serde_json::to_vec_pretty(&attest::dsse::sign(&payload, key)).unwrap_or_default();
    }
    json.push(b'\n');
    let form = if key.is_some() {
        "signed DSSE envelope"
    } else {
        "certificate"
    };
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
                "{form} written to {path} (result: {}, as of {}, valid until {})",
                statement.predicate.result,
                statement.predicate.as_of,
                statement.predicate.valid_until
            ));
        }
        None => finish(io::stdout().lock().write_all(&json))?,
    }
    if statement.predicate.as_of_requested {
        report::write_warning(&format_args!(
            "the certificate speaks for {} although it was made on {}: it says so, and `verify` also evaluates it at the verification date",
            statement.predicate.as_of,
            now.date_naive()
        ));
    }
    Ok(if outcome.failed() { FAIL } else { PASS })
}

fn read_text(path: &camino::Utf8Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::Io {
        path: path.to_string(),
        source: e,
    })
}

fn verify(args: cli::VerifyArgs) -> Result<u8, InputError> {
    use cargo_entitycheck::attest;
    let text = read_text(&args.certificate)?;
    let cert = attest::read(&text, args.certificate.as_str())?;
    let key = match &args.key {
        None => None,
        Some(path) => {
            let pem = read_text(path)?;
            Some(
                attest::dsse::VerifyingKey::from_pem(&pem).map_err(|e| InputError::Invalid {
                    path: path.to_string(),
                    problems: vec![format!("{path}: {e}")],
                })?,
            )
        }
    };
    let statement = &cert.statement;
    // Re-screen as of the certified date, so the comparison is about the tree, not the
    // calendar (the verification date is evaluated separately).
    let mut check = args
        .screen
        .into_check(Some(statement.predicate.as_of.to_string()));
    // Verifying must not change what it verifies: cargo may not rewrite Cargo.lock.
    check.graph.locked = true;
    let mut plan = check.plan()?;
    plan.exit_after = true;
    let styles = Styles::for_stdout(plan.color);
    let outcome = cargo_entitycheck::check(plan)?;
    let builtin = cargo_entitycheck::entity::EntityList::builtin()?;
    let now = chrono::Local::now().fixed_offset();
    let mut checks = vec![attest::check_signature(&cert, key.as_ref())];
    checks.extend(attest::verify(
        statement,
        &outcome,
        &builtin,
        now,
        args.max_age,
    )?);
    finish(report::write_verify(
        &mut io::stdout().lock(),
        args.certificate.as_str(),
        &checks,
        &styles,
    ))?;
    if cert.container.envelope().is_some() && key.is_none() {
        report::write_warning(&format_args!(
            "{}: the signature was NOT checked (no --key): only the payload was verified",
            args.certificate
        ));
    }
    Ok(if checks.iter().all(|c| c.ok) {
        PASS
    } else {
        FAIL
    })
}

fn list(args: cli::ListArgs) -> Result<u8, InputError> {
    let config = config::discover(None, None)?;
    let lists = cli::load_lists(&args.lists, &config)?;
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
