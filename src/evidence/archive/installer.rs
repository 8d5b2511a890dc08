//! Evidence stage, archives: what a Windows Installer file (MSI, MSM, MSP, MST) says of who
//! made it, read from its structure: the summary information's author, the `Property` table's
//! `Manufacturer`, contact and support URLs, and the Authenticode signature of the whole file.
//! Its streams (tables, embedded cabinets, `Binary` streams) are walked as any compound file's.

use std::io::{Cursor, Read};

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

/// The installer header of a compound file, if it is a Windows Installer file whose database
/// can be read (`None` for any other compound file, or a damaged database: its streams are
/// still walked, and a damaged container is listed by the walk).
pub fn read(path: &str, bytes: &[u8]) -> Option<Installer> {
    if !database_within_bounds(bytes) {
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
    let signature = p
        .has_digital_signature()
        .then(|| signature(bytes))
        .flatten();
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
fn database_within_bounds(bytes: &[u8]) -> bool {
    let Ok(comp) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return false;
    };
    comp.walk().filter(|e| e.is_stream()).all(|e| {
        let name = super::formats::msi_stream_name(e.name());
        MAX_TABLE_BYTES
            .iter()
            .find(|(table, _)| *table == name)
            .is_none_or(|(_, max)| e.len() <= *max)
    })
}

fn signature(bytes: &[u8]) -> Option<Vec<u8>> {
    let comp = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let mut comp = comp;
    let stream = comp.open_stream("/\u{5}DigitalSignature").ok()?;
    let mut der = Vec::new();
    stream.take(MAX_SIGNATURE).read_to_end(&mut der).ok()?;
    Some(der)
}
