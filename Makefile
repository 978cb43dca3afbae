# Amparo: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
MANAGE := $(UV) run --frozen python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast lint format migrations messages worker benchmarks clean

## install: Python packages (uv, from uv.lock) and browser assets (npm, from package-lock.json)
install: .venv/.installed node_modules/.installed

.venv/.installed: pyproject.toml uv.lock .python-version
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## run: migrate an SQLite database, load demo data when it is empty, serve on http://127.0.0.1:8000
run: install
	@mkdir -p var
	DEBUG=1 $(MANAGE) migrate --no-input
	DEBUG=1 $(MANAGE) load_demo --if-empty
	@echo "Amparo: http://$(HOST):$(PORT)/  (demo users in README.md, password amparo-demo)"
	DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

## test: the whole suite (DATABASE_URL selects PostgreSQL; SQLite by default)
test: install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

test-fast: install
	$(UV) run --frozen pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

format: install
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

migrations: install
	DEBUG=1 $(MANAGE) makemigrations

## messages: refresh the Spanish and English catalogues from the code, then compile them
messages: install
	cd amparo && DEBUG=1 $(UV) run --frozen python ../manage.py makemessages -l es -l en --no-obsolete --ignore=tests
	cd amparo && DEBUG=1 $(UV) run --frozen python ../manage.py makemessages -d djangojs -l es -l en --no-obsolete
	DEBUG=1 $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules

## worker: a background task worker (run several, on several machines, against one PostgreSQL)
worker: install
	$(MANAGE) db_worker

benchmarks: install
	$(UV) run --frozen python benchmarks/run_all.py

clean:
	rm -rf var .venv node_modules
