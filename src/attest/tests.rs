//! Attestations, tests: acceptance records, and certificates of earlier predicate versions.

use camino::Utf8Path;

use super::verify::describe_acceptance;
use super::*;
use crate::entity::EntityList;
use crate::evidence::{Evidence, Location, Role, Shape};
use crate::graph::{DepKind, SourceKind};
use crate::outcome::IgnoredUnscanned;
use crate::policy::ignore::Ignore;
use crate::policy::{Finding, PackageRef, Policy, Waiver, WaiverRef};

fn waiver(at: &str, basis: Option<&str>, expires: Option<&str>) -> Waiver {
    Waiver {
        package: "pkg".into(),
        version: None,
        version_req: None,
        entity: None,
        evidence: Some("authors".into()),
        reason: format!("reason at {at}"),
        basis: basis.map(Into::into),
        approved_by: Some("Jane".into()),
        expires: expires.map(|d| d.parse().unwrap()),
        at: at.into(),
    }
}

/// One finding of `pkg` whose evidence is `text` in `field`, decided under `waivers`.
fn finding(field: &str, text: &str, file: Option<&str>, waivers: Vec<Waiver>) -> Finding {
    let lists = vec![EntityList::builtin().unwrap()];
    let matcher = crate::matching::Matcher::new(&lists);
    let shape = if field == "authors" {
        Shape::Author
    } else {
        Shape::Text
    };
    let mut ev = Evidence::new(field, Role::Attribution, shape, text);
    ev.location = file.map(|f| Location {
        file: f.into(),
        line: Some(1),
    });
    let m = matcher
        .match_evidence(&ev)
        .into_iter()
        .find(|m| m.entity.id == "ao-kaspersky-lab")
        .unwrap();
    let policy = Policy::new("2026-01-01".parse().unwrap()).with_waivers(waivers);
    let package = PackageRef {
        name: "pkg".into(),
        version: "1.0.0".into(),
        id: "pkg 1.0.0".into(),
        kind: DepKind::Normal,
        source: SourceKind::Path,
    };
    crate::policy::decide(&policy, &lists, package, Vec::new(), m)
}

#[test]
fn acceptances_name_each_entry_that_decided_a_verdict_and_what_it_accepted() {
    let root = Utf8Path::new("/ws");
    let used = waiver("/ws/e.toml:1", Some("counsel LGL-88"), Some("2099-01-01"));
    let unused = waiver("/ws/e.toml:5", None, None);
    let lapsed = waiver("/ws/e.toml:7", None, Some("2025-01-01"));
    let waived = finding("authors", "AO Kaspersky Lab", None, vec![used.clone()]);
    assert_eq!(waived.verdict, Verdict::Waived);
    let expired = finding("authors", "AO Kaspersky Lab", None, vec![lapsed.clone()]);
    assert_eq!(expired.verdict, Verdict::Fail);
    assert!(expired.waiver.as_ref().unwrap().expired);
    // An ignore entry's finding, as `policy::ignore::apply` leaves it.
    let mut ignored = finding(
        "notice",
        "Copyright (c) 2024 AO Kaspersky Lab",
        Some("tests/n.txt"),
        vec![],
    );
    ignored.would_be = Some(ignored.verdict);
    ignored.verdict = Verdict::Ignored;
    ignored.waiver = Some(WaiverRef {
        at: "/ws/e.toml:9".into(),
        reason: "test data".into(),
        basis: None,
        approved_by: Some("QA".into()),
        expires: None,
        expired: false,
    });
    let ignores = vec![
        Ignore {
            package: "pkg".into(),
            reason: "test data".into(),
            approved_by: Some("QA".into()),
            at: "/ws/e.toml:9".into(),
            ..Default::default()
        },
        Ignore {
            package: "pkg".into(),
            reason: "stale".into(),
            at: "/ws/e.toml:12".into(),
            ..Default::default()
        },
    ];
    let unscanned = vec![IgnoredUnscanned {
        name: "pkg".into(),
        version: "1.0.0".into(),
        reason: "/ws/pkg/tests/big.bin is larger than 1000 bytes".into(),
        at: "/ws/e.toml:9".into(),
    }];
    let findings = vec![waived.clone(), expired, ignored.clone()];
    let got = acceptances(
        root,
        &findings,
        &[used, unused, lapsed],
        &ignores,
        &unscanned,
    );
    // The unused and the expired waiver, and the ignore entry that covered nothing, accepted
    // nothing: not listed.
    let at: Vec<&str> = got.iter().map(|a| a.at.as_str()).collect();
    assert_eq!(at, ["e.toml:1", "e.toml:9"]);
    let w = &got[0];
    assert_eq!(
        (
            w.kind.as_str(),
            w.basis.as_deref(),
            w.approved_by.as_deref()
        ),
        ("waiver", Some("counsel LGL-88"), Some("Jane"))
    );
    assert_eq!(w.expires, "2099-01-01".parse().ok());
    assert_eq!(
        w.findings,
        [AcceptedFinding {
            package: "pkg".into(),
            version: "1.0.0".into(),
            fingerprint: fingerprint(&waived),
            entity: "ao-kaspersky-lab".into(),
            would_be: "fail".into(),
        }]
    );
    let i = &got[1];
    assert_eq!((i.kind.as_str(), i.basis.as_deref()), ("ignore", None));
    assert_eq!(i.findings.len(), 1);
    assert_eq!(i.findings[0].fingerprint, fingerprint(&ignored));
    assert_eq!(i.findings[0].would_be, "fail");
    assert_eq!(
        i.not_scanned,
        [crate::outcome::NotScanned {
            name: "pkg".into(),
            version: "1.0.0".into(),
            reason: "pkg/tests/big.bin is larger than 1000 bytes".into(),
        }]
    );
    assert!(describe_acceptance(w).starts_with(
        "waiver at e.toml:1 accepts 1 finding (1 that would fail) in pkg 1.0.0: reason \"reason at /ws/e.toml:1\", basis \"counsel LGL-88\", approved by Jane, expires 2099-01-01"
    ));
    assert!(describe_acceptance(i).contains("; not scanned: pkg 1.0.0"));
}

#[test]
fn an_earlier_predicate_type_is_named() {
    let text = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"urn:cargo-entitycheck:predicate:entity-screening:v2","predicate":{}}"#;
    let e = parse(text, "c.json").unwrap_err().to_string();
    assert!(
        e.contains("a certificate of predicate v2") && e.contains("certify again"),
        "{e}"
    );
    let e = parse(&text.replace("urn:cargo", "urn:other"), "c.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected `https://docs.rs/"), "{e}");
}
