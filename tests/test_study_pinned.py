"""The study's sampled paths are pinned: a change elsewhere (a faster sampler, chunked batches) must not move them.

The hashes below were computed from the code before the batched-reset work (issue 18) and cover, for every
study preset: the demand source's own sample (demand, features, context, scale), a simulator's episode (the
path, feat(x), the observations and rewards of a few constant orders), the training pool's episode, the
single env and the vector env. A failing hash means the study's published numbers would move.
"""
import hashlib

import gymnasium as gym
import numpy as np
import pytest

import gym_inventory
from gym_inventory.demand import make_demand
from gym_inventory.policies import BaseStock
from gym_inventory.study import Splits, get_setting

NAMES = ["setting1", "setting2", "setting3", "setting4", "setting4_h2", "setting4_h8", "setting4_h16",
         "setting4_h32", "setting4_h64"]

#: sha256 (first 20 hex digits) of each preset's arrays, from the code before issue 18's sampler change.
PINNED = {
    "setting1": "6991f4d452ed0f8ef6ad",
    "setting2": "f5eb1574291302b9cf88",
    "setting3": "f6407b1832af1f318231",
    "setting4": "12fe7907aaa89edd7eec",
    "setting4_h2": "12fe7907aaa89edd7eec",
    "setting4_h8": "f474557e6f35f4aacd0f",
    "setting4_h16": "62f2bb827e8b400219f1",
    "setting4_h32": "f2b7f0b07b3245be4adb",
    "setting4_h64": "3c25eaf68fe638b428d2",
}


def _digest(*arrays) -> str:
    hasher = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        hasher.update(f"{array.dtype.str}{array.shape}".encode())
        hasher.update(array.tobytes())
    return hasher.hexdigest()[:20]


def _episode(simulator, seed, order):
    """(path, feat(x), observations, rewards) of a few epochs of constant orders."""
    observations = [simulator.reset(np.random.default_rng(seed))]
    rewards = []
    for _ in range(min(3, simulator.params.horizon)):
        obs, reward, _ = simulator.step(np.full(simulator.n_skus, order))
        observations.append(obs)
        rewards.append(reward)
    return [simulator._demand, simulator.feature_path, np.stack(observations), np.stack(rewards)]


def study_digest(name: str) -> str:
    setting = get_setting(name)
    env_kwargs = setting.env_kwargs
    parts = []
    source = make_demand(env_kwargs["demand"], env_kwargs["demand_kwargs"])
    paths = source.sample(np.random.default_rng(11), 7, 64)
    parts += [paths.demand, paths.features, paths.dynamic, paths.static, paths.scale]
    parts += _episode(gym_inventory.make_simulator(5, **env_kwargs), 12, 9.0)
    parts += _episode(gym_inventory.make_simulator(1, **env_kwargs), 13, 9.0)
    train = Splits.of(setting, data_seed=3).train_env_kwargs()
    parts += _episode(gym_inventory.make_simulator(4, **train), 14, 9.0)
    env = gym.make("InventoryLeadTime-v0", **train)
    obs, _ = env.reset(seed=15)
    parts.append(obs)
    for _ in range(2):
        obs, reward, _, _, _ = env.step(np.array([9.0], np.float32))
        parts += [obs, np.float64(reward)]
    envs = gym.make_vec("InventoryLeadTime-v0", num_envs=3, vectorization_mode="vector_entry_point", **env_kwargs)
    obs, _ = envs.reset(seed=16)
    parts.append(obs)
    for _ in range(setting.env_kwargs["horizon"] + 1):  # past one autoreset
        obs, reward, _, _, _ = envs.step(np.full((3, 1), 9.0, np.float32))
        parts += [obs, reward]
    splits = Splits.of(setting, data_seed=3)
    result = splits.evaluate(BaseStock(level=3.0 * source.max_daily_mean), "val")
    parts += [result.per_trajectory, np.array([result.cost, result.ci, result.fill_rate, result.turnover_time])]
    return _digest(*parts)


@pytest.mark.parametrize("name", NAMES)
def test_study_paths_are_pinned(name):
    assert study_digest(name) == PINNED[name]
