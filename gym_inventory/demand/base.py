"""The demand-model interface: injectable objects that sample demand and context paths."""
from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np

from gym_inventory.params import check_real


@dataclass(frozen=True)
class DemandPaths:
    """Demand and context of ``n_skus`` SKUs over ``n_days`` consecutive days.

    Attributes:
        demand: ``(n_skus, n_days)`` float64, units demanded each day (>= 0).
        scale: ``(n_skus,)`` float64 > 0, the SKU's typical daily demand (units/day);
            observations and rewards are expressed in this unit when normalizing.
        static: ``(n_skus, n_static)`` float64 per-SKU features (names in ``static_names``).
        dynamic: ``(n_skus, n_days, n_dynamic)`` float64 per-day features (promotions, levels...).
        features: optional ``(n_skus, n_days, 5)`` float64 forecast features feat(x) per day
            supplied by the source (external forecasts); None: computed from demand.
        expected: optional ``(n_skus, n_days)`` float64, each day's expected demand as known
            before the episode (the model's mean given what is announced in advance:
            levels, seasonality, promotions). The forecast features average it, so they do
            not reveal the realized future; None: they average realized demand.
    """

    demand: np.ndarray
    scale: np.ndarray
    static: np.ndarray
    dynamic: np.ndarray
    static_names: tuple = ()
    dynamic_names: tuple = ()
    features: np.ndarray | None = None
    expected: np.ndarray | None = None

    def __post_init__(self):
        n_skus, n_days = self.demand.shape
        if self.scale.shape != (n_skus,):
            raise ValueError(f"scale must have shape ({n_skus},), got {self.scale.shape}")
        if self.static.shape != (n_skus, len(self.static_names)):
            raise ValueError(f"static must have shape ({n_skus}, {len(self.static_names)}), got {self.static.shape}")
        if self.dynamic.shape != (n_skus, n_days, len(self.dynamic_names)):
            raise ValueError(
                f"dynamic must have shape ({n_skus}, {n_days}, {len(self.dynamic_names)}), got {self.dynamic.shape}"
            )
        if self.expected is not None and self.expected.shape != (n_skus, n_days):
            raise ValueError(f"expected must have shape ({n_skus}, {n_days}), got {self.expected.shape}")


class DemandModel(abc.ABC):
    """A source of demand paths with per-SKU context (Jumanji's generator idea).

    Subclasses implement :meth:`sample`; they declare the names of the static and
    dynamic context features they produce, whether demand is integer-valued, and a
    bound on the mean daily demand (used for default action bounds).
    """

    #: True when every sampled demand is a whole number of units.
    integer: bool = False
    static_names: tuple = ()
    dynamic_names: tuple = ()
    #: Days at the end of the sampled history that the simulator runs with no order before
    #: the first decision (from the starting pipeline; their costs are not counted).
    warmup_days: int = 0

    @abc.abstractmethod
    def sample(self, rng: np.random.Generator, n_skus: int, n_days: int) -> DemandPaths:
        """Sample ``n_skus`` independent SKUs over ``n_days`` days using ``rng`` only."""

    @property
    @abc.abstractmethod
    def max_daily_mean(self) -> float:
        """An upper bound on any SKU's mean daily demand (units/day)."""

    def _paths(self, demand: np.ndarray, scale: np.ndarray, static=None, dynamic=None, expected=None) -> DemandPaths:
        n_skus, n_days = demand.shape
        if static is None:
            static = np.zeros((n_skus, 0))
        if dynamic is None:
            dynamic = np.zeros((n_skus, n_days, 0))
        return DemandPaths(
            demand=demand,
            scale=np.maximum(np.asarray(scale, dtype=np.float64), MIN_SCALE),
            static=static,
            dynamic=dynamic,
            static_names=self.static_names,
            dynamic_names=self.dynamic_names,
            expected=expected,
        )


#: Scales are floored here so that normalizing never divides by zero.
MIN_SCALE = 1e-3


@dataclass(frozen=True)
class ParameterRange:
    """A per-SKU parameter: a fixed value, or uniform on ``[low, high]`` for each SKU."""

    low: float
    high: float

    def draw(self, rng: np.random.Generator, n_skus: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(n_skus, self.low)
        return rng.uniform(self.low, self.high, size=n_skus)


def parameter(name: str, value, minimum: float = 0.0, *, strict: bool = False) -> ParameterRange:
    """Validate a per-SKU parameter given as a number or a ``(low, high)`` pair."""
    if isinstance(value, ParameterRange):
        return value
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be a number or a (low, high) pair, got {value!r}")
        low = check_real(name, value[0], minimum, strict=strict)
        high = check_real(name, value[1], minimum, strict=strict)
        if high < low:
            raise ValueError(f"{name} must have low <= high, got {value!r}")
        return ParameterRange(low, high)
    number = check_real(name, value, minimum, strict=strict)
    return ParameterRange(number, number)

