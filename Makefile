# vdp — everything a fresh machine needs goes through these targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: serve test check lint format typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## serve: run the local stack (moto + API on :8000 + policy site on :8001)
serve: $(STAMP)
	$(BIN)/vdp serve

## test: every test CI runs (pytest's "no tests" exit code 5 fails the target too)
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## lint: ruff rules and formatting
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## typecheck: mypy, strict on chalicelib/
typecheck: $(STAMP)
	$(BIN)/mypy

## check: lint + types + tests
check: lint typecheck test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## package: CloudFormation template + Lambda zip in build/package/ (prints the zip size), cfn-lint
.PHONY: package lint-infra
package: $(STAMP)
	$(BIN)/python infra/build.py --out build/package
	$(MAKE) --no-print-directory lint-infra

## lint-infra: cfn-lint over the built template (zero errors, zero warnings)
lint-infra: $(STAMP)
	$(BIN)/cfn-lint build/package/sam.json

## bench: every benchmark, full run (figures with targets; never fails on timing)
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m bench
