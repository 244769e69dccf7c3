"""The vector regularization wrapper: mu ``(num_envs, size)`` -> orders ``(num_envs, 1)``.

Same kinds, bounds and options as :class:`gym_inventory.wrappers.RegularizedAction`
(both use :class:`~gym_inventory.wrappers.action_remap.ActionRemap`, which calls
:func:`gym_inventory.remap.remap` once for all SKUs).
"""
from __future__ import annotations

import numpy as np
from gymnasium.vector import VectorActionWrapper, VectorEnv
from gymnasium.vector.utils import batch_space

from gym_inventory.wrappers.action_remap import ActionRemap, resolve_kind


class VectorRegularizedAction(VectorActionWrapper):
    """Every SKU's action becomes mu of regularization ``kind``.

    Args:
        env: a vector env whose ``unwrapped`` is an :class:`~gym_inventory.vector.InventoryVectorEnv`.
        kind: a name of :data:`gym_inventory.remap.REGULARIZATIONS` (fixed by a named alias).
        low, high, coefficient_bounds, bias_bounds: bounds of mu for one SKU (None: the kind's default).
        order_cap: optional largest order, units.
        integer: round orders to whole units.
    """

    #: Set by the named aliases; None: ``kind`` is an argument.
    fixed_kind: str | None = None

    def __init__(self, env: VectorEnv, kind: str | None = None, *, low=None, high=None, coefficient_bounds=None,
                 bias_bounds=None, order_cap=None, integer: bool = False):
        super().__init__(env)
        self.kind = resolve_kind(type(self), kind)
        self.remapper = ActionRemap(self.kind, env.unwrapped, low, high, order_cap, integer,
                                    coefficient_bounds=coefficient_bounds, bias_bounds=bias_bounds)
        self.single_action_space = self.remapper.space
        self.action_space = batch_space(self.remapper.space, self.num_envs)

    def actions(self, actions) -> np.ndarray:
        """Orders ``(num_envs, 1)`` float64 units for the raw actions mu ``(num_envs, size)``."""
        mu = self.remapper.check_mu(actions, self.num_envs)
        return self.remapper.orders(mu, self.env.unwrapped)[:, None]


class VectorDirectAction(VectorRegularizedAction):
    """Alias of ``VectorRegularizedAction(envs, "none")``."""

    fixed_kind = "none"


class VectorBaseStockAction(VectorRegularizedAction):
    """Alias of ``VectorRegularizedAction(envs, "base")``."""

    fixed_kind = "base"


class VectorCoeffAction(VectorRegularizedAction):
    """Alias of ``VectorRegularizedAction(envs, "coeff")``."""

    fixed_kind = "coeff"


class VectorBothAction(VectorRegularizedAction):
    """Alias of ``VectorRegularizedAction(envs, "both")``."""

    fixed_kind = "both"


#: Regularization kind -> its named vector alias (the one class is :class:`VectorRegularizedAction`).
VECTOR_WRAPPERS = {
    cls.fixed_kind: cls for cls in (VectorDirectAction, VectorBaseStockAction, VectorCoeffAction, VectorBothAction)
}
