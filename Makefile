# The two commands a newcomer needs: `make up` and `make test`. Both (re)create .venv and
# install the project when it is missing or pyproject.toml has changed.
# The first interpreter that actually runs and is 3.11+ (pyenv shims exist for absent versions).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install up test lint unit clean bench drill chromium postgresql

$(INSTALLED): pyproject.toml
	@test -n "$(PYTHON)" || { echo "onceonly needs Python 3.11 or newer on PATH"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	@touch $@

install: $(INSTALLED)

up: $(INSTALLED)
	$(BIN)/onceonly up

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# One test process more than the cores: the real-stack tests spend much of their time waiting
# on their own servers, so a third process keeps two cores busy.
test: lint chromium postgresql
	$(BIN)/pytest -n $$(( $$(nproc) + 1 )) --durations=25

# The browser tests (tests/browser) drive the system Chromium: installed here when the machine
# allows it (root with apt-get); otherwise those tests are skipped with the reason.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		{ apt-get install -y -qq chromium >/dev/null 2>&1 || \
		  { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; } || \
		echo "chromium could not be installed: the browser tests will be skipped"; \
	else echo "no chromium (installing it needs root and apt-get): the browser tests will be skipped"; fi

# The store's PostgreSQL tests and the cluster test (tests/cluster) start throw-away clusters of
# Debian's server (tests/postgres.py): installed here when the machine allows it (root with
# apt-get); otherwise those tests are skipped with the reason.
postgresql:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		{ apt-get install -y -qq postgresql >/dev/null 2>&1 || \
		  { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq postgresql >/dev/null 2>&1; }; } || \
		echo "postgresql could not be installed: the PostgreSQL tests will be skipped"; \
	else echo "no PostgreSQL server (installing it needs root and apt-get): the PostgreSQL tests will be skipped"; fi

# Not part of `make test`: each takes minutes on a stack of its own (see README, Benchmarks).
# BENCH_ARGS / DRILL_ARGS pass sizes through, e.g. make bench BENCH_ARGS="--events 200".
bench: $(INSTALLED)
	$(BIN)/python -m bench bench $(BENCH_ARGS)

drill: $(INSTALLED)
	$(BIN)/python -m bench drill $(DRILL_ARGS)

clean:
	rm -rf $(VENV) .onceonly .pytest_cache .mypy_cache .ruff_cache
