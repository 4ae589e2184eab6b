# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The interpreter .python-version names: pyenv's when available, else pythonX.Y on PATH.
BASE_PYTHON ?= $(shell (command -v pyenv >/dev/null 2>&1 && p=$$(pyenv prefix $(PYTHON_VERSION) 2>/dev/null) && echo $$p/bin/python) || command -v python$(PYTHON_VERSION) || echo python$(PYTHON_VERSION))
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format bench lock clean-db messages compilemessages

$(PY):
	$(BASE_PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.lock pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py setup_demo
	@echo
	@echo "  Capacity is starting at http://$(HOST):$(PORT)/"
	@echo "  Log in as admin / admin (superuser), infra / infra (infrastructure admin), manager / manager"
	@echo "  (allocation manager) or researcher / researcher (README.md, Quick start)."
	@echo "  A collection worker runs beside it (docs/collection.md). Stop both with Ctrl-C."
	@echo
	@# The worker runs in the background and is stopped when the web server stops (Ctrl-C or otherwise).
	DEBUG=$${DEBUG:-true} $(PY) manage.py procrastinate worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/run_all.py $(BENCH_ARGS)

# Re-resolve the full dependency set after changing a pin in pyproject.toml.
lock: $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

# Translations (README.md, "Languages"). `make messages` updates the Norwegian bokmål catalogs from the code:
# the project's (locale/: templates/, config/, dashboard/, demo/) and each app's own (<app>/locale/, for the
# apps that have one). Translate the new or changed entries, then `make compilemessages` builds the .mo files
# that are committed beside the .po files (so running the app needs no gettext tools).
LANGUAGES_TO_TRANSLATE ?= nb
APPS_WITH_CATALOGS := inventory approvals notifications collection api
# "<app>/*.*" skips the files of an app (which has its own catalog), not templates/<app>/ (the project's).
MESSAGE_IGNORES := --ignore=bench --ignore=tests --ignore=staticfiles --ignore=test-artifacts \
	$(foreach app,$(APPS_WITH_CATALOGS),--ignore=$(app)/*.*)
messages: install
	$(PY) manage.py makemessages $(foreach lang,$(LANGUAGES_TO_TRANSLATE),-l $(lang)) --no-location --no-obsolete $(MESSAGE_IGNORES)
	@for app in $(APPS_WITH_CATALOGS); do \
		if [ -d $$app/locale ]; then \
			(cd $$app && $(abspath $(PY)) ../manage.py makemessages $(foreach lang,$(LANGUAGES_TO_TRANSLATE),-l $(lang)) --no-location --no-obsolete) || exit 1; \
		fi; \
	done

compilemessages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=bench --ignore=tests

# Stop the embedded server and remove its data (development only).
clean-db:
	rm -rf .pgdata
