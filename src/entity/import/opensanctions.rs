//! OpenSanctions FollowTheMoney entities, one JSON object per line.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::common::{
    IMPORTED, Ids, aliases, bad, date_prefix, dedup_domains, domain_ids, occurrences, slug,
};
use super::json;
use crate::entity::model::{
    Entity, EntityKind, EntityList, Gate, ListMeta, Programme, Restricts, Shared, Source, Status,
};
use crate::error::InputError;

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

/// The verdict OpenSanctions' own classification calls for. Only targets can fail: a
/// non-target is a related party (family, associate, a PEP's company). Among targets, `topics`
/// decide: sanctions and export controls fail; debarment, crime and sanction links warn; roles
/// (`role.pep`, `role.rca`) and interest (`poi`) inform.
pub(super) fn ftm_gate<S: AsRef<str>>(target: bool, topics: &[S]) -> (Gate, String) {
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

pub(super) fn opensanctions(text: &str, origin: &str) -> Result<EntityList, InputError> {
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
