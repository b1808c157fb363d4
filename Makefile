# The two commands of the quick start are `make run` and `make test`; the rest serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
#: the core's catalogues, then each plugin's own (plugins/<name>/translations)
CATALOGUES := $(wildcard portal/translations/*/LC_MESSAGES/messages.po plugins/*/translations/*/LC_MESSAGES/messages.po)
EXTRACT = $(BIN)/pybabel --quiet extract --no-location --omit-header -F babel.cfg -k _l -k lazy_gettext

.PHONY: run test lint format bench translations clean compiled vendor screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,postgresql]"
	touch $(STAMP)

%/messages.mo: %/messages.po $(STAMP)
	$(BIN)/pybabel --quiet compile --use-fuzzy -i $< -o $@

compiled: $(STAMP) $(CATALOGUES:.po=.mo)

instance/config.py: $(STAMP)
	$(BIN)/portal init

run: compiled instance/config.py
	$(BIN)/portal db upgrade
	$(BIN)/portal demo --if-empty
	$(BIN)/portal run --debug --host 127.0.0.1 --port 5000

test: compiled
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The core's strings go to portal/translations, each plugin's to its own translations/ folder (which
# `pybabel init -i plugins/<name>/translations/messages.pot -d plugins/<name>/translations -l en` starts).
translations: $(STAMP)
	$(EXTRACT) -o portal/translations/messages.pot portal
	$(BIN)/pybabel --quiet update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --ignore-obsolete
	for folder in plugins/*/translations; do \
	  $(EXTRACT) -o $$folder/messages.pot $${folder%/translations} && \
	  $(BIN)/pybabel --quiet update -i $$folder/messages.pot -d $$folder --no-fuzzy-matching --ignore-obsolete; \
	done
	$(BIN)/python scripts/french_plurals.py portal/translations/fr/LC_MESSAGES/messages.po plugins/*/translations/fr/LC_MESSAGES/messages.po

clean:
	rm -rf $(VENV) .pytest_cache

bench: compiled
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Front-end packages: package.json pins them, `npm ci` fetches them, and only the files the site serves are
# copied into portal/static/vendor/ and committed, so that running and testing the site never needs node.
VENDOR := portal/static/vendor
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/bootstrap/css $(VENDOR)/bootstrap/js $(VENDOR)/bootstrap-icons/fonts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	  $(VENDOR)/bootstrap/css/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	  $(VENDOR)/bootstrap/js/
	cp node_modules/bootstrap/LICENSE $(VENDOR)/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/LICENSE \
	  $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff \
	  $(VENDOR)/bootstrap-icons/fonts/

# A PNG of every page of the demo per role and width (tests/e2e/pages/), written to screenshots/ for review.
screenshots: compiled
	$(BIN)/python -m tests.e2e.screenshots $(SCREENSHOTS_ARGS)
