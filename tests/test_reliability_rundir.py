"""Run directories are safe to load: nothing in one runs code, tampering is an error naming the file,
older pickled formats are refused, and one process at a time writes a run (issue 14, items 1, 3 and 5)."""
from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml

from agents import runs
from agents.sb3 import run_dir as sb3_run_dir
from gym_inventory.cli import main

pytestmark = pytest.mark.filterwarnings("ignore:Detected pickle protocol")

ENV = {"lead_time": 1, "horizon": 8, "demand_kwargs": {"mean": 4.0}}
PPO = {"n_steps": 16, "batch_size": 32, "n_epochs": 1, "n_envs": 2, "eval_freq": 32, "val_trajectories": 4,
       "policy_kwargs": {"net_arch": [8]}, "normalize_observation": True}
DS = {"max_steps": 2, "train_trajectories": 4, "val_trajectories": 4, "hidden_sizes": [4]}
EVAL = ["--n-trajectories", "4", "--eval-horizon", "20", "--no-dp", "--json"]


class Payload:
    """Unpickling this creates the file ``MARKER``: the planted code of the attack."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def plant(path, marker) -> None:
    """Replace ``path`` by a pickle that creates ``marker`` when unpickled (in the format a loader might expect)."""
    if path.endswith(".zip"):
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:  # SB3's model.zip holds its pickled objects in "data"
            archive.writestr("data", json.dumps({"policy_class": {":serialized:": pickle.dumps(Payload(marker)).hex()}}))
            archive.writestr("pytorch_variables.pth", pickle.dumps(Payload(marker)))
    elif path.endswith(".npz"):
        np.savez(open(path, "wb"), obs_mean=np.array([Payload(marker)], dtype=object))
    else:
        with open(path, "wb") as handle:
            pickle.dump(Payload(marker), handle)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reliability")
    (folder / "env.yaml").write_text(yaml.safe_dump(ENV))
    (folder / "ppo.yaml").write_text(yaml.safe_dump(PPO))
    (folder / "ds.yaml").write_text(yaml.safe_dump(DS))
    return folder


@pytest.fixture(scope="module")
def sb3_run(folder):
    out = str(folder / "ppo")
    assert main(["train", "--algo", "ppo", "--reg", "base", "--env-config", str(folder / "env.yaml"), "--config",
                 str(folder / "ppo.yaml"), "--timesteps", "64", "--out", out, "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def ds_runs(folder):
    outs = []
    for seed in (0, 1):
        out = str(folder / f"ds{seed}")
        assert main(["ds", "--reg", "base", "--env-config", str(folder / "env.yaml"), "--config", str(folder / "ds.yaml"),
                     "--seed", str(seed), "--out", out, "--quiet"]) == 0
        outs.append(out)
    return outs


def copy_run(source, tmp_path, name="copy") -> str:
    target = str(tmp_path / name)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*runs.LOCK_FILES))
    return target


def evaluate_error(capsys, run_dir) -> str:
    capsys.readouterr()
    assert main(["evaluate", run_dir] + EVAL) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_a_complete_run_holds_data_files_and_a_manifest(sb3_run, ds_runs):
    assert sorted(set(os.listdir(sb3_run)) - {"tensorboard", *runs.LOCK_FILES}) == ["model.pt", "normalizer.npz", "run.json"]
    run = json.load(open(os.path.join(sb3_run, "run.json")))
    assert run["format"] == runs.FORMAT and set(run["manifest"]["files"]) == {"model.pt", "normalizer.npz"}
    assert set(json.load(open(os.path.join(ds_runs[0], "run.json")))["manifest"]["files"]) == {"policy.pt"}


def test_an_untampered_run_evaluates(sb3_run, capsys):
    capsys.readouterr()
    assert main(["evaluate", sb3_run] + EVAL) == 0
    assert json.loads(capsys.readouterr().out)["policy"]["name"] == "ppo+base"


@pytest.mark.parametrize("name", ["model.pt", "normalizer.npz"])
def test_a_planted_payload_in_an_sb3_run_never_runs(sb3_run, tmp_path, capsys, name):
    run_dir, marker = copy_run(sb3_run, tmp_path), tmp_path / "pwned"
    plant(os.path.join(run_dir, name), marker)
    assert name in evaluate_error(capsys, run_dir)
    assert not marker.exists()


def test_a_planted_payload_with_a_matching_manifest_still_never_runs(sb3_run, tmp_path, capsys):
    """Even an attacker who rewrites the manifest gets no code run: the loaders never unpickle."""
    for name in ("model.pt", "normalizer.npz"):
        run_dir, marker = copy_run(sb3_run, tmp_path, name), tmp_path / f"pwned-{name}"
        plant(os.path.join(run_dir, name), marker)
        run = json.load(open(os.path.join(run_dir, "run.json")))
        run["manifest"]["files"][name] = runs.sha256(os.path.join(run_dir, name))
        json.dump(run, open(os.path.join(run_dir, "run.json"), "w"))
        assert name in evaluate_error(capsys, run_dir)
        assert not marker.exists()


@pytest.mark.parametrize("name", ["policy.pt", "checkpoint.pt"])
def test_a_planted_payload_in_a_ds_run_never_runs(ds_runs, tmp_path, capsys, name):
    run_dir, marker = copy_run(ds_runs[0], tmp_path), tmp_path / "pwned"
    plant(os.path.join(run_dir, name), marker)
    if name == "checkpoint.pt":  # read when an interrupted run resumes
        run = json.load(open(os.path.join(run_dir, "run.json")))
        json.dump(dict(run, status="running"), open(os.path.join(run_dir, "run.json"), "w"))
        with pytest.raises(ValueError, match="checkpoint.pt"):
            from agents.ds.run_dir import open_run_dir

            open_run_dir(run_dir, {key: run[key] for key in run if key not in ("status", "result", "manifest", "format")})
    else:
        assert name in evaluate_error(capsys, run_dir)
    assert not marker.exists()


def test_an_old_format_run_with_a_pickled_model_is_refused(sb3_run, tmp_path, capsys):
    run_dir, marker = copy_run(sb3_run, tmp_path), tmp_path / "pwned"
    os.remove(os.path.join(run_dir, "model.pt"))
    plant(os.path.join(run_dir, "model.zip"), marker)
    run = json.load(open(os.path.join(run_dir, "run.json")))
    del run["format"], run["manifest"]
    json.dump(run, open(os.path.join(run_dir, "run.json"), "w"))
    assert "unsupported format" in evaluate_error(capsys, run_dir)
    assert not marker.exists()


def test_resuming_from_a_planted_checkpoint_never_runs(folder, tmp_path):
    """Kill-and-resume files of an off-policy run: model, replay buffer, best weights."""
    from agents.sb3.train import train

    td3 = {"learning_starts": 8, "batch_size": 8, "buffer_size": 200, "n_envs": 2, "eval_freq": 16, "val_trajectories": 4,
           "policy_kwargs": {"net_arch": [8]}}
    source = str(tmp_path / "td3")
    stop = []

    def kill_after_first_checkpoint(line):
        if os.path.exists(os.path.join(source, "checkpoint.json")):
            stop.append(line)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train("td3", "base", ENV, td3, total_timesteps=96, log_dir=source, reference=False, log=kill_after_first_checkpoint)
    runs.unlock_run_dir(source)  # as when the process ends
    checkpoint = json.load(open(os.path.join(source, "checkpoint.json")))
    for name in ("model.pt", "replay_buffer.npz", "best.pt"):
        run_dir, marker = copy_run(source, tmp_path, f"td3-{name}"), tmp_path / f"pwned-{name}"
        plant(os.path.join(run_dir, checkpoint["path"], name), marker)
        with pytest.raises(ValueError, match=name):
            train("td3", "base", ENV, td3, total_timesteps=96, log_dir=run_dir, reference=False)
        runs.unlock_run_dir(run_dir)
        assert not marker.exists()


def test_loaders_refuse_payloads_even_without_a_manifest(tmp_path):
    marker = tmp_path / "pwned"
    for name in ("weights.pt", "arrays.npz"):
        path = str(tmp_path / name)
        plant(path, marker)
        with pytest.raises(ValueError, match=name):
            runs.torch_load(path) if name.endswith(".pt") else sb3_run_dir._load_arrays(path, ("obs_mean",))
    assert not marker.exists()


def edit_run(run_dir, **changes):
    path = os.path.join(run_dir, "run.json")
    run = json.load(open(path))
    run.update(changes)
    json.dump(run, open(path, "w"))


@pytest.mark.parametrize("tamper, expected", [
    (lambda d: edit_run(d, regularization="coeff"), "edited after training"),
    (lambda d: edit_run(d, algo="td3"), "edited after training"),
    (lambda d: edit_run(d, kind="ds"), "edited after training"),
    (lambda d: edit_run(d, kind="nonsense"), "known kinds"),
    (lambda d: edit_run(d, manifest=None), "no file manifest"),
    (lambda d: os.remove(os.path.join(d, "model.pt")), "model.pt' is missing"),
    (lambda d: open(os.path.join(d, "model.pt"), "r+b").truncate(100), "model.pt"),
    (lambda d: open(os.path.join(d, "normalizer.npz"), "wb").write(os.urandom(500)), "normalizer.npz"),
    (lambda d: open(os.path.join(d, "run.json"), "w").write("{"), "not valid JSON"),
    (lambda d: os.remove(os.path.join(d, "run.json")), "not a run directory"),
])
def test_a_tampered_sb3_run_is_a_one_line_error(sb3_run, tmp_path, capsys, tamper, expected):
    run_dir = copy_run(sb3_run, tmp_path)
    tamper(run_dir)
    assert expected in evaluate_error(capsys, run_dir)


@pytest.mark.parametrize("tamper, expected", [
    (lambda d, other: shutil.copy(os.path.join(other, "policy.pt"), os.path.join(d, "policy.pt")), "policy.pt"),
    (lambda d, other: open(os.path.join(d, "policy.pt"), "wb").write(os.urandom(300)), "policy.pt"),
    (lambda d, other: open(os.path.join(d, "policy.pt"), "r+b").truncate(50), "policy.pt"),
    (lambda d, other: os.remove(os.path.join(d, "policy.pt")), "policy.pt' is missing"),
    (lambda d, other: edit_run(d, kind="sb3"), "edited after training"),
    (lambda d, other: edit_run(d, regularization="none"), "edited after training"),
    (lambda d, other: edit_run(d, network=None), "edited after training"),
])
def test_a_tampered_ds_run_is_a_one_line_error(ds_runs, tmp_path, capsys, tamper, expected):
    run_dir = copy_run(ds_runs[0], tmp_path)
    tamper(run_dir, ds_runs[1])
    assert expected in evaluate_error(capsys, run_dir)


def test_a_second_writer_is_refused_naming_the_running_process(folder, tmp_path, capsys):
    out = str(tmp_path / "busy")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from agents.runs import lock_run_dir; lock_run_dir(sys.argv[1]); "
                               "print('locked', flush=True); time.sleep(60)", out],
        stdout=subprocess.PIPE, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        assert holder.stdout.readline().strip() == b"locked"
        capsys.readouterr()
        for argv in (["train", "--algo", "ppo", "--config", str(folder / "ppo.yaml"), "--timesteps", "32"],
                     ["ds", "--reg", "base", "--config", str(folder / "ds.yaml")]):
            assert main(argv + ["--env-config", str(folder / "env.yaml"), "--out", out, "--quiet"]) == 2
            err = capsys.readouterr().err
            assert f"in use by process {holder.pid}" in err and err.count("\n") == 1
        assert sorted(os.listdir(out)) == sorted(runs.LOCK_FILES)  # nothing written by the refused commands
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    runs.lock_run_dir(out)  # free again once the holder is gone
    runs.unlock_run_dir(out)


def test_the_lock_is_not_created_in_a_foreign_directory(folder, tmp_path, capsys):
    foreign = tmp_path / "papers"
    foreign.mkdir()
    (foreign / "draft.tex").write_text("x")
    capsys.readouterr()
    assert main(["ds", "--reg", "base", "--env-config", str(folder / "env.yaml"), "--config", str(folder / "ds.yaml"),
                 "--out", str(foreign), "--quiet"]) == 2
    assert "holds no run.json" in capsys.readouterr().err
    assert os.listdir(foreign) == ["draft.tex"]


def test_a_ds_checkpoint_of_another_run_is_refused_on_resume(tmp_path):
    from agents.ds.train import train

    tiny = dict(train_trajectories=8, val_trajectories=8, batch_size=8, max_steps=20, eval_every=5, hidden_sizes=[4])

    class Interrupt(Exception):
        pass

    def stop_at_step_5(line):
        if line.startswith("step     5"):
            raise Interrupt

    outs = [tmp_path / f"seed{seed}" for seed in (4, 5)]
    for seed, out in zip((4, 5), outs):
        with pytest.raises(Interrupt):
            train("base", ENV, tiny, seed=seed, out_dir=out, log=stop_at_step_5)
        assert (out / "checkpoint.pt").exists()
    shutil.copy(outs[1] / "checkpoint.pt", outs[0] / "checkpoint.pt")
    with pytest.raises(ValueError, match="checkpoint.pt' was written for another run"):
        train("base", ENV, tiny, seed=4, out_dir=outs[0])
    for out in outs:
        runs.unlock_run_dir(out)


def test_run_files_hold_strict_json_with_non_finite_numbers_as_null(tmp_path):
    # a policy that sells nothing has an infinite turnover time: the run is kept, the number written as null
    from agents.runs import write_json

    path = tmp_path / "run.json"
    write_json(path, {"result": {"turnover_time": float("inf"), "cost": 1.5, "history": [float("nan"), 2.0]}})
    assert json.loads(path.read_text()) == {"result": {"turnover_time": None, "cost": 1.5, "history": [None, 2.0]}}
