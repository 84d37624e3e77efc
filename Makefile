# Two entry points: `make demo` (serve the web chat) and `make test` (install what is missing, run
# every test). Both skip work that is already done: virtualenvs are keyed by their requirement
# files, the NLU model by a hash of its training data, and the index by content hashes.

PYTHON ?= python3
VENV := .venv
RASA_VENV := .venv-rasa
BOT := $(VENV)/bin/python -m bot
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-postgres postgres browser venv rasa-venv nlu-model nlu-eval index bench eval clean

venv: $(VENV)/.installed
rasa-venv: $(RASA_VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 needed"' \
		|| { echo "Set PYTHON to a Python >= 3.11 interpreter."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev,local-models]"
	touch $@

$(RASA_VENV)/.installed: rasa_project/requirements.txt
	@rasa_python=$$(scripts/find-rasa-python) || exit 1; \
		echo "Rasa virtualenv on $$rasa_python"; \
		$$rasa_python -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --upgrade "pip<24.1"
	$(RASA_VENV)/bin/pip install --quiet -r rasa_project/requirements.txt
	touch $@

nlu-model: $(VENV)/.installed $(RASA_VENV)/.installed
	$(BOT) train-nlu

index: $(VENV)/.installed
	$(BOT) index

demo: nlu-model index
	@PUBLIC_URL=$${PUBLIC_URL:-http://$(HOST):$(PORT)} $(BOT) users demo-admin
	@echo "Web chat: http://$(HOST):$(PORT)/   (Ctrl-C to stop)"
	$(BOT) serve --host $(HOST) --port $(PORT)

# Headless browser for the console tests: Debian's chromium (Playwright cannot download one here).
browser:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get install -y -qq chromium >/dev/null \
			|| { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium >/dev/null; }; }

test: nlu-model index browser postgres
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/python -m pytest

# PostgreSQL for the second pass: Debian's server binaries (the tests start a throwaway server).
postgres:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
		echo "Installing Debian's postgresql for the PostgreSQL pass"; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get install -y -qq postgresql >/dev/null \
			|| { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq postgresql >/dev/null; }; }

# The tests that store anything, again on a throwaway PostgreSQL server (TEST_DATABASE_URL);
# the others (parsing, retrieval, NLU, safety patterns, the browser) do not depend on storage.
STORAGE_TESTS := tests/test_delivery_store.py tests/test_turn_transaction.py \
	tests/test_pipeline.py tests/test_transcripts.py tests/test_operations.py \
	tests/test_platform_delivery.py tests/test_telegram.py tests/test_zalo.py tests/test_faults.py \
	tests/test_web.py tests/test_demo_admin.py tests/test_console.py \
	tests/test_console_security.py tests/test_console_reports.py
test-postgres: nlu-model index postgres
	$(VENV)/bin/python -m tests.postgres $(VENV)/bin/python -m pytest $(STORAGE_TESTS)

eval: index
	$(BOT) eval

# 5-fold cross-validation of the NLU intents (several minutes); report in var/nlu-report/.
nlu-eval: $(VENV)/.installed $(RASA_VENV)/.installed
	$(VENV)/bin/python -m bench.nlu_cv

bench: nlu-model postgres
	$(VENV)/bin/python -m bench.retrieval
	$(VENV)/bin/python -m bench.answers
	$(VENV)/bin/python -m bench.turns
	$(VENV)/bin/python -m bench.delivery
	$(VENV)/bin/python -m bench.chaos
	$(VENV)/bin/python -m bench.publishing
	$(VENV)/bin/python -m bench.load
	$(VENV)/bin/python -m bench.load --workers 2 --postgres --out var/bench/load-postgres.json
	$(VENV)/bin/python -m bench.faults

clean:
	rm -rf var rasa_project/models
