"""Where a sweep's trials live, and how workers share them safely.

* Default: Optuna's journal file ``DIR/optuna.journal`` (``JournalFileBackend``), which
  any number of processes on one machine append to under a file lock.
* ``--storage URL``: an Optuna RDB URL (``postgresql://user:pass@host/db``, ``mysql://...``,
  ``sqlite:///file.db``); every machine running the same command against it takes trials
  from the same study (``docs/cluster.md``).

Workers count the study's trials and ask for the next one under :func:`study_lock`:
on PostgreSQL a database advisory lock shared by every machine (so the study ends with
exactly the asked number of trials), otherwise a file lock shared by this machine's
workers of the sweep in ``DIR``.

A worker that dies leaves its trial RUNNING ("stale"). Stale trials are failed and
queued again with the same parameters (Optuna's
:class:`~optuna.storages.RetryHeartbeatStaleTrialCallback`, at most :data:`MAX_RETRIES`
times): the failed one (FAIL without an ``error`` attribute: "interrupted") does not
count towards the sweep's size, the retry takes its place. Which trials are stale:

* on a database, Optuna's heartbeats: workers record one every ``heartbeat_interval``
  seconds, and :func:`optuna.storages.fail_stale_trials` fails the trials whose last
  heartbeat is older than ``4 * heartbeat_interval`` (the grace period);
* in the journal (one machine), a trial whose worker process, named in its ``worker``
  attribute (``host:pid``), is gone (or that no worker claimed within
  :data:`UNCLAIMED_AFTER_S` seconds).

Finished trials (COMPLETE, or FAIL with an ``error``) are never run again.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import threading
import time
import warnings

import optuna
from optuna.trial import TrialState

from gym_inventory.params import check_int

JOURNAL_FILE = "optuna.journal"
LOCK_FILE = ".sweep.lock"
#: Seconds between a database worker's heartbeats; a trial is stale after 4 of them without one.
HEARTBEAT_INTERVAL_S = 30
GRACE_PERIODS = 4
#: How often a stale trial is queued again before the sweep gives up on it (and asks a new trial instead).
MAX_RETRIES = 3
#: A RUNNING journal trial with no worker attribute older than this is stale (its worker died while asking).
UNCLAIMED_AFTER_S = 120
_RDB_SCHEMES = ("sqlite", "postgresql", "mysql", "oracle", "mssql")


def scheme(url: str | None) -> str | None:
    """The database kind of a storage URL (``"postgresql"`` for ``postgresql+psycopg://...``), None for the journal."""
    return None if url is None else url.split(":", 1)[0].split("+", 1)[0]


def open_storage(out_dir, url: str | None = None, heartbeat_interval: int = HEARTBEAT_INTERVAL_S):
    """The Optuna storage of a sweep: the journal in ``out_dir``, or the RDB at ``url`` with heartbeats.

    ``heartbeat_interval`` (seconds, an integer >= 1) applies to databases only.
    """
    if url is None:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return JournalStorage(JournalFileBackend(os.path.join(os.fspath(out_dir), JOURNAL_FILE)))
    if not isinstance(url, str) or scheme(url) not in _RDB_SCHEMES:
        raise ValueError(f"--storage must be a database URL such as postgresql://user:password@host/db or sqlite:///FILE, got {url!r}")
    heartbeat_interval = check_int("--heartbeat", heartbeat_interval, 1)
    try:
        with warnings.catch_warnings():  # heartbeats are "experimental" in Optuna; we rely on them knowingly
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(url, heartbeat_interval=heartbeat_interval,
                                              grace_period=GRACE_PERIODS * heartbeat_interval,
                                              heartbeat_stale_trial_callback=retry_stale_trial())
    except Exception as error:  # sqlalchemy/driver errors: report them as bad input, on one line
        message = " ".join(str(error).split())
        raise ValueError(f"cannot open --storage {url!r}: {type(error).__name__}: {message}") from None


def trial_id(storage, study: optuna.Study, number: int) -> int:
    """The storage's id of trial ``number`` of ``study`` (Optuna's public storage API)."""
    return storage.get_trial_id_from_study_id_trial_number(storage.get_study_id_from_name(study.study_name), number)


def retry_stale_trial(max_retry: int = MAX_RETRIES):
    """What happens to a stale trial once it is failed: it is queued again, at most ``max_retry`` times.

    Optuna's :class:`~optuna.storages.RetryHeartbeatStaleTrialCallback`: a WAITING trial with the
    failed one's parameters and user attributes, which the next ``study.ask()`` of any worker
    takes. Databases call it from :func:`optuna.storages.fail_stale_trials`; the journal's stale
    trials go through it too.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=max_retry)


def original_trial(trial: optuna.trial.FrozenTrial) -> int:
    """The number of the trial that ``trial`` retries (its own number when it is no retry)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        number = optuna.storages.RetryHeartbeatStaleTrialCallback.retried_trial_number(trial)
    return trial.number if number is None else number


def uses_heartbeats(storage) -> bool:
    return isinstance(storage, optuna.storages.RDBStorage) and storage.get_heartbeat_interval() is not None


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
    """True for a RUNNING journal trial whose local worker process is gone (or that no worker claimed in time)."""
    if trial.state != TrialState.RUNNING:
        return False
    worker = trial.user_attrs.get("worker")
    if worker is None:
        started = trial.datetime_start.timestamp() if trial.datetime_start else 0.0
        return (time.time() if now is None else now) - started > UNCLAIMED_AFTER_S
    host, _, pid = str(worker).rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _process_alive(int(pid))


def fail_stale_trials(study: optuna.Study, storage) -> None:
    """Fail the study's stale trials and queue them again (:func:`retry_stale_trial`).

    On a database, Optuna's :func:`optuna.storages.fail_stale_trials` (heartbeats) alone:
    machines may share a host name, so a process id says nothing there.
    """
    if uses_heartbeats(storage):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(study)
        return
    retry = retry_stale_trial()
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if is_stale(trial):
            try:
                failed = study.tell(trial.number, state=TrialState.FAIL)
            except (optuna.exceptions.UpdateFinishedTrialError, ValueError, RuntimeError):
                continue  # another worker finished or failed it first
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                retry(study, failed)


def counts_towards_budget(trial: optuna.trial.FrozenTrial) -> bool:
    """Trials that fill the sweep: finished (COMPLETE, or FAIL with an ``error``), running or queued ones."""
    if trial.state in (TrialState.COMPLETE, TrialState.RUNNING, TrialState.WAITING):
        return True
    return trial.state == TrialState.FAIL and "error" in trial.user_attrs


def is_finished(trial: optuna.trial.FrozenTrial) -> bool:
    """COMPLETE, or FAIL with an ``error`` (a training that failed used its budget; interrupted trials are not)."""
    return trial.state == TrialState.COMPLETE or (trial.state == TrialState.FAIL and "error" in trial.user_attrs)


@contextlib.contextmanager
def machine_lock(out_dir):
    """An exclusive lock among this machine's workers of the sweep in ``out_dir`` (count, then ask)."""
    with open(os.path.join(os.fspath(out_dir), LOCK_FILE), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class StudyLock:
    """The lock under which a worker counts the study's trials and asks for the next one.

    PostgreSQL: a session advisory lock (``pg_advisory_lock``) keyed by the study's name,
    on a connection of its own, so the workers of every machine take turns and the study
    gets exactly the asked number of trials; the server releases it if the worker dies.
    Other storages: :func:`machine_lock` (the workers of this machine and ``out_dir``).
    """

    def __init__(self, out_dir, url: str | None, study_name: str):
        self.out_dir = out_dir
        self.engine = None
        if scheme(url) == "postgresql":
            import sqlalchemy
            from sqlalchemy.pool import NullPool

            self.engine = sqlalchemy.create_engine(url, poolclass=NullPool)
            digest = hashlib.sha256(study_name.encode()).digest()
            self.key = int.from_bytes(digest[:8], "big", signed=True)

    @contextlib.contextmanager
    def hold(self):
        if self.engine is None:
            with machine_lock(self.out_dir):
                yield
            return
        import sqlalchemy

        with self.engine.connect() as connection:  # closing the connection would release the lock too
            connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": self.key})
            try:
                yield
            finally:
                connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})


@contextlib.contextmanager
def heartbeat(storage, study: optuna.Study, trial: optuna.Trial):
    """Record the trial's heartbeat now and every heartbeat interval while the block runs (databases only)."""
    if not uses_heartbeats(storage):
        yield
        return
    identifier = trial_id(storage, study, trial.number)
    interval = storage.get_heartbeat_interval()
    storage.record_heartbeat(identifier)
    stop = threading.Event()

    def beat():
        while not stop.wait(interval):
            storage.record_heartbeat(identifier)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
