//! Sweep, the index: shard outputs → one sorted, deduplicated index ([`merge`]); an index + a
//! private key → a DSSE-signed in-toto statement over its SHA-256 ([`sign`]); and an index +
//! its signature + a public key + this run's lists → the records a check may take instead of
//! scanning, or the reason it may not ([`Trusted::load`]).
//!
//! The signature covers the index file's digest; the statement also names the recogniser and
//! the lists it was made with, so a verifier refuses a well-signed index made for other lists.

use std::collections::{BTreeMap, HashMap, HashSet};

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::record::{ListRef, Record, provenance};
use crate::attest::dsse;
use crate::entity::EntityList;
use crate::error::InputError;
use crate::evidence::deep::{DeepOptions, PackageScan};

/// The predicate type of an index's signed statement.
pub const PREDICATE_TYPE: &str = "urn:cargo-entitycheck:predicate:sweep-index:v1";

/// Where the signature of `index` is kept: `index` + `.dsse.json`.
pub fn signature_path(index: &Utf8Path) -> Utf8PathBuf {
    Utf8PathBuf::from(format!("{index}.dsse.json"))
}

/// Reads every record of an index (or a shard's output). A line that is not a record is an
/// error naming the file and line.
pub fn read(path: &Utf8Path) -> Result<Vec<Record>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError::Io {
        path: path.to_string(),
        source: e,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(line)
            .map_err(|e| InputError::Usage(format!("{path}:{}: not a sweep record: {e}", i + 1)))?;
        out.push(r);
    }
    Ok(out)
}

fn to_lines(records: &[Record]) -> Vec<u8> {
    let mut buf = Vec::new();
    for r in records {
        // A record always serialises (strings, numbers, vectors).
        if serde_json::to_writer(&mut buf, r).is_ok() {
            buf.push(b'\n');
        }
    }
    buf
}

/// Rewrites a sweep's output sorted by name, version and checksum if it is not already.
pub fn sort_file(path: &Utf8Path) -> Result<(), InputError> {
    let records = read(path)?;
    if records.is_sorted_by(|a, b| a.key() <= b.key()) {
        return Ok(());
    }
    let mut records = records;
    records.sort_by(|a, b| a.key().cmp(&b.key()));
    crate::fsio::write_atomically(path, &to_lines(&records)).map_err(|e| InputError::write(path, e))
}

/// Merges shard outputs into one index at `output`: sorted by name, version and checksum, one
/// record per key. Every input must come from the same recogniser and lists.
pub fn merge(inputs: &[Utf8PathBuf], output: &Utf8Path) -> Result<usize, InputError> {
    let mut by_key: BTreeMap<(String, String, String), Record> = BTreeMap::new();
    let mut origin: Option<(String, Vec<ListRef>, Utf8PathBuf)> = None;
    for input in inputs {
        for r in read(input)? {
            match &origin {
                None => origin = Some((r.recogniser.clone(), r.lists.clone(), input.clone())),
                Some((rec, lists, first)) if rec != &r.recogniser || lists != &r.lists => {
                    return Err(InputError::Usage(format!(
                        "{input}: {} {} was swept by `{}` with other lists than {first} \
                         (`{rec}`): one index holds one recogniser and one set of lists",
                        r.name, r.version, r.recogniser
                    )));
                }
                Some(_) => {}
            }
            let key = (r.name.clone(), r.version.clone(), r.checksum.clone());
            by_key.entry(key).or_insert(r);
        }
    }
    let records: Vec<Record> = by_key.into_values().collect();
    crate::fsio::write_atomically(output, &to_lines(&records))
        .map_err(|e| InputError::write(output, e))?;
    Ok(records.len())
}

/// What an index's signed statement says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexPredicate {
    pub recogniser: String,
    pub lists: Vec<ListRef>,
    pub records: usize,
}

/// The in-toto statement signed over an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexStatement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<crate::attest::Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: IndexPredicate,
}

/// Signs the index at `path`: a DSSE envelope over a statement naming its SHA-256, recogniser
/// and lists. Refuses an index mixing recognisers or lists.
pub fn sign(path: &Utf8Path, key: &dsse::SigningKey) -> Result<dsse::Envelope, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::Io {
        path: path.to_string(),
        source: e,
    })?;
    let records = read(path)?;
    let prov = provenance(&records);
    let (recogniser, lists) = match prov.len() {
        1 => prov.into_iter().next().unwrap_or_default(),
        0 => {
            return Err(InputError::Usage(format!("{path}: the index is empty")));
        }
        n => {
            return Err(InputError::Usage(format!(
                "{path}: records from {n} recognisers or list sets: merge shards of one sweep"
            )));
        }
    };
    let statement = IndexStatement {
        type_: crate::attest::STATEMENT_TYPE.to_string(),
        subject: vec![crate::attest::Subject {
            name: path.file_name().unwrap_or(path.as_str()).to_string(),
            digest: [("sha256".to_string(), hex::encode(Sha256::digest(&bytes)))].into(),
        }],
        predicate_type: PREDICATE_TYPE.to_string(),
        predicate: IndexPredicate {
            recogniser,
            lists,
            records: records.len(),
        },
    };
    let payload = serde_json::to_vec(&statement).unwrap_or_default();
    Ok(dsse::sign(&payload, key))
}

/// Why an index is not used by a check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("its signature file {0} cannot be read: {1}")]
    NoSignature(String, String),
    #[error("its signature does not hold: {0}")]
    BadSignature(String),
    #[error("the signed statement is not about this index: {0}")]
    WrongSubject(String),
    #[error("it was made by `{found}`, this check recognises with `{expected}`")]
    Recogniser { found: String, expected: String },
    #[error("it was made with the lists {found}, this check screens with {expected}")]
    Lists { found: String, expected: String },
    #[error("it cannot be read: {0}")]
    Unreadable(String),
}

fn describe(lists: &[ListRef]) -> String {
    lists
        .iter()
        .map(|l| {
            format!(
                "{} {} ({})",
                l.id,
                l.version,
                &l.digest[..l.digest.len().min(19)]
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `check --index FILE --index-key KEY`: the index to verify, and the key to verify it with.
#[derive(Debug)]
pub struct IndexSpec {
    pub path: Utf8PathBuf,
    pub key: dsse::VerifyingKey,
}

/// What became of a check's index: result data, so it lives with the outcome.
pub use crate::outcome::IndexUse;

/// A verified index: the file-pass scans a check may reuse, by (name, version, checksum).
#[derive(Debug, Default)]
pub struct Trusted {
    pub path: Utf8PathBuf,
    scans: HashMap<(String, String, String), PackageScan>,
}

impl Trusted {
    /// Verifies the index at `path` (its signature at [`signature_path`]) with `key`, for a
    /// check screening with `lists` and `deep`: `Err` says why it must not be used.
    pub fn load(
        path: &Utf8Path,
        key: &dsse::VerifyingKey,
        lists: &[EntityList],
        deep: &DeepOptions,
    ) -> Result<Trusted, Refusal> {
        Trusted::load_for(path, key, lists, deep, None)
    }

    /// [`Trusted::load`], keeping only the records of `wanted` (name, version, lower-case
    /// checksum): a check needs the few hundred its lockfile pins, not a registry's worth.
    /// Every line is still checked against the signed recogniser and lists.
    pub fn load_for(
        path: &Utf8Path,
        key: &dsse::VerifyingKey,
        lists: &[EntityList],
        deep: &DeepOptions,
        wanted: Option<&HashSet<(String, String, String)>>,
    ) -> Result<Trusted, Refusal> {
        let sig_path = signature_path(path);
        let sig = std::fs::read(&sig_path)
            .map_err(|e| Refusal::NoSignature(sig_path.to_string(), e.to_string()))?;
        let envelope: dsse::Envelope = serde_json::from_slice(&sig)
            .map_err(|e| Refusal::BadSignature(format!("{sig_path}: not a DSSE envelope: {e}")))?;
        dsse::check(&envelope, key).map_err(Refusal::BadSignature)?;
        let payload = dsse::payload(&envelope).map_err(Refusal::BadSignature)?;
        let statement: IndexStatement = serde_json::from_slice(&payload)
            .map_err(|e| Refusal::WrongSubject(format!("not an index statement: {e}")))?;
        if statement.predicate_type != PREDICATE_TYPE {
            return Err(Refusal::WrongSubject(format!(
                "predicateType is `{}`",
                statement.predicate_type
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| Refusal::Unreadable(e.to_string()))?;
        let digest = hex::encode(Sha256::digest(&bytes));
        if !statement
            .subject
            .iter()
            .any(|s| s.digest.get("sha256") == Some(&digest))
        {
            return Err(Refusal::WrongSubject(format!(
                "the file's SHA-256 is {digest}, the statement names {}",
                statement
                    .subject
                    .iter()
                    .filter_map(|s| s.digest.get("sha256"))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let expected = super::record::recogniser(deep);
        let p = &statement.predicate;
        if p.recogniser != expected {
            return Err(Refusal::Recogniser {
                found: p.recogniser.clone(),
                expected,
            });
        }
        let ours = ListRef::of(lists);
        if p.lists != ours {
            return Err(Refusal::Lists {
                found: describe(&p.lists),
                expected: describe(&ours),
            });
        }
        /// What is read of every line; the rest only for the lines wanted.
        #[derive(Deserialize)]
        struct Head {
            name: String,
            version: String,
            checksum: String,
            recogniser: String,
            lists: Vec<ListRef>,
        }
        let unreadable = |i: usize, e: serde_json::Error| {
            Refusal::Unreadable(format!("{path}:{}: not a sweep record: {e}", i + 1))
        };
        let mut scans = HashMap::new();
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.trim_ascii().is_empty() {
                continue;
            }
            let h: Head = serde_json::from_slice(line).map_err(|e| unreadable(i, e))?;
            // Each line must agree with the signed statement (the digest covers them, but a
            // signer may have signed a mixed file by hand).
            if h.recogniser != p.recogniser || h.lists != p.lists {
                return Err(Refusal::Unreadable(format!(
                    "{} {} was not made with the signed recogniser and lists",
                    h.name, h.version
                )));
            }
            let key = (h.name, h.version, h.checksum.to_ascii_lowercase());
            if key.2.is_empty() || wanted.is_some_and(|w| !w.contains(&key)) {
                continue;
            }
            let r: Record = serde_json::from_slice(line).map_err(|e| unreadable(i, e))?;
            // A version that could not be read says nothing: the check scans it itself.
            if r.scan.not_scanned.is_none() {
                scans.insert(key, r.scan);
            }
        }
        Ok(Trusted {
            path: path.to_path_buf(),
            scans,
        })
    }

    /// The file pass of `name` `version` whose `.crate` has `checksum`, if the index has it.
    pub fn get(&self, name: &str, version: &str, checksum: &str) -> Option<PackageScan> {
        self.scans
            .get(&(
                name.to_string(),
                version.to_string(),
                checksum.to_ascii_lowercase(),
            ))
            .cloned()
    }

    pub fn len(&self) -> usize {
        self.scans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scans.is_empty()
    }
}
