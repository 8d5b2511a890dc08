#!/usr/bin/env bash
# Whole-tool benchmark: cargo entitycheck against cargo metadata, cargo deny and ripgrep, on a
# large real workspace and on generated workspaces of 100, 1,000 and 5,000 path packages.
#
#   scripts/bench.sh [path/to/Cargo.toml ...]
#
# Each argument is a real workspace to measure (the targets are stated for uv and yara-x, with
# ripgrep as a third: `git clone` them and `cargo fetch` once). Without an argument, a real
# workspace is made from a fixed list of well-known crates.io crates (about 300 packages once
# resolved) and fetched once. Each workspace is timed cold (`--no-cache`), warm (nothing changed
# since the last check) and cross-project (a copy of it in another directory, checked for the
# first time with a per-user cache that screened the original). Prints a table of medians and
# ratios (BENCH_RUNS interleaved rounds after a warm-up round, so a warm OS file cache; ratios
# are the median of each round's ratio) and writes it to target/bench/results.md, with every run's time
# in target/bench/<workspace>-times.json. Installs what it needs: ripgrep (Debian package) and
# cargo-deny (crates.io).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out="$repo/target/bench"
mkdir -p "$out"
runs="${BENCH_RUNS:-5}"

need_apt() {
  command -v "$1" >/dev/null 2>&1 && return
  if ! apt-get install -y -qq "$2" >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq "$2"
  fi
}
need_apt rg ripgrep
command -v cargo-deny >/dev/null 2>&1 || cargo install --locked cargo-deny

cargo build --release --locked -q
tool="$repo/target/release/cargo-entitycheck"

# --- the workspaces --------------------------------------------------------------------------
reals=("$@")
if [ ${#reals[@]} -eq 0 ]; then
  real_dir="$out/real"
  if [ ! -f "$real_dir/Cargo.lock" ]; then
    mkdir -p "$real_dir/src"
    echo "" > "$real_dir/src/lib.rs"
    cat > "$real_dir/Cargo.toml" <<'TOML'
[package]
name = "bench-real"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tokio = { version = "1", features = ["full"] }
reqwest = { version = "0.12", default-features = false, features = ["rustls-tls", "json", "gzip"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
clap = { version = "4", features = ["derive"] }
regex = "1"
tracing = "1"
tracing-subscriber = { version = "0.3", features = ["env-filter"] }
anyhow = "1"
rayon = "1"
chrono = "0.4"
uuid = { version = "1", features = ["v4"] }
toml = "0.8"
rand = "0.8"
hyper = { version = "1", features = ["full"] }
axum = "0.7"
sqlx = { version = "0.8", default-features = false, features = ["runtime-tokio", "sqlite", "macros"] }
image = { version = "0.25", default-features = false, features = ["png", "jpeg"] }
zip = "2"
windows-sys = { version = "0.59", features = ["Win32_Foundation", "Win32_System_Threading"] }
TOML
    (cd "$real_dir" && cargo generate-lockfile -q && cargo fetch -q)
  fi
  reals=("$real_dir/Cargo.toml")
fi
for real in "${reals[@]}"; do
  (cd "$(dirname "$real")" && cargo fetch -q 2>/dev/null || true)
done

generate() { # N packages of ~6 KiB each
  local n=$1 dir="$out/gen-$1"
  [ -f "$dir/Cargo.toml" ] && return
  mkdir -p "$dir/crates"
  printf '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n' > "$dir/Cargo.toml"
  python3 - "$dir" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
body = "".join(f"/// Function {i}.\npub fn f{i}(x: u64) -> u64 {{ x.wrapping_mul({i}).rotate_left(7) ^ 0x5a5a }}\n" for i in range(60))
for i in range(n):
    d = os.path.join(root, "crates", f"p{i:05}")
    os.makedirs(os.path.join(d, "src"), exist_ok=True)
    open(os.path.join(d, "Cargo.toml"), "w").write(f'[package]\nname = "p{i:05}"\nversion = "0.1.0"\nedition = "2021"\nauthors = ["Generated <gen@example.org>"]\nrepository = "https://example.org/p{i:05}"\n')
    open(os.path.join(d, "src", "lib.rs"), "w").write(f"// Copyright (c) 2024 Generated Package {i}. All rights reserved.\n" + body)
    open(os.path.join(d, "LICENSE"), "w").write("Permission is hereby granted, free of charge, to any person obtaining a copy.\n")
PY
  (cd "$dir" && cargo generate-lockfile -q --offline)
}
for n in 100 1000 5000; do generate "$n"; done

# --- measurements ----------------------------------------------------------------------------
# Interleaved rounds (scripts/interleave.py): every command once per round, so a slow spell of a
# shared machine hits all of them and the ratios hold.
table="$out/results.md"
{
  echo "| workspace | packages | cargo metadata | cargo deny bans+sources | rg floor | entitycheck deep (cold cache) | entitycheck (warm cache) | cross-project | cold ÷ deny | cold CPU ÷ deny CPU | warm ÷ metadata | cross ÷ metadata | peak RSS (cold, largest process) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$table"

for ws in "${reals[@]}" "$out/gen-100/Cargo.toml" "$out/gen-1000/Cargo.toml" "$out/gen-5000/Cargo.toml"; do
  dir=$(dirname "$ws")
  label=$(basename "$dir")
  meta_json="$out/$label-metadata.json"
  (cd "$dir" && cargo metadata --offline --format-version 1 --all-features > "$meta_json")
  pkgs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["packages"]))' "$meta_json")
  python3 -c 'import json,sys,os; [print(os.path.dirname(p["manifest_path"])) for p in json.load(open(sys.argv[1]))["packages"]]' "$meta_json" > "$out/$label-dirs.txt"

  # Fill the scan cache for the warm runs (a rebuilt binary rescans everything once).
  "$tool" entitycheck --manifest-path "$ws" -q >/dev/null 2>&1 || true
  # Cross-project: a copy of the workspace in another directory (sources, manifests and
  # lockfile; no history, no target directory) checked for the first time, with a cache that
  # screened the original: its per-user scan cache is kept, every graph cache is deleted before
  # each run, so cargo metadata runs and only what the shared cache does not hold is read.
  copy="$out/$label-copy"
  cross_cache="$out/$label-cross-cache"
  rm -rf "$copy" "$cross_cache"
  mkdir -p "$copy"
  tar -C "$dir" --exclude=./.git --exclude=./target -cf - . | tar -C "$copy" -xf -
  rel=${ws#"$dir"/}
  "$tool" entitycheck --manifest-path "$ws" -q --cache-dir "$cross_cache" >/dev/null 2>&1 || true
  python3 scripts/interleave.py "$runs" "$out/$label-times.json" \
    "metadata=$dir::cargo metadata --offline --format-version 1 --all-features" \
    "deny=$dir::cargo deny --offline --log-level error check bans sources" \
    "rg=$dir::rg -c -uuu -i -e kaspersky -e copyright @$out/$label-dirs.txt" \
    "cold=$repo::$tool entitycheck --manifest-path $ws --color never -q --no-cache" \
    "warm=$repo::$tool entitycheck --manifest-path $ws --color never -q" \
    "cross=$repo::sh -c 'rm -rf $cross_cache/graph && exec $tool entitycheck --manifest-path $copy/$rel --color never -q --cache-dir $cross_cache'"
  /usr/bin/time -f '%M' -o "$out/$label-rss.txt" "$tool" entitycheck --manifest-path "$ws" -q --no-cache >/dev/null 2>&1 || true
  rss=$(tail -1 "$out/$label-rss.txt")
  python3 - "$label" "$pkgs" "$out/$label-times.json" "$rss" >> "$table" <<'PY'
import json, sys
label, pkgs, times, rss = sys.argv[1:]
t = json.load(open(times))
m, r, c = t["median"], t["ratio"], t["cpu_ratio"]
print(f"| {label} | {pkgs} | {m['metadata']:.3f} s | {m['deny']:.3f} s | {m['rg']:.3f} s | {m['cold']:.3f} s "
      f"| {m['warm']:.3f} s | {m['cross']:.3f} s | {r['cold/deny']:.2f}x | {c['cold/deny']:.2f}x "
      f"| {r['warm/metadata']:.2f}x | {r['cross/metadata']:.2f}x | {int(rss)/1024:.0f} MiB |")
PY
done
cat "$table"

# --- large imported lists (BENCH_LISTS=1; off by default so the default bench is unchanged) ----
# 300,000 generated entries in each publisher's shape (scripts/gen-list.py), screened with the
# built-in list against the generated 1,000-package workspace: the time and peak memory a whole
# screening list adds to a check (target: at most 5 s and 1 GiB).
if [ "${BENCH_LISTS:-0}" = 1 ]; then
  lists_table="$out/lists.md"
  ws="$out/gen-1000/Cargo.toml"
  list_runs="${BENCH_LIST_RUNS:-3}"
  # One check, its wall time and peak RSS (KiB) written to list-<name>-<round>.txt.
  check_once() { # name, round, extra arguments...
    local name=$1 round=$2
    shift 2
    /usr/bin/time -f '%e %M' -o "$out/list-$name-$round.txt" \
      "$tool" entitycheck --manifest-path "$ws" -q --no-cache "$@" >/dev/null 2>&1 || true
  }
  {
    echo "| list | entries | check (built-in only) | check with the list | added | peak RSS with the list |"
    echo "|---|---:|---:|---:|---:|---:|"
  } > "$lists_table"
  for spec in "csl-csv:csv" "csl-json:json" "opensanctions:jsonl"; do
    fmt=${spec%%:*} ext=${spec##*:}
    file="$out/list-300k.$ext"
    [ -f "$file" ] || python3 scripts/gen-list.py "$fmt" 300000 > "$file"
  done
  # Interleaved rounds: the built-in list alone, then each list; medians per column.
  for round in $(seq "$list_runs"); do
    check_once base "$round"
    for spec in "csl-csv:csv" "csl-json:json" "opensanctions:jsonl"; do
      check_once "${spec%%:*}" "$round" --entities "$out/list-300k.${spec##*:}"
    done
  done
  for fmt in csl-csv csl-json opensanctions; do
    python3 - "$out" "$fmt" "$list_runs" >> "$lists_table" <<'PY'
import statistics, sys
out, fmt, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def read(name):
    rows = [open(f"{out}/list-{name}-{i}.txt").read().split()[-2:] for i in range(1, runs + 1)]
    return statistics.median(float(t) for t, _ in rows), max(int(m) for _, m in rows)
(base, _), (secs, rss) = read("base"), read(fmt)
print(f"| {fmt} | 300000 | {base:.2f} s | {secs:.2f} s | {secs - base:.2f} s | {rss / 1024:.0f} MiB |")
PY
  done
  cat "$lists_table"
fi
