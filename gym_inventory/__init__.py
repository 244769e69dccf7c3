"""gym-inventory: Gymnasium environments for inventory control with lead times.

``import gym_inventory`` registers ``InventoryLeadTime-v0``; it does not import torch.
"""
from __future__ import annotations

from gymnasium.envs.registration import register, registry

from gym_inventory.demand import DEMAND_PRESETS, DemandModel, make_demand
from gym_inventory.dynamics import inventory_position, simulate_days
from gym_inventory.envs import InventoryEnv
from gym_inventory.params import InventoryParams

__version__ = "0.1.0"

ENV_ID = "InventoryLeadTime-v0"

if ENV_ID not in registry:
    register(
        id=ENV_ID,
        entry_point="gym_inventory.envs:make_inventory_env",
        vector_entry_point="gym_inventory.vector:InventoryVectorEnv",
    )

__all__ = [
    "DEMAND_PRESETS",
    "ENV_ID",
    "DemandModel",
    "InventoryEnv",
    "InventoryParams",
    "inventory_position",
    "make_demand",
    "simulate_days",
]
