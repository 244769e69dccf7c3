"""Environment classes and the registered entry point."""
from __future__ import annotations

from gymnasium.wrappers import TimeLimit

from gym_inventory.envs.inventory_env import InventoryEnv, make_simulator


def make_inventory_env(**kwargs) -> TimeLimit:
    """Entry point of ``InventoryLeadTime-v0``: the env under a ``TimeLimit`` of ``horizon`` epochs.

    The horizon is a keyword of the env (it sizes the demand path), so the entry
    point applies Gymnasium's ``TimeLimit`` with it; ``env.spec.max_episode_steps``
    reports it.
    """
    env = InventoryEnv(**kwargs)
    return TimeLimit(env, max_episode_steps=env.params.horizon)


make_inventory_env.metadata = InventoryEnv.metadata

__all__ = ["InventoryEnv", "make_inventory_env", "make_simulator"]
