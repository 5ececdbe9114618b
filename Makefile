# Two commands for a fresh machine (see README):
#   make run    set up .venv, run the default study, write results/report.html
#   make test   set up .venv, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config/config.yaml
CORES ?= all

.PHONY: setup run report test lint format clean help bench

help:
	@echo "make run | make test | make lint | make format | make clean"

# Re-install only when the pins change, so a second `make` is quick.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG)
	$(MAKE) --no-print-directory report CONFIG=$(CONFIG)

# The report is rebuilt only when a result is newer than it.
report: setup
	@if [ ! -f results/report.html ] || [ -n "$$(find results -newer results/report.html -type f ! -path 'results/report.html' ! -path 'results/logs/*' ! -path 'results/benchmarks/*' -print -quit)" ]; then \
		$(BIN)/snakemake --cores 1 --configfile $(CONFIG) --report results/report.html; \
	else echo "results/report.html is up to date"; fi

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/snakemake --lint --configfile $(CONFIG)
	$(BIN)/snakefmt --check Snakefile workflow/rules

format: setup
	$(BIN)/snakefmt Snakefile workflow/rules

clean:
	rm -rf results .snakemake

# ASIF-scale benchmark (generates the world first if missing); prints per-rule time and memory.
bench: setup
	$(BIN)/python benchmarks/bench_workflow.py --configfile config/asif.yaml
