"""Policy regularizations as Gymnasium action wrappers: the policy outputs mu, the env gets an order.

One wrapper class, :class:`RegularizedAction`, takes the kind as a parameter (as
Gymnasium's ``RescaleAction`` takes its bounds): it replaces the env's action space
(units to order) by a bounded float32 ``Box`` for the raw action mu, and turns mu into
an order with the project's one remap function, :func:`gym_inventory.remap.remap`,
reading the inventory position, the forecast features and the scale from ``env.unwrapped``.
The kinds, their formulas, default bounds and initial mu are the registry entries of
:data:`gym_inventory.remap.REGULARIZATIONS`:

======= ============================================ ====================================== ========================
kind    order                                        default bounds of mu                   named alias
======= ============================================ ====================================== ========================
none    max(mu * scale, 0)                           [0, 4 (L + P)] (scale units)           :class:`DirectAction`
base    max(mu * scale - tot(I), 0)                  [0, 4 (L + P)] (scale units)           :class:`BaseStockAction`
coeff   max(mu . feat(x), 0)                         [0, 2 (L + P)] each, bias +-2 (L + P)  :class:`CoeffAction`
both    max(mu . feat(x) - tot(I), 0)                [0, 2 (L + P)] each, bias +-2 (L + P)  :class:`BothAction`
======= ============================================ ====================================== ========================

Why these bounds: at steady state an epoch orders about P days of demand and a
base-stock target covers about L + P days plus safety stock, so ``4 (L + P)``
scale units leave room for any sensible target; Coeff's coefficients sum to
about P (the order covers P days of the forecast), Both's to about L + P, and
``2 (L + P)`` per coefficient leaves room for either, also when one feature
carries the whole weight (the DS policy network, :mod:`agents.ds`, uses the same
bounds). The coefficients on the demand features are non-negative, so the order
never falls when a demand feature rises; the coefficient of the bias entry
(feat = 1) is in units and may be negative. ``coefficient_bounds=(low, high)`` and
``bias_bounds=(low, high)`` change those (e.g. the study's ``28 x clip(c, 0, 1)`` is
``coefficient_bounds=(0, 28)``); ``low`` and ``high`` override every entry (a number,
or one value per entry of mu).

Options of every wrapper: ``order_cap`` (largest order, units: capped base stock)
and ``integer`` (round orders to whole units). Orders larger than the env's
``max_order`` are still clipped by the env. The vector version is
:class:`gym_inventory.vector.VectorRegularizedAction`; :func:`gym_inventory.wrappers.regularize`
builds either.
"""
from __future__ import annotations

import gymnasium as gym
import numpy as np

from gym_inventory.remap import REGULARIZATIONS
from gym_inventory.wrappers.action_remap import ActionRemap, default_bounds, mu_bounds, resolve_kind

#: Multiples of the lead time plus review period (L + P) bounding mu from above by default (the registry's).
DEFAULT_BOUND_MULTIPLES = {name: entry.high for name, entry in REGULARIZATIONS.items()}


class RegularizedAction(gym.ActionWrapper, gym.utils.RecordConstructorArgs):
    """The action of ``env`` becomes mu of regularization ``kind``; the env gets the order.

    Args:
        env: an env whose ``unwrapped`` is an :class:`~gym_inventory.envs.InventoryEnv`.
        kind: a name of :data:`gym_inventory.remap.REGULARIZATIONS` (fixed by a named alias).
        low, high: bounds of mu (None: the documented default of the kind).
        coefficient_bounds: ``(low, high)`` of the demand-feature coefficients (coeff, both).
        bias_bounds: ``(low, high)`` of the bias coefficient (coeff, both).
        order_cap: optional largest order, units.
        integer: round orders to whole units.

    >>> import gymnasium as gym, gym_inventory
    >>> env = RegularizedAction(gym.make("InventoryLeadTime-v0", demand_kwargs={"mean": 5.0}), "base")
    >>> _ = env.reset(seed=0)  # starts with (L + P) x scale = 15 units on hand
    >>> _, _, _, _, info = env.step([4.0])  # order up to 4 x 5 = 20 units
    >>> float(info["order"])
    5.0
    """

    #: Set by the named aliases (:class:`DirectAction`, ...); None: ``kind`` is an argument.
    fixed_kind: str | None = None

    def __init__(self, env: gym.Env, kind: str | None = None, *, low=None, high=None, coefficient_bounds=None,
                 bias_bounds=None, order_cap=None, integer: bool = False):
        kind = resolve_kind(type(self), kind)
        recorded = {} if self.fixed_kind is not None else {"kind": kind}
        # Plain Python values in the spec: EnvSpec.to_json cannot encode numpy bounds.
        gym.utils.RecordConstructorArgs.__init__(self, **recorded, low=_plain(low), high=_plain(high),
                                                 coefficient_bounds=_plain(coefficient_bounds),
                                                 bias_bounds=_plain(bias_bounds), order_cap=_plain(order_cap),
                                                 integer=_plain(integer))
        gym.ActionWrapper.__init__(self, env)
        self.kind = kind
        self.remapper = ActionRemap(kind, env.unwrapped, low, high, order_cap, integer,
                                    coefficient_bounds=coefficient_bounds, bias_bounds=bias_bounds)
        self.action_space = self.remapper.space

    def action(self, action) -> np.ndarray:
        """The order, shape ``(1,)`` float64 units, for the raw action mu."""
        mu = self.remapper.check_mu(action, None)
        inventory_env = self.env.unwrapped
        if getattr(inventory_env, "renderer", None) is not None:  # the frame draws the target level
            from gym_inventory.render import note_target_level

            note_target_level(inventory_env, self.remapper, mu)
        return self.remapper.orders(mu, inventory_env)


def _plain(value):
    """``value`` with numpy arrays and scalars as Python lists and numbers (for ``EnvSpec.to_json``)."""
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(item) for item in value)
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value


class DirectAction(RegularizedAction):
    """Alias of ``RegularizedAction(env, "none")``: order = max(mu * scale, 0), mu in units of the SKU's scale.

    >>> import gymnasium as gym, gym_inventory
    >>> from gym_inventory.wrappers import DirectAction
    >>> env = DirectAction(gym.make("InventoryLeadTime-v0", demand_kwargs={"mean": 5.0}))
    >>> _ = env.reset(seed=0)
    >>> _, _, _, _, info = env.step([2.0])  # two days of mean demand
    >>> float(info["order"])
    10.0
    """

    fixed_kind = "none"


class BaseStockAction(RegularizedAction):
    """Alias of ``RegularizedAction(env, "base")``: order = max(mu * scale - tot(I), 0)."""

    fixed_kind = "base"


class CoeffAction(RegularizedAction):
    """Alias of ``RegularizedAction(env, "coeff")``: order = max(mu . feat(x), 0) (5 coefficients)."""

    fixed_kind = "coeff"


class BothAction(RegularizedAction):
    """Alias of ``RegularizedAction(env, "both")``: order = max(mu . feat(x) - tot(I), 0) (5 coefficients)."""

    fixed_kind = "both"


#: Regularization kind -> its named alias (the one class is :class:`RegularizedAction`).
SINGLE_WRAPPERS = {cls.fixed_kind: cls for cls in (DirectAction, BaseStockAction, CoeffAction, BothAction)}
