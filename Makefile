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
E2E_PACKAGES := chromium fonts-wqy-zenhei

# Debian's versions are not pinnable, but checkable: `make versions` (also printed by `make run` and `make test`)
# reports every package a target here may install, and the client behind the postgresql-client package.
SYSTEM_PACKAGES := $(sort $(RUN_PACKAGES) $(TEST_PACKAGES) $(E2E_PACKAGES) default-jre-headless npm wrk) 'postgresql-client-[0-9]*'

.PHONY: run test test-setup e2e e2e-tools setup venv dev translations extract-messages db demo content clean \
	system-deps-run system-deps-test versions lock outdated check-installed api-fuzz

# QR codes, invitation links and e-mails point where the demo is served (unless PUBLIC_BASE_URL says otherwise).
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: system-deps-run setup db content demo
	@$(MAKE) --no-print-directory versions
	@echo "Serving the demo at $(PUBLIC_BASE_URL) (QR codes and invitation links point there)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: test-setup
	@$(MAKE) --no-print-directory versions
	$(BIN)/python -m pytest -q

# What `make test` installs before running.
test-setup: system-deps-test dev translations e2e-tools

# The venv holds exactly the locked versions, nothing more, nothing less (.ci/run, after test-setup; what
# `make load` added counts when it ran here).
check-installed: test-setup
	$(BIN)/python requirements/check_installed.py requirements/bootstrap.txt requirements/e2e.txt \
	  $(if $(wildcard $(BIN)/.installed-load),requirements/load.txt)

# The versions this checkout runs with, for bug reports: Python, SQLite, psycopg and libpq, the packages
# pyproject.toml names, the database server, the Debian packages.
versions: venv
	@$(BIN)/flask versions $(addprefix --debian ,$(SYSTEM_PACKAGES))

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
	@$(MAKE) --no-print-directory _apt PACKAGES="$(E2E_PACKAGES)" STRICT=1
	@command -v java >/dev/null || $(MAKE) --no-print-directory _apt PACKAGES="default-jre-headless" STRICT=1

$(BIN)/.installed-e2e: $(BIN)/.installed-dev requirements/e2e.txt
	$(call install_lock,requirements/e2e.txt)
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

# Python packages come from the lock files in requirements/ (written from pyproject.toml's ranges by
# `make lock`), each hash checked: a new machine gets the versions CI tested. The project itself is
# installed on top without its dependencies. A changed lock file reinstalls.
venv: $(BIN)/.installed

$(BIN)/.bootstrap: requirements/bootstrap.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements/bootstrap.txt
	touch $@

# $(1): the lock file. pip check fails when the lock lacks a dependency that pyproject.toml names.
define install_lock
	$(BIN)/pip install -q --require-hashes -r $(1)
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; echo "$(1) does not hold what pyproject.toml asks for: run make lock"; exit 1; }
endef

# (pip 26 shows setuptools' general warning about editable installs: it says nothing about this project.)
$(BIN)/.installed: $(BIN)/.bootstrap requirements/run.txt pyproject.toml
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install -q --no-deps --no-build-isolation -e .
	$(call install_lock,requirements/run.txt)
	touch $@

dev: $(BIN)/.installed-dev

$(BIN)/.installed-dev: $(BIN)/.installed requirements/dev.txt
	$(call install_lock,requirements/dev.txt)
	touch $@

# Rewrite the lock files from pyproject.toml with uv (pinned in requirements/lock-tool.txt), keeping every
# pin that may stay. UPGRADE=name[,name] moves those packages to their newest allowed release, UPGRADE=all
# every package. Then `make test` and commit pyproject.toml and requirements/ together.
LOCK_TOOL := $(VENV)/lock-tool
UPGRADE ?=

lock: $(LOCK_TOOL)/.installed
	$(BIN)/python requirements/lock.py --uv $(LOCK_TOOL)/bin/uv --upgrade "$(UPGRADE)"

# Newer releases of the locked packages: within pyproject.toml's ranges and beyond them.
outdated: $(LOCK_TOOL)/.installed
	@$(BIN)/python requirements/lock.py --uv $(LOCK_TOOL)/bin/uv --outdated

$(LOCK_TOOL)/.installed: $(BIN)/.bootstrap requirements/lock-tool.txt
	@rm -rf $(LOCK_TOOL)
	@$(BIN)/pip install -q --require-hashes --target $(LOCK_TOOL) -r requirements/lock-tool.txt || { \
	  echo "could not install the lock tool (requirements/lock-tool.txt): make lock needs PyPI (https://pypi.org/simple/)"; exit 1; }
	@touch $@

# Compiled only when the catalogue changed (CI's two passes share the checkout while they run).
MESSAGES := portal/translations/zh_Hans_CN/LC_MESSAGES/messages
translations: venv $(MESSAGES).mo

$(MESSAGES).mo: $(MESSAGES).po $(BIN)/.installed
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
# own databases (portal_load, portal_storm, portal_kill, portal_backup_*), dropping any old ones of those names.
LOAD_USERS ?= 200
LOAD_SECONDS ?= 600
LOAD_THINK ?= 3,8
LOAD_LOGIN_OVER ?= 60
KILL_USERS ?= 200
KILL_SECONDS ?= 150
KILL_AT ?= 60

.PHONY: load load-1000 load-storm kill-test backup-check _postgres

load: system-deps-test translations $(BIN)/.installed-load _postgres
	$(BIN)/python bench/load/run_load.py --users $(LOAD_USERS) --seconds $(LOAD_SECONDS) --think $(LOAD_THINK) \
	  --login-over $(LOAD_LOGIN_OVER) --record

# A training day: 1,000 trainees for 10 minutes, thinking 5 to 15 s, their logins spread over the first 5 minutes.
load-1000:
	@$(MAKE) --no-print-directory load LOAD_USERS=1000 LOAD_THINK=5,15 LOAD_LOGIN_OVER=300

# 300 logins in 60 s while 200 trainees study: their pages must keep a p95 under 500 ms (bench/load/run_storm.py).
load-storm: system-deps-test translations $(BIN)/.installed-load _postgres
	$(BIN)/python bench/load/run_storm.py --users 200 --logins 300 --storm-seconds 60 --record

kill-test: system-deps-test translations $(BIN)/.installed-load _postgres
	$(BIN)/python bench/load/run_kill.py --users $(KILL_USERS) --seconds $(KILL_SECONDS) --kill-at $(KILL_AT) --record

backup-check: system-deps-test translations dev _postgres
	$(BIN)/python bench/load/backup_check.py --record

$(BIN)/.installed-load: $(BIN)/.installed-dev requirements/load.txt
	$(call install_lock,requirements/load.txt)
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
	@$(MAKE) --no-print-directory _apt PACKAGES="$(E2E_PACKAGES)" STRICT=1
	CHROME_PATH=/usr/bin/chromium $(BIN)/python -m bench.web_lighthouse

bench/node_modules/.installed: bench/package.json bench/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory _apt PACKAGES="npm" STRICT=1
	cd bench && npm ci --ignore-scripts --no-audit --no-fund
	touch $@
