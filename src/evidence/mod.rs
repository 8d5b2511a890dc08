//! Evidence stage: one screened package → every signal of who made it or what it bundles.
//!
//! Each [`Evidence`] records the field it came from and its [`Role`]: *attribution* (authors,
//! emails, repository and source URLs, copyright and notice lines, vendor fields of binaries)
//! says who made the thing; *mention* (description, keywords, readme, package metadata, the
//! crate's name) only talks about something. The policy never fails a build on a mention alone.

pub mod apk;
pub mod archive;
pub mod binary;
pub mod budget;
pub mod buildscript;
pub mod bytecode;
pub mod decode;
pub mod deep;
pub mod embedded;
pub mod field;
pub mod firmware;
pub mod gobuild;
pub mod manifest;
pub mod needles;
pub mod notice;
pub mod own;
pub mod reach;
pub mod recognise;
pub mod scan;
#[cfg(any(test, feature = "testgen"))]
pub mod testgen;

use serde::{Deserialize, Serialize};

pub use field::Field;

/// Whether a piece of evidence says who made the package or merely mentions someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Attribution,
    Mention,
}

/// The shape of the text, which decides how the matcher reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// `Name <email>` as in `package.authors`.
    Author,
    /// A URL or URL-like source string (`git+ssh://…`, `registry+https://…`, `git@host:org/repo`).
    Url,
    /// A certificate subject (`CN=…, O=…, C=…`).
    Subject,
    /// Free text: a notice line, a description, a library name.
    Text,
}

/// Where inside the package a piece of evidence was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the package root (`/` separators); inside archives `outer.zip!inner/path`.
    pub file: String,
    /// 1-based line for text files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// One signal collected from a package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// The field it came from, typed ([`Field`]); rendered to its stable name (`authors`,
    /// `metadata.<path>`, `notice`, `PE VERSIONINFO CompanyName`…) in every report.
    pub field: Field,
    pub role: Role,
    pub shape: Shape,
    /// The text exactly as found (trimmed, at most a few hundred characters).
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Evidence {
    pub fn new(field: impl Into<Field>, role: Role, shape: Shape, text: impl Into<String>) -> Self {
        Evidence {
            field: field.into(),
            role,
            shape,
            text: text.into(),
            location: None,
        }
    }

    pub fn at(mut self, file: impl Into<String>, line: Option<u32>) -> Self {
        self.location = Some(Location {
            file: file.into(),
            line,
        });
        self
    }
}

/// Longest evidence text kept; a longer line is cut at a character boundary.
pub const MAX_TEXT: usize = 512;

/// Cuts `s` to at most [`MAX_TEXT`] bytes without splitting a character.
pub fn clip(s: &str) -> &str {
    if s.len() <= MAX_TEXT {
        return s;
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
