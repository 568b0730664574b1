# Everything a fresh clone needs: `make chat` to try the bot, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: chat test bot check eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

chat: $(STAMP)
	$(BIN)/expo-bot chat

bot: $(STAMP)
	$(BIN)/expo-bot telegram

check: $(STAMP)
	$(BIN)/expo-bot check

eval: $(STAMP)
	$(BIN)/expo-bot eval ../shared/eval/dev-questions.yaml

test: $(DEV_STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks
	$(BIN)/mypy
	$(BIN)/expo-bot check --strict
	$(BIN)/pytest

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_matcher.py
	$(BIN)/python benchmarks/bench_telegram.py
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_followup.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
