# The README's two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
CHROMIUM ?= /usr/bin/chromium
export FLASK_APP := wsgi.py

.PHONY: run test install install-test browser graphviz npm css js-test lint bench clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[server,postgres]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: set up the embedded SQLite database, import courses/, print a demo login, serve.
run: install css graphviz
	$(BIN)/flask elearn demo
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/ and log in with the demo learner above."
	$(BIN)/flask run --host $(HOST) --port $(PORT)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Designsystemet's CSS (npm, not committed) copied into elearn/static/; the wheel build does the
# same through setup.py's build_py.
elearn/static/designsystemet.css: node_modules/.installed setup.py | $(BIN)/python
	$(BIN)/python setup.py -q designsystemet

css: elearn/static/designsystemet.css

npm: node_modules/.installed css

# Debian's Chromium for the browser tests (Playwright drives it through executable_path).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  SUDO=""; [ "$$(id -u)" = "0" ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; \
	fi

# Debian's Graphviz (`dot`) for the scenario maps of `flask elearn graph` and the preview.
graphviz:
	@if ! command -v dot >/dev/null 2>&1; then \
	  echo "Installing Debian's graphviz for the scenario maps…"; \
	  SUDO=""; [ "$$(id -u)" = "0" ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq graphviz; \
	fi

# The packages' JavaScript runtime against the Python engine (shared vectors, Node's test runner).
# The vectors are made again only when a course, the core, the content or the package code changed.
VECTOR_INPUTS := $(shell find courses tests/fixtures tests/export/fixtures elearn/core elearn/content elearn/player elearn/tracking scorm_export -type f -not -name '*.pyc' 2>/dev/null)
build/vectors.json: $(VECTOR_INPUTS) | $(VENV)/.installed-test
	mkdir -p build
	$(BIN)/python -m scorm_export.vectors courses tests/fixtures tests/export/fixtures > $@.tmp
	mv $@.tmp $@

js-test: install-test build/vectors.json
	node --test scorm_export/runtime/tests/

## make test: install what the tests need and run the whole suite (Python and browser tests).
test: install-test npm browser graphviz js-test
	ELEARN_CHROMIUM=$(CHROMIUM) $(BIN)/pytest $(PYTEST_ARGS)

## make screenshots: every page type in nb, nn and en at 375 and 1280 px, and the package player's
## pages (knowledge check, result page with a scenario to take again, dark mode), kept in
## build/screenshots/.
screenshots: install-test npm browser
	ELEARN_SCREENSHOTS=1 ELEARN_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -q tests/browser/test_pages_in_chromium.py \
	  tests/export/test_package_pages_browser.py

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make translations: bring every room's .po in step with the code and compile the .mo files
## (see docs/translating.md). The .mo files are committed, so installs need no compile step.
translations: install
	$(BIN)/python -m elearn.message_catalogues update

bench: install-test
	$(BIN)/python bench/player_step.py

## make bench-lrs: the LRS over HTTP (gunicorn + PostgreSQL on 127.0.0.1:5432), 1M statements.
bench-lrs: install-test
	$(BIN)/python bench/lrs_load.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache elearn/static/designsystemet.css
