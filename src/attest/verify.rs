//! Attestations, verify: a certificate file → its Statement (whatever carried it), and the
//! checks of a certificate against a fresh screening of the tree.

use std::collections::{BTreeMap, BTreeSet};

use camino::Utf8PathBuf;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::certify::{made_on, predicate, rel_at};
use super::*;
use crate::entity::EntityList;
use crate::error::InputError;
use crate::fsio::Limits;
use crate::outcome::{Outcome, Scope};

/// A certificate as read from its file: the Statement and what carried it.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub statement: Statement,
    pub container: dsse::Container,
}

/// Reads a certificate file: a bare Statement, a DSSE envelope, or a Sigstore bundle holding
/// one. The payload is parsed whatever the signature; [`check_signature`] checks that.
pub fn read(text: &str, origin: &str) -> Result<Certificate, InputError> {
    let invalid = |msg: String| InputError::Invalid {
        path: origin.to_string(),
        problems: vec![msg],
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "{origin}:{}: not a cargo-entitycheck certificate: {e}",
            e.line()
        ))
    })?;
    let (container, payload) = dsse::open(&value).map_err(|e| invalid(format!("{origin}: {e}")))?;
    let statement = match payload {
        None => parse(text, origin)?,
        Some(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| invalid(format!("{origin}: the envelope's payload is not UTF-8")))?;
            parse(&text, &format!("{origin} (envelope payload)"))?
        }
    };
    Ok(Certificate {
        statement,
        container,
    })
}

/// Parses a bare Statement. Its type and predicate type are checked first, so a certificate of
/// an earlier predicate version is named as such rather than failing on a field.
pub fn parse(text: &str, origin: &str) -> Result<Statement, InputError> {
    let invalid = |problems: Vec<String>| InputError::Invalid {
        path: origin.to_string(),
        problems,
    };
    let not_ours = |e: serde_json::Error| {
        invalid(vec![format!(
            "{origin}:{}: not a cargo-entitycheck certificate: {e}",
            e.line()
        )])
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(not_ours)?;
    let mut problems = Vec::new();
    match value.get("_type").and_then(serde_json::Value::as_str) {
        Some(STATEMENT_TYPE) => {}
        other => problems.push(format!(
            "_type is `{}`, expected `{STATEMENT_TYPE}`",
            other.unwrap_or("(absent)")
        )),
    }
    match value.get("predicateType").and_then(serde_json::Value::as_str) {
        Some(PREDICATE_TYPE) => {}
        Some(t) => match EARLIER_PREDICATE_TYPES.iter().find(|(u, _)| *u == t) {
            Some((_, v)) => problems.push(format!(
                "a certificate of predicate {v} (`{t}`), written by an earlier version of cargo-entitycheck: certify again (this version verifies predicate {PREDICATE_VERSION} only)"
            )),
            None => problems.push(format!(
                "predicateType is `{t}`, expected `{PREDICATE_TYPE}`"
            )),
        },
        None => problems.push(format!(
            "predicateType is absent, expected `{PREDICATE_TYPE}`"
        )),
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    serde_json::from_str(text).map_err(not_ours)
}

/// One check `verify` made.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub ok: bool,
    pub what: String,
}

/// The signature check: with a key, a signature of the envelope must verify with it (a bare
/// Statement fails: it is not signed); without one, the check passes but says, in its text,
/// that the signature was NOT checked.
pub fn check_signature(cert: &Certificate, key: Option<&dsse::VerifyingKey>) -> Check {
    let what = cert.container.describe();
    match (cert.container.envelope(), key) {
        (None, None) => Check {
            ok: true,
            what: format!("{what}: no signature to check"),
        },
        (None, Some(_)) => Check {
            ok: false,
            what: format!("{what}: --key was given but the certificate is not signed"),
        },
        (Some(env), None) => Check {
            ok: true,
            what: format!(
                "{what} with {} signature(s): signature NOT checked (pass --key PUBLIC_KEY.pem to check it); the payload was",
                env.signatures.len()
            ),
        },
        (Some(env), Some(k)) => match dsse::check(env, k) {
            Ok(i) => Check {
                ok: true,
                what: format!(
                    "{what}: signature {} verifies with the {} key {}",
                    i + 1,
                    k.algorithm(),
                    dsse::short(&k.keyid())
                ),
            },
            Err(e) => Check {
                ok: false,
                what: format!("{what}: {e}"),
            },
        },
    }
}

/// One line for a waiver or ignore entry a certificate records: what it accepted, on what
/// basis, by whose approval, until when.
pub(super) fn describe_acceptance(a: &AcceptanceRecord) -> String {
    let failing = a.findings.iter().filter(|f| f.would_be == "fail").count();
    let mut what = Vec::new();
    if !a.findings.is_empty() {
        let mut packages: Vec<String> = a
            .findings
            .iter()
            .map(|f| format!("{} {}", f.package, f.version))
            .collect();
        packages.dedup();
        what.push(format!(
            "{} finding{} ({failing} that would fail) in {}",
            a.findings.len(),
            if a.findings.len() == 1 { "" } else { "s" },
            packages.join(", ")
        ));
    }
    if !a.not_scanned.is_empty() {
        let packages: Vec<String> = a
            .not_scanned
            .iter()
            .map(|n| format!("{} {}", n.name, n.version))
            .collect();
        what.push(format!("not scanned: {}", packages.join(", ")));
    }
    format!(
        "{} at {} accepts {}: reason \"{}\"{}, approved by {}, {}",
        a.kind,
        a.at,
        what.join("; "),
        a.reason,
        a.basis
            .as_deref()
            .map(|b| format!(", basis \"{b}\""))
            .unwrap_or_default(),
        a.approved_by.as_deref().unwrap_or("nobody named"),
        a.expires
            .map(|d| format!("expires {d}"))
            .unwrap_or_else(|| "no expiry".to_string())
    )
}

/// At most this many differences are listed per part of the predicate; the rest are counted.
const MAX_LISTED: usize = 20;

/// Compares a certificate with a fresh screening of the same tree, run at the certificate's
/// as-of date. `now` is the verification time; `max_age_days` bounds how old the certificate's
/// lists may be.
#[allow(clippy::too_many_arguments)]
pub fn verify(
    st: &Statement,
    o: &Outcome,
    artefacts: &[Subject],
    builtin: &EntityList,
    now: DateTime<FixedOffset>,
    max_age_days: Option<i64>,
    asked: &Scope,
    exclude: &[Utf8PathBuf],
    limits: &Limits,
) -> Result<Vec<Check>, InputError> {
    let mut checks = Vec::new();
    let mut push = |ok: bool, what: String| checks.push(Check { ok, what });
    let p = &st.predicate;
    let today = crate::policy::us_eastern_date(now.to_utc());

    // 0. What it covers (from its scope, not from what it says of it), and whether this
    // verification was asked to cover less.
    let narrowings = p.scope.narrowings();
    if narrowings.is_empty() {
        push(
            true,
            "scope: a full screening (deep scan, every platform, every member, default features, the built-in list)"
                .to_string(),
        );
    } else {
        push(
            p.narrowed_because.is_some(),
            format!(
                "scope NARROWED: {}; stated reason: {}",
                narrowings.join("; "),
                p.narrowed_because
                    .as_deref()
                    .unwrap_or("(none: the certificate is invalid)")
            ),
        );
    }
    for less in asked.less_than(&p.scope) {
        push(
            false,
            format!("asked to verify less than the certificate covers: {less}"),
        );
    }
    // What was accepted rather than found clean, and on whose word (recomputed with the rest
    // of the predicate below).
    for a in &p.acceptances {
        push(true, describe_acceptance(a));
    }

    // 1. The files screened are the files here.
    let here: BTreeMap<String, String> = subjects(o, exclude, limits)?
        .into_iter()
        .chain(artefacts.iter().cloned())
        .map(|s| (s.name, s.digest.get("sha256").cloned().unwrap_or_default()))
        .collect();
    for s in &st.subject {
        match (s.digest.get("sha256"), here.get(&s.name)) {
            (Some(a), Some(b)) if a == b => {
                push(true, format!("{} matches its certified digest", s.name))
            }
            (Some(_), Some(_)) => push(
                false,
                format!("{} changed since it was certified (sha256 differs)", s.name),
            ),
            (_, None) => push(
                false,
                format!("{} was certified but is not in the tree now", s.name),
            ),
            (None, _) => push(
                false,
                format!("{} has no sha256 digest in the certificate", s.name),
            ),
        }
    }
    let certified: BTreeSet<&str> = st.subject.iter().map(|s| s.name.as_str()).collect();
    for name in here.keys().filter(|n| !certified.contains(n.as_str())) {
        push(
            false,
            format!("{name} is in the tree but was not certified"),
        );
    }

    // 2. When it was made, the date it speaks for, and until when.
    let made_at = DateTime::parse_from_rfc3339(&p.made_at);
    match &made_at {
        Err(_) => push(
            false,
            format!("madeAt `{}` is not an RFC 3339 time", p.made_at),
        ),
        Ok(t) => {
            let made = crate::policy::us_eastern_date(t.to_utc());
            // A day of slack for clocks in different time zones.
            if made > today + chrono::Days::new(1) {
                push(
                    false,
                    format!("madeAt {} is in the future (today is {today})", p.made_at),
                );
            } else {
                push(true, format!("made at {}", p.made_at));
            }
            if p.as_of_requested == made_on(p.as_of, t) {
                push(
                    false,
                    format!(
                        "asOfRequested is {} but asOf {} is {} the day it was made ({made})",
                        p.as_of_requested,
                        p.as_of,
                        if made_on(p.as_of, t) { "" } else { "not" }
                    ),
                );
            } else if p.as_of_requested {
                push(
                    true,
                    format!(
                        "made on {made} for another date (--as-of {}): also evaluated at the verification date, {today}",
                        p.as_of
                    ),
                );
            }
            if p.valid_until < made {
                push(
                    false,
                    format!(
                        "validUntil {} is before the day it was made ({made})",
                        p.valid_until
                    ),
                );
            }
        }
    }
    if today > p.valid_until {
        push(
            false,
            format!(
                "the certificate expired on {} (today is {today})",
                p.valid_until
            ),
        );
    } else {
        push(true, format!("valid until {}", p.valid_until));
    }

    // 3. The lists it used are current.
    for l in &p.lists {
        if l.id == builtin.list.id {
            if l.updated < builtin.list.updated {
                push(
                    false,
                    format!(
                        "list {} {} (updated {}) is older than the built-in {} (updated {})",
                        l.id, l.version, l.updated, builtin.list.version, builtin.list.updated
                    ),
                );
            } else {
                push(
                    true,
                    format!(
                        "list {} {} is not older than the built-in list",
                        l.id, l.version
                    ),
                );
            }
        }
        if let Some(days) = max_age_days {
            let age = (today - l.updated).num_days();
            push(
                age <= days,
                format!(
                    "list {} {} is {age} days old (limit {days})",
                    l.id, l.version
                ),
            );
        }
    }

    // 4. Screening again states the same: every field a screening determines, recomputed.
    let made_at = made_at.unwrap_or(now);
    let made = Made {
        certifier: p.certifier.clone(),
        narrowed_because: p.narrowed_because.clone(),
    };
    let fresh = predicate(o, &made, made_at, p.valid_until, limits)?;
    push(
        fresh.result == p.result,
        format!(
            "re-screening gives `{}` (certified: `{}`)",
            fresh.result, p.result
        ),
    );
    let mut differences = Vec::new();
    compare_predicates(p, &fresh, &mut differences);
    if differences.is_empty() {
        push(
            true,
            format!(
                "re-screening reproduces every field of the predicate ({} findings, counts, lists, policy, waivers, configuration)",
                p.findings.len()
            ),
        );
    } else {
        let n = differences.len();
        for d in differences.into_iter().take(MAX_LISTED) {
            push(false, d);
        }
        if n > MAX_LISTED {
            push(false, format!("… and {} more differences", n - MAX_LISTED));
        }
    }

    // 5. What holds at the verification date. Waivers expire and restrictions come into force:
    // a certificate stating `pass` must still pass today.
    if today != p.as_of {
        let mut policy = o.policy.clone();
        policy.as_of = today;
        let policy = policy.with_waivers(o.policy.waivers.clone());
        let mut worse = Vec::new();
        // Each package's findings are decided again together, as the screening decided them:
        // exemption and a person's corroboration are properties of the whole package.
        let mut by_package: BTreeMap<&str, Vec<&crate::policy::Finding>> = BTreeMap::new();
        for f in &o.findings {
            by_package.entry(f.package.id.as_str()).or_default().push(f);
        }
        let mut decided_again: Vec<crate::policy::Finding> = Vec::new();
        for fs in by_package.values() {
            decided_again.extend(crate::policy::decide_package(
                &policy,
                &o.lists,
                fs[0].package.clone(),
                fs[0].path.clone(),
                fs.iter().map(|f| f.matched.clone()).collect(),
            ));
        }
        for f in &o.findings {
            let same = |g: &&crate::policy::Finding| {
                g.package.id == f.package.id
                    && g.matched.entity == f.matched.entity
                    && g.matched.identifier == f.matched.identifier
                    && g.matched.evidence == f.matched.evidence
            };
            let Some(again) = decided_again.iter().find(same) else {
                continue;
            };
            // Only what would fail the build: a waived warning that lapsed into a warning does
            // not change the result the certificate states.
            if again.verdict == Verdict::Fail && f.verdict != Verdict::Fail {
                let why = match (&f.waiver, &again.waiver) {
                    (Some(w), _) if w.expires.is_some_and(|d| d < today) => format!(
                        "its waiver ({}) expired on {}",
                        rel_at(&o.workspace_root, &w.at),
                        w.expires.unwrap_or(today)
                    ),
                    _ => again.reason.to_string(),
                };
                worse.push(format!(
                    "at the verification date {today}, {} {} ({}) is `{}`, not `{}`: {why}",
                    f.package.name,
                    f.package.version,
                    f.matched.entity.id,
                    again.verdict.as_str(),
                    f.verdict.as_str()
                ));
            }
        }
        if worse.is_empty() {
            push(
                true,
                format!("the findings' verdicts still hold at the verification date, {today}"),
            );
        }
        for w in worse {
            push(false, w);
        }
    }
    Ok(checks)
}

/// Lists every field where the certificate and the fresh predicate differ, by name. Findings
/// are paired by fingerprint, so one finding more or less does not shift the others.
fn compare_predicates(cert: &Predicate, fresh: &Predicate, out: &mut Vec<String>) {
    let mut a = serde_json::to_value(cert).unwrap_or_default();
    let mut b = serde_json::to_value(fresh).unwrap_or_default();
    // `result` has its own check; the findings are compared below.
    for v in [&mut a, &mut b] {
        if let Some(o) = v.as_object_mut() {
            o.remove("result");
            o.remove("findings");
        }
    }
    diff("predicate", &a, &b, out);

    let by_fp = |rs: &[FindingRecord]| -> (BTreeMap<String, serde_json::Value>, usize) {
        let mut m = BTreeMap::new();
        let mut dup = 0;
        for r in rs {
            if m.insert(
                r.fingerprint.clone(),
                serde_json::to_value(r).unwrap_or_default(),
            )
            .is_some()
            {
                dup += 1;
            }
        }
        (m, dup)
    };
    let (a, dup) = by_fp(&cert.findings);
    let (b, _) = by_fp(&fresh.findings);
    if dup > 0 {
        out.push(format!(
            "predicate.findings: {dup} fingerprints appear more than once in the certificate"
        ));
    }
    for (fp, ra) in &a {
        let name = |r: &serde_json::Value| {
            format!(
                "{} {} ({})",
                r["package"].as_str().unwrap_or("?"),
                r["version"].as_str().unwrap_or("?"),
                r["entity"].as_str().unwrap_or("?")
            )
        };
        match b.get(fp) {
            Some(rb) => diff(&format!("predicate.findings[{fp}]"), ra, rb, out),
            None => out.push(format!(
                "predicate.findings[{fp}]: certified finding {} is not found by re-screening",
                name(ra)
            )),
        }
    }
    for (fp, rb) in b.iter().filter(|(fp, _)| !a.contains_key(*fp)) {
        out.push(format!(
            "predicate.findings[{fp}]: re-screening finds {} `{}` {} ({}), not in the certificate",
            rb["verdict"].as_str().unwrap_or("?"),
            rb["package"].as_str().unwrap_or("?"),
            rb["version"].as_str().unwrap_or("?"),
            rb["entity"].as_str().unwrap_or("?"),
        ));
    }
}

fn show(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::Null => "(absent)".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                diff(
                    &format!("{path}.{k}"),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!(
                    "{path}: the certificate has {} entries, re-screening {}",
                    x.len(),
                    y.len()
                ));
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!(
            "{path}: certified `{}`, re-screening gives `{}`",
            show(a),
            show(b)
        )),
    }
}
