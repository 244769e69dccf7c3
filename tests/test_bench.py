"""The benchmark suite: optima against published tables and independent oracles, scores, aggregation, report."""
from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
from scipy import stats

from gym_inventory import dp
from gym_inventory.bench import INSTANCES, SUITES, get_instance, get_suite, naive_policy, references, score_policy
from gym_inventory.bench import aggregate
from gym_inventory.bench.instances import HDPO_PUBLISHED, MULTI_SKU_TEST_MEANS, PENALTIES, ZIPKIN_PUBLISHED
from gym_inventory.bench.report import SCORE_FILE, cell_dir, write_report
from gym_inventory.evaluation import evaluate
from gym_inventory.optimal import base_stock_cost
from gym_inventory.policies import BaseStock

# ------------------------------------------------------------------------------- the suite's optima


@pytest.mark.parametrize("name", [n for n in SUITES["zipkin"] if not n.startswith("zipkin_L4")] + ["zipkin_L4_p39"])
def test_zipkin_optima_match_the_published_table(name):
    # Zipkin (2008) prints two decimals; the DP is exact up to its (measured) truncation
    instance = get_instance(name)
    reference = references(instance)[0]
    assert reference.exact and reference.source == "dp"
    assert "truncation mass 0.0e+00" in reference.notes
    assert reference.cost == pytest.approx(instance.published, abs=0.005 + 1e-9)


def test_published_tables_are_the_ones_the_instances_carry():
    for lead_time, values in ZIPKIN_PUBLISHED.items():
        for p, value in zip(PENALTIES, values):
            assert INSTANCES[f"zipkin_L{lead_time}_p{p}"].published == value
    assert len(SUITES["zipkin"]) == 16 and len(SUITES["hdpo"]) == 16


@pytest.mark.parametrize("lead_time", sorted(HDPO_PUBLISHED))
def test_hdpo_optima_match_the_published_values(lead_time):
    for p, value in zip(PENALTIES, HDPO_PUBLISHED[lead_time]):
        reference = references(f"hdpo_L{lead_time}_p{p}")[0]
        # closed form of REFERENCE.md: (h + p) sigma sqrt(L + 1) phi(z), z = Phi^-1(p / (p + h))
        sigma = 1.6 * math.sqrt(lead_time + 1)
        closed = (1 + p) * sigma * stats.norm.pdf(stats.norm.ppf(p / (p + 1)))
        assert reference.cost == pytest.approx(closed, rel=1e-9)
        # HDPO's table agrees with the closed form within 0.15% (largest relative: L = 10, p = 19, 10.96 vs 10.946)
        assert reference.cost == pytest.approx(value, rel=1.5e-3)


def test_poisson_backlog_p1_is_the_dp_optimum_and_the_newsvendor():
    instance = get_instance("poisson_L3_P1_p19")
    reference = references(instance)[0]
    solved = dp.solve_average_cost(dp.DPProblem.from_env(instance.cases[0].env_kwargs))
    assert reference.cost == pytest.approx(solved.cost, rel=1e-6)
    newsvendor = pytest.importorskip("stockpyl.newsvendor")
    level, cost = newsvendor.newsvendor_poisson(1.0, 19.0, 4 * 7.0)  # (L + 1) days of Poisson(7)
    assert reference.notes == f"base stock S* = {level:g}"
    assert reference.cost == pytest.approx(cost, rel=1e-9)


@pytest.mark.parametrize("name", ["poisson_L2_P2_p9", "poisson_L2_P7_p19"])
def test_review_period_optimum_is_the_best_level_and_what_the_env_charges(name):
    instance = get_instance(name)
    env = instance.cases[0].env_kwargs
    reference = references(instance)[0]
    level = float(reference.notes.split("= ")[1])
    costs = base_stock_cost(np.array([level - 1, level, level + 1]), stats.poisson(7.0), lead_time=env["lead_time"],
                            review_period=env["review_period"], holding_cost=1.0, penalty_cost=env["penalty_cost"])
    assert costs[1] == pytest.approx(reference.cost) and costs[1] < min(costs[0], costs[2])
    result = evaluate(BaseStock(level), env, n_trajectories=64, horizon=400, warmup_epochs=20, seed=3)
    assert abs(result.cost - reference.cost) <= 3.29 / 1.96 * result.ci


def test_multi_sku_scores_each_sku_against_its_own_optimum():
    instance = get_instance("multi_sku")
    refs = references(instance)
    assert [c.env_kwargs["demand_kwargs"]["mean"] for c in instance.cases] == list(MULTI_SKU_TEST_MEANS)
    assert instance.train_env_kwargs["demand_kwargs"]["mean"] == [1.0, 100.0]
    assert {c.env_kwargs["max_order"] for c in instance.cases} == {instance.train_env_kwargs["max_order"]}
    costs = [r.cost for r in refs]
    assert costs == sorted(costs) and costs[-1] > 5 * costs[0]  # costs grow with the volume
    for case, ref in zip(instance.cases, refs):
        solved = dp.solve_average_cost(dp.DPProblem.from_env(case.env_kwargs)) if case.env_kwargs["demand_kwargs"]["mean"] <= 6.3 else None
        if solved is not None:
            assert ref.cost == pytest.approx(solved.cost, rel=1e-5)


def test_suites_and_bad_names():
    assert [i.name for i in get_suite("lite")] == list(SUITES["lite"])
    assert set(SUITES["full"]) == set(INSTANCES)
    assert [i.name for i in get_suite("hdpo_L1_p4,zipkin_L1_p4")] == ["hdpo_L1_p4", "zipkin_L1_p4"]
    with pytest.raises(ValueError, match="unknown: nope"):
        get_suite("hdpo_L1_p4,nope")
    with pytest.raises(ValueError, match="instance must be one of"):
        get_instance("zipkin_L9_p4")
    assert get_instance("study_setting4").exact and get_instance("study_setting1").exact
    assert not get_instance("study_setting2").exact
    assert get_instance("study_setting2").evaluation_options()["cost_days"] == "lead_time_window"


# ------------------------------------------------------------------------------------------ scores
def test_reference_scores_100_and_naive_scores_0_exactly():
    instance = get_instance("zipkin_L1_p9")
    reference = references(instance)[0]
    best = score_policy(reference.policy, instance, n_trajectories=16, horizon=200)
    assert best.gap == 0.0 and best.gap_ci == 0.0 and best.score == 100.0
    naive = score_policy(naive_policy(instance.cases[0].env_kwargs), instance, n_trajectories=16, horizon=200)
    assert naive.score == pytest.approx(0.0, abs=1e-9) and naive.gap > 0.05


def test_gap_of_a_detuned_base_stock_matches_its_exact_cost():
    instance = get_instance("hdpo_L1_p4")
    reference = references(instance)[0]
    level = float(reference.notes.split("= ")[1]) + 2.0
    exact_gap = base_stock_cost(level, stats.norm(5.0, 1.6), lead_time=1, holding_cost=1.0, penalty_cost=4.0) / reference.cost - 1
    result = score_policy(BaseStock(level), instance, n_trajectories=32, horizon=400)
    assert abs(result.gap - exact_gap) <= 3.29 / 1.96 * result.gap_ci
    assert result.gap_ci < 0.2 * exact_gap  # the paired CI is narrow
    assert 0 < result.score < 100 and len(result.cases) == 1


def test_score_rejects_non_policies():
    with pytest.raises(TypeError, match="policy must be"):
        score_policy("base", get_instance("hdpo_L1_p4"))


# ------------------------------------------------------------------------------------- aggregation
def test_aggregates_are_rliables_estimators_with_stratified_bootstrap():
    scores = {"a": np.array([[0.1, 0.5, 0.9, 1.0], [0.2, 0.6, 0.8, 1.1]]), "b": np.full((3, 4), 0.5)}
    points, intervals = aggregate.interval_estimates(scores, reps=300)
    flat = np.sort(scores["a"].ravel())
    assert points["a"][0] == pytest.approx(flat[2:6].mean())  # IQM: the middle half of 8 runs
    assert points["a"][3] == pytest.approx(1 - np.minimum(scores["a"], 1).mean())  # optimality gap
    assert np.all(intervals["a"][0] <= points["a"] + 1e-12) and np.all(points["a"] <= intervals["a"][1] + 1e-12)
    np.testing.assert_allclose(intervals["b"], np.array([[0.5, 0.5, 0.5, 0.5]] * 2))  # no spread, no width
    profiles, bands = aggregate.performance_profiles(scores, [0.0, 0.55, 0.95], reps=100)
    np.testing.assert_allclose(profiles["a"], [1.0, 5 / 8, 2 / 8])
    np.testing.assert_allclose(profiles["b"], [1.0, 0.0, 0.0])
    estimates, cis = aggregate.probability_of_improvement({"x": scores["b"] + 0.1, "y": scores["b"]}, [("x", "y"), ("y", "y")], reps=50)
    assert estimates == {"x,y": 1.0, "y,y": 0.5} and cis["x,y"] == (1.0, 1.0)


def test_aggregate_input_errors():
    with pytest.raises(TypeError, match="non-empty dict"):
        aggregate.check_scores({})
    with pytest.raises(ValueError, match="same instances"):
        aggregate.check_scores({"a": np.zeros((2, 3)), "b": np.zeros((2, 2))})
    with pytest.raises(ValueError, match="finite"):
        aggregate.check_scores({"a": np.array([[np.nan]])})
    with pytest.raises(ValueError, match="unknown method 'c'"):
        aggregate.probability_of_improvement({"a": np.zeros((2, 2))}, [("a", "c")])


def _fake_runs(root, method, gaps_by_instance):
    for instance, gaps in gaps_by_instance.items():
        for seed, gap in enumerate(gaps):
            directory = cell_dir(root, method, instance, seed)
            os.makedirs(directory)
            with open(os.path.join(directory, SCORE_FILE), "w") as handle:
                json.dump({"method": method, "instance": instance, "seed": seed, "gap": gap, "gap_ci": 0.01,
                           "score": 100 * (1 - gap), "score_ci": 1.0, "timesteps": 10, "wall_time_s": 1.0}, handle)


def test_report_writes_tables_plots_and_json(tmp_path):
    runs = tmp_path / "runs"
    _fake_runs(runs, "good", {"i1": [0.01, 0.02], "i2": [0.0, 0.01]})
    _fake_runs(runs, "bad", {"i1": [0.3, 0.2, 0.4], "i2": [0.5, 0.6, 0.5], "i3": [0.1, 0.1, 0.1]})
    report = write_report([runs], tmp_path / "report", pairs=[("good", "bad")], reps=100)
    assert report["instances"] == ["i1", "i2"]  # the instances every method ran
    assert sorted(os.listdir(tmp_path / "report")) == sorted(
        ["runs.csv", "leaderboard.csv", "leaderboard.md", "aggregates.csv", "aggregates.png", "profiles.png",
         "improvement.png", "report.json"])
    rows = {(r["method"], r["instance"]): r for r in report["leaderboard"]}
    assert rows[("bad", "i1")]["gap"] == pytest.approx(0.3) and rows[("bad", "i3")]["seeds"] == 3
    assert report["probability_of_improvement"]["good,bad"]["p"] == 1.0
    assert "| good | +1.50% (2) | +0.50% (2) | — |" in report["markdown"]
    with pytest.raises(ValueError, match="not an empty directory"):
        write_report([runs], tmp_path / "report")
    with pytest.raises(ValueError, match="no score.json"):
        write_report([tmp_path / "report"], tmp_path / "other")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

_matrices = arrays(np.float64, st.tuples(st.integers(1, 4), st.just(3)), elements=st.floats(-1.0, 2.0))


@settings(max_examples=30, deadline=None)
@given(_matrices, _matrices)
def test_aggregate_properties(x, y):
    points, intervals = aggregate.interval_estimates({"x": x}, reps=20)
    iqm, mean, median, gap = points["x"]
    assert x.min() - 1e-12 <= iqm <= x.max() + 1e-12 and x.min() - 1e-12 <= median <= x.max() + 1e-12
    assert gap == pytest.approx(1 - np.minimum(x, 1).mean()) and mean == pytest.approx(x.mean())
    assert np.all(intervals["x"][0] <= intervals["x"][1] + 1e-12)
    estimates, _ = aggregate.probability_of_improvement({"x": x, "y": y}, [("x", "y"), ("y", "x")], reps=5)
    assert estimates["x,y"] + estimates["y,x"] == pytest.approx(1.0)  # ties count one half each way


def test_study_instances_evaluate_as_the_study_does():
    # the reference policy simulated by the bench costs exactly the study's reference cost (same SKUs, same days)
    instance = get_instance("study_setting2")
    result = score_policy(references(instance)[0].policy, instance)
    case = result.cases[0]
    assert case.reference_simulated == pytest.approx(case.reference_cost, rel=1e-12) and result.gap == 0.0
    assert not result.exact_reference and case.naive_gap > 0
