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
