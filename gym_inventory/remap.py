"""The policy regularizations, written once: a registry of kinds and the remap raw action mu -> order quantity.

With tot(I) the inventory position and feat(x) the forecast features (last entry 1,
the bias, see :mod:`gym_inventory.features`), for each SKU, W = L + P:

======== =================================== ============================ ================================== ==========================
kind     order                               mu                           default bounds of mu               initial mu (untrained)
======== =================================== ============================ ================================== ==========================
none     max(mu * scale, 0)                  1 value, units of scale      [0, 4 W]                           P
base     max(mu * scale - tot(I), 0)         1 value, a target (scale)    [0, 4 W]                           W
coeff    max(mu . feat(x), 0)                m' coefficients (scale-free) [0, 2 W] each, bias [-2 W, 2 W]    P on ``forecast_next_7``
both     max(mu . feat(x) - tot(I), 0)       m' coefficients (scale-free) [0, 2 W] each, bias [-2 W, 2 W]    W on ``forecast_next_7``
======== =================================== ============================ ================================== ==========================

Every kind is one :class:`Regularization` entry of :data:`REGULARIZATIONS`: its size of
mu, default bounds, initial mu and formula; :func:`remap`, the action wrappers (single
and vector), the DS policy network and the sweep spaces all read the entry. The
coefficients on the demand features are non-negative by default, so an order never
falls when a demand feature rises (no monotonicity blunders, as in the study, whose
code uses ``28 x clip(c, 0, 1)``); the bias (in units) is free. Adding a kind is one
:func:`register_regularization` call (see ``docs/regularizations.md``).

Optionally the order is rounded to whole units (``integer``; rounding has no
gradient, so DS rounds only at evaluation) and capped (``order_cap``, capped base
stock; with ``integer`` the cap is rounded down, so whole orders never exceed it).
Pure and batched in array-API style: numpy arrays for the env and vector env,
torch tensors for the differentiable simulator.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from array_api_compat import array_namespace

Array = Any

#: Initial mu's share of the range kept from a bound: the untrained policy starts strictly inside.
INITIAL_MARGIN = 1e-3


@dataclass(frozen=True)
class Regularization:
    """One regularization kind: everything the package needs to know about it.

    Attributes:
        name: the kind's name (``regularize(env, name)``).
        formula: ``formula(mu, inventory_position, features, scale, xp) -> (n,)`` the order
            before the clip at 0, rounding and cap (mu ``(n, size)``, features ``(n, m')``).
        per_feature: mu holds one coefficient per feature of feat(x) (m' entries, the last
            on the bias); else mu is one value in units of the SKU's scale.
        low, high: default bounds of mu (of each demand-feature coefficient when
            ``per_feature``), in multiples of W = L + P.
        bias_low, bias_high: default bounds of the bias coefficient (``per_feature`` only), x W.
        initial_days: the untrained policy's mu: ``"review_period"`` (P) or ``"window"`` (W);
            on the ``forecast_next_7`` coefficient when ``per_feature`` (0 on the others).
        description: the formula in words (docs, error messages).
        uses_features: the formula reads feat(x) although mu is one value (implied by ``per_feature``).
        target_level: mu sets an order-up-to level, order = max(level - tot(I), 0): the
            formula at tot(I) = 0 is the level (the renderer draws it).
    """

    name: str
    formula: Callable
    per_feature: bool
    low: float
    high: float
    bias_low: float | None = None
    bias_high: float | None = None
    initial_days: str = "window"
    description: str = ""
    uses_features: bool = False
    target_level: bool = False

    @property
    def needs_features(self) -> bool:
        """Whether the formula reads feat(x) (the env must expose ``features``)."""
        return self.per_feature or self.uses_features

    def size(self, n_features: int) -> int:
        """Entries of mu: ``n_features`` when per feature, else 1."""
        return n_features if self.per_feature else 1

    def default_bounds(self, lead_time: int, review_period: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high)`` of mu, float32 arrays of :meth:`size` entries (the bias last)."""
        window = lead_time + review_period
        size = self.size(n_features)
        low = np.full(size, self.low * window, dtype=np.float32)
        high = np.full(size, self.high * window, dtype=np.float32)
        if self.per_feature:
            low[-1], high[-1] = self.bias_low * window, self.bias_high * window
        return low, high

    def initial_mu(self, lead_time: int, review_period: int, low, high, n_features: int) -> np.ndarray:
        """The untrained policy's mu (float64, :meth:`size` entries), moved strictly inside ``[low, high]``
        by :data:`INITIAL_MARGIN` of the range (a coefficient of 0 at a bound of 0 becomes a small positive one)."""
        days = {"review_period": review_period, "window": lead_time + review_period}[self.initial_days]
        mu = np.zeros(self.size(n_features))
        if self.per_feature:
            from gym_inventory.features import FEATURE_NAMES

            mu[FEATURE_NAMES.index("forecast_next_7")] = days
        else:
            mu[0] = days
        low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
        margin = INITIAL_MARGIN * (high - low)
        return np.minimum(np.maximum(mu, low + margin), high - margin)


def _scaled(mu, inventory_position, features, scale, xp):
    return mu[:, 0] * scale


def _scaled_target(mu, inventory_position, features, scale, xp):
    return mu[:, 0] * scale - inventory_position


def _linear(mu, inventory_position, features, scale, xp):
    return xp.sum(mu * features, axis=1)


def _linear_target(mu, inventory_position, features, scale, xp):
    return xp.sum(mu * features, axis=1) - inventory_position


#: Regularization name -> entry; iterating gives the names (``tuple(REGULARIZATIONS)``).
REGULARIZATIONS: dict[str, Regularization] = {}


def register_regularization(entry: Regularization) -> Regularization:
    """Add a kind to :data:`REGULARIZATIONS` (``ValueError`` if the name is taken)."""
    if not isinstance(entry, Regularization):
        raise TypeError(f"entry must be a Regularization, got {entry!r}")
    if entry.name in REGULARIZATIONS:
        raise ValueError(f"regularization {entry.name!r} is already registered")
    if entry.per_feature and (entry.bias_low is None or entry.bias_high is None):
        raise ValueError(f"regularization {entry.name!r} is per feature: give bias_low and bias_high")
    REGULARIZATIONS[entry.name] = entry
    return entry


register_regularization(Regularization("none", _scaled, per_feature=False, low=0.0, high=4.0,
                                       initial_days="review_period", description="max(mu * scale, 0)"))
register_regularization(Regularization("base", _scaled_target, per_feature=False, low=0.0, high=4.0,
                                       description="max(mu * scale - tot(I), 0)", target_level=True))
register_regularization(Regularization("coeff", _linear, per_feature=True, low=0.0, high=2.0, bias_low=-2.0,
                                       bias_high=2.0, initial_days="review_period", description="max(mu . feat(x), 0)"))
register_regularization(Regularization("both", _linear_target, per_feature=True, low=0.0, high=2.0, bias_low=-2.0,
                                       bias_high=2.0, description="max(mu . feat(x) - tot(I), 0)", target_level=True))


def regularization(kind) -> Regularization:
    """The registry entry of ``kind`` (``ValueError``/``TypeError`` naming it when it is none)."""
    return REGULARIZATIONS[check_kind(kind)]


def action_size(kind: str, n_features: int) -> int:
    """Entries of mu for ``kind``: 1 for none/base, ``n_features`` for coeff/both."""
    return regularization(kind).size(n_features)


def check_kind(kind) -> str:
    """Return ``kind`` if it names a regularization, else raise ``ValueError``/``TypeError``."""
    if not isinstance(kind, str):
        raise TypeError(f"regularization kind must be a string, one of {list(REGULARIZATIONS)}, got {kind!r}")
    if kind not in REGULARIZATIONS:
        raise ValueError(f"regularization kind must be one of {list(REGULARIZATIONS)}, got {kind!r}")
    return kind


def remap(
    kind: str,
    mu: Array,
    *,
    inventory_position: Array,
    features: Array,
    scale: Array,
    order_cap: Array | float | None = None,
    integer: bool = False,
    xp: Any = None,
) -> Array:
    """Orders ``(n_skus,)`` for raw actions ``mu`` ``(n_skus, action_size(kind))``.

    Args:
        kind: a name of :data:`REGULARIZATIONS`.
        mu: the policy's raw actions (see the module table for units).
        inventory_position: ``(n_skus,)`` tot(I), units.
        features: ``(n_skus, m')`` feat(x), units of demand per day (last entry 1).
        scale: ``(n_skus,)`` the SKUs' scales, units per day.
        order_cap: optional largest order (units), scalar or ``(n_skus,)``.
        integer: round orders to whole units.
    """
    if xp is None:
        xp = array_namespace(mu, inventory_position)
    order = xp.maximum(regularization(kind).formula(mu, inventory_position, features, scale, xp), 0.0)
    if integer:
        order = xp.round(order)
        if order_cap is not None:
            # whole units never above the cap: a cap of 7.6 allows 7
            order_cap = math.floor(order_cap) if isinstance(order_cap, (int, float)) else xp.floor(order_cap)
    if order_cap is not None:
        order = xp.minimum(order, order_cap)
    return order
