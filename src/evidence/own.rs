//! Evidence stage, the tool's own outputs: a file's bytes → whether cargo-entitycheck wrote it
//! (a certificate, a report), told by its content, never by its name.
//!
//! A certificate or report quotes the evidence it found ("authors: AO Kaspersky Lab"); written
//! into a package's directory (`certify -o entitycheck.cert.json` at the workspace root), it
//! would be screened as the product's own content on the next run, and an untouched certificate
//! would no longer verify. What the tool wrote about a product is never evidence about it. The
//! test is each format's own markers, so a file is recognised wherever and under whatever name
//! it is written; only a whole document of that shape qualifies (a source file that merely
//! quotes a marker is scanned as usual).

use base64::Engine as _;
use serde_json::Value;

/// The prefixes of the certificate's `predicateType`: the document describing the predicate
/// (`attest::PREDICATE_TYPE`, a test keeps the two in step), and the URN earlier versions wrote.
const PREDICATE_PREFIXES: &[&str] = &[
    "https://docs.rs/crate/cargo-entitycheck/",
    "urn:cargo-entitycheck:predicate:",
];
/// The in-toto Statement a DSSE envelope carries.
const IN_TOTO_PAYLOAD: &str = "application/vnd.in-toto+json";
/// The tool's name, as its JSON and SARIF reports write it.
const TOOL: &str = "cargo-entitycheck";
/// How the Markdown report begins.
const MARKDOWN_HEAD: &str = "## cargo-entitycheck: ";

/// What the tool's own output is, when `bytes` is one: a name for the note that says it was not
/// read as evidence.
pub fn own_output(bytes: &[u8]) -> Option<&'static str> {
    // Searchers built once: this runs on every file of every package.
    static NAMES_TOOL: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(TOOL.as_bytes()));
    static IS_IN_TOTO: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(IN_TOTO_PAYLOAD.as_bytes()));
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let json = bytes[start] == b'{';
    // Cheap tests first. A text report opens with its own first line (the human report's
    // screening line, the Markdown report's heading): that is read before the whole file is
    // searched, since this runs on every file. A JSON document names the tool or is an in-toto
    // envelope.
    if !json {
        let head = &bytes[start..];
        if !(head.starts_with(b"Screened ") || head.starts_with(MARKDOWN_HEAD.as_bytes())) {
            return None;
        }
    } else if !(NAMES_TOOL.find(bytes).is_some() || IS_IN_TOTO.find(bytes).is_some()) {
        return None;
    }
    if json {
        let v: Value = serde_json::from_slice(bytes).ok()?;
        return json_kind(&v);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    text_kind(text)
}

/// A JSON document the tool writes: a certificate (bare in-toto Statement, DSSE envelope or
/// Sigstore bundle), the JSON report, or the SARIF report.
fn json_kind(v: &Value) -> Option<&'static str> {
    if is_statement(v) {
        return Some("certificate (in-toto Statement)");
    }
    let envelope = v.get("dsseEnvelope").unwrap_or(v);
    if envelope.get("payloadType").and_then(Value::as_str) == Some(IN_TOTO_PAYLOAD) {
        let payload = envelope.get("payload").and_then(Value::as_str)?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .ok()?;
        let statement: Value = serde_json::from_slice(&decoded).ok()?;
        return is_statement(&statement).then_some(if v.get("dsseEnvelope").is_some() {
            "certificate (Sigstore bundle)"
        } else {
            "certificate (DSSE envelope)"
        });
    }
    let named =
        |t: Option<&Value>| t.and_then(|t| t.get("name")).and_then(Value::as_str) == Some(TOOL);
    if v.get("schema_version").is_some_and(Value::is_u64)
        && named(v.get("tool"))
        && v.get("findings").is_some_and(Value::is_array)
    {
        return Some("JSON report");
    }
    let runs = v.get("runs").and_then(Value::as_array)?;
    (v.get("version").and_then(Value::as_str) == Some("2.1.0")
        && !runs.is_empty()
        && runs
            .iter()
            .all(|r| named(r.get("tool").and_then(|t| t.get("driver")))))
    .then_some("SARIF report")
}

fn is_statement(v: &Value) -> bool {
    v.get("_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("https://in-toto.io/Statement/"))
        && v.get("predicateType")
            .and_then(Value::as_str)
            .is_some_and(|t| PREDICATE_PREFIXES.iter().any(|p| t.starts_with(p)))
}

/// A text report the tool writes: the Markdown report (its heading) or the human report (its
/// first line, its summary and its verdict line).
fn text_kind(text: &str) -> Option<&'static str> {
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    if first.starts_with(MARKDOWN_HEAD) {
        return Some("Markdown report");
    }
    let human_head = first
        .strip_prefix("Screened ")
        .and_then(|r| r.split_once(" packages against "))
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let verdict = text.lines().rev().find(|l| !l.trim().is_empty())?;
    (human_head
        && text.lines().any(|l| l.starts_with("Summary: "))
        && (verdict.starts_with("PASS: ") || verdict.starts_with("FAIL: ")))
    .then_some("human report")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_predicate_type_is_recognised() {
        assert!(
            PREDICATE_PREFIXES
                .iter()
                .any(|p| crate::attest::PREDICATE_TYPE.starts_with(p))
        );
    }

    #[test]
    fn own_outputs_by_content_not_by_name() {
        let statement = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"{}","predicate":{{"findings":[{{"evidence":"authors: AO Kaspersky Lab"}}]}}}}"#,
            crate::attest::PREDICATE_TYPE
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(&statement);
        let dsse = format!(
            r#"{{"payloadType":"application/vnd.in-toto+json","payload":"{b64}","signatures":[]}}"#
        );
        let bundle = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{dsse}}}"#
        );
        #[rustfmt::skip]
        let cases: &[(&str, Option<&str>)] = &[
            (&statement, Some("certificate (in-toto Statement)")),
            (&dsse, Some("certificate (DSSE envelope)")),
            (&bundle, Some("certificate (Sigstore bundle)")),
            (r#"{"schema_version":1,"tool":{"name":"cargo-entitycheck","version":"0.1.0"},"findings":[]}"#, Some("JSON report")),
            (r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"cargo-entitycheck"}},"results":[]}]}"#, Some("SARIF report")),
            ("## cargo-entitycheck: ✅ **PASS**\n\n1 packages screened\n", Some("Markdown report")),
            ("Screened 4 packages against entitycheck-builtin 2026.12.03 (…)\n\nSummary: 4 packages\nPASS: no failing finding (exit 0)\n", Some("human report")),
            // Not the tool's: another predicate, another tool, a source file quoting a marker,
            // a statement whose payload is not ours, broken JSON.
            (r#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","note":"cargo-entitycheck"}"#, None),
            (r#"{"schema_version":1,"tool":{"name":"other-tool"},"findings":[],"x":"cargo-entitycheck"}"#, None),
            ("// cargo-entitycheck writes `## cargo-entitycheck: ` reports\nfn main() {}\n", None),
            (r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}"#, None),
            (r#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"urn:cargo-entitycheck:predicate:x""#, None),
            // An earlier version's certificate is the tool's output too.
            (r#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"urn:cargo-entitycheck:predicate:entity-screening:v2","predicate":{}}"#, Some("certificate (in-toto Statement)")),
            ("Copyright AO Kaspersky Lab\n", None),
        ];
        for (text, want) in cases {
            assert_eq!(own_output(text.as_bytes()), *want, "{text}");
        }
    }
}
