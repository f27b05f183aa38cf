# Everything a fresh machine needs is installed by these targets (a .venv in the repo).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo
OUT    := outputs
YEAR   ?= 2019
JOBS   ?=
# The notebooks' kernel: this project's .venv, registered in it under the project's name
KERNEL      := rsdlib
KERNEL_NAME := Python (rsdlib)

.PHONY: install lock lock-upgrade report test test-fast lint lab demo clean bench bench-rsd

# Installs come from the lock file uv.lock (every package, version and hash), by uv, which is
# itself installed from requirements-uv.txt (version and hashes) into a small venv of its own.
UV := .uv/bin/uv
# the Python of $(PYTHON), never a downloaded one
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

$(UV): requirements-uv.txt
	$(PYTHON) -m venv .uv
	.uv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements-uv.txt
	touch $(UV)

# --locked: refused when pyproject.toml changed and uv.lock was not updated (make lock);
# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set, no process could cache its .pyc
# and every kernel would compile pandas and matplotlib from source again
$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --compile-bytecode --extra dev --python $(PYTHON) --quiet
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL_NAME)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

# After a change of the dependencies in pyproject.toml: the lock again, keeping every other
# package at its locked release; commit pyproject.toml and uv.lock together.
lock: $(UV)
	$(UV) lock --python $(PYTHON)

# Every package to its newest release within pyproject.toml's ranges (then make test).
lock-upgrade: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)

$(DEMO)/klanten.csv: $(STAMP) rsdlib/demo.py
	$(BIN)/rsd demo-data $(DEMO)

demo: $(DEMO)/klanten.csv

report: demo
	$(BIN)/rsd report --export $(DEMO) --year $(YEAR) --scope all --out $(OUT) $(if $(JOBS),--jobs $(JOBS))

# the suite in parallel: xdist workers, tests sharing a module's batch on one worker;
# `make test-fast` leaves out the tests marked slow (batch, kernels, generator)
PYTEST := $(BIN)/python -m pytest -n $(or $(TEST_JOBS),auto) --dist loadgroup

# mypy (~8 s on one core without its cache, as on a fresh clone) and the notebooks check
# run beside the tests instead of before them; their output follows the tests', and either
# failing fails the target.
test: $(STAMP)
	$(BIN)/ruff check rsdlib tests scripts
	@out=$$(mktemp -d); \
	$(BIN)/mypy > $$out/mypy 2>&1 & m=$$!; \
	$(BIN)/python scripts/make_notebooks.py --check > $$out/notebooks 2>&1 & n=$$!; \
	trap 'kill $$m $$n 2>/dev/null; rm -rf $$out; exit 130' INT TERM; \
	$(PYTEST); t=$$?; \
	wait $$m; mc=$$?; wait $$n; nc=$$?; \
	echo "mypy:"; cat $$out/mypy; echo "notebooks:"; cat $$out/notebooks; rm -rf $$out; \
	[ $$t -eq 0 ] && [ $$mc -eq 0 ] && [ $$nc -eq 0 ]

test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check rsdlib tests scripts

# JupyterLab on the notebooks with the project's kernel; as root (a container) it needs
# --allow-root, which a normal user does not get.
lab: demo
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL_NAME)" >/dev/null
	$(BIN)/jupyter lab notebooks/ --MappingKernelManager.default_kernel_name=$(KERNEL) \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(if $(JOBS),--jobs $(JOBS))

# only floor(4) against the RSD batch with and without PDF (a few minutes, not twenty)
bench-rsd: $(STAMP)
	$(BIN)/python scripts/bench.py --alleen-rsd $(if $(JOBS),--jobs $(JOBS))

clean:
	rm -rf $(OUT) data/demo .pytest_cache
