#!/usr/bin/env bash
# Builds the annotator into frontend/dist with the system Node (through nodeenv, offline).
# Installs packages only when node_modules is missing or package-lock.json changed.
set -euo pipefail
cd "$(dirname "$0")"
source ./env.sh
ensure_node_modules
npx tsc --noEmit -p tsconfig.json
npx vite build
