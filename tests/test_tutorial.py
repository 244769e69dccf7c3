"""The Python blocks of docs/tutorial.md (in order, one namespace: they build on each other) and docs/agents.md run."""
from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def test_tutorial_runs_top_to_bottom(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = BLOCK.findall((ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    namespace = {"__name__": "__tutorial__"}
    for index, code in enumerate(blocks):
        exec(compile(code, f"docs/tutorial.md[python block {index}]", "exec"), namespace)
    assert (tmp_path / "learning_curves.png").stat().st_size > 0
    assert set(namespace["results"]) == {"none", "base"}


def test_agents_doc_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = BLOCK.findall((ROOT / "docs" / "agents.md").read_text(encoding="utf-8"))
    assert blocks
    for index, code in enumerate(blocks):
        exec(compile(code, f"docs/agents.md[python block {index}]", "exec"), {"__name__": "__agents_doc__"})
