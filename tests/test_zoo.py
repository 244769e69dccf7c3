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
ZOO_KEYS = {"env_wrapper", "callback", "n_timesteps", "n_envs", "normalize", "noise_type", "noise_std", "policy"}
ZOO_NAMES = {"ppo_lstm": "recurrentppo"}


@pytest.mark.parametrize("algo", ZOO_ALGORITHMS)
def test_shipped_file_is_valid(algo):
    with open(conf_file(algo), encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    assert list(entries) == ["InventoryLeadTime-v0"]
    hyperparams = entries["InventoryLeadTime-v0"]
    assert hyperparams["env_wrapper"] == [{"agents.sb3.env.regularize_and_rescale": {"regularization": "none"}}]
    assert hyperparams["callback"] == [{"agents.zoo.callbacks.InventoryValidation": {"eval_freq": 5000}}]
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
        "callback:[{'agents.zoo.callbacks.InventoryValidation':{'eval_freq':32,'n_trajectories':4}}]",
    ]
    finished = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path,
                              env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert finished.returncode == 0, finished.stderr[-2000:]
    # The callback of the file validated: SB3's log tables hold its inventory/ section.
    assert "| inventory/" in finished.stdout and "gap_to_best_classical_pct" in finished.stdout
    run = tmp_path / "ppo" / "InventoryLeadTime-v0_1"
    assert (run / "InventoryLeadTime-v0.zip").exists()
    with open(run / "InventoryLeadTime-v0" / "config.yml", encoding="utf-8") as handle:
        assert "regularization: base" in handle.read()
    from stable_baselines3 import PPO

    model = PPO.load(run / "InventoryLeadTime-v0.zip")
    assert model.action_space.shape == (1,) and model.action_space.high[0] == 1.0  # Base, rescaled



@pytest.mark.parametrize("algo", [algo for algo in ZOO_ALGORITHMS if algo != "ppo"])
def test_every_shipped_file_trains_with_its_callback(algo, tmp_path):
    command = [
        sys.executable, "-m", "rl_zoo3.train", "--algo", algo, "--env", "InventoryLeadTime-v0",
        "--gym-packages", "gym_inventory", "--conf-file", conf_file(algo), "-n", "64", "-f", str(tmp_path),
        "--env-kwargs", "horizon:8", "--eval-freq", "-1",
        "--hyperparams", "callback:[{'agents.zoo.callbacks.InventoryValidation':{'eval_freq':32,'n_trajectories':4}}]",
    ]
    finished = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path,
                              env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert "gap_to_best_classical_pct" in finished.stdout

# --------------------------------------------------------------------------- InventoryValidation
def zoo_like_venv(regularization="base", normalize=True, **wrapper_options):
    """The training env rl-zoo3 builds: SB3's make_vec_env with the env_wrapper, optionally VecNormalize."""
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import VecNormalize

    from agents.sb3.env import regularize_and_rescale

    venv = make_vec_env("InventoryLeadTime-v0", n_envs=2, seed=0, env_kwargs={"horizon": 8, "lead_time": 3},
                        wrapper_class=regularize_and_rescale,
                        wrapper_kwargs=dict(regularization=regularization, **wrapper_options))
    return VecNormalize(venv, norm_reward=False) if normalize else venv


def test_inventory_validation_reads_the_problem_sets_the_bias_and_keeps_the_best():
    import numpy as np
    import torch
    from stable_baselines3 import PPO

    from agents.sb3.env import MuRescale
    from agents.zoo.callbacks import InventoryValidation
    from gym_inventory.baselines import best_baseline
    from gym_inventory.evaluation import split_problem

    venv = zoo_like_venv(regularization_options={"order_cap": 30.0})
    model = PPO("MlpPolicy", venv, n_steps=16, batch_size=32, n_epochs=1, seed=0)
    callback = InventoryValidation(eval_freq=32, n_trajectories=4, initial_mu=[4.4], final_layer_gain=0.0)
    starts = []
    callback.log = starts.append
    model.learn(64, callback=callback)
    assert callback.problem == {"horizon": 8, "lead_time": 3}
    assert callback.regularization == "base" and callback.regularization_options == {"order_cap": 30.0, "integer": False}
    val_kwargs, val_seed = split_problem(callback.problem, "validate")
    assert callback.reference_cost == best_baseline(val_kwargs, n_trajectories=4, horizon=None, seed=val_seed)["cost"]
    assert [record["step"] for record in callback.state["history"]] == [0, 32, 64]
    assert len(starts) == 3 and "gap" in starts[0]
    # The best weights are in the model at the end.
    for name, value in model.policy.state_dict().items():
        assert torch.equal(value, callback.best_weights[name]), name
    # A fresh model: the deterministic action is exactly mu = 4.4 days of demand (gain 0 leaves only the bias).
    fresh = PPO("MlpPolicy", venv, n_steps=16, batch_size=32, n_epochs=1, seed=1)
    probe = InventoryValidation(eval_freq=10**6, n_trajectories=4, reference=False, initial_mu=[4.4],
                                final_layer_gain=0.0, restore_best=False)
    probe.init_callback(fresh)  # what learn() does first
    rescale = MuRescale(probe._policy_of(fresh).remapper.space)
    action, _ = fresh.predict(venv.reset(), deterministic=True)
    np.testing.assert_allclose(rescale.to_mu(action), 4.4, rtol=1e-5)


@pytest.mark.parametrize("options, parts, message", [
    ({"normalize_observation": True}, None, "NormalizeObservation"),
    ({"observation_parts": ["pipeline", "static"]}, None, "observation_parts exactly when"),
    ({}, ["pipeline"], "observation_parts exactly when"),
])
def test_inventory_validation_refuses_what_it_cannot_evaluate(options, parts, message):
    from stable_baselines3 import PPO

    from agents.zoo.callbacks import InventoryValidation

    venv = zoo_like_venv(normalize=False, **options)
    model = PPO("MlpPolicy", venv, n_steps=16, batch_size=32, n_epochs=1, seed=0)
    callback = InventoryValidation(eval_freq=32, n_trajectories=4, reference=False, observation_parts=parts)
    with pytest.raises(ValueError, match=message):
        model.learn(16, callback=callback)


def test_inventory_validation_with_selected_observation_parts():
    from stable_baselines3 import PPO

    from agents.zoo.callbacks import InventoryValidation

    venv = zoo_like_venv(normalize=False, observation_parts=["pipeline", "static"])
    model = PPO("MlpPolicy", venv, n_steps=16, batch_size=32, n_epochs=1, seed=0)
    callback = InventoryValidation(eval_freq=32, n_trajectories=4, reference=False, observation_parts=["pipeline", "static"])
    model.learn(32, callback=callback)
    assert [record["step"] for record in callback.state["history"]] == [0, 32]


def test_inventory_validation_needs_the_inventory_env_and_a_regularization():
    import gymnasium as gym
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    from agents.zoo.callbacks import InventoryValidation

    bare = make_vec_env("InventoryLeadTime-v0", n_envs=1, env_kwargs={"horizon": 8})
    model = PPO("MlpPolicy", bare, n_steps=16, batch_size=16, n_epochs=1)
    with pytest.raises(ValueError, match="exactly one regularization wrapper"):
        model.learn(16, callback=InventoryValidation(eval_freq=32, n_trajectories=4, reference=False))
    pendulum = make_vec_env(lambda: gym.make("Pendulum-v1"), n_envs=1)
    model = PPO("MlpPolicy", pendulum, n_steps=16, batch_size=16, n_epochs=1)
    with pytest.raises(ValueError, match="needs an InventoryLeadTime-v0 training env"):
        model.learn(16, callback=InventoryValidation(eval_freq=32, n_trajectories=4, reference=False))
    with pytest.raises(ValueError, match="n_trajectories"):
        InventoryValidation(n_trajectories=1)
