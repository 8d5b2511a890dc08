#!/usr/bin/env bash
# Runs every fuzz target for a while (default 60 s each) with cargo-fuzz (libFuzzer), then
# minimises each corpus (cargo fuzz cmin) so it keeps only inputs that add coverage.
#
#   scripts/fuzz.sh [seconds-per-target]
#
# Corpora start from the project's own committed inputs (the generated PE/ELF/archive fixtures,
# the entity lists, configs and import fixtures, the README's evasion spellings) and the hostile
# shapes src/evidence/testgen.rs generates (nested fat Mach-Os, ELFs of tens of thousands of
# overlapping sections, many small bzip2 bombs); they live in fuzz/corpus/ and are not committed. cargo-fuzz needs nightly flags; on a stable toolchain
# RUSTC_BOOTSTRAP=1 enables them. New crashes land in fuzz/artifacts/<target>/: turn each into a
# regression test (see tests/it/hostile.rs and the unit tests beside the code), then fix it.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"

seed() { # target, files...
  local dir="fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$dir/seed-$(basename "$f")"
  done
  return 0
}
fixtures=tests/fixtures
seed binary $(find "$fixtures" -type f \( -name '*.dll' -o -name '*.exe' -o -name '*.so' -o -name '*.o' -o -name '*.a' \))
seed archive $(find "$fixtures" -type f \( -name '*.zip' -o -name '*.tar' -o -name '*.gz' -o -name '*.tgz' \))
seed entity_list data/entities.toml $(find "$fixtures/lists" -name '*.toml')
seed config src/policy/default-config.toml $(find "$fixtures" examples -name entitycheck.toml -not -path '*/target/*')
seed import "$fixtures"/lists/*.csv "$fixtures"/lists/*.json "$fixtures"/lists/*.jsonl
# The hostile shapes, written by the test that checks they fit each target's input length.
ENTITYCHECK_FUZZ_SEEDS="$PWD/fuzz/corpus" cargo test --locked --lib -q fuzz_seeds_fit_their_targets
for t in matcher normalize; do
  mkdir -p "fuzz/corpus/$t"
  i=0
  for s in 'AO Kaspersky Lab' 'ООО «Лаборатория Касперского»' 'K.a.s.p.e.r.s.k.y' \
    'Kаspersky' 'Kas​persky' 'ＫＡＳＰＥＲＳＫＹ' 'xn--kaspersky-8ua.com' \
    'https://github.com/KasperskyLab/x' 'git+ssh://git@github.com/KasperskyLab/x.git' \
    'https%3A%2F%2Fkaspersky.com' 'Kasper Skyum <k@skyum.example>' 'kaspa-wallet'; do
    printf '%s' "$s" > "fuzz/corpus/$t/seed-$i"
    i=$((i + 1))
  done
done

targets=$(cargo fuzz list)
cargo fuzz build
for t in $targets; do
  # Inputs up to 64 KiB; the binary inspectors' up to 4 MiB, so that an ELF of tens of thousands
  # of section headers fits uncompressed.
  len=65536
  [ "$t" = binary ] && len=4194304
  echo "== fuzz $t for ${secs}s"
  cargo fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len="$len"
  echo "== minimise the $t corpus"
  cargo fuzz cmin "$t" "fuzz/corpus/$t" -- -rss_limit_mb=2048 -max_len="$len"
done
