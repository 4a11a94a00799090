#!/usr/bin/env bash
# The whole test suite: frontend unit tests (vitest), then pytest (unit, integration against
# PostgreSQL + Redis + a Celery worker + SeaweedFS S3, and browser tests in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-output
if [ -x frontend/test.sh ]; then
  frontend/test.sh
fi
.venv/bin/python -m pytest "$@"
