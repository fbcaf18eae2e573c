# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-postgres test-faults e2e schemathesis lint format migrate demo clean vendor

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

## run: install, migrate a local SQLite database, load demo data, serve on http://127.0.0.1:$(PORT) (8000)
## with the email worker beside it (reminders and announcements go out while the site runs; stopped with it)
# PORT reaches the commands too: SITE_URL (QR codes, links, seed_demo's summary) follows it.
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	PORT=$(PORT) $(BIN)/python manage.py seed_demo
	PORT=$(PORT) $(BIN)/python manage.py send_notifications & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	PORT=$(PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## test: install and run the whole suite (SQLite unless DATABASE_URL says otherwise)
test: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || { echo "Models changed without a migration."; exit 1; }
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## test-postgres: the same suite on the local PostgreSQL
test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -n 2 $(PYTEST_ARGS)

## test-faults: the PostgreSQL restart during a registration burst (restarts the local cluster once)
test-faults: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -p no:xdist -m pg_restart $(PYTEST_ARGS)

## schemathesis: the live API against its own schema (no 5xx, no answer the schema does not describe)
schemathesis: $(STAMP)
	BIN=$(BIN) .ci/schemathesis

## e2e: browser tests in Debian's Chromium (installed if missing)
e2e: $(STAMP)
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-* test_db*.sqlite3*

## vendor: fetch the door's QR decoder again from the npm registry (static/vendor/jsqr/, with its licence)
JSQR_VERSION ?= 1.4.0
vendor:
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed (apt-get install npm)"; exit 1; }
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	cd .vendor-tmp && npm pack --silent jsqr@$(JSQR_VERSION) && tar xzf jsqr-$(JSQR_VERSION).tgz
	mkdir -p static/vendor/jsqr
	cp .vendor-tmp/package/dist/jsQR.js .vendor-tmp/package/LICENSE static/vendor/jsqr/
	rm -rf .vendor-tmp
