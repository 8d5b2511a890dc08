//! The app: the only place that parses arguments, prints, writes output files and decides the
//! process's exit code. Each command turns its arguments into the library's request
//! (`config::resolve`), runs the pipeline, and renders the outcome.

mod args;
mod output;
mod sweep;

use std::io::{self, Write};
use std::process::ExitCode;

use camino::Utf8PathBuf;

use args::{self as cli, Command, OutputSpec, Target};
use cargo_entitycheck::config::{self, Format, OutputSettings, Settings, Verbosity};
use cargo_entitycheck::error::InputError;
use cargo_entitycheck::fsio::{self, Limits};
use cargo_entitycheck::outcome::{self, Outcome};
use cargo_entitycheck::pipeline;
use cargo_entitycheck::report::{self, Styles};
use output::Progress;

/// Exit codes, documented in `--help` and the README.
const PASS: u8 = 0;
const FAIL: u8 = 1;
const INPUT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    // The read bounds, before anything is read (`ENTITYCHECK_MAX_<KIND>_SIZE`).
    let limits = match Limits::from_env() {
        Ok(l) => l,
        Err(e) => {
            output::error(&e);
            return ExitCode::from(INPUT_ERROR);
        }
    };
    let cli = match cli::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { INPUT_ERROR } else { PASS });
        }
    };
    let result = match cli.command {
        Some(Command::List(args)) => list(args, &limits),
        Some(Command::Check(args)) => check(args, limits),
        Some(Command::Explain(args)) => explain(args, limits),
        Some(Command::Init(args)) => init(args, &limits),
        Some(Command::Certify(args)) => certify(args, limits),
        Some(Command::Verify(args)) => verify(args, limits),
        Some(Command::Scan(args)) => scan(args, limits),
        Some(Command::Sweep(args)) => sweep::run(args, &limits),
        Some(Command::Sbom(args)) => sbom(args, limits),
        None => check(cli.check, limits),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            output::error(&e);
            ExitCode::from(INPUT_ERROR)
        }
    }
}

/// Resolves the settings and runs the pipeline, with a progress bar unless `--quiet`.
fn screen(args: cli::CheckArgs, limits: Limits) -> Result<(Outcome, OutputSettings), InputError> {
    let timings = args.verbose >= 2;
    let index = args.index.spec()?;
    let Settings {
        mut request,
        output,
    } = config::resolve(args.overrides(limits))?;
    request.index = index;
    let progress = Progress::new(output.verbosity != Verbosity::Quiet, timings);
    Ok((pipeline::check(request, &progress)?, output))
}

fn check(args: cli::CheckArgs, limits: Limits) -> Result<u8, InputError> {
    let outputs = plan_outputs(&args.output)?;
    let (outcome, out) = screen(args, limits)?;
    let code = emit(&outcome, &out, &outputs);
    leave(outcome);
    code
}

/// The process exits right after the report: an outcome (which holds the entity lists, whole
/// screening lists of hundreds of thousands of entries among them) is left to the operating
/// system rather than freed allocation by allocation, which would cost as much as loading them.
fn leave(outcome: Outcome) {
    std::mem::forget(outcome);
}

/// `scan PATH...`: shipped artefacts, reported and exiting like `check`.
fn scan(args: cli::ScanArgs, limits: Limits) -> Result<u8, InputError> {
    let outputs = plan_outputs(&args.check.output)?;
    let Settings { request, output } = config::resolve(args.check.overrides(limits))?;
    no_sbom_of(&output, &outputs, "scan")?;
    let outcome = cargo_entitycheck::pipeline::artefacts::scan(&args.paths, request)?;
    let code = emit(&outcome, &output, &outputs);
    leave(outcome);
    code
}

/// `sbom FILE...`: bills of materials, reported and exiting like `check`.
fn sbom(args: cli::SbomArgs, limits: Limits) -> Result<u8, InputError> {
    let outputs = plan_outputs(&args.check.output)?;
    let Settings { request, output } = config::resolve(args.check.overrides(limits))?;
    no_sbom_of(&output, &outputs, "sbom")?;
    let outcome = cargo_entitycheck::sbom::check(&args.files, request)?;
    let code = emit(&outcome, &output, &outputs);
    leave(outcome);
    code
}

/// `--format cyclonedx` lists a cargo workspace's packages: `sbom` and `scan` have none to list.
fn no_sbom_of(
    out: &OutputSettings,
    outputs: &[OutputSpec],
    command: &str,
) -> Result<(), InputError> {
    let asked = out.format == Format::Cyclonedx
        || outputs.iter().any(|o| o.format == Some(Format::Cyclonedx));
    if asked {
        return Err(InputError::Usage(format!(
            "the cyclonedx format describes a cargo workspace's packages: `{command}` has none (use it with the check)"
        )));
    }
    Ok(())
}

/// The `--output` values, checked before anything runs: at most one report on stdout.
fn plan_outputs(raw: &[String]) -> Result<Vec<OutputSpec>, InputError> {
    let specs: Vec<OutputSpec> = raw.iter().map(|s| OutputSpec::parse(s)).collect();
    if specs.iter().filter(|o| o.target == Target::Stdout).count() > 1 {
        return Err(InputError::Usage(
            "more than one --output names standard output (`-`): only one report can go there"
                .into(),
        ));
    }
    Ok(specs)
}

/// Reports an outcome: warnings about unused waivers and ignore entries, every report asked
/// for (each file whole or not at all), one report on stdout, and the exit code.
///
/// Stdout gets the --format report, unless a plain `--output PATH` took it (then people still
/// see the human report) or `FORMAT=-` names another.
fn emit(outcome: &Outcome, out: &OutputSettings, outputs: &[OutputSpec]) -> Result<u8, InputError> {
    let styles = output::styles_for_stdout(out.color);
    for w in outcome.unused_waivers() {
        output::warning(&format_args!(
            "{}: waiver for `{}` matched no finding",
            w.at, w.package
        ));
    }
    for i in outcome.unused_ignores() {
        let why = match i.expires {
            Some(d) if d < outcome.policy.as_of => format!("expired on {d}"),
            _ => "matched no finding".to_string(),
        };
        output::warning(&format_args!(
            "{}: ignore entry for `{}` ({}) {why}",
            i.at,
            i.package,
            i.paths.join(", ")
        ));
    }
    let mut stdout_format = out.format;
    let mut files: Vec<(Format, &Utf8PathBuf, bool)> = Vec::new();
    let mut plain_file = false;
    let mut explicit_stdout = false;
    for o in outputs {
        let format = o.format.unwrap_or(out.format);
        match &o.target {
            Target::Stdout => {
                stdout_format = format;
                explicit_stdout = true;
            }
            Target::File(p) => {
                plain_file |= o.format.is_none();
                files.push((format, p, o.append));
            }
        }
    }
    if plain_file && !explicit_stdout {
        stdout_format = Format::Human;
    }
    let mut ci = out.ci.clone();
    // The complete reports, named where a view is cut short (annotations, Markdown).
    ci.full_reports = files
        .iter()
        .filter(|(f, _, _)| f.is_complete())
        .map(|(_, p, _)| p.to_string())
        .collect();
    for (format, path, append) in &files {
        let mut buf = Vec::new();
        report::write_check(
            &mut buf,
            outcome,
            *format,
            &Styles::default(),
            out.verbosity,
            &ci,
        )
        .map_err(|e| InputError::write(path, e))?;
        if *append {
            fsio::append_output(path.as_std_path(), &buf)
        } else {
            fsio::write_output(path.as_std_path(), &buf)
        }
        .map_err(|e| InputError::write(path, e))?;
    }
    let stdout_styles = if stdout_format == Format::Human {
        styles
    } else {
        Styles::default()
    };
    finish(report::write_check(
        &mut io::stdout().lock(),
        outcome,
        stdout_format,
        &stdout_styles,
        out.verbosity,
        &ci,
    ))?;
    Ok(if outcome.failed() { FAIL } else { PASS })
}

fn explain(args: cli::ExplainArgs, limits: Limits) -> Result<u8, InputError> {
    let spec = pipeline::ExplainSpec::parse(&args.spec);
    let Settings { request, output } = config::resolve(args.check.overrides(limits))?;
    let progress = Progress::new(output.verbosity != Verbosity::Quiet, false);
    let outcome = pipeline::explain(request, &spec, &progress)?;
    let styles = output::styles_for_stdout(output.color);
    finish(report::write_explain(
        &mut io::stdout().lock(),
        &outcome,
        output.format,
        &styles,
    ))?;
    // Like `check`, but only about this package: 1 when one of its findings fails.
    let fails = outcome::any_fails(outcome.explained.iter().flat_map(|e| &e.findings));
    leave(outcome);
    Ok(if fails { FAIL } else { PASS })
}

fn certify(args: cli::CertifyArgs, limits: Limits) -> Result<u8, InputError> {
    use cargo_entitycheck::certify::{self as cert, Certified};
    // The key is read before the screening, so a wrong path costs nothing.
    let key = args
        .sign
        .as_deref()
        .map(|path| cert::read_signing_key(path, &limits))
        .transpose()?;
    let mut check = args.screen.into_check(args.as_of);
    check.verbose = u8::from(args.verbose);
    check.quiet = args.quiet;
    let timings = check.verbose >= 2;
    let mut overrides = check.overrides(limits);
    cert::certifying(&mut overrides);
    let Settings {
        request,
        output: out,
    } = config::resolve(overrides)?;
    let progress = Progress::new(out.verbosity != Verbosity::Quiet, timings);
    // Not the product: the certificate's own file and the key, wherever they are.
    let not_product: Vec<Utf8PathBuf> = args.output.iter().chain(&args.sign).cloned().collect();
    let certified = cert::certify(
        cert::CertifyRequest {
            screening: cert::Screening {
                request,
                artefacts: args.artefacts,
                sboms: args.sboms,
            },
            made: cargo_entitycheck::attest::Made {
                certifier: args.certifier,
                narrowed_because: args.narrowed_scope,
            },
            valid_for: args.valid_for,
            record_failure: args.record_failure,
            key,
            not_product,
        },
        &progress,
    )?;
    let styles = output::styles_for_stdout(out.color);
    let Certified {
        outcome,
        certificate,
    } = certified;
    let Some(cert::Made {
        statement,
        bytes: json,
        signed,
        made_at: now,
    }) = certificate
    else {
        finish(report::write_check(
            &mut io::stderr().lock(),
            &outcome,
            Format::Human,
            &Styles::default(),
            out.verbosity,
            &out.ci,
        ))?;
        output::error(
            &"the product fails the check: no certificate written (pass --record-failure to certify the failure)",
        );
        return Ok(FAIL);
    };
    let form = if signed {
        "signed DSSE envelope"
    } else {
        "certificate"
    };
    match args.output.filter(|p| p != "-") {
        Some(path) => {
            fsio::write_output(path.as_std_path(), &json)
                .map_err(|e| InputError::write(&path, e))?;
            finish(report::write_check(
                &mut io::stdout().lock(),
                &outcome,
                Format::Human,
                &styles,
                out.verbosity,
                &out.ci,
            ))?;
            output::note(&format_args!(
                "{form} written to {path} (result: {}, as of {}, valid until {})",
                statement.predicate.result,
                statement.predicate.as_of,
                statement.predicate.valid_until
            ));
        }
        None => finish(io::stdout().lock().write_all(&json))?,
    }
    if !statement.predicate.narrowings.is_empty() {
        output::warning(&format_args!(
            "the certificate states a narrowed scope ({}), as --narrowed-scope asked: `verify` prints it",
            statement.predicate.narrowings.join("; ")
        ));
    }
    if statement.predicate.as_of_requested {
        output::warning(&format_args!(
            "the certificate speaks for {} although it was made on {}: it says so, and `verify` also evaluates it at the verification date",
            statement.predicate.as_of,
            cargo_entitycheck::policy::us_eastern_date(now.to_utc())
        ));
    }
    Ok(if outcome.failed() { FAIL } else { PASS })
}

fn verify(args: cli::VerifyArgs, limits: Limits) -> Result<u8, InputError> {
    use cargo_entitycheck::certify as cert;
    let certificate = cert::read_certificate(&args.certificate, &limits)?;
    let key = args
        .key
        .as_deref()
        .map(|path| cert::read_verifying_key(path, &limits))
        .transpose()?;
    let check = args.screen.into_check(None);
    let timings = check.verbose >= 2;
    let mut overrides = check.overrides(limits);
    cert::verifying(&mut overrides, certificate.statement.predicate.as_of);
    let Settings {
        request,
        output: out,
    } = config::resolve(overrides)?;
    let progress = Progress::new(out.verbosity != Verbosity::Quiet, timings);
    let not_product: Vec<Utf8PathBuf> = std::iter::once(args.certificate.clone())
        .chain(args.key.clone())
        .collect();
    let verified = cert::verify(
        cert::VerifyRequest {
            certificate,
            key,
            screening: cert::Screening {
                request,
                artefacts: args.artefacts,
                sboms: args.sboms,
            },
            max_age: args.max_age,
            not_product,
        },
        &progress,
    )?;
    let styles = output::styles_for_stdout(out.color);
    finish(report::write_verify(
        &mut io::stdout().lock(),
        args.certificate.as_str(),
        &verified.checks,
        &styles,
    ))?;
    if verified.signature_unchecked {
        output::warning(&format_args!(
            "{}: the signature was NOT checked (no --key): only the payload was verified",
            args.certificate
        ));
    }
    Ok(if verified.holds() { PASS } else { FAIL })
}

fn list(args: cli::ListArgs, limits: &Limits) -> Result<u8, InputError> {
    if let ([old, new], Some(index)) = (args.diff.as_slice(), &args.index) {
        return sweep::diff(index, old, new, None, args.format, limits);
    }
    if let [old, new] = args.diff.as_slice() {
        let format = args.lists.entities_format;
        let load =
            |p: &camino::Utf8Path| cargo_entitycheck::entity::import::load(p, format, limits);
        let d = cargo_entitycheck::entity::diff::ListDiff::new(&load(old)?, &load(new)?);
        let out = &mut io::stdout().lock();
        finish(match args.format {
            config::ListOutput::Json => serde_json::to_writer_pretty(&mut *out, &d)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out)),
            config::ListOutput::Human => d.write_human(out),
        })?;
        return Ok(PASS);
    }
    let config = config::discover(None, None, limits)?;
    let mut lists = config::load_lists(&args.lists.overrides(), &config, limits)?;
    // Each list's age, on today's date and with the configuration's thresholds.
    let mut policy =
        cargo_entitycheck::policy::Policy::new(cargo_entitycheck::policy::today_us_eastern());
    config::date_lists(&mut policy, &config, &mut lists);
    let styles = output::styles_for_stdout(args.color);
    finish(report::write_list(
        &mut io::stdout().lock(),
        &lists,
        args.format.into(),
        &styles,
    ))?;
    Ok(PASS)
}

fn init(args: cli::InitArgs, limits: &Limits) -> Result<u8, InputError> {
    let root = config::workspace_root(args.manifest_path.as_deref(), limits).ok_or_else(|| {
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
    fsio::write_output(path.as_std_path(), config::DEFAULT_TOML.as_bytes())
        .map_err(|e| InputError::write(&path, e))?;
    output::note(&format_args!("wrote {path}"));
    Ok(PASS)
}

/// A closed pipe (`| head`) is not an error; any other write failure is.
fn finish(r: io::Result<()>) -> Result<(), InputError> {
    match r.and_then(|()| io::stdout().flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(InputError::write("<stdout>", e)),
        Ok(()) => Ok(()),
    }
}
