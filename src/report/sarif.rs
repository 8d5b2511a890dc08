//! Report stage, SARIF 2.1.0: the outcome → a log GitHub code scanning accepts and shows
//! truthfully.
//!
//! One rule per kind of result, with stable kebab-case ids, each with a short and full
//! description and help (text and Markdown). Every result has a location relative to the
//! repository root (`uriBaseId` `%SRCROOT%`, declared in `originalUriBaseIds`), a region (line 1
//! for a file-level finding) and a `partialFingerprints` value that does not change between runs
//! or versions of the package, so an alert stays the same alert. Only what fails the build is an
//! `error`, warnings stay `warning`; waived, exempt and ignored findings are `note`s (GitHub
//! ignores `suppressions`, so a suppressed `error` would still be an open error alert), or left
//! out with `--sarif-omit-suppressed`.

use std::io::{self, Write};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Outcome;
use crate::config::CiOptions;
use crate::outcome::Loc;
use crate::policy::{Finding, Verdict};

/// Where the manual's chapters are published: docs.rs serves the published crate's files, the
/// manual among them (`include` in Cargo.toml).
pub const MANUAL: &str = "https://docs.rs/crate/cargo-entitycheck/latest/source/docs/src";

/// `text` with every path under the repository root made relative to it: SARIF names files as
/// the repository does, never as the machine that ran the check (a waiver's `at`, a reason
/// quoting it).
fn repo_relative(o: &Outcome, text: &str) -> String {
    let root = o.source_root.as_str().trim_end_matches(['/', '\\']);
    if root.is_empty() {
        return text.to_string();
    }
    text.replace(&format!("{root}/"), "")
        .replace(&format!("{root}\\"), "")
}

/// A rule: id, name, short description, help, the manual's chapter about it, default level.
struct Rule {
    id: &'static str,
    chapter: &'static str,
    name: &'static str,
    short: &'static str,
    help: &'static str,
    level: &'static str,
}

const HELP_COMMON: &str = "Run `cargo entitycheck explain <package>` to see every piece of evidence, the match and the decision. A finding that is accepted is waived in entitycheck.toml with `[[waiver]]` (package, reason, approver, expiry); test data that does not ship is declared with `[[ignore]]`.";

const RULES: &[Rule] = &[
    Rule {
        id: "entity-attribution",
        chapter: "policy.md",
        name: "ListedEntityAttribution",
        short: "A shipped dependency is attributed to a listed entity",
        help: "The package's metadata, notices or bundled files attribute it to an entity on the screened list, with a confidence the policy fails on, and a restriction on it is in force. Remove or replace the dependency, or, if it is accepted, waive it with a reason and an approver.",
        level: "error",
    },
    Rule {
        id: "entity-attribution-warning",
        chapter: "policy.md",
        name: "ListedEntityAttributionWarning",
        short: "Attribution to a listed entity that does not fail the build",
        help: "The attribution is weak (below the failing confidence), the package is a dev-dependency that does not ship, the entity is listed only for context, or no restriction is in force yet on the evaluation date. Review it; it does not fail the build.",
        level: "warning",
    },
    Rule {
        id: "entity-exempt",
        chapter: "policy.md",
        name: "ListedEntityExemptProduct",
        short: "A listed entity's product in a category outside the restriction",
        help: "The product category the evidence names is exempted by the programme (for example threat intelligence outside the software restriction). Recorded for the audit trail; it does not fail the build.",
        level: "note",
    },
    Rule {
        id: "entity-mention",
        chapter: "what-it-screens.md",
        name: "ListedEntityMention",
        short: "A dependency mentions a listed entity without being attributed to it",
        help: "A mention (a compatibility note, a test string, a comparison) is not an attribution and never fails the build on its own. Recorded so a reviewer can confirm it.",
        level: "note",
    },
    Rule {
        id: "package-not-scanned",
        chapter: "what-it-screens.md",
        name: "PackageNotScanned",
        short: "Some of a package's files could not be read",
        help: "A file was too large, unreadable or an archive beyond the scan's bounds, so the package may hide evidence. Raise the bound (`--max-file-size`, `[deep]`) or inspect the file; `--fail-on-unscanned` makes this fail the build.",
        level: "warning",
    },
];

/// At most this many results (GitHub keeps 25,000 per run and rejects more).
const MAX_RESULTS: usize = 25_000;

fn rule_of(f: &Finding) -> &'static str {
    match f.verdict {
        Verdict::Fail => "entity-attribution",
        Verdict::Waived | Verdict::Ignored if f.would_be == Some(Verdict::Fail) => {
            "entity-attribution"
        }
        Verdict::Warn | Verdict::Waived | Verdict::Ignored => "entity-attribution-warning",
        Verdict::Exempt => "entity-exempt",
        Verdict::Info => "entity-mention",
    }
}

/// The level of a result: what fails the build is an error, a warning a warning, and
/// everything accepted (waived, exempt, ignored) or informational a note.
fn level_of(f: &Finding) -> &'static str {
    match f.verdict {
        Verdict::Fail => "error",
        Verdict::Warn => "warning",
        Verdict::Waived | Verdict::Exempt | Verdict::Info | Verdict::Ignored => "note",
    }
}

/// Whether a finding is accepted (not an open problem): left out by `--sarif-omit-suppressed`.
fn suppressed(f: &Finding) -> bool {
    matches!(
        f.verdict,
        Verdict::Waived | Verdict::Exempt | Verdict::Ignored
    )
}

fn rule_index(id: &str) -> usize {
    RULES.iter().position(|r| r.id == id).unwrap_or(0)
}

/// What a URI path segment may not contain unencoded (RFC 3986: keep `/` and unreserved).
const URI_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The relative URI of a location (percent-encoded, so any file name is a valid URI).
pub fn uri(loc: &Loc) -> String {
    utf8_percent_encode(&loc.uri, URI_PATH).to_string()
}

/// The default category: `entitycheck`, then the workspace's path in the repository.
pub fn default_category(o: &Outcome) -> String {
    if o.workspace_rel.is_empty() {
        "entitycheck".to_string()
    } else {
        format!("entitycheck/{}", o.workspace_rel)
    }
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
    // A file-level finding (a binary, an archive, a manifest without a line) is at line 1:
    // GitHub shows a result without a region nowhere useful.
    json!({ "physicalLocation": {
        "artifactLocation": { "uri": uri(loc), "uriBaseId": "%SRCROOT%" },
        "region": { "startLine": loc.line.unwrap_or(1).max(1) },
    }})
}

pub fn write(out: &mut dyn Write, o: &Outcome, ci: &CiOptions) -> io::Result<()> {
    let mut results = Vec::new();
    for (f, loc) in o.findings.iter().zip(&o.locations) {
        if ci.omit_suppressed && suppressed(f) {
            continue;
        }
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
            repo_relative(o, &f.reason)
        )
        .replace("( ", "(")
        .replace(" )", ")");
        let mut r = json!({
            "ruleId": rule,
            "ruleIndex": rule_index(rule),
            "level": level_of(f),
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
        // Other SARIF consumers honour suppressions; GitHub reads the level.
        if let Some(w) = f.waiver.as_ref().filter(|w| !w.expired)
            && matches!(f.verdict, Verdict::Waived | Verdict::Ignored)
        {
            let mut justification = format!("{} ({})", w.reason, repo_relative(o, &w.at));
            if let Some(basis) = &w.basis {
                justification.push_str(&format!("; basis: {basis}"));
            }
            if let Some(by) = &w.approved_by {
                justification.push_str(&format!("; approved by {by}"));
            }
            r["suppressions"] = json!([{ "kind": "external", "status": "accepted", "justification": justification }]);
        }
        results.push(r);
    }
    for (n, loc) in o.not_scanned.iter().zip(&o.unscanned_locations) {
        results.push(json!({
            "ruleId": "package-not-scanned",
            "ruleIndex": rule_index("package-not-scanned"),
            "level": if o.policy.fail_on_unscanned { "error" } else { "warning" },
            "message": { "text": format!("{} v{} was not fully scanned: {}", n.name, n.version, repo_relative(o, &n.reason.to_string())) },
            "locations": [location(loc)],
            "partialFingerprints": { "entitycheckFinding/v1": unscanned_fingerprint(&n.name, &n.reason.to_string()) },
        }));
    }
    let dropped = results.len().saturating_sub(MAX_RESULTS);
    results.truncate(MAX_RESULTS);
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.short },
                "fullDescription": { "text": format!("{}. {}", r.short, r.help) },
                "help": {
                    "text": format!("{}\n\n{HELP_COMMON}", r.help),
                    "markdown": format!("**{}**\n\n{}\n\n{HELP_COMMON}", r.short, r.help),
                },
                "helpUri": format!("{MANUAL}/{}", r.chapter),
                "defaultConfiguration": { "level": r.level },
                "properties": { "tags": ["supply-chain", "compliance"] },
            })
        })
        .collect();
    let category = ci.category.clone().unwrap_or_else(|| default_category(o));
    // GitHub reads the part before the last `/` as the category: end with one.
    let automation_id = if category.ends_with('/') {
        category
    } else {
        format!("{category}/")
    };
    let base = format!("{}/", o.source_root.as_str().trim_end_matches('/'));
    let base_uri = url::Url::from_directory_path(base.as_str())
        .map(String::from)
        .unwrap_or_else(|()| format!("file://{base}"));
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
                "informationUri": format!("{MANUAL}/introduction.md"),
                "rules": rules,
            }},
            "automationDetails": { "id": automation_id },
            "originalUriBaseIds": { "%SRCROOT%": { "uri": base_uri } },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {
                "lists": lists,
                "asOf": o.policy.as_of.to_string(),
                "verdict": if o.failed() { "fail" } else { "pass" },
                "resultsLeftOut": dropped,
            },
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
