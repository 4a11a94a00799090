#!/usr/bin/env bash
# The frontend's static checks, all of them even when one fails: types (tsc --noEmit), ESLint
# (typescript-eslint + React hooks rules, no warnings allowed), and the API types against the
# server's live schema (check_api_types.sh). Exits non-zero when any of them found a problem.
set -uo pipefail
cd "$(dirname "$0")"
source ./env.sh
ensure_node_modules
failed=()
echo "== tsc"
npx tsc --noEmit -p tsconfig.json || failed+=(tsc)
echo "== eslint"
npx eslint --max-warnings 0 . || failed+=(eslint)
echo "== api types"
./check_api_types.sh || failed+=("api types")
if [ ${#failed[@]} -gt 0 ]; then
  echo "frontend lint failed: ${failed[*]}" >&2
  exit 1
fi
echo "frontend lint: clean"
