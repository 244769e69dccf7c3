"""An SB3 run directory: what was trained (run.json), the trained model, checkpoints, TensorBoard.

Layout::

    DIR/run.json            {"kind": "sb3", "algo", "regularization", "env_config", "hyperparams", "seed",
                             "total_timesteps", "status": "running" | "complete", "result"}
    DIR/model.zip           the best model (lowest validation cost), written when training ends
    DIR/vecnormalize.pkl    its observation statistics (with normalize_observation only)
    DIR/checkpoint.json     the latest checkpoint: {"step", "path", "validation"}, written last
    DIR/checkpoints/STEP/   model.zip, replay_buffer.pkl (off-policy), vecnormalize.pkl, best.pt
    DIR/tensorboard/        SB3's scalars and the validation metrics under inventory/

A checkpoint is a folder written completely before ``checkpoint.json`` points at it
(one atomic rename), so a kill at any moment leaves the previous checkpoint usable;
older folders are deleted only after the pointer moved. Nothing is overwritten: a
directory holding another run, a complete run, or files that are not a run is refused
with a ``ValueError``.
"""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import torch

from agents.runs import json_identity, prepare_run_dir, read_run, write_run

MODEL_FILE = "model.zip"
NORMALIZER_FILE = "vecnormalize.pkl"
REPLAY_BUFFER_FILE = "replay_buffer.pkl"
BEST_FILE = "best.pt"
CHECKPOINT_FILE = "checkpoint.json"
CHECKPOINTS_DIR = "checkpoints"
TENSORBOARD_DIR = "tensorboard"
#: The keys of run.json that say which run a directory holds.
IDENTITY_KEYS = ("kind", "algo", "regularization", "env_config", "hyperparams", "seed", "total_timesteps")


def run_identity(algo: str, regularization: str, env_config: dict, hyperparams: dict, seed: int, total_timesteps: int) -> dict:
    """What makes two runs the same run, as plain JSON values."""
    return json_identity({"kind": "sb3", "algo": algo, "regularization": regularization, "env_config": env_config,
                          "hyperparams": hyperparams, "seed": seed, "total_timesteps": total_timesteps})


def open_run_dir(run_dir, identity: dict) -> dict | None:
    """Make ``run_dir`` ready for the run ``identity`` (:func:`agents.runs.prepare_run_dir`);
    return its latest checkpoint record when it resumes, else None."""
    if not prepare_run_dir(run_dir, identity, IDENTITY_KEYS):
        return None
    pointer = os.path.join(os.fspath(run_dir), CHECKPOINT_FILE)
    if not os.path.exists(pointer):
        return None
    with open(pointer, encoding="utf-8") as handle:
        checkpoint = json.load(handle)
    checkpoint["path"] = os.path.join(os.fspath(run_dir), checkpoint["path"])
    return checkpoint


def save_checkpoint(run_dir, model, validation, off_policy: bool) -> None:
    """Write the training state now (model, replay buffer, statistics, best weights, validation state)."""
    run_dir = os.fspath(run_dir)
    step = int(model.num_timesteps)
    relative = os.path.join(CHECKPOINTS_DIR, str(step))
    folder = os.path.join(run_dir, relative)
    if os.path.exists(folder):  # a partial folder of a killed attempt at this very step
        shutil.rmtree(folder)
    os.makedirs(folder)
    _save_model(folder, model)
    if off_policy:
        model.save_replay_buffer(os.path.join(folder, REPLAY_BUFFER_FILE))
    torch.save(_best_state(validation), os.path.join(folder, BEST_FILE))
    for output in model.logger.output_formats:  # TensorBoard events up to here must survive a kill
        writer = getattr(output, "writer", None)
        if writer is not None:
            writer.flush()
    record = {"step": step, "path": relative, "validation": validation.state}
    with open(os.path.join(run_dir, CHECKPOINT_FILE + ".tmp"), "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1)
    os.replace(os.path.join(run_dir, CHECKPOINT_FILE + ".tmp"), os.path.join(run_dir, CHECKPOINT_FILE))
    _prune(os.path.join(run_dir, CHECKPOINTS_DIR), keep=str(step))


def _best_state(validation) -> dict:
    rms = validation.best_obs_rms
    return {
        "weights": validation.best_weights,
        "obs_mean": None if rms is None else torch.as_tensor(np.asarray(rms.mean)),
        "obs_var": None if rms is None else torch.as_tensor(np.asarray(rms.var)),
        "obs_count": None if rms is None else float(rms.count),
    }


def restore_best(validation, checkpoint_path) -> None:
    """Give ``validation`` the best weights (and statistics) saved in a checkpoint folder."""
    from stable_baselines3.common.running_mean_std import RunningMeanStd

    best = torch.load(os.path.join(checkpoint_path, BEST_FILE), map_location="cpu", weights_only=True)
    validation.best_weights = best["weights"]
    if best["obs_mean"] is not None:
        rms = RunningMeanStd(shape=tuple(best["obs_mean"].shape))
        rms.mean, rms.var, rms.count = best["obs_mean"].numpy(), best["obs_var"].numpy(), best["obs_count"]
        validation.best_obs_rms = rms


def save_final(run_dir, model, run: dict, result: dict) -> None:
    """Write the trained model (and statistics), then run.json complete; remove the checkpoints."""
    run_dir = os.fspath(run_dir)
    _save_model(run_dir, model)
    write_run(run_dir, dict(run, status="complete", result=result))
    # The run is complete: its checkpoints (replay buffers can be large) are no longer needed.
    shutil.rmtree(os.path.join(run_dir, CHECKPOINTS_DIR), ignore_errors=True)
    if os.path.exists(os.path.join(run_dir, CHECKPOINT_FILE)):
        os.remove(os.path.join(run_dir, CHECKPOINT_FILE))


def _save_model(folder: str, model) -> None:
    """The model and, with normalize_observation, its observation statistics, into ``folder``."""
    model.save(os.path.join(folder, MODEL_FILE))
    normalizer = model.get_vec_normalize_env()
    if normalizer is not None:
        normalizer.save(os.path.join(folder, NORMALIZER_FILE))


def _prune(folder: str, keep: str) -> None:
    for name in os.listdir(folder):
        if name != keep:
            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)


def load_model(run_dir, device="cpu"):
    """``(run, model, obs_normalizer)`` of a complete SB3 run directory."""
    from stable_baselines3.common.vec_env import VecNormalize

    from agents.sb3.algorithms import get_algorithm, split_options
    from agents.sb3.env import make_vec_env

    run_dir = os.fspath(run_dir)
    run = read_run(run_dir)
    if run["kind"] != "sb3":
        raise ValueError(f"{run_dir!r} holds a run of kind {run['kind']!r}, not an SB3 run")
    if run.get("status") != "complete":
        raise ValueError(f"the SB3 run in {run_dir!r} is not complete (status {run.get('status')!r}); finish training first")
    model = get_algorithm(run["algo"]).cls.load(os.path.join(run_dir, MODEL_FILE), device=device)
    options = split_options(run["hyperparams"])[0]
    normalizer = None
    if options["normalize_observation"]:
        venv = make_vec_env(run["regularization"], run["env_config"], regularization_options=options["regularization_options"],
                            observation_parts=options["observation_parts"])
        normalizer = VecNormalize.load(os.path.join(run_dir, NORMALIZER_FILE), venv)
        normalizer.training = False
    return run, model, normalizer


def load_policy(run_dir, device="cpu"):
    """The trained :class:`~agents.sb3.policy.SB3Policy` of a complete SB3 run directory."""
    from agents.sb3.algorithms import split_options
    from agents.sb3.policy import SB3Policy

    run, model, normalizer = load_model(run_dir, device)
    options = split_options(run["hyperparams"])[0]
    return SB3Policy(
        model, run["regularization"], run["env_config"], regularization_options=options["regularization_options"],
        observation_parts=options["observation_parts"], obs_normalizer=normalizer,
        name=f"{run['algo']}+{run['regularization']}",
    )
