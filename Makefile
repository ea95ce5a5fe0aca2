# The two commands of the README: `make demo` and `make test`. Both bootstrap .venv
# from nothing but Python 3.11+ and make; each re-installs when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck pytest docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make demo` installs the package alone: the demo needs no development tool.
$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/orderkit demo

# Everything CI checks: tests (with docstring and docs/ doctests), types, lint, layers, docs.
test: pytest typecheck lint docs

pytest: $(STAMP_DEV)
	$(BIN)/python -m pytest -q

typecheck: $(STAMP_DEV)
	$(BIN)/python -m mypy
	$(BIN)/python -m mypy $(wildcard tests/service/*.py)
	$(BIN)/python -m mypy $(wildcard tests/postgres/*.py)

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

docs: $(STAMP_DEV)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

$(VENV)/.installed-bench: pyproject.toml $(STAMP_DEV)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .ruff_cache .hypothesis
