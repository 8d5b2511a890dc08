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
mod waiver;

use waiver::apply_waivers;
pub use waiver::{Waiver, WaiverRef};

use crate::entity::{Entity, EntityKind, EntityList, Exemption, Gate, Programme, Restricts, Stale};
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

/// Today's date in US Eastern time, the time zone of the determination's effective times
/// ("12:00AM EDT" on 2024-09-29): the default as-of date. An as-of date is a whole day there.
pub fn today_us_eastern() -> NaiveDate {
    us_eastern_date(chrono::Utc::now())
}

/// The US Eastern calendar date of an instant: UTC-4 (EDT) from the second Sunday of March,
/// 02:00 EST, to the first Sunday of November, 02:00 EDT; UTC-5 (EST) otherwise (the rule in
/// force since 2007, 15 U.S.C. 260a).
pub fn us_eastern_date(t: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    use chrono::{Datelike, Duration, NaiveDateTime, Weekday};
    let year = t.year();
    let nth_sunday = |month: u32, n: u8| {
        NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, n).expect("a valid date")
    };
    let at = |d: NaiveDate, utc_hour: u32| -> NaiveDateTime {
        d.and_hms_opt(utc_hour, 0, 0).expect("a valid time")
    };
    // 02:00 EST is 07:00 UTC; 02:00 EDT is 06:00 UTC.
    let dst_start = at(nth_sunday(3, 2), 7);
    let dst_end = at(nth_sunday(11, 1), 6);
    let utc = t.naive_utc();
    let offset = if utc >= dst_start && utc < dst_end {
        4
    } else {
        5
    };
    (utc - Duration::hours(offset)).date()
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

/// A programme that decided a finding's verdict, and what it restricts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DecidedUnder {
    pub programme: String,
    pub restricts: Restricts,
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
    /// The programmes that decided the verdict (for `fail`: those whose failing date is in
    /// force; for `warn`: those in force that only warn; for `exempt`: those that exempt it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decided_under: Vec<DecidedUnder>,
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

/// What a package supplies of one entity's family (the entity, its group and the group's
/// affiliates), decided from all its matches: the product or service categories the evidence
/// establishes, whichever of the family's names matched.
#[derive(Default)]
struct PackageView {
    /// `product `X` (category)` → category, for every identifier with a category.
    named: BTreeMap<String, String>,
}

/// Whether a package is exempt, under the programmes that reach an entity.
enum Exemptness<'a> {
    /// The package names no product category of the entity.
    Unnamed,
    /// Every category named is exempt under every programme that reaches what a product
    /// contains; `by` names each with the exemption; `export_only` are the programmes that
    /// restrict only exports to the entity (they do not reach an exempt service's use).
    Exempt {
        by: Vec<(String, &'a Programme, &'a Exemption)>,
        export_only: Vec<&'a Programme>,
    },
    /// Some category is not exempt: why, for each.
    Covered(Vec<String>),
}

/// Decides exemption for one entity: by what the package supplies, under each programme's own
/// reach. A programme restricting only exports to the entity neither exempts nor blocks an
/// exemption; every other binding programme must exempt every category named; an exemption
/// of purely informational services never covers executable code, which a package is.
fn exemptness<'a>(binding: &[&'a Programme], view: &PackageView) -> Exemptness<'a> {
    if view.named.is_empty() {
        return Exemptness::Unnamed;
    }
    let reaching: Vec<&Programme> = binding
        .iter()
        .copied()
        .filter(|p| p.restricts.reaches_contents())
        .collect();
    let export_only: Vec<&Programme> = binding
        .iter()
        .copied()
        .filter(|p| !p.restricts.reaches_contents())
        .collect();
    let mut by = Vec::new();
    let mut blocked = Vec::new();
    for (name, cat) in &view.named {
        let mut first = None;
        let mut why = None;
        for p in &reaching {
            match p.exempt.iter().find(|e| &e.category == cat) {
                Some(e) if !e.executable => {
                    why = Some(format!(
                        "{name}: {} are exempt from {} only when purely informational or educational, and a package is executable code",
                        e.text, p.id
                    ));
                    break;
                }
                Some(e) => {
                    first.get_or_insert((*p, e));
                }
                None => {
                    why = Some(if p.covered.iter().any(|c| &c.category == cat) {
                        format!("{name} is covered by {}", p.id)
                    } else {
                        format!("{name} is not exempt under {}", p.id)
                    });
                    break;
                }
            }
        }
        match (why, first) {
            (Some(w), _) => blocked.push(w),
            (None, Some((p, e))) => by.push((name.clone(), p, e)),
            // No programme reaches what the package contains: nothing to exempt it from.
            (None, None) => blocked.push(format!(
                "{name}: no programme of the entity exempts it ({} restrict only exports to the entity)",
                export_only
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    if blocked.is_empty() {
        Exemptness::Exempt { by, export_only }
    } else {
        Exemptness::Covered(blocked)
    }
}

/// The family an entity's exemption is decided in: its group (or itself), in its list. The
/// determination covers Kaspersky Lab, Inc. "together with all affiliates, subsidiaries, and
/// parent companies": what the package supplies decides, not which affiliate's name matched.
fn family(lists: &[EntityList], e: &EntityRef) -> (usize, String) {
    let group = lists
        .get(e.list)
        .and_then(|l| l.entity(&e.id))
        .and_then(|x| x.group.clone());
    (e.list, group.unwrap_or_else(|| e.id.clone()))
}

/// Decides every match of one package. Exemption is a property of the package: from all its
/// matches of an entity's family, the categories it supplies decide; an identifier of a person
/// reaches the failing confidence only with a second, independent signal in the same package
/// (another identifier: the same name repeated in another field is one signal).
pub fn decide_package(
    policy: &Policy,
    lists: &[EntityList],
    package: PackageRef,
    path: Vec<PathStep>,
    matches: Vec<Match>,
) -> Vec<Finding> {
    let mut views: BTreeMap<(usize, String), PackageView> = BTreeMap::new();
    for m in &matches {
        if let Some(cat) = m.identifier.category.as_deref() {
            views
                .entry(family(lists, &m.entity))
                .or_default()
                .named
                .insert(
                    format!(
                        "{} `{}` ({cat})",
                        m.identifier.kind.as_str(),
                        m.identifier.value
                    ),
                    cat.to_string(),
                );
        }
    }
    let mut by_entity: BTreeMap<(usize, String), Vec<Match>> = BTreeMap::new();
    for m in matches {
        by_entity
            .entry((m.entity.list, m.entity.id.clone()))
            .or_default()
            .push(m);
    }
    let empty = PackageView::default();
    let mut findings = Vec::new();
    for (_, mut group) in by_entity {
        let members = members(lists, &group[0].entity);
        let mut binding: Vec<&Programme> = members
            .iter()
            .flat_map(|(l, e)| l.programmes_of(e))
            .filter(|p| !p.context)
            .collect();
        binding.sort_by(|a, b| a.id.cmp(&b.id));
        binding.dedup_by(|a, b| a.id == b.id);
        let view = views
            .get(&family(lists, &group[0].entity))
            .unwrap_or(&empty);
        let exempt = exemptness(&binding, view);
        let is_person = members.iter().any(|(_, e)| e.kind == EntityKind::Person);
        let mut corroborated = !is_person;
        if is_person {
            // Independent signals are distinct identifiers: a name repeated in the authors and
            // the LICENSE is one signal, not two.
            let signals: BTreeSet<(crate::matching::IdentKind, &str)> = group
                .iter()
                .filter(|m| m.confidence != Confidence::Mention)
                .map(|m| (m.identifier.kind, m.identifier.value.as_str()))
                .collect();
            let n = signals.len();
            if n >= 2 {
                corroborated = true;
                for m in &mut group {
                    if m.confidence == Confidence::Possible {
                        m.confidence = Confidence::Probable;
                        m.rule.push_str(&format!(
                            "; a person, corroborated by {n} independent identifiers in this package"
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
                &exempt,
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
    /// Each binding programme of a listed entry with the gate it has in force (capped by the
    /// entry's status): which programme decides a verdict.
    in_force: Vec<(String, Restricts, Gate)>,
}

fn listing(policy: &Policy, members: &[(&EntityList, &Entity)]) -> Listing {
    let mut l = Listing {
        gate: None,
        active: false,
        notes: Vec::new(),
        from: None,
        until: None,
        in_force: Vec::new(),
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
        // The publisher's status caps what the entry can do (due diligence warns at most).
        let cap = |g: Gate| st.gate.map_or(g, |c| g.min(c));
        let mut gate = None;
        for p in list.programmes_of(e).into_iter().filter(|p| !p.context) {
            let g = if p.dates.is_empty() {
                Some(p.gate)
            } else {
                p.dates
                    .iter()
                    .filter(|d| d.date <= policy.as_of)
                    .map(|d| d.gate)
                    .max()
            };
            if let Some(g) = g.map(cap) {
                l.in_force.push((p.id.clone(), p.restricts, g));
                gate = gate.max(Some(g));
            }
        }
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
    exemptness: &Exemptness<'_>,
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

    let under = |keep: &dyn Fn(Gate) -> bool| -> Vec<DecidedUnder> {
        let mut v: Vec<DecidedUnder> = listed
            .in_force
            .iter()
            .filter(|(_, _, g)| keep(*g))
            .map(|(id, r, _)| DecidedUnder {
                programme: id.clone(),
                restricts: *r,
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    // Exemption is decided on top of the rest, so the finding can say what it would have been.
    let exempt = match exemptness {
        Exemptness::Exempt { by, export_only } => {
            let named: Vec<String> = by
                .iter()
                .map(|(n, p, e)| {
                    format!(
                        "{n}: {} are outside {} (restricts {}; {})",
                        e.text, p.id, p.restricts, e.source
                    )
                })
                .collect();
            let export = if export_only.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} restricts only exports to the entity, not a product's use of its exempt services",
                    export_only
                        .iter()
                        .map(|p| p.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let tie = if m.identifier.category.is_some() {
                String::new()
            } else {
                format!(
                    "; this {} tie to the entity stays visible",
                    m.identifier.kind.as_str()
                )
            };
            let mut deciders: Vec<DecidedUnder> = by
                .iter()
                .map(|(_, p, _)| DecidedUnder {
                    programme: p.id.clone(),
                    restricts: p.restricts,
                })
                .collect();
            deciders.sort();
            deciders.dedup();
            Some((
                Verdict::Exempt,
                Rule::ExemptProduct,
                format!(
                    "the package supplies only exempt products or services of the entity and none it covers ({}){export}{tie}",
                    named.join("; ")
                ),
                deciders,
            ))
        }
        _ => None,
    };
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
                .map(|d| {
                    let restricts = binding
                        .iter()
                        .find(|p| p.id == d.programme)
                        .map(|p| p.restricts.as_str())
                        .unwrap_or("unstated");
                    format!(
                        "{} since {} ({}, restricts {restricts})",
                        d.effect, d.date, d.programme
                    )
                })
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
        let programmes: Vec<String> = under(&|g| g == Gate::Fail)
            .iter()
            .map(|d| format!("{} (restricts {})", d.programme, d.restricts))
            .collect();
        let covered = match exemptness {
            Exemptness::Covered(why) => format!("; no exemption: {}", why.join("; ")),
            _ => String::new(),
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
    let (verdict, rule, reason, would_be, decided_under) = match exempt {
        Some((v, r, why, by)) => (v, r, why, Some(verdict), by),
        None => {
            let by = match rule {
                Rule::Restricted => under(&|g| g == Gate::Fail),
                Rule::NotInForce => under(&|g| g == Gate::Warn),
                _ => Vec::new(),
            };
            (verdict, rule, reason, None, by)
        }
    };
    let mut finding = Finding {
        verdict,
        package,
        matched: m,
        reason,
        decided_by: rule,
        path,
        dates,
        decided_under,
        waiver: None,
        would_be,
    };
    apply_waivers(policy, lists, &mut finding);
    finding
}

#[cfg(test)]
mod tests;
