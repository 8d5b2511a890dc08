//! Report stage, attestations: a check's outcome → an in-toto Statement v1 that certifies the
//! screening (`certify`), and a certificate + a fresh screening of the current tree → the checks
//! that still hold (`verify`). Signing and the envelopes a certificate may arrive in: `dsse`.
//!
//! The statement's subjects are the SHA-256 digests of `Cargo.lock` and of every workspace
//! member's manifest: what was screened. Its predicate records everything a fresh screening can
//! recompute — the tool, the entity lists (version and digest), the effective policy with the
//! waivers in force, the configuration's content digest, the as-of date, the result, the counts
//! and every finding with its fingerprint — plus what it cannot: who certified it, when it was
//! made and until when it is valid. `verify` recomputes the first kind and rejects any
//! difference, naming the field; it checks the second for consistency (a signature, when the
//! certificate is signed, is what binds them).

mod certify;
pub mod dsse;
#[cfg(test)]
mod tests;
mod verify;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::outcome::Scope;
use crate::policy::Verdict;

/// in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// This tool's predicate: the URI of the document describing every field, `docs/src/predicate-v4.md`
/// in this repository, as docs.rs serves the published crate's files. v2 bound the waivers, the
/// configuration's content, and when it was made and expires; v3 added the scope; v4 adds what a
/// pass does not mean (`limits`) and every waiver and ignore entry that decided a verdict, with
/// what it rests on and what it accepted (`acceptances`).
pub const PREDICATE_TYPE: &str =
    "https://docs.rs/crate/cargo-entitycheck/latest/source/docs/src/predicate-v4.md";
/// The predicate's version, as its type names it.
const PREDICATE_VERSION: &str = "v4";
/// The predicate types earlier versions of this tool wrote, with their versions: `verify` names
/// them rather than failing on their fields.
const EARLIER_PREDICATE_TYPES: [(&str, &str); 3] = [
    (
        "https://docs.rs/crate/cargo-entitycheck/latest/source/docs/src/predicate-v3.md",
        "v3",
    ),
    ("urn:cargo-entitycheck:predicate:entity-screening:v2", "v2"),
    ("urn:cargo-entitycheck:predicate:entity-screening:v1", "v1"),
];
/// How long a certificate is valid unless `--valid-for` says otherwise.
pub const DEFAULT_VALID_DAYS: u32 = 90;

/// Fields a Statement has beyond these are ignored, as the in-toto specification asks of
/// consumers; the predicate, this tool's own type, refuses them (see [`Predicate`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Predicate,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Subject {
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

// Unknown fields are refused: a field added to a certificate is as much an edit as a field
// changed, and a recomputation cannot vouch for it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Predicate {
    pub tool: ToolRecord,
    pub lists: Vec<ListRecord>,
    pub policy: PolicyRecord,
    /// The configuration the policy came from (`None`: none).
    pub configuration: Option<ConfigRecord>,
    /// The date the policy was evaluated at.
    pub as_of: NaiveDate,
    /// True when `asOf` is not the day the certificate was made (`--as-of` or the
    /// configuration's `as-of`): `verify` then also evaluates at the verification date.
    pub as_of_requested: bool,
    /// When it was made: RFC 3339 with the certifier's UTC offset.
    pub made_at: String,
    /// The last day it is valid.
    pub valid_until: NaiveDate,
    /// `pass` or `fail`.
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certifier: Option<String>,
    pub counts: Counts,
    pub findings: Vec<FindingRecord>,
    pub not_scanned: Vec<crate::outcome::NotScanned>,
    /// What the screening covered: deep scan and limits, platforms, features, members, lists,
    /// and the packages screened (count and digest).
    pub scope: Scope,
    /// How the scope falls short of a full screening (recomputed from `scope`).
    pub narrowings: Vec<String>,
    /// Why a narrowed scope was certified, as stated with `certify --narrowed-scope`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrowed_because: Option<String>,
    /// What a pass means and does not mean: the statement every report a person reads carries
    /// ([`crate::outcome::LIMITS`]).
    pub limits: String,
    /// Every waiver and `[[ignore]]` entry that decided a verdict (or took a package that could
    /// not be scanned off the count): what it rests on, who approved it, until when, and what it
    /// accepted.
    pub acceptances: Vec<AcceptanceRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ToolRecord {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ListRecord {
    pub id: String,
    pub version: String,
    pub updated: NaiveDate,
    pub digest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyRecord {
    /// `sha256:` of this record's other fields (canonical JSON).
    pub digest: String,
    pub fail_on: Vec<String>,
    pub dev_dependencies_fail: bool,
    pub fail_on_unscanned: bool,
    /// Every waiver configured, used or not, as written.
    pub waivers: Vec<WaiverRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigRecord {
    /// Relative to the workspace root when inside it; with the table for a Cargo.toml.
    pub path: String,
    /// `sha256:` of the file's bytes, or of the metadata table (canonical JSON) in a Cargo.toml.
    pub digest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Counts {
    pub packages_screened: usize,
    pub fail: usize,
    pub warn: usize,
    pub waived: usize,
    pub exempt: usize,
    pub info: usize,
    pub ignored: usize,
    pub not_scanned: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FindingRecord {
    /// Stable across runs: what matched where (not the verdict). See [`fingerprint`].
    pub fingerprint: String,
    pub verdict: String,
    pub package: String,
    pub version: String,
    pub entity: String,
    pub confidence: String,
    pub evidence: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRecord>,
}

/// A waiver, as configured (in `policy.waivers`) or as applied to a finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WaiverRecord {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    pub reason: String,
    /// What the acceptance rests on (a legal opinion, a licence, a contract clause).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    /// `file:line`, the file relative to the workspace root.
    pub at: String,
    /// True when the waiver matched a finding but had expired on the as-of date, so it did not
    /// apply (only on a finding's waiver).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expired: bool,
}

/// A waiver or an `[[ignore]]` entry that decided verdicts, and what it accepted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptanceRecord {
    /// `waiver` or `ignore`.
    pub kind: String,
    /// `file:line`, the file relative to the workspace root.
    pub at: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    /// The findings it decided, sorted by package, version and fingerprint.
    pub findings: Vec<AcceptedFinding>,
    /// Packages not fully scanned that it took off the count (an `[[ignore]]` entry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_scanned: Vec<crate::outcome::NotScanned>,
}

/// A finding a waiver or ignore entry decided, with the verdict it would have had without it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptedFinding {
    pub package: String,
    pub version: String,
    /// The finding's fingerprint, as in `findings`.
    pub fingerprint: String,
    pub entity: String,
    /// `fail` (a failure turned into a pass), `warn`, `info`…
    pub would_be: String,
}

/// A finding's fingerprint: the one scheme, shared with SARIF and JSON (see
/// [`crate::outcome::fingerprint`]).
pub use crate::outcome::fingerprint;

pub use certify::{Made, acceptances, certify, refuse_narrowed, subjects};
pub use verify::{Certificate, Check, check_signature, parse, read, verify};
