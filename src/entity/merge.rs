//! Entity stage, merging: several loaded lists → which of their entries are one entity.
//!
//! Two entries are one entity when they share a legal name (a name carrying its legal form)
//! and a country, and their legal forms agree: `AO Kaspersky Lab` (RU) from the built-in list
//! and from the Consolidated Screening List are one entity with both lists' identifiers and
//! programmes; `Kaspersky Labs GmbH` is never `Kaspersky Labs Limited`. The first list wins the
//! entity's identity (the built-in list comes first), the others are recorded beside it.

use std::collections::HashMap;

use super::{EntityKind, EntityList, Strength};
use crate::text::normalize;

/// The kind of company a legal-form token names; spellings of one kind agree
/// (`ltd`/`limited`, `ao`/`zao`/`jsc`), different kinds conflict.
pub fn form_class(token: &str) -> &str {
    match token {
        "ao" | "zao" | "oao" | "pao" | "jsc" | "cjsc" | "ojsc" | "pjsc" => "joint-stock",
        "ooo" | "llc" => "llc",
        "ltd" | "limited" | "pte" | "pty" => "limited",
        "inc" | "incorporated" | "corp" | "corporation" => "corporation",
        "sp" | "zoo" => "sp-zoo",
        other => other,
    }
}

/// Whether two sets of legal-form tokens name different kinds of company.
pub fn forms_conflict(a: &[&str], b: &[&str]) -> bool {
    fn class<'a>(v: &[&'a str]) -> Vec<&'a str> {
        let mut c: Vec<&str> = v.iter().map(|t| form_class(t)).collect();
        c.sort();
        c.dedup();
        c
    }
    !a.is_empty() && !b.is_empty() && class(a) != class(b)
}

/// The merge key of a legal name in a country: its words without legal forms, the classes of
/// its legal forms, and the country. `None` for names without a legal form (a person, a brand):
/// those are never merged on the name alone.
fn key(name: &str, country: &str) -> Option<String> {
    let toks = normalize::tokens(name);
    let mut forms: Vec<&str> = toks
        .iter()
        .filter(|t| normalize::is_legal_form(t))
        .map(|t| form_class(t))
        .collect();
    if forms.is_empty() {
        return None;
    }
    forms.sort();
    forms.dedup();
    let core = normalize::strip_legal_forms(&toks);
    if core.is_empty() {
        return None;
    }
    Some(format!(
        "{}|{}|{}",
        core.join(" "),
        forms.join(","),
        country.trim().to_ascii_uppercase()
    ))
}

/// An entry of a list: (list index, entity id).
pub type EntryRef = (usize, String);

/// Which entries are one entity.
#[derive(Debug, Default)]
pub struct Merged {
    /// Entry → the entry that stands for its entity (absent: it stands for itself).
    canonical: HashMap<EntryRef, EntryRef>,
    /// Canonical entry → the other entries merged into it.
    others: HashMap<EntryRef, Vec<EntryRef>>,
}

impl Merged {
    /// Finds the entries of `lists` that are one entity. Groups are never merged (a group is a
    /// family of companies, not a legal person).
    pub fn new(lists: &[EntityList]) -> Merged {
        let mut first: HashMap<String, EntryRef> = HashMap::new();
        let mut m = Merged::default();
        for (li, list) in lists.iter().enumerate() {
            for e in &list.entities {
                if e.kind == EntityKind::Group {
                    continue;
                }
                let Some(country) = e.country.as_deref().filter(|c| !c.trim().is_empty()) else {
                    continue;
                };
                let me: EntryRef = (li, e.id.clone());
                let names = std::iter::once(e.name.as_str()).chain(
                    e.aliases
                        .iter()
                        .filter(|a| a.strength == Strength::Name)
                        .map(|a| a.name.as_str()),
                );
                let mut target: Option<EntryRef> = None;
                let mut keys = Vec::new();
                for n in names {
                    let Some(k) = key(n, country) else { continue };
                    if target.is_none()
                        && let Some(t) = first.get(&k)
                        && *t != me
                    {
                        target = Some(t.clone());
                    }
                    keys.push(k);
                }
                let canon = target.unwrap_or_else(|| me.clone());
                for k in keys {
                    first.entry(k).or_insert_with(|| canon.clone());
                }
                if canon != me {
                    m.others.entry(canon.clone()).or_default().push(me.clone());
                    m.canonical.insert(me, canon);
                }
            }
        }
        m
    }

    /// The entry that stands for `entry`'s entity.
    pub fn canonical<'a>(&'a self, entry: &'a EntryRef) -> &'a EntryRef {
        self.canonical.get(entry).unwrap_or(entry)
    }

    /// The other entries merged into a canonical entry.
    pub fn others(&self, canonical: &EntryRef) -> &[EntryRef] {
        self.others.get(canonical).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_agree_on_spellings_and_never_across_forms() {
        assert_eq!(
            key("AO Kaspersky Lab", "RU"),
            key("Kaspersky Lab JSC", "ru")
        );
        assert_eq!(
            key("Kaspersky Labs Limited", "GB"),
            key("Kaspersky Labs Ltd.", "GB")
        );
        assert_ne!(
            key("Kaspersky Labs GmbH", "DE"),
            key("Kaspersky Labs Limited", "DE")
        );
        assert_ne!(key("AO Kaspersky Lab", "RU"), key("AO Kaspersky Lab", "GB"));
        assert_eq!(key("Ivan Testperson", "RU"), None);
        assert!(forms_conflict(&["gmbh"], &["limited"]));
        assert!(!forms_conflict(&["ltd"], &["limited"]));
        assert!(!forms_conflict(&[], &["limited"]));
    }
}
