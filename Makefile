# ParcelGuard — every step goes through this file so a fresh machine and CI do the same thing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast lint bench faults screenshots clean services

OIDC := tests/oidc
OIDC_STAMP := $(OIDC)/node_modules/.installed
AXE := tests/axe
AXE_STAMP := $(AXE)/node_modules/.installed

install: $(STAMP) $(OIDC_STAMP) $(AXE_STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	./scripts/install-system-packages.sh
	touch $(STAMP)

# The OpenID provider (node oidc-provider) the SSO tests start, pinned by package-lock.json.
$(OIDC_STAMP): $(OIDC)/package.json $(OIDC)/package-lock.json $(STAMP)
	cd $(OIDC) && npm ci --no-audit --no-fund --loglevel=error
	touch $(OIDC_STAMP)

# axe-core, the accessibility rules the page-walk browser test runs in every page.
$(AXE_STAMP): $(AXE)/package.json $(AXE)/package-lock.json $(STAMP)
	cd $(AXE) && npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE_STAMP)

DEMO_HOME ?= $(CURDIR)/.demo

demo: install
	PARCELGUARD_HOME=$(DEMO_HOME) $(BIN)/parcelguard demo --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-fast: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not browser and not faults and not slow"

bench: install
	$(BIN)/python bench/run_all.py

faults: install
	$(BIN)/python -m pytest -q -m faults

screenshots: install
	$(BIN)/python scripts/screenshots.py

services:
	./.ci/services.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
