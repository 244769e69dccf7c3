"""An SB3 run directory: what was trained (run.json), the trained model, checkpoints, TensorBoard.

Layout::

    DIR/run.json            {"kind": "sb3", "format", "algo", "regularization", "env_config", "hyperparams", "seed",
                             "total_timesteps", "status": "running" | "complete", "result", "manifest"}
    DIR/model.pt            the best model's state dicts (policy, optimizers) and counters, written when training ends
    DIR/normalizer.npz      its observation statistics (with normalize_observation only)
    DIR/checkpoint.json     the latest checkpoint: {"step", "path", "validation", "files"}, written last
    DIR/checkpoints/STEP/   model.pt, replay_buffer.npz (off-policy), normalizer.npz, best.pt
    DIR/tensorboard/        SB3's scalars and the validation metrics under inventory/

Nothing here is ever unpickled (:mod:`agents.runs`): a model is rebuilt by constructing
the algorithm class named in run.json (resolved from :data:`agents.sb3.algorithms.ALGORITHMS`)
with the stored hyperparameters, then loading its state dicts with
``torch.load(weights_only=True)``; statistics and replay buffers are ``.npz`` arrays read
with ``allow_pickle=False``. Every file is checked against the sha256 manifest of run.json
(or checkpoint.json) first. Directories of the older format (``model.zip``, ``*.pkl``:
SB3's pickles) are refused.

A checkpoint is a folder written completely before ``checkpoint.json`` points at it
(one atomic rename), so a kill at any moment leaves the previous checkpoint usable;
older folders are deleted only after the pointer moved. Nothing is overwritten: a
directory holding another run, a complete run, or files that are not a run is refused
with a ``ValueError``; one process at a time writes a run directory (its lock).
"""
from __future__ import annotations

import json
import os
import re
import shutil

import numpy as np
import torch

from agents.runs import (json_identity, manifest, prepare_run_dir, read_run, torch_load, unlock_run_dir, verify_files,
                         write_json, write_run)

MODEL_FILE = "model.pt"
NORMALIZER_FILE = "normalizer.npz"
REPLAY_BUFFER_FILE = "replay_buffer.npz"
BEST_FILE = "best.pt"
CHECKPOINT_FILE = "checkpoint.json"
CHECKPOINTS_DIR = "checkpoints"
TENSORBOARD_DIR = "tensorboard"
#: Files of the older format, which unpickled: a directory holding one is refused.
LEGACY_FILES = ("model.zip", "vecnormalize.pkl", "replay_buffer.pkl")
#: The keys of run.json that say which run a directory holds.
IDENTITY_KEYS = ("kind", "algo", "regularization", "env_config", "hyperparams", "seed", "total_timesteps")
#: Attributes of an SB3 model restored from model.pt beside its state dicts.
COUNTERS = ("num_timesteps", "_n_updates", "_episode_num", "_current_progress_remaining")
#: Arrays of an SB3 replay buffer (those the buffer has) and of VecNormalize's statistics.
BUFFER_ARRAYS = ("observations", "next_observations", "actions", "rewards", "dones", "timeouts")
NORMALIZER_ARRAYS = ("obs_mean", "obs_var", "obs_count", "ret_mean", "ret_var", "ret_count", "returns")


def run_identity(algo: str, regularization: str, env_config: dict, hyperparams: dict, seed: int, total_timesteps: int) -> dict:
    """What makes two runs the same run, as plain JSON values."""
    return json_identity({"kind": "sb3", "algo": algo, "regularization": regularization, "env_config": env_config,
                          "hyperparams": hyperparams, "seed": seed, "total_timesteps": total_timesteps})


def open_run_dir(run_dir, identity: dict) -> dict | None:
    """Make ``run_dir`` ready for the run ``identity`` (:func:`agents.runs.prepare_run_dir`, which locks it);
    return its latest checkpoint record (files verified) when it resumes, else None."""
    _refuse_legacy(run_dir)
    if not prepare_run_dir(run_dir, identity, IDENTITY_KEYS):
        return None
    run_dir = os.fspath(run_dir)
    pointer = os.path.join(run_dir, CHECKPOINT_FILE)
    if not os.path.exists(pointer):
        return None
    try:
        with open(pointer, encoding="utf-8") as handle:
            checkpoint = json.load(handle)
        step, relative = int(checkpoint["step"]), checkpoint["path"]
        if not isinstance(relative, str) or re.fullmatch(rf"{CHECKPOINTS_DIR}/[0-9]+", relative.replace(os.sep, "/")) is None:
            raise ValueError(f"path {relative!r} is not a checkpoint folder")
        if not isinstance(checkpoint["validation"], dict):
            raise TypeError("validation is not a mapping")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise ValueError(f"{pointer!r} is damaged ({error}); the run cannot resume") from None
    checkpoint["step"], checkpoint["path"] = step, os.path.join(run_dir, relative)
    verify_files(checkpoint["path"], checkpoint, identity, IDENTITY_KEYS, names=(MODEL_FILE, BEST_FILE))
    return checkpoint


def _refuse_legacy(run_dir) -> None:
    for name in LEGACY_FILES:
        if os.path.exists(os.path.join(os.fspath(run_dir), name)):
            raise ValueError(
                f"{os.fspath(run_dir)!r} is a run directory in an unsupported format (it holds {name}, a pickle, "
                f"which is never loaded); retrain it with this version"
            )


def save_checkpoint(run_dir, model, validation, off_policy: bool, identity: dict) -> None:
    """Write the training state now (model, replay buffer, statistics, best weights, validation state)."""
    run_dir = os.fspath(run_dir)
    step = int(model.num_timesteps)
    relative = os.path.join(CHECKPOINTS_DIR, str(step))
    folder = os.path.join(run_dir, relative)
    if os.path.exists(folder):  # a partial folder of a killed attempt at this very step
        shutil.rmtree(folder)
    os.makedirs(folder)
    names = _save_model(folder, model)
    if off_policy:
        _save_arrays(os.path.join(folder, REPLAY_BUFFER_FILE), _buffer_arrays(model.replay_buffer))
        names.append(REPLAY_BUFFER_FILE)
    torch.save(_best_state(validation), os.path.join(folder, BEST_FILE))
    names.append(BEST_FILE)
    for output in model.logger.output_formats:  # TensorBoard events up to here must survive a kill
        writer = getattr(output, "writer", None)
        if writer is not None:
            writer.flush()
    record = {"step": step, "path": relative, "validation": validation.state,
              **manifest(folder, names, identity, IDENTITY_KEYS)}
    write_json(os.path.join(run_dir, CHECKPOINT_FILE), record)
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

    best = torch_load(os.path.join(checkpoint_path, BEST_FILE))
    validation.best_weights = best["weights"]
    if best["obs_mean"] is not None:
        rms = RunningMeanStd(shape=tuple(best["obs_mean"].shape))
        rms.mean, rms.var, rms.count = best["obs_mean"].numpy(), best["obs_var"].numpy(), best["obs_count"]
        validation.best_obs_rms = rms


def load_checkpoint(checkpoint: dict, model, off_policy: bool) -> None:
    """Load a verified checkpoint (:func:`open_run_dir`) into ``model``, freshly built for the same run."""
    folder = checkpoint["path"]
    _load_model(folder, model)
    if off_policy:
        _load_buffer(os.path.join(folder, REPLAY_BUFFER_FILE), model.replay_buffer)


def save_final(run_dir, model, run: dict, result: dict) -> None:
    """Write the trained model (and statistics), then run.json complete with its manifest; remove the
    checkpoints; release the run directory's lock."""
    run_dir = os.fspath(run_dir)
    names = _save_model(run_dir, model)
    write_run(run_dir, dict(run, status="complete", result=result, manifest=manifest(run_dir, names, run, IDENTITY_KEYS)))
    # The run is complete: its checkpoints (replay buffers can be large) are no longer needed.
    shutil.rmtree(os.path.join(run_dir, CHECKPOINTS_DIR), ignore_errors=True)
    if os.path.exists(os.path.join(run_dir, CHECKPOINT_FILE)):
        os.remove(os.path.join(run_dir, CHECKPOINT_FILE))
    unlock_run_dir(run_dir)


def _save_model(folder: str, model) -> list:
    """The model (state dicts and counters) and, with normalize_observation, its observation statistics,
    into ``folder``; returns the names of the files written."""
    from stable_baselines3.common.save_util import recursive_getattr

    state_dicts, variables = model._get_torch_save_params()
    state = {
        "params": model.get_parameters(),
        "variables": {name: recursive_getattr(model, name).detach().cpu() for name in variables},
        "counters": {name: getattr(model, name) for name in COUNTERS},
    }
    path = os.path.join(folder, MODEL_FILE)
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)
    names = [MODEL_FILE]
    normalizer = model.get_vec_normalize_env()
    if normalizer is not None:
        _save_arrays(os.path.join(folder, NORMALIZER_FILE), {
            "obs_mean": normalizer.obs_rms.mean, "obs_var": normalizer.obs_rms.var, "obs_count": normalizer.obs_rms.count,
            "ret_mean": normalizer.ret_rms.mean, "ret_var": normalizer.ret_rms.var, "ret_count": normalizer.ret_rms.count,
            "returns": normalizer.returns,
        })
        names.append(NORMALIZER_FILE)
    return names


def _load_model(folder: str, model) -> None:
    """Load ``folder``'s model.pt (and normalizer.npz) into ``model``, built for the same run; ``ValueError``
    naming the file when it does not fit."""
    from stable_baselines3.common.save_util import recursive_getattr, recursive_setattr

    path = os.path.join(folder, MODEL_FILE)
    state = torch_load(path)
    try:
        model.set_parameters(state["params"], exact_match=True, device=model.device)
        for name, value in state["variables"].items():
            current = recursive_getattr(model, name)
            if current.shape != value.shape:
                raise ValueError(f"{name} has shape {tuple(value.shape)}, the model {tuple(current.shape)}")
            recursive_setattr(model, f"{name}.data", value.data.to(current.device))
        for name in COUNTERS:
            setattr(model, name, type(getattr(model, name))(state["counters"][name]))
    except (RuntimeError, ValueError, KeyError, TypeError, AttributeError) as error:
        message = " ".join(str(error).split())[:300]
        raise ValueError(f"{path!r} does not fit the model run.json describes: {message}") from None
    if hasattr(model, "weights") and hasattr(model, "n_delta"):  # ARS keeps a flat copy of the weights
        model.weights = torch.nn.utils.parameters_to_vector(model.policy.parameters()).detach()
    normalizer = model.get_vec_normalize_env()
    if normalizer is not None:
        _load_normalizer(os.path.join(folder, NORMALIZER_FILE), normalizer)


def _load_normalizer(path: str, normalizer) -> None:
    arrays = _load_arrays(path, NORMALIZER_ARRAYS)
    for prefix, rms in (("obs", normalizer.obs_rms), ("ret", normalizer.ret_rms)):
        mean, var = arrays[f"{prefix}_mean"], arrays[f"{prefix}_var"]
        if mean.shape != np.shape(rms.mean) or var.shape != np.shape(rms.var):
            raise ValueError(f"{path!r} holds {prefix} statistics of shape {mean.shape}, the env's are {np.shape(rms.mean)}")
        rms.mean, rms.var, rms.count = mean.astype(np.float64), var.astype(np.float64), float(arrays[f"{prefix}_count"])
    if arrays["returns"].shape != np.shape(normalizer.returns):
        raise ValueError(f"{path!r} holds returns of shape {arrays['returns'].shape}, the env's are {np.shape(normalizer.returns)}")
    normalizer.returns = arrays["returns"]


def _buffer_arrays(buffer) -> dict:
    arrays = {name: getattr(buffer, name) for name in BUFFER_ARRAYS if isinstance(getattr(buffer, name, None), np.ndarray)}
    arrays["pos"], arrays["full"] = np.int64(buffer.pos), np.bool_(buffer.full)
    return arrays


def _load_buffer(path: str, buffer) -> None:
    current = _buffer_arrays(buffer)
    arrays = _load_arrays(path, tuple(current))
    for name, value in arrays.items():
        if value.shape != current[name].shape or value.dtype != current[name].dtype:
            raise ValueError(f"{path!r} holds {name} of shape {value.shape} and dtype {value.dtype}, the replay "
                             f"buffer's are {current[name].shape} and {current[name].dtype}")
    pos, full = int(arrays.pop("pos")), bool(arrays.pop("full"))
    if not 0 <= pos < buffer.buffer_size:
        raise ValueError(f"{path!r} holds a position {pos} outside the buffer (size {buffer.buffer_size})")
    for name, value in arrays.items():
        setattr(buffer, name, value)
    buffer.pos, buffer.full = pos, full


def _save_arrays(path: str, arrays: dict) -> None:
    with open(path + ".tmp", "wb") as handle:
        np.savez(handle, **{name: np.asarray(value) for name, value in arrays.items()})
    os.replace(path + ".tmp", path)


def _load_arrays(path: str, names) -> dict:
    """The arrays ``names`` of an .npz file, read with ``allow_pickle=False``; ``ValueError`` naming the file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = sorted(set(names) - set(data.files))
            if missing:
                raise ValueError(f"it holds no {', '.join(missing)}")
            return {name: data[name] for name in names}
    except (ValueError, OSError, EOFError, KeyError) as error:  # np.load raises ValueError for an object array
        message = " ".join(str(error).split())[:300]
        raise ValueError(f"{path!r} is not a valid array file of this run: {message}") from None


def _prune(folder: str, keep: str) -> None:
    for name in os.listdir(folder):
        if name != keep:
            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)


def load_model(run_dir, device="cpu"):
    """``(run, model, obs_normalizer)`` of a complete SB3 run directory, rebuilt from data (never unpickled)."""
    from agents.sb3.algorithms import get_algorithm, split_options
    from agents.sb3.env import make_vec_env
    from agents.sb3.model import build_model

    run_dir = os.fspath(run_dir)
    _refuse_legacy(run_dir)
    run = read_run(run_dir)
    if run["kind"] != "sb3":
        raise ValueError(f"{run_dir!r} holds a run of kind {run['kind']!r}, not an SB3 run")
    if run.get("status") != "complete":
        raise ValueError(f"the SB3 run in {run_dir!r} is not complete (status {run.get('status')!r}); finish training first")
    options = split_options(run["hyperparams"])[0]
    required = (MODEL_FILE,) + ((NORMALIZER_FILE,) if options["normalize_observation"] else ())
    verify_files(run_dir, run.get("manifest"), run, IDENTITY_KEYS, names=required)
    spec = get_algorithm(run["algo"])
    venv = make_vec_env(run["regularization"], run["env_config"], n_envs=options["n_envs"],
                        normalize_observation=options["normalize_observation"],
                        regularization_options=options["regularization_options"],
                        observation_parts=options["observation_parts"])
    model = build_model(spec.name, run["regularization"], run["env_config"], run["hyperparams"], venv,
                        seed=run["seed"], device=device)
    _load_model(run_dir, model)
    normalizer = model.get_vec_normalize_env()
    if normalizer is not None:
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
