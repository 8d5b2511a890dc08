//! Sweep, alerts: an index + two versions of an entity list → the crate versions whose verdict
//! changes from one to the other (the question a security team asks the day an entity is
//! listed), decided on the evidence the index kept, without reading a `.crate` again.
//!
//! An index keeps only evidence that matched the lists it was swept with, so it can answer for
//! two lists only if it was swept with both: otherwise evidence for an identifier only one of
//! them has may never have been kept, and the diff is refused with that reason.

use std::io::{self, Write};

use serde::Serialize;

use super::record::{ListRef, Record};
use crate::entity::EntityList;
use crate::error::InputError;
use crate::matching::Matcher;
use crate::policy::Policy;

/// One crate version whose verdict differs between the two lists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct VerdictChange {
    pub name: String,
    pub version: String,
    pub checksum: String,
    /// The verdict under the old and the new list (`fail`, `warn`, `info`, `clear`…).
    pub old: String,
    pub new: String,
    /// The entities matched under the new list (`list-id:entity-id`).
    pub entities: Vec<String>,
}

/// The changes, sorted by name, version and checksum.
#[derive(Debug, Clone, Serialize)]
pub struct IndexDiff {
    pub old: ListRef,
    pub new: ListRef,
    pub records: usize,
    pub changes: Vec<VerdictChange>,
}

/// Compares the verdicts of every record of an index under `old` and `new`.
pub fn diff(
    records: &[Record],
    index: &str,
    old: &EntityList,
    new: &EntityList,
    policy: &Policy,
) -> Result<IndexDiff, InputError> {
    let refs = |l: &EntityList| ListRef {
        id: l.list.id.clone(),
        version: l.list.version.clone(),
        digest: l.list.digest.clone(),
    };
    let (old_ref, new_ref) = (refs(old), refs(new));
    for r in records {
        for (which, l) in [("old", &old_ref), ("new", &new_ref)] {
            if !r.lists.iter().any(|x| x.digest == l.digest) {
                return Err(InputError::Usage(format!(
                    "{index}: {} {} was swept without the {which} list {} {} ({}): its evidence \
                     for that list may not have been kept; sweep again with both lists \
                     (--entities)",
                    r.name, r.version, l.id, l.version, l.digest
                )));
            }
        }
    }
    let old_lists = std::slice::from_ref(old);
    let new_lists = std::slice::from_ref(new);
    let old_m = Matcher::new(old_lists);
    let new_m = Matcher::new(new_lists);
    let mut changes = Vec::new();
    for r in records {
        if r.verdict == "not-scanned" {
            continue;
        }
        let judge = |m: &Matcher, lists: &[EntityList]| {
            let matches: Vec<_> = r.evidence().flat_map(|e| m.match_evidence(e)).collect();
            let mut entities: Vec<String> = matches
                .iter()
                .map(|m| format!("{}:{}", m.entity.list_id, m.entity.id))
                .collect();
            entities.sort();
            entities.dedup();
            (
                super::verdict(policy, lists, &r.name, &r.version, matches),
                entities,
            )
        };
        let (before, _) = judge(&old_m, old_lists);
        let (after, entities) = judge(&new_m, new_lists);
        if before != after {
            changes.push(VerdictChange {
                name: r.name.clone(),
                version: r.version.clone(),
                checksum: r.checksum.clone(),
                old: before,
                new: after,
                entities,
            });
        }
    }
    changes.sort();
    Ok(IndexDiff {
        old: old_ref,
        new: new_ref,
        records: records.len(),
        changes,
    })
}

impl IndexDiff {
    pub fn write_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "{} crate versions of the index compared: {} {} -> {} {}",
            self.records, self.old.id, self.old.version, self.new.id, self.new.version
        )?;
        if self.changes.is_empty() {
            return writeln!(out, "no verdict changes");
        }
        for c in &self.changes {
            let who = if c.entities.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.entities.join(", "))
            };
            writeln!(
                out,
                "  {} {}: {} -> {}{who}",
                c.name, c.version, c.old, c.new
            )?;
        }
        writeln!(out, "{} verdicts change", self.changes.len())
    }
}
