"""The env as Gymnasium and SB3 see it: registration, checkers, seeding, pickling, spec, rendering."""
from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env

import gym_inventory
from gym_inventory import InventoryEnv
from gym_inventory.render import display_problem

PRESETS = ["poisson", "normal", "negative_binomial", "gamma", "ar1", "nonstationary", "heterogeneous"]


def messages(caught):
    return sorted({str(w.message).replace("\x1b[33m", "").replace("\x1b[0m", "").split(".")[0] for w in caught})


@pytest.mark.parametrize("demand", PRESETS)
@pytest.mark.parametrize("lost_sales", [False, True])
def test_gymnasium_check_env_warnings_pinned(demand, lost_sales):
    env = gym.make("InventoryLeadTime-v0", demand=demand, lost_sales=lost_sales, lead_time=1,
                   review_period=2, horizon=10).unwrapped
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gym_check_env(env, skip_render_check=False)
    # The env keeps orders in units (the agents package rescales to [-1, 1]) and backlog
    # makes net inventory unbounded below: these three warnings are expected, and where no
    # window can open, the checker's try of render_mode="human" gets the documented warning.
    expected = [
        "WARN: A Box observation space maximum value is infinity",
        "WARN: A Box observation space minimum value is -infinity",
        "WARN: For Box action spaces, we recommend using a symmetric and normalized space (range=[-1, 1] or [0, 1])",
    ]
    problem = display_problem()
    if problem is not None:
        expected.append(f"WARN: render_mode='human' opens no window: {problem}".split(".")[0])
    assert messages(caught) == sorted(expected)


@pytest.mark.parametrize("demand", ["poisson", "heterogeneous"])
def test_sb3_check_env_warnings_pinned(demand):
    from stable_baselines3.common.env_checker import check_env

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(InventoryEnv(demand=demand))
    assert messages(caught) == [
        "We recommend you to use a symmetric and normalized Box action space (range=[-1, 1]) cf"
    ]


def test_registered_and_truncated_by_time_limit():
    env = gym.make("InventoryLeadTime-v0", horizon=4)
    assert env.spec.max_episode_steps == 4
    assert any(isinstance(w, gym.wrappers.TimeLimit) for w in _wrappers(env))
    env.reset(seed=0)
    flags = [env.step([1.0])[2:4] for _ in range(4)]
    assert flags == [(False, False)] * 3 + [(False, True)]


def _wrappers(env):
    while isinstance(env, gym.Wrapper):
        yield env
        env = env.env


def test_bare_env_past_horizon_raises():
    env = InventoryEnv(horizon=2)
    env.reset(seed=0)
    env.step([1.0])
    env.step([1.0])
    with pytest.raises(RuntimeError, match="horizon of 2"):
        env.step([1.0])


def test_make_with_module_prefix_without_prior_import():
    code = (
        "import gymnasium as gym, sys\n"
        "env = gym.make('gym_inventory:InventoryLeadTime-v0', lead_time=1)\n"
        "env.reset(seed=0)\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "import gym_inventory must not import torch"


def test_same_seed_same_trajectory_and_different_seed_differs():
    def trajectory(seed):
        env = gym.make("InventoryLeadTime-v0", demand="heterogeneous", forecast_noise=0.2, horizon=20)
        obs, _ = env.reset(seed=seed)
        rows = [obs]
        env.action_space.seed(seed)
        for _ in range(20):
            obs, reward, *_ = env.step(env.action_space.sample())
            rows.append(np.append(obs, reward))
        return np.concatenate(rows)

    np.testing.assert_array_equal(trajectory(3), trajectory(3))
    assert not np.array_equal(trajectory(3), trajectory(4))


def test_env_pickles_mid_episode():
    env = gym.make("InventoryLeadTime-v0", lead_time=3)
    env.reset(seed=1)
    env.step([4.0])
    clone = pickle.loads(pickle.dumps(env))
    for _ in range(5):
        a = env.step([3.0])
        b = clone.step([3.0])
        np.testing.assert_array_equal(a[0], b[0])
        assert a[1] == b[1]


def test_spec_round_trip_rebuilds_the_same_env():
    env = gym.make("InventoryLeadTime-v0", lead_time=3, review_period=2, horizon=7, lost_sales=True,
                   demand="gamma", demand_kwargs={"mean": 4.0, "std": 1.0})
    again = gym.make(env.spec)
    assert again.unwrapped.params == env.unwrapped.params
    assert again.spec.max_episode_steps == 7
    np.testing.assert_array_equal(env.reset(seed=5)[0], again.reset(seed=5)[0])


def test_public_state_and_layout():
    env = gym.make("InventoryLeadTime-v0", lead_time=2, demand="poisson", demand_kwargs={"mean": 4.0})
    obs, info = env.reset(seed=0, options={"initial_inventory": [6.0, 1.0, 2.0]})
    raw = env.unwrapped
    assert raw.inventory_position == 9.0 == info["inventory_position"]
    assert raw.scale == 4.0
    assert raw.features.shape == (5,) and raw.features[-1] == 1.0
    layout = raw.observation_layout
    np.testing.assert_allclose(obs[layout["pipeline"]], np.array([6.0, 1.0, 2.0]) / 4.0)
    np.testing.assert_allclose(obs[layout["features"]][:4], raw.features[:4] / 4.0, rtol=1e-6)
    assert obs[layout["features"]][4] == 1.0
    assert len(raw.observation_names) == obs.shape[0] == env.observation_space.shape[0]
    static = dict(zip(raw.observation_names[layout["static"]], obs[layout["static"]]))
    assert static["lead_time"] == 2.0 and static["critical_ratio"] == pytest.approx(0.9)


def test_normalized_reward_is_undoable():
    env = gym.make("InventoryLeadTime-v0", demand_kwargs={"mean": 8.0})
    env.reset(seed=0)
    _, reward, *_, info = env.step([10.0])
    assert -reward * env.unwrapped.reward_unit == pytest.approx(info["cost"])
    raw = gym.make("InventoryLeadTime-v0", demand_kwargs={"mean": 8.0}, normalize=False)
    raw.reset(seed=0)
    _, raw_reward, *_ = raw.step([10.0])
    assert raw_reward == pytest.approx(-info["cost"])


def test_info_has_the_documented_fields():
    env = gym.make("InventoryLeadTime-v0")
    env.reset(seed=0)
    info = env.step([5.0])[4]
    for key in ("order", "demand", "cost", "sales", "lost", "backlog", "on_hand", "pipeline",
                "inventory_position", "holding_cost", "penalty_cost", "stockout"):
        assert key in info
    # numpy values with fixed dtypes (issue 15: TorchRL's info reader needs a dtype on each).
    assert isinstance(info["cost"], np.float64) and info["stockout"].dtype == np.bool_ and info["stockout"].shape == ()


def test_out_of_bounds_finite_actions_are_clipped():
    env = gym.make("InventoryLeadTime-v0", max_order=30.0, normalize=False)
    env.reset(seed=0)
    assert env.step([-5.0])[4]["order"] == 0.0
    assert env.step([1e9])[4]["order"] == 30.0
    assert env.step(7.5)[4]["order"] == 7.5  # a scalar is accepted for one SKU


def test_service_objective_rewards_stockouts_and_stock():
    env = gym.make("InventoryLeadTime-v0", lead_time=0, lost_sales=True, objective="service", stockout_weight=2.0,
                   turnover_weight=0.5, normalize=False, demand_kwargs={"mean": 5.0})
    env.reset(seed=0, options={"demand": np.full(90, 5.0), "initial_inventory": 0.0})
    _, reward, *_ = env.step([3.0])  # 2 units short: one stockout day, nothing on hand
    assert reward == pytest.approx(-2.0)
    _, reward, *_ = env.step([15.0])  # 10 left on hand = 2 days of mean demand
    assert reward == pytest.approx(-0.5 * 10 / 5.0)


@pytest.mark.parametrize("mode", ["ansi", "rgb_array"])
def test_render_modes(mode):
    env = gym.make("InventoryLeadTime-v0", render_mode=mode, horizon=5)
    env.reset(seed=0)
    env.step([5.0])
    frame = env.render()
    if mode == "ansi":
        assert frame.startswith("day    0 | order     5.00")
    else:
        assert frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8


def test_package_exports():
    assert gym_inventory.ENV_ID == "InventoryLeadTime-v0"
    assert set(gym_inventory.DEMAND_PRESETS) >= set(PRESETS)


def test_pipeline_unit_scales_the_observed_pipeline_only():
    """pipeline_unit divides the observation's pipeline entries; rewards keep their unit."""
    raw = gym.make("InventoryLeadTime-v0", normalize=False, demand_kwargs={"mean": 5.0})
    scaled = gym.make("InventoryLeadTime-v0", normalize=False, pipeline_unit=20.0, demand_kwargs={"mean": 5.0})
    (obs_raw, _), (obs_scaled, _) = raw.reset(seed=4), scaled.reset(seed=4)
    width = raw.unwrapped.observation_layout["pipeline"]
    np.testing.assert_allclose(obs_scaled[width], obs_raw[width] / 20.0, rtol=1e-6)
    np.testing.assert_array_equal(obs_scaled[width.stop:], obs_raw[width.stop:])
    for _ in range(3):
        step_raw, step_scaled = raw.step(np.array([6.0], dtype=np.float32)), scaled.step(np.array([6.0], dtype=np.float32))
        assert step_raw[1] == step_scaled[1]
        np.testing.assert_allclose(step_scaled[0][width], step_raw[0][width] / 20.0, rtol=1e-6)
    with pytest.raises(ValueError, match="pipeline_unit"):
        gym.make("InventoryLeadTime-v0", pipeline_unit=-1.0)
