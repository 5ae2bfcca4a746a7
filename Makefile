# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check catalogsync tests benchmarks scripts
	$(BIN)/ruff format --check catalogsync tests benchmarks scripts
	$(BIN)/actionlint -shellcheck= .github/workflows/*.yml
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy --strict catalogsync tests benchmarks

# Branch coverage (pyproject's [tool.coverage]: subprocesses measured too) gates the suite.
unit: $(STAMP)
	$(BIN)/pytest -n auto -q --cov=catalogsync --cov-branch --cov-report=term:skip-covered \
		--cov-fail-under=90

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.deals
	$(BIN)/python -m benchmarks.migrations

clean:
	rm -rf $(VENV) .catalogsync .pytest_cache .mypy_cache .ruff_cache
