//! Attestations, certify: an outcome → the in-toto Statement that certifies it: its subjects
//! (the digests of what was screened) and its predicate (everything a fresh screening can
//! recompute, and what the certifier states).

use camino::{Utf8Path, Utf8PathBuf};
use chrono::{DateTime, FixedOffset, NaiveDate};
use sha2::{Digest, Sha256};

use super::*;
use crate::error::InputError;
use crate::fsio::Limits;
use crate::outcome::{LIMITS, Outcome};
use crate::policy::Verdict;

/// The SHA-256 of a manifest or lockfile the certificate names, read through the bounded
/// reader (a regular file, no link followed).
fn sha256_file(path: &Utf8Path, limits: &Limits) -> Result<String, InputError> {
    let bytes = crate::fsio::read_bounded(path, crate::fsio::ReadKind::Manifest, limits)
        .map_err(|e| InputError::read(path, e))?;
    Ok(hex::encode(Sha256::digest(bytes)))
}

fn rel(root: &Utf8Path, path: &Utf8Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .as_str()
        .replace('\\', "/")
}

/// A `file[:line]` string made relative to the workspace root, so a certificate verifies
/// wherever the tree is checked out.
pub(super) fn rel_at(root: &Utf8Path, at: &str) -> String {
    let root = root.as_str().trim_end_matches(['/', '\\']);
    match at.strip_prefix(root) {
        Some(rest) if rest.starts_with(['/', '\\']) => rest[1..].replace('\\', "/"),
        _ => at.to_string(),
    }
}

/// The files a certificate is about, with their digests, relative to the workspace root:
/// `Cargo.lock`, the root `Cargo.toml` (a virtual workspace's too), and every file of every path
/// package screened (workspace members and path dependencies: their manifests and sources), as
/// the deep scan walks them: links not followed, the target directory, `.git` and the
/// directories of other screened packages left out (those are subjects of their own). `exclude`
/// names files that are not the product's: the certificate itself and its keys.
pub fn subjects(
    o: &Outcome,
    exclude: &[Utf8PathBuf],
    limits: &Limits,
) -> Result<Vec<Subject>, InputError> {
    let root = &o.workspace_root;
    let mut files = Vec::new();
    for f in [root.join("Cargo.lock"), root.join("Cargo.toml")] {
        if f.is_file() {
            files.push(f);
        }
    }
    files.extend(o.member_manifests.iter().cloned());
    let excluded: Vec<std::path::PathBuf> = exclude
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    for dir in &o.path_sources {
        source_files(dir, o, &excluded, &mut files);
    }
    files.sort();
    files.dedup();
    files
        .iter()
        .map(|f| {
            Ok(Subject {
                name: rel_up(root, f),
                digest: [("sha256".to_string(), sha256_file(f, limits)?)].into(),
            })
        })
        .collect()
}

/// The regular files of one path package's directory (see [`subjects`]).
fn source_files(
    dir: &Utf8Path,
    o: &Outcome,
    excluded: &[std::path::PathBuf],
    out: &mut Vec<Utf8PathBuf>,
) {
    let skip_dir = |p: &Utf8Path| {
        o.target_dir.as_deref() == Some(p)
            || o.path_sources.iter().any(|s| s != dir && s == p)
            || p.file_name() == Some(".git")
    };
    let mut walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(Ok(entry)) = walk.next() {
        let Some(path) = Utf8Path::from_path(entry.path()) else {
            continue;
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            if entry.depth() > 0 && skip_dir(path) {
                walk.skip_current_dir();
            }
        } else if ft.is_file()
            && !excluded.iter().any(|x| {
                x.file_name() == entry.path().file_name()
                    && std::fs::canonicalize(entry.path()).is_ok_and(|c| &c == x)
            })
        {
            out.push(path.to_path_buf());
        }
    }
}

/// `path` relative to `root`, `/`-separated, with `..` for a path dependency outside it, so a
/// certificate verifies wherever the tree is checked out.
fn rel_up(root: &Utf8Path, path: &Utf8Path) -> String {
    if path.starts_with(root) {
        return rel(root, path);
    }
    let a: Vec<_> = root.components().collect();
    let b: Vec<_> = path.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return rel(root, path);
    }
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(b[common..].iter().map(|c| c.as_str().to_string()));
    parts.join("/")
}

fn waiver_record(root: &Utf8Path, w: &crate::policy::Waiver) -> WaiverRecord {
    WaiverRecord {
        package: Some(w.package.clone()),
        version: w.version.clone(),
        entity: w.entity.clone(),
        evidence: w.evidence.clone(),
        reason: w.reason.clone(),
        basis: w.basis.clone(),
        approved_by: w.approved_by.clone(),
        expires: w.expires,
        at: rel_at(root, &w.at),
        expired: false,
    }
}

/// `text` with the workspace root's prefix taken off every path in it.
fn strip_root(root: &Utf8Path, text: &str) -> String {
    text.replace(&format!("{root}/"), "")
        .replace(&format!("{root}\\"), "")
}

/// Every waiver (in the order configured), then every `[[ignore]]` entry, that decided a
/// finding's verdict or took a package that could not be scanned off the count, each with the
/// findings it accepted and the verdict each would have had without it. A waiver that matched
/// only after it expired accepted nothing and is left out.
pub fn acceptances(
    root: &Utf8Path,
    findings: &[crate::policy::Finding],
    waivers: &[crate::policy::Waiver],
    ignores: &[crate::policy::ignore::Ignore],
    ignored_unscanned: &[crate::outcome::IgnoredUnscanned],
) -> Vec<AcceptanceRecord> {
    let accepted = |verdict: Verdict, at: &str| -> Vec<AcceptedFinding> {
        let mut v: Vec<AcceptedFinding> = findings
            .iter()
            .filter(|f| f.verdict == verdict && f.waiver.as_ref().is_some_and(|w| w.at == at))
            .map(|f| AcceptedFinding {
                package: f.package.name.clone(),
                version: f.package.version.clone(),
                fingerprint: fingerprint(f),
                entity: f.matched.entity.id.clone(),
                would_be: f.would_be.unwrap_or(verdict).as_str().to_string(),
            })
            .collect();
        v.sort();
        v.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        v
    };
    let mut out = Vec::new();
    for w in waivers {
        let findings = accepted(Verdict::Waived, &w.at);
        if findings.is_empty() {
            continue;
        }
        out.push(AcceptanceRecord {
            kind: "waiver".into(),
            at: rel_at(root, &w.at),
            reason: w.reason.clone(),
            basis: w.basis.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires,
            findings,
            not_scanned: Vec::new(),
        });
    }
    for i in ignores {
        let findings = accepted(Verdict::Ignored, &i.at);
        let mut not_scanned: Vec<crate::outcome::NotScanned> = ignored_unscanned
            .iter()
            .filter(|u| u.at == i.at)
            .map(|u| crate::outcome::NotScanned {
                name: u.name.clone(),
                version: u.version.clone(),
                reason: crate::outcome::Unscanned::Text(strip_root(root, &u.reason.to_string())),
            })
            .collect();
        not_scanned.sort();
        not_scanned.dedup();
        if findings.is_empty() && not_scanned.is_empty() {
            continue;
        }
        out.push(AcceptanceRecord {
            kind: "ignore".into(),
            at: rel_at(root, &i.at),
            reason: i.reason.clone(),
            basis: None,
            approved_by: i.approved_by.clone(),
            expires: i.expires,
            findings,
            not_scanned,
        });
    }
    out
}

fn records(o: &Outcome) -> Vec<FindingRecord> {
    let root = &o.workspace_root;
    let mut v: Vec<FindingRecord> = o
        .findings
        .iter()
        .map(|f| FindingRecord {
            fingerprint: fingerprint(f),
            verdict: f.verdict.as_str().to_string(),
            package: f.package.name.clone(),
            version: f.package.version.clone(),
            entity: f.matched.entity.id.clone(),
            confidence: f.matched.confidence.as_str().to_string(),
            evidence: format!("{}: {}", f.matched.evidence.field, f.matched.evidence.text),
            location: f.matched.evidence.location.as_ref().map(|l| match l.line {
                Some(n) => format!("{}:{n}", l.file),
                None => l.file.clone(),
            }),
            // The reason may quote where a waiver is written: relative, like every path here.
            reason: strip_root(root, &f.reason),
            waiver: f.waiver.as_ref().map(|w| WaiverRecord {
                package: None,
                version: None,
                entity: None,
                evidence: None,
                reason: w.reason.clone(),
                basis: w.basis.clone(),
                approved_by: w.approved_by.clone(),
                expires: w.expires,
                at: rel_at(root, &w.at),
                expired: w.expired,
            }),
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn counts(o: &Outcome) -> Counts {
    let count = |v: Verdict| o.findings.iter().filter(|f| f.verdict == v).count();
    Counts {
        packages_screened: o.packages_screened,
        fail: count(Verdict::Fail),
        warn: count(Verdict::Warn),
        waived: count(Verdict::Waived),
        exempt: count(Verdict::Exempt),
        info: count(Verdict::Info),
        ignored: count(Verdict::Ignored),
        not_scanned: o.not_scanned.len(),
    }
}

fn policy_record(o: &Outcome) -> PolicyRecord {
    let mut p = PolicyRecord {
        digest: String::new(),
        fail_on: o
            .policy
            .fail_on
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        dev_dependencies_fail: o.policy.dev_dependencies_fail,
        fail_on_unscanned: o.policy.fail_on_unscanned,
        waivers: o
            .policy
            .waivers
            .iter()
            .map(|w| waiver_record(&o.workspace_root, w))
            .collect(),
    };
    p.digest = policy_digest(&p);
    p
}

/// `sha256:` of a policy record without its digest (serde_json writes struct fields in a fixed
/// order, so this is canonical).
fn policy_digest(p: &PolicyRecord) -> String {
    let mut p = p.clone();
    p.digest = String::new();
    let json = serde_json::to_vec(&p).unwrap_or_default();
    format!("sha256:{}", hex::encode(Sha256::digest(json)))
}

/// The configuration's content digest, from where it was read (`config.origin`: a file, or
/// `Cargo.toml [workspace.metadata.entitycheck]`).
fn config_record(o: &Outcome, limits: &Limits) -> Result<Option<ConfigRecord>, InputError> {
    let Some(origin) = o.config_origin.as_deref() else {
        return Ok(None);
    };
    const TABLES: [(&str, &str); 2] = [
        (" [workspace.metadata.entitycheck]", "workspace"),
        (" [package.metadata.entitycheck]", "package"),
    ];
    let table = TABLES
        .iter()
        .find_map(|(suffix, top)| origin.strip_suffix(suffix).map(|p| (p, *suffix, *top)));
    let path = Utf8Path::new(table.map_or(origin, |t| t.0));
    // As the configuration was read: bounded, a regular file (a `--config` link followed).
    let bytes = crate::fsio::read_named(path, crate::fsio::ReadKind::Config, limits)
        .map_err(|e| InputError::read(path, e))?;
    let (digest, shown) = match table {
        None => (Sha256::digest(&bytes), rel(&o.workspace_root, path)),
        Some((_, suffix, top)) => {
            // Only the table: the rest of the root Cargo.toml is not configuration (and a member's
            // manifest is a subject of its own).
            let text = String::from_utf8_lossy(&bytes);
            let t: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| InputError::Toml {
                    path: path.to_string(),
                    message: e.to_string(),
                })?;
            let value = t
                .get(top)
                .and_then(|v| v.get("metadata"))
                .and_then(|v| v.get("entitycheck"));
            let json = serde_json::to_vec(&value).unwrap_or_default();
            (
                Sha256::digest(json),
                format!("{}{suffix}", rel(&o.workspace_root, path)),
            )
        }
    };
    Ok(Some(ConfigRecord {
        path: shown,
        digest: format!("sha256:{}", hex::encode(digest)),
    }))
}

/// Whether `as_of` is the day a certificate was made: the as-of date is a day in US Eastern time
/// (the effective dates' zone), and certificates made before that rule took the day at the
/// offset `madeAt` is written in; either reading is the day it was made.
pub(super) fn made_on(as_of: NaiveDate, made_at: &DateTime<FixedOffset>) -> bool {
    as_of == made_at.date_naive() || as_of == crate::policy::us_eastern_date(made_at.to_utc())
}

/// The predicate a screening states, with the fields no screening can recompute given.
pub(super) fn predicate(
    o: &Outcome,
    made: &Made,
    made_at: DateTime<FixedOffset>,
    valid_until: NaiveDate,
    limits: &Limits,
) -> Result<Predicate, InputError> {
    Ok(Predicate {
        tool: ToolRecord {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        lists: o
            .lists
            .iter()
            .map(|l| ListRecord {
                id: l.list.id.clone(),
                version: l.list.version.clone(),
                updated: l.list.updated,
                digest: l.list.digest.clone(),
            })
            .collect(),
        policy: policy_record(o),
        configuration: config_record(o, limits)?,
        as_of: o.policy.as_of,
        as_of_requested: !made_on(o.policy.as_of, &made_at),
        made_at: made_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        valid_until,
        result: if o.failed() { "fail" } else { "pass" }.into(),
        certifier: made.certifier.clone(),
        counts: counts(o),
        findings: records(o),
        not_scanned: o.not_scanned.clone(),
        scope: o.scope.clone(),
        narrowings: o.scope.narrowings(),
        narrowed_because: made.narrowed_because.clone(),
        limits: LIMITS.to_string(),
        acceptances: acceptances(
            &o.workspace_root,
            &o.findings,
            &o.policy.waivers,
            &o.ignores,
            &o.ignored_unscanned,
        ),
    })
}

/// What the certifier states that no screening can recompute.
#[derive(Debug, Clone, Default)]
pub struct Made {
    /// `--certifier`.
    pub certifier: Option<String>,
    /// `--narrowed-scope`: why a screening narrower than a full one is certified.
    pub narrowed_because: Option<String>,
}

/// Why a certificate cannot be written: the screening is narrower than a full one and no one
/// said why.
pub fn refuse_narrowed(o: &Outcome, made: &Made) -> Option<String> {
    let n = o.scope.narrowings();
    if n.is_empty() || made.narrowed_because.is_some() {
        return None;
    }
    Some(format!(
        "the screening is narrower than a full one ({}): a certificate of it would read as a full pass; to certify it anyway, state why with --narrowed-scope \"WHY\" (recorded in the certificate and printed by `verify`)",
        n.join("; ")
    ))
}

/// Builds the certificate of a check made at `now`, valid for `valid_days` days after the day
/// it was made.
///
/// `exclude`: files in the tree that are not the product (the certificate's own file, keys).
pub fn certify(
    o: &Outcome,
    made: &Made,
    now: DateTime<FixedOffset>,
    valid_days: u32,
    exclude: &[Utf8PathBuf],
    limits: &Limits,
) -> Result<Statement, InputError> {
    let valid_until = now.date_naive() + chrono::Days::new(u64::from(valid_days));
    Ok(Statement {
        type_: STATEMENT_TYPE.into(),
        subject: subjects(o, exclude, limits)?,
        predicate_type: PREDICATE_TYPE.into(),
        predicate: predicate(o, made, now, valid_until, limits)?,
    })
}
