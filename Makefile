# Proceed: the two commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint setup migrate demo check-migrations screenshots clean worker bench bench-smoke topology-test

# The virtual environment, rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Proceed needs Python 3.11 or newer: set PYTHON=/path/to/python3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==26.3" "setuptools==80.9.0"
	# --no-build-isolation: XStatic-Bootstrap's sdist needs the setuptools above to build.
	$(PY) -m pip install --quiet --no-build-isolation -r requirements-dev.txt
	touch $@

.env:
	$(PY) scripts/write_local_env.py .env

# The clinic's seal for development: a self-signed key and certificate, made once into
# var/signing/ (git-ignored), where the settings look unless PROCEED_SIGNING_KEY/CERT say otherwise.
DEV_SEAL := var/signing/seal-cert.pem
$(DEV_SEAL): | $(VENV)/.installed .env
	$(PY) manage.py make_dev_signing_certificate --out var/signing

setup: $(VENV)/.installed .env $(DEV_SEAL)

# populate_history: content written before edit history existed gets a starting record.
migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py populate_history --auto

demo: migrate
	$(PY) manage.py setup_demo

run: demo
	@echo
	@echo "Proceed is running at http://$(HOST):$(PORT)/"
	@echo "  Staff sign-in:       http://$(HOST):$(PORT)/accounts/login/"
	@echo "  Content admin:       http://$(HOST):$(PORT)/admin/"
	@echo "Press Ctrl+C to stop."
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

# The background worker that renders signed PDFs when PROCEED_TASK_BACKEND=database (production).
# With `make run` (DJANGO_DEBUG on, the immediate backend) there is nothing to run: PDFs render as the patient signs.
worker: setup
	PROCEED_TASK_BACKEND=database $(PY) manage.py proceed_worker --no-reload

# The browser tests (tests/browser) need Debian's Chromium; without it they are skipped, and said so.
CHROMIUM := /usr/bin/chromium
test: setup
	@test -x $(CHROMIUM) || echo "NOTE: no Chromium at $(CHROMIUM): the browser tests (tests/browser) will be SKIPPED. Install it with: apt-get update && apt-get install -y chromium"
	$(PY) -m pytest

# The topology test (tests/topology/, about a minute and a half; not part of `make test`). It starts,
# on 127.0.0.1 with free ports and production settings: moto's S3 server (a bucket under Object Lock),
# two gunicorn app servers, a PDF worker (`manage.py proceed_worker`), and for one test a third app
# server with a redis-server of its own; a database of its own, dropped afterwards, on the PostgreSQL
# at TOPOLOGY_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); its own key prefix
# in the Redis at TOPOLOGY_REDIS_URL (default redis://127.0.0.1:6379/12), those keys deleted after.
# It stops every process it started, by process id, and fails if one is left.
topology-test: setup
	$(PY) -m pytest -m topology tests/topology -v

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-migrations: setup
	$(PY) manage.py makemigrations --check --dry-run

# With `make run` serving in another terminal: every journey page at phone size, and the PDF's pages.
screenshots: setup
	$(PY) scripts/journey_screenshots.py --out screenshots

clean:
	rm -rf $(VENV) staticfiles screenshots .pytest_cache .ruff_cache

# The benchmark (docs/performance.md): seeds its own database (var/bench/, or <name>_bench on the
# DATABASE_URL server), serves with gunicorn and production settings, loads it with locust.
# BENCH_ARGS passes options on: e.g. BENCH_ARGS=--journeys-only (only the two journey rows), or
# BENCH_ARGS=--archive-only (only the records archive, at 200,000 decided records).
BENCH_TOOLS := $(VENV)/.bench-installed
$(BENCH_TOOLS): requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

bench: setup $(BENCH_TOOLS)
	$(PY) -m bench.run $(BENCH_ARGS)

# The same harness on tiny data with short runs (about a minute), no timing targets: for CI.
bench-smoke: setup $(BENCH_TOOLS)
	$(PY) -m bench.run --smoke
