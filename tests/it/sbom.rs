//! Bills of materials: `sbom FILE...` on documents we wrote and on documents we did not, and
//! `--format cyclonedx` validated against the official schema and read back by `sbom`.

use std::collections::BTreeSet;

use crate::*;

fn sbom_fixture(name: &str) -> String {
    fixture("sbom").join(name).to_string_lossy().into_owned()
}

/// `sbom` run outside any workspace (so no project configuration is picked up).
fn sbom(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cmd();
    c.current_dir(dir.path()).arg("sbom").args(args);
    c.args(["--as-of", AS_OF]);
    c.output().expect("run the binary").into()
}

type Verdicts = BTreeSet<(String, String, String, String)>;

/// (package, version, entity, verdict) of every finding in a JSON report.
fn verdicts(json: &str) -> Verdicts {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |p: &str| f.pointer(p).and_then(|x| x.as_str()).unwrap().to_string();
            (
                s("/package/name"),
                s("/package/version"),
                s("/entity/id"),
                s("/verdict"),
            )
        })
        .collect()
}

fn cyclonedx(fixture_name: &str) -> Run {
    run(&[
        "--manifest-path",
        &manifest(fixture_name),
        "--offline",
        "--no-cache",
        "--no-deep",
        "--as-of",
        AS_OF,
        "--format",
        "cyclonedx",
    ])
}

/// The CycloneDX 1.6 schema with the two schemas it refers to, offline.
fn validator() -> jsonschema::Validator {
    struct Local;
    impl jsonschema::Retrieve for Local {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
            let text = match uri.as_str() {
                "http://cyclonedx.org/schema/spdx.schema.json" => {
                    include_str!("../schemas/spdx.schema.json")
                }
                "http://cyclonedx.org/schema/jsf-0.82.schema.json" => {
                    include_str!("../schemas/jsf-0.82.schema.json")
                }
                other => return Err(format!("not a local schema: {other}").into()),
            };
            Ok(serde_json::from_str(text)?)
        }
    }
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/bom-1.6.schema.json")).unwrap();
    jsonschema::options()
        .with_retriever(Local)
        .build(&schema)
        .expect("the schema compiles")
}

#[test]
fn cyclonedx_output_validates_against_the_1_6_schema() {
    let validator = validator();
    for fixture_name in ["policy", "product"] {
        let r = cyclonedx(fixture_name);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let bom: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&bom)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{fixture_name}: {errors:#?}");
        // Every component has a cargo purl and our verdict; every finding an analysis.
        for c in bom["components"].as_array().unwrap() {
            assert!(c["purl"].as_str().unwrap().starts_with("pkg:cargo/"));
            let props = c["properties"].as_array().unwrap();
            assert!(
                props
                    .iter()
                    .any(|p| p["name"] == "cargo-entitycheck:verdict")
            );
        }
        let vulns = bom["vulnerabilities"].as_array().unwrap();
        assert!(
            vulns
                .iter()
                .any(|v| v["analysis"]["state"] == "exploitable")
        );
        // The same product gives the same document, byte for byte.
        assert_eq!(cyclonedx(fixture_name).stdout, r.stdout);
    }
    // A violation is detected (the test can fail).
    let bad = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
        "components": [{"type": "no-such-type", "name": "x"}]});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn cyclonedx_output_carries_lockfile_hashes_dependencies_and_vex() {
    let r = cyclonedx("product");
    let bom: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let lock = std::fs::read_to_string(fixture("product").join("Cargo.lock")).unwrap();
    let comps = bom["components"].as_array().unwrap();
    // Every checksum in Cargo.lock is a component's SHA-256.
    for sum in lock
        .lines()
        .filter_map(|l| l.strip_prefix("checksum = \""))
        .map(|l| l.trim_end_matches('"'))
    {
        assert!(
            comps
                .iter()
                .any(|c| c["hashes"][0]["content"].as_str() == Some(sum)),
            "{sum}"
        );
    }
    let deps = bom["dependencies"].as_array().unwrap();
    assert!(
        deps.iter()
            .any(|d| !d["dependsOn"].as_array().unwrap().is_empty())
    );
    let states: BTreeSet<&str> = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["analysis"]["state"].as_str().unwrap())
        .collect();
    assert!(states.contains("exploitable"), "{states:?}");
    assert!(states.contains("not_affected"), "{states:?}");
}

#[test]
fn sbom_of_our_own_output_gives_the_check_verdicts() {
    for fixture_name in ["policy", "product"] {
        let check = run(&[
            "--manifest-path",
            &manifest(fixture_name),
            "--offline",
            "--no-cache",
            "--no-deep",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]);
        let bom = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(bom.path(), cyclonedx(fixture_name).stdout).unwrap();
        let read = sbom(&[bom.path().to_str().unwrap(), "--format", "json"]);
        assert_eq!(read.code, check.code, "{}", read.stderr);
        let (a, b) = (verdicts(&check.stdout), verdicts(&read.stdout));
        assert!(!a.is_empty());
        assert_eq!(a, b, "{fixture_name}");
    }
}

#[test]
fn planted_document_fails_and_a_waiver_applies_as_in_a_check() {
    let planted = sbom_fixture("planted.cdx.json");
    let r = sbom(&[&planted, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = verdicts(&r.stdout);
    assert!(v.iter().any(|f| f.0 == "pyav" && f.3 == "fail"));
    assert!(!v.iter().any(|f| f.0 == "kasper-utils"));
    let waivers = sbom_fixture("waivers.toml");
    let r = sbom(&[&planted, "--config", &waivers, "--format", "json"]);
    let v = verdicts(&r.stdout);
    assert!(v.iter().any(|f| f.0 == "pyav" && f.3 == "waived"), "{v:#?}");
    assert!(!v.iter().any(|f| f.0 == "pyav" && f.3 == "fail"));
    // The human report names the document and the path from the product.
    let r = sbom(&[&planted]);
    assert!(
        r.stdout
            .contains("acme-suite v1.0 → ui-kit v1.0.0 → ui-icons v1.0.0"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("; 1 bill of materials read;"),
        "{}",
        r.stdout
    );
    // SARIF points at the document.
    let r = sbom(&[&planted, "--format", "sarif"]);
    assert!(r.stdout.contains("planted.cdx.json"), "{}", r.stdout);
}

#[test]
fn documents_nobody_here_wrote_parse_and_pass() {
    let json = sbom_fixture("bom-examples/cern-lhc-vdm-editor.bom.json");
    let xml = sbom_fixture("bom-examples/cern-lhc-vdm-editor.bom.xml");
    let saas = sbom_fixture("bom-examples/saasbom-apigateway.bom.json");
    let screened = |r: &Run| {
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        v["summary"]["packages_screened"].as_u64().unwrap()
    };
    let (a, b) = (
        sbom(&[&json, "--format", "json"]),
        sbom(&[&xml, "--format", "json"]),
    );
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stderr, b.stderr);
    assert!(screened(&a) > 10);
    assert_eq!(screened(&a), screened(&b));
    let s = sbom(&[&saas, "--format", "json"]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert!(screened(&s) > 1);
    // The same document with one listed supplier planted fails, on that component alone.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let planted = doc["components"][3]["name"].as_str().unwrap().to_string();
    doc["components"][3]["supplier"] = serde_json::json!({"name": "AO Kaspersky Lab"});
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), doc.to_string()).unwrap();
    let r = sbom(&[file.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let failing: BTreeSet<String> = verdicts(&r.stdout)
        .into_iter()
        .filter(|f| f.3 == "fail")
        .map(|f| f.0)
        .collect();
    assert_eq!(failing, BTreeSet::from([planted]));
}

#[test]
fn a_malformed_document_is_an_input_error_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.cdx.json");
    std::fs::write(
        &bad,
        "{\"bomFormat\": \"CycloneDX\",\n  \"components\": [}\n",
    )
    .unwrap();
    let r = sbom(&[bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("broken.cdx.json:2:"), "{}", r.stderr);
    let r = sbom(&[dir.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Writing an SBOM of an SBOM's findings would list no packages: refused.
    let planted = sbom_fixture("planted.cdx.json");
    let r = sbom(&[&planted, "--format", "cyclonedx"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cyclonedx"), "{}", r.stderr);
}

#[test]
fn certify_covers_sboms_as_screened_subjects() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"clean\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(root.join("src/lib.rs"), "").unwrap();
    let m = root.join("Cargo.toml");
    let m = m.to_str().unwrap();
    let bom = root.join("ui.cdx.json");
    std::fs::copy(
        sbom_fixture("bom-examples/saasbom-apigateway.bom.json"),
        &bom,
    )
    .unwrap();
    let bom = bom.to_str().unwrap();
    let cert = root.join("product.cert.json");
    let cert = cert.to_str().unwrap();
    let base = ["--manifest-path", m, "--offline", "--no-cache"];
    let r = run(&[&["certify"][..], &base, &["--sbom", bom, "-o", cert]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cert).unwrap()).unwrap();
    let subjects: Vec<&str> = st["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&bom), "{subjects:?}");
    // The SBOM's components were screened with the rest.
    // The SBOM's components (a gateway and its services) were screened with the crate.
    let screened = &st["predicate"]["counts"]["packagesScreened"];
    assert!(screened.as_u64().unwrap() > 2, "{screened}");
    let verify = |extra: &[&str]| run(&[&["verify", cert][..], &base, extra].concat());
    let r = verify(&["--sbom", bom]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A changed SBOM no longer verifies.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bom).unwrap()).unwrap();
    doc["services"][0]["provider"] = serde_json::json!({"name": "AO Kaspersky Lab"});
    std::fs::write(bom, doc.to_string()).unwrap();
    let r = verify(&["--sbom", bom]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("changed since it was certified"),
        "{}",
        r.stdout
    );
    // And a product whose SBOM names a listed entity is not certified.
    let r = run(&[&["certify"][..], &base, &["--sbom", bom, "-o", cert]].concat());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("no certificate written"), "{}", r.stderr);
}
