# The two commands of the README: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit setup system-deps clean bench bench-runtime bench-scaleout

setup: $(STAMP)

# Reinstall when the dependency list changes; idempotent otherwise.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	for k in color layout text; do $(BIN)/python -m designlens.extract.$${k}_kernels || exit 1; done  # compile the numba kernels into their caches
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

demo: $(STAMP)
	$(BIN)/designlens extract examples/screens -o out/

lint: $(STAMP)
	$(BIN)/ruff check src tests bench eval
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: $(STAMP) system-deps lint unit

# Color benches against peers (not package dependencies). Pylette goes in --no-deps so the
# GUI opencv-python never lands beside opencv-python-headless (both install `cv2`).
bench: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[bench]'
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps 'pylette>=6,<7'
	@if $(BIN)/python -m pip show opencv-python >/dev/null 2>&1; then \
	  echo "opencv-python is installed beside opencv-python-headless: uninstall it" >&2; exit 1; fi
	$(BIN)/python bench/color_accuracy.py
	$(BIN)/python bench/color.py

# Runtime figures: throughput on 1 and 2 workers, protocol overhead, cache speed-up, peak RSS.
bench-runtime: $(STAMP)
	$(BIN)/python bench/runtime.py

# Scale-out figures (docs/SCALING.md): local vs Ray vs 2 queue workers; needs PostgreSQL and Redis.
bench-scaleout: $(STAMP)
	$(BIN)/python bench/scaleout.py

clean:
	rm -rf $(VENV) out build *.egg-info
