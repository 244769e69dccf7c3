"""Evaluate ordering policies on many trajectories at once, with common random numbers.

:func:`evaluate` runs a :class:`~gym_inventory.policy.Policy` on
``n_trajectories`` independent copies of a problem, simulated side by side as the
SKUs of one batched simulator built by :func:`gym_inventory.envs.make_simulator`
(so a keyword means what it means in ``gym.make``). Orders are clipped to
``[0, max_order]`` exactly as the env clips its actions.

Common random numbers: the demand paths (and context, and the lead-time draws of random
lead times) depend only on ``seed``, ``n_trajectories`` and ``horizon``, never on the policy, so policies evaluated
with the same three values face the same paths and their difference is measured
far more precisely than their costs (:func:`compare`, :func:`paired_difference`).

Warm-up: the first ``warmup_epochs`` order epochs of every trajectory are simulated
but excluded from every metric, so that the start (``(L + P) x scale`` units on
hand, nothing in transit, unless ``initial_inventory`` says otherwise) does not
bias steady-state costs. The default is ``max(L + 1, horizon // 10)`` epochs (at
most ``horizon - 1``). Use long horizons (1000+ epochs) for steady-state
comparisons with the analytic and DP optima.

Metrics (over the days after warm-up):

* ``cost``: mean cost per day (holding + penalty, money), averaged over trajectories,
  with ``ci`` the half-width of its 95% Student-t confidence interval across the
  independent trajectories;
* ``fill_rate``: share of demand met from stock on its day (pooled over trajectories);
* ``stockout_rate``: share of days with unmet demand;
* ``turnover_time``: mean end-of-day on-hand over mean daily sales, in days (pooled).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from gym_inventory.demand import DemandModel, DemandPaths
from gym_inventory.envs.inventory_env import make_simulator, resolve_demand
from gym_inventory.params import check_choice, check_int
from gym_inventory.policy import Policy
from gym_inventory.problem import Problem
from gym_inventory.simulator import InventorySimulator


#: What :func:`evaluate`'s ``cost_days`` may count.
COST_DAYS = ("epoch", "lead_time_window")


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` returns (costs in money per day, times in days)."""

    name: str
    cost: float  # mean cost per day over trajectories
    ci: float  # half-width of the 95% confidence interval of ``cost``
    holding_cost: float  # per day
    penalty_cost: float  # per day
    fill_rate: float
    stockout_rate: float
    turnover_time: float
    n_trajectories: int
    days: int  # days per trajectory counted (after warm-up)
    per_trajectory: np.ndarray = field(repr=False, compare=False)  # (n_trajectories,) cost per day

    def as_dict(self) -> dict:
        """The scalar fields, JSON-ready."""
        data = asdict(self)
        data.pop("per_trajectory")
        return data


class TiledDemand(DemandModel):
    """``copies`` identical copies of a model's sample: SKU ``c * n + i`` is copy ``c`` of SKU ``i``.

    Sampling ``n * copies`` SKUs draws ``n`` from the wrapped model with the same
    random numbers as sampling ``n`` directly, then repeats them, so candidate
    policies laid out copy by copy face exactly the paths of :func:`evaluate`.
    """

    def __init__(self, model: DemandModel, copies: int):
        self.model = model
        self.copies = check_int("copies", copies, 1)
        self.integer = model.integer
        self.static_names = model.static_names
        self.dynamic_names = model.dynamic_names
        self.warmup_days = model.warmup_days

    @property
    def max_daily_mean(self) -> float:
        return self.model.max_daily_mean

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        if n_skus % self.copies:
            raise ValueError(f"n_skus={n_skus} is not a multiple of copies={self.copies}")
        paths = self.model.sample(rng, n_skus // self.copies, n_days)

        def tile(array):
            return None if array is None else np.tile(array, (self.copies,) + (1,) * (array.ndim - 1))

        return DemandPaths(
            demand=tile(paths.demand), scale=tile(paths.scale), static=tile(paths.static), dynamic=tile(paths.dynamic),
            static_names=paths.static_names, dynamic_names=paths.dynamic_names, features=tile(paths.features),
        )


def env_kwargs(env_or_spec) -> dict:
    """``gym.make`` keyword arguments of a problem given as an env, an ``EnvSpec`` or a dict.

    An env -- the single env or the vector env, wrapped or not -- is read from the
    batched simulator it owns, so wrappers and direct construction both work; an
    ``EnvSpec`` gives its ``kwargs``. The per-SKU default starting pipeline of a
    vector env is reduced to its first row.
    """
    if isinstance(env_or_spec, dict):
        return dict(env_or_spec)
    simulator = getattr(getattr(env_or_spec, "unwrapped", None), "simulator", None)
    if isinstance(simulator, InventorySimulator):
        kwargs = asdict(simulator.params)
        kwargs.update(demand=simulator.demand_model, max_order=simulator.max_order)
        if simulator.initial_inventory is not None:
            kwargs["initial_inventory"] = simulator.initial_inventory[0]
        return kwargs
    spec_kwargs = getattr(env_or_spec, "kwargs", None)
    if isinstance(spec_kwargs, dict) and hasattr(env_or_spec, "entry_point"):
        return dict(spec_kwargs)
    raise TypeError(f"env_or_spec must be an InventoryLeadTime env, an EnvSpec or a dict of gym.make kwargs, got {env_or_spec!r}")


def problem_of(env_or_spec) -> Problem:
    """The :class:`~gym_inventory.problem.Problem` of an env, an ``EnvSpec`` or gym.make kwargs (no simulator built)."""
    simulator = getattr(getattr(env_or_spec, "unwrapped", None), "simulator", None)
    if isinstance(simulator, InventorySimulator):
        return simulator.problem
    kwargs = env_kwargs(env_or_spec)
    for episode_keyword in ("initial_inventory", "render_mode", "render_size"):  # the problem does not depend on them
        kwargs.pop(episode_keyword, None)
    return Problem.from_kwargs(**kwargs)


def resolve_problem(env_or_spec) -> tuple:
    """``(InventoryParams, DemandModel)`` of a problem given as an env, an ``EnvSpec`` or gym.make kwargs
    (the two fields of :func:`problem_of` most callers need)."""
    problem = problem_of(env_or_spec)
    return problem.params, problem.demand


#: Evaluation seed of each split: the same trajectories for every policy evaluated on it.
SPLIT_SEEDS = {"test": 0, "validate": 1, "train": 2}


def split_problem(env_kwargs: dict, split: str) -> tuple[dict, int]:
    """``(gym.make kwargs, evaluation seed)`` of ``split`` of a problem.

    The seed is :data:`SPLIT_SEEDS`'s; a demand source with splits (a panel dataset)
    is also restricted to the SKUs of that split. ``gym-inventory evaluate`` and the
    trainers' validation both read their trajectories from here.
    """
    from gym_inventory.params import check_choice

    check_choice("split", split, tuple(SPLIT_SEEDS))
    kwargs = dict(env_kwargs)
    model = resolve_demand(kwargs.get("demand", "poisson"), kwargs.get("demand_kwargs"), None)
    if callable(getattr(model, "split", None)):
        kwargs["split"] = split
    return kwargs, SPLIT_SEEDS[split]


def default_warmup(horizon: int, lead_time: int) -> int:
    """Warm-up epochs excluded by default: ``max(L + 1, horizon // 10)``, at most ``horizon - 1``."""
    return min(max(lead_time + 1, horizon // 10), horizon - 1)


def unreachable_epochs(lead_time: int, review_period: int) -> int:
    """Epochs whose days no order can reach: ``lead_time // review_period`` (the first order lands on day L).

    The epochs the DS trainer's loss leaves out by default (more days to learn from); its
    validation cost leaves out :func:`default_warmup`, as :func:`evaluate` does.
    """
    return lead_time // review_period


def evaluate(
    policy: Policy,
    env_or_spec,
    *,
    n_trajectories: int = 256,
    horizon: int | None = None,
    warmup_epochs: int | None = None,
    seed: int = 0,
    name: str | None = None,
    cost_days: str = "epoch",
) -> Evaluation:
    """Mean cost per day (95% CI), fill rate, stockout rate and turnover time of ``policy``.

    Args:
        policy: any :class:`~gym_inventory.policy.Policy` (orders in units).
        env_or_spec: the problem: an ``InventoryLeadTime-v0`` env, its ``EnvSpec``,
            or a dict of ``gym.make`` keyword arguments.
        n_trajectories: independent trajectories (>= 2 for a finite CI).
        horizon: order epochs per trajectory; None: the problem's horizon.
        warmup_epochs: epochs excluded from the metrics; None: :func:`default_warmup`.
        seed: seed of the demand paths (the same seed gives the same paths to every policy).
        name: the row name; None: ``policy.name``.
        cost_days: which days ``cost`` and ``ci`` average: ``"epoch"`` (each epoch's own P
            days) or ``"lead_time_window"`` (the P days starting L days after each order, the
            days it controls: the sum of the rewards of ``reward_timing="lead_time_window"``,
            the study's costed days); the other metrics count the epochs' own days.
    """
    return evaluate_copies(
        policy, env_or_spec, copies=1, n_trajectories=n_trajectories, horizon=horizon,
        warmup_epochs=warmup_epochs, seed=seed, names=None if name is None else [name], cost_days=cost_days,
    )[0]


def evaluate_copies(
    policy: Policy,
    env_or_spec,
    *,
    copies: int,
    n_trajectories: int = 256,
    horizon: int | None = None,
    warmup_epochs: int | None = None,
    seed: int = 0,
    names: list | None = None,
    cost_days: str = "epoch",
) -> list:
    """Evaluate ``copies`` policies at once on the same paths: one :class:`Evaluation` per copy.

    The simulator holds ``copies * n_trajectories`` SKUs; SKU ``c * n_trajectories + i``
    is trajectory ``i`` under copy ``c``, so a policy with per-SKU parameters
    (``np.repeat(levels, n_trajectories)``) evaluates ``copies`` candidates in one
    batched run, on the very paths :func:`evaluate` gives each of them alone.
    Other arguments as in :func:`evaluate`; ``names`` names the copies.
    """
    kwargs = env_kwargs(env_or_spec)
    n = check_int("n_trajectories", n_trajectories, 1)
    copies = check_int("copies", copies, 1)
    seed = check_int("seed", seed, 0)
    if horizon is not None:
        kwargs["horizon"] = check_int("horizon", horizon, 1)
    model = resolve_demand(kwargs.pop("demand", "poisson"), kwargs.pop("demand_kwargs", None), kwargs.pop("split", None))
    kwargs.pop("render_mode", None)
    start = kwargs.get("initial_inventory")
    if start is not None and np.ndim(start) == 2 and copies > 1:
        kwargs["initial_inventory"] = np.tile(start, (copies, 1))
    simulator = make_simulator(n * copies, demand=TiledDemand(model, copies) if copies > 1 else model, **kwargs)
    params = simulator.params
    warmup = default_warmup(params.horizon, params.lead_time) if warmup_epochs is None else check_int("warmup_epochs", warmup_epochs, 0)
    if warmup >= params.horizon:
        raise ValueError(f"warmup_epochs must be < horizon={params.horizon}, got {warmup}")
    if names is not None and len(names) != copies:
        raise ValueError(f"names must have one entry per copy ({copies}), got {names!r}")

    check_choice("cost_days", cost_days, COST_DAYS)
    if cost_days == "lead_time_window" and (params.reward_timing, params.objective) != ("lead_time_window", "cost"):
        raise ValueError("cost_days='lead_time_window' needs reward_timing='lead_time_window' and objective='cost', "
                         f"got {params.reward_timing!r} and {params.objective!r}")

    simulator.reset(np.random.default_rng(seed))
    policy.reset(n * copies)
    window_cost = np.zeros(n * copies)  # the costs of the orders' lead-time windows: minus their rewards
    for epoch in range(params.horizon):
        reward = simulator.step(policy_orders(policy, simulator.decision_state(), n * copies, simulator.max_order))[1]
        if epoch >= warmup:
            window_cost -= reward

    per_sku = simulator.episode_metrics(warmup)
    if cost_days == "lead_time_window":
        per_sku["cost_per_day"] = window_cost * simulator.reward_unit / np.maximum(per_sku["days"], 1)
    records = {key: simulator.records[key][:, warmup:].sum(axis=1) for key in ("demand", "unmet_demand", "sales", "on_hand_days")}
    results = []
    for copy in range(copies):
        rows = slice(copy * n, (copy + 1) * n)
        results.append(_summarize(
            policy.name if names is None else names[copy], {k: v[rows] for k, v in per_sku.items()},
            {k: v[rows] for k, v in records.items()},
        ))
    return results


def compare(policies, env_or_spec, **options) -> list:
    """:func:`evaluate` each policy on the same demand paths (common random numbers)."""
    return [evaluate(policy, env_or_spec, **options) for policy in policies]


def paired_difference(first: Evaluation, second: Evaluation) -> tuple:
    """Mean and 95% CI half-width of ``first.cost - second.cost`` from paired trajectories.

    Valid when both were evaluated with the same seed, ``n_trajectories`` and
    horizon (common random numbers): the CI then reflects the policies'
    difference only, not the paths' randomness.
    """
    if first.per_trajectory.shape != second.per_trajectory.shape:
        raise ValueError(
            f"paired evaluations need the same trajectories, got {first.n_trajectories} and {second.n_trajectories}"
        )
    return _mean_ci(first.per_trajectory - second.per_trajectory)


def _mean_ci(values: np.ndarray) -> tuple:
    mean = float(np.mean(values))
    if values.size < 2:
        return mean, float("inf")
    from scipy import stats  # imported here: scipy.stats alone takes longer than the rest of `import gym_inventory`

    half = stats.t.ppf(0.975, values.size - 1) * np.std(values, ddof=1) / np.sqrt(values.size)
    return mean, float(half)


def pooled_rates(demand, unmet_demand, on_hand_days, sales) -> tuple[float, float]:
    """``(fill_rate, turnover_time)`` pooled over SKUs and days from their totals (the one formula of
    :func:`evaluate` and :func:`gym_inventory.data.evaluate_panel`): the share of demand met on its day
    (1 without demand), and end-of-day on-hand over sales in days (inf without sales)."""
    fill_rate = float(1.0 - unmet_demand / demand) if demand > 0 else 1.0
    turnover_time = float(on_hand_days / sales) if sales > 0 else float("inf")
    return fill_rate, turnover_time


def _summarize(name: str, per_sku: dict, totals: dict) -> Evaluation:
    cost, ci = _mean_ci(per_sku["cost_per_day"])
    fill_rate, turnover_time = pooled_rates(totals["demand"].sum(), totals["unmet_demand"].sum(),
                                            totals["on_hand_days"].sum(), totals["sales"].sum())
    return Evaluation(
        name=name,
        cost=cost,
        ci=ci,
        holding_cost=float(per_sku["holding_cost_per_day"].mean()),
        penalty_cost=float(per_sku["penalty_cost_per_day"].mean()),
        fill_rate=fill_rate,
        stockout_rate=float(per_sku["stockout_rate"].mean()),
        turnover_time=turnover_time,
        n_trajectories=int(per_sku["cost_per_day"].size),
        days=int(per_sku["days"][0]),
        per_trajectory=per_sku["cost_per_day"],
    )


def policy_orders(policy: Policy, state, n_skus: int, max_order=None) -> np.ndarray:
    """The orders of ``policy`` in decision state ``state``, checked and clipped to ``[0, max_order]``
    (``max_order`` None: floored at 0 only), float64 ``(n_skus,)``: the one order clip of every
    evaluation loop (:func:`evaluate`, :func:`gym_inventory.data.evaluate_panel`), as the env clips its action.

    ``TypeError`` for non-numeric orders, ``ValueError`` for another shape or a non-finite order.
    """
    orders = _checked_orders(policy(state), n_skus, policy)
    return np.maximum(orders, 0.0) if max_order is None else np.clip(orders, 0.0, max_order)


def _checked_orders(orders, n_skus: int, policy: Policy) -> np.ndarray:
    try:
        array = np.asarray(orders, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"policy {policy.name!r} returned non-numeric orders {orders!r}") from None
    if array.shape != (n_skus,):
        raise ValueError(f"policy {policy.name!r} returned orders of shape {array.shape}, expected ({n_skus},)")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"policy {policy.name!r} returned non-finite orders: {array[~np.isfinite(array)][:5]!r}")
    return array
