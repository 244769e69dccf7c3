"""The error every subcommand raises for bad command-line input (its own module, so that the
subcommand modules and the dispatcher in :mod:`gym_inventory.cli` need not import each other)."""
from __future__ import annotations


class UsageError(Exception):
    """Bad input from the command line: reported on one line, exit code 2."""
