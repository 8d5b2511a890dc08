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
//! can be, JSON is read into the few fields used (no document tree, see `json.rs`), each name is
//! normalised once, and what entries share (a source list, a notice, a dataset) is made once.
//!
//! This file is the table of formats and the dispatch; each format's parser has its own file
//! (`csl_csv.rs`, `csl_json.rs` over the CSL builder in `csl.rs`, `opensanctions.rs`), and what
//! they share is in `common.rs`.

use camino::Utf8Path;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::model::EntityList;
use crate::error::InputError;
use crate::named::Named;

mod common;
mod csl;
mod csl_csv;
mod csl_json;
mod json;
mod opensanctions;

use csl_csv::csl_csv;
use csl_json::csl_json;
use opensanctions::opensanctions;

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
fn digest(text: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

#[cfg(test)]
mod tests;
