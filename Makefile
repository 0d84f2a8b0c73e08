# gisgov: `make run` serves the demo county, `make test` runs every gate and the test suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SEED ?= 1
DEMO_SCALE ?= 1

.PHONY: run test setup sysdeps venv db-start db-stop db-reset migrate demo worker lint format bench backup restore

run: setup demo
	@echo "gisgov on http://$(HOST):$(PORT)/  (console; admin at /admin/; demo login: admin / gisgov-demo)"
	@trap 'kill 0' EXIT; \
	  $(MANAGE) procrastinate worker --concurrency 2 >.data/worker.log 2>&1 & \
	  GISGOV_DEBUG=$${GISGOV_DEBUG:-1} $(MANAGE) runserver --noreload $(HOST):$(PORT)

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest -p no:cacheprovider

setup: sysdeps venv db-start migrate

sysdeps:
	@scripts/sysdeps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; set PYTHON=..." >&2; exit 1; }
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@touch $@

db-start:
	@if [ -n "$$DATABASE_URL" ]; then echo "DATABASE_URL is set: using that PostGIS"; else scripts/pg.sh start; fi

db-stop:
	@scripts/pg.sh stop

db-reset:
	@scripts/pg.sh reset

migrate:
	$(MANAGE) migrate --noinput -v 0

demo:
	$(MANAGE) demo_county --seed $(DEMO_SEED) --scale $(DEMO_SCALE) --if-empty

worker:
	$(MANAGE) procrastinate worker

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# make backup [BACKUP=file.tar] / make restore BACKUP=file.tar: the database and uploaded files.
BACKUP ?= gisgov-backup-$(shell date -u +%Y%m%dT%H%M%SZ).tar
backup:
	@scripts/backup.sh backup $(BACKUP)

restore:
	@scripts/backup.sh restore $(BACKUP)
