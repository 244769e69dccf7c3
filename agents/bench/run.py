"""``bench run``: train (or fit) one method on every instance of a suite, for several seeds, and score each run.

A method is a learned algorithm with a regularization (``algo`` one of
:data:`agents.sb3.algorithms.ALGORITHMS` or ``"ds"``, trained by
:func:`agents.sweep.trainers.train_policy` on the instance's training problem with the
algorithm's shipped hyperparameters) or a classical policy of :data:`CLASSICAL`,
fitted on the training problem by simulation (no learning; ``reg`` must be ``"none"``).
Each (instance, seed) is one run, scored by :func:`gym_inventory.bench.score_policy`
and stored in its own directory (:mod:`gym_inventory.bench.report` gives the layout).

Resumable: a run whose ``score.json`` exists is skipped (when it was made with the same
method, budget and evaluation options; else the command refuses before any work); an
interrupted training resumes from its trainer's checkpoint (the trainers' run
directories), a trained but unscored run is loaded and scored.

Where results live is a :class:`DirectoryStore`; another store only needs the same two
methods, ``get(cell)`` and ``put(cell, record)``, and to be passed as ``store``. With a
database (``bench run --storage URL``), several machines share the grid through an Optuna
study (:func:`agents.bench.shared.run_shared`).
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from gym_inventory.bench import get_suite, score_policy
from gym_inventory.bench.report import SCORE_FILE, cell_dir

DS = "ds"
#: Classical methods: name -> how it is fitted on the training problem (see :func:`classical_policy`).
CLASSICAL = ("best_base_stock", "best_capped_base_stock", "myopic")
#: Identity of a run: a stored score with other values is another run (refused, never overwritten).
IDENTITY_KEYS = ("method", "algo", "reg", "instance", "seed", "timesteps", "eval_trajectories", "eval_horizon",
                 "hyperparams_sha256", "label", "hyperparams_overrides")


#: A label names a method's hyperparameter overrides (``ppo+base@fast``): letters, digits, ``_ . -``.
LABEL_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def effective_hyperparams(algo: str, overrides: dict | None = None) -> dict:
    """``algo``'s shipped hyperparameters updated by ``overrides`` (validated; ``ValueError`` naming a bad key).

    DS's budget is the run's ``timesteps`` (gradient steps), so ``overrides`` may not set ``max_steps``.
    """
    from agents.sweep.trainers import default_hyperparams

    if overrides is None:
        return default_hyperparams(algo)
    if algo == DS:
        from agents.ds import DSConfig

        if "max_steps" in overrides:
            raise ValueError("DS hyperparameter overrides may not set max_steps: the budget is --timesteps (gradient steps)")
        return DSConfig.from_dict(dict(default_hyperparams(DS), **overrides), "hyperparameter overrides").to_dict()
    from agents.sb3.algorithms import load_hyperparams

    return load_hyperparams(algo, dict(overrides))


@functools.lru_cache(maxsize=None)
def hyperparams_digest(algo: str, overrides: str | None = None) -> str | None:
    """The first 16 hex digits of the sha256 of ``algo``'s hyperparameters (None: a classical method).

    ``overrides``: None (the shipped ``agents/hyperparams/<algo>.yml``) or the canonical JSON of
    a dict of overrides (:attr:`Cell.overrides`). Part of a cell's identity, so a stored score
    made with other hyperparameters (an older release's defaults, another ``--config``) is
    refused instead of being reused.
    """
    if algo in CLASSICAL:
        return None
    values = effective_hyperparams(algo, None if overrides is None else json.loads(overrides))
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Cell:
    """One run: a method on an instance with a seed.

    ``overrides`` (canonical JSON of a dict, or None) updates the algorithm's shipped
    hyperparameters; ``label`` names them in the method (``ppo+base@fast``), so runs with
    other hyperparameters never mix with the shipped defaults' in a directory or a report.
    """

    algo: str
    reg: str
    instance: str
    seed: int
    timesteps: int | None
    eval_trajectories: int | None = None
    eval_horizon: int | None = None
    overrides: str | None = None
    label: str | None = None

    @property
    def method(self) -> str:
        if self.algo in CLASSICAL:
            return self.algo
        return f"{self.algo}+{self.reg}" + ("" if self.label is None else f"@{self.label}")

    def hyperparams(self) -> dict:
        """The hyperparameters this cell trains with: the shipped file updated by ``overrides``."""
        return effective_hyperparams(self.algo, None if self.overrides is None else json.loads(self.overrides))

    def identity(self) -> dict:
        return {"method": self.method, "algo": self.algo, "reg": self.reg, "instance": self.instance, "seed": self.seed,
                "timesteps": self.timesteps, "eval_trajectories": self.eval_trajectories, "eval_horizon": self.eval_horizon,
                "hyperparams_sha256": hyperparams_digest(self.algo, self.overrides), "label": self.label,
                "hyperparams_overrides": None if self.overrides is None else json.loads(self.overrides)}


class DirectoryStore:
    """Scores as ``OUT/<method>/<instance>/seed_<k>/score.json`` (written atomically)."""

    def __init__(self, out_dir):
        self.out_dir = os.fspath(out_dir)
        if os.path.exists(self.out_dir) and not os.path.isdir(self.out_dir):
            raise ValueError(f"--out {self.out_dir!r} is a file, not a directory")

    def directory(self, cell: Cell) -> str:
        return cell_dir(self.out_dir, cell.method, cell.instance, cell.seed)

    def get(self, cell: Cell) -> dict | None:
        """The stored record of ``cell``, or None; ``ValueError`` when another run is stored there."""
        path = os.path.join(self.directory(cell), SCORE_FILE)
        if not os.path.exists(path):
            return None
        try:
            with open(path, encoding="utf-8") as handle:
                record = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path!r} is not valid JSON ({error}); move it away to rerun this run") from None
        differing = [k for k in IDENTITY_KEYS if record.get(k) != cell.identity()[k]]
        if differing:
            raise ValueError(f"{path!r} holds a different run (differing in: {', '.join(differing)}); "
                             f"choose another --out (nothing is overwritten)")
        return record

    def put(self, cell: Cell, record: dict) -> None:
        directory = self.directory(cell)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, SCORE_FILE)
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(path + ".tmp", path)


def check_method(algo: str, reg: str) -> tuple:
    """``(algo, reg)`` normalized; ``ValueError`` naming the bad one."""
    from gym_inventory.remap import check_kind

    if not isinstance(algo, str):
        raise TypeError(f"algo must be a string, got {algo!r}")
    algo = algo.lower()
    if algo in CLASSICAL:
        if reg != "none":
            raise ValueError(f"--reg applies to learned methods; the classical {algo!r} needs --reg none, got {reg!r}")
        return algo, "none"
    if algo != DS:
        from agents.sb3.algorithms import get_algorithm

        try:
            get_algorithm(algo)
        except ValueError:
            raise ValueError(f"--algo must be ds, an SB3 algorithm or one of {', '.join(CLASSICAL)}, got {algo!r}") from None
    return algo, check_kind(reg)


def plan(algo: str, reg: str, suite: str, seeds: int, timesteps: int | None, *, eval_trajectories=None,
         eval_horizon=None, hyperparams=None, label=None) -> list:
    """The cells of a command, validated.

    ``hyperparams``: None (the shipped defaults) or a dict of overrides of a learned method's
    hyperparameters (``bench run --config FILE``), which needs a ``label`` naming them.
    """
    from gym_inventory.params import check_int

    algo, reg = check_method(algo, reg)
    seeds = check_int("seeds", seeds, 1)
    if algo in CLASSICAL:
        timesteps = None
    else:
        timesteps = check_int("timesteps", timesteps, 1)
    for name, value in (("eval_trajectories", eval_trajectories), ("eval_horizon", eval_horizon)):
        if value is not None:
            check_int(name, value, 2)
    overrides = _check_overrides(algo, hyperparams, label)
    return [Cell(algo, reg, instance.name, seed, timesteps, eval_trajectories, eval_horizon, overrides, label)
            for instance in get_suite(suite) for seed in range(seeds)]


def _check_overrides(algo: str, hyperparams, label) -> str | None:
    """The canonical JSON of ``hyperparams`` (validated against ``algo``), or None; ``ValueError`` naming the bad one."""
    if hyperparams is None:
        if label is not None:
            raise ValueError(f"label names hyperparameter overrides (--config); without them it must be None, got {label!r}")
        return None
    if algo in CLASSICAL:
        raise ValueError(f"hyperparameter overrides (--config) apply to learned methods, not the classical {algo!r}")
    if not isinstance(hyperparams, dict):
        raise TypeError(f"hyperparams must be a dict of overrides, got {hyperparams!r}")
    if not isinstance(label, str) or not LABEL_PATTERN.fullmatch(label):
        raise ValueError("hyperparameter overrides need a label of letters, digits, '_', '.' or '-' (at most 64, "
                         f"naming the method ALGO+REG@LABEL), got label={label!r}")
    effective_hyperparams(algo, hyperparams)  # bad keys and values fail here, before any work
    try:
        return json.dumps(hyperparams, sort_keys=True)
    except TypeError:
        raise TypeError(f"hyperparams must hold plain YAML/JSON values, got {hyperparams!r}") from None


def classical_policy(algo: str, env_kwargs: dict, seed: int):
    """Fit the classical method ``algo`` on the training problem ``env_kwargs`` (search seed ``seed``)."""
    from gym_inventory import optimal
    from gym_inventory.evaluation import resolve_problem
    from gym_inventory.policies import Myopic

    search = dict(n_trajectories=64, horizon=1000, seed=seed)
    if algo == "best_base_stock":
        return optimal.best_base_stock(env_kwargs, **search).policy
    if algo == "best_capped_base_stock":
        return optimal.best_capped_base_stock(env_kwargs, **search).policy
    _, model = resolve_problem(env_kwargs)
    if model.integer:
        return Myopic()
    daily = optimal.fixed_daily_distribution(model)
    if daily is None:
        raise ValueError(f"myopic needs integer demand or a fixed daily distribution (for its cv), got {model!r}")
    return Myopic(distribution="normal", cv=float(daily.std() / daily.mean()))


def train_cell(cell: Cell, run_dir: str):
    """The trained policy of a learned cell: loaded when its run is complete, else trained (resuming)."""
    from agents import runs
    from agents.loading import load_policy
    from agents.sweep.trainers import train_policy
    from gym_inventory.bench import get_instance

    if os.path.exists(os.path.join(run_dir, runs.RUN_FILE)) and runs.read_run(run_dir).get("status") == "complete":
        return load_policy(run_dir), {}
    instance = get_instance(cell.instance)
    policy, info = train_policy(cell.algo, cell.reg, instance.train_env_kwargs, cell.hyperparams(),
                                budget=cell.timesteps, seed=cell.seed, log_dir=run_dir)
    return policy, info


def run_cell(cell: Cell, store_dir: str) -> dict:
    """Train or fit, score and store one cell; return its record."""
    from gym_inventory.bench import get_instance

    started = time.perf_counter()
    store = DirectoryStore(store_dir)
    instance = get_instance(cell.instance)
    if cell.algo in CLASSICAL:
        policy, info = classical_policy(cell.algo, instance.train_env_kwargs, cell.seed), {}
    else:
        policy, info = train_cell(cell, os.path.join(store.directory(cell), "run"))
    score = score_policy(policy, instance, n_trajectories=cell.eval_trajectories, horizon=cell.eval_horizon)
    record = dict(cell.identity(), **score.as_dict(), train=_jsonable(info),
                  wall_time_s=time.perf_counter() - started)
    store.put(cell, record)
    return record


def _jsonable(info: dict) -> dict:
    return {k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in info.items()}


def _worker_init() -> None:
    # one thread per worker: the workers are the parallelism (and the machine is shared); torch reads
    # OMP_NUM_THREADS when a learned run first imports it
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def run_bench(cells, out_dir, *, workers: int = 1, store=None, log=print) -> dict:
    """Run every cell not stored yet; return ``{"done": [...], "skipped": [...], "failed": [(cell, message)]}``.

    ``workers`` > 1 runs cells in that many processes. Bad input in a cell (an instance a
    classical method cannot fit) fails that cell only; the others still run.
    """
    from gym_inventory.params import check_int

    workers = check_int("workers", workers, 1)
    store = DirectoryStore(out_dir) if store is None else store
    pending, skipped = [], []
    for cell in cells:  # every stored record is checked before any work starts
        (skipped if store.get(cell) is not None else pending).append(cell)
    if skipped:
        log(f"{len(skipped)} run(s) already scored in {os.fspath(out_dir)}: skipped")
    done, failed = [], []

    def report(cell, record):
        done.append(record)
        log(f"{cell.method} {cell.instance} seed {cell.seed}: gap {100 * record['gap']:+.2f}% "
            f"(± {100 * record['gap_ci']:.2f}%), score {record['score']:.1f} ({record['wall_time_s']:.1f} s)")

    if workers == 1 or len(pending) <= 1:
        for cell in pending:
            try:
                report(cell, run_cell(cell, os.fspath(out_dir)))
            except ValueError as error:
                failed.append((cell, str(error)))
                log(f"{cell.method} {cell.instance} seed {cell.seed}: failed: {error}")
    else:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init) as pool:
            futures = {pool.submit(run_cell, cell, os.fspath(out_dir)): cell for cell in pending}
            for future in as_completed(futures):
                cell = futures[future]
                try:
                    report(cell, future.result())
                except ValueError as error:
                    failed.append((cell, str(error)))
                    log(f"{cell.method} {cell.instance} seed {cell.seed}: failed: {error}")
    return {"done": done, "skipped": skipped, "failed": failed}
