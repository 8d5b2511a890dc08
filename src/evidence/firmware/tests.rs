//! Tests of the firmware image reader, against the `ihex` and `srec` crates' writers.

use super::*;

/// An Intel HEX file of `data`, 16 bytes a record, as `objcopy -O ihex` writes it.
pub(crate) fn ihex_of(data: &[u8]) -> String {
    let mut records: Vec<ihex::Record> = data
        .chunks(16)
        .enumerate()
        .map(|(i, c)| ihex::Record::Data {
            offset: u16::try_from(i * 16).unwrap(),
            value: c.to_vec(),
        })
        .collect();
    records.push(ihex::Record::EndOfFile);
    ihex::create_object_file_representation(&records).unwrap()
}

#[test]
fn intel_hex_loads_its_data_records_in_order() {
    let notice = b"Copyright (c) 2024 AO Kaspersky Lab. All rights reserved.";
    let text = ihex_of(notice);
    let image = decode(text.as_bytes(), u64::MAX).unwrap();
    assert_eq!(image.format, Format::IntelHex);
    assert_eq!(image.bytes, notice);
    assert_eq!(image.bad_lines, 0);
    // Within the bound.
    assert_eq!(decode(text.as_bytes(), 10).unwrap().bytes.len(), 10);
}

#[test]
fn a_bad_line_does_not_end_the_image() {
    let text = ihex_of(b"first record 16b then the notice AO Kaspersky Lab");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(1, ":10000000DEADBEEF");
    lines.insert(2, "; flashed by the bootloader");
    let image = decode(lines.join("\r\n").as_bytes(), u64::MAX).unwrap();
    assert!(
        image.bytes.windows(9).any(|w| w == b"Kaspersky"),
        "{:?}",
        image.bytes
    );
    assert_eq!(image.bad_lines, 2);
}

#[test]
fn s_records_load_header_and_data() {
    let records = [
        srec::Record::S0("engine".into()),
        srec::Record::S1(srec::Data {
            address: srec::Address16(0),
            data: b"(C) AO Kaspersky ".to_vec(),
        }),
        srec::Record::S3(srec::Data {
            address: srec::Address32(0x0800_0000),
            data: b"Lab".to_vec(),
        }),
        srec::Record::S9(srec::Address16(0)),
    ];
    let text = srec::writer::generate_srec_file(&records);
    let image = decode(text.as_bytes(), u64::MAX).unwrap();
    assert_eq!(image.format, Format::SRecord);
    assert_eq!(image.bytes, b"engine(C) AO Kaspersky Lab");
}

proptest::proptest! {
    /// Whatever the bytes, the reader loads what the reference writers wrote, in both
    /// formats, and arbitrary text never panics it.
    #[test]
    fn reads_what_the_reference_writers_write(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..2000), junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        let image = decode(ihex_of(&data).as_bytes(), u64::MAX).unwrap();
        proptest::prop_assert_eq!(&image.bytes, &data);
        let records: Vec<srec::Record> = data
            .chunks(32)
            .enumerate()
            .map(|(i, c)| srec::Record::S3(srec::Data {
                address: srec::Address32(u32::try_from(i * 32).unwrap()),
                data: c.to_vec(),
            }))
            .collect();
        let image = decode(srec::writer::generate_srec_file(&records).as_bytes(), u64::MAX).unwrap();
        proptest::prop_assert_eq!(&image.bytes, &data);
        let mut text = b":".to_vec();
        text.extend(&junk);
        let _ = decode(&text, u64::MAX);
        text[0] = b'S';
        let _ = decode(&text, u64::MAX);
    }
}

#[test]
fn other_text_is_no_image() {
    for text in [
        "",
        "   \n",
        ":not a record\n:10000000\n",
        "Some text\n",
        "S is for scanner\n",
        "SELECT 1;\n",
    ] {
        assert!(decode(text.as_bytes(), u64::MAX).is_none(), "{text:?}");
    }
    assert!(decode(b":\xff\xfe", u64::MAX).is_none());
    // A checksum or a length byte that is wrong.
    assert!(decode(b":0400000041424344FF\n", u64::MAX).is_none());
    assert!(decode(b":0500000041424344F2\n", u64::MAX).is_none());
    assert!(decode(b":0400000041424344F2\n", u64::MAX).is_some());
    assert_eq!(
        sniff(b"\n:0400000041424344F2\nnot a record"),
        Some(Format::IntelHex)
    );
    assert_eq!(sniff(b":0400000041424344FF\n"), None);
}
