use super::*;

fn read(name: &str, text: &str) -> Vec<(String, String, u32)> {
    fields(name, text)
        .into_iter()
        .map(|f| (f.field().to_string(), f.value, f.line))
        .collect()
}

#[test]
fn reverse_domains_need_a_public_suffix_first() {
    assert_eq!(
        reverse_domain("com.kaspersky.kavsdk.Scanner").as_deref(),
        Some("scanner.kavsdk.kaspersky.com")
    );
    assert_eq!(
        reverse_domain("ru.kaspersky").as_deref(),
        Some("kaspersky.ru")
    );
    assert_eq!(
        reverse_domain("com/kaspersky/sdk/").as_deref(),
        Some("sdk.kaspersky.com")
    );
    for not in [
        "Kaspersky.Sdk",
        "kaspersky",
        "org",
        "notatld.bar.baz",
        "x.y",
    ] {
        assert_eq!(reverse_domain(not), None, "{not}");
    }
}

#[test]
fn library_names_are_read_as_the_loader_writes_them() {
    for (name, stem) in [
        ("libkavsdk.so.8", "kavsdk"),
        ("/opt/kaspersky/lib/libkavsdk.so", "kavsdk"),
        ("@rpath/KAVSDK.framework/Versions/A/KAVSDK", "KAVSDK"),
        ("kavsdk64.dll", "kavsdk64"),
        ("KAVSDK.DLL", "KAVSDK"),
        ("libkaspersky_engine.dylib", "kaspersky_engine"),
        ("libc.so.6", "c"),
        ("libfoo.a", "foo"),
        ("libsoap.so", "soap"),
    ] {
        assert_eq!(library_stem(name), stem, "{name}");
    }
}

#[test]
fn java_manifest_vendor_fields_and_wrapped_lines() {
    let mf = "Manifest-Version: 1.0\r\nImplementation-Vendor: AO Kaspersky\r\n  Lab\r\nBundle-SymbolicName: com.kaspersky.sdk;singleton:=true\r\nImport-Package: org.osgi.framework,com.kaspersky.kavsdk;version=\"[1,2)\"\r\nCreated-By: Maven\r\n";
    let got = read("sdk.jar!META-INF/MANIFEST.MF", mf);
    assert!(
        got.contains(&(
            "Java manifest Implementation-Vendor".into(),
            "AO Kaspersky Lab".into(),
            2
        )),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.1 == "sdk.kaspersky.com" && g.0.contains("Bundle-SymbolicName")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.1 == "kavsdk.kaspersky.com" && g.0.contains("(integration)")),
        "{got:?}"
    );
    assert!(!got.iter().any(|g| g.0.contains("Created-By")));
}

#[test]
fn python_metadata_headers_stop_at_the_body() {
    let md = "Metadata-Version: 2.1\nName: kav\nAuthor: AO Kaspersky Lab\nAuthor-email: sdk@kaspersky.com\nProject-URL: Homepage, https://kaspersky.com/sdk\n\nAuthor: not a header in the description\n";
    let got = read("kav-1.0.dist-info/METADATA", md);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.contains(&(
        "Python metadata Project-URL".into(),
        "https://kaspersky.com/sdk".into(),
        5
    )));
    assert!(
        read("docs/METADATA", "Author: x\n").is_empty(),
        "needs Metadata-Version"
    );
}

#[test]
fn npm_fields_scopes_and_lockfiles() {
    let pj = r#"{
  "name": "@kaspersky/scan-sdk",
  "author": {"name": "AO Kaspersky Lab", "email": "a@kaspersky.com"},
  "maintainers": ["Someone <x@example.com>"],
  "repository": {"type": "git", "url": "https://github.com/KasperskyLab/sdk"},
  "dependencies": {"@kaspersky/engine": "^1.0", "left-pad": "1"}
}"#;
    let got = read("node_modules/x/package.json", pj);
    assert!(
        got.iter().any(|g| g.0 == "npm package.json author.name"
            && g.1 == "AO Kaspersky Lab"
            && g.2 == 3),
        "{got:?}"
    );
    assert!(got.iter().any(|g| {
        g.0.starts_with("npm package.json name (npm scope @kaspersky)")
    }));
    assert!(
        got.iter().any(|g| g
            .0
            .contains("dependencies (npm scope @kaspersky) (integration)")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.1 == "https://github.com/KasperskyLab/sdk")
    );
    let lock = r#"{"packages": {"node_modules/@kaspersky/engine": {"resolved": "https://registry.npmjs.org/@kaspersky/engine/-/engine-1.0.tgz"}}}"#;
    assert_eq!(read("package-lock.json", lock).len(), 2);
}

#[test]
fn xml_manifests() {
    let nuspec = "<?xml version=\"1.0\"?>\n<package><metadata>\n<authors>AO Kaspersky Lab</authors>\n<owners>Kaspersky&#160;Lab</owners>\n<copyright>&#169; AO Kaspersky Lab</copyright>\n<repository type=\"git\" url=\"https://github.com/KasperskyLab/x\" />\n</metadata></package>";
    let got = read("Kav.Sdk.nuspec", nuspec);
    assert!(
        got.contains(&(
            "NuGet nuspec <authors>".into(),
            "AO Kaspersky Lab".into(),
            3
        )),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.0 == "NuGet nuspec <owners>" && g.1 == "Kaspersky Lab"),
        "{got:?}"
    );
    assert!(got.iter().any(|g| g.0 == "NuGet nuspec <repository url>"));
    // An id's company prefix, not the product after it; dependencies by id.
    let ids = "<package><metadata><id>KasperskyLab.ScanEngine</id><authors>build</authors>\n<dependencies><dependency id=\"Kaspersky.Core\" version=\"1.0\" /></dependencies></metadata></package>";
    let got = read("x.nuspec", ids);
    assert!(
        got.contains(&("NuGet nuspec <id> prefix".into(), "KasperskyLab".into(), 1)),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "NuGet nuspec <dependency id> (integration)".into(),
            "Kaspersky.Core".into(),
            2
        )),
        "{got:?}"
    );
    let single = read(
        "x.nuspec",
        "<package><metadata><id>Kaspersky</id></metadata></package>",
    );
    assert!(single.is_empty(), "{single:?}");
    let plist = "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>\n<key>CFBundleIdentifier</key>\n<string>com.kaspersky.kavsdk</string>\n<key>NSHumanReadableCopyright</key><string>© AO Kaspersky Lab</string>\n<key>CFBundleName</key><string>Kaspersky</string></dict></plist>";
    let got = read("KAVSDK.framework/Resources/Info.plist", plist);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.iter()
            .any(|g| g.1 == "kavsdk.kaspersky.com" && g.2 == 2)
    );
    let pom = "<project><groupId>com.kaspersky.sdk</groupId><organization><name>AO Kaspersky Lab</name></organization></project>";
    let got = read("META-INF/maven/com.kaspersky/sdk/pom.xml", pom);
    // The group, the organisation, and the group the directory Maven put it in names.
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.iter()
            .any(|g| g.0.contains("META-INF/maven/<groupId> directory") && g.1 == "kaspersky.com"),
        "{got:?}"
    );
}

#[test]
fn code_and_build_files() {
    assert!(
        read(
            "src/doc.rs",
            "//! `#[link(name = \"kavsdk\")]` in a crate links it\n"
        )
        .is_empty(),
        "a comment links nothing"
    );
    let got = read(
        "src/ffi.rs",
        "#[link(name = \"kavsdk\", kind = \"dylib\")]\nextern \"C\" {}\nlet l = Library::new(\"libkaspersky_scan.so.2\");\n",
    );
    assert_eq!(
        got,
        [
            (
                "Rust source #[link(name)] (integration)".into(),
                "kavsdk".into(),
                1
            ),
            (
                "Rust source dynamic load (integration)".into(),
                "kaspersky_scan".into(),
                3
            ),
        ]
    );
    // Linked under a condition: each `link` a `cfg_attr` carries, nested or beside others; not
    // one for another library, nor a feature merely named `link`, nor a commented one.
    let got = read(
        "src/ffi.rs",
        "#[cfg_attr(target_os = \"linux\", link(name = \"kavsdk\", kind = \"dylib\"))]\nextern \"C\" {}\n#[cfg_attr(all(windows, not(feature = \"link\")), link(name = \"zlib\"), link(name = \"KasperskyScanEngine\"))]\n#[cfg_attr(unix, cfg_attr(feature = \"kav\", link(name = \"kavsdk64\")))]\nextern \"C\" {}\n// #[cfg_attr(windows, link(name = \"kavsdk_old\"))]\n#[cfg_attr(feature = \"link\", derive(Debug))]\nstruct S;\n",
    );
    let names: Vec<(&str, u32)> = got.iter().map(|g| (g.1.as_str(), g.2)).collect();
    assert_eq!(
        names,
        [
            ("KasperskyScanEngine", 3),
            ("kavsdk", 1),
            ("kavsdk64", 4),
            ("zlib", 3)
        ],
        "{got:?}"
    );
    let got = read(
        "app/src/main/java/x/Scan.java",
        "package com.example.app;\n\nimport com.kaspersky.kavsdk.Scanner;\nimport java.util.List;\n",
    );
    // Every import is read; the deep scan keeps the ones that name something listed.
    assert!(
        got.iter()
            .any(|g| g.1 == "scanner.kavsdk.kaspersky.com" && g.0.contains("(integration)")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.1 == "app.example.com" && !g.0.contains("(integration)")),
        "{got:?}"
    );
    let got = read(
        "go.mod",
        "module kaspersky.com/sdk/go\n\nrequire (\n\tgithub.com/pkg/errors v0.9.1\n)\n",
    );
    assert!(
        got.iter()
            .any(|g| g.0 == "Go module module" && g.1 == "https://kaspersky.com/sdk/go"),
        "{got:?}"
    );
    let got = read(
        "KAVSDK.podspec",
        "Pod::Spec.new do |s|\n  s.author = { 'AO Kaspersky Lab' => 'sdk@kaspersky.com' }\n  s.vendored_frameworks = 'KAVSDK.framework'\nend\n",
    );
    assert!(got.iter().any(|g| g.1 == "AO Kaspersky Lab"), "{got:?}");
    assert!(
        got.iter()
            .any(|g| g.1 == "KAVSDK" && g.0.contains("integration")),
        "{got:?}"
    );
    let got = read(
        "conanfile.py",
        "class K(ConanFile):\n    name = 'kavsdk'\n    author = \"AO Kaspersky Lab <sdk@kaspersky.com>\"\n",
    );
    assert_eq!(
        got,
        [(
            "conan recipe author".into(),
            "AO Kaspersky Lab <sdk@kaspersky.com>".into(),
            3
        )]
    );
    let got = read(
        "cmake/KAVSDKConfig.cmake",
        "set(CPACK_PACKAGE_VENDOR \"AO Kaspersky Lab\")\nfind_package(KAVSDK REQUIRED)\ntarget_link_libraries(app PRIVATE Kaspersky::kavsdk)\n",
    );
    assert!(
        got.iter().any(|g| g.0 == "CMake CPACK_PACKAGE_VENDOR"),
        "{got:?}"
    );
    assert!(
        got.iter().any(|g| g.1.contains("Kaspersky kavsdk")),
        "{got:?}"
    );
    let got = read(
        "debian/control",
        "Source: kav\nMaintainer: AO Kaspersky Lab <deb@kaspersky.com>\n\nPackage: kav\n",
    );
    assert_eq!(got.len(), 1);
    let got = read(
        "SPECS/kav.spec",
        "Name: kav\nVendor: AO Kaspersky Lab\nPackager: Build <b@kaspersky.com>\n",
    );
    assert_eq!(got.len(), 2);
}

#[test]
fn a_shipped_sboms_nuget_purl_names_its_company_by_its_id_prefix() {
    let cdx = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
      {"name": "engine", "purl": "pkg:nuget/KasperskyLab.ScanEngine@8.0.0"},
      {"name": "adapter", "purl": "pkg:nuget/MultiScan.Engines.Kaspersky@1.0.0"}]}"#;
    let got: Vec<(String, String)> = read("sbom/bom.json", cdx)
        .into_iter()
        .filter(|g| g.0.contains("name prefix"))
        .map(|g| (g.0, g.1))
        .collect();
    assert_eq!(
        got,
        [
            (
                "CycloneDX document purl name prefix (nuget)".to_string(),
                "KasperskyLab".to_string()
            ),
            (
                "CycloneDX document purl name prefix (nuget)".to_string(),
                "MultiScan".to_string()
            )
        ]
    );
}

#[test]
fn sboms_shipped_in_a_package() {
    let cdx = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
      {"name": "engine", "supplier": {"name": "AO Kaspersky Lab", "url": ["https://kaspersky.com"]},
       "purl": "pkg:maven/com.kaspersky/engine@1.0", "components": [{"name": "inner", "publisher": "Kaspersky Lab"}]}]}"#;
    let got = read("sbom/bom.json", cdx);
    assert!(
        got.iter()
            .any(|g| g.0 == "CycloneDX document supplier.name"),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.1 == "kaspersky.com" && g.0.contains("purl namespace")),
        "{got:?}"
    );
    assert!(
        got.iter().any(|g| g.0 == "CycloneDX document publisher"),
        "{got:?}"
    );
    let spdx = "SPDXVersion: SPDX-2.3\nPackageName: kav\nPackageSupplier: Organization: AO Kaspersky Lab\nPackageOriginator: NOASSERTION\nExternalRef: SECURITY cpe23Type cpe:2.3:a:kaspersky:anti-virus:21:*:*:*:*:*:*:*\n";
    let got = read("kav.spdx", spdx);
    assert!(
        got.contains(&(
            "SPDX document PackageSupplier".into(),
            "AO Kaspersky Lab".into(),
            3
        )),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.1 == "kaspersky" && g.0.contains("CPE vendor")),
        "{got:?}"
    );
}

#[test]
fn files_that_quote_names() {
    let yara = "rule kav_installer {\n  meta:\n    description = \"LegalCopyright © AO Kaspersky Lab\"\n  strings:\n    $a = \"AO Kaspersky Lab\"\n  condition:\n    $a\n}\n";
    assert_eq!(classify("rules/kav.yar", yara), FileClass::DetectionRule);
    let sigma = "title: x\nlogsource:\n  product: windows\ndetection:\n  sel:\n    Company: 'AO Kaspersky Lab'\n";
    assert_eq!(classify("rules/kav.yml", sigma), FileClass::DetectionRule);
    assert_eq!(
        classify("ci/config.yml", "jobs:\n  detection: x\n"),
        FileClass::Plain
    );
    let page = "<!DOCTYPE html><html><head><title>Securelist</title></head><body><footer>© 2024 AO Kaspersky Lab</footer></body></html>";
    assert_eq!(
        classify("tests/fixtures/article.html", page),
        FileClass::WebPage
    );
    assert_eq!(
        classify("docs/snippet.html", "<p>© AO Kaspersky Lab</p>"),
        FileClass::Plain
    );
    assert!(is_trademark_statement(
        "Kaspersky is a registered trademark of AO Kaspersky Lab."
    ));
    assert!(is_trademark_statement(
        "This project is not affiliated with Kaspersky."
    ));
    assert!(!is_trademark_statement(
        "Copyright (c) 2024 AO Kaspersky Lab"
    ));
    assert!(super::is_disclaimer(
        "This product no longer contains software developed by AO Kaspersky Lab."
    ));
    assert!(!super::is_disclaimer(
        "This notice may not be removed. Copyright (c) 2024 AO Kaspersky Lab"
    ));
    assert!(super::is_asserted_literal(
        "assert_eq!(holder(\"Copyright 2024 AO Kaspersky Lab\"), \"x\");"
    ));
    assert!(!super::is_asserted_literal(
        "/* Copyright (c) 2024 AO Kaspersky Lab; see assert.h */"
    ));
}

#[test]
fn pkg_config_names_links_and_expands_variables() {
    let got = read(
        "vendor/scanner.pc",
        "# SDK\nvendor=kaspersky\nprefix=/opt/${vendor}\nName: Scanner SDK\nDescription: made by ${vendor}\nURL: https://www.${vendor}.com/sdk\nRequires: zlib >= 1.2, kavbase\nLibs: -L${prefix}/lib -lkavsdk -lm\n",
    );
    assert_eq!(
        got,
        [
            ("pkg-config Libs (integration)".into(), "kavsdk".into(), 8),
            ("pkg-config Libs (integration)".into(), "m".into(), 8),
            ("pkg-config Name".into(), "Scanner SDK".into(), 4),
            (
                "pkg-config Requires (integration)".into(),
                "kavbase".into(),
                7
            ),
            ("pkg-config Requires (integration)".into(), "zlib".into(), 7),
            (
                "pkg-config URL".into(),
                "https://www.kaspersky.com/sdk".into(),
                6
            ),
        ],
        "a description stays prose; a version bound is not a module"
    );
}

#[test]
fn resource_scripts_and_build_scripts_that_set_version_information() {
    let got = read(
        "res/app.rc",
        "#define VER_COMPANY \"AO Kaspersky Lab\"\nBEGIN\n  VALUE \"companyname\", VER_COMPANY\n  VALUE \"LegalCopyright\", L\"(c) Example\\0\"\n  VALUE \"ProductName\", \"Kaspersky Endpoint\"\n  VALUE \"Comments\", \"works with Kaspersky\"\n  VALUE \"LegalTrademarks\", UNDEFINED_MACRO\nEND\n",
    );
    assert_eq!(
        got,
        [
            (
                "Windows resource script CompanyName".into(),
                "AO Kaspersky Lab".into(),
                3
            ),
            (
                "Windows resource script LegalCopyright".into(),
                "(c) Example".into(),
                4
            ),
        ],
        "product names and comments stay mentions; an undefined macro is no value"
    );
    let got = read(
        "build.rs",
        "// e.g. `res.set(\"CompanyName\", \"AO Kaspersky Lab\")`\n/* res.set(\"LegalCopyright\", \"AO Kaspersky Lab\")\n * res.set(\"LegalTrademarks\", \"AO Kaspersky Lab\") */\nlet mut res = winresource::WindowsResource::new();\nres.set(\"CompanyName\", \"AO Kaspersky Lab\");\nres.set(\"ProductName\", \"Agent\");\n",
    );
    assert_eq!(
        got,
        [(
            "Rust source version information CompanyName".into(),
            "AO Kaspersky Lab".into(),
            5
        )],
        "comments quoting a call set nothing"
    );
}

#[test]
fn imports_and_namespaces_in_other_languages() {
    let c = read(
        "csrc/glue.cpp",
        "#include <stdio.h>\n#include \"kaspersky/kav_sdk.h\"\nnamespace Kaspersky { namespace Scan {\nint f() { Kaspersky::Engine e; return 0; } // not Other::Thing\nconst char *s = \"Quoted::Name\";\nusing namespace kav;\n} }\n",
    );
    let has = |got: &[(String, String, u32)], field: &str, value: &str| {
        got.iter().any(|(f, v, _)| f == field && v == value)
    };
    assert!(
        has(
            &c,
            "C/C++ source #include (integration)",
            "kaspersky/kav_sdk.h"
        ),
        "{c:?}"
    );
    assert!(has(&c, "C/C++ source namespace", "Kaspersky"), "{c:?}");
    assert!(
        has(
            &c,
            "C/C++ source qualified name (integration)",
            "Kaspersky::Engine"
        ),
        "{c:?}"
    );
    assert!(
        has(&c, "C/C++ source using namespace (integration)", "kav"),
        "{c:?}"
    );
    assert!(
        !c.iter()
            .any(|(_, v, _)| v.contains("Other") || v.contains("Quoted")),
        "comments and strings are not code: {c:?}"
    );
    let cs = read(
        "Glue.cs",
        "using System;\nusing Scan = Kaspersky.Sdk.Scanning;\nnamespace Vendor.KasperskyGlue\n{\n  [DllImport(\"kavsdk64.dll\")] static extern int Init();\n}\n",
    );
    assert!(
        has(
            &cs,
            "C# source using (integration)",
            "Kaspersky.Sdk.Scanning"
        ),
        "{cs:?}"
    );
    assert!(
        has(
            &cs,
            "C# source namespace",
            "Vendor.KasperskyGlue (Vendor.Kaspersky Glue)"
        ),
        "{cs:?}"
    );
    assert!(
        has(&cs, "C# source DllImport (integration)", "kavsdk64"),
        "{cs:?}"
    );
    let js = read(
        "ui/app.ts",
        "import { Engine } from \"@kaspersky/sdk\";\nimport {\n  a,\n} from 'kaspersky-ui';\nimport logo from \"./kaspersky.svg\";\nexport const name = \"kaspersky\";\nconst x = require(\"kav-engine\");\n// require(\"kaspersky-old\")\nawait import('kaspersky-lazy');\n",
    );
    let modules: Vec<&str> = js.iter().map(|(_, v, _)| v.as_str()).collect();
    assert_eq!(
        modules,
        [
            "@kaspersky/sdk",
            "kaspersky-lazy",
            "kaspersky-ui",
            "kav-engine"
        ],
        "relative paths, constants and comments are not modules"
    );
    let py = read(
        "py/glue.py",
        "import os, kavsdk as k\nfrom kaspersky.sdk import Scanner\nfrom . import kaspersky_local\n# import kaspersky_old\nlib = ctypes.CDLL(\"libkavsdk.so.8\")\nNAMES = [\"kaspersky\"]\n",
    );
    assert!(
        has(&py, "Python source import (integration)", "kavsdk"),
        "{py:?}"
    );
    assert!(
        has(
            &py,
            "Python source from … import (integration)",
            "kaspersky.sdk"
        ),
        "{py:?}"
    );
    assert!(
        has(&py, "Python source dynamic load (integration)", "kavsdk"),
        "{py:?}"
    );
    assert!(
        !py.iter()
            .any(|(_, v, _)| v.contains("old") || v.contains("local")),
        "{py:?}"
    );
    let php = read(
        "src/Glue.php",
        "<?php\nnamespace Kaspersky\\Glue;\nuse Kaspersky\\Sdk\\Scanner;\n",
    );
    assert!(
        has(&php, "PHP source namespace", "Kaspersky\\Glue"),
        "{php:?}"
    );
    assert!(
        has(
            &php,
            "PHP source use (integration)",
            "Kaspersky\\Sdk\\Scanner"
        ),
        "{php:?}"
    );
    let rb = read(
        "lib/glue.rb",
        "require 'kaspersky/engine'\nrequire_relative 'kaspersky_local'\nrequire './kaspersky_path'\n",
    );
    assert_eq!(
        rb,
        [(
            "Ruby source require (integration)".into(),
            "kaspersky/engine".into(),
            1
        )]
    );
    let objc = read("ios/Glue.m", "#import <KasperskySDK/KasperskySDK.h>\n");
    assert_eq!(
        objc,
        [(
            "C/C++ source #import (integration)".into(),
            "KasperskySDK/KasperskySDK.h (Kaspersky SDK/Kaspersky SDK.h)".into(),
            1
        )]
    );
    let swift = read(
        "ios/Glue.swift",
        "import Foundation\n@testable import KasperskyMobileSDK\n",
    );
    assert!(
        has(
            &swift,
            "Swift source import (integration)",
            "KasperskyMobileSDK (Kaspersky Mobile SDK)"
        ),
        "{swift:?}"
    );
}

#[test]
fn a_python_docstring_example_imports_nothing() {
    let got = read(
        "py/client.py",
        "\"\"\"Usage:\n\n    from kaspersky.docs import Example\n    import kaspersky_example\n\"\"\"\nimport json\nfrom kaspersky.real import Client\n",
    );
    let got: Vec<(&str, u32)> = got.iter().map(|(_, v, l)| (v.as_str(), *l)).collect();
    assert_eq!(
        got,
        [("kaspersky.real", 7), ("json", 6)],
        "lines stay those of the file"
    );
}

/// Lockfiles and dependency lists name their packages where their format puts them, each on
/// its line, written with its words; what else they say (a description, a comment) is not a
/// package.
#[test]
fn lockfiles_name_their_packages() {
    let names = |file: &str, text: &str| -> Vec<(String, u32)> {
        fields(file, text)
            .into_iter()
            .filter(|f| f.key == "package" && f.kind == FieldKind::Integration)
            .map(|f| (f.value, f.line))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let yarn = "# yarn lockfile v1\n# kav-ui was dropped\n\n\"@kaspersky/hexa-ui@^1.2.0\", \"@kaspersky/hexa-ui@^1.1\":\n  version \"1.2.0\"\n\nleft-pad@^1.3.0:\n  version \"1.3.0\"\n";
    assert_eq!(
        names("yarn.lock", yarn),
        [
            ("@kaspersky/hexa-ui".to_string(), 4),
            ("left-pad".to_string(), 7)
        ]
    );
    let poetry = "[[package]]\nname = \"threatparse\"\ndescription = \"Reads Kaspersky reports\"\n\n[[package]]\nname = \"kaspersky-sdk\"\n";
    assert_eq!(
        names("poetry.lock", poetry),
        [
            ("kaspersky-sdk".to_string(), 6),
            ("threatparse".to_string(), 2)
        ]
    );
    // JSON paths: every target framework's packages, at the line they are keys on.
    let nuget = "{\n  \"dependencies\": {\n    \"net8.0\": {\n      \"Kaspersky.ScanEngine\": {\"resolved\": \"2.0.0\"}\n    },\n    \"net6.0\": {\"Zlib\": {}}\n  }\n}\n";
    let got = names("packages.lock.json", nuget);
    assert_eq!(
        got,
        [
            (
                "Kaspersky.ScanEngine (Kaspersky.Scan Engine)".to_string(),
                4
            ),
            ("Zlib".to_string(), 6)
        ]
    );
    assert!(names("packages.lock.json", "{not json").is_empty());
    // A name run together is also read as its words.
    assert_eq!(
        names(
            "Podfile.lock",
            "PODS:\n  - KasperskyMobileSDK (3.1.0)\n  - Firebase/Core (10.0)\n"
        ),
        [
            ("Firebase".to_string(), 3),
            ("KasperskyMobileSDK (Kaspersky Mobile SDK)".to_string(), 2)
        ]
    );
    // A lockfile's URLs are integration too (the dependency manifests' rule).
    let gemlock = "GEM\n  remote: https://gems.example.org/\n  specs:\n    scan-client (1.0.0)\n";
    let got = fields("Gemfile.lock", gemlock);
    assert!(
        got.iter()
            .any(|f| f.shape == Shape::Url && f.value == "https://gems.example.org/"),
        "{got:?}"
    );
    assert!(got.iter().any(|f| f.value == "scan-client"), "{got:?}");
    // Lists of requirements, over continuation lines, each name on its own line.
    let description = "Package: scanner\nTitle: Reads Kaspersky reports\nImports:\n    httr (>= 1.4),\n    kavR\nLicense: MIT\n";
    assert_eq!(
        names("DESCRIPTION", description),
        [("httr".to_string(), 4), ("kavR (kav R)".to_string(), 5)]
    );
    let cabal = "name: scanner\nlibrary\n  build-depends: base >=4.14,\n                 kav-sdk >=1.0\n  exposed-modules: Scanner\n";
    assert_eq!(
        names("scanner.cabal", cabal),
        [("base".to_string(), 3), ("kav-sdk".to_string(), 4)]
    );
    // A container image, not a commented-out one; a nested Rust manifest's dependencies.
    assert_eq!(
        names(
            "Dockerfile",
            "# FROM old/image\nFROM --platform=linux/amd64 kav/engine:2 AS av\n"
        ),
        [("kav/engine:2".to_string(), 2)]
    );
    // A Helm chart's values: an image on one line, an `image:` map's `repository:`, in
    // `values.yaml` and in an environment's `values-prod.yml`; a map header names nothing.
    let values = "# image: old/engine\nengine:\n  image: \"kav/engine:2\"\nscanner:\n  image:\n    repository: kav/scanner\n    tag: \"1.0\"\n";
    for file in ["chart/values.yaml", "chart/values-prod.yml"] {
        assert_eq!(
            names(file, values),
            [
                ("kav/engine:2".to_string(), 3),
                ("kav/scanner".to_string(), 6)
            ],
            "{file}"
        );
    }
    assert!(names("chart/myvalues.yaml", values).is_empty());
    // Build files: Meson's lookups, Gradle's file libraries and coordinates, a makefile's link
    // flags (every one on a line), none of them in comments.
    let meson = "# old = dependency('kav-old')\nkav = dependency('kav-sdk', version: '>=2')\nm = cc.find_library(\"m\")\n";
    assert_eq!(
        names("meson.build", meson),
        [("kav-sdk".to_string(), 2), ("m".to_string(), 3)]
    );
    let gradle = "dependencies {\n    // implementation files('libs/old.aar')\n    implementation files('libs/kav-sdk.aar')\n    api(\"com.kav:engine:2.0\")\n    implementation \"org.x:y:$ver\"\n}\n";
    for file in ["app/build.gradle", "app/build.gradle.kts"] {
        assert_eq!(
            names(file, gradle),
            [
                ("com.kav:engine:2.0".to_string(), 4),
                ("libs/kav-sdk.aar".to_string(), 3)
            ],
            "{file}"
        );
    }
    // Autoconf (an m4 `dnl` comment is a comment, `dnl` inside a word is not), qmake, Bazel's
    // prebuilt libraries and link options, SCons' libraries.
    let autoconf = "dnl PKG_CHECK_MODULES([OLD], [old-sdk])\nPKG_CHECK_MODULES([KAV], [kav-engine >= 2])\nAC_CHECK_LIB([kavsdk], [init]) # AC_CHECK_LIB([gone])\nAC_CHECK_LIB([dnlx], [f])\n";
    assert_eq!(
        names("configure.ac", autoconf),
        [
            ("dnlx".to_string(), 4),
            ("kav-engine".to_string(), 2),
            ("kavsdk".to_string(), 3)
        ]
    );
    assert_eq!(
        names("app.pro", "# LIBS += -lold\nLIBS += -L$$PWD/lib -lKavSDK\n"),
        [("KavSDK (Kav SDK)".to_string(), 2)]
    );
    let build = "cc_import(\n    name = \"kav\",\n    shared_library = \"lib/libkav_sdk.so.2\",\n    static_library = \"kav.a\",\n)\ncc_binary(name = \"x\", linkopts = [\"-lkavcore\"])\n";
    assert_eq!(
        names("third_party/BUILD.bazel", build),
        [
            ("kav".to_string(), 4),
            ("kav_sdk".to_string(), 3),
            ("kavcore".to_string(), 6)
        ]
    );
    assert_eq!(
        names(
            "SConstruct",
            "env.Append(LIBS=['m', 'kavsdk'], CPPPATH=['/opt/kav/include'])\n"
        ),
        [
            ("/opt/kav/include".to_string(), 1),
            ("kavsdk".to_string(), 1),
            ("m".to_string(), 1)
        ]
    );
    let make = "# -lold\nCFLAGS += -I/opt/kav/include -O2\nLDLIBS = -L /opt/kav/lib -lkavsdk -lm # -lgone\n";
    assert_eq!(
        names("Makefile", make),
        [
            ("/opt/kav/include".to_string(), 2),
            ("/opt/kav/lib".to_string(), 3),
            ("kavsdk".to_string(), 3),
            ("m".to_string(), 3)
        ]
    );
    assert!(names("chart/values.yaml.orig", values).is_empty());
    let cargo = "[package]\nname = \"agent\"\ndescription = \"Reads Kaspersky reports\"\n\n[dependencies]\nkav-sdk = \"1\"\n\n[dependencies.scan-client]\nversion = \"2\"\n";
    let got: Vec<String> = names("tools/agent/Cargo.toml", cargo)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(got.contains(&"kav-sdk".to_string()) && got.contains(&"scan-client".to_string()));
    assert!(!got.iter().any(|n| n.contains("Kaspersky")), "{got:?}");
    // A source map's packages, not its own sources or their content.
    let map = r#"{"sources":["webpack:///./node_modules/@kav/ui/dist/x.js","webpack:///./src/app.ts"],"sourcesContent":["// not node_modules/other"]}"#;
    let got: Vec<String> = names("app.js.map", map)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(got.contains(&"@kav/ui".to_string()), "{got:?}");
    assert!(!got.iter().any(|n| n.starts_with("src")), "{got:?}");
    // Only the files named: the same lines elsewhere name nothing.
    assert!(names("notes.txt", yarn).is_empty());
}

/// Python metadata's requirements and Go's replacements are what the package runs with.
#[test]
fn requirements_and_replacements_are_integration() {
    let meta = "Metadata-Version: 2.1\nName: scanner\nSummary: Reads Kaspersky reports\nRequires-Dist: kav-sdk (>=1.0) ; extra == \"av\"\n";
    let got = fields("METADATA", meta);
    assert!(
        got.iter()
            .any(|f| f.kind == FieldKind::Integration && f.value == "kav-sdk" && f.line == 4),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|f| f.value.contains("Kaspersky")),
        "{got:?}"
    );
    let work = "go 1.21\nuse ./app\nreplace example.com/x => kav.example/x v1.0.0\n";
    let got = fields("go.work", work);
    assert!(
        got.iter()
            .any(|f| f.key == "replace" && f.value == "https://kav.example/x"),
        "{got:?}"
    );
}

/// Manifests other recognisers read also say what they install: Composer's `require`,
/// vcpkg's dependencies, conan references, CMake's fetches, Python's requirement lists and
/// MSBuild's package references; a commented-out one is not read.
#[test]
fn manifests_name_what_they_install() {
    let installs = |file: &str, text: &str| -> Vec<String> {
        fields(file, text)
            .into_iter()
            .filter(|f| f.kind == FieldKind::Integration)
            .map(|f| f.value)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    assert_eq!(
        installs(
            "composer.json",
            "{\"require\": {\"php\": \">=8\", \"kaspersky/scan-engine\": \"^2\"}}"
        ),
        ["kaspersky/scan-engine", "php"]
    );
    assert_eq!(
        installs(
            "vcpkg.json",
            "{\"dependencies\": [\"zlib\", {\"name\": \"kav-sdk\"}]}"
        ),
        ["kav-sdk", "zlib"]
    );
    assert_eq!(
        installs(
            "conanfile.txt",
            "[requires]\nkav-sdk/1.0@vendor/stable\n\n[generators]\nCMakeDeps\n"
        ),
        ["kav-sdk"]
    );
    assert_eq!(
        installs(
            "conanfile.py",
            "class A(ConanFile):\n    # requires = \"old-sdk/1.0\"\n    def requirements(self):\n        self.requires(\"kav-sdk/[>=1.0]\")\n"
        ),
        ["kav-sdk"]
    );
    let cmake = "# GIT_REPOSITORY https://example.org/old.git\nFetchContent_Declare(kav\n  GIT_REPOSITORY https://github.com/KasperskyLab/kav-sdk.git)\nCPMAddPackage(\"gh:KasperskyLab/agent@1.0\")\n";
    assert_eq!(
        installs("CMakeLists.txt", cmake),
        [
            "https://github.com/KasperskyLab/agent",
            "https://github.com/KasperskyLab/kav-sdk.git"
        ]
    );
    let pyproject = "[project]\nname = \"app\"\ndescription = \"Reads Kaspersky reports\"\ndependencies = [\"requests>=2\", \"kav-sdk[fast]>=1\"]\n\n[project.optional-dependencies]\ngui = [\"PyQt6\"]\n\n[tool.poetry.dependencies]\npython = \"^3.10\"\nscan-client = \"^1\"\n";
    let got = installs("pyproject.toml", pyproject);
    assert_eq!(
        got,
        ["PyQt6 (Py Qt6)", "kav-sdk", "requests", "scan-client"]
    );
    assert_eq!(
        installs(
            "setup.cfg",
            "[options]\ninstall_requires =\n    requests>=2\n    kav-sdk\n"
        ),
        ["kav-sdk", "requests"]
    );
    assert_eq!(
        installs(
            "App.csproj",
            "<Project>\n  <ItemGroup>\n    <PackageReference Include=\"KasperskyScanEngine\" Version=\"2\" />\n  </ItemGroup>\n</Project>\n"
        ),
        ["KasperskyScanEngine (Kaspersky Scan Engine)"]
    );
}

/// An SPDX 3 document names who supplied a package through a reference to an agent element:
/// the agent's name is read, not the reference; a summary is not.
#[test]
fn spdx3_agents_are_resolved() {
    let doc = r#"{
  "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
  "@graph": [
    {"type": "Organization", "spdxId": "urn:x:org-1", "name": "Kav Labs"},
    {"type": "software_Package", "spdxId": "urn:x:pkg-1", "summary": "about Kaspersky",
     "suppliedBy": ["urn:x:org-1", "urn:x:org-unknown"],
     "externalIdentifier": [{"type": "ExternalIdentifier", "identifier": "pkg:npm/%40kav/ui@1.0"}]}
  ]
}"#;
    let got = fields("bom.spdx3.json", doc);
    let suppliers: Vec<&str> = got
        .iter()
        .filter(|f| f.key == "suppliedBy")
        .map(|f| f.value.as_str())
        .collect();
    assert_eq!(suppliers, ["Kav Labs", "urn:x:org-unknown"], "{got:?}");
    assert!(
        got.iter().all(|f| f.format == MetadataFormat::Spdx),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|f| f.value.contains("Kaspersky")),
        "{got:?}"
    );
    assert!(
        got.iter().any(|f| f.key.starts_with("externalIdentifier")),
        "{got:?}"
    );
}

/// CMake's package lookups and links, past keywords, variables and the caller's own target;
/// a pkg-config template's required modules.
#[test]
fn cmake_and_pkg_config_templates_name_what_they_link() {
    let links = |file: &str, text: &str| -> Vec<String> {
        fields(file, text)
            .into_iter()
            .filter(|f| f.kind == FieldKind::Integration)
            .map(|f| f.value)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let cmake = "# find_package(Gone)\nfind_package(KavSDK 2.0 REQUIRED COMPONENTS scan)\npkg_check_modules(KAV REQUIRED IMPORTED_TARGET kav-engine>=2.0)\nfind_library(KAV_LIB NAMES kavsdk PATHS /opt/kav/lib)\ntarget_link_libraries(app PRIVATE KavSDK::scan ${KAV_LIB} m)\n";
    let got = links("CMakeLists.txt", cmake);
    assert_eq!(
        got,
        [
            "KavSDK (Kav SDK)",
            "KavSDK scan (Kav SDK scan)",
            "kav-engine",
            "kavsdk",
            "m",
            "scan"
        ],
        "{got:?}"
    );
    let pc = "prefix=@prefix@\nName: scanner\nDescription: reads reports\nRequires: kav-engine >= 2.0, zlib\n";
    let got = links("scanner.pc.in", pc);
    assert!(got.iter().any(|v| v.starts_with("kav-engine")), "{got:?}");
}

#[test]
fn libraries_loaded_at_run_time_are_integration_in_every_language() {
    let cases: &[(&str, &str)] = &[
        (
            "native/loader.c",
            "void *h = dlopen(\"libkavsdk.so.8\", RTLD_NOW);\n",
        ),
        (
            "native/ns.c",
            "void *h = dlmopen(LM_ID_NEWLM, \"/opt/kav/lib/libkavsdk.so\", RTLD_NOW);\n",
        ),
        (
            "win/load.cpp",
            "HMODULE m = LoadLibraryExW(L\"kavsdk.dll\", NULL, 0);\n",
        ),
        (
            "Scan.java",
            "class S { static { System.loadLibrary(\"kavsdk\"); } }\n",
        ),
        (
            "Jna.kt",
            "val lib = Native.load(\"kavsdk\", Engine::class.java)\n",
        ),
        ("Interop.cs", "var h = NativeLibrary.Load(\"kavsdk\");\n"),
        (
            "engine.js",
            "const e = ffi.Library('libkavsdk', { scan: ['int', ['string']] });\n",
        ),
        ("engine.ts", "const lib = koffi.load(\"libkavsdk.so\");\n"),
        ("engine.py", "lib = ffi.dlopen(\"libkavsdk.so\")\n"),
        (
            "engine.rb",
            "module Engine\n  extend FFI::Library\n  ffi_lib 'kavsdk'\nend\n",
        ),
        (
            "engine.php",
            "<?php\n$ffi = FFI::cdef(\"int scan(const char *p);\", \"libkavsdk.so\");\n",
        ),
        (
            "engine.go",
            "package e\n\nvar dll = windows.NewLazySystemDLL(\"kavsdk.dll\")\n",
        ),
        (
            "Loader.swift",
            "let h = dlopen(\"libkavsdk.dylib\", RTLD_NOW)\n",
        ),
    ];
    for (name, text) in cases {
        let got = read(name, text);
        assert!(
            got.iter()
                .any(|g| g.0.ends_with("dynamic load (integration)") && g.1 == "kavsdk"),
            "{name}: {got:?}"
        );
    }
    // A comment loads nothing.
    for (name, text) in [
        (
            "native/loader.c",
            "// dlopen(\"libkavsdk.so\", RTLD_NOW) was the old engine\n",
        ),
        (
            "native/loader.c",
            "/* dlopen(\"libkavsdk.so\")\n * LoadLibrary(\"kavsdk.dll\") */\n",
        ),
        ("engine.py", "# lib = CDLL(\"libkavsdk.so\")\n"),
        ("engine.rb", "# ffi_lib 'kavsdk'\n"),
    ] {
        let got = read(name, text);
        assert!(
            !got.iter().any(|g| g.0.contains("dynamic load")),
            "{name}: {got:?}"
        );
    }
}

#[test]
fn libraries_named_through_a_constant_or_inside_a_path_are_loads() {
    let loads = |name: &str, text: &str| -> Vec<String> {
        let mut got: Vec<String> = read(name, text)
            .into_iter()
            .filter(|g| g.0.ends_with("dynamic load (integration)") || g.0.contains("DllImport"))
            .map(|g| g.1)
            .collect();
        got.sort();
        got.dedup();
        got
    };
    for (name, text) in [
        (
            "native/loader.c",
            "#ifdef _WIN32\n#define ENGINE \"kavsdk.dll\"\n#else\n#define ENGINE \"libkavsdk.so.8\"\n#endif\nvoid *h = dlopen(ENGINE, RTLD_NOW);\n",
        ),
        (
            "native/loader.cpp",
            "static const char kEngine[] = \"libkavsdk.so\";\nauto h = ::dlopen(kEngine, RTLD_LAZY);\n",
        ),
        (
            "Engine.java",
            "class E {\n  private static final String LIB = \"kavsdk\";\n  static { System.loadLibrary(Config.LIB); }\n}\n",
        ),
        (
            "Engine.kt",
            "const val LIB = \"kavsdk\"\nfun load() = System.loadLibrary(LIB)\n",
        ),
        (
            "Native.cs",
            "const string Lib = \"kavsdk\";\n[DllImport(Lib, EntryPoint = \"scan\")]\nstatic extern int Scan(string p);\n",
        ),
        (
            "engine.py",
            "LIB = r\"kavsdk.dll\"\nh = ctypes.WinDLL(LIB)\n",
        ),
        (
            "engine.py",
            "path = os.path.join(os.path.dirname(__file__), \"libkavsdk.so\")\nh = ctypes.cdll.LoadLibrary(path)\n",
        ),
        (
            "engine.py",
            "h = ctypes.CDLL(str(Path(__file__).with_name(\"libkavsdk.so.8\")))\n",
        ),
        ("engine.py", "ctypes.windll.kavsdk.Scan(0)\n"),
        (
            "engine.py",
            "h = CDLL(ctypes.util.find_library(\"kavsdk\"))\n",
        ),
        (
            "engine.ts",
            "const LIB: string = 'libkavsdk.so';\nconst e = koffi.load(LIB);\n",
        ),
        (
            "engine.go",
            "const dll = \"kavsdk.dll\"\nvar d = syscall.NewLazyDLL(dll)\n",
        ),
        (
            "engine.go",
            "name := \"kavsdk.dll\"\nd := windows.MustLoadDLL(name)\n",
        ),
        (
            "engine.php",
            "<?php\n$lib = 'libkavsdk.so';\n$ffi = FFI::cdef($decls, $lib);\n",
        ),
        (
            "src/engine.rs",
            "const ENGINE: &str = \"libkavsdk.so.8\";\nfn f() { unsafe { Library::new(ENGINE) }; }\n",
        ),
        (
            "src/engine.rs",
            "fn f(d: &Path) { unsafe { Library::new(d.join(\"libkavsdk.so\")) }; }\n",
        ),
        (
            "src/engine.rs",
            "fn f() { unsafe { Library::new(libloading::library_filename(\"kavsdk\")) }; }\n",
        ),
    ] {
        assert_eq!(loads(name, text), ["kavsdk"], "{name}: {text}");
    }
    // A constant that names no library, a load whose name is bound only in a comment, a name
    // compared rather than bound, a library that is not the listed one: nothing, or only that.
    for (name, text, want) in [
        (
            "loader.c",
            "// #define ENGINE \"libkavsdk.so\"\nvoid *h = dlopen(ENGINE, 0);\n",
            &[][..],
        ),
        (
            "engine.py",
            "VENDOR = \"kaspersky\"\nh = ctypes.CDLL(os.path.join(d, VENDOR + \".txt\"))\n",
            &[],
        ),
        (
            "engine.py",
            "# LIB = \"kavsdk.dll\"\nLIB = \"clamav.dll\"\nh = ctypes.CDLL(LIB)\n",
            &["clamav"],
        ),
        (
            "Engine.java",
            "if (LIB == \"kavsdk\") {}\nSystem.loadLibrary(LIB);\n",
            &[],
        ),
    ] {
        assert_eq!(loads(name, text), want, "{name}: {text}");
    }
}

#[test]
fn cgo_link_flags_are_integration() {
    let text = "package scan\n\n// #cgo linux LDFLAGS: -L${SRCDIR}/lib -lkavsdk ${SRCDIR}/lib/libklengine.a\n// #include \"engine.h\"\nimport \"C\"\n";
    let got: Vec<(String, String)> = read("scan/scan.go", text)
        .into_iter()
        .map(|g| (g.0, g.1))
        .collect();
    assert!(
        got.contains(&(
            "Go source #cgo LDFLAGS (integration)".into(),
            "kavsdk".into()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "Go source #cgo LDFLAGS (integration)".into(),
            "klengine".into()
        )),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|g| g.1.starts_with('$') || g.1.starts_with('-')),
        "{got:?}"
    );
}

#[test]
fn an_extension_modules_libraries_are_integration() {
    let setup = "from setuptools import setup, Extension\nsetup(name=\"scanner\", ext_modules=[Extension(\"scanner._engine\", [\"src/engine.c\"], libraries=[\"vendorsdk\", \"m\"])])\n";
    let got = read("py/setup.py", setup);
    assert!(
        got.iter()
            .any(|g| g.0 == "Python build libraries (integration)" && g.1 == "vendorsdk"),
        "{got:?}"
    );
    let pyproject = "[project]\nname = \"scanner\"\n\n[[tool.setuptools.ext-modules]]\nname = \"scanner._engine\"\nsources = [\"src/engine.c\"]\nlibraries = [\"vendorsdk\"]\n";
    let got = read("pyproject.toml", pyproject);
    assert!(
        got.iter()
            .any(|g| g.0 == "Python build libraries (integration)" && g.1 == "vendorsdk"),
        "{got:?}"
    );
}

#[test]
fn prebuilt_libraries_a_build_takes_from_files_are_integration() {
    let has = |name: &str, text: &str, key: &str, value: &str| {
        let got = read(name, text);
        assert!(
            got.iter().any(|g| g.0 == key && g.1 == value),
            "{name}: {key} = {value} not in {got:?}"
        );
    };
    has(
        "dotnet/Scanner.csproj",
        "<Project>\n  <ItemGroup>\n    <None Include=\"runtimes/linux-x64/native/libvendorsdk.so\" />\n    <None Include=\"docs/vendorsdk.md\" />\n    <NativeLibrary Include=\"lib/vendorengine.lib\" />\n    <Reference Include=\"Engine\"><HintPath>lib\\VendorScan.dll</HintPath></Reference>\n  </ItemGroup>\n</Project>\n",
        "MSBuild project <None Include> (integration)",
        "vendorsdk",
    );
    has(
        "dotnet/Scanner.csproj",
        "<Project><ItemGroup><NativeLibrary Include=\"lib/vendorengine.lib\" /></ItemGroup></Project>\n",
        "MSBuild project <NativeLibrary Include> (integration)",
        "vendorengine",
    );
    has(
        "dotnet/Scanner.csproj",
        "<Project><ItemGroup><Reference Include=\"Engine\"><HintPath>lib\\VendorScan.dll</HintPath></Reference></ItemGroup></Project>\n",
        "MSBuild project <HintPath> (integration)",
        "VendorScan",
    );
    // A document copied beside the output is no library.
    let got = read(
        "dotnet/Scanner.csproj",
        "<Project><ItemGroup><None Include=\"docs/vendorsdk.md\" /></ItemGroup></Project>\n",
    );
    assert!(
        !got.iter().any(|g| g.0.contains("<None Include>")),
        "{got:?}"
    );
    has(
        "java/pom.xml",
        "<project><dependencies><dependency><scope>system</scope><systemPath>${project.basedir}/lib/vendorsdk.jar</systemPath></dependency></dependencies></project>\n",
        "Maven POM <systemPath> (integration)",
        "vendorsdk",
    );
    has(
        "ios/Package.swift",
        "let package = Package(name: \"S\", targets: [\n  .binaryTarget(name: \"Engine\", path: \"Frameworks/VendorSDK.xcframework\"),\n])\n",
        "package manifest package (integration)",
        "Frameworks/VendorSDK.xcframework (Frameworks/Vendor SDK.xcframework)",
    );
    has(
        "android/app/build.gradle",
        "dependencies {\n    implementation(name: 'vendorsdk-release', ext: 'aar')\n}\n",
        "package manifest package (integration)",
        "vendorsdk-release",
    );
}

#[test]
fn macos_installer_package_identifiers_are_reverse_domains() {
    let info = "<?xml version=\"1.0\"?>\n<pkg-info format-version=\"2\" identifier=\"com.kaspersky.kes.agent\" version=\"12.0\"/>\n";
    let got = read("Agent.pkg!agent.pkg/PackageInfo", info);
    assert!(
        got.iter()
            .any(|g| g.0.starts_with("macOS installer package <pkg-info>")
                && g.1 == "agent.kes.kaspersky.com"),
        "{got:?}"
    );
    let dist = "<?xml version=\"1.0\"?>\n<installer-gui-script minSpecVersion=\"2\">\n<title>Agent</title>\n<pkg-ref id=\"com.kaspersky.kes.agent\"/>\n<pkg-ref id=\"com.kaspersky.kes.agent\" version=\"12\">#agent.pkg</pkg-ref>\n</installer-gui-script>\n";
    let got = read("Distribution", dist);
    assert_eq!(got.len(), 1, "{got:?}");
    // Another file of the same name, and an identifier that is no reverse domain.
    assert!(read("docs/PackageInfo", "identifier=\"com.kaspersky.x\"\n").is_empty());
    assert!(read("PackageInfo", "<pkg-info identifier=\"agent\"/>\n").is_empty());
}

#[test]
fn library_files_are_known_by_their_loader_suffix() {
    for yes in [
        "libkavsdk.so.8",
        "lib/x64/kavsdk.dll",
        "KAVSDK.framework/KAVSDK",
        "libkavsdk.a",
        "kavsdk.LIB",
        "runtimes\\win-x64\\native\\kavsdk.dll",
    ] {
        assert!(library_file(yes), "{yes}");
    }
    for no in [
        "libnotes.md",
        "kavsdk",
        ".so",
        "notes.solution",
        "kavsdk.dll.md",
        "lib",
    ] {
        assert!(!library_file(no), "{no}");
    }
    // MSBuild: a document copied beside the output is no library, whatever its prefix.
    let proj = "<Project><ItemGroup><None Include=\"docs\\libnotes.md\" CopyToOutputDirectory=\"Always\" /><None Include=\"native\\kavsdk.dll\" CopyToOutputDirectory=\"Always\" /></ItemGroup></Project>\n";
    let got = read("Scanner.csproj", proj);
    let values: Vec<&str> = got
        .iter()
        .filter(|g| g.0.contains("<None Include>"))
        .map(|g| g.1.as_str())
        .collect();
    assert_eq!(values, ["kavsdk"], "{got:?}");
}

#[test]
fn load_calls_through_many_names_are_bounded() {
    let mut c = String::from("#define ENGINE \"libkavsdk.so\"\nvoid *e = dlopen(ENGINE, 0);\n");
    for i in 0..2000 {
        c.push_str(&format!("void *h{i} = dlopen(NAME{i}, 0);\n"));
    }
    let got = read("loader.c", &c);
    assert!(
        got.iter()
            .any(|g| g.0.ends_with("dynamic load (integration)") && g.1 == "kavsdk"),
        "{got:?}"
    );
}

#[test]
fn what_only_tests_use_or_a_build_leaves_out_is_not_read() {
    let pom = "<project>\n  <dependencies>\n    <dependency>\n      <groupId>org.example</groupId>\n      <artifactId>bundle</artifactId>\n      <exclusions>\n        <exclusion>\n          <groupId>com.vendor.sdk</groupId>\n        </exclusion>\n      </exclusions>\n    </dependency>\n    <dependency>\n      <groupId>com.vendor.vectors</groupId>\n      <scope> test </scope>\n    </dependency>\n    <dependency>\n      <groupId>com.vendor.engine</groupId>\n      <scope>runtime</scope>\n    </dependency>\n  </dependencies>\n</project>\n";
    let hosts: Vec<String> = read("pom.xml", pom).into_iter().map(|r| r.1).collect();
    assert_eq!(hosts, ["engine.vendor.com", "example.org"]);
    let gradle = "dependencies {\n    testImplementation \"com.vendor:vectors:1.0\"\n    androidTestImplementation 'com.vendor:ui-test:1.0'\n    implementation 'com.vendor:engine:8.1'\n}\n";
    let got: Vec<String> = read("build.gradle", gradle)
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert_eq!(got, ["com.vendor:engine:8.1"]);
    let pyproject = "[project]\nname = \"agent\"\ndependencies = [\"vendor-engine>=8\"]\n\n[project.optional-dependencies]\nscan = [\"vendor-extra\"]\n\n[dependency-groups]\ntest = [\"vendor-vectors>=1.0\"]\n\n[tool.poetry.group.dev.dependencies]\nvendor-lint = \"^1\"\n\n[tool.uv]\ndev-dependencies = [\"vendor-dev\"]\n";
    let got: Vec<String> = read("pyproject.toml", pyproject)
        .into_iter()
        .filter(|r| r.0.contains("integration"))
        .map(|r| r.1)
        .collect();
    assert_eq!(got, ["vendor-engine", "vendor-extra"]);
    let go = "package engine_test\n\nimport kav \"github.com/vendor/sdk-go\"\n";
    assert!(read("engine/compat_test.go", go).is_empty());
    assert!(!read("engine/compat.go", go).is_empty());
}

#[test]
fn an_assemblys_own_version_information_attributes() {
    let cs = "using System.Reflection;\n[assembly: AssemblyCompany(\"Vendor Labs\")]\n[assembly: System.Reflection.AssemblyCopyrightAttribute(@\"Copyright 2024 Vendor Labs\")]\n[assembly: AssemblyTrademark(\"Vendor\")]\n[assembly: AssemblyProduct(\"Scan Engine\")]\n// [assembly: AssemblyCompany(\"Old Vendor\")]\n";
    let got: Vec<(String, String)> = read("Properties/AssemblyInfo.cs", cs)
        .into_iter()
        .filter(|r| r.0.contains("Assembly"))
        .map(|r| (r.0, r.1))
        .collect();
    assert_eq!(
        got,
        [
            ("C# source AssemblyCompany".into(), "Vendor Labs".into()),
            (
                "C# source AssemblyCopyright".into(),
                "Copyright 2024 Vendor Labs".into()
            ),
            ("C# source AssemblyTrademark".into(), "Vendor".into()),
        ]
    );
}

#[test]
fn npm_dependencies_from_an_alias_or_a_hosting_shorthand() {
    let npm = "{\"name\": \"ui\", \"dependencies\": {\"engine\": \"npm:@vendor/engine@^4.2.0\", \"js\": \"github:VendorLab/engine-js#v4\", \"short\": \"VendorLab/short-js#^1\", \"gl\": \"gitlab:vendor/x\", \"local\": \"file:../x\", \"range\": \"^1.2.3\", \"tag\": \"latest\"}}";
    let mut got: Vec<String> = read("package.json", npm).into_iter().map(|r| r.1).collect();
    got.sort();
    assert_eq!(
        got,
        [
            "https://github.com/VendorLab/engine-js",
            "https://github.com/VendorLab/short-js",
            "https://gitlab.com/vendor/x",
            "vendor",
        ]
    );
    let deno = "{\n  \"imports\": {\n    \"scan\": \"jsr:@vendor/engine@^1.2.0\",\n    \"std/\": \"https://deno.land/std@0.208.0/\"\n  }\n}\n";
    let got: Vec<String> = read("deno.json", deno).into_iter().map(|r| r.1).collect();
    assert!(got.contains(&"@vendor/engine".to_string()), "{got:?}");
}

#[test]
fn linker_and_rustc_arguments_name_the_libraries_they_link() {
    assert_eq!(
        linker_libraries([
            "-lkavsdk",
            "-l kavsdk2",
            "--library=kavsdk3",
            "-l:libkavsdk4.so.8",
            "-Wl,--no-as-needed,-lkavsdk5",
            "-Xlinker -lkavsdk6",
            "-framework KAVSDK",
            "/DEFAULTLIB:kavsdk7.lib",
            "/opt/x/libkavsdk8.so.8",
            "kavsdk9.lib",
            // What a linker writes or searches links nothing.
            "-o kavsdk.exe",
            "-Wl,-soname,libkavsdk.so.1",
            "-Wl,-rpath,/opt/kaspersky/lib/libdir.so",
            "-L/opt/kaspersky/lib",
            "/OUT:kavsdk.dll",
            "--as-needed",
            "-lkavsdk",
        ]),
        [
            "kavsdk", "kavsdk2", "kavsdk3", "kavsdk4", "kavsdk5", "kavsdk6", "KAVSDK", "kavsdk7",
            "kavsdk8", "kavsdk9"
        ]
    );
    // A `-l` name is the library's own, not a file name whose `lib` prefix is taken off.
    assert_eq!(linker_libraries(["-llibrary"]), ["library"]);
    assert_eq!(rustc_library("static:+whole-archive=kavsdk:kav"), "kavsdk");
    assert_eq!(rustc_library("kavsdk"), "kavsdk");
    let (libs, dirs) = rustc_links([
        "-L",
        "native=/opt/vendor/lib",
        "-l",
        "dylib=kavsdk",
        "-lstatic=kavsdk2",
        "-C",
        "link-arg=-lkavsdk3",
        "-Clink-args=-Wl,--as-needed -lkavsdk4",
        "-C opt-level=3",
        "--cfg kavsdk_feature",
    ]);
    assert_eq!(libs, ["kavsdk", "kavsdk2", "kavsdk3", "kavsdk4"]);
    assert_eq!(dirs, ["/opt/vendor/lib"]);
}

#[test]
fn cargo_config_links_through_rustflags_and_links_overrides() {
    let config = r#"[build]
rustflags = ["-C", "link-arg=-lkavsdk"]

[host]
rustflags = "-l kavsdk_host"

[target.x86_64-unknown-linux-gnu]
rustflags = [
    "-L", "/opt/vendor/lib",
    "-l", "dylib=kavsdk_dylib",
]
runner = "kavsdk-runner"

[target.'cfg(windows)']
rustflags = ["-Clink-args=/DEFAULTLIB:kavsdk_win.lib"]

[target.x86_64-unknown-linux-gnu.scanengine]
rustc-link-lib = ["static=kavsdk_static"]
rustc-link-search = ["native=/opt/vendor/lib64"]
rustc-flags = "-l kavsdk_flags"

[alias]
# rustflags = ["-lkavsdk_commented"]
kav = "run --bin kavsdk"
"#;
    let got = read(".cargo/config.toml", config);
    let want: Vec<(String, String, u32)> = [
        ("links override", "scanengine", 17),
        ("rustc-flags", "kavsdk_flags", 20),
        ("rustc-link-lib", "kavsdk_static", 18),
        ("rustc-link-search", "/opt/vendor/lib64", 19),
        ("rustflags", "kavsdk", 2),
        ("rustflags", "kavsdk_dylib", 10),
        ("rustflags", "kavsdk_host", 5),
        ("rustflags", "kavsdk_win", 15),
        ("rustflags -L", "/opt/vendor/lib", 9),
    ]
    .into_iter()
    .map(|(k, v, l)| (format!("cargo config {k} (integration)"), v.into(), l))
    .collect();
    assert_eq!(got, want);
    // The legacy name is read too; another file named config is not.
    assert_eq!(
        read("ws/.cargo/config", "[build]\nrustflags = [\"-lkavsdk\"]\n").len(),
        1
    );
    assert!(read("conf/config.toml", "[build]\nrustflags = [\"-lkavsdk\"]\n").is_empty());
    assert!(read(".cargo/config.toml", "not [toml").is_empty());
}

#[test]
fn what_a_dotnet_application_loads_and_binds() {
    let deps = "{\n  \"targets\": {\n    \".NETCoreApp,Version=v8.0\": {\n      \"App/1.0.0\": { \"dependencies\": { \"Vendor.Engine\": \"3.2.1\" } },\n      \"Vendor.Engine/3.2.1\": { \"runtime\": { \"lib/net8.0/Vendor.Engine.dll\": {} } }\n    }\n  },\n  \"libraries\": { \"Vendor.Engine/3.2.1\": { \"type\": \"package\" } }\n}\n";
    let mut got: Vec<String> = read("bin/App.deps.json", deps)
        .into_iter()
        .map(|r| r.1)
        .collect();
    got.dedup();
    assert_eq!(got, ["App", "Vendor.Engine"]);
    let assets = "{\"libraries\": {\"Vendor.Engine/3.2.1\": {\"type\": \"package\"}}}";
    assert_eq!(
        read("obj/project.assets.json", assets)
            .into_iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        ["Vendor.Engine"]
    );
    let config = "<configuration>\n  <!-- <assemblyIdentity name=\"Old.Engine\" /> -->\n  <runtime><assemblyBinding>\n    <dependentAssembly>\n      <assemblyIdentity name=\"Vendor.Engine\" publicKeyToken=\"0123456789abcdef\" />\n    </dependentAssembly>\n  </assemblyBinding></runtime>\n</configuration>\n";
    assert_eq!(
        read("App.config", config)
            .into_iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        ["Vendor.Engine"]
    );
}

#[test]
fn run_time_loads_in_more_languages() {
    for (name, text, want) in [
        (
            "app/main.py",
            "import importlib\nengine = importlib.import_module(\"vendorsdk\")\n",
            "vendorsdk",
        ),
        (
            "app/main.py",
            "engine = __import__(\"vendor_engine\")\n",
            "vendor_engine",
        ),
        (
            "lua/kav.lua",
            "local ffi = require('ffi')\nlocal kav = ffi.load('vendorsdk')\n",
            "vendorsdk",
        ),
        (
            "lib/kav.dart",
            "import 'dart:ffi';\nfinal lib = DynamicLibrary.open('libvendorsdk.so');\n",
            "vendorsdk",
        ),
        (
            "src/Kav.jl",
            "scan(p) = ccall((:scan_file, \"libvendorsdk\"), Cint, (Cstring,), p)\n",
            "vendorsdk",
        ),
        (
            "src/kav.nim",
            "proc scan(p: cstring): cint {.importc: \"scan_file\", dynlib: \"libvendorsdk.so\".}\n",
            "vendorsdk",
        ),
        (
            "scripts/a.ps1",
            "Add-Type -Path \"$PSScriptRoot\\lib\\Vendor.Engine.dll\"\n",
            "Vendor.Engine",
        ),
    ] {
        let got: Vec<String> = read(name, text)
            .into_iter()
            .filter(|r| r.0.contains("dynamic load"))
            .map(|r| r.1)
            .collect();
        assert_eq!(got, [want], "{name}: {text}");
    }
    // Comments load nothing.
    assert!(read("lua/kav.lua", "-- local kav = ffi.load('vendorsdk')\n").is_empty());
    assert!(read("lua/kav.lua", "local x = 1 -- ffi.load('vendorsdk')\n").is_empty());
    assert!(read("src/Kav.jl", "# ccall((:f, \"libvendorsdk\"), Cint, ())\n").is_empty());
    let module = "module org.example.agent {\n    requires transitive com.vendor.sdk.scan;\n    requires java.base;\n}\n";
    let got: Vec<String> = read("java/module-info.java", module)
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert!(got.contains(&"scan.sdk.vendor.com".to_string()), "{got:?}");
}

/// The values of `kind` that `fields` reads from a file, but for the first words of its lines
/// a dependency list reads as requirements (`end`, `name=…`: they name nothing listed).
fn values_of(name: &str, text: &str, kind: FieldKind) -> Vec<String> {
    fields(name, text)
        .into_iter()
        .filter(|f| f.kind == kind && f.key != "requirement")
        .map(|f| f.value)
        .collect()
}

#[test]
fn a_conan_lockfile_names_each_references_package() {
    let lock = "{\n \"version\": \"0.5\",\n \"requires\": [\n  \"kavsdk/8.1.0#6f1d2e3b%1700000000.0\",\n  \"zlib/1.3@user/stable#f52e%1708593606.497\"\n ],\n \"build_requires\": [\"kaspersky-sdk/8.1\"],\n \"python_requires\": []\n}\n";
    let got = read("conan.lock", lock);
    for (name, line) in [("kavsdk", 4), ("zlib", 5), ("kaspersky-sdk", 7)] {
        assert!(
            got.contains(&(
                "package manifest package (integration)".into(),
                name.into(),
                line
            )),
            "{name}: {got:?}"
        );
    }
    // The version strings name nothing; the revision's timestamp is not part of a name.
    assert!(
        !got.iter().any(|(_, v, _)| v.contains('%') || v == "0.5"),
        "{got:?}"
    );
}

#[test]
fn packaging_recipes_name_what_they_download_and_who_publishes_it() {
    let winget = "# Created with WingetCreate\nPackageIdentifier: Kaspersky.ScanAgent\nPublisher: AO Kaspersky Lab\nShortDescription: Works with Example Widgets\nInstallers:\n- InstallerUrl: https://products.s.kaspersky-labs.com/agent.msi\n";
    let a = values_of(
        "Kaspersky.ScanAgent.installer.yaml",
        winget,
        FieldKind::Attribution,
    );
    assert!(a.contains(&"AO Kaspersky Lab".to_string()), "{a:?}");
    assert!(a.iter().any(|v| v.ends_with("agent.msi")), "{a:?}");
    assert!(!a.iter().any(|v| v.contains("Widgets")), "{a:?}");
    let i = values_of(
        "Kaspersky.ScanAgent.installer.yaml",
        winget,
        FieldKind::Integration,
    );
    assert_eq!(i, ["Kaspersky"]);
    // Any other YAML is not a winget manifest.
    assert!(fields("config.yaml", "Publisher: AO Kaspersky Lab\n").is_empty());

    let choco = "# see https://support.kaspersky.com/kb\n$packageArgs = @{\n  url64bit = 'https://products.s.kaspersky-labs.com/agent.msi'\n}\nInstall-ChocolateyPackage @packageArgs\n";
    let i = values_of("tools/chocolateyInstall.ps1", choco, FieldKind::Integration);
    assert!(
        i.contains(&"https://products.s.kaspersky-labs.com/agent.msi".to_string()),
        "{i:?}"
    );
    assert!(!i.iter().any(|v| v.contains("support.")), "{i:?}");

    let formula = "class ScanEngine < Formula\n  desc \"Replaces https://kaspersky.com/x\"\n  # url \"https://old.kaspersky.com/a.tgz\"\n  url \"https://download.kaspersky.com/sdk/a.tar.gz\"\nend\n";
    let i = values_of("Formula/scan-engine.rb", formula, FieldKind::Integration);
    assert!(
        i.contains(&"https://download.kaspersky.com/sdk/a.tar.gz".to_string()),
        "{i:?}"
    );
    assert!(!i.iter().any(|v| v.contains("old.")), "{i:?}");
    let cask = "cask \"agent\" do\n  url \"https://download.kaspersky.com/a.dmg\"\nend\n";
    assert_eq!(
        values_of("Casks/agent.rb", cask, FieldKind::Integration),
        ["https://download.kaspersky.com/a.dmg"]
    );
    // A Ruby file that is not a formula is Ruby source.
    assert!(
        values_of(
            "lib/x.rb",
            "URL = \"https://download.kaspersky.com/a\"\n",
            FieldKind::Integration
        )
        .is_empty()
    );

    let flatpak = "app-id: org.example.Agent\nruntime: org.freedesktop.Platform\nmodules:\n  - name: engine\n    sources:\n      - type: git\n        url: https://github.com/KasperskyLab/engine.git\n";
    let i = values_of("org.example.Agent.yml", flatpak, FieldKind::Integration);
    assert!(
        i.contains(&"https://github.com/KasperskyLab/engine.git".to_string()),
        "{i:?}"
    );
    // Not a Flatpak manifest without its runtime and modules.
    assert!(
        fields(
            "org.example.Agent.yml",
            "url: https://x.example.org
"
        )
        .is_empty()
    );
    let bb = "SUMMARY = \"Engine\"\n# SRC_URI = \"git://old.example.org/x.git\"\nSRC_URI = \"git://github.com/KasperskyLab/engine.git;protocol=https\"\n";
    assert_eq!(
        values_of("engine_8.1.bb", bb, FieldKind::Integration),
        ["git://github.com/KasperskyLab/engine.git"]
    );
    let nix = "{ fetchFromGitHub }:\n{\n  src = fetchFromGitHub {\n    owner = \"KasperskyLab\";\n    repo = \"engine\";\n  };\n}\n";
    assert_eq!(
        values_of("nix/engine.nix", nix, FieldKind::Attribution),
        ["KasperskyLab", "engine"]
    );
}

#[test]
fn more_dependency_manifests_name_their_packages_and_sources() {
    let edn = ";; com.old/engine {:mvn/version \"1\"}\n{:deps {org.clojure/clojure {:mvn/version \"1.11.1\"}\n        com.kaspersky.sdk/scan-engine {:mvn/version \"8.1.0\"}\n        io.github.x/kav {:git/url \"https://github.com/KasperskyLab/kav\" :git/sha \"01\"}}}\n";
    let i = values_of("deps.edn", edn, FieldKind::Integration);
    for want in [
        "org.clojure/clojure",
        "com.kaspersky.sdk/scan-engine",
        "io.github.x/kav",
        "https://github.com/KasperskyLab/kav",
    ] {
        assert!(i.contains(&want.to_string()), "{want}: {i:?}");
    }
    assert!(!i.iter().any(|v| v.contains("com.old")), "{i:?}");
    let zon = ".{\n    // https://example.org/old\n    .dependencies = .{\n        .kavsdk = .{\n            .url = \"https://github.com/KasperskyLab/kav-zig/archive/v8.tar.gz\",\n        },\n    },\n}\n";
    assert_eq!(
        values_of("build.zig.zon", zon, FieldKind::Integration),
        ["https://github.com/KasperskyLab/kav-zig/archive/v8.tar.gz"]
    );
    let pixi = "[workspace]\nchannels = [\"conda-forge\", \"https://conda.kaspersky.com/sdk\"]\n\n[dependencies]\n# old-engine = \"*\"\nkav-scan-engine = \">=8.1\"\n";
    let i = values_of("pixi.toml", pixi, FieldKind::Integration);
    assert!(
        i.contains(&"https://conda.kaspersky.com/sdk".to_string()),
        "{i:?}"
    );
    assert!(i.contains(&"kav-scan-engine".to_string()), "{i:?}");
    assert!(!i.iter().any(|v| v.contains("old-engine")), "{i:?}");
    let vcpkg = "{\n  \"registries\": [\n    { \"kind\": \"git\", \"repository\": \"https://github.com/KasperskyLab/vcpkg-registry\", \"packages\": [\"kav-sdk\", \"kav-ui\"] }\n  ]\n}\n";
    let i = values_of("vcpkg-configuration.json", vcpkg, FieldKind::Integration);
    for want in [
        "https://github.com/KasperskyLab/vcpkg-registry",
        "kav-sdk",
        "kav-ui",
    ] {
        assert!(i.contains(&want.to_string()), "{want}: {i:?}");
    }
}

#[test]
fn container_metadata_names_the_images_vendor_and_what_it_pulls() {
    let dockerfile = "FROM debian:bookworm-slim\n# LABEL org.opencontainers.image.vendor=\"Old Vendor\"\nLABEL org.opencontainers.image.vendor=\"AO Kaspersky Lab\" \\\n      org.opencontainers.image.description=\"Compares with Example Widgets\"\nLABEL maintainer=\"Ops <ops@example.org>\"\n";
    let mut a = values_of("engine/Dockerfile", dockerfile, FieldKind::Attribution);
    a.sort();
    assert_eq!(a, ["AO Kaspersky Lab", "Ops <ops@example.org>"]);
    // The deprecated `MAINTAINER` instruction is the label it stands for; not in a comment.
    let maintainer = "FROM debian\n# MAINTAINER Old Vendor\n  maintainer AO Kaspersky Lab <sdk@kaspersky.com>  \n";
    let f = fields("Dockerfile", maintainer);
    let a: Vec<(&str, u32)> = f
        .iter()
        .filter(|f| f.kind == FieldKind::Attribution)
        .map(|f| (f.value.as_str(), f.line))
        .collect();
    assert_eq!(a, [("AO Kaspersky Lab <sdk@kaspersky.com>", 3)]);
    let oci = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n  \"annotations\": {\n    \"org.opencontainers.image.vendor\": \"AO Kaspersky Lab\",\n    \"org.opencontainers.image.description\": \"Example Widgets\"\n  }\n}\n";
    assert_eq!(
        values_of("index.json", oci, FieldKind::Attribution),
        ["AO Kaspersky Lab"]
    );
    // Another index.json is data.
    assert!(fields("index.json", "{\n  \"vendor\": \"AO Kaspersky Lab\"\n}\n").is_empty());
    let kustomize = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# newName: old.example.org/engine\nimages:\n  - name: engine\n    newName: registry.kaspersky.com/sdk/engine\n";
    assert_eq!(
        values_of("kustomization.yaml", kustomize, FieldKind::Integration),
        ["registry.kaspersky.com/sdk/engine"]
    );
    let bake = "target \"app\" {\n  // old = \"docker-image://old.example.org/engine\"\n  contexts = {\n    engine = \"docker-image://ghcr.io/kasperskylab/engine:8.1\"\n  }\n}\n";
    assert_eq!(
        values_of("docker-bake.hcl", bake, FieldKind::Integration),
        ["ghcr.io/kasperskylab/engine:8.1"]
    );
}

#[test]
fn package_sources_are_integration_unless_disabled_or_commented_out() {
    let urls = |name: &str, text: &str| values_of(name, text, FieldKind::Integration);
    assert_eq!(
        urls(
            "ks.list",
            "# deb https://old.example.org/apt stable main\ndeb [signed-by=/k.gpg] https://repo.kaspersky.com/apt stable main\n"
        ),
        ["https://repo.kaspersky.com/apt"]
    );
    // A list of other things is not an apt source list.
    assert!(fields("urls.list", "https://repo.kaspersky.com/apt\n").is_empty());
    let deb822 = "Types: deb\nURIs: https://repo.kaspersky.com/apt\nSuites: stable\n\nTypes: deb\nURIs: https://old.example.org/apt\nEnabled: no\n";
    assert_eq!(
        urls("ks.sources", deb822),
        ["https://repo.kaspersky.com/apt"]
    );
    let repo = "[old]\nbaseurl=https://old.example.org/rpm\nenabled = 0\n\n[engine]\nname=Engine\nbaseurl=https://repo.kaspersky.com/rpm/$basearch\nenabled=1\n";
    assert_eq!(
        urls("ks.repo", repo),
        ["https://repo.kaspersky.com/rpm/$basearch"]
    );
    assert_eq!(
        urls(
            "pip.conf",
            "[global]\n; index-url = https://old.example.org/simple\nindex-url = https://pypi.kaspersky-labs.com/simple\n"
        ),
        ["https://pypi.kaspersky-labs.com/simple"]
    );
    assert_eq!(
        urls(".npmrc", "@ksdk:registry=https://npm.kaspersky.com/\n"),
        ["https://npm.kaspersky.com/"]
    );
    let nuget = "<configuration><packageSources>\n<!-- <add key=\"old\" value=\"https://old.example.org/v3\" /> -->\n<add key=\"ks\" value=\"https://nuget.kaspersky.com/v3/index.json\" />\n</packageSources></configuration>\n";
    assert_eq!(
        urls("NuGet.Config", nuget),
        ["https://nuget.kaspersky.com/v3/index.json"]
    );
    // A requirements file's index options are not comments; its comments are.
    let req = "--extra-index-url https://pypi.kaspersky.com/simple\n# --index-url https://old.example.org/simple\nrequests==2.31\n";
    let i = urls("requirements.txt", req);
    assert!(
        i.contains(&"https://pypi.kaspersky.com/simple".to_string()),
        "{i:?}"
    );
    assert!(!i.iter().any(|v| v.contains("old.")), "{i:?}");
    // cargo's registries and source replacements, without the protocol prefix.
    let config = "[registries.ksdk]\nindex = \"sparse+https://crates.kaspersky.com/index/\"\n\n[source.mirror]\nregistry = \"https://git.example.org/index\"\n";
    let got = read(".cargo/config.toml", config);
    assert!(
        got.contains(&(
            "cargo config registries index (integration)".into(),
            "https://crates.kaspersky.com/index/".into(),
            2
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "cargo config registry (integration)".into(),
            "https://git.example.org/index".into(),
            5
        )),
        "{got:?}"
    );
}

/// A crate built with wasm-bindgen imports the JavaScript modules its `extern` blocks name: a
/// package as a JavaScript import, a URL as one; its own files and comments import nothing.
#[test]
fn wasm_bindgen_modules_are_imports() {
    let text = concat!(
        "use wasm_bindgen::prelude::*;\n",
        "#[wasm_bindgen(module = \"@kaspersky/scan-engine\")]\n",
        "extern \"C\" { fn scan(b: &[u8]) -> u32; }\n",
        "#[wasm_bindgen(raw_module = \"https://cdn.kaspersky.com/sdk/js/v3/scan.mjs\")]\n",
        "extern \"C\" { fn load(); }\n",
        "#[cfg_attr(target_arch = \"wasm32\", wasm_bindgen(js_namespace = console, module = \"KasperskyEngine\"))]\n",
        "extern \"C\" { fn log(); }\n",
        "#[wasm_bindgen::prelude::wasm_bindgen(raw_module = \"kavsdk\")]\n",
        "extern \"C\" { fn k(); }\n",
        "#[wasm_bindgen(module = \"/js/kaspersky-local.js\")]\n",
        "extern \"C\" { fn local(); }\n",
        "#[wasm_bindgen(raw_module = \"./kaspersky_glue.js\")]\n",
        "extern \"C\" { fn glue(); }\n",
        "// #[wasm_bindgen(module = \"@kaspersky/old-engine\")]\n",
        "/// `#[wasm_bindgen(module = \"@kaspersky/doc\")]` imports it\n",
        "#[link(wasm_import_module = \"kavsdk_wasm\")]\n",
        "extern \"C\" { fn kav_scan(); }\n",
        "#[cfg_attr(target_family = \"wasm\", link(wasm_import_module = \"//cdn.kaspersky.com/x.mjs\"))]\n",
        "extern \"C\" { fn x(); }\n",
        "#[wasm_bindgen(module = r\"@kaspersky/raw-string\")]\n",
        "extern \"C\" { fn r(); }\n",
        "// #[link(wasm_import_module = \"kavsdk_old\")]\n",
    );
    let got: Vec<(String, Shape, String, u32)> = fields("src/lib.rs", text)
        .into_iter()
        .map(|f| (f.field().to_string(), f.shape, f.value, f.line))
        .collect();
    let row = |k: &str, s: Shape, v: &str, l: u32| {
        (
            format!("Rust source #[wasm_bindgen({k})] (integration)"),
            s,
            v.to_string(),
            l,
        )
    };
    let link = |s: Shape, v: &str, l: u32| {
        (
            "Rust source #[link(wasm_import_module)] (integration)".to_string(),
            s,
            v.to_string(),
            l,
        )
    };
    assert_eq!(
        got,
        [
            link(Shape::Url, "https://cdn.kaspersky.com/x.mjs", 18),
            link(Shape::Text, "kavsdk_wasm", 16),
            row("module", Shape::Text, "@kaspersky/raw-string", 20),
            row("module", Shape::Text, "@kaspersky/scan-engine", 2),
            row(
                "module",
                Shape::Text,
                "KasperskyEngine (Kaspersky Engine)",
                6
            ),
            row(
                "raw_module",
                Shape::Url,
                "https://cdn.kaspersky.com/sdk/js/v3/scan.mjs",
                4
            ),
            row("raw_module", Shape::Text, "kavsdk", 8),
        ]
    );
}

/// The files a crate compiles in are read as paths, whose names the deep scan judges; a
/// comment embeds nothing.
#[test]
fn embedded_files_are_paths() {
    let text = concat!(
        "static ENGINE: &[u8] = include_bytes!(\"../vendor/bin/libkavsdk.so\");\n",
        "const NOTES: &str = include_str!(\n    \"../docs/kaspersky.txt\"\n);\n",
        "static B: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/kavsdk.dll\"));\n",
        "static LOGO: &[u8] = include_bytes ! (\"../assets/logo.png\");\n",
        "// static OLD: &[u8] = include_bytes!(\"libkavsdk_old.so\");\n",
    );
    let got: Vec<(String, String, u32, bool)> = fields("src/embed.rs", text)
        .into_iter()
        .map(|f| {
            (
                f.field().to_string(),
                f.value.clone(),
                f.line,
                f.embeds_file(),
            )
        })
        .collect();
    let row = |k: &str, v: &str, l: u32| {
        (
            format!("Rust source {k} (integration)"),
            v.to_string(),
            l,
            true,
        )
    };
    assert_eq!(
        got,
        [
            row("include_bytes!", "../assets/logo.png", 6),
            row("include_bytes!", "../vendor/bin/libkavsdk.so", 1),
            row("include_bytes!", "/kavsdk.dll", 5),
            row("include_str!", "../docs/kaspersky.txt", 3),
        ]
    );
}

/// The JavaScript of a wasm-bindgen `inline_js` snippet runs with the crate: what it imports,
/// the crate imports. Relative imports and a commented-out attribute import nothing.
#[test]
fn wasm_bindgen_inline_js_imports_are_read() {
    let text = concat!(
        "#[wasm_bindgen(inline_js = \"import { scan } from '@kaspersky/scan-engine';\\nexport function f() {}\")]\n",
        "extern \"C\" { fn f(); }\n",
        "#[wasm_bindgen(inline_js = r#\"\n",
        "import init from \"https://cdn.kaspersky.com/sdk/init.mjs\";\n",
        "import { local } from \"./kaspersky-local.js\";\n",
        "export function g() { return init(); }\n",
        "\"#)]\n",
        "extern \"C\" { fn g(); }\n",
        "// #[wasm_bindgen(inline_js = \"import x from 'kavsdk';\")]\n",
    );
    let got: Vec<(String, String, u32)> = read("src/lib.rs", text);
    assert_eq!(
        got,
        [
            (
                "Rust source #[wasm_bindgen(inline_js)] module (integration)".into(),
                "@kaspersky/scan-engine".into(),
                1
            ),
            (
                "Rust source #[wasm_bindgen(inline_js)] module (integration)".into(),
                "https://cdn.kaspersky.com/sdk/init.mjs".into(),
                4
            ),
        ]
    );
}

fn hit_values(got: &[(String, String, u32)]) -> Vec<&str> {
    got.iter().map(|g| g.1.as_str()).collect()
}

#[test]
fn maven_coordinates_inside_a_jar_are_its_group() {
    let props = "#Generated by Maven\n#Tue Mar 05 10:00:00 UTC 2024\ngroupId=com.kaspersky.sdk\nartifactId=scan-engine\nversion=8.1.0\n";
    let got = read(
        "sdk.jar!META-INF/maven/com.kaspersky.sdk/scan-engine/pom.properties",
        props,
    );
    assert!(
        got.iter()
            .any(|g| g.0.starts_with("Maven POM pom.properties groupId")
                && g.1 == "sdk.kaspersky.com"
                && g.2 == 3),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.0.contains("META-INF/maven/<groupId> directory")),
        "{got:?}"
    );
    // `key: value` and `key value` are properties too; comments are not.
    let got = read(
        "x.jar!META-INF/maven/g/a/pom.properties",
        "# groupId=com.kaspersky.old\ngroupId : com.kaspersky.sdk\n",
    );
    assert_eq!(hit_values(&got), ["sdk.kaspersky.com"], "{got:?}");
    // Another group, a group that is no reverse domain: nothing.
    let got = read(
        "x.jar!META-INF/maven/org.example/scanner/pom.properties",
        "groupId=org.example\nartifactId=scanner\n# works with kaspersky\n",
    );
    assert!(got.iter().all(|g| g.1 == "example.org"), "{got:?}");
}

#[test]
fn a_wheels_direct_url_is_where_it_came_from() {
    let du = r#"{"url": "https://download.kaspersky.com/sdk/python/scan_engine-8.1.0-py3-none-any.whl", "archive_info": {"hashes": {"sha256": "ab"}}}"#;
    let got = read(
        "site-packages/scan_engine-8.1.0.dist-info/direct_url.json",
        du,
    );
    assert_eq!(
        got,
        [(
            "Python metadata direct_url.json url (integration)".to_string(),
            "https://download.kaspersky.com/sdk/python/scan_engine-8.1.0-py3-none-any.whl"
                .to_string(),
            1
        )]
    );
    let vcs = "{\n  \"url\": \"https://github.com/KasperskyLab/scan-py.git\",\n  \"vcs_info\": {\"vcs\": \"git\", \"commit_id\": \"abc\"}\n}\n";
    let got = read("x.dist-info/direct_url.json", vcs);
    assert_eq!(
        hit_values(&got),
        ["https://github.com/KasperskyLab/scan-py.git"]
    );
    assert!(read("x.dist-info/direct_url.json", "{not json").is_empty());
}

#[test]
fn terraform_module_and_provider_sources() {
    let tf = r#"
# module "old" { source = "KasperskyLab/ksc/aws" }
// source = "KasperskyLab/ksc"
/* module "older" {
  source = "git::https://github.com/KasperskyLab/x.git"
} */
module "edr" {
  source  = "git::https://github.com/KasperskyLab/terraform-edr-agent.git?ref=v1.2.0"
}
module "ksc" {
  source = "KasperskyLab/ksc/aws"
  version = "1.0.0"
}
module "short" { source = "github.com/KasperskyLab/terraform-short" }
module "private" {
  source = "app.terraform.io/kaspersky/agent/azurerm"
}
module "local" {
  source = "./modules/kaspersky"
}
terraform {
  required_providers {
    ksc = {
      source  = "KasperskyLab/ksc"
      version = "~> 1.0"
    }
    aws = { source = "hashicorp/aws" }
  }
}
resource "aws_s3_object" "installer" {
  source = "files/kaspersky-agent.msi"
  description = "Kaspersky agent installer, see https://github.com/KasperskyLab/x"
}
"#;
    let got = read("infra/main.tf", tf);
    let v = hit_values(&got);
    for want in [
        "https://github.com/KasperskyLab/terraform-edr-agent.git?ref=v1.2.0",
        "https://github.com/KasperskyLab/terraform-aws-ksc",
        "https://github.com/KasperskyLab/terraform-short",
        "kaspersky",
        "https://app.terraform.io/kaspersky/agent/azurerm",
        "https://github.com/KasperskyLab/terraform-provider-ksc",
        "KasperskyLab (Kaspersky Lab)",
        "https://github.com/hashicorp/terraform-provider-aws",
    ] {
        assert!(v.contains(&want), "{want} not in {got:?}");
    }
    assert!(
        !v.iter()
            .any(|x| x.contains("agent.msi") || x.ends_with("/x")),
        "{got:?}"
    );
    assert!(!v.iter().any(|x| x.contains("modules/")), "{got:?}");
    assert!(got.iter().all(|g| g.0.contains("(integration)")), "{got:?}");
    // Comments only: nothing.
    let got = read(
        "versions.tf",
        "terraform {\n  required_providers {\n    # ksc = { source = \"KasperskyLab/ksc\" }\n  }\n}\n",
    );
    assert!(got.is_empty(), "{got:?}");
    let lock = "# This file is maintained automatically by \"terraform init\".\nprovider \"registry.terraform.io/kasperskylab/ksc\" {\n  version = \"1.0.0\"\n}\n";
    let got = read(".terraform.lock.hcl", lock);
    assert!(
        hit_values(&got).contains(&"https://github.com/kasperskylab/terraform-provider-ksc"),
        "{got:?}"
    );
    let json = r#"{"module": {"edr": {"source": "KasperskyLab/edr/aws"}}, "terraform": [{"required_providers": [{"ksc": {"source": "registry.opentofu.org/KasperskyLab/ksc"}}]}]}"#;
    let got = read("main.tf.json", json);
    let v = hit_values(&got);
    assert!(
        v.contains(&"https://github.com/KasperskyLab/terraform-aws-edr"),
        "{got:?}"
    );
    assert!(
        v.contains(&"https://github.com/KasperskyLab/terraform-provider-ksc"),
        "{got:?}"
    );
    let tg = "terraform {\n  source = \"git::git@github.com:KasperskyLab/terraform-edr.git//agent?ref=v1\"\n}\n";
    let got = read("live/prod/terragrunt.hcl", tg);
    assert_eq!(
        hit_values(&got),
        ["git@github.com:KasperskyLab/terraform-edr.git//agent?ref=v1"]
    );
}

#[test]
fn ansible_requirements_and_galaxy_metadata() {
    let reqs = "---\n# kaspersky.old is gone\ncollections:\n  - name: kaspersky.ksc\n    version: \">=1.0.0\"\n  - community.general\n  - name: https://github.com/KasperskyLab/ansible-collection-kesl.git\n    type: git\n  - { name: KasperskyLab.edr, source: https://galaxy.ansible.com }\n  - name: ./dist/kaspersky-agent-1.0.0.tar.gz\n    type: file\nroles:\n  - src: https://github.com/KasperskyLab/ansible-role-kesl\n    name: kesl\n  - src: git+https://github.com/KasperskyLab/ansible-role-ksc.git\n  - kaspersky.kesl,v1.0\n";
    let got = read("requirements.yml", reqs);
    let v = hit_values(&got);
    for want in [
        "kaspersky",
        "community",
        "https://github.com/KasperskyLab/ansible-collection-kesl.git",
        "KasperskyLab (Kaspersky Lab)",
        "https://github.com/KasperskyLab/ansible-role-kesl",
        "https://github.com/KasperskyLab/ansible-role-ksc.git",
    ] {
        assert!(v.contains(&want), "{want} not in {got:?}");
    }
    assert!(!v.contains(&"kesl"), "a role's local name: {got:?}");
    assert!(!got.iter().any(|g| g.2 == 2), "a comment: {got:?}");
    // The old form: a bare list of roles.
    let got = read(
        "roles/requirements.yml",
        "- src: kaspersky.kesl\n  version: 1.0\n- name: geerlingguy.docker\n",
    );
    assert_eq!(hit_values(&got), ["geerlingguy", "kaspersky"], "{got:?}");
    let galaxy = "namespace: kaspersky\nname: ksc\nauthors:\n  - AO Kaspersky Lab <ansible@kaspersky.com>\nrepository: https://github.com/KasperskyLab/ansible-ksc\ndependencies:\n  kaspersky.core: \">=1.0\"\n";
    let got = read("galaxy.yml", galaxy);
    assert!(
        got.contains(&(
            "Ansible authors".to_string(),
            "AO Kaspersky Lab <ansible@kaspersky.com>".to_string(),
            4
        )),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.0 == "Ansible namespace (namespace kaspersky)"),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.0 == "Ansible dependencies (namespace kaspersky) (integration)" && g.2 == 7),
        "{got:?}"
    );
    let meta = "galaxy_info:\n  author: Kaspersky Lab\n  company: AO Kaspersky Lab\n  platforms:\n    - name: Ubuntu\ndependencies:\n  - role: kaspersky.kesl\n";
    let got = read("roles/agent/meta/main.yml", meta);
    let v = hit_values(&got);
    assert!(
        v.contains(&"AO Kaspersky Lab") && v.contains(&"kaspersky"),
        "{got:?}"
    );
    assert!(!v.contains(&"Ubuntu"), "{got:?}");
}

#[test]
fn repo_manifests_check_out_their_projects_from_their_remotes() {
    let m = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest>\n  <!-- <remote name=\"old\" fetch=\"https://github.com/KasperskyLab\"/> -->\n  <remote name=\"ks\" fetch=\"https://github.com/KasperskyLab\" />\n  <remote name=\"aosp\" fetch=\"https://android.googlesource.com/\" />\n  <remote name=\"rel\" fetch=\"..\" />\n  <default revision=\"main\" remote=\"aosp\" />\n  <project name=\"kav-sdk\" path=\"external/kav-sdk\" remote=\"ks\" />\n  <project name=\"platform/build\" path=\"build\" />\n  <project name=\"KasperskyLab/kesl\" remote=\"rel\" />\n</manifest>\n";
    let got = read(".repo/manifests/default.xml", m);
    assert_eq!(
        hit_values(&got),
        [
            "https://android.googlesource.com/platform/build",
            "https://github.com/KasperskyLab/kav-sdk",
            "KasperskyLab/kesl (Kaspersky Lab/kesl)"
        ],
        "{got:?}"
    );
    assert_eq!(got[1].2, 8);
    // An Android app's manifest is not a repo manifest.
    assert!(
        read(
            "AndroidManifest.xml",
            "<manifest package=\"x\"><project/></manifest>"
        )
        .iter()
        .all(|g| !g.0.starts_with("repo manifest"))
    );
}

#[test]
fn cabal_hpack_and_cinterop_link_libraries() {
    let cabal = "name: scanner\nlibrary\n  build-depends: base\n  -- extra-libraries: oldkav\n  extra-libraries: kavsdk, z\n  extra-lib-dirs:\n    /opt/kaspersky/lib\n  frameworks: KAVSDK\n  if flag(kaspersky-compat)\n    ld-options: -Wl,--no-as-needed,-lkavscan\n";
    let got = read("scanner.cabal", cabal);
    let v = hit_values(&got);
    for want in [
        "kavsdk",
        "z",
        "/opt/kaspersky/lib",
        "KAVSDK",
        "kavscan",
        "base",
    ] {
        assert!(
            v.iter().any(|x| x.starts_with(want)),
            "{want} not in {got:?}"
        );
    }
    assert!(!v.contains(&"oldkav"), "{got:?}");
    assert!(
        !v.iter().any(|x| x.contains("flag")),
        "a conditional: {got:?}"
    );
    let hpack = "name: scanner\n# extra-libraries: oldkav\nlibrary:\n  extra-libraries:\n    - kavsdk\n  frameworks: [KAVSDK, Security]\n  ld-options: -lkavscan\n";
    let got = read("package.yaml", hpack);
    let v = hit_values(&got);
    for want in ["kavsdk", "KAVSDK", "kavscan"] {
        assert!(
            v.iter().any(|x| x.starts_with(want)),
            "{want} not in {got:?}"
        );
    }
    assert!(!v.contains(&"oldkav"), "{got:?}");
    let def = "# linkerOpts = -loldkav\nheaders = kavsdk.h kav/scan.h\nheaderFilter = kav*\nlinkerOpts.linux = -L/opt/kaspersky/lib \\\n  -lkavsdk\nstaticLibraries = libkavstatic.a\nlibraryPaths = /opt/kaspersky/lib\n---\nstatic inline int x(void) { return 0; }\n";
    let got = read("src/nativeInterop/cinterop/kav.def", def);
    let v = hit_values(&got);
    for want in ["kavsdk.h", "kavsdk", "kavstatic", "/opt/kaspersky/lib"] {
        assert!(
            v.iter().any(|x| x.starts_with(want)),
            "{want} not in {got:?}"
        );
    }
    assert!(!v.iter().any(|x| x.contains("oldkav")), "{got:?}");
    assert!(got.iter().all(|g| g.0.contains("(integration)")), "{got:?}");
    // A Windows module-definition file is not a cinterop definition.
    assert!(read("kav.def", "LIBRARY kavsdk\nEXPORTS\n  kav_scan\n").is_empty());
    let kts = "kotlin { linuxX64 { binaries { executable { linkerOpts(\"-lkavsdk\", \"-L/opt/kaspersky/lib\") } } } }\n";
    let got = read("build.gradle.kts", kts);
    assert!(hit_values(&got).contains(&"kavsdk"), "{got:?}");
}

#[test]
fn ansible_playbooks_name_the_collections_they_run() {
    let play = "- hosts: all\n  collections:\n    - kaspersky.ksc\n  roles:\n    - role: kaspersky.kesl\n    - { role: KasperskyLab.edr }\n  tasks:\n    - name: Install the Kaspersky agent (community.general.x)\n      kaspersky.ksc.agent:\n        state: present\n    # - kaspersky.old.agent:\n    - name: Fetch\n      ansible.builtin.get_url:\n        url: https://download.kaspersky.com/kesl/kesl_12.deb\n        dest: /tmp/kesl.deb\n    - name: Role\n      include_role:\n        name: kaspersky.ksc.server\n    - apt:\n        deb: \"https://repo.example.org/kesl.deb\"\n";
    let got = read("site.yml", play);
    let count = |key: &str, v: &str| {
        got.iter()
            .filter(|g| g.0.starts_with(&format!("Ansible {key}")) && g.1 == v)
            .count()
    };
    assert_eq!(count("collections", "kaspersky"), 1, "{got:?}");
    assert_eq!(count("role", "kaspersky"), 1, "{got:?}");
    assert_eq!(count("role", "KasperskyLab (Kaspersky Lab)"), 1, "{got:?}");
    assert_eq!(count("module", "kaspersky"), 1, "{got:?}");
    assert_eq!(count("include_role", "kaspersky"), 1, "{got:?}");
    assert_eq!(
        count(
            "task URL",
            "https://download.kaspersky.com/kesl/kesl_12.deb"
        ),
        1,
        "{got:?}"
    );
    assert_eq!(
        count("task URL", "https://repo.example.org/kesl.deb"),
        1,
        "{got:?}"
    );
    // The module of a task whose name mentions the vendor; a commented-out task.
    assert!(!got.iter().any(|g| g.2 == 8 || g.2 == 11), "{got:?}");
    // Modules of other collections name their own namespaces, not the vendor.
    let other = "- hosts: all\n  tasks:\n    - name: Remove the old Kaspersky Endpoint Security agent\n      community.general.pkgng:\n        name: kesl\n        state: absent\n";
    let got = read("playbooks/cleanup.yaml", other);
    assert_eq!(hit_values(&got), ["community"], "{got:?}");
    // A role's task file.
    let tasks = "- name: agent\n  kaspersky.ksc.agent:\n    state: present\n";
    let got = read("roles/edr/tasks/main.yml", tasks);
    assert_eq!(hit_values(&got), ["kaspersky"], "{got:?}");
}

#[test]
fn repo_manifest_subprojects_and_relative_remotes() {
    let m = "<manifest>\n  <remote name=\"r\" fetch=\"../KasperskyLab\" />\n  <remote name=\"gh\" fetch=\"https://github.com\" />\n  <default remote=\"r\" />\n  <project name=\"kav-sdk\" />\n  <project name=\"KasperskyLab\" remote=\"gh\">\n    <project name=\"kesl\" />\n  </project>\n  <extend-project name=\"platform/build\" remote=\"gh\" />\n</manifest>\n";
    let got = read("default.xml", m);
    let v = hit_values(&got);
    for want in [
        "KasperskyLab/kav-sdk (Kaspersky Lab/kav-sdk)",
        "https://github.com/KasperskyLab",
        "https://github.com/KasperskyLab/kesl",
        "https://github.com/platform/build",
    ] {
        assert!(v.contains(&want), "{want} not in {got:?}");
    }
}

#[test]
fn pip_wheel_cache_origin() {
    let got = read(
        "wheels/ab/cd/origin.json",
        r#"{"url": "https://download.kaspersky.com/py/kav-1.0.tar.gz", "archive_info": {}}"#,
    );
    assert_eq!(
        hit_values(&got),
        ["https://download.kaspersky.com/py/kav-1.0.tar.gz"]
    );
    assert!(
        read(
            "web/origin.json",
            r#"{"url": "https://download.kaspersky.com/"}"#
        )
        .is_empty()
    );
}

#[test]
fn more_build_formats_link_libraries() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "pkg/src/Makevars",
            "PKG_LIBS = -L/opt/vendor/lib -lkavsdk\n",
            "kavsdk",
        ),
        (
            "Sources/CKav/module.modulemap",
            "module CKav [system] {\n  // link \"oldkav\"\n  header \"shim.h\"\n  link \"kavsdk\"\n  export *\n}\n",
            "kavsdk",
        ),
        (
            "KAVSDK.framework/Modules/module.modulemap",
            "framework module KAVSDK {\n  umbrella header \"KAVSDK.h\"\n  link framework \"KAVSDK\"\n}\n",
            "KAVSDK",
        ),
        (
            "ext/kav/extconf.rb",
            "require 'mkmf'\n# have_library('oldkav')\nabort 'no sdk' unless have_library('kavsdk', 'kav_scan')\n$LDFLAGS << ' -lkavscan'\ncreate_makefile('kav/kav')\n",
            "kavsdk",
        ),
        ("ext/kav/extconf.rb", "$libs += \" -lkavscan\"\n", "kavscan"),
        (
            "Makefile.PL",
            "WriteMakefile(\n  NAME => 'Kav',\n  LIBS => ['-L/opt/vendor/lib -lkavsdk'],\n);\n",
            "kavsdk",
        ),
        (
            "src/dune",
            "(library\n (name kav)\n ; (c_library_flags (-loldkav))\n (c_library_flags (-lkavsdk -lpthread)))\n",
            "kavsdk",
        ),
        ("config.nims", "switch(\"passL\", \"-lkavsdk\")\n", "kavsdk"),
        (
            "nim.cfg",
            "--passL:\"-L/opt/vendor/lib -lkavsdk\"\n",
            "kavsdk",
        ),
        (
            "dub.json",
            "{\"name\": \"kav\", \"libs-posix\": [\"kavsdk\", \"z\"]}\n",
            "kavsdk",
        ),
        (
            "dub.sdl",
            "name \"kav\"\nlibs \"kavsdk\" platform=\"posix\"\n",
            "kavsdk",
        ),
    ];
    for (name, text, want) in cases {
        let got = read(name, text);
        assert!(
            got.iter()
                .any(|g| g.1.starts_with(want) && g.0.contains("(integration)")),
            "{name}: {want} not in {got:?}"
        );
        assert!(
            !got.iter().any(|g| g.1.contains("oldkav")),
            "{name}: {got:?}"
        );
    }
}

#[test]
fn more_checkouts_and_deployments() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "DEPS",
            "deps = {\n  'src/third_party/kav': 'https://github.com/KasperskyLab/kav-sdk.git@abc',\n}\n",
            "https://github.com/KasperskyLab/kav-sdk.git@abc",
        ),
        (
            "deps.repos",
            "repositories:\n  kav:\n    type: git\n    url: https://github.com/KasperskyLab/kav-ros.git\n    version: main\n",
            "https://github.com/KasperskyLab/kav-ros.git",
        ),
        (
            "kas/project.yml",
            "header:\n  version: 14\nrepos:\n  meta-kaspersky:\n    url: https://github.com/KasperskyLab/meta-kaspersky.git\n",
            "https://github.com/KasperskyLab/meta-kaspersky.git",
        ),
        (
            "image.pkr.hcl",
            "packer {\n  required_plugins {\n    ksc = {\n      version = \">= 1.0\"\n      source  = \"github.com/KasperskyLab/ksc\"\n    }\n  }\n}\nsource \"amazon-ebs\" \"x\" {}\n",
            "https://github.com/KasperskyLab/ksc",
        ),
        (
            "cdktf.json",
            "{\"language\": \"typescript\", \"terraformProviders\": [\"KasperskyLab/ksc@~> 1.0\"], \"terraformModules\": [{\"name\": \"edr\", \"source\": \"KasperskyLab/edr/aws\", \"version\": \"1.0\"}]}",
            "https://github.com/KasperskyLab/terraform-provider-ksc",
        ),
        (
            "cdktf.json",
            "{\"terraformModules\": [{\"name\": \"edr\", \"source\": \"KasperskyLab/edr/aws\", \"version\": \"1.0\"}]}",
            "https://github.com/KasperskyLab/terraform-aws-edr",
        ),
        (
            "execution-environment.yml",
            "version: 3\ndependencies:\n  galaxy:\n    collections:\n      - name: kaspersky.ksc\n",
            "kaspersky",
        ),
    ];
    for (name, text, want) in cases {
        let got = read(name, text);
        assert!(
            got.iter()
                .any(|g| g.1 == *want && g.0.contains("(integration)")),
            "{name}: {want} not in {got:?}"
        );
    }
}

#[test]
fn an_installed_npm_package_records_where_it_came_from() {
    let pj = r#"{"name": "scan", "version": "1.0.0", "_from": "github:KasperskyLab/scan-js#v1", "_resolved": "https://npm.kaspersky.com/scan/-/scan-1.0.0.tgz", "_integrity": "sha512-x"}"#;
    let got = read("node_modules/scan/package.json", pj);
    let v = hit_values(&got);
    assert!(
        v.contains(&"https://github.com/KasperskyLab/scan-js"),
        "{got:?}"
    );
    assert!(
        v.contains(&"https://npm.kaspersky.com/scan/-/scan-1.0.0.tgz"),
        "{got:?}"
    );
    let got = read(
        "node_modules/left-pad/package.json",
        r#"{"name": "left-pad", "_from": "left-pad@^1.3.0", "_resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", "description": "not kaspersky"}"#,
    );
    assert_eq!(
        hit_values(&got),
        ["https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"]
    );
}

#[test]
fn link_directives_in_sources_and_apple_builds() {
    let got = read(
        "src/scan.cpp",
        "#include <windows.h>\n#pragma comment(lib, \"kavsdk64.lib\")\n// #pragma comment(lib, \"x.lib\")\n",
    );
    assert!(
        got.iter()
            .any(|g| g.0 == "C/C++ source #pragma comment(lib) (integration)"
                && g.1 == "kavsdk64"
                && g.2 == 2),
        "{got:?}"
    );
    let swift = "let package = Package(name: \"Scan\", targets: [\n  .target(name: \"Scan\", linkerSettings: [\n    .linkedLibrary(\"kavsdk\"),\n    .linkedFramework(\"KAVSDK\"),\n    .unsafeFlags([\"-L/opt/vendor/lib\", \"-lkavscan\"]),\n  ])\n])\n";
    let v: Vec<String> = read("Package.swift", swift)
        .into_iter()
        .map(|g| g.1)
        .collect();
    for want in ["kavsdk", "KAVSDK", "kavscan"] {
        assert!(v.iter().any(|x| x.starts_with(want)), "{want} not in {v:?}");
    }
    let got = read(
        "Config/Release.xcconfig",
        "// OTHER_LDFLAGS = -loldkav\nOTHER_LDFLAGS = $(inherited) -lkavsdk -framework KAVSDK\n",
    );
    let v = hit_values(&got);
    assert!(
        v.contains(&"kavsdk") && v.contains(&"KAVSDK") && !v.contains(&"oldkav"),
        "{got:?}"
    );
    let pbx = "\t\t\t\tOTHER_LDFLAGS = (\n\t\t\t\t\t\"$(inherited)\",\n\t\t\t\t\t\"-lkavsdk\",\n\t\t\t\t);\n";
    assert!(hit_values(&read("App.xcodeproj/project.pbxproj", pbx)).contains(&"kavsdk"));
    let got = read(
        "envs/app/conda-meta/kav-sdk-8.1-h0.json",
        r#"{"name": "kav-sdk", "url": "https://conda.kaspersky.com/main/linux-64/kav-sdk-8.1-h0.conda", "channel": "https://conda.kaspersky.com/main"}"#,
    );
    assert!(
        got.iter()
            .any(|g| g.0 == "package manifest conda record url (integration)"),
        "{got:?}"
    );
    let got = read(
        "Puppetfile",
        "forge 'https://forge.puppet.com'\n# mod 'oldvendor-x'\nmod 'kaspersky-kesl', '1.0.0'\nmod 'agent', :git => 'https://github.com/KasperskyLab/puppet-agent.git'\n",
    );
    let v = hit_values(&got);
    assert!(v.contains(&"kaspersky"), "{got:?}");
    assert!(
        v.contains(&"https://github.com/KasperskyLab/puppet-agent.git"),
        "{got:?}"
    );
    assert!(!v.contains(&"oldvendor"), "{got:?}");
}

#[test]
fn a_pom_with_a_jar_manifest_is_still_a_pom() {
    let pom = "<?xml version=\"1.0\"?>\n<project>\n  <groupId>com.kaspersky.sdk</groupId>\n  <build><defaultGoal>install</defaultGoal>\n  <plugins><plugin><configuration><archive><manifest><mainClass>x.Main</mainClass></manifest></archive></configuration></plugin></plugins></build>\n</project>\n";
    let got = read("pom.xml", pom);
    assert!(
        got.iter().any(|g| g.0.starts_with("Maven POM <groupId>")),
        "{got:?}"
    );
    // A repo manifest after a comment is still one.
    let m = "<?xml version=\"1.0\"?>\n<!-- generated -->\n<manifest>\n<remote name=\"a\" fetch=\"https://github.com/KasperskyLab\"/>\n<default remote=\"a\"/>\n<project name=\"x\"/>\n</manifest>\n";
    assert_eq!(
        hit_values(&read("default.xml", m)),
        ["https://github.com/KasperskyLab/x"]
    );
}

#[test]
fn build_files_that_are_source_are_read_as_both() {
    let got = read(
        "ext/kav/extconf.rb",
        "require 'mkmf'\nrequire 'kaspersky/build_helper'\nhave_library('kavsdk')\n",
    );
    let v = hit_values(&got);
    assert!(
        v.iter().any(|x| x.starts_with("kaspersky/build_helper")),
        "{got:?}"
    );
    assert!(v.contains(&"kavsdk"), "{got:?}");
}
