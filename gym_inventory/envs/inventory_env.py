"""``InventoryLeadTime-v0``: periodic review with a deterministic lead time."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import gymnasium as gym
from gymnasium import spaces

from gym_inventory.params import LIMITS, check_real_array
from gym_inventory.problem import Problem, default_max_order, resolve_demand  # noqa: F401  (re-exported)
from gym_inventory.render import DEFAULT_RENDER_SIZE, EnvRenderer, check_render_size
from gym_inventory.simulator import RECORD_FIELDS, InventorySimulator

RESET_OPTIONS = ("demand", "history", "features", "initial_inventory")

#: The registered entry point of ``InventoryLeadTime-v0`` (applies the ``TimeLimit``), and the
#: one that ``env.spec`` records (the bare env: ``gym.make(env.spec)`` applies the spec's own).
#: (Built from ``__package__``, ``gym_inventory.envs``, which imports this module.)
ENTRY_POINT = f"{__package__}:make_inventory_env"
SPEC_ENTRY_POINT = f"{__package__}:make_bare_inventory_env"


def _is_entry_point(entry_point) -> bool:
    if callable(entry_point):
        entry_point = f"{getattr(entry_point, '__module__', '')}:{getattr(entry_point, '__name__', '')}"
    return entry_point in (ENTRY_POINT, SPEC_ENTRY_POINT)


class InventoryEnv(gym.Env):
    r"""One SKU under periodic review every ``review_period`` days with a lead time of ``lead_time`` days.

    ## Description
    Time is in days. Orders are placed every ``review_period`` P days (P >= 1); one
    env step is one order epoch and simulates P days. An order placed on day t
    arrives at the start of day t+L (``lead_time`` L >= 0), before that day's demand;
    L = 0 means it serves the same day's demand. Demand d_t is served from on-hand
    stock; what cannot be served is backlogged (``lost_sales=False``, default) or
    lost (``lost_sales=True``). Daily cost = h x (end-of-day on-hand) + p x
    (end-of-day backlog, or units lost that day) with ``holding_cost`` h and
    ``penalty_cost`` p. This is the convention of Zipkin's lost-sales studies and
    of the newsvendor result S* = F^-1(p/(p+h)) over L+1 days of demand.

    The transition is :func:`gym_inventory.dynamics.simulate_columns`, shared with the
    vector env and the differentiable simulator; this env runs it on Python floats.

    Random lead times (``lead_time`` a distribution, :mod:`gym_inventory.leadtime`): each
    order draws its lead time, independently with ``order_crossing=True``; with ``False``
    it arrives on ``max(t + draw, the previous order's arrival day)`` (sequential
    deliveries: no order overtakes another). L is then the largest value: the pipeline
    (``L + 1`` columns) holds the units scheduled to arrive on each coming day, and an
    order's lead time is revealed when it is placed (it shows in the next observation's
    pipeline, not before the decision). The draws are exogenous, made at reset from a
    stream of their own, so the demand is that of the fixed lead time for the same seed;
    ``env.unwrapped.simulator.lead_times`` holds them. ``reward_timing="lead_time_window"``
    needs a fixed lead time.

    ## Action Space
    ``Box(0, max_order, (1,), float32)``: units to order now. Finite actions outside
    the bounds are clipped to ``[0, max_order]`` (a documented clip: SB3's Gaussian
    policies overshoot); NaN or infinite actions, or another shape, raise ``ValueError``.

    ## Observation Space
    A flat float32 ``Box`` of ``L + 6 + n_static + n_dynamic`` entries, in units of the
    SKU's scale (mean daily demand) when ``normalize=True`` (``env.unwrapped.observation_layout``
    maps the part names to slices; ``observation_names`` names every entry):

    | index            | name                       | meaning                                                     |
    |------------------|----------------------------|-------------------------------------------------------------|
    | 0                | ``net_inventory``          | on-hand minus backlog at the end of the previous day        |
    | 1 .. L           | ``arriving_in_k_days``     | units in transit arriving at the start of day t + k         |
    | L+1 .. L+5       | feat(x): ``mean_last_28``, ``mean_last_7``, ``forecast_next_7``, ``forecast_next_28``, ``bias`` (=1) | see :mod:`gym_inventory.features` |
    | L+6 .. L+9       | ``lead_time``, ``review_period``, ``critical_ratio`` p/(p+h), ``log_scale`` | static, never scaled |
    | then             | the demand model's static features, then its dynamic features on day t | |

    ## Rewards
    ``objective="cost"`` (default): minus the holding + penalty cost of the step's P
    days (``reward_timing="step"``) or of the P days starting L days later
    (``"lead_time_window"``: the days this order controls, found by looking ahead
    on the episode's demand path without changing the state; episode totals agree
    with ``"step"`` up to the first and last L days). With ``normalize=True`` the
    cost is divided by the SKU's scale: ``cost = -reward * env.unwrapped.reward_unit``
    undoes it. ``info["cost"]`` is always the step's own cost in money, unscaled.
    ``objective="service"``: minus ``stockout_weight`` x (stockout days in the step)
    minus ``turnover_weight`` x (sum over its days of on-hand / scale).

    ## Starting State
    By default the net inventory is ``(L + P) x scale`` units (rounded for integer
    demand) and nothing is in transit; ``initial_inventory`` or the reset option of
    that name gives any pipeline. Demand and context are drawn from ``demand`` with
    the env's ``np_random``; ``reset(options={"demand": path})`` replays an exact path
    (``horizon x P`` days, plus L with ``"lead_time_window"``), optionally with
    ``"history"`` (demand before day 0, for the trailing features), ``"features"``
    (feat(x) per epoch, ``(horizon, 5)``) and ``"initial_inventory"``.

    ## Episode End
    Never terminates. ``gym.make`` truncates after ``horizon`` epochs with Gymnasium's
    ``TimeLimit``; stepping a bare env past its horizon raises ``RuntimeError``. The
    last step's ``info["episode_metrics"]`` holds cost per day, fill rate, stockout
    rate l_SR and turnover time l_TT of the episode.

    ## Info
    Every step: ``order``, ``demand`` (units over the step's days), ``sales``
    (units delivered), ``lost``, ``backlog`` (end of step), ``unmet_demand`` (units of
    the step's demand not met on their day), ``on_hand`` (end of step),
    ``inventory_position`` (after the step), ``holding_cost``, ``penalty_cost``,
    ``cost`` (money), ``stockout_days``, ``stockout`` (bool), ``pipeline`` (array),
    ``day`` (first day of the next epoch). Every value is a numpy scalar or array with
    the same dtype on every step: float64, except ``stockout_days`` and ``day`` (int64)
    and ``stockout`` (a 0-d bool array); ``episode_metrics`` is a dict of numpy scalars. Reset
    infos: ``inventory_position``, ``scale`` (float64) and ``day`` (int64).

    ## Arguments
    | argument | default | meaning |
    |---|---|---|
    | ``lead_time`` | 2 | L, days (>= 0), or a distribution ``{"values": [1, 2, 4], "probabilities": [0.5, 0.3, 0.2]}`` drawn per order (random lead times, below) |
    | ``order_crossing`` | True | random lead times: independent per order, orders may cross (True), or delivered in the order placed (False) |
    | ``review_period`` | 1 | P, days between orders (>= 1) |
    | ``horizon`` | 90 | order epochs per episode (the TimeLimit) |
    | ``lost_sales`` | False | lose (True) or backlog (False) unmet demand |
    | ``holding_cost`` | 1.0 | h, money per unit-day on hand |
    | ``penalty_cost`` | 9.0 | p, money per unit-day backlogged or per unit lost |
    | ``demand`` | ``"poisson"`` | preset name (:data:`~gym_inventory.demand.DEMAND_PRESETS`) or a ``DemandModel`` |
    | ``demand_kwargs`` | None | keyword arguments of the preset (``{"mean": 5.0}``) |
    | ``normalize`` | True | observations and rewards in units of the SKU's scale |
    | ``pipeline_unit`` | None | units per observed pipeline unit (the observation only); None: the scale when ``normalize``, else 1 |
    | ``reward_timing`` | ``"step"`` | or ``"lead_time_window"`` |
    | ``objective`` | ``"cost"`` | or ``"service"`` |
    | ``stockout_weight``, ``turnover_weight`` | 1.0, 0.1 | weights of the ``"service"`` objective |
    | ``forecast_noise`` | 0.0 | relative std of the forecast features (0 = exact) |
    | ``forecast_source`` | ``"expected"`` | forecasts average the model's expected demand (no look-ahead), or ``"realized"`` future demand (the study's oracle features) |
    | ``max_order`` | None | action bound; None: ``4 (L + P)`` x the model's largest mean daily demand |
    | ``initial_inventory`` | None | starting pipeline (see Starting State) |
    | ``split`` | None | a dataset split name, for demand sources that have splits |
    | ``render_mode`` | None | ``"ansi"`` (a line per epoch), ``"rgb_array"`` (a frame) or ``"human"`` (a window); see :mod:`gym_inventory.render` |
    | ``render_size`` | (480, 280) | ``(width, height)`` of frames and window, pixels (at least (240, 140)) |

    >>> import gymnasium as gym, gym_inventory
    >>> env = gym.make("InventoryLeadTime-v0", lead_time=2, demand="poisson", demand_kwargs={"mean": 5.0})
    >>> obs, info = env.reset(seed=0)
    >>> target = 20.0  # order up to 20 units of inventory position
    >>> obs, reward, terminated, truncated, info = env.step([max(target - env.unwrapped.inventory_position, 0)])
    >>> sorted(k for k in ("order", "demand", "cost") if k in info)
    ['cost', 'demand', 'order']

    ## Version History
    * v0: initial version.
    """

    metadata = {"render_modes": ["ansi", "rgb_array", "human"], "render_fps": 4}

    def __init__(
        self,
        lead_time: int = 2,
        review_period: int = 1,
        horizon: int = 90,
        lost_sales: bool = False,
        holding_cost: float = 1.0,
        penalty_cost: float = 9.0,
        demand="poisson",
        demand_kwargs: dict | None = None,
        normalize: bool = True,
        pipeline_unit: float | None = None,
        reward_timing: str = "step",
        objective: str = "cost",
        stockout_weight: float = 1.0,
        turnover_weight: float = 0.1,
        forecast_noise: float = 0.0,
        forecast_source: str = "expected",
        order_crossing: bool = True,
        max_order: float | None = None,
        initial_inventory=None,
        split: str | None = None,
        render_mode: str | None = None,
        render_size=DEFAULT_RENDER_SIZE,
    ):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.render_mode = render_mode
        self.simulator = make_simulator(
            1, lead_time=lead_time, review_period=review_period, horizon=horizon, lost_sales=lost_sales,
            holding_cost=holding_cost, penalty_cost=penalty_cost, demand=demand, demand_kwargs=demand_kwargs,
            normalize=normalize, pipeline_unit=pipeline_unit, reward_timing=reward_timing, objective=objective, stockout_weight=stockout_weight,
            turnover_weight=turnover_weight, forecast_noise=forecast_noise, forecast_source=forecast_source,
            order_crossing=order_crossing, max_order=max_order,
            initial_inventory=initial_inventory, split=split,
        )
        self.params = self.simulator.params
        self.demand_model = self.simulator.demand_model
        self.max_order = self.simulator.max_order
        if self.max_order > LIMITS["max_order"]:
            raise ValueError(
                f"max_order must be <= {LIMITS['max_order']:g} units (the documented limit), got {self.max_order:g}"
                + ("" if max_order is not None else
                   ": the default 4 (L + P) x the mean daily demand; demand_kwargs give a mean daily demand too large")
            )
        self.action_space = spaces.Box(0.0, self.max_order, shape=(1,), dtype=np.float32)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(self.simulator.obs_dim,), dtype=np.float32)
        check_render_size(render_size)
        #: What render() draws with (None without a render_mode); see :mod:`gym_inventory.render`.
        self.renderer = None
        if render_mode is not None:
            self.renderer = EnvRenderer(render_mode, self.params, render_size, self.metadata["render_fps"])

    # ---------------------------------------------------------------- spec
    @property
    def spec(self):
        """The ``EnvSpec`` that ``gym.make`` set (None for an env built directly).

        When built by the registered entry point, the spec records the entry point of
        the bare env (``gym_inventory.envs:make_bare_inventory_env``) and drops
        ``normalize_action`` from its kwargs: the spec's ``max_episode_steps`` and
        ``additional_wrappers`` already describe the ``TimeLimit`` and ``RescaleAction``
        that the registered entry point applied, so ``gym.make(env.spec)`` applies each
        of them once, and ``spec.kwargs`` stay the env's own arguments.
        """
        return self.__dict__.get("_spec")

    @spec.setter
    def spec(self, spec) -> None:
        if spec is not None and _is_entry_point(spec.entry_point):
            kwargs = {key: value for key, value in spec.kwargs.items() if key != "normalize_action"}
            spec = dataclasses.replace(spec, entry_point=SPEC_ENTRY_POINT, kwargs=kwargs)
        self.__dict__["_spec"] = spec

    # ---------------------------------------------------------------- public state
    @property
    def inventory_position(self) -> float:
        """tot(I): net inventory plus everything in transit, units."""
        return float(self.simulator.pipeline.sum())

    @property
    def features(self) -> np.ndarray:
        """feat(x) at the current decision, ``(5,)`` in units of demand per day (last entry 1)."""
        return self.simulator.features[0].copy()

    @property
    def scale(self) -> float:
        """The SKU's scale (typical daily demand, units/day) in this episode."""
        return float(self.simulator.scale[0])

    @property
    def reward_unit(self) -> float:
        """Money per unit of reward: ``cost = -reward * reward_unit`` (objective ``"cost"``)."""
        return float(self.simulator.reward_unit[0])

    @property
    def pipeline(self) -> np.ndarray:
        """``(L + 1,)``: net inventory, then units arriving in 0 .. L-1 days."""
        return self.simulator.pipeline[0].copy()

    @property
    def observation_layout(self) -> dict:
        """Observation part name -> slice of the observation vector."""
        return dict(self.simulator.observation_layout)

    @property
    def observation_names(self) -> tuple:
        """The name of every observation entry."""
        return self.simulator.observation_names

    def decision_state(self):
        """The :class:`~gym_inventory.policy.DecisionState` now (one SKU), for ``policy(state)``."""
        return self.simulator.decision_state()

    # ---------------------------------------------------------------- API
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        options = check_reset_options(options)
        obs = self.simulator.reset(self.np_random, **options)
        if self.renderer is not None:
            self.renderer.reset()
            if self.render_mode == "human":
                self.render()
        return obs[0], {
            "inventory_position": np.float64(self.inventory_position),
            "scale": np.float64(self.scale),
            "day": np.int64(0),
        }

    def step(self, action):
        simulator = self.simulator
        if self.renderer is not None:
            in_transit = float(simulator.pipeline[0, 1:].sum())
        obs, reward, values = simulator.step_sku(self._order_from_action(action))
        info = numpy_info(values)
        if self.renderer is not None:
            self.renderer.note_step(in_transit, info["order"], simulator)
            if self.render_mode == "human":
                self.render()
        state = simulator.state  # the one SKU's InventoryState, Python floats
        info["pipeline"] = np.array((state.net, *state.in_transit))
        info["day"] = np.int64(state.epoch * self.params.review_period)
        if state.epoch == self.params.horizon:
            info["episode_metrics"] = {k: v[0] for k, v in simulator.episode_metrics().items()}
        return obs, reward, False, False, info

    def _order_from_action(self, action) -> float:
        """Units to order for ``action``: checked, and clipped to ``[0, max_order]``."""
        if type(action) is np.ndarray and action.shape == (1,) and action.dtype.kind == "f":
            amount = float(action[0])  # the common case, kept cheap
        else:
            value = check_real_array("action", action, "a number or an array of shape (1,)")  # no bools, complex, strings
            if value.size != 1 or value.ndim > 1:
                raise ValueError(f"action must have shape (1,), got shape {value.shape}: {action!r}")
            amount = float(value.reshape(()))
        if not math.isfinite(amount):
            raise ValueError(f"action must be finite, got {action!r}")
        # Documented clip to the action bounds.
        return min(max(amount, 0.0), self.max_order)

    def render(self):
        """The picture of the state now: a str (``"ansi"``), an ``(H, W, 3)`` uint8 frame (``"rgb_array"``), or None
        after updating the window (``"human"``, also called by ``reset`` and ``step``)."""
        if self.renderer is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi', 'rgb_array' or 'human' "
                            "to gym.make")
            return None
        return self.renderer.render(self.simulator)

    def close(self):
        if self.renderer is not None:
            self.renderer.close()
        super().close()


def numpy_info(values) -> dict:
    """A step's record of one SKU (an :class:`~gym_inventory.core.EpochRecord` of floats) as the info dict:
    float64 scalars, an int64 ``stockout_days`` and a 0-d bool array ``stockout`` (a numpy bool
    scalar would make Gymnasium's ``SyncVectorEnv`` stack an object array).

    Third-party readers (TorchRL's ``default_info_dict_reader``) need a ``dtype`` on
    every value, the same on every step. Built in one pass: this runs on every step.
    """
    info = dict(zip(RECORD_FIELDS, map(_float64, values)))
    days = int(values[_STOCKOUT_DAYS])
    info["stockout_days"] = _int64(days)
    info["stockout"] = np.array(days > 0)
    return info


_STOCKOUT_DAYS = RECORD_FIELDS.index("stockout_days")
_float64 = np.float64
_int64 = np.int64


def make_simulator(
    n_skus: int,
    *,
    initial_inventory=None,
    render_mode: str | None = None,
    render_size=None,
    **problem_kwargs,
) -> InventorySimulator:
    """A batched :class:`InventorySimulator` of ``n_skus`` SKUs from ``gym.make``'s keyword arguments.

    The env, the vector env, evaluation and the differentiable simulator all build
    their problem here (:meth:`gym_inventory.problem.Problem.from_kwargs`), so a keyword
    means the same thing everywhere (``render_mode`` and ``render_size`` are accepted and ignored).
    """
    return InventorySimulator(Problem.from_kwargs(**problem_kwargs), n_skus, initial_inventory)


def check_reset_options(options) -> dict:
    """Validate the keys of ``reset(options=...)``; returns the options as keyword arguments."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise TypeError(f"options must be a dict, got {options!r}")
    unknown = set(options) - set(RESET_OPTIONS)
    if unknown:
        raise ValueError(f"options has unknown keys {sorted(unknown)}; known: {list(RESET_OPTIONS)}")
    return {key: value for key, value in options.items() if value is not None}
