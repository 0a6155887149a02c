# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install bench crash clean js sandbox-js playground

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

# Microsoft 365 Agents Playground (a Teams emulator) for tests/playground, installed from the npm registry, never
# committed (Microsoft's pre-release licence for testing bots).
PLAYGROUND_STAMP := tests/playground/node_modules/.installed
$(PLAYGROUND_STAMP): tests/playground/package.json
	cd tests/playground && npm install --no-audit --no-fund --loglevel=error --no-package-lock
	touch $(PLAYGROUND_STAMP)
playground: $(PLAYGROUND_STAMP)

# The sandbox's card renderer (Microsoft's adaptivecards), served by the app itself so the page works offline.
SANDBOX_JS    := adapters/sandbox/static/vendor
SANDBOX_STAMP := $(SANDBOX_JS)/node_modules/.installed
$(SANDBOX_STAMP): $(SANDBOX_JS)/package.json
	cd $(SANDBOX_JS) && npm install --no-audit --no-fund --loglevel=error
	touch $(SANDBOX_STAMP)
sandbox-js: $(SANDBOX_STAMP)

# Without Slack or Teams settings this starts the sandbox (http://127.0.0.1:3978/) with three demo cases.
run: $(STAMP) sandbox-js
	$(VENV)/bin/rapidreview db upgrade
	$(VENV)/bin/rapidreview demo --if-sandbox
	$(VENV)/bin/rapidreview serve

test: $(STAMP) js sandbox-js playground
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m bench

# SIGKILL during a burst of /rapidreview commands on PostgreSQL, three times: prints acknowledged, committed,
# answered and lost (must be 0) per kill. Needs PostgreSQL on 127.0.0.1:5432; under a minute.
crash: $(STAMP)
	RAPIDREVIEW_REQUIRE_POSTGRES=1 $(PY) -m pytest -q -s -p no:cacheprovider \
		tests/adversarial/test_acknowledged_commands_survive_a_crash.py -k repeated_kills

clean:
	rm -rf $(VENV) .pytest_cache rapidreview.db rapidreview-sandbox.db
