# Two commands on a fresh machine with only Python 3.11+:
#   make demo   -> installs into .venv, then opens the app on demo data
#   make test   -> installs into .venv, then runs the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/feedback-tui demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py --rows 10000 --rows 100000 --rows 1000000

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/bench.py --rows 100000

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
