# dta-kg: `make run` builds the graph and answers the example question; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint build clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/dta-kg build
	$(BIN)/dta-kg studies --component bond --instrument WAI-SR --format table
	$(BIN)/dta-kg check
	$(BIN)/dta-kg view -o build/views/graph.html
	$(BIN)/dta-kg map -o build/views/gap-map.html

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

build: $(STAMP)
	$(BIN)/dta-kg build

clean:
	rm -rf build .pytest_cache
