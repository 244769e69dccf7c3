r"""Exact DP with random lead times for small instances: integer IID demand, review every day.

The model is the env's with a lead-time distribution (:mod:`gym_inventory.leadtime`): the
order placed on the morning of day t draws U (values 0 .. M, M = the largest) and arrives
on the morning of day t + O, O = U with crossing, ``O = max(U, r)`` without, r the earliest
day the previous order allows (``max(O_prev - 1, 0)``). The state on the morning of day t,
before ordering, extends :mod:`gym_inventory.dp`'s:

    s = (y, a_1, ..., a_{M-1}[, r]),   y = net inventory + today's arrival,

with a_k the units scheduled to arrive in k days (the env's pipeline shows them) and r
only without crossing. The order's lead time is drawn after it is placed (the policy knows
the schedule of the orders in transit, not the new order's lead time). Ordering q: with
O = 0 the order serves today (y + q), else it joins a_O; the day costs c(y or y + q) as in
:mod:`gym_inventory.dp`; the next state is (f(level - D) + a_1', a_2', ..., r' = max(O - 1, 0)).

Truncations, beside those of :class:`gym_inventory.dp.DPProblem` (orders, position, level;
the level's bottom from the demand of M + 1 days): a scheduled slot holds at most
``max_slot`` units (default ``max_order``: two crossing orders landing on one day are cut
there). Without crossing, the base-stock cost of the DP matches the closed form of
:func:`gym_inventory.optimal.base_stock_cost` (tests), which checks the truncations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from gym_inventory.dp import DPProblem, odoni_iteration
from gym_inventory.leadtime import LeadTimeDistribution, make_lead_time
from gym_inventory.params import check_bool, check_int, check_real

#: Largest number of (state, order, lead time) triples solved (the gather indices take 8 bytes each).
MAX_TRIPLES = 60_000_000


@dataclass(frozen=True)
class RandomLeadTimeDP:
    """A discrete instance with random lead times (build with :meth:`create`)."""

    base: DPProblem = field(repr=False)  # demand, costs, mode, orders, levels; its lead_time is M
    distribution: LeadTimeDistribution
    order_crossing: bool
    max_slot: int

    @classmethod
    def create(cls, daily, *, lead_time, order_crossing: bool, lost_sales: bool, holding_cost: float,
               penalty_cost: float, max_order: int | None = None, max_position: int | None = None,
               max_slot: int | None = None, tail: float = 1e-9) -> "RandomLeadTimeDP":
        """Default truncations as :meth:`gym_inventory.dp.DPProblem.create` for the largest lead time."""
        top, distribution = make_lead_time(lead_time)
        if distribution is None:
            distribution = LeadTimeDistribution((top,), (1.0,))
        if top < 1:
            raise ValueError(f"the random-lead-time DP needs a largest lead time >= 1, got {distribution.as_dict()!r}")
        base = DPProblem.create(daily, lead_time=top, lost_sales=lost_sales, holding_cost=holding_cost,
                                penalty_cost=penalty_cost, max_order=max_order, max_position=max_position, tail=tail)
        max_slot = base.max_order if max_slot is None else check_int("max_slot", max_slot, 1)
        problem = cls(base, distribution, check_bool("order_crossing", order_crossing), max_slot)
        if problem.n_triples > MAX_TRIPLES:
            raise ValueError(
                f"the DP has {problem.n_triples:,} (state, order, lead time) triples (state shape {problem.state_shape}), "
                f"above {MAX_TRIPLES:,}: lower max_order/max_position/max_slot or the lead times"
            )
        return problem

    @property
    def top(self) -> int:
        return self.distribution.max

    @property
    def n_r(self) -> int:
        """Values of r: ``0 .. M - 1`` without crossing, one (unused) with."""
        return 1 if self.order_crossing else self.top

    @property
    def state_shape(self) -> tuple:
        """``(n_levels, (max_slot + 1) x (M - 1), n_r)``."""
        return (self.base.levels.size,) + (self.max_slot + 1,) * (self.top - 1) + (self.n_r,)

    @property
    def n_triples(self) -> int:
        return int(np.prod(self.state_shape)) * (self.base.max_order + 1) * len(self.distribution.values)

    @cached_property
    def _kernel(self) -> np.ndarray:
        """``(n_levels, max_slot + 1, n_levels)``: P(y' | serving level, tomorrow's arrival)."""
        helper = DPProblem(self.base.daily, 1, self.base.lost_sales, self.base.holding_cost, self.base.penalty_cost,
                           self.max_slot, self.base.max_position, self.base.min_level)
        return helper.kernel().reshape(self.base.levels.size, self.max_slot + 1, self.base.levels.size)

    @cached_property
    def _moves(self) -> tuple:
        """Per (state, order, lead time): the day's cost, and the flat index of (serving level, arrival, tail', r')
        into ``W = kernel @ values``; infeasible orders (position above ``max_position``) flagged."""
        base = self.base
        shape, width = self.state_shape, base.max_order + 1
        grids = np.indices(shape + (width,)).reshape(len(shape) + 1, -1)
        y, slots, r, q = grids[0], grids[1:-2], grids[-2], grids[-1]
        level = base.levels[y]
        position = level + slots.sum(axis=0) + q
        infeasible = (position > base.max_position) & (q > 0)
        cost = base.day_cost()
        n_tail = (self.max_slot + 1) ** (self.top - 1)
        index, costs = [], []
        for draw in self.distribution.values:
            offset = np.full_like(q, draw) if self.order_crossing else np.maximum(draw, r)
            serve = np.where(offset == 0, np.minimum(y + q, base.levels.size - 1), y)
            # the slots from tomorrow on: a_1 .. a_{M-1}, then nothing; the order joins slot ``offset``
            upcoming = [slots[k] for k in range(self.top - 1)] + [np.zeros_like(q)]
            upcoming = [np.minimum(units + np.where(offset == k + 1, q, 0), self.max_slot) for k, units in enumerate(upcoming)]
            arrival, tail = upcoming[0], upcoming[1:]
            tail_index = np.zeros_like(q)
            for units in tail:
                tail_index = tail_index * (self.max_slot + 1) + units
            r_next = np.maximum(offset - 1, 0) if not self.order_crossing else np.zeros_like(q)
            flat = ((serve * (self.max_slot + 1) + arrival) * n_tail + tail_index) * self.n_r + r_next
            index.append(flat.reshape(shape + (width,)))
            costs.append(cost[serve].reshape(shape + (width,)))
        return np.stack(index), np.stack(costs), infeasible.reshape(shape + (width,))

    def expected(self, values: np.ndarray) -> np.ndarray:
        """``E[values(y', tail', r')]`` over demand for every (serving level, arrival, tail', r'), flat: ``_moves``' index."""
        n_levels = self.base.levels.size
        return (self._kernel.reshape(-1, n_levels) @ values.reshape(n_levels, -1)).ravel()

    def action_values(self, values: np.ndarray, *, capped: bool = True) -> np.ndarray:
        """``(*state_shape, max_order + 1)``: expected day cost + E[values(next state)], over demand and lead time."""
        expected = self.expected(values)
        index, costs, infeasible = self._moves
        result = np.zeros(index.shape[1:])
        for weight, flat, cost in zip(self.distribution.probabilities, index, costs):
            result += weight * (cost + expected[flat])
        if capped:
            result[infeasible] = np.inf
        return result

    def order_table(self, level: float, cap: float | None = None) -> np.ndarray:
        """``(*state_shape,)`` orders of base stock ``level`` (capped at ``cap``): S - (y + scheduled), clipped."""
        base = self.base
        grids = np.indices(self.state_shape)
        position = base.levels[grids[0]] + grids[1:-1].sum(axis=0)
        orders = np.clip(np.round(level - position), 0, base.max_order)
        if cap is not None:
            orders = np.minimum(orders, np.floor(cap))
        return orders.astype(np.int64)


@dataclass(frozen=True)
class RandomLeadTimeSolution:
    cost: float  # optimal long-run cost per day (Odoni midpoint)
    policy_table: np.ndarray = field(repr=False)
    problem: RandomLeadTimeDP
    iterations: int


def _iterate(problem: RandomLeadTimeDP, table, tolerance: float, max_iterations: int) -> tuple:
    """``(gain, table)`` by :func:`gym_inventory.dp.odoni_iteration`: the optimum (``table`` None) or a fixed table's cost."""
    last = {}
    if table is None:
        def operator(values):
            action = last["action"] = problem.action_values(values)
            return action.min(axis=-1)
    else:  # a fixed policy: gather its moves once, then iterate on them alone
        index, costs, _ = problem._moves
        chosen = table[None, ..., None]
        index = np.take_along_axis(index, chosen, axis=-1)[..., 0]
        costs = np.take_along_axis(costs, chosen, axis=-1)[..., 0]

        def operator(values):
            expected = problem.expected(values)
            return sum(w * (cost + expected[flat]) for w, flat, cost in zip(problem.distribution.probabilities, index, costs))

    gain, _, iterations = odoni_iteration(problem.state_shape, operator, tolerance, max_iterations)
    return gain, (last["action"].argmin(axis=-1) if table is None else table), iterations


def solve(problem: RandomLeadTimeDP, *, tolerance: float = 1e-7, max_iterations: int = 20_000) -> RandomLeadTimeSolution:
    """Optimal long-run average cost per day (relative value iteration, Odoni's bounds)."""
    if not isinstance(problem, RandomLeadTimeDP):
        raise TypeError(f"problem must be a RandomLeadTimeDP (RandomLeadTimeDP.create), got {problem!r}")
    check_real("tolerance", tolerance, 0.0, strict=True)
    gain, table, iterations = _iterate(problem, None, tolerance, max_iterations)
    return RandomLeadTimeSolution(gain, table.astype(np.int16), problem, iterations)


def policy_cost(problem: RandomLeadTimeDP, table: np.ndarray, *, tolerance: float = 1e-7, max_iterations: int = 20_000) -> float:
    """Exact long-run average cost per day of an order table (e.g. :meth:`RandomLeadTimeDP.order_table`)."""
    table = np.asarray(table, dtype=np.int64)
    if table.shape != problem.state_shape or table.min() < 0 or table.max() > problem.base.max_order:
        raise ValueError(f"an order table must have shape {problem.state_shape} and orders in 0..{problem.base.max_order}")
    return _iterate(problem, table, tolerance, max_iterations)[0]


def best_base_stock(problem: RandomLeadTimeDP, levels, caps=(None,)) -> tuple:
    """``(cost, level, cap)``: the cheapest (capped) base-stock policy on the grids, exact costs from the DP."""
    best = (np.inf, None, None)
    for level in levels:
        for cap in caps:
            cost = policy_cost(problem, problem.order_table(level, cap))
            if cost < best[0]:
                best = (cost, float(level), cap)
    return best
