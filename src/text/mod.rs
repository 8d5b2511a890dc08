//! Text layer, beneath the entity list and the matcher: raw text → canonical tokens, hosts,
//! URLs and e-mail addresses. It knows nothing of entities or evidence, so the list model
//! (`entity`) and the matcher (`matching`) both build on it without depending on each other.

pub mod bidi;
mod chars;
pub mod confusables;
pub mod escapes;
pub mod literals;
pub mod normalize;

pub use chars::{hidden_run, is_hidden_ascii};
pub(crate) mod web;
