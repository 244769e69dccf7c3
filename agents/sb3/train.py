"""Train an SB3 / sb3-contrib algorithm on the inventory env through a regularization.

:func:`train` builds the batched env (:func:`agents.sb3.env.make_vec_env`), the model
with its initial action bias (:mod:`agents.sb3.initial_action`), validates it on a
fixed set of SKU trajectories while it learns (:class:`agents.sb3.callbacks.ValidationCallback`),
and returns the best model with its validation record. With ``log_dir`` it writes a
run directory (:mod:`agents.sb3.run_dir`): TensorBoard logs, checkpoints, the final
model; an interrupted run there resumes from its last checkpoint when called again
with the same arguments.
"""
from __future__ import annotations

import os
import time
import warnings

from agents.results import TrainResult
from agents.sb3 import run_dir as runs
from agents.sb3.algorithms import get_algorithm, load_hyperparams, split_options
from agents.sb3.callbacks import CheckpointCallback, ValidationCallback
from agents.sb3.env import env_kwargs as resolve_env_kwargs, make_vec_env, training_env_kwargs
from agents.sb3.model import build_model
from agents.sb3.policy import SB3Policy
from gym_inventory.params import check_int
from gym_inventory.remap import check_kind


def train(algo, regularization: str = "none", env_config=None, hyperparams=None, total_timesteps: int = 10_000,
          seed: int = 0, log_dir=None, *, device="cpu", progress_bar: bool = False, reference: bool = True,
          log=None, verbose: int = 0) -> TrainResult:
    """Train ``algo`` with ``regularization`` and return the best model found on the validation set.

    Args:
        algo: a name of :data:`agents.sb3.algorithms.ALGORITHMS` (``"ddpg"``, ``"ppo"``, ...).
        regularization: ``"none"``, ``"base"``, ``"coeff"`` or ``"both"``.
        env_config: ``gym.make`` keyword arguments (dict) or a YAML file of them; the agent trains
            on the reward timing of the ``reward_timing`` option
            (:func:`agents.sb3.env.training_env_kwargs`: by default the lead-time window where the
            lead time is fixed and ``env_config`` names no timing).
        hyperparams: overrides of the algorithm's default file: a dict, a YAML path or None
            (see :mod:`agents.sb3.algorithms`).
        total_timesteps: env steps to train for (SKU-epochs, summed over the ``n_envs`` SKUs).
        seed: seeds the env, the network and the algorithm's noise.
        log_dir: a run directory (TensorBoard, checkpoints, final model; resumes an
            interrupted run with the same arguments), or None: nothing written.
        device: torch device of the networks.
        progress_bar: show SB3's progress bar.
        reference: compute the best classical policy's cost on the validation set,
            for the gap logged at every validation.
        log: optional callable receiving one progress line per validation.
        verbose: SB3's verbosity (1: its tables on stdout).
    """
    from gym_inventory.baselines import best_baseline
    from gym_inventory.evaluation import split_problem

    started = time.perf_counter()
    spec = get_algorithm(algo)
    kind = check_kind(regularization)
    env_kwargs = resolve_env_kwargs(env_config)
    hyperparams = load_hyperparams(spec.name, hyperparams)
    total_timesteps = check_int("total_timesteps", total_timesteps, 1)
    seed = check_int("seed", seed, 0)
    options, _ = split_options(hyperparams)
    env_kwargs = training_env_kwargs(env_kwargs, options["reward_timing"])
    gamma = hyperparams.get("gamma")
    if env_kwargs.get("reward_timing", "step") == "step" and gamma is not None and gamma < 0.9:
        warnings.warn(
            f"training on the step reward with gamma {gamma}: an order's cost arrives L steps later, discounted by "
            f"gamma**L; the default gamma 0.5 is meant for reward_timing 'lead_time_window' (set gamma near 1)",
            UserWarning, stacklevel=2)
    venv_options = dict(n_envs=options["n_envs"], normalize_observation=options["normalize_observation"],
                        regularization_options=options["regularization_options"],
                        observation_parts=options["observation_parts"])
    venv = make_vec_env(kind, env_kwargs, seed=seed, **venv_options)
    model = build_model(spec.name, kind, env_kwargs, hyperparams, venv, seed=seed, device=device, verbose=verbose)

    run = checkpoint = None
    if log_dir is not None:
        run = runs.run_identity(spec.name, kind, env_kwargs, hyperparams, seed, total_timesteps)
        checkpoint = runs.open_run_dir(log_dir, run)
    val_kwargs, val_seed = split_problem(env_kwargs, "validate")
    val_options = dict(n_trajectories=options["val_trajectories"], horizon=options["val_horizon"], seed=val_seed)
    if checkpoint is not None:
        state = checkpoint["validation"]
        reference_cost = state.get("reference_cost")
        venv.close()
        # Rebuilt from data (never unpickled): the same constructor, then the checkpoint's state dicts.
        venv = make_vec_env(kind, env_kwargs, seed=seed + checkpoint["step"], **venv_options)
        model = build_model(spec.name, kind, env_kwargs, hyperparams, venv, seed=seed, device=device, verbose=verbose)
        runs.load_checkpoint(checkpoint, model, spec.off_policy)
        if log:
            log(f"resuming from the checkpoint at step {checkpoint['step']}")
    else:
        state = None
        reference_cost = best_baseline(val_kwargs, **val_options)["cost"] if reference else None

    def make_policy(current):
        return SB3Policy(current, kind, env_kwargs, regularization_options=options["regularization_options"],
                         observation_parts=options["observation_parts"], obs_normalizer=current.get_vec_normalize_env(),
                         name=f"{spec.name}+{kind}")

    validation = ValidationCallback(
        make_policy, val_kwargs, eval_freq=options["eval_freq"], reference_cost=reference_cost,
        patience=options["patience"], state=state, log=log, **val_options,
    )
    validation.state["reference_cost"] = reference_cost
    callbacks = [validation]
    if log_dir is not None:
        if checkpoint is not None:
            runs.restore_best(validation, checkpoint["path"])
        model.set_logger(tensorboard_logger(log_dir, None if checkpoint is None else checkpoint["step"], verbose=verbose))
        callbacks.append(CheckpointCallback(
            lambda current: runs.save_checkpoint(log_dir, current, validation, spec.off_policy, run),
            options["eval_freq"], start=0 if checkpoint is None else checkpoint["step"],
        ))
    # ARS's loop does not read callbacks' answers: with patience it learns eval_freq steps
    # at a time, and an early stop takes effect between them.
    chunked = spec.name == "ars" and options["patience"] is not None
    validation.validate_at_end = not chunked
    reset_num_timesteps = checkpoint is None
    while model.num_timesteps < total_timesteps and not validation.stopped_early:
        remaining = total_timesteps - model.num_timesteps
        model.learn(min(remaining, options["eval_freq"]) if chunked else remaining, callback=callbacks,
                    reset_num_timesteps=reset_num_timesteps, progress_bar=progress_bar)
        reset_num_timesteps = False
    if chunked:
        validation.finish()
    validation.restore_best()
    result = TrainResult(
        model=model, policy=make_policy(model), history=validation.state["history"],
        best_step=validation.state["best_step"], best_cost=validation.state["best_cost"], reference_cost=reference_cost,
        steps=int(model.num_timesteps), stopped_early=validation.stopped_early,
        wall_time_s=time.perf_counter() - started,
    )
    if log_dir is not None:
        runs.save_final(log_dir, model, run, {
            "best_step": result.best_step, "best_val_cost": result.best_cost, "reference_cost": reference_cost,
            "best_gap_pct": result.best_gap_pct, "steps": result.steps, "stopped_early": result.stopped_early,
            "history": result.history,
        })
        model.logger.close()
    return result


def tensorboard_logger(log_dir, resume_step: int | None, *, verbose: int = 0):
    """An SB3 ``Logger`` writing TensorBoard events into ``log_dir/tensorboard`` (one folder across resumes).

    Resuming from the checkpoint at ``resume_step``, TensorBoard is told to drop the
    events a killed attempt wrote after that step (``purge_step``; those at the step
    itself were written before the checkpoint), so the curves continue without
    duplicates; a restart without a checkpoint over an earlier attempt's events purges them all.
    """
    import sys

    from stable_baselines3.common.logger import HumanOutputFormat, Logger, TensorBoardOutputFormat
    from torch.utils.tensorboard import SummaryWriter

    folder = os.path.join(os.fspath(log_dir), runs.TENSORBOARD_DIR)
    if resume_step is not None:
        purge_step = resume_step + 1
    else:
        purge_step = 0 if os.path.isdir(folder) and os.listdir(folder) else None

    class ResumableTensorBoard(TensorBoardOutputFormat):
        def __init__(self):
            self.writer = SummaryWriter(log_dir=folder, purge_step=purge_step)
            self._is_closed = False

    outputs = [ResumableTensorBoard()] + ([HumanOutputFormat(sys.stdout)] if verbose else [])
    return Logger(folder=folder, output_formats=outputs)
