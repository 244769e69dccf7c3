"""Classical policies: orders computed by hand, use on the single env and the batched simulator, bad input."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import gym_inventory  # noqa: F401
from gym_inventory.envs import make_simulator
from gym_inventory.params import InventoryParams
from gym_inventory.policies import SS, BaseStock, CappedBaseStock, ConstantOrder, Myopic
from gym_inventory.policy import DecisionState

nv = pytest.importorskip("stockpyl.newsvendor")

# Three SKUs, L = 2: pipelines [net, arriving today, arriving tomorrow]; positions 10, 30, -4.
PIPELINE = np.array([[4.0, 3.0, 3.0], [20.0, 5.0, 5.0], [-8.0, 2.0, 2.0]])
SCALE = np.array([5.0, 5.0, 2.0])
FEATURES = np.array([[4.0, 6.0, 5.0, 5.0, 1.0], [10.0, 10.0, 10.0, 10.0, 1.0], [2.0, 2.0, 2.0, 2.0, 1.0]])


def make_state(pipeline=PIPELINE, scale=SCALE, features=FEATURES, **params):
    params = InventoryParams(**{"lead_time": pipeline.shape[1] - 1, **params})
    n = pipeline.shape[0]
    return DecisionState(np.zeros((n, 1), np.float32), pipeline, pipeline.sum(axis=1), features, scale, 0, params)


@pytest.mark.parametrize("policy, expected", [
    (ConstantOrder(7.0), [7.0, 7.0, 7.0]),
    (ConstantOrder(1.5, in_scale_units=True), [7.5, 7.5, 3.0]),
    (ConstantOrder([1.0, 2.0, 0.0]), [1.0, 2.0, 0.0]),
    # max(S - position, 0): 20 - 10, 20 - 30 -> 0, 20 + 4
    (BaseStock(20.0), [10.0, 0.0, 24.0]),
    (BaseStock([12.0, 31.0, -5.0]), [2.0, 1.0, 0.0]),
    # S = 4 x scale: 20 - 10, 20 - 30 -> 0, 8 + 4
    (BaseStock(4.0, in_scale_units=True), [10.0, 0.0, 12.0]),
    # S = 3 x forecast_next_7 + 2: 17 - 10, 32 - 30, 8 + 4
    (BaseStock(coefficients=[0.0, 0.0, 3.0, 0.0, 2.0]), [7.0, 2.0, 12.0]),
    (CappedBaseStock(20.0, 6.0), [6.0, 0.0, 6.0]),
    (CappedBaseStock(20.0, [np.inf, 1.0, 30.0]), [10.0, 0.0, 24.0]),
    # order up to 25 only at or below s = 10: 15, none, 29
    (SS(10.0, 25.0), [15.0, 0.0, 29.0]),
    (SS(2.0, 3.0, in_scale_units=True), [5.0, 0.0, 10.0]),
])
def test_hand_computed_orders(policy, expected):
    np.testing.assert_allclose(policy(make_state()), expected)


@pytest.mark.parametrize("lead_time", [0, 1, 2])
@pytest.mark.parametrize("penalty_cost", [4.0, 9.0, 39.0])
def test_myopic_poisson_target_is_the_newsvendor_level(lead_time, penalty_cost):
    # P = 1, Poisson demand with mean = scale: the target is stockpyl's newsvendor level over L + 1 days
    pipeline = np.zeros((2, lead_time + 1))
    state = make_state(pipeline, np.array([5.0, 2.0]), np.ones((2, 5)), penalty_cost=penalty_cost)
    expected = [nv.newsvendor_poisson(1.0, penalty_cost, (lead_time + 1) * mean)[0] for mean in (5.0, 2.0)]
    np.testing.assert_allclose(Myopic()(state), expected)


def test_myopic_normal_and_forecast_mean():
    pipeline = np.zeros((1, 3))
    state = make_state(pipeline, np.array([5.0]), np.array([[4.0, 6.0, 8.0, 5.0, 1.0]]), review_period=2)
    # window L + P = 4 days; mean from forecast_next_7 = 8/day; z(0.9) = 1.28155
    expected = 32.0 + 1.2815515655446004 * 0.25 * 8.0 * 2.0
    assert Myopic(distribution="normal", cv=0.25, mean_source="forecast_next_7")(state)[0] == pytest.approx(expected)


def test_policy_on_the_single_env():
    env = gym.make("InventoryLeadTime-v0", lead_time=2, penalty_cost=9.0, demand_kwargs={"mean": 5.0}, horizon=30)
    env.reset(seed=1)
    policy = BaseStock(20.0)
    for _ in range(30):
        before = env.unwrapped.inventory_position
        order = policy(env.unwrapped.decision_state())
        *_, info = env.step(order)
        assert info["order"] == pytest.approx(max(20.0 - before, 0.0))
    # after the start-up stock is used, every order lifts the position to exactly S
    assert before + info["order"] == pytest.approx(20.0)


def test_per_sku_parameters_on_the_batched_simulator():
    simulator = make_simulator(4, lead_time=1, demand_kwargs={"mean": 5.0}, horizon=10)
    simulator.reset(np.random.default_rng(0))
    levels = np.array([5.0, 10.0, 15.0, 20.0])
    policy = CappedBaseStock(levels, np.array([1.0, 3.0, 5.0, 50.0]))
    for _ in range(10):
        state = simulator.decision_state()
        orders = policy(state)
        np.testing.assert_allclose(orders, np.minimum(np.maximum(levels - state.inventory_position, 0.0), [1, 3, 5, 50]))
        simulator.step(orders)
    with pytest.raises(ValueError, match="3 SKUs"):
        BaseStock([1.0, 2.0])(make_state())


@pytest.mark.parametrize("make, error, match", [
    (lambda: BaseStock(), ValueError, "exactly one"),
    (lambda: BaseStock(5.0, coefficients=[0, 0, 1, 0, 0]), ValueError, "exactly one"),
    (lambda: BaseStock(coefficients=[1.0, 2.0]), ValueError, "coefficients"),
    (lambda: BaseStock(coefficients=["a"] * 5), TypeError, "coefficients"),
    (lambda: BaseStock(coefficients=[0, 0, 1, 0, 0], in_scale_units=True), ValueError, "in_scale_units"),
    (lambda: BaseStock("lots"), TypeError, "level"),
    (lambda: BaseStock(np.nan), ValueError, "level must be finite"),
    (lambda: BaseStock(np.ones((2, 2))), ValueError, "1-D"),
    (lambda: CappedBaseStock(10.0), ValueError, "order_cap"),
    (lambda: CappedBaseStock(10.0, -1.0), ValueError, "order_cap must be >= 0"),
    (lambda: ConstantOrder(-2.0), ValueError, "quantity"),
    (lambda: SS(25.0, 25.0), ValueError, "below order_up_to"),
    (lambda: Myopic(distribution="normal"), ValueError, "cv"),
    (lambda: Myopic(cv=0.3), ValueError, "cv"),
    (lambda: Myopic(mean_source="tomorrow"), ValueError, "mean_source"),
    (lambda: Myopic(critical_ratio=1.0), ValueError, "critical_ratio"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_docstring_example_runs():
    import doctest

    import gym_inventory.policies as policies_module

    result = doctest.testmod(policies_module)
    assert result.attempted > 0 and result.failed == 0
