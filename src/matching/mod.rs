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

use serde::Serialize;

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
}

/// The identifier that matched, with the source that supports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct IdentRef {
    pub kind: IdentKind,
    pub value: String,
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
    owner: Owner,
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
    owner: Owner,
    ident: IdentRef,
    domain: String,
}

struct OrgPattern {
    owner: Owner,
    ident: IdentRef,
    host: String,
    /// Normalised organisation name (one token).
    name: String,
}

#[derive(Clone)]
struct Owner {
    entity: EntityRef,
    /// Groups rank below companies when both match the same words.
    is_group: bool,
    /// A natural person: a name match is weak evidence on its own (many people share a name).
    is_person: bool,
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
    domains: Vec<DomainPattern>,
    orgs: Vec<OrgPattern>,
    needles: Vec<String>,
    /// Texts already seen to match nothing, each with a bit per (shape, role) it was read as.
    /// Manifests repeat the same registry URL, licence, categories and authors, and notices the
    /// same few lines, from package to package; what matched is never remembered, so every
    /// match is made afresh and carries its own evidence.
    misses: Mutex<HashMap<String, u8>>,
}

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
            domains: Vec::new(),
            orgs: Vec::new(),
            needles: Vec::new(),
            misses: Mutex::new(HashMap::new()),
        };
        for (li, list) in lists.iter().enumerate() {
            for e in &list.entities {
                let owner = Owner {
                    entity: EntityRef {
                        list: li,
                        list_id: list.list.id.clone(),
                        id: e.id.clone(),
                        name: e.display_name().to_string(),
                    },
                    is_group: e.kind == EntityKind::Group,
                    is_person: e.kind == EntityKind::Person,
                };
                let ident =
                    |kind, value: &str, source: &str, grade, category: Option<&str>| IdentRef {
                        kind,
                        value: value.to_string(),
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
                for d in &e.domains {
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
        }
        m.needles.sort();
        m.needles.dedup();
        m
    }

    fn add_name(
        &mut self,
        owner: &Owner,
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
        let duplicate = self.by_first.get(&core[0]).is_some_and(|ids| {
            ids.iter().any(|&i| {
                let p = &self.names[i];
                p.core == core
                    && p.forms == forms
                    && p.owner.entity == owner.entity
                    && p.ident.kind == ident.kind
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
        for d in &self.domains {
            if normalize::host_matches(host, &d.domain) {
                let confidence = match role {
                    Role::Mention => Confidence::Mention,
                    Role::Attribution if d.ident.grade == Grade::Unverified => Confidence::Possible,
                    Role::Attribution => Confidence::Confirmed,
                };
                out.push(Match {
                    confidence,
                    entity: d.owner.entity.clone(),
                    identifier: d.ident.clone(),
                    evidence: ev.clone(),
                    normalized: host.to_string(),
                    matched: d.domain.clone(),
                    rule: format!(
                        "{what} `{host}` is `{}` or a sub-domain of it (whole labels)",
                        d.domain
                    ),
                });
            }
        }
    }

    fn org(&self, ev: &Evidence, host: &str, segs: &[String], role: Role, out: &mut Vec<Match>) {
        for o in &self.orgs {
            let found = hosted_org(host, segs, &o.host).is_some_and(|org| {
                normalize::normalize(org.trim_start_matches('~')).replace(' ', "") == o.name
            });
            if found {
                let confidence = match role {
                    Role::Mention => Confidence::Mention,
                    Role::Attribution if o.ident.grade == Grade::Unverified => Confidence::Possible,
                    Role::Attribution => Confidence::Confirmed,
                };
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
                    rule: format!("code-hosting organisation `{}` on {}", o.name, o.host),
                });
            }
        }
    }

    /// Finds e-mail addresses, URLs and bare domains inside free text.
    fn embedded(&self, ev: &Evidence, text: &str, out: &mut Vec<Match>) {
        if self.domains.is_empty() && self.orgs.is_empty() {
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
                !cands
                    .iter()
                    .any(|o| o.start <= c.start && o.end >= c.end && rank(o) > rank(c))
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
            let confidence = match role {
                Role::Mention => Confidence::Mention,
                Role::Attribution if p.ident.grade == Grade::Unverified => Confidence::Possible,
                Role::Attribution if p.owner.is_person => Confidence::Possible,
                Role::Attribution => match (p.ident.kind, p.strength) {
                    (IdentKind::Product, _) => Confidence::Probable,
                    (_, Strength::Brand) if rest_is_person => Confidence::Possible,
                    (_, Strength::Brand) => Confidence::Probable,
                    (_, Strength::Name) => Confidence::Confirmed,
                },
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
            out.push(Match {
                confidence,
                entity: p.owner.entity.clone(),
                identifier: p.ident.clone(),
                evidence: ev.clone(),
                normalized: normalized.clone(),
                matched: matched.clone(),
                rule: format!("{what} `{matched}` found as whole words{form_note}{person}"),
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
