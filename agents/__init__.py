"""Training code for gym-inventory: Stable-Baselines3 / sb3-contrib agents and the DS trainer.

This package needs torch; ``gym_inventory`` itself does not. ``import agents`` stays
light: the names below import their modules (torch, SB3) on first use.

* :func:`make_env` / :func:`make_vec_env`: the inventory env for SB3 -- a
  regularization, mu rescaled to [-1, 1], optional observation normalization
  (:mod:`agents.sb3.env`);
* :func:`train`: train an SB3 / sb3-contrib algorithm by name, returning the best
  model and its validation record (:mod:`agents.sb3.train`);
* :func:`load_policy`: the trained policy of any run directory, SB3 or DS
  (:mod:`agents.loading`);
* :data:`ALGORITHMS`, :func:`load_hyperparams`: the algorithm registry and its
  hyperparameter files (:mod:`agents.sb3.algorithms`).
"""
from __future__ import annotations

import importlib

_LAZY = {
    "make_env": "agents.sb3.env",
    "make_vec_env": "agents.sb3.env",
    "train": "agents.sb3.train",
    "TrainResult": "agents.results",
    "SB3Policy": "agents.sb3.policy",
    "ALGORITHMS": "agents.sb3.algorithms",
    "load_hyperparams": "agents.sb3.algorithms",
    "load_policy": "agents.loading",
    "read_run": "agents.runs",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'agents' has no attribute {name!r}")
