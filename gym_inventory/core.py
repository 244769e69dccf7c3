"""The pure functions of one order epoch that every simulator shares: cost, reward, observation, record.

The functional core around the one transition, :func:`gym_inventory.dynamics.simulate_columns`
(gymnax-style: parameters in, values out, no episode object). The batched simulator
(:mod:`gym_inventory.simulator`, under the env, the vector env and evaluation) calls
them on numpy arrays or, for one SKU, on Python floats; the differentiable simulator
(:mod:`agents.ds.simulation`) on torch tensors.

Reward (``params.objective``, ``params.reward_timing``):

============ ===================== ===============================================================
objective    reward_timing         reward of an epoch
============ ===================== ===============================================================
``cost``     ``step``              -(holding + penalty cost of the epoch's P days) / reward unit
``cost``     ``lead_time_window``  -(cost of the P days starting L days later) / reward unit
``service``  either                -(stockout_weight x stockout days + turnover_weight x on-hand
                                   days / scale)
============ ===================== ===============================================================

The reward unit is the SKU's scale when ``params.normalize``, else 1
(:meth:`gym_inventory.problem.Problem.reward_unit`).
"""
from __future__ import annotations

from functools import partial, reduce
from operator import add
from typing import Any, NamedTuple

import numpy as np

from gym_inventory.dynamics import simulate_columns
from gym_inventory.params import InventoryParams

Array = Any  # a numpy array, a torch tensor or (one SKU) a Python float

#: Sum of a list of per-day values, left to right (its one value when it holds one day: no extra op).
#: A partial of C functions: no Python frame per call (the single env calls it 8 times a step).
total = partial(reduce, add)


class EpochRecord(NamedTuple):
    """What one epoch did, per SKU (units, money, days): the episode's records, named.

    Each field is a ``(n_skus,)`` array (or, for one SKU, a float).
    """

    order: Array  # units ordered
    demand: Array  # units demanded over the P days
    sales: Array  # units delivered (new demand and old backlog)
    lost: Array  # units lost (lost sales; 0 with backlog)
    backlog: Array  # units backlogged at the end (backlog; 0 with lost sales)
    unmet_demand: Array  # units of the days' own demand unmet on their day
    on_hand: Array  # end-of-epoch on-hand
    inventory_position: Array  # tot(I) after the epoch
    holding_cost: Array  # money
    penalty_cost: Array  # money
    cost: Array  # holding + penalty, money
    stockout_days: Array  # days with unmet demand
    on_hand_days: Array  # sum over the days of end-of-day on-hand


#: Per-SKU numbers recorded every epoch (``simulator.records[name]``, ``(n_skus, horizon)``).
RECORD_FIELDS = EpochRecord._fields


def epoch_cost(outcome) -> tuple:
    """``(holding, penalty)`` money of the simulated days of ``outcome`` (a :class:`~gym_inventory.dynamics.ColumnsOutcome`
    or :class:`~gym_inventory.dynamics.DaysOutcome`), summed day by day left to right."""
    return total(outcome.holding_cost), total(outcome.penalty_cost)


def epoch_reward(params: InventoryParams, cost, stockout_days, on_hand_days, scale, negative_inverse_reward_unit,
                 lookahead_cost=None) -> Array:
    """The epoch's reward (module table). ``lookahead_cost``: the cost of the P days starting L days
    later (:func:`lookahead_cost`), needed with ``reward_timing="lead_time_window"``."""
    if params.objective == "cost":
        loss = cost if params.reward_timing == "step" else lookahead_cost
        return loss * negative_inverse_reward_unit
    return -(params.stockout_weight * stockout_days + params.turnover_weight * on_hand_days / scale)


def lookahead_cost(params: InventoryParams, net, in_transit, order, day_demands, xp) -> Array:
    """Cost of the P days starting L days after the order (``day_demands``: the epoch's P days, then the L
    days after them): the days this order controls, simulated from the same state."""
    ahead = simulate_columns(net, in_transit, order, day_demands, lost_sales=params.lost_sales,
                             holding_cost=params.holding_cost, penalty_cost=params.penalty_cost, xp=xp)
    return total(ahead.holding_cost[params.lead_time :]) + total(ahead.penalty_cost[params.lead_time :])


def observation(pipeline, inverse_scale, context, xp) -> Array:
    """The observation, ``(n, obs_dim)`` float32: the pipeline ``(n, L + 1)`` times ``inverse_scale`` ``(n,)``
    (1 / scale when normalizing, else 1), then the epoch's ``context`` ``(n, obs_dim - L - 1)`` float32."""
    if xp is np:
        # Entry by entry, each a contiguous vector over the SKUs, then one transposing copy: a
        # concatenation of (n, 3) and (n, 9) blocks copies a few numbers per row, slow on large
        # batches. The same numbers (a float64 product rounded to float32, then a copy).
        width = pipeline.shape[1]
        rows = np.empty((width + context.shape[1], pipeline.shape[0]), dtype=np.float32)
        np.multiply(pipeline.T, inverse_scale, out=rows[:width], casting="unsafe")
        rows[width:] = context.T
        return np.ascontiguousarray(rows.T)
    return xp.concat([xp.astype(pipeline * inverse_scale[:, None], xp.float32), context], axis=1)
