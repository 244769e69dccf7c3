"""The policy regularizations, written once: raw action mu -> order quantity.

With tot(I) the inventory position and feat(x) the forecast features (last entry 1,
see :mod:`gym_inventory.features`), for each SKU:

======== ============================================ ===========================
kind     order                                        mu
======== ============================================ ===========================
none     max(mu * scale, 0)                           1 value, units of scale
base     max(mu * scale - tot(I), 0)                  1 value, a target in scale units
coeff    max(mu . feat(x), 0)                         m' coefficients (scale-free)
both     max(mu . feat(x) - tot(I), 0)                m' coefficients (scale-free)
======== ============================================ ===========================

Optionally the order is rounded to whole units (``integer``; rounding has no
gradient, so DS rounds only at evaluation) and capped (``order_cap``, capped base
stock; with ``integer`` the cap is rounded down, so whole orders never exceed it).
Pure and batched in array-API style: numpy arrays for the env and vector env,
torch tensors for the differentiable simulator.
"""
from __future__ import annotations

import math
from typing import Any

from array_api_compat import array_namespace

REGULARIZATIONS = ("none", "base", "coeff", "both")

Array = Any


def action_size(kind: str, n_features: int) -> int:
    """Entries of mu for ``kind``: 1 for none/base, ``n_features`` for coeff/both."""
    check_kind(kind)
    return 1 if kind in ("none", "base") else n_features


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
        kind: one of :data:`REGULARIZATIONS`.
        mu: the policy's raw actions (see the module table for units).
        inventory_position: ``(n_skus,)`` tot(I), units.
        features: ``(n_skus, m')`` feat(x), units of demand per day (last entry 1).
        scale: ``(n_skus,)`` the SKUs' scales, units per day.
        order_cap: optional largest order (units), scalar or ``(n_skus,)``.
        integer: round orders to whole units.
    """
    if xp is None:
        xp = array_namespace(mu, inventory_position)
    if kind == "none":
        order = mu[:, 0] * scale
    elif kind == "base":
        order = mu[:, 0] * scale - inventory_position
    elif kind == "coeff":
        order = xp.sum(mu * features, axis=1)
    elif kind == "both":
        order = xp.sum(mu * features, axis=1) - inventory_position
    else:
        check_kind(kind)
    order = xp.maximum(order, 0.0)
    if integer:
        order = xp.round(order)
        if order_cap is not None:
            # whole units never above the cap: a cap of 7.6 allows 7
            order_cap = math.floor(order_cap) if isinstance(order_cap, (int, float)) else xp.floor(order_cap)
    if order_cap is not None:
        order = xp.minimum(order, order_cap)
    return order
