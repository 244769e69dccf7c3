"""Extension points: what other packages add to gym-inventory, found through entry points.

gym-inventory never imports its trainers (:mod:`agents`); they register here instead,
in the ``[options.entry_points]`` of their package metadata (``setup.cfg``):

=============================== ===================================================================
group                           an entry point is
=============================== ===================================================================
``gym_inventory.commands``      a module with ``HELP``, ``add_arguments(parser)`` and ``run(args)``:
                                one subcommand of ``gym-inventory``, named as the entry point
``gym_inventory.run_loaders``   a callable ``load_run(run_dir, **options)`` returning
                                ``(env_config, policy)`` of a run directory it can read, else
                                raising ``ValueError``: how ``gym-inventory evaluate DIR`` loads
                                a trained policy
=============================== ===================================================================

Entry points are read with :mod:`importlib.metadata` (the standard library); their
modules are imported only when used.
"""
from __future__ import annotations

import os
from importlib.metadata import entry_points

COMMANDS = "gym_inventory.commands"
RUN_LOADERS = "gym_inventory.run_loaders"


def plugin_commands() -> dict:
    """Subcommand name -> module name, for every ``gym_inventory.commands`` entry point installed."""
    return {entry.name: entry.value for entry in entry_points(group=COMMANDS)}


def load_run(run_dir, **options) -> tuple:
    """``(env_config, policy)`` of a trained run directory, from the first run loader that can read it.

    ``options`` go to the loader (e.g. ``device="cpu"``). When no installed loader can
    read ``run_dir``, the first loader's ``ValueError`` is raised (it says why); with no
    loader installed, a ``ValueError`` says so.
    """
    loaders = sorted(entry_points(group=RUN_LOADERS), key=lambda entry: entry.name)
    if not loaders:
        raise ValueError(
            f"no run loader is installed to read {os.fspath(run_dir)!r}: the trainers (package `agents`) "
            f"register one under the entry-point group {RUN_LOADERS!r}"
        )
    errors = []
    for entry in loaders:
        try:
            return entry.load()(run_dir, **options)
        except ValueError as error:
            errors.append(error)
    raise errors[0]
