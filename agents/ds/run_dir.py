"""A DS run directory: ``run.json`` (what was trained, how, and the outcome), weights, checkpoint, TensorBoard.

Layout::

    DIR/run.json          {"kind": "ds", "regularization", "env_config", "hyperparams", "seed",
                           "network", "integer", "warmup_epochs", "status", "result"}
    DIR/policy.pt         the best network's weights (state dict), written when training ends
    DIR/checkpoint.pt     the training state at the last validation (resumes an interrupted run)
    DIR/tensorboard/      inventory/train_cost_per_day, inventory/val_cost_per_day, ...

Nothing is overwritten: a directory holding another run (or anything but a DS run of
the same problem, hyperparameters and seed) is refused with a ``ValueError``.
"""
from __future__ import annotations

import json
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


def run_identity(regularization: str, env_config: dict, hyperparams: dict, seed: int) -> dict:
    """What makes two runs the same run, as plain JSON values."""
    identity = {"kind": "ds", "regularization": regularization, "env_config": env_config, "hyperparams": hyperparams, "seed": seed}
    try:
        return json.loads(json.dumps(identity))
    except TypeError as error:
        raise TypeError(
            f"a DS run directory stores env_config as JSON; pass preset names and plain values, not objects ({error})"
        ) from None


def read_run(run_dir) -> dict:
    """The run.json of ``run_dir``; ``ValueError`` when it is missing, unreadable or not a DS run."""
    run = runs.read_run(run_dir)
    if run["kind"] != "ds":
        path = os.path.join(os.fspath(run_dir), RUN_FILE)
        raise ValueError(f"{path!r} describes a run of kind {run['kind']!r}, not a DS run (kind 'ds')")
    return run


def write_run(run_dir, run: dict) -> None:
    """Write run.json atomically (a crash never leaves half a file)."""
    path = os.path.join(os.fspath(run_dir), RUN_FILE)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(run, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(path + ".tmp", path)


def open_run_dir(run_dir, identity: dict) -> dict | None:
    """Make ``run_dir`` ready for the run ``identity``; return the checkpoint state to resume from, or None.

    A missing or empty directory starts a new run. A directory holding this very run,
    interrupted, resumes from its checkpoint. Anything else raises ``ValueError``:
    another run, this run already complete, or files that are not a run.
    """
    run_dir = os.fspath(run_dir)
    if os.path.exists(run_dir) and not os.path.isdir(run_dir):
        raise ValueError(f"--out {run_dir!r} is a file, not a directory")
    if not os.path.isdir(run_dir) or not os.listdir(run_dir):
        os.makedirs(run_dir, exist_ok=True)
        write_run(run_dir, dict(identity, status="running"))
        return None
    if not os.path.exists(os.path.join(run_dir, RUN_FILE)):
        raise ValueError(f"--out {run_dir!r} is not empty and holds no {RUN_FILE}; choose a new directory")
    run = read_run(run_dir)
    differing = [key for key in IDENTITY_KEYS if run.get(key) != identity[key]]
    if differing:
        raise ValueError(
            f"--out {run_dir!r} holds a different run (differing in: {', '.join(differing)}); choose a new directory"
        )
    if run.get("status") == "complete":
        raise ValueError(f"--out {run_dir!r} already holds this run, complete; evaluate it or choose a new directory")
    checkpoint = os.path.join(run_dir, CHECKPOINT_FILE)
    if not os.path.exists(checkpoint):
        return None
    return torch.load(checkpoint, map_location="cpu", weights_only=True)


def save_checkpoint(run_dir, state: dict) -> None:
    """Write the training state atomically."""
    path = os.path.join(os.fspath(run_dir), CHECKPOINT_FILE)
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)


def save_policy(run_dir, network: OrderNetwork, run: dict) -> None:
    """Write the weights, then run.json with ``status: complete`` (a run is complete only with its weights)."""
    path = os.path.join(os.fspath(run_dir), WEIGHTS_FILE)
    torch.save({k: v.detach().cpu() for k, v in network.state_dict().items()}, path + ".tmp")
    os.replace(path + ".tmp", path)
    write_run(run_dir, dict(run, status="complete"))


def load_policy(run_dir, device="cpu") -> DSPolicy:
    """The trained :class:`~agents.ds.policy.DSPolicy` of a complete DS run directory."""
    run = read_run(run_dir)
    if run.get("status") != "complete":
        raise ValueError(f"the DS run in {os.fspath(run_dir)!r} is not complete (status {run.get('status')!r}); finish training first")
    network = OrderNetwork.from_config(run["network"])
    weights = torch.load(os.path.join(os.fspath(run_dir), WEIGHTS_FILE), map_location="cpu", weights_only=True)
    network.load_state_dict(weights)
    return DSPolicy(network, integer=run["integer"], device=device)
