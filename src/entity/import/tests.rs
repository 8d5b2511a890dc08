//! The two import formats, on the fixture files under tests/fixtures/lists.

use super::*;

const CSV: &str = include_str!("../../../tests/fixtures/lists/csl.csv");
const JSON: &str = include_str!("../../../tests/fixtures/lists/csl.json");
const FTM: &str = include_str!("../../../tests/fixtures/lists/opensanctions.jsonl");

fn names(l: &EntityList, id_suffix: &str) -> Vec<String> {
    l.entities
        .iter()
        .find(|e| e.id.ends_with(id_suffix))
        .unwrap()
        .aliases
        .iter()
        .map(|a| a.name.clone())
        .collect()
}

#[test]
fn csl_csv_rows_map_to_entities() {
    let l = parse(CSV, "csl.csv", ListFormat::CslCsv).unwrap();
    assert_eq!(l.entities.len(), 6);
    assert_eq!(
        names(&l, "fx-001"),
        ["Wrapper Devs Ltd", "Wrapper Developers", "WD Labs"]
    );
    let w = l.entities.iter().find(|e| e.id == "csl-fx-001").unwrap();
    assert_eq!(w.kind, EntityKind::Company);
    // The quoted, multi-line address cell: its last part is the country.
    assert_eq!(w.country.as_deref(), Some("GB"));
    assert_eq!(
        w.domains
            .iter()
            .map(|d| d.domain.as_str())
            .collect::<Vec<_>>(),
        ["wrapper.example"]
    );
    let person = l.entities.iter().find(|e| e.id == "csl-fx-005").unwrap();
    assert_eq!(person.kind, EntityKind::Person);
    assert_eq!(
        names(&l, "fx-005"),
        ["Testperson Ivan", "Ivan Testperson", "Ivan T."]
    );
    assert_eq!(
        l.entities
            .iter()
            .find(|e| e.id == "csl-fx-006")
            .unwrap()
            .kind,
        EntityKind::Other
    );
    // One programme (and source) per CSL source, citing the Federal Register notice.
    let el = l
        .programme("csl-entity-list-el-bureau-of-industry-and-security")
        .unwrap();
    assert_eq!(el.authority, "Bureau of Industry and Security");
    assert!(el.scope.contains("Presumption of denial"));
    assert_eq!(el.dates[0].date.to_string(), "2024-06-24");
    let kaspersky = l
        .entities
        .iter()
        .find(|e| e.name == "AO Kaspersky Lab")
        .unwrap();
    assert_eq!(l.source(&kaspersky.source).unwrap().citation, "89 FR 52362");
    assert_eq!(l.source(&w.source).unwrap().citation, "89 FR 99999");
    assert_eq!(l.list.id, "csl");
    assert_eq!(l.list.version, "2025-03-01");
}

#[test]
fn csl_json_matches_the_csv() {
    let l = parse(JSON, "csl.json", ListFormat::CslJson).unwrap();
    assert_eq!(l.entities.len(), 4);
    assert_eq!(
        names(&l, "fx-001"),
        ["Wrapper Devs Ltd", "Wrapper Developers", "WD Labs"]
    );
    let w = l.entities.iter().find(|e| e.id == "csl-fx-001").unwrap();
    assert_eq!(w.country.as_deref(), Some("GB"));
    assert_eq!(w.domains[0].domain, "wrapper.example");
    assert_eq!(
        l.entities
            .iter()
            .find(|e| e.id == "csl-fx-005")
            .unwrap()
            .kind,
        EntityKind::Person
    );
}

#[test]
fn opensanctions_entities() {
    let l = parse(FTM, "os.jsonl", ListFormat::Opensanctions).unwrap();
    // Vessel and Address are skipped.
    assert_eq!(l.entities.len(), 3);
    assert!(l.list.title.contains("2 of other schemas skipped"));
    let w = l.entities.iter().find(|e| e.id == "os-fx-os-1").unwrap();
    let weak = w.aliases.iter().find(|a| a.name == "WD").unwrap();
    assert_eq!(weak.grade, Grade::Unverified);
    let mut domains: Vec<&str> = w.domains.iter().map(|d| d.domain.as_str()).collect();
    domains.sort();
    assert_eq!(domains, ["wrapper.example"]);
    assert_eq!(w.country.as_deref(), Some("GB"));
    assert_eq!(
        l.entities
            .iter()
            .find(|e| e.id == "os-fx-os-2")
            .unwrap()
            .kind,
        EntityKind::Person
    );
    assert_eq!(
        l.entities
            .iter()
            .find(|e| e.id == "os-fx-os-3")
            .unwrap()
            .domains[0]
            .domain,
        "research.example.org"
    );
    assert!(l.programme("os-fixture-sanctions").is_some());
    assert_eq!(l.list.version, "2025-04-01");
}

#[test]
fn detection() {
    assert_eq!(
        ListFormat::detect(Utf8Path::new("a.csv"), ""),
        ListFormat::CslCsv
    );
    assert_eq!(
        ListFormat::detect(Utf8Path::new("a.toml"), ""),
        ListFormat::Entitycheck
    );
    assert_eq!(
        ListFormat::detect(Utf8Path::new("a.jsonl"), ""),
        ListFormat::Opensanctions
    );
    assert_eq!(
        ListFormat::detect(Utf8Path::new("entities.ftm.json"), ""),
        ListFormat::Opensanctions
    );
    assert_eq!(
        ListFormat::detect(Utf8Path::new("download.json"), JSON),
        ListFormat::CslJson
    );
    assert_eq!(
        ListFormat::detect(Utf8Path::new("download"), FTM),
        ListFormat::Opensanctions
    );
}

#[test]
fn errors_name_the_file_and_line() {
    let err = parse("_id,name\nx,Ok\ny,\n", "l.csv", ListFormat::CslCsv)
        .unwrap_err()
        .to_string();
    assert!(err.contains("l.csv:3: entry without a name"), "{err}");
    let err = parse("_id,title\nx,y\n", "l.csv", ListFormat::CslCsv)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no `name` column"), "{err}");
    let err = parse(
        "{\"schema\": \"Company\", \"properties\": {\"name\": [\"A\"]}}\nnot json\n",
        "o.jsonl",
        ListFormat::Opensanctions,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("o.jsonl:2:"), "{err}");
    let err = parse("{\"results\": 3}", "c.json", ListFormat::CslJson)
        .unwrap_err()
        .to_string();
    assert!(err.contains("c.json:1:"), "{err}");
    // Never a panic on garbage.
    for garbage in ["", "\u{0}\u{1}", "\"", "{", "name\n\"unterminated"] {
        for f in [
            ListFormat::CslCsv,
            ListFormat::CslJson,
            ListFormat::Opensanctions,
        ] {
            let _ = parse(garbage, "g", f);
        }
    }
}
