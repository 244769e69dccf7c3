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
  attribute (``host:pid``), is gone;
* in the journal and on PostgreSQL, a trial that no worker claimed (:func:`is_stale`).

Finished trials (COMPLETE, or FAIL with an ``error``) are never run again.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import threading
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
            # machines starting together would race to create Optuna's tables: one at a time on PostgreSQL
            with advisory_lock(url, "gym-inventory optuna tables") if scheme(url) == "postgresql" else contextlib.nullcontext():
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


def sweep_place(trial: optuna.trial.FrozenTrial, trials) -> int:
    """Where ``trial`` stands in its sweep: how many trials before it are no retries.

    Trial k of an undisturbed sweep stands at place k; a retry stands at the place of the
    trial it retries, and the trials after it keep the places they would have had. The
    sampler's draws, the training seed and the trial table follow places, not Optuna's
    trial numbers (a retry takes a number of its own), so that a sweep whose workers died
    gives the results of one that ran undisturbed. ``trials``: the study's trials.
    """
    origin = original_trial(trial)
    return sum(1 for other in trials if other.number < origin and original_trial(other) == other.number)


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


def is_stale(trial: optuna.trial.FrozenTrial) -> bool:
    """True for a RUNNING journal trial whose worker process (on this machine) is gone.

    Also for one that no worker claimed (:func:`is_claimed`): workers ask for a trial and
    claim it under the study's lock, so, seen under that lock, an unclaimed trial's worker
    died while asking.
    """
    if trial.state != TrialState.RUNNING:
        return False
    if not is_claimed(trial):
        return True
    host, _, pid = str(trial.user_attrs["worker"]).rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _process_alive(int(pid))


def claim(trial: optuna.Trial) -> None:
    """Tag a trial just asked for with this worker (``worker``: ``host:pid``, ``claimed``: the trial's number)."""
    trial.set_user_attr("worker", worker_name())
    trial.set_user_attr("claimed", trial.number)


def is_claimed(trial: optuna.trial.FrozenTrial) -> bool:
    """Whether a worker claimed the trial (a retry copies the tags of the trial it retries: those do not count)."""
    return trial.user_attrs.get("claimed") == trial.number and "worker" in trial.user_attrs


def fail_stale_trials(study: optuna.Study, storage, url: str | None = None) -> None:
    """Fail the study's stale trials and queue them again (:func:`retry_stale_trial`); call it under :func:`study_lock`.

    On a database (``url``), Optuna's :func:`optuna.storages.fail_stale_trials` (heartbeats):
    machines may share a host name, so a process id says nothing there. On PostgreSQL, whose
    lock every machine shares, also the trials that no worker claimed (see :func:`is_stale`):
    their worker died before its first heartbeat, which Optuna would never fail.
    """
    retry = retry_stale_trial()
    if uses_heartbeats(storage):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(study)
        if scheme(url) != "postgresql":
            return
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if is_stale(trial) if not uses_heartbeats(storage) else not is_claimed(trial):
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


@contextlib.contextmanager
def advisory_lock(url: str, name: str):
    """PostgreSQL's session advisory lock ``name`` on the database at ``url``, held while the block runs.

    On a connection of its own, closed afterwards; the server releases the lock if the
    process dies.
    """
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    engine = sqlalchemy.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    finally:
        engine.dispose()


@contextlib.contextmanager
def study_lock(out_dir, url: str | None, study_name: str):
    """The lock under which a worker counts the study's trials and asks for the next one.

    PostgreSQL: :func:`advisory_lock` keyed by the study's name, so the workers of every
    machine take turns and the study gets exactly the asked number of trials. Other
    storages: :func:`machine_lock` (the workers of this machine and ``out_dir``).
    """
    if scheme(url) == "postgresql":
        with advisory_lock(url, f"gym-inventory sweep {study_name}"):
            yield
    else:
        with machine_lock(out_dir):
            yield


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
