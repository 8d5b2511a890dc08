//! Tests of the bounded reads, the opens below a root and the writers.

use super::*;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn sizes() {
    assert_eq!(parse_size("512"), Some(512));
    assert_eq!(parse_size("64 MiB"), Some(64 << 20));
    assert_eq!(parse_size("2GiB"), Some(2 << 30));
    assert_eq!(parse_size("lots"), None);
    assert_eq!(parse_size("1 TB"), None);
    assert_eq!(parse_size("99999999999999999999 GiB"), None);
}

#[test]
fn regular_file_within_its_bound_is_read() {
    let d = tmp();
    let p = d.path().join("a.toml");
    fs::write(&p, b"x = 1\n").unwrap();
    assert_eq!(
        read_bounded(&p, ReadKind::Config, &Limits::DEFAULT).unwrap(),
        b"x = 1\n"
    );
    assert_eq!(
        read_text(&p, ReadKind::Config, false, &Limits::DEFAULT).unwrap(),
        "x = 1\n"
    );
}

#[test]
fn over_the_bound_is_refused_without_reading_it() {
    let d = tmp();
    let p = d.path().join("big");
    // Sparse: the size is what counts, not the blocks.
    let f = File::create(&p).unwrap();
    f.set_len(5 * MIB).unwrap();
    let e = read_bounded(&p, ReadKind::Config, &Limits::DEFAULT).unwrap_err();
    assert!(
        matches!(e, ReadError::TooLarge { bound, .. } if bound == 4 * MIB),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "it is larger than the 4 MiB limit for a configuration file (4194304 bytes)"
    );
    // Exactly at the bound is fine.
    fs::write(&p, b"12345").unwrap();
    assert_eq!(read_with(&p, ReadKind::Config, 5, false).unwrap(), b"12345");
    assert!(matches!(
        read_with(&p, ReadKind::Config, 4, false),
        Err(ReadError::TooLarge { bound: 4, .. })
    ));
}

#[test]
fn not_utf8_text_is_an_error() {
    let d = tmp();
    let p = d.path().join("bin");
    fs::write(&p, [0xff, 0xfe, 0x00]).unwrap();
    assert!(matches!(
        read_text(&p, ReadKind::EntityList, false, &Limits::DEFAULT),
        Err(ReadError::NotUtf8)
    ));
}

#[test]
fn directories_are_not_regular_files() {
    let d = tmp();
    let e = read_bounded(d.path(), ReadKind::Config, &Limits::DEFAULT).unwrap_err();
    assert_eq!(e.to_string(), "it is a directory, not a regular file");
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_never_opened() {
    let e = read_bounded("/dev/zero", ReadKind::BuildScript, &Limits::DEFAULT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "it is a character device, not a regular file"
    );
    let e = read_named("/dev/null", ReadKind::EntityList, &Limits::DEFAULT).unwrap_err();
    assert!(matches!(e, ReadError::NotRegular("a character device")));
    let d = tmp();
    let fifo = d.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // Would block forever if opened; returns at once.
    let e = read_named(&fifo, ReadKind::EntityList, &Limits::DEFAULT).unwrap_err();
    assert_eq!(e.to_string(), "it is a FIFO, not a regular file");
    // The open itself does not block either (O_NONBLOCK), and what it opened is refused.
    let f = open_read(&fifo, false).unwrap();
    assert!(not_regular(f.metadata().unwrap().file_type()).is_some());
    assert!(matches!(
        read_listed(&fifo, ReadKind::PackageFile, 10),
        Err(ReadError::NotRegular("a FIFO"))
    ));
}

#[cfg(unix)]
#[test]
fn links_are_followed_only_when_named() {
    let d = tmp();
    let target = d.path().join("real.toml");
    fs::write(&target, b"a = 1").unwrap();
    let link = d.path().join("link.toml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(matches!(
        read_bounded(&link, ReadKind::Config, &Limits::DEFAULT),
        Err(ReadError::Link)
    ));
    assert_eq!(
        read_named(&link, ReadKind::Config, &Limits::DEFAULT).unwrap(),
        b"a = 1"
    );
    // A file listed, then swapped for a link before it is opened: the link is not followed.
    assert!(matches!(
        read_listed(&link, ReadKind::PackageFile, 100),
        Err(ReadError::Link)
    ));
    assert_eq!(
        read_listed(&target, ReadKind::PackageFile, 100).unwrap(),
        b"a = 1"
    );
    assert!(matches!(
        read_listed(&target, ReadKind::PackageFile, 4),
        Err(ReadError::TooLarge { bound: 4, .. })
    ));
    // Named, the link leads to a device: still refused.
    let dev = d.path().join("dev");
    std::os::unix::fs::symlink("/dev/zero", &dev).unwrap();
    assert!(matches!(
        read_named(&dev, ReadKind::Config, &Limits::DEFAULT),
        Err(ReadError::NotRegular(_))
    ));
}

#[cfg(unix)]
#[test]
fn within_refuses_escapes_and_links_on_the_way() {
    let d = tmp();
    let root = d.path().join("pkg");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("sub/build.rs"), b"fn main() {}").unwrap();
    fs::write(d.path().join("secret"), b"s").unwrap();
    assert_eq!(
        read_within(
            &root,
            &root.join("sub/../sub/build.rs"),
            ReadKind::BuildScript,
            &Limits::DEFAULT
        )
        .unwrap(),
        b"fn main() {}"
    );
    for bad in [
        root.join("../secret"),
        root.join("sub/../../secret"),
        d.path().join("secret"),
        "/dev/zero".into(),
    ] {
        assert!(
            matches!(
                read_within(&root, &bad, ReadKind::BuildScript, &Limits::DEFAULT),
                Err(ReadError::Outside)
            ),
            "{}",
            bad.display()
        );
    }
    std::os::unix::fs::symlink(d.path(), root.join("up")).unwrap();
    assert!(matches!(
        read_within(
            &root,
            &root.join("up/secret"),
            ReadKind::BuildScript,
            &Limits::DEFAULT
        ),
        Err(ReadError::Link)
    ));
    std::os::unix::fs::symlink(d.path().join("secret"), root.join("build.rs")).unwrap();
    assert!(matches!(
        read_within(
            &root,
            &root.join("build.rs"),
            ReadKind::BuildScript,
            &Limits::DEFAULT
        ),
        Err(ReadError::Link)
    ));
}

/// Below a root opened once: files read; `..`, absolute paths, FIFOs and links refused; a
/// directory swapped for a link after the root was opened not followed.
#[cfg(unix)]
#[test]
fn beneath_follows_no_link_on_the_way() {
    let d = tmp();
    let root = d.path().join("pkg");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("sub/a.txt"), b"inside").unwrap();
    fs::write(d.path().join("secret"), b"outside").unwrap();
    fs::create_dir_all(d.path().join("elsewhere")).unwrap();
    fs::write(d.path().join("elsewhere/a.txt"), b"outside").unwrap();
    let b = Beneath::open(&root);
    assert_eq!(b.read(Path::new("sub/a.txt"), 100).unwrap(), b"inside");
    assert!(matches!(
        b.read(Path::new("sub/a.txt"), 3),
        Err(ReadError::TooLarge { bound: 3, .. })
    ));
    for bad in ["../secret", "sub/../../secret"] {
        assert!(
            matches!(b.read(Path::new(bad), 100), Err(ReadError::Outside)),
            "{bad}"
        );
    }
    let fifo = root.join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    assert!(matches!(
        b.read(Path::new("pipe"), 100),
        Err(ReadError::NotRegular("a FIFO"))
    ));
    std::os::unix::fs::symlink(d.path().join("secret"), root.join("link")).unwrap();
    assert!(matches!(
        b.read(Path::new("link"), 100),
        Err(ReadError::Link | ReadError::LinkOnTheWay)
    ));
    // The directory swapped for a link to one outside.
    fs::rename(root.join("sub"), d.path().join("sub.old")).unwrap();
    std::os::unix::fs::symlink(d.path().join("elsewhere"), root.join("sub")).unwrap();
    let swapped = b.read(Path::new("sub/a.txt"), 100);
    if b.race_free() {
        assert!(
            matches!(swapped, Err(ReadError::LinkOnTheWay)),
            "{swapped:?}"
        );
        assert_eq!(
            swapped.unwrap_err().to_string(),
            "it, or a directory on its way from the package root, is a symbolic link (not followed)"
        );
    } else {
        // The fallback refuses a link at the end only.
        eprintln!("openat2 is not available here: the fallback followed {swapped:?}");
    }
}

#[test]
fn write_output_replaces_regular_files_and_creates_new_ones() {
    let d = tmp();
    let p = d.path().join("report.json");
    write_output(&p, b"one").unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"one");
    write_output(&p, b"two").unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"two");
    // No temporary file left behind.
    assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    let e = write_output(&d.path().join("missing/dir/out"), b"x").unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
}

#[cfg(unix)]
#[test]
fn write_output_writes_through_links_and_devices() {
    let d = tmp();
    let target = d.path().join("target.txt");
    fs::write(&target, b"old").unwrap();
    let link = d.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    write_output(&link, b"new").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&target).unwrap(), b"new");
    // A device stays a device.
    write_output(Path::new("/dev/null"), b"gone").unwrap();
    use std::os::unix::fs::FileTypeExt;
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    if Path::new("/dev/full").exists() {
        let e = write_output(Path::new("/dev/full"), b"x").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
    }
}

/// A file that grows or shrinks between the look at its handle and the read is read as it is
/// then, within the bound: stated or grown past it, refused; every size around the buffer's, and a
/// reused buffer larger than the file, give the bytes `std::fs::read` gives.
#[test]
fn a_file_read_after_it_changed_is_read_as_it_is() {
    let d = tmp();
    let p = d.path().join("f");
    let mut reused = Vec::new();
    for (stated, now) in [
        (0usize, 0usize),
        (10, 10),
        (10, 0),
        (10, 4),
        (10, 11),
        (10, 5000),
        (9000, 9000),
        (9000, 70_000),
        (70_000, 9000),
    ] {
        let body: Vec<u8> = (0..now).map(|i| (i % 251) as u8).collect();
        fs::write(&p, vec![b'x'; stated]).unwrap();
        let file = File::open(&p).unwrap();
        let meta = file.metadata().unwrap();
        fs::write(&p, &body).unwrap();
        let bound = 60_000u64;
        let got = read_handle_into(file, &meta, ReadKind::PackageFile, bound, &mut reused);
        if stated.max(now) as u64 > bound {
            assert!(
                matches!(got, Err(ReadError::TooLarge { .. })),
                "{stated} → {now}"
            );
        } else {
            got.unwrap();
            assert_eq!(reused, body, "{stated} → {now}");
        }
    }
}

/// The walk's order is walkdir's by-name order, whatever the names (prefixes of each other,
/// punctuation that sorts before and after `/`, bytes above ASCII).
#[test]
fn by_name_orders_a_directory_as_walkdir_does() {
    let tmp = tempfile::tempdir().unwrap();
    let names = [
        "a", "a.b", "a-b", "a_b", "ab", "a0", "B", "b", "é", "z", ".hidden", "a b", "a~", "a!",
    ];
    for (i, n) in names.iter().enumerate() {
        let p = tmp.path().join(n);
        if i % 2 == 0 {
            std::fs::create_dir_all(p.join("inner")).unwrap();
            std::fs::write(p.join("inner/x"), "").unwrap();
        } else {
            std::fs::write(p, "").unwrap();
        }
    }
    let walk = |w: walkdir::WalkDir| -> Vec<std::path::PathBuf> {
        w.into_iter().map(|e| e.unwrap().into_path()).collect()
    };
    let ours = walk(walkdir::WalkDir::new(tmp.path()).sort_by(super::by_name));
    let theirs = walk(walkdir::WalkDir::new(tmp.path()).sort_by_file_name());
    // The root, and per name a file, or a directory with a directory and a file below it.
    assert_eq!(
        ours.len(),
        1 + names.len().div_ceil(2) * 3 + names.len() / 2
    );
    assert_eq!(ours, theirs);
}
