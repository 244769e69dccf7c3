"""Where a sweep's trials live, and how workers share them safely.

* Default: Optuna's journal file ``DIR/optuna.journal`` (``JournalFileBackend``), which
  any number of processes on one machine append to under a file lock.
* ``--storage URL``: an Optuna RDB URL (``postgresql://user:pass@host/db``, ``mysql://...``,
  ``sqlite:///file.db``); every machine running the same command against it takes trials
  from the same study. Workers send heartbeats, so a trial whose machine died is failed
  by the others after :data:`GRACE_PERIOD_S` seconds.

Trials left RUNNING by a killed worker ("stale") are marked FAIL with the user attribute
``interrupted`` and do not count towards the sweep's size, so a rerun replaces them: a
local trial is stale when the process named in its ``worker`` attribute
(``host:pid``) is gone. Finished trials (COMPLETE, or FAIL with an ``error``) are
never run again.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import threading
import time
import warnings

import optuna
from optuna.trial import TrialState

JOURNAL_FILE = "optuna.journal"
LOCK_FILE = ".sweep.lock"
HEARTBEAT_INTERVAL_S = 30
GRACE_PERIOD_S = 120
#: A RUNNING trial with no worker attribute older than this is stale (its worker died while asking).
UNCLAIMED_AFTER_S = 120
_RDB_SCHEMES = ("sqlite", "postgresql", "mysql", "oracle", "mssql")


def open_storage(out_dir, url: str | None = None):
    """The Optuna storage of a sweep: the journal in ``out_dir``, or the RDB at ``url``."""
    if url is None:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return JournalStorage(JournalFileBackend(os.path.join(os.fspath(out_dir), JOURNAL_FILE)))
    if not isinstance(url, str) or url.split(":", 1)[0].split("+", 1)[0] not in _RDB_SCHEMES:
        raise ValueError(f"--storage must be a database URL such as postgresql://user:password@host/db or sqlite:///FILE, got {url!r}")
    try:
        with warnings.catch_warnings():  # heartbeats are "experimental" in Optuna; we rely on them knowingly
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(url, heartbeat_interval=HEARTBEAT_INTERVAL_S, grace_period=GRACE_PERIOD_S)
    except Exception as error:  # sqlalchemy/driver errors: report them as bad input, on one line
        raise ValueError(f"cannot open --storage {url!r}: {type(error).__name__}: {error}") from None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(trial: optuna.trial.FrozenTrial, now: float | None = None) -> bool:
    """True for a RUNNING trial whose local worker process is gone (or that no worker claimed in time)."""
    if trial.state != TrialState.RUNNING:
        return False
    worker = trial.user_attrs.get("worker")
    if worker is None:
        started = trial.datetime_start.timestamp() if trial.datetime_start else 0.0
        return (time.time() if now is None else now) - started > UNCLAIMED_AFTER_S
    host, _, pid = str(worker).rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _process_alive(int(pid))


def fail_stale_trials(study: optuna.Study) -> list[int]:
    """Mark this machine's stale trials FAIL (``interrupted``), and heartbeat-stale ones on RDB; return their numbers."""
    storage = study._storage
    failed = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if is_stale(trial):
            with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
                storage.set_trial_user_attr(trial._trial_id, "interrupted", True)
                storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
                failed.append(trial.number)
    if isinstance(storage, optuna.storages.RDBStorage):
        failed += optuna.storages.fail_stale_trials(study) or []
    return failed


def counts_towards_budget(trial: optuna.trial.FrozenTrial) -> bool:
    """Finished (COMPLETE, or FAIL with an ``error``) or running trials; interrupted ones are replaced."""
    if trial.state in (TrialState.COMPLETE, TrialState.RUNNING):
        return True
    return trial.state == TrialState.FAIL and "error" in trial.user_attrs


@contextlib.contextmanager
def machine_lock(out_dir):
    """An exclusive lock among this machine's workers of the sweep in ``out_dir`` (count, then ask)."""
    with open(os.path.join(os.fspath(out_dir), LOCK_FILE), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def heartbeat(study: optuna.Study, trial: optuna.Trial):
    """Record the trial's heartbeat while the block runs (RDB storages; nothing for the journal)."""
    storage = study._storage
    if not isinstance(storage, optuna.storages.RDBStorage):
        yield
        return
    stop = threading.Event()

    def beat():
        while not stop.is_set():
            storage.record_heartbeat(trial._trial_id)
            stop.wait(HEARTBEAT_INTERVAL_S)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
