//! The Consolidated Screening List as CSV (multi-valued cells separated by `;`).

use std::borrow::Cow;

use super::common::{bad, occurrences, semicolon_parts, slug};
use super::csl::{Csl, CslRow};
use crate::entity::model::EntityList;
use crate::error::InputError;

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

pub(super) fn csl_csv(text: &str, origin: &str) -> Result<EntityList, InputError> {
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
