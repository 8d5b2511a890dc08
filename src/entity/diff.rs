//! Entity stage, review: two versions of a list → the entities, identifiers, programmes (their
//! dates, gates, categories and exemptions) and sources added, removed and changed between them:
//! every change that can change a verdict (what a compliance team reviews when it updates a
//! list).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::model::{Entity, EntityList, Exemption, Programme, Source};

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
            format!(
                "{}{} [{}]",
                a.source,
                match a.strength {
                    super::Strength::Name => "",
                    super::Strength::Brand => "; brand",
                },
                a.grade
            ),
        );
    }
    for d in &e.domains {
        put(
            format!("domain: {}", d.domain),
            format!(
                "{}{} [{}]",
                d.source,
                d.category
                    .as_deref()
                    .map(|c| format!("; category {c}"))
                    .unwrap_or_default(),
                d.grade
            ),
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

/// A programme's facts: what it restricts, its scope, each date (keyed by its effect, so a moved
/// date is a change), its gate, and its covered and exempt categories.
fn programme_facts(p: &Programme) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    f.insert(
        "programme".to_string(),
        format!("{} ({}, {}) [{}]", p.title, p.authority, p.source, p.grade),
    );
    f.insert("restricts".into(), p.restricts.to_string());
    f.insert("scope".into(), p.scope.clone());
    if p.context {
        f.insert("context only".into(), String::new());
    }
    if p.dates.is_empty() {
        f.insert("gate".into(), format!("{:?}", p.gate).to_lowercase());
    }
    for d in &p.dates {
        f.insert(
            format!("date: {}", d.effect),
            format!(
                "{}, gate {}; {}; {} [{}]",
                d.date,
                format!("{:?}", d.gate).to_lowercase(),
                d.text,
                d.source,
                d.grade
            ),
        );
    }
    let cat = |e: &Exemption| {
        format!(
            "{}{}; {} [{}]",
            e.text,
            if e.executable {
                ""
            } else {
                "; never executable code"
            },
            e.source,
            e.grade
        )
    };
    for e in &p.covered {
        f.insert(format!("covered: {}", e.category), cat(e));
    }
    for e in &p.exempt {
        f.insert(format!("exempt: {}", e.category), cat(e));
    }
    f
}

/// A source's facts: what it is, where, when it was read and how it is graded.
fn source_facts(s: &Source) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    f.insert("source".to_string(), format!("{} [{}]", s.title, s.grade));
    f.insert("citation".into(), s.citation.clone());
    if let Some(u) = &s.url {
        f.insert("url".into(), u.clone());
    }
    f.insert(
        "read".into(),
        s.read
            .map_or_else(|| "unknown".to_string(), |d| d.to_string()),
    );
    f
}

/// How one record (an entity, a programme or a source) differs between the two lists.
#[derive(Debug, Serialize)]
pub struct EntityChange {
    pub id: String,
    pub name: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// `fact: old → new`.
    pub changed: Vec<String>,
}

/// The records of one kind that were added, removed and changed.
#[derive(Debug, Default, Serialize)]
pub struct Changes {
    pub added: Vec<EntityChange>,
    pub removed: Vec<EntityChange>,
    pub changed: Vec<EntityChange>,
}

impl Changes {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// Compares records keyed by id, each with its name and facts.
    fn of(
        a: BTreeMap<String, (String, BTreeMap<String, String>)>,
        b: BTreeMap<String, (String, BTreeMap<String, String>)>,
    ) -> Changes {
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
        let mut d = Changes::default();
        for (id, (name, fb)) in &b {
            match a.get(id) {
                None => d.added.push(whole(id, name, fb, true)),
                Some((_, fa)) => {
                    let mut c = EntityChange {
                        id: id.clone(),
                        name: name.clone(),
                        added: Vec::new(),
                        removed: Vec::new(),
                        changed: Vec::new(),
                    };
                    for (k, v) in fb {
                        match fa.get(k) {
                            None if v.is_empty() => c.added.push(k.clone()),
                            None => c.added.push(format!("{k} ({v})")),
                            Some(old) if old != v => c.changed.push(format!("{k}: {old} → {v}")),
                            _ => {}
                        }
                    }
                    c.removed = fa
                        .iter()
                        .filter(|(k, _)| !fb.contains_key(*k))
                        .map(|(k, v)| {
                            if v.is_empty() {
                                k.clone()
                            } else {
                                format!("{k} ({v})")
                            }
                        })
                        .collect();
                    if !(c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty()) {
                        d.changed.push(c);
                    }
                }
            }
        }
        for (id, (name, fa)) in &a {
            if !b.contains_key(id) {
                d.removed.push(whole(id, name, fa, false));
            }
        }
        d
    }
}

/// The difference between two lists.
#[derive(Debug, Serialize)]
pub struct ListDiff {
    pub old: String,
    pub new: String,
    /// Entities (with their identifiers).
    pub added: Vec<EntityChange>,
    pub removed: Vec<EntityChange>,
    pub changed: Vec<EntityChange>,
    /// Programmes: what they restrict, dates, gates, covered and exempt categories.
    pub programmes: Changes,
    /// Sources: citations, URLs, read dates, grades.
    pub sources: Changes,
}

impl ListDiff {
    pub fn new(old: &EntityList, new: &EntityList) -> ListDiff {
        let entities = |l: &EntityList| {
            l.entities
                .iter()
                .map(|e| (e.id.clone(), (e.name.clone(), facts(e))))
                .collect()
        };
        let programmes = |l: &EntityList| {
            l.programmes
                .iter()
                .map(|p| (p.id.clone(), (p.title.clone(), programme_facts(p))))
                .collect()
        };
        let sources = |l: &EntityList| {
            l.sources
                .iter()
                .map(|s| (s.id.clone(), (s.title.clone(), source_facts(s))))
                .collect()
        };
        let e = Changes::of(entities(old), entities(new));
        ListDiff {
            old: old.list.to_string(),
            new: new.list.to_string(),
            added: e.added,
            removed: e.removed,
            changed: e.changed,
            programmes: Changes::of(programmes(old), programmes(new)),
            sources: Changes::of(sources(old), sources(new)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.programmes.is_empty()
            && self.sources.is_empty()
    }

    /// The human rendering: one block per record, `+` added, `-` removed, `~` changed.
    pub fn write_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "list diff: {} → {}", self.old, self.new)?;
        if self.is_empty() {
            return writeln!(
                out,
                "  nothing differs: entities, identifiers, programmes and sources are the same"
            );
        }
        let entities = [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
        ];
        let block = |out: &mut dyn Write, kind: &str, sets: [(&str, &Vec<EntityChange>); 3]| {
            for (what, set) in sets {
                for c in set.iter() {
                    writeln!(out, "  {what} {kind} {} ({})", c.id, c.name)?;
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
            Ok::<(), io::Error>(())
        };
        block(out, "entity", entities)?;
        for (kind, c) in [("programme", &self.programmes), ("source", &self.sources)] {
            block(
                out,
                kind,
                [
                    ("added", &c.added),
                    ("removed", &c.removed),
                    ("changed", &c.changed),
                ],
            )?;
        }
        writeln!(
            out,
            "entities: {} added, {} removed, {} changed; programmes: {} added, {} removed, {} changed; sources: {} added, {} removed, {} changed",
            self.added.len(),
            self.removed.len(),
            self.changed.len(),
            self.programmes.added.len(),
            self.programmes.removed.len(),
            self.programmes.changed.len(),
            self.sources.added.len(),
            self.sources.removed.len(),
            self.sources.changed.len()
        )
    }
}
