"""``gym-inventory bench list/run/report``: tiny budgets, resuming, refusals, parallel workers, DS through the same command."""
from __future__ import annotations

import json
import os

import pytest

from agents.bench import Cell, DirectoryStore, plan, run_bench
from gym_inventory.bench.report import SCORE_FILE, cell_dir
from gym_inventory.cli import main

TINY = ["--eval-trajectories", "8", "--eval-horizon", "60"]


def test_list_prints_references_and_published_values(capsys):
    assert main(["bench", "list", "--suite", "zipkin_L1_p4,hdpo_L1_p4,multi_sku"]) == 0
    out = capsys.readouterr().out
    assert "zipkin_L1_p4" in out and "4.0407" in out and "4.04" in out and "dp" in out
    assert "hdpo_L1_p4" in out and "3.1674" in out
    assert "mean of 6 SKUs" in out


def test_classical_run_resume_and_report(tmp_path, capsys):
    out = tmp_path / "bench"
    argv = ["bench", "run", "--algo", "best_base_stock", "--suite", "hdpo_L1_p4,poisson_L2_P2_p9", "--seeds", "2",
            "--out", str(out)] + TINY
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "4 run(s) scored, 0 already done, 0 failed" in text
    record = json.loads((out / "best_base_stock" / "hdpo_L1_p4" / "seed_1" / SCORE_FILE).read_text())
    assert record["method"] == "best_base_stock" and record["seed"] == 1 and record["eval_horizon"] == 60
    assert abs(record["gap"]) < 0.02 and record["cases"][0]["reference_source"] == "analytic"
    before = (out / "best_base_stock" / "hdpo_L1_p4" / "seed_1" / SCORE_FILE).read_bytes()
    assert main(argv) == 0  # resumed: everything is already there, nothing rewritten
    assert "0 run(s) scored, 4 already done" in capsys.readouterr().out
    assert (out / "best_base_stock" / "hdpo_L1_p4" / "seed_1" / SCORE_FILE).read_bytes() == before
    # other evaluation options in the same directory: refused before any work
    assert main(argv[:-1] + ["80"]) == 2
    assert "holds a different run (differing in: eval_horizon)" in capsys.readouterr().err
    assert main(["bench", "report", str(out), "--out", str(tmp_path / "report"), "--reps", "50"]) == 0
    text = capsys.readouterr().out
    assert "| best_base_stock |" in text and "IQM" in text
    assert (tmp_path / "report" / "aggregates.png").exists()


def test_parallel_workers_store_the_same_scores_as_one_worker(tmp_path):
    cells = plan("myopic", "none", "hdpo_L1_p4,zipkin_L1_p4", 1, None, eval_trajectories=8, eval_horizon=60)
    one = run_bench(cells, tmp_path / "one", log=lambda line: None)
    two = run_bench(cells, tmp_path / "two", workers=2, log=lambda line: None)
    assert not one["failed"] and not two["failed"]
    for cell in cells:
        a = DirectoryStore(tmp_path / "one").get(cell)
        b = DirectoryStore(tmp_path / "two").get(cell)
        assert a["gap"] == b["gap"] and a["score"] == b["score"]


def test_a_cell_that_cannot_run_fails_alone(tmp_path):
    # capped base stock needs a fixed daily distribution: the multi-SKU training pool has none
    cells = plan("best_capped_base_stock", "none", "multi_sku,zipkin_L1_p4", 1, None, eval_trajectories=8, eval_horizon=60)
    lines = []
    result = run_bench(cells, tmp_path, log=lines.append)
    assert [c.instance for c, _ in result["failed"]] == ["multi_sku"]
    assert [r["instance"] for r in result["done"]] == ["zipkin_L1_p4"]
    assert any("multi_sku seed 0: failed: capped base stock needs IID demand" in line for line in lines)


def test_ds_runs_through_the_same_command_and_a_trained_run_is_scored_without_retraining(tmp_path, capsys):
    out = tmp_path / "bench"
    argv = ["bench", "run", "--algo", "ds", "--reg", "base", "--suite", "hdpo_L1_p4", "--seeds", "1",
            "--timesteps", "3", "--out", str(out)] + TINY
    assert main(argv) == 0
    cell = cell_dir(out, "ds+base", "hdpo_L1_p4", 0)
    first = json.loads(open(os.path.join(cell, SCORE_FILE)).read())
    assert first["method"] == "ds+base" and first["timesteps"] == 3 and first["train"]["steps"] <= 3
    run_json = json.loads(open(os.path.join(cell, "run", "run.json")).read())
    assert run_json["status"] == "complete"
    os.remove(os.path.join(cell, SCORE_FILE))  # scored run lost: the trained policy is loaded, not retrained
    capsys.readouterr()
    assert main(argv) == 0
    second = json.loads(open(os.path.join(cell, SCORE_FILE)).read())
    assert second["train"] == {} and second["gap"] == pytest.approx(first["gap"])


@pytest.mark.parametrize("argv, message", [
    (["bench", "run", "--algo", "nope", "--suite", "lite", "--timesteps", "5", "--out", "x"], "--algo must be ds, an SB3"),
    (["bench", "run", "--algo", "myopic", "--reg", "base", "--out", "x"], "needs --reg none"),
    (["bench", "run", "--algo", "ppo", "--out", "x"], "--timesteps is required"),
    (["bench", "run", "--algo", "myopic", "--suite", "zipkin_L9_p1", "--out", "x"], "unknown: zipkin_L9_p1"),
    (["bench", "run", "--algo", "myopic", "--seeds", "0", "--out", "x"], "seeds must be >= 1"),
    (["bench", "report", "--out", "r"], "the following arguments are required: DIR"),
    (["bench", "report", "missing_dir", "--out", "r", "--pair", "a"], "--pair must be two method names"),
    (["bench"], "the following arguments are required"),
])
def test_bad_input_is_one_line_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("gym-inventory bench: error:") and message in err and err.count("\n") == 1
    assert not os.path.exists(tmp_path / "x")


def test_a_score_made_with_other_default_hyperparameters_is_refused(tmp_path):
    from agents.bench.run import DirectoryStore, hyperparams_digest

    cell = Cell("ppo", "base", "hdpo_L1_p4", 0, 100)
    assert cell.identity()["hyperparams_sha256"] == hyperparams_digest("ppo") != hyperparams_digest("ddpg")
    assert Cell("myopic", "none", "hdpo_L1_p4", 0, None).identity()["hyperparams_sha256"] is None
    store = DirectoryStore(tmp_path)
    store.put(cell, dict(cell.identity(), hyperparams_sha256="0" * 16))  # an older release's defaults
    with pytest.raises(ValueError, match="differing in: hyperparams_sha256"):
        store.get(cell)


def test_config_overrides_train_under_their_label_and_never_mix_with_the_defaults(tmp_path, capsys):
    out = tmp_path / "bench"
    config = tmp_path / "fast.yml"
    config.write_text("patience: 0\nhidden_sizes: [8]\n")
    argv = ["bench", "run", "--algo", "ds", "--reg", "base", "--suite", "hdpo_L1_p4", "--seeds", "1",
            "--timesteps", "2", "--out", str(out), "--config", str(config)] + TINY
    assert main(argv) == 0  # the label defaults to the file's stem
    cell = cell_dir(out, "ds+base@fast", "hdpo_L1_p4", 0)
    record = json.loads(open(os.path.join(cell, SCORE_FILE)).read())
    assert record["method"] == "ds+base@fast" and record["label"] == "fast"
    assert record["hyperparams_overrides"] == {"patience": 0, "hidden_sizes": [8]}
    assert record["hyperparams_sha256"] != Cell("ds", "base", "hdpo_L1_p4", 0, 2).identity()["hyperparams_sha256"]
    trained = json.loads(open(os.path.join(cell, "run", "run.json")).read())["hyperparams"]
    assert trained["patience"] == 0 and trained["hidden_sizes"] == [8] and trained["max_steps"] == 2
    capsys.readouterr()
    config.write_text("patience: 1\nhidden_sizes: [8]\n")  # other overrides, same label, same directory
    assert main(argv) == 2
    assert "differing in: hyperparams_sha256, hyperparams_overrides" in capsys.readouterr().err
    assert main(argv + ["--label", "p1"]) == 0  # under their own label they are another method
    assert sorted(os.listdir(out)) == ["ds+base@fast", "ds+base@p1"]


@pytest.mark.parametrize("text, extra, message", [
    ("gamma: 0.9\n", ["--algo", "myopic"], "apply to learned methods, not the classical 'myopic'"),
    ("nope: 1\n", ["--algo", "ppo"], "PPO takes no hyperparameter 'nope'"),
    ("gamma: 0.9\n", ["--algo", "ppo", "--label", "a/b"], "got label='a/b'"),
    ("max_steps: 9\n", ["--algo", "ds"], "may not set max_steps"),
    ("!!python/object/apply:os.system ['touch x']\n", ["--algo", "ppo"], "is not valid YAML"),
])
def test_bad_config_is_one_line_exit_2(text, extra, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yml").write_text(text)
    argv = ["bench", "run", "--suite", "hdpo_L1_p4", "--timesteps", "5", "--out", "out", "--config", "c.yml", *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("gym-inventory bench: error:") and message in err and err.count("\n") == 1
    assert not os.path.exists(tmp_path / "out") and not os.path.exists(tmp_path / "x")


def test_label_without_config_is_refused(capsys):
    assert main(["bench", "run", "--algo", "ppo", "--timesteps", "5", "--out", "x", "--label", "a"]) == 2
    assert "--label names the overrides of --config" in capsys.readouterr().err


def test_cell_identity_names_the_method():
    assert Cell("ppo", "base", "hdpo_L1_p4", 0, 100).method == "ppo+base"
    assert Cell("myopic", "none", "hdpo_L1_p4", 0, None).method == "myopic"
    assert Cell("ppo", "base", "hdpo_L1_p4", 0, 100, overrides='{"gamma": 0.9}', label="g9").method == "ppo+base@g9"


def test_the_leaderboard_runs_every_method_and_overwrites_nothing(tmp_path):
    """benchmarks.leaderboard: the classical policies, DS and all nine SB3 / sb3-contrib algorithms, each learned
    one with every regularization asked; an existing report directory is refused before anything runs."""
    from benchmarks.leaderboard import main, methods

    listed = methods(["none", "base"])
    learned = {algo for algo, _ in listed} - {"best_base_stock", "best_capped_base_stock", "myopic"}
    assert learned == {"ds", "ppo", "a2c", "ddpg", "td3", "sac", "tqc", "trpo", "recurrentppo", "ars"}
    assert len(listed) == 3 + 2 * len(learned)
    report = tmp_path / "report"
    report.mkdir()
    (report / "keep.txt").write_text("mine")
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(tmp_path / "runs"), "--report", str(report)])
    assert exit_info.value.code == 2 and (report / "keep.txt").read_text() == "mine"
    assert not (tmp_path / "runs").exists()
    with pytest.raises(SystemExit) as exit_info:  # a bad --budget is refused before anything runs
        main(["--out", str(tmp_path / "runs"), "--budget", "dqn=100"])
    assert exit_info.value.code == 2 and not (tmp_path / "runs").exists()


def test_leaderboard_budgets_per_algorithm():
    from benchmarks.leaderboard import parse_budgets

    assert parse_budgets(["ppo=100000", "ds=1500"]) == {"ppo": 100000, "ds": 1500}
    for bad in ("ppo", "ppo=0", "ppo=1e5", "best_base_stock=10"):
        with pytest.raises(ValueError, match="--budget takes ALGO=N"):
            parse_budgets([bad])


def test_bench_defaults_prints_every_instance_against_its_target(tmp_path, capsys):
    """benchmarks.bench_defaults (issue 16, item 4) on a tiny budget: one line per lite instance, its target
    (2% backlog, 3% lost sales) and a verdict; the exit code says whether every target was met."""
    from benchmarks.bench_defaults import main as bench_defaults

    code = bench_defaults(["--out", str(tmp_path / "defaults"), "--methods", "ddpg", "--seeds", "1", "--scale", "0.0003",
                           "--eval-trajectories", "4", "--eval-horizon", "50"])
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if line.startswith("ddpg+base ")]
    assert [line.split()[1] for line in rows] == ["zipkin_L1_p4", "zipkin_L2_p9", "hdpo_L1_p4", "hdpo_L4_p9",
                                                   "poisson_L2_P2_p9"]
    assert all(("target 3.0%" in line) == line.split()[1].startswith("zipkin") for line in rows)
    assert code == (0 if lines[-1] == "every target met" else 1) and lines[-1] in ("every target met", "some targets not met")


@pytest.mark.parametrize("algo", ["ddpg", "td3", "sac", "tqc"])
def test_the_shipped_off_policy_config_is_valid(algo):
    from gym_inventory.config import read_yaml

    path = os.path.join(os.path.dirname(__file__), os.pardir, "benchmarks", "configs", "gamma05_4skus.yml")
    cells = plan(algo, "base", "hdpo_L1_p4", 1, 100, hyperparams=read_yaml(path, "hyperparameter file"),
                 label="gamma05_4skus")
    assert cells[0].method == f"{algo}+base@gamma05_4skus"
    assert cells[0].hyperparams()["gamma"] == 0.5 and cells[0].hyperparams()["n_envs"] == 4
