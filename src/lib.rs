//! cargo-entitycheck: tell a team, before it ships, whether its Rust product integrates software
//! made by an entity it may not deal with.
//!
//! One pipeline, one module per stage, each a plain function from a typed input to a typed output:
//!
//! ```text
//!  cargo metadata ──▶ graph ──▶ evidence ──▶ matching ──▶ policy ──▶ report
//!   (guppy)          screened   per package   × entity     verdicts   human / json
//!                    packages   signals       lists (data/)           + exit code
//! ```
//!
//! - [`graph`]: resolve the dependency graph as cargo would (features, platforms, dev/build edges).
//! - [`evidence`]: who made each package and what it bundles (manifest fields, source URLs).
//! - [`entity`]: the entity list, validated ([`entity::BUILTIN_TOML`] is the default).
//! - [`matching`]: normalised, whole-token comparison of evidence and identifiers.
//! - [`policy`]: what fails the build and why.
//! - [`report`]: the only module that writes output.

pub mod cli;
pub mod entity;
pub mod error;
pub mod evidence;
pub mod graph;
pub mod matching;
pub mod policy;
pub mod report;

use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use crate::cli::CheckPlan;
use crate::entity::EntityList;
use crate::error::InputError;
use crate::matching::Matcher;
use crate::policy::{Finding, PackageRef, Policy, Verdict};

/// A package whose files could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NotScanned {
    pub name: String,
    pub version: String,
    pub reason: String,
}

/// The result of a check: data for the report and the exit code.
pub struct Outcome {
    pub lists: Vec<EntityList>,
    pub policy: Policy,
    pub packages_screened: usize,
    /// Sorted: verdict, package, match.
    pub findings: Vec<Finding>,
    pub not_scanned: Vec<NotScanned>,
    pub elapsed: Duration,
    pub verbose: bool,
}

impl Outcome {
    /// Whether any finding fails the build.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.verdict == Verdict::Fail)
    }
}

/// Runs the pipeline: graph → evidence → match → policy.
pub fn check(plan: CheckPlan) -> Result<Outcome, InputError> {
    let started = Instant::now();
    let graph = graph::load(&plan.graph)?;
    let screened = graph::screen(&graph, &plan.graph)?;
    let matcher = Matcher::new(&plan.lists);

    let mut findings: Vec<Finding> = screened
        .packages
        .par_iter()
        .flat_map_iter(|pkg| {
            let evidence = evidence::manifest::collect(&pkg.meta);
            let package = PackageRef {
                name: pkg.meta.name().to_string(),
                version: pkg.meta.version().to_string(),
                id: pkg.meta.id().repr().to_string(),
                kind: pkg.kind,
                source: pkg.source.clone(),
            };
            evidence
                .iter()
                .flat_map(|e| matcher.match_evidence(e))
                .map(|m| {
                    policy::decide(
                        &plan.policy,
                        &plan.lists,
                        package.clone(),
                        pkg.path.clone(),
                        m,
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    findings.sort();
    findings.dedup();

    Ok(Outcome {
        packages_screened: screened.packages.len(),
        lists: plan.lists,
        policy: plan.policy,
        findings,
        not_scanned: Vec::new(),
        elapsed: started.elapsed(),
        verbose: plan.verbose,
    })
}
