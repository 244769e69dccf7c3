"""Shared fixtures: a deterministic env factory for hand-written traces."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import gym_inventory  # noqa: F401  (registers the env)


def make_trace_env(**kwargs):
    """A raw-units env (no normalization, large action bound) for hand traces."""
    defaults = dict(normalize=False, max_order=1000.0, holding_cost=1.0, penalty_cost=9.0)
    defaults.update(kwargs)
    return gym.make("InventoryLeadTime-v0", **defaults)


@pytest.fixture
def trace_env():
    return make_trace_env


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
