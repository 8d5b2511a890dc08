//! Entity stage, merging: several loaded lists → which of their entries are one entity.
//!
//! Two entries are one entity when they share a legal name (a name carrying its legal form)
//! and a country, and their legal forms agree: `AO Kaspersky Lab` (RU) from the built-in list
//! and from the Consolidated Screening List are one entity with both lists' identifiers and
//! programmes; `Kaspersky Labs GmbH` is never `Kaspersky Labs Limited`. The first list wins the
//! entity's identity (the built-in list comes first), the others are recorded beside it.

use std::collections::HashMap;

use super::model::{Entity, EntityKind, Strength};
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
#[cfg(test)]
fn key(name: &str, country: &str) -> Option<String> {
    key_of_tokens(&normalize::tokens(name), country)
}

/// The merge key (see `key`) of a name already split into normalised tokens
/// ([`normalize::tokens`]).
pub fn key_of_tokens(toks: &[String], country: &str) -> Option<String> {
    key_of_parts(toks, &normalize::strip_legal_forms(toks), country)
}

/// [`key_of_tokens`] given the tokens without their legal forms too
/// ([`normalize::strip_legal_forms`], which the matcher has computed already).
pub fn key_of_parts(toks: &[String], core: &[String], country: &str) -> Option<String> {
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

/// The country an entity is merged in, when it takes part in merging at all: groups never
/// (a group is a family of companies, not a legal person), nor entries without a country.
pub fn merge_country(e: &Entity) -> Option<&str> {
    if e.kind == EntityKind::Group {
        return None;
    }
    e.country.as_deref().filter(|c| !c.trim().is_empty())
}

/// The names an entity is merged by: its name and its aliases of legal-name strength.
pub fn merge_names(e: &Entity) -> impl Iterator<Item = &str> {
    std::iter::once(e.name.as_str()).chain(
        e.aliases
            .iter()
            .filter(|a| a.strength == Strength::Name)
            .map(|a| a.name.as_str()),
    )
}

/// An entry of a list, by position: (list index, entity index). Copied, never cloned strings
/// (a whole screening list has hundreds of thousands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entry {
    pub list: u32,
    pub entity: u32,
}

impl Entry {
    pub fn new(list: usize, entity: usize) -> Entry {
        Entry {
            list: u32::try_from(list).unwrap_or(u32::MAX),
            entity: u32::try_from(entity).unwrap_or(u32::MAX),
        }
    }
}

/// Which entries are one entity, built entry by entry in list order ([`Merged::add`]).
#[derive(Debug, Default)]
pub struct Merged {
    /// While building: merge key (with its [`key_hash`]) → the canonical entry of the first
    /// entry that had it. The hashes are computed beforehand, in parallel.
    first: hashbrown::HashTable<(u64, String, Entry)>,
    /// Entry → the entry that stands for its entity (absent: it stands for itself).
    canonical: HashMap<Entry, Entry>,
    /// Canonical entry → the other entries merged into it.
    others: HashMap<Entry, Vec<Entry>>,
}

/// The hash [`Merged::add`] expects with each key.
pub fn key_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x6d65_7267_6500).hash_one(key)
}

impl Merged {
    /// Adds one entry with its merge keys ([`key_of_tokens`] of [`merge_names`], in order, each
    /// with its [`key_hash`]) and returns the entry that stands for its entity. Entries must
    /// come in list order: the first list wins the entity's identity (the built-in list comes
    /// first). An entry's canonical entry is decided when it is added and never changes.
    pub fn add(&mut self, me: Entry, keys: Vec<(u64, String)>) -> Entry {
        let mut target: Option<Entry> = None;
        for (h, k) in &keys {
            if let Some(&(_, _, t)) = self.first.find(*h, |(_, x, _)| x == k)
                && t != me
            {
                target = Some(t);
                break;
            }
        }
        let canon = target.unwrap_or(me);
        for (h, k) in keys {
            let slot = self.first.entry(h, |(_, x, _)| *x == k, |(h, _, _)| *h);
            if let hashbrown::hash_table::Entry::Vacant(v) = slot {
                v.insert((h, k, canon));
            }
        }
        if canon != me {
            self.others.entry(canon).or_default().push(me);
            self.canonical.insert(me, canon);
        }
        canon
    }

    /// Frees what only building needed.
    pub fn finish(&mut self) {
        self.first = hashbrown::HashTable::new();
    }

    /// The entry that stands for `entry`'s entity.
    pub fn canonical(&self, entry: Entry) -> Entry {
        self.canonical.get(&entry).copied().unwrap_or(entry)
    }

    /// The other entries merged into a canonical entry.
    pub fn others(&self, canonical: Entry) -> &[Entry] {
        self.others
            .get(&canonical)
            .map(Vec::as_slice)
            .unwrap_or(&[])
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
