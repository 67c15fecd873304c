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

.PHONY: FORCE help install run serve upgrade move test test-fast bench backup restore lint format lock clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

# A .venv whose interpreter or pip is gone (a distribution upgrade, a removed
# pyenv version, an interrupted venv) is rebuilt, and so is one made by another
# Python than a PYTHON given on the command line or in the environment. Without
# an explicit PYTHON a working .venv is kept, so `make run PYTHON=python3.13`
# followed by `make test` stays on 3.13 instead of reinstalling.
PYTHON_ASKED := $(filter command line environment,$(origin PYTHON))
VENV_STALE := $(shell test -e $(VENV) || exit 0; \
	$(PY) -c 'import pip' 2>/dev/null || { echo gone; exit 0; }; \
	test -n "$(PYTHON_ASKED)" || exit 0; \
	v='import sys; print(sys.version)'; \
	[ "$$($(PY) -c "$$v")" = "$$($(PYTHON) -c "$$v" 2>/dev/null)" ] || echo other)

# Debian and Ubuntu ship `venv` apart from Python; its own message is a paragraph.
define make_venv
	$(if $(VENV_STALE),rm -rf $(VENV))
	@test -x $(PY) || { \
	  command -v $(PYTHON) >/dev/null \
	    || { echo "$(PYTHON) not found: name another with PYTHON=/path/to/python3" >&2; exit 1; }; \
	  $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	    echo "$(PYTHON) cannot make a virtualenv: sudo apt install $$($(PYTHON) -c \
	      'import sys; print("python3.%d-venv" % sys.version_info[1])')" >&2; exit 1; }; \
	  $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	  $(PY) -m pip install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }; }
endef

# Every package pinned and hashed; the project itself goes in editable on top, as
# pip's hash-checking mode refuses an editable requirement.
define install_locked
	$(PY) -m pip install --quiet --require-hashes -r $(1)
	$(PY) -m pip install --quiet --no-deps -e .
endef

# What `make run`, `make serve` and `make bench` need: no test tools.
$(VENV)/.runtime: pyproject.toml requirements.lock $(if $(VENV_STALE),FORCE)
	$(make_venv)
	$(call install_locked,requirements.lock)
	@touch $@

# The same pins plus pytest, ruff, playwright and the other test tools.
$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(call install_locked,requirements-dev.lock)
	@touch $@

FORCE:

install: $(VENV)/.dev ## create .venv and install Masthead with its test tools

run: $(VENV)/.runtime ## serve the site and its worker at http://127.0.0.1:$(PORT) (demo content on first run)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py masthead_setup --articles $(DEMO_ARTICLES)
	$(PY) manage.py masthead_run --port $(PORT)

# Production settings refuse to start without SECRET_KEY and ALLOWED_HOSTS.
serve: export DJANGO_SETTINGS_MODULE = masthead.settings.production
serve: $(VENV)/.runtime ## production: migrate, collectstatic, gunicorn (WEB_CONCURRENCY workers), worker, scheduler
	$(PY) manage.py migrate --noinput
	$(PY) manage.py masthead_serve --host $(HOST) --port $(PORT)

# On each server after new code arrives; the first to start migrates, the others
# wait on its lock and find nothing left to do.
upgrade: export DJANGO_SETTINGS_MODULE = masthead.settings.production
upgrade: $(VENV)/.runtime ## production, after new code: install, migrate once under a lock, collectstatic, reload masthead_serve, purge caches
	$(PY) manage.py masthead_upgrade

move: $(VENV)/.runtime ## copy this site into TO=postgres://... (or sqlite:///...) and verify every table and page (FORCE=1 replaces what is there)
	@test -n "$(TO)" || { echo "Name the target: make move TO=postgres://user:password@host/masthead"; exit 2; }
	$(PY) manage.py masthead_move_database --to "$(TO)" $(if $(FORCE),--force)

test: $(VENV)/.dev ## the whole suite: unit, integration, browser, lint
	@bin/ensure-test-tools
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.dev ## the suite without the browser and process tests
	$(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

bench: $(VENV)/.runtime ## load tests with wrk: one table, bench/results/latest.json (BENCH_QUICK=1: ~3 min)
	@bin/ensure-bench-tools
	$(PY) -m bench

backup: $(VENV)/.runtime ## one archive of the database and media in var/backups/ (BACKUP=file or folder)
	$(PY) manage.py masthead_backup $(if $(BACKUP),--output "$(BACKUP)")

restore: $(VENV)/.runtime ## restore BACKUP=archive into an empty site (FORCE=1 replaces what is there)
	@test -n "$(BACKUP)" || { echo "Name the archive: make restore BACKUP=var/backups/masthead-....tar.gz"; exit 2; }
	$(PY) manage.py masthead_restore "$(BACKUP)" $(if $(FORCE),--force)

lint: $(VENV)/.dev ## ruff and Django's checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check masthead tests
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.dev ## fix what ruff can fix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format masthead tests

# Each lock serves every supported Python (3.11.0 up): where a pin needs a newer
# Python than the oldest, uv writes a marker and an older pin beside it. The
# runtime lock is resolved inside the dev lock, so the two agree. Pins already in
# the files are kept unless UPGRADE=1, so adding a dependency moves nothing else.
LOCK := .lock-venv/bin/uv pip compile pyproject.toml --universal \
	--python-version 3.11 --generate-hashes --custom-compile-command "make lock" \
	--quiet $(if $(UPGRADE),--upgrade)

lock: ## pin pyproject.toml's ranges in requirements.lock and -dev.lock (UPGRADE=1: newest)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet uv==0.13.8
	$(LOCK) --extra dev --output-file requirements-dev.lock
	$(LOCK) --constraint requirements-dev.lock --output-file requirements.lock
	rm -rf .lock-venv

# var/ holds the database, media and backups: data, never cleaned.
clean: ## remove the virtualenv and collected static files (var/ data stays)
	rm -rf $(VENV) static .lock-venv
