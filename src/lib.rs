//! cargo-entitycheck: tell a team, before it ships, whether its Rust product integrates software
//! made by an entity it may not deal with.
//!
//! An engine with no command line: a validated [`config::Request`] in, an [`outcome::Outcome`]
//! out, through one pipeline with one module per stage, each a plain function from a typed input
//! to a typed output:
//!
//! ```text
//!  cargo metadata ──▶ graph ──▶ evidence ──▶ matching ──▶ policy ──▶ outcome ──▶ report
//!   (guppy)          screened   per package   × entity     verdicts   findings    human / json
//!                    packages   signals       lists (data/)           as data     sarif / …
//! ```
//!
//! - [`config`]: the configuration file read once, the command line's overrides layered over it
//!   in one place, and a [`config::Request`] for the pipeline.
//! - [`pipeline`]: load → screen → collect ([`pipeline::check`]); shipped artefacts
//!   ([`pipeline::artefacts`]).
//! - [`cache`]: the warm start: cache directory, scan and graph caches, the head start.
//! - [`beyond`]: evidence from outside the packages' files (registry owners, build outputs).
//! - [`graph`]: resolve the dependency graph as cargo would (features, platforms, dev/build edges).
//! - [`evidence`]: who made each package and what it bundles (manifest, files, binaries).
//! - [`text`]: normalisation, tokens, URL / e-mail / host parsing, beneath lists and matcher.
//! - [`entity`]: the entity lists, validated ([`entity::BUILTIN_TOML`] is the default).
//! - [`matching`]: normalised, whole-token comparison of evidence and identifiers.
//! - [`policy`]: what fails the build and why, as typed data.
//! - [`outcome`]: the result; one summary, one failure rule, one fingerprint.
//! - [`report`]: pure views of an outcome, written to any `io::Write`.
//! - [`attest`]: certificates (in-toto statements) over an outcome.
//! - [`certify`]: `certify` and `verify` as operations: a screening (with shipped artefacts and
//!   bills of materials) → a certificate, or a certificate → its checks against a fresh one.
//! - [`sweep`]: a registry's `.crate` files → a signed index of one record per version, which
//!   checks reuse (`--index`) and `sweep diff` compares across list versions.
//! - [`sbom`]: CycloneDX and SPDX bills of materials → components with evidence and paths →
//!   the same matcher and policy (`sbom FILE...`); [`report`] writes one (`cyclonedx`).
//!
//! Nothing here parses a command line or prints to the terminal: the `cargo-entitycheck` binary
//! (`src/main.rs`, `src/app/`) does that, and receives progress through [`pipeline::Observer`].

pub mod attest;
pub mod beyond;
pub mod cache;
pub mod certify;
pub mod config;
pub mod diag;
pub mod entity;
pub mod error;
pub mod evidence;
pub mod fsio;
pub mod graph;
pub mod matching;
pub mod named;
pub mod outcome;
pub mod pipeline;
pub mod policy;
pub mod report;
pub mod sbom;
pub mod sweep;
pub mod text;

pub use config::{Request, Settings};
pub use outcome::Outcome;
pub use pipeline::{ExplainSpec, Observer, check, explain};
