# 工会新闻问答 — two commands: `make run` (set up, build model + index, serve) and `make test` (set up, run all tests).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
INDEX_DIR ?= var/index
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup setup-dev model index browser serve bench eval lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, pinned: a CPU wheel is served locally; an unpinned torch would pull CUDA.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

model: setup
	$(BIN)/python -m rag -q model

index: model
	@if [ -f $(INDEX_DIR)/CURRENT ]; then echo "index present in $(INDEX_DIR)"; \
	else RAG_INDEX_DIR=$(INDEX_DIR) $(BIN)/python -m rag ingest seeds/; fi

serve:
	RAG_INDEX_DIR=$(INDEX_DIR) $(BIN)/uvicorn api.main:app --host $(HOST) --port $(PORT) --no-proxy-headers

run: index
	$(MAKE) --no-print-directory serve

# Debian's chromium for the widget's browser tests (playwright's own browser download does not work here).
browser:
	@(command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi wqy) || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

test: setup-dev model browser
	$(BIN)/python -m pytest

bench: setup-dev model
	$(BIN)/python -m rag.bench

eval: setup-dev model
	$(BIN)/python -m eval

lint: setup-dev
	$(BIN)/ruff check rag embeddings api eval tests

clean:
	rm -rf var .pytest_cache
