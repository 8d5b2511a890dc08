#!/usr/bin/env python3
"""The attribution corpus (tests/fixtures/attribution/cases.toml) screened by the tool and by a
plain case-insensitive grep for the entity's names (`rg -i`), with the confusion matrix of each.

Usage: scripts/attribution-corpus.py [PATH-TO-cargo-entitycheck]   (default: target/release, else
target/debug). Needs rg on PATH. Writes nothing outside a temporary directory. The tool's
misses and failed controls are named on standard error.

The grep baseline fails a case when any of its files holds one of the built-in list's names in
any case (Latin, Cyrillic stem, Japanese, Chinese); the tool fails it when its check has a
failing finding for that crate. The generated binary and package cases of tests/it/attribution.rs
are not in this file (a grep does not open archives or read load commands).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATTERNS = ["kaspersky", "касперск", "カスペルスキー", "卡巴斯基"]


def tool_path():
    if len(sys.argv) > 1:
        return sys.argv[1]
    for p in ("target/release/cargo-entitycheck", "target/debug/cargo-entitycheck"):
        if os.path.exists(os.path.join(ROOT, p)):
            return os.path.join(ROOT, p)
    sys.exit("build the tool first (cargo build)")


def file_bytes(case, path, text):
    """A file's bytes: its text in the case's `encoding` for it (UTF-8 else), and with
    `raw = true` every `\\xHH` made the byte HH (see cases.toml)."""
    data = text.encode(case.get("encoding", {}).get(path, "utf-8"))
    if case.get("raw"):
        data = re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), data)
    return data


def main():
    with open(os.path.join(ROOT, "tests/fixtures/attribution/cases.toml"), "rb") as f:
        cases = tomllib.load(f)["case"]
    with tempfile.TemporaryDirectory() as d:
        deps = []
        for c in cases:
            crate = os.path.join(d, "crates", c["name"])
            os.makedirs(os.path.join(crate, "src"))
            open(os.path.join(crate, "src/lib.rs"), "w").close()
            with open(os.path.join(crate, "Cargo.toml"), "w") as f:
                f.write(f'[package]\nname = "{c["name"]}"\nversion = "0.1.0"\nedition = "2021"\n')
            for path, text in c["files"].items():
                p = os.path.join(crate, path)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "wb") as f:
                    f.write(file_bytes(c, path, text))
            deps.append(f'{c["name"]} = {{ path = "crates/{c["name"]}" }}')
        os.makedirs(os.path.join(d, "src"))
        open(os.path.join(d, "src/lib.rs"), "w").close()
        with open(os.path.join(d, "Cargo.toml"), "w") as f:
            f.write('[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n')
            f.write("\n".join(deps) + "\n")
        out = subprocess.run(
            [tool_path(), "entitycheck", "--manifest-path", os.path.join(d, "Cargo.toml"),
             "--offline", "--no-cache", "--format", "json", "--as-of", "2026-11-22"],
            capture_output=True, text=True)
        if out.returncode not in (0, 1):
            sys.exit(out.stderr)
        doc = json.loads(out.stdout)
        tool_fails = {f["package"]["name"] for f in doc["findings"] if f["verdict"] == "fail"}
        rows = {}
        for c in cases:
            crate = os.path.join(d, "crates", c["name"])
            args = ["rg", "-i", "-l", "--hidden", "-g", "!Cargo.toml", "-g", "!src/lib.rs"]
            for p in PATTERNS:
                args += ["-e", p]
            grep_fails = subprocess.run(args + [crate], capture_output=True).returncode == 0
            must = c["expect"] == "fail"
            for who, got in (("tool", c["name"] in tool_fails), ("rg -i", grep_fails)):
                r = rows.setdefault((c["class"], who), [0, 0, 0, 0])
                r[0 if must and got else 1 if must else 2 if got else 3] += 1
                if who == "tool" and must != got:
                    print(f"tool {'missed' if must else 'failed control'}: {c['name']}", file=sys.stderr)
        print("| class | screener | must fail: caught | must fail: missed | controls: failed (false) | controls: passed |")
        print("|---|---|---:|---:|---:|---:|")
        total = {}
        for (cls, who), r in sorted(rows.items()):
            print(f"| {cls} | {who} | {r[0]} | {r[1]} | {r[2]} | {r[3]} |")
            t = total.setdefault(who, [0, 0, 0, 0])
            for i in range(4):
                t[i] += r[i]
        for who, t in sorted(total.items()):
            print(f"| **all** | {who} | {t[0]} | {t[1]} | {t[2]} | {t[3]} |")


if __name__ == "__main__":
    main()
