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
        ("2", TypeError, "or a distribution"),
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


# ---------------------------------------------------------------------------- the env, vector env and DS
TRACE_ENV = dict(lead_time={"values": [0, 1, 3], "probabilities": [0.3, 0.3, 0.4]}, review_period=1, horizon=6, normalize=False,
                 demand="poisson", demand_kwargs={"mean": 2.0}, initial_inventory=[4, 0, 0, 0], max_order=100)


@pytest.mark.parametrize(
    "crossing, lead_times, pipelines, costs",
    [
        # draws 1, 3, 0, 3, 0, 0: orders 3, 5 and 6 (placed days 2, 4, 5) arrive the day they are placed,
        # order 6 before order 4 (placed day 3, due day 6)
        (True, [1, 3, 0, 3, 0, 0],
         [[2, 1, 0, 0], [1, 0, 0, 2], [2, 0, 2, 0], [0, 2, 0, 4], [5, 0, 4, 0], [9, 4, 0, 0]], [2, 1, 2, 0, 5, 9]),
        # the same draws without crossing: arrival days max(t + draw, previous) = 1, 4, 4, 6, 6, 6
        (False, [1, 3, 2, 3, 2, 1],
         [[2, 1, 0, 0], [1, 0, 0, 2], [-1, 0, 5, 0], [-3, 5, 0, 4], [0, 0, 9, 0], [-2, 15, 0, 0]], [2, 1, 9, 27, 0, 18]),
    ],
)
def test_hand_written_traces(crossing, lead_times, pipelines, costs):
    """Demand 2 a day, 4 on hand, orders 1..6, h = 1, p = 9 (arrival days worked out by hand)."""
    import gymnasium as gym

    import gym_inventory  # noqa: F401

    env = gym.make("InventoryLeadTime-v0", order_crossing=crossing, **TRACE_ENV)
    env.reset(seed=109, options={"demand": [2.0] * 6})  # a seed whose draws are 1, 3, 0, 3, 0, 0
    assert env.unwrapped.simulator.lead_times.tolist() == [lead_times]
    for order, pipeline, cost in zip(range(1, 7), pipelines, costs):
        info = env.step([order])[4]
        assert info["pipeline"].tolist() == pipeline and info["cost"] == cost
        assert info["inventory_position"] == sum(pipeline)  # tot(I): everything ordered and not yet arrived


def _episode(n_skus, lead_time, seed=3, **kwargs):
    """Observations, rewards and infos of an episode of the env (n_skus None) or the vector env."""
    import gymnasium as gym

    from gym_inventory.vector import InventoryVectorEnv

    env_kwargs = dict(lead_time=lead_time, review_period=2, horizon=12, forecast_noise=0.2, **kwargs)
    env = gym.make("InventoryLeadTime-v0", **env_kwargs) if n_skus is None else InventoryVectorEnv(num_envs=n_skus, **env_kwargs)
    obs, info = env.reset(seed=seed)
    steps = [(obs, info)]
    rng = np.random.default_rng(0)
    for _ in range(12):
        action = (rng.uniform(0, 1, env.action_space.shape) * env.action_space.high).astype(np.float32)
        steps.append(env.step(action))
    return steps, env.unwrapped.simulator if n_skus is None else env.simulator


def _assert_same(left, right):
    if isinstance(left, dict):
        assert left.keys() == right.keys()
        for key in left:
            _assert_same(left[key], right[key])
    elif isinstance(left, (tuple, list)):
        assert len(left) == len(right)
        for a, b in zip(left, right):
            _assert_same(a, b)
    else:
        a, b = np.asarray(left), np.asarray(right)
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


@pytest.mark.parametrize("n_skus", [None, 4])
@pytest.mark.parametrize("crossing", [True, False])
def test_degenerate_distribution_is_the_integer_lead_time_bit_for_bit(n_skus, crossing):
    fixed, _ = _episode(n_skus, 3)
    degenerate, simulator = _episode(n_skus, {"values": [3]}, order_crossing=crossing)
    assert simulator.lead_times is not None and np.all(simulator.lead_times == 3)  # the random path ran
    _assert_same(fixed, degenerate)


@pytest.mark.parametrize("n_skus", [None, 4])
def test_random_lead_times_keep_the_demand_of_the_fixed_lead_time(n_skus):
    _, fixed = _episode(n_skus, 3)
    _, random = _episode(n_skus, {"values": [0, 3], "probabilities": [0.5, 0.5]}, order_crossing=False)
    np.testing.assert_array_equal(fixed.demand_path, random.demand_path)
    np.testing.assert_array_equal(fixed.feature_path, random.feature_path)
    assert set(np.unique(random.lead_times)) <= {0, 1, 2, 3} and len(np.unique(random.lead_times)) > 1


def test_ds_rollout_matches_the_simulator_and_has_gradients_with_random_lead_times():
    import torch

    from agents.ds import TrajectoryBatch, rollout
    from gym_inventory.envs import make_simulator
    from gym_inventory.remap import remap

    class BaseStockLevel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.level = torch.nn.Parameter(torch.tensor(14.0, dtype=torch.float64))

        def orders(self, observation, inventory_position, features, scale, *, integer=False):
            return remap("base", (self.level / scale)[:, None], inventory_position=inventory_position, features=features,
                         scale=scale, integer=integer)

    for crossing in (True, False):
        simulator = make_simulator(6, lead_time={"values": [1, 2, 4], "probabilities": [0.4, 0.4, 0.2]},
                                   order_crossing=crossing, horizon=20, demand_kwargs={"mean": 3.0})
        simulator.reset(np.random.default_rng(2))
        batch = TrajectoryBatch.from_simulator(simulator)
        policy = BaseStockLevel()
        costs = rollout(policy, batch)
        expected = []
        for _ in range(20):
            expected.append(simulator.step(np.maximum(14.0 - simulator.inventory_position, 0.0))[2]["cost"])
        np.testing.assert_allclose(costs.detach().numpy(), np.stack(expected, axis=1), rtol=1e-12)
        costs.sum().backward()
        assert np.isfinite(policy.level.grad.item()) and policy.level.grad.item() != 0.0


def test_no_crossing_base_stock_closed_form_matches_simulation():
    """The exact cost of the best base stock against the env's own dynamics (400 SKUs x 1500 days)."""
    from gym_inventory.envs import make_simulator

    lead_time = {"values": [0, 3], "probabilities": [1 / 3, 2 / 3]}
    optimum = optimal_base_stock(DAILY, lead_time=lead_time, holding_cost=1, penalty_cost=9)
    simulator = make_simulator(400, lead_time=lead_time, order_crossing=False, horizon=1500, demand_kwargs={"mean": 2.0},
                               normalize=False, max_order=1e6)
    simulator.reset(np.random.default_rng(11))
    for _ in range(1500):
        simulator.step(np.maximum(optimum.level - simulator.inventory_position, 0.0))
    per_sku = simulator.records["cost"][:, 100:].mean(axis=1)
    half = 1.97 * per_sku.std(ddof=1) / np.sqrt(per_sku.size)
    assert abs(per_sku.mean() - optimum.cost) < 2 * half, (per_sku.mean(), half, optimum.cost)


def test_panels_take_one_distribution_for_every_series(tmp_path):
    import pandas as pd

    from gym_inventory.data import evaluate_panel, write_panel
    from gym_inventory.policies import BaseStock

    rng = np.random.default_rng(4)
    days = pd.date_range("2024-01-01", periods=150).strftime("%Y-%m-%d")
    frame = pd.DataFrame({"sku_id": np.repeat(["a", "b", "c"], 150), "date": np.tile(days, 3),
                          "demand": rng.poisson(3.0, 450)})
    path = tmp_path / "panel.csv"
    frame.to_csv(path, index=False)
    spread = {"values": [0, 4], "probabilities": [0.5, 0.5]}
    options = dict(days=60, progress=False)
    fixed = evaluate_panel(BaseStock(4.0, in_scale_units=True), str(path), env_kwargs={"lead_time": 4}, **options)
    random = evaluate_panel(BaseStock(4.0, in_scale_units=True), str(path), env_kwargs={"lead_time": spread}, **options)
    assert random.series_days == fixed.series_days > 0
    assert random.total_cost != fixed.total_cost  # the same series, other arrivals
    with_column = tmp_path / "generated.parquet"
    write_panel(with_column, 4, 130, seed=1)
    with pytest.raises(ValueError, match="lead_time column"):
        evaluate_panel(BaseStock(4.0, in_scale_units=True), str(with_column), env_kwargs={"lead_time": spread}, **options)


# ---------------------------------------------------------------------------- one distribution per SKU
PER_SKU = {"values": [1, 3], "probabilities": [[1.0, 0.0], [0.0, 1.0], [0.2, 0.8]]}


def test_per_sku_distributions_draw_each_skus_own_lead_times():
    from gym_inventory.vector import InventoryVectorEnv

    env = InventoryVectorEnv(num_envs=3, lead_time=PER_SKU, review_period=1, horizon=2000, reward_timing="step")
    env.reset(seed=0)
    lead_times = env.simulator.lead_times
    assert lead_times.shape == (3, 2000)
    assert np.all(lead_times[0] == 1) and np.all(lead_times[1] == 3)  # SKU 0 and 1: one value each
    share = float(np.mean(lead_times[2] == 1))  # SKU 2: 0.2 vs 0.8; 2000 draws: sd of the share 0.009
    assert abs(share - 0.2) < 0.04
    # the pipeline follows each SKU's lead time: SKU 0's order arrives in 1 day, SKU 1's in 3
    env.reset(seed=1, options={"demand": np.zeros((3, 2000))})
    info = env.step(np.full((3, 1), 5.0, dtype=np.float32))[4]
    assert info["pipeline"][0].tolist()[1:] == [5.0, 0.0, 0.0] and info["pipeline"][1].tolist()[1:] == [0.0, 0.0, 5.0]


def test_per_sku_distribution_rows_are_distributions_and_match_the_skus():
    from gym_inventory.vector import InventoryVectorEnv

    distribution = LeadTimeDistribution((3, 1), ((0.8, 0.2), (0.5, 0.5)))  # values sorted with their columns
    assert distribution.values == (1, 3) and distribution.probabilities == ((0.2, 0.8), (0.5, 0.5))
    assert distribution.per_sku == 2 and distribution.sku(0).as_dict() == {"values": [1, 3], "probabilities": [0.2, 0.8]}
    assert LeadTimeDistribution((1, 3), ((1.0, 0.0), (0.5, 0.5))).sku(0).values == (1,)
    with pytest.raises(ValueError, match="row 1 must sum to 1"):
        LeadTimeDistribution((1, 3), ((1.0, 0.0), (0.5, 0.4)))
    with pytest.raises(ValueError, match="must be >= 0"):
        LeadTimeDistribution((1, 3), ((1.5, -0.5), (0.5, 0.5)))
    with pytest.raises(ValueError, match="every value must be possible"):
        LeadTimeDistribution((1, 3), ((1.0, 0.0), (1.0, 0.0)))
    with pytest.raises(ValueError, match="one row per SKU and one entry per value"):
        LeadTimeDistribution((1, 3), ((1.0,), (1.0,)))
    with pytest.raises(ValueError, match="n_skus=2"):
        InventoryVectorEnv(num_envs=2, lead_time=PER_SKU, reward_timing="step")
    with pytest.raises(ValueError, match="one lead-time distribution"):
        distribution.pmf()
