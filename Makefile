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

test: $(STAMP)
	$(PY) -m pytest -q

check: $(STAMP)
	$(VENV)/bin/ruff check relaydesk hubspot_sandbox tests bench
	$(VENV)/bin/mypy

eval: $(STAMP)
	$(PY) -m evals

bench: $(STAMP)
	$(PY) -m bench
