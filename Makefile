# Rapport — the two commands that matter are `make run` and `make test`.
# Both set everything up on a fresh machine; running them again is quick.

SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
SIZE ?= ci
SEED ?= 1
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PYTHON_VERSION := $(shell cat .python-version)
STAMPS := $(VENV)/.stamps

# The interpreter named by .python-version: pyenv's when pyenv knows it, else
# python3.13 on the PATH, else python3 if it is that version.
define find_python
$(shell \
  (command -v pyenv >/dev/null && pyenv which python 2>/dev/null) || \
  command -v python$(PYTHON_VERSION) 2>/dev/null || \
  (python3 -c 'import sys; exit(sys.version_info[:2] != tuple(map(int, "$(PYTHON_VERSION)".split("."))))' 2>/dev/null && command -v python3))
endef

.PHONY: help run test test-pg lint format messages check-deploy bench bench-http clean

help:
	@echo "make run         set up and serve the app with demo data (PORT=$(PORT))"
	@echo "make test        set up and run ruff and the whole test suite"
	@echo "make test-pg     the suite against PostgreSQL (DATABASE_URL)"
	@echo "make format      format the code with ruff"
	@echo "make messages    compile locale/ after changing its wording (needs gettext)"
	@echo "make bench       seed (or reuse) the benchmark data and print the figures"
	@echo "                 (SIZE=ci|full, SEED=1, DATABASE_URL; bench/results.json)"
	@echo "make bench-http  the pages under load: gunicorn, 2 workers, wrk"

$(PY):
	@python="$(strip $(find_python))"; \
	if [ -z "$$python" ]; then echo "Python $(PYTHON_VERSION) is needed (see .python-version)." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)
	@mkdir -p $(STAMPS)

$(STAMPS)/runtime: requirements.txt | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/dev: requirements.txt requirements-dev.txt $(STAMPS)/runtime
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

# Chromium for the browser tests: Debian's package when we are root on Debian,
# otherwise the build Playwright downloads for the current user.
$(STAMPS)/chromium: $(STAMPS)/dev
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then \
	  echo "Chromium: $$(command -v chromium || command -v chromium-browser)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else \
	  $(VENV)/bin/playwright install chromium; \
	fi
	@touch $@

# wrk for the load test: Debian's package when we are root on Debian.
$(STAMPS)/wrk: $(STAMPS)/runtime
	@if command -v wrk >/dev/null; then \
	  echo "wrk: $$(command -v wrk)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
	  echo "make bench-http needs wrk (apt-get install wrk, brew install wrk)." >&2; exit 1; \
	fi
	@touch $@

run: $(STAMPS)/runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	@echo "Rapport is at http://127.0.0.1:$(PORT)/ (emails are printed here)."
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMPS)/chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

test-pg: $(STAMPS)/chromium
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(VENV)/bin/pytest

messages: $(STAMPS)/dev
	$(PY) manage.py compilemessages --locale en --ignore '.venv/*'

lint: $(STAMPS)/dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMPS)/dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: $(STAMPS)/runtime
	DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY=$${SECRET_KEY:-check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-rapport.example.org} \
	RAPPORT_SITE_URL=$${RAPPORT_SITE_URL:-https://rapport.example.org} \
	$(PY) manage.py check --deploy --fail-level WARNING

# The benchmark (README, "Benchmark"): data in bench/, reused while it matches.
BENCH_ENV := DJANGO_SETTINGS_MODULE=config.settings.bench BENCH_SIZE=$(SIZE)

bench: $(STAMPS)/runtime
	$(BENCH_ENV) $(PY) manage.py bench --size $(SIZE) --seed $(SEED) $(BENCH_ARGS)

bench-http: $(STAMPS)/wrk
	$(BENCH_ENV) $(PY) manage.py bench --http --size $(SIZE) --seed $(SEED) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache
