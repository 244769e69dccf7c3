"""Stochastic lead times: validation, the no-crossing model, exact references (closed form, DP)."""
import dataclasses

import numpy as np
import pytest
from scipy import stats

from gym_inventory import dp
from gym_inventory.dp_lead_times import RandomLeadTimeDP, best_base_stock, policy_cost, solve
from gym_inventory.leadtime import LeadTimeDistribution, effective_lead_times, make_lead_time, no_crossing_chain, window_weights
from gym_inventory.optimal import base_stock_cost, optimal_base_stock
from gym_inventory.params import InventoryParams

SPREAD = {"values": [1, 3], "probabilities": [0.5, 0.5]}


# ---------------------------------------------------------------------------- the distribution
def test_distribution_is_sorted_normalized_and_its_max_is_the_pipeline_length():
    params = InventoryParams(lead_time={"values": [3, 1], "probabilities": [0.25, 0.75]}, order_crossing=False)
    assert params.lead_time == 3
    assert params.lead_time_distribution == LeadTimeDistribution((1, 3), (0.75, 0.25))
    assert params.stochastic_lead_time and not params.order_crossing
    assert dataclasses.replace(params, horizon=5).lead_time_distribution == params.lead_time_distribution
    assert InventoryParams(lead_time=2).lead_time_distribution is None
    assert make_lead_time({"values": [0, 2]})[1].probabilities == (0.5, 0.5)  # equally likely by default
    assert LeadTimeDistribution((1, 3), (0.75, 0.25)).mean == 1.5


@pytest.mark.parametrize(
    "lead_time, error, words",
    [
        ({"values": [1, 2], "probabilities": [0.5, 0.6]}, ValueError, "sum to 1"),
        ({"values": [-1]}, ValueError, ">= 0"),
        ({"values": []}, ValueError, "at least one"),
        ({"values": [1, 1]}, ValueError, "distinct"),
        ({"values": [1, 2], "probabilities": [1.0, 0.0]}, ValueError, "> 0"),
        ({"values": [1, 2], "probabilities": [1.0]}, ValueError, "one entry per value"),
        ({"values": [1.5]}, TypeError, "integer"),
        ({"values": [1, 2], "probabilities": ["a", "b"]}, TypeError, "probabilities"),
        ({"values": [1], "probs": [1.0]}, ValueError, "keys 'values' and 'probabilities'"),
        ({"values": "12"}, TypeError, "list"),
        ("2", TypeError, "whole number of days or a distribution"),
        ({"values": [20_000]}, ValueError, "documented limit"),
    ],
)
def test_bad_distributions_raise_naming_the_argument(lead_time, error, words):
    with pytest.raises(error, match="lead_time") as caught:
        InventoryParams(lead_time=lead_time)
    assert words in str(caught.value)


def test_other_bad_lead_time_arguments():
    with pytest.raises(TypeError, match="order_crossing"):
        InventoryParams(lead_time=SPREAD, order_crossing=1)
    with pytest.raises(ValueError, match="lead_time_window"):
        InventoryParams(lead_time=SPREAD, reward_timing="lead_time_window")
    with pytest.raises(ValueError, match="does not match"):
        InventoryParams(lead_time=2, lead_time_distribution=SPREAD)


# ---------------------------------------------------------------------------- the no-crossing model
def test_effective_lead_times_never_let_an_order_overtake_the_previous_one():
    draws = np.array([[3, 1, 1, 0, 2, 0]])
    # P = 1: arrivals on days 0+3, max(1+1, 3) = 3, max(2+1, 3) = 3, max(3+0, 3) = 3, 4+2 = 6, max(5+0, 6) = 6
    assert effective_lead_times(draws, 1, False).tolist() == [[3, 2, 1, 0, 2, 1]]
    assert effective_lead_times(draws, 2, False).tolist() == [[3, 1, 1, 0, 2, 0]]  # P = 2: the draws never wait
    assert effective_lead_times(draws, 1, True).tolist() == draws.tolist()
    rng = np.random.default_rng(0)
    dist = LeadTimeDistribution((0, 2, 4), (0.5, 0.3, 0.2))
    effective = effective_lead_times(dist.sample(rng, (3, 500)), 1, False)
    arrivals = np.arange(500) + effective
    assert np.all(np.diff(arrivals, axis=1) >= 0) and effective.max() <= 4


def test_no_crossing_chain_matches_simulated_frequencies():
    dist = LeadTimeDistribution((0, 2, 4), (0.5, 0.3, 0.2))
    _, stationary = no_crossing_chain(dist, 1)
    effective = effective_lead_times(dist.sample(np.random.default_rng(1), (1, 200_000)), 1, False)
    frequencies = np.bincount(effective[0, 100:], minlength=5) / effective[0, 100:].size
    np.testing.assert_allclose(frequencies, stationary, atol=5e-3)
    # a fixed lead time L: windows L + 1 .. L + P, each a share 1 / P
    np.testing.assert_allclose(window_weights(LeadTimeDistribution((2,), (1.0,)), 3), [0, 0, 0, 1 / 3, 1 / 3, 1 / 3])


# ---------------------------------------------------------------------------- exact references
DAILY = stats.poisson(2)


def test_degenerate_distribution_gives_the_fixed_lead_time_optimum():
    fixed = optimal_base_stock(DAILY, lead_time=2, review_period=2, holding_cost=1, penalty_cost=9)
    degenerate = optimal_base_stock(DAILY, lead_time={"values": [2]}, review_period=2, holding_cost=1, penalty_cost=9)
    assert degenerate.level == fixed.level and degenerate.cost == pytest.approx(fixed.cost, rel=1e-12)
    for lost_sales in (False, True):
        reference = dp.solve_average_cost(dp.DPProblem.create(DAILY, lead_time=2, lost_sales=lost_sales, holding_cost=1, penalty_cost=9))
        for crossing in (False, True):
            problem = RandomLeadTimeDP.create(DAILY, lead_time={"values": [2]}, order_crossing=crossing, lost_sales=lost_sales,
                                              holding_cost=1, penalty_cost=9)
            assert solve(problem).cost == pytest.approx(reference.cost, rel=1e-9)


def test_no_crossing_base_stock_closed_form_matches_the_dp():
    problem = RandomLeadTimeDP.create(DAILY, lead_time=SPREAD, order_crossing=False, lost_sales=False, holding_cost=1, penalty_cost=9)
    optimum = optimal_base_stock(DAILY, lead_time=SPREAD, holding_cost=1, penalty_cost=9)
    for level in (optimum.level - 1, optimum.level, optimum.level + 1):
        exact = base_stock_cost(level, DAILY, lead_time=SPREAD, holding_cost=1, penalty_cost=9)
        assert policy_cost(problem, problem.order_table(level)) == pytest.approx(exact, rel=1e-5)
    best_cost, best_level, _ = best_base_stock(problem, range(int(optimum.level) - 3, int(optimum.level) + 4))
    assert best_level == optimum.level and best_cost == pytest.approx(optimum.cost, rel=1e-5)
    # the DP sees when the previous order arrives (the state r): it may beat base stock, never lose to it
    assert solve(problem).cost <= optimum.cost + 1e-6


def test_crossing_and_lost_sales_dp_optima_are_below_their_best_base_stock():
    for lost_sales in (False, True):
        problem = RandomLeadTimeDP.create(DAILY, lead_time=SPREAD, order_crossing=True, lost_sales=lost_sales,
                                          holding_cost=1, penalty_cost=9)
        optimum = solve(problem).cost
        best = best_base_stock(problem, range(3, 14))[0]
        assert 0 < optimum <= best + 1e-6


def test_crossing_has_no_closed_form():
    with pytest.raises(ValueError, match="order_crossing=True"):
        optimal_base_stock(DAILY, lead_time=SPREAD, holding_cost=1, penalty_cost=9, order_crossing=True)
