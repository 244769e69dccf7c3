# Two commands for a fresh clone: `make demo` (set up, then the main job) and
# `make test` (set up, then the test suite). Both build the virtual env first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# torch first, pinned: the CPU wheel of 2.13.0 lies on this machine's disk, while an
# unpinned torch requirement would pull a multi-GB CUDA build. setup.cfg keeps a range
# that 2.13.0 satisfies, so the editable install below adds nothing to it.
TORCH_SPEC ?= torch==2.13.0

.PHONY: install demo test benchmarks clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) -m gym_inventory.cli demo

test: install
	$(PY) -m pytest -n 2 -q

benchmarks: install
	$(PY) -m benchmarks.throughput

clean:
	rm -rf $(VENV) build *.egg-info
