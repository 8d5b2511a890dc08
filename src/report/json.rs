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
use crate::policy::{Finding, Policy, Verdict};

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
    summary: Summary<'a>,
    findings: &'a [Finding],
    not_scanned: &'a [crate::NotScanned],
    unused_waivers: &'a [crate::policy::config::Waiver],
    binaries: &'a [crate::InventoriedBinary],
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<&'a str>,
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
    not_scanned: usize,
    unused_waivers: usize,
    binaries: usize,
    scan: &'a crate::ScanTotals,
    elapsed_ms: u128,
}

pub fn write(out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
    let count = |v: Verdict| o.findings.iter().filter(|f| f.verdict == v).count();
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        lists: o.lists.iter().map(|l| &l.list).collect(),
        policy: &o.policy,
        verdict: if o.failed() { "fail" } else { "pass" },
        summary: Summary {
            packages_screened: o.packages_screened,
            fail: count(Verdict::Fail),
            warn: count(Verdict::Warn),
            waived: count(Verdict::Waived),
            exempt: count(Verdict::Exempt),
            info: count(Verdict::Info),
            not_scanned: o.not_scanned.len(),
            unused_waivers: o.unused_waivers.len(),
            binaries: o.binaries.len(),
            scan: &o.scan,
            elapsed_ms: o.elapsed.as_millis(),
        },
        findings: &o.findings,
        not_scanned: &o.not_scanned,
        unused_waivers: &o.unused_waivers,
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
        explained: &'a [crate::Explained],
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
