"""Sweeps: best-so-far curves on hand-made tables, search spaces, and a 2-worker sweep killed and resumed."""
import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import optuna
import pytest

from agents.sweep import SweepSpec, best_so_far, curve_record, load_space, shipped_algorithms, space_file, trials_to_reach
from agents.sweep.space import check_space, translate
from agents.sweep.spec import TrialSeededRandomSampler, prepare_out_dir
from agents.sweep.storage import open_storage
from gym_inventory.study import SETTINGS, Splits

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INF = math.inf


# ------------------------------------------------------------------------------- curves
def test_best_so_far_on_a_hand_made_table():
    val = [3.0, 1.0, 2.0, INF, 0.5, 0.5]
    test = [30.0, 10.0, 20.0, 99.0, 5.0, 1.0]
    # chosen trials: 0, 1, 1, 1 (a failed trial is never chosen), 4, 4 (ties keep the earliest)
    assert best_so_far(val, test).tolist() == [30.0, 10.0, 10.0, 10.0, 5.0, 5.0]
    curve = best_so_far([INF, 2.0, float("nan")], [7.0, 8.0, 9.0])
    assert math.isnan(curve[0]) and curve[1:].tolist() == [8.0, 8.0]
    assert trials_to_reach([30.0, 10.0, 10.0, 5.0], reference=9.9) == 2  # 10 <= 1.02 x 9.9
    assert trials_to_reach([30.0, 10.0], reference=5.0) is None
    with pytest.raises(ValueError, match="one length"):
        best_so_far([1.0], [1.0, 2.0])


def test_curve_record_bands():
    val, test = [3.0, 1.0, 2.0, 0.5], [30.0, 10.0, 20.0, 5.0]
    one = curve_record("m", [(val, test)], reference=5.0, n_orders=100)
    assert one["observed"] == [30.0, 10.0, 10.0, 5.0] and one["band"] == "bootstrap over trial order"
    assert all(lo <= mid <= hi for lo, mid, hi in zip(one["low"], one["median"], one["high"]))
    assert one["low"][-1] == one["high"][-1] == 5.0  # after all trials every order chose trial 3
    assert one["final_gap"] == 0.0 and one["trials_to_reach"] == 4 and one["share_reaching"] == 1.0
    repeated = curve_record("m", [(val, test), ([1.0, 2.0, 3.0], [8.0, 9.0, 9.5])], reference=5.0)
    assert repeated["n_sweeps"] == 2 and repeated["n_trials"] == [1, 2, 3]
    # sweep curves [30, 10, 10] and [8, 8, 8]: the 10% and 90% quantiles interpolate between them
    assert repeated["low"] == pytest.approx([10.2, 8.2, 8.2]) and repeated["high"] == pytest.approx([27.8, 9.8, 9.8])
    assert repeated["final_cost"] == pytest.approx(9.0)


# ------------------------------------------------------------------------------- spaces
@pytest.mark.parametrize("algo", ["ds", "ddpg", "td3", "sac", "ppo", "a2c"])
def test_shipped_spaces_load(algo):
    assert algo in shipped_algorithms()
    space = load_space(space_file(algo))
    assert space["budget"] >= 1
    assert space["search"]["initial_action_bias"] == {"type": "float", "low": 0.2, "high": 0.7}
    assert space["search"]["learning_rate"]["log"] is True


def test_translate_special_names():
    env = SETTINGS["setting1"].env_kwargs  # L + P = 3: mu's upper bound is 12 (none/base) or 6 (coeff/both)
    assert translate("ds", "base", {"net_width": 40, "initial_action_bias": 0.25}, env) == {"hidden_sizes": [40, 40], "initial_mu": [3.0]}
    both = translate("ds", "both", {"initial_action_bias": 0.5, "net_depth": 3, "net_width": 8, "lr_factor": 0.3}, env)
    # the other coefficients start a hair inside their bound of 0 (0.1% of [0, 2 (L + P)] = [0, 6])
    assert both == {"hidden_sizes": [8, 8, 8], "initial_mu": [0.006, 0.006, 3.0, 0.006, 0.0], "lr_factor": 0.3}
    assert translate("ppo", "none", {"net_width": 16}, env) == {"policy_kwargs": {"net_arch": [16, 16]}}
    with pytest.raises(ValueError, match="initial_action_bias"):
        translate("ds", "base", {"initial_action_bias": 1.5}, env)


@pytest.mark.parametrize("bad, match", [
    ({"search": {"lr": {"type": "uniform", "low": 0, "high": 1}}}, "type one of"),
    ({"search": {"lr": {"type": "float", "low": 1.0}}}, "low and high"),
    ({"search": {"lr": {"type": "float", "low": 0, "high": 1, "logg": True}}}, "unknown keys"),
    ({"search": {"lr": {"type": "float", "low": 0.0, "high": 1, "log": True}}}, "lr"),
    ({"search": {}}, "non-empty"),
    ({"search": {"a": {"type": "categorical", "choices": [1]}}, "fixed": {"a": 1}}, "both fixed and searched"),
    ({"search": {"a": {"type": "categorical", "choices": [1]}}, "extra": 1}, "unknown top-level"),
])
def test_bad_spaces(bad, match):
    with pytest.raises(ValueError, match=match):
        check_space(bad)


def test_random_draws_depend_only_on_trial_number():
    def params(order):
        study = optuna.create_study(sampler=TrialSeededRandomSampler(7))
        drawn = {}
        for _ in order:
            trial = study.ask()
            drawn[trial.number] = (trial.suggest_float("x", 0, 1), trial.suggest_int("n", 1, 100))
        return drawn

    assert params(range(4)) == params(range(4))
    assert len(set(params(range(4)).values())) == 4


# ------------------------------------------------------------------------------- sweeps
SPACE = """
budget: 200
fixed: {eval_every: 50, patience: 100}
search:
  learning_rate: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}
  net_width: {type: int, low: 8, high: 16}
"""


def sweep_command(out, space, *extra):
    return [sys.executable, "-m", "gym_inventory.cli", "sweep", "--algo", "ds", "--reg", "base", "--setting", "setting1",
            "--trials", "4", "--workers", "2", "--space", str(space), "--out", str(out), "--val-skus", "8",
            "--test-skus", "8", "--quiet", *extra]


def load(out):
    storage = open_storage(out)
    studies = storage.get_all_studies()
    return optuna.load_study(study_name=studies[0].study_name, storage=storage).get_trials() if studies else []


def test_two_worker_sweep_is_killed_and_resumes(tmp_path):
    space = tmp_path / "space.yml"
    space.write_text(SPACE)
    out = tmp_path / "sweep"
    process = subprocess.Popen(sweep_command(out, space), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120  # the first trial, on a machine shared with other jobs
    finished = []
    while time.time() < deadline and process.poll() is None:
        time.sleep(0.1)
        if os.path.exists(out / "optuna.journal"):
            finished = [t for t in load(out) if t.state.name == "COMPLETE"]
            if finished:
                break
    assert finished and process.poll() is None, "the sweep should be killed after its first trial, while running"
    process.send_signal(signal.SIGKILL)  # the coordinator only: its workers must die with it
    process.wait()
    before = {t.number: (t.params, t.value) for t in load(out) if t.state.name == "COMPLETE"}
    running = [t for t in load(out) if t.state.name == "RUNNING"]
    assert 1 <= len(before) < 4
    time.sleep(0.5)
    for trial in running:  # no orphan worker keeps training
        if "worker" not in trial.user_attrs:  # killed between creating the trial and tagging it
            continue
        pid = int(trial.user_attrs["worker"].rpartition(":")[2])
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"

    resumed = subprocess.run(sweep_command(out, space), cwd=REPO, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    trials = load(out)
    complete = {t.number: (t.params, t.value) for t in trials if t.state.name == "COMPLETE"}
    assert len(complete) == 4
    assert all(complete[n] == before[n] for n in before)  # finished trials kept, not rerun
    interrupted = [t for t in trials if t.state.name == "FAIL"]
    assert {t.number for t in interrupted} == {t.number for t in running}
    assert not any("error" in t.user_attrs for t in interrupted)
    # each interrupted trial was queued again (Optuna's RetryHeartbeatStaleTrialCallback) and run with its parameters
    retries = {t.system_attrs["failed_trial"]: t for t in trials if "failed_trial" in t.system_attrs}
    assert sorted(retries) == sorted(t.number for t in interrupted)
    # with what it had drawn before the kill (if anything), the rest drawn as it would have
    assert all(t.params.items() <= retries[t.number].params.items() and retries[t.number].state.name == "COMPLETE"
               for t in interrupted)
    assert len({json.dumps(p, sort_keys=True) for p, _ in complete.values()}) == 4
    for name in ("best_so_far.png", "best_so_far.csv", "best_so_far.json", "trials.csv", "summary.json"):
        assert (out / name).stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["finished_trials"] == 4 and summary["chosen_trial"]["number"] in complete
    curve = json.loads((out / "best_so_far.json").read_text())["curves"][0]
    assert curve["n_trials"] == [1, 2, 3, 4] and curve["observed"][-1] == summary["chosen_trial"]["test_cost"]
    assert "chosen trial" in resumed.stdout


def test_bad_input_exits_2_and_overwrites_nothing(tmp_path, capsys):
    from gym_inventory.cli import main

    space = tmp_path / "space.yml"
    space.write_text(SPACE)

    def run(*args):
        code = main(["sweep", *args])
        return code, capsys.readouterr().err

    base = ["--reg", "base", "--setting", "setting1", "--out", str(tmp_path / "a")]
    for args, message in [
        (["--algo", "dqn", *base], "argument --algo: invalid choice: 'dqn'"),
        (["--algo", "ds", "--reg", "most", "--setting", "setting1", "--out", str(tmp_path / "a")], "argument --reg: invalid choice: 'most'"),
        (["--algo", "ds", *base, "--workers", "0"], "--workers must be >= 1"),
        (["--algo", "ds", "--reg", "base", "--out", str(tmp_path / "a")], "exactly one of --setting"),
        (["--algo", "ds", *base, "--sampler", "grid"], "argument --sampler: invalid choice: 'grid'"),
        (["--algo", "ds", *base, "--space", str(tmp_path / "missing.yml")], "does not exist"),
        (["--algo", "ds", *base, "--storage", "redis://host"], "--storage must be a database URL"),
        (["--algo", "ds", *base, "--horizon", "0"], "horizon"),
    ]:
        code, err = run(*args)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "a").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    code, err = run("--algo", "ds", "--reg", "base", "--setting", "setting1", "--out", str(other))
    assert code == 2 and "not empty" in err and os.listdir(other) == ["notes.txt"]
    existing = tmp_path / "existing"
    spec = SweepSpec("ds", "none", Splits(SETTINGS["setting1"].env_kwargs), load_space(space), budget=5)
    prepare_out_dir(existing, spec)
    saved = (existing / "sweep.json").read_text()
    code, err = run("--algo", "ds", "--reg", "base", "--setting", "setting1", "--space", str(space), "--out", str(existing))
    assert code == 2 and "different sweep" in err
    assert (existing / "sweep.json").read_text() == saved and os.listdir(existing) == ["sweep.json"]


def test_sweep_in_process_with_one_worker(tmp_path):
    from agents.sweep import run_sweep

    space = tmp_path / "space.yml"
    space.write_text(SPACE.replace("budget: 200", "budget: 20"))
    splits = Splits(SETTINGS["setting3"].env_kwargs, train_skus=5, val_skus=4, test_skus=4)
    spec = SweepSpec("ds", "both", splits, load_space(space), budget=20, setting="setting3")
    summary = run_sweep(spec, tmp_path / "s", n_trials=2, workers=1, progress=False)
    assert summary["finished_trials"] == 2 and np.isfinite(summary["chosen_trial"]["test_cost"])
    extended = run_sweep(spec, tmp_path / "s", n_trials=3, workers=1, progress=False)  # a larger --trials extends it
    assert extended["finished_trials"] == 3
    # the database path (what PostgreSQL uses across machines), with heartbeats, on SQLite
    url = f"sqlite:///{tmp_path / 'sweeps.db'}"
    on_db = run_sweep(spec, tmp_path / "db", n_trials=1, workers=1, progress=False, storage_url=url)
    assert on_db["finished_trials"] == 1 and on_db["chosen_trial"]["number"] == 0
    first = [t for t in load(tmp_path / "s") if t.number == 0][0]
    assert on_db["chosen_trial"]["params"] == first.params  # trial k draws the same parameters in any storage


@pytest.mark.parametrize("algo", ["ddpg", "td3", "sac", "ppo", "a2c", "ds"])
def test_shipped_spaces_fit_their_algorithm(algo):
    from agents.sweep.runner import check_spec, training_hyperparams

    spec = SweepSpec(algo, "both", Splits(SETTINGS["setting1"].env_kwargs), load_space(space_file(algo)), budget=1000)
    check_spec(spec)
    hyper = training_hyperparams(spec, {"net_width": 32, "initial_action_bias": 0.5})
    assert hyper["initial_mu"] == [0.006, 0.006, 3.0, 0.006, 0.0]  # others a hair above their bound of 0
    if algo != "ds":
        assert hyper["policy_kwargs"]["net_arch"] == [32, 32] and hyper["val_trajectories"] == 10
    bad = dict(spec.space, fixed={"learnin_rate": 0.1})
    with pytest.raises(ValueError, match="learnin_rate"):
        check_spec(SweepSpec(algo, "both", Splits(SETTINGS["setting1"].env_kwargs), bad, budget=1000))


def test_tpe_sampler_runs(tmp_path):
    from agents.sweep import run_sweep

    space = tmp_path / "space.yml"
    space.write_text(SPACE.replace("budget: 200", "budget: 10"))
    spec = SweepSpec("ds", "base", Splits(SETTINGS["setting1"].env_kwargs, val_skus=4, test_skus=4), load_space(space),
                     budget=10, sampler="tpe")
    summary = run_sweep(spec, tmp_path / "tpe", n_trials=2, workers=1, progress=False)
    assert summary["finished_trials"] == 2 and summary["failed_trials"] == 0


def test_identity_is_flat_and_round_trips():
    # sweep.json and the study's name keep the flat layout of earlier versions, so old sweeps resume.
    splits = Splits(SETTINGS["setting2"].env_kwargs, train_skus=None, val_skus=7, test_skus=9, data_seed=3, warmup_epochs=2)
    spec = SweepSpec("ds", "both", splits, load_space(space_file("ds")), budget=10, seed=4, setting="setting2")
    identity = spec.identity()
    assert sorted(identity) == sorted(["algo", "regularization", "env_kwargs", "space", "budget", "train_skus", "val_skus",
                                       "test_skus", "data_seed", "warmup_epochs", "seed", "sampler", "reference", "setting"])
    assert (identity["train_skus"], identity["val_skus"], identity["test_skus"], identity["data_seed"]) == (None, 7, 9, 3)
    again = SweepSpec.from_identity(json.loads(json.dumps(identity)))
    assert again.identity() == identity and again.study_name() == spec.study_name()
    assert again.splits.seed("test") == splits.seed("test")
    with pytest.raises(TypeError, match="splits must be a gym_inventory.study.Splits"):
        SweepSpec("ds", "both", SETTINGS["setting2"].env_kwargs, load_space(space_file("ds")), budget=10)


def test_identity_holds_the_study_costed_days_only_when_set():
    from gym_inventory.study import Splits as StudySplits

    study = StudySplits.of(SETTINGS["setting1"])
    spec = SweepSpec("ds", "base", study, load_space(space_file("ds")), budget=10, reference="dp_exact", setting="setting1")
    assert spec.identity()["cost_days"] == "lead_time_window"
    assert SweepSpec.from_identity(spec.identity()).splits.cost_days == "lead_time_window"


@pytest.mark.parametrize("algo", ["ppo", "ds"])
def test_trainer_info_costs_mean_the_same_for_every_trainer(algo):
    # kept_cost: the kept policy on the trainer's validation episodes; train_cost: on its training episodes (SB3: None)
    from agents.sweep.trainers import train_policy

    env = dict(lead_time=1, horizon=8, demand="poisson", demand_kwargs={"mean": 3.0})
    hyper = dict(train_trajectories=4, val_trajectories=4, batch_size=4, eval_every=2, hidden_sizes=[4]) if algo == "ds" \
        else dict(n_steps=16, batch_size=16, val_trajectories=2, eval_freq=16, policy_kwargs={"net_arch": [4]})
    policy, info = train_policy(algo, "base", env, hyper, budget=4 if algo == "ds" else 32, seed=0)
    assert math.isfinite(info["kept_cost"]) and info["kept_cost"] <= info["initial_cost"]
    if algo == "ds":
        assert math.isfinite(info["train_cost"]) and info["train_cost"] != info["kept_cost"]
    else:
        assert info["train_cost"] is None
