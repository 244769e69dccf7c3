"""The inventory transition, written once.

Every simulator in the project -- the Gymnasium env, the vector env, the
differentiable simulator (DS), the evaluators -- advances inventory by calling
:func:`simulate_days`. It is a pure, batched function over arrays in array-API
style, so the same code runs on numpy arrays and on torch tensors (gradients
flow through ``maximum`` by its almost-everywhere derivative).

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


def inventory_position(pipeline: Array) -> Array:
    """tot(I): net inventory plus all units in transit, shape ``(n_skus,)``."""
    xp = array_namespace(pipeline)
    return xp.sum(pipeline, axis=1)


def simulate_days(
    pipeline: Array,
    order: Array,
    demand: Array,
    *,
    lost_sales: bool,
    holding_cost: Array | float,
    penalty_cost: Array | float,
    xp: Any = None,
) -> DaysOutcome:
    """Advance a batch of SKUs through one order and ``n_days`` days of demand.

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

    Returns:
        A :class:`DaysOutcome`. Nothing is modified in place.
    """
    if xp is None:
        xp = array_namespace(pipeline, demand)
    n_days = demand.shape[1]
    lead_time = pipeline.shape[1] - 1
    # Day d's arrival: what is in transit (d < L), this order (d == L), nothing (d > L,
    # since no further order is placed in this call). No array of zeros is built:
    # on small batches the per-call overhead of each array operation dominates.
    net = pipeline[:, 0]
    on_hand_days, shortage_days, delivered_days, holding_days, penalty_days = [], [], [], [], []
    for day in range(n_days):
        day_demand = demand[:, day]
        if day < lead_time:
            net_after = net + pipeline[:, 1 + day] - day_demand
        elif day == lead_time:
            net_after = net + order - day_demand
        else:
            net_after = net - day_demand
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
    # In transit after the last day: slots for days n_days .. n_days + L - 1.
    parts = [net[:, None]]
    if n_days < lead_time:
        parts.append(pipeline[:, 1 + n_days :])
    if n_days <= lead_time and lead_time > 0:
        parts.append(order[:, None])
    idle = lead_time - max(lead_time - n_days, 0) - (1 if 0 < lead_time and n_days <= lead_time else 0)
    if idle > 0:
        parts.append(xp.zeros((order.shape[0], idle), dtype=pipeline.dtype, device=device(pipeline)))
    new_pipeline = xp.concat(parts, axis=1) if len(parts) > 1 else parts[0]
    return DaysOutcome(new_pipeline, on_hand_days, shortage_days, delivered_days, holding_days, penalty_days)
