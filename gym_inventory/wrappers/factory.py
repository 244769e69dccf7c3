"""``regularize(env, kind)``: the single or the vector regularization wrapper, whichever fits ``env``.

Its own module, so that the single wrapper (:mod:`gym_inventory.wrappers.regularization`)
and the vector one (:mod:`gym_inventory.vector.wrappers`) need not import each other.
"""
from __future__ import annotations

import gymnasium as gym

from gym_inventory.remap import check_kind


def regularize(env, kind: str, **options):
    """Wrap ``env`` so that its action is mu of regularization ``kind``.

    Args:
        env: a single inventory env (``gym.make("InventoryLeadTime-v0", ...)``) or a
            vector one (:class:`~gym_inventory.vector.InventoryVectorEnv`, possibly wrapped).
        kind: a name of :data:`gym_inventory.remap.REGULARIZATIONS` (``"none"``, ``"base"``,
            ``"coeff"``, ``"both"``).
        **options: ``low``, ``high``, ``coefficient_bounds``, ``bias_bounds``, ``order_cap``,
            ``integer`` (see :class:`RegularizedAction`).

    >>> import gymnasium as gym, gym_inventory
    >>> env = regularize(gym.make("InventoryLeadTime-v0"), "both", order_cap=100.0)
    >>> env.action_space.shape
    (5,)
    """
    check_kind(kind)
    if isinstance(env, gym.vector.VectorEnv):
        from gym_inventory.vector.wrappers import VectorRegularizedAction

        return VectorRegularizedAction(env, kind, **options)
    if not isinstance(env, gym.Env):
        raise TypeError(f"env must be a gymnasium Env or VectorEnv, got {env!r}")
    from gym_inventory.wrappers.regularization import RegularizedAction

    return RegularizedAction(env, kind, **options)
