//! The entity-list model: lists, entities, programmes, sources and their facts, as the matcher
//! and the policy read them, with the look-ups over a list.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
