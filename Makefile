# Everything a fresh machine needs is installed by these targets (a .venv in the repo).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo
OUT    := outputs
YEAR   ?= 2019
JOBS   ?=

.PHONY: install report test test-fast lint lab demo clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(DEMO)/klanten.csv: $(STAMP) rsdlib/demo.py
	$(BIN)/rsd demo-data $(DEMO)

demo: $(DEMO)/klanten.csv

report: demo
	$(BIN)/rsd report --export $(DEMO) --year $(YEAR) --scope all --out $(OUT) $(if $(JOBS),--jobs $(JOBS))

# the suite in parallel: xdist workers, tests sharing a module's batch on one worker;
# `make test-fast` leaves out the tests marked slow (batch, kernels, generator)
PYTEST := $(BIN)/python -m pytest -n $(or $(TEST_JOBS),auto) --dist loadgroup

test: $(STAMP)
	$(BIN)/ruff check rsdlib tests scripts
	$(PYTEST)

test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check rsdlib tests scripts

lab: demo
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(if $(JOBS),--jobs $(JOBS))

clean:
	rm -rf $(OUT) data/demo .pytest_cache
