# miam_qual — two commands do all the set-up:
#   make lab    opens JupyterLab on notebooks/ with the demo project (the server's root is the
#               repository, so the links to exports written in demo_projet/exports/ open)
#   make test   runs ruff, mypy and every test (notebooks included)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo_projet

.PHONY: lab test demo setup lint format bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 introuvable : installez-le (apt-get install python3.11 python3.11-venv) ou passez PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml tests/requirements-no-deps.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet --no-deps -r tests/requirements-no-deps.txt
	@touch $(STAMP)

setup: $(STAMP)

$(DEMO)/projet.yml: | $(STAMP)
	$(BIN)/miam-qual demo $(DEMO)

lab: $(STAMP) $(DEMO)/projet.yml
	MIAM_PROJET=$(CURDIR)/$(DEMO) $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

test: $(STAMP)
	$(BIN)/ruff check miam_qual tests benchmarks
	$(BIN)/ruff format --check miam_qual tests benchmarks
	$(BIN)/mypy miam_qual
	$(BIN)/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider -n auto --dist loadfile

demo: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/miam-qual demo $(DEMO)

lint: $(STAMP)
	$(BIN)/ruff check miam_qual tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format miam_qual tests benchmarks
	$(BIN)/ruff check --fix miam_qual tests benchmarks

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO) build *.egg-info .pytest_cache .ruff_cache tests/artifacts
