"""An SB3 ``VecEnv`` over a natively batched Gymnasium vector env: N SKUs in one process.

SB3's algorithms collect experience through a ``VecEnv``. :class:`BatchedVecEnv`
presents a Gymnasium ``VectorEnv`` (such as
:class:`~gym_inventory.vector.InventoryVectorEnv`, possibly under the vector
regularization wrappers) as one, without subprocesses or a Python loop over
SKUs in the step. With SAME_STEP autoreset the conventions translate directly,
since both reset in the step that ends an episode:

============================== ==========================================================
Gymnasium (SAME_STEP)          SB3
============================== ==========================================================
``terminated | truncated``     ``dones``
``infos["final_obs"][i]``      ``infos[i]["terminal_observation"]``
``truncated & ~terminated``    ``infos[i]["TimeLimit.truncated"]`` (bootstrapping on time limits)
dict of arrays                 list of one dict per SKU
============================== ==========================================================

With NEXT_STEP or DISABLED autoreset, where every env ends its episode in the same
step (as the SKUs of ``InventoryVectorEnv`` do), the adapter starts the next episode
itself in that step (one more ``step``, whose actions the env ignores, or a ``reset``)
and returns the same values as with SAME_STEP.

>>> from agents.vec_env import make_inventory_vec_env
>>> venv = make_inventory_vec_env(4, regularization="base", horizon=3)
>>> venv.seed(0)
[0, 1, 2, 3]
>>> obs = venv.reset()
>>> obs.shape, venv.action_space.shape
((4, 12), (1,))
>>> for _ in range(3):
...     obs, rewards, dones, infos = venv.step(np.full((4, 1), 4.0, np.float32))
>>> dones.tolist(), infos[0]["terminal_observation"].shape, infos[0]["TimeLimit.truncated"]
([True, True, True, True], (12,), True)
"""
from __future__ import annotations

from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv, VectorWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvObs, VecEnvStepReturn


class BatchedVecEnv(VecEnv):
    """SB3 ``VecEnv`` view of a Gymnasium ``VectorEnv`` (any autoreset mode, see the module docstring).

    Args:
        vector_env: the batched env, e.g. ``regularize(InventoryVectorEnv(num_envs=N, ...), "both")``.
        info_keys: keys of the vector env's step infos copied into every SKU's info dict
            each step (e.g. ``("cost",)``); building N dicts per step costs time, so none
            by default. At the end of an episode each SKU's dict also gets
            ``terminal_observation``, ``TimeLimit.truncated`` and, when the env reports
            them, ``episode_metrics`` (a dict of floats).

    Seeds and options: the SKUs share one random stream, so ``reset`` seeds the vector
    env with the first of SB3's per-env seeds. Options set with ``set_options(dict)``
    go to the vector env as they are (batched values such as ``(N, days)`` demand);
    a list of per-SKU dicts that differ is stacked key by key into batched values.

    Attributes and methods (``get_attr``, ``set_attr``, ``env_method``) act on the
    one shared vector env (found through its wrappers) and return one entry per
    requested index.
    """

    def __init__(self, vector_env: VectorEnv, info_keys: Sequence[str] = ()):
        if not isinstance(vector_env, VectorEnv):
            raise TypeError(f"vector_env must be a gymnasium VectorEnv, got {vector_env!r}")
        mode = vector_env.metadata.get("autoreset_mode")
        if not isinstance(mode, AutoresetMode):
            raise ValueError(
                f"vector_env must declare its autoreset mode (metadata['autoreset_mode'], an AutoresetMode), got {mode!r}"
            )
        self.autoreset_mode = mode
        if isinstance(info_keys, str) or not all(isinstance(key, str) for key in info_keys):
            raise TypeError(f"info_keys must be a sequence of strings, got {info_keys!r}")
        self.vector_env = vector_env
        self.info_keys = tuple(info_keys)
        self._actions: np.ndarray | None = None
        super().__init__(vector_env.num_envs, vector_env.single_observation_space, vector_env.single_action_space)

    # ---------------------------------------------------------------- stepping
    def reset(self) -> VecEnvObs:
        options = merge_sku_options(self._options)
        obs, infos = self.vector_env.reset(seed=self._seeds[0], options=options or None)
        self._reset_seeds()
        self._reset_options()
        self.reset_infos = self._sku_infos(infos, self.num_envs, [key for key in infos if not key.startswith("_")])
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        obs, rewards, terminated, truncated, infos = self.vector_env.step(self._actions)
        dones = np.logical_or(terminated, truncated)
        if not dones.any():
            return obs, rewards.astype(np.float32), dones, self._sku_infos(infos, self.num_envs, self.info_keys)
        if self.autoreset_mode is not AutoresetMode.SAME_STEP:
            obs, infos = self._start_next_episodes(obs, infos, dones)
        final_info = infos["final_info"]
        sku_infos = self._sku_infos(final_info, self.num_envs, self.info_keys)
        final_obs = infos["final_obs"]
        metrics = final_info.get("episode_metrics")
        for index in np.flatnonzero(dones):
            info = sku_infos[index]
            info["terminal_observation"] = final_obs[index]
            info["TimeLimit.truncated"] = bool(truncated[index] and not terminated[index])
            if metrics is not None:
                info["episode_metrics"] = {
                    key: value[index].item() for key, value in metrics.items() if not key.startswith("_")
                }
        reset_keys = [key for key in infos if not key.startswith("_") and key not in ("final_obs", "final_info")]
        for index, reset_info in zip(np.flatnonzero(dones), self._sku_infos(infos, self.num_envs, reset_keys)):
            self.reset_infos[index] = reset_info
        return obs, rewards.astype(np.float32), dones, sku_infos

    def _start_next_episodes(self, last_obs: np.ndarray, infos: dict, dones: np.ndarray) -> tuple[np.ndarray, dict]:
        """NEXT_STEP or DISABLED: start the next episodes now; SAME_STEP's obs and infos."""
        if not dones.all():
            raise ValueError(
                f"BatchedVecEnv needs every env of a {self.autoreset_mode} vector env to end its episode in the "
                "same step (use AutoresetMode.SAME_STEP otherwise)"
            )
        if self.autoreset_mode is AutoresetMode.NEXT_STEP:
            obs, _, _, _, reset_infos = self.vector_env.step(self._actions)  # the actions are ignored
        else:
            obs, reset_infos = self.vector_env.reset()
        final_obs = np.empty(self.num_envs, dtype=object)
        final_obs[:] = list(last_obs)
        return obs, {"final_obs": final_obs, "final_info": infos, **reset_infos}

    @staticmethod
    def _sku_infos(infos: dict, num_envs: int, keys: Sequence[str]) -> list[dict[str, Any]]:
        """One dict per SKU with ``keys`` of the vector infos (where the SKU's mask is set)."""
        sku_infos = [{} for _ in range(num_envs)]
        for key in keys:
            if key not in infos:
                continue
            values, mask = infos[key], infos.get("_" + key)
            for index in range(num_envs) if mask is None else np.flatnonzero(mask):
                value = values[index]
                sku_infos[index][key] = value.item() if isinstance(value, np.generic) else value
        return sku_infos

    def close(self) -> None:
        self.vector_env.close()

    # ---------------------------------------------------------------- attributes
    def _find(self, name: str):
        env = self.vector_env
        while True:
            try:
                return getattr(env, name)
            except AttributeError:
                if not isinstance(env, VectorWrapper):
                    raise
                env = env.env

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        value = self._find(attr_name)
        return [value for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        # One env serves every SKU: the attribute is set once, for all of them.
        setattr(self.vector_env, attr_name, value)

    def env_method(self, method_name: str, *method_args, indices: VecEnvIndices = None, **method_kwargs) -> list[Any]:
        # Called once (the SKUs share the env); the result is repeated for each index.
        result = self._find(method_name)(*method_args, **method_kwargs)
        return [result for _ in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        # Single-env wrappers (Monitor included) cannot wrap a vector env; use VecMonitor.
        return [False for _ in self._get_indices(indices)]

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [None for _ in range(self.num_envs)]


def merge_sku_options(options: list[dict]) -> dict:
    """One options dict for the vector env from SB3's per-SKU list.

    Identical dicts (``set_options(dict)``) pass as they are; dicts that differ must
    share their keys, and each key's values are stacked along a new first (SKU) axis.
    """
    first = options[0]
    if all(_same(first, other) for other in options[1:]):
        return dict(first)
    keys = set(first)
    if any(set(other) != keys for other in options):
        raise ValueError(f"per-SKU reset options must all have the same keys, got {[sorted(o) for o in options]}")
    return {key: np.stack([np.asarray(other[key], dtype=np.float64) for other in options]) for key in keys}


def _same(one: dict, other: dict) -> bool:
    return set(one) == set(other) and all(np.array_equal(np.asarray(one[key]), np.asarray(other[key])) for key in one)


def make_inventory_vec_env(
    num_envs: int,
    regularization: str | None = None,
    *,
    regularization_options: dict | None = None,
    info_keys: Sequence[str] = (),
    **env_kwargs,
) -> BatchedVecEnv:
    """An SB3 ``VecEnv`` of ``num_envs`` SKUs of ``InventoryLeadTime-v0``, optionally regularized.

    Args:
        num_envs: SKUs stepped together.
        regularization: None (orders in units) or a kind of
            :func:`gym_inventory.wrappers.regularize` (``"none"``, ``"base"``, ``"coeff"``, ``"both"``).
        regularization_options: ``low``, ``high``, ``order_cap``, ``integer`` of the wrapper.
        info_keys: see :class:`BatchedVecEnv`.
        **env_kwargs: keyword arguments of ``gym.make("InventoryLeadTime-v0", ...)``
            (and ``max_episode_steps``).
    """
    from gym_inventory.vector import InventoryVectorEnv
    from gym_inventory.wrappers import regularize

    vector_env = InventoryVectorEnv(num_envs=num_envs, autoreset_mode=AutoresetMode.SAME_STEP, **env_kwargs)
    if regularization is not None:
        vector_env = regularize(vector_env, regularization, **(regularization_options or {}))
    elif regularization_options:
        raise ValueError(f"regularization_options {regularization_options!r} need a regularization kind")
    return BatchedVecEnv(vector_env, info_keys=info_keys)
