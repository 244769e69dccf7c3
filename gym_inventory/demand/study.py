"""Demand sources of the study's synthetic settings (:mod:`gym_inventory.study`).

* :class:`AlternateDayDemand` -- the package's setting-4 variant: IID normal demand on every other day only.
* :class:`SKUPoolDemand` -- a fixed, seeded set of SKUs drawn once from any preset and
  replayed: the study's "few training SKUs" (5 or 10 trajectories) as a demand model,
  so that every trainer (SB3 through ``gym.make``, DS through ``make_simulator``) sees
  exactly the same finite training set.
* :class:`StudyLevelDemand`, :class:`StudyAR1Demand`, :class:`StudyIIDDemand` -- the
  study's settings 1, 2-3 and 4 exactly as the authors' generators (``gene_syn_data_*.py``)
  draw them, with their features and their 2 warm-up days (:class:`StudyDemand`).

All are registered presets (``"alternate_days"``, ``"sku_pool"``, ``"study_levels"``,
``"study_ar1"``, ``"study_iid"``) with plain keyword arguments, so env configs naming them
stay YAML/JSON.
"""
from __future__ import annotations

import abc

import numpy as np

from gym_inventory.demand.base import DemandModel, DemandPaths, parameter
from gym_inventory.demand.iid import NormalDemand
from gym_inventory.demand.registry import make_demand
from gym_inventory.params import check_int, check_real


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
        self.warmup_days = self.source.warmup_days
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


# ------------------------------------------------------------------ the authors' generators
#: Days of one SKU's series in the authors' settings 1-3 (days 0..30).
STUDY_DAYS = 31
#: Days before the first order in the authors' code: days 0 .. P-1 run with order 0.
STUDY_WARMUP_DAYS = 2
#: Names of the authors' four demand features (``reg_input1..4``), in the package's feat(x) order.
STUDY_FEATURE_NAMES = ("mean_last_28", "mean_last_7", "mean_days_t-5_to_t+1", "mean_days_t-26_to_t+1")


def study_demand_features(demand: np.ndarray, noise_std: float, rng: np.random.Generator) -> np.ndarray:
    """The authors' four demand features of every day, ``(n_skus, n_days, 4)``, units per day.

    As ``gene_syn_data_*.py`` compute them with pandas (``rolling(w, min_periods=1)``):
    the means of days ``t-28..t-1`` and ``t-7..t-1`` (``rolling(w).mean().shift(1)``; day 0
    has none and gets 0, it is never a decision day), and the means of days ``t-5..t+1``
    and ``t-26..t+1`` (``shift(-1).rolling(w).mean()``: ONE day of look-ahead), each plus
    additive ``N(0, noise_std)`` noise drawn per SKU and day from ``rng`` (the authors: 3
    units; ``noise_std=0``: none, ``rng`` unused). Windows
    are cut to the series, as pandas' ``min_periods=1`` does (the shifted series starts at
    day 1, so day 0 never enters the look-ahead means).
    """
    from gym_inventory.features import cumulative_demand, window_means

    n_skus, n_days = demand.shape
    days = np.arange(n_days)
    cumulative = cumulative_demand(demand)
    zero = np.zeros(n_skus)
    columns = [
        window_means(demand, days - 28, days, zero, cumulative),
        window_means(demand, days - 7, days, zero, cumulative),
        window_means(demand, np.maximum(days - 5, 1), days + 2, zero, cumulative),
        window_means(demand, np.maximum(days - 26, 1), days + 2, zero, cumulative),
    ]
    if noise_std > 0:
        for index in (2, 3):
            columns[index] = columns[index] + rng.normal(0.0, noise_std, size=(n_skus, n_days))
    return np.stack(columns, axis=2)


#: ``dynamic_scaling`` values of the study's sources.
DYNAMIC_SCALINGS = ("raw", "minmax")


def minmax_over_series(values: np.ndarray) -> np.ndarray:
    """``(values - min) / (max - min + 1e-8)`` per SKU and column over the series' days (axis 1), as the authors'
    ``InventorySimEnv.build_obs`` scales the coeff/both network inputs (a constant column becomes 0)."""
    low = values.min(axis=1, keepdims=True)
    high = values.max(axis=1, keepdims=True)
    return (values - low) / (high - low + 1e-8)


class StudyDemand(DemandModel):
    """A source that lays out the authors' series on the env's day axis (base of the study's sources).

    A subclass generates ``n_skus`` series of the authors' days ``0 .. series_days - 1``
    (:meth:`series`) and the network's own inputs (``dynamic_names``). This class puts
    day ``d`` of a series at path index ``HISTORY_DAYS - warmup_days + d``: the env's first
    decision (path index ``HISTORY_DAYS``) is the authors' day ``warmup_days = 2``, the
    first order of their code, and the two days before it are the warm-up that the
    simulator runs with no order (:attr:`warmup_days`) from the empty start (pass
    ``initial_inventory=0``). Days outside the series have demand 0 (the authors pad
    with zeros). feat(x) comes from the source: the authors' four demand features
    (:func:`study_demand_features`, their ``reg_input1..4``, the Coeff inputs) and the bias.
    A path replayed through ``reset(options={"demand": ...})`` is the caller's: it gets the
    env's own feat(x) and no warm-up (pass ``initial_inventory`` for its start).

    ``dynamic_scaling``: the network's own inputs (the dynamic context) as generated
    (``"raw"``, the authors' none/base input) or min-max normalized over each SKU's whole
    series (``"minmax"``, :func:`minmax_over_series`: the authors' coeff/both input, which
    sees the series' extremes, future days included).
    """

    integer = False
    warmup_days = STUDY_WARMUP_DAYS

    def __init__(self, feature_noise: float = 3.0, dynamic_scaling: str = "raw"):
        from gym_inventory.params import check_choice

        self.feature_noise = check_real("feature_noise", feature_noise)
        self.dynamic_scaling = check_choice("dynamic_scaling", dynamic_scaling, DYNAMIC_SCALINGS)

    def _scaling_repr(self) -> str:
        return "" if self.dynamic_scaling == "raw" else f", dynamic_scaling={self.dynamic_scaling!r}"

    #: Days of one series (the authors' ``TARGETS_DAYS``).
    series_days = STUDY_DAYS

    @abc.abstractmethod
    def series(self, rng: np.random.Generator, n_skus: int) -> tuple:
        """``(demand (n_skus, series_days), features (n_skus, series_days, 4), dynamic
        (n_skus, series_days, n_dynamic), static (n_skus, n_static), scale (n_skus,))``."""

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        from gym_inventory.features import HISTORY_DAYS

        demand, features, dynamic, static, scale = self.series(rng, n_skus)
        if self.dynamic_scaling == "minmax":
            dynamic = minmax_over_series(dynamic)
        first = HISTORY_DAYS - self.warmup_days
        days = min(self.series_days, n_days - first)
        if first < 0 or days <= 0:
            raise ValueError(f"a study source needs paths of more than {HISTORY_DAYS} days, got {n_days}")
        path = np.zeros((n_skus, n_days))
        path[:, first:first + days] = demand[:, :days]
        feats = np.zeros((n_skus, n_days, 5))
        feats[:, first:first + days, :4] = features[:, :days]
        feats[:, :, 4] = 1.0
        context = np.zeros((n_skus, n_days, dynamic.shape[2]))
        context[:, first:first + days] = dynamic[:, :days]
        return DemandPaths(
            demand=path, scale=np.maximum(scale, 1e-3), static=static, dynamic=context,
            static_names=self.static_names, dynamic_names=self.dynamic_names, features=feats,
        )


def shared_levels(days: int = STUDY_DAYS, mean: float = 10.0, std: float = 4.0, seed: int = 42) -> np.ndarray:
    """Setting 1's level sequence shared by every SKU, exactly as ``gene_syn_data_ind.py`` draws it:
    ``np.random.seed(42); clip(np.random.normal(10, 4, 31), 0, 100).astype(int)`` (the legacy
    generator, seeded locally here: the global numpy state is left alone)."""
    return np.clip(np.random.RandomState(seed).normal(mean, std, days), 0, 100).astype(int)


class StudyLevelDemand(StudyDemand):
    """Setting 1 (``gene_syn_data_ind.py``): ONE level sequence shared by every SKU, uniform noise per SKU.

    Demand of every SKU on day ``t`` is an integer uniform on ``{low_t, ..., low_t + span - 1}``
    with ``low`` = :func:`shared_levels` (``span = 5``). The network's one context feature
    (``PERFECT_FEATURES``) is the epoch index ``day // 2`` (dynamic ``study_epoch``): a policy
    that knows the time can follow the shared pattern. Scale: the mean of the level sequence
    plus ``(span - 1) / 2``.
    """

    integer = True
    dynamic_names = ("study_epoch",)

    def __init__(self, level_mean: float = 10.0, level_std: float = 4.0, level_seed: int = 42, span: int = 5,
                 feature_noise: float = 3.0, dynamic_scaling: str = "raw"):
        super().__init__(feature_noise, dynamic_scaling)
        self.level_mean = check_real("level_mean", level_mean, 0.0, strict=True)
        self.level_std = check_real("level_std", level_std, 0.0)
        self.level_seed = check_int("level_seed", level_seed, 0)
        self.span = check_int("span", span, 1)
        self.levels = shared_levels(STUDY_DAYS, self.level_mean, self.level_std, self.level_seed)

    def __repr__(self):
        return (f"StudyLevelDemand(level_mean={self.level_mean:g}, level_std={self.level_std:g}, "
                f"level_seed={self.level_seed}, span={self.span}, feature_noise={self.feature_noise:g}{self._scaling_repr()})")

    @property
    def max_daily_mean(self) -> float:
        return float(self.levels.max() + self.span - 1)

    def day_support(self, day: int) -> np.ndarray:
        """The demand values of day ``day`` of the series (each has probability ``1 / span``)."""
        return self.levels[day] + np.arange(self.span, dtype=np.float64)

    def series(self, rng, n_skus):
        demand = (self.levels[None, :] + rng.integers(0, self.span, size=(n_skus, STUDY_DAYS))).astype(np.float64)
        features = study_demand_features(demand, self.feature_noise, rng)
        epoch = np.broadcast_to((np.arange(STUDY_DAYS) // 2)[None, :, None], (n_skus, STUDY_DAYS, 1)).astype(np.float64)
        scale = np.full(n_skus, self.levels.mean() + (self.span - 1) / 2)
        return demand, features, epoch, np.zeros((n_skus, 0)), scale


class StudyAR1Demand(StudyDemand):
    """Settings 2 and 3 (``gene_syn_data_ar1.py``): AR(1) on the CLIPPED previous demand.

    Per SKU ``phi ~ U(0.3, 0.9)``, ``base ~ U(5, 10)``, ``sigma ~ U(2, 8)``;
    ``d_0 = max(0, N(base, sigma))``, ``d_t = max(0, phi d_{t-1} + (1 - phi) base + N(0, sigma))``.
    ``warmup = 8`` days are generated and dropped AFTER the features are computed (so the
    trailing means of the first kept days see them), as in that script.

    ``perfect_feature``: the network's input. True (``PERFECT_FEATURES``): yesterday's demand
    (dynamic ``demand_yesterday``, a sufficient statistic for a known AR(1)); False: the
    four demand features with their own noise draws (dynamic ``feat_1..feat_4``), as the
    script's ``else`` branch computes them. Static features: ``ar1_phi``, ``ar1_base``,
    ``ar1_noise_std``. Scale: ``base``.
    """

    static_names = ("ar1_phi", "ar1_base", "ar1_noise_std")

    def __init__(self, phi=(0.3, 0.9), base=(5.0, 10.0), noise_std=(2.0, 8.0), warmup: int = 8,
                 perfect_feature: bool = True, feature_noise: float = 3.0, dynamic_scaling: str = "raw"):
        from gym_inventory.params import check_bool

        super().__init__(feature_noise, dynamic_scaling)
        self.phi = parameter("phi", phi, 0.0)
        if self.phi.high >= 1.0:
            raise ValueError(f"phi must be < 1 for a stationary AR(1), got {phi!r}")
        self.base = parameter("base", base, 0.0, strict=True)
        self.noise_std = parameter("noise_std", noise_std, 0.0)
        self.warmup = check_int("warmup", warmup, 0)
        self.perfect_feature = check_bool("perfect_feature", perfect_feature)
        self.dynamic_names = ("demand_yesterday",) if self.perfect_feature else ("feat_1", "feat_2", "feat_3", "feat_4")

    def __repr__(self):
        return (f"StudyAR1Demand(phi={self.phi}, base={self.base}, noise_std={self.noise_std}, warmup={self.warmup}, "
                f"perfect_feature={self.perfect_feature}, feature_noise={self.feature_noise:g}{self._scaling_repr()})")

    @property
    def max_daily_mean(self) -> float:
        return self.base.high

    def series(self, rng, n_skus):
        phi, base, sigma = self.phi.draw(rng, n_skus), self.base.draw(rng, n_skus), self.noise_std.draw(rng, n_skus)
        total = self.warmup + STUDY_DAYS
        shocks = rng.normal(0.0, 1.0, size=(n_skus, total)) * sigma[:, None]
        demand = np.empty((n_skus, total))
        demand[:, 0] = np.maximum(base + shocks[:, 0], 0.0)
        for day in range(1, total):  # the recursion has memory: a loop over days, vectorized over SKUs
            demand[:, day] = np.maximum(phi * demand[:, day - 1] + (1 - phi) * base + shocks[:, day], 0.0)
        features = study_demand_features(demand, self.feature_noise, rng)
        if self.perfect_feature:
            dynamic = np.zeros((n_skus, total, 1))
            dynamic[:, 1:, 0] = demand[:, :-1]  # rolling(1).mean().shift(1): yesterday's demand
        else:
            dynamic = study_demand_features(demand, self.feature_noise, rng)
        keep = slice(self.warmup, None)
        static = np.stack([phi, base, sigma], axis=1)
        return demand[:, keep], features[:, keep], dynamic[:, keep], static, base


def shared_stds(n: int = 5, low: float = 5.0, high: float = 20.0, seed: int = 42) -> np.ndarray:
    """Setting 4's standard deviations, exactly as ``gene_syn_data_iid.py`` draws them:
    ``np.random.seed(42); np.random.uniform(5, 20, size=5)`` (legacy generator, seeded locally)."""
    return np.random.RandomState(seed).uniform(low, high, size=n)


class StudyIIDDemand(StudyDemand):
    """Setting 4 (``gene_syn_data_iid.py``): ``max(N(mean, sd), 0)`` on days 3, 5, 7, ..., 0 on the others.

    The 5 standard deviations :func:`shared_stds` are shared by every split: SKU ``i`` of a
    sample gets ``sd[(k + i) % 5]`` (``k`` drawn once per sample), so 5 SKUs hold each sd
    once (the authors' train and val sets), 500 hold each 100 times (their test set),
    and a single-SKU env meets every sd. A series has
    ``(P + L) + P x horizon`` days (the script's ``TARGETS_DAYS``). The network's input is
    the SKU's sd (dynamic ``study_std``); static ``demand_mean`` and ``demand_std`` feed the
    critical-fractile reference. Scale: ``mean / 2``.
    """

    static_names = ("demand_mean", "demand_std")
    dynamic_names = ("study_std",)

    def __init__(self, horizon: int = 16, mean: float = 100.0, n_stds: int = 5, std_range=(5.0, 20.0),
                 std_seed: int = 42, feature_noise: float = 3.0, dynamic_scaling: str = "raw"):
        super().__init__(feature_noise, dynamic_scaling)
        self.horizon = check_int("horizon", horizon, 1)
        self.mean = check_real("mean", mean, 0.0, strict=True)
        self.n_stds = check_int("n_stds", n_stds, 1)
        bounds = parameter("std_range", std_range, 0.0)
        self.std_seed = check_int("std_seed", std_seed, 0)
        self.stds = shared_stds(self.n_stds, bounds.low, bounds.high, self.std_seed)
        self.series_days = 3 + 2 * self.horizon

    def __repr__(self):
        return (f"StudyIIDDemand(horizon={self.horizon}, mean={self.mean:g}, stds={np.round(self.stds, 3).tolist()}"
                f"{self._scaling_repr()})")

    @property
    def max_daily_mean(self) -> float:
        return self.mean

    def series(self, rng, n_skus):
        std = self.stds[(rng.integers(self.n_stds) + np.arange(n_skus)) % self.n_stds]
        days = self.series_days
        demand = np.zeros((n_skus, days))
        demand_days = np.arange(3, days, 2)
        demand[:, demand_days] = np.maximum(rng.normal(self.mean, std[:, None], size=(n_skus, demand_days.size)), 0.0)
        features = study_demand_features(demand, self.feature_noise, rng)
        dynamic = np.broadcast_to(std[:, None, None], (n_skus, days, 1)).copy()
        static = np.stack([np.full(n_skus, self.mean), std], axis=1)
        return demand, features, dynamic, static, np.full(n_skus, self.mean / 2)
