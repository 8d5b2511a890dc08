//! Pipeline, shipped artefacts: files and directories a product ships (an installer, a `dist/`
//! folder, a container layer tarball, a built binary) → findings located inside each, decided
//! by the same policy as the dependency check; and their SHA-256 digests for certificates.
//!
//! Nothing is pruned inside an artefact (no `target/`, no nested `Cargo.toml` rule, no
//! skipped file names): whatever ships is read. Symbolic links are never followed.

use std::time::Instant;

use camino::{Utf8Path, Utf8PathBuf};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::Request;
use crate::error::InputError;
use crate::evidence::deep::{PackageScan, SkipKind, Skipped};
use crate::graph::{DepKind, SourceKind};
use crate::matching::Matcher;
use crate::outcome::{InventoriedBinary, Loc, NotScanned, Outcome, ScanTotals, Unscanned};
use crate::policy::{self, Finding, PackageRef};

/// What screening some artefacts found.
#[derive(Debug, Default)]
pub struct Artefacts {
    pub screened: usize,
    /// Each finding with where it is: the artefact's path, and the file inside a directory.
    pub findings: Vec<(Finding, Loc)>,
    pub binaries: Vec<InventoriedBinary>,
    pub not_scanned: Vec<NotScanned>,
    pub files: u64,
    pub bytes: u64,
}

/// The package a finding in an artefact is reported under: the artefact as given, shipped.
pub fn artefact_ref(path: &Utf8Path) -> PackageRef {
    PackageRef {
        name: path.to_string(),
        version: "artefact".to_string(),
        id: format!("artefact:{path}"),
        kind: DepKind::Normal,
        source: SourceKind::Path,
    }
}

/// Every file of an artefact (itself when it is a file), with its name inside the artefact.
/// An artefact's files (path on disk, name inside the artefact) and what was passed over.
type Files = (Vec<(Utf8PathBuf, String)>, Vec<Skipped>);

fn files_of(path: &Utf8Path) -> Result<Files, InputError> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| InputError::Io {
        path: path.to_string(),
        source: e,
    })?;
    let mut skipped = Vec::new();
    if !meta.is_dir() {
        let target = std::fs::metadata(path).map_err(|e| InputError::Io {
            path: path.to_string(),
            source: e,
        })?;
        // An artefact named on the command line is read even through a link: the user chose it.
        if !target.is_file() {
            return Err(InputError::Usage(format!(
                "{path}: not a file or directory to scan"
            )));
        }
        let name = path.file_name().unwrap_or(path.as_str()).to_string();
        // The link resolved here, once: the scan opens what it names without following links.
        return Ok((vec![(crate::fsio::resolve_named(path), name)], skipped));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = e
                    .path()
                    .and_then(|p| p.strip_prefix(path).ok())
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                skipped.push(Skipped {
                    file,
                    kind: SkipKind::Unreadable,
                    reason: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        let rel = entry
            .path()
            .strip_prefix(path)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let ft = entry.file_type();
        if ft.is_symlink() {
            skipped.push(Skipped {
                file: rel,
                kind: SkipKind::Link,
                reason: "symbolic link inside the artefact: not followed".into(),
            });
            continue;
        }
        if !ft.is_file() {
            continue;
        }
        match Utf8Path::from_path(entry.path()) {
            Some(p) => files.push((p.to_path_buf(), rel)),
            None => skipped.push(Skipped {
                file: rel,
                kind: SkipKind::Unreadable,
                reason: "path is not UTF-8".into(),
            }),
        }
    }
    Ok((files, skipped))
}

/// Screens `paths` with the deep scan and decides every match with the plan's policy.
pub fn scan_artefacts(
    paths: &[Utf8PathBuf],
    plan: &Request,
    matcher: &Matcher,
) -> Result<Artefacts, InputError> {
    let scanner = matcher.scanner(plan.deep.options.clone());
    let mut out = Artefacts::default();
    for path in paths {
        let (files, mut skipped) = files_of(path)?;
        let scans: Vec<PackageScan> = files
            .par_iter()
            .map(|(file, name)| scanner.scan_file(file, name))
            .collect();
        let package = artefact_ref(path);
        let mut matches = Vec::new();
        for scan in scans {
            out.files += scan.files;
            out.bytes += scan.bytes;
            for e in &scan.evidence {
                matches.extend(matcher.match_evidence(e));
            }
            out.binaries
                .extend(scan.binaries.into_iter().map(|item| InventoriedBinary {
                    package: package.name.clone(),
                    version: package.version.clone(),
                    item,
                }));
            skipped.extend(scan.skipped);
        }
        out.findings.extend(matches.into_iter().map(|m| {
            let loc = location(path, &m);
            let f = policy::decide(&plan.policy, &plan.lists, package.clone(), Vec::new(), m);
            (f, loc)
        }));
        skipped.sort();
        if let Some(reason) = Unscanned::of(None, &skipped) {
            out.not_scanned.push(NotScanned {
                name: package.name.clone(),
                version: package.version.clone(),
                reason,
            });
        }
        out.screened += 1;
    }
    out.findings.sort();
    out.findings.dedup();
    out.binaries.sort();
    out.not_scanned.sort();
    Ok(out)
}

/// `cargo entitycheck scan PATH...`: the artefacts as a whole outcome, reported like a check.
pub fn scan(paths: &[Utf8PathBuf], plan: Request) -> Result<Outcome, InputError> {
    let started = Instant::now();
    let matcher = Matcher::new(&plan.lists);
    let found = scan_artefacts(paths, &plan, &matcher)?;
    let root =
        Utf8PathBuf::from_path_buf(std::env::current_dir().unwrap_or_default()).unwrap_or_default();
    let policy_digest = {
        let json = serde_json::to_vec(&(&plan.policy, &plan.config.content())).unwrap_or_default();
        format!("sha256:{}", hex::encode(Sha256::digest(json)))
    };
    let (findings, locations) = found.findings.into_iter().unzip();
    let unscanned_locations = found.not_scanned.iter().map(unscanned_location).collect();
    Ok(Outcome {
        lists: plan.lists,
        policy: plan.policy,
        config_origin: plan.config.origin,
        packages_screened: found.screened,
        findings,
        locations,
        not_scanned: found.not_scanned,
        unscanned_locations,
        binaries: found.binaries,
        scan: ScanTotals {
            deep: true,
            files: found.files,
            bytes: found.bytes,
            cached: 0,
            index: None,
            sbom_documents: 0,
        },
        explained: Vec::new(),
        elapsed: started.elapsed(),
        source_root: root.clone(),
        workspace_rel: String::new(),
        workspace_root: root,
        package_dirs: Default::default(),
        member_manifests: Vec::new(),
        policy_digest,
        ignores: Vec::new(),
        inventory: Vec::new(),
        edges: Vec::new(),
        scope: Default::default(),
        ignored_unscanned: Vec::new(),
        package_names: Vec::new(),
        path_sources: Vec::new(),
        target_dir: None,
    })
}

/// Where a finding in an artefact is: the artefact's path, and inside a directory the file
/// (an archive member is located at its archive).
fn location(path: &Utf8Path, m: &crate::matching::Match) -> Loc {
    let inner = m.evidence.location.as_ref().map(|l| {
        let file = l.file.split_once('!').map_or(l.file.as_str(), |(a, _)| a);
        (file.to_string(), l.line)
    });
    match inner {
        Some((file, line)) if path.is_dir() => Loc {
            uri: format!("{}/{file}", path.as_str().trim_end_matches('/')),
            line,
        },
        Some((_, line)) => Loc {
            uri: path.to_string(),
            line,
        },
        None => Loc {
            uri: path.to_string(),
            line: None,
        },
    }
}

fn unscanned_location(n: &NotScanned) -> Loc {
    Loc {
        uri: n.name.clone(),
        line: None,
    }
}

/// Adds what screening artefacts found to a check's outcome (for `certify --artefact`),
/// keeping findings and unscanned packages sorted with their locations.
pub fn merge(outcome: &mut Outcome, found: Artefacts) {
    outcome.packages_screened += found.screened;
    let mut findings: Vec<(Finding, Loc)> = std::mem::take(&mut outcome.findings)
        .into_iter()
        .zip(std::mem::take(&mut outcome.locations))
        .chain(found.findings)
        .collect();
    findings.sort();
    findings.dedup();
    (outcome.findings, outcome.locations) = findings.into_iter().unzip();
    let mut unscanned: Vec<(NotScanned, Loc)> = std::mem::take(&mut outcome.not_scanned)
        .into_iter()
        .zip(std::mem::take(&mut outcome.unscanned_locations))
        .chain(found.not_scanned.into_iter().map(|n| {
            let loc = unscanned_location(&n);
            (n, loc)
        }))
        .collect();
    unscanned.sort();
    (outcome.not_scanned, outcome.unscanned_locations) = unscanned.into_iter().unzip();
    outcome.binaries.extend(found.binaries);
    outcome.binaries.sort();
    outcome.scan.files += found.files;
    outcome.scan.bytes += found.bytes;
}

/// The in-toto subjects of artefacts: a file with its SHA-256; a directory, each of its files
/// (`dir/inner/path`), sorted. Links inside a directory are not followed (nor certified).
pub fn subjects(paths: &[Utf8PathBuf]) -> Result<Vec<crate::attest::Subject>, InputError> {
    let mut out = Vec::new();
    for path in paths {
        let (files, _) = files_of(path)?;
        let is_dir = path.is_dir();
        for (file, rel) in files {
            let name = if is_dir {
                format!("{}/{rel}", path.as_str().trim_end_matches('/'))
            } else {
                path.to_string()
            };
            let digest = sha256_file(&file)?;
            out.push(crate::attest::Subject {
                name,
                digest: [("sha256".to_string(), digest)].into(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup();
    Ok(out)
}

fn sha256_file(path: &Utf8Path) -> Result<String, InputError> {
    // Opened the one way (never blocking, a regular file by its handle); a link the user named
    // is followed, as everywhere an artefact is named.
    let (mut f, _) = crate::fsio::open_regular(path.as_std_path(), true)
        .map_err(|e| InputError::read(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut f, &mut buf).map_err(|e| InputError::Io {
            path: path.to_string(),
            source: e,
        })?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_of_a_file_and_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(tmp.path()).unwrap();
        std::fs::create_dir_all(root.join("dist/lib")).unwrap();
        std::fs::write(root.join("dist/app.exe"), b"abc").unwrap();
        std::fs::write(root.join("dist/lib/x.dll"), b"").unwrap();
        std::fs::write(root.join("setup.msi"), b"abc").unwrap();
        let s = subjects(&[root.join("setup.msi"), root.join("dist")]).unwrap();
        let names: Vec<String> = s
            .iter()
            .map(|s| s.name.strip_prefix(root.as_str()).unwrap().to_string())
            .collect();
        assert_eq!(names, ["/dist/app.exe", "/dist/lib/x.dll", "/setup.msi"]);
        // sha256("abc")
        assert_eq!(
            s[0].digest["sha256"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(subjects(&[root.join("missing")]).is_err());
    }
}
