//! Tests of the policy stage: verdicts, rules, exemptions and waivers of one package's matches.

use super::*;
use crate::evidence::{Evidence, Role, Shape};
use chrono::{TimeZone, Utc};

/// Every match of one package's evidence, decided as a package: (entity id, verdict, rule).
fn verdicts(evidence: &[(&str, Shape, &str)], as_of: &str) -> Vec<(String, Verdict, Rule)> {
    let lists = vec![EntityList::builtin().unwrap()];
    let m = crate::matching::Matcher::new(&lists);
    let mut matches = Vec::new();
    for (field, shape, text) in evidence {
        let role = if *field == "description" {
            Role::Mention
        } else {
            Role::Attribution
        };
        matches.extend(m.match_evidence(&Evidence::new(*field, role, *shape, *text)));
    }
    let mut policy = Policy::new(as_of.parse().unwrap());
    policy.fail_on.insert(Confidence::Possible);
    let package = PackageRef {
        name: "pkg".into(),
        version: "1.0.0".into(),
        id: "pkg 1.0.0".into(),
        kind: DepKind::Normal,
        source: SourceKind::Path,
    };
    let mut v: Vec<(String, Verdict, Rule)> =
        decide_package(&policy, &lists, package, Vec::new(), matches)
            .into_iter()
            .map(|f| (f.matched.entity.id, f.verdict, f.decided_by))
            .collect();
    v.sort();
    v.dedup();
    v
}

/// (case, the package's evidence, as-of date, expected (entity, verdict, rule)).
type Case = (
    &'static str,
    Vec<(&'static str, Shape, &'static str)>,
    &'static str,
    Vec<(&'static str, Verdict, Rule)>,
);

/// Issue 26, as a table: exemption follows what the package supplies, for every affiliate,
/// under each programme's reach; grades combine to the strongest match; a repeated name is
/// one signal. `fail-on` takes in possible matches here, so only these rules hold a
/// finding back.
#[test]
fn verdicts_follow_the_determinations_logic() {
    use Rule::*;
    use Shape::*;
    use Verdict::*;
    const TI: (&str, Shape, &str) = (
        "description",
        Text,
        "Client for the Kaspersky Threat Intelligence Portal",
    );
    const TRAINING: (&str, Shape, &str) =
        ("description", Text, "Kaspersky Security Training exercises");
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        ("training by AO Kaspersky Lab",
         vec![("authors", Author, "AO Kaspersky Lab"), TRAINING], "2024-10-01",
         vec![("ao-kaspersky-lab", Exempt, ExemptProduct), ("kaspersky", Exempt, ExemptProduct)]),
        ("threat intelligence by Kaspersky Lab, Inc.",
         vec![("authors", Author, "Kaspersky Lab, Inc."), TI], "2024-10-01",
         vec![("kaspersky", Exempt, ExemptProduct), ("kaspersky-lab-inc", Exempt, ExemptProduct)]),
        ("threat intelligence with the entity's notice in its vendored licence",
         vec![("notice", Text, "Copyright (c) 2024 AO Kaspersky Lab"), TI], "2024-10-01",
         vec![("ao-kaspersky-lab", Exempt, ExemptProduct), ("kaspersky", Exempt, ExemptProduct)]),
        ("threat intelligence bundling a covered engine",
         vec![("authors", Author, "Kaspersky Lab, Inc."), TI, ("description", Text, "ships the Kaspersky Scan Engine")], "2024-10-01",
         vec![("kaspersky", Info, Mention), ("kaspersky-lab-inc", Fail, Restricted)]),
        ("executable code described as consulting",
         vec![("authors", Author, "AO Kaspersky Lab"), ("description", Text, "Kaspersky consulting services")], "2024-10-01",
         vec![("ao-kaspersky-lab", Fail, Restricted), ("kaspersky", Info, Mention)]),
        ("before the determination's failing date the Entity List only warns",
         vec![("authors", Author, "AO Kaspersky Lab")], "2024-08-01",
         vec![("ao-kaspersky-lab", Warn, NotInForce)]),
        ("an unverified alias never hides the primary name inside it",
         vec![("authors", Author, "Kaspersky Lab JSC")], "2024-10-01",
         vec![("ao-kaspersky-lab", Fail, Restricted), ("kaspersky", Fail, Restricted)]),
        ("an OFAC person named twice is one signal",
         vec![("authors", Author, "Anton Mikhaylovich Ivanov"), ("notice", Text, "Copyright 2024 Anton Mikhaylovich Ivanov")], "2024-10-01",
         vec![("ofac-anton-ivanov", Warn, PersonUncorroborated)]),
        ("a hosting platform's customer name is no country site",
         vec![("homepage", Url, "https://kaspersky.netlify.app/")], "2024-10-01",
         vec![]),
    ];
    for (name, evidence, as_of, want) in cases {
        let want: Vec<(String, Verdict, Rule)> = want
            .into_iter()
            .map(|(e, v, r)| (e.to_string(), v, r))
            .collect();
        assert_eq!(verdicts(&evidence, as_of), want, "{name}");
    }
}

/// US Eastern days around the determination's effective time and the DST changes.
#[test]
fn today_is_a_day_in_us_eastern_time() {
    #[rustfmt::skip]
    let cases = [
        // 2024-09-29 00:00 EDT is 04:00 UTC: before it, still the 28th in New York.
        ((2024, 9, 29, 3, 59), "2024-09-28"),
        ((2024, 9, 29, 4, 0), "2024-09-29"),
        // Winter (EST, UTC-5).
        ((2025, 1, 15, 4, 30), "2025-01-14"),
        ((2025, 1, 15, 5, 0), "2025-01-15"),
        // DST starts 2025-03-09 07:00 UTC, ends 2025-11-02 06:00 UTC.
        ((2025, 3, 9, 6, 59), "2025-03-09"),
        ((2025, 3, 10, 3, 59), "2025-03-09"),
        ((2025, 3, 10, 4, 0), "2025-03-10"),
        ((2025, 11, 2, 4, 30), "2025-11-02"),
        ((2025, 11, 3, 4, 30), "2025-11-02"),
        ((2025, 11, 3, 5, 0), "2025-11-03"),
    ];
    for ((y, mo, d, h, mi), want) in cases {
        let t = Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap();
        assert_eq!(us_eastern_date(t).to_string(), want, "{t}");
    }
}
