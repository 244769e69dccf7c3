"""SB3 and sb3-contrib algorithms by name, and their hyperparameters (dicts or YAML files).

========================= ====================== ================= ======================================
name                      class                  default policy    experience
========================= ====================== ================= ======================================
``ddpg``, ``td3``, ``sac`` stable_baselines3      ``MlpPolicy``     off-policy (replay buffer)
``ppo``, ``a2c``          stable_baselines3      ``MlpPolicy``     on-policy
``tqc``                   sb3_contrib            ``MlpPolicy``     off-policy (replay buffer)
``trpo``                  sb3_contrib            ``MlpPolicy``     on-policy
``recurrentppo``          sb3_contrib            ``MlpLstmPolicy`` on-policy, LSTM
``ars``                   sb3_contrib            ``LinearPolicy``  random search over the weights
========================= ====================== ================= ======================================

Hyperparameters are one flat mapping: keyword arguments of the algorithm's
constructor (``learning_rate``, ``policy_kwargs``, ...) and the gym-inventory options
of :data:`OPTIONS` (``n_envs``, ``initial_mu``, ``eval_freq``, ...). Each algorithm has
a default file, ``agents/hyperparams/<name>.yml``; a dict or a YAML file given by the
user overrides it key by key. A key that is neither an argument of the algorithm nor
an option raises ``ValueError`` naming it.

YAML cannot hold Python objects, so three values are given by name and built here:
``policy_kwargs.activation_fn`` (``relu``, ``tanh``, ``elu``, ``leaky_relu``),
``action_noise`` (``{kind: normal | ornstein_uhlenbeck, sigma: S}``: noise of standard
deviation S in SB3's [-1, 1] action units), and ``train_freq`` (``[n, step | episode]``).
"""
from __future__ import annotations

import copy
import importlib
import inspect
import os
from dataclasses import dataclass

import numpy as np

from gym_inventory.config import read_yaml
from gym_inventory.params import check_bool, check_choice, check_int, check_real

HYPERPARAMS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "hyperparams")


@dataclass(frozen=True)
class Algorithm:
    """One algorithm of the registry: where its class lives and how it gathers experience."""

    name: str
    module: str
    class_name: str
    off_policy: bool = False
    recurrent: bool = False

    @property
    def cls(self):
        """The algorithm class (imported on first use)."""
        return getattr(importlib.import_module(self.module), self.class_name)

    @property
    def default_file(self) -> str:
        return os.path.join(HYPERPARAMS_DIR, f"{self.name}.yml")


ALGORITHMS = {
    spec.name: spec
    for spec in (
        Algorithm("ddpg", "stable_baselines3", "DDPG", off_policy=True),
        Algorithm("td3", "stable_baselines3", "TD3", off_policy=True),
        Algorithm("sac", "stable_baselines3", "SAC", off_policy=True),
        Algorithm("ppo", "stable_baselines3", "PPO"),
        Algorithm("a2c", "stable_baselines3", "A2C"),
        Algorithm("tqc", "sb3_contrib", "TQC", off_policy=True),
        Algorithm("trpo", "sb3_contrib", "TRPO"),
        Algorithm("recurrentppo", "sb3_contrib", "RecurrentPPO", recurrent=True),
        Algorithm("ars", "sb3_contrib", "ARS"),
    )
}

#: gym-inventory options that may appear beside the algorithm's arguments, with defaults.
OPTIONS = {
    "n_envs": 1,  # SKUs collected side by side in one batched env (agents.vec_env.BatchedVecEnv)
    "normalize_observation": False,  # SB3 VecNormalize on observations (rewards never normalized)
    "observation_parts": None,  # parts of the observation the agent sees (pipeline, features, static, dynamic); null: all
    "reward_timing": "auto",  # the reward trained on: auto, step or lead_time_window (agents.sb3.env.training_env_kwargs)
    "initial_mu": "auto",  # untrained policy's mu: "auto" (agents.ds default), a number or list, or null (SB3 init)
    "final_layer_gain": 0.01,  # factor on the final layer's weights when initial_mu is set
    "regularization_options": {},  # low, high, order_cap, integer of gym_inventory.wrappers.regularize
    "eval_freq": 5000,  # env steps between validations and checkpoints
    "val_trajectories": 128,  # validation trajectories (SKU episodes)
    "val_horizon": None,  # epochs per validation trajectory; null: the env's horizon
    "patience": None,  # validations without improvement before stopping early; null: never
}
#: Arguments of every algorithm that gym-inventory sets itself (from train's arguments or the run directory).
RESERVED = ("env", "seed", "device", "verbose", "tensorboard_log", "_init_setup_model")
ACTIVATIONS = ("relu", "tanh", "elu", "leaky_relu")
#: Values of the ``reward_timing`` option: "auto" or one of the env's reward timings.
TRAINING_REWARD_TIMINGS = ("auto", "step", "lead_time_window")
NOISE_KINDS = ("normal", "ornstein_uhlenbeck")


def get_algorithm(name) -> Algorithm:
    """The :class:`Algorithm` called ``name`` (case-insensitive); ``ValueError`` naming the choices."""
    if not isinstance(name, str):
        raise TypeError(f"algorithm must be a string, one of {list(ALGORITHMS)}, got {name!r}")
    spec = ALGORITHMS.get(name.lower())
    if spec is None:
        raise ValueError(f"unknown algorithm {name!r}; choose one of {list(ALGORITHMS)}")
    return spec


def algorithm_arguments(spec: Algorithm) -> list[str]:
    """Constructor arguments of the algorithm that a hyperparameter file may set."""
    names = inspect.signature(spec.cls.__init__).parameters
    return [name for name in names if name not in ("self",) + RESERVED]


def load_hyperparams(algo, overrides=None) -> dict:
    """The hyperparameters of ``algo``: its default file, updated by ``overrides`` (a dict, a YAML path or None).

    Returns a plain, JSON-ready dict holding every option of :data:`OPTIONS`;
    ``ValueError`` for an unknown key or a bad option value.
    """
    spec = get_algorithm(algo)
    hyperparams = dict(OPTIONS)
    hyperparams.update(read_yaml(spec.default_file, "default hyperparameter file"))
    if overrides is None:
        source = None
    elif isinstance(overrides, dict):
        source = "hyperparams"
        hyperparams.update(copy.deepcopy(overrides))
    elif isinstance(overrides, (str, os.PathLike)):
        source = f"hyperparameter file {os.fspath(overrides)!r}"
        hyperparams.update(read_yaml(overrides, "hyperparameter file"))
    else:
        raise TypeError(f"hyperparams must be a dict, a YAML file path or None, got {overrides!r}")
    check_hyperparams(spec, hyperparams, source or f"default hyperparameter file of {spec.name}")
    return hyperparams


def check_hyperparams(spec: Algorithm, hyperparams: dict, source: str) -> None:
    """Raise ``ValueError``/``TypeError`` for a key ``spec`` does not take or a bad option value."""
    known = algorithm_arguments(spec)
    reserved = sorted(set(hyperparams) & set(RESERVED))
    if reserved:
        raise ValueError(f"{source} sets {reserved}, which gym-inventory sets itself (--seed, --device, --out); remove them")
    unknown = sorted(set(hyperparams) - set(known) - set(OPTIONS))
    if unknown:
        raise ValueError(
            f"{source}: {spec.class_name} takes no hyperparameter {', '.join(map(repr, unknown))}; "
            f"its arguments are {known} and the gym-inventory options {list(OPTIONS)}"
        )
    options = split_options(hyperparams)[0]
    check_int("n_envs", options["n_envs"], 1)
    check_bool("normalize_observation", options["normalize_observation"])
    check_choice("reward_timing", options["reward_timing"], TRAINING_REWARD_TIMINGS)
    check_real("final_layer_gain", options["final_layer_gain"], 0.0)
    check_int("eval_freq", options["eval_freq"], 1)
    check_int("val_trajectories", options["val_trajectories"], 2)
    if options["val_horizon"] is not None:
        check_int("val_horizon", options["val_horizon"], 2)
    if options["patience"] is not None:
        check_int("patience", options["patience"], 0)
    parts = options["observation_parts"]
    if parts is not None and (not isinstance(parts, list) or not all(isinstance(part, str) for part in parts)):
        raise TypeError(f"observation_parts must be a list of part names or null, got {parts!r}")
    if not isinstance(options["regularization_options"], dict):
        raise TypeError(f"regularization_options must be a mapping, got {options['regularization_options']!r}")
    mu = options["initial_mu"]
    if not (mu is None or mu == "auto" or isinstance(mu, (int, float, list)) and not isinstance(mu, bool)):
        raise TypeError(f"initial_mu must be 'auto', a number, a list of numbers or null, got {mu!r}")
    kwargs = split_options(hyperparams)[1]
    activation = (kwargs.get("policy_kwargs") or {}).get("activation_fn")
    if isinstance(activation, str):
        check_choice("policy_kwargs.activation_fn", activation, ACTIVATIONS)
    for name in SCHEDULED:
        if isinstance(kwargs.get(name), dict):
            check_schedule(name, kwargs[name])
    noise = kwargs.get("action_noise")
    if noise is not None:
        if not isinstance(noise, dict) or set(noise) != {"kind", "sigma"}:
            raise ValueError(f"action_noise must be null or {{kind: normal | ornstein_uhlenbeck, sigma: S}}, got {noise!r}")
        check_choice("action_noise.kind", noise["kind"], NOISE_KINDS)
        check_real("action_noise.sigma", noise["sigma"], 0.0)


#: Arguments that take a linear schedule written ``{initial: X, final: Y, end_fraction: F}``: the value goes
#: from X to Y over the first F of training, then stays at Y (SB3's ``LinearSchedule``; the study's decay of the
#: learning rate to ``lr_min`` and of PPO's clip range to half).
SCHEDULED = ("learning_rate", "clip_range")


def check_schedule(name: str, schedule: dict) -> dict:
    """Validate a linear schedule ``{initial, final, end_fraction}`` of argument ``name``; returns it."""
    if set(schedule) != {"initial", "final", "end_fraction"}:
        raise ValueError(f"{name} must be a number or {{initial: X, final: Y, end_fraction: F}}, got {schedule!r}")
    check_real(f"{name}.initial", schedule["initial"], 0.0, strict=True)
    check_real(f"{name}.final", schedule["final"], 0.0, strict=True)
    fraction = check_real(f"{name}.end_fraction", schedule["end_fraction"], 0.0, strict=True)
    if fraction > 1.0:
        raise ValueError(f"{name}.end_fraction must be in (0, 1], got {fraction!r}")
    return schedule


def _linear_schedule(initial: float, final: float, end_fraction: float):
    """SB3's linear schedule: ``LinearSchedule`` (SB3 >= 2.6), else the older ``get_linear_fn``."""
    try:
        from stable_baselines3.common.utils import LinearSchedule
    except ImportError:  # pragma: no cover - SB3 < 2.6
        from stable_baselines3.common.utils import get_linear_fn

        return get_linear_fn(initial, final, end_fraction)
    return LinearSchedule(initial, final, end_fraction)


def split_options(hyperparams: dict) -> tuple[dict, dict]:
    """``(gym-inventory options with defaults filled in, algorithm keyword arguments)``."""
    options = {key: hyperparams.get(key, default) for key, default in OPTIONS.items()}
    kwargs = {key: value for key, value in hyperparams.items() if key not in OPTIONS}
    return options, kwargs


def algorithm_kwargs(kwargs: dict, action_size: int) -> dict:
    """The YAML-level keyword arguments turned into what the algorithm's constructor takes."""
    import torch.nn as nn
    from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise

    kwargs = copy.deepcopy(kwargs)
    policy_kwargs = kwargs.get("policy_kwargs")
    if policy_kwargs and isinstance(policy_kwargs.get("activation_fn"), str):
        activations = {"relu": nn.ReLU, "tanh": nn.Tanh, "elu": nn.ELU, "leaky_relu": nn.LeakyReLU}
        policy_kwargs["activation_fn"] = activations[policy_kwargs["activation_fn"]]
    noise = kwargs.get("action_noise")
    if isinstance(noise, dict):
        noise_class = NormalActionNoise if noise["kind"] == "normal" else OrnsteinUhlenbeckActionNoise
        kwargs["action_noise"] = noise_class(mean=np.zeros(action_size), sigma=np.full(action_size, float(noise["sigma"])))
    if isinstance(kwargs.get("train_freq"), list):
        kwargs["train_freq"] = tuple(kwargs["train_freq"])
    for name in SCHEDULED:
        if isinstance(kwargs.get(name), dict):
            schedule = check_schedule(name, kwargs[name])
            kwargs[name] = _linear_schedule(float(schedule["initial"]), float(schedule["final"]), float(schedule["end_fraction"]))
    return kwargs
