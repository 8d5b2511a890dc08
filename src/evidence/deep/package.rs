//! Evidence stage, package formats that are archives by another name: a Debian `.deb` (an `ar`
//! holding `debian-binary`, `control.tar.*`, `data.tar.*`), an RPM (lead, signature, a header
//! whose `Vendor`, `Packager`, `URL` tags say who made it, then a compressed cpio payload) and a
//! cpio archive (`newc`/`crc`, as RPM payloads and initramfs images are written) → the header
//! fields and the members, for the deep scan to read as files.
//!
//! Compressed members are handed on as they are: the archive walker decompresses them.

/// What a package file holds.
pub struct Package<'b> {
    /// `deb`, `rpm` or `cpio`.
    pub kind: &'static str,
    /// Header fields that say who made it (`Vendor`, `Packager`, `URL`).
    pub fields: Vec<(&'static str, String)>,
    /// Member names and bytes.
    pub members: Vec<(String, &'b [u8])>,
    /// Where the structure stopped making sense, if it did.
    pub problem: Option<String>,
    /// The subjects of the certificates it is signed with (a signed xar: a macOS installer
    /// package), each with whether it is the signer's own.
    pub signers: Vec<(String, bool)>,
}

/// The package `bytes` are, if they are one of the formats above.
pub fn members(bytes: &[u8]) -> Option<Package<'_>> {
    if bytes.starts_with(b"!<arch>\n") {
        return deb(bytes);
    }
    if bytes.starts_with(&[0xed, 0xab, 0xee, 0xdb]) {
        return rpm(bytes);
    }
    if bytes.starts_with(b"070701") || bytes.starts_with(b"070702") {
        return Some(cpio(bytes, &NEWC));
    }
    if bytes.starts_with(b"070707") {
        return Some(cpio(bytes, &ODC));
    }
    if bytes.starts_with(b"xar!") {
        return Some(xar(bytes));
    }
    None
}

fn deb(bytes: &[u8]) -> Option<Package<'_>> {
    let ar = object::read::archive::ArchiveFile::parse(bytes).ok()?;
    // A .deb's first member is `debian-binary` (deb(5)); a static library, often of thousands
    // of members, is the binary inspector's and is not walked here a second time.
    let first = ar.members().next()?.ok()?;
    if first.name() != b"debian-binary" && first.name() != b"debian-binary/" {
        return None;
    }
    let mut members = Vec::new();
    let mut problem = None;
    for m in ar.members() {
        let m = match m {
            Ok(m) => m,
            Err(e) => {
                problem = Some(format!("ar member could not be read: {e}"));
                break;
            }
        };
        let name = String::from_utf8_lossy(m.name())
            .trim_end_matches('/')
            .to_string();
        match m.data(bytes) {
            Ok(d) => members.push((name, d)),
            Err(e) => problem = Some(format!("ar member {name} could not be read: {e}")),
        }
    }
    Some(Package {
        kind: "deb",
        fields: Vec::new(),
        members,
        problem,
        signers: Vec::new(),
    })
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// One RPM header structure at `at`: its tags' string values and the offset after it.
fn rpm_header(b: &[u8], at: usize) -> Option<(Vec<(u32, String)>, usize)> {
    if b.get(at..at + 3)? != [0x8e, 0xad, 0xe8] {
        return None;
    }
    let n = be32(b, at + 8)? as usize;
    let size = be32(b, at + 12)? as usize;
    if n > 65_536 || size > b.len() {
        return None;
    }
    let index = at + 16;
    let store = index.checked_add(n.checked_mul(16)?)?;
    let end = store.checked_add(size)?;
    if end > b.len() {
        return None;
    }
    let mut tags = Vec::new();
    for i in 0..n {
        let e = index + i * 16;
        let (tag, ty, off) = (be32(b, e)?, be32(b, e + 4)?, be32(b, e + 8)? as usize);
        // STRING (6) and I18NSTRING (9): NUL-terminated text in the store.
        if (ty == 6 || ty == 9) && store + off < end {
            let s = &b[store + off..end];
            let s = &s[..memchr::memchr(0, s).unwrap_or(s.len())];
            tags.push((tag, String::from_utf8_lossy(s).into_owned()));
        }
    }
    Some((tags, end))
}

fn rpm(bytes: &[u8]) -> Option<Package<'_>> {
    // The 96-byte lead, the signature header (padded to 8 bytes), the main header, the payload.
    let (_, sig_end) = rpm_header(bytes, 96)?;
    let main = sig_end.div_ceil(8) * 8;
    let Some((tags, end)) = rpm_header(bytes, main) else {
        return Some(Package {
            kind: "rpm",
            fields: Vec::new(),
            members: Vec::new(),
            problem: Some("RPM header could not be read".into()),
            signers: Vec::new(),
        });
    };
    let fields = tags
        .into_iter()
        .filter_map(|(tag, v)| {
            let key = match tag {
                1010 => "Distribution",
                1011 => "Vendor",
                1015 => "Packager",
                1020 => "URL",
                _ => return None,
            };
            Some((key, v))
        })
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    Some(Package {
        kind: "rpm",
        fields,
        members: vec![("payload".to_string(), &bytes[end..])],
        problem: None,
        signers: Vec::new(),
    })
}

/// Where a cpio header of one format holds what is read: its magic numbers, its length, the base
/// of its numbers, each field's (offset, width), and the alignment of names' and data's ends.
struct CpioLayout {
    magics: &'static [&'static [u8]],
    header: usize,
    radix: u32,
    radix_name: &'static str,
    mode: (usize, usize),
    filesize: (usize, usize),
    namesize: (usize, usize),
    align: usize,
}

/// `newc`/`crc` (`070701`/`070702`): hexadecimal fields, names and data 4-byte aligned.
const NEWC: CpioLayout = CpioLayout {
    magics: &[b"070701", b"070702"],
    header: 110,
    radix: 16,
    radix_name: "hexadecimal",
    mode: (14, 8),
    filesize: (54, 8),
    namesize: (94, 8),
    align: 4,
};

/// Portable (odc, `070707`), as macOS installer payloads are written: octal fields, no padding.
const ODC: CpioLayout = CpioLayout {
    magics: &[b"070707"],
    header: 76,
    radix: 8,
    radix_name: "octal",
    mode: (18, 6),
    filesize: (65, 11),
    namesize: (59, 6),
    align: 1,
};

/// The number in `b` at (offset, width) `field` from `at`, in base `radix`.
fn number(b: &[u8], at: usize, field: (usize, usize), radix: u32) -> Option<usize> {
    let start = at + field.0;
    let s = std::str::from_utf8(b.get(start..start + field.1)?).ok()?;
    usize::from_str_radix(s, radix).ok()
}

fn cpio<'b>(bytes: &'b [u8], l: &CpioLayout) -> Package<'b> {
    let mut members = Vec::new();
    let mut problem = None;
    let mut at = 0usize;
    let aligned = |n: usize| n.div_ceil(l.align) * l.align;
    while at + l.header <= bytes.len() {
        if !l.magics.iter().any(|m| bytes[at..].starts_with(m)) {
            problem = Some(format!("cpio header expected at byte {at}"));
            break;
        }
        let (Some(mode), Some(size), Some(namesize)) = (
            number(bytes, at, l.mode, l.radix),
            number(bytes, at, l.filesize, l.radix),
            number(bytes, at, l.namesize, l.radix),
        ) else {
            problem = Some(format!("cpio header at byte {at} is not {}", l.radix_name));
            break;
        };
        let name_at = at + l.header;
        let Some(name) = bytes.get(name_at..name_at + namesize.saturating_sub(1)) else {
            problem = Some(format!("cpio name at byte {at} runs past the end"));
            break;
        };
        let name = String::from_utf8_lossy(name).into_owned();
        if name == "TRAILER!!!" {
            break;
        }
        let data_at = aligned(name_at + namesize);
        let Some(data) = data_at
            .checked_add(size)
            .and_then(|e| bytes.get(data_at..e))
        else {
            problem = Some(format!("cpio member {name} runs past the end"));
            break;
        };
        // Regular files only (mode 0o100000); links and directories carry no content.
        if mode & 0o170000 == 0o100000 {
            members.push((name.trim_start_matches("./").to_string(), data));
        }
        at = aligned(data_at + size);
    }
    Package {
        kind: "cpio",
        fields: Vec::new(),
        members,
        problem,
        signers: Vec::new(),
    }
}

/// The most bytes a xar's table of contents may inflate to (a real installer's is tens of KiB).
const MAX_XAR_TOC: u64 = 16 << 20;

/// A xar archive (a macOS flat installer package `.pkg`, a `.xip`): a header, a zlib-compressed
/// XML table of contents, then the heap its files' data lie in (each compressed as its
/// `encoding` says; the archive walker decompresses them). A signed package's certificates are
/// in the table of contents (`<signature>`'s `X509Certificate`s, the first the signer's) or, as
/// a CMS signature, in the heap (`<x-signature>`).
fn xar(bytes: &[u8]) -> Package<'_> {
    let mut p = Package {
        kind: "xar",
        fields: Vec::new(),
        members: Vec::new(),
        problem: None,
        signers: Vec::new(),
    };
    let be64 = |at: usize| -> Option<u64> {
        Some(u64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
    };
    let header = bytes
        .get(4..6)
        .map(|h| usize::from(u16::from_be_bytes([h[0], h[1]])));
    let (Some(header), Some(toc_len), Some(toc_size)) = (header, be64(8), be64(16)) else {
        p.problem = Some("xar header is cut short".into());
        return p;
    };
    let toc_end = usize::try_from(toc_len)
        .ok()
        .and_then(|l| header.checked_add(l))
        .filter(|&e| header >= 28 && e <= bytes.len());
    let Some(toc_end) = toc_end else {
        p.problem = Some("xar table of contents runs past the end".into());
        return p;
    };
    if toc_size > MAX_XAR_TOC {
        p.problem = Some(format!(
            "xar table of contents declares {toc_size} bytes, more than the {MAX_XAR_TOC} read"
        ));
        return p;
    }
    let mut toc = String::new();
    let read = std::io::Read::read_to_string(
        &mut std::io::Read::take(
            flate2::read::ZlibDecoder::new(&bytes[header..toc_end]),
            MAX_XAR_TOC,
        ),
        &mut toc,
    );
    if let Err(e) = read {
        p.problem = Some(format!("xar table of contents could not be inflated: {e}"));
        return p;
    }
    let doc = match roxmltree::Document::parse(&toc) {
        Ok(d) => d,
        Err(e) => {
            p.problem = Some(format!("xar table of contents is not XML: {e}"));
            return p;
        }
    };
    let heap = &bytes[toc_end..];
    fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
        n.children().find(|c| c.has_tag_name(tag))
    }
    fn number(n: Option<roxmltree::Node<'_, '_>>) -> Option<usize> {
        n?.text()?.trim().parse().ok()
    }
    let slice = |data: roxmltree::Node<'_, '_>| -> Option<&[u8]> {
        let offset = number(child(data, "offset"))?;
        let length = number(child(data, "length")).or_else(|| number(child(data, "size")))?;
        heap.get(offset..offset.checked_add(length)?)
    };
    let Some(toc_node) = doc
        .root_element()
        .children()
        .find(|c| c.has_tag_name("toc"))
    else {
        p.problem = Some("xar table of contents has no <toc>".into());
        return p;
    };
    // Files, depth first, each named by its path.
    let mut stack: Vec<(roxmltree::Node<'_, '_>, String)> = toc_node
        .children()
        .filter(|c| c.has_tag_name("file"))
        .map(|c| (c, String::new()))
        .rev()
        .collect();
    while let Some((file, parent)) = stack.pop() {
        let name = child(file, "name")
            .and_then(|n| n.text())
            .unwrap_or("")
            .trim_start_matches('/');
        let path = if parent.is_empty() {
            name.to_string()
        } else {
            format!("{parent}/{name}")
        };
        if let Some(data) = child(file, "data") {
            match slice(data) {
                Some(d) => p.members.push((path.clone(), d)),
                None => {
                    p.problem = Some(format!("xar member {path}: its data lies past the end"));
                }
            }
        }
        for c in file
            .children()
            .filter(|c| c.has_tag_name("file"))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            stack.push((c, path.clone()));
        }
    }
    // The certificates the package is signed with.
    for sig in toc_node.children().filter(|c| c.is_element()) {
        match sig.tag_name().name() {
            "signature" => {
                let certs = sig
                    .descendants()
                    .filter(|d| d.has_tag_name("X509Certificate"))
                    .filter_map(|d| d.text());
                for (i, b64) in certs.enumerate() {
                    let der = base64::Engine::decode(
                        &base64::engine::general_purpose::STANDARD,
                        b64.split_whitespace().collect::<String>(),
                    );
                    let subject = der.ok().and_then(|der| {
                        use der::Decode;
                        x509_cert::Certificate::from_der(&der)
                            .ok()
                            .map(|c| c.tbs_certificate.subject.to_string())
                    });
                    match subject {
                        Some(s) => p.signers.push((s, i == 0)),
                        None => {
                            p.problem = Some("xar signature certificate could not be read".into())
                        }
                    }
                }
            }
            "x-signature" => match slice(sig).map(crate::evidence::binary::authenticode_subjects) {
                Some(Ok(subjects)) => p.signers.extend(subjects),
                _ => p.problem = Some("xar CMS signature could not be read".into()),
            },
            _ => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn newc(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut add = |name: &str, data: &[u8], mode: u32| {
            let hdr = format!(
                "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
                0,
                mode,
                0,
                0,
                1,
                0,
                data.len(),
                0,
                0,
                0,
                0,
                name.len() + 1,
                0
            );
            out.extend_from_slice(hdr.as_bytes());
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
            out.extend_from_slice(data);
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        };
        for (n, d) in files {
            add(n, d, 0o100644);
        }
        add("TRAILER!!!", b"", 0);
        out
    }

    #[test]
    fn cpio_members_are_read() {
        let c = newc(&[
            (
                "./usr/share/doc/kav/copyright",
                b"Copyright AO Kaspersky Lab\n",
            ),
            ("./x", b""),
        ]);
        let p = members(&c).unwrap();
        assert_eq!(p.kind, "cpio");
        assert_eq!(p.members.len(), 2);
        assert_eq!(p.members[0].0, "usr/share/doc/kav/copyright");
        assert!(p.problem.is_none());
        assert!(members(&c[..50]).unwrap().members.is_empty());
    }

    #[test]
    fn a_deb_is_an_ar_with_debian_binary() {
        let mut ar = b"!<arch>\n".to_vec();
        for (name, data) in [
            ("debian-binary", &b"2.0\n"[..]),
            ("control.tar", b"Maintainer: x\n"),
        ] {
            ar.extend_from_slice(
                format!(
                    "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                    name,
                    0,
                    0,
                    0,
                    644,
                    data.len()
                )
                .as_bytes(),
            );
            ar.extend_from_slice(data);
            if data.len() % 2 == 1 {
                ar.push(b'\n');
            }
        }
        let p = members(&ar).unwrap();
        assert_eq!((p.kind, p.members.len()), ("deb", 2));
        // A static library is not a package.
        let mut lib = b"!<arch>\n".to_vec();
        lib.extend_from_slice(
            format!(
                "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                "a.o", 0, 0, 0, 644, 2
            )
            .as_bytes(),
        );
        lib.extend_from_slice(b"xx");
        assert!(members(&lib).is_none());
    }

    #[test]
    fn portable_cpio_members_are_read() {
        let b = crate::evidence::testgen::odc_cpio(&[("./a/engine.dll", b"MZ..."), ("b.txt", b"")]);
        let p = members(&b).expect("a cpio");
        assert_eq!(p.kind, "cpio");
        assert_eq!(p.problem, None);
        let got: Vec<(&str, &[u8])> = p.members.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        assert_eq!(got, [("a/engine.dll", &b"MZ..."[..]), ("b.txt", &b""[..])]);
        // Cut short: what was read stays, the rest is a problem.
        let p = members(&b[..90]).expect("a cpio");
        assert!(p.problem.is_some());
    }

    #[test]
    fn xar_members_and_signers_are_read() {
        use std::io::Read;
        let b = crate::evidence::testgen::xar(
            &[
                ("Distribution", b"<installer-gui-script/>"),
                (
                    "engine.pkg/PackageInfo",
                    b"<pkg-info identifier=\"org.example.engine\"/>",
                ),
                ("engine.pkg/Scripts", b"#!/bin/sh\n"),
                ("Resources/en.lproj/License.txt", b"licence"),
            ],
            Some(
                "CN=Developer ID Installer: Example Widgets Ltd (TEAM000001),O=Example Widgets Ltd,C=GB",
            ),
        );
        let p = members(&b).expect("a xar");
        assert_eq!((p.kind, p.problem.as_deref()), ("xar", None));
        let names: Vec<&str> = p.members.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "Distribution",
                "engine.pkg/PackageInfo",
                "engine.pkg/Scripts",
                "Resources/en.lproj/License.txt"
            ]
        );
        // Members are handed on as stored (zlib here), for the archive walker to decode.
        let mut info = String::new();
        flate2::read::ZlibDecoder::new(p.members[1].1)
            .read_to_string(&mut info)
            .unwrap();
        assert_eq!(info, "<pkg-info identifier=\"org.example.engine\"/>");
        assert_eq!(p.signers.len(), 1);
        assert!(
            p.signers[0].0.contains("Example Widgets Ltd"),
            "{:?}",
            p.signers
        );
        assert!(p.signers[0].1);
        // A table of contents that does not inflate, or claims too much, is a problem.
        let mut bad = b.clone();
        bad[30] ^= 0xff;
        assert!(members(&bad).expect("a xar").problem.is_some());
        let mut huge = b.clone();
        huge[16..24].copy_from_slice(&(1u64 << 40).to_be_bytes());
        let p = members(&huge).expect("a xar");
        assert!(p.problem.unwrap().contains("declares"));
        assert!(p.members.is_empty());
    }

    #[test]
    fn rpm_header_fields_and_payload() {
        let mut b = vec![0u8; 96];
        b[..4].copy_from_slice(&[0xed, 0xab, 0xee, 0xdb]);
        let header = |tags: &[(u32, &str)]| {
            let mut store = Vec::new();
            let mut index = Vec::new();
            for (tag, v) in tags {
                index.extend_from_slice(&tag.to_be_bytes());
                index.extend_from_slice(&6u32.to_be_bytes());
                index.extend_from_slice(&(store.len() as u32).to_be_bytes());
                index.extend_from_slice(&1u32.to_be_bytes());
                store.extend_from_slice(v.as_bytes());
                store.push(0);
            }
            let mut h = vec![0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];
            h.extend_from_slice(&(tags.len() as u32).to_be_bytes());
            h.extend_from_slice(&(store.len() as u32).to_be_bytes());
            h.extend(index);
            h.extend(store);
            h
        };
        b.extend(header(&[]));
        while !b.len().is_multiple_of(8) {
            b.push(0);
        }
        b.extend(header(&[
            (1000, "kav"),
            (1011, "AO Kaspersky Lab"),
            (1020, "https://kaspersky.com"),
        ]));
        b.extend_from_slice(b"PAYLOAD");
        let p = members(&b).unwrap();
        assert_eq!(p.kind, "rpm");
        assert_eq!(
            p.fields,
            [
                ("Vendor", "AO Kaspersky Lab".to_string()),
                ("URL", "https://kaspersky.com".to_string())
            ]
        );
        assert_eq!(p.members, [("payload".to_string(), &b"PAYLOAD"[..])]);
    }
}
