# The two commands: `make demo` and `make test`. Each creates .venv/ itself on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/var/dagster_home

.PHONY: setup demo test lint bench bench-reports ui clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/system_deps.sh
	bash scripts/system_deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

demo: setup
	mkdir -p "$(DAGSTER_HOME)"
	$(BIN)/competence demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	bash scripts/system_deps.sh postgres chromium  # the tests' real PostgreSQL and browser
	$(BIN)/pytest -n 2 --dist loadfile

bench: setup
	$(BIN)/python benchmarks/bench_ingest.py 100000 1000000
	# one process per size, so that each peak-memory figure is that size's own
	for n in 10000 100000 1000000; do $(BIN)/python benchmarks/bench_engine.py $$n || exit 1; done

# the report path: one site PDF at 20 / 200 / 2,000 people (medians) and the demo's 12 weeks
bench-reports: setup
	$(BIN)/python benchmarks/bench_reports.py

# `dg dev` (Dagster 1.13 marks `dagster dev` superseded by it); the instance gets the run limits
# of deploy/dagster.yaml (pipelines/local_instance.py)
ui: setup
	$(BIN)/python -m pipelines.local_instance "$(DAGSTER_HOME)"
	$(BIN)/dg dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf var .venv
