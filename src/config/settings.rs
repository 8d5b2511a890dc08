//! Settings, layered once: the command line's overrides (plain data, filled by the app) over the
//! configuration file over the defaults → a [`Request`] for the pipeline and [`OutputSettings`]
//! for whoever renders the outcome.
//!
//! Every "CLI > file > default" decision is made in [`resolve`] and nowhere else; each stage gets
//! its own settings type (`GraphOptions`, `DeepSettings`, `Policy`).

use camino::Utf8PathBuf;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Config, DeepConfig, discover};
use crate::beyond::BeyondOptions;
use crate::entity::EntityList;
use crate::entity::import::{self, ListFormat};
use crate::error::InputError;
use crate::evidence::budget::{Budget, PackageLimits};
use crate::evidence::deep::DeepOptions;
use crate::fsio::Limits;
use crate::graph::{FeatureSelection, GraphOptions};
use crate::policy::Policy;

crate::named::named_enum! {
    /// Output formats of `check`: the one table of their names and `--help` lines (see
    /// [`crate::named::Named`]); what each writes, how it is made safe and whether it is a
    /// complete report are `match`es in [`crate::report`], so a new format that is not wired
    /// there does not compile.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Format {
        Human = "human" => "For people: grouped by package, coloured on a terminal",
        Json = "json" => "One stable JSON document (schema_version 1)",
        Sarif = "sarif" => "SARIF 2.1.0, for GitHub code scanning and other SARIF consumers",
        Github = "github" => "GitHub Actions workflow commands (annotations)",
        Markdown = "markdown" => "A Markdown summary for $GITHUB_STEP_SUMMARY or a pull-request comment",
        Cyclonedx = "cyclonedx" => "A CycloneDX 1.6 JSON SBOM with the verdicts and a VEX-style analysis",
        Html = "html" => "One self-contained HTML page for auditors (no script, nothing loaded)",
    }
}

crate::named::named_enum! {
    /// When to colour the human report (`--color`, `[output] color`): the one table of their
    /// names.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
    pub enum ColorChoice {
        #[default]
        Auto = "auto" => "On a terminal that takes colour (NO_COLOR and CARGO_TERM_COLOR honoured)",
        Always = "always" => "Always",
        Never = "never" => "Never",
    }
}

crate::named::named_enum! {
    /// What `list` writes (and the list and sweep diffs): the one table of their names.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum ListOutput {
        Human = "human" => "For people",
        Json = "json" => "One JSON document",
    }
}

impl From<ListOutput> for Format {
    fn from(f: ListOutput) -> Format {
        match f {
            ListOutput::Human => Format::Human,
            ListOutput::Json => Format::Json,
        }
    }
}

/// How much the human report says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

/// Deep-scan settings of a request.
#[derive(Debug, Clone)]
pub struct DeepSettings {
    pub enabled: bool,
    /// Where the caches live (see [`crate::cache::dir`]); `None`: nothing is cached.
    pub cache_dir: Option<Utf8PathBuf>,
    pub options: DeepOptions,
}

/// Everything the pipeline needs, validated: graph options, entity lists, policy and deep-scan
/// settings, and the configuration they came from (digested into certificates).
pub struct Request {
    pub graph: GraphOptions,
    pub lists: Vec<EntityList>,
    pub policy: Policy,
    pub deep: DeepSettings,
    /// Registry owners and build outputs (`crate::beyond`).
    pub beyond: BeyondOptions,
    pub config: Config,
    /// `--sarif-base`: what report locations are relative to (default: the repository root).
    pub sarif_base: Option<Utf8PathBuf>,
    /// `--index FILE --index-key KEY`: a signed sweep index whose scans registry packages take.
    pub index: Option<crate::sweep::index::IndexSpec>,
    /// The size bound of each kind of file the run reads (from the overrides).
    pub limits: Limits,
}

/// How the outcome is to be shown; the library only carries it back to the app.
#[derive(Debug, Clone)]
pub struct OutputSettings {
    pub format: Format,
    pub color: ColorChoice,
    pub verbosity: Verbosity,
    /// Settings of the CI views (SARIF category, suppressed results, pointers to reports).
    pub ci: CiOptions,
}

/// Settings of the CI views.
#[derive(Debug, Clone, Default)]
pub struct CiOptions {
    /// `--category`: SARIF `automationDetails.id` (default `entitycheck[/<workspace path>]`),
    /// so two workspaces uploaded from one workflow do not replace each other's alerts.
    pub category: Option<String>,
    /// `--sarif-omit-suppressed`: leave waived, exempt and ignored findings out of SARIF
    /// (by default they are results at level `note`).
    pub omit_suppressed: bool,
    /// The reports written by this run (`--output`), named where a view is cut short.
    pub full_reports: Vec<String>,
}

/// A request and how to show its outcome.
pub struct Settings {
    pub request: Request,
    pub output: OutputSettings,
}

/// Which entity lists to screen against, as the command line names them.
#[derive(Debug, Clone, Default)]
pub struct ListOverrides {
    pub entities: Vec<Utf8PathBuf>,
    pub format: Option<ListFormat>,
    /// `--no-builtin-list`.
    pub no_builtin: bool,
}

/// What the command line says, clap-free. `layer` holds the settings the file can hold too
/// (`None`/empty: not given), so both layers are one type and merge field by field.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config FILE` (else discovered from the manifest path).
    pub config: Option<Utf8PathBuf>,
    pub graph: GraphOptions,
    pub lists: ListOverrides,
    pub layer: Config,
    /// `--as-of` as written (validated here).
    pub as_of: Option<String>,
    /// `--max-file-size` as written (validated here).
    pub max_file_size: Option<String>,
    pub beyond: BeyondOverrides,
    /// `--sarif-base DIR`.
    pub sarif_base: Option<Utf8PathBuf>,
    /// `--cache-dir DIR` or `CARGO_ENTITYCHECK_CACHE_DIR` (else the per-user default). Only
    /// ever from the command line or the environment: the project's files never choose it.
    pub cache_dir: Option<Utf8PathBuf>,
    /// `--category`, `--sarif-omit-suppressed` and the reports written.
    pub ci: CiOptions,
    /// The size bound of each kind of file read (`ENTITYCHECK_MAX_<KIND>_SIZE`: only ever from
    /// the environment, never from the project's files).
    pub limits: Limits,
}

/// The command line's flags for evidence beyond the packages' files.
#[derive(Debug, Clone, Default)]
pub struct BeyondOverrides {
    pub owners: bool,
    pub crates_io_dump: Option<Utf8PathBuf>,
    pub crates_io_api: Option<String>,
    pub build_outputs: bool,
    pub build_messages: Option<Utf8PathBuf>,
}

/// The flags over the configuration's `[registry]` and `deep.build-outputs`.
fn beyond(
    cli: BeyondOverrides,
    config: &Config,
    offline: bool,
) -> Result<BeyondOptions, InputError> {
    use crate::beyond::{build_outputs::BuildOutputsOptions, owners::OwnersOptions};
    let r = &config.registry;
    let api_given = cli.crates_io_api.is_some();
    let dump = cli.crates_io_dump.or_else(|| r.crates_io_dump.clone());
    let api = cli
        .crates_io_api
        .or_else(|| r.crates_io_api.clone())
        .unwrap_or_else(|| crate::beyond::owners::CRATES_IO_API.to_string());
    if !(api.starts_with("https://") || api.starts_with("http://")) {
        return Err(InputError::Usage(format!(
            "--crates-io-api `{api}` is not an http(s) URL"
        )));
    }
    let asked = cli.owners || api_given;
    let owners = (asked || dump.is_some() || r.owners == Some(true)).then_some(OwnersOptions {
        dump,
        api,
        network: !offline,
    });
    let build_outputs = (cli.build_outputs
        || cli.build_messages.is_some()
        || config.deep.build_outputs == Some(true))
    .then_some(BuildOutputsOptions {
        messages: cli.build_messages,
    });
    Ok(BeyondOptions {
        owners,
        build_outputs,
    })
}

impl Config {
    /// This layer over `lower`: every setting given here wins, the rest come from `lower`.
    /// Waivers and extra lists exist only in files and are kept from `lower`.
    fn over(self, lower: Config) -> Config {
        let vec_or = |a: Vec<String>, b: Vec<String>| if a.is_empty() { b } else { a };
        Config {
            origin: lower.origin,
            fail_on: self.fail_on.or(lower.fail_on),
            dev_dependencies_fail: self.dev_dependencies_fail.or(lower.dev_dependencies_fail),
            fail_on_unscanned: self.fail_on_unscanned.or(lower.fail_on_unscanned),
            as_of: self.as_of.or(lower.as_of),
            features: vec_or(self.features, lower.features),
            all_features: self.all_features.or(lower.all_features),
            no_default_features: self.no_default_features.or(lower.no_default_features),
            targets: vec_or(self.targets, lower.targets),
            deep: DeepConfig {
                enabled: self.deep.enabled.or(lower.deep.enabled),
                cache: self.deep.cache.or(lower.deep.cache),
                max_file_size: self.deep.max_file_size.or(lower.deep.max_file_size),
                max_hits_per_file: self.deep.max_hits_per_file.or(lower.deep.max_hits_per_file),
                archive_max_depth: self.deep.archive_max_depth.or(lower.deep.archive_max_depth),
                archive_max_total_size: self
                    .deep
                    .archive_max_total_size
                    .or(lower.deep.archive_max_total_size),
                archive_max_entries: self
                    .deep
                    .archive_max_entries
                    .or(lower.deep.archive_max_entries),
                archive_max_entry_size: self
                    .deep
                    .archive_max_entry_size
                    .or(lower.deep.archive_max_entry_size),
                package_max_unpacked_size: self
                    .deep
                    .package_max_unpacked_size
                    .or(lower.deep.package_max_unpacked_size),
                package_max_decode_seconds: self
                    .deep
                    .package_max_decode_seconds
                    .or(lower.deep.package_max_decode_seconds),
                package_max_archive_members: self
                    .deep
                    .package_max_archive_members
                    .or(lower.deep.package_max_archive_members),
                package_max_binaries: self
                    .deep
                    .package_max_binaries
                    .or(lower.deep.package_max_binaries),
                build_outputs: self.deep.build_outputs.or(lower.deep.build_outputs),
                unpack_test_data: self.deep.unpack_test_data.or(lower.deep.unpack_test_data),
            },
            registry: lower.registry,
            builtin_list: self.builtin_list.or(lower.builtin_list),
            list_warn_age: self.list_warn_age.or(lower.list_warn_age),
            max_list_age: self.max_list_age.or(lower.max_list_age),
            lists: lower.lists,
            format: self.format.or(lower.format),
            color: self.color.or(lower.color),
            verbose: self.verbose.or(lower.verbose),
            quiet: self.quiet.or(lower.quiet),
            waivers: lower.waivers,
            ignores: lower.ignores,
        }
    }
}

/// Reads the configuration (once) and the entity lists, and layers the command line over them:
/// everything is validated before cargo runs, so a typo costs nothing.
pub fn resolve(cli: Overrides) -> Result<Settings, InputError> {
    if let Some(m) = &cli.graph.manifest_path {
        let problem = match std::fs::metadata(m) {
            Ok(md) if md.is_dir() => Some(format!(
                "is a directory: give the path of its Cargo.toml (`--manifest-path {}`)",
                m.join("Cargo.toml")
            )),
            Ok(_) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("no such file".into()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(problem) = problem {
            return Err(InputError::Usage(format!(
                "--manifest-path `{m}`: {problem}"
            )));
        }
    }
    let limits = cli.limits;
    let file = discover(
        cli.config.as_deref(),
        cli.graph.manifest_path.as_deref(),
        &limits,
    )?;
    let mut lists = load_lists(&cli.lists, &file, &limits)?;
    let mut layer = cli.layer;
    if let Some(s) = &cli.as_of {
        layer.as_of = Some(parse_date(s, "--as-of")?);
    }
    if let Some(s) = &cli.max_file_size {
        layer.deep.max_file_size = Some(super::parse_size(s).ok_or_else(|| {
            InputError::Usage(format!(
                "--max-file-size `{s}` is not a size (bytes, or e.g. \"64 MiB\")"
            ))
        })?);
    }
    // Quiet from the command line beats verbose from the file, and the other way round.
    if layer.quiet == Some(true) || layer.verbose == Some(true) {
        layer.quiet = layer.quiet.or(Some(false));
        layer.verbose = layer.verbose.or(Some(false));
    }
    let c = layer.over(file);
    let beyond = beyond(cli.beyond, &c, cli.graph.offline || cli.graph.frozen)?;

    let mut policy = Policy::new(c.as_of.unwrap_or_else(crate::policy::today_us_eastern))
        .with_waivers(c.waivers.clone());
    if let Some(f) = &c.fail_on {
        policy.fail_on = f.clone();
    }
    policy.dev_dependencies_fail = c.dev_dependencies_fail.unwrap_or(false);
    policy.fail_on_unscanned = c.fail_on_unscanned.unwrap_or(false);
    date_lists(&mut policy, &c, &mut lists);

    let mut options = DeepOptions::default();
    let d = &c.deep;
    if let Some(v) = d.max_file_size {
        options.max_file_bytes = v;
    }
    if let Some(v) = d.max_hits_per_file {
        options.max_hits_per_file = v.max(1);
    }
    if let Some(v) = d.archive_max_depth {
        options.archive.max_depth = v;
    }
    options.unpack_test_data = d.unpack_test_data.unwrap_or(false);
    if let Some(v) = d.archive_max_total_size {
        options.archive.max_total_bytes = v;
    }
    if let Some(v) = d.archive_max_entries {
        options.archive.max_entries = v;
    }
    if let Some(v) = d.archive_max_entry_size {
        options.archive.max_entry_bytes = v;
    }
    // The budgets come from the environment (the CI's); the configuration, the project's, may
    // only lower them.
    options.package = PackageLimits::from_env().map_err(InputError::Usage)?;
    for (budget, v) in [
        (Budget::Unpacked, d.package_max_unpacked_size),
        (Budget::DecodeTime, d.package_max_decode_seconds),
        (Budget::ArchiveMembers, d.package_max_archive_members),
        (Budget::Binaries, d.package_max_binaries),
    ] {
        if let Some(v) = v {
            let origin = c.origin.as_deref().unwrap_or("the configuration");
            options
                .package
                .lower(budget, v, origin)
                .map_err(InputError::Usage)?;
        }
    }
    let deep = DeepSettings {
        enabled: d.enabled.unwrap_or(true),
        // The configuration may turn caching off, never point it somewhere.
        cache_dir: d
            .cache
            .unwrap_or(true)
            .then(|| {
                cli.cache_dir
                    .as_deref()
                    .map(crate::cache::dir::absolute)
                    .or_else(crate::cache::dir::default_dir)
            })
            .flatten(),
        options,
    };
    let verbosity = if c.quiet == Some(true) {
        Verbosity::Quiet
    } else if c.verbose == Some(true) {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let g = cli.graph;
    let graph = GraphOptions {
        features: FeatureSelection {
            features: c.features.clone(),
            all_features: c.all_features == Some(true),
            no_default_features: c.no_default_features == Some(true),
        },
        targets: c.targets.clone(),
        locked: g.locked || g.frozen,
        offline: g.offline || g.frozen,
        ..g
    };
    let output = OutputSettings {
        format: c.format.unwrap_or(Format::Human),
        color: c.color.unwrap_or_default(),
        verbosity,
        ci: cli.ci,
    };
    Ok(Settings {
        request: Request {
            graph,
            lists,
            policy,
            deep,
            beyond,
            config: c,
            sarif_base: cli.sarif_base,
            index: None,
            limits,
        },
        output,
    })
}

/// Loads the entity lists a command asked for. Lists add up: the built-in list (unless
/// `--no-builtin-list` or `lists.builtin = false`), the configuration's extra lists, then the
/// `--entities` files; entries that are one entity are merged when matching.
pub fn load_lists(
    sel: &ListOverrides,
    config: &Config,
    limits: &Limits,
) -> Result<Vec<EntityList>, InputError> {
    let mut lists = Vec::new();
    if !sel.no_builtin && config.builtin_list.unwrap_or(true) {
        lists.push(EntityList::builtin()?);
    }
    for l in &config.lists {
        lists.push(import::load(&l.path, l.format, limits)?);
    }
    for p in &sel.entities {
        lists.push(import::load(
            &crate::fsio::resolve_named(p),
            sel.format,
            limits,
        )?);
    }
    if lists.is_empty() {
        return Err(InputError::Usage(format!(
            "no entity list to screen against (the built-in list is off and {} names no other)",
            config
                .origin
                .as_deref()
                .unwrap_or("no --entities or configuration")
        )));
    }
    Ok(lists)
}

/// Each list's age on the policy's date, with the configuration's thresholds.
pub fn date_lists(policy: &mut Policy, config: &Config, lists: &mut [EntityList]) {
    policy.list_warn_age = config.list_warn_age.unwrap_or(policy.list_warn_age);
    policy.max_list_age = config.max_list_age;
    policy.date_lists(lists);
}

/// Parses a `YYYY-MM-DD` date given to `flag`.
pub fn parse_date(s: &str, flag: &str) -> Result<NaiveDate, InputError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| InputError::Usage(format!("{flag} `{s}` is not a date (YYYY-MM-DD)")))
}
