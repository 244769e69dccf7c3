"""``gym-inventory evaluate``: a trained policy (or a classical one) against the baselines and the optimum.

    gym-inventory evaluate DIR [--split test] [--json]                 # a run of `train` or `ds`
    gym-inventory evaluate --policy base-stock --env-config FILE [--json]
    gym-inventory evaluate (DIR | --policy base-stock) --data FILE [--json] [--per-sku-out FILE.parquet]

The policy is evaluated with :func:`gym_inventory.evaluate` on the trajectories of
the chosen split, and the classical policies of ``gym-inventory baselines`` (with the
DP optimum where it applies) on the very same trajectories (common random numbers):
each split is a fixed evaluation seed (:data:`gym_inventory.evaluation.SPLIT_SEEDS`; ``test`` is seed 0, so its
baseline rows are those of ``gym-inventory baselines``), and a demand source with
splits (a panel dataset) also gets ``split=`` its SKUs of that split. Training
validates on the ``validate`` split. With ``--data`` the policy runs over every series
of a panel file instead (:func:`gym_inventory.data.evaluate_panel`).

JSON: ``{"policy": {"name", "cost", "ci", "gap", "fill_rate", "stockout_rate",
"turnover_time"}, "baselines": {"optimal", "policies"} (as ``gym-inventory baselines
--json``), "optimal", "split"}``; with ``--data``: the panel evaluation's fields.
"""
from __future__ import annotations

import math

from gym_inventory.baselines import compute_baselines, tuned_base_stock
from gym_inventory.cli.errors import UsageError
from gym_inventory.cli.common import (
    add_env_arguments,
    add_evaluation_arguments,
    add_json_argument,
    check_evaluation_arguments,
    env_kwargs_from_args,
    json_text,
    undefined_gaps,
)
from gym_inventory.evaluation import SPLIT_SEEDS, split_problem
from gym_inventory.params import check_real

HELP = "evaluate a trained policy (run directory) or a classical policy against the baselines and the optimum"

#: Classical policies ``--policy`` accepts.
POLICIES = ("base-stock",)


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", nargs="?", metavar="DIR", help="a run directory of `gym-inventory train` or `ds`")
    parser.add_argument("--policy", metavar="NAME", default=None, choices=POLICIES,
                        help="evaluate a classical policy instead of DIR: base-stock (tuned, or at --level)")
    parser.add_argument("--level", type=float, default=None, metavar="S",
                        help="base-stock level in days of each SKU's mean demand (default: the optimal or best level "
                             "found; with --data: 2 (L + P))")
    parser.add_argument("--split", default="test", metavar="SPLIT", choices=list(SPLIT_SEEDS), help="test (default), validate or train")
    parser.add_argument("--data", metavar="FILE", default=None, help="evaluate on every series of a panel file instead")
    parser.add_argument("--per-sku-out", metavar="FILE", default=None, help="with --data: per-series results (new .parquet)")
    parser.add_argument("--days", type=int, default=90, help="with --data: the last DAYS days of each series (default 90)")
    parser.add_argument("--on-error", default="raise", metavar="POLICY", choices=("raise", "skip"),  # data.schema.ON_ERROR
                        help="with --data: raise (default) or skip series with problems (too short, bad rows)")
    add_env_arguments(parser)
    group = add_evaluation_arguments(parser, n_trajectories=256)
    group.add_argument("--device", default="cpu", help="torch device of a trained policy (default cpu)")
    add_json_argument(parser)


def run(args) -> int:
    if (args.run_dir is None) == (args.policy is None):
        raise UsageError("give either a run directory DIR or --policy NAME (not both)")
    check_evaluation_arguments(args)
    if args.data is None and (args.per_sku_out is not None or args.on_error != "raise" or args.days != 90):
        raise UsageError("--per-sku-out, --days and --on-error go with --data")
    if args.run_dir is not None:
        from gym_inventory.plugins import load_run

        if args.level is not None:
            raise UsageError("--level goes with --policy base-stock, not with a run directory")
        env_kwargs, policy = load_run(args.run_dir, device=args.device)
        env_kwargs.update(env_kwargs_from_args(args) if _has_env_arguments(args) else {})
    else:
        env_kwargs = env_kwargs_from_args(args)
        policy = None
    if args.data is not None:
        return _evaluate_data(args, policy, env_kwargs)
    kwargs, seed = split_problem(env_kwargs, args.split)
    options = dict(n_trajectories=args.n_trajectories, horizon=args.eval_horizon, warmup_epochs=args.warmup_epochs, seed=seed)
    if policy is None:
        level = None if args.level is None else check_real("--level", args.level, 0.0)
        policy = tuned_base_stock(kwargs, level, seed=seed + 1, **{k: v for k, v in options.items() if k != "seed"})
    from gym_inventory.evaluation import evaluate

    result = evaluate(policy, kwargs, **options)
    baselines = compute_baselines(kwargs, use_dp=not args.no_dp, **options)
    reference = baselines["reference"]
    row = {"name": result.name, "cost": result.cost, "ci": result.ci,
           "gap": result.cost / reference - 1.0 if reference > 0 else math.nan,
           "fill_rate": result.fill_rate, "stockout_rate": result.stockout_rate, "turnover_time": result.turnover_time}
    if args.json:
        print(json_text({"policy": undefined_gaps(row), "baselines": {"optimal": baselines["optimal"], "policies": [undefined_gaps(r) for r in baselines["policies"]]},
                          "optimal": baselines["optimal"], "split": args.split}))
    else:
        print(_table(row, baselines, args.split, result.n_trajectories, result.days))
    return 0


def _has_env_arguments(args) -> bool:
    return any(value is not None for name, value in vars(args).items() if name.startswith("env_"))


def _evaluate_data(args, policy, env_kwargs: dict) -> int:
    import gym_inventory.data as data
    from gym_inventory.policies import BaseStock

    if policy is None:
        from gym_inventory.evaluation import resolve_problem

        params = resolve_problem({k: v for k, v in env_kwargs.items() if k not in ("demand", "demand_kwargs", "split")})[0]
        level = 2.0 * (params.lead_time + params.review_period) if args.level is None else check_real("--level", args.level, 0.0)
        policy = BaseStock(level, in_scale_units=True)
    kwargs = {k: v for k, v in env_kwargs.items() if k not in ("horizon", "demand", "demand_kwargs", "split")}
    result = data.evaluate_panel(policy, args.data, out=args.per_sku_out, days=args.days, env_kwargs=kwargs,
                                 on_error=args.on_error, progress=not args.json)
    print(json_text(result.as_dict()) if args.json else result.summary())
    return 0


def _table(row: dict, baselines: dict, split: str, n_trajectories: int, days: int) -> str:
    lines = [f"split {split}: {n_trajectories} trajectories x {days} days (common random numbers)",
             f"{'policy':<34} {'cost/day':>10} {'95% CI':>9} {'gap':>8}"]
    for entry in [row] + baselines["policies"]:
        lines.append(f"{entry['name']:<34} {entry['cost']:>10.4f} {'±' + format(entry['ci'], '.4f'):>9} "
                     f"{100 * entry['gap']:>7.2f}%")
    optimal = "n/a" if baselines["optimal"] is None else f"{baselines['optimal']:.4f}"
    reference = "DP optimum" if baselines["optimal"] is not None else "best classical policy"
    lines.append(f"{row['name']}: fill rate {row['fill_rate']:.4f}, stockout rate {row['stockout_rate']:.4f}, "
                 f"turnover time {row['turnover_time']:.3g} days")
    lines.append(f"optimal cost per day (DP): {optimal}; gaps relative to the {reference} ({baselines['reference']:.4f})")
    lines += [f"note: {note}" for note in baselines["notes"]]
    return "\n".join(lines)
