# dta-kg: `make run` builds the graph and answers the example question; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck generate build clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/dta-kg build
	$(BIN)/dta-kg studies --component bond --instrument WAI-SR --format table
	$(BIN)/dta-kg check
	mkdir -p build/views
	$(BIN)/dta-kg view -o build/views/graph.html
	$(BIN)/dta-kg map -o build/views/gap-map.html

# the tests run on every core (pytest-xdist, a module's tests on one worker; `make test
# TEST_JOBS=0` runs them in one process); the 10 slowest are listed at the end
TEST_JOBS ?= auto
test: $(STAMP)
	$(BIN)/ruff check .
	$(MAKE) typecheck
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadscope --no-loadscope-reorder --durations=10

lint: $(STAMP)
	$(BIN)/ruff check .

# mypy cannot follow setuptools' package-dir mapping (dta_kg = kg, dta_kg.loaders = loaders, ...),
# so it reads a tree of links laid out as the installed package
TYPECHECK := build/typecheck
typecheck: $(STAMP)
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/dta_kg
	for f in kg/*; do ln -s "$(CURDIR)/$$f" $(TYPECHECK)/dta_kg/; done
	for d in loaders queries ontology records; do ln -s "$(CURDIR)/$$d" $(TYPECHECK)/dta_kg/$$d; done
	MYPYPATH=$(TYPECHECK) $(BIN)/mypy --cache-dir $(TYPECHECK)/.cache -p dta_kg

# every file derived from the record schema (kg/core/model.py), the registry
# (kg/core/registry.py), the ontology and the records: the SHACL shapes, the JSON-LD context, OWL
# RL's answer on the ontology and the generated sections of README.md and docs/property-graph.md
# (kg/views/generated.py); never edit them by hand
generate: $(STAMP)
	$(BIN)/python -m dta_kg.views.generated

build: $(STAMP)
	$(BIN)/dta-kg build

clean:
	rm -rf build .setuptools-build .pytest_cache
