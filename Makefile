# Flick warehouse: the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# A random per-checkout salt for hashing e-mails locally, unless one is set.
FLICK_EMAIL_HASH_SALT ?= $(shell mkdir -p .flick && { test -s .flick/email_hash_salt || od -An -tx1 -N16 /dev/urandom | tr -d ' \n' > .flick/email_hash_salt; } && cat .flick/email_hash_salt)
export FLICK_EMAIL_HASH_SALT

.PHONY: demo test lint build lake bench clean chromium docs cosmos-server-deps odbc

$(BIN)/flick-ops: pyproject.toml
	@test -n "$(PYTHON)" || { echo "need Python 3.11 on PATH (python3.11 or python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,azure,engines]'
	@touch $@

profiles.yml: profiles.example.yml
	cp profiles.example.yml profiles.yml

# The demo lake ends today, so source freshness (flick-ops run) is judged against now.
DEMO_START_DATE := $(shell date -u -d '13 days ago' +%F)

## demo: set up, generate a sample lake (14 days ending today) and build the local DuckDB warehouse end to end
# The lake is captured at the moment it is generated, so a new one differs from the last: the warehouse is
# built from scratch (incremental models and snapshots assume a landed file never changes).
demo: $(BIN)/flick-ops profiles.yml
	$(BIN)/flick-ops generate --lake lake --start-date $(DEMO_START_DATE)
	mkdir -p warehouse
	rm -f warehouse/flick.duckdb warehouse/flick.duckdb.wal
	$(BIN)/dbt build --target duckdb

## lake: regenerate the sample lake only
lake: $(BIN)/flick-ops
	$(BIN)/flick-ops generate --lake lake --start-date $(DEMO_START_DATE)

## build: dbt build on the existing lake
build: $(BIN)/flick-ops profiles.yml
	mkdir -p warehouse
	$(BIN)/dbt build --target duckdb

## lint: ruff and sqlfluff (dbt templater)
lint: $(BIN)/flick-ops profiles.yml
	mkdir -p warehouse
	$(BIN)/ruff check flick_ops tests benchmarks
	$(BIN)/ruff format --check flick_ops tests benchmarks
	# An in-memory warehouse: models lint as their first build renders them, whatever warehouse/ holds.
	# One process per core (--processes 0): the dbt templater renders each file, about 90 s on one core.
	FLICK_DUCKDB_PATH=:memory: $(BIN)/sqlfluff lint --processes 0 models macros snapshots tests/data_tests

## chromium: Debian's Chromium for the docs-site browser test (Playwright drives it; no browser download)
chromium:
	@command -v chromium >/dev/null || { \
		echo "installing Debian's chromium for the docs-site test"; \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

## cosmos-server-deps: the local Cosmos DB protocol server for the publisher tests (npm, pinned in tests/support/cosmos)
cosmos-server-deps: tests/support/cosmos/node_modules/.package-lock.json

tests/support/cosmos/node_modules/.package-lock.json: tests/support/cosmos/package-lock.json
	npm ci --prefix tests/support/cosmos --no-audit --no-fund

## odbc: Debian's unixODBC library; dbt-synapse (pyodbc) needs libodbc.so.2 even to compile offline
odbc:
	@ldconfig -p | grep -q 'libodbc.so.2 ' || { \
		echo "installing Debian's libodbc2 for dbt-synapse"; \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq --no-install-recommends libodbc2 >/dev/null; }

## test: the whole test suite (lint, then pytest, which runs dbt on generated lakes)
# Whole modules go to TEST_WORKERS processes (pytest-xdist), so a module's fixtures are built once;
# the order of tests/conftest.py (slowest first) is kept. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: lint chromium cosmos-server-deps odbc
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

## docs: build the dbt docs site from the demo warehouse and serve it on 127.0.0.1:8080
docs: $(BIN)/flick-ops profiles.yml
	$(BIN)/flick-ops docs

## bench: benchmarks, printed as a table and written to benchmarks/results/
bench: $(BIN)/flick-ops
	$(BIN)/python -m benchmarks

clean:
	rm -rf target logs warehouse lake dbt_packages
