"""The inventory transition, written once.

Every simulator in the project -- the Gymnasium env, the vector env, the
differentiable simulator (DS), the evaluators -- advances inventory with
:func:`simulate_columns`, directly or through :func:`simulate_days` (its form on
``(n_skus, L + 1)`` arrays). It is a pure, batched function in array-API style, so
the same code runs on numpy arrays, on torch tensors (gradients flow through
``maximum`` by its almost-everywhere derivative) and, for the single env's one SKU,
on Python floats (:class:`PythonFloats`).

Timing convention (days):

* An order epoch starts on the morning of day ``t``; the order is placed first.
* An order placed on day ``t`` arrives at the start of day ``t + L``, before that
  day's demand; with ``L = 0`` it serves day ``t``'s demand.
* Each day: the day's arrival is added to stock, the day's demand is served from
  on-hand stock (oldest backlog first), what cannot be served is backlogged or
  lost, and the day is charged ``h * on_hand + p * shortage`` at its end, where
  ``shortage`` is the end-of-day backlog (backlog mode) or the units lost that
  day (lost-sales mode).

State layout, the *pipeline* (shape ``(n_skus, lead_time + 1)``):

====== ================================================================
column meaning (units of product)
====== ================================================================
0      net inventory at the end of the previous day: on-hand minus backlog
k >= 1 units in transit that arrive at the start of day ``t + k - 1``
====== ================================================================

The inventory position tot(I) is the row sum: net inventory plus everything in
transit.

Random lead times (:mod:`gym_inventory.leadtime`): the pipeline has ``max + 1`` columns
(the largest lead time) and column k >= 1 holds everything *scheduled* to arrive on day
``t + k - 1``, whatever order it belongs to; :func:`simulate_columns` takes the order's
own lead time as ``arrival`` (days, per SKU, drawn exogenously by the simulator), so
orders land in the column of their arrival day. ``arrival`` None is the fixed lead time.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from array_api_compat import array_namespace, device

Array = Any  # a numpy array or a torch tensor


class DaysOutcome(NamedTuple):
    """What :func:`simulate_days` returns. Per-day fields are lists of ``(n_skus,)`` arrays."""

    pipeline: Array  # (n_skus, lead_time + 1): state after the last simulated day
    on_hand: list  # per day: end-of-day on-hand stock
    shortage: list  # per day: end-of-day backlog (backlog) or units lost that day (lost sales)
    delivered: list  # per day: units delivered to customers that day (new demand and old backlog)
    holding_cost: list  # per day: h * on_hand
    penalty_cost: list  # per day: p * shortage


class ColumnsOutcome(NamedTuple):
    """What :func:`simulate_columns` returns: the state as columns, and the per-day lists of :class:`DaysOutcome`."""

    net: Array  # net inventory at the end of the last day
    in_transit: list  # lead_time entries: units arriving in 0 .. L-1 days after the last day; None: nothing
    on_hand: list
    shortage: list
    delivered: list
    holding_cost: list
    penalty_cost: list


class PythonFloats:
    """The namespace of :func:`simulate_columns` for one SKU held in Python floats.

    A single SKU pays numpy's per-call overhead on every operation of a step; the
    same transition on Python floats costs a fraction of it, with identical IEEE
    arithmetic (``max(x, 0.0)`` is ``maximum``).
    """

    maximum = staticmethod(max)
    minimum = staticmethod(min)

    @staticmethod
    def sign(value: float) -> float:
        return float((value > 0) - (value < 0))


def inventory_position(pipeline: Array) -> Array:
    """tot(I): net inventory plus all units in transit, shape ``(n_skus,)``."""
    xp = array_namespace(pipeline)
    return xp.sum(pipeline, axis=1)


def simulate_columns(
    net: Array,
    in_transit: list,
    order: Array,
    day_demands: list,
    *,
    lost_sales: bool,
    holding_cost: Array | float,
    penalty_cost: Array | float,
    xp: Any,
    arrival: Array | int | None = None,
) -> ColumnsOutcome:
    """The transition: one order, then ``len(day_demands)`` days, on the pipeline's columns.

    This is the only code in the project that moves inventory. Every value is a
    ``(n_skus,)`` array of namespace ``xp`` (numpy or torch through
    ``array_api_compat``) or, for a single SKU, a Python float with
    ``xp=PythonFloats``; :func:`simulate_days` is its form on ``(n_skus, L + 1)`` arrays.

    Args:
        net: net inventory (on-hand minus backlog) at the order time; >= 0 with lost sales.
        in_transit: ``lead_time`` values: units arriving at the start of day 0 .. L-1.
        order: units ordered now; they arrive at the start of day ``lead_time``
            (day 0: today). No order is placed on the following days.
        day_demands: units demanded on each simulated day (at least one day).
        lost_sales, holding_cost, penalty_cost, xp: as in :func:`simulate_days`.
        arrival: None (the order arrives on day ``lead_time``), or the day the order arrives,
            ``0 .. lead_time``: an int, or per SKU an integer array of namespace ``xp``
            (random lead times; the order is multiplied by ``arrival == day``, so gradients
            flow to it on torch). A constant ``arrival = lead_time`` gives the same numbers.

    Returns:
        A :class:`ColumnsOutcome`; nothing is modified in place.
    """
    if arrival is not None:
        return _simulate_scheduled(net, in_transit, order, day_demands, arrival, lost_sales, holding_cost, penalty_cost, xp)
    lead_time = len(in_transit)
    n_days = len(day_demands)
    # Day d's arrival: what is in transit (d < L), this order (d == L), nothing (d > L).
    # No array of zeros is built: on small batches each operation's call overhead dominates.
    arrivals = [in_transit[day] if day < lead_time else (order if day == lead_time else None) for day in range(n_days)]
    # In transit after the last day: the slot of day n_days + k.
    after = [
        in_transit[n_days + k] if n_days + k < lead_time else (order if n_days + k == lead_time else None)
        for k in range(lead_time)
    ]
    return _serve_days(net, arrivals, after, day_demands, lost_sales, holding_cost, penalty_cost, xp)


def _simulate_scheduled(net, in_transit, order, day_demands, arrival, lost_sales, holding_cost, penalty_cost, xp) -> ColumnsOutcome:
    """:func:`simulate_columns` with the order landing on day ``arrival`` (<= ``len(in_transit)``)."""
    lead_time = len(in_transit)
    n_days = len(day_demands)

    def scheduled(day):  # units arriving on day ``day``: in transit, plus the order if it lands then
        if day > lead_time:
            return None
        landing = order * (arrival == day)
        return landing if day == lead_time else in_transit[day] + landing

    arrivals = [scheduled(day) for day in range(n_days)]
    after = [scheduled(n_days + k) for k in range(lead_time)]
    return _serve_days(net, arrivals, after, day_demands, lost_sales, holding_cost, penalty_cost, xp)


def _serve_days(net, arrivals, after, day_demands, lost_sales, holding_cost, penalty_cost, xp) -> ColumnsOutcome:
    """The days of :func:`simulate_columns`: each day's arrival (None: nothing), demand, sales and costs."""
    on_hand_days, shortage_days, delivered_days, holding_days, penalty_days = [], [], [], [], []
    for day, (day_demand, arriving) in enumerate(zip(day_demands, arrivals)):
        net_after = net - day_demand if arriving is None else net + arriving - day_demand
        on_hand = xp.maximum(net_after, 0.0)
        shortage = on_hand - net_after  # backlog at day end, or units lost today
        if lost_sales:
            delivered = day_demand - shortage
            net = on_hand
        else:
            # Backlog is served first: units delivered = demand + backlog before - backlog after.
            backlog_before = xp.maximum(-net, 0.0) if day == 0 else shortage_days[-1]
            delivered = day_demand + backlog_before - shortage
            net = net_after
        on_hand_days.append(on_hand)
        shortage_days.append(shortage)
        delivered_days.append(delivered)
        holding_days.append(holding_cost * on_hand)
        penalty_days.append(penalty_cost * shortage)
    return ColumnsOutcome(net, after, on_hand_days, shortage_days, delivered_days, holding_days, penalty_days)


def simulate_days(
    pipeline: Array,
    order: Array,
    demand: Array,
    *,
    lost_sales: bool,
    holding_cost: Array | float,
    penalty_cost: Array | float,
    xp: Any = None,
    arrival: Array | int | None = None,
) -> DaysOutcome:
    """Advance a batch of SKUs through one order and ``n_days`` days of demand.

    :func:`simulate_columns` on the columns of ``pipeline`` and ``demand``.

    Args:
        pipeline: ``(n_skus, lead_time + 1)`` state at the order time (layout in the
            module docstring). Column 0 must be >= 0 in lost-sales mode.
        order: ``(n_skus,)`` units ordered now; they arrive ``lead_time`` days later.
            No order is placed on the following simulated days, so simulating
            ``review_period`` days is one order epoch, and simulating
            ``lead_time + review_period`` days looks ahead to the days this order
            controls.
        demand: ``(n_skus, n_days)`` units demanded on each day, ``n_days >= 1``.
        lost_sales: True: unmet demand is lost; False: it is backlogged.
        holding_cost: h, money per unit on hand at the end of a day (scalar or ``(n_skus,)``).
        penalty_cost: p, money per unit backlogged at the end of a day, or per unit lost.
        xp: the array namespace, looked up from the arrays when None.
        arrival: the order's lead time per SKU (random lead times), as in :func:`simulate_columns`.

    Returns:
        A :class:`DaysOutcome`. Nothing is modified in place.
    """
    if xp is None:
        xp = array_namespace(pipeline, demand)
    lead_time = pipeline.shape[1] - 1
    out = simulate_columns(
        pipeline[:, 0], [pipeline[:, 1 + k] for k in range(lead_time)], order,
        [demand[:, day] for day in range(demand.shape[1])],
        lost_sales=lost_sales, holding_cost=holding_cost, penalty_cost=penalty_cost, xp=xp, arrival=arrival,
    )
    return DaysOutcome(stack_pipeline(out, xp), *out[2:])


def stack_pipeline(out: ColumnsOutcome, xp: Any) -> Array:
    """The ``(n_skus, lead_time + 1)`` pipeline of a :class:`ColumnsOutcome` of arrays (empty slots: zeros)."""
    if not out.in_transit:
        return out.net[:, None]
    zeros = None
    columns = [out.net]
    for column in out.in_transit:
        if column is None:
            if zeros is None:
                zeros = xp.zeros(out.net.shape, dtype=out.net.dtype, device=device(out.net))
            column = zeros
        columns.append(column)
    return xp.stack(columns, axis=1)
