"""Single-env regularization wrappers: orders by hand through the env, spec round-trip, errors, SB3 check_env."""
from __future__ import annotations

import doctest
import warnings

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.env_checker import check_env

import gym_inventory.wrappers.regularization as regularization_module
from conftest import make_trace_env
from gym_inventory.remap import REGULARIZATIONS
from gym_inventory.wrappers import (
    BaseStockAction,
    BothAction,
    CoeffAction,
    DirectAction,
    RegularizedAction,
    default_bounds,
    regularize,
)

WRAPPER_CLASSES = {"none": DirectAction, "base": BaseStockAction, "coeff": CoeffAction, "both": BothAction}


def make_env(**kwargs):
    defaults = dict(horizon=6, demand="poisson", demand_kwargs={"mean": 5.0})
    defaults.update(kwargs)
    return gym.make("InventoryLeadTime-v0", **defaults)


def rescaled(env):
    """SB3's check_env wants a float32 Box in [-1, 1]: rescale mu, as agents do."""
    shape = env.action_space.shape
    return gym.wrappers.RescaleAction(env, np.full(shape, -1.0, np.float32), np.full(shape, 1.0, np.float32))


def test_base_stock_hand_trace():
    # L = 2, P = 1, scale 5 (Poisson mean), target mu = 4 -> 20 units; starts with 15 on hand.
    # epoch 0: tot 15 -> order 5 (arrives day 2); demand 3 -> net 12, tot 17
    # epoch 1: order 3 (arrives day 3); demand 7 -> net 5, tot 5 + 5 + 3 = 13
    # epoch 2: order 7; day 2: +5 arrives, demand 4 -> net 6, tot 6 + 3 + 7 = 16
    env = BaseStockAction(make_trace_env(horizon=4, demand_kwargs={"mean": 5.0}))
    env.reset(seed=0, options={"demand": [3.0, 7.0, 4.0, 2.0]})
    infos = [env.step(np.array([4.0], np.float32))[4] for _ in range(3)]
    assert [info["order"] for info in infos] == [5.0, 3.0, 7.0]
    assert [info["inventory_position"] for info in infos] == [17.0, 13.0, 16.0]
    # Capped at 6.4 and rounded: epoch 2 orders 6.4 -> 6, so tot 13 - 4 + 6 = 15; epoch 3 orders 20 - 15 = 5.
    env = BaseStockAction(make_trace_env(horizon=4, demand_kwargs={"mean": 5.0}), order_cap=6.4, integer=True)
    env.reset(seed=0, options={"demand": [3.0, 7.0, 4.0, 2.0]})
    assert [env.step(np.array([4.0], np.float32))[4]["order"] for _ in range(4)] == [5.0, 3.0, 6.0, 5.0]


def test_coeff_and_both_use_the_features_of_the_decision():
    # Features given per epoch: epoch 0 [4, 6, 5, 5, 1], epoch 1 [8, 8, 8, 8, 1].
    features = np.array([[4.0, 6.0, 5.0, 5.0, 1.0], [8.0, 8.0, 8.0, 8.0, 1.0]])
    options = {"demand": [5.0, 5.0], "features": features}
    mu = np.array([0.0, 0.5, 1.0, 0.0, 0.5], np.float32)  # 3 + 5 + 0.5 = 8.5, then 4 + 8 + 0.5 = 12.5
    env = CoeffAction(make_trace_env(horizon=2, demand_kwargs={"mean": 5.0}))
    env.reset(seed=0, options=options)
    assert [env.step(mu)[4]["order"] for _ in range(2)] == [8.5, 12.5]
    # Both: target 3 x forecast_7 -> 15 - tot 15 = 0; then 24 - (10 + 0 + 0) = 14 (no order in transit)
    env = BothAction(make_trace_env(horizon=2, demand_kwargs={"mean": 5.0}))
    env.reset(seed=0, options=options)
    target = np.array([0.0, 0.0, 3.0, 0.0, 0.0], np.float32)
    assert [env.step(target)[4]["order"] for _ in range(2)] == [0.0, 14.0]


def test_direct_action_is_in_units_of_scale_and_mu_is_clipped_to_its_bounds():
    env = DirectAction(make_env(lead_time=1, review_period=2), high=3.0)
    env.reset(seed=0)
    assert env.step([1.5])[4]["order"] == 7.5
    assert env.step([100.0])[4]["order"] == 15.0  # mu clipped to high = 3 (documented clip)


@pytest.mark.parametrize("kind", REGULARIZATIONS)
def test_default_bounds(kind):
    # one class takes the kind; the named aliases build the same space
    env = regularize(make_env(lead_time=3, review_period=2), kind)
    assert type(env) is RegularizedAction and env.kind == kind
    assert WRAPPER_CLASSES[kind](make_env(lead_time=3, review_period=2)).action_space == env.action_space
    low, high = default_bounds(kind, 3, 2)
    # demand-feature coefficients non-negative, the bias (last entry) free
    expected = {"none": (0, 20), "base": (0, 20), "coeff": (0, 10), "both": (0, 10)}[kind]
    assert env.action_space.dtype == np.float32
    assert env.action_space.shape == ((1,) if kind in ("none", "base") else (5,))
    np.testing.assert_array_equal(env.action_space.low, low)
    np.testing.assert_array_equal(env.action_space.high, high)
    assert (low[0], high[0]) == expected
    if kind in ("coeff", "both"):
        assert (low[-1], high[-1]) == (-10, 10)


@pytest.mark.parametrize("kind", REGULARIZATIONS)
def test_spec_round_trip_rebuilds_the_same_env(kind):
    env = regularize(make_env(lost_sales=True), kind, low=-1.0 if kind in ("coeff", "both") else 0.5, high=3.0,
                     order_cap=40.0, integer=True)
    rebuilt = gym.make(env.spec)
    assert type(rebuilt) is type(env)
    assert rebuilt.action_space == env.action_space
    assert rebuilt.unwrapped.params == env.unwrapped.params
    assert rebuilt.spec.additional_wrappers[-1].kwargs == {"kind": kind,
                                                           "low": env.spec.additional_wrappers[-1].kwargs["low"],
                                                           "high": 3.0, "coefficient_bounds": None, "bias_bounds": None,
                                                           "order_cap": 40.0, "integer": True}
    actions = np.random.default_rng(1).uniform(env.action_space.low, env.action_space.high, (6, env.action_space.shape[0]))
    for one in (env, rebuilt):
        one.reset(seed=7)
        one.trace = [one.step(action.astype(np.float32))[4]["order"] for action in actions]
    assert env.trace == rebuilt.trace
    assert all(float(order).is_integer() and 0 <= order <= 40 for order in env.trace)


@pytest.mark.parametrize("kind", REGULARIZATIONS)
def test_check_env_on_each_wrapped_env(kind):
    # Rescaled to [-1, 1] (as agents do), SB3's checker has nothing to say.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(rescaled(regularize(make_env(), kind)))
    assert [str(w.message) for w in caught] == []


def test_check_env_warns_only_about_the_unnormalized_box():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(regularize(make_env(), "both"))
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "symmetric and normalized Box action space" in messages[0]


@pytest.mark.parametrize("kind", ["coeff", "both"])
def test_coeff_and_both_need_features(kind):
    with pytest.raises(ValueError, match="features"):
        regularize(gym.make("CartPole-v1"), kind)


def test_base_needs_an_inventory_env():
    with pytest.raises(ValueError, match="inventory_position"):
        BaseStockAction(gym.make("CartPole-v1"), low=0.0, high=1.0)


def test_bad_kind_and_bad_env():
    with pytest.raises(ValueError, match="'basestock'"):
        regularize(make_env(), "basestock")
    with pytest.raises(TypeError, match="string"):
        regularize(make_env(), None)
    with pytest.raises(TypeError, match="gymnasium Env"):
        regularize("InventoryLeadTime-v0", "base")


@pytest.mark.parametrize(
    "options, error, pattern",
    [
        ({"order_cap": 0.0}, ValueError, "order_cap"),
        ({"order_cap": "10"}, TypeError, "order_cap"),
        ({"integer": 1}, TypeError, "integer"),
        ({"low": 2.0, "high": 1.0}, ValueError, "low must be < high"),
        ({"low": [0.0, 1.0]}, ValueError, "low must be a number or an array of 1"),
        ({"high": float("nan")}, ValueError, "high must be finite"),
        ({"high": "big"}, TypeError, "high must be a number"),
    ],
)
def test_bad_options(options, error, pattern):
    with pytest.raises(error, match=pattern):
        regularize(make_env(), "base", **options)


@pytest.mark.parametrize(
    "action, error, pattern",
    [
        (np.zeros(1, np.float32), ValueError, r"shape \(5,\)"),
        (np.zeros((1, 5), np.float32), ValueError, r"shape \(5,\)"),
        (np.array([0, 0, np.nan, 0, 1], np.float32), ValueError, "finite"),
        (np.array([0, 0, np.inf, 0, 1]), ValueError, "finite"),
        (["a"] * 5, TypeError, "numbers"),
    ],
)
def test_bad_actions(action, error, pattern):
    env = regularize(make_env(), "coeff")
    env.reset(seed=0)
    with pytest.raises(error, match=pattern):
        env.step(action)


def test_docstring_examples():
    assert doctest.testmod(regularization_module).failed == 0
