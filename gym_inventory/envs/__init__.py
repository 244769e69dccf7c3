"""Environment classes and the registered entry point."""
from __future__ import annotations

import warnings

from gymnasium.vector import VectorEnv
from gymnasium.wrappers import RescaleAction, TimeLimit

from gym_inventory.envs.inventory_env import InventoryEnv, make_simulator
from gym_inventory.params import check_bool


def make_inventory_env(*, normalize_action: bool = False, **kwargs):
    """Entry point of ``InventoryLeadTime-v0``: the env under its one ``TimeLimit`` of ``horizon`` epochs.

    The horizon is a keyword of the env (it sizes the demand path), so the entry point
    applies Gymnasium's ``TimeLimit`` with it, and ``env.spec.max_episode_steps``
    reports it. The spec records :func:`make_bare_inventory_env` as its entry point:
    ``gym.make(env.spec)`` builds the env without this ``TimeLimit`` and applies the
    spec's own ``max_episode_steps``, so the rebuilt stack again has exactly one.

    Args:
        normalize_action: append Gymnasium's ``RescaleAction(-1, 1)``: the action is then
            in ``[-1, 1]``, affine to ``[0, max_order]`` (recorded in the spec's
            ``additional_wrappers``).
        **kwargs: the arguments of :class:`InventoryEnv`.
    """
    normalize_action = check_bool("normalize_action", normalize_action)
    env = InventoryEnv(**kwargs)
    env = TimeLimit(env, max_episode_steps=env.params.horizon)
    return normalized(env) if normalize_action else env


def make_bare_inventory_env(**kwargs) -> InventoryEnv:
    """The entry point that ``env.spec`` records: the env alone (``gym.make`` applies the spec's wrappers)."""
    return InventoryEnv(**kwargs)


make_bare_inventory_env.metadata = InventoryEnv.metadata


def normalized(env):
    """``env`` under Gymnasium's ``RescaleAction(-1, 1)`` (its vector version for a vector env).

    The action is then in ``[-1, 1]``, affine to the bounds of ``env.action_space``.
    Gymnasium builds the bounds in float64 and warns that casting them to the float32
    Box loses precision; -1 and 1 are exact in float32, so that warning is silenced here.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*precision lowered by casting to float32")
        if isinstance(env, VectorEnv):
            from gymnasium.wrappers.vector import RescaleAction as VectorRescaleAction

            return VectorRescaleAction(env, min_action=-1.0, max_action=1.0)
        return RescaleAction(env, min_action=-1.0, max_action=1.0)


make_inventory_env.metadata = InventoryEnv.metadata

__all__ = ["InventoryEnv", "make_bare_inventory_env", "make_inventory_env", "make_simulator", "normalized"]
