"""DS trainer: torch rollout vs the numpy env, newsvendor gradient, training, run directories, CLI."""
from __future__ import annotations

import json
import os

import gymnasium as gym
import numpy as np
import pytest
import torch
import yaml
from scipy import stats

import gym_inventory  # noqa: F401  (registers the env)
from agents.ds import (
    DSConfig,
    DSPolicy,
    OrderNetwork,
    TrajectoryBatch,
    cost_per_day,
    load_hyperparams,
    load_policy,
    rollout,
    sample_trajectories,
    train,
)
from agents.ds.config import DEFAULT_HYPERPARAMS_FILE
from agents.ds.simulation import observation
from agents.ds.train import build_network
from gym_inventory.cli import main
from gym_inventory.envs import make_simulator
from gym_inventory.remap import remap

TINY = dict(train_trajectories=16, val_trajectories=16, batch_size=16, max_steps=30, eval_every=10, hidden_sizes=[16, 16])
TINY_ENV = dict(lead_time=2, horizon=16, demand="poisson", demand_kwargs={"mean": 5.0})


def replayed_batch(env_kwargs, demand):
    """A DS batch and its simulator for exact demand paths (features computed as a replaying env does)."""
    simulator = make_simulator(demand.shape[0], **env_kwargs)
    simulator.reset(np.random.default_rng(0), demand=demand)
    return TrajectoryBatch.from_simulator(simulator), simulator


@pytest.mark.parametrize(
    "lost_sales, review_period, kind, integer",
    [
        (False, 1, "base", False), (True, 1, "none", False), (False, 3, "both", False), (True, 2, "coeff", False),
        (False, 2, "none", True), (True, 1, "base", True),
    ],
)
def test_rollout_cost_equals_env_cost(lost_sales, review_period, kind, integer):
    env_kwargs = dict(lead_time=2, review_period=review_period, horizon=10, lost_sales=lost_sales, penalty_cost=4.0)
    demand = np.random.default_rng(7).poisson(5.0, size=(3, 10 * review_period)).astype(float)
    batch, simulator = replayed_batch(env_kwargs, demand)
    # A full-gain final layer: the orders really depend on the state.
    network = build_network(kind, simulator, DSConfig(final_layer_gain=1.0), seed=3)
    ds_costs = rollout(network, batch, integer=integer).sum(dim=1).detach().numpy()
    policy = DSPolicy(network, integer=integer)
    for sku in range(3):
        env = gym.make("InventoryLeadTime-v0", **env_kwargs)
        env.reset(seed=0, options={"demand": demand[sku]})
        total = 0.0
        for _ in range(10):
            orders = policy(env.unwrapped.decision_state())
            assert orders.shape == (1,) and orders[0] >= 0
            total += env.step(orders)[4]["cost"]
        assert ds_costs[sku] == pytest.approx(total, rel=1e-5)
        assert total > 0


def test_observation_is_the_envs_observation():
    simulator = make_simulator(5, lead_time=3, review_period=2, horizon=8)
    first = simulator.reset(np.random.default_rng(1))
    batch = TrajectoryBatch.from_simulator(simulator)
    np.testing.assert_array_equal(observation(batch.initial_pipeline, batch, 0).numpy(), first)
    simulator.step(np.full(5, 7.0))
    pipeline = torch.tensor(simulator.pipeline)
    np.testing.assert_array_equal(observation(pipeline, batch, 1).numpy(), simulator.observe())


class ConstantBaseStock(torch.nn.Module):
    """Order up to S units, S a parameter: the newsvendor's decision."""

    def __init__(self, level: float):
        super().__init__()
        self.level = torch.nn.Parameter(torch.tensor(level, dtype=torch.float64))

    def orders(self, observation, inventory_position, features, scale, *, integer=False):
        mu = (self.level / scale)[:, None]
        return remap("base", mu, inventory_position=inventory_position, features=features, scale=scale, integer=integer)


@pytest.mark.parametrize("level", [3.0, 5.0, 8.0])
def test_newsvendor_gradient(level):
    holding, penalty = 1.0, 4.0
    env_kwargs = dict(lead_time=0, horizon=1, holding_cost=holding, penalty_cost=penalty, initial_inventory=0.0,
                      demand="gamma", demand_kwargs={"mean": 5.0, "std": 2.0})
    batch = sample_trajectories(20000, env_kwargs, np.random.default_rng(11))
    policy = ConstantBaseStock(level)
    cost = cost_per_day(rollout(policy, batch), batch.params, warmup_epochs=0).mean()
    cost.backward()
    demand = batch.demand[:, 0].numpy()
    # Pathwise derivative of the sample mean, exactly: h P_n(D <= S) - p P_n(D > S).
    empirical = holding * np.mean(demand <= level) - penalty * np.mean(demand > level)
    assert policy.level.grad.item() == pytest.approx(empirical, abs=1e-12)
    # And the population derivative h F(S) - p (1 - F(S)), to sampling error.
    cdf = stats.gamma((5.0 / 2.0) ** 2, scale=2.0**2 / 5.0).cdf(level)
    assert policy.level.grad.item() == pytest.approx(holding * cdf - penalty * (1 - cdf), abs=0.15)


def test_untrained_network_starts_at_initial_mu_and_stays_in_bounds():
    network = OrderNetwork("base", 9, mu_low=0.0, mu_high=12.0, initial_mu=3.0, max_order=40.0)
    observations = torch.randn(64, 9)
    assert torch.allclose(network(observations), torch.full((64, 1), 3.0), atol=0.2)
    extreme = network(1e6 * observations).detach()
    assert float(extreme.min()) >= 0.0 and float(extreme.max()) <= 12.0
    orders = network.orders(1e6 * observations, torch.zeros(64, dtype=torch.float64), torch.ones(64, 5, dtype=torch.float64),
                            torch.full((64,), 100.0, dtype=torch.float64)).detach()
    assert float(orders.min()) >= 0.0 and float(orders.max()) <= 40.0
    with pytest.raises(ValueError, match="initial_mu"):
        OrderNetwork("base", 9, mu_low=0.0, mu_high=12.0, initial_mu=12.0)
    with pytest.raises(ValueError, match="mu_low"):
        OrderNetwork("coeff", 9, mu_low=[0.0, 1.0], mu_high=2.0)


def test_observation_parts_hide_the_forecasts():
    simulator = make_simulator(8, **TINY_ENV)
    simulator.reset(np.random.default_rng(0))
    network = build_network("base", simulator, DSConfig(observation_parts=["pipeline"], final_layer_gain=1.0), seed=0)
    observations = torch.tensor(simulator.observe())
    changed = observations.clone()
    changed[:, simulator.observation_layout["features"]] += 3.0
    assert torch.equal(network(observations), network(changed))
    full = build_network("base", simulator, DSConfig(final_layer_gain=1.0), seed=0)
    assert not torch.equal(full(observations), full(changed))
    with pytest.raises(ValueError, match="observation_parts"):
        DSConfig(observation_parts=["forecasts"])
    with pytest.raises(ValueError, match="observation_parts"):
        build_network("base", simulator, DSConfig(observation_parts=["dynamic"]), seed=0)  # Poisson has none


@pytest.mark.parametrize("kind", ["none", "base", "both"])
def test_short_training_lowers_validation_cost(kind):
    threads = torch.get_num_threads()
    result = train(kind, TINY_ENV, TINY, seed=1, num_threads=1)
    assert torch.get_num_threads() == threads
    assert result.best_val_cost < 0.9 * result.initial_val_cost
    assert result.steps == 30 and len(result.history) == 4


def test_lost_sales_training_lowers_validation_cost():
    result = train("base", dict(TINY_ENV, lost_sales=True, review_period=2), TINY, seed=2)
    assert result.best_val_cost < result.initial_val_cost


def test_save_load_round_trip_and_interop(tmp_path):
    out = tmp_path / "run"
    result = train("both", TINY_ENV, TINY, seed=0, out_dir=out)
    run = json.loads((out / "run.json").read_text())
    assert run["kind"] == "ds" and run["regularization"] == "both" and run["status"] == "complete"
    assert run["env_config"] == TINY_ENV and run["hyperparams"]["max_steps"] == 30
    assert run["result"]["best_val_cost_per_day"] == pytest.approx(result.best_val_cost)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(out / "tensorboard")).Reload()
    tags = set(events.Tags()["scalars"])
    assert {"inventory/train_cost_per_day", "inventory/val_cost_per_day", "inventory/learning_rate"} <= tags
    assert [e.step for e in events.Scalars("inventory/val_cost_per_day")] == [0, 10, 20, 30]
    loaded = load_policy(out)
    assert loaded.integer and loaded.name == "ds+both"
    simulator = make_simulator(32, **TINY_ENV)
    simulator.reset(np.random.default_rng(5))
    for _ in range(4):  # batched decision states, loaded and in-memory policies agree
        state = simulator.decision_state()
        orders = loaded(state)
        np.testing.assert_array_equal(orders, result.policy(state))
        assert orders.dtype == np.float64 and np.all(orders == np.round(orders)) and np.all(orders >= 0)
        simulator.step(orders)
    evaluation = gym_inventory.evaluate(loaded, TINY_ENV, n_trajectories=8, seed=1)
    assert 0 < evaluation.cost < result.initial_val_cost
    env = gym.make("InventoryLeadTime-v0", **TINY_ENV)
    env.reset(seed=3)
    assert loaded(env.unwrapped.decision_state()).shape == (1,)
    other = make_simulator(2, lead_time=4)
    other.reset(np.random.default_rng(0))
    with pytest.raises(ValueError, match="observation"):
        loaded(other.decision_state())
    run["kind"] = "sb3"
    (out / "run.json").write_text(json.dumps(run))
    with pytest.raises(ValueError, match="not a DS run"):
        load_policy(out)
    with pytest.raises(ValueError, match="run.json"):
        load_policy(tmp_path)


def test_interrupted_run_resumes_to_the_same_result(tmp_path):
    class Interrupt(Exception):
        pass

    def stop_after_second_validation(line):
        if line.startswith("step    10"):
            raise Interrupt

    out = tmp_path / "run"
    with pytest.raises(Interrupt):
        train("base", TINY_ENV, TINY, seed=4, out_dir=out, log=stop_after_second_validation)
    assert json.loads((out / "run.json").read_text())["status"] == "running"
    resumed = train("base", TINY_ENV, TINY, seed=4, out_dir=out)
    straight = train("base", TINY_ENV, TINY, seed=4)
    assert resumed.history == straight.history
    assert resumed.best_val_cost == straight.best_val_cost


def test_default_hyperparams_file_matches_the_dataclass():
    assert load_hyperparams() == DSConfig()
    with open(DEFAULT_HYPERPARAMS_FILE, encoding="utf-8") as handle:
        assert set(yaml.safe_load(handle)) == set(DSConfig().to_dict())


def test_bad_python_input():
    with pytest.raises(ValueError, match="learning_rat"):
        DSConfig.from_dict({"learning_rat": 0.1})
    with pytest.raises(ValueError, match="batch_size"):
        DSConfig(batch_size=0)
    with pytest.raises(ValueError, match="activation"):
        DSConfig(activation="gelu")
    with pytest.raises(ValueError, match="objective"):
        train("base", dict(TINY_ENV, objective="service"), TINY)
    with pytest.raises(ValueError, match="warmup_epochs"):
        train("base", TINY_ENV, dict(TINY, warmup_epochs=16))
    with pytest.raises(ValueError, match="device"):
        train("base", TINY_ENV, TINY, device="tpu")


def cli(*argv):
    return main(["ds", *map(str, argv)])


def test_cli_trains_and_refuses_to_overwrite(tmp_path, capsys):
    env_file, hp_file = tmp_path / "env.yaml", tmp_path / "hp.yaml"
    env_file.write_text(yaml.safe_dump(TINY_ENV))
    hp_file.write_text(yaml.safe_dump(dict(TINY, max_steps=10)))
    out = tmp_path / "run"
    assert cli("--reg", "none", "--env-config", env_file, "--config", hp_file, "--out", out, "--quiet") == 0
    assert "best validation cost per day" in capsys.readouterr().out
    weights = (out / "policy.pt").read_bytes()
    for argv in (
        ("--reg", "base", "--env-config", env_file, "--config", hp_file, "--out", out),  # another run there
        ("--reg", "none", "--env-config", env_file, "--config", hp_file, "--out", out),  # this run, complete
    ):
        assert cli(*argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--out" in err
    assert (out / "policy.pt").read_bytes() == weights


def test_cli_bad_input(tmp_path, capsys):
    env_file = tmp_path / "env.yaml"
    env_file.write_text(yaml.safe_dump(TINY_ENV))
    bad_hp = tmp_path / "bad.yaml"
    bad_hp.write_text("learning_rat: 0.1\n")
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("keep me")
    out = tmp_path / "never"
    cases = [
        (("--reg", "smooth", "--env-config", env_file, "--out", out), "smooth"),
        (("--reg", "base", "--env-config", tmp_path / "missing.yaml", "--out", out), "missing.yaml"),
        (("--reg", "base", "--env-config", env_file, "--config", bad_hp, "--out", out), "learning_rat"),
        (("--reg", "base", "--env-config", env_file, "--out", stray), "not empty"),
        (("--reg", "base", "--env-config", env_file, "--out", out, "--seed", "-1"), "seed"),
        (("--reg", "base", "--env-config", env_file, "--out", out, "--threads", "0"), "num_threads"),
    ]
    if not torch.cuda.is_available():
        cases.append((("--reg", "base", "--env-config", env_file, "--out", out, "--device", "cuda"), "CUDA"))
    for argv, needle in cases:
        assert cli(*argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("gym-inventory ds: error:") and err.count("\n") == 1 and needle in err, err
    assert not out.exists()
    assert (stray / "notes.txt").read_text() == "keep me" and os.listdir(stray) == ["notes.txt"]


def test_validation_is_the_validate_split_as_for_sb3():
    # the kept policy's validation cost is gym_inventory.evaluate's on split_problem(..., "validate")
    from gym_inventory.evaluation import split_problem

    hyper = dict(max_steps=1, eval_every=1, val_trajectories=6, train_trajectories=4, hidden_sizes=[4])
    result = train("base", TINY_ENV, hyper, seed=3)
    val_kwargs, val_seed = split_problem(TINY_ENV, "validate")
    kept = gym_inventory.evaluate(result.policy, val_kwargs, n_trajectories=6, seed=val_seed)
    assert result.best_val_cost == pytest.approx(kept.cost, rel=1e-9)
    own = train("base", TINY_ENV, hyper, seed=3, validation="training")  # the sweeps' source: drawn from the seed
    assert own.history[0]["val_cost_per_day"] != result.history[0]["val_cost_per_day"]
    with pytest.raises(ValueError, match="validation"):
        train("base", TINY_ENV, hyper, validation="test")
