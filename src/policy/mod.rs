//! Policy stage: matches in their package context → verdicts that decide the exit code.
//!
//! A finding is data, never an error. What fails the build: attribution (confirmed or probable by
//! default) to a listed entity, in a package that ships, under a programme in force on the as-of
//! date, outside the programme's exempt categories. Everything else stays visible with the
//! reason it does not fail.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use crate::entity::EntityList;
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
    /// Outside the programme's scope (an exempt product category).
    Exempt,
    /// Informational: a mention.
    Info,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Exempt => "exempt",
            Verdict::Info => "info",
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
    /// The date the policy is evaluated at.
    pub as_of: NaiveDate,
}

impl Policy {
    pub fn new(as_of: NaiveDate) -> Policy {
        Policy {
            fail_on: [Confidence::Confirmed, Confidence::Probable].into(),
            dev_dependencies_fail: false,
            as_of,
        }
    }
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
    let in_force = dates.is_empty() || dates.iter().any(|d| d.in_force);

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
    } else if !in_force {
        let first = dates
            .first()
            .map(|d| d.date.to_string())
            .unwrap_or_default();
        (
            Verdict::Warn,
            format!("not yet in force on {} (from {first})", policy.as_of),
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
    Finding {
        verdict,
        package,
        matched: m,
        reason,
        path,
        dates,
    }
}
