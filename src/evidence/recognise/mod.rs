//! Evidence stage, recognisers: one text file's name and decoded text → the typed fields in it
//! that say who made the thing (a Java manifest's `Implementation-Vendor`, a wheel's `Author`,
//! an npm `author`, a NuGet `<owners>`…), and what kind of file it is when that changes how its
//! lines read (a detection rule, a saved web page).
//!
//! This is the one seam for a new kind of structured metadata: add a file here with a type that
//! implements [`Recogniser`], one entry in [`RECOGNISERS`] and one line in [`MetadataFormat`]. The deep scan asks the recognisers
//! only about files that already hold a listed word (the prefilter decided), so a recogniser may
//! parse its whole file.
//!
//! A field is *attribution* when the format defines it as naming the maker, supplier, vendor,
//! owner or copyright holder, *integration* when it names something the file's code cannot run
//! without (a load dependency, an import of another package), both of which fail a build the way
//! a Cargo `authors` field does; everything else in such a file stays a mention.

mod cargoconfig;
mod code;
mod decoded;
mod gitconfig;
mod headers;
mod imports;
mod infra;
mod json;
mod manifests;
mod markup;
mod rules;
mod script;
mod vars;

use super::{Role, Shape};

pub use decoded::as_run;
pub(crate) use imports::{bound_strings, with_words};
pub use rules::{FileClass, classify, is_asserted_literal, is_disclaimer, is_trademark_statement};
pub(crate) use script::service_call;

crate::named::named_enum! {
    /// The formats recognisers read: the one table of their names (the first part of a stored
    /// field name, `Java manifest Implementation-Vendor`, which [`crate::evidence::Field::parse`]
    /// splits back by these names) and what each covers. A new recogniser's format is a line
    /// here, which its [`FieldHit`]s then name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
    pub enum MetadataFormat {
        CFamilySource = "C/C++ source" => "C, C++ and Objective-C: included headers, module imports, namespaces declared and used, libraries linked (`#pragma comment(lib, …)`) or loaded at run time (`dlopen`, `LoadLibrary`)",
        CSharpSource = "C# source" => "`using` directives, namespaces declared, `[DllImport]` and `NativeLibrary.Load` libraries",
        JsSource = "JavaScript source" => "JavaScript and TypeScript modules required or imported (not relative paths), native libraries loaded (`ffi.Library`, `koffi.load`, `process.dlopen`)",
        PhpSource = "PHP source" => "`use` imports, namespaces declared, `FFI::cdef` libraries",
        PythonSource = "Python source" => "imported modules (not relative ones) and libraries loaded through ctypes or cffi",
        RubySource = "Ruby source" => "required libraries (not relative paths), native libraries loaded (`Fiddle.dlopen`, `ffi_lib`)",
        SwiftSource = "Swift source" => "imported modules, libraries loaded with `dlopen`",
        OtherSource = "other source" => "Lua, Dart, Julia and Nim sources: libraries loaded at run time (`ffi.load`, `DynamicLibrary.open`, `ccall`, `{.dynlib.}`)",
        AndroidManifest = "Android manifest" => "AndroidManifest.xml: the package and its declared libraries",
        AppleInfoPlist = "Apple property list" => "Info.plist: a bundle's identifier, copyright and vendor keys",
        MacInstaller = "macOS installer package" => "a flat installer package's PackageInfo and Distribution: the identifiers of the packages it installs (reverse domains)",
        Cmake = "CMake" => "CMakeLists.txt and *.cmake: packaging vendor fields, found packages, linked libraries and fetched repositories",
        CocoaPodsPodspec = "CocoaPods podspec" => "*.podspec and *.podspec.json: authors, homepage, vendored frameworks",
        ComposerManifest = "Composer manifest" => "composer.json: package name, authors, required packages and repositories (composer.lock is read as a lockfile: see package manifest)",
        CycloneDx = "CycloneDX document" => "A CycloneDX bill of materials shipped inside a package",
        DebianControl = "Debian control" => "debian/control and a .deb's control file: maintainer and dependencies",
        DebianCopyright = "Debian copyright" => "debian/copyright: upstream contact and copyright holders",
        GoModule = "Go module" => "go.mod: module path and required modules",
        GoSource = "Go source" => "Go imports of another module, cgo link flags, DLLs and libraries loaded at run time (`NewLazyDLL`, `purego.Dlopen`)",
        CargoConfig = "cargo config" => "`.cargo/config.toml` and `.cargo/config`: the libraries `rustflags` link (`-l`, `-C link-arg=`) and the directories they search, and `links` overrides (`[target.<triple>.<links>]`: `rustc-link-lib`, `rustc-link-search`, `rustc-flags`), and where crates are downloaded from (`[registries.<name>] index`, `[source.<name>]` `registry`/`git`)",
        GitConfig = "git config" => "a checkout's .git/config: the URLs of its remotes and submodules, where its code comes from (credentials removed)",
        GoBuildInfo = "Go build info" => "the module records every Go binary carries (`go version -m`): its main module, and each module compiled in or replacing one",
        JvmSource = "JVM source" => "Java and Kotlin package and import declarations, native libraries loaded (`System.loadLibrary`, JNA `Native.load`)",
        JvmBytecode = "JVM bytecode" => "compiled classes (*.class, in JARs too) and Android dex files: the packages of the classes defined and referred to",
        JavaManifest = "Java manifest" => "META-INF/MANIFEST.MF: implementation and bundle vendors",
        MsBuildProject = "MSBuild project" => "*.csproj and other MSBuild files: company, authors, references and their hint paths, native libraries and library files copied to the output, NuGet package references",
        MavenPom = "Maven POM" => "pom.xml: group, organisation, developers and dependencies, a system-scope dependency's jar; a JAR's `META-INF/maven/<groupId>/<artifactId>/pom.properties`: the group, in the file and in its directory's name",
        NuGetNuspec = "NuGet nuspec" => "*.nuspec: authors, owners, the company an id starts with, and dependencies",
        PkgConfig = "pkg-config" => "*.pc and *.pc.in: the library's name, home page, linked libraries and required modules",
        PythonBuild = "Python build" => "setup.py, setup.cfg and pyproject.toml: authors, maintainers, required packages and extension modules' native libraries",
        PythonMetadata = "Python metadata" => "PKG-INFO and METADATA: author, maintainer, home page and project URLs, required distributions; an installed distribution's `direct_url.json` (and pip's cached `origin.json`): the URL it was installed from",
        ResourceScript = "Windows resource script" => "*.rc: the version information (company, copyright, trademarks) of the binary built from it",
        RpmSpec = "RPM spec" => "*.spec: vendor, packager and requirements",
        RubyGemspec = "Ruby gemspec" => "*.gemspec: authors, e-mail and homepage",
        CiConfig = "CI or task file" => "CI pipelines (GitHub Actions and other forges' workflows, GitLab CI, Azure Pipelines, CircleCI, Travis, Bitbucket, Drone, AppVeyor, Buildkite, Cloud Build, CodeBuild, Jenkinsfile…) and task runners' files (justfile, Taskfile, Earthfile, Vagrantfile, cargo-make, tox, dev containers): the URLs their commands download and the packages they install, read as a script's",
        Script = "shell script" => "shell, PowerShell and batch scripts: the URLs a download command fetches (curl, wget, Invoke-WebRequest, bitsadmin…) and the packages an install command installs (pip, npm, apt-get, dotnet add package…; a Dockerfile's RUN lines too)",
        RustSource = "Rust source" => "`#[link]` attributes, libraries loaded at run time, WebAssembly import modules (`#[link(wasm_import_module)]`) and JavaScript modules wasm-bindgen imports (`#[wasm_bindgen(module)]`, `raw_module`, an `inline_js` snippet's imports), files compiled in (`include_bytes!`, `include_str!`: judged by their names, as shipped files are), version information a build script sets",
        Spdx = "SPDX document" => "An SPDX document shipped inside a package",
        ConanRecipe = "conan recipe" => "conanfile.py and conanfile.txt: author, URL and required references",
        NpmLockfile = "npm lockfile" => "package-lock.json and npm-shrinkwrap.json: scoped packages and resolved URLs (yarn, pnpm and bun lockfiles: see package manifest)",
        NpmPackageJson = "npm package.json" => "package.json: author, contributors, scope and dependencies, and where an installed copy came from (`_resolved`, `_from`)",
        VcpkgManifest = "vcpkg manifest" => "vcpkg.json: maintainers, home page and dependencies",
        Terraform = "Terraform" => "*.tf, *.tofu and their JSON forms, terragrunt.hcl, .terraform.lock.hcl, .terraform/modules/modules.json, cdktf.json and Packer's *.pkr.hcl (its required plugins): the sources of modules and of required providers (a URL, a code host's shorthand, a registry address's namespace, and on the public registries the GitHub repository it publishes from), the providers a lock file pins; not comments",
        Ansible = "Ansible" => "requirements.yml, execution-environment.yml, galaxy.yml and a role's meta/main.yml: the collections and roles installed or depended on (a repository's or archive's URL, a Galaxy name's namespace), a collection's namespace and authors, a role's author and company; playbooks and roles' task files: the namespaces of the modules, roles and collections they call by full name, and the URLs tasks download or install from; not comments, nor task names",
        RepoManifest = "repo manifest" => "Android repo manifests (.repo/manifests/*.xml, local manifests): each project, subproject and superproject checked out, as its remote's fetch URL joined with its name (by the fetch path and its name where the fetch URL is relative)",
        PackageManifest = "package manifest" => "Other ecosystems' manifests, by their maker and source keys: pubspec.yaml, R DESCRIPTION, *.cabal, Perl META.json/Makefile.PL, mix.exs, *.nimble, *.rockspec, conda meta.yaml, PKGBUILD, *.nix, *.psd1, AppX/VSIX/AppStream manifests, winget manifests, OCI image manifests' annotations…; and dependency manifests and lockfiles (Package.swift, Cartfile, Gemfile, Podfile, requirements.txt, .gitmodules, MODULE.bazel, gclient DEPS, vcstool .repos, kas files, Puppetfile, Berksfile, conda's records of installed packages, packages.config, yarn.lock, pnpm-lock.yaml, Gemfile.lock, poetry.lock, uv.lock, packages.lock.json, gradle.lockfile, cpanfile, a vendored Cargo.toml, meson.build, build.gradle(.kts), makefiles' and qmake's link flags, Android.mk's module lists, node-gyp's binding.gyp libraries, Haskell's link fields (*.cabal, package.yaml, cabal.project, stack.yaml: extra-libraries, frameworks, extra-lib-dirs, ld-options…), Kotlin/Native cinterop *.def files (headers, linkerOpts, staticLibraries, libraryPaths), Gradle's linkerOpts, R's Makevars, module maps, Package.swift linker settings, Xcode's OTHER_LDFLAGS (project.pbxproj, *.xcconfig), Ruby's extconf.rb, Perl's Makefile.PL LIBS, dune, Nim's passL, dub, configure.ac, Bazel BUILD, SConstruct, conan.lock, deps.edn, build.zig.zon, pixi.toml, vcpkg-configuration.json…), packaging recipes (Homebrew, Chocolatey, Flatpak, Yocto), package sources (apt, yum, pip, npm, NuGet; not a disabled one) and container images (Dockerfile FROM and LABEL vendor, Compose, Kubernetes, kustomize, bake and Helm values images), whose URLs and packages are integration",
    }
}

/// What a field says about the thing it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldKind {
    /// Names who made, supplies, owns or holds the copyright of it.
    Attribution,
    /// Names something it loads, links or imports to run.
    Integration,
}

/// One field of a recognised format, with the line its value starts on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldHit {
    /// The format, as users know it (`Java manifest`, `Python metadata`, `npm package.json`).
    pub format: MetadataFormat,
    /// The field's own name in that format (`Implementation-Vendor`, `author`, `<owners>`).
    pub key: String,
    pub kind: FieldKind,
    pub shape: Shape,
    /// The value as written (entities and continuation lines resolved).
    pub value: String,
    /// 1-based line of the value (or of its key when the value spans lines).
    pub line: u32,
}

impl FieldHit {
    /// The evidence field name: the format and the field, and what a load dependency is.
    pub fn field(&self) -> crate::evidence::Field {
        crate::evidence::Field::Recognised {
            format: crate::named::Named::name(self.format).to_string(),
            key: self.key.clone(),
            integration: self.kind == FieldKind::Integration,
        }
    }

    /// Whether the value is the path of a file the source compiles into itself (Rust's
    /// `include_bytes!` and `include_str!`): the deep scan judges its names as those of a file
    /// the package ships (see `evidence::deep::names`), which only it can, knowing the listed
    /// words that lead a name; it keeps the field only where they say the file is a listed
    /// vendor's code.
    pub fn embeds_file(&self) -> bool {
        self.format == MetadataFormat::RustSource && self.key.starts_with("include_")
    }

    /// Every kind of field fails like an attribution: a product that cannot load without a
    /// listed product's library integrates it.
    pub fn role(&self) -> Role {
        Role::Attribution
    }
}

/// A reader of one metadata format.
pub trait Recogniser: Sync {
    /// Whether this recogniser reads the file: by its base name (`METADATA`), path
    /// (`META-INF/MANIFEST.MF`) or, where names vary, its first bytes.
    fn claims(&self, file: &FileName<'_>, text: &str) -> bool;
    /// The file's who-made and integration fields.
    fn read(&self, file: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>);
}

/// The parts of a file's name recognisers decide on, inside archives too
/// (`sdk.jar!META-INF/MANIFEST.MF` is `META-INF/MANIFEST.MF` inside `sdk.jar`).
pub struct FileName<'a> {
    /// The path inside the innermost container (`META-INF/MANIFEST.MF`).
    pub path: &'a str,
    /// The last component (`MANIFEST.MF`).
    pub base: &'a str,
    /// The extension of the base name, lower case, without the dot (`mf`), or empty.
    pub ext: String,
}

impl<'a> FileName<'a> {
    pub fn new(name: &'a str) -> FileName<'a> {
        let path = name.rsplit('!').next().unwrap_or(name);
        let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let ext = base
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        FileName { path, base, ext }
    }

    /// Whether the path ends with `suffix` (ASCII case ignored), at a component boundary.
    pub fn ends_with(&self, suffix: &str) -> bool {
        let p = self.path.replace('\\', "/");
        p.len() >= suffix.len()
            && p[p.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            && (p.len() == suffix.len() || p.as_bytes()[p.len() - suffix.len() - 1] == b'/')
    }
}

/// Every recogniser, in the order they are asked; the first that claims a file reads it.
pub static RECOGNISERS: &[&dyn Recogniser] = &[
    // First: it claims only the manifests it names (`Package.swift` is a manifest before it is
    // Swift source), none of which another recogniser claims.
    &manifests::Manifests,
    &infra::Terraform,
    &infra::Ansible,
    &infra::RepoManifest,
    &gitconfig::GitConfig,
    &cargoconfig::CargoConfig,
    &headers::JavaManifest,
    &headers::PythonMetadata,
    &headers::DebianControl,
    &headers::DebianCopyright,
    &headers::RpmSpec,
    &headers::PkgConfig,
    &json::PackageJson,
    &json::NpmLock,
    &json::DirectUrl,
    &json::VcpkgJson,
    &json::ComposerJson,
    &json::SbomJson,
    &markup::NuSpec,
    &markup::MsBuild,
    &markup::MavenPom,
    &markup::InfoPlist,
    &markup::MacInstaller,
    &markup::AndroidManifest,
    &markup::SbomXml,
    &code::SpdxTagValue,
    &code::Conan,
    &code::Podspec,
    &code::Cmake,
    &code::GoModule,
    &code::GoSource,
    &code::JvmSource,
    &code::RustSource,
    &code::ResourceScript,
    &code::Gemspec,
    &code::SetupPy,
    &imports::CFamilySource,
    &imports::CSharpSource,
    &imports::JsSource,
    &imports::PythonSource,
    &imports::PhpSource,
    &imports::RubySource,
    &imports::SwiftSource,
    &imports::OtherSource,
    &script::Script,
];

/// The fields of `text` (a file named `name`) that the first recogniser claiming it reads,
/// sorted by line. Empty when no recogniser claims the file.
pub fn fields(name: &str, text: &str) -> Vec<FieldHit> {
    let file = FileName::new(name);
    let mut out = Vec::new();
    if let Some(r) = RECOGNISERS.iter().find(|r| r.claims(&file, text)) {
        r.read(&file, text, &mut out);
    }
    for f in &mut out {
        f.value = f.value.trim().to_string();
    }
    out.retain(|f| !f.value.is_empty());
    out.sort();
    out.dedup();
    out
}

/// A recogniser's fixed pattern, compiled.
pub(super) fn re(p: &str) -> regex::Regex {
    regex::Regex::new(p).expect("a fixed pattern")
}

/// 1-based line number of byte offset `at` of `text`.
pub(crate) fn line_at(text: &str, at: usize) -> u32 {
    let at = at.min(text.len());
    u32::try_from(memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count() + 1)
        .unwrap_or(u32::MAX)
}

/// The host a reverse-domain identifier names (`com.kaspersky.kavsdk.Scanner` →
/// `scanner.kavsdk.kaspersky.com`): its first label must be a public suffix (`com`, `ru`, `uk`…),
/// as Java packages, OSGi symbolic names, Apple bundle identifiers and Android application ids are
/// formed. `None` for anything else (`org` alone, `java.util`, `Foo.Bar`).
pub fn reverse_domain(id: &str) -> Option<String> {
    let id = id.trim().trim_end_matches(['.', ';', '*']);
    let labels: Vec<&str> = id.split(['.', '/']).filter(|l| !l.is_empty()).collect();
    if labels.len() < 2 {
        return None;
    }
    let tld = labels[0].to_ascii_lowercase();
    if !(2..=6).contains(&tld.len()) || !tld.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    // A one-label suffix the Public Suffix List knows (ICANN section): `com`, `ru`, `io`, `uk`.
    let known =
        psl::suffix(tld.as_bytes()).is_some_and(|s| s.is_known() && s.as_bytes() == tld.as_bytes());
    if !known {
        return None;
    }
    let valid = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !labels[1..].iter().all(|l| valid(l)) {
        return None;
    }
    let mut host: Vec<String> = labels
        .iter()
        .take(6)
        .map(|l| l.to_ascii_lowercase().replace('_', "-"))
        .collect();
    host.reverse();
    Some(host.join("."))
}

/// The company prefix of a NuGet package id (`KasperskyLab.ScanEngine` → `KasperskyLab`): NuGet
/// reserves an id prefix for its owner, so the first dotted segment is the company, as a .NET
/// namespace led by the vendor's name is its code. The rest names the product
/// (`MultiScan.Engines.Kaspersky` is an adapter's, not the vendor's). `None` for an id of one
/// segment.
pub fn nuget_company(id: &str) -> Option<&str> {
    let (first, rest) = id.split_once('.')?;
    (!first.is_empty() && !rest.is_empty()).then_some(first)
}

/// A JavaScript module specifier that names something other than the project's own files (a
/// WebAssembly import module, a wasm-bindgen `module`), as it is to be matched: a package
/// (`@kaspersky/scan-engine`, `kavsdk`, `npm:…`) or a URL as written, a URL without its scheme
/// (`//cdn.example.com/sdk.mjs`) with `https:`; `None` for a path (`./glue.js`, `/js/local.js`,
/// `../x.mjs`) or nothing.
pub fn js_module(spec: &str) -> Option<String> {
    let spec = spec.trim();
    if let Some(rest) = spec.strip_prefix("//") {
        return (!rest.is_empty()).then(|| format!("https://{rest}"));
    }
    (!spec.is_empty() && !spec.starts_with(['.', '/', '\\'])).then(|| spec.to_string())
}

/// Whether `name` (a file name or a path) is a native library's or program's file, by the
/// loader's suffix [`library_stem`] takes off: `libkavsdk.so.8`, `kavsdk.dll`, `libkavsdk.a`,
/// `KAVSDK.framework/KAVSDK`; not `libnotes.md`, whose `lib` prefix alone says nothing.
pub fn library_file(name: &str) -> bool {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    let stem_len = base.find('.').unwrap_or(base.len());
    name.contains(".framework/")
        || (stem_len > 0
            && (base.contains(".so.")
                || [
                    ".dll", ".so", ".dylib", ".a", ".lib", ".tbd", ".sys", ".drv", ".exe",
                ]
                .iter()
                .any(|s| base.ends_with(s))))
}

/// A loaded library's name as its product would be named: directories, the `lib` prefix, the
/// loader's suffixes and version numbers removed (`/usr/lib/libkavsdk.so.8.1` → `kavsdk`,
/// `@rpath/KAVSDK.framework/Versions/A/KAVSDK` → `KAVSDK`, `kavsdk64.dll` → `kavsdk64`).
pub fn library_stem(name: &str) -> String {
    let name = name.trim().trim_matches('"');
    // A framework is named by its directory.
    if let Some(i) = name.find(".framework") {
        let fw = &name[..i];
        return fw.rsplit(['/', '\\']).next().unwrap_or(fw).to_string();
    }
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut stem = base;
    // `libfoo.so.1.2`: everything from `.so` on.
    for marker in [
        ".so.", ".dylib", ".dll", ".so", ".lib", ".a", ".tbd", ".sys", ".drv", ".exe",
    ] {
        if let Some(i) = stem.to_ascii_lowercase().find(marker)
            && (marker != ".a" && marker != ".so" && marker != ".lib"
                || i + marker.len() == stem.len())
        {
            stem = &stem[..i];
            break;
        }
    }
    let stem = stem
        .strip_prefix("lib")
        .filter(|s| !s.is_empty())
        .unwrap_or(stem);
    stem.to_string()
}

/// The libraries a linker's arguments link, each named as its product would be: `-lkavsdk`,
/// `-l kavsdk`, `--library=kavsdk`, `-l:libkavsdk.so.8`, the arguments a compiler passes on
/// (`-Wl,--no-as-needed,-lkavsdk`, `-Xlinker -lkavsdk`), `-framework KAVSDK`,
/// `/DEFAULTLIB:kavsdk.lib`, and a library's file given as an argument (`/opt/x/libkavsdk.so.8`,
/// `kavsdk.lib`, by [`library_file`] and [`library_stem`]). An argument may hold several,
/// separated by spaces (`-l kavsdk`). What a linker writes (`-o`, `-soname`, `/OUT:`) and what
/// it searches (`-L`, `-rpath`) name no library linked.
pub fn linker_libraries<'a>(args: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    let tokens = args
        .into_iter()
        .flat_map(str::split_whitespace)
        // A compiler's `-Wl,a,b` passes `a` and `b` to the linker.
        .flat_map(|t| match t.strip_prefix("-Wl,") {
            Some(rest) => rest.split(',').collect::<Vec<_>>(),
            None => vec![t],
        })
        .map(|t| t.trim_matches(['"', '\'']));
    // What the argument before said the next one is.
    #[derive(PartialEq)]
    enum Next {
        Any,
        Library,
        Written,
    }
    let mut next = Next::Any;
    for t in tokens {
        if t.is_empty() || t == "-Xlinker" {
            continue;
        }
        let want = std::mem::replace(&mut next, Next::Any);
        if want == Next::Written {
            continue;
        }
        if want == Next::Library {
            push_library(&mut out, t);
            continue;
        }
        let lower = t.to_ascii_lowercase();
        if matches!(
            t,
            "-l" | "--library" | "-framework" | "-weak_framework" | "-needed_framework"
        ) {
            next = Next::Library;
        } else if matches!(
            t,
            "-o" | "-soname" | "-h" | "-install_name" | "--out-implib" | "-rpath" | "-L"
        ) {
            next = Next::Written;
        } else if let Some(name) = t
            .strip_prefix("--library=")
            .or_else(|| t.strip_prefix("-l").filter(|n| !n.starts_with('-')))
        {
            push_library(&mut out, name);
        } else if let Some(name) = ["/defaultlib:", "-defaultlib:"]
            .iter()
            .find_map(|p| lower.starts_with(p).then(|| &t[p.len()..]))
        {
            push_library(&mut out, name);
        } else if !t.starts_with('-') && !is_option(t) && library_file(t) {
            push_library(&mut out, t);
        }
    }
    out
}

/// Whether `t` is a Windows tool's option (`/OUT:x.dll`, `/LIBPATH:dir`), not a path.
fn is_option(t: &str) -> bool {
    t.strip_prefix('/').is_some_and(|rest| {
        rest.split_once(':')
            .is_some_and(|(o, _)| !o.is_empty() && o.bytes().all(|b| b.is_ascii_alphabetic()))
    })
}

/// Adds the library `name` names (`kavsdk`, `:libkavsdk.so.8`, `kavsdk.lib`) to `out`.
fn push_library(out: &mut Vec<String>, name: &str) {
    let name = name.strip_prefix(':').unwrap_or(name);
    let stem = if library_file(name) {
        library_stem(name)
    } else {
        name.to_string()
    };
    if !stem.is_empty() && !out.contains(&stem) {
        out.push(stem);
    }
}

/// The library a rustc `-l` value (or a build script's `rustc-link-lib`) names:
/// `[KIND[:MODIFIERS]=]NAME[:RENAME]` → `NAME` (`dylib=kavsdk`, `static:+whole-archive=kavsdk`,
/// `kavsdk:kav`).
pub fn rustc_library(value: &str) -> &str {
    let name = value.rsplit_once('=').map_or(value, |(_, n)| n);
    name.split_once(':').map_or(name, |(n, _)| n).trim()
}

/// What rustc's flags link and where they search (`RUSTFLAGS`, cargo's `rustflags`, a build
/// script's `rustc-flags`): the libraries of `-l [KIND=]NAME` and `-lNAME` (by
/// [`rustc_library`]), and of the linker arguments `-C link-arg=…` and `-C link-args=…` pass on
/// (by [`linker_libraries`]); the directories of `-L [KIND=]PATH`. An argument may hold several,
/// separated by spaces (`-l kavsdk -L /opt/x`).
pub fn rustc_links<'a>(args: impl IntoIterator<Item = &'a str>) -> (Vec<String>, Vec<String>) {
    let (mut libs, mut dirs) = (Vec::new(), Vec::new());
    let mut pending: Option<&str> = None;
    for t in args.into_iter().flat_map(str::split_whitespace) {
        let (flag, value) = match pending.take() {
            Some(flag) => (flag, t),
            None => match t {
                "-l" | "-L" | "-C" | "--codegen" => {
                    pending = Some(t);
                    continue;
                }
                _ => match ["-l", "-L", "-C", "--codegen="]
                    .into_iter()
                    .find_map(|f| t.strip_prefix(f).map(|v| (f, v)))
                {
                    Some((f, v)) => (f.trim_end_matches('='), v),
                    None => continue,
                },
            },
        };
        match flag {
            "-l" => {
                let lib = rustc_library(value);
                if !lib.is_empty() && !libs.iter().any(|l| l == lib) {
                    libs.push(lib.to_string());
                }
            }
            "-L" => {
                let dir = value.rsplit_once('=').map_or(value, |(_, d)| d);
                if !dir.is_empty() {
                    dirs.push(dir.to_string());
                }
            }
            _ => {
                // A codegen option: the linker arguments it passes on.
                if let Some(arg) = value
                    .strip_prefix("link-arg=")
                    .or_else(|| value.strip_prefix("link-args="))
                {
                    for lib in linker_libraries([arg]) {
                        if !libs.contains(&lib) {
                            libs.push(lib);
                        }
                    }
                }
            }
        }
    }
    (libs, dirs)
}

#[cfg(test)]
mod tests;
