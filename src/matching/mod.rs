//! Match stage: evidence × entity lists → matches, each recording why.
//!
//! Both sides are normalised by [`normalize`] (Unicode NFKC, invisible characters, look-alikes,
//! Cyrillic transliteration, legal forms, punctuation) and compared on *whole tokens* and
//! *whole domain labels*, so `Kasper Skyum`, `kaspa-wallet`, `KasperSkytte` and
//! `notkaspersky.example` never match while `АО «Лаборатория Касперского»` and
//! `K​aspersky` (with a zero-width space) do.

use crate::text::normalize;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::entity::merge::{self, Merged};
use crate::entity::{EntityKind, EntityList, Grade, Strength};
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

/// A name-like identifier compiled for token matching.
struct NamePattern {
    owner: Arc<Owner>,
    ident: IdentRef,
    /// Tokens after legal forms are stripped: what must appear contiguously.
    core: Vec<String>,
    /// Legal-form tokens of the identifier (`ao`, `inc`…), which make a match more specific.
    forms: Vec<String>,
    strength: Strength,
    /// Only for certificate subjects.
    signer_only: bool,
}

struct DomainPattern {
    owner: Arc<Owner>,
    ident: IdentRef,
    domain: String,
}

/// A registrable-domain label (`kaspersky` under any public suffix).
struct LabelPattern {
    owner: Arc<Owner>,
    ident: IdentRef,
    label: String,
}

struct OrgPattern {
    owner: Arc<Owner>,
    ident: IdentRef,
    host: String,
    /// Normalised organisation name (one token).
    name: String,
}

/// Shared by every pattern of one entity (a large list has hundreds of thousands).
struct Owner {
    entity: EntityRef,
    /// Groups rank below companies when both match the same words.
    is_group: bool,
    /// A natural person: a name match is weak evidence on its own (many people share a name).
    is_person: bool,
}

/// The strongest confidence an attribution to `ident` of `owner` may reach: a fact's grade caps
/// it (primary → confirmed, secondary → probable, unverified → possible), and an identifier of
/// a person never confirms alone (policy raises it when a second, independent signal agrees).
fn ceiling(ident: &IdentRef, owner: &Owner) -> Confidence {
    let by_grade = match ident.grade {
        Grade::Primary => Confidence::Confirmed,
        Grade::Secondary => Confidence::Probable,
        Grade::Unverified => Confidence::Possible,
    };
    if owner.is_person {
        by_grade.max(Confidence::Possible)
    } else {
        by_grade
    }
}

/// `wanted` for an attribution, capped by [`ceiling`]; the rule says when the cap applied.
fn attribution(
    role: Role,
    wanted: Confidence,
    ident: &IdentRef,
    owner: &Owner,
    rule: &mut String,
) -> Confidence {
    if role == Role::Mention {
        return Confidence::Mention;
    }
    let cap = ceiling(ident, owner);
    if wanted < cap {
        let why = if owner.is_person && cap == Confidence::Possible {
            "an identifier of a person never confirms alone"
        } else {
            match ident.grade {
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

/// Common words never used alone as prefilter needles (too frequent to narrow anything).
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
];

/// The compiled identifiers of one or more entity lists.
pub struct Matcher {
    names: Vec<NamePattern>,
    by_first: HashMap<String, Vec<usize>>,
    /// While building: `names` indexed by a hash of what makes two patterns duplicates, so the
    /// duplicate check costs the same whether a first word starts three names or thirty
    /// thousand (`China ...` in the Consolidated Screening List). Emptied when built.
    seen: HashMap<u64, Vec<usize>>,
    domains: Vec<DomainPattern>,
    /// Index of `domains` by domain: a host is looked up by each of its suffixes, so matching
    /// costs the same with ten domains as with a whole screening list's.
    by_domain: HashMap<String, Vec<usize>>,
    labels: Vec<LabelPattern>,
    orgs: Vec<OrgPattern>,
    needles: Vec<String>,
    notes: Vec<String>,
    /// Texts already seen to match nothing, each with a bit per (shape, role) it was read as.
    /// Manifests repeat the same registry URL, licence, categories and authors, and notices the
    /// same few lines, from package to package; what matched is never remembered, so every
    /// match is made afresh and carries its own evidence.
    misses: Mutex<HashMap<String, u8>>,
}

/// The most distinct prefilter words the lists may bring (see [`Matcher::new`]). The built-in
/// list has a few dozen; the automaton over 20,000 words (in four spellings and two encodings)
/// still builds in well under a second.
const MAX_NEEDLES: usize = 20_000;

/// The most texts [`Matcher::misses`] remembers (a bound on its memory, not on matching).
const MAX_MISSES: usize = 100_000;

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

impl Matcher {
    /// Compiles every identifier of every list once.
    pub fn new(lists: &[EntityList]) -> Matcher {
        let mut m = Matcher {
            names: Vec::new(),
            by_first: HashMap::new(),
            seen: HashMap::new(),
            domains: Vec::new(),
            by_domain: HashMap::new(),
            labels: Vec::new(),
            orgs: Vec::new(),
            needles: Vec::new(),
            notes: Vec::new(),
            misses: Mutex::new(HashMap::new()),
        };
        let merged = Merged::new(lists);
        // Entity look-up by id, built only for lists that take part in a merge.
        let mut index: HashMap<usize, HashMap<&str, usize>> = HashMap::new();
        for (li, list) in lists.iter().enumerate() {
            let needles_before = m.needles.len();
            for e in &list.entities {
                let me: merge::EntryRef = (li, e.id.clone());
                let canon = merged.canonical(&me).clone();
                let (cl, cid) = &canon;
                let canon_entity = if canon == me {
                    e
                } else {
                    let idx = index.entry(*cl).or_insert_with(|| {
                        lists[*cl]
                            .entities
                            .iter()
                            .enumerate()
                            .map(|(i, e)| (e.id.as_str(), i))
                            .collect()
                    });
                    idx.get(cid.as_str())
                        .map(|&i| &lists[*cl].entities[i])
                        .unwrap_or(e)
                };
                let owner = Arc::new(Owner {
                    entity: EntityRef {
                        list: *cl,
                        list_id: lists[*cl].list.id.clone(),
                        id: cid.clone(),
                        name: canon_entity.display_name().to_string(),
                        also: merged
                            .others(&canon)
                            .iter()
                            .map(|(l, id)| AlsoRef {
                                list: *l,
                                list_id: lists[*l].list.id.clone(),
                                id: id.clone(),
                            })
                            .collect(),
                    },
                    is_group: e.kind == EntityKind::Group,
                    is_person: e.kind == EntityKind::Person,
                });
                let list_id = list.list.id.as_str();
                let ident =
                    |kind, value: &str, source: &str, grade, category: Option<&str>| IdentRef {
                        kind,
                        value: value.to_string(),
                        list: list_id.to_string(),
                        source: source.to_string(),
                        grade,
                        category: category.map(str::to_string),
                    };
                for a in &e.aliases {
                    m.add_name(
                        &owner,
                        ident(IdentKind::Alias, &a.name, &a.source, a.grade, None),
                        &a.name,
                        a.strength,
                        false,
                    );
                }
                for p in &e.products {
                    for name in std::iter::once(&p.name).chain(&p.aliases) {
                        m.add_name(
                            &owner,
                            ident(
                                IdentKind::Product,
                                name,
                                &p.source,
                                p.grade,
                                Some(&p.category),
                            ),
                            name,
                            Strength::Brand,
                            false,
                        );
                    }
                }
                for s in &e.signers {
                    m.add_name(
                        &owner,
                        ident(IdentKind::Signer, &s.subject, &s.source, s.grade, None),
                        &s.subject,
                        Strength::Name,
                        true,
                    );
                }
                for l in &e.domain_labels {
                    m.labels.push(LabelPattern {
                        owner: owner.clone(),
                        ident: ident(
                            IdentKind::Domain,
                            &format!("{}.<public suffix>", l.label),
                            &l.source,
                            l.grade,
                            None,
                        ),
                        label: l.label.clone(),
                    });
                    m.needles.push(l.label.clone());
                }
                for d in &e.domains {
                    m.by_domain
                        .entry(d.domain.clone())
                        .or_default()
                        .push(m.domains.len());
                    m.domains.push(DomainPattern {
                        owner: owner.clone(),
                        ident: ident(
                            IdentKind::Domain,
                            &d.domain,
                            &d.source,
                            d.grade,
                            d.category.as_deref(),
                        ),
                        domain: d.domain.clone(),
                    });
                    m.needles.push(d.domain.clone());
                }
                for o in &e.orgs {
                    let name = normalize::normalize(&o.name).replace(' ', "");
                    m.orgs.push(OrgPattern {
                        owner: owner.clone(),
                        ident: ident(
                            IdentKind::Org,
                            &format!("{}/{}", o.host, o.name),
                            &o.source,
                            o.grade,
                            None,
                        ),
                        host: o.host.clone(),
                        name: name.clone(),
                    });
                    m.needles.push(name);
                }
            }
            // The byte prefilter of the deep scan is one automaton over every needle: a whole
            // screening list's names would make it huge. A list whose words exceed the budget
            // keeps them out of the raw-byte prefilter; its names are still matched in
            // manifests, notices and the strings the prefilter extracts for other words.
            let mut words = m.needles.split_off(needles_before);
            words.sort_unstable();
            words.dedup();
            if m.needles.len() + words.len() <= MAX_NEEDLES {
                m.needles.append(&mut words);
            } else {
                m.notes.push(format!(
                    "list {}: {} distinct words are too many for the deep scan's byte prefilter (at most {MAX_NEEDLES}); its names are matched in manifests and notices, not searched for in raw bytes",
                    list.list.id,
                    words.len()
                ));
            }
        }
        m.needles.sort_unstable();
        m.needles.dedup();
        m.seen = HashMap::new();
        m
    }

    /// What compiling the lists left out (for reports and `list`).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    fn add_name(
        &mut self,
        owner: &Arc<Owner>,
        ident: IdentRef,
        raw: &str,
        strength: Strength,
        signer_only: bool,
    ) {
        let toks = normalize::tokens(raw);
        let forms: Vec<String> = toks
            .iter()
            .filter(|t| normalize::is_legal_form(t))
            .cloned()
            .collect();
        let mut core = normalize::strip_legal_forms(&toks);
        if core.is_empty() {
            // A name made only of legal-form words: match it as written.
            core = toks;
        }
        if core.is_empty() {
            return;
        }
        self.needles.extend(needle_words(raw));
        // The name's words as the deep scan's prefilter should find them (`kav sdk` for `KAV
        // SDK`, whose words are too short to be needles on their own).
        if core.concat().chars().count() >= 4 {
            self.needles.push(core.join(" "));
        }
        // Two spellings of one name (`Kaspersky`, `Касперский`) normalise alike: keep the first.
        let key = |core: &[String]| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (core, &forms, owner.entity.list, &owner.entity.id).hash(&mut h);
            (ident.kind, &ident.list, signer_only).hash(&mut h);
            h.finish()
        };
        let duplicate = self.seen.get(&key(&core)).is_some_and(|ids| {
            ids.iter().any(|&i| {
                let p = &self.names[i];
                p.core == core
                    && p.forms == forms
                    && p.owner.entity == owner.entity
                    && p.ident.kind == ident.kind
                    && p.ident.list == ident.list
                    && p.signer_only == signer_only
            })
        });
        if duplicate {
            return;
        }
        // The words joined (`KasperskyLab`, `KASPERSKYLAB`): one token that says the same name.
        let joined = (core.len() > 1).then(|| vec![core.concat()]);
        for core in std::iter::once(core).chain(joined) {
            let idx = self.names.len();
            self.by_first.entry(core[0].clone()).or_default().push(idx);
            self.seen.entry(key(&core)).or_default().push(idx);
            self.names.push(NamePattern {
                owner: owner.clone(),
                ident: ident.clone(),
                core,
                forms: forms.clone(),
                strength,
                signer_only,
            });
        }
    }

    /// Raw words worth looking for in bytes before normalising anything (deep-scan prefilter).
    pub fn needles(&self) -> &[String] {
        &self.needles
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
        let suffixes = std::iter::successors(Some(host), |h| h.split_once('.').map(|(_, t)| t));
        let before = out.len();
        for suffix in suffixes {
            for &i in self.by_domain.get(suffix).into_iter().flatten() {
                let d = &self.domains[i];
                let mut rule = format!(
                    "{what} `{host}` is `{}` or a sub-domain of it (whole labels)",
                    d.domain
                );
                let confidence =
                    attribution(role, Confidence::Confirmed, &d.ident, &d.owner, &mut rule);
                out.push(Match {
                    confidence,
                    entity: d.owner.entity.clone(),
                    identifier: d.ident.clone(),
                    evidence: ev.clone(),
                    normalized: host.to_string(),
                    matched: d.domain.clone(),
                    rule,
                });
            }
        }
        if self.labels.is_empty() {
            return;
        }
        // The registrable domain under a known public suffix: `kaspersky` in kaspersky.co.jp.
        let Some(reg) = psl::domain(host.as_bytes()).filter(|d| d.suffix().is_known()) else {
            return;
        };
        let reg = String::from_utf8_lossy(reg.as_bytes());
        let label = reg.split('.').next().unwrap_or("");
        // A listed domain of the same entity already says it, more precisely.
        let listed: Vec<EntityRef> = out[before..].iter().map(|m| m.entity.clone()).collect();
        for l in self
            .labels
            .iter()
            .filter(|l| l.label == label && !listed.contains(&l.owner.entity))
        {
            let mut rule = format!(
                "{what} `{host}` is under `{reg}`: the label `{label}` under a public suffix (whole labels)"
            );
            let confidence =
                attribution(role, Confidence::Confirmed, &l.ident, &l.owner, &mut rule);
            out.push(Match {
                confidence,
                entity: l.owner.entity.clone(),
                identifier: l.ident.clone(),
                evidence: ev.clone(),
                normalized: host.to_string(),
                matched: reg.to_string(),
                rule,
            });
        }
    }

    fn org(&self, ev: &Evidence, host: &str, segs: &[String], role: Role, out: &mut Vec<Match>) {
        for o in &self.orgs {
            let found = hosted_org(host, segs, &o.host).is_some_and(|org| {
                normalize::normalize(org.trim_start_matches('~')).replace(' ', "") == o.name
            });
            if found {
                let mut rule = format!("code-hosting organisation `{}` on {}", o.name, o.host);
                let confidence =
                    attribution(role, Confidence::Confirmed, &o.ident, &o.owner, &mut rule);
                out.push(Match {
                    confidence,
                    entity: o.owner.entity.clone(),
                    identifier: o.ident.clone(),
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
        struct Cand<'p> {
            p: &'p NamePattern,
            start: usize,
            end: usize,
            score: u8,
        }
        let mut cands: Vec<Cand<'_>> = Vec::new();
        for (i, tok) in toks.iter().enumerate() {
            let Some(ids) = self.by_first.get(tok) else {
                continue;
            };
            for &pi in ids {
                let p = &self.names[pi];
                if p.signer_only && ctx != Ctx::Subject {
                    continue;
                }
                let end = i + p.core.len();
                if end > toks.len() || toks[i..end] != p.core[..] {
                    continue;
                }
                let adjacent = adjacent_forms(&toks, i, end);
                // `Kaspersky Labs GmbH` is not `Kaspersky Labs Limited`: another kind of company
                // written right beside the name rules the identifier out.
                let own: Vec<&str> = p.forms.iter().map(String::as_str).collect();
                if merge::forms_conflict(&own, &adjacent) {
                    continue;
                }
                let score = if p.forms.is_empty() {
                    1
                } else if p.forms.iter().all(|f| adjacent.contains(&f.as_str())) {
                    2
                } else {
                    0
                };
                cands.push(Cand {
                    p,
                    start: i,
                    end,
                    score,
                });
            }
        }
        // Keep only the most specific readings: a longer name beats a shorter one inside it,
        // a name whose legal form is present beats one without, a company beats its group.
        let rank = |c: &Cand<'_>| (c.end - c.start, c.score, u8::from(!c.p.owner.is_group));
        let keep: Vec<&Cand<'_>> = cands
            .iter()
            .filter(|c| {
                // A name read without its legal form is a derived stem, not a stated alias: it
                // never hides the readings inside it.
                !cands.iter().any(|o| {
                    o.score > 0 && o.start <= c.start && o.end >= c.end && rank(o) > rank(c)
                })
            })
            .collect();
        let normalized = toks.join(" ");
        for c in keep {
            let p = c.p;
            let rest_is_person = ctx == Ctx::Person
                && toks.iter().enumerate().any(|(j, t)| {
                    (j < c.start || j >= c.end)
                        && !normalize::is_legal_form(t)
                        && !ORG_WORDS.contains(&t.as_str())
                });
            let wanted = match (p.ident.kind, p.strength) {
                (IdentKind::Product, _) => Confidence::Probable,
                (_, Strength::Brand) if rest_is_person => Confidence::Possible,
                (_, Strength::Brand) => Confidence::Probable,
                (_, Strength::Name) => Confidence::Confirmed,
            };
            let matched = toks[c.start..c.end].join(" ");
            let form_note = match c.score {
                2 => format!(" with legal form `{}`", p.forms.join(" ")),
                0 => format!(" (its legal form `{}` is absent)", p.forms.join(" ")),
                _ => String::new(),
            };
            let what = match (p.ident.kind, p.strength) {
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
            let confidence = attribution(role, wanted, &p.ident, &p.owner, &mut rule);
            out.push(Match {
                confidence,
                entity: p.owner.entity.clone(),
                identifier: p.ident.clone(),
                evidence: ev.clone(),
                normalized: normalized.clone(),
                matched: matched.clone(),
                rule,
            });
        }
    }
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
        .filter(|w| !NEEDLE_STOP.contains(&w.as_str()))
        .filter_map(|w| {
            let n = w.chars().count();
            if w.is_ascii() {
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
