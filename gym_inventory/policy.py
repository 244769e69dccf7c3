"""The policy protocol shared by classical policies, trained SB3 and DS policies, and evaluation.

A policy maps a batch of decision states to orders in units (the unwrapped order
space): ``orders = policy(state)``. The same object serves one env
(``policy(env.unwrapped.decision_state())``) and the batched simulators.
"""
from __future__ import annotations

import abc
from typing import NamedTuple

import numpy as np

from gym_inventory.params import InventoryParams


class DecisionState(NamedTuple):
    """What a policy may look at when it orders, for ``n_skus`` SKUs."""

    observation: np.ndarray  # (n_skus, obs_dim) float32, the env's observation
    pipeline: np.ndarray  # (n_skus, lead_time + 1) units: net inventory, then arrivals in 0..L-1 days
    inventory_position: np.ndarray  # (n_skus,) units
    features: np.ndarray  # (n_skus, 5) feat(x), units of demand per day
    scale: np.ndarray  # (n_skus,) units per day
    epoch: int  # order epochs since the episode started
    params: InventoryParams


class Policy(abc.ABC):
    """An ordering rule: ``__call__(state) -> (n_skus,)`` float64 orders in units, >= 0."""

    #: Short name used in tables.
    name: str = "policy"

    @abc.abstractmethod
    def __call__(self, state: DecisionState) -> np.ndarray:
        """Orders for every SKU in ``state``."""

    def reset(self, n_skus: int) -> None:
        """Called at the start of each batch of episodes (policies with memory reset here)."""
