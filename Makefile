# Zhifa — every target installs what it needs first (make install is idempotent).
SHELL := /bin/bash
# Python 3.11 exactly (Django 5.2 LTS; see ADR 0002): python3.11 when present, else python3.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export ZHIFA_DATA_DIR ?= $(CURDIR)/var

.PHONY: prerequisites install demo test test-sqlite test-postgres lint bench messages assets clean

install: prerequisites $(VENV)/.installed node_modules/.installed assets messages

# Fail early, with the fix, when a tool the install needs is missing.
prerequisites:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || \
		{ echo "Python 3.11 is required (found: $$($(PYTHON) --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2; exit 1; }
	@command -v npm >/dev/null || { echo "npm (Node.js) is required: apt-get install nodejs npm" >&2; exit 1; }
	@command -v msgfmt >/dev/null || { echo "msgfmt is required to compile translations: apt-get install gettext" >&2; exit 1; }

$(VENV)/.installed: requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/lock.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Frontend assets come from npm (lockfile) and are copied into the web app's static files.
assets: node_modules/.installed
	@bash scripts/copy-assets.sh

messages: $(VENV)/.installed
	@cd src/zhifa && ../../$(BIN)/django-admin compilemessages -v0 --ignore=.venv

demo: install
	$(BIN)/zhifa migrate -v0
	$(BIN)/zhifa demo load --port $(PORT)
	$(BIN)/zhifa ledger checkpoint
	$(BIN)/zhifa runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/zhifa/core src/zhifa/api src/zhifa/orgs/services \
		src/zhifa/orgs/selectors.py src/zhifa/orgs/permissions.py src/zhifa/catalog/services.py \
		src/zhifa/catalog/selectors.py src/zhifa/transfer/services.py src/zhifa/demo/services.py \
		src/zhifa/workdays src/zhifa/ledger src/zhifa/cases/services src/zhifa/cases/selectors.py \
		src/zhifa/cases/guards.py src/zhifa/cases/effects.py src/zhifa/cases/fields.py \
		src/zhifa/cases/hooks.py src/zhifa/cases/procedures src/zhifa/catalog/versioning.py \
		src/zhifa/catalog/events.py src/zhifa/orgs/events.py src/zhifa/evidence src/zhifa/celery_app.py \
		src/zhifa/documents src/zhifa/disclosure src/zhifa/portal src/zhifa/cases/flowchart.py
	ZHIFA_DATA_DIR=$$(mktemp -d) $(BIN)/zhifa makemigrations --check --dry-run -v0

# The whole suite on SQLite, then again on PostgreSQL. In CI (CI=true) a PostgreSQL that
# cannot be reached fails the run, and any skipped test fails it too (tests/conftest.py).
test: install lint test-sqlite test-postgres

test-sqlite:
	ZHIFA_TESTING=1 ZHIFA_FAST_HASHER=1 $(BIN)/pytest -q -p no:cacheprovider

test-postgres:
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		ZHIFA_TESTING=1 ZHIFA_FAST_HASHER=1 DATABASE_URL="$(PG_URL)" ZHIFA_TEST_DB_NAME=zhifa_test \
			$(BIN)/pytest -q -p no:cacheprovider; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is not reachable; CI requires it." >&2; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(PG_URL): skipping the PostgreSQL run (CI requires it)."; \
	fi

bench: install
	ZHIFA_TESTING=1 $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules var src/zhifa/web/static/vendor
