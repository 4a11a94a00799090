#!/usr/bin/env bash
# Every static check, each reported; exits non-zero if any fails: ruff (lint and format), the import
# contracts of pyproject.toml (top-level layers, the backend apps' order, no Django below backend),
# mypy on engine/, models/ and training/, and the frontend's own checks (tsc, eslint, API types).
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
run() {  # name command...
  echo "== $1"
  if ! "${@:2}"; then failed+=("$1"); fi
}
run "ruff check" .venv/bin/ruff check .
run "ruff format" .venv/bin/ruff format --check .
run "import contracts" .venv/bin/lint-imports --no-cache
run "mypy" .venv/bin/mypy engine models training
if [ -x frontend/lint.sh ]; then
  run "frontend" frontend/lint.sh
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "lint failed: ${failed[*]}" >&2
  exit 1
fi
echo "lint: all checks passed"
