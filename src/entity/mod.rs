//! Entity stage: a TOML entity list (built-in or `--entities FILE`) → a validated [`EntityList`].
//!
//! The list is data that changes with the law, so it lives in `data/` and is parsed here, once,
//! into types the matcher can trust: every reference resolves, every fact has a source and a grade,
//! every domain is a real host name. Parsing collects *all* problems before failing, so a
//! maintainer fixing a list sees every mistake in one run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::error::InputError;
use crate::text::normalize;

pub mod diff;
pub mod import;
pub mod merge;
pub mod shared;

/// The list compiled into the binary: other lists add to it unless `--no-builtin-list`.
pub const BUILTIN_TOML: &str = include_str!("../../data/entities.toml");
/// The name the built-in list is reported under.
pub const BUILTIN_ORIGIN: &str = "built-in:data/entities.toml";

/// A text many facts of a list share (the source an imported list's entries cite, the status
/// its entries have): one copy, whatever the number of entries (a 300,000-entry list held one
/// per alias, domain and entry, about 150 MB).
pub type Shared = std::sync::Arc<str>;

/// How well a fact is established (see shared/LEGAL.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grade {
    /// Read in the Federal Register or an agency text.
    Primary,
    /// Reported consistently by summaries quoting the agency.
    Secondary,
    /// Found once or not confirmed: a weak signal that never fails a build alone.
    Unverified,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Primary => "primary",
            Grade::Secondary => "secondary",
            Grade::Unverified => "unverified",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntityKind::Group => "group",
            EntityKind::Company => "company",
            EntityKind::Person => "person",
            EntityKind::Other => "other",
        })
    }
}

/// What sort of party an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityKind {
    /// A family of companies; brand, domains and products are attached to it.
    Group,
    /// One legal person (a company).
    Company,
    /// A natural person: weak evidence on its own.
    Person,
    /// Anything else (vessels, organisations without a legal form…).
    Other,
}

/// How strongly an alias identifies its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    /// A legal or trading name: attribution to it is confirmed.
    #[default]
    Name,
    /// A brand word that other people may also carry (a surname, say): probable at most.
    Brand,
}

/// A citable source of facts.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub citation: String,
    pub publisher: Option<String>,
    pub url: Option<String>,
    /// The date its facts were read (built-in list) or the export's date (imported lists).
    pub read: Option<NaiveDate>,
    pub grade: Grade,
}

/// What a date in force means for a product that integrates the entity's software.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// Informational only (a related party, a PEP tag): never fails or warns.
    Info,
    /// Reported as a warning (a due-diligence list, a date not yet reached).
    Warn,
    /// Fails the build.
    #[default]
    Fail,
}

/// A date on which a programme's restriction takes an effect.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeDate {
    pub date: NaiveDate,
    /// A stable kebab-case code (`new-business`, `updates-resale-integration`, `listed`).
    pub effect: String,
    /// What the date does to an integrating product once in force (default: fail).
    pub gate: Gate,
    pub text: String,
    pub source: String,
    pub grade: Grade,
}

/// What a programme restricts: which decides whether it reaches a product that contains the
/// entity's software (see shared/LEGAL.md, section 1).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Restricts {
    /// Using the entity's products (federal systems, federal procurement).
    Use,
    /// Providing the entity's software, including integrating it into third-party products,
    /// reselling and updating it (the ICTS Final Determination).
    Integration,
    /// Exporting, reexporting or transferring items *to* the entity (the Entity List): it does
    /// not itself forbid a product from using the entity's exempt services.
    ExportToEntity,
    /// Dealings with a blocked party (OFAC's SDN list).
    Dealings,
    /// Not stated by the list (imported lists): treated as reaching what the product contains.
    #[default]
    Unstated,
}

impl Restricts {
    pub fn as_str(self) -> &'static str {
        match self {
            Restricts::Use => "use",
            Restricts::Integration => "integration",
            Restricts::ExportToEntity => "export-to-entity",
            Restricts::Dealings => "dealings",
            Restricts::Unstated => "unstated",
        }
    }

    /// Whether the programme reaches what a product contains (and so can exempt a category of
    /// it): everything but a restriction on exports to the entity.
    pub fn reaches_contents(self) -> bool {
        self != Restricts::ExportToEntity
    }
}

impl fmt::Display for Restricts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A product category the programme reaches (`covered`) or does not reach (`exempt`).
#[derive(Debug, Clone, Serialize)]
pub struct Exemption {
    pub category: String,
    pub text: String,
    /// Whether the category's terms take in executable software. `false` for an exemption of
    /// services "purely informational or educational in nature": executable code is never
    /// that, so such an exemption never applies to a package (every package builds code).
    pub executable: bool,
    pub source: String,
    pub grade: Grade,
}

/// A legal instrument that lists entities.
#[derive(Debug, Clone, Serialize)]
pub struct Programme {
    pub id: String,
    pub title: String,
    pub authority: String,
    pub scope: String,
    /// What it restricts (use, integration, export to the entity, dealings).
    pub restricts: Restricts,
    pub source: String,
    pub grade: Grade,
    /// Context only (a related action): reported, never the reason a build fails on its own.
    pub context: bool,
    /// What a listing under an undated programme does (an imported Unverified List warns).
    pub gate: Gate,
    pub dates: Vec<ProgrammeDate>,
    /// Product categories the programme reaches: a package tied to one is never exempt.
    pub covered: Vec<Exemption>,
    pub exempt: Vec<Exemption>,
}

/// A name an entity is known by.
#[derive(Debug, Clone, Serialize)]
pub struct Alias {
    pub name: String,
    pub script: Option<String>,
    pub strength: Strength,
    pub note: Option<String>,
    pub source: Shared,
    pub grade: Grade,
}

/// A domain serving the entity's content (matches the domain and its sub-domains, whole labels).
#[derive(Debug, Clone, Serialize)]
pub struct DomainId {
    /// Normalised host name.
    pub domain: String,
    pub category: Option<String>,
    pub note: Option<String>,
    pub source: Shared,
    pub grade: Grade,
}

/// Any registrable domain whose own label is `label`, under any public suffix
/// (`kaspersky` → kaspersky.fr, kaspersky.com.br, kaspersky.co.jp and their sub-domains).
#[derive(Debug, Clone, Serialize)]
pub struct DomainLabel {
    pub label: String,
    pub source: String,
    pub grade: Grade,
}

/// An organisation or user on a code-hosting service.
#[derive(Debug, Clone, Serialize)]
pub struct OrgId {
    pub host: String,
    pub name: String,
    pub source: String,
    pub grade: Grade,
}

/// A code-signing certificate subject.
#[derive(Debug, Clone, Serialize)]
pub struct SignerId {
    pub subject: String,
    pub source: String,
    pub grade: Grade,
}

/// A product, with its category (which decides exemptions).
#[derive(Debug, Clone, Serialize)]
pub struct Product {
    pub name: String,
    pub aliases: Vec<String>,
    pub category: String,
    pub note: Option<String>,
    pub source: String,
    pub grade: Grade,
}

/// One listed party.
#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    pub id: String,
    pub kind: EntityKind,
    pub name: String,
    pub short: Option<String>,
    pub legal_form: Option<String>,
    pub country: Option<String>,
    pub group: Option<String>,
    pub programmes: Vec<String>,
    pub note: Option<String>,
    pub source: Shared,
    pub grade: Grade,
    pub aliases: Vec<Alias>,
    pub domains: Vec<DomainId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub domain_labels: Vec<DomainLabel>,
    pub orgs: Vec<OrgId>,
    pub signers: Vec<SignerId>,
    pub products: Vec<Product>,
    /// The entry's own dates and status (imported lists): listed from, listed until, and the
    /// verdict its publisher's status calls for.
    #[serde(default, skip_serializing_if = "Status::is_empty")]
    pub status: Status,
}

/// An entry's own dates and status, as its publisher gives them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Status {
    /// Listed from (CSL `start_date`; OpenSanctions: the earliest `listingDate`, else
    /// `startDate`, of the entity's sanctions — never `first_seen`, which is when the aggregator
    /// first saw the record). `None`: unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Listed until (CSL `end_date`: an expired denial order no longer applies; OpenSanctions:
    /// the latest `endDate`, when every sanction states one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The verdict the entry calls for at most (due diligence warns, a related party informs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
    /// Why that gate, in the publisher's terms (`source list: Unverified List`, `topics: role.pep`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<Shared>,
    /// Licence requirement and policy of this entry (CSL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// The last time the publisher saw the entry (OpenSanctions `last_seen`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<NaiveDate>,
}

impl Status {
    pub fn is_empty(&self) -> bool {
        self.from.is_none()
            && self.until.is_none()
            && self.gate.is_none()
            && self.why.is_none()
            && self.licence.is_none()
            && self.last_seen.is_none()
    }
}

impl Entity {
    /// The name shown in reports.
    pub fn display_name(&self) -> &str {
        self.short.as_deref().unwrap_or(&self.name)
    }
}

/// The list's own identity, shown in every report.
#[derive(Debug, Clone, Serialize)]
pub struct ListMeta {
    pub id: String,
    pub title: String,
    pub version: String,
    pub updated: NaiveDate,
    /// Where it was loaded from: `built-in:…` or a file path.
    pub origin: String,
    /// `sha256:` of the file's bytes.
    pub digest: String,
    /// Where `updated` comes from: `list.updated`, the export's own metadata, or the file's
    /// modification time (never the newest entry: a fresh export may hold only old entries).
    pub dated_by: String,
    /// What loading changed or dropped (shared-service domains), for `list` to show.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Days from `updated` to the as-of date (set by the policy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// Older than the policy allows: `warn` (`[lists] warn-age`) or `fail` (`policy.max-list-age`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<Stale>,
}

/// How a list's age stands against the policy (decided by the policy, recorded on the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stale {
    /// Older than `[lists] warn-age`.
    Warn,
    /// Older than `policy.max-list-age`: fails the build.
    Fail,
}

impl Stale {
    pub fn as_str(self) -> &'static str {
        match self {
            Stale::Warn => "warn",
            Stale::Fail => "fail",
        }
    }
}

impl ListMeta {
    /// Days from the list's date to `on` (negative if the list is dated later).
    pub fn age_days(&self, on: NaiveDate) -> i64 {
        (on - self.updated).num_days()
    }
}

/// A validated entity list.
#[derive(Debug, Clone, Serialize)]
pub struct EntityList {
    pub list: ListMeta,
    pub sources: Vec<Source>,
    pub programmes: Vec<Programme>,
    pub entities: Vec<Entity>,
}

impl EntityList {
    /// The list compiled into the binary.
    pub fn builtin() -> Result<EntityList, InputError> {
        EntityList::parse(BUILTIN_TOML, BUILTIN_ORIGIN)
    }

    /// Reads and validates a list file.
    pub fn load(
        path: &camino::Utf8Path,
        limits: &crate::fsio::Limits,
    ) -> Result<EntityList, InputError> {
        let text = crate::fsio::read_text(path, crate::fsio::ReadKind::EntityList, false, limits)
            .map_err(|e| InputError::read(path, e))?;
        EntityList::parse(&text, path.as_str())
    }

    /// Parses and validates list text; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<EntityList, InputError> {
        let raw: RawList = toml::from_str(text).map_err(|e| InputError::Toml {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())));
        let mut v = Validator {
            text,
            origin,
            problems: Vec::new(),
            notes: Vec::new(),
        };
        let list = v.validate(raw, digest);
        if v.problems.is_empty() {
            Ok(list)
        } else {
            Err(InputError::Invalid {
                path: origin.to_string(),
                problems: v.problems,
            })
        }
    }

    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.id == id)
    }

    pub fn programme(&self, id: &str) -> Option<&Programme> {
        self.programmes.iter().find(|p| p.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The programmes that apply to an entity: its own, then its group's.
    pub fn programmes_of<'a>(&'a self, entity: &'a Entity) -> Vec<&'a Programme> {
        let mut ids: BTreeSet<&str> = entity.programmes.iter().map(String::as_str).collect();
        if let Some(group) = entity.group.as_deref().and_then(|g| self.entity(g)) {
            ids.extend(group.programmes.iter().map(String::as_str));
        }
        self.programmes
            .iter()
            .filter(|p| ids.contains(p.id.as_str()))
            .collect()
    }

    /// Exempt product categories of the programmes that apply to an entity.
    pub fn exempt_categories<'a>(&'a self, entity: &'a Entity) -> BTreeSet<&'a str> {
        self.programmes_of(entity)
            .into_iter()
            .filter(|p| !p.context)
            .flat_map(|p| p.exempt.iter().map(|e| e.category.as_str()))
            .collect()
    }
}

impl fmt::Display for ListMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}, {})",
            self.id,
            self.version,
            self.updated,
            short_digest(&self.digest)
        )
    }
}

/// `sha256:0123456789ab`: enough of a digest to tell two lists apart at a glance.
pub fn short_digest(digest: &str) -> &str {
    let end = digest
        .find(':')
        .map(|i| (i + 13).min(digest.len()))
        .unwrap_or(digest.len().min(12));
    &digest[..end]
}

// ---------------------------------------------------------------------------------------------
// The file format, as written. `deny_unknown_fields` everywhere: a misspelt key is an error,
// never a silently ignored fact.
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    list: RawMeta,
    #[serde(default)]
    source: Vec<RawSource>,
    #[serde(default)]
    programme: Vec<RawProgramme>,
    #[serde(default)]
    entity: Vec<RawEntity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    title: String,
    version: String,
    updated: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    title: String,
    citation: String,
    publisher: Option<String>,
    url: Option<String>,
    read: Option<Spanned<String>>,
    grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProgramme {
    id: Spanned<String>,
    title: String,
    authority: String,
    scope: String,
    #[serde(default)]
    restricts: Restricts,
    source: Spanned<String>,
    grade: Grade,
    #[serde(default)]
    context: bool,
    #[serde(default)]
    gate: Gate,
    #[serde(default)]
    date: Vec<RawDate>,
    #[serde(default)]
    covered: Vec<RawExempt>,
    #[serde(default)]
    exempt: Vec<RawExempt>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDate {
    date: Spanned<String>,
    effect: String,
    #[serde(default)]
    gate: Gate,
    text: String,
    source: Spanned<String>,
    grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExempt {
    category: String,
    text: String,
    #[serde(default = "yes")]
    executable: bool,
    source: Spanned<String>,
    grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntity {
    id: Spanned<String>,
    kind: EntityKind,
    name: String,
    short: Option<String>,
    legal_form: Option<String>,
    country: Option<String>,
    group: Option<Spanned<String>>,
    #[serde(default)]
    programmes: Vec<Spanned<String>>,
    note: Option<String>,
    source: Spanned<String>,
    grade: Grade,
    #[serde(default)]
    alias: Vec<RawAlias>,
    #[serde(default)]
    domain: Vec<RawDomain>,
    #[serde(default)]
    domain_label: Vec<RawDomainLabel>,
    #[serde(default)]
    org: Vec<RawOrg>,
    #[serde(default)]
    signer: Vec<RawSigner>,
    #[serde(default)]
    product: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlias {
    name: Spanned<String>,
    script: Option<String>,
    #[serde(default)]
    strength: Strength,
    note: Option<String>,
    source: Spanned<String>,
    grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    domain: Spanned<String>,
    category: Option<String>,
    note: Option<String>,
    source: Spanned<String>,
    grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomainLabel {
    label: Spanned<String>,
    source: Spanned<String>,
    grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrg {
    host: Spanned<String>,
    name: Spanned<String>,
    source: Spanned<String>,
    grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSigner {
    subject: Spanned<String>,
    source: Spanned<String>,
    grade: Grade,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<String>,
    category: String,
    note: Option<String>,
    source: Spanned<String>,
    grade: Grade,
}

fn yes() -> bool {
    true
}

/// Turns the raw file into the validated list, recording every problem with its line.
struct Validator<'a> {
    text: &'a str,
    origin: &'a str,
    problems: Vec<String>,
    notes: Vec<String>,
}

impl Validator<'_> {
    fn problem<T>(&mut self, at: &Spanned<T>, message: impl fmt::Display) {
        let line = line_of(self.text, at.span().start);
        self.problems
            .push(format!("{}:{}: {}", self.origin, line, message));
    }

    fn date(&mut self, raw: &Spanned<String>, what: &str) -> NaiveDate {
        match NaiveDate::parse_from_str(raw.get_ref(), "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                self.problem(
                    raw,
                    format_args!("{what} `{}` is not a date (YYYY-MM-DD)", raw.get_ref()),
                );
                NaiveDate::MIN
            }
        }
    }

    /// A fact's source, which must be declared; the fact may be graded no higher than its
    /// source (a fact cited to a secondary summary is secondary at most).
    fn source_ref(
        &mut self,
        known: &BTreeMap<String, Grade>,
        raw: &Spanned<String>,
        grade: Grade,
    ) -> String {
        match known.get(raw.get_ref()) {
            None => self.problem(
                raw,
                format_args!(
                    "source `{}` is not declared in a [[source]] table",
                    raw.get_ref()
                ),
            ),
            Some(&of_source) if grade < of_source => self.problem(
                raw,
                format_args!(
                    "a fact graded {grade} cites source `{}`, graded {of_source}: no fact is graded above its source",
                    raw.get_ref()
                ),
            ),
            Some(_) => {}
        }
        raw.get_ref().clone()
    }

    fn unique(&mut self, seen: &mut BTreeSet<String>, raw: &Spanned<String>, what: &str) {
        if raw.get_ref().trim().is_empty() {
            self.problem(raw, format_args!("{what} id is empty"));
        } else if !seen.insert(raw.get_ref().clone()) {
            self.problem(
                raw,
                format_args!("{what} id `{}` is declared twice", raw.get_ref()),
            );
        }
    }

    fn name(&mut self, raw: &Spanned<String>, what: &str) -> String {
        if normalize::tokens(raw.get_ref()).is_empty() {
            self.problem(
                raw,
                format_args!(
                    "{what} `{}` has no letters or digits to match on",
                    raw.get_ref()
                ),
            );
        }
        raw.get_ref().clone()
    }

    fn validate(&mut self, raw: RawList, digest: String) -> EntityList {
        let updated = self.date(&raw.list.updated, "list.updated");
        let mut seen_sources = BTreeSet::new();
        let mut source_ids = BTreeMap::new();
        let mut sources = Vec::new();
        for s in raw.source {
            self.unique(&mut seen_sources, &s.id, "source");
            source_ids.insert(s.id.get_ref().clone(), s.grade);
            let read = s.read.as_ref().map(|r| self.date(r, "source.read"));
            sources.push(Source {
                id: s.id.into_inner(),
                title: s.title,
                citation: s.citation,
                publisher: s.publisher,
                url: s.url,
                read,
                grade: s.grade,
            });
        }

        let mut programme_ids = BTreeSet::new();
        let mut programmes = Vec::new();
        for p in raw.programme {
            self.unique(&mut programme_ids, &p.id, "programme");
            let source = self.source_ref(&source_ids, &p.source, p.grade);
            let mut dates = Vec::new();
            for d in p.date {
                dates.push(ProgrammeDate {
                    date: self.date(&d.date, "programme.date.date"),
                    effect: d.effect,
                    gate: d.gate,
                    text: d.text,
                    source: self.source_ref(&source_ids, &d.source, d.grade),
                    grade: d.grade,
                });
            }
            dates.sort_by_key(|d| d.date);
            let mut exempt = Vec::new();
            for e in p.exempt {
                exempt.push(Exemption {
                    category: e.category,
                    text: e.text,
                    executable: e.executable,
                    source: self.source_ref(&source_ids, &e.source, e.grade),
                    grade: e.grade,
                });
            }
            let mut covered = Vec::new();
            for e in p.covered {
                covered.push(Exemption {
                    category: e.category,
                    text: e.text,
                    executable: e.executable,
                    source: self.source_ref(&source_ids, &e.source, e.grade),
                    grade: e.grade,
                });
            }
            programmes.push(Programme {
                id: p.id.into_inner(),
                title: p.title,
                authority: p.authority,
                scope: p.scope,
                restricts: p.restricts,
                source,
                grade: p.grade,
                context: p.context,
                gate: p.gate,
                dates,
                covered,
                exempt,
            });
        }

        let entity_ids: BTreeMap<String, EntityKind> = raw
            .entity
            .iter()
            .map(|e| (e.id.get_ref().clone(), e.kind))
            .collect();
        let mut seen_entities = BTreeSet::new();
        let mut entities = Vec::new();
        for e in raw.entity {
            self.unique(&mut seen_entities, &e.id, "entity");
            if let Some(g) = &e.group {
                match entity_ids.get(g.get_ref()) {
                    Some(EntityKind::Group) => {}
                    Some(_) => self.problem(
                        g,
                        format_args!("group `{}` is not an entity of kind \"group\"", g.get_ref()),
                    ),
                    None => {
                        self.problem(g, format_args!("group `{}` is not declared", g.get_ref()))
                    }
                }
            }
            for p in &e.programmes {
                if !programme_ids.contains(p.get_ref()) {
                    self.problem(
                        p,
                        format_args!("programme `{}` is not declared", p.get_ref()),
                    );
                }
            }
            let source = self.source_ref(&source_ids, &e.source, e.grade);
            let mut aliases = Vec::new();
            for a in e.alias {
                aliases.push(Alias {
                    name: self.name(&a.name, "alias"),
                    script: a.script,
                    strength: a.strength,
                    note: a.note,
                    source: self.source_ref(&source_ids, &a.source, a.grade).into(),
                    grade: a.grade,
                });
            }
            let mut domains = Vec::new();
            for d in e.domain {
                let domain = match normalize::normalize_host(d.domain.get_ref()) {
                    Some(h) if h.contains('.') && !h.contains('/') => h,
                    _ => {
                        self.problem(
                            &d.domain,
                            format_args!("`{}` is not a domain name", d.domain.get_ref()),
                        );
                        String::new()
                    }
                };
                // A webmail, code-hosting or CDN domain says nothing about who made something.
                if let Some(s) = shared::shared(&domain) {
                    self.notes.push(shared::note(e.id.get_ref(), &domain, s));
                    continue;
                }
                domains.push(DomainId {
                    domain,
                    category: d.category,
                    note: d.note,
                    source: self.source_ref(&source_ids, &d.source, d.grade).into(),
                    grade: d.grade,
                });
            }
            let mut domain_labels = Vec::new();
            for l in e.domain_label {
                let label = l.label.get_ref().trim().to_ascii_lowercase();
                if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    self.problem(
                        &l.label,
                        format_args!("`{}` is not one domain label", l.label.get_ref()),
                    );
                }
                domain_labels.push(DomainLabel {
                    label,
                    source: self.source_ref(&source_ids, &l.source, l.grade),
                    grade: l.grade,
                });
            }
            let mut orgs = Vec::new();
            for o in e.org {
                let host = normalize::normalize_host(o.host.get_ref()).unwrap_or_default();
                if host.is_empty() {
                    self.problem(
                        &o.host,
                        format_args!("`{}` is not a host name", o.host.get_ref()),
                    );
                }
                orgs.push(OrgId {
                    host,
                    name: self.name(&o.name, "org"),
                    source: self.source_ref(&source_ids, &o.source, o.grade),
                    grade: o.grade,
                });
            }
            let mut signers = Vec::new();
            for s in e.signer {
                signers.push(SignerId {
                    subject: self.name(&s.subject, "signer subject"),
                    source: self.source_ref(&source_ids, &s.source, s.grade),
                    grade: s.grade,
                });
            }
            let mut products = Vec::new();
            for p in e.product {
                products.push(Product {
                    name: self.name(&p.name, "product"),
                    aliases: p.aliases,
                    category: p.category,
                    note: p.note,
                    source: self.source_ref(&source_ids, &p.source, p.grade),
                    grade: p.grade,
                });
            }
            entities.push(Entity {
                id: e.id.into_inner(),
                kind: e.kind,
                name: e.name,
                short: e.short,
                legal_form: e.legal_form,
                country: e.country,
                group: e.group.map(Spanned::into_inner),
                programmes: e.programmes.into_iter().map(Spanned::into_inner).collect(),
                note: e.note,
                source: source.into(),
                grade: e.grade,
                aliases,
                domains,
                domain_labels,
                orgs,
                signers,
                products,
                status: Status::default(),
            });
        }

        EntityList {
            list: ListMeta {
                id: raw.list.id,
                title: raw.list.title,
                version: raw.list.version,
                updated,
                origin: self.origin.to_string(),
                digest,
                dated_by: "list.updated".into(),
                notes: std::mem::take(&mut self.notes),
                age_days: None,
                stale: None,
            },
            sources,
            programmes,
            entities,
        }
    }
}

pub(crate) use crate::diag::line_of;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_parses_and_every_fact_has_a_source() {
        let list = EntityList::builtin().expect("built-in list is valid");
        assert!(list.list.digest.starts_with("sha256:"));
        for name in [
            "AO Kaspersky Lab",
            "OOO Kaspersky Group",
            "Kaspersky Labs Limited",
        ] {
            assert!(
                list.entities.iter().any(|e| e.name == name),
                "{name} must be listed"
            );
        }
        let icts = list.programme("icts-kaspersky").unwrap();
        let dates: Vec<String> = icts.dates.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["2024-07-20", "2024-09-29"]);
        assert!(
            list.source("fr-2024-13532")
                .unwrap()
                .citation
                .contains("89 FR 52434")
        );
        assert!(
            list.source("fr-2024-13695")
                .unwrap()
                .citation
                .contains("89 FR 52362")
        );
        let ao = list.entity("ao-kaspersky-lab").unwrap();
        let cats = list.exempt_categories(ao);
        assert!(cats.contains("threat-intelligence") && cats.contains("security-training"));
    }

    /// The built-in data's version and the digest of its bytes for that version. Changing
    /// data/entities.toml without bumping `list.version` fails here: update both constants
    /// together, with the new version, when the data changes.
    const BUILTIN_VERSION: &str = "2026.12.03.1";
    const BUILTIN_DIGEST: &str =
        "sha256:ac14b77fa4d971f612a92ffa6b831737b274fa3e05cf528da60487b03d01aed7";

    #[test]
    fn builtin_data_changes_bump_the_version() {
        let list = EntityList::builtin().unwrap();
        assert_eq!(
            (list.list.version.as_str(), list.list.digest.as_str()),
            (BUILTIN_VERSION, BUILTIN_DIGEST),
            "data/entities.toml changed: bump [list] version and updated, then this test's constants"
        );
    }

    #[test]
    fn builtin_provenance_is_complete() {
        let list = EntityList::builtin().unwrap();
        for s in &list.sources {
            let official = s.citation.contains(" FR ") || s.citation.contains("Pub. L.");
            assert!(
                s.url.is_some() || official || s.grade == Grade::Unverified,
                "source {} has neither a URL nor an official citation",
                s.id
            );
            // A read date is the day the source was read, never the list's version date
            // stamped on every source; a source whose reading was not dated has none.
            if let Some(read) = s.read {
                assert!(
                    read <= list.list.updated,
                    "source {} read after the list",
                    s.id
                );
            }
        }
        let read: Vec<&str> = list
            .sources
            .iter()
            .filter(|s| s.read.is_some())
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(
            read,
            [
                "fr-2024-13532",
                "fr-2024-13695",
                "summaries-2024",
                "thompson-hine-2024-06",
                "kaspersky-ru-pages",
                "ofac-2024-06-21",
                "bod-17-01",
                "ndaa-2018-1634",
                "kaspersky-github",
                "kaspersky-jp-privacy",
                "kaspersky-zh-help",
                "domains-observed"
            ]
        );
        // Facts graded as their sources allow (LEGAL.md): names with no source are unverified;
        // the Russian names and the EU representative cite the entity's own pages; the two
        // dates cite BIS's own press release (primary).
        let alias = |e: &str, name: &str| {
            list.entity(e)
                .unwrap()
                .aliases
                .iter()
                .find(|a| a.name == name)
                .unwrap_or_else(|| panic!("{e}: {name}"))
                .clone()
        };
        for name in ["Kaspersky Lab ZAO", "Kaspersky Lab JSC"] {
            assert_eq!(alias("ao-kaspersky-lab", name).grade, Grade::Unverified);
        }
        assert_eq!(
            &*alias("kaspersky", "Kaspersky Labs GmbH").source,
            "kaspersky-jp-privacy"
        );
        assert_eq!(
            &*alias("ao-kaspersky-lab", "АО «Лаборатория Касперского»").source,
            "kaspersky-ru-pages"
        );
        let icts = list.programme("icts-kaspersky").unwrap();
        for d in &icts.dates {
            assert_eq!(
                (d.source.as_str(), d.grade),
                ("bis-press-2024-06-20", Grade::Primary)
            );
        }
        // Each programme states what it restricts.
        let restricts: Vec<(&str, Restricts)> = list
            .programmes
            .iter()
            .map(|p| (p.id.as_str(), p.restricts))
            .collect();
        assert!(
            restricts.iter().all(|(_, r)| *r != Restricts::Unstated),
            "{restricts:?}"
        );
        assert!(restricts.contains(&("entity-list", Restricts::ExportToEntity)));
        assert!(restricts.contains(&("icts-kaspersky", Restricts::Integration)));
        // OFAC's twelve designated persons are persons (weak on their own).
        let ofac: Vec<&Entity> = list
            .entities
            .iter()
            .filter(|e| e.programmes == ["ofac-eo14024-kaspersky"])
            .collect();
        assert_eq!(ofac.len(), 12);
        assert!(
            ofac.iter()
                .all(|e| e.kind == EntityKind::Person && e.group.is_none())
        );
        // Aliases no source states are gone, and so is the unsourced kaspersky.co.uk attribution.
        let aliases: Vec<&str> = list
            .entities
            .iter()
            .flat_map(|e| e.aliases.iter().map(|a| a.name.as_str()))
            .collect();
        assert!(!aliases.contains(&"Kaspersky Labs") && !aliases.contains(&"Kaspersky Group"));
        let limited = list.entity("kaspersky-labs-limited").unwrap();
        assert!(limited.domains.is_empty());
        // The Entity List entries are named by secondary sources.
        for id in [
            "ao-kaspersky-lab",
            "ooo-kaspersky-group",
            "kaspersky-labs-limited",
        ] {
            assert_eq!(list.entity(id).unwrap().grade, Grade::Secondary, "{id}");
        }
        let bod = list.source("bod-17-01").unwrap();
        assert!(bod.citation.contains("82 FR 43782") && bod.citation.contains("2017-19838"));
        assert!(bod.citation.contains("19 September 2017"));
        // The determination's covered and exempt categories are data.
        let icts = list.programme("icts-kaspersky").unwrap();
        let cats = |v: &[Exemption]| v.iter().map(|e| e.category.clone()).collect::<Vec<_>>();
        assert_eq!(
            cats(&icts.covered),
            ["anti-virus", "cybersecurity", "integration"]
        );
        let consulting = icts
            .exempt
            .iter()
            .find(|e| e.category == "consulting")
            .unwrap();
        assert!(!consulting.executable, "never executable code");
    }

    #[test]
    fn shared_domains_are_dropped_at_load_with_a_note() {
        let text = r#"[list]
id = "x"
title = "t"
version = "1"
updated = "2024-01-01"

[[source]]
id = "s"
title = "s"
citation = "s"
grade = "secondary"

[[entity]]
id = "p"
kind = "person"
name = "Some Person"
source = "s"
grade = "secondary"

  [[entity.domain]]
  domain = "gmail.com"
  source = "s"
  grade = "secondary"

  [[entity.domain]]
  domain = "person.example"
  source = "s"
  grade = "secondary"
"#;
        let l = EntityList::parse(text, "x.toml").unwrap();
        let p = l.entity("p").unwrap();
        assert_eq!(p.domains.len(), 1);
        assert_eq!(p.domains[0].domain, "person.example");
        assert!(l.list.notes[0].contains("gmail.com"), "{:?}", l.list.notes);
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let text = "[list]\nid = \"x\"\ntitle = \"t\"\nversion = \"1\"\nupdated = \"2024-01-01\"\ncolour = \"red\"\n";
        let err = EntityList::parse(text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("x.toml"), "{err}");
        assert!(err.contains("line 6"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn collects_every_semantic_problem_with_lines() {
        let text = r#"[list]
id = "x"
title = "t"
version = "1"
updated = "not-a-date"

[[entity]]
id = "a"
kind = "company"
name = "A"
group = "nobody"
source = "missing"
grade = "primary"

  [[entity.domain]]
  domain = "not a domain"
  source = "missing"
  grade = "primary"
"#;
        let err = EntityList::parse(text, "bad.toml").unwrap_err().to_string();
        for needle in [
            "bad.toml:5: list.updated",
            "bad.toml:11: group `nobody`",
            "bad.toml:12: source `missing`",
            "bad.toml:16: `not a domain`",
        ] {
            assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
        }
    }

    #[test]
    fn a_fact_graded_above_its_source_is_a_problem() {
        let text = r#"[list]
id = "x"
title = "t"
version = "1"
updated = "2024-01-01"

[[source]]
id = "summary"
title = "s"
citation = "s"
grade = "secondary"

[[entity]]
id = "a"
kind = "company"
name = "A Corp"
source = "summary"
grade = "secondary"

  [[entity.alias]]
  name = "A Corp"
  source = "summary"
  grade = "primary"
"#;
        let err = EntityList::parse(text, "g.toml").unwrap_err().to_string();
        assert!(
            err.contains(
                "g.toml:22: a fact graded primary cites source `summary`, graded secondary"
            ),
            "{err}"
        );
        assert!(
            EntityList::parse(&text.replace("\"primary\"", "\"unverified\""), "g.toml").is_ok()
        );
    }

    #[test]
    fn short_digest_is_prefix() {
        assert_eq!(
            short_digest("sha256:0123456789abcdef"),
            "sha256:0123456789ab"
        );
    }
}
