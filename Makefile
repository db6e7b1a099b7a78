# OpsFlow developer entry points.
#
#   make run     set everything up (venv, front-end assets, translations) and
#                serve the app on http://127.0.0.1:5000 (SQLite + demo data)
#   make test    set everything up, lint (ruff, mypy engine, models), start the
#                test services (PostgreSQL, Debian chromium: scripts/test-services.sh)
#                and run pytest; extra pytest arguments:
#                make test PYTEST_ARGS='-k engine -x'
#   make bench   run the benchmarks (entry point: bench/run.py)
#   make lint-models  check bpmn/ and workflows/forms/ against docs/modelling.md
#   make clean   remove everything these targets generate
#
# Only setup.cfg, pyproject.toml, package.json, package-lock.json and scripts/
# are needed: .venv/, node_modules/, webapp/static/vendor/, instance/ and
# test-output/ are generated (and git-ignored).

SHELL := /bin/bash
# .venv is made from the distribution's /usr/bin/python3 when it is 3.11 or newer and can make a venv,
# else from python3 on PATH; PYTHON=... chooses another. Debian's interpreter is built with PGO and LTO
# and links libpython statically: the app takes 5-11% less CPU per request on it than on a pyenv build
# with a shared libpython (bench/request_cpu.py; README, Benchmarks).
SYSTEM_PYTHON := $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
    2>/dev/null && echo /usr/bin/python3)
PYTHON ?= $(or $(SYSTEM_PYTHON),python3)
VENV := .venv
VENV_STAMP := $(VENV)/.installed
VENDOR := webapp/static/vendor
ASSETS_STAMP := $(VENDOR)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv assets translations run test bench clean lint-models

help:
	@sed -n '3,12p' Makefile | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------- setup
venv: $(VENV_STAMP)

$(VENV_STAMP): setup.cfg pyproject.toml
	@$(VENV)/bin/python -c '' 2>/dev/null || $(PYTHON) -m venv --clear $(VENV)
	@$(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	    || { echo "make: $(VENV) needs Python >= 3.11 (set PYTHON=...)" >&2; exit 1; }
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -e '.[test,postgres]'
	@touch $@

assets: $(ASSETS_STAMP)

$(ASSETS_STAMP): package.json $(wildcard package-lock.json) scripts/vendor-assets.sh
	@if [ -f package-lock.json ]; then \
	    npm ci --no-audit --no-fund --loglevel=error; \
	else \
	    npm install --no-audit --no-fund --loglevel=error; \
	fi
	bash scripts/vendor-assets.sh
	@touch $@

translations: venv
	@if [ -d webapp/translations ] && [ -n "$$(find webapp/translations -name '*.po' -print -quit)" ]; then \
	    $(VENV)/bin/pybabel -q compile -d webapp/translations -f; \
	fi

lint-models: venv
	$(VENV)/bin/python -m workflows.model_lint

# ---------------------------------------------------------------- run
run: venv assets translations
	OPSFLOW_CONFIG=development $(VENV)/bin/opsflow run --host $(HOST) --port $(PORT)

# ---------------------------------------------------------------- test
# Lint first: a ruff finding fails the target before any service starts.
# The PostgreSQL cluster is stopped afterwards whatever happened; the exit
# status is pytest's (5, "no tests collected", fails too).
test: venv assets translations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy engine
	$(VENV)/bin/python -m workflows.model_lint
	@mkdir -p test-output
	@status=0; \
	if bash scripts/test-services.sh start; then \
	    OPSFLOW_TEST_POSTGRES_URL="$$(cat instance/pgtest.url)" \
	        $(VENV)/bin/pytest --junitxml=test-output/junit.xml $(PYTEST_ARGS) || status=$$?; \
	else \
	    status=$$?; echo "make test: starting the test services failed" >&2; \
	fi; \
	bash scripts/test-services.sh stop || true; \
	exit $$status

# ---------------------------------------------------------------- bench
bench: venv
	@$(VENV)/bin/python -c 'import locust' 2>/dev/null \
	    || $(VENV)/bin/python -m pip install --disable-pip-version-check -q -e '.[bench]'
	@if [ -f bench/run.py ]; then \
	    $(VENV)/bin/python bench/run.py $(BENCH_ARGS); \
	else \
	    echo "make bench: bench/run.py does not exist yet" >&2; exit 1; \
	fi

# ---------------------------------------------------------------- clean
clean:
	-@bash scripts/test-services.sh clean
	rm -rf $(VENV) node_modules $(VENDOR) test-output .pytest_cache build dist *.egg-info
	rm -rf instance/pgtest instance/pgtest.url
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find webapp -name '*.mo' -delete 2>/dev/null || true
