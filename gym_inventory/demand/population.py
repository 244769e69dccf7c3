"""A heterogeneous SKU population, for learning one policy across SKUs of any volume."""
from __future__ import annotations

import numpy as np

from gym_inventory.demand.base import DemandModel, DemandPaths
from gym_inventory.params import check_real


class HeterogeneousDemand(DemandModel):
    """SKUs whose volumes span orders of magnitude, with seasonality, promotions and intermittency.

    Per SKU: a mean volume ``v`` drawn log-normally (median ``median_volume``, log-sd
    ``volume_sigma``, capped at ``max_volume``); a weekly profile ``1 + a sin(2 pi
    (day + phase) / 7)`` with amplitude ``a ~ U(0, weekly_amplitude)``; a zero-demand
    probability ``z`` that is high for slow movers (``z = max_zero_probability *
    exp(-v)``) to make them intermittent; and an overdispersion of demand around its mean.
    Per day: a promotion with probability ``promotion_rate`` multiplies the mean by
    ``promotion_uplift``. Demand is negative binomial around ``v * season * promo``
    (coefficient of variation ``dispersion``), set to 0 with probability ``z``.

    Static features: ``log_volume``, ``zero_probability``. Dynamic features:
    ``promotion`` (0/1), ``weekday_sin``, ``weekday_cos``. Scale: ``v * (1 - z)``. Expected
    demand known in advance (promotions are planned): ``v * season * promo * (1 - z)``.
    """

    integer = True
    static_names = ("log_volume", "zero_probability")
    dynamic_names = ("promotion", "weekday_sin", "weekday_cos")

    def __init__(
        self,
        median_volume: float = 5.0,
        volume_sigma: float = 1.5,
        max_volume: float = 1000.0,
        weekly_amplitude: float = 0.3,
        promotion_rate: float = 0.05,
        promotion_uplift: float = 2.0,
        max_zero_probability: float = 0.5,
        dispersion: float = 0.3,
    ):
        self.median_volume = check_real("median_volume", median_volume, 0.0, strict=True)
        self.volume_sigma = check_real("volume_sigma", volume_sigma)
        self.max_volume = check_real("max_volume", max_volume, self.median_volume)
        self.weekly_amplitude = check_real("weekly_amplitude", weekly_amplitude)
        if self.weekly_amplitude >= 1:
            raise ValueError(f"weekly_amplitude must be < 1, got {weekly_amplitude!r}")
        self.promotion_rate = check_real("promotion_rate", promotion_rate)
        if self.promotion_rate > 1:
            raise ValueError(f"promotion_rate must be <= 1, got {promotion_rate!r}")
        self.promotion_uplift = check_real("promotion_uplift", promotion_uplift, 1.0)
        self.max_zero_probability = check_real("max_zero_probability", max_zero_probability)
        if self.max_zero_probability >= 1:
            raise ValueError(f"max_zero_probability must be < 1, got {max_zero_probability!r}")
        self.dispersion = check_real("dispersion", dispersion, 0.0, strict=True)

    def __repr__(self):
        return f"HeterogeneousDemand(median_volume={self.median_volume:g}, volume_sigma={self.volume_sigma:g})"

    @property
    def max_daily_mean(self) -> float:
        return self.max_volume * (1 + self.weekly_amplitude) * self.promotion_uplift

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        volume = np.minimum(self.median_volume * np.exp(self.volume_sigma * rng.normal(size=n_skus)), self.max_volume)
        amplitude = rng.uniform(0.0, self.weekly_amplitude, size=n_skus)[:, None]
        weekday = (np.arange(n_days)[None, :] + rng.integers(0, 7, size=n_skus)[:, None]) % 7
        angle = 2 * np.pi * weekday / 7
        season = 1 + amplitude * np.sin(angle)
        promotion = (rng.random((n_skus, n_days)) < self.promotion_rate).astype(np.float64)
        mean = volume[:, None] * season * (1 + (self.promotion_uplift - 1) * promotion)
        # Negative binomial by its gamma-Poisson mixture: CV of the gamma = dispersion.
        shape = 1.0 / self.dispersion**2
        demand = rng.poisson(rng.gamma(shape, mean / shape)).astype(np.float64)
        zero_probability = self.max_zero_probability * np.exp(-volume)
        demand[rng.random((n_skus, n_days)) < zero_probability[:, None]] = 0.0
        static = np.stack([np.log(volume), zero_probability], axis=1)
        dynamic = np.stack([promotion, np.sin(angle), np.cos(angle)], axis=2)
        expected = mean * (1 - zero_probability)[:, None]
        return self._paths(demand, volume * (1 - zero_probability), static=static, dynamic=dynamic, expected=expected)
