# Two commands for a fresh machine (see README):
#   make run    set up .venv, run the default study, write results/default/report.html and
#               print where it is with the verdict on each claim
#   make test   set up .venv and Chromium (make browser), run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config/config.yaml
CORES ?= all

.PHONY: setup run report test test-fast lint format clean help bench bench-points browser

help:
	@echo "make run | make test | make test-fast | make lint | make format | make docs | make bench | make bench-points | make browser | make clean"

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
		{ $(BIN)/snakemake --cores 1 --configfile $(CONFIG) --report $$rep && \
		$(BIN)/python -m yrd.webfont $$rep; } || { echo "make report: the report of $$out could not be built (above)"; exit 1; }; \
	else echo "$$rep is up to date"; fi; \
	echo; $(BIN)/python -m yrd.status summary $$out

# Headless Chromium for the browser tests of the report (tests/helpers/browser.py): Debian's
# package chromium, installed with apt-get where it is missing and apt-get runs as root (or through
# sudo without a password); elsewhere it says why not and goes on (the browser tests then skip
# with that reason). YRD_CHROMIUM=/path/to/chromium uses another binary.
browser:
	@if [ -n "$$YRD_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "make browser: Chromium found ($${YRD_CHROMIUM:-$$(command -v chromium || command -v chromium-browser)})"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "make browser: Chromium is missing and there is no apt-get here; install Chromium yourself (or set YRD_CHROMIUM); the browser tests will skip"; \
	else \
		if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
		else echo "make browser: Chromium is missing and apt-get needs root (not root, no password-less sudo); the browser tests will skip"; exit 0; fi; \
		echo "make browser: installing Debian's chromium with apt-get"; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends chromium \
			|| echo "make browser: apt-get could not install chromium; the browser tests will skip"; \
	fi

# The whole suite: unit tests, Snakemake end to end on the tiny world, docs build, lint; on
# every core (pytest-xdist; tests/conftest.py keeps a module's tests, which share Snakemake runs,
# on one worker). `.venv/bin/python -m pytest -n0 ...` runs tests in this process instead.
XDIST := -n auto --dist loadgroup --no-loadscope-reorder

test: setup browser
	$(BIN)/python -m pytest $(XDIST)

# The edit-test loop: unit tests only, under a minute (no Snakemake end-to-end runs, marker
# `workflow`, nor the docs build and Splink fits, marker `slow`).
test-fast: setup
	$(BIN)/python -m pytest $(XDIST) -m "not workflow and not slow" -q

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

# ASIF-scale benchmark on the national synthetic world (all of China at the national survey's
# density; generates the world first if missing); prints per-rule time and memory.
bench: setup
	$(BIN)/python benchmarks/bench_workflow.py --configfile config/national.yaml

# Point K-densities of every year, 1,000 counterfactuals each, with their own time table:
# make bench-points (national world: about 50 minutes on 2 cores) or make bench-points POINTS_CONFIG=config/config.yaml
POINTS_CONFIG ?= config/national.yaml
bench-points: setup
	$(BIN)/python benchmarks/bench_workflow.py --configfile $(POINTS_CONFIG) --points-only

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
