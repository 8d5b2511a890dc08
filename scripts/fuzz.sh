#!/usr/bin/env bash
# Runs every fuzz target for a while (default 60 s each) with cargo-fuzz (libFuzzer).
# cargo-fuzz needs nightly flags; on a stable toolchain RUSTC_BOOTSTRAP=1 enables them.
# New crashes land in fuzz/artifacts/<target>/: turn each into a regression test (see
# tests/it/hostile.rs and the unit tests beside the code), then fix it.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
targets=$(cargo fuzz list)
cargo fuzz build
for t in $targets; do
  echo "== fuzz $t for ${secs}s"
  cargo fuzz run "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536
done
