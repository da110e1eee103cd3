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

.PHONY: run test e2e api-fuzz e2e-tools setup venv dev translations extract-messages db demo content clean system-deps-run system-deps-test

run: system-deps-run setup db content demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: system-deps-test dev translations e2e-tools
	$(BIN)/python -m pytest -q

# The browser tests alone (tests/e2e): journeys in Chromium, axe-core, the Nu HTML checker.
e2e: system-deps-test dev translations e2e-tools
	$(BIN)/python -m pytest -q -m e2e tests/e2e

# schemathesis against the served HR API alone, with a random seed and more examples than in `make test`.
API_FUZZ_EXAMPLES ?= 200
api-fuzz: dev translations
	API_FUZZ_SEED=random API_FUZZ_EXAMPLES=$(API_FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -m api_fuzz tests/test_api_schemathesis.py

# Their tools, each installed only when missing: Debian's Chromium and a Java for the HTML checker,
# Playwright for Python (it drives /usr/bin/chromium: never `playwright install`), and axe-core and
# vnu-jar from npm into tests/e2e/node_modules (never served; their install scripts are not run).
E2E_DIR := tests/e2e
e2e-tools: dev $(BIN)/.installed-e2e $(E2E_DIR)/node_modules/.installed
	@$(MAKE) --no-print-directory _apt PACKAGES="chromium fonts-wqy-zenhei" STRICT=1
	@command -v java >/dev/null || $(MAKE) --no-print-directory _apt PACKAGES="default-jre-headless" STRICT=1

$(BIN)/.installed-e2e: $(BIN)/.installed-dev pyproject.toml
	$(BIN)/pip install -q -e '.[dev,e2e]'
	touch $@

$(E2E_DIR)/node_modules/.installed: $(E2E_DIR)/package.json $(E2E_DIR)/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory _apt PACKAGES="npm" STRICT=1
	cd $(E2E_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

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

# Reliability checks (bench/load/): each writes its result into bench/RESULTS.md. They need PostgreSQL
# on 127.0.0.1:5432 (LOAD_POSTGRES=postgresql+psycopg://user@host:port to use another) and make their
# own databases (portal_load, portal_kill, portal_backup_*), dropping any old ones of those names.
LOAD_USERS ?= 200
LOAD_SECONDS ?= 600
KILL_USERS ?= 200
KILL_SECONDS ?= 150
KILL_AT ?= 60

.PHONY: load kill-test backup-check _postgres

load: system-deps-test translations $(BIN)/.installed-load _postgres
	$(BIN)/python bench/load/run_load.py --users $(LOAD_USERS) --seconds $(LOAD_SECONDS) --record

kill-test: system-deps-test translations $(BIN)/.installed-load _postgres
	$(BIN)/python bench/load/run_kill.py --users $(KILL_USERS) --seconds $(KILL_SECONDS) --kill-at $(KILL_AT) --record

backup-check: system-deps-test translations dev _postgres
	$(BIN)/python bench/load/backup_check.py --record

$(BIN)/.installed-load: $(BIN)/.installed-dev pyproject.toml
	$(BIN)/pip install -q -e '.[dev,load]'
	touch $@

_postgres:
	@pg_isready -h 127.0.0.1 -p 5432 -q || { \
	  if [ "$$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then \
	    pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
	    for _ in $$(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; \
	  fi; \
	  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }; }

# Benchmarks, about 8 minutes on 2 cores: the trainee pages under load beside a bare Flask endpoint
# (bench/web.py: wrk against gunicorn on PostgreSQL database portal_bench, which bench/dataset.py builds
# when missing or stale), certificate PDFs, and the coverage views on a tenth of the district (database
# bench_coverage_quick, dropped and rebuilt). Each writes or prints its figures for bench/RESULTS.md.
BENCH_DURATION ?= 10
BENCH_COVERAGE_URL := postgresql+psycopg://postgres@127.0.0.1:5432/bench_coverage_quick

.PHONY: bench lighthouse bench-tools

bench: system-deps-test translations dev bench-tools _postgres
	$(BIN)/python -m bench.web --duration $(BENCH_DURATION)
	$(BIN)/python bench/certificates.py --n 200
	@if [ -f bench/coverage/run.py ]; then set -e; \
	  dropdb -h 127.0.0.1 -U postgres --if-exists --force bench_coverage_quick; \
	  createdb -h 127.0.0.1 -U postgres bench_coverage_quick; \
	  $(BIN)/python -m bench.coverage.generate --scale 0.1 --database-url $(BENCH_COVERAGE_URL); \
	  $(BIN)/python -m bench.coverage.run --repeat 1 --database-url $(BENCH_COVERAGE_URL); fi

bench-tools:
	@command -v wrk >/dev/null || $(MAKE) --no-print-directory _apt PACKAGES="wrk" STRICT=1

# Lighthouse (mobile preset) on the demo served by gunicorn: home, lesson, quiz and certificate pages must
# score at least 95 in performance, accessibility and best practices (exits 1 otherwise).
lighthouse: system-deps-test translations dev bench/node_modules/.installed
	@$(MAKE) --no-print-directory _apt PACKAGES="chromium fonts-wqy-zenhei" STRICT=1
	CHROME_PATH=/usr/bin/chromium $(BIN)/python -m bench.web_lighthouse

bench/node_modules/.installed: bench/package.json bench/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory _apt PACKAGES="npm" STRICT=1
	cd bench && npm ci --ignore-scripts --no-audit --no-fund
	touch $@
