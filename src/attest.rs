//! Report stage, attestations: a check's outcome → an in-toto Statement v1 that certifies the
//! screening (`certify`), and a certificate + the current tree → the checks that still hold
//! (`verify`).
//!
//! The statement's subjects are the SHA-256 digests of `Cargo.lock` and of every workspace
//! member's manifest: what was screened. Its predicate records the tool, the entity lists
//! (version and digest), the effective policy (digest), the as-of date, the result, every
//! finding with its fingerprint and any waiver, and who certified it.

use std::collections::{BTreeMap, BTreeSet};

use camino::Utf8Path;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Outcome;
use crate::entity::EntityList;
use crate::error::InputError;

/// in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// This tool's predicate, documented in the README ("Vendor self-certification").
pub const PREDICATE_TYPE: &str = "urn:cargo-entitycheck:predicate:entity-screening:v1";

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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Predicate {
    pub tool: ToolRecord,
    pub lists: Vec<ListRecord>,
    pub policy: PolicyRecord,
    pub as_of: NaiveDate,
    /// `pass` or `fail`.
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certifier: Option<String>,
    /// RFC 3339, UTC.
    pub timestamp: String,
    pub counts: Counts,
    pub findings: Vec<FindingRecord>,
    pub not_scanned: Vec<crate::outcome::NotScanned>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ToolRecord {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ListRecord {
    pub id: String,
    pub version: String,
    pub updated: NaiveDate,
    pub digest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRecord {
    pub digest: String,
    pub fail_on: Vec<String>,
    pub dev_dependencies_fail: bool,
    pub fail_on_unscanned: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub packages_screened: usize,
    pub fail: usize,
    pub warn: usize,
    pub waived: usize,
    pub exempt: usize,
    pub info: usize,
    pub not_scanned: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct FindingRecord {
    /// Stable across runs: what matched where (not the verdict).
    pub fingerprint: String,
    pub verdict: String,
    pub package: String,
    pub version: String,
    pub entity: String,
    pub confidence: String,
    pub evidence: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct WaiverRecord {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    pub at: String,
}

fn sha256_file(path: &Utf8Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::Io {
        path: path.to_string(),
        source: e,
    })?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

fn rel(root: &Utf8Path, path: &Utf8Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .as_str()
        .replace('\\', "/")
}

/// The files a certificate is about, with their digests, relative to the workspace root.
pub fn subjects(o: &Outcome) -> Result<Vec<Subject>, InputError> {
    let root = &o.workspace_root;
    let mut files = Vec::new();
    let lock = root.join("Cargo.lock");
    if lock.is_file() {
        files.push(lock);
    }
    files.extend(o.member_manifests.iter().cloned());
    files.sort();
    files.dedup();
    files
        .iter()
        .map(|f| {
            Ok(Subject {
                name: rel(root, f),
                digest: [("sha256".to_string(), sha256_file(f)?)].into(),
            })
        })
        .collect()
}

fn records(o: &Outcome) -> Vec<FindingRecord> {
    let mut v: Vec<FindingRecord> = o
        .findings
        .iter()
        .map(|f| FindingRecord {
            fingerprint: crate::outcome::fingerprint(f),
            verdict: f.verdict.as_str().to_string(),
            package: f.package.name.clone(),
            version: f.package.version.clone(),
            entity: f.matched.entity.id.clone(),
            confidence: f.matched.confidence.as_str().to_string(),
            evidence: format!("{}: {}", f.matched.evidence.field, f.matched.evidence.text),
            reason: f.reason.clone(),
            waiver: f.waiver.as_ref().map(|w| WaiverRecord {
                reason: w.reason.clone(),
                approved_by: w.approved_by.clone(),
                expires: w.expires,
                at: w.at.clone(),
            }),
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn counts(o: &Outcome) -> Counts {
    let s = o.summary();
    Counts {
        packages_screened: s.packages_screened,
        fail: s.fail,
        warn: s.warn,
        waived: s.waived,
        exempt: s.exempt,
        info: s.info,
        not_scanned: s.not_scanned,
    }
}

/// Builds the certificate of a check.
pub fn certify(
    o: &Outcome,
    certifier: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Statement, InputError> {
    Ok(Statement {
        type_: STATEMENT_TYPE.into(),
        subject: subjects(o)?,
        predicate_type: PREDICATE_TYPE.into(),
        predicate: Predicate {
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
            policy: PolicyRecord {
                digest: o.policy_digest.clone(),
                fail_on: o
                    .policy
                    .fail_on
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect(),
                dev_dependencies_fail: o.policy.dev_dependencies_fail,
                fail_on_unscanned: o.policy.fail_on_unscanned,
                configuration: o
                    .config_origin
                    .as_ref()
                    .map(|c| c.replace(o.workspace_root.as_str(), ".")),
            },
            as_of: o.policy.as_of,
            result: if o.failed() { "fail" } else { "pass" }.into(),
            certifier,
            timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            counts: counts(o),
            findings: records(o),
            not_scanned: o.not_scanned.clone(),
        },
    })
}

/// Parses a certificate file.
pub fn parse(text: &str, origin: &str) -> Result<Statement, InputError> {
    let st: Statement = serde_json::from_str(text).map_err(|e| InputError::Invalid {
        path: origin.to_string(),
        problems: vec![format!(
            "{origin}:{}: not a cargo-entitycheck certificate: {e}",
            e.line()
        )],
    })?;
    let mut problems = Vec::new();
    if st.type_ != STATEMENT_TYPE {
        problems.push(format!(
            "_type is `{}`, expected `{STATEMENT_TYPE}`",
            st.type_
        ));
    }
    if st.predicate_type != PREDICATE_TYPE {
        problems.push(format!(
            "predicateType is `{}`, expected `{PREDICATE_TYPE}`",
            st.predicate_type
        ));
    }
    if problems.is_empty() {
        Ok(st)
    } else {
        Err(InputError::Invalid {
            path: origin.to_string(),
            problems,
        })
    }
}

/// One check `verify` made.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub ok: bool,
    pub what: String,
}

/// Compares a certificate with a fresh check of the same tree (run at the certificate's
/// as-of date). `max_age_days` bounds how old the certificate's lists may be.
pub fn verify(
    st: &Statement,
    o: &Outcome,
    builtin: &EntityList,
    today: NaiveDate,
    max_age_days: Option<i64>,
) -> Result<Vec<Check>, InputError> {
    let mut checks = Vec::new();
    let mut push = |ok: bool, what: String| checks.push(Check { ok, what });

    // 1. The files screened are the files here.
    let now: BTreeMap<String, String> = subjects(o)?
        .into_iter()
        .map(|s| (s.name, s.digest.get("sha256").cloned().unwrap_or_default()))
        .collect();
    for s in &st.subject {
        match (s.digest.get("sha256"), now.get(&s.name)) {
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
    for name in now.keys().filter(|n| !certified.contains(n.as_str())) {
        push(
            false,
            format!("{name} is in the tree but was not certified"),
        );
    }

    // 2. The lists it used are current.
    for l in &st.predicate.lists {
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

    // 3. Screening again gives the same result.
    let fresh = certify(o, None, chrono::Utc::now())?;
    push(
        fresh.predicate.result == st.predicate.result,
        format!(
            "re-screening gives `{}` (certified: `{}`)",
            fresh.predicate.result, st.predicate.result
        ),
    );
    let key = |r: &FindingRecord| (r.fingerprint.clone(), r.verdict.clone());
    let a: BTreeSet<_> = st.predicate.findings.iter().map(key).collect();
    let b: BTreeSet<_> = fresh.predicate.findings.iter().map(key).collect();
    let gone = a.difference(&b).count();
    let new = b.difference(&a).count();
    push(
        gone == 0 && new == 0,
        if gone == 0 && new == 0 {
            format!("re-screening gives the same {} findings", a.len())
        } else {
            format!(
                "re-screening differs: {new} findings not in the certificate, {gone} certified findings no longer found"
            )
        },
    );
    Ok(checks)
}
