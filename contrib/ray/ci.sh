#!/usr/bin/env bash
# The Ray driver's tests on one machine (a local Ray cluster): Ray from PyPI, pinned, into a
# virtual environment under the target directory, made once and reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
RAY_VERSION=2.60.0
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
venv="$target/ray-venv"
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv
fi
if ! "$venv/bin/python" -c "import ray, sys; sys.exit(ray.__version__ != '$RAY_VERSION')" >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "ray==$RAY_VERSION"
fi
# The binary the tests drive (already built by `cargo test`).
test -x "$target/debug/cargo-entitycheck" || cargo build --locked
export ENTITYCHECK_BIN="$target/debug/cargo-entitycheck"
export RAY_USAGE_STATS_ENABLED=0
"$venv/bin/python" -m unittest -v contrib/ray/test_sweep_ray.py
