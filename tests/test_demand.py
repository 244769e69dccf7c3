"""Demand models and forecast features against their definitions."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from gym_inventory.demand import (
    AR1Demand, GammaDemand, HeterogeneousDemand, NegativeBinomialDemand, NonStationaryDemand, NormalDemand,
    PoissonDemand, make_demand, register_demand,
)
from gym_inventory.features import forecast_features, window_means


@pytest.mark.parametrize(
    "model, mean, std",
    [
        (PoissonDemand(5.0), 5.0, np.sqrt(5.0)),
        (NegativeBinomialDemand(5.0, 3.0), 5.0, 3.0),
        (GammaDemand(5.0, 2.0), 5.0, 2.0),
        (NormalDemand(50.0, 5.0), 50.0, 5.0),  # clipping at 0 is negligible this far from 0
    ],
)
def test_iid_moments_match_parameters_and_scipy(model, mean, std):
    paths = model.sample(np.random.default_rng(0), 200, 500)
    assert paths.demand.shape == (200, 500) and np.all(paths.demand >= 0)
    assert paths.demand.mean() == pytest.approx(mean, rel=0.01)
    assert paths.demand.std() == pytest.approx(std, rel=0.02)
    dist = model.daily_distribution()
    assert dist.mean() == pytest.approx(mean) and dist.std() == pytest.approx(std)
    np.testing.assert_array_equal(paths.scale, mean)
    assert model.integer == isinstance(dist.dist, stats.rv_discrete)


def test_per_sku_ranges_are_drawn_per_sku():
    model = NormalDemand(mean=100.0, std=(5.0, 20.0))
    paths = model.sample(np.random.default_rng(1), 50, 2000)
    stds = paths.demand.std(axis=1)
    assert stds.min() > 4.0 and stds.max() < 21.0 and stds.max() - stds.min() > 8.0
    with pytest.raises(ValueError, match="per-SKU parameter ranges"):
        model.daily_distribution()


def test_ar1_autocorrelation_matches_phi():
    model = AR1Demand(phi=0.7, base=50.0, noise_std=5.0)
    paths = model.sample(np.random.default_rng(2), 20, 5000)
    x = paths.demand - paths.demand.mean(axis=1, keepdims=True)
    lag1 = (x[:, 1:] * x[:, :-1]).mean() / (x * x).mean()
    assert lag1 == pytest.approx(0.7, abs=0.02)
    assert paths.static_names == ("ar1_phi", "ar1_base", "ar1_noise_std")
    np.testing.assert_array_equal(paths.static[:, 0], 0.7)


def test_nonstationary_demand_follows_its_announced_level():
    paths = NonStationaryDemand(level_mean=10.0, level_std=4.0, spread=5.0).sample(np.random.default_rng(3), 10, 1000)
    level = paths.dynamic[:, :, 0]
    gap = paths.demand - level
    assert gap.min() >= 0 and gap.max() <= 5.0
    assert gap.mean() == pytest.approx(2.5, abs=0.05)


def test_heterogeneous_population_spans_volumes_and_is_intermittent():
    paths = HeterogeneousDemand().sample(np.random.default_rng(4), 2000, 120)
    volume = paths.demand.mean(axis=1)
    assert np.quantile(volume, 0.95) / max(np.quantile(volume, 0.05), 1e-9) > 20
    slow = volume < 1
    assert (paths.demand[slow] == 0).mean() > 0.4
    assert set(np.unique(paths.dynamic[:, :, 0])) <= {0.0, 1.0}
    assert paths.demand.dtype == np.float64 and np.all(paths.demand == np.round(paths.demand))


def test_make_demand_and_register():
    assert isinstance(make_demand("gamma", {"mean": 3.0, "std": 1.0}), GammaDemand)
    register_demand("steady_test", lambda level=2.0: PoissonDemand(level))
    assert make_demand("steady_test").mean.low == 2.0


def test_window_means_cut_to_the_path_and_fall_back_to_scale():
    demand = np.array([[1.0, 2.0, 3.0, 4.0]])
    means = window_means(demand, np.array([-2, 0, 2, 4]), np.array([1, 2, 4, 8]), np.array([9.0]))
    np.testing.assert_allclose(means, [[1.0, 1.5, 3.5, 9.0]])


@pytest.mark.parametrize("n_skus", [1, 100])  # 100: large batches read evenly spaced windows as strided views
@pytest.mark.parametrize("start, stop", [
    (28 + 3 * np.arange(20), 35 + 3 * np.arange(20)),  # decision days every 3 days: a view for large batches
    (np.arange(20) - 5, np.arange(20) + 2),  # cut at the start of the path: a gather
    (np.array([0, 2, 3, 6]), np.array([7, 9, 10, 13])),  # not evenly spaced: a gather
])
def test_window_means_equal_an_explicit_gather(n_skus, start, stop):
    demand = np.random.default_rng(n_skus).gamma(2.0, 2.0, (n_skus, 100))
    fallback = np.full(n_skus, 7.0)
    lo, hi = np.clip(start, 0, 100), np.clip(stop, 0, 100)
    cumulative = np.concatenate([np.zeros((n_skus, 1)), np.cumsum(demand, axis=1)], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(hi > lo, (cumulative[:, hi] - cumulative[:, lo]) / (hi - lo), fallback[:, None])
    assert window_means(demand, start, stop, fallback).tobytes() == expected.tobytes()


def test_forecast_features_by_hand():
    demand = np.arange(40, dtype=float)[None, :]  # demand on day d is d
    feats = forecast_features(demand, np.array([28]), np.array([1.0]), 0.0, None)[0, 0]
    np.testing.assert_allclose(feats, [np.mean(range(0, 28)), np.mean(range(21, 28)), np.mean(range(28, 35)),
                                       np.mean(range(28, 40)), 1.0])
    noisy = forecast_features(np.ones((500, 60)), np.array([28]), np.ones(500), 0.1, np.random.default_rng(0))
    assert noisy[:, 0, 2].std() == pytest.approx(0.1, rel=0.15)
    np.testing.assert_array_equal(noisy[:, 0, :2], 1.0)


@pytest.mark.parametrize("demand", ["poisson", "normal", "ar1", "nonstationary", "heterogeneous"])
def test_expected_forecasts_do_not_look_ahead(demand):
    """forecast_source="expected" (default): a different realized future changes no feature until it is past."""
    model = make_demand(demand)
    paths = model.sample(np.random.default_rng(3), 4, 28 + 40)
    days = 28 + np.arange(0, 30, 2)
    features = forecast_features(paths.demand, days, paths.scale, 0.0, None, paths.expected)
    changed = paths.demand.copy()
    changed[:, 28 + 10 :] = changed[:, 28 + 10 :] * 3 + 7  # another future from day 10 on
    again = forecast_features(changed, days, paths.scale, 0.0, None, paths.expected)
    np.testing.assert_array_equal(again[:, days <= 28 + 10], features[:, days <= 28 + 10])
    if isinstance(model, PoissonDemand):
        np.testing.assert_array_equal(features[:, :, 2:4], 5.0)  # the forecast of IID demand is its mean


def test_realized_forecasts_are_the_oracle_means():
    import gymnasium as gym

    env = gym.make("InventoryLeadTime-v0", forecast_source="realized", horizon=10)
    env.reset(seed=0, options={"demand": np.arange(10, dtype=float)})
    np.testing.assert_allclose(env.unwrapped.features[2], np.mean(np.arange(7)))
    with pytest.raises(ValueError, match="forecast_source must be one of"):
        gym.make("InventoryLeadTime-v0", forecast_source="oracle")
