//! Policy stage: matches in their package context → verdicts that decide the exit code.
//!
//! A finding is data, never an error. What fails the build: attribution (confirmed or probable by
//! default) to a listed entity, in a package that ships, under a programme in force on the as-of
//! date, outside the programme's exempt categories. Everything else stays visible with the
//! reason it does not fail.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

pub mod ignore;

use crate::entity::{Entity, EntityKind, EntityList, Exemption, Gate, Programme, Stale};
use crate::graph::{DepKind, PathStep, SourceKind};
use crate::matching::{Confidence, EntityRef, Match};

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
    /// Days after which a list's age warns (`[lists] warn-age`, default 90).
    pub list_warn_age: u32,
    /// Days after which a list's age fails the build (`policy.max-list-age`).
    pub max_list_age: Option<u32>,
    pub waivers: Vec<Waiver>,
}

impl Policy {
    pub fn new(as_of: NaiveDate) -> Policy {
        Policy {
            fail_on: [Confidence::Confirmed, Confidence::Probable].into(),
            dev_dependencies_fail: false,
            fail_on_unscanned: false,
            as_of,
            list_warn_age: 90,
            max_list_age: None,
            waivers: Vec::new(),
        }
    }

    /// Records each list's age on the as-of date, and whether that age warns or fails.
    pub fn date_lists(&self, lists: &mut [EntityList]) {
        for l in lists {
            let age = l.list.age_days(self.as_of);
            l.list.age_days = Some(age);
            l.list.stale = if self.max_list_age.is_some_and(|m| age > i64::from(m)) {
                Some(Stale::Fail)
            } else if age > i64::from(self.list_warn_age) {
                Some(Stale::Warn)
            } else {
                None
            };
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

/// Which rule decided a finding's verdict (a stable code for reports and tools).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Every product of the entity the package names is in an exempt category, and nothing
    /// ties it to a covered product.
    ExemptProduct,
    /// A mention, not an attribution.
    Mention,
    /// The entry is not yet listed on the as-of date.
    NotYetListed,
    /// The entry's listing ended before the as-of date (an expired denial order).
    ListingEnded,
    /// The publisher's status only informs (a related party, a PEP).
    StatusInfo,
    /// An identifier of a person with no second, independent signal in the package: never
    /// fails, whatever `fail-on` says.
    PersonUncorroborated,
    /// Below the failing confidence.
    BelowFailOn,
    /// Only in dev-dependencies.
    DevOnly,
    /// Listed only under context programmes.
    ContextOnly,
    /// Only a warning gate applies: a due-diligence list, a date not reached.
    NotInForce,
    /// Restricted: fails the build.
    Restricted,
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
    /// Which rule decided.
    pub decided_by: Rule,
    /// The dependency path from a workspace member to the package.
    pub path: Vec<PathStep>,
    pub dates: Vec<AppliesFrom>,
    /// The waiver that matched, applied or expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRef>,
    /// The verdict this finding would have had without the exemption, waiver or ignore entry
    /// that decided it (typed, so no view parses `reason`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_be: Option<Verdict>,
}

/// Decides the verdict of one match on its own (no other evidence of its package).
pub fn decide(
    policy: &Policy,
    lists: &[EntityList],
    package: PackageRef,
    path: Vec<PathStep>,
    m: Match,
) -> Finding {
    let mut f = decide_package(policy, lists, package, path, vec![m]);
    f.pop().expect("one match gives one finding")
}

/// The entries that make up a (possibly merged) entity, each with its list.
fn members<'a>(lists: &'a [EntityList], e: &EntityRef) -> Vec<(&'a EntityList, &'a Entity)> {
    std::iter::once((e.list, e.id.as_str()))
        .chain(e.also.iter().map(|a| (a.list, a.id.as_str())))
        .filter_map(|(li, id)| {
            let list = lists.get(li)?;
            Some((list, list.entity(id)?))
        })
        .collect()
}

/// What a package integrates of one entity, decided from all its matches.
struct PackageView<'a> {
    /// Exempt-category products (or identifiers) the package names, with the exemption.
    exempt: BTreeMap<String, (&'a Programme, &'a Exemption)>,
    /// Products (or identifiers) of covered categories the package names.
    covered: BTreeSet<String>,
}

impl PackageView<'_> {
    /// Exempt only when every product named is exempt and none is covered.
    fn is_exempt(&self) -> bool {
        !self.exempt.is_empty() && self.covered.is_empty()
    }
}

/// Decides every match of one package. Exemption is a property of the package: from all its
/// matches of an entity, the products it names decide; an identifier of a person reaches the
/// failing confidence only with a second, independent signal in the same package.
pub fn decide_package(
    policy: &Policy,
    lists: &[EntityList],
    package: PackageRef,
    path: Vec<PathStep>,
    matches: Vec<Match>,
) -> Vec<Finding> {
    let mut by_entity: BTreeMap<(usize, String), Vec<Match>> = BTreeMap::new();
    for m in matches {
        by_entity
            .entry((m.entity.list, m.entity.id.clone()))
            .or_default()
            .push(m);
    }
    let mut findings = Vec::new();
    for (_, mut group) in by_entity {
        let members = members(lists, &group[0].entity);
        let binding: Vec<&Programme> = members
            .iter()
            .flat_map(|(l, e)| l.programmes_of(e))
            .filter(|p| !p.context)
            .collect();
        let mut view = PackageView {
            exempt: BTreeMap::new(),
            covered: BTreeSet::new(),
        };
        for m in &group {
            let Some(cat) = m.identifier.category.as_deref() else {
                continue;
            };
            let exemption = binding
                .iter()
                .flat_map(|p| p.exempt.iter().map(move |e| (*p, e)))
                .find(|(_, e)| e.category == cat);
            let named = format!(
                "{} `{}` ({cat})",
                m.identifier.kind.as_str(),
                m.identifier.value
            );
            match exemption {
                Some(x) => {
                    view.exempt.insert(named, x);
                }
                // A category the programmes do not exempt is covered, listed or not.
                None => {
                    view.covered.insert(named);
                }
            }
        }
        let is_person = members.iter().any(|(_, e)| e.kind == EntityKind::Person);
        let mut corroborated = !is_person;
        if is_person {
            let fields: BTreeSet<&str> = group
                .iter()
                .filter(|m| m.confidence != Confidence::Mention)
                .map(|m| m.evidence.field.as_str())
                .collect();
            let n = fields.len();
            if n >= 2 {
                corroborated = true;
                for m in &mut group {
                    if m.confidence == Confidence::Possible {
                        m.confidence = Confidence::Probable;
                        m.rule.push_str(&format!(
                            "; a person, corroborated by {n} independent fields in this package"
                        ));
                    }
                }
            }
        }
        for m in group {
            findings.push(decide_one(
                policy,
                lists,
                &members,
                &binding,
                &view,
                corroborated,
                package.clone(),
                path.clone(),
                m,
            ));
        }
    }
    findings
}

/// Whether, and how, the entries of an entity are listed on the as-of date.
struct Listing {
    /// The strongest gate in force among the listed entries (`None`: nothing in force yet).
    gate: Option<Gate>,
    /// Some entry is listed on the as-of date.
    active: bool,
    /// Why entries are not listed or are limited by their status.
    notes: Vec<String>,
    /// The earliest future listing date, and the latest past end.
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

fn listing(policy: &Policy, members: &[(&EntityList, &Entity)]) -> Listing {
    let mut l = Listing {
        gate: None,
        active: false,
        notes: Vec::new(),
        from: None,
        until: None,
    };
    for (list, e) in members {
        let st = &e.status;
        if let Some(from) = st.from.filter(|d| *d > policy.as_of) {
            l.from = Some(l.from.map_or(from, |f| f.min(from)));
            continue;
        }
        if let Some(until) = st.until.filter(|d| *d < policy.as_of) {
            l.until = Some(l.until.map_or(until, |u| u.max(until)));
            continue;
        }
        l.active = true;
        let gate = list
            .programmes_of(e)
            .into_iter()
            .filter(|p| !p.context)
            .filter_map(|p| {
                if p.dates.is_empty() {
                    Some(p.gate)
                } else {
                    p.dates
                        .iter()
                        .filter(|d| d.date <= policy.as_of)
                        .map(|d| d.gate)
                        .max()
                }
            })
            .max();
        // The publisher's status caps what the entry can do (due diligence warns at most).
        let gate = match (gate, st.gate) {
            (Some(g), Some(cap)) => Some(g.min(cap)),
            (g, _) => g,
        };
        if let (Some(cap), Some(why)) = (st.gate, &st.why) {
            l.notes.push(
                format!("{} in {}: {why}", e.id, list.list.id)
                    + &format!(" ({cap:?} at most)").to_lowercase(),
            );
        }
        l.gate = l.gate.max(gate);
    }
    l
}

/// The verdict of one match, knowing its package's view of the entity. Every reason sentence
/// is built here (and in [`apply_waivers`]).
#[allow(clippy::too_many_arguments)]
fn decide_one(
    policy: &Policy,
    lists: &[EntityList],
    members: &[(&EntityList, &Entity)],
    binding: &[&Programme],
    view: &PackageView<'_>,
    corroborated: bool,
    package: PackageRef,
    path: Vec<PathStep>,
    m: Match,
) -> Finding {
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
    dates.dedup();
    let listed = listing(policy, members);

    // Exemption is decided on top of the rest, so the finding can say what it would have been.
    let exempt = view.is_exempt().then(|| {
        let named: Vec<String> = view
            .exempt
            .iter()
            .map(|(n, (p, e))| format!("{n}: {} are outside {} ({})", e.text, p.id, e.source))
            .collect();
        let tie = if m.identifier.category.is_some() {
            String::new()
        } else {
            format!(
                "; this {} tie to the entity stays visible",
                m.identifier.kind.as_str()
            )
        };
        (
            Verdict::Exempt,
            Rule::ExemptProduct,
            format!(
                "the package names only exempt products of the entity and none it covers ({}){tie}",
                named.join("; ")
            ),
        )
    });
    let (verdict, rule, reason) = if m.confidence == Confidence::Mention {
        (
            Verdict::Info,
            Rule::Mention,
            "a mention, not an attribution: never fails the build on its own".to_string(),
        )
    } else if !listed.active && listed.from.is_some() && !binding.is_empty() {
        (
            Verdict::Info,
            Rule::NotYetListed,
            format!(
                "not yet listed on {}: listed from {}",
                policy.as_of,
                listed.from.map(|d| d.to_string()).unwrap_or_default()
            ),
        )
    } else if !listed.active && listed.until.is_some() && !binding.is_empty() {
        (
            Verdict::Info,
            Rule::ListingEnded,
            format!(
                "the listing ended on {}, before {}",
                listed.until.map(|d| d.to_string()).unwrap_or_default(),
                policy.as_of
            ),
        )
    } else if listed.gate == Some(Gate::Info) {
        (
            Verdict::Info,
            Rule::StatusInfo,
            format!(
                "the publisher's status only informs: {}",
                listed.notes.join("; ")
            ),
        )
    } else if !corroborated {
        (
            Verdict::Warn,
            Rule::PersonUncorroborated,
            format!(
                "{} attribution to a person: a person's identifiers never fail without a second, independent signal in the same package",
                m.confidence.as_str()
            ),
        )
    } else if !policy.fail_on.contains(&m.confidence) {
        (
            Verdict::Warn,
            Rule::BelowFailOn,
            format!(
                "{} attribution: below the failing confidence",
                m.confidence.as_str()
            ),
        )
    } else if package.kind == DepKind::Dev && !policy.dev_dependencies_fail {
        (
            Verdict::Warn,
            Rule::DevOnly,
            "dev-dependency only: not shipped in the product".to_string(),
        )
    } else if binding.is_empty() {
        (
            Verdict::Warn,
            Rule::ContextOnly,
            "the entity is listed only under context programmes".to_string(),
        )
    } else if listed.gate != Some(Gate::Fail) {
        let fails_from = dates
            .iter()
            .filter(|d| d.gate == Gate::Fail)
            .map(|d| format!("{} ({})", d.date, d.effect))
            .next();
        let now = if dates.iter().any(|d| d.in_force) {
            let active: Vec<String> = dates
                .iter()
                .filter(|d| d.in_force)
                .map(|d| format!("{} since {}", d.effect, d.date))
                .collect();
            format!("in force on {}: {}", policy.as_of, active.join(", "))
        } else if !listed.notes.is_empty() {
            format!(
                "the publisher's status calls for care, not denial: {}",
                listed.notes.join("; ")
            )
        } else {
            format!("nothing in force yet on {}", policy.as_of)
        };
        let then = match fails_from {
            Some(d) => format!("; integration fails the build from {d}"),
            None if dates.is_empty() => String::new(),
            None => "; integration fails the build from no date".to_string(),
        };
        (Verdict::Warn, Rule::NotInForce, format!("{now}{then}"))
    } else {
        let what = match package.kind {
            DepKind::Member => "a workspace member",
            DepKind::Build => "a build-time dependency",
            _ => "a shipped dependency",
        };
        let mut programmes: Vec<&str> = binding.iter().map(|p| p.id.as_str()).collect();
        programmes.dedup();
        let covered = if view.covered.is_empty() || view.exempt.is_empty() {
            String::new()
        } else {
            format!(
                "; no exemption: the package also names {}",
                view.covered.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        (
            Verdict::Fail,
            Rule::Restricted,
            format!(
                "{} attribution in {what}, restricted under {}{covered}",
                m.confidence.as_str(),
                programmes.join(", ")
            ),
        )
    };
    let (verdict, rule, reason, would_be) = match exempt {
        Some((v, r, why)) => (v, r, why, Some(verdict)),
        None => (verdict, rule, reason, None),
    };
    let mut finding = Finding {
        verdict,
        package,
        matched: m,
        reason,
        decided_by: rule,
        path,
        dates,
        waiver: None,
        would_be,
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
