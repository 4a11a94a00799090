#!/usr/bin/env bash
# Unit tests for src/ (vitest). RLE vectors are generated from pycocotools first.
set -euo pipefail
cd "$(dirname "$0")"
source ./env.sh
ensure_node_modules
PYTHON="${PYTHON:-../.venv/bin/python}"
mkdir -p test-data
if [ ! -s test-data/rle_vectors.json ] || [ scripts/make_rle_vectors.py -nt test-data/rle_vectors.json ]; then
  "$PYTHON" scripts/make_rle_vectors.py test-data/rle_vectors.json
fi
npx vitest run "$@"
