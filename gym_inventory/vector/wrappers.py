"""Vector versions of the regularization wrappers: mu ``(num_envs, size)`` -> orders ``(num_envs, 1)``.

Same kinds, bounds and options as :mod:`gym_inventory.wrappers` (they share
:class:`~gym_inventory.wrappers.ActionRemap`, which calls
:func:`gym_inventory.remap.remap` once for all SKUs).
"""
from __future__ import annotations

import numpy as np
from gymnasium.vector import VectorActionWrapper, VectorEnv
from gymnasium.vector.utils import batch_space

from gym_inventory.wrappers.regularization import ActionRemap


class VectorRegularizedAction(VectorActionWrapper):
    """Base of the vector regularization wrappers; subclasses set ``kind``.

    Args:
        env: a vector env whose ``unwrapped`` is an :class:`~gym_inventory.vector.InventoryVectorEnv`.
        low, high: bounds of mu for one SKU (None: the documented default of the kind).
        order_cap: optional largest order, units.
        integer: round orders to whole units.
    """

    kind: str = ""

    def __init__(self, env: VectorEnv, *, low=None, high=None, order_cap=None, integer: bool = False):
        super().__init__(env)
        self.remapper = ActionRemap(self.kind, env.unwrapped, low, high, order_cap, integer)
        self.single_action_space = self.remapper.space
        self.action_space = batch_space(self.remapper.space, self.num_envs)

    def actions(self, actions) -> np.ndarray:
        """Orders ``(num_envs, 1)`` float64 units for the raw actions mu ``(num_envs, size)``."""
        mu = self.remapper.check_mu(actions, self.num_envs)
        return self.remapper.orders(mu, self.env.unwrapped)[:, None]


class VectorDirectAction(VectorRegularizedAction):
    """None for every SKU: order = max(mu * scale, 0)."""

    kind = "none"


class VectorBaseStockAction(VectorRegularizedAction):
    """Base for every SKU: order = max(mu * scale - tot(I), 0)."""

    kind = "base"


class VectorCoeffAction(VectorRegularizedAction):
    """Coeff for every SKU: order = max(mu . feat(x), 0)."""

    kind = "coeff"


class VectorBothAction(VectorRegularizedAction):
    """Both for every SKU: order = max(mu . feat(x) - tot(I), 0)."""

    kind = "both"


#: Regularization kind -> vector wrapper class.
VECTOR_WRAPPERS = {
    cls.kind: cls for cls in (VectorDirectAction, VectorBaseStockAction, VectorCoeffAction, VectorBothAction)
}
