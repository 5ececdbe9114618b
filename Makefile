# Two commands for a fresh machine (see README):
#   make run    set up .venv, run the default study, write results/default/report.html
#   make test   set up .venv, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config/config.yaml
CORES ?= all

.PHONY: setup run report test test-fast lint format clean help bench

help:
	@echo "make run | make test | make test-fast | make lint | make format | make docs | make bench | make clean"

# Re-install only when the pins change, so a second `make` is quick.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG)
	$(MAKE) --no-print-directory report CONFIG=$(CONFIG)

# Each study writes to results/<run.name>/ (python -m yrd.config results-dir prints it).
# The report is rebuilt only when a result of the study is newer than it; yrd.webfont then
# embeds the subset of the CJK font its Chinese needs (renders without system CJK fonts).
report: setup
	@out=$$($(BIN)/python -m yrd.config results-dir $(CONFIG)) && rep=$$out/report.html && \
	if [ ! -f $$rep ] || [ -n "$$(find $$out -newer $$rep -type f ! -path "$$rep" ! -path "$$out/logs/*" ! -path "$$out/benchmarks/*" -print -quit)" ]; then \
		$(BIN)/snakemake --cores 1 --configfile $(CONFIG) --report $$rep && \
		$(BIN)/python -m yrd.webfont $$rep; \
	else echo "$$rep is up to date"; fi; \
	echo "Report of this study: $$rep (checks of the run: $$out/status.csv)"

# The whole suite: unit tests, Snakemake end to end on the tiny world, docs build, lint.
test: setup
	$(BIN)/python -m pytest

# The edit-test loop: unit tests only, under a minute (no Snakemake end-to-end runs, marker
# `workflow`, nor the docs build and Splink fits, marker `slow`).
test-fast: setup
	$(BIN)/python -m pytest -m "not workflow and not slow" -q

lint: setup
	$(BIN)/snakemake --lint --configfile $(CONFIG)
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/snakefmt Snakefile workflow/rules
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf results .snakemake

# ASIF-scale benchmark (generates the world first if missing); prints per-rule time and memory.
bench: setup
	$(BIN)/python benchmarks/bench_workflow.py --configfile config/asif.yaml

# Documentation site (mkdocs, material theme, mkdocstrings) into site/; tests/test_docs.py runs the
# same strict build. docs-config regenerates docs/configuration.md from the config schema;
# docs-dag redraws the rule graph of docs/data_flow.md (needs Graphviz `dot`: apt-get install graphviz).
.PHONY: docs docs-config docs-dag
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-config: setup
	$(BIN)/python docs/gen_config_reference.py

docs-dag: setup
	@command -v dot >/dev/null || { echo "docs-dag needs Graphviz dot (apt-get install graphviz)"; exit 1; }
	$(BIN)/snakemake --rulegraph --forceall --configfile config/config.yaml > $(VENV)/rulegraph.dot
	dot -Tsvg $(VENV)/rulegraph.dot -o docs/img/rulegraph.svg
