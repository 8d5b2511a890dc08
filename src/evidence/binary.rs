//! Evidence stage, binaries: the bytes of one PE, ELF, Mach-O or static archive → vendor strings.
//!
//! Structured vendor metadata is returned whole (PE version-info strings, Authenticode
//! certificate subjects, ELF `.comment`, `DT_NEEDED`/`DT_SONAME`, notes, Mach-O dylib load
//! commands), because it is small and says who made the file. From the rest of the file only
//! the strings around a prefilter hit are extracted, in UTF-8 and UTF-16LE. Parsing is done
//! by `object` and `pelite`; certificates by `cms`/`x509-cert`. Signatures are *not* verified:
//! a subject naming a listed entity is evidence whether or not the signature is valid.

use std::collections::BTreeSet;

use object::read::elf::{ElfFile, FileHeader, SectionHeader};
use object::read::macho::{MachHeader, MachOFile};
use object::{Endianness, Object, ObjectSection};

use super::budget::PackageBudget;
use super::field::{
    BinaryField, BinaryPart, HitPlace, LibraryTable, Nesting, RunPathTable, SignatureScheme,
};
use super::needles::Needles;

/// What a file is, by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pe,
    Elf,
    MachO,
    MachOFat,
    /// `!<arch>` static archive (`.a`, `.lib`).
    StaticArchive,
    /// `\0asm`: a WebAssembly module or component.
    Wasm,
    Zip,
    Tar,
    Gzip,
    Other,
}

/// Recognises a file by its magic bytes, never by its extension.
pub fn sniff(b: &[u8]) -> FileKind {
    let be32 = |o: usize| {
        b.get(o..o + 4)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    };
    if b.starts_with(b"MZ") {
        let pe = le_u32(b, 0x3c)
            .and_then(|off| b.get(off as usize..(off as usize).checked_add(4)?))
            == Some(b"PE\0\0");
        if pe {
            return FileKind::Pe;
        }
    }
    if b.starts_with(b"\x7fELF") {
        return FileKind::Elf;
    }
    match be32(0) {
        Some(0xFEED_FACE | 0xFEED_FACF | 0xCEFA_EDFE | 0xCFFA_EDFE) => return FileKind::MachO,
        // Java class files share CAFEBABE; their next word (a version) is far larger than any
        // plausible count of architectures.
        Some(0xCAFE_BABE | 0xCAFE_BABF) if be32(4).is_some_and(|n| (1..=32).contains(&n)) => {
            return FileKind::MachOFat;
        }
        _ => {}
    }
    if b.starts_with(b"!<arch>\n") {
        return FileKind::StaticArchive;
    }
    if b.starts_with(b"\0asm") {
        return FileKind::Wasm;
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        return FileKind::Zip;
    }
    if b.starts_with(&[0x1f, 0x8b]) {
        return FileKind::Gzip;
    }
    if b.get(257..262) == Some(b"ustar") {
        return FileKind::Tar;
    }
    FileKind::Other
}

/// A string found in a binary, with the field it came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BinaryString {
    /// `PE VERSIONINFO CompanyName`, `Authenticode signer subject`, `ELF .rodata string`…
    pub field: BinaryField,
    pub text: String,
    /// Says who made the file (vendor fields, signers, notices) rather than mentioning someone.
    pub attribution: bool,
    pub offset: Option<u64>,
}

/// What [`inspect_binary`] found.
#[derive(Debug, Clone, Default)]
pub struct BinaryReport {
    pub strings: Vec<BinaryString>,
    /// Members of a static archive walked (one in which a needle occurs).
    pub members: usize,
    /// The names of those members, each once (`kavsdk_engine.o`; a member of a member as
    /// `inner.a!x.o`), and whether it is an object file (code linked in, as a shipped file is):
    /// their names are read as the names of a zip's members are.
    pub member_names: Vec<(String, bool)>,
    /// The work spent on this binary so far (see [`Work`]).
    work: Work,
}

/// The work one binary may cost, whatever its headers claim: a fat Mach-O nested four deep with
/// 32 slices each asks for a million inspections, an ELF whose 60,000 sections each cover the
/// whole file for 60,000 reads of it. Past either bound the inspection stops with
/// [`InspectError::Limit`], so the file is listed as not fully scanned (and its raw strings are
/// still read once).
#[derive(Debug, Clone, Default)]
struct Work {
    /// Binaries, fat slices and archive members inspected.
    inspected: u64,
    /// Bytes of sections and slices examined.
    examined: u64,
    /// The bound on `examined`: a few times the file's size.
    max_examined: u64,
}

/// Most binaries, slices and members inspected within one file. Real import libraries run to
/// about 22,000 members (the `windows-*` crates' `windows.0.53.0.lib`); a nested fat Mach-O of
/// 32 slices four levels deep asks for a million.
const MAX_INSPECTIONS: u64 = 100_000;
/// How many times its own size the sections of one file may make the inspection read (legit
/// binaries' sections cover each byte about once), plus a fixed allowance.
const EXAMINED_PER_BYTE: u64 = 4;
const EXAMINED_ALLOWANCE: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("truncated or malformed {kind} file: {detail}")]
    Malformed { kind: &'static str, detail: String },
    #[error("{0}")]
    Limit(String),
}

fn malformed(kind: &'static str, e: impl std::fmt::Display) -> InspectError {
    InspectError::Malformed {
        kind,
        detail: e.to_string(),
    }
}

/// Most strings kept from one file.
const MAX_STRINGS: usize = 10_000;
/// Longest string kept, in characters.
const MAX_STRING_CHARS: usize = 512;
/// Depth of archives and fat binaries inside each other.
const MAX_NESTING: u32 = 4;

/// Words that make a string a notice (attribution) rather than a mention: the text scan's
/// notice words ([`super::notice::NOTICE_BEFORE`]: `copyright`, `licensed by`, `LicenseRef-`,
/// `developed by`, `powered by`… in the languages of the names a list holds in other scripts),
/// and these, which follow the holder's name (`… All rights reserved`). One list for both
/// scans, so a string reads the same in a binary and in a text file (a Japanese program's
/// `…の著作権は…に帰属します`, a `Developed by …` string, were mentions in binaries).
const NOTICE: &[&str] = &[
    "all rights reserved",
    "права защищены",
    "に帰属します",
    "권리 보유",
];

pub fn is_notice(s: &str) -> bool {
    let l = s.to_lowercase();
    NOTICE
        .iter()
        .chain(super::notice::NOTICE_BEFORE)
        .any(|w| l.contains(w))
}

/// Inspects one binary, charging it (and every fat slice and archive member inside it) to the
/// package's `budget`.
pub fn inspect_binary(
    bytes: &[u8],
    needles: &Needles,
    budget: &PackageBudget,
) -> Result<BinaryReport, InspectError> {
    let mut report = BinaryReport::default();
    report.work.max_examined = (bytes.len() as u64)
        .saturating_mul(EXAMINED_PER_BYTE)
        .saturating_add(EXAMINED_ALLOWANCE);
    inspect_into(bytes, needles, &[], 0, budget, &mut report)?;
    report.strings.sort();
    report
        .strings
        .dedup_by(|a, b| a.field == b.field && a.text == b.text);
    report.strings.truncate(MAX_STRINGS);
    // Each name once, an object member's first.
    report
        .member_names
        .sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    report.member_names.dedup_by(|a, b| a.0 == b.0);
    Ok(report)
}

fn inspect_into(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    depth: u32,
    budget: &PackageBudget,
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    if depth > MAX_NESTING {
        return Err(InspectError::Limit(format!(
            "binaries nested deeper than {MAX_NESTING}"
        )));
    }
    r.work.inspected += 1;
    if r.work.inspected > MAX_INSPECTIONS {
        return Err(InspectError::Limit(format!(
            "more than {MAX_INSPECTIONS} binaries, slices and members inside one file: the rest not inspected"
        )));
    }
    budget
        .take_binary()
        .map_err(|why| InspectError::Limit(format!("{why}: the rest not inspected")))?;
    match sniff(bytes) {
        FileKind::Pe => pe(bytes, needles, prefix, r),
        FileKind::Elf => elf(bytes, needles, prefix, r),
        FileKind::MachO => macho(bytes, needles, prefix, r),
        FileKind::MachOFat => fat(bytes, needles, prefix, depth, budget, r),
        FileKind::StaticArchive => ar(bytes, needles, prefix, depth, budget, r),
        // wasmparser is fuzzed upstream; a panic in it on hostile input would still only make
        // the file malformed, as pelite's do.
        FileKind::Wasm => quietly(|| wasm(bytes, prefix, r))
            .unwrap_or_else(|| Err(malformed("WebAssembly", "its sections could not be parsed"))),
        _ => {
            // A COFF object (no magic of its own) or anything else: sections if `object`
            // understands it, raw strings otherwise.
            match object::File::parse(bytes) {
                Ok(file) => sections(bytes, &file, "COFF", needles, prefix, r)?,
                Err(_) => push_hits(bytes, needles, prefix, None, r),
            }
            Ok(())
        }
    }
}

fn push(
    r: &mut BinaryReport,
    field: BinaryField,
    text: &str,
    attribution: bool,
    offset: Option<u64>,
) {
    let text: String = text.trim().chars().take(MAX_STRING_CHARS).collect();
    if !text.is_empty() && r.strings.len() < MAX_STRINGS {
        r.strings.push(BinaryString {
            field,
            text,
            attribution,
            offset,
        });
    }
}

/// A library the binary is (`SONAME`, `LC_ID_DYLIB`) or loads (`DT_NEEDED`, `LC_LOAD_DYLIB`, a PE
/// import): recorded as the loader writes it, and matched as the product its stem names
/// (`libkavsdk.so.8` → `kavsdk`, `KAVSDK.framework/Versions/A/KAVSDK` → `KAVSDK`). Either says
/// the binary cannot run without that library: attribution, not a mention.
fn push_library(r: &mut BinaryReport, prefix: &[Nesting], table: LibraryTable, name: &str) {
    let stem = crate::evidence::recognise::library_stem(name);
    let text = if stem.is_empty() || stem == name {
        name.to_string()
    } else {
        format!("{stem} ({name})")
    };
    let field = BinaryField::new(prefix, BinaryPart::Library(table));
    push(r, field, &text, true, None);
}

/// A directory the loader searches for the libraries the binary loads (an ELF `DT_RUNPATH` or
/// `DT_RPATH` entry, a Mach-O `LC_RPATH`), as written (`$ORIGIN/../lib`, `@loader_path/../lib`):
/// a mention here. The deep scan reads its directories' names as a shipped file's directories
/// are read, and makes it integration where a listed word leads one (`/opt/kaspersky/lib`).
fn push_run_path(r: &mut BinaryReport, prefix: &[Nesting], table: RunPathTable, dir: &str) {
    let part = BinaryPart::RunPath {
        table,
        integration: false,
    };
    push(r, BinaryField::new(prefix, part), dir, false, None);
}

// --- PE ---------------------------------------------------------------------------------------

/// Version-info keys, and whether each says who made the file.
const VERSION_KEYS: &[(&str, bool)] = &[
    ("CompanyName", true),
    ("LegalCopyright", true),
    ("LegalTrademarks", true),
    ("ProductName", false),
    ("FileDescription", false),
    ("OriginalFilename", false),
    ("InternalName", false),
];

fn pe(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    // pelite reads structures in place and needs 8-byte alignment: copy into aligned storage,
    // and refuse headers that would put its casts out of line (it checks too little of them).
    if !pe_headers_aligned(bytes) {
        return Err(malformed(
            "PE",
            "headers not aligned as the format requires",
        ));
    }
    let aligned = Aligned::new(bytes);
    let file = pelite::PeFile::from_bytes(aligned.bytes()).map_err(|e| malformed("PE", e))?;
    // pelite checks alignment against addresses and section-relative offsets, which match the
    // bytes' alignment only if every section's file offset agrees with its address modulo 8
    // and the resource directory starts 8-aligned; otherwise its casts would be misaligned
    // (undefined behaviour, found by fuzzing). No linker writes such a file: read it raw.
    let consistent = file
        .section_headers()
        .iter()
        .all(|s| s.SizeOfRawData == 0 || s.PointerToRawData % 8 == s.VirtualAddress % 8);
    let resources_aligned = file
        .data_directory()
        .get(pelite::image::IMAGE_DIRECTORY_ENTRY_RESOURCE)
        .filter(|d| d.VirtualAddress != 0)
        .and_then(|d| file.slice_bytes(d.VirtualAddress).ok())
        .is_none_or(|b| (b.as_ptr() as usize).is_multiple_of(8));
    if !consistent || !resources_aligned {
        return Err(malformed(
            "PE",
            "sections or resources at file offsets not aligned like their addresses",
        ));
    }
    // pelite is not panic-free on hostile input (its version-info parser slices out of range,
    // found by fuzzing): a panic in it makes the file malformed, read as raw strings.
    let cert_range = pe_security_range(bytes);
    let structured = quietly(|| -> Result<(), InspectError> {
        if let Ok(resources) = file.resources()
            && let Ok(vi) = resources.version_info()
        {
            let info = vi.file_info();
            let mut langs: Vec<_> = info.strings.iter().collect();
            langs.sort_by_key(|(l, _)| (l.lang_id, l.charset_id));
            for (_, table) in langs {
                for (key, attribution) in VERSION_KEYS {
                    if let Some(v) = table.get(*key) {
                        push(
                            r,
                            BinaryField::new(prefix, BinaryPart::VersionInfo(key.to_string())),
                            v,
                            *attribution,
                            None,
                        );
                    }
                }
            }
        }
        // A .NET assembly's namespaces and the assemblies it references, where the vendor's
        // name leads them (`Example.Sdk.Scanning`): its code, or code it loads.
        for name in dotnet_names(file, needles) {
            push(
                r,
                BinaryField::new(prefix, BinaryPart::DotNetName),
                &name,
                true,
                None,
            );
        }
        if let Ok(imports) = file.imports() {
            for desc in imports {
                if let Ok(name) = desc.dll_name() {
                    push_library(r, prefix, LibraryTable::PeImport, &name.to_string());
                }
            }
        }
        for name in delay_imports(file) {
            push_library(r, prefix, LibraryTable::PeDelayImport, &name);
        }
        if let Some(note) = file
            .section_headers()
            .by_name(".pkgnote")
            .and_then(|s| file.get_section_bytes(s).ok())
        {
            push_package_note(r, prefix, "PE", note, needles);
        }
        // The DLL's own name, as the linker wrote it into the export directory: a renamed file
        // with its version information stripped still says what library it is (as an ELF's
        // `SONAME` does).
        if let Ok(name) = file.exports().and_then(|e| e.dll_name()) {
            push_library(r, prefix, LibraryTable::PeExport, &name.to_string());
        }
        // pelite adds the table's offset and size in 32 bits unchecked: only a table that fits.
        if let Some(sec) = cert_range
            .as_ref()
            .filter(|c| c.end <= u64::from(u32::MAX))
            .and_then(|_| file.security().ok())
            && sec.certificate_type() == pelite::image::WIN_CERT_TYPE_PKCS_SIGNED_DATA
        {
            push_signature(
                r,
                prefix,
                SignatureScheme::Authenticode,
                sec.certificate_data(),
            )
            .map_err(|e| malformed("Authenticode", e))?;
        }
        Ok(())
    });
    structured.unwrap_or_else(|| Err(malformed("PE", "its structures could not be parsed")))?;
    // Raw strings: not inside the certificate table (its DER was read structurally above), and
    // not the version-info values again.
    let structured: BTreeSet<String> = r.strings.iter().map(|s| s.text.clone()).collect();
    let before = r.strings.len();
    push_hits(bytes, needles, prefix, Some("PE"), r);
    let mut i = before;
    while i < r.strings.len() {
        let s = &r.strings[i];
        let in_cert = s
            .offset
            .is_some_and(|o| cert_range.as_ref().is_some_and(|c| c.contains(&o)));
        if in_cert || structured.contains(&s.text) {
            r.strings.remove(i);
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// Runs `f`, turning a panic inside it (a parsing crate's bug met with hostile input) into
/// `None`. The panic is not printed; panics anywhere else are, as before.
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    use std::cell::Cell;
    thread_local! {
        static QUIET: Cell<bool> = const { Cell::new(false) };
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info)
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.ok()
}

/// The most descriptors read from one delay-load import directory.
const MAX_DELAY_IMPORTS: usize = 1024;

/// The DLLs a PE loads on first call (`/DELAYLOAD:x.dll`): the names its delay-load import
/// directory lists (`IMAGE_DELAYLOAD_DESCRIPTOR`s of 32 bytes, up to an all-zero one; the name
/// is the second word). pelite reads only the ordinary import directory. A descriptor whose
/// attributes lack bit 0 is of the old form (Visual C++ 6), whose addresses are virtual
/// addresses rather than RVAs.
fn delay_imports(file: pelite::PeFile<'_>) -> Vec<String> {
    let Some(table) = file
        .data_directory()
        .get(pelite::image::IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT)
        .filter(|d| d.VirtualAddress != 0)
        .and_then(|d| file.slice_bytes(d.VirtualAddress).ok())
    else {
        return Vec::new();
    };
    let image_base = match file.optional_header() {
        pelite::Wrap::T32(h) => u64::from(h.ImageBase),
        pelite::Wrap::T64(h) => h.ImageBase,
    };
    let mut out = Vec::new();
    for d in table.chunks_exact(32).take(MAX_DELAY_IMPORTS) {
        let (Some(attributes), Some(name)) = (le_u32(d, 0), le_u32(d, 4)) else {
            break;
        };
        if name == 0 {
            break;
        }
        let rva = if attributes & 1 == 1 {
            Some(name)
        } else {
            u64::from(name)
                .checked_sub(image_base)
                .and_then(|r| u32::try_from(r).ok())
        };
        if let Some(s) = rva.and_then(|rva| file.derva_c_str(rva).ok()) {
            out.push(s.to_string());
        }
    }
    out
}

/// The most names read from one assembly's string heap.
const MAX_DOTNET_NAMES: usize = 64;

/// The dotted names in a .NET assembly's `#Strings` heap whose first part holds a needle: its
/// namespaces and the names of the assemblies it references (`Example.Sdk`, `Example.Sdk.Scan`),
/// which by .NET's convention begin with the company's name. A name the vendor's name only ends
/// (`MultiScan.Engines.Example`: another product's adapter for it) is not one. Read from the CLI
/// header's metadata root (ECMA-335 II.24.2): its stream headers, then the heap.
fn dotnet_names(file: pelite::PeFile<'_>, needles: &Needles) -> Vec<String> {
    let heap = || -> Option<&[u8]> {
        let dir = file
            .data_directory()
            .get(pelite::image::IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR)
            .filter(|d| d.VirtualAddress != 0)?;
        let cor = file.slice_bytes(dir.VirtualAddress).ok()?;
        let (md_rva, md_size) = (le_u32(cor, 8)?, le_u32(cor, 12)? as usize);
        let md = file.slice_bytes(md_rva).ok()?;
        let md = md.get(..md_size.min(md.len()))?;
        if le_u32(md, 0)? != 0x424a_5342 {
            return None;
        }
        // The version string's length is stored rounded up to four.
        let mut at = 16usize.checked_add(le_u32(md, 12)? as usize)?;
        let streams = le_u16(md, at.checked_add(2)?)?;
        at += 4;
        for _ in 0..streams.min(16) {
            let (offset, size) = (le_u32(md, at)? as usize, le_u32(md, at + 4)? as usize);
            let name_at = at + 8;
            let name_len = md.get(name_at..)?.iter().take(32).position(|&b| b == 0)?;
            let name = &md[name_at..name_at + name_len];
            if name == b"#Strings" {
                return md.get(offset..offset.checked_add(size)?);
            }
            at = name_at + (name_len + 4) / 4 * 4;
        }
        None
    };
    let Some(heap) = heap() else {
        return Vec::new();
    };
    let mut out: Vec<String> = heap
        .split(|&b| b == 0)
        .filter_map(|s| std::str::from_utf8(s).ok())
        .filter(|s| {
            s.split_once('.')
                .is_some_and(|(first, rest)| !first.is_empty() && !rest.is_empty())
                && needles.hit(s.split('.').next().unwrap_or_default().as_bytes())
        })
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out.truncate(MAX_DOTNET_NAMES);
    out
}

/// Whether the NT headers start 8-aligned (as the PE format asks) and the section table
/// 4-aligned, which pelite assumes when it casts them in place. Every linker writes them so.
fn pe_headers_aligned(bytes: &[u8]) -> bool {
    let Some(nt) = le_u32(bytes, 0x3c).map(|n| n as usize) else {
        return false;
    };
    // Signature (4) and file header (20), whose SizeOfOptionalHeader is at offset 16.
    let Some(optional) = le_u16(bytes, nt + 4 + 16).map(usize::from) else {
        return false;
    };
    nt.is_multiple_of(8) && (nt + 24 + optional).is_multiple_of(4)
}

/// The little-endian `u32` at `at`, if the bytes hold one there.
fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The little-endian `u16` at `at`, if the bytes hold one there.
fn le_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

/// File range of the PE certificate table (its data directory holds a file offset, not an RVA).
fn pe_security_range(bytes: &[u8]) -> Option<std::ops::Range<u64>> {
    let nt = le_u32(bytes, 0x3c)? as usize;
    let magic = le_u16(bytes, nt + 24)?;
    // Data directories start 96 (PE32) or 112 (PE32+) bytes into the optional header.
    let dirs = nt + 24 + if magic == 0x20b { 112 } else { 96 };
    let (off, len) = (
        le_u32(bytes, dirs + 4 * 8)?,
        le_u32(bytes, dirs + 4 * 8 + 4)?,
    );
    (len > 0).then(|| u64::from(off)..u64::from(off) + u64::from(len))
}

/// 8-byte-aligned copy of a byte slice.
struct Aligned {
    words: Vec<u64>,
    len: usize,
}

impl Aligned {
    fn new(bytes: &[u8]) -> Aligned {
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        for (w, chunk) in words.iter_mut().zip(bytes.chunks(8)) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            *w = u64::from_ne_bytes(b);
        }
        Aligned {
            words,
            len: bytes.len(),
        }
    }

    fn bytes(&self) -> &[u8] {
        // Safety: `words` owns at least `len` initialised bytes; u8 has no alignment needs.
        unsafe { std::slice::from_raw_parts(self.words.as_ptr().cast::<u8>(), self.len) }
    }
}

/// The certificate subjects of a CMS SignedData (DER), pushed as `<scheme> signer subject`
/// (attribution: who signed it) or `<scheme> certificate subject` (another certificate it
/// carries: a mention).
fn push_signature(
    r: &mut BinaryReport,
    prefix: &[Nesting],
    scheme: SignatureScheme,
    der: &[u8],
) -> Result<(), String> {
    push_subjects(r, prefix, scheme, authenticode_subjects(der)?);
    Ok(())
}

/// Certificate subjects as evidence strings: a signer's is attribution, another certificate's
/// (a chain's, a countersigner's) a mention.
pub fn subject_strings(
    scheme: SignatureScheme,
    subjects: Vec<(String, bool)>,
) -> Vec<BinaryString> {
    let mut r = BinaryReport::default();
    push_subjects(&mut r, &[], scheme, subjects);
    r.strings
}

fn push_subjects(
    r: &mut BinaryReport,
    prefix: &[Nesting],
    scheme: SignatureScheme,
    subjects: Vec<(String, bool)>,
) {
    for (subject, signer) in subjects {
        let part = if signer {
            BinaryPart::SignerSubject(scheme)
        } else {
            BinaryPart::CertificateSubject(scheme)
        };
        push(r, BinaryField::new(prefix, part), &subject, signer, None);
    }
}

/// The DER OID of CMS `signedData` (1.2.840.113549.1.7.2), as it follows a ContentInfo's
/// opening tag and length.
const SIGNED_DATA_OID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
];

/// The magic of an Apple code signature's SuperBlob, and of the blob wrapping its CMS signature.
const CS_SUPERBLOB: u32 = 0xfade_0cc0;
const CS_BLOBWRAPPER: u32 = 0xfade_0b01;

/// The CMS signature a file is, if it is one: a DER ContentInfo of type `signedData` (a JAR's
/// `META-INF/*.RSA`, `*.DSA`, `*.EC`, a `.p7s` or `.p7b`, a Windows catalog), or an Apple code
/// signature (a SuperBlob, as a Mach-O's `LC_CODE_SIGNATURE` points to and a bundle's
/// `_CodeSignature/CodeSignature` holds) with its CMS blob. Cheap to ask of any file: its first
/// bytes decide.
pub fn detached_signature(bytes: &[u8]) -> Option<(SignatureScheme, &[u8])> {
    if bytes.first() == Some(&0x30) {
        // SEQUENCE, a length of one to five bytes, then the OID.
        let len_bytes = match bytes.get(1)? {
            l if *l < 0x80 => 0,
            0x80 => 0,
            l => usize::from(l & 0x7f),
        };
        let oid = bytes.get(2 + len_bytes..2 + len_bytes + SIGNED_DATA_OID.len())?;
        return (oid == SIGNED_DATA_OID).then_some((SignatureScheme::Cms, bytes));
    }
    code_signature_cms(bytes).map(|der| (SignatureScheme::MachO, der))
}

/// The CMS blob of an Apple code signature SuperBlob (big-endian: magic, length, count, then
/// `(type, offset)` pairs); `None` if there is none or the structure does not hold.
fn code_signature_cms(blob: &[u8]) -> Option<&[u8]> {
    let be32 = |at: usize| -> Option<u32> {
        let b = blob.get(at..at.checked_add(4)?)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    if be32(0)? != CS_SUPERBLOB {
        return None;
    }
    let length = usize::try_from(be32(4)?).ok()?.min(blob.len());
    let count = usize::try_from(be32(8)?).ok()?;
    for i in 0..count.min(64) {
        let offset = usize::try_from(be32(12 + i * 8 + 4)?).ok()?;
        if offset >= length || be32(offset)? != CS_BLOBWRAPPER {
            continue;
        }
        let size = usize::try_from(be32(offset + 4)?).ok()?;
        let end = offset.checked_add(size)?.min(length);
        return blob.get(offset + 8..end).filter(|der| !der.is_empty());
    }
    None
}

/// The subjects of a detached signature (see [`detached_signature`]) as binary strings.
pub fn signature_strings(scheme: SignatureScheme, der: &[u8]) -> Result<Vec<BinaryString>, String> {
    let mut r = BinaryReport::default();
    push_signature(&mut r, &[], scheme, der)?;
    Ok(r.strings)
}

/// Certificate subjects of a PKCS#7 SignedData: (subject, is a signer's certificate).
pub fn authenticode_subjects(der_bytes: &[u8]) -> Result<Vec<(String, bool)>, String> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::{SignedData, SignerIdentifier};
    use der::{Decode, Encode};

    // WIN_CERTIFICATE data is padded to 8 bytes: decode the first DER value only.
    let content = ContentInfo::from_der(trim_der(der_bytes)).map_err(|e| e.to_string())?;
    let signed: SignedData = content.content.decode_as().map_err(|e| e.to_string())?;
    let mut signers: BTreeSet<(Vec<u8>, Vec<u8>)> = BTreeSet::new();
    for si in signed.signer_infos.0.iter() {
        if let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid {
            signers.insert((
                ias.issuer.to_der().unwrap_or_default(),
                ias.serial_number.as_bytes().to_vec(),
            ));
        }
    }
    let mut out = Vec::new();
    if let Some(certs) = &signed.certificates {
        for c in certs.0.iter() {
            if let cms::cert::CertificateChoices::Certificate(cert) = c {
                let tbs = &cert.tbs_certificate;
                let key = (
                    tbs.issuer.to_der().unwrap_or_default(),
                    tbs.serial_number.as_bytes().to_vec(),
                );
                out.push((tbs.subject.to_string(), signers.contains(&key)));
            }
        }
    }
    Ok(out)
}

/// The bytes of the first DER TLV (drops trailing padding).
fn trim_der(b: &[u8]) -> &[u8] {
    let len = match (b.get(1), b.get(2), b.get(3), b.get(4), b.get(5)) {
        (Some(&l), ..) if l < 0x80 => Some(2 + l as usize),
        (Some(0x81), Some(&a), ..) => Some(3 + a as usize),
        (Some(0x82), Some(&a), Some(&c), ..) => Some(4 + ((a as usize) << 8 | c as usize)),
        (Some(0x83), Some(&a), Some(&c), Some(&d), _) => {
            Some(5 + ((a as usize) << 16 | (c as usize) << 8 | d as usize))
        }
        (Some(0x84), Some(&a), Some(&c), Some(&d), Some(&e)) => {
            Some(6 + ((a as usize) << 24 | (c as usize) << 16 | (d as usize) << 8 | e as usize))
        }
        _ => None,
    };
    match len {
        Some(n) if n <= b.len() => &b[..n],
        _ => b,
    }
}

// --- package notes ----------------------------------------------------------------------------

/// The ELF note type of package metadata (`FDO_PACKAGING_METADATA`, owner `FDO`).
const NT_FDO_PACKAGING_METADATA: u32 = 0xcafe_1a7e;

/// The keys of a package note that say who made or distributes the package, as an RPM's
/// `Vendor` and `Packager` or a Debian `Maintainer` do (compared without case). The format
/// leaves its names open; the others it lists (`type`, `name`, `version`, `architecture`, `os`,
/// `osVersion`, `osCpe`, `debugInfoUrl`) identify the package or the system it was built for.
const PACKAGE_NOTE_WHO: &[&str] = &[
    "maintainer",
    "vendor",
    "packager",
    "author",
    "publisher",
    "supplier",
    "manufacturer",
    "copyright",
];

/// Most fields read from one package note.
const MAX_PACKAGE_NOTE_FIELDS: usize = 64;

/// The package metadata a build stamped into a binary (systemd's "package metadata for
/// executable files": a JSON object, in an ELF note `FDO`/`0xcafe1a7e`, section
/// `.note.package`, or a PE `.pkgnote` section), where a needle occurs in it: each string field
/// as `<format> package note <key>`, attribution for the fields that say who made it (see
/// [`PACKAGE_NOTE_WHO`]), a mention for the others. Whether it was read so (a note without a
/// needle, or not a JSON object, is left to be read as any other note).
fn push_package_note(
    r: &mut BinaryReport,
    prefix: &[Nesting],
    format: &str,
    json: &[u8],
    needles: &Needles,
) -> bool {
    let json = match json.iter().rposition(|&b| b != 0) {
        Some(end) => &json[..=end],
        None => return false,
    };
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(json) else {
        return false;
    };
    if !needles.hit(json) {
        return false;
    }
    for (key, value) in fields.iter().take(MAX_PACKAGE_NOTE_FIELDS) {
        let Some(value) = value.as_str() else {
            continue;
        };
        let who = PACKAGE_NOTE_WHO.iter().any(|w| key.eq_ignore_ascii_case(w));
        let part = BinaryPart::PackageNote {
            format: format.to_string(),
            key: key.clone(),
        };
        push(r, BinaryField::new(prefix, part), value, who, None);
    }
    true
}

// --- ELF --------------------------------------------------------------------------------------

fn elf(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    match object::FileKind::parse(bytes).map_err(|e| malformed("ELF", e))? {
        object::FileKind::Elf32 => {
            elf_typed::<object::elf::FileHeader32<Endianness>>(bytes, needles, prefix, r)
        }
        object::FileKind::Elf64 => {
            elf_typed::<object::elf::FileHeader64<Endianness>>(bytes, needles, prefix, r)
        }
        other => Err(malformed("ELF", format!("unexpected kind {other:?}"))),
    }
}

fn elf_typed<Elf: FileHeader<Endian = Endianness>>(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    let file = ElfFile::<Elf>::parse(bytes).map_err(|e| malformed("ELF", e))?;
    let endian = file.endian();
    let table = file.elf_section_table();
    for section in table.iter() {
        let name = table.section_name(endian, section).unwrap_or_default();
        if name == b".comment" {
            let data = section
                .data(endian, bytes)
                .map_err(|e| malformed("ELF", e))?;
            for s in data.split(|&b| b == 0) {
                push(
                    r,
                    BinaryField::new(prefix, BinaryPart::ElfComment),
                    &String::from_utf8_lossy(s),
                    true,
                    None,
                );
            }
        }
        if let Ok(Some(mut notes)) = section.notes(endian, bytes) {
            while let Ok(Some(note)) = notes.next() {
                let desc = note.desc();
                if note.name() == b"FDO"
                    && note.n_type(endian).0 == NT_FDO_PACKAGING_METADATA
                    && push_package_note(r, prefix, "ELF", desc, needles)
                {
                    continue;
                }
                if desc.len() >= 4 && desc.iter().all(|&b| b == 0 || (0x20..0x7f).contains(&b)) {
                    let text = format!(
                        "{}: {}",
                        String::from_utf8_lossy(note.name()),
                        String::from_utf8_lossy(desc).trim_end_matches('\0')
                    );
                    push(
                        r,
                        BinaryField::new(prefix, BinaryPart::ElfNote),
                        &text,
                        false,
                        None,
                    );
                }
            }
        }
    }
    let dynamic = table
        .dynamic_table(endian, bytes)
        .map_err(|e| malformed("ELF", e))?;
    let mut push_dynamic = |tag: object::elf::DynamicTag, s: &[u8]| {
        let table = match tag {
            t if t == object::elf::DT_NEEDED => Ok(LibraryTable::ElfNeeded),
            t if t == object::elf::DT_SONAME => Ok(LibraryTable::ElfSoname),
            t if t == object::elf::DT_RPATH => Err(RunPathTable::ElfRpath),
            t if t == object::elf::DT_RUNPATH => Err(RunPathTable::ElfRunpath),
            _ => return,
        };
        // SONAME is the library's own name; a needed library is one it cannot load without
        // (integration). Both are read as the product they name (`libkavsdk.so.8` → `kavsdk`).
        // A run path lists the directories its libraries are looked for in, separated by colons.
        let name = String::from_utf8_lossy(s);
        match table {
            Err(table) => {
                for dir in name.split(':') {
                    push_run_path(r, prefix, table, dir);
                }
            }
            Ok(table) => push_library(r, prefix, table, &name),
        }
    };
    if dynamic.is_empty() {
        // No dynamic section (its headers stripped, as `sstrip` leaves a library): the loader
        // reads the table from the program headers, and so does this.
        for (tag, s) in segment_dynamic::<Elf>(&file, endian, bytes) {
            push_dynamic(tag, s);
        }
    }
    for d in dynamic.iter() {
        if let Ok(s) = dynamic.string(d) {
            push_dynamic(d.tag, s);
        }
    }
    let file = object::File::parse(bytes).map_err(|e| malformed("ELF", e))?;
    sections(bytes, &file, "ELF", needles, prefix, r)
}

/// The string entries of the dynamic table the `PT_DYNAMIC` program header points to, each
/// resolved through `DT_STRTAB` (an address, mapped to the file by the `PT_LOAD` headers) and
/// bounded by `DT_STRSZ` and the file. Entries that do not resolve are left out.
fn segment_dynamic<'b, Elf: FileHeader<Endian = Endianness>>(
    file: &ElfFile<'b, Elf>,
    endian: Endianness,
    bytes: &'b [u8],
) -> Vec<(object::elf::DynamicTag, &'b [u8])> {
    use object::read::elf::{Dyn, ProgramHeader};
    let headers = file.elf_program_headers();
    let Some(dyns) = headers
        .iter()
        .filter(|p| p.p_type(endian) == object::elf::PT_DYNAMIC)
        .find_map(|p| p.dynamic(endian, bytes).ok().flatten())
    else {
        return Vec::new();
    };
    let value = |tag| {
        dyns.iter()
            .find(|d| d.d_tag(endian) == tag)
            .map(|d| d.d_val(endian).into())
    };
    let (Some(strtab), strsz) = (value(object::elf::DT_STRTAB), value(object::elf::DT_STRSZ))
    else {
        return Vec::new();
    };
    // The file offset of the string table's address.
    let Some(offset) = headers.iter().find_map(|p| {
        let (vaddr, off, size): (u64, u64, u64) = (
            p.p_vaddr(endian).into(),
            p.p_offset(endian).into(),
            p.p_filesz(endian).into(),
        );
        (p.p_type(endian) == object::elf::PT_LOAD && strtab >= vaddr && strtab - vaddr < size)
            .then(|| off + (strtab - vaddr))
    }) else {
        return Vec::new();
    };
    let Some(strings) = usize::try_from(offset).ok().and_then(|o| bytes.get(o..)) else {
        return Vec::new();
    };
    let strings = match strsz.and_then(|n: u64| usize::try_from(n).ok()) {
        Some(n) if n < strings.len() => &strings[..n],
        _ => strings,
    };
    let mut out = Vec::new();
    for d in dyns {
        let tag = d.d_tag(endian);
        if tag == object::elf::DT_NULL {
            break;
        }
        let at: u64 = d.d_val(endian).into();
        if let Some(rest) = usize::try_from(at).ok().and_then(|a| strings.get(a..)) {
            let end = memchr::memchr(0, rest).unwrap_or(rest.len());
            out.push((tag, &rest[..end]));
        }
    }
    out
}

// --- Mach-O -----------------------------------------------------------------------------------

fn macho(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    match object::FileKind::parse(bytes).map_err(|e| malformed("Mach-O", e))? {
        object::FileKind::MachO32 => {
            macho_typed::<object::macho::MachHeader32<Endianness>>(bytes, needles, prefix, r)
        }
        object::FileKind::MachO64 => {
            macho_typed::<object::macho::MachHeader64<Endianness>>(bytes, needles, prefix, r)
        }
        other => Err(malformed("Mach-O", format!("unexpected kind {other:?}"))),
    }
}

fn macho_typed<Mach: MachHeader<Endian = Endianness>>(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    let file = MachOFile::<Mach>::parse(bytes).map_err(|e| malformed("Mach-O", e))?;
    let endian = file.endian();
    let mut commands = file
        .macho_load_commands()
        .map_err(|e| malformed("Mach-O", e))?;
    while let Some(cmd) = commands.next().map_err(|e| malformed("Mach-O", e))? {
        if cmd.cmd() == object::macho::LC_RPATH {
            if let Ok(c) = cmd.data::<object::macho::RpathCommand<Endianness>>()
                && let Ok(path) = cmd.string(endian, c.path)
            {
                let path = String::from_utf8_lossy(path);
                push_run_path(r, prefix, RunPathTable::MachORpath, &path);
            }
            continue;
        }
        if cmd.cmd() == object::macho::LC_CODE_SIGNATURE {
            // Who signed it: the CMS blob of its code signature (an ad-hoc signature has none).
            if let Ok(c) = cmd.data::<object::macho::LinkeditDataCommand<Endianness>>() {
                let at = c.dataoff.get(endian) as usize;
                let size = c.datasize.get(endian) as usize;
                if let Some(der) = bytes
                    .get(at..at.saturating_add(size))
                    .and_then(code_signature_cms)
                {
                    // A blob the CMS reader cannot read (BER where DER is expected) leaves the
                    // binary readable: its bytes are searched as no section's (see `sections`).
                    let _ = push_signature(r, prefix, SignatureScheme::MachO, der);
                }
            }
            continue;
        }
        // Every form of a dylib load command names a library the binary loads: weakly (it runs
        // without it, and uses it where present), re-exported, lazily, or upward.
        let table = match cmd.cmd() {
            object::macho::LC_ID_DYLIB => LibraryTable::MachOIdDylib,
            object::macho::LC_LOAD_DYLIB
            | object::macho::LC_LOAD_WEAK_DYLIB
            | object::macho::LC_REEXPORT_DYLIB
            | object::macho::LC_LAZY_LOAD_DYLIB
            | object::macho::LC_LOAD_UPWARD_DYLIB => LibraryTable::MachOLoadDylib,
            _ => continue,
        };
        // All of them, `LC_ID_DYLIB` too, are a `dylib_command` (`cmd.dylib()` leaves the
        // library's own name out).
        if let Ok(d) = cmd.data::<object::macho::DylibCommand<Endianness>>()
            && let Ok(name) = cmd.string(endian, d.dylib.name)
        {
            push_library(r, prefix, table, &String::from_utf8_lossy(name));
        }
    }
    let file = object::File::parse(bytes).map_err(|e| malformed("Mach-O", e))?;
    sections(bytes, &file, "Mach-O", needles, prefix, r)
}

fn fat(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    depth: u32,
    budget: &PackageBudget,
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
    let mut slices: Vec<(String, &[u8])> = Vec::new();
    if let Ok(f) = MachOFatFile32::parse(bytes) {
        for a in f.arches() {
            let data = a.data(bytes).map_err(|e| malformed("fat Mach-O", e))?;
            slices.push((format!("{:?}", a.architecture()), data));
        }
    } else {
        let f = MachOFatFile64::parse(bytes).map_err(|e| malformed("fat Mach-O", e))?;
        for a in f.arches() {
            let data = a.data(bytes).map_err(|e| malformed("fat Mach-O", e))?;
            slices.push((format!("{:?}", a.architecture()), data));
        }
    }
    for (arch, data) in slices {
        inspect_into(
            data,
            needles,
            &[prefix, &[Nesting::Arch(arch)]].concat(),
            depth + 1,
            budget,
            r,
        )?;
    }
    Ok(())
}

// --- WebAssembly -----------------------------------------------------------------------------

/// The modules a WebAssembly binary imports, each as a library it loads (see [`push_library`]):
/// a core module's import section names the module every function, table, memory or global it
/// imports comes from (`(import "kavsdk" "scan" …)`, a wasm-bindgen build's
/// `@kaspersky/scan-engine`), and the host must supply each before the module can be
/// instantiated, as a loader must find each `DT_NEEDED` library. A component's imports
/// (`kaspersky:scan/engine@1.0.0`) are read too, and those of the core modules nested in it,
/// and a dynamically linked module's `dylink.0` section. Nothing else is: its strings (custom
/// sections, data) are the text scan's. A core module is read no further than its import
/// section, so bytes after it cannot hide what it imports.
fn wasm(bytes: &[u8], prefix: &[Nesting], r: &mut BinaryReport) -> Result<(), InspectError> {
    use wasmparser::{
        ComponentImport, Dylink0Subsection, Encoding, Imports, KnownCustom, Parser, Payload,
    };
    let mut modules: BTreeSet<&str> = BTreeSet::new();
    // The outermost binary's encoding: a module or a component (which nests modules).
    let mut outer = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| malformed("WebAssembly", e))? {
            Payload::Version { encoding, .. } if outer.is_none() => outer = Some(encoding),
            Payload::ImportSection(section) => {
                for group in section {
                    let module = match group.map_err(|e| malformed("WebAssembly", e))? {
                        Imports::Single(_, import) => import.module,
                        Imports::Compact1 { module, .. } | Imports::Compact2 { module, .. } => {
                            module
                        }
                    };
                    modules.insert(module);
                }
                if outer != Some(Encoding::Component) {
                    break;
                }
            }
            // A dynamically linked module's (Emscripten's side modules, `-sMAIN_MODULE`)
            // libraries: a `dylink.0` section lists those it needs, as `DT_NEEDED` does, and
            // the directories to find them in, as `DT_RUNPATH` does. It comes first, before the
            // import section. A damaged one is left to the strings.
            Payload::CustomSection(section) => {
                if let KnownCustom::Dylink0(subsections) = section.as_known() {
                    for sub in subsections.into_iter().map_while(Result::ok) {
                        match sub {
                            Dylink0Subsection::Needed(libraries) => {
                                for library in libraries {
                                    push_library(
                                        r,
                                        prefix,
                                        LibraryTable::WasmDylinkNeeded,
                                        library,
                                    );
                                }
                            }
                            Dylink0Subsection::RuntimePath(dirs) => {
                                for dir in dirs {
                                    push_run_path(r, prefix, RunPathTable::WasmDylink, dir);
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            Payload::ComponentImportSection(section) => {
                for import in section {
                    let ComponentImport { name, .. } =
                        import.map_err(|e| malformed("WebAssembly", e))?;
                    modules.insert(name.0);
                }
            }
            _ => {}
        }
    }
    for module in modules {
        push_wasm_import(r, prefix, module);
    }
    Ok(())
}

/// An import module of a WebAssembly binary, read as what it names: a URL as itself (its host
/// and path are the matcher's; one without its scheme, `//cdn.example.com/x.mjs`, as `https:`),
/// a library's file (`libkavsdk.so`) as a loaded library is, anything else, a JavaScript package
/// (`@kaspersky/scan-engine`, `KasperskyEngine`) among them, as a JavaScript import of it is,
/// whole and with its words; a path (`./engine_bg.js`, `/js/local.js`) names the project's own
/// file, as a relative JavaScript import does, and is left to the strings.
fn push_wasm_import(r: &mut BinaryReport, prefix: &[Nesting], module: &str) {
    use crate::evidence::recognise::{js_module, library_file, with_words};
    let Some(module) = js_module(module) else {
        return;
    };
    let table = LibraryTable::WasmImport;
    if !module.contains("://") && library_file(&module) {
        return push_library(r, prefix, table, &module);
    }
    let text = if module.contains("://") {
        module
    } else {
        with_words(&module)
    };
    push(
        r,
        BinaryField::new(prefix, BinaryPart::Library(table)),
        &text,
        true,
        None,
    );
}

// --- static archives --------------------------------------------------------------------------

fn ar(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    depth: u32,
    budget: &PackageBudget,
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    let archive = object::read::archive::ArchiveFile::parse(bytes)
        .map_err(|e| malformed("static archive", e))?;
    // Import libraries hold tens of thousands of tiny members and no vendor metadata. A
    // member's bytes lie in the archive as they are (an `ar` archive compresses nothing), so
    // when no needle occurs anywhere in the archive's bytes, no member can yield a matching
    // string: the members are not walked at all (one search of the bytes instead of one per
    // member section). Walking them only to count them was 1.1% of a cold check of yara-x,
    // whose import libraries hold about 400,000 members.
    if !needles.hit(bytes) {
        return Ok(());
    }
    for member in archive.members() {
        let member = member.map_err(|e| malformed("static archive", e))?;
        let data = member
            .data(bytes)
            .map_err(|e| malformed("static archive", e))?;
        let name = String::from_utf8_lossy(member.name())
            .trim_end_matches('/')
            .to_string();
        r.members += 1;
        if r.member_names.len() < MAX_STRINGS {
            let mut path: Vec<&str> = prefix
                .iter()
                .filter_map(|n| match n {
                    Nesting::Member(m) => Some(m.as_str()),
                    Nesting::Arch(_) => None,
                })
                .collect();
            path.push(&name);
            let object = object::FileKind::parse(data).is_ok();
            r.member_names.push((path.join("!"), object));
        }
        let p = [prefix, &[Nesting::Member(name)]].concat();
        // A corrupt member does not hide the others.
        match inspect_into(data, needles, &p, depth + 1, budget, r) {
            // The file's budget is spent: the other members would fail the same way.
            Err(e @ InspectError::Limit(_)) => return Err(e),
            Err(e) => push(
                r,
                BinaryField::new(&p, BinaryPart::MemberError),
                &e.to_string(),
                false,
                None,
            ),
            Ok(()) => {}
        }
    }
    Ok(())
}

// --- strings ----------------------------------------------------------------------------------

/// Needle hits inside every section with file data, the field naming the section; then in
/// every byte no section covers (headers, segments without sections, a Mach-O's `__LINKEDIT`
/// with its symbol names and code signature, data appended after the image, or the whole
/// image when its section headers were stripped, as `sstrip` does), as the file's own
/// (`ELF string`).
fn sections(
    bytes: &[u8],
    file: &object::File<'_>,
    kind: &str,
    needles: &Needles,
    prefix: &[Nesting],
    r: &mut BinaryReport,
) -> Result<(), InspectError> {
    let mut covered: Vec<(usize, usize)> = Vec::new();
    for s in file.sections() {
        if let Some((at, len)) = s.file_range()
            && let (Ok(at), Ok(len)) = (usize::try_from(at), usize::try_from(len))
            && at < bytes.len()
        {
            covered.push((at, at.saturating_add(len).min(bytes.len())));
        }
    }
    for (start, end) in gaps(covered, bytes.len()) {
        let gap = &bytes[start..end];
        r.work.examined = r.work.examined.saturating_add(gap.len() as u64);
        for mut bs in hit_strings(gap, needles) {
            let utf16 = bs.field.part.is_utf16();
            let place = HitPlace::Whole(Some(kind.to_string()));
            bs.field = BinaryField::new(prefix, BinaryPart::Hit { place, utf16 });
            bs.offset = bs.offset.map(|o| o + start as u64);
            if r.strings.len() < MAX_STRINGS {
                r.strings.push(bs);
            }
        }
    }
    for s in file.sections() {
        let Ok(data) = s.data() else { continue };
        r.work.examined = r.work.examined.saturating_add(data.len() as u64);
        if r.work.examined > r.work.max_examined {
            return Err(InspectError::Limit(format!(
                "its sections overlap: more than {} bytes to examine, {EXAMINED_PER_BYTE} times the file's size and more; the rest not inspected",
                r.work.max_examined
            )));
        }
        if data.is_empty() || !needles.hit(data) {
            continue;
        }
        let name = s.name().unwrap_or("?");
        if name == ".modinfo" {
            // A Linux kernel module's `key=value` strings: `author=` and `vendor=` say who made
            // it, as a package's authors do.
            for kv in data.split(|&b| b == 0) {
                let kv = String::from_utf8_lossy(kv);
                if let Some((k, v)) = kv.split_once('=')
                    && matches!(k, "author" | "vendor" | "maintainer")
                {
                    let part = BinaryPart::Modinfo {
                        format: kind.to_string(),
                        key: k.to_string(),
                    };
                    push(r, BinaryField::new(prefix, part), v, true, None);
                }
            }
        }
        for mut bs in hit_strings(data, needles) {
            let place = HitPlace::Section {
                format: kind.to_string(),
                name: name.to_string(),
            };
            let utf16 = bs.field.part.is_utf16();
            bs.field = BinaryField::new(prefix, BinaryPart::Hit { place, utf16 });
            if r.strings.len() < MAX_STRINGS {
                r.strings.push(bs);
            }
        }
    }
    Ok(())
}

/// The ranges of `0..len` that none of `covered` does, in order.
fn gaps(mut covered: Vec<(usize, usize)>, len: usize) -> Vec<(usize, usize)> {
    covered.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0usize;
    for (start, end) in covered {
        if start > at {
            out.push((at, start));
        }
        at = at.max(end);
    }
    if at < len {
        out.push((at, len));
    }
    out
}

/// Needle hits anywhere in the file: `string`, or `<format> string` (`PE string`).
fn push_hits(
    bytes: &[u8],
    needles: &Needles,
    prefix: &[Nesting],
    format: Option<&str>,
    r: &mut BinaryReport,
) {
    for mut bs in hit_strings(bytes, needles) {
        let place = HitPlace::Whole(format.map(str::to_string));
        let utf16 = bs.field.part.is_utf16();
        bs.field = BinaryField::new(prefix, BinaryPart::Hit { place, utf16 });
        if r.strings.len() < MAX_STRINGS {
            r.strings.push(bs);
        }
    }
}

/// The printable strings around every needle hit: UTF-8 runs for narrow hits, UTF-16LE runs
/// for wide ones. `field` is `string` or `UTF-16 string`.
pub fn hit_strings(bytes: &[u8], needles: &Needles) -> Vec<BinaryString> {
    let mut out: Vec<BinaryString> = Vec::new();
    let mut covered_until = 0usize;
    for hit in needles.find_all(bytes) {
        if hit.start < covered_until {
            continue;
        }
        let (start, end, text) = if hit.utf16 {
            wide_run(bytes, hit.start, hit.end)
        } else {
            narrow_run(bytes, hit.start, hit.end, hit.legacy)
        };
        covered_until = end;
        let attribution = is_notice(&text);
        out.push(BinaryString {
            field: BinaryField::new(
                &[],
                BinaryPart::Hit {
                    place: HitPlace::Bare,
                    utf16: hit.utf16,
                },
            ),
            text,
            attribution,
            offset: Some(start as u64),
        });
        if out.len() >= MAX_STRINGS {
            break;
        }
    }
    out
}

fn printable_narrow(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t' || b >= 0x80
}

/// The printable bytes around a narrow hit, read as UTF-8 (what is not UTF-8 dropped), or in
/// the legacy encoding the hit was found in.
fn narrow_run(
    bytes: &[u8],
    s: usize,
    e: usize,
    legacy: Option<&'static encoding_rs::Encoding>,
) -> (usize, usize, String) {
    let limit = MAX_STRING_CHARS * 2;
    let mut start = s;
    while start > 0 && s - start < limit && printable_narrow(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = e;
    while end < bytes.len() && end - e < limit && printable_narrow(bytes[end]) {
        end += 1;
    }
    let run = &bytes[start..end];
    let text = match legacy {
        Some(enc) => enc.decode_without_bom_handling(run).0,
        None => String::from_utf8_lossy(run),
    };
    (start, end, text.replace('\u{FFFD}', ""))
}

fn wide_run(bytes: &[u8], s: usize, e: usize) -> (usize, usize, String) {
    let unit = |i: usize| le_u16(bytes, i);
    let printable = |u: u16| {
        u >= 0x20 && u != 0x7f && !(0xD800..0xE000).contains(&u) && u != 0xFFFF && u != 0xFFFE
    };
    let mut start = s;
    while start >= 2 && (s - start) / 2 < MAX_STRING_CHARS && unit(start - 2).is_some_and(printable)
    {
        start -= 2;
    }
    let mut end = e;
    while (end - e) / 2 < MAX_STRING_CHARS && unit(end).is_some_and(printable) {
        end += 2;
    }
    let units: Vec<u16> = (start..end).step_by(2).filter_map(unit).collect();
    (start, end, String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests;
