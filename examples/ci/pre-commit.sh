#!/usr/bin/env bash
# A pre-commit hook (or any CI step): screen the workspace when Cargo.toml or Cargo.lock change.
# Install: cp examples/ci/pre-commit.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
set -euo pipefail
if git diff --cached --name-only | grep -Eq '(^|/)Cargo\.(toml|lock)$'; then
  # Exit 1 on a failing finding, 2 on an input error: both stop the commit.
  cargo entitycheck --quiet
fi
