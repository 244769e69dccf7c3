"""The pure functions of one order epoch that every simulator shares: state, step, cost, reward, observation, record.

The functional core around the one transition, :func:`gym_inventory.dynamics.simulate_columns`
(gymnax-style: parameters in, values out, no episode object). The episode state between two
order epochs is an :class:`InventoryState`; :func:`step` advances it by one epoch and returns
the next state and the epoch's :class:`EpochRecord` (:func:`advance`: the next state alone,
for a caller that needs no record, such as DS). The batched simulator
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

from gym_inventory.dynamics import PythonFloats, simulate_columns
from gym_inventory.params import InventoryParams

Array = Any  # a numpy array, a torch tensor or (one SKU) a Python float

_new_tuple = tuple.__new__

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


class InventoryState(NamedTuple):
    """The state of an episode between two order epochs: all the dynamics need to go on.

    The pipeline (:mod:`gym_inventory.dynamics`' layout) held as its columns, and the
    epoch index. Each column is a ``(n_skus,)`` array (numpy or torch) or, for one SKU,
    a Python float. Immutable: :func:`step` returns a new state.

    Attributes:
        net: net inventory (on-hand minus backlog) at the start of the epoch, units.
        in_transit: ``lead_time`` columns: units arriving at the start of day 0 .. L-1 of the epoch.
        epoch: order epochs already simulated (0 at the first decision); the epoch's first day
            is ``epoch * review_period``.
    """

    net: Array
    in_transit: tuple
    epoch: int

    @classmethod
    def from_pipeline(cls, pipeline, epoch: int = 0) -> "InventoryState":
        """The state of a ``(n_skus, lead_time + 1)`` pipeline array (its columns are views)."""
        return cls(pipeline[:, 0], tuple(pipeline[:, k] for k in range(1, pipeline.shape[1])), epoch)

    @property
    def columns(self) -> tuple:
        """Net inventory, then the in-transit columns: the pipeline's ``lead_time + 1`` columns."""
        return (self.net, *self.in_transit)

    def pipeline(self, xp) -> Array:
        """The ``(n_skus, lead_time + 1)`` pipeline (``(1, lead_time + 1)`` float64 numpy for Python floats)."""
        if xp is PythonFloats:
            return np.array([self.columns])
        return xp.stack(self.columns, axis=1)


def inventory_position(columns, xp) -> Array:
    """tot(I) of the pipeline's ``columns`` (:attr:`InventoryState.columns`), ``(n_skus,)`` or a float.

    Fewer than 8 columns are added left to right -- bit for bit numpy's row reduction,
    which adds fewer than 8 numbers left to right; from 8 on, numpy's (pairwise) row sum.
    """
    if len(columns) < 8:
        return total(columns)
    if xp is PythonFloats:
        return float(np.add.reduce(np.array(columns)))
    return xp.sum(xp.stack(columns, axis=1), axis=1)


def advance(params: InventoryParams, state: InventoryState, order, day_demands, xp, zero, arrival=None) -> tuple:
    """The pure state step: place ``order`` and simulate the days of ``day_demands`` (the epoch's P days).

    Returns ``(next_state, outcome)``: the :class:`InventoryState` one epoch later (slots no order
    fills hold ``zero``, a zero of the state's kind) and the day-by-day
    :class:`~gym_inventory.dynamics.ColumnsOutcome` of :func:`~gym_inventory.dynamics.simulate_columns`.
    """
    out = simulate_columns(
        state.net, state.in_transit, order, day_demands, lost_sales=params.lost_sales,
        holding_cost=params.holding_cost, penalty_cost=params.penalty_cost, xp=xp, arrival=arrival,
    )
    in_transit = tuple([zero if units is None else units for units in out.in_transit])
    # tuple.__new__: the NamedTuple without its Python-level __new__ (the single env steps it every step)
    return _new_tuple(InventoryState, (out.net, in_transit, state.epoch + 1)), out


def step(params: InventoryParams, state: InventoryState, order, day_demands, xp, zero, arrival=None) -> tuple:
    """One order epoch: ``(next_state, EpochRecord)`` from ``state``, ``order`` and ``day_demands`` (per-day
    demands from the epoch's first day: its first P are the epoch's, any more are not read).

    ``xp``: the namespace (numpy, torch through ``array_api_compat``, or
    :class:`~gym_inventory.dynamics.PythonFloats` for one SKU); ``zero``: a zero of the
    state's kind, used for empty pipeline slots and for the record fields a mode does not
    use (``lost`` with backlog, ``backlog`` with lost sales); ``arrival``: the order's lead time
    (random lead times, :mod:`gym_inventory.leadtime`) or None. Nothing is modified in place.
    """
    demands = day_demands[: params.review_period]
    next_state, out = advance(params, state, order, demands, xp, zero, arrival)
    holding, penalty = epoch_cost(out)
    shortage = out.shortage
    # Units of the days' own demand that stock did not meet (backlog is served first,
    # so a day's unmet demand is the part of its shortage up to its demand).
    unmet = [xp.minimum(units, demanded) for units, demanded in zip(shortage, demands)]
    stockout_days = total([xp.sign(units) for units in unmet])  # unmet >= 0: sign is 1 on a stockout day
    # positional, in EpochRecord's field order (the single env builds one per step)
    return next_state, EpochRecord(
        order, total(demands), total(out.delivered), total(shortage) if params.lost_sales else zero,
        zero if params.lost_sales else shortage[-1], total(unmet), out.on_hand[-1],
        inventory_position((next_state.net, *next_state.in_transit), xp), holding, penalty, holding + penalty,
        stockout_days, total(out.on_hand),
    )


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
