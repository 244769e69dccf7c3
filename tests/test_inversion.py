"""The exact inversion sampler of integer demand (gym_inventory.demand.inversion) and the presets that use it."""
import numpy as np
import pytest
from scipy import stats

from gym_inventory.demand import NegativeBinomialDemand, PoissonDemand, make_demand
from gym_inventory.demand.inversion import TAIL, InverseCDFSampler

DISTRIBUTIONS = [stats.poisson(5.0), stats.poisson(0.3), stats.poisson(400.0), stats.nbinom(25 / 4, 5 / 9)]


@pytest.mark.parametrize("distribution", DISTRIBUTIONS, ids=["poisson5", "poisson0.3", "poisson400", "nbinom"])
def test_the_guide_table_gives_the_inverse_cdf_of_numpys_uniforms(distribution):
    sampler = InverseCDFSampler(distribution)
    # The table: scipy's cdf on first..last, tails below 2**-54 left out.
    assert distribution.cdf(sampler.first - 1) < TAIL and distribution.sf(sampler.last) <= TAIL
    np.testing.assert_array_equal(sampler.cdf[:-1], distribution.cdf(np.arange(sampler.first, sampler.last)))
    assert sampler.cdf[-1] == 1.0
    # The oracle: the smallest k with F(k) > U, for U the uniform numpy's Generator.random draws from the same stream.
    draws = sampler.draw(np.random.default_rng(7), (300, 400))
    uniform = np.random.default_rng(7).random((300, 400))
    np.testing.assert_array_equal(draws, sampler.first + np.searchsorted(sampler.cdf, uniform, side="right"))
    # Blocks never change a path: two calls continue the stream of one.
    rng = np.random.default_rng(7)
    pieces = np.concatenate([sampler.draw(rng, (1000,)), sampler.draw(rng, (119000,))])
    np.testing.assert_array_equal(pieces, draws.reshape(-1)[:120000])


N_DRAWS = 200_000
ALPHA = 1e-3


def _bins(null, n: int) -> np.ndarray:
    """Upper ends of the chi-square bins: one per value expected >= 20 times in ``n`` draws, the tails
    pooled into the end bins (the last bin is open)."""
    values = np.arange(int(null.ppf(1e-9)), int(null.isf(1e-9)) + 1)
    return values[null.pmf(values) * n >= 20][:-1]


def _probabilities(distribution, uppers: np.ndarray) -> np.ndarray:
    return np.diff(np.concatenate([[0.0], distribution.cdf(uppers), [1.0]]))


def _statistic(draws: np.ndarray, null, uppers: np.ndarray) -> float:
    """Pearson's chi-square of ``draws`` against ``null`` on the bins ``uppers``."""
    expected = draws.size * _probabilities(null, uppers)
    counts = np.bincount(np.searchsorted(uppers, draws, side="left"), minlength=uppers.size + 1)
    return float(np.sum((counts - expected) ** 2 / expected))


@pytest.mark.parametrize(
    "model, shifted",
    [
        (PoissonDemand(5.0), stats.poisson(5.05)),
        (PoissonDemand(40.0), stats.poisson(40.4)),
        (NegativeBinomialDemand(5.0, 3.0), NegativeBinomialDemand(5.05, 3.0).daily_distribution()),
    ],
    ids=["poisson5", "poisson40", "negative_binomial"],
)
def test_each_integer_preset_draws_its_distribution(model, shifted):
    """Chi-square goodness of fit of 200,000 sampled days (fixed seed) at level 0.001. Its power against a
    1% shift of the mean is >= 99% (the noncentral chi-square, computed here), and it does reject the
    shifted distribution's draws."""
    null = model.daily_distribution()
    draws = model.sample(np.random.default_rng(2026), 400, 500).demand.reshape(-1)
    assert draws.size == N_DRAWS and model.inverse_cdf_sampler() is not None
    uppers = _bins(null, N_DRAWS)
    dof = uppers.size
    critical = stats.chi2.isf(ALPHA, dof)
    p0, p1 = _probabilities(null, uppers), _probabilities(shifted, uppers)
    assert stats.ncx2.sf(critical, dof, N_DRAWS * np.sum((p1 - p0) ** 2 / p0)) >= 0.99
    statistic = _statistic(draws, null, uppers)
    assert statistic < critical, f"chi-square {statistic:.1f} >= {critical:.1f} ({dof} degrees of freedom)"
    shifted_draws = InverseCDFSampler(shifted).draw(np.random.default_rng(2026), (N_DRAWS,))
    assert _statistic(shifted_draws, null, uppers) > critical


def test_per_sku_parameters_keep_numpys_sampler_and_continuous_models_have_none():
    assert PoissonDemand(mean=(4.0, 6.0)).inverse_cdf_sampler() is None
    assert make_demand("normal").inverse_cdf_sampler() is None
    paths = PoissonDemand(mean=(4.0, 6.0)).sample(np.random.default_rng(0), 50, 30)
    assert paths.demand.shape == (50, 30) and np.all(paths.demand == np.round(paths.demand))


def test_sampled_paths_are_day_major_and_the_env_reads_them():
    paths = make_demand("poisson").sample(np.random.default_rng(0), 64, 146)
    assert paths.demand.shape == (64, 146) and paths.demand.T.flags.c_contiguous
