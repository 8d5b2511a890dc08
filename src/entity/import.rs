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

use std::collections::{BTreeMap, BTreeSet};

use camino::Utf8Path;
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{
    Alias, DomainId, Entity, EntityKind, EntityList, Gate, Grade, ListMeta, Programme, Source,
    Status, Strength, shared,
};
use crate::error::InputError;
use crate::text::normalize;

/// The formats `--entities` and `[lists] extra` accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListFormat {
    /// This project's TOML (data/entities.toml).
    Entitycheck,
    /// Consolidated Screening List, CSV.
    CslCsv,
    /// Consolidated Screening List, JSON.
    CslJson,
    /// OpenSanctions FollowTheMoney entities, JSON lines.
    Opensanctions,
}

impl std::str::FromStr for ListFormat {
    type Err = ();

    /// The kebab-case name (as in the configuration), case-insensitive.
    fn from_str(s: &str) -> Result<ListFormat, ()> {
        match s.to_ascii_lowercase().as_str() {
            "entitycheck" => Ok(ListFormat::Entitycheck),
            "csl-csv" => Ok(ListFormat::CslCsv),
            "csl-json" => Ok(ListFormat::CslJson),
            "opensanctions" => Ok(ListFormat::Opensanctions),
            _ => Err(()),
        }
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
pub fn load(path: &Utf8Path, format: Option<ListFormat>) -> Result<EntityList, InputError> {
    // Bounded, regular files only, no link followed (a command-line path arrives resolved).
    let text = crate::fsio::read_text(path, crate::fsio::ReadKind::EntityList, false)
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
    let mut list = match format {
        ListFormat::Entitycheck => return EntityList::parse(text, origin),
        ListFormat::CslCsv => csl(csl_csv_rows(text, origin)?, None, text, origin)?,
        ListFormat::CslJson => {
            let (rows, date) = csl_json_rows(text, origin)?;
            csl(rows, date, text, origin)?
        }
        ListFormat::Opensanctions => opensanctions(text, origin)?,
    };
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
    NaiveDate::parse_from_str(s.trim().get(..10)?, "%Y-%m-%d").ok()
}

fn digest(text: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

fn slug(s: &str) -> String {
    let n = normalize::normalize(s).replace(' ', "-");
    if n.is_empty() { "x".into() } else { n }
}

fn bad(origin: &str, problems: Vec<String>) -> InputError {
    InputError::Invalid {
        path: origin.to_string(),
        problems,
    }
}

// --- Consolidated Screening List ---------------------------------------------------------------

/// One CSL entry, whichever form it came in.
#[derive(Debug, Default)]
struct CslRow {
    line: usize,
    id: String,
    source: String,
    kind: String,
    name: String,
    alt_names: Vec<String>,
    programs: Vec<String>,
    countries: Vec<String>,
    federal_register_notice: String,
    start_date: String,
    end_date: String,
    license_requirement: String,
    license_policy: String,
    source_list_url: String,
    websites: Vec<String>,
    emails: Vec<String>,
}

fn split_semicolons(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn csl_csv_rows(text: &str, origin: &str) -> Result<Vec<CslRow>, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| bad(origin, vec![format!("{origin}:1: not a CSV header: {e}")]))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    let Some(name_col) = col("name") else {
        return Err(bad(
            origin,
            vec![format!(
                "{origin}:1: no `name` column: not a Consolidated Screening List CSV"
            )],
        ));
    };
    let cols: BTreeMap<&str, Option<usize>> = [
        "_id",
        "entity_number",
        "source",
        "type",
        "programs",
        "alt_names",
        "addresses",
        "federal_register_notice",
        "start_date",
        "end_date",
        "license_requirement",
        "license_policy",
        "source_list_url",
        "ids",
        "citizenships",
        "nationalities",
    ]
    .into_iter()
    .map(|c| (c, col(c)))
    .collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(format!("{origin}:{line}: malformed CSV record: {e}"));
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let get = |c: &str| {
            cols.get(c)
                .copied()
                .flatten()
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let name = record.get(name_col).unwrap_or("").trim().to_string();
        if name.is_empty() {
            problems.push(format!("{origin}:{line}: entry without a name"));
            continue;
        }
        // Addresses are `street, city, …, country`; the country is the last part of each.
        let countries = split_semicolons(&get("addresses"))
            .iter()
            .filter_map(|a| a.rsplit(',').next().map(|c| c.trim().to_string()))
            .filter(|c| !c.is_empty())
            .chain(split_semicolons(&get("citizenships")))
            .chain(split_semicolons(&get("nationalities")))
            .collect();
        // `ids` cells look like `Website, https://example.com; Email Address, a@b.c`.
        let mut websites = Vec::new();
        let mut emails = Vec::new();
        for id in split_semicolons(&get("ids")) {
            if let Some((kind, value)) = id.split_once(',') {
                match kind.trim().to_ascii_lowercase().as_str() {
                    "website" => websites.push(value.trim().to_string()),
                    "email address" | "email" => emails.push(value.trim().to_string()),
                    _ => {}
                }
            }
        }
        let id = [get("_id"), get("entity_number")]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_else(|| slug(&name));
        rows.push(CslRow {
            line,
            id,
            source: get("source"),
            kind: get("type"),
            name,
            alt_names: split_semicolons(&get("alt_names")),
            programs: split_semicolons(&get("programs")),
            countries,
            federal_register_notice: get("federal_register_notice"),
            start_date: get("start_date"),
            end_date: get("end_date"),
            license_requirement: get("license_requirement"),
            license_policy: get("license_policy"),
            source_list_url: get("source_list_url"),
            websites,
            emails,
        });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(bad(origin, problems))
    }
}

#[derive(Deserialize)]
struct CslJson {
    results: Vec<serde_json::Value>,
    /// The API's metadata: each source list with the date it was last updated and imported.
    #[serde(default)]
    sources_used: Vec<serde_json::Value>,
}

/// The rows of a CSL JSON export, and the export's own date (the newest `last_imported` or
/// `source_last_updated` of its `sources_used`).
fn csl_json_rows(text: &str, origin: &str) -> Result<(Vec<CslRow>, Option<NaiveDate>), InputError> {
    let doc: CslJson = serde_json::from_str(text).map_err(|e| {
        bad(
            origin,
            vec![format!(
                "{origin}:{}: not a Consolidated Screening List JSON document (`results`): {e}",
                e.line()
            )],
        )
    })?;
    let s = |v: &serde_json::Value, k: &str| match &v[k] {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let list = |v: &serde_json::Value, k: &str| -> Vec<String> {
        match &v[k] {
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str())
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
            serde_json::Value::String(t) => split_semicolons(t),
            _ => Vec::new(),
        }
    };
    let exported = doc
        .sources_used
        .iter()
        .flat_map(|u| ["last_imported", "source_last_updated"].map(|k| u[k].as_str()))
        .flatten()
        .filter_map(date_prefix)
        .max();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, v) in doc.results.iter().enumerate() {
        let name = s(v, "name");
        if name.is_empty() {
            problems.push(format!("{origin}: results[{i}]: entry without a name"));
            continue;
        }
        let mut countries: Vec<String> = v["addresses"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| s(x, "country"))
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        countries.extend(list(v, "citizenships"));
        countries.extend(list(v, "nationalities"));
        let mut websites = Vec::new();
        let mut emails = Vec::new();
        for id in v["ids"].as_array().into_iter().flatten() {
            match s(id, "type").to_ascii_lowercase().as_str() {
                "website" => websites.push(s(id, "number")),
                "email address" | "email" => emails.push(s(id, "number")),
                _ => {}
            }
        }
        let id = [s(v, "_id"), s(v, "id"), s(v, "entity_number")]
            .into_iter()
            .find(|x| !x.is_empty())
            .unwrap_or_else(|| slug(&name));
        rows.push(CslRow {
            line: i,
            id,
            source: s(v, "source"),
            kind: s(v, "type"),
            name,
            alt_names: list(v, "alt_names"),
            programs: list(v, "programs"),
            countries,
            federal_register_notice: s(v, "federal_register_notice"),
            start_date: s(v, "start_date"),
            end_date: s(v, "end_date"),
            license_requirement: s(v, "license_requirement"),
            license_policy: s(v, "license_policy"),
            source_list_url: s(v, "source_list_url"),
            websites,
            emails,
        });
    }
    if problems.is_empty() {
        Ok((rows, exported))
    } else {
        Err(bad(origin, problems))
    }
}

/// Website and e-mail domains as identifiers; shared-service domains (gmail.com, github.com…)
/// are dropped, with a note in `notes`.
fn domain_ids(
    values: &[String],
    is_email: bool,
    source: &str,
    grade: Grade,
    entity: &str,
    notes: &mut Vec<String>,
) -> Vec<DomainId> {
    let mut seen = BTreeSet::new();
    values
        .iter()
        .filter_map(|v| {
            if is_email {
                normalize::parse_email(v).map(|(_, _, d)| d)
            } else {
                normalize::parse_url_like(v).map(|(h, _)| h)
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
            source: source.to_string(),
            grade,
        })
        .collect()
}

/// A website and an e-mail address often share the domain: keep it once.
fn dedup_domains(domains: &mut Vec<DomainId>) {
    let mut seen = BTreeSet::new();
    domains.retain(|d| seen.insert(d.domain.clone()));
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

fn csl(
    rows: Vec<CslRow>,
    exported: Option<NaiveDate>,
    text: &str,
    origin: &str,
) -> Result<EntityList, InputError> {
    let mut sources: BTreeMap<String, Source> = BTreeMap::new();
    let mut programmes: BTreeMap<String, Programme> = BTreeMap::new();
    let mut entities = Vec::new();
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    // The publisher asks users to check the official publication: every imported fact is
    // secondary, however official the list it came from.
    let grade = Grade::Secondary;
    for r in rows {
        let source_name = if r.source.is_empty() {
            "Consolidated Screening List".to_string()
        } else {
            r.source.clone()
        };
        let source_id = format!("csl-{}", slug(&source_name));
        let publisher = source_name
            .split_once(" - ")
            .map(|(_, a)| a.trim().to_string());
        let url = (!r.source_list_url.is_empty()).then(|| r.source_list_url.clone());
        let src = sources.entry(source_id.clone()).or_insert_with(|| Source {
            id: source_id.clone(),
            title: source_name.clone(),
            citation: format!("{source_name}, via the Consolidated Screening List"),
            publisher: publisher.clone(),
            url: None,
            read: exported,
            grade,
        });
        if src.url.is_none() {
            src.url = url.clone();
        }
        // Each entry cites its own Federal Register notice where the list gives one.
        let entry_source = if r.federal_register_notice.is_empty() {
            source_id.clone()
        } else {
            let id = format!("{source_id}-{}", slug(&r.federal_register_notice));
            sources.entry(id.clone()).or_insert_with(|| Source {
                id: id.clone(),
                title: format!("{source_name}: {}", r.federal_register_notice),
                citation: r.federal_register_notice.clone(),
                publisher: publisher.clone(),
                url: url.clone(),
                read: exported,
                grade,
            });
            id
        };
        let mut date = |raw: &str, what: &str| {
            if raw.is_empty() {
                return None;
            }
            let d = date_prefix(raw);
            if d.is_none() {
                problems.push(format!(
                    "{origin}:{}: {what} `{raw}` is not a date (YYYY-MM-DD)",
                    r.line
                ));
            }
            d
        };
        let from = date(&r.start_date, "start_date");
        let until = date(&r.end_date, "end_date");
        let (gate, why) = csl_gate(&source_name);
        programmes
            .entry(source_id.clone())
            .or_insert_with(|| Programme {
                id: source_id.clone(),
                title: source_name.clone(),
                authority: publisher.clone().unwrap_or_else(|| source_name.clone()),
                scope: format!("{source_name}: {why}"),
                source: source_id.clone(),
                grade,
                context: false,
                gate,
                dates: Vec::new(),
                covered: Vec::new(),
                exempt: Vec::new(),
            });
        let kind = match r.kind.to_ascii_lowercase().as_str() {
            "individual" => EntityKind::Person,
            "entity" | "" => EntityKind::Company,
            _ => EntityKind::Other,
        };
        let mut id = format!("csl-{}", slug(&r.id));
        while !ids.insert(id.clone()) {
            id.push_str("-dup");
        }
        let mut names: Vec<String> = vec![r.name.clone()];
        names.extend(r.alt_names.iter().cloned());
        let mut seen = BTreeSet::new();
        let aliases = names
            .into_iter()
            .filter(|n| !normalize::tokens(n).is_empty() && seen.insert(normalize::normalize(n)))
            .map(|name| Alias {
                name,
                script: None,
                strength: Strength::Name,
                note: None,
                source: entry_source.clone(),
                grade,
            })
            .collect();
        let mut domains = domain_ids(&r.websites, false, &entry_source, grade, &id, &mut notes);
        domains.extend(domain_ids(
            &r.emails,
            true,
            &entry_source,
            grade,
            &id,
            &mut notes,
        ));
        dedup_domains(&mut domains);
        let licence = [r.license_requirement.as_str(), r.license_policy.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        entities.push(Entity {
            id,
            kind,
            name: r.name,
            short: None,
            legal_form: None,
            country: r.countries.first().cloned(),
            group: None,
            programmes: vec![source_id.clone()],
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
                gate: (gate != Gate::Fail).then_some(gate),
                why: Some(format!("source list: {source_name} ({why})")),
                licence: (!licence.is_empty()).then_some(licence),
                last_seen: None,
            },
        });
    }
    if !problems.is_empty() {
        return Err(bad(origin, problems));
    }
    let digest = digest(text);
    Ok(EntityList {
        list: ListMeta {
            id: "csl".into(),
            title: "US Consolidated Screening List (imported)".into(),
            version: exported
                .map(|d| d.to_string())
                .unwrap_or_else(|| super::short_digest(&digest).to_string()),
            updated: exported.unwrap_or(NaiveDate::MIN),
            origin: origin.to_string(),
            digest,
            dated_by: if exported.is_some() {
                "export metadata (sources_used)".into()
            } else {
                "undated".into()
            },
            notes,
            age_days: None,
            stale: None,
        },
        sources: sources.into_values().collect(),
        programmes: programmes.into_values().collect(),
        entities,
    })
}

// --- OpenSanctions ----------------------------------------------------------------------------

#[derive(Deserialize)]
struct FtmEntity {
    id: Option<String>,
    schema: Option<String>,
    caption: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    datasets: Vec<String>,
    /// Listed itself (a sanctioned party), not only related to one.
    #[serde(default)]
    target: bool,
    first_seen: Option<String>,
    last_seen: Option<String>,
}

/// The verdict OpenSanctions' own classification calls for. Only targets can fail: a
/// non-target is a related party (family, associate, a PEP's company). Among targets, `topics`
/// decide: sanctions and export controls fail; debarment, crime and sanction links warn; roles
/// (`role.pep`, `role.rca`) and interest (`poi`) inform.
fn ftm_gate(target: bool, topics: &[String]) -> (Gate, String) {
    let topics_text = if topics.is_empty() {
        "no topics".to_string()
    } else {
        format!("topics {}", topics.join(", "))
    };
    if !target {
        return (
            Gate::Info,
            format!("not a target (a related party); {topics_text}"),
        );
    }
    let has = |p: &str| {
        topics
            .iter()
            .any(|t| t == p || t.starts_with(&format!("{p}.")))
    };
    let gate = if topics
        .iter()
        .any(|t| t == "sanction" || t == "export.control")
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
    let mut entities = Vec::new();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut skipped = 0usize;
    let mut weak = 0usize;
    let mut ids = BTreeSet::new();
    let grade = Grade::Secondary;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let e: FtmEntity = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(err) => {
                problems.push(format!(
                    "{origin}:{line_no}: not a FollowTheMoney entity: {err}"
                ));
                continue;
            }
        };
        let kind = match e.schema.as_deref() {
            Some("Organization" | "Company" | "LegalEntity" | "PublicBody") => EntityKind::Company,
            Some("Person") => EntityKind::Person,
            _ => {
                skipped += 1;
                continue;
            }
        };
        let strings = |k: &str| -> Vec<String> {
            e.properties
                .get(k)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let names = strings("name");
        let Some(name) = names.first().cloned().or_else(|| e.caption.clone()) else {
            problems.push(format!("{origin}:{line_no}: entity without a name"));
            continue;
        };
        let datasets = if e.datasets.is_empty() {
            vec!["opensanctions".to_string()]
        } else {
            e.datasets.clone()
        };
        let first_seen = e.first_seen.as_deref().and_then(date_prefix);
        let last_seen = e.last_seen.as_deref().and_then(date_prefix);
        // Each fact cites the entity's first dataset; the dataset page is its source.
        let source_id = format!("os-{}", slug(&datasets[0]));
        for ds in &datasets {
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
        }
        let mut seen = BTreeSet::new();
        let mut aliases: Vec<Alias> = Vec::new();
        // `weakAlias` is left out: OpenSanctions says those values must not be used for matching.
        weak += strings("weakAlias").len();
        for key in ["name", "alias", "previousName"] {
            for n in strings(key) {
                if !normalize::tokens(&n).is_empty() && seen.insert(normalize::normalize(&n)) {
                    aliases.push(Alias {
                        name: n,
                        script: None,
                        strength: Strength::Name,
                        note: (key != "name").then(|| key.to_string()),
                        source: source_id.clone(),
                        grade,
                    });
                }
            }
        }
        let mut id = format!("os-{}", slug(e.id.as_deref().unwrap_or(&name)));
        while !ids.insert(id.clone()) {
            id.push_str("-dup");
        }
        let mut domains = domain_ids(
            &strings("website"),
            false,
            &source_id,
            grade,
            &id,
            &mut notes,
        );
        domains.extend(domain_ids(
            &strings("email"),
            true,
            &source_id,
            grade,
            &id,
            &mut notes,
        ));
        dedup_domains(&mut domains);
        let mut entity_programmes = Vec::new();
        for ds in &datasets {
            let pid = format!("os-{}", slug(ds));
            programmes.entry(pid.clone()).or_insert_with(|| Programme {
                id: pid.clone(),
                title: format!("OpenSanctions dataset `{ds}`"),
                authority: "as published in the dataset".into(),
                scope: "listed in the dataset".into(),
                source: pid.clone(),
                grade,
                context: false,
                gate: Gate::Fail,
                dates: Vec::new(),
                covered: Vec::new(),
                exempt: Vec::new(),
            });
            entity_programmes.push(pid);
        }
        let topics = strings("topics");
        let (gate, why) = ftm_gate(e.target, &topics);
        entities.push(Entity {
            id,
            kind,
            name,
            short: None,
            legal_form: None,
            country: strings("country").first().map(|c| c.to_uppercase()),
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
                from: first_seen,
                until: None,
                gate: (gate != Gate::Fail).then_some(gate),
                why: Some(why),
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
    let digest = digest(text);
    Ok(EntityList {
        list: ListMeta {
            id: "opensanctions".into(),
            title: format!("OpenSanctions entities (imported; {skipped} of other schemas skipped)"),
            version: super::short_digest(&digest).to_string(),
            updated: NaiveDate::MIN,
            origin: origin.to_string(),
            digest,
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
