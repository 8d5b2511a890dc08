//! Settings: `entitycheck.toml` (or `[workspace.metadata.entitycheck]`,
//! `[package.metadata.entitycheck]` in the root Cargo.toml, or `--config FILE`) → a validated
//! [`Config`].
//!
//! Parsed before cargo runs. Unknown keys and wrong types are errors naming the file, line and
//! key; every semantic problem (a bad date, version requirement or confidence) is collected
//! before failing, so one run shows them all.
//!
//! This file holds the validated [`Config`]; finding and reading the file is `load.rs` (its TOML
//! read strictly but completely by `read.rs`), its shape as written `schema.rs`, and the checks
//! that turn the one into the other `validate.rs`. How the command line, the file and the
//! defaults combine is `settings.rs`.

use std::collections::BTreeSet;

use camino::Utf8PathBuf;
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::matching::Confidence;
pub use crate::policy::Waiver;
pub use crate::policy::ignore::Ignore;

mod load;
mod read;
mod schema;
mod settings;
mod validate;

pub use load::{discover, parse, parse_manifest, workspace_root};
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
    /// `unpack-test-data`: unpack every archive in a package's test-data directories.
    pub unpack_test_data: Option<bool>,
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

pub use crate::fsio::parse_size;

/// The commented default written by `cargo entitycheck init`.
pub const DEFAULT_TOML: &str = include_str!("default-config.toml");

#[cfg(test)]
mod tests {
    use super::schema::{RawPolicy, RawWaiver, fields_of};
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
        // `init` writes it: every deep-scan limit it states is the default, none lowered.
        let d = crate::evidence::deep::DeepOptions::default();
        assert_eq!(
            (
                c.deep.max_file_size,
                c.deep.max_hits_per_file,
                c.deep.archive_max_depth,
                c.deep.archive_max_total_size,
                c.deep.archive_max_entries,
                c.deep.archive_max_entry_size,
                c.deep.unpack_test_data,
            ),
            (
                Some(d.max_file_bytes),
                Some(d.max_hits_per_file),
                Some(d.archive.max_depth),
                Some(d.archive.max_total_bytes),
                Some(d.archive.max_entries),
                Some(d.archive.max_entry_bytes),
                Some(d.unpack_test_data),
            )
        );
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
