"""docs/tutorial.md and its jupytext-paired notebook docs/tutorial.ipynb: in sync, and the notebook runs top to
bottom in a Jupyter kernel (the play-it-yourself section with scripted orders); docs/agents.md's Python blocks run."""
from __future__ import annotations

import pathlib
import re
import sys

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
MARKDOWN = ROOT / "docs" / "tutorial.md"
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)

#: The student's orders in the play-it-yourself section: three weeks with backlog, three with lost sales.
SCRIPTED_ORDERS = [8, 5, 5, 6, 5, 4, 5, 5, 6, 5, 5, 4, 6, 5, 5, 5, 6, 4, 5, 5, 5] * 2

# ipykernel sets builtins.input to its kernel's raw_input before every cell: script that one.
TYPE_SCRIPTED_ORDERS = f"""
scripted_orders = iter({SCRIPTED_ORDERS!r})
prompts = []


def scripted_input(prompt=""):
    prompts.append(prompt)
    return str(next(scripted_orders))


get_ipython().kernel.raw_input = scripted_input
"""

CHECK_THE_RUN = """
assert next(scripted_orders, None) is None, "the play section asked for fewer orders than scripted"
assert len(prompts) == 42 and prompts[0].startswith("day 0: net inventory 15, in transit [0.0, 0.0]")
assert set(results) == {"none", "base"}
for costs in (backlog_costs, lost_costs):
    assert list(costs)[0] == "you" and all(cost > 0 for cost in costs.values())
import os
import sys
assert os.path.getsize("learning_curves.png") > 0
assert sys.prefix == SUITE_PREFIX, ("the notebook ran in another Python", sys.prefix)  # the suite's own environment
"""


def code_cells(notebook) -> list:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def test_notebook_and_markdown_are_in_sync():
    markdown = jupytext.read(MARKDOWN)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert [(cell.cell_type, cell.source) for cell in notebook.cells] == [
        (cell.cell_type, cell.source) for cell in markdown.cells
    ], "docs/tutorial.md and docs/tutorial.ipynb differ: run `jupytext --sync docs/tutorial.ipynb`"
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,md"
    # Every Python block of the page is a code cell, and only those.
    assert [source.strip() for source in code_cells(notebook)] == [
        block.strip() for block in BLOCK.findall(MARKDOWN.read_text(encoding="utf-8"))
    ]
    assert len(code_cells(notebook)) >= 9
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "stored without outputs"


def test_notebook_runs_top_to_bottom_with_scripted_orders(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells = [nbformat.v4.new_code_cell(TYPE_SCRIPTED_ORDERS)] + notebook.cells + [
        nbformat.v4.new_code_cell(CHECK_THE_RUN.replace("SUITE_PREFIX", repr(sys.prefix)))
    ]
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, if a cell fails
    play_cells = [cell for cell in notebook.cells if "compare_on_path(" in cell.source and "def " not in cell.source]
    assert len(play_cells) == 2
    for cell in play_cells:
        kinds = [output.get("output_type") for output in cell.outputs]
        assert any("image/png" in output.get("data", {}) for output in cell.outputs), kinds  # the frame was shown
        text = "".join(output.get("text", "") for output in cell.outputs if output.get("output_type") == "stream")
        assert "you " in text and "base stock S* = " in text and "trained (DS + Base)" in text


def test_agents_doc_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = BLOCK.findall((ROOT / "docs" / "agents.md").read_text(encoding="utf-8"))
    assert blocks
    for index, code in enumerate(blocks):
        exec(compile(code, f"docs/agents.md[python block {index}]", "exec"), {"__name__": "__agents_doc__"})
