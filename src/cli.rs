//! Command line: clap arguments → a validated plan. Every file the plan needs (entity lists) is
//! read and checked here, before cargo runs, so a typo costs nothing.

use camino::Utf8PathBuf;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::entity::EntityList;
use crate::entity::import::{self, ListFormat};
use crate::error::InputError;
use crate::evidence::deep::DeepOptions;
use crate::graph::{FeatureSelection, GraphOptions};
use crate::policy::Policy;
use crate::policy::config::{self, Config};
use crate::report::{ColorChoice, Format};

const AFTER_HELP: &str = "\
Exit status:
  0  nothing fails the build (findings may still be shown as warnings or notes)
  1  at least one failing finding: the product integrates software attributed to a listed entity
  2  usage, configuration or input error (bad flag, malformed Cargo.toml or entity list,
     `cargo metadata` failure)

Run as `cargo entitycheck` (a cargo subcommand) or as `cargo-entitycheck`.";

/// Screen a Rust product's dependency graph for software made by restricted entities.
///
/// Resolves the dependency graph with `cargo metadata` (never compiling anything or running
/// build scripts), collects who made each package and what it bundles, matches that against the
/// entity list (built in: the Kaspersky entities of the June 2024 ICTS Final Determination and
/// Entity List additions) and fails when a shipped dependency is attributed to a listed entity.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-entitycheck",
    bin_name = "cargo entitycheck",
    version,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Screen the dependency graph (the default command).
    Check(CheckArgs),
    /// Print the entity list(s) in use, with every source.
    List(ListArgs),
    /// Show everything about one package: evidence, matches and why, paths, verdicts.
    Explain(ExplainArgs),
    /// Write a commented default entitycheck.toml at the workspace root.
    Init(InitArgs),
    /// Screen, then write a self-certification (an in-toto Statement) of the result.
    Certify(CertifyArgs),
    /// Check a certificate against the current tree: digests, list age, and a fresh screening.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct CertifyArgs {
    /// Who signs off, recorded in the certificate: "Name <email>".
    #[arg(long, value_name = "NAME <EMAIL>")]
    pub certifier: Option<String>,
    /// Write a certificate even when the product fails, recording the failure (exit status is
    /// still 1).
    #[arg(long)]
    pub record_failure: bool,
    /// Write the certificate to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<Utf8PathBuf>,
    /// Sign with this private key (PKCS#8 PEM, ed25519 or ECDSA P-256): writes a DSSE envelope.
    #[arg(long, value_name = "KEY.pem")]
    pub sign: Option<Utf8PathBuf>,
    /// Days the certificate stays valid after the day it is made.
    #[arg(long, value_name = "DAYS", default_value_t = crate::attest::DEFAULT_VALID_DAYS,
          value_parser = clap::value_parser!(u32).range(0..=36500))]
    pub valid_for: u32,
    /// Evaluate the policy at this date (YYYY-MM-DD) instead of today; the certificate says so,
    /// and `verify` also evaluates it at the verification date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Show full detail for every finding, notes included.
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Show only failing findings and the verdict.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub screen: ScreenArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The certificate written by `certify`: an in-toto Statement, a DSSE envelope, or a
    /// Sigstore bundle holding one.
    #[arg(value_name = "FILE")]
    pub certificate: Utf8PathBuf,
    /// Check the envelope's signature with this public key (SPKI PEM, ed25519 or ECDSA P-256).
    #[arg(long, value_name = "PUB.pem")]
    pub key: Option<Utf8PathBuf>,
    /// Fail when the certificate's lists were updated more than this many days ago.
    #[arg(long, value_name = "DAYS")]
    pub max_age: Option<i64>,
    #[command(flatten)]
    pub screen: ScreenArgs,
}

/// What `certify` and `verify` screen with: the options of `check` that decide what is
/// screened, without those about report formats (a certificate has one format).
#[derive(Debug, Args, Default)]
pub struct ScreenArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub lists: ListSelection,
    #[command(flatten)]
    pub deep: DeepArgs,
    /// Configuration file (default: entitycheck.toml at the workspace root, or
    /// [workspace.metadata.entitycheck] in its Cargo.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<Utf8PathBuf>,
    /// When to colour the human report (NO_COLOR is honoured under `auto`) [default: auto].
    #[arg(long, value_enum)]
    pub color: Option<ColorChoice>,
}

impl ScreenArgs {
    /// The check these options describe (human report, today unless `as_of`).
    pub fn into_check(self, as_of: Option<String>) -> CheckArgs {
        CheckArgs {
            graph: self.graph,
            lists: self.lists,
            deep: self.deep,
            config: self.config,
            color: self.color,
            as_of,
            ..CheckArgs::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The package: `name` or `name@version`.
    #[arg(value_name = "PACKAGE[@VERSION]")]
    pub spec: String,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Path to Cargo.toml of the workspace (default: the one around the current directory).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<Utf8PathBuf>,
    /// Overwrite an existing entitycheck.toml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args, Default)]
pub struct GraphArgs {
    /// Path to Cargo.toml of the workspace or package to screen.
    #[arg(long, value_name = "PATH", help_heading = "Dependency graph")]
    pub manifest_path: Option<Utf8PathBuf>,
    /// Read saved `cargo metadata --format-version 1 --all-features` JSON instead of running cargo.
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Dependency graph",
        conflicts_with = "manifest_path"
    )]
    pub metadata_path: Option<Utf8PathBuf>,
    /// Screen only these workspace members (default: the whole workspace).
    #[arg(
        short,
        long = "package",
        value_name = "SPEC",
        help_heading = "Dependency graph"
    )]
    pub package: Vec<String>,
    /// Screen every workspace member (the default).
    #[arg(long, help_heading = "Dependency graph", conflicts_with = "package")]
    pub workspace: bool,
    /// Features to enable on the selected members, comma or space separated; `pkg/feat` for others.
    #[arg(
        short = 'F',
        long,
        value_name = "FEATURES",
        help_heading = "Dependency graph"
    )]
    pub features: Vec<String>,
    /// Enable every feature of the selected members.
    #[arg(long, help_heading = "Dependency graph")]
    pub all_features: bool,
    /// Do not enable the selected members' default features.
    #[arg(long, help_heading = "Dependency graph")]
    pub no_default_features: bool,
    /// Screen for these target triples only (default: every platform, since a product may ship to any).
    #[arg(long, value_name = "TRIPLE", help_heading = "Dependency graph")]
    pub target: Vec<String>,
    /// Passed to `cargo metadata`: require Cargo.lock to be up to date.
    #[arg(long, help_heading = "Dependency graph")]
    pub locked: bool,
    /// Passed to `cargo metadata`: do not access the network.
    #[arg(long, help_heading = "Dependency graph")]
    pub offline: bool,
    /// Passed to `cargo metadata`: --locked and --offline.
    #[arg(long, help_heading = "Dependency graph")]
    pub frozen: bool,
    /// Let `cargo metadata` use the network to update the index or download missing packages
    /// (by default it runs offline: a check never touches the network unless told to).
    #[arg(long, help_heading = "Dependency graph", conflicts_with_all = ["offline", "frozen"])]
    pub allow_network: bool,
}

#[derive(Debug, Args, Default)]
pub struct ListSelection {
    /// Screen against this entity list instead of the built-in one (repeatable): this project's
    /// TOML, a Consolidated Screening List CSV/JSON, or OpenSanctions FtM JSON lines.
    #[arg(long, value_name = "FILE")]
    pub entities: Vec<Utf8PathBuf>,
    /// The format of the --entities files [default: from the file name and content].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub entities_format: Option<ListFormat>,
}

#[derive(Debug, Args, Default)]
pub struct DeepArgs {
    /// Do not inspect package files (notices, build scripts, binaries, archives): manifest only.
    #[arg(long, help_heading = "Deep scan")]
    pub no_deep: bool,
    /// Do not read or write the scan and graph caches.
    #[arg(long, help_heading = "Deep scan")]
    pub no_cache: bool,
    /// Skip (and list as not scanned) files larger than this (bytes, or e.g. "64 MiB").
    #[arg(long, value_name = "SIZE", help_heading = "Deep scan")]
    pub max_file_size: Option<String>,
    /// Fail the build when a package's files could not all be read.
    #[arg(long, help_heading = "Deep scan")]
    pub fail_on_unscanned: bool,
}

#[derive(Debug, Args, Default)]
pub struct CheckArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub lists: ListSelection,
    #[command(flatten)]
    pub deep: DeepArgs,
    /// Configuration file (default: entitycheck.toml at the workspace root, or
    /// [workspace.metadata.entitycheck] in its Cargo.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<Utf8PathBuf>,
    /// Output format [default: human].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report (in --format) to this file, atomically; the human report still goes to
    /// the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<Utf8PathBuf>,
    /// When to colour the human report (NO_COLOR is honoured under `auto`) [default: auto].
    #[arg(long, value_enum)]
    pub color: Option<ColorChoice>,
    /// Evaluate the policy at this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Show full detail for every finding, notes included.
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Show only failing findings and the verdict.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub lists: ListSelection,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ListOutput,
    /// When to colour the output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// The formats `list` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListOutput {
    Human,
    Json,
}

impl From<ListOutput> for Format {
    fn from(f: ListOutput) -> Format {
        match f {
            ListOutput::Human => Format::Human,
            ListOutput::Json => Format::Json,
        }
    }
}

/// How verbose the human report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

/// Deep-scan settings of a plan.
#[derive(Debug, Clone)]
pub struct DeepPlan {
    pub enabled: bool,
    pub cache: bool,
    pub options: DeepOptions,
}

/// What `check` will do, validated.
pub struct CheckPlan {
    pub graph: GraphOptions,
    pub lists: Vec<EntityList>,
    pub policy: Policy,
    pub deep: DeepPlan,
    pub config: Config,
    pub format: Format,
    pub output: Option<Utf8PathBuf>,
    pub color: ColorChoice,
    pub verbosity: Verbosity,
    /// The process exits right after the report: large structures (the package graph) are
    /// left for the operating system to reclaim instead of being freed one by one.
    pub exit_after: bool,
}

/// Loads the entity lists a command asked for: `--entities` files replace everything; else
/// the built-in list (unless the configuration turns it off) and the configuration's extra lists.
pub fn load_lists(sel: &ListSelection, config: &Config) -> Result<Vec<EntityList>, InputError> {
    if !sel.entities.is_empty() {
        return sel
            .entities
            .iter()
            .map(|p| import::load(p, sel.entities_format))
            .collect();
    }
    let mut lists = Vec::new();
    if config.builtin_list.unwrap_or(true) {
        lists.push(EntityList::builtin()?);
    }
    for l in &config.lists {
        let format = match l.format.as_deref() {
            None => None,
            Some(f) => Some(
                <ListFormat as clap::ValueEnum>::from_str(f, true).map_err(|_| {
                    InputError::Usage(format!(
                        "{}: list format `{f}` is not one of entitycheck, csl-csv, csl-json, opensanctions",
                        config.origin.as_deref().unwrap_or("configuration")
                    ))
                })?,
            ),
        };
        lists.push(import::load(&l.path, format)?);
    }
    if lists.is_empty() {
        return Err(InputError::Usage(format!(
            "no entity list to screen against ({} turns the built-in list off and names no other)",
            config.origin.as_deref().unwrap_or("the configuration")
        )));
    }
    Ok(lists)
}

fn parse_date(s: &str, flag: &str) -> Result<NaiveDate, InputError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| InputError::Usage(format!("{flag} `{s}` is not a date (YYYY-MM-DD)")))
}

impl CheckArgs {
    /// Validates the arguments (and the configuration they lead to) into a plan; reads the
    /// configuration and the entity lists, all before cargo runs.
    pub fn plan(self) -> Result<CheckPlan, InputError> {
        let g = self.graph;
        let config = config::discover(self.config.as_deref(), g.manifest_path.as_deref())?;
        let mut features: Vec<String> = g
            .features
            .iter()
            .flat_map(|f| f.split([',', ' ']))
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        if features.is_empty() {
            features = config.features.clone();
        }
        let as_of = match (&self.as_of, config.as_of) {
            (Some(s), _) => parse_date(s, "--as-of")?,
            (None, Some(d)) => d,
            (None, None) => chrono::Local::now().date_naive(),
        };
        let mut policy = Policy::new(as_of).with_waivers(config.waivers.clone());
        if let Some(f) = &config.fail_on {
            policy.fail_on = f.clone();
        }
        policy.dev_dependencies_fail = config.dev_dependencies_fail.unwrap_or(false);
        policy.fail_on_unscanned =
            self.deep.fail_on_unscanned || config.fail_on_unscanned.unwrap_or(false);

        let mut options = DeepOptions::default();
        let d = &config.deep;
        if let Some(v) = d.max_file_size {
            options.max_file_bytes = v;
        }
        if let Some(s) = &self.deep.max_file_size {
            options.max_file_bytes = config::parse_size(s).ok_or_else(|| {
                InputError::Usage(format!(
                    "--max-file-size `{s}` is not a size (bytes, or e.g. \"64 MiB\")"
                ))
            })?;
        }
        if let Some(v) = d.max_hits_per_file {
            options.max_hits_per_file = v.max(1);
        }
        if let Some(v) = d.archive_max_depth {
            options.archive.max_depth = v;
        }
        if let Some(v) = d.archive_max_total_size {
            options.archive.max_total_bytes = v;
        }
        if let Some(v) = d.archive_max_entries {
            options.archive.max_entries = v;
        }
        if let Some(v) = d.archive_max_entry_size {
            options.archive.max_entry_bytes = v;
        }
        let deep = DeepPlan {
            enabled: !self.deep.no_deep && d.enabled.unwrap_or(true),
            cache: !self.deep.no_cache && d.cache.unwrap_or(true),
            options,
        };
        let verbosity = if self.quiet || (!self.verbose && config.quiet == Some(true)) {
            Verbosity::Quiet
        } else if self.verbose || config.verbose == Some(true) {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        let lists = load_lists(&self.lists, &config)?;
        let targets = if g.target.is_empty() {
            config.targets.clone()
        } else {
            g.target
        };
        Ok(CheckPlan {
            graph: GraphOptions {
                manifest_path: g.manifest_path,
                metadata_path: g.metadata_path,
                packages: g.package,
                features: FeatureSelection {
                    features,
                    all_features: g.all_features || config.all_features == Some(true),
                    no_default_features: g.no_default_features
                        || config.no_default_features == Some(true),
                },
                targets,
                locked: g.locked || g.frozen,
                offline: g.offline || g.frozen,
                frozen: g.frozen,
                allow_network: g.allow_network,
            },
            lists,
            policy,
            deep,
            format: self.format.or(config.format).unwrap_or(Format::Human),
            output: self.output,
            color: self.color.or(config.color).unwrap_or_default(),
            verbosity,
            exit_after: false,
            config,
        })
    }
}

/// Parses the process arguments, accepting both `cargo entitycheck …` (cargo passes
/// `entitycheck` as the first argument) and `cargo-entitycheck …`.
pub fn parse_from(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, clap::Error> {
    let mut args: Vec<_> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "entitycheck") {
        args.remove(1);
    }
    Cli::try_parse_from(args)
}
