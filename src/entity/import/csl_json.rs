//! The Consolidated Screening List as JSON (`{"results": [...]}`), dated by its metadata.

use std::borrow::Cow;

use super::common::{bad, date_prefix, occurrences, slug};
use super::csl::{Csl, CslRow};
use super::json;
use crate::entity::model::EntityList;
use crate::error::InputError;

/// A CSL JSON export, dated by its own metadata (the newest `last_imported` or
/// `source_last_updated` of its `sources_used`).
pub(super) fn csl_json(text: &str, origin: &str) -> Result<EntityList, InputError> {
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
