"""``gym-inventory baselines``: classical policies and the exact optimum of a problem, side by side.

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
"""
from __future__ import annotations

import math

from gym_inventory.cli.common import (
    add_env_arguments,
    add_evaluation_arguments,
    add_json_argument,
    check_evaluation_arguments,
    env_kwargs_from_args,
    json_text,
    undefined_gaps,
)

HELP = "cost per day of classical policies (95% CI) and their gap to the exact optimum"

#: The DP runs automatically up to this lead time (review period 1, integer IID demand).
DP_MAX_LEAD_TIME = 4


def add_arguments(parser):
    add_env_arguments(parser)
    group = add_evaluation_arguments(parser, n_trajectories=128)
    group.add_argument("--seed", type=int, default=0, metavar="S", help="evaluation seed (default 0)")
    add_json_argument(parser)


def run(args) -> int:
    check_evaluation_arguments(args)
    kwargs = env_kwargs_from_args(args)
    result = compute_baselines(
        kwargs, n_trajectories=args.n_trajectories, horizon=args.eval_horizon, warmup_epochs=args.warmup_epochs,
        seed=args.seed, use_dp=not args.no_dp,
    )
    if args.json:
        print(json_text({"optimal": result["optimal"], "policies": [undefined_gaps(r) for r in result["policies"]]}))
        return 0
    print(_table(result))
    return 0


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
    if use_dp and _dp_applies(params, model):
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
    best = evaluations[-1] if optimal is not None else min(evaluations, key=lambda e: e.cost)
    reference = optimal if optimal is not None else best.cost
    rows, gap_cis = [], []
    for evaluation in evaluations:
        excess, half = paired_difference(evaluation, best)
        gap = excess / reference if reference > 0 else math.nan
        rows.append({"name": evaluation.name, "cost": evaluation.cost, "ci": evaluation.ci, "gap": gap})
        gap_cis.append(half / reference if reference > 0 else math.nan)
    return {"optimal": optimal, "reference": reference, "notes": notes, "policies": rows, "gap_ci": gap_cis}


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
    if daily is not None and not params.lost_sales:
        best = optimal.optimal_base_stock_for(env_or_spec)
        base, level, in_scale = best.policy(), best.level, False
        notes.append(f"base stock: exact optimum S* = {level:g}, expected cost {best.cost:.4f} per day")
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


def _table(result: dict) -> str:
    reference = "DP optimum" if result["optimal"] is not None else "best policy found"
    lines = [f"{'policy':<34} {'cost/day':>10} {'95% CI':>9} {'gap':>8} {'gap CI':>8}"]
    for row, gap_ci in zip(result["policies"], result["gap_ci"]):
        lines.append(f"{row['name']:<34} {row['cost']:>10.4f} {'±' + format(row['ci'], '.4f'):>9} "
                     f"{100 * row['gap']:>7.2f}% {'±' + format(100 * gap_ci, '.2f') + '%':>8}")
    optimal = "n/a" if result["optimal"] is None else f"{result['optimal']:.4f}"
    lines.append(f"optimal cost per day (DP): {optimal}; gaps relative to the {reference} ({result['reference']:.4f})")
    lines += [f"note: {note}" for note in result["notes"]]
    return "\n".join(lines)
