//! Recognisers, the long tail of package manifests: the files other ecosystems describe a
//! package or its dependencies in, whose syntax is some form of `key = value` (YAML, TOML, JSON,
//! DCF, INI, Lua, Nim, Elixir, Perl, PowerShell and Nix assignments, Swift and Ruby call
//! arguments, XML elements and attributes). One reader for all of them, and a table of the files
//! it reads: a format whose keys say who made the package (`author`, `maintainers`, `vendor`,
//! `Manufacturer`…) or where it comes from (`homepage`, `repository`, `url`) needs a line in
//! [`MANIFESTS`], not code.
//!
//! Two kinds of manifest. A *package* manifest (`pubspec.yaml`, R `DESCRIPTION`, `*.cabal`,
//! Perl `META.json`, `mix.exs`, `*.nimble`, `*.rockspec`, conda `meta.yaml`…) describes the
//! package it sits in: its maker keys are attribution. A *dependency* manifest (`Package.swift`,
//! `Cartfile`, `Gemfile`, `Podfile`, `requirements.txt`, `.gitmodules`, `MODULE.bazel`,
//! `packages.config`…) declares what the package is built from: every URL in it, and every
//! package it names, is integration.
//!
//! Lockfiles and dependency lists (`yarn.lock`, `pnpm-lock.yaml`, `Gemfile.lock`,
//! `poetry.lock`, `packages.lock.json`, `gradle.lockfile`…), the dependency sections of package
//! manifests and the images a `Dockerfile` or Compose file builds on name their packages where no key says
//! so (an entry's header, a key of a packages table, `name =` in a `[[package]]`): [`LOCKFILES`]
//! says where, per format, as a pattern or a JSON path, and they declare dependencies like the
//! manifests above.
//!
//! Only files named in the tables are read: elsewhere `vendor: …` is as often data (a table of
//! anti-virus products, a detection rule's metadata) as a statement of who made the file.

use std::sync::LazyLock;

use regex::Regex;

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, line_at, re};
use crate::evidence::Shape;

/// What a manifest declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declares {
    /// The package it describes: maker keys are attribution.
    Package,
    /// What the package is built from: URLs and named packages are integration (maker keys
    /// still attribute).
    Dependencies,
    /// Where a package manager installs from (an apt `.list`, a yum `.repo`, `pip.conf`,
    /// `.npmrc`): its URLs are integration, as a dependency manifest's, except those of a
    /// section or paragraph it disables (`enabled=0`, `Enabled: no`) and of XML comments.
    Sources,
}

/// How a file is known: its whole base name, the end of it (`.cabal`, `.appdata.xml`), its
/// beginning and end (`values` … `.yaml`: `values-prod.yaml`), the end of its path
/// (`info/about.json`), ASCII case ignored; or how its text starts (a gem's `metadata`, named
/// only by its place in the `.gem`); or the end of its name and a pattern its text matches,
/// where the name alone says nothing (a winget manifest is a `.yaml` with a
/// `PackageIdentifier:`, a Homebrew formula a `.rb` with a `class … < Formula`).
#[derive(Debug, Clone, Copy)]
enum Named {
    Base(&'static str),
    Suffix(&'static str),
    Around(&'static str, &'static str),
    PathEnd(&'static str),
    Starts(&'static str),
    Holds(&'static str, &'static str),
}

/// A winget manifest: its package identifier (`Publisher.Package`) at the start of a line.
const WINGET: &str = r"(?m)^PackageIdentifier:[ \t]*\S";

/// A Homebrew formula (`class Engine < Formula`) or cask (`cask "engine" do`).
const HOMEBREW: &str = r#"(?m)^[ \t]*(?:class[ \t]+\w+[ \t]*<[ \t]*Formula\b|cask[ \t]+["':])"#;

/// A Flatpak manifest: a `runtime` and, after it, the `modules` built into the application.
const FLATPAK: &str = r#"(?m)^[ \t]*"?runtime"?[ \t]*:[\s\S]*^[ \t]*"?modules"?[ \t]*:"#;

/// An OCI or Docker image manifest or index (`mediaType` of the image spec).
const OCI_MANIFEST: &str =
    r#""mediaType"[ \t]*:[ \t]*"application/vnd\.(?:oci\.image|docker\.distribution)\."#;

/// A kas project configuration (Yocto): a `header:` with a `version:`, and `repos:`.
const KAS: &str = r"(?m)^header:[ \t]*\r?\n[ \t]+version:[\s\S]*^repos:";

/// An apt one-line source list: a `deb` or `deb-src` line.
const APT_LIST: &str = r"(?m)^[ \t]*deb(?:-src)?[ \t]+\S";

/// An apt deb822 source file: a `URIs:` field.
const APT_SOURCES: &str = r"(?m)^URIs:";

/// A yum or dnf repository file: a `baseurl`, `mirrorlist` or `metalink`.
const YUM_REPO: &str = r"(?mi)^[ \t]*(?:baseurl|mirrorlist|metalink)[ \t]*=";

/// The manifests read, by ecosystem.
const MANIFESTS: &[(Named, Declares)] = {
    use Declares::{Dependencies as D, Package as P, Sources as R};
    use Named::{Base as B, Holds as H, PathEnd as E, Starts as T, Suffix as S};
    &[
        // Inside published packages: a gem's `metadata` (YAML), a conda package's
        // `info/about.json`.
        (T("--- !ruby/object:Gem::Specification"), P),
        (E("info/about.json"), P),
        // Dart and Flutter; R; Haskell; Perl; Elixir and Erlang; Nim; Lua; Julia; Crystal.
        (B("pubspec.yaml"), P),
        (B("DESCRIPTION"), P),
        (S(".cabal"), P),
        (B("package.yaml"), P),
        // A Kotlin/Native cinterop definition: its keys (read below) are not a package's.
        (H(".def", KOTLIN_DEF), P),
        (B("META.json"), P),
        (B("META.yml"), P),
        (B("MYMETA.json"), P),
        (B("MYMETA.yml"), P),
        (B("Makefile.PL"), P),
        (B("Build.PL"), P),
        (B("dist.ini"), P),
        (B("mix.exs"), P),
        (B("rebar.config"), P),
        (S(".app.src"), P),
        (S(".nimble"), P),
        (S(".rockspec"), P),
        (B("Project.toml"), P),
        (B("JuliaProject.toml"), P),
        (B("shard.yml"), P),
        // JavaScript beyond npm; Elm; Scala, Clojure; Zig; OCaml.
        (B("deno.json"), P),
        (B("deno.jsonc"), P),
        (B("jsr.json"), P),
        (B("component.json"), P),
        (B("elm.json"), P),
        (B("build.sbt"), P),
        (B("project.clj"), P),
        (B("dune-project"), P),
        (S(".opam"), P),
        (B("opam"), P),
        // Distribution packaging: conda, Arch, Alpine, MacPorts, Nix, Helm charts, snaps, AppStream metadata.
        (B("meta.yaml"), P),
        (B("recipe.yaml"), P),
        (B("PKGBUILD"), P),
        (B(".SRCINFO"), P),
        (B("APKBUILD"), P),
        (B("Portfile"), P),
        // Any Nix expression (`default.nix`, `flake.nix`, an overlay's `pkgs/engine.nix`): a
        // fetcher's `owner` and `url`.
        (S(".nix"), P),
        (B("Chart.yaml"), P),
        (B("snapcraft.yaml"), P),
        (S(".appdata.xml"), P),
        (S(".metainfo.xml"), P),
        // Windows and browser packaging: MSIX/AppX, VSIX, PowerShell modules, driver INFs,
        // WebExtensions.
        (B("Package.appxmanifest"), P),
        (B("AppxManifest.xml"), P),
        (S(".vsixmanifest"), P),
        (S(".psd1"), P),
        (S(".inf"), P),
        (B("manifest.json"), P),
        // Windows Package Manager manifests: `Publisher`, `PublisherUrl`, `InstallerUrl`.
        (H(".yaml", WINGET), P),
        (H(".yml", WINGET), P),
        // Container image manifests and indexes: their annotations
        // (`org.opencontainers.image.vendor`, `….source`).
        (H(".json", OCI_MANIFEST), P),
        // SPDX documents in YAML and RDF/XML (JSON and tag-value have readers of their own).
        (S(".spdx.yaml"), P),
        (S(".spdx.yml"), P),
        (S(".spdx.rdf"), P),
        (S(".spdx.rdf.xml"), P),
        (S(".spdx.xml"), P),
        // Dependency manifests.
        (B("Package.swift"), D),
        (B("Package.resolved"), D),
        (B("Cartfile"), D),
        (B("Cartfile.resolved"), D),
        (B("Cartfile.private"), D),
        (B("Gemfile"), D),
        (B("Podfile"), D),
        (B("requirements.txt"), D),
        (S("-requirements.txt"), D),
        (S(".requirements.txt"), D),
        // An egg's `*.egg-info/requires.txt`: the requirements it was built with.
        (B("requires.txt"), D),
        (B("Pipfile"), D),
        (B(".gitmodules"), D),
        (B("MODULE.bazel"), D),
        (B("WORKSPACE"), D),
        (B("WORKSPACE.bazel"), D),
        (B("west.yml"), D),
        (B("Puppetfile"), D),
        (B("Berksfile"), D),
        // Other multi-repository checkouts: gclient (`DEPS`, `.gclient`), vcstool and ROS
        // (`*.repos`, `*.rosinstall`), git-subrepo (`.gitrepo`), niv (`nix/sources.json`),
        // kas (a YAML with a `header:` `version:` and `repos:`).
        (B("DEPS"), D),
        (B(".gclient"), D),
        (S(".repos"), D),
        (S(".rosinstall"), D),
        (B(".gitrepo"), D),
        (E("nix/sources.json"), D),
        (H(".yml", KAS), D),
        (H(".yaml", KAS), D),
        // Haskell builds' own dependencies: a project's `source-repository-package`
        // `location`, Stack's `extra-deps` repositories.
        (B("cabal.project"), D),
        (B("cabal.project.local"), D),
        (B("stack.yaml"), D),
        (B("packages.config"), D),
        (B("paket.dependencies"), D),
        // Packaging recipes that download what they package: Homebrew formulae and casks,
        // Flatpak manifests, Yocto/OpenEmbedded recipes (`SRC_URI`), Zig packages (`.url`),
        // vcpkg registries (`repository`, `location`).
        (H(".rb", HOMEBREW), D),
        (H(".json", FLATPAK), D),
        (H(".yaml", FLATPAK), D),
        (H(".yml", FLATPAK), D),
        (S(".bb"), D),
        (S(".bbappend"), D),
        (B("build.zig.zon"), D),
        (B("vcpkg-configuration.json"), D),
        // Package sources a package manager installs from: apt, yum/dnf, pip, npm/yarn, conda,
        // NuGet.
        (H(".list", APT_LIST), R),
        (H(".sources", APT_SOURCES), R),
        (H(".repo", YUM_REPO), R),
        (B("pip.conf"), R),
        (B("pip.ini"), R),
        (B(".npmrc"), R),
        (B(".yarnrc"), R),
        (B(".yarnrc.yml"), R),
        (B(".condarc"), R),
        (B("nuget.config"), R),
    ]
};

/// A package a source map's `sources` come from: after `node_modules/`, or the namespace of a
/// `webpack://` URL.
const SOURCE_MAP_PACKAGE: &str = r#"(?:node_modules/|webpack://)((?:@[^/"\s]+/)?[^/"\s.][^/"\s]*)"#;

/// The image a Helm values file names: `image: repo/name:tag` on one line, or the
/// `repository:` of an `image:` map. (A key that only holds a map, `image:` then a line break,
/// names nothing.)
const HELM_VALUES_IMAGE: &str = r#"(?m)^[ \t]*-?[ \t]*(?:image|repository):[ \t]*["']?([^\s"'#]+)"#;

/// A .NET dependency file's library key: `"Vendor.Engine/3.2.1":`.
const DOTNET_LIBRARY_KEY: &str = r#""([A-Za-z_][\w.-]*)/[0-9][\w.+-]*"\s*:"#;

/// An assembly a .NET configuration or a side-by-side manifest names.
const DOTNET_ASSEMBLY_IDENTITY: &str = r#"<assemblyIdentity\b[^>]*?\bname\s*=\s*["']([^"']+)["']"#;

/// What a Gradle build names: libraries linked as the project's files and dependencies'
/// coordinates, in Groovy and Kotlin syntax.
const GRADLE: &[Names] = &[
    Names::Pattern(r#"(?m)^[ \t]*\w+[ \t]*\(?[ \t]*files[ \t]*\([ \t]*['"]([^'"]+)['"]"#),
    Names::Pattern(
        r#"(?m)^[ \t]*(?:implementation|api|compile|compileOnly|runtimeOnly|embed|classpath|kapt|ksp|annotationProcessor|debugImplementation|releaseImplementation)[ \t]*\(?[ \t]*['"]([^'"$]+)['"]"#,
    ),
    // A Kotlin/Native binary's or cinterop's link flags: `linkerOpts("-lkavsdk", "-L/opt/x")`,
    // `linkerOpts += listOf(…)`.
    Names::LinkFlags(
        &["//"],
        r"\blinkerOpts\s*(?:\(|\+=|=)\s*(?:(?:mutableListOf|listOf)\s*\()?([^)\n]*)",
    ),
    // A library from a flat directory, by its file's name: `implementation(name: 'sdk', ext: 'aar')`.
    Names::Pattern(
        r#"(?m)^[ \t]*(?:implementation|api|compile|compileOnly|runtimeOnly|embed)[ \t]*\(?[ \t]*name[ \t]*:[ \t]*['"]([^'"$]+)['"]"#,
    ),
];

/// What a Cabal package (`*.cabal`) builds with: the packages of `build-depends`, and what its
/// components link and where from (`extra-libraries: kavsdk`, `frameworks`, `extra-lib-dirs`,
/// `includes`, `pkgconfig-depends`; `ld-options: -lkavsdk`), in any component or conditional,
/// continuation lines included. A Cabal comment is a whole line (`--`), which ends a field.
const CABAL: &[Names] = &[
    Names::List(r"(?mi)^[ \t]*build-depends:((?:[^\n]*)(?:\n[ \t]+[,A-Za-z][^\n:]*(?:\n|$))*)"),
    Names::Libraries(
        &[],
        concat!(
            r"(?mi)^[ \t]*(?:",
            "extra-libraries|extra-ghci-libraries|extra-bundled-libraries|extra-lib-dirs|extra-lib-dirs-static|extra-framework-dirs|extra-include-dirs|frameworks|includes|install-includes|include-dirs|pkgconfig-depends",
            r")[ \t]*:([^\n]*\n?(?:[ \t]+(?:[^-\s:(][^\n:(]*|-[^-\n:(][^\n:(]*)(?:\n|$))*)"
        ),
    ),
    Names::LinkFlags(
        &[],
        r"(?mi)^[ \t]*ld-options[ \t]*:([^\n]*\n?(?:[ \t]+(?:[^-\s:(][^\n:(]*|-[^-\n:(][^\n:(]*)(?:\n|$))*)",
    ),
];

/// What an hpack package (`package.yaml`) links and where from, as a Cabal file's fields (of
/// which it is the YAML form): one value, a `[…]` list or `- …` items; not in `#` comments.
const HPACK: &[Names] = &[
    Names::Libraries(
        &["#"],
        concat!(
            r"(?m)^[ \t]*(?:",
            "extra-libraries|extra-ghci-libraries|extra-bundled-libraries|extra-lib-dirs|extra-lib-dirs-static|extra-framework-dirs|extra-include-dirs|frameworks|includes|install-includes|include-dirs|pkg-config-dependencies|pkgconfig-depends",
            r")[ \t]*:[ \t]*([^\n]*(?:\n[ \t]*-[ \t][^\n]*)*)"
        ),
    ),
    Names::LinkFlags(
        &["#"],
        r"(?m)^[ \t]*ld-options[ \t]*:[ \t]*([^\n]*(?:\n[ \t]*-[ \t][^\n]*)*)",
    ),
];

/// A Kotlin/Native cinterop definition file (`*.def`, in Java properties syntax): one of its
/// keys at the start of a line (a Windows module-definition file, also `.def`, has none).
const KOTLIN_DEF: &str = r"(?m)^(?:headers|headerFilter|modules|linkerOpts|staticLibraries|libraryPaths|compilerOpts|package|language|excludeDependentModules)(?:\.[\w.]+)?[ \t]*[=:]";

/// What a Kotlin/Native cinterop definition binds and links: its `headers` and `modules`, the
/// libraries of `linkerOpts` (`-lkavsdk`, `-L/opt/vendor/lib`), `staticLibraries`
/// (`libkavsdk.a`) and `libraryPaths`, per platform too (`linkerOpts.linux`), continuation lines
/// (`\`) included, before the `---` that starts its C code; not in `#` comments.
const KOTLIN_CINTEROP: &[Names] = &[
    Names::LinkFlags(
        &["#"],
        r"(?m)^linkerOpts(?:\.[\w.]+)?[ \t]*[=:][ \t]*((?:[^\n]*\\\r?\n)*[^\n]*)",
    ),
    Names::Libraries(
        &["#"],
        r"(?m)^(?:headers|modules|staticLibraries|libraryPaths)(?:\.[\w.]+)?[ \t]*[=:][ \t]*((?:[^\n]*\\\r?\n)*[^\n]*)",
    ),
    Names::Uncommented(
        &["#"],
        r"^compilerOpts(?:\.[\w.]+)?[ \t]*[=:].*?[ \t=]-I[ \t]*([^\s\\]+)",
    ),
];

/// What a Swift or Clang module map binds and links: `link "kavsdk"`, `link framework "KAVSDK"`,
/// its headers (`header "kavsdk.h"`, `umbrella header …`), not in `//` comments.
const MODULE_MAP: &[Names] = &[Names::Libraries(
    &["//"],
    r#"\b(?:link(?:[ \t]+framework)?|(?:umbrella[ \t]+)?header)[ \t]+"([^"\n]+)""#,
)];

/// What a Ruby extension's `extconf.rb` links: the libraries mkmf looks for
/// (`have_library("kavsdk")`, `find_library`, `pkg_config`, `dir_config`) and the flags it adds
/// (`$LDFLAGS << " -lkavsdk"`, `$libs`, `append_ldflags(…)`), not in comments.
const EXTCONF: &[Names] = &[
    Names::Uncommented(
        &["#"],
        r#"\b(?:have_library|find_library|pkg_config|dir_config)\s*\(?\s*["']([^"'\n]+)["']"#,
    ),
    Names::LinkFlags(
        &["#"],
        r#"(?:\$(?:libs|LIBS|LDFLAGS|LOCAL_LIBS|DLDFLAGS)\s*(?:<<|\+=|=)|\bappend_ldflags\s*\(?)\s*["']([^"'\n]*)["']"#,
    ),
];

/// What a Perl distribution's `Makefile.PL` links: `LIBS => ['-L/opt/x -lkavsdk']`, `LDFROM`,
/// `MYEXTLIB`, not in comments.
const MAKEFILE_PL: &[Names] = &[Names::LinkFlags(
    &["#"],
    r#"\b(?:LIBS|LDDLFLAGS|LDFROM|MYEXTLIB|dynamic_lib)\s*=>\s*\[?\s*["']([^"'\n]*)["']"#,
)];

/// What a dune (OCaml) stanza links: `(c_library_flags (-lkavsdk))`, `(link_flags (-cclib
/// -lkavsdk))`, `(extra_objects kavsdk)`, not in `;` comments.
const DUNE: &[Names] = &[Names::LinkFlags(
    &[";"],
    r"\((?:c_library_flags|link_flags|library_flags|ocamlopt_flags)\s+\(?([^()\n]*)",
)];

/// What a Nim build's configuration passes to the linker: `switch("passL", "-lkavsdk")`,
/// `--passL:"-lkavsdk"`, `passL = "-lkavsdk"`, not in `#` comments.
const NIM_CONFIG: &[Names] = &[Names::LinkFlags(
    &["#"],
    r#"passL["']?\s*(?:,|:|=)\s*["']?([^"'\n)]+)"#,
)];

/// What a D package (dub) links: `"libs": ["kavsdk"]`, `libs "kavsdk" "z"`, per platform too,
/// and its `lflags`.
const DUB: &[Names] = &[
    Names::Libraries(&[], r#""libs(?:-[\w-]+)?"\s*:\s*\[([^\]]*)\]"#),
    Names::LinkFlags(&[], r#""lflags(?:-[\w-]+)?"\s*:\s*\[([^\]]*)\]"#),
    Names::Libraries(
        &["//"],
        r"(?m)^[ \t]*libs\b(?:[ \t]+platform=\S+)?[ \t]+([^\n]*)",
    ),
];

/// What a makefile links and where from: `-l`, `-L` and `-I` arguments on lines that are not
/// comments.
const MAKE: &[Names] = &[
    Names::MakeVariables,
    Names::Uncommented(&["#"], r"(?:^|[ \t=])-[lLI][ \t]*([^\s$()]+)"),
    // A recipe's install commands (`\tpip install kavsdk`).
    Names::Installs,
];

/// What an Android NDK makefile (`Android.mk`) links: a makefile's `-l` flags, and the
/// prebuilt or imported modules named in `LOCAL_SHARED_LIBRARIES`, `LOCAL_STATIC_LIBRARIES` and
/// `LOCAL_WHOLE_STATIC_LIBRARIES` (the list as one value: its words are matched).
const ANDROID_MK: &[Names] = &[
    MAKE[0],
    MAKE[1],
    Names::Uncommented(
        &["#"],
        r"\bLOCAL_(?:SHARED|STATIC|WHOLE_STATIC)_LIBRARIES[ \t]*[:+]?=[ \t]*([^\\\n]+)",
    ),
];

/// What a node-gyp build (`binding.gyp`, `*.gypi`) links: `-l` flags and library files in its
/// `libraries` and `link_settings` (the library's name: `lib/libvendor.so.2` → `vendor`).
const GYP: &[Names] = &[
    Names::Uncommented(&["#"], r#"["']-l([\w+.-]+)["']"#),
    Names::Uncommented(
        &["#"],
        r#"["'](?:[^"'\n]*/)?(?:lib)?([^"'/\n]+?)\.(?:so|a|lib|dll|dylib|tbd)(?:\.[\d.]+)?["']"#,
    ),
];

/// What a container image is built from: its `FROM` images, and images it copies files out of
/// (`COPY --from=vendor/engine:8.1 /opt/engine …`; a build stage's name names nothing listed).
/// The packages its `RUN` lines install are read too.
const DOCKERFILE: &[Names] = &[
    Names::Pattern(r"(?mi)^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(\S+)"),
    Names::Pattern(r"(?mi)^[ \t]*COPY[ \t]+(?:--\S+[ \t]+)*?--from=(\S+)"),
    Names::Installs,
];

/// What a kustomization runs: the images of its `images:` list, by their `newName:`.
const KUSTOMIZE: &[Names] = &[Names::Pattern(
    r#"(?m)^[ \t]*-?[ \t]*newName:[ \t]*["']?([^\s"'#]+)"#,
)];

/// What an Autoconf script checks for: `PKG_CHECK_MODULES([KAV], [vendor-sdk >= 2])`'s first
/// module, `AC_CHECK_LIB([vendorsdk], …)`'s library, outside comments.
const AUTOCONF: &[Names] = &[
    Names::Uncommented(
        &["#", "dnl"],
        r"\bPKG_CHECK_MODULES\(\s*\[?\w+\]?\s*,\s*\[?\s*([A-Za-z][\w+.-]*)",
    ),
    Names::Uncommented(
        &["#", "dnl"],
        r"\bAC_CHECK_LIB\(\s*\[?\s*([A-Za-z][\w+.-]*)",
    ),
];

/// What a premake project links (`links { "kavsdk", "pthread" }`, `links "kavsdk"`), outside
/// Lua comments.
const PREMAKE: &[Names] = &[
    Names::UncommentedList(&["--"], r"\blinks\s*\(?\s*\{([^}]*)\}"),
    Names::Uncommented(&["--"], r#"\blinks\s*\(?\s*["']([^"'\n]+)["']"#),
];

/// What an xmake target links and which packages it requires (`add_links("kavsdk")`,
/// `add_syslinks(…)`, `add_requires("kavsdk 8.1")`, `add_packages(…)`), outside Lua comments.
const XMAKE: &[Names] = &[Names::UncommentedList(
    &["--"],
    r"\badd_(?:links|syslinks|requires|packages)\s*\(([^)]*)\)",
)];

/// What a Zig build links: `linkSystemLibrary("kavsdk")`, and a prebuilt library file it adds
/// (`addObjectFile(b.path("vendor/libkavsdk.a"))`), outside comments.
const ZIG_BUILD: &[Names] = &[
    Names::Uncommented(&["//"], r#"\blinkSystemLibrary2?\s*\(\s*"([^"]+)""#),
    Names::Uncommented(
        &["//"],
        r#"\baddObjectFile\s*\([^)\n]*?"(?:[^"\n]*/)?(?:lib)?([^"/\n]+?)\.(?:so|a|lib|dll|dylib|tbd|o|obj)(?:\.[\d.]+)?""#,
    ),
];

/// What a Buck or Buck2 package links: a `prebuilt_cxx_library`'s files and `-l` options.
const BUCK: &[Names] = &[
    Names::Uncommented(
        &["#"],
        r#"\b(?:shared_lib|static_lib|static_pic_lib|import_lib)\s*=\s*"(?:[^"]*/)?(?:lib)?([^"/]+?)(?:\.(?:so|a|lib|dll|dylib|tbd)(?:\.[\d.]+)?)?""#,
    ),
    Names::Uncommented(&["#"], r#"["']-l([\w+.-]+)["']"#),
];

/// What a Bazel package links: the prebuilt files a `cc_import` wraps, `-l` link options.
const BAZEL_BUILD: &[Names] = &[
    // The library's name: `vendor/libvendor_sdk.so.2` → `vendor_sdk`.
    Names::Uncommented(
        &["#"],
        r#"\b(?:shared_library|static_library|interface_library)\s*=\s*"(?:[^"]*/)?(?:lib)?([^"/]+?)(?:\.(?:so|a|lib|dll|dylib|tbd)(?:\.[\d.]+)?)?""#,
    ),
    Names::Uncommented(&["#"], r#"["']-l([\w+.-]+)["']"#),
];

/// What an SCons environment links (`LIBS=['vendorsdk']`) and where from (`LIBPATH`,
/// `CPPPATH`: their first directory).
const SCONS: &[Names] = &[
    Names::List(r"\bLIBS\s*=\s*\[([^\]]*)\]"),
    Names::Uncommented(
        &["#"],
        r#"\b(?:LIBPATH|CPPPATH)\s*=\s*\[\s*['"]([^'"]+)['"]"#,
    ),
];

/// Where a lockfile or dependency list names a package it pulls in, when not as a field
/// [`PACKAGE_KEYS`] names.
#[derive(Debug, Clone, Copy)]
enum Names {
    /// Every match of the pattern (one line at a time unless it says otherwise): its first
    /// group is a package's name.
    Pattern(&'static str),
    /// Every match of the pattern in each line with its comment cut off (from the first of the
    /// markers, a word marker such as m4's `dnl` only as a word): its first group is a
    /// package's name.
    Uncommented(&'static [&'static str], &'static str),
    /// The keys of the JSON objects at the end of a path (`*`: every member at that step).
    JsonKeys(&'static [&'static str]),
    /// Every match of the pattern: its first group is a list of requirements, separated by
    /// commas or line breaks, each a package's name and maybe a version or constraint
    /// (`httr (>= 1.0),\n    kavR`, `base >=4, kav-sdk`).
    List(&'static str),
    /// [`Names::List`] over the text with each line's comment (from the first of the markers,
    /// as in [`Names::Uncommented`]) blanked out.
    UncommentedList(&'static [&'static str], &'static str),
    /// Every match of the pattern in the text with each line's comment (from the first of the
    /// markers, as in [`Names::Uncommented`]) blanked out: its first group is a list of link
    /// flags (`-lkavsdk -L/opt/vendor/lib`), which link the libraries
    /// [`super::linker_libraries`] reads in them and search the directories of their `-L` flags.
    LinkFlags(&'static [&'static str], &'static str),
    /// As [`Names::LinkFlags`], but its first group is a list of libraries, frameworks, headers
    /// or directories (`kavsdk`, `libkavsdk.a`, `kavsdk.h`, `/opt/vendor/lib`), separated by
    /// commas, spaces or line breaks (a YAML list's dashes, brackets and quotes dropped): a
    /// library's file named by [`super::library_stem`], anything else as written.
    Libraries(&'static [&'static str], &'static str),
    /// The packages the file's package-manager install commands name (see
    /// `script::installs`): a Dockerfile's `RUN pip install …`.
    Installs,
    /// Not a place of names: the file's make variables are put in place of their uses before
    /// the other entries read it (see `vars::make_expanded`).
    MakeVariables,
}

/// Lockfiles and dependency lists, by ecosystem, and where each names its packages. They
/// declare what the package is built from: every package named, and every URL (a `resolved`
/// tarball, a git `remote`, a `source` repository), is integration. A lockfile names what is
/// installed whoever asked for it, so a vendor's package pinned only as a dependency of a
/// dependency is there as well.
const LOCKFILES: &[(Named, &[Names])] = {
    use Named::{Around as A, Base as B, Holds as H, PathEnd as E, Starts as T, Suffix as S};
    use Names::{JsonKeys as K, List as L, Pattern as P, Uncommented as U};
    &[
        // JavaScript: Yarn (classic and Berry) entry headers, pnpm's package keys, Bun, Deno.
        (
            B("yarn.lock"),
            &[P(r#"(?m)^"?((?:@[^@\s"/]+/)?[^@\s",/][^@\s",]*)@"#)],
        ),
        (
            B("pnpm-lock.yaml"),
            &[P(
                r#"(?m)^[ \t]+['"]?/?((?:@[\w.-]+/)?[\w.-]+)(?:@[^'":\s]*)?['"]?:[ \t]*(?:$|\S)"#,
            )],
        ),
        (
            B("bun.lock"),
            &[P(r#"(?m)^[ \t]*"((?:@[^"/\s]+/)?[^"@\s]+)":[ \t]*\["#)],
        ),
        (
            B("deno.lock"),
            &[P(r#""(?:npm|jsr):/?((?:@[^@"/]+/)?[^@"/]+)@"#)],
        ),
        // A Deno configuration's import map: the npm and JSR packages its specifiers resolve
        // to (`"scan": "jsr:@scope/engine@^1.2"`), whatever alias they are imported under.
        (
            B("deno.json"),
            &[P(r#""(?:npm|jsr):/?((?:@[^@"/\s]+/)?[^@"/\s]+)"#)],
        ),
        (
            B("deno.jsonc"),
            &[P(r#""(?:npm|jsr):/?((?:@[^@"/\s]+/)?[^@"/\s]+)"#)],
        ),
        // Ruby, CocoaPods, Dart, Elixir, .NET (Paket and NuGet), R, Julia, Nix.
        (
            B("Gemfile.lock"),
            &[P(
                r"(?m)^[ \t]{2,6}([A-Za-z0-9][\w.-]*)(?:[ \t]+\([^)]*\))?!?[ \t]*$",
            )],
        ),
        (
            B("Podfile.lock"),
            &[P(
                r#"(?m)^[ \t]*-[ \t]+"?([A-Za-z0-9][\w.+-]*)(?:/[\w.+-]+)*(?:[ \t]+\([^)]*\))?"?:?[ \t]*$"#,
            )],
        ),
        (B("pubspec.lock"), &[P(r"(?m)^  ([A-Za-z0-9_]+):[ \t]*$")]),
        (B("mix.lock"), &[P(r#"(?m)^[ \t]*"([\w.-]+)":[ \t]*\{:"#)]),
        (
            B("paket.lock"),
            &[P(r"(?m)^[ \t]{4}([A-Za-z0-9][\w.-]*)[ \t]+\(")],
        ),
        (B("packages.lock.json"), &[K(&["dependencies", "*"])]),
        // What a .NET application loads (`App.deps.json`, shipped beside it) and what a restore
        // resolved (`obj/project.assets.json`): `"Vendor.Engine/3.2.1": {…}` keys of its targets
        // and libraries.
        (S(".deps.json"), &[P(DOTNET_LIBRARY_KEY)]),
        (B("project.assets.json"), &[P(DOTNET_LIBRARY_KEY)]),
        // The assemblies an application configuration binds (`App.config`, `web.config`,
        // `app.exe.config`) or a Windows side-by-side manifest depends on: `<assemblyIdentity
        // name="Vendor.Engine" …/>`.
        (B("app.config"), &[U(&["<!--"], DOTNET_ASSEMBLY_IDENTITY)]),
        (B("web.config"), &[U(&["<!--"], DOTNET_ASSEMBLY_IDENTITY)]),
        (S(".exe.config"), &[U(&["<!--"], DOTNET_ASSEMBLY_IDENTITY)]),
        (S(".dll.config"), &[U(&["<!--"], DOTNET_ASSEMBLY_IDENTITY)]),
        (B("app.manifest"), &[U(&["<!--"], DOTNET_ASSEMBLY_IDENTITY)]),
        (
            S(".exe.manifest"),
            &[U(&["<!--"], DOTNET_ASSEMBLY_IDENTITY)],
        ),
        (
            S(".dll.manifest"),
            &[U(&["<!--"], DOTNET_ASSEMBLY_IDENTITY)],
        ),
        (B("renv.lock"), &[K(&["Packages"])]),
        (B("Manifest.toml"), &[P(r"(?m)^\[\[deps\.([^\]]+)\]\]")]),
        (B("flake.lock"), &[P(r#""owner":[ \t]*"([^"]+)""#)]),
        // Python: Poetry, uv, PDM and Pipenv lockfiles, Pipfile, conda environments.
        (B("poetry.lock"), &[P(r#"(?m)^name[ \t]*=[ \t]*"([^"]+)""#)]),
        (B("uv.lock"), &[P(r#"(?m)^name[ \t]*=[ \t]*"([^"]+)""#)]),
        (B("pdm.lock"), &[P(r#"(?m)^name[ \t]*=[ \t]*"([^"]+)""#)]),
        (B("pylock.toml"), &[P(r#"(?m)^name[ \t]*=[ \t]*"([^"]+)""#)]),
        (B("Pipfile.lock"), &[K(&["default"]), K(&["develop"])]),
        (
            B("environment.yml"),
            &[P(
                r"(?m)^[ \t]*-[ \t]+([A-Za-z0-9][\w.-]*)[ \t]*(?:[=<>!~]|$)",
            )],
        ),
        (
            B("environment.yaml"),
            &[P(
                r"(?m)^[ \t]*-[ \t]+([A-Za-z0-9][\w.-]*)[ \t]*(?:[=<>!~]|$)",
            )],
        ),
        // A Rust project vendored inside a package (the package's own lockfile is cargo's).
        (B("Cargo.lock"), &[P(r#"(?m)^name[ \t]*=[ \t]*"([^"]+)""#)]),
        // JVM: Gradle's lockfile and version catalogue.
        (
            B("gradle.lockfile"),
            &[P(r"(?m)^([\w.-]+:[\w.-]+):[^=\s]+=")],
        ),
        (
            S(".versions.toml"),
            &[
                P(r#"(?:module|group)[ \t]*=[ \t]*"([^"]+)""#),
                P(r#"(?m)^[\w.-]+[ \t]*=[ \t]*"([\w.-]+:[\w.-]+)(?::[^"]*)?""#),
            ],
        ),
        // Pipenv's list of what to install (`name = "version"` under `[packages]`).
        (
            B("Pipfile"),
            &[P(r#"(?m)^([A-Za-z0-9][\w.-]*)[ \t]*=[ \t]*["'{*]"#)],
        ),
        // The dependencies of package manifests the table above reads for their makers: Dart,
        // Elixir, R, Haskell, Julia, Nim, sbt, Helm, Bazel modules; Perl's cpanfile; Go's
        // vendored module list; a Rust project's manifest inside a package (a screened
        // package's own is cargo's, read by the manifest stage).
        (B("pubspec.yaml"), &[P(r"(?m)^  ([a-z0-9_]+):")]),
        (B("mix.exs"), &[P(r"\{:([a-z0-9_]+),")]),
        (
            B("DESCRIPTION"),
            &[L(
                r"(?m)^(?:Depends|Imports|LinkingTo|Suggests|Enhances):((?:[^\n]*)(?:\n[ \t]+[^\n]*)*)",
            )],
        ),
        (S(".cabal"), CABAL),
        // Cabal projects and Stack: the libraries' directories a build adds (`extra-lib-dirs`),
        // as a package's own fields; their repositories' URLs as a dependency list's.
        (B("cabal.project"), CABAL),
        (B("cabal.project.local"), CABAL),
        (B("stack.yaml"), HPACK),
        (B("package.yaml"), HPACK),
        // Kotlin/Native: what a cinterop definition binds and links.
        (H(".def", KOTLIN_DEF), KOTLIN_CINTEROP),
        (
            B("Project.toml"),
            &[P(r#"(?m)^([A-Za-z][\w]*)[ \t]*=[ \t]*"[0-9a-fA-F]{8}-"#)],
        ),
        (S(".nimble"), &[L(r"(?m)^[ \t]*requires[ \t(]+(.+)$")]),
        (
            B("build.sbt"),
            &[P(r#""([\w.-]+)"[ \t]*%%?[ \t]*"[\w.-]+""#)],
        ),
        (
            B("Chart.yaml"),
            &[P(r#"(?m)^[ \t]*-[ \t]+name:[ \t]*["']?([^\s"'#]+)"#)],
        ),
        (
            B("MODULE.bazel"),
            &[P(r#"bazel_dep\(\s*name\s*=\s*"([^"]+)""#)],
        ),
        (
            B("cpanfile"),
            &[P(
                r#"(?m)^[ \t]*(?:requires|recommends|suggests|test_requires|build_requires|configure_requires)[ \t]+['"]([^'"]+)['"]"#,
            )],
        ),
        (E("vendor/modules.txt"), &[P(r"(?m)^# (\S+) ")]),
        (
            B("Cargo.toml"),
            &[
                P(r#"(?m)^([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:"|\{)"#),
                P(r"(?m)^\[(?:[\w.-]+\.)?(?:dev-|build-)?dependencies\.([A-Za-z0-9_-]+)\]"),
            ],
        ),
        // Source maps: the packages a bundle was built from (`webpack://@scope/pkg/…`,
        // `…/node_modules/pkg/…` in `sources`), whose code the bundle holds.
        (S(".js.map"), &[P(SOURCE_MAP_PACKAGE)]),
        (S(".mjs.map"), &[P(SOURCE_MAP_PACKAGE)]),
        (S(".cjs.map"), &[P(SOURCE_MAP_PACKAGE)]),
        (S(".css.map"), &[P(SOURCE_MAP_PACKAGE)]),
        // The frameworks and libraries an Xcode project links, the products a Swift package
        // uses.
        (
            B("project.pbxproj"),
            &[
                P(r#"path = "?([^;"\n]+?\.(?:framework|xcframework|a|dylib|tbd))"?;"#),
                // Its build settings' link flags: `OTHER_LDFLAGS = ("-lkavsdk", …);`.
                Names::LinkFlags(&[], r"OTHER_LDFLAGS(?:\[[^\]]*\])?\s*=\s*\(?([^;]*)"),
            ],
        ),
        // Xcode build settings files: `OTHER_LDFLAGS = $(inherited) -lkavsdk`.
        (
            S(".xcconfig"),
            &[Names::LinkFlags(
                &["//"],
                r"(?m)^[ \t]*OTHER_LDFLAGS(?:\[[^\]]*\])?[ \t]*=([^\n]*)",
            )],
        ),
        // Puppet and Chef: the modules a Puppetfile installs (`mod 'vendor-engine'`,
        // `mod 'vendor/engine'`: the Forge author first) and, as dependency lists, the
        // repositories it and a Berksfile fetch.
        (
            B("Puppetfile"),
            &[U(&["#"], r#"^[ \t]*mod[ \t]+['"]([A-Za-z0-9_]+)[-/]"#)],
        ),
        (
            B("Package.swift"),
            &[
                // What a target links: `.linkedLibrary("kavsdk")`, `.linkedFramework("KAVSDK")`,
                // `.unsafeFlags(["-lkavsdk"])` in its `linkerSettings`.
                P(r#"\.linked(?:Library|Framework)\(\s*"([^"]+)""#),
                Names::LinkFlags(&["//"], r"\.unsafeFlags\(\s*\[([^\]]*)\]"),
                P(r#"\.product\(\s*name:\s*"([^"]+)""#),
                // A prebuilt framework a target wraps: its file, or where it is downloaded.
                P(r#"\.binaryTarget\([^)]*?\b(?:path|url):\s*"([^"]+)""#),
            ],
        ),
        // Meson: the dependencies a build looks up and the libraries it finds.
        (
            B("meson.build"),
            &[U(
                &["#"],
                r#"\b(?:dependency|find_library)\s*\(\s*['"]([^'"]+)['"]"#,
            )],
        ),
        // Gradle: a library linked as a file of the project (`files('libs/sdk.aar')`) and a
        // dependency's coordinates (`implementation 'group:artifact:1.0'`).
        (S(".gradle"), GRADLE),
        (S(".gradle.kts"), GRADLE),
        // Make: the libraries a build links (`-lkavsdk`), and where it finds them and their
        // headers (`-L/opt/vendor/lib`, `-I/opt/vendor/include`), outside comments.
        (B("Makefile"), MAKE),
        (B("makefile"), MAKE),
        (B("GNUmakefile"), MAKE),
        (B("Makefile.am"), MAKE),
        (B("Makefile.in"), MAKE),
        (B("Android.mk"), ANDROID_MK),
        // R packages' native code: `PKG_LIBS = -lkavsdk` in `src/Makevars`.
        (B("Makevars"), MAKE),
        (B("Makevars.win"), MAKE),
        (B("Makevars.in"), MAKE),
        (B("Makevars.ucrt"), MAKE),
        // Other languages' native links: Swift/Clang module maps, Ruby's extconf.rb, Perl's
        // Makefile.PL, dune, Nim's configuration, dub.
        (B("module.modulemap"), MODULE_MAP),
        (S(".modulemap"), MODULE_MAP),
        (B("extconf.rb"), EXTCONF),
        (B("Makefile.PL"), MAKEFILE_PL),
        (B("dune"), DUNE),
        (B("nim.cfg"), NIM_CONFIG),
        (B("config.nims"), NIM_CONFIG),
        (S(".nim.cfg"), NIM_CONFIG),
        (B("dub.json"), DUB),
        (B("dub.sdl"), DUB),
        (S(".mk"), MAKE),
        // node-gyp: the libraries a native addon links.
        (B("binding.gyp"), GYP),
        (S(".gypi"), GYP),
        // Autoconf: the pkg-config modules and libraries a configure script checks for.
        (B("configure.ac"), AUTOCONF),
        (B("configure.in"), AUTOCONF),
        // qmake: the libraries a Qt project links (`LIBS += -L… -lvendor`).
        (S(".pro"), MAKE),
        (S(".pri"), MAKE),
        // Bazel: a prebuilt library a `cc_import` wraps, and link options.
        (B("BUILD"), BAZEL_BUILD),
        (B("BUILD.bazel"), BAZEL_BUILD),
        // premake, xmake, Zig and Buck: the libraries a build links.
        (B("premake5.lua"), PREMAKE),
        (B("premake4.lua"), PREMAKE),
        (B("premake.lua"), PREMAKE),
        (B("xmake.lua"), XMAKE),
        (B("build.zig"), ZIG_BUILD),
        (B("BUCK"), BUCK),
        (B("BUCK.v2"), BUCK),
        (B("TARGETS"), BUCK),
        // SCons: the libraries an environment links and where it finds them.
        (B("SConstruct"), SCONS),
        (B("SConscript"), SCONS),
        // kustomize: the images it puts in place of its resources' (`newName:`), and (as a
        // dependency list) its remote resources' URLs.
        (B("kustomization.yaml"), KUSTOMIZE),
        (B("kustomization.yml"), KUSTOMIZE),
        (B("Kustomization"), KUSTOMIZE),
        // Kubernetes manifests: the images their containers run.
        (
            T("apiVersion:"),
            &[P(r#"(?m)^[ \t]*-?[ \t]*image:[ \t]*["']?([^\s"'#]+)"#)],
        ),
        // A Helm chart's values (`values.yaml`, `values-prod.yaml`): the images its templates
        // run, as `image: repo/name:tag` or as an `image:` map's `repository:`.
        (A("values", ".yaml"), &[P(HELM_VALUES_IMAGE)]),
        (A("values", ".yml"), &[P(HELM_VALUES_IMAGE)]),
        // Container images a vendored build starts from or runs: a Dockerfile's `FROM`, a
        // Compose file's `image:`.
        (B("Dockerfile"), DOCKERFILE),
        (S(".dockerfile"), DOCKERFILE),
        (B("Containerfile"), DOCKERFILE),
        (
            B("docker-compose.yml"),
            &[P(r#"(?m)^[ \t]*image:[ \t]*["']?([^\s"'#]+)"#)],
        ),
        (
            B("docker-compose.yaml"),
            &[P(r#"(?m)^[ \t]*image:[ \t]*["']?([^\s"'#]+)"#)],
        ),
        (
            B("compose.yml"),
            &[P(r#"(?m)^[ \t]*image:[ \t]*["']?([^\s"'#]+)"#)],
        ),
        (
            B("compose.yaml"),
            &[P(r#"(?m)^[ \t]*image:[ \t]*["']?([^\s"'#]+)"#)],
        ),
        // Swift Package Manager's resolved pins, PHP's Composer lockfile.
        (
            B("Package.resolved"),
            &[P(r#""(?:identity|package)"[ \t]*:[ \t]*"([^"]+)""#)],
        ),
        (B("composer.lock"), &[P(r#""name"[ \t]*:[ \t]*"([^"]+)""#)]),
        // Conan lockfiles (2: `requires`, `build_requires`, `python_requires`; 1: a node's
        // `ref`): the name of each reference `name/version[@user/channel][#rev%time]`.
        (
            B("conan.lock"),
            &[P(
                r#""([A-Za-z0-9][\w.+-]*)/[\w.+\[\]-]+(?:@[\w./-]+)?(?:#[^"\s]*)?""#,
            )],
        ),
        // Chocolatey's install script: the packages it installs, and (as a dependency list)
        // the URLs it downloads (`url64bit = '…'` for `Install-ChocolateyPackage`).
        (B("chocolateyinstall.ps1"), &[Names::Installs]),
        // A winget manifest's identifier names its publisher first (`Publisher.Package`).
        (
            H(".yaml", WINGET),
            &[P(r"(?m)^PackageIdentifier:[ \t]*([^.\s]+)\.")],
        ),
        (
            H(".yml", WINGET),
            &[P(r"(?m)^PackageIdentifier:[ \t]*([^.\s]+)\.")],
        ),
        // Clojure's deps.edn: a library coordinate keyed to its Maven, git or local source
        // (`com.vendor/sdk {:mvn/version "1.0"}`), not in `;` comments.
        (
            B("deps.edn"),
            &[U(
                &[";"],
                r"([A-Za-z][\w.-]*/[\w.*+!?-]+)[ \t]*\{[ \t]*:(?:mvn|git|local|sha|tag)\b",
            )],
        ),
        // pixi: the conda and PyPI packages of its dependency tables (`name = "…"` or
        // `name = { … }`), the channels' URLs as a dependency list's.
        (
            B("pixi.toml"),
            &[U(&["#"], r#"^([A-Za-z0-9][\w.-]*)[ \t]*=[ \t]*["'{*]"#)],
        ),
        // A vcpkg registry's `packages`: the ports it provides.
        (
            B("vcpkg-configuration.json"),
            &[L(r#""packages"[ \t]*:[ \t]*\[([^\]]*)\]"#)],
        ),
        // docker buildx bake: the images a target's named contexts pull.
        (
            A("docker-bake", ".hcl"),
            // One a line, not on a `#` or `//` comment line (`//` is also the URL's).
            &[P(
                r#"(?m)^[ \t]*(?:[^/#\s][^#\n]*?)?"docker-image://([^"'\s]+)""#,
            )],
        ),
        (
            A("docker-bake", ".json"),
            &[P(r#"docker-image://([^"'\s]+)"#)],
        ),
    ]
};

/// Keys that say who made, supplies, maintains or owns the package (normalised: lower case,
/// without `_`, `-`, `.`).
const MAKER_KEYS: &[&str] = &[
    "author",
    "authors",
    "authoremail",
    "maintainer",
    "maintainers",
    "maintaineremail",
    "recipemaintainers",
    "vendor",
    "publisher",
    "publisherdisplayname",
    "manufacturer",
    "manufacturername",
    "mfgname",
    "company",
    "companyname",
    "copyright",
    "copyrightholder",
    "owner",
    "owners",
    "developer",
    "developers",
    "developername",
    "creator",
    "organization",
    "organisation",
    "organizationname",
    "supplier",
    "originator",
    "copyrighttext",
    "packager",
    "provider",
    "providername",
    "contact",
    "email",
];

/// Keys whose value says where the package comes from or lives (normalised as above).
const SOURCE_KEYS: &[&str] = &[
    "homepage",
    "home",
    "url",
    "urls",
    "website",
    "repository",
    "repo",
    "source",
    "sources",
    "git",
    "github",
    "remote",
    "urlbase",
    "homeurl",
    "projecturl",
    "organizationhomepage",
    "downloadurl",
    "installerurl",
    "publisherurl",
    "vcsurl",
    "downloadlocation",
    "bugreports",
    "bugs",
    "issues",
];

/// Keys of a dependency manifest that name a package it uses (`<package id="…">`).
const PACKAGE_KEYS: &[&str] = &["id", "include", "pod", "gem"];

/// The most lines a value may continue on after its key (a YAML list, a JSON array).
const MAX_CONTINUATION: usize = 32;

pub struct Manifests;

impl Recogniser for Manifests {
    fn claims(&self, f: &FileName<'_>, text: &str) -> bool {
        declares(f, text).is_some()
    }

    fn read(&self, f: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        let Some(declares) = declares(f, text) else {
            return;
        };
        if declares == Declares::Sources {
            // Offsets kept: what is disabled is blanked, not cut out.
            let enabled = without_disabled(text);
            read(declares, &enabled, out);
            return;
        }
        let names = names_of(f, text);
        // A Dockerfile's deprecated `MAINTAINER name` instruction is the label it stands for
        // (`LABEL maintainer="name"`), which names the image's maker.
        let labelled = std::ptr::eq(names, DOCKERFILE).then(|| maintainer_as_label(text));
        read(declares, labelled.as_deref().unwrap_or(text), out);
        read_names(names, text, out);
        // Build files that are also a language's source, which its own reader read before
        // their link flags were read here: what their code requires and loads too.
        if f.base == "extconf.rb" {
            super::imports::RubySource.read(f, text, out);
        } else if f.ext == "nims" {
            super::imports::OtherSource.read(f, text, out);
        }
    }
}

/// `text` (a Dockerfile) with each `MAINTAINER …` instruction written as the `LABEL
/// maintainer="…"` it is deprecated for; lines keep their numbers.
fn maintainer_as_label(text: &str) -> String {
    static MAINTAINER: LazyLock<Regex> =
        LazyLock::new(|| re(r#"(?mi)^([ \t]*)MAINTAINER[ \t]+([^\n"]*?)[ \t]*$"#));
    MAINTAINER
        .replace_all(text, r#"${1}LABEL maintainer="${2}""#)
        .into_owned()
}

/// The packages a lockfile or dependency list names where `names` says (see [`LOCKFILES`]),
/// each written with its words where it runs them together (`KasperskyMobileSDK`).
fn read_names(names: &[Names], text: &str, out: &mut Vec<FieldHit>) {
    let expanded;
    let text = if names.iter().any(|n| matches!(n, Names::MakeVariables)) {
        expanded = super::vars::make_expanded(text);
        &*expanded
    } else {
        text
    };
    let mut installed = Vec::new();
    let mut push = |value: &str, at: usize| {
        out.push(FieldHit {
            format: MetadataFormat::PackageManifest,
            key: "package".to_string(),
            kind: FieldKind::Integration,
            shape: Shape::Text,
            value: super::imports::with_words(value.trim()),
            line: line_at(text, at),
        });
    };
    for n in names {
        match n {
            Names::Pattern(p) => {
                let pattern = compiled(p);
                for c in pattern.captures_iter(text) {
                    let v = c.get(1).expect("group");
                    push(v.as_str(), v.start());
                }
            }
            Names::Uncommented(markers, p) => {
                let pattern = compiled(p);
                let mut at = 0usize;
                for line in text.split_inclusive('\n') {
                    let code = &line[..comment_start(line, markers)];
                    for c in pattern.captures_iter(code) {
                        let v = c.get(1).expect("group");
                        push(v.as_str(), at + v.start());
                    }
                    at += line.len();
                }
            }
            Names::List(p) | Names::UncommentedList(_, p) => {
                static ITEM: LazyLock<Regex> =
                    LazyLock::new(|| re(r#"^[\s"'(]*([A-Za-z0-9][\w.:+-]*)"#));
                let blanked;
                let text = match n {
                    Names::UncommentedList(markers, _) => {
                        blanked = without_comments(text, markers);
                        blanked.as_str()
                    }
                    _ => text,
                };
                for c in compiled(p).captures_iter(text) {
                    let list = c.get(1).expect("group");
                    let mut at = list.start();
                    for item in list.as_str().split_inclusive([',', '\n']) {
                        if let Some(name) = ITEM.captures(item).and_then(|i| i.get(1)) {
                            push(name.as_str(), at + name.start());
                        }
                        at += item.len();
                    }
                }
            }
            Names::JsonKeys(path) => {
                let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
                    continue;
                };
                let mut at: Vec<&serde_json::Value> = vec![&value];
                for step in *path {
                    at = at
                        .into_iter()
                        .filter_map(serde_json::Value::as_object)
                        .flat_map(|o| match *step {
                            "*" => o.values().collect::<Vec<_>>(),
                            key => o.get(key).into_iter().collect(),
                        })
                        .collect();
                }
                for key in at
                    .into_iter()
                    .filter_map(serde_json::Value::as_object)
                    .flat_map(|o| o.keys())
                {
                    // The line of its first appearance as a key.
                    let quoted = format!("\"{key}\"");
                    push(key, text.find(&quoted).unwrap_or(0));
                }
            }
            Names::LinkFlags(markers, p) | Names::Libraries(markers, p) => {
                let blanked = without_comments(text, markers);
                for c in compiled(p).captures_iter(&blanked) {
                    let list = c.get(1).expect("group");
                    let items = list_items(list.as_str());
                    let named = match n {
                        Names::LinkFlags(..) => linked(&items),
                        _ => items
                            .iter()
                            .map(|&(at, item)| {
                                let name = if super::library_file(item) {
                                    super::library_stem(item)
                                } else {
                                    item.to_string()
                                };
                                (at, name)
                            })
                            .collect(),
                    };
                    for (at, name) in named {
                        push(&name, list.start() + at);
                    }
                }
            }
            Names::MakeVariables => {}
            Names::Installs => super::script::installs(
                MetadataFormat::PackageManifest,
                &super::script::expanded(text),
                &mut installed,
            ),
        }
    }
    out.extend(installed);
}

/// The items of a list of libraries or flags, with their offsets in it: separated by commas,
/// spaces and line breaks, a YAML list's dashes, brackets and quotes and a line's continuing
/// backslash dropped.
fn list_items(list: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    let separator = |c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '"' | '\'');
    for (i, c) in list
        .char_indices()
        .chain(std::iter::once((list.len(), ' ')))
    {
        match (separator(c), start) {
            (true, Some(s)) => {
                let item = &list[s..i];
                if item != "-" && item != "\\" {
                    out.push((s, item));
                }
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

/// What a list of link flags ([`list_items`]) links and searches: the libraries
/// [`super::linker_libraries`] reads in it, each at the first flag that names it, and the
/// directories of its `-L` flags (`-L/opt/vendor/lib`, `-L /opt/vendor/lib`).
fn linked(items: &[(usize, &str)]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for lib in super::linker_libraries(items.iter().map(|&(_, t)| t)) {
        let at = items
            .iter()
            .find(|(_, t)| t.contains(lib.as_str()))
            .map_or(0, |&(at, _)| at);
        out.push((at, lib));
    }
    for (i, &(at, t)) in items.iter().enumerate() {
        let dir = match t.strip_prefix("-L") {
            Some("") => items.get(i + 1).map(|&(a, d)| (a, d)),
            Some(d) => Some((at, d)),
            None => None,
        };
        if let Some((at, d)) = dir {
            out.push((at, d.to_string()));
        }
    }
    out
}

/// The compiled form of one of [`LOCKFILES`]' patterns, compiled once.
fn compiled(pattern: &'static str) -> &'static Regex {
    static COMPILED: LazyLock<std::collections::HashMap<&'static str, Regex>> =
        LazyLock::new(|| {
            LOCKFILES
                .iter()
                .flat_map(|(_, names)| names.iter())
                .filter_map(|n| match n {
                    Names::Pattern(p)
                    | Names::List(p)
                    | Names::Uncommented(_, p)
                    | Names::UncommentedList(_, p)
                    | Names::LinkFlags(_, p)
                    | Names::Libraries(_, p) => Some((*p, re(p))),
                    Names::JsonKeys(_) | Names::Installs | Names::MakeVariables => None,
                })
                .collect()
        });
    &COMPILED[pattern]
}

fn declares(f: &FileName<'_>, text: &str) -> Option<Declares> {
    MANIFESTS
        .iter()
        .find_map(|(named, d)| named.fits(f, text).then_some(*d))
        .or_else(|| (!names_of(f, text).is_empty()).then_some(Declares::Dependencies))
}

/// Where the lockfile or dependency list `f` names its packages (nothing for other files).
fn names_of(f: &FileName<'_>, text: &str) -> &'static [Names] {
    LOCKFILES
        .iter()
        .find_map(|(named, names)| named.fits(f, text).then_some(*names))
        .unwrap_or(&[])
}

impl Named {
    fn fits(&self, f: &FileName<'_>, text: &str) -> bool {
        let base = f.base;
        match self {
            Named::Base(b) => base.eq_ignore_ascii_case(b),
            Named::Suffix(s) => ends_with_ignoring_case(base, s) && base.len() > s.len(),
            Named::Around(p, s) => {
                base.len() >= p.len() + s.len()
                    && base.is_char_boundary(p.len())
                    && base[..p.len()].eq_ignore_ascii_case(p)
                    && ends_with_ignoring_case(base, s)
            }
            Named::PathEnd(p) => f.ends_with(p),
            Named::Starts(t) => text.starts_with(t),
            Named::Holds(s, p) => {
                ends_with_ignoring_case(base, s) && base.len() > s.len() && held(p).is_match(text)
            }
        }
    }
}

/// The compiled form of a [`Named::Holds`] pattern, compiled once.
fn held(pattern: &'static str) -> &'static Regex {
    static COMPILED: LazyLock<std::collections::HashMap<&'static str, Regex>> =
        LazyLock::new(|| {
            MANIFESTS
                .iter()
                .map(|(n, _)| n)
                .chain(LOCKFILES.iter().map(|(n, _)| n))
                .filter_map(|n| match n {
                    Named::Holds(_, p) => Some((*p, re(p))),
                    _ => None,
                })
                .collect()
        });
    &COMPILED[pattern]
}

/// `text` with what a package source file disables blanked out (offsets kept): an INI section
/// (`[name]` up to the next) or a deb822 paragraph (up to a blank line) with `enabled=0`,
/// `enabled = false` or `Enabled: no`, XML comments (`<!-- <add value="…"/> -->`), and a NuGet
/// source its `<disabledPackageSources>` disables (`<add key="ks" value="true" />`).
fn without_disabled(text: &str) -> String {
    static DISABLED: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)^[ \t]*enabled[ \t]*[=:][ \t]*(?:0|no|false|off)[ \t]*\r?$"));
    static XML_COMMENT: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)<!--.*?-->"));
    // One space per byte of what is blanked, line breaks kept.
    let blank_bytes = |s: &str| -> String {
        s.chars()
            .flat_map(|c| {
                let n = if c == '\n' { 1 } else { c.len_utf8() };
                std::iter::repeat_n(if c == '\n' { '\n' } else { ' ' }, n)
            })
            .collect()
    };
    let mut out = String::with_capacity(text.len());
    let mut block = String::new();
    let flush = |block: &mut String, out: &mut String| {
        if block.lines().any(|l| DISABLED.is_match(l)) {
            out.push_str(&blank_bytes(block));
        } else {
            out.push_str(block);
        }
        block.clear();
    };
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') || t.is_empty() {
            flush(&mut block, &mut out);
        }
        block.push_str(line);
    }
    flush(&mut block, &mut out);
    let out = XML_COMMENT
        .replace_all(&out, |c: &regex::Captures<'_>| blank_bytes(&c[0]))
        .into_owned();
    // NuGet: a source whose key `<disabledPackageSources>` sets to `true` is not used.
    static DISABLED_SOURCES: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?is)<disabledPackageSources\b[^>]*>(.*?)</disabledPackageSources\s*>")
    });
    static ADD: LazyLock<Regex> =
        LazyLock::new(|| re(r#"(?i)<add\s+key\s*=\s*"([^"]*)"\s+value\s*=\s*"([^"]*)"[^>]*>"#));
    let disabled: Vec<String> = DISABLED_SOURCES
        .captures_iter(&out)
        .flat_map(|c| {
            ADD.captures_iter(c.get(1).expect("group").as_str())
                .filter(|a| a[2].trim().eq_ignore_ascii_case("true"))
                .map(|a| a[1].to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    if disabled.is_empty() {
        return out;
    }
    ADD.replace_all(&out, |c: &regex::Captures<'_>| {
        if disabled.contains(&c[1].to_ascii_lowercase()) && !c[2].eq_ignore_ascii_case("true") {
            blank_bytes(&c[0])
        } else {
            c[0].to_string()
        }
    })
    .into_owned()
}

/// Where `line`'s comment starts (its length if it has none): the first of `markers`; one
/// made of letters (`dnl`) only where it stands as a word.
fn comment_start(line: &str, markers: &[&str]) -> usize {
    markers
        .iter()
        .filter_map(|m| {
            let word = m.bytes().all(|b| b.is_ascii_alphabetic());
            line.match_indices(m).map(|(i, _)| i).find(|&i| {
                !word
                    || (line[..i]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric())
                        && line[i + m.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| !c.is_alphanumeric()))
            })
        })
        .min()
        .unwrap_or(line.len())
}

/// `text` with each line's comment (see [`comment_start`]) made spaces, offsets kept.
fn without_comments(text: &str, markers: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let code = comment_start(line, markers);
        out.push_str(&line[..code]);
        // One space per byte of the comment, so that offsets stay those of `text`.
        for c in line[code..].chars() {
            if c == '\n' {
                out.push(c);
            } else {
                out.extend(std::iter::repeat_n(' ', c.len_utf8()));
            }
        }
    }
    out
}

/// Whether `s` ends with `end`, ASCII case ignored.
fn ends_with_ignoring_case(s: &str, end: &str) -> bool {
    s.len() >= end.len()
        && s.is_char_boundary(s.len() - end.len())
        && s[s.len() - end.len()..].eq_ignore_ascii_case(end)
}

/// The key an image label or annotation is in its namespace's terms
/// (`org.opencontainers.image.vendor` → `vendor`, `org.label-schema.vcs-url` → `vcs-url`):
/// the OCI and Label Schema keys name the image's maker and source as a manifest's do.
fn annotated(key: &str) -> &str {
    ["org.opencontainers.image.", "org.label-schema."]
        .iter()
        .find_map(|p| {
            (key.len() > p.len() && key[..p.len()].eq_ignore_ascii_case(p)).then(|| &key[p.len()..])
        })
        .unwrap_or(key)
}

/// `key` without quotes, sigils, case, `_`, `-` and `.`.
fn normalise_key(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn read(declares: Declares, text: &str, out: &mut Vec<FieldHit>) {
    let dependencies = declares != Declares::Package;
    // `key: v`, `key = v`, `key := v`, `key => v`, `"key": v`, `:key => v`: at the start of a
    // line (after its indentation, or a YAML list's dash) or of an argument or element (after
    // `(`, `[`, `{`, `,`, `;`). Never after a plain space: `description: works with vendor: X`
    // is one field, the description.
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r#"(?:^[ \t]*(?:-[ \t]+|(?i:LABEL)[ \t]+)?|[,;({\[][ \t]*)["':@$]?([A-Za-z][A-Za-z0-9_.-]*)["']?[ \t]*(?::=|=>|:|=)[ \t]*"#,
        )
    });
    // An XML attribute: `<Identity Publisher="CN=…">`.
    static ATTRIBUTE: LazyLock<Regex> =
        LazyLock::new(|| re(r#"\s([A-Za-z_][\w.-]*)[ \t]*=[ \t]*"([^"\n]*)""#));
    // `<key>value</key>` (XML elements).
    static ELEMENT: LazyLock<Regex> =
        LazyLock::new(|| re(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(?:\s[^>]*)?>([^<\n]+)</"));
    // A Cartfile's `github "org/repo"`, a Gemfile's `gem 'x'`, a Podfile's `pod 'X'`.
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| re(r#"(?m)^[ \t]*(github|git|binary|gem|pod)[ \t]+["']([^"'\n]+)["']"#));
    static URL: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r#"(?:git\+)?(?:https?|ssh|git|svn\+ssh)://[^\s"'<>,;)\]}]+|git@[\w.-]+:[^\s"'<>,;)\]}]+"#,
        )
    });
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0usize, |at, l| {
            let start = *at;
            *at += l.len();
            Some((start, l.trim_end_matches(['\n', '\r'])))
        })
        .collect();
    let strings = Strings::of(text);
    let mut push = |key: &str, kind: FieldKind, shape: Shape, value: String, at: usize| {
        out.push(FieldHit {
            format: MetadataFormat::PackageManifest,
            key: key.to_string(),
            kind,
            shape,
            value,
            line: line_at(text, at),
        });
    };
    for (i, &(start, line)) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        // Comments are not fields, except the `# Maintainer: …` header of Arch and Alpine
        // build files (read below as a key).
        let comment = trimmed.starts_with("//") || trimmed.starts_with("--");
        let line = match trimmed.strip_prefix('#') {
            Some(rest)
                if rest
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("maintainer") =>
            {
                rest
            }
            Some(_) => continue,
            None if comment => continue,
            None => line,
        };
        for c in ASSIGN.captures_iter(line) {
            let (k, m) = (c.get(1).expect("group"), c.get(0).expect("match"));
            let key = normalise_key(annotated(k.as_str()));
            let (kind, shape) = if MAKER_KEYS.contains(&key.as_str()) {
                (FieldKind::Attribution, Shape::Author)
            } else if SOURCE_KEYS.contains(&key.as_str()) {
                let kind = match declares {
                    Declares::Package => FieldKind::Attribution,
                    Declares::Dependencies | Declares::Sources => FieldKind::Integration,
                };
                (kind, Shape::Url)
            } else if dependencies && PACKAGE_KEYS.contains(&key.as_str()) {
                (FieldKind::Integration, Shape::Text)
            } else {
                continue;
            };
            let rest = &line[m.end()..];
            for value in values(rest, &lines[i + 1..], line_indent(line)) {
                let value = if key == "github" && !value.contains("://") {
                    format!("https://github.com/{value}")
                } else {
                    strings.resolve(value)
                };
                push(k.as_str(), kind, shape, value, start + m.end());
            }
        }
        if line.contains('<') {
            for c in ATTRIBUTE.captures_iter(line) {
                let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
                let key = normalise_key(k.as_str());
                let value = v.as_str().trim().to_string();
                if MAKER_KEYS.contains(&key.as_str()) {
                    push(
                        k.as_str(),
                        FieldKind::Attribution,
                        Shape::Author,
                        value,
                        start,
                    );
                } else if dependencies && PACKAGE_KEYS.contains(&key.as_str()) {
                    push(
                        k.as_str(),
                        FieldKind::Integration,
                        Shape::Text,
                        value,
                        start,
                    );
                }
            }
        }
        for c in ELEMENT.captures_iter(line) {
            let (k, v) = (c.get(2).expect("group"), c.get(3).expect("group"));
            let key = normalise_key(k.as_str());
            if MAKER_KEYS.contains(&key.as_str()) {
                let kind = FieldKind::Attribution;
                push(
                    k.as_str(),
                    kind,
                    Shape::Author,
                    v.as_str().trim().to_string(),
                    start,
                );
            } else if SOURCE_KEYS.contains(&key.as_str()) && declares == Declares::Package {
                let kind = FieldKind::Attribution;
                push(
                    k.as_str(),
                    kind,
                    Shape::Url,
                    v.as_str().trim().to_string(),
                    start,
                );
            }
        }
    }
    if dependencies {
        for c in CALL.captures_iter(text) {
            let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            let (shape, value) = match k.as_str() {
                "github" if !v.as_str().contains("://") => {
                    (Shape::Url, format!("https://github.com/{}", v.as_str()))
                }
                "github" | "git" | "binary" => (Shape::Url, v.as_str().to_string()),
                _ => (Shape::Text, super::imports::with_words(v.as_str())),
            };
            push(k.as_str(), FieldKind::Integration, shape, value, v.start());
        }
        // URLs in what the file declares, not in its comments (`# pinned, see https://…`).
        for (start, line) in &lines {
            let code = uncommented(line);
            for m in URL.find_iter(code) {
                push(
                    "url",
                    FieldKind::Integration,
                    Shape::Url,
                    m.as_str().to_string(),
                    start + m.start(),
                );
            }
        }
        // A package source file's settings (`enabled=1`) are not requirements.
        for (start, line) in lines.iter().filter(|_| declares == Declares::Dependencies) {
            if let Some(name) = requirement(line) {
                push(
                    "requirement",
                    FieldKind::Integration,
                    Shape::Text,
                    super::imports::with_words(&name),
                    *start,
                );
            }
        }
    }
}

/// A Windows INF file's `[Strings]` section: `Provider = %KLAB%` names its maker through
/// `KLAB = "…"` there (keys compared without case, as Windows does).
struct Strings(std::collections::HashMap<String, String>);

impl Strings {
    fn of(text: &str) -> Strings {
        let mut map = std::collections::HashMap::new();
        let mut inside = false;
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with('[') {
                inside = t.eq_ignore_ascii_case("[strings]")
                    || t.to_ascii_lowercase().starts_with("[strings.");
                continue;
            }
            if inside && let Some((k, v)) = t.split_once('=') {
                let v = v.trim().trim_matches('"').trim();
                map.insert(k.trim().to_ascii_lowercase(), v.to_string());
            }
        }
        Strings(map)
    }

    /// `value` with a whole `%name%` replaced by its string (left as written when unknown).
    fn resolve(&self, value: String) -> String {
        let name = value
            .strip_prefix('%')
            .and_then(|v| v.strip_suffix('%'))
            .map(str::to_ascii_lowercase);
        match name.and_then(|n| self.0.get(&n)) {
            Some(v) => v.clone(),
            None => value,
        }
    }
}

/// A dependency manifest's line without its comment: nothing of a line that starts one (`#`,
/// `//`, `--`, `;`), and nothing after ` #` or ` //` outside quotes.
pub(super) fn uncommented(line: &str) -> &str {
    let t = line.trim_start();
    // `--extra-index-url …` is a requirements file's option; `-- …` a Lua or SQL comment.
    let option = t
        .strip_prefix("--")
        .is_some_and(|o| o.starts_with(|c: char| c.is_ascii_alphabetic()));
    if t.starts_with('#')
        || t.starts_with("//")
        || (t.starts_with("--") && !option)
        || t.starts_with(';')
    {
        return "";
    }
    let b = line.as_bytes();
    let mut quote: Option<u8> = None;
    for i in 0..b.len() {
        match (quote, b[i]) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (None, b'#') if i > 0 && b[i - 1].is_ascii_whitespace() => return &line[..i],
            (None, b'/')
                if b.get(i + 1) == Some(&b'/') && (i == 0 || b[i - 1].is_ascii_whitespace()) =>
            {
                return &line[..i];
            }
            _ => {}
        }
    }
    line
}

/// The name a pip requirement line installs (`kavsdk==1.2`, `kav-sdk[extra] @ git+…`): a
/// word at the start of a line that is neither a comment nor an option, followed by a version
/// specifier, an extra, a marker, a URL or nothing.
pub(super) fn requirement(line: &str) -> Option<String> {
    static REQ: LazyLock<Regex> = LazyLock::new(|| {
        re(r"^([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*(?:\[[^\]]*\])?[ \t]*(?:[=<>!~]=?|@|;|$)")
    });
    let line = line.trim();
    REQ.captures(line)
        .map(|c| c.get(1).expect("group").as_str().to_string())
}

fn line_indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The values bound to a key: the quoted strings in `rest` (a list's elements, or one string),
/// else `rest` itself up to a comment; when `rest` is empty or opens a list or block, the
/// following lines that continue it (more indented, list items, or up to the closing bracket).
fn values(rest: &str, following: &[(usize, &str)], indent: usize) -> Vec<String> {
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| re(r#""((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'"#));
    let quoted = |s: &str| -> Vec<String> {
        QUOTED
            .captures_iter(s)
            .filter_map(|c| c.get(1).or_else(|| c.get(2)))
            .map(|m| m.as_str().trim().to_string())
            .filter(|v| !v.is_empty() && !v.starts_with(':'))
            .collect()
    };
    let head = rest.trim();
    let opens = head.is_empty() || matches!(head, "[" | "(" | "{" | "|" | ">" | "[[" | "%{");
    if !opens {
        let q = quoted(head);
        if !q.is_empty() {
            return q;
        }
        // Bare: up to an end-of-line comment, without a trailing separator.
        let bare = head
            .split(" #")
            .next()
            .unwrap_or(head)
            .trim_end_matches([',', ';'])
            .trim();
        return if bare.is_empty() || bare.starts_with(['[', '{', '(']) {
            Vec::new()
        } else {
            vec![bare.to_string()]
        };
    }
    let mut out = Vec::new();
    for (_, next) in following.iter().take(MAX_CONTINUATION) {
        let t = next.trim();
        if t.is_empty() {
            continue;
        }
        let closes = t.starts_with([']', ')', '}']);
        if closes || (line_indent(next) <= indent && !t.starts_with('-')) {
            break;
        }
        let item = t.trim_start_matches('-').trim();
        let q = quoted(item);
        if q.is_empty() {
            let bare = item.trim_end_matches([',', ';']).trim();
            if !bare.is_empty() {
                out.push(bare.to_string());
            }
        } else {
            out.extend(q);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(name: &str, text: &str) -> Vec<(String, FieldKind, String)> {
        super::super::fields(name, text)
            .into_iter()
            .map(|f| (f.key, f.kind, f.value))
            .collect()
    }

    fn has(v: &[(String, FieldKind, String)], kind: FieldKind, value: &str) -> bool {
        v.iter().any(|(_, k, x)| *k == kind && x == value)
    }

    use FieldKind::{Attribution as A, Integration as I};

    #[test]
    fn package_manifests_of_other_ecosystems_name_their_makers() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "pubspec.yaml",
                "name: scanner\nhomepage: https://example.com/scan\nauthor: Jane Roe <jr@example.com>\n",
                &["https://example.com/scan", "Jane Roe <jr@example.com>"],
            ),
            (
                "DESCRIPTION",
                "Package: scanr\nAuthor: Example Widgets Ltd.\nMaintainer: SDK Team <sdk@example.com>\n",
                &["Example Widgets Ltd.", "SDK Team <sdk@example.com>"],
            ),
            (
                "scan.cabal",
                "name:                scan\nauthor:              Example Widgets\nmaintainer:          sdk@example.com\n",
                &["Example Widgets", "sdk@example.com"],
            ),
            (
                "META.json",
                "{\n   \"author\" : [\n      \"Example Widgets <sdk@example.com>\"\n   ],\n   \"name\" : \"Scan\"\n}\n",
                &["Example Widgets <sdk@example.com>"],
            ),
            (
                "mix.exs",
                "  defp package do\n    [maintainers: [\"Example Widgets\"], links: %{\"Home\" => \"https://example.com\"}]\n",
                &["Example Widgets", "https://example.com"],
            ),
            (
                "scan.nimble",
                "version       = \"1.0.0\"\nauthor        = \"Example Widgets\"\n",
                &["Example Widgets"],
            ),
            (
                "scan-1.0-1.rockspec",
                "description = {\n   maintainer = \"Example Widgets <sdk@example.com>\",\n   homepage = \"https://example.com\"\n}\n",
                &["Example Widgets <sdk@example.com>", "https://example.com"],
            ),
            (
                "meta.yaml",
                "about:\n  home: https://example.com\nextra:\n  recipe-maintainers:\n    - examplewidgets\n",
                &["https://example.com", "examplewidgets"],
            ),
            (
                "Makefile.PL",
                "WriteMakefile(\n    AUTHOR => 'Example Widgets <sdk@example.com>',\n);\n",
                &["Example Widgets <sdk@example.com>"],
            ),
            (
                "Scan.psd1",
                "@{\n    Author = 'Example Widgets'\n    CompanyName = 'Example Widgets Ltd.'\n}\n",
                &["Example Widgets", "Example Widgets Ltd."],
            ),
            (
                "PKGBUILD",
                "# Maintainer: Jane Roe <jr@example.com>\npkgname=scan\nurl=\"https://example.com\"\n",
                &["Jane Roe <jr@example.com>", "https://example.com"],
            ),
            (
                "org.example.Scan.metainfo.xml",
                "<component>\n  <developer_name>Example Widgets</developer_name>\n</component>\n",
                &["Example Widgets"],
            ),
            (
                "scan.inf",
                "[Version]\nSignature=\"$WINDOWS NT$\"\nProvider=%EXW%\n[Manufacturer]\n%MfgName%=Models\n[Strings]\nEXW = \"Example Widgets\"\nMfgName=\"Example Widgets Ltd.\"\n",
                &["Example Widgets"],
            ),
            (
                "Package.appxmanifest",
                "<Identity Name=\"Scan\" Publisher=\"CN=Example Widgets Ltd\" Version=\"1.0.0.0\" />\n<PublisherDisplayName>Example Widgets</PublisherDisplayName>\n",
                &["CN=Example Widgets Ltd", "Example Widgets"],
            ),
        ];
        for (name, text, want) in cases {
            let got = fields(name, text);
            for w in *want {
                assert!(has(&got, A, w), "{name}: {w} not in {got:?}");
            }
            assert!(got.iter().all(|(_, k, _)| *k == A), "{name}: {got:?}");
        }
    }

    #[test]
    fn manifests_inside_published_packages_are_known_by_place_or_content() {
        let gem = "--- !ruby/object:Gem::Specification\nname: scan\nauthors:\n- Example Widgets\nemail:\n- sdk@example.com\nhomepage: https://example.com\n";
        let got = fields("scan-1.0.gem!metadata.gz!metadata", gem);
        for w in ["Example Widgets", "sdk@example.com", "https://example.com"] {
            assert!(has(&got, A, w), "{w} not in {got:?}");
        }
        let about = "{\n  \"home\": \"https://example.com/scan\",\n  \"license\": \"MIT\"\n}\n";
        let got = fields("scan-1.0.conda!info/about.json", about);
        assert!(has(&got, A, "https://example.com/scan"), "{got:?}");
        assert!(fields("docs/about.json", about).is_empty());
    }

    #[test]
    fn dependency_manifests_name_what_the_package_is_built_from() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "Package.swift",
                "let package = Package(\n    dependencies: [\n        .package(url: \"https://github.com/example/scan-swift.git\", from: \"1.0.0\"),\n    ]\n)\n",
                &["https://github.com/example/scan-swift.git"],
            ),
            (
                "Cartfile",
                "github \"example/scan-kit\" ~> 1.0\nbinary \"https://example.com/scan.json\"\n",
                &[
                    "https://github.com/example/scan-kit",
                    "https://example.com/scan.json",
                ],
            ),
            (
                "Gemfile",
                "gem 'scan-rb', git: 'https://example.com/scan-rb.git'\ngem 'other', github: 'example/other'\n",
                &[
                    "scan-rb",
                    "https://example.com/scan-rb.git",
                    "https://github.com/example/other",
                ],
            ),
            (
                "requirements.txt",
                "# tools\nscan-sdk==1.2\nother[extra] @ git+https://example.com/other.git\n-r base.txt\n",
                &["scan-sdk", "other", "git+https://example.com/other.git"],
            ),
            (
                ".gitmodules",
                "[submodule \"third_party/scan\"]\n\tpath = third_party/scan\n\turl = https://example.com/scan.git\n",
                &["https://example.com/scan.git"],
            ),
            (
                "packages.config",
                "<packages>\n  <package id=\"Example.Scan.SDK\" version=\"1.0.0\" />\n</packages>\n",
                &["Example.Scan.SDK"],
            ),
            (
                "native/binding.gyp",
                "{ 'targets': [ { 'target_name': 'addon',\n  'libraries': [ '-lscansdk', '<(module_root_dir)/lib/libvendorengine.so.2' ] } ] }\n",
                &["scansdk", "vendorengine"],
            ),
            (
                "jni/Android.mk",
                "LOCAL_MODULE := app\n# LOCAL_STATIC_LIBRARIES := old_engine\nLOCAL_SHARED_LIBRARIES := scan_engine liblog\nLOCAL_LDLIBS := -lvendorsdk\n",
                &["scan_engine liblog", "vendorsdk"],
            ),
            (
                "premake5.lua",
                "project \"app\"\n  links { \"vendorsdk\", \"pthread\" } -- not old_engine\n  links \"scan_engine\"\n",
                &["vendorsdk", "pthread", "scan_engine"],
            ),
            (
                "xmake.lua",
                "add_requires(\"vendor-scan 8.1\", {configs = {shared = true}})\ntarget(\"app\")\n    add_links(\"vendorsdk\", \"z\")\n",
                &["vendor-scan", "vendorsdk", "z"],
            ),
            (
                "build.zig",
                "exe.linkSystemLibrary(\"vendorsdk\");\nexe.addObjectFile(b.path(\"vendor/lib/libscanengine.a\"));\n",
                &["vendorsdk", "scanengine"],
            ),
            (
                "BUCK",
                "prebuilt_cxx_library(\n  name = \"engine\",\n  shared_lib = \"vendor/libscanengine.so.2\",\n  exported_linker_flags = [\"-lvendorsdk\"],\n)\n",
                &["scanengine", "vendorsdk"],
            ),
        ];
        for (name, text, want) in cases {
            let got = fields(name, text);
            for w in *want {
                assert!(has(&got, I, w), "{name}: {w} not in {got:?}");
            }
        }
        let got = fields(
            "jni/Android.mk",
            "# LOCAL_STATIC_LIBRARIES := old_engine\nLOCAL_MODULE := app\n",
        );
        assert!(!has(&got, I, "old_engine"), "{got:?}");
        // Lua and Zig comments link nothing.
        for (name, text) in [
            (
                "premake5.lua",
                "-- links { \"old_engine\" }\nlinks { \"z\" } -- old_engine\n",
            ),
            ("xmake.lua", "-- add_links(\"old_engine\")\n"),
            ("build.zig", "// exe.linkSystemLibrary(\"old_engine\");\n"),
            ("BUCK", "# shared_lib = \"libold_engine.so\",\n"),
        ] {
            let got = fields(name, text);
            assert!(!has(&got, I, "old_engine"), "{name}: {got:?}");
        }
    }

    #[test]
    fn urls_in_a_dependency_manifests_comments_are_not_dependencies() {
        let text = "# pinned; see https://example.com/why\nscan-sdk==1.2  # https://example.com/changelog\n-e git+https://example.com/real.git#egg=real\n";
        let got = fields("requirements.txt", text);
        let urls: Vec<&str> = got
            .iter()
            .filter(|(k, _, _)| k == "url")
            .map(|(_, _, v)| v.as_str())
            .collect();
        assert_eq!(
            urls,
            ["git+https://example.com/real.git#egg=real"],
            "{got:?}"
        );
        let swift = ".package(url: \"https://example.com/a.git\", from: \"1.0.0\"), // was https://example.com/b\n";
        let got = fields("Package.swift", swift);
        assert!(has(&got, I, "https://example.com/a.git"), "{got:?}");
        assert!(!got.iter().any(|(_, _, v)| v.contains("/b")), "{got:?}");
    }

    #[test]
    fn only_the_manifests_named_are_read_and_not_their_comments() {
        // The same lines anywhere else are data, read line by line as text.
        assert!(fields("engines.yaml", "vendor: Example Widgets\n").is_empty());
        assert!(fields("notes.txt", "Author: Example Widgets\n").is_empty());
        // Comments and other keys are not fields.
        let got = fields(
            "pubspec.yaml",
            "# author: Someone Else\nname: scan\ndescription: works with the vendor: Example\n",
        );
        assert!(got.is_empty(), "{got:?}");
    }
}
