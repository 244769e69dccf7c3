"""Every SB3 / sb3-contrib algorithm trains through every regularization wrapper; the batched SB3 VecEnv adapter.

Budgets are tiny (64 steps, nets of 8 units, horizon 8): these tests check that the
algorithms run unchanged on the wrapped envs, not how well they learn.
"""
from __future__ import annotations

import copy
import doctest

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import SyncVectorEnv
from sb3_contrib import ARS, TQC, TRPO, RecurrentPPO
from stable_baselines3 import A2C, DDPG, PPO, SAC, TD3
from stable_baselines3.common.vec_env import DummyVecEnv, VecMonitor

import agents.vec_env as vec_env_module
from agents.vec_env import BatchedVecEnv, make_inventory_vec_env, merge_sku_options
from gym_inventory.remap import REGULARIZATIONS
from gym_inventory.vector import InventoryVectorEnv
from gym_inventory.wrappers import regularize

ENV_ID = "InventoryLeadTime-v0"
HORIZON = 8
TINY_NET = {"net_arch": [8]}
OFF_POLICY = dict(learning_starts=16, batch_size=16, buffer_size=256, train_freq=8, gradient_steps=2,
                  policy_kwargs=TINY_NET)

ALGORITHMS = {
    "PPO": (PPO, "MlpPolicy", dict(n_steps=32, batch_size=32, n_epochs=1, policy_kwargs=TINY_NET)),
    "A2C": (A2C, "MlpPolicy", dict(n_steps=8, policy_kwargs=TINY_NET)),
    "DDPG": (DDPG, "MlpPolicy", OFF_POLICY),
    "TD3": (TD3, "MlpPolicy", dict(OFF_POLICY, policy_delay=2)),
    "SAC": (SAC, "MlpPolicy", OFF_POLICY),
    "TQC": (TQC, "MlpPolicy", dict(OFF_POLICY, policy_kwargs=dict(TINY_NET, n_critics=1, n_quantiles=5))),
    "TRPO": (TRPO, "MlpPolicy", dict(n_steps=32, batch_size=32, cg_max_steps=3, n_critic_updates=1,
                                     policy_kwargs=TINY_NET)),
    "RecurrentPPO": (RecurrentPPO, "MlpLstmPolicy", dict(n_steps=16, batch_size=16, n_epochs=1,
                                                         policy_kwargs=dict(TINY_NET, lstm_hidden_size=8))),
    "ARS": (ARS, "LinearPolicy", dict(n_delta=2, n_top=1)),
}


def make_env(kind):
    return regularize(gym.make(ENV_ID, horizon=HORIZON, lead_time=1), kind)


@pytest.mark.parametrize("kind", REGULARIZATIONS)
@pytest.mark.parametrize("name", ALGORITHMS)
def test_algorithm_learns_through_the_wrapper(name, kind):
    algorithm, policy, kwargs = copy.deepcopy(ALGORITHMS[name])  # SB3 may edit policy_kwargs in place
    env = make_env(kind)
    model = algorithm(policy, env, seed=0, device="cpu", **kwargs)
    model.learn(total_timesteps=64)
    assert model.num_timesteps >= 64
    action, _ = model.predict(env.reset(seed=1)[0], deterministic=True)
    assert env.action_space.contains(action.astype(np.float32))


@pytest.mark.parametrize("name", ["PPO", "SAC"])
def test_algorithm_learns_on_the_batched_vec_env(name):
    algorithm, policy, kwargs = copy.deepcopy(ALGORITHMS[name])
    venv = VecMonitor(make_inventory_vec_env(4, "both", horizon=HORIZON, lead_time=1))
    kwargs = dict(kwargs, n_steps=8) if name == "PPO" else kwargs
    model = algorithm(policy, venv, seed=0, device="cpu", **kwargs)
    model.learn(total_timesteps=64)
    assert model.num_timesteps >= 64
    assert len(model.ep_info_buffer) == 4 * (model.num_timesteps // 4) // HORIZON  # VecMonitor saw the episodes


def single_envs(num_envs, kind, **kwargs):
    return DummyVecEnv([lambda: regularize(gym.make(ENV_ID, **kwargs), kind) for _ in range(num_envs)])


@pytest.mark.parametrize("kind", ["none", "base", "coeff", "both"])
def test_batched_vec_env_matches_dummy_vec_env_of_single_envs(kind):
    # Constant demand (Normal, std 0) fixes every episode, so autoresets must agree too.
    kwargs = dict(horizon=3, lead_time=1, review_period=2, demand="normal", demand_kwargs={"mean": 6.0, "std": 0.0})
    batched = make_inventory_vec_env(3, kind, **kwargs)
    reference = single_envs(3, kind, **kwargs)
    np.testing.assert_array_equal(batched.reset(), reference.reset())
    space = batched.action_space
    rng = np.random.default_rng(0)
    for step in range(7):
        actions = rng.uniform(space.low, space.high, (3,) + space.shape).astype(np.float32)
        obs, rewards, dones, infos = batched.step(actions)
        ref_obs, ref_rewards, ref_dones, ref_infos = reference.step(actions)
        np.testing.assert_array_equal(obs, ref_obs)
        np.testing.assert_array_equal(rewards, ref_rewards)
        assert rewards.dtype == ref_rewards.dtype == np.float32
        np.testing.assert_array_equal(dones, ref_dones)
        assert dones.all() == (step % 3 == 2)
        for info, ref_info in zip(infos, ref_infos):
            assert info.get("TimeLimit.truncated", False) == ref_info["TimeLimit.truncated"]
            if dones.all():
                np.testing.assert_array_equal(info["terminal_observation"], ref_info["terminal_observation"])
                assert info["episode_metrics"] == ref_info["episode_metrics"]


@pytest.mark.parametrize("mode", ["NextStep", "Disabled"])
def test_batched_vec_env_keeps_sb3_conventions_in_every_autoreset_mode(mode):
    # The adapter over a NEXT_STEP or DISABLED vector env returns exactly what it returns over SAME_STEP.
    kwargs = dict(horizon=3, lead_time=1, demand="poisson", demand_kwargs={"mean": 6.0})
    same_step = BatchedVecEnv(regularize(InventoryVectorEnv(3, autoreset_mode="SameStep", **kwargs), "base"))
    other = BatchedVecEnv(regularize(InventoryVectorEnv(3, autoreset_mode=mode, **kwargs), "base"))
    for venv in (same_step, other):
        venv.seed(2)
    np.testing.assert_array_equal(other.reset(), same_step.reset())
    rng = np.random.default_rng(1)
    for step in range(8):
        actions = rng.uniform(0.0, 6.0, (3, 1)).astype(np.float32)
        expected, actual = same_step.step(actions), other.step(actions)
        for value, reference in zip(actual[:3], expected[:3]):
            np.testing.assert_array_equal(value, reference)
            assert value.dtype == reference.dtype
        assert actual[2].all() == (step % 3 == 2)
        for info, ref_info in zip(actual[3], expected[3]):
            assert sorted(info) == sorted(ref_info)
            assert info.pop("episode_metrics", None) == ref_info.pop("episode_metrics", None)
            for key in info:
                np.testing.assert_array_equal(info[key], ref_info[key])
        assert other.reset_infos == same_step.reset_infos


def test_per_sku_reset_options_are_stacked():
    kwargs = dict(horizon=3, lead_time=0, demand="poisson", demand_kwargs={"mean": 4.0})
    demand = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    batched = make_inventory_vec_env(2, info_keys=("demand", "cost"), **kwargs)
    reference = DummyVecEnv([lambda: gym.make(ENV_ID, **kwargs) for _ in range(2)])
    for venv in (batched, reference):
        venv.set_options([{"demand": path} for path in demand])
        venv.seed(4)
    np.testing.assert_array_equal(batched.reset(), reference.reset())
    orders = np.array([[2.0], [7.0]], np.float32)
    _, rewards, _, infos = batched.step(orders)
    _, ref_rewards, _, ref_infos = reference.step(orders)
    np.testing.assert_array_equal(rewards, ref_rewards)
    assert [info["demand"] for info in infos] == [1.0, 4.0]
    assert [info["cost"] for info in infos] == [info["cost"] for info in ref_infos]
    assert batched.reset_infos[1]["scale"] == 4.0


def test_merge_sku_options():
    same = {"demand": np.ones((2, 3))}
    assert merge_sku_options([same, dict(same)]) == same
    merged = merge_sku_options([{"demand": [1.0, 2.0]}, {"demand": [3.0, 4.0]}])
    np.testing.assert_array_equal(merged["demand"], [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="same keys"):
        merge_sku_options([{"demand": [1.0]}, {"history": [1.0]}])


def test_attributes_and_errors():
    venv = make_inventory_vec_env(3, "base", horizon=4, regularization_options={"order_cap": 9.0})
    assert venv.get_attr("max_episode_steps") == [4, 4, 4]  # found through the wrapper
    assert venv.get_attr("num_envs", indices=[0, 2]) == [3, 3]
    assert venv.env_is_wrapped(gym.Wrapper) == [False, False, False]
    venv.reset()
    assert [value.shape for value in venv.env_method("decision_state", indices=0)[0][2:4]] == [(3,), (3, 5)]
    # Issue 15: any autoreset mode is accepted; NEXT_STEP envs must end their episodes together.
    uneven = BatchedVecEnv(SyncVectorEnv([lambda: gym.make(ENV_ID, horizon=1), lambda: gym.make(ENV_ID, horizon=2)]))
    uneven.reset()
    with pytest.raises(ValueError, match="same step"):
        uneven.step(np.ones((2, 1), np.float32))
    with pytest.raises(TypeError, match="VectorEnv"):
        BatchedVecEnv(gym.make(ENV_ID))
    with pytest.raises(TypeError, match="info_keys"):
        BatchedVecEnv(InventoryVectorEnv(num_envs=2), info_keys="cost")
    with pytest.raises(ValueError, match="regularization kind"):
        make_inventory_vec_env(2, regularization_options={"order_cap": 3.0})


def test_docstring_examples():
    assert doctest.testmod(vec_env_module).failed == 0
