//! Sweep, the index's line: one crate version's screening as data (name, version, checksum,
//! evidence with roles, matches with grades, verdict, recogniser and lists, not-scanned
//! reasons), written one JSON object a line by `sweep` and read back by `merge`, `sign`,
//! `check --index` and `sweep diff`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::entity::EntityList;
use crate::evidence::Evidence;
use crate::evidence::deep::{DeepOptions, PackageScan};
use crate::matching::Match;

/// The version of the record's shape; a new one makes every older index unusable for reuse.
pub const FORMAT: u32 = 1;

/// What produced an index's evidence: this tool's version, the record format and a digest of
/// the deep-scan limits. An index made by another recogniser is never reused by a check (its
/// scanner may have seen, or missed, other things).
pub fn recogniser(deep: &DeepOptions) -> String {
    let limits = hex::encode(Sha256::digest(format!("{deep:?}").as_bytes()));
    format!(
        "cargo-entitycheck/{} sweep-format/{FORMAT} limits/{}",
        env!("CARGO_PKG_VERSION"),
        &limits[..16]
    )
}

/// An entity list an index was made with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ListRef {
    pub id: String,
    pub version: String,
    /// `sha256:` of the list file's bytes.
    pub digest: String,
}

impl ListRef {
    pub fn of(lists: &[EntityList]) -> Vec<ListRef> {
        let mut out: Vec<ListRef> = lists
            .iter()
            .map(|l| ListRef {
                id: l.list.id.clone(),
                version: l.list.version.clone(),
                digest: l.list.digest.clone(),
            })
            .collect();
        out.sort();
        out
    }
}

/// One match, as the index keeps it: the entity, the identifier's grade and the evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MatchRef {
    /// The list's id and the entity's id in it.
    pub list: String,
    pub entity: String,
    pub entity_name: String,
    pub confidence: String,
    /// The grade of the identifier's source (`primary`, `secondary`, `unverified`).
    pub grade: String,
    pub identifier: String,
    pub evidence: Evidence,
}

impl MatchRef {
    pub fn of(m: &Match) -> MatchRef {
        MatchRef {
            list: m.entity.list_id.clone(),
            entity: m.entity.id.clone(),
            entity_name: m.entity.name.clone(),
            confidence: m.confidence.as_str().to_string(),
            grade: m.identifier.grade.as_str().to_string(),
            identifier: m.identifier.value.clone(),
            evidence: m.evidence.clone(),
        }
    }
}

/// Which checksum source vouched for a `.crate` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifiedBy {
    /// Not checked: no registry index or database dump given.
    Unverified,
    RegistryIndex,
    DbDump,
    /// Both named it, with the same checksum.
    RegistryIndexAndDbDump,
}

/// One crate version's line in an index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub name: String,
    pub version: String,
    /// SHA-256 (hex) of the `.crate` file as read: what `Cargo.lock` records as `checksum`.
    pub checksum: String,
    pub verified_by: VerifiedBy,
    pub recogniser: String,
    pub lists: Vec<ListRef>,
    /// The policy's worst verdict for this version under the default policy at `as_of`
    /// (`fail`, `warn`, `info`…), or `clear`; `not-scanned` when it could not be read at all.
    pub verdict: String,
    pub as_of: String,
    pub matches: Vec<MatchRef>,
    /// The manifest's evidence that matched (a check takes its own from `cargo metadata`).
    pub manifest: Vec<Evidence>,
    /// Registry owners and publishers that matched (from a database dump).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<Evidence>,
    /// The deep scan of the package's files: only evidence that matched, binaries inventoried,
    /// files passed over. This is what a check takes instead of scanning the package again.
    pub scan: PackageScan,
    /// Why the version, or some of its files, was not read.
    pub not_scanned: Vec<String>,
}

impl Record {
    /// The sort key of an index: name, version, checksum.
    pub fn key(&self) -> (&str, &str, &str) {
        (&self.name, &self.version, &self.checksum)
    }

    /// Every piece of evidence the record kept (manifest, files, owners).
    pub fn evidence(&self) -> impl Iterator<Item = &Evidence> {
        self.manifest
            .iter()
            .chain(&self.scan.evidence)
            .chain(&self.owners)
    }
}

/// The distinct (recogniser, lists) of some records: an index must have exactly one.
pub fn provenance(records: &[Record]) -> BTreeSet<(String, Vec<ListRef>)> {
    records
        .iter()
        .map(|r| (r.recogniser.clone(), r.lists.clone()))
        .collect()
}
