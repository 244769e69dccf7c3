"""The problem / core layer: the validated Problem, and the pure epoch functions shared by the env and DS."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from array_api_compat import array_namespace

import gym_inventory  # noqa: F401
from gym_inventory.core import (
    RECORD_FIELDS,
    EpochRecord,
    InventoryState,
    advance,
    epoch_cost,
    epoch_reward,
    inventory_position,
    lookahead_cost,
    observation,
    step as core_step,
)
from gym_inventory.demand import PoissonDemand
from gym_inventory.dynamics import PythonFloats, simulate_columns
from gym_inventory.evaluation import problem_of, resolve_problem
from gym_inventory.params import InventoryParams
from gym_inventory.problem import Problem


def test_problem_from_kwargs_is_the_envs_problem():
    kwargs = dict(lead_time=3, review_period=2, demand="poisson", demand_kwargs={"mean": 4.0})
    problem = Problem.from_kwargs(**kwargs)
    env = gym.make("InventoryLeadTime-v0", **kwargs)
    built = env.unwrapped.simulator.problem
    assert (built.params, repr(built.demand), built.max_order) == (problem.params, repr(problem.demand), problem.max_order)
    assert problem.max_order == 4 * (3 + 2) * 4.0  # the default action bound, set at construction
    assert env.unwrapped.max_order == problem.max_order
    assert problem_of(env) is env.unwrapped.simulator.problem  # read, not rebuilt
    assert problem_of(kwargs).params == problem.params and resolve_problem(kwargs)[0] == problem.params
    np.testing.assert_array_equal(problem.reward_unit(np.array([2.0, 5.0])), [2.0, 5.0])
    flat = Problem.from_kwargs(normalize=False)
    np.testing.assert_array_equal(flat.reward_unit(np.array([2.0, 5.0])), [1.0, 1.0])


def test_problem_is_validated_and_immutable():
    with pytest.raises(ValueError, match="max_order must be > 0, got 0.0"):
        Problem(InventoryParams(), PoissonDemand(), 0.0)
    with pytest.raises(TypeError, match="params must be an InventoryParams"):
        Problem({"lead_time": 1}, PoissonDemand(), 10.0)
    with pytest.raises(TypeError, match="demand must be a DemandModel"):
        Problem(InventoryParams(), "poisson", 10.0)
    problem = Problem.from_kwargs()
    with pytest.raises(AttributeError):
        problem.max_order = 5.0


def trace(params, net=3.0, in_transit=(2.0,), order=4.0, demands=(6.0, 1.0, 5.0)):
    """One epoch on floats: P = 2 days (then L = 1 look-ahead day), h = 1, p = 9."""
    days = list(demands[: params.review_period])
    out = simulate_columns(net, list(in_transit), order, days, lost_sales=params.lost_sales,
                           holding_cost=params.holding_cost, penalty_cost=params.penalty_cost, xp=PythonFloats)
    return out, list(demands)


def test_rewards_of_both_timings_and_both_objectives_by_hand():
    # L = 1, P = 2: day 0 stock 3 + 2 arriving - 6 -> backlog 1 (penalty 9); day 1: + 4 arriving, - 1 - 1 -> 2 on hand (2)
    step = InventoryParams(lead_time=1, review_period=2, holding_cost=1.0, penalty_cost=9.0)
    out, demands = trace(step)
    holding, penalty = epoch_cost(out)
    assert (holding, penalty) == (2.0, 9.0)
    assert epoch_reward(step, holding + penalty, 1.0, 2.0, 5.0, -1.0 / 5.0) == -11.0 / 5.0
    # lead_time_window: the P days starting L = 1 day later, days 1 and 2: 2 on hand, then 2 - 5 -> backlog 3 (27)
    window = InventoryParams(lead_time=1, review_period=2, reward_timing="lead_time_window")
    ahead = lookahead_cost(window, 3.0, [2.0], 4.0, demands, PythonFloats)
    assert ahead == 2.0 + 27.0
    assert epoch_reward(window, holding + penalty, 1.0, 2.0, 5.0, -1.0, ahead) == -29.0
    # service: 1 stockout day, 2 unit-days on hand at scale 5 -> -(1 x 1 + 0.1 x 2 / 5)
    service = InventoryParams(lead_time=1, review_period=2, objective="service")
    assert epoch_reward(service, holding + penalty, 1.0, 2.0, 5.0, -1.0) == pytest.approx(-(1.0 + 0.1 * 2.0 / 5.0))


def test_observation_is_the_same_bits_on_numpy_and_torch():
    rng = np.random.default_rng(0)
    pipeline, inverse_scale = rng.normal(5, 3, (4, 3)), 1.0 / rng.uniform(1, 9, 4)
    context = rng.normal(0, 1, (4, 6)).astype(np.float32)
    on_numpy = observation(pipeline, inverse_scale, context, np)
    tensors = [torch.tensor(a) for a in (pipeline, inverse_scale, context)]
    on_torch = observation(*tensors, array_namespace(tensors[0]))
    assert on_numpy.dtype == np.float32 and on_numpy.shape == (4, 9)
    assert on_numpy.tobytes() == on_torch.numpy().tobytes()


def test_records_are_named():
    env = gym.make("InventoryLeadTime-v0", horizon=3)
    env.reset(seed=0)
    env.step(np.array([5.0], np.float32))
    simulator = env.unwrapped.simulator
    assert RECORD_FIELDS == EpochRecord._fields and None not in RECORD_FIELDS
    records = simulator.records
    assert set(records) == set(RECORD_FIELDS)
    assert records["cost"][0, 0] == records["holding_cost"][0, 0] + records["penalty_cost"][0, 0]


def test_step_advances_the_state_and_records_the_epoch_by_hand():
    # L = 2, P = 2, backlog, h = 1, p = 9: net 3, arriving 2 (day 0) and 1 (day 1); order 4 arrives on day 2.
    # day 0: 3 + 2 - 6 = -1 (backlog 1, penalty 9); day 1: -1 + 1 - 1 = -1 (penalty 9).
    params = InventoryParams(lead_time=2, review_period=2, holding_cost=1.0, penalty_cost=9.0)
    state = InventoryState(3.0, (2.0, 1.0), 0)
    after, record = core_step(params, state, 4.0, [6.0, 1.0], PythonFloats, 0.0)
    assert after == InventoryState(-1.0, (4.0, 0.0), 1)  # the order is now 0 days away; the last slot empty
    assert after.columns == (-1.0, 4.0, 0.0)
    assert record.inventory_position == 3.0 and inventory_position(after.columns, PythonFloats) == 3.0
    assert (record.holding_cost, record.penalty_cost, record.cost) == (0.0, 18.0, 18.0)
    assert (record.demand, record.sales, record.backlog, record.lost, record.unmet_demand) == (7.0, 6.0, 1.0, 0.0, 2.0)
    assert (record.stockout_days, record.on_hand_days, record.order) == (2.0, 0.0, 4.0)
    np.testing.assert_array_equal(after.pipeline(PythonFloats), [[-1.0, 4.0, 0.0]])
    # advance is step's state part, and numpy columns give the same numbers as floats
    assert advance(params, state, 4.0, [6.0, 1.0], PythonFloats, 0.0)[0] == after
    pipeline = np.array([[3.0, 2.0, 1.0], [0.0, 0.0, 0.0]])
    arrays, rows = core_step(params, InventoryState.from_pipeline(pipeline), np.array([4.0, 1.0]),
                             [np.array([6.0, 1.0]), np.array([1.0, 0.0])], np, np.zeros(2))
    np.testing.assert_array_equal(arrays.pipeline(np), [[-1.0, 4.0, 0.0], [-1.0, 1.0, 0.0]])
    assert [float(value[0]) for value in rows] == list(record) and arrays.epoch == 1
    np.testing.assert_array_equal(pipeline, [[3.0, 2.0, 1.0], [0.0, 0.0, 0.0]])  # nothing modified in place


def test_inventory_position_of_columns_is_numpys_row_sum():
    rng = np.random.default_rng(3)
    for width in (1, 3, 7, 8, 12):
        pipeline = rng.normal(size=(5, width)) * 10.0 ** rng.integers(-3, 6, size=(5, width))
        columns = InventoryState.from_pipeline(pipeline).columns
        assert inventory_position(columns, np).tobytes() == np.add.reduce(pipeline, axis=1).tobytes()
        assert inventory_position(tuple(pipeline[0].tolist()), PythonFloats) == np.add.reduce(pipeline, axis=1)[0]


def test_the_simulator_holds_an_inventory_state():
    env = gym.make("InventoryLeadTime-v0", lead_time=2, review_period=1)
    env.reset(seed=0)
    simulator = env.unwrapped.simulator
    env.step(np.array([3.0], dtype=np.float32))
    assert isinstance(simulator.state, InventoryState) and simulator.state.epoch == simulator.epoch == 1
    np.testing.assert_array_equal(simulator.pipeline, [simulator.state.columns])
