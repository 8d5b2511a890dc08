//! Policy stage: matches in their package context → verdicts that decide the exit code.
//!
//! A finding is data, never an error. What fails the build: attribution (confirmed or probable by
//! default) to a listed entity, in a package that ships, under a programme in force on the as-of
//! date, outside the programme's exempt categories. Everything else stays visible with the
//! reason it does not fail.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

pub mod ignore;

use crate::entity::{EntityList, Gate};
use crate::graph::{DepKind, PathStep, SourceKind};
use crate::matching::{Confidence, Match};

/// What a finding means for the build. Ordered worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Fails the build.
    Fail,
    /// Shown as a warning; does not fail the build.
    Warn,
    /// Would fail or warn, but the project's configuration waives it (with a reason).
    Waived,
    /// Outside the programme's scope (an exempt product category).
    Exempt,
    /// Informational: a mention.
    Info,
    /// In a file an `[[ignore]]` entry says does not ship (test data): reported, never fails.
    Ignored,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Waived => "waived",
            Verdict::Exempt => "exempt",
            Verdict::Info => "info",
            Verdict::Ignored => "ignored",
        }
    }
}

/// The effective policy.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Confidences that fail the build.
    pub fail_on: BTreeSet<Confidence>,
    /// Whether findings in dev-only dependencies fail the build.
    pub dev_dependencies_fail: bool,
    /// Whether a package that could not be scanned fails the build.
    pub fail_on_unscanned: bool,
    /// The date the policy is evaluated at.
    pub as_of: NaiveDate,
    pub waivers: Vec<Waiver>,
}

impl Policy {
    pub fn new(as_of: NaiveDate) -> Policy {
        Policy {
            fail_on: [Confidence::Confirmed, Confidence::Probable].into(),
            dev_dependencies_fail: false,
            fail_on_unscanned: false,
            as_of,
            waivers: Vec::new(),
        }
    }

    pub fn with_waivers(mut self, waivers: Vec<Waiver>) -> Policy {
        self.waivers = waivers;
        self
    }
}

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
    pub approved_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    /// True when the waiver matched but had expired on the as-of date (so it did not apply).
    pub expired: bool,
}

/// The package a finding is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PackageRef {
    pub name: String,
    pub version: String,
    pub id: String,
    pub kind: DepKind,
    pub source: SourceKind,
}

/// A date of a programme that applies to a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AppliesFrom {
    pub programme: String,
    pub date: NaiveDate,
    pub effect: String,
    pub gate: Gate,
    pub in_force: bool,
}

/// One match, in its package, with the verdict and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub verdict: Verdict,
    pub package: PackageRef,
    #[serde(flatten)]
    pub matched: Match,
    /// Why this verdict, in one sentence.
    pub reason: String,
    /// The dependency path from a workspace member to the package.
    pub path: Vec<PathStep>,
    pub dates: Vec<AppliesFrom>,
    /// The waiver that matched, applied or expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRef>,
}

/// Decides the verdict of one match.
pub fn decide(
    policy: &Policy,
    lists: &[EntityList],
    package: PackageRef,
    path: Vec<PathStep>,
    m: Match,
) -> Finding {
    let list = &lists[m.entity.list];
    let entity = list.entity(&m.entity.id);
    let programmes = entity.map(|e| list.programmes_of(e)).unwrap_or_default();
    let binding: Vec<_> = programmes.iter().filter(|p| !p.context).collect();
    let mut dates: Vec<AppliesFrom> = binding
        .iter()
        .flat_map(|p| {
            p.dates.iter().map(|d| AppliesFrom {
                programme: p.id.clone(),
                date: d.date,
                effect: d.effect.clone(),
                gate: d.gate,
                in_force: d.date <= policy.as_of,
            })
        })
        .collect();
    dates.sort();
    let exempt = m.identifier.category.as_deref().and_then(|cat| {
        binding
            .iter()
            .flat_map(|p| p.exempt.iter().map(move |e| (p, e)))
            .find(|(_, e)| e.category == cat)
    });
    // The strongest gate in force: a programme without dates is in force from its listing.
    let undated = binding.iter().any(|p| p.dates.is_empty());
    let gate_in_force = dates
        .iter()
        .filter(|d| d.in_force)
        .map(|d| d.gate)
        .chain(undated.then_some(Gate::Fail))
        .max();

    let (verdict, reason) = if let Some((p, e)) = exempt {
        (
            Verdict::Exempt,
            format!("{} are outside {} ({})", e.text, p.id, e.source),
        )
    } else if m.confidence == Confidence::Mention {
        (
            Verdict::Info,
            "a mention, not an attribution: never fails the build on its own".to_string(),
        )
    } else if !policy.fail_on.contains(&m.confidence) {
        (
            Verdict::Warn,
            format!(
                "{} attribution: below the failing confidence",
                m.confidence.as_str()
            ),
        )
    } else if package.kind == DepKind::Dev && !policy.dev_dependencies_fail {
        (
            Verdict::Warn,
            "dev-dependency only: not shipped in the product".to_string(),
        )
    } else if binding.is_empty() {
        (
            Verdict::Warn,
            "the entity is listed only under context programmes".to_string(),
        )
    } else if gate_in_force != Some(Gate::Fail) {
        let fails_from = dates
            .iter()
            .filter(|d| d.gate == Gate::Fail)
            .map(|d| format!("{} ({})", d.date, d.effect))
            .next()
            .unwrap_or_else(|| "no date".into());
        let now = if gate_in_force.is_some() {
            let active: Vec<String> = dates
                .iter()
                .filter(|d| d.in_force)
                .map(|d| format!("{} since {}", d.effect, d.date))
                .collect();
            format!("in force on {}: {}", policy.as_of, active.join(", "))
        } else {
            format!("nothing in force yet on {}", policy.as_of)
        };
        (
            Verdict::Warn,
            format!("{now}; integration fails the build from {fails_from}"),
        )
    } else {
        let what = match package.kind {
            DepKind::Member => "a workspace member",
            DepKind::Build => "a build-time dependency",
            _ => "a shipped dependency",
        };
        let programmes: Vec<&str> = binding.iter().map(|p| p.id.as_str()).collect();
        (
            Verdict::Fail,
            format!(
                "{} attribution in {what}, restricted under {}",
                m.confidence.as_str(),
                programmes.join(", ")
            ),
        )
    };
    let mut finding = Finding {
        verdict,
        package,
        matched: m,
        reason,
        path,
        dates,
        waiver: None,
    };
    apply_waivers(policy, lists, &mut finding);
    finding
}

/// Applies the first waiver that covers a failing or warning finding. An expired waiver is
/// recorded on the finding (so the report can say so) but does not change its verdict.
fn apply_waivers(policy: &Policy, lists: &[EntityList], f: &mut Finding) {
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
            && w.evidence
                .as_deref()
                .is_none_or(|ev| f.matched.evidence.field.starts_with(ev));
        if !covers {
            continue;
        }
        let expired = w.expires.is_some_and(|d| d < policy.as_of);
        f.waiver = Some(WaiverRef {
            at: w.at.clone(),
            reason: w.reason.clone(),
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
            f.verdict = Verdict::Waived;
        }
        return;
    }
}
