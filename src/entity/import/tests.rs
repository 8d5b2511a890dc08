//! The two import formats, on the fixture files under tests/fixtures/lists.

use std::hash::BuildHasher;

use super::common::{Ids, date_prefix};
use super::csl::csl_gate;
use super::opensanctions::ftm_gate;
use super::*;
use crate::entity::{Entity, EntityKind, Gate, Grade};

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

fn entity<'a>(l: &'a EntityList, id: &str) -> &'a Entity {
    l.entities.iter().find(|e| e.id == id).unwrap()
}

#[test]
fn csl_csv_rows_map_to_entities() {
    let l = parse(CSV, "csl.csv", ListFormat::CslCsv).unwrap();
    assert_eq!(l.entities.len(), 8);
    assert_eq!(
        names(&l, "fx-001"),
        ["Wrapper Devs Ltd", "Wrapper Developers", "WD Labs"]
    );
    let w = entity(&l, "csl-fx-001");
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
    let person = entity(&l, "csl-fx-005");
    assert_eq!(person.kind, EntityKind::Person);
    // No sanction dates: the listing date is unknown, not `first_seen`.
    assert_eq!(person.status.from, None);
    assert_eq!(
        names(&l, "fx-005"),
        ["Testperson Ivan", "Ivan Testperson", "Ivan T."]
    );
    // The gmail.com address is a shared service: dropped, with a note.
    assert_eq!(
        person
            .domains
            .iter()
            .map(|d| d.domain.as_str())
            .collect::<Vec<_>>(),
        ["ivan-testperson.example"]
    );
    assert!(
        l.list.notes.iter().any(|n| n.contains("gmail.com")),
        "{:?}",
        l.list.notes
    );
    assert_eq!(entity(&l, "csl-fx-006").kind, EntityKind::Other);
    // One programme (and source) per CSL source list, citing the Federal Register notice.
    let el = l
        .programme("csl-entity-list-el-bureau-of-industry-and-security")
        .unwrap();
    assert_eq!(el.authority, "Bureau of Industry and Security");
    assert_eq!(el.gate, Gate::Fail);
    assert!(el.dates.is_empty(), "entry dates are the entries' own");
    // Per entry: dates, licence, verdict of its source list.
    assert_eq!(w.status.from.unwrap().to_string(), "2025-03-01");
    assert!(
        w.status
            .licence
            .as_deref()
            .unwrap()
            .contains("Presumption of denial")
    );
    let expired = entity(&l, "csl-fx-007");
    assert_eq!(expired.status.until.unwrap().to_string(), "2023-01-01");
    let uvl = entity(&l, "csl-fx-008");
    assert_eq!(uvl.status.gate, Some(Gate::Warn));
    assert_eq!(
        l.programme(&uvl.programmes[0]).unwrap().gate,
        Gate::Warn,
        "the Unverified List calls for due diligence"
    );
    let kaspersky = l
        .entities
        .iter()
        .find(|e| e.name == "AO Kaspersky Lab")
        .unwrap();
    let src = l.source(&kaspersky.source).unwrap();
    assert_eq!(src.citation, "89 FR 52362");
    assert!(src.url.as_deref().unwrap().contains("entity-list"));
    assert_eq!(l.source(&w.source).unwrap().citation, "89 FR 99999");
    // Imported facts are secondary: the publisher asks users to check the official text.
    assert!(w.aliases.iter().all(|a| a.grade == Grade::Secondary));
    assert_eq!(l.list.id, "csl");
    // A CSV export carries no date: undated here, the file's date when loaded from a file.
    assert_eq!(l.list.dated_by, "undated");
    let dated = parse_dated(
        CSV,
        "csl.csv",
        ListFormat::CslCsv,
        NaiveDate::from_ymd_opt(2026, 11, 29),
    )
    .unwrap();
    assert_eq!(dated.list.updated.to_string(), "2026-11-29");
    assert_eq!(dated.list.dated_by, "file modification time");
}

#[test]
fn csl_json_matches_the_csv_and_is_dated_by_its_metadata() {
    let l = parse(JSON, "csl.json", ListFormat::CslJson).unwrap();
    let c = parse(CSV, "csl.csv", ListFormat::CslCsv).unwrap();
    assert_eq!(l.entities.len(), c.entities.len());
    for (a, b) in l.entities.iter().zip(&c.entities) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.kind, b.kind);
        assert_eq!(a.country, b.country, "{}", a.id);
        assert_eq!(
            serde_json::to_string(&a.status).unwrap(),
            serde_json::to_string(&b.status).unwrap()
        );
        let d = |e: &Entity| {
            e.domains
                .iter()
                .map(|d| d.domain.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(d(a), d(b));
    }
    // The export's own date (`sources_used[].last_imported`), not its newest entry (2025-03-01).
    assert_eq!(l.list.updated.to_string(), "2026-11-28");
    assert!(l.list.dated_by.contains("export metadata"));
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_document() {
    for (text, format) in [
        (CSV, ListFormat::CslCsv),
        (JSON, ListFormat::CslJson),
        (FTM, ListFormat::Opensanctions),
    ] {
        let plain = parse(text, "list", format).unwrap();
        let marked = parse(&format!("\u{feff}{text}"), "list", format)
            .unwrap_or_else(|e| panic!("{format:?} with a BOM: {e}"));
        assert_eq!(
            serde_json::to_string(&plain.entities).unwrap(),
            serde_json::to_string(&marked.entities).unwrap(),
            "{format:?}"
        );
        // The digest is of the file as given.
        assert_ne!(plain.list.digest, marked.list.digest);
        assert!(marked.list.digest.starts_with("sha256:"));
    }
}

#[test]
fn opensanctions_entities() {
    let l = parse(FTM, "os.jsonl", ListFormat::Opensanctions).unwrap();
    // Vessel and Address are skipped.
    assert_eq!(l.entities.len(), 4);
    assert!(l.list.title.contains("2 of other schemas skipped"));
    let w = entity(&l, "os-fx-os-1");
    // weakAlias values are never matched.
    assert!(w.aliases.iter().all(|a| a.name != "WD"));
    assert!(l.list.notes.iter().any(|n| n.contains("weakAlias")));
    let mut domains: Vec<&str> = w.domains.iter().map(|d| d.domain.as_str()).collect();
    domains.sort();
    assert_eq!(domains, ["wrapper.example"]);
    assert_eq!(w.country.as_deref(), Some("GB"));
    // A sanctioned target: no cap. Listed from its sanction's listingDate (2024-06-21), not
    // from `first_seen` (2025-03-01, when the aggregator first saw it), nor the later startDate.
    assert_eq!(w.status.gate, None);
    assert_eq!(w.status.from.unwrap().to_string(), "2024-06-21");
    assert_eq!(w.status.until, None);
    assert_eq!(w.status.last_seen.unwrap().to_string(), "2026-11-01");
    let person = entity(&l, "os-fx-os-2");
    assert_eq!(person.kind, EntityKind::Person);
    // No sanction dates: the listing date is unknown, not `first_seen`.
    assert_eq!(person.status.from, None);
    assert!(person.domains.is_empty(), "gmail.com is a shared service");
    let pep = entity(&l, "os-fx-os-3");
    assert_eq!(pep.domains[0].domain, "research.example.org");
    assert_eq!(pep.status.gate, Some(Gate::Info), "not a target");
    assert_eq!(entity(&l, "os-fx-os-6").status.gate, Some(Gate::Warn));
    assert!(l.programme("os-fixture-sanctions").is_some());
    let src = l.source(&w.source).unwrap();
    assert_eq!(
        src.url.as_deref(),
        Some("https://www.opensanctions.org/datasets/fixture_sanctions/")
    );
    assert!(w.aliases.iter().all(|a| a.grade == Grade::Secondary));
    assert_eq!(l.list.dated_by, "undated");
}

#[test]
fn json_values_of_other_types_read_as_before() {
    // OpenSanctions: a property that is not an array gives nothing, an array its strings
    // (trimmed, the empty ones left out); unknown fields are skipped at any depth.
    let l = parse(
        r#"{"id": "a", "schema": "Company", "caption": "Cap", "target": true, "properties": {"name": "Lone", "alias": ["A One", 3, null, ["nested"], {"x": 1}, " A Two ", " "], "country": [7, "gb"], "website": "https://lone.example", "email": [{"a": "b@c.example"}, "info@os.example"], "topics": ["sanction", false]}, "datasets": ["ds"], "unknown": {"deep": [1, 2.5e3, "x", null]}}"#,
        "o.jsonl",
        ListFormat::Opensanctions,
    )
    .unwrap();
    let e = &l.entities[0];
    assert_eq!(
        e.name, "Cap",
        "`name` is no array: the caption stands for it"
    );
    assert_eq!(names(&l, "os-a"), ["A One", "A Two"]);
    assert!(e.aliases.iter().all(|a| a.note.as_deref() == Some("alias")));
    assert_eq!(e.country.as_deref(), Some("GB"));
    let domains: Vec<&str> = e.domains.iter().map(|d| d.domain.as_str()).collect();
    assert_eq!(domains, ["os.example"]);
    assert_eq!(e.status.gate, None, "a sanctioned target");
    // CSL JSON: numbers read as text, a lone string as `;`-separated parts, other types as
    // nothing, items that are not objects as objects without fields.
    let l = parse(
        r#"{"results": [{"name": " Acme ", "_id": 12, "alt_names": "Acme One; ; Acme Two", "programs": [3, "EAR"], "addresses": [{"country": " GB "}, "x", {"country": 4}], "ids": [{"type": "WEBSITE", "number": "https://acme.example"}, 5], "start_date": null, "source": 7, "extra": [{"deep": 1e2}]}], "sources_used": [{"last_imported": 20240101}, "x", {"source_last_updated": "2026-01-02"}], "total": 1}"#,
        "c.json",
        ListFormat::CslJson,
    )
    .unwrap();
    let e = entity(&l, "csl-12");
    assert_eq!(e.name, "Acme");
    assert_eq!(names(&l, "csl-12"), ["Acme", "Acme One", "Acme Two"]);
    assert_eq!(e.country.as_deref(), Some("GB"));
    assert_eq!(e.note.as_deref(), Some("programs: EAR"));
    assert_eq!(e.domains[0].domain, "acme.example");
    assert_eq!(e.programmes, ["csl-7"]);
    assert_eq!(l.list.updated.to_string(), "2026-01-02");
    // A value JSON itself refuses is refused wherever it is, used or not, with file and line.
    for (text, want) in [
        (
            "{\"schema\": \"Company\", \"caption\": \"x\"}\n{\"schema\": \"Company\", \"caption\": \"x\", \"properties\": {\"other\": [1e400]}}",
            "o.jsonl:2: not a FollowTheMoney entity: number out of range",
        ),
        (
            r#"{"schema": "Company", "caption": "x", "properties": {"alias": ["\ud800 x"]}}"#,
            "o.jsonl:1: not a FollowTheMoney entity: unexpected end of hex escape",
        ),
        (
            r#"{"schema": "Company", "caption": "x", "properties": []}"#,
            "o.jsonl:1: not a FollowTheMoney entity: invalid type: sequence, expected a map",
        ),
    ] {
        let err = parse(text, "o.jsonl", ListFormat::Opensanctions)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
    }
    for (text, want) in [
        (
            "{\"results\": [{\"name\": \"A\",\n\"x\": {\"y\": 1e400}}]}",
            "c.json:2: not a Consolidated Screening List JSON document (`results`): number out of range",
        ),
        (
            r#"{"results": [], "results": []}"#,
            "duplicate field `results`",
        ),
        (r#"{"sources_used": []}"#, "missing field `results`"),
        (
            r#"{"results": [], "sources_used": 3}"#,
            "expected a sequence",
        ),
    ] {
        let err = parse(text, "c.json", ListFormat::CslJson)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
    }
}

#[test]
fn topics_decide_the_gate() {
    let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(ftm_gate(true, &t(&["sanction"])).0, Gate::Fail);
    assert_eq!(ftm_gate(true, &t(&["export.control"])).0, Gate::Fail);
    assert_eq!(ftm_gate(true, &t(&["sanction.linked"])).0, Gate::Warn);
    assert_eq!(ftm_gate(true, &t(&["debarment"])).0, Gate::Warn);
    assert_eq!(ftm_gate(true, &t(&["role.pep"])).0, Gate::Info);
    assert_eq!(ftm_gate(false, &t(&["sanction"])).0, Gate::Info);
    assert_eq!(
        csl_gate("Unverified List (UVL) - Bureau of Industry and Security").0,
        Gate::Warn
    );
    assert_eq!(
        csl_gate("Military End User (MEU) List - Bureau of Industry and Security").0,
        Gate::Fail
    );
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
fn detection_by_content() {
    let detect = |name: &str, text: &str| ListFormat::detect(Utf8Path::new(name), text);
    // A CSL CSV download whatever it is called: its header says what it is.
    assert_eq!(detect("consolidated.300k", CSV), ListFormat::CslCsv);
    assert_eq!(
        detect("download", &format!("\u{feff}{CSV}")),
        ListFormat::CslCsv
    );
    assert_eq!(
        detect("download", "\"_id\",\"name\",\"alt_names\"\r\nx,A,\n"),
        ListFormat::CslCsv
    );
    assert_eq!(detect("list", "name , entity_number\n"), ListFormat::CslCsv);
    // Without the CSL's columns, or not a CSV header: this project's TOML, as before.
    assert_eq!(detect("list", "name,title\nA,B\n"), ListFormat::Entitycheck);
    assert_eq!(detect("list", "source,_id\n"), ListFormat::Entitycheck);
    assert_eq!(detect("list", "# name, source\n"), ListFormat::Entitycheck);
    assert_eq!(
        detect("list", "[list]\nid = \"x\" # name,source\n"),
        ListFormat::Entitycheck
    );
    // The name still comes first.
    assert_eq!(detect("list.toml", CSV), ListFormat::Entitycheck);
    // A CSL JSON document on one line, whatever else it mentions; an FtM line.
    assert_eq!(
        detect(
            "download",
            "{\"sources_used\": [{\"schema\": 1}], \"results\": []}"
        ),
        ListFormat::CslJson
    );
    assert_eq!(
        detect(
            "download",
            "{\"sources_used\": [], \"schema\": 1,\n\"results\": []}"
        ),
        ListFormat::CslJson
    );
    assert_eq!(detect("download", JSON), ListFormat::CslJson);
    assert_eq!(detect("download", FTM), ListFormat::Opensanctions);
    // And the file loads as what it was detected to be.
    let dir = tempfile::tempdir().unwrap();
    let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("consolidated.300k")).unwrap();
    std::fs::write(&path, CSV).unwrap();
    let l = load(&path, None, &crate::fsio::Limits::DEFAULT).unwrap();
    assert_eq!(l.list.id, "csl");
    assert_eq!(l.entities.len(), 8);
}

#[test]
fn a_malformed_csv_row_says_what_is_wrong_with_it() {
    let err = parse(
        "_id,name,source\nx,Ok,EL\ny\nz,\"Open quote,EL\nw,Next,EL\n",
        "l.csv",
        ListFormat::CslCsv,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("l.csv:3: malformed CSV row: 1 fields where the header has 3"),
        "{err}"
    );
    assert!(!err.contains("entry without a name"), "{err}");
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
    // Every entry without a name is listed, in each format; named ones after it add nothing.
    let err = parse(
        "{\"results\": [{\"name\": \"A\"}, {\"name\": \"\"}, {\"name\": \"B\"}, {}]}",
        "c.json",
        ListFormat::CslJson,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("c.json: results[1]: entry without a name"),
        "{err}"
    );
    assert!(
        err.contains("c.json: results[3]: entry without a name"),
        "{err}"
    );
    let err = parse("_id,name\nx,\ny,Ok\nz,\n", "l.csv", ListFormat::CslCsv)
        .unwrap_err()
        .to_string();
    assert!(err.contains("l.csv:2: entry without a name"), "{err}");
    assert!(err.contains("l.csv:4: entry without a name"), "{err}");
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

/// Measures importing one large list, e.g. one written by `scripts/gen-list.py`:
/// `ENTITYCHECK_IMPORT_BENCH=list.csv cargo test --release --lib import_one_large_list --
/// --ignored --nocapture`. Prints the CPU and wall time of [`load`] and the process's peak RSS;
/// with `ENTITYCHECK_IMPORT_BENCH_DIGEST=1`, also a digest of the whole result (to compare two
/// builds' output).
#[test]
#[ignore = "measures a large import named by ENTITYCHECK_IMPORT_BENCH"]
fn import_one_large_list() {
    use std::fmt::Write as _;
    let Ok(path) = std::env::var("ENTITYCHECK_IMPORT_BENCH") else {
        return;
    };
    let cpu = || {
        // SAFETY: getrusage only writes the struct it is given.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
        let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
        (t(u.ru_utime), t(u.ru_stime))
    };
    let peak = || {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string())
            })
            .unwrap_or_default()
    };
    let (u0, s0) = cpu();
    let wall = std::time::Instant::now();
    let result = load(Utf8Path::new(&path), None, &crate::fsio::Limits::DEFAULT);
    let wall = wall.elapsed().as_secs_f64();
    let (u1, s1) = cpu();
    let peak = peak();
    // A digest of the whole result, streamed through its Debug form.
    struct H(Sha256);
    impl std::fmt::Write for H {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    let mut h = H(Sha256::new());
    let digest = std::env::var_os("ENTITYCHECK_IMPORT_BENCH_DIGEST").is_some();
    let what = match &result {
        Ok(l) => {
            if digest {
                write!(h, "{l:?}").unwrap();
            }
            format!("{} entities", l.entities.len())
        }
        Err(e) => {
            write!(h, "{e}").unwrap();
            "error".to_string()
        }
    };
    println!(
        "{path}: {what}; load {wall:.2} s wall, {:.2} s user, {:.2} s sys; peak RSS {peak} kB; digest {}",
        u1 - u0,
        s1 - s0,
        &hex::encode(h.0.finalize())[..16]
    );
    std::mem::forget(result);
}

#[test]
fn ids_compare_the_ids_when_hashes_agree() {
    let l = parse("_id,name\na,A\nb,B\n", "l.csv", ListFormat::CslCsv).unwrap();
    let ids_of = |e: &[Entity]| e.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids_of(&l.entities), ["csl-a", "csl-b"]);
    // As if `csl-b` and `csl-c` had the hash of `csl-a`: the ids themselves decide.
    let mut ids = Ids::default();
    let hash = |ids: &Ids, s: &str| ids.hasher.hash_one(s.to_string());
    for id in ["csl-b", "csl-c"] {
        let h = hash(&ids, id);
        ids.by_hash.insert(h, 0);
    }
    assert_eq!(ids.unique(&l.entities, "csl-b".into()), "csl-b-dup");
    assert_eq!(ids.unique(&l.entities, "csl-c".into()), "csl-c");
    let h = hash(&ids, "csl-a");
    ids.by_hash.insert(h, 0);
    assert_eq!(ids.unique(&l.entities, "csl-a".into()), "csl-a-dup");
    // Duplicate ids in a list: `-dup`, `-dup-dup`, and a written `x-dup` comes after.
    let l = parse(
        "_id,name\nx,A\nx,B\nx-dup,C\nx,D\n",
        "l.csv",
        ListFormat::CslCsv,
    )
    .unwrap();
    assert_eq!(
        ids_of(&l.entities),
        ["csl-x", "csl-x-dup", "csl-x-dup-dup", "csl-x-dup-dup-dup"]
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn chrono(s: &str) -> Option<NaiveDate> {
        s.trim()
            .get(..10)
            .and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The direct reading of `YYYY-MM-DD` gives the date chrono's format reading gives, in
        /// range or not, and other texts still go to chrono.
        #[test]
        fn date_prefix_reads_as_chrono_reads(
            y in 0..10_000u32,
            m in 0..14u32,
            d in 0..33u32,
            tail in "(T[0-9:]{0,8}|[ +0-9-]{0,3})?",
            pad in "[ \t]{0,2}",
        ) {
            let s = format!("{pad}{y:04}-{m:02}-{d:02}{tail}");
            prop_assert_eq!(date_prefix(&s), chrono(&s), "{:?}", s);
        }

        #[test]
        fn other_texts_read_as_chrono_reads(s in "[0-9 +T:/-]{0,12}|[0-9]{4}-[0-9]-[0-9]{2,3}|[\\PC]{0,12}") {
            prop_assert_eq!(date_prefix(&s), chrono(&s), "{:?}", s);
        }
    }
}

/// OpenSanctions listing dates come from the entity's sanctions: the earliest listingDate (else
/// startDate); an end only when every sanction has ended; none stated: unknown.
#[test]
fn opensanctions_listing_dates_come_from_sanctions() {
    let line = |sanctions: &str| {
        format!(
            r#"{{"id": "x", "schema": "Company", "caption": "X Ltd", "target": true, "properties": {{"name": ["X Ltd"], "topics": ["sanction"], "sanctions": {sanctions}}}, "datasets": ["d"], "first_seen": "2025-03-01T00:00:00"}}"#
        )
    };
    let dates = |sanctions: &str| {
        let l = parse(&line(sanctions), "os.jsonl", ListFormat::Opensanctions).unwrap();
        let e = &l.entities[0];
        (
            e.status.from.map(|d| d.to_string()),
            e.status.until.map(|d| d.to_string()),
        )
    };
    let s = |props: &str| format!(r#"{{"schema": "Sanction", "properties": {props}}}"#);
    #[rustfmt::skip]
    let cases = [
        (format!("[{}]", s(r#"{"startDate": ["2023-05-01"]}"#)), (Some("2023-05-01"), None)),
        (format!("[{}, {}]", s(r#"{"listingDate": ["2024-06-21"], "startDate": ["2024-06-24"]}"#), s(r#"{"startDate": ["2022-01-10"]}"#)), (Some("2022-01-10"), None)),
        (format!("[{}, {}]", s(r#"{"startDate": ["2020-01-01"], "endDate": ["2021-01-01"]}"#), s(r#"{"startDate": ["2022-01-01"]}"#)), (Some("2020-01-01"), None)),
        (format!("[{}]", s(r#"{"startDate": ["2020-01-01"], "endDate": ["2021-01-01T00:00:00"]}"#)), (Some("2020-01-01"), Some("2021-01-01"))),
        ("[]".to_string(), (None, None)),
        ("\"not an array\"".to_string(), (None, None)),
    ];
    for (sanctions, (from, until)) in cases {
        assert_eq!(
            dates(&sanctions),
            (from.map(str::to_string), until.map(str::to_string)),
            "{sanctions}"
        );
    }
}

#[test]
fn format_names_parse_case_insensitively_and_a_typo_gets_the_nearest() {
    assert_eq!("CSL-Json".parse::<ListFormat>(), Ok(ListFormat::CslJson));
    for name in ListFormat::NAMES {
        assert!(name.parse::<ListFormat>().is_ok(), "{name}");
    }
    let e = "csl-jsno".parse::<ListFormat>().unwrap_err();
    assert!(e.ends_with("did you mean `csl-json`?"), "{e}");
    let e = "yaml".parse::<ListFormat>().unwrap_err();
    assert_eq!(
        e,
        "list format `yaml` is not one of entitycheck, csl-csv, csl-json, opensanctions"
    );
}

/// The table is the one source of the names: each format is found again by its name, in the
/// configuration (serde) as on the command line, and `NAMES` follows `ALL`.
#[test]
fn every_format_in_the_table_round_trips_through_its_name() {
    assert_eq!(ListFormat::ALL.len(), ListFormat::NAMES.len());
    for (&f, &name) in ListFormat::ALL.iter().zip(ListFormat::NAMES) {
        assert_eq!(f.name(), name);
        assert_eq!(name.parse::<ListFormat>(), Ok(f));
        assert_eq!(ListFormat::from_name(&name.to_ascii_uppercase()), Some(f));
        assert_eq!(serde_json::to_value(f).unwrap(), serde_json::json!(name));
        assert_eq!(
            serde_json::from_value::<ListFormat>(name.into()).unwrap(),
            f
        );
        assert!(!f.description().is_empty(), "{name}");
    }
}
