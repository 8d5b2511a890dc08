//! Evidence stage, the field a piece of evidence came from: typed where it is read, rendered
//! (by `Display` and serde) to the stable names every report shows.
//!
//! Code that needs to know what a field is (a registry owner, a notice line, a certificate
//! signer, a UTF-16 string) asks this type, never the rendered text. The rendered name is the
//! only form on disk (scan cache, resolve cache, sweep records), so [`Field::parse`] here is the
//! one place that reads a name back; it accepts exactly what [`Field`] renders and refuses
//! anything else, so a stored entry it cannot read is rescreened rather than believed.
//!
//! Equality, ordering and hashing follow the rendered name, as they did when the field was a
//! string: sorting and de-duplicating evidence gives the same order and the same survivors.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The field a piece of evidence came from.
#[derive(Debug, Clone)]
pub enum Field {
    // --- the package's manifest, as cargo resolved it ---
    /// `authors`
    Authors,
    /// `repository`
    Repository,
    /// `homepage`
    Homepage,
    /// `documentation`
    Documentation,
    /// `source`: the package's source URL.
    Source,
    /// `source path`: a path dependency's directory.
    SourcePath,
    /// `links`
    Links,
    /// `name`
    Name,
    /// `description`
    Description,
    /// `keywords`
    Keywords,
    /// `categories`
    Categories,
    /// `license`
    License,
    /// `metadata` (`None`) or `metadata.<path>`: a string under `package.metadata`.
    Metadata(Option<String>),

    // --- the package's files, read as text ---
    /// `notice`: a line a notice word governs.
    Notice,
    /// `notice file`: a line of a file that is a notice as a whole.
    NoticeFile,
    /// `trademark statement`
    TrademarkStatement,
    /// `text`: any other line.
    Text,
    /// `detection rule`: a line of a file that quotes names to detect them.
    DetectionRule,
    /// `web page`: a line of a saved web page.
    WebPage,
    /// `file name`: the name of a file (see `evidence::deep::names`).
    FileName,
    /// `directory name`: the name of a directory that holds shipped code.
    DirectoryName,
    /// `binary string` / `binary notice string`: raw strings of bytes of unknown structure.
    RawString { notice: bool },
    /// `<format> <key>`, `<format> <key> (integration)`: a recognised metadata field
    /// (a Java manifest's `Implementation-Vendor`, an npm `author`).
    Recognised {
        format: String,
        key: String,
        integration: bool,
    },
    /// `<kind> header <key>`: a header of a package format (`deb`, `rpm`, `cpio`; a Windows
    /// Installer's `msi`, `msp`, `mst`).
    PackageHeader { kind: String, key: String },
    /// `build-script <what>`: a link directive or URL in a build script's source.
    BuildScript(ScriptItem),
    /// `build script printed <key>`: a directive a build run printed.
    BuildPrinted(String),
    /// `build output <inner>`, `build output (ambiguous mapping) <inner>`: evidence in a build
    /// run's `OUT_DIR`.
    BuildOutput { ambiguous: bool, inner: Box<Field> },
    /// A string of a binary, named by where in the binary it was found.
    Binary(BinaryField),

    // --- the registry ---
    /// `crates.io owner user`, `crates.io publisher name`…: who owns or published the crate.
    Registry(RegistryField),

    // --- a bill of materials ---
    /// A field of an SBOM document, named as the document names it (`PackageOriginator`,
    /// `purl namespace`): any name the document format defines.
    Sbom(String),
}

/// What a build script's source says, as `build-script <what>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptItem {
    LinkLib,
    LinkSearch,
    LinkArg,
    /// A library a pkg-config or vcpkg probe finds (and links).
    Probe,
    /// An object or archive a `cc` build links in.
    Object,
    /// The header `bindgen` generates bindings to.
    Header,
    Url,
}

impl ScriptItem {
    /// Every item, for [`Field::parse`].
    const ALL: [ScriptItem; 7] = [
        ScriptItem::LinkLib,
        ScriptItem::LinkSearch,
        ScriptItem::LinkArg,
        ScriptItem::Probe,
        ScriptItem::Object,
        ScriptItem::Header,
        ScriptItem::Url,
    ];
}

impl ScriptItem {
    fn name(self) -> &'static str {
        match self {
            ScriptItem::LinkLib => "rustc-link-lib",
            ScriptItem::LinkSearch => "rustc-link-search",
            ScriptItem::LinkArg => "rustc-link-arg",
            ScriptItem::Probe => "library probe",
            ScriptItem::Object => "linked object",
            ScriptItem::Header => "bindgen header",
            ScriptItem::Url => "URL",
        }
    }
}

/// A registry field: `crates.io owner user|team[ name]`, `crates.io publisher[ name]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryField {
    pub who: RegistryWho,
    /// The display name (else the login or profile URL).
    pub name: bool,
}

/// Whom a registry field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryWho {
    OwnerUser,
    OwnerTeam,
    Publisher,
}

/// Where inside a binary a string was found: the fat slices and archive members it is nested
/// in, then the part of the innermost binary.
#[derive(Debug, Clone, Default)]
pub struct BinaryField {
    pub within: Vec<Nesting>,
    pub part: BinaryPart,
}

/// One level of nesting: `arch <arch>: ` or `archive member <name>: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nesting {
    Arch(String),
    Member(String),
}

/// The part of a binary a string comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinaryPart {
    /// `PE VERSIONINFO <key>`
    VersionInfo(String),
    /// `<table> (integration)`: a library the binary is or loads.
    Library(LibraryTable),
    /// `ELF DT_RUNPATH`, `ELF DT_RPATH`, `Mach-O LC_RPATH`: one directory the loader searches
    /// for the libraries the binary loads; `… (integration)` where a listed word leads one of
    /// its directories (see `evidence::deep::names`).
    RunPath {
        table: RunPathTable,
        integration: bool,
    },
    /// `<scheme> signer subject` (`Authenticode signer subject`): the subject of a certificate
    /// that signed the file.
    SignerSubject(SignatureScheme),
    /// `<scheme> certificate subject`: another certificate the signature carries (a chain's).
    CertificateSubject(SignatureScheme),
    /// `.NET metadata name`: a namespace or a referenced assembly's name that the vendor's name
    /// leads.
    DotNetName,
    /// `ELF .comment`
    ElfComment,
    /// `ELF note`
    ElfNote,
    /// `<format> .modinfo <key>`
    Modinfo { format: String, key: String },
    /// `<format> package note <key>`: a field of the package metadata a build stamped into the
    /// binary (an ELF `.note.package`, a PE `.pkgnote` section).
    PackageNote { format: String, key: String },
    /// `error`: an archive member that could not be inspected.
    MemberError,
    /// A needle hit among printable bytes (see [`HitPlace`]).
    Hit { place: HitPlace, utf16: bool },
}

impl Default for BinaryPart {
    fn default() -> Self {
        BinaryPart::Hit {
            place: HitPlace::Bare,
            utf16: false,
        }
    }
}

/// The signature a certificate subject was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureScheme {
    /// A PE's certificate table, or a Windows Installer's `DigitalSignature` stream.
    Authenticode,
    /// A detached CMS/PKCS #7 signature file: a JAR's `META-INF/*.RSA`, `.p7s`, a catalog.
    Cms,
    /// A Mach-O's `LC_CODE_SIGNATURE` (its CMS blob).
    MachO,
    /// An Android APK Signing Block (signature schemes v2, v3 and v3.1).
    Apk,
    /// A xar archive's signature (a macOS installer package): its table of contents'
    /// certificates, or its CMS signature.
    Xar,
}

impl SignatureScheme {
    fn name(self) -> &'static str {
        match self {
            SignatureScheme::Authenticode => "Authenticode",
            SignatureScheme::Cms => "CMS signature",
            SignatureScheme::MachO => "Mach-O code signature",
            SignatureScheme::Apk => "APK signature",
            SignatureScheme::Xar => "installer package signature",
        }
    }
    const ALL: [SignatureScheme; 5] = [
        SignatureScheme::Authenticode,
        SignatureScheme::Cms,
        SignatureScheme::MachO,
        SignatureScheme::Apk,
        SignatureScheme::Xar,
    ];
}

/// The table a library name was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryTable {
    PeImport,
    /// A DLL the linker was told to load on first call (`/DELAYLOAD`): its delay-load import
    /// directory, read as the ordinary import directory is.
    PeDelayImport,
    /// The DLL's own name in its export directory, fixed when it was linked.
    PeExport,
    ElfNeeded,
    ElfSoname,
    MachOIdDylib,
    MachOLoadDylib,
    /// A module a WebAssembly binary imports from (its import section), which the host must
    /// supply to instantiate it.
    WasmImport,
    /// A library a dynamically linked WebAssembly module needs (its `dylink.0` section).
    WasmDylinkNeeded,
}

impl LibraryTable {
    fn name(self) -> &'static str {
        match self {
            LibraryTable::PeImport => "PE import",
            LibraryTable::PeDelayImport => "PE delay-load import",
            LibraryTable::PeExport => "PE export name",
            LibraryTable::ElfNeeded => "ELF DT_NEEDED",
            LibraryTable::ElfSoname => "ELF DT_SONAME",
            LibraryTable::MachOIdDylib => "Mach-O LC_ID_DYLIB",
            LibraryTable::MachOLoadDylib => "Mach-O LC_LOAD_DYLIB",
            LibraryTable::WasmImport => "WebAssembly import module",
            LibraryTable::WasmDylinkNeeded => "WebAssembly dylink.0 needed",
        }
    }
    const ALL: [LibraryTable; 9] = [
        LibraryTable::PeImport,
        LibraryTable::PeDelayImport,
        LibraryTable::PeExport,
        LibraryTable::ElfNeeded,
        LibraryTable::ElfSoname,
        LibraryTable::MachOIdDylib,
        LibraryTable::MachOLoadDylib,
        LibraryTable::WasmImport,
        LibraryTable::WasmDylinkNeeded,
    ];
}

/// The load command or dynamic entry a run path was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunPathTable {
    ElfRpath,
    ElfRunpath,
    MachORpath,
    /// A dynamically linked WebAssembly module's `dylink.0` runtime path.
    WasmDylink,
}

impl RunPathTable {
    fn name(self) -> &'static str {
        match self {
            RunPathTable::ElfRpath => "ELF DT_RPATH",
            RunPathTable::ElfRunpath => "ELF DT_RUNPATH",
            RunPathTable::MachORpath => "Mach-O LC_RPATH",
            RunPathTable::WasmDylink => "WebAssembly dylink.0 runtime path",
        }
    }
    const ALL: [RunPathTable; 4] = [
        RunPathTable::ElfRpath,
        RunPathTable::ElfRunpath,
        RunPathTable::MachORpath,
        RunPathTable::WasmDylink,
    ];
}

/// Where a needle hit's string lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HitPlace {
    /// Not yet placed: `string`, `UTF-16 string`.
    Bare,
    /// Anywhere in the file: `string`, `PE string`, `… (UTF-16)`.
    Whole(Option<String>),
    /// In a section: `<format> <section> string`, `… UTF-16 string`.
    Section { format: String, name: String },
}

impl BinaryPart {
    /// A certificate subject (`CN=…, O=…`), read as one by the matcher.
    pub fn is_subject(&self) -> bool {
        matches!(
            self,
            BinaryPart::SignerSubject(_) | BinaryPart::CertificateSubject(_)
        )
    }

    /// Whether `text`, read from this part, is a URL to read as one: a WebAssembly import
    /// module that is one (`https://cdn.example.com/sdk/scan.mjs`), whose host says whose it is.
    pub fn holds_url(&self, text: &str) -> bool {
        matches!(self, BinaryPart::Library(LibraryTable::WasmImport)) && text.contains("://")
    }

    /// A needle hit found as UTF-16.
    pub fn is_utf16(&self) -> bool {
        matches!(self, BinaryPart::Hit { utf16: true, .. })
    }
}

impl BinaryField {
    pub fn new(within: &[Nesting], part: BinaryPart) -> Self {
        BinaryField {
            within: within.to_vec(),
            part,
        }
    }
}

impl fmt::Display for Nesting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Nesting::Arch(a) => write!(f, "arch {a}: "),
            Nesting::Member(m) => write!(f, "archive member {m}: "),
        }
    }
}

impl fmt::Display for BinaryPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BinaryPart::VersionInfo(k) => write!(f, "PE VERSIONINFO {k}"),
            BinaryPart::Library(t) => write!(f, "{} (integration)", t.name()),
            BinaryPart::RunPath { table, integration } => {
                f.write_str(table.name())?;
                if *integration {
                    f.write_str(" (integration)")?;
                }
                Ok(())
            }
            BinaryPart::SignerSubject(s) => write!(f, "{} signer subject", s.name()),
            BinaryPart::CertificateSubject(s) => write!(f, "{} certificate subject", s.name()),
            BinaryPart::DotNetName => f.write_str(".NET metadata name"),
            BinaryPart::ElfComment => f.write_str("ELF .comment"),
            BinaryPart::ElfNote => f.write_str("ELF note"),
            BinaryPart::Modinfo { format, key } => write!(f, "{format} .modinfo {key}"),
            BinaryPart::PackageNote { format, key } => write!(f, "{format} package note {key}"),
            BinaryPart::MemberError => f.write_str("error"),
            BinaryPart::Hit { place, utf16 } => match place {
                HitPlace::Bare if *utf16 => f.write_str("UTF-16 string"),
                HitPlace::Bare => f.write_str("string"),
                HitPlace::Whole(format) => {
                    if let Some(format) = format {
                        write!(f, "{format} ")?;
                    }
                    f.write_str(if *utf16 { "string (UTF-16)" } else { "string" })
                }
                HitPlace::Section { format, name } => write!(
                    f,
                    "{format} {name} {}",
                    if *utf16 { "UTF-16 string" } else { "string" }
                ),
            },
        }
    }
}

impl fmt::Display for BinaryField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.within {
            n.fmt(f)?;
        }
        self.part.fmt(f)
    }
}

impl fmt::Display for RegistryField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.who {
            RegistryWho::OwnerUser => "crates.io owner user",
            RegistryWho::OwnerTeam => "crates.io owner team",
            RegistryWho::Publisher => "crates.io publisher",
        })?;
        if self.name {
            f.write_str(" name")?;
        }
        Ok(())
    }
}

impl Field {
    /// The name of a field that has no variable part.
    fn fixed(&self) -> Option<&'static str> {
        Some(match self {
            Field::Authors => "authors",
            Field::Repository => "repository",
            Field::Homepage => "homepage",
            Field::Documentation => "documentation",
            Field::Source => "source",
            Field::SourcePath => "source path",
            Field::Links => "links",
            Field::Name => "name",
            Field::Description => "description",
            Field::Keywords => "keywords",
            Field::Categories => "categories",
            Field::License => "license",
            Field::Metadata(None) => "metadata",
            Field::Notice => "notice",
            Field::NoticeFile => "notice file",
            Field::TrademarkStatement => "trademark statement",
            Field::Text => "text",
            Field::DetectionRule => "detection rule",
            Field::WebPage => "web page",
            Field::FileName => "file name",
            Field::DirectoryName => "directory name",
            Field::RawString { notice: false } => "binary string",
            Field::RawString { notice: true } => "binary notice string",
            _ => return None,
        })
    }

    /// Every field without a variable part, for [`Field::parse`].
    const FIXED: [Field; 23] = [
        Field::Authors,
        Field::Repository,
        Field::Homepage,
        Field::Documentation,
        Field::Source,
        Field::SourcePath,
        Field::Links,
        Field::Name,
        Field::Description,
        Field::Keywords,
        Field::Categories,
        Field::License,
        Field::Metadata(None),
        Field::Notice,
        Field::NoticeFile,
        Field::TrademarkStatement,
        Field::Text,
        Field::DetectionRule,
        Field::WebPage,
        Field::FileName,
        Field::DirectoryName,
        Field::RawString { notice: false },
        Field::RawString { notice: true },
    ];

    /// The rendered name, borrowed where it has no variable part.
    pub fn name(&self) -> Cow<'static, str> {
        match self.fixed() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(Render(self).to_string()),
        }
    }

    /// A field the registry reports (`crates.io …`): who owns or published the crate.
    pub fn registry(&self) -> Option<RegistryField> {
        match self {
            Field::Registry(r) => Some(*r),
            _ => None,
        }
    }

    /// The `Cargo.toml` key a manifest field is written under, to find its line:
    /// `metadata.x.y` → `x`, `source`/`source path` → `name` (the package's own line). Any other
    /// field is looked for under its rendered name, which no manifest key spells.
    pub fn manifest_key(&self) -> Cow<'static, str> {
        match self {
            Field::Metadata(Some(path)) => {
                Cow::Owned(path.split('.').next().unwrap_or_default().to_string())
            }
            Field::Source | Field::SourcePath => Cow::Borrowed("name"),
            f => f.name(),
        }
    }

    /// Reads a rendered name back: the one parser of field names. The result always renders
    /// to `s` again; a name no field renders is refused. Every field with a fixed name, and
    /// every registry, manifest, build and binary field, comes back as itself. A recognised
    /// field's format is free text, so any other name of two or more words reads as one (split
    /// after a known format, else at its first space): such a field only names where it was
    /// found, and no question asked of a field depends on how it is split.
    pub fn parse(s: &str) -> Option<Field> {
        let f = Self::parse_loose(s)?;
        (f.name() == s).then_some(f)
    }

    /// A string of a binary: where in the binary it was found.
    pub fn binary(&self) -> Option<&BinaryField> {
        match self {
            Field::Binary(b) => Some(b),
            _ => None,
        }
    }

    fn parse_loose(s: &str) -> Option<Field> {
        if let Some(f) = Self::FIXED.iter().find(|f| f.fixed() == Some(s)) {
            return Some(f.clone());
        }
        if let Some(path) = s.strip_prefix("metadata.") {
            return Some(Field::Metadata(Some(path.to_string())));
        }
        if let Some(r) = parse_registry(s) {
            return Some(Field::Registry(r));
        }
        if let Some(inner) = s.strip_prefix("build output (ambiguous mapping) ") {
            return Some(Field::BuildOutput {
                ambiguous: true,
                inner: Box::new(Field::parse(inner)?),
            });
        }
        if let Some(inner) = s.strip_prefix("build output ") {
            return Some(Field::BuildOutput {
                ambiguous: false,
                inner: Box::new(Field::parse(inner)?),
            });
        }
        if let Some(key) = s.strip_prefix("build script printed ") {
            return Some(Field::BuildPrinted(key.to_string()));
        }
        if let Some(what) = s.strip_prefix("build-script ") {
            return ScriptItem::ALL
                .into_iter()
                .find(|i| i.name() == what)
                .map(Field::BuildScript);
        }
        if let Some(b) = parse_binary(s) {
            return Some(Field::Binary(b));
        }
        if let Some((kind, key)) = s.split_once(" header ")
            && matches!(kind, "deb" | "rpm" | "cpio" | "msi" | "msp" | "mst")
        {
            return Some(Field::PackageHeader {
                kind: kind.to_string(),
                key: key.to_string(),
            });
        }
        // A recognised field: the format is the known one it starts with, else its first word.
        let (rest, integration) = match s.strip_suffix(" (integration)") {
            Some(r) => (r, true),
            None => (s, false),
        };
        let (format, key) =
            <crate::evidence::recognise::MetadataFormat as crate::named::Named>::NAMES
                .iter()
                .find_map(|f| {
                    rest.strip_prefix(f)
                        .and_then(|k| k.strip_prefix(' '))
                        .map(|k| (*f, k))
                })
                .or_else(|| rest.split_once(' '))?;
        Some(Field::Recognised {
            format: format.to_string(),
            key: key.to_string(),
            integration,
        })
    }
}

fn parse_registry(s: &str) -> Option<RegistryField> {
    let rest = s.strip_prefix("crates.io ")?;
    let (rest, name) = match rest.strip_suffix(" name") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let who = match rest {
        "owner user" => RegistryWho::OwnerUser,
        "owner team" => RegistryWho::OwnerTeam,
        "publisher" => RegistryWho::Publisher,
        _ => return None,
    };
    Some(RegistryField { who, name })
}

fn parse_binary(s: &str) -> Option<BinaryField> {
    let mut within = Vec::new();
    let mut rest = s;
    loop {
        if let Some(r) = rest.strip_prefix("arch ")
            && let Some((a, r)) = r.split_once(": ")
        {
            within.push(Nesting::Arch(a.to_string()));
            rest = r;
        } else if let Some(r) = rest.strip_prefix("archive member ")
            && let Some((m, r)) = r.split_once(": ")
        {
            within.push(Nesting::Member(m.to_string()));
            rest = r;
        } else {
            break;
        }
    }
    let part = parse_binary_part(rest)?;
    Some(BinaryField { within, part })
}

fn parse_binary_part(s: &str) -> Option<BinaryPart> {
    let run_paths = RunPathTable::ALL.into_iter().flat_map(|table| {
        [false, true].map(|integration| BinaryPart::RunPath { table, integration })
    });
    let fixed = [
        BinaryPart::DotNetName,
        BinaryPart::ElfComment,
        BinaryPart::ElfNote,
        BinaryPart::MemberError,
    ];
    if let Some(p) = fixed
        .into_iter()
        .chain(run_paths)
        .find(|p| p.to_string() == s)
    {
        return Some(p);
    }
    for scheme in SignatureScheme::ALL {
        if let Some(who) = s.strip_prefix(scheme.name()) {
            match who {
                " signer subject" => return Some(BinaryPart::SignerSubject(scheme)),
                " certificate subject" => return Some(BinaryPart::CertificateSubject(scheme)),
                _ => {}
            }
        }
    }
    if let Some(k) = s.strip_prefix("PE VERSIONINFO ") {
        return Some(BinaryPart::VersionInfo(k.to_string()));
    }
    if let Some(t) = s.strip_suffix(" (integration)") {
        return LibraryTable::ALL
            .into_iter()
            .find(|l| l.name() == t)
            .map(BinaryPart::Library);
    }
    const FORMATS: [&str; 4] = ["PE", "ELF", "Mach-O", "COFF"];
    let hit = |place, utf16| Some(BinaryPart::Hit { place, utf16 });
    match s {
        "string" => return hit(HitPlace::Whole(None), false),
        "string (UTF-16)" => return hit(HitPlace::Whole(None), true),
        _ => {}
    }
    let (format, rest) = s.split_once(' ')?;
    if !FORMATS.contains(&format) {
        return None;
    }
    let format = format.to_string();
    match rest {
        "string" => return hit(HitPlace::Whole(Some(format)), false),
        "string (UTF-16)" => return hit(HitPlace::Whole(Some(format)), true),
        _ => {}
    }
    if let Some(key) = rest.strip_prefix(".modinfo ") {
        return Some(BinaryPart::Modinfo {
            format,
            key: key.to_string(),
        });
    }
    if let Some(key) = rest.strip_prefix("package note ") {
        return Some(BinaryPart::PackageNote {
            format,
            key: key.to_string(),
        });
    }
    if let Some(name) = rest.strip_suffix(" UTF-16 string") {
        let name = name.to_string();
        return hit(HitPlace::Section { format, name }, true);
    }
    let name = rest.strip_suffix(" string")?.to_string();
    hit(HitPlace::Section { format, name }, false)
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.name())
    }
}

/// Writes a field's name (what [`Field::name`] returns and `Display` pads).
struct Render<'a>(&'a Field);

impl fmt::Display for Render<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.0.fixed() {
            return f.write_str(s);
        }
        match self.0 {
            Field::Metadata(Some(path)) => write!(f, "metadata.{path}"),
            Field::Recognised {
                format,
                key,
                integration,
            } => {
                write!(f, "{format} {key}")?;
                if *integration {
                    f.write_str(" (integration)")?;
                }
                Ok(())
            }
            Field::PackageHeader { kind, key } => write!(f, "{kind} header {key}"),
            Field::BuildScript(what) => write!(f, "build-script {}", what.name()),
            Field::BuildPrinted(key) => write!(f, "build script printed {key}"),
            Field::BuildOutput { ambiguous, inner } => {
                f.write_str(if *ambiguous {
                    "build output (ambiguous mapping) "
                } else {
                    "build output "
                })?;
                Render(inner).fmt(f)
            }
            Field::Binary(b) => b.fmt(f),
            Field::Registry(r) => r.fmt(f),
            Field::Sbom(name) => f.write_str(name),
            _ => unreachable!("every field without a variable part has a fixed name"),
        }
    }
}

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Field {}

impl PartialOrd for Field {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Field {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.name().cmp(&other.name())
    }
}

impl std::hash::Hash for Field {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        Field::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown evidence field `{s}`")))
    }
}

/// Like [`Field`], by the rendered name: strings of a binary sort and de-duplicate as they did.
impl PartialEq for BinaryField {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for BinaryField {}

impl PartialOrd for BinaryField {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BinaryField {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string())
    }
}

/// Test shorthand: a field by its rendered name; a name no field renders stands for an SBOM
/// document's field (any name).
#[cfg(test)]
impl From<&str> for Field {
    fn from(s: &str) -> Field {
        Field::parse(s).unwrap_or_else(|| Field::Sbom(s.to_string()))
    }
}

#[cfg(test)]
impl PartialEq<&str> for Field {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

#[cfg(test)]
impl PartialEq<str> for Field {
    fn eq(&self, other: &str) -> bool {
        self.name() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_field_round_trips_through_its_name() {
        let nest = vec![
            Nesting::Arch("X86_64".into()),
            Nesting::Member("kav.o".into()),
        ];
        let bin = |part| Field::Binary(BinaryField::new(&nest, part));
        let mut fields: Vec<Field> = Field::FIXED.to_vec();
        fields.extend([
            Field::Metadata(Some("vendor.company".into())),
            Field::Metadata(Some(String::new())),
            Field::Recognised {
                format: "Java manifest".into(),
                key: "Implementation-Vendor".into(),
                integration: false,
            },
            Field::Recognised {
                format: "Go module".into(),
                key: "require".into(),
                integration: true,
            },
            Field::PackageHeader {
                kind: "deb".into(),
                key: "Maintainer".into(),
            },
            Field::PackageHeader {
                kind: "msi".into(),
                key: "Manufacturer".into(),
            },
        ]);
        fields.extend(ScriptItem::ALL.map(Field::BuildScript));
        fields.extend([
            Field::BuildPrinted("rustc-link-lib".into()),
            Field::BuildOutput {
                ambiguous: true,
                inner: Box::new(Field::Notice),
            },
            Field::BuildOutput {
                ambiguous: false,
                inner: Box::new(bin(BinaryPart::SignerSubject(
                    SignatureScheme::Authenticode,
                ))),
            },
            bin(BinaryPart::VersionInfo("CompanyName".into())),
            bin(BinaryPart::Library(LibraryTable::MachOLoadDylib)),
            bin(BinaryPart::Library(LibraryTable::WasmImport)),
            bin(BinaryPart::Library(LibraryTable::WasmDylinkNeeded)),
            bin(BinaryPart::RunPath {
                table: RunPathTable::WasmDylink,
                integration: true,
            }),
            bin(BinaryPart::RunPath {
                table: RunPathTable::ElfRunpath,
                integration: false,
            }),
            bin(BinaryPart::RunPath {
                table: RunPathTable::ElfRpath,
                integration: true,
            }),
            bin(BinaryPart::RunPath {
                table: RunPathTable::MachORpath,
                integration: true,
            }),
            bin(BinaryPart::CertificateSubject(
                SignatureScheme::Authenticode,
            )),
            bin(BinaryPart::SignerSubject(SignatureScheme::Cms)),
            bin(BinaryPart::CertificateSubject(SignatureScheme::MachO)),
            bin(BinaryPart::SignerSubject(SignatureScheme::MachO)),
            bin(BinaryPart::DotNetName),
            bin(BinaryPart::ElfComment),
            bin(BinaryPart::ElfNote),
            bin(BinaryPart::MemberError),
            bin(BinaryPart::Modinfo {
                format: "ELF".into(),
                key: "author".into(),
            }),
            bin(BinaryPart::PackageNote {
                format: "PE".into(),
                key: "maintainer".into(),
            }),
            bin(BinaryPart::Hit {
                place: HitPlace::Whole(None),
                utf16: true,
            }),
            bin(BinaryPart::Hit {
                place: HitPlace::Whole(Some("PE".into())),
                utf16: false,
            }),
            bin(BinaryPart::Hit {
                place: HitPlace::Section {
                    format: "ELF".into(),
                    name: ".rodata".into(),
                },
                utf16: true,
            }),
            Field::Registry(RegistryField {
                who: RegistryWho::OwnerTeam,
                name: true,
            }),
            Field::Registry(RegistryField {
                who: RegistryWho::Publisher,
                name: false,
            }),
        ]);
        for f in fields {
            let name = f.to_string();
            let back = Field::parse(&name).unwrap_or_else(|| panic!("{name} does not parse"));
            assert_eq!(back.to_string(), name);
            assert_eq!(
                std::mem::discriminant(&back),
                std::mem::discriminant(&f),
                "{name}"
            );
            assert_eq!(back.registry(), f.registry());
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, serde_json::to_string(&name).unwrap());
            assert_eq!(serde_json::from_str::<Field>(&json).unwrap(), f);
        }
        assert_eq!(
            Field::parse("arch X86_64: archive member kav.o: Authenticode signer subject"),
            Some(bin(BinaryPart::SignerSubject(
                SignatureScheme::Authenticode
            )))
        );
    }

    #[test]
    fn unknown_names_are_refused() {
        for s in ["", "signer", "build-script rustc-env", "PE"] {
            assert!(Field::parse(s).is_none(), "{s}");
            assert!(serde_json::from_str::<Field>(&format!("\"{s}\"")).is_err());
        }
    }

    /// The scan cache stores evidence under its field's rendered name; a name no field renders
    /// (a file edited by hand, or written by another version) is not believed: rescanned.
    #[test]
    fn a_cached_scan_whose_field_does_not_parse_is_not_believed() {
        use crate::cache::scan::Cache;
        use crate::evidence::scan::PackageScan;
        use crate::evidence::{Evidence, Role, Shape};
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("c.json")).unwrap();
        let open = || Cache::open(Some(path.clone()), "s");
        let ev = Evidence::new(Field::Notice, Role::Attribution, Shape::Text, "Copyright X");
        let scan = PackageScan {
            evidence: vec![ev.clone()],
            ..PackageScan::default()
        };
        let c = open();
        c.put("k".into(), &scan);
        c.save().unwrap();
        assert_eq!(open().get("k").unwrap().evidence, [ev]);
        // The entry's own file in the cache directory.
        let file = walkdir::WalkDir::new(&path)
            .into_iter()
            .flatten()
            .find(|e| e.file_name() == "k")
            .expect("the entry's file")
            .into_path();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("\"field\":\"notice\""), "{text}");
        std::fs::write(&file, text.replace("\"notice\"", "\"nonesuch\"")).unwrap();
        assert!(open().get("k").is_none());
    }

    #[test]
    fn manifest_keys() {
        let key = |f: Field| f.manifest_key().into_owned();
        assert_eq!(
            key(Field::Metadata(Some("vendor.company".into()))),
            "vendor"
        );
        assert_eq!(key(Field::Metadata(None)), "metadata");
        assert_eq!(key(Field::SourcePath), "name");
        assert_eq!(key(Field::Repository), "repository");
    }
}
