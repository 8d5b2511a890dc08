//! Graph stage: `cargo metadata` (or saved metadata JSON) → guppy `PackageGraph` → the screened set.
//!
//! The screened set is every package the resolved build can include, resolved the way cargo
//! resolves it (features, target platforms, optional dependencies), computed twice: once without
//! dev-dependencies (what ships) and once with them (what the workspace's tests pull in), so the
//! policy can tell the two apart. Nothing is compiled and no build script runs. The later stages
//! get it as owned [`Resolved`] [`Subject`]s, which [`crate::cache::graph`] keeps for the next run.

mod build;
pub mod inputs;
mod metadata;
mod model;
mod paths;
mod resolve;
mod select;
mod source;
pub mod toolchain;

pub use build::{check_saved_roots, from_json};
pub use metadata::{MetadataPlan, metadata_json, start_dir};
pub use model::{
    DepKind, FeatureSelection, GraphOptions, PathStep, Resolved, Screened, ScreenedPackage,
    SourceKind, Subject,
};
pub use resolve::screen;
pub use select::spec_matches;
pub use source::{cargo_home, place};
