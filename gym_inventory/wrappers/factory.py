"""``regularize(env, kind)``: the single or the vector regularization wrapper, whichever fits ``env``.

Its own module, so that the single wrapper (:mod:`gym_inventory.wrappers.regularization`)
and the vector one (:mod:`gym_inventory.vector.wrappers`) need not import each other.
"""
from __future__ import annotations

import gymnasium as gym

from gym_inventory.params import check_bool
from gym_inventory.remap import check_kind


def regularize(env, kind: str, *, normalize_action: bool = False, **options):
    """Wrap ``env`` so that its action is mu of regularization ``kind``.

    Args:
        env: a single inventory env (``gym.make("InventoryLeadTime-v0", ...)``) or a
            vector one (:class:`~gym_inventory.vector.InventoryVectorEnv`, possibly wrapped).
        kind: a name of :data:`gym_inventory.remap.REGULARIZATIONS` (``"none"``, ``"base"``,
            ``"coeff"``, ``"both"``).
        normalize_action: append Gymnasium's ``RescaleAction(-1, 1)`` (its vector version
            for a vector env): the action is then in ``[-1, 1]``, affine to mu's bounds.
        **options: ``low``, ``high``, ``coefficient_bounds``, ``bias_bounds``, ``order_cap``,
            ``integer`` (see :class:`RegularizedAction`).

    >>> import gymnasium as gym, gym_inventory
    >>> env = regularize(gym.make("InventoryLeadTime-v0"), "both", order_cap=100.0)
    >>> env.action_space.shape
    (5,)
    """
    check_kind(kind)
    normalize_action = check_bool("normalize_action", normalize_action)
    from gym_inventory.envs import normalized

    if isinstance(env, gym.vector.VectorEnv):
        from gym_inventory.vector import InventoryVectorEnv
        from gym_inventory.vector.wrappers import VectorRegularizedAction

        if not isinstance(env.unwrapped, InventoryVectorEnv):
            raise ValueError(
                f"regularize() on a vector env needs the native InventoryVectorEnv (gym.make_vec(..., "
                f"vectorization_mode='vector_entry_point')); {type(env.unwrapped).__name__} has no demand features "
                f"of its own: regularize each env with gym.make_vec(..., wrappers=[lambda env: regularize(env, {kind!r})])"
            )
        _check_untransformed_actions(env, env.unwrapped.action_space)
        wrapped = VectorRegularizedAction(env, kind, **options)
        return normalized(wrapped) if normalize_action else wrapped
    if not isinstance(env, gym.Env):
        raise TypeError(f"env must be a gymnasium Env or VectorEnv, got {env!r}")
    from gym_inventory.wrappers.regularization import RegularizedAction

    _check_untransformed_actions(env, env.unwrapped.action_space)
    wrapped = RegularizedAction(env, kind, **options)
    return normalized(wrapped) if normalize_action else wrapped


def _check_untransformed_actions(env, own_space) -> None:
    # mu becomes an order in units: a wrapper that already rescales the actions would rescale orders.
    if env.action_space != own_space:
        raise ValueError(
            f"env's action space {env.action_space} is not the inventory env's {own_space} (already rescaled or "
            "regularized?); regularize the env without it, e.g. regularize(gym.make(ID), kind, normalize_action=True)"
        )
