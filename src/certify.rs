//! Certify and verify as library operations: a screening of the tree, with any shipped
//! artefacts and bills of materials beside it, → a certificate ([`certify`]); a certificate →
//! its checks against a fresh screening of the same tree ([`verify`]).
//!
//! The app turns its arguments into these requests, renders what comes back and decides the
//! exit code; nothing here prints. The certificate itself (statement, predicate, comparison)
//! is [`crate::attest`]'s.

use camino::{Utf8Path, Utf8PathBuf};
use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::attest::{self, Certificate, Check, Statement, dsse};
use crate::config::{Overrides, Request};
use crate::entity::EntityList;
use crate::error::InputError;
use crate::fsio::{self, Limits, ReadKind};
use crate::matching::Matcher;
use crate::outcome::Outcome;
use crate::pipeline::{self, Observer};

/// What a certificate speaks for: the tree a request screens, and the shipped artefacts
/// (`--artefact`) and bills of materials (`--sbom`) screened with the same lists and policy.
pub struct Screening {
    pub request: Request,
    pub artefacts: Vec<Utf8PathBuf>,
    pub sboms: Vec<Utf8PathBuf>,
}

/// Screens the tree and, with the same lists and policy, its artefacts and bills of
/// materials, as one outcome.
pub fn screen(screening: Screening, observer: &dyn Observer) -> Result<Outcome, InputError> {
    let Screening {
        request,
        artefacts,
        sboms,
    } = screening;
    if artefacts.is_empty() && sboms.is_empty() {
        return pipeline::check(request, observer);
    }
    let matcher = Matcher::new(&request.lists);
    let found = crate::pipeline::artefacts::scan_artefacts(&artefacts, &request, &matcher)?;
    drop(matcher);
    // Bills of materials (`--sbom`): read as SBOMs, decided by the same policy.
    let listed =
        crate::sbom::screen_files(&sboms, &request.policy, &request.lists, &request.limits)?;
    let mut outcome = pipeline::check(request, observer)?;
    crate::pipeline::artefacts::merge(&mut outcome, found);
    crate::pipeline::artefacts::merge(&mut outcome, listed);
    Ok(outcome)
}

/// The overrides of a screening to certify: a certificate speaks for what was screened now,
/// so no cached result (scan, graph, owners) it could not re-derive is taken into it.
pub fn certifying(overrides: &mut Overrides) {
    overrides.layer.deep.cache = Some(false);
}

/// The overrides of the fresh screening that verifies a certificate made `as_of`: screened as
/// of the certified date (so the comparison is about the tree, not the calendar; the
/// verification date is evaluated separately), without letting cargo rewrite Cargo.lock
/// (verifying must not change what it verifies) and without cached results.
pub fn verifying(overrides: &mut Overrides, as_of: NaiveDate) {
    overrides.layer.as_of = Some(as_of);
    overrides.graph.locked = true;
    overrides.graph.locked_by_ci = false;
    overrides.layer.deep.cache = Some(false);
}

/// What `certify` is asked.
pub struct CertifyRequest {
    pub screening: Screening,
    /// What the certifier states.
    pub made: attest::Made,
    /// How many days after the day it is made the certificate stays valid.
    pub valid_for: u32,
    /// Certify a failing product too (`--record-failure`).
    pub record_failure: bool,
    /// Sign the statement as a DSSE envelope with this key.
    pub key: Option<dsse::SigningKey>,
    /// Files in the tree that are not the product: the certificate's own file, the key.
    pub not_product: Vec<Utf8PathBuf>,
}

/// What `certify` made: the outcome, and the certificate of it unless the product fails and
/// a failure was not to be certified.
pub struct Certified {
    pub outcome: Outcome,
    pub certificate: Option<Made>,
}

/// A certificate made.
pub struct Made {
    pub statement: Statement,
    /// The file: the statement as pretty JSON, or the signed envelope around it.
    pub bytes: Vec<u8>,
    /// Whether `bytes` is a signed DSSE envelope.
    pub signed: bool,
    /// When it was made.
    pub made_at: DateTime<FixedOffset>,
}

/// Screens the tree (and its artefacts) and makes the certificate of the outcome. A
/// screening narrower than a full one is refused unless the request says why.
pub fn certify(req: CertifyRequest, observer: &dyn Observer) -> Result<Certified, InputError> {
    let CertifyRequest {
        screening,
        made,
        valid_for,
        record_failure,
        key,
        not_product,
    } = req;
    let limits = screening.request.limits;
    let (artefacts, sboms) = (screening.artefacts.clone(), screening.sboms.clone());
    let outcome = screen(screening, observer)?;
    if let Some(why) = attest::refuse_narrowed(&outcome, &made) {
        return Err(InputError::Usage(why));
    }
    if outcome.failed() && !record_failure {
        return Ok(Certified {
            outcome,
            certificate: None,
        });
    }
    let made_at = chrono::Local::now().fixed_offset();
    let mut statement =
        attest::certify(&outcome, &made, made_at, valid_for, &not_product, &limits)?;
    statement
        .subject
        .extend(crate::pipeline::artefacts::subjects(&artefacts)?);
    statement
        .subject
        .extend(crate::pipeline::artefacts::subjects(&sboms)?);
    let mut bytes = serde_json::to_vec_pretty(&statement).unwrap_or_default();
    if let Some(key) = &key {
        // The payload is the compact Statement; the envelope around it is pretty-printed.
        let payload = serde_json::to_vec(&statement).unwrap_or_default();
        bytes = serde_json::to_vec_pretty(&dsse::sign(&payload, key)).unwrap_or_default();
    }
    bytes.push(b'\n');
    let certificate = Made {
        statement,
        bytes,
        signed: key.is_some(),
        made_at,
    };
    Ok(Certified {
        outcome,
        certificate: Some(certificate),
    })
}

/// What `verify` is asked.
pub struct VerifyRequest {
    /// The certificate, as read ([`read_certificate`]).
    pub certificate: Certificate,
    /// The key its signature must verify with; `None`: the signature is not checked.
    pub key: Option<dsse::VerifyingKey>,
    /// The fresh screening, resolved from overrides adjusted by [`verifying`]; it is narrowed
    /// to the certificate's scope here.
    pub screening: Screening,
    /// `--max-age`: how old, in days, the certificate's lists may be.
    pub max_age: Option<i64>,
    /// Files in the tree that are not the product: the certificate itself, the key.
    pub not_product: Vec<Utf8PathBuf>,
}

/// What `verify` found.
pub struct Verified {
    /// The fresh screening.
    pub outcome: Outcome,
    /// Every check, the signature's first.
    pub checks: Vec<Check>,
    /// The certificate is a signed envelope but no key was given: only its payload was
    /// verified.
    pub signature_unchecked: bool,
}

impl Verified {
    /// Whether the certificate holds for this tree.
    pub fn holds(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

/// Screens the tree again as the certificate's scope says and holds the certificate against
/// the outcome, at the verification time.
pub fn verify(req: VerifyRequest, observer: &dyn Observer) -> Result<Verified, InputError> {
    let VerifyRequest {
        certificate,
        key,
        mut screening,
        max_age,
        not_product,
    } = req;
    let statement = &certificate.statement;
    // The fresh screening covers what the certificate covered; what was asked for is kept to
    // say where it is less.
    let asked = pipeline::requested_scope(&screening.request);
    pipeline::apply_scope(&mut screening.request, &statement.predicate.scope);
    let limits = screening.request.limits;
    let (artefact_paths, sboms) = (screening.artefacts.clone(), screening.sboms.clone());
    let outcome = screen(screening, observer)?;
    let mut artefacts = crate::pipeline::artefacts::subjects(&artefact_paths)?;
    artefacts.extend(crate::pipeline::artefacts::subjects(&sboms)?);
    let builtin = EntityList::builtin()?;
    let now = chrono::Local::now().fixed_offset();
    let mut checks = vec![attest::check_signature(&certificate, key.as_ref())];
    checks.extend(attest::verify(
        statement,
        &outcome,
        &artefacts,
        &builtin,
        now,
        max_age,
        &asked,
        &not_product,
        &limits,
    )?);
    Ok(Verified {
        outcome,
        checks,
        signature_unchecked: certificate.container.envelope().is_some() && key.is_none(),
    })
}

/// Reads a certificate file the user named (a bare Statement, a DSSE envelope or a Sigstore
/// bundle), bounded as a certificate.
pub fn read_certificate(path: &Utf8Path, limits: &Limits) -> Result<Certificate, InputError> {
    attest::read(&read_named(path, limits)?, path.as_str())
}

/// Reads a PEM signing key the user named.
pub fn read_signing_key(path: &Utf8Path, limits: &Limits) -> Result<dsse::SigningKey, InputError> {
    dsse::SigningKey::from_pem(&read_named(path, limits)?).map_err(|e| invalid_key(path, &e))
}

/// Reads a PEM public key the user named.
pub fn read_verifying_key(
    path: &Utf8Path,
    limits: &Limits,
) -> Result<dsse::VerifyingKey, InputError> {
    dsse::VerifyingKey::from_pem(&read_named(path, limits)?).map_err(|e| invalid_key(path, &e))
}

fn invalid_key(path: &Utf8Path, e: &str) -> InputError {
    InputError::Invalid {
        path: path.to_string(),
        problems: vec![format!("{path}: {e}")],
    }
}

/// Reads a file the user named (a key, a certificate) through the bounded reader.
fn read_named(path: &Utf8Path, limits: &Limits) -> Result<String, InputError> {
    fsio::read_text(path, ReadKind::Certificate, true, limits)
        .map_err(|e| InputError::read(path, e))
}
