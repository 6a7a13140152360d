# advocacy-eval: every target sets up (or refreshes) the local virtual environment
# from the project's own files first. Override the interpreter with PYTHON=python3.12.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/sample
OUT ?= reports
LANG_REPORT ?= en

.PHONY: setup browser report report-pdf lint test test-quick install-check lab notebooks sample benchmark clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) ## create or refresh .venv

browser: ## Debian's Chromium for PDF export and the real-browser test (no browser download)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	    else echo "Chromium is missing: install it (Debian: sudo apt-get install chromium)"; fi; }

report: setup ## wave reports on the sample data: reports/en/<wave>.html and reports/fr/<wave>.html
	$(BIN)/advocacy-eval report $(DATA) --all-waves --out $(OUT)/en --lang en
	$(BIN)/advocacy-eval report $(DATA) --all-waves --out $(OUT)/fr --lang fr

report-pdf: setup browser ## the same, each report also printed to PDF
	$(BIN)/advocacy-eval report $(DATA) --all-waves --out $(OUT)/en --lang en --pdf
	$(BIN)/advocacy-eval report $(DATA) --all-waves --out $(OUT)/fr --lang fr --pdf

lint: setup ## ruff (format and lint rules) on src, tests, benchmarks; mypy on the package
	$(BIN)/ruff format --check src tests benchmarks conftest.py
	$(BIN)/ruff check src tests benchmarks conftest.py
	$(BIN)/mypy

# pytest-xdist: one worker per core; --dist loadfile keeps the tests of one file (and the cells of
# one notebook, in order) in one worker. --durations lists the slowest tests; the run's summary
# lists the coverages the simulations measured.
PYTEST_PARALLEL := -n auto --dist loadfile

test: setup browser lint install-check ## lint, mypy, then every test: unit, doctests, nbval, real browser, slow simulations; install check
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) --durations=25

test-quick: setup ## the tests without the slow simulations (-m "not slow"); no lint, no install check
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow"

install-check: setup ## build the wheel, install it in a fresh venv outside the clone, write the sample's reports there
	$(BIN)/python tests/install_check.py

lab: setup ## JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

notebooks: setup ## re-execute the committed notebooks so stored outputs match the code
	$(BIN)/advocacy-eval refresh-notebooks

sample: setup ## regenerate data/sample from its seed (24 months ending 2025-12: bit-for-bit the committed files)
	$(BIN)/advocacy-eval sample --out data/sample --end 2025-12

benchmark: setup ## scale benchmarks (see benchmarks/README.md)
	$(BIN)/python benchmarks/all_waves.py
	$(BIN)/python benchmarks/onboarding_scale.py

clean:
	rm -rf $(VENV) reports/en reports/fr reports/_failed reports/browser-test
