#!/usr/bin/env bash
# Writes the browser's API types from the server's live OpenAPI schema: drf-spectacular dumps the
# schema from ../backend (no services needed: settings default to SQLite under var/), then
# openapi-typescript turns it into src/core/api-schema.d.ts (committed; src/core/apiTypes.ts names
# the types the code uses). Usage: ./api_types.sh [output-file]   (default: src/core/api-schema.d.ts)
set -euo pipefail
cd "$(dirname "$0")"
source ./env.sh
ensure_node_modules
PYTHON="${PYTHON:-../.venv/bin/python}"
out="${1:-src/core/api-schema.d.ts}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PYTHON" ../backend/manage.py spectacular --file "$work/schema.yaml"
# Fields with a server default stay optional in request bodies (--default-non-nullable false).
npx openapi-typescript "$work/schema.yaml" --default-non-nullable false --output "$work/api-schema.d.ts" >/dev/null
mv "$work/api-schema.d.ts" "$out"
