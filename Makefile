# Liaoning Green Technology Innovation Platform: `make run` serves it, `make test` tests it.
# Both install whatever is missing first and are quick when nothing changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := greentech/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install assets browser run test test-postgres lint bench clean messages fuzz-api bench-lists

install: $(STAMP) assets

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: $(VENDOR)/.copied

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/echarts $(VENDOR)/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here); CJK fonts for Chinese.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium and fonts-noto-cjk (Debian packages) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

run: install
	$(BIN)/greentech init
	$(BIN)/greentech serve --with-worker --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The same suite against PostgreSQL (the database named in GREENTECH_DATABASE_URL; pytest-django creates test_<name>).
test-postgres: install browser
	GREENTECH_DATABASE_URL=$${GREENTECH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/greentech} $(BIN)/pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check greentech

# The benchmarks behind the README's performance figures, one after another (each prints its table; the market
# run writes 100,000 offers into a scratch database: several minutes). `make bench BENCH=market` runs one.
BENCH ?= classify market match patents
bench: install
	@for name in $(BENCH); do echo "== greentech bench $$name"; $(BIN)/greentech bench $$name || exit 1; done

messages: install
	cd greentech && ../$(BIN)/greentech makemessages -l zh_Hans -l en --no-obsolete && ../$(BIN)/python -m greentech.core.compile_messages

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var

# Schemathesis against /api/schema/ on a scratch database (see README: API robustness).
fuzz-api: install
	scripts/fuzz-api.sh

bench-lists: install
	scripts/bench-lists.sh
