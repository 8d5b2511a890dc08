//! Looking evidence up in the built matcher: names as whole tokens, hosts as whole labels,
//! code-hosting organisations; each match capped by its fact's grade and owner.

use std::collections::HashMap;

use super::index::{At, Matcher, NamePattern, Slot, word_hash};
use super::types::{AlsoRef, Confidence, EntityRef, IdentKind, IdentRef, Match};
use crate::entity::merge::{self, Entry};
use crate::entity::{EntityKind, Grade, Strength};
use crate::evidence::{Evidence, Role, Shape};
use crate::text::normalize;
use crate::text::web::{CODE_HOSTS, hosted_org, is_country_site, registry_team};

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

/// The most texts [`Matcher::misses`] remembers (a bound on its memory, not on matching).
const MAX_MISSES: usize = 100_000;

/// The bit of [`Matcher::misses`] for reading a text as `shape` in `role`.
pub(super) fn miss_bit(shape: Shape, role: Role) -> u8 {
    let shape = match shape {
        Shape::Author => 0,
        Shape::Url => 1,
        Shape::Subject => 2,
        Shape::Text => 3,
    };
    1 << (shape * 2 + u8::from(role == Role::Mention))
}

impl<'l> Matcher<'l> {
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
            /// Found at the start of a longer word (see [`glued_rest`]), not as the whole word.
            glued: bool,
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
                    glued: false,
                });
            }
        }
        // A one-word name glued to the words of a software product's name (`kasperskysdk`,
        // `kasperskyscanengine`): only in what names code (an identifier, a package, a file, a
        // library), never in prose, an author or a hosting account (`KasperSkytte` is a person),
        // and only where the rest is made of such words, so `kasperskytte` stays no match.
        if ctx == Ctx::Text && role != Role::Mention {
            for (i, tok) in toks.iter().enumerate() {
                if tok.len() <= GLUED_MIN
                    || !tok.bytes().all(|b| b.is_ascii_alphanumeric())
                    || cands.iter().any(|c| c.start <= i && i < c.end)
                {
                    continue;
                }
                for len in (GLUED_MIN..tok.len()).rev() {
                    let (head, rest) = tok.split_at(len);
                    if !glued_rest(rest) {
                        continue;
                    }
                    let Some(&(start, n)) = self.first.get(&word_hash(head)) else {
                        continue;
                    };
                    let before = cands.len();
                    for p in &self.names[start as usize..(start + n) as usize] {
                        if p.core.len != 1 || p.signer_only || self.core_words(p) != [head] {
                            continue;
                        }
                        let forms = self.forms(p);
                        let score = u8::from(forms.is_empty());
                        cands.push(Cand {
                            p,
                            forms,
                            start: i,
                            end: i + 1,
                            score,
                            glued: true,
                        });
                    }
                    if cands.len() > before {
                        break;
                    }
                }
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
            let matched = if c.glued {
                self.core_words(p).concat()
            } else {
                normalize::join_tokens(&toks[c.start..c.end])
            };
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
            let mut rule = if c.glued {
                format!(
                    "{what} `{matched}` found at the start of the word `{}`, glued to words of a product's name{form_note}; probable at most",
                    toks[c.start]
                )
            } else {
                format!("{what} `{matched}` found as whole words{form_note}{person}")
            };
            let wanted = if c.glued {
                wanted.max(Confidence::Probable)
            } else {
                wanted
            };
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

/// The shortest one-word name read glued to other words (see [`glued_rest`]): shorter ones
/// (`kav`, `ksn`) begin too many unrelated words.
const GLUED_MIN: usize = 7;

/// The words a software product's name is made of after its maker's (`sdk`, `scan`, `engine`…),
/// which a name glued to them in one lower-case word is read with: `kasperskysdk`,
/// `kasperskyscanengine2`. A name followed by anything else (`kasperskytte`, a person's handle)
/// is not read in a longer word.
const PRODUCT_WORDS: &[&str] = &[
    "sdk",
    "scan",
    "scanner",
    "scanning",
    "engine",
    "engines",
    "av",
    "anti",
    "antivirus",
    "virus",
    "malware",
    "lab",
    "labs",
    "os",
    "security",
    "secure",
    "endpoint",
    "api",
    "apis",
    "lib",
    "libs",
    "core",
    "client",
    "agent",
    "net",
    "cloud",
    "mobile",
    "plugin",
    "plugins",
    "module",
    "modules",
    "bridge",
    "wrapper",
    "binding",
    "bindings",
    "native",
    "kit",
    "tool",
    "tools",
    "service",
    "services",
    "update",
    "updater",
    "updates",
    "util",
    "utils",
    "internet",
    "total",
    "free",
    "suite",
    "protect",
    "protection",
    "runtime",
    "rt",
    "helper",
    "connector",
    "adapter",
    "interface",
    "ffi",
    "jni",
    "sys",
    "dll",
    "win",
    "windows",
    "linux",
    "mac",
    "macos",
    "android",
    "ios",
    "x64",
    "x86",
    "arm",
    "arm64",
    "amd64",
    "js",
    "py",
    "python",
    "node",
    "go",
    "java",
    "dotnet",
    "sharp",
    "cpp",
    "c",
    "ext",
    "embedded",
    "system",
    "systems",
    "server",
    "gateway",
    "mail",
    "web",
    "file",
    "files",
    "check",
    "checker",
    "detect",
    "detection",
    "ksn",
    "kav",
    "kes",
    "kis",
    "data",
    "feed",
    "feeds",
    "signatures",
    "bases",
    "db",
    "daemon",
    "svc",
    "app",
    "sandbox",
    "shield",
    "guard",
    "firewall",
    "vpn",
    "safe",
    "dev",
    "devel",
    "pro",
    "plus",
];

/// Whether `rest` (what follows a name in one word) is made of [`PRODUCT_WORDS`] and digits.
fn glued_rest(rest: &str) -> bool {
    let b = rest.as_bytes();
    let mut reach = vec![false; b.len() + 1];
    reach[0] = true;
    for i in 0..b.len() {
        if !reach[i] {
            continue;
        }
        if b[i].is_ascii_digit() {
            reach[i + 1] = true;
        }
        for w in PRODUCT_WORDS {
            if b[i..].starts_with(w.as_bytes()) {
                reach[i + w.len()] = true;
            }
        }
    }
    reach[b.len()]
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
