"""Loading the trained policy of any run directory (its own module: the run-directory modules
of the trainers import :mod:`agents.runs`, and this one imports them).

:func:`load_run` is the ``gym_inventory.run_loaders`` entry point (:mod:`gym_inventory.plugins`):
how ``gym-inventory evaluate DIR`` loads a trained policy without importing this package.
"""
from __future__ import annotations

import importlib

from agents.runs import read_run

#: run.json "kind" -> module whose ``load_policy(run_dir)`` loads it.
LOADERS = {"sb3": "agents.sb3.run_dir", "ds": "agents.ds.run_dir"}


def load_policy(run_dir, **options):
    """The trained :class:`gym_inventory.policy.Policy` of a complete run directory of any kind.

    ``options`` go to the kind's loader (e.g. ``device="cpu"``).
    """
    run = read_run(run_dir)
    return importlib.import_module(LOADERS[run["kind"]]).load_policy(run_dir, **options)


def load_run(run_dir, **options):
    """``(env_config, policy)`` of a complete run directory of these trainers (``ValueError`` when it is none)."""
    return dict(read_run(run_dir)["env_config"]), load_policy(run_dir, **options)
