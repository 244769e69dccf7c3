"""A DS run directory: ``run.json`` (what was trained, how, and the outcome), weights, checkpoint, TensorBoard.

Layout::

    DIR/run.json          {"kind": "ds", "regularization", "env_config", "hyperparams", "seed",
                           "network", "integer", "warmup_epochs", "status", "result"}
    DIR/policy.pt         the best network's weights (state dict), written when training ends
    DIR/checkpoint.pt     the training state at the last validation (resumes an interrupted run)
    DIR/tensorboard/      inventory/train_cost_per_day, inventory/val_cost_per_day, ...

Nothing is overwritten: a directory holding another run (or anything but a DS run of
the same problem, hyperparameters and seed) is refused with a ``ValueError``; one process
at a time writes a run directory (its lock). Files are read with
``torch.load(weights_only=True)`` only, and policy.pt is checked against the sha256
manifest of run.json (:mod:`agents.runs`) first: a swapped, truncated or missing file, or
an edited run.json, is a ``ValueError`` naming it.
"""
from __future__ import annotations

import os

import torch

from agents import runs
from agents.ds.network import OrderNetwork
from agents.ds.policy import DSPolicy

RUN_FILE = runs.RUN_FILE
WEIGHTS_FILE = "policy.pt"
CHECKPOINT_FILE = "checkpoint.pt"
TENSORBOARD_DIR = "tensorboard"
#: The keys of run.json that say which run a directory holds.
IDENTITY_KEYS = ("kind", "regularization", "env_config", "hyperparams", "seed")
#: The keys of run.json the weights were written for (the manifest's identity): the network too.
MANIFEST_KEYS = IDENTITY_KEYS + ("network", "integer")


def run_identity(regularization: str, env_config: dict, hyperparams: dict, seed: int) -> dict:
    """What makes two runs the same run, as plain JSON values."""
    return runs.json_identity(
        {"kind": "ds", "regularization": regularization, "env_config": env_config, "hyperparams": hyperparams, "seed": seed}
    )


def read_run(run_dir) -> dict:
    """The run.json of ``run_dir``; ``ValueError`` when it is missing, unreadable or not a DS run."""
    run = runs.read_run(run_dir)
    if run["kind"] != "ds":
        path = os.path.join(os.fspath(run_dir), RUN_FILE)
        raise ValueError(f"{path!r} describes a run of kind {run['kind']!r}, not a DS run (kind 'ds')")
    return run


def open_run_dir(run_dir, identity: dict) -> dict | None:
    """Make ``run_dir`` ready for the run ``identity`` (:func:`agents.runs.prepare_run_dir`);
    return the checkpoint state to resume from, or None."""
    if not runs.prepare_run_dir(run_dir, identity, IDENTITY_KEYS):
        return None
    checkpoint = os.path.join(os.fspath(run_dir), CHECKPOINT_FILE)
    if not os.path.exists(checkpoint):
        return None
    state = runs.torch_load(checkpoint)
    if not isinstance(state, dict) or not {"network", "optimizer", "scheduler", "shuffler", "state"} <= set(state):
        raise ValueError(f"{checkpoint!r} is not a DS checkpoint; the run cannot resume")
    if state.pop("identity_sha256", None) != runs.identity_digest(identity, MANIFEST_KEYS):
        raise ValueError(f"{checkpoint!r} was written for another run (or run.json was edited); the run cannot resume")
    return state


def save_checkpoint(run_dir, state: dict) -> None:
    """Write the training state atomically, with the digest of the run it belongs to (checked on resume)."""
    path = os.path.join(os.fspath(run_dir), CHECKPOINT_FILE)
    run = runs.read_run(run_dir)
    torch.save(dict(state, identity_sha256=runs.identity_digest(run, MANIFEST_KEYS)), path + ".tmp")
    os.replace(path + ".tmp", path)


def save_policy(run_dir, network: OrderNetwork, run: dict) -> None:
    """Write the weights, then run.json with ``status: complete`` (a run is complete only with its weights)."""
    path = os.path.join(os.fspath(run_dir), WEIGHTS_FILE)
    torch.save({k: v.detach().cpu() for k, v in network.state_dict().items()}, path + ".tmp")
    os.replace(path + ".tmp", path)
    runs.write_run(run_dir, dict(run, status="complete", manifest=runs.manifest(run_dir, [WEIGHTS_FILE], run, MANIFEST_KEYS)))
    runs.unlock_run_dir(run_dir)


def load_policy(run_dir, device="cpu") -> DSPolicy:
    """The trained :class:`~agents.ds.policy.DSPolicy` of a complete DS run directory."""
    run = read_run(run_dir)
    if run.get("status") != "complete":
        raise ValueError(f"the DS run in {os.fspath(run_dir)!r} is not complete (status {run.get('status')!r}); finish training first")
    runs.verify_files(run_dir, run.get("manifest"), run, MANIFEST_KEYS, names=(WEIGHTS_FILE,))
    path = os.path.join(os.fspath(run_dir), WEIGHTS_FILE)
    weights = runs.torch_load(path)
    try:
        network = OrderNetwork.from_config(run["network"])
        network.load_state_dict(weights)
        integer = run["integer"]
    except (RuntimeError, ValueError, KeyError, TypeError, AttributeError) as error:
        message = " ".join(str(error).split())[:300]
        raise ValueError(f"{path!r} does not fit the network run.json describes: {message}") from None
    return DSPolicy(network, integer=integer, device=device)

