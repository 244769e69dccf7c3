"""rl-zoo3 hyperparameter files for ``InventoryLeadTime-v0``, shipped with the package.

rl-zoo3 reads hyperparameters from ``--conf-file``; these files hold one entry,
``InventoryLeadTime-v0``, whose ``env_wrapper`` applies
:func:`agents.sb3.env.regularize_and_rescale` (the regularization, then mu rescaled to
[-1, 1], exactly as ``gym-inventory train`` does)::

    python -m rl_zoo3.train --algo ppo --env InventoryLeadTime-v0 --gym-packages gym_inventory \\
        --conf-file "$(python -m agents.zoo ppo)"

Change ``regularization: none`` to ``base``, ``coeff`` or ``both`` in a copy of the file
to train with a regularization (see docs/agents.md). Their ``callback``,
:class:`agents.zoo.callbacks.InventoryValidation`, adds ``gym-inventory train``'s
validation, best-weights restore and initial action bias.
"""
from __future__ import annotations

import os

ZOO_DIR = os.path.dirname(os.path.abspath(__file__))
#: Algorithms with a shipped rl-zoo3 file (rl-zoo3's names).
ZOO_ALGORITHMS = ("a2c", "ars", "ddpg", "ppo", "ppo_lstm", "sac", "td3", "tqc", "trpo")


def conf_file(algo: str) -> str:
    """Path of the shipped rl-zoo3 hyperparameter file of ``algo`` (rl-zoo3's name, e.g. ``ppo``)."""
    if algo not in ZOO_ALGORITHMS:
        raise ValueError(f"no rl-zoo3 file for {algo!r}; shipped: {list(ZOO_ALGORITHMS)}")
    return os.path.join(ZOO_DIR, f"{algo}.yml")
