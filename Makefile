VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check bench install migrate eval widget

$(STAMP): pyproject.toml
	test -d $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/relaydesk migrate
	$(VENV)/bin/relaydesk demo

migrate: $(STAMP)
	$(VENV)/bin/relaydesk migrate

# axe-core, which the widget's accessibility test injects (from npm's registry). Without npm the
# test is skipped on a developer's machine and fails under CI=true.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	-command -v npm >/dev/null && cd tests/browser && npm ci --no-audit --no-fund \
		&& touch node_modules/axe-core/axe.min.js

# esbuild, which builds the widget's modules (relaydesk/web/widget_src) into the committed
# relaydesk/web/static/widget.js; tests/test_widget_bundle.py checks that file is current.
ESBUILD := node_modules/esbuild/package.json
$(ESBUILD): package.json package-lock.json
	-command -v npm >/dev/null && npm ci --no-audit --no-fund && touch $(ESBUILD)

widget: $(ESBUILD)
	node relaydesk/web/widget_src/build.mjs

test: $(STAMP) $(AXE) $(ESBUILD)
	$(PY) -m pytest -q --durations=30

check: $(STAMP)
	$(VENV)/bin/ruff check relaydesk hubspot_sandbox tests bench
	$(VENV)/bin/mypy

eval: $(STAMP)
	$(PY) -m evals

bench: $(STAMP)
	$(PY) -m bench
