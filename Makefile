# Two commands are the contract: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := portal

.PHONY: run test setup venv dev translations extract-messages db demo content clean

run: setup db content demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: dev translations
	$(BIN)/python -m pytest -q

setup: venv translations

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

dev: $(BIN)/.installed-dev

$(BIN)/.installed-dev: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

translations: venv
	$(BIN)/pybabel compile -d portal/translations -l zh_Hans_CN

extract-messages: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot --no-location --omit-header --sort-output .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching

db: venv
	$(BIN)/flask db upgrade
	$(BIN)/flask setup

content: db
	$(BIN)/flask content sync

demo: db content
	$(BIN)/flask demo seed

clean:
	rm -rf $(VENV) instance
