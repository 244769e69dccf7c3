"""Run directories of every trainer, and loading the trained policy of any of them.

Every trainer writes ``DIR/run.json`` with a ``"kind"``: ``"sb3"`` (:mod:`agents.sb3.run_dir`,
``gym-inventory train``) or ``"ds"`` (:mod:`agents.ds.run_dir`, ``gym-inventory ds``).
:func:`load_policy` reads the kind and hands the directory to that trainer's loader,
so ``gym-inventory evaluate DIR`` serves both. This module imports no torch until a
policy is loaded.
"""
from __future__ import annotations

import json
import os

RUN_FILE = "run.json"
#: run.json "kind" -> module whose ``load_policy(run_dir)`` loads it.
LOADERS = {"sb3": "agents.sb3.run_dir", "ds": "agents.ds"}


def read_run(run_dir) -> dict:
    """The run.json of ``run_dir`` (any kind); ``ValueError`` when missing, unreadable or without a known kind."""
    path = os.path.join(os.fspath(run_dir), RUN_FILE)
    try:
        with open(path, encoding="utf-8") as handle:
            run = json.load(handle)
    except FileNotFoundError:
        raise ValueError(f"{os.fspath(run_dir)!r} holds no {RUN_FILE}; it is not a run directory") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path!r} is not valid JSON: {error}") from None
    kind = run.get("kind") if isinstance(run, dict) else None
    if kind not in LOADERS:
        raise ValueError(f"{path!r} describes a run of kind {kind!r}; known kinds: {list(LOADERS)}")
    return run


def load_policy(run_dir, **options):
    """The trained :class:`gym_inventory.policy.Policy` of a complete run directory of any kind.

    ``options`` go to the kind's loader (e.g. ``device="cpu"``).
    """
    import importlib

    run = read_run(run_dir)
    return importlib.import_module(LOADERS[run["kind"]]).load_policy(run_dir, **options)
