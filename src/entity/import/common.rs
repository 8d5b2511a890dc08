//! What every importer shares: dates, ids, aliases and domains made from an entry's fields,
//! and the grade of imported facts.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use chrono::NaiveDate;

use crate::entity::model::{Alias, DomainId, Entity, Grade, Shared, Strength};
use crate::entity::shared;
use crate::error::InputError;
use crate::text::normalize;

pub(super) fn date_prefix(s: &str) -> Option<NaiveDate> {
    let s = s.trim().get(..10)?;
    // The usual form, four, two and two digits, read without a format string (the same date).
    let b = s.as_bytes();
    if b[4] == b'-' && b[7] == b'-' {
        let number = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (number(0..4), number(5..7), number(8..10)) {
            return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// How often `mark` occurs in a text: a bound on the entries it holds, counted (at memory speed)
/// so that the vector of entities is made once. Grown entry by entry, a vector of 300,000
/// entities is copied and faulted in again at every doubling, about a tenth of the import.
pub(super) fn occurrences(text: &str, mark: &[u8]) -> usize {
    memchr::memmem::find_iter(text.as_bytes(), mark).count()
}

pub(super) fn slug(s: &str) -> String {
    let n = normalize::normalize(s);
    if n.is_empty() {
        "x".into()
    } else if n.contains(' ') {
        n.replace(' ', "-")
    } else {
        n
    }
}

pub(super) fn bad(origin: &str, problems: Vec<String>) -> InputError {
    InputError::Invalid {
        path: origin.to_string(),
        problems,
    }
}

/// The non-empty trimmed parts of a `;`-separated cell.
pub(super) fn semicolon_parts(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty())
}

/// Website and e-mail domains as identifiers; shared-service domains (gmail.com, github.com…)
/// are dropped, with a note in `notes`.
pub(super) fn domain_ids<S: AsRef<str>>(
    values: &[S],
    is_email: bool,
    source: &Shared,
    grade: Grade,
    entity: &str,
    notes: &mut Vec<String>,
) -> Vec<DomainId> {
    if values.is_empty() {
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    values
        .iter()
        .filter_map(|v| {
            if is_email {
                normalize::parse_email(v.as_ref()).map(|(_, _, d)| d)
            } else {
                normalize::parse_url_like(v.as_ref()).map(|(h, _)| h)
            }
        })
        .map(|h| h.strip_prefix("www.").map(str::to_string).unwrap_or(h))
        .filter(|h| h.contains('.') && seen.insert(h.clone()))
        .filter(|h| match shared::shared(h) {
            Some(s) => {
                notes.push(shared::note(entity, h, s));
                false
            }
            None => true,
        })
        .map(|domain| DomainId {
            domain,
            category: None,
            note: None,
            source: Shared::clone(source),
            grade,
        })
        .collect()
}

/// A website and an e-mail address often share the domain: keep it once. The list keeps no
/// spare room either (collected from a filter, one domain came with room for four: 300 bytes
/// per entity with a website, tens of MB in a whole screening list).
pub(super) fn dedup_domains(domains: &mut Vec<DomainId>) {
    if domains.len() >= 2 {
        let mut seen = BTreeSet::new();
        domains.retain(|d| seen.insert(d.domain.clone()));
    }
    domains.shrink_to_fit();
}

/// The aliases of an entity: each name whose normalised form is not empty and not that of an
/// earlier name (each name normalised once; `seen` is a buffer).
pub(super) fn aliases<'a>(
    names: impl IntoIterator<Item = (Cow<'a, str>, Option<&'static str>)>,
    source: &Shared,
    grade: Grade,
    seen: &mut Vec<String>,
    out: &mut Vec<Alias>,
) {
    for (name, note) in names {
        let key = normalize::normalize(&name);
        if key.is_empty() || seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(Alias {
            name: name.into_owned(),
            script: None,
            strength: Strength::Name,
            note: note.map(str::to_string),
            source: Shared::clone(source),
            grade,
        });
    }
    seen.clear();
}

/// The ids of the entities made so far, for [`Ids::unique`]. Each id is kept once, in its
/// entity: the set holds the hash of each id and the index of the first entity with that hash.
#[derive(Default)]
pub(super) struct Ids {
    pub(super) by_hash: HashMap<u64, usize, BuildHasherDefault<HashValue>>,
    pub(super) hasher: RandomState,
}

impl Ids {
    /// An id no entity in `entities` has: `id`, else `id-dup`, `id-dup-dup`… It is taken by the
    /// entity that is pushed next.
    pub(super) fn unique(&mut self, entities: &[Entity], mut id: String) -> String {
        loop {
            let hash = self.hasher.hash_one(&id);
            let taken = match self.by_hash.get(&hash) {
                None => false,
                Some(&i) if entities[i].id == id => true,
                // Another id with the same hash: compare with them all.
                Some(_) => entities.iter().any(|e| e.id == id),
            };
            if !taken {
                self.by_hash.entry(hash).or_insert(entities.len());
                return id;
            }
            id.push_str("-dup");
        }
    }
}

/// The hasher of a map whose keys are hashes already.
#[derive(Default)]
pub(super) struct HashValue(u64);

impl Hasher for HashValue {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The publisher asks users to check the official publication: every imported fact is
/// secondary, however official the list it came from.
pub(super) const IMPORTED: Grade = Grade::Secondary;
