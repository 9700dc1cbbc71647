# Two commands for a developer: `make run` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
SANDBOX_PORT ?= 5001
SEED_PRODUCTS ?= 200
export PORT SANDBOX_PORT

.PHONY: run test system-packages bench install install-dev clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime

install-dev: $(VENV)/.dev

## make run: sandbox + app + job worker on SQLite, wired together; Ctrl-C stops all three.
run: install
	$(BIN)/python -m jumpseller_app.devenv
	$(BIN)/flask --app app db upgrade
	@set -e; \
	$(BIN)/python -m sandbox --port $(SANDBOX_PORT) --seed-products $(SEED_PRODUCTS) \
	  --redirect-uri http://localhost:$(PORT)/oauth/callback --app-url http://localhost:$(PORT)/ & sandbox_pid=$$!; \
	$(BIN)/flask --app app worker & worker_pid=$$!; \
	trap 'kill $$sandbox_pid 2>/dev/null; kill -INT $$worker_pid 2>/dev/null' EXIT INT TERM; \
	sleep 1; \
	echo ""; \
	echo "  App:     http://localhost:$(PORT)/  (install it: http://localhost:$(PORT)/oauth/install)"; \
	echo "  Sandbox: http://127.0.0.1:$(SANDBOX_PORT)/  (a local stand-in for Jumpseller)"; \
	echo "  Admin:   http://127.0.0.1:$(SANDBOX_PORT)/admin/apps  (open the app inside a store admin, as merchants do)"; \
	echo ""; \
	$(BIN)/gunicorn -c gunicorn.conf.py --bind localhost:$(PORT) --workers 2 app:app

## make test: the system packages the suite needs (installed when this machine lets us), the test requirements,
## then the whole suite. Tests whose system package is missing are skipped and listed at the end, unless
## TEST_STRICT=1 (as .ci/run sets it), where they fail. Extra pytest options: make test ARGS="-k refresh".
test: system-packages
	@$(MAKE) --no-print-directory install-dev
	$(BIN)/python -m pytest $(ARGS)

## make system-packages: PostgreSQL, Redis, Chromium (and python3-venv) from apt, as root or with password-less sudo.
system-packages:
	@bash tests/support/system-packages.sh

## make bench: the benchmarks under bench/, one JSON line each.
bench: install-dev
	@for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

## make translations: re-extract the strings, merge them into es/pt, compile the .mo files (committed).
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -w 120
	$(BIN)/pybabel compile -d translations

clean:
	rm -rf $(VENV) instance .pytest_cache
