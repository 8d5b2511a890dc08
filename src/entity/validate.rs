//! Validating a parsed list file: every reference resolves, every fact has a source and a grade,
//! every domain is a real host name; all problems are collected, each with its line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use toml::Spanned;

use super::model::{
    Alias, DomainId, DomainLabel, Entity, EntityKind, EntityList, Exemption, Grade, ListMeta,
    OrgId, Product, Programme, ProgrammeDate, SignerId, Source, Status,
};
use super::schema::RawList;
use super::shared;
use crate::diag::line_of;
use crate::text::normalize;

/// Turns the raw file into the validated list, recording every problem with its line.
pub(super) struct Validator<'a> {
    pub(super) text: &'a str,
    pub(super) origin: &'a str,
    pub(super) problems: Vec<String>,
    pub(super) notes: Vec<String>,
}

impl Validator<'_> {
    fn problem<T>(&mut self, at: &Spanned<T>, message: impl fmt::Display) {
        let line = line_of(self.text, at.span().start);
        self.problems
            .push(format!("{}:{}: {}", self.origin, line, message));
    }

    fn date(&mut self, raw: &Spanned<String>, what: &str) -> NaiveDate {
        match NaiveDate::parse_from_str(raw.get_ref(), "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                self.problem(
                    raw,
                    format_args!("{what} `{}` is not a date (YYYY-MM-DD)", raw.get_ref()),
                );
                NaiveDate::MIN
            }
        }
    }

    /// A fact's source, which must be declared; the fact may be graded no higher than its
    /// source (a fact cited to a secondary summary is secondary at most).
    fn source_ref(
        &mut self,
        known: &BTreeMap<String, Grade>,
        raw: &Spanned<String>,
        grade: Grade,
    ) -> String {
        match known.get(raw.get_ref()) {
            None => self.problem(
                raw,
                format_args!(
                    "source `{}` is not declared in a [[source]] table",
                    raw.get_ref()
                ),
            ),
            Some(&of_source) if grade < of_source => self.problem(
                raw,
                format_args!(
                    "a fact graded {grade} cites source `{}`, graded {of_source}: no fact is graded above its source",
                    raw.get_ref()
                ),
            ),
            Some(_) => {}
        }
        raw.get_ref().clone()
    }

    fn unique(&mut self, seen: &mut BTreeSet<String>, raw: &Spanned<String>, what: &str) {
        if raw.get_ref().trim().is_empty() {
            self.problem(raw, format_args!("{what} id is empty"));
        } else if !seen.insert(raw.get_ref().clone()) {
            self.problem(
                raw,
                format_args!("{what} id `{}` is declared twice", raw.get_ref()),
            );
        }
    }

    fn name(&mut self, raw: &Spanned<String>, what: &str) -> String {
        if normalize::tokens(raw.get_ref()).is_empty() {
            self.problem(
                raw,
                format_args!(
                    "{what} `{}` has no letters or digits to match on",
                    raw.get_ref()
                ),
            );
        }
        raw.get_ref().clone()
    }

    pub(super) fn validate(&mut self, raw: RawList, digest: String) -> EntityList {
        let updated = self.date(&raw.list.updated, "list.updated");
        let mut seen_sources = BTreeSet::new();
        let mut source_ids = BTreeMap::new();
        let mut sources = Vec::new();
        for s in raw.source {
            self.unique(&mut seen_sources, &s.id, "source");
            source_ids.insert(s.id.get_ref().clone(), s.grade);
            let read = s.read.as_ref().map(|r| self.date(r, "source.read"));
            sources.push(Source {
                id: s.id.into_inner(),
                title: s.title,
                citation: s.citation,
                publisher: s.publisher,
                url: s.url,
                read,
                grade: s.grade,
            });
        }

        let mut programme_ids = BTreeSet::new();
        let mut programmes = Vec::new();
        for p in raw.programme {
            self.unique(&mut programme_ids, &p.id, "programme");
            let source = self.source_ref(&source_ids, &p.source, p.grade);
            let mut dates = Vec::new();
            for d in p.date {
                dates.push(ProgrammeDate {
                    date: self.date(&d.date, "programme.date.date"),
                    effect: d.effect,
                    gate: d.gate,
                    text: d.text,
                    source: self.source_ref(&source_ids, &d.source, d.grade),
                    grade: d.grade,
                });
            }
            dates.sort_by_key(|d| d.date);
            let mut exempt = Vec::new();
            for e in p.exempt {
                exempt.push(Exemption {
                    category: e.category,
                    text: e.text,
                    executable: e.executable,
                    source: self.source_ref(&source_ids, &e.source, e.grade),
                    grade: e.grade,
                });
            }
            let mut covered = Vec::new();
            for e in p.covered {
                covered.push(Exemption {
                    category: e.category,
                    text: e.text,
                    executable: e.executable,
                    source: self.source_ref(&source_ids, &e.source, e.grade),
                    grade: e.grade,
                });
            }
            programmes.push(Programme {
                id: p.id.into_inner(),
                title: p.title,
                authority: p.authority,
                scope: p.scope,
                restricts: p.restricts,
                source,
                grade: p.grade,
                context: p.context,
                gate: p.gate,
                dates,
                covered,
                exempt,
            });
        }

        let entity_ids: BTreeMap<String, EntityKind> = raw
            .entity
            .iter()
            .map(|e| (e.id.get_ref().clone(), e.kind))
            .collect();
        let mut seen_entities = BTreeSet::new();
        let mut entities = Vec::new();
        for e in raw.entity {
            self.unique(&mut seen_entities, &e.id, "entity");
            if let Some(g) = &e.group {
                match entity_ids.get(g.get_ref()) {
                    Some(EntityKind::Group) => {}
                    Some(_) => self.problem(
                        g,
                        format_args!("group `{}` is not an entity of kind \"group\"", g.get_ref()),
                    ),
                    None => {
                        self.problem(g, format_args!("group `{}` is not declared", g.get_ref()))
                    }
                }
            }
            for p in &e.programmes {
                if !programme_ids.contains(p.get_ref()) {
                    self.problem(
                        p,
                        format_args!("programme `{}` is not declared", p.get_ref()),
                    );
                }
            }
            let source = self.source_ref(&source_ids, &e.source, e.grade);
            let mut aliases = Vec::new();
            for a in e.alias {
                aliases.push(Alias {
                    name: self.name(&a.name, "alias"),
                    script: a.script,
                    strength: a.strength,
                    note: a.note,
                    source: self.source_ref(&source_ids, &a.source, a.grade).into(),
                    grade: a.grade,
                });
            }
            let mut domains = Vec::new();
            for d in e.domain {
                let domain = match normalize::normalize_host(d.domain.get_ref()) {
                    Some(h) if h.contains('.') && !h.contains('/') => h,
                    _ => {
                        self.problem(
                            &d.domain,
                            format_args!("`{}` is not a domain name", d.domain.get_ref()),
                        );
                        String::new()
                    }
                };
                // A webmail, code-hosting or CDN domain says nothing about who made something.
                if let Some(s) = shared::shared(&domain) {
                    self.notes.push(shared::note(e.id.get_ref(), &domain, s));
                    continue;
                }
                domains.push(DomainId {
                    domain,
                    category: d.category,
                    note: d.note,
                    source: self.source_ref(&source_ids, &d.source, d.grade).into(),
                    grade: d.grade,
                });
            }
            let mut domain_labels = Vec::new();
            for l in e.domain_label {
                let label = l.label.get_ref().trim().to_ascii_lowercase();
                if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    self.problem(
                        &l.label,
                        format_args!("`{}` is not one domain label", l.label.get_ref()),
                    );
                }
                domain_labels.push(DomainLabel {
                    label,
                    source: self.source_ref(&source_ids, &l.source, l.grade),
                    grade: l.grade,
                });
            }
            let mut orgs = Vec::new();
            for o in e.org {
                let host = normalize::normalize_host(o.host.get_ref()).unwrap_or_default();
                if host.is_empty() {
                    self.problem(
                        &o.host,
                        format_args!("`{}` is not a host name", o.host.get_ref()),
                    );
                }
                orgs.push(OrgId {
                    host,
                    name: self.name(&o.name, "org"),
                    source: self.source_ref(&source_ids, &o.source, o.grade),
                    grade: o.grade,
                });
            }
            let mut signers = Vec::new();
            for s in e.signer {
                signers.push(SignerId {
                    subject: self.name(&s.subject, "signer subject"),
                    source: self.source_ref(&source_ids, &s.source, s.grade),
                    grade: s.grade,
                });
            }
            let mut products = Vec::new();
            for p in e.product {
                products.push(Product {
                    name: self.name(&p.name, "product"),
                    aliases: p.aliases,
                    category: p.category,
                    note: p.note,
                    source: self.source_ref(&source_ids, &p.source, p.grade),
                    grade: p.grade,
                });
            }
            entities.push(Entity {
                id: e.id.into_inner(),
                kind: e.kind,
                name: e.name,
                short: e.short,
                legal_form: e.legal_form,
                country: e.country,
                group: e.group.map(Spanned::into_inner),
                programmes: e.programmes.into_iter().map(Spanned::into_inner).collect(),
                note: e.note,
                source: source.into(),
                grade: e.grade,
                aliases,
                domains,
                domain_labels,
                orgs,
                signers,
                products,
                status: Status::default(),
            });
        }

        EntityList {
            list: ListMeta {
                id: raw.list.id,
                title: raw.list.title,
                version: raw.list.version,
                updated,
                origin: self.origin.to_string(),
                digest,
                dated_by: "list.updated".into(),
                notes: std::mem::take(&mut self.notes),
                age_days: None,
                stale: None,
            },
            sources,
            programmes,
            entities,
        }
    }
}
