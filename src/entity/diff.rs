//! Entity stage, review: two versions of a list → the entities and identifiers added, removed
//! and changed between them (what a compliance team reviews when it updates a list).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Entity, EntityList};

/// One identifier (or programme) of an entity, keyed `kind: value`, with what supports it.
fn facts(e: &Entity) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    let mut put = |k: String, v: String| {
        f.insert(k, v);
    };
    put(
        "entity".into(),
        format!(
            "{} {} ({}, {})",
            e.kind,
            e.name,
            e.country.as_deref().unwrap_or("-"),
            e.source
        ) + &format!(" [{}]", e.grade),
    );
    for p in &e.programmes {
        put(format!("programme: {p}"), String::new());
    }
    for a in &e.aliases {
        put(
            format!("alias: {}", a.name),
            format!("{} [{}]", a.source, a.grade),
        );
    }
    for d in &e.domains {
        put(
            format!("domain: {}", d.domain),
            format!("{} [{}]", d.source, d.grade),
        );
    }
    for d in &e.domain_labels {
        put(
            format!("domain label: {}", d.label),
            format!("{} [{}]", d.source, d.grade),
        );
    }
    for o in &e.orgs {
        put(
            format!("org: {}/{}", o.host, o.name),
            format!("{} [{}]", o.source, o.grade),
        );
    }
    for s in &e.signers {
        put(
            format!("signer: {}", s.subject),
            format!("{} [{}]", s.source, s.grade),
        );
    }
    for p in &e.products {
        put(
            format!("product: {}", p.name),
            format!(
                "{} ({}; aliases {}) [{}]",
                p.source,
                p.category,
                p.aliases.join(", "),
                p.grade
            ),
        );
    }
    if !e.status.is_empty() {
        put(
            "status".into(),
            serde_json::to_string(&e.status).unwrap_or_default(),
        );
    }
    f
}

/// How one entity differs between the two lists.
#[derive(Debug, Serialize)]
pub struct EntityChange {
    pub id: String,
    pub name: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// `fact: old → new`.
    pub changed: Vec<String>,
}

/// The difference between two lists.
#[derive(Debug, Serialize)]
pub struct ListDiff {
    pub old: String,
    pub new: String,
    pub added: Vec<EntityChange>,
    pub removed: Vec<EntityChange>,
    pub changed: Vec<EntityChange>,
}

impl ListDiff {
    pub fn new(old: &EntityList, new: &EntityList) -> ListDiff {
        let by_id = |l: &EntityList| -> BTreeMap<String, BTreeMap<String, String>> {
            l.entities
                .iter()
                .map(|e| (e.id.clone(), facts(e)))
                .collect()
        };
        let names = |l: &EntityList| -> BTreeMap<String, String> {
            l.entities
                .iter()
                .map(|e| (e.id.clone(), e.name.clone()))
                .collect()
        };
        let (a, b) = (by_id(old), by_id(new));
        let (na, nb) = (names(old), names(new));
        let whole = |id: &str, name: &str, f: &BTreeMap<String, String>, added: bool| {
            let facts: Vec<String> = f
                .iter()
                .map(|(k, v)| {
                    if v.is_empty() {
                        k.clone()
                    } else {
                        format!("{k} ({v})")
                    }
                })
                .collect();
            EntityChange {
                id: id.to_string(),
                name: name.to_string(),
                added: if added { facts.clone() } else { Vec::new() },
                removed: if added { Vec::new() } else { facts },
                changed: Vec::new(),
            }
        };
        let mut d = ListDiff {
            old: old.list.to_string(),
            new: new.list.to_string(),
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        };
        for (id, fb) in &b {
            match a.get(id) {
                None => d.added.push(whole(id, &nb[id], fb, true)),
                Some(fa) => {
                    let mut c = EntityChange {
                        id: id.clone(),
                        name: nb[id].clone(),
                        added: Vec::new(),
                        removed: Vec::new(),
                        changed: Vec::new(),
                    };
                    for (k, v) in fb {
                        match fa.get(k) {
                            None => c.added.push(k.clone()),
                            Some(old) if old != v => c.changed.push(format!("{k}: {old} → {v}")),
                            _ => {}
                        }
                    }
                    c.removed = fa
                        .keys()
                        .filter(|k| !fb.contains_key(*k))
                        .cloned()
                        .collect();
                    if !(c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty()) {
                        d.changed.push(c);
                    }
                }
            }
        }
        for (id, fa) in &a {
            if !b.contains_key(id) {
                d.removed.push(whole(id, &na[id], fa, false));
            }
        }
        d
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The human rendering: one block per entity, `+` added, `-` removed, `~` changed.
    pub fn write_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "list diff: {} → {}", self.old, self.new)?;
        if self.is_empty() {
            return writeln!(out, "  no entity or identifier differs");
        }
        for (what, set) in [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
        ] {
            for c in set.iter() {
                writeln!(out, "  {what} entity {} ({})", c.id, c.name)?;
                for f in &c.added {
                    writeln!(out, "    + {f}")?;
                }
                for f in &c.removed {
                    writeln!(out, "    - {f}")?;
                }
                for f in &c.changed {
                    writeln!(out, "    ~ {f}")?;
                }
            }
        }
        writeln!(
            out,
            "{} added, {} removed, {} changed",
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        )
    }
}
