"""``InventoryVectorEnv``: N SKUs of ``InventoryLeadTime-v0`` stepped by one batched simulator call."""
from __future__ import annotations

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from gym_inventory.envs.inventory_env import check_reset_options, make_simulator
from gym_inventory.params import check_bool, check_int
from gym_inventory.simulator import STEP_FIELDS, as_finite_array


class InventoryVectorEnv(VectorEnv):
    r"""``num_envs`` SKUs of ``InventoryLeadTime-v0`` in lock-step, natively batched.

    Every :meth:`step` advances all SKUs with one step of the shared
    :class:`~gym_inventory.simulator.InventorySimulator` (one call of
    :func:`~gym_inventory.dynamics.simulate_columns` on ``(num_envs,)`` arrays; no
    Python loop over SKUs). Given the same demand paths and actions, SKU ``i``
    follows exactly the trajectory of a single ``gym.make("InventoryLeadTime-v0")``
    env: same observations, rewards, infos and truncation.

    Built by ``gym.make_vec("InventoryLeadTime-v0", num_envs=N, vectorization_mode="vector_entry_point", **kwargs)``
    or directly; the keyword arguments are those of
    :class:`~gym_inventory.envs.InventoryEnv` (``render_mode`` must be None).

    ## Spaces
    ``single_action_space``: ``Box(0, max_order, (1,), float32)`` units to order;
    ``action_space``: ``(num_envs, 1)``; an array of shape ``(num_envs,)`` is accepted
    too. As in the single env, finite actions outside the bounds are clipped and NaN,
    infinite or misshaped actions raise ``ValueError``. ``single_observation_space``
    is the single env's observation space; observations are ``(num_envs, obs_dim)`` float32.

    ## Episodes and autoreset
    All SKUs share the horizon, so they are truncated together after
    ``min(horizon, max_episode_steps)`` steps (never terminated). ``autoreset_mode``
    (an :class:`~gymnasium.vector.AutoresetMode` or its value, also in
    ``metadata["autoreset_mode"]``) says what happens then, exactly as in Gymnasium's
    ``SyncVectorEnv`` (see https://farama.org/Vector-Autoreset-Mode):

    * ``NEXT_STEP`` (default, Gymnasium's): the step that ends an episode returns its
      last observations; the next ``step`` ignores its actions, starts the next episode
      and returns its first observations, zero rewards, no termination or truncation
      and the reset infos. Gymnasium's vector wrappers (``NormalizeObservation``,
      ``NormalizeReward``, ...) expect this mode.
    * ``SAME_STEP`` (SB3's convention, used by :class:`agents.vec_env.BatchedVecEnv`):
      the step that ends an episode returns the first observations of the next one,
      with the last observations in ``infos["final_obs"]`` (an object array of
      ``(obs_dim,)`` arrays) and the step's infos in ``infos["final_info"]``; the other
      keys of that step's ``infos`` are the reset infos.
    * ``DISABLED``: the caller calls ``reset`` after an episode ends; ``step`` before
      that raises ``RuntimeError``.

    The next episode's demand is drawn from the env's ``np_random`` (one stream shared
    by the SKUs), so the three modes give the same episodes.

    ## Reset
    ``reset(seed=None, options=None)``: ``seed`` an int or None; ``options`` as in the
    single env with batched values: ``"demand"`` ``(days,)`` or ``(num_envs, days)``,
    ``"history"``, ``"features"`` ``(horizon, 5)`` or ``(num_envs, horizon, 5)``,
    ``"initial_inventory"``. All SKUs reset together: a ``"reset_mask"`` option must
    select every SKU.

    ## Infos
    The single env's info keys, each an array with a leading ``num_envs`` axis and a
    boolean mask ``"_" + key`` (Gymnasium's vector convention): floats are float64,
    ``stockout_days`` and ``day`` int64, ``stockout`` bool, ``pipeline``
    ``(num_envs, L + 1)``; ``episode_metrics`` is a dict of such arrays.

    ## State
    ``inventory_position`` ``(num_envs,)``, ``features`` ``(num_envs, 5)``, ``scale``
    ``(num_envs,)``, ``pipeline``, ``reward_unit``, ``params``, ``max_order``,
    ``simulator`` and :meth:`decision_state` describe every SKU now; the vector
    regularization wrappers read them.

    >>> import gymnasium as gym, numpy as np, gym_inventory
    >>> envs = gym.make_vec("InventoryLeadTime-v0", num_envs=3, vectorization_mode="vector_entry_point", horizon=2)
    >>> obs, info = envs.reset(seed=0)
    >>> obs.shape, info["scale"].tolist()
    ((3, 12), [5.0, 5.0, 5.0])
    >>> obs, reward, terminated, truncated, info = envs.step(np.full((3, 1), 5.0, np.float32))
    >>> info["order"].tolist(), truncated.tolist()
    ([5.0, 5.0, 5.0], [False, False, False])
    >>> obs, reward, terminated, truncated, info = envs.step(np.full((3, 1), 5.0, np.float32))
    >>> truncated.tolist(), info["episode_metrics"]["days"].tolist()
    ([True, True, True], [2, 2, 2])
    >>> obs, reward, terminated, truncated, info = envs.step(np.full((3, 1), 5.0, np.float32))  # NEXT_STEP: resets
    >>> reward.tolist(), truncated.tolist(), info["day"].tolist()
    ([0.0, 0.0, 0.0], [False, False, False], [0, 0, 0])
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(
        self,
        num_envs: int = 1,
        max_episode_steps: int | None = None,
        render_mode: str | None = None,
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        **kwargs,
    ):
        if render_mode is not None:
            raise ValueError(f"InventoryVectorEnv does not render; render_mode must be None, got {render_mode!r}")
        self.autoreset_mode = check_autoreset_mode(autoreset_mode)
        self.metadata = {**type(self).metadata, "autoreset_mode": self.autoreset_mode}
        self.num_envs = check_int("num_envs", num_envs, 1)
        self.simulator = make_simulator(self.num_envs, **kwargs)
        self.params = self.simulator.params
        self.demand_model = self.simulator.demand_model
        self.max_order = self.simulator.max_order
        horizon = self.params.horizon
        self.max_episode_steps = horizon if max_episode_steps is None else min(
            check_int("max_episode_steps", max_episode_steps, 1), horizon
        )
        self.render_mode = None
        self.single_action_space = spaces.Box(0.0, self.max_order, shape=(1,), dtype=np.float32)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.single_observation_space = spaces.Box(-np.inf, np.inf, shape=(self.simulator.obs_dim,), dtype=np.float32)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self._needs_reset = True
        self._autoreset = False

    # ---------------------------------------------------------------- state of every SKU
    @property
    def inventory_position(self) -> np.ndarray:
        """tot(I) of every SKU, ``(num_envs,)`` units."""
        return self.simulator.inventory_position

    @property
    def features(self) -> np.ndarray:
        """feat(x) of every SKU at the current decision, ``(num_envs, 5)`` units of demand per day."""
        return self.simulator.features

    @property
    def scale(self) -> np.ndarray:
        """Every SKU's scale (typical daily demand, units/day) in this episode, ``(num_envs,)``."""
        return self.simulator.scale

    @property
    def reward_unit(self) -> np.ndarray:
        """Money per unit of reward, ``(num_envs,)``: ``cost = -reward * reward_unit`` (objective ``"cost"``)."""
        return self.simulator.reward_unit

    @property
    def pipeline(self) -> np.ndarray:
        """``(num_envs, L + 1)``: net inventory, then units arriving in 0 .. L-1 days."""
        return self.simulator.pipeline

    @property
    def observation_layout(self) -> dict:
        """Observation part name -> slice of the observation vector."""
        return dict(self.simulator.observation_layout)

    def decision_state(self):
        """The :class:`~gym_inventory.policy.DecisionState` of every SKU now."""
        return self.simulator.decision_state()

    # ---------------------------------------------------------------- API
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start an episode for every SKU; returns ``(obs (num_envs, obs_dim), infos)``."""
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"seed must be an int or None (the SKUs share one random stream), got {seed!r}")
        if isinstance(options, dict) and "reset_mask" in options:
            mask = np.asarray(options["reset_mask"])
            if mask.dtype != np.bool_ or mask.shape != (self.num_envs,) or not mask.all():
                raise ValueError(
                    f"options['reset_mask'] must select every SKU (the SKUs of InventoryVectorEnv reset together), "
                    f"got {options['reset_mask']!r}"
                )
            options = {key: value for key, value in options.items() if key != "reset_mask"}
        super().reset(seed=seed)
        obs = self.simulator.reset(self.np_random, **check_reset_options(options))
        self._needs_reset = False
        self._autoreset = False
        return obs, self._reset_infos()

    def _reset_infos(self) -> dict:
        simulator = self.simulator
        values = {
            "inventory_position": simulator.inventory_position,
            "scale": np.array(simulator.scale, dtype=np.float64),
            "day": np.zeros(self.num_envs, dtype=np.int64),
        }
        return self._with_masks(values)

    def _with_masks(self, values: dict) -> dict:
        """Gymnasium's vector info layout: every key, then ``"_" + key``, a mask of all SKUs."""
        masks = np.ones((len(values), self.num_envs), dtype=bool)
        infos = {}
        for mask, (key, value) in zip(masks, values.items()):
            infos[key] = value
            infos["_" + key] = mask
        return infos

    def step(self, actions):
        """Order ``actions`` (units, ``(num_envs, 1)``) for every SKU and simulate one epoch."""
        if self._needs_reset:
            raise RuntimeError("call reset() before step()")
        if self._autoreset:  # NEXT_STEP: this step starts the next episode; the actions are ignored
            self._autoreset = False
            zeros = np.zeros(self.num_envs, dtype=bool)
            return self.simulator.reset(self.np_random), np.zeros(self.num_envs), zeros, zeros.copy(), self._reset_infos()
        orders = self._orders_from_actions(actions)
        simulator = self.simulator
        obs, reward, result = simulator.step(orders)
        values = {name: result[name] for name in STEP_FIELDS}
        values["stockout_days"] = values["stockout_days"].astype(np.int64)
        values["pipeline"] = simulator.pipeline.copy()
        values["day"] = np.full(self.num_envs, simulator.epoch * self.params.review_period, dtype=np.int64)
        if simulator.epoch == self.params.horizon:
            values["episode_metrics"] = self._with_masks(simulator.episode_metrics())
        infos = self._with_masks(values)
        reward = np.asarray(reward, dtype=np.float64)
        terminated = np.zeros(self.num_envs, dtype=bool)
        if simulator.epoch < self.max_episode_steps:
            return obs, reward, terminated, terminated.copy(), infos
        if self.autoreset_mode is not AutoresetMode.SAME_STEP:
            if self.autoreset_mode is AutoresetMode.NEXT_STEP:
                self._autoreset = True
            else:
                self._needs_reset = True
            return obs, reward, terminated, np.ones(self.num_envs, dtype=bool), infos
        final_obs = np.empty(self.num_envs, dtype=object)
        final_obs[:] = list(obs)
        obs = simulator.reset(self.np_random)
        infos = {
            "final_obs": final_obs,
            "_final_obs": np.ones(self.num_envs, dtype=bool),
            "final_info": infos,
            "_final_info": np.ones(self.num_envs, dtype=bool),
            **self._reset_infos(),
        }
        return obs, reward, terminated, np.ones(self.num_envs, dtype=bool), infos

    def _orders_from_actions(self, actions) -> np.ndarray:
        value = as_finite_array(actions, "actions")  # numeric and finite, or a clear error
        if value.shape not in ((self.num_envs, 1), (self.num_envs,)):
            raise ValueError(f"actions must have shape ({self.num_envs}, 1) or ({self.num_envs},), got shape {value.shape}")
        # Documented clip to the action bounds, as in the single env.
        return np.clip(value.reshape(self.num_envs), 0.0, self.max_order)

    def __repr__(self) -> str:
        return f"InventoryVectorEnv(num_envs={self.num_envs}, params={self.params!r})"


def check_autoreset_mode(mode) -> AutoresetMode:
    """``mode`` as an :class:`~gymnasium.vector.AutoresetMode` (an enum member or its value, e.g. ``"SameStep"``)."""
    if isinstance(mode, AutoresetMode):
        return mode
    try:
        return AutoresetMode(mode)
    except ValueError:
        raise ValueError(
            f"autoreset_mode must be one of {[m.value for m in AutoresetMode]} (or an AutoresetMode), got {mode!r}"
        ) from None


def make_inventory_vector_env(num_envs: int = 1, *, normalize_action: bool = False, **kwargs):
    """Vector entry point of ``InventoryLeadTime-v0``: an :class:`InventoryVectorEnv`.

    ``gym.make_vec(ID, num_envs=N, vectorization_mode="vector_entry_point", **kwargs)``
    calls it; with ``normalize_action=True`` (as in ``gym.make``) Gymnasium's vector
    ``RescaleAction(-1, 1)`` maps actions in ``[-1, 1]`` onto ``[0, max_order]`` units.
    """
    from gym_inventory.envs import normalized

    envs = InventoryVectorEnv(num_envs=num_envs, **kwargs)
    return normalized(envs) if check_bool("normalize_action", normalize_action) else envs
