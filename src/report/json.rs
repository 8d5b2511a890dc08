//! Report stage, JSON: the outcome → one stable JSON document.
//!
//! The document's shape is versioned by `schema_version` and documented in the README; fields
//! are only ever added within a version. Findings are sorted (verdict, package, entity,
//! identifier, evidence) so two runs on the same tree give byte-identical output, apart from
//! `elapsed_ms`.

use std::io::{self, Write};

use serde::Serialize;

use crate::Outcome;
use crate::entity::ListMeta;
use crate::policy::{Finding, Policy, Waiver};

/// Bumped on any incompatible change of the document.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    lists: Vec<&'a ListMeta>,
    policy: &'a Policy,
    /// `pass` or `fail`.
    verdict: &'static str,
    /// Why it fails (absent when it passes): `findings`, `unscanned` or `stale-list`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fail_reasons: Vec<crate::outcome::FailReason>,
    summary: Summary<'a>,
    findings: Vec<FindingView<'a>>,
    not_scanned: &'a [crate::outcome::NotScanned],
    /// Packages not fully scanned whose unread files `[[ignore]]` entries cover: not counted
    /// in `not_scanned`, listed with the entry, as ignored findings are.
    ignored_not_scanned: Vec<IgnoredNotScanned<'a>>,
    unused_waivers: Vec<&'a Waiver>,
    /// `[[ignore]]` entries that matched no finding.
    unused_ignores: Vec<&'a crate::policy::ignore::Ignore>,
    binaries: &'a [crate::outcome::InventoriedBinary],
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<&'a str>,
}

/// A finding with its fingerprint (the same as in SARIF and certificates).
#[derive(Serialize)]
struct FindingView<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    fingerprint: String,
}

fn findings(findings: &[Finding]) -> Vec<FindingView<'_>> {
    findings
        .iter()
        .map(|finding| FindingView {
            finding,
            fingerprint: crate::outcome::fingerprint(finding),
        })
        .collect()
}

/// A package not fully scanned that an `[[ignore]]` entry took off the count.
#[derive(Serialize)]
struct IgnoredNotScanned<'a> {
    name: &'a str,
    version: &'a str,
    /// Why it was not fully scanned.
    reason: &'a crate::outcome::Unscanned,
    /// Always `ignored`.
    verdict: crate::policy::Verdict,
    /// The entry that covers it, as an ignored finding's `waiver`.
    ignore: IgnoreRef<'a>,
}

#[derive(Serialize)]
struct IgnoreRef<'a> {
    at: &'a str,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    approved_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<chrono::NaiveDate>,
}

fn ignored_not_scanned(o: &Outcome) -> Vec<IgnoredNotScanned<'_>> {
    o.ignored_unscanned
        .iter()
        .map(|n| {
            let entry = o.ignores.iter().find(|i| i.at == n.at);
            IgnoredNotScanned {
                name: &n.name,
                version: &n.version,
                reason: &n.reason,
                verdict: crate::policy::Verdict::Ignored,
                ignore: IgnoreRef {
                    at: &n.at,
                    reason: entry.map_or("", |i| i.reason.as_str()),
                    approved_by: entry.and_then(|i| i.approved_by.as_deref()),
                    expires: entry.and_then(|i| i.expires),
                },
            }
        })
        .collect()
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary<'a> {
    packages_screened: usize,
    fail: usize,
    warn: usize,
    waived: usize,
    exempt: usize,
    info: usize,
    ignored: usize,
    not_scanned: usize,
    /// Packages not fully scanned whose unread files `[[ignore]]` entries cover.
    ignored_not_scanned: usize,
    unused_ignores: usize,
    unused_waivers: usize,
    binaries: usize,
    scan: &'a crate::outcome::ScanTotals,
    elapsed_ms: u128,
}

pub fn write(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    let sum = o.summary();
    let unused = o.unused_waivers();
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        lists: o.lists.iter().map(|l| &l.list).collect(),
        policy: &o.policy,
        verdict: if o.failed() { "fail" } else { "pass" },
        fail_reasons: o.fail_reasons(),
        summary: Summary {
            packages_screened: sum.packages_screened,
            fail: sum.fail,
            warn: sum.warn,
            waived: sum.waived,
            exempt: sum.exempt,
            info: sum.info,
            ignored: sum.ignored,
            not_scanned: sum.not_scanned,
            ignored_not_scanned: o.ignored_unscanned.len(),
            unused_ignores: sum.unused_ignores,
            unused_waivers: sum.unused_waivers,
            binaries: sum.binaries,
            scan: &o.scan,
            elapsed_ms: o.elapsed.as_millis(),
        },
        findings: findings(&o.findings),
        not_scanned: &o.not_scanned,
        ignored_not_scanned: ignored_not_scanned(o),
        unused_waivers: unused,
        unused_ignores: o.unused_ignores(),
        binaries: &o.binaries,
        config: o.config_origin.as_deref(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// `explain --format json`: the same envelope, with every explained package.
pub fn write_explain(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    #[derive(Serialize)]
    struct Explain<'a> {
        schema_version: u32,
        lists: Vec<&'a ListMeta>,
        policy: &'a Policy,
        explained: &'a [crate::outcome::Explained],
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Explain {
            schema_version: SCHEMA_VERSION,
            lists: o.lists.iter().map(|l| &l.list).collect(),
            policy: &o.policy,
            explained: &o.explained,
        },
    )?;
    writeln!(out)
}
