//! Validating the configuration as written into a [`Config`]: every semantic problem (a bad
//! date, version requirement or confidence) collected with its line before failing.

use std::collections::BTreeSet;
use std::fmt;

use camino::{Utf8Path, Utf8PathBuf};
use chrono::NaiveDate;
use toml::Spanned;

use super::read::{TypeError, key_span};
use super::schema::{RawConfig, RawListRef, Size, suggest_key};
use super::{Config, DeepConfig, ListRef, RegistryConfig};
use crate::diag::{self, Diagnostics, line_of};
use crate::error::InputError;
use crate::fsio::parse_size;
use crate::matching::Confidence;
use crate::policy::Waiver;
use crate::policy::ignore::Ignore;

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

pub(super) fn validate(
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
        unpack_test_data: raw.deep.unpack_test_data,
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
