VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check bench install migrate eval

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

test: $(STAMP) $(AXE)
	$(PY) -m pytest -q -n 2 --durations=30

check: $(STAMP)
	$(VENV)/bin/ruff check relaydesk hubspot_sandbox tests bench
	$(VENV)/bin/mypy

eval: $(STAMP)
	$(PY) -m evals

bench: $(STAMP)
	$(PY) -m bench
