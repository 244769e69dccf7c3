"""``gym-inventory baselines``: JSON shape, DP where it applies, text table, one-line errors with exit code 2."""
from __future__ import annotations

import json

import pytest

from gym_inventory.cli import main
from gym_inventory.optimal import optimal_base_stock_for

FAST = ["--n-trajectories", "16", "--eval-horizon", "120", "--warmup-epochs", "10"]


def run_json(capsys, *argv):
    assert main(["baselines", *argv, *FAST, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_shape_and_dp_optimum_for_backlog(capsys, tmp_path):
    config = tmp_path / "env.yaml"
    config.write_text("lead_time: 1\npenalty_cost: 4.0\ndemand: poisson\ndemand_kwargs: {mean: 5.0}\n")
    result = run_json(capsys, "--env-config", str(config))
    assert set(result) == {"optimal", "policies"}
    # backlog: the DP optimum is the newsvendor cost of the optimal base stock
    assert result["optimal"] == pytest.approx(optimal_base_stock_for({"lead_time": 1, "penalty_cost": 4.0}).cost, rel=1e-6)
    dp_cost = result["policies"][-1]["cost"]
    for row in result["policies"]:
        assert set(row) == {"name", "cost", "ci", "gap"}
        # the gap is the paired excess over the DP policy on the same paths, relative to the optimum
        assert row["ci"] > 0 and row["gap"] == pytest.approx((row["cost"] - dp_cost) / result["optimal"])
    names = [row["name"] for row in result["policies"]]
    assert names[-1] == "dp_optimal" and result["policies"][-1]["gap"] == 0.0
    # backlog: the exact base stock S* = 13 makes the same orders as the DP policy
    assert result["policies"][names.index("base_stock(S=13)")]["gap"] == 0.0
    assert any(name.startswith("ss(") for name in names) and any(name.startswith("myopic") for name in names)


def test_lost_sales_flags_override_the_file(capsys, tmp_path):
    config = tmp_path / "env.yaml"
    config.write_text("lead_time: 3\npenalty_cost: 4.0\n")
    result = run_json(capsys, "--env-config", str(config), "--lead-time", "1", "--lost-sales")
    # Zipkin (2008): Poisson(5), h = 1, p = 4, L = 1, lost sales: 4.04
    assert round(result["optimal"], 2) == 4.04
    names = [row["name"] for row in result["policies"]]
    assert any(name.startswith("capped_base_stock") for name in names)


def test_without_dp_gaps_are_relative_to_the_best_policy(capsys):
    result = run_json(capsys, "--demand", "normal", "--lead-time", "1")
    assert result["optimal"] is None
    assert min(row["gap"] for row in result["policies"]) == 0.0
    result = run_json(capsys, "--lead-time", "1", "--no-dp")
    assert result["optimal"] is None and all(row["name"] != "dp_optimal" for row in result["policies"])


def test_text_table(capsys):
    assert main(["baselines", "--lead-time", "1", *FAST]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["policy", "cost/day", "95%", "CI", "gap", "gap", "CI"]
    assert "optimal cost per day (DP)" in out


@pytest.mark.parametrize("argv, message", [
    (["--env-config", "no/such/file.yaml"], "does not exist"),
    (["--n-trajectories", "1"], "--n-trajectories"),
    (["--review-period", "0"], "review_period"),
    (["--demand", "weather"], "demand"),
    (["--lead-time", "two"], "invalid int"),
])
def test_bad_input_is_one_line_and_exit_code_2(capsys, argv, message):
    assert main(["baselines", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("gym-inventory baselines: error:")
    assert message in err
