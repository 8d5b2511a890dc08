//! Test support: small binaries and archives generated from code (never third-party files).
//!
//! Used by the unit tests and by `cargo-entitycheck`'s own fixture generation (`tests/`), so
//! every binary the tests inspect is made here, readably.

use std::io::Write;

use object::pe;

/// Writes `bytes` at `path`, making the directories it needs (a fixture package's file).
pub fn write_file(path: impl AsRef<std::path::Path>, bytes: impl AsRef<[u8]>) {
    let path = path.as_ref();
    std::fs::create_dir_all(path.parent().expect("a file in a directory")).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn utf16z(s: &str) -> Vec<u8> {
    s.encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect()
}

fn pad(b: &mut Vec<u8>, to: usize) {
    while !b.len().is_multiple_of(to) {
        b.push(0);
    }
}

/// One node of a `VS_VERSIONINFO` tree: `wLength, wValueLength, wType, szKey, pad, value, pad, children`.
fn vs_node(key: &str, wtype: u16, value: &[u8], value_len: u16, children: &[Vec<u8>]) -> Vec<u8> {
    let mut b = vec![0u8; 6];
    b.extend(utf16z(key));
    pad(&mut b, 4);
    b.extend_from_slice(value);
    for c in children {
        pad(&mut b, 4);
        b.extend_from_slice(c);
    }
    let len = u16::try_from(b.len()).expect("small");
    b[0..2].copy_from_slice(&len.to_le_bytes());
    b[2..4].copy_from_slice(&value_len.to_le_bytes());
    b[4..6].copy_from_slice(&wtype.to_le_bytes());
    b
}

/// A `VS_VERSIONINFO` resource with these `StringFileInfo` strings (language 0409, Unicode).
pub fn version_info(strings: &[(&str, &str)]) -> Vec<u8> {
    let mut fixed = Vec::new();
    fixed.extend(0xFEEF_04BDu32.to_le_bytes());
    fixed.extend(0x0001_0000u32.to_le_bytes());
    fixed.extend([0u8; 44]);
    let strs: Vec<Vec<u8>> = strings
        .iter()
        .map(|(k, v)| {
            vs_node(
                k,
                1,
                &utf16z(v),
                u16::try_from(v.encode_utf16().count() + 1).expect("small"),
                &[],
            )
        })
        .collect();
    let table = vs_node("040904B0", 1, &[], 0, &strs);
    let sfi = vs_node("StringFileInfo", 1, &[], 0, &[table]);
    let var = vs_node("Translation", 0, &[0x09, 0x04, 0xB0, 0x04], 4, &[]);
    let vfi = vs_node("VarFileInfo", 1, &[], 0, &[var]);
    vs_node("VS_VERSION_INFO", 0, &fixed, 52, &[sfi, vfi])
}

/// A `.rsrc` section holding one RT_VERSION resource (id 1, language 0409) at `rva`.
fn rsrc_section(rva: u32, version: &[u8]) -> Vec<u8> {
    let dir = |entry_id: u32, target: u32| {
        let mut d = vec![0u8; 12];
        d.extend(0u16.to_le_bytes()); // named entries
        d.extend(1u16.to_le_bytes()); // id entries
        d.extend(entry_id.to_le_bytes());
        d.extend(target.to_le_bytes());
        d
    };
    let mut b = Vec::new();
    b.extend(dir(16, 0x8000_0000 | 24)); // RT_VERSION → name directory
    b.extend(dir(1, 0x8000_0000 | 48)); // id 1 → language directory
    b.extend(dir(0x0409, 72)); // en-US → data entry
    let data_off = 88u32;
    b.extend((rva + data_off).to_le_bytes());
    b.extend(u32::try_from(version.len()).expect("small").to_le_bytes());
    b.extend(0u32.to_le_bytes());
    b.extend(0u32.to_le_bytes());
    assert_eq!(b.len(), data_off as usize);
    b.extend_from_slice(version);
    pad(&mut b, 8);
    b
}

/// The NT headers of the 64-bit DLLs made here.
fn dll_nt_headers() -> object::write::pe::NtHeaders {
    object::write::pe::NtHeaders {
        machine: pe::IMAGE_FILE_MACHINE_AMD64,
        time_date_stamp: 0,
        characteristics: pe::FileFlags(
            pe::IMAGE_FILE_EXECUTABLE_IMAGE.0
                | pe::IMAGE_FILE_DLL.0
                | pe::IMAGE_FILE_LARGE_ADDRESS_AWARE.0,
        ),
        major_linker_version: 14,
        minor_linker_version: 0,
        address_of_entry_point: 0,
        image_base: 0x1_8000_0000,
        major_operating_system_version: 6,
        minor_operating_system_version: 0,
        major_image_version: 0,
        minor_image_version: 0,
        major_subsystem_version: 6,
        minor_subsystem_version: 0,
        subsystem: pe::IMAGE_SUBSYSTEM_WINDOWS_GUI,
        dll_characteristics: pe::DllFlags(0),
        size_of_stack_reserve: 0x10_0000,
        size_of_stack_commit: 0x1000,
        size_of_heap_reserve: 0x10_0000,
        size_of_heap_commit: 0x1000,
    }
}

/// A 64-bit PE DLL with a version-info resource, optionally an `.rdata` section with `rdata`,
/// and optionally a certificate table holding `pkcs7` (a DER SignedData) as WIN_CERTIFICATE.
pub fn pe_dll(strings: &[(&str, &str)], rdata: &[u8], pkcs7: Option<&[u8]>) -> Vec<u8> {
    let version = version_info(strings);
    let rsrc_len = u32::try_from(rsrc_section(0, &version).len()).expect("small");
    let cert = pkcs7.map(|der| {
        let mut c = Vec::new();
        c.extend(u32::try_from(der.len() + 8).expect("small").to_le_bytes());
        c.extend(0x0200u16.to_le_bytes()); // WIN_CERT_REVISION_2_0
        c.extend(0x0002u16.to_le_bytes()); // WIN_CERT_TYPE_PKCS_SIGNED_DATA
        c.extend_from_slice(der);
        pad(&mut c, 8);
        c
    });
    let mut buf = Vec::new();
    let mut w = object::write::pe::Writer::new(true, 0x1000, 0x200, &mut buf);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(pe::IMAGE_NUMBEROF_DIRECTORY_ENTRIES);
    w.reserve_section_headers(if rdata.is_empty() { 1 } else { 2 });
    let rdata_range = (!rdata.is_empty())
        .then(|| w.reserve_rdata_section(u32::try_from(rdata.len()).expect("small")));
    let rsrc = w.reserve_rsrc_section(rsrc_len);
    if let Some(c) = &cert {
        w.reserve_certificate_table(u32::try_from(c.len()).expect("small"));
    }
    w.write_dos_header_and_stub().expect("in memory");
    w.write_nt_headers(dll_nt_headers());
    w.write_section_headers();
    if let Some(r) = rdata_range {
        w.write_section(r.file_offset, rdata);
    }
    w.write_section(
        rsrc.file_offset,
        &rsrc_section(rsrc.virtual_address, &version),
    );
    if let Some(c) = &cert {
        w.write_certificate_table(c);
    }
    buf
}

/// A 64-bit PE DLL with no version information whose export directory names it `dll_name` (and
/// exports nothing): what a stripped, renamed vendor library still says of itself.
pub fn pe_dll_named(dll_name: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = object::write::pe::Writer::new(true, 0x1000, 0x200, &mut buf);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(pe::IMAGE_NUMBEROF_DIRECTORY_ENTRIES);
    w.reserve_section_headers(1);
    let size = 40 + u32::try_from(dll_name.len()).expect("small") + 1;
    let edata = w.reserve_section(
        *b".edata\0\0",
        pe::IMAGE_SCN_CNT_INITIALIZED_DATA | pe::IMAGE_SCN_MEM_READ,
        size,
        size,
    );
    w.set_data_directory(
        pe::IMAGE_DIRECTORY_ENTRY_EXPORT,
        edata.virtual_address,
        size,
    );
    // IMAGE_EXPORT_DIRECTORY: the name right after it, no functions, no names.
    let mut dir = Vec::new();
    dir.extend([0u8; 12]); // Characteristics, TimeDateStamp, Major/MinorVersion
    dir.extend((edata.virtual_address + 40).to_le_bytes()); // Name
    dir.extend(1u32.to_le_bytes()); // Base
    dir.extend([0u8; 20]); // NumberOfFunctions, NumberOfNames, the three tables
    dir.extend(dll_name.as_bytes());
    dir.push(0);
    w.write_dos_header_and_stub().expect("in memory");
    w.write_nt_headers(dll_nt_headers());
    w.write_section_headers();
    w.write_section(edata.file_offset, &dir);
    buf
}

/// A 64-bit PE DLL whose delay-load import directory (data directory 13, as `/DELAYLOAD`
/// writes it) names `dll` (RVA form: attributes bit 0 set), and whose ordinary import
/// directory is empty.
pub fn pe_dll_delay_importing(dll: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = object::write::pe::Writer::new(true, 0x1000, 0x200, &mut buf);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(pe::IMAGE_NUMBEROF_DIRECTORY_ENTRIES);
    w.reserve_section_headers(1);
    // Two descriptors (the second all zero), the module handle, the name.
    let size = 2 * 32 + 8 + u32::try_from(dll.len()).expect("small") + 1;
    let didat = w.reserve_section(
        *b".didat\0\0",
        pe::IMAGE_SCN_CNT_INITIALIZED_DATA | pe::IMAGE_SCN_MEM_READ | pe::IMAGE_SCN_MEM_WRITE,
        size,
        size,
    );
    w.set_data_directory(
        pe::IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT,
        didat.virtual_address,
        64,
    );
    let at = didat.virtual_address;
    let mut table = Vec::new();
    table.extend(1u32.to_le_bytes()); // Attributes: RVAs
    table.extend((at + 72).to_le_bytes()); // DllNameRVA
    table.extend((at + 64).to_le_bytes()); // ModuleHandleRVA
    table.extend([0u8; 20]); // IAT, INT, bound IAT, unload table, time stamp
    table.extend([0u8; 32]);
    table.extend([0u8; 8]);
    table.extend(dll.as_bytes());
    table.push(0);
    w.write_dos_header_and_stub().expect("in memory");
    w.write_nt_headers(dll_nt_headers());
    w.write_section_headers();
    w.write_section(didat.file_offset, &table);
    buf
}

/// A DER CMS SignedData with one self-made certificate (`subject`, self-issued, serial 1) and a
/// signer info pointing at it. The signature bytes are dummies: nothing here is verified.
pub fn signed_data(subject: &str, extra_cert_subject: Option<&str>) -> Vec<u8> {
    use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
    use cms::content_info::{CmsVersion, ContentInfo};
    use cms::signed_data::{
        CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo,
        SignerInfos,
    };
    use der::asn1::{BitString, OctetString, SetOfVec};
    use der::{Any, Decode, Encode};
    use std::str::FromStr;
    use x509_cert::Certificate;
    use x509_cert::certificate::{TbsCertificate, Version};
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
    use x509_cert::time::Validity;

    let sha256 = AlgorithmIdentifierOwned {
        oid: der::oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
        parameters: None,
    };
    let rsa_sha256 = AlgorithmIdentifierOwned {
        oid: der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11"),
        parameters: None,
    };
    let rsa = AlgorithmIdentifierOwned {
        oid: der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1"),
        parameters: None,
    };
    let cert = |subject: &str, serial: u8| {
        let name = Name::from_str(subject).expect("valid RFC 4514 name");
        Certificate {
            tbs_certificate: TbsCertificate {
                version: Version::V3,
                serial_number: SerialNumber::new(&[serial]).expect("serial"),
                signature: rsa_sha256.clone(),
                issuer: name.clone(),
                // Fixed dates, so generated files are byte-for-byte reproducible.
                validity: Validity {
                    not_before: x509_cert::time::Time::try_from(
                        std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_704_067_200),
                    )
                    .expect("2024-01-01"),
                    not_after: x509_cert::time::Time::try_from(
                        std::time::UNIX_EPOCH + std::time::Duration::from_secs(2_019_600_000),
                    )
                    .expect("2034"),
                },
                subject: name,
                subject_public_key_info: SubjectPublicKeyInfoOwned {
                    algorithm: rsa.clone(),
                    subject_public_key: BitString::from_bytes(&[0u8; 16]).expect("bits"),
                },
                issuer_unique_id: None,
                subject_unique_id: None,
                extensions: None,
            },
            signature_algorithm: rsa_sha256.clone(),
            signature: BitString::from_bytes(&[0u8; 16]).expect("bits"),
        }
    };
    let signer_cert = cert(subject, 1);
    let mut certs = vec![CertificateChoices::Certificate(signer_cert.clone())];
    if let Some(other) = extra_cert_subject {
        certs.push(CertificateChoices::Certificate(cert(other, 2)));
    }
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer_cert.tbs_certificate.issuer.clone(),
            serial_number: signer_cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: None,
        signature_algorithm: rsa.clone(),
        signature: OctetString::new(vec![0u8; 16]).expect("octets"),
        unsigned_attrs: None,
    };
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).expect("set"),
        encap_content_info: EncapsulatedContentInfo {
            // SPC_INDIRECT_DATA_OBJID, as Authenticode uses.
            econtent_type: der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.4"),
            econtent: None,
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).expect("set"))),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).expect("set")),
    };
    let ci = ContentInfo {
        content_type: der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2"),
        content: Any::from_der(&sd.to_der().expect("encode")).expect("any"),
    };
    ci.to_der().expect("encode")
}

/// Appends `s` and a NUL to the string table `t`; the offset it starts at.
fn add_string(t: &mut Vec<u8>, s: &str) -> u64 {
    let off = t.len() as u64;
    t.extend_from_slice(s.as_bytes());
    t.push(0);
    off
}

/// A shared library's dynamic string table: its `soname` and `needed` libraries, with their
/// offsets in it.
fn dynamic_strings(soname: &str, needed: &[&str]) -> (Vec<u8>, u64, Vec<u64>) {
    let mut dynstr = vec![0u8];
    let so_off = add_string(&mut dynstr, soname);
    let needed_offs = needed.iter().map(|n| add_string(&mut dynstr, n)).collect();
    (dynstr, so_off, needed_offs)
}

/// The 64-byte header of a 64-bit little-endian x86-64 shared object (`ET_DYN`): its program
/// header table (`phnum` entries at `phoff`) and section header table (`shnum` entries of
/// `shentsize` bytes at `shoff`, names in section `shstrndx`).
fn elf64_dyn_header(
    phoff: u64,
    phnum: u16,
    shoff: u64,
    shentsize: u16,
    shnum: u16,
    shstrndx: u16,
) -> Vec<u8> {
    let mut h = Vec::with_capacity(64);
    h.extend(b"\x7fELF");
    h.extend([2, 1, 1, 0]); // 64-bit, little endian, version 1, SysV
    h.extend([0u8; 8]);
    h.extend(3u16.to_le_bytes()); // ET_DYN
    h.extend(62u16.to_le_bytes()); // EM_X86_64
    h.extend(1u32.to_le_bytes());
    h.extend(0u64.to_le_bytes()); // entry
    h.extend(phoff.to_le_bytes());
    h.extend(shoff.to_le_bytes());
    h.extend(0u32.to_le_bytes()); // flags
    h.extend(64u16.to_le_bytes()); // ehsize
    h.extend(56u16.to_le_bytes()); // phentsize
    h.extend(phnum.to_le_bytes());
    h.extend(shentsize.to_le_bytes());
    h.extend(shnum.to_le_bytes());
    h.extend(shstrndx.to_le_bytes());
    h
}

/// A 64-bit little-endian ELF shared object (`ET_DYN`) with `.rodata`, `.comment`, and a
/// `.dynamic` section naming its `DT_SONAME` and `DT_NEEDED` libraries.
pub fn elf_shared_object(rodata: &[u8], comment: &str, soname: &str, needed: &[&str]) -> Vec<u8> {
    elf_shared_object_with(rodata, comment, soname, needed, &[])
}

/// [`elf_shared_object`] whose dynamic table also holds the string entries `more`: `(tag,
/// value)`, such as `DT_RPATH` (15) or `DT_RUNPATH` (29) with its colon-separated directories.
pub fn elf_shared_object_with(
    rodata: &[u8],
    comment: &str,
    soname: &str,
    needed: &[&str],
    more: &[(u64, &str)],
) -> Vec<u8> {
    // String tables.
    let (mut dynstr, so_off, needed_offs) = dynamic_strings(soname, needed);
    let more: Vec<(u64, u64)> = more
        .iter()
        .map(|(tag, v)| (*tag, add_string(&mut dynstr, v)))
        .collect();
    let mut dynamic = Vec::new();
    let mut dyn_entry = |tag: u64, val: u64| {
        dynamic.extend(tag.to_le_bytes());
        dynamic.extend(val.to_le_bytes());
    };
    for off in &needed_offs {
        dyn_entry(1, *off); // DT_NEEDED
    }
    for (tag, off) in more {
        dyn_entry(tag, off);
    }
    dyn_entry(14, so_off); // DT_SONAME
    dyn_entry(0, 0); // DT_NULL
    let mut comment_bytes = comment.as_bytes().to_vec();
    comment_bytes.push(0);
    let mut shstrtab = vec![0u8];
    let names: Vec<u32> = [".rodata", ".comment", ".dynstr", ".dynamic", ".shstrtab"]
        .iter()
        .map(|n| add_string(&mut shstrtab, n) as u32)
        .collect();

    // Layout: header, then each section's data (8-aligned), then the section header table.
    let mut out = vec![0u8; 64];
    let place = |data: &[u8], out: &mut Vec<u8>| {
        pad(out, 8);
        let off = out.len() as u64;
        out.extend_from_slice(data);
        off
    };
    let rodata_off = place(rodata, &mut out);
    let comment_off = place(&comment_bytes, &mut out);
    let dynstr_off = place(&dynstr, &mut out);
    let dynamic_off = place(&dynamic, &mut out);
    let shstr_off = place(&shstrtab, &mut out);
    pad(&mut out, 8);
    let shoff = out.len() as u64;
    let section = |name: u32,
                   typ: u32,
                   flags: u64,
                   off: u64,
                   size: u64,
                   link: u32,
                   align: u64,
                   entsize: u64| {
        let mut s = Vec::with_capacity(64);
        s.extend(name.to_le_bytes());
        s.extend(typ.to_le_bytes());
        s.extend(flags.to_le_bytes());
        s.extend(0u64.to_le_bytes()); // addr
        s.extend(off.to_le_bytes());
        s.extend(size.to_le_bytes());
        s.extend(link.to_le_bytes());
        s.extend(0u32.to_le_bytes()); // info
        s.extend(align.to_le_bytes());
        s.extend(entsize.to_le_bytes());
        s
    };
    out.extend(vec![0u8; 64]); // SHN_UNDEF
    out.extend(section(
        names[0],
        1,
        2,
        rodata_off,
        rodata.len() as u64,
        0,
        8,
        0,
    )); // PROGBITS, ALLOC
    out.extend(section(
        names[1],
        1,
        0x30,
        comment_off,
        comment_bytes.len() as u64,
        0,
        1,
        1,
    )); // MERGE|STRINGS
    out.extend(section(
        names[2],
        3,
        2,
        dynstr_off,
        dynstr.len() as u64,
        0,
        1,
        0,
    )); // STRTAB
    out.extend(section(
        names[3],
        6,
        3,
        dynamic_off,
        dynamic.len() as u64,
        3,
        8,
        16,
    )); // DYNAMIC → .dynstr
    out.extend(section(
        names[4],
        3,
        0,
        shstr_off,
        shstrtab.len() as u64,
        0,
        1,
        0,
    ));
    // No program headers; six section headers, names in the last.
    out[..64].copy_from_slice(&elf64_dyn_header(0, 0, shoff, 64, 6, 5));
    out
}

/// A 64-bit little-endian ELF shared object as `sstrip` leaves one: no section headers at all,
/// only the program headers the loader reads (a `PT_LOAD` mapping the whole file at
/// [`SSTRIPPED_BASE`], a `PT_DYNAMIC`), `rodata` after them, and a dynamic table naming its
/// `DT_SONAME` and `DT_NEEDED` libraries through `DT_STRTAB`/`DT_STRSZ`.
pub fn elf_sstripped_library(rodata: &[u8], soname: &str, needed: &[&str]) -> Vec<u8> {
    let (dynstr, so_off, needed_offs) = dynamic_strings(soname, needed);
    // Layout: header, two program headers, rodata, dynstr, dynamic.
    let phoff = 64u64;
    let mut out = vec![0u8; 64 + 2 * 56];
    out.extend_from_slice(rodata);
    pad(&mut out, 8);
    let dynstr_off = out.len() as u64;
    out.extend_from_slice(&dynstr);
    pad(&mut out, 8);
    let dynamic_off = out.len() as u64;
    let mut dynamic = Vec::new();
    let mut entry = |tag: u64, val: u64| {
        dynamic.extend(tag.to_le_bytes());
        dynamic.extend(val.to_le_bytes());
    };
    for off in &needed_offs {
        entry(1, *off); // DT_NEEDED
    }
    entry(14, so_off); // DT_SONAME
    entry(5, SSTRIPPED_BASE + dynstr_off); // DT_STRTAB (an address)
    entry(10, dynstr.len() as u64); // DT_STRSZ
    entry(0, 0); // DT_NULL
    out.extend_from_slice(&dynamic);
    let total = out.len() as u64;
    let segment = |typ: u32, flags: u32, off: u64, size: u64, align: u64| {
        let mut p = Vec::with_capacity(56);
        p.extend(typ.to_le_bytes());
        p.extend(flags.to_le_bytes());
        p.extend(off.to_le_bytes());
        p.extend((SSTRIPPED_BASE + off).to_le_bytes()); // vaddr
        p.extend((SSTRIPPED_BASE + off).to_le_bytes()); // paddr
        p.extend(size.to_le_bytes()); // filesz
        p.extend(size.to_le_bytes()); // memsz
        p.extend(align.to_le_bytes());
        p
    };
    let load = segment(1, 5, 0, total, 0x1000); // PT_LOAD, R+X
    let dynamic_seg = segment(2, 6, dynamic_off, dynamic.len() as u64, 8); // PT_DYNAMIC
    out[64..120].copy_from_slice(&load);
    out[120..176].copy_from_slice(&dynamic_seg);
    // Two program headers; no section headers at all.
    out[..64].copy_from_slice(&elf64_dyn_header(phoff, 2, 0, 0, 0, 0));
    out
}

/// Where [`elf_sstripped_library`] maps its file.
pub const SSTRIPPED_BASE: u64 = 0x10000;

/// An Apple code signature SuperBlob (as `codesign` writes one) holding `cms` in its CMS blob
/// wrapper, after an empty code directory slot.
pub fn code_signature_superblob(cms: &[u8]) -> Vec<u8> {
    let be = |v: u32| v.to_be_bytes();
    // The code directory: a blob of its own magic, empty past its header.
    let directory: Vec<u8> = [be(0xfade_0c02), be(8)].concat();
    let wrapper: Vec<u8> = [
        be(0xfade_0b01).to_vec(),
        be(8 + cms.len() as u32).to_vec(),
        cms.to_vec(),
    ]
    .concat();
    let header = 12 + 2 * 8;
    let mut out = Vec::new();
    out.extend(be(0xfade_0cc0));
    out.extend(be((header + directory.len() + wrapper.len()) as u32));
    out.extend(be(2));
    out.extend(be(0)); // CSSLOT_CODEDIRECTORY
    out.extend(be(header as u32));
    out.extend(be(0x10000)); // CSSLOT_SIGNATURESLOT
    out.extend(be((header + directory.len()) as u32));
    out.extend(directory);
    out.extend(wrapper);
    out
}

/// A 64-bit Mach-O dynamic library whose one load command is `LC_CODE_SIGNATURE`, pointing to
/// a code signature holding `cms` (see [`code_signature_superblob`]).
pub fn macho_signed_dylib(cms: &[u8]) -> Vec<u8> {
    let blob = code_signature_superblob(cms);
    let dataoff = 64u32;
    let mut out = Vec::new();
    for v in [0xfeed_facfu32, 0x0100_0007, 3, 6, 1, 16, 0, 0] {
        out.extend(v.to_le_bytes()); // magic, x86_64, subtype, MH_DYLIB, 1 command of 16 bytes
    }
    for v in [0x1du32, 16, dataoff, blob.len() as u32] {
        out.extend(v.to_le_bytes()); // LC_CODE_SIGNATURE
    }
    out.resize(dataoff as usize, 0);
    out.extend(blob);
    out
}

/// A 64-bit Mach-O dynamic library whose load commands are `dylib_command`s: `(cmd, name)`,
/// `cmd` one of `LC_ID_DYLIB`, `LC_LOAD_DYLIB`, `LC_LOAD_WEAK_DYLIB`, `LC_REEXPORT_DYLIB`,
/// `LC_LAZY_LOAD_DYLIB`, `LC_LOAD_UPWARD_DYLIB`; or an `rpath_command` (`LC_RPATH`, a run path).
pub fn macho_dylib(commands: &[(object::macho::LoadCommandType, &str)]) -> Vec<u8> {
    let mut cmds = Vec::new();
    for (cmd, name) in commands {
        // cmd, cmdsize, name offset, timestamp, current and compatibility versions, the name;
        // a run path's command holds only the first three.
        let words: &[u32] = if *cmd == object::macho::LC_RPATH {
            &[12]
        } else {
            &[24, 2, 0x1_0000, 0x1_0000]
        };
        let size = (8 + 4 * words.len() + name.len() + 1).next_multiple_of(8);
        let mut c = Vec::new();
        for v in [&[cmd.0, size as u32][..], words].concat() {
            c.extend(v.to_le_bytes());
        }
        c.extend(name.as_bytes());
        c.resize(size, 0);
        cmds.extend(c);
    }
    let mut out = Vec::new();
    // magic, x86_64, subtype, MH_DYLIB, commands and their size, flags, reserved.
    for v in [
        0xfeed_facfu32,
        0x0100_0007,
        3,
        6,
        commands.len() as u32,
        cmds.len() as u32,
        0,
        0,
    ] {
        out.extend(v.to_le_bytes());
    }
    out.extend(cmds);
    out
}

/// The LEB128 encoding of `n`, as WebAssembly writes sizes and counts.
fn leb128(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// A WebAssembly name: its length, then its bytes.
fn wasm_name(s: &str) -> Vec<u8> {
    [leb128(s.len()), s.as_bytes().to_vec()].concat()
}

/// A WebAssembly section: its id, its size, its body.
fn wasm_section(id: u8, body: &[u8]) -> Vec<u8> {
    [vec![id], leb128(body.len()), body.to_vec()].concat()
}

/// A WebAssembly core module (version 1) with one function type, an import section importing a
/// function of it from each `(module, name)` of `imports` (none if empty), then the custom
/// sections `custom` (`(name, contents)`: a `producers` section, a notice).
pub fn wasm_module(imports: &[(&str, &str)], custom: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    // One type: (func (param i32) (result i32)).
    out.extend(wasm_section(1, &[1, 0x60, 1, 0x7f, 1, 0x7f]));
    if !imports.is_empty() {
        let mut body = leb128(imports.len());
        for (module, name) in imports {
            body.extend(wasm_name(module));
            body.extend(wasm_name(name));
            body.extend([0x00, 0x00]); // a function of type 0
        }
        out.extend(wasm_section(2, &body));
    }
    for (name, contents) in custom {
        out.extend(wasm_section(
            0,
            &[wasm_name(name), contents.to_vec()].concat(),
        ));
    }
    out
}

/// A dynamically linked WebAssembly module (an Emscripten side module): a first `dylink.0`
/// section listing the libraries it needs and its runtime path, then [`wasm_module`]'s
/// sections with `imports`.
pub fn wasm_side_module(
    needed: &[&str],
    runtime_path: &[&str],
    imports: &[(&str, &str)],
) -> Vec<u8> {
    let list = |names: &[&str]| -> Vec<u8> {
        let mut b = leb128(names.len());
        for n in names {
            b.extend(wasm_name(n));
        }
        b
    };
    let mut dylink = wasm_name("dylink.0");
    // WASM_DYLINK_MEM_INFO (sizes and alignments, all zero), NEEDED, RUNTIME_PATH.
    for (id, body) in [
        (1u8, vec![0, 0, 0, 0]),
        (2, list(needed)),
        (5, list(runtime_path)),
    ] {
        dylink.push(id);
        dylink.extend(leb128(body.len()));
        dylink.extend(body);
    }
    let module = wasm_module(imports, &[]);
    [&module[..8], &wasm_section(0, &dylink), &module[8..]].concat()
}

/// A WebAssembly component whose import section imports an instance under each of `imports`
/// (`kaspersky:scan/engine@1.0.0`), then the core module `inner` nested in it.
pub fn wasm_component(imports: &[&str], inner: &[u8]) -> Vec<u8> {
    let mut out = b"\0asm\x0d\0\x01\0".to_vec();
    let mut body = leb128(imports.len());
    for name in imports {
        body.push(0x00);
        body.extend(wasm_name(name));
        body.extend([0x05, 0x00]); // an instance of type 0
    }
    out.extend(wasm_section(10, &body));
    out.extend(wasm_section(1, inner));
    out
}

/// A Java class file (major version 52) defining `this` and whose constant pool refers to
/// the classes `refs` (JVM names, `a/b/C`), with no fields, methods or attributes.
pub fn class_file(this: &str, refs: &[&str]) -> Vec<u8> {
    let be16 = |v: usize| u16::try_from(v).expect("small").to_be_bytes();
    let mut pool = Vec::new();
    let mut index = 1usize;
    let mut this_index = 0usize;
    for (n, name) in std::iter::once(this)
        .chain(refs.iter().copied())
        .enumerate()
    {
        pool.push(1u8); // CONSTANT_Utf8
        pool.extend(be16(name.len()));
        pool.extend(name.as_bytes());
        pool.push(7u8); // CONSTANT_Class → the Utf8 just written
        pool.extend(be16(index));
        if n == 0 {
            this_index = index + 1;
        }
        index += 2;
    }
    let mut out = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52];
    out.extend(be16(index)); // constant_pool_count
    out.extend(pool);
    out.extend(be16(0x21)); // ACC_PUBLIC | ACC_SUPER
    out.extend(be16(this_index));
    for _ in 0..5 {
        out.extend(be16(0)); // super_class, interfaces, fields, methods, attributes
    }
    out
}

/// An Android dex file whose type table holds the descriptors `defined` (each with a class
/// definition) and `referenced` (`Lcom/x/Y;`, or a primitive such as `I`).
pub fn dex(defined: &[&str], referenced: &[&str]) -> Vec<u8> {
    let le = |v: usize| u32::try_from(v).expect("small").to_le_bytes();
    let all: Vec<&str> = defined.iter().chain(referenced).copied().collect();
    let n = all.len();
    let strings_at = 0x70;
    let types_at = strings_at + 4 * n;
    let defs_at = types_at + 4 * n;
    let data_at = defs_at + 32 * defined.len();
    let mut data = Vec::new();
    let mut string_offsets = Vec::new();
    for s in &all {
        string_offsets.push(data_at + data.len());
        data.push(u8::try_from(s.len()).expect("short")); // uleb128 length
        data.extend(s.as_bytes());
        data.push(0);
    }
    let mut out = vec![0u8; 0x70];
    out[..8].copy_from_slice(b"dex\n035\0");
    out[0x20..0x24].copy_from_slice(&le(data_at + data.len())); // file_size
    out[0x24..0x28].copy_from_slice(&le(0x70)); // header_size
    out[0x28..0x2c].copy_from_slice(&0x1234_5678u32.to_le_bytes()); // endian_tag
    out[0x38..0x3c].copy_from_slice(&le(n));
    out[0x3c..0x40].copy_from_slice(&le(strings_at));
    out[0x40..0x44].copy_from_slice(&le(n));
    out[0x44..0x48].copy_from_slice(&le(types_at));
    out[0x60..0x64].copy_from_slice(&le(defined.len()));
    out[0x64..0x68].copy_from_slice(&le(defs_at));
    for o in &string_offsets {
        out.extend(le(*o));
    }
    for i in 0..n {
        out.extend(le(i)); // type i → string i
    }
    for i in 0..defined.len() {
        let mut def = vec![0u8; 32];
        def[..4].copy_from_slice(&le(i)); // class_idx
        out.extend(def);
    }
    out.extend(data);
    out
}

/// A 64-bit Mach-O object whose `__TEXT,__cstring` section holds `cstring`.
pub fn macho_object(cstring: &[u8]) -> Vec<u8> {
    use object::write::{Object, StandardSection};
    let mut obj = Object::new(
        object::BinaryFormat::MachO,
        object::Architecture::X86_64,
        object::Endianness::Little,
    );
    let id = obj.section_id(StandardSection::ReadOnlyString);
    obj.append_section_data(id, cstring, 1);
    obj.write().expect("in memory")
}

/// A 64-bit ELF relocatable object with `data` in `.rodata` (an archive member).
pub fn elf_object(data: &[u8]) -> Vec<u8> {
    use object::write::{Object, StandardSection};
    let mut obj = Object::new(
        object::BinaryFormat::Elf,
        object::Architecture::X86_64,
        object::Endianness::Little,
    );
    let id = obj.section_id(StandardSection::ReadOnlyData);
    obj.append_section_data(id, data, 1);
    obj.write().expect("in memory")
}

/// A 64-bit ELF relocatable object whose `.note.package` section (`SHT_NOTE`) holds one note
/// of owner `name` and type `n_type` describing `desc`: package metadata as a build stamps it
/// (owner `FDO`, type `0xcafe1a7e`, a JSON object ending in NUL).
pub fn elf_object_with_note(name: &str, n_type: u32, desc: &[u8]) -> Vec<u8> {
    use object::write::Object;
    let mut obj = Object::new(
        object::BinaryFormat::Elf,
        object::Architecture::X86_64,
        object::Endianness::Little,
    );
    let mut note = Vec::new();
    note.extend(u32::try_from(name.len() + 1).expect("small").to_le_bytes());
    note.extend(u32::try_from(desc.len()).expect("small").to_le_bytes());
    note.extend(n_type.to_le_bytes());
    note.extend(name.as_bytes());
    note.push(0);
    pad(&mut note, 4);
    note.extend(desc);
    pad(&mut note, 4);
    let id = obj.add_section(
        Vec::new(),
        b".note.package".to_vec(),
        object::SectionKind::Note,
    );
    obj.append_section_data(id, &note, 4);
    obj.write().expect("in memory")
}

/// A 64-bit PE DLL with one more section, `name` (at most 8 bytes), holding `data`: a
/// `.pkgnote` of package metadata, say.
pub fn pe_dll_with_section(name: &str, data: &[u8]) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = object::write::pe::Writer::new(true, 0x1000, 0x200, &mut buf);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(pe::IMAGE_NUMBEROF_DIRECTORY_ENTRIES);
    w.reserve_section_headers(1);
    let mut n = [0u8; 8];
    n[..name.len()].copy_from_slice(name.as_bytes());
    let size = u32::try_from(data.len()).expect("small");
    let sec = w.reserve_section(
        n,
        pe::IMAGE_SCN_CNT_INITIALIZED_DATA | pe::IMAGE_SCN_MEM_READ,
        size,
        size,
    );
    w.write_dos_header_and_stub().expect("in memory");
    w.write_nt_headers(dll_nt_headers());
    w.write_section_headers();
    w.write_section(sec.file_offset, data);
    buf
}

/// A fat (universal) Mach-O whose `count` architecture entries all point at the same `slice`:
/// a few bytes that ask for `count` inspections, and `count` to the power of the depth when
/// nested (the shape fuzzing and a hostile package use).
pub fn fat_macho_repeated(slice: &[u8], count: u32) -> Vec<u8> {
    let header = 8 + 20 * count as usize;
    let offset = header.next_multiple_of(16);
    let mut out = Vec::with_capacity(offset + slice.len());
    out.extend(0xCAFE_BABEu32.to_be_bytes());
    out.extend(count.to_be_bytes());
    // x86_64, arm64, i386, arm, powerpc64, powerpc, then again.
    const CPUS: [u32; 6] = [0x0100_0007, 0x0100_000C, 7, 12, 0x0100_0012, 18];
    for i in 0..count {
        out.extend(CPUS[i as usize % CPUS.len()].to_be_bytes());
        out.extend(3u32.to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((slice.len() as u32).to_be_bytes());
        out.extend(4u32.to_be_bytes());
    }
    out.resize(offset, 0);
    out.extend(slice);
    out
}

/// A 64-bit little-endian ELF with `sections` section headers, every one of them covering the
/// whole of `body` (and the header before it): one copy of the bytes that asks to be read
/// `sections` times.
pub fn elf_overlapping_sections(body: &[u8], sections: u32) -> Vec<u8> {
    // A NUL first: the section-name table (section 1) is that one byte.
    let body = [&[0u8][..], body].concat();
    let covered = 64 + body.len() as u64;
    let mut out = Vec::new();
    out.extend([0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    out.extend([0u8; 8]);
    out.extend(1u16.to_le_bytes()); // e_type: relocatable
    out.extend(62u16.to_le_bytes()); // e_machine: x86-64
    out.extend(1u32.to_le_bytes()); // e_version
    out.extend(0u64.to_le_bytes()); // e_entry
    out.extend(0u64.to_le_bytes()); // e_phoff
    out.extend(covered.to_le_bytes()); // e_shoff
    out.extend(0u32.to_le_bytes()); // e_flags
    out.extend(64u16.to_le_bytes()); // e_ehsize
    out.extend(56u16.to_le_bytes()); // e_phentsize
    out.extend(0u16.to_le_bytes()); // e_phnum
    out.extend(64u16.to_le_bytes()); // e_shentsize
    out.extend(((sections + 2).min(0xfeff) as u16).to_le_bytes()); // e_shnum
    out.extend(1u16.to_le_bytes()); // e_shstrndx
    out.extend(&body);
    out.extend([0u8; 64]); // the null section
    // The section-name table: the NUL at the start of the body.
    out.extend(0u32.to_le_bytes());
    out.extend(3u32.to_le_bytes()); // SHT_STRTAB
    out.extend(0u64.to_le_bytes());
    out.extend(0u64.to_le_bytes());
    out.extend(64u64.to_le_bytes());
    out.extend(1u64.to_le_bytes());
    out.extend([0u8; 24]);
    for _ in 0..sections.min(0xfefd) {
        out.extend(0u32.to_le_bytes()); // sh_name
        out.extend(1u32.to_le_bytes()); // SHT_PROGBITS
        out.extend(0u64.to_le_bytes()); // sh_flags
        out.extend(0u64.to_le_bytes()); // sh_addr
        out.extend(0u64.to_le_bytes()); // sh_offset
        out.extend(covered.to_le_bytes()); // sh_size
        out.extend(0u32.to_le_bytes()); // sh_link
        out.extend(0u32.to_le_bytes()); // sh_info
        out.extend(1u64.to_le_bytes()); // sh_addralign
        out.extend(0u64.to_le_bytes()); // sh_entsize
    }
    out
}

/// A System V `ar` static archive.
pub fn ar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = b"!<arch>\n".to_vec();
    for (name, data) in members {
        let header = format!(
            "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
            format!("{name}/"),
            0,
            0,
            0,
            644,
            data.len()
        );
        out.extend(header.as_bytes());
        out.extend_from_slice(data);
        if out.len() % 2 == 1 {
            out.push(b'\n');
        }
    }
    out
}

/// A zip of these entries (deflated).
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("in memory");
        w.write_all(data).expect("in memory");
    }
    w.finish().expect("in memory").into_inner()
}

/// A tar of these entries.
pub fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // `append_data` refuses `..`; write the raw name so hostile names can be tested.
        let raw = name.as_bytes();
        h.as_old_mut().name[..raw.len()].copy_from_slice(raw);
        h.set_cksum();
        b.append(&h, *data).expect("in memory");
    }
    b.into_inner().expect("in memory")
}

/// A Windows Installer package (`.msi`): its summary's author, `Property` rows, binary streams
/// (an embedded cabinet, say) and, when given, a `\u{5}DigitalSignature` stream (a DER
/// SignedData, as [`signed_data`] makes).
pub fn msi(
    author: Option<&str>,
    properties: &[(&str, &str)],
    streams: &[(&str, &[u8])],
    signature: Option<&[u8]>,
) -> Vec<u8> {
    let cursor = std::io::Cursor::new(Vec::new());
    let mut p = msi::Package::create(msi::PackageType::Installer, cursor).expect("in memory");
    if let Some(a) = author {
        p.summary_info_mut().set_author(a);
    }
    let columns = vec![
        msi::Column::build("Property").primary_key().id_string(72),
        msi::Column::build("Value").formatted_string(0),
    ];
    p.create_table("Property", columns).expect("in memory");
    if !properties.is_empty() {
        let rows = properties
            .iter()
            .fold(msi::Insert::into("Property"), |q, (k, v)| {
                q.row(vec![msi::Value::from(*k), msi::Value::from(*v)])
            });
        p.insert_rows(rows).expect("in memory");
    }
    for (name, data) in streams {
        p.write_stream(name)
            .expect("a valid stream name")
            .write_all(data)
            .expect("in memory");
    }
    let cursor = p.into_inner().expect("in memory");
    let Some(der) = signature else {
        return cursor.into_inner();
    };
    let mut comp = cfb::CompoundFile::open(cursor).expect("in memory");
    comp.create_stream("\u{5}DigitalSignature")
        .expect("in memory")
        .write_all(der)
        .expect("in memory");
    comp.flush().expect("in memory");
    comp.into_inner().into_inner()
}

/// gzip of `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

/// bzip2 of `data` (the fastest level).
pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

// --- hostile shapes -----------------------------------------------------------------------------
//
// Inputs a few KiB long that ask the recognisers for a great deal of work, each within every
// per-file limit or nearly: the shapes hostile packages use, kept as generators so that the
// budget tests and the fuzzing seeds (scripts/fuzz.sh) are the same bytes.

/// A fat Mach-O `depth` levels deep, each level's `slices` entries all pointing at the level
/// below, a Mach-O object with a notice at the bottom: `slices` to the power `depth`
/// inspections asked for by a few KiB (32 and 4: a million, from under 64 KiB).
pub fn nested_fat_macho(depth: u32, slices: u32) -> Vec<u8> {
    let mut fat = macho_object(b"Copyright (c) AO Kaspersky Lab\0");
    for _ in 0..depth {
        fat = fat_macho_repeated(&fat, slices);
    }
    fat
}

/// How many inspections [`nested_fat_macho`] asks for: the file, and every slice of every level.
pub fn nested_fat_inspections(depth: u32, slices: u32) -> u64 {
    (0..=depth).map(|d| u64::from(slices).pow(d)).sum()
}

/// `count` bzip2 streams of `each` zero bytes, one after the other: a multi-stream file, or
/// (see [`bzip2_members_tar`]) many small bombs.
pub fn bzip2_streams(count: usize, each: usize) -> Vec<u8> {
    bzip2(&vec![0u8; each]).repeat(count)
}

/// A tar of `count` members `bomb-N.bz2`, each a bzip2 stream of `each` zero bytes.
pub fn bzip2_members_tar(count: usize, each: usize) -> Vec<u8> {
    let bomb = bzip2(&vec![0u8; each]);
    let names: Vec<String> = (0..count).map(|i| format!("bomb-{i}.bz2")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &bomb[..])).collect();
    tar(&entries)
}

/// The seeds the fuzz targets start from (`fuzz target`, `file name`, bytes): the hostile shapes
/// above, each small enough for the target's input length (64 KiB; 4 MiB for `binary`).
pub fn fuzz_seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let elf_body = vec![0u8; 64 * 1024];
    vec![
        // 32 slices, four levels: a million inspections from under 64 KiB.
        ("binary", "fat-32x4.macho", nested_fat_macho(4, 32)),
        // Deeper than the nesting the inspector follows.
        ("binary", "fat-4x6.macho", nested_fat_macho(6, 4)),
        // 60,000 section headers, each covering the whole file (about 3.9 MB).
        (
            "binary",
            "elf-60000-overlapping.elf",
            elf_overlapping_sections(&elf_body, 60_000),
        ),
        // The same, compressed: a package file of a few KiB.
        (
            "package",
            "elf-30000-overlapping.elf.gz",
            gzip(&elf_overlapping_sections(&elf_body, 30_000)),
        ),
        ("package", "fat-32x4.macho", nested_fat_macho(4, 32)),
        // Many tiny bzip2 bombs in one compressed tar, and one after the other in one stream.
        (
            "package",
            "bombs-2000.tar.bz2",
            bzip2(&bzip2_members_tar(2000, 1 << 20)),
        ),
        ("archive", "streams-1000.bz2", bzip2_streams(1000, 1 << 20)),
        (
            "archive",
            "bombs-2000.tar.bz2",
            bzip2(&bzip2_members_tar(2000, 1 << 20)),
        ),
    ]
}

/// A SquashFS 4 image holding `files` (`path`, bytes; directories made as needed), its blocks
/// zlib-compressed (`mksquashfs -comp gzip`), written by backhand.
pub fn squashfs(files: &[(&str, &[u8])]) -> Vec<u8> {
    use backhand::compression::{CompressionAction, Compressor};
    use backhand::{BackhandError, FilesystemCompressor, NodeHeader, SuperBlock};

    struct Zlib;
    impl CompressionAction for Zlib {
        type Error = BackhandError;
        type Compressor = Compressor;
        type FilesystemCompressor = FilesystemCompressor;
        type SuperBlock = SuperBlock;
        fn decompress(
            &self,
            bytes: &[u8],
            out: &mut Vec<u8>,
            _: Compressor,
        ) -> Result<(), BackhandError> {
            use std::io::Read;
            flate2::read::ZlibDecoder::new(bytes).read_to_end(out)?;
            Ok(())
        }
        fn compress(
            &self,
            bytes: &[u8],
            _: FilesystemCompressor,
            _: u32,
        ) -> Result<Vec<u8>, BackhandError> {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(bytes)?;
            Ok(e.finish()?)
        }
    }
    static ZLIB: Zlib = Zlib;

    let mut fs = backhand::FilesystemWriter::default();
    fs.set_kind(backhand::kind::Kind::new_v4(&ZLIB));
    fs.set_compressor(FilesystemCompressor::new(Compressor::Gzip, None).expect("no options"));
    let header = NodeHeader {
        permissions: 0o644,
        ..NodeHeader::default()
    };
    for (path, bytes) in files {
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            fs.push_dir_all(
                dir,
                NodeHeader {
                    permissions: 0o755,
                    ..header
                },
            )
            .expect("a directory");
        }
        fs.push_file(std::io::Cursor::new(bytes.to_vec()), path, header)
            .expect("a file");
    }
    let mut out = std::io::Cursor::new(Vec::new());
    fs.write(&mut out).expect("an image");
    out.into_inner()
}

/// An AppImage: an ELF executable (its runtime) with a SquashFS image of `files` appended.
pub fn appimage(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = elf_shared_object(
        b"AppImage runtime: mounts the image appended to it",
        "GCC: (GNU) 13.2.0",
        "runtime",
        &["libc.so.6"],
    );
    b.extend(squashfs(files));
    b
}

/// A one-page PDF document as a PDF writer lays one out: its page's content stream (`text`,
/// one line of the page each, drawn with `Tj`) deflated, each of `attachments` (`name`, bytes)
/// an embedded file stream, deflated, and the catalog and document information (`author`)
/// packed into a deflated object stream, so nothing of them is in the file's own bytes.
pub fn pdf(text: &[&str], author: &str, attachments: &[(&str, &[u8])]) -> Vec<u8> {
    fn deflate(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(b).expect("in memory");
        e.finish().expect("in memory")
    }
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)")
    };
    let mut content = String::from("BT\n/F1 11 Tf\n72 720 Td\n14 TL\n");
    for line in text {
        // A line written as an array is shown as one, kerning and all (`[(Kasp)-30(ersky)]`).
        if line.starts_with('[') {
            content.push_str(&format!("{line} TJ T*\n"));
        } else {
            content.push_str(&format!("({}) Tj T*\n", escape(line)));
        }
    }
    content.push_str("ET\n");
    // Objects 1-2 (catalog, information) go into object stream 3; 4 is the page tree, 5 the
    // page, 6 its content, 7 the font, 8.. the attachments.
    let files: Vec<String> = attachments
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(
                "({}) << /Type /Filespec /F ({}) /EF << /F {} 0 R >> >>",
                escape(name),
                escape(name),
                8 + i
            )
        })
        .collect();
    let catalog = format!(
        "<< /Type /Catalog /Pages 4 0 R /Names << /EmbeddedFiles << /Names [{}] >> >> >>",
        files.join(" ")
    );
    let info = format!(
        "<< /Title (Engine SDK Manual) /Author ({}) >>",
        escape(author)
    );
    let offsets = format!("1 0 2 {}", catalog.len() + 1);
    let packed = format!("{offsets}\n{catalog}\n{info}\n");
    let first = offsets.len() + 1;
    let mut objects: Vec<(usize, Vec<u8>)> = Vec::new();
    let stream = |dict: String, data: Vec<u8>| {
        let mut b = format!(
            "<< {dict} /Length {} /Filter /FlateDecode >>\nstream\n",
            data.len()
        )
        .into_bytes();
        b.extend(data);
        b.extend(b"\nendstream");
        b
    };
    objects.push((
        3,
        stream(
            format!("/Type /ObjStm /N 2 /First {first}"),
            deflate(packed.as_bytes()),
        ),
    ));
    objects.push((4, b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>".to_vec()));
    objects.push((
        5,
        b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] /Contents 6 0 R /Resources << /Font << /F1 7 0 R >> >> >>".to_vec(),
    ));
    objects.push((6, stream(String::new(), deflate(content.as_bytes()))));
    objects.push((
        7,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ));
    for (i, (_, bytes)) in attachments.iter().enumerate() {
        objects.push((8 + i, stream("/Type /EmbeddedFile".into(), deflate(bytes))));
    }
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut xref = Vec::new();
    for (n, body) in &objects {
        xref.push((*n, out.len()));
        out.extend(format!("{n} 0 obj\n").into_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    // The cross-reference stream: the objects written out (type 1: their offsets) and the two
    // packed into object stream 3 (type 2: the stream and their index in it).
    let xref_object = 8 + attachments.len();
    let mut rows = vec![[0u8, 0, 0, 0, 0xff, 0xff, 0]; xref_object + 1];
    rows[1] = [2, 0, 0, 0, 3, 0, 0];
    rows[2] = [2, 0, 0, 0, 3, 0, 1];
    let start = out.len();
    for (n, at) in xref.iter().chain([(xref_object, start)].iter()) {
        let at = u32::try_from(*at).expect("a small file").to_be_bytes();
        rows[*n] = [1, at[0], at[1], at[2], at[3], 0, 0];
    }
    let table: Vec<u8> = rows.concat();
    out.extend(format!("{xref_object} 0 obj\n").into_bytes());
    out.extend(stream(
        format!(
            "/Type /XRef /Size {} /W [1 4 2] /Root 1 0 R /Info 2 0 R",
            xref_object + 1
        ),
        deflate(&table),
    ));
    out.extend(format!("\nendobj\nstartxref\n{start}\n%%EOF\n").into_bytes());
    out
}

/// A self-issued X.509 certificate (DER) for `subject` (see [`signed_data`]).
pub fn certificate(subject: &str) -> Vec<u8> {
    use der::{Decode, Encode};
    let info = cms::content_info::ContentInfo::from_der(&signed_data(subject, None)).expect("ours");
    let signed: cms::signed_data::SignedData = info.content.decode_as().expect("ours");
    let certs = signed.certificates.expect("one certificate");
    let cms::cert::CertificateChoices::Certificate(cert) = certs.0.get(0).expect("one") else {
        unreachable!("a plain certificate")
    };
    cert.to_der().expect("encodes")
}

/// An Android app: a zip of `entries` with an APK Signing Block before its central directory
/// holding a v2 signature-scheme signer with `chain` (its own certificate's subject first, as
/// `apksigner` writes it). The digests, signatures and key are dummies.
pub fn apk_v2_signed(entries: &[(&str, &[u8])], chain: &[&str]) -> Vec<u8> {
    fn prefixed(items: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = items
            .iter()
            .flat_map(|i| {
                let mut b = u32::try_from(i.len())
                    .expect("small")
                    .to_le_bytes()
                    .to_vec();
                b.extend(i);
                b
            })
            .collect();
        let mut out = u32::try_from(body.len())
            .expect("small")
            .to_le_bytes()
            .to_vec();
        out.extend(body);
        out
    }
    let certificates: Vec<Vec<u8>> = chain.iter().map(|s| certificate(s)).collect();
    let digests = prefixed(&[[
        0x0103u32.to_le_bytes().to_vec(),
        prefixed(&[vec![0xd1; 32]])[4..].to_vec(),
    ]
    .concat()]);
    let signed_data = [digests, prefixed(&certificates), prefixed(&[])].concat();
    let signatures = prefixed(&[[
        0x0103u32.to_le_bytes().to_vec(),
        prefixed(&[vec![0x5a; 64]])[4..].to_vec(),
    ]
    .concat()]);
    let signer = [
        prefixed(&[signed_data])[4..].to_vec(),
        signatures,
        prefixed(&[vec![0x30; 32]])[4..].to_vec(),
    ]
    .concat();
    let value = prefixed(&[signer]);
    let mut pairs = (value.len() as u64 + 4).to_le_bytes().to_vec();
    pairs.extend(0x7109_871au32.to_le_bytes());
    pairs.extend(&value);
    let size = (pairs.len() + 24) as u64;
    let mut block = size.to_le_bytes().to_vec();
    block.extend(&pairs);
    block.extend(size.to_le_bytes());
    block.extend(b"APK Sig Block 42");
    // Spliced in before the central directory, whose offset in the end record moves past it.
    let mut z = zip(entries);
    let end = z.len() - 22;
    let cd = u32::from_le_bytes(z[end + 16..end + 20].try_into().expect("4 bytes")) as usize;
    let moved = u32::try_from(cd + block.len()).expect("small");
    z[end + 16..end + 20].copy_from_slice(&moved.to_le_bytes());
    z.splice(cd..cd, block);
    z
}

/// A .NET assembly (a 64-bit PE DLL with no version-info resource) whose metadata's `#Strings`
/// heap holds `names` (namespaces, type and assembly names), laid out as ECMA-335 II.24
/// describes: a CLI header in `.text` pointing at a metadata root with a `#~` table stream
/// (no rows) and the `#Strings` heap.
pub fn dotnet_dll(names: &[&str]) -> Vec<u8> {
    let mut strings = vec![0u8];
    for n in names {
        strings.extend(n.as_bytes());
        strings.push(0);
    }
    pad(&mut strings, 4);
    // `#~`: reserved, version 2.0, heap sizes, reserved, no table present, none sorted.
    let mut tables = vec![0u8; 4];
    tables.extend([2, 0, 0, 1]);
    tables.extend([0u8; 16]);
    let version = b"v4.0.30319\0\0";
    let headers_len = 16 + version.len() + 4 + (8 + 4) + (8 + 12);
    let mut md = Vec::new();
    md.extend(b"BSJB");
    md.extend(1u16.to_le_bytes());
    md.extend(1u16.to_le_bytes());
    md.extend(0u32.to_le_bytes());
    md.extend(u32::try_from(version.len()).expect("small").to_le_bytes());
    md.extend(version);
    md.extend(0u16.to_le_bytes());
    md.extend(2u16.to_le_bytes());
    let stream = |md: &mut Vec<u8>, offset: usize, size: usize, name: &[u8]| {
        md.extend(u32::try_from(offset).expect("small").to_le_bytes());
        md.extend(u32::try_from(size).expect("small").to_le_bytes());
        md.extend(name);
    };
    stream(&mut md, headers_len, tables.len(), b"#~\0\0");
    stream(
        &mut md,
        headers_len + tables.len(),
        strings.len(),
        b"#Strings\0\0\0\0",
    );
    assert_eq!(md.len(), headers_len);
    md.extend(&tables);
    md.extend(&strings);

    let text_len = 72 + md.len();
    let mut buf = Vec::new();
    let mut w = object::write::pe::Writer::new(true, 0x1000, 0x200, &mut buf);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(pe::IMAGE_NUMBEROF_DIRECTORY_ENTRIES);
    w.reserve_section_headers(1);
    let text = w.reserve_text_section(u32::try_from(text_len).expect("small"));
    w.set_data_directory(
        pe::IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR,
        text.virtual_address,
        72,
    );
    let mut cli = Vec::new();
    cli.extend(72u32.to_le_bytes());
    cli.extend(2u16.to_le_bytes());
    cli.extend(5u16.to_le_bytes());
    cli.extend((text.virtual_address + 72).to_le_bytes());
    cli.extend(u32::try_from(md.len()).expect("small").to_le_bytes());
    cli.extend(1u32.to_le_bytes()); // COMIMAGE_FLAGS_ILONLY
    cli.extend([0u8; 4 + 6 * 8]);
    cli.extend(&md);
    w.write_dos_header_and_stub().expect("in memory");
    w.write_nt_headers(dll_nt_headers());
    w.write_section_headers();
    w.write_section(text.file_offset, &cli);
    buf
}

/// A Go binary's module records as its linker writes them (what `go version -m` reads), between
/// Go's two sentinels: `main` the main module's path, `deps` each dependency's path and version.
pub fn go_build_records(main: &str, deps: &[(&str, &str)]) -> Vec<u8> {
    let mut text = format!("path\t{main}/cmd/agent\nmod\t{main}\t(devel)\t\n");
    for (path, version) in deps {
        text.push_str(&format!("dep\t{path}\t{version}\th1:AAAA=\n"));
    }
    text.push_str("build\t-compiler=gc\nbuild\tGOOS=linux\n");
    let mut out = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6".to_vec();
    out.extend(text.as_bytes());
    out.extend(b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2");
    out
}

/// `data` as an Intel HEX file (32 bytes a record, extended linear address records past 64 KiB),
/// as `objcopy -O ihex` writes a firmware image.
pub fn intel_hex(data: &[u8]) -> Vec<u8> {
    fn record(out: &mut String, kind: u8, address: u16, payload: &[u8]) {
        let mut bytes = vec![u8::try_from(payload.len()).expect("short")];
        bytes.extend(address.to_be_bytes());
        bytes.push(kind);
        bytes.extend(payload);
        let sum = bytes.iter().fold(0u8, |s, &b| s.wrapping_add(b));
        bytes.push(sum.wrapping_neg());
        out.push(':');
        for b in bytes {
            out.push_str(&format!("{b:02X}"));
        }
        out.push('\n');
    }
    let mut out = String::new();
    for (i, chunk) in data.chunks(32).enumerate() {
        let at = i * 32;
        if at % 0x1_0000 == 0 && at > 0 {
            let upper = u16::try_from(at >> 16).expect("under 4 GiB");
            record(&mut out, 4, 0, &upper.to_be_bytes());
        }
        record(&mut out, 0, (at & 0xffff) as u16, chunk);
    }
    record(&mut out, 1, 0, &[]);
    out.into_bytes()
}

/// A 1x1 PNG image with text chunks: each `(kind, keyword, text)`, `kind` one of `tEXt`, `zTXt`
/// (deflated) and `iTXt` (deflated, UTF-8).
pub fn png_with_text(chunks: &[(&str, &str, &str)]) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend(u32::try_from(data.len()).expect("small").to_be_bytes());
        out.extend(kind);
        out.extend(data);
        let mut h = crc32fast::Hasher::new();
        h.update(kind);
        h.update(data);
        out.extend(h.finalize().to_be_bytes());
    }
    let deflate = |b: &[u8]| {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).expect("in memory");
        e.finish().expect("in memory")
    };
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    for (kind, keyword, text) in chunks {
        let mut data = keyword.as_bytes().to_vec();
        data.push(0);
        match *kind {
            "zTXt" => {
                data.push(0);
                data.extend(deflate(text.as_bytes()));
            }
            "iTXt" => {
                data.extend([1, 0, 0, 0]);
                data.extend(deflate(text.as_bytes()));
            }
            _ => data.extend(text.as_bytes()),
        }
        chunk(&mut out, kind.as_bytes(), &data);
    }
    chunk(&mut out, b"IDAT", &deflate(&[0, 0]));
    chunk(&mut out, b"IEND", b"");
    out
}

/// A portable (odc, `070707`) cpio archive of regular files, as macOS installer payloads are.
pub fn odc_cpio(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut add = |name: &str, data: &[u8], mode: u32| {
        out.extend(
            format!(
                "070707{:06o}{:06o}{:06o}{:06o}{:06o}{:06o}{:06o}{:011o}{:06o}{:011o}",
                0,
                1,
                mode,
                0,
                0,
                1,
                0,
                0,
                name.len() + 1,
                data.len()
            )
            .into_bytes(),
        );
        out.extend(name.as_bytes());
        out.push(0);
        out.extend(data);
    };
    for (name, data) in files {
        add(name, data, 0o100644);
    }
    add("TRAILER!!!", &[], 0);
    out
}

/// Apple's pbzx framing of `data` in one stored chunk (what pbzx writes when xz would not
/// shrink a chunk).
pub fn pbzx_stored(data: &[u8]) -> Vec<u8> {
    let mut out = b"pbzx".to_vec();
    out.extend((1u64 << 24).to_be_bytes());
    out.extend(0u64.to_be_bytes());
    out.extend((data.len() as u64).to_be_bytes());
    out.extend(data);
    out
}

/// A xar archive (a macOS flat installer package) of `files` (paths with `/` become nested
/// `<file>` elements), each zlib-compressed as `application/x-gzip`, its table of contents
/// signed with a self-made certificate for `signer` (the signature bytes are dummies).
pub fn xar(files: &[(&str, &[u8])], signer: Option<&str>) -> Vec<u8> {
    use base64::Engine;
    let zlib = |data: &[u8]| {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("in memory");
        e.finish().expect("in memory")
    };
    let mut heap = vec![0u8; 20]; // the table of contents' checksum
    let mut toc = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xar>\n <toc>\n  <checksum style=\"sha1\"><offset>0</offset><size>20</size></checksum>\n",
    );
    if let Some(subject) = signer {
        let cert = base64::engine::general_purpose::STANDARD.encode(certificate(subject));
        toc.push_str(&format!(
            "  <signature style=\"RSA\"><offset>{}</offset><size>256</size><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo></signature>\n",
            heap.len()
        ));
        heap.extend([0u8; 256]);
    }
    let mut id = 0;
    let mut open: Vec<String> = Vec::new();
    for (path, data) in files {
        let parts: Vec<&str> = path.split('/').collect();
        let (dirs, name) = parts.split_at(parts.len() - 1);
        let shared = open
            .iter()
            .zip(dirs)
            .take_while(|(a, b)| a.as_str() == **b)
            .count();
        for _ in shared..open.len() {
            toc.push_str("  </file>\n");
        }
        open.truncate(shared);
        for d in &dirs[shared..] {
            id += 1;
            toc.push_str(&format!(
                "  <file id=\"{id}\"><name>{d}</name><type>directory</type>\n"
            ));
            open.push((*d).to_string());
        }
        let packed = zlib(data);
        id += 1;
        toc.push_str(&format!(
            "  <file id=\"{id}\"><name>{}</name><type>file</type><data><length>{}</length><offset>{}</offset><size>{}</size><encoding style=\"application/x-gzip\"/></data></file>\n",
            name[0],
            packed.len(),
            heap.len(),
            data.len()
        ));
        heap.extend(packed);
    }
    for _ in &open {
        toc.push_str("  </file>\n");
    }
    toc.push_str(" </toc>\n</xar>\n");
    let packed = zlib(toc.as_bytes());
    let mut out = b"xar!".to_vec();
    out.extend(28u16.to_be_bytes());
    out.extend(1u16.to_be_bytes());
    out.extend((packed.len() as u64).to_be_bytes());
    out.extend((toc.len() as u64).to_be_bytes());
    out.extend(1u32.to_be_bytes());
    out.extend(packed);
    out.extend(heap);
    out
}

#[cfg(test)]
mod fixtures {
    //! The binaries of `tests/fixtures/deep` are generated here. Run with
    //! `ENTITYCHECK_REGENERATE_FIXTURES=1 cargo test --lib fixtures` to write them; otherwise the
    //! test checks the committed files are exactly what this code produces.

    use super::*;
    use std::path::Path;

    fn files() -> Vec<(&'static str, Vec<u8>)> {
        let wide_notice: Vec<u8> = "Kaspersky Scan Engine"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        vec![
            // Its only tie: CompanyName in the version info (UTF-16LE in the file).
            (
                "crates/win-engine/bin/engine.dll",
                pe_dll(
                    &[
                        ("CompanyName", "AO Kaspersky Lab"),
                        ("ProductName", "Engine"),
                        ("FileDescription", "Scanning engine"),
                    ],
                    b"",
                    None,
                ),
            ),
            // Signed with a self-made test certificate naming a listed entity.
            (
                "crates/signed-tool/tools/updater.exe",
                pe_dll(
                    &[("CompanyName", "Updater Inc."), ("ProductName", "Updater")],
                    b"",
                    Some(&signed_data(
                        "CN=Kaspersky Lab,O=AO Kaspersky Lab,C=RU",
                        None,
                    )),
                ),
            ),
            // The notice only in .rodata of a shared library.
            (
                "crates/so-engine/lib/libscan.so",
                elf_shared_object(
                    b"\0scan v8\0Copyright (C) 2024 AO Kaspersky Lab\0",
                    "GCC: (GNU) 12.2.0",
                    "libscan.so.8",
                    &["libc.so.6"],
                ),
            ),
            // The product name only as UTF-16 inside a Mach-O object.
            ("crates/so-engine/lib/scan.o", macho_object(&wide_notice)),
            // A zip holding a notice.
            (
                "crates/sdk-bundle/assets/sdk.zip",
                zip(&[
                    (
                        "include/notice.h",
                        b"/* Copyright (c) 2023 Kaspersky Labs Limited */\n",
                    ),
                    ("README", b"SDK"),
                ]),
            ),
            // Negative controls: an ordinary DLL and a static archive of clean objects.
            (
                "crates/win-import-libs/lib/helper.dll",
                pe_dll(
                    &[
                        ("CompanyName", "Microsoft Corporation"),
                        (
                            "LegalCopyright",
                            "(c) Microsoft Corporation. All rights reserved.",
                        ),
                    ],
                    b"KERNEL32.dll",
                    None,
                ),
            ),
            (
                "crates/win-import-libs/lib/libclean.a",
                ar(&[
                    ("a.o", &elf_object(b"plain")),
                    (
                        "b.o",
                        &elf_object(b"Copyright (c) The Rust Project Developers"),
                    ),
                ]),
            ),
        ]
    }

    /// The hostile shapes are the fuzz targets' seeds: `ENTITYCHECK_FUZZ_SEEDS=DIR cargo test
    /// --lib fuzz_seeds` writes them to `DIR/<target>/` (scripts/fuzz.sh does, into
    /// fuzz/corpus); every run checks each fits its target's input length.
    #[test]
    fn fuzz_seeds_fit_their_targets() {
        let out = std::env::var_os("ENTITYCHECK_FUZZ_SEEDS").map(std::path::PathBuf::from);
        let seeds = fuzz_seeds();
        for target in ["binary", "package", "archive"] {
            assert!(
                seeds.iter().any(|(t, ..)| *t == target),
                "no seed for {target}"
            );
        }
        for (target, name, bytes) in seeds {
            let max = if target == "binary" {
                4 << 20
            } else {
                64 << 10
            };
            assert!(
                bytes.len() <= max,
                "{target}/{name}: {} bytes, over the {max} the target reads",
                bytes.len()
            );
            if let Some(dir) = &out {
                let dir = dir.join(target);
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(format!("seed-{name}")), &bytes).unwrap();
            }
        }
    }

    #[test]
    fn deep_fixture_binaries_are_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deep");
        let write = std::env::var_os("ENTITYCHECK_REGENERATE_FIXTURES").is_some();
        for (rel, bytes) in files() {
            let path = root.join(rel);
            if write {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &bytes).unwrap();
            }
            let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (regenerate with ENTITYCHECK_REGENERATE_FIXTURES=1)",
                    path.display()
                )
            });
            assert!(
                on_disk == bytes,
                "{} differs from its generator (regenerate with ENTITYCHECK_REGENERATE_FIXTURES=1)",
                path.display()
            );
        }
    }
}
