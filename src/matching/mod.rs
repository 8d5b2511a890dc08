//! Match stage: evidence × entity lists → matches, each recording why.
//!
//! Both sides are normalised by [`normalize`] (Unicode NFKC, invisible characters, look-alikes,
//! Cyrillic transliteration, legal forms, punctuation) and compared on *whole tokens* and
//! *whole domain labels*, so `Kasper Skyum`, `kaspa-wallet`, `KasperSkytte` and
//! `notkaspersky.example` never match while `АО «Лаборатория Касперского»` and
//! `K​aspersky` (with a zero-width space) do.

use crate::text::normalize;

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use crate::entity::merge::{self, Entry, Merged};
use crate::entity::{Entity, EntityKind, EntityList, Grade, Strength};
use crate::evidence::{Evidence, Role, Shape};

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

/// Where an identifier lives in the lists: an entry and which of its facts. Patterns hold this
/// (a few bytes) instead of copies of the identifier's strings; a match builds its
/// [`IdentRef`] and [`EntityRef`] from the lists when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct At {
    entry: Entry,
    slot: Slot,
}

/// Which fact of an entity an identifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    Alias(u32),
    /// A product: its name (`0`) or its alias `k - 1`.
    Product(u32, u32),
    Signer(u32),
    Domain(u32),
    Label(u32),
    Org(u32),
}

impl Slot {
    fn kind(self) -> IdentKind {
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
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// A name-like identifier compiled for token matching.
struct NamePattern {
    at: At,
    /// Hashes of the words left once legal forms are stripped: what must appear contiguously.
    /// Equal hashes are confirmed on the words themselves before anything matches.
    core: Span,
    /// The identifier's legal forms (`ao`, `inc`…, as [`normalize::legal_form_id`]), which make
    /// a match more specific.
    forms: Span,
    strength: Strength,
    /// Only for certificate subjects.
    signer_only: bool,
    /// The core's words joined into one (`kasperskylab` for `Kaspersky Lab`).
    joined: bool,
}

struct OrgPattern<'l> {
    at: At,
    host: &'l str,
    /// Normalised organisation name (one token).
    name: String,
}

/// The strongest confidence an attribution to an identifier of `grade` may reach: a fact's
/// grade caps it (primary → confirmed, secondary → probable, unverified → possible), and an
/// identifier of a person never confirms alone (policy raises it when a second, independent
/// signal agrees).
fn ceiling(grade: Grade, is_person: bool) -> Confidence {
    let by_grade = match grade {
        Grade::Primary => Confidence::Confirmed,
        Grade::Secondary => Confidence::Probable,
        Grade::Unverified => Confidence::Possible,
    };
    if is_person {
        by_grade.max(Confidence::Possible)
    } else {
        by_grade
    }
}

/// `wanted` for an attribution, capped by [`ceiling`]; the rule says when the cap applied.
fn attribution(
    role: Role,
    wanted: Confidence,
    grade: Grade,
    is_person: bool,
    rule: &mut String,
) -> Confidence {
    if role == Role::Mention {
        return Confidence::Mention;
    }
    let cap = ceiling(grade, is_person);
    if wanted < cap {
        let why = if is_person && cap == Confidence::Possible {
            "an identifier of a person never confirms alone"
        } else {
            match grade {
                Grade::Primary => "",
                Grade::Secondary => "a secondary fact",
                Grade::Unverified => "an unverified fact",
            }
        };
        rule.push_str(&format!("; {} at most ({why})", cap.as_str()));
        cap
    } else {
        wanted
    }
}

/// Code-hosting services whose first path segment is an organisation or user.
const CODE_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "git.sr.ht",
    "sr.ht",
    "gitee.com",
];

/// Words that say "organisation", not "person": a brand followed by these is not a surname.
const ORG_WORDS: &[&str] = &[
    "lab",
    "labs",
    "team",
    "group",
    "company",
    "security",
    "sdk",
    "software",
    "corp",
    "research",
    "project",
    "developers",
    "dev",
    "devs",
    "contributors",
    "authors",
    "systems",
];

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
    lists: &'l [EntityList],
    /// Which entries of different lists are one entity.
    merged: Merged,
    /// The word hashes ([`word_hash`]) of every pattern's core.
    arena: Vec<u64>,
    /// The legal forms of every pattern.
    form_arena: Vec<u16>,
    /// Sorted by first word; `first` gives the range of patterns starting with a word's hash.
    names: Vec<NamePattern>,
    first: HashMap<u64, (u32, u32), WordHasher>,
    /// While building: the patterns each entry added (`[list][entity]`, a range of `names`),
    /// where a duplicate of a new pattern can only be: the same entity's (its own entry's and
    /// those of the entries merged into it).
    added: Vec<Vec<(u32, u32)>>,
    /// Sorted by domain; `by_domain` gives each domain's range, so a host is looked up by each of
    /// its suffixes and matching costs the same with ten domains as with a whole list's.
    domains: Vec<(&'l str, At)>,
    by_domain: HashMap<&'l str, (u32, u32), WordHasher>,
    /// Registrable-domain labels (`kaspersky` under a country-code suffix of the Public Suffix
    /// List's ICANN section).
    labels: Vec<(&'l str, At)>,
    orgs: Vec<OrgPattern<'l>>,
    needles: Vec<String>,
    /// The needles also looked for spelled out letter by letter (a subset of `needles`).
    spelled: Vec<String>,
    notes: Vec<String>,
    /// Texts already seen to match nothing, each with a bit per (shape, role) it was read as.
    /// Manifests repeat the same registry URL, licence, categories and authors, and notices the
    /// same few lines, from package to package; what matched is never remembered, so every
    /// match is made afresh and carries its own evidence.
    misses: Mutex<HashMap<String, u8>>,
}

/// The hasher of the matcher's tables (fast; a collision only costs a comparison).
type WordHasher = foldhash::fast::RandomState;

/// A normalised word as the patterns hold it: a 64-bit hash, computed while the lists are
/// normalised in parallel. Patterns are found by hash and confirmed on the words themselves
/// ([`Matcher::core_words`]), so a collision can never make a match.
fn word_hash(word: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x656e_7469_7479).hash_one(word)
}

/// The most distinct prefilter words the lists may bring (see [`Matcher::new`]). The built-in
/// list has a few dozen; the automaton over 20,000 words (in four spellings and two encodings)
/// still builds in well under a second.
const MAX_NEEDLES: usize = 20_000;

/// The most texts [`Matcher::misses`] remembers (a bound on its memory, not on matching).
const MAX_MISSES: usize = 100_000;

/// Entities normalised together, in parallel, before their words are interned (bounds the
/// memory the owned tokens take at once).
const CHUNK: usize = 4096;

/// The bit of [`Matcher::misses`] for reading a text as `shape` in `role`.
fn miss_bit(shape: Shape, role: Role) -> u8 {
    let shape = match shape {
        Shape::Author => 0,
        Shape::Url => 1,
        Shape::Subject => 2,
        Shape::Text => 3,
    };
    1 << (shape * 2 + u8::from(role == Role::Mention))
}

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
fn runs<T, K: PartialEq>(
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
    fn core_words(&self, p: &NamePattern) -> Vec<String> {
        let core = core_of(split_name(self.raw(p.at)));
        if p.joined { vec![core.concat()] } else { core }
    }

    /// The legal forms of a pattern.
    fn forms(&self, p: &NamePattern) -> Vec<&'static str> {
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
    fn entity(&self, entry: Entry) -> &'l Entity {
        &self.lists[entry.list as usize].entities[entry.entity as usize]
    }

    /// The entity a match on `entry` points at: the entry standing for its entity, with the
    /// entries of other lists merged into it.
    fn entity_ref(&self, entry: Entry) -> EntityRef {
        let canon = self.merged.canonical(entry);
        let e = self.entity(canon);
        EntityRef {
            list: canon.list as usize,
            list_id: self.lists[canon.list as usize].list.id.clone(),
            id: e.id.clone(),
            name: e.display_name().to_string(),
            also: self
                .merged
                .others(canon)
                .iter()
                .map(|o| AlsoRef {
                    list: o.list as usize,
                    list_id: self.lists[o.list as usize].list.id.clone(),
                    id: self.entity(*o).id.clone(),
                })
                .collect(),
        }
    }

    /// A natural person: a name match is weak evidence on its own (many people share a name).
    fn is_person(&self, entry: Entry) -> bool {
        self.entity(entry).kind == EntityKind::Person
    }

    /// Groups rank below companies when both match the same words.
    fn is_group(&self, entry: Entry) -> bool {
        self.entity(entry).kind == EntityKind::Group
    }

    /// The identifier at `at`, and `wanted` for an attribution to it capped by the grade of its
    /// fact and by its owner.
    fn attributed(
        &self,
        role: Role,
        wanted: Confidence,
        at: At,
        rule: &mut String,
    ) -> (Confidence, IdentRef) {
        let ident = self.ident(at);
        let person = self.is_person(at.entry);
        (attribution(role, wanted, ident.grade, person, rule), ident)
    }

    /// The identifier at `at`, with the list and source that support it.
    fn ident(&self, at: At) -> IdentRef {
        let list = &self.lists[at.entry.list as usize];
        let e = self.entity(at.entry);
        let i = |n: u32| n as usize;
        let (value, source, grade, category): (String, &str, Grade, Option<&str>) = match at.slot {
            Slot::Alias(n) => {
                let a = &e.aliases[i(n)];
                (a.name.clone(), &a.source, a.grade, None)
            }
            Slot::Product(n, k) => {
                let p = &e.products[i(n)];
                let name = if k == 0 {
                    &p.name
                } else {
                    &p.aliases[i(k) - 1]
                };
                (name.clone(), &p.source, p.grade, Some(&p.category))
            }
            Slot::Signer(n) => {
                let s = &e.signers[i(n)];
                (s.subject.clone(), &s.source, s.grade, None)
            }
            Slot::Domain(n) => {
                let d = &e.domains[i(n)];
                (d.domain.clone(), &d.source, d.grade, d.category.as_deref())
            }
            Slot::Label(n) => {
                let l = &e.domain_labels[i(n)];
                (
                    format!("{}.<country-code suffix>", l.label),
                    &l.source,
                    l.grade,
                    None,
                )
            }
            Slot::Org(n) => {
                let o = &e.orgs[i(n)];
                (format!("{}/{}", o.host, o.name), &o.source, o.grade, None)
            }
        };
        IdentRef {
            kind: at.slot.kind(),
            value,
            list: list.list.id.clone(),
            source: source.to_string(),
            grade,
            category: category.map(str::to_string),
        }
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

    /// Every match of one piece of evidence, deduplicated per identifier, strongest first.
    pub fn match_evidence(&self, ev: &Evidence) -> Vec<Match> {
        let text = ev.text.as_str();
        let bit = miss_bit(ev.shape, ev.role);
        let missed = |m: &HashMap<String, u8>| m.get(text).is_some_and(|b| b & bit != 0);
        if self.misses.lock().is_ok_and(|m| missed(&m)) {
            return Vec::new();
        }
        let out = self.match_afresh(ev);
        if out.is_empty()
            && let Ok(mut m) = self.misses.lock()
            && (m.len() < MAX_MISSES || m.contains_key(text))
        {
            *m.entry(text.to_string()).or_default() |= bit;
        }
        out
    }

    /// [`Matcher::match_evidence`] without the memo of misses (for benchmarks and tests).
    pub fn match_afresh(&self, ev: &Evidence) -> Vec<Match> {
        let mut out = Vec::new();
        let text = ev.text.as_str();
        match ev.shape {
            Shape::Author => {
                if let Some((name, _local, domain)) = normalize::parse_email(text) {
                    if let Some(name) = name {
                        self.names(ev, &name, Ctx::Person, ev.role, &mut out);
                    }
                    self.domain(ev, &domain, "email domain", ev.role, &mut out);
                } else {
                    self.names(ev, text, Ctx::Person, ev.role, &mut out);
                    self.embedded(ev, text, &mut out);
                }
            }
            Shape::Url => self.url(ev, text, ev.role, &mut out),
            Shape::Subject => {
                for value in subject_values(text) {
                    self.names(ev, value, Ctx::Subject, ev.role, &mut out);
                }
            }
            Shape::Text => {
                self.names(ev, text, Ctx::Text, ev.role, &mut out);
                self.embedded(ev, text, &mut out);
            }
        }
        // One match per identifier: the strongest reading wins.
        out.sort_by(|a, b| {
            (&a.entity, &a.identifier, a.confidence).cmp(&(&b.entity, &b.identifier, b.confidence))
        });
        out.dedup_by(|b, a| a.entity == b.entity && a.identifier == b.identifier);
        out.sort();
        out
    }

    fn url(&self, ev: &Evidence, text: &str, role: Role, out: &mut Vec<Match>) {
        let parsed = registry_team(text).or_else(|| normalize::parse_url_like(text));
        let Some((host, segs)) = parsed else {
            self.names(ev, text, Ctx::Text, Role::Mention, out);
            return;
        };
        self.domain(ev, &host, "host", role, out);
        let before = out.len();
        self.org(ev, &host, &segs, role, out);
        let listed_org = out.len() > before;
        let code_host = CODE_HOSTS.iter().any(|h| normalize::host_matches(&host, h));
        let mut rest = segs.as_slice();
        if code_host && let Some((first, tail)) = segs.split_first() {
            // The organisation owns the repository: attribution. The repository name is chosen
            // by anyone (a `kaspersky-log-parser`), so it is only a mention. A listed
            // organisation is matched as such, not again as the name its words spell.
            if !listed_org {
                self.names(ev, first, Ctx::Org, role, out);
            }
            rest = tail;
        }
        if !rest.is_empty() {
            self.names(ev, &rest.join(" "), Ctx::Text, Role::Mention, out);
        }
    }

    fn domain(&self, ev: &Evidence, host: &str, what: &str, role: Role, out: &mut Vec<Match>) {
        // The host and each parent domain, whole labels: `a.b.kaspersky.com`, `b.kaspersky.com`…
        let suffixes = normalize::host_suffixes(host);
        // A listed domain of an entity already says it, more precisely than its label.
        let mut listed: Vec<Entry> = Vec::new();
        for suffix in suffixes {
            let Some(&(start, len)) = self.by_domain.get(suffix) else {
                continue;
            };
            for &(domain, at) in &self.domains[start as usize..(start + len) as usize] {
                let mut rule =
                    format!("{what} `{host}` is `{domain}` or a sub-domain of it (whole labels)");
                let (confidence, identifier) =
                    self.attributed(role, Confidence::Confirmed, at, &mut rule);
                listed.push(self.merged.canonical(at.entry));
                out.push(Match {
                    confidence,
                    entity: self.entity_ref(at.entry),
                    identifier,
                    evidence: ev.clone(),
                    normalized: host.to_string(),
                    matched: domain.to_string(),
                    rule,
                });
            }
        }
        if self.labels.is_empty() {
            return;
        }
        // The registrable domain under a country-code suffix of the Public Suffix List's ICANN
        // section: `kaspersky` in kaspersky.co.jp. A hosting platform's customer name (the
        // list's private section: kaspersky.netlify.app, kaspersky.readthedocs.io) says nothing
        // about who made a package, and a generic suffix is no "country domain" a source names.
        let Some(reg) = psl::domain(host.as_bytes()).filter(|d| is_country_site(d.suffix())) else {
            return;
        };
        let reg = String::from_utf8_lossy(reg.as_bytes());
        let label = reg.split('.').next().unwrap_or("");
        for &(_, at) in self
            .labels
            .iter()
            .filter(|(l, at)| *l == label && !listed.contains(&self.merged.canonical(at.entry)))
        {
            let mut rule = format!(
                "{what} `{host}` is under `{reg}`: the label `{label}` under a public suffix (whole labels)"
            );
            let (confidence, identifier) =
                self.attributed(role, Confidence::Confirmed, at, &mut rule);
            out.push(Match {
                confidence,
                entity: self.entity_ref(at.entry),
                identifier,
                evidence: ev.clone(),
                normalized: host.to_string(),
                matched: reg.to_string(),
                rule,
            });
        }
    }

    /// The grade of the fact an identifier rests on.
    fn grade(&self, at: At) -> Grade {
        let e = self.entity(at.entry);
        let i = |n: u32| n as usize;
        match at.slot {
            Slot::Alias(n) => e.aliases[i(n)].grade,
            Slot::Product(n, _) => e.products[i(n)].grade,
            Slot::Signer(n) => e.signers[i(n)].grade,
            Slot::Domain(n) => e.domains[i(n)].grade,
            Slot::Label(n) => e.domain_labels[i(n)].grade,
            Slot::Org(n) => e.orgs[i(n)].grade,
        }
    }

    /// The strongest confidence an attribution to a name pattern can reach: by its kind and
    /// strength, capped by its fact's grade and owner (a name read without its legal form is
    /// possible at most).
    fn reach(&self, p: &NamePattern, score: u8) -> Confidence {
        let wanted = match (p.at.slot.kind(), p.strength) {
            (IdentKind::Product, _) | (_, Strength::Brand) => Confidence::Probable,
            (_, Strength::Name) => Confidence::Confirmed,
        };
        let wanted = if score == 0 {
            wanted.max(Confidence::Possible)
        } else {
            wanted
        };
        wanted.max(ceiling(self.grade(p.at), self.is_person(p.at.entry)))
    }

    fn org(&self, ev: &Evidence, host: &str, segs: &[String], role: Role, out: &mut Vec<Match>) {
        for o in &self.orgs {
            let found = hosted_org(host, segs, o.host).is_some_and(|org| {
                normalize::normalize(org.trim_start_matches('~')).replace(' ', "") == o.name
            });
            if found {
                let mut rule = format!("code-hosting organisation `{}` on {}", o.name, o.host);
                let (confidence, identifier) =
                    self.attributed(role, Confidence::Confirmed, o.at, &mut rule);
                out.push(Match {
                    confidence,
                    entity: self.entity_ref(o.at.entry),
                    identifier,
                    evidence: ev.clone(),
                    normalized: format!(
                        "{host}/{}",
                        segs.first().map(String::as_str).unwrap_or("")
                    ),
                    matched: format!("{}/{}", o.host, o.name),
                    rule,
                });
            }
        }
    }

    /// Finds e-mail addresses, URLs and bare domains inside free text.
    fn embedded(&self, ev: &Evidence, text: &str, out: &mut Vec<Match>) {
        if self.domains.is_empty() && self.orgs.is_empty() && self.labels.is_empty() {
            return;
        }
        for word in text.split(|c: char| c.is_whitespace() || "<>()[]{}\"'`,;|".contains(c)) {
            let word = word.trim_matches(|c: char| c == '.' || c == ':' || c == '!' || c == '?');
            if word.len() < 4 || !word.contains('.') {
                continue;
            }
            if word.contains('@') && !word.contains("://") {
                if let Some((_, _, domain)) = normalize::parse_email(word) {
                    self.domain(ev, &domain, "email domain", ev.role, out);
                }
            } else if word.contains("://") || word.contains('/') || word.contains('%') {
                if let Some((host, segs)) = normalize::parse_url_like(word) {
                    self.domain(ev, &host, "URL host", ev.role, out);
                    self.org(ev, &host, &segs, ev.role, out);
                }
            } else if let Some(host) = normalize::normalize_host(word)
                && host
                    .rsplit('.')
                    .next()
                    .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_alphabetic()))
            {
                self.domain(ev, &host, "domain", ev.role, out);
            }
        }
    }

    fn names(&self, ev: &Evidence, text: &str, ctx: Ctx, role: Role, out: &mut Vec<Match>) {
        let toks = normalize::tokens(text);
        if toks.is_empty() {
            return;
        }
        let hashes: Vec<u64> = toks.iter().map(|t| word_hash(t)).collect();
        struct Cand<'p> {
            p: &'p NamePattern,
            forms: Vec<&'static str>,
            start: usize,
            end: usize,
            score: u8,
        }
        let mut cands: Vec<Cand<'_>> = Vec::new();
        for (i, h) in hashes.iter().enumerate() {
            let Some(&(start, len)) = self.first.get(h) else {
                continue;
            };
            for p in &self.names[start as usize..(start + len) as usize] {
                if p.signer_only && ctx != Ctx::Subject {
                    continue;
                }
                let end = i + p.core.len as usize;
                if end > hashes.len()
                    || hashes[i..end] != self.arena[p.core.range()]
                    || toks[i..end] != self.core_words(p)[..]
                {
                    continue;
                }
                let adjacent = adjacent_forms(&toks, i, end);
                // `Kaspersky Labs GmbH` is not `Kaspersky Labs Limited`: another kind of company
                // written right beside the name rules the identifier out.
                let own = self.forms(p);
                if merge::forms_conflict(&own, &adjacent) {
                    continue;
                }
                let score = if own.is_empty() {
                    1
                } else if own.iter().all(|f| adjacent.contains(f)) {
                    2
                } else {
                    0
                };
                cands.push(Cand {
                    p,
                    forms: own,
                    start: i,
                    end,
                    score,
                });
            }
        }
        // Keep only the most specific readings: a longer name beats a shorter one inside it,
        // a name whose legal form is present beats one without, a company beats its group;
        // but only a reading that reaches at least the same confidence: an unverified
        // `Kaspersky Lab JSC` never hides the primary `Kaspersky Lab` inside it (grades combine
        // to the strongest supported match).
        let rank = |c: &Cand<'_>| {
            (
                c.end - c.start,
                c.score,
                u8::from(!self.is_group(c.p.at.entry)),
            )
        };
        let keep: Vec<&Cand<'_>> = cands
            .iter()
            .filter(|c| {
                // A name read without its legal form is a derived stem, not a stated alias: it
                // never hides the readings inside it.
                !cands.iter().any(|o| {
                    o.score > 0
                        && o.start <= c.start
                        && o.end >= c.end
                        && rank(o) > rank(c)
                        && self.reach(o.p, o.score) <= self.reach(c.p, c.score)
                })
            })
            .collect();
        let normalized = toks.join(" ");
        for c in keep {
            let p = c.p;
            let kind = p.at.slot.kind();
            let rest_is_person = ctx == Ctx::Person
                && toks.iter().enumerate().any(|(j, t)| {
                    (j < c.start || j >= c.end)
                        && !normalize::is_legal_form(t)
                        && !ORG_WORDS.contains(&t.as_str())
                });
            let wanted = match (kind, p.strength) {
                (IdentKind::Product, _) => Confidence::Probable,
                (_, Strength::Brand) if rest_is_person => Confidence::Possible,
                (_, Strength::Brand) => Confidence::Probable,
                (_, Strength::Name) => Confidence::Confirmed,
            };
            let matched = normalize::join_tokens(&toks[c.start..c.end]);
            let form_note = match c.score {
                2 => format!(" with legal form `{}`", c.forms.join(" ")),
                0 => format!(" (its legal form `{}` is absent)", c.forms.join(" ")),
                _ => String::new(),
            };
            let what = match (kind, p.strength) {
                (IdentKind::Product, _) => "product name",
                (IdentKind::Signer, _) => "signer subject",
                (_, Strength::Brand) => "brand name",
                _ => "name",
            };
            let person =
                if rest_is_person && p.strength == Strength::Brand && role == Role::Attribution {
                    "; the other words look like a person's name"
                } else {
                    ""
                };
            let mut rule = format!("{what} `{matched}` found as whole words{form_note}{person}");
            // `Kaspersky Group` is not `OOO Kaspersky Group` unless a source says so: a name
            // whose legal form is absent is weak.
            let wanted = if c.score == 0 && role == Role::Attribution {
                rule.push_str("; without its legal form a derived stem: possible at most");
                wanted.max(Confidence::Possible)
            } else {
                wanted
            };
            let (confidence, identifier) = self.attributed(role, wanted, p.at, &mut rule);
            out.push(Match {
                confidence,
                entity: self.entity_ref(p.at.entry),
                identifier,
                evidence: ev.clone(),
                normalized: normalized.clone(),
                matched: matched.clone(),
                rule,
            });
        }
    }
}

/// Whether a public suffix is a country's: in the Public Suffix List's ICANN section (never a
/// hosting platform's private suffix) and ending in a two-letter country-code top-level domain
/// (`fr`, `com.br`, `co.jp`).
fn is_country_site(suffix: psl::Suffix<'_>) -> bool {
    let tld = suffix
        .as_bytes()
        .rsplit(|&b| b == b'.')
        .next()
        .unwrap_or(b"");
    suffix.typ() == Some(psl::Type::Icann)
        && tld.len() == 2
        && tld.iter().all(u8::is_ascii_alphabetic)
}

/// A registry team login, `github:<org>:<team>` (how crates.io names a GitHub team owning a
/// crate), read as the URL of its organisation: host `github.com`, path `<org>/<team>`.
fn registry_team(text: &str) -> Option<(String, Vec<String>)> {
    let rest = text.trim().strip_prefix("github:")?;
    let (org, team) = rest.split_once(':').unwrap_or((rest, ""));
    let valid = |s: &str| !s.contains(['/', ':', '@', ' ']);
    if org.is_empty() || !valid(org) || !valid(team) {
        return None;
    }
    let segs = std::iter::once(org)
        .chain(Some(team).filter(|t| !t.is_empty()))
        .map(str::to_string)
        .collect();
    Some(("github.com".to_string(), segs))
}

/// The organisation (or user) a URL on a code-hosting service belongs to, for an organisation
/// listed on `org_host`. For GitHub, its raw-file, archive, API, Pages and CDN forms name the
/// organisation too: `github.com/<org>`, `raw.githubusercontent.com/<org>`,
/// `codeload.github.com/<org>`, `media.githubusercontent.com/media/<org>`,
/// `api.github.com/repos/<org>`, `<org>.github.io`, `cdn.jsdelivr.net/gh/<org>`;
/// `objects.githubusercontent.com` (release assets by number) names none.
fn hosted_org<'s>(host: &'s str, segs: &'s [String], org_host: &str) -> Option<&'s str> {
    let seg = |i: usize| segs.get(i).map(String::as_str);
    if org_host == "github.com" {
        if let Some(org) = host.strip_suffix(".github.io") {
            return (!org.contains('.')).then_some(org);
        }
        return match host {
            "github.com"
            | "www.github.com"
            | "raw.github.com"
            | "raw.githubusercontent.com"
            | "codeload.github.com"
            | "gist.githubusercontent.com"
            | "gist.github.com"
            | "raw.githack.com"
            | "rawcdn.githack.com" => seg(0),
            "media.githubusercontent.com" => match seg(0) {
                Some("media" | "lfs") => seg(1),
                _ => seg(0),
            },
            "api.github.com" | "uploads.github.com" => match seg(0) {
                Some("repos" | "orgs" | "users") => seg(1),
                _ => None,
            },
            "cdn.jsdelivr.net" | "fastly.jsdelivr.net" => match seg(0) {
                Some("gh") => seg(1),
                _ => None,
            },
            _ => None,
        };
    }
    normalize::host_matches(host, org_host)
        .then(|| seg(0))
        .flatten()
}

/// The context a name is read in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// An author: extra words may be a person's name.
    Person,
    /// A code-hosting organisation segment.
    Org,
    /// A certificate subject value.
    Subject,
    /// Anything else.
    Text,
}

/// The legal-form tokens immediately before and after a span.
fn adjacent_forms(toks: &[String], start: usize, end: usize) -> Vec<&str> {
    let before = toks[..start]
        .iter()
        .rev()
        .take_while(|t| normalize::is_legal_form(t));
    let after = toks[end..]
        .iter()
        .take_while(|t| normalize::is_legal_form(t));
    before.chain(after).map(String::as_str).collect()
}

/// The values of `CN=`, `O=`, `OU=` in a certificate subject; the whole text if it has none.
fn subject_values(text: &str) -> Vec<&str> {
    let values: Vec<&str> = text
        .split([',', '/', ';', '+'])
        .filter_map(|rdn| rdn.split_once('='))
        .filter(|(k, _)| matches!(k.trim().to_ascii_uppercase().as_str(), "CN" | "O" | "OU"))
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        vec![text]
    } else {
        values
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

#[cfg(test)]
mod tests;
