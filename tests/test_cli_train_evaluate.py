"""``gym-inventory train`` and ``gym-inventory evaluate``: outputs, resuming after SIGKILL, bad input."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from gym_inventory.cli import main

ENV = {"lead_time": 1, "horizon": 8, "demand_kwargs": {"mean": 4.0}}
HYPERPARAMS = {"n_steps": 16, "batch_size": 32, "n_epochs": 1, "n_envs": 2, "eval_freq": 32, "val_trajectories": 4,
               "policy_kwargs": {"net_arch": [8]}, "observation_parts": ["pipeline", "static"]}
EVAL = ["--n-trajectories", "8", "--eval-horizon", "40"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    env, hyperparams = folder / "env.yaml", folder / "ppo.yaml"
    env.write_text(yaml.safe_dump(ENV))
    hyperparams.write_text(yaml.safe_dump(HYPERPARAMS))
    return folder, str(env), str(hyperparams)


@pytest.fixture(scope="module")
def trained(files):
    folder, env, hyperparams = files
    out = str(folder / "ppo-base")
    assert main(["train", "--algo", "ppo", "--reg", "base", "--env-config", env, "--config", hyperparams,
                 "--timesteps", "96", "--seed", "0", "--out", out, "--quiet"]) == 0
    return out


def run_json(capsys, argv):
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_train_writes_a_complete_run(trained):
    run = json.load(open(os.path.join(trained, "run.json")))
    assert run["kind"] == "sb3" and run["status"] == "complete" and run["algo"] == "ppo"
    assert [record["step"] for record in run["result"]["history"]] == [0, 32, 64, 96]
    assert os.path.exists(os.path.join(trained, "model.pt")) and os.listdir(os.path.join(trained, "tensorboard"))


def test_evaluate_run_json_against_the_baselines_command(trained, files, capsys):
    _, env, _ = files
    result = run_json(capsys, ["evaluate", trained, "--json"] + EVAL)
    assert set(result) == {"policy", "baselines", "optimal", "split"}
    assert result["policy"]["name"] == "ppo+base" and result["policy"]["ci"] > 0
    # Same trajectories as `gym-inventory baselines` (test split = its seed 0): the very same rows.
    baselines = run_json(capsys, ["baselines", "--env-config", env, "--json"] + EVAL)
    assert result["baselines"] == baselines
    assert result["optimal"] == pytest.approx(baselines["optimal"])  # DP applies: Poisson, L = 1, P = 1
    reference = result["optimal"]
    assert result["policy"]["gap"] == pytest.approx(result["policy"]["cost"] / reference - 1)
    other = run_json(capsys, ["evaluate", trained, "--json", "--split", "validate"] + EVAL)
    assert other["policy"]["cost"] != result["policy"]["cost"]  # another split, other trajectories


def test_evaluate_table(trained, capsys):
    capsys.readouterr()
    assert main(["evaluate", trained, "--no-dp"] + EVAL) == 0
    out = capsys.readouterr().out
    assert "ppo+base" in out and "base_stock(S=" in out and "split test" in out


def test_evaluate_classical_base_stock_is_its_baseline_row(files, capsys):
    _, env, _ = files
    result = run_json(capsys, ["evaluate", "--policy", "base-stock", "--env-config", env, "--json", "--no-dp"] + EVAL)
    row = next(r for r in result["baselines"]["policies"] if r["name"] == result["policy"]["name"])
    assert result["policy"]["cost"] == row["cost"] and result["optimal"] is None
    level = run_json(capsys, ["evaluate", "--policy", "base-stock", "--level", "3", "--env-config", env, "--json",
                              "--no-dp"] + EVAL)
    assert level["policy"]["name"] == "base_stock(S=3 x scale)"


def test_evaluate_on_panel_data(files, capsys):
    from gym_inventory.data import evaluate_panel, write_panel
    from gym_inventory.policies import BaseStock

    folder, _, _ = files
    path = str(folder / "panel.parquet")
    write_panel(path, 6, 60, seed=0, new_fraction=0.0, discontinued_fraction=0.0)
    result = run_json(capsys, ["evaluate", "--policy", "base-stock", "--data", path, "--days", "30", "--json"])
    # The default level with --data: 2 (L + P) = 6 days of each SKU's mean demand (defaults L = 2, P = 1).
    direct = evaluate_panel(BaseStock(6.0, in_scale_units=True), path, days=30, progress=False)
    assert result["policy"] == "base_stock(S=6 x scale)" and result["n_series"] == 6
    assert result["cost_per_day"] == pytest.approx(direct.cost_per_day)


def test_evaluate_a_ds_run(files, capsys):
    folder, env, _ = files
    ds_config = folder / "ds.yaml"
    ds_config.write_text(yaml.safe_dump({"max_steps": 2, "train_trajectories": 4, "val_trajectories": 4, "hidden_sizes": [4]}))
    out = str(folder / "ds-base")
    assert main(["ds", "--reg", "base", "--env-config", env, "--config", str(ds_config), "--out", out, "--quiet"]) == 0
    assert run_json(capsys, ["evaluate", out, "--json", "--no-dp"] + EVAL)["policy"]["name"] == "ds+base"


def tree_digest(folder) -> str:
    digest = hashlib.sha256()
    for root, _, names in sorted(os.walk(folder)):
        for name in sorted(names):
            path = os.path.join(root, name)
            digest.update(path.encode())
            digest.update(open(path, "rb").read())
    return digest.hexdigest()


@pytest.mark.parametrize("change, message", [
    (["--algo", "dqn"], "argument --algo: invalid choice: 'dqn'"),
    (["--reg", "bass"], "argument --reg: invalid choice: 'bass'"),
    (["--config", "UNKNOWN"], "PPO takes no hyperparameter 'tau'"),
    (["--config", "BROKEN"], "is not valid YAML"),
    (["--config", "DEVICE"], "which gym-inventory sets itself"),
    (["--seed", "1"], "holds a different run (differing in: seed)"),
    (["--timesteps", "96"], "already holds this run, complete"),
])
def test_train_bad_input(trained, files, capsys, change, message):
    folder, env, hyperparams = files
    (folder / "unknown.yaml").write_text("tau: 0.1\n")
    (folder / "broken.yaml").write_text("n_steps: [16\n")
    (folder / "device.yaml").write_text("device: cuda\n")
    argv = {"--algo": "ppo", "--reg": "base", "--env-config": env, "--config": hyperparams, "--timesteps": "96",
            "--seed": "0", "--out": trained}
    flag, value = change
    files = {"UNKNOWN": "unknown.yaml", "BROKEN": "broken.yaml", "DEVICE": "device.yaml"}
    argv[flag] = str(folder / files[value]) if value in files else value
    before = tree_digest(trained)
    capsys.readouterr()
    assert main(["train", "--quiet"] + [item for pair in argv.items() for item in pair]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gym-inventory train: error: ") and message in err
    assert tree_digest(trained) == before


def test_train_refuses_a_folder_that_is_not_a_run(files, capsys):
    folder, env, hyperparams = files
    other = folder / "notes"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    capsys.readouterr()
    assert main(["train", "--algo", "ppo", "--env-config", env, "--config", hyperparams, "--timesteps", "32",
                 "--out", str(other)]) == 2
    assert "holds no run.json" in capsys.readouterr().err
    assert os.listdir(other) == ["notes.txt"]


@pytest.mark.parametrize("argv, message", [
    (["evaluate"], "either a run directory DIR or --policy"),
    (["evaluate", "--policy", "s-S", "--lead-time", "1"], "argument --policy: invalid choice: 's-S'"),
    (["evaluate", "--policy", "base-stock", "--split", "dev"], "argument --split: invalid choice: 'dev'"),
    (["evaluate", "DIR", "--level", "3"], "--level goes with --policy"),
    (["evaluate", "EMPTY"], "holds no run.json"),
])
def test_evaluate_bad_input(trained, files, capsys, argv, message):
    folder, _, _ = files
    (folder / "empty").mkdir(exist_ok=True)
    argv = [{"DIR": trained, "EMPTY": str(folder / "empty")}.get(item, item) for item in argv]
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_killed_training_resumes_from_its_last_checkpoint(files, tmp_path):
    _, env, _ = files
    hyperparams = tmp_path / "td3.yaml"
    hyperparams.write_text(yaml.safe_dump({"learning_starts": 16, "batch_size": 16, "buffer_size": 2000, "eval_freq": 100,
                                           "val_trajectories": 4, "policy_kwargs": {"net_arch": [8]}}))
    out = tmp_path / "run"
    command = [sys.executable, "-m", "gym_inventory.cli", "train", "--algo", "td3", "--reg", "base", "--env-config", env,
               "--config", str(hyperparams), "--timesteps", "500", "--out", str(out), "--quiet"]
    environment = dict(os.environ, OMP_NUM_THREADS="1")  # tiny nets: one thread each is fastest
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    deadline = time.monotonic() + 120
    while not (out / "checkpoint.json").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    saved = json.load(open(out / "checkpoint.json"))
    assert json.load(open(out / "run.json"))["status"] == "running" and saved["step"] >= 100

    finished = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert finished.returncode == 0, finished.stderr
    run = json.load(open(out / "run.json"))
    history = run["result"]["history"]
    assert run["status"] == "complete" and run["result"]["steps"] == 500
    # Nothing before the checkpoint is lost: its validation records open the final history unchanged.
    assert history[:len(saved["validation"]["history"])] == saved["validation"]["history"]
    steps = [record["step"] for record in history]
    assert steps == sorted(set(steps)) and steps[-1] == 500
    # One TensorBoard folder whose curve runs once through every validation step.
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(out / "tensorboard"))
    events.Reload()
    assert [event.step for event in events.Scalars("inventory/val_cost")] == steps
