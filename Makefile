# Profplan: `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run worker test lint bench bench-smoke migrate reference demo clean serve deploycheck backup restore loadtest faultcheck clustercheck

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(MANAGE) migrate --noinput
	$(MANAGE) recompute_delivery

reference: migrate
	$(MANAGE) load_reference

# The address `make run` serves: links in e-mails and the address load_demo prints.
demo run: export DJANGO_SITE_URL ?= http://$(HOST):$(PORT)
# A developer's machine: DEBUG is off unless asked for (profplan/settings/base.py), and
# the demo accounts exist only with it on. Target-specific, so it reaches the
# prerequisites (migrate, reference) of these targets and nothing else.
demo run: export DJANGO_DEBUG ?= 1
demo: reference
	$(MANAGE) load_demo

# The web server and the task worker (documents, e-mail) together; Ctrl+C stops both.
run: demo
	@echo "Профплан: http://$(HOST):$(PORT)/ (и обработчик фоновых задач); остановить: Ctrl+C"
	$(PY) scripts/run.py dev $(HOST):$(PORT)

# The worker alone (production runs it as its own systemd service).
worker: install
	$(MANAGE) worker

# The tests turn DEBUG on themselves (profplan/settings/test.py).
test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every figure of docs/scaling.md, measured (manual: tens of minutes on 2 cores).
bench: install
	$(PY) -m tests.bench

# The same benches at a small size, one run each: that every one still runs to the end
# and prints every figure (CI runs it; its numbers mean nothing).
bench-smoke: install
	$(PY) -m tests.bench --smoke

# Production-like, on one machine: gunicorn and the task worker together (systemd runs
# them as two services: README, «Развёртывание»). The environment gives DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
# DJANGO_CSRF_TRUSTED_ORIGINS and DATABASE_URL (README, «Развёртывание»).
serve: export DJANGO_DEBUG ?= 0
serve: install
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) migrate --noinput
	$(MANAGE) recompute_delivery
	$(PY) scripts/run.py serve

# Django's deployment checks with production-like settings (what .ci/run runs).
deploycheck: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=deploy-check-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))') \
	DJANGO_ALLOWED_HOSTS=profplan.example.ru DJANGO_CSRF_TRUSTED_ORIGINS=https://profplan.example.ru \
	DJANGO_SITE_URL=https://profplan.example.ru DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	$(MANAGE) check --deploy --fail-level WARNING

# ./backups/profplan-<time>.dump (PostgreSQL, pg_dump -Fc) or .sqlite3 (SQLite), and beside
# it profplan-<time>.evidence.zip: the evidence files, from the file system or the bucket.
# Generated documents are left out: they are drawn again (scripts/backup.py).
backup: install
	$(PY) scripts/backup.py backup

# make restore FILE=backups/profplan-….dump: replaces the database's contents and puts
# back the evidence files (the .evidence.zip beside it) that the storage lacks.
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/…"; exit 2; }
	$(PY) scripts/backup.py restore "$(FILE)"

# Locust against gunicorn on 127.0.0.1 with a scratch database; bounded in time.
LOAD_USERS ?= 20
LOAD_TIME ?= 60
loadtest: install
	$(PY) -m tests.load --users $(LOAD_USERS) --time $(LOAD_TIME)

# PostgreSQL restarted under traffic (needs DATABASE_URL=postgres://… and pg_ctlcluster).
faultcheck: install
	$(PY) -m tests.faults

# The production shape on one machine: two web nodes, two RQ workers, PostgreSQL,
# Redis and a local S3, through a busy day and four faults (tests/cluster); ~5 min.
clustercheck: install
	$(PY) -m tests.cluster

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
