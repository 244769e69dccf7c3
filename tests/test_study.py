"""The study's settings: shipped configs, the training pool, alternate-day demand, splits and references."""
import os

import numpy as np
import pytest
import yaml
from scipy import stats

import gym_inventory
from gym_inventory.config import load_env_config
from gym_inventory.demand import AlternateDayDemand, SKUPoolDemand, make_demand
from gym_inventory.evaluation import evaluate
from gym_inventory.policies import BaseStock
from gym_inventory.study import SETTINGS, CriticalFractileBaseStock, Splits, get_setting, reference

CONFIG_DIR = os.path.join(os.path.dirname(gym_inventory.__file__), "configs")


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_shipped_config_is_the_preset(name):
    setting = SETTINGS[name]
    assert load_env_config(os.path.join(CONFIG_DIR, f"{name}.yaml")) == setting.env_kwargs
    env = setting.env_kwargs
    assert (env["lead_time"], env["review_period"], env["holding_cost"], env["penalty_cost"], env["horizon"]) == (1, 2, 0.1, 0.9, 16)
    assert setting.test_skus == 100 and 5 <= setting.train_skus <= 10


def test_settings_follow_the_study():
    assert SETTINGS["setting1"].env_kwargs["demand_kwargs"] == {"level_mean": 10.0, "level_std": 4.0, "spread": 5.0}
    ar1 = SETTINGS["setting2"].env_kwargs["demand_kwargs"]
    assert ar1 == SETTINGS["setting3"].env_kwargs["demand_kwargs"] and ar1["warmup"] == 8
    assert SETTINGS["setting2"].env_kwargs["forecast_noise"] > 0 == SETTINGS["setting3"].env_kwargs["forecast_noise"]
    # the authors' features are noisy realized means, not the env's non-anticipating default
    assert {s.env_kwargs["forecast_source"] for s in SETTINGS.values()} == {"realized"}
    assert get_setting("setting4", horizon=64).env_kwargs["horizon"] == 64
    with pytest.raises(ValueError, match="setting must be one of"):
        get_setting("setting9")


def test_alternate_day_demand():
    paths = AlternateDayDemand(mean=100.0, std=(5.0, 20.0)).sample(np.random.default_rng(0), 400, 10)
    assert np.all(paths.demand[:, 0::2] == 0) and np.all(paths.demand[:, 1::2] > 0)
    std = paths.static[:, 1]
    assert 5 <= std.min() and std.max() <= 20 and np.allclose(paths.scale, 50.0)
    residual = (paths.demand[:, 1::2] - 100.0) / std[:, None]
    assert abs(residual.mean()) < 0.05 and abs(residual.std() - 1) < 0.05
    with pytest.raises(ValueError, match="offset"):
        AlternateDayDemand(offset=2)


def test_sku_pool_replays_a_fixed_set_in_passes():
    pool = make_demand("sku_pool", {"source": "ar1", "n_skus": 5, "seed": 3})
    assert isinstance(pool, SKUPoolDemand)
    first = pool.sample(np.random.default_rng(0), 5, 40)
    again = pool.sample(np.random.default_rng(1), 12, 40)
    reference_rows = {tuple(row) for row in pool.pool(40).demand}
    assert {tuple(row) for row in first.demand} == reference_rows  # one pass: each pooled SKU once
    assert {tuple(row) for row in again.demand[:10]} == reference_rows
    assert len({tuple(row) for row in again.demand[:5]}) == 5
    other = make_demand("sku_pool", {"source": "ar1", "n_skus": 5, "seed": 4}).pool(40)
    assert not {tuple(row) for row in other.demand} & reference_rows
    with pytest.raises(ValueError, match="sku_pool"):
        SKUPoolDemand("sku_pool")


def test_splits_are_disjoint_and_the_pool_trains():
    splits = Splits.of(SETTINGS["setting2"], data_seed=0)
    assert len({splits.seed(s) for s in ("train", "val", "test")}) == 3
    train = splits.train_env_kwargs()
    assert train["demand"] == "sku_pool" and train["demand_kwargs"]["n_skus"] == 5
    env = gym_inventory.make_simulator(5, **train)
    env.reset(np.random.default_rng(0))
    trained = {tuple(np.round(row, 9)) for row in env.demand_path}
    test = gym_inventory.make_simulator(100, **splits.env_kwargs)
    test.reset(np.random.default_rng(splits.seed("test")))
    assert not trained & {tuple(np.round(row, 9)) for row in test.demand_path}
    with pytest.raises(ValueError, match="split"):
        splits.evaluate(BaseStock(10.0), "train")


def test_critical_fractile_is_optimal_on_setting4():
    splits = Splits(get_setting("setting4", horizon=8).env_kwargs, train_skus=10, val_skus=50, test_skus=50)
    policy = CriticalFractileBaseStock(splits.env_kwargs)
    assert policy.z == pytest.approx(stats.norm.ppf(0.9))
    ref = reference(splits, "critical_fractile")
    assert ref.exact and ref.cost == pytest.approx(splits.evaluate(policy, "test").cost)
    for level in (100.0, 115.0, 130.0):  # one level for every SKU cannot beat the per-SKU fractile
        assert evaluate(BaseStock(level), splits.env_kwargs, n_trajectories=50, warmup_epochs=0,
                        seed=splits.seed("test")).cost > ref.cost


def test_best_classical_reference_picks_on_validation():
    splits = Splits(SETTINGS["setting1"].env_kwargs, train_skus=10, val_skus=20, test_skus=20)
    ref = reference(splits)
    assert not ref.exact and len(ref.candidates) == 3
    assert ref.cost == min(test for _, test in ref.candidates.values())
    with pytest.raises(ValueError, match="reference kind"):
        reference(splits, "dp")


def test_forecasts_are_the_realized_means_as_in_the_authors_code():
    from gym_inventory.envs.inventory_env import make_simulator

    simulator = make_simulator(6, **SETTINGS["setting3"].env_kwargs)  # noise 0: exact means of the realized future
    simulator.reset(np.random.default_rng(0))
    demand, forecasts = simulator.demand_path, simulator.feature_path
    days = 2 * np.arange(forecasts.shape[1])
    np.testing.assert_allclose(forecasts[:, :, 2], np.stack([demand[:, d:d + 7].mean(axis=1) for d in days], 1))
    np.testing.assert_allclose(forecasts[:, :, 3], np.stack([demand[:, d:d + 28].mean(axis=1) for d in days], 1))
    noisy = make_simulator(6, **SETTINGS["setting2"].env_kwargs)
    noisy.reset(np.random.default_rng(0))
    assert np.all(noisy.feature_path[:, :, 2].std(axis=1) > 0)  # AR(1): not a constant expected level


@pytest.mark.parametrize("source", ["alternate_days", "ar1"])
def test_expected_forecasts_survive_the_pool_and_do_not_look_ahead(source):
    """With the env's default forecast_source="expected", neither setting 4's demand nor a training
    pool falls back to the realized future (an oracle in training only would be a leak)."""
    from gym_inventory.features import forecast_features

    pool = make_demand("sku_pool", {"source": source, "n_skus": 1, "seed": 1})
    paths = pool.sample(np.random.default_rng(0), 3, 60)  # the one pooled SKU, three times
    assert pool.pool(60).expected is not None
    np.testing.assert_array_equal(paths.expected, np.repeat(pool.pool(60).expected, 3, axis=0))
    days = np.arange(0, 30, 2)
    features = forecast_features(paths.demand, days, paths.scale, 0.0, None, paths.expected)
    changed = paths.demand.copy()
    changed[:, 10:] = changed[:, 10:] * 3 + 7  # another future from day 10 on
    again = forecast_features(changed, days, paths.scale, 0.0, None, paths.expected)
    np.testing.assert_array_equal(again[:, days <= 10], features[:, days <= 10])
    if source == "alternate_days":
        np.testing.assert_allclose(features[:, :, 2], 3 * 100.0 / 7, rtol=1e-6)  # 3 demand days of mean ~100 in 7
