//! Report stage, signed certificates: a certificate's bytes + a PKCS#8 private key → a DSSE
//! envelope, and a certificate file (a bare Statement, a DSSE envelope or a Sigstore bundle) +
//! an optional SPKI public key → the Statement and whether its signature holds.
//!
//! DSSE (github.com/secure-systems-lab/dsse, `envelope.md` and `protocol.md`) signs the
//! pre-authentication encoding `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP
//! body`, so a signature over one payload type can never be replayed as another. Keys are
//! ed25519 or ECDSA P-256 (what `cosign generate-key-pair` makes), read as PEM: PKCS#8 for
//! private keys, SubjectPublicKeyInfo for public ones, as `openssl genpkey` / `openssl pkey
//! -pubout` write them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The payload type of an in-toto Statement inside a DSSE envelope.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A DSSE envelope, as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Base64 (standard alphabet) of the serialized Statement.
    pub payload: String,
    pub payload_type: String,
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Signature {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
    /// Base64 of the signature: 64 bytes for ed25519; DER (as cosign writes) or the fixed
    /// 64-byte form for ECDSA P-256.
    pub sig: String,
}

/// DSSE's pre-authentication encoding.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

/// A private key that signs certificates.
pub enum SigningKey {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

/// A public key that checks them.
#[derive(Debug)]
pub enum VerifyingKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
}

impl SigningKey {
    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), ed25519 or P-256.
    /// The error says what was expected; the caller names the file.
    pub fn from_pem(pem: &str) -> Result<SigningKey, String> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
            return Ok(SigningKey::Ed25519(k));
        }
        if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_pem(pem) {
            return Ok(SigningKey::P256(k));
        }
        Err(not_a_key(
            pem,
            "PRIVATE KEY",
            "an unencrypted PKCS#8 PEM private key",
        ))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            SigningKey::Ed25519(k) => VerifyingKey::Ed25519(k.verifying_key()),
            SigningKey::P256(k) => VerifyingKey::P256(*k.verifying_key()),
        }
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            SigningKey::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                k.sign(message).to_bytes().to_vec()
            }
            SigningKey::P256(k) => {
                use p256::ecdsa::signature::Signer as _;
                let s: p256::ecdsa::Signature = k.sign(message);
                s.to_der().as_bytes().to_vec()
            }
        }
    }
}

fn not_a_key(pem: &str, label: &str, expected: &str) -> String {
    let found = pem
        .lines()
        .find_map(|l| l.trim().strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"));
    match found {
        Some(l) if l == label => {
            format!("not {expected} of an ed25519 or ECDSA P-256 key (other algorithm or curve?)")
        }
        Some(l) => format!("a PEM `{l}`, expected {expected} (`-----BEGIN {label}-----`)"),
        None => format!("not PEM: expected {expected} (`-----BEGIN {label}-----`)"),
    }
}

impl VerifyingKey {
    /// Reads a SubjectPublicKeyInfo PEM public key (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(pem: &str) -> Result<VerifyingKey, String> {
        use ed25519_dalek::pkcs8::DecodePublicKey as _;
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            return Ok(VerifyingKey::Ed25519(k));
        }
        if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_pem(pem) {
            return Ok(VerifyingKey::P256(k));
        }
        Err(not_a_key(
            pem,
            "PUBLIC KEY",
            "a PEM public key (SubjectPublicKeyInfo)",
        ))
    }

    /// The algorithm, for messages.
    pub fn algorithm(&self) -> &'static str {
        match self {
            VerifyingKey::Ed25519(_) => "ed25519",
            VerifyingKey::P256(_) => "ECDSA P-256",
        }
    }

    /// The key id securesystemslib and in-toto compute (`SSlibKey.from_crypto`, then
    /// `compute_default_keyid`): SHA-256, in hex, of the canonical JSON
    /// `{"keytype":…,"keyval":{"public":…},"scheme":…}`, where the public value is the raw key
    /// in hex for ed25519 and the SubjectPublicKeyInfo PEM for ECDSA. Their `Envelope.verify`
    /// picks the key by this id. Here it is informational: the signature is checked against the
    /// key given, whatever id the envelope claims.
    pub fn keyid(&self) -> String {
        let (keytype, scheme, public) = match self {
            VerifyingKey::Ed25519(k) => ("ed25519", "ed25519", hex::encode(k.as_bytes())),
            VerifyingKey::P256(k) => {
                use p256::pkcs8::{EncodePublicKey as _, LineEnding};
                let pem = k.to_public_key_pem(LineEnding::LF).unwrap_or_default();
                ("ecdsa", "ecdsa-sha2-nistp256", pem)
            }
        };
        let json = format!(
            "{{\"keytype\":{},\"keyval\":{{\"public\":{}}},\"scheme\":{}}}",
            canonical_string(keytype),
            canonical_string(&public),
            canonical_string(scheme)
        );
        hex::encode(Sha256::digest(json.as_bytes()))
    }

    fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            VerifyingKey::Ed25519(k) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify_strict(message, &s).is_ok()),
            VerifyingKey::P256(k) => {
                use p256::ecdsa::signature::Verifier as _;
                let s = p256::ecdsa::Signature::from_der(sig)
                    .or_else(|_| p256::ecdsa::Signature::from_slice(sig));
                s.is_ok_and(|s| k.verify(message, &s).is_ok())
            }
        }
    }
}

/// A string in canonical JSON (securesystemslib's `encode_canonical`): only `"` and `\\` are
/// escaped.
fn canonical_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Signs a serialized Statement into an envelope.
pub fn sign(statement: &[u8], key: &SigningKey) -> Envelope {
    let sig = key.sign(&pae(PAYLOAD_TYPE, statement));
    Envelope {
        payload: B64.encode(statement),
        payload_type: PAYLOAD_TYPE.to_string(),
        signatures: vec![Signature {
            keyid: key.verifying_key().keyid(),
            sig: B64.encode(sig),
        }],
    }
}

/// Which of its signatures a key verifies: `Ok(index)` of the first that does, or `Err` saying
/// why none does.
pub fn check(envelope: &Envelope, key: &VerifyingKey) -> Result<usize, String> {
    if envelope.signatures.is_empty() {
        return Err("the envelope has no signature".into());
    }
    let Ok(body) = B64.decode(envelope.payload.trim()) else {
        return Err("the envelope's payload is not base64".into());
    };
    let message = pae(&envelope.payload_type, &body);
    for (i, s) in envelope.signatures.iter().enumerate() {
        if let Ok(sig) = B64.decode(s.sig.trim())
            && key.verify(&message, &sig)
        {
            return Ok(i);
        }
    }
    Err(format!(
        "none of the envelope's {} signature(s) verifies with the {} key {}",
        envelope.signatures.len(),
        key.algorithm(),
        short(&key.keyid())
    ))
}

pub fn short(keyid: &str) -> &str {
    &keyid[..keyid.len().min(16)]
}

/// The payload of an envelope, checked to be an in-toto Statement.
pub fn payload(envelope: &Envelope) -> Result<Vec<u8>, String> {
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(format!(
            "payloadType is `{}`, expected `{PAYLOAD_TYPE}`",
            envelope.payload_type
        ));
    }
    B64.decode(envelope.payload.trim())
        .map_err(|e| format!("payload is not base64: {e}"))
}

/// What a certificate file holds.
#[derive(Debug, Clone)]
pub enum Container {
    /// A bare in-toto Statement (unsigned).
    Statement,
    /// A DSSE envelope.
    Dsse(Envelope),
    /// A Sigstore bundle (`mediaType`) with a DSSE envelope inside.
    Bundle {
        media_type: String,
        envelope: Envelope,
    },
}

impl Container {
    pub fn envelope(&self) -> Option<&Envelope> {
        match self {
            Container::Statement => None,
            Container::Dsse(e) | Container::Bundle { envelope: e, .. } => Some(e),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Container::Statement => "an unsigned in-toto Statement".into(),
            Container::Dsse(_) => "a DSSE envelope".into(),
            Container::Bundle { media_type, .. } => format!("a Sigstore bundle ({media_type})"),
        }
    }
}

/// Splits a certificate file into its container and the Statement's bytes.
pub fn open(value: &serde_json::Value) -> Result<(Container, Option<Vec<u8>>), String> {
    let Some(obj) = value.as_object() else {
        return Err("not a JSON object".into());
    };
    if obj.contains_key("_type") {
        return Ok((Container::Statement, None));
    }
    if let Some(mt) = obj.get("mediaType").and_then(|m| m.as_str()) {
        // v0.1 and v0.2 write `application/vnd.dev.sigstore.bundle+json;version=0.x`, v0.3
        // `application/vnd.dev.sigstore.bundle.v0.3+json`.
        if !mt.starts_with("application/vnd.dev.sigstore.bundle") {
            return Err(format!("mediaType `{mt}` is not a Sigstore bundle"));
        }
        let Some(env) = obj.get("dsseEnvelope") else {
            return Err(format!(
                "this Sigstore bundle ({mt}) has no dsseEnvelope (a messageSignature bundle signs a file, not an attestation: use `cosign attest-blob`)"
            ));
        };
        let envelope: Envelope = serde_json::from_value(env.clone())
            .map_err(|e| format!("dsseEnvelope is not a DSSE envelope: {e}"))?;
        let body = payload(&envelope)?;
        return Ok((
            Container::Bundle {
                media_type: mt.to_string(),
                envelope,
            },
            Some(body),
        ));
    }
    if obj.contains_key("payloadType") || obj.contains_key("payload") {
        let envelope: Envelope = serde_json::from_value(value.clone())
            .map_err(|e| format!("not a DSSE envelope: {e}"))?;
        let body = payload(&envelope)?;
        return Ok((Container::Dsse(envelope), Some(body)));
    }
    Err("neither an in-toto Statement (`_type`), a DSSE envelope (`payloadType`) nor a Sigstore bundle (`mediaType`)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> [SigningKey; 2] {
        [
            SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[7; 32])),
            SigningKey::P256(p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap()),
        ]
    }

    #[test]
    fn key_ids_are_the_ones_securesystemslib_computes() {
        // Computed by securesystemslib 1.6 (`SSlibKey.from_crypto(k.public_key()).keyid`) for
        // the same keys made with pyca/cryptography: ed25519 from 32 bytes 42, P-256 from the
        // scalar of 32 bytes 43.
        let ed = SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[42; 32]));
        let ec = SigningKey::P256(p256::ecdsa::SigningKey::from_slice(&[43; 32]).unwrap());
        assert_eq!(
            ed.verifying_key().keyid(),
            "c1e3566d2143da273b4904ad552a906ce4b6130510f8eceba62d908d8bac8d4e"
        );
        assert_eq!(
            ec.verifying_key().keyid(),
            "c619e92fc753d60d904c182f69a4bd1c98803e77a6317d797f8fe9e4a640777e"
        );
        // And the interop fixture's, which securesystemslib wrote into its envelope.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/interop");
        let public = VerifyingKey::from_pem(
            &std::fs::read_to_string(format!("{dir}/sslib.pub.pem")).unwrap(),
        )
        .unwrap();
        let env: Envelope = serde_json::from_str(
            &std::fs::read_to_string(format!("{dir}/sslib.dsse.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(env.signatures[0].keyid, public.keyid());
        assert_eq!(check(&env, &public), Ok(0));
    }

    #[test]
    fn pae_is_the_spec_example() {
        // protocol.md's test vector.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn sign_then_check_and_tamper() {
        for key in keys() {
            let pem_pub = {
                use ed25519_dalek::pkcs8::EncodePublicKey as _;
                match key.verifying_key() {
                    VerifyingKey::Ed25519(k) => k.to_public_key_pem(Default::default()),
                    VerifyingKey::P256(k) => k.to_public_key_pem(Default::default()),
                }
                .unwrap()
            };
            let public = VerifyingKey::from_pem(&pem_pub).unwrap();
            let env = sign(b"{\"_type\":1}", &key);
            assert_eq!(check(&env, &public), Ok(0));
            // Another payload under the same signature.
            let mut bad = env.clone();
            bad.payload = B64.encode(b"{\"_type\":2}");
            assert!(check(&bad, &public).is_err());
            // Another payload type (PAE binds it).
            let mut bad = env.clone();
            bad.payload_type = "text/plain".into();
            assert!(check(&bad, &public).is_err());
            // A flipped signature bit.
            let mut bad = env.clone();
            let mut sig = B64.decode(&bad.signatures[0].sig).unwrap();
            let last = sig.len() - 1;
            sig[last] ^= 1;
            bad.signatures[0].sig = B64.encode(sig);
            assert!(check(&bad, &public).is_err());
        }
        // The other key does not verify.
        let [a, b] = keys();
        assert!(check(&sign(b"x", &a), &b.verifying_key()).is_err());
    }

    #[test]
    fn keys_that_are_not_keys() {
        // (No Debug on a private key: it would print the secret.)
        let Err(e) = SigningKey::from_pem("hello") else {
            panic!("not a key")
        };
        assert!(e.contains("not PEM"), "{e}");
        assert!(
            VerifyingKey::from_pem(
                "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"
            )
            .unwrap_err()
            .contains("PRIVATE KEY")
        );
    }

    #[test]
    fn open_tells_the_containers_apart() {
        let env = sign(b"{}", &keys()[0]);
        let v = serde_json::to_value(&env).unwrap();
        assert!(matches!(open(&v).unwrap().0, Container::Dsse(_)));
        let bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {},
            "dsseEnvelope": v,
        });
        assert!(matches!(open(&bundle).unwrap().0, Container::Bundle { .. }));
        let msg = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
            "messageSignature": {},
        });
        assert!(open(&msg).unwrap_err().contains("attest-blob"));
        assert!(open(&serde_json::json!({"_type": "x"})).is_ok());
        assert!(open(&serde_json::json!([1])).is_err());
        let mut other = env.clone();
        other.payload_type = "text/plain".into();
        let v = serde_json::to_value(&other).unwrap();
        assert!(open(&v).unwrap_err().contains("payloadType"));
    }
}
