"""The classical baselines of a problem and its exact optimum, on common random numbers (library logic).

Every policy is evaluated on the same demand paths (common random numbers; see
:mod:`gym_inventory.evaluation`). The optimum is the DP's (:mod:`gym_inventory.dp`)
for integer IID demand with L <= 4 and P = 1. The gap of a policy is its excess
cost over the reference, relative to the reference: the DP optimum, estimated as
the paired difference to the DP policy simulated on the same paths (far more
precise than the difference of two noisy means, and exactly 0 for the DP policy
itself), divided by the DP's exact optimal cost; where the DP does not apply, the
paired difference to the best policy of the table, divided by its cost. Tuned
levels come from the exact backlog formula (:mod:`gym_inventory.optimal`) or
from a simulation search on a seed apart from the evaluation seed, so that the
reported costs are not biased by the search.

``gym-inventory baselines`` and ``gym-inventory evaluate`` print these; the trainers'
validation takes :func:`best_baseline` as its reference (their ``gap_to_best_classical_pct``).

Two references, two names: :func:`best_baseline` is the best row of this table, chosen
and costed on the same trajectories (the trainers' validation reference); the study's
reference kind ``"best_classical"`` (:func:`gym_inventory.study.reference`) tunes three
order-up-to families on validation SKUs and reports the chosen one on test SKUs.
"""
from __future__ import annotations

import math

#: The DP runs automatically up to this lead time (review period 1, integer IID demand).
DP_MAX_LEAD_TIME = 4


def compute_baselines(env_or_spec, *, n_trajectories: int = 128, horizon: int = 1000, warmup_epochs=None, seed: int = 0,
                      use_dp: bool = True) -> dict:
    """Evaluate the classical baselines (and the DP optimum where it applies) on common paths.

    Returns ``{"optimal": DP cost per day or None, "reference": what the gaps are relative
    to, "notes": [...], "policies": [{"name", "cost", "ci", "gap"}, ...], "gap_ci": [...]}``,
    gap being the relative excess cost (module docstring) and ``gap_ci`` the half-widths
    of its 95% confidence intervals.
    """
    from gym_inventory import dp
    from gym_inventory.evaluation import compare, paired_difference, resolve_problem

    params, model = resolve_problem(env_or_spec)
    notes, optimal = [], None
    policies = _classical(env_or_spec, params, model, horizon, warmup_epochs, seed + 1, notes)
    spread = params.lead_time_distribution
    random_lead_times = spread is not None and not spread.deterministic
    if use_dp and _dp_applies(params, model) and random_lead_times:
        optimal = _random_lead_time_optimum(params, model, notes)
    elif use_dp and _dp_applies(params, model):
        problem = dp.DPProblem.from_env(env_or_spec)
        if problem.n_pairs > dp.MAX_PAIRS:
            notes.append(f"DP skipped: {problem.n_pairs:,} (state, order) pairs exceed {dp.MAX_PAIRS:,}")
        else:
            solution = dp.solve_average_cost(problem)
            optimal = solution.cost
            policies.append(solution.policy())
            notes.append(f"DP: {solution.iterations} iterations, truncation mass {solution.boundary_mass:.1e}")
    evaluations = compare(policies, env_or_spec, n_trajectories=n_trajectories, horizon=horizon,
                          warmup_epochs=warmup_epochs, seed=seed)
    # the DP policy, when simulated, is the last one; random lead times: the DP's cost alone (no policy simulated)
    simulated_dp = optimal is not None and not random_lead_times
    best = evaluations[-1] if simulated_dp else min(evaluations, key=lambda e: e.cost)
    reference = optimal if optimal is not None else best.cost
    rows, gap_cis = [], []
    for evaluation in evaluations:
        if optimal is not None and not simulated_dp:  # an exact cost, not a simulated policy: no pairing
            excess, half = evaluation.cost - optimal, evaluation.ci
        else:
            excess, half = paired_difference(evaluation, best)
        gap = excess / reference if reference > 0 else math.nan
        rows.append({"name": evaluation.name, "cost": evaluation.cost, "ci": evaluation.ci, "gap": gap})
        gap_cis.append(half / reference if reference > 0 else math.nan)
    return {"optimal": optimal, "reference": reference, "notes": notes, "policies": rows, "gap_ci": gap_cis}


def _random_lead_time_optimum(params, model, notes):
    """The DP optimum with random lead times (:mod:`gym_inventory.dp_lead_times`), or None when too large."""
    from gym_inventory import dp_lead_times
    from gym_inventory.optimal import fixed_daily_distribution

    try:
        problem = dp_lead_times.RandomLeadTimeDP.create(
            fixed_daily_distribution(model), lead_time=params.lead_time_distribution, order_crossing=params.order_crossing,
            lost_sales=params.lost_sales, holding_cost=params.holding_cost, penalty_cost=params.penalty_cost)
    except ValueError as error:
        notes.append(f"DP skipped: {error}")
        return None
    solution = dp_lead_times.solve(problem)
    notes.append(f"DP (random lead times): exact optimal cost {solution.cost:.4f} per day after {solution.iterations} "
                 "iterations; its policy is not simulated (gaps are relative to this cost)")
    return solution.cost


def _dp_applies(params, model) -> bool:
    from gym_inventory.optimal import fixed_daily_distribution

    return (bool(model.integer) and params.review_period == 1 and params.lead_time <= DP_MAX_LEAD_TIME
            and fixed_daily_distribution(model) is not None)


def _classical(env_or_spec, params, model, horizon, warmup_epochs, search_seed, notes) -> list:
    """Constant, myopic, tuned base stock, (s, S) and, for lost sales, tuned capped base stock."""
    import numpy as np

    from gym_inventory import optimal
    from gym_inventory.policies import SS, ConstantOrder, Myopic

    daily = optimal.fixed_daily_distribution(model)
    window = params.lead_time + params.review_period
    policies = [ConstantOrder(float(params.review_period), in_scale_units=True)]
    if model.integer:
        policies.append(Myopic())
    else:
        if daily is not None:
            cv = float(daily.std() / daily.mean())
        else:
            sample = model.sample(np.random.default_rng(search_seed), 64, 365).demand
            cv = float(np.mean(sample.std(axis=1) / np.maximum(sample.mean(axis=1), 1e-9)))
        policies.append(Myopic(distribution="normal", cv=cv))
    search = dict(n_trajectories=64, horizon=min(horizon, 1000), warmup_epochs=warmup_epochs, seed=search_seed)
    spread = params.lead_time_distribution
    crossing = spread is not None and params.order_crossing and not spread.deterministic
    if daily is not None and not params.lost_sales and not crossing:
        best = optimal.optimal_base_stock_for(env_or_spec)
        base, level, in_scale = best.policy(), best.level, False
        what = "exact optimum" if spread is None else "exact best level (compound lead-time demand, no crossing)"
        notes.append(f"base stock: {what} S* = {level:g}, expected cost {best.cost:.4f} per day")
    else:
        found = optimal.best_base_stock(env_or_spec, **search)
        base, level, in_scale = found.policy, found.level, found.in_scale_units
        notes.append(f"base stock: simulation search, best level {level:g}{' x scale' if in_scale else ''}")
    policies.append(base)
    if params.lost_sales and daily is not None:
        capped = optimal.best_capped_base_stock(env_or_spec, **search)
        policies.append(capped.policy)
    # (s, S) reorders only once the position has fallen by one review period of mean demand
    if in_scale:
        step = float(params.review_period)
    else:
        step = params.review_period * float(daily.mean())
        step = max(round(step), 1) if model.integer else step
    policies.append(SS(level - step, level, in_scale_units=in_scale))
    return policies



def best_baseline(env_kwargs: dict, *, n_trajectories: int, horizon: int | None, seed: int, warmup_epochs=None):
    """The classical policy of :func:`compute_baselines` with the lowest cost on these trajectories:
    ``{"name", "cost", "ci", "gap"}`` (no DP), chosen and costed on the same trajectories: the
    trainers' validation reference (not the study's ``"best_classical"`` reference kind, module docstring)."""
    from gym_inventory.evaluation import resolve_problem

    horizon = resolve_problem(env_kwargs)[0].horizon if horizon is None else horizon
    rows = compute_baselines(env_kwargs, n_trajectories=n_trajectories, horizon=horizon, warmup_epochs=warmup_epochs,
                             seed=seed, use_dp=False)["policies"]
    return min(rows, key=lambda row: row["cost"])


def tuned_base_stock(env_kwargs: dict, level=None, *, seed: int, n_trajectories: int, horizon: int, warmup_epochs=None):
    """Base stock at ``level`` days of mean demand, or else the exact backlog optimum (IID demand)
    or the best level of a simulation search on ``seed`` (other cases), as :func:`compute_baselines` tunes it."""
    from gym_inventory import optimal
    from gym_inventory.evaluation import resolve_problem
    from gym_inventory.params import check_real
    from gym_inventory.policies import BaseStock

    if level is not None:
        return BaseStock(check_real("level", level, 0.0), in_scale_units=True)
    params, model = resolve_problem(env_kwargs)
    if optimal.fixed_daily_distribution(model) is not None and not params.lost_sales:
        return optimal.optimal_base_stock_for(env_kwargs).policy()
    return optimal.best_base_stock(env_kwargs, n_trajectories=min(n_trajectories, 64), horizon=min(horizon, 1000),
                                   warmup_epochs=warmup_epochs, seed=seed).policy
