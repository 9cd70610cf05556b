# The two commands of the README: `make` (set-up plus the full default run) and `make test`.
# Nothing but Python 3.11 is needed: the environment is created in .venv from requirements.lock
# (and recreated in place whenever requirements.lock or pyproject.toml change).
#
#   make test-fast   the unit tests without the slow ones: the edit loop (under 30 s)
#   make lint        ruff, ruff format, snakefmt, snakemake --lint, notebooks without outputs
#   make lab         JupyterLab on notebooks/ with the .venv kernel registered
#   make slurm       the SLURM executor of profiles/slurm (requirements-slurm.lock) into .venv

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SLURM_STAMP := $(VENV)/.installed-slurm
CORES ?= all

KERNEL := $(VENV)/share/jupyter/kernels/python3/kernel.json
SNAKEFILES := Snakefile $(wildcard workflow/rules/*.smk)
NOTEBOOKS := $(wildcard notebooks/*.ipynb)
LAB_ARGS ?=

.PHONY: all run test test-fast lint lab slurm clean

all: run

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit -m "not slow" -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check $(SNAKEFILES)
	$(BIN)/snakemake --lint
	$(BIN)/python .ci/notebook_outputs.py $(NOTEBOOKS)

# The SLURM executor, only where SLURM is used: an installed executor plugin is imported at
# every Snakemake start (see requirements-slurm.lock). Its dependencies are in requirements.lock.
$(SLURM_STAMP): requirements-slurm.lock $(STAMP)
	$(BIN)/python -m pip install --quiet --require-virtualenv --no-deps -r requirements-slurm.lock
	touch $(SLURM_STAMP)

slurm: $(SLURM_STAMP)

# The notebooks' kernel (python3) registered inside .venv, so that JupyterLab, nbclient and
# VS Code all run them with the .venv Python and the teichaku installed there.
$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 \
		--display-name "Python 3 (teichaku .venv)"

lab: $(KERNEL)
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks

# The default synthetic run's outputs only: a real run's folders are never removed by make.
clean:
	rm -rf results/synthetic-2021 data/processed/synthetic-2021 data/raw/synthetic-2021 .snakemake/log
