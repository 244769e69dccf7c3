"""Constant order, myopic newsvendor, base stock, capped base stock and (s, S).

Parameters are numbers (shared by every SKU) or ``(n_skus,)`` arrays (one value
per SKU, which lets a simulation search evaluate many candidate levels at once on
copies of the same demand paths). Levels are in units, or in units of each SKU's
scale (mean daily demand) with ``in_scale_units=True``.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from gym_inventory.features import FEATURE_NAMES, N_FEATURES
from gym_inventory.params import check_bool, check_choice, check_real
from gym_inventory.policy import DecisionState, Policy
from gym_inventory.remap import remap

#: Where :class:`Myopic` reads each SKU's mean daily demand: its scale or one forecast feature.
MEAN_SOURCES = ("scale",) + FEATURE_NAMES[:-1]


def check_parameter(name: str, value, minimum: float | None = None, *, allow_inf: bool = False) -> np.ndarray:
    """A per-SKU parameter as a float64 array of shape ``()`` or ``(n,)``: finite (or +inf when
    ``allow_inf``) and >= ``minimum``."""
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or a 1-D array of numbers, got {value!r}") from None
    if array.ndim > 1 or array.size == 0:
        raise ValueError(f"{name} must be a number or a non-empty 1-D array (one value per SKU), got shape {array.shape}")
    if not np.all(np.isfinite(array) | (allow_inf & (array == np.inf))):
        raise ValueError(f"{name} must be finite{' or inf' if allow_inf else ''}, got {value!r}")
    if minimum is not None and np.any(array < minimum):
        raise ValueError(f"{name} must be >= {minimum:g}, got {value!r}")
    return array


def per_sku(name: str, value: np.ndarray, n_skus: int) -> np.ndarray:
    """Broadcast a checked parameter to ``(n_skus,)``; a per-SKU array must have ``n_skus`` entries."""
    if value.ndim == 1 and value.shape[0] != n_skus:
        raise ValueError(f"{name} has {value.shape[0]} per-SKU values but the decision state has {n_skus} SKUs")
    return np.broadcast_to(value, (n_skus,))


def _show(value: np.ndarray) -> str:
    return f"{float(value):g}" if value.ndim == 0 else "per-SKU"


class ConstantOrder(Policy):
    """Order the same quantity every epoch, whatever the state.

    Args:
        quantity: units per order (>= 0), or units of the SKU's scale with ``in_scale_units``.
        in_scale_units: multiply ``quantity`` by each SKU's scale (so 1.0 orders one day of
            mean demand; ``review_period`` days of it keep a stationary system in balance).
    """

    def __init__(self, quantity, *, in_scale_units: bool = False):
        self.quantity = check_parameter("quantity", quantity, 0.0)
        self.in_scale_units = check_bool("in_scale_units", in_scale_units)
        self.name = f"constant({_show(self.quantity)}{' x scale' if self.in_scale_units else ''})"

    def __call__(self, state: DecisionState) -> np.ndarray:
        n = state.inventory_position.shape[0]
        mu = per_sku("quantity", self.quantity, n)[:, None]
        scale = state.scale if self.in_scale_units else np.ones(n)
        return remap("none", mu, inventory_position=state.inventory_position, features=state.features, scale=scale, xp=np)


class BaseStock(Policy):
    """Order up to a target inventory position: ``order = max(S - tot(I), 0)``, optionally capped.

    The target S is either a fixed ``level`` (units, or units of scale with
    ``in_scale_units``; remap kind ``"base"``) or driven by the forecast features,
    ``S = coefficients . feat(x)`` (remap kind ``"both"``; feat(x) is in units of
    demand per day with a trailing 1, see :mod:`gym_inventory.features`).

    Args:
        level: S, a number or ``(n_skus,)`` array; exclusive with ``coefficients``.
        coefficients: ``(5,)`` or ``(n_skus, 5)`` coefficients of feat(x).
        in_scale_units: ``level`` is in units of each SKU's scale (mean daily demand).
        order_cap: optional largest order r (units, >= 0; ``inf`` for none), a number or ``(n_skus,)`` array.
        integer: round orders to whole units (targets and positions are already whole
            numbers for integer demand and integer levels).
    """

    kind_name = "base_stock"

    def __init__(self, level=None, *, coefficients=None, in_scale_units: bool = False, order_cap=None, integer: bool = False):
        if (level is None) == (coefficients is None):
            raise ValueError(f"give exactly one of level and coefficients, got level={level!r}, coefficients={coefficients!r}")
        self.in_scale_units = check_bool("in_scale_units", in_scale_units)
        self.integer = check_bool("integer", integer)
        self.level = None if level is None else check_parameter("level", level)
        self.coefficients = None
        if coefficients is not None:
            try:
                coef = np.array(coefficients, dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(f"coefficients must be numbers, got {coefficients!r}") from None
            if coef.ndim not in (1, 2) or coef.shape[-1] != N_FEATURES or not np.all(np.isfinite(coef)):
                raise ValueError(f"coefficients must be finite with shape ({N_FEATURES},) or (n_skus, {N_FEATURES}), got {coefficients!r}")
            if self.in_scale_units:
                raise ValueError("in_scale_units applies to level only; coefficients multiply feat(x), already in units")
            self.coefficients = coef
        self.order_cap = None if order_cap is None else check_parameter("order_cap", order_cap, 0.0, allow_inf=True)
        target = f"S={_show(self.level)}{' x scale' if self.in_scale_units else ''}" if level is not None else "S=coef.feat"
        cap = "" if self.order_cap is None else f", r={_show(self.order_cap)}"
        self.name = f"{self.kind_name}({target}{cap})"

    def __call__(self, state: DecisionState) -> np.ndarray:
        return self._orders(state, None if self.order_cap is None else per_sku("order_cap", self.order_cap, state.inventory_position.shape[0]))

    def _orders(self, state: DecisionState, order_cap) -> np.ndarray:
        n = state.inventory_position.shape[0]
        if self.coefficients is not None:
            kind, scale = "both", state.scale
            if self.coefficients.ndim == 2 and self.coefficients.shape[0] != n:
                raise ValueError(f"coefficients has {self.coefficients.shape[0]} rows but the decision state has {n} SKUs")
            mu = np.broadcast_to(self.coefficients, (n, N_FEATURES))
        else:
            kind = "base"
            scale = state.scale if self.in_scale_units else np.ones(n)
            mu = per_sku("level", self.level, n)[:, None]
        return remap(
            kind, mu, inventory_position=state.inventory_position, features=state.features, scale=scale,
            order_cap=order_cap, integer=self.integer, xp=np,
        )


class CappedBaseStock(BaseStock):
    """Capped base stock (Xin 2021): ``order = min(max(S - tot(I), 0), r)``.

    Near-optimal in lost-sales systems with long lead times. Same arguments as
    :class:`BaseStock`, with the cap ``order_cap`` r required (units, >= 0).
    """

    kind_name = "capped_base_stock"

    def __init__(self, level=None, order_cap=None, *, coefficients=None, in_scale_units: bool = False, integer: bool = False):
        if order_cap is None:
            raise ValueError("CappedBaseStock needs an order_cap r (units, >= 0); use BaseStock for no cap")
        super().__init__(level, coefficients=coefficients, in_scale_units=in_scale_units, order_cap=order_cap, integer=integer)


class SS(BaseStock):
    """(s, S): when the inventory position is at or below s, order up to S; otherwise order nothing.

    Args:
        reorder_point: s (units, or units of scale), a number or ``(n_skus,)`` array.
        order_up_to: S (same units), with s < S for every SKU.
        in_scale_units: both levels are in units of each SKU's scale.
        integer: round orders to whole units.
    """

    kind_name = "ss"

    def __init__(self, reorder_point, order_up_to, *, in_scale_units: bool = False, integer: bool = False):
        super().__init__(order_up_to, in_scale_units=in_scale_units, integer=integer)
        self.reorder_point = check_parameter("reorder_point", reorder_point)
        if np.any(self.reorder_point >= self.level):
            raise ValueError(f"reorder_point s must be below order_up_to S, got s={reorder_point!r}, S={order_up_to!r}")
        self.name = f"ss(s={_show(self.reorder_point)}, S={_show(self.level)}{' x scale' if self.in_scale_units else ''})"

    def __call__(self, state: DecisionState) -> np.ndarray:
        n = state.inventory_position.shape[0]
        reorder = per_sku("reorder_point", self.reorder_point, n)
        if self.in_scale_units:
            reorder = reorder * state.scale
        # Above s the order is capped at 0, at or below s it is the order-up-to quantity.
        cap = np.where(state.inventory_position <= reorder, np.inf, 0.0)
        return self._orders(state, cap)


class Myopic(Policy):
    """One-period newsvendor on the inventory position.

    Each epoch, for each SKU, order up to the ``critical_ratio`` quantile (default
    the problem's p/(p+h)) of the demand over the next ``L + P`` days -- the
    days until an order placed at the next review can arrive -- ignoring the
    future beyond that window: ``order = max(F^-1_{L+P}(p/(p+h)) - tot(I), 0)``.
    The mean daily demand m comes from ``mean_source`` (the SKU's scale, which
    is the mean of the IID models, or one forecast feature such as
    ``"forecast_next_7"``), and the window demand is modeled as

    * ``"poisson"``: Poisson(m (L+P)) -- exact for Poisson demand;
    * ``"normal"``: Normal(m (L+P), cv^2 m^2 (L+P)) with the daily coefficient of variation ``cv``.

    With ``P = 1``, backlog and Poisson demand of known mean this is the optimal
    base-stock policy; with lost sales it overstocks; with ``P > 1`` the exact
    optimum of :mod:`gym_inventory.optimal` averages over the period's days instead.
    Mind that the forecast features look at the realized future when
    ``forecast_noise = 0``.
    """

    def __init__(self, *, distribution: str = "poisson", cv: float | None = None, mean_source: str = "scale", critical_ratio: float | None = None):
        self.distribution = check_choice("distribution", distribution, ("poisson", "normal"))
        if (distribution == "normal") != (cv is not None):
            raise ValueError(f"cv (the daily coefficient of variation) is required with distribution='normal' and only then, got cv={cv!r}")
        self.cv = None if cv is None else check_real("cv", cv)
        self.mean_source = check_choice("mean_source", mean_source, MEAN_SOURCES)
        if critical_ratio is not None:
            critical_ratio = check_real("critical_ratio", critical_ratio, 0.0, strict=True)
            if critical_ratio >= 1.0:
                raise ValueError(f"critical_ratio must be < 1, got {critical_ratio!r}")
        self.critical_ratio = critical_ratio
        self.name = f"myopic({distribution}, {mean_source})"

    def __call__(self, state: DecisionState) -> np.ndarray:
        params = state.params
        window = params.lead_time + params.review_period
        ratio = params.critical_ratio if self.critical_ratio is None else self.critical_ratio
        if self.mean_source == "scale":
            daily_mean = np.asarray(state.scale, dtype=np.float64)
        else:
            daily_mean = np.maximum(state.features[:, FEATURE_NAMES.index(self.mean_source)], 0.0)
        if self.distribution == "poisson":
            target = stats.poisson.ppf(ratio, daily_mean * window)
            target = np.where(daily_mean > 0, target, 0.0)
        else:
            target = daily_mean * window + stats.norm.ppf(ratio) * self.cv * daily_mean * np.sqrt(window)
        return remap(
            "base", target[:, None], inventory_position=state.inventory_position, features=state.features,
            scale=np.ones_like(target), xp=np,
        )

