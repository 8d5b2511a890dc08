//! The Consolidated Screening List, whichever form it came in: one entry ([`CslRow`]) after
//! another into an entity list, with a source and a programme per source list.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::common::{IMPORTED, Ids, aliases, bad, date_prefix, dedup_domains, domain_ids, slug};
use crate::entity::model::{
    Entity, EntityKind, EntityList, Gate, ListMeta, Programme, Restricts, Shared, Source, Status,
};
use crate::error::InputError;

/// One CSL entry, whichever form it came in, borrowing what it can from the text.
#[derive(Debug, Default)]
pub(super) struct CslRow<'a> {
    pub(super) line: usize,
    pub(super) id: Cow<'a, str>,
    pub(super) source: Cow<'a, str>,
    pub(super) kind: Cow<'a, str>,
    pub(super) name: Cow<'a, str>,
    pub(super) alt_names: Vec<Cow<'a, str>>,
    pub(super) programs: Vec<Cow<'a, str>>,
    pub(super) countries: Vec<Cow<'a, str>>,
    pub(super) federal_register_notice: Cow<'a, str>,
    pub(super) start_date: Cow<'a, str>,
    pub(super) end_date: Cow<'a, str>,
    pub(super) license_requirement: Cow<'a, str>,
    pub(super) license_policy: Cow<'a, str>,
    pub(super) source_list_url: Cow<'a, str>,
    pub(super) websites: Vec<Cow<'a, str>>,
    pub(super) emails: Vec<Cow<'a, str>>,
}

/// The verdict a CSL source list calls for: the Unverified List names parties whose bona fides
/// could not be verified (a red flag for due diligence, not a prohibition); the other lists
/// (Entity List, SDN, Denied Persons, Military End-User, …) restrict or deny.
pub(super) fn csl_gate(source: &str) -> (Gate, &'static str) {
    let s = source.to_ascii_lowercase();
    if s.contains("unverified") || s.contains("(uvl)") {
        (
            Gate::Warn,
            "due diligence (Unverified List: bona fides not verified)",
        )
    } else {
        (Gate::Fail, "restriction or denial")
    }
}

/// What a CSL source list restricts, from its name (shared/LEGAL.md section 7): the Entity
/// List requires a licence for exports to the entry; the SDN list blocks dealings; the others'
/// reach is not stated here.
fn csl_restricts(source: &str) -> Restricts {
    let s = source.to_ascii_lowercase();
    if s.contains("entity list") {
        Restricts::ExportToEntity
    } else if s.contains("specially designated nationals") || s.contains("(sdn)") {
        Restricts::Dealings
    } else {
        Restricts::Unstated
    }
}

/// What the entries of one CSL source list (one `source` value) share.
struct CslSourceList {
    /// The id of its source and programme.
    id: String,
    /// The same, as the facts of its entries cite it.
    cited: Shared,
    name: String,
    publisher: Option<String>,
    gate: Gate,
    /// The entries' `status.why`.
    why: Shared,
    /// The list's source has a URL: later entries' `source_list_url` change nothing.
    has_url: bool,
    /// The source id of each Federal Register notice its entries cite.
    notices: HashMap<String, Shared>,
}

/// A CSL list being built, entry by entry.
pub(super) struct Csl<'o> {
    origin: &'o str,
    sources: BTreeMap<String, Source>,
    programmes: BTreeMap<String, Programme>,
    entities: Vec<Entity>,
    notes: Vec<String>,
    /// Entries that cannot be read (no name, a malformed record): if there are any, they are
    /// the error, and no more entities are built.
    pub(super) row_problems: Vec<String>,
    /// Dates that are not dates.
    problems: Vec<String>,
    ids: Ids,
    /// The source lists, in order of first sight, and the index of each `source` value.
    lists: Vec<CslSourceList>,
    list_index: HashMap<String, usize>,
    /// A buffer for [`aliases`].
    seen: Vec<String>,
}

impl<'o> Csl<'o> {
    /// A list of at most `entries` entities (the vector of entities is made once).
    pub(super) fn new(origin: &'o str, entries: usize) -> Csl<'o> {
        Csl {
            origin,
            sources: BTreeMap::new(),
            programmes: BTreeMap::new(),
            entities: Vec::with_capacity(entries),
            notes: Vec::new(),
            row_problems: Vec::new(),
            problems: Vec::new(),
            ids: Ids::default(),
            lists: Vec::new(),
            list_index: HashMap::new(),
            seen: Vec::new(),
        }
    }

    /// The source list an entry names, made (with its source and programme) on first sight.
    /// Sources are dated by the export once it is read (see [`Csl::finish`]).
    fn source_list(&mut self, source: &str) -> usize {
        if let Some(&i) = self.list_index.get(source) {
            return i;
        }
        let name = if source.is_empty() {
            "Consolidated Screening List".to_string()
        } else {
            source.to_string()
        };
        let id = format!("csl-{}", slug(&name));
        let publisher = name.split_once(" - ").map(|(_, a)| a.trim().to_string());
        self.sources.entry(id.clone()).or_insert_with(|| Source {
            id: id.clone(),
            title: name.clone(),
            citation: format!("{name}, via the Consolidated Screening List"),
            publisher: publisher.clone(),
            url: None,
            read: None,
            grade: IMPORTED,
        });
        let (gate, why) = csl_gate(&name);
        self.programmes
            .entry(id.clone())
            .or_insert_with(|| Programme {
                id: id.clone(),
                title: name.clone(),
                authority: publisher.clone().unwrap_or_else(|| name.clone()),
                scope: format!("{name}: {why}"),
                restricts: csl_restricts(&name),
                source: id.clone(),
                grade: IMPORTED,
                context: false,
                gate,
                dates: Vec::new(),
                covered: Vec::new(),
                exempt: Vec::new(),
            });
        let list = CslSourceList {
            why: format!("source list: {name} ({why})").into(),
            cited: id.as_str().into(),
            id,
            name,
            publisher,
            gate,
            has_url: false,
            notices: HashMap::new(),
        };
        self.lists.push(list);
        self.list_index
            .insert(source.to_string(), self.lists.len() - 1);
        self.lists.len() - 1
    }

    /// Whether the entry named `name`, at `at` (for its problem), becomes an entity: one without
    /// a name is a problem, and once there is one the list is refused, so later entries are only
    /// read for their own problems.
    pub(super) fn admits(&mut self, name: &str, at: impl FnOnce() -> String) -> bool {
        if name.is_empty() {
            self.row_problems
                .push(format!("{}: entry without a name", at()));
            return false;
        }
        self.row_problems.is_empty()
    }

    pub(super) fn add(&mut self, r: CslRow<'_>) {
        let grade = IMPORTED;
        let index = self.source_list(&r.source);
        let list = &mut self.lists[index];
        // The list's source takes the first `source_list_url` an entry gives.
        if !list.has_url && !r.source_list_url.is_empty() {
            if let Some(src) = self.sources.get_mut(&list.id)
                && src.url.is_none()
            {
                src.url = Some(r.source_list_url.to_string());
            }
            list.has_url = true;
        }
        // Each entry cites its own Federal Register notice where the list gives one.
        let notice = &*r.federal_register_notice;
        let entry_source = if notice.is_empty() {
            Shared::clone(&list.cited)
        } else if let Some(id) = list.notices.get(notice) {
            Shared::clone(id)
        } else {
            let id = format!("{}-{}", list.id, slug(notice));
            self.sources.entry(id.clone()).or_insert_with(|| Source {
                id: id.clone(),
                title: format!("{}: {notice}", list.name),
                citation: notice.to_string(),
                publisher: list.publisher.clone(),
                url: (!r.source_list_url.is_empty()).then(|| r.source_list_url.to_string()),
                read: None,
                grade,
            });
            let id = Shared::from(id);
            list.notices.insert(notice.to_string(), Shared::clone(&id));
            id
        };
        let mut date = |raw: &str, what: &str| {
            if raw.is_empty() {
                return None;
            }
            let d = date_prefix(raw);
            if d.is_none() {
                self.problems.push(format!(
                    "{}:{}: {what} `{raw}` is not a date (YYYY-MM-DD)",
                    self.origin, r.line
                ));
            }
            d
        };
        let from = date(&r.start_date, "start_date");
        let until = date(&r.end_date, "end_date");
        let kind = if r.kind.eq_ignore_ascii_case("individual") {
            EntityKind::Person
        } else if r.kind.is_empty() || r.kind.eq_ignore_ascii_case("entity") {
            EntityKind::Company
        } else {
            EntityKind::Other
        };
        let id = self
            .ids
            .unique(&self.entities, format!("csl-{}", slug(&r.id)));
        let mut aliases = Vec::with_capacity(1 + r.alt_names.len());
        self::aliases(
            std::iter::once(Cow::Borrowed(&*r.name))
                .chain(r.alt_names)
                .map(|n| (n, None)),
            &entry_source,
            grade,
            &mut self.seen,
            &mut aliases,
        );
        let mut domains = domain_ids(
            &r.websites,
            false,
            &entry_source,
            grade,
            &id,
            &mut self.notes,
        );
        domains.extend(domain_ids(
            &r.emails,
            true,
            &entry_source,
            grade,
            &id,
            &mut self.notes,
        ));
        dedup_domains(&mut domains);
        let licence = match (&*r.license_requirement, &*r.license_policy) {
            ("", "") => None,
            (l, "") | ("", l) => Some(l.to_string()),
            (requirement, policy) => Some(format!("{requirement} {policy}")),
        };
        self.entities.push(Entity {
            id,
            kind,
            name: r.name.into_owned(),
            short: None,
            legal_form: None,
            country: r.countries.into_iter().next().map(Cow::into_owned),
            group: None,
            programmes: vec![list.id.clone()],
            note: (!r.programs.is_empty()).then(|| format!("programs: {}", r.programs.join("; "))),
            source: entry_source,
            grade,
            aliases,
            domains,
            domain_labels: Vec::new(),
            orgs: Vec::new(),
            signers: Vec::new(),
            products: Vec::new(),
            status: Status {
                from,
                until,
                gate: (list.gate != Gate::Fail).then_some(list.gate),
                why: Some(Shared::clone(&list.why)),
                licence,
                last_seen: None,
            },
        });
    }

    /// The list, or every entry that could not be read (else every date that is not one).
    pub(super) fn finish(self, exported: Option<NaiveDate>) -> Result<EntityList, InputError> {
        if !self.row_problems.is_empty() {
            return Err(bad(self.origin, self.row_problems));
        }
        if !self.problems.is_empty() {
            return Err(bad(self.origin, self.problems));
        }
        Ok(EntityList {
            list: ListMeta {
                id: "csl".into(),
                title: "US Consolidated Screening List (imported)".into(),
                // Undated: the digest's short form, set by `parse_dated` with the digest.
                version: exported.map(|d| d.to_string()).unwrap_or_default(),
                updated: exported.unwrap_or(NaiveDate::MIN),
                origin: self.origin.to_string(),
                digest: String::new(),
                dated_by: if exported.is_some() {
                    "export metadata (sources_used)".into()
                } else {
                    "undated".into()
                },
                notes: self.notes,
                age_days: None,
                stale: None,
            },
            sources: self
                .sources
                .into_values()
                .map(|s| Source {
                    read: exported,
                    ..s
                })
                .collect(),
            programmes: self.programmes.into_values().collect(),
            entities: self.entities,
        })
    }
}
