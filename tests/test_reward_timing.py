"""reward_timing="lead_time_window" charges each order with the P days starting L days later."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import make_trace_env


@pytest.mark.parametrize("lead_time, review_period", [(0, 1), (2, 1), (1, 3), (3, 2)])
@pytest.mark.parametrize("lost_sales", [False, True])
def test_window_totals_equal_step_totals_shifted_by_lead_time(lead_time, review_period, lost_sales):
    rng = np.random.default_rng(7)
    horizon = 12
    days = horizon * review_period
    demand = rng.poisson(5.0, size=days + lead_time).astype(float)
    orders = rng.integers(0, 15, size=horizon).astype(float)
    start = [4.0] + [3.0] * lead_time

    window = make_trace_env(horizon=horizon, lead_time=lead_time, review_period=review_period,
                            lost_sales=lost_sales, reward_timing="lead_time_window")
    window.reset(seed=0, options={"demand": demand, "initial_inventory": start})
    window_rewards = [window.step([q])[1] for q in orders]

    # The same orders over a longer step-timed run, then no more orders: its day costs of days
    # L .. days + L - 1 are what the windows charge (later orders arrive after that).
    extra = -(-lead_time // review_period)
    longer = make_trace_env(horizon=horizon + extra, lead_time=lead_time, review_period=review_period,
                            lost_sales=lost_sales)
    long_demand = np.concatenate([demand, np.zeros((horizon + extra) * review_period - len(demand))])
    longer.reset(seed=0, options={"demand": long_demand, "initial_inventory": start})
    day_costs = []
    for q in list(orders) + [0.0] * extra:
        day_costs.append(longer.step([q])[4]["cost"])
    if review_period == 1:  # epochs are days: compare window by window
        np.testing.assert_allclose(-np.array(window_rewards), day_costs[lead_time : lead_time + horizon])
    total_window = -sum(window_rewards)
    step_env = make_trace_env(horizon=horizon, lead_time=lead_time, review_period=review_period, lost_sales=lost_sales)
    step_env.reset(seed=0, options={"demand": demand[:days], "initial_inventory": start})
    step_costs = [step_env.step([q])[4]["cost"] for q in orders]
    # Totals agree up to the boundary days: window = days L..days+L-1, step = days 0..days-1.
    if lead_time == 0:
        assert total_window == pytest.approx(sum(step_costs))
    assert np.all(np.array(window_rewards) <= 0)


def test_window_reward_is_the_cost_this_order_controls():
    # L = 2, P = 1, backlog: the window of the order placed on day 0 is day 2, whose
    # end-of-day net inventory is the inventory position after ordering minus 3 days of demand.
    env = make_trace_env(horizon=3, lead_time=2, reward_timing="lead_time_window")
    env.reset(seed=0, options={"demand": [4, 4, 4, 4, 4], "initial_inventory": [10.0, 0.0, 0.0]})
    _, reward, *_ , info = env.step([5.0])
    # position after the order 15, demand of days 0..2 = 12 -> 3 on hand at the end of day 2
    assert reward == -3.0
    assert info["cost"] == 6.0  # the step's own day 0: 10 - 4 = 6 on hand
    _, reward, *_ = env.step([0.0])  # day 3: 3 - 4 = -1 -> backlog 1 -> 9
    assert reward == -9.0
