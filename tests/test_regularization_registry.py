"""The registry of regularization kinds: entries, non-negative demand coefficients (monotone orders), bound options,
and a new kind added by one entry."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gym_inventory  # noqa: F401
from gym_inventory.features import FEATURE_NAMES, N_FEATURES
from gym_inventory.remap import REGULARIZATIONS, Regularization, register_regularization, remap
from gym_inventory.vector import InventoryVectorEnv
from gym_inventory.wrappers import RegularizedAction, default_bounds, mu_bounds, regularize


def make_env(**kwargs):
    return gym.make("InventoryLeadTime-v0", **dict(dict(horizon=6, demand_kwargs={"mean": 5.0}), **kwargs))


def test_registry_entries_describe_every_kind():
    assert list(REGULARIZATIONS) == ["none", "base", "coeff", "both"]
    assert [entry.size(N_FEATURES) for entry in REGULARIZATIONS.values()] == [1, 1, 5, 5]
    # L = 3, P = 2: W = 5; initial mu P or W (on forecast_next_7 for coeff/both)
    forecast = FEATURE_NAMES.index("forecast_next_7")
    for name, start in {"none": 2.0, "base": 5.0, "coeff": 2.0, "both": 5.0}.items():
        entry = REGULARIZATIONS[name]
        low, high = entry.default_bounds(3, 2, N_FEATURES)
        mu = entry.initial_mu(3, 2, low, high, N_FEATURES)
        assert mu[forecast if entry.per_feature else 0] == start
        assert np.all((low < mu) & (mu < high))  # strictly inside: the DS sigmoid head needs it


@pytest.mark.parametrize("kind", ["coeff", "both"])
def test_demand_coefficients_are_non_negative_by_default_and_the_bias_is_free(kind):
    low, high = default_bounds(kind, 1, 2)  # W = 3
    np.testing.assert_array_equal(low, [0, 0, 0, 0, -6])
    np.testing.assert_array_equal(high, [6, 6, 6, 6, 6])


@pytest.mark.parametrize("kind", ["coeff", "both"])
def test_coefficient_and_bias_bounds_options(kind):
    # the study's 28 x clip(c, 0, 1) on the demand features, bias in [-50, 50] units
    env = regularize(make_env(), kind, coefficient_bounds=(0.0, 28.0), bias_bounds=(-50.0, 50.0))
    np.testing.assert_array_equal(env.action_space.low, [0, 0, 0, 0, -50])
    np.testing.assert_array_equal(env.action_space.high, [28, 28, 28, 28, 50])
    rebuilt = gym.make(env.spec)  # the options round-trip through the spec
    assert rebuilt.action_space == env.action_space
    vector = regularize(InventoryVectorEnv(num_envs=2), kind, coefficient_bounds=(0.0, 28.0))
    np.testing.assert_array_equal(vector.single_action_space.high[:-1], [28, 28, 28, 28])


def test_bound_options_are_checked():
    with pytest.raises(ValueError, match="coefficient_bounds is for the regularizations with feature coefficients"):
        regularize(make_env(), "base", coefficient_bounds=(0.0, 1.0))
    with pytest.raises(ValueError, match="not both"):
        regularize(make_env(), "coeff", low=0.0, high=1.0, bias_bounds=(-1.0, 1.0))
    with pytest.raises(ValueError, match="low < high"):
        mu_bounds("coeff", 1, 1, coefficient_bounds=(2.0, 1.0))
    with pytest.raises(TypeError, match=r"pair \(low, high\)"):
        mu_bounds("both", 1, 1, bias_bounds=5.0)
    with pytest.raises(TypeError, match="needs the regularization kind"):
        RegularizedAction(make_env())
    with pytest.raises(ValueError, match="'base' regularization, got kind='both'"):
        gym_inventory.wrappers.BaseStockAction(make_env(), "both")


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["coeff", "both"]),
    lead_time=st.integers(0, 5),
    review_period=st.integers(1, 4),
    unit_mu=st.lists(st.floats(0.0, 1.0), min_size=N_FEATURES, max_size=N_FEATURES),
    features=st.lists(st.floats(0.0, 500.0), min_size=N_FEATURES - 1, max_size=N_FEATURES - 1),
    feature=st.integers(0, N_FEATURES - 2),
    rise=st.floats(0.0, 500.0),
    inventory_position=st.floats(-200.0, 500.0),
)
def test_raising_a_demand_feature_never_lowers_the_order(kind, lead_time, review_period, unit_mu, features, feature, rise,
                                                          inventory_position):
    # random mu within the default bounds: the order is monotone in every demand feature
    low, high = (bound.astype(np.float64) for bound in default_bounds(kind, lead_time, review_period))
    mu = (low + np.array(unit_mu) * (high - low))[None, :]
    before = np.array(features + [1.0])[None, :]
    after = before.copy()
    after[0, feature] += rise
    common = dict(inventory_position=np.array([inventory_position]), scale=np.array([1.0]))
    assert remap(kind, mu, features=after, **common)[0] >= remap(kind, mu, features=before, **common)[0]


def test_a_new_kind_is_one_registry_entry():
    # "ratio": order = max(mu * mean_last_7 - tot(I), 0), a target in days of recent demand
    def days_of_recent_demand(mu, inventory_position, features, scale, xp):
        return mu[:, 0] * features[:, FEATURE_NAMES.index("mean_last_7")] - inventory_position

    entry = Regularization("ratio_test", days_of_recent_demand, per_feature=False, low=0.0, high=4.0,
                           description="max(mu * mean_last_7 - tot(I), 0)", uses_features=True)
    register_regularization(entry)
    try:
        env = regularize(make_env(lead_time=1, review_period=2), "ratio_test")
        assert env.action_space.shape == (1,) and env.action_space.high[0] == 12.0
        env.reset(seed=0)
        unwrapped = env.unwrapped
        features, position = np.ravel(unwrapped.features), float(np.ravel(unwrapped.inventory_position)[0])
        expected = max(3.0 * features[FEATURE_NAMES.index("mean_last_7")] - position, 0.0)
        assert env.step([3.0])[4]["order"] == pytest.approx(min(expected, unwrapped.max_order))
        vector = regularize(InventoryVectorEnv(num_envs=2), "ratio_test")
        assert vector.single_action_space.shape == (1,)
        with pytest.raises(ValueError, match="already registered"):
            register_regularization(entry)
    finally:
        del REGULARIZATIONS["ratio_test"]


def test_ds_network_reads_the_registry_and_the_bound_options():
    import torch

    from agents.ds.config import DSConfig
    from agents.ds.train import build_network
    from gym_inventory.envs import make_simulator

    simulator = make_simulator(1, lead_time=1, review_period=2)  # W = 3
    default = build_network("both", simulator, DSConfig(), seed=0)
    assert default.config["mu_low"] == [0.0, 0.0, 0.0, 0.0, -6.0] and default.config["mu_high"] == [6.0] * 5
    assert default.config["initial_mu"] == pytest.approx([0.006, 0.006, 3.0, 0.006, 0.0])
    with torch.no_grad():  # the untrained policy starts near its initial mu (final layer gain 0.01)
        mu = default(torch.zeros(1, simulator.obs_dim))[0].tolist()
    assert mu == pytest.approx([0.006, 0.006, 3.0, 0.006, 0.0], abs=0.05)
    study = build_network("coeff", simulator, DSConfig(coefficient_bounds=[0.0, 28.0], bias_bounds=[-5.0, 5.0]), seed=0)
    assert study.config["mu_low"] == [0.0, 0.0, 0.0, 0.0, -5.0] and study.config["mu_high"] == [28.0] * 4 + [5.0]
    with pytest.raises(ValueError, match="not both"):
        DSConfig(mu_low=0.0, coefficient_bounds=[0.0, 28.0])


def test_named_aliases_round_trip_through_the_spec():
    from gym_inventory.wrappers import CoeffAction

    env = CoeffAction(make_env(), coefficient_bounds=(0.0, 28.0), order_cap=50.0)
    assert env.kind == "coeff" and "kind" not in env.spec.additional_wrappers[-1].kwargs
    rebuilt = gym.make(env.spec)
    assert type(rebuilt) is CoeffAction and rebuilt.action_space == env.action_space
