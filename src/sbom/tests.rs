use std::collections::BTreeSet;

use super::*;
use crate::policy::Verdict;

/// Screens `text` against the built-in list as of 2026-12-01: every finding as
/// (component, verdict, evidence field).
fn screen(text: &str, file: &str) -> BTreeSet<(String, Verdict, String)> {
    let doc = parse(text, file).unwrap_or_else(|e| panic!("{e}"));
    let lists = vec![EntityList::builtin().unwrap()];
    let policy = Policy::new(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    let matcher = Matcher::new(&lists);
    let s = screen_documents(&[doc], &policy, &lists, &matcher);
    s.findings
        .into_iter()
        .map(|(f, _)| {
            (
                f.package.name,
                f.verdict,
                f.matched.evidence.field.to_string(),
            )
        })
        .collect()
}

fn has(found: &BTreeSet<(String, Verdict, String)>, name: &str, v: Verdict, field: &str) -> bool {
    found.contains(&(name.to_string(), v, field.to_string()))
}

fn names_with(found: &BTreeSet<(String, Verdict, String)>, v: Verdict) -> BTreeSet<String> {
    found
        .iter()
        .filter(|f| f.1 == v)
        .map(|f| f.0.clone())
        .collect()
}

/// Planted cases across the attribution fields and ecosystems, with controls (a look-alike
/// supplier and author, a description that only mentions, an advisory link); the integration
/// tests screen the same file through the binary.
const CDX_JSON: &str = include_str!("../../tests/fixtures/sbom/planted.cdx.json");

#[test]
fn cyclonedx_json_every_attribution_field_and_its_controls() {
    let found = screen(CDX_JSON, "bom.json");
    let fail = names_with(&found, Verdict::Fail);
    assert_eq!(
        fail,
        [
            "avsdk",
            "engine-blob",
            "libkav",
            "NetAv",
            "pyav",
            "reputation-lookup",
            "scanner",
            "ui-icons",
            "ui-kit"
        ]
        .map(String::from)
        .into(),
        "{found:#?}"
    );
    assert!(has(&found, "ui-kit", Verdict::Fail, "purl namespace"));
    assert!(has(
        &found,
        "scanner",
        Verdict::Fail,
        "purl namespace (reversed domain)"
    ));
    assert!(has(&found, "pyav", Verdict::Fail, "supplier.name"));
    assert!(has(&found, "NetAv", Verdict::Fail, "authors"));
    assert!(has(
        &found,
        "libkav",
        Verdict::Fail,
        "externalReferences vcs"
    ));
    assert!(has(
        &found,
        "engine-blob",
        Verdict::Fail,
        "manufacturer.name"
    ));
    assert!(has(&found, "avsdk", Verdict::Fail, "cpe vendor"));
    assert!(has(&found, "ui-icons", Verdict::Fail, "copyright"));
    assert!(has(
        &found,
        "reputation-lookup",
        Verdict::Fail,
        "provider.name"
    ));
    // Excluded from the product: a warning, never a failure.
    assert!(has(&found, "av-test-harness", Verdict::Warn, "publisher"));
    // The SBOM's author wrote the document, not the product; a description only mentions.
    assert!(has(&found, "acme-suite", Verdict::Info, "metadata.authors"));
    assert!(has(&found, "log-parser", Verdict::Info, "description"));
    // A look-alike supplier and author, and an advisory link, are no findings at all.
    assert!(!found.iter().any(|f| f.0 == "kasper-utils"), "{found:#?}");
    // An advisory link only talks about the component: a mention at most.
    assert!(
        found
            .iter()
            .filter(|f| f.2 == "externalReferences advisories")
            .all(|f| f.1 == Verdict::Info)
    );
}

#[test]
fn paths_run_from_the_product_through_nested_components() {
    let doc = parse(CDX_JSON, "bom.json").unwrap();
    assert_eq!(doc.format, Format::CycloneDxJson { spec: "1.6".into() });
    let placed = place(&doc);
    let at = |name: &str| {
        let i = doc.components.iter().position(|c| c.name == name).unwrap();
        (
            placed[i].kind,
            placed[i]
                .path
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        at("ui-icons"),
        (DepKind::Normal, vec!["acme-suite", "ui-kit", "ui-icons"])
    );
    assert_eq!(at("acme-suite"), (DepKind::Member, vec!["acme-suite"]));
    assert_eq!(
        at("av-test-harness"),
        (DepKind::Dev, vec!["acme-suite", "av-test-harness"])
    );
}

const CDX_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <metadata>
    <component type="application" bom-ref="root"><name>acme-suite</name><version>1.0</version></component>
    <supplier><name>Acme Corp</name><url>https://acme.example</url></supplier>
  </metadata>
  <components>
    <component type="library" bom-ref="ui">
      <name>ui-kit</name><version>1.0.0</version>
      <purl>pkg:npm/%40kaspersky/ui-kit@1.0.0</purl>
      <components>
        <component type="library" bom-ref="ui-icons">
          <name>ui-icons</name><version>1.0.0</version>
          <copyright>Copyright (c) 2021 AO Kaspersky Lab</copyright>
        </component>
      </components>
    </component>
    <component type="library" bom-ref="netav">
      <authors><author><name>Jane Roe</name><email>jane.roe@kaspersky.com</email></author></authors>
      <name>NetAv</name><version>4.1.0</version>
    </component>
    <component type="library" bom-ref="libkav">
      <name>libkav</name><version>8.0-1</version>
      <externalReferences>
        <reference type="vcs"><url>https://github.com/KasperskyLab/libkav</url></reference>
      </externalReferences>
    </component>
    <component type="library" bom-ref="lookalike">
      <supplier><name>Kasperski Consulting</name><contact><name>K</name><email>k@kasperski.example</email></contact></supplier>
      <name>kasper-utils</name><version>1</version>
    </component>
  </components>
  <services>
    <service bom-ref="cloud"><provider><name>Kaspersky Lab</name></provider><name>reputation-lookup</name></service>
  </services>
  <dependencies>
    <dependency ref="root"><dependency ref="ui"/><dependency ref="netav"/><dependency ref="libkav"/><dependency ref="cloud"/></dependency>
  </dependencies>
</bom>"#;

#[test]
fn cyclonedx_xml_reads_as_its_json_twin() {
    let found = screen(CDX_XML, "bom.xml");
    let fail = names_with(&found, Verdict::Fail);
    assert_eq!(
        fail,
        ["libkav", "NetAv", "reputation-lookup", "ui-icons", "ui-kit"]
            .map(String::from)
            .into(),
        "{found:#?}"
    );
    // The same component, field and verdict as in the JSON document.
    let json = screen(CDX_JSON, "bom.json");
    for f in found.iter().filter(|f| f.1 == Verdict::Fail) {
        assert!(json.contains(f), "{f:?} is not in the JSON twin's findings");
    }
    // XML keeps lines: the finding in ui-icons points at its <copyright> line.
    let doc = parse(CDX_XML, "bom.xml").unwrap();
    let icons = doc
        .components
        .iter()
        .find(|c| c.name == "ui-icons")
        .unwrap();
    assert_eq!(icons.evidence[0].location.as_ref().unwrap().line, Some(12));
    let placed = place(&doc);
    let i = doc
        .components
        .iter()
        .position(|c| c.name == "ui-icons")
        .unwrap();
    assert_eq!(placed[i].path.len(), 3);
}

const SPDX_JSON: &str = r#"{
  "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "acme",
  "documentDescribes": ["SPDXRef-acme"],
  "packages": [
    {"SPDXID": "SPDXRef-acme", "name": "acme", "versionInfo": "1.0",
     "supplier": "Organization: Acme Corp (sales@acme.example)", "downloadLocation": "NOASSERTION"},
    {"SPDXID": "SPDXRef-engine", "name": "av-engine", "versionInfo": "12",
     "supplier": "Organization: Kaspersky Lab (info@kaspersky.com)",
     "downloadLocation": "NOASSERTION", "copyrightText": "NOASSERTION"},
    {"SPDXID": "SPDXRef-orig", "name": "orig", "versionInfo": "1",
     "originator": "Person: Ivan (ivan@kaspersky.ru)", "downloadLocation": "NONE"},
    {"SPDXID": "SPDXRef-dl", "name": "dl", "versionInfo": "1",
     "downloadLocation": "git+https://github.com/KasperskyLab/dl.git"},
    {"SPDXID": "SPDXRef-home", "name": "home", "versionInfo": "1",
     "downloadLocation": "NOASSERTION", "homepage": "https://www.kaspersky.com/sdk"},
    {"SPDXID": "SPDXRef-copy", "name": "copy", "versionInfo": "1",
     "downloadLocation": "NOASSERTION", "copyrightText": "Copyright 2020 AO Kaspersky Lab"},
    {"SPDXID": "SPDXRef-purl", "name": "purl", "versionInfo": "1", "downloadLocation": "NOASSERTION",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                       "referenceLocator": "pkg:maven/com.kaspersky/purl@1"}]},
    {"SPDXID": "SPDXRef-cpe", "name": "cpe", "versionInfo": "1", "downloadLocation": "NOASSERTION",
     "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
                       "referenceLocator": "cpe:2.3:a:kaspersky:cpe:1:*:*:*:*:*:*:*"}]},
    {"SPDXID": "SPDXRef-devtool", "name": "devtool", "versionInfo": "1",
     "supplier": "Organization: Kaspersky Lab", "downloadLocation": "NOASSERTION"},
    {"SPDXID": "SPDXRef-lookalike", "name": "lookalike", "versionInfo": "1",
     "supplier": "Organization: Kasperski Consulting", "downloadLocation": "https://kasperski.example/x.tgz",
     "summary": "works with Kaspersky Endpoint Security"}
  ],
  "relationships": [
    {"spdxElementId": "SPDXRef-acme", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-engine"},
    {"spdxElementId": "SPDXRef-engine", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-orig"},
    {"spdxElementId": "SPDXRef-dl", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-acme"},
    {"spdxElementId": "SPDXRef-acme", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-home"},
    {"spdxElementId": "SPDXRef-acme", "relationshipType": "STATIC_LINK", "relatedSpdxElement": "SPDXRef-copy"},
    {"spdxElementId": "SPDXRef-acme", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-purl"},
    {"spdxElementId": "SPDXRef-acme", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-cpe"},
    {"spdxElementId": "SPDXRef-devtool", "relationshipType": "DEV_DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-acme"},
    {"spdxElementId": "SPDXRef-acme", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-lookalike"}
  ]
}"#;

const SPDX_TAG: &str = "SPDXVersion: SPDX-2.2
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: acme

PackageName: acme
SPDXID: SPDXRef-acme
PackageVersion: 1.0
PackageSupplier: Organization: Acme Corp (sales@acme.example)
PackageDownloadLocation: NOASSERTION

PackageName: av-engine
SPDXID: SPDXRef-engine
PackageVersion: 12
PackageSupplier: Organization: Kaspersky Lab (info@kaspersky.com)
PackageDownloadLocation: NOASSERTION
PackageCopyrightText: NOASSERTION

PackageName: orig
SPDXID: SPDXRef-orig
PackageVersion: 1
PackageOriginator: Person: Ivan (ivan@kaspersky.ru)
PackageDownloadLocation: NONE

PackageName: dl
SPDXID: SPDXRef-dl
PackageVersion: 1
PackageDownloadLocation: git+https://github.com/KasperskyLab/dl.git

PackageName: home
SPDXID: SPDXRef-home
PackageVersion: 1
PackageDownloadLocation: NOASSERTION
PackageHomePage: https://www.kaspersky.com/sdk

PackageName: copy
SPDXID: SPDXRef-copy
PackageVersion: 1
PackageDownloadLocation: NOASSERTION
PackageCopyrightText: <text>Copyright 2020
AO Kaspersky Lab</text>

PackageName: purl
SPDXID: SPDXRef-purl
PackageVersion: 1
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:maven/com.kaspersky/purl@1

PackageName: cpe
SPDXID: SPDXRef-cpe
PackageVersion: 1
PackageDownloadLocation: NOASSERTION
ExternalRef: SECURITY cpe23Type cpe:2.3:a:kaspersky:cpe:1:*:*:*:*:*:*:*

PackageName: devtool
SPDXID: SPDXRef-devtool
PackageVersion: 1
PackageSupplier: Organization: Kaspersky Lab
PackageDownloadLocation: NOASSERTION

PackageName: lookalike
SPDXID: SPDXRef-lookalike
PackageVersion: 1
PackageSupplier: Organization: Kasperski Consulting
PackageDownloadLocation: https://kasperski.example/x.tgz
PackageSummary: <text>works with Kaspersky Endpoint Security</text>

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-acme
Relationship: SPDXRef-acme DEPENDS_ON SPDXRef-engine
Relationship: SPDXRef-engine CONTAINS SPDXRef-orig
Relationship: SPDXRef-dl DEPENDENCY_OF SPDXRef-acme
Relationship: SPDXRef-acme DEPENDS_ON SPDXRef-home
Relationship: SPDXRef-acme STATIC_LINK SPDXRef-copy
Relationship: SPDXRef-acme DEPENDS_ON SPDXRef-purl
Relationship: SPDXRef-acme DEPENDS_ON SPDXRef-cpe
Relationship: SPDXRef-devtool DEV_DEPENDENCY_OF SPDXRef-acme
Relationship: SPDXRef-acme DEPENDS_ON SPDXRef-lookalike
";

#[test]
fn spdx_json_and_tag_value_read_alike() {
    let json = screen(SPDX_JSON, "sbom.spdx.json");
    let tag = screen(SPDX_TAG, "sbom.spdx");
    assert_eq!(json, tag);
    assert_eq!(
        names_with(&json, Verdict::Fail),
        ["av-engine", "copy", "cpe", "dl", "home", "orig", "purl"]
            .map(String::from)
            .into(),
        "{json:#?}"
    );
    for (name, field) in [
        ("av-engine", "PackageSupplier"),
        ("orig", "PackageOriginator"),
        ("dl", "PackageDownloadLocation"),
        ("home", "PackageHomePage"),
        ("copy", "PackageCopyrightText"),
        ("purl", "ExternalRef purl namespace (reversed domain)"),
        ("cpe", "ExternalRef cpe vendor"),
    ] {
        assert!(has(&json, name, Verdict::Fail, field), "{name} {field}");
    }
    assert!(has(&json, "devtool", Verdict::Warn, "PackageSupplier"));
    assert!(has(&json, "lookalike", Verdict::Info, "PackageSummary"));
    assert!(
        !json
            .iter()
            .any(|f| f.0 == "lookalike" && f.1 != Verdict::Info)
    );

    let doc = parse(SPDX_TAG, "sbom.spdx").unwrap();
    let placed = place(&doc);
    let i = doc
        .components
        .iter()
        .position(|c| c.name == "orig")
        .unwrap();
    let path: Vec<&str> = placed[i].path.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(path, ["acme", "av-engine", "orig"]);
    let originator = doc.components[i]
        .evidence
        .iter()
        .find(|e| e.field == "PackageOriginator")
        .unwrap();
    assert_eq!(originator.text, "Ivan <ivan@kaspersky.ru>");
    assert_eq!(originator.location.as_ref().unwrap().line, Some(22));
}

#[test]
fn spdx3_jsonld_agents_and_relationships() {
    let doc = r#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [
      {"type": "Organization", "spdxId": "urn:org:kl", "name": "Kaspersky Lab"},
      {"type": "Organization", "spdxId": "urn:org:acme", "name": "Acme Corp"},
      {"type": "software_Sbom", "spdxId": "urn:sbom", "rootElement": ["urn:pkg:app"]},
      {"type": "software_Package", "spdxId": "urn:pkg:app", "name": "app",
       "software_packageVersion": "1", "suppliedBy": "urn:org:acme"},
      {"type": "software_Package", "spdxId": "urn:pkg:lib", "name": "lib",
       "software_packageVersion": "2", "suppliedBy": "urn:org:kl"},
      {"type": "software_Package", "spdxId": "urn:pkg:test", "name": "testlib",
       "software_packageVersion": "3",
       "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl",
                               "identifier": "pkg:github/KasperskyLab/testlib@3"}]},
      {"type": "Relationship", "spdxId": "urn:r1", "from": "urn:pkg:app",
       "relationshipType": "dependsOn", "to": ["urn:pkg:lib"]},
      {"type": "LifecycleScopedRelationship", "spdxId": "urn:r2", "from": "urn:pkg:app",
       "relationshipType": "dependsOn", "scope": "test", "to": ["urn:pkg:test"]}
    ]}"#;
    let found = screen(doc, "sbom.spdx3.json");
    assert!(
        has(&found, "lib", Verdict::Fail, "suppliedBy"),
        "{found:#?}"
    );
    assert!(has(
        &found,
        "testlib",
        Verdict::Warn,
        "ExternalRef purl namespace"
    ));
    assert_eq!(names_with(&found, Verdict::Fail).len(), 1, "{found:#?}");
}

#[test]
fn malformed_documents_are_errors_naming_the_place() {
    let cases: &[(&str, &str)] = &[
        (
            "{\"bomFormat\": \"CycloneDX\",\n \"components\": [,]}",
            "bom.json:2:",
        ),
        (
            "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\n<components>\n</bom>",
            "bom.json:3:",
        ),
        (
            "{\"bomFormat\": \"CycloneDX\", \"components\": [{\"name\": 3}]}",
            "/components/0/name",
        ),
        (
            "{\"bomFormat\": \"CycloneDX\", \"components\": {}}",
            "/components: expected an array",
        ),
        ("{\"name\": \"x\"}", "neither CycloneDX"),
        (
            "SPDXVersion: SPDX-2.3\nPackageName: x\nPackageCopyrightText: <text>open\n",
            "bom.json:3:",
        ),
        (
            "SPDXVersion: SPDX-2.3\nthis line has no tag\n",
            "bom.json:2:",
        ),
        (
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>",
            "SPDX RDF/XML",
        ),
        ("name,version\n", "not a CycloneDX"),
        (
            "<Document><spdxVersion>SPDX-2.3</spdxVersion></Document>",
            "SPDX XML is not read",
        ),
    ];
    for (text, want) in cases {
        let e = parse(text, "bom.json").expect_err(text).to_string();
        assert!(e.contains(want), "{text:?}: {e}");
        assert!(e.contains("bom.json"), "{e}");
    }
}

#[test]
fn empty_xml_organisations_are_absent_not_errors() {
    let xml = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><services>
      <service bom-ref="s"><provider/><name>svc</name><endpoints/></service></services></bom>"#;
    let doc = parse(xml, "bom.xml").unwrap();
    assert_eq!(doc.components.len(), 1);
    assert!(doc.components[0].evidence.iter().all(|e| e.field == "name"));
}

#[test]
fn a_nuget_purl_names_its_company_by_its_id_prefix() {
    let bom = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
      {"name": "engine", "purl": "pkg:nuget/KasperskyLab.ScanEngine@8.0.0"},
      {"name": "adapter", "purl": "pkg:nuget/MultiScan.Engines.Kaspersky@1.0.0"},
      {"name": "single", "purl": "pkg:nuget/Kaspersky@1.0.0"}]}"#;
    let doc = parse(bom, "bom.json").unwrap();
    let prefixes: Vec<(String, &str)> = doc
        .components
        .iter()
        .flat_map(|c| c.evidence.iter())
        .map(|e| (e.field.to_string(), e.text.as_str()))
        .filter(|(f, _)| f.ends_with("name prefix (nuget)"))
        .collect();
    assert_eq!(
        prefixes,
        [
            ("purl name prefix (nuget)".to_string(), "KasperskyLab"),
            ("purl name prefix (nuget)".to_string(), "MultiScan")
        ]
    );
}

#[test]
fn purls_decode_scopes_and_qualifiers() {
    let p = Purl::parse("pkg:npm/%40kaspersky/ui-kit@1.0.0?repository_url=https://npm.example")
        .unwrap();
    assert_eq!(p.kind, "npm");
    assert_eq!(p.namespace.as_deref(), Some("@kaspersky"));
    assert_eq!(p.name, "ui-kit");
    assert_eq!(p.version.as_deref(), Some("1.0.0"));
    assert_eq!(
        p.qualifiers,
        [("repository_url".into(), "https://npm.example".into())]
    );
    let p = Purl::parse("pkg:cargo/serde@1.0.0").unwrap();
    assert_eq!((p.namespace, p.name.as_str()), (None, "serde"));
    assert_eq!(
        reversed_domain("com.kaspersky.sdk").as_deref(),
        Some("sdk.kaspersky.com")
    );
    assert_eq!(reversed_domain("junit"), None);
    assert!(Purl::parse("npm/x").is_none());
}

#[test]
fn what_ships_wins_over_build_and_dev_relationships() {
    let doc = "SPDXVersion: SPDX-2.3
PackageName: app
SPDXID: SPDXRef-app
PackageName: lib
SPDXID: SPDXRef-lib
PackageName: shared
SPDXID: SPDXRef-shared
PackageName: codegen
SPDXID: SPDXRef-codegen
PackageName: gen-dep
SPDXID: SPDXRef-gen-dep
PackageName: test-only
SPDXID: SPDXRef-test-only
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-app
Relationship: SPDXRef-shared DEV_DEPENDENCY_OF SPDXRef-app
Relationship: SPDXRef-app DEPENDS_ON SPDXRef-lib
Relationship: SPDXRef-lib DEPENDS_ON SPDXRef-shared
Relationship: SPDXRef-codegen BUILD_DEPENDENCY_OF SPDXRef-app
Relationship: SPDXRef-codegen DEPENDS_ON SPDXRef-gen-dep
Relationship: SPDXRef-test-only TEST_DEPENDENCY_OF SPDXRef-app
";
    let doc = parse(doc, "kinds.spdx").unwrap();
    let placed = place(&doc);
    let kind = |name: &str| {
        let i = doc.components.iter().position(|c| c.name == name).unwrap();
        (
            placed[i].kind,
            placed[i].path.last().and_then(|s| s.edge),
            placed[i].path.len(),
        )
    };
    assert_eq!(kind("app"), (DepKind::Member, None, 1));
    // Reached both as a dev dependency and through what ships: it ships.
    assert_eq!(kind("shared"), (DepKind::Normal, Some(DepKind::Normal), 3));
    assert_eq!(kind("codegen"), (DepKind::Build, Some(DepKind::Build), 2));
    // What a build dependency needs runs at build time too.
    assert_eq!(kind("gen-dep"), (DepKind::Build, Some(DepKind::Normal), 3));
    assert_eq!(kind("test-only"), (DepKind::Dev, Some(DepKind::Dev), 2));
}
