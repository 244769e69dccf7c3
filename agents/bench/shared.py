"""``bench run --storage URL``: several machines share a bench grid through one Optuna database.

The grid (every cell of the command) is one Optuna study on the database, named by a hash of
the cells' identities (so commands with another method, budget, suite, seeds or evaluation
options never mix); each cell that a worker runs is one trial, tagged with the cell
(user attribute ``cell``: ``[instance, seed]``) and, once scored, with its record (``record``).
The sweep's machinery (:mod:`agents.sweep.storage`) does the rest:

* **One worker per cell.** A worker picks a cell and asks for its trial under
  :func:`~agents.sweep.storage.study_lock` (PostgreSQL's advisory lock, shared by every
  machine); a cell with a COMPLETE, RUNNING or queued (WAITING) trial is taken.
* **A dead worker's cell runs again.** Workers record Optuna heartbeats while they run a
  cell; :func:`~agents.sweep.storage.fail_stale_trials` fails a trial without one for the
  grace period and queues it again (same ``cell``), and the next worker takes it.
* **Finished cells are skipped**: by every worker, on every machine, and on a rerun. A
  cell whose record is in the local ``--out`` already (a run without ``--storage``) is
  stored in the database as it is, not run again.
* **Every machine ends with every record.** A worker waits while other machines' cells run
  (or go stale), then writes every finished cell's record into its own ``--out``
  (:class:`~agents.bench.run.DirectoryStore`), so ``bench report`` on any machine's
  ``--out`` gives the report of the whole grid.

A cell that fails (bad input: ``ValueError``) is a FAIL trial with an ``error`` attribute;
it is not stored, and a worker that has not tried it yet tries it (as a rerun of the
directory store does).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

from agents.bench.run import DirectoryStore, _worker_init, run_cell

#: Seconds a worker waits before looking again at a grid whose last cells run elsewhere.
POLL_S = 1.0


def study_name(cells) -> str:
    """The grid's study name: a hash of its cells' identities."""
    identities = sorted(json.dumps(cell.identity(), sort_keys=True) for cell in cells)
    digest = hashlib.sha256("\n".join(identities).encode()).hexdigest()[:16]
    return f"gym-inventory bench {cells[0].method} {digest}"


def _key(cell) -> tuple:
    return (cell.instance, cell.seed)


def _trial_key(trial):
    value = trial.user_attrs.get("cell")
    return None if value is None else (value[0], value[1])


def _print(line: str) -> None:
    print(line, flush=True)


def shared_worker(cells, out_dir, url: str, heartbeat_interval: int | None = None, log=_print) -> dict:
    """One worker: run the grid's cells that no worker has taken, then collect every record into ``out_dir``.

    Returns ``{"done": [...], "skipped": [...], "failed": [(cell, message)]}``: the records
    this worker scored, the cells scored elsewhere (or before), and the cells that failed here.
    """
    import optuna
    from optuna.trial import TrialState

    from agents.sweep.storage import (HEARTBEAT_INTERVAL_S, claim, fail_stale_trials, heartbeat, open_storage,
                                      study_lock)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used with Study.optimize")
    cells = list(cells)
    by_key = {_key(cell): cell for cell in cells}
    out_dir = os.fspath(out_dir)
    store = DirectoryStore(out_dir)
    for cell in cells:  # a different run stored locally: refused before any work
        store.get(cell)
    storage = open_storage(out_dir, url, HEARTBEAT_INTERVAL_S if heartbeat_interval is None else heartbeat_interval)
    os.makedirs(out_dir, exist_ok=True)  # the machine lock's file lives there on storages other than PostgreSQL
    name = study_name(cells)
    with study_lock(out_dir, url, name):
        study = optuna.create_study(storage=storage, study_name=name, direction="minimize", load_if_exists=True)
    done, failed, tried = [], [], set()
    while True:
        with contextlib.ExitStack() as running:
            with study_lock(out_dir, url, name):
                fail_stale_trials(study, storage, url)
                trials = study.get_trials(deepcopy=False)
                taken = {_trial_key(t) for t in trials
                         if t.state in (TrialState.COMPLETE, TrialState.RUNNING, TrialState.WAITING)}
                pending = [c for c in cells if _key(c) not in taken and _key(c) not in tried]
                queued = any(t.state == TrialState.WAITING for t in trials)
                if not pending and not queued:
                    if not any(t.state == TrialState.RUNNING for t in trials):
                        break
                    trial = None  # the last cells run on other workers: wait for them (or for them to go stale)
                else:
                    trial = study.ask()  # a queued retry first
                    running.enter_context(heartbeat(storage, study, trial))
                    if _trial_key(trial) is None:
                        if not pending:  # a queued retry of a trial whose worker died before naming its cell
                            study.tell(trial, state=TrialState.FAIL)
                            continue
                        trial.set_user_attr("cell", list(_key(pending[0])))
                    claim(trial)  # last: a claimed trial names its cell
                    cell = by_key[_trial_key(trial)]
            if trial is None:
                time.sleep(POLL_S)
                continue
            tried.add(_key(cell))
            try:
                record = store.get(cell) or run_cell(cell, out_dir)
            except ValueError as error:
                failed.append((cell, str(error)))
                log(f"{cell.method} {cell.instance} seed {cell.seed}: failed: {error}")
                with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
                    trial.set_user_attr("error", str(error))
                study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)
                continue
            with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
                trial.set_user_attr("record", record)
            frozen = study.tell(trial, record["gap"], skip_if_finished=True)
        if frozen.state != TrialState.COMPLETE:
            # failed as stale by another worker (this one stalled past the grace period): its retry replaces it
            log(f"{cell.method} {cell.instance} seed {cell.seed}: failed as stale by another worker; its retry replaces it")
            continue
        done.append(record)
        log(f"{cell.method} {cell.instance} seed {cell.seed}: gap {100 * record['gap']:+.2f}% "
            f"(± {100 * record['gap_ci']:.2f}%), score {record['score']:.1f} ({record['wall_time_s']:.1f} s)")
    mine = {(record["instance"], record["seed"]) for record in done}
    skipped = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        cell = by_key.get(_trial_key(trial))
        if cell is None or _key(cell) in mine:
            continue
        skipped.append(cell)
        if store.get(cell) is None:
            store.put(cell, trial.user_attrs["record"])
    return {"done": done, "skipped": skipped, "failed": failed}


def run_shared(cells, out_dir, url: str, *, workers: int = 1, heartbeat_interval: int | None = None, log=_print) -> dict:
    """:func:`agents.bench.run.run_bench` on a database shared by several machines: ``workers`` :func:`shared_worker` here.

    Returns the same ``{"done", "skipped", "failed"}``: ``skipped`` are the cells scored
    elsewhere or before, all of whose records end in ``out_dir`` too.
    ``heartbeat_interval``: seconds (default :data:`agents.sweep.storage.HEARTBEAT_INTERVAL_S`).
    """
    from gym_inventory.params import check_int

    workers = check_int("workers", workers, 1)
    cells = list(cells)
    if not cells:
        return {"done": [], "skipped": [], "failed": []}
    if workers == 1:
        return shared_worker(cells, out_dir, url, heartbeat_interval, log=log)
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init) as pool:
        futures = [pool.submit(shared_worker, cells, out_dir, url, heartbeat_interval) for _ in range(workers)]
        results = [future.result() for future in futures]
    # every worker collects the cells the others scored: those are this machine's, not skipped
    done = [record for result in results for record in result["done"]]
    mine = {(record["instance"], record["seed"]) for record in done}
    skipped = {_key(c): c for result in results for c in result["skipped"] if _key(c) not in mine}
    failed = {_key(c): (c, message) for result in results for c, message in result["failed"]}
    return {"done": done, "skipped": list(skipped.values()), "failed": list(failed.values())}
