"""Helpers for policies from other RL libraries, which act on observations rather than on states.

:func:`gym_inventory.evaluate` scores a :class:`~gym_inventory.policy.Policy` of this
package; :func:`cost_per_day` scores any ``act(obs) -> action`` function (a trained
network of SB3, Tianshou, RLlib, ...) on a Gymnasium env, in money per day.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from gym_inventory.params import check_int


def cost_per_day(env, act: Callable[[np.ndarray], np.ndarray], *, episodes: int, seed: int) -> float:
    """Mean cost per day (money, ``info["cost"]``) of ``act`` over ``episodes`` whole episodes of ``env``.

    Episode ``i`` is reset with seed ``seed + i``, so two policies scored with the same
    arguments face the same demand paths.

    >>> import gymnasium as gym, numpy as np, gym_inventory
    >>> env = gym.make("InventoryLeadTime-v0", horizon=30, demand_kwargs={"mean": 5.0})
    >>> round(cost_per_day(env, lambda obs: np.array([5.0], np.float32), episodes=2, seed=0), 2) > 0
    True
    """
    episodes = check_int("episodes", episodes, 1)
    seed = check_int("seed", seed, 0)
    total, days = 0.0, 0
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        done = False
        while not done:
            obs, _, terminated, truncated, info = env.step(act(obs))
            total += float(info["cost"])
            done = terminated or truncated
        days += int(info["day"])
    return total / days
