"""evaluate(): simulated costs against analytic ones, common random numbers, the env itself, metrics, bad input."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import gym_inventory
from gym_inventory.evaluation import compare, evaluate, evaluate_copies, paired_difference
from gym_inventory.optimal import optimal_base_stock_for
from gym_inventory.policies import BaseStock, ConstantOrder
from gym_inventory.policy import Policy

nv = pytest.importorskip("stockpyl.newsvendor")

POISSON = dict(lead_time=2, penalty_cost=9.0, demand="poisson", demand_kwargs={"mean": 5.0})
LONG = dict(n_trajectories=200, horizon=400, warmup_epochs=20, seed=11)
#: Widens a 95% half-width to 99.9%, so that the several checks below do not fail by chance 1 time in 20.
WIDE = 3.29 / 1.96


def test_simulated_cost_of_the_optimal_base_stock_matches_stockpyl():
    level, cost = nv.newsvendor_poisson(1.0, 9.0, 3 * 5.0)
    result = evaluate(BaseStock(level), POISSON, **LONG)
    assert abs(result.cost - cost) <= WIDE * result.ci
    assert result.ci < 0.05 * cost


@pytest.mark.parametrize("spec", [
    dict(POISSON, review_period=3),
    dict(lead_time=1, penalty_cost=4.0, demand="normal", demand_kwargs={"mean": 5.0, "std": 1.6}),
    dict(lead_time=1, review_period=2, penalty_cost=19.0, demand="gamma", demand_kwargs={"mean": 5.0, "std": 2.0}),
])
def test_simulated_cost_of_the_optimal_base_stock_matches_the_analytic_cost(spec):
    best = optimal_base_stock_for(spec)
    result = evaluate(best.policy(), spec, **LONG)
    assert abs(result.cost - best.cost) <= WIDE * result.ci


def test_common_random_numbers():
    first = evaluate(BaseStock(20.0), POISSON, n_trajectories=50, horizon=200, seed=5)
    again = evaluate(BaseStock(20.0), POISSON, n_trajectories=50, horizon=200, seed=5)
    np.testing.assert_array_equal(first.per_trajectory, again.per_trajectory)
    other = evaluate(BaseStock(20.0), POISSON, n_trajectories=50, horizon=200, seed=6)
    assert not np.array_equal(first.per_trajectory, other.per_trajectory)
    # paired on the same paths, the difference of close policies is far more precise than from
    # independent runs (whose CI would be the root sum of squares of the two CIs)
    low, high = compare([BaseStock(19.0), BaseStock(20.0)], POISSON, n_trajectories=50, horizon=200, seed=5)
    difference, ci = paired_difference(low, high)
    assert difference == pytest.approx(low.cost - high.cost)
    assert ci < 0.5 * np.hypot(low.ci, high.ci)


def test_copies_are_the_same_paths_as_separate_runs():
    levels = [18.0, 20.0, 23.0]
    batched = evaluate_copies(BaseStock(np.repeat(levels, 30)), POISSON, copies=3, n_trajectories=30, horizon=100, seed=2)
    for level, result in zip(levels, batched):
        alone = evaluate(BaseStock(level), POISSON, n_trajectories=30, horizon=100, seed=2)
        np.testing.assert_allclose(result.per_trajectory, alone.per_trajectory, rtol=1e-12)


def test_one_trajectory_is_the_env_episode_with_the_same_seed():
    env = gym.make("InventoryLeadTime-v0", horizon=60, **POISSON)
    env.reset(seed=8)
    policy, costs = BaseStock(20.0), []
    for _ in range(60):
        *_, info = env.step(policy(env.unwrapped.decision_state()))
        costs.append(info["cost"])
    result = evaluate(policy, POISSON, n_trajectories=1, horizon=60, warmup_epochs=0, seed=8)
    assert result.cost == pytest.approx(np.mean(costs))
    assert result.ci == np.inf


def test_env_spec_and_kwargs_give_the_same_result():
    env = gym.make("InventoryLeadTime-v0", **POISSON)
    options = dict(n_trajectories=20, horizon=50, seed=3)
    vector = gym.make_vec("InventoryLeadTime-v0", num_envs=3, vectorization_mode="vector_entry_point", **POISSON)
    sources = (env, env.spec, POISSON, env.unwrapped, vector)
    results = [evaluate(BaseStock(20.0), source, **options) for source in sources]
    for result in results[1:]:
        np.testing.assert_array_equal(result.per_trajectory, results[0].per_trajectory)
    assert gym_inventory.evaluate is evaluate


def test_warmup_is_excluded():
    result = evaluate(BaseStock(20.0), dict(POISSON, review_period=2), n_trajectories=4, horizon=50, warmup_epochs=10)
    assert result.days == 40 * 2
    default = evaluate(BaseStock(20.0), POISSON, n_trajectories=4, horizon=50)
    assert default.days == 50 - 5  # max(L + 1, horizon // 10) = 5 epochs of warm-up


@pytest.mark.parametrize("lost_sales", [False, True])
def test_metrics_of_never_ordering(lost_sales):
    # the start-up stock (15 units) is gone within the warm-up, then every day is a stockout
    spec = dict(POISSON, lost_sales=lost_sales, demand_kwargs={"mean": 20.0})
    result = evaluate(ConstantOrder(0.0), spec, n_trajectories=10, horizon=40, warmup_epochs=10)
    assert (result.fill_rate, result.stockout_rate, result.turnover_time) == (0.0, 1.0, np.inf)
    assert result.holding_cost == 0.0


def test_metrics_of_a_generous_base_stock():
    result = evaluate(BaseStock(60.0), POISSON, n_trajectories=20, horizon=100, warmup_epochs=10)
    assert result.fill_rate == 1.0 and result.stockout_rate == 0.0 and result.penalty_cost == 0.0
    # about S - 3 days of demand = 45 units on hand for 5 units sold a day: 9 days
    assert result.turnover_time == pytest.approx(9.0, rel=0.05)
    assert result.cost == pytest.approx(result.holding_cost)
    assert set(result.as_dict()) >= {"cost", "ci", "fill_rate", "stockout_rate", "turnover_time"}


class _Broken(Policy):
    def __init__(self, orders):
        self.orders = orders

    def __call__(self, state):
        return self.orders


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n_trajectories=0), ValueError, "n_trajectories"),
    (dict(horizon=10, warmup_epochs=10), ValueError, "warmup_epochs"),
    (dict(seed=-1), ValueError, "seed"),
])
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        evaluate(BaseStock(20.0), POISSON, **kwargs)


def test_bad_sources_and_policies():
    with pytest.raises(TypeError, match="env_or_spec"):
        evaluate(BaseStock(20.0), "InventoryLeadTime-v0")
    with pytest.raises(ValueError, match="shape"):
        evaluate(_Broken(np.zeros(3)), POISSON, n_trajectories=2, horizon=5)
    with pytest.raises(ValueError, match="non-finite"):
        evaluate(_Broken(np.array([np.nan, 1.0])), POISSON, n_trajectories=2, horizon=5)
