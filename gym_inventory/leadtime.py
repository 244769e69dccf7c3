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

import math
import numbers
from dataclasses import dataclass

import numpy as np

from gym_inventory.params import LIMITS, check_int, check_real_array

#: Tolerance of the probabilities' sum around 1.
PROBABILITY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class LeadTimeDistribution:
    """A discrete distribution of lead times, whole days.

    Attributes:
        values: distinct lead times, days (>= 0, increasing).
        probabilities: their probabilities (> 0, summing to 1 within 1e-9; stored normalized).
    """

    values: tuple
    probabilities: tuple

    def __post_init__(self):
        values, probabilities = self.values, self.probabilities
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise TypeError(f"lead_time['values'] must be a list of whole days, got {values!r}")
        if len(values) == 0:
            raise ValueError("lead_time['values'] must hold at least one lead time, got an empty list")
        days = [check_int("lead_time['values'] entry", value, 0, LIMITS["lead_time"]) for value in values]
        if len(set(days)) != len(days):
            raise ValueError(f"lead_time['values'] must be distinct, got {list(values)!r}")
        weights = check_real_array("lead_time['probabilities']", probabilities, "a list of probabilities")
        if weights.shape != (len(days),):
            raise ValueError(f"lead_time['probabilities'] must have one entry per value ({len(days)}), got {probabilities!r}")
        if np.any(weights <= 0.0):
            raise ValueError(f"lead_time['probabilities'] must be > 0 (leave out values that never occur), got {probabilities!r}")
        if abs(float(weights.sum()) - 1.0) > PROBABILITY_TOLERANCE:
            raise ValueError(f"lead_time['probabilities'] must sum to 1, got {probabilities!r} (sum {float(weights.sum())!r})")
        order = np.argsort(days)
        weights = weights / weights.sum()
        object.__setattr__(self, "values", tuple(int(days[i]) for i in order))
        object.__setattr__(self, "probabilities", tuple(float(weights[i]) for i in order))

    @property
    def max(self) -> int:
        """The largest lead time, days: the pipeline holds ``max + 1`` columns."""
        return self.values[-1]

    @property
    def min(self) -> int:
        return self.values[0]

    @property
    def mean(self) -> float:
        return float(np.dot(self.values, self.probabilities))

    @property
    def deterministic(self) -> bool:
        """True for a distribution of one value."""
        return len(self.values) == 1

    def pmf(self) -> np.ndarray:
        """``(max + 1,)`` probabilities of 0 .. max days."""
        pmf = np.zeros(self.max + 1)
        pmf[list(self.values)] = self.probabilities
        return pmf

    def sample(self, rng: np.random.Generator, shape) -> np.ndarray:
        """Lead times of ``shape`` orders, int64 days."""
        if self.deterministic:
            return np.full(shape, self.values[0], dtype=np.int64)
        return np.asarray(self.values, dtype=np.int64)[rng.choice(len(self.values), size=shape, p=self.probabilities)]

    def as_dict(self) -> dict:
        """The ``lead_time`` keyword argument of this distribution (JSON-friendly)."""
        return {"values": list(self.values), "probabilities": list(self.probabilities)}


def make_lead_time(value):
    """``(max_lead_time, distribution)`` of a ``lead_time`` argument: an int (distribution None), a
    :class:`LeadTimeDistribution`, or a dict ``{"values": [...], "probabilities": [...]}``
    (``probabilities`` may be left out: equally likely values)."""
    if isinstance(value, LeadTimeDistribution):
        return value.max, value
    if isinstance(value, dict):
        unknown = set(value) - {"values", "probabilities"}
        if unknown or "values" not in value:
            raise ValueError(
                "lead_time as a distribution must be a dict with keys 'values' and 'probabilities' "
                f"(probabilities optional: equally likely values), got {value!r}"
            )
        values, probabilities = value["values"], value.get("probabilities")
        if probabilities is None:
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                raise TypeError(f"lead_time['values'] must be a list of whole days, got {values!r}")
            probabilities = [1.0 / max(len(values), 1)] * len(values)
        distribution = LeadTimeDistribution(values, probabilities)
        return distribution.max, distribution
    if isinstance(value, numbers.Real):
        return check_int("lead_time", value, 0, LIMITS["lead_time"]), None
    raise TypeError(
        f"lead_time must be an integer, got {value!r} (or a distribution {{'values': [...], 'probabilities': [...]}})"
    )


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



def describe(distribution: LeadTimeDistribution | None, lead_time: int) -> str:
    """A short label: ``"2"`` or ``"{1: 0.5, 3: 0.5}"``."""
    if distribution is None:
        return str(lead_time)
    return "{" + ", ".join(f"{v}: {p:.3g}" for v, p in zip(distribution.values, distribution.probabilities)) + "}"


def coefficient_of_variation(distribution: LeadTimeDistribution) -> float:
    """Standard deviation / mean of the lead time (0 for one value; inf for a mean of 0)."""
    mean = distribution.mean
    var = float(np.dot(np.square(np.asarray(distribution.values) - mean), distribution.probabilities))
    return math.sqrt(var) / mean if mean > 0 else (0.0 if var == 0 else math.inf)
