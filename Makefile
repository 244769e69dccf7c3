# Two commands for a fresh clone: `make demo` (set up, then the main job) and
# `make test` (set up, then the test suite). Both build the virtual env first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# torch first, pinned: the CPU wheel of 2.13.0 lies on this machine's disk, while an
# unpinned torch requirement would pull a multi-GB CUDA build. setup.cfg keeps a range
# that 2.13.0 satisfies, so the editable install below adds nothing to it.
TORCH_SPEC ?= torch==2.13.0

.PHONY: install postgres demo test benchmarks clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The PostgreSQL server that tests/test_postgres*.py start (a throwaway cluster in a temp dir,
# stopped afterwards): Debian's package, installed here when missing and when we may (root,
# apt-get). Elsewhere those tests are skipped, and pytest's summary says why.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing PostgreSQL (apt-get install postgresql) for tests/test_postgres*.py"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL's server is missing and cannot be installed here (needs root and apt-get): tests/test_postgres*.py will be skipped"; \
	fi

demo: install
	$(PY) -m gym_inventory.cli demo

test: install postgres
	$(PY) -m pytest -n 2 -q

benchmarks: install
	$(PY) -m benchmarks.throughput

clean:
	rm -rf $(VENV) build *.egg-info
