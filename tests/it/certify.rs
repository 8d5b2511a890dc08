//! Certificates: `certify` → `verify` on a copy of the demo with a waiver, against edited,
//! backdated, expired, reconfigured, signed, tampered and wrapped certificates.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;

use crate::*;

/// The demo's failing package, waived: the product passes with three waived findings.
const WAIVER: &str = "# the team's configuration\n[[waiver]]\npackage = \"av-engine-sys\"\nreason = \"legacy engine, removal tracked in TICKET-7\"\napproved-by = \"Jane Doe <jane@example.org>\"\nexpires = \"2099-01-01\"\n";

struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    fn new(config: &str) -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(&src).unwrap();
            if rel.starts_with("target") {
                continue;
            }
            let to = dir.path().join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        std::fs::write(dir.path().join("entitycheck.toml"), config).unwrap();
        Demo { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn manifest(&self) -> String {
        self.path("Cargo.toml").to_string_lossy().into_owned()
    }

    fn certify(&self, extra: &[&str]) -> (Run, PathBuf) {
        let cert = self.path("entitycheck.cert.json");
        let m = self.manifest();
        let c = cert.to_string_lossy().into_owned();
        let mut args = vec!["certify", "--manifest-path", &m, "--offline", "-o", &c];
        args.extend_from_slice(extra);
        (run(&args), cert)
    }

    fn verify(&self, cert: &Path, extra: &[&str]) -> Run {
        let m = self.manifest();
        let c = cert.to_string_lossy().into_owned();
        let mut args = vec!["verify", &c, "--manifest-path", &m, "--offline"];
        args.extend_from_slice(extra);
        run(&args)
    }

    fn certified(&self, extra: &[&str]) -> (PathBuf, Value) {
        let (r, cert) = self.certify(extra);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let v = serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
        (cert, v)
    }
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

/// Every leaf under `v`, as (JSON pointer, last object key).
fn leaves(v: &Value, pointer: String, key: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(x, format!("{pointer}/{k}"), k, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{pointer}/{i}"), key, out);
            }
        }
        Value::Null => {}
        _ => out.push((pointer, key.to_string())),
    }
}

/// A different value of the same type: a date a day earlier, text with a letter more, a
/// number one more, the other boolean.
fn mutate(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::Bool(!b),
        Value::Number(n) => Value::from(n.as_u64().unwrap() + 1),
        Value::String(s) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Value::from((d - chrono::Days::new(1)).to_string()),
            Err(_) => Value::from(format!("{s}x")),
        },
        other => panic!("no mutation for {other}"),
    }
}

#[test]
fn every_field_of_the_predicate_edited_fails_verification_and_is_named() {
    let demo = Demo::new(WAIVER);
    let (cert, original) = demo.certified(&["--certifier", "Jane Doe <jane@example.org>"]);
    let p = &original["predicate"];
    assert_eq!(p["result"], "pass");
    assert_eq!(p["counts"]["waived"], 3);
    assert_eq!(p["asOfRequested"], false);
    assert_eq!(p["policy"]["waivers"][0]["at"], "entitycheck.toml:3");
    assert_eq!(p["configuration"]["path"], "entitycheck.toml");
    // The untouched certificate verifies.
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("reproduces every field"), "{}", r.stdout);

    let mut fields = Vec::new();
    leaves(p, "/predicate".into(), "predicate", &mut fields);
    // What no screening can recompute is bound only by a signature (tested below): who
    // certified, and the exact time it was made (a different day is caught: asOf must match).
    fields.retain(|(ptr, _)| ptr != "/predicate/certifier" && ptr != "/predicate/madeAt");
    // The scope's settings are what `verify` re-screens with (an edit there is verified as
    // stated: see `scope_is_bound_and_narrowing_needs_a_reason`); what the screening found at
    // that scope (packages screened, their digest) must reproduce.
    fields.retain(|(ptr, _)| {
        !ptr.starts_with("/predicate/scope/") || ptr.starts_with("/predicate/scope/packages")
    });
    assert!(fields.len() > 40, "{fields:?}");
    let edited = demo.path("edited.cert.json");
    let mut missed = Vec::new();
    for (ptr, key) in &fields {
        let mut v = original.clone();
        let new = mutate(v.pointer(ptr).unwrap());
        *v.pointer_mut(ptr).unwrap() = new.clone();
        // An edited validUntil is only caught when it moves into the past.
        if ptr == "/predicate/validUntil" {
            *v.pointer_mut(ptr).unwrap() = Value::from("2020-01-01");
        }
        write_json(&edited, &v);
        let r = demo.verify(&edited, &[]);
        let needle = match key.as_str() {
            "fingerprint" if ptr.starts_with("/predicate/findings/") => "not found by re-screening",
            "result" => "re-screening gives",
            "validUntil" => "expired on",
            k => k,
        };
        let named = r
            .stdout
            .lines()
            .any(|l| l.contains("FAIL") && l.contains(needle));
        if r.code != 1 || !named {
            missed.push(format!(
                "{ptr} = {new}: exit {}\n{}{}",
                r.code, r.stdout, r.stderr
            ));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n---\n"));

    // A finding or an unscanned package added, a field added: refused too.
    let mut v = original.clone();
    let f = v["predicate"]["findings"][0].clone();
    let mut f2 = f.clone();
    f2["fingerprint"] = Value::from("0".repeat(32));
    v["predicate"]["findings"].as_array_mut().unwrap().push(f2);
    write_json(&edited, &v);
    let r = demo.verify(&edited, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("not found by re-screening"),
        "{}",
        r.stdout
    );
    let mut v = original.clone();
    v["predicate"]["notScanned"] =
        serde_json::json!([{"name": "x", "version": "1.0.0", "reason": "r"}]);
    write_json(&edited, &v);
    let r = demo.verify(&edited, &[]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("notScanned"), "{}", r.stdout);
    let mut v = original.clone();
    v["predicate"]["approved"] = Value::from(true);
    write_json(&edited, &v);
    let r = demo.verify(&edited, &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("approved"), "{}", r.stderr);
}

/// Two waivers (one with a basis, one with no approver) and an ignore entry, each deciding one
/// of the demo's three failing findings.
const ACCEPTED: &str = "[[waiver]]\npackage = \"av-engine-sys\"\nevidence = \"repository\"\nreason = \"legacy engine, removal tracked in TICKET-7\"\nbasis = \"counsel's opinion LGL-88\"\napproved-by = \"Jane Doe <jane@example.org>\"\nexpires = \"2099-01-01\"\n\n[[waiver]]\npackage = \"av-engine-sys\"\nevidence = \"authors\"\nreason = \"same engine\"\n\n[[ignore]]\npackage = \"av-engine-sys\"\npaths = [\"LICENSE.txt\"]\nreason = \"sample notice, not shipped\"\napproved-by = \"QA <qa@example.org>\"\nexpires = \"2099-06-30\"\n";

#[test]
fn a_certificate_says_what_a_pass_does_not_mean_and_what_each_waiver_accepted() {
    let demo = Demo::new(ACCEPTED);
    let (cert, v) = demo.certified(&[]);
    let p = &v["predicate"];
    assert_eq!(p["result"], "pass");
    assert_eq!(
        (&p["counts"]["waived"], &p["counts"]["ignored"]),
        (&Value::from(2), &Value::from(1))
    );
    // The limits are the statement the human report prints, word for word.
    let m = demo.manifest();
    let human = run(&[
        "check",
        "--manifest-path",
        &m,
        "--offline",
        "--color",
        "never",
    ]);
    let limits = p["limits"].as_str().unwrap();
    assert!(
        limits.contains("not legal advice")
            && limits.contains("US Eastern")
            && limits.contains("00:00 EDT")
            && limits.contains("U.S. persons"),
        "{limits}"
    );
    assert!(
        human.stdout.lines().any(|l| l == limits),
        "{}",
        human.stdout
    );

    // Each waiver and the ignore entry: what it rests on, who approved it, until when, and
    // the finding it turned from a failure into a pass.
    let acc = p["acceptances"].as_array().unwrap();
    assert_eq!(acc.len(), 3, "{acc:?}");
    let waived_fp = |field: &str| -> Value {
        p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["evidence"].as_str().unwrap().starts_with(field))
            .unwrap()["fingerprint"]
            .clone()
    };
    assert_eq!(acc[0]["kind"], "waiver");
    assert_eq!(acc[0]["at"], "entitycheck.toml:2");
    assert_eq!(
        acc[0]["reason"],
        "legacy engine, removal tracked in TICKET-7"
    );
    assert_eq!(acc[0]["basis"], "counsel's opinion LGL-88");
    assert_eq!(acc[0]["approvedBy"], "Jane Doe <jane@example.org>");
    assert_eq!(acc[0]["expires"], "2099-01-01");
    assert_eq!(acc[0]["findings"].as_array().unwrap().len(), 1);
    assert_eq!(
        acc[0]["findings"][0]["fingerprint"],
        waived_fp("repository")
    );
    assert_eq!(acc[0]["findings"][0]["package"], "av-engine-sys");
    assert_eq!(acc[0]["findings"][0]["wouldBe"], "fail");
    assert_eq!(acc[1]["kind"], "waiver");
    assert_eq!(acc[1]["findings"][0]["fingerprint"], waived_fp("authors"));
    assert!(acc[1].get("approvedBy").is_none() && acc[1].get("basis").is_none());
    assert_eq!(acc[2]["kind"], "ignore");
    assert_eq!(acc[2]["reason"], "sample notice, not shipped");
    assert_eq!(acc[2]["approvedBy"], "QA <qa@example.org>");
    assert_eq!(acc[2]["expires"], "2099-06-30");
    assert_eq!(acc[2]["findings"][0]["fingerprint"], waived_fp("notice"));
    assert_eq!(acc[2]["findings"][0]["wouldBe"], "fail");
    // The basis is on the configured waiver and on the finding it waived too.
    assert_eq!(
        p["policy"]["waivers"][0]["basis"],
        "counsel's opinion LGL-88"
    );
    let waived = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fingerprint"] == waived_fp("repository"))
        .unwrap();
    assert_eq!(waived["waiver"]["basis"], "counsel's opinion LGL-88");

    // `verify` prints each, with the statement, and re-screening reproduces them.
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "ok   waiver at entitycheck.toml:2 accepts 1 finding (1 that would fail) in av-engine-sys 0.3.1: reason \"legacy engine, removal tracked in TICKET-7\", basis \"counsel's opinion LGL-88\", approved by Jane Doe <jane@example.org>, expires 2099-01-01"
        ) && r.stdout.contains("approved by nobody named, no expiry")
            && r.stdout.contains("ok   ignore at entitycheck.toml:"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.lines().any(|l| l == limits), "{}", r.stdout);

    // A basis or an approver edited, or the statement dropped, is named.
    for (ptr, new) in [
        ("/predicate/acceptances/0/basis", Value::from("none")),
        (
            "/predicate/acceptances/2/approvedBy",
            Value::from("Someone Else"),
        ),
        ("/predicate/limits", Value::from("")),
    ] {
        let mut edited = v.clone();
        *edited.pointer_mut(ptr).unwrap() = new;
        let path = demo.path("edited.cert.json");
        write_json(&path, &edited);
        let r = demo.verify(&path, &[]);
        let key = ptr.rsplit('/').next().unwrap();
        assert_eq!(r.code, 1, "{ptr}: {}", r.stdout);
        assert!(
            r.stdout
                .lines()
                .any(|l| l.contains("FAIL") && l.contains(key)),
            "{ptr}: {}",
            r.stdout
        );
    }
}

/// A certificate of an earlier predicate version is named as such, not failed on a field.
#[test]
fn an_earlier_predicate_version_is_named() {
    let demo = Demo::new(WAIVER);
    let (_, mut v) = demo.certified(&[]);
    v["predicateType"] = Value::from(
        "https://docs.rs/crate/cargo-entitycheck/latest/source/docs/src/predicate-v3.md",
    );
    v["predicate"].as_object_mut().unwrap().remove("limits");
    let path = demo.path("v3.cert.json");
    write_json(&path, &v);
    let r = demo.verify(&path, &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("a certificate of predicate v3")
            && r.stderr.contains("certify again")
            && !r.stderr.contains("missing field"),
        "{}",
        r.stderr
    );
}

#[test]
fn configuration_changed_after_certifying_fails() {
    let demo = Demo::new(WAIVER);
    let (cert, _) = demo.certified(&[]);
    // Only a comment: the content is what is certified, not its effect.
    std::fs::write(
        demo.path("entitycheck.toml"),
        WAIVER.replace("the team's configuration", "edited"),
    )
    .unwrap();
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("FAIL predicate.configuration.digest"),
        "{}",
        r.stdout
    );

    // The same in [workspace.metadata.entitycheck]: the root manifest is a subject too, so any
    // edit of it is caught; inside the table, the configuration's digest names it as well.
    let demo = Demo::new("");
    std::fs::remove_file(demo.path("entitycheck.toml")).unwrap();
    let root = demo.path("Cargo.toml");
    let manifest = std::fs::read_to_string(&root).unwrap();
    let table = WAIVER
        .replace("[[waiver]]", "[[workspace.metadata.entitycheck.waiver]]")
        .replace("# the team's configuration\n", "");
    std::fs::write(&root, format!("{manifest}\n{table}")).unwrap();
    let (cert, v) = demo.certified(&[]);
    assert_eq!(
        v["predicate"]["configuration"]["path"],
        "Cargo.toml [workspace.metadata.entitycheck]"
    );
    // Outside the table: no change to the configuration, but the manifest changed.
    std::fs::write(&root, format!("{manifest}\n{table}\n# a comment\n")).unwrap();
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("FAIL Cargo.toml changed since it was certified"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("configuration.digest"), "{}", r.stdout);
    std::fs::write(
        &root,
        format!("{manifest}\n{}", table.replace("TICKET-7", "TICKET-8")),
    )
    .unwrap();
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("configuration.digest"), "{}", r.stdout);
}

#[test]
fn backdated_certificate_with_a_waiver_expired_since_fails() {
    // On 2024-10-01 the determination was in force and this waiver still held; it expired on
    // 2025-01-01, before today.
    let config = WAIVER.replace("2099-01-01", "2025-01-01");
    let demo = Demo::new(&config);
    let (r, _) = demo.certify(&[]);
    assert_eq!(r.code, 1, "today the waiver has expired: {}", r.stderr);
    let (cert, v) = demo.certified(&["--as-of", "2024-10-01"]);
    assert_eq!(v["predicate"]["asOf"], "2024-10-01");
    assert_eq!(v["predicate"]["asOfRequested"], true);
    assert_eq!(v["predicate"]["result"], "pass");
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("FAIL at the verification date")
            && r.stdout.contains("expired on 2025-01-01"),
        "{}",
        r.stdout
    );
    // Claiming it was not backdated does not help.
    let mut v = v;
    v["predicate"]["asOfRequested"] = Value::from(false);
    write_json(&cert, &v);
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("FAIL asOfRequested is false"),
        "{}",
        r.stdout
    );

    // Backdated with a waiver that still holds: verifies, and says it was evaluated today too.
    let demo = Demo::new(WAIVER);
    let (cert, _) = demo.certified(&["--as-of", "2024-10-01"]);
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("also evaluated at the verification date"));
}

#[test]
fn expiry() {
    let demo = Demo::new(WAIVER);
    let (cert, v) = demo.certified(&["--valid-for", "0"]);
    let made = &v["predicate"]["madeAt"].as_str().unwrap()[..10];
    assert_eq!(v["predicate"]["validUntil"], made);
    assert_eq!(demo.verify(&cert, &[]).code, 0);
    let (_, v) = demo.certified(&[]);
    let until = chrono::NaiveDate::parse_from_str(
        v["predicate"]["validUntil"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    let made = chrono::NaiveDate::parse_from_str(
        &v["predicate"]["madeAt"].as_str().unwrap()[..10],
        "%Y-%m-%d",
    )
    .unwrap();
    assert_eq!((until - made).num_days(), 90);
    // Past its expiry (signed, so the date cannot have been edited).
    let (key, _) = ed25519_keys(&demo);
    let (cert, env) = demo.certified(&["--sign", &key]);
    let mut st = payload(&env);
    st["predicate"]["validUntil"] = Value::from("2025-01-01");
    let r = demo.verify(&write_payload(&cert, env, &st), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("FAIL the certificate expired on 2025-01-01"),
        "{}",
        r.stdout
    );
    let r = run(&["certify", "--valid-for", "-1"]);
    assert_eq!(r.code, 2);
}

fn payload(env: &Value) -> Value {
    let bytes = B64.decode(env["payload"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Replaces the envelope's payload, keeping its signature.
fn write_payload(path: &Path, mut env: Value, st: &Value) -> PathBuf {
    env["payload"] = Value::from(B64.encode(serde_json::to_vec(st).unwrap()));
    write_json(path, &env);
    path.to_path_buf()
}

/// (private key path, public key path)
fn ed25519_keys(demo: &Demo) -> (String, String) {
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let k = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let private = k.to_pkcs8_pem(Default::default()).unwrap();
    let public = k
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    write_keys(demo, "ed25519", private.as_bytes(), public.as_bytes())
}

fn p256_keys(demo: &Demo) -> (String, String) {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let k = p256::ecdsa::SigningKey::from_slice(&[43; 32]).unwrap();
    let private = k.to_pkcs8_pem(Default::default()).unwrap();
    let public = k
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    write_keys(demo, "p256", private.as_bytes(), public.as_bytes())
}

fn write_keys(demo: &Demo, name: &str, private: &[u8], public: &[u8]) -> (String, String) {
    let a = demo.path(&format!("{name}.key.pem"));
    let b = demo.path(&format!("{name}.pub.pem"));
    std::fs::write(&a, private).unwrap();
    std::fs::write(&b, public).unwrap();
    (
        a.to_string_lossy().into_owned(),
        b.to_string_lossy().into_owned(),
    )
}

#[test]
fn signed_envelopes_round_trip_and_tampering_fails() {
    let demo = Demo::new(WAIVER);
    let ed = ed25519_keys(&demo);
    let ec = p256_keys(&demo);
    for ((key, public), algorithm, other) in [(&ed, "ed25519", &ec.1), (&ec, "ECDSA P-256", &ed.1)]
    {
        let (cert, env) =
            demo.certified(&["--sign", key, "--certifier", "Jane Doe <jane@example.org>"]);
        assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
        assert_eq!(
            payload(&env)["predicate"]["certifier"],
            "Jane Doe <jane@example.org>"
        );
        let r = demo.verify(&cert, &["--key", public]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        assert!(
            r.stdout
                .contains(&format!("verifies with the {algorithm} key")),
            "{}",
            r.stdout
        );
        // Without a key: the payload is verified, and the output says the signature was not.
        let r = demo.verify(&cert, &[]);
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert!(r.stdout.contains("signature NOT checked"), "{}", r.stdout);
        assert!(r.stderr.contains("NOT checked"), "{}", r.stderr);
        // The wrong key.
        let r = demo.verify(&cert, &["--key", other]);
        assert_eq!(r.code, 1, "{}", r.stdout);
        // A signature with one bit flipped.
        let mut bad = env.clone();
        let mut sig = B64
            .decode(bad["signatures"][0]["sig"].as_str().unwrap())
            .unwrap();
        sig[10] ^= 0x01;
        bad["signatures"][0]["sig"] = Value::from(B64.encode(&sig));
        let tampered = demo.path("tampered.json");
        write_json(&tampered, &bad);
        let r = demo.verify(&tampered, &["--key", public]);
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert!(
            r.stdout.contains("FAIL a DSSE envelope: none of"),
            "{}",
            r.stdout
        );
        // A payload edited where no screening can tell (the certifier): only the signature can.
        let mut st = payload(&env);
        st["predicate"]["certifier"] = Value::from("Mallory <m@example.org>");
        let edited = write_payload(&tampered, env.clone(), &st);
        assert_eq!(demo.verify(&edited, &[]).code, 0);
        let r = demo.verify(&edited, &["--key", public]);
        assert_eq!(r.code, 1, "{}", r.stdout);
    }
    // --key on an unsigned certificate fails.
    let (cert, _) = demo.certified(&[]);
    let r = demo.verify(&cert, &["--key", &ed.1]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("not signed"), "{}", r.stdout);
    // A private key given as the public one, and a file that is no key: exit 2, naming it.
    let r = demo.verify(&cert, &["--key", &ed.0]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ed25519.key.pem"), "{}", r.stderr);
    let (r, _) = demo.certify(&["--sign", &demo.manifest()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not PEM"), "{}", r.stderr);
}

#[test]
fn sigstore_bundles_are_read_and_their_payload_checked() {
    let demo = Demo::new(WAIVER);
    let (key, public) = p256_keys(&demo);
    let (cert, env) = demo.certified(&["--sign", &key]);
    let bundle_path = demo.path("entitycheck.sigstore.json");
    for media_type in [
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    ] {
        let bundle = serde_json::json!({
            "mediaType": media_type,
            "verificationMaterial": {"publicKey": {"hint": ""}, "tlogEntries": []},
            "dsseEnvelope": env,
        });
        write_json(&bundle_path, &bundle);
        let r = demo.verify(&bundle_path, &["--key", &public]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("a Sigstore bundle"), "{}", r.stdout);
        let r = demo.verify(&bundle_path, &[]);
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains("signature NOT checked"), "{}", r.stdout);
        // The payload is checked even when the signature is not.
        let mut st = payload(&env);
        st["predicate"]["counts"]["waived"] = Value::from(0);
        let mut edited = bundle.clone();
        edited["dsseEnvelope"]["payload"] =
            Value::from(B64.encode(serde_json::to_vec(&st).unwrap()));
        write_json(&bundle_path, &edited);
        let r = demo.verify(&bundle_path, &[]);
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert!(
            r.stdout.contains("FAIL predicate.counts.waived"),
            "{}",
            r.stdout
        );
    }
    let _ = cert;
    // A bundle that signs a file, not an attestation.
    write_json(
        &bundle_path,
        &serde_json::json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "messageSignature": {}}),
    );
    let r = demo.verify(&bundle_path, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("attest-blob"), "{}", r.stderr);
}

#[test]
fn options_certify_and_verify_do_not_use_are_refused() {
    let demo = Demo::new(WAIVER);
    let m = demo.manifest();
    for args in [
        vec!["certify", "--manifest-path", &m, "--format", "json"],
        vec!["certify", "--manifest-path", &m, "--format=sarif"],
        vec![
            "verify",
            "x.json",
            "--manifest-path",
            &m,
            "--format",
            "json",
        ],
        vec!["verify", "x.json", "--manifest-path", &m, "-o", "out.json"],
        vec![
            "verify",
            "x.json",
            "--manifest-path",
            &m,
            "--output",
            "out.json",
        ],
        vec![
            "verify",
            "x.json",
            "--manifest-path",
            &m,
            "--as-of",
            "2024-10-01",
        ],
        vec![
            "verify",
            "x.json",
            "--manifest-path",
            &m,
            "--valid-for",
            "3",
        ],
        vec!["verify", "x.json", "--manifest-path", &m, "--sign", "k.pem"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("unexpected argument"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert!(!demo.path("out.json").exists());
}

#[test]
fn a_certificate_verifies_in_another_checkout() {
    // Nothing in it depends on where the tree is: paths are relative, fingerprints stable.
    let a = Demo::new(WAIVER);
    let b = Demo::new(WAIVER);
    let (cert, v) = a.certified(&[]);
    let text = std::fs::read_to_string(&cert).unwrap();
    assert!(!text.contains(&*a.dir.path().to_string_lossy()), "{text}");
    let moved = b.path("entitycheck.cert.json");
    std::fs::copy(&cert, &moved).unwrap();
    let r = b.verify(&moved, &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let (_, w) = b.certified(&[]);
    let fps = |v: &Value| -> Vec<String> {
        v["predicate"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(fps(&v), fps(&w));
    assert_eq!(fps(&v).len(), 3);
    let mut unique = fps(&v);
    unique.dedup();
    assert_eq!(unique.len(), 3, "one fingerprint per finding");
}

/// Issue 26: the manual's certify-then-verify recipe, run as written (its own command lines,
/// from the workspace root) on a product whose root is a package: the certificate it writes
/// there is the tool's own output, never screened as the product's content, so the untouched
/// certificate verifies.
#[test]
fn the_manuals_recipe_works_as_written() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src/vendor-self-certification.md"),
    )
    .unwrap();
    let command = |start: &str| -> Vec<String> {
        let at = doc
            .find(start)
            .unwrap_or_else(|| panic!("the manual runs {start:?}"));
        let line = &doc[at..at + doc[at..].find('`').unwrap()];
        // Words, a double-quoted one kept whole.
        let mut words = Vec::new();
        let mut rest = line.trim();
        while !rest.is_empty() {
            let (word, tail) = if let Some(q) = rest.strip_prefix('"') {
                let end = q.find('"').unwrap();
                (q[..end].to_string(), &q[end + 1..])
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (rest[..end].to_string(), &rest[end..])
            };
            words.push(word);
            rest = tail.trim_start();
        }
        assert_eq!(words[..2], ["cargo", "entitycheck"], "{line}");
        // `[--key FILE]` is optional: the recipe runs without it.
        let mut optional = false;
        let words: Vec<String> = words
            .into_iter()
            .filter(|w| {
                let skip = optional || w.starts_with('[');
                optional = skip && !w.ends_with(']');
                !skip
            })
            .collect();
        words[2..].to_vec()
    };
    let certify = command("cargo entitycheck certify ");
    let verify = command("cargo entitycheck verify ");
    assert_eq!(
        certify.last().map(String::as_str),
        Some("entitycheck.cert.json")
    );
    assert_eq!(verify, ["verify", "entitycheck.cert.json"]);

    // A product whose workspace root is its package, bundling a waived listed dependency.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let dep = root.join("deps/av-engine-sys");
    std::fs::create_dir_all(dep.join("src")).unwrap();
    std::fs::write(
        dep.join("Cargo.toml"),
        "[package]\nname = \"av-engine-sys\"\nversion = \"0.3.0\"\nedition = \"2021\"\nauthors = [\"AO Kaspersky Lab\"]\ndescription = \"Bindings to the Kaspersky Anti-Virus SDK\"\n",
    )
    .unwrap();
    std::fs::write(dep.join("src/lib.rs"), "").unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "pub fn scan() {}\n").unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"product\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[dependencies]\nav-engine-sys = { path = \"deps/av-engine-sys\" }\n\n[workspace]\nexclude = [\"deps\"]\n",
    )
    .unwrap();
    std::fs::write(root.join("entitycheck.toml"), WAIVER).unwrap();
    let at_root = |args: &[String]| -> Run {
        cmd()
            .current_dir(root)
            .args(args)
            .output()
            .expect("run the binary")
            .into()
    };
    // Step 1: the product passes (the waiver accepts its findings).
    let r = at_root(&[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // Step 2: certify, as written; step 3: verify, as written.
    let r = at_root(&certify);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(root.join("entitycheck.cert.json").exists());
    let r = at_root(&verify);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // The certificate beside the product's code is named as not read, not screened.
    let r = at_root(&["--format".into(), "json".into()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let from_cert: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["evidence"]["location"]["file"] == "entitycheck.cert.json")
        .collect();
    assert!(from_cert.is_empty(), "{from_cert:#?}");
    // A JSON report written into the product is not evidence either.
    std::fs::write(root.join("report.json"), &r.stdout).unwrap();
    let again = at_root(&["--format".into(), "json".into()]);
    let again: Value = serde_json::from_str(&again.stdout).unwrap();
    for count in ["fail", "warn", "waived", "exempt", "info", "not_scanned"] {
        assert_eq!(again["summary"][count], report["summary"][count], "{count}");
    }
    assert_eq!(again["findings"], report["findings"]);
}

/// Issue 26: at the verification date, a package's findings are decided again together, as the
/// screening decided them: an exempt package (Security Training by AO Kaspersky Lab) stays
/// exempt, instead of its name finding failing on its own.
#[test]
fn an_exempt_package_stays_exempt_at_the_verification_date() {
    let ws = crate::lists::workspace(&[(
        "training",
        "authors = [\"AO Kaspersky Lab\"]\ndescription = \"Kaspersky Security Training exercises\"",
    )]);
    let m = ws.path().join("Cargo.toml");
    let m = m.to_str().unwrap();
    let cert = ws.path().join("entitycheck.cert.json");
    let c = cert.to_str().unwrap();
    let r = run(&[
        "certify",
        "--manifest-path",
        m,
        "--offline",
        "--as-of",
        "2024-10-01",
        "-o",
        c,
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    assert_eq!(v["predicate"]["counts"]["exempt"], 2, "{v:#}");
    let r = run(&["verify", c, "--manifest-path", m, "--offline"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn scope_is_bound_and_narrowing_needs_a_reason() {
    let demo = Demo::new(WAIVER);
    // A manifests-only screening is refused without a stated reason, and nothing is written.
    let (r, cert) = demo.certify(&["--no-deep"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("--narrowed-scope"), "{}", r.stderr);
    assert!(r.stderr.contains("deep scan off"), "{}", r.stderr);
    assert!(!cert.exists());
    let (r, _) = demo.certify(&["--target", "x86_64-unknown-linux-gnu"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("only the platforms"), "{}", r.stderr);

    // Stated: recorded, and printed by verify.
    let why = "manifests only: vendor files reviewed by hand (AUDIT-12)";
    let (cert, v) = demo.certified(&["--no-deep", "--narrowed-scope", why]);
    let p = &v["predicate"];
    assert_eq!(p["scope"]["deep"]["enabled"], false);
    assert_eq!(p["scope"]["packagesScreened"], 4);
    assert!(
        p["scope"]["packagesDigest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(p["narrowedBecause"], why);
    assert!(p["narrowings"][0].as_str().unwrap().contains("--no-deep"));
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("scope NARROWED"), "{}", r.stdout);
    assert!(r.stdout.contains(why), "{}", r.stdout);
    // The reason removed: the narrowing is unexplained, and verification fails.
    let mut edited = v.clone();
    edited["predicate"]
        .as_object_mut()
        .unwrap()
        .remove("narrowedBecause");
    let path = demo.path("edited.cert.json");
    write_json(&path, &edited);
    let r = demo.verify(&path, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("FAIL scope NARROWED"), "{}", r.stdout);

    // A full certificate: the scope says so; verifying with less fails and names what.
    let (cert, v) = demo.certified(&[]);
    assert_eq!(v["predicate"]["scope"]["deep"]["enabled"], true);
    assert_eq!(v["predicate"]["narrowings"], serde_json::json!([]));
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("scope: a full screening"), "{}", r.stdout);
    for (flags, named) in [
        (&["--no-deep"][..], "deep scan is off"),
        (&["--target", "x86_64-unknown-linux-gnu"][..], "--target"),
        (&["--max-file-size", "10"][..], "max-file-size 10"),
        (&["-p", "photo-backup"][..], "-p photo-backup"),
    ] {
        let r = demo.verify(&cert, flags);
        assert_eq!(r.code, 1, "{flags:?}\n{}\n{}", r.stdout, r.stderr);
        assert!(
            r.stdout
                .lines()
                .any(|l| l.starts_with("  FAIL asked to verify less") && l.contains(named)),
            "{flags:?}\n{}",
            r.stdout
        );
    }
    // The scope edited into a manifests-only one, without a reason: caught.
    let mut edited = v.clone();
    edited["predicate"]["scope"]["deep"]["enabled"] = Value::from(false);
    write_json(&path, &edited);
    let r = demo.verify(&path, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("FAIL scope NARROWED"), "{}", r.stdout);
    assert!(r.stdout.contains("predicate.narrowings"), "{}", r.stdout);
}

#[test]
fn subjects_cover_the_root_manifest_and_path_sources() {
    let demo = Demo::new(WAIVER);
    let (cert, v) = demo.certified(&[]);
    let names: Vec<&str> = v["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for name in [
        "Cargo.lock",
        "Cargo.toml",
        "photo-backup/src/main.rs",
        "deps/av-engine-sys/LICENSE.txt",
    ] {
        assert!(names.contains(&name), "{name} missing: {names:?}");
    }
    // The certificate's own file is not a subject of itself.
    assert!(!names.iter().any(|n| n.contains("cert.json")), "{names:?}");
    // A path dependency's source edited: caught by its digest.
    let lib = demo.path("deps/kaspa-rates/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{text}\n// edited\n")).unwrap();
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("FAIL deps/kaspa-rates/src/lib.rs changed since it was certified"),
        "{}",
        r.stdout
    );
    std::fs::write(&lib, text).unwrap();
    // A source file added to a member: not certified.
    std::fs::write(demo.path("photo-backup/src/extra.rs"), "// new\n").unwrap();
    let r = demo.verify(&cert, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("FAIL photo-backup/src/extra.rs is in the tree but was not certified"),
        "{}",
        r.stdout
    );
}

#[test]
fn unknown_statement_fields_are_ignored_as_in_toto_asks() {
    let demo = Demo::new(WAIVER);
    let (cert, v) = demo.certified(&[]);
    let mut extended = v.clone();
    extended["someFutureField"] = Value::from("ignored");
    extended["subject"][0]["annotations"] = serde_json::json!({"note": "ignored too"});
    let path = demo.path("extended.cert.json");
    write_json(&path, &extended);
    let r = demo.verify(&path, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(cert.exists());
    // The predicate type names the document that describes every field.
    let ty = v["predicateType"].as_str().unwrap();
    let doc = ty.rsplit_once("/source/").unwrap().1;
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc)).unwrap();
    fn keys(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    out.insert(k.clone());
                    keys(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
            _ => {}
        }
    }
    let mut fields = std::collections::BTreeSet::new();
    keys(&v["predicate"], &mut fields);
    assert!(fields.len() > 50, "{fields:?}");
    for key in &fields {
        assert!(
            text.contains(&format!("`{key}`")),
            "{doc} does not describe `{key}`"
        );
    }
}

/// tests/fixtures/interop/sslib.dsse.json: the demo's certificate signed by securesystemslib
/// (scripts/interop-fixture.py, which also checks that securesystemslib accepts what
/// `certify --sign` writes).
#[test]
fn securesystemslib_envelope_verifies() {
    let dir = fixture("interop");
    let cert = dir.join("sslib.dsse.json");
    let key = dir.join("sslib.pub.pem");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/Cargo.toml");
    let empty = fixture("lists/empty.toml");
    let r = run(&[
        "verify",
        cert.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--manifest-path",
        demo.to_str().unwrap(),
        "--offline",
        "--no-builtin-list",
        "--entities",
        empty.to_str().unwrap(),
    ]);
    assert!(
        r.stdout
            .contains("a DSSE envelope: signature 1 verifies with the ed25519 key"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    // The payload is this tool's Statement and the demo's tree, screened against the empty test
    // list: everything holds (remake the fixture when the tool's version or the demo changes:
    // they are certified).
    assert!(r.stdout.contains("scope NARROWED"), "{}", r.stdout);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

/// What `certify --sign` writes verifies by the DSSE specification's own algorithm
/// (protocol.md), implemented here independently of the tool: PAE over the payload type and the
/// decoded payload, an ed25519 signature over it, the envelope's fields as envelope.md names them.
#[test]
fn certify_output_verifies_by_the_dsse_spec() {
    let demo = Demo::new(WAIVER);
    let (key, _) = ed25519_keys(&demo);
    let (_, env) = demo.certified(&["--sign", &key]);
    let payload_type = env["payloadType"].as_str().unwrap();
    assert_eq!(payload_type, "application/vnd.in-toto+json");
    let body = B64.decode(env["payload"].as_str().unwrap()).unwrap();
    let mut pae = Vec::new();
    pae.extend_from_slice(b"DSSEv1");
    for field in [payload_type.as_bytes(), &body[..]] {
        pae.push(b' ');
        pae.extend_from_slice(field.len().to_string().as_bytes());
        pae.push(b' ');
        pae.extend_from_slice(field);
    }
    let sigs = env["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 1);
    let sig = B64.decode(sigs[0]["sig"].as_str().unwrap()).unwrap();
    let sig = ed25519_dalek::Signature::from_slice(&sig).unwrap();
    let public = ed25519_dalek::SigningKey::from_bytes(&[42; 32]).verifying_key();
    public.verify_strict(&pae, &sig).unwrap();
    // One byte of the payload changed: the same check fails.
    let mut bad = pae.clone();
    let last = bad.len() - 2;
    bad[last] ^= 1;
    assert!(public.verify_strict(&bad, &sig).is_err());
    // The payload is an in-toto Statement v1 with this predicate.
    let st: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert!(
        st["predicateType"]
            .as_str()
            .unwrap()
            .ends_with("predicate-v4.md")
    );
}
