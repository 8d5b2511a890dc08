//! The result of a check as data: findings with their verdicts, what could not be scanned, the
//! binaries inventoried, and the facts every view and certificate needs (one summary, one
//! failure rule, one fingerprint). No presentation settings: renderers take those separately.

use std::collections::BTreeMap;
use std::time::Duration;

use camino::Utf8PathBuf;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entity::EntityList;
use crate::evidence::Evidence;
use crate::evidence::deep::{BinaryItem, Skipped};
use crate::graph::PathStep;
use crate::policy::ignore::Ignore;
use crate::policy::{Finding, PackageRef, Policy, Verdict, Waiver};

/// What a pass means and does not mean, in one line for every report a person reads and for
/// every certificate (its `limits`); the manual's chapter "What a pass means" says it in full.
pub const LIMITS: &str = "A pass means no evidence of a listed entity's software was found in these packages, with these lists and settings, as of a whole day in US Eastern time (the zone of the effective times, such as 2024-09-29 00:00 EDT); it is not legal advice, and white-labelled or stripped code, runtime services, components outside Cargo and whether a transaction involves U.S. persons are beyond it.";

/// A package whose files could not all be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct NotScanned {
    pub name: String,
    pub version: String,
    pub reason: Unscanned,
}

/// Why a package was not fully scanned: typed where it is made, rendered (by `Display` and
/// serde) to the sentence every report shows. Equality and ordering follow that sentence, so
/// sorted lists keep their order.
#[derive(Debug, Clone)]
pub enum Unscanned {
    /// The package as a whole could not be scanned (no source directory on disk, a damaged
    /// archive): the scanner's own sentence, shown as it is.
    Package(String),
    /// Files passed over: the first of them (its path and why), and how many more.
    Files { first: Skipped, more: usize },
    /// A file of a build run's output that could not be read.
    BuildOutput(Skipped),
    /// Only text: as read back from a certificate, or rewritten for one (its paths made
    /// relative). Shown as it is, never interpreted.
    Text(String),
}

impl Unscanned {
    /// Why a package is not fully scanned: `whole` (the package as a whole) if set, else the
    /// files of `skipped` that leave content unread; `None` when nothing went unread.
    pub fn of(whole: Option<String>, skipped: &[Skipped]) -> Option<Unscanned> {
        if let Some(why) = whole {
            return Some(Unscanned::Package(why));
        }
        let mut unread = skipped.iter().filter(|s| s.counts_as_unscanned());
        let first = unread.next()?.clone();
        Some(Unscanned::Files {
            first,
            more: unread.count(),
        })
    }
}

impl std::fmt::Display for Unscanned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unscanned::Package(why) | Unscanned::Text(why) => f.write_str(why),
            Unscanned::Files { first, more } => {
                write!(f, "{}: {}", first.file, first.reason)?;
                if *more > 0 {
                    write!(f, " (and {more} more files)")?;
                }
                Ok(())
            }
            Unscanned::BuildOutput(k) => write!(f, "build output {}: {}", k.file, k.reason),
        }
    }
}

impl PartialEq for Unscanned {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Unscanned {}

impl PartialOrd for Unscanned {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Unscanned {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string())
    }
}

impl Serialize for Unscanned {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Test shorthand: a reason as text.
#[cfg(test)]
impl From<&str> for Unscanned {
    fn from(s: &str) -> Unscanned {
        Unscanned::Text(s.to_string())
    }
}

/// A reason read back (from a certificate) is kept as written: [`Unscanned::Text`].
impl<'de> serde::Deserialize<'de> for Unscanned {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(Unscanned::Text)
    }
}

/// A package not fully scanned whose unread files (or the whole package) an `[[ignore]]` entry
/// covers: listed, not counted as not scanned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct IgnoredUnscanned {
    pub name: String,
    pub version: String,
    pub reason: Unscanned,
    /// The entry: `file:line`.
    pub at: String,
}

/// A binary or archive found in a package (inventoried whether or not it is a finding).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InventoriedBinary {
    pub package: String,
    pub version: String,
    #[serde(flatten)]
    pub item: BinaryItem,
}

/// A screened package as a bill of materials lists it: its identity, how it reaches the
/// product, what its manifest (and the registry's owners) say of who made it, and its
/// `Cargo.lock` checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inventoried {
    pub package: PackageRef,
    /// Manifest evidence (authors, repository, homepage, description…) and registry owners.
    pub evidence: Vec<Evidence>,
    /// SHA-256 of the `.crate` file, as `Cargo.lock` records it for registry packages.
    pub checksum: Option<String>,
}

/// Totals of the deep scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanTotals {
    pub deep: bool,
    pub files: u64,
    pub bytes: u64,
    /// Packages answered from the scan cache.
    pub cached: usize,
    /// `--index`: the sweep index given, whether it was used and for how many packages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexUse>,
    /// Bills of materials read (`sbom`), instead of package files.
    #[serde(skip)]
    pub sbom_documents: usize,
}

/// Everything known about one package, for `explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    pub package: PackageRef,
    pub dir: String,
    /// Every path from a workspace member (up to a limit), shortest first.
    pub paths: Vec<Vec<PathStep>>,
    pub paths_truncated: bool,
    pub evidence: Vec<Evidence>,
    pub findings: Vec<Finding>,
    pub binaries: Vec<BinaryItem>,
    pub skipped: Vec<Skipped>,
    pub not_scanned: Option<String>,
}

/// A repository-relative location of a finding (its file and line, or the package's entry in
/// `Cargo.lock`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Loc {
    /// `/`-separated, relative to the outcome's `source_root` (the repository root).
    pub uri: String,
    pub line: Option<u32>,
}

/// How many findings of each verdict, and the other totals every view states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub packages_screened: usize,
    pub fail: usize,
    pub warn: usize,
    pub waived: usize,
    pub exempt: usize,
    pub info: usize,
    /// Findings in files an `[[ignore]]` entry says do not ship.
    pub ignored: usize,
    pub not_scanned: usize,
    pub unused_waivers: usize,
    pub unused_ignores: usize,
    pub binaries: usize,
}

/// What a screening covered: the settings that decide how much of the product was read, and
/// which packages were screened. Certificates bind it; [`Scope::narrowings`] says how it falls
/// short of a full screening.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scope {
    pub deep: DeepScope,
    /// `--target` triples; empty: every platform.
    pub targets: Vec<String>,
    pub features: FeatureScope,
    /// `-p`: the members screened (empty: every member).
    pub packages: Vec<String>,
    /// `--exclude`: members left out.
    pub exclude: Vec<String>,
    /// Whether the built-in entity list was screened against.
    pub builtin_list: bool,
    /// Registry owners read as evidence (`--owners`).
    pub registry_owners: bool,
    /// Build-script outputs screened (`--build-outputs`).
    pub build_outputs: bool,
    pub packages_screened: usize,
    /// `sha256:` of the sorted lines `name version source` of every package screened.
    pub packages_digest: String,
}

/// The deep scan's part of a [`Scope`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeepScope {
    pub enabled: bool,
    pub max_file_size: u64,
    pub max_hits_per_file: usize,
    pub archive_max_depth: u32,
    pub archive_max_total_size: u64,
    pub archive_max_entries: u64,
    pub archive_max_entry_size: u64,
    /// Every test-data archive unpacked (`--unpack-test-data`). A certificate written before
    /// the option existed was made so.
    #[serde(default = "unpacked_before")]
    pub unpack_test_data: bool,
}

fn unpacked_before() -> bool {
    true
}

/// The feature selection of a [`Scope`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeatureScope {
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
}

impl DeepScope {
    pub fn of(enabled: bool, o: &crate::evidence::deep::DeepOptions) -> DeepScope {
        DeepScope {
            enabled,
            max_file_size: o.max_file_bytes,
            max_hits_per_file: o.max_hits_per_file,
            archive_max_depth: o.archive.max_depth,
            archive_max_total_size: o.archive.max_total_bytes,
            archive_max_entries: o.archive.max_entries,
            archive_max_entry_size: o.archive.max_entry_bytes,
            unpack_test_data: o.unpack_test_data,
        }
    }

    /// The limits lowered below `full`'s, by name.
    fn lowered(&self, full: &DeepScope) -> Vec<String> {
        let mut v = Vec::new();
        let mut lower = |name: &str, a: u64, b: u64| {
            if a < b {
                v.push(format!("{name} {a} is below the default {b}"));
            }
        };
        lower("max-file-size", self.max_file_size, full.max_file_size);
        lower(
            "archive-max-depth",
            self.archive_max_depth.into(),
            full.archive_max_depth.into(),
        );
        lower(
            "archive-max-total-size",
            self.archive_max_total_size,
            full.archive_max_total_size,
        );
        lower(
            "archive-max-entries",
            self.archive_max_entries,
            full.archive_max_entries,
        );
        lower(
            "archive-max-entry-size",
            self.archive_max_entry_size,
            full.archive_max_entry_size,
        );
        v
    }
}

impl Scope {
    /// How this scope falls short of a full screening (every member, every platform, the
    /// default features, the deep scan with its default limits, the built-in list). Empty:
    /// it does not.
    pub fn narrowings(&self) -> Vec<String> {
        let full = DeepScope::of(true, &Default::default());
        let mut v = Vec::new();
        if !self.deep.enabled {
            v.push("deep scan off (--no-deep): only manifests were read, no package file".into());
        } else {
            v.extend(self.deep.lowered(&full));
        }
        if !self.targets.is_empty() {
            v.push(format!(
                "only the platforms {} (--target), not every platform",
                self.targets.join(", ")
            ));
        }
        if self.features.no_default_features && !self.features.all_features {
            v.push("default features off (--no-default-features)".into());
        }
        if !self.packages.is_empty() {
            v.push(format!(
                "only the members {} (-p), not the whole workspace",
                self.packages.join(", ")
            ));
        }
        if !self.exclude.is_empty() {
            v.push(format!(
                "members left out: {} (--exclude)",
                self.exclude.join(", ")
            ));
        }
        if !self.builtin_list {
            v.push("the built-in entity list left out".into());
        }
        v
    }

    /// Where `self` (what was asked for) covers less than `certified`, by name.
    pub fn less_than(&self, certified: &Scope) -> Vec<String> {
        let mut v = Vec::new();
        if certified.deep.enabled && !self.deep.enabled {
            v.push("the deep scan is off (--no-deep) but the certificate's was on".to_string());
        }
        if self.deep.enabled {
            v.extend(
                self.deep
                    .lowered(&certified.deep)
                    .into_iter()
                    .map(|l| l.replace("the default", "the certificate's")),
            );
        }
        let platforms = |t: &[String]| {
            if t.is_empty() {
                "every platform".to_string()
            } else {
                t.join(", ")
            }
        };
        if !self.targets.is_empty()
            && (certified.targets.is_empty()
                || certified.targets.iter().any(|t| !self.targets.contains(t)))
        {
            v.push(format!(
                "--target {} covers less than the certificate's {}",
                self.targets.join(", "),
                platforms(&certified.targets)
            ));
        }
        let defaults_off = |f: &FeatureScope| f.no_default_features && !f.all_features;
        if defaults_off(&self.features) && !defaults_off(&certified.features) {
            v.push("--no-default-features, but the certificate's screening had them on".into());
        }
        if certified.features.all_features && !self.features.all_features {
            v.push("the certificate's screening enabled every feature (--all-features)".into());
        }
        if let Some(f) = certified
            .features
            .features
            .iter()
            .find(|f| !self.features.all_features && !self.features.features.contains(f))
        {
            v.push(format!(
                "feature `{f}` was enabled in the certificate's screening"
            ));
        }
        if !self.packages.is_empty()
            && (certified.packages.is_empty()
                || certified
                    .packages
                    .iter()
                    .any(|p| !self.packages.contains(p)))
        {
            v.push(format!(
                "-p {} covers fewer members than the certificate",
                self.packages.join(", ")
            ));
        }
        if let Some(e) = self.exclude.iter().find(|e| !certified.exclude.contains(e)) {
            v.push(format!(
                "--exclude {e} leaves out a member the certificate covers"
            ));
        }
        if certified.builtin_list && !self.builtin_list {
            v.push("the built-in list is left out but the certificate used it".into());
        }
        if certified.registry_owners && !self.registry_owners {
            v.push("registry owners are not read but the certificate's screening read them".into());
        }
        if certified.build_outputs && !self.build_outputs {
            v.push("build outputs are not screened but the certificate's screening did".into());
        }
        v
    }
}

/// The result of a check.
pub struct Outcome {
    pub lists: Vec<EntityList>,
    pub policy: Policy,
    pub config_origin: Option<String>,
    pub packages_screened: usize,
    /// Sorted: verdict, package, match.
    pub findings: Vec<Finding>,
    /// Where each finding belongs (same order as `findings`).
    pub locations: Vec<Loc>,
    pub not_scanned: Vec<NotScanned>,
    /// Where each unscanned package belongs (same order as `not_scanned`).
    pub unscanned_locations: Vec<Loc>,
    pub binaries: Vec<InventoriedBinary>,
    pub scan: ScanTotals,
    pub explained: Vec<Explained>,
    pub elapsed: Duration,
    /// The workspace root (where Cargo.lock and the configuration live).
    pub workspace_root: Utf8PathBuf,
    /// What locations are relative to: the repository root (or `--sarif-base`).
    pub source_root: Utf8PathBuf,
    /// The workspace root relative to `source_root`, `/`-separated (`""` at the root).
    pub workspace_rel: String,
    /// Package id → its directory, for report locations.
    pub package_dirs: BTreeMap<String, Utf8PathBuf>,
    /// The workspace members' manifests, for certificates.
    pub member_manifests: Vec<Utf8PathBuf>,
    /// `sha256:` of the effective policy and configuration.
    pub policy_digest: String,
    /// The configuration's `[[ignore]]` entries (test data that does not ship).
    pub ignores: Vec<Ignore>,
    /// Every screened package, for bills of materials (empty for `scan` and `sbom`).
    pub inventory: Vec<Inventoried>,
    /// The dependency edges between them, as indices into `inventory`: (dependent,
    /// dependency, kind).
    pub edges: Vec<(usize, usize, crate::graph::DepKind)>,
    /// The names of the packages screened, sorted (for suggestions when a name is mistyped).
    pub package_names: Vec<String>,
    /// Packages not fully scanned where `[[ignore]]` entries cover what went unread.
    pub ignored_unscanned: Vec<IgnoredUnscanned>,
    /// What the screening covered.
    pub scope: Scope,
    /// The directories of the path packages screened (workspace members and path
    /// dependencies), whose files a certificate binds, and the target directory, whose are not.
    pub path_sources: Vec<Utf8PathBuf>,
    pub target_dir: Option<Utf8PathBuf>,
}

/// Whether any of `findings` fails the build.
pub fn any_fails<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> bool {
    findings.into_iter().any(|f| f.verdict == Verdict::Fail)
}

/// Why a check fails the build: typed, so every view words it itself and none names one reason
/// for another (a stale list is not "packages could not be scanned").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FailReason {
    /// Findings fail.
    Findings { count: usize },
    /// Packages could not be scanned and the policy fails on that (`fail-on-unscanned`).
    Unscanned { count: usize },
    /// A list is older than `policy.max-list-age`.
    StaleList {
        list: String,
        age_days: i64,
        max_age_days: u32,
    },
}

impl std::fmt::Display for FailReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailReason::Findings { count } => write!(
                f,
                "the product integrates software attributed to a listed entity ({count} failing finding{})",
                if *count == 1 { "" } else { "s" }
            ),
            FailReason::Unscanned { count } => write!(
                f,
                "{count} package{} could not be scanned and the policy fails on that",
                if *count == 1 { "" } else { "s" }
            ),
            FailReason::StaleList {
                list,
                age_days,
                max_age_days,
            } => write!(
                f,
                "list {list} is {age_days} days old, older than policy.max-list-age ({max_age_days} days): update it"
            ),
        }
    }
}

impl Outcome {
    /// Every reason the build fails, in a stable order (empty: it passes).
    pub fn fail_reasons(&self) -> Vec<FailReason> {
        let mut v = Vec::new();
        let count = self
            .findings
            .iter()
            .filter(|f| f.verdict == Verdict::Fail)
            .count();
        if count > 0 {
            v.push(FailReason::Findings { count });
        }
        if self.policy.fail_on_unscanned && !self.not_scanned.is_empty() {
            v.push(FailReason::Unscanned {
                count: self.not_scanned.len(),
            });
        }
        for l in &self.lists {
            if l.list.stale == Some(crate::entity::Stale::Fail) {
                v.push(FailReason::StaleList {
                    list: l.list.id.clone(),
                    age_days: l.list.age_days.unwrap_or_default(),
                    max_age_days: self.policy.max_list_age.unwrap_or_default(),
                });
            }
        }
        v
    }

    /// Whether the build fails: a failing finding, or (if the policy says so) an unscanned package.
    pub fn failed(&self) -> bool {
        any_fails(&self.findings)
            || (self.policy.fail_on_unscanned && !self.not_scanned.is_empty())
            || self.stale_list_fails()
    }

    /// Whether a list is older than `policy.max-list-age`.
    pub fn stale_list_fails(&self) -> bool {
        self.lists
            .iter()
            .any(|l| l.list.stale == Some(crate::entity::Stale::Fail))
    }

    /// Whether it fails because of a finding (not only because of unscanned packages).
    pub fn failed_on_findings(&self) -> bool {
        any_fails(&self.findings)
    }

    /// The counts every format and certificate states.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            packages_screened: self.packages_screened,
            not_scanned: self.not_scanned.len(),
            unused_waivers: self.unused_waivers().len(),
            unused_ignores: self.unused_ignores().len(),
            binaries: self.binaries.len(),
            ..Summary::default()
        };
        for f in &self.findings {
            match f.verdict {
                Verdict::Fail => s.fail += 1,
                Verdict::Warn => s.warn += 1,
                Verdict::Waived => s.waived += 1,
                Verdict::Exempt => s.exempt += 1,
                Verdict::Info => s.info += 1,
                Verdict::Ignored => s.ignored += 1,
            }
        }
        s
    }

    /// Waivers that covered no finding (stale entries worth removing), derived from the
    /// findings: a waiver is used when a finding records it, applied or expired.
    pub fn unused_waivers(&self) -> Vec<&Waiver> {
        self.policy
            .waivers
            .iter()
            .filter(|w| {
                !self
                    .findings
                    .iter()
                    .any(|f| f.waiver.as_ref().is_some_and(|r| r.at == w.at))
            })
            .collect()
    }

    /// `[[ignore]]` entries that covered no finding, derived from the findings like
    /// [`Outcome::unused_waivers`] (an ignored finding records its entry).
    pub fn unused_ignores(&self) -> Vec<&Ignore> {
        self.ignores
            .iter()
            .filter(|i| {
                !self.findings.iter().any(|f| {
                    f.verdict == Verdict::Ignored && f.waiver.as_ref().is_some_and(|r| r.at == i.at)
                }) && !self.ignored_unscanned.iter().any(|u| u.at == i.at)
            })
            .collect()
    }
}

/// A finding's fingerprint: 32 hex digits, the same for the same match in the same place on
/// every run and machine, different for any two findings of one screening. It covers what
/// matched where — package (name, version, source), entity, identifier, evidence field, text
/// and location — and nothing the policy decides (verdict, waiver, reason) or that depends on
/// the checkout (absolute paths, package ids of path dependencies). SARIF, JSON and
/// certificates share it.
pub fn fingerprint(f: &Finding) -> String {
    use crate::graph::SourceKind;
    let m = &f.matched;
    let source = match &f.package.source {
        SourceKind::Workspace | SourceKind::Path => "",
        // Vendoring a registry or git package does not make its findings new ones.
        SourceKind::Registry { url } | SourceKind::Git { url } | SourceKind::Vendored { url } => {
            url.as_str()
        }
    };
    let kind = serde_json::to_string(&m.identifier.kind).unwrap_or_default();
    let (file, line) = match &m.evidence.location {
        Some(l) => (l.file.as_str(), l.line.map(|n| n.to_string())),
        None => ("", None),
    };
    let field = m.evidence.field.name();
    let mut h = Sha256::new();
    for part in [
        "entitycheck-finding-v1",
        f.package.name.as_str(),
        f.package.version.as_str(),
        source,
        m.entity.list_id.as_str(),
        m.entity.id.as_str(),
        kind.as_str(),
        m.identifier.value.as_str(),
        &*field,
        m.evidence.text.as_str(),
        file,
        line.as_deref().unwrap_or(""),
    ] {
        // Length-prefixed, so no two different tuples hash the same bytes.
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

/// What became of a check's index, for its report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndexUse {
    pub file: String,
    /// Whether it was verified and used.
    pub used: bool,
    /// Why it was not used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// Registry packages whose scan was taken from it instead of reading their files.
    pub packages: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::scan::SkipKind;

    #[test]
    fn unscanned_reasons_read_as_they_always_did() {
        let skip = |file: &str, kind| Skipped {
            file: file.into(),
            kind,
            reason: "larger than 10 bytes".into(),
        };
        let note = skip("a.txt", SkipKind::Note);
        let big = skip("big.bin", SkipKind::TooLarge);
        let other = skip("other.bin", SkipKind::Unreadable);
        assert_eq!(Unscanned::of(None, std::slice::from_ref(&note)), None);
        let one = Unscanned::of(None, &[note.clone(), big.clone()]).unwrap();
        assert_eq!(one.to_string(), "big.bin: larger than 10 bytes");
        let two = Unscanned::of(None, &[big.clone(), note, other]).unwrap();
        assert_eq!(
            two.to_string(),
            "big.bin: larger than 10 bytes (and 1 more files)"
        );
        let whole = Unscanned::of(
            Some("no source directory".into()),
            std::slice::from_ref(&big),
        )
        .unwrap();
        assert_eq!(whole.to_string(), "no source directory");
        let built = Unscanned::BuildOutput(big);
        assert_eq!(
            serde_json::to_string(&built).unwrap(),
            "\"build output big.bin: larger than 10 bytes\""
        );
        let back: Unscanned = serde_json::from_str("\"x: y\"").unwrap();
        assert!(matches!(back, Unscanned::Text(ref t) if t == "x: y"));
    }
}
