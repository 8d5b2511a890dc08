//! The matcher's results: a [`Match`] and what it points at (entity, identifier, confidence).

use serde::Serialize;

use crate::entity::Grade;
use crate::evidence::Evidence;

/// How sure a match is that the package is attributable to the entity.
///
/// Ordered from strongest to weakest so that sorting puts the worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// A legal name, a listed domain, code-hosting organisation or signer, in an attribution field.
    Confirmed,
    /// A brand or product name in an attribution field.
    Probable,
    /// Weak: an unverified identifier, or a brand word inside what looks like a person's name.
    Possible,
    /// Any identifier in a field that only talks about something (description, keywords…).
    Mention,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Probable => "probable",
            Confidence::Possible => "possible",
            Confidence::Mention => "mention",
        }
    }
}

/// Which kind of identifier matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentKind {
    Alias,
    Product,
    Signer,
    Domain,
    Org,
}

impl IdentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentKind::Alias => "alias",
            IdentKind::Product => "product",
            IdentKind::Signer => "signer",
            IdentKind::Domain => "domain",
            IdentKind::Org => "org",
        }
    }
}

/// The entity a match points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EntityRef {
    /// Index of the list in the matcher (for policy look-ups).
    #[serde(skip)]
    pub list: usize,
    pub list_id: String,
    pub id: String,
    pub name: String,
    /// The same entity in other lists (same legal name and country, agreeing legal forms): its
    /// programmes and identifiers count as this entity's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<AlsoRef>,
}

/// An entry of another list that is the same entity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AlsoRef {
    #[serde(skip)]
    pub list: usize,
    pub list_id: String,
    pub id: String,
}

/// The identifier that matched, with the source that supports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct IdentRef {
    pub kind: IdentKind,
    pub value: String,
    /// The list that supports this identifier (lists add up: one entity may draw identifiers
    /// from several).
    pub list: String,
    pub source: String,
    pub grade: Grade,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// One piece of evidence matching one identifier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Match {
    pub confidence: Confidence,
    pub entity: EntityRef,
    pub identifier: IdentRef,
    pub evidence: Evidence,
    /// The evidence text after normalisation (for the part that was compared).
    pub normalized: String,
    /// The normalised part that matched.
    pub matched: String,
    /// Which rule matched, in words.
    pub rule: String,
}
