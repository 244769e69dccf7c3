"""Every bad constructor argument, reset option and action raises a clear, named error."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import gym_inventory  # noqa: F401


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        ({"lead_time": -1}, ValueError, r"lead_time must be >= 0, got -1"),
        ({"lead_time": "2"}, TypeError, r"lead_time must be an integer, got '2'"),
        ({"lead_time": 1.5}, TypeError, r"lead_time must be an integer, got 1.5"),
        ({"review_period": 0}, ValueError, r"review_period must be >= 1, got 0"),
        ({"review_period": 2.5}, TypeError, r"review_period must be an integer, got 2.5"),
        ({"horizon": 0}, ValueError, r"horizon must be >= 1, got 0"),
        ({"holding_cost": -1.0}, ValueError, r"holding_cost must be >= 0, got -1.0"),
        ({"penalty_cost": float("nan")}, ValueError, r"penalty_cost must be finite, got nan"),
        ({"penalty_cost": "high"}, TypeError, r"penalty_cost must be a real number, got 'high'"),
        ({"lost_sales": "yes"}, TypeError, r"lost_sales must be a bool, got 'yes'"),
        ({"demand": "weibull"}, ValueError, r"demand must be one of .* got 'weibull'"),
        ({"demand": 3}, TypeError, r"demand must be a preset name or a DemandModel, got 3"),
        ({"demand_kwargs": {"lambda": 3}}, ValueError, r"demand_kwargs \{'lambda': 3\} do not fit demand 'poisson'"),
        ({"demand_kwargs": {"mean": -2}}, ValueError, r"mean must be > 0, got -2"),
        ({"demand": "negative_binomial", "demand_kwargs": {"mean": 5, "std": 1}}, ValueError, r"std\*\*2 > mean"),
        ({"reward_timing": "later"}, ValueError, r"reward_timing must be one of \['step', 'lead_time_window'\], got 'later'"),
        ({"objective": "profit"}, ValueError, r"objective must be one of"),
        ({"forecast_noise": -0.1}, ValueError, r"forecast_noise must be >= 0, got -0.1"),
        ({"max_order": 0}, ValueError, r"max_order must be > 0, got 0"),
        ({"render_mode": "text"}, ValueError, r"render_mode must be one of \['ansi', 'rgb_array', 'human'\] or None, got 'text'"),
        ({"render_size": (100, 50)}, ValueError, r"render_size must be at least \(240, 140\) pixels, got \(100, 50\)"),
        ({"render_size": 480}, TypeError, r"render_size must be \(width, height\) in pixels, got 480"),
        ({"initial_inventory": [1.0, 2.0]}, ValueError, r"initial_inventory must be a number or an array of shape \(3,\)"),
        ({"initial_inventory": [1.0, -2.0, 0.0]}, ValueError, r"initial_inventory must not hold negative stock"),
        ({"split": "train"}, ValueError, r"split='train' needs a demand source with splits"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        gym.make("InventoryLeadTime-v0", **kwargs)


def test_negative_net_inventory_is_refused_with_lost_sales():
    with pytest.raises(ValueError, match="initial_inventory must not hold negative stock"):
        gym.make("InventoryLeadTime-v0", lost_sales=True, initial_inventory=-3.0)


@pytest.fixture
def env():
    env = gym.make("InventoryLeadTime-v0", horizon=10, lead_time=2)
    env.reset(seed=0)
    return env


@pytest.mark.parametrize(
    "options, error, pattern",
    [
        ({"demand": np.ones(9)}, ValueError, r"demand must have 10 days per SKU, shape \(days,\) or \(1, days\), got shape \(1, 9\)"),
        ({"demand": np.ones((2, 10))}, ValueError, r"demand must have 10 days per SKU"),
        ({"demand": -np.ones(10)}, ValueError, r"demand must be >= 0 on every day, got min -1.0"),
        ({"demand": [1.0] * 9 + [float("nan")]}, ValueError, r"demand must be finite"),
        ({"demand": ["a"] * 10}, TypeError, r"demand must be numeric"),
        ({"features": np.ones((10, 4))}, ValueError, r"features must have shape \(10, 5\)"),
        ({"history": np.ones(3)}, ValueError, r"history is only used with a replayed demand path"),
        ({"initial_inventory": np.ones(5)}, ValueError, r"initial_inventory must be a number or an array of shape \(3,\)"),
        ({"lead": 1}, ValueError, r"options has unknown keys \['lead'\]"),
        ("demand", TypeError, r"options must be a dict, got 'demand'"),
    ],
)
def test_bad_reset_options(env, options, error, pattern):
    with pytest.raises(error, match=pattern):
        env.reset(seed=0, options=options)


def test_lead_time_window_needs_lead_time_more_days():
    env = gym.make("InventoryLeadTime-v0", horizon=10, lead_time=2, reward_timing="lead_time_window")
    with pytest.raises(ValueError, match=r"demand must have 12 days per SKU"):
        env.reset(seed=0, options={"demand": np.ones(10)})
    env.reset(seed=0, options={"demand": np.ones(12)})


@pytest.mark.parametrize(
    "action, error, pattern",
    [
        ([float("nan")], ValueError, r"action must be finite, got \[nan\]"),
        ([float("inf")], ValueError, r"action must be finite, got \[inf\]"),
        ([1.0, 2.0], ValueError, r"action must have shape \(1,\), got shape \(2,\)"),
        ([[1.0]], ValueError, r"action must have shape \(1,\), got shape \(1, 1\)"),
        ("ten", TypeError, r"action must be a number or an array of shape \(1,\), got 'ten'"),
        (None, TypeError, r"action must be a number or an array of shape \(1,\), got None"),
    ],
)
def test_bad_actions(env, action, error, pattern):
    with pytest.raises(error, match=pattern):
        env.unwrapped.step(action)
