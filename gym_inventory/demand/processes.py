"""Demand with memory or time-varying levels: AR(1) and independent non-stationary demand."""
from __future__ import annotations

import numpy as np

from gym_inventory.demand.base import DemandModel, DemandPaths, parameter
from gym_inventory.params import check_int


class AR1Demand(DemandModel):
    """Autoregressive demand around a base level, clipped at 0.

    ``x_t = base + phi * (x_{t-1} - base) + eps_t``, ``eps_t ~ N(0, noise_std)``, and
    demand ``d_t = max(x_t, 0)``. The process starts at ``base`` and runs ``warmup``
    days before the first returned day, so paths start near stationarity. Each
    parameter may be a ``(low, high)`` pair drawn per SKU (the study: phi in
    [0.3, 0.9], base in [5, 10], noise_std in [2, 8], a warm-up of 8 days).
    Static features: ``phi``, ``base``, ``noise_std``. Scale: ``base``. Expected demand
    known in advance: ``base`` (the AR state itself shows in the trailing-mean features).
    """

    static_names = ("ar1_phi", "ar1_base", "ar1_noise_std")

    def __init__(self, phi=(0.3, 0.9), base=(5.0, 10.0), noise_std=(2.0, 8.0), warmup: int = 8):
        self.phi = parameter("phi", phi, -1.0)
        if self.phi.high >= 1.0:
            raise ValueError(f"phi must be < 1 for a stationary AR(1), got {phi!r}")
        self.base = parameter("base", base, 0.0, strict=True)
        self.noise_std = parameter("noise_std", noise_std, 0.0)
        self.warmup = check_int("warmup", warmup, 0)

    def __repr__(self):
        return f"AR1Demand(phi={self.phi}, base={self.base}, noise_std={self.noise_std}, warmup={self.warmup})"

    @property
    def max_daily_mean(self) -> float:
        return self.base.high

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        phi = self.phi.draw(rng, n_skus)
        base = self.base.draw(rng, n_skus)
        noise_std = self.noise_std.draw(rng, n_skus)
        shocks = rng.normal(0.0, 1.0, size=(n_skus, self.warmup + n_days)) * noise_std[:, None]
        level = base.copy()
        demand = np.empty((n_skus, n_days))
        # A loop over days, vectorized over SKUs: the recursion has memory.
        for day in range(self.warmup + n_days):
            level = base + phi * (level - base) + shocks[:, day]
            if day >= self.warmup:
                demand[:, day - self.warmup] = np.maximum(level, 0.0)
        expected = np.broadcast_to(base[:, None], (n_skus, n_days))
        return self._paths(demand, base, static=np.stack([phi, base, noise_std], axis=1), expected=expected)


class NonStationaryDemand(DemandModel):
    """Independent demand around a level that changes every day.

    Each SKU-day draws a level ``m_t ~ N(level_mean, level_std)`` clipped at 0, and
    demand ``d_t = m_t + U(0, spread)``. The level is announced in advance: it is the
    dynamic context feature ``demand_level``, and the expected demand of a day is its
    level plus ``spread / 2``. Scale: ``level_mean + spread / 2``.
    The study's setting 1 uses ``level_mean=10, level_std=4, spread=5``.
    """

    dynamic_names = ("demand_level",)

    def __init__(self, level_mean=10.0, level_std=4.0, spread=5.0):
        self.level_mean = parameter("level_mean", level_mean, 0.0, strict=True)
        self.level_std = parameter("level_std", level_std, 0.0)
        self.spread = parameter("spread", spread, 0.0)

    def __repr__(self):
        return f"NonStationaryDemand(level_mean={self.level_mean}, level_std={self.level_std}, spread={self.spread})"

    @property
    def max_daily_mean(self) -> float:
        return self.level_mean.high + 3 * self.level_std.high + self.spread.high

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        level_mean = self.level_mean.draw(rng, n_skus)[:, None]
        level_std = self.level_std.draw(rng, n_skus)[:, None]
        spread = self.spread.draw(rng, n_skus)[:, None]
        level = np.maximum(rng.normal(level_mean, level_std, size=(n_skus, n_days)), 0.0)
        demand = level + rng.uniform(0.0, 1.0, size=(n_skus, n_days)) * spread
        scale = (level_mean + spread / 2)[:, 0]
        return self._paths(demand, scale, dynamic=level[:, :, None], expected=level + spread / 2)
