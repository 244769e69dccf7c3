"""Third-party compatibility (issue 15): Gymnasium's vector wrappers over the native vector env,
one TimeLimit and a spec that rebuilds the env, numpy infos, the normalized action space, TorchRL.
"""
from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.envs.registration import EnvSpec
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.wrappers import RescaleAction, TimeLimit
from gymnasium.wrappers import vector as vector_wrappers

from gym_inventory.remap import REGULARIZATIONS
from gym_inventory.vector import InventoryVectorEnv
from gym_inventory.wrappers import regularize

ENV_ID = "InventoryLeadTime-v0"
CONSTANT_DEMAND = dict(demand="normal", demand_kwargs={"mean": 6.0, "std": 0.0})


def wrapper_chain(env):
    chain = []
    while isinstance(env, gym.Wrapper):
        chain.append(env)
        env = env.env
    return chain


def time_limits(env):
    return [wrapper._max_episode_steps for wrapper in wrapper_chain(env) if isinstance(wrapper, TimeLimit)]


def episode(env, actions, seed=0):
    """Observations, rewards and truncation flags of ``env`` under ``actions``."""
    obs, _ = env.reset(seed=seed)
    rows = [obs]
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        rows.append(np.append(obs, [reward, terminated, truncated]))
    return np.concatenate(rows)


# ---------------------------------------------------------------- Gymnasium's vector wrappers
def cleanrl_stack(envs):
    """The wrappers CleanRL's continuous PPO puts on its vector env."""
    envs = vector_wrappers.FlattenObservation(envs)
    envs = vector_wrappers.RecordEpisodeStatistics(envs)
    envs = vector_wrappers.ClipAction(envs)
    envs = vector_wrappers.NormalizeObservation(envs)
    envs = vector_wrappers.TransformObservation(envs, lambda obs: np.clip(obs, -10, 10))
    envs = vector_wrappers.NormalizeReward(envs, gamma=0.99)
    return vector_wrappers.TransformReward(envs, lambda reward: np.clip(reward, -10, 10))


@pytest.mark.parametrize("kind", [None, "base"])
def test_gymnasium_vector_wrappers_over_the_native_env_match_sync_vector_env(kind):
    # Constant demand: the native env and a SyncVectorEnv of single envs see the same
    # episodes, so the whole wrapper stack (running statistics included) must agree.
    kwargs = dict(horizon=4, lead_time=1, **CONSTANT_DEMAND)
    native = gym.make_vec(ENV_ID, num_envs=3, vectorization_mode="vector_entry_point", **kwargs)
    sync = gym.make_vec(ENV_ID, num_envs=3, vectorization_mode="sync", **kwargs)
    if kind is not None:
        native = regularize(native, kind)
        sync = SyncVectorEnv([lambda: regularize(gym.make(ENV_ID, **kwargs), kind) for _ in range(3)])
    native, sync = cleanrl_stack(native), cleanrl_stack(sync)
    np.testing.assert_allclose(native.reset(seed=0)[0], sync.reset(seed=0)[0])
    rng = np.random.default_rng(0)
    episodes = 0
    for _ in range(11):
        action = rng.uniform(-1.0, 20.0, native.action_space.shape).astype(np.float32)  # beyond bounds: ClipAction
        out, expected = native.step(action), sync.step(action)
        for value, reference in zip(out[:4], expected[:4]):
            np.testing.assert_allclose(value, reference, rtol=1e-6, atol=1e-9)
        if "episode" in expected[4]:
            episodes += 1
            np.testing.assert_allclose(out[4]["episode"]["r"], expected[4]["episode"]["r"])
            np.testing.assert_array_equal(out[4]["episode"]["l"], [4, 4, 4])
    assert episodes == 2  # 11 steps: two episodes of 4 steps plus their NEXT_STEP reset steps


# ---------------------------------------------------------------- one TimeLimit, a truthful spec
def make_stack(kind, normalize_action, **kwargs):
    if kind is None:
        return gym.make(ENV_ID, normalize_action=normalize_action, **kwargs)
    low = np.float32(0.0) if kind in ("none", "base") else None  # a numpy bound must survive EnvSpec.to_json
    return regularize(gym.make(ENV_ID, **kwargs), kind, normalize_action=normalize_action, low=low)


# gym.make(spec) builds RescaleAction itself, and Gymnasium warns about its float64 bounds.
@pytest.mark.filterwarnings("ignore:.*precision lowered by casting to float32")
@pytest.mark.parametrize("normalize_action", [False, True])
@pytest.mark.parametrize("kind", [None, *REGULARIZATIONS])
def test_spec_rebuilds_the_identical_stack_with_one_time_limit(kind, normalize_action):
    env = make_stack(kind, normalize_action, horizon=6, lead_time=1, demand="gamma")
    assert time_limits(env) == [6] and env.spec.max_episode_steps == 6
    rebuilt = gym.make(env.spec)
    from_json = gym.make(EnvSpec.from_json(env.spec.to_json()))  # numpy bounds included (issue 15 item 5)
    actions = [env.action_space.sample() for _ in range(6)]
    for again in (rebuilt, from_json):
        assert again.spec == env.spec
        assert time_limits(again) == [6]
        assert [type(w).__name__ for w in wrapper_chain(again) if type(w).__module__.startswith(("gym_inventory", "gymnasium.wrappers.transform"))] == \
            [type(w).__name__ for w in wrapper_chain(env) if type(w).__module__.startswith(("gym_inventory", "gymnasium.wrappers.transform"))]
        assert again.action_space == env.action_space
        np.testing.assert_array_equal(episode(again, actions), episode(env, actions))
    assert episode(env, actions)[-1] == 1.0  # truncated after the horizon


def test_max_episode_steps_shorter_than_the_horizon_ends_episodes_there():
    env = gym.make(ENV_ID, horizon=10, max_episode_steps=3)
    assert env.spec.max_episode_steps == 3
    env.reset(seed=0)
    assert [env.step([1.0])[3] for _ in range(3)] == [False, False, True]
    again = gym.make(env.spec)
    assert time_limits(again) == [3] and again.spec.max_episode_steps == 3


# ---------------------------------------------------------------- info values
def test_info_values_are_numpy_with_the_same_dtypes_every_step():
    env = gym.make(ENV_ID, horizon=5, lead_time=2, demand="negative_binomial")
    _, info = env.reset(seed=0)
    assert {key: np.asarray(value).dtype for key, value in info.items()} == {
        "inventory_position": np.float64, "scale": np.float64, "day": np.int64}
    dtypes = None
    for _ in range(5):
        _, _, _, _, info = env.step(env.action_space.sample())
        metrics = info.pop("episode_metrics", {})
        assert all(isinstance(value, (np.generic, np.ndarray)) for value in [*info.values(), *metrics.values()])
        step_dtypes = {key: (value.dtype, np.shape(value)) for key, value in info.items()}
        assert dtypes is None or step_dtypes == dtypes
        dtypes = step_dtypes
    assert metrics  # the last step reports the episode's metrics
    assert dtypes["stockout"] == (np.bool_, ()) and dtypes["stockout_days"][0] == np.int64
    assert dtypes["pipeline"] == (np.float64, (3,))


# ---------------------------------------------------------------- the normalized action space
def test_normalized_action_is_affine_to_the_order_bounds():
    env = gym.make(ENV_ID, normalize_action=True, demand_kwargs={"mean": 5.0})
    assert env.action_space == gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
    assert [type(w) for w in wrapper_chain(env)].count(RescaleAction) == 1
    assert "normalize_action" not in env.spec.kwargs  # the spec's additional_wrappers hold the RescaleAction
    max_order = env.unwrapped.max_order  # 4 (L + P) x 5 = 60
    env.reset(seed=0)
    orders = [env.step(np.array([a], np.float32))[4]["order"] for a in (-1.0, 0.0, 0.5, 1.0)]
    np.testing.assert_allclose(orders, [0.0, max_order / 2, 0.75 * max_order, max_order])


@pytest.mark.parametrize("kind", REGULARIZATIONS)
def test_regularize_with_normalize_action_maps_minus_one_one_onto_mu_bounds(kind):
    plain = regularize(gym.make(ENV_ID), kind)
    env = regularize(gym.make(ENV_ID), kind, normalize_action=True)
    low, high = plain.action_space.low, plain.action_space.high
    assert env.action_space == gym.spaces.Box(-1.0, 1.0, low.shape, np.float32)
    for action in (-np.ones_like(low), np.zeros_like(low), np.full_like(low, 0.3)):
        np.testing.assert_allclose(env.action(action), low + (action + 1.0) / 2.0 * (high - low), rtol=1e-6)
    bare = gym.make_vec(ENV_ID, num_envs=2, vectorization_mode="vector_entry_point", normalize_action=True)
    assert bare.single_action_space == gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
    bare.reset(seed=0)
    orders = bare.step(np.array([[-1.0], [1.0]], np.float32))[4]["order"]
    np.testing.assert_allclose(orders, [0.0, bare.unwrapped.max_order], rtol=1e-6)  # RescaleAction computes in float32
    vector = regularize(InventoryVectorEnv(num_envs=2), kind, normalize_action=True)
    assert vector.single_action_space == env.action_space and vector.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP


def test_regularize_refuses_what_it_cannot_wrap():
    with pytest.raises(ValueError, match="normalize_action=True"):
        regularize(gym.make(ENV_ID, normalize_action=True), "base")
    with pytest.raises(ValueError, match="wrappers=\\[lambda env: regularize"):
        regularize(gym.make_vec(ENV_ID, num_envs=2, vectorization_mode="sync"), "both")
    with pytest.raises(TypeError, match="normalize_action"):
        gym.make(ENV_ID, normalize_action="yes")


# ---------------------------------------------------------------- TorchRL
def test_torchrl_gym_env_specs_info_reader_and_collector():
    pytest.importorskip("torchrl")
    from torchrl.collectors import Collector
    from torchrl.envs import GymEnv
    from torchrl.envs.gym_like import default_info_dict_reader
    from torchrl.envs.utils import check_env_specs

    env = GymEnv(ENV_ID, horizon=5, normalize_action=True)
    env.set_info_dict_reader(default_info_dict_reader())  # crashed on Python-float infos
    check_env_specs(env)
    rollout = env.rollout(12, break_when_any_done=False)
    assert rollout["next", "truncated"].squeeze(-1).tolist() == [False] * 4 + [True] + [False] * 4 + [True] + [False] * 2
    assert rollout["next", "stockout_days"].dtype.is_floating_point is False
    assert rollout["next", "pipeline"].shape == (12, 3)
    collector = Collector(env, policy=None, frames_per_batch=8, total_frames=16)
    assert [batch.batch_size[0] for batch in collector] == [8, 8]
    collector.shutdown()


# ---------------------------------------------------------------- the CleanRL-style example
def test_cleanrl_style_ppo_example_runs_on_the_native_vector_env(monkeypatch, capsys):
    import pathlib
    import runpy
    import sys

    script = pathlib.Path(__file__).resolve().parents[1] / "examples" / "cleanrl_ppo.py"
    monkeypatch.setenv("GYM_INVENTORY_TINY", "1")
    monkeypatch.setattr(sys, "argv", [str(script), "--num-envs", "4", "--regularization", "base"])
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "mean episode return" in out and "cost per day: PPO" in out


def test_compat_doc_python_blocks_run():
    import pathlib
    import re

    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "compat.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert blocks
    for index, code in enumerate(blocks):
        exec(compile(code, f"docs/compat.md[python block {index}]", "exec"), {"__name__": "__compat_doc__"})


def test_cost_per_day_helper():
    import doctest

    import gym_inventory.compat as compat

    assert doctest.testmod(compat).failed == 0
    env = gym.make(ENV_ID, horizon=3, lead_time=0, holding_cost=1.0, penalty_cost=9.0, **CONSTANT_DEMAND)
    # Starts with (L + P) x 6 = 6 units; with L = 0 an order of 6 arrives before the day's demand
    # of 6, so 6 units are left at the end of every day: holding cost 6 a day.
    assert compat.cost_per_day(env, lambda obs: np.array([6.0], np.float32), episodes=2, seed=0) == 6.0
    # Orders of 7: 7, 8, 9 units left at the end of days 1..3 -> 24 / 3 days.
    assert compat.cost_per_day(env, lambda obs: np.array([7.0], np.float32), episodes=1, seed=0) == 8.0
    with pytest.raises(ValueError, match="episodes"):
        compat.cost_per_day(env, lambda obs: obs, episodes=0, seed=0)


def test_checkers_do_not_warn_about_the_normalized_action_space():
    import warnings

    from gymnasium.utils.env_checker import check_env as gym_check_env
    from stable_baselines3.common.env_checker import check_env

    for env in (gym.make(ENV_ID, normalize_action=True), regularize(gym.make(ENV_ID), "both", normalize_action=True)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check_env(env)
            gym_check_env(env, skip_render_check=True)
        assert not [w for w in caught if "action space" in str(w.message).lower()], [str(w.message) for w in caught]
