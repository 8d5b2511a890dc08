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
    let plan = args.plan()?;
    let format = plan.format;
    let styles = Styles::for_stdout(plan.color);
    let outcome = cargo_entitycheck::check(plan)?;
    for w in &outcome.unused_waivers {
        report::write_warning(&format_args!(
            "{}: waiver for `{}` matched no finding",
            w.at, w.package
        ));
    }
    finish(report::write_check(
        &mut io::stdout().lock(),
        &outcome,
        format,
        &styles,
    ))?;
    Ok(if outcome.failed() { FAIL } else { PASS })
}

fn explain(args: cli::ExplainArgs) -> Result<u8, InputError> {
    let spec = cargo_entitycheck::ExplainSpec::parse(&args.spec);
    let plan = args.check.plan()?;
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

fn list(args: cli::ListArgs) -> Result<u8, InputError> {
    let config = config::discover(None, None)?;
    let lists = cli::load_lists(&args.lists, &config)?;
    let styles = Styles::for_stdout(args.color);
    finish(report::write_list(
        &mut io::stdout().lock(),
        &lists,
        args.format,
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
