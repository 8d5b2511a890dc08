//! Diagnostics with spans: problems found while validating a text input (configuration, entity
//! list, certificate) → one error naming the file and line of each, all reported at once.

use std::fmt;
use std::ops::Range;

use crate::error::InputError;

/// Problems collected while validating `text` read from `origin`.
pub struct Diagnostics<'a> {
    pub text: &'a str,
    pub origin: &'a str,
    problems: Vec<String>,
}

impl<'a> Diagnostics<'a> {
    pub fn new(text: &'a str, origin: &'a str) -> Diagnostics<'a> {
        Diagnostics {
            text,
            origin,
            problems: Vec::new(),
        }
    }

    /// Records a problem at a byte span of the text (`origin:line: message`).
    pub fn at(&mut self, span: Range<usize>, message: impl fmt::Display) {
        let line = line_of(self.text, span.start);
        self.problems
            .push(format!("{}:{line}: {message}", self.origin));
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems so far, taken.
    pub fn take(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `Ok(value)` when nothing was recorded, else every problem as one error.
pub fn finish<T>(d: Diagnostics<'_>, value: T) -> Result<T, InputError> {
    if d.problems.is_empty() {
        Ok(value)
    } else {
        Err(InputError::Invalid {
            path: d.origin.to_string(),
            problems: d.problems,
        })
    }
}

/// The candidate closest to `word`, when one is close enough to be what was meant (a typo:
/// Jaro-Winkler similarity of at least 0.8, as cargo and clap use for their suggestions).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod suggest_tests {
    #[test]
    fn typos_find_the_key_meant_and_nothing_far() {
        let keys = [
            "fail-on",
            "dev-dependencies-fail",
            "fail-on-unscanned",
            "as-of",
        ];
        assert_eq!(super::did_you_mean("fail-onn", keys), Some("fail-on"));
        assert_eq!(super::did_you_mean("fial-on", keys), Some("fail-on"));
        assert_eq!(
            super::did_you_mean("upload-gaurd", ["upload-guard", "av-engine-sys"]),
            Some("upload-guard")
        );
        assert_eq!(super::did_you_mean("colour", keys), None);
    }
}
