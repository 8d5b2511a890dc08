//! The `cargo-entitycheck` binary: parse arguments, run the library, map the outcome to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use cargo_entitycheck::cli::{self, Command};
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
        Some(Command::List(args)) => cli::load_lists(&args.lists).and_then(|lists| {
            let styles = Styles::for_stdout(args.color);
            finish(report::write_list(
                &mut io::stdout().lock(),
                &lists,
                args.format,
                &styles,
            ))
            .map(|()| PASS)
        }),
        Some(Command::Check(args)) => run_check(args),
        None => run_check(cli.check),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report::write_error(&e);
            ExitCode::from(INPUT_ERROR)
        }
    }
}

fn run_check(args: cli::CheckArgs) -> Result<u8, cargo_entitycheck::error::InputError> {
    let plan = args.plan()?;
    let format = plan.format;
    let styles = Styles::for_stdout(plan.color);
    let outcome = cargo_entitycheck::check(plan)?;
    finish(report::write_check(
        &mut io::stdout().lock(),
        &outcome,
        format,
        &styles,
    ))?;
    Ok(if outcome.failed() { FAIL } else { PASS })
}

/// A closed pipe (`| head`) is not an error; any other write failure is.
fn finish(r: io::Result<()>) -> Result<(), cargo_entitycheck::error::InputError> {
    match r.and_then(|()| io::stdout().flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(cargo_entitycheck::error::InputError::Io {
            path: "<stdout>".into(),
            source: e,
        }),
        Ok(()) => Ok(()),
    }
}
