//! Policy stage, waivers: a finding the project has accepted, who decided and until when, and
//! how a waiver is applied to a failing or warning finding.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Finding, Policy, Verdict};
use crate::entity::EntityList;

/// A waiver: a finding the project has decided to accept, with who decided and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub package: String,
    /// `semver::VersionReq` as written; `None` = any version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip)]
    pub version_req: Option<semver::VersionReq>,
    /// An entity id (or its group's id); `None` = any entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// An evidence field (`authors`, `notice`, `PE VERSIONINFO`…, matched as a prefix); `None` = any.
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
    /// Where it is written: `file:line`.
    pub at: String,
}

/// The waiver that decided a finding's fate, as reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WaiverRef {
    pub at: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    /// True when the waiver matched but had expired on the as-of date (so it did not apply).
    pub expired: bool,
}

/// Applies the first waiver that covers a failing or warning finding. An expired waiver is
/// recorded on the finding (so the report can say so) but does not change its verdict.
pub(super) fn apply_waivers(policy: &Policy, lists: &[EntityList], f: &mut Finding) {
    if !matches!(f.verdict, Verdict::Fail | Verdict::Warn) {
        return;
    }
    let group = lists[f.matched.entity.list]
        .entity(&f.matched.entity.id)
        .and_then(|e| e.group.clone());
    let version = semver::Version::parse(&f.package.version).ok();
    for w in &policy.waivers {
        let covers = w.package == f.package.name
            && w.version_req
                .as_ref()
                .is_none_or(|r| version.as_ref().is_some_and(|v| r.matches(v)))
            && w.entity
                .as_deref()
                .is_none_or(|e| e == f.matched.entity.id || Some(e) == group.as_deref())
            // A waiver's `evidence` is a user-written field name (`metadata.vendor`): it is
            // compared with the field's rendered name, the name every report shows.
            && w.evidence
                .as_deref()
                .is_none_or(|ev| f.matched.evidence.field.name().starts_with(ev));
        if !covers {
            continue;
        }
        let expired = w.expires.is_some_and(|d| d < policy.as_of);
        f.waiver = Some(WaiverRef {
            at: w.at.clone(),
            reason: w.reason.clone(),
            basis: w.basis.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires,
            expired,
        });
        if expired {
            f.reason = format!(
                "{} (waiver at {} expired on {})",
                f.reason,
                w.at,
                w.expires.map(|d| d.to_string()).unwrap_or_default()
            );
        } else {
            f.reason = format!(
                "waived at {}: {} (would be {}: {})",
                w.at,
                w.reason,
                f.verdict.as_str(),
                f.reason
            );
            f.would_be = Some(f.verdict);
            f.verdict = Verdict::Waived;
        }
        return;
    }
}
