"""rl-zoo3 trains InventoryLeadTime-v0 from the shipped hyperparameter files (python -m rl_zoo3.train ...)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from agents.sb3.algorithms import get_algorithm
from agents.zoo import ZOO_ALGORITHMS, conf_file

#: rl-zoo3 keys that are not constructor arguments of the algorithm.
ZOO_KEYS = {"env_wrapper", "n_timesteps", "n_envs", "normalize", "noise_type", "noise_std", "policy"}
ZOO_NAMES = {"ppo_lstm": "recurrentppo"}


@pytest.mark.parametrize("algo", ZOO_ALGORITHMS)
def test_shipped_file_is_valid(algo):
    with open(conf_file(algo), encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    assert list(entries) == ["InventoryLeadTime-v0"]
    hyperparams = entries["InventoryLeadTime-v0"]
    assert hyperparams["env_wrapper"] == [{"agents.sb3.env.regularize_and_rescale": {"regularization": "none"}}]
    from agents.sb3.algorithms import algorithm_arguments

    unknown = set(hyperparams) - ZOO_KEYS - set(algorithm_arguments(get_algorithm(ZOO_NAMES.get(algo, algo))))
    assert not unknown


def test_conf_file_errors():
    with pytest.raises(ValueError, match="no rl-zoo3 file"):
        conf_file("dqn")


def test_rl_zoo3_trains_with_the_shipped_file(tmp_path):
    command = [
        sys.executable, "-m", "rl_zoo3.train", "--algo", "ppo", "--env", "InventoryLeadTime-v0",
        "--gym-packages", "gym_inventory", "--conf-file", conf_file("ppo"), "-n", "64", "-f", str(tmp_path),
        "--env-kwargs", "horizon:8", "--eval-freq", "-1",
        "--hyperparams", "n_envs:2", "n_steps:16", "batch_size:32", "n_epochs:1",
        "env_wrapper:[{'agents.sb3.env.regularize_and_rescale':{'regularization':'base'}}]",
    ]
    finished = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path,
                              env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert finished.returncode == 0, finished.stderr[-2000:]
    run = tmp_path / "ppo" / "InventoryLeadTime-v0_1"
    assert (run / "InventoryLeadTime-v0.zip").exists()
    with open(run / "InventoryLeadTime-v0" / "config.yml", encoding="utf-8") as handle:
        assert "regularization: base" in handle.read()
    from stable_baselines3 import PPO

    model = PPO.load(run / "InventoryLeadTime-v0.zip")
    assert model.action_space.shape == (1,) and model.action_space.high[0] == 1.0  # Base, rescaled
