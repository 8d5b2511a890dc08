//! Sweep, checksums: a registry index (the crates.io-index layout, as a git checkout, a local
//! registry or cargo's own cache of the sparse index) and/or a crates.io database dump → the
//! SHA-256 each `.crate` must have. A file whose checksum differs, or that a given source does
//! not know, is recorded as not scanned with the reason: never trusted silently.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use camino::Utf8Path;

use super::record::VerifiedBy;
use crate::error::InputError;

/// The checksums the sources name, by (name, version).
#[derive(Debug, Default)]
pub struct Expected {
    index: Option<HashMap<(String, String), String>>,
    dump: Option<HashMap<(String, String), String>>,
}

impl Expected {
    /// Reads the checksums of the `wanted` crates' versions from the given sources.
    pub fn load(
        registry_index: Option<&Utf8Path>,
        db_dump: Option<&Utf8Path>,
        wanted: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<Expected, InputError> {
        let index = match registry_index {
            Some(dir) => Some(from_index(dir, wanted)?),
            None => None,
        };
        let dump = match db_dump {
            Some(path) => Some(from_dump(path, wanted)?),
            None => None,
        };
        Ok(Expected { index, dump })
    }

    /// Checks `checksum` (hex) of `name` `version` against every source given.
    pub fn verify(&self, name: &str, version: &str, checksum: &str) -> Result<VerifiedBy, String> {
        let key = (name.to_string(), version.to_string());
        let mut by = Vec::new();
        for (what, source) in [
            ("registry index", &self.index),
            ("database dump", &self.dump),
        ] {
            let Some(map) = source else { continue };
            match map.get(&key) {
                Some(c) if c.eq_ignore_ascii_case(checksum) => by.push(what),
                Some(c) => {
                    return Err(format!(
                        "checksum mismatch: the file's SHA-256 is {checksum}, the {what} says {c}"
                    ));
                }
                None => {
                    return Err(format!(
                        "not in the {what}: its checksum cannot be verified"
                    ));
                }
            }
        }
        Ok(match by.as_slice() {
            [] => VerifiedBy::Unverified,
            ["registry index"] => VerifiedBy::RegistryIndex,
            ["database dump"] => VerifiedBy::DbDump,
            _ => VerifiedBy::RegistryIndexAndDbDump,
        })
    }
}

/// The path of a crate's file in the crates.io-index layout (`1/a`, `2/ab`, `3/a/abc`,
/// `ab/cd/abcd…`), lower-cased.
pub fn index_path(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    match n.len() {
        0 => String::new(),
        1 => format!("1/{n}"),
        2 => format!("2/{n}"),
        3 => format!("3/{}/{n}", &n[..1]),
        _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
    }
}

/// Reads each wanted crate's index file: JSON lines (`{"name","vers","cksum",…}`), or cargo's
/// cache of one (a binary header, then NUL-separated version and JSON pairs). `dir` may be the
/// index root or the directory holding cargo's `.cache`.
fn from_index(
    dir: &Utf8Path,
    wanted: &BTreeMap<String, BTreeSet<String>>,
) -> Result<HashMap<(String, String), String>, InputError> {
    if !dir.is_dir() {
        return Err(InputError::Usage(format!(
            "{dir}: not a registry index directory"
        )));
    }
    let mut out = HashMap::new();
    for name in wanted.keys() {
        let rel = index_path(name);
        let candidates = [dir.join(&rel), dir.join(".cache").join(&rel)];
        let Some(bytes) = candidates.iter().find_map(|p| std::fs::read(p).ok()) else {
            continue;
        };
        for chunk in bytes.split(|&b| b == b'\n' || b == 0) {
            let chunk = chunk.trim_ascii();
            if !chunk.starts_with(b"{") {
                continue;
            }
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(chunk) else {
                continue;
            };
            if let (Some(n), Some(vers), Some(ck)) =
                (v["name"].as_str(), v["vers"].as_str(), v["cksum"].as_str())
                && n.eq_ignore_ascii_case(name)
            {
                out.insert((name.clone(), vers.to_string()), ck.to_ascii_lowercase());
            }
        }
    }
    Ok(out)
}

/// Reads `versions.tar_sha256` of the wanted crates from a database dump (streamed; read twice
/// when the versions table comes before the crates table).
fn from_dump(
    path: &Utf8Path,
    wanted: &BTreeMap<String, BTreeSet<String>>,
) -> Result<HashMap<(String, String), String>, InputError> {
    if !path.is_file() {
        return Err(InputError::Io {
            path: path.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    #[derive(Default)]
    struct State {
        ids: HashMap<u32, String>,
        crates_done: bool,
        /// A crates row was read in this pass.
        crates_seen: bool,
        /// A versions row came before any crates row (read again in the next pass).
        versions_early: bool,
        versions_done: bool,
        out: HashMap<(String, String), String>,
    }
    let state = RefCell::new(State::default());
    for _pass in 0..2 {
        if state.borrow().versions_done {
            break;
        }
        let crates_known = state.borrow().crates_done;
        let mut loader = db_dump::Loader::new();
        if !crates_known {
            loader.crates(|row| {
                let mut s = state.borrow_mut();
                s.crates_seen = true;
                if wanted.contains_key(&row.name) {
                    s.ids.insert(row.id.0, row.name);
                }
            });
        }
        loader.versions(|row| {
            let mut s = state.borrow_mut();
            if !crates_known && !s.crates_seen {
                s.versions_early = true; // the crates table is still to come
                return;
            }
            let Some(name) = s.ids.get(&row.crate_id.0).cloned() else {
                return;
            };
            let num = row.num.to_string();
            if wanted.get(&name).is_some_and(|v| v.contains(&num)) {
                s.out.insert((name, num), hex::encode(row.tar_sha256));
            }
        });
        loader.load(path).map_err(|e| {
            InputError::Usage(format!(
                "{path}: not a readable crates.io database dump: {e}"
            ))
        })?;
        let mut s = state.borrow_mut();
        s.crates_done = true;
        // Complete unless the versions came before the crate ids were known.
        s.versions_done = !s.versions_early;
        s.versions_early = false;
    }
    Ok(state.into_inner().out)
}
