# Rolodex developer commands. `make run` serves the API on a local Neo4j; `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROLODEX := $(BIN)/rolodex

.PHONY: help install js-deps neo4j run test lint typecheck pytest openapi lint-docker audit clean

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

run: neo4j  ## Serve on http://127.0.0.1:8000 (docs at /docs); Ctrl-C stops the API
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

pytest: install js-deps  ## The test suite (starts its own Neo4j on port 7697)
	$(BIN)/pytest

audit: install  ## pip-audit of the installed dependencies (tolerates only unreachable advisory data)
	$(BIN)/python .ci/pip_audit.py

test: lint typecheck lint-docker audit pytest  ## Lint, types, dependency audit and the whole suite

openapi: install  ## Regenerate openapi/openapi.json from the app
	$(ROLODEX) openapi

clean:  ## Remove caches (keeps Neo4j data and jars)
	rm -rf .mypy_cache .ruff_cache .pytest_cache
