"""The natively batched vector env and the vector regularization wrappers.

``gym.make_vec("InventoryLeadTime-v0", num_envs=N, vectorization_mode="vector_entry_point")``
returns an :class:`InventoryVectorEnv`; :func:`gym_inventory.wrappers.regularize`
wraps it with the vector wrapper of a regularization kind.
"""
from __future__ import annotations

from gym_inventory.vector.inventory_vector_env import InventoryVectorEnv, make_inventory_vector_env
from gym_inventory.vector.wrappers import (
    VECTOR_WRAPPERS,
    VectorBaseStockAction,
    VectorBothAction,
    VectorCoeffAction,
    VectorDirectAction,
    VectorRegularizedAction,
)

__all__ = [
    "VECTOR_WRAPPERS",
    "InventoryVectorEnv",
    "VectorBaseStockAction",
    "VectorBothAction",
    "VectorCoeffAction",
    "VectorDirectAction",
    "VectorRegularizedAction",
    "make_inventory_vector_env",
]
