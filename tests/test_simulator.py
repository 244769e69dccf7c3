"""InventorySimulator.step_sku (one SKU on Python floats) against step on arrays: the same bits.

A simulator of one SKU steps on floats even through ``step``, so the array path is the
one of a batch: SKU 0 of two SKUs that replay the same demand path.
"""
from __future__ import annotations

import numpy as np
import pytest

from gym_inventory.envs.inventory_env import make_simulator
from gym_inventory.simulator import RECORD_FIELDS

HORIZON = 40
CONFIGS = [
    {},
    {"lost_sales": True, "lead_time": 0},
    {"lead_time": 4, "review_period": 3, "reward_timing": "lead_time_window"},
    {"objective": "service", "normalize": False, "demand": "negative_binomial"},
    {"lead_time": 9, "demand": "normal"},  # rows of >= 8: numpy sums them pairwise
    {"lead_time": 12, "review_period": 2, "lost_sales": True, "demand": "gamma"},
]


@pytest.mark.parametrize("config", CONFIGS, ids=[str(sorted(c.items())) for c in CONFIGS])
def test_step_sku_matches_the_batched_step_bit_for_bit(config):
    floats = make_simulator(1, horizon=HORIZON, **config)
    arrays = make_simulator(2, horizon=HORIZON, **config)
    params = floats.params
    rng = np.random.default_rng(0)
    options = {
        "demand": rng.gamma(2.0, 2.5, params.episode_days + params.lookahead_days),
        "history": rng.gamma(2.0, 2.5, 30),
        "initial_inventory": rng.uniform(0.0, 10.0, params.lead_time + 1),
    }
    first = floats.reset(np.random.default_rng(5), **options)
    assert first.tobytes() == arrays.reset(np.random.default_rng(5), **options)[:1].tobytes()
    orders = rng.uniform(0.0, 3.0 * floats.max_order / 4, (HORIZON, 2))
    for epoch, order in enumerate(orders):
        if epoch % 7 == 3:  # records read mid-episode (step_sku's rows are written on reading)
            for name in RECORD_FIELDS:
                assert floats.records[name].tobytes() == arrays.records[name][:1].tobytes(), name
        obs, reward, values = floats.step_sku(float(order[0]))
        expected_obs, expected_reward, result = arrays.step(order)
        assert obs.dtype == np.float32 and obs.tobytes() == expected_obs[0].tobytes()
        assert type(reward) is float and np.float64(reward).tobytes() == expected_reward[0].tobytes()
        assert np.array(values).tobytes() == result.rows[:, 0].tobytes()
        assert floats.pipeline.tobytes() == arrays.pipeline[:1].tobytes()
        assert floats.inventory_position.tobytes() == arrays.inventory_position[:1].tobytes()
    for name in RECORD_FIELDS:
        assert floats.records[name].tobytes() == arrays.records[name][:1].tobytes(), name


def test_step_of_one_sku_returns_the_batched_layout():
    simulator = make_simulator(1, horizon=3)
    simulator.reset(np.random.default_rng(0))
    obs, reward, result = simulator.step(np.array([4.0]))
    assert obs.shape == (1, simulator.obs_dim) and obs.dtype == np.float32
    assert reward.shape == (1,) and reward.dtype == np.float64
    assert result.rows.shape == (len(RECORD_FIELDS), 1)
    assert result["order"].tolist() == [4.0] and result["stockout"].dtype == bool


def test_step_sku_needs_one_sku_and_respects_the_horizon():
    simulator = make_simulator(1, horizon=2)
    simulator.reset(np.random.default_rng(0))
    simulator.step_sku(1.0)
    simulator.step_sku(1.0)
    with pytest.raises(RuntimeError, match="horizon of 2 epochs is over"):
        simulator.step_sku(1.0)
    batch = make_simulator(2, horizon=2)
    batch.reset(np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_skus=2"):
        batch.step_sku(1.0)
