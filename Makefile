# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench screenshots clean messages-extract messages-update messages-compile

$(BIN)/chorus: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/chorus messages-compile

# The interface's catalogs (service/translations, docs/web.md "Interface languages"): extract
# the messages of service/**.py and templates/ (babel.cfg) into messages.pot, merge it into
# every <locale>/LC_MESSAGES/messages.po, compile each .po into the .mo the app reads (built,
# not committed). A new message is fuzzy or empty in every catalog until it is translated;
# tests/web/test_i18n.py fails until then.
TRANSLATIONS := service/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

messages-extract: $(BIN)/chorus
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k _plural:1,2 --add-comments=Translators: \
	    --project=Chorus --version=$$($(BIN)/python -c 'import service; print(service.__version__)') \
	    --copyright-holder='Chorus contributors' --sort-by-file \
	    --ignore-dirs='.* _* build instance tests bench docs' \
	    -o $(TRANSLATIONS)/messages.pot .

messages-update: $(BIN)/chorus
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete

messages-compile: $(CATALOGS:.po=.mo)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(BIN)/chorus
	$(BIN)/pybabel compile -l $* -i $< -o $@

# `make run` serves a scratch copy of source/ (instance/run/content, its own git repository,
# with its database and queue in instance/run/content/.chorus), so trying Chorus by hand never
# commits into this repository's po/. The worker runs beside the web server and stops with it.
RUN := $(CURDIR)/instance/run
RUN_ENV := CHORUS_CONTENT_DIR=$(RUN)/content

# The admin's password is generated once into instance/run/admin-password and printed.
run: install
	mkdir -p $(RUN)/content/source
	cp source/*.md $(RUN)/content/source/
	test -d $(RUN)/content/.git || git -C $(RUN)/content init -q
	test -s $(RUN)/admin-password || $(BIN)/python -c \
	    'import secrets; print(secrets.token_urlsafe(12))' > $(RUN)/admin-password
	$(RUN_ENV) $(BIN)/chorus init --admin admin --password-stdin < $(RUN)/admin-password
	@echo "Open http://$(HOST):$(PORT)/ and sign in as admin with password $$(cat $(RUN)/admin-password)"
	$(RUN_ENV) $(BIN)/chorus worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/chorus run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench

# axe-core for the browser tests' accessibility checks (tests/browser): the version pinned in
# tests/browser/package-lock.json, installed with `npm ci` into the git-ignored build/npm, so no
# test fetches anything at run time.
AXE := build/npm/node_modules/axe-core/axe.min.js

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	mkdir -p build/npm
	cp tests/browser/package.json tests/browser/package-lock.json build/npm/
	npm ci --prefix build/npm --no-audit --no-fund --loglevel=error
	touch $@

# Two processes (pytest-xdist): CI machines have two cores. The browser tests (tests/browser)
# run here too, in Debian's /usr/bin/chromium (.ci/run installs it).
test: install lint $(AXE)
	$(BIN)/python -m pytest -n 2

bench: install
	$(BIN)/python bench/update_bench.py
	$(BIN)/python bench/coverage_bench.py
	$(BIN)/python bench/memory_bench.py

# PNGs of the main pages in docs/screenshots/, from a scratch copy of source/ (never po/).
screenshots: install
	$(BIN)/python docs/screenshots/take.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
	rm -f $(CATALOGS:.po=.mo)
