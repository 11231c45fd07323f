# committee-papers: every target installs what it needs first (via `setup`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared
DEMO_DATA ?= build/demo
EVAL_OUT := build/eval

.PHONY: setup demo test eval bench bench-scale bench-national lint clean

setup: $(STAMP)

# Re-installs only when pyproject.toml changes; a plain re-run is a no-op.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The bundled snapshot keeps a few real-world faults (a 500, a broken PDF): the update reports them
# and exits 0; a council failing entirely would make it exit 1, which the demo shows and goes on
# from. Only a worse exit (usage error, lock) stops it.
demo: setup
	@echo "== papers update --snapshot: crawl the offline snapshot, extract, store, index"
	@$(BIN)/papers --data-dir $(DEMO_DATA) update --snapshot; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@echo; echo "== papers search 'route:framework after:2019-01-01 fostering'"
	@$(BIN)/papers --data-dir $(DEMO_DATA) search 'route:framework after:2019-01-01 fostering'
	@echo; echo "== papers councils --platform cmis: CMIS councils crawled from the snapshot"
	@$(BIN)/papers --data-dir $(DEMO_DATA) councils --platform cmis | grep -v ' never ' || true
	@echo; echo "== papers contracts --group-by council"
	@$(BIN)/papers --data-dir $(DEMO_DATA) contracts --group-by council
	@echo; echo "Data in $(DEMO_DATA); browse it with: $(BIN)/papers --data-dir $(DEMO_DATA) serve"

test: setup
	$(BIN)/python -m pytest -q

eval: setup
	@mkdir -p $(EVAL_OUT)
	@for set in seeds dev; do \
	  echo "== extraction on $(SHARED)/corpora/$$set"; \
	  $(BIN)/papers -q extract $(SHARED)/corpora/$$set -o $(EVAL_OUT)/$$set.jsonl || exit 1; \
	  $(BIN)/python $(SHARED)/tools/score_extraction.py $(SHARED)/corpora/$$set $(EVAL_OUT)/$$set.jsonl || exit 1; \
	done
	@echo "== generalisation: dev by document group (d: original, a: unseen councils), new councils, per-council mean"
	@$(BIN)/python -m extract.evaluate $(SHARED)/corpora/dev $(EVAL_OUT)/dev.jsonl

bench: setup
	$(BIN)/python -m tests.benchmarks

# The pipeline at growing sizes, then the national crawl simulation (tens of minutes; not in `test`).
# SIZES=10000,100000 runs chosen sizes only; figures also go to build/bench-scale.json.
SIZES ?= 10000,100000,1000000
bench-scale: setup
	$(BIN)/python -m tests.benchmarks.scale --sizes $(SIZES)
	$(MAKE) bench-national

# A local server stands in for every registry council, one loopback host each (see national_sim.py).
bench-national: setup
	$(BIN)/python -m tests.benchmarks.national_sim $(NATIONAL_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf build $(VENV) .pytest_cache
