r"""Stochastic lead times: a discrete distribution of whole days, drawn once per order.

``gym.make("InventoryLeadTime-v0", lead_time={"values": [1, 2, 4], "probabilities": [0.5, 0.3, 0.2]},
order_crossing=False)``: each order's lead time is an independent draw U from this
distribution. Two supply models:

* ``order_crossing=True``: the order placed on day t arrives on day t + U; a later order
  may arrive before an earlier one (independent lead times, e.g. several carriers).
* ``order_crossing=False`` (sequential deliveries, the classical no-crossing model): the
  order placed on day t arrives on day ``max(t + U, a_prev)``, ``a_prev`` the previous
  order's arrival day. Its effective lead time is the Markov chain
  ``O_k = max(U_k, O_{k-1} - P)`` (P the review period), the exogenous sequential supply
  system of Zipkin, *Foundations of Inventory Management* (2000), section 7.4. Arrival
  days never decrease, so orders arrive in the order placed.

In both models the lead time is exogenous: it depends on neither the order nor the
stock. The simulator draws the epochs' lead times at reset, from a stream of their own
(the demand and the features stay those of the deterministic problem for the same seed),
and computes the effective lead times :func:`effective_lead_times`; the order's lead time
is revealed when it is placed: the observation after the step shows it in the pipeline
(scheduled arrivals by day, ``max(values) + 1`` columns). A distribution of one value is
the integer lead time, bit for bit.
"""
from __future__ import annotations

import numpy as np

from gym_inventory.params import LeadTimeDistribution, check_int, make_lead_time

__all__ = ["LeadTimeDistribution", "make_lead_time", "effective_lead_times", "no_crossing_chain", "window_weights"]

def effective_lead_times(draws: np.ndarray, review_period: int, order_crossing: bool) -> np.ndarray:
    """Days from each order to its arrival, ``(n_skus, epochs)`` int64, from the draws ``(n_skus, epochs)``.

    With crossing, the draws themselves. Without, ``O_k = max(U_k, O_{k-1} - P)``: the
    arrival day ``kP + O_k`` is at least the previous order's (the first order has no predecessor).
    Every effective lead time is at most the largest draw.
    """
    draws = np.asarray(draws, dtype=np.int64)
    if order_crossing or draws.shape[-1] == 0:
        return draws
    effective = np.empty_like(draws)
    effective[..., 0] = draws[..., 0]
    for epoch in range(1, draws.shape[-1]):
        effective[..., epoch] = np.maximum(draws[..., epoch], effective[..., epoch - 1] - review_period)
    return effective


def no_crossing_chain(distribution: LeadTimeDistribution, review_period: int) -> tuple:
    """``(transition, stationary)`` of the no-crossing effective lead time ``O_k = max(U_k, O_{k-1} - P)``
    on ``0 .. max`` days: ``transition[o, o']`` and the stationary law (it exists and is unique: from
    any state, ``max`` is reached in one step with positive probability)."""
    top = distribution.max
    pmf = distribution.pmf()
    transition = np.zeros((top + 1, top + 1))
    for previous in range(top + 1):
        floor = max(previous - review_period, 0)
        transition[previous, floor] += pmf[: floor + 1].sum()
        transition[previous, floor + 1 :] += pmf[floor + 1 :]
    # the stationary law: left eigenvector of eigenvalue 1, by a linear solve
    system = np.vstack([transition.T - np.eye(top + 1), np.ones(top + 1)])
    rhs = np.zeros(top + 2)
    rhs[-1] = 1.0
    stationary = np.linalg.lstsq(system, rhs, rcond=None)[0]
    stationary = np.where(stationary > 1e-13, stationary, 0.0)  # states the chain never reaches: 0, not rounding noise
    return transition, stationary / stationary.sum()


def window_weights(distribution: LeadTimeDistribution, review_period: int) -> np.ndarray:
    """Without crossing, under any policy: the long-run share of days whose end-of-day net inventory is
    (the inventory position after an order) minus the demand of ``m`` days, for ``m = 0 .. max + P``.

    The orders arrived by day d are the first k(d) ones (no crossing), so the net inventory at
    the end of day d is the position after order k(d), placed on day t, minus the demand of
    days t .. d: m = d - t + 1 days. Order k (effective lead time O_k) is the last arrived on
    the days a_k .. a_{k+1} - 1, with ``a_{k+1} - a_k = P + O_{k+1} - O_k`` (none when 0), so
    per epoch of P days the windows m = O_k + 1 .. O_{k+1} + P occur once each. For a fixed
    lead time L: m = L + 1 .. L + P, each with share 1/P.
    """
    review_period = check_int("review_period", review_period, 1)
    transition, stationary = no_crossing_chain(distribution, review_period)
    top = distribution.max
    weights = np.zeros(top + review_period + 1)
    for now in range(top + 1):
        for nxt in range(top + 1):
            mass = stationary[now] * transition[now, nxt]
            if mass > 0:
                weights[now + 1 : nxt + review_period + 1] += mass
    return weights / review_period
