#!/usr/bin/env python3
"""Makes tests/fixtures/interop/: a certificate of examples/demo signed by securesystemslib.

Run once, from the repository root, with `pip install securesystemslib cryptography`:

    python3 scripts/interop-fixture.py

It
1. generates a fresh ed25519 test key (the private key is thrown away; only the public key is
   kept, as sslib.pub.pem);
2. has `cargo entitycheck certify` write the demo's certificate against the empty test list
   (tests/fixtures/lists/empty.toml instead of the built-in one, a narrowing it states), so the
   fixture does not change when the built-in list or the matching rules do; valid for 100 years
   so it does not expire;
3. signs that Statement with securesystemslib's DSSE implementation (CryptoSigner, the key id it
   computes) into sslib.dsse.json, which `verify --key sslib.pub.pem` must accept
   (tests/it/certify.rs, `securesystemslib_envelope_verifies`);
4. the other way round: signs with `certify --sign` and checks that securesystemslib's
   `Envelope.verify` accepts what this tool wrote, finding the key by its key id.
"""

import json
import pathlib
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests/fixtures/interop"
PAYLOAD_TYPE = "application/vnd.in-toto+json"


def certify(*extra):
    cmd = ["cargo", "run", "--locked", "-q", "--", "certify",
           "--manifest-path", str(ROOT / "examples/demo/Cargo.toml"), "--offline",
           "--no-builtin-list", "--entities", str(ROOT / "tests/fixtures/lists/empty.toml"),
           "--narrowed-scope", "interoperability fixture: screened against an empty list",
           "--valid-for", "36500", "--certifier", "securesystemslib interop fixture", *extra]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True)
    if r.returncode not in (0, 1):
        sys.exit(f"certify failed: {r.stderr.decode()}")
    return r.stdout


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (OUT / "sslib.pub.pem").write_bytes(public_pem)
    signer = CryptoSigner(private)

    # 1. securesystemslib signs what certify states.
    statement = json.loads(certify())
    payload = json.dumps(statement, separators=(",", ":")).encode()
    env = Envelope(payload=payload, payload_type=PAYLOAD_TYPE, signatures={})
    env.sign(signer)
    env.verify([signer.public_key], 1)
    (OUT / "sslib.dsse.json").write_text(json.dumps(env.to_dict(), indent=2) + "\n")
    print("keyid (securesystemslib):", signer.public_key.keyid)

    # 2. securesystemslib verifies what certify --sign writes, by key id.
    with tempfile.TemporaryDirectory() as tmp:
        key = pathlib.Path(tmp) / "key.pem"
        key.write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        ours = Envelope.from_dict(json.loads(certify("--sign", str(key))))
        accepted = ours.verify([SSlibKey.from_crypto(serialization.load_pem_public_key(public_pem))], 1)
        print("securesystemslib accepts certify --sign:", sorted(accepted))


if __name__ == "__main__":
    main()
