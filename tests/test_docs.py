"""The README's Python code blocks run as written, so the documentation never rots."""
from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def python_blocks(path: pathlib.Path):
    return BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("index, code", list(enumerate(python_blocks(ROOT / "README.md"))))
def test_readme_python_blocks_run(index, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"README.md[python block {index}]", "exec"), {"__name__": "__readme__"})


@pytest.mark.parametrize("name", ["regularizations.md", "architecture.md", "lead_times.md"])
def test_design_docs_python_blocks_run(name):
    for index, code in enumerate(python_blocks(ROOT / "docs" / name)):
        exec(compile(code, f"docs/{name}[python block {index}]", "exec"), {"__name__": "__docs__"})


@pytest.mark.parametrize("module_name", ["gym_inventory.envs.inventory_env", "gym_inventory.demand"])
def test_docstring_examples_run(module_name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module_name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
