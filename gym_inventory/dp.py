r"""Exact dynamic programming for small discrete instances: integer IID demand, review every day.

The model is the env's (:mod:`gym_inventory.dynamics`): an order placed on the morning
of day t arrives on the morning of day t + L before that day's demand; each day
costs ``h x (end-of-day on-hand) + p x (end-of-day backlog, or units lost)``. The
DP state on the morning of day t, before ordering, is the pipeline reduced to L
numbers (one for L = 0):

    s = (y, a_1, ..., a_{L-1}),   y = net inventory + today's arrival,

with a_k the units arriving in k days (net inventory and today's arrival enter
the dynamics only through their sum). Ordering q (arriving in L days), the day costs
c(y) = h E[(y - D)^+] + p E[(D - y)^+] (c(y + q) for L = 0) and the next state is
(f(y - D) + a_1, a_2, ..., a_{L-1}, q), f = max(., 0) for lost sales, the identity
for backlog. So the DP's cost per day is exactly what the env charges per day.

Solvers: :func:`solve_average_cost` (relative value iteration with Odoni's bounds
on the gain, to the long-run average cost per day and a stationary policy),
:func:`solve_finite_horizon` (discounted or not, over a number of days, with a
policy per day) and :func:`policy_cost` (the exact average cost of any fixed policy,
for instance a base-stock policy, from the same Bellman operator).

Vectorized: the expectation over demand is one matrix product, the one-day kernel
``(y, a_1) -> y'`` applied to every other state component at once; no Python loop
over states. Poisson(5) demand with L = 4 has about 3-5 million (state, order) pairs.

Truncations (defaults from :meth:`DPProblem.create`; check ``boundary_mass``):

* orders are whole units in ``0 .. max_order`` (default: one more than the smallest q
  with P(D > q) <= ``tail``, or <= 1e-4 for lost sales, whose optimal orders stay
  near one day's demand since the pipeline holds the rest);
* an order may not lift the inventory position above ``max_position`` (default: the
  backlog optimal base-stock level plus about one daily standard deviation; the
  optimal lost-sales inventory position never exceeds the backlog level, Morton 1971);
* y stays in ``min_level .. max_position``: 0 for lost sales; for backlog
  ``max_position`` minus the (1 - ``tail``) quantile of (L+1)-day demand, lower
  levels being lumped into it;
* demand itself is not truncated: the kernel and c(y) are exact.

:attr:`DPSolution.boundary_mass` is the stationary probability, under the policy
found, of a state where a truncation could bind (an order at ``max_order``, a
position at ``max_position``, a lumped level); when it is tiny, so is the truncation error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import stats

from gym_inventory.evaluation import resolve_problem
from gym_inventory.features import N_FEATURES
from gym_inventory.optimal import PeriodDemand, daily_distribution, optimal_base_stock
from gym_inventory.params import InventoryParams, check_bool, check_int, check_real
from gym_inventory.policy import DecisionState, Policy

#: Lost sales: the default largest order leaves this much of one day's demand above it.
LOST_SALES_ORDER_TAIL = 1e-4
#: Largest number of (state, order) pairs solved by default (about 1 GB of float64 work arrays).
MAX_PAIRS = 40_000_000


@dataclass(frozen=True)
class DPProblem:
    """A discrete instance and its truncated state space (build with :meth:`create` or :meth:`from_env`)."""

    daily: object = field(repr=False)  # frozen scipy discrete distribution of one day's demand
    lead_time: int
    lost_sales: bool
    holding_cost: float
    penalty_cost: float
    max_order: int
    max_position: int
    min_level: int

    @classmethod
    def create(cls, daily, *, lead_time: int, lost_sales: bool, holding_cost: float, penalty_cost: float,
               max_order: int | None = None, max_position: int | None = None, tail: float = 1e-9) -> "DPProblem":
        """Default truncations for ``daily`` (see the module docstring); explicit bounds win."""
        if not isinstance(getattr(daily, "dist", None), stats.rv_discrete):
            raise ValueError(f"the DP needs integer demand (a scipy discrete distribution), got {daily!r}")
        lead_time = check_int("lead_time", lead_time, 0)
        lost_sales = check_bool("lost_sales", lost_sales)
        tail = check_real("tail", tail, 0.0, strict=True)
        if max_order is None:
            # lost-sales orders stay near one day's demand (the pipeline holds the rest); backlog
            # orders replace the last day's demand, so they need the whole tail
            max_order = int(daily.isf(LOST_SALES_ORDER_TAIL if lost_sales else tail)) + 1
        if max_position is None:
            level = optimal_base_stock(daily, lead_time=lead_time, holding_cost=holding_cost, penalty_cost=penalty_cost).level
            max_position = int(level) + max(2, math.ceil(float(daily.std())))
        max_order = check_int("max_order", max_order, 1)
        max_position = check_int("max_position", max_position, 0)
        if lost_sales:
            min_level = 0
        else:
            window = PeriodDemand(daily, lead_time + 1)
            min_level = max_position - int(np.searchsorted(window.cdf_table, 1.0 - tail)) - 1
        return cls(daily, lead_time, lost_sales, float(holding_cost), float(penalty_cost), max_order, max_position, min_level)

    @classmethod
    def from_env(cls, env_or_spec, **bounds) -> "DPProblem":
        """The problem of an env, EnvSpec or gym.make kwargs (review period 1, integer IID demand)."""
        params, model = resolve_problem(env_or_spec)
        if params.review_period != 1:
            raise ValueError(f"the DP handles review_period=1 only, got review_period={params.review_period}")
        if not model.integer:
            raise ValueError(f"the DP needs integer demand, got {model!r}")
        return cls.create(daily_distribution(model), lead_time=params.lead_time, lost_sales=params.lost_sales,
                          holding_cost=params.holding_cost, penalty_cost=params.penalty_cost, **bounds)

    # ------------------------------------------------------------------ the Bellman operator
    @property
    def levels(self) -> np.ndarray:
        """The values of y, ``min_level .. max_position``."""
        return np.arange(self.min_level, self.max_position + 1)

    @property
    def state_shape(self) -> tuple:
        """``(n_levels,)`` then ``max_order + 1`` per order in transit a_1 .. a_{L-1}."""
        return (self.levels.size,) + (self.max_order + 1,) * max(self.lead_time - 1, 0)

    @property
    def n_pairs(self) -> int:
        return int(np.prod(self.state_shape)) * (self.max_order + 1)

    def day_cost(self) -> np.ndarray:
        """c(y) for every level y (exact)."""
        one_day = PeriodDemand(self.daily, 1)
        y = self.levels
        return self.holding_cost * one_day.leftover(y) + self.penalty_cost * one_day.shortfall(y)

    def kernel(self) -> np.ndarray:
        """``(n_levels * (max_order + 1), n_levels)``: P(y' | y, a_1), y' = clamp(f(y - D) + a_1)."""
        levels = self.levels
        arrivals = np.arange(self.max_order + 1) if self.lead_time >= 1 else np.zeros(1, dtype=np.int64)
        y, arriving, nxt = levels[:, None, None], arrivals[None, :, None], levels[None, None, :]
        demand = y + arriving - nxt  # the demand that leads from (y, a_1) to y'
        # lowest y' reachable: a_1 with lost sales (all sold), else the box's bottom, lumping all below
        low = np.minimum(arriving, levels[-1]) if self.lost_sales else self.min_level
        kernel = np.where(nxt == low, self.daily.sf(demand - 1), self.daily.pmf(demand))
        kernel = np.where(nxt < low, 0.0, kernel)
        # the box's top lumps every y' above it
        kernel = np.where(nxt == levels[-1], np.where(low >= levels[-1], 1.0, self.daily.cdf(demand)), kernel)
        return kernel.reshape(-1, levels.size)

    def action_values(self, values: np.ndarray, *, capped: bool = True) -> np.ndarray:
        """``(*state_shape, max_order + 1)``: c + E[values(next state)] for every state and order.

        Orders lifting the position above ``max_position`` get ``inf`` when ``capped``.
        """
        n_levels, width = self.levels.size, self.max_order + 1
        expected = self._kernel @ values.reshape(n_levels, -1)
        if self.lead_time == 0:  # the order arrives today: state = net inventory, y = net + q
            after = self._cost + expected[:, 0]
            index = np.arange(n_levels)[:, None] + np.arange(width)[None, :]
            result = after[np.minimum(index, n_levels - 1)]
        else:
            # rows of the kernel are (y, a_1), columns of values (a_2 .. a_{L-1}, q): together the
            # axes (y, a_1, ..., a_{L-1}, q) of (state, order)
            result = expected.reshape(self.state_shape + (width,))
            result += self._cost.reshape((-1,) + (1,) * self.lead_time)
        if capped:
            np.copyto(result, np.inf, where=self._over_position)
        return result

    @cached_property
    def _kernel(self) -> np.ndarray:
        return self.kernel()

    @cached_property
    def _cost(self) -> np.ndarray:
        return self.day_cost()

    @cached_property
    def _over_position(self) -> np.ndarray:
        """``(*state_shape, max_order + 1)`` bool: order q > 0 lifts the position above ``max_position``."""
        if self.lead_time == 0:
            return np.arange(self.levels.size)[:, None] + np.arange(self.max_order + 1)[None, :] > self.levels.size - 1
        position = self.levels.reshape((-1,) + (1,) * self.lead_time).astype(np.int64)
        for axis in range(1, self.lead_time + 1):
            shape = [1] * (self.lead_time + 1)
            shape[axis] = self.max_order + 1
            position = position + np.arange(self.max_order + 1).reshape(shape)
        orders = np.arange(self.max_order + 1).reshape((1,) * self.lead_time + (-1,))
        return (position > self.max_position) & (orders > 0)

    def state_index(self, pipeline: np.ndarray) -> tuple:
        """Index into ``state_shape`` of env pipelines ``(n, L + 1)`` (clamped into the box)."""
        rounded = np.round(pipeline)
        if np.any(np.abs(pipeline - rounded) > 1e-6):
            raise ValueError("the DP policy needs whole-unit pipelines (integer demand and orders), got fractional stock")
        rounded = rounded.astype(np.int64)
        y = rounded[:, 0] + (rounded[:, 1] if self.lead_time >= 1 else 0)
        index = [np.clip(y - self.min_level, 0, self.levels.size - 1)]
        index += [np.clip(rounded[:, k], 0, self.max_order) for k in range(2, self.lead_time + 1)]
        return tuple(index)


# ---------------------------------------------------------------------- solutions and policies
@dataclass(frozen=True)
class DPSolution:
    """The optimal long-run average cost per day and a stationary optimal policy."""

    cost: float  # optimal cost per day (midpoint of Odoni's bounds, within ``tolerance``)
    policy_table: np.ndarray = field(repr=False)  # (*state_shape,) int orders
    bias: np.ndarray = field(repr=False)  # (*state_shape,) relative values, 0 at the first state
    problem: DPProblem
    iterations: int
    boundary_mass: float  # stationary probability of a state touching a truncation

    def policy(self) -> "DPPolicy":
        """The optimal policy as a :class:`~gym_inventory.policy.Policy` for the env and simulators."""
        return DPPolicy(self.problem, self.policy_table)


@dataclass(frozen=True)
class FiniteHorizonSolution:
    """Optimal expected (discounted) cost over ``horizon`` days from each state, and a policy per day."""

    values: np.ndarray = field(repr=False)  # (*state_shape,) expected cost over the horizon from day 0
    policy_tables: np.ndarray = field(repr=False)  # (horizon, *state_shape) int orders, by day
    problem: DPProblem
    discount: float

    def policy(self) -> "DPPolicy":
        """The day-by-day optimal policy (day = the state's epoch; after the horizon, the last day's rule)."""
        return DPPolicy(self.problem, self.policy_tables, by_epoch=True)

    def value(self, pipeline) -> np.ndarray:
        """Expected cost over the horizon from env pipelines ``(n, L + 1)`` (or one ``(L + 1,)``)."""
        return self.values[self.problem.state_index(np.atleast_2d(np.asarray(pipeline, dtype=np.float64)))]


class DPPolicy(Policy):
    """Orders read from a DP policy table, indexed by the pipeline (clamped into the DP's box).

    Needs the problem's lead time, review period 1, the same backlog/lost-sales
    mode and whole-unit pipelines (integer demand).
    """

    def __init__(self, problem: DPProblem, table: np.ndarray, *, by_epoch: bool = False):
        self.problem = problem
        self.table = np.asarray(table)
        self.by_epoch = by_epoch
        self.name = "dp_optimal" if not by_epoch else f"dp_finite_horizon({self.table.shape[0]})"

    def __call__(self, state: DecisionState) -> np.ndarray:
        problem, params = self.problem, state.params
        if (params.lead_time, params.review_period, params.lost_sales) != (problem.lead_time, 1, problem.lost_sales):
            raise ValueError(
                f"this DP policy is for lead_time={problem.lead_time}, review_period=1, lost_sales={problem.lost_sales}; "
                f"got lead_time={params.lead_time}, review_period={params.review_period}, lost_sales={params.lost_sales}"
            )
        table = self.table[min(state.epoch, self.table.shape[0] - 1)] if self.by_epoch else self.table
        return table[problem.state_index(state.pipeline)].astype(np.float64)


def _check_problem(problem) -> DPProblem:
    if not isinstance(problem, DPProblem):
        raise TypeError(f"problem must be a DPProblem (DPProblem.create or DPProblem.from_env), got {problem!r}")
    if problem.n_pairs > MAX_PAIRS:
        raise ValueError(
            f"the DP has {problem.n_pairs:,} (state, order) pairs (state shape {problem.state_shape}, "
            f"{problem.max_order + 1} orders), above {MAX_PAIRS:,}: lower max_order/max_position or the lead time"
        )
    return problem


def odoni_iteration(shape: tuple, operator, tolerance: float, max_iterations: int) -> tuple:
    """Relative value iteration of a Bellman ``operator`` (values -> T values, arrays of ``shape``).

    Stops when Odoni's bounds on the gain, ``min``/``max`` of ``T v - v``, are within
    ``tolerance`` (relative to the cost). Returns ``(gain, values, iterations)``, gain the
    bounds' midpoint and values relative to the first state.
    """
    values = np.zeros(shape)
    for iteration in range(1, max_iterations + 1):
        updated = operator(values)
        change = updated - values
        low, high = float(change.min()), float(change.max())
        values = updated - updated.flat[0]
        if high - low <= tolerance * max(1.0, abs(high)):
            return 0.5 * (low + high), values, iteration
    raise RuntimeError(
        f"relative value iteration did not converge in {max_iterations} iterations "
        f"(gain bounds {low:.6g} .. {high:.6g}); raise max_iterations or loosen tolerance"
    )


def _relative_value_iteration(problem: DPProblem, table, tolerance: float, max_iterations: int) -> tuple:
    last = {}

    def operator(values):
        action = last["action"] = problem.action_values(values, capped=table is None)
        if table is None:
            return action.min(axis=-1)
        return np.take_along_axis(action, table[..., None], axis=-1)[..., 0]

    gain, values, iterations = odoni_iteration(problem.state_shape, operator, tolerance, max_iterations)
    chosen = last["action"].argmin(axis=-1) if table is None else table
    return gain, values, chosen, iterations


def solve_average_cost(problem: DPProblem, *, tolerance: float = 1e-7, max_iterations: int = 20_000) -> DPSolution:
    """Optimal long-run average cost per day by relative value iteration.

    Stops when Odoni's bounds on the gain, ``min``/``max`` of ``T v - v``, are within
    ``tolerance`` (relative to the cost); ``cost`` is their midpoint.
    """
    problem = _check_problem(problem)
    gain, bias, table, iterations = _relative_value_iteration(problem, None, tolerance, max_iterations)
    table = table.astype(np.int16)
    return DPSolution(gain, table, bias, problem, iterations, boundary_mass(problem, table))


def order_table(problem: DPProblem, policy: Policy) -> np.ndarray:
    """``(*state_shape,)`` orders of ``policy`` in every DP state, rounded and clipped to ``0 .. max_order``.

    The policy sees pipelines ``[y, 0, a_1, ..., a_{L-1}]`` (y as net inventory, nothing
    arriving today: same position and dynamics), scale and features equal to the mean
    daily demand: fine for rules of the pipeline and position, such as base stock.
    """
    problem = _check_problem(problem)
    grids = np.meshgrid(*[np.arange(n) for n in problem.state_shape], indexing="ij")
    columns = [problem.levels[grids[0].ravel()]]
    if problem.lead_time >= 1:
        columns.append(np.zeros_like(columns[0]))
        columns += [grid.ravel() for grid in grids[1:]]
    pipeline = np.stack(columns, axis=1).astype(np.float64)
    n, mean = pipeline.shape[0], float(problem.daily.mean())
    features = np.full((n, N_FEATURES), mean)
    features[:, -1] = 1.0
    params = InventoryParams(lead_time=problem.lead_time, review_period=1, lost_sales=problem.lost_sales,
                             holding_cost=problem.holding_cost, penalty_cost=problem.penalty_cost)
    state = DecisionState(np.zeros((n, 0), dtype=np.float32), pipeline, pipeline.sum(axis=1), features,
                          np.full(n, mean), 0, params)
    orders = np.asarray(policy(state), dtype=np.float64)
    return np.clip(np.round(orders), 0, problem.max_order).astype(np.int16).reshape(problem.state_shape)


def policy_cost(problem: DPProblem, policy, *, tolerance: float = 1e-7, max_iterations: int = 20_000) -> float:
    """Exact long-run average cost per day of a fixed policy (a Policy or an order table)."""
    problem = _check_problem(problem)
    table = order_table(problem, policy) if isinstance(policy, Policy) else np.asarray(policy, dtype=np.int64)
    if table.shape != problem.state_shape or table.min() < 0 or table.max() > problem.max_order:
        raise ValueError(f"an order table must have shape {problem.state_shape} and orders in 0..{problem.max_order}")
    return _relative_value_iteration(problem, table.astype(np.int64), tolerance, max_iterations)[0]


def stationary_distribution(problem: DPProblem, table: np.ndarray, *, tolerance: float = 1e-10,
                            max_iterations: int = 20_000) -> np.ndarray:
    """``(*state_shape,)`` stationary distribution of the states under an order table (power iteration)."""
    kernel, width = problem._kernel, problem.max_order + 1
    table = np.asarray(table, dtype=np.int64)
    n_levels = problem.levels.size
    dist = np.zeros(problem.state_shape)
    dist.flat[0] = 1.0  # start empty: the chain fills its pipeline in L days, then mixes
    for _ in range(max_iterations):
        if problem.lead_time == 0:
            level = np.minimum(np.arange(n_levels) + table, n_levels - 1)
            after = np.bincount(level, weights=dist, minlength=n_levels)
            moved = kernel.T @ after
        else:
            post = np.zeros(problem.state_shape + (width,))
            np.put_along_axis(post, table[..., None], dist[..., None], axis=-1)
            moved = (kernel.T @ post.reshape(n_levels * width, -1)).reshape(problem.state_shape)
        moved = 0.1 * dist + 0.9 * moved  # a lazy chain: same stationary law, never periodic
        if np.abs(moved - dist).sum() < tolerance:
            return moved
        dist = moved
    raise RuntimeError(f"the stationary distribution did not converge in {max_iterations} iterations")


def boundary_mass(problem: DPProblem, table: np.ndarray) -> float:
    """Stationary probability of a state where a truncation may bind under ``table``."""
    table = np.asarray(table, dtype=np.int64)
    dist = stationary_distribution(problem, table)
    index = np.indices(problem.state_shape)
    position = problem.levels[index[0]] + index[1:].sum(axis=0) + table
    touching = (table >= problem.max_order) | ((position >= problem.max_position) & (table > 0))
    if not problem.lost_sales:
        touching |= index[0] == 0
    return float(dist[touching].sum())


def solve_finite_horizon(problem: DPProblem, horizon: int, *, discount: float = 1.0) -> FiniteHorizonSolution:
    """Minimal expected cost of ``horizon`` days, each day discounted by ``discount``, terminal value 0.

    ``values`` is the optimal expected cost from each state on day 0 and
    ``policy_tables[t]`` the optimal order on day t (orders that cannot arrive
    before the end are 0). Memory: ``horizon x prod(state_shape)`` int16.
    """
    problem = _check_problem(problem)
    horizon = check_int("horizon", horizon, 1)
    discount = check_real("discount", discount, 0.0)
    if discount > 1.0:
        raise ValueError(f"discount must be in [0, 1], got {discount!r}")
    values = np.zeros(problem.state_shape)
    tables = np.empty((horizon,) + problem.state_shape, dtype=np.int16)
    for day in reversed(range(horizon)):
        action = problem.action_values(discount * values)
        tables[day] = action.argmin(axis=-1)
        values = action.min(axis=-1)
    return FiniteHorizonSolution(values, tables, problem, discount)
