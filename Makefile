# Two commands are the contract: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := portal

# Debian packages: the Chinese font embedded in PDFs, poppler (tests read PDFs back), the PostgreSQL
# client tools (backups), nginx (the deploy files are checked with nginx -t).
RUN_PACKAGES := fonts-wqy-zenhei
TEST_PACKAGES := fonts-wqy-zenhei poppler-utils postgresql-client nginx-light

.PHONY: run test setup venv dev translations extract-messages db demo content clean system-deps-run system-deps-test

run: system-deps-run setup db content demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: system-deps-test dev translations
	$(BIN)/python -m pytest -q

system-deps-run:
	@$(MAKE) --no-print-directory _apt PACKAGES="$(RUN_PACKAGES)" STRICT=0

system-deps-test:
	@$(MAKE) --no-print-directory _apt PACKAGES="$(TEST_PACKAGES)" STRICT=1

_apt:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  elif [ "$(STRICT)" = 1 ]; then echo "missing Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; \
	  else echo "note: install$$missing for certificate PDFs (sudo apt-get install$$missing)"; fi; \
	fi

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
