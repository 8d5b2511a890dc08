//! Evidence stage, archives: what a Windows Installer file (MSI, MSM, MSP, MST) says of who
//! made it, read from its structure: the summary information's author, the `Property` table's
//! `Manufacturer`, contact and support URLs, and the Authenticode signature of the whole file.
//! Its streams (tables, embedded cabinets, `Binary` streams) are walked as any compound file's.

use std::io::{Cursor, Read};

/// A compound file read from memory, as the walk opened it.
pub type CompoundFile<'b> = cfb::CompoundFile<Cursor<&'b [u8]>>;

/// The header of one installer file inside a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installer {
    /// Where it is (`setup.zip!product.msi`, or the file's own name).
    pub path: String,
    /// `msi`, `msp` (a patch) or `mst` (a transform).
    pub kind: &'static str,
    /// (key, value): `Author`, `Manufacturer`, `ARPCONTACT`, `ARPHELPLINK`, `ARPURLINFOABOUT`,
    /// `ARPURLUPDATEINFO`, in that order, the empty ones left out.
    pub fields: Vec<(&'static str, String)>,
    /// The DER of its `\u{5}DigitalSignature` stream (a PKCS #7 SignedData), when it is signed.
    pub signature: Option<Vec<u8>>,
}

/// The `Property` rows read, in the order they are reported.
const PROPERTIES: &[&str] = &[
    "Manufacturer",
    "ARPCONTACT",
    "ARPHELPLINK",
    "ARPURLINFOABOUT",
    "ARPURLUPDATEINFO",
];

/// The most bytes of a signature stream read (an Authenticode signature is a few KiB).
const MAX_SIGNATURE: u64 = 1 << 20;

/// The installer header of a compound file (`bytes`, which the walk opened as `comp`), if it is a Windows Installer file whose database
/// can be read (`None` for any other compound file, or a damaged database: its streams are
/// still walked, and a damaged container is listed by the walk).
pub fn read(path: &str, bytes: &[u8], comp: &mut CompoundFile<'_>) -> Option<Installer> {
    if !database_within_bounds(comp) {
        return None;
    }
    let mut p = msi::Package::open(Cursor::new(bytes)).ok()?;
    let kind = match p.package_type() {
        msi::PackageType::Installer => "msi",
        msi::PackageType::Patch => "msp",
        msi::PackageType::Transform => "mst",
    };
    let mut fields = Vec::new();
    if let Some(a) = p
        .summary_info()
        .author()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        fields.push(("Author", a.to_string()));
    }
    let readable = p
        .get_table("Property")
        .is_some_and(|t| t.has_column("Property") && t.has_column("Value"));
    if readable && let Ok(rows) = p.select_rows(msi::Select::table("Property")) {
        let mut found: Vec<(usize, String)> = rows
            .filter_map(|row| {
                let key = row["Property"].as_str()?;
                let at = PROPERTIES.iter().position(|k| *k == key)?;
                let value = row["Value"].as_str()?.trim();
                (!value.is_empty()).then(|| (at, value.to_string()))
            })
            .collect();
        found.sort();
        fields.extend(found.into_iter().map(|(at, v)| (PROPERTIES[at], v)));
    }
    let signature = p.has_digital_signature().then(|| signature(comp)).flatten();
    Some(Installer {
        path: path.to_string(),
        kind,
        fields,
        signature,
    })
}

/// The most bytes of the tables the header is read from: the database reader holds every row
/// of a table it reads, at several times its size on disk (a hostile `Property` table of
/// millions of rows in a 64 MiB file would take gigabytes). Real installers' are kilobytes.
const MAX_TABLE_BYTES: &[(&str, u64)] = &[
    ("table:Property", 1 << 20),
    ("table:_StringPool", 4 << 20),
    ("table:_StringData", 16 << 20),
    ("table:_Columns", 1 << 20),
    ("table:_Tables", 1 << 20),
];

/// Whether the tables the header is read from are within [`MAX_TABLE_BYTES`] (the streams are
/// walked either way).
fn database_within_bounds(comp: &CompoundFile<'_>) -> bool {
    comp.walk().filter(|e| e.is_stream()).all(|e| {
        let name = stream_name(e.name());
        MAX_TABLE_BYTES
            .iter()
            .find(|(table, _)| *table == name)
            .is_none_or(|(_, max)| e.len() <= *max)
    })
}

fn signature(comp: &mut CompoundFile<'_>) -> Option<Vec<u8>> {
    let stream = comp.open_stream("/\u{5}DigitalSignature").ok()?;
    let mut der = Vec::new();
    stream.take(MAX_SIGNATURE).read_to_end(&mut der).ok()?;
    Some(der)
}

/// The marker that starts the name of a Windows Installer table's stream.
pub(super) const MSI_TABLE: char = '\u{4840}';

/// Decodes a Windows Installer stream name: each code point from U+3800 to U+47FF packs two
/// characters of the alphabet `0-9A-Za-z._`, U+4800 to U+483F one; a leading U+4840 marks a
/// table.
pub(super) fn stream_name(name: &str) -> String {
    fn alphabet(x: u32) -> char {
        match x {
            0..=9 => char::from(b'0' + x as u8),
            10..=35 => char::from(b'A' + (x - 10) as u8),
            36..=61 => char::from(b'a' + (x - 36) as u8),
            62 => '.',
            _ => '_',
        }
    }
    let (mut out, rest) = match name.strip_prefix(MSI_TABLE) {
        Some(rest) => (String::from("table:"), rest),
        None => (String::new(), name),
    };
    for c in rest.chars() {
        match u32::from(c) {
            x @ 0x3800..=0x47ff => {
                let x = x - 0x3800;
                out.push(alphabet(x & 0x3f));
                out.push(alphabet((x >> 6) & 0x3f));
            }
            x @ 0x4800..=0x483f => out.push(alphabet(x - 0x4800)),
            _ => out.push(c),
        }
    }
    out
}
