"""InventoryVectorEnv against single envs: same demand and actions -> the same trajectories, step by step.

The oracle is Gymnasium's SyncVectorEnv over ``gym.make`` single envs in the same
autoreset mode (SAME_STEP, NEXT_STEP or DISABLED): it gives the reference observations,
rewards, truncations and the exact info layout (keys, ``_key`` masks, dtypes,
``final_obs``/``final_info``).
"""
from __future__ import annotations

import doctest

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv

import gym_inventory.vector.inventory_vector_env as vector_module
from gym_inventory.dynamics import inventory_position
from gym_inventory.remap import REGULARIZATIONS
from gym_inventory.vector import InventoryVectorEnv, VectorBothAction, VectorRegularizedAction
from gym_inventory.wrappers import regularize

ENV_ID = "InventoryLeadTime-v0"


def assert_same(actual, expected, where="infos"):
    """Equal values and dtypes, recursively through tuples, dicts and object arrays."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), where
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{where}[{index}]")
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert sorted(actual) == sorted(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{where}[{key!r}]")
        return
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype, f"{where}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{where}: shape {actual.shape} != {expected.shape}"
    if expected.dtype == object:
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{where}[{index}]")
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=where)


def assert_same_step(vector_step, sync_step):
    for name, actual, expected in zip(("obs", "reward", "terminated", "truncated", "infos"), vector_step, sync_step):
        assert_same(actual, expected, name)


MODES = [AutoresetMode.SAME_STEP, AutoresetMode.NEXT_STEP, AutoresetMode.DISABLED]


def sync_envs(num_envs, wrap=None, autoreset_mode=AutoresetMode.SAME_STEP, **kwargs):
    def make():
        env = gym.make(ENV_ID, **kwargs)
        return env if wrap is None else regularize(env, wrap)

    return SyncVectorEnv([make for _ in range(num_envs)], autoreset_mode=autoreset_mode)


def step_both(vector, sync, action):
    """One step of both envs (checked equal); with DISABLED autoreset, both reset after a truncation."""
    vector_step, sync_step = vector.step(action), sync.step(action)
    assert_same_step(vector_step, sync_step)
    if sync_step[3].all() and sync.metadata["autoreset_mode"] is AutoresetMode.DISABLED:
        with pytest.raises(RuntimeError, match="reset"):
            vector.step(action)
        assert_same(vector.reset(), sync.reset(), "reset after the episode")
    return vector_step


def random_actions(rng, space, steps):
    # Beyond the bounds on both sides, to exercise the documented clip.
    low, high = space.low, space.high
    span = high - low
    return [rng.uniform(low - 0.1 * span, high + 0.1 * span).astype(np.float32) for _ in range(steps)]


CONFIGS = {
    "default": {},
    "lost_sales_L0": {"lost_sales": True, "lead_time": 0},
    "L4_P3_lead_time_window": {"lead_time": 4, "review_period": 3, "reward_timing": "lead_time_window"},
    "service_raw_units": {"objective": "service", "normalize": False, "demand": "negative_binomial"},
    "noisy_forecasts_heterogeneous": {"forecast_noise": 0.3, "demand": "heterogeneous"},
    "ar1_time_limit": {"demand": "ar1", "max_episode_steps": 4},
    # 9 pipeline entries: numpy sums rows of 8 or more pairwise; the float path must agree.
    "lost_sales_L8_normal": {"lost_sales": True, "lead_time": 8, "demand": "normal"},
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("config", CONFIGS)
def test_one_sku_matches_a_single_env_over_episodes_and_autoresets(config, mode):
    # The single env steps on Python floats (InventorySimulator.step_sku), the vector env
    # on arrays (step): the same transition and bookkeeping must give the same bits.
    # One SKU draws from the same random stream as a single env with the same seed,
    # so even sampled demand (and autoreset episodes) must agree exactly.
    kwargs = dict(horizon=7, **CONFIGS[config])
    vector = gym.make_vec(ENV_ID, num_envs=1, vectorization_mode="vector_entry_point", autoreset_mode=mode, **kwargs)
    assert vector.metadata["autoreset_mode"] is mode
    sync = sync_envs(1, autoreset_mode=mode, **kwargs)
    assert_same(vector.reset(seed=3), sync.reset(seed=3), "reset")
    actions = random_actions(np.random.default_rng(0), vector.action_space, 20)
    truncations = 0
    for action in actions:
        truncations += int(step_both(vector, sync, action)[3][0])
    length = min(7, kwargs.get("max_episode_steps", 7)) + (mode is AutoresetMode.NEXT_STEP)  # + the reset step
    assert truncations == 20 // length


@pytest.mark.parametrize("wrap", [None, *REGULARIZATIONS])
def test_n_skus_with_replayed_demand_match_n_single_envs(wrap):
    # Five SKUs, each with its own demand path, pipeline and features; raw orders or mu.
    num_envs, horizon, lead_time = 5, 6, 2
    rng = np.random.default_rng(11)
    demand = rng.poisson(rng.uniform(1, 20, (num_envs, 1)), (num_envs, horizon)).astype(float)
    history = rng.poisson(8.0, (num_envs, 10)).astype(float)
    pipeline = rng.integers(0, 30, (num_envs, lead_time + 1)).astype(float)
    kwargs = dict(horizon=horizon, lead_time=lead_time, demand="poisson", demand_kwargs={"mean": 8.0})
    vector = InventoryVectorEnv(num_envs=num_envs, autoreset_mode=AutoresetMode.SAME_STEP, **kwargs)
    vector = vector if wrap is None else regularize(vector, wrap)
    sync = sync_envs(num_envs, wrap, **kwargs)

    obs, infos = vector.reset(seed=5, options={"demand": demand, "history": history, "initial_inventory": pipeline})
    expected = [
        env.reset(seed=5, options={"demand": demand[i], "history": history[i], "initial_inventory": pipeline[i]})
        for i, env in enumerate(sync.envs)
    ]
    assert_same(obs, np.stack([obs_i for obs_i, _ in expected]), "reset obs")
    for i, (_, info_i) in enumerate(expected):
        assert_same({key: value[i] for key, value in infos.items() if not key.startswith("_")}, info_i, "reset info")

    for action in random_actions(rng, vector.action_space, horizon - 1):
        assert_same_step(vector.step(action), sync.step(action))
    # The last step truncates: final_obs and final_info agree; the next episode is drawn afresh.
    action = random_actions(rng, vector.action_space, 1)[0]
    vector_step, sync_step = vector.step(action), sync.step(action)
    for index in range(4):
        assert_same(vector_step[index] if index else vector_step[4]["final_obs"],
                    sync_step[index] if index else sync_step[4]["final_obs"], f"last step {index}")
    assert_same(vector_step[4]["final_info"], sync_step[4]["final_info"], "final_info")
    assert vector_step[3].all() and not vector_step[2].any()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("wrap", [None, "base", "both"])
def test_n_skus_autoreset_matches_n_single_envs_with_deterministic_demand(wrap, mode):
    # Constant demand (Normal with std 0) makes every episode's path known, so N separate
    # single envs and one vector env must agree across autoresets too.
    kwargs = dict(horizon=4, lead_time=1, review_period=2, demand="normal", demand_kwargs={"mean": 6.0, "std": 0.0})
    vector = gym.make_vec(ENV_ID, num_envs=3, vectorization_mode="vector_entry_point", autoreset_mode=mode, **kwargs)
    vector = vector if wrap is None else regularize(vector, wrap)
    sync = sync_envs(3, wrap, autoreset_mode=mode, **kwargs)
    assert_same(vector.reset(seed=0), sync.reset(seed=0), "reset")
    length = 4 + (mode is AutoresetMode.NEXT_STEP)
    for step, action in enumerate(random_actions(np.random.default_rng(2), vector.action_space, 12)):
        vector_step = step_both(vector, sync, action)
        assert vector_step[3].all() == (step % length == 3)


def test_make_vec_builds_the_native_vector_env():
    envs = gym.make_vec(ENV_ID, num_envs=8, vectorization_mode="vector_entry_point", lead_time=3)
    assert isinstance(envs, InventoryVectorEnv)
    assert envs.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP  # Gymnasium's default (issue 15)
    assert InventoryVectorEnv.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP
    assert envs.num_envs == 8 and envs.params.lead_time == 3
    assert envs.action_space.shape == (8, 1) and envs.observation_space.shape == (8, envs.single_observation_space.shape[0])
    assert isinstance(gym.make_vec(ENV_ID, num_envs=2), InventoryVectorEnv)  # the default mode uses it too
    assert gym.make_vec(ENV_ID, num_envs=2, max_episode_steps=3, horizon=10).max_episode_steps == 3


def test_vector_wrappers_expose_mu_spaces_and_state():
    envs = regularize(InventoryVectorEnv(num_envs=4, lead_time=1, review_period=1), "both", order_cap=9.0)
    assert type(envs) is VectorRegularizedAction and envs.kind == "both"
    assert VectorBothAction(InventoryVectorEnv(num_envs=4, lead_time=1, review_period=1)).single_action_space == \
        envs.single_action_space  # the named alias builds the same space
    assert envs.single_action_space.shape == (5,) and envs.action_space.shape == (4, 5)
    assert envs.single_action_space.high[0] == 4.0  # 2 (L + P)
    envs.reset(seed=0)
    assert envs.unwrapped.features.shape == (4, 5) and envs.unwrapped.inventory_position.shape == (4,)
    _, _, _, _, infos = envs.step(np.full((4, 5), 2.0, np.float32))
    assert np.all(infos["order"] == 9.0)


def test_bad_input():
    envs = InventoryVectorEnv(num_envs=3, horizon=5)
    with pytest.raises(RuntimeError, match="reset"):
        envs.step(np.zeros((3, 1)))
    envs.reset(seed=0)
    with pytest.raises(ValueError, match=r"shape \(3, 1\)"):
        envs.step(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="finite"):
        envs.step(np.array([[1.0], [np.nan], [2.0]]))
    with pytest.raises(TypeError, match="actions"):
        envs.step(None)
    with pytest.raises(ValueError, match="reset_mask"):
        envs.reset(options={"reset_mask": np.array([True, False, True])})
    envs.reset(options={"reset_mask": np.ones(3, dtype=bool)})  # every SKU: allowed
    with pytest.raises(ValueError, match="autoreset_mode"):
        InventoryVectorEnv(num_envs=2, autoreset_mode="same_step")
    with pytest.raises(ValueError, match="unknown keys"):
        envs.reset(options={"demand_path": [1.0] * 5})
    with pytest.raises(TypeError, match="seed"):
        envs.reset(seed=[1, 2, 3])
    with pytest.raises(ValueError, match="render_mode"):
        InventoryVectorEnv(num_envs=2, render_mode="ansi")
    with pytest.raises(ValueError, match="num_envs"):
        InventoryVectorEnv(num_envs=0)
    with pytest.raises(ValueError, match="demand must have 5 days"):
        envs.reset(options={"demand": np.ones((3, 4))})
    wrapped = regularize(envs, "coeff")
    wrapped.reset(seed=0)
    with pytest.raises(ValueError, match=r"shape \(3, 5\)"):
        wrapped.step(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="finite"):
        wrapped.step(np.full((3, 5), np.nan))
    with pytest.raises(ValueError, match="features"):
        regularize(gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="sync"), "both")


def test_docstring_examples():
    assert doctest.testmod(vector_module).failed == 0


@pytest.mark.parametrize("lead_time", [0, 2, 6, 7, 9])
def test_batched_inventory_position_is_the_dynamics_one(lead_time):
    # The simulator sums large batches column by column; the numbers must be those of
    # dynamics.inventory_position (numpy's own reduction), to the last bit.
    envs = InventoryVectorEnv(num_envs=300, lead_time=lead_time, demand="gamma", horizon=3)
    envs.reset(seed=0, options={"initial_inventory": np.random.default_rng(1).gamma(2.0, 7.3, (300, lead_time + 1))})
    _, _, _, _, infos = envs.step(np.random.default_rng(2).uniform(0, 30, (300, 1)))
    expected = inventory_position(envs.pipeline)
    assert envs.inventory_position.tobytes() == expected.tobytes()
    assert infos["inventory_position"].tobytes() == expected.tobytes()


def test_the_throughput_benchmarks_bare_kernel_computes_the_env_step():
    # benchmarks.vector_throughput compares the env with a plain numpy kernel of "the same step":
    # it must compute the env's numbers (L = 2, P = 1, backlog, h = 1, p = 9, normalized).
    from benchmarks.vector_throughput import arithmetic_step

    envs = InventoryVectorEnv(num_envs=50, horizon=6)
    obs, _ = envs.reset(seed=4)
    simulator = envs.simulator
    state = {"net": simulator.pipeline[:, 0].copy(), "in_0": simulator.pipeline[:, 1].copy(),
             "in_1": simulator.pipeline[:, 2].copy()}
    orders = np.random.default_rng(5).integers(0, 12, (5, 50)).astype(np.float64)
    for epoch, order in enumerate(orders):
        demand = simulator.demand_path[:, epoch].copy()
        obs, reward, _, _, infos = envs.step(order[:, None])
        context = obs[:, 3:]
        kernel_obs, kernel_reward, record = arithmetic_step(state, demand, order, context, 1.0, 9.0, simulator.inverse_scale)
        np.testing.assert_array_equal(kernel_obs, obs)
        np.testing.assert_array_equal(kernel_reward, reward)
        for name, values in zip(("order", "demand", "sales", "backlog", "unmet_demand", "on_hand", "inventory_position",
                                 "holding_cost", "penalty_cost", "cost", "stockout_days", "on_hand_days"), record):
            np.testing.assert_array_equal(values, infos[name], err_msg=name)
