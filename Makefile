# Portico: `make run` serves the demo portal, `make test` runs every check CI runs.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-postgres lint typecheck migrations-check pytest chromium bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/portico run

chromium:
	@scripts/ensure-chromium.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

migrations-check: $(STAMP)
	$(BIN)/portico makemigrations --check --dry-run

pytest: $(STAMP) chromium
	$(BIN)/pytest -n 2 --dist loadfile

test: lint typecheck migrations-check pytest

# The same suite against PostgreSQL and Redis (the CI machine's servers by default).
test-postgres: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
test-postgres: export REDIS_URL ?= redis://127.0.0.1:6379/0
test-postgres: $(STAMP) chromium
	$(BIN)/portico makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
