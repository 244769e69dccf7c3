"""gym-inventory: Gymnasium environments for inventory control with lead times.

``import gym_inventory`` registers ``InventoryLeadTime-v0``; it does not import torch.
"""
from __future__ import annotations

from gymnasium.envs.registration import register, registry

from gym_inventory.demand import DEMAND_PRESETS, DemandModel, make_demand
from gym_inventory.dynamics import inventory_position, simulate_days
from gym_inventory.envs import InventoryEnv, make_simulator
from gym_inventory.params import InventoryParams

__version__ = "0.1.0"

ENV_ID = "InventoryLeadTime-v0"

if ENV_ID not in registry:
    register(
        id=ENV_ID,
        entry_point="gym_inventory.envs:make_inventory_env",
        vector_entry_point="gym_inventory.vector:make_inventory_vector_env",
    )

# Submodules and functions added by later layers, imported on first use so that
# ``import gym_inventory`` stays light (no torch, no scipy-heavy modules).
_LAZY = {
    "evaluate": ("gym_inventory.evaluation", "evaluate"),
    "Problem": ("gym_inventory.problem", "Problem"),
    "policies": ("gym_inventory.policies", None),
    "wrappers": ("gym_inventory.wrappers", None),
    "vector": ("gym_inventory.vector", None),
    "dp": ("gym_inventory.dp", None),
    "data": ("gym_inventory.data", None),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        return module if attribute is None else getattr(module, attribute)
    raise AttributeError(f"module 'gym_inventory' has no attribute {name!r}")


__all__ = [
    "DEMAND_PRESETS",
    "ENV_ID",
    "DemandModel",
    "InventoryEnv",
    "InventoryParams",
    "Problem",
    "inventory_position",
    "make_demand",
    "make_simulator",
    "simulate_days",
]
