# The README's two commands are `make serve` and `make test`; the rest are their steps.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test build units diff note system-deps lint clean bench mutants

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

## make serve: create .venv, install, build and serve on http://127.0.0.1:8000 with live reload
## (--dirty: a save re-renders only the saved page, in about 1.5 s; other pages' navigation shows a changed title
## after a restart)
serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload --dirty

## make test: install what the tests need (Chromium, a Korean font) and run the whole suite
test: $(STAMP) system-deps
	@# The engine first, its progress on the terminal (inside a pytest worker it would be lost); a unit that fails
	@# here fails its own test below, named by page and line. Then the tests, one worker per core.
	$(BIN)/python -m kbtools.run || echo "make test: a unit failed; its test below names it"
	$(BIN)/python -m pytest -n auto --dist loadscope --no-loadscope-reorder

## make units: run every unit (code block, notebook, snippet module) the result store lacks (RUN_ARGS=--no-cache ...)
units: $(STAMP)
	$(BIN)/python -m kbtools.run $(RUN_ARGS)

## make diff: what the working tree changes on the rendered site against BASE (default: the merge base with main)
diff: $(STAMP)
	$(BIN)/python -m kbtools.sitediff $(if $(BASE),--base $(BASE))

## make build: the strict build into site/
build: $(STAMP)
	$(BIN)/mkdocs build --strict

## make note: a new dated note from the template (TITLE=, DATE=, TAGS=, SUMMARY= or asked for)
note: $(STAMP)
	$(BIN)/python -m kbtools.new_note $(if $(TITLE),--title "$(TITLE)") $(if $(DATE),--date "$(DATE)") \
		$(if $(TAGS),--tags "$(TAGS)") $(if $(SUMMARY),--summary "$(SUMMARY)")

## make bench: time builds, the engine, tests and edit-to-reload, weigh pages, run Lighthouse; write BENCHMARKS.md
## (SCALE=10: also a generated copy with ten times the pages)
bench: $(STAMP) system-deps
	$(BIN)/python scripts/bench.py $(if $(SCALE),--scale $(SCALE)) $(BENCH_ARGS)

## make mutants: mutation testing of snippets/rnn and snippets/transformer (mutmut, pinned in requirements-mutants.txt)
## against their unit tests; scores to BENCHMARKS.md, equivalent survivors in tests/mutants.md (~17 min, 2 cores)
mutants: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-mutants.txt
	$(BIN)/python -m pip check
	rm -rf mutants
	@# One thread per test process, a process per core; the log drops mutmut's spinner lines (braille, E2 A0 ..).
	set -o pipefail; start=$$(date +%s); \
	OMP_NUM_THREADS=1 $(BIN)/mutmut run $(MUTANTS_ARGS) | tr '\r' '\n' | { LC_ALL=C grep -av $$'^\xe2\xa0' || true; } \
		&& $(BIN)/mutmut results --all true > mutants/results.txt \
		&& $(BIN)/python scripts/mutants_report.py --seconds $$(( $$(date +%s) - start ))

system-deps:
	@bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check snippets tests kbtools
	$(BIN)/ruff format --check snippets tests kbtools

clean:
	rm -rf $(VENV) site .cache
