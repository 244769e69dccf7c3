"""Policy regularizations as Gymnasium action wrappers: the policy outputs mu, the env gets an order.

Each wrapper replaces the env's action space (units to order) by a bounded float32
``Box`` for the raw action mu, and turns mu into an order with the project's one
remap function, :func:`gym_inventory.remap.remap`, reading the inventory position,
the forecast features and the scale from ``env.unwrapped``.

=========================== ======= ============================================ ===============================
wrapper                     kind    order                                        default bounds of mu
=========================== ======= ============================================ ===============================
:class:`DirectAction`       none    max(mu * scale, 0)                           [0, 4 (L + P)] (scale units)
:class:`BaseStockAction`    base    max(mu * scale - tot(I), 0)                  [0, 4 (L + P)] (scale units)
:class:`CoeffAction`        coeff   max(mu . feat(x), 0)                         [-2 (L + P), 2 (L + P)] each
:class:`BothAction`         both    max(mu . feat(x) - tot(I), 0)                [-2 (L + P), 2 (L + P)] each
=========================== ======= ============================================ ===============================

Why these bounds: at steady state an epoch orders about P days of demand and a
base-stock target covers about L + P days plus safety stock, so ``4 (L + P)``
scale units leave room for any sensible target; Coeff's coefficients sum to
about P (the order covers P days of the forecast), Both's to about L + P, and
``2 (L + P)`` per coefficient leaves room for either, also when one feature
carries the whole weight (the DS policy network, :mod:`agents.ds`, uses the same
bounds). The coefficient of the bias entry (feat = 1) is in units. ``low`` and
``high`` override the defaults (a number, or one value per entry of mu).

Options of every wrapper: ``order_cap`` (largest order, units: capped base stock)
and ``integer`` (round orders to whole units). Orders larger than the env's
``max_order`` are still clipped by the env. The vector versions live in
:mod:`gym_inventory.vector`; :func:`regularize` builds either.
"""
from __future__ import annotations

import inspect

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from gym_inventory.features import N_FEATURES
from gym_inventory.params import check_bool, check_real
from gym_inventory.remap import action_size, check_kind, remap

#: Multiples of the lead time plus review period (L + P) bounding mu by default.
DEFAULT_BOUND_MULTIPLES = {"none": 4.0, "base": 4.0, "coeff": 2.0, "both": 2.0}


def default_bounds(kind: str, lead_time: int, review_period: int) -> tuple[np.ndarray, np.ndarray]:
    """The default ``(low, high)`` of mu for ``kind`` (see the module table), float32 arrays."""
    size = action_size(kind, N_FEATURES)
    multiple = DEFAULT_BOUND_MULTIPLES[kind]
    span = multiple * (lead_time + review_period)
    low = 0.0 if kind in ("none", "base") else -span
    return np.full(size, low, dtype=np.float32), np.full(size, span, dtype=np.float32)


class ActionRemap:
    """What every regularization wrapper shares: the mu space, its checks and the call of ``remap``.

    Args:
        kind: one of :data:`gym_inventory.remap.REGULARIZATIONS`.
        inventory_env: the unwrapped inventory env (single or vector) that the orders go to;
            it must expose ``inventory_position``, ``scale`` and, for coeff/both, ``features``.
        low, high: bounds of mu: None (the default of ``kind``), a number, or an array of
            ``action_size(kind, 5)`` entries.
        order_cap: optional largest order, units (> 0).
        integer: round orders to whole units.
    """

    def __init__(self, kind: str, inventory_env, low=None, high=None, order_cap=None, integer: bool = False):
        self.kind = check_kind(kind)
        self._check_inventory_env(inventory_env)
        self.size = action_size(kind, N_FEATURES)
        self.order_cap = None if order_cap is None else check_real("order_cap", order_cap, 0.0, strict=True)
        self.integer = check_bool("integer", integer)
        if low is None or high is None:
            params = getattr(inventory_env, "params", None)
            if params is None:
                raise ValueError(
                    f"{type(inventory_env).__name__} has no `params` (lead_time, review_period) for the default "
                    "bounds of mu; pass low and high"
                )
            default_low, default_high = default_bounds(kind, params.lead_time, params.review_period)
        self.low = default_low if low is None else self._check_bound("low", low)
        self.high = default_high if high is None else self._check_bound("high", high)
        if not np.all(self.low < self.high):
            raise ValueError(f"low must be < high in every entry, got low={self.low.tolist()}, high={self.high.tolist()}")
        self.space = spaces.Box(self.low, self.high, shape=(self.size,), dtype=np.float32)

    def _check_inventory_env(self, inventory_env) -> None:
        # getattr_static: the env's properties may need a reset before they can be read.
        needed = ["inventory_position", "scale"] + (["features"] if self.kind in ("coeff", "both") else [])
        missing = [name for name in needed if inspect.getattr_static(inventory_env, name, None) is None]
        if "features" in missing:
            raise ValueError(
                f"regularization {self.kind!r} multiplies mu by the demand features feat(x), but "
                f"{type(inventory_env).__name__} has no `features`; use an inventory env (InventoryLeadTime-v0)"
            )
        if missing:
            raise ValueError(
                f"regularization {self.kind!r} needs an inventory env exposing {needed}; "
                f"{type(inventory_env).__name__} lacks {missing}"
            )

    def _check_bound(self, name: str, value) -> np.ndarray:
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or an array of {self.size} numbers, got {value!r}") from None
        if array.ndim > 1 or array.size not in (1, self.size):
            raise ValueError(f"{name} must be a number or an array of {self.size} entries for {self.kind!r}, got {value!r}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return np.broadcast_to(array, (self.size,)).astype(np.float32)

    def check_mu(self, mu, n_skus: int | None) -> np.ndarray:
        """``mu`` as a float64 ``(n, size)`` array clipped to the bounds (``n_skus=None``: one SKU, shape ``(size,)``).

        The clip is documented: SB3's Gaussian policies overshoot their bounds.
        Another shape, or a NaN or infinite entry, raises ``ValueError``.
        """
        try:
            # Column-major, as are the features in orders(): remap's sum over the
            # coefficients then runs along the SKUs (a short inner axis is slow in numpy).
            array = np.array(mu, dtype=np.float64, order="F")
        except (TypeError, ValueError):
            raise TypeError(f"action mu must be an array of numbers, got {mu!r}") from None
        shape = (self.size,) if n_skus is None else (n_skus, self.size)
        if array.shape != shape:
            raise ValueError(f"action mu for {self.kind!r} must have shape {shape}, got shape {array.shape}: {mu!r}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"action mu must be finite, got {mu!r}")
        return np.clip(array.reshape((-1, self.size), order="F"), self.low, self.high)

    def orders(self, mu: np.ndarray, inventory_env) -> np.ndarray:
        """Orders ``(n,)`` in units for checked ``mu`` ``(n, size)``, from ``inventory_env``'s state now."""
        features = None
        if self.kind in ("coeff", "both"):
            features = np.asfortranarray(np.reshape(inventory_env.features, (mu.shape[0], -1)))
        if features is not None and features.shape[1] != self.size:
            raise ValueError(f"mu has {self.size} coefficients but the env has {features.shape[1]} features")
        return remap(
            self.kind,
            mu,
            inventory_position=np.reshape(inventory_env.inventory_position, (mu.shape[0],)),
            features=features,
            scale=np.reshape(inventory_env.scale, (mu.shape[0],)),
            order_cap=self.order_cap,
            integer=self.integer,
            xp=np,
        )


class RegularizedAction(gym.ActionWrapper, gym.utils.RecordConstructorArgs):
    """Base of the single-env regularization wrappers; subclasses set ``kind``.

    Args:
        env: an env whose ``unwrapped`` is an :class:`~gym_inventory.envs.InventoryEnv`.
        low, high: bounds of mu (None: the documented default of the kind).
        order_cap: optional largest order, units.
        integer: round orders to whole units.
    """

    kind: str = ""

    def __init__(self, env: gym.Env, *, low=None, high=None, order_cap=None, integer: bool = False):
        # Plain Python values in the spec: EnvSpec.to_json cannot encode numpy bounds.
        gym.utils.RecordConstructorArgs.__init__(
            self, low=_plain(low), high=_plain(high), order_cap=_plain(order_cap), integer=_plain(integer)
        )
        gym.ActionWrapper.__init__(self, env)
        self.remapper = ActionRemap(self.kind, env.unwrapped, low, high, order_cap, integer)
        self.action_space = self.remapper.space

    def action(self, action) -> np.ndarray:
        """The order, shape ``(1,)`` float64 units, for the raw action mu."""
        mu = self.remapper.check_mu(action, None)
        return self.remapper.orders(mu, self.env.unwrapped)


def _plain(value):
    """``value`` with numpy arrays and scalars as Python lists and numbers (for ``EnvSpec.to_json``)."""
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value


class DirectAction(RegularizedAction):
    """None: order = max(mu * scale, 0), mu the order in units of the SKU's scale.

    >>> import gymnasium as gym, gym_inventory
    >>> from gym_inventory.wrappers import DirectAction
    >>> env = DirectAction(gym.make("InventoryLeadTime-v0", demand_kwargs={"mean": 5.0}))
    >>> _ = env.reset(seed=0)
    >>> _, _, _, _, info = env.step([2.0])  # two days of mean demand
    >>> float(info["order"])
    10.0
    """

    kind = "none"


class BaseStockAction(RegularizedAction):
    """Base: order = max(mu * scale - tot(I), 0), mu the order-up-to level in units of the SKU's scale.

    >>> import gymnasium as gym, gym_inventory
    >>> from gym_inventory.wrappers import BaseStockAction
    >>> env = BaseStockAction(gym.make("InventoryLeadTime-v0", demand_kwargs={"mean": 5.0}))
    >>> _ = env.reset(seed=0)  # starts with (L + P) x scale = 15 units on hand
    >>> _, _, _, _, info = env.step([4.0])  # order up to 4 x 5 = 20 units
    >>> float(info["order"])
    5.0
    """

    kind = "base"


class CoeffAction(RegularizedAction):
    """Coeff: order = max(mu . feat(x), 0), mu the 5 coefficients over the demand features (scale-free)."""

    kind = "coeff"


class BothAction(RegularizedAction):
    """Both: order = max(mu . feat(x) - tot(I), 0), a feature-driven base-stock target (5 coefficients)."""

    kind = "both"


#: Regularization kind -> single-env wrapper class.
SINGLE_WRAPPERS = {cls.kind: cls for cls in (DirectAction, BaseStockAction, CoeffAction, BothAction)}


def regularize(env, kind: str, *, normalize_action: bool = False, **options):
    """Wrap ``env`` so that its action is mu of regularization ``kind``.

    Args:
        env: a single inventory env (``gym.make("InventoryLeadTime-v0", ...)``) or a
            vector one (:class:`~gym_inventory.vector.InventoryVectorEnv`, possibly wrapped).
        kind: ``"none"``, ``"base"``, ``"coeff"`` or ``"both"``.
        normalize_action: append Gymnasium's ``RescaleAction(-1, 1)`` (its vector version
            for a vector env): the action is then in ``[-1, 1]``, affine to mu's bounds.
        **options: ``low``, ``high``, ``order_cap``, ``integer`` (see :class:`RegularizedAction`).

    >>> import gymnasium as gym, gym_inventory
    >>> env = regularize(gym.make("InventoryLeadTime-v0"), "both", order_cap=100.0)
    >>> env.action_space.shape
    (5,)
    """
    check_kind(kind)
    normalize_action = check_bool("normalize_action", normalize_action)
    from gym_inventory.envs import normalized

    if isinstance(env, gym.vector.VectorEnv):
        from gym_inventory.vector import InventoryVectorEnv
        from gym_inventory.vector.wrappers import VECTOR_WRAPPERS

        if not isinstance(env.unwrapped, InventoryVectorEnv):
            raise ValueError(
                f"regularize() on a vector env needs the native InventoryVectorEnv (gym.make_vec(..., "
                f"vectorization_mode='vector_entry_point')); {type(env.unwrapped).__name__} has no demand features "
                f"of its own: regularize each env with gym.make_vec(..., wrappers=[lambda env: regularize(env, {kind!r})])"
            )
        _check_untransformed_actions(env, env.unwrapped.action_space)
        wrapped = VECTOR_WRAPPERS[kind](env, **options)
        return normalized(wrapped) if normalize_action else wrapped
    if not isinstance(env, gym.Env):
        raise TypeError(f"env must be a gymnasium Env or VectorEnv, got {env!r}")
    _check_untransformed_actions(env, env.unwrapped.action_space)
    wrapped = SINGLE_WRAPPERS[kind](env, **options)
    return normalized(wrapped) if normalize_action else wrapped


def _check_untransformed_actions(env, own_space) -> None:
    # mu becomes an order in units: a wrapper that already rescales the actions would rescale orders.
    if env.action_space != own_space:
        raise ValueError(
            f"env's action space {env.action_space} is not the inventory env's {own_space} (already rescaled or "
            "regularized?); regularize the env without it, e.g. regularize(gym.make(ID), kind, normalize_action=True)"
        )
