# Phaen: `make run` and `make test` set everything up themselves on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT := $(shell scripts/find-python 2>/dev/null)
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run serve test test-sqlite test-postgres test-browser lint format migrate \
        load-reference demo-users messages translations clean

help: ## List the tasks
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	@test -n "$(PYTHON_BOOT)" || { scripts/find-python; exit 1; }
	$(PYTHON_BOOT) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python "$(PYTHON_BOOT)"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

var/.debs: scripts/install-debs
	@scripts/install-debs
	@mkdir -p var && touch $@

setup: $(VENV)/.synced node_modules/.installed var/.debs ## Install Python, npm and Debian packages (idempotent)
	@mkdir -p var/media var/static

migrate: setup ## Apply database migrations
	$(MANAGE) migrate --no-input

load-reference: migrate ## Load the reference data (idempotent)
	$(VENV)/bin/phaen load-reference

demo-users: load-reference ## Create the demonstration accounts (passwords printed once)
	$(VENV)/bin/phaen demo-users

messages: setup ## Compile translation catalogues
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

translations: setup ## Extract new strings into the Thai and English catalogues (then translate them)
	$(MANAGE) makemessages -l th -l en --no-obsolete --ignore=.venv --ignore=node_modules \
	  --ignore=var --ignore=tests --ignore=bench -v 0

run: load-reference demo-users messages ## Set up, load the reference data and serve http://127.0.0.1:8000
	$(VENV)/bin/phaen serve $(HOST):$(PORT)

test: setup messages ## Run the whole suite (SQLite; PostgreSQL too when DATABASE_URL names it; browser tests)
	$(MAKE) --no-print-directory test-sqlite
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then $(MAKE) --no-print-directory test-postgres; \
	 else echo "DATABASE_URL does not name PostgreSQL: the PostgreSQL run is skipped."; fi

test-sqlite: ## Run the suite on SQLite, browser tests included
	env -u DATABASE_URL $(PY) -m pytest -p no:cacheprovider

test-postgres: ## Run the suite on the PostgreSQL server in DATABASE_URL (browser tests excluded)
	$(PY) -m pytest -p no:cacheprovider -m "not browser"

test-browser: setup messages ## Run only the browser tests
	env -u DATABASE_URL $(PY) -m pytest -p no:cacheprovider -m browser

lint: setup ## ruff, ruff format --check, mypy, import-linter, migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy phaen config
	$(VENV)/bin/lint-imports
	env -u DATABASE_URL $(MANAGE) makemigrations --check --dry-run

format: setup ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean: ## Remove installed environments and local data
	rm -rf .venv .tools node_modules var staticfiles
