"""Run directories of every trainer, and loading the trained policy of any of them.

Every trainer writes ``DIR/run.json`` with a ``"kind"``: ``"sb3"`` (:mod:`agents.sb3.run_dir`,
``gym-inventory train``) or ``"ds"`` (:mod:`agents.ds.run_dir`, ``gym-inventory ds``).
:func:`agents.loading.load_policy` reads the kind and hands the directory to that
trainer's loader, so ``gym-inventory evaluate DIR`` serves both. This module imports no torch.
"""
from __future__ import annotations

import json
import os

RUN_FILE = "run.json"
#: run.json "kind"s (:data:`agents.loading.LOADERS` loads each).
KINDS = ("sb3", "ds")


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
    if kind not in KINDS:
        raise ValueError(f"{path!r} describes a run of kind {kind!r}; known kinds: {list(KINDS)}")
    return run


def write_run(run_dir, run: dict) -> None:
    """Write run.json atomically (a crash never leaves half a file)."""
    path = os.path.join(os.fspath(run_dir), RUN_FILE)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(run, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(path + ".tmp", path)


def json_identity(identity: dict) -> dict:
    """``identity`` as plain JSON values (what run.json holds); ``TypeError`` for values JSON cannot hold."""
    try:
        return json.loads(json.dumps(identity))
    except TypeError as error:
        raise TypeError(
            f"a run directory stores env_config and hyperparams as JSON; pass names and plain values, not objects ({error})"
        ) from None


def prepare_run_dir(run_dir, identity: dict, identity_keys) -> bool:
    """Make ``run_dir`` ready for the run ``identity``: True when it holds this very run, interrupted (resume it).

    A missing or empty directory starts a new run: it is created with a run.json of
    ``identity`` and ``status: running`` (False is returned). A directory holding
    anything else raises ``ValueError`` before any file is touched: another run
    (``identity_keys`` differ), this run already complete, or files that are not a run.
    """
    run_dir = os.fspath(run_dir)
    if os.path.exists(run_dir) and not os.path.isdir(run_dir):
        raise ValueError(f"--out {run_dir!r} is a file, not a directory")
    if not os.path.isdir(run_dir) or not os.listdir(run_dir):
        os.makedirs(run_dir, exist_ok=True)
        write_run(run_dir, dict(identity, status="running"))
        return False
    if not os.path.exists(os.path.join(run_dir, RUN_FILE)):
        raise ValueError(f"--out {run_dir!r} is not empty and holds no {RUN_FILE}; choose a new directory")
    run = read_run(run_dir)
    differing = [key for key in identity_keys if run.get(key) != identity[key]]
    if differing:
        raise ValueError(
            f"--out {run_dir!r} holds a different run (differing in: {', '.join(differing)}); choose a new directory"
        )
    if run.get("status") == "complete":
        raise ValueError(f"--out {run_dir!r} already holds this run, complete; evaluate it or choose a new directory")
    return True
