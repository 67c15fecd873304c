# Masthead: `make run` serves the demo site, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ARTICLES ?= 120
HOST ?= 127.0.0.1
export PORT

.DEFAULT_GOAL := help

.PHONY: help install run serve test test-fast bench backup restore lint format lock clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## create .venv and install Masthead with its tools

run: $(VENV)/.installed ## serve the site and its worker at http://127.0.0.1:$(PORT) (demo content on first run)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py masthead_setup --articles $(DEMO_ARTICLES)
	$(PY) manage.py masthead_run --port $(PORT)

# Production settings refuse to start without SECRET_KEY and ALLOWED_HOSTS.
serve: export DJANGO_SETTINGS_MODULE = masthead.settings.production
serve: $(VENV)/.installed ## production: migrate, collectstatic, gunicorn (WEB_CONCURRENCY workers), worker, scheduler
	$(PY) manage.py migrate --noinput
	$(PY) manage.py masthead_serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed ## the whole suite: unit, integration, browser, lint
	@bin/ensure-test-tools
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed ## the suite without the browser and process tests
	$(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

bench: $(VENV)/.installed ## load tests with wrk: one table, bench/results/latest.json (BENCH_QUICK=1: ~3 min)
	@bin/ensure-bench-tools
	$(PY) -m bench

backup: $(VENV)/.installed ## one archive of the database and media in var/backups/ (BACKUP=file or folder)
	$(PY) manage.py masthead_backup $(if $(BACKUP),--output "$(BACKUP)")

restore: $(VENV)/.installed ## restore BACKUP=archive into an empty site (FORCE=1 replaces what is there)
	@test -n "$(BACKUP)" || { echo "Name the archive: make restore BACKUP=var/backups/masthead-....tar.gz"; exit 2; }
	$(PY) manage.py masthead_restore "$(BACKUP)" $(if $(FORCE),--force)

lint: $(VENV)/.installed ## ruff and Django's checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check masthead tests
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed ## fix what ruff can fix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format masthead tests

lock: ## re-resolve the dependency ranges in pyproject.toml into requirements.lock
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^masthead' > requirements.lock
	rm -rf .lock-venv

clean: ## remove the virtualenv and the local database, media and outbox
	rm -rf $(VENV) var static
