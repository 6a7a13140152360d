# advocacy-eval: every target sets up (or refreshes) the local virtual environment
# from the project's own files first. Override the interpreter with PYTHON=python3.12.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/sample
OUT ?= reports
LANG_REPORT ?= en

.PHONY: setup report test test-full lab notebooks sample benchmark clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) ## create or refresh .venv

report: setup ## run the wave reports on the sample data into reports/
	$(BIN)/advocacy-eval report $(DATA) --all-waves --out $(OUT) --lang $(LANG_REPORT)

test: setup ## all tests, notebooks included (nbval)
	$(BIN)/python -m pytest

test-full: setup ## all tests plus the long simulations
	$(BIN)/python -m pytest -m "slow or not slow"

lab: setup ## JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

notebooks: setup ## re-execute the committed notebooks so stored outputs match the code
	$(BIN)/advocacy-eval refresh-notebooks

sample: setup ## regenerate data/sample from its seed
	$(BIN)/advocacy-eval sample --out data/sample

clean:
	rm -rf $(VENV) reports/*.html reports/*.ipynb reports/_failed
