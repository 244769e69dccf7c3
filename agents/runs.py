"""Run directories of every trainer, and loading the trained policy of any of them.

Every trainer writes ``DIR/run.json`` with a ``"kind"``: ``"sb3"`` (:mod:`agents.sb3.run_dir`,
``gym-inventory train``) or ``"ds"`` (:mod:`agents.ds.run_dir`, ``gym-inventory ds``).
:func:`agents.loading.load_policy` reads the kind and hands the directory to that
trainer's loader, so ``gym-inventory evaluate DIR`` serves both. This module imports no torch
(:func:`torch_load` imports it when called).

Safety of a run directory (they get shared: loading one must never run code):

* Everything that rebuilds a policy is data: weights and optimizer states through
  ``torch.load(weights_only=True)``, statistics and replay buffers as ``.npz`` read
  with ``allow_pickle=False``, classes and hyperparameters as names in run.json
  resolved from allow-lists. Nothing in a run directory is ever unpickled.
* ``run.json`` holds a ``"format"`` (:data:`FORMAT`; older directories are refused,
  never unpickled) and a ``"manifest"``: the sha256 of every file written with it and
  of the run's identity, so a tampered, truncated, swapped or missing file, or an edited
  run.json, is a ``ValueError`` naming it (:func:`verify_files`).
* One writer: a process writing a run holds an advisory lock (the ``filelock``
  library) on ``DIR/.lock`` until the run ends or the process exits; a second writer
  is refused naming the process (:func:`lock_run_dir`).
"""
from __future__ import annotations

import hashlib
import math
import json
import os

RUN_FILE = "run.json"
#: Version of the run-directory layout this code writes and reads.
FORMAT = 2
LOCK_FILE = ".lock"
OWNER_FILE = ".lock.owner"
#: Files of the locking machinery, not of the run (a directory holding only them is empty).
LOCK_FILES = (LOCK_FILE, OWNER_FILE)
_HELD: dict = {}  # real path of a run directory -> the FileLock this process holds on it
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
    except UnicodeDecodeError as error:
        raise ValueError(f"{path!r} is not UTF-8 text: {error}") from None
    kind = run.get("kind") if isinstance(run, dict) else None
    if kind not in KINDS:
        raise ValueError(f"{path!r} describes a run of kind {kind!r}; known kinds: {list(KINDS)}")
    if run.get("format") != FORMAT:
        raise ValueError(
            f"{os.fspath(run_dir)!r} is a run directory in an unsupported format ({run.get('format')!r}; this version "
            f"reads format {FORMAT}, which never unpickles); retrain it with this version"
        )
    return run


def write_run(run_dir, run: dict) -> None:
    """Write run.json atomically (a crash never leaves half a file), in :data:`FORMAT`, strict JSON."""
    write_json(os.path.join(os.fspath(run_dir), RUN_FILE), dict(run, format=FORMAT))


def write_json(path, value) -> None:
    """Write ``value`` as strict JSON to ``path`` atomically: a temporary file, then a rename.

    A non-finite number, which JSON cannot hold, is written as ``null``: a run's metrics may
    legitimately hold one (the turnover time of a policy that sold nothing is infinite).
    """
    path = os.fspath(path)
    text = json.dumps(finite_json(value), indent=2, sort_keys=True, allow_nan=False) + "\n"
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(path + ".tmp", path)


def finite_json(value):
    """``value`` with every non-finite float (NaN, inf) replaced by None, in nested dicts, lists and tuples
    (strict JSON: run files here, the sweep's result files in :mod:`agents.sweep.report`)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(item) for item in value]
    return value


def sha256(path) -> str:
    """The sha256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def identity_digest(run: dict, identity_keys) -> str:
    """The sha256 of the identity keys of ``run`` (what the files of the manifest were trained for)."""
    identity = {key: run.get(key) for key in identity_keys}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def manifest(folder, names, run: dict, identity_keys) -> dict:
    """The manifest of the files ``names`` of ``folder`` (relative paths) for the run ``run``."""
    folder = os.fspath(folder)
    return {"identity_sha256": identity_digest(run, identity_keys),
            "files": {name: sha256(os.path.join(folder, name)) for name in names}}


def verify_files(folder, record: dict, run: dict, identity_keys, names=()) -> None:
    """``ValueError`` naming the file unless every file of the manifest ``record`` is in ``folder``, unchanged,
    and written for the run described by ``run`` (its identity keys unchanged since); ``names``: files that
    must be in the manifest."""
    folder = os.fspath(folder)
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict):
        raise ValueError(f"{os.path.join(folder, RUN_FILE)!r} holds no file manifest; the run directory is damaged")
    if record.get("identity_sha256") != identity_digest(run, identity_keys):
        raise ValueError(
            f"{os.path.join(folder, RUN_FILE)!r} was edited after training (its {', '.join(identity_keys)} no longer "
            f"match the files written for it); restore it or retrain"
        )
    for name in names:
        if name not in files:
            raise ValueError(f"{os.path.join(folder, name)!r} is not in the run's manifest; the run directory is damaged")
    for name, expected in files.items():
        path = os.path.join(folder, name)
        if os.path.basename(name) != name or name in ("", ".", ".."):
            raise ValueError(f"the manifest of {folder!r} names {name!r}, which is not a file of the directory")
        try:
            actual = sha256(path)
        except FileNotFoundError:
            raise ValueError(f"{path!r} is missing; the run directory is incomplete") from None
        except OSError as error:
            raise ValueError(f"{path!r} cannot be read: {error.strerror or error}") from None
        if actual != expected:
            raise ValueError(f"{path!r} was changed or replaced after it was written (checksum mismatch); "
                             f"the run directory is damaged or was tampered with")


def lock_run_dir(run_dir) -> None:
    """Hold the one-writer lock of ``run_dir`` (created if missing) in this process until :func:`unlock_run_dir`
    or the process exits; ``ValueError`` naming the process that holds it.

    The lock is the ``filelock`` library's advisory lock on ``DIR/.lock``; ``DIR/.lock.owner`` says who holds it.
    """
    from filelock import FileLock, Timeout

    run_dir = os.fspath(run_dir)
    key = os.path.realpath(run_dir)
    if key in _HELD:
        return
    try:
        os.makedirs(run_dir, exist_ok=True)
    except OSError as error:  # below a file, read-only, ...
        raise ValueError(f"--out {run_dir!r} cannot be created: {error.strerror or error}") from None
    lock = FileLock(os.path.join(run_dir, LOCK_FILE), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        owner = "another process"
        try:
            with open(os.path.join(run_dir, OWNER_FILE), encoding="utf-8") as handle:
                held = json.load(handle)
            owner = f"process {int(held['pid'])} ({str(held['command'])[:200]})"
        except (OSError, ValueError, KeyError, TypeError):
            pass
        raise ValueError(f"--out {run_dir!r} is in use by {owner}; wait for it to finish or choose another directory") from None
    import sys

    write_json(os.path.join(run_dir, OWNER_FILE), {"pid": os.getpid(), "command": " ".join(sys.argv)})
    _HELD[key] = lock


def unlock_run_dir(run_dir) -> None:
    """Release the lock :func:`lock_run_dir` took on ``run_dir`` (nothing when this process holds none)."""
    lock = _HELD.pop(os.path.realpath(os.fspath(run_dir)), None)
    if lock is not None:
        try:
            os.remove(os.path.join(os.fspath(run_dir), OWNER_FILE))
        except FileNotFoundError:
            pass
        lock.release(force=True)


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
    The directory is locked for this process first (:func:`lock_run_dir`): a second
    writer is refused.
    """
    run_dir = os.fspath(run_dir)
    if os.path.lexists(run_dir) and not os.path.isdir(run_dir):
        raise ValueError(f"--out {run_dir!r} is a file (or a dangling link), not a directory")
    _check_not_foreign(run_dir)  # before the lock file is created in it
    lock_run_dir(run_dir)
    try:
        return _prepare_locked(run_dir, identity, identity_keys)
    except BaseException:
        unlock_run_dir(run_dir)
        raise


def _check_not_foreign(run_dir: str) -> None:
    if os.path.isdir(run_dir) and set(os.listdir(run_dir)) - set(LOCK_FILES) \
            and not os.path.exists(os.path.join(run_dir, RUN_FILE)):
        raise ValueError(f"--out {run_dir!r} is not empty and holds no {RUN_FILE}; choose a new directory")


def _prepare_locked(run_dir: str, identity: dict, identity_keys) -> bool:
    if not set(os.listdir(run_dir)) - set(LOCK_FILES):
        write_run(run_dir, dict(identity, status="running"))
        return False
    _check_not_foreign(run_dir)
    run = read_run(run_dir)
    differing = [key for key in identity_keys if run.get(key) != identity[key]]
    if differing:
        raise ValueError(
            f"--out {run_dir!r} holds a different run (differing in: {', '.join(differing)}); choose a new directory"
        )
    if run.get("status") == "complete":
        raise ValueError(f"--out {run_dir!r} already holds this run, complete; evaluate it or choose a new directory")
    return True


def torch_load(path):
    """``torch.load(path, weights_only=True)``: tensors and plain values only, never code; ``ValueError`` naming the file."""
    import pickle
    import zipfile

    import torch

    path = os.fspath(path)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ValueError(f"{path!r} is missing; the run directory is incomplete") from None
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as error:
        message = " ".join(str(error).split())[:300]
        raise ValueError(f"{path!r} is not a weights file this version can load safely: {message}") from None

