"""The Ray driver on one machine: generated .crate files and database dump, a binary that
fails each shard's first attempt (Ray retries it), the merged index compared with one unsharded
sweep; then real .crate files from cargo's cache, with the throughput printed.

Run by contrib/ray/ci.sh (from .ci/run): python3 -m unittest contrib/ray/test_sweep_ray.py.
ENTITYCHECK_BIN names the binary (default: $CARGO_TARGET_DIR or target, /debug/cargo-entitycheck).
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sweep_ray  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("ENTITYCHECK_BIN") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"),
    "debug", "cargo-entitycheck")
AS_OF = "2026-11-22"
NOTICE = "Copyright (c) 2023 AO Kaspersky Lab. All rights reserved.\n"


def make_crate(path, name, version, files=()):
    """A .crate (gzipped tar of name-version/...) with a Cargo.toml; returns its SHA-256."""
    manifest = f'[package]\nname = "{name}"\nversion = "{version}"\nedition = "2021"\n'
    members = [("Cargo.toml", manifest), ("src/lib.rs", "pub fn f() {}\n"), *files]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for rel, text in members:
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{rel}")
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    data = gzip.compress(raw.getvalue(), mtime=0)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


def make_dump(path, versions, owned_by_team):
    """A crates.io database dump: crates, versions with their checksums, and one crate owned
    by a team of a listed entity's GitHub organisation."""
    t = "2026-11-01 10:00:00.123456"
    names = sorted({n for n, _, _ in versions})
    ids = {n: i for i, n in enumerate(names)}
    crates = "created_at,description,documentation,homepage,id,max_features,max_upload_size,name,readme,repository,updated_at\n"
    crates += "".join(f"{t},x,,,{ids[n]},,,{n},,,{t}\n" for n in names)
    rows = "crate_id,crate_size,created_at,downloads,features,id,license,num,published_by,tar_sha256,updated_at,yanked\n"
    rows += "".join(f"{ids[n]},1000,{t},10,{{}},{100 + i},MIT,{v},,\\x{sha},{t},f\n"
                    for i, (n, v, sha) in enumerate(versions))
    files = {
        "metadata.json": '{"timestamp":"2026-11-29T02:00:02Z","crates_io_commit":"x"}\n',
        "data/crates.csv": crates,
        "data/versions.csv": rows,
        "data/crate_owners.csv": "crate_id,created_at,created_by,owner_id,owner_kind\n"
                                 f"{ids[owned_by_team]},{t},,3,1\n",
        "data/users.csv": "created_at,gh_id,id,name,username\n",
        "data/teams.csv": "avatar,github_id,id,login,name,org_id\n"
                          "https://a.example/x,30,3,github:kasperskylab:core,core,300\n",
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"2026-11-29-020002/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def flaky_binary(dir_, real):
    """A wrapper that fails the first attempt of every shard (exit 3), then runs the binary."""
    marks = os.path.join(dir_, "marks")
    os.makedirs(marks, exist_ok=True)
    path = os.path.join(dir_, "flaky.sh")
    with open(path, "w") as f:
        f.write(f"""#!/bin/sh
prev=""; shard=""
for a in "$@"; do [ "$prev" = "--shard" ] && shard=$(echo "$a" | tr / _); prev="$a"; done
if [ -n "$shard" ] && [ ! -e "{marks}/$shard" ]; then : > "{marks}/$shard"; exit 3; fi
exec "{real}" "$@"
""")
    os.chmod(path, 0o755)
    return path, marks


def read_index(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


class RayDriver(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(BIN, os.X_OK):
            raise unittest.SkipTest(f"no binary at {BIN}: build it first (cargo build)")

    def test_generated_crates_and_dump_with_retries(self):
        with tempfile.TemporaryDirectory() as tmp:
            crates = os.path.join(tmp, "crates")
            os.makedirs(os.path.join(crates, "mirror-b"))
            versions = []
            for name, version, files in [
                ("av-engine", "1.0.0", [("third_party/NOTICE", NOTICE)]),
                ("av-engine", "1.1.0", []),
                ("parser-kit", "0.3.0", [("README.md", "A parser.\n")]),
                ("owned-by-team", "2.0.0", []),
                ("zlib-clone", "1.2.13", []),
                ("json-tool", "0.1.0-rc.1", []),
            ]:
                sha = make_crate(os.path.join(crates, f"{name}-{version}.crate"), name, version, files)
                versions.append((name, version, sha))
            # The same file in a second layout: screened once.
            shutil.copy(os.path.join(crates, "parser-kit-0.3.0.crate"), os.path.join(crates, "mirror-b"))
            dump = os.path.join(tmp, "db-dump.tar.gz")
            make_dump(dump, versions, "owned-by-team")
            flaky, marks = flaky_binary(tmp, BIN)
            out = os.path.join(tmp, "out")
            sweep_ray.main([crates, "--binary", flaky, "--shards", "3", "--out-dir", out,
                            "--crates-io-dump", dump, "--as-of", AS_OF, "--num-cpus", "2"])
            # Every shard failed once and was retried by Ray.
            self.assertEqual(sorted(os.listdir(marks)), ["0_3", "1_3", "2_3"])
            index = read_index(os.path.join(out, "index.jsonl"))
            keys = [(r["name"], r["version"]) for r in index]
            self.assertEqual(keys, sorted((n, v) for n, v, _ in versions))
            by = {r["name"] + "@" + r["version"]: r for r in index}
            self.assertEqual({r["verified_by"] for r in index}, {"db-dump"})
            self.assertEqual(by["av-engine@1.0.0"]["verdict"], "fail")
            self.assertEqual(by["av-engine@1.0.0"]["matches"][0]["evidence"]["location"]["file"],
                             "third_party/NOTICE")
            self.assertEqual(by["owned-by-team@2.0.0"]["owners"][0]["text"], "github:kasperskylab:core")
            self.assertEqual(by["parser-kit@0.3.0"]["verdict"], "clear")
            # The same index as one unsharded sweep, byte for byte.
            one = os.path.join(tmp, "one.jsonl")
            subprocess.run([BIN, "entitycheck", "sweep", crates, "--crates-io-dump", dump,
                            "--as-of", AS_OF, "-o", one], check=True, capture_output=True)
            with open(one) as a, open(os.path.join(out, "index.jsonl")) as b:
                self.assertEqual(a.read(), b.read())

    def test_signed_index(self):
        if shutil.which("openssl") is None:
            self.skipTest("openssl not found: cannot make a key")
        with tempfile.TemporaryDirectory() as tmp:
            crates = os.path.join(tmp, "crates")
            os.makedirs(crates)
            make_crate(os.path.join(crates, "one-1.0.0.crate"), "one", "1.0.0")
            key = os.path.join(tmp, "key.pem")
            subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True)
            out = os.path.join(tmp, "out")
            sweep_ray.main([crates, "--binary", BIN, "--shards", "2", "--out-dir", out,
                            "--sign", key, "--num-cpus", "2"])
            with open(os.path.join(out, "index.jsonl.dsse.json")) as f:
                env = json.load(f)
            self.assertEqual(env["payloadType"], "application/vnd.in-toto+json")
            self.assertEqual(len(env["signatures"]), 1)

    def test_real_crates_from_cargo_cache(self):
        cache = os.path.join(os.environ.get("CARGO_HOME") or os.path.expanduser("~/.cargo"),
                             "registry", "cache")
        files = sorted(
            os.path.join(d, f)
            for d, _, fs in os.walk(cache) for f in fs if f.endswith(".crate"))
        limit = int(os.environ.get("ENTITYCHECK_RAY_REAL_CRATES", "150"))
        files = files[:limit] if limit > 0 else files
        if not files:
            self.skipTest(f"no .crate files under {cache}")
        with tempfile.TemporaryDirectory() as tmp:
            lst = os.path.join(tmp, "crates.txt")
            with open(lst, "w") as f:
                f.write("".join(p + "\n" for p in files))
            out = os.path.join(tmp, "out")
            sweep_ray.main(["--list", lst, "--binary", BIN, "--shards", "4", "--out-dir", out,
                            "--as-of", AS_OF])
            index = read_index(os.path.join(out, "index.jsonl"))
            versions = {os.path.basename(p)[:-len(".crate")] for p in files}
            self.assertEqual(len(index), len(versions))
            self.assertEqual([(r["name"], r["version"]) for r in index],
                             sorted((r["name"], r["version"]) for r in index))
            counts = {}
            for r in index:
                counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
            print(f"\n{len(files)} real .crate files swept: verdicts {counts}", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
