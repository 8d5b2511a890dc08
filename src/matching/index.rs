//! Building the matcher: entity lists compiled once into interned patterns, domain and
//! organisation tables, and the deep scan's prefilter words.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;

use super::types::IdentKind;
use crate::entity::merge::{self, Entry, Merged};
use crate::entity::{Entity, EntityKind, EntityList, Strength};
use crate::text::normalize;

/// Where an identifier lives in the lists: an entry and which of its facts. Patterns hold this
/// (a few bytes) instead of copies of the identifier's strings; a match builds its
/// [`IdentRef`] and [`EntityRef`] from the lists when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct At {
    pub(super) entry: Entry,
    pub(super) slot: Slot,
}

/// Which fact of an entity an identifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Slot {
    Alias(u32),
    /// A product: its name (`0`) or its alias `k - 1`.
    Product(u32, u32),
    Signer(u32),
    Domain(u32),
    Label(u32),
    Org(u32),
}

impl Slot {
    pub(super) fn kind(self) -> IdentKind {
        match self {
            Slot::Alias(_) => IdentKind::Alias,
            Slot::Product(..) => IdentKind::Product,
            Slot::Signer(_) => IdentKind::Signer,
            Slot::Domain(_) | Slot::Label(_) => IdentKind::Domain,
            Slot::Org(_) => IdentKind::Org,
        }
    }
}

/// A run of word hashes in [`Matcher::arena`] (or legal-form ids in [`Matcher::form_arena`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) start: u32,
    pub(super) len: u32,
}

impl Span {
    pub(super) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// A name-like identifier compiled for token matching.
pub(super) struct NamePattern {
    pub(super) at: At,
    /// Hashes of the words left once legal forms are stripped: what must appear contiguously.
    /// Equal hashes are confirmed on the words themselves before anything matches.
    pub(super) core: Span,
    /// The identifier's legal forms (`ao`, `inc`…, as [`normalize::legal_form_id`]), which make
    /// a match more specific.
    pub(super) forms: Span,
    pub(super) strength: Strength,
    /// Only for certificate subjects.
    pub(super) signer_only: bool,
    /// The core's words joined into one (`kasperskylab` for `Kaspersky Lab`).
    pub(super) joined: bool,
}

pub(super) struct OrgPattern<'l> {
    pub(super) at: At,
    pub(super) host: &'l str,
    /// Normalised organisation name (one token).
    pub(super) name: String,
}

/// Common words a name's prefilter needle is chosen among only when it has no other (too
/// frequent to narrow anything).
const NEEDLE_STOP: &[&str] = &[
    "laboratory",
    "security",
    "network",
    "engine",
    "endpoint",
    "embedded",
    "systems",
    "threat",
    "intelligence",
    "training",
    "portal",
    "group",
    "limited",
    "feeds",
    "data",
    "anti",
    "virus",
    "services",
    "consulting",
    "advisory",
    "solutions",
    "software",
    "technologies",
    "products",
    "company",
    "international",
];

/// The compiled identifiers of one or more entity lists.
///
/// Built for lists of hundreds of thousands of entities: words are interned once (a pattern is
/// a run of word ids), patterns point into the lists instead of copying their strings, and the
/// names are normalised once, in parallel.
pub struct Matcher<'l> {
    pub(super) lists: &'l [EntityList],
    /// Which entries of different lists are one entity.
    pub(super) merged: Merged,
    /// The word hashes ([`word_hash`]) of every pattern's core.
    pub(super) arena: Vec<u64>,
    /// The legal forms of every pattern.
    form_arena: Vec<u16>,
    /// Sorted by first word; `first` gives the range of patterns starting with a word's hash.
    pub(super) names: Vec<NamePattern>,
    pub(super) first: HashMap<u64, (u32, u32), WordHasher>,
    /// While building: the patterns each entry added (`[list][entity]`, a range of `names`),
    /// where a duplicate of a new pattern can only be: the same entity's (its own entry's and
    /// those of the entries merged into it).
    added: Vec<Vec<(u32, u32)>>,
    /// Sorted by domain; `by_domain` gives each domain's range, so a host is looked up by each of
    /// its suffixes and matching costs the same with ten domains as with a whole list's.
    pub(super) domains: Vec<(&'l str, At)>,
    pub(super) by_domain: HashMap<&'l str, (u32, u32), WordHasher>,
    /// Registrable-domain labels (`kaspersky` under a country-code suffix of the Public Suffix
    /// List's ICANN section).
    pub(super) labels: Vec<(&'l str, At)>,
    pub(super) orgs: Vec<OrgPattern<'l>>,
    needles: Vec<String>,
    /// The needles also looked for spelled out letter by letter (a subset of `needles`).
    spelled: Vec<String>,
    notes: Vec<String>,
    /// Texts already seen to match nothing, each with a bit per (shape, role) it was read as.
    /// Manifests repeat the same registry URL, licence, categories and authors, and notices the
    /// same few lines, from package to package; what matched is never remembered, so every
    /// match is made afresh and carries its own evidence.
    pub(super) misses: Mutex<HashMap<String, u8>>,
}

/// The hasher of the matcher's tables (fast; a collision only costs a comparison).
type WordHasher = foldhash::fast::RandomState;

/// A normalised word as the patterns hold it: a 64-bit hash, computed while the lists are
/// normalised in parallel. Patterns are found by hash and confirmed on the words themselves
/// ([`Matcher::core_words`]), so a collision can never make a match.
pub(super) fn word_hash(word: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x656e_7469_7479).hash_one(word)
}

/// The most distinct prefilter words the lists may bring (see [`Matcher::new`]). The built-in
/// list has a few dozen; the automaton over 20,000 words (in four spellings and two encodings)
/// still builds in well under a second.
const MAX_NEEDLES: usize = 20_000;

/// Entities normalised together, in parallel, before their words are interned (bounds the
/// memory the owned tokens take at once).
const CHUNK: usize = 4096;

/// One name of an entity, normalised (in parallel) and ready to be interned.
struct PreparedName {
    slot: Slot,
    strength: Strength,
    signer_only: bool,
    /// [`word_hash`] of each core word.
    core: Vec<u64>,
    /// [`word_hash`] of the core's words joined, when it has more than one.
    joined: Option<u64>,
    forms: Vec<u16>,
    /// Its prefilter words, in groups of which one word each is a needle (only while the
    /// list's words fit the budget).
    needles: Vec<Vec<String>>,
    /// Whether its needles are also looked for spelled out letter by letter (`K.a.s.p…`): a
    /// disguise of an organisation's or a product's name, not of a natural person's.
    spelled: bool,
}

/// One entity's names and merge keys (with their hashes).
struct Prepared {
    names: Vec<PreparedName>,
    merge_keys: Vec<(u64, String)>,
}

/// The core words of a name ([`split_name`]): without legal forms, or as written when it has
/// nothing else (a name made only of legal-form words is matched as written). Empty: the name
/// has no words.
fn core_of((toks, stripped): (Vec<String>, Vec<String>)) -> Vec<String> {
    if stripped.is_empty() { toks } else { stripped }
}

/// A name's tokens, and the same without legal forms (both the pattern and the merge key need
/// them: stripped once).
fn split_name(name: &str) -> (Vec<String>, Vec<String>) {
    let toks = normalize::tokens(name);
    let stripped = normalize::strip_legal_forms(&toks);
    (toks, stripped)
}

/// Normalises every name of `e` once: the tokens give the pattern, the merge keys and the
/// prefilter words.
fn prepare(e: &Entity, want_needles: bool) -> Prepared {
    let mut names = Vec::new();
    let mut compile = |raw: &str,
                       parts: (Vec<String>, Vec<String>),
                       slot: Slot,
                       strength: Strength,
                       signer_only: bool| {
        let forms: Vec<u16> = parts
            .0
            .iter()
            .filter_map(|t| normalize::legal_form_id(t))
            .collect();
        let core = core_of(parts);
        if core.is_empty() {
            return;
        }
        let mut needles = Vec::new();
        if want_needles {
            // The name as written (raw bytes of a binary hold it so: `касперск`), and, for a
            // name not written in ASCII or whose words are all too short, its words as the
            // normaliser reads them (`kaspersky` for `Касперский`; `kav sdk` for `KAV SDK`):
            // each group is one needle once chosen (see `ListWords::chosen`).
            let written = needle_words(raw);
            let read = || -> Vec<String> {
                let long: Vec<String> = core
                    .iter()
                    .filter(|w| w.is_ascii() && w.len() >= 5)
                    .cloned()
                    .collect();
                if !long.is_empty() {
                    long
                } else if core.iter().map(|w| w.chars().count()).sum::<usize>() >= 4 {
                    vec![core.join(" ")]
                } else {
                    Vec::new()
                }
            };
            if written.is_empty() || !raw.is_ascii() {
                needles.push(read());
            }
            needles.push(written);
            needles.retain(|g| !g.is_empty());
        }
        names.push(PreparedName {
            slot,
            strength,
            signer_only,
            core: core.iter().map(|w| word_hash(w)).collect(),
            joined: (core.len() > 1).then(|| word_hash(&core.concat())),
            forms,
            needles,
            spelled: e.kind != EntityKind::Person,
        });
    };
    let alias_toks: Vec<(Vec<String>, Vec<String>)> =
        e.aliases.iter().map(|a| split_name(&a.name)).collect();
    let mut merge_keys = Vec::new();
    if let Some(country) = merge::merge_country(e) {
        // The keys of the legal-name aliases, then of the name (first), computed once each.
        let alias_keys: Vec<Option<String>> = e
            .aliases
            .iter()
            .zip(&alias_toks)
            .map(|(a, (toks, core))| {
                (a.strength == Strength::Name)
                    .then(|| merge::key_of_parts(toks, core, country))
                    .flatten()
            })
            .collect();
        let name_key = match e.aliases.iter().position(|a| a.name == e.name) {
            Some(i) if e.aliases[i].strength == Strength::Name => alias_keys[i].clone(),
            Some(i) => merge::key_of_parts(&alias_toks[i].0, &alias_toks[i].1, country),
            None => merge::key_of_tokens(&normalize::tokens(&e.name), country),
        };
        merge_keys = std::iter::once(name_key)
            .chain(alias_keys)
            .flatten()
            .map(|k| (merge::key_hash(&k), k))
            .collect();
    }
    for (i, (a, toks)) in e.aliases.iter().zip(alias_toks).enumerate() {
        compile(&a.name, toks, Slot::Alias(i as u32), a.strength, false);
    }
    for (i, p) in e.products.iter().enumerate() {
        for (k, name) in std::iter::once(&p.name).chain(&p.aliases).enumerate() {
            let slot = Slot::Product(i as u32, k as u32);
            compile(name, split_name(name), slot, Strength::Brand, false);
        }
    }
    for (i, s) in e.signers.iter().enumerate() {
        let slot = Slot::Signer(i as u32);
        compile(
            &s.subject,
            split_name(&s.subject),
            slot,
            Strength::Name,
            true,
        );
    }
    Prepared { names, merge_keys }
}

/// Each run of equal keys in a sorted slice: the key, and where the run is (start, length).
pub(super) fn runs<T, K: PartialEq>(
    sorted: &[T],
    key: impl Fn(&T) -> K + Copy,
) -> impl Iterator<Item = (K, (u32, u32))> {
    let mut start = 0;
    sorted
        .chunk_by(move |a, b| key(a) == key(b))
        .map(move |run| {
            let at = (start as u32, run.len() as u32);
            start += run.len();
            (key(&run[0]), at)
        })
}

/// One list's prefilter words while they fit the budget.
///
/// Each name brings its candidate words (a group); the prefilter needs only one of them per
/// name, since a name matches only where all its words stand together: a line that holds the
/// name holds any one of its words. Fewer distinct needles keep the deep scan's automaton small
/// enough for its fastest SIMD search (see [`ListWords::chosen`]).
struct ListWords {
    ids: HashMap<String, u32, WordHasher>,
    /// Per word id: in how many groups it stands.
    counts: Vec<u32>,
    groups: Vec<Box<[u32]>>,
    /// Per group: whether its needle is looked for spelled out too.
    spelled: Vec<bool>,
    budget: usize,
    over: bool,
}

impl ListWords {
    fn new(budget: usize) -> ListWords {
        ListWords {
            ids: HashMap::default(),
            counts: Vec::new(),
            groups: Vec::new(),
            spelled: Vec::new(),
            budget,
            over: false,
        }
    }

    /// One name's candidate words, any one of which a line naming it holds.
    fn add_group(&mut self, group: Vec<String>, spelled: bool) {
        if self.over || group.is_empty() {
            return;
        }
        let mut ids: Vec<u32> = group
            .into_iter()
            .map(|w| {
                let next = self.ids.len() as u32;
                *self.ids.entry(w).or_insert(next)
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        self.counts.resize(self.ids.len(), 0);
        for &id in &ids {
            self.counts[id as usize] += 1;
        }
        self.groups.push(ids.into_boxed_slice());
        self.spelled.push(spelled);
        if self.ids.len() > self.budget {
            self.over = true;
            self.ids = HashMap::default();
            self.counts = Vec::new();
            self.groups = Vec::new();
            self.spelled = Vec::new();
        }
    }

    fn add(&mut self, word: String) {
        self.add_group(vec![word], true);
    }

    /// One word per group: a word that is not a common one ([`NEEDLE_STOP`]) before one that
    /// is, a single word before words joined by spaces (`kav sdk`, the form for names of short
    /// words only), then the word most groups share (`kaspersky` stands for every product named after
    /// the entity), then the longest, then the first in byte order. Sorted, distinct.
    /// The second list holds the needles also looked for spelled out.
    fn chosen(self) -> (Vec<String>, Vec<String>) {
        let mut words: Vec<&str> = vec![""; self.ids.len()];
        for (w, &id) in &self.ids {
            words[id as usize] = w;
        }
        let rank = |id: u32| {
            let w = words[id as usize];
            (
                !NEEDLE_STOP.contains(&w),
                !w.contains(' '),
                self.counts[id as usize],
                w.chars().count(),
                std::cmp::Reverse(w),
            )
        };
        let mut all: Vec<String> = Vec::new();
        let mut spelled: Vec<String> = Vec::new();
        for (g, &sp) in self.groups.iter().zip(&self.spelled) {
            if let Some(id) = g.iter().copied().max_by_key(|&id| rank(id)) {
                all.push(words[id as usize].to_string());
                if sp {
                    spelled.push(words[id as usize].to_string());
                }
            }
        }
        for v in [&mut all, &mut spelled] {
            v.sort_unstable();
            v.dedup();
        }
        (all, spelled)
    }
}

impl<'l> Matcher<'l> {
    /// Compiles every identifier of every list once.
    pub fn new(lists: &'l [EntityList]) -> Matcher<'l> {
        let mut m = Matcher {
            lists,
            merged: Merged::default(),
            arena: Vec::new(),
            form_arena: Vec::new(),
            names: Vec::new(),
            first: HashMap::default(),
            added: Vec::new(),
            domains: Vec::new(),
            by_domain: HashMap::default(),
            labels: Vec::new(),
            orgs: Vec::new(),
            needles: Vec::new(),
            spelled: Vec::new(),
            notes: Vec::new(),
            misses: Mutex::new(HashMap::new()),
        };
        for (li, list) in lists.iter().enumerate() {
            // The byte prefilter of the deep scan is one automaton over every needle: a whole
            // screening list's names would make it huge. A list whose words exceed the budget
            // keeps them out of the raw-byte prefilter (and stops collecting them); its names
            // are still matched in manifests, notices and the strings the prefilter extracts
            // for other words.
            let mut words = ListWords::new(MAX_NEEDLES.saturating_sub(m.needles.len()));
            // Chunk after chunk: while one chunk's names are added (in list order, on one
            // thread), the next chunk is normalised on the others.
            let prepare_all = |chunk: &[Entity], want_needles: bool| -> Vec<Prepared> {
                chunk.par_iter().map(|e| prepare(e, want_needles)).collect()
            };
            let chunks: Vec<&[Entity]> = list.entities.chunks(CHUNK).collect();
            let mut pending = chunks.first().map(|c| prepare_all(c, true));
            for (c, chunk) in chunks.iter().enumerate() {
                let prepared = pending.take().unwrap_or_default();
                // Once the list's words are over budget they stay so: the next chunk needs none.
                let want_needles = !words.over;
                let next = chunks.get(c + 1);
                let ((), following) = rayon::join(
                    || {
                        for (k, (e, p)) in chunk.iter().zip(prepared).enumerate() {
                            m.add_entity(Entry::new(li, c * CHUNK + k), e, p, &mut words);
                        }
                    },
                    || next.map(|n| prepare_all(n, want_needles)),
                );
                pending = following;
            }
            if words.over {
                m.notes.push(format!(
                    "list {}: its names bring more distinct words than the deep scan's byte prefilter takes (at most {MAX_NEEDLES} in all); its names are matched in manifests and notices, not searched for in raw bytes",
                    list.list.id
                ));
            } else {
                let (mut all, mut spelled) = words.chosen();
                m.needles.append(&mut all);
                m.spelled.append(&mut spelled);
            }
        }
        for v in [&mut m.needles, &mut m.spelled] {
            v.sort_unstable();
            v.dedup();
        }
        m.finish();
        m
    }

    /// Adds one entity's identifiers.
    fn add_entity(&mut self, me: Entry, e: &'l Entity, p: Prepared, words: &mut ListWords) {
        let canon = self.merged.add(me, p.merge_keys);
        let list_id = self.lists[me.list as usize].list.id.as_str();
        // Where a duplicate can be: the patterns of the entity's earlier entries, and this
        // entry's own as they are added.
        let mut earlier: Vec<(u32, u32)> = Vec::new();
        if canon != me {
            for other in std::iter::once(canon).chain(self.merged.others(canon).iter().copied()) {
                if other != me
                    && let Some(&r) = self
                        .added
                        .get(other.list as usize)
                        .and_then(|l| l.get(other.entity as usize))
                {
                    earlier.push(r);
                }
            }
        }
        let start = self.names.len() as u32;
        for mut n in p.names {
            for group in std::mem::take(&mut n.needles) {
                words.add_group(group, n.spelled);
            }
            self.add_name(
                At {
                    entry: me,
                    slot: n.slot,
                },
                canon,
                list_id,
                &n,
                &earlier,
                start,
            );
        }
        let list = me.list as usize;
        if self.added.len() <= list {
            self.added.resize_with(list + 1, Vec::new);
        }
        self.added[list].push((start, self.names.len() as u32));
        for (i, l) in e.domain_labels.iter().enumerate() {
            let at = At {
                entry: me,
                slot: Slot::Label(i as u32),
            };
            self.labels.push((&l.label, at));
            words.add(l.label.clone());
        }
        for (i, d) in e.domains.iter().enumerate() {
            let at = At {
                entry: me,
                slot: Slot::Domain(i as u32),
            };
            self.domains.push((&d.domain, at));
            words.add(d.domain.clone());
        }
        for (i, o) in e.orgs.iter().enumerate() {
            let name = normalize::normalize(&o.name).replace(' ', "");
            self.orgs.push(OrgPattern {
                at: At {
                    entry: me,
                    slot: Slot::Org(i as u32),
                },
                host: &o.host,
                name: name.clone(),
            });
            words.add(name);
        }
    }

    /// Indexes what was added and frees what only building needed.
    fn finish(&mut self) {
        // Patterns grouped by first word, in the order they were added within a group.
        let mut order: Vec<(u64, u32)> = self
            .names
            .iter()
            .enumerate()
            .map(|(i, p)| (self.arena[p.core.start as usize], i as u32))
            .collect();
        order.sort_unstable();
        let mut names: Vec<Option<NamePattern>> = std::mem::take(&mut self.names)
            .into_iter()
            .map(Some)
            .collect();
        self.names = order
            .iter()
            .filter_map(|&(_, i)| names[i as usize].take())
            .collect();
        drop(names);
        self.first.reserve(order.len());
        self.first.extend(runs(&order, |o| o.0));
        self.domains.sort_by(|a, b| a.0.cmp(b.0));
        self.by_domain.extend(runs(&self.domains, |d| d.0));
        self.added = Vec::new();
        self.merged.finish();
    }

    /// What compiling the lists left out (for reports and `list`).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    fn push_span(&mut self, hashes: &[u64]) -> Span {
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(hashes);
        Span {
            start,
            len: hashes.len() as u32,
        }
    }

    /// The words of a pattern's core, from the identifier as the list writes it (to confirm a
    /// match found by hashes).
    pub(super) fn core_words(&self, p: &NamePattern) -> Vec<String> {
        let core = core_of(split_name(self.raw(p.at)));
        if p.joined { vec![core.concat()] } else { core }
    }

    /// The legal forms of a pattern.
    pub(super) fn forms(&self, p: &NamePattern) -> Vec<&'static str> {
        self.form_arena[p.forms.range()]
            .iter()
            .map(|&f| normalize::legal_form(f))
            .collect()
    }

    /// The name an identifier is written as in its list.
    fn raw(&self, at: At) -> &'l str {
        let e = self.entity(at.entry);
        let i = |n: u32| n as usize;
        match at.slot {
            Slot::Alias(n) => &e.aliases[i(n)].name,
            Slot::Product(n, 0) => &e.products[i(n)].name,
            Slot::Product(n, k) => &e.products[i(n)].aliases[i(k) - 1],
            Slot::Signer(n) => &e.signers[i(n)].subject,
            Slot::Domain(n) => &e.domains[i(n)].domain,
            Slot::Label(n) => &e.domain_labels[i(n)].label,
            Slot::Org(n) => &e.orgs[i(n)].name,
        }
    }

    /// Adds a name's pattern (and its joined spelling) unless the entity already has it: two
    /// spellings of one name (`Kaspersky`, `Касперский`) normalise alike, and the first is kept.
    /// `earlier` and `start..` are where the entity's patterns are.
    #[allow(clippy::too_many_arguments)]
    fn add_name(
        &mut self,
        at: At,
        canon: Entry,
        list_id: &str,
        n: &PreparedName,
        earlier: &[(u32, u32)],
        start: u32,
    ) {
        let kind = at.slot.kind();
        let mut mine: Option<Vec<String>> = None;
        let candidates = earlier
            .iter()
            .copied()
            .chain(std::iter::once((start, self.names.len() as u32)))
            .flat_map(|(a, b)| a..b);
        for i in candidates {
            let p = &self.names[i as usize];
            let same = self.arena[p.core.range()] == n.core[..]
                && self.form_arena[p.forms.range()] == n.forms[..]
                && p.at.slot.kind() == kind
                && p.signer_only == n.signer_only
                && self.merged.canonical(p.at.entry) == canon
                && self.lists[p.at.entry.list as usize].list.id == list_id
                && *mine.get_or_insert_with(|| core_of(split_name(self.raw(at))))
                    == self.core_words(p);
            if same {
                return;
            }
        }
        let start = self.form_arena.len() as u32;
        self.form_arena.extend_from_slice(&n.forms);
        let forms = Span {
            start,
            len: n.forms.len() as u32,
        };
        // The words joined (`KasperskyLab`, `KASPERSKYLAB`): one token that says the same name.
        let joined = n.joined.map(|h| [h]);
        let cores =
            std::iter::once((&n.core[..], false)).chain(joined.iter().map(|j| (&j[..], true)));
        for (hashes, joined) in cores {
            let core = self.push_span(hashes);
            self.names.push(NamePattern {
                at,
                core,
                forms,
                strength: n.strength,
                signer_only: n.signer_only,
                joined,
            });
        }
    }

    /// The entity behind an entry.
    pub(super) fn entity(&self, entry: Entry) -> &'l Entity {
        &self.lists[entry.list as usize].entities[entry.entity as usize]
    }

    /// Raw words worth looking for in bytes before normalising anything (deep-scan prefilter).
    pub fn needles(&self) -> &[String] {
        &self.needles
    }

    /// The needles the deep scan also looks for spelled out (`K.a.s.p.e.r.s.k.y`): those of
    /// organisations and products. A natural person's name is not: it is weak evidence on its
    /// own, and its spelled-out letters (`a`, `i`, `e` standing alone) are everywhere in prose.
    pub fn spelled_needles(&self) -> &[String] {
        &self.spelled
    }

    /// The deep scanner of these lists: their needles, and those also looked for spelled out.
    pub fn scanner(
        &self,
        options: crate::evidence::deep::DeepOptions,
    ) -> crate::evidence::deep::Scanner {
        crate::evidence::deep::Scanner::new(self.needles(), self.spelled_needles(), options)
    }
}

/// The distinctive words of a name, as they may appear raw in bytes: lowercase, and for
/// non-Latin words a stem (case endings vary: Касперский, Касперского).
fn needle_words(raw: &str) -> Vec<String> {
    raw.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !normalize::is_legal_form(&normalize::normalize(w)))
        .filter_map(|w| {
            let n = w.chars().count();
            if w.chars().any(normalize::is_unspaced) {
                // A name in an unspaced script is searched whole: it has no endings to trim.
                (n >= 2).then_some(w)
            } else if w.is_ascii() {
                (n >= 5).then_some(w)
            } else if n >= 6 {
                Some(w.chars().take(n - 2).collect())
            } else {
                None
            }
        })
        .collect()
}
