//! Reading a list, built in or from a file, into a validated [`EntityList`]: its TOML parsed
//! into the file's shape (`schema.rs`), then validated (`validate.rs`).

use sha2::{Digest, Sha256};

use super::model::EntityList;
use super::schema::RawList;
use super::validate::Validator;
use crate::error::InputError;

/// The list compiled into the binary: other lists add to it unless `--no-builtin-list`.
pub const BUILTIN_TOML: &str = include_str!("../../data/entities.toml");
/// The name the built-in list is reported under.
pub const BUILTIN_ORIGIN: &str = "built-in:data/entities.toml";

impl EntityList {
    /// The list compiled into the binary.
    pub fn builtin() -> Result<EntityList, InputError> {
        EntityList::parse(BUILTIN_TOML, BUILTIN_ORIGIN)
    }

    /// Reads and validates a list file.
    pub fn load(
        path: &camino::Utf8Path,
        limits: &crate::fsio::Limits,
    ) -> Result<EntityList, InputError> {
        let text = crate::fsio::read_text(path, crate::fsio::ReadKind::EntityList, false, limits)
            .map_err(|e| InputError::read(path, e))?;
        EntityList::parse(&text, path.as_str())
    }

    /// Parses and validates list text; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<EntityList, InputError> {
        let raw: RawList = toml::from_str(text).map_err(|e| InputError::Toml {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())));
        let mut v = Validator {
            text,
            origin,
            problems: Vec::new(),
            notes: Vec::new(),
        };
        let list = v.validate(raw, digest);
        if v.problems.is_empty() {
            Ok(list)
        } else {
            Err(InputError::Invalid {
                path: origin.to_string(),
                problems: v.problems,
            })
        }
    }
}
