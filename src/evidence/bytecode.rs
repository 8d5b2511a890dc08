//! Evidence stage, compiled JVM code: a Java class file (`*.class`, in a JAR, WAR or AAR) or an
//! Android `classes.dex` → the classes it defines and the classes it refers to, by their JVM
//! names (`com/kaspersky/kavsdk/Scanner`). Their packages are reverse domains, read as the
//! source recogniser reads `package` and `import` declarations: a class defined in a listed
//! entity's namespace is its code (attribution), a class referred to is code this one cannot run
//! without (integration). Compiled code keeps these names whatever was stripped from its
//! manifest.
//!
//! Only the constant pool (class files) and the type and class tables (dex) are read, each
//! entry bounds-checked: both formats are fixed and small to walk, and the rest of the file
//! (bytecode, annotations) says nothing of whose code it is.

/// The classes a compiled file defines and refers to, by JVM name (`a/b/C`), each once, in
/// the file's order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClassNames {
    pub defined: Vec<String>,
    pub referenced: Vec<String>,
}

/// The most class names kept from one file (a dex of a large app refers to tens of thousands).
const MAX_NAMES: usize = 65_536;

/// The class names of `bytes`, if it is a class file or a dex file whose tables read.
pub fn class_names(bytes: &[u8]) -> Option<ClassNames> {
    if bytes.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) {
        return class_file(bytes);
    }
    if bytes.len() >= 8 && bytes.starts_with(b"dex\n") && bytes[7] == 0 {
        return dex(bytes);
    }
    None
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_be_bytes([s[0], s[1]])))
}

fn le32(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at.checked_add(4)?)?;
    usize::try_from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])).ok()
}

/// A class file (JVMS §4): the constant pool's `CONSTANT_Class` entries, and `this_class`.
fn class_file(b: &[u8]) -> Option<ClassNames> {
    // A fat Mach-O starts with the same magic and then a small count; a class file's major
    // version is 45 or more.
    if be16(b, 6)? < 45 {
        return None;
    }
    let count = be16(b, 8)?;
    // Per entry: its offset (for `CONSTANT_Utf8`), and the name index of `CONSTANT_Class`.
    let mut utf8: Vec<Option<(usize, usize)>> = vec![None; count];
    let mut classes: Vec<(usize, usize)> = Vec::new();
    let mut at = 10usize;
    let mut i = 1usize;
    while i < count {
        let tag = *b.get(at)?;
        let size = match tag {
            1 => {
                let len = be16(b, at + 1)?;
                b.get(at + 3..at + 3 + len)?;
                utf8[i] = Some((at + 3, len));
                3 + len
            }
            7 => {
                classes.push((i, be16(b, at + 1)?));
                3
            }
            8 | 16 | 19 | 20 => 3,
            15 => 4,
            3 | 4 | 9 | 10 | 11 | 12 | 17 | 18 => 5,
            5 | 6 => {
                // Long and double take two entries.
                i += 1;
                9
            }
            _ => return None,
        };
        at += size;
        i += 1;
    }
    let this_class = be16(b, at + 2)?;
    let name = |index: usize| -> Option<String> {
        let (start, len) = (*utf8.get(index)?)?;
        Some(String::from_utf8_lossy(&b[start..start + len]).into_owned())
    };
    let mut out = ClassNames::default();
    for (entry, name_index) in classes {
        let Some(n) = name(name_index) else { continue };
        // Array types (`[Lcom/x/Y;`) name their element class.
        let n = n.trim_start_matches('[');
        let n = n
            .strip_prefix('L')
            .and_then(|s| s.strip_suffix(';'))
            .unwrap_or(n)
            .to_string();
        if out.defined.len() + out.referenced.len() >= MAX_NAMES {
            break;
        }
        let list = if entry == this_class {
            &mut out.defined
        } else {
            &mut out.referenced
        };
        if !list.contains(&n) {
            list.push(n);
        }
    }
    Some(out)
}

/// A dex file: its type descriptors (`Lcom/x/Y;`), those of its class definitions defined,
/// the others referenced.
fn dex(b: &[u8]) -> Option<ClassNames> {
    let (strings, strings_at) = (le32(b, 0x38)?, le32(b, 0x3c)?);
    let (types, types_at) = (le32(b, 0x40)?, le32(b, 0x44)?);
    let (defs, defs_at) = (le32(b, 0x60)?, le32(b, 0x64)?);
    // Tables that do not fit the file are not read.
    if strings.checked_mul(4)?.checked_add(strings_at)? > b.len()
        || types.checked_mul(4)?.checked_add(types_at)? > b.len()
        || defs.checked_mul(32)?.checked_add(defs_at)? > b.len()
    {
        return None;
    }
    let string = |index: usize| -> Option<String> {
        if index >= strings {
            return None;
        }
        let mut at = le32(b, strings_at + 4 * index)?;
        // uleb128 length in UTF-16 units, then MUTF-8 bytes up to a NUL.
        for _ in 0..5 {
            let byte = *b.get(at)?;
            at += 1;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let rest = b.get(at..)?;
        let end = memchr::memchr(0, rest)?;
        Some(String::from_utf8_lossy(&rest[..end]).into_owned())
    };
    let type_name = |t: usize| -> Option<String> {
        let d = string(le32(b, types_at + 4 * t)?)?;
        let d = d.trim_start_matches('[');
        Some(d.strip_prefix('L')?.strip_suffix(';')?.to_string())
    };
    let defined: std::collections::BTreeSet<usize> = (0..defs)
        .filter_map(|i| le32(b, defs_at + 32 * i))
        .collect();
    let mut out = ClassNames::default();
    for t in 0..types.min(MAX_NAMES) {
        let Some(n) = type_name(t) else { continue };
        if defined.contains(&t) {
            out.defined.push(n);
        } else {
            out.referenced.push(n);
        }
    }
    Some(out)
}

/// The package of a JVM class name, dotted (`com/kaspersky/kavsdk/Scanner` →
/// `com.kaspersky.kavsdk`); `None` for a class in the default package.
pub fn package(name: &str) -> Option<String> {
    let (pkg, _) = name.rsplit_once('/')?;
    Some(pkg.replace('/', "."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_files_own_class_and_references() {
        let b = crate::evidence::testgen::class_file(
            "com/kaspersky/kavsdk/Scanner",
            &[
                "java/lang/Object",
                "org/example/util/Log",
                "[Lcom/acme/Item;",
            ],
        );
        let n = class_names(&b).unwrap();
        assert_eq!(n.defined, ["com/kaspersky/kavsdk/Scanner"]);
        assert_eq!(
            n.referenced,
            ["java/lang/Object", "org/example/util/Log", "com/acme/Item"]
        );
        assert_eq!(
            package(&n.defined[0]).as_deref(),
            Some("com.kaspersky.kavsdk")
        );
        assert_eq!(package("Toplevel"), None);
    }

    #[test]
    fn a_dex_files_defined_and_referenced_types() {
        let b = crate::evidence::testgen::dex(
            &["Lcom/kaspersky/kavsdk/Scanner;"],
            &["Ljava/lang/Object;", "Lorg/example/Log;", "I"],
        );
        let n = class_names(&b).unwrap();
        assert_eq!(n.defined, ["com/kaspersky/kavsdk/Scanner"]);
        assert_eq!(n.referenced, ["java/lang/Object", "org/example/Log"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Hostile class and dex files (bytes flipped anywhere, tables pointing anywhere): no
        /// panic, and never more names than the bound.
        #[test]
        fn hostile_class_and_dex_files_never_panic(
            dex_file in proptest::prelude::any::<bool>(),
            flips in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 1..12),
        ) {
            let mut b = if dex_file {
                crate::evidence::testgen::dex(&["La/B;", "Lc/d/E;"], &["Lf/G;", "I", "[Lh/I;"])
            } else {
                crate::evidence::testgen::class_file("a/B", &["c/D", "[Le/F;", "g/h/I"])
            };
            for (at, byte) in &flips {
                let i = at.index(b.len());
                // Keep the magic, so the parser is the one tried.
                if i >= 8 {
                    b[i] = *byte;
                }
            }
            if let Some(n) = class_names(&b) {
                proptest::prop_assert!(n.defined.len() + n.referenced.len() <= MAX_NAMES);
            }
        }
    }

    #[test]
    fn damaged_and_other_files_are_not_read() {
        let b = crate::evidence::testgen::class_file("a/B", &["c/D"]);
        for cut in 0..b.len() {
            // Never a panic; a table cut short is not read.
            let _ = class_names(&b[..cut]);
        }
        let d = crate::evidence::testgen::dex(&["La/B;"], &["Lc/D;"]);
        for cut in 0..d.len() {
            let _ = class_names(&d[..cut]);
        }
        // A fat Mach-O header shares the magic.
        assert_eq!(class_names(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]), None);
        assert_eq!(class_names(b"plain text"), None);
    }
}
