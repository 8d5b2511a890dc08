//! Entity stage, imports: public screening lists → [`EntityList`].
//!
//! Two real formats, so a compliance team can screen against a whole list, not only the
//! built-in Kaspersky entries:
//!
//! - the US **Consolidated Screening List** (CSL) of the International Trade Administration,
//!   as CSV (multi-valued cells separated by `;`) or JSON (`{"results": [...]}`);
//! - **OpenSanctions** FollowTheMoney entities, one JSON object per line.
//!
//! Each row becomes an entity whose names, aliases, websites and e-mail domains are
//! identifiers; each list source (CSL `source`, OpenSanctions dataset) becomes a programme.
//! What the publishers say is kept per entry: CSL start and end dates, licence requirement and
//! policy, the source list (whose kind decides the verdict: the Unverified List calls for due
//! diligence, not denial), `source_list_url` and the Federal Register notice as each fact's
//! source; OpenSanctions `target` and `topics` (only sanctioned targets fail), first and last
//! seen dates and datasets; `weakAlias` values are never matched (OpenSanctions says so).
//! Imported facts are secondary: the publishers ask users to check the official publication.
//! A list's date is the export's own metadata, else the file's modification time, never its
//! newest entry. Shared-service domains (webmail, code hosting) are dropped with a note.
//!
//! A list of hundreds of thousands of entries is read in one pass: each entry becomes an entity
//! as it is read (no table of rows in between), strings are borrowed from the text where they
//! can be, JSON is read into the few fields used (no document tree, see [`json`]), each name is
//! normalised once, and what entries share (a source list, a notice, a dataset) is made once.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use camino::Utf8Path;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::{
    Alias, DomainId, Entity, EntityKind, EntityList, Gate, Grade, ListMeta, Programme, Restricts,
    Shared, Source, Status, Strength, shared,
};
use crate::error::InputError;
use crate::named::Named;
use crate::text::normalize;

mod json;

crate::named::named_enum! {
    /// The formats `--entities` and `[lists] extra` accept: the one table of their names and
    /// descriptions (see [`Named`]); what each reads is the `match` in [`parse_dated`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
    pub enum ListFormat {
        Entitycheck = "entitycheck" => "This project's TOML (data/entities.toml)",
        CslCsv = "csl-csv" => "Consolidated Screening List, CSV",
        CslJson = "csl-json" => "Consolidated Screening List, JSON",
        Opensanctions = "opensanctions" => "OpenSanctions FollowTheMoney entities, JSON lines",
    }
}

impl std::str::FromStr for ListFormat {
    type Err = String;

    /// The kebab-case name (as in the configuration), case-insensitive. The error says which
    /// names there are, and which one a misspelt name probably meant.
    fn from_str(s: &str) -> Result<ListFormat, String> {
        ListFormat::from_name(s).ok_or_else(|| {
            format!(
                "list format `{s}` is not one of {}{}",
                ListFormat::NAMES.join(", "),
                crate::diag::did_you_mean(
                    &s.to_ascii_lowercase(),
                    ListFormat::NAMES.iter().copied()
                )
                .map(|g| format!(": did you mean `{g}`?"))
                .unwrap_or_default()
            )
        })
    }
}

impl ListFormat {
    /// Guesses the format from the file name, then the content: a file named `.toml`, `.csv`,
    /// `.json`, `.jsonl`/`.ndjson`/`.ftm.json` is what its name says; otherwise a first line
    /// (after any UTF-8 byte-order mark) holding a FollowTheMoney object is OpenSanctions, one
    /// opening a JSON object is a CSL JSON document (`{"results": …, "sources_used": …}`), a CSV
    /// header with the CSL columns (`name` and one of `source`, `_id`, `entity_number`,
    /// `alt_names`) is a CSL CSV file, and anything else this project's TOML.
    pub fn detect(path: &Utf8Path, text: &str) -> ListFormat {
        let name = path.as_str().to_ascii_lowercase();
        let first_line = text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .lines()
            .next()
            .unwrap_or("");
        if name.ends_with(".toml") {
            ListFormat::Entitycheck
        } else if name.ends_with(".csv") {
            ListFormat::CslCsv
        } else if name.ends_with(".jsonl")
            || name.ends_with(".ndjson")
            || name.ends_with(".ftm.json")
            // One FollowTheMoney object per line, whatever the file is called.
            || (first_line.starts_with('{')
                && first_line.contains("\"schema\"")
                && !first_line.contains("\"results\"")
                && !first_line.contains("\"sources_used\""))
        {
            ListFormat::Opensanctions
        } else if name.ends_with(".json") || first_line.starts_with('{') {
            ListFormat::CslJson
        } else if is_csl_csv_header(first_line) {
            ListFormat::CslCsv
        } else {
            ListFormat::Entitycheck
        }
    }
}

/// Whether a line is the header of a CSL CSV file: comma-separated column names (quoted or
/// not) among which `name` and one of the CSL's own `source`, `_id`, `entity_number`,
/// `alt_names`.
fn is_csl_csv_header(line: &str) -> bool {
    if !line.contains(',') {
        return false;
    }
    let columns: Vec<&str> = line
        .split(',')
        .map(|c| c.trim().trim_matches('"').trim())
        .collect();
    columns.contains(&"name")
        && columns
            .iter()
            .any(|c| matches!(*c, "source" | "_id" | "entity_number" | "alt_names"))
}

/// Loads a list file in any supported format (`None`: detect it).
pub fn load(
    path: &Utf8Path,
    format: Option<ListFormat>,
    limits: &crate::fsio::Limits,
) -> Result<EntityList, InputError> {
    // Bounded, regular files only, no link followed (a command-line path arrives resolved).
    let text = crate::fsio::read_text(path, crate::fsio::ReadKind::EntityList, false, limits)
        .map_err(|e| InputError::read(path, e))?;
    let format = format.unwrap_or_else(|| ListFormat::detect(path, &text));
    // The file's date stands for an export that carries none of its own.
    let mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).date_naive());
    parse_dated(&text, path.as_str(), format, mtime)
}

/// Parses list text in a given format (undated unless the export carries its date).
pub fn parse(text: &str, origin: &str, format: ListFormat) -> Result<EntityList, InputError> {
    parse_dated(text, origin, format, None)
}

/// [`parse`], with the file's modification date for exports that carry no date of their own.
pub fn parse_dated(
    text: &str,
    origin: &str,
    format: ListFormat,
    file_date: Option<NaiveDate>,
) -> Result<EntityList, InputError> {
    let import: fn(&str, &str) -> Result<EntityList, InputError> = match format {
        ListFormat::Entitycheck => return EntityList::parse(text, origin),
        ListFormat::CslCsv => csl_csv,
        ListFormat::CslJson => csl_json,
        ListFormat::Opensanctions => opensanctions,
    };
    // An export's digest is of its text: taken on another thread while the text is read (a
    // large export takes a tenth of a second or more to hash). A byte-order mark (Windows tools
    // write one) is not part of the document, as `ListFormat::detect` reads it.
    let body = text.trim_start_matches('\u{feff}');
    let (digest, list) = rayon::join(|| digest(text), || import(body, origin));
    let mut list = list?;
    if list.list.version.is_empty() {
        list.list.version = super::short_digest(&digest).to_string();
    }
    list.list.digest = digest;
    if list.list.dated_by == "undated"
        && let Some(d) = file_date
    {
        list.list.updated = d;
        list.list.version = d.to_string();
        list.list.dated_by = "file modification time".into();
    }
    Ok(list)
}

/// A date at the start of a text (`2024-06-24`, `2024-06-24T10:00:00`).
fn date_prefix(s: &str) -> Option<NaiveDate> {
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
fn occurrences(text: &str, mark: &[u8]) -> usize {
    memchr::memmem::find_iter(text.as_bytes(), mark).count()
}

fn digest(text: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

fn slug(s: &str) -> String {
    let n = normalize::normalize(s);
    if n.is_empty() {
        "x".into()
    } else if n.contains(' ') {
        n.replace(' ', "-")
    } else {
        n
    }
}

fn bad(origin: &str, problems: Vec<String>) -> InputError {
    InputError::Invalid {
        path: origin.to_string(),
        problems,
    }
}

/// The non-empty trimmed parts of a `;`-separated cell.
fn semicolon_parts(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty())
}

/// Website and e-mail domains as identifiers; shared-service domains (gmail.com, github.com…)
/// are dropped, with a note in `notes`.
fn domain_ids<S: AsRef<str>>(
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
fn dedup_domains(domains: &mut Vec<DomainId>) {
    if domains.len() >= 2 {
        let mut seen = BTreeSet::new();
        domains.retain(|d| seen.insert(d.domain.clone()));
    }
    domains.shrink_to_fit();
}

/// The aliases of an entity: each name whose normalised form is not empty and not that of an
/// earlier name (each name normalised once; `seen` is a buffer).
fn aliases<'a>(
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
struct Ids {
    by_hash: HashMap<u64, usize, BuildHasherDefault<HashValue>>,
    hasher: RandomState,
}

impl Ids {
    /// An id no entity in `entities` has: `id`, else `id-dup`, `id-dup-dup`… It is taken by the
    /// entity that is pushed next.
    fn unique(&mut self, entities: &[Entity], mut id: String) -> String {
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
struct HashValue(u64);

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

// --- Consolidated Screening List ---------------------------------------------------------------

/// One CSL entry, whichever form it came in, borrowing what it can from the text.
#[derive(Debug, Default)]
struct CslRow<'a> {
    line: usize,
    id: Cow<'a, str>,
    source: Cow<'a, str>,
    kind: Cow<'a, str>,
    name: Cow<'a, str>,
    alt_names: Vec<Cow<'a, str>>,
    programs: Vec<Cow<'a, str>>,
    countries: Vec<Cow<'a, str>>,
    federal_register_notice: Cow<'a, str>,
    start_date: Cow<'a, str>,
    end_date: Cow<'a, str>,
    license_requirement: Cow<'a, str>,
    license_policy: Cow<'a, str>,
    source_list_url: Cow<'a, str>,
    websites: Vec<Cow<'a, str>>,
    emails: Vec<Cow<'a, str>>,
}

/// The columns of a CSL CSV file that are read (`None`: the file has no such column).
struct CslColumns {
    name: usize,
    underscore_id: Option<usize>,
    entity_number: Option<usize>,
    source: Option<usize>,
    kind: Option<usize>,
    programs: Option<usize>,
    alt_names: Option<usize>,
    addresses: Option<usize>,
    federal_register_notice: Option<usize>,
    start_date: Option<usize>,
    end_date: Option<usize>,
    license_requirement: Option<usize>,
    license_policy: Option<usize>,
    source_list_url: Option<usize>,
    ids: Option<usize>,
    citizenships: Option<usize>,
    nationalities: Option<usize>,
}

fn csl_csv(text: &str, origin: &str) -> Result<EntityList, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| bad(origin, vec![format!("{origin}:1: not a CSV header: {e}")]))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let Some(name) = col("name") else {
        return Err(bad(
            origin,
            vec![format!(
                "{origin}:1: no `name` column: not a Consolidated Screening List CSV"
            )],
        ));
    };
    let cols = CslColumns {
        name,
        underscore_id: col("_id"),
        entity_number: col("entity_number"),
        source: col("source"),
        kind: col("type"),
        programs: col("programs"),
        alt_names: col("alt_names"),
        addresses: col("addresses"),
        federal_register_notice: col("federal_register_notice"),
        start_date: col("start_date"),
        end_date: col("end_date"),
        license_requirement: col("license_requirement"),
        license_policy: col("license_policy"),
        source_list_url: col("source_list_url"),
        ids: col("ids"),
        citizenships: col("citizenships"),
        nationalities: col("nationalities"),
    };
    // A row is at least one line.
    let mut csl = Csl::new(origin, occurrences(text, b"\n") + 1);
    // One record, read into again and again: each row becomes an entity before the next.
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                csl.row_problems
                    .push(format!("{origin}:{line}: malformed CSV record: {e}"));
                continue;
            }
        }
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let get = |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or("").trim();
        let name = record.get(cols.name).unwrap_or("").trim();
        // A row cut short is a malformed row, not a nameless entry: say what is wrong with it.
        if record.len() != headers.len() && (name.is_empty() || record.len() > headers.len()) {
            let quote = if record.iter().any(|f| f.contains('\n')) {
                " (a field spans lines: a quote left open?)"
            } else {
                ""
            };
            csl.row_problems.push(format!(
                "{origin}:{line}: malformed CSV row: {} fields where the header has {}{quote}",
                record.len(),
                headers.len()
            ));
            continue;
        }
        if !csl.admits(name, || format!("{origin}:{line}")) {
            continue;
        }
        // Addresses are `street, city, …, country`; the country is the last part of each.
        let mut countries: Vec<Cow<'_, str>> = semicolon_parts(get(cols.addresses))
            .map(|a| a.rsplit(',').next().unwrap_or("").trim())
            .filter(|c| !c.is_empty())
            .map(Cow::Borrowed)
            .collect();
        countries.extend(semicolon_parts(get(cols.citizenships)).map(Cow::Borrowed));
        countries.extend(semicolon_parts(get(cols.nationalities)).map(Cow::Borrowed));
        // `ids` cells look like `Website, https://example.com; Email Address, a@b.c`.
        let mut websites = Vec::new();
        let mut emails = Vec::new();
        for id in semicolon_parts(get(cols.ids)) {
            if let Some((kind, value)) = id.split_once(',') {
                let kind = kind.trim();
                if kind.eq_ignore_ascii_case("website") {
                    websites.push(Cow::Borrowed(value.trim()));
                } else if kind.eq_ignore_ascii_case("email address")
                    || kind.eq_ignore_ascii_case("email")
                {
                    emails.push(Cow::Borrowed(value.trim()));
                }
            }
        }
        let id = [get(cols.underscore_id), get(cols.entity_number)]
            .into_iter()
            .find(|s| !s.is_empty())
            .map_or_else(|| Cow::Owned(slug(name)), Cow::Borrowed);
        csl.add(CslRow {
            line,
            id,
            source: Cow::Borrowed(get(cols.source)),
            kind: Cow::Borrowed(get(cols.kind)),
            name: Cow::Borrowed(name),
            alt_names: semicolon_parts(get(cols.alt_names))
                .map(Cow::Borrowed)
                .collect(),
            programs: semicolon_parts(get(cols.programs))
                .map(Cow::Borrowed)
                .collect(),
            countries,
            federal_register_notice: Cow::Borrowed(get(cols.federal_register_notice)),
            start_date: Cow::Borrowed(get(cols.start_date)),
            end_date: Cow::Borrowed(get(cols.end_date)),
            license_requirement: Cow::Borrowed(get(cols.license_requirement)),
            license_policy: Cow::Borrowed(get(cols.license_policy)),
            source_list_url: Cow::Borrowed(get(cols.source_list_url)),
            websites,
            emails,
        });
    }
    csl.finish(None)
}

/// A CSL JSON export, dated by its own metadata (the newest `last_imported` or
/// `source_last_updated` of its `sources_used`).
fn csl_json(text: &str, origin: &str) -> Result<EntityList, InputError> {
    // Every entry has a `"name"` (else the list is refused).
    let mut csl = Csl::new(origin, occurrences(text, b"\"name\""));
    let used = json::read_csl_json(text, &mut |i, e| {
        let name = e.name.0;
        if !csl.admits(&name, || format!("{origin}: results[{i}]")) {
            return;
        }
        let mut countries = e.address_countries.0;
        countries.extend(e.citizenships.0);
        countries.extend(e.nationalities.0);
        let id = [e.underscore_id.0, e.id.0, e.entity_number.0]
            .into_iter()
            .find(|x| !x.is_empty())
            .unwrap_or_else(|| Cow::Owned(slug(&name)));
        csl.add(CslRow {
            line: i,
            id,
            source: e.source.0,
            kind: e.kind.0,
            name,
            alt_names: e.alt_names.0,
            programs: e.programs.0,
            countries,
            federal_register_notice: e.federal_register_notice.0,
            start_date: e.start_date.0,
            end_date: e.end_date.0,
            license_requirement: e.license_requirement.0,
            license_policy: e.license_policy.0,
            source_list_url: e.source_list_url.0,
            websites: e.ids.websites,
            emails: e.ids.emails,
        });
    })
    .map_err(|e| {
        bad(
            origin,
            vec![format!(
                "{origin}:{}: not a Consolidated Screening List JSON document (`results`): {e}",
                e.line()
            )],
        )
    })?;
    let exported = used
        .iter()
        .flat_map(|u| [u.last_imported.as_deref(), u.source_last_updated.as_deref()])
        .flatten()
        .filter_map(date_prefix)
        .max();
    csl.finish(exported)
}

/// The verdict a CSL source list calls for: the Unverified List names parties whose bona fides
/// could not be verified (a red flag for due diligence, not a prohibition); the other lists
/// (Entity List, SDN, Denied Persons, Military End-User, …) restrict or deny.
fn csl_gate(source: &str) -> (Gate, &'static str) {
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

/// When an OpenSanctions entity was listed, from its nested sanctions: the earliest listing
/// (or start) date, and an end only when every sanction has ended.
fn ftm_listing(sanctions: &[json::SanctionDates<'_>]) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let first = |v: &[Cow<'_, str>]| v.iter().filter_map(|d| date_prefix(d)).min();
    let from = sanctions
        .iter()
        .filter_map(|s| first(&s.listing_date).or_else(|| first(&s.start_date)))
        .min();
    let ends: Vec<Option<NaiveDate>> = sanctions
        .iter()
        .map(|s| s.end_date.iter().filter_map(|d| date_prefix(d)).max())
        .collect();
    let until = if !ends.is_empty() && ends.iter().all(Option::is_some) {
        ends.into_iter().flatten().max()
    } else {
        None
    };
    (from, until)
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
struct Csl<'o> {
    origin: &'o str,
    sources: BTreeMap<String, Source>,
    programmes: BTreeMap<String, Programme>,
    entities: Vec<Entity>,
    notes: Vec<String>,
    /// Entries that cannot be read (no name, a malformed record): if there are any, they are
    /// the error, and no more entities are built.
    row_problems: Vec<String>,
    /// Dates that are not dates.
    problems: Vec<String>,
    ids: Ids,
    /// The source lists, in order of first sight, and the index of each `source` value.
    lists: Vec<CslSourceList>,
    list_index: HashMap<String, usize>,
    /// A buffer for [`aliases`].
    seen: Vec<String>,
}

/// The publisher asks users to check the official publication: every imported fact is
/// secondary, however official the list it came from.
const IMPORTED: Grade = Grade::Secondary;

impl<'o> Csl<'o> {
    /// A list of at most `entries` entities (the vector of entities is made once).
    fn new(origin: &'o str, entries: usize) -> Csl<'o> {
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
    fn admits(&mut self, name: &str, at: impl FnOnce() -> String) -> bool {
        if name.is_empty() {
            self.row_problems
                .push(format!("{}: entry without a name", at()));
            return false;
        }
        self.row_problems.is_empty()
    }

    fn add(&mut self, r: CslRow<'_>) {
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
    fn finish(self, exported: Option<NaiveDate>) -> Result<EntityList, InputError> {
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

// --- OpenSanctions ----------------------------------------------------------------------------

/// The verdict OpenSanctions' own classification calls for. Only targets can fail: a
/// non-target is a related party (family, associate, a PEP's company). Among targets, `topics`
/// decide: sanctions and export controls fail; debarment, crime and sanction links warn; roles
/// (`role.pep`, `role.rca`) and interest (`poi`) inform.
fn ftm_gate<S: AsRef<str>>(target: bool, topics: &[S]) -> (Gate, String) {
    let topics_text = if topics.is_empty() {
        "no topics".to_string()
    } else {
        let mut t = String::from("topics ");
        for (i, topic) in topics.iter().enumerate() {
            if i > 0 {
                t.push_str(", ");
            }
            t.push_str(topic.as_ref());
        }
        t
    };
    if !target {
        return (
            Gate::Info,
            format!("not a target (a related party); {topics_text}"),
        );
    }
    // The topic or one below it (`crime` covers `crime.fin`).
    let has = |p: &str| {
        topics.iter().any(|t| {
            let t = t.as_ref();
            t.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    };
    let gate = if topics
        .iter()
        .any(|t| matches!(t.as_ref(), "sanction" | "export.control"))
    {
        Gate::Fail
    } else if has("debarment")
        || has("crime")
        || has("wanted")
        || has("sanction")
        || has("export")
        || topics.is_empty()
    {
        Gate::Warn
    } else {
        Gate::Info
    };
    (gate, format!("target; {topics_text}"))
}

fn opensanctions(text: &str, origin: &str) -> Result<EntityList, InputError> {
    let mut sources: BTreeMap<String, Source> = BTreeMap::new();
    let mut programmes: BTreeMap<String, Programme> = BTreeMap::new();
    // One entity per line at most.
    let mut entities = Vec::with_capacity(occurrences(text, b"\n") + 1);
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut skipped = 0usize;
    let mut weak = 0usize;
    let mut ids = Ids::default();
    // The source and programme id of each dataset, made on first sight.
    let mut dataset_ids: HashMap<String, Shared> = HashMap::new();
    let mut seen = Vec::new();
    let grade = IMPORTED;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let e: json::FtmEntity<'_> = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(err) => {
                problems.push(format!(
                    "{origin}:{line_no}: not a FollowTheMoney entity: {err}"
                ));
                continue;
            }
        };
        let kind = match e.schema.as_ref().map(|s| &*s.0) {
            Some("Organization" | "Company" | "LegalEntity" | "PublicBody") => EntityKind::Company,
            Some("Person") => EntityKind::Person,
            _ => {
                skipped += 1;
                continue;
            }
        };
        let p = e.properties;
        let Some(name) = p
            .name
            .first()
            .map(|n| n.to_string())
            .or_else(|| e.caption.map(|c| c.0.into_owned()))
        else {
            problems.push(format!("{origin}:{line_no}: entity without a name"));
            continue;
        };
        let datasets: Vec<Cow<'_, str>> = if e.datasets.is_empty() {
            vec![Cow::Borrowed("opensanctions")]
        } else {
            e.datasets.into_iter().map(|d| d.0).collect()
        };
        // `first_seen` is when OpenSanctions first saw the record, not when it was listed: the
        // listing date is the earliest `listingDate` (else `startDate`) of its sanctions; the
        // listing ended only when every sanction states an end. No such date: unknown.
        let (listed_from, listed_until) = ftm_listing(&p.sanctions);
        let last_seen = e.last_seen.as_ref().and_then(|s| date_prefix(&s.0));
        // One source and one programme per dataset; each fact cites the entity's first
        // dataset, whose page is its source.
        let entity_datasets: Vec<Shared> = datasets
            .iter()
            .map(|ds| {
                if let Some(id) = dataset_ids.get(&**ds) {
                    return Shared::clone(id);
                }
                let sid = format!("os-{}", slug(ds));
                sources.entry(sid.clone()).or_insert_with(|| Source {
                    id: sid.clone(),
                    title: format!("OpenSanctions dataset `{ds}`"),
                    citation: format!("OpenSanctions dataset {ds}, FollowTheMoney entities"),
                    publisher: Some("OpenSanctions".into()),
                    url: Some(format!("https://www.opensanctions.org/datasets/{ds}/")),
                    read: None,
                    grade,
                });
                programmes.entry(sid.clone()).or_insert_with(|| Programme {
                    id: sid.clone(),
                    title: format!("OpenSanctions dataset `{ds}`"),
                    authority: "as published in the dataset".into(),
                    scope: "listed in the dataset".into(),
                    restricts: Restricts::Unstated,
                    source: sid.clone(),
                    grade,
                    context: false,
                    gate: Gate::Fail,
                    dates: Vec::new(),
                    covered: Vec::new(),
                    exempt: Vec::new(),
                });
                let sid = Shared::from(sid);
                dataset_ids.insert(ds.to_string(), Shared::clone(&sid));
                sid
            })
            .collect();
        let entity_programmes = entity_datasets.iter().map(|d| d.to_string()).collect();
        let source_id = Shared::clone(&entity_datasets[0]);
        // `weakAlias` is left out: OpenSanctions says those values must not be used for matching.
        weak += p.weak_alias.len();
        let mut aliases = Vec::with_capacity(p.name.len() + p.alias.len());
        self::aliases(
            (p.name.into_iter().map(|n| (n, None)))
                .chain(p.alias.into_iter().map(|n| (n, Some("alias"))))
                .chain(
                    p.previous_name
                        .into_iter()
                        .map(|n| (n, Some("previousName"))),
                ),
            &source_id,
            grade,
            &mut seen,
            &mut aliases,
        );
        let id = ids.unique(
            &entities,
            format!("os-{}", slug(e.id.as_ref().map_or(&*name, |i| &*i.0))),
        );
        let mut domains = domain_ids(&p.website, false, &source_id, grade, &id, &mut notes);
        domains.extend(domain_ids(
            &p.email, true, &source_id, grade, &id, &mut notes,
        ));
        dedup_domains(&mut domains);
        let (gate, why) = ftm_gate(e.target, &p.topics);
        entities.push(Entity {
            id,
            kind,
            name,
            short: None,
            legal_form: None,
            country: p.country.first().map(|c| c.to_uppercase()),
            group: None,
            programmes: entity_programmes,
            note: Some(format!("datasets: {}", datasets.join(", "))),
            source: source_id,
            grade,
            aliases,
            domains,
            domain_labels: Vec::new(),
            orgs: Vec::new(),
            signers: Vec::new(),
            products: Vec::new(),
            status: Status {
                from: listed_from,
                until: listed_until,
                gate: (gate != Gate::Fail).then_some(gate),
                why: Some(why.into()),
                licence: None,
                last_seen,
            },
        });
    }
    if !problems.is_empty() {
        return Err(bad(origin, problems));
    }
    if weak > 0 {
        notes.push(format!(
            "{weak} weakAlias values not matched (OpenSanctions: not for matching)"
        ));
    }
    Ok(EntityList {
        list: ListMeta {
            id: "opensanctions".into(),
            title: format!("OpenSanctions entities (imported; {skipped} of other schemas skipped)"),
            // The digest's short form, set by `parse_dated` with the digest.
            version: String::new(),
            updated: NaiveDate::MIN,
            origin: origin.to_string(),
            digest: String::new(),
            // FollowTheMoney entity files carry no export date: the file's date stands for it.
            dated_by: "undated".into(),
            notes,
            age_days: None,
            stale: None,
        },
        sources: sources.into_values().collect(),
        programmes: programmes.into_values().collect(),
        entities,
    })
}

#[cfg(test)]
mod tests;
