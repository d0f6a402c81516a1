# backbone — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: demo test test-sqlite test-postgres lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Build the demo partnership in ./backbone-demo and serve it on http://127.0.0.1:$(PORT)/
demo: $(STAMP)
	BACKBONE_WORKSPACE=$${BACKBONE_WORKSPACE:-backbone-demo} $(BIN)/backbone demo --port $(PORT)

## Run every test on SQLite and again on a throwaway PostgreSQL 15 cluster, the two passes side
## by side (scripts/test-passes.sh). The browser and Spark tests exercise the page and the
## engine, not the database, so they run once (on SQLite). `make test-sqlite` or
## `make test-postgres` runs one pass alone.
test: $(STAMP) lint
	BIN=$(BIN) bash scripts/test-passes.sh

test-sqlite: $(STAMP)
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: $(STAMP)
	bash scripts/with-postgres.sh $(BIN)/pytest -m "not browser and not spark"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	BACKBONE_WORKSPACE=$$(mktemp -d) $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

## Benchmarks against a baseline measured in the same run.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) backbone-demo .pytest_cache
