# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install bench clean js

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the project definition changes.
$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# JavaScript used only by tests (Microsoft's adaptivecards validator), installed from the npm registry.
ifneq ($(wildcard tests/js/package.json),)
JS_STAMP := tests/js/node_modules/.installed
$(JS_STAMP): tests/js/package.json
	cd tests/js && npm install --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)
js: $(JS_STAMP)
else
js:
endif

run: $(STAMP)
	$(VENV)/bin/rapidreview db upgrade
	$(VENV)/bin/rapidreview serve

test: $(STAMP) js
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache rapidreview.db
