//! Report stage, SARIF 2.1.0: the outcome → a log GitHub code scanning accepts.
//!
//! One rule per kind of result, with stable kebab-case ids; every result has a repository-
//! relative location (its file inside the repository, or its `Cargo.lock` entry) and a
//! `partialFingerprints` value that does not change between runs or versions of the package,
//! so an alert stays the same alert. Waived findings are results with an external suppression.

use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Outcome;
use crate::outcome::Loc;
use crate::policy::{Finding, Verdict};

/// (id, name, short description, default level).
const RULES: &[(&str, &str, &str, &str)] = &[
    (
        "entity-attribution",
        "ListedEntityAttribution",
        "A shipped dependency is attributed to a listed entity",
        "error",
    ),
    (
        "entity-attribution-warning",
        "ListedEntityAttributionWarning",
        "Attribution to a listed entity that does not fail the build (weak, dev-only, or not yet in force)",
        "warning",
    ),
    (
        "entity-exempt",
        "ListedEntityExemptProduct",
        "A listed entity's product in a category outside the restriction",
        "note",
    ),
    (
        "entity-mention",
        "ListedEntityMention",
        "A dependency mentions a listed entity without being attributed to it",
        "note",
    ),
    (
        "package-not-scanned",
        "PackageNotScanned",
        "Some of a package's files could not be read",
        "warning",
    ),
];

fn rule_of(f: &Finding) -> &'static str {
    match f.verdict {
        Verdict::Fail => "entity-attribution",
        Verdict::Waived if f.reason.contains("would be fail") => "entity-attribution",
        Verdict::Warn | Verdict::Waived => "entity-attribution-warning",
        Verdict::Exempt => "entity-exempt",
        Verdict::Info => "entity-mention",
    }
}

fn level_of(rule: &str) -> &'static str {
    RULES
        .iter()
        .find(|r| r.0 == rule)
        .map(|r| r.3)
        .unwrap_or("note")
}

/// An unscanned package's fingerprint (findings use the outcome's).
fn unscanned_fingerprint(name: &str, reason: &str) -> String {
    let mut h = Sha256::new();
    for p in ["package-not-scanned", name, reason] {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

fn location(loc: &Loc) -> Value {
    let mut physical = json!({
        "artifactLocation": { "uri": loc.uri, "uriBaseId": "%SRCROOT%" }
    });
    if let Some(line) = loc.line {
        physical["region"] = json!({ "startLine": line });
    }
    json!({ "physicalLocation": physical })
}

pub fn write(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    let mut results = Vec::new();
    for (f, loc) in o.findings.iter().zip(&o.locations) {
        let rule = rule_of(f);
        let m = &f.matched;
        let path = super::fmt::path(&f.path);
        let text = format!(
            "{} v{} is attributed to {} ({} {}): {} {:?}. Pulled in by {}. {}",
            f.package.name,
            f.package.version,
            m.entity.name,
            m.confidence.as_str(),
            if m.confidence == crate::matching::Confidence::Mention {
                ""
            } else {
                "attribution"
            },
            m.evidence.field,
            m.evidence.text,
            path,
            f.reason
        )
        .replace("( ", "(")
        .replace(" )", ")");
        let mut r = json!({
            "ruleId": rule,
            "ruleIndex": RULES.iter().position(|x| x.0 == rule).unwrap_or(0),
            "level": level_of(rule),
            "message": { "text": text },
            "locations": [location(loc)],
            "partialFingerprints": {
                "entitycheckFinding/v1": crate::outcome::fingerprint(f),
            },
            "properties": {
                "package": format!("{} {}", f.package.name, f.package.version),
                "dependencyKind": f.package.kind.as_str(),
                "entity": m.entity.id,
                "list": m.entity.list_id,
                "confidence": m.confidence.as_str(),
                "verdict": f.verdict.as_str(),
                "identifier": format!("{} {}", m.identifier.kind.as_str(), m.identifier.value),
                "source": m.identifier.source,
                "dependencyPath": path,
            }
        });
        if let Some(w) = f.waiver.as_ref().filter(|w| !w.expired) {
            r["suppressions"] = json!([{ "kind": "external", "status": "accepted", "justification": format!("{} ({})", w.reason, w.at) }]);
        }
        results.push(r);
    }
    for (n, loc) in o.not_scanned.iter().zip(&o.unscanned_locations) {
        results.push(json!({
            "ruleId": "package-not-scanned",
            "ruleIndex": RULES.iter().position(|x| x.0 == "package-not-scanned").unwrap_or(0),
            "level": if o.policy.fail_on_unscanned { "error" } else { "warning" },
            "message": { "text": format!("{} v{} was not fully scanned: {}", n.name, n.version, n.reason) },
            "locations": [location(loc)],
            "partialFingerprints": { "entitycheckFinding/v1": unscanned_fingerprint(&n.name, &n.reason) },
        }));
    }
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, name, short, level)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": { "text": short },
                "fullDescription": { "text": format!("{short}. See `cargo entitycheck explain <package>` for every piece of evidence and the decision.") },
                "defaultConfiguration": { "level": level },
                "properties": { "tags": ["supply-chain", "compliance"] },
            })
        })
        .collect();
    let lists: Vec<Value> = o
        .lists
        .iter()
        .map(|l| json!({ "id": l.list.id, "version": l.list.version, "digest": l.list.digest }))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cargo-entitycheck",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "automationDetails": { "id": "cargo-entitycheck/" },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": { "lists": lists, "asOf": o.policy.as_of.to_string(), "verdict": if o.failed() { "fail" } else { "pass" } },
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
