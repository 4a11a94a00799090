# Two commands for a new machine: `make run` (the app on the embedded default) and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
VENV_STAMP := .venv/.stamp-$(shell cat requirements.txt | sha1sum | cut -c1-12)
FRONTEND_STAMP := frontend/dist/.stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint venv frontend browser services migrate test-unit test-integration test-e2e test-frontend bench chaos load clean

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip wheel setuptools
	# torch first: sam2 is an sdist that builds against the installed torch (no build isolation).
	.venv/bin/pip install -q $$(grep -E '^(torch|torchvision)==' requirements.txt)
	SAM2_BUILD_CUDA=0 .venv/bin/pip install -q --no-build-isolation -r requirements.txt
	rm -f .venv/.stamp-*
	touch $@

frontend: venv
	@if [ -x frontend/build.sh ]; then frontend/build.sh; else echo "frontend: no build script yet"; fi

browser:
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; }

services: venv
	scripts/services.sh

migrate: venv
	$(PY) backend/manage.py migrate --noinput

run: venv frontend
	$(PY) backend/manage.py run_embedded --host $(HOST) --port $(PORT)

# Lint first (a red check stops the run before the slow tests), then every test.
test: venv frontend lint browser services
	scripts/test.sh

# Unit tests of engine, models, training and backend on SQLite with an in-memory broker: no services.
test-unit: venv
	.venv/bin/python -m pytest -m "not integration and not e2e"

test-integration: venv services
	.venv/bin/python -m pytest -m integration

test-e2e: venv frontend browser services
	.venv/bin/python -m pytest -m e2e

# ruff (lint and format), the import contracts (layers and app order), mypy, and the frontend's checks.
lint: venv
	scripts/lint.sh

bench: venv
	@for b in bench/bench_*.py; do case $$b in bench/bench_faults.py|bench/bench_load.py) continue;; esac; echo "== $$b"; $(PY) $$b || exit 1; done

# Fault scenarios end to end (workers killed, the broker stopped, connections killed): the table of
# jobs finished exactly once, lost, duplicated, and the time to recover; docs/reliability.md.
chaos: venv services
	$(PY) bench/bench_faults.py

# Many annotators at once against gunicorn + PostgreSQL + Redis + a worker (docs/load.md).
load: venv services
	nice -n 10 $(PY) bench/bench_load.py

clean:
	rm -rf var frontend/dist test-output
