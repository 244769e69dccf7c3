"""SB3 agents: env construction, hyperparameters, initial action bias, policy adapter, training with validation.

Budgets are tiny (tens to a few hundred steps, nets of 8 units, horizon 8): these
tests check the plumbing against independent oracles (the wrapper stack itself,
gym_inventory.evaluate, SB3's own predict), not how well the agents learn.
"""
from __future__ import annotations

import os

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.env_checker import check_env
from stable_baselines3.common.vec_env import VecNormalize

import agents
import gym_inventory
from agents.sb3.algorithms import ALGORITHMS, OPTIONS, algorithm_arguments, get_algorithm, load_hyperparams
from agents.sb3.env import MuRescale, make_env, make_vec_env, training_env_kwargs
from agents.sb3.initial_action import resolve_initial_mu
from agents.sb3.policy import SB3Policy, regularization_wrapper
from agents.sb3.train import build_model, train
from gym_inventory.remap import REGULARIZATIONS
from gym_inventory.wrappers import regularize

ENV = {"lead_time": 1, "horizon": 8, "demand_kwargs": {"mean": 4.0}}
TINY_NET = {"net_arch": [8]}
#: Per-algorithm overrides that make a model small and its first update come early.
TINY = {
    "ddpg": dict(learning_starts=16, batch_size=16, buffer_size=512, policy_kwargs=TINY_NET),
    "td3": dict(learning_starts=16, batch_size=16, buffer_size=512, policy_kwargs=TINY_NET),
    "sac": dict(learning_starts=16, batch_size=16, buffer_size=512, policy_kwargs=TINY_NET),
    "tqc": dict(learning_starts=16, batch_size=16, buffer_size=512,
                policy_kwargs=dict(TINY_NET, n_critics=1, n_quantiles=5), top_quantiles_to_drop_per_net=1),
    "ppo": dict(n_steps=16, batch_size=16, n_epochs=1, n_envs=2, policy_kwargs=dict(TINY_NET, log_std_init=-1.0)),
    "a2c": dict(n_steps=4, n_envs=2, policy_kwargs=dict(TINY_NET, log_std_init=-1.0)),
    "trpo": dict(n_steps=16, batch_size=32, n_envs=2, cg_max_steps=3, n_critic_updates=1,
                 policy_kwargs=dict(TINY_NET, log_std_init=-1.0)),
    "recurrentppo": dict(n_steps=16, batch_size=16, n_epochs=1, n_envs=2,
                         policy_kwargs=dict(TINY_NET, lstm_hidden_size=8, log_std_init=-1.0)),
    "ars": dict(n_delta=2, n_top=1),
}
VALIDATION = dict(eval_freq=32, val_trajectories=4)


def tiny(algo, **more):
    return {**TINY[algo], **VALIDATION, **more}


# ---------------------------------------------------------------------------- env
@pytest.mark.parametrize("kind", REGULARIZATIONS)
def test_make_env_rescales_mu_onto_minus_one_one(kind):
    env = make_env(kind, ENV)
    reference = regularize(gym.make("InventoryLeadTime-v0", **ENV), kind)
    check_env(env, skip_render_check=True)
    assert env.action_space.low.min() == -1.0 and env.action_space.high.max() == 1.0
    low, high = reference.action_space.low, reference.action_space.high
    rng = np.random.default_rng(0)
    env.reset(seed=3)
    reference.reset(seed=3)
    for _ in range(5):
        unit = rng.uniform(-1, 1, env.action_space.shape).astype(np.float32)
        mu = low + (unit + 1) / 2 * (high - low)  # the affine map written out, as an oracle
        _, reward, _, _, info = env.step(unit)
        _, ref_reward, _, _, ref_info = reference.step(mu)
        assert info["order"] == pytest.approx(ref_info["order"], rel=1e-5, abs=1e-4)
        assert reward == pytest.approx(ref_reward, rel=1e-5, abs=1e-4)


def test_make_env_options_and_config_file(tmp_path):
    path = tmp_path / "env.yaml"
    path.write_text("lead_time: 3\nhorizon: 5\n")
    env = make_env("base", path, normalize_observation=True, regularization_options={"order_cap": 7.0})
    assert isinstance(env, gym.wrappers.NormalizeObservation)
    assert env.unwrapped.params.lead_time == 3
    assert regularization_wrapper(env).remapper.order_cap == 7.0
    with pytest.raises(ValueError, match="regularization kind"):
        make_env("bass", ENV)
    with pytest.raises(ValueError, match="unknown keys"):
        make_env("base", {"lead_tme": 2})


@pytest.mark.parametrize("kind", ["base", "both"])
def test_make_vec_env_matches_single_envs(kind):
    # Constant demand (Normal, std 0) makes every episode the same, so SKUs can be compared with one env.
    config = dict(lead_time=1, horizon=4, demand="normal", demand_kwargs={"mean": 6.0, "std": 0.0})
    venv = make_vec_env(kind, config, n_envs=3, seed=0)
    env = make_env(kind, config)
    obs = venv.reset()
    single_obs, _ = env.reset(seed=0)
    np.testing.assert_allclose(obs, np.tile(single_obs, (3, 1)))
    rng = np.random.default_rng(1)
    for _ in range(6):
        action = rng.uniform(-1, 1, venv.action_space.shape).astype(np.float32)
        obs, rewards, dones, infos = venv.step(np.tile(action, (3, 1)))
        single_obs, reward, _, truncated, _ = env.step(action)
        np.testing.assert_allclose(rewards, reward, rtol=1e-6)
        if truncated:
            single_obs, _ = env.reset()
            assert dones.all() and "episode" in infos[0]  # VecMonitor's record
        np.testing.assert_allclose(obs, np.tile(single_obs, (3, 1)), rtol=1e-6)
    assert isinstance(make_vec_env("base", config, normalize_observation=True), VecNormalize)


def test_observation_parts_select_entries():
    parts = ["pipeline", "static"]
    full = make_env("base", ENV)
    layout = full.unwrapped.observation_layout
    kept = list(range(layout["pipeline"].start, layout["pipeline"].stop)) + list(range(layout["static"].start, layout["static"].stop))
    env = make_env("base", ENV, observation_parts=parts)
    venv = make_vec_env("base", ENV, n_envs=2, observation_parts=parts, seed=0)
    full_obs, _ = full.reset(seed=0)
    np.testing.assert_array_equal(env.reset(seed=0)[0], full_obs[kept])
    np.testing.assert_array_equal(venv.reset()[0], full_obs[kept])
    assert venv.observation_space.shape == env.observation_space.shape == (len(kept),)
    for _ in range(ENV["horizon"]):
        _, _, dones, infos = venv.step(np.zeros((2, 1), np.float32))
    assert dones.all() and infos[0]["terminal_observation"].shape == (len(kept),)
    with pytest.raises(ValueError, match="observation_parts entries"):
        make_env("base", ENV, observation_parts=["forecasts"])


def test_training_reward_timing():
    # auto: lead_time_window where an order controls a fixed window of days, the env config's own choice kept
    assert training_env_kwargs(ENV)["reward_timing"] == "lead_time_window"
    assert training_env_kwargs(dict(ENV, reward_timing="step"))["reward_timing"] == "step"
    random_lead_time = dict(ENV, lead_time={"values": [1, 2], "probabilities": [0.5, 0.5]})
    assert "reward_timing" not in training_env_kwargs(random_lead_time)
    assert "reward_timing" not in training_env_kwargs(dict(ENV, objective="service"))
    # an explicit option wins over the env config
    assert training_env_kwargs(dict(ENV, reward_timing="lead_time_window"), "step")["reward_timing"] == "step"
    assert ENV.get("reward_timing") is None  # not modified in place
    with pytest.raises(ValueError, match="reward_timing"):
        load_hyperparams("ppo", {"reward_timing": "daily"})
    with pytest.raises(ValueError, match="fixed lead time"):  # the env's own check, on an explicit choice
        gym.make(gym_inventory.ENV_ID, **training_env_kwargs(random_lead_time, "lead_time_window"))
    # the default gamma 0.5 on the step reward (a random lead time) is flagged
    with pytest.warns(UserWarning, match="gamma 0.5"):
        train("ppo", "base", random_lead_time, tiny("ppo"), total_timesteps=32, seed=0, reference=False)


# ---------------------------------------------------------------------------- hyperparameters
@pytest.mark.parametrize("algo", ALGORITHMS)
def test_default_file_builds_the_algorithm(algo):
    hyperparams = load_hyperparams(algo)
    assert set(OPTIONS) <= set(hyperparams)
    overrides = {k: v for k, v in TINY[algo].items() if k in ("buffer_size", "n_envs")}
    hyperparams.update(overrides)
    venv = make_vec_env("base", ENV, n_envs=hyperparams["n_envs"])
    model = build_model(algo, "base", ENV, hyperparams, venv)
    assert type(model) is get_algorithm(algo).cls


def test_hyperparameter_errors_name_the_key(tmp_path):
    with pytest.raises(ValueError, match="unknown algorithm 'dqn'"):
        load_hyperparams("dqn")
    with pytest.raises(ValueError, match="PPO takes no hyperparameter 'buffer_size'"):
        load_hyperparams("ppo", {"buffer_size": 10})
    with pytest.raises(ValueError, match="sets itself"):
        load_hyperparams("sac", {"seed": 1})
    with pytest.raises(ValueError, match="activation_fn"):
        load_hyperparams("td3", {"policy_kwargs": {"activation_fn": "swish"}})
    broken = tmp_path / "broken.yaml"
    broken.write_text("learning_rate: [1e-3\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_hyperparams("a2c", broken)
    with pytest.raises(ValueError, match="does not exist"):
        load_hyperparams("a2c", tmp_path / "missing.yaml")
    with pytest.raises(ValueError, match="rejected the hyperparameters"):  # an SB3 assertion, reworded
        build_model("ppo", "base", ENV, load_hyperparams("ppo", {"batch_size": 1}), make_vec_env("base", ENV))


def test_yaml_values_become_objects(tmp_path):
    path = tmp_path / "td3.yaml"
    path.write_text("policy_kwargs: {net_arch: [8], activation_fn: tanh}\naction_noise: {kind: ornstein_uhlenbeck, sigma: 0.3}\n"
                    "train_freq: [2, episode]\nbuffer_size: 64\n")
    hyperparams = load_hyperparams("td3", path)
    model = build_model("td3", "both", ENV, hyperparams, make_vec_env("both", ENV))
    assert type(model.actor.mu[1]).__name__ == "Tanh"
    assert type(model.action_noise).__name__ == "OrnsteinUhlenbeckActionNoise"
    np.testing.assert_allclose(model.action_noise._sigma, np.full(5, 0.3))
    assert (model.train_freq.frequency, model.train_freq.unit.value) == (2, "episode")


# ---------------------------------------------------------------------------- initial action bias
@pytest.mark.parametrize("algo", ALGORITHMS)
# (the demand-feature coefficients are non-negative by default; the bias may be negative)
@pytest.mark.parametrize("kind, initial_mu", [("base", 2.5), ("both", [0.5, 1.0, 2.0, 0.1, -1.0])])
def test_untrained_policy_acts_at_initial_mu(algo, kind, initial_mu):
    hyperparams = load_hyperparams(algo, dict(TINY[algo], initial_mu=initial_mu, final_layer_gain=0.0))
    venv = make_vec_env(kind, ENV, n_envs=hyperparams["n_envs"], seed=0)
    model = build_model(algo, kind, ENV, hyperparams, venv, seed=0)
    policy = SB3Policy(model, kind, ENV)
    observations = np.random.default_rng(0).normal(0, 3, (6, venv.observation_space.shape[0])).astype(np.float32)
    policy.reset(6)
    np.testing.assert_allclose(policy.mu(observations), np.tile(initial_mu, (6, 1)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("algo", ["ddpg", "sac", "ppo", "ars"])
def test_default_initial_mu_is_the_ds_default_within_the_gain(algo):
    hyperparams = load_hyperparams(algo, TINY[algo])  # initial_mu: auto, final_layer_gain 0.01
    venv = make_vec_env("base", ENV, n_envs=hyperparams["n_envs"], seed=0)
    model = build_model(algo, "base", ENV, hyperparams, venv, seed=0)
    policy = SB3Policy(model, "base", ENV)
    mu = policy.mu(venv.reset())
    params = make_env("base", ENV).unwrapped.params
    assert params.lead_time + params.review_period == 2
    np.testing.assert_allclose(mu, 2.0, atol=0.05)  # L + P days of demand, the agents.ds default


def test_initial_mu_errors():
    hyperparams = load_hyperparams("ppo", dict(TINY["ppo"], initial_mu=100.0))
    with pytest.raises(ValueError, match="strictly between the mu bounds"):
        build_model("ppo", "base", ENV, hyperparams, make_vec_env("base", ENV, n_envs=2))
    with pytest.raises(ValueError, match="with_bias"):
        build_model("ars", "base", ENV, load_hyperparams("ars", {"policy_kwargs": {}}), make_vec_env("base", ENV))
    with pytest.raises(ValueError, match="list of 5 numbers"):
        resolve_initial_mu([1.0, 2.0], "both", make_env("both", ENV).unwrapped.params, 5)


# ---------------------------------------------------------------------------- policy adapter
@pytest.mark.parametrize("algo, kind, parts", [
    ("ddpg", "none", None), ("sac", "base", ["pipeline", "static"]), ("ppo", "coeff", None), ("recurrentppo", "both", None),
])
def test_policy_orders_what_the_wrapped_env_orders(algo, kind, parts):
    # A full-gain final layer (no initial bias): the orders really depend on the state.
    hyperparams = load_hyperparams(algo, dict(TINY[algo], initial_mu=None, n_envs=1))
    model = build_model(algo, kind, ENV, hyperparams, make_vec_env(kind, ENV, observation_parts=parts), seed=1)
    policy = SB3Policy(model, kind, ENV, observation_parts=parts)
    env = make_env(kind, ENV, observation_parts=parts)
    obs, _ = env.reset(seed=5)
    policy.reset(1)
    lstm_state, start = None, np.ones(1, bool)
    for _ in range(8):
        orders = policy(env.unwrapped.decision_state())
        action, lstm_state = model.predict(obs[None], state=lstm_state, episode_start=start, deterministic=True)
        start = np.zeros(1, bool)
        obs, _, _, _, info = env.step(action[0])
        assert orders.shape == (1,)
        # the env clips to its action bound, as gym_inventory.evaluate does (the one order clip)
        assert min(orders[0], env.unwrapped.max_order) == pytest.approx(info["order"], rel=1e-5, abs=1e-4)


# ---------------------------------------------------------------------------- training
def test_train_validates_keeps_the_best_model_and_logs(tmp_path):
    result = agents.train("ddpg", "base", ENV, tiny("ddpg"), total_timesteps=160, seed=0, log_dir=tmp_path / "run")
    steps = [record["step"] for record in result.history]
    assert steps == [0, 32, 64, 96, 128, 160]
    assert result.best_cost == min(record["cost"] for record in result.history)
    assert result.reference_cost == pytest.approx(gym_inventory.evaluate(
        gym_inventory.policies.BaseStock(12.0), ENV, n_trajectories=4, seed=1).cost)  # the exact optimum, S* = 12
    # The returned policy is the best one: re-evaluated on the validation set, it costs best_cost.
    again = gym_inventory.evaluate(result.policy, ENV, n_trajectories=4, seed=1)
    assert again.cost == pytest.approx(result.best_cost)
    assert again.cost == pytest.approx(gym_inventory.evaluate(agents.load_policy(tmp_path / "run"), ENV,
                                                              n_trajectories=4, seed=1).cost)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path / "run" / "tensorboard"))
    events.Reload()
    tags = events.Tags()["scalars"]
    for tag in ("inventory/val_cost", "inventory/gap_to_best_classical_pct", "inventory/fill_rate",
                "inventory/stockout_rate", "inventory/turnover_time"):
        assert tag in tags
    assert [event.step for event in events.Scalars("inventory/val_cost")] == steps
    # trained on the default reward timing (auto: the window each order controls), recorded with the run
    assert agents.runs.read_run(tmp_path / "run")["env_config"]["reward_timing"] == "lead_time_window"


@pytest.mark.filterwarnings("ignore:rich is experimental")
@pytest.mark.parametrize("algo", ["ppo", "recurrentppo", "ars", "tqc"])
def test_train_each_family(algo, capsys):
    progress_bar = algo == "ppo"
    result = train(algo, "both", ENV, tiny(algo), total_timesteps=64, seed=0, reference=False, progress_bar=progress_bar)
    assert result.steps >= 64 and result.history and result.reference_cost is None
    if progress_bar:
        assert "64/64" in capsys.readouterr().out  # SB3's progress bar, drawn by rich
    assert np.isfinite(result.best_cost)


def test_early_stopping_and_observation_normalization():
    # learning_rate 0: the policy never changes, so no validation improves on the first one.
    hyperparams = tiny("sac", learning_rate=0.0, patience=1, eval_freq=16, normalize_observation=True,
                       observation_parts=["pipeline", "static"])
    result = train("sac", "base", ENV, hyperparams, total_timesteps=400, seed=0, reference=False)
    assert result.stopped_early and result.steps < 400
    assert [record["step"] for record in result.history][:3] == [0, 16, 32]
    assert result.policy.obs_normalizer is not None and result.policy.columns is not None


def test_ars_stops_early_between_chunks():
    # ARS's own loop ignores callbacks: train() learns eval_freq steps at a time instead.
    hyperparams = tiny("ars", learning_rate=0.0, patience=1)
    result = train("ars", "base", ENV, hyperparams, total_timesteps=2000, seed=0, reference=False)
    assert result.stopped_early and result.steps < 2000
    # Validations at 0 (the best), 32 and 64 (no improvement: the stop), then the final one
    # after the update that chunk had started (32 steps: 2 x n_delta episodes of 8 epochs).
    assert [record["step"] for record in result.history] == [0, 32, 64, 96]
    assert result.best_step == 0 and result.steps == 96


def test_interrupted_training_resumes_with_its_replay_buffer(tmp_path):
    run_dir = tmp_path / "run"

    def interrupt(line):
        if line.startswith("step       64"):
            raise KeyboardInterrupt  # after the checkpoint at step 32, before the one at 64

    hyperparams = tiny("td3", buffer_size=1000)
    with pytest.raises(KeyboardInterrupt):
        train("td3", "base", ENV, hyperparams, total_timesteps=128, seed=0, log_dir=run_dir, log=interrupt)
    assert os.path.exists(run_dir / "checkpoint.json")
    lines = []
    result = train("td3", "base", ENV, hyperparams, total_timesteps=128, seed=0, log_dir=run_dir, log=lines.append)
    assert lines[0] == "resuming from the checkpoint at step 32"
    assert [record["step"] for record in result.history] == [0, 32, 64, 96, 128]
    # Every transition since step 0 is in the buffer: the first 32 came from the checkpoint.
    assert result.model.replay_buffer.size() == 128
    assert not os.path.exists(run_dir / "checkpoints")
    with pytest.raises(ValueError, match="already holds this run"):
        train("td3", "base", ENV, hyperparams, total_timesteps=128, seed=0, log_dir=run_dir)
    with pytest.raises(ValueError, match="differing in: seed"):
        train("td3", "base", ENV, hyperparams, total_timesteps=128, seed=1, log_dir=run_dir)


def test_load_policy_dispatches_on_the_run_kind(tmp_path):
    from agents.ds import DSPolicy
    from agents.ds import train as train_ds

    train_ds("base", ENV, {"max_steps": 2, "train_trajectories": 4, "val_trajectories": 4, "hidden_sizes": [4]},
             out_dir=tmp_path / "ds")
    assert isinstance(agents.load_policy(tmp_path / "ds"), DSPolicy)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "run.json").write_text('{"kind": "dqn"}')
    with pytest.raises(ValueError, match="known kinds"):
        agents.load_policy(tmp_path / "other")
    with pytest.raises(ValueError, match="not a run directory"):
        agents.load_policy(tmp_path)


def test_import_agents_is_light():
    import subprocess
    import sys

    code = "import sys, agents; agents.ALGORITHMS; print('torch' in sys.modules, 'stable_baselines3' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]
