//! Policy, ignored paths: one package's decided findings and the configuration's `[[ignore]]`
//! entries → the findings in files that do not ship (a member's `tests/`, fixtures) marked
//! [`Verdict::Ignored`].
//!
//! Ignoring is honest: the files are still scanned, and their findings are still reported, with
//! the entry (file:line, reason, approver) that covers them; only their verdict changes, and an
//! ignored finding never fails the build. The decision is by the evidence's file, relative to
//! the package directory (an archive member by its archive): evidence from the manifest or the
//! registry has no file and is never ignored, since the manifest ships.

use chrono::NaiveDate;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use super::{Finding, Verdict, WaiverRef};

/// An `[[ignore]]` entry.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ignore {
    /// The package whose files it covers (by name).
    pub package: String,
    /// Globs as written, relative to the package directory (`tests/**`, `**/fixtures/**`).
    pub paths: Vec<String>,
    #[serde(skip)]
    pub set: GlobSet,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    /// Where it is written: `file:line`.
    pub at: String,
}

impl Ignore {
    /// Compiles the globs: `*` stays within a path segment, `**` crosses them, and a pattern
    /// ending in `/` covers everything below that directory. The error names the bad glob.
    pub fn compile(paths: &[String]) -> Result<GlobSet, String> {
        let mut b = GlobSetBuilder::new();
        for p in paths {
            let pattern = if p.ends_with('/') {
                format!("{p}**")
            } else {
                p.clone()
            };
            let glob = GlobBuilder::new(pattern.trim_start_matches("./"))
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("`{p}`: {}", e.kind()))?;
            b.add(glob);
        }
        b.build().map_err(|e| e.to_string())
    }

    /// Whether the entry is in force on `as_of`.
    pub fn in_force(&self, as_of: NaiveDate) -> bool {
        self.expires.is_none_or(|d| d >= as_of)
    }

    /// Whether it covers the whole of `package`: a path `**` (what silences a package that
    /// could not be scanned at all, such as one whose files are not on disk).
    pub fn covers_package(&self, package: &str) -> bool {
        self.package == package && self.paths.iter().any(|p| p == "**")
    }

    /// Whether it covers a file of `package` (path relative to the package directory).
    pub fn covers(&self, package: &str, file: &str) -> bool {
        self.package == package && self.set.is_match(file)
    }
}

/// Marks `findings` (all of one package) in ignored files as [`Verdict::Ignored`], recording the
/// entry. Waived findings keep their waiver; expired entries do nothing.
pub fn apply(findings: &mut [Finding], ignores: &[Ignore], as_of: NaiveDate) {
    if ignores.is_empty() {
        return;
    }
    for f in findings {
        if f.verdict == Verdict::Waived {
            continue;
        }
        let Some(loc) = &f.matched.evidence.location else {
            continue;
        };
        // Inside an archive: the archive is the file that ships or not.
        let file = loc
            .file
            .split_once('!')
            .map_or(loc.file.as_str(), |(a, _)| a);
        let Some(entry) = ignores
            .iter()
            .find(|i| i.in_force(as_of) && i.covers(&f.package.name, file))
        else {
            continue;
        };
        f.reason = format!(
            "ignored at {}: {} (would be {}: {})",
            entry.at,
            entry.reason,
            f.verdict.as_str(),
            f.reason
        );
        f.waiver = Some(WaiverRef {
            at: entry.at.clone(),
            reason: entry.reason.clone(),
            approved_by: entry.approved_by.clone(),
            expires: entry.expires,
            expired: false,
        });
        // What it would be without the ignore entry: this verdict, or under a waiver the verdict
        // the waiver overrode (a waived failure that is also ignored is still a suppressed
        // failure).
        f.would_be = match f.verdict {
            Verdict::Waived => f.would_be,
            v => Some(v),
        };
        f.verdict = Verdict::Ignored;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(paths: &[&str]) -> Ignore {
        let paths: Vec<String> = paths.iter().map(|s| s.to_string()).collect();
        Ignore {
            package: "app".into(),
            set: Ignore::compile(&paths).unwrap(),
            paths,
            reason: "test data".into(),
            at: "e.toml:1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn globs_stay_in_their_segments() {
        let i = entry(&["tests/", "src/**/tests.rs", "*.md"]);
        assert!(i.covers("app", "tests/it/main.rs"));
        assert!(i.covers("app", "src/report/tests.rs"));
        assert!(i.covers("app", "src/tests.rs"));
        assert!(i.covers("app", "README.md"));
        assert!(!i.covers("app", "docs/README.md"), "* does not cross /");
        assert!(!i.covers("app", "src/lib.rs"));
        assert!(!i.covers("other", "tests/it/main.rs"));
        assert!(Ignore::compile(&["a/[".into()]).is_err());
    }

    #[test]
    fn expiry() {
        let mut i = entry(&["tests/"]);
        i.expires = NaiveDate::from_ymd_opt(2026, 1, 1);
        assert!(i.in_force(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()));
        assert!(!i.in_force(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()));
    }
}
