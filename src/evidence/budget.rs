//! Evidence stage, budgets: what the deep scan of one package may spend, over all its files.
//!
//! The limits of one file (`--max-file-size`), one archive ([`super::archive::ArchiveLimits`])
//! and one binary (its inspections and sections) each bound a single piece; a package of two
//! thousand pieces, each within them, would still cost hours (2,000 small bzip2 bombs of half a
//! second each; a hundred nested fat Mach-Os of 100,000 slices each). A [`PackageBudget`] is
//! what one package may spend together: bytes decoded from archives and compressed streams,
//! time spent in those decoders, archive members read, and binaries inspected (each file, fat
//! slice and static-archive member). Once one of them is spent, what remains is listed as not
//! scanned (`SkipKind::Limit`, the reason naming the budget and its size), never passed.
//!
//! The sizes come from the environment (`ENTITYCHECK_PACKAGE_MAX_*`, the CI's, like the read
//! bounds of `crate::fsio`); the project's configuration may lower them, never raise them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use serde::Serialize;

/// The sizes of each package's budget. Far above what real packages spend (of the 685 and 466
/// packages of the uv and yara-x workspaces, the most any one spends is 46 MiB decoded, 0.3 s
/// in decoders, 244 archive members and 1,404 binaries inspected), low enough that a hostile
/// package stops within a minute or two. Each is some times the matching per-file or
/// per-archive bound, so that one file alone cannot spend the package's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageLimits {
    /// Bytes decoded from every archive and compressed stream of the package, nested ones too.
    pub max_unpacked_bytes: u64,
    /// Time spent in those decoders, summed over threads, in seconds.
    pub max_decode_seconds: u64,
    /// Archive members (and compressed streams) read.
    pub max_archive_members: u64,
    /// Binaries inspected: every PE, ELF, Mach-O or static archive, and every fat slice and
    /// archive member inside one.
    pub max_binaries: u64,
}

impl Default for PackageLimits {
    fn default() -> Self {
        PackageLimits {
            max_unpacked_bytes: 4 * 1024 * 1024 * 1024,
            max_decode_seconds: 60,
            max_archive_members: 100_000,
            max_binaries: 200_000,
        }
    }
}

/// Which budget a setting or reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Unpacked,
    DecodeTime,
    ArchiveMembers,
    Binaries,
}

impl Budget {
    pub const ALL: [Budget; 4] = [
        Budget::Unpacked,
        Budget::DecodeTime,
        Budget::ArchiveMembers,
        Budget::Binaries,
    ];

    /// The configuration key (under `[deep]`).
    pub fn key(self) -> &'static str {
        match self {
            Budget::Unpacked => "package-max-unpacked-size",
            Budget::DecodeTime => "package-max-decode-seconds",
            Budget::ArchiveMembers => "package-max-archive-members",
            Budget::Binaries => "package-max-binaries",
        }
    }

    /// The environment variable that sets it.
    pub fn var(self) -> &'static str {
        match self {
            Budget::Unpacked => "ENTITYCHECK_PACKAGE_MAX_UNPACKED_SIZE",
            Budget::DecodeTime => "ENTITYCHECK_PACKAGE_MAX_DECODE_SECONDS",
            Budget::ArchiveMembers => "ENTITYCHECK_PACKAGE_MAX_ARCHIVE_MEMBERS",
            Budget::Binaries => "ENTITYCHECK_PACKAGE_MAX_BINARIES",
        }
    }
}

impl PackageLimits {
    pub fn get(&self, b: Budget) -> u64 {
        match b {
            Budget::Unpacked => self.max_unpacked_bytes,
            Budget::DecodeTime => self.max_decode_seconds,
            Budget::ArchiveMembers => self.max_archive_members,
            Budget::Binaries => self.max_binaries,
        }
    }

    pub fn set(&mut self, b: Budget, v: u64) {
        match b {
            Budget::Unpacked => self.max_unpacked_bytes = v,
            Budget::DecodeTime => self.max_decode_seconds = v,
            Budget::ArchiveMembers => self.max_archive_members = v,
            Budget::Binaries => self.max_binaries = v,
        }
    }

    /// The defaults, with the sizes the environment sets (`ENTITYCHECK_PACKAGE_MAX_*`: bytes or
    /// `4 GiB` for the unpacked size, a number for the others). From the environment, not the
    /// configuration: the budgets protect the run from the project, whose configuration may
    /// lower them (see [`PackageLimits::lower`]) but must not lift them.
    pub fn from_env() -> Result<PackageLimits, String> {
        let mut l = PackageLimits::default();
        for b in Budget::ALL {
            if let Some(v) = std::env::var_os(b.var()) {
                let v = v.to_string_lossy();
                let n = match b {
                    Budget::Unpacked => crate::fsio::parse_size(&v),
                    _ => v.trim().parse().ok(),
                };
                l.set(
                    b,
                    n.ok_or_else(|| match b {
                        Budget::Unpacked => {
                            format!("{}=`{v}` is not a size (bytes, or e.g. \"4 GiB\")", b.var())
                        }
                        _ => format!("{}=`{v}` is not a whole number", b.var()),
                    })?,
                );
            }
        }
        Ok(l)
    }

    /// These limits with `b` set to `v` from the project's configuration (`origin`), which may
    /// lower a budget and never raise it.
    pub fn lower(&mut self, b: Budget, v: u64, origin: &str) -> Result<(), String> {
        let ceiling = self.get(b);
        if v > ceiling {
            return Err(format!(
                "{origin}: deep.{} = {v} is above the budget in force ({ceiling}): the configuration may lower a package's budget, never raise it (set {} instead)",
                b.key(),
                b.var()
            ));
        }
        self.set(b, v);
        Ok(())
    }
}

/// Why a piece of work was refused: which budget is spent, and its size. Rendered as the
/// sentence the scan's reasons start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub budget: Budget,
    pub limit: u64,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.limit;
        let size = match self.budget {
            Budget::Unpacked => format!("{n} bytes unpacked"),
            Budget::DecodeTime => format!("{n} s in decoders"),
            Budget::ArchiveMembers => format!("{n} archive members"),
            Budget::Binaries => format!("{n} binaries inspected"),
        };
        write!(
            f,
            "the package's budget of {size} (deep.{}) is spent",
            self.budget.key()
        )
    }
}

/// What one package has spent of its [`PackageLimits`], shared by the threads that scan its
/// files. Each `take_*` either admits one more piece of work or says why not.
#[derive(Debug)]
pub struct PackageBudget {
    limits: PackageLimits,
    unpacked: AtomicU64,
    nanos: AtomicU64,
    members: AtomicU64,
    binaries: AtomicU64,
    /// Set once something was refused.
    ran_out: AtomicBool,
}

/// How much of each budget a package spent (for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spent {
    pub unpacked_bytes: u64,
    pub decode_time: Duration,
    pub archive_members: u64,
    pub binaries: u64,
}

impl PackageBudget {
    pub fn new(limits: &PackageLimits) -> PackageBudget {
        PackageBudget {
            limits: limits.clone(),
            unpacked: AtomicU64::new(0),
            nanos: AtomicU64::new(0),
            members: AtomicU64::new(0),
            binaries: AtomicU64::new(0),
            ran_out: AtomicBool::new(false),
        }
    }

    /// The reason a piece of work is refused: budget `b` is spent.
    fn refuse(&self, b: Budget) -> Refusal {
        self.ran_out.store(true, Relaxed);
        Refusal {
            budget: b,
            limit: self.limits.get(b),
        }
    }

    /// One more archive member (or compressed stream) to read.
    pub fn take_member(&self) -> Result<(), Refusal> {
        if self.members.fetch_add(1, Relaxed) >= self.limits.max_archive_members {
            return Err(self.refuse(Budget::ArchiveMembers));
        }
        Ok(())
    }

    /// One more binary, fat slice or static-archive member to inspect.
    pub fn take_binary(&self) -> Result<(), Refusal> {
        if self.binaries.fetch_add(1, Relaxed) >= self.limits.max_binaries {
            return Err(self.refuse(Budget::Binaries));
        }
        Ok(())
    }

    /// How many more bytes the package may decode, or why it may decode nothing more.
    pub fn unpacked_left(&self) -> Result<u64, Refusal> {
        self.time_left()?;
        let left = self
            .limits
            .max_unpacked_bytes
            .saturating_sub(self.unpacked.load(Relaxed));
        if left == 0 {
            return Err(self.refuse(Budget::Unpacked));
        }
        Ok(left)
    }

    /// Why no decoder may run any more, once the time budget is spent.
    pub fn time_left(&self) -> Result<(), Refusal> {
        let max = u128::from(self.limits.max_decode_seconds) * 1_000_000_000;
        if u128::from(self.nanos.load(Relaxed)) >= max {
            return Err(self.refuse(Budget::DecodeTime));
        }
        Ok(())
    }

    /// Why no archive may even be opened any more: no member, byte or second is left.
    pub fn walk_left(&self) -> Result<(), Refusal> {
        if self.members.load(Relaxed) >= self.limits.max_archive_members {
            return Err(self.refuse(Budget::ArchiveMembers));
        }
        self.unpacked_left().map(|_| ())
    }

    /// `bytes` decoded in `time`.
    pub fn charge_decoding(&self, bytes: u64, time: Duration) {
        self.unpacked.fetch_add(bytes, Relaxed);
        self.nanos
            .fetch_add(u64::try_from(time.as_nanos()).unwrap_or(u64::MAX), Relaxed);
    }

    /// The reason a member was cut short by what was left of the unpacked-size budget.
    pub fn unpacked_refusal(&self) -> Refusal {
        self.refuse(Budget::Unpacked)
    }

    /// Whether any work was refused.
    pub fn ran_out(&self) -> bool {
        self.ran_out.load(Relaxed)
    }

    pub fn limits(&self) -> &PackageLimits {
        &self.limits
    }

    /// What was spent so far (work refused included in the counts of members and binaries).
    pub fn spent(&self) -> Spent {
        Spent {
            unpacked_bytes: self.unpacked.load(Relaxed),
            decode_time: Duration::from_nanos(self.nanos.load(Relaxed)),
            archive_members: self.members.load(Relaxed),
            binaries: self.binaries.load(Relaxed),
        }
    }
}

impl Default for PackageBudget {
    fn default() -> Self {
        PackageBudget::new(&PackageLimits::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_budget_admits_its_size_then_names_itself() {
        let limits = PackageLimits {
            max_unpacked_bytes: 100,
            max_decode_seconds: 1,
            max_archive_members: 3,
            max_binaries: 2,
        };
        let b = PackageBudget::new(&limits);
        for _ in 0..3 {
            b.take_member().unwrap();
        }
        let e = b.take_member().unwrap_err();
        assert_eq!(
            e.budget,
            Budget::ArchiveMembers,
            "the refusal names its budget"
        );
        assert_eq!(
            e.to_string(),
            "the package's budget of 3 archive members (deep.package-max-archive-members) is spent"
        );
        assert!(b.ran_out());
        b.take_binary().unwrap();
        b.take_binary().unwrap();
        assert!(
            b.take_binary()
                .unwrap_err()
                .to_string()
                .contains("2 binaries inspected")
        );
        assert_eq!(b.unpacked_left(), Ok(100));
        b.charge_decoding(60, Duration::ZERO);
        assert_eq!(b.unpacked_left(), Ok(40));
        b.charge_decoding(40, Duration::ZERO);
        assert!(
            b.unpacked_left()
                .unwrap_err()
                .to_string()
                .contains("100 bytes unpacked (deep.package-max-unpacked-size)")
        );
        let t = PackageBudget::new(&limits);
        t.charge_decoding(0, Duration::from_secs(1));
        assert!(
            t.unpacked_left()
                .unwrap_err()
                .to_string()
                .contains("1 s in decoders (deep.package-max-decode-seconds)")
        );
        assert_eq!(
            t.spent(),
            Spent {
                decode_time: Duration::from_secs(1),
                ..Spent::default()
            }
        );
    }

    #[test]
    fn the_configuration_lowers_budgets_never_raises_them() {
        let mut l = PackageLimits::default();
        l.lower(Budget::Binaries, 10, "entitycheck.toml").unwrap();
        assert_eq!(l.max_binaries, 10);
        let e = l
            .lower(Budget::Binaries, 11, "entitycheck.toml")
            .unwrap_err();
        assert_eq!(
            e,
            "entitycheck.toml: deep.package-max-binaries = 11 is above the budget in force (10): the configuration may lower a package's budget, never raise it (set ENTITYCHECK_PACKAGE_MAX_BINARIES instead)"
        );
        assert_eq!(l.max_binaries, 10);
    }
}
