//! The app, arguments: clap's low-level arguments → the library's clap-free [`Overrides`]
//! (ripgrep's low/high args). Validation and layering over the configuration file happen once,
//! in `config::resolve`, before cargo runs.

use camino::Utf8PathBuf;
use clap::{Args, Parser, Subcommand};

use cargo_entitycheck::config::{self, ColorChoice, ListOutput, ListOverrides, Overrides};
use cargo_entitycheck::entity::import::ListFormat;
use cargo_entitycheck::fsio::Limits;
use cargo_entitycheck::graph::GraphOptions;
use cargo_entitycheck::named::Named;

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
    /// Screen shipped artefacts (files and directories: installers, dist/ folders, container
    /// layer tarballs, built binaries) with the deep scan; exit status as for the check.
    Scan(ScanArgs),
    /// Screen a registry's `.crate` files (a directory, a mirror, cargo's cache, a list) into
    /// an index of one JSON line per crate version, in a deterministic shard; resumable.
    /// `sweep merge`, `sweep sign` and `sweep diff` make, sign and query the index.
    Sweep(SweepArgs),
    /// Screen bills of materials (CycloneDX, SPDX); exit status as for the check.
    ///
    /// Reads CycloneDX 1.2–1.6 JSON or XML, SPDX 2.2–2.3 JSON or tag-value and SPDX 3 JSON-LD:
    /// every component's supplier, manufacturer, authors, publisher, package URL and references.
    Sbom(SbomArgs),
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The SBOM files to screen.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<Utf8PathBuf>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The files and directories to screen.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<Utf8PathBuf>,
    #[command(flatten)]
    pub check: CheckArgs,
}

/// Evidence beyond the packages' own files (see `cargo_entitycheck::beyond`).
#[derive(Debug, Args, Default)]
pub struct BeyondArgs {
    /// Read each crates.io package's owners (users, teams) and publishers as attribution
    /// evidence: from --crates-io-dump, else the registry API (the one network use this flag
    /// permits; at most one request a second, cached under the target directory).
    #[arg(long, help_heading = "Beyond package files")]
    pub owners: bool,
    /// A crates.io database dump (db-dump.tar.gz) to read owners from, offline (implies --owners).
    #[arg(long, value_name = "FILE", help_heading = "Beyond package files")]
    pub crates_io_dump: Option<Utf8PathBuf>,
    /// Another registry API of crates.io's shape for the owners (a mirror; implies --owners)
    /// [default: https://crates.io].
    #[arg(long, value_name = "URL", help_heading = "Beyond package files")]
    pub crates_io_api: Option<String>,
    /// After `cargo build`: screen what each package's build script produced (OUT_DIR) and
    /// printed (link directives, environment), from the target directory.
    #[arg(long, help_heading = "Beyond package files")]
    pub build_outputs: bool,
    /// `cargo build --message-format=json` output, mapping build directories to packages
    /// exactly (implies --build-outputs).
    #[arg(long, value_name = "FILE", help_heading = "Beyond package files")]
    pub build_messages: Option<Utf8PathBuf>,
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
    /// Also screen this shipped artefact (file or directory) and certify it by its SHA-256
    /// (repeatable).
    #[arg(long = "artefact", value_name = "PATH")]
    pub artefacts: Vec<Utf8PathBuf>,
    /// Also screen this bill of materials (CycloneDX or SPDX) with the SBOM reader and certify
    /// it by its SHA-256 (repeatable).
    #[arg(long = "sbom", value_name = "FILE")]
    pub sboms: Vec<Utf8PathBuf>,
    /// Write the certificate to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<Utf8PathBuf>,
    /// Sign with this private key (PKCS#8 PEM, ed25519 or ECDSA P-256): writes a DSSE envelope.
    #[arg(long, value_name = "KEY.pem")]
    pub sign: Option<Utf8PathBuf>,
    /// Days the certificate stays valid after the day it is made.
    #[arg(long, value_name = "DAYS", default_value_t = cargo_entitycheck::attest::DEFAULT_VALID_DAYS,
          value_parser = clap::value_parser!(u32).range(0..=36500))]
    pub valid_for: u32,
    /// Evaluate the policy at this date (YYYY-MM-DD, a day in US Eastern time, the zone of the
    /// effective dates) instead of today there; the certificate says so, and `verify` also
    /// evaluates it at the verification date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Certify a screening narrower than a full one (--no-deep, --target, -p, --exclude,
    /// --no-default-features, lowered limits, no built-in list), stating why: recorded in the
    /// certificate and printed by `verify`. Without it such a certificate is refused.
    #[arg(long, value_name = "WHY")]
    pub narrowed_scope: Option<String>,
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
    /// A shipped artefact the certificate covers (as given to `certify --artefact`; repeatable):
    /// screened again and compared by its SHA-256.
    #[arg(long = "artefact", value_name = "PATH")]
    pub artefacts: Vec<Utf8PathBuf>,
    /// A bill of materials the certificate covers (as given to `certify --sbom`; repeatable):
    /// screened again and compared by its SHA-256.
    #[arg(long = "sbom", value_name = "FILE")]
    pub sboms: Vec<Utf8PathBuf>,
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
    #[command(flatten)]
    pub beyond: BeyondArgs,
    /// Configuration file (default: entitycheck.toml at the workspace root, or
    /// [workspace.metadata.entitycheck] in its Cargo.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<Utf8PathBuf>,
    /// When to colour the human report (NO_COLOR is honoured under `auto`) [default: auto].
    #[arg(long, value_parser = names::<ColorChoice>())]
    pub color: Option<ColorChoice>,
}

impl ScreenArgs {
    /// The check these options describe (human report, today unless `as_of`).
    pub fn into_check(self, as_of: Option<String>) -> CheckArgs {
        CheckArgs {
            screen: self,
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
    /// Screen only these workspace members: `name`, `name@version` or a partial version
    /// `name@1.2` (default: the whole workspace).
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
    /// With --workspace: leave out these members (`name`, `name@version`; repeatable).
    #[arg(
        long,
        value_name = "SPEC",
        help_heading = "Dependency graph",
        requires = "workspace"
    )]
    pub exclude: Vec<String>,
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
    /// Screen against this entity list too (repeatable; added to the built-in list and the
    /// configuration's): this project's TOML, a Consolidated Screening List CSV/JSON, or
    /// OpenSanctions FtM JSON lines.
    #[arg(long, value_name = "FILE")]
    pub entities: Vec<Utf8PathBuf>,
    /// The format of the --entities files [default: from the file name and content].
    #[arg(long, value_name = "FORMAT", ignore_case = true, value_parser = named::<ListFormat>())]
    pub entities_format: Option<ListFormat>,
    /// Leave the built-in list out: screen only against --entities and `[lists] extra`.
    #[arg(long)]
    pub no_builtin_list: bool,
}

#[derive(Debug, Args, Default)]
pub struct DeepArgs {
    /// Do not inspect package files (notices, build scripts, binaries, archives): manifest only.
    #[arg(long, help_heading = "Deep scan")]
    pub no_deep: bool,
    /// Do not read or write the caches (scan, graph, registry owners).
    #[arg(long, help_heading = "Deep scan")]
    pub no_cache: bool,
    /// The per-user cache directory [default: $XDG_CACHE_HOME/cargo-entitycheck, or the
    /// platform's cache directory]. Never inside the workspace.
    #[arg(
        long,
        value_name = "DIR",
        env = "CARGO_ENTITYCHECK_CACHE_DIR",
        hide_env_values = true,
        help_heading = "Deep scan"
    )]
    pub cache_dir: Option<Utf8PathBuf>,
    /// Skip (and list as not scanned) files larger than this (bytes, or e.g. "64 MiB").
    #[arg(long, value_name = "SIZE", help_heading = "Deep scan")]
    pub max_file_size: Option<String>,
    /// Fail the build when a package's files could not all be read.
    #[arg(long, help_heading = "Deep scan")]
    pub fail_on_unscanned: bool,
    /// Unpack every archive in a package's test-data directories, not only those something
    /// outside the test data names (the others' stored bytes and member names are read either
    /// way).
    #[arg(long, help_heading = "Deep scan")]
    pub unpack_test_data: bool,
}

#[derive(Debug, Args, Default)]
pub struct CheckArgs {
    /// What is screened (shared with `certify` and `verify`).
    #[command(flatten)]
    pub screen: ScreenArgs,
    /// Output format [default: human].
    #[arg(long, value_parser = named::<config::Format>())]
    pub format: Option<config::Format>,
    /// Write a report to a file, atomically (devices, FIFOs and links are written through):
    /// `FORMAT=PATH` writes that format (repeatable: every report from one screening, while
    /// stdout gets --format); a plain `PATH` gets the --format report and stdout the human one.
    /// `-` is standard output. `+PATH` appends instead, as does the file $GITHUB_STEP_SUMMARY
    /// names (each step of a job appends its summary there).
    #[arg(long, short = 'o', value_name = "[FORMAT=][+]PATH")]
    pub output: Vec<String>,
    /// SARIF `automationDetails.id` category [default: entitycheck/<workspace path in the
    /// repository>], so several workspaces uploaded from one workflow keep their own alerts.
    #[arg(long, value_name = "NAME", help_heading = "CI reports")]
    pub category: Option<String>,
    /// The directory report locations (SARIF, annotations) are relative to [default: the
    /// repository root: the nearest directory above the workspace holding `.git`].
    #[arg(long, value_name = "DIR", help_heading = "CI reports")]
    pub sarif_base: Option<Utf8PathBuf>,
    /// Leave waived, exempt and ignored findings out of SARIF (by default they are `note`s).
    #[arg(long, help_heading = "CI reports")]
    pub sarif_omit_suppressed: bool,
    /// Evaluate the policy at this date (YYYY-MM-DD, a day in US Eastern time, the zone of the
    /// effective dates) instead of today there.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Show full detail for every finding, notes included; `-vv` also each stage's timing.
    #[arg(short, long, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Show only failing findings and the verdict.
    #[arg(short, long)]
    pub quiet: bool,
    /// A signed sweep index to take registry packages' scans from.
    #[command(flatten)]
    pub index: IndexArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub lists: ListSelection,
    /// Show what changed between two lists (entities and identifiers added, removed, changed)
    /// instead of listing: `list --diff OLD NEW`.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
    pub diff: Vec<Utf8PathBuf>,
    /// With --diff: name the crate versions of this sweep index whose verdict changes between
    /// OLD and NEW (as `sweep diff`).
    #[arg(long, value_name = "INDEX", requires = "diff")]
    pub index: Option<Utf8PathBuf>,
    /// Output format.
    #[arg(long, value_parser = names::<ListOutput>(), default_value = "human")]
    pub format: ListOutput,
    /// When to colour the output.
    #[arg(long, value_parser = names::<ColorChoice>(), default_value = "auto")]
    pub color: ColorChoice,
}

/// The values of an argument that names one of the library's [`Named`] values (a list or
/// report format): its names are the possible values, with their `--help` lines, so the
/// command line accepts exactly the library's table (the library uses no clap).
fn named<T: Named>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        T::ALL
            .iter()
            .map(|v| PossibleValue::new(v.name()).help(v.description())),
    )
    .map(|name| T::from_name(&name).expect("a possible value names a value"))
}

/// The same for a choice whose values need no `--help` line of their own (`--color`, the
/// `list` formats): only `[possible values: …]`.
fn names<T: Named>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(T::NAMES.iter().copied())
        .map(|name| T::from_name(&name).expect("a possible value names a value"))
}

impl ListSelection {
    pub fn overrides(&self) -> ListOverrides {
        ListOverrides {
            entities: self.entities.clone(),
            format: self.entities_format,
            no_builtin: self.no_builtin_list,
        }
    }
}

impl CheckArgs {
    /// The command line as the library's overrides (nothing validated yet: `config::resolve`
    /// does that, with the configuration file, in one place).
    pub fn overrides(self, limits: Limits) -> Overrides {
        let sc = self.screen;
        let g = sc.graph;
        let features: Vec<String> = g
            .features
            .iter()
            .flat_map(|f| f.split([',', ' ']))
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        let on = |b: bool| b.then_some(true);
        let layer = config::Config {
            features,
            all_features: on(g.all_features),
            no_default_features: on(g.no_default_features),
            targets: g.target,
            fail_on_unscanned: on(sc.deep.fail_on_unscanned),
            deep: config::DeepConfig {
                enabled: sc.deep.no_deep.then_some(false),
                cache: sc.deep.no_cache.then_some(false),
                unpack_test_data: on(sc.deep.unpack_test_data),
                ..Default::default()
            },
            format: self.format,
            color: sc.color,
            verbose: on(self.verbose > 0),
            quiet: on(self.quiet),
            ..Default::default()
        };
        Overrides {
            config: sc.config,
            lists: sc.lists.overrides(),
            graph: GraphOptions {
                manifest_path: g.manifest_path,
                metadata_path: g.metadata_path,
                packages: g.package,
                exclude: g.exclude,
                // In CI the lockfile must not change under the check: --locked by default.
                locked: g.locked || in_ci(),
                locked_by_ci: !g.locked && !g.frozen && in_ci(),
                offline: g.offline,
                frozen: g.frozen,
                allow_network: g.allow_network,
                ..Default::default()
            },
            layer,
            as_of: self.as_of,
            max_file_size: sc.deep.max_file_size,
            sarif_base: self.sarif_base,
            cache_dir: sc.deep.cache_dir,
            ci: config::CiOptions {
                category: self.category,
                omit_suppressed: self.sarif_omit_suppressed,
                full_reports: Vec::new(),
            },
            beyond: config::BeyondOverrides {
                owners: sc.beyond.owners,
                crates_io_dump: sc.beyond.crates_io_dump,
                crates_io_api: sc.beyond.crates_io_api,
                build_outputs: sc.beyond.build_outputs,
                build_messages: sc.beyond.build_messages,
            },
            limits,
        }
    }
}

/// Whether we run in CI (`CI` set to anything but empty, `0` or `false`, as CI services do).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Where a report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Stdout,
    File(Utf8PathBuf),
}

/// One `--output`: a format (`None`: the --format one) and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Option<config::Format>,
    pub target: Target,
    /// Append instead of replacing: a path written `+PATH`, or the file `$GITHUB_STEP_SUMMARY`
    /// names (GitHub's convention is that each step appends to it).
    pub append: bool,
}

impl OutputSpec {
    /// `FORMAT=PATH` when the part before `=` names a format, else a plain path; a path
    /// written `+PATH` is appended to.
    pub fn parse(s: &str) -> OutputSpec {
        let summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty());
        let spec = |format: Option<config::Format>, p: &str| {
            let (p, plus) = match p.strip_prefix('+') {
                Some(rest) if !rest.is_empty() => (rest, true),
                _ => (p, false),
            };
            if p == "-" {
                return OutputSpec {
                    format,
                    target: Target::Stdout,
                    append: false,
                };
            }
            let is_summary = summary
                .as_deref()
                .is_some_and(|s| std::path::Path::new(s) == std::path::Path::new(p));
            OutputSpec {
                format,
                target: Target::File(Utf8PathBuf::from(p)),
                append: plus || is_summary,
            }
        };
        if let Some((f, path)) = s.split_once('=')
            && let Some(format) = config::Format::from_name(f)
        {
            return spec(Some(format), path);
        }
        spec(None, s)
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

// `sweep`, `sweep merge`, `sweep sign`, `sweep diff` and `check --index` (run by `super::sweep`).

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
    #[arg(long, value_parser = names::<ListOutput>(), default_value = "human")]
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// The possible values clap offers for `--LONG` of the default command, in order.
    fn offered(long: &str) -> Vec<String> {
        let cli = Cli::command();
        let arg = cli
            .get_arguments()
            .find(|a| a.get_long() == Some(long))
            .unwrap_or_else(|| panic!("no --{long}"));
        arg.get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect()
    }

    /// `FLAG VALUE` parsed as the default command.
    fn parse(flag: &str, value: &str) -> Result<Cli, clap::Error> {
        parse_from(["cargo-entitycheck", flag, value].map(Into::into))
    }

    /// Adding a list format to the library's table cannot miss the command line: the flag
    /// offers exactly the table's names, and each one parses to its format.
    #[test]
    fn entities_format_accepts_exactly_the_library_table() {
        assert_eq!(offered("entities-format"), ListFormat::NAMES);
        for &f in ListFormat::ALL {
            let cli = parse("--entities-format", f.name()).unwrap();
            assert_eq!(cli.check.screen.lists.entities_format, Some(f));
            let upper = parse("--entities-format", &f.name().to_ascii_uppercase()).unwrap();
            assert_eq!(upper.check.screen.lists.entities_format, Some(f));
        }
        assert!(parse("--entities-format", "yaml").is_err());
    }

    /// The same for report formats: `--format` and `--output FORMAT=PATH` read the table.
    #[test]
    fn format_accepts_exactly_the_library_table() {
        assert_eq!(offered("format"), config::Format::NAMES);
        for &f in config::Format::ALL {
            assert_eq!(parse("--format", f.name()).unwrap().check.format, Some(f));
            let spec = OutputSpec::parse(&format!("{}=report.out", f.name()));
            assert_eq!(spec.format, Some(f));
        }
        assert!(parse("--format", "yaml").is_err());
        assert_eq!(OutputSpec::parse("yaml=report.out").format, None);
    }

    /// `--color` reads the library's table of colour choices.
    #[test]
    fn color_accepts_exactly_the_library_table() {
        assert_eq!(offered("color"), ColorChoice::NAMES);
        for &c in ColorChoice::ALL {
            assert_eq!(
                parse("--color", c.name()).unwrap().check.screen.color,
                Some(c)
            );
        }
        assert!(parse("--color", "blue").is_err());
    }
}
