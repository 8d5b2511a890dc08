//! Match stage: evidence × entity lists → matches, each recording why.
//!
//! Both sides are normalised by [`normalize`](crate::text::normalize) (Unicode NFKC, invisible
//! characters, look-alikes, Cyrillic transliteration, legal forms, punctuation) and compared on
//! *whole tokens* and *whole domain labels*, so `Kasper Skyum`, `kaspa-wallet`, `KasperSkytte`
//! and `notkaspersky.example` never match while `АО «Лаборатория Касперского»` and
//! `K​aspersky` (with a zero-width space) do.
//!
//! The results are in `types.rs`, building the [`Matcher`] in `index.rs`, and matching a piece
//! of evidence against it in `lookup.rs`; reading code-hosting URLs is text parsing
//! (`crate::text::web`).

mod index;
mod lookup;
mod types;

pub use index::Matcher;
pub use types::{AlsoRef, Confidence, EntityRef, IdentKind, IdentRef, Match};

#[cfg(test)]
mod tests;
