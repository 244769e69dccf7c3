"""Policy regularizations as action wrappers: the policy outputs mu, :func:`gym_inventory.remap.remap` orders.

See :mod:`gym_inventory.wrappers.regularization` for the formulas and default bounds.
"""
from __future__ import annotations

from gym_inventory.wrappers.action_remap import ActionRemap, default_bounds, mu_bounds
from gym_inventory.wrappers.factory import regularize
from gym_inventory.wrappers.regularization import (
    DEFAULT_BOUND_MULTIPLES,
    SINGLE_WRAPPERS,
    BaseStockAction,
    BothAction,
    CoeffAction,
    DirectAction,
    RegularizedAction,
)

__all__ = [
    "DEFAULT_BOUND_MULTIPLES",
    "SINGLE_WRAPPERS",
    "ActionRemap",
    "BaseStockAction",
    "BothAction",
    "CoeffAction",
    "DirectAction",
    "RegularizedAction",
    "default_bounds",
    "mu_bounds",
    "regularize",
]
