# vdp — everything a fresh machine needs goes through these targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: serve test check lint format typecheck clean

$(STAMP): pyproject.toml
	@echo "Installing vdp and its pinned dependencies into $(VENV) (first run only, about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## serve: run the local stack (moto + API on :8000 + policy site on :8001)
serve: $(STAMP) catalogs
	$(BIN)/vdp serve

## test: every test CI runs (pytest's "no tests" exit code 5 fails the target too)
test: $(STAMP) catalogs browsers node-packages
	$(BIN)/pytest $(PYTEST_ARGS)

## catalogs: compile the reporter's languages (chalicelib/locales/*/messages.po -> .mo)
LOCALES := chalicelib/locales
CATALOGS := $(patsubst %.po,%.mo,$(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po))
.PHONY: catalogs messages
catalogs: $(CATALOGS)
$(LOCALES)/%/LC_MESSAGES/messages.mo: $(LOCALES)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

## messages: extract the texts a reporter reads into messages.pot and update each language
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F $(LOCALES)/babel.cfg -k say \
	  -o $(LOCALES)/messages.pot --project vdp chalicelib
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete \
	  -i $(LOCALES)/messages.pot -d $(LOCALES)

## node-packages: the npm packages package-lock.json pins (BSI's CSAF validator for the
## export tests), installed into node_modules/ when the lock file changed since the last install
.PHONY: node-packages
node-packages: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## browsers: Debian's chromium for the browser tests (Playwright drives it; it downloads nothing)
.PHONY: browsers
browsers:
	command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO apt-get install -y chromium; }

## lint: ruff rules and formatting, and the layer rules (import-linter contracts)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## typecheck: mypy, strict on chalicelib/
typecheck: $(STAMP)
	$(BIN)/mypy

## scan: bandit over vdp's code (medium and high findings fail; also a test in make test)
.PHONY: scan audit
scan: $(STAMP)
	$(BIN)/bandit -q -r chalicelib vdp app.py -ll

## audit: pip-audit of the Lambda's pinned dependencies (needs PyPI's JSON API or osv.dev)
audit: $(STAMP)
	$(BIN)/pip-audit --strict -r requirements.txt -r infra/library-layer.txt

## policy-site: regenerate the example policy site from chalicelib/policy.toml
.PHONY: policy-site
policy-site: $(STAMP)
	$(BIN)/vdp policy render --format html --api '{{VDP_API}}' --policy chalicelib/policy.toml \
	  --output examples/policy-site/index.html

## check: lint + types + scanners + tests
check: lint typecheck scan test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## package: CloudFormation template + Lambda zip in build/package/ (prints the zip size), cfn-lint
.PHONY: package lint-infra
package: $(STAMP) catalogs
	$(BIN)/python infra/build.py --out build/package
	$(MAKE) --no-print-directory lint-infra

## lint-infra: cfn-lint over the built template (zero errors, zero warnings)
lint-infra: $(STAMP)
	$(BIN)/cfn-lint build/package/sam.json

## bench: every benchmark, full run (figures with targets; never fails on timing)
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m bench

## fuzz: the deep fuzzing run (hypothesis and schemathesis, VDP_FUZZ_EXAMPLES per test)
.PHONY: fuzz
VDP_FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	VDP_FUZZ_EXAMPLES=$(VDP_FUZZ_EXAMPLES) $(BIN)/pytest tests/fuzz $(PYTEST_ARGS)
