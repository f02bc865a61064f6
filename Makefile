# Two entry points; both create .venv (if missing) and install everything first.
#   make demo   - the main job: an offline end-to-end demo on embedded defaults
#   make test   - the whole test suite (what CI runs)
PY := .venv/bin/python
export PYTHONUNBUFFERED := 1
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: env demo test test-fast bench
env:
	bash tools/setup_env.sh

demo: env
	$(PY) tools/demo.py

test: env
	bash tools/setup_browser.sh
	$(PY) -m pytest -ra tests

test-fast: env
	$(PY) -m pytest -ra -m "not slow" tests

bench: env
	$(PY) tools/analysis/benchmark_backbone.py
