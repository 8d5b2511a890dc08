//! Evidence stage, Android signatures: a zip's APK Signing Block → the subjects of the
//! certificates that signed it.
//!
//! An APK (or an app bundle's split, an `.aab`'s universal APK) signed with the v2, v3 or v3.1
//! scheme carries its signers' certificates in a block between its last member and its central
//! directory: no member holds them, so the walk of its members never sees them, and an app
//! signed only with those schemes (every app whose minimum SDK is 24 or later may be) has no
//! `META-INF/*.RSA` either. The block is read as the Android source describes it: the central
//! directory's offset (as the zip reader found it), the block's magic and sizes before it, its
//! ID-value pairs, and in each signature scheme's pair the signers, each with its signed data
//! and, within it, its certificates (DER). A signer's first certificate is its own; the rest
//! are its chain. Nothing is verified: a subject naming a listed entity is evidence either way.

/// The certificates' subjects of a signing block, each with whether it is a signer's own, or
/// why they could not be read.
pub type Subjects = Result<Vec<(String, bool)>, String>;

/// The magic that ends an APK Signing Block.
const MAGIC: &[u8; 16] = b"APK Sig Block 42";

/// The IDs of the signature schemes' pairs: v2, v3 and v3.1 (the v3.1 block for newer
/// platforms, with rotated keys).
const SCHEMES: [u32; 3] = [0x7109_871a, 0xf053_68c0, 0x1b93_ad61];

/// The most signers, and certificates per signer, read from one block.
const MAX_ITEMS: usize = 64;

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// A sequence of `u32`-length-prefixed items, as every level of a scheme's value is.
fn prefixed(mut b: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let len = le_u32(b, 0).ok_or("a length cut short")? as usize;
        let item = b
            .get(4..4 + len)
            .ok_or("an item longer than its sequence")?;
        out.push(item);
        if out.len() > MAX_ITEMS {
            return Err(format!("more than {MAX_ITEMS} items in a sequence"));
        }
        b = &b[4 + len..];
    }
    Ok(out)
}

/// One length-prefixed item at the start of `b`, and what follows it.
fn first(b: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let len = le_u32(b, 0).ok_or("a length cut short")? as usize;
    let item = b
        .get(4..4 + len)
        .ok_or("an item longer than its sequence")?;
    Ok((item, &b[4 + len..]))
}

/// The subjects of the certificates in the APK Signing Block of the zip `b` whose central
/// directory starts at `directory` (as the zip reader found it), each with whether it is a
/// signer's own: `None` where there is no block.
pub fn signers(b: &[u8], directory: u64) -> Option<Subjects> {
    let cd = usize::try_from(directory)
        .ok()
        .filter(|&cd| cd <= b.len())?;
    if cd < 32 || b.get(cd - 16..cd)? != MAGIC {
        return None;
    }
    Some(read_block(b, cd))
}

fn read_block(b: &[u8], cd: usize) -> Subjects {
    let size = le_u64(b, cd - 24).ok_or("no size")?;
    let start = usize::try_from(size)
        .ok()
        .and_then(|s| cd.checked_sub(s)?.checked_sub(8))
        .ok_or("a block larger than the bytes before it")?;
    if le_u64(b, start) != Some(size) {
        return Err("its two sizes differ".into());
    }
    let mut pairs = &b[start + 8..cd - 24];
    let mut out = Vec::new();
    while !pairs.is_empty() {
        let len = le_u64(pairs, 0).ok_or("a pair's length cut short")?;
        let len = usize::try_from(len)
            .ok()
            .filter(|l| (4..=pairs.len() - 8).contains(l))
            .ok_or("a pair longer than the block")?;
        let id = le_u32(pairs, 8).ok_or("a pair's ID cut short")?;
        let value = &pairs[12..8 + len];
        pairs = &pairs[8 + len..];
        if !SCHEMES.contains(&id) {
            continue;
        }
        let (signers, _) = first(value)?;
        for signer in prefixed(signers)? {
            let (signed, _) = first(signer)?;
            let (_digests, rest) = first(signed)?;
            let (certificates, _) = first(rest)?;
            for (i, der) in prefixed(certificates)?.into_iter().enumerate() {
                use der::Decode;
                let cert = x509_cert::Certificate::from_der(der).map_err(|e| e.to_string())?;
                out.push((cert.tbs_certificate.subject.to_string(), i == 0));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testgen;
    use proptest::prelude::*;

    /// [`signers`] of `b`, its central directory found by the zip reader as the walk finds it.
    fn read(b: &[u8]) -> Option<Subjects> {
        let z = zip::ZipArchive::new(std::io::Cursor::new(b)).ok()?;
        signers(b, z.central_directory_start())
    }

    const VENDOR: &str = "CN=Kaspersky Lab,O=AO Kaspersky Lab,C=RU";
    const CA: &str = "CN=Example Code Signing CA,O=Example Trust,C=GB";

    #[test]
    fn a_v2_signers_certificates_are_read_from_the_block() {
        let apk = testgen::apk_v2_signed(&[("classes.dex", b"dex\n035\0")], &[VENDOR, CA]);
        let got = read(&apk).expect("a block").expect("readable");
        assert_eq!(got, [(CA.to_string(), false), (VENDOR.to_string(), true)]);
        // The zip is still a zip: its member is where it was.
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&apk)).unwrap();
        assert_eq!(z.by_index(0).unwrap().name().unwrap(), "classes.dex");
    }

    #[test]
    fn a_zip_without_a_block_has_no_signers() {
        assert!(read(&testgen::zip(&[("a.txt", b"a")])).is_none());
        assert!(read(b"PK\x05\x06 not a zip").is_none());
    }

    #[test]
    fn a_block_whose_sizes_disagree_is_an_error() {
        let mut apk = testgen::apk_v2_signed(&[("a.txt", b"a")], &[VENDOR]);
        let at = memchr::memmem::find(&apk, b"APK Sig Block 42").unwrap();
        apk[at - 8] ^= 1;
        assert!(read(&apk).expect("a block").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Bytes flipped anywhere in a signed app: no panic.
        #[test]
        fn damaged_blocks_never_panic(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..6),
        ) {
            static APK: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
                testgen::apk_v2_signed(&[("a.txt", b"a")], &[VENDOR, CA])
            });
            let mut b = APK.clone();
            for (at, bit) in &flips {
                let i = at.index(b.len());
                b[i] ^= 1 << bit;
            }
            let _ = read(&b);
        }
    }
}
