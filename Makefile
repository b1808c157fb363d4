# The two commands of the quick start are `make run` and `make test`; the rest serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGUES := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)

.PHONY: run test lint format bench translations clean compiled

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,postgresql]"
	touch $(STAMP)

portal/translations/%/LC_MESSAGES/messages.mo: portal/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d portal/translations -l $* >/dev/null

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

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache

bench: compiled
	$(BIN)/python -m bench.run $(BENCH_ARGS)
