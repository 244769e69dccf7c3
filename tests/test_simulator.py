"""InventorySimulator.step_sku (one SKU on Python floats) against step (arrays): the same bits."""
from __future__ import annotations

import numpy as np
import pytest

from gym_inventory.envs.inventory_env import make_simulator
from gym_inventory.simulator import RECORD_FIELDS

CONFIGS = [
    {},
    {"lost_sales": True, "lead_time": 0},
    {"lead_time": 4, "review_period": 3, "reward_timing": "lead_time_window"},
    {"objective": "service", "normalize": False, "demand": "negative_binomial"},
    {"lead_time": 9, "demand": "normal", "forecast_noise": 0.2},  # rows of >= 8: numpy sums pairwise
    {"lead_time": 12, "review_period": 2, "lost_sales": True, "demand": "gamma"},
]


@pytest.mark.parametrize("config", CONFIGS, ids=[str(sorted(c.items())) for c in CONFIGS])
def test_step_sku_matches_step_bit_for_bit(config):
    floats = make_simulator(1, horizon=40, **config)
    arrays = make_simulator(1, horizon=40, **config)
    assert np.array_equal(floats.reset(np.random.default_rng(5)), arrays.reset(np.random.default_rng(5)))
    orders = np.random.default_rng(1).uniform(0.0, 3.0 * floats.max_order / 4, 40)
    for order in orders:
        obs, reward, values = floats.step_sku(float(order))
        expected_obs, expected_reward, result = arrays.step(np.array([order]))
        assert obs.dtype == np.float32 and obs.tobytes() == expected_obs[0].tobytes()
        assert type(reward) is float and np.float64(reward).tobytes() == expected_reward[0].tobytes()
        assert np.array(values).tobytes() == result.rows[:, 0].tobytes()
        assert floats.pipeline.tobytes() == arrays.pipeline.tobytes()
        assert floats.inventory_position.tobytes() == arrays.inventory_position.tobytes()
    for name in RECORD_FIELDS:
        assert floats.records[name].tobytes() == arrays.records[name].tobytes(), name


def test_step_sku_needs_one_sku_and_respects_the_horizon():
    simulator = make_simulator(1, horizon=2)
    simulator.reset(np.random.default_rng(0))
    simulator.step_sku(1.0)
    simulator.step_sku(1.0)
    with pytest.raises(RuntimeError, match="horizon of 2 epochs is over"):
        simulator.step_sku(1.0)
