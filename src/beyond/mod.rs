//! Pipeline, evidence beyond a package's own files: the screened packages → per package, its
//! registry owners and publishers (`--owners`) and what its build script produced and printed
//! (`--build-outputs`), matched-only where it is bulky; plus notes for the person running it.
//!
//! Runs once per check, before the packages are screened in parallel: the owners lookup is
//! sequential by design (one request a second at most).

pub mod build_outputs;
pub mod owners;

use std::collections::{BTreeMap, BTreeSet};

use camino::Utf8Path;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::InputError;
use crate::evidence::Evidence;
use crate::evidence::deep::{DeepOptions, Scanner, Skipped};
use crate::fsio::Limits;
use crate::graph::{SourceKind, Subject};
use crate::matching::Matcher;
use build_outputs::{BuildOutputsOptions, BuildPackage};
use owners::OwnersOptions;

/// What to look at beyond the packages' files (both off by default).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BeyondOptions {
    /// `--owners`: registry owners and publishers of crates.io packages.
    pub owners: Option<OwnersOptions>,
    /// `--build-outputs`: build-script outputs in the target directory.
    pub build_outputs: Option<BuildOutputsOptions>,
}

impl BeyondOptions {
    pub fn any(&self) -> bool {
        self.owners.is_some() || self.build_outputs.is_some()
    }
}

/// Extra evidence per screened package (same order as the subjects), and notes.
#[derive(Debug, Default)]
pub struct Extra {
    pub evidence: Vec<Vec<Evidence>>,
    pub notes: Vec<String>,
    /// (package index, the first file passed over) for build outputs that could not all be
    /// read.
    pub unread: Vec<(usize, Skipped)>,
}

/// Where the per-crate owners cache lives in the cache directory `cache_dir`.
pub fn owners_cache_dir(cache_dir: &Utf8Path) -> camino::Utf8PathBuf {
    cache_dir.join("owners")
}

/// Collects the extra evidence of `subjects`. `scanner`: the run's deep scanner (one is made
/// for the build outputs when the deep scan is off).
#[allow(clippy::too_many_arguments)]
pub fn collect(
    subjects: &[Subject],
    target_dir: &Utf8Path,
    opts: &BeyondOptions,
    cache_dir: Option<&Utf8Path>,
    scanner: Option<&Scanner>,
    matcher: &Matcher,
    deep: &DeepOptions,
    limits: &Limits,
) -> Result<Extra, InputError> {
    let mut extra = Extra {
        evidence: vec![Vec::new(); subjects.len()],
        ..Default::default()
    };
    if let Some(o) = &opts.owners {
        let mut crates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in subjects.iter().filter(|s| from_crates_io(&s.source)) {
            crates
                .entry(s.name.clone())
                .or_default()
                .insert(s.version.clone());
        }
        let owners_dir = cache_dir.map(owners_cache_dir);
        let found = owners::lookup(&crates, o, owners_dir.as_deref())?;
        for (i, s) in subjects.iter().enumerate() {
            if from_crates_io(&s.source)
                && let Some(c) = found.by_crate.get(&s.name)
            {
                extra.evidence[i].extend(owners::evidence(c, &s.version));
            }
        }
        extra.notes.extend(found.notes);
    }
    if let Some(b) = &opts.build_outputs {
        let packages: Vec<BuildPackage> = subjects
            .iter()
            .filter(|s| s.build_script.is_some())
            .map(|s| BuildPackage {
                id: s.id.clone(),
                name: s.name.clone(),
            })
            .collect();
        let located = build_outputs::locate(target_dir, &packages, b.messages.as_deref(), limits)?;
        let own;
        let scanner = match scanner {
            Some(s) => s,
            None => {
                own = matcher.scanner(deep.clone());
                &own
            }
        };
        let scans: Vec<(usize, Vec<Evidence>, Option<Skipped>)> = subjects
            .par_iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let runs = located.runs.get(&s.id)?;
                let scan = build_outputs::scan_runs(
                    runs,
                    located.ambiguous.contains(&s.id),
                    scanner,
                    target_dir,
                    limits,
                );
                // Notices are collected generously: keep what matches an identifier, as the
                // deep scan does.
                let kept: Vec<Evidence> = scan
                    .evidence
                    .into_iter()
                    .filter(|e| !matcher.match_evidence(e).is_empty())
                    .collect();
                let unread = scan
                    .skipped
                    .iter()
                    .find(|k| k.counts_as_unscanned())
                    .cloned();
                Some((i, kept, unread))
            })
            .collect();
        for (i, kept, unread) in scans {
            extra.evidence[i].extend(kept);
            if let Some(u) = unread {
                extra.unread.push((i, u));
            }
        }
        extra.notes.extend(located.notes);
    }
    for e in &mut extra.evidence {
        e.sort();
        e.dedup();
    }
    Ok(extra)
}

/// Whether a package comes from crates.io (directly or through a vendored / replaced source).
fn from_crates_io(source: &SourceKind) -> bool {
    match source {
        SourceKind::Registry { url } | SourceKind::Vendored { url } => owners::is_crates_io(url),
        _ => false,
    }
}
