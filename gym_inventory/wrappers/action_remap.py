"""What the single and vector regularization wrappers share: the space of mu, its checks, the call of remap.

Both :mod:`gym_inventory.wrappers.regularization` and :mod:`gym_inventory.vector.wrappers`
import this module (and not each other). Defaults come from the kind's registry entry,
:data:`gym_inventory.remap.REGULARIZATIONS`.
"""
from __future__ import annotations

import inspect
import math

import numpy as np
from gymnasium import spaces

from gym_inventory.features import N_FEATURES
from gym_inventory.params import check_bool, check_real
from gym_inventory.remap import action_size, check_kind, regularization, remap


def default_bounds(kind: str, lead_time: int, review_period: int) -> tuple[np.ndarray, np.ndarray]:
    """The default ``(low, high)`` of mu for ``kind`` (its registry entry's), float32 arrays."""
    return regularization(kind).default_bounds(lead_time, review_period, N_FEATURES)


def mu_bounds(kind: str, lead_time: int, review_period: int, *, coefficient_bounds=None, bias_bounds=None):
    """``(low, high)`` of mu (float32): the defaults of ``kind``, with the demand-feature coefficients in
    ``coefficient_bounds`` and the bias in ``bias_bounds`` where given (per-feature kinds only)."""
    low, high = default_bounds(kind, lead_time, review_period)
    for name, value, entries in (("coefficient_bounds", coefficient_bounds, slice(0, -1)),
                                 ("bias_bounds", bias_bounds, slice(-1, None))):
        if value is None:
            continue
        if not regularization(kind).per_feature:
            raise ValueError(f"{name} is for the regularizations with feature coefficients, not {kind!r}")
        pair = _check_pair(name, value)
        low[entries], high[entries] = pair
    return low, high


def resolve_kind(cls, kind) -> str:
    """The kind of a regularization wrapper class: its named alias's ``fixed_kind`` (``kind`` must then be
    None or the same), else ``kind``."""
    fixed = getattr(cls, "fixed_kind", None)
    if fixed is None:
        if kind is None:
            raise TypeError(f"{cls.__name__} needs the regularization kind, e.g. {cls.__name__}(env, 'base')")
        return check_kind(kind)
    if kind is not None and kind != fixed:
        raise ValueError(f"{cls.__name__} is the {fixed!r} regularization, got kind={kind!r}")
    return fixed


def _check_pair(name: str, value) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}")
    low, high = (check_real(name, entry, -math.inf) for entry in value)
    if not low < high:
        raise ValueError(f"{name} must have low < high, got {value!r}")
    return low, high


class ActionRemap:
    """What every regularization wrapper shares: the mu space, its checks and the call of ``remap``.

    Args:
        kind: a name of :data:`gym_inventory.remap.REGULARIZATIONS`.
        inventory_env: the unwrapped inventory env (single or vector) that the orders go to;
            it must expose ``inventory_position``, ``scale`` and, for coeff/both, ``features``.
        low, high: bounds of mu: None (the default of ``kind``), a number, or an array of
            ``action_size(kind, 5)`` entries.
        coefficient_bounds: ``(low, high)`` of every demand-feature coefficient (coeff, both);
            None: the kind's default (non-negative: orders never fall as a feature rises).
        bias_bounds: ``(low, high)`` of the bias coefficient (coeff, both; units); None: the default.
        order_cap: optional largest order, units (> 0).
        integer: round orders to whole units.

    ``coefficient_bounds`` and ``bias_bounds`` refine the defaults; ``low`` and ``high``
    replace them entry by entry, so they do not go with the other two.
    """

    def __init__(self, kind: str, inventory_env, low=None, high=None, order_cap=None, integer: bool = False, *,
                 coefficient_bounds=None, bias_bounds=None):
        self.kind = check_kind(kind)
        self.entry = regularization(kind)
        self._check_inventory_env(inventory_env)
        self.size = action_size(kind, N_FEATURES)
        self.order_cap = None if order_cap is None else check_real("order_cap", order_cap, 0.0, strict=True)
        self.integer = check_bool("integer", integer)
        for name, value in (("coefficient_bounds", coefficient_bounds), ("bias_bounds", bias_bounds)):
            if value is not None and not self.entry.per_feature:
                raise ValueError(f"{name} is for the regularizations with feature coefficients (coeff, both), "
                                 f"not {kind!r}; got {value!r}")
            if value is not None and (low is not None or high is not None):
                raise ValueError(f"give low/high or {name}, not both (got low={low!r}, high={high!r}, {name}={value!r})")
        if low is None or high is None:
            params = getattr(inventory_env, "params", None)
            if params is None:
                raise ValueError(
                    f"{type(inventory_env).__name__} has no `params` (lead_time, review_period) for the default "
                    "bounds of mu; pass low and high"
                )
            default_low, default_high = mu_bounds(kind, params.lead_time, params.review_period,
                                                  coefficient_bounds=coefficient_bounds, bias_bounds=bias_bounds)
        self.low = default_low if low is None else self._check_bound("low", low)
        self.high = default_high if high is None else self._check_bound("high", high)
        if not np.all(self.low < self.high):
            raise ValueError(f"low must be < high in every entry, got low={self.low.tolist()}, high={self.high.tolist()}")
        self.space = spaces.Box(self.low, self.high, shape=(self.size,), dtype=np.float32)

    def _check_inventory_env(self, inventory_env) -> None:
        # getattr_static: the env's properties may need a reset before they can be read.
        needed = ["inventory_position", "scale"] + (["features"] if self.entry.needs_features else [])
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
        if self.entry.needs_features:
            features = np.asfortranarray(np.reshape(inventory_env.features, (mu.shape[0], -1)))
        if self.entry.per_feature and features.shape[1] != self.size:
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
