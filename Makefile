# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint format lock bench clean help messages

help:
	@echo "make run   - install, migrate, load demo data (first time) and serve on http://$(HOST):$(PORT)"
	@echo "make test  - run the whole test suite (SQLite, or DATABASE_URL)"
	@echo "make messages - refresh and compile the English catalogue (needs GNU gettext)"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.base-installed: $(BIN)/activate requirements/base.txt pyproject.toml
	$(BIN)/pip install -q -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.base-installed requirements/dev.txt
	$(BIN)/pip install -q -r requirements/dev.txt
	@touch $@

# The single-machine install keeps a generated secret key in the data dir.
run: export JAMSOS_GENERATE_SECRET_KEY = 1
run: $(VENV)/.base-installed
	$(BIN)/jamsos migrate --noinput -v 0
	$(BIN)/jamsos demo --if-empty
	$(BIN)/jamsos collectstatic --noinput -v 0
	$(BIN)/jamsos serve --host $(HOST) --port $(PORT)

# Two runs: everything but the browser tests in parallel, then the browser tests in one
# process (they share one real server, and Playwright's event loop must not share a
# process with ORM tests). Exit status 5 = "no tests selected" (e.g. PYTEST_ARGS picked a
# folder without browser tests) is not a failure.
test: $(VENV)/.dev-installed
	$(BIN)/pytest -n auto -m "not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -p no:xdist -m browser $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin after changing pyproject.toml (run inside a fresh venv to avoid stray packages).
lock: $(VENV)/.dev-installed
	$(BIN)/python scripts/lock.py

# English catalogue: extract new strings into locale/en django.po and compile django.mo.
messages: $(VENV)/.base-installed
	PYTHON=$(BIN)/python sh scripts/messages.sh

bench: $(VENV)/.dev-installed
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
