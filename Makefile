# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench clean

$(BIN)/chorus: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/chorus

# `make run` serves a scratch copy of source/ (instance/run/content, its own git repository,
# with its database and queue in instance/run/content/.chorus), so trying Chorus by hand never
# commits into this repository's po/. The worker runs beside the web server and stops with it.
RUN := $(CURDIR)/instance/run
RUN_ENV := CHORUS_CONTENT_DIR=$(RUN)/content

run: install
	mkdir -p $(RUN)/content/source
	cp source/*.md $(RUN)/content/source/
	test -d $(RUN)/content/.git || git -C $(RUN)/content init -q
	$(RUN_ENV) $(BIN)/chorus init
	$(RUN_ENV) $(BIN)/chorus worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/chorus run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench

# Two processes (pytest-xdist): CI machines have two cores.
test: install lint
	$(BIN)/python -m pytest -n 2

bench: install
	$(BIN)/python bench/update_bench.py
	$(BIN)/python bench/coverage_bench.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
