"""IID demand: every day's demand of a SKU is an independent draw of one distribution.

Parameters may be numbers (the same for every SKU) or ``(low, high)`` pairs (drawn
uniformly per SKU when a path is sampled). :meth:`IIDDemand.daily_distribution`
returns the scipy distribution of one day's demand when the parameters are fixed;
the classical optima use it.
"""
from __future__ import annotations

import abc

import numpy as np

from gym_inventory.demand.base import DemandModel, DemandPaths, parameter


class IIDDemand(DemandModel):
    """Base class of the IID models: ``mean`` (and ``std`` where it applies) per SKU."""

    def __init__(self, mean, std=None):
        self.mean = parameter("mean", mean, 0.0, strict=True)
        self.std = None if std is None else parameter("std", std, 0.0)

    def __repr__(self):
        args = [f"mean={_show(self.mean)}"]
        if self.std is not None:
            args.append(f"std={_show(self.std)}")
        return f"{type(self).__name__}({', '.join(args)})"

    @property
    def max_daily_mean(self) -> float:
        return self.mean.high

    @property
    def fixed(self) -> bool:
        """True when every SKU shares the same distribution."""
        return self.mean.low == self.mean.high and (self.std is None or self.std.low == self.std.high)

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        mean = self.mean.draw(rng, n_skus)
        std = None if self.std is None else self.std.draw(rng, n_skus)
        sampler = self.inverse_cdf_sampler()
        if sampler is not None:
            # Day-major (the transposed (n_days, n_skus) draw): a day of every SKU is contiguous,
            # as the simulator reads it each step.
            demand = sampler.draw(rng, (n_days, n_skus)).T
        else:
            demand = self._draw(rng, mean[:, None], None if std is None else std[:, None], (n_skus, n_days))
        expected = np.broadcast_to(self._expected(mean, std)[:, None], (n_skus, n_days))
        return self._paths(np.asarray(demand, dtype=np.float64), mean, expected=expected)

    def inverse_cdf_sampler(self):
        """The exact inversion sampler of one day's demand (:class:`~gym_inventory.demand.inversion.InverseCDFSampler`,
        built on first use) for integer demand with fixed parameters; None otherwise (numpy's sampler then draws it)."""
        if not (self.integer and self.fixed):
            return None
        sampler = self.__dict__.get("_inverse_cdf_sampler")
        if sampler is None:
            from gym_inventory.demand.inversion import InverseCDFSampler

            sampler = self._inverse_cdf_sampler = InverseCDFSampler(self.daily_distribution())
        return sampler

    def _expected(self, mean, std):
        """Expected daily demand per SKU (the mean; NormalDemand adds what clipping at 0 adds)."""
        return mean

    @abc.abstractmethod
    def _draw(self, rng, mean, std, size):
        """Draw demand of shape ``size`` for per-SKU ``mean``/``std`` columns."""

    @abc.abstractmethod
    def _scipy(self, mean, std):
        """The frozen scipy distribution for fixed parameters."""

    def daily_distribution(self):
        """The frozen scipy distribution of one day's demand (fixed parameters only)."""
        if not self.fixed:
            raise ValueError(f"{self!r} has per-SKU parameter ranges; it has no single daily distribution")
        return self._scipy(self.mean.low, None if self.std is None else self.std.low)


class PoissonDemand(IIDDemand):
    """Poisson(mean) units per day (integer)."""

    integer = True

    def __init__(self, mean=5.0):
        super().__init__(mean)

    def _draw(self, rng, mean, std, size):
        return rng.poisson(mean, size=size)

    def _scipy(self, mean, std):
        from scipy import stats  # on use: slow to import

        return stats.poisson(mean)


class NormalDemand(IIDDemand):
    """Normal(mean, std) clipped at 0 (``max(X, 0)``, as in HDPO's benchmark), continuous."""

    def __init__(self, mean=5.0, std=1.6):
        super().__init__(mean, std)

    def _draw(self, rng, mean, std, size):
        return np.maximum(rng.normal(mean, std, size=size), 0.0)

    def _expected(self, mean, std):
        from scipy import stats  # on use: slow to import

        # E[max(X, 0)] for X ~ N(mean, std): mean Phi(z) + std phi(z), z = mean / std.
        positive = std > 0
        z = np.divide(mean, std, out=np.zeros_like(mean), where=positive)
        return np.where(positive, mean * stats.norm.cdf(z) + std * stats.norm.pdf(z), mean)

    def _scipy(self, mean, std):
        from scipy import stats  # on use: slow to import

        return stats.norm(mean, std)


class NegativeBinomialDemand(IIDDemand):
    """Negative binomial with the given mean and std (std**2 > mean), integer, overdispersed."""

    integer = True

    def __init__(self, mean=5.0, std=3.0):
        super().__init__(mean, std)
        if self.std.low**2 <= self.mean.high:
            raise ValueError(
                f"std must satisfy std**2 > mean for a negative binomial, got mean={_show(self.mean)}, std={_show(self.std)}"
            )

    @staticmethod
    def _n_p(mean, std):
        n = mean**2 / (std**2 - mean)
        return n, n / (n + mean)

    def _draw(self, rng, mean, std, size):
        n, p = self._n_p(mean, std)
        return rng.negative_binomial(np.broadcast_to(n, size), np.broadcast_to(p, size))

    def _scipy(self, mean, std):
        from scipy import stats  # on use: slow to import

        return stats.nbinom(*self._n_p(mean, std))


class GammaDemand(IIDDemand):
    """Gamma with the given mean and std, continuous."""

    def __init__(self, mean=5.0, std=2.0):
        super().__init__(mean, std)
        if self.std.low <= 0:
            raise ValueError(f"std must be > 0 for a gamma distribution, got {_show(self.std)}")

    def _draw(self, rng, mean, std, size):
        return rng.gamma((mean / std) ** 2, std**2 / mean, size=size)

    def _scipy(self, mean, std):
        from scipy import stats  # on use: slow to import

        return stats.gamma((mean / std) ** 2, scale=std**2 / mean)


def _show(value) -> str:
    return f"{value.low:g}" if value.low == value.high else f"({value.low:g}, {value.high:g})"
