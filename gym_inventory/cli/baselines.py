"""``gym-inventory baselines``: classical policies and the exact optimum of a problem, side by side.

The computation is :func:`gym_inventory.baselines.compute_baselines` (common random
numbers, gaps to the DP optimum or to the best policy found); this module parses the
command line and prints its table or JSON.
"""
from __future__ import annotations


from gym_inventory.baselines import compute_baselines
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
