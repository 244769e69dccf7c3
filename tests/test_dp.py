"""Exact DP against the env's dynamics, the backlog base-stock optimum, Zipkin's lost-sales table and brute force."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from scipy import stats

import gym_inventory  # noqa: F401
from gym_inventory import dp
from gym_inventory.dynamics import simulate_days
from gym_inventory.evaluation import evaluate
from gym_inventory.optimal import base_stock_cost, optimal_base_stock
from gym_inventory.policies import BaseStock, CappedBaseStock

POISSON5 = stats.poisson(5.0)


def problem(lead_time, lost_sales, penalty_cost=9.0, daily=POISSON5, **bounds):
    return dp.DPProblem.create(daily, lead_time=lead_time, lost_sales=lost_sales, holding_cost=1.0,
                               penalty_cost=penalty_cost, **bounds)


@pytest.mark.parametrize("lost_sales", [False, True])
def test_kernel_and_day_cost_follow_simulate_days(lost_sales):
    # a small box; every (y, a_1) and every demand through the env's own transition
    small = problem(2, lost_sales, daily=stats.poisson(2.0), max_order=4, max_position=8)
    levels, top = small.levels, small.levels.size - 1
    demands = np.arange(0, 40)
    weights = small.daily.pmf(demands)
    weights[-1] += small.daily.sf(demands[-1])  # beyond 39 every demand lands where 39 does
    expected = np.zeros((levels.size, small.max_order + 1, levels.size))
    cost = np.zeros(levels.size)
    for i, y in enumerate(levels):
        for a in range(small.max_order + 1):
            pipeline = np.tile([float(y), 0.0, float(a)], (demands.size, 1))
            out = simulate_days(pipeline, np.zeros(demands.size), demands[:, None].astype(float), lost_sales=lost_sales,
                                holding_cost=1.0, penalty_cost=9.0, xp=np)
            nxt = out.pipeline[:, 0] + out.pipeline[:, 1]  # next morning's y: net + today's arrival
            np.add.at(expected[i, a], np.clip(nxt.astype(int) - small.min_level, 0, top), weights)
            if a == 0:
                cost[i] = weights @ (out.holding_cost[0] + out.penalty_cost[0])
    np.testing.assert_allclose(small.kernel().reshape(expected.shape), expected, atol=1e-12)
    # the clamped lowest backlog level is the only place the cost differs (it lumps lower levels)
    np.testing.assert_allclose(small.day_cost()[1:], cost[1:], rtol=1e-12)


@pytest.mark.parametrize("lead_time", [0, 1, 2])
@pytest.mark.parametrize("penalty_cost", [4.0, 39.0])
def test_backlog_optimum_is_the_optimal_base_stock(lead_time, penalty_cost):
    solution = dp.solve_average_cost(problem(lead_time, False, penalty_cost))
    best = optimal_base_stock(POISSON5, lead_time=lead_time, holding_cost=1.0, penalty_cost=penalty_cost)
    assert solution.cost == pytest.approx(best.cost, rel=1e-6)
    assert solution.boundary_mass < 1e-6
    # and the optimal rule is base stock at S*: order S* - position wherever that is a feasible order
    pr = solution.problem
    index = np.indices(pr.state_shape)
    position = pr.levels[index[0]] + index[1:].sum(axis=0)
    wanted = best.level - position
    where = (wanted >= 0) & (wanted <= pr.max_order)
    np.testing.assert_array_equal(solution.policy_table[where], wanted[where])


def test_policy_cost_of_base_stock_is_the_closed_form():
    pr = problem(2, False)
    for level in (16.0, 18.0, 21.0):
        assert dp.policy_cost(pr, BaseStock(level)) == pytest.approx(
            base_stock_cost(level, POISSON5, lead_time=2, holding_cost=1.0, penalty_cost=9.0), rel=1e-6)


@pytest.mark.parametrize("lead_time", [1, 2])
def test_lost_sales_dp_beats_capped_beats_plain_base_stock(lead_time):
    pr = problem(lead_time, True, 9.0)
    optimum = dp.solve_average_cost(pr).cost
    levels = range(5 * lead_time, 5 * lead_time + 12)
    plain = min(dp.policy_cost(pr, BaseStock(float(s))) for s in levels)
    capped = min(dp.policy_cost(pr, CappedBaseStock(float(s), float(r))) for s in levels for r in range(5, 12))
    assert optimum <= capped <= plain
    assert optimum < plain - 0.05  # base stock is not optimal with lost sales


# Zipkin, P. (2008). "Old and new methods for lost-sales inventory systems", Operations Research
# 56(5): 1256-1263: optimal average cost per period, Poisson(5) demand, h = 1, lost-sales penalty p,
# lead time L (also quoted by Xin 2021 and by the HDPO paper of Alvo, Russo and Kanoria).
ZIPKIN_OPTIMAL = {
    # L: costs for p = 4, 9, 19, 39
    1: [4.04, 5.44, 6.68, 7.84],
    2: [4.40, 6.09, 7.66, 9.11],
    3: [4.60, 6.53, 8.36, 10.04],
    4: [4.73, 6.84, 8.89, 10.79],
}


@pytest.mark.parametrize("lead_time", [1, 2])  # L = 3, 4 in benchmarks/dp_solve.py
def test_zipkin_lost_sales_optima(lead_time):
    costs = [dp.solve_average_cost(problem(lead_time, True, p)).cost for p in (4.0, 9.0, 19.0, 39.0)]
    np.testing.assert_allclose(costs, ZIPKIN_OPTIMAL[lead_time], atol=0.005 + 1e-9)


def test_dp_cost_is_what_the_env_charges():
    spec = dict(lead_time=2, lost_sales=True, penalty_cost=9.0, demand="poisson", demand_kwargs={"mean": 5.0})
    solution = dp.solve_average_cost(dp.DPProblem.from_env(spec))
    result = evaluate(solution.policy(), spec, n_trajectories=200, horizon=400, warmup_epochs=20, seed=7)
    assert abs(result.cost - solution.cost) <= 3.29 / 1.96 * result.ci  # the 99.9% interval
    dist = dp.stationary_distribution(solution.problem, solution.policy_table)
    assert float((dist * solution.problem.day_cost().reshape(-1, 1)).sum()) == pytest.approx(solution.cost, rel=1e-6)


def test_dp_policy_on_the_single_env():
    spec = dict(lead_time=1, lost_sales=True, penalty_cost=4.0, demand="poisson", demand_kwargs={"mean": 5.0}, horizon=20)
    policy = dp.solve_average_cost(dp.DPProblem.from_env(spec)).policy()
    env = gym.make("InventoryLeadTime-v0", **spec)
    env.reset(seed=0)
    for _ in range(20):
        order = policy(env.unwrapped.decision_state())
        assert order.shape == (1,) and order[0] == int(order[0]) and 0 <= order[0] <= 10
        env.step(order)
    backlog = gym.make("InventoryLeadTime-v0", **dict(spec, lost_sales=False))
    backlog.reset(seed=0)
    with pytest.raises(ValueError, match="lost_sales=True"):
        policy(backlog.unwrapped.decision_state())
    fractional = env.unwrapped.decision_state()._replace(pipeline=np.array([[2.5, 1.0]]))
    with pytest.raises(ValueError, match="whole-unit"):
        policy(fractional)


def _brute_force_finite_horizon(daily, horizon, discount, max_level=40, max_order=30):
    """Independent loops over states: L = 1, lost sales, h = 1, p = 9, no truncation that binds."""
    demands = np.arange(0, 80)
    pmf = daily.pmf(demands)
    cost = [sum(pmf[d] * (max(y - d, 0) + 9.0 * max(d - y, 0)) for d in demands) for y in range(max_level + 1)]
    values = [0.0] * (max_level + 1)
    for _ in range(horizon):
        new = []
        for y in range(max_level + 1):
            best = min(
                sum(pmf[d] * values[min(max(y - d, 0) + q, max_level)] for d in demands)
                for q in range(0, min(max_order, max_level - y) + 1)
            )
            new.append(cost[y] + discount * best)
        values = new
    return np.array(values)


def test_finite_horizon_against_brute_force():
    daily = stats.poisson(2.0)
    solution = dp.solve_finite_horizon(problem(1, True, daily=daily), 6, discount=0.9)
    brute = _brute_force_finite_horizon(daily, 6, 0.9)
    np.testing.assert_allclose(solution.values[:6], brute[:6], rtol=1e-9)
    assert solution.value([[3.0, 2.0]])[0] == pytest.approx(brute[5], rel=1e-9)
    # nothing ordered on the last day can arrive in time
    assert np.all(solution.policy_tables[-1] == 0)


def test_long_finite_horizon_grows_at_the_average_cost():
    pr = problem(2, True)
    gain = dp.solve_average_cost(pr).cost
    short, long = dp.solve_finite_horizon(pr, 100), dp.solve_finite_horizon(pr, 200)
    growth = (long.values - short.values) / 100.0
    assert growth[10, 5] == pytest.approx(gain, rel=1e-6)
    policy = long.policy()
    assert policy.name == "dp_finite_horizon(200)"


@pytest.mark.parametrize("spec, match", [
    (dict(review_period=2), "review_period=1"),
    (dict(demand="normal"), "integer demand"),
    (dict(demand="ar1"), "integer demand"),
    (dict(demand="poisson", demand_kwargs={"mean": (3.0, 6.0)}), "ranges"),
])
def test_from_env_rejects_what_the_dp_cannot_solve(spec, match):
    with pytest.raises(ValueError, match=match):
        dp.DPProblem.from_env(spec)


def test_bad_arguments():
    with pytest.raises(ValueError, match="integer demand"):
        problem(1, True, daily=stats.norm(5.0, 1.0))
    with pytest.raises(ValueError, match="pairs"):
        dp.solve_average_cost(problem(4, False, daily=stats.poisson(50.0)))
    with pytest.raises(ValueError, match="discount"):
        dp.solve_finite_horizon(problem(1, True), 5, discount=1.5)
    with pytest.raises(TypeError, match="DPProblem"):
        dp.solve_average_cost({"lead_time": 1})
    with pytest.raises(ValueError, match="order table"):
        dp.policy_cost(problem(1, True), np.zeros((3, 3), dtype=int))
