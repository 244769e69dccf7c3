"""Batched episodes of many SKUs on numpy: the engine under the env and the vector env.

:class:`InventorySimulator` owns one episode for ``n_skus`` SKUs in lock-step: the
demand path, the context, the pipeline state and the episode's records. Each
:meth:`~InventorySimulator.step` advances every SKU with one call of the shared
:func:`~gym_inventory.dynamics.simulate_columns` (no loop over SKUs); a simulator of
one SKU runs it on Python floats (:meth:`~InventorySimulator.step_sku`), bit for bit
the same numbers.
"""
from __future__ import annotations

import numpy as np

from gym_inventory.core import (
    RECORD_FIELDS,
    InventoryState,
    advance,
    epoch_reward,
    lookahead_cost,
    observation,
    step as step_epoch,
)
from gym_inventory.demand import DemandPaths
from gym_inventory.dynamics import PythonFloats
from gym_inventory.leadtime import effective_lead_times
from gym_inventory.features import FEATURE_NAMES, FORECAST_DAYS, HISTORY_DAYS, N_FEATURES, forecast_features
from gym_inventory.params import BYTES_PER_SKU_DAY, check_memory, check_real_array, check_units
from gym_inventory.problem import Problem

#: Static context every observation carries, before the demand model's own static features.
BASE_STATIC_NAMES = ("lead_time", "review_period", "critical_ratio", "log_scale")

#: Per-SKU numbers recorded every epoch (``simulator.records[name]``, ``(n_skus, horizon)``): the
#: fields of :class:`gym_inventory.core.EpochRecord` (units ordered, demanded, delivered (sales), lost,
#: backlogged at the end, unmet on their day; on-hand at the end; inventory position after the epoch;
#: holding, penalty and total cost (money); days with unmet demand; sum over the days of end-of-day on-hand).
_FIELD_INDEX = {name: index for index, name in enumerate(RECORD_FIELDS)}

#: Fields of a step's result: the records, and ``stockout`` (bool, a day with unmet demand).
STEP_FIELDS = RECORD_FIELDS + ("stockout",)


class StepResult:
    """A step's per-SKU numbers: ``result[name]`` is an ``(n_skus,)`` array, name in :data:`STEP_FIELDS`.

    ``rows`` holds them as one ``(len(RECORD_FIELDS), n_skus)`` array (in that order).
    """

    __slots__ = ("rows",)

    def __init__(self, rows: np.ndarray):
        self.rows = rows

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "stockout":
            return self.rows[_FIELD_INDEX["stockout_days"]] > 0
        return self.rows[_FIELD_INDEX[name]]

    def keys(self):
        return STEP_FIELDS

    def __iter__(self):
        return iter(STEP_FIELDS)

    def items(self):
        return [(name, self[name]) for name in STEP_FIELDS]


def _row_sums(pipeline: np.ndarray) -> np.ndarray:
    """tot(I) per SKU: the same numbers as :func:`~gym_inventory.dynamics.inventory_position`.

    numpy reduces a row of fewer than 8 numbers left to right, one row at a time, which
    is slow on large batches; adding the columns left to right gives identical sums.
    Small batches and long rows (pairwise summation) use the reduction itself.
    """
    n_skus, width = pipeline.shape
    if n_skus < 32 or width >= 8:
        return np.add.reduce(pipeline, axis=1)
    total = pipeline[:, 0].copy()
    for column in range(1, width):
        total += pipeline[:, column]
    return total


class InventorySimulator:
    """One episode of ``n_skus`` SKUs that share a problem (parameters, demand model, action bound).

    Episode bookkeeping -- sampling the demand and context paths, the features, the
    named records -- around the pure functions of :mod:`gym_inventory.core` and the one
    transition :func:`~gym_inventory.dynamics.simulate_columns`. The episode's state is
    :attr:`state`, a :class:`~gym_inventory.core.InventoryState` (numpy columns; Python
    floats in a simulator of one SKU), advanced by :func:`gym_inventory.core.step`;
    :attr:`pipeline` and :attr:`epoch` read it.

    Args:
        problem: the :class:`~gym_inventory.problem.Problem` (``params``, ``demand``, ``max_order``).
        n_skus: number of SKUs simulated side by side.
        initial_inventory: default starting pipeline: None (net inventory of
            ``(lead_time + review_period) * scale`` on hand, nothing in transit), a
            number (units on hand, nothing in transit), or an array of the pipeline,
            shape ``(lead_time + 1,)`` or ``(n_skus, lead_time + 1)``.
    """

    def __init__(self, problem: Problem, n_skus: int, initial_inventory=None):
        if not isinstance(problem, Problem):
            raise TypeError(f"problem must be a gym_inventory.problem.Problem, got {problem!r}")
        self.problem = problem
        params = self.params = problem.params
        demand_model = self.demand_model = problem.demand
        self.max_order = problem.max_order  # the action bound, units
        self.n_skus = int(n_skus)
        rows = None if params.lead_time_distribution is None else params.lead_time_distribution.per_sku
        if rows is not None and rows != self.n_skus:
            raise ValueError(
                f"lead_time has a distribution per SKU for {rows} SKUs (one row each), but the simulator has "
                f"n_skus={self.n_skus}"
            )
        days = params.episode_days + params.lookahead_days + HISTORY_DAYS + FORECAST_DAYS
        check_memory(f"simulating {self.n_skus} SKUs x {days} days", self.n_skus * days * BYTES_PER_SKU_DAY)
        self.initial_inventory = None if initial_inventory is None else self._check_pipeline(initial_inventory, "initial_inventory")
        width = params.lead_time + 1
        names = ["net_inventory"] + [f"arriving_in_{k}_days" for k in range(params.lead_time)]
        names += list(FEATURE_NAMES)
        names += list(BASE_STATIC_NAMES) + list(demand_model.static_names) + list(demand_model.dynamic_names)
        self.observation_names = tuple(names)
        n_static = len(BASE_STATIC_NAMES) + len(demand_model.static_names)
        n_dynamic = len(demand_model.dynamic_names)
        self.observation_layout = {
            "pipeline": slice(0, width),
            "features": slice(width, width + N_FEATURES),
            "static": slice(width + N_FEATURES, width + N_FEATURES + n_static),
            "dynamic": slice(width + N_FEATURES + n_static, width + N_FEATURES + n_static + n_dynamic),
        }
        self.obs_dim = len(names)
        self._arrivals = None  # (n_skus, horizon) effective lead times of the episode, None: fixed
        self._set_pipeline(np.zeros((self.n_skus, width)))
        # One block for every per-epoch record, written with one assignment per step;
        # ``records[name]`` are ``(n_skus, horizon)`` views of it.
        # Column-major, so that each step's column is one contiguous write (large batches).
        # Kept from episode to episode (a fresh block of a large batch costs a page fault per
        # 4 KiB written); the last episode's columns are zeroed when ``records`` is read.
        self._record_block = np.zeros((len(RECORD_FIELDS) * self.n_skus, params.horizon), order="F")
        blocks = self._record_block.reshape(len(RECORD_FIELDS), self.n_skus, params.horizon)
        self._records = dict(zip(RECORD_FIELDS, blocks))
        self._stale_records = False

    # ------------------------------------------------------------------ reset
    def reset(self, rng: np.random.Generator, *, demand=None, history=None, features=None, initial_inventory=None):
        """Start an episode; return the first observations, ``(n_skus, obs_dim)`` float32.

        Args:
            rng: the only source of randomness.
            demand: optional exact demand path, ``(days,)`` or ``(n_skus, days)`` with
                ``days = horizon * review_period (+ lead_time for lead_time_window)``.
            history: optional demand before the episode, ``(h,)`` or ``(n_skus, h)``,
                used by the trailing-mean features of a replayed path.
            features: optional feat(x) per decision, ``(horizon, 5)`` or ``(n_skus, horizon, 5)``.
            initial_inventory: optional pipeline overriding the default for this episode.
        """
        p = self.params
        # first, from rng's state as the episode starts: the draws do not depend on the demand model's sampler
        self._arrivals = self._sample_lead_times(rng)
        required = p.episode_days + p.lookahead_days
        if demand is None:
            if history is not None:
                raise ValueError("history is only used with a replayed demand path; pass demand too")
            history_days = HISTORY_DAYS
            paths = self.demand_model.sample(rng, self.n_skus, history_days + required + FORECAST_DAYS)
            path = paths.demand
        else:
            path = self._check_path(demand, "demand", required)
            past = np.zeros((self.n_skus, 0)) if history is None else self._check_path(history, "history", None)
            history_days = past.shape[1]
            path = np.concatenate([past, path], axis=1)
            paths = self.demand_model.sample(rng, self.n_skus, path.shape[1])
        # Day-major: a step reads one day of every SKU, a contiguous vector (sampled paths often come so).
        self._demand = np.asfortranarray(path)
        self._first_day = history_days
        self.scale = paths.scale
        decision_days = history_days + p.review_period * np.arange(p.horizon)
        if features is not None:
            self._features = self._check_features(features)
        elif paths.features is not None and demand is None:
            self._features = paths.features[:, decision_days]
        else:
            expected = paths.expected if p.forecast_source == "expected" else None
            # The last episode's block is rewritten (``feature_path`` is valid until the next reset).
            reuse = getattr(self, "_feature_block", None)
            self._features = forecast_features(self._demand, decision_days, paths.scale, p.forecast_noise, rng, expected,
                                               out=reuse)
            self._feature_block = self._features.transpose(2, 1, 0)
        self._prepare_context(paths, decision_days)
        if p.pipeline_unit is not None:
            self._inv_scale = np.full(self.n_skus, 1.0 / p.pipeline_unit)
        else:
            self._inv_scale = (1.0 / self.scale) if p.normalize else np.ones(self.n_skus)
        self._reward_unit = self.problem.reward_unit(self.scale)
        self._negative_inverse_reward_unit = -1.0 / self._reward_unit

        if initial_inventory is not None:
            start = self._check_pipeline(initial_inventory, "initial_inventory")
        elif self.initial_inventory is not None:
            start = self.initial_inventory
        else:
            start = np.zeros((self.n_skus, p.lead_time + 1))
            start[:, 0] = (p.lead_time + p.review_period) * self.scale
            if self.demand_model.integer:
                start[:, 0] = np.round(start[:, 0])
        self._zeros = np.zeros(self.n_skus)
        self._set_pipeline(np.array(np.broadcast_to(start, (self.n_skus, p.lead_time + 1)), dtype=np.float64))
        if demand is None and self.demand_model.warmup_days:  # the source's days before the first decision
            self._run_warmup(self.demand_model.warmup_days)
        self._stale_records = True  # the block holds the last episode's records (zeroed when read)
        self._pending_records = []  # step_sku's rows not yet in the block (see ``records``)
        self._lookahead = p.lookahead_days
        if self.n_skus == 1:  # the Python-float copies used by step_sku, and the state as floats
            net, *in_transit = self._pipeline[0].tolist()
            self.state = InventoryState(net, tuple(in_transit), 0)
            self._sku_demand = self._demand[0].tolist()
            self._sku_scale = float(self.scale[0])
            self._sku_inv_scale = float(self._inv_scale[0])
            self._sku_negative_inverse_reward_unit = float(self._negative_inverse_reward_unit[0])
            self._sku_observation = np.zeros((p.horizon, self.obs_dim), dtype=np.float32)
            self._sku_observation[:, p.lead_time + 1 :] = self._full_context()[:, 0]
        return self.observe()

    def _sample_lead_times(self, rng: np.random.Generator):
        """The days from each epoch's order to its arrival, ``(n_skus, horizon)`` int64 (None: the fixed lead time).

        Drawn from a stream of their own, ``rng``'s bit generator jumped ahead (``rng`` itself is not
        advanced): the demand, the features and the next episodes are those of the fixed lead time.
        """
        p = self.params
        if p.lead_time_distribution is None:
            return None
        jumped = getattr(rng.bit_generator, "jumped", None)
        if callable(jumped):
            stream = np.random.Generator(jumped())
        else:  # a bit generator without jumps: a seed from a copy of rng's state, mixed by SeedSequence
            import copy

            stream = np.random.default_rng([int(copy.deepcopy(rng).integers(2**63)), 0x1EAD_71E5])
        draws = p.lead_time_distribution.sample(stream, (self.n_skus, p.horizon))
        arrivals = effective_lead_times(draws, p.review_period, p.order_crossing)
        if self.n_skus == 1:
            self._sku_arrivals = arrivals[0].tolist()
        return arrivals

    @property
    def lead_times(self):
        """The effective lead time of every epoch's order, ``(n_skus, horizon)`` days (read-only), or None
        for a fixed lead time. Exogenous: drawn at reset; an order's is revealed when it is placed."""
        return None if self._arrivals is None else _read_only(self._arrivals)

    def _run_warmup(self, days: int):
        """Run the last ``days`` days of the history with no order (the study's warm-up), from the pipeline."""
        state, _ = advance(
            self.params, self.state, np.zeros(self.n_skus),
            [self._demand[:, day] for day in range(self._first_day - days, self._first_day)], np, self._zeros,
        )
        self._set_pipeline(np.array(state.pipeline(np), dtype=np.float64))

    def _set_pipeline(self, pipeline: np.ndarray, epoch: int = 0):
        """Make ``pipeline`` (``(n_skus, L + 1)`` float64) the state at ``epoch``."""
        self._pipeline = pipeline
        self.state = InventoryState.from_pipeline(pipeline, epoch)

    def _prepare_context(self, paths: DemandPaths, decision_days: np.ndarray):
        """The parts of the observation's context that :meth:`_context_rows` assembles per epoch."""
        p = self.params
        base_static = np.stack(
            [
                np.full(self.n_skus, float(p.lead_time)),
                np.full(self.n_skus, float(p.review_period)),
                np.full(self.n_skus, p.critical_ratio),
                np.log(self.scale),
            ]
        )
        # Feature-major, as the features (forecast_features): each entry a contiguous vector over the SKUs.
        self._static = np.concatenate([base_static, paths.static.T]).astype(np.float32)  # (n_static, n_skus)
        self._dynamic = paths.dynamic[:, decision_days, :].transpose(2, 1, 0).astype(np.float32)  # (n_dynamic, horizon, n_skus)
        self._context = None  # the whole episode's context, built when asked for (``context``)

    def _context_rows(self, epochs) -> np.ndarray:
        """The context part of the observations at ``epochs`` (an epoch or a slice of epochs):
        ``(n_skus, obs_dim - L - 1)`` or ``(epochs, n_skus, obs_dim - L - 1)`` float32.

        Built per step from the features, the static and the dynamic context (an episode's
        whole context, written at reset, cost a large batch more than its steps did, and
        repeated the static features at every epoch), feature by feature as contiguous
        vectors over the SKUs; the result is a transposed view. The same numbers either
        way: each entry is one float64 operation rounded to float32.
        """
        block = self._features.transpose(2, 1, 0)  # (5, horizon, n_skus)
        n_static = self._static.shape[0]
        feats = block[:, epochs]
        rows = np.empty((N_FEATURES + n_static + self._dynamic.shape[0],) + feats.shape[1:], dtype=np.float32)
        if self.params.normalize:
            np.divide(feats[: N_FEATURES - 1], self.scale, out=rows[: N_FEATURES - 1], casting="unsafe")
            rows[N_FEATURES - 1] = feats[N_FEATURES - 1]
        else:
            rows[:N_FEATURES] = feats
        rows[N_FEATURES : N_FEATURES + n_static] = self._static if feats.ndim == 2 else self._static[:, None]
        rows[N_FEATURES + n_static :] = self._dynamic[:, epochs]
        return np.moveaxis(rows, 0, -1)

    def _full_context(self) -> np.ndarray:
        """The context of every epoch, epoch-major ``(horizon, n_skus, obs_dim - L - 1)`` float32 (kept for the episode)."""
        if self._context is None:
            self._context = self._context_rows(slice(None))
        return self._context

    # ------------------------------------------------------------------ state
    @property
    def pipeline(self) -> np.ndarray:
        """The state's pipeline now, ``(n_skus, lead_time + 1)`` float64 (layout in :mod:`gym_inventory.dynamics`)."""
        if self._pipeline is None:  # after step_sku: built when read
            state = self.state
            self._pipeline = np.array([(state.net, *state.in_transit)])
        return self._pipeline

    @property
    def epoch(self) -> int:
        """Order epochs simulated in this episode (the state's epoch)."""
        return self.state.epoch

    @property
    def records(self) -> dict:
        """Per-epoch records of the episode: name in :data:`RECORD_FIELDS` -> ``(n_skus, horizon)``
        views of one block (epochs not simulated yet are 0). The block is the simulator's: the
        next :meth:`reset` reuses it (copy what must outlive the episode)."""
        if self._stale_records:  # the last episode's epochs this one has not reached yet
            self._record_block[:, self.epoch :] = 0.0
            self._stale_records = False
        pending = self._pending_records
        if pending:  # step_sku's rows: one write for all of them, not one per step
            first = self.epoch - len(pending)
            self._record_block[:, first : self.epoch] = np.array(pending).T
            pending.clear()
        return self._records

    @property
    def inverse_scale(self) -> np.ndarray:
        """The pipeline's factor in the observation, ``(n_skus,)``: 1 / scale when normalizing, else 1."""
        return self._inv_scale

    @property
    def reward_unit(self) -> np.ndarray:
        """Money per unit of reward of every SKU in this episode, ``(n_skus,)`` (the scale when normalizing, else 1)."""
        return self._reward_unit

    @property
    def inventory_position(self) -> np.ndarray:
        """tot(I) of every SKU now, ``(n_skus,)`` units."""
        return _row_sums(self.pipeline)

    @property
    def features(self) -> np.ndarray:
        """feat(x) at the current decision, ``(n_skus, 5)`` in units of demand per day."""
        return self._features[:, min(self.epoch, self.params.horizon - 1)]

    @property
    def demand_path(self) -> np.ndarray:
        """The episode's demand, ``(n_skus, days)`` from its first day (history excluded)."""
        return self._demand[:, self._first_day :]

    @property
    def context(self) -> np.ndarray:
        """Read-only: the observation after the pipeline at every epoch, ``(n_skus, horizon, obs_dim - L - 1)``."""
        return _read_only(self._full_context().transpose(1, 0, 2))

    @property
    def feature_path(self) -> np.ndarray:
        """Read-only: feat(x) at every decision, ``(n_skus, horizon, 5)`` in units of demand per day."""
        return _read_only(self._features)

    def decision_state(self):
        """The :class:`~gym_inventory.policy.DecisionState` of every SKU now."""
        from gym_inventory.policy import DecisionState

        return DecisionState(
            observation=self.observe(),
            pipeline=self.pipeline,
            inventory_position=self.inventory_position,
            features=self.features,
            scale=self.scale,
            epoch=self.epoch,
            params=self.params,
        )

    def observe(self) -> np.ndarray:
        """Observations now, ``(n_skus, obs_dim)`` float32 (layout in ``observation_layout``)."""
        epoch = min(self.epoch, self.params.horizon - 1)
        context = self._context_rows(epoch) if self._context is None else self._context[epoch]
        return observation(self.pipeline, self._inv_scale, context, np)

    # ------------------------------------------------------------------ step
    def step(self, order: np.ndarray):
        """Place ``order`` (``(n_skus,)`` units, >= 0) and simulate one epoch of P days.

        Returns:
            ``(obs, reward, result)``: the next observations, the rewards ``(n_skus,)``,
            and a :class:`StepResult` (``result["cost"]`` etc., each ``(n_skus,)``).
        """
        if self.n_skus == 1:  # the float path: the same numbers, without numpy's per-call overhead
            obs, reward, values = self.step_sku(float(order[0]))
            return obs[None], np.array([reward]), StepResult(np.array(values)[:, None])
        first = self._epoch_start()
        days = range(first, first + self.params.review_period + self._lookahead)
        epoch = self.state.epoch
        record, reward = self._advance(
            order, [self._demand[:, day] for day in days], np, self._zeros, self.scale, self._negative_inverse_reward_unit,
            None if self._arrivals is None else self._arrivals[:, epoch],
        )
        self._pipeline = self.state.pipeline(np)
        row = np.concatenate(record)
        self._record_block[:, epoch] = row
        return self.observe(), reward, StepResult(row.reshape(len(RECORD_FIELDS), self.n_skus))

    def step_sku(self, order: float):
        """:meth:`step` of a simulator of one SKU, on Python floats (the single env's fast path).

        The same transition and bookkeeping as :meth:`step` (bit for bit), without numpy's
        per-call overhead on one-element arrays.

        Returns:
            ``(obs, reward, values)``: the next observation ``(obs_dim,)`` float32, the
            reward (a float) and the step's record, a list of floats in :data:`RECORD_FIELDS` order.
        """
        if self.n_skus != 1:
            raise ValueError(f"step_sku simulates one SKU; this simulator has n_skus={self.n_skus} (use step)")
        first = self._epoch_start()
        record, reward = self._advance(
            order, self._sku_demand[first : first + self.params.review_period + self._lookahead],
            PythonFloats, 0.0, self._sku_scale, self._sku_negative_inverse_reward_unit,
            None if self._arrivals is None else self._sku_arrivals[self.state.epoch],
        )
        self._pipeline = None  # built from the state when read
        self._pending_records.append(record)  # written into the block when ``records`` is read
        state = self.state
        obs = self._sku_observation[min(state.epoch, self.params.horizon - 1)].copy()
        inv_scale = self._sku_inv_scale
        obs[0] = state.net * inv_scale
        for index, units in enumerate(state.in_transit, 1):  # item by item: cheaper than converting a list
            obs[index] = units * inv_scale
        return obs, reward, record

    def _epoch_start(self) -> int:
        """Index in the demand path of the current epoch's first day (checks the horizon)."""
        epoch = self.state.epoch
        if epoch >= self.params.horizon:
            raise RuntimeError(
                f"the episode's horizon of {self.params.horizon} epochs is over; call reset() "
                "(gym.make's TimeLimit truncates there)"
            )
        return self._first_day + epoch * self.params.review_period

    def _advance(self, order, day_demands, xp, zero, scale, negative_inverse_reward_unit, arrival):
        """One epoch from :attr:`state` in namespace ``xp``: :func:`gym_inventory.core.step`, then the reward.

        ``day_demands`` holds the epoch's P days, then (``reward_timing="lead_time_window"``)
        the L days after them; ``zero``: a zero of the state's kind; ``arrival``: the order's
        lead time (random lead times) or None. Stores the next state; returns ``(EpochRecord, reward)``.
        """
        p = self.params
        state = self.state
        self.state, record = step_epoch(p, state, order, day_demands, xp, zero, arrival)
        ahead = None
        if p.reward_timing == "lead_time_window" and p.objective == "cost":
            ahead = lookahead_cost(p, state.net, state.in_transit, order, day_demands, xp)
        reward = epoch_reward(p, record.cost, record.stockout_days, record.on_hand_days, scale,
                              negative_inverse_reward_unit, ahead)
        return record, reward

    # ------------------------------------------------------------------ checks
    def _check_pipeline(self, value, name: str) -> np.ndarray:
        width = self.params.lead_time + 1
        array = check_units(name, as_finite_array(value, name))
        if array.ndim == 0:
            pipeline = np.zeros((self.n_skus, width))
            pipeline[:, 0] = array
        elif array.shape in ((width,), (self.n_skus, width)):
            pipeline = np.array(np.broadcast_to(array, (self.n_skus, width)))
        else:
            raise ValueError(
                f"{name} must be a number or an array of shape ({width},) or ({self.n_skus}, {width}) "
                f"(net inventory, then units arriving in 0..{width - 2} days), got shape {array.shape}"
            )
        if np.any(pipeline[:, 1:] < 0) or (self.params.lost_sales and np.any(pipeline[:, 0] < 0)):
            raise ValueError(f"{name} must not hold negative stock in transit (or negative stock with lost sales), got {value!r}")
        return pipeline

    def _check_path(self, value, name: str, days: int | None) -> np.ndarray:
        array = check_units(name, as_finite_array(value, name))
        if array.ndim == 1:
            array = np.broadcast_to(array, (self.n_skus, array.shape[0]))
        if array.ndim != 2 or array.shape[0] != self.n_skus or (days is not None and array.shape[1] != days):
            want = "any number of" if days is None else str(days)
            raise ValueError(
                f"{name} must have {want} days per SKU, shape (days,) or ({self.n_skus}, days), got shape {array.shape}"
                + ("" if days is None else " (horizon * review_period days, plus lead_time with reward_timing='lead_time_window')")
            )
        if np.any(array < 0):
            raise ValueError(f"{name} must be >= 0 on every day, got min {float(array.min())!r}")
        return np.array(array)

    def _check_features(self, value) -> np.ndarray:
        horizon = self.params.horizon
        array = as_finite_array(value, "features")
        if array.ndim == 2:
            array = np.broadcast_to(array, (self.n_skus,) + array.shape)
        if array.shape != (self.n_skus, horizon, N_FEATURES):
            raise ValueError(
                f"features must have shape ({horizon}, {N_FEATURES}) or ({self.n_skus}, {horizon}, {N_FEATURES}), got {np.shape(value)}"
            )
        return np.array(array)

    # ------------------------------------------------------------------ metrics
    def episode_metrics(self, warmup_epochs: int = 0) -> dict:
        """Per-SKU metrics over epochs ``warmup_epochs .. epoch - 1``, each ``(n_skus,)``.

        ``cost_per_day``; ``fill_rate`` (share of demand met from stock on its day);
        ``stockout_rate`` l_SR (share of days with unmet demand); ``turnover_time``
        l_TT (mean end-of-day on-hand / mean daily sales, days; inf without sales).
        """
        return episode_metrics(self.records, warmup_epochs, self.epoch, self.params.review_period)


def as_finite_array(value, name: str) -> np.ndarray:
    """``value`` as a float64 array: ``TypeError`` naming ``name`` when it is not numeric, ``ValueError``
    when an entry is NaN or infinite (the check of every array the simulator and the envs take); bools, complex
    numbers and strings are not numbers here (:func:`gym_inventory.params.check_real_array`)."""
    return check_real_array(name, value)


def episode_metrics(records: dict, start: int, stop: int, review_period: int) -> dict:
    """Metrics from per-epoch records (``(n_skus, epochs)`` arrays) over ``[start, stop)``."""
    part = {name: records[name][:, start:stop].sum(axis=1) for name in ("cost", "demand", "sales", "unmet_demand", "stockout_days", "on_hand_days", "holding_cost", "penalty_cost")}
    days = max(stop - start, 0) * review_period
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(part["demand"] > 0, 1.0 - part["unmet_demand"] / part["demand"], 1.0)
        turnover = np.where(part["sales"] > 0, part["on_hand_days"] / np.maximum(part["sales"], 1e-300), np.inf)
    scale = max(days, 1)
    return {
        "days": np.full(part["cost"].shape, days),
        "cost": part["cost"],
        "cost_per_day": part["cost"] / scale,
        "holding_cost_per_day": part["holding_cost"] / scale,
        "penalty_cost_per_day": part["penalty_cost"] / scale,
        "fill_rate": fill,
        "stockout_rate": part["stockout_days"] / scale,
        "turnover_time": turnover,
    }


def _read_only(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` that cannot be written through (the episode's data stays intact)."""
    view = array.view()
    view.flags.writeable = False
    return view
