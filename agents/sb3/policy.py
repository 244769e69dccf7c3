"""A trained SB3 model as a :class:`gym_inventory.policy.Policy`: decision states in, orders in units out.

The model saw, in training, the env's observation (normalized by ``VecNormalize``
when that option was on) and acted in [-1, 1]; the env un-rescaled that action to mu
and its regularization wrapper turned mu into an order with
:func:`gym_inventory.remap.remap`. :class:`SB3Policy` repeats exactly those steps,
batched over the SKUs of a :class:`~gym_inventory.policy.DecisionState`::

    observation -> [normalize] -> model.predict(deterministic=True) -> un-rescale -> mu -> remap -> orders

so ``gym_inventory.evaluate`` and ``gym_inventory.evaluation.compare`` score a trained
model on the same footing (and the same demand paths) as the classical policies.
"""
from __future__ import annotations

import numpy as np

from agents.sb3.env import MuRescale, make_env, observation_columns
from gym_inventory.policy import DecisionState, Policy
from gym_inventory.wrappers import RegularizedAction


def regularization_wrapper(env) -> RegularizedAction:
    """The regularization wrapper inside a single env built by :func:`agents.sb3.env.make_env`."""
    while not isinstance(env, RegularizedAction):
        if not hasattr(env, "env"):
            raise ValueError(f"{env!r} has no regularization wrapper")
        env = env.env
    return env


class SB3Policy(Policy):
    """Orders from an SB3 model trained on a regularized, rescaled inventory env.

    Args:
        model: the trained SB3 / sb3-contrib model (its action space is [-1, 1]).
        regularization: the regularization it was trained with.
        env_config: the ``gym.make`` keyword arguments it was trained on (for mu's bounds).
        regularization_options: the wrapper options it was trained with.
        observation_parts: the observation parts it saw (None: all).
        obs_normalizer: SB3's ``VecNormalize`` whose statistics it was trained with, or None.
        name: the row name in tables.

    Recurrent models (RecurrentPPO) keep their LSTM state per SKU between calls; it is
    cleared by :meth:`reset`, which :func:`gym_inventory.evaluate` calls before every batch.
    """

    def __init__(self, model, regularization: str, env_config: dict, *, regularization_options: dict | None = None,
                 observation_parts=None, obs_normalizer=None, name: str | None = None):
        probe = make_env(regularization, env_config, regularization_options=regularization_options)
        self.remapper = regularization_wrapper(probe).remapper
        self.columns = observation_columns(probe.unwrapped, observation_parts)
        self.obs_dim = probe.unwrapped.observation_space.shape[0]
        self.rescale = MuRescale(self.remapper.space)
        self.model = model
        self.obs_normalizer = obs_normalizer
        self.recurrent = hasattr(model.policy, "lstm_actor")
        self.name = name or f"{type(model).__name__.lower()}+{regularization}"
        self._lstm_states = None
        self._episode_starts = None

    def reset(self, n_skus: int) -> None:
        self._lstm_states = None
        self._episode_starts = np.ones(n_skus, dtype=bool)

    def model_observation(self, observation: np.ndarray) -> np.ndarray:
        """What the model reads for env observations ``(n, obs_dim)``: the selected parts, normalized as in training."""
        if self.columns is not None:
            observation = observation[:, self.columns]
        if self.obs_normalizer is not None:
            observation = self.obs_normalizer.normalize_obs(observation)
        return observation

    def mu(self, observation: np.ndarray) -> np.ndarray:
        """mu ``(n, size)`` of the deterministic policy for observations ``(n, obs_dim)``."""
        observation = np.asarray(observation, dtype=np.float32)
        if observation.ndim != 2 or observation.shape[1] != self.obs_dim:
            raise ValueError(
                f"observations must have shape (n_skus, {self.obs_dim}) for this policy (trained with that lead time "
                f"and context), got shape {observation.shape}"
            )
        observation = self.model_observation(observation)
        if self.recurrent:
            n = observation.shape[0]
            if self._episode_starts is None or self._episode_starts.shape[0] != n:
                self.reset(n)
            action, self._lstm_states = self.model.predict(
                observation, state=self._lstm_states, episode_start=self._episode_starts, deterministic=True
            )
            self._episode_starts = np.zeros(n, dtype=bool)
        else:
            action, _ = self.model.predict(observation, deterministic=True)
        return self.rescale.to_mu(np.clip(action, -1.0, 1.0))

    def __call__(self, state: DecisionState) -> np.ndarray:
        n = state.inventory_position.shape[0]
        mu = self.remapper.check_mu(self.mu(state.observation), n)
        # The DecisionState carries inventory_position, features and scale, as the env does.
        return self.remapper.orders(mu, state)

    def __repr__(self) -> str:
        return f"SB3Policy({type(self.model).__name__}, kind={self.remapper.kind!r})"
