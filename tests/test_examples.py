"""Each script of examples/ runs top to bottom with a tiny budget (GYM_INVENTORY_TINY=1), as a user would run it."""
from __future__ import annotations

import pathlib
import runpy
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("script, expected", [
    ("ppo_both.py", ["ppo+both", "PPO + Both - base stock"]),
    ("ddpg_base_vs_none.py", ["ddpg+none", "ddpg+base", "None - Base"]),
])
def test_example_runs_with_a_tiny_budget(script, expected, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GYM_INVENTORY_TINY", "1")
    monkeypatch.setattr(sys, "argv", [script, "--seed", "1"])
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    out = capsys.readouterr().out
    for text in expected:
        assert text in out
    runs = list((tmp_path / "runs").iterdir())
    assert runs and all((run / "run.json").exists() and (run / "tensorboard").is_dir() for run in runs)
