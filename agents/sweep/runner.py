"""Run a sweep: K worker processes on this machine take trials from one Optuna study.

Each trial samples hyperparameters, trains on the training SKUs (the splits' pool),
and is scored by its mean cost per day on the validation SKUs (the value Optuna
minimizes). Its cost on the test SKUs is recorded too (user attribute ``test_cost``),
but only ever reported for the trial that validation chose -- the best-so-far curves
(:mod:`agents.sweep.curves`) read it that way.

Workers loop: under the study's lock (:func:`agents.sweep.storage.study_lock`: every
machine's workers on PostgreSQL, this machine's otherwise) they fail stale trials (which
queues them again), stop when the study holds ``n_trials`` finished trials, wait while
running or queued trials fill it, and otherwise ask for the next trial (a queued retry
first) and claim it (:func:`agents.sweep.storage.claim`: their ``host:pid``); then they
train and tell, recording heartbeats on a database. A retry draws and trains as the
trial it retries would have (:func:`agents.sweep.storage.sweep_place`), so a sweep whose
workers died gives the results of one that ran undisturbed.
Workers are forked processes (spawned off Linux) that die with the coordinator (Linux),
each using one torch thread.
"""
from __future__ import annotations

import contextlib
import ctypes
import json
import multiprocessing
import os
import signal
import sys
import time
import warnings

import optuna
from optuna.trial import TrialState

from agents.sweep import space as spaces
from agents.sweep.spec import SweepSpec, make_sampler, prepare_out_dir
from agents.sweep.storage import (HEARTBEAT_INTERVAL_S, counts_towards_budget, fail_stale_trials, heartbeat,
                                  claim, is_finished, open_storage, study_lock, sweep_place, trial_id)
from agents.sweep.trainers import DS, check_hyperparams, default_hyperparams, train_policy

TRIALS_DIR = "trials"
#: Seconds a worker waits before looking again at a study that running (or queued) trials fill.
POLL_S = 1.0


def training_hyperparams(spec: SweepSpec, values: dict) -> dict:
    """The trainer's hyperparameters for sampled ``values`` (fixed ones, the data budget, translations)."""
    merged = dict(spec.space["fixed"], **values)
    defaults = default_hyperparams(spec.algo)
    hyper = spaces.translate(spec.algo, spec.regularization, merged, spec.splits.train_env_kwargs(),
                             policy_kwargs=defaults.get("policy_kwargs"))
    if spec.algo == DS:
        if spec.splits.train_skus is not None:
            # DS draws its training and early-stopping episodes from the pool: all of it, once each.
            hyper.setdefault("train_trajectories", spec.splits.train_skus)
            hyper.setdefault("val_trajectories", spec.splits.train_skus)
    else:
        # SB3 keeps the best model of validations on the training pool, ten times per run.
        if spec.splits.train_skus is not None:
            hyper.setdefault("val_trajectories", max(2, spec.splits.train_skus))
        hyper.setdefault("eval_freq", max(1, spec.budget // 10))
    return hyper


def check_spec(spec: SweepSpec) -> None:
    """Raise ``ValueError`` now when the space's hyperparameters do not fit the algorithm."""
    check_hyperparams(spec.algo, training_hyperparams(spec, spaces.corner(spec.space)))


def check_study(spec: SweepSpec, storage) -> None:
    """Raise ``ValueError`` when ``storage`` holds a study of the sweep's name that describes another sweep."""
    name = spec.study_name()
    if name not in {summary.study_name for summary in storage.get_all_studies()}:
        return
    saved = optuna.load_study(study_name=name, storage=storage).user_attrs.get("sweep")
    if saved is None or saved == spec.identity():
        return
    identity = spec.identity()
    differing = sorted(k for k in set(saved) | set(identity) if saved.get(k) != identity.get(k)) if isinstance(saved, dict) else ["all"]
    raise ValueError(f"the storage's study {name!r} holds another sweep (differing in: {', '.join(differing)}); "
                     "give every worker the same command, or use another database")


def open_study(spec: SweepSpec, storage, worker_index: int = 0) -> optuna.Study:
    """Create or load the sweep's study in ``storage``; a study of that name describing another sweep raises ``ValueError``."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    check_study(spec, storage)
    study = optuna.create_study(storage=storage, study_name=spec.study_name(), direction="minimize", load_if_exists=True,
                                sampler=make_sampler(spec, worker_index))
    if study.user_attrs.get("sweep") is None:
        study.set_user_attr("sweep", spec.identity())
    check_study(spec, storage)  # another command may have created it in between
    return study


def run_trial(spec: SweepSpec, trial: optuna.Trial, out_dir, place: int | None = None) -> float:
    """Train and score one trial with the training seed of its ``place`` in the sweep (default: its number).

    The trial's facts go to its user attributes.
    """
    started = time.perf_counter()
    splits = spec.splits
    values = spaces.suggest(trial, spec.space)
    hyper = training_hyperparams(spec, values)
    trial.set_user_attr("hyperparams", json.loads(json.dumps(hyper)))
    log_dir = os.path.join(os.fspath(out_dir), TRIALS_DIR, f"{trial.number:05d}")
    policy, info = train_policy(spec.algo, spec.regularization, splits.train_env_kwargs(), hyper,
                                budget=spec.budget, seed=spec.trial_seed(trial.number if place is None else place),
                                log_dir=log_dir)
    val = splits.evaluate(policy, "val")
    test = splits.evaluate(policy, "test")
    for key, value in {"val_cost": val.cost, "val_ci": val.ci, "test_cost": test.cost, "test_ci": test.ci,
                       "test_fill_rate": test.fill_rate, "train_seconds": time.perf_counter() - started,
                       "trainer": info}.items():
        trial.set_user_attr(key, value)
    if val.cost != val.cost or val.cost == float("inf"):
        raise FloatingPointError(f"validation cost is {val.cost}")
    return val.cost


def worker_main(spec_identity: dict, out_dir, storage_url, n_trials: int, worker_index: int = 0, report=None,
                heartbeat_interval: int = HEARTBEAT_INTERVAL_S) -> int:
    """One worker: take trials until the study holds ``n_trials`` finished ones; return how many it ran.

    ``report``, if given, is called with each trial this worker finishes (a ``FrozenTrial``).
    """
    _die_with_parent()
    import torch  # a dependency of agents; imported here so that the CLI's parser stays light

    # Workers share the machine's cores: one torch thread each (the default is far slower here).
    torch.set_num_threads(1)
    # This loop records heartbeats itself (agents.sweep.storage.heartbeat) around ask/tell,
    # which Optuna only expects from Study.optimize; its warnings about that are noise here.
    warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used with Study.optimize")
    spec = SweepSpec.from_identity(spec_identity)
    storage = open_storage(out_dir, storage_url, heartbeat_interval)
    study = open_study(spec, storage, worker_index)
    ran = 0
    while True:
        with contextlib.ExitStack() as running:
            with study_lock(out_dir, storage_url, study.study_name):
                fail_stale_trials(study, storage, storage_url)
                trials = study.get_trials(deepcopy=False)
                if sum(is_finished(t) for t in trials) >= n_trials:
                    return ran
                queued = any(t.state == TrialState.WAITING for t in trials)
                if sum(counts_towards_budget(t) for t in trials) >= n_trials and not queued:
                    trial = None  # the running trials fill the sweep: wait for them (or for them to go stale)
                else:
                    trial = study.ask()
                    running.enter_context(heartbeat(storage, study, trial))  # its first heartbeat, then claim it
                    claim(trial)
                    place = sweep_place(storage.get_trial(trial_id(storage, study, trial.number)), trials)
            if trial is None:
                time.sleep(POLL_S)
                continue
            try:
                value = run_trial(spec, trial, out_dir, place=place)
            except optuna.exceptions.UpdateFinishedTrialError:
                frozen = None  # failed as stale by another worker (below)
            except Exception as error:  # a failed training is a finished trial that used its budget
                print(f"trial {trial.number} failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
                with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
                    trial.set_user_attr("error", f"{type(error).__name__}: {error}")
                frozen = study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)
            else:
                frozen = study.tell(trial, value, skip_if_finished=True)
        if frozen is None or not is_finished(frozen):
            # Another worker saw no heartbeat for the grace period (this machine stalled) and failed the trial,
            # which runs again from the queue: this worker's result is dropped, the sweep is unaffected.
            print(f"trial {trial.number} was failed as stale by another worker; its retry replaces it", file=sys.stderr,
                  flush=True)
            continue
        ran += 1
        if report is not None:
            report(frozen)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (a killed sweep leaves no orphan workers)."""
    if not sys.platform.startswith("linux") or multiprocessing.parent_process() is None:
        return
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def run_sweep(spec: SweepSpec, out_dir, *, n_trials: int, workers: int = 1, storage_url=None, log=None,
              progress: bool = True, heartbeat_interval: int = HEARTBEAT_INTERVAL_S) -> dict:
    """Run (or resume, or extend) the sweep in ``out_dir`` until it holds ``n_trials`` finished trials.

    With ``storage_url`` (a database shared by several machines), workers record a heartbeat
    every ``heartbeat_interval`` seconds, and a trial without one for 4 intervals is failed
    and run again. Returns the summary (:func:`agents.sweep.report.summarize`), also written
    to ``out_dir``.
    """
    from agents.sweep.report import summarize, trial_table

    check_spec(spec)
    if storage_url is not None:
        # a bad URL, or a database holding another sweep under this name, fails before the directory exists
        check_study(spec, open_storage(out_dir, storage_url, heartbeat_interval))
    resumed = prepare_out_dir(out_dir, spec)
    study = open_study(spec, open_storage(out_dir, storage_url, heartbeat_interval))
    done_before = len(trial_table(study))
    if log:
        log(f"{'resuming' if resumed else 'starting'} sweep {spec.study_name()} in {os.fspath(out_dir)}: "
            f"{done_before} of {n_trials} trials done, {workers} worker(s)")
    args = (spec.identity(), os.fspath(out_dir), storage_url, n_trials)
    options = {"heartbeat_interval": heartbeat_interval}
    bar = None
    try:
        if workers == 1:
            bar = _progress_bar(n_trials, done_before, progress)
            worker_main(*args, 0, lambda trial: _report(bar, trial), **options)
            failures = 0
        else:
            # fork: workers start at once with the coordinator's imports; the coordinator has run
            # no torch op and started no thread yet (the progress bar comes after), so fork is safe.
            context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            processes = [context.Process(target=worker_main, args=args + (i,), kwargs=options) for i in range(workers)]
            for process in processes:
                process.start()
            bar = _progress_bar(n_trials, done_before, progress)
            failures = _watch(processes, study, bar)
    finally:
        if bar is not None:
            bar.close()
    summary = summarize(spec, study, out_dir, n_trials=n_trials)
    summary["worker_failures"] = failures
    return summary


def _progress_bar(n_trials: int, done: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=n_trials, initial=min(done, n_trials), desc="trials", unit="trial", disable=not enabled)


def _report(bar, trial) -> None:
    attrs = trial.user_attrs
    if "error" in attrs:
        line = f"trial {trial.number}: failed ({attrs['error']})"
    else:
        line = (f"trial {trial.number}: validation {attrs.get('val_cost', float('nan')):.4f}  "
                f"test {attrs.get('test_cost', float('nan')):.4f}  ({attrs.get('train_seconds', 0.0):.1f} s)")
    if not bar.disable:
        bar.write(line)
    bar.update(1)


def _watch(processes, study, bar) -> int:
    """Wait for the workers, reporting the trials they finish; return how many workers failed."""
    from agents.sweep.report import trial_table

    seen = {row["number"] for row in trial_table(study)}
    try:
        while any(p.is_alive() for p in processes):
            time.sleep(1.0)
            for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL)):
                if trial.number not in seen and (trial.state == TrialState.COMPLETE or "error" in trial.user_attrs):
                    seen.add(trial.number)
                    _report(bar, trial)
    finally:
        for process in processes:
            process.join()
    return sum(p.exitcode != 0 for p in processes)
