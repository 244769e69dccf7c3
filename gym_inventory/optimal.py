r"""Optimal base-stock levels: exact for backlog with IID demand, by simulation search otherwise.

Backlog, IID daily demand (exact)
---------------------------------
Timing is that of :mod:`gym_inventory.dynamics`: an order placed on the morning of
day t arrives on the morning of day t + L, before that day's demand, and each day
is charged ``h x (end-of-day on-hand) + p x (end-of-day backlog)``. Orders are
placed every P days. Under a base-stock policy with level S the inventory
position after each order is S (in steady state it is never above S before
ordering). The next order, at t + P, arrives at t + P + L, so the days
t + L, ..., t + L + P - 1 are controlled by this order alone, and the net
inventory at the end of day t + L + j is

    S - D_{L+1+j},   j = 0, ..., P - 1,

with D_k the demand over k consecutive days. These P days partition time, so the
long-run cost per day is

    C(S) = (1/P) sum_{j=0}^{P-1} G_{L+1+j}(S),   G_k(S) = h E[(S - D_k)^+] + p E[(D_k - S)^+].

C is convex with C'(S) = (1/P) sum_j [(h + p) F_{L+1+j}(S) - p], so the optimal
level solves (1/P) sum_j F_{L+1+j}(S*) = p / (p + h) (for discrete demand: the
smallest integer S with the average at or above p/(p+h)). For P = 1 this is the
newsvendor S* = F_{L+1}^{-1}(p/(p+h)); for P > 1 the level covers the L + P days
up to the next arrival, with the cost averaged over the P days the order controls.
Base stock is optimal among all policies in this setting.

Random lead times without crossing (:mod:`gym_inventory.leadtime`, ``order_crossing=False``):
the orders arrived by day d are the first ones placed, so the net inventory at the end of
day d is again the position after the last arrived order minus the demand of the m days
since it was placed; only m is random, exogenous, with the long-run shares w_m of
:func:`gym_inventory.leadtime.window_weights` (the stationary law of the effective lead time
``O_k = max(U_k, O_{k-1} - P)``). So C(S) = sum_m w_m G_m(S), convex, minimized where
sum_m w_m F_m(S*) = p / (p + h): the lead-time demand is the compound of daily demand over
a random number of days. This is the optimum among policies that do not see the supply
system's state (Zipkin 2000, section 7.4); the env's pipeline shows the arrival day of each
order in transit, which a policy may use: :mod:`gym_inventory.dp_lead_times` measures the gap
(none when ``max - min <= P``: the draws never wait for an earlier order). With crossing,
base stock is not optimal in general: use the DP or the simulation searches.

Sums of IID days: exact convolution of the probability mass function for discrete
demand (truncated where one day's tail is below 1e-15; the expected costs use the
exact mean, so the truncation only touches the CDF beyond that point); closed forms
for normal (``N(k mu, k sigma^2)``; the env clips normal demand at 0, which this
ignores: the mass below 0 is ``Phi(-mu/sigma)``) and gamma (shape k a, same scale)
demand.

Lost sales, or demand without a fixed daily distribution (simulation)
---------------------------------------------------------------------
:func:`best_base_stock` and :func:`best_capped_base_stock` evaluate grids of
candidate levels (and caps) on the same demand paths (common random numbers), many
candidates per batched run (:func:`gym_inventory.evaluation.evaluate_copies`), and
extend the grid when the best candidate lies on its upper or lower edge.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, stats

from gym_inventory.evaluation import Evaluation, evaluate_copies, resolve_problem
from gym_inventory.leadtime import LeadTimeDistribution, make_lead_time, window_weights
from gym_inventory.params import check_int, check_real
from gym_inventory.policies import BaseStock, CappedBaseStock

#: Tail mass of one day's demand beyond which a discrete pmf is cut.
TAIL = 1e-15
#: Largest (SKUs x epochs) one batched search run may hold (bounds the simulator's records).
SEARCH_BUDGET = 1_000_000


class PeriodDemand:
    """Demand over ``days`` consecutive days of IID daily demand ``daily`` (a frozen scipy distribution)."""

    def __init__(self, daily, days: int):
        self.days = check_int("days", days, 1)
        self.mean = days * float(daily.mean())
        self.discrete = isinstance(daily.dist, stats.rv_discrete)
        if self.discrete:
            if daily.support()[0] < 0:
                raise ValueError(f"demand must be >= 0, got a distribution with support {daily.support()}")
            top = int(daily.isf(TAIL)) + 1
            one_day = daily.pmf(np.arange(top + 1))
            pmf = np.ones(1)
            for _ in range(days):
                pmf = np.convolve(pmf, one_day)
            self.cdf_table = np.minimum(np.cumsum(pmf), 1.0)
            self.partial_mean = np.cumsum(np.arange(pmf.size) * pmf)  # sum_{d <= s} d pmf(d)
        elif daily.dist.name == "norm":
            self.dist = stats.norm(self.mean, math.sqrt(days) * float(daily.std()))
        elif daily.dist.name == "gamma" and daily.ppf(0.0) == 0.0:
            shape, scale = daily.mean() ** 2 / daily.var(), daily.var() / daily.mean()
            self.dist, self.shape, self.scale = stats.gamma(days * shape, scale=scale), days * shape, scale
        else:
            raise ValueError(
                f"daily demand must be discrete, normal or gamma (with loc 0), got scipy's {daily.dist.name!r}"
            )
        self.name = daily.dist.name

    def cdf(self, level):
        """P(D <= level), elementwise."""
        level = np.asarray(level, dtype=np.float64)
        if self.discrete:
            index = np.floor(level).astype(np.int64)
            return np.where(index < 0, 0.0, self.cdf_table[np.clip(index, 0, self.cdf_table.size - 1)])
        return self.dist.cdf(level)

    def leftover(self, level):
        """E[(level - D)^+], elementwise."""
        level = np.asarray(level, dtype=np.float64)
        if self.discrete:
            index = np.clip(np.floor(level).astype(np.int64), 0, self.cdf_table.size - 1)
            value = level * self.cdf_table[index] - self.partial_mean[index]
            return np.where(level < 0, 0.0, value)
        return level - self.mean + self.shortfall(level)

    def shortfall(self, level):
        """E[(D - level)^+], elementwise (exact mean, so no truncation error for discrete demand)."""
        level = np.asarray(level, dtype=np.float64)
        if self.discrete:
            return self.leftover(level) - (level - self.mean)
        if self.name == "norm":
            sd = self.dist.std()
            z = (level - self.mean) / sd
            return sd * (stats.norm.pdf(z) - z * stats.norm.sf(z))
        # gamma: E[D 1{D > s}] = k a theta P(Gamma(k a + 1) > s)
        return self.mean * stats.gamma.sf(level, self.shape + 1, scale=self.scale) - level * self.dist.sf(level)


@dataclass(frozen=True)
class BaseStockOptimum:
    """The optimal base-stock level (units) and its exact expected cost per day (backlog, IID demand)."""

    level: float
    cost: float
    critical_ratio: float
    lead_time: int | LeadTimeDistribution  # days, or the distribution (no crossing)
    review_period: int

    def policy(self) -> BaseStock:
        """The optimal policy as a :class:`~gym_inventory.policies.BaseStock`."""
        return BaseStock(self.level)


def _windows(daily, lead_time, review_period: int, order_crossing: bool = False) -> tuple:
    """``(weights, windows)``: the shares of the days whose net inventory is S minus the demand of
    ``window.days`` days (``weights`` None: equal shares, a fixed lead time)."""
    review_period = check_int("review_period", review_period, 1)
    lead_time, distribution = make_lead_time(lead_time)
    if distribution is None:
        return None, [PeriodDemand(daily, lead_time + 1 + j) for j in range(review_period)]
    if order_crossing and not distribution.deterministic:
        raise ValueError(
            "order_crossing=True: base stock has no closed-form optimum (orders overtake each other); "
            "use gym_inventory.dp_lead_times or best_base_stock (simulation)"
        )
    shares = window_weights(distribution, review_period)
    days = np.flatnonzero(shares > 0)
    return shares[days], [PeriodDemand(daily, int(m)) for m in days]


def _average(weights, values) -> object:
    """The windows' values averaged with ``weights`` (equal shares when None: the fixed lead time's sum / P)."""
    if weights is None:
        return sum(values) / len(values)
    return sum(w * value for w, value in zip(weights, values))


def _check_costs(holding_cost, penalty_cost) -> tuple:
    h = check_real("holding_cost", holding_cost, 0.0, strict=True)
    p = check_real("penalty_cost", penalty_cost, 0.0, strict=True)
    return h, p


def base_stock_cost(level, daily, *, lead_time, review_period: int = 1, holding_cost: float, penalty_cost: float,
                    order_crossing: bool = False):
    """Exact expected cost per day C(S) of base stock ``level`` (units; a number or an array), backlog, IID demand.

    ``daily`` is the frozen scipy distribution of one day's demand (``model.daily_distribution()``);
    ``lead_time`` an int or a lead-time distribution (without crossing).
    """
    h, p = _check_costs(holding_cost, penalty_cost)
    weights, windows = _windows(daily, lead_time, review_period, order_crossing)
    cost = _average(weights, [h * w.leftover(level) + p * w.shortfall(level) for w in windows])
    return float(cost) if np.ndim(cost) == 0 else cost


def optimal_base_stock(daily, *, lead_time, review_period: int = 1, holding_cost: float, penalty_cost: float,
                       order_crossing: bool = False) -> BaseStockOptimum:
    """The level S* minimizing :func:`base_stock_cost` (formula in the module docstring)."""
    h, p = _check_costs(holding_cost, penalty_cost)
    weights, windows = _windows(daily, lead_time, review_period, order_crossing)
    ratio = p / (p + h)
    if windows[0].discrete:
        grid = np.arange(windows[-1].cdf_table.size)
        average_cdf = _average(weights, [w.cdf(grid) for w in windows])
        level = float(grid[min(np.searchsorted(average_cdf, ratio - 1e-12), grid.size - 1)])
    elif len(windows) == 1:
        level = float(windows[0].dist.ppf(ratio))
    else:
        low, high = windows[0].dist.ppf(ratio), windows[-1].dist.ppf(ratio)
        level = float(optimize.brentq(lambda s: _average(weights, [w.cdf(s) for w in windows]) - ratio, low, high, xtol=1e-10))
    cost = base_stock_cost(level, daily, lead_time=lead_time, review_period=review_period, holding_cost=h, penalty_cost=p,
                           order_crossing=order_crossing)
    lead = make_lead_time(lead_time)
    return BaseStockOptimum(level, cost, ratio, lead[1] if lead[1] is not None else lead[0], int(review_period))


def daily_distribution(model):
    """The frozen scipy distribution of one day's demand of an IID model with fixed parameters."""
    get = getattr(model, "daily_distribution", None)
    if get is None:
        raise ValueError(f"demand {model!r} is not IID: it has no single daily distribution")
    return get()


def optimal_base_stock_for(env_or_spec) -> BaseStockOptimum:
    """:func:`optimal_base_stock` of a backlog problem given as an env, an EnvSpec or gym.make kwargs."""
    params, model = resolve_problem(env_or_spec)
    if params.lost_sales:
        raise ValueError("lost_sales=True has no closed-form base-stock optimum; use best_base_stock (simulation) or gym_inventory.dp")
    lead_time = params.lead_time if params.lead_time_distribution is None else params.lead_time_distribution
    return optimal_base_stock(
        daily_distribution(model), lead_time=lead_time, review_period=params.review_period,
        holding_cost=params.holding_cost, penalty_cost=params.penalty_cost, order_crossing=params.order_crossing,
    )


# ---------------------------------------------------------------------------- simulation search
@dataclass(frozen=True)
class SearchResult:
    """The best candidate of a simulation search, and every candidate's cost on the same paths.

    Attributes:
        policy: the best policy.
        level: its level S (units, or units of scale when ``in_scale_units``).
        order_cap: its cap r (units), ``inf`` for none.
        evaluation: its :class:`~gym_inventory.evaluation.Evaluation` on the search paths
            (the minimum of noisy estimates is biased low: re-evaluate on fresh seeds to report it).
        candidates: ``(m, 4)`` array of rows (level, order_cap, cost per day, CI half-width).
        in_scale_units: levels are multiples of each SKU's scale.
    """

    policy: object
    level: float
    order_cap: float
    evaluation: Evaluation
    candidates: np.ndarray
    in_scale_units: bool = False


def best_base_stock(env_or_spec, *, levels=None, n_trajectories: int = 64, horizon: int = 1000,
                    warmup_epochs: int | None = None, seed: int = 0) -> SearchResult:
    """The best base-stock level by simulation with common random numbers (any mode, any demand).

    Args:
        levels: candidate levels; None: a grid around the backlog optimum in units (whole
            units for integer demand) for IID demand with a fixed distribution, else a grid
            of multiples of each SKU's scale (the policy then orders up to ``level x scale``).
            A default grid is extended while the best level lies on its edge.
        n_trajectories, horizon, warmup_epochs, seed: as in :func:`gym_inventory.evaluate`.
    """
    return _search(env_or_spec, levels, None, n_trajectories, horizon, warmup_epochs, seed, False)


def best_capped_base_stock(env_or_spec, *, levels=None, caps=None, n_trajectories: int = 64, horizon: int = 1000,
                           warmup_epochs: int | None = None, seed: int = 0) -> SearchResult:
    """The best capped base-stock pair (S, r) by simulation with common random numbers.

    Needs IID demand with a fixed daily distribution (caps are in units). The grid
    always holds the uncapped policy (``r = inf``) at every level, so on the same
    seed, trajectories and horizon the result is never worse than
    :func:`best_base_stock` on the levels it shares.

    Args:
        levels: candidate S; None: from the best base-stock level up by about two
            standard deviations of the (L+1)-day demand (extended while the best is on the edge).
        caps: candidate r; None: from the mean demand of a review period to its 99.9%
            quantile, plus ``inf``.
    """
    return _search(env_or_spec, levels, caps, n_trajectories, horizon, warmup_epochs, seed, True)


def _search(env_or_spec, levels, caps, n_trajectories, horizon, warmup_epochs, seed, capped) -> SearchResult:
    params, model = resolve_problem(env_or_spec)
    run = _GridRun(env_or_spec, model, dict(n_trajectories=n_trajectories, horizon=horizon, warmup_epochs=warmup_epochs, seed=seed))
    daily = fixed_daily_distribution(model)
    if capped and daily is None:
        raise ValueError(f"capped base stock needs IID demand with a fixed daily distribution (caps are in units), got {model!r}")
    if daily is None:
        run.in_scale_units = True
        window = params.lead_time + params.review_period
        step = 0.1 * window
        grid = np.arange(0.5 * window, 2.0 * window + step / 2, step)
    else:
        spread = math.sqrt((params.lead_time + 1) * float(daily.var()))
        step = 1.0 if model.integer else spread / 8
        if capped and levels is None:
            base = _search(env_or_spec, None, None, n_trajectories, horizon, warmup_epochs, seed, False)
            grid = base.level + step * np.arange(0, math.ceil(2 * spread / step) + 2)
        else:
            # Lost sales keeps less stock than backlog: search mostly below the backlog optimum.
            center = optimal_base_stock(daily, lead_time=params.lead_time, review_period=params.review_period,
                                        holding_cost=params.holding_cost, penalty_cost=params.penalty_cost).level
            grid = center + step * np.arange(-math.ceil(2 * spread / step) - 1, 2)
    if caps is None and capped:
        period = PeriodDemand(daily, params.review_period)
        if period.discrete:
            low = math.ceil(period.mean)
            finite = np.arange(low, max(low, int(np.searchsorted(period.cdf_table, 0.999))) + 1)
        else:
            finite = np.linspace(period.mean, period.dist.ppf(0.999), 8)
        caps = np.append(finite, np.inf)
    caps = np.array([np.inf]) if caps is None else _checked_grid("caps", caps, 0.0)
    if levels is not None:
        run.evaluate(_checked_grid("levels", levels), caps)
    else:
        run.evaluate(grid, caps)
        for _ in range(20):  # extend the default grid while the best level is on its edge
            best, known = run.best()[0], [level for level, _ in run.results]
            if best == max(known):
                run.evaluate(best + step * np.arange(1, grid.size), caps)
            elif best == min(known):
                run.evaluate(best - step * np.arange(1, grid.size), caps)
            else:
                break
        if not model.integer:  # refine continuous levels around the best
            best = run.best()[0]
            run.evaluate(best + step * np.linspace(-0.8, 0.8, 9), caps)
    return run.result(capped)


def fixed_daily_distribution(model):
    """The daily distribution of an IID model with fixed parameters, or None for any other model."""
    try:
        return daily_distribution(model)
    except ValueError:
        return None


def _checked_grid(name, values, minimum=None) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.ndim != 1 or array.size == 0 or np.any(np.isnan(array)) or (minimum is not None and np.any(array < minimum)):
        raise ValueError(f"{name} must be a non-empty list of numbers{'' if minimum is None else f' >= {minimum:g}'}, got {values!r}")
    return array


class _GridRun:
    """Evaluates (level, cap) candidates in batched chunks on the same paths and keeps every result."""

    def __init__(self, env_or_spec, model, options):
        self.env_or_spec, self.options, self.integer = env_or_spec, options, bool(model.integer)
        self.in_scale_units = False
        self.results = {}

    def evaluate(self, levels, caps):
        pairs = [(float(s), float(r)) for s in levels for r in caps if (float(s), float(r)) not in self.results]
        n = self.options["n_trajectories"]
        chunk = max(1, SEARCH_BUDGET // (n * self.options["horizon"]))
        for first in range(0, len(pairs), chunk):
            part = np.array(pairs[first:first + chunk])
            policy = CappedBaseStock(np.repeat(part[:, 0], n), np.repeat(part[:, 1], n), in_scale_units=self.in_scale_units,
                                     integer=self.integer)
            evaluations = evaluate_copies(policy, self.env_or_spec, copies=len(part), **self.options)
            self.results.update(zip(pairs[first:first + chunk], evaluations))

    def best(self) -> tuple:
        return min(self.results, key=lambda pair: self.results[pair].cost)

    def result(self, capped: bool) -> SearchResult:
        level, cap = self.best()
        if capped:
            policy = CappedBaseStock(level, cap, in_scale_units=self.in_scale_units, integer=self.integer)
        else:
            policy = BaseStock(level, in_scale_units=self.in_scale_units, integer=self.integer)
        best = self.results[(level, cap)]
        evaluation = replace(best, name=policy.name)
        rows = np.array([[s, r, e.cost, e.ci] for (s, r), e in sorted(self.results.items())])
        return SearchResult(policy, level, cap, evaluation, rows, self.in_scale_units)
