//! Command line: clap arguments → a validated plan. Every file the plan needs (entity lists) is
//! read and checked here, before cargo runs, so a typo costs nothing.

use camino::Utf8PathBuf;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::entity::EntityList;
use crate::error::InputError;
use crate::graph::{FeatureSelection, GraphOptions};
use crate::policy::Policy;
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
}

#[derive(Debug, Args, Default)]
pub struct ListSelection {
    /// Use this entity list (TOML, the format of data/entities.toml) instead of the built-in one; repeatable.
    #[arg(long, value_name = "FILE")]
    pub entities: Vec<Utf8PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct CheckArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub lists: ListSelection,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Option<Format>,
    /// When to colour the human report (NO_COLOR is honoured under `auto`).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Option<ColorChoice>,
    /// Evaluate the policy at this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Show full detail for every finding, notes included.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub lists: ListSelection,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// When to colour the output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// What `check` will do, validated.
pub struct CheckPlan {
    pub graph: GraphOptions,
    pub lists: Vec<EntityList>,
    pub policy: Policy,
    pub format: Format,
    pub color: ColorChoice,
    pub verbose: bool,
}

/// Loads the entity lists a command asked for (the built-in one by default).
pub fn load_lists(sel: &ListSelection) -> Result<Vec<EntityList>, InputError> {
    if sel.entities.is_empty() {
        return Ok(vec![EntityList::builtin()?]);
    }
    sel.entities.iter().map(|p| EntityList::load(p)).collect()
}

fn parse_date(s: &str, flag: &str) -> Result<NaiveDate, InputError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| InputError::Usage(format!("{flag} `{s}` is not a date (YYYY-MM-DD)")))
}

impl CheckArgs {
    /// Validates the arguments into a plan; reads the entity lists.
    pub fn plan(self) -> Result<CheckPlan, InputError> {
        let g = self.graph;
        let features = g
            .features
            .iter()
            .flat_map(|f| f.split([',', ' ']))
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        if g.all_features && g.no_default_features {
            // cargo allows both; --all-features wins, as it does in cargo.
        }
        let as_of = match &self.as_of {
            Some(s) => parse_date(s, "--as-of")?,
            None => chrono::Local::now().date_naive(),
        };
        Ok(CheckPlan {
            graph: GraphOptions {
                manifest_path: g.manifest_path,
                metadata_path: g.metadata_path,
                packages: g.package,
                features: FeatureSelection {
                    features,
                    all_features: g.all_features,
                    no_default_features: g.no_default_features,
                },
                targets: g.target,
                locked: g.locked || g.frozen,
                offline: g.offline || g.frozen,
                frozen: g.frozen,
            },
            lists: load_lists(&self.lists)?,
            policy: Policy::new(as_of),
            format: self.format.unwrap_or(Format::Human),
            color: self.color.unwrap_or_default(),
            verbose: self.verbose,
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
