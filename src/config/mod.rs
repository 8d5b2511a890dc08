//! Settings: `entitycheck.toml` (or `[workspace.metadata.entitycheck]`,
//! `[package.metadata.entitycheck]` in the root Cargo.toml, or `--config FILE`) → a validated
//! [`Config`].
//!
//! Parsed before cargo runs. Unknown keys and wrong types are errors naming the file, line and
//! key; every semantic problem (a bad date, version requirement or confidence) is collected
//! before failing, so one run shows them all.

use std::collections::BTreeSet;
use std::fmt;

use camino::{Utf8Path, Utf8PathBuf};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::diag::{self, Diagnostics, finish, line_of};
use crate::error::InputError;
use crate::matching::Confidence;
pub use crate::policy::Waiver;
pub use crate::policy::ignore::Ignore;

mod settings;
pub use settings::*;

/// The name of the configuration file looked for at the workspace root.
pub const FILE_NAME: &str = "entitycheck.toml";

/// An extra entity list named in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRef {
    pub path: Utf8PathBuf,
    /// `None`: detected from the file name and content.
    pub format: Option<crate::entity::import::ListFormat>,
}

/// Deep-scan settings; `None` keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeepConfig {
    pub enabled: Option<bool>,
    pub cache: Option<bool>,
    pub max_file_size: Option<u64>,
    pub max_hits_per_file: Option<usize>,
    pub archive_max_depth: Option<u32>,
    pub archive_max_total_size: Option<u64>,
    pub archive_max_entries: Option<u64>,
    pub archive_max_entry_size: Option<u64>,
    /// The per-package budgets (`package-max-*`): the configuration may lower them only.
    pub package_max_unpacked_size: Option<u64>,
    pub package_max_decode_seconds: Option<u64>,
    pub package_max_archive_members: Option<u64>,
    pub package_max_binaries: Option<u64>,
    /// `build-outputs`: screen build-script outputs in the target directory.
    pub build_outputs: Option<bool>,
}

/// `[registry]`: registry owners (see `evidence::owners`); `None` keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegistryConfig {
    pub owners: Option<bool>,
    /// Relative to the configuration file.
    pub crates_io_dump: Option<Utf8PathBuf>,
    pub crates_io_api: Option<String>,
}

/// The validated configuration. Every field is optional: the command line wins over it, and
/// it wins over the defaults.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Config {
    /// Where it was read from (`None`: no configuration).
    pub origin: Option<String>,
    pub fail_on: Option<BTreeSet<Confidence>>,
    pub dev_dependencies_fail: Option<bool>,
    pub fail_on_unscanned: Option<bool>,
    pub as_of: Option<NaiveDate>,
    pub features: Vec<String>,
    pub all_features: Option<bool>,
    pub no_default_features: Option<bool>,
    pub targets: Vec<String>,
    pub deep: DeepConfig,
    pub registry: RegistryConfig,
    pub builtin_list: Option<bool>,
    pub lists: Vec<ListRef>,
    /// `[lists] warn-age`: days after which a list's age warns (default 90).
    pub list_warn_age: Option<u32>,
    /// `policy.max-list-age`: days after which a list's age fails the build.
    pub max_list_age: Option<u32>,
    pub format: Option<Format>,
    pub color: Option<ColorChoice>,
    pub verbose: Option<bool>,
    pub quiet: Option<bool>,
    pub waivers: Vec<Waiver>,
    /// `[[ignore]]`: files of a package that do not ship (test data).
    pub ignores: Vec<Ignore>,
}

impl Config {
    /// `sha256:` of the effective configuration, recorded in certificates.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(&self.content()).unwrap_or_default();
        format!("sha256:{}", hex::encode(Sha256::digest(json)))
    }

    /// The configuration as content: where the file was read from (a checkout's absolute
    /// path) is not part of what it says, so the same policy has the same digest in any clone.
    pub fn content(&self) -> Config {
        Config {
            origin: None,
            ..self.clone()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// As written.
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    graph: RawGraph,
    #[serde(default)]
    deep: RawDeep,
    #[serde(default)]
    lists: RawLists,
    #[serde(default)]
    registry: RawRegistry,
    #[serde(default)]
    output: RawOutput,
    #[serde(default)]
    waiver: Vec<RawWaiver>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawIgnore {
    package: Spanned<String>,
    paths: Spanned<Vec<String>>,
    reason: Spanned<String>,
    approved_by: Option<String>,
    expires: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawPolicy {
    fail_on: Option<Spanned<Vec<String>>>,
    dev_dependencies_fail: Option<bool>,
    fail_on_unscanned: Option<bool>,
    as_of: Option<Spanned<String>>,
    max_list_age: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawGraph {
    #[serde(default)]
    features: Vec<String>,
    all_features: Option<bool>,
    no_default_features: Option<bool>,
    #[serde(default)]
    targets: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawDeep {
    enabled: Option<bool>,
    cache: Option<bool>,
    max_file_size: Option<Spanned<Size>>,
    max_hits_per_file: Option<usize>,
    archive_max_depth: Option<u32>,
    archive_max_total_size: Option<Spanned<Size>>,
    archive_max_entries: Option<u64>,
    archive_max_entry_size: Option<Spanned<Size>>,
    package_max_unpacked_size: Option<Spanned<Size>>,
    package_max_decode_seconds: Option<u64>,
    package_max_archive_members: Option<u64>,
    package_max_binaries: Option<u64>,
    build_outputs: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawRegistry {
    owners: Option<bool>,
    crates_io_dump: Option<String>,
    crates_io_api: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawLists {
    builtin: Option<bool>,
    warn_age: Option<u32>,
    #[serde(default)]
    extra: Vec<RawListRef>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawListRef {
    Path(String),
    Table {
        path: String,
        format: Option<String>,
    },
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawOutput {
    format: Option<Format>,
    color: Option<ColorChoice>,
    verbose: Option<bool>,
    quiet: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawWaiver {
    package: Spanned<String>,
    version: Option<Spanned<String>>,
    entity: Option<String>,
    evidence: Option<String>,
    reason: Spanned<String>,
    /// What the acceptance rests on (a legal opinion, a licence, a contract clause).
    basis: Option<String>,
    approved_by: Option<String>,
    expires: Option<Spanned<String>>,
}

/// A size: bytes as an integer, or a string such as `"64 MiB"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(u64),
    Text(String),
}

/// The parts of a Cargo.toml we read: only the metadata tables, everything else ignored.
#[derive(Deserialize)]
struct Manifest {
    workspace: Option<MetaHolder>,
    package: Option<MetaHolder>,
}

#[derive(Deserialize)]
struct MetaHolder {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    entitycheck: Option<RawConfig>,
}

/// Finds the configuration for a project: `explicit` if given, else `entitycheck.toml` at the
/// workspace root, else the root manifest's `[workspace.metadata.entitycheck]` or
/// `[package.metadata.entitycheck]`. No configuration at all is fine.
pub fn discover(
    explicit: Option<&Utf8Path>,
    manifest: Option<&Utf8Path>,
    limits: &crate::fsio::Limits,
) -> Result<Config, InputError> {
    if let Some(path) = explicit {
        let text = read(path, true, limits)?;
        return parse(&text, path.as_str());
    }
    let Some(root) = workspace_root(manifest, limits) else {
        return Ok(Config::default());
    };
    let file = root.join(FILE_NAME);
    if file.is_file() {
        let text = read(&file, false, limits)?;
        return parse(&text, file.as_str());
    }
    let cargo_toml = root.join("Cargo.toml");
    let text = read(&cargo_toml, false, limits)?;
    parse_manifest(&text, cargo_toml.as_str())
}

/// A configuration file, bounded; a link is followed only when the user `named` the file.
fn read(path: &Utf8Path, named: bool, limits: &crate::fsio::Limits) -> Result<String, InputError> {
    crate::fsio::read_text(path, crate::fsio::ReadKind::Config, named, limits)
        .map_err(|e| InputError::read(path, e))
}

/// The workspace root: the nearest ancestor of the manifest (or the current directory) whose
/// Cargo.toml has a `[workspace]` table, else the directory of the nearest Cargo.toml.
pub fn workspace_root(
    manifest: Option<&Utf8Path>,
    limits: &crate::fsio::Limits,
) -> Option<Utf8PathBuf> {
    let start = crate::graph::start_dir(manifest)?;
    let mut nearest = None;
    for dir in start.ancestors() {
        let toml = dir.join("Cargo.toml");
        // A probe: links followed (cargo follows them), but never a FIFO or a huge file.
        let Ok(text) = crate::fsio::read_text(&toml, crate::fsio::ReadKind::Manifest, true, limits)
        else {
            continue;
        };
        if nearest.is_none() {
            nearest = Some(dir.to_path_buf());
        }
        if text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.contains_key("workspace"))
        {
            return Some(dir.to_path_buf());
        }
    }
    nearest
}

/// A value of the wrong type, where and what (serde stops at the first; see [`from_str_all`]).
type TypeError = (std::ops::Range<usize>, String);

/// Deserializes `T` like [`from_str_collecting`], and goes on past values of the wrong type:
/// each one's line is set aside (commented out, so every line keeps its number) and the rest
/// read again, so every type error comes out with the other problems in one run. A problem
/// that is not about a value (the TOML itself is broken) still stops at once.
fn from_str_all<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<(T, Vec<String>, Vec<TypeError>), InputError> {
    let original = text;
    let mut text = text.to_string();
    let mut errors: Vec<TypeError> = Vec::new();
    loop {
        match from_str_collecting::<T>(&text, origin) {
            Ok((value, unknown)) => return Ok((value, unknown, errors)),
            Err((e, first)) => {
                let span = e.span().filter(|_| !first && errors.len() < 64);
                let Some(span) = span else {
                    // Before any value could be judged, or too many: report what there is.
                    if errors.is_empty() {
                        return Err(InputError::Toml {
                            path: origin.to_string(),
                            message: e.to_string(),
                        });
                    }
                    let mut d = Diagnostics::new(original, origin);
                    for (s, m) in &errors {
                        d.at(s.clone(), m);
                    }
                    let last = line_of(&text, span_or_zero(e.span()).start);
                    let at = original_line_start(original, last);
                    d.at(at..at, e.message());
                    return Err(finish(d, ()).err().unwrap_or_else(|| InputError::Toml {
                        path: origin.to_string(),
                        message: e.to_string(),
                    }));
                };
                let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                if text[start..].starts_with('#') {
                    return Err(InputError::Toml {
                        path: origin.to_string(),
                        message: e.to_string(),
                    });
                }
                // Lines keep their numbers: the span is given as the same line's start in the
                // text as written.
                let line = line_of(&text, span.start);
                let original = original_line_start(original, line);
                errors.push((original..original, e.message().to_string()));
                text.insert(start, '#');
            }
        }
    }
}

/// Where 1-based line `line` starts in `text`.
fn original_line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

fn span_or_zero(s: Option<std::ops::Range<usize>>) -> std::ops::Range<usize> {
    s.unwrap_or(0..0)
}

/// Deserializes `T` from `text`, collecting every key it does not know (as dotted paths) instead
/// of stopping at the first, so they are reported with the other problems, all at once. The
/// error says whether the TOML itself is broken (`true`) or a value is of the wrong type.
fn from_str_collecting<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<(T, Vec<String>), (toml::de::Error, bool)> {
    let _ = origin;
    let de = toml::Deserializer::parse(text).map_err(|e| (e, true))?;
    let mut unknown = Vec::new();
    // `?` segments stand for `Option`s, not keys.
    let value = serde_ignored::deserialize(de, |path| {
        let key: Vec<String> = path
            .to_string()
            .split('.')
            .filter(|s| *s != "?")
            .map(str::to_string)
            .collect();
        unknown.push(key.join("."));
    })
    .map_err(|e: toml::de::Error| (e, false))?;
    Ok((value, unknown))
}

/// The span of a dotted key path (`policy.fail-harder`, `waiver.0.bogus`) in a document, for
/// its line.
fn key_span(text: &str, path: &str) -> Option<std::ops::Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut span = None;
    let parts: Vec<&str> = path.split('.').collect();
    let mut i = 0;
    while i < parts.len() {
        let (k, v) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == parts[i])?;
        span = Some(k.span());
        i += 1;
        let mut v = v.get_ref();
        // An array of tables: the next part is the index.
        if let DeValue::Array(items) = v
            && let Some(n) = parts.get(i).and_then(|p| p.parse::<usize>().ok())
        {
            v = items.get(n)?.get_ref();
            i += 1;
        }
        match v {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    span
}

/// The field names a derived `Deserialize` struct knows (serde passes them to
/// `deserialize_struct`), read by a deserializer that records them and stops: the list of
/// valid keys can never fall behind the structs.
fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    struct Fields<'a>(&'a mut &'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for Fields<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// The keys valid where `key` (a dotted path such as `policy.fail-harder` or `waiver.0.bogus`)
/// was written.
fn valid_keys(key: &str) -> &'static [&'static str] {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [_] => fields_of::<RawConfig>(),
        ["policy", ..] => fields_of::<RawPolicy>(),
        ["graph", ..] => fields_of::<RawGraph>(),
        ["deep", ..] => fields_of::<RawDeep>(),
        ["lists", ..] => fields_of::<RawLists>(),
        ["registry", ..] => fields_of::<RawRegistry>(),
        ["output", ..] => fields_of::<RawOutput>(),
        ["waiver", ..] => fields_of::<RawWaiver>(),
        ["ignore", ..] => fields_of::<RawIgnore>(),
        _ => &[],
    }
}

/// `: did you mean `x`? valid keys here: …` for an unknown key.
fn suggest_key(key: &str) -> String {
    let valid = valid_keys(key);
    if valid.is_empty() {
        return String::new();
    }
    let last = key.rsplit('.').next().unwrap_or(key);
    let table = match key.split('.').next() {
        Some(t) if key.contains('.') => {
            if matches!(t, "waiver" | "ignore") {
                format!(" in [[{t}]]")
            } else {
                format!(" in [{t}]")
            }
        }
        _ => " at the top level".to_string(),
    };
    let guess = crate::diag::did_you_mean(last, valid.iter().copied())
        .map(|g| format!(": did you mean `{g}`?"))
        .unwrap_or_else(|| ":".to_string());
    format!("{guess} valid keys{table}: {}", valid.join(", "))
}

/// Parses an `entitycheck.toml`.
pub fn parse(text: &str, origin: &str) -> Result<Config, InputError> {
    let (raw, unknown, types): (RawConfig, _, _) = from_str_all(text, origin)?;
    validate(raw, text, origin, &unknown, &types, "")
}

/// Parses the metadata table of a Cargo.toml (workspace first, then package).
pub fn parse_manifest(text: &str, origin: &str) -> Result<Config, InputError> {
    let (m, unknown, types): (Manifest, Vec<String>, _) = from_str_all(text, origin)?;
    let (raw, table, prefix) = match (
        m.workspace
            .and_then(|w| w.metadata)
            .and_then(|m| m.entitycheck),
        m.package
            .and_then(|p| p.metadata)
            .and_then(|m| m.entitycheck),
    ) {
        (Some(raw), _) => (
            raw,
            "[workspace.metadata.entitycheck]",
            "workspace.metadata.entitycheck.",
        ),
        (None, Some(raw)) => (
            raw,
            "[package.metadata.entitycheck]",
            "package.metadata.entitycheck.",
        ),
        (None, None) => return Ok(Config::default()),
    };
    // Only keys inside our table are ours to judge; the rest of the manifest is cargo's.
    let unknown: Vec<String> = unknown
        .into_iter()
        .filter(|k| k.starts_with(prefix))
        .collect();
    let mut c = validate(raw, text, origin, &unknown, &types, prefix)?;
    c.origin = Some(format!("{origin} {table}"));
    Ok(c)
}

/// The configuration's problems, collected with their lines (see [`Diagnostics`]).
struct Problems<'a>(Diagnostics<'a>);

impl Problems<'_> {
    fn at(&mut self, span: std::ops::Range<usize>, msg: impl fmt::Display) {
        self.0.at(span, msg);
    }

    fn date(&mut self, s: &Spanned<String>, key: &str) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(s.get_ref(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.at(
                    s.span(),
                    format_args!("{key} `{}` is not a date (YYYY-MM-DD)", s.get_ref()),
                );
                None
            }
        }
    }

    fn size(&mut self, s: &Option<Spanned<Size>>, key: &str) -> Option<u64> {
        let s = s.as_ref()?;
        match s.get_ref() {
            Size::Bytes(b) => Some(*b),
            Size::Text(t) => parse_size(t).or_else(|| {
                self.at(
                    s.span(),
                    format_args!("{key} `{t}` is not a size (bytes, or e.g. \"64 MiB\")"),
                );
                None
            }),
        }
    }
}

fn validate(
    raw: RawConfig,
    text: &str,
    origin: &str,
    unknown: &[String],
    types: &[TypeError],
    prefix: &str,
) -> Result<Config, InputError> {
    let mut p = Problems(Diagnostics::new(text, origin));
    for (span, message) in types {
        p.at(span.clone(), message);
    }
    for key in unknown {
        let shown = key.strip_prefix(prefix).unwrap_or(key);
        p.at(
            key_span(text, key).unwrap_or(0..0),
            format_args!("unknown key `{shown}`{}", suggest_key(shown)),
        );
    }
    for t in &raw.graph.targets {
        if let Err(e) = guppy::platform::Platform::new(
            t.get_ref().clone(),
            guppy::platform::TargetFeatures::Unknown,
        ) {
            p.at(
                t.span(),
                format_args!("graph.targets `{}`: {e}", t.get_ref()),
            );
        }
    }
    let fail_on = raw.policy.fail_on.as_ref().map(|spanned| {
        let mut set = BTreeSet::new();
        for c in spanned.get_ref() {
            match c.as_str() {
                "confirmed" => set.insert(Confidence::Confirmed),
                "probable" => set.insert(Confidence::Probable),
                "possible" => set.insert(Confidence::Possible),
                other => {
                    p.at(spanned.span(), format_args!("policy.fail-on: `{other}` is not one of confirmed, probable, possible (a mention never fails)"));
                    false
                }
            };
        }
        set
    });
    let as_of = raw
        .policy
        .as_of
        .as_ref()
        .and_then(|d| p.date(d, "policy.as-of"));
    let deep = DeepConfig {
        enabled: raw.deep.enabled,
        cache: raw.deep.cache,
        max_file_size: p.size(&raw.deep.max_file_size, "deep.max-file-size"),
        max_hits_per_file: raw.deep.max_hits_per_file,
        archive_max_depth: raw.deep.archive_max_depth,
        archive_max_total_size: p.size(
            &raw.deep.archive_max_total_size,
            "deep.archive-max-total-size",
        ),
        archive_max_entries: raw.deep.archive_max_entries,
        archive_max_entry_size: p.size(
            &raw.deep.archive_max_entry_size,
            "deep.archive-max-entry-size",
        ),
        package_max_unpacked_size: p.size(
            &raw.deep.package_max_unpacked_size,
            "deep.package-max-unpacked-size",
        ),
        package_max_decode_seconds: raw.deep.package_max_decode_seconds,
        package_max_archive_members: raw.deep.package_max_archive_members,
        package_max_binaries: raw.deep.package_max_binaries,
        build_outputs: raw.deep.build_outputs,
    };
    let base = Utf8Path::new(origin).parent().unwrap_or(Utf8Path::new(""));
    let mut lists = Vec::new();
    for (i, r) in raw.lists.extra.into_iter().enumerate() {
        let (path, format) = match r {
            RawListRef::Path(path) => (path, None),
            RawListRef::Table { path, format } => (path, format),
        };
        let format = format.and_then(|f| {
            f.parse::<crate::entity::import::ListFormat>()
                .map_err(|e| {
                    let key = format!("{prefix}lists.extra.{i}.format");
                    p.at(
                        key_span(text, &key).unwrap_or(0..0),
                        format_args!("lists.extra: {e}"),
                    );
                })
                .ok()
        });
        // Relative paths are relative to the configuration file, not the current directory.
        let path = Utf8PathBuf::from(path);
        let path = if path.is_absolute() {
            path
        } else {
            base.join(path)
        };
        lists.push(ListRef { path, format });
    }
    let mut waivers = Vec::new();
    for w in raw.waiver {
        let line = line_of(text, w.package.span().start);
        let version_req =
            w.version
                .as_ref()
                .and_then(|v| match semver::VersionReq::parse(v.get_ref()) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        p.at(
                            v.span(),
                            format_args!("waiver.version `{}`: {e}", v.get_ref()),
                        );
                        None
                    }
                });
        if w.reason.get_ref().trim().is_empty() {
            p.at(
                w.reason.span(),
                "waiver.reason is empty: say why the finding is accepted",
            );
        }
        if w.package.get_ref().trim().is_empty() {
            p.at(w.package.span(), "waiver.package is empty");
        }
        let expires = w.expires.as_ref().and_then(|d| p.date(d, "waiver.expires"));
        waivers.push(Waiver {
            package: w.package.into_inner(),
            version: w.version.map(Spanned::into_inner),
            version_req,
            entity: w.entity,
            evidence: w.evidence,
            reason: w.reason.into_inner(),
            basis: w.basis.filter(|b| !b.trim().is_empty()),
            approved_by: w.approved_by,
            expires,
            at: format!("{origin}:{line}"),
        });
    }
    let mut ignores = Vec::new();
    for i in raw.ignore {
        let line = line_of(text, i.package.span().start);
        if i.package.get_ref().trim().is_empty() {
            p.at(i.package.span(), "ignore.package is empty");
        }
        if i.reason.get_ref().trim().is_empty() {
            p.at(
                i.reason.span(),
                "ignore.reason is empty: say why these files do not ship",
            );
        }
        if i.paths.get_ref().is_empty() {
            p.at(
                i.paths.span(),
                "ignore.paths is empty: name the files that do not ship",
            );
        }
        let set = match Ignore::compile(i.paths.get_ref()) {
            Ok(set) => set,
            Err(e) => {
                p.at(i.paths.span(), format_args!("ignore.paths {e}"));
                Default::default()
            }
        };
        let expires = i.expires.as_ref().and_then(|d| p.date(d, "ignore.expires"));
        ignores.push(Ignore {
            package: i.package.into_inner(),
            paths: i.paths.into_inner(),
            set,
            reason: i.reason.into_inner(),
            approved_by: i.approved_by,
            expires,
            at: format!("{origin}:{line}"),
        });
    }
    diag::finish(p.0, ())?;
    Ok(Config {
        origin: Some(origin.to_string()),
        fail_on,
        dev_dependencies_fail: raw.policy.dev_dependencies_fail,
        fail_on_unscanned: raw.policy.fail_on_unscanned,
        as_of,
        features: raw.graph.features,
        all_features: raw.graph.all_features,
        no_default_features: raw.graph.no_default_features,
        targets: raw
            .graph
            .targets
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        deep,
        registry: RegistryConfig {
            owners: raw.registry.owners,
            // Relative to the configuration file, like the lists.
            crates_io_dump: raw.registry.crates_io_dump.map(|d| {
                let d = Utf8PathBuf::from(d);
                if d.is_absolute() { d } else { base.join(d) }
            }),
            crates_io_api: raw.registry.crates_io_api,
        },
        builtin_list: raw.lists.builtin,
        lists,
        list_warn_age: raw.lists.warn_age,
        max_list_age: raw.policy.max_list_age,
        format: raw.output.format,
        color: raw.output.color,
        verbose: raw.output.verbose,
        quiet: raw.output.quiet,
        waivers,
        ignores,
    })
}

pub use crate::fsio::parse_size;

/// The commented default written by `cargo entitycheck init`.
pub const DEFAULT_TOML: &str = include_str!("default-config.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_parses_to_the_defaults() {
        let c = parse(DEFAULT_TOML, "entitycheck.toml").unwrap();
        assert_eq!(
            c.fail_on,
            Some([Confidence::Confirmed, Confidence::Probable].into())
        );
        assert_eq!(c.dev_dependencies_fail, Some(false));
        assert!(c.waivers.is_empty());
    }

    #[test]
    fn package_budget_keys() {
        let c = parse(
            "[deep]\npackage-max-unpacked-size = \"1 GiB\"\npackage-max-decode-seconds = 5\npackage-max-archive-members = 70\npackage-max-binaries = 9\n",
            "e.toml",
        )
        .unwrap();
        assert_eq!(
            (
                c.deep.package_max_unpacked_size,
                c.deep.package_max_decode_seconds,
                c.deep.package_max_archive_members,
                c.deep.package_max_binaries
            ),
            (Some(1 << 30), Some(5), Some(70), Some(9))
        );
        let err = parse("[deep]\npackage-max-unpacked-size = \"lots\"\n", "e.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("e.toml:2: deep.package-max-unpacked-size `lots` is not a size"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse(
            "[policy]\nfail-on = [\"confirmed\"]\nfail-harder = true\n",
            "e.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("e.toml:3:"), "{err}");
        assert!(err.contains("fail-harder"), "{err}");
    }

    #[test]
    fn unknown_keys_and_semantic_problems_come_together() {
        let text = "[policy]\nfail-harder = true\nas-of = \"soon\"\n[graph]\ntargets = [\"not a triple!\"]\n[[waiver]]\npackage = \"x\"\nreason = \"r\"\nbogus = 1\n";
        let err = parse(text, "e.toml").unwrap_err().to_string();
        for needle in [
            "e.toml:2: unknown key `policy.fail-harder`",
            "e.toml:3: policy.as-of",
            "e.toml:5: graph.targets",
            "e.toml:9: unknown key `waiver.0.bogus`",
        ] {
            assert!(err.contains(needle), "missing {needle} in\n{err}");
        }
    }

    #[test]
    fn unknown_keys_suggest_the_key_meant_and_list_the_valid_ones() {
        let err = parse(
            "fail-on = 1\n[deep]\nmax-fle-size = 3\n[[waiver]]\npackage = \"x\"\nreason = \"r\"\napproved_by = \"me\"\n",
            "e.toml",
        )
        .unwrap_err()
        .to_string();
        for needle in [
            "e.toml:3: unknown key `deep.max-fle-size`: did you mean `max-file-size`? valid keys in [deep]: enabled, cache, max-file-size,",
            "e.toml:7: unknown key `waiver.0.approved_by`: did you mean `approved-by`? valid keys in [[waiver]]: package,",
            "e.toml:1: unknown key `fail-on`: valid keys at the top level: policy, graph, deep,",
        ] {
            assert!(err.contains(needle), "missing {needle} in\n{err}");
        }
        // The lists are the structs' own fields.
        assert!(fields_of::<RawPolicy>().contains(&"dev-dependencies-fail"));
        assert!(fields_of::<RawWaiver>().contains(&"expires"));
    }

    #[test]
    fn every_type_error_comes_out_with_the_other_problems() {
        let text = "[deep]\nenabled = \"yes\"\nmax-hits-per-file = \"many\"\n[policy]\nfail-harder = 1\nas-of = \"soon\"\n[output]\nquiet = 3\n";
        let err = parse(text, "e.toml").unwrap_err().to_string();
        for needle in [
            "e.toml:2: invalid type: string \"yes\", expected a boolean",
            "e.toml:3: invalid type: string \"many\"",
            "e.toml:5: unknown key `policy.fail-harder`",
            "e.toml:6: policy.as-of `soon` is not a date",
            "e.toml:8: invalid type: integer `3`, expected a boolean",
        ] {
            assert!(err.contains(needle), "missing {needle} in\n{err}");
        }
        // Broken TOML still stops at once, naming the line.
        let err = parse("[deep\nenabled = true\n", "e.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_line() {
        let err = parse("[deep]\nenabled = \"yes\"\n", "e.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("e.toml:2: invalid type"), "{err}");
    }

    #[test]
    fn semantic_problems_are_all_reported_with_lines() {
        let text = "[policy]\nfail-on = [\"mention\"]\nas-of = \"soon\"\n\n[[waiver]]\npackage = \"x\"\nversion = \"not a req\"\nreason = \"\"\nexpires = \"2025-13-01\"\n";
        let err = parse(text, "e.toml").unwrap_err().to_string();
        for needle in [
            "e.toml:2: policy.fail-on",
            "e.toml:3: policy.as-of",
            "e.toml:7: waiver.version",
            "e.toml:8: waiver.reason",
            "e.toml:9: waiver.expires",
        ] {
            assert!(err.contains(needle), "missing {needle} in\n{err}");
        }
    }

    #[test]
    fn waiver_fields() {
        let text = "[[waiver]]\npackage = \"kav-sys\"\nversion = \"^0.1\"\nentity = \"kaspersky\"\nevidence = \"repository\"\nreason = \"legacy\"\nbasis = \"counsel's opinion LGL-88\"\napproved-by = \"Jane <j@example.org>\"\nexpires = \"2027-01-01\"\n";
        let c = parse(text, "e.toml").unwrap();
        let w = &c.waivers[0];
        assert_eq!(w.at, "e.toml:2");
        assert_eq!(w.basis.as_deref(), Some("counsel's opinion LGL-88"));
        assert_eq!(w.approved_by.as_deref(), Some("Jane <j@example.org>"));
        assert!(
            w.version_req
                .as_ref()
                .unwrap()
                .matches(&semver::Version::new(0, 1, 5))
        );
        assert_eq!(w.expires, NaiveDate::from_ymd_opt(2027, 1, 1));
    }

    #[test]
    fn metadata_table_in_cargo_toml() {
        let text = "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[package.metadata.entitycheck.policy]\ndev-dependencies-fail = true\n";
        let c = parse_manifest(text, "Cargo.toml").unwrap();
        assert_eq!(c.dev_dependencies_fail, Some(true));
        assert!(c.origin.unwrap().contains("[package.metadata.entitycheck]"));
        let err = parse_manifest(
            "[workspace.metadata.entitycheck]\nbogus = 1\n",
            "Cargo.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("Cargo.toml:2:") && err.contains("bogus"),
            "{err}"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64 MiB"), Some(64 << 20));
        assert_eq!(parse_size("10MB"), Some(10_000_000));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("lots"), None);
    }
}
