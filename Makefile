# Rolodex developer commands. `make run` serves the API on a local Neo4j; `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROLODEX := $(BIN)/rolodex

.PHONY: help install js-deps dashboard browser neo4j run test test-fast lint typecheck pytest openapi lint-docker audit clean bench bench-tools

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## Create .venv and install the service with its dev tools

neo4j: install  ## Start the local Neo4j unless NEO4J_URI points elsewhere
	@if [ -z "$$NEO4J_URI" ]; then $(ROLODEX) neo4j start; else echo "using NEO4J_URI=$$NEO4J_URI"; fi

run: neo4j dashboard  ## Serve on http://127.0.0.1:8000 (docs at /docs, dashboard at /admin); Ctrl-C stops it
	$(ROLODEX) migrate
	$(ROLODEX) demo
	$(ROLODEX) serve --host 127.0.0.1 --port 8000

lint: install  ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install  ## mypy --strict
	$(BIN)/mypy

lint-docker: install  ## hadolint on the Dockerfile
	$(BIN)/hadolint Dockerfile

JS_STAMP := tests/js/node_modules/.installed

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	@touch $(JS_STAMP)

js-deps: $(JS_STAMP)  ## npm packages the interop tests run under Node (jose)

# The admin dashboard (/admin): built with esbuild from dashboard/ into app/static/dashboard/
# (git-ignored). Rebuilt when its sources or lock file change; the service itself needs no Node.
DASHBOARD_STAMP := dashboard/node_modules/.installed
DASHBOARD_BUILT := app/static/dashboard/index.html
DASHBOARD_SOURCES := dashboard/build.mjs $(wildcard dashboard/src/*.* dashboard/src/*/*.*)

$(DASHBOARD_STAMP): dashboard/package.json dashboard/package-lock.json
	cd dashboard && npm ci --no-audit --no-fund --loglevel=error
	@touch $(DASHBOARD_STAMP)

$(DASHBOARD_BUILT): $(DASHBOARD_STAMP) $(DASHBOARD_SOURCES)
	cd dashboard && npm run --silent build

dashboard: $(DASHBOARD_BUILT)  ## Build the admin dashboard into app/static/dashboard/

browser:  ## Debian's chromium for the dashboard's browser test (installed only when missing)
	@if [ -x /usr/bin/chromium ]; then \
		:; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium (Debian package) for the end-to-end dashboard test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "note: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get);" \
			"the browser test of the dashboard will skip"; \
	fi

pytest: install js-deps dashboard browser  ## The test suite (starts its own Neo4j on port 7697)
	$(BIN)/pytest

test-fast: install  ## The fast tier: every test that needs no Neo4j (pytest -m "not neo4j"), no database started
	$(BIN)/pytest -q -m "not neo4j"

audit: install  ## pip-audit of the installed dependencies (tolerates only unreachable advisory data)
	$(BIN)/python .ci/pip_audit.py

test: lint typecheck lint-docker audit pytest  ## Lint, types, dependency audit and the whole suite

openapi: install  ## Regenerate openapi/openapi.json from the app
	$(ROLODEX) openapi

bench-tools:  ## wrk, the HTTP load tool `make bench` uses (Debian package; asyncio fallback without it)
	@command -v wrk >/dev/null || apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk) \
		|| echo "wrk not installed: the load test falls back to a Python client"

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP) bench-tools  ## Benchmarks on their own Neo4j (port 7741): bench/results/, docs/performance.md
	@start=$$(date +%s); $(BIN)/python -m bench.run; echo "make bench wall time: $$(( $$(date +%s) - start )) s"

clean:  ## Remove caches and build output (keeps Neo4j data and jars)
	rm -rf .mypy_cache .ruff_cache .pytest_cache app/static/dashboard test-artifacts
