//! Attribution that generalises: the corpus in `tests/fixtures/attribution/cases.toml` (other
//! ecosystems' vendor fields, load dependencies, names in other scripts and cases, encodings, and
//! precision controls), plus generated binaries and package files, each in a crate of its own,
//! screened in one run. Every must-fail case fails and every control passes.

use std::collections::BTreeMap;
use std::path::Path;

use crate::*;

use crate::testgen;

#[derive(serde::Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    class: String,
    name: String,
    expect: String,
    files: BTreeMap<String, String>,
    /// Per file, the WHATWG encoding it is written in (UTF-8 where none is named).
    #[serde(default)]
    encoding: BTreeMap<String, String>,
    /// Whether `\xHH` in the files is the byte HH (written after the encoding).
    #[serde(default)]
    raw: bool,
}

impl Case {
    /// A file's bytes, as `cases.toml` describes them.
    fn bytes(&self, path: &str, text: &str) -> Vec<u8> {
        let mut b = match self.encoding.get(path).map(String::as_str) {
            None => text.as_bytes().to_vec(),
            // encoding_rs decodes UTF-32 nowhere (nor does the web): written by hand.
            Some("UTF-32LE") => text
                .chars()
                .flat_map(|c| u32::from(c).to_le_bytes())
                .collect(),
            Some(label) => {
                let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap();
                let (b, _, unmappable) = enc.encode(text);
                assert!(!unmappable, "{}: {path} is not all {label}", self.name);
                b.into_owned()
            }
        };
        if self.raw {
            let mut out = Vec::with_capacity(b.len());
            let mut i = 0;
            while i < b.len() {
                let hex = b
                    .get(i + 2..i + 4)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) if b[i..].starts_with(b"\\x") => {
                        out.push(byte);
                        i += 4;
                    }
                    _ => {
                        out.push(b[i]);
                        i += 1;
                    }
                }
            }
            b = out;
        }
        b
    }
}

/// A generated case: crate name, expected verdict, files as bytes.
type Generated = (&'static str, &'static str, Vec<(&'static str, Vec<u8>)>);

/// A zip of one source file whose archive comment is `comment`.
fn zip_with_comment(comment: &str) -> Vec<u8> {
    let mut z = testgen::zip(&[("engine/scan.c", b"int scan(void);\n")]);
    let n = z.len();
    z[n - 2..].copy_from_slice(&u16::try_from(comment.len()).unwrap().to_le_bytes());
    z.extend(comment.as_bytes());
    z
}

fn generated() -> Vec<Generated> {
    let deb = |control: &str| {
        let control_tar = testgen::gzip(&testgen::tar(&[("./control", control.as_bytes())]));
        let so = testgen::elf_shared_object(b"", "GCC: 12", "libengine.so.1", &["libc.so.6"]);
        let data_tar = testgen::gzip(&testgen::tar(&[("./usr/lib/libengine.so.1", &so)]));
        testgen::ar(&[
            ("debian-binary", b"2.0\n"),
            ("control.tar.gz", &control_tar),
            ("data.tar.gz", &data_tar),
        ])
    };
    vec![
        (
            "elf-needed-product",
            "fail",
            vec![(
                "prebuilt/libscan.so",
                testgen::elf_shared_object(
                    b"",
                    "GCC: 12",
                    "libscan.so.1",
                    &["libc.so.6", "libkavsdk.so.8"],
                ),
            )],
        ),
        // Section headers stripped (`sstrip`): the loader's program headers still name the
        // library it needs, and the notice is in bytes no section covers.
        (
            "elf-sstripped-needed-product",
            "fail",
            vec![(
                "prebuilt/libscan.so",
                testgen::elf_sstripped_library(b"", "libscan.so.1", &["libkavsdk.so.8"]),
            )],
        ),
        (
            "elf-sstripped-notice",
            "fail",
            vec![(
                "prebuilt/libengine.so",
                testgen::elf_sstripped_library(
                    b"\0Copyright (c) 2024 AO Kaspersky Lab. All rights reserved.\0",
                    "libengine.so.1",
                    &["libc.so.6"],
                ),
            )],
        ),
        (
            "control-elf-sstripped-mention",
            "pass",
            vec![(
                "prebuilt/libengine.so",
                testgen::elf_sstripped_library(
                    b"\0scan engines: kaspersky, eset, sophos\0",
                    "libengine.so.1",
                    &["libc.so.6", "libkasp.so.2"],
                ),
            )],
        ),
        // Signed by the vendor: a JAR's detached signature, a macOS library's code signature.
        (
            "jar-signed-by-vendor",
            "fail",
            vec![(
                "libs/engine.jar",
                testgen::zip(&[
                    ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n"),
                    (
                        "META-INF/ENGINE.RSA",
                        &testgen::signed_data("CN=Kaspersky Lab,O=AO Kaspersky Lab,C=RU", None),
                    ),
                ]),
            )],
        ),
        (
            "macho-signed-by-vendor",
            "fail",
            vec![(
                "prebuilt/libengine.dylib",
                testgen::macho_signed_dylib(&testgen::signed_data(
                    "CN=Developer ID Application: AO Kaspersky Lab,O=AO Kaspersky Lab,C=RU",
                    None,
                )),
            )],
        ),
        (
            "control-jar-signed-by-another",
            "pass",
            vec![(
                "libs/engine.jar",
                testgen::zip(&[
                    ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n"),
                    (
                        "META-INF/ENGINE.RSA",
                        &testgen::signed_data(
                            "CN=Example Widgets Ltd,O=Example Widgets Ltd,C=GB",
                            None,
                        ),
                    ),
                ]),
            )],
        ),
        // An Android app signed with the v2 scheme only: its signer is in the APK Signing Block,
        // which no member holds (no `META-INF/*.RSA`).
        (
            "apk-v2-signed-by-vendor",
            "fail",
            vec![(
                "android/engine.apk",
                testgen::apk_v2_signed(
                    &[("AndroidManifest.xml", b"\x03\x00\x08\x00binary xml")],
                    &["CN=Kaspersky Lab,O=AO Kaspersky Lab,C=RU"],
                ),
            )],
        ),
        // Signed by another party whose chain names the vendor's CA: a mention, not the signer.
        (
            "control-apk-signed-by-another",
            "pass",
            vec![(
                "android/engine.apk",
                testgen::apk_v2_signed(
                    &[("AndroidManifest.xml", b"\x03\x00\x08\x00binary xml")],
                    &[
                        "CN=Example Widgets Ltd,O=Example Widgets Ltd,C=GB",
                        "CN=Kaspersky Lab Code Signing CA,O=AO Kaspersky Lab,C=RU",
                    ],
                ),
            )],
        ),
        // An image's metadata in deflated text chunks, which no byte search reads.
        (
            "png-compressed-copyright",
            "fail",
            vec![(
                "docs/images/logo.png",
                testgen::png_with_text(&[
                    ("tEXt", "Software", "ImageMagick"),
                    ("zTXt", "Copyright", "(c) 2023 AO Kaspersky Lab. All rights reserved."),
                ]),
            )],
        ),
        (
            "png-international-copyright",
            "fail",
            vec![(
                "docs/images/scan.png",
                testgen::png_with_text(&[("iTXt", "Copyright", "© АО «Лаборатория Касперского»")]),
            )],
        ),
        (
            "control-png-other-vendor",
            "pass",
            vec![(
                "docs/images/logo.png",
                testgen::png_with_text(&[
                    ("zTXt", "Copyright", "(c) 2023 Example Engines Ltd."),
                    ("iTXt", "Description", "Compared with Kaspersky and others"),
                ]),
            )],
        ),
        // A DLL written out as an Intel HEX image (as firmware is, and as yara-x keeps its
        // samples): its version information, two hex digits to a byte across records.
        (
            "intel-hex-dll-version-info",
            "fail",
            vec![(
                "firmware/coprocessor.hex",
                testgen::intel_hex(&testgen::pe_dll(
                    &[("CompanyName", "AO Kaspersky Lab"), ("ProductName", "Scan Engine")],
                    b"",
                    None,
                )),
            )],
        ),
        (
            "control-intel-hex-dll-other-vendor",
            "pass",
            vec![(
                "firmware/coprocessor.hex",
                testgen::intel_hex(&testgen::pe_dll(
                    &[("CompanyName", "Example Radio Ltd"), ("ProductName", "Kaspersky-compatible scanner")],
                    b"",
                    None,
                )),
            )],
        ),
        // A binary's strings read with the text scan's notice words: `Developed by …` and an
        // SPDX licence reference attribute in a DLL as in a text file.
        (
            "binary-string-developed-by",
            "fail",
            vec![(
                "vendor/bin/engine.dll",
                testgen::pe_dll(&[], b"\0Scan engine developed by AO Kaspersky Lab\0", None),
            )],
        ),
        (
            "binary-string-licence-reference",
            "fail",
            vec![(
                "vendor/bin/engine.dll",
                testgen::pe_dll(&[], b"\0SPDX-License-Identifier: LicenseRef-Kaspersky-SDK-EULA\0", None),
            )],
        ),
        (
            "control-binary-string-mention",
            "pass",
            vec![(
                "vendor/bin/engine.dll",
                testgen::pe_dll(&[], b"\0Detects what Kaspersky Lab and others detect\0", None),
            )],
        ),
        // macOS flat installer packages (xar): the signer of the package, and what its payload
        // (pbzx or gzip over a portable cpio) installs.
        (
            "macos-pkg-signed-installer",
            "fail",
            vec![(
                "installers/mac/Agent.pkg",
                testgen::xar(
                    &[
                        ("Distribution", b"<installer-gui-script minSpecVersion=\"2\"/>"),
                        ("agent.pkg/PackageInfo", b"<pkg-info identifier=\"org.acme.agent\"/>"),
                    ],
                    Some("CN=Developer ID Installer: AO Kaspersky Lab (TEAMID0000),OU=TEAMID0000,O=AO Kaspersky Lab,C=RU"),
                ),
            )],
        ),
        (
            "macos-pkg-pbzx-payload",
            "fail",
            vec![(
                "installers/mac/Agent.pkg",
                testgen::xar(
                    &[(
                        "agent.pkg/Payload",
                        &testgen::pbzx_stored(&testgen::odc_cpio(&[(
                            "./Library/Application Support/Agent/engine.dll",
                            &testgen::pe_dll(&[("CompanyName", "AO Kaspersky Lab")], b"", None),
                        )])),
                    )],
                    None,
                ),
            )],
        ),
        (
            "macos-pkg-gzip-payload",
            "fail",
            vec![(
                "installers/mac/Agent.pkg",
                testgen::xar(
                    &[(
                        "agent.pkg/Payload",
                        &testgen::gzip(&testgen::odc_cpio(&[(
                            "./usr/local/lib/libengine.so",
                            &testgen::elf_shared_object(b"", "GCC: 12", "libengine.so", &["libkavsdk.so.8"]),
                        )])),
                    )],
                    None,
                ),
            )],
        ),
        (
            "control-macos-pkg-other-vendor",
            "pass",
            vec![(
                "installers/mac/Agent.pkg",
                testgen::xar(
                    &[(
                        "agent.pkg/Payload",
                        &testgen::pbzx_stored(&testgen::odc_cpio(&[(
                            "./Library/Agent/engine.dll",
                            &testgen::pe_dll(&[("CompanyName", "Example Widgets Ltd"), ("Comments", "replaces the Kaspersky engine")], b"", None),
                        )])),
                    )],
                    Some("CN=Developer ID Installer: Example Widgets Ltd (TEAMID0001),O=Example Widgets Ltd,C=GB"),
                ),
            )],
        ),
        // A DLL renamed and stripped of its version information: its export directory keeps
        // the name it was linked as.
        (
            "pe-export-name-product",
            "fail",
            vec![("runtimes/win-x64/native/engine.dll", testgen::pe_dll_named("kavsdk.dll"))],
        ),
        (
            "control-pe-export-name-other",
            "pass",
            vec![("runtimes/win-x64/native/engine.dll", testgen::pe_dll_named("acmescan.dll"))],
        ),
        // A DLL loaded on first call (`/DELAYLOAD`) is as much a load dependency as an import.
        (
            "pe-delay-load-import-product",
            "fail",
            vec![("bin/scanner.dll", testgen::pe_dll_delay_importing("kavsdk.dll"))],
        ),
        (
            "control-pe-delay-load-import-other",
            "pass",
            vec![("bin/scanner.dll", testgen::pe_dll_delay_importing("acmescan.dll"))],
        ),
        // Every form of a Mach-O dylib command: the library's own install name, and a library
        // loaded lazily or upward as one loaded outright.
        (
            "macho-id-dylib-product",
            "fail",
            vec![(
                "bin/libscan.dylib",
                testgen::macho_dylib(&[(object::macho::LC_ID_DYLIB, "@rpath/libkavsdk.8.dylib")]),
            )],
        ),
        (
            "macho-lazy-load-dylib-product",
            "fail",
            vec![(
                "bin/libscan.dylib",
                testgen::macho_dylib(&[
                    (object::macho::LC_ID_DYLIB, "@rpath/libscan.dylib"),
                    (object::macho::LC_LAZY_LOAD_DYLIB, "@rpath/libkavsdk.8.dylib"),
                ]),
            )],
        ),
        (
            "control-macho-lazy-load-dylib-other",
            "pass",
            vec![(
                "bin/libscan.dylib",
                testgen::macho_dylib(&[
                    (object::macho::LC_ID_DYLIB, "@rpath/libscan.dylib"),
                    (object::macho::LC_LAZY_LOAD_DYLIB, "@rpath/libacmescan.dylib"),
                ]),
            )],
        ),
        // A WebAssembly module's import section names the modules the host must supply to run
        // it, as an ELF's `DT_NEEDED` does: one of them a listed product's is integration,
        // whatever else it imports.
        (
            "wasm-import-module-product",
            "fail",
            vec![(
                "assets/engine.wasm",
                testgen::wasm_module(
                    &[
                        ("env", "memory"),
                        ("kavsdk", "kav_scan_file"),
                        ("wasi_snapshot_preview1", "fd_write"),
                    ],
                    &[],
                ),
            )],
        ),
        (
            "wasm-import-module-npm-scope",
            "fail",
            vec![(
                "pkg/scanner_bg.wasm",
                testgen::wasm_module(
                    &[
                        ("./scanner_bg.js", "__wbg_log"),
                        ("@kaspersky/scan-engine", "scan"),
                    ],
                    &[],
                ),
            )],
        ),
        (
            "wasm-import-module-url",
            "fail",
            vec![(
                "static/scan.wasm",
                testgen::wasm_module(
                    &[("https://cdn.kaspersky.com/sdk/js/v3/scan.mjs", "scan")],
                    &[],
                ),
            )],
        ),
        (
            "wasm-component-import",
            "fail",
            vec![(
                "plugins/scan.wasm",
                testgen::wasm_component(
                    &["wasi:cli/stdout@0.2.0", "kaspersky:scan-engine/scanner@1.0.0"],
                    &testgen::wasm_module(&[("env", "abort")], &[]),
                ),
            )],
        ),
        (
            "wasm-import-module-in-zip",
            "fail",
            vec![(
                "dist/web.zip",
                testgen::zip(&[(
                    "web/engine.wasm",
                    &testgen::wasm_module(&[("KasperskyScanEngine", "scan")], &[]),
                )]),
            )],
        ),
        // Emscripten's dynamic linking: a side module's `dylink.0` section lists the libraries
        // it needs and where to find them, as an ELF's `DT_NEEDED` and `DT_RUNPATH` do.
        (
            "wasm-dylink-needed-product",
            "fail",
            vec![(
                "web/scanner.wasm",
                testgen::wasm_side_module(&["libc.so", "libkavsdk.so"], &[], &[("env", "memory")]),
            )],
        ),
        (
            "wasm-dylink-runtime-path-vendor-directory",
            "fail",
            vec![(
                "web/scanner.wasm",
                testgen::wasm_side_module(
                    &["libengine.so"],
                    &["$ORIGIN/lib", "/opt/kaspersky/wasm/lib"],
                    &[("env", "memory")],
                ),
            )],
        ),
        // A module written out in a source file as a byte array (`include!`d, or a `static`),
        // decoded and read as the file it is.
        (
            "wasm-module-as-rust-byte-array",
            "fail",
            vec![(
                "src/engine_wasm.rs",
                {
                    let padding: Vec<u8> = (0..=255u8).cycle().take(600).collect();
                    let m = testgen::wasm_module(
                        &[("env", "memory"), ("kavsdk", "kav_scan_file")],
                        &[("padding", &padding)],
                    );
                    let bytes: Vec<String> = m.iter().map(|b| format!("0x{b:02x}")).collect();
                    format!("pub static ENGINE: &[u8] = &[{}];\n", bytes.join(", ")).into_bytes()
                },
            )],
        ),
        (
            "wasm-import-module-library-file",
            "fail",
            vec![(
                "web/app.wasm",
                testgen::wasm_module(&[("env", "memory"), ("libkavsdk.so", "kav_scan_file")], &[]),
            )],
        ),
        (
            "wasm-import-module-schemeless-url",
            "fail",
            vec![(
                "static/app.wasm",
                testgen::wasm_module(&[("//cdn.kaspersky.com/sdk/scan.mjs", "scan")], &[]),
            )],
        ),
        (
            "control-wasm-dylink-other",
            "pass",
            vec![(
                "web/scanner.wasm",
                testgen::wasm_side_module(
                    &["libc.so", "libacmescan.so"],
                    &["$ORIGIN/lib", "/opt/multiscan-kaspersky/lib"],
                    &[("env", "memory")],
                ),
            )],
        ),
        (
            "control-wasm-imports-other",
            "pass",
            vec![
                (
                    "assets/engine.wasm",
                    testgen::wasm_module(
                        &[
                            ("env", "memory"),
                            ("./kaspersky_compat_bg.js", "log"),
                            ("wasi_snapshot_preview1", "fd_write"),
                        ],
                        &[(
                            "producers",
                            b"\x01\x0cprocessed-by\x01\x0ckav-sdk-wasm\x038.1",
                        )],
                    ),
                ),
                // Damaged: a note, its strings read as text (a mention).
                (
                    "assets/broken.wasm",
                    b"\0asm\x01\0\0\0\x02\xff\xff\xff\xff\x0f kavsdk".to_vec(),
                ),
            ],
        ),
        // A run path is where the loader looks for the libraries the binary loads: a directory
        // in it that a listed name or product leads is the vendor's, as a shipped file's
        // directory is; one the name only appears in is a mention.
        (
            "elf-runpath-vendor-directory",
            "fail",
            vec![(
                "prebuilt/libscan.so",
                testgen::elf_shared_object_with(
                    b"",
                    "GCC: 12",
                    "libscan.so.1",
                    &["libc.so.6", "libengine.so.8"],
                    &[(29, "$ORIGIN/../lib:/opt/kaspersky/kav-sdk/lib:/usr/lib")],
                ),
            )],
        ),
        (
            "elf-rpath-origin-product-directory",
            "fail",
            vec![(
                "prebuilt/libscan.so",
                testgen::elf_shared_object_with(
                    b"",
                    "GCC: 12",
                    "libscan.so.1",
                    &["libengine.so.8"],
                    &[(15, "$ORIGIN/../kavsdk/lib")],
                ),
            )],
        ),
        (
            "macho-rpath-vendor-directory",
            "fail",
            vec![(
                "bin/libscan.dylib",
                testgen::macho_dylib(&[
                    (object::macho::LC_ID_DYLIB, "@rpath/libscan.dylib"),
                    (object::macho::LC_LOAD_DYLIB, "@rpath/libengine.dylib"),
                    (object::macho::LC_RPATH, "@loader_path/../lib"),
                    (
                        object::macho::LC_RPATH,
                        "/Library/Application Support/Kaspersky Lab/SDK/lib",
                    ),
                ]),
            )],
        ),
        (
            "macho-rpath-framework",
            "fail",
            vec![(
                "bin/libscan.dylib",
                testgen::macho_dylib(&[
                    (object::macho::LC_ID_DYLIB, "@rpath/libscan.dylib"),
                    (
                        object::macho::LC_RPATH,
                        "@loader_path/../Frameworks/KAVSDK.framework",
                    ),
                ]),
            )],
        ),
        (
            "control-run-paths-other",
            "pass",
            vec![
                (
                    "prebuilt/libscan.so",
                    testgen::elf_shared_object_with(
                        b"",
                        "GCC: 12",
                        "libscan.so.1",
                        &["libc.so.6"],
                        &[(29, "$ORIGIN/../lib:/usr/lib:/opt/multiscan-kaspersky/lib")],
                    ),
                ),
                (
                    "bin/libscan.dylib",
                    testgen::macho_dylib(&[
                        (object::macho::LC_ID_DYLIB, "@rpath/libscan.dylib"),
                        (object::macho::LC_RPATH, "@loader_path/../lib"),
                        (
                            object::macho::LC_RPATH,
                            "/opt/acme-av-compare/notes-on-kaspersky",
                        ),
                    ]),
                ),
            ],
        ),
        // The package metadata a distribution's build stamps into each binary: who maintains
        // the package says who made it, as an RPM's `Vendor` does.
        (
            "elf-package-note-maintainer",
            "fail",
            vec![(
                "prebuilt/libengine.so",
                testgen::elf_object_with_note(
                    "FDO",
                    0xcafe_1a7e,
                    br#"{"type":"rpm","name":"scan-engine","version":"8.1.0","architecture":"x86_64","maintainer":"AO Kaspersky Lab"}"#,
                ),
            )],
        ),
        (
            "pe-package-note-maintainer",
            "fail",
            vec![(
                "bin/engine.dll",
                testgen::pe_dll_with_section(
                    ".pkgnote",
                    b"{\"type\":\"msi\",\"name\":\"scan-engine\",\"maintainer\":\"AO Kaspersky Lab\"}\0",
                ),
            )],
        ),
        (
            "control-elf-package-note-other-maintainer",
            "pass",
            vec![(
                "prebuilt/libbridge.so",
                testgen::elf_object_with_note(
                    "FDO",
                    0xcafe_1a7e,
                    br#"{"type":"deb","name":"scan-bridge","maintainer":"Example Org","description":"drives Kaspersky engines"}"#,
                ),
            )],
        ),
        // A static library's object members keep the names they were compiled under.
        (
            "ar-member-file-name",
            "fail",
            vec![(
                "prebuilt/libengine.a",
                testgen::ar(&[("kavsdk_engine.o", &testgen::elf_object(b"int scan;"))]),
            )],
        ),
        (
            "control-ar-member-other-name",
            "pass",
            vec![(
                "prebuilt/libengine.a",
                testgen::ar(&[(
                    "acme_engine.o",
                    &testgen::elf_object(b"\0also reads Kaspersky quarantine files\0"),
                )]),
            )],
        ),
        // File and directory names inside archives: a packed library keeps the name it ships
        // under, in a zip, in a nested archive's name, in a package's directory tree.
        (
            "zip-member-file-name",
            "fail",
            vec![(
                "dist/bundle.zip",
                testgen::zip(&[
                    ("README.txt", b"Scanner bundle.\n"),
                    ("lib/KasperskyScanEngine.dll", &[0x8f, 0x13, 0x77, 0xa0, 0x00, 0x5c, 0xe1, 0x09]),
                ]),
            )],
        ),
        (
            "nested-archive-name",
            "fail",
            vec![(
                "vendor/deps.tar",
                testgen::tar(&[(
                    "third_party/kaspersky-sdk-8.1.zip",
                    &testgen::zip(&[("readme.txt", b"engine\n")]),
                )]),
            )],
        ),
        (
            "deb-directory-name",
            "fail",
            vec![("packages/agent.deb", {
                let control_tar = testgen::gzip(&testgen::tar(&[("./control", b"Package: agent\nMaintainer: Example <ops@example.com>\n")]));
                let so = testgen::elf_shared_object(b"", "GCC: 12", "libengine.so.1", &["libc.so.6"]);
                let data_tar = testgen::gzip(&testgen::tar(&[("./opt/kaspersky/lib/libengine.so.1", &so)]));
                testgen::ar(&[("debian-binary", b"2.0\n"), ("control.tar.gz", &control_tar), ("data.tar.gz", &data_tar)])
            })],
        ),
        (
            "control-zip-member-adapter",
            "pass",
            vec![(
                "dist/plugins.zip",
                testgen::zip(&[("plugins/MultiScan.Engines.Kaspersky.dll", &[0x8f, 0x13, 0x77, 0xa0, 0x00, 0x5c])]),
            )],
        ),
        // A Go binary's module records (`go version -m`): the module it was built with is named
        // by its path, whatever the symbols were stripped of. A module of another organisation
        // named for the engine it drives is not the vendor's.
        (
            "go-binary-module-dependency",
            "fail",
            vec![(
                "bin/agent",
                testgen::elf_shared_object(
                    &testgen::go_build_records("example.com/agent", &[("github.com/KasperskyLab/ksc-go", "v1.2.0")]),
                    "Go",
                    "agent",
                    &["libc.so.6"],
                ),
            )],
        ),
        (
            "control-go-binary-adapter",
            "pass",
            vec![(
                "bin/tool",
                testgen::elf_shared_object(
                    &testgen::go_build_records("example.com/tool", &[("github.com/acme/kaspersky-adapter", "v0.1.0")]),
                    "Go",
                    "tool",
                    &["libc.so.6"],
                ),
            )],
        ),
        // A .NET assembly with its version information stripped: its namespaces, led by the
        // vendor's name, are its code. An adapter named for the engine it drives is not.
        (
            "dotnet-vendor-namespace",
            "fail",
            vec![(
                "runtimes/win-x64/Engine.dll",
                testgen::dotnet_dll(&["<Module>", "Kaspersky.Antivirus.Sdk", "ScanEngine", "mscorlib"]),
            )],
        ),
        (
            "control-dotnet-adapter",
            "pass",
            vec![(
                "runtimes/win-x64/Adapters.dll",
                testgen::dotnet_dll(&["<Module>", "MultiScan.Engines.Kaspersky", "ScanWithKaspersky", "mscorlib"]),
            )],
        ),
        // A notice in a zip's comment, which no member holds.
        (
            "zip-comment-notice",
            "fail",
            vec![(
                "third_party/engine-sdk.zip",
                zip_with_comment("Engine SDK 12. Copyright (c) 2024 AO Kaspersky Lab."),
            )],
        ),
        (
            "control-zip-comment-mention",
            "pass",
            vec![(
                "third_party/engines.zip",
                zip_with_comment("Signatures for: Kaspersky, ESET, Sophos (test data)."),
            )],
        ),
        // A Ruby gem: its specification is the YAML `metadata` inside the `.gem` tar.
        (
            "gem-metadata-authors",
            "fail",
            vec![(
                "vendor/scan-engine-1.0.0.gem",
                testgen::tar(&[
                    (
                        "metadata.gz",
                        &testgen::gzip(
                            b"--- !ruby/object:Gem::Specification\nname: scan-engine\nauthors:\n- AO Kaspersky Lab\nhomepage: https://example.org/scan\n",
                        ),
                    ),
                    ("data.tar.gz", &testgen::gzip(&testgen::tar(&[]))),
                ]),
            )],
        ),
        // Compiled JVM code keeps its package names whatever its manifest says.
        (
            "jar-classes-in-vendor-package",
            "fail",
            vec![(
                "libs/engine.jar",
                testgen::zip(&[
                    ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n"),
                    (
                        "com/kaspersky/kavsdk/Scanner.class",
                        &testgen::class_file("com/kaspersky/kavsdk/Scanner", &["java/lang/Object"]),
                    ),
                ]),
            )],
        ),
        (
            "dex-refers-to-vendor-classes",
            "fail",
            vec![(
                "android/app.apk",
                testgen::zip(&[(
                    "classes.dex",
                    &testgen::dex(
                        &["Lorg/example/app/Main;"],
                        &[
                            "Ljava/lang/Object;",
                            "Lcom/kaspersky/components/kavsdk/Scanner;",
                        ],
                    ),
                )]),
            )],
        ),
        (
            "control-bytecode-look-alike-and-strings",
            "pass",
            vec![(
                "libs/wallet.jar",
                testgen::zip(&[(
                    "org/kaspa/wallet/Main.class",
                    &testgen::class_file(
                        "org/kaspa/wallet/Main",
                        &["java/lang/Object", "com/example/avlist/Engines"],
                    ),
                )]),
            )],
        ),
        // An installer: its header names who made it, its cabinet holds nothing that does.
        (
            "msi-manufacturer",
            "fail",
            vec![(
                "installers/agent.msi",
                testgen::msi(None, &[("Manufacturer", "AO Kaspersky Lab")], &[], None),
            )],
        ),
        (
            "control-msi-mention",
            "pass",
            vec![(
                "installers/agent.msi",
                testgen::msi(
                    Some("Example Widgets Ltd."),
                    &[
                        ("Manufacturer", "Example Widgets Ltd."),
                        ("SupportedEngines", "Kaspersky, ESET, Sophos"),
                    ],
                    &[],
                    None,
                ),
            )],
        ),
        (
            "control-elf-needed-unrelated",
            "pass",
            vec![(
                "prebuilt/libscan.so",
                testgen::elf_shared_object(
                    b"",
                    "GCC: 12",
                    "libscan.so.1",
                    &["libc.so.6", "libkasp.so.2"],
                ),
            )],
        ),
        (
            "deb-maintainer",
            "fail",
            vec![(
                "packages/engine_1.0_amd64.deb",
                deb(
                    "Package: engine\nVersion: 1.0\nMaintainer: AO Kaspersky Lab <deb@example.org>\n",
                ),
            )],
        ),
        (
            "jar-manifest",
            "fail",
            vec![(
                "libs/engine.jar",
                testgen::zip(&[
                    (
                        "META-INF/MANIFEST.MF",
                        b"Manifest-Version: 1.0\r\nImplementation-Vendor: AO Kaspersky Lab\r\n",
                    ),
                    ("com/example/Engine.class", b"\xca\xfe\xba\xbe"),
                ]),
            )],
        ),
        (
            "control-deb-other-maintainer",
            "pass",
            vec![(
                "packages/tool_1.0_amd64.deb",
                deb(
                    "Package: tool\nVersion: 1.0\nMaintainer: Example Org <deb@example.org>\nDescription: works alongside Kaspersky products\n",
                ),
            )],
        ),
        // What a JAR says of the library it ships: Maven's coordinates in
        // `META-INF/maven/<groupId>/<artifactId>/pom.properties` and in the directory's name.
        (
            "jar-pom-properties-group",
            "fail",
            vec![(
                "libs/engine.jar",
                testgen::zip(&[
                    (
                        "META-INF/maven/com.kaspersky.sdk/scan-engine/pom.properties",
                        b"#Generated by Maven\ngroupId=com.kaspersky.sdk\nartifactId=scan-engine\nversion=8.1.0\n",
                    ),
                    ("com/example/Engine.class", b"\xca\xfe\xba\xbe"),
                ]),
            )],
        ),
        (
            "jar-pom-properties-colon",
            "fail",
            vec![(
                "vendor/sdk.bin",
                testgen::zip(&[(
                    "META-INF/maven/ru.kaspersky/kavsdk-java/pom.properties",
                    b"artifactId: kavsdk-java\r\ngroupId: ru.kaspersky\r\n",
                )]),
            )],
        ),
        (
            "control-jar-pom-properties-other-group",
            "pass",
            vec![(
                "libs/adapter.jar",
                testgen::zip(&[(
                    "META-INF/maven/org.example.av/kaspersky-adapter/pom.properties",
                    b"# adapter for the Kaspersky scan engine REST API\ngroupId=org.example.av\nartifactId=kaspersky-adapter\nversion=1.0\n",
                )]),
            )],
        ),
        // Where an installed wheel came from (PEP 610).
        (
            "whl-direct-url-archive",
            "fail",
            vec![(
                "vendor/scan_engine.whl",
                testgen::zip(&[
                    (
                        "scan_engine-8.1.0.dist-info/direct_url.json",
                        br#"{"url": "https://download.kaspersky.com/sdk/python/scan_engine-8.1.0-py3-none-any.whl", "archive_info": {}}"#,
                    ),
                    ("scan_engine/__init__.py", b"\n"),
                ]),
            )],
        ),
        (
            "whl-direct-url-vcs",
            "fail",
            vec![(
                "vendor/scan.zip",
                testgen::zip(&[(
                    "venv/lib/python3.12/site-packages/kav_scan-2.0.dist-info/direct_url.json",
                    b"{\n  \"url\": \"ssh://git@github.com/KasperskyLab/kav-scan-py.git\",\n  \"vcs_info\": {\"vcs\": \"git\", \"commit_id\": \"0123abcd\"}\n}\n",
                )]),
            )],
        ),
        (
            "control-whl-direct-url-pypi",
            "pass",
            vec![(
                "vendor/report.whl",
                testgen::zip(&[(
                    "kaspersky_report_parser-1.0.dist-info/direct_url.json",
                    br#"{"url": "https://files.pythonhosted.org/packages/ab/cd/kaspersky_report_parser-1.0-py3-none-any.whl", "archive_info": {}}"#,
                )]),
            )],
        ),
        // A package's test-data archives are unpacked once anything outside the test data names
        // them (a build script, a packaging step, an included file, a CI job, a Gradle file),
        // and what they store or name is read either way.
        (
            "test-data-zip-copied-by-build-script",
            "fail",
            vec![
                ("tests/fixtures/engine.zip", test_data_engine_zip()),
                ("build.rs", b"fn main() { std::fs::copy(\"tests/fixtures/engine.zip\", out_dir().join(\"e.zip\")).unwrap(); }\n".to_vec()),
            ],
        ),
        (
            "test-data-zip-copied-by-dockerfile",
            "fail",
            vec![
                ("testdata/engine.zip", test_data_engine_zip()),
                ("Dockerfile", b"FROM debian:12\nCOPY testdata/engine.zip /opt/app/\n".to_vec()),
            ],
        ),
        (
            "test-data-zips-globbed-by-release-job",
            "fail",
            vec![
                ("tests/data/engine.zip", test_data_engine_zip()),
                (".github/workflows/release.yml", b"jobs:\n  pack:\n    steps:\n      - run: for z in tests/data/*.zip; do unzip -o \"$z\" -d dist; done\n".to_vec()),
            ],
        ),
        (
            "test-data-zip-included-by-source",
            "fail",
            vec![
                ("fixtures/engine.zip", test_data_engine_zip()),
                ("src/engine.rs", b"pub static ENGINE: &[u8] = include_bytes!(\"../fixtures/engine.zip\");\n".to_vec()),
            ],
        ),
        (
            "test-data-dir-joined-by-build-script",
            "fail",
            vec![
                ("corpus/blob.bin", test_data_engine_zip()),
                ("build.rs", b"fn main() { for e in std::fs::read_dir(Path::new(ROOT).join(\"corpus\")).unwrap() { unpack(e); } }\n".to_vec()),
            ],
        ),
        (
            "test-data-jar-named-by-gradle",
            "fail",
            vec![
                (
                    "src/test/resources/engine.jar",
                    testgen::zip(&[(
                        "com/kaspersky/kavsdk/Scanner.class",
                        &testgen::class_file("com/kaspersky/kavsdk/Scanner", &["java/lang/Object"]),
                    )]),
                ),
                ("android/build.gradle", b"dependencies {\n    implementation files('../src/test/resources/engine.jar')\n}\n".to_vec()),
            ],
        ),
        (
            "test-data-zip-member-named-for-product",
            "fail",
            vec![(
                "tests/data/sdk.zip",
                testgen::zip(&[("lib/x64/kavsdk.dll", b"MZ\x90\x00 not unpacked")]),
            )],
        ),
        (
            "test-data-zip-stored-notice",
            "fail",
            vec![("tests/data/stored.zip", {
                let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                let stored = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored);
                w.start_file("engine/NOTICE", stored).unwrap();
                std::io::Write::write_all(&mut w, b"Copyright (c) 2024 AO Kaspersky Lab\n").unwrap();
                w.finish().unwrap().into_inner()
            })],
        ),
        (
            "test-data-intel-hex-flashed-by-makefile",
            "fail",
            vec![
                (
                    "tests/data/coprocessor.hex",
                    testgen::intel_hex(&testgen::pe_dll(
                        &[("CompanyName", "AO Kaspersky Lab"), ("ProductName", "Scan Engine")],
                        b"",
                        None,
                    )),
                ),
                ("Makefile", b"image.bin:\n\tobjcopy -I ihex -O binary tests/data/coprocessor.hex $@\n".to_vec()),
            ],
        ),
        (
            "control-test-data-intel-hex-sample",
            "pass",
            vec![(
                "tests/data/coprocessor.hex",
                testgen::intel_hex(&testgen::pe_dll(
                    &[("CompanyName", "AO Kaspersky Lab"), ("ProductName", "Scan Engine")],
                    b"",
                    None,
                )),
            )],
        ),
        // Test inputs nothing but tests read (a parser's zipped samples, as yara-x keeps
        // them) are never in a product: their compressed members are not unpacked.
        (
            "control-test-data-zip-samples",
            "pass",
            vec![
                ("tests/testdata/4f1e2a.in.zip", test_data_engine_zip()),
                ("tests/pe.rs", b"#[test] fn parses() { parse(unzip(\"tests/testdata/4f1e2a.in.zip\")); }\n".to_vec()),
                ("src/lib.rs", b"#[cfg(test)]\nmod tests;\n/// Parses PE files.\npub fn parse() {}\n".to_vec()),
                ("README.md", b"# pe\n\nThe samples are in `tests/testdata/` (`tests/testdata/4f1e2a.in.zip` is a DLL).\n".to_vec()),
            ],
        ),
    ]
}

/// A zip holding a DLL whose version information names the vendor, under a name that does not.
fn test_data_engine_zip() -> Vec<u8> {
    testgen::zip(&[(
        "bin/engine.dll",
        &testgen::pe_dll(
            &[
                ("CompanyName", "AO Kaspersky Lab"),
                ("ProductName", "Scan Engine"),
            ],
            b"",
            None,
        ),
    )])
}

/// A case's crate name and its files (path, bytes).
type Crate = (String, Vec<(String, Vec<u8>)>);

/// A workspace of one `app` with a path dependency per case, each crate holding its files.
fn build(dir: &Path, cases: &[Crate]) -> String {
    let mut deps = String::new();
    for (name, files) in cases {
        let d = dir.join("crates").join(name);
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::write(d.join("src/lib.rs"), "").unwrap();
        std::fs::write(
            d.join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        )
        .unwrap();
        for (path, bytes) in files {
            let p = d.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        deps.push_str(&format!("{name} = {{ path = \"crates/{name}\" }}\n"));
    }
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"),
    )
    .unwrap();
    dir.join("Cargo.toml").display().to_string()
}

#[test]
fn every_case_fails_and_every_control_passes() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/attribution/cases.toml"),
    )
    .unwrap();
    let corpus: Corpus = toml::from_str(&text).unwrap();
    let mut expected: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut cases = Vec::new();
    for c in corpus.case {
        let files = c
            .files
            .iter()
            .map(|(p, t)| (p.clone(), c.bytes(p, t)))
            .collect();
        expected.insert(c.name.clone(), (c.class, c.expect));
        cases.push((c.name, files));
    }
    for (name, expect, files) in generated() {
        expected.insert(name.into(), ("generated".into(), expect.into()));
        cases.push((
            name.to_string(),
            files.into_iter().map(|(p, b)| (p.to_string(), b)).collect(),
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let m = build(dir.path(), &cases);
    let r = run(&[
        "--manifest-path",
        &m,
        "--offline",
        "--format",
        "json",
        "--no-cache",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let failing = |pkg: &str| -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["package"]["name"] == pkg && f["verdict"] == "fail")
            .map(|f| {
                format!(
                    "{} at {}: {}",
                    f["evidence"]["field"].as_str().unwrap_or(""),
                    f["evidence"]["location"]["file"].as_str().unwrap_or(""),
                    f["evidence"]["text"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    let mut wrong = Vec::new();
    for (name, (class, expect)) in &expected {
        let got = failing(name);
        let fails = !got.is_empty();
        if fails != (expect == "fail") {
            wrong.push(format!(
                "{class}/{name}: expected {expect}, failing findings {got:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Nothing is left unread but the signature cases' damaged "archives", which are listed as
    // malformed and whose bytes were read as plain files.
    let unread: Vec<&serde_json::Value> = doc["not_scanned"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            !n["reason"]
                .as_str()
                .unwrap()
                .ends_with("its bytes were read as a plain file")
        })
        .collect();
    assert!(unread.is_empty(), "{unread:?}");
}
