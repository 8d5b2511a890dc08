//! Warm start and caches: everything a run keeps for the next one, in one room. The per-user
//! cache directory ([`dir`]), the scan cache of package contents ([`scan`]), the graph cache
//! of the build resolved last time ([`graph`]), and the head start that guesses the lockfile
//! and scans locked registry packages while `cargo metadata` runs ([`early`]). The pipeline's
//! load stage (`pipeline/warm.rs`) decides when each is read and written.
//!
//! A cache is an optimisation: every cached result is bound to the content it describes, one
//! that does not match is recomputed, and failing to write one never fails a check.

pub mod dir;
pub mod early;
pub mod graph;
pub mod scan;
