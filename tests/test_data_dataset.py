"""PanelDataset as a demand source: splits, sampled windows, features from history only, env and vector env."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest

import gym_inventory  # noqa: F401  (registers the env)
from gym_inventory.data import load_panel
from gym_inventory.data.dataset import NO_HISTORY_SCALE, SCALE_DAYS
from gym_inventory.demand import DemandModel
from gym_inventory.envs import make_simulator

START = np.datetime64("2024-01-01", "D").astype(np.int64)


def coded_panel(n_series=12, n_days=200, first_days=None, forecasts=False) -> pd.DataFrame:
    """Demand that tells where it comes from: series i on day t (since START) has 1000 i + t units."""
    first_days = [0] * n_series if first_days is None else first_days
    parts = []
    for i, first in enumerate(first_days):
        day = np.arange(first, n_days)
        part = {"sku_id": f"S{i:02d}", "date": (START + day).astype("datetime64[D]"), "demand": 1000 * i + day,
                "promotion": (day % 10 == 0).astype(float)}
        if forecasts:
            part.update(forecast_next_7=0.5 * day, forecast_next_28=0.25 * day)
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def decode(window: np.ndarray):
    """(series, day since START) of a window's demand values."""
    return window // 1000, window % 1000


def test_splits_by_sku_are_disjoint_and_cover_every_series():
    dataset = load_panel(coded_panel(n_series=20), split_by="sku", validate_fraction=0.2, test_fraction=0.1, seed=1)
    sets = {name: set(dataset.split(name).series.tolist()) for name in ("train", "validate", "test")}
    assert [len(sets[name]) for name in ("train", "validate", "test")] == [14, 4, 2]
    assert set.union(*sets.values()) == set(range(20)) and sum(map(len, sets.values())) == 20
    train = dataset.split("train")
    assert train.split("train") is train and len(train.split("all")) == 20
    assert len(dataset.split("all")) == 20
    with pytest.raises(ValueError, match="split must be one of"):
        dataset.split("holdout")
    with pytest.raises(ValueError, match="split must be one of"):
        load_panel(coded_panel(), split_by=None).split("train")


def test_time_splits_sample_only_their_period_and_never_see_the_future():
    dataset = load_panel(coded_panel(n_days=300), split_by="time", validate_days=40, test_days=50)
    rng = np.random.default_rng(0)
    for name, (low, high) in {"train": (0, 210), "validate": (210, 250), "test": (250, 300)}.items():
        view = dataset.split(name)
        paths = view.sample(rng, 64, 28 + 30 + 28)
        series, day = decode(paths.demand.astype(np.int64))
        core = day[:, 28:58]
        assert np.all((core >= low) & (core < high))
        np.testing.assert_array_equal(np.diff(core, axis=1), 1)  # consecutive days of one series
        assert np.all(series[:, 28:58] == series[:, [28]])
        future = paths.demand[:, 58:]
        past_end = (core[:, [-1]] + 1 + np.arange(28)) >= high
        assert np.all(future[past_end] == 0)  # days after the period are never handed out


def test_sampled_features_use_history_only():
    dataset = load_panel(coded_panel(first_days=[0, 5, 40, 0]), split_by=None)
    paths = dataset.sample(np.random.default_rng(3), 16, 28 + 20 + 28)
    demand = dataset.panel
    for k in range(16):
        index = int(paths.demand[k, 28] // 1000)
        core_start = int(paths.demand[k, 28] % 1000)
        first = int(demand.first_day[index] - START)
        history = np.arange(first, 200)  # observed days of the series
        scale_days = [t for t in range(core_start - SCALE_DAYS, core_start) if t >= first]
        scale = max(np.mean([1000 * index + t for t in scale_days]), 1 / SCALE_DAYS) if scale_days else NO_HISTORY_SCALE
        assert paths.scale[k] == pytest.approx(scale)
        for position in (0, 10, 28, 40, 60):
            t = core_start - 28 + position
            last_28 = [1000 * index + u for u in range(t - 28, t) if u in history]
            last_7 = [1000 * index + u for u in range(t - 7, t) if u in history]
            expected = [np.mean(last_28) if last_28 else scale, np.mean(last_7) if last_7 else scale]
            feats = paths.features[k, position]
            np.testing.assert_allclose(feats, [expected[0], expected[1], expected[1], expected[0], 1.0])


def test_user_forecasts_become_features():
    dataset = load_panel(coded_panel(forecasts=True), split_by=None)
    paths = dataset.sample(np.random.default_rng(4), 8, 28 + 20 + 28)
    day = paths.demand[:, 28:48] % 1000
    np.testing.assert_allclose(paths.features[:, 28:48, 2], 0.5 * day)
    np.testing.assert_allclose(paths.features[:, 28:48, 3], 0.25 * day)
    assert paths.dynamic_names == ("promotion",)
    np.testing.assert_array_equal(paths.dynamic[:, 28:48, 0], (day % 10 == 0))


def test_series_too_short_for_the_episode():
    dataset = load_panel(coded_panel(first_days=[0, 150, 0]), split_by=None)
    with pytest.warns(UserWarning, match="1 of 3 series .* fewer than 60 days .* never sampled"):
        paths = dataset.sample(np.random.default_rng(0), 30, 28 + 60 + 28)
    assert set(np.unique(paths.demand[:, 28] // 1000)) <= {0, 2}
    with pytest.raises(ValueError, match="no series of split 'all' has 300 days"):
        dataset.sample(np.random.default_rng(0), 1, 28 + 300 + 28)


def test_gym_make_vector_env_and_simulator_take_the_dataset():
    dataset = load_panel(coded_panel(n_series=10, n_days=150), split_by="sku", test_fraction=0.2, validate_fraction=0.2)
    assert isinstance(dataset.split("train"), DemandModel)
    train = set(dataset.split("train").series.tolist())
    env = gym.make("InventoryLeadTime-v0", demand=dataset, split="train", horizon=30, lead_time=1, normalize=False)
    env.reset(seed=0)
    for _ in range(30):
        env.step(np.array([1.0], dtype=np.float32))
    path = env.unwrapped.simulator.demand_path[0, :30]
    series, day = decode(path.astype(np.int64))
    assert series[0] in train and np.all(series == series[0]) and np.all(np.diff(day) == 1)
    assert "promotion" in env.unwrapped.observation_names

    vector = gym.make_vec("InventoryLeadTime-v0", num_envs=4, vectorization_mode="vector_entry_point", demand=dataset,
                          split="test", horizon=20)
    vector.reset(seed=1)
    vector.step(np.ones((4, 1), dtype=np.float32))
    test = set(dataset.split("test").series.tolist())
    assert set((vector.unwrapped.simulator.demand_path[:, 0] // 1000).astype(int).tolist()) <= test

    simulator = make_simulator(8, demand=dataset, split="validate", horizon=25)  # what the DS trainer builds
    simulator.reset(np.random.default_rng(2))
    validate = set(dataset.split("validate").series.tolist())
    assert set((simulator.demand_path[:, 0] // 1000).astype(int).tolist()) <= validate
    with pytest.raises(ValueError, match="split must be one of"):
        gym.make("InventoryLeadTime-v0", demand=dataset, split="train2")


def test_views_subset_and_tables():
    dataset = load_panel(coded_panel(n_series=4, first_days=[0, 0, 10, 20]), split_by=None)
    part = dataset.subset(np.array([False, True, True, False]))
    table = part.sku_table()
    assert table["sku_id"].tolist() == ["S01", "S02"] and table["days"].tolist() == [200, 190]
    assert dataset.subset([3]).to_frame()["demand"].iloc[0] == 3020
    with pytest.raises(ValueError, match="no 'lead_time' column"):
        dataset.parameter("lead_time")
    np.testing.assert_array_equal(dataset.parameter("lead_time", 2), 2.0)
    assert dataset.max_daily_mean == pytest.approx(3000 + np.mean(np.arange(172, 200)))
