"""The study's settings: shipped configs, the training pool, alternate-day demand, splits and references."""
import os

import numpy as np
import pytest
import gymnasium as gym
import yaml
from scipy import stats

import gym_inventory
from gym_inventory.config import load_env_config
from gym_inventory.demand import AlternateDayDemand, SKUPoolDemand, make_demand
from gym_inventory.evaluation import evaluate
from gym_inventory.policies import BaseStock
from gym_inventory.demand.study import shared_levels, shared_stds, study_demand_features
from gym_inventory.evaluation import paired_difference
from gym_inventory.study import (
    SETTINGS,
    VARIANTS,
    CriticalFractileBaseStock,
    PeriodicDPPolicy,
    Splits,
    empirical_dp,
    exact_dp,
    get_setting,
    reference,
    solve_periodic_dp,
    study_days,
)

CONFIG_DIR = os.path.join(os.path.dirname(gym_inventory.__file__), "configs")


STUDY_NAMES = ["setting1", "setting2", "setting3", "setting4"]


@pytest.mark.parametrize("name", STUDY_NAMES)
def test_shipped_config_is_the_preset(name):
    setting = SETTINGS[name]
    assert load_env_config(os.path.join(CONFIG_DIR, f"{name}.yaml")) == setting.env_kwargs
    env = setting.env_kwargs
    assert (env["lead_time"], env["review_period"], env["holding_cost"], env["penalty_cost"]) == (1, 2, 0.1, 0.9)
    assert env["initial_inventory"] == 0 and env["normalize"] is False and env["lost_sales"] is False
    assert setting.authors and setting.val_skus == setting.train_skus
    assert (setting.train_skus, setting.test_skus) == {"setting1": (10, 100), "setting4": (5, 500)}.get(name, (5, 100))


def test_every_setting4_horizon_the_authors_ran_and_the_variants_apart():
    assert {SETTINGS[f"setting4_h{h}"].env_kwargs["horizon"] for h in (2, 8, 16, 32, 64)} == {2, 8, 16, 32, 64}
    assert SETTINGS["setting4"].env_kwargs == SETTINGS["setting4_h2"].env_kwargs  # the script's shipped HORIZON
    changed = get_setting("setting4", horizon=5)
    assert changed.env_kwargs["horizon"] == changed.env_kwargs["demand_kwargs"]["horizon"] == 5
    with pytest.raises(ValueError, match="horizon is fixed"):
        get_setting("setting1", horizon=16)
    with pytest.raises(ValueError, match="setting must be one of"):
        get_setting("setting9")
    assert {name for name, s in VARIANTS.items() if s.authors} == set()
    assert not set(VARIANTS) & set(SETTINGS)


def _episode(name, n_skus=400, seed=0):
    """A batch of one setting's test-like episodes: (simulator, the authors' days 0.. of the path)."""
    simulator = gym_inventory.make_simulator(n_skus, **SETTINGS[name].env_kwargs)
    simulator.reset(np.random.default_rng(seed))
    first = simulator._first_day - 2  # the authors' day 0
    return simulator, simulator._demand[:, first:]


def test_setting1_one_shared_level_sequence_and_the_time_feature():
    levels = shared_levels()
    # np.random.seed(42); np.random.normal(10, 4, 31), clipped and cast to int, as gene_syn_data_ind.py
    assert levels.tolist()[:8] == [11, 9, 12, 16, 9, 9, 16, 13] and levels.shape == (31,)
    np.testing.assert_array_equal(levels, np.clip(np.random.RandomState(42).normal(10, 4, 31), 0, 100).astype(int))
    simulator, days = _episode("setting1")
    demand = days[:, :31]
    assert np.all(demand == np.round(demand)) and np.all(days[:, 31:] == 0)
    offset = demand - levels[None, :]
    assert offset.min() == 0 and offset.max() == 4  # support {low_t .. low_t + 4} on every day
    assert all(set(np.unique(offset[:, t])) == {0, 1, 2, 3, 4} for t in range(31))
    epochs = simulator.context[:, :, -1]
    np.testing.assert_array_equal(epochs, np.broadcast_to(np.arange(1, 15), epochs.shape))  # day // 2 on days 2..28
    assert simulator.observation_names[-1] == "study_epoch"


def test_warmup_empty_start_horizon_and_cap_through_gym_make():
    env = gym.make("InventoryLeadTime-v0", **SETTINGS["setting1"].env_kwargs)
    assert env.action_space.high[0] == 100.0
    obs, _ = env.reset(seed=3)
    simulator = env.unwrapped.simulator
    warmup = simulator._demand[0, simulator._first_day - 2:simulator._first_day]
    assert obs[0] == -warmup.sum() and obs[1] == 0  # days 0-1 ran with order 0 from an empty start
    steps, truncated = 0, False
    while not truncated:
        obs, _, terminated, truncated, _ = env.step(np.array([10.0], dtype=np.float32))
        steps += 1
    assert steps == 14
    four = gym.make("InventoryLeadTime-v0", **SETTINGS["setting4_h8"].env_kwargs)
    assert four.action_space.high[0] == 200.0 and four.reset(seed=0)[0][0] == 0.0


def _authors_loss(demand, orders):
    """The authors' rl/inv_env.py loop for one SKU: warm-up days 0-1 with order 0, orders on days 2, 4, ...,
    the loss averaged over days L + P = 3 .. T - 1 (0.1 overage + 0.9 underage)."""
    pipeline, ends, t = [0.0, 0.0], [], 0

    def day(order):
        nonlocal t
        pipeline[1] += order
        post = pipeline[0] - demand[t]
        ends.append(post)
        pipeline[0], pipeline[1] = post + pipeline[1], 0.0
        t += 1

    day(0.0), day(0.0)
    for order in orders:
        day(order), day(0.0)
        if t + 1 >= len(demand):
            break
    while t < len(demand):
        day(0.0)
    costed = np.array(ends[3:])
    return float(np.mean(0.1 * np.maximum(costed, 0) + 0.9 * np.maximum(-costed, 0)))


@pytest.mark.parametrize("name", ["setting1", "setting3", "setting4_h8"])
def test_rewards_are_the_authors_loss_on_their_costed_days(name):
    simulator, days = _episode(name, n_skus=3, seed=5)
    length = 31 if name != "setting4_h8" else 3 + 2 * 8
    rewards, orders = [], []
    for epoch in range(simulator.params.horizon):
        order = np.maximum(25.0 + 3 * epoch - simulator.inventory_position, 0.0) if name != "setting4_h8" else \
            np.maximum(125.0 - simulator.inventory_position, 0.0)
        orders.append(order)
        rewards.append(simulator.step(order)[1])
    total = -np.sum(rewards, axis=0)
    for sku in range(3):
        expected = _authors_loss(days[sku, :length], [o[sku] for o in orders])
        assert total[sku] / (length - 3) == pytest.approx(expected, rel=1e-12)


def test_ar1_recursion_is_on_the_clipped_previous_demand():
    from gym_inventory.demand import StudyAR1Demand

    model = StudyAR1Demand(phi=0.6, base=5.0, noise_std=8.0, warmup=8, feature_noise=0.0)
    demand = model.series(np.random.default_rng(7), 50)[0]
    shocks = np.random.default_rng(7).normal(0.0, 1.0, size=(50, 39)) * 8.0  # the same draws, replayed
    for sku in range(50):  # gene_syn_data_ar1.py's loop, literally
        series = [max(0, 5.0 + shocks[sku, 0])]
        for t in range(1, 39):
            series.append(max(0, 0.6 * series[t - 1] + (1 - 0.6) * 5.0 + shocks[sku, t]))
        np.testing.assert_allclose(demand[sku], series[8:], rtol=1e-12)  # the 8 generated days dropped
    assert (demand == 0).mean() > 0.1  # the clip acts: a recursion on a latent level would differ
    simulator, days = _episode("setting3", n_skus=20, seed=1)
    np.testing.assert_allclose(simulator.context[:, :, -1], days[:, 1:29:2], rtol=1e-6)  # float32; yesterday's demand at days 2..28
    two = gym_inventory.make_simulator(3, **SETTINGS["setting2"].env_kwargs)
    assert two.observation_names[-4:] == ("feat_1", "feat_2", "feat_3", "feat_4")


def test_features_are_the_authors_pandas_expressions():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    demand = rng.integers(0, 30, size=(3, 31)).astype(float)
    features = study_demand_features(demand, 0.0, None)
    for sku in range(3):
        x = pd.Series(demand[sku])
        expected = [x.rolling(window=28, min_periods=1).mean().shift(1), x.rolling(window=7, min_periods=1).mean().shift(1),
                    x.shift(-1).rolling(window=7, min_periods=1).mean(), x.shift(-1).rolling(window=28, min_periods=1).mean()]
        for index, series in enumerate(expected):
            np.testing.assert_allclose(features[sku, 1:, index], series.to_numpy()[1:], rtol=1e-12)
    noisy = study_demand_features(np.full((200, 31), 50.0), 3.0, np.random.default_rng(1))
    noise = noisy[:, 1:, 2:] - 50.0  # additive N(0, 3), not relative
    assert abs(noise.std() - 3.0) < 0.05 and abs(noise.mean()) < 0.05
    np.testing.assert_allclose(noisy[:, 1:, :2], 50.0)


def test_setting4_shared_sds_demand_days_and_test_size():
    stds = shared_stds()
    np.testing.assert_array_equal(stds, np.random.RandomState(42).uniform(5, 20, 5))
    simulator, days = _episode("setting4_h8", n_skus=500)
    assert days.shape[1] >= 19
    demand_days = np.arange(3, 19, 2)
    assert np.all(days[:, demand_days] > 0) and np.all(np.delete(days, demand_days, axis=1) == 0)
    sd, stds32 = simulator.context[:, 0, -1], stds.astype(np.float32)  # observations are float32
    assert sorted(np.unique(sd)) == sorted(stds32) and all(np.sum(sd == s) == 100 for s in stds32)
    pool = gym_inventory.make_simulator(5, **Splits.of(SETTINGS["setting4_h8"]).train_env_kwargs())
    pool.reset(np.random.default_rng(0))
    assert sorted(pool.context[:, 0, -1]) == sorted(stds32)  # the 5 training SKUs hold each sd once


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
    splits = Splits.of(VARIANTS["variant2"], data_seed=0)
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
    chosen = min(ref.candidates, key=lambda key: ref.candidates[key][0])  # on validation, never on test
    assert ref.policy_name == chosen and ref.cost == ref.candidates[chosen][1]
    with pytest.raises(ValueError, match="reference kind"):
        reference(splits, "dp")


def test_variant_forecasts_are_realized_look_aheads():
    from gym_inventory.envs.inventory_env import make_simulator

    simulator = make_simulator(6, **VARIANTS["variant3"].env_kwargs)  # noise 0: exact means of the realized future
    simulator.reset(np.random.default_rng(0))
    demand, forecasts = simulator.demand_path, simulator.feature_path
    days = 2 * np.arange(forecasts.shape[1])
    np.testing.assert_allclose(forecasts[:, :, 2], np.stack([demand[:, d:d + 7].mean(axis=1) for d in days], 1))
    np.testing.assert_allclose(forecasts[:, :, 3], np.stack([demand[:, d:d + 28].mean(axis=1) for d in days], 1))
    noisy = make_simulator(6, **VARIANTS["variant2"].env_kwargs)
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


def test_periodic_dp_hand_trace():
    """One epoch, known demand: days 2..4 demand 3, 4, 5 after two empty days. The order on day 2 is
    charged days 3 and 4: C(y - 7) + C(y - 12), minimized at y = 12 (0.1 x 5 = 0.5 over 2 days)."""
    point = [np.array([1.0]), np.array([1.0]), np.eye(4)[3], np.eye(5)[4], np.eye(6)[5]]
    solution = solve_periodic_dp(point, 1)
    assert solution.levels[0] == 12 and solution.expected_cost == pytest.approx(0.25)
    assert solution.orders[0, list(solution.positions).index(0)] == 12
    assert solution.orders[0, list(solution.positions).index(20)] == 0
    capped = solve_periodic_dp(point, 1, max_order=10)  # the cap binds: y = 10, C(3) + C(-2) = 0.3 + 1.8
    assert capped.expected_cost == pytest.approx(2.1 / 2)


def test_setting1_exact_dp_is_what_its_policy_costs_and_beats_the_authors_reference():
    setting = SETTINGS["setting1"]
    exact = exact_dp(setting.env_kwargs)
    assert exact.levels.shape == (14,) and len(set(exact.levels)) > 3  # a base stock per epoch
    splits = Splits.of(setting.replace(test_skus=3000))
    policy = PeriodicDPPolicy(exact, "dp_exact")
    evaluation = splits.evaluate(policy, "test")
    assert evaluation.cost == pytest.approx(exact.expected_cost, abs=2.5 * evaluation.ci)  # the DP's own value
    authors = PeriodicDPPolicy(empirical_dp(splits), "dp_empirical")
    paired = paired_difference(splits.evaluate(authors, "test"), evaluation)
    assert paired[0] > -paired[1]  # no policy beats the optimum (beyond noise)


def test_references_say_what_they_are_and_never_choose_on_test():
    small = dict(val_skus=10, test_skus=10)
    one = Splits.of(SETTINGS["setting1"].replace(**small))
    assert reference(one, "dp_exact").status == "optimum" and reference(one, "dp_empirical").status == "heuristic"
    three = Splits.of(SETTINGS["setting3"].replace(**small))
    non = reference(three, "best_non_anticipating")
    assert non.status == "heuristic" and not non.exact and len(non.candidates) == 2
    assert non.policy_name == min(non.candidates, key=lambda key: non.candidates[key][0])
    four = reference(Splits.of(SETTINGS["setting4_h8"].replace(test_skus=50)), "critical_fractile")
    assert four.status == "optimum" and four.exact
    with pytest.raises(ValueError, match="reference kind"):
        reference(one, "oracle")
    with pytest.raises(ValueError, match="day_support|study_levels"):
        exact_dp(SETTINGS["setting3"].env_kwargs)


def test_evaluation_counts_the_authors_costed_days():
    from gym_inventory.policies import BaseStock

    env = SETTINGS["setting1"].env_kwargs
    evaluation = evaluate(BaseStock(30.0), env, n_trajectories=4, warmup_epochs=0, seed=2, cost_days="lead_time_window")
    simulator = gym_inventory.make_simulator(4, **env)
    simulator.reset(np.random.default_rng(2))  # the same paths (common random numbers)
    days = study_days(simulator)
    orders = []
    for _ in range(14):
        orders.append(np.maximum(30.0 - simulator.inventory_position, 0.0))
        simulator.step(orders[-1])
    losses = [_authors_loss(days[sku, :31], [o[sku] for o in orders]) for sku in range(4)]
    np.testing.assert_allclose(evaluation.per_trajectory, losses, rtol=1e-12)
    with pytest.raises(ValueError, match="cost_days"):
        evaluate(BaseStock(3.0), {"reward_timing": "step"}, n_trajectories=2, cost_days="lead_time_window")
    with pytest.raises(ValueError, match="cost_days"):
        evaluate(BaseStock(3.0), env, n_trajectories=2, cost_days="windows")


@pytest.mark.parametrize("algo", ["ds", "ddpg", "ppo"])
def test_the_study_search_spaces_are_the_authors_and_fit_every_arm(algo):
    from agents.sweep import SweepSpec, load_space, study_space_file
    from agents.sweep.runner import check_spec

    space = load_space(study_space_file(algo))
    authors = {  # config/hyperparameter_registry.py of the authors' code, by name
        "ds": {"batch_size": [5, 10], "learning_rate": (4e-4, 0.1), "net_width": [32, 64, 128], "lr_factor": (0.5, 0.95)},
        "ppo": {"eval_freq": [512, 1024, 2048], "learning_rate": (5e-5, 9e-3), "clip_range": (0.1, 0.3),
                "batch_size": [128, 256, 512], "n_steps": [1024, 2048, 4096], "n_epochs": [1, 3, 5, 10],
                "ent_coef": (1e-4, 0.5), "gamma": (0.98, 1.0), "gae_lambda": (0.5, 1.0)},
        "ddpg": {"eval_freq": [512, 1024], "learning_rate": (3e-4, 9e-3), "tau": (1e-3, 1e-2), "batch_size": [128, 256, 512],
                 "buffer_size": [20000, 50000, 100000], "train_freq": [1, 14], "learning_starts": [100, 500, 1000],
                 "gamma": (0.98, 1.0)},
    }[algo]
    for name, expected in authors.items():
        entry = space["search"][name]
        assert (entry["choices"] if isinstance(expected, list) else (entry["low"], entry["high"])) == expected
    assert (space["search"]["initial_action_bias"]["low"], space["search"]["initial_action_bias"]["high"]) == (0.2, 0.7)
    assert space["fixed"]["observation_parts"] == list(SETTINGS["setting1"].network_inputs)
    from agents.sweep.experiment import study_space

    for kind in ("none", "base", "coeff", "both"):  # all four arms, coeff/both with the authors' 28 x clip(c, 0, 1)
        arm = study_space(algo, kind, SETTINGS["setting1"])
        options = arm["fixed"] if algo == "ds" else arm["fixed"].get("regularization_options", {})
        assert (options.get("coefficient_bounds"), options.get("bias_bounds")) == (
            ([0.0, 28.0], [-100.0, 100.0]) if kind in ("coeff", "both") else (None, None))
        check_spec(SweepSpec(algo, kind, Splits.of(SETTINGS["setting1"]), arm, budget=100, reference="dp_exact"))


def test_the_study_spaces_map_the_initial_bias_as_the_authors():
    """none/base: the untrained order (none) or target (base) is the fraction x the order cap, in units."""
    from agents.sweep import load_space, study_space_file
    from agents.sweep.space import translate

    splits = Splits.of(SETTINGS["setting1"])
    fixed = load_space(study_space_file("ds"))["fixed"]
    scale = shared_levels().mean() + 2.0  # setting 1's scale: the levels' mean + (span - 1) / 2, every SKU
    for kind in ("none", "base"):
        hyper = translate("ds", kind, dict(fixed, initial_action_bias=0.3), splits.train_env_kwargs())
        assert hyper["initial_mu"][0] * scale == pytest.approx(0.3 * 100.0)
        assert "initial_action_bias_of" not in hyper
    for algo in ("ds", "ppo", "ddpg"):  # coeff/both: every coefficient at the fraction of [0, 28], the bias at f x cap
        from agents.sweep.experiment import study_space

        for kind in ("coeff", "both"):
            arm = study_space(algo, kind, SETTINGS["setting1"])
            sampled = {"initial_action_bias": 0.3} if algo == "ds" else {
                "initial_action_bias": 0.3, "learning_rate": 1e-3, "clip_range": 0.2, "lr_min": 1e-5}
            hyper = translate(algo, kind, dict(arm["fixed"], **sampled),
                              Splits.of(SETTINGS["setting1"], regularization=kind).train_env_kwargs())
            assert hyper["initial_mu"][:4] == pytest.approx([0.3 * 28.0] * 4)
            assert hyper["initial_mu"][4] * scale == pytest.approx(0.3 * 100.0)
    with pytest.raises(ValueError, match="initial_action_bias=0.9 x max_order=100"):
        translate("ds", "coeff", dict(fixed, initial_action_bias=0.9, coefficient_bounds=[0, 28], bias_bounds=[-5, 5]),
                  splits.train_env_kwargs())
    package = translate("ds", "base", {"initial_action_bias": 0.3}, splits.train_env_kwargs())
    assert package["initial_mu"][0] == pytest.approx(0.3 * 12.0)  # the package's own mapping: 0.3 x 4 (L + P)
    with pytest.raises(ValueError, match="initial_action_bias_of"):
        translate("ds", "base", {"initial_action_bias": 0.3, "initial_action_bias_of": "units"}, splits.train_env_kwargs())


def test_study_sources_reject_bad_arguments_naming_them():
    from gym_inventory.demand import StudyAR1Demand, StudyIIDDemand, StudyLevelDemand

    for build, match in ((lambda: StudyLevelDemand(level_mean=[5, 10]), "level_mean"),
                         (lambda: StudyLevelDemand(span=0), "span"),
                         (lambda: StudyAR1Demand(phi=(0.3, 1.0)), "phi"),
                         (lambda: StudyAR1Demand(perfect_feature="yes"), "perfect_feature"),
                         (lambda: StudyIIDDemand(horizon=0), "horizon"),
                         (lambda: StudyIIDDemand(mean=-1.0), "mean"),
                         (lambda: StudyLevelDemand(feature_noise=-3.0), "feature_noise")):
        with pytest.raises((ValueError, TypeError), match=match):
            build()
    with pytest.raises(ValueError, match="more than 28 days"):
        StudyLevelDemand().sample(np.random.default_rng(0), 2, 20)


def test_the_study_spaces_decay_the_learning_rate_as_the_authors():
    """PPO: lr linearly to lr_min over 90% of training and the clip range to half; DDPG: lr over 95%."""
    from agents.sweep import load_space, study_space_file
    from agents.sweep.space import translate

    env = Splits.of(SETTINGS["setting1"]).train_env_kwargs()
    for algo, fraction, clip in (("ppo", 0.9, {"initial": 0.2, "final": 0.1, "end_fraction": 0.9}), ("ddpg", 0.95, None)):
        fixed = load_space(study_space_file(algo))["fixed"]
        assert load_space(study_space_file(algo))["search"]["lr_min"]["log"] is True
        hyper = translate(algo, "base", dict(fixed, learning_rate=1e-3, lr_min=2e-5, clip_range=0.2), env)
        assert hyper["learning_rate"] == {"initial": 1e-3, "final": 2e-5, "end_fraction": fraction}
        assert hyper.get("clip_range") == (clip if clip else 0.2)
        assert not {"lr_min", "lr_fraction", "clip_range_decay"} & set(hyper)
    with pytest.raises(ValueError, match="lr_min needs a learning_rate"):
        translate("ppo", "base", {"lr_min": 1e-5}, env)
    with pytest.raises(ValueError, match="DS decays its learning rate"):
        translate("ds", "base", {"lr_min": 1e-5, "learning_rate": 1e-3}, env)


def test_a_linear_schedule_reaches_the_model_and_decays():
    from agents.sb3.algorithms import algorithm_kwargs, get_algorithm, load_hyperparams

    kwargs = algorithm_kwargs({"learning_rate": {"initial": 1e-3, "final": 1e-5, "end_fraction": 0.5}}, 1)
    schedule = kwargs["learning_rate"]
    assert schedule(1.0) == pytest.approx(1e-3)  # progress remaining 1: the start
    assert schedule(0.75) == pytest.approx(1e-3 + 0.5 * (1e-5 - 1e-3))
    assert schedule(0.5) == pytest.approx(1e-5) and schedule(0.0) == pytest.approx(1e-5)
    for bad, match in (({"initial": 1e-3, "final": 1e-5}, "learning_rate must be a number or"),
                       ({"initial": 1e-3, "final": -1.0, "end_fraction": 0.5}, "learning_rate.final"),
                       ({"initial": 1e-3, "final": 1e-5, "end_fraction": 1.5}, "end_fraction must be in")):
        with pytest.raises(ValueError, match=match):
            load_hyperparams("ppo", {"learning_rate": bad})
    assert get_algorithm("ppo")


def test_coeff_both_networks_read_the_authors_scaled_inputs():
    """The authors' coeff/both networks: feat1 min-max over the SKU's series, the pipeline / the cap;
    the demand, feat(x) and costs are those of the raw problem."""
    from gym_inventory.envs import make_simulator

    setting = SETTINGS["setting3"]
    assert setting.network_env_kwargs("base") == setting.env_kwargs == setting.network_env_kwargs(None)
    scaled = setting.network_env_kwargs("both")
    assert scaled["pipeline_unit"] == 100.0 and scaled["demand_kwargs"]["dynamic_scaling"] == "minmax"
    assert Splits.of(setting, regularization="coeff").env_kwargs == scaled
    raw, norm = make_simulator(4, **setting.env_kwargs), make_simulator(4, **scaled)
    obs_raw, obs_norm = raw.reset(np.random.default_rng(3)), norm.reset(np.random.default_rng(3))
    np.testing.assert_array_equal(raw.demand_path, norm.demand_path)
    np.testing.assert_array_equal(raw.feature_path, norm.feature_path)
    layout = raw.observation_layout
    np.testing.assert_allclose(obs_norm[:, layout["pipeline"]], obs_raw[:, layout["pipeline"]] / 100.0, rtol=1e-6)
    for _ in range(setting.env_kwargs["horizon"]):
        (_, reward_raw, _), (_, reward_norm, _) = raw.step(np.full(4, 10.0)), norm.step(np.full(4, 10.0))
        np.testing.assert_array_equal(reward_raw, reward_norm)
    columns = layout["dynamic"].start - layout["pipeline"].stop  # the context's dynamic columns
    dynamic = norm.context[..., columns:columns + 1]
    assert dynamic.min() >= 0.0 and dynamic.max() <= 1.0 and dynamic.max() > 0.5
    assert raw.context[..., columns:columns + 1].max() > 1.0  # yesterday's demand, raw units
    with pytest.raises(ValueError, match="dynamic_scaling"):
        make_simulator(1, **dict(setting.env_kwargs, demand_kwargs={"dynamic_scaling": "zscore"}))
    with pytest.raises(ValueError, match="pipeline_unit"):
        make_simulator(1, **dict(setting.env_kwargs, pipeline_unit=0.0))


def test_the_sweep_cli_gives_a_study_arm_its_inputs_and_bounds():
    """``gym-inventory sweep --setting setting1 --reg both --space <the study's ppo.yml>`` sweeps the arm the central
    experiment runs: the authors' coeff/both network inputs and their 28 x clip(c, 0, 1) bounds."""
    import argparse

    from agents.cli.sweep import add_arguments, build_spec
    from agents.sweep.experiment import study_space
    from agents.sweep.space import study_space_file

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    for kind in ("base", "both"):
        args = parser.parse_args(["--algo", "ppo", "--reg", kind, "--setting", "setting1", "--trials", "2",
                                  "--out", "unused", "--space", study_space_file("ppo")])
        spec = build_spec(args)
        assert spec.splits.env_kwargs == SETTINGS["setting1"].network_env_kwargs(kind)
        assert spec.space == study_space("ppo", kind, SETTINGS["setting1"])
    assert "pipeline_unit" in spec.splits.env_kwargs and spec.space["fixed"]["regularization_options"]
