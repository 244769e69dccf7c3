"""The tutorial's Python blocks run, in order and in one namespace (they build on each other)."""
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
