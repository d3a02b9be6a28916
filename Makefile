# oscethb: the two commands are `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint format typecheck serve demo bench clean messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

.env:
	@printf 'DEBUG=1\n' > .env
	@echo "Wrote .env for local development (DEBUG=1). Production sets real environment variables instead."

AXE := tests/a11y/node_modules/axe-core/axe.min.js

# axe-core for the accessibility checks of the browser tests (npm package, exact pin in tests/a11y/package.json).
$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests/a11y && npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the browser tests' accessibility checks need it (apt-get install npm)"; fi

install: $(STAMP) .env $(AXE)

## Set everything up on the embedded default (SQLite, no services), load the rounds, seed demo data, serve with a
## Celery worker beside the server on kombu's filesystem transport (oscethb/devserver.py; Ctrl+C stops both).
run: install demo serve

demo: install
	@mkdir -p var
	$(PY) manage.py database_create
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_survey surveys/definitions/thb-2016.yaml surveys/definitions/thb-2021.yaml
	PORT=$(PORT) $(PY) manage.py seed_demo

serve: install
	$(PY) -m oscethb.devserver $(PORT)

## The whole test suite. DATABASE_URL and CELERY_BROKER_URL choose PostgreSQL and Redis (as in CI); without them
## it runs on SQLite, and the tests that need a real broker skip with the reason.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=oscethb.settings $(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install
	$(VENV)/bin/mypy surveys accounts responses reports api demo oscethb

## Benchmarks (not tests; never part of `make test` or CI): needs PostgreSQL (BENCH_DATABASE_URL, default
## postgres://postgres@127.0.0.1:5432/), generates a ~1M-answer round once, writes var/bench/ and BENCHMARKS.md.
## BENCH_SCALE=5m adds the ~5M round; BENCH_RUNS=N runs per measurement (default 3). See bench/README.md.
bench: install
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache staticfiles

## Update the translation catalogues from the code, templates and JavaScript (locale/<language>/LC_MESSAGES), compile
## them (the .mo files are committed) and print what is left to translate per language. Needs GNU gettext
## (apt-get install gettext). See README.md, "Languages and translations".
messages: install
	$(PY) -m oscethb.catalogues update
