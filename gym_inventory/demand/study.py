"""Demand sources of the study's synthetic settings (:mod:`gym_inventory.study`).

* :class:`AlternateDayDemand` -- setting 4: IID normal demand on every other day only.
* :class:`SKUPoolDemand` -- a fixed, seeded set of SKUs drawn once from any preset and
  replayed: the study's "few training SKUs" (5 or 10 trajectories) as a demand model,
  so that every trainer (SB3 through ``gym.make``, DS through ``make_simulator``) sees
  exactly the same finite training set.

Both are registered presets (``"alternate_days"``, ``"sku_pool"``) with plain keyword
arguments, so env configs naming them stay YAML/JSON.
"""
from __future__ import annotations

import numpy as np

from gym_inventory.demand.base import DemandModel, DemandPaths, parameter
from gym_inventory.demand.iid import NormalDemand
from gym_inventory.demand.registry import make_demand
from gym_inventory.params import check_int


class AlternateDayDemand(DemandModel):
    """Normal demand ``max(N(mean, std), 0)`` on alternate days, none on the others.

    Days ``offset, offset + 2, offset + 4, ...`` of every path carry demand (the study's
    setting 4). With a review period of 2 days and a lead time of 1 day, ``offset=1``
    puts each demand day right after the arrival of the order placed the day before, so
    every order covers exactly one demand and the critical-fractile base stock
    ``S = mean + z std`` (``z = Phi^-1(p / (p + h))``) is optimal under backlog.

    ``mean`` and ``std`` may be ``(low, high)`` pairs drawn per SKU (the study: mean 100,
    std uniform in [5, 20]). Static features: ``demand_mean``, ``demand_std`` (the
    SKU's parameters, known to the planner as they are to the critical-fractile rule).
    Scale: ``mean / 2``, the mean demand per day. Expected demand known in advance:
    ``E[max(N(mean, std), 0)]`` on demand days, 0 on the others.
    """

    static_names = ("demand_mean", "demand_std")

    def __init__(self, mean=100.0, std=(5.0, 20.0), offset: int = 1):
        self.mean = parameter("mean", mean, 0.0, strict=True)
        self.std = parameter("std", std, 0.0)
        self.offset = check_int("offset", offset, 0)
        if self.offset > 1:
            raise ValueError(f"offset must be 0 or 1 (the first demand day), got {offset!r}")

    def __repr__(self):
        return f"AlternateDayDemand(mean={self.mean}, std={self.std}, offset={self.offset})"

    @property
    def max_daily_mean(self) -> float:
        return self.mean.high

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        mean = self.mean.draw(rng, n_skus)
        std = self.std.draw(rng, n_skus)
        demand_days = np.arange(self.offset, n_days, 2)
        demand = np.zeros((n_skus, n_days))
        demand[:, demand_days] = np.maximum(rng.normal(mean[:, None], std[:, None], size=(n_skus, demand_days.size)), 0.0)
        expected = np.zeros((n_skus, n_days))
        expected[:, demand_days] = NormalDemand._expected(self, mean, std)[:, None]  # the clipped normal's mean
        return self._paths(demand, mean / 2.0, static=np.stack([mean, std], axis=1), expected=expected)


class SKUPoolDemand(DemandModel):
    """A fixed set of ``n_skus`` SKUs drawn once from ``source`` with ``seed``, then replayed.

    ``sample(rng, n, days)`` returns SKUs of the pool in passes: each pass is a random
    permutation of the pool (from ``rng``), so ``n == n_skus`` gives every pooled SKU
    exactly once and a single-SKU env draws one uniformly per episode. The pool of a
    given path length is drawn on first use and kept; it depends only on ``source``,
    ``source_kwargs``, ``n_skus``, ``seed`` and the path length, never on ``rng``.

    Args:
        source: a demand preset name (``"ar1"``, ``"nonstationary"``, ...).
        source_kwargs: the preset's keyword arguments.
        n_skus: SKUs in the pool (>= 1), e.g. the study's 5 or 10 training SKUs.
        seed: seed of the pool (use different seeds for disjoint train and test sets).
    """

    def __init__(self, source: str = "poisson", source_kwargs: dict | None = None, n_skus: int = 10, seed: int = 0):
        if not isinstance(source, str):
            raise TypeError(f"source must be a demand preset name, got {source!r}")
        if source == "sku_pool":
            raise ValueError("source must be a demand preset other than 'sku_pool'")
        self.source_name = source
        self.source = make_demand(source, source_kwargs)
        self.n_skus = check_int("n_skus", n_skus, 1)
        self.seed = check_int("seed", seed, 0)
        self.integer = self.source.integer
        self.static_names = self.source.static_names
        self.dynamic_names = self.source.dynamic_names
        self._pools: dict[int, DemandPaths] = {}

    def __repr__(self):
        return f"SKUPoolDemand(source={self.source!r}, n_skus={self.n_skus}, seed={self.seed})"

    @property
    def max_daily_mean(self) -> float:
        return self.source.max_daily_mean

    def pool(self, n_days: int) -> DemandPaths:
        """The pooled SKUs over ``n_days`` days (drawn once per length)."""
        if n_days not in self._pools:
            self._pools[n_days] = self.source.sample(np.random.default_rng(self.seed), self.n_skus, n_days)
        return self._pools[n_days]

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        paths = self.pool(n_days)
        passes = -(-n_skus // self.n_skus)
        index = np.concatenate([rng.permutation(self.n_skus) for _ in range(passes)])[:n_skus]
        return DemandPaths(
            demand=paths.demand[index], scale=paths.scale[index], static=paths.static[index],
            dynamic=paths.dynamic[index], static_names=paths.static_names, dynamic_names=paths.dynamic_names,
            features=None if paths.features is None else paths.features[index],
            expected=None if paths.expected is None else paths.expected[index],
        )
