# Otklik — the two commands a new user types: `make demo` and `make test`.
# Both build the virtual environment from the lock file first; nothing else is needed but Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_APPEALS ?= 3000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: test-browser venv demo test lint typecheck unit fuzz fuzz-api bench-commands bench-projections bench-sla bench-audit bench-ratings bench-imports bench-encryption eval-redaction bench-redaction-reactor lock clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

venv: $(VENV)/.installed

demo: venv
	$(BIN)/otklik demo-session --appeals $(DEMO_APPEALS) --host $(HOST) --port $(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

# The citizen's rating page in a real headless Chromium (issue 17): the Debian package (installed
# here when missing; needs root or sudo) driven by Playwright from the lock, never a downloaded
# browser. `make test` leaves it out (tests/browser is not among the default test paths).
CHROMIUM ?= /usr/bin/chromium
test-browser: venv
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }
	OTKLIK_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -p no:cacheprovider -m browser tests/browser

unit: venv
	$(BIN)/pytest tests/unit

# The input-domain property test at length (make test runs 150 examples).
fuzz: venv
	OTKLIK_PROPERTY_EXAMPLES=$${EXAMPLES:-3000} $(BIN)/pytest -p no:cacheprovider \
		tests/integration/test_input_domain_property.py --hypothesis-show-statistics

# The schema-driven fuzzing of every API operation at length (make test runs 5 examples per
# operation and kind); needs PostgreSQL as the tests do (DATABASE_URL, or an embedded one).
fuzz-api: venv
	OTKLIK_FUZZ_EXAMPLES=$${EXAMPLES:-100} $(BIN)/pytest -p no:cacheprovider tests/api/test_fuzz_api.py

# The commands' load generator is wrk (the Debian package, installed here when missing; needs
# root or sudo): a C program, so the load it makes costs the server's cores about 1 %.
bench-commands: venv
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.commands

# issue 18: commands/s and rebuild events/s with personal data in clear and sealed, in one run
bench-encryption: venv
	$(BIN)/python -m bench.encryption

bench-projections: venv
	$(BIN)/python -m bench.projections

bench-sla: venv
	$(BIN)/python -m bench.sla

bench-audit: venv
	$(BIN)/python -m bench.audit

bench-ratings: venv
	$(BIN)/python -m bench.ratings

bench-imports: venv
	$(BIN)/python -m bench.imports

# The masker's precision and recall on the Russian test set, and its time per text (issue 18).
eval-redaction: venv
	$(BIN)/python -m bench.redaction

# The redaction reactor's pace (texts copied per second: how far an import's copies lag).
bench-redaction-reactor: venv
	$(BIN)/python -m bench.redaction_reactor

# Re-pin the dependencies after changing pyproject.toml (needs network access to PyPI).
lock: venv
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .otklik .mypy_cache .pytest_cache .ruff_cache
