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

pub mod dsse;

use std::collections::{BTreeMap, BTreeSet};

use camino::{Utf8Path, Utf8PathBuf};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::entity::EntityList;
use crate::error::InputError;
use crate::fsio::Limits;
use crate::outcome::{LIMITS, Outcome, Scope};
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
    /// ([`LIMITS`]).
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

/// The SHA-256 of a manifest or lockfile the certificate names, read through the bounded
/// reader (a regular file, no link followed).
fn sha256_file(path: &Utf8Path, limits: &Limits) -> Result<String, InputError> {
    let bytes = crate::fsio::read_bounded(path, crate::fsio::ReadKind::Manifest, limits)
        .map_err(|e| InputError::read(path, e))?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

fn rel(root: &Utf8Path, path: &Utf8Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .as_str()
        .replace('\\', "/")
}

/// A `file[:line]` string made relative to the workspace root, so a certificate verifies
/// wherever the tree is checked out.
fn rel_at(root: &Utf8Path, at: &str) -> String {
    let root = root.as_str().trim_end_matches(['/', '\\']);
    match at.strip_prefix(root) {
        Some(rest) if rest.starts_with(['/', '\\']) => rest[1..].replace('\\', "/"),
        _ => at.to_string(),
    }
}

/// The files a certificate is about, with their digests, relative to the workspace root:
/// `Cargo.lock`, the root `Cargo.toml` (a virtual workspace's too), and every file of every path
/// package screened (workspace members and path dependencies: their manifests and sources), as
/// the deep scan walks them: links not followed, the target directory, `.git` and the
/// directories of other screened packages left out (those are subjects of their own). `exclude`
/// names files that are not the product's: the certificate itself and its keys.
pub fn subjects(
    o: &Outcome,
    exclude: &[Utf8PathBuf],
    limits: &Limits,
) -> Result<Vec<Subject>, InputError> {
    let root = &o.workspace_root;
    let mut files = Vec::new();
    for f in [root.join("Cargo.lock"), root.join("Cargo.toml")] {
        if f.is_file() {
            files.push(f);
        }
    }
    files.extend(o.member_manifests.iter().cloned());
    let excluded: Vec<std::path::PathBuf> = exclude
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    for dir in &o.path_sources {
        source_files(dir, o, &excluded, &mut files);
    }
    files.sort();
    files.dedup();
    files
        .iter()
        .map(|f| {
            Ok(Subject {
                name: rel_up(root, f),
                digest: [("sha256".to_string(), sha256_file(f, limits)?)].into(),
            })
        })
        .collect()
}

/// The regular files of one path package's directory (see [`subjects`]).
fn source_files(
    dir: &Utf8Path,
    o: &Outcome,
    excluded: &[std::path::PathBuf],
    out: &mut Vec<Utf8PathBuf>,
) {
    let skip_dir = |p: &Utf8Path| {
        o.target_dir.as_deref() == Some(p)
            || o.path_sources.iter().any(|s| s != dir && s == p)
            || p.file_name() == Some(".git")
    };
    let mut walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(Ok(entry)) = walk.next() {
        let Some(path) = Utf8Path::from_path(entry.path()) else {
            continue;
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            if entry.depth() > 0 && skip_dir(path) {
                walk.skip_current_dir();
            }
        } else if ft.is_file()
            && !excluded.iter().any(|x| {
                x.file_name() == entry.path().file_name()
                    && std::fs::canonicalize(entry.path()).is_ok_and(|c| &c == x)
            })
        {
            out.push(path.to_path_buf());
        }
    }
}

/// `path` relative to `root`, `/`-separated, with `..` for a path dependency outside it, so a
/// certificate verifies wherever the tree is checked out.
fn rel_up(root: &Utf8Path, path: &Utf8Path) -> String {
    if path.starts_with(root) {
        return rel(root, path);
    }
    let a: Vec<_> = root.components().collect();
    let b: Vec<_> = path.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return rel(root, path);
    }
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(b[common..].iter().map(|c| c.as_str().to_string()));
    parts.join("/")
}

/// A finding's fingerprint: the one scheme, shared with SARIF and JSON (see
/// [`crate::outcome::fingerprint`]).
pub use crate::outcome::fingerprint;

fn waiver_record(root: &Utf8Path, w: &crate::policy::Waiver) -> WaiverRecord {
    WaiverRecord {
        package: Some(w.package.clone()),
        version: w.version.clone(),
        entity: w.entity.clone(),
        evidence: w.evidence.clone(),
        reason: w.reason.clone(),
        basis: w.basis.clone(),
        approved_by: w.approved_by.clone(),
        expires: w.expires,
        at: rel_at(root, &w.at),
        expired: false,
    }
}

/// `text` with the workspace root's prefix taken off every path in it.
fn strip_root(root: &Utf8Path, text: &str) -> String {
    text.replace(&format!("{root}/"), "")
        .replace(&format!("{root}\\"), "")
}

/// Every waiver (in the order configured), then every `[[ignore]]` entry, that decided a
/// finding's verdict or took a package that could not be scanned off the count, each with the
/// findings it accepted and the verdict each would have had without it. A waiver that matched
/// only after it expired accepted nothing and is left out.
pub fn acceptances(
    root: &Utf8Path,
    findings: &[crate::policy::Finding],
    waivers: &[crate::policy::Waiver],
    ignores: &[crate::policy::ignore::Ignore],
    ignored_unscanned: &[crate::outcome::IgnoredUnscanned],
) -> Vec<AcceptanceRecord> {
    let accepted = |verdict: Verdict, at: &str| -> Vec<AcceptedFinding> {
        let mut v: Vec<AcceptedFinding> = findings
            .iter()
            .filter(|f| f.verdict == verdict && f.waiver.as_ref().is_some_and(|w| w.at == at))
            .map(|f| AcceptedFinding {
                package: f.package.name.clone(),
                version: f.package.version.clone(),
                fingerprint: fingerprint(f),
                entity: f.matched.entity.id.clone(),
                would_be: f.would_be.unwrap_or(verdict).as_str().to_string(),
            })
            .collect();
        v.sort();
        v.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        v
    };
    let mut out = Vec::new();
    for w in waivers {
        let findings = accepted(Verdict::Waived, &w.at);
        if findings.is_empty() {
            continue;
        }
        out.push(AcceptanceRecord {
            kind: "waiver".into(),
            at: rel_at(root, &w.at),
            reason: w.reason.clone(),
            basis: w.basis.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires,
            findings,
            not_scanned: Vec::new(),
        });
    }
    for i in ignores {
        let findings = accepted(Verdict::Ignored, &i.at);
        let mut not_scanned: Vec<crate::outcome::NotScanned> = ignored_unscanned
            .iter()
            .filter(|u| u.at == i.at)
            .map(|u| crate::outcome::NotScanned {
                name: u.name.clone(),
                version: u.version.clone(),
                reason: strip_root(root, &u.reason),
            })
            .collect();
        not_scanned.sort();
        not_scanned.dedup();
        if findings.is_empty() && not_scanned.is_empty() {
            continue;
        }
        out.push(AcceptanceRecord {
            kind: "ignore".into(),
            at: rel_at(root, &i.at),
            reason: i.reason.clone(),
            basis: None,
            approved_by: i.approved_by.clone(),
            expires: i.expires,
            findings,
            not_scanned,
        });
    }
    out
}

fn records(o: &Outcome) -> Vec<FindingRecord> {
    let root = &o.workspace_root;
    let mut v: Vec<FindingRecord> = o
        .findings
        .iter()
        .map(|f| FindingRecord {
            fingerprint: fingerprint(f),
            verdict: f.verdict.as_str().to_string(),
            package: f.package.name.clone(),
            version: f.package.version.clone(),
            entity: f.matched.entity.id.clone(),
            confidence: f.matched.confidence.as_str().to_string(),
            evidence: format!("{}: {}", f.matched.evidence.field, f.matched.evidence.text),
            location: f.matched.evidence.location.as_ref().map(|l| match l.line {
                Some(n) => format!("{}:{n}", l.file),
                None => l.file.clone(),
            }),
            // The reason may quote where a waiver is written: relative, like every path here.
            reason: strip_root(root, &f.reason),
            waiver: f.waiver.as_ref().map(|w| WaiverRecord {
                package: None,
                version: None,
                entity: None,
                evidence: None,
                reason: w.reason.clone(),
                basis: w.basis.clone(),
                approved_by: w.approved_by.clone(),
                expires: w.expires,
                at: rel_at(root, &w.at),
                expired: w.expired,
            }),
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn counts(o: &Outcome) -> Counts {
    let count = |v: Verdict| o.findings.iter().filter(|f| f.verdict == v).count();
    Counts {
        packages_screened: o.packages_screened,
        fail: count(Verdict::Fail),
        warn: count(Verdict::Warn),
        waived: count(Verdict::Waived),
        exempt: count(Verdict::Exempt),
        info: count(Verdict::Info),
        ignored: count(Verdict::Ignored),
        not_scanned: o.not_scanned.len(),
    }
}

fn policy_record(o: &Outcome) -> PolicyRecord {
    let mut p = PolicyRecord {
        digest: String::new(),
        fail_on: o
            .policy
            .fail_on
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        dev_dependencies_fail: o.policy.dev_dependencies_fail,
        fail_on_unscanned: o.policy.fail_on_unscanned,
        waivers: o
            .policy
            .waivers
            .iter()
            .map(|w| waiver_record(&o.workspace_root, w))
            .collect(),
    };
    p.digest = policy_digest(&p);
    p
}

/// `sha256:` of a policy record without its digest (serde_json writes struct fields in a fixed
/// order, so this is canonical).
fn policy_digest(p: &PolicyRecord) -> String {
    let mut p = p.clone();
    p.digest = String::new();
    let json = serde_json::to_vec(&p).unwrap_or_default();
    format!("sha256:{}", hex::encode(Sha256::digest(json)))
}

/// The configuration's content digest, from where it was read (`config.origin`: a file, or
/// `Cargo.toml [workspace.metadata.entitycheck]`).
fn config_record(o: &Outcome, limits: &Limits) -> Result<Option<ConfigRecord>, InputError> {
    let Some(origin) = o.config_origin.as_deref() else {
        return Ok(None);
    };
    const TABLES: [(&str, &str); 2] = [
        (" [workspace.metadata.entitycheck]", "workspace"),
        (" [package.metadata.entitycheck]", "package"),
    ];
    let table = TABLES
        .iter()
        .find_map(|(suffix, top)| origin.strip_suffix(suffix).map(|p| (p, *suffix, *top)));
    let path = Utf8Path::new(table.map_or(origin, |t| t.0));
    // As the configuration was read: bounded, a regular file (a `--config` link followed).
    let bytes = crate::fsio::read_named(path, crate::fsio::ReadKind::Config, limits)
        .map_err(|e| InputError::read(path, e))?;
    let (digest, shown) = match table {
        None => (Sha256::digest(&bytes), rel(&o.workspace_root, path)),
        Some((_, suffix, top)) => {
            // Only the table: the rest of the root Cargo.toml is not configuration (and a member's
            // manifest is a subject of its own).
            let text = String::from_utf8_lossy(&bytes);
            let t: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| InputError::Toml {
                    path: path.to_string(),
                    message: e.to_string(),
                })?;
            let value = t
                .get(top)
                .and_then(|v| v.get("metadata"))
                .and_then(|v| v.get("entitycheck"));
            let json = serde_json::to_vec(&value).unwrap_or_default();
            (
                Sha256::digest(json),
                format!("{}{suffix}", rel(&o.workspace_root, path)),
            )
        }
    };
    Ok(Some(ConfigRecord {
        path: shown,
        digest: format!("sha256:{}", hex::encode(digest)),
    }))
}

/// The predicate a screening states, with the fields no screening can recompute given.
fn predicate(
    o: &Outcome,
    made: &Made,
    made_at: DateTime<FixedOffset>,
    valid_until: NaiveDate,
    limits: &Limits,
) -> Result<Predicate, InputError> {
    Ok(Predicate {
        tool: ToolRecord {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        lists: o
            .lists
            .iter()
            .map(|l| ListRecord {
                id: l.list.id.clone(),
                version: l.list.version.clone(),
                updated: l.list.updated,
                digest: l.list.digest.clone(),
            })
            .collect(),
        policy: policy_record(o),
        configuration: config_record(o, limits)?,
        as_of: o.policy.as_of,
        as_of_requested: !made_on(o.policy.as_of, &made_at),
        made_at: made_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        valid_until,
        result: if o.failed() { "fail" } else { "pass" }.into(),
        certifier: made.certifier.clone(),
        counts: counts(o),
        findings: records(o),
        not_scanned: o.not_scanned.clone(),
        scope: o.scope.clone(),
        narrowings: o.scope.narrowings(),
        narrowed_because: made.narrowed_because.clone(),
        limits: LIMITS.to_string(),
        acceptances: acceptances(
            &o.workspace_root,
            &o.findings,
            &o.policy.waivers,
            &o.ignores,
            &o.ignored_unscanned,
        ),
    })
}

/// What the certifier states that no screening can recompute.
#[derive(Debug, Clone, Default)]
pub struct Made {
    /// `--certifier`.
    pub certifier: Option<String>,
    /// `--narrowed-scope`: why a screening narrower than a full one is certified.
    pub narrowed_because: Option<String>,
}

/// Why a certificate cannot be written: the screening is narrower than a full one and no one
/// said why.
pub fn refuse_narrowed(o: &Outcome, made: &Made) -> Option<String> {
    let n = o.scope.narrowings();
    if n.is_empty() || made.narrowed_because.is_some() {
        return None;
    }
    Some(format!(
        "the screening is narrower than a full one ({}): a certificate of it would read as a full pass; to certify it anyway, state why with --narrowed-scope \"WHY\" (recorded in the certificate and printed by `verify`)",
        n.join("; ")
    ))
}

/// Builds the certificate of a check made at `now`, valid for `valid_days` days after the day
/// it was made.
///
/// `exclude`: files in the tree that are not the product (the certificate's own file, keys).
pub fn certify(
    o: &Outcome,
    made: &Made,
    now: DateTime<FixedOffset>,
    valid_days: u32,
    exclude: &[Utf8PathBuf],
    limits: &Limits,
) -> Result<Statement, InputError> {
    let valid_until = now.date_naive() + chrono::Days::new(u64::from(valid_days));
    Ok(Statement {
        type_: STATEMENT_TYPE.into(),
        subject: subjects(o, exclude, limits)?,
        predicate_type: PREDICATE_TYPE.into(),
        predicate: predicate(o, made, now, valid_until, limits)?,
    })
}

/// A certificate as read from its file: the Statement and what carried it.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub statement: Statement,
    pub container: dsse::Container,
}

/// Reads a certificate file: a bare Statement, a DSSE envelope, or a Sigstore bundle holding
/// one. The payload is parsed whatever the signature; [`check_signature`] checks that.
pub fn read(text: &str, origin: &str) -> Result<Certificate, InputError> {
    let invalid = |msg: String| InputError::Invalid {
        path: origin.to_string(),
        problems: vec![msg],
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "{origin}:{}: not a cargo-entitycheck certificate: {e}",
            e.line()
        ))
    })?;
    let (container, payload) = dsse::open(&value).map_err(|e| invalid(format!("{origin}: {e}")))?;
    let statement = match payload {
        None => parse(text, origin)?,
        Some(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| invalid(format!("{origin}: the envelope's payload is not UTF-8")))?;
            parse(&text, &format!("{origin} (envelope payload)"))?
        }
    };
    Ok(Certificate {
        statement,
        container,
    })
}

/// Parses a bare Statement. Its type and predicate type are checked first, so a certificate of
/// an earlier predicate version is named as such rather than failing on a field.
pub fn parse(text: &str, origin: &str) -> Result<Statement, InputError> {
    let invalid = |problems: Vec<String>| InputError::Invalid {
        path: origin.to_string(),
        problems,
    };
    let not_ours = |e: serde_json::Error| {
        invalid(vec![format!(
            "{origin}:{}: not a cargo-entitycheck certificate: {e}",
            e.line()
        )])
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(not_ours)?;
    let mut problems = Vec::new();
    match value.get("_type").and_then(serde_json::Value::as_str) {
        Some(STATEMENT_TYPE) => {}
        other => problems.push(format!(
            "_type is `{}`, expected `{STATEMENT_TYPE}`",
            other.unwrap_or("(absent)")
        )),
    }
    match value.get("predicateType").and_then(serde_json::Value::as_str) {
        Some(PREDICATE_TYPE) => {}
        Some(t) => match EARLIER_PREDICATE_TYPES.iter().find(|(u, _)| *u == t) {
            Some((_, v)) => problems.push(format!(
                "a certificate of predicate {v} (`{t}`), written by an earlier version of cargo-entitycheck: certify again (this version verifies predicate {PREDICATE_VERSION} only)"
            )),
            None => problems.push(format!(
                "predicateType is `{t}`, expected `{PREDICATE_TYPE}`"
            )),
        },
        None => problems.push(format!(
            "predicateType is absent, expected `{PREDICATE_TYPE}`"
        )),
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    serde_json::from_str(text).map_err(not_ours)
}

/// One check `verify` made.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub ok: bool,
    pub what: String,
}

/// The signature check: with a key, a signature of the envelope must verify with it (a bare
/// Statement fails: it is not signed); without one, the check passes but says, in its text,
/// that the signature was NOT checked.
pub fn check_signature(cert: &Certificate, key: Option<&dsse::VerifyingKey>) -> Check {
    let what = cert.container.describe();
    match (cert.container.envelope(), key) {
        (None, None) => Check {
            ok: true,
            what: format!("{what}: no signature to check"),
        },
        (None, Some(_)) => Check {
            ok: false,
            what: format!("{what}: --key was given but the certificate is not signed"),
        },
        (Some(env), None) => Check {
            ok: true,
            what: format!(
                "{what} with {} signature(s): signature NOT checked (pass --key PUBLIC_KEY.pem to check it); the payload was",
                env.signatures.len()
            ),
        },
        (Some(env), Some(k)) => match dsse::check(env, k) {
            Ok(i) => Check {
                ok: true,
                what: format!(
                    "{what}: signature {} verifies with the {} key {}",
                    i + 1,
                    k.algorithm(),
                    dsse::short(&k.keyid())
                ),
            },
            Err(e) => Check {
                ok: false,
                what: format!("{what}: {e}"),
            },
        },
    }
}

/// One line for a waiver or ignore entry a certificate records: what it accepted, on what
/// basis, by whose approval, until when.
fn describe_acceptance(a: &AcceptanceRecord) -> String {
    let failing = a.findings.iter().filter(|f| f.would_be == "fail").count();
    let mut what = Vec::new();
    if !a.findings.is_empty() {
        let mut packages: Vec<String> = a
            .findings
            .iter()
            .map(|f| format!("{} {}", f.package, f.version))
            .collect();
        packages.dedup();
        what.push(format!(
            "{} finding{} ({failing} that would fail) in {}",
            a.findings.len(),
            if a.findings.len() == 1 { "" } else { "s" },
            packages.join(", ")
        ));
    }
    if !a.not_scanned.is_empty() {
        let packages: Vec<String> = a
            .not_scanned
            .iter()
            .map(|n| format!("{} {}", n.name, n.version))
            .collect();
        what.push(format!("not scanned: {}", packages.join(", ")));
    }
    format!(
        "{} at {} accepts {}: reason \"{}\"{}, approved by {}, {}",
        a.kind,
        a.at,
        what.join("; "),
        a.reason,
        a.basis
            .as_deref()
            .map(|b| format!(", basis \"{b}\""))
            .unwrap_or_default(),
        a.approved_by.as_deref().unwrap_or("nobody named"),
        a.expires
            .map(|d| format!("expires {d}"))
            .unwrap_or_else(|| "no expiry".to_string())
    )
}

/// At most this many differences are listed per part of the predicate; the rest are counted.
const MAX_LISTED: usize = 20;

/// Whether `as_of` is the day a certificate was made: the as-of date is a day in US Eastern time
/// (the effective dates' zone), and certificates made before that rule took the day at the
/// offset `madeAt` is written in; either reading is the day it was made.
fn made_on(as_of: NaiveDate, made_at: &DateTime<FixedOffset>) -> bool {
    as_of == made_at.date_naive() || as_of == crate::policy::us_eastern_date(made_at.to_utc())
}

/// Compares a certificate with a fresh screening of the same tree, run at the certificate's
/// as-of date. `now` is the verification time; `max_age_days` bounds how old the certificate's
/// lists may be.
#[allow(clippy::too_many_arguments)]
pub fn verify(
    st: &Statement,
    o: &Outcome,
    artefacts: &[Subject],
    builtin: &EntityList,
    now: DateTime<FixedOffset>,
    max_age_days: Option<i64>,
    asked: &Scope,
    exclude: &[Utf8PathBuf],
    limits: &Limits,
) -> Result<Vec<Check>, InputError> {
    let mut checks = Vec::new();
    let mut push = |ok: bool, what: String| checks.push(Check { ok, what });
    let p = &st.predicate;
    let today = crate::policy::us_eastern_date(now.to_utc());

    // 0. What it covers (from its scope, not from what it says of it), and whether this
    // verification was asked to cover less.
    let narrowings = p.scope.narrowings();
    if narrowings.is_empty() {
        push(
            true,
            "scope: a full screening (deep scan, every platform, every member, default features, the built-in list)"
                .to_string(),
        );
    } else {
        push(
            p.narrowed_because.is_some(),
            format!(
                "scope NARROWED: {}; stated reason: {}",
                narrowings.join("; "),
                p.narrowed_because
                    .as_deref()
                    .unwrap_or("(none: the certificate is invalid)")
            ),
        );
    }
    for less in asked.less_than(&p.scope) {
        push(
            false,
            format!("asked to verify less than the certificate covers: {less}"),
        );
    }
    // What was accepted rather than found clean, and on whose word (recomputed with the rest
    // of the predicate below).
    for a in &p.acceptances {
        push(true, describe_acceptance(a));
    }

    // 1. The files screened are the files here.
    let here: BTreeMap<String, String> = subjects(o, exclude, limits)?
        .into_iter()
        .chain(artefacts.iter().cloned())
        .map(|s| (s.name, s.digest.get("sha256").cloned().unwrap_or_default()))
        .collect();
    for s in &st.subject {
        match (s.digest.get("sha256"), here.get(&s.name)) {
            (Some(a), Some(b)) if a == b => {
                push(true, format!("{} matches its certified digest", s.name))
            }
            (Some(_), Some(_)) => push(
                false,
                format!("{} changed since it was certified (sha256 differs)", s.name),
            ),
            (_, None) => push(
                false,
                format!("{} was certified but is not in the tree now", s.name),
            ),
            (None, _) => push(
                false,
                format!("{} has no sha256 digest in the certificate", s.name),
            ),
        }
    }
    let certified: BTreeSet<&str> = st.subject.iter().map(|s| s.name.as_str()).collect();
    for name in here.keys().filter(|n| !certified.contains(n.as_str())) {
        push(
            false,
            format!("{name} is in the tree but was not certified"),
        );
    }

    // 2. When it was made, the date it speaks for, and until when.
    let made_at = DateTime::parse_from_rfc3339(&p.made_at);
    match &made_at {
        Err(_) => push(
            false,
            format!("madeAt `{}` is not an RFC 3339 time", p.made_at),
        ),
        Ok(t) => {
            let made = crate::policy::us_eastern_date(t.to_utc());
            // A day of slack for clocks in different time zones.
            if made > today + chrono::Days::new(1) {
                push(
                    false,
                    format!("madeAt {} is in the future (today is {today})", p.made_at),
                );
            } else {
                push(true, format!("made at {}", p.made_at));
            }
            if p.as_of_requested == made_on(p.as_of, t) {
                push(
                    false,
                    format!(
                        "asOfRequested is {} but asOf {} is {} the day it was made ({made})",
                        p.as_of_requested,
                        p.as_of,
                        if made_on(p.as_of, t) { "" } else { "not" }
                    ),
                );
            } else if p.as_of_requested {
                push(
                    true,
                    format!(
                        "made on {made} for another date (--as-of {}): also evaluated at the verification date, {today}",
                        p.as_of
                    ),
                );
            }
            if p.valid_until < made {
                push(
                    false,
                    format!(
                        "validUntil {} is before the day it was made ({made})",
                        p.valid_until
                    ),
                );
            }
        }
    }
    if today > p.valid_until {
        push(
            false,
            format!(
                "the certificate expired on {} (today is {today})",
                p.valid_until
            ),
        );
    } else {
        push(true, format!("valid until {}", p.valid_until));
    }

    // 3. The lists it used are current.
    for l in &p.lists {
        if l.id == builtin.list.id {
            if l.updated < builtin.list.updated {
                push(
                    false,
                    format!(
                        "list {} {} (updated {}) is older than the built-in {} (updated {})",
                        l.id, l.version, l.updated, builtin.list.version, builtin.list.updated
                    ),
                );
            } else {
                push(
                    true,
                    format!(
                        "list {} {} is not older than the built-in list",
                        l.id, l.version
                    ),
                );
            }
        }
        if let Some(days) = max_age_days {
            let age = (today - l.updated).num_days();
            push(
                age <= days,
                format!(
                    "list {} {} is {age} days old (limit {days})",
                    l.id, l.version
                ),
            );
        }
    }

    // 4. Screening again states the same: every field a screening determines, recomputed.
    let made_at = made_at.unwrap_or(now);
    let made = Made {
        certifier: p.certifier.clone(),
        narrowed_because: p.narrowed_because.clone(),
    };
    let fresh = predicate(o, &made, made_at, p.valid_until, limits)?;
    push(
        fresh.result == p.result,
        format!(
            "re-screening gives `{}` (certified: `{}`)",
            fresh.result, p.result
        ),
    );
    let mut differences = Vec::new();
    compare_predicates(p, &fresh, &mut differences);
    if differences.is_empty() {
        push(
            true,
            format!(
                "re-screening reproduces every field of the predicate ({} findings, counts, lists, policy, waivers, configuration)",
                p.findings.len()
            ),
        );
    } else {
        let n = differences.len();
        for d in differences.into_iter().take(MAX_LISTED) {
            push(false, d);
        }
        if n > MAX_LISTED {
            push(false, format!("… and {} more differences", n - MAX_LISTED));
        }
    }

    // 5. What holds at the verification date. Waivers expire and restrictions come into force:
    // a certificate stating `pass` must still pass today.
    if today != p.as_of {
        let mut policy = o.policy.clone();
        policy.as_of = today;
        let policy = policy.with_waivers(o.policy.waivers.clone());
        let mut worse = Vec::new();
        // Each package's findings are decided again together, as the screening decided them:
        // exemption and a person's corroboration are properties of the whole package.
        let mut by_package: BTreeMap<&str, Vec<&crate::policy::Finding>> = BTreeMap::new();
        for f in &o.findings {
            by_package.entry(f.package.id.as_str()).or_default().push(f);
        }
        let mut decided_again: Vec<crate::policy::Finding> = Vec::new();
        for fs in by_package.values() {
            decided_again.extend(crate::policy::decide_package(
                &policy,
                &o.lists,
                fs[0].package.clone(),
                fs[0].path.clone(),
                fs.iter().map(|f| f.matched.clone()).collect(),
            ));
        }
        for f in &o.findings {
            let same = |g: &&crate::policy::Finding| {
                g.package.id == f.package.id
                    && g.matched.entity == f.matched.entity
                    && g.matched.identifier == f.matched.identifier
                    && g.matched.evidence == f.matched.evidence
            };
            let Some(again) = decided_again.iter().find(same) else {
                continue;
            };
            // Only what would fail the build: a waived warning that lapsed into a warning does
            // not change the result the certificate states.
            if again.verdict == Verdict::Fail && f.verdict != Verdict::Fail {
                let why = match (&f.waiver, &again.waiver) {
                    (Some(w), _) if w.expires.is_some_and(|d| d < today) => format!(
                        "its waiver ({}) expired on {}",
                        rel_at(&o.workspace_root, &w.at),
                        w.expires.unwrap_or(today)
                    ),
                    _ => again.reason.to_string(),
                };
                worse.push(format!(
                    "at the verification date {today}, {} {} ({}) is `{}`, not `{}`: {why}",
                    f.package.name,
                    f.package.version,
                    f.matched.entity.id,
                    again.verdict.as_str(),
                    f.verdict.as_str()
                ));
            }
        }
        if worse.is_empty() {
            push(
                true,
                format!("the findings' verdicts still hold at the verification date, {today}"),
            );
        }
        for w in worse {
            push(false, w);
        }
    }
    Ok(checks)
}

/// Lists every field where the certificate and the fresh predicate differ, by name. Findings
/// are paired by fingerprint, so one finding more or less does not shift the others.
fn compare_predicates(cert: &Predicate, fresh: &Predicate, out: &mut Vec<String>) {
    let mut a = serde_json::to_value(cert).unwrap_or_default();
    let mut b = serde_json::to_value(fresh).unwrap_or_default();
    // `result` has its own check; the findings are compared below.
    for v in [&mut a, &mut b] {
        if let Some(o) = v.as_object_mut() {
            o.remove("result");
            o.remove("findings");
        }
    }
    diff("predicate", &a, &b, out);

    let by_fp = |rs: &[FindingRecord]| -> (BTreeMap<String, serde_json::Value>, usize) {
        let mut m = BTreeMap::new();
        let mut dup = 0;
        for r in rs {
            if m.insert(
                r.fingerprint.clone(),
                serde_json::to_value(r).unwrap_or_default(),
            )
            .is_some()
            {
                dup += 1;
            }
        }
        (m, dup)
    };
    let (a, dup) = by_fp(&cert.findings);
    let (b, _) = by_fp(&fresh.findings);
    if dup > 0 {
        out.push(format!(
            "predicate.findings: {dup} fingerprints appear more than once in the certificate"
        ));
    }
    for (fp, ra) in &a {
        let name = |r: &serde_json::Value| {
            format!(
                "{} {} ({})",
                r["package"].as_str().unwrap_or("?"),
                r["version"].as_str().unwrap_or("?"),
                r["entity"].as_str().unwrap_or("?")
            )
        };
        match b.get(fp) {
            Some(rb) => diff(&format!("predicate.findings[{fp}]"), ra, rb, out),
            None => out.push(format!(
                "predicate.findings[{fp}]: certified finding {} is not found by re-screening",
                name(ra)
            )),
        }
    }
    for (fp, rb) in b.iter().filter(|(fp, _)| !a.contains_key(*fp)) {
        out.push(format!(
            "predicate.findings[{fp}]: re-screening finds {} `{}` {} ({}), not in the certificate",
            rb["verdict"].as_str().unwrap_or("?"),
            rb["package"].as_str().unwrap_or("?"),
            rb["version"].as_str().unwrap_or("?"),
            rb["entity"].as_str().unwrap_or("?"),
        ));
    }
}

fn show(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::Null => "(absent)".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                diff(
                    &format!("{path}.{k}"),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!(
                    "{path}: the certificate has {} entries, re-screening {}",
                    x.len(),
                    y.len()
                ));
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!(
            "{path}: certified `{}`, re-screening gives `{}`",
            show(a),
            show(b)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::EntityList;
    use crate::evidence::{Evidence, Location, Role, Shape};
    use crate::graph::{DepKind, SourceKind};
    use crate::outcome::IgnoredUnscanned;
    use crate::policy::ignore::Ignore;
    use crate::policy::{Finding, PackageRef, Policy, Waiver, WaiverRef};

    fn waiver(at: &str, basis: Option<&str>, expires: Option<&str>) -> Waiver {
        Waiver {
            package: "pkg".into(),
            version: None,
            version_req: None,
            entity: None,
            evidence: Some("authors".into()),
            reason: format!("reason at {at}"),
            basis: basis.map(Into::into),
            approved_by: Some("Jane".into()),
            expires: expires.map(|d| d.parse().unwrap()),
            at: at.into(),
        }
    }

    /// One finding of `pkg` whose evidence is `text` in `field`, decided under `waivers`.
    fn finding(field: &str, text: &str, file: Option<&str>, waivers: Vec<Waiver>) -> Finding {
        let lists = vec![EntityList::builtin().unwrap()];
        let matcher = crate::matching::Matcher::new(&lists);
        let shape = if field == "authors" {
            Shape::Author
        } else {
            Shape::Text
        };
        let mut ev = Evidence::new(field, Role::Attribution, shape, text);
        ev.location = file.map(|f| Location {
            file: f.into(),
            line: Some(1),
        });
        let m = matcher
            .match_evidence(&ev)
            .into_iter()
            .find(|m| m.entity.id == "ao-kaspersky-lab")
            .unwrap();
        let policy = Policy::new("2026-01-01".parse().unwrap()).with_waivers(waivers);
        let package = PackageRef {
            name: "pkg".into(),
            version: "1.0.0".into(),
            id: "pkg 1.0.0".into(),
            kind: DepKind::Normal,
            source: SourceKind::Path,
        };
        crate::policy::decide(&policy, &lists, package, Vec::new(), m)
    }

    #[test]
    fn acceptances_name_each_entry_that_decided_a_verdict_and_what_it_accepted() {
        let root = Utf8Path::new("/ws");
        let used = waiver("/ws/e.toml:1", Some("counsel LGL-88"), Some("2099-01-01"));
        let unused = waiver("/ws/e.toml:5", None, None);
        let lapsed = waiver("/ws/e.toml:7", None, Some("2025-01-01"));
        let waived = finding("authors", "AO Kaspersky Lab", None, vec![used.clone()]);
        assert_eq!(waived.verdict, Verdict::Waived);
        let expired = finding("authors", "AO Kaspersky Lab", None, vec![lapsed.clone()]);
        assert_eq!(expired.verdict, Verdict::Fail);
        assert!(expired.waiver.as_ref().unwrap().expired);
        // An ignore entry's finding, as `policy::ignore::apply` leaves it.
        let mut ignored = finding(
            "notice",
            "Copyright (c) 2024 AO Kaspersky Lab",
            Some("tests/n.txt"),
            vec![],
        );
        ignored.would_be = Some(ignored.verdict);
        ignored.verdict = Verdict::Ignored;
        ignored.waiver = Some(WaiverRef {
            at: "/ws/e.toml:9".into(),
            reason: "test data".into(),
            basis: None,
            approved_by: Some("QA".into()),
            expires: None,
            expired: false,
        });
        let ignores = vec![
            Ignore {
                package: "pkg".into(),
                reason: "test data".into(),
                approved_by: Some("QA".into()),
                at: "/ws/e.toml:9".into(),
                ..Default::default()
            },
            Ignore {
                package: "pkg".into(),
                reason: "stale".into(),
                at: "/ws/e.toml:12".into(),
                ..Default::default()
            },
        ];
        let unscanned = vec![IgnoredUnscanned {
            name: "pkg".into(),
            version: "1.0.0".into(),
            reason: "/ws/pkg/tests/big.bin is larger than 1000 bytes".into(),
            at: "/ws/e.toml:9".into(),
        }];
        let findings = vec![waived.clone(), expired, ignored.clone()];
        let got = acceptances(
            root,
            &findings,
            &[used, unused, lapsed],
            &ignores,
            &unscanned,
        );
        // The unused and the expired waiver, and the ignore entry that covered nothing, accepted
        // nothing: not listed.
        let at: Vec<&str> = got.iter().map(|a| a.at.as_str()).collect();
        assert_eq!(at, ["e.toml:1", "e.toml:9"]);
        let w = &got[0];
        assert_eq!(
            (
                w.kind.as_str(),
                w.basis.as_deref(),
                w.approved_by.as_deref()
            ),
            ("waiver", Some("counsel LGL-88"), Some("Jane"))
        );
        assert_eq!(w.expires, "2099-01-01".parse().ok());
        assert_eq!(
            w.findings,
            [AcceptedFinding {
                package: "pkg".into(),
                version: "1.0.0".into(),
                fingerprint: fingerprint(&waived),
                entity: "ao-kaspersky-lab".into(),
                would_be: "fail".into(),
            }]
        );
        let i = &got[1];
        assert_eq!((i.kind.as_str(), i.basis.as_deref()), ("ignore", None));
        assert_eq!(i.findings.len(), 1);
        assert_eq!(i.findings[0].fingerprint, fingerprint(&ignored));
        assert_eq!(i.findings[0].would_be, "fail");
        assert_eq!(
            i.not_scanned,
            [crate::outcome::NotScanned {
                name: "pkg".into(),
                version: "1.0.0".into(),
                reason: "pkg/tests/big.bin is larger than 1000 bytes".into(),
            }]
        );
        assert!(describe_acceptance(w).starts_with(
            "waiver at e.toml:1 accepts 1 finding (1 that would fail) in pkg 1.0.0: reason \"reason at /ws/e.toml:1\", basis \"counsel LGL-88\", approved by Jane, expires 2099-01-01"
        ));
        assert!(describe_acceptance(i).contains("; not scanned: pkg 1.0.0"));
    }

    #[test]
    fn an_earlier_predicate_type_is_named() {
        let text = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"urn:cargo-entitycheck:predicate:entity-screening:v2","predicate":{}}"#;
        let e = parse(text, "c.json").unwrap_err().to_string();
        assert!(
            e.contains("a certificate of predicate v2") && e.contains("certify again"),
            "{e}"
        );
        let e = parse(&text.replace("urn:cargo", "urn:other"), "c.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected `https://docs.rs/"), "{e}");
    }
}
