"""The ``gym-inventory`` command itself: help for every subcommand, one-line errors with exit code 2."""
from __future__ import annotations

import subprocess
import sys

import pytest

from gym_inventory.cli import available_subcommands, main

SUBCOMMANDS = available_subcommands()


def test_trainers_plug_their_subcommands_in_through_entry_points():
    # the library lists only its own; agents adds its four through setup.cfg's entry points
    from gym_inventory.cli import SUBCOMMANDS as LIBRARY

    assert set(LIBRARY) == {"baselines", "evaluate", "make-data"}
    assert {"train", "ds", "sweep", "demo"} <= set(SUBCOMMANDS)
    assert all(SUBCOMMANDS[name].startswith("agents.cli.") for name in ("train", "ds", "sweep", "demo"))


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_subcommand_help(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    assert "usage: gym-inventory " + name in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "gym-inventory: error: the following arguments are required: COMMAND"),
        (["frobnicate"], "gym-inventory: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (["baselines", "--env-config", "/nonexistent/env.yaml"],
         "gym-inventory baselines: error: env config '/nonexistent/env.yaml' does not exist"),
        (["baselines", "--lead-time", "-1"], "gym-inventory baselines: error: lead_time must be >= 0, got -1"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(message)


def test_console_script_runs_without_importing_torch():
    code = "import sys; from gym_inventory.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
