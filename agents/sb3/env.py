"""Environments for SB3: the inventory env, a regularization, mu rescaled to [-1, 1], optional observation normalization.

SB3's algorithms assume a ``Box`` action space of [-1, 1] (their squashing, noise and
initializations are tuned for it). Each regularization wrapper exposes mu in its own
units and bounds (:mod:`gym_inventory.wrappers.regularization`), so the stack is::

    InventoryLeadTime-v0  ->  regularize(env, kind)  ->  RescaleAction(-1, 1)
                          [-> observation parts selected]  [-> observation normalization]

:func:`make_env` builds it for one SKU (a Gymnasium env); :func:`make_vec_env` builds
it as an SB3 ``VecEnv`` of ``n_envs`` SKUs stepped together by the natively batched
:class:`~gym_inventory.vector.InventoryVectorEnv` through :class:`agents.vec_env.BatchedVecEnv`
(no subprocesses, no Python loop over SKUs), with ``VecMonitor`` episode statistics
and, optionally, SB3's ``VecNormalize`` on observations. :class:`MuRescale` is the
affine map both use (gymnasium's ``rescale_box``, which ``RescaleAction`` applies).

``observation_parts`` keeps only some parts of the observation (names of the env's
``observation_layout``: ``pipeline``, ``features``, ``static``, ``dynamic``), e.g.
``["pipeline", "static"]``: the inventory pipeline and the problem's constants, what a
base-stock policy sees. With ``forecast_source="realized"`` the forecast features are
future demand (the study's oracle features); leaving out ``features`` hides them.
"""
from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.wrappers import NormalizeObservation, RescaleAction, TransformObservation
from gymnasium.wrappers.utils import rescale_box
from stable_baselines3.common.vec_env import VecEnvWrapper

from gym_inventory import ENV_ID
from gym_inventory.config import check_env_kwargs
from gym_inventory.remap import check_kind
from gym_inventory.wrappers import regularize

#: SB3's action range.
UNIT_LOW, UNIT_HIGH = np.float32(-1.0), np.float32(1.0)


class MuRescale:
    """The affine map between a mu ``Box`` and SB3's [-1, 1] box, from gymnasium's ``rescale_box``.

    ``to_mu(action)`` maps SB3 actions (any leading batch axes) to mu, as ``RescaleAction``
    does; ``to_unit(mu)`` is its inverse (used for the initial action bias).
    """

    def __init__(self, mu_space: spaces.Box):
        self.mu_space = mu_space
        self.unit_space, self.to_unit, self.to_mu = rescale_box(mu_space, UNIT_LOW, UNIT_HIGH)


def observation_columns(inventory_env, parts) -> list[int] | None:
    """Indices of the observation entries of ``parts`` (None: all entries, no selection)."""
    from agents.ds.config import OBSERVATION_PARTS

    if parts is None:
        return None
    if isinstance(parts, str) or not isinstance(parts, (list, tuple)) or not parts:
        raise TypeError(f"observation_parts must be a non-empty list of {list(OBSERVATION_PARTS)} or null, got {parts!r}")
    layout = inventory_env.observation_layout
    columns = []
    for part in parts:
        if part not in OBSERVATION_PARTS:
            raise ValueError(f"observation_parts entries must be among {list(OBSERVATION_PARTS)}, got {part!r}")
        columns += list(range(layout[part].start, layout[part].stop))
    if not columns:
        raise ValueError(f"observation_parts {list(parts)} select no observation entries on this problem")
    return sorted(set(columns))


def _selected_space(space: spaces.Box, columns: list[int]) -> spaces.Box:
    return spaces.Box(space.low[..., columns], space.high[..., columns], dtype=space.dtype)


class VecSelectObservation(VecEnvWrapper):
    """Keep the observation entries ``columns`` of an SB3 ``VecEnv`` (terminal observations included).

    Gymnasium's vector observation wrappers refuse SAME_STEP autoreset, SB3's convention,
    so the selection happens on the SB3 side.
    """

    def __init__(self, venv, columns: list[int]):
        super().__init__(venv, observation_space=_selected_space(venv.observation_space, columns))
        self.columns = list(columns)

    def reset(self):
        return self.venv.reset()[:, self.columns]

    def step_wait(self):
        obs, rewards, dones, infos = self.venv.step_wait()
        for info in infos:
            if "terminal_observation" in info:
                info["terminal_observation"] = info["terminal_observation"][self.columns]
        return obs[:, self.columns], rewards, dones, infos


def regularize_and_rescale(env: gym.Env, regularization: str = "none", *, normalize_observation: bool = False,
                           regularization_options: dict | None = None, observation_parts=None) -> gym.Env:
    """Wrap a single inventory env for SB3: ``regularization``, then ``RescaleAction(-1, 1)``,
    then (optionally) the ``observation_parts`` kept and gymnasium's ``NormalizeObservation``.

    Usable as an rl-zoo3 ``env_wrapper`` (see ``docs/agents.md``)::

        env_wrapper:
          - agents.sb3.env.regularize_and_rescale: {regularization: base}
    """
    env = regularize(env, check_kind(regularization), **(regularization_options or {}))
    env = RescaleAction(env, UNIT_LOW, UNIT_HIGH)
    columns = observation_columns(env.unwrapped, observation_parts)
    if columns is not None:
        env = TransformObservation(env, lambda obs: obs[columns], _selected_space(env.observation_space, columns))
    return NormalizeObservation(env) if normalize_observation else env


def env_kwargs(env_config=None, **overrides) -> dict:
    """``gym.make`` keyword arguments: ``env_config`` (a dict, a YAML path or None) updated by ``overrides``."""
    from gym_inventory.config import load_env_config

    if env_config is None:
        kwargs = {}
    elif isinstance(env_config, dict):
        kwargs = dict(env_config)
    else:
        kwargs = load_env_config(env_config)
    kwargs.update(overrides)
    return check_env_kwargs(kwargs, "env_config")


def training_env_kwargs(env_kwargs: dict, reward_timing: str = "auto") -> dict:
    """The ``gym.make`` keyword arguments an SB3 agent trains on: ``env_kwargs`` with the training reward timing.

    ``reward_timing`` (the ``reward_timing`` option of the hyperparameters):

    * ``"auto"``: the env config's own ``reward_timing`` when it names one; otherwise
      ``"lead_time_window"`` (each step rewarded with the cost of the P days its order
      controls, L days later) where the problem allows it, a fixed lead time and the cost
      objective, else the env's default ``"step"``;
    * ``"step"`` or ``"lead_time_window"``: that timing, whatever the env config says.

    Only the reward changes: the observations, the dynamics and every cost the package
    reports (validation, evaluation, scores) are the same under both timings. Why
    ``lead_time_window`` trains better: with ``"step"`` an order's cost arrives L steps
    later, mixed with the costs of the L orders placed since, so the agent must learn
    the credit assignment through a discount close to 1 (docs/agents.md).

    >>> training_env_kwargs({"lead_time": 3})["reward_timing"]
    'lead_time_window'
    >>> training_env_kwargs({"lead_time": {"values": [1, 2], "probabilities": [0.5, 0.5]}})
    {'lead_time': {'values': [1, 2], 'probabilities': [0.5, 0.5]}}
    """
    from gym_inventory.params import make_lead_time

    if reward_timing != "auto":
        return dict(env_kwargs, reward_timing=reward_timing)
    if "reward_timing" in env_kwargs:
        return dict(env_kwargs)
    fixed_lead_time = (make_lead_time(env_kwargs.get("lead_time", 0))[1] is None
                       and env_kwargs.get("lead_time_distribution") is None)
    if fixed_lead_time and env_kwargs.get("objective", "cost") == "cost":
        return dict(env_kwargs, reward_timing="lead_time_window")
    return dict(env_kwargs)


def make_env(regularization: str = "none", env_config=None, *, normalize_observation: bool = False,
             regularization_options: dict | None = None, observation_parts=None, **overrides) -> gym.Env:
    """One SKU of ``InventoryLeadTime-v0`` for SB3: regularized, mu rescaled to [-1, 1].

    Args:
        regularization: ``"none"``, ``"base"``, ``"coeff"`` or ``"both"``.
        env_config: ``gym.make`` keyword arguments (dict) or a YAML file of them.
        normalize_observation: add gymnasium's ``NormalizeObservation``.
        regularization_options: ``low``, ``high``, ``order_cap``, ``integer`` of the wrapper.
        observation_parts: the observation parts the agent sees (None: all; see the module docstring).
        **overrides: more ``gym.make`` keyword arguments (override ``env_config``).

    >>> env = make_env("base", {"lead_time": 2, "horizon": 8})
    >>> env.action_space
    Box(-1.0, 1.0, (1,), float32)
    """
    env = gym.make(ENV_ID, **env_kwargs(env_config, **overrides))
    return regularize_and_rescale(env, regularization, normalize_observation=normalize_observation,
                                  regularization_options=regularization_options, observation_parts=observation_parts)


def make_vec_env(regularization: str = "none", env_config=None, *, n_envs: int = 1, normalize_observation: bool = False,
                 regularization_options: dict | None = None, observation_parts=None, seed: int | None = None,
                 **overrides):
    """``n_envs`` SKUs as one SB3 ``VecEnv``: the batched env, regularized, rescaled, monitored.

    Args: as :func:`make_env`, plus ``n_envs`` (SKUs stepped together) and ``seed``
    (seeds the SKUs' shared demand stream). With ``normalize_observation`` the result is
    SB3's ``VecNormalize(norm_obs=True, norm_reward=False)``, whose statistics are saved
    with a trained model.

    >>> venv = make_vec_env("both", {"horizon": 8}, n_envs=4, seed=0)
    >>> venv.num_envs, venv.action_space
    (4, Box(-1.0, 1.0, (5,), float32))
    """
    from gymnasium.vector.utils import batch_space
    from gymnasium.wrappers.vector import TransformAction
    from stable_baselines3.common.vec_env import VecMonitor, VecNormalize

    from agents.vec_env import BatchedVecEnv
    from gym_inventory.params import check_int
    from gym_inventory.vector import InventoryVectorEnv

    n_envs = check_int("n_envs", n_envs, 1)
    vector_env = regularize(InventoryVectorEnv(num_envs=n_envs, autoreset_mode="SameStep", **env_kwargs(env_config, **overrides)),
                            check_kind(regularization), **(regularization_options or {}))
    # One affine map on the whole (n_envs, size) batch: gymnasium's vector RescaleAction would
    # loop over the SKUs in Python.
    rescale = MuRescale(vector_env.single_action_space)
    vector_env = TransformAction(vector_env, rescale.to_mu, action_space=batch_space(rescale.unit_space, n_envs),
                                 single_action_space=rescale.unit_space)
    venv = BatchedVecEnv(vector_env)
    columns = observation_columns(vector_env.unwrapped, observation_parts)
    if columns is not None:
        venv = VecSelectObservation(venv, columns)
    if seed is not None:
        venv.seed(seed)
    venv = VecMonitor(venv)
    return VecNormalize(venv, norm_obs=True, norm_reward=False) if normalize_observation else venv
