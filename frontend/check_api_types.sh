#!/usr/bin/env bash
# Fails when the committed src/core/api-schema.d.ts differs from what the server's live schema
# generates now (a serializer changed without regenerating, or the file was edited by hand).
set -euo pipefail
cd "$(dirname "$0")"
committed=src/core/api-schema.d.ts
fresh="$(mktemp --suffix=.d.ts)"
trap 'rm -f "$fresh"' EXIT
./api_types.sh "$fresh"
if ! diff -u "$committed" "$fresh" > "$fresh.diff"; then
  head -n 60 "$fresh.diff"
  rm -f "$fresh.diff"
  echo >&2
  echo "frontend/$committed is out of date with the server's OpenAPI schema." >&2
  echo "Regenerate it with frontend/api_types.sh, fix what tsc then reports, and commit both." >&2
  exit 1
fi
rm -f "$fresh.diff"
echo "API types match the server's schema."
